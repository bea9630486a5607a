//! HTTP routes of ongoing monitoring: customers, alerts and decisions, the
//! audit trail, webhook deliveries and rescreens. Handlers only translate
//! between HTTP and [`crate::monitor::Monitor`]; the work runs on the
//! blocking pool. The analyst of a decision is the caller's API key name.

use super::error::{ApiError, ErrorBody};
use super::params::Params;
use super::{AppState, Principal, blocking};
use crate::monitor::customer::Customer;
use crate::monitor::store::{
    Alert, AlertFilter, AlertStatus, AuditRecord, CustomerFilter, Delivery, DeliveryFilter,
    DeliveryStatus, HistoryEntry, MonitorError,
};
use crate::monitor::{
    BulkReport, CustomerView, DecisionRequest, MAX_BULK, Monitor, MonitorStats, RescreenReport,
    WriteOutcome,
};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Largest body of a bulk customer write.
pub const MAX_CUSTOMERS_BODY: usize = 256 * 1024 * 1024;
/// Default and largest page size of the lists.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

impl From<MonitorError> for ApiError {
    fn from(e: MonitorError) -> ApiError {
        match e {
            MonitorError::Unavailable(d) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "monitor_unavailable", d)
            }
            MonitorError::NotFound(d) => ApiError::not_found("not_found", d),
            MonitorError::Conflict(d) => ApiError::new(StatusCode::CONFLICT, "conflict", d),
            MonitorError::Invalid(d) => ApiError::unprocessable("invalid", d),
            MonitorError::Schema(d) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "monitor_database", d)
            }
            MonitorError::Internal(d) => ApiError::internal(d),
        }
    }
}

fn monitor(state: &AppState) -> Result<Arc<Monitor>, ApiError> {
    state.monitor.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "monitor_disabled",
            "ongoing monitoring is off ([monitor] enabled = false, or no data directory)",
        )
    })
}

fn caller(req: &HttpRequest) -> String {
    req.extensions()
        .get::<Principal>()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "anonymous".into())
}

fn page_size(params: &Params) -> Result<usize, ApiError> {
    let n = params.usize("limit")?.unwrap_or(DEFAULT_PAGE);
    if n == 0 || n > MAX_PAGE {
        return Err(ApiError::bad_request(
            "invalid_query_parameter",
            format!("query parameter 'limit': must be 1 to {MAX_PAGE}"),
        ));
    }
    Ok(n)
}

/// A numeric `cursor` (the id paging continues below).
fn id_cursor(params: &Params) -> Result<Option<i64>, ApiError> {
    params
        .get("cursor")
        .map(|c| c.parse::<i64>())
        .transpose()
        .map_err(|_| {
            ApiError::bad_request(
                "invalid_query_parameter",
                "query parameter 'cursor': not a cursor this API gave",
            )
        })
}

fn time_param(params: &Params, name: &str) -> Result<Option<time::OffsetDateTime>, ApiError> {
    params
        .get(name)
        .map(|v| {
            time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).map_err(
                |_| {
                    ApiError::bad_request(
                        "invalid_query_parameter",
                        format!("query parameter '{name}': '{v}' is not an RFC 3339 time (2026-01-31T00:00:00Z)"),
                    )
                },
            )
        })
        .transpose()
}

/// A page of customers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPage {
    pub items: Vec<CustomerView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A page of alerts, newest first, with the counts per status under the
/// same filters.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertPage {
    pub items: Vec<Alert>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// `{status: count}` of the alerts matching the filters (every page).
    #[schema(value_type = BTreeMap<String, u64>)]
    pub counts: BTreeMap<AlertStatus, u64>,
}

/// An earlier alert on the same pair, with its history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EarlierAlert {
    pub alert: Alert,
    pub history: Vec<HistoryEntry>,
}

/// An alert, its history of decisions and changes, and the pair's earlier
/// alerts (most recent first).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertView {
    pub alert: Alert,
    pub history: Vec<HistoryEntry>,
    pub earlier: Vec<EarlierAlert>,
}

/// Records of the audit trail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    /// Pass as `since` for the next page; null when this page is not full.
    pub next_since: Option<i64>,
}

