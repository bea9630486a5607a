//! The XML list parsers (UN consolidated, EU FSF 1.1 and 1.0, UK FCDO, SECO)
//! on the real files in `../shared/lists-raw`: counts, fully spelled-out real
//! entries (expected values typed from the files), the quirks the samples'
//! SOURCE.txt describe, truncated files, and no-panic property tests.

mod common;

use proptest::prelude::*;
use screener::model::{Entity, Schema};
use screener::parse::{self, Format, Location, ParsedList, SourceFile};
use std::collections::BTreeMap;

fn parse_raw(format: Format, list: &str, path: &str) -> ParsedList {
    let files = common::read_raw(&[path]);
    parse::parse(format, list, &files).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn entity<'a>(parsed: &'a ParsedList, id: &str) -> &'a Entity {
    parsed
        .entities
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entity {id}"))
}

fn schema_counts(parsed: &ParsedList) -> BTreeMap<Schema, usize> {
    let mut counts = BTreeMap::new();
    for e in &parsed.entities {
        *counts.entry(e.schema).or_default() += 1;
    }
    counts
}

fn has_note(e: &Entity, note: &str) -> bool {
    e.get("notes").iter().any(|n| n == note)
}

fn keys(e: &Entity) -> Vec<&str> {
    e.properties.keys().map(String::as_str).collect()
}

const UN_2026: &str = "un_consolidated/2026-02-27/consolidated.xml";
const UN_2025: &str = "un_consolidated/2025-04-19/consolidated.xml";
const EU_11: &str = "eu_fsf_sample/2026-08-05/eu_sample.xml";
const EU_10: &str = "eu_fsf_PARTIAL/2016-02-11_v1.0_first595/global_1_0_partial.xml";
const UK: &str = "uk_fcdo_sample/2026-08-14/uk_sample.xml";
const CH: &str = "switzerland_seco_sample/2026-08-15/ch_sample.xml";

// ------------------------------------------------------------------ UN

#[test]
fn un_2026_counts_and_publication_date() {
    let p = parse_raw(Format::UnXml, "un_sc_sanctions", UN_2026);
    assert_eq!(p.entities.len(), 1003);
    assert_eq!(
        schema_counts(&p),
        BTreeMap::from([(Schema::Person, 730), (Schema::Organization, 273)])
    );
    assert_eq!(p.published.as_deref(), Some("2026-02-27"));
}

#[test]
fn un_qdi_001_with_original_script_name() {
    let p = parse_raw(Format::UnXml, "un_sc_sanctions", UN_2026);
    let e = entity(&p, "un_sc_sanctions:QDi.001");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE");
    assert_eq!(e.get("name"), ["MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"]);
    assert_eq!(e.get("firstName"), ["MOHAMMED"]);
    assert_eq!(e.get("lastName"), ["ZIDANE"]);
    assert_eq!(
        e.get("alias"),
        [
            "محمد صلاح الدين عبدالحليم زيدان",
            "Sayf-Al Adl",
            "Muhamad Ibrahim Makkawi"
        ]
    );
    assert_eq!(
        e.get("weakAlias"),
        ["Ibrahim al-Madani", "Saif Al-'Adil", "Seif al Adel"]
    );
    assert_eq!(e.get("birthDate"), ["1963-04-11", "1960-04-11"]);
    assert_eq!(e.get("birthPlace"), ["Monufia Governate, Egypt"]);
    assert_eq!(e.get("nationality"), ["eg"]);
    assert_eq!(e.listing("listingDate"), ["2001-01-25"]);
    assert_eq!(e.get("modifiedAt"), ["2022-11-08"]);
    assert_eq!(e.listing("program"), ["Al-Qaida (QD)"]);
    assert!(has_note(
        e,
        "alias Muhamad Ibrahim Makkawi: DOB: a) 11 Apr. 1960 b) 11 Apr. 1963. POB: Egypt. Nationality: Egypt"
    ));
    assert!(
        e.get("notes")[0].starts_with("Responsible for Usama bin Laden’s (deceased) security.")
    );
    // The empty <INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS> adds nothing.
    assert!(e.get("address").is_empty());
}

#[test]
fn un_birth_date_range() {
    let p = parse_raw(Format::UnXml, "un_sc_sanctions", UN_2026);
    let e = entity(&p, "un_sc_sanctions:QDi.314");
    assert_eq!(e.get("name"), ["ABDERRAHMANE OULD EL AMAR"]);
    assert_eq!(e.get("firstName"), ["ABDERRAHMANE"]);
    assert_eq!(e.get("lastName"), ["OULD EL AMAR"]);
    assert_eq!(
        e.get("alias"),
        [
            "عبد الرحمن ولد العامر",
            "Ahmed el Tilemsi",
            "Abderrahmane Ould el Amar Ould Sidahmed Loukbeiti",
            "Ahmad Ould Amar"
        ]
    );
    // <TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE> 1977 … 1982: every year.
    assert_eq!(
        e.get("birthDate"),
        ["1977", "1978", "1979", "1980", "1981", "1982"]
    );
    assert!(has_note(e, "birth date range: between 1977 and 1982"));
    assert_eq!(e.get("birthPlace"), ["Tabankort, Mali"]);
    assert_eq!(
        e.get("address"),
        [
            "Gao, Mali",
            "Tabankort, Mali",
            "In Khalil, Mali",
            "Al Moustarat, Mali"
        ]
    );
    assert_eq!(e.get("country"), ["ml"]);
    assert_eq!(e.get("nationality"), ["ml"]);
    assert_eq!(e.listing("listingDate"), ["2013-02-22"]);
    assert_eq!(e.get("modifiedAt"), ["2023-02-02"]);
}

