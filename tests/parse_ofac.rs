//! OFAC legacy CSV and legacy `<sdnList>` XML parsers on the real files in
//! `../shared/lists-raw`: exact counts, fully spelled-out real entries
//! (expected values typed from the source files), error reporting, and
//! no-panic properties on random and truncated input.

mod common;

use proptest::prelude::*;
use screener::model::{Entity, Schema, prop};
use screener::parse::{self, Format, Location, ParsedList, SourceFile};

const SDN_2021: &str = "ofac_sdn_csv/2021-07-07/";
const COMPOSITE: &str = "ofac_sdn_csv/composite-2024-05-03+2025-12-24/";
const CONS_CSV: &str = "ofac_consolidated_csv/2025-12-19/";
const CONS_XML: &str = "ofac_consolidated_xml/2025-03-28/consolidated.xml";
const SDN_XML_SAMPLE: &str = "ofac_sdn_xml_sample/2026-08-07/us_sample.xml";

fn read(dir: &str, names: &[&str]) -> Vec<SourceFile> {
    let paths: Vec<String> = names.iter().map(|n| format!("{dir}{n}")).collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    common::read_raw(&refs)
}

fn parse_ok(format: Format, list: &str, files: &[SourceFile]) -> ParsedList {
    parse::parse(format, list, files).unwrap_or_else(|e| panic!("{e}"))
}

fn sdn_2021() -> ParsedList {
    let files = read(
        SDN_2021,
        &["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"],
    );
    parse_ok(Format::OfacCsv, "us_ofac_sdn", &files)
}

fn composite() -> ParsedList {
    let files = read(COMPOSITE, &["sdn.csv", "alt.csv", "add.csv"]);
    parse_ok(Format::OfacCsv, "us_ofac_sdn", &files)
}

fn cons_csv() -> ParsedList {
    let files = read(
        CONS_CSV,
        &[
            "cons_prim.csv",
            "cons_alt.csv",
            "cons_add.csv",
            "cons_comments.csv",
        ],
    );
    parse_ok(Format::OfacCsv, "us_ofac_cons", &files)
}

fn cons_xml() -> ParsedList {
    parse_ok(
        Format::OfacXml,
        "us_ofac_cons",
        &common::read_raw(&[CONS_XML]),
    )
}

fn sdn_xml_sample() -> ParsedList {
    parse_ok(
        Format::OfacXml,
        "us_ofac_sdn",
        &common::read_raw(&[SDN_XML_SAMPLE]),
    )
}

fn entity<'a>(parsed: &'a ParsedList, id: &str) -> &'a Entity {
    parsed
        .entities
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entity {id}"))
}

fn has_note(e: &Entity, note: &str) -> bool {
    e.get(prop::NOTES).iter().any(|n| n == note)
}

// ---------------------------------------------------------------- 2021 CSV set

#[test]
fn sdn_2021_counts_and_no_date() {
    let parsed = sdn_2021();
    assert_eq!(parsed.entities.len(), 8976);
    assert_eq!(parsed.published, None);
    let vessels = parsed
        .entities
        .iter()
        .filter(|e| e.schema == Schema::Vessel)
        .count();
    assert_eq!(vessels, 406);
}

#[test]
fn sdn_2021_banco_nacional_de_cuba_weak_alias_from_remarks() {
    // sdn.csv: 306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",...,"a.k.a. 'BNC'."
    // alt.csv: 306,220,"aka","NATIONAL BANK OF CUBA",-0-
    let parsed = sdn_2021();
    let e = entity(&parsed, "us_ofac_sdn:306");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.caption, "BANCO NACIONAL DE CUBA");
    assert_eq!(e.get(prop::ALIAS), ["NATIONAL BANK OF CUBA"]);
    assert_eq!(e.get(prop::WEAK_ALIAS), ["BNC"]);
    assert_eq!(e.listing(prop::PROGRAM), ["CUBA"]);
    assert_eq!(
        e.get(prop::ADDRESS),
        [
            "Zweierstrasse 35, Zurich CH-8022, Switzerland",
            "Avenida de Concha Espina 8, Madrid E-28036, Spain",
            "Dai-Ichi Bldg. 6th Floor, 10-2 Nihombashi, 2-chome, Chuo-ku, Tokyo 103, Japan",
            "Federico Boyd Avenue & 51 Street, Panama City, Panama",
        ]
    );
    assert_eq!(e.get(prop::COUNTRY), ["ch", "es", "jp", "pa"]);
    assert!(e.get(prop::FIRST_NAME).is_empty());
}

