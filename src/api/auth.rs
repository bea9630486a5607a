//! Who may call what. Every route is registered with its [`Access`] level
//! (see `api::mod`'s route table), and the check runs as that route's own
//! middleware: it is decided on the route the router matched, after the path
//! was percent-decoded, never on the raw request path. A request that matches
//! no route reaches no handler at all.
//!
//! Credentials are `Authorization: Bearer <secret>`, or the forms yente and
//! OpenSanctions clients send: the `ApiKey <secret>` scheme, HTTP Basic with
//! the secret as the password (or as the user name when the password is
//! empty), and an `api_key` query parameter (only when no `Authorization`
//! header is sent; the access log records paths without their query, so the
//! secret is not written there). API keys carry a name (who is calling,
//! recorded as the [`Principal`] in the request's extensions for handlers
//! and the access log); the admin token is separate and only it opens admin
//! routes: an API key never does. Secrets are kept only as SHA-256 digests, a
//! presented token is hashed the same way, and digests are compared byte by
//! byte without an early exit against every configured key, so the time taken
//! does not depend on how much of a key a caller guessed right, nor on its
//! length.

use super::config::{ApiKey, Secret};
use super::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use sha2::{Digest, Sha256};

type Hash = [u8; 32];

fn digest(s: &[u8]) -> Hash {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Sha256::digest(s));
    out
}

/// Equality of two digests in constant time.
fn digest_eq(a: &Hash, b: &Hash) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    // Keep the optimiser from turning the loop into an early-exit compare.
    std::hint::black_box(diff) == 0
}

/// Equality of two secrets in time independent of their content and length.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    digest_eq(&digest(a), &digest(b))
}

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: health, readiness, metrics, documentation.
    Public,
    /// An API key (or the admin token) when keys are configured; open otherwise.
    Api,
    /// The admin token, always; refused when none is configured.
    Admin,
}

/// The caller of a request, as its credential says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The API key's configured name, `admin` for the admin token, or
    /// `anonymous` when the API is open and no credential was sent.
    pub name: String,
    pub admin: bool,
}

impl Principal {
    fn anonymous() -> Principal {
        Principal {
            name: "anonymous".into(),
            admin: false,
        }
    }

    fn admin() -> Principal {
        Principal {
            name: "admin".into(),
            admin: true,
        }
    }
}

/// The configured credentials.
#[derive(Clone, Default)]
pub struct Auth {
    keys: Vec<(String, Hash)>,
    admin: Option<Hash>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("api_keys", &self.keys.len())
            .field("admin_token", &self.admin.is_some())
            .finish()
    }
}

/// The token of an `Authorization: Bearer <token>` header value. The
/// `ApiKey <token>` scheme that clients of the OpenSanctions API send is
/// accepted too, so they work unchanged.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    let scheme_ok = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("apikey");
    (scheme_ok && !token.is_empty()).then_some(token)
}

/// The secret of an `Authorization: Basic` value: the password, or the user
/// name when the password is empty (clients differ in where they put an API
/// key).
fn basic_token(header: &str) -> Option<String> {
    use base64::Engine;
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':').unwrap_or((text.as_str(), ""));
    let token = if password.is_empty() { user } else { password };
    (!token.is_empty()).then(|| token.to_string())
}

/// The query parameter that carries an API key, as yente clients send it.
pub const API_KEY_PARAM: &str = "api_key";

/// The secret a request presents: from its `Authorization` header (Bearer,
/// ApiKey or Basic), or else from the `api_key` query parameter.
pub fn presented_token(header: Option<&str>, query: &str) -> Option<String> {
    if let Some(h) = header {
        return bearer_token(h)
            .map(str::to_string)
            .or_else(|| basic_token(h));
    }
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == API_KEY_PARAM)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn unauthorized(detail: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
}

impl Auth {
    pub fn new(keys: &[ApiKey], admin: Option<&Secret>) -> Auth {
        Auth {
            keys: keys
                .iter()
                .map(|k| (k.name.clone(), digest(k.key.expose().as_bytes())))
                .collect(),
            admin: admin.map(|t| digest(t.expose().as_bytes())),
        }
    }

    /// True when API keys are required.
    pub fn keys_required(&self) -> bool {
        !self.keys.is_empty()
    }

    /// The name of the key this token is, checking every key.
    fn key_name(&self, token: &str) -> Option<&str> {
        let d = digest(token.as_bytes());
        let mut found = None;
        for (name, k) in &self.keys {
            if digest_eq(k, &d) {
                found = Some(name.as_str());
            }
        }
        found
    }

    /// Whether `token` is the admin token (false when none is configured).
    pub fn is_admin(&self, token: &str) -> bool {
        !token.is_empty() && self.is_admin_token(token)
    }

