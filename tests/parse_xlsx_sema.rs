//! The spreadsheet parsers (UK OFSI ConList.xlsx, Australia DFAT
//! regulation8_consolidated.xlsx) and the Canada SEMA XML parser on the real
//! list files: whole entries spelled out as the source files give them,
//! counts, publication dates, format detection, and bad input (renamed
//! sheets, non-workbooks, random bytes, truncated files).

mod common;

use proptest::prelude::*;
use screener::model::{Entity, Schema, prop};
use screener::parse::{self, Format, Location, ParsedList, SourceFile, xlsx};
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::OnceLock;

const OFSI_2025: &str = "uk_ofsi_conlist/2025-04-14/ConList.xlsx";
const OFSI_2023: &str = "uk_ofsi_conlist/2023-06-05/ConList.xlsx";
const AU_DFAT: &str = "australia_dfat/2024-11-11/regulation8_consolidated.xlsx";
const CA_SEMA: &str = "canada_sema/2025-05-25/sema-lista.xml";

fn parsed(format: Format, list: &str, path: &str) -> ParsedList {
    let files = common::read_raw(&[path]);
    parse::parse(format, list, &files).unwrap_or_else(|e| panic!("{e}"))
}

fn ofsi_2025() -> &'static ParsedList {
    static P: OnceLock<ParsedList> = OnceLock::new();
    P.get_or_init(|| {
        let t = std::time::Instant::now();
        let p = parsed(Format::OfsiXlsx, "gb_hmt_sanctions", OFSI_2025);
        eprintln!("OFSI 2025 ConList.xlsx parsed in {:?}", t.elapsed());
        p
    })
}

fn ofsi_2023() -> &'static ParsedList {
    static P: OnceLock<ParsedList> = OnceLock::new();
    P.get_or_init(|| parsed(Format::OfsiXlsx, "gb_hmt_sanctions", OFSI_2023))
}

fn au_dfat() -> &'static ParsedList {
    static P: OnceLock<ParsedList> = OnceLock::new();
    P.get_or_init(|| parsed(Format::AuDfatXlsx, "au_dfat_sanctions", AU_DFAT))
}

fn ca_sema() -> &'static ParsedList {
    static P: OnceLock<ParsedList> = OnceLock::new();
    P.get_or_init(|| parsed(Format::CaSemaXml, "ca_dfatd_sema_sanctions", CA_SEMA))
}

fn entity<'a>(list: &'a ParsedList, id: &str) -> &'a Entity {
    list.entities
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entity {id}"))
}

/// The values of a property as a set (order is not part of the contract).
fn set(e: &Entity, property: &str) -> BTreeSet<String> {
    e.get(property).iter().cloned().collect()
}

fn strings(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|v| v.to_string()).collect()
}

fn has_note(e: &Entity, note: &str) -> bool {
    e.get(prop::NOTES).iter().any(|n| n == note)
}

// ---------------------------------------------------------------- OFSI

#[test]
fn ofsi_2025_counts_and_date() {
    let p = ofsi_2025();
    assert_eq!(p.entities.len(), 4688);
    assert_eq!(p.published.as_deref(), Some("2025-04-14"));
    let count = |s: Schema| p.entities.iter().filter(|e| e.schema == s).count();
    assert_eq!(count(Schema::Person), 3663);
    assert_eq!(count(Schema::Organization), 1010);
    assert_eq!(count(Schema::Vessel), 15);
}

