//! The CSV / NDJSON list parsers on the real files in `../shared/lists-raw`
//! (US CSL, BIS Denied Persons, OpenSanctions simple CSV and FtM NDJSON) and
//! on hand-written fixtures (custom lists, error cases). Expected values were
//! typed from the source files.

mod common;

use proptest::prelude::*;
use screener::model::{Entity, Schema, prop};
use screener::parse::{self, Format, Location, ParsedList, SourceFile};
use sha2::{Digest, Sha256};

fn find<'a>(list: &'a ParsedList, id: &str) -> &'a Entity {
    list.entities
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entity {id}"))
}

fn has_note(e: &Entity, note: &str) -> bool {
    e.get(prop::NOTES).iter().any(|n| n == note)
}

fn file(name: &str, text: &str) -> Vec<SourceFile> {
    vec![SourceFile::new(name, text.as_bytes().to_vec())]
}

// ---------------------------------------------------------------------------
// US trade.gov Consolidated Screening List
// ---------------------------------------------------------------------------

fn csl() -> ParsedList {
    let files = common::read_raw(&["us_trade_csl/2022-05/consolidated.csv.gz"]);
    parse::parse(Format::UsCslCsv, "us_trade_csl", &files).expect("CSL parses")
}

#[test]
fn csl_real_file() {
    let list = csl();
    assert_eq!(list.entities.len(), 14160);
    assert_eq!(list.published, None);

    // SDN individual with a passport, a national ID and aliases.
    let e = find(&list, "us_trade_csl:17291");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(
        e.caption,
        "'ABD AL-SALAM, 'Abd al-Malik Muhammad Yusuf 'Uthman"
    );
    assert_eq!(e.get(prop::LAST_NAME), ["'ABD AL-SALAM"]);
    assert_eq!(
        e.get(prop::FIRST_NAME),
        ["'Abd al-Malik Muhammad Yusuf 'Uthman"]
    );
    assert_eq!(
        e.get(prop::ALIAS),
        [
            "'ABD-AL-SALAM, 'Abd al-Malik Muhammad Yusif",
            "'Umar al-Qatari",
            "'Umar al-Tayyar"
        ]
    );
    assert_eq!(e.get(prop::BIRTH_DATE), ["1989-07-13"]);
    assert_eq!(e.get(prop::NATIONALITY), ["jo"]);
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["K475336"]);
    assert_eq!(e.get(prop::ID_NUMBER), ["28940000602"]);
    assert!(has_note(
        e,
        "Passport: K475336 (JO, 2014-08-30, 2009-08-31)"
    ));
    assert!(has_note(e, "National ID No.: 28940000602 (QA)"));
    assert_eq!(
        e.listing(prop::PROGRAM),
        [
            "Specially Designated Nationals (SDN) - Treasury Department",
            "SDGT"
        ]
    );
    assert_eq!(
        e.listing(prop::SOURCE_URL),
        ["http://bit.ly/1I7ipyR", "http://bit.ly/1MLgpye"]
    );

    // Several years of birth and a place of birth.
    let e = find(&list, "us_trade_csl:26095");
    assert_eq!(e.caption, "'ABD AL-NASIR, Hajji");
    assert_eq!(e.get(prop::BIRTH_DATE), ["1967", "1966", "1968"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Tall 'Afar, Iraq"]);
    assert_eq!(e.get(prop::NATIONALITY), ["iq"]);
    assert_eq!(e.get(prop::COUNTRY), ["sy"]);
    assert_eq!(
        e.get(prop::ALIAS),
        [
            "ABDELNASSER, Hajji",
            "ABD AL-NASR, Hajji",
            "AL-KHUWAYT, Taha"
        ]
    );

    // Vessel: IMO, MMSI, call sign, flag, tonnage, former flags in notes.
    let e = find(&list, "us_trade_csl:15052");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.caption, "AMBER");
    assert_eq!(e.get(prop::ALIAS), ["HARAZ", "FREEDOM"]);
    assert_eq!(e.get(prop::IMO_NUMBER), ["9357406"]);
    assert_eq!(e.get(prop::MMSI), ["677049700"]);
    assert_eq!(e.get(prop::CALL_SIGN), ["5IM 597"]);
    assert_eq!(e.get(prop::TYPE), ["Crude Oil Tanker"]);
    assert_eq!(e.get(prop::TONNAGE), ["317356"]);
    assert_eq!(e.get("grossRegisteredTonnage"), ["163660"]);
    assert_eq!(e.get(prop::FLAG), ["pa"]);
    assert!(has_note(e, "Former Vessel Flag: Cyprus"));
    assert!(has_note(e, "(Linked To: NATIONAL IRANIAN TANKER COMPANY)"));
    assert_eq!(
        e.listing(prop::PROGRAM),
        [
            "Specially Designated Nationals (SDN) - Treasury Department",
            "IRAN"
        ]
    );

    // Crypto wallets, phone, e-mail, gender, address with country.
    let e = find(&list, "us_trade_csl:29703");
    assert_eq!(e.caption, "ANDREYEV, Anton Nikolaeyvich");
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["4005504207"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1985-03-03"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Saint Petersburg, Russia"]);
    assert_eq!(
        e.get(prop::ADDRESS),
        ["9 3 Bloshevikov Prospect Apt 35, Saint Petersburg, RU"]
    );
    assert_eq!(e.get(prop::COUNTRY), ["ru"]);
    let wallets = e.wallets();
    assert!(wallets.contains(&"XBT:1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3".to_string()));
    assert!(wallets.contains(&"LTC:LWnbjLYUfqeokfbWM4FcU7uk2FP2DSxuWS".to_string()));
    assert!(wallets.contains(&"ETH:0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c".to_string()));
    assert!(wallets.contains(&"BSV:12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9".to_string()));
    assert_eq!(wallets.len(), 17);
    assert!(e.get(prop::PHONE).is_empty());
    assert!(has_note(e, "phone: 79315403678"));
    assert_eq!(e.get(prop::EMAIL), ["antonandreyv@gmail.com"]);
    assert_eq!(
        e.listing(prop::PROGRAM),
        [
            "Specially Designated Nationals (SDN) - Treasury Department",
            "ELECTION-EO13848",
            "CYBER2"
        ]
    );

    // Aircraft.
    let e = find(&list, "us_trade_csl:15445");
    assert_eq!(e.schema, Schema::Airplane);
    assert_eq!(e.caption, "EK-30064");
    assert_eq!(e.get(prop::MODEL), ["A300B4-605R"]);
    assert_eq!(e.get(prop::SERIAL_NUMBER), ["464"]);
    assert_eq!(e.get(prop::BUILD_DATE), ["1988-05-17"]);
    assert!(has_note(e, "Aircraft Operator: MAHAN AIR"));

    // Entity List row: no type, hashed id, licence fields, listing date.
    let e = find(
        &list,
        "us_trade_csl:78026c244617ebc131763ee487ba97c50a61c825",
    );
    assert_eq!(e.schema, Schema::LegalEntity);
    assert_eq!(
        e.caption,
        "Al Technique Corporation of Pakistan, Ltd. (ATCOP)"
    );
    assert!(e.get(prop::FIRST_NAME).is_empty());
    assert_eq!(
        e.get(prop::ADDRESS),
        ["4th Floor, Dodhy Plaza, 52 Jinnah Avenue, P.O. Box 1878, Islamabad, PK"]
    );
    assert_eq!(e.get(prop::COUNTRY), ["pk"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2001-10-01"]);
    assert!(has_note(
        e,
        "license requirement: For all items subject to the EAR"
    ));
    assert!(has_note(
        e,
        "license policy: Case-by-case for all items listed on the CCL. Presumption of approval for EAR99 items"
    ));
    assert!(has_note(
        e,
        "Federal Register notice: 63 FR 64322 (11/19/98), 65 FR 14444 (03/17/00), 66 FR 50090 (10/01/01), 77 FR 58006 (no. 182)"
    ));
    assert_eq!(
        e.listing(prop::PROGRAM),
        ["Entity List (EL) - Bureau of Industry and Security"]
    );
}

#[test]
fn csl_rows_sharing_an_entity_number_get_distinct_ids() {
    let list = csl();
    // BANK BELVEB OJSC is on the SDN, CAP and SSI lists under entity number 18291.
    for (id, sub_list) in [
        (
            "us_trade_csl:18291",
            "Specially Designated Nationals (SDN) - Treasury Department",
        ),
        (
            "us_trade_csl:18291-CAP",
            "Capta List (CAP) - Treasury Department",
        ),
        (
            "us_trade_csl:18291-SSI",
            "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
        ),
    ] {
        let e = find(&list, id);
        assert_eq!(e.caption, "BANK BELVEB OJSC");
        assert_eq!(e.schema, Schema::Organization);
        assert_eq!(
            e.listing(prop::PROGRAM).first().map(String::as_str),
            Some(sub_list)
        );
        assert_eq!(e.get(prop::SWIFT_BIC), ["BELBBY2X"]);
        assert_eq!(e.get(prop::TAX_NUMBER), ["7750004150"]);
        assert_eq!(e.get(prop::INCORPORATION_DATE), ["1991-12-23"]);
        assert_eq!(e.get(prop::COUNTRY), ["by"]);
    }
    // BANK OF KUNLUN appears twice on the CAP list.
    assert_eq!(
        find(&list, "us_trade_csl:15268-CAP").caption,
        "BANK OF KUNLUN CO LTD"
    );
    assert_eq!(
        find(&list, "us_trade_csl:15268-CAP-2").caption,
        "BANK OF KUNLUN CO LTD"
    );
}

const CSL_HEADER: &str = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids";

/// Two rows typed from the 2022-05 file.
fn csl_fixture() -> String {
    format!(
        "{CSL_HEADER}\n\
21944,Specially Designated Nationals (SDN) - Treasury Department,21944,Individual,SYRIA,\"'ABBAS, Rim\",Scientific Studies and Research Center Employee,SY,,,,,,,,,,,,,,http://bit.ly/1I7ipyR,\"\",\"\",1973-03-25,SY,\"\",http://bit.ly/1MLgpye,\"\"\n\
24904,Specially Designated Nationals (SDN) - Treasury Department,24904,Individual,SYRIA,\"'ABBAS, Yasir\",,\"\",,,,,,,,,,,,,,http://bit.ly/1I7ipyR,\"'ABBAS, Yasir 'Aziz\",\"\",1978-08-22,SY,\"\",http://bit.ly/1MLgpye,\"Male, Gender\"\n"
    )
}

#[test]
fn csl_fixture_and_extra_columns() {
    let list = parse::parse(
        Format::UsCslCsv,
        "us_trade_csl",
        &file("c.csv", &csl_fixture()),
    )
    .unwrap();
    assert_eq!(list.entities.len(), 2);
    let e = find(&list, "us_trade_csl:21944");
    assert_eq!(
        e.get(prop::TITLE),
        ["Scientific Studies and Research Center Employee"]
    );
    assert_eq!(e.get(prop::COUNTRY), ["sy"]);
    // An address that is only a country code is kept as the country.
    assert!(e.get(prop::ADDRESS).is_empty());
    let e = find(&list, "us_trade_csl:24904");
    assert_eq!(e.get(prop::ALIAS), ["'ABBAS, Yasir 'Aziz"]);
    assert_eq!(e.get(prop::GENDER), ["male"]);

    // An unknown extra column is ignored.
    let extra = csl_fixture()
        .lines()
        .map(|l| format!("{l},extra"))
        .collect::<Vec<_>>()
        .join("\n");
    let list = parse::parse(Format::UsCslCsv, "us_trade_csl", &file("c.csv", &extra)).unwrap();
    assert_eq!(list.entities.len(), 2);
}

#[test]
fn csl_missing_column_is_named() {
    let text = csl_fixture().replacen(",ids\n", ",identifiers\n", 1);
    let err = parse::parse(
        Format::UsCslCsv,
        "us_trade_csl",
        &file("consolidated.csv", &text),
    )
    .unwrap_err();
    assert_eq!(err.file, "consolidated.csv");
    assert_eq!(err.location, Some(Location::Line(1)));
    assert!(err.message.contains("'ids'"), "{}", err.message);
}

#[test]
fn csl_short_row_names_its_line() {
    let text = format!("{}21945,Specially Designated Nationals,1\n", csl_fixture());
    let err = parse::parse(
        Format::UsCslCsv,
        "us_trade_csl",
        &file("consolidated.csv", &text),
    )
    .unwrap_err();
    assert_eq!(err.location, Some(Location::Line(4)));
}

// ---------------------------------------------------------------------------
// BIS Denied Persons List
// ---------------------------------------------------------------------------

/// The documented id recipe, computed independently of the parser.
fn dpl_id(fields: [&str; 6]) -> String {
    let d = Sha256::digest(fields.join("\t").as_bytes());
    format!("us_bis_denied:{}", hex::encode(&d[..8]))
}

#[test]
fn dpl_real_file() {
    let files = common::read_raw(&["us_bis_dpl/2023-11-28/dpl.txt"]);
    let list = parse::parse(Format::UsBisDpl, "us_bis_denied", &files).unwrap();
    assert_eq!(list.entities.len(), 665);
    assert_eq!(list.published, None);

    let id = dpl_id([
        "AARON ABRAHAM VILLA",
        "3415 RIVERA AVENUE",
        "EL PASO",
        "TX",
        "",
        "79905",
    ]);
    let e = find(&list, &id);
    assert_eq!(e.schema, Schema::LegalEntity);
    assert_eq!(e.caption, "AARON ABRAHAM VILLA");
    assert_eq!(
        e.get(prop::ADDRESS),
        ["3415 RIVERA AVENUE, EL PASO, TX, 79905"]
    );
    assert!(e.get(prop::COUNTRY).is_empty());
    assert_eq!(e.listing(prop::LISTING_DATE), ["2022-08-24"]);
    assert_eq!(e.get(prop::MODIFIED_AT), ["2022-08-29"]);
    assert!(has_note(e, "denial expires: 2026-01-14"));
    assert!(has_note(e, "standard order: Y"));
    assert!(has_note(e, "action: F.R. NOTICE ADDED"));
    assert!(has_note(e, "Federal Register: 87 F.R. 52741 8/29/2022"));

    let id = dpl_id([
        "ADRIANA GABRIELA GUAJARDO-CAVAZOS",
        "CALLE MANUEL OTIZ #49, MATAMOROS, TAMAULIPAS",
        "MEXICO",
        "",
        "MX",
        "87394",
    ]);
    let e = find(&list, &id);
    assert_eq!(
        e.get(prop::ADDRESS),
        ["CALLE MANUEL OTIZ #49, MATAMOROS, TAMAULIPAS, MEXICO, 87394, MX"]
    );
    assert_eq!(e.get(prop::COUNTRY), ["mx"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2023-05-08"]);
    assert!(has_note(e, "action: ADDITION, F.R. NOTICE ADDED"));
    assert!(has_note(e, "denial expires: 2027-11-12"));

    let id = dpl_id(["AIR FREIGHT LTD", "P.O. BOX 28360", "DUBAI", "", "AE", ""]);
    let e = find(&list, &id);
    assert_eq!(e.get(prop::ADDRESS), ["P.O. BOX 28360, DUBAI, AE"]);
    assert_eq!(e.get(prop::COUNTRY), ["ae"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2023-10-31"]);
    assert!(has_note(e, "denial expires: 2024-10-30"));
    // The same company is listed at four addresses: four entities.
    let air_freight = list
        .entities
        .iter()
        .filter(|e| e.caption == "AIR FREIGHT LTD")
        .count();
    assert_eq!(air_freight, 4);

    // Two rows are repeated verbatim; the repeat gets "-2".
    let id = dpl_id([
        "NEI-CHIEN CHU",
        "1132 SEAGULL LANE",
        "CHERRY HILL",
        "NJ",
        "US",
        "08054",
    ]);
    assert_eq!(find(&list, &id).listing(prop::LISTING_DATE), ["2006-06-23"]);
    let again = find(&list, &format!("{id}-2"));
    assert_eq!(
        again.get(prop::ADDRESS),
        ["1132 SEAGULL LANE, CHERRY HILL, NJ, 08054, US"]
    );
}

const DPL_HEADER: &str = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"";

fn dpl_fixture() -> String {
    format!(
        "{DPL_HEADER}\n\"ABDUL MAJID SAIDI\"\t\"2948 PEASE DRIVE, APT. 201\"\t\"ROCKY RIVER\"\t\"OH\"\t\"\"\t\"44116\"\t\"10/30/2020\"\t\"03/13/2026\"\t\"Y\"\t\"2020-11-05\"\t\"F.R. NOTICE ADDED\"\t\"85 F.R. 70581 11/5/2020\"\n"
    )
}

#[test]
fn dpl_errors_name_file_and_line() {
    let list = parse::parse(
        Format::UsBisDpl,
        "us_bis_denied",
        &file("dpl.txt", &dpl_fixture()),
    )
    .unwrap();
    assert_eq!(list.entities[0].listing(prop::LISTING_DATE), ["2020-10-30"]);

    let no_citation = dpl_fixture().replace("\t\"FR_Citation\"", "");
    let err = parse::parse(
        Format::UsBisDpl,
        "us_bis_denied",
        &file("dpl.txt", &no_citation),
    )
    .unwrap_err();
    assert!(err.message.contains("'fr_citation'"), "{}", err.message);

    let empty_name = format!(
        "{}\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\n",
        dpl_fixture()
    );
    let err = parse::parse(
        Format::UsBisDpl,
        "us_bis_denied",
        &file("dpl.txt", &empty_name),
    )
    .unwrap_err();
    assert_eq!(err.file, "dpl.txt");
    assert_eq!(err.location, Some(Location::Line(3)));
}

// ---------------------------------------------------------------------------
// OpenSanctions targets.simple.csv
// ---------------------------------------------------------------------------

#[test]
fn ftm_simple_csv_real_file() {
    let files =
        common::read_raw(&["opensanctions_ftm/ua_war_sanctions_2026-03-13/targets.simple.csv"]);
    let list = parse::parse(Format::FtmSimpleCsv, "opensanctions", &files).unwrap();
    assert_eq!(list.entities.len(), 5600);
    assert_eq!(list.published.as_deref(), Some("2026-03-13T05:41:01"));

    let e = find(&list, "opensanctions:NK-24cf2zYe7LEKhr2zFck73j");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.caption, "ROSALIN");
    assert_eq!(e.get(prop::ALIAS), ["Ceram Sea", "Gold Sun", "Nurkez"]);
    assert_eq!(e.get(prop::COUNTRY), ["lr", "pa", "sg", "st"]);
    assert_eq!(e.get(prop::IMO_NUMBER), ["9253325"]);
    assert_eq!(e.listing(prop::PROGRAM), ["UA-WS-MARE"]);
    assert_eq!(e.get(prop::MODIFIED_AT), ["2026-02-24T05:42:24"]);
    assert!(e.get(prop::NOTES).is_empty());

    let e = find(&list, "opensanctions:NK-kZjqDJTdUY8C8SabCkBFEq");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "ZAVALISHINA Oksana Pavlovna");
    assert_eq!(
        e.get(prop::ALIAS),
        ["ЗАВАЛИШИНА Оксана Павловна", "ЗАВАЛИШИНА Оксана Павлівна"]
    );
    assert_eq!(e.get(prop::BIRTH_DATE), ["1973-06-23", "1974-06-23"]);
    assert_eq!(e.get(prop::COUNTRY), ["ru", "ua"]);
    assert_eq!(e.get(prop::ID_NUMBER), ["2720216023"]);
    assert_eq!(e.listing(prop::PROGRAM), ["UA-WS-KIDNAPPERS"]);
    let notes = e.get(prop::NOTES);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].starts_with(
        "An employee of the occupation structures. Facilitates the russian government"
    ));
    assert!(notes[0].contains("the so-called \"state\" database \"Children of Donbas\""));

    let e = find(&list, "opensanctions:NK-2rc7cp496NyzwbVwXFmfGh");
    assert_eq!(e.schema, Schema::LegalEntity);
    assert_eq!(e.caption, "ABIKA NPP LLC");
    assert_eq!(
        e.get(prop::ALIAS),
        ["LIMITED LIABILITY COMPANY ABIKA SCIENTIFIC AND PRODUCTION ENTERPRISE"]
    );
    assert_eq!(
        e.get(prop::ADDRESS),
        [
            "125284, Moscow, internal territory Khoroshevsky Municipal District, 1st Khoroshevsky Proezd, 12, building 3, room 1P"
        ]
    );
    assert_eq!(e.get(prop::ID_NUMBER), ["5087746173400", "7716615618"]);
    assert_eq!(e.listing(prop::PROGRAM), ["UA-WS-MILIND"]);
    assert!(e.get(prop::NOTES)[0].starts_with(
        "A company specialising in the supply of chemical products manufactured by russian companies. As part of"
    ));

    let e = find(&list, "opensanctions:NK-24ZomtS59XsEEB94Qcqy7S");
    assert_eq!(e.schema, Schema::Company);
    assert_eq!(e.caption, "Sun Science International");
    assert_eq!(e.get(prop::IMO_NUMBER), ["6495856"]);
    assert_eq!(e.get(prop::COUNTRY), ["hk"]);
}

#[test]
fn ftm_simple_csv_errors() {
    let header = "id,schema,name,aliases,dataset";
    let ok = format!("{header}\nNK-1,Person,Jane DOE,J. Doe,x\n");
    let list = parse::parse(Format::FtmSimpleCsv, "opensanctions", &file("t.csv", &ok)).unwrap();
    assert_eq!(list.entities[0].get(prop::ALIAS), ["J. Doe"]);

    let bad_schema = format!("{ok}NK-2,Sanction,Something,,x\n");
    let err = parse::parse(
        Format::FtmSimpleCsv,
        "opensanctions",
        &file("t.csv", &bad_schema),
    )
    .unwrap_err();
    assert_eq!(err.location, Some(Location::Line(3)));
    assert!(err.message.contains("Sanction"));

    let dup = format!("{ok}NK-1,Person,John DOE,,x\n");
    let err =
        parse::parse(Format::FtmSimpleCsv, "opensanctions", &file("t.csv", &dup)).unwrap_err();
    assert_eq!(err.location, Some(Location::Line(3)));
    assert!(err.message.contains("duplicate"));
}

// ---------------------------------------------------------------------------
// OpenSanctions entities.ftm.json
// ---------------------------------------------------------------------------

#[test]
fn ftm_json_real_sample() {
    let files = common::read_raw(&["opensanctions_ftm/yente_t1_sample/entities.ftm.json"]);
    let list = parse::parse(Format::FtmJson, "opensanctions", &files).unwrap();
    // 7 lines: 6 parties (4 Person, 2 Organization) and one Address, which is
    // not a party and is not referenced by the parties of the sample.
    assert_eq!(list.entities.len(), 6);
    let persons = list
        .entities
        .iter()
        .filter(|e| e.schema == Schema::Person)
        .count();
    assert_eq!(persons, 4);
    assert!(
        !list
            .entities
            .iter()
            .any(|e| e.id.ends_with("NK-2MQE6AmhAk4tqhENJAMUG9"))
    );
    assert_eq!(list.published.as_deref(), Some("2024-06-01T10:57:03"));

    let e = find(&list, "opensanctions:NK-2Myxbs6wX9xFKGoQn3sLaY");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "Viktor Vladimirovitj Sojko");
    assert_eq!(
        e.get(prop::NAME),
        [
            "Viktar Uladzimiravitj Sojka",
            "Viktor Vladimirovitj Sojko",
            "Виктор Владимирович СОЙКО",
            "Віктар Уладзіміравіч СОЙКА",
            "Victor Vladimirovich SOYKO"
        ]
    );
    assert_eq!(e.get(prop::FIRST_NAME), ["Віктар", "Victor", "Виктор"]);
    assert_eq!(e.get(prop::LAST_NAME), ["SOYKO", "СОЙКА", "СОЙКО"]);
    assert_eq!(e.get(prop::TITLE), ["Colonel"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1971-07-03"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["BELARUS, Komsomolskaya"]);
    assert_eq!(e.get(prop::NATIONALITY), ["by"]);
    assert_eq!(e.get(prop::COUNTRY), ["by"]);
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get("topics"), ["sanction"]);
    assert_eq!(e.get("createdAt"), ["2022-09-15"]);
    assert_eq!(e.datasets, ["opensanctions"]);

    let e = find(&list, "opensanctions:NK-2PacmNpiLUmoz4XD2mSt7A");
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.caption, "IRGC");
    assert_eq!(
        e.get(prop::NAME),
        ["IRGC", "Iranian Revolutionary Guard Corps"]
    );
    assert_eq!(e.get(prop::COUNTRY), ["ir"]);
    // The sample lacks the Address line the party refers to: FtM's
    // reference to it names nothing screener has, so it is kept as a note.
    assert!(e.get("addressEntity").is_empty());
    assert_eq!(
        e.get(prop::NOTES),
        [
            "Corrigendum 267/2012 (OJ L88) [corr. 04/12/2012-2]",
            "addressEntity: addr-9bdb8d404e2618cfce08d3b3d400c1433c634849"
        ]
    );

    let e = find(&list, "opensanctions:NK-2GdmHtZTeNXjNVrBGEXZNj");
    assert_eq!(e.caption, "RAB „Inter Tobacco“");
    assert_eq!(e.get(prop::NAME).len(), 12);
    assert!(
        e.get(prop::NAME)
            .contains(&"Общество с ограниченной ответственностью “Интер Тобако”".to_string())
    );
    assert_eq!(e.get(prop::REGISTRATION_NUMBER), ["808000714"]);
    assert_eq!(
        e.get(prop::NOTES),
        [
            "Belarus (Minsk Free Economic Zone)",
            "addressEntity: addr-125caec37c3486d3a71de8ae943eec47f420b38a"
        ]
    );

    let e = find(&list, "opensanctions:NK-2Ka3UvopqbpZmVDFjWd4LA");
    assert_eq!(e.get(prop::TAX_NUMBER), ["366510784303"]);
    assert_eq!(
        e.get(prop::POSITION),
        ["General Director of JSC 163 Armor Repair Plant"]
    );
}

