//! Operations routes: liveness, readiness, Prometheus metrics, the OpenAPI
//! document and the browsable API page, and the JSON 404 for unknown routes.

use super::AppState;
use super::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

/// `GET /healthz`: the process is up and answering.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// `GET /readyz`: 200 once an index is served, 503 before.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.service.served() {
        Some(s) => HttpResponse::Ok().json(serde_json::json!({
            "status": "ready",
            "generation": s.generation,
            "entities": s.matcher.index().len(),
            "lists": s.versions(None),
        })),
        None => ApiError::not_ready().to_response(),
    }
}

/// `GET /metrics`.
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

/// `GET /openapi.json`.
pub async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi.clone())
}

/// `GET /docs`.
pub async fn docs(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(state.docs_html.clone())
}

/// `GET /docs/app.js`.
pub async fn docs_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .body(super::openapi::DOCS_JS)
}

/// `GET /`: where to start.
pub async fn root() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "service": "screener",
        "version": env!("CARGO_PKG_VERSION"),
        "docs": "/docs",
        "openapi": "/openapi.json",
    }))
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