/// Group 7059: four name rows (one primary with an Arabic-script name, two
/// "Low quality" AKAs, one "Good quality" AKA), numbered nationalities and
/// passports.
#[test]
fn ofsi_person_with_weak_aliases_and_numbered_documents() {
    let e = entity(ofsi_2025(), "gb_hmt_sanctions:7059");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "Said BAHAJI");
    assert_eq!(e.get(prop::NAME), ["Said BAHAJI"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Said"]);
    assert_eq!(e.get(prop::LAST_NAME), ["BAHAJI"]);
    assert_eq!(
        set(e, prop::ALIAS),
        strings(&["Zouheir AL MAGHRIBI", "سعيد باهاجى"])
    );
    assert_eq!(
        set(e, prop::WEAK_ALIAS),
        strings(&["Mohamed ABBATTAY", "Abderrahmane AL MAGHRIBI"])
    );
    assert_eq!(e.get(prop::BIRTH_DATE), ["1975-07-15"]);
    assert_eq!(
        e.get(prop::BIRTH_PLACE),
        ["Haselünne, Lower Saxony, Germany"]
    );
    assert_eq!(set(e, prop::NATIONALITY), strings(&["de", "ma"]));
    assert_eq!(
        set(e, prop::PASSPORT_NUMBER),
        strings(&["28642163", "954242"])
    );
    assert!(has_note(
        e,
        "Passport 28642163: German provisional. Issued by the city of Hamburg"
    ));
    assert!(has_note(
        e,
        "Passport 954242: Moroccan. Issued on 28 June 1995 in Meknas, Morocco. Expired"
    ));
    assert_eq!(e.get(prop::ID_NUMBER), ["1336597587"]);
    assert!(has_note(
        e,
        "National identification 1336597587: Germany identity document (\"Bundespersonalausweis\")"
    ));
    assert_eq!(
        e.get(prop::ADDRESS),
        ["Bunatwiete 23, Hamburg, 21073, Germany"]
    );
    assert_eq!(e.get(prop::COUNTRY), ["de"]);
    assert_eq!(e.listing(prop::PROGRAM), ["ISIL (Da'esh) and Al-Qaida"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2002-10-01"]);
    assert_eq!(e.get(prop::MODIFIED_AT), ["2022-01-12"]);
    assert!(has_note(e, "UK Sanctions List Ref: AQD0300"));
    assert!(has_note(e, "UK Sanctions List date designated: 2002-09-30"));
    assert!(e.get(prop::NOTES).iter().any(|n| n.starts_with(
        "(UK Sanctions List Ref):AQD0300. (UN Ref):QDi.080. Deputy head of the media committee"
    )));
}

/// Group 16636: an entity whose primary-name row carries a Cyrillic name,
/// with three "Primary name variation" rows.
#[test]
fn ofsi_entity_with_non_latin_name_and_variations() {
    let e = entity(ofsi_2025(), "gb_hmt_sanctions:16636");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get(prop::NAME), ["ZAPCHASTTRADE LLP"]);
    assert_eq!(
        set(e, prop::ALIAS),
        strings(&[
            "\"ZAPCHAST TRADE\" LLP",
            "\"ZAPCHASTRAYD\" LLP",
            "LLC \"ZAPCHASTTRADE\"",
            "ТОО ЗАПЧАСТЬ ТРЕЙД",
        ])
    );
    assert!(has_note(
        e,
        "Name in non-Latin script (Cyrillic, Russian): ТОО ЗАПЧАСТЬ ТРЕЙД"
    ));
    assert!(e.get(prop::FIRST_NAME).is_empty());
    assert_eq!(
        e.get(prop::ADDRESS),
        ["BUILDING 258/4, PROSPECT SUYINBAI, ALMATY, Kazakhstan"]
    );
    assert_eq!(e.get(prop::COUNTRY), ["kz"]);
    assert_eq!(e.get(prop::WEBSITE), ["https://armtek.kz/"]);
    assert_eq!(
        e.get(prop::REGISTRATION_NUMBER),
        ["Kazakhstan BIN - 170440031562"]
    );
    assert_eq!(e.listing(prop::PROGRAM), ["Russia"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2024-11-07"]);
    assert_eq!(e.get(prop::MODIFIED_AT), ["2025-01-09"]);
    assert!(has_note(e, "UK Sanctions List Ref: RUS2305"));
}

/// Group 13647: a ship whose IMO number, flag, type, tonnage and year are
/// given inside "Other Information"; eight AKA rows.
#[test]
fn ofsi_ship_with_imo() {
    let e = entity(ofsi_2025(), "gb_hmt_sanctions:13647");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.get(prop::NAME), ["CHON MYONG 1"]);
    assert_eq!(
        set(e, prop::ALIAS),
        strings(&[
            "CHIE MARU NO.6",
            "EASTERN LUCK",
            "JU JAK BONG 5",
            "JUJAKBONG5",
            "JUJAKBONH-5",
            "M/V CHON MYONG 1",
            "ZU ZAG BONG 5",
            "ZUZAGBONG-5",
        ])
    );
    assert_eq!(e.get(prop::IMO_NUMBER), ["8712362"]);
    assert_eq!(e.get(prop::FLAG), ["kp"]);
    assert_eq!(e.get(prop::TYPE), ["Oil tanker"]);
    assert_eq!(e.get(prop::TONNAGE), ["1220"]);
    assert_eq!(e.get(prop::BUILD_DATE), ["1987"]);
    // FtM's `owner` refers to an entity: the publisher's free text is a note.
    assert!(e.get(prop::OWNER).is_empty());
    assert!(has_note(e, "owner: Chonmyong Shipping Co"));
    assert_eq!(
        e.listing(prop::PROGRAM),
        ["Democratic People's Republic of Korea"]
    );
    assert_eq!(e.listing(prop::LISTING_DATE), ["2018-04-03"]);
    assert_eq!(e.get(prop::MODIFIED_AT), ["2020-12-31"]);
    assert!(has_note(e, "UK Sanctions List Ref: DPR0096"));
    assert!(has_note(e, "UK Sanctions List date designated: 2018-03-30"));
}

/// Group 16601 has no "Primary name" row, only three variations: the first
/// in sheet order becomes the name.
#[test]
fn ofsi_group_without_primary_name_row() {
    let e = entity(ofsi_2025(), "gb_hmt_sanctions:16601");
    assert_eq!(
        e.get(prop::NAME),
        ["33RD SCIENTIFIC RESEARCH AND TESTING INSTITUTE"]
    );
    assert_eq!(
        set(e, prop::ALIAS),
        strings(&[
            "33RD TSNIII",
            "FEDERAL STATE BUDGETARY ESTABLISHMENT 27 SCIENTIFIC CENTRE OF THE MINISTRY OF DEFENCE OF THE RUSSIAN FEDERATION",
        ])
    );
    assert_eq!(e.get(prop::EMAIL), ["33cnii-zakupki@mil.ru"]);
    assert_eq!(e.get(prop::PHONE), ["+7 343 2559988"]);
    assert_eq!(
        e.get(prop::WEBSITE),
        ["https://ens.mil.ru/science/SRI/information.htm?id=12027@morfOrgScience"]
    );
    assert_eq!(
        e.get(prop::ADDRESS),
        ["Ulitsa Krasnoznamennaya Street 1, Volsk-18, Saratov Oblast, Shikhany, 412918, Russia"]
    );
    assert_eq!(e.listing(prop::PROGRAM), ["Chemical Weapons"]);
}

/// The Excel re-saved 2023 file: same layout, header on row 2 under the
/// "Last Updated" line.
#[test]
fn ofsi_2023_file() {
    let p = ofsi_2023();
    assert_eq!(p.entities.len(), 3993);
    assert_eq!(p.published.as_deref(), Some("2023-06-05"));
    let e = entity(p, "gb_hmt_sanctions:7059");
    assert_eq!(e.get(prop::NAME), ["Said BAHAJI"]);
    assert_eq!(
        set(e, prop::WEAK_ALIAS),
        strings(&["Mohamed ABBATTAY", "Abderrahmane AL MAGHRIBI"])
    );
    assert_eq!(e.get(prop::BIRTH_DATE), ["1975-07-15"]);
    assert_eq!(
        set(e, prop::PASSPORT_NUMBER),
        strings(&["28642163", "954242"])
    );
    let ship = entity(p, "gb_hmt_sanctions:13647");
    assert_eq!(ship.schema, Schema::Vessel);
    assert_eq!(ship.listing(prop::LISTING_DATE), ["2018-04-03"]);
    assert_eq!(ship.get(prop::ALIAS).len(), 8);
}

// ---------------------------------------------------------------- Australia

#[test]
fn au_counts_and_date() {
    let p = au_dfat();
    assert_eq!(p.entities.len(), 3062);
    assert_eq!(p.published.as_deref(), Some("2024-11-11"));
    let count = |s: Schema| p.entities.iter().filter(|e| e.schema == s).count();
    assert_eq!(count(Schema::Person), 2316);
    assert_eq!(count(Schema::Organization), 746);
    // Alias rows ("2a", "34c1") never become entities of their own.
    assert!(p.entities.iter().all(|e| {
        e.id.rsplit(':')
            .next()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    }));
}

/// Reference 2 and its original-script row 2a.
#[test]
fn au_primary_and_original_script_rows_merge() {
    let e = entity(au_dfat(), "au_dfat_sanctions:2");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get(prop::NAME), ["MOHAMMAD HASSAN AKHUND"]);
    assert_eq!(e.get(prop::ALIAS), ["محمد حسن أخوند"]);
    assert_eq!(
        e.get(prop::BIRTH_DATE),
        [
            "1955", "1956", "1957", "1958", "1945", "1946", "1947", "1948", "1949", "1950"
        ]
    );
    assert!(has_note(
        e,
        "birth date approximate: a) Approximately 1955- 1958 b) Approximately 1945-1950"
    ));
    assert_eq!(
        e.get(prop::BIRTH_PLACE),
        ["Pashmul village, Panjwai District, Kandahar Province, Afghanistan"]
    );
    assert_eq!(e.get(prop::CITIZENSHIP), ["af"]);
    assert!(e.get(prop::ADDRESS).is_empty(), "the address is 'NA'");
    assert_eq!(e.listing(prop::PROGRAM), ["1988 (Taliban)"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2001-01-25"]);
    assert_eq!(e.get(prop::MODIFIED_AT), ["2014-12-15"]);
}

/// Reference 5 with aka rows 5a–5d and the original-script row 5e.
#[test]
fn au_aka_rows_merge() {
    let e = entity(au_dfat(), "au_dfat_sanctions:5");
    assert_eq!(e.get(prop::NAME), ["Muhammad Taher Anwari"]);
    assert_eq!(
        e.get(prop::ALIAS),
        [
            "Mohammad Taher Anwari",
            "Muhammad Tahir Anwari",
            "Haji Mudir",
            "Mohammad Tahre Anwari",
            "محمد طاهر أنوري"
        ]
    );
    assert_eq!(e.get(prop::BIRTH_DATE), ["1961"]);
    assert_eq!(
        e.get(prop::BIRTH_PLACE),
        ["Zurmat district, Paktia province, Afghanistan"]
    );
}

/// Reference 34: second-level rows (34c1, 34f1), a "(previously listed
/// as)" row, and alias rows with their own dates and places of birth.
#[test]
fn au_previous_names_and_per_alias_details() {
    let e = entity(au_dfat(), "au_dfat_sanctions:34");
    assert_eq!(e.get(prop::NAME), ["Abdul Jalil Haqqani Wali Mohammad"]);
    assert_eq!(e.get(prop::PREVIOUS_NAME), ["Abdul Jalil Haqqani"]);
    assert_eq!(
        set(e, prop::ALIAS),
        strings(&[
            "عبد الجليل حقانی ولی محمد",
            "Abdul Jalil Akhund",
            "Akhter Mohmad son of Noor Mohmad",
            "اختر محمد ولد نور محمد",
            "Nazar Jan",
            "Haji Gulab Gul",
            "حاجی گلاب گل ولد حاجی حضرت گل",
        ])
    );
    assert_eq!(set(e, prop::BIRTH_DATE), strings(&["1963", "1965", "1955"]));
    assert_eq!(
        set(e, prop::BIRTH_PLACE),
        strings(&[
            "Khwaja Malik, Arghandab District, Kandahar Province, Afghanistan",
            "Kandahar City, Kandahar Province, Afghanistan",
            "Kandahar, Afghanistan",
            "Logar, Afghanistan",
        ])
    );
    assert_eq!(
        e.listing(prop::LISTING_DATE)
            .iter()
            .cloned()
            .collect::<BTreeSet<String>>(),
        strings(&["2001-01-25", "2014-05-16"])
    );
    assert_eq!(e.get(prop::MODIFIED_AT), ["2014-05-19"]);
}

/// Reference 2947: an entity with two lettered addresses and a company IMO
/// number in its additional information.
#[test]
fn au_entity_with_addresses_and_imo() {
    let e = entity(au_dfat(), "au_dfat_sanctions:2947");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(
        e.get(prop::NAME),
        ["OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)"]
    );
    assert_eq!(
        e.get(prop::ALIAS),
        [
            "East Sea Shipping Company",
            "Korea Mirae Shipping Co. Ltd",
            "Haeyang Crew Management Company"
        ]
    );
    assert_eq!(
        e.get(prop::ADDRESS),
        [
            "Donghung Dong, Central District, PO Box 120, Pyongyang, Democratic People's Republic of Korea",
            "Dongheung-dong Changgwang Street, Chung-Ku, PO Box 125, Pyongyang, Democratic People's Republic of Korea"
        ]
    );
    assert_eq!(e.get(prop::COUNTRY), ["kp"]);
    assert_eq!(e.get(prop::IMO_NUMBER), ["1790183"]);
    assert_eq!(e.listing(prop::PROGRAM), ["1718 (DPRK)"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2014-07-28"]);
    assert_eq!(e.get(prop::MODIFIED_AT), ["2022-08-03"]);
    assert!(e.get(prop::BIRTH_DATE).is_empty());
}

// ---------------------------------------------------------------- Canada

#[test]
fn sema_counts_and_ids() {
    let p = ca_sema();
    assert_eq!(p.entities.len(), 4759);
    assert_eq!(p.published, None, "the file states no date");
    let ids: BTreeSet<&str> = p.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 4759, "ids are unique");
    let count = |s: Schema| p.entities.iter().filter(|e| e.schema == s).count();
    assert_eq!(count(Schema::Vessel), 109);
    assert_eq!(
        count(Schema::Person) + count(Schema::Organization) + count(Schema::Vessel),
        4759
    );
}

#[test]
fn sema_person() {
    let e = entity(ca_sema(), "ca_dfatd_sema_sanctions:by-1p1-8");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get(prop::NAME), ["Aleksandr Grigoryevich Lukashenko"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Aleksandr Grigoryevich"]);
    assert_eq!(e.get(prop::LAST_NAME), ["Lukashenko"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1954-08-30"]);
    assert_eq!(e.listing(prop::PROGRAM), ["Belarus"]);
    assert!(
        e.get(prop::NATIONALITY).is_empty(),
        "the regime is not a nationality"
    );
    assert_eq!(e.listing(prop::LISTING_DATE), ["2020-09-28"]);
    assert!(has_note(
        e,
        "Canadian sanctions regime: Belarus / Bélarus; Schedule 1, Part 1; Item 8"
    ));
}

#[test]
fn sema_person_with_aliases_in_two_scripts() {
    let e = entity(ca_sema(), "ca_dfatd_sema_sanctions:by-1p1-99");
    assert_eq!(e.get(prop::NAME), ["Ruslan Khikmetavich MASHADZIYEU"]);
    assert_eq!(
        e.get(prop::ALIAS),
        [
            "Ruslan Khikmetavich MASHADZEOU",
            "Ruslan Chikmetovič MAŠADZEV",
            "Mashadiyev Ruslan Khikmetovich",
            "Ruslan Khikmetovich MASHADIYEV",
            "Руслан Хiкметовiч МАШАДЗЕЎ",
            "Руслан Хикметович МАШАДИЕВ"
        ]
    );
    assert!(e.get(prop::WEAK_ALIAS).is_empty());
    assert_eq!(e.listing(prop::LISTING_DATE), ["2024-04-12"]);

    let e = entity(ca_sema(), "ca_dfatd_sema_sanctions:hta-p1-1");
    assert_eq!(e.get(prop::NAME), ["Yahya Sinwar"]);
    assert_eq!(
        e.get(prop::ALIAS),
        ["Yehya Sinwar", "Abu Ibrahim", "يحيى السنوار"]
    );
    assert_eq!(e.get(prop::BIRTH_DATE), ["1962-10-29"]);
    assert_eq!(e.listing(prop::PROGRAM), ["Hamas Terrorist Attacks"]);
}

#[test]
fn sema_vessel_with_imo() {
    let e = entity(ca_sema(), "ca_dfatd_sema_sanctions:ru-1.1-1");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.get(prop::NAME), ["Balitiyskiy III"]);
    assert_eq!(e.get(prop::IMO_NUMBER), ["7612448"]);
    assert_eq!(e.get(prop::TYPE), ["General Cargo / Multi Purpose"]);
    assert_eq!(e.get(prop::BUILD_DATE), ["1980"]);
    assert!(e.get(prop::BIRTH_DATE).is_empty());
    assert_eq!(e.listing(prop::PROGRAM), ["Russia"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2025-02-21"]);
}

#[test]
fn sema_organisations() {
    let e = entity(ca_sema(), "ca_dfatd_sema_sanctions:ru-1p2-72");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.get(prop::NAME), ["VEB"]);
    assert_eq!(e.get(prop::ALIAS), ["ВЭБ", "Vnesheconombank", "VEB.RF"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2022-02-24"]);

    let e = entity(ca_sema(), "ca_dfatd_sema_sanctions:sd-p2-3");
    assert_eq!(e.get(prop::NAME), ["Defence Industries System"]);
    assert_eq!(
        e.get(prop::ALIAS),
        [
            "Military Industry Corporation",
            "Defense Industries Corporation and Defense Industry System",
            "Defense Industries Corporation",
            "Defense Industry System",
            "هيئة التصنيع الحربي",
            "منظومة الصناعية الدفاعية"
        ]
    );
    assert_eq!(e.listing(prop::PROGRAM), ["Sudan"]);

    // A regime that is not a country, and a record without a schedule.
    let e = entity(ca_sema(), "ca_dfatd_sema_sanctions:jvcfor-1");
    assert_eq!(e.get(prop::NAME), ["Nicolás MADURO MOROS"]);
    assert_eq!(
        e.listing(prop::PROGRAM),
        ["Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)"]
    );
    assert_eq!(e.listing(prop::LISTING_DATE), ["2017-11-03"]);
}

// ---------------------------------------------------------------- detection

#[test]
fn formats_are_detected_from_content() {
    let ofsi = common::read_raw(&[OFSI_2025]);
    assert_eq!(xlsx::detect(&ofsi[0]), Some(Format::OfsiXlsx));
    assert_eq!(parse::detect_format(&ofsi).ok(), Some(Format::OfsiXlsx));
    let au = common::read_raw(&[AU_DFAT]);
    assert_eq!(xlsx::detect(&au[0]), Some(Format::AuDfatXlsx));
    let sema = common::read_raw(&[CA_SEMA]);
    assert_eq!(parse::detect_format(&sema).ok(), Some(Format::CaSemaXml));
}

// ---------------------------------------------------------------- bad input

/// A minimal xlsx workbook (inline strings) with one sheet of the given name.
fn workbook(sheet: &str, rows: &[&[&str]]) -> Vec<u8> {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let mut sheet_xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, cells) in rows.iter().enumerate() {
        sheet_xml.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, v) in cells.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let col = if c < 26 {
                ((b'A' + c as u8) as char).to_string()
            } else {
                format!("A{}", (b'A' + (c - 26) as u8) as char)
            };
            sheet_xml.push_str(&format!(
                "<c r=\"{col}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                r + 1,
                esc(v)
            ));
        }
        sheet_xml.push_str("</row>");
    }
    sheet_xml.push_str("</sheetData></worksheet>");
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                esc(sheet)
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ];
    zip_of(
        &parts
            .iter()
            .map(|(n, d)| (*n, d.as_str()))
            .collect::<Vec<_>>(),
    )
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const OFSI_HEADER: [&str; 36] = [
    "Name 6",
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "Title",
    "Name Non-Latin Script",
    "Non-Latin Script Type",
    "Non-Latin Script Language",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
    "Position",
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Alias Quality",
    "Regime",
    "Listed On",
    "UK Sanctions List Date Designated",
    "Last Updated",
    "Group ID",
];

/// Two rows of OFSI group 15672 (typed from the 2025 file) under a header
/// row, in a sheet that is not called "Data".
fn small_ofsi_workbook(sheet: &str) -> Vec<u8> {
    fn row(name6: &'static str, alias_type: &'static str) -> Vec<&'static str> {
        let mut r = vec![""; 36];
        r[0] = name6;
        r[1] = "Mian";
        r[12] = "Pakistan";
        r[13] = "Pakistan";
        r[18] = "Cleric (“Pir”) of Bharchundi Sharif Shrine";
        r[19] = "Hafizabad Taluka Daharki";
        r[20] = "District Ghotki";
        r[26] = "Pakistan";
        r[27] = "(UK Sanctions List Ref):GHR0086. (Gender):Male";
        r[28] = "Individual";
        r[29] = alias_type;
        r[31] = "Global Human Rights";
        r[32] = "09/12/2022";
        r[33] = "09/12/2022";
        r[34] = "09/12/2022";
        r[35] = "15672";
        r
    }
    let r1 = row("MITHOO", "Primary name variation");
    let r2 = row("MITHU", "Primary name variation");
    let rows: Vec<&[&str]> = vec![
        &["Last Updated", "14/04/2025"],
        &OFSI_HEADER,
        r1.as_slice(),
        r2.as_slice(),
    ];
    workbook(sheet, &rows)
}

#[test]
fn renamed_sheet_still_parses() {
    let file = SourceFile::new(
        "ConList.xlsx",
        small_ofsi_workbook("Consolidated list 2025"),
    );
    assert_eq!(xlsx::detect(&file), Some(Format::OfsiXlsx));
    let p = parse::parse(Format::OfsiXlsx, "gb_hmt_sanctions", &[file]).unwrap();
    assert_eq!(p.published.as_deref(), Some("2025-04-14"));
    assert_eq!(p.entities.len(), 1);
    let e = &p.entities[0];
    assert_eq!(e.id, "gb_hmt_sanctions:15672");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.get(prop::NAME), ["Mian MITHOO"]);
    assert_eq!(e.get(prop::ALIAS), ["Mian MITHU"]);
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get(prop::NATIONALITY), ["pk"]);

    let au = workbook(
        "Whatever",
        &[
            &[
                "Reference",
                "Name of Individual or Entity",
                "Type",
                "Name Type",
                "Date of Birth",
            ],
            &[
                "2",
                "MOHAMMAD HASSAN AKHUND",
                "Individual",
                "Primary Name",
                "a) Approximately 1955- 1958 b) Approximately 1945-1950",
            ],
            &["2a", "محمد حسن أخوند", "Individual", "Original Script", ""],
        ],
    );
    let file = SourceFile::new("regulation8_consolidated.xlsx", au);
    assert_eq!(xlsx::detect(&file), Some(Format::AuDfatXlsx));
    let p = parse::parse(Format::AuDfatXlsx, "au_dfat_sanctions", &[file]).unwrap();
    assert_eq!(p.entities.len(), 1);
    assert_eq!(p.entities[0].get(prop::ALIAS), ["محمد حسن أخوند"]);
}

#[test]
fn workbook_without_the_expected_headers_is_an_error_naming_the_file() {
    let file = SourceFile::new(
        "ConList.xlsx",
        workbook("Data", &[&["Name", "Group"], &["X", "1"]]),
    );
    assert_eq!(xlsx::detect(&file), None);
    let err = parse::parse(Format::OfsiXlsx, "gb_hmt_sanctions", &[file]).unwrap_err();
    assert_eq!(err.file, "ConList.xlsx");
    assert!(
        err.message.contains("no sheet has the expected header row"),
        "{err}"
    );
    assert!(err.message.contains("'Data'"), "{err}");

    // A header row but no data.
    let file = SourceFile::new("ConList.xlsx", workbook("Data", &[&OFSI_HEADER]));
    let err = parse::parse(Format::OfsiXlsx, "gb_hmt_sanctions", &[file]).unwrap_err();
    assert!(err.message.contains("no data rows"), "{err}");
}

#[test]
fn zip_that_is_not_a_workbook_is_an_error_naming_the_file() {
    let file = SourceFile::new(
        "regulation8_consolidated.xlsx",
        zip_of(&[("readme.txt", "not a spreadsheet")]),
    );
    assert_eq!(xlsx::detect(&file), None);
    let err = parse::parse(Format::AuDfatXlsx, "au_dfat_sanctions", &[file]).unwrap_err();
    assert_eq!(err.file, "regulation8_consolidated.xlsx");
    assert!(
        err.message.contains("not a readable xlsx workbook"),
        "{err}"
    );

    let file = SourceFile::new("ConList.xlsx", b"Name 6,Group ID\nX,1\n".to_vec());
    let err = parse::parse(Format::OfsiXlsx, "gb_hmt_sanctions", &[file]).unwrap_err();
    assert_eq!(err.file, "ConList.xlsx");
}

#[test]
fn bad_rows_are_errors_with_their_row_number() {
    let mut no_id = vec![""; 36];
    no_id[0] = "SOMEONE";
    no_id[28] = "Individual";
    let file = SourceFile::new(
        "ConList.xlsx",
        workbook(
            "Data",
            &[&["Last Updated", "14/04/2025"], &OFSI_HEADER, &no_id],
        ),
    );
    let err = parse::parse(Format::OfsiXlsx, "gb_hmt_sanctions", &[file]).unwrap_err();
    assert_eq!(
        err.location,
        Some(Location::Row {
            sheet: "Data".into(),
            row: 3
        })
    );
    assert!(err.message.contains("Group ID"), "{err}");

    let file = SourceFile::new(
        "regulation8_consolidated.xlsx",
        workbook(
            "Sheet1",
            &[
                &[
                    "Reference",
                    "Name of Individual or Entity",
                    "Type",
                    "Name Type",
                ],
                &["x12", "Someone", "Individual", "Primary Name"],
            ],
        ),
    );
    let err = parse::parse(Format::AuDfatXlsx, "au_dfat_sanctions", &[file]).unwrap_err();
    assert_eq!(
        err.location,
        Some(Location::Row {
            sheet: "Sheet1".into(),
            row: 2
        })
    );
}

/// Three records typed from sema-lista.xml.
const SMALL_SEMA: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<data-set xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
	<record>
		<Country>Belarus / Bélarus</Country>
		<LastName>Lukashenko</LastName>
		<GivenName>Aleksandr Grigoryevich</GivenName>
		<DateOfBirthOrShipBuildDate>1954-08-30</DateOfBirthOrShipBuildDate>
		<Schedule>1, Part 1</Schedule>
		<Item>8</Item>
		<DateOfListing>2020-09-28</DateOfListing>
	</record>
	<record>
		<Country>Russia / Russie</Country>
		<EntityOrShip>VEB</EntityOrShip>
		<Aliases>ВЭБ; Vnesheconombank, VEB.RF</Aliases>
		<Schedule>1, Part 2</Schedule>
		<Item>72</Item>
		<DateOfListing>2022-02-24</DateOfListing>
	</record>
	<record>
		<Country>Russia / Russie</Country>
		<EntityOrShip>Balitiyskiy III</EntityOrShip>
		<TitleOrShip>General Cargo / Multi Purpose</TitleOrShip>
		<ShipIMONumber>7612448</ShipIMONumber>
		<DateOfBirthOrShipBuildDate>1980</DateOfBirthOrShipBuildDate>
		<Schedule>1.1</Schedule>
		<Item>1</Item>
		<DateOfListing>2025-02-21</DateOfListing>
	</record>
</data-set>
"#;

fn sema(text: &[u8]) -> Result<ParsedList, parse::ParseError> {
    parse::parse(
        Format::CaSemaXml,
        "ca_dfatd_sema_sanctions",
        &[SourceFile::new("sema-lista.xml", text.to_vec())],
    )
}

#[test]
fn small_sema_document() {
    let p = sema(SMALL_SEMA.as_bytes()).unwrap();
    let ids: Vec<&str> = p.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "ca_dfatd_sema_sanctions:by-1p1-8",
            "ca_dfatd_sema_sanctions:ru-1p2-72",
            "ca_dfatd_sema_sanctions:ru-1.1-1"
        ]
    );
}

#[test]
fn truncated_sema_is_an_error_with_a_byte_offset() {
    let cut = SMALL_SEMA.find("<Item>72").unwrap();
    let err = sema(&SMALL_SEMA.as_bytes()[..cut]).unwrap_err();
    assert_eq!(err.file, "sema-lista.xml");
    match &err.location {
        Some(Location::Byte(b)) => assert!(*b > 0 && *b <= cut as u64, "{err}"),
        other => panic!("expected a byte offset, got {other:?} ({err})"),
    }
    assert!(err.message.contains("end of file"), "{err}");

    // A record broken by a wrong end tag.
    let broken = SMALL_SEMA.replacen("</Item>", "</Itme>", 1);
    let err = sema(broken.as_bytes()).unwrap_err();
    assert!(matches!(err.location, Some(Location::Byte(_))), "{err}");

    // Another XML document is not a SEMA list.
    let err = sema(b"<sdnList><sdnEntry/></sdnList>").unwrap_err();
    assert!(err.message.contains("data-set"), "{err}");
    // A SEMA list without records.
    let err = sema(b"<data-set></data-set>").unwrap_err();
    assert!(err.message.contains("no <record>"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512), zip_magic in any::<bool>()) {
        let mut bytes = if zip_magic { b"PK\x03\x04".to_vec() } else { Vec::new() };
        bytes.extend(data);
        let files = [SourceFile::new("x.xlsx", bytes)];
        let _ = parse::parse(Format::OfsiXlsx, "gb_hmt_sanctions", &files);
        let _ = parse::parse(Format::AuDfatXlsx, "au_dfat_sanctions", &files);
        let _ = parse::parse(Format::CaSemaXml, "ca_dfatd_sema_sanctions", &files);
        let _ = xlsx::detect(&files[0]);
    }

    #[test]
    fn truncated_workbooks_never_panic(cut in 0usize..100_000, flip in any::<(usize, u8)>()) {
        let wb = small_ofsi_workbook("Data");
        let cut = cut % (wb.len() + 1);
        let _ = parse::parse(
            Format::OfsiXlsx,
            "gb_hmt_sanctions",
            &[SourceFile::new("ConList.xlsx", wb[..cut].to_vec())],
        );
        // One corrupted byte anywhere in an intact workbook.
        let mut bad = wb.clone();
        let i = flip.0 % bad.len();
        bad[i] ^= flip.1 | 1;
        let _ = parse::parse(
            Format::OfsiXlsx,
            "gb_hmt_sanctions",
            &[SourceFile::new("ConList.xlsx", bad)],
        );
    }

    #[test]
    fn truncated_sema_never_panics(cut in 0usize..SMALL_SEMA.len()) {
        let result = sema(&SMALL_SEMA.as_bytes()[..cut]);
        // The complete document ends at "</data-set>"; any shorter prefix
        // that cuts into it must be rejected, not half-imported.
        if cut < SMALL_SEMA.find("</data-set>").unwrap() {
            prop_assert!(result.is_err());
        }
    }
}