#[test]
fn ftm_json_folds_linked_entities() {
    let text = r#"{"id": "p1", "schema": "Person", "caption": "Jane DOE", "properties": {"name": ["Jane DOE"], "addressEntity": ["a1"]}}
{"id": "a1", "schema": "Address", "caption": "Main St 1, Minsk", "properties": {"full": ["Main St 1, Minsk"], "country": ["by"]}}
{"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"], "program": ["BELARUS"], "startDate": ["2022-06-03"], "reason": ["Supports the regime"]}}
{"id": "x1", "schema": "Passport", "properties": {"holder": ["p1"], "number": ["MP1234567"], "country": ["by"]}}
{"id": "w1", "schema": "CryptoWallet", "properties": {"holder": ["p1"], "currency": ["xbt"], "publicKey": ["1AbC"]}}
{"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"]}}
{"id": "c1", "schema": "Company", "properties": {"name": ["Doe Trading LLC"], "jurisdiction": ["by"]}}
"#;
    let list = parse::parse(
        Format::FtmJson,
        "custom:mine",
        &file("entities.ftm.json", text),
    )
    .unwrap();
    assert_eq!(list.entities.len(), 2);
    let e = find(&list, "custom:mine:p1");
    assert_eq!(e.get(prop::ADDRESS), ["Main St 1, Minsk"]);
    assert_eq!(e.get(prop::COUNTRY), ["by"]);
    assert_eq!(e.listing(prop::PROGRAM), ["BELARUS"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2022-06-03"]);
    assert_eq!(e.get(prop::NOTES), ["Supports the regime"]);
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["MP1234567"]);
    assert_eq!(e.wallets(), ["XBT:1AbC"]);
    let c = find(&list, "custom:mine:c1");
    assert_eq!(c.schema, Schema::Company);
    assert_eq!(c.caption, "Doe Trading LLC");
}

