//! The OFAC advanced XML (`cons_advanced.xml`) and enhanced XML
//! (`CONS_ENHANCED.XML` / `.ZIP`) parsers on the real consolidated-list files,
//! on small hand-written documents in the publisher's format, and on broken
//! input. Expected values below were typed from the source files.

mod common;

use proptest::prelude::*;
use screener::model::{Entity, Schema, prop};
use screener::parse::{self, Format, Location, ParsedList, SourceFile};
use std::collections::{BTreeMap, HashSet};

const ADVANCED: &str = "ofac_consolidated_advanced_xml/2020-03-17/cons_advanced.xml";
const ENHANCED: &str = "ofac_consolidated_enhanced_xml/2025-01-10/CONS_ENHANCED.XML";
const ENHANCED_ZIP: &str = "ofac_consolidated_enhanced_xml/2025-01-10/CONS_ENHANCED.ZIP";
const LEGACY: &str = "ofac_consolidated_xml/2025-03-28/consolidated.xml";

fn parse_real(format: Format, path: &str) -> ParsedList {
    let files = common::read_raw(&[path]);
    parse::parse(format, "us_ofac_cons", &files).unwrap_or_else(|e| panic!("{e}"))
}

fn entity<'a>(parsed: &'a ParsedList, uid: &str) -> &'a Entity {
    let id = format!("us_ofac_cons:{uid}");
    parsed
        .entities
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entity {id}"))
}

fn has(e: &Entity, property: &str, value: &str) -> bool {
    e.get(property).iter().any(|v| v == value)
}

fn schema_counts(parsed: &ParsedList) -> BTreeMap<Schema, usize> {
    let mut counts = BTreeMap::new();
    for e in &parsed.entities {
        *counts.entry(e.schema).or_default() += 1;
    }
    counts
}

// ---------------------------------------------------------------------------
// Advanced XML, real file
// ---------------------------------------------------------------------------

#[test]
fn advanced_counts_and_publication_date() {
    let parsed = parse_real(Format::OfacAdvancedXml, ADVANCED);
    assert_eq!(parsed.entities.len(), 375);
    assert_eq!(parsed.published.as_deref(), Some("2020-03-17"));
    // PartySubTypeID 4 (Individual) 82 times, 3 (Entity) 293 times.
    let counts = schema_counts(&parsed);
    assert_eq!(counts.get(&Schema::Person), Some(&82));
    assert_eq!(counts.get(&Schema::Organization), Some(&293));
    let ids: HashSet<&str> = parsed.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 375);
}

