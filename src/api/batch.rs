//! `POST /v1/screen/batch`: many parties in one call.
//!
//! - `Content-Type: application/json`: a JSON array of screen requests (the
//!   `/v1/screen` body), at most `limits.max_batch` of them, answered with
//!   `{"listVersions": {…}, "results": [...]}` in input order. An element that
//!   is not a valid request gets an `error` in its result; the others are
//!   screened. The whole body must arrive within `limits.body_timeout_secs`;
//!   only then does the batch take a slot (429 when none is free).
//! - `Content-Type: application/x-ndjson`: one query per line (the fields of
//!   `screener screen` JSONL input), streamed in and out: lines are read in
//!   chunks, screened in parallel off the HTTP threads and written back as
//!   they are done, one output line per non-blank input line, so memory stays
//!   bounded whatever the size. A bad line gets an `error` field. Threshold
//!   and limit come from the query string (`?threshold=0.8&limit=3`). Each
//!   chunk waits for a batch slot while it is screened and gives it back
//!   after, so a stream that sends slowly holds no slot; a stream silent for
//!   `limits.stream_idle_timeout_secs` ends with an error line.

use super::body;
use super::error::ErrorBody;
use super::error::{ApiError, payload_error, serde_error};
use super::metrics::Api;
use super::native::{
    MatchOut, Object, ResultGrouping, checked_query, match_outs, party_outs, screen_options,
};
use super::params::Params;
use super::{AppState, blocking};
use crate::matching::batch::{RowResult, parse_json_row, screen_chunk};
use crate::matching::{Query, ScreenOptions, Screening, Warning};
use crate::service::Served;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::{DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rows of an NDJSON stream screened together.
const NDJSON_CHUNK: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Json,
    Ndjson,
}

fn body_kind(req: &HttpRequest) -> Result<BodyKind, ApiError> {
    let unsupported = || {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send a JSON array as Content-Type: application/json, or one query per line as Content-Type: application/x-ndjson",
        )
    };
    let mime = req
        .mime_type()
        .map_err(|_| unsupported())?
        .ok_or_else(unsupported)?;
    match (mime.type_().as_str(), mime.subtype().as_str()) {
        ("application", "json") => Ok(BodyKind::Json),
        ("application", "x-ndjson" | "ndjson" | "jsonl" | "x-jsonlines" | "jsonlines") => {
            Ok(BodyKind::Ndjson)
        }
        _ => Err(unsupported()),
    }
}

