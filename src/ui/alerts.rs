//! The alert queue (`/ui/alerts`) and an alert's page (`/ui/alerts/{id}`):
//! the customer and the listed party side by side, the explanation, the
//! history, and the decision form, which calls [`crate::monitor::Monitor::decide`]
//! under the signed-in analyst's name.

use super::page::{self, Agreement, Nav, agreement, agreement_badge, when};
use super::{FormFields, UiError, blocking, check_csrf, field, monitor, session};
use crate::api::AppState;
use crate::api::monitor::{AlertView, alert_view};
use crate::model::{Entity, prop};
use crate::monitor::DecisionRequest;
use crate::monitor::risk::RiskLevel;
use crate::monitor::store::{
    Alert, AlertFilter, AlertOrder, AlertStatus, HistoryEntry, MonitorError,
};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use serde_json::Value;
use time::OffsetDateTime;

const PAGE: usize = 50;

/// The queue's filters as the address gives them.
struct QueueParams {
    status: String,
    list: String,
    segment: String,
    risk: String,
    age: String,
    sort: String,
    cursor: String,
}

impl QueueParams {
    fn read(q: &[(String, String)]) -> QueueParams {
        let v = |k: &str| field(q, k).unwrap_or("").trim().to_string();
        QueueParams {
            status: field(q, "status").map_or_else(|| "open".to_string(), |s| s.trim().to_string()),
            list: v("list"),
            segment: v("segment"),
            risk: v("risk"),
            age: v("age"),
            sort: v("sort"),
            cursor: v("cursor"),
        }
    }

    fn url(&self, status: &str, cursor: &str) -> String {
        format!(
            "/ui/alerts?{}",
            page::query(&[
                ("status", if status.is_empty() { "all" } else { status }),
                ("list", &self.list),
                ("segment", &self.segment),
                ("risk", &self.risk),
                ("age", &self.age),
                ("sort", &self.sort),
                ("cursor", cursor),
            ])
        )
    }

    fn filter(&self, now: OffsetDateTime) -> Result<AlertFilter, UiError> {
        let bad = |m: String| UiError::BadRequest(m);
        let mut f = AlertFilter {
            limit: PAGE,
            list: Some(self.list.clone()).filter(|s| !s.is_empty()),
            segment: Some(self.segment.clone()).filter(|s| !s.is_empty()),
            ..AlertFilter::default()
        };
        if self.status != "all" && !self.status.is_empty() {
            for s in self.status.split(',') {
                f.statuses.push(AlertStatus::parse(s.trim()).ok_or_else(|| {
                    bad(format!("'{s}' is not an alert status (open, escalated, true_match, false_positive, delisted, customer_deleted)"))
                })?);
            }
        }
        if !self.risk.is_empty() {
            RiskLevel::parse(&self.risk).ok_or_else(|| {
                bad(format!(
                    "'{}' is not a risk rating (low, medium, high, prohibited)",
                    self.risk
                ))
            })?;
            f.risk = Some(self.risk.clone());
        }
        if !self.age.is_empty() {
            let days: u32 = self
                .age
                .parse()
                .map_err(|_| bad(format!("age '{}' is not a number of days", self.age)))?;
            f.created_before = Some(now - time::Duration::days(i64::from(days)));
        }
        f.order = match self.sort.as_str() {
            "" | "newest" => AlertOrder::Newest,
            "oldest" => AlertOrder::Oldest,
            "score" => AlertOrder::Score,
            other => {
                return Err(bad(format!(
                    "sort '{other}' is not newest, oldest or score"
                )));
            }
        };
        if !self.cursor.is_empty() {
            let wrong =
                || bad("the page cursor in this address is not one the console gave".into());
            match f.order {
                AlertOrder::Score => {
                    let (s, id) = self.cursor.split_once(':').ok_or_else(wrong)?;
                    f.below_score = Some((
                        s.parse().map_err(|_| wrong())?,
                        id.parse().map_err(|_| wrong())?,
                    ));
                }
                _ => f.before_id = Some(self.cursor.parse().map_err(|_| wrong())?),
            }
        }
        Ok(f)
    }
}

fn status_label(s: AlertStatus) -> &'static str {
    match s {
        AlertStatus::Open => "Open",
        AlertStatus::Escalated => "Escalated",
        AlertStatus::TrueMatch => "True match",
        AlertStatus::FalsePositive => "False positive",
        AlertStatus::Delisted => "Delisted",
        AlertStatus::CustomerDeleted => "Customer deleted",
    }
}

