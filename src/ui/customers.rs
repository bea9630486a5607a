//! Customers: the list (`/ui/customers`), the import form
//! (`/ui/customers/import`) and one customer's page
//! (`/ui/customers/{id}`): the record, the risk rating with its reasons, the
//! alerts and the history of decisions on them.

use super::page::{self, Nav, when, when_text};
use super::{UiError, blocking, field, monitor, session};
use crate::api::AppState;
use crate::monitor::MAX_BULK;
use crate::monitor::customer::Customer;
use crate::monitor::store::{CustomerFilter, HistoryEntry, MonitorError};
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use serde_json::Value;

fn risk_badge(risk: Option<&Value>) -> Markup {
    let level = risk
        .and_then(|r| r.get("level"))
        .and_then(Value::as_str)
        .unwrap_or("unrated");
    html! { span class={ "badge risk-" (level) } { (level) } }
}

/// `GET /ui/customers?segment=&risk=&cursor=`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    let m = monitor(&state)?;
    let get = |k: &str| {
        field(&q, k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (segment, risk, cursor) = (get("segment"), get("risk"), get("cursor"));
    let filter = CustomerFilter {
        segment: segment.clone(),
        risk: risk.clone(),
        after_id: cursor,
        limit: 50,
        ..CustomerFilter::default()
    };
    let worker = m.clone();
    let page_ = blocking(move || {
        let page = worker.store().list_customers(&filter)?;
        let items: Vec<_> = page
            .items
            .iter()
            .map(|c| worker.describe_customer(c, None))
            .collect();
        Ok::<_, MonitorError>((items, page.next_cursor))
    })
    .await??;
    let (items, next) = page_;
    let seg = segment.unwrap_or_default();
    let rk = risk.unwrap_or_default();
    let body = html! {
        p { a href="/ui/customers/import" { "Import customers" } }
        form.filters method="get" action="/ui/customers" {
            div.field { label for="c-segment" { "Segment" } input #c-segment type="text" name="segment" value=(seg); }
            div.field {
                label for="c-risk" { "Risk" }
                select #c-risk name="risk" {
                    option value="" { "Any" }
                    @for r in ["low", "medium", "high", "prohibited"] { option value=(r) selected[rk == r] { (r) } }
                }
            }
            button type="submit" { "Filter" }
        }
        div.scroll {
            table {
                caption.visually-hidden { "Customers" }
                thead { tr { th scope="col" { "Id" } th scope="col" { "Name" } th scope="col" { "Risk" } th scope="col" { "Updated" } } }
                tbody {
                    @for c in &items {
                        tr {
                            td { a href={ "/ui/customers/" (page::segment(&c.id)) } { (c.id) } }
                            td.name dir="auto" { (c.record.get("name").and_then(Value::as_str).unwrap_or("")) }
                            td { (risk_badge(c.risk.as_ref())) }
                            td { (when_text(&c.updated_at)) }
                        }
                    }
                }
            }
        }
        @if let Some(n) = next {
            p { a rel="next" href={ "/ui/customers?" (page::query(&[("segment", &seg), ("risk", &rk), ("cursor", &n)])) } { "Next page" } }
        }
    };
    Ok(page::layout("Customers", &s, Nav::Customers, body))
}

/// `GET /ui/customers/{id}`.
pub async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    let m = monitor(&state)?;
    let id = path.into_inner();
    let wanted = id.clone();
    let found = blocking(move || {
        let Some(view) = m.customer_view(&wanted)? else {
            return Ok(None);
        };
        let mut history: Vec<HistoryEntry> = Vec::new();
        for a in view.alerts.iter().flatten() {
            history.extend(m.store().alert_history(a.id)?);
        }
        history.sort_by_key(|h| std::cmp::Reverse(h.at));
        Ok::<_, MonitorError>(Some((view, history)))
    })
    .await??;
    let Some((view, history)) = found else {
        return Err(UiError::NotFound(format!("There is no customer '{id}'.")));
    };
    let reasons: Vec<Value> = view
        .risk
        .as_ref()
        .and_then(|r| r.get("reasons"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let record_rows: Vec<(String, String)> = view
        .record
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let shown = match v {
                        Value::String(s) => s.clone(),
                        Value::Array(a) => a
                            .iter()
                            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                            .join(", "),
                        other => other.to_string(),
                    };
                    (k.clone(), shown)
                })
                .collect()
        })
        .unwrap_or_default();
    let name = view
        .record
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(&view.id)
        .to_string();
    let body = html! {
        p.customer-name.name dir="auto" { (name) }
        section aria-labelledby="h-record" {
            h2 #h-record { "Record" }
            dl.record {
                dt { "Id" } dd { (view.id) }
                @for (k, v) in &record_rows { dt { (k) } dd dir="auto" { (v) } }
                dt { "Created" } dd { (when_text(&view.created_at)) }
                dt { "Updated" } dd { (when_text(&view.updated_at)) " (revision " (view.revision) ")" }
                dt { "Last screened" } dd {
                    @if let Some(t) = &view.last_screened_at { (when_text(t)) } @else { "never" }
                }
                dt { "Monitored against" } dd {
                    @for (l, v) in &view.monitored_against { code { (l) "@" (v) } " " }
                }
            }
        }
        section aria-labelledby="h-risk" {
            h2 #h-risk { "Risk rating " (risk_badge(view.risk.as_ref())) }
            @if reasons.is_empty() { p.none { "No rule raised the rating." } }
            ul {
                @for r in &reasons {
                    li {
                        span class={ "badge risk-" (r["level"].as_str().unwrap_or("")) } { (r["level"].as_str().unwrap_or("")) }
                        " " strong { (r["rule"].as_str().unwrap_or("")) } ": " (r["detail"].as_str().unwrap_or(""))
                    }
                }
            }
        }
        section aria-labelledby="h-alerts" {
            h2 #h-alerts { "Alerts" }
            @let alerts = view.alerts.clone().unwrap_or_default();
            @if alerts.is_empty() { p.none { "No alert." } }
            ul {
                @for a in &alerts {
                    li {
                        a href={ "/ui/alerts/" (a.id) } { "#" (a.id) } " "
                        span dir="auto" { (a.entity_caption) } " · " (a.list) " · " (page::score(a.score)) " · " (a.status.as_str())
                    }
                }
            }
        }
        section aria-labelledby="h-history" {
            h2 #h-history { "History" }
            @if history.is_empty() { p.none { "Nothing happened on this customer's alerts yet." } }
            ol.history {
                @for h in &history {
                    li {
                        (when(h.at)) " · alert " a href={ "/ui/alerts/" (h.alert_id) } { "#" (h.alert_id) } ": "
                        strong { (h.action) } " by " (h.actor)
                        @if let Some(r) = &h.reason { " — " q dir="auto" { (r) } }
                    }
                }
            }
        }
    };
    Ok(page::layout(
        &format!("Customer {id}"),
        &s,
        Nav::Customers,
        body,
    ))
}