#[test]
fn un_approximate_birth_date_titles_and_passport() {
    let p = parse_raw(Format::UnXml, "un_sc_sanctions", UN_2026);
    let e = entity(&p, "un_sc_sanctions:TAi.011");
    assert_eq!(e.get("name"), ["AKHTAR MOHAMMAD MANSOUR SHAH MOHAMMED"]);
    assert_eq!(e.get("firstName"), ["AKHTAR"]);
    assert_eq!(e.get("lastName"), ["SHAH MOHAMMED"]);
    assert_eq!(
        e.get("alias"),
        [
            "اختر محمد منصور شاه محمد",
            "Akhtar Mohammad Mansour Khan Muhammad",
            "Akhtar Muhammad Mansoor",
            "Akhtar Mohammad Mansoor"
        ]
    );
    assert_eq!(e.get("weakAlias"), ["Naib Imam"]);
    // APPROXIMATELY 1960 and EXACT 1966.
    assert_eq!(e.get("birthDate"), ["1960", "1966"]);
    assert!(has_note(e, "birth date approximate: circa 1960"));
    assert_eq!(
        e.get("birthPlace"),
        ["Band-e-Timur village, Maiwand District, Kandahar Province, Afghanistan"]
    );
    assert_eq!(e.get("title"), ["Maulavi", "Mullah"]);
    assert_eq!(
        e.get("position"),
        ["Minister of Civil Aviation and Transportation under the Taliban regime"]
    );
    assert_eq!(e.get("nationality"), ["af"]);
    assert_eq!(e.get("passportNumber"), ["SE-011697"]);
    assert!(has_note(
        e,
        "Passport SE-011697: issuing country Afghanistan; issued 1988-01-25; issued in Kabul, Afghanistan; expired on 23 Feb. 2000"
    ));
    assert_eq!(e.listing("program"), ["Taliban (TA)"]);
}

#[test]
fn un_document_numbers_written_as_prose() {
    let p = parse_raw(Format::UnXml, "un_sc_sanctions", UN_2026);
    let e = entity(&p, "un_sc_sanctions:CFi.013");
    assert_eq!(e.get("name"), ["MARTIN KOUMTAMADJI"]);
    assert_eq!(e.get("nationality"), ["td", "cf", "cg"]);
    assert_eq!(e.get("birthDate"), ["1965-10-05", "1965-03-03"]);
    // "CAR diplomatic passport no. 06FBO2262", "Congo service passport number SA0020249 "
    assert_eq!(e.get("passportNumber"), ["06FBO2262", "SA0020249"]);
    assert!(has_note(
        e,
        "Passport SA0020249: Service passport; number as given: Congo service passport number SA0020249; issued 2019-01-22; expires on 21 January 2022"
    ));
    assert!(has_note(
        e,
        "address Ndjamena, Chad: since his arrest in November 2019"
    ));
}

#[test]
fn un_entity_with_padded_reference_number() {
    let p = parse_raw(Format::UnXml, "un_sc_sanctions", UN_2026);
    // <REFERENCE_NUMBER>KPe.023 </REFERENCE_NUMBER>
    let e = entity(&p, "un_sc_sanctions:KPe.023");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get("name"), ["DAEDONG CREDIT BANK (DCB)"]);
    assert_eq!(
        e.get("alias"),
        ["DCB", "Taedong Credit Bank", "Dae-Dong Credit Bank"]
    );
    assert_eq!(
        e.get("address"),
        [
            "Suite 401, Potonggang Hotel, Ansan-Dong, Pyongchon District, Pyongyang, Democratic People's Republic of Korea",
            "Ansan-dong, Botonggang Hotel, Pongchon, Pyongyang, Democratic People's Republic of Korea"
        ]
    );
    assert_eq!(e.get("country"), ["kp"]);
    assert_eq!(e.get("swiftBic"), ["DCBKKPPY"]);
    assert_eq!(e.listing("listingDate"), ["2016-03-02"]);
    assert_eq!(e.get("modifiedAt"), ["2022-07-26"]);
    assert_eq!(e.listing("program"), ["DPRK (KP)"]);
    assert!(e.get("firstName").is_empty());
}

#[test]
fn un_2025_is_an_older_publication_with_the_same_ids() {
    let p = parse_raw(Format::UnXml, "un_sc_sanctions", UN_2025);
    assert_eq!(p.entities.len(), 877);
    assert_eq!(
        schema_counts(&p),
        BTreeMap::from([(Schema::Person, 684), (Schema::Organization, 193)])
    );
    // dateGenerated='2025-04-19T23:00:04.625Z' (single-quoted attributes)
    assert_eq!(p.published.as_deref(), Some("2025-04-19"));
    let e = entity(&p, "un_sc_sanctions:QDi.001");
    assert_eq!(e.get("name"), ["MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"]);
    assert_eq!(e.listing("listingDate"), ["2001-01-25"]);
}