/// Screen many parties
///
/// Many parties in one call. A JSON array of up to
/// `{limits.max_batch}` screening queries (`Content-Type: application/json`),
/// answered in input order; or one query per line (`Content-Type:
/// application/x-ndjson`, up to `{limits.max_ndjson_rows}` rows) streamed in
/// and out, one output line per non-blank input line. Bad elements and lines
/// get an `error` and the rest is screened. Threshold and limit for NDJSON
/// (and defaults for JSON) come from the query string; a query's own
/// `threshold` and `limit` win.
#[utoipa::path(
    post,
    path = "/v1/screen/batch",
    tag = "native",
    params(
        ("threshold" = Option<f64>, Query, minimum = 0.0, maximum = 1.0, description = "Alert threshold for every row (0-1)."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 500, description = "Results per row."),
        ("results" = inline(Option<ResultGrouping>), Query, description = "`records` (default for batches): one result per list record, as each publisher lists it (NDJSON rows carry the record summaries `screener screen` writes). `parties`: a party that several lists name is one result per row, its records merged and listed in `referents`, as `/v1/screen` returns by default.")
    ),
    request_body(
        content(
            (Vec<Query> = "application/json", example = json!([{"id": "c-1", "name": "Kim Jong Un", "schema": "Person"}, {"id": "c-2", "name": "Rosneft", "schema": "Company"}])),
            (String = "application/x-ndjson", example = json!("{\"id\": \"c-1\", \"name\": \"Kim Jong Un\"}\n{\"id\": \"c-2\", \"name\": \"Rosneft\"}\n"))
        )
    ),
    responses(
        (status = 200, description = "JSON: the results in input order. NDJSON: one line per row with `id`, `listVersions` and `matches`, or `error`.", content(
            (BatchResponse = "application/json"),
            (String = "application/x-ndjson")
        )),
        (status = 413, description = "More queries than `limits.max_batch`.", body = ErrorBody),
        (status = 422, description = "A query parameter is not valid: threshold or limit out of range, `results` neither `records` nor `parties`, or an unknown parameter.", body = ErrorBody),
        (status = 429, description = "`limits.max_concurrent_batches` JSON batches are being screened.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn screen_batch(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    params.only(&["threshold", "limit", "results"])?;
    let defaults = screen_options(&state, params.f64("threshold")?, params.usize("limit")?)?;
    // Batches feed exports that cite each publisher's entry: per record
    // unless asked for parties.
    let grouping = ResultGrouping::of(&params, ResultGrouping::Records)?;
    let kind = body_kind(&req)?;
    let served = state.served()?;
    match kind {
        BodyKind::Json => {
            let body =
                super::body::read(&req, payload.into_inner(), &body::limit_of(&req)?).await?;
            // The slot is taken once the body is here: a slow sender holds none.
            let permit = state.batch_slot()?;
            let response = json_batch(&state, served, defaults, grouping, &body).await;
            drop(permit);
            response
        }
        BodyKind::Ndjson => {
            let payload =
                actix_web::dev::Decompress::from_headers(payload.into_inner(), req.headers());
            Ok(ndjson_batch(state, served, defaults, grouping, payload))
        }
    }
}

/// A JSON array read up to a count: the elements (as their raw text, each
/// parsed strictly on its own), or how many there were.
enum Capped<'a> {
    Items(Vec<&'a RawValue>),
    TooMany(usize),
}

struct CappedSeq {
    max: usize,
}

impl<'de> Visitor<'de> for CappedSeq {
    type Value = Capped<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of screen requests")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Capped<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max));
        loop {
            if items.len() < self.max {
                match seq.next_element::<&'de RawValue>()? {
                    Some(v) => items.push(v),
                    None => return Ok(Capped::Items(items)),
                }
            } else {
                // Over the limit: count the rest without keeping them.
                let mut n = items.len();
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                return Ok(if n > self.max {
                    Capped::TooMany(n)
                } else {
                    Capped::Items(items)
                });
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for CappedSeq {
    type Value = Capped<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Capped<'de>, D::Error> {
        d.deserialize_seq(self)
    }
}

/// One element of a JSON batch answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem<'a> {
    /// Position in the input array, from 0.
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    /// The lists this element was screened against, with their versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    list_versions: Option<BTreeMap<String, String>>,
    /// The query as answered, with the threshold and limit used.
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<Query>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matches: Option<Vec<MatchOut<'a>>>,
    /// Query fields left out of scoring (absent when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Warning>,
    /// Why this element was not screened: an error code, as in error bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// The answer to a JSON batch.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchResponse<'a> {
    /// `{list id: version}` of every loaded list.
    list_versions: BTreeMap<String, String>,
    /// One result per element, in input order.
    results: Vec<BatchItem<'a>>,
}

/// The `id` of an element, read even when the rest of it is not valid.
#[derive(serde::Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<String>,
}

/// An element: its `id` (when readable) and the query as it will be answered, or why not.
type Prepared = (Option<String>, Result<Query, ApiError>);

