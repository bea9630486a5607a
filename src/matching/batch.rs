//! Batch screening of a stream of parties (JSONL or CSV in, JSONL out), as the
//! rescreening job and the NDJSON batch endpoint use it. Rows are read in
//! chunks, screened in parallel, and written in input order, so memory stays
//! bounded whatever the input size. A row whose name cannot be screened gets
//! an `error` field in its output line and the job goes on; a row with a
//! secondary field left out of scoring is screened and gets `warnings`.

use super::{MatchResult, Matcher, Query, ScreenOptions, Warning};
use serde::Serialize;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

/// Rows screened together; bounds memory.
const CHUNK_ROWS: usize = 2048;

/// Input encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Jsonl,
    Csv,
}

impl InputFormat {
    /// From a file name: `.csv` is CSV, anything else JSONL.
    pub fn from_path(path: &std::path::Path) -> InputFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => InputFormat::Csv,
            _ => InputFormat::Jsonl,
        }
    }
}

/// One output line.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowResult {
    pub id: String,
    /// `{list id: version}` of every list the row was screened against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_versions: Option<std::collections::BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches: Option<Vec<MatchResult>>,
    /// Fields of the row left out of scoring (the name was still screened).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What a batch run did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BatchSummary {
    pub rows: u64,
    /// Rows with at least one result at or above the threshold.
    pub alerts: u64,
    pub errors: u64,
    /// Rows screened with a field left out (see [`RowResult::warnings`]).
    pub warnings: u64,
    pub elapsed: Duration,
}

