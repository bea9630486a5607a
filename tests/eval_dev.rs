//! The quality targets on the labelled development sets in `../shared/eval/dev`,
//! with every default list of `../shared/lists-raw/MANIFEST.toml` loaded.
//! This is what `screener eval` prints; CI holds the line here.

use screener::eval;
use screener::matching::Matcher;
use std::sync::{Arc, OnceLock};

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let index = eval::index_manifest_defaults(&eval::default_manifest_for_tests())
            .unwrap_or_else(|e| panic!("{e}"));
        Matcher::new(Arc::new(index))
    })
}

fn check(set: &str) {
    let reports = eval::run(matcher(), &eval::default_dev_dir_for_tests(), Some(set))
        .unwrap_or_else(|e| panic!("{e}"));
    for r in &reports {
        println!("{}", r.line);
        for m in r.misses.iter().take(40) {
            println!("  {m}");
        }
        assert!(r.passed, "target missed: {}", r.line);
    }
}

#[test]
fn positives_recall_at_1() {
    check("positives");
}

#[test]
fn negatives_alert_rate() {
    check("negatives");
}

#[test]
fn pairs_f1() {
    check("pairs");
}

#[test]
fn cross_script_recall_at_1() {
    check("cross_script");
}
