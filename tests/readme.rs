//! The README's examples, run as written, so they cannot go stale: every
//! `sh` block of the README, in order, in one shell session, with
//! `cargo run --release --` standing for the built binary, `curl` failing on
//! any HTTP error, the service on a free port instead of 8080, and `fetch`
//! going to a local mirror of the publishers' files in `../shared/lists-raw`
//! (the same files the publishers serve, by the catalog's file names).
//! Sections that a test of their own runs (with assertions on their output)
//! are named in [`OWN_RUNNERS`] and left to it.

mod common;
mod support;

use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{Reply, TestServer};

/// README sections run by another test, which checks their output too.
const OWN_RUNNERS: [(&str, &str); 2] = [
    ("Payment screening", "tests/payments_readme.rs"),
    ("Ongoing monitoring", "tests/monitor_cli.rs"),
];

/// One `sh` block and the section it is in.
struct Block {
    section: String,
    text: String,
}

fn readme_blocks() -> Vec<Block> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let mut out = Vec::new();
    let mut section = String::new();
    let mut block: Option<String> = None;
    for line in readme.lines() {
        if let Some(b) = &mut block {
            if line.trim_start().starts_with("```") {
                out.push(Block {
                    section: section.clone(),
                    text: std::mem::take(b),
                });
                block = None;
            } else {
                b.push_str(line);
                b.push('\n');
            }
        } else if let Some(title) = line.strip_prefix("## ") {
            section = title.trim().to_string();
        } else if line.trim() == "```sh" {
            block = Some(String::new());
        }
    }
    out
}

