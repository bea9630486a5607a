//! The `screener` binary end to end, each test with its own temporary data
//! directory: error reporting (one line, non-zero status), `lists --json`,
//! and imports of the real file sets named by `../shared/lists-raw/MANIFEST.toml`.

mod common;

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
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run screener")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The command failed with exactly one line on stderr, `screener: error: …`.
fn assert_one_line_error(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected failure; stdout: {}",
        stdout(o)
    );
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "stderr: {err}");
    assert!(lines[0].starts_with("screener: error: "), "stderr: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    lines[0].to_string()
}

fn lists_json(data_dir: &Path) -> Vec<Value> {
    let o = screener(data_dir, &["lists", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    match serde_json::from_slice(&o.stdout) {
        Ok(Value::Array(a)) => a,
        other => panic!("not a JSON array: {other:?}: {}", stdout(&o)),
    }
}

#[test]
fn lists_json_on_an_empty_store_is_an_empty_array() {
    let dir = tempfile::tempdir().unwrap();
    let o = screener(dir.path(), &["lists", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "[]");
    let o = screener(dir.path(), &["lists"]);
    assert!(o.status.success());
    assert!(
        stdout(&o).starts_with("no lists stored in"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn data_dir_comes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_screener"))
        .args(["lists", "--json"])
        .env("SCREENER_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("lists").is_dir());
}

#[test]
fn import_of_an_unknown_format_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mystery.bin");
    std::fs::write(&file, b"\x00\x01 this is no list \xff").unwrap();
    let o = screener(
        &dir.path().join("data"),
        &["import", "custom:mine", file.to_str().unwrap()],
    );
    let line = assert_one_line_error(&o);
    assert_eq!(
        line,
        "screener: error: custom:mine: cannot tell the format of the files: mystery.bin: format \
         not recognised from the content; name it with --format"
    );
    let lists = lists_json(&dir.path().join("data"));
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0]["id"], "custom:mine");
    assert_eq!(lists[0]["version"], Value::Null);
    assert!(
        lists[0]["lastError"]
            .as_str()
            .unwrap()
            .contains("format not recognised")
    );
}

#[test]
fn import_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.xml");
    let line = assert_one_line_error(&screener(
        dir.path(),
        &["import", "un_sc_sanctions", missing.to_str().unwrap()],
    ));
    assert!(
        line.contains("nope.xml") && line.contains("cannot read"),
        "{line}"
    );

    let file = dir.path().join("a.xml");
    std::fs::write(&file, b"<x/>").unwrap();
    let line = assert_one_line_error(&screener(
        dir.path(),
        &["import", "eu_sanctions", file.to_str().unwrap()],
    ));
    assert!(line.contains("unknown list 'eu_sanctions'"), "{line}");

    let line = assert_one_line_error(&screener(
        dir.path(),
        &[
            "import",
            "eu_fsf",
            file.to_str().unwrap(),
            "--format",
            "eu_xml_9",
        ],
    ));
    assert!(
        line.contains("unknown format 'eu_xml_9'; known formats: ofac_csv,"),
        "{line}"
    );

    let line = assert_one_line_error(&screener(
        dir.path(),
        &["import", "--manifest", missing.to_str().unwrap()],
    ));
    assert!(line.contains("cannot read manifest"), "{line}");
}

#[test]
fn bad_arguments_are_refused_by_the_parser() {
    let dir = tempfile::tempdir().unwrap();
    let o = screener(
        dir.path(),
        &["import", "eu_fsf", "x.xml", "--max-drop", "2"],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = screener(dir.path(), &["import"]);
    assert_eq!(o.status.code(), Some(2));
    let o = screener(dir.path(), &["import", "--all"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn serve_refuses_a_bad_listen_address_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let line = assert_one_line_error(&screener(dir.path(), &["serve", "--listen", "eight"]));
    assert!(
        line.contains("'eight'") && line.contains("host:port"),
        "{line}"
    );
}

#[test]
fn available_lists_are_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let o = screener(dir.path(), &["lists", "--available", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.len(), 12);
    assert_eq!(v[2]["id"], "un_sc_sanctions");
    assert_eq!(v[2]["sanctions"], true);
}

#[test]
fn fetch_of_an_unknown_list_fails_before_any_download() {
    let dir = tempfile::tempdir().unwrap();
    let line = assert_one_line_error(&screener(dir.path(), &["fetch", "--list", "nowhere"]));
    assert!(line.contains("unknown list 'nowhere'"), "{line}");
}

/// Offline: every list fails at once (a refused connection is not retried),
/// the lists are reported one line each, and the error says how to import
/// the publishers' files by hand. Warnings never claim a last good version.
#[test]
fn fetch_offline_fails_fast_and_says_how_to_import_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mirror = format!("http://127.0.0.1:{port}");
    let o = screener(dir.path(), &["fetch", "--mirror", &mirror]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.lines().count() >= 10, "{out}");
    assert!(
        out.lines()
            .all(|l| l.contains(": error: ") && l.contains("cannot connect")),
        "{out}"
    );
    assert!(
        !out.contains("attempts"),
        "a refused connection is not retried: {out}"
    );
    let err = stderr(&o);
    assert!(err.contains("screener import --manifest"), "{err}");
    assert!(!err.contains("last good version"), "{err}");
    assert_eq!(lists_json(dir.path()).len(), out.lines().count());
    assert!(
        lists_json(dir.path())
            .iter()
            .all(|l| l["version"].is_null())
    );
}

/// Logs written to a file (not a terminal) carry no colour codes, and
/// `--log-format json` makes every log line one JSON object.
#[test]
fn logs_are_plain_off_a_terminal_and_json_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mirror = format!("http://127.0.0.1:{port}");
    let run = |extra: &[&str]| {
        let mut args = vec!["fetch", "--list", "un_sc_sanctions", "--mirror", &mirror];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_screener"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(&args)
            .env("RUST_LOG", "debug")
            .env_remove("NO_COLOR")
            .env_remove("SCREENER_LOG_FORMAT")
            .output()
            .expect("run")
    };
    let o = run(&[]);
    let err = stderr(&o);
    assert!(err.lines().count() > 1, "some logs were written: {err}");
    assert!(!err.contains('\u{1b}'), "colour codes in a log file: {err}");
    let o = run(&["--log-format", "json"]);
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    let (last, logs) = lines.split_last().expect("lines");
    assert!(last.starts_with("screener: error: "), "{last}");
    assert!(!logs.is_empty());
    for l in logs {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v["level"].is_string(), "{l}");
    }
}

/// The default set of every list in the manifest, then `lists --json`: one
/// object per list with exactly the documented keys and the manifest's counts.
/// (Needs the parsers of every default set.)
#[test]
fn import_manifest_defaults_then_lists_json() {
    let manifest = common::manifest();
    let dir = tempfile::tempdir().unwrap();
    let path = common::lists_raw().join("MANIFEST.toml");
    let o = screener(
        dir.path(),
        &["import", "--manifest", path.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));

    let lists = lists_json(dir.path());
    let defaults: Vec<_> = manifest.default_sets().collect();
    assert_eq!(lists.len(), defaults.len());
    for set in defaults {
        let l = lists
            .iter()
            .find(|l| l["id"] == set.list.as_str())
            .unwrap_or_else(|| panic!("{} missing", set.list));
        let mut keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "entities",
                "fetchedAt",
                "id",
                "lastError",
                "names",
                "published",
                "schemas",
                "sha256",
                "version"
            ]
        );
        assert_eq!(l["entities"], set.entities.unwrap(), "{}", set.list);
        for (schema, n) in &set.schemas {
            // The manifest counts FtM's `Airplane` under its older name.
            let schema = if schema == "Aircraft" {
                "Airplane"
            } else {
                schema
            };
            assert_eq!(l["schemas"][schema], *n, "{} {schema}", set.list);
        }
        assert_eq!(l["lastError"], Value::Null);
        assert_eq!(l["sha256"].as_str().unwrap().len(), 64);
        assert!(l["names"].as_u64().unwrap() >= set.entities.unwrap() as u64);
    }
    // The UN file is one file: its combined sha256 is the file's own.
    let un = lists.iter().find(|l| l["id"] == "un_sc_sanctions").unwrap();
    assert_eq!(
        un["sha256"],
        "66b392a4090868d2d39161e8d748efd39138377b0e6e60b7921aa67a4f99c8bf"
    );
    assert!(un["published"].as_str().unwrap().starts_with("2026-02-27"));

    // Importing the same sets again changes nothing.
    let o = screener(
        dir.path(),
        &["import", "--manifest", path.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("0 new,"), "{}", stdout(&o));
}

/// `--all`: every set, oldest first per list. Samples published after a full
/// list are refused by the count guard without failing the run, and the
/// newest accepted set of each list is current. (Needs every parser.)
#[test]
fn import_manifest_all_builds_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::lists_raw().join("MANIFEST.toml");
    let o = screener(
        dir.path(),
        &["import", "--manifest", path.to_str().unwrap(), "--all"],
    );
    let out = stdout(&o);
    assert!(o.status.success(), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("us_ofac_sdn [ofac_sdn_xml_sample/2026-08-07/us_sample.xml]: rejected: "),
        "{out}"
    );
    let lists = lists_json(dir.path());
    let count = |id: &str| {
        lists
            .iter()
            .find(|l| l["id"] == id)
            .and_then(|l| l["entities"].as_u64())
            .unwrap_or_else(|| panic!("{id} missing: {out}"))
    };
    assert_eq!(
        count("un_sc_sanctions"),
        1003,
        "2026-02-27 after 2025-04-19"
    );
    assert_eq!(count("us_ofac_sdn"), 14965, "the 2026 sample was refused");
    assert_eq!(
        count("us_ofac_cons"),
        442,
        "the 2025-12-19 CSV set is the newest"
    );
    assert_eq!(count("gb_hmt_sanctions"), 4688);
    assert_eq!(count("eu_fsf"), 595);
    assert_eq!(count("opensanctions"), 5600);
}
