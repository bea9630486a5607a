//! Runs the commands of the README's "Payment screening" section as a user
//! would: the `cargo run --release --` lines with the built binary (in a
//! temporary data directory), then `screener serve` on that data directory
//! and the `curl` lines against it. Each must succeed, and the answers must
//! say what the README says they say.

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The shell commands of the section's `sh` blocks (comments dropped).
fn section_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("\n## Payment screening\n")
        .expect("the README has a Payment screening section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    let section = &rest[..end];
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in section.lines() {
        match line.trim() {
            "```sh" => in_sh = true,
            "```" => in_sh = false,
            l if in_sh && !l.is_empty() && !l.starts_with('#') => out.push(l.to_string()),
            _ => {}
        }
    }
    out
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
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

fn sh(cmd: &str, envs: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(cmd)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .env_remove("SCREENER_PAYMENT_RULES");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run sh")
}

#[test]
fn the_payment_screening_example_runs() {
    let commands = section_commands();
    assert!(commands.len() >= 5, "{commands:?}");
    let data = tempfile::tempdir().expect("tempdir");
    let results = data.path().join("payment-results.jsonl");
    let shared = common::shared_dir();
    let bin = env!("CARGO_BIN_EXE_screener");
    let data_dir = data.path().display().to_string();
    let base_env = [("SCREENER_DATA_DIR", data_dir.as_str())];
    let adapt = |c: &str| {
        c.replace("cargo run --release --", &format!("'{bin}'"))
            .replace("../shared", &shared.display().to_string())
            .replace("payment-results.jsonl", &results.display().to_string())
    };
    // The CLI lines.
    for c in commands.iter().filter(|c| c.starts_with("cargo run")) {
        let o = sh(&adapt(c), &base_env);
        assert!(
            o.status.success(),
            "{c}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let lines: Vec<Value> = std::fs::read_to_string(&results)
        .expect("results written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    // Six message files, and two messages in batch.jsonl.
    assert_eq!(lines.len(), 8);
    for l in &lines {
        assert!(l.get("error").is_none(), "{l}");
        assert!(
            matches!(l["verdict"].as_str(), Some("hold" | "pass")),
            "{l}"
        );
    }
    let cases = lines
        .iter()
        .find(|l| l["id"] == "pacs008_cases.xml")
        .expect("pacs008_cases.xml screened");
    let verdicts: Vec<&str> = cases["transactions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["verdict"].as_str())
        .collect();
    assert_eq!(
        verdicts,
        ["pass", "hold", "hold", "hold", "hold", "hold", "pass"]
    );
    let clean = lines.iter().find(|l| l["id"] == "ft-02").expect("ft-02");
    assert_eq!(clean["verdict"], "pass");
    // A message that cannot be screened: an error line, the others
    // screened, exit status 3.
    let mixed = data.path().join("mixed.jsonl");
    let mt = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/payments/mt103_crlf.txt"),
    )
    .expect("fixture");
    std::fs::write(
        &mixed,
        format!(
            "{}\n{}\n",
            serde_json::json!({"id": "bad", "message": "<Document><FIToFICstmrCdtTrf></Document>"}),
            serde_json::json!({"id": "good", "message": mt})
        ),
    )
    .expect("write");
    let out = data.path().join("mixed-out.jsonl");
    let o = Command::new(bin)
        .args(["payments", "screen", "--input"])
        .arg(&mixed)
        .arg("--output")
        .arg(&out)
        .env("SCREENER_DATA_DIR", &data_dir)
        .output()
        .expect("run");
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got: Vec<Value> = std::fs::read_to_string(&out)
        .expect("output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(got[0]["error"], "invalid_xml");
    assert_eq!(got[1]["verdict"], "hold");
    assert!(
        got[1]["listVersions"]
            .as_object()
            .is_some_and(|v| !v.is_empty())
    );

    // The server on the same data directory, and the curl lines.
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(bin)
            .args([
                "--data-dir",
                &data_dir,
                "serve",
                "--listen",
                &listen,
                "--no-refresh",
            ])
            .env_remove("SCREENER_PAYMENT_RULES")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start screener serve"),
    );
    let base = format!("http://{listen}");
    let started = Instant::now();
    loop {
        let o = sh(
            &format!("curl -s -o /dev/null -w '%{{http_code}}' {base}/readyz"),
            &[],
        );
        if String::from_utf8_lossy(&o.stdout) == "200" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the server did not become ready"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let curls: Vec<&String> = commands.iter().filter(|c| c.starts_with("curl")).collect();
    assert_eq!(curls.len(), 3);
    for c in curls {
        let o = sh(&adapt(c), &[("B", &base)]);
        assert!(
            o.status.success(),
            "{c}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let answers: Vec<Value> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{c}: {e}: {text}")))
            .collect();
        let answers = if answers.is_empty() {
            vec![
                serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{c}: {e}: {text}")),
            ]
        } else {
            answers
        };
        for a in &answers {
            assert!(a.get("error").is_none(), "{c}: {a}");
            assert!(
                matches!(a["verdict"].as_str(), Some("hold" | "pass")),
                "{c}: {a}"
            );
        }
        if c.contains("pacs008_cases.xml") {
            let hit = &answers[0]["transactions"][4]["hits"][0];
            assert_eq!(hit["jurisdiction"]["jurisdiction"], "Crimea");
            assert_eq!(
                hit["path"],
                "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[5]/Cdtr/PstlAdr/TwnNm"
            );
            let vessel = &answers[0]["transactions"][3]["hits"][0];
            assert_eq!(vessel["entity"]["id"], "us_ofac_sdn:15077");
        }
    }
    drop(server);
}

#[test]
fn the_cli_refuses_bad_arguments_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = env!("CARGO_BIN_EXE_screener");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/payments");
    let out = dir.path().join("out.jsonl");
    let bad_rules = dir.path().join("rules.toml");
    std::fs::write(&bad_rules, "[roles]\nbanker = { threshold = 0.9 }\n").expect("write");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--input".into(),
                dir.path().join("nope.xml").display().to_string(),
            ],
            "cannot read",
        ),
        (
            vec!["--input".into(), empty.display().to_string()],
            "no files",
        ),
        (
            vec![
                "--input".into(),
                fixtures.display().to_string(),
                "--rules".into(),
                bad_rules.display().to_string(),
            ],
            "unknown role 'banker'",
        ),
        // No lists in the data directory.
        (
            vec!["--input".into(), fixtures.display().to_string()],
            "no lists",
        ),
    ];
    for (args, want) in cases {
        let o = Command::new(bin)
            .args(["--data-dir", &dir.path().join("data").display().to_string()])
            .args(["payments", "screen", "--output", &out.display().to_string()])
            .args(&args)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("screener: error: ") && err.contains(want),
            "{want}: {err}"
        );
    }
}