#[test]
fn un_truncated_file_is_an_error_with_line_and_byte() {
    let mut file = common::read_raw(&[UN_2026]).remove(0);
    let text = String::from_utf8(file.data.clone()).expect("utf-8");
    let marker = "<REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER>";
    let cut = text.find(marker).expect("QDi.001 in the file") + marker.len();
    file.data.truncate(cut);
    let expected_line = text[..cut].matches('\n').count() as u64 + 1;
    let err = parse::parse(Format::UnXml, "un_sc_sanctions", &[file.clone()]).unwrap_err();
    assert_eq!(err.file, "consolidated.xml");
    assert_eq!(err.location, Some(Location::Line(expected_line)));
    assert!(err.message.contains(&format!("byte {cut}")), "{err}");
    assert!(err.message.contains("truncated"), "{err}");

    // Cut inside a tag name.
    file.data.truncate(cut - 10);
    let err = parse::parse(Format::UnXml, "un_sc_sanctions", &[file]).unwrap_err();
    assert!(
        matches!(err.location, Some(Location::Line(l)) if l == expected_line),
        "{err}"
    );
}

#[test]
fn un_parser_rejects_other_formats() {
    let files = common::read_raw(&[UK]);
    let err = parse::parse(Format::UnXml, "un_sc_sanctions", &files).unwrap_err();
    assert!(err.message.contains("<Designations>"), "{err}");
}

// ------------------------------------------------------------------ EU 1.1

#[test]
fn eu_11_sample_entries() {
    let p = parse_raw(Format::EuXml11, "eu_fsf", EU_11);
    assert_eq!(p.entities.len(), 5);
    assert_eq!(p.published.as_deref(), Some("2026-08-05"));

    let e = entity(&p, "eu_fsf:13");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get("name"), ["Saddam Hussein Al-Tikriti"]);
    assert_eq!(e.get("firstName"), ["Saddam"]);
    assert_eq!(e.get("lastName"), ["Hussein Al-Tikriti"]);
    assert_eq!(e.get("alias"), ["Abu Ali", "Abou Ali"]);
    assert_eq!(e.get("gender"), ["male"]);
    assert_eq!(e.get("citizenship"), ["iq"]);
    assert_eq!(e.get("birthDate"), ["1937-04-28"]);
    assert_eq!(e.get("birthPlace"), ["al-Awja, near Tikrit, IRAQ"]);
    assert_eq!(e.listing("program"), ["IRQ"]);
    // The listing act: regulationType="regulation" entryIntoForceDate="2003-07-07".
    assert_eq!(e.listing("listingDate"), ["2003-07-07"]);
    assert_eq!(
        e.listing("sourceUrl"),
        ["http://eur-lex.europa.eu/LexUriServ/LexUriServ.do?uri=OJ:L:2003:169:0006:0023:EN:PDF"]
    );
    assert!(has_note(e, "UNSC RESOLUTION 1483"));
    assert!(has_note(e, "EU reference number EU.27.28"));

    // The primary name is the earliest-recorded one (logicalId 289), not the
    // first listed French variant.
    let e = entity(&p, "eu_fsf:191");
    assert_eq!(e.get("name"), ["Khalid Sheikh MOHAMMED"]);
    assert_eq!(e.get("firstName"), ["Khalid Sheikh"]);
    assert_eq!(e.get("lastName"), ["MOHAMMED"]);
    assert_eq!(
        e.get("alias"),
        [
            "Bin Khalid Fahd Bin Adballah",
            "Wadood Khalid Adbul",
            "Henin Ashraf Refaat Nabith",
            "Bin Khalid Fahd Bin Abdallah",
            "Wadood Khalid Abdul",
            "Ali Salem"
        ]
    );
    assert_eq!(e.get("birthDate"), ["1965-04-14", "1964-03-01"]);
    assert_eq!(e.get("birthPlace"), ["PAKISTAN"]);
    assert_eq!(e.get("passportNumber"), ["488555"]);
    assert_eq!(e.listing("program"), ["TERR"]);
    assert!(e.listing("listingDate").is_empty());

    let e = entity(&p, "eu_fsf:330");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get("name"), ["Al Rashid Trust"]);
    assert!(
        e.get("alias")
            .iter()
            .any(|a| a == "Организация за подпомагане на Ulema, Пакистан")
    );
    assert_eq!(e.get("alias").len(), 11);
    assert_eq!(e.listing("listingDate"), ["2001-10-06"]);
    assert_eq!(e.get("address").len(), 11);
    assert_eq!(
        e.get("address")[0],
        "302b-40 Good Earth Court, Opposite Pia Planitarium, Block 13a, Gushan-I Igbal, Karachi, PAKISTAN"
    );
    assert_eq!(e.get("country"), ["pk"]);
    assert!(has_note(e, "phone: 0300- 820 91 99"));
    assert!(has_note(e, "fax: 662 38 14"));

    let e = entity(&p, "eu_fsf:980");
    assert_eq!(e.get("name"), ["Global Relief Foundation (GRF)"]);
    assert_eq!(
        e.get("address"),
        [
            "PO Box 1406 - 60455, Bridgeview, Illinois, UNITED STATES",
            "9935 South 76th Avenue, Unit 1, 60455, Bridgeview, Illinois, UNITED STATES"
        ]
    );
    assert_eq!(e.get("country"), ["us"]);

    // The synthetic record without any nameAlias keeps a visible name.
    let e = entity(&p, "eu_fsf:999999");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "EU.0.0");
}