#[test]
fn ftm_json_malformed_line_is_named() {
    let text = "{\"id\": \"p1\", \"schema\": \"Person\", \"properties\": {\"name\": [\"A\"]}}\n\n{\"id\": \"p2\", \"schema\": \"Person\", \"properties\": {\"name\": [\"B\"]\n";
    let err = parse::parse(
        Format::FtmJson,
        "opensanctions",
        &file("entities.ftm.json", text),
    )
    .unwrap_err();
    assert_eq!(err.file, "entities.ftm.json");
    assert_eq!(err.location, Some(Location::Line(3)));

    let no_id = "{\"schema\": \"Person\", \"properties\": {\"name\": [\"A\"]}}\n";
    let err = parse::parse(Format::FtmJson, "opensanctions", &file("e.json", no_id)).unwrap_err();
    assert_eq!(err.location, Some(Location::Line(1)));
    assert!(err.message.contains("no id"));
}

// ---------------------------------------------------------------------------
// Custom lists
// ---------------------------------------------------------------------------

/// A custom list using every documented column (and one extra column).
const CUSTOM: &str = "\u{feff}id,name,schema,aliases,weak_aliases,previous_names,first_name,last_name,gender,birth_date,birth_place,nationality,citizenship,country,passport_number,id_number,tax_number,registration_number,imo_number,mmsi,swift_bic,address,position,program,listing_date,notes,source_url,Risk Owner
C-001,Ivan PETROV,Person,Иван Петров;Ivan Petrov,Vanya,Ivan PETROFF,Ivan,PETROV,m,1965-04-14;circa 1970,Moscow,Russia;BY,RU,Cyprus,750200421,4510 123456,7736640919,,,,,\"Tverskaya 1, Moscow, RU\",Director,Internal watchlist;Fraud,2024-01-15,\"Seen in case 42, \"\"high\"\" risk\",https://example.org/c1,team-a
C-002,Black Sea Trader,Vessel,BS TRADER,,,,,,,,,,,,,,,IMO 9187629,677049700,,,,Internal watchlist,,,,
C-003,Acme Trading LLC,company,ACME TRD,,,,,,,,,,AE;Iran,,,,CR-99812,,,ACMEAEAD,\"PO Box 1, Dubai\",,,14 Apr 2023,,,
";