/// A page of webhook deliveries, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The state of the monitor.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorState {
    /// The customer index is built and writes are screened.
    pub ready: bool,
    /// The database accepts writes.
    pub writable: bool,
    /// Which store, and where.
    pub store: String,
    /// `{list id: version}` the customers are screened against (null before
    /// the first index).
    pub list_versions: Option<BTreeMap<String, String>>,
    pub customers: u64,
    /// Open or escalated alerts, by list.
    pub active_alerts_by_list: BTreeMap<String, u64>,
    /// Webhook deliveries pending.
    pub webhook_backlog: u64,
    pub stats: MonitorStats,
}

/// An erased customer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}

/// A rescreen started in the background.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RescreenStarted {
    pub started: bool,
    /// Every customer (true), or a delta from the versions last screened.
    pub full: bool,
    /// The job of a full rescreen, to follow at
    /// `GET /v1/monitor/rescreens/{id}` on any replica (each replica serving
    /// the same lists works its chunks too). A delta has none here: it is
    /// the job every replica plans alike, told in its report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<i64>,
}

/// A customer as a write takes it: a [`Customer`] with at least one of
/// `name`, `firstName`, `middleName`, `fatherName`, `lastName` holding more
/// than blanks ([`Customer::validate`] refuses the rest). Serde cannot say
/// "one of these fields", so the document says it here.
pub struct NamedCustomer;

impl utoipa::PartialSchema for NamedCustomer {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Type};
        let mut one_name = AnyOfBuilder::new();
        for field in ["name", "firstName", "middleName", "fatherName", "lastName"] {
            one_name = one_name.item(
                ObjectBuilder::new()
                    .property(
                        field,
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(r"\S")),
                    )
                    .required(field),
            );
        }
        AllOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name("Customer"))
            .item(one_name)
            .description(Some(
                "A customer with at least one of name, firstName, middleName, fatherName or lastName not blank.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for NamedCustomer {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            "Customer".into(),
            <Customer as utoipa::PartialSchema>::schema(),
        ));
        <Customer as utoipa::ToSchema>::schemas(schemas);
    }
}

/// The JSON body of `POST /v1/customers`: 1 to 100,000 customers (the
/// handler reads the array as it arrives).
pub struct CustomerArray;

impl utoipa::PartialSchema for CustomerArray {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(<NamedCustomer as utoipa::PartialSchema>::schema())
            .min_items(Some(1))
            .max_items(Some(MAX_BULK))
            .into()
    }
}

impl utoipa::ToSchema for CustomerArray {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <NamedCustomer as utoipa::ToSchema>::schemas(schemas);
    }
}

fn customer_from_value(v: serde_json::Value) -> Result<Customer, String> {
    serde_json::from_value::<Customer>(v).map_err(|e| format!("invalid customer: {e}"))
}

/// Create or replace a customer
///
/// Stores the customer and screens it at once (the onboarding check); the
/// answer carries its active alerts, rating and the list versions used.
/// Answered once the write is on disk.
#[utoipa::path(
    put,
    path = "/v1/customers/{id}",
    tag = "monitor",
    params(("id" = String, Path, description = "Customer id: 1-200 bytes, no control characters.", min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]+$", example = "c-1")),
    request_body(
        content = inline(NamedCustomer),
        example = json!({"name": "Viktor Bout", "schema": "Person", "birthDate": "1967-01-13", "countries": ["ru"], "segment": "retail", "tags": ["onboarding-2026"], "metadata": {"crmId": "A-1"}})
    ),
    responses(
        (status = 200, description = "Replaced (or unchanged).", body = WriteOutcome),
        (status = 201, description = "Created.", body = WriteOutcome),
        (status = 422, description = "No name, a field of the wrong type, an unknown field, a bad id, or an id in the body differing from the path's.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting, no index is loaded, or the database cannot be written (full disk, read-only data directory).", body = ErrorBody),
    )
)]
pub async fn put_customer(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let id = path.into_inner();
    let mut c = customer_from_value(body.into_inner())
        .map_err(|e| ApiError::unprocessable("invalid_customer", e))?;
    match &c.id {
        Some(body_id) if *body_id != id => {
            return Err(ApiError::unprocessable(
                "id_mismatch",
                format!("the body's id '{body_id}' differs from the path's '{id}'"),
            ));
        }
        _ => c.id = Some(id),
    }
    c.validate()
        .map_err(|e| ApiError::unprocessable("invalid_customer", e.to_string()))?;
    let actor = caller(&req);
    let report = blocking(move || m.put_customers(vec![Ok(c)], &actor)).await??;
    let outcome = report
        .results
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("no outcome"))?;
    if let Some(e) = &outcome.error {
        return Err(ApiError::unprocessable("invalid_customer", e.clone()));
    }
    let status = if outcome.status.as_deref() == Some("created") {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(outcome))
}

