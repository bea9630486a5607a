//! `screener screen`: the batch rescreening job. Streams JSONL or CSV rows
//! through the matcher and writes one JSONL result line per input row, in
//! input order, with a progress bar on a terminal and a one-line summary.
//! Arguments, files and `--lists` are checked before the index is built, so
//! a mistake costs nothing; a run in which some rows could not be screened
//! ends with exit status 3.

use super::{CliError, CliResult, Context};
use clap::Args;
use screener::matching::{DEFAULT_WEIGHTS, MAX_LIMIT, ScreenOptions, batch};
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status of a run that finished but left rows unscreened.
pub const EXIT_ROWS_NOT_SCREENED: u8 = 3;

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Input rows: JSONL (one object per line) or CSV with a header; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// Where to write the JSONL results; `-` writes to standard output.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Input format (default: from the input's extension, `.csv` or JSONL).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Lists or collections to screen against, comma-separated (default: every loaded list).
    #[arg(long, value_delimiter = ',', value_name = "ID,…")]
    lists: Vec<String>,
    /// Alert threshold, 0-1.
    #[arg(long, default_value_t = DEFAULT_WEIGHTS.threshold)]
    threshold: f64,
    /// Most results per row.
    #[arg(long, default_value_t = ScreenOptions::default().limit)]
    limit: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Jsonl,
    Csv,
}

fn is_dash(p: &std::path::Path) -> bool {
    p.as_os_str() == "-"
}

pub fn run(ctx: &Context, args: ScreenArgs) -> CliResult {
    if !(0.0..=1.0).contains(&args.threshold) {
        return Err(CliError::new(format!(
            "--threshold {} is outside [0, 1]",
            args.threshold
        )));
    }
    if !(1..=MAX_LIMIT).contains(&args.limit) {
        return Err(CliError::new(format!(
            "--limit {} is outside 1..={MAX_LIMIT}",
            args.limit
        )));
    }
    let format = match args.format {
        Some(Format::Csv) => batch::InputFormat::Csv,
        Some(Format::Jsonl) => batch::InputFormat::Jsonl,
        None => batch::InputFormat::from_path(&args.input),
    };
    let store = ctx.open_store(None)?;
    ctx.check_lists(&store, &args.lists)?;
    let input: Box<dyn BufRead> = if is_dash(&args.input) {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.input)
            .map_err(|e| CliError::new(format!("cannot open {}: {e}", args.input.display())))?;
        Box::new(BufReader::new(file))
    };
    let output: Box<dyn Write> = if is_dash(&args.output) {
        Box::new(std::io::stdout().lock())
    } else {
        let file = std::fs::File::create(&args.output)
            .map_err(|e| CliError::new(format!("cannot create {}: {e}", args.output.display())))?;
        Box::new(file)
    };
    let matcher = ctx.matcher_of(&store)?;
    let opts = ScreenOptions {
        threshold: Some(args.threshold),
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
    let summary = batch::run_with_lists(
        &matcher,
        input,
        format,
        BufWriter::new(output),
        &opts,
        &args.lists,
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
    if summary.errors > 0 {
        eprintln!(
            "screener: {} of {} rows were not screened; their output lines carry an `error`",
            summary.errors, summary.rows
        );
        return Ok(ExitCode::from(EXIT_ROWS_NOT_SCREENED));
    }
    Ok(ExitCode::SUCCESS)
}
