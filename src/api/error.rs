//! Every error the API returns, as `{"error": "<code>", "detail": "<what
//! exactly>"}` with a fitting 4xx/5xx status: handler errors, query errors
//! from the matcher, and the extractor errors actix-web would otherwise answer
//! in plain text (JSON body, path, query string).

use crate::matching::{QueryError, ScreenError};
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

/// An API error: status, a stable machine-readable code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
}

/// The JSON body of every error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    /// A stable code: invalid_json, name_too_long, list_not_loaded, not_ready, …
    pub error: &'a str,
    /// What exactly is wrong, naming the field, parameter or limit.
    pub detail: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            detail: detail.into(),
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn not_found(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, detail)
    }

    pub fn too_large(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code, detail)
    }

    /// 503: no index is served yet; `why` comes from the service.
    pub fn not_ready(why: &str) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("{why} (see /readyz and /v1/lists)"),
        )
    }

    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", detail)
    }

    /// The JSON response for this error.
    pub fn to_response(&self) -> HttpResponse {
        error_response(self.status, self.code, &self.detail)
    }
}

/// A JSON error response.
pub fn error_response(status: StatusCode, code: &str, detail: &str) -> HttpResponse {
    let mut res = HttpResponse::build(status).json(ErrorBody {
        error: code,
        detail,
    });
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            actix_web::http::header::WWW_AUTHENTICATE,
            actix_web::http::header::HeaderValue::from_static("Bearer"),
        );
    }
    res
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        self.to_response()
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        let code = match &e {
            QueryError::EmptyName => "empty_name",
            QueryError::NoLetters => "invalid_name",
            QueryError::NameTooLong(_) => "name_too_long",
            QueryError::FieldTooLong { .. } => "field_too_long",
            QueryError::UnknownSchema(_) => "unknown_schema",
            QueryError::InvalidListId(_) => "invalid_list_id",
            QueryError::UnknownTopic(_) => "unknown_topic",
            QueryError::ListNotLoaded { .. } => "list_not_loaded",
            QueryError::NoListToSearch(_) => "no_list_to_search",
            QueryError::NoNameTokens => "invalid_name",
            QueryError::NoIdentifier => "invalid_identifier",
            QueryError::BadThreshold(_) => "invalid_threshold",
            QueryError::BadLimit(0) => "invalid_limit",
            QueryError::BadLimit(_) => "limit_too_large",
            QueryError::TooMany { .. } => "too_many_values",
        };
        ApiError::unprocessable(code, e.to_string())
    }
}

impl From<ScreenError> for ApiError {
    fn from(e: ScreenError) -> ApiError {
        match e {
            ScreenError::Query(q) => q.into(),
            ScreenError::Index(i) => {
                tracing::error!(error = %i, "search index error");
                ApiError::internal("the search index failed; the error is logged")
            }
        }
    }
}

/// Maps a JSON body error (size, content type, syntax, shape) to an [`ApiError`].
pub fn json_error(err: &JsonPayloadError, limit: usize) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { length, limit } => ApiError::too_large(
            "body_too_large",
            format!("the request body is {length} bytes; the limit is {limit} bytes"),
        ),
        JsonPayloadError::Overflow { limit } => ApiError::too_large(
            "body_too_large",
            format!("the request body is larger than the limit of {limit} bytes"),
        ),
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        ),
        JsonPayloadError::Deserialize(e) => serde_error(e),
        JsonPayloadError::Payload(p) => payload_error(p, limit),
        JsonPayloadError::Serialize(e) => {
            ApiError::internal(format!("response could not be written: {e}"))
        }
        other => ApiError::bad_request("invalid_body", other.to_string()),
    }
}

/// A serde_json error: syntax → 400 `invalid_json`, shape → 422 `invalid_request`.
pub fn serde_error(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let msg = e.to_string();
    match e.classify() {
        Category::Data if msg.starts_with(crate::matching::query::BLANK_NAME) => {
            ApiError::unprocessable("empty_name", msg)
        }
        Category::Data => ApiError::unprocessable("invalid_request", msg),
        Category::Eof => ApiError::bad_request(
            "invalid_json",
            format!("the JSON body ends too early: {msg}"),
        ),
        Category::Syntax
            if msg.contains("unicode") || msg.contains("surrogate") || msg.contains("UTF-8") =>
        {
            ApiError::bad_request(
                "invalid_utf8",
                format!("the body is not valid UTF-8 JSON text: {msg}"),
            )
        }
        Category::Syntax | Category::Io => ApiError::bad_request("invalid_json", msg),
    }
}

/// A body stream error.
pub fn payload_error(p: &PayloadError, limit: usize) -> ApiError {
    match p {
        PayloadError::Overflow => ApiError::too_large(
            "body_too_large",
            format!("the request body is larger than the limit of {limit} bytes"),
        ),
        other => ApiError::bad_request(
            "invalid_body",
            format!("the request body could not be read: {other}"),
        ),
    }
}

/// Error handler for `web::JsonConfig`.
pub fn json_config_handler(
    limit: usize,
) -> impl Fn(JsonPayloadError, &HttpRequest) -> actix_web::Error + Send + Sync + 'static {
    move |err, _req| json_error(&err, limit).into()
}

/// Error handler for `web::PathConfig`.
pub fn path_config_handler(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(
        "invalid_path",
        format!("a path segment is not valid: {err}"),
    )
    .into()
}

/// Error handler for `web::QueryConfig`.
pub fn query_config_handler(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let detail = match &err {
        QueryPayloadError::Deserialize(e) => format!("the query string is not valid: {e}"),
        other => format!("the query string is not valid: {other}"),
    };
    ApiError::bad_request("invalid_query_parameter", detail).into()
}

/// The answer to a method a route does not take: a JSON 405 with `Allow`.
pub fn method_not_allowed(req: &HttpRequest, allow: &str) -> HttpResponse {
    let path: String = req.path().chars().take(200).collect();
    let mut res = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        &format!(
            "{} is not allowed on {path}; allowed: {allow}",
            req.method()
        ),
    );
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    res
}

/// The error code a bare status gets when no handler produced a JSON body.
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        411 => "length_required",
        413 => "body_too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        422 => "invalid_request",
        429 => "too_many_requests",
        431 => "headers_too_large",
        503 => "unavailable",
        s if s >= 500 => "internal_error",
        _ => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_errors_are_classified() {
        let e = serde_json::from_str::<serde_json::Value>("{\"a\": ").unwrap_err();
        assert_eq!(serde_error(&e).code, "invalid_json");
        let e = serde_json::from_str::<serde_json::Value>("{a}").unwrap_err();
        assert_eq!(serde_error(&e).status, StatusCode::BAD_REQUEST);
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            name: String,
        }
        let e = serde_json::from_str::<T>("{\"name\": 5}").unwrap_err();
        let a = serde_error(&e);
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.detail.contains("invalid type"), "{}", a.detail);
        let e = serde_json::from_slice::<T>(b"{\"name\": \"\xff\xfe\"}").unwrap_err();
        assert_eq!(serde_error(&e).code, "invalid_utf8");
    }

    #[test]
    fn query_errors_map_to_422_with_codes() {
        let a: ApiError = QueryError::NameTooLong(10_000).into();
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(a.code, "name_too_long");
        assert!(a.detail.contains("10000"));
    }
}