/// Write many customers
///
/// Up to 100,000 customers as a JSON array, or one per line as NDJSON (read
/// as it arrives). Each is created or replaced and screened. An id given
/// twice: the last row wins and the id is listed in `duplicates`. A row that
/// cannot be read or has no name gets its `error` (and the answer is still
/// 200); the others are stored. Answered once everything is on disk.
#[utoipa::path(
    post,
    path = "/v1/customers",
    tag = "monitor",
    request_body(content(
        (inline(CustomerArray) = "application/json", example = json!([{"id": "c-1", "name": "Viktor Bout"}, {"id": "c-2", "name": "Maria Fernandez Lopez", "birthDate": "1985-02-11"}])),
        (String = "application/x-ndjson", example = json!("{\"id\": \"c-1\", \"name\": \"Viktor Bout\"}\n"))
    )),
    responses(
        (status = 200, description = "What each row did.", body = BulkReport),
        (status = 400, description = "Not a JSON array.", body = ErrorBody),
        (status = 413, description = "More than 100,000 customers or a body over 256 MiB.", body = ErrorBody),
        (status = 415, description = "Neither JSON nor NDJSON.", body = ErrorBody),
        (status = 422, description = "No customer in the request.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting, no index is loaded, or the database cannot be written.", body = ErrorBody),
    )
)]
pub async fn post_customers(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let ndjson = match req.mime_type() {
        Ok(Some(mime)) => match (mime.type_().as_str(), mime.subtype().as_str()) {
            ("application", "json") => false,
            ("application", "x-ndjson" | "ndjson" | "jsonl" | "x-jsonlines" | "jsonlines") => true,
            _ => return Err(unsupported()),
        },
        _ => return Err(unsupported()),
    };
    let mut payload = actix_web::dev::Decompress::from_headers(payload.into_inner(), req.headers());
    let too_large = || {
        ApiError::too_large(
            "body_too_large",
            format!("the body is larger than {MAX_CUSTOMERS_BODY} bytes; split the import"),
        )
    };
    let too_many = || {
        ApiError::too_large(
            "too_many_customers",
            format!("more than {MAX_BULK} customers in one request; split the import"),
        )
    };
    let mut rows: Vec<Result<Customer, String>> = Vec::new();
    let mut read = 0usize;
    if ndjson {
        let mut line: Vec<u8> = Vec::new();
        let mut line_no = 0usize;
        let take = |line: &[u8], rows: &mut Vec<Result<Customer, String>>, no: usize| {
            let text = String::from_utf8_lossy(line);
            let text = text.trim();
            if text.is_empty() {
                return;
            }
            rows.push(
                serde_json::from_str::<Customer>(text)
                    .map_err(|e| format!("line {no}: invalid customer: {e}")),
            );
        };
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
            read += chunk.len();
            if read > MAX_CUSTOMERS_BODY {
                return Err(too_large());
            }
            for part in chunk.split_inclusive(|b| *b == b'\n') {
                line.extend_from_slice(part);
                if part.ends_with(b"\n") {
                    line_no += 1;
                    take(&line, &mut rows, line_no);
                    line.clear();
                    if rows.len() > MAX_BULK {
                        return Err(too_many());
                    }
                }
            }
        }
        line_no += 1;
        take(&line, &mut rows, line_no);
    } else {
        let mut body = Vec::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
            read += chunk.len();
            if read > MAX_CUSTOMERS_BODY {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let items: Vec<serde_json::Value> = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request("invalid_json", format!("the body is not a JSON array: {e}"))
        })?;
        rows = items.into_iter().map(customer_from_value).collect();
    }
    if rows.len() > MAX_BULK {
        return Err(too_many());
    }
    if rows.is_empty() {
        return Err(ApiError::unprocessable(
            "empty",
            "the request holds no customer",
        ));
    }
    let actor = caller(&req);
    let report = blocking(move || m.put_customers(rows, &actor)).await??;
    Ok(HttpResponse::Ok().json(report))
}

