//! The analyst console: server-rendered HTML pages under `/ui`, served by
//! `screener serve` from the same app as the API. Like [`crate::api`], it is
//! a thin layer: every page calls the same [`crate::monitor::Monitor`],
//! store and matcher functions the JSON API calls, and renders the answer.
//!
//! Pages (each URL can be pasted into a ticket):
//! - `/ui/sign-in`, `/ui/sign-out` ([`signin`]);
//! - `/ui/screen?name=…` ([`screen`]);
//! - `/ui/alerts?status=…&sort=…`, `/ui/alerts/{id}` and its decision form ([`alerts`]);
//! - `/ui/customers`, `/ui/customers/{id}`, `/ui/customers/import` ([`customers`]);
//! - `/ui/lists` ([`lists`]);
//! - `/ui/audit?q=…`, `/ui/audit/verify` ([`audit`]).
//!
//! HTML is written with maud (checked at compile time, every value escaped).
//! Why maud rather than askama: maud's templates are Rust code inside the
//! handlers, so the compiler checks every value, branch and loop against
//! the very types each page renders, and a renamed field fails the build.
//! There are no template files to drift from their structs (askama compiles
//! its templates too, but from separate files in a language of their own).
//! The stylesheet and the small script are embedded in the binary: no CDN,
//! no Node, works air-gapped. Every response carries a strict
//! Content-Security-Policy (no inline script or style), `nosniff`,
//! `no-referrer` and a `Server-Timing` header with the time the page took;
//! every error is an HTML page with a way back. With no API key and no admin
//! token configured, every page is a 503 saying how to configure one: the
//! console never opens to anyone who finds it.

pub mod alerts;
pub mod audit;
pub mod customers;
pub mod lists;
pub mod page;
pub mod screen;
pub mod session;
pub mod signin;

use crate::api::AppState;
use crate::api::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
pub use session::{Console, Session};

/// The Content-Security-Policy of every console response.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/// What went wrong, as a page.
#[derive(Debug)]
pub enum UiError {
    /// No session: to the sign-in page, then back to `next`.
    SignIn {
        next: String,
    },
    /// An expired session or a bad CSRF token.
    Forbidden {
        message: String,
        back: String,
    },
    /// No credential can sign in (no API key and no admin token is
    /// configured): the console refuses to serve rather than open up.
    Closed,
    NotFound(String),
    BadRequest(String),
    Unavailable(String),
    Internal(String),
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UiError::SignIn { .. } => f.write_str("sign in first"),
            UiError::Forbidden { message, .. } => f.write_str(message),
            UiError::Closed => f.write_str(
                "The console is closed: no API keys are configured, so it cannot tell analysts apart or record who decided. Configure a named key for each analyst (SCREENER_API_KEYS=ana=<key>,bob=<key>, or api_keys in the configuration file; the admin token signs in too, as admin) and restart; each analyst signs in with their key, and their name goes on their decisions.",
            ),
            UiError::NotFound(m)
            | UiError::BadRequest(m)
            | UiError::Unavailable(m)
            | UiError::Internal(m) => f.write_str(m),
        }
    }
}

impl UiError {
    /// The 403 of an expired or unknown session.
    pub fn expired(next: &str) -> UiError {
        UiError::Forbidden {
            message: "Your session has expired or was ended. Sign in again to go on.".into(),
            back: signin::sign_in_url(next),
        }
    }
}

impl actix_web::ResponseError for UiError {
    fn status_code(&self) -> StatusCode {
        match self {
            UiError::SignIn { .. } => StatusCode::SEE_OTHER,
            UiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            UiError::Closed => StatusCode::SERVICE_UNAVAILABLE,
            UiError::NotFound(_) => StatusCode::NOT_FOUND,
            UiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            UiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            UiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (title, back, label) = match self {
            UiError::SignIn { next } => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, signin::sign_in_url(next)))
                    .finish();
            }
            UiError::Forbidden { back, .. } => ("Not allowed", back.clone(), "Sign in again"),
            UiError::Closed => (
                "Console not configured",
                "/ui/sign-in".to_string(),
                "Try again after configuring",
            ),
            UiError::NotFound(_) => ("Not found", "/ui/alerts".to_string(), "To the alert queue"),
            UiError::BadRequest(_) => (
                "Cannot do that",
                "/ui/alerts".to_string(),
                "To the alert queue",
            ),
            UiError::Unavailable(_) => ("Not available", "/ui/lists".to_string(), "To the lists"),
            UiError::Internal(_) => (
                "Something went wrong",
                "/ui/alerts".to_string(),
                "To the alert queue",
            ),
        };
        page::error_page(status, title, &self.to_string(), &back, label)
    }
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> UiError {
        match e.status {
            StatusCode::NOT_FOUND => UiError::NotFound(e.detail),
            StatusCode::SERVICE_UNAVAILABLE => UiError::Unavailable(e.detail),
            s if s.is_client_error() => UiError::BadRequest(e.detail),
            _ => UiError::Internal(e.detail),
        }
    }
}