#[test]
fn sdn_2021_vessel_artavil_imo_mmsi_and_former_names() {
    // 15036,"ARTAVIL","vessel","IRAN",-0- ,"T2EU4","Crude/Oil Products Tanker",
    // "99,144","56,068","Iran",-0- ,"Former Vessel Flag Malta; ...;
    // Vessel Registration Identification IMO 9187629; MMSI 572469210;
    // f.k.a. 'ALPHA'; Linked To: NATIONAL IRANIAN TANKER COMPANY."
    // alt.csv: fka ABADAN, fka SHONA
    let parsed = sdn_2021();
    let e = entity(&parsed, "us_ofac_sdn:15036");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.get(prop::NAME), ["ARTAVIL"]);
    assert_eq!(e.get(prop::IMO_NUMBER), ["9187629"]);
    assert_eq!(e.get(prop::MMSI), ["572469210"]);
    assert_eq!(e.get(prop::CALL_SIGN), ["T2EU4"]);
    assert_eq!(e.get(prop::TYPE), ["Crude/Oil Products Tanker"]);
    assert_eq!(e.get(prop::TONNAGE), ["99,144"]);
    assert_eq!(e.get(prop::FLAG), ["ir"]);
    assert_eq!(e.get(prop::PREVIOUS_NAME), ["ALPHA", "ABADAN", "SHONA"]);
    assert_eq!(e.listing(prop::PROGRAM), ["IRAN"]);
    assert!(has_note(e, "Former Vessel Flag Malta"));
    assert!(has_note(e, "alt. Former Vessel Flag Tanzania"));
    assert!(has_note(e, "gross registered tonnage: 56,068"));
    assert!(has_note(e, "Linked To: NATIONAL IRANIAN TANKER COMPANY"));
}

#[test]
fn sdn_2021_remarks_continue_in_comments_file() {
    // sdn.csv row 29703 ends "...; Digital Currency Addres" (1000 characters);
    // sdn_comments.csv continues "s - ETH 0x8576...; Phone Number 79315403678;
    // ...; Passport 4005504207 (Russia)."
    let parsed = sdn_2021();
    let e = entity(&parsed, "us_ofac_sdn:29703");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get(prop::NAME), ["ANDREYEV, Anton Nikolaeyvich"]);
    assert_eq!(e.get(prop::LAST_NAME), ["ANDREYEV"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Anton Nikolaeyvich"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1985-03-03"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Saint Petersburg, Russia"]);
    assert_eq!(e.get(prop::NATIONALITY), ["ru"]);
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get(prop::EMAIL), ["antonandreyv@gmail.com"]);
    assert_eq!(e.listing(prop::PROGRAM), ["CYBER2", "ELECTION-EO13848"]);
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["4005504207"]);
    // Without a country code the number is not a valid FtM phone: kept as a note.
    assert!(e.get(prop::PHONE).is_empty());
    assert!(has_note(e, "phone: 79315403678"));
    let wallets = e.wallets();
    assert_eq!(wallets.len(), 17);
    assert_eq!(wallets[0], "XBT:1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3");
    assert!(wallets.contains(&"ETH:0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c".to_string()));
    assert!(wallets.contains(&"ZEC:t1WSKwCDL1QYRRUrCCknEs5tDLhtGVYu9KM".to_string()));
    assert!(wallets.contains(&"BSV:12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9".to_string()));
    assert_eq!(
        e.get(prop::ADDRESS),
        ["9 3 Bloshevikov Prospect Apt 35, Saint Petersburg, Russia"]
    );
    // Nothing of the cut is left as a fragment.
    assert!(e.get(prop::NOTES).iter().all(|n| !n.contains("Addres\"")));
}

#[test]
fn sdn_2021_weak_aliases_from_the_comments_continuation() {
    // 28264 "LI, Jiadong": remarks end "...; P", comments continue "hone Number
    // 8613314257947; alt. Phone Number 8618004121000; ...; Identification
    // Number 210302198701102136 (China); a.k.a. 'blackjack1987'; a.k.a.
    // 'khaleesi'; Linked To: LAZARUS GROUP."
    let parsed = sdn_2021();
    let e = entity(&parsed, "us_ofac_sdn:28264");
    assert_eq!(e.get(prop::BIRTH_DATE), ["1987-01-10"]);
    assert_eq!(e.get(prop::NATIONALITY), ["cn"]);
    assert!(e.get(prop::PHONE).is_empty());
    assert!(has_note(e, "phone: 8613314257947"));
    assert!(has_note(e, "phone: 8618004121000"));
    assert_eq!(e.get(prop::ID_NUMBER), ["210302198701102136"]);
    assert_eq!(e.get(prop::WEAK_ALIAS), ["blackjack1987", "khaleesi"]);
    assert_eq!(e.listing(prop::PROGRAM), ["DPRK3", "CYBER2"]);
    assert_eq!(e.get(prop::ADDRESS), ["Anshan, Liaoning, China"]);
    assert!(has_note(e, "Linked To: LAZARUS GROUP"));
}