fn unsupported() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send a JSON array as Content-Type: application/json, or one customer per line as Content-Type: application/x-ndjson",
    )
}

/// Get a customer
///
/// The record, its alerts, its risk rating, when it was last screened and
/// against which list versions.
#[utoipa::path(
    get,
    path = "/v1/customers/{id}",
    tag = "monitor",
    params(("id" = String, Path, description = "Customer id.", example = "c-1")),
    responses(
        (status = 200, description = "The customer.", body = CustomerView),
        (status = 404, description = "No such customer.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting.", body = ErrorBody),
    )
)]
pub async fn get_customer(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let id = path.into_inner();
    let shown = id.clone();
    let view = blocking(move || m.customer_view(&id)).await??;
    match view {
        Some(v) => Ok(HttpResponse::Ok().json(v)),
        None => Err(ApiError::not_found(
            "unknown_customer",
            format!("no customer '{shown}'"),
        )),
    }
}

/// List customers
///
/// Customers by id, with cursor paging.
#[utoipa::path(
    get,
    path = "/v1/customers",
    tag = "monitor",
    params(
        ("segment" = Option<String>, Query, description = "Only this segment."),
        ("tag" = Option<String>, Query, description = "Only customers with this tag."),
        ("risk" = Option<crate::monitor::risk::RiskLevel>, Query, description = "Only this rating."),
        ("openAlerts" = Option<bool>, Query, description = "Only customers with an open or escalated alert."),
        ("cursor" = Option<String>, Query, description = "The `nextCursor` of the previous page."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100)."),
    ),
    responses(
        (status = 200, description = "A page of customers.", body = CustomerPage),
        (status = 400, description = "A bad or unknown query parameter.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting.", body = ErrorBody),
    ),
    extensions(("x-try-url" = json!("/v1/customers?limit=10")))
)]
pub async fn list_customers(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let params = Params::parse(req.query_string())?;
    params.only(&["segment", "tag", "risk", "openAlerts", "cursor", "limit"])?;
    if let Some(r) = params.get("risk")
        && crate::monitor::risk::RiskLevel::parse(r).is_none()
    {
        return Err(ApiError::bad_request(
            "invalid_query_parameter",
            format!("query parameter 'risk': '{r}' is not low, medium, high or prohibited"),
        ));
    }
    let filter = CustomerFilter {
        segment: params.get("segment").map(str::to_string),
        tag: params.get("tag").map(str::to_string),
        risk: params.get("risk").map(str::to_string),
        with_open_alerts: params.bool("openAlerts")?.unwrap_or(false),
        after_id: params.get("cursor").map(str::to_string),
        limit: page_size(&params)?,
    };
    let page = blocking(move || {
        let page = m.store().list_customers(&filter)?;
        let items = page
            .items
            .iter()
            .map(|c| m.describe_customer(c, None))
            .collect();
        Ok::<_, MonitorError>(CustomerPage {
            items,
            next_cursor: page.next_cursor,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(page))
}

/// Erase a customer
///
/// The record is deleted; its alerts close as customer_deleted and lose
/// their explanations. The audit trail holds only the record's digest.
#[utoipa::path(
    delete,
    path = "/v1/customers/{id}",
    tag = "monitor",
    params(("id" = String, Path, description = "Customer id: 1-200 bytes, no control characters.", min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]+$", example = "c-1")),
    responses(
        (status = 200, description = "Deleted.", body = Deleted),
        (status = 404, description = "No such customer.", body = ErrorBody),
        (status = 422, description = "Not a customer id (1-200 bytes without control characters).", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting, or the database cannot be written.", body = ErrorBody),
    )
)]
pub async fn delete_customer(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let id = path.into_inner();
    let actor = caller(&req);
    let shown = id.clone();
    let deleted = blocking(move || m.delete_customer(&id, &actor)).await??;
    if !deleted {
        return Err(ApiError::not_found(
            "unknown_customer",
            format!("no customer '{shown}'"),
        ));
    }
    Ok(HttpResponse::Ok().json(Deleted {
        id: shown,
        deleted: true,
    }))
}

/// List alerts
///
/// Each pair's current alert, newest first, with the counts per status under
/// the same filters.
#[utoipa::path(
    get,
    path = "/v1/alerts",
    tag = "monitor",
    params(
        ("status" = Option<Vec<AlertStatus>>, Query, description = "open, escalated, true_match, false_positive, delisted, customer_deleted (repeat or comma-separate)."),
        ("list" = Option<String>, Query, description = "Only alerts on this list."),
        ("customer" = Option<String>, Query, description = "Only this customer's."),
        ("entity" = Option<String>, Query, description = "Only alerts on this listed entity."),
        ("since" = Option<String>, Query, format = DateTime, description = "Changed at or after this time (RFC 3339)."),
        ("cursor" = Option<String>, Query, pattern = r"^-?[0-9]{1,18}$", description = "The `nextCursor` of the previous page."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100)."),
    ),
    responses(
        (status = 200, description = "A page of alerts with counts.", body = AlertPage),
        (status = 400, description = "A bad or unknown query parameter.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting.", body = ErrorBody),
    ),
    extensions(("x-try-url" = json!("/v1/alerts?status=open")))
)]
pub async fn list_alerts(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let params = Params::parse(req.query_string())?;
    params.only(&[
        "status", "list", "customer", "entity", "since", "cursor", "limit",
    ])?;
    let mut statuses = Vec::new();
    // `?status=` names no status: refused, not read as "every status".
    if params.get("status").is_some() && params.all("status").is_empty() {
        return Err(ApiError::bad_request(
            "invalid_query_parameter",
            "query parameter 'status' is empty",
        ));
    }
    for s in params.all("status").iter().flat_map(|s| s.split(',')) {
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        statuses.push(AlertStatus::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_query_parameter",
                format!("query parameter 'status': '{s}' is not one of open, escalated, true_match, false_positive, delisted, customer_deleted"),
            )
        })?);
    }
    let before_id = id_cursor(&params)?;
    let filter = AlertFilter {
        statuses,
        list: params.get("list").map(str::to_string),
        customer: params.get("customer").map(str::to_string),
        entity: params.get("entity").map(str::to_string),
        since: time_param(&params, "since")?,
        before_id,
        limit: page_size(&params)?,
        ..AlertFilter::default()
    };
    let body = blocking(move || {
        let page = m.store().list_alerts(&filter)?;
        let counts = m.store().alert_counts(&filter)?;
        Ok::<_, MonitorError>(AlertPage {
            items: page.items,
            next_cursor: page.next_cursor,
            counts,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

fn alert_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::not_found("unknown_alert", format!("no alert '{raw}'")))
}

/// An alert with its history and the pair's earlier alerts (the API's
/// `GET /v1/alerts/{id}` and the console's alert page).
pub fn alert_view(m: &Monitor, id: i64) -> Result<Option<AlertView>, MonitorError> {
    let Some(alert) = m.store().alert(id)? else {
        return Ok(None);
    };
    let history = m.store().alert_history(id)?;
    let mut earlier = Vec::new();
    let mut prev = alert.previous_alert_id;
    while let Some(p) = prev {
        let Some(a) = m.store().alert(p)? else { break };
        prev = a.previous_alert_id;
        let history = m.store().alert_history(p)?;
        earlier.push(EarlierAlert { alert: a, history });
    }
    Ok(Some(AlertView {
        alert,
        history,
        earlier,
    }))
}

/// Get an alert
///
/// The alert, its history of decisions and changes, and the pair's earlier
/// alerts.
#[utoipa::path(
    get,
    path = "/v1/alerts/{id}",
    tag = "monitor",
    params(("id" = String, Path, description = "Alert id.", example = "1")),
    responses(
        (status = 200, description = "The alert.", body = AlertView),
        (status = 404, description = "No such alert.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting.", body = ErrorBody),
    )
)]
pub async fn get_alert(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let id = alert_id(&path.into_inner())?;
    let body = blocking(move || alert_view(&m, id)).await??;
    body.map(|b| HttpResponse::Ok().json(b))
        .ok_or_else(|| ApiError::not_found("unknown_alert", format!("no alert {id}")))
}

