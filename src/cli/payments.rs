//! `screener payments screen`: screens files of payment messages against
//! the stored lists and writes one JSONL result line per message. A file is
//! one message (ISO 20022 XML or SWIFT MT), or, when it ends in `.jsonl` or
//! `.ndjson`, one `{"id", "message"}` object per line; a directory is every
//! file in it, in name order. A message that cannot be screened gets an
//! `error` line and the job goes on; a one-line summary ends the run, with
//! exit status 3 when some message was not screened.

use super::{CliError, CliResult, Context};
use clap::{Args, Subcommand};
use screener::payments::{Rules, Verdict, screen_message};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct PaymentsArgs {
    #[command(subcommand)]
    command: PaymentsCommand,
}

#[derive(Debug, Subcommand)]
enum PaymentsCommand {
    /// Screen payment messages (ISO 20022 pacs.008, pacs.009, pain.001; SWIFT MT103, MT202, MT202COV).
    Screen(ScreenArgs),
}

#[derive(Debug, Args)]
struct ScreenArgs {
    /// A message file, a JSONL file of {"id", "message"} lines, or a directory of message files.
    #[arg(long, value_name = "FILE_OR_DIR")]
    input: PathBuf,
    /// Where to write the JSONL results.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Hold rules overriding the built-in ones (see src/payments/rules.toml).
    #[arg(long, value_name = "TOML")]
    rules: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: PaymentsArgs) -> CliResult {
    match args.command {
        PaymentsCommand::Screen(a) => screen(ctx, a),
    }
}

/// One message to screen: its id and where it came from.
struct Item {
    id: String,
    source: String,
    message: Result<Vec<u8>, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    id: Option<String>,
    message: String,
}

fn is_jsonl(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// The messages of one input file.
fn read_file(path: &Path, out: &mut Vec<Item>) -> Result<(), CliError> {
    let source = path.display().to_string();
    if !is_jsonl(path) {
        let id = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| source.clone());
        let message = std::fs::read(path).map_err(|e| format!("cannot read {source}: {e}"));
        out.push(Item {
            id,
            source,
            message,
        });
        return Ok(());
    }
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::new(format!("cannot open {source}: {e}")))?;
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| CliError::new(format!("{source}: line {}: {e}", n + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{source}:{}", n + 1);
        match screener::json::from_str::<Line>(&line) {
            Ok(l) => out.push(Item {
                id: l.id.unwrap_or_else(|| (n + 1).to_string()),
                source: at,
                message: Ok(l.message.into_bytes()),
            }),
            Err(e) => out.push(Item {
                id: (n + 1).to_string(),
                source: at,
                message: Err(format!("not a {{\"id\", \"message\"}} object: {e}")),
            }),
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    id: &'a str,
    source: &'a str,
    error: &'a str,
    detail: &'a str,
}

#[derive(Serialize)]
struct ResultLine<'a> {
    id: &'a str,
    source: &'a str,
    #[serde(flatten)]
    result: &'a screener::payments::MessageResult,
}

fn screen(ctx: &Context, args: ScreenArgs) -> CliResult {
    let rules = match &args.rules {
        Some(p) => Rules::load(p).map_err(|e| CliError::new(e.to_string()))?,
        None => Rules::builtin(),
    };
    let mut items = Vec::new();
    let meta = std::fs::metadata(&args.input)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", args.input.display())))?;
    if meta.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&args.input)
            .map_err(|e| CliError::new(format!("cannot read {}: {e}", args.input.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(CliError::new(format!(
                "{} has no files: nothing to screen",
                args.input.display()
            )));
        }
        for f in &files {
            read_file(f, &mut items)?;
        }
    } else {
        read_file(&args.input, &mut items)?;
    }
    let matcher = ctx.matcher()?;
    let output = std::fs::File::create(&args.output)
        .map_err(|e| CliError::new(format!("cannot create {}: {e}", args.output.display())))?;
    let mut out = BufWriter::new(output);
    let start = std::time::Instant::now();
    let (mut hold, mut pass, mut errors) = (0usize, 0usize, 0usize);
    for item in &items {
        let screened = item
            .message
            .as_ref()
            .map_err(|e| ("invalid_line", e.clone()))
            .and_then(|m| screen_message(&matcher, &rules, m).map_err(|e| (e.code, e.to_string())));
        let line = match &screened {
            Ok(result) => {
                match result.verdict {
                    Verdict::Hold => hold += 1,
                    Verdict::Pass => pass += 1,
                }
                serde_json::to_string(&ResultLine {
                    id: &item.id,
                    source: &item.source,
                    result,
                })?
            }
            Err((code, detail)) => {
                errors += 1;
                serde_json::to_string(&ErrorLine {
                    id: &item.id,
                    source: &item.source,
                    error: code,
                    detail,
                })?
            }
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    eprintln!(
        "screened {} messages: {hold} hold, {pass} pass, {errors} errors ({:.1} s)",
        items.len(),
        start.elapsed().as_secs_f64()
    );
    if errors > 0 {
        return Ok(ExitCode::from(super::screen::EXIT_ROWS_NOT_SCREENED));
    }
    Ok(ExitCode::SUCCESS)
}
