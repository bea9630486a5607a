//! `/ui/lists`: every list's version, publisher date, age and last error,
//! from the same overview `GET /v1/lists` answers with. A list is flagged
//! old when it was fetched longer ago than twice its refresh interval (a
//! week when it has none), or when a newer stored version is not served.
//! `/ui/lists/{list}/changes`: the list's stored versions and the entities
//! added, removed and changed between two of them.

use super::page::{self, Nav, when};
use super::{UiError, session};
use crate::api::AppState;
use crate::api::native::list_overview;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use time::OffsetDateTime;

/// Fetched longer ago than this, with no refresh interval: old.
const STALE_WITHOUT_INTERVAL: time::Duration = time::Duration::days(7);

/// `GET /ui/lists`.
pub async fn page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    let (served, lists) = list_overview(&state).await?;
    let now = OffsetDateTime::now_utc();
    let body = html! {
        @match &served {
            Some(sv) => p.meta { "Index generation " (sv.generation) ", built " (when(sv.built_at)) "." },
            None => p.error role="alert" { "No index is served yet: " (state.service.not_ready_detail()) },
        }
        div.scroll {
            table.lists {
                caption.visually-hidden { "Lists" }
                thead { tr {
                    th scope="col" { "List" } th scope="col" { "Version served" } th scope="col" { "Published" }
                    th scope="col" { "Fetched" } th scope="col" { "Entities" } th scope="col" { "Last error" }
                } }
                tbody {
                    @for l in &lists {
                        @let limit = l.refresh_interval_seconds
                            .map(|s| time::Duration::seconds(2 * s as i64))
                            .unwrap_or(STALE_WITHOUT_INTERVAL);
                        @let old = l.fetched_at.is_some_and(|t| now - t > limit);
                        tr.old[old || l.pending_version.is_some()] {
                            th scope="row" {
                                a href={ "/ui/lists/" (l.id) "/changes" } { (l.id) }
                                @if let Some(t) = &l.title { br; span.detail { (t) } }
                            }
                            td {
                                @match &l.version { Some(v) => code { (v) }, None => span.none { "not loaded" } }
                                @if let Some(p) = &l.pending_version { br; span.badge.conflict { "newer version " (p) " stored, not served" } }
                            }
                            td { (l.published.clone().unwrap_or_default()) }
                            td {
                                @if let Some(t) = l.fetched_at {
                                    (when(t)) " " span.age { "(" (page::age(t, now)) " ago)" }
                                    @if old { " " span.badge.conflict { "old" } }
                                }
                            }
                            td.num { (l.entities.map(|n| n.to_string()).unwrap_or_default()) }
                            td {
                                @if let Some(e) = &l.last_error {
                                    span.error { (e) }
                                    @if let Some(t) = l.last_error_at { " " (when(t)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page::layout("Lists", &s, Nav::Lists, body))
}

/// Rows of each kind shown on the changes page; the counts say how many
/// more there are (the JSON `GET /v1/lists/{id}/changes` has them all).
const CHANGES_SHOWN: usize = 200;

/// The property names whose values differ between two states of a party,
/// its linked entities (listing, wallets) counted under their property.
fn changed_properties(old: &crate::model::Entity, new: &crate::model::Entity) -> Vec<String> {
    let as_map = |e: &crate::model::Entity| {
        let mut m = e.properties.clone();
        for l in &e.linked {
            m.entry(l.schema.reverse_property().to_string())
                .or_default()
                .push(serde_json::to_string(l).unwrap_or_default());
        }
        m
    };
    let (a, b) = (as_map(old), as_map(new));
    let mut out: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `GET /ui/lists/{list}/changes?from=<version>`: the list's stored
/// versions (the served one marked, older ones flagged), and the entities
/// added, removed and changed between `from` (default: the version before
/// the current one) and the current version, from the same diff as
/// `GET /v1/lists/{id}/changes`.
pub async fn changes(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    let list = path.into_inner();
    if !crate::model::list_id::is_valid(&list) {
        return Err(UiError::NotFound(format!(
            "'{}' is not a list id",
            list.chars().take(80).collect::<String>()
        )));
    }
    let params = crate::api::params::Params::parse(req.query_string())?;
    let source = std::sync::Arc::clone(state.service.source());
    let id = list.clone();
    let versions = crate::api::blocking(move || source.versions(&id)).await?;
    let Some(current) = versions.last().cloned() else {
        return Err(UiError::NotFound(format!(
            "no stored version of list '{list}'"
        )));
    };
    let from = match params.get("from") {
        Some(v) if versions.iter().any(|x| x.version == v) => Some(v.to_string()),
        Some(v) => {
            return Err(UiError::BadRequest(format!(
                "list '{list}' has no stored version '{}'",
                v.chars().take(80).collect::<String>()
            )));
        }
        None => versions.iter().rev().nth(1).map(|v| v.version.clone()),
    };
    let served = state.service.served();
    let served_version = served
        .as_ref()
        .and_then(|s| s.lists.get(&list))
        .map(|v| v.version.clone());
    let diff = match &from {
        None => None,
        Some(f) => {
            let source = std::sync::Arc::clone(state.service.source());
            let (id, f) = (list.clone(), f.clone());
            let found = crate::api::blocking(move || {
                let changes = source.changes(&id, &f)?;
                let old: std::collections::HashMap<String, crate::model::Entity> = source
                    .load(&id, &f)?
                    .into_iter()
                    .map(|e| (e.id.clone(), e))
                    .collect();
                let changed: Vec<(crate::model::Entity, Vec<String>)> = changes
                    .changed
                    .iter()
                    .map(|e| {
                        let props = old
                            .get(&e.id)
                            .map(|o| changed_properties(o, e))
                            .unwrap_or_default();
                        (e.clone(), props)
                    })
                    .collect();
                Ok::<_, crate::service::SourceError>((changes, changed))
            })
            .await?;
            Some(found.map_err(|e| UiError::Internal(e.to_string()))?)
        }
    };
    let now = OffsetDateTime::now_utc();
    let body = html! {
        p { a href="/ui/lists" { "All lists" } }
        h2 { "Versions" }
        div.scroll {
            table.lists {
                caption.visually-hidden { "Stored versions" }
                thead { tr { th scope="col" { "Version" } th scope="col" { "Published" } th scope="col" { "Fetched" } th scope="col" { "Entities" } th scope="col" { "" } } }
                tbody {
                    @for v in versions.iter().rev() {
                        @let is_current = v.version == current.version;
                        tr.old[!is_current] {
                            th scope="row" { code { (v.version) } }
                            td { (v.published.clone().unwrap_or_default()) }
                            td { @if let Some(t) = v.fetched_at { (when(t)) " " span.age { "(" (page::age(t, now)) " ago)" } } }
                            td.num { (v.entities) }
                            td {
                                @if served_version.as_deref() == Some(v.version.as_str()) { span.badge { "served" } " " }
                                @if !is_current { span.badge.conflict { "older" } " " }
                                @if from.as_deref() != Some(v.version.as_str()) && !is_current {
                                    a href={ "/ui/lists/" (list) "/changes" (page::query(&[("from", &v.version)])) } { "compare with current" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @match (&from, &diff) {
            (Some(f), Some((c, changed))) => {
                h2 { "Changes from " code { (f) } " to " code { (current.version) } }
                p.meta { (c.added.len()) " added, " (c.removed.len()) " removed, " (c.changed.len()) " changed." }
                h3 { "Added (" (c.added.len()) ")" }
                ul {
                    @for e in c.added.iter().take(CHANGES_SHOWN) {
                        li dir="auto" { code { (e.id) } " " (e.caption) }
                    }
                }
                @if c.added.len() > CHANGES_SHOWN { p.meta { "… and " (c.added.len() - CHANGES_SHOWN) " more (GET /v1/lists/" (list) "/changes has all)." } }
                h3 { "Removed (" (c.removed.len()) ")" }
                ul {
                    @for id in c.removed.iter().take(CHANGES_SHOWN) { li { code { (id) } } }
                }
                @if c.removed.len() > CHANGES_SHOWN { p.meta { "… and " (c.removed.len() - CHANGES_SHOWN) " more." } }
                h3 { "Changed (" (changed.len()) ")" }
                ul {
                    @for (e, props) in changed.iter().take(CHANGES_SHOWN) {
                        li dir="auto" { code { (e.id) } " " (e.caption) ": " span.detail { (props.join(", ")) } }
                    }
                }
                @if changed.len() > CHANGES_SHOWN { p.meta { "… and " (changed.len() - CHANGES_SHOWN) " more." } }
            },
            _ => p.meta { "Only one version of this list is stored: there is nothing to compare yet." },
        }
    };
    Ok(page::layout(
        &format!("Changes to {list}"),
        &s,
        Nav::Lists,
        body,
    ))
}