/// Decide an alert
///
/// Records a decision under the caller's API key name. A false_positive
/// holds until the customer's or the listed party's names, birth dates,
/// identifiers or countries change. With four-eyes on, a true_match waits
/// for a second, different analyst.
#[utoipa::path(
    post,
    path = "/v1/alerts/{id}/decision",
    tag = "monitor",
    params(("id" = String, Path, description = "Alert id.", example = "1")),
    request_body(
        content = DecisionRequest,
        example = json!({"decision": "false_positive", "reason": "different person: passport checked"})
    ),
    responses(
        (status = 200, description = "The alert after the decision.", body = Alert),
        (status = 404, description = "No such alert.", body = ErrorBody),
        (status = 409, description = "The alert is closed, changed meanwhile (revision), or another decision won; four-eyes: the same analyst again.", body = ErrorBody),
        (status = 422, description = "Unknown decision, no reason, or a field of the wrong type.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting, or the database cannot be written.", body = ErrorBody),
    )
)]
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let id = alert_id(&path.into_inner())?;
    let decision: DecisionRequest = serde_json::from_value(body.into_inner())
        .map_err(|e| ApiError::unprocessable("invalid_decision", e.to_string()))?;
    let analyst = caller(&req);
    let alert = blocking(move || m.decide(id, &decision, &analyst)).await??;
    Ok(HttpResponse::Ok().json(alert))
}