async fn json_batch(
    state: &web::Data<AppState>,
    served: Arc<Served>,
    defaults: ScreenOptions,
    grouping: ResultGrouping,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let max = state.config.limits.max_batch;
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = CappedSeq { max }
        .deserialize(&mut de)
        .and_then(|c| de.end().map(|()| c));
    let items = match parsed {
        Ok(Capped::Items(items)) => items,
        Ok(Capped::TooMany(n)) => {
            return Err(ApiError::too_large(
                "batch_too_large",
                format!(
                    "the batch has {n} queries; the limit is {max} (limits.max_batch); split it or send NDJSON"
                ),
            ));
        }
        Err(e) => return Err(serde_error(&e)),
    };
    let prepared: Vec<Prepared> = items
        .into_iter()
        .map(|raw| {
            let id = serde_json::from_str::<IdOnly>(raw.get())
                .ok()
                .and_then(|i| i.id);
            let prepared = (|| {
                let Object(q) = crate::json::from_str::<Object<Query>>(raw.get())
                    .map_err(|e| serde_error(&e))?;
                checked_query(state, &served, &defaults, q)
            })();
            (id, prepared)
        })
        .collect();
    let worker = Arc::clone(&served);
    let (prepared, results) = blocking(move || {
        use rayon::prelude::*;
        let results: Vec<Option<Result<Screening, ApiError>>> = prepared
            .par_iter()
            .map(|(_, p)| {
                p.as_ref().ok().map(|q| {
                    worker
                        .matcher
                        .screen(q, &ScreenOptions::default())
                        .map_err(ApiError::from)
                })
            })
            .collect();
        (prepared, results)
    })
    .await?;
    let mut screened = 0;
    let mut alerts = 0;
    let out: Vec<BatchItem> = prepared
        .iter()
        .zip(results.iter())
        .enumerate()
        .map(|(index, ((id, p), r))| match (p, r) {
            (Err(e), _) | (Ok(_), Some(Err(e))) => BatchItem {
                index,
                id: id.as_deref(),
                list_versions: None,
                query: None,
                matches: None,
                warnings: Vec::new(),
                error: Some(e.code),
                detail: Some(e.detail.clone()),
            },
            (Ok(q), Some(Ok(s))) => {
                screened += 1;
                alerts += u64::from(s.matches.iter().any(|x| x.is_match));
                let searched = served.matcher.resolve_lists(&q.lists).ok().flatten();
                BatchItem {
                    index,
                    id: id.as_deref(),
                    list_versions: Some(served.matcher.list_versions(searched.as_ref())),
                    query: Some(q.clone()),
                    matches: Some(match grouping {
                        ResultGrouping::Parties => {
                            party_outs(&served, &s.matches, searched.as_ref())
                        }
                        ResultGrouping::Records => match_outs(&served, &s.matches),
                    }),
                    warnings: s.warnings.clone(),
                    error: None,
                    detail: None,
                }
            }
            (Ok(_), None) => BatchItem {
                index,
                id: id.as_deref(),
                list_versions: None,
                query: None,
                matches: None,
                warnings: Vec::new(),
                error: Some("internal_error"),
                detail: Some("the query was not screened".into()),
            },
        })
        .collect();
    state.metrics.screened(Api::Batch, screened, alerts);
    Ok(HttpResponse::Ok().json(BatchResponse {
        list_versions: served.versions(None),
        results: out,
    }))
}

/// One line of NDJSON input.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    Text(String),
    TooLong(usize),
    NotUtf8,
}

/// Splits a byte stream into lines of at most `max` bytes without holding
/// more than `max` bytes of any line.
struct LineSplitter {
    max: usize,
    buf: Vec<u8>,
    /// Bytes of an over-long line being skipped.
    skipping: Option<usize>,
}

impl LineSplitter {
    fn new(max: usize) -> LineSplitter {
        LineSplitter {
            max,
            buf: Vec::new(),
            skipping: None,
        }
    }

    fn finish_line(&mut self) -> Line {
        if let Some(n) = self.skipping.take() {
            return Line::TooLong(n);
        }
        let mut raw = std::mem::take(&mut self.buf);
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        match String::from_utf8(raw) {
            Ok(s) => Line::Text(s),
            Err(_) => Line::NotUtf8,
        }
    }

    fn take_segment(&mut self, seg: &[u8]) {
        match &mut self.skipping {
            Some(n) => *n += seg.len(),
            None => {
                if self.buf.len() + seg.len() > self.max {
                    self.skipping = Some(self.buf.len() + seg.len());
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(seg);
                }
            }
        }
    }

    /// Feeds bytes; returns the lines completed by them.
    fn push(&mut self, mut bytes: &[u8]) -> Vec<Line> {
        let mut out = Vec::new();
        while let Some(pos) = memchr::memchr(b'\n', bytes) {
            let (seg, rest) = bytes.split_at(pos);
            self.take_segment(seg);
            out.push(self.finish_line());
            bytes = rest.get(1..).unwrap_or_default();
        }
        self.take_segment(bytes);
        out
    }

    /// The last line when the input does not end with a newline.
    fn finish(&mut self) -> Option<Line> {
        if self.buf.is_empty() && self.skipping.is_none() {
            None
        } else {
            Some(self.finish_line())
        }
    }
}

type Chunk = Vec<(String, Result<Query, String>)>;
type OutItem = Result<Bytes, std::convert::Infallible>;

struct NdjsonJob {
    state: web::Data<AppState>,
    served: Arc<Served>,
    opts: ScreenOptions,
    grouping: ResultGrouping,
    tx: tokio::sync::mpsc::Sender<OutItem>,
    chunk: Chunk,
    rows: u64,
    max_rows: u64,
}

