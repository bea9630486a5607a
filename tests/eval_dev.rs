//! Quality on the labelled development sets in `../shared/eval/dev`, with
//! every default list of `../shared/lists-raw/MANIFEST.toml` loaded — the
//! figures `screener eval` prints.
//!
//! Every product target is met on these sets, so the floors below are the
//! targets themselves (the same ones `screener eval` checks): a change that
//! misses one fails the tests.

use screener::eval;
use screener::matching::Matcher;
use std::sync::{Arc, OnceLock};

/// The product targets of the matching issue.
const FLOOR_POSITIVES_RECALL: f64 = 0.98;
const CEILING_NEGATIVES_ALERT_RATE: f64 = 0.002;
const FLOOR_PAIRS_F1: f64 = 0.90;
const FLOOR_CROSS_SCRIPT_RECALL: f64 = 0.90;

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