/// A hand-written v1.1 record (the real sample has no `strong="false"` name).
const EU_11_WEAK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-01-02T10:00:00.000+01:00" globalFileId="1">
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.1.1" logicalId="42" designationDate="2020-05-06">
    <regulation regulationType="regulation" organisationType="council" publicationDate="2020-05-05" entryIntoForceDate="2020-05-06" numberTitle="2020/1 (OJ L1)" programme="TEST" logicalId="7">
      <publicationUrl>https://example.invalid/2020-1</publicationUrl>
    </regulation>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Test" middleName="" lastName="PERSON" wholeName="Test PERSON" function="Director" gender="F" title="Dr" nameLanguage="" strong="true" regulationLanguage="en" logicalId="100"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Testy" function="" gender="F" title="" nameLanguage="" strong="false" regulationLanguage="en" logicalId="101"/>
    <citizenship region="" countryIso2Code="FR" countryDescription="FRANCE" regulationLanguage="en" logicalId="102"/>
    <birthdate circa="true" calendarType="GREGORIAN" city="Lyon" zipCode="" birthdate="" dayOfMonth="" monthOfYear="" year="1970" region="" place="" countryIso2Code="FR" countryDescription="FRANCE" regulationLanguage="en" logicalId="103"/>
    <identification diplomatic="false" knownExpired="true" knownFalse="false" reportedLost="false" revokedByIssuer="false" issuedBy="" latinNumber="" nameOnDocument="" number=" 12AB34567" region="" identificationTypeCode="id" identificationTypeDescription="National identification card" countryIso2Code="FR" countryDescription="FRANCE" regulationLanguage="en" logicalId="104"/>
  </sanctionEntity>
</export>
"#;

#[test]
fn eu_11_weak_alias_and_circa_birth_date() {
    let files = [SourceFile::new("eu.xml", EU_11_WEAK.as_bytes().to_vec())];
    let p = parse::parse(Format::EuXml11, "eu_fsf", &files).unwrap();
    assert_eq!(p.published.as_deref(), Some("2026-01-02"));
    let [e] = p.entities.as_slice() else {
        panic!("one entity expected")
    };
    assert_eq!(e.id, "eu_fsf:42");
    assert_eq!(e.get("name"), ["Test PERSON"]);
    assert_eq!(e.get("weakAlias"), ["Testy"]);
    assert!(e.get("alias").is_empty());
    assert_eq!(e.get("gender"), ["female"]);
    assert_eq!(e.get("title"), ["Dr"]);
    assert_eq!(e.get("position"), ["Director"]);
    assert_eq!(e.get("birthDate"), ["1970"]);
    assert!(has_note(e, "birth date approximate: circa 1970"));
    assert_eq!(e.get("birthPlace"), ["Lyon, FRANCE"]);
    assert_eq!(e.get("idNumber"), ["12AB34567"]);
    assert!(has_note(
        e,
        "National identification card 12AB34567: country FRANCE; known to be expired"
    ));
    assert_eq!(e.listing("listingDate"), ["2020-05-06"]);
    assert_eq!(e.listing("program"), ["TEST"]);
}

#[test]
fn eu_11_accepts_no_truncation() {
    let cut = EU_11_WEAK.find("</sanctionEntity>").unwrap() + "</sanctionEntity>".len();
    let files = [SourceFile::new(
        "eu.xml",
        EU_11_WEAK.as_bytes()[..cut].to_vec(),
    )];
    let err = parse::parse(Format::EuXml11, "eu_fsf", &files).unwrap_err();
    assert!(err.message.contains("</export>"), "{err}");
}

// ------------------------------------------------------------------ EU 1.0

#[test]
fn eu_10_partial_file_entries() {
    let p = parse_raw(Format::EuXml10, "eu_fsf", EU_10);
    assert_eq!(p.entities.len(), 595);
    assert_eq!(
        schema_counts(&p),
        BTreeMap::from([(Schema::Person, 319), (Schema::Organization, 276)])
    );
    // <WHOLE Date="11/02/2016">
    assert_eq!(p.published.as_deref(), Some("2016-02-11"));
    // The uploader cut the list but closed </WHOLE>: well-formed, no warning.
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    let e = entity(&p, "eu_fsf:1");
    assert_eq!(e.get("name"), ["Robert Gabriel Mugabe"]);
    assert_eq!(e.get("firstName"), ["Robert"]);
    assert_eq!(e.get("middleName"), ["Gabriel"]);
    assert_eq!(e.get("lastName"), ["Mugabe"]);
    // Both NAME records spell the same whole name: no alias repeats it.
    assert!(e.get("alias").is_empty());
    assert_eq!(e.get("position"), ["President", "president"]);
    assert_eq!(e.get("birthDate"), ["1924-02-21"]);
    assert_eq!(e.get("birthPlace"), ["Kutama"]);
    assert_eq!(e.get("passportNumber"), ["AD001095"]);
    assert_eq!(e.listing("program"), ["ZWE"]);
    assert!(has_note(
        e,
        "Entity is sanctioned in regime 310/2002 (OJ L50) of programme ZWE, in regime 314/2004 (OJ L55) of programme ZWE"
    ));

    let e = entity(&p, "eu_fsf:13");
    assert_eq!(e.get("name"), ["Saddam Hussein Al-Tikriti"]);
    assert_eq!(e.get("alias"), ["Abu Ali", "Abou Ali"]);
    assert_eq!(e.get("citizenship"), ["iq"]);
    assert_eq!(e.get("birthDate"), ["1937-04-28"]);
    assert_eq!(e.get("birthPlace"), ["al-Awja, near Tikrit, IRQ"]);

    // The last complete record of the partial file.
    let e = entity(&p, "eu_fsf:3221");
    assert_eq!(e.get("name"), ["Dieman Abdulkadir Izzat"]);
    assert_eq!(e.get("alias"), ["Deiman Alhasenben Ali Aljabbari"]);
    assert_eq!(e.get("citizenship"), ["iq"]);
    assert_eq!(e.get("birthDate"), ["1965-07-04"]);
    assert_eq!(e.get("birthPlace"), ["Kirkuk, IRQ"]);
    assert_eq!(e.get("address"), ["[Bavaria], DEU"]);
    assert_eq!(e.get("country"), ["de"]);
    assert_eq!(e.get("idNumber"), ["A 0141062"]);
    assert_eq!(e.listing("program"), ["TAQA"]);
    assert!(has_note(
        e,
        "Temporary Travel Document A 0141062: country DEU; [revoked by issuer](german travel document (‘reiseausweis’) . revoked as at sep.2012.)"
    ));
}