/// Rescreen the customers
///
/// full=true (default): every customer against the lists now served, as a
/// job the other replicas serving the same lists work too (the 202 names
/// it; follow it at /v1/monitor/rescreens/{id}); full=false: catch up from
/// the versions last screened (a delta). Needs the admin token.
#[utoipa::path(
    post,
    path = "/v1/monitor/rescreen",
    tag = "admin",
    params(
        ("full" = Option<bool>, Query, description = "Every customer (default true)."),
        ("wait" = Option<bool>, Query, description = "Answer with the report when done."),
    ),
    responses(
        (status = 200, description = "Done (wait=true).", body = RescreenReport),
        (status = 202, description = "Started.", body = RescreenStarted),
        (status = 400, description = "A bad or unknown query parameter.", body = ErrorBody),
        (status = 503, description = "Monitoring is off, no index is loaded, or the database cannot be written.", body = ErrorBody),
    ),
    extensions(("x-try-url" = json!("/v1/monitor/rescreen?wait=true")), ("x-try-body" = json!("")))
)]
pub async fn rescreen(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let params = Params::parse(req.query_string())?;
    params.only(&["full", "wait"])?;
    let full = params.bool("full")?.unwrap_or(true);
    let wait = params.bool("wait")?.unwrap_or(false);
    let served = state.served()?;
    let source = Arc::clone(state.service.source());
    // A full rescreen's job id is told as soon as the job exists (or the
    // error that came first), so that a 202 names the job to follow.
    let (tell, told) = std::sync::mpsc::sync_channel::<Result<i64, MonitorError>>(1);
    let job = move || {
        let result = if full {
            let tell = tell.clone();
            m.rescreen_full_telling(&mut move |id| {
                let _ = tell.try_send(Ok(id));
            })
        } else {
            let load = move |l: &str, v: &str| source.load(l, v).map_err(|e| e.to_string());
            m.advance(served, None, &load)
        };
        if let Err(e) = &result {
            let _ = tell.try_send(Err(e.clone()));
        }
        result
    };
    if wait {
        let report = blocking(job).await??;
        return Ok(HttpResponse::Ok().json(report));
    }
    actix_web::rt::spawn(async move {
        match web::block(job).await {
            Ok(Ok(r)) => tracing::info!(seconds = r.seconds, "requested rescreen done"),
            Ok(Err(e)) => tracing::error!(error = %e, "requested rescreen failed"),
            Err(e) => tracing::error!(error = %e, "requested rescreen task failed"),
        }
    });
    let job = if full {
        // Another rescreen holding this replica (a list update's) makes this
        // one wait its turn: then the answer does not wait for the job.
        match blocking(move || told.recv_timeout(std::time::Duration::from_secs(2))).await? {
            Ok(Ok(id)) => Some(id),
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => None,
        }
    } else {
        None
    };
    Ok(HttpResponse::Accepted().json(RescreenStarted {
        started: true,
        full,
        job,
    }))
}