#[test]
fn custom_csv_every_column() {
    let files = file("watchlist.csv", CUSTOM);
    assert_eq!(parse::detect_format(&files).unwrap(), Format::CustomCsv);
    let list = parse::parse(Format::CustomCsv, "custom:watch", &files).unwrap();
    assert_eq!(list.entities.len(), 3);

    let e = find(&list, "custom:watch:C-001");
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption, "Ivan PETROV");
    assert_eq!(e.datasets, ["custom:watch"]);
    assert_eq!(e.get(prop::ALIAS), ["Иван Петров", "Ivan Petrov"]);
    assert_eq!(e.get(prop::WEAK_ALIAS), ["Vanya"]);
    assert_eq!(e.get(prop::PREVIOUS_NAME), ["Ivan PETROFF"]);
    assert_eq!(e.get(prop::FIRST_NAME), ["Ivan"]);
    assert_eq!(e.get(prop::LAST_NAME), ["PETROV"]);
    assert_eq!(e.get(prop::GENDER), ["male"]);
    assert_eq!(e.get(prop::BIRTH_DATE), ["1965-04-14", "1970"]);
    assert_eq!(e.get(prop::BIRTH_PLACE), ["Moscow"]);
    assert_eq!(e.get(prop::NATIONALITY), ["ru", "by"]);
    assert_eq!(e.get(prop::CITIZENSHIP), ["ru"]);
    assert_eq!(e.get(prop::COUNTRY), ["cy"]);
    assert_eq!(e.get(prop::PASSPORT_NUMBER), ["750200421"]);
    assert_eq!(e.get(prop::ID_NUMBER), ["4510 123456"]);
    assert_eq!(e.get(prop::TAX_NUMBER), ["7736640919"]);
    assert_eq!(e.get(prop::ADDRESS), ["Tverskaya 1, Moscow, RU"]);
    assert_eq!(e.get(prop::POSITION), ["Director"]);
    assert_eq!(e.listing(prop::PROGRAM), ["Internal watchlist", "Fraud"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2024-01-15"]);
    assert_eq!(e.listing(prop::SOURCE_URL), ["https://example.org/c1"]);
    assert_eq!(
        e.get(prop::NOTES),
        [
            "birth date approximate: circa 1970",
            "Seen in case 42, \"high\" risk",
            "Risk Owner: team-a"
        ]
    );

    let e = find(&list, "custom:watch:C-002");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.get(prop::IMO_NUMBER), ["9187629"]);
    assert_eq!(e.get(prop::MMSI), ["677049700"]);

    let e = find(&list, "custom:watch:C-003");
    assert_eq!(e.schema, Schema::Company);
    assert_eq!(e.get(prop::COUNTRY), ["ae", "ir"]);
    assert_eq!(e.get(prop::REGISTRATION_NUMBER), ["CR-99812"]);
    assert_eq!(e.get(prop::SWIFT_BIC), ["ACMEAEAD"]);
    assert_eq!(e.listing(prop::LISTING_DATE), ["2023-04-14"]);
}