impl From<crate::monitor::store::MonitorError> for UiError {
    fn from(e: crate::monitor::store::MonitorError) -> UiError {
        ApiError::from(e).into()
    }
}

/// The fields of a submitted form (`application/x-www-form-urlencoded`).
pub type FormFields = web::Form<Vec<(String, String)>>;

/// The first value of a form field.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The path and query of a request (where to come back after sign-in).
fn here(req: &HttpRequest) -> String {
    match req.uri().query() {
        Some(q) => format!("{}?{q}", req.path()),
        None => req.path().to_string(),
    }
}

/// The signed-in analyst of a request (recorded as its caller for the
/// access log): no cookie sends to sign-in; an unknown or expired session
/// is a 403 page.
pub fn session(state: &AppState, req: &HttpRequest) -> Result<(String, Session), UiError> {
    signin::open_for_sign_in(state)?;
    let Some(cookie) = req.cookie(session::COOKIE) else {
        return Err(UiError::SignIn { next: here(req) });
    };
    let id = cookie.value().to_string();
    match state.console.get(&id) {
        Some(s) => {
            req.extensions_mut().insert(crate::api::Principal {
                name: s.analyst.clone(),
                admin: s.admin,
            });
            Ok((id, s))
        }
        None => Err(UiError::expired(&here(req))),
    }
}

/// Checks a form's CSRF token against the session's.
pub fn check_csrf(session: &Session, form: &[(String, String)], back: &str) -> Result<(), UiError> {
    let sent = field(form, "csrf").unwrap_or("");
    if sent.is_empty()
        || !crate::api::auth::constant_time_eq(sent.as_bytes(), session.csrf.as_bytes())
    {
        return Err(UiError::Forbidden {
            message: "This form's security token is missing or out of date (it may come from an earlier session or another site). Nothing was changed: open the page again and resubmit.".into(),
            back: back.to_string(),
        });
    }
    Ok(())
}

/// The monitor, or a page saying monitoring is off.
pub fn monitor(state: &AppState) -> Result<std::sync::Arc<crate::monitor::Monitor>, UiError> {
    state.monitor.clone().ok_or_else(|| {
        UiError::Unavailable(
            "Ongoing monitoring is off ([monitor] enabled = false), so there are no customers, alerts or audit trail to show. Screening works.".into(),
        )
    })
}

/// Runs blocking work (database, matcher) off the HTTP workers.
pub async fn blocking<F, R>(f: F) -> Result<R, UiError>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    Ok(crate::api::blocking(f).await?)
}

/// Headers of every console response, and an HTML page for any error the
/// framework produced itself (an unknown method, a form that cannot be read).
async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let mut res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if (status.is_client_error() || status.is_server_error()) && !is_html {
        let detail = res
            .response()
            .error()
            .map(|e| e.to_string())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
        let page = page::error_page(
            status,
            "Cannot do that",
            &detail,
            "/ui/alerts",
            "To the alert queue",
        );
        res = res.into_response(page);
    }
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The server's time for the page (read by benches/console.rs and the
    // browser's Navigation Timing).
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={ms:.1}")) {
        h.insert(header::HeaderName::from_static("server-timing"), v);
    }
    Ok(res)
}

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(CSS)
}

async fn js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .body(JS)
}

async fn home() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/ui/alerts"))
        .finish()
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, UiError> {
    Err(UiError::NotFound(format!(
        "There is no console page at {}.",
        req.path()
    )))
}

/// Mounts the console under `/ui` (called from [`crate::api::app_config`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let form = web::FormConfig::default()
        .limit(2 * 1024 * 1024)
        .error_handler(|e, _| {
            UiError::BadRequest(format!("The form could not be read: {e}")).into()
        });
    let query = web::QueryConfig::default().error_handler(|e, _| {
        UiError::BadRequest(format!("The address could not be read: {e}")).into()
    });
    cfg.service(
        web::scope("/ui")
            .app_data(form)
            .app_data(query)
            .wrap(actix_web::middleware::from_fn(headers))
            .route("", web::get().to(home))
            .route("/", web::get().to(home))
            .route("/assets/console.css", web::get().to(css))
            .route("/assets/console.js", web::get().to(js))
            .route("/sign-in", web::get().to(signin::form))
            .route("/sign-in", web::post().to(signin::submit))
            .route("/sign-out", web::post().to(signin::sign_out))
            .route("/screen", web::get().to(screen::page))
            .route("/alerts", web::get().to(alerts::queue))
            .route("/alerts/{id}", web::get().to(alerts::detail))
            .route("/alerts/{id}/decision", web::post().to(alerts::decide))
            .route("/customers", web::get().to(customers::list))
            .route("/customers/import", web::get().to(customers::import_page))
            .route("/customers/import", web::post().to(customers::import))
            .route("/customers/{id}", web::get().to(customers::detail))
            .route("/lists", web::get().to(lists::page))
            .route("/lists/{list}/changes", web::get().to(lists::changes))
            .route("/audit", web::get().to(audit::page))
            .route("/audit/verify", web::get().to(audit::verify))
            .default_service(web::to(not_found)),
    );
}
