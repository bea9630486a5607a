//! `screener compare`: score two records against each other with the
//! explanation, or every pair of a JSONL file.

use super::{CliError, CliResult, Context};
use clap::Args;
use screener::matching::{DEFAULT_WEIGHTS, Query, batch};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// First record: a plain name or a JSON object in the `screen` input shape.
    a: Option<String>,
    /// Second record.
    b: Option<String>,
    /// JSONL of `{"id": …, "a": {…}, "b": {…}}` lines (instead of A and B).
    #[arg(long, value_name = "FILE", requires = "output", conflicts_with_all = ["a", "b"])]
    input: Option<PathBuf>,
    /// Where to write one result line per input line.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Alert threshold, 0-1.
    #[arg(long, default_value_t = DEFAULT_WEIGHTS.threshold)]
    threshold: f64,
}

fn record(arg: &str) -> Result<Query, CliError> {
    let t = arg.trim();
    if t.starts_with('{') {
        batch::parse_json_row(t).map_err(CliError::new)
    } else {
        Ok(Query::name(t))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairLine {
    #[serde(default)]
    id: Option<serde_json::Value>,
    a: Query,
    b: Query,
}

#[derive(Serialize)]
struct PairResult {
    id: Option<serde_json::Value>,
    #[serde(flatten)]
    result: Option<screener::matching::Comparison>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn run(ctx: &Context, args: CompareArgs) -> CliResult {
    let stats = ctx.token_stats_or_none().unwrap_or_default();
    let cmp = |a: &Query, b: &Query| {
        screener::matching::compare_using(a, b, &stats, Some(args.threshold))
    };
    if let (Some(input), Some(output)) = (&args.input, &args.output) {
        let file = std::fs::File::open(input)
            .map_err(|e| CliError::new(format!("cannot open {}: {e}", input.display())))?;
        let out = std::fs::File::create(output)
            .map_err(|e| CliError::new(format!("cannot create {}: {e}", output.display())))?;
        let mut out = BufWriter::new(out);
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let r = match serde_json::from_str::<PairLine>(&line) {
                Err(e) => PairResult {
                    id: None,
                    result: None,
                    error: Some(format!("line {}: {e}", n + 1)),
                },
                Ok(p) => match cmp(&p.a, &p.b) {
                    Ok(c) => PairResult {
                        id: p.id,
                        result: Some(c),
                        error: None,
                    },
                    Err(e) => PairResult {
                        id: p.id,
                        result: None,
                        error: Some(e.to_string()),
                    },
                },
            };
            serde_json::to_writer(&mut out, &r)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(a), Some(b)) = (&args.a, &args.b) else {
        return Err(CliError::new(
            "give two records A and B, or --input FILE --output FILE",
        ));
    };
    let c = cmp(&record(a)?, &record(b)?).map_err(|e| CliError::new(e.to_string()))?;
    println!("{}", serde_json::to_string_pretty(&c)?);
    Ok(ExitCode::SUCCESS)
}
