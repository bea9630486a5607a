//! Python tools the tests check the product with (the followthemoney
//! library), each in a virtual environment under `target/pytools/<name>`
//! with the versions pinned in its requirements file. The environment is
//! made on first use (`python3 -m venv`, then `pip install -r`); `.ci/run`
//! makes it up front. A test that cannot have its tool fails with the
//! command that installs it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The Python that makes the environments: `$SCREENER_PYTHON`, else the
/// newest of python3.13 and python3.12 found, else python3. Python 3.11's
/// parser can fail under Hypothesis's deep recursion ("AST constructor
/// recursion depth mismatch", seen with Schemathesis), so a newer one is
/// preferred where the machine has it.
pub fn interpreter() -> String {
    if let Ok(p) = std::env::var("SCREENER_PYTHON") {
        return p;
    }
    // pyenv installs versions side by side without putting each on PATH.
    let mut pyenv: Vec<String> = std::env::var_os("PYENV_ROOT")
        .and_then(|root| std::fs::read_dir(PathBuf::from(root).join("versions")).ok())
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.starts_with("3.12.") || name.starts_with("3.13.")
        })
        .map(|e| e.path().join("bin/python3").display().to_string())
        .collect();
    pyenv.sort();
    pyenv.reverse();
    ["python3.13".to_string(), "python3.12".to_string()]
        .into_iter()
        .chain(pyenv)
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .unwrap_or_else(|| "python3".to_string())
}

/// The command that makes the environment by hand.
pub fn install_command(name: &str, requirements: &Path) -> String {
    let dir = target_dir().join("pytools").join(name);
    format!(
        "{python} -m venv {dir} && {dir}/bin/pip install -r {req}",
        python = interpreter(),
        dir = dir.display(),
        req = requirements.display()
    )
}

/// The Python interpreter of environment `name` with `requirements`
/// installed, making the environment when it is missing or was made from
/// other requirements. `Err` says what failed and how to install by hand.
pub fn venv_python(name: &str, requirements: &Path) -> Result<PathBuf, String> {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = target_dir().join("pytools").join(name);
    let python = dir.join("bin").join("python");
    let stamp = dir.join("requirements.installed");
    let wanted = std::fs::read_to_string(requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(python);
    }
    let how = install_command(name, requirements);
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {cmd:?}: {e}; install by hand: {how}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{cmd:?} failed: {}; install by hand: {how}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    if !python.exists() {
        run(Command::new(interpreter()).arg("-m").arg("venv").arg(&dir))?;
    }
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(requirements))?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(python)
}