#[test]
fn advanced_person_with_year_of_birth() {
    let parsed = parse_real(Format::OfacAdvancedXml, ADVANCED);
    let e = entity(&parsed, "9639");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "Ismail Abdul Salah HANIYA");
    assert_eq!(e.get(prop::NAME), ["Ismail Abdul Salah HANIYA"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Ismail Abdul Salah"]);
    assert_eq!(e.get(prop::LAST_NAME), ["HANIYA"]);
    assert_eq!(e.get(prop::ALIAS), ["Ismail HANIYA", "Ismaeel HANIYYA"]);
    // DatePeriod 1962-01-01 .. 1962-12-31 is the year 1962.
    assert_eq!(e.get(prop::BIRTH_DATE), ["1962"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Shati"]);
    assert_eq!(e.listing(prop::PROGRAM), ["NS-PLC"]);
    assert!(
        e.listing(prop::LISTING_DATE)
            .iter()
            .any(|v| v == "2014-10-10")
    );
    assert!(
        e.listing(prop::LISTING_DATE)
            .iter()
            .any(|v| v == "2006-04-12")
    );
    assert!(has(
        e,
        prop::NOTES,
        "Sanctions list: Non-SDN Palestinian Legislative Council List"
    ));
    // The location of this party is "undetermined": no country, no address.
    assert!(e.get(prop::COUNTRY).is_empty());
    assert!(e.get(prop::ADDRESS).is_empty());
}

#[test]
fn advanced_person_with_passport_citizenship_and_gender() {
    let parsed = parse_real(Format::OfacAdvancedXml, ADVANCED);
    let e = entity(&parsed, "26182");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get(prop::NAME), ["Evren KAYAKIRAN"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Evren"]);
    assert_eq!(e.get(prop::LAST_NAME), ["KAYAKIRAN"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1980-02-08"]);
    // Citizenship Country via a location whose only part is "Turkey".
    assert_eq!(e.get(prop::CITIZENSHIP), ["tr"]);
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["U00242309"]);
    assert!(has(
        e,
        prop::NOTES,
        "Passport: U00242309 (issued by Turkey)"
    ));
    // The address location has only a country (Turkey).
    assert_eq!(e.get(prop::COUNTRY), ["tr"]);
    assert_eq!(e.listing(prop::PROGRAM), ["FSE-IR"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2019-02-07"]);

    let e = entity(&parsed, "17526");
    assert_eq!(e.get(prop::NAME), ["Halis Bektas"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1966-02-13"]);
    assert_eq!(e.get(prop::CITIZENSHIP), ["ch"]);
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["X0906223"]);
    assert_eq!(e.listing(prop::PROGRAM), ["SYRIA", "FSE-SY"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2014-12-17"]);
}

#[test]
fn advanced_organization_with_weak_aliases_documents_and_address() {
    let parsed = parse_real(Format::OfacAdvancedXml, ADVANCED);
    let e = entity(&parsed, "18812");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(
        e.get(prop::NAME),
        ["OTKRYTOE AKTSIONERNOE OBSHCHESTVO NOVOVYATSKI MEKHANICHESKI ZAVOD"]
    );
    assert_eq!(
        e.get(prop::ALIAS),
        [
            "OPEN JOINT STOCK COMPANY NOVOVYATSK MECHANICAL PLANT",
            "OPEN JOINT-STOCK COMPANY NOVOVYATSKIY MEKHANICHESKIY ZAVOD",
            "NOVOVYATSKI MEKHANICHESKI ZAVOD OAO",
        ]
    );
    // LowQuality="true" a.k.a. and f.k.a.
    assert_eq!(e.get(prop::WEAK_ALIAS), ["NMZ OJSC", "NMZ OAO"]);
    assert_eq!(e.get(prop::EMAIL), ["nmz@nmz.kirov.ru"]);
    assert_eq!(
        e.get(prop::ADDRESS),
        ["d. 51 ul. Sovetskaya, Kirov, Kirovskaya obl., 610008, Russia"]
    );
    assert_eq!(e.get(prop::COUNTRY), ["ru"]);
    assert_eq!(e.get(prop::REGISTRATION_NUMBER), ["1034316578702"]);
    assert_eq!(e.get(prop::TAX_NUMBER), ["4345029953"]);
    assert_eq!(e.get(prop::ID_NUMBER), ["07501403"]);
    assert!(has(e, prop::NOTES, "Government Gazette Number: 07501403"));
    assert!(has(
        e,
        prop::NOTES,
        "Executive Order 13662 Directive Determination: Subject to Directive 3"
    ));
    assert!(has(e, prop::NOTES, "Owned or Controlled By: ROSTEC"));
    assert_eq!(e.listing(prop::PROGRAM), ["UKRAINE-EO13662"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2015-12-22"]);

    let e = entity(&parsed, "17013");
    assert_eq!(e.get(prop::NAME), ["VTB BANK OAO"]);
    assert!(has(e, prop::ALIAS, "JSC VTB BANK"));
    assert!(has(e, prop::PREVIOUS_NAME, "VNESHTORGBANK"));
    assert!(has(e, prop::PREVIOUS_NAME, "BANK VNESHNEY TORGOVLI RSFSR"));
    assert_eq!(e.get(prop::SWIFT_BIC), ["VTBRRUMM"]);
    assert_eq!(e.get(prop::WEBSITE), ["www.vtb.com"]);
    assert_eq!(e.get(prop::REGISTRATION_NUMBER), ["1027739609391"]);
    assert_eq!(e.get(prop::TAX_NUMBER), ["7702070139"]);
    assert!(has(
        e,
        prop::NOTES,
        "Registration ID: 1027739609391 (issued by Russia)"
    ));
    assert!(has(
        e,
        prop::ADDRESS,
        "37 Plyushchikha ul., Moscow, 119121, Russia"
    ));
}

#[test]
fn advanced_truncated_file_is_an_error_with_byte_offset() {
    let mut files = common::read_raw(&[ADVANCED]);
    let full = files[0].data.len();
    files[0].data.truncate(full / 2);
    let err = parse::parse(Format::OfacAdvancedXml, "us_ofac_cons", &files).unwrap_err();
    assert_eq!(err.file, "cons_advanced.xml");
    match err.location {
        Some(Location::Byte(b)) => assert!(b as usize <= full / 2, "offset {b}"),
        other => panic!("expected a byte offset, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Enhanced XML, real file
// ---------------------------------------------------------------------------

#[test]
fn enhanced_counts_and_publication_date() {
    let parsed = parse_real(Format::OfacEnhancedXml, ENHANCED);
    assert_eq!(parsed.entities.len(), 443);
    assert_eq!(parsed.published.as_deref(), Some("2025-01-10"));
    let counts = schema_counts(&parsed);
    assert_eq!(counts.get(&Schema::Person), Some(&80));
    assert_eq!(counts.get(&Schema::Organization), Some(&363));
}

#[test]
fn enhanced_person_entries() {
    let parsed = parse_real(Format::OfacEnhancedXml, ENHANCED);
    let e = entity(&parsed, "9639");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get(prop::NAME), ["Ismail Abdul Salah HANIYA"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Ismail Abdul Salah"]);
    assert_eq!(e.get(prop::LAST_NAME), ["HANIYA"]);
    assert_eq!(e.get(prop::ALIAS), ["Ismail HANIYA", "Ismaeel HANIYYA"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1962"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Shati"]);
    assert_eq!(e.listing(prop::PROGRAM), ["NS-PLC"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2006-04-12", "2014-10-10"]);

    let e = entity(&parsed, "50476");
    assert_eq!(e.get(prop::NAME), ["Michel Joseph MARTELLY"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Michel Joseph"]);
    assert_eq!(e.get(prop::MIDDLE_NAME), ["Joseph"]);
    assert_eq!(e.get(prop::LAST_NAME), ["MARTELLY"]);
    assert_eq!(e.get(prop::ALIAS), ["Michael MARTELLY"]);
    // isLowQuality nickname.
    assert_eq!(e.get(prop::WEAK_ALIAS), ["Sweet Micky"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1961-02-12"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Port-au-Prince, Haiti"]);
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get(prop::NATIONALITY), ["ht"]);
    assert_eq!(e.get(prop::ID_NUMBER), ["0032768386", "M634550610520"]);
    assert!(has(
        e,
        prop::NOTES,
        "National ID No.: 0032768386 (issued by Haiti)"
    ));
    assert!(has(
        e,
        prop::NOTES,
        "Driver's License No.: M634550610520 (issued by United States)"
    ));
    assert_eq!(
        e.get(prop::ADDRESS),
        [
            "Miami, FL, United States",
            "Petionville, Ouest, Haiti",
            "Port-au-Prince, Ouest, Haiti"
        ]
    );
    // The fourth address is only "Dominican Republic".
    assert_eq!(e.get(prop::COUNTRY), ["us", "ht", "do"]);
    assert_eq!(e.listing(prop::PROGRAM), ["ILLICIT-DRUGS-EO14059"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2024-08-20"]);
}

#[test]
fn enhanced_organization_entries_with_other_scripts() {
    let parsed = parse_real(Format::OfacEnhancedXml, ENHANCED);
    let e = entity(&parsed, "19653");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get(prop::NAME), ["GAZPROM VNIIGAZ, OOO"]);
    // The Cyrillic translations are kept as aliases.
    assert!(has(e, prop::ALIAS, "ООО ГАЗПРОМ ВНИИГАЗ"));
    assert!(has(
        e,
        prop::ALIAS,
        "НАУЧНО-ИССЛЕДОВАТЕЛЬСКИЙ ИНСТИТУТ ПРИРОДНЫХ ГАЗОВ И ГАЗОВЫХ ТЕХНОЛОГИЙ - ГАЗПРОМ ВНИИГАЗ"
    ));
    assert!(has(e, prop::ALIAS, "GAZPROM VNIIGAZ"));
    assert!(has(e, prop::ALIAS, "LLC VNIIGAZ"));
    assert_eq!(
        e.get(prop::WEAK_ALIAS),
        [
            "LIMITED LIABILITY COMPANY SCIENTIFIC RESEARCH INSTITUTE OF NATURAL GASES AND GAS TECHNOLOGIES",
            "ALL UNION SCIENTIFIC RESEARCH INSTITUTE OF NATURAL GASES AND GAS TECHNOLOGIES",
            "VNIGAZ",
        ]
    );
    assert_eq!(
        e.get(prop::ADDRESS),
        [
            "15 Gazovikov St., bld. 1, Razvilka, Leninski Raion, Moskovskaya obl., 142717, Russia",
            "Sevastopolskaya St. 1A, Ukhta, Komi Republic, Russia"
        ]
    );
    assert_eq!(e.get(prop::COUNTRY), ["ru"]);
    assert_eq!(e.get(prop::REGISTRATION_NUMBER), ["1025000651598"]);
    assert_eq!(e.get(prop::TAX_NUMBER), ["5003028155"]);
    assert_eq!(e.get(prop::EMAIL), ["adm@vniigaz.gazprom.ru"]);
    assert_eq!(e.get(prop::WEBSITE), ["www.vniigaz.ru"]);
    assert_eq!(e.get(prop::INCORPORATION_DATE), ["1999-06-30"]);
    assert_eq!(
        e.listing(prop::PROGRAM),
        ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    );
    assert_eq!(e.listing(prop::LISTING_DATE), ["2016-09-01"]);
    assert!(has(
        e,
        prop::NOTES,
        "Owned or Controlled By: PUBLIC JOINT STOCK COMPANY GAZPROM"
    ));

    let e = entity(&parsed, "33091");
    assert_eq!(e.get(prop::NAME), ["MEGVII TECHNOLOGY LIMITED"]);
    assert_eq!(e.get(prop::ALIAS), ["旷视科技有限公司"]);
    assert_eq!(e.get(prop::COUNTRY), ["ky", "cn"]);
    assert!(has(
        e,
        prop::ADDRESS,
        "PO Box 309, Ugland House, Grand Cayman, KY1-1104, Cayman Islands"
    ));
    assert_eq!(e.listing(prop::PROGRAM), ["CMIC-EO13959"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2021-12-16"]);
    assert!(has(e, prop::NOTES, "Effective Date (CMIC): 2022-02-14"));

    let e = entity(&parsed, "17013");
    assert_eq!(e.get(prop::NAME), ["VTB BANK PUBLIC JOINT STOCK COMPANY"]);
    assert!(has(e, prop::ALIAS, "БАНК ВТБ ПАО"));
    assert_eq!(e.get(prop::WEAK_ALIAS), ["JSC VTB BANK NEW DELHI BRANCH"]);
    assert_eq!(e.get(prop::SWIFT_BIC), ["VTBRRUMM"]);
    assert!(has(e, prop::REGISTRATION_NUMBER, "253400V1H6ART1UQ0N98"));
    assert!(has(
        e,
        prop::NOTES,
        "Website www.vtb.ru: Russian Language website for the bank"
    ));
}

#[test]
fn enhanced_zip_gives_the_same_entities_as_the_xml() {
    let xml = parse_real(Format::OfacEnhancedXml, ENHANCED);
    let zip = parse_real(Format::OfacEnhancedXml, ENHANCED_ZIP);
    assert_eq!(zip.entities.len(), 443);
    assert_eq!(zip.published, xml.published);
    assert_eq!(zip.entities, xml.entities);
}

/// The text of the first `<tag>` element in `block`, with the XML escapes
/// the legacy file uses undone.
fn element_text(block: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = block.find(&open)? + open.len();
    let end = start + block[start..].find(&close)?;
    Some(
        block[start..end]
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

/// The enhanced file (2025-01-10) and the legacy consolidated.xml
/// (2025-03-28) list the same 443 parties under the same uids with the same
/// primary names and programmes.
#[test]
fn enhanced_agrees_with_the_legacy_consolidated_xml() {
    let parsed = parse_real(Format::OfacEnhancedXml, ENHANCED);
    let legacy = common::read_raw(&[LEGACY]);
    let text = String::from_utf8_lossy(&legacy[0].data);
    let mut seen = 0;
    for block in text.split("<sdnEntry>").skip(1) {
        let uid = element_text(block, "uid").expect("uid");
        // Names before the first list belong to the entry itself.
        let head = block.split("<programList>").next().unwrap_or(block);
        let name: Vec<String> = ["firstName", "lastName"]
            .iter()
            .filter_map(|t| element_text(head, t))
            .collect();
        let e = entity(&parsed, &uid);
        assert_eq!(e.get(prop::NAME), [name.join(" ")], "uid {uid}");
        let programs: Vec<String> = block
            .split("<program>")
            .skip(1)
            .filter_map(|p| p.split("</program>").next().map(str::to_string))
            .collect();
        let ours: HashSet<&str> = e
            .listing(prop::PROGRAM)
            .iter()
            .map(String::as_str)
            .collect();
        let theirs: HashSet<&str> = programs.iter().map(String::as_str).collect();
        assert_eq!(ours, theirs, "programs of {uid}");
        seen += 1;
    }
    assert_eq!(seen, 443);
}

#[test]
fn enhanced_truncated_file_is_an_error_with_byte_offset() {
    let mut files = common::read_raw(&[ENHANCED]);
    let cut = files[0].data.len() / 3;
    files[0].data.truncate(cut);
    let err = parse::parse(Format::OfacEnhancedXml, "us_ofac_cons", &files).unwrap_err();
    assert_eq!(err.file, "CONS_ENHANCED.XML");
    assert!(matches!(err.location, Some(Location::Byte(b)) if b as usize <= cut));
}

// ---------------------------------------------------------------------------
// Hand-written documents in the publisher's formats
// ---------------------------------------------------------------------------

/// An advanced-format document written for these tests. The person is the
/// real party 9639 with a birth date edited into an approximate range and a
/// Cyrillic spelling added, and the vessel is invented, to exercise paths
/// the 2020 consolidated file does not use (ranges, other scripts, vessels).
const ADV_DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="http://www.un.org/sanctions/1.0">
  <DateOfIssue CalendarTypeID="1"><Year>2020</Year><Month>3</Month><Day>17</Day></DateOfIssue>
  <ReferenceValueSets>
    <AliasTypeValues>
      <AliasType ID="1400">A.K.A.</AliasType>
      <AliasType ID="1401">F.K.A.</AliasType>
      <AliasType ID="1403">Name</AliasType>
    </AliasTypeValues>
    <CountryValues>
      <Country ID="11108" ISO2="IR">Iran</Country>
      <Country ID="11291">undetermined</Country>
    </CountryValues>
    <DocNameStatusValues>
      <DocNameStatus ID="1">Primary Latin</DocNameStatus>
      <DocNameStatus ID="2">Others</DocNameStatus>
    </DocNameStatusValues>
    <DetailTypeValues>
      <DetailType ID="1430">DATE</DetailType>
      <DetailType ID="1432">TEXT</DetailType>
      <DetailType ID="1433">COUNTRY</DetailType>
    </DetailTypeValues>
    <FeatureTypeValues>
      <FeatureType ID="8" FeatureTypeGroupID="1">Birthdate</FeatureType>
      <FeatureType ID="3" FeatureTypeGroupID="1">Vessel Flag</FeatureType>
      <FeatureType ID="4" FeatureTypeGroupID="1">Vessel Call Sign</FeatureType>
      <FeatureType ID="5" FeatureTypeGroupID="1">VESSEL TYPE</FeatureType>
      <FeatureType ID="345" FeatureTypeGroupID="1">Digital Currency Address - ETH</FeatureType>
    </FeatureTypeValues>
    <IDRegDocTypeValues>
      <IDRegDocType ID="1626">Vessel Registration Identification</IDRegDocType>
    </IDRegDocTypeValues>
    <LocPartTypeValues>
      <LocPartType ID="1">Unknown</LocPartType>
    </LocPartTypeValues>
    <NamePartTypeValues>
      <NamePartType ID="1520">Last Name</NamePartType>
      <NamePartType ID="1521">First Name</NamePartType>
      <NamePartType ID="1526">Vessel Name</NamePartType>
    </NamePartTypeValues>
    <PartySubTypeValues>
      <PartySubType ID="1" PartyTypeID="4">Vessel</PartySubType>
      <PartySubType ID="4" PartyTypeID="1">Unknown</PartySubType>
    </PartySubTypeValues>
    <PartyTypeValues>
      <PartyType ID="1">Individual</PartyType>
      <PartyType ID="4">Transport</PartyType>
    </PartyTypeValues>
    <SanctionsTypeValues>
      <SanctionsType ID="1">Program</SanctionsType>
    </SanctionsTypeValues>
    <ScriptValues>
      <Script ID="215" ScriptCode="Latin">Latin</Script>
      <Script ID="220" ScriptCode="Cyrl">Cyrillic</Script>
    </ScriptValues>
  </ReferenceValueSets>
  <Locations>
    <Location ID="900">
      <LocationPart LocPartTypeID="1">
        <LocationPartValue Primary="true"><Comment /><Value>Iran</Value></LocationPartValue>
      </LocationPart>
    </Location>
  </Locations>
  <IDRegDocuments>
    <IDRegDocument ID="700" IDRegDocTypeID="1626" IdentityID="2001">
      <Comment />
      <IDRegistrationNo>IMO 9000003</IDRegistrationNo>
      <IssuingAuthority />
    </IDRegDocument>
  </IDRegDocuments>
  <DistinctParties>
    <DistinctParty FixedRef="9639">
      <Comment />
      <Profile ID="9639" PartySubTypeID="4">
        <Identity ID="1978" FixedRef="9639" Primary="true" False="false">
          <Alias FixedRef="9639" AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="1978" FixedRef="9639" DocNameStatusID="1">
              <DocumentedNamePart><NamePartValue NamePartGroupID="38251" ScriptID="215">HANIYA</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="38252" ScriptID="215">Ismail Abdul Salah</NamePartValue></DocumentedNamePart>
            </DocumentedName>
            <DocumentedName ID="1979" FixedRef="9639" DocNameStatusID="2">
              <DocumentedNamePart><NamePartValue NamePartGroupID="38253" ScriptID="220">Хания</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="38254" ScriptID="220">Исмаил</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="9639" AliasTypeID="1400" Primary="false" LowQuality="true">
            <DocumentedName ID="10142" FixedRef="9639" DocNameStatusID="2">
              <DocumentedNamePart><NamePartValue NamePartGroupID="15032" ScriptID="215">ABU AL-ABD</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <NamePartGroups>
            <MasterNamePartGroup><NamePartGroup ID="38251" NamePartTypeID="1520" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="38252" NamePartTypeID="1521" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="38253" NamePartTypeID="1520" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="38254" NamePartTypeID="1521" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="15032" NamePartTypeID="1520" /></MasterNamePartGroup>
          </NamePartGroups>
        </Identity>
        <Feature ID="4696" FeatureTypeID="8">
          <FeatureVersion ID="1610" ReliabilityID="1">
            <Comment />
            <DatePeriod CalendarTypeID="1">
              <Start Approximate="true">
                <From><Year>1960</Year><Month>1</Month><Day>1</Day></From>
                <To><Year>1960</Year><Month>1</Month><Day>1</Day></To>
              </Start>
              <End Approximate="true">
                <From><Year>1962</Year><Month>12</Month><Day>31</Day></From>
                <To><Year>1962</Year><Month>12</Month><Day>31</Day></To>
              </End>
            </DatePeriod>
            <VersionDetail DetailTypeID="1430" />
          </FeatureVersion>
        </Feature>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="5001">
      <Comment />
      <Profile ID="5001" PartySubTypeID="1">
        <Identity ID="2001" FixedRef="5001" Primary="true" False="false">
          <Alias FixedRef="5001" AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="3001" FixedRef="5001" DocNameStatusID="1">
              <DocumentedNamePart><NamePartValue NamePartGroupID="60001" ScriptID="215">EXAMPLE CARRIER &amp; CO</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="5001" AliasTypeID="1401" Primary="false" LowQuality="false">
            <DocumentedName ID="3002" FixedRef="5001" DocNameStatusID="2">
              <DocumentedNamePart><NamePartValue NamePartGroupID="60002" ScriptID="215">OLD EXAMPLE</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <NamePartGroups>
            <MasterNamePartGroup><NamePartGroup ID="60001" NamePartTypeID="1526" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="60002" NamePartTypeID="1526" /></MasterNamePartGroup>
          </NamePartGroups>
        </Identity>
        <Feature ID="7001" FeatureTypeID="3">
          <FeatureVersion ID="7101"><Comment /><VersionDetail DetailTypeID="1433" /><VersionLocation LocationID="900" /></FeatureVersion>
        </Feature>
        <Feature ID="7002" FeatureTypeID="4">
          <FeatureVersion ID="7102"><Comment /><VersionDetail DetailTypeID="1432">9BXX1</VersionDetail></FeatureVersion>
        </Feature>
        <Feature ID="7003" FeatureTypeID="5">
          <FeatureVersion ID="7103"><Comment /><VersionDetail DetailTypeID="1432">Crude Oil Tanker</VersionDetail></FeatureVersion>
        </Feature>
        <Feature ID="7004" FeatureTypeID="345">
          <FeatureVersion ID="7104"><Comment /><VersionDetail DetailTypeID="1432">0x00000000000000000000000000000000000000aa</VersionDetail></FeatureVersion>
        </Feature>
      </Profile>
    </DistinctParty>
  </DistinctParties>
  <ProfileRelationships />
  <SanctionsEntries>
    <SanctionsEntry ID="1" ProfileID="5001" ListID="1550">
      <EntryEvent ID="1" EntryEventTypeID="1" LegalBasisID="1">
        <Comment />
        <Date CalendarTypeID="1"><Year>2019</Year><Month>9</Month><Day>4</Day></Date>
      </EntryEvent>
      <SanctionsMeasure ID="2" SanctionsTypeID="1"><Comment>IRAN</Comment></SanctionsMeasure>
    </SanctionsEntry>
  </SanctionsEntries>
  <SanctionsEntryLinks />
</Sanctions>
"#;

fn parse_adv(doc: &[u8]) -> Result<ParsedList, parse::ParseError> {
    parse::parse(
        Format::OfacAdvancedXml,
        "us_ofac_cons",
        &[SourceFile::new("sdn_advanced.xml", doc.to_vec())],
    )
}

#[test]
fn advanced_ranges_other_scripts_and_vessels() {
    let parsed = parse_adv(ADV_DOC.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.entities.len(), 2);
    assert_eq!(parsed.published.as_deref(), Some("2020-03-17"));
    let e = entity(&parsed, "9639");
    assert_eq!(e.get(prop::NAME), ["Ismail Abdul Salah HANIYA"]);
    assert_eq!(e.get(prop::ALIAS), ["Исмаил Хания"]);
    assert_eq!(e.get(prop::WEAK_ALIAS), ["ABU AL-ABD"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1960", "1961", "1962"]);
    assert!(has(
        e,
        prop::NOTES,
        "birth date approximate: circa 1960, 1961, 1962"
    ));
    let v = entity(&parsed, "5001");
    assert_eq!(v.schema, Schema::Vessel);
    assert_eq!(v.get(prop::NAME), ["EXAMPLE CARRIER & CO"]);
    assert_eq!(v.get(prop::PREVIOUS_NAME), ["OLD EXAMPLE"]);
    assert_eq!(v.get(prop::IMO_NUMBER), ["9000003"]);
    assert_eq!(v.get(prop::FLAG), ["ir"]);
    assert_eq!(v.get(prop::CALL_SIGN), ["9BXX1"]);
    assert_eq!(v.get(prop::TYPE), ["Crude Oil Tanker"]);
    assert_eq!(
        v.wallets(),
        ["ETH:0x00000000000000000000000000000000000000aa"]
    );
    assert_eq!(v.listing(prop::PROGRAM), ["IRAN"]);
    assert_eq!(v.listing(prop::LISTING_DATE), ["2019-09-04"]);
}

#[test]
fn advanced_undefined_references_do_not_panic() {
    let doc = r#"<Sanctions xmlns="http://www.un.org/sanctions/1.0">
      <ReferenceValueSets />
      <DistinctParties>
        <DistinctParty FixedRef="1">
          <Profile ID="1" PartySubTypeID="77">
            <Identity ID="10">
              <Alias AliasTypeID="99" Primary="true">
                <DocumentedName DocNameStatusID="5">
                  <DocumentedNamePart><NamePartValue NamePartGroupID="404" ScriptID="9">ACME</NamePartValue></DocumentedNamePart>
                </DocumentedName>
              </Alias>
            </Identity>
            <Feature ID="2" FeatureTypeID="88">
              <FeatureVersion><VersionLocation LocationID="555" /><VersionDetail DetailReferenceID="66" /></FeatureVersion>
            </Feature>
          </Profile>
        </DistinctParty>
      </DistinctParties>
      <IDRegDocuments><IDRegDocument IdentityID="10" IDRegDocTypeID="3" IssuedBy-CountryID="4"><IDRegistrationNo>X1</IDRegistrationNo></IDRegDocument></IDRegDocuments>
      <ProfileRelationships><ProfileRelationship From-ProfileID="1" To-ProfileID="999" RelationTypeID="5" /></ProfileRelationships>
      <SanctionsEntries><SanctionsEntry ProfileID="12345" ListID="1"><SanctionsMeasure SanctionsTypeID="2" /></SanctionsEntry></SanctionsEntries>
    </Sanctions>"#;
    let parsed = parse_adv(doc.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.entities.len(), 1);
    let e = &parsed.entities[0];
    assert_eq!(e.schema, Schema::LegalEntity);
    assert_eq!(e.get(prop::NAME), ["ACME"]);
    assert!(has(e, prop::NOTES, "Linked to: party 999"));
}

#[test]
fn advanced_structural_errors() {
    let err = parse_adv(b"<sdnList><sdnEntry/></sdnList>").unwrap_err();
    assert!(err.message.contains("<Sanctions>"), "{err}");
    assert_eq!(err.location, Some(Location::Byte(9)));

    let dup = r#"<Sanctions><DistinctParties>
        <DistinctParty FixedRef="7"><Profile ID="7"/></DistinctParty>
        <DistinctParty FixedRef="7"><Profile ID="7"/></DistinctParty>
      </DistinctParties></Sanctions>"#;
    let err = parse_adv(dup.as_bytes()).unwrap_err();
    assert!(err.message.contains("twice"), "{err}");

    let err =
        parse_adv(b"<Sanctions><DistinctParties><DistinctParty/></DistinctParties></Sanctions>")
            .unwrap_err();
    assert!(err.message.contains("FixedRef"), "{err}");

    let err = parse_adv(b"<Sanctions><A>&bogus;</A></Sanctions>").unwrap_err();
    assert!(err.message.contains("bogus"), "{err}");
}

/// An enhanced-format document written for these tests: party 9639 as
/// published, with an approximate birth-date range and a Cyrillic spelling
/// edited in, and an invented vessel.
const ENH_DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<sanctionsData xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML">
  <publicationInfo><dataAsOf>2025-01-10T00:00:00</dataAsOf></publicationInfo>
  <referenceValues>
    <referenceValue refId="11108"><type>COUNTRY</type><value>Iran</value><isoCode>IR</isoCode></referenceValue>
    <referenceValue refId="91526"><type>Gender</type><value>Male</value></referenceValue>
  </referenceValues>
  <featureTypes>
    <featureType featureTypeId="8"><type>Birthdate</type><detailType refId="1430">DATE</detailType></featureType>
    <featureType featureTypeId="3"><type>Vessel Flag</type><detailType refId="1433">COUNTRY</detailType></featureType>
  </featureTypes>
  <entities>
    <entity id="9639">
      <generalInfo><identityId>1978</identityId><entityType refId="600">Individual</entityType></generalInfo>
      <sanctionsLists><sanctionsList refId="91243" id="14296" datePublished="2006-04-12">Non-SDN Palestinian Legislative Council List</sanctionsList></sanctionsLists>
      <sanctionsPrograms><sanctionsProgram refId="91055" id="6243">NS-PLC</sanctionsProgram></sanctionsPrograms>
      <names>
        <name id="17177">
          <isPrimary>true</isPrimary>
          <isLowQuality>false</isLowQuality>
          <translations>
            <translation id="1978">
              <isPrimary>true</isPrimary>
              <script refId="20122">Latin</script>
              <formattedFirstName>Ismail Abdul Salah</formattedFirstName>
              <formattedLastName>HANIYA</formattedLastName>
              <formattedFullName>HANIYA, Ismail Abdul Salah</formattedFullName>
              <nameParts>
                <namePart id="38251"><type refId="1520">Last Name</type><value>HANIYA</value></namePart>
                <namePart id="38252"><type refId="1521">First Name</type><value>Ismail Abdul Salah</value></namePart>
              </nameParts>
            </translation>
            <translation id="1979">
              <isPrimary>false</isPrimary>
              <script refId="20107">Cyrillic</script>
              <formattedFullName>ХАНИЯ, Исмаил</formattedFullName>
            </translation>
          </translations>
        </name>
        <name id="9150">
          <isPrimary>false</isPrimary>
          <aliasType refId="1400">A.K.A.</aliasType>
          <isLowQuality>true</isLowQuality>
          <translations>
            <translation id="10142">
              <isPrimary>true</isPrimary>
              <script refId="20122">Latin</script>
              <formattedLastName>ABU AL-ABD</formattedLastName>
              <formattedFullName>ABU AL-ABD</formattedFullName>
            </translation>
          </translations>
        </name>
      </names>
      <features>
        <feature id="4696">
          <type featureTypeId="8">Birthdate</type>
          <value>circa 1960 to 1962</value>
          <valueDate id="756">
            <fromDateBegin>1960-01-01</fromDateBegin>
            <fromDateEnd>1960-01-01</fromDateEnd>
            <toDateBegin>1962-12-31</toDateBegin>
            <toDateEnd>1962-12-31</toDateEnd>
            <isApproximate>true</isApproximate>
            <isDateRange>true</isDateRange>
          </valueDate>
        </feature>
        <feature id="4697"><type featureTypeId="224">Gender</type><value>Male</value><valueRefId>91526</valueRefId></feature>
      </features>
    </entity>
    <entity id="5001">
      <generalInfo><identityId>2001</identityId><entityType refId="602">Vessel</entityType></generalInfo>
      <names>
        <name id="1">
          <isPrimary>true</isPrimary>
          <translations><translation id="2"><isPrimary>true</isPrimary>
            <formattedLastName>EXAMPLE CARRIER</formattedLastName><formattedFullName>EXAMPLE CARRIER</formattedFullName>
          </translation></translations>
        </name>
      </names>
      <identityDocuments>
        <identityDocument id="700">
          <type refId="1626">Vessel Registration Identification</type>
          <documentNumber>IMO 9000003</documentNumber>
          <isValid>true</isValid>
        </identityDocument>
      </identityDocuments>
      <features>
        <feature id="7001"><type featureTypeId="3">Vessel Flag</type><value>Iran</value><valueRefId>11108</valueRefId></feature>
        <feature id="7002"><type featureTypeId="1">MMSI</type><value>422000001</value></feature>
      </features>
    </entity>
  </entities>
</sanctionsData>
"#;

fn parse_enh(name: &str, doc: &[u8]) -> Result<ParsedList, parse::ParseError> {
    parse::parse(
        Format::OfacEnhancedXml,
        "us_ofac_cons",
        &[SourceFile::new(name, doc.to_vec())],
    )
}

#[test]
fn enhanced_ranges_other_scripts_and_vessels() {
    let parsed =
        parse_enh("SDN_ENHANCED.XML", ENH_DOC.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.entities.len(), 2);
    assert_eq!(parsed.published.as_deref(), Some("2025-01-10"));
    let e = entity(&parsed, "9639");
    assert_eq!(e.get(prop::NAME), ["Ismail Abdul Salah HANIYA"]);
    assert_eq!(e.get(prop::ALIAS), ["ХАНИЯ, Исмаил"]);
    assert_eq!(e.get(prop::WEAK_ALIAS), ["ABU AL-ABD"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1960", "1961", "1962"]);
    assert!(has(
        e,
        prop::NOTES,
        "birth date approximate: circa 1960, 1961, 1962"
    ));
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2006-04-12"]);
    let v = entity(&parsed, "5001");
    assert_eq!(v.schema, Schema::Vessel);
    assert_eq!(v.get(prop::IMO_NUMBER), ["9000003"]);
    assert_eq!(v.get(prop::FLAG), ["ir"]);
    assert_eq!(v.get(prop::MMSI), ["422000001"]);
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, data) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("zip entry");
            zip.write_all(data).expect("zip write");
        }
        zip.finish().expect("zip finish");
    }
    out.into_inner()
}

#[test]
fn enhanced_zip_archives() {
    let one = zip_of(&[
        ("readme.txt", b"hi"),
        ("SDN_ENHANCED.XML", ENH_DOC.as_bytes()),
    ]);
    let parsed = parse_enh("SDN_ENHANCED.ZIP", &one).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.entities.len(), 2);

    let two = zip_of(&[("a.xml", ENH_DOC.as_bytes()), ("b.xml", ENH_DOC.as_bytes())]);
    let err = parse_enh("SDN_ENHANCED.ZIP", &two).unwrap_err();
    assert!(err.message.contains("2 .xml files"), "{err}");

    let none = zip_of(&[("readme.txt", b"hi")]);
    let err = parse_enh("SDN_ENHANCED.ZIP", &none).unwrap_err();
    assert!(err.message.contains("no .xml"), "{err}");

    let mut broken = one.clone();
    broken.truncate(40);
    let err = parse_enh("SDN_ENHANCED.ZIP", &broken).unwrap_err();
    assert_eq!(err.file, "SDN_ENHANCED.ZIP");

    // A truncated XML inside the archive names the inner file.
    let cut = zip_of(&[("SDN_ENHANCED.XML", &ENH_DOC.as_bytes()[..500])]);
    let err = parse_enh("SDN_ENHANCED.ZIP", &cut).unwrap_err();
    assert_eq!(err.file, "SDN_ENHANCED.ZIP/SDN_ENHANCED.XML");
    assert!(matches!(err.location, Some(Location::Byte(_))));
}

#[test]
fn enhanced_undefined_references_and_errors() {
    let doc = r#"<sanctionsData><entities>
        <entity id="1">
          <generalInfo><entityType refId="999" /></generalInfo>
          <names><name><isPrimary>true</isPrimary><translations><translation>
            <nameParts><namePart><type refId="4040" /><value>ACME</value></namePart></nameParts>
          </translation></translations></name></names>
          <features><feature><type featureTypeId="31337" /><value>x</value><valueRefId>777</valueRefId></feature></features>
          <addresses><address><country refId="5" /></address></addresses>
          <identityDocuments><identityDocument><type refId="6" /><documentNumber>N1</documentNumber><issuingCountry refId="7" /></identityDocument></identityDocuments>
          <relationships><relationship><type refId="8" /><relatedEntity entityId="9" /></relationship></relationships>
        </entity>
      </entities></sanctionsData>"#;
    let parsed = parse_enh("x.xml", doc.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.entities.len(), 1);
    let e = &parsed.entities[0];
    assert_eq!(e.schema, Schema::LegalEntity);
    assert_eq!(e.get(prop::NAME), ["ACME"]);
    assert_eq!(e.get(prop::ID_NUMBER), ["N1"]);
    assert!(has(e, prop::NOTES, "Linked to: party 9"));

    let err = parse_enh(
        "x.xml",
        b"<sanctionsData><entities><entity/></entities></sanctionsData>",
    )
    .unwrap_err();
    assert!(err.message.contains("id"), "{err}");
    let err = parse_enh("x.xml", b"<Sanctions/>").unwrap_err();
    assert!(err.message.contains("<sanctionsData>"), "{err}");
}

// ---------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn advanced_never_panics_on_prefixes(cut in 0usize..ADV_DOC.len()) {
        let _ = parse_adv(&ADV_DOC.as_bytes()[..cut]);
    }

    #[test]
    fn advanced_never_panics_on_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_adv(&data);
        let mut tagged = b"<Sanctions><DistinctParties><DistinctParty FixedRef=\"1\">".to_vec();
        tagged.extend_from_slice(&data);
        let _ = parse_adv(&tagged);
    }

    #[test]
    fn enhanced_never_panics_on_prefixes(cut in 0usize..ENH_DOC.len()) {
        let _ = parse_enh("x.xml", &ENH_DOC.as_bytes()[..cut]);
    }

    #[test]
    fn enhanced_never_panics_on_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_enh("x.xml", &data);
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend_from_slice(&data);
        let _ = parse_enh("x.zip", &zipped);
    }
}
