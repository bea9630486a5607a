//! `screener screen` (the batch rescreening job) and `screener compare` as a
//! user runs them: a data directory with a real list imported, JSONL and CSV
//! inputs with good and bad rows, one output line per input line in order.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn screener(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_screener"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("runs")
}

fn shared() -> PathBuf {
    std::env::var("SCREENER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// A data directory with the UN list of 2026-02-27 imported.
fn data_dir_with_un() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = shared().join("lists-raw/un_consolidated/2026-02-27/consolidated.xml");
    let o = screener(
        dir.path(),
        &[
            "import",
            "un_sc_sanctions",
            file.to_str().expect("utf-8 path"),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("output written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

#[test]
fn screen_jsonl_keeps_order_and_reports_bad_rows() {
    let dir = data_dir_with_un();
    let input = dir.path().join("in.jsonl");
    let long = "x".repeat(10_000);
    let rows = [
        // UN QDi.001, listed as MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE, born 1963-04-11 (alt. 1960).
        r#"{"id": "c1", "name": "Mohammed Salahaldin Zidane", "schema": "Person", "birthDate": "1963-04-11"}"#.to_string(),
        r#"{"id": "c2", "name": "Kelly Parker", "schema": "Person"}"#.to_string(),
        r#"{"id": "c3", "name": "#.to_string(),
        r#"{"id": "c4", "name": "   "}"#.to_string(),
        format!(r#"{{"id": "c5", "name": "{long}"}}"#),
        r#"{"id": "c6", "name": "🙂🙂"}"#.to_string(),
        r#"{"id": "c7", "nmae": "typo in the field"}"#.to_string(),
    ];
    std::fs::write(&input, rows.join("\n")).expect("write input");
    let output = dir.path().join("out.jsonl");
    let o = screener(
        dir.path(),
        &[
            "screen",
            "--input",
            input.to_str().unwrap_or_default(),
            "--output",
            output.to_str().unwrap_or_default(),
        ],
    );
    // Rows were left unscreened: the run says so in its exit status.
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("screened 7 rows"), "{summary}");
    assert!(
        summary.contains("5 of 7 rows were not screened"),
        "{summary}"
    );
    let out = lines(&output);
    assert_eq!(out.len(), 7);
    assert_eq!(out[0]["id"], "c1");
    let first = &out[0]["matches"][0];
    assert_eq!(first["entity"]["id"], "un_sc_sanctions:QDi.001");
    assert_eq!(first["match"], true);
    assert!(
        first["explanation"]["summary"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(out[1]["id"], "c2");
    assert!(
        out[1]["matches"]
            .as_array()
            .is_some_and(|m| m.iter().all(|x| x["match"] == false))
    );
    // Malformed JSON: the row gets an error and its line number as id.
    assert!(
        out[2]["error"].as_str().is_some_and(|e| e.contains("JSON")),
        "{}",
        out[2]
    );
    assert!(
        out[3]["error"]
            .as_str()
            .is_some_and(|e| e.contains("empty")),
        "{}",
        out[3]
    );
    assert!(
        out[4]["error"]
            .as_str()
            .is_some_and(|e| e.contains("limit")),
        "{}",
        out[4]
    );
    assert!(
        out[5]["error"]
            .as_str()
            .is_some_and(|e| e.contains("letters")),
        "{}",
        out[5]
    );
    assert!(
        out[6]["error"].as_str().is_some_and(|e| e.contains("nmae")),
        "{}",
        out[6]
    );
}

#[test]
fn screen_csv_with_lists_and_threshold() {
    let dir = data_dir_with_un();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,name,schema,countries,identifiers\n\
         a,Mohammed Salahaldin Zidane,Person,eg,\n\
         b,Kelly Parker,Person,us;gb,\n\
         c,\"unclosed,Person\n",
    )
    .expect("write input");
    let output = dir.path().join("out.jsonl");
    let o = screener(
        dir.path(),
        &[
            "screen",
            "--input",
            input.to_str().unwrap_or_default(),
            "--output",
            output.to_str().unwrap_or_default(),
            "--lists",
            "un_sc_sanctions",
            "--threshold",
            "0.99",
            "--limit",
            "2",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = lines(&output);
    assert_eq!(out.len(), 3);
    assert_eq!(
        out[0]["matches"][0]["entity"]["id"],
        "un_sc_sanctions:QDi.001"
    );
    // At 0.99 a partial name no longer alerts, but is still shown.
    assert_eq!(out[0]["matches"][0]["match"], false);
    assert!(out[0]["matches"].as_array().is_some_and(|m| m.len() <= 2));
    assert!(out[2]["error"].is_string(), "{}", out[2]);
}

#[test]
fn screen_refuses_bad_arguments_with_one_line() {
    let dir = data_dir_with_un();
    let o = screener(
        dir.path(),
        &[
            "screen",
            "--input",
            "/no/such/file.jsonl",
            "--output",
            "/tmp/x.jsonl",
        ],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("/no/such/file.jsonl"), "{err}");
    let empty = tempfile::tempdir().expect("tempdir");
    let input = empty.path().join("in.jsonl");
    std::fs::write(&input, "{\"name\": \"x\"}\n").expect("write");
    let o = screener(
        empty.path(),
        &[
            "screen",
            "--input",
            input.to_str().unwrap_or_default(),
            "--output",
            "/tmp/y.jsonl",
        ],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no lists"));
}

#[test]
fn screen_checks_its_lists_before_reading_any_input() {
    let dir = data_dir_with_un();
    let output = dir.path().join("out.jsonl");
    for (lists, named) in [
        ("us_ofac", "us_ofac"),
        ("un_sc_sanctions,gb_fcdo_sanctions", "gb_fcdo_sanctions"),
        ("custom:foo", "custom:foo"),
        ("UN", "UN"),
    ] {
        // The input is a FIFO nobody writes to: reading it would hang the test.
        let fifo = dir.path().join("never-written");
        let _ = std::fs::remove_file(&fifo);
        let made = Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let o = screener(
            dir.path(),
            &[
                "screen",
                "--input",
                fifo.to_str().unwrap_or_default(),
                "--output",
                output.to_str().unwrap_or_default(),
                "--lists",
                lists,
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{lists}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("--lists") && err.contains(named), "{err}");
        assert!(!output.exists(), "no output is written for {lists}");
    }
    // The sanctions collection with only an export-control list stored.
    let bis = tempfile::tempdir().expect("tempdir");
    let file = shared().join("lists-raw/us_bis_dpl/2023-11-28/dpl.txt");
    if file.exists() {
        let o = screener(
            bis.path(),
            &["import", "us_bis_denied", file.to_str().unwrap_or_default()],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let input = bis.path().join("in.jsonl");
        std::fs::write(&input, "{\"name\": \"x\"}\n").expect("write");
        let o = screener(
            bis.path(),
            &[
                "screen",
                "--input",
                input.to_str().unwrap_or_default(),
                "--output",
                "-",
                "--lists",
                "sanctions",
            ],
        );
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stderr).contains("no list to search"));
    }
}

#[test]
fn screen_reads_stdin_and_writes_stdout_with_a_dash() {
    use std::io::Write;
    let dir = data_dir_with_un();
    let mut child = Command::new(env!("CARGO_BIN_EXE_screener"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["screen", "--input", "-", "--output", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(
            b"{\"id\": \"c1\", \"name\": \"Mohammed Salahaldin Zidane\"}\n{\"id\": \"dup\", \"name\": \"Mohammed Zidane\", \"name\": \"Kelly Parker\"}\n",
        )
        .expect("write");
    drop(stdin);
    let o = child.wait_with_output().expect("wait");
    assert!(!Path::new("-").exists(), "no file named '-'");
    let out: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(
        out[0]["matches"][0]["entity"]["id"],
        "un_sc_sanctions:QDi.001"
    );
    assert_eq!(
        out[0]["listVersions"]["un_sc_sanctions"]
            .as_str()
            .map(|v| !v.is_empty()),
        Some(true),
        "{}",
        out[0]
    );
    // A repeated key is that row's error, and the run's exit status says a row was not screened.
    assert!(
        out[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("duplicate key")),
        "{}",
        out[1]
    );
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn compare_prints_score_and_explanation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = screener(
        dir.path(),
        &[
            "compare",
            "Sergei Lavrov",
            r#"{"name": "Sergey Viktorovich LAVROV", "schema": "Person"}"#,
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["match"], true);
    assert!(v["score"].as_f64().is_some_and(|s| s > 0.8));
    assert!(
        v["explanation"]["tokens"]
            .as_array()
            .is_some_and(|t| t.len() == 2)
    );

    let input = dir.path().join("pairs.jsonl");
    std::fs::write(
        &input,
        "{\"id\": 1, \"a\": {\"name\": \"Olaf Scholz\"}, \"b\": {\"name\": \"Olaf Scholze\"}}\n\
         not json\n\
         {\"id\": 3, \"a\": {\"name\": \"Angela Merkel\"}, \"b\": {\"name\": \"Angelo Cruz\"}}\n",
    )
    .expect("write");
    let output = dir.path().join("out.jsonl");
    let o = screener(
        dir.path(),
        &[
            "compare",
            "--input",
            input.to_str().unwrap_or_default(),
            "--output",
            output.to_str().unwrap_or_default(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = lines(&output);
    assert_eq!(out.len(), 3);
    assert_eq!(out[0]["id"], 1);
    assert_eq!(out[0]["match"], true);
    assert!(out[1]["error"].is_string());
    assert_eq!(out[2]["match"], false);
}
