//! Quality on the labelled development sets in `../shared/eval/dev`, with
//! every default list of `../shared/lists-raw/MANIFEST.toml` loaded — the
//! figures `screener eval` prints.
//!
//! The floors are the levels measured when they were last raised, so a
//! change that loses ground fails the tests. Every quality target of issue
//! 10 (which `screener eval` checks) is met.

use screener::eval;
use screener::matching::Matcher;
use std::sync::{Arc, OnceLock};

/// Met issue 10's target (0.99).
const FLOOR_POSITIVES_RECALL: f64 = 0.9899;
/// Met issue 10's target (0.15 %).
const CEILING_NEGATIVES_ALERT_RATE: f64 = 0.00146;
/// Met issue 10's target (0.93).
const FLOOR_PAIRS_F1: f64 = 0.930;
/// Met issue 10's target (0.95).
const FLOOR_CROSS_SCRIPT_RECALL: f64 = 0.950;
/// Met issue 10's target (0.90).
const FLOOR_TYPOS_RECALL: f64 = 0.940;
/// Met issue 10's target (0.985).
const FLOOR_OFSI_PERSONS_RECALL: f64 = 0.985;
/// Met issue 10's target (0.85).
const FLOOR_OFSI_ORGANISATIONS_RECALL: f64 = 0.850;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let index = eval::index_manifest_defaults(&eval::default_manifest_for_tests())
            .unwrap_or_else(|e| panic!("{e}"));
        Matcher::new(Arc::new(index))
    })
}

fn report(set: &str) -> eval::SetReport {
    let mut reports = eval::run(matcher(), &eval::default_dev_dir_for_tests(), Some(set))
        .unwrap_or_else(|e| panic!("{e}"));
    let r = reports.remove(0);
    println!(
        "{}{}",
        if r.passed {
            "target met: "
        } else {
            "target missed: "
        },
        r.line
    );
    for m in r.misses.iter().take(40) {
        println!("  {m}");
    }
    r
}

#[test]
fn positives_recall_at_1() {
    let r = report("positives");
    assert!(r.value >= FLOOR_POSITIVES_RECALL, "regressed: {}", r.line);
}

#[test]
fn negatives_alert_rate() {
    let r = report("negatives");
    assert!(
        r.value <= CEILING_NEGATIVES_ALERT_RATE,
        "regressed: {}",
        r.line
    );
}

#[test]
fn pairs_f1() {
    let r = report("pairs");
    assert!(r.value >= FLOOR_PAIRS_F1, "regressed: {}", r.line);
}

#[test]
fn cross_script_recall_at_1() {
    let r = report("cross_script");
    assert!(
        r.value >= FLOOR_CROSS_SCRIPT_RECALL,
        "regressed: {}",
        r.line
    );
}

#[test]
fn typos_recall_at_1() {
    let r = report("typos");
    assert!(r.value >= FLOOR_TYPOS_RECALL, "regressed: {}", r.line);
}

#[test]
fn cross_script_ofsi_persons_recall_at_1() {
    let r = report("ofsi_persons");
    assert!(
        r.value >= FLOOR_OFSI_PERSONS_RECALL,
        "regressed: {}",
        r.line
    );
}

#[test]
fn cross_script_ofsi_organisations_recall_at_1() {
    let r = report("ofsi_organisations");
    assert!(
        r.value >= FLOOR_OFSI_ORGANISATIONS_RECALL,
        "regressed: {}",
        r.line
    );
}