#[test]
fn eu_10_cut_at_an_entity_boundary_keeps_the_complete_entities() {
    let file = common::read_raw(&[EU_10]).remove(0);
    let text = String::from_utf8(file.data).expect("utf-8");
    // The second </ENTITY> closes entity 13.
    let second = text
        .match_indices("</ENTITY>")
        .nth(1)
        .expect("two entities")
        .0;
    let cut = second + "</ENTITY>\n".len();
    let files = [SourceFile::new(
        "global_1_0_partial.xml",
        text.as_bytes()[..cut].to_vec(),
    )];
    let p = parse::parse(Format::EuXml10, "eu_fsf", &files).unwrap();
    let ids: Vec<&str> = p.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["eu_fsf:1", "eu_fsf:13"]);
    // Accepted, and said.
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(
        p.warnings[0].starts_with("global_1_0_partial.xml: ")
            && p.warnings[0].contains("</WHOLE>")
            && p.warnings[0].contains("the 2 complete entities"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn complete_documents_have_no_warnings() {
    for (format, doc) in [
        (Format::UnXml, UN_DOC),
        (Format::EuXml10, EU_10_DOC),
        (Format::UkFcdoXml, UK_DOC),
        (Format::ChSecoXml, CH_DOC),
    ] {
        let p = run(format, doc.as_bytes()).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert!(p.warnings.is_empty(), "{format}: {:?}", p.warnings);
    }
}

#[test]
fn eu_10_cut_inside_a_record_is_an_error() {
    let file = common::read_raw(&[EU_10]).remove(0);
    let text = String::from_utf8(file.data).expect("utf-8");
    let cut = text
        .find("<CITIZEN Id=\"1\"")
        .expect("entity 13's citizenship");
    let files = [SourceFile::new(
        "global_1_0_partial.xml",
        text.as_bytes()[..cut].to_vec(),
    )];
    let err = parse::parse(Format::EuXml10, "eu_fsf", &files).unwrap_err();
    let line = text[..cut].matches('\n').count() as u64 + 1;
    assert_eq!(err.location, Some(Location::Line(line)));
    assert!(err.message.contains("<ENTITY>"), "{err}");
    assert!(err.message.contains("truncated"), "{err}");
}

// ------------------------------------------------------------------ UK FCDO

#[test]
fn uk_sample_entries() {
    let p = parse_raw(Format::UkFcdoXml, "gb_fcdo_sanctions", UK);
    assert_eq!(p.entities.len(), 5);
    // <DateGenerated>14/08/2026</DateGenerated>
    assert_eq!(p.published.as_deref(), Some("2026-08-14"));

    let e = entity(&p, "gb_fcdo_sanctions:AFG0011");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get("name"), ["ABDUL LATIF MANSUR"]);
    assert_eq!(e.get("firstName"), ["ABDUL"]);
    assert_eq!(e.get("middleName"), ["LATIF"]);
    assert_eq!(e.get("lastName"), ["MANSUR"]);
    assert_eq!(
        e.get("alias"),
        ["Abdul Latif MANSOOR", "Wali MOHAMMAD", "عبد اللطيف منصور"]
    );
    // dd/mm/1968 keeps the year; 12/11/1967 appears twice and is kept once.
    assert_eq!(e.get("birthDate"), ["1968", "1967-11-12"]);
    // <PassportNumber> D0009720</PassportNumber> loses its leading space.
    assert_eq!(e.get("passportNumber"), ["D0009720", "D0010442"]);
    assert!(has_note(
        e,
        "passport D0010442: Afghanistan diplomatic passport D0010442, issued on 13 Nov. 2024, expires 13 Nov. 2029"
    ));
    assert_eq!(e.get("title"), ["Maulavi"]);
    assert_eq!(e.get("nationality"), ["af"]);
    assert_eq!(
        e.get("position"),
        ["Minister of Agriculture under the previous Taliban regime (1996-2001)"]
    );
    assert_eq!(
        e.get("birthPlace"),
        [
            "Zurmat District, Paktia Province, Afghanistan",
            "Garda Saray District, Paktia Province, Afghanistan",
            "Afghanistan"
        ]
    );
    assert_eq!(e.get("address"), ["Darul Aman, Kabul, Afghanistan"]);
    assert_eq!(e.get("country"), ["af"]);
    assert_eq!(
        e.listing("program"),
        ["The Afghanistan (Sanctions) (EU Exit) Regulations 2020"]
    );
    assert_eq!(e.listing("listingDate"), ["2001-01-31"]);
    assert_eq!(e.get("modifiedAt"), ["2026-04-29"]);
    assert!(has_note(e, "OFSI group ID: 7270"));
    assert!(has_note(e, "UN reference number: TAi.007"));
    assert!(has_note(e, "sanctions imposed: Asset freeze, Travel Ban"));

    // NameType "Primary name" (lower-case n), low-quality aliases, a
    // leading-zero national identifier.
    let e = entity(&p, "gb_fcdo_sanctions:AQD0128");
    assert_eq!(e.get("name"), ["AKRAM TURKI HISHAN AL-MAZIDIH"]);
    assert_eq!(e.get("middleName"), ["TURKI HISHAN"]);
    assert_eq!(
        e.get("alias"),
        ["Akram Turki Al-Hishan", "أكرم تركي هاشم المزيده"]
    );
    assert_eq!(e.get("weakAlias"), ["Abu Akram", "Abu Jarrah"]);
    assert_eq!(
        e.get("birthDate"),
        ["1974", "1975", "1979", "1958-09", "1985"]
    );
    assert_eq!(e.get("idNumber"), ["0075258"]);
    assert!(has_note(e, "national identifier 0075258: Ration card no."));
    assert_eq!(e.get("address"), ["Iraq", "Deir ez-Zor Governorate, Syria"]);
    assert_eq!(e.get("country"), ["iq", "sy"]);

    let e = entity(&p, "gb_fcdo_sanctions:AQD0377");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get("name"), ["Khatiba al-Tawhid wal-Jihad (KTJ)"]);
    assert_eq!(
        e.get("alias"),
        [
            "Jama'at al-Tawhid wal-Jihad",
            "Jannat Oshiklari",
            "Катиба ат-Таухид валь-Джихад"
        ]
    );
    assert!(has_note(e, "type of entity: Terrorist Group"));
    assert_eq!(e.listing("listingDate"), ["2022-03-07"]);

    let e = entity(&p, "gb_fcdo_sanctions:DPR0075");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.get("name"), ["Petrel 8"]);
    assert_eq!(e.get("alias"), ["Jal Vahini", "Jal_Vahini", "Tian Tai 36"]);
    assert_eq!(e.get("imoNumber"), ["9562233"]);
    assert_eq!(e.get("flag"), ["km"]);
    assert_eq!(e.get("type"), ["Bulk Carrier"]);
    assert_eq!(e.get("tonnage"), ["7078"]);
    assert_eq!(e.get("buildDate"), ["2011"]);
    // FtM's `owner` refers to an entity: the publisher's free text is a note.
    assert!(e.get("owner").is_empty());
    assert!(has_note(e, "owner: Global United Shipping India"));
    assert!(has_note(e, "previous flag: India"));
    assert!(has_note(e, "length: 134.5"));
    assert_eq!(e.listing("listingDate"), ["2017-10-03"]);

    // The synthetic designation without UniqueID is kept, with a derived id.
    let e = p
        .entities
        .iter()
        .find(|e| e.caption == "No Unique Id")
        .expect("the designation without UniqueID");
    assert!(e.id.starts_with("gb_fcdo_sanctions:x-"), "{}", e.id);
    assert_eq!(keys(e), ["lastName", "name", "notes", "topics"]);
}

