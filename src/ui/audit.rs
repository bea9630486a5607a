//! `/ui/audit`: the audit trail, searchable, and `/ui/audit/verify`, which
//! checks the whole hash chain with [`crate::monitor::Monitor::verify_audit`].
//! A search reads the trail forward from `since` and stops after a page of
//! hits or [`SCAN`] records, giving the place to continue from.

use super::page::{self, Nav, when_text};
use super::{UiError, blocking, field, monitor, session};
use crate::api::AppState;
use crate::monitor::store::{AuditRecord, MonitorError};
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;

const PAGE: usize = 100;
/// Most records one search request reads.
const SCAN: usize = 50_000;

fn hit(r: &AuditRecord, needle: &str) -> bool {
    needle.is_empty()
        || [
            r.kind.as_str(),
            r.actor.as_str(),
            r.subject.as_deref().unwrap_or(""),
            r.payload.as_str(),
        ]
        .iter()
        .any(|f| f.to_lowercase().contains(needle))
}

/// `GET /ui/audit?q=&since=`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    let m = monitor(&state)?;
    let needle = field(&q, "q").unwrap_or("").trim().to_string();
    let since: i64 = match field(&q, "since").filter(|v| !v.is_empty()) {
        None => 0,
        Some(v) => v
            .parse()
            .map_err(|_| UiError::BadRequest(format!("'{v}' is not an audit record number")))?,
    };
    let lower = needle.to_lowercase();
    let (hits, next) = blocking(move || {
        let mut hits = Vec::new();
        let mut after = since;
        let mut read = 0;
        loop {
            let batch = m.store().audit_after(after, 1000)?;
            let Some(last) = batch.last() else {
                return Ok((hits, None));
            };
            after = last.seq;
            read += batch.len();
            for r in batch {
                if hit(&r, &lower) {
                    hits.push(r);
                    if hits.len() == PAGE {
                        let at = hits.last().map(|h: &AuditRecord| h.seq);
                        return Ok::<_, MonitorError>((hits, at));
                    }
                }
            }
            if read >= SCAN {
                return Ok((hits, Some(after)));
            }
        }
    })
    .await??;
    let body = html! {
        form.filters method="get" action="/ui/audit" role="search" {
            div.field.wide {
                label for="q" { "Search (kind, analyst, subject, payload)" }
                input #q type="search" name="q" value=(needle);
            }
            input type="hidden" name="since" value="0";
            button type="submit" { "Search" }
        }
        form.filters method="get" action="/ui/audit/verify" {
            button type="submit" { "Verify chain" }
        }
        div.scroll {
            table.audit {
                caption.visually-hidden { "Audit records" }
                thead { tr { th scope="col" { "#" } th scope="col" { "When" } th scope="col" { "Kind" } th scope="col" { "By" } th scope="col" { "Subject" } th scope="col" { "Payload" } } }
                tbody {
                    @for r in &hits {
                        tr {
                            td.num { (r.seq) }
                            td { (when_text(&r.at)) }
                            td { (r.kind) }
                            td { (r.actor) }
                            td.name { (r.subject.clone().unwrap_or_default()) }
                            td.payload dir="auto" { code { (r.payload) } }
                        }
                    }
                }
            }
        }
        @if hits.is_empty() { p.none { "No record matches." } }
        @if let Some(n) = next {
            p { a rel="next" href={ "/ui/audit?" (page::query(&[("q", &needle), ("since", &n.to_string())])) } { "More records" } }
        }
    };
    Ok(page::layout("Audit trail", &s, Nav::Audit, body))
}

/// `GET /ui/audit/verify`: checks every record's hash and link.
pub async fn verify(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    let m = monitor(&state)?;
    let report = blocking(move || m.verify_audit()).await??;
    let body = html! {
        @match &report.problem {
            None => p.success role="status" {
                "The chain holds: " (report.records) " records checked, the last is #" (report.last_seq)
                " with hash " code.hash { (report.last_hash) } "."
            },
            Some(p) => p.error role="alert" { "The chain is broken: " (p) },
        }
        p { a href="/ui/audit" { "Back to the audit trail" } }
    };
    Ok(page::layout("Audit chain", &s, Nav::Audit, body))
}
