//! The yente routes map a yente client's `threshold` and `cutoff` onto
//! screener's score scale (`matching::weights::YENTE_SCALE`). This checks
//! the map against yente's own matcher: `yente_calibration.py` scores the
//! dev sets with nomenklatura's logic-v2 (yente 5.5.0's default, pinned in
//! `requirements.txt`, in a virtual environment under
//! `target/pytools/nomenklatura` made by `common::python`) and with a
//! running `screener serve` of every default list, and reports how well the
//! alert decisions agree at the mapped values, at the unmapped ones and at
//! the best values it finds. Identity (no map) fails it: at yente's default
//! cutoff the unmapped agreement is several points below the best.

#[path = "../common/mod.rs"]
mod common;

use common::serve::{Served, free_port, screener, wait_ready};
use screener::matching::weights::{YENTE_CUTOFF, YENTE_THRESHOLD, from_yente_scale};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/calibration")
}

const THETAS: [f64; 5] = [0.5, 0.6, 0.7, 0.8, 0.9];

fn field(row: &Value, key: &str) -> f64 {
    row[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {row}"))
}

fn row(rows: &Value, theta: f64) -> &Value {
    rows.as_array()
        .and_then(|r| r.iter().find(|x| (field(x, "yente") - theta).abs() < 1e-9))
        .unwrap_or_else(|| panic!("no row for {theta} in {rows}"))
}

#[test]
fn the_yente_threshold_map_agrees_with_yente_at_least_as_well_as_no_map() {
    let python = common::python::venv_python("nomenklatura", &here().join("requirements.txt"))
        .unwrap_or_else(|e| panic!("nomenklatura is needed for this test: {e}"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let log = std::fs::File::create(tmp.path().join("serve.log")).expect("log file");
    let _service = Served(
        screener(&tmp.path().join("data"))
            .args(["serve", "--no-refresh", "--manifest"])
            .arg(common::lists_raw().join("MANIFEST.toml"))
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start screener serve"),
    );
    wait_ready(port);

    let mut cmd = Command::new(&python);
    cmd.arg(here().join("yente_calibration.py"))
        .arg("--base")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("--dev")
        .arg(common::shared_dir().join("eval/dev"))
        .arg("--json")
        // nomenklatura's name alignment breaks some ties in set order.
        .env("PYTHONHASHSEED", "0");
    for theta in THETAS {
        cmd.arg("--apply")
            .arg(format!("{theta}={}", from_yente_scale(theta)));
    }
    let out = cmd.output().expect("run yente_calibration.py");
    assert!(
        out.status.success(),
        "yente_calibration.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    for set in report["sets"].as_array().expect("sets") {
        assert!(field(set, "n") >= 80.0, "too few rows scored: {set}");
    }

    // Alerts: at every yente threshold the mapped one agrees at least as
    // well as the unmapped one and within half a point of the best; at
    // yente's default strictly better than unmapped.
    for theta in THETAS {
        let r = row(&report["thresholds"], theta);
        let (applied, unmapped, best) = (
            field(r, "agreement_applied"),
            field(r, "agreement_unmapped"),
            field(r, "agreement_best"),
        );
        assert!(applied >= unmapped, "threshold {r}");
        assert!(applied >= best - 0.005, "threshold {r}");
    }
    let r = row(&report["thresholds"], YENTE_THRESHOLD);
    assert!(
        field(r, "agreement_applied") > field(r, "agreement_unmapped"),
        "{r}"
    );

    // Results returned: at yente's default cutoff the map brings the
    // agreement from several points below the best to within 1.5 points.
    let r = row(&report["cutoffs"], YENTE_CUTOFF);
    let (applied, unmapped, best) = (
        field(r, "agreement_applied"),
        field(r, "agreement_unmapped"),
        field(r, "agreement_best"),
    );
    assert!(best - unmapped > 0.03, "cutoff: no map would do: {r}");
    assert!(applied >= best - 0.015, "cutoff {r}");
}