#[test]
fn custom_csv_semicolons_and_defaults() {
    // Semicolon-separated file: a list inside a field is quoted.
    let text = "ID;Name;Aliases\r\n7;Jane Roe;\"Roe, Jane;J. Roe\"\r\n";
    let list = parse::parse(Format::CustomCsv, "custom:eu", &file("l.csv", text)).unwrap();
    let e = find(&list, "custom:eu:7");
    assert_eq!(e.schema, Schema::LegalEntity);
    assert_eq!(e.get(prop::ALIAS), ["Roe, Jane", "J. Roe"]);
}

#[test]
fn custom_csv_errors() {
    let parse_custom = |text: &str| {
        parse::parse(Format::CustomCsv, "custom:x", &file("mine.csv", text)).unwrap_err()
    };
    let err = parse_custom("id,name\n1,A\n2,B\n1,C\n");
    assert_eq!(err.file, "mine.csv");
    assert_eq!(err.location, Some(Location::Line(4)));
    assert!(err.message.contains("duplicate id '1'") && err.message.contains("line 2"));

    let err = parse_custom("id,full_name\n1,A\n");
    assert_eq!(err.location, Some(Location::Line(1)));
    assert!(err.message.contains("'name'"), "{}", err.message);

    let err = parse_custom("id,name,schema\n1,A,Person\n2,B,Frog\n");
    assert_eq!(err.location, Some(Location::Line(3)));
    assert!(err.message.contains("Frog"));

    let err = parse_custom("id,name\n1,A\n2,\n");
    assert_eq!(err.location, Some(Location::Line(3)));
    assert!(err.message.contains("empty"));

    let err = parse_custom("id,name,nationality\n1,A,Atlantis\n");
    assert_eq!(err.location, Some(Location::Line(2)));
    assert!(err.message.contains("Atlantis"));

    let err = parse_custom("id,name,birth_date\n1,A,yesterday\n");
    assert_eq!(err.location, Some(Location::Line(2)));

    let err = parse_custom("id,name,imo_number\n1,A,IMO 15411\n");
    assert!(err.message.contains("IMO 15411"));

    let err = parse_custom("id,name\n1,A,surplus\n");
    assert_eq!(err.location, Some(Location::Line(2)));

    let err = parse_custom("id,name,Name\n1,A,B\n");
    assert!(err.message.contains("twice"));
}

