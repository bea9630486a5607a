//! Every file set in `../shared/lists-raw/MANIFEST.toml` parses to exactly the
//! entity count (and count by schema) that the manifest states, with unique
//! ids, a caption and at least one name on every entity.

mod common;

use screener::model::Schema;
use screener::parse::{self, Format};
use std::collections::{BTreeMap, HashSet};

fn check_set(needle: &str) {
    check_set_expecting(needle, None);
}

/// `parties` overrides the manifest's count where the manifest counts a
/// record that is not a party (the reason is given at the call).
fn check_set_expecting(needle: &str, parties: Option<usize>) {
    let manifest = common::manifest();
    let set = common::set_with_file(&manifest, needle);
    let parsed = common::parse_set(&manifest, set);
    let expected =
        parties.unwrap_or_else(|| set.entities.expect("manifest states an entity count"));
    assert_eq!(
        parsed.entities.len(),
        expected,
        "{} {:?}: entity count",
        set.list,
        set.files
    );
    let mut ids = HashSet::new();
    let mut schemas: BTreeMap<String, usize> = BTreeMap::new();
    for e in &parsed.entities {
        assert!(ids.insert(e.id.clone()), "duplicate id {}", e.id);
        assert!(
            e.id.starts_with(&format!("{}:", set.list)),
            "id {} lacks the list prefix",
            e.id
        );
        assert!(!e.caption.is_empty(), "{} has no caption", e.id);
        assert!(e.name_count() > 0, "{} has no name", e.id);
        assert_eq!(e.datasets, vec![set.list.clone()]);
        *schemas.entry(e.schema.to_string()).or_default() += 1;
    }
    for (schema, count) in &set.schemas {
        // The manifest counts FtM's `Airplane` under its older name
        // `Aircraft`, which screener still reads as a synonym.
        let schema = Schema::from_name(schema)
            .map(|s| s.to_string())
            .unwrap_or_else(|| schema.clone());
        assert_eq!(
            schemas.get(&schema).copied().unwrap_or(0),
            *count,
            "{} {:?}: count of {schema} (all: {schemas:?})",
            set.list,
            set.files
        );
    }
}

#[test]
fn ofac_sdn_csv_composite() {
    check_set("composite-2024-05-03+2025-12-24/sdn.csv");
}
#[test]
fn ofac_sdn_csv_2021() {
    check_set("2021-07-07/sdn.csv");
}
#[test]
fn ofac_sdn_xml_sample() {
    check_set("us_sample.xml");
}
#[test]
fn ofac_cons_xml() {
    check_set("ofac_consolidated_xml/2025-03-28/consolidated.xml");
}
#[test]
fn ofac_cons_csv() {
    check_set("cons_prim.csv");
}
#[test]
fn ofac_cons_enhanced_xml() {
    check_set("CONS_ENHANCED.XML");
}
#[test]
fn ofac_cons_advanced_xml() {
    check_set("cons_advanced.xml");
}
#[test]
fn un_2026() {
    check_set("un_consolidated/2026-02-27");
}
#[test]
fn un_2025() {
    check_set("un_consolidated/2025-04-19");
}
#[test]
fn eu_1_1_sample() {
    check_set("eu_sample.xml");
}
#[test]
fn eu_1_0_partial() {
    check_set("global_1_0_partial.xml");
}
#[test]
fn ofsi_2025() {
    check_set("uk_ofsi_conlist/2025-04-14");
}
#[test]
fn ofsi_2023() {
    check_set("uk_ofsi_conlist/2023-06-05");
}
#[test]
fn uk_fcdo_sample() {
    check_set("uk_sample.xml");
}
#[test]
fn ca_sema() {
    check_set("sema-lista.xml");
}
#[test]
fn au_dfat() {
    check_set("regulation8_consolidated.xlsx");
}
#[test]
fn ch_seco_sample() {
    check_set("ch_sample.xml");
}
#[test]
fn us_trade_csl() {
    check_set("consolidated.csv.gz");
}
#[test]
fn us_bis_dpl() {
    check_set("dpl.txt");
}
#[test]
fn opensanctions_simple_csv() {
    check_set("targets.simple.csv");
}
#[test]
fn opensanctions_ftm_json() {
    // The manifest says 7 lines; its SOURCE.txt says they are 6 parties and
    // 1 Address record. An address is not a party to screen: it is folded
    // into the party that references it, so 6 entities result.
    check_set_expecting("entities.ftm.json", Some(6));
}

/// Every set's files are recognised, from their content alone, as the
/// format the manifest names.
#[test]
fn every_set_is_detected_as_its_format() {
    let manifest = common::manifest();
    for set in &manifest.sets {
        let files = manifest.read_files(set).unwrap_or_else(|e| panic!("{e}"));
        let detected = parse::detect_format(&files)
            .unwrap_or_else(|e| panic!("{} {:?}: {e}", set.list, set.files));
        assert_eq!(
            Some(detected),
            set.format(),
            "{} {:?}: detected as {detected}, the manifest says {}",
            set.list,
            set.files,
            set.format
        );
    }
}

/// OFAC publishes its enhanced XML also as a zip holding the one XML file;
/// the zip is recognised by the XML inside it, and parses like the XML.
#[test]
fn ofac_enhanced_zip_is_detected_by_the_xml_inside() {
    let zip = common::read_raw(&["ofac_consolidated_enhanced_xml/2025-01-10/CONS_ENHANCED.ZIP"]);
    assert_eq!(
        parse::detect_format(&zip).ok(),
        Some(Format::OfacEnhancedXml)
    );
    let from_zip = parse::parse(Format::OfacEnhancedXml, "us_ofac_cons", &zip)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_zip.entities.len(), 443);
}