    fn is_admin_token(&self, token: &str) -> bool {
        self.admin
            .as_ref()
            .is_some_and(|a| digest_eq(a, &digest(token.as_bytes())))
    }

    /// Decides a request to a route of the given access level from the
    /// secret it presents ([`presented_token`]): the caller, or the error to
    /// answer.
    pub fn authorize(&self, access: Access, token: Option<&str>) -> Result<Principal, ApiError> {
        let token = token.filter(|t| !t.is_empty());
        match access {
            Access::Public => Ok(Principal::anonymous()),
            Access::Api => {
                if let Some(t) = token {
                    if self.is_admin_token(t) {
                        return Ok(Principal::admin());
                    }
                    if let Some(name) = self.key_name(t) {
                        return Ok(Principal {
                            name: name.to_string(),
                            admin: false,
                        });
                    }
                }
                if !self.keys_required() {
                    return Ok(Principal::anonymous());
                }
                Err(unauthorized(match token {
                    None => "an API key is required: send Authorization: Bearer <key>",
                    Some(_) => "the API key is not valid",
                }))
            }
            Access::Admin => {
                if self.admin.is_none() {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "admin_disabled",
                        "admin routes are off: no admin token is configured (SCREENER_ADMIN_TOKEN)",
                    ));
                }
                match token {
                    None => Err(unauthorized(
                        "the admin token is required: send Authorization: Bearer <token>",
                    )),
                    Some(t) if self.is_admin_token(t) => Ok(Principal::admin()),
                    Some(_) => Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "forbidden",
                        "this route needs the admin token; the credential sent is not it",
                    )),
                }
            }
        }
    }
}

/// The route middleware: checks the caller against the route's access level
/// and records the [`Principal`] in the request's extensions. Installed per
/// route by the route table, so it only ever runs on a matched route.
pub async fn guard(
    access: Access,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<super::AppState>>().cloned() else {
        return Ok(req.into_response(ApiError::internal("application state missing").to_response()));
    };
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = presented_token(header, req.query_string());
    match state.auth.authorize(access, token.as_deref()) {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Err(e) => Ok(req.into_response(e.to_response())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_is_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer   abc "), Some("abc"));
        assert_eq!(bearer_token("ApiKey abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
    }

    #[test]
    fn presented_tokens() {
        // "client:key-0123" and ":key-0123" and "key-0123:" in base64.
        let basic = |s: &str| {
            use base64::Engine;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s)
            )
        };
        for header in [
            "Bearer key-0123".to_string(),
            "ApiKey key-0123".to_string(),
            basic("client:key-0123"),
            basic(":key-0123"),
            basic("key-0123:"),
            basic("key-0123"),
        ] {
            assert_eq!(
                presented_token(Some(&header), "").as_deref(),
                Some("key-0123"),
                "{header}"
            );
        }
        assert_eq!(presented_token(Some("Basic !!!"), ""), None);
        assert_eq!(presented_token(Some(&basic(":")), ""), None);
        assert_eq!(
            presented_token(None, "limit=5&api_key=key%2D0123").as_deref(),
            Some("key-0123")
        );
        assert_eq!(presented_token(None, "api_key="), None);
        // A header wins over the query, so a bad header is never rescued.
        assert_eq!(presented_token(Some("Digest x"), "api_key=key-0123"), None);
    }

    #[test]
    fn api_keys_and_admin_token() {
        use Access::*;
        let open = Auth::new(&[], None);
        assert_eq!(open.authorize(Api, None).expect("open").name, "anonymous");
        assert_eq!(
            open.authorize(Admin, Some("x")).unwrap_err().code,
            "admin_disabled"
        );

        let auth = Auth::new(
            &[
                ApiKey::new("crm", "key-one-0123456789"),
                ApiKey::new("batch", "key-two-0123456789"),
            ],
            Some(&Secret::new("admin-0123456789abc")),
        );
        let p = auth
            .authorize(Api, Some("key-two-0123456789"))
            .expect("key");
        assert_eq!((p.name.as_str(), p.admin), ("batch", false));
        let p = auth
            .authorize(Api, Some("admin-0123456789abc"))
            .expect("admin works as a key");
        assert!(p.admin);
        let e = auth.authorize(Api, Some("key-three")).unwrap_err();
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            auth.authorize(Api, None).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        assert!(auth.authorize(Public, None).is_ok());
        assert!(
            auth.authorize(Admin, Some("admin-0123456789abc"))
                .expect("admin")
                .admin
        );
        // An API key never opens an admin route.
        for key in ["key-one-0123456789", "key-two-0123456789"] {
            let e = auth.authorize(Admin, Some(key)).unwrap_err();
            assert_eq!(e.status, StatusCode::FORBIDDEN);
        }
        assert_eq!(
            auth.authorize(Admin, None).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        assert!(!format!("{auth:?}").contains("key-one"));
    }
}
