//! The index kept on disk between runs (`src/index/persist.rs`), through the
//! real binary: the second start reads it back instead of building; a new
//! list version is never answered from the old index; a damaged copy is
//! built again; and `compare` reads only the token statistics.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn screener(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_screener"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("SCREENER_DATA_DIR")
        .env_remove("SCREENER_CATALOG")
        .env("RUST_LOG", "screener::index=info")
        .env("NO_COLOR", "1")
        .output()
        .expect("run screener")
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const V1: &str = "id,name,schema,birth_date\n\
    W-1,Orlando Quintero Vargas,Person,1975-06-02\n\
    W-2,Harbour Lantern Shipping Ltd,Company,\n";
const V2: &str = "id,name,schema,birth_date\n\
    W-1,Orlando Quintero Vargas,Person,1975-06-02\n\
    W-2,Harbour Lantern Shipping Ltd,Company,\n\
    W-3,Beatriz Almeida Santos,Person,1969-01-21\n";

/// Screens one name against the custom list; returns the matched entity
/// ids and the run's log.
fn screen(dir: &Path, name: &str) -> (Vec<String>, String) {
    let input = dir.join("in.jsonl");
    std::fs::write(&input, format!("{{\"id\": \"c\", \"name\": \"{name}\"}}\n")).expect("write");
    let out = dir.join("out.jsonl");
    let o = ok(screener(
        &dir.join("data"),
        &[
            "screen",
            "--input",
            input.to_str().expect("utf-8 path"),
            "--output",
            out.to_str().expect("utf-8 path"),
        ],
    ));
    let line: Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .expect("output")
            .lines()
            .next()
            .expect("one line"),
    )
    .expect("json");
    let ids = line["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .filter(|m| m["match"] == true)
        .map(|m| m["entity"]["id"].as_str().expect("id").to_string())
        .collect();
    (ids, stderr(&o))
}

fn import(dir: &Path, csv: &str) {
    let file = dir.join("watch.csv");
    std::fs::write(&file, csv).expect("write");
    ok(screener(
        &dir.join("data"),
        &["import", "custom:watch", file.to_str().expect("utf-8 path")],
    ));
}

#[test]
fn the_second_start_reads_the_index_and_a_new_version_is_never_answered_from_the_old() {
    let dir = tempfile::tempdir().expect("tempdir");
    import(dir.path(), V1);
    let (hits, log) = screen(dir.path(), "Beatriz Almeida Santos");
    assert!(hits.is_empty(), "{hits:?}");
    let (hits, log2) = screen(dir.path(), "Orlando Quintero Vargas");
    assert_eq!(hits, ["custom:watch:W-1"]);
    assert!(
        log.contains("index built and stored") || log2.contains("index built and stored"),
        "{log}\n{log2}"
    );
    assert!(log2.contains("index read from disk"), "{log2}");

    import(dir.path(), V2);
    let (hits, log) = screen(dir.path(), "Beatriz Almeida Santos");
    assert_eq!(hits, ["custom:watch:W-3"], "{log}");
    assert!(!log.contains("index read from disk"), "{log}");
    let (hits, log) = screen(dir.path(), "Beatriz Almeida Santos");
    assert_eq!(hits, ["custom:watch:W-3"]);
    assert!(log.contains("index read from disk"), "{log}");
}

#[test]
fn a_damaged_stored_index_is_built_again_with_the_same_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    import(dir.path(), V2);
    let (before, _) = screen(dir.path(), "Harbour Lantern Shipping");
    assert_eq!(before, ["custom:watch:W-2"]);
    let index_dir = dir.path().join("data").join("index");
    let mut damaged = 0;
    for entry in std::fs::read_dir(&index_dir).expect("index dir").flatten() {
        let parties = entry.path().join("parties.bin");
        if parties.exists() {
            let bytes = std::fs::read(&parties).expect("read");
            std::fs::write(&parties, &bytes[..bytes.len() / 2]).expect("cut");
            damaged += 1;
        }
    }
    assert_eq!(damaged, 1);
    let (after, log) = screen(dir.path(), "Harbour Lantern Shipping");
    assert_eq!(after, before);
    assert!(log.contains("stored index unreadable"), "{log}");
    assert!(log.contains("index built and stored"), "{log}");
    let (_, log) = screen(dir.path(), "Harbour Lantern Shipping");
    assert!(log.contains("index read from disk"), "{log}");
}

#[test]
fn compare_reads_only_the_token_statistics_and_scores_as_with_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    import(dir.path(), V2);
    let data = dir.path().join("data");
    let args = [
        "compare",
        "Beatriz Almeida",
        r#"{"name": "Beatriz ALMEIDA SANTOS", "schema": "Person"}"#,
    ];
    // No stored index yet: compare builds and stores it.
    let first = ok(screener(&data, &args));
    assert!(
        stderr(&first).contains("index built and stored"),
        "{}",
        stderr(&first)
    );
    let second = ok(screener(&data, &args));
    assert!(
        stderr(&second).contains("token statistics read from disk"),
        "{}",
        stderr(&second)
    );
    assert!(!stderr(&second).contains("index read from disk"));
    let score = |o: &Output| {
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        v["score"].as_f64().expect("score")
    };
    assert_eq!(score(&first), score(&second));
}

#[test]
fn serve_starts_from_the_stored_index() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("tempdir");
    import(dir.path(), V2);
    screen(dir.path(), "Harbour Lantern Shipping");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_screener"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args([
            "serve",
            "--no-refresh",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("SCREENER_API_KEYS")
        .env_remove("SCREENER_CONFIG")
        .env("RUST_LOG", "screener::index=info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("serve");
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !client
        .get(format!("{base}/readyz"))
        .send()
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(Instant::now() < deadline, "the server did not get ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let answer: Value = client
        .post(format!("{base}/v1/screen"))
        .json(&serde_json::json!({"name": "Beatriz Almeida Santos"}))
        .send()
        .and_then(|r| r.json())
        .expect("screen");
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(log.contains("index read from disk"), "{log}");
    assert!(!log.contains("index built and stored"), "{log}");
    assert_eq!(
        answer["matches"][0]["entity"]["id"], "custom:watch:W-3",
        "{answer}"
    );
    assert_eq!(answer["matches"][0]["match"], true, "{answer}");
}
