//! The API contract checked from outside: Schemathesis (pinned in
//! `requirements.txt`, in a virtual environment under `target/pytools`)
//! generates requests from the served `/openapi.json` — valid ones, invalid
//! ones, and sequences that follow the document's links — and runs every
//! check against the service serving two real lists: no 5xx, only documented
//! status codes and content types, responses matching their schemas, valid
//! requests accepted and invalid ones refused. `schemathesis.toml` beside
//! this file holds the run's settings and says why each exception exists.

#[path = "../common/mod.rs"]
mod common;

use common::serve::{Served, free_port, screener, wait_ready};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

const API_KEY: &str = "st-api-key-5b1c0e7d9a2f4c68";
const ADMIN_TOKEN: &str = "st-admin-token-0d8e6a4b2c9f7e13";

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis")
}

#[test]
fn the_served_api_keeps_its_openapi_contract_under_schemathesis() {
    let requirements = here().join("requirements.txt");
    let python = common::python::venv_python("schemathesis", &requirements)
        .unwrap_or_else(|e| panic!("Schemathesis is needed for this test: {e}"));
    let st = python.with_file_name("schemathesis");

    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let raw = common::lists_raw();
    for (list, file) in [
        (
            "un_sc_sanctions",
            "un_consolidated/2026-02-27/consolidated.xml",
        ),
        (
            "us_ofac_cons",
            "ofac_consolidated_xml/2025-03-28/consolidated.xml",
        ),
    ] {
        let out = screener(&data)
            .arg("import")
            .arg(list)
            .arg(raw.join(file))
            .output()
            .expect("run import");
        assert!(
            out.status.success(),
            "import {list}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let port = free_port();
    let log = std::fs::File::create(tmp.path().join("serve.log")).expect("log file");
    let _service = Served(
        screener(&data)
            .args(["serve", "--no-refresh", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .env("SCREENER_API_KEYS", format!("schemathesis={API_KEY}"))
            .env("SCREENER_ADMIN_TOKEN", ADMIN_TOKEN)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start screener serve"),
    );
    wait_ready(port);

    let started = Instant::now();
    let out = Command::new(&st)
        .arg("--config-file")
        .arg(here().join("schemathesis.toml"))
        .arg("--no-color")
        .arg("run")
        .arg(format!("http://127.0.0.1:{port}/openapi.json"))
        .current_dir(tmp.path())
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", here())
        .env("SCREENER_ST_API_KEY", API_KEY)
        .env("SCREENER_ST_ADMIN_TOKEN", ADMIN_TOKEN)
        .output()
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "schemathesis ran {:.0} s:\n{}",
        started.elapsed().as_secs_f64(),
        tail(&stdout, 30)
    );
    assert!(
        out.status.success(),
        "Schemathesis found the API breaking its contract (reproduce: start the service as this test does, then `{} --config-file tests/schemathesis/schemathesis.toml run http://127.0.0.1:PORT/openapi.json` with SCHEMATHESIS_HOOKS=hooks PYTHONPATH=tests/schemathesis)\n{stdout}\n{stderr}",
        st.display()
    );
    // It really ran: operations were tested and requests sent.
    assert!(
        stdout.contains("Tested:") && !stdout.contains("Tested: 0"),
        "{stdout}"
    );
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
