//! `screener screen`: the batch rescreening job. Streams JSONL or CSV rows
//! through the matcher and writes one JSONL result line per input row, in
//! input order, with a progress bar on a terminal and a one-line summary.

use super::{CliError, CliResult, Context};
use clap::Args;
use screener::matching::{ScreenOptions, batch};
use std::io::{BufReader, BufWriter, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Input rows: JSONL (one object per line) or CSV with a header (by extension `.csv`).
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// Where to write the JSONL results.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Lists or collections to screen against, comma-separated (default: every loaded list).
    #[arg(long, value_delimiter = ',', value_name = "ID,…")]
    lists: Vec<String>,
    /// Alert threshold (default: the documented default).
    #[arg(long)]
    threshold: Option<f64>,
    /// Most results per row.
    #[arg(long, default_value_t = 5)]
    limit: usize,
}

pub fn run(ctx: &Context, args: ScreenArgs) -> CliResult {
    if let Some(t) = args.threshold
        && !(0.0..=1.0).contains(&t)
    {
        return Err(CliError::new(format!("--threshold {t} is outside [0, 1]")));
    }
    let matcher = ctx.matcher()?;
    let input = std::fs::File::open(&args.input)
        .map_err(|e| CliError::new(format!("cannot open {}: {e}", args.input.display())))?;
    let total_bytes = input.metadata().map(|m| m.len()).unwrap_or(0);
    let output = std::fs::File::create(&args.output)
        .map_err(|e| CliError::new(format!("cannot create {}: {e}", args.output.display())))?;
    let format = batch::InputFormat::from_path(&args.input);
    let opts = ScreenOptions {
        threshold: args.threshold,
        limit: args.limit,
        ..ScreenOptions::default()
    };
    // Rows in the file are unknown up front; the bar counts rows and shows the rate.
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {human_pos} rows  {per_sec}  {elapsed_precise}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Some(b)
    } else {
        None
    };
    let _ = total_bytes;
    let lists = args.lists;
    let summary = batch::run_with_lists(
        &matcher,
        BufReader::new(input),
        format,
        BufWriter::new(output),
        &opts,
        &lists,
        |rows| {
            if let Some(b) = &bar {
                b.set_position(rows);
            }
        },
    )
    .map_err(|e| CliError::new(format!("{}: {e}", args.input.display())))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    eprintln!(
        "screened {} rows: {} alerts, {} errors, {} with warnings, {:.0} rows/s ({:.1} s)",
        summary.rows,
        summary.alerts,
        summary.errors,
        summary.warnings,
        summary.rate(),
        summary.elapsed.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
