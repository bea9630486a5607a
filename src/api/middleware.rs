//! The one middleware every request passes before routing: CORS (only when
//! origins are configured), metrics and the access log, security headers,
//! and the guarantee that every error response is JSON (`{"error",
//! "detail"}`) even when actix-web itself produced it (bad header, unknown
//! route). Authentication is not here: it runs per route, after the router
//! matched it ([`super::auth::guard`]).

use super::error::{ApiError, code_for_status, error_response};
use super::{AppState, Principal};
use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use std::time::Instant;

/// The allowed origin for this request, when CORS is on and it is allowed.
fn cors_origin(state: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    let allowed = &state.config.cors.allow_origins;
    if allowed.is_empty() {
        return None;
    }
    let origin = headers.get(header::ORIGIN)?;
    let o = origin.to_str().ok()?;
    if allowed.iter().any(|a| a == "*") {
        return Some(HeaderValue::from_static("*"));
    }
    allowed.iter().any(|a| a == o).then(|| origin.clone())
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers.insert(name, HeaderValue::from_static(value));
}

/// The middleware function (installed with `middleware::from_fn`).
pub async fn gateway(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.into_response(ApiError::internal("application state missing").to_response()));
    };
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let cors = cors_origin(&state, req.headers());

    // CORS preflight: answered here, before authentication (browsers send no credentials).
    if method == Method::OPTIONS
        && let Some(origin) = &cors
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        let mut res = HttpResponse::NoContent().finish();
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        set(
            h,
            header::ACCESS_CONTROL_ALLOW_METHODS,
            "GET, POST, OPTIONS",
        );
        set(
            h,
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            "Authorization, Content-Type",
        );
        set(h, header::ACCESS_CONTROL_MAX_AGE, "600");
        set(h, header::VARY, "Origin");
        return Ok(req.into_response(res));
    }

    state.metrics.enter();
    let mut res: ServiceResponse<BoxBody> = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => {
            // Handler errors arrive as responses; an error here comes from
            // the framework itself. actix renders it (ApiError as JSON).
            state.metrics.leave();
            let status = err.as_response_error().status_code();
            state
                .metrics
                .observe_request("unmatched", &method, status.as_u16(), start.elapsed());
            return Err(err);
        }
    };
    state.metrics.leave();

    // Every error is JSON, whoever produced it (the console's are HTML
    // pages: it makes its own).
    let status = res.status();
    let console = path == "/ui" || path.starts_with("/ui/");
    if (status.is_client_error() || status.is_server_error()) && !console {
        let is_json = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            let detail = res
                .response()
                .error()
                .map(|e| e.to_string())
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
            let detail = if status == StatusCode::METHOD_NOT_ALLOWED {
                format!("{method} is not allowed on {path}")
            } else {
                detail
            };
            res = res.into_response(error_response(status, code_for_status(status), &detail));
        }
    }

    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let caller = res
        .request()
        .extensions()
        .get::<Principal>()
        .map(|p| p.name.clone());
    let elapsed = start.elapsed();
    state
        .metrics
        .observe_request(&route, &method, status.as_u16(), elapsed);
    tracing::info!(
        target: "screener::access",
        method = %method,
        route = %route,
        status = status.as_u16(),
        caller = caller.as_deref().unwrap_or("-"),
        micros = elapsed.as_micros() as u64,
    );

    let h = res.headers_mut();
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if path == "/docs" || path == "/docs/app.js" {
        set(
            h,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        );
    } else {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if let Some(origin) = cors {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        set(h, header::VARY, "Origin");
    }
    Ok(res)
}