// ---------------------------------------------------------------------------
// No panics on arbitrary input
// ---------------------------------------------------------------------------

const FTM_JSON_DOC: &str = "{\"id\": \"p1\", \"schema\": \"Person\", \"caption\": \"A\", \"properties\": {\"name\": [\"A\"], \"addressEntity\": [\"a1\"]}}\n{\"id\": \"a1\", \"schema\": \"Address\", \"properties\": {\"full\": [\"X\"]}}\n";
const FTM_SIMPLE_DOC: &str = "\"id\",\"schema\",\"name\",\"aliases\",\"sanctions\"\n\"NK-1\",\"Vessel\",\"ROSALIN\",\"Ceram Sea;Gold Sun\",\"\"\"a;b\"\"\"\n";

fn all_parsers(data: &[u8]) {
    for (format, name, list) in [
        (Format::UsCslCsv, "consolidated.csv", "us_trade_csl"),
        (Format::UsBisDpl, "dpl.txt", "us_bis_denied"),
        (Format::FtmJson, "entities.ftm.json", "opensanctions"),
        (Format::FtmSimpleCsv, "targets.simple.csv", "opensanctions"),
        (Format::CustomCsv, "mine.csv", "custom:x"),
    ] {
        let files = vec![SourceFile::new(name, data.to_vec())];
        let _ = parse::parse(format, list, &files);
        let _ = parse::detect_format(&files);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        all_parsers(&data);
    }

    #[test]
    fn truncated_documents_never_panic(cut in 0usize..2000, which in 0usize..5) {
        let docs = [
            csl_fixture(),
            dpl_fixture(),
            FTM_JSON_DOC.to_string(),
            FTM_SIMPLE_DOC.to_string(),
            CUSTOM.to_string(),
        ];
        let doc = docs[which].as_bytes();
        let prefix = &doc[..cut.min(doc.len())];
        all_parsers(prefix);
    }

    #[test]
    fn custom_csv_cells_never_panic(cells in proptest::collection::vec("[a-zA-Z0-9 ;,\"\\n&-]{0,12}", 0..30)) {
        let mut text = String::from("id,name,schema,birth_date,country,imo_number,gender\n");
        for row in cells.chunks(7) {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        all_parsers(text.as_bytes());
    }
}
