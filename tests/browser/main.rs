//! The analyst console in a real browser: Debian's headless Chromium driven
//! by Selenium (pinned in `requirements.txt`, in a virtual environment under
//! `target/pytools`) through chromedriver, against `screener serve` on two
//! real lists. `walk.py` walks the analyst's day and checks every page with
//! axe-core; screenshots land in `target/ui-screenshots/` (CI artifacts).
//! CI installs `chromium` and `chromium-driver` (`.ci/run`).

#[path = "../common/mod.rs"]
mod common;

use common::serve::{Served, free_port, screener, wait_ready};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const ANALYST_KEY: &str = "ui-analyst-key-7c2d9e4f1a3b5c60";
const ADMIN_TOKEN: &str = "ui-admin-token-3e8f0a2b4c6d8e1f";

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn import(data: &Path, list: &str, files: &[PathBuf]) {
    let out = screener(data)
        .arg("import")
        .arg(list)
        .args(files)
        .output()
        .expect("run import");
    assert!(
        out.status.success(),
        "import {list}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_analysts_day_in_headless_chromium() {
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is needed for this test: apt-get install chromium chromium-driver (.ci/run does)"
        );
    }
    let requirements = here().join("requirements.txt");
    let python = common::python::venv_python("browser", &requirements)
        .unwrap_or_else(|e| panic!("Selenium is needed for this test: {e}"));

    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let raw = common::lists_raw();
    let files = |dir: &str, names: &[&str]| -> Vec<PathBuf> {
        names.iter().map(|n| raw.join(dir).join(n)).collect()
    };
    // OFAC SDN as in July 2021 (before Usmanov's designation) and the UN list.
    import(
        &data,
        "us_ofac_sdn",
        &files(
            "ofac_sdn_csv/2021-07-07",
            &["sdn.csv", "alt.csv", "add.csv"],
        ),
    );
    import(
        &data,
        "un_sc_sanctions",
        &files("un_consolidated/2026-02-27", &["consolidated.xml"]),
    );
    let newer = files(
        "ofac_sdn_csv/composite-2024-05-03+2025-12-24",
        &["sdn.csv", "alt.csv", "add.csv"],
    );

    let port = free_port();
    let log_path = tmp.path().join("serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let _served = Served(
        screener(&data)
            .args(["serve", "--no-refresh", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .env("SCREENER_API_KEYS", format!("ana={ANALYST_KEY}"))
            .env("SCREENER_ADMIN_TOKEN", ADMIN_TOKEN)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start screener serve"),
    );
    wait_ready(port);

    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/ui-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let newer_files: Vec<String> = newer.iter().map(|p| p.display().to_string()).collect();
    let started = Instant::now();
    let out = Command::new(&python)
        .arg(here().join("walk.py"))
        .env("SCREENER_URL", format!("http://127.0.0.1:{port}"))
        .env("SCREENER_ANALYST_KEY", ANALYST_KEY)
        .env("SCREENER_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SCREENSHOTS", &shots)
        .env("CHROME_PROFILE", tmp.path().join("chrome-profile"))
        .env("SCREENER_BIN", env!("CARGO_BIN_EXE_screener"))
        .env("SCREENER_DATA_DIR", &data)
        .env("NEW_SDN_FILES", newer_files.join("\n"))
        .output()
        .expect("run walk.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "browser walk ran {:.0} s:\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    let serve_log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let serve_tail: String = serve_log
        .lines()
        .rev()
        .take(20)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        out.status.success(),
        "the browser walk failed (screenshots in {}):\n{stdout}\n{stderr}\nserve log:\n{serve_tail}",
        shots.display()
    );
    assert!(stdout.contains("[walk] done"), "{stdout}");
    for shot in [
        "05-queue.png",
        "05-queue-390.png",
        "07-alert.png",
        "07-alert-390.png",
        "10-audit.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} saved");
    }
}