impl BatchSummary {
    pub fn rate(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Parses one JSONL line into a query.
pub fn parse_json_row(line: &str) -> Result<Query, String> {
    crate::json::from_str::<Query>(line).map_err(|e| format!("invalid JSON row: {e}"))
}

/// Splits a CSV list cell (`;`-separated).
fn split_list(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Builds a query from a CSV record with the given header.
pub fn parse_csv_row(header: &[String], record: &csv::StringRecord) -> Result<Query, String> {
    if record.len() != header.len() {
        return Err(format!(
            "row has {} fields, the header has {}",
            record.len(),
            header.len()
        ));
    }
    let mut q = Query::default();
    for (h, v) in header.iter().zip(record.iter()) {
        let v = v.trim();
        let opt = || (!v.is_empty()).then(|| v.to_string());
        match h.as_str() {
            "id" => q.id = opt(),
            "name" => q.name = v.to_string(),
            "schema" => q.schema = opt(),
            "birthDate" | "birth_date" => q.birth_date = opt(),
            "countries" => q.countries = split_list(v),
            "identifiers" => q.identifiers = split_list(v),
            "lists" => q.lists = split_list(v),
            "firstName" => q.first_name = opt(),
            "middleName" => q.middle_name = opt(),
            "fatherName" => q.father_name = opt(),
            "lastName" => q.last_name = opt(),
            other => return Err(format!("unknown column '{other}'")),
        }
    }
    Ok(q)
}

/// Reads rows from `input`, screens them and writes one JSON line per row to
/// `output`, in input order. `progress` is called after each chunk with the
/// number of rows done. I/O errors stop the job; bad rows do not.
pub fn run<R: BufRead, W: Write>(
    matcher: &Matcher,
    input: R,
    format: InputFormat,
    output: W,
    opts: &ScreenOptions,
    progress: impl FnMut(u64),
) -> std::io::Result<BatchSummary> {
    run_with_lists(matcher, input, format, output, opts, &[], progress)
}

/// A row as read: JSON lines are parsed by the worker that screens them.
enum Row {
    Json {
        row_no: u64,
        line: String,
    },
    /// CSV rows, parsed as read (boxed: a query is large).
    Parsed(Box<(String, Result<Query, String>)>),
}

/// One screened row, serialised.
struct Done {
    line: serde_json::Result<Vec<u8>>,
    error: bool,
    alert: bool,
    warned: bool,
}

/// Like [`run`]; rows that name no lists are screened against `default_lists`.
pub fn run_with_lists<R: BufRead, W: Write>(
    matcher: &Matcher,
    input: R,
    format: InputFormat,
    mut output: W,
    opts: &ScreenOptions,
    default_lists: &[String],
    mut progress: impl FnMut(u64),
) -> std::io::Result<BatchSummary> {
    let start = Instant::now();
    let mut summary = BatchSummary::default();
    let mut chunk: Vec<Row> = Vec::with_capacity(CHUNK_ROWS);
    // Parsing, screening and serialising run on the workers; only reading
    // and writing bytes stay on this thread.
    let mut flush =
        |chunk: &mut Vec<Row>, summary: &mut BatchSummary, output: &mut W| -> std::io::Result<()> {
            use rayon::prelude::*;
            let done: Vec<Done> = chunk
                .par_drain(..)
                .map(|row| {
                    let (id, query) = match row {
                        Row::Json { row_no, line } => {
                            let parsed =
                                parse_json_row(&line).map(|q| with_lists(q, default_lists));
                            (row_id(&parsed, row_no), parsed)
                        }
                        Row::Parsed(parsed) => *parsed,
                    };
                    let r = screen_row(matcher, &id, &query, opts);
                    let line = serde_json::to_vec(&r).map(|mut line| {
                        line.push(b'\n');
                        line
                    });
                    Done {
                        line,
                        error: r.error.is_some(),
                        warned: !r.warnings.is_empty(),
                        alert: r
                            .matches
                            .as_ref()
                            .is_some_and(|m| m.iter().any(|m| m.is_match)),
                    }
                })
                .collect();
            for d in done {
                summary.rows += 1;
                if d.error {
                    summary.errors += 1;
                } else if d.alert {
                    summary.alerts += 1;
                }
                summary.warnings += u64::from(d.warned);
                output.write_all(&d.line?)?;
            }
            progress(summary.rows);
            Ok(())
        };
    match format {
        InputFormat::Jsonl => {
            for (i, line) in input.lines().enumerate() {
                let line = line?;
                let row_no = i as u64 + 1;
                if line.trim().is_empty() {
                    continue;
                }
                chunk.push(Row::Json { row_no, line });
                if chunk.len() >= CHUNK_ROWS {
                    flush(&mut chunk, &mut summary, &mut output)?;
                }
            }
        }
        InputFormat::Csv => {
            let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
            let header: Vec<String> = rdr
                .headers()
                .map_err(std::io::Error::other)?
                .iter()
                .map(|h| h.trim().to_string())
                .collect();
            if !header.iter().any(|h| h == "name" || h == "lastName") {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "CSV input needs a header with a 'name' column",
                ));
            }
            let mut row_no = 1u64;
            for rec in rdr.records() {
                row_no += 1;
                let parsed = match rec {
                    Ok(r) => parse_csv_row(&header, &r).map(|q| with_lists(q, default_lists)),
                    Err(e) => Err(format!("invalid CSV row: {e}")),
                };
                let id = row_id(&parsed, row_no);
                chunk.push(Row::Parsed(Box::new((id, parsed))));
                if chunk.len() >= CHUNK_ROWS {
                    flush(&mut chunk, &mut summary, &mut output)?;
                }
            }
        }
    }
    if !chunk.is_empty() {
        flush(&mut chunk, &mut summary, &mut output)?;
    }
    output.flush()?;
    summary.elapsed = start.elapsed();
    Ok(summary)
}

fn with_lists(mut q: Query, lists: &[String]) -> Query {
    if q.lists.is_empty() {
        q.lists = lists.to_vec();
    }
    q
}

fn row_id(parsed: &Result<Query, String>, row_no: u64) -> String {
    match parsed {
        Ok(q) => q.id.clone().unwrap_or_else(|| row_no.to_string()),
        Err(_) => row_no.to_string(),
    }
}

/// Screens a chunk in parallel, keeping order.
pub fn screen_chunk(
    matcher: &Matcher,
    rows: &[(String, Result<Query, String>)],
    opts: &ScreenOptions,
) -> Vec<RowResult> {
    use rayon::prelude::*;
    rows.par_iter()
        .map(|(id, q)| screen_row(matcher, id, q, opts))
        .collect()
}

/// Screens one row (or reports why it could not be read).
fn screen_row(
    matcher: &Matcher,
    id: &str,
    q: &Result<Query, String>,
    opts: &ScreenOptions,
) -> RowResult {
    let (list_versions, matches, warnings, error) = match q {
        Err(e) => (None, None, Vec::new(), Some(e.clone())),
        Ok(q) => match matcher.screen(q, opts) {
            Ok(s) => {
                let searched = matcher.resolve_lists(&q.lists).ok().flatten();
                (
                    Some(matcher.list_versions(searched.as_ref())),
                    Some(s.matches),
                    s.warnings,
                    None,
                )
            }
            Err(e) => (None, None, Vec::new(), Some(e.to_string())),
        },
    };
    RowResult {
        id: id.to_string(),
        list_versions,
        matches,
        warnings,
        error,
    }
}
