//! Every default is written once, in the code, and what the README,
//! `docs/API.md`, `--help` and `/openapi.json` say about it is checked here
//! against that one source: the alert threshold (`DEFAULT_WEIGHTS`), the
//! result limit (`ScreenOptions`, `MAX_LIMIT`) and the server's limits
//! (`Limits::default()`).

use screener::api::config::ServerConfig;
use screener::matching::{DEFAULT_WEIGHTS, MAX_LIMIT, ScreenOptions};
use std::path::PathBuf;
use std::process::Command;

fn repo_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn help(command: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_screener"))
        .args([command, "--help"])
        .output()
        .expect("run screener");
    assert!(out.status.success(), "{command} --help");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_default_threshold_is_the_same_everywhere_it_is_written() {
    let t = DEFAULT_WEIGHTS.threshold;
    let readme = repo_file("README.md");
    assert!(
        readme.contains(&format!("**Default threshold: {t}.**")),
        "README does not state the default threshold {t}"
    );
    let api = repo_file("docs/API.md");
    assert!(
        api.contains(&format!("`threshold` (default {t})")),
        "docs/API.md does not state the default threshold {t}"
    );
    for command in ["screen", "compare"] {
        let text = help(command);
        assert!(
            text.contains(&format!("[default: {t}]")),
            "screener {command} --help:\n{text}"
        );
    }
    let doc = screener::api::openapi::document(&ServerConfig::default());
    for pointer in [
        "/components/schemas/Query/properties/threshold/description",
        "/components/schemas/CompareRequest/properties/threshold/description",
    ] {
        let text = doc.pointer(pointer).and_then(|v| v.as_str()).unwrap_or("");
        assert!(text.contains(&format!("default {t}")), "{pointer}: {text}");
    }
}

#[test]
fn the_result_limit_defaults_are_the_same_everywhere_they_are_written() {
    let default = ScreenOptions::default().limit;
    let api = repo_file("docs/API.md");
    assert!(
        api.contains(&format!("`limit` (default {default}, max {MAX_LIMIT})")),
        "docs/API.md does not state limit default {default}, max {MAX_LIMIT}"
    );
    assert!(help("screen").contains(&format!("[default: {default}]")));
}

#[test]
fn the_documented_configuration_shows_every_limit_with_its_default() {
    let api = repo_file("docs/API.md");
    let start = api.find("```toml\n").expect("a toml block in docs/API.md") + 8;
    let end = start + api[start..].find("```").expect("end of the toml block");
    let documented: toml::Table = toml::from_str(&api[start..end]).expect("the block is TOML");
    let limits = documented
        .get("limits")
        .and_then(|l| l.as_table())
        .expect("a [limits] table");
    let defaults = serde_json::to_value(ServerConfig::default().limits).expect("limits as JSON");
    let defaults = defaults.as_object().expect("an object");
    for (key, value) in defaults {
        let shown = limits
            .get(key)
            .unwrap_or_else(|| panic!("docs/API.md [limits] leaves out {key}"));
        assert_eq!(
            shown.as_integer().map(|n| n.to_string()),
            Some(value.to_string()),
            "docs/API.md [limits] {key}"
        );
    }
    for key in limits.keys() {
        assert!(
            defaults.contains_key(key),
            "docs/API.md names an unknown limit {key}"
        );
    }
}
