//! The deployment files are valid and name only what the binary has:
//! - every manifest of `deploy/kubernetes` passes `kubernetes-validate`
//!   (pinned in `tests/deploy/requirements.txt`, the schemas of Kubernetes
//!   1.31 in strict mode, so an unknown field fails too), and the
//!   kustomization lists each of them;
//! - a manifest broken on purpose fails the same validator;
//! - the probes and every `SCREENER_*` variable the manifests and
//!   `deploy/compose/compose.yaml` set exist in the binary (its routes and
//!   its configuration), and the compose command's flags are in
//!   `screener serve --help`.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tools() -> PathBuf {
    let requirements = root().join("tests/deploy/requirements.txt");
    common::python::venv_python("kubernetes-validate", &requirements)
        .unwrap_or_else(|e| panic!("kubernetes-validate is not available: {e}"))
}

fn validate(files: &[PathBuf]) -> (bool, String) {
    let python = tools();
    let out = Command::new(&python)
        .args(["-m", "kubernetes_validate", "--strict", "-k", "1.31.0"])
        .args(files)
        .output()
        .expect("run kubernetes-validate");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A YAML file as JSON, read by PyYAML from the validator's environment.
fn yaml(path: &Path) -> Value {
    let out = Command::new(tools())
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
        ])
        .arg(path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn kubernetes_dir() -> PathBuf {
    root().join("deploy/kubernetes")
}

#[test]
fn kubernetes_manifests_are_valid() {
    let kustomization = yaml(&kubernetes_dir().join("kustomization.yaml"));
    let listed: Vec<String> = kustomization[0]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r.as_str().map(String::from))
        .collect();
    let mut present: Vec<String> = std::fs::read_dir(kubernetes_dir())
        .expect("deploy/kubernetes")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".yaml") && n != "kustomization.yaml")
        .collect();
    present.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, present, "the kustomization lists every manifest");
    let files: Vec<PathBuf> = listed.iter().map(|f| kubernetes_dir().join(f)).collect();
    let (ok, report) = validate(&files);
    assert!(ok, "{report}");
    let kinds: Vec<String> = files
        .iter()
        .flat_map(|f| yaml(f).as_array().cloned().unwrap_or_default())
        .filter_map(|d| d["kind"].as_str().map(String::from))
        .collect();
    for kind in [
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Secret",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing: {kinds:?}");
    }
}

#[test]
fn a_broken_manifest_fails_the_validator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(kubernetes_dir().join("deployment.yaml")).expect("read");
    for (from, to) in [
        ("containerPort: 8080", "containerPortt: 8080"),
        ("replicas: 2", "replicas: two"),
    ] {
        assert!(text.contains(from), "{from}");
        let bad = dir.path().join("deployment.yaml");
        std::fs::write(&bad, text.replace(from, to)).expect("write");
        let (ok, report) = validate(&[bad]);
        assert!(!ok, "{to} passed: {report}");
    }
}

/// The container of the Deployment, and the compose replicas.
#[test]
fn deployments_use_what_the_binary_has() {
    let deployment = &yaml(&kubernetes_dir().join("deployment.yaml"))[0];
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    let routes: Vec<&str> = screener::api::endpoints().iter().map(|e| e.path).collect();
    for p in ["/readyz", "/healthz"] {
        assert!(routes.contains(&p), "{p}");
    }
    let mut variables: Vec<String> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter_map(|e| e["name"].as_str().map(String::from))
        .collect();
    let compose = &yaml(&root().join("deploy/compose/compose.yaml"))[0];
    let services = compose["services"].as_object().expect("services");
    for name in ["postgres", "screener-1", "screener-2", "proxy"] {
        assert!(services.contains_key(name), "{name}");
    }
    let mut commands = vec![container["args"].clone()];
    for name in ["screener-1", "screener-2"] {
        let s = &services[name];
        commands.push(s["command"].clone());
        variables.extend(
            s["environment"]
                .as_object()
                .expect("environment")
                .keys()
                .cloned(),
        );
    }
    // Every variable is read somewhere in the code.
    let sources = read_tree(&root().join("src"));
    for v in &variables {
        assert!(
            sources.contains(&format!("\"{v}\"")),
            "{v} is set by a deployment file but read nowhere in src/"
        );
    }
    assert!(variables.iter().any(|v| v == "SCREENER_DATABASE_URL"));
    // Every flag of the commands is one `screener serve` takes.
    let help = Command::new(env!("CARGO_BIN_EXE_screener"))
        .args(["serve", "--help"])
        .output()
        .expect("screener serve --help");
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    for command in commands {
        let args: Vec<&str> = command
            .as_array()
            .expect("command")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(&args[..2], ["screener", "serve"], "{args:?}");
        for flag in args.iter().filter(|a| a.starts_with("--")) {
            assert!(
                help.contains(&format!("{flag} ")),
                "{flag} not in serve --help"
            );
        }
    }
}

fn read_tree(dir: &Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir)
        .expect("read_dir")
        .filter_map(|e| e.ok())
    {
        let path = entry.path();
        if path.is_dir() {
            out.push_str(&read_tree(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    out
}