// ------------------------------------------------------------------ SECO

#[test]
fn seco_sample_entries() {
    let p = parse_raw(Format::ChSecoXml, "ch_seco_sanctions", CH);
    assert_eq!(p.entities.len(), 7);
    assert_eq!(p.published.as_deref(), Some("2026-08-15"));
    let delisted: Vec<&str> = p
        .entities
        .iter()
        .filter(|e| !e.listing("endDate").is_empty())
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(
        delisted,
        [
            "ch_seco_sanctions:5142",
            "ch_seco_sanctions:5816",
            "ch_seco_sanctions:5374"
        ]
    );

    // De-listed 2016-03-01, with its history; kept with a delistingDate.
    let e = entity(&p, "ch_seco_sanctions:5142");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get("name"), ["Dzmitry Aliaksandravich Lukashenka"]);
    assert_eq!(e.get("firstName"), ["Dzmitry"]);
    assert_eq!(e.get("fatherName"), ["Aliaksandravich"]);
    assert_eq!(e.get("lastName"), ["Lukashenka"]);
    assert_eq!(
        e.get("alias"),
        [
            "Dmitri Aleksandrovich Lukashenko",
            "Дзмітрый Аляксандравіч ЛУКАШЭНКА",
            "Дмитрий Александрович ЛУКАШЕНКО"
        ]
    );
    assert_eq!(e.get("birthDate"), ["1980-03-23"]);
    assert_eq!(
        e.get("address"),
        ["President's Sports Club, ул. Старовиленская, 4, 220029"]
    );
    assert_eq!(e.listing("endDate"), ["2016-03-01"]);
    assert_eq!(e.get("modifiedAt"), ["2016-03-01"]);
    // <modification modification-type="listed"> carries no date here.
    assert!(e.listing("listingDate").is_empty());
    assert!(has_note(e, "de-listed by SECO on 2016-03-01"));
    assert!(has_note(
        e,
        "Businessman, with active participation in financial operations involving the Lukashenka family. Chairman of the Presidential Sports Club."
    ));
    // The older spellings nested in the history are not current names.
    assert!(!e.get("alias").iter().any(|a| a.contains("Лукашэнка")));

    let e = entity(&p, "ch_seco_sanctions:5374");
    assert_eq!(e.get("name"), ["Siarhei Uladzimiravich Bandarenka"]);
    // <day-month-year year="1978" quality="low">
    assert_eq!(e.get("birthDate"), ["1978"]);
    assert!(has_note(e, "birth date 1978: low quality"));
    assert_eq!(e.listing("endDate"), ["2016-03-01"]);

    let e = entity(&p, "ch_seco_sanctions:44348");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get("name"), ["MZKT"]);
    assert_eq!(
        e.get("alias"),
        ["МЗКТ - Минский завод колёсных тягачей", "VOLAT"]
    );
    assert_eq!(e.listing("listingDate"), ["2021-03-22"]);
    assert_eq!(e.get("modifiedAt"), ["2026-05-22"]);
    assert_eq!(e.get("phone"), ["+375 (17) 330-17-09"]);
    assert_eq!(e.get("email"), ["link@mzkt.by"]);
    assert_eq!(e.get("website"), ["www.mzkt.by"]);
    assert_eq!(e.get("registrationNumber"), ["100534485"]);
    assert_eq!(e.get("address"), ["150 Partizansky Ave., 220021"]);
    assert!(e.listing("endDate").is_empty());

    let e = entity(&p, "ch_seco_sanctions:85396");
    assert_eq!(e.get("name"), ["Dzmitry Mihaylavych Zamulevich"]);
    assert_eq!(e.get("gender"), ["male"]);
    assert_eq!(e.get("nationality"), ["by"]);
    assert_eq!(e.get("birthDate"), ["1974-05-07"]);
    assert_eq!(e.get("passportNumber"), ["BM2229283"]);
    assert_eq!(e.get("idNumber"), ["3070574E057PB8"]);
    assert_eq!(e.listing("listingDate"), ["2024-12-24"]);

    let e = entity(&p, "ch_seco_sanctions:34461");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.get("name"), ["Hui Chon"]);
    assert_eq!(e.get("alias"), ["Hwang Gum San 2"]);
    assert_eq!(e.get("imoNumber"), ["8405270"]);
    assert_eq!(e.listing("listingDate"), ["2016-05-18"]);

    let e = entity(&p, "ch_seco_sanctions:52941");
    assert_eq!(e.get("name"), ["Maria Vladimirovna Vorontsova"]);
    assert_eq!(e.get("gender"), ["female"]);
    assert_eq!(e.get("previousName"), ["Putina"]);
    assert_eq!(
        e.get("alias"),
        [
            "Мария Владимировна ВОРОНЦОВА",
            "Mariya Vorontsova",
            "Maria Faassen"
        ]
    );
    assert_eq!(e.get("nationality"), ["ru"]);
    assert_eq!(e.get("birthDate"), ["1985-04-28"]);
    assert_eq!(e.listing("listingDate"), ["2022-04-13"]);
}