fn status_badge(s: AlertStatus) -> Markup {
    html! { span class={ "badge status-" (s.as_str()) } { (status_label(s)) } }
}

/// `GET /ui/alerts?status=&list=&segment=&risk=&age=&sort=&cursor=`.
pub async fn queue(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(&state, &req)?;
    let m = monitor(&state)?;
    let p = QueueParams::read(&q);
    let now = OffsetDateTime::now_utc();
    let filter = p.filter(now)?;
    let (alerts, counts) = blocking(move || {
        let page = m.store().list_alerts(&filter)?;
        let counts = m.store().alert_counts(&filter)?;
        Ok::<_, MonitorError>((page, counts))
    })
    .await??;
    let lists: Vec<String> = state
        .service
        .served()
        .map(|s| s.lists.keys().cloned().collect())
        .unwrap_or_default();
    let total: u64 = counts.values().sum();
    let body = html! {
        nav.counts aria-label="Alerts by status" {
            ul {
                li { a href=(p.url("all", "")) aria-current=[(p.status == "all").then_some("true")] { "All " span.count { (total) } } }
                @for (st, n) in &counts {
                    li { a href=(p.url(st.as_str(), "")) aria-current=[(p.status == st.as_str()).then_some("true")] { (status_label(*st)) " " span.count { (n) } } }
                }
            }
        }
        form.filters method="get" action="/ui/alerts" {
            input type="hidden" name="status" value=(p.status);
            div.field {
                label for="f-list" { "List" }
                select #f-list name="list" {
                    option value="" { "Any" }
                    @for l in &lists { option value=(l) selected[p.list == *l] { (l) } }
                }
            }
            div.field {
                label for="f-segment" { "Segment" }
                input #f-segment type="text" name="segment" value=(p.segment);
            }
            div.field {
                label for="f-risk" { "Risk" }
                select #f-risk name="risk" {
                    option value="" { "Any" }
                    @for r in ["low", "medium", "high", "prohibited"] { option value=(r) selected[p.risk == r] { (r) } }
                }
            }
            div.field {
                label for="f-age" { "Older than (days)" }
                input #f-age type="number" min="0" name="age" value=(p.age);
            }
            div.field {
                label for="f-sort" { "Sort" }
                select #f-sort name="sort" {
                    option value="newest" selected[p.sort.is_empty() || p.sort == "newest"] { "Newest first" }
                    option value="oldest" selected[p.sort == "oldest"] { "Oldest first" }
                    option value="score" selected[p.sort == "score"] { "Highest score" }
                }
            }
            button type="submit" { "Filter" }
        }
        @if alerts.items.is_empty() {
            p.clean { "No alert matches these filters." }
        } @else {
            p.hint { "Keys: j / k move through the queue, Enter opens the alert." }
            div.scroll {
                table.queue #queue {
                    caption.visually-hidden { "Alerts" }
                    thead { tr {
                        th scope="col" { "Alert" } th scope="col" { "Customer" } th scope="col" { "Listed party" }
                        th scope="col" { "List" } th scope="col" { "Score" } th scope="col" { "Status" } th scope="col" { "Raised" }
                    } }
                    tbody {
                        @for a in &alerts.items {
                            tr {
                                td { a.row-link href={ "/ui/alerts/" (a.id) } { "#" (a.id) } }
                                td.name dir="auto" { a href={ "/ui/customers/" (page::segment(&a.customer_id)) } { (a.customer_id) } }
                                td.name dir="auto" { (a.entity_caption) }
                                td { (a.list) }
                                td.num { (page::score(a.score)) }
                                td { (status_badge(a.status)) }
                                td { (when(a.created_at)) " " span.age { "(" (page::age(a.created_at, now)) ")" } }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(c) = &alerts.next_cursor {
            p { a rel="next" href=(p.url(&p.status, c)) { "Next page" } }
        }
    };
    Ok(page::layout("Alert queue", &s, Nav::Alerts, body))
}

fn alert_id(raw: &str) -> Result<i64, UiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| UiError::NotFound(format!("There is no alert '{raw}'.")))
}

fn values(list: &[String]) -> Markup {
    html! {
        @if list.is_empty() {
            span.none { "—" }
        } @else {
            ul.values {
                @for v in list { li dir="auto" { (v) } }
            }
        }
    }
}

fn record_strings(record: &Value, key: &str) -> Vec<String> {
    match record.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn entity_values(e: Option<&Entity>, props: &[&str]) -> Vec<String> {
    let Some(e) = e else { return Vec::new() };
    props
        .iter()
        .flat_map(|p| e.get(p).iter().cloned())
        .collect()
}

/// One row of the comparison: label, the customer's values, the listed
/// party's, and what the matcher found.
type CompareRow<'a> = (
    &'a str,
    Vec<String>,
    Vec<String>,
    Option<(Agreement, String)>,
);

/// The customer and the listed party, row by row, with what the matcher
/// found about each attribute.
fn side_by_side(alert: &Alert, record: Option<&Value>, entity: Option<&Entity>) -> Markup {
    let empty = Value::Null;
    let r = record.unwrap_or(&empty);
    let explanation = alert.explanation.as_ref();
    let mut customer_names = record_strings(r, "name");
    let parts: Vec<String> = ["firstName", "middleName", "fatherName", "lastName"]
        .iter()
        .flat_map(|k| record_strings(r, k))
        .collect();
    if !parts.is_empty() {
        customer_names.push(parts.join(" "));
    }
    customer_names.extend(record_strings(r, "aliases"));
    let matched_name = explanation
        .and_then(|e| e.get("matchedName"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let listed_names: Vec<(String, bool)> = entity
        .map(|e| {
            e.names()
                .map(|(p, n)| (format!("{n} ({p})"), n == matched_name))
                .collect()
        })
        .unwrap_or_default();
    let rows: [CompareRow; 7] = [
        (
            "Type",
            record_strings(r, "schema"),
            entity
                .map(|e| vec![e.schema.as_str().to_string()])
                .unwrap_or_default(),
            Some(agreement(explanation, &["schema"])),
        ),
        (
            "Birth dates",
            record_strings(r, "birthDate"),
            entity_values(entity, &[prop::BIRTH_DATE]),
            Some(agreement(explanation, &["birthDate", "fullNameBirthDate"])),
        ),
        (
            "Countries and nationalities",
            record_strings(r, "countries"),
            entity_values(entity, &prop::COUNTRY_PROPS),
            Some(agreement(explanation, &["country"])),
        ),
        (
            "Identifiers",
            record_strings(r, "identifiers"),
            entity_values(entity, &prop::IDENTIFIER_PROPS),
            Some(agreement(explanation, &["identifier"])),
        ),
        (
            "Addresses",
            record_strings(r, "addresses"),
            entity_values(entity, &[prop::ADDRESS]),
            None,
        ),
        (
            "Programmes",
            Vec::new(),
            entity_values(entity, &[prop::PROGRAM]),
            None,
        ),
        (
            "Listing date",
            Vec::new(),
            entity_values(entity, &[prop::LISTING_DATE]),
            None,
        ),
    ];
    html! {
        div.scroll {
            table.compare {
                caption.visually-hidden { "Customer and listed party side by side" }
                thead { tr {
                    th scope="col" { "" }
                    th scope="col" { "Customer " a href={ "/ui/customers/" (page::segment(&alert.customer_id)) } { (alert.customer_id) } }
                    th scope="col" { "Listed party " code { (alert.entity_id) } }
                    th scope="col" { "Finding" }
                } }
                tbody {
                    tr {
                        th scope="row" { "Names" }
                        td { (values(&customer_names)) }
                        td {
                            @if listed_names.is_empty() {
                                span.none { "not in the lists served now" }
                            } @else {
                                ul.values {
                                    @for (n, best) in &listed_names {
                                        li.best[*best] dir="auto" { (n) }
                                    }
                                }
                            }
                        }
                        td { "score " strong { (page::score(alert.score)) } }
                    }
                    @for (label, mine, theirs, found) in &rows {
                        tr {
                            th scope="row" { (label) }
                            td { (values(mine)) }
                            td { (values(theirs)) }
                            td {
                                @if let Some((a, detail)) = found { (agreement_badge(*a, detail)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn history(entries: &[HistoryEntry]) -> Markup {
    html! {
        @if entries.is_empty() {
            p.none { "No decision yet." }
        } @else {
            ol.history {
                @for h in entries {
                    li {
                        (when(h.at)) " · " strong { (h.action) } " by " span.actor { (h.actor) }
                        " → " (status_badge(h.status_after))
                        @if let Some(r) = &h.reason { blockquote dir="auto" { (r) } }
                    }
                }
            }
        }
    }
}

/// The analyst decision that closed or last changed an alert.
fn last_decision(entries: &[HistoryEntry]) -> Option<&HistoryEntry> {
    entries.iter().rev().find(|h| h.reason.is_some())
}

fn decision_form(view: &AlertView, csrf: &str, four_eyes: bool, reason: &str) -> Markup {
    let a = &view.alert;
    html! {
        form.decision #decide method="post" action={ "/ui/alerts/" (a.id) "/decision" } {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="revision" value=(a.revision);
            div.decision-box {
                @if let Some(by) = &a.pending_true_match_by {
                    p.notice role="status" {
                        "True match proposed by " strong { (by) } ". "
                        @if four_eyes { "Four-eyes: a second, different analyst confirms it by choosing True match." }
                    }
                }
                fieldset.choices {
                    legend { "Decision" }
                    div.choice {
                        input #d-fp type="radio" name="decision" value="false_positive" required;
                        label for="d-fp" { "False positive" }
                    }
                    @if a.status != AlertStatus::Escalated {
                        div.choice {
                            input #d-esc type="radio" name="decision" value="escalate";
                            label for="d-esc" { "Escalate" }
                        }
                    }
                    div.choice {
                        input #d-tm type="radio" name="decision" value="true_match";
                        label for="d-tm" {
                            @if a.pending_true_match_by.is_some() { "True match (confirm)" }
                            @else if four_eyes { "True match (a second analyst confirms)" }
                            @else { "True match" }
                        }
                    }
                }
                label for="reason" { "Reason (required, goes into the audit trail)" }
                textarea #reason name="reason" rows="3" required maxlength="4000" dir="auto" { (reason) }
                button type="submit" { "Record decision" }
                p.hint { "Keys: d goes to the decision, arrow keys choose, Tab to the reason, Ctrl+Enter records it; n opens the next open alert." }
            }
        }
    }
}

/// Renders an alert's page, with a message above it when a decision was
/// refused or made.
async fn render_detail(
    state: &AppState,
    req: &HttpRequest,
    raw_id: &str,
    status: StatusCode,
    message: Option<Markup>,
    reason: &str,
) -> Result<HttpResponse, UiError> {
    let (_, s) = session(state, req)?;
    let m = monitor(state)?;
    let id = alert_id(raw_id)?;
    let worker = m.clone();
    let (view, customer, next_open) = blocking(move || {
        let Some(view) = alert_view(&worker, id)? else {
            return Ok(None);
        };
        let customer = worker.store().customer(&view.alert.customer_id)?;
        let next = worker.store().list_alerts(&AlertFilter {
            statuses: vec![AlertStatus::Open],
            before_id: Some(id),
            limit: 1,
            ..AlertFilter::default()
        })?;
        Ok::<_, MonitorError>(Some((view, customer, next.items.into_iter().next())))
    })
    .await??
    .ok_or_else(|| UiError::NotFound(format!("There is no alert {id}.")))?;
    let a = &view.alert;
    let record: Option<Value> = customer.and_then(|c| serde_json::from_str(&c.record).ok());
    let served = state.service.served();
    let entity = served
        .as_ref()
        .and_then(|sv| sv.matcher.index().listed(&a.entity_id));
    let four_eyes = m.config().four_eyes;
    let title = format!("Alert {}", a.id);
    let body = html! {
        @if let Some(msg) = message { (msg) }
        div.alert-head {
            (status_badge(a.status))
            span.score { (page::score(a.score)) }
            h2.name dir="auto" { (a.entity_caption) }
            @if !a.matching { span.badge.neutral { "no longer scores above the threshold" } }
        }
        p.meta {
            "Raised by " code { (a.raised_by) } " on " (when(a.created_at))
            " · last seen in " code { (a.last_seen_in) } " · changed " (when(a.updated_at))
        }
        nav.pager aria-label="Queue" {
            a href="/ui/alerts" { "Back to the queue" }
            @if let Some(n) = &next_open {
                " · " a #next-alert rel="next" href={ "/ui/alerts/" (n.id) } { "Next open alert (#" (n.id) ")" }
            }
        }
        section aria-labelledby="h-compare" {
            h2 #h-compare { "Customer and listed party" }
            (side_by_side(a, record.as_ref(), entity.as_ref()))
        }
        section aria-labelledby="h-why" {
            h2 #h-why { "Why it scored " (page::score(a.score)) }
            @match &a.explanation {
                Some(e) => (page::explanation(e)),
                None => p.none { "The explanation was erased with the customer's record." },
            }
        }
        section aria-labelledby="h-decide" {
            h2 #h-decide { "Decide" }
            @if a.status.is_active() {
                (decision_form(&view, &s.csrf, four_eyes, reason))
            } @else {
                p.notice {
                    "This alert is closed (" (status_label(a.status)) ")"
                    @if let Some(h) = last_decision(&view.history) { " by " strong { (h.actor) } " on " (when(h.at)) }
                    "."
                }
            }
        }
        section aria-labelledby="h-history" {
            h2 #h-history { "History" }
            (history(&view.history))
            @for e in &view.earlier {
                h3 { "Earlier alert " a href={ "/ui/alerts/" (e.alert.id) } { "#" (e.alert.id) } " · " (status_badge(e.alert.status)) " · raised by " code { (e.alert.raised_by) } }
                (history(&e.history))
            }
        }
    };
    Ok(page::render(status, &title, &s, Nav::Alerts, body))
}

/// `GET /ui/alerts/{id}`.
pub async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, UiError> {
    let message = field(&q, "decided").map(|d| {
        html! { p.success role="status" { "Decision recorded: " strong { (d) } "." } }
    });
    render_detail(&state, &req, &path, StatusCode::OK, message, "").await
}

/// `POST /ui/alerts/{id}/decision`: the decision under the analyst's name;
/// a refused one (closed meanwhile, decided twice, four-eyes) shows the
/// page again saying why and who decided first.
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: FormFields,
) -> Result<HttpResponse, UiError> {
    let raw = path.into_inner();
    let back = format!("/ui/alerts/{}", page::segment(&raw));
    let (_, s) = session(&state, &req)?;
    check_csrf(&s, &form, &back)?;
    let m = monitor(&state)?;
    let id = alert_id(&raw)?;
    let reason = field(&form, "reason").unwrap_or("").to_string();
    let request = DecisionRequest {
        decision: field(&form, "decision").unwrap_or("").to_string(),
        reason: reason.clone(),
        revision: field(&form, "revision").and_then(|r| r.parse().ok()),
    };
    let analyst = s.analyst.clone();
    let worker = m.clone();
    let outcome = blocking(move || worker.decide(id, &request, &analyst)).await?;
    match outcome {
        Ok(a) => {
            let done = last_decision(&m.store().alert_history(a.id).unwrap_or_default())
                .map_or_else(|| a.status.as_str().to_string(), |h| h.action.clone());
            Ok(HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("{back}?{}", page::query(&[("decided", &done)])),
                ))
                .finish())
        }
        Err(MonitorError::Conflict(detail)) => {
            let (hist, now) = blocking(move || {
                Ok::<_, MonitorError>((m.store().alert_history(id)?, m.store().alert(id)?))
            })
            .await??;
            let first = last_decision(&hist).cloned();
            // Closed by something other than a decision (the customer was
            // erased, the party delisted): say what closed it and when.
            let closed_by = match (&first, hist.last()) {
                (None, Some(h)) if !h.status_after.is_active() => Some(h.clone()),
                _ => None,
            };
            let msg = html! {
                div.error role="alert" {
                    @if let Some(a) = now.as_ref().filter(|a| !a.status.is_active()) {
                        p { strong { "This alert was closed meanwhile (" (status_label(a.status)) ")." } " Your decision was not recorded." }
                    } @else {
                        p { "Your decision was not recorded: " (detail) "." }
                    }
                    @if let Some(h) = first {
                        p { "Decided first by " strong { (h.actor) } " on " (when(h.at)) ": " strong { (h.action) }
                            @if let Some(r) = &h.reason { " — " q dir="auto" { (r) } } }
                    }
                    @if let Some(h) = closed_by {
                        p { "Closed by " strong { (h.actor) } " on " (when(h.at)) ": " strong { (h.action) } }
                    }
                }
            };
            render_detail(&state, &req, &raw, StatusCode::CONFLICT, Some(msg), "").await
        }
        Err(MonitorError::Invalid(detail)) => {
            let msg =
                html! { p.error role="alert" { "Your decision was not recorded: " (detail) } };
            render_detail(
                &state,
                &req,
                &raw,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
                &reason,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
