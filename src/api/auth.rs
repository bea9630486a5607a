//! API keys and the admin token: `Authorization: Bearer <secret>`, checked
//! in constant time. Secrets are kept only as SHA-256 digests, a presented
//! token is hashed the same way, and digests are compared byte by byte without
//! an early exit against every configured key, so the time taken does not
//! depend on how much of a key a caller guessed right, nor on its length.

use super::config::Secret;
use super::error::ApiError;
use actix_web::http::StatusCode;
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

/// The configured credentials.
#[derive(Clone, Default)]
pub struct Auth {
    keys: Vec<Hash>,
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

impl Auth {
    pub fn new(keys: &[Secret], admin: Option<&Secret>) -> Auth {
        Auth {
            keys: keys.iter().map(|k| digest(k.expose().as_bytes())).collect(),
            admin: admin.map(|t| digest(t.expose().as_bytes())),
        }
    }

    /// True when API keys are required.
    pub fn keys_required(&self) -> bool {
        !self.keys.is_empty()
    }

    fn matches_any(&self, token: &str) -> bool {
        let d = digest(token.as_bytes());
        let mut found = false;
        for k in &self.keys {
            found |= digest_eq(k, &d);
        }
        found
    }

    fn matches_admin(&self, token: &str) -> bool {
        self.admin
            .as_ref()
            .is_some_and(|a| digest_eq(a, &digest(token.as_bytes())))
    }

    /// Checks an API request's `Authorization` header. The admin token is
    /// accepted too, so an operator can use the API with it.
    pub fn check_api(&self, header: Option<&str>) -> Result<(), ApiError> {
        if self.keys.is_empty() {
            return Ok(());
        }
        let Some(token) = header.and_then(bearer_token) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "an API key is required: send Authorization: Bearer <key>",
            ));
        };
        let key_ok = self.matches_any(token);
        let admin_ok = self.matches_admin(token);
        if key_ok || admin_ok {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the API key is not valid",
            ))
        }
    }

    /// Checks an admin request's `Authorization` header.
    pub fn check_admin(&self, header: Option<&str>) -> Result<(), ApiError> {
        if self.admin.is_none() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "admin_disabled",
                "admin routes are off: no admin token is configured (SCREENER_ADMIN_TOKEN)",
            ));
        }
        let Some(token) = header.and_then(bearer_token) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the admin token is required: send Authorization: Bearer <token>",
            ));
        };
        if self.matches_admin(token) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "the admin token is not valid",
            ))
        }
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
    fn api_keys_and_admin_token() {
        let open = Auth::new(&[], None);
        assert!(open.check_api(None).is_ok());
        assert_eq!(
            open.check_admin(Some("Bearer x")).unwrap_err().code,
            "admin_disabled"
        );

        let auth = Auth::new(
            &[
                Secret::new("key-one-0123456789"),
                Secret::new("key-two-0123456789"),
            ],
            Some(&Secret::new("admin-0123456789abc")),
        );
        assert!(auth.check_api(Some("Bearer key-two-0123456789")).is_ok());
        assert!(auth.check_api(Some("Bearer admin-0123456789abc")).is_ok());
        let e = auth.check_api(Some("Bearer key-three")).unwrap_err();
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            auth.check_api(None).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        assert!(auth.check_admin(Some("Bearer admin-0123456789abc")).is_ok());
        assert_eq!(
            auth.check_admin(Some("Bearer key-one-0123456789"))
                .unwrap_err()
                .status,
            StatusCode::FORBIDDEN
        );
        assert!(!format!("{auth:?}").contains("key-one"));
    }
}
