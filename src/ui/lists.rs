//! `/ui/lists`: every list's version, publisher date, age and last error,
//! from the same overview `GET /v1/lists` answers with. A list is flagged
//! old when it was fetched longer ago than twice its refresh interval (a
//! week when it has none), or when a newer stored version is not served.

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
                                (l.id)
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
