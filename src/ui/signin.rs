//! Signing in and out. An analyst signs in with an API key the API accepts
//! (or the admin token); the session records the key's configured name, and
//! that name goes on every decision. The sign-in form has no session yet, so
//! its CSRF check is a double submit: a random token in a cookie and the
//! same token in the form. With no API key and no admin token configured
//! nobody can be told apart, so the console is closed: every page, this one
//! included, is a 503 saying how to configure keys ([`open_for_sign_in`]).

use super::page;
use super::session::{COOKIE, SIGN_IN_COOKIE, random_token};
use super::{FormFields, UiError, field};
use crate::api::{Access, AppState};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;

/// The sign-in page that comes back to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    format!("/ui/sign-in?{}", page::query(&[("next", next)]))
}

/// Where to go after sign-in: a console path, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/ui/") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/ui/alerts".to_string(),
    }
}

fn cookie<'a>(req: &HttpRequest, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/ui")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .finish()
}

fn form_page(
    req: &HttpRequest,
    status: StatusCode,
    next: &str,
    message: Option<&str>,
) -> Result<HttpResponse, UiError> {
    let token = random_token().map_err(UiError::Internal)?;
    let body = html! {
        @if let Some(m) = message {
            p.error role="alert" { (m) }
        }
        form.signin method="post" action="/ui/sign-in" {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="next" value=(next);
            label for="key" { "API key" }
            input #key type="password" name="key" autocomplete="current-password" required autofocus;
            p.hint { "Your decisions are recorded under the name configured for this key." }
            button type="submit" { "Sign in" }
        }
    };
    let mut res = page::bare(status, "Sign in", body);
    res.add_cookie(&cookie(req, SIGN_IN_COOKIE, token))
        .map_err(|e| UiError::Internal(e.to_string()))?;
    Ok(res)
}

/// The console serves only when some credential can sign in (named API
/// keys or the admin token); otherwise [`UiError::Closed`].
pub fn open_for_sign_in(state: &AppState) -> Result<(), UiError> {
    if state.auth.keys_required() || state.config.admin_token.is_some() {
        Ok(())
    } else {
        Err(UiError::Closed)
    }
}

/// `GET /ui/sign-in?next=`.
pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, UiError> {
    open_for_sign_in(&state)?;
    let next = safe_next(field(&query, "next"));
    form_page(&req, StatusCode::OK, &next, None)
}

/// `POST /ui/sign-in`: checks the key, starts a session, goes to `next`.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: FormFields,
) -> Result<HttpResponse, UiError> {
    open_for_sign_in(&state)?;
    let next = safe_next(field(&form, "next"));
    let sent = field(&form, "csrf").unwrap_or("");
    let expected = req.cookie(SIGN_IN_COOKIE);
    let csrf_ok = !sent.is_empty()
        && expected.as_ref().is_some_and(|c| {
            crate::api::auth::constant_time_eq(c.value().as_bytes(), sent.as_bytes())
        });
    if !csrf_ok {
        return Err(UiError::Forbidden {
            message: "The sign-in form's security token is missing or out of date. Nothing was sent: open the sign-in page again.".into(),
            back: sign_in_url(&next),
        });
    }
    let key = field(&form, "key").unwrap_or("").trim();
    let principal = match state.auth.authorize(Access::Api, Some(key)) {
        // An open API takes any key as "anonymous": not a name to decide under.
        Ok(p) if !key.is_empty() && (state.auth.keys_required() || p.admin) => p,
        _ => {
            return form_page(
                &req,
                StatusCode::UNAUTHORIZED,
                &next,
                Some("That key is not valid. Use an API key configured for this server."),
            );
        }
    };
    let (id, _) = state
        .console
        .start(&principal.name, principal.admin)
        .map_err(UiError::Internal)?;
    tracing::info!(target: "screener::access", analyst = %principal.name, "console sign-in");
    let mut res = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, next))
        .finish();
    res.add_cookie(&cookie(&req, COOKIE, id))
        .map_err(|e| UiError::Internal(e.to_string()))?;
    res.add_removal_cookie(&cookie(&req, SIGN_IN_COOKIE, String::new()))
        .map_err(|e| UiError::Internal(e.to_string()))?;
    Ok(res)
}

/// `POST /ui/sign-out`.
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: FormFields,
) -> Result<HttpResponse, UiError> {
    let (id, session) = super::session(&state, &req)?;
    super::check_csrf(&session, &form, "/ui/alerts")?;
    state.console.end(&id);
    let mut res = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/ui/sign-in"))
        .finish();
    res.add_removal_cookie(&cookie(&req, COOKIE, String::new()))
        .map_err(|e| UiError::Internal(e.to_string()))?;
    Ok(res)
}
