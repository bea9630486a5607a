//! The README's monitoring example, run as written: customers screened at
//! the 2021 OFAC list, newer versions of every list imported, a delta
//! rescreen, and only the new alerts, each naming the version that raised it.
//! Also the CLI's export commands and its one-line errors.

mod common;

use common::postgres::Backend;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    std::env::var("SCREENER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// The shell block under "Worked example" in the README.
fn readme_example() -> String {
    readme_block("### Worked example")
}

/// The first shell block under a heading of the README.
fn readme_block(heading: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let start = readme.find(heading).expect("README section");
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("sh block") + "```sh\n".len();
    let close = rest[open..].find("\n```").expect("block end");
    rest[open..open + close].to_string()
}

fn screener_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_screener"))
        .parent()
        .expect("bin dir")
        .to_path_buf()
}

/// The commands on the backend: nothing for SQLite (the file in the data
/// directory), `SCREENER_DATABASE_URL` for PostgreSQL.
fn on(backend: Backend, c: &mut Command, tmp: &Path, url: &mut Option<String>) {
    match backend {
        Backend::Sqlite => {
            c.env_remove("SCREENER_DATABASE_URL");
        }
        Backend::Postgres => {
            let u = url.get_or_insert_with(|| backend.new_database(tmp));
            c.env("SCREENER_DATABASE_URL", u.as_str());
        }
    }
}

fn the_readme_worked_example_raises_only_the_new_alerts(backend: Backend) {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut url = None;
    // The example refers to ../shared as the README's reader has it.
    std::os::unix::fs::symlink(
        shared().canonicalize().expect("shared"),
        tmp.path().join("shared"),
    )
    .expect("link");
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).expect("work");
    let path = format!(
        "{}:{}",
        screener_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut bash = Command::new("bash");
    on(backend, &mut bash, tmp.path(), &mut url);
    let out = bash
        .args(["-euo", "pipefail", "-c", &readme_example()])
        .current_dir(&work)
        .env("PATH", path)
        .env_remove("SCREENER_DATA_DIR")
        .env_remove("SCREENER_CONFIG")
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // Customers imported at the 2021 list: Bout only.
    assert!(
        stdout
            .contains("4 customers: 4 created, 0 updated, 0 unchanged, 0 errors; 1 alerts opened"),
        "{stdout}"
    );
    let sections: Vec<&str> = stdout.split(" alerts\n").collect();
    assert!(sections.len() >= 2, "{stdout}");
    let first = sections[0];
    assert!(
        first.contains("c-001") && first.contains("us_ofac_sdn:8279"),
        "{first}"
    );
    assert!(!first.contains("c-003"), "{first}");
    // The rescreen is a delta and opens alerts for Usmanov (designated after 2021).
    let second = sections[1];
    assert!(second.contains("delta rescreen:"), "{second}");
    let sdn_version_2021 = first
        .lines()
        .find(|l| l.contains("us_ofac_sdn:8279"))
        .and_then(|l| l.rsplit('(').next())
        .expect("version")
        .to_string();
    let usmanov = second
        .lines()
        .find(|l| l.contains("c-003") && l.contains("us_ofac_sdn:"))
        .expect("Usmanov's OFAC alert");
    assert!(
        !usmanov.contains(sdn_version_2021.trim_end_matches(')')),
        "raised by the newer version: {usmanov}"
    );
    // Bout's alert is the same one as before, not a second.
    assert_eq!(second.matches("us_ofac_sdn:8279").count(), 1, "{second}");
    // Nobody else alerts.
    assert!(
        !stdout.contains("c-002") && !stdout.contains("c-004"),
        "{stdout}"
    );
    assert!(stdout.contains("alert 1: false_positive"), "{stdout}");
    assert!(stdout.contains("audit trail intact:"), "{stdout}");

    // Exports: the records as imported, the audit trail as JSONL.
    let bin = env!("CARGO_BIN_EXE_screener");
    let data = work.join("data");
    // The monitor's data went to the backend under test, and only there.
    assert_eq!(
        data.join("monitor/monitor.db").exists(),
        backend == Backend::Sqlite
    );
    let mut cmd = Command::new(bin);
    on(backend, &mut cmd, tmp.path(), &mut url);
    let o = cmd
        .args([
            "--data-dir",
            data.to_str().expect("utf8"),
            "customers",
            "export",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("\"tags\":[\"vip\"]"), "{text}");
    let mut cmd = Command::new(bin);
    on(backend, &mut cmd, tmp.path(), &mut url);
    let o = cmd
        .args([
            "--data-dir",
            data.to_str().expect("utf8"),
            "audit",
            "export",
            "--from",
            "1",
            "--to",
            "3",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), 3, "{text}");
    // A decision on a closed alert: one line, non-zero exit.
    let mut cmd = Command::new(bin);
    on(backend, &mut cmd, tmp.path(), &mut url);
    let o = cmd
        .args([
            "--data-dir",
            data.to_str().expect("utf8"),
            "alerts",
            "decide",
            "1",
            "--decision",
            "escalate",
            "--reason",
            "again",
        ])
        .output()
        .expect("run");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("closed"), "{err}");
}
crate::on_both_backends!(the_readme_worked_example_raises_only_the_new_alerts);

/// The README's PostgreSQL block, run as written but for the URL, which
/// names a fresh database of the test cluster.
#[test]
fn the_readme_postgresql_example_keeps_the_monitor_in_the_shared_database() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::os::unix::fs::symlink(
        shared().canonicalize().expect("shared"),
        tmp.path().join("shared"),
    )
    .expect("link");
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).expect("work");
    let url = Backend::Postgres.new_database(tmp.path());
    let block = readme_block("### PostgreSQL");
    let written = "'postgres://screener@%2Fvar%2Frun%2Fpostgresql/monitor'";
    assert!(block.contains(written), "{block}");
    let script = block.replace(written, &format!("'{url}'"));
    let path = format!(
        "{}:{}",
        screener_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&work)
        .env("PATH", path)
        .env("SCREENER_DATA_DIR", work.join("data"))
        .env_remove("SCREENER_CONFIG")
        .env_remove("SCREENER_DATABASE_URL")
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 alerts opened"), "{stdout}");
    assert!(stdout.contains("us_ofac_sdn:8279"), "{stdout}");
    assert!(stdout.contains("audit trail intact:"), "{stdout}");
    // Nothing went to a SQLite file; the customer is in PostgreSQL.
    assert!(!work.join("data/monitor/monitor.db").exists());
    let store = common::postgres::open(&url);
    assert_eq!(store.count_customers().expect("count"), 1);
}
