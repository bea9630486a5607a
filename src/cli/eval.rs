//! `screener eval`: the quality harness over the labelled development sets.
//! Prints one line per set; exits non-zero when a target is missed.

use super::{CliError, CliResult};
use clap::Args;
use screener::eval;
use screener::matching::Matcher;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Only this set: positives, negatives, pairs, cross_script, typos,
    /// ofsi_persons or ofsi_organisations.
    #[arg(long)]
    set: Option<String>,
    /// Directory of the dev sets.
    #[arg(long, value_name = "DIR", default_value_os_t = eval::default_dev_dir())]
    dev_dir: PathBuf,
    /// Manifest whose default file sets are loaded.
    #[arg(long, value_name = "TOML", default_value_os_t = eval::default_manifest())]
    manifest: PathBuf,
    /// Print every miss / alert under its set's line.
    #[arg(long, short)]
    verbose: bool,
}

pub fn run(args: EvalArgs) -> CliResult {
    let started = std::time::Instant::now();
    let index =
        eval::index_manifest_defaults(&args.manifest).map_err(|e| CliError::new(e.to_string()))?;
    eprintln!(
        "loaded {} entities from {} lists in {:.1} s",
        index.len(),
        index.lists().len(),
        started.elapsed().as_secs_f64()
    );
    let matcher = Matcher::new(Arc::new(index));
    let reports = eval::run(&matcher, &args.dev_dir, args.set.as_deref())
        .map_err(|e| CliError::new(e.to_string()))?;
    let mut ok = true;
    for r in &reports {
        println!("{}{}", if r.passed { "PASS " } else { "FAIL " }, r.line);
        if args.verbose {
            for m in &r.misses {
                println!("    {m}");
            }
        }
        ok &= r.passed;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