/// An NDJSON output row with `results=parties`: the row's results folded
/// into parties, as `/v1/screen` returns them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartyRow<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    list_versions: Option<&'a BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matches: Option<Vec<MatchOut<'a>>>,
    #[serde(skip_serializing_if = "<[Warning]>::is_empty")]
    warnings: &'a [Warning],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl<'a> PartyRow<'a> {
    fn of(served: &'a Served, r: &'a RowResult) -> PartyRow<'a> {
        // Merged over the lists the row searched (its versions' keys).
        let searched: Option<std::collections::BTreeSet<String>> = r
            .list_versions
            .as_ref()
            .map(|v| v.keys().cloned().collect());
        PartyRow {
            id: &r.id,
            list_versions: r.list_versions.as_ref(),
            matches: r
                .matches
                .as_ref()
                .map(|m| party_outs(served, m, searched.as_ref())),
            warnings: &r.warnings,
            error: r.error.as_deref(),
        }
    }
}

fn line_of<T: Serialize>(v: &T) -> Vec<u8> {
    let mut out =
        serde_json::to_vec(v).unwrap_or_else(|_| b"{\"error\":\"internal_error\"}".to_vec());
    out.push(b'\n');
    out
}

impl NdjsonJob {
    /// Screens the pending rows and sends their lines; false when the client is gone.
    async fn flush(&mut self) -> bool {
        if self.chunk.is_empty() {
            return true;
        }
        let chunk = std::mem::take(&mut self.chunk);
        let served = Arc::clone(&self.served);
        let opts = self.opts;
        let grouping = self.grouping;
        // A slot for as long as this chunk is screened; the semaphore is never closed.
        let Ok(permit) = Arc::clone(&self.state.batch_slots).acquire_owned().await else {
            return false;
        };
        let done = blocking(move || {
            let results = screen_chunk(&served.matcher, &chunk, &opts);
            let mut out = Vec::with_capacity(results.len() * 256);
            let mut alerts = 0;
            for r in &results {
                if r.matches
                    .as_ref()
                    .is_some_and(|m| m.iter().any(|m| m.is_match))
                {
                    alerts += 1;
                }
                match grouping {
                    ResultGrouping::Records => out.extend_from_slice(&line_of(r)),
                    ResultGrouping::Parties => {
                        out.extend_from_slice(&line_of(&PartyRow::of(&served, r)))
                    }
                }
            }
            (
                out,
                results.iter().filter(|r| r.error.is_none()).count() as u64,
                alerts,
            )
        })
        .await;
        drop(permit);
        match done {
            Ok((bytes, screened, alerts)) => {
                self.state.metrics.screened(Api::Ndjson, screened, alerts);
                self.tx.send(Ok(Bytes::from(bytes))).await.is_ok()
            }
            Err(e) => {
                let line = line_of(&serde_json::json!({"error": e.code, "detail": e.detail}));
                let _ = self.tx.send(Ok(Bytes::from(line))).await;
                false
            }
        }
    }

    /// Takes one input line; false to stop reading.
    async fn line(&mut self, line_no: u64, line: Line) -> bool {
        let row_id = line_no.to_string();
        let parsed = match line {
            Line::Text(t) if t.trim().is_empty() => return true,
            Line::Text(t) => parse_json_row(&t),
            Line::TooLong(n) => Err(format!(
                "line is {n} bytes; the limit is {} bytes (limits.max_ndjson_line_bytes)",
                self.state.config.limits.max_ndjson_line_bytes
            )),
            Line::NotUtf8 => Err("line is not valid UTF-8".to_string()),
        };
        self.rows += 1;
        if self.rows > self.max_rows {
            if !self.flush().await {
                return false;
            }
            let line = line_of(&serde_json::json!({
                "error": "batch_too_large",
                "detail": format!(
                    "the stream has more than {} rows (limits.max_ndjson_rows); rows from line {line_no} on were not screened",
                    self.max_rows
                ),
            }));
            let _ = self.tx.send(Ok(Bytes::from(line))).await;
            return false;
        }
        let id = match &parsed {
            Ok(q) => q.id.clone().unwrap_or(row_id),
            Err(_) => row_id,
        };
        self.chunk.push((id, parsed));
        if self.chunk.len() >= NDJSON_CHUNK {
            return self.flush().await;
        }
        true
    }
}

