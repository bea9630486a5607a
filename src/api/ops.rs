//! Operations routes: liveness, readiness, Prometheus metrics, the OpenAPI
//! document and the browsable API page, and the JSON 404 for unknown routes.

use super::AppState;
use super::error::{ApiError, ErrorBody};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use std::collections::BTreeMap;

/// The answer of `GET /healthz`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(value_type = String)]
    status: &'static str,
}

/// The process is up
///
/// 200 as long as the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Up.", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The answer of `GET /readyz` when an index is served.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// Always `ready`.
    #[schema(value_type = String)]
    status: &'static str,
    generation: u64,
    /// Entities in the served index.
    entities: usize,
    /// `{list id: version}` served.
    lists: BTreeMap<String, String>,
    /// Lists with a newer current version than the one served here
    /// (published by another replica sharing the database, or imported):
    /// `{list id: that version}`. Empty while this replica is up to date; a
    /// version stays here when this replica rejected it.
    pending: BTreeMap<String, String>,
}

/// An index is served
///
/// 200 once an index is served; 503 before, saying why.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready.", body = Ready),
        (status = 503, description = "No index yet: the detail says why (lists being fetched, or none could be loaded) and what to do.", body = ErrorBody),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.service.served() {
        Some(s) => HttpResponse::Ok().json(Ready {
            status: "ready",
            generation: s.generation,
            entities: s.matcher.index().len(),
            lists: s.versions(None),
            pending: state.service.pending(),
        }),
        None => state.not_ready().to_response(),
    }
}

/// Prometheus metrics
///
/// Text exposition format 0.0.4.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Text exposition format 0.0.4.", content_type = "text/plain", body = String)))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let mut body = state.metrics.render(&state.service);
    if let Some(m) = state.monitor.clone()
        && let Ok(lines) = super::blocking(move || super::monitor::render_metrics(&m)).await
    {
        body.push_str(&lines);
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}

/// This document
///
/// The OpenAPI 3.1 document of the API.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1.", body = Object)))]
pub async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.rendered_docs().json.clone())
}

/// The browsable API page
#[utoipa::path(get, path = "/docs", tag = "operations",
    responses((status = 200, description = "HTML.", content_type = "text/html", body = String)))]
pub async fn docs(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(state.rendered_docs().html.clone())
}

/// The API page's script
#[utoipa::path(get, path = "/docs/app.js", tag = "operations",
    responses((status = 200, description = "JavaScript.", content_type = "application/javascript", body = String)))]
pub async fn docs_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .body(super::openapi::DOCS_JS)
}

/// The answer of `GET /`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Root {
    #[schema(value_type = String)]
    service: &'static str,
    #[schema(value_type = String)]
    version: &'static str,
    #[schema(value_type = String)]
    docs: &'static str,
    #[schema(value_type = String)]
    openapi: &'static str,
}

/// Where to start
#[utoipa::path(get, path = "/", tag = "operations",
    responses((status = 200, description = "Where to start.", body = Root)))]
pub async fn root() -> HttpResponse {
    HttpResponse::Ok().json(Root {
        service: "screener",
        version: env!("CARGO_PKG_VERSION"),
        docs: "/docs",
        openapi: "/openapi.json",
    })
}

/// Any unknown route.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let path: String = req.path().chars().take(200).collect();
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {} {path} (see /docs)", req.method()),
    )
    .to_response()
}