/// The catalog's files, served from `lists-raw` the way the publishers serve
/// them: `<list id>/<file name>` → the bytes of the manifest file of that
/// list with that name (a gzipped copy is served unpacked), or, for a list
/// with one file, its default (else sample) set's one file.
fn mirror_files() -> HashMap<String, Vec<u8>> {
    let manifest = common::manifest();
    let catalog = screener::sources::Catalog::builtin().expect("catalog");
    let raw = common::lists_raw();
    let mut out = HashMap::new();
    for list in catalog.lists.iter().filter(|l| l.auto_fetch) {
        let sets: Vec<_> = manifest.sets.iter().filter(|s| s.list == list.id).collect();
        for file in &list.files {
            let wanted = file.name.to_ascii_lowercase();
            let by_name = sets.iter().flat_map(|s| s.files.iter()).find(|f| {
                let base = f.rsplit('/').next().unwrap_or(f).to_ascii_lowercase();
                base == wanted || base == format!("{wanted}.gz")
            });
            // A one-file list: its default set's file, else a sample's.
            let one_file: Vec<_> = sets.iter().filter(|s| s.files.len() == 1).collect();
            let single = (list.files.len() == 1)
                .then(|| {
                    one_file
                        .iter()
                        .find(|s| s.default)
                        .or_else(|| one_file.first())
                })
                .flatten()
                .and_then(|s| s.files.first());
            let Some(path) = by_name.or(single) else {
                continue;
            };
            let bytes = std::fs::read(raw.join(path)).expect("raw file");
            let bytes = if path.ends_with(".gz") {
                use std::io::Read;
                let mut d = Vec::new();
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut d)
                    .expect("gunzip");
                d
            } else {
                bytes
            };
            out.insert(format!("/{}/{}", list.id, file.name), bytes);
        }
    }
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Runs the script in a fresh directory holding `examples/` (and `../shared`
/// beside it), so relative paths work as in a checkout and nothing is
/// written into the repository.
fn run_script(script: &str, work: &Path, env: &[(&str, String)]) -> std::process::Output {
    let mut c = Command::new("bash");
    c.arg("-c").arg(script).current_dir(work).process_group(0);
    c.env_remove("RUST_LOG")
        .env_remove("SCREENER_API_KEYS")
        .env_remove("SCREENER_CONFIG");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run bash")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_of_the_readme_runs_as_written() {
    let files = mirror_files();
    assert!(files.len() >= 8, "{:?}", files.keys().collect::<Vec<_>>());
    let mirror = TestServer::start(move |req, _| match files.get(&req.path) {
        Some(body) => Reply::ok(body.clone()),
        None => Reply::status(404),
    })
    .await;

    let tmp = tempfile::tempdir().expect("tempdir");
    let work = tmp.path().join("checkout");
    std::fs::create_dir_all(&work).expect("mkdir");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::os::unix::fs::symlink(repo.join("examples"), work.join("examples")).expect("link");
    std::os::unix::fs::symlink(common::shared_dir(), tmp.path().join("shared")).expect("link");
    let data = tmp.path().join("data");
    let port = free_port();

    let blocks: Vec<Block> = readme_blocks()
        .into_iter()
        .filter(|b| !OWN_RUNNERS.iter().any(|(s, _)| *s == b.section))
        .collect();
    assert!(blocks.len() >= 4, "the README has its examples");
    let mut script = String::from(
        r#"set -euo pipefail
cargo() {
  if [ "${1:-}" = run ] && [ "${2:-}" = --release ] && [ "${3:-}" = -- ]; then
    shift 3
    if [ "${1:-}" = fetch ]; then set -- "$@" --mirror "$README_MIRROR"; fi
    "$SCREENER_BIN" "$@"
  else
    echo "the README may only run the binary: cargo $*" >&2; return 1
  fi
}
curl() { command curl --fail-with-body --silent --show-error --max-time 120 "$@"; echo; }
wait_ready() {
  for _ in $(seq 1 600); do
    command curl -sf "http://127.0.0.1:$README_PORT/readyz" >/dev/null && return 0
    sleep 0.2
  done
  echo "the service did not become ready" >&2; return 1
}
# The script leads its own process group: on exit, stop everything it started
# (a backgrounded `cargo` is a subshell running the binary; killing only the
# subshell would leave the service holding the output pipe).
trap 'trap "" TERM; kill -- -$$ 2>/dev/null || true' EXIT
"#,
    );
    for b in &blocks {
        script.push_str(&format!("\n# --- README: {}\n", b.section));
        let text = b.text.replace("127.0.0.1:8080", "127.0.0.1:$README_PORT");
        script.push_str(&text);
        if text.contains(" serve ") && text.trim_end().ends_with('&') {
            script.push_str("wait_ready\n");
        }
    }
    script.push_str("\necho README-DONE\n");

    let env = [
        ("SCREENER_BIN", env!("CARGO_BIN_EXE_screener").to_string()),
        ("SCREENER_DATA_DIR", data.display().to_string()),
        ("README_MIRROR", mirror.base()),
        ("README_PORT", port.to_string()),
    ];
    let out = tokio::task::spawn_blocking({
        let work = work.clone();
        move || run_script(&script, &work, &env)
    })
    .await
    .expect("script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("README-DONE"),
        "a README example failed (status {:?})\n--- stdout (tail)\n{}\n--- stderr (tail)\n{}",
        out.status.code(),
        tail(&stdout, 40),
        tail(&stderr, 40)
    );
    // What the examples show is what they do: the listed customers alert.
    let alerts = std::fs::read_to_string(work.join("alerts.jsonl")).expect("alerts.jsonl");
    let alerted: Vec<String> = alerts
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| {
            v["matches"]
                .as_array()
                .is_some_and(|m| m.iter().any(|x| x["match"] == true))
        })
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    for id in ["c-1001", "c-1003", "c-1005", "c-1007"] {
        assert!(
            alerted.iter().any(|a| a == id),
            "{id} should alert: {alerted:?}"
        );
    }
    for id in ["c-1002", "c-1004", "c-1006", "c-1008"] {
        assert!(
            !alerted.iter().any(|a| a == id),
            "{id} should not alert: {alerted:?}"
        );
    }
    // The fetch went to the mirror and stored what it served.
    assert!(
        stdout.contains("un_sc_sanctions: "),
        "{}",
        tail(&stdout, 40)
    );
    drop(mirror);
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