fn ndjson_batch(
    state: web::Data<AppState>,
    served: Arc<Served>,
    opts: ScreenOptions,
    grouping: ResultGrouping,
    mut payload: actix_web::dev::Decompress<actix_web::dev::Payload>,
) -> HttpResponse {
    let (tx, rx) = tokio::sync::mpsc::channel::<OutItem>(4);
    let limits = state.config.limits.clone();
    let mut job = NdjsonJob {
        state,
        served,
        opts,
        grouping,
        tx,
        chunk: Vec::with_capacity(NDJSON_CHUNK),
        rows: 0,
        max_rows: limits.max_ndjson_rows,
    };
    // The request payload is tied to this worker thread: a local task reads it.
    let idle = std::time::Duration::from_secs(limits.stream_idle_timeout_secs);
    actix_web::rt::spawn(async move {
        let mut splitter = LineSplitter::new(limits.max_ndjson_line_bytes);
        let mut line_no = 0u64;
        let mut going = true;
        while going {
            let Ok(next) = tokio::time::timeout(idle, payload.next()).await else {
                let _ = job.flush().await;
                let line = line_of(&serde_json::json!({
                    "error": "body_timeout",
                    "detail": format!(
                        "no bytes arrived for {} s (limits.stream_idle_timeout_secs); rows from line {} on were not screened",
                        idle.as_secs(),
                        line_no + 1
                    ),
                }));
                let _ = job.tx.send(Ok(Bytes::from(line))).await;
                return;
            };
            match next {
                None => break,
                Some(Err(e)) => {
                    let _ = job.flush().await;
                    let err = payload_error(&e, limits.max_ndjson_line_bytes);
                    let line =
                        line_of(&serde_json::json!({"error": err.code, "detail": err.detail}));
                    let _ = job.tx.send(Ok(Bytes::from(line))).await;
                    return;
                }
                Some(Ok(bytes)) => {
                    for line in splitter.push(&bytes) {
                        line_no += 1;
                        if !job.line(line_no, line).await {
                            going = false;
                            break;
                        }
                    }
                }
            }
        }
        if going && let Some(line) = splitter.finish() {
            line_no += 1;
            going = job.line(line_no, line).await;
        }
        if going {
            job.flush().await;
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .streaming(body)
}

/// Keeps the output type of the streamed rows documented in one place.
pub type NdjsonRow = RowResult;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitter_bounds_lines() {
        let mut s = LineSplitter::new(8);
        let mut lines = s.push(b"abc\r\nde");
        lines.extend(s.push(b"f\n0123456789abcdef"));
        lines.extend(s.push(b"ghij\nxy\xff\n"));
        lines.extend(s.push(b"tail"));
        lines.extend(s.finish());
        assert_eq!(
            lines,
            vec![
                Line::Text("abc".into()),
                Line::Text("def".into()),
                Line::TooLong(20),
                Line::NotUtf8,
                Line::Text("tail".into()),
            ]
        );
        assert_eq!(s.finish(), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// However the bytes are cut into chunks, the same lines come out;
        /// over-long lines are reported, never held.
        #[test]
        fn splitter_is_independent_of_chunking(
            lines in proptest::collection::vec("[a-z {}\":,]{0,20}", 0..20),
            cuts in proptest::collection::vec(0usize..400, 0..10),
        ) {
            let text = lines.join("\n");
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut s = LineSplitter::new(12);
            let mut out = Vec::new();
            let mut at = 0;
            for c in cuts.into_iter().chain([bytes.len()]) {
                out.extend(s.push(bytes.get(at..c).unwrap_or_default()));
                at = c;
            }
            out.extend(s.finish());
            let want: Vec<Line> = if text.is_empty() {
                Vec::new()
            } else {
                text.split('\n')
                    .map(|l| if l.len() > 12 { Line::TooLong(l.len()) } else { Line::Text(l.to_string()) })
                    .collect()
            };
            // A trailing empty line after the last newline is not a line.
            let want: Vec<Line> = match (want.last(), text.ends_with('\n')) {
                (Some(Line::Text(t)), true) if t.is_empty() => want.into_iter().rev().skip(1).rev().collect(),
                _ => want,
            };
            proptest::prop_assert_eq!(out, want);
        }
    }

    #[test]
    fn capped_array_counts_without_keeping() {
        let body = format!("[{}]", vec!["{\"name\":\"x\"}"; 50].join(","));
        let mut de = serde_json::Deserializer::from_str(&body);
        match (CappedSeq { max: 10 }).deserialize(&mut de) {
            Ok(Capped::TooMany(n)) => assert_eq!(n, 50),
            _ => panic!("expected TooMany"),
        }
        let mut de = serde_json::Deserializer::from_str("[1,2]");
        assert!(
            matches!((CappedSeq { max: 2 }).deserialize(&mut de), Ok(Capped::Items(v)) if v.len() == 2)
        );
        let mut de = serde_json::Deserializer::from_str("{\"a\":1}");
        assert!((CappedSeq { max: 2 }).deserialize(&mut de).is_err());
    }
}