#[test]
fn sdn_2021_circa_and_range_birth_dates() {
    // 7848,"AL-DURI, Izzat Ibrahim",...,"DOB circa 1942; POB al-Dur, Iraq;
    // nationality Iraq; ...; a.k.a. 'ABU BRAYS'; a.k.a. 'ABU AHMAD'."
    let parsed = sdn_2021();
    let e = entity(&parsed, "us_ofac_sdn:7848");
    assert_eq!(e.get(prop::BIRTH_DATE), ["1942"]);
    assert!(has_note(e, "birth date approximate: circa 1942"));
    assert_eq!(e.get(prop::BIRTH_PLACE), ["al-Dur, Iraq"]);
    assert_eq!(e.get(prop::NATIONALITY), ["iq"]);
    assert_eq!(e.get(prop::WEAK_ALIAS), ["ABU BRAYS", "ABU AHMAD"]);
    // 16455,"SAIFULLAH, Qari",...,"DOB 1964; alt. DOB 1963 to 1965; POB Daraz
    // Jaldak, Qalat District, Zabul Province, Afghanistan; citizen Afghanistan."
    let e = entity(&parsed, "us_ofac_sdn:16455");
    assert_eq!(e.get(prop::BIRTH_DATE), ["1964", "1963", "1965"]);
    assert_eq!(e.get(prop::CITIZENSHIP), ["af"]);
    assert_eq!(
        e.get(prop::ALIAS),
        ["AL TOKHI, Qari Saifullah", "SAHAB, Qari"]
    );
    assert_eq!(e.get(prop::ADDRESS), ["Quetta, Pakistan"]);
    assert_eq!(e.get(prop::COUNTRY), ["pk"]);
}

// ----------------------------------------------------------- composite CSV set

#[test]
fn composite_count_schemas_and_orphans_ignored() {
    let parsed = composite();
    assert_eq!(parsed.entities.len(), 14965);
    let count = |s: Schema| parsed.entities.iter().filter(|e| e.schema == s).count();
    assert_eq!(count(Schema::Person), 6854);
    assert_eq!(count(Schema::Vessel), 851);
    assert_eq!(count(Schema::Airplane), 376);
    assert_eq!(count(Schema::Organization), 6884);
}