/// A rescreen's progress
///
/// A rescreen (the `job` of a rescreen report) is split into chunks that
/// every replica sharing the database leases and works: chunks total, done
/// and leased now, customers and listed parties screened, alerts raised,
/// when it started and finished, and what each replica did.
#[utoipa::path(
    get,
    path = "/v1/monitor/rescreens/{id}",
    tag = "monitor",
    params(("id" = String, Path, description = "Rescreen job id.", example = "1")),
    responses(
        (status = 200, description = "The rescreen.", body = crate::monitor::store::RescreenProgress),
        (status = 404, description = "No such rescreen (a SQLite store keeps them until the process ends).", body = ErrorBody),
        (status = 503, description = "Monitoring is off or the database cannot be reached.", body = ErrorBody),
    )
)]
pub async fn rescreen_progress(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let raw = path.into_inner();
    let unknown = || ApiError::not_found("unknown_rescreen", format!("no rescreen '{raw}'"));
    let Some(id) = raw.parse::<i64>().ok().filter(|n| *n > 0) else {
        return Err(unknown());
    };
    let progress = blocking(move || m.rescreen_progress(id)).await??;
    progress
        .map(|p| HttpResponse::Ok().json(p))
        .ok_or_else(unknown)
}

/// Monitor state
///
/// Ready, writable, list versions the customers are screened against,
/// counts, the last rescreen and the webhook backlog.
#[utoipa::path(
    get,
    path = "/v1/monitor",
    tag = "monitor",
    responses(
        (status = 200, description = "The state.", body = MonitorState),
        (status = 503, description = "Monitoring is off.", body = ErrorBody),
    ),
    extensions(("x-try-url" = json!("/v1/monitor")))
)]
pub async fn status(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let body = blocking(move || {
        let g = m.generation();
        Ok::<_, MonitorError>(MonitorState {
            ready: m.is_ready(),
            writable: m.store().writable(),
            store: m.store().describe(),
            list_versions: g.as_ref().map(|g| g.versions.clone()),
            customers: m.store().count_customers()?,
            active_alerts_by_list: m.store().active_alerts_by_list()?,
            webhook_backlog: m.store().delivery_backlog()?,
            stats: m.stats(),
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

/// The audit trail
///
/// Records after a sequence number, each with the SHA-256 of the one before
/// and its own. Customer data appears only as digests.
#[utoipa::path(
    get,
    path = "/v1/audit",
    tag = "monitor",
    params(
        ("since" = Option<i64>, Query, description = "Records after this sequence number (0: from the start)."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100)."),
    ),
    responses(
        (status = 200, description = "Records and the next `since`.", body = AuditPage),
        (status = 400, description = "A bad or unknown query parameter.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting.", body = ErrorBody),
    ),
    extensions(("x-try-url" = json!("/v1/audit?since=0&limit=20")))
)]
pub async fn audit(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let params = Params::parse(req.query_string())?;
    params.only(&["since", "limit"])?;
    let since = match params.get("since") {
        None => 0,
        Some(s) => s.parse::<i64>().map_err(|_| {
            ApiError::bad_request(
                "invalid_query_parameter",
                "query parameter 'since': a record sequence number (0 for the start)",
            )
        })?,
    };
    let limit = page_size(&params)?;
    let body = blocking(move || {
        let records = m.store().audit_after(since, limit)?;
        let next = (records.len() == limit)
            .then(|| records.last().map(|r| r.seq))
            .flatten();
        Ok::<_, MonitorError>(AuditPage {
            items: records,
            next_since: next,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

/// Webhook deliveries
///
/// Deliveries of events to the configured endpoints, newest first: pending
/// (with the last error and the next attempt), delivered, or failed (given
/// up after max_age_secs).
#[utoipa::path(
    get,
    path = "/v1/webhooks/deliveries",
    tag = "monitor",
    params(
        ("status" = Option<DeliveryStatus>, Query, description = "Only deliveries in this state."),
        ("cursor" = Option<String>, Query, pattern = r"^-?[0-9]{1,18}$", description = "The `nextCursor` of the previous page."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100)."),
    ),
    responses(
        (status = 200, description = "A page of deliveries.", body = DeliveryPage),
        (status = 400, description = "A bad or unknown query parameter.", body = ErrorBody),
        (status = 503, description = "Monitoring is off or starting.", body = ErrorBody),
    ),
    extensions(("x-try-url" = json!("/v1/webhooks/deliveries?status=pending")))
)]
pub async fn deliveries(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let params = Params::parse(req.query_string())?;
    params.only(&["status", "cursor", "limit"])?;
    if let Some(s) = params.get("status")
        && !DeliveryStatus::ALL.contains(&s)
    {
        return Err(ApiError::bad_request(
            "invalid_query_parameter",
            format!("query parameter 'status': '{s}' is not pending, delivered or failed"),
        ));
    }
    let before_id = id_cursor(&params)?;
    let filter = DeliveryFilter {
        status: params.get("status").map(str::to_string),
        before_id,
        limit: page_size(&params)?,
    };
    let page = blocking(move || m.store().list_deliveries(&filter)).await??;
    Ok(HttpResponse::Ok().json(DeliveryPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// The monitor's lines of `/metrics`: customers, active alerts by list, the
/// last rescreen's duration and the webhook backlog.
pub fn render_metrics(m: &Monitor) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, kind: &str| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    };
    gauge(
        "screener_monitor_customers",
        "Customers stored by the monitor.",
        "gauge",
    );
    gauge(
        "screener_monitor_active_alerts",
        "Open or escalated alerts, by list.",
        "gauge",
    );
    gauge(
        "screener_monitor_rescreen_seconds",
        "Duration of the last rescreen, by kind (delta or full).",
        "gauge",
    );
    gauge(
        "screener_monitor_rescreens_total",
        "Rescreens run, and failed.",
        "counter",
    );
    gauge(
        "screener_monitor_webhook_backlog",
        "Webhook deliveries pending.",
        "gauge",
    );
    gauge(
        "screener_monitor_writable",
        "1 when the monitor database accepts writes.",
        "gauge",
    );
    let store = m.store();
    let _ = writeln!(
        out,
        "screener_monitor_customers {}",
        store.count_customers().unwrap_or(0)
    );
    for (list, n) in store.active_alerts_by_list().unwrap_or_default() {
        let list = list.replace(['\\', '"', '\n'], "_");
        let _ = writeln!(out, "screener_monitor_active_alerts{{list=\"{list}\"}} {n}");
    }
    let stats = m.stats();
    if let Some(r) = &stats.last_rescreen {
        let _ = writeln!(
            out,
            "screener_monitor_rescreen_seconds{{kind=\"{}\"}} {}",
            r.kind, r.seconds
        );
    }
    let _ = writeln!(
        out,
        "screener_monitor_rescreens_total{{outcome=\"done\"}} {}\nscreener_monitor_rescreens_total{{outcome=\"failed\"}} {}",
        stats.rescreens, stats.rescreen_failures
    );
    let _ = writeln!(
        out,
        "screener_monitor_webhook_backlog {}",
        store.delivery_backlog().unwrap_or(0)
    );
    let _ = writeln!(
        out,
        "screener_monitor_writable {}",
        u8::from(store.writable())
    );
    out
}