/// SECO programme headers and places (absent from the sample) are resolved,
/// also when the places come after the targets, as in the whole-list.
#[test]
fn seco_programs_and_places_are_resolved() {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<swiss-sanctions-list list-type="whole-list" date="2026-01-01">
<sanctions-program ssid="1" version-date="2026-01-01"><program-key lang="eng">Belarus</program-key><program-name lang="eng">Ordinance on measures against Belarus</program-name><sanctions-set lang="eng" ssid="4387">Art. 2</sanctions-set><origin>EU</origin></sanctions-program>
<target ssid="9"><sanctions-set-id>4387</sanctions-set-id><individual><identity ssid="10" main="true"><name ssid="11" name-type="primary-name" quality="good" lang="eng"><name-part order="1" name-part-type="whole-name"><value>Test Person</value></name-part></name><address ssid="12" place-id="20" quality="good"><address-details>Street 1</address-details></address><place-of-birth ssid="13" place-id="20"></place-of-birth></identity></individual><modification modification-type="listed" effective-date="2020-01-01"></modification></target>
<place ssid="20"><location>Minsk</location><country iso-code="BY">Belarus</country></place>
</swiss-sanctions-list>
"#;
    let files = [SourceFile::new("ch.xml", doc.as_bytes().to_vec())];
    let p = parse::parse(Format::ChSecoXml, "ch_seco_sanctions", &files).unwrap();
    let e = entity(&p, "ch_seco_sanctions:9");
    assert_eq!(
        e.listing("program"),
        ["Ordinance on measures against Belarus"]
    );
    assert_eq!(e.get("address"), ["Street 1, Minsk, Belarus"]);
    assert_eq!(e.get("country"), ["by"]);
    assert_eq!(e.get("birthPlace"), ["Minsk, Belarus"]);
}

// ------------------------------------------------------------------ robustness

/// Small valid documents, one per format, for the truncation properties.
const UN_DOC: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <FIRST_NAME>ERIC</FIRST_NAME>
      <SECOND_NAME>BADEGE</SECOND_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1971</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <FIRST_NAME>ABU SAYYAF GROUP</FIRST_NAME>
      <REFERENCE_NUMBER>QDe.001</REFERENCE_NUMBER>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Al Harakat Al Islamiyya</ALIAS_NAME></ENTITY_ALIAS>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"#;

const EU_10_DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<WHOLE Date="11/02/2016">
<ENTITY Id="13" Type="P" programme="IRQ" remark="">
<NAME Id="17"><LASTNAME>Hussein Al-Tikriti</LASTNAME><FIRSTNAME>Saddam</FIRSTNAME><WHOLENAME>Saddam Hussein Al-Tikriti</WHOLENAME></NAME>
<CITIZEN Id="1"><COUNTRY>IRQ</COUNTRY></CITIZEN>
</ENTITY>
<ENTITY Id="980" Type="E" programme="TAQA" remark="">
<NAME Id="2062"><WHOLENAME>Global Relief Foundation (GRF)</WHOLENAME></NAME>
</ENTITY>
</WHOLE>
"#;