#[test]
fn composite_dawood_ibrahim() {
    // sdn.csv 9758,"IBRAHIM, Dawood","individual","SDNTK] [SDGT",..., "DOB 26 Dec
    // 1955; alt. DOB 31 Dec 1955; POB Ratnagiri, Maharashtra, India; nationality
    // India; citizen India; alt. citizen Pakistan; alt. citizen United Arab
    // Emirates; Passport M-110522 (India) issued 13 Nov 1978; ... alt. Passport
    // A-717288 (United Arab Emirates) issued 18 Aug 1985."
    let parsed = composite();
    let e = entity(&parsed, "us_ofac_sdn:9758");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "IBRAHIM, Dawood");
    assert_eq!(e.get(prop::LAST_NAME), ["IBRAHIM"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Dawood"]);
    assert_eq!(e.listing(prop::PROGRAM), ["SDNTK", "SDGT"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1955-12-26", "1955-12-31"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Ratnagiri, Maharashtra, India"]);
    assert_eq!(e.get(prop::NATIONALITY), ["in"]);
    assert_eq!(e.get(prop::CITIZENSHIP), ["in", "pk", "ae"]);
    assert_eq!(
        e.get(prop::PASSPORT_NUMBER),
        [
            "M-110522", "R-841697", "A-333602", "A-501801", "P-537849", "K-560098", "V-57865",
            "G-866537", "G-869537", "F-823692", "A-717288"
        ]
    );
    assert!(has_note(e, "Passport M-110522 (India) issued 13 Nov 1978"));
    assert!(has_note(e, "alt. Passport G-869537 (Pakistan)"));
    let aliases = e.get(prop::ALIAS);
    assert_eq!(aliases.len(), 13);
    assert_eq!(aliases[0], "EBRAHIM, Dawood");
    assert_eq!(aliases[12], "IBRAHIM, Anis");
    assert_eq!(e.get(prop::ADDRESS).len(), 6);
    assert_eq!(
        e.get(prop::ADDRESS)[2],
        "White House, Al-Wassal Road, Jumeira, Dubai, United Arab Emirates"
    );
    assert_eq!(e.get(prop::COUNTRY), ["pk", "ae", "in"]);
}

#[test]
fn composite_saddam_hussein_and_a_wallet_and_a_range() {
    // 7843,"AL-TIKRITI, Saddam Hussein","individual","IRAQ2",...,"DOB 28 Apr 1937;
    // POB al-Awja, near Tikrit, Iraq; nationality Iraq; named in UNSCR 1483;
    // President since 1979; a.k.a. 'ABU ALI'."
    let parsed = composite();
    let e = entity(&parsed, "us_ofac_sdn:7843");
    assert_eq!(e.get(prop::BIRTH_DATE), ["1937-04-28"]);
    assert_eq!(e.get(prop::NATIONALITY), ["iq"]);
    assert_eq!(
        e.get(prop::ALIAS),
        ["HUSAYN, Saddam", "HUSSAIN, Saddam", "HUSSEIN, Saddam"]
    );
    assert_eq!(e.get(prop::WEAK_ALIAS), ["ABU ALI"]);
    assert!(has_note(e, "named in UNSCR 1483"));
    assert!(has_note(e, "President since 1979"));

    // 31811,"FAYZIMATOV, Farrukh Furkatovitch","individual","SDGT",...,"DOB 02 Mar
    // 1996; citizen Tajikistan; Gender Male; Digital Currency Address - XBT
    // 17a5bpKvEp1j1Trs4qTbcNZrby53JbaS9C."
    let e = entity(&parsed, "us_ofac_sdn:31811");
    assert_eq!(e.wallets(), ["XBT:17a5bpKvEp1j1Trs4qTbcNZrby53JbaS9C"]);
    assert_eq!(e.get(prop::CITIZENSHIP), ["tj"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1996-03-02"]);

    // 16540,"SADIKOV, Olimzhon Adkhamovich",...,"DOB 01 Jan 1977 to 31 Dec 1985;
    // nationality Uzbekistan."
    let e = entity(&parsed, "us_ofac_sdn:16540");
    assert_eq!(
        e.get(prop::BIRTH_DATE),
        [
            "1977-01-01",
            "1977",
            "1978",
            "1979",
            "1980",
            "1981",
            "1982",
            "1983",
            "1984",
            "1985",
            "1985-12-31"
        ]
    );
    assert_eq!(e.get(prop::NATIONALITY), ["uz"]);

    // 15431,"EP-GOM","aircraft","SDGT",...,"Aircraft Construction Number (also
    // called L/N or S/N or F/N) 8401; Aircraft Manufacture Date 1992; Aircraft
    // Model IL76-TD; Aircraft Operator YAS AIR; Aircraft Manufacturer's Serial
    // Number (MSN) 1023409321; Linked To: POUYA AIR."
    let e = entity(&parsed, "us_ofac_sdn:15431");
    assert_eq!(e.schema, Schema::Airplane);
    assert_eq!(e.get(prop::MODEL), ["IL76-TD"]);
    assert_eq!(e.get(prop::SERIAL_NUMBER), ["1023409321"]);
    assert_eq!(e.get(prop::BUILD_DATE), ["1992"]);
    assert!(has_note(e, "Aircraft Operator YAS AIR"));
}

// ------------------------------------------------------------ cons CSV set

#[test]
fn cons_csv_entries() {
    let parsed = cons_csv();
    assert_eq!(parsed.entities.len(), 442);

    // cons_prim: 9647,"ZAHHAR, Mahmoud Khaled","individual","SDGT] [NS-PLC",...,
    // "DOB 1945; POB Gaza Strip; nationality Palestinian; Gender Male; ...;
    // a.k.a. 'ZAHAR, Mahmoud'; a.k.a. 'AL-ZAHAR, Mahmoud'; Linked To: HAMAS."
    // cons_alt: 9647,9160,"aka","AL ZAHAR, Mahmoud Khaled"
    // cons_add: 9647,68713,-0- ,-0- ,"Region: Gaza",-0-
    let e = entity(&parsed, "us_ofac_cons:9647");
    assert_eq!(e.caption, "ZAHHAR, Mahmoud Khaled");
    assert_eq!(e.listing(prop::PROGRAM), ["SDGT", "NS-PLC"]);
    assert_eq!(e.get(prop::ALIAS), ["AL ZAHAR, Mahmoud Khaled"]);
    assert_eq!(
        e.get(prop::WEAK_ALIAS),
        ["ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud"]
    );
    assert_eq!(e.get(prop::BIRTH_DATE), ["1945"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Gaza Strip"]);
    assert_eq!(e.get(prop::NATIONALITY), ["ps"]);
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get(prop::ADDRESS), ["Region: Gaza"]);
    assert_eq!(e.get(prop::COUNTRY), ["ps"]);

    // 17018 SBERBANK: remarks cut at "Listing Date (EO 14024 Direct", continued
    // in cons_comments.csv with "ive 2): 24 Feb 2022; ...; Tax ID No.
    // 7707083893 (Russia); Registration Number 1027700132195 (Russia); ...;
    // a.k.a. 'SBERBANK INDIA'; a.k.a. 'SBERBANK MUMBAI'."
    let e = entity(&parsed, "us_ofac_cons:17018");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get(prop::SWIFT_BIC), ["SABRRUMM"]);
    assert_eq!(
        e.get(prop::WEBSITE),
        ["www.sberbank.ru", "www.sberbank.com"]
    );
    assert_eq!(e.get(prop::TAX_NUMBER), ["7707083893"]);
    assert_eq!(e.get(prop::REGISTRATION_NUMBER), ["1027700132195"]);
    assert_eq!(
        e.get(prop::WEAK_ALIAS),
        ["SBERBANK INDIA", "SBERBANK MUMBAI"]
    );
    assert_eq!(
        e.get(prop::ALIAS),
        ["SBERBANK ROSSII", "SBERBANK OF RUSSIA", "PJSC SBERBANK"]
    );
    assert_eq!(e.get(prop::PREVIOUS_NAME)[0], "SBERBANK ROSSII OAO");
    assert_eq!(e.get(prop::PREVIOUS_NAME).len(), 7);
    assert!(has_note(
        e,
        "Listing Date (EO 14024 Directive 2): 24 Feb 2022"
    ));
    assert!(has_note(e, "Tax ID No. 7707083893 (Russia)"));
    assert_eq!(e.get(prop::COUNTRY), ["ru", "cn", "in"]);

    // 9639,"HANIYA, Ismail Abdul Salah","individual","NS-PLC",...,"DOB 1962; POB Shati."
    let e = entity(&parsed, "us_ofac_cons:9639");
    assert_eq!(e.get(prop::FIRST_NAME), ["Ismail Abdul Salah"]);
    assert_eq!(e.get(prop::LAST_NAME), ["HANIYA"]);
    assert_eq!(e.get(prop::ALIAS), ["HANIYA, Ismail", "HANIYYA, Ismaeel"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1962"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Shati"]);
}

// ------------------------------------------------------------ cons XML

#[test]
fn cons_xml_entries_and_publish_date() {
    let parsed = cons_xml();
    assert_eq!(parsed.entities.len(), 443);
    assert_eq!(parsed.published.as_deref(), Some("2025-03-28"));

    let e = entity(&parsed, "us_ofac_cons:9647");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "Mahmoud Khaled ZAHHAR");
    assert_eq!(e.get(prop::FIRST_NAME), ["Mahmoud Khaled"]);
    assert_eq!(e.get(prop::LAST_NAME), ["ZAHHAR"]);
    assert_eq!(e.listing(prop::PROGRAM), ["NS-PLC", "SDGT"]);
    assert_eq!(e.get(prop::ALIAS), ["Mahmoud Khaled AL ZAHAR"]);
    assert_eq!(
        e.get(prop::WEAK_ALIAS),
        ["ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud"]
    );
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get(prop::NATIONALITY), ["ps"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1945"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Gaza Strip"]);
    assert!(has_note(e, "(Linked To: HAMAS)"));

    // VTB: idList with Registration ID / Tax ID No. / SWIFT/BIC / Website /
    // Organization Established Date 17 Oct 1990; f.k.a. strong and a.k.a. weak.
    let e = entity(&parsed, "us_ofac_cons:17013");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.caption, "VTB BANK PUBLIC JOINT STOCK COMPANY");
    assert_eq!(e.get(prop::SWIFT_BIC), ["VTBRRUMM"]);
    assert_eq!(e.get(prop::TAX_NUMBER), ["7702070139"]);
    assert_eq!(
        e.get(prop::REGISTRATION_NUMBER),
        [
            "1027739609391",
            "00032520",
            "1000",
            "253400V1H6ART1UQ0N98",
            "044030707",
            "044525187"
        ]
    );
    assert_eq!(e.get(prop::WEBSITE), ["www.vtb.com", "www.vtb.ru"]);
    assert_eq!(e.get(prop::INCORPORATION_DATE), ["1990-10-17"]);
    assert_eq!(e.get(prop::PREVIOUS_NAME)[0], "JSC VTB BANK");
    assert_eq!(e.get(prop::WEAK_ALIAS), ["JSC VTB BANK NEW DELHI BRANCH"]);
    assert!(has_note(e, "Target Type Financial Institution"));

    // 26182 KAYAKIRAN, Evren: Passport U00242309 (Turkey), citizenship Turkey,
    // DOB 08 Feb 1980.
    let e = entity(&parsed, "us_ofac_cons:26182");
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["U00242309"]);
    assert!(has_note(e, "Passport U00242309 (Turkey)"));
    assert_eq!(e.get(prop::CITIZENSHIP), ["tr"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1980-02-08"]);
    assert_eq!(e.listing(prop::PROGRAM), ["FSE-IR"]);

    // 50476 MARTELLY, Michel Joseph: National ID No. 0032768386 (Haiti), weak
    // a.k.a. "Sweet Micky".
    let e = entity(&parsed, "us_ofac_cons:50476");
    assert_eq!(e.get(prop::ID_NUMBER), ["0032768386", "M634550610520"]);
    assert_eq!(e.get(prop::WEAK_ALIAS), ["Sweet Micky"]);
    assert_eq!(e.get(prop::ALIAS), ["Michael MARTELLY"]);
    assert_eq!(e.get(prop::ADDRESS)[0], "Miami, FL, United States");
}

#[test]
fn sdn_xml_sample_entries() {
    let parsed = sdn_xml_sample();
    assert_eq!(parsed.entities.len(), 5);
    assert_eq!(parsed.published.as_deref(), Some("2026-08-07"));

    let e = entity(&parsed, "us_ofac_sdn:4238");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.caption, "MAR AZUL");
    assert_eq!(e.get(prop::CALL_SIGN), ["CL2192"]);
    assert_eq!(e.get(prop::TYPE), ["Tug"]);
    assert_eq!(e.get(prop::FLAG), ["cu"]);

    let e = entity(&parsed, "us_ofac_sdn:9758");
    assert_eq!(e.caption, "Dawood IBRAHIM");
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["M-110522"]);
    assert!(has_note(e, "Passport M-110522 (India) issued 13 Nov 1978"));
    assert_eq!(e.get(prop::NATIONALITY), ["in"]);
    assert_eq!(e.get(prop::CITIZENSHIP), ["in", "pk", "ae"]);
    assert_eq!(e.get(prop::ALIAS), ["Dawood EBRAHIM"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1955-12-26"]);
    assert_eq!(
        e.get(prop::ADDRESS),
        ["617 CP Berar Society, Block 7-8, Karachi, Pakistan"]
    );
    assert_eq!(e.listing(prop::PROGRAM), ["SDNTK", "SDGT"]);

    let e = entity(&parsed, "us_ofac_sdn:2674");
    assert_eq!(e.caption, "Abu ABBAS");
    assert_eq!(
        e.get(prop::POSITION),
        ["Director of PALESTINE LIBERATION FRONT - ABU ABBAS FACTION"]
    );
    assert_eq!(e.get(prop::ALIAS), ["Muhammad ZAYDAN"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1948-12-10"]);

    let e = entity(&parsed, "us_ofac_sdn:6944");
    assert_eq!(e.caption, "Sa'd Abdullah Hussein AL-SHARIF");
    assert_eq!(e.get(prop::NATIONALITY), ["sa"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Al-Medinah, Saudi Arabia"]);

    let e = entity(&parsed, "us_ofac_sdn:36");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get(prop::ADDRESS), ["Havana, Cuba"]);
    assert_eq!(e.get(prop::COUNTRY), ["cu"]);
}

// ------------------------------------------------------------ format detection

#[test]
fn formats_are_detected_from_content() {
    for (dir, names) in [
        (
            SDN_2021,
            &["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"][..],
        ),
        (
            CONS_CSV,
            &[
                "cons_prim.csv",
                "cons_alt.csv",
                "cons_add.csv",
                "cons_comments.csv",
            ][..],
        ),
    ] {
        let files = read(dir, names);
        for f in &files {
            assert!(parse::ofac_csv::looks_like(f), "{}", f.name);
        }
        assert_eq!(parse::detect_format(&files).ok(), Some(Format::OfacCsv));
    }
    let xml = common::read_raw(&[CONS_XML]);
    assert_eq!(parse::detect_format(&xml).ok(), Some(Format::OfacXml));
    assert!(!parse::ofac_csv::looks_like(&xml[0]));
    let header = SourceFile::new("x.csv", b"id,name,country\n1,ACME,DE\n".to_vec());
    assert!(!parse::ofac_csv::looks_like(&header));
}

// ------------------------------------------------------------ errors

#[test]
fn truncated_xml_is_rejected_with_file_and_position() {
    let mut files = common::read_raw(&[CONS_XML]);
    let half = files[0].data.len() / 2;
    files[0].data.truncate(half);
    let err = parse::parse(Format::OfacXml, "us_ofac_cons", &files).unwrap_err();
    assert_eq!(err.file, "consolidated.xml");
    assert!(
        matches!(err.location, Some(Location::Line(l)) if l > 1),
        "{err}"
    );
    assert!(err.message.contains("byte"), "{err}");
}

#[test]
fn record_count_mismatch_is_rejected() {
    // The real file with its first <sdnEntry> cut out is well-formed XML but
    // holds 442 entries where Record_Count says 443.
    let mut files = common::read_raw(&[CONS_XML]);
    let text = String::from_utf8(files[0].data.clone()).expect("utf-8");
    let start = text.find("<sdnEntry>").expect("an entry");
    let end = text.find("</sdnEntry>").expect("an entry end") + "</sdnEntry>".len();
    let cut = format!("{}{}", &text[..start], &text[end..]);
    files[0].data = cut.into_bytes();
    let err = parse::parse(Format::OfacXml, "us_ofac_cons", &files).unwrap_err();
    assert_eq!(err.file, "consolidated.xml");
    assert!(
        err.message.contains("443") && err.message.contains("442"),
        "{err}"
    );
}

#[test]
fn xml_without_entries_and_zero_count_is_empty() {
    let xml = "<?xml version=\"1.0\" standalone=\"yes\"?>\n<sdnList xmlns=\"https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML\">\n  <publshInformation>\n    <Publish_Date>03/28/2025</Publish_Date>\n    <Record_Count>0</Record_Count>\n  </publshInformation>\n</sdnList>\n";
    let parsed = parse_ok(
        Format::OfacXml,
        "us_ofac_cons",
        &[SourceFile::new("consolidated.xml", xml.as_bytes().to_vec())],
    );
    assert!(parsed.entities.is_empty());
    assert_eq!(parsed.published.as_deref(), Some("2025-03-28"));
}

#[test]
fn xml_with_another_root_is_rejected() {
    let err = parse::parse(
        Format::OfacXml,
        "us_ofac_sdn",
        &[SourceFile::new("x.xml", b"<export><a/></export>".to_vec())],
    )
    .unwrap_err();
    assert_eq!(err.file, "x.xml");
    assert!(err.message.contains("sdnList"), "{err}");
}

/// A small consistent legacy CSV set in OFAC's format: rows of real entries
/// typed in (36, 306) plus alias/address/comment rows and an orphan alias.
fn fixture_csv() -> Vec<SourceFile> {
    let sdn = b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\
306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'B\"\r\n\x1a";
    let alt = b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n306,220,\"aka\",\"NATIONAL BANK OF CUBA\",-0- \r\n99999,1,\"aka\",\"ORPHAN\",-0- \r\n\x1a";
    let add = b"36,25,-0- ,\"Havana\",\"Cuba\",-0- \r\n\x1a";
    let comments = b"306,\"NC'.\"\r\n\x1a";
    vec![
        SourceFile::new("sdn.csv", sdn.to_vec()),
        SourceFile::new("alt.csv", alt.to_vec()),
        SourceFile::new("add.csv", add.to_vec()),
        SourceFile::new("sdn_comments.csv", comments.to_vec()),
    ]
}

#[test]
fn fixture_csv_parses_with_orphans_ignored() {
    let parsed = parse_ok(Format::OfacCsv, "us_ofac_sdn", &fixture_csv());
    assert_eq!(parsed.entities.len(), 2);
    let e = entity(&parsed, "us_ofac_sdn:306");
    assert_eq!(e.get(prop::WEAK_ALIAS), ["BNC"]);
    assert_eq!(e.get(prop::ALIAS), ["NATIONAL BANK OF CUBA"]);
    assert!(
        parsed
            .entities
            .iter()
            .all(|e| e.get(prop::ALIAS) != ["ORPHAN"])
    );
}

#[test]
fn a_space_at_the_remarks_cut_is_kept() {
    // Row of the real 9647 with its Remarks cut right before a space.
    let sdn = b"9647,\"ZAHHAR, Mahmoud Khaled\",\"individual\",\"SDGT] [NS-PLC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1945; POB Gaza Strip; Linked To:\"\r\n";
    let comments = b"9647,\" HAMAS.\"\r\n";
    let parsed = parse_ok(
        Format::OfacCsv,
        "us_ofac_cons",
        &[
            SourceFile::new("cons_prim.csv", sdn.to_vec()),
            SourceFile::new("cons_comments.csv", comments.to_vec()),
        ],
    );
    let e = entity(&parsed, "us_ofac_cons:9647");
    assert_eq!(e.get(prop::BIRTH_DATE), ["1945"]);
    assert_eq!(e.get(prop::NOTES), ["Linked To: HAMAS"]);
}

#[test]
fn wrong_column_count_names_file_and_line() {
    let mut files = fixture_csv();
    // Line 2 of alt.csv loses its alt_remarks column.
    files[1].data =
        b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n306,220,\"aka\",\"NATIONAL BANK OF CUBA\"\r\n"
            .to_vec();
    let err = parse::parse(Format::OfacCsv, "us_ofac_sdn", &files).unwrap_err();
    assert_eq!(err.file, "alt.csv");
    assert_eq!(err.location, Some(Location::Line(2)));
    assert!(err.message.contains("expected 5 columns"), "{err}");
}

#[test]
fn non_numeric_ent_num_and_missing_primary_are_errors() {
    let mut files = fixture_csv();
    files[0].data = b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\nX7,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n".to_vec();
    let err = parse::parse(Format::OfacCsv, "us_ofac_sdn", &files).unwrap_err();
    assert_eq!(err.file, "sdn.csv");
    assert_eq!(err.location, Some(Location::Line(2)));

    let files = fixture_csv();
    let err = parse::parse(Format::OfacCsv, "us_ofac_sdn", &files[1..]).unwrap_err();
    assert!(err.message.contains("primary"), "{err}");
}

#[test]
fn latin1_names_are_decoded() {
    // None of the real OFAC files holds a byte above 0x7F (OFAC transliterates
    // to ASCII), so this hand-written row in the sdn.csv format carries
    // Latin-1 bytes: 0xD1 = Ñ, 0xE9 = é, 0xFC = ü.
    let sdn = b"90001,\"MU\xd1OZ, Jos\xe9\",\"individual\",\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"POB Z\xfcrich, Switzerland.\"\r\n\x1a";
    let parsed = parse_ok(
        Format::OfacCsv,
        "us_ofac_sdn",
        &[SourceFile::new("sdn.csv", sdn.to_vec())],
    );
    let e = entity(&parsed, "us_ofac_sdn:90001");
    assert_eq!(e.caption, "MUÑOZ, José");
    assert_eq!(e.get(prop::LAST_NAME), ["MUÑOZ"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["José"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Zürich, Switzerland"]);
}

// ------------------------------------------------------------ no panics

const FIXTURE_XML: &str = r#"<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">
  <publshInformation><Publish_Date>08/07/2026</Publish_Date><Record_Count>1</Record_Count></publshInformation>
  <sdnEntry>
    <uid>9758</uid><firstName>Dawood</firstName><lastName>IBRAHIM</lastName><sdnType>Individual</sdnType>
    <programList><program>SDNTK</program></programList>
    <idList><id><uid>4263</uid><idType>Passport</idType><idNumber>M-110522</idNumber><idCountry>India</idCountry><issueDate>13 Nov 1978</issueDate></id></idList>
    <akaList><aka><uid>9277</uid><type>a.k.a.</type><category>strong</category><lastName>EBRAHIM</lastName><firstName>Dawood</firstName></aka></akaList>
    <addressList><address><uid>12207</uid><address1>617 CP Berar Society &amp; Block 7-8</address1><city>Karachi</city><country>Pakistan</country></address></addressList>
    <dateOfBirthList><dateOfBirthItem><uid>4795</uid><dateOfBirth>26 Dec 1955</dateOfBirth><mainEntry>true</mainEntry></dateOfBirthItem></dateOfBirthList>
  </sdnEntry>
</sdnList>
"#;

#[test]
fn fixture_xml_parses() {
    let parsed = parse_ok(
        Format::OfacXml,
        "us_ofac_sdn",
        &[SourceFile::new("sdn.xml", FIXTURE_XML.as_bytes().to_vec())],
    );
    let e = entity(&parsed, "us_ofac_sdn:9758");
    assert_eq!(
        e.get(prop::ADDRESS),
        ["617 CP Berar Society & Block 7-8, Karachi, Pakistan"]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn csv_random_bytes_do_not_panic(data in proptest::collection::vec(any::<u8>(), 0..400), which in 0usize..4) {
        let mut files = fixture_csv();
        files[which].data = data;
        let _ = parse::parse(Format::OfacCsv, "us_ofac_sdn", &files);
        let _ = parse::ofac_csv::looks_like(&files[which]);
    }

    #[test]
    fn csv_truncated_prefixes_do_not_panic(cut in 0usize..400, which in 0usize..4) {
        let mut files = fixture_csv();
        let n = cut.min(files[which].data.len());
        files[which].data.truncate(n);
        let _ = parse::parse(Format::OfacCsv, "us_ofac_sdn", &files);
        let _ = parse::ofac_csv::looks_like(&files[which]);
    }

    #[test]
    fn xml_random_bytes_do_not_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let files = [SourceFile::new("sdn.xml", data)];
        let _ = parse::parse(Format::OfacXml, "us_ofac_sdn", &files);
    }

    #[test]
    fn xml_truncated_prefixes_do_not_panic(cut in 0usize..1400) {
        let bytes = FIXTURE_XML.as_bytes();
        let files = [SourceFile::new("sdn.xml", bytes[..cut.min(bytes.len())].to_vec())];
        let result = parse::parse(Format::OfacXml, "us_ofac_sdn", &files);
        if cut < bytes.len() - 12 {
            prop_assert!(result.is_err());
        }
    }
}
