//! Every entity screener outputs is valid FollowTheMoney, checked by the
//! real library: `tests/ftm/check_ftm.py` with followthemoney pinned in
//! `tests/ftm/requirements.txt` (a virtual environment under
//! `target/pytools/followthemoney`, made by `common::python`).
//!
//! The entities of every file set in `MANIFEST.toml` (not only the default
//! ones) are written in both forms screener outputs: nested (the JSON the
//! API returns and the store keeps, with `Sanction` and `CryptoWallet`
//! entities under the party's `sanctions` / `cryptoWallets`) and flat (one
//! FtM entity per line, references by id). The checker fails on an unknown
//! or abstract schema, a property the schema lacks, a value the library's
//! type refuses or finds too long, a reference to an entity not in the
//! file, or a property or value that a round trip through the library's
//! entity proxy loses.

mod common;

use screener::model::{Entity, ftm};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ftm")
}

fn python() -> PathBuf {
    let requirements = here().join("requirements.txt");
    common::python::venv_python("followthemoney", &requirements)
        .unwrap_or_else(|e| panic!("the followthemoney checker is not available: {e}"))
}

/// Runs the checker on the files; its JSON report and whether it passed.
fn check(nested: &[PathBuf], flat: &[PathBuf]) -> (Value, bool) {
    let mut cmd = Command::new(python());
    cmd.arg(here().join("check_ftm.py"))
        .env("FTM_MAX_PROBLEMS", "1000000");
    for f in nested {
        cmd.arg("--nested").arg(f);
    }
    for f in flat {
        cmd.arg("--flat").arg(f);
    }
    let out = cmd.output().expect("run check_ftm.py");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check_ftm.py gave no report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.success())
}

fn write_lines<T: serde::Serialize>(path: &Path, items: impl IntoIterator<Item = T>) -> usize {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut n = 0;
    for item in items {
        serde_json::to_writer(&mut f, &item).expect("serialise");
        f.write_all(b"\n").expect("write");
        n += 1;
    }
    f.flush().expect("flush");
    n
}

/// Phone numbers the Rust `phonenumber` crate (which `conform` asks)
/// finds valid and Python's `phonenumbers` (which FtM asks) does not: two
/// North Korean numbers of the UK list. Known and named, so that any other
/// difference still fails the test.
const PHONE_METADATA_DIFFERS: [&str; 2] = ["'+850-2-18111-8208'", "'+850-2-18111-8550'"];

#[test]
fn every_manifest_set_is_valid_followthemoney() {
    let manifest = common::manifest();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut nested, mut flat) = (Vec::new(), Vec::new());
    let mut written = 0;
    let mut sanctions = 0;
    for (n, set) in manifest.sets.iter().enumerate() {
        let parsed = common::parse_set(&manifest, set);
        assert!(
            !parsed.entities.is_empty(),
            "{:?} parsed to nothing",
            set.files
        );
        let parties = &parsed.entities;
        let linked: usize = parties.iter().map(|e| e.linked.len()).sum();
        sanctions += parties
            .iter()
            .flat_map(|e| &e.linked)
            .filter(|l| l.schema == screener::model::LinkedSchema::Sanction)
            .count();
        let path = dir.path().join(format!("{n}.nested.jsonl"));
        assert_eq!(write_lines(&path, parties.iter()), parties.len());
        nested.push(path);
        let path = dir.path().join(format!("{n}.flat.jsonl"));
        let lines = write_lines(&path, parties.iter().flat_map(ftm::flat_entities));
        assert_eq!(lines, parties.len() + linked, "{:?}", set.files);
        flat.push(path);
        written += 2 * (parties.len() + linked);
    }
    let (report, _) = check(&nested, &flat);
    if std::env::var_os("FTM_KEEP_FILES").is_some() {
        eprintln!("files kept in {}", dir.keep().display());
    }
    let problems: Vec<Value> = report["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            !p.as_str()
                .is_some_and(|p| PHONE_METADATA_DIFFERS.iter().any(|v| p.contains(v)))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "followthemoney {} found {} problems ({} not known differences; the first 60):\n{}",
        report["followthemoney"],
        report["problem_count"],
        problems.len(),
        problems
            .iter()
            .take(60)
            .map(|p| p.as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The checker looked at every entity written, in both forms.
    let checked: u64 = report["entities"]
        .as_object()
        .expect("entity counts")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(checked as usize, written);
    assert_eq!(
        report["entities"]["Sanction"].as_u64().unwrap_or(0) as usize,
        2 * sanctions
    );
    assert!(sanctions > 10_000, "only {sanctions} Sanction entities");
}

/// The checker itself fails on what it must refuse: otherwise the test
/// above could pass by checking nothing.
#[test]
fn the_checker_refuses_invalid_entities() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut party = Entity::new("us_ofac_sdn", "1", screener::model::Schema::Person);
    party.add("name", "Jane DOE");
    party.add("program", "SDGT");
    party.add("cryptoWallet", "XBT:1AbC");
    ftm::conform(&mut party);
    let good = serde_json::to_value(&party).expect("serialise");
    let mut bad = Vec::new();
    // A property Person lacks, a date FtM refuses, an unknown schema, a
    // Sanction property on the wrong entity, and an entity reference that
    // is not an id of the file.
    let mut v = good.clone();
    v["properties"]["imoNumber"] = serde_json::json!(["9000003"]);
    bad.push(v);
    let mut v = good.clone();
    v["properties"]["birthDate"] = serde_json::json!(["31.02.1970"]);
    bad.push(v);
    let mut v = good.clone();
    v["schema"] = serde_json::json!("Aircraft");
    bad.push(v);
    let mut v = good.clone();
    v["properties"]["sanctions"][0]["properties"]["publicKey"] = serde_json::json!(["1AbC"]);
    bad.push(v);
    let nested = dir.path().join("bad.nested.jsonl");
    write_lines(&nested, &bad);
    let mut flat_entities: Vec<Value> = ftm::flat_entities(&party)
        .iter()
        .map(|f| serde_json::to_value(f).expect("serialise"))
        .collect();
    flat_entities[1]["properties"]["entity"] = serde_json::json!(["nobody"]);
    let flat = dir.path().join("bad.flat.jsonl");
    write_lines(&flat, &flat_entities);
    let (report, passed) = check(&[nested], &[flat]);
    assert!(!passed);
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for expected in [
        "Person has no property 'imoNumber'",
        "birthDate (date): invalid value '31.02.1970'",
        "unknown schema 'Aircraft'",
        "Sanction has no property 'publicKey'",
        "entity refers to 'nobody', which is not in the file",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "no problem {expected:?} in {problems:?}"
        );
    }
    // And the same party unchanged passes.
    let ok = dir.path().join("ok.nested.jsonl");
    write_lines(&ok, [&good]);
    let (report, passed) = check(&[ok], &[]);
    assert!(passed, "{report}");
}