fn import_form(csrf: &str, text: &str) -> Markup {
    html! {
        form.import method="post" action="/ui/customers/import" {
            input type="hidden" name="csrf" value=(csrf);
            label for="customers" { "Customers, one JSON object per line (or a JSON array), as POST /v1/customers takes them" }
            textarea #customers name="customers" rows="10" required spellcheck="false" { (text) }
            button type="submit" { "Import and screen" }
        }
    }
}

/// `GET /ui/customers/import`.
pub async fn import_page(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    monitor(&state)?;
    let example =
        r#"{"id": "c-1", "name": "Viktor Bout", "birthDate": "1967-01-13", "countries": ["ru"]}"#;
    let body = html! {
        (import_form(&s.csrf, ""))
        p.hint { "Example: " code { (example) } }
    };
    Ok(page::layout("Import customers", &s, Nav::Customers, body))
}

/// `POST /ui/customers/import`: each customer is stored and screened at
/// once, under the analyst's name, by the same call `POST /v1/customers` makes.
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: super::FormFields,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    super::check_csrf(&s, &form, "/ui/customers/import")?;
    let m = monitor(&state)?;
    let text = field(&form, "customers").unwrap_or("").to_string();
    let trimmed = text.trim();
    let rows: Vec<Result<Customer, String>> = if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<Value>>(trimmed) {
            Ok(items) => items
                .into_iter()
                .map(|v| serde_json::from_value(v).map_err(|e| format!("invalid customer: {e}")))
                .collect(),
            Err(e) => vec![Err(format!("not a JSON array: {e}"))],
        }
    } else {
        trimmed
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str::<Customer>(l.trim())
                    .map_err(|e| format!("line {}: invalid customer: {e}", i + 1))
            })
            .collect()
    };
    if rows.is_empty() {
        return Err(UiError::BadRequest("The form holds no customer.".into()));
    }
    if rows.len() > MAX_BULK {
        return Err(UiError::BadRequest(format!(
            "More than {MAX_BULK} customers: use POST /v1/customers for large imports."
        )));
    }
    let analyst = s.analyst.clone();
    let report = blocking(move || m.put_customers(rows, &analyst)).await??;
    let body = html! {
        p.success role="status" {
            (report.received) " customers: " (report.created) " created, " (report.updated) " updated, "
            (report.unchanged) " unchanged, " (report.errors) " errors; " (report.alerts_opened) " alerts opened."
        }
        div.scroll {
            table {
                caption.visually-hidden { "Import results" }
                thead { tr { th scope="col" { "Customer" } th scope="col" { "Outcome" } th scope="col" { "Alerts" } } }
                tbody {
                    @for r in &report.results {
                        tr {
                            td.name { @if r.error.is_none() { a href={ "/ui/customers/" (page::segment(&r.id)) } { (r.id) } } @else { (r.id) } }
                            td { @if let Some(e) = &r.error { span.error { (e) } } @else { (r.status.clone().unwrap_or_default()) } }
                            td {
                                @for a in r.alerts.iter().flatten() {
                                    a href={ "/ui/alerts/" (a.id) } { "#" (a.id) } " " span dir="auto" { (a.entity_caption) } " "
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Import more" }
        (import_form(&s.csrf, ""))
    };
    Ok(page::layout("Import customers", &s, Nav::Customers, body))
}