const UK_DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Designations>
  <DateGenerated>14/08/2026</DateGenerated>
  <Designation>
    <UniqueID>AFG0011</UniqueID>
    <Names><Name><Name1>ABDUL</Name1><Name2>LATIF</Name2><Name6>MANSUR</Name6><NameType>Primary Name</NameType></Name></Names>
    <IndividualEntityShip>Individual</IndividualEntityShip>
    <IndividualDetails><Individual><DOBs><DOB>dd/mm/1968</DOB></DOBs></Individual></IndividualDetails>
  </Designation>
  <Designation>
    <UniqueID>DPR0075</UniqueID>
    <Names><Name><Name6>Petrel 8</Name6><NameType>Primary name</NameType></Name></Names>
    <IndividualEntityShip>Ship</IndividualEntityShip>
  </Designation>
</Designations>
"#;

const CH_DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<swiss-sanctions-list list-type="whole-list" date="2026-08-15">
<target ssid="34461"><sanctions-set-id>34422</sanctions-set-id><object object-type="vessel"><identity ssid="34462" main="true"><name ssid="34463" name-type="primary-name" quality="good" lang="eng"><name-part order="1" name-part-type="whole-name"><value>Hui Chon</value></name-part></name></identity><other-information ssid="34465">IMO Number: 8405270</other-information></object><modification modification-type="listed" effective-date="2016-05-18"/></target>
<target ssid="52941"><sanctions-set-id>27286</sanctions-set-id><individual sex="female"><identity ssid="52944" main="true"><name ssid="52946" name-type="primary-name" quality="good" lang="eng"><name-part order="1" name-part-type="family-name"><value>Vorontsova</value></name-part><name-part order="2" name-part-type="given-name"><value>Maria</value></name-part></name></identity></individual><modification modification-type="listed" effective-date="2022-04-13"/></target>
</swiss-sanctions-list>
"#;

fn run(format: Format, data: &[u8]) -> Result<ParsedList, parse::ParseError> {
    parse::parse(
        format,
        "test",
        &[SourceFile::new("test.xml", data.to_vec())],
    )
}

#[test]
fn the_small_documents_parse_whole() {
    let count = |f, d: &str| run(f, d.as_bytes()).map(|p| p.entities.len());
    assert_eq!(count(Format::UnXml, UN_DOC), Ok(2));
    assert_eq!(count(Format::EuXml10, EU_10_DOC), Ok(2));
    assert_eq!(count(Format::EuXml11, EU_11_WEAK), Ok(1));
    assert_eq!(count(Format::UkFcdoXml, UK_DOC), Ok(2));
    assert_eq!(count(Format::ChSecoXml, CH_DOC), Ok(2));
}

/// A strict prefix of a document parses only when it still holds the closing
/// root tag (trailing whitespace cut) — or, for EU 1.0, when it ends right
/// after a complete `</ENTITY>`; then it yields exactly the complete records.
fn check_prefix(format: Format, doc: &str, cut: usize, root_end: &str, record_ends: &[&str]) {
    let prefix = &doc.as_bytes()[..cut.min(doc.len())];
    let result = run(format, prefix);
    let text = String::from_utf8_lossy(prefix);
    let trimmed = text.trim_end();
    let complete = trimmed.ends_with(root_end);
    let at_boundary = format == Format::EuXml10 && trimmed.ends_with("</ENTITY>") && !complete;
    match result {
        Ok(parsed) => {
            assert!(complete || at_boundary, "prefix of {cut} bytes parsed");
            let records: usize = record_ends.iter().map(|r| trimmed.matches(r).count()).sum();
            assert_eq!(parsed.entities.len(), records);
        }
        Err(err) => {
            assert!(!complete && !at_boundary, "{cut} bytes: {err}");
            assert!(
                err.location.is_some() || err.message.contains("empty"),
                "{err}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        for format in [Format::UnXml, Format::EuXml10, Format::EuXml11, Format::UkFcdoXml, Format::ChSecoXml] {
            let _ = run(format, &data);
        }
    }

    #[test]
    fn un_prefixes(cut in 0usize..UN_DOC.len()) {
        check_prefix(Format::UnXml, UN_DOC, cut, "</CONSOLIDATED_LIST>", &["</INDIVIDUAL>", "</ENTITY>"]);
    }

    #[test]
    fn eu_10_prefixes(cut in 0usize..EU_10_DOC.len()) {
        check_prefix(Format::EuXml10, EU_10_DOC, cut, "</WHOLE>", &["</ENTITY>"]);
    }

    #[test]
    fn eu_11_prefixes(cut in 0usize..EU_11_WEAK.len()) {
        check_prefix(Format::EuXml11, EU_11_WEAK, cut, "</export>", &["</sanctionEntity>"]);
    }

    #[test]
    fn uk_prefixes(cut in 0usize..UK_DOC.len()) {
        check_prefix(Format::UkFcdoXml, UK_DOC, cut, "</Designations>", &["</Designation>"]);
    }

    #[test]
    fn seco_prefixes(cut in 0usize..CH_DOC.len()) {
        check_prefix(Format::ChSecoXml, CH_DOC, cut, "</swiss-sanctions-list>", &["</target>"]);
    }

    #[test]
    fn mutated_documents_never_panic(
        which in 0usize..5,
        at in 0usize..2000,
        byte in any::<u8>(),
    ) {
        let (format, doc) = [
            (Format::UnXml, UN_DOC),
            (Format::EuXml10, EU_10_DOC),
            (Format::EuXml11, EU_11_WEAK),
            (Format::UkFcdoXml, UK_DOC),
            (Format::ChSecoXml, CH_DOC),
        ][which];
        let mut data = doc.as_bytes().to_vec();
        let i = at % data.len();
        data[i] = byte;
        let _ = run(format, &data);
    }
}
