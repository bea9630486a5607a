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

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const API_KEY: &str = "st-api-key-5b1c0e7d9a2f4c68";
const ADMIN_TOKEN: &str = "st-admin-token-0d8e6a4b2c9f7e13";

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis")
}

fn screener(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_screener"));
    c.env("SCREENER_DATA_DIR", data)
        .env("NO_COLOR", "1")
        .env_remove("SCREENER_CONFIG")
        .env_remove("SCREENER_API_KEYS")
        .env_remove("RUST_LOG");
    c
}

/// Stops the service when the test ends, however it ends.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the service did not become ready on port {port}");
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
    let _service = Service(
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
