//! HTTP routes of ongoing monitoring: customers, alerts and decisions, the
//! audit trail, webhook deliveries and rescreens. Handlers only translate
//! between HTTP and [`crate::monitor::Monitor`]; the work runs on the
//! blocking pool. The analyst of a decision is the caller's API key name.

use super::error::ApiError;
use super::params::Params;
use super::{AppState, Principal, blocking};
use crate::monitor::customer::Customer;
use crate::monitor::store::{
    AlertFilter, AlertStatus, CustomerFilter, DeliveryFilter, MonitorError,
};
use crate::monitor::{DecisionRequest, MAX_BULK, Monitor};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
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

fn customer_from_value(v: serde_json::Value) -> Result<Customer, String> {
    serde_json::from_value::<Customer>(v).map_err(|e| format!("invalid customer: {e}"))
}

/// `PUT /v1/customers/{id}`: create or replace one customer, screened at once.
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

/// `POST /v1/customers`: many customers, as a JSON array or NDJSON (read
/// as it arrives, one customer per line), up to 100,000.
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

/// `GET /v1/customers/{id}`.
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

/// `GET /v1/customers?segment=&tag=&risk=&openAlerts=&cursor=&limit=`.
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
        let items: Vec<serde_json::Value> = page
            .items
            .iter()
            .map(|c| m.describe_customer(c, None))
            .collect();
        Ok::<_, MonitorError>(serde_json::json!({"items": items, "nextCursor": page.next_cursor}))
    })
    .await??;
    Ok(HttpResponse::Ok().json(page))
}

/// `DELETE /v1/customers/{id}`: erasure.
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
    Ok(HttpResponse::Ok().json(serde_json::json!({"id": shown, "deleted": true})))
}

/// `GET /v1/alerts?status=&list=&customer=&entity=&since=&cursor=&limit=`:
/// newest first, with the counts per status under the same filter.
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
    };
    let body = blocking(move || {
        let page = m.store().list_alerts(&filter)?;
        let counts = m.store().alert_counts(&filter)?;
        let counts: serde_json::Map<String, serde_json::Value> = counts
            .into_iter()
            .map(|(s, n)| (s.as_str().to_string(), n.into()))
            .collect();
        Ok::<_, MonitorError>(
            serde_json::json!({"items": page.items, "nextCursor": page.next_cursor, "counts": counts}),
        )
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

/// `GET /v1/alerts/{id}`: the alert, its history and the pair's earlier alerts.
pub async fn get_alert(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let id = alert_id(&path.into_inner())?;
    let body = blocking(move || {
        let Some(alert) = m.store().alert(id)? else {
            return Ok(None);
        };
        let history = m.store().alert_history(id)?;
        let mut earlier = Vec::new();
        let mut prev = alert.previous_alert_id;
        while let Some(p) = prev {
            let Some(a) = m.store().alert(p)? else { break };
            prev = a.previous_alert_id;
            let h = m.store().alert_history(p)?;
            earlier.push(serde_json::json!({"alert": a, "history": h}));
        }
        Ok::<_, MonitorError>(Some(
            serde_json::json!({"alert": alert, "history": history, "earlier": earlier}),
        ))
    })
    .await??;
    body.map(|b| HttpResponse::Ok().json(b))
        .ok_or_else(|| ApiError::not_found("unknown_alert", format!("no alert {id}")))
}

/// `POST /v1/alerts/{id}/decision` with `{"decision", "reason", "revision"?}`.
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

/// `POST /v1/monitor/rescreen?full=true&wait=true` (admin).
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
    let job = move || {
        if full {
            m.rescreen_full()
        } else {
            let load = move |l: &str, v: &str| source.load(l, v).map_err(|e| e.to_string());
            m.advance(served, None, &load)
        }
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
    Ok(HttpResponse::Accepted().json(serde_json::json!({"started": true, "full": full})))
}

/// `GET /v1/monitor`: state of the monitor.
pub async fn status(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let body = blocking(move || {
        let g = m.generation();
        Ok::<_, MonitorError>(serde_json::json!({
            "ready": m.is_ready(),
            "writable": m.store().writable(),
            "store": m.store().describe(),
            "listVersions": g.as_ref().map(|g| g.versions.clone()),
            "customers": m.store().count_customers()?,
            "activeAlertsByList": m.store().active_alerts_by_list()?,
            "webhookBacklog": m.store().delivery_backlog()?,
            "stats": m.stats(),
        }))
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /v1/audit?since=<seq>&limit=`: records after a sequence number.
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
        Ok::<_, MonitorError>(serde_json::json!({"items": records, "nextSince": next}))
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /v1/webhooks/deliveries?status=pending|delivered|failed&cursor=&limit=`.
pub async fn deliveries(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let m = monitor(&state)?;
    let params = Params::parse(req.query_string())?;
    params.only(&["status", "cursor", "limit"])?;
    if let Some(s) = params.get("status")
        && !["pending", "delivered", "failed"].contains(&s)
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
    Ok(HttpResponse::Ok().json(page))
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
