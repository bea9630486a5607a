//! Reading request bodies, the one way every handler does it: a size limit
//! (413, before reading when `Content-Length` says so), a read deadline
//! (408: a body that trickles in holds no worker and no batch slot past
//! it), a JSON content type (415) and strict JSON (a repeated key is a 422,
//! never a silent "last one wins").

use super::error::{ApiError, payload_error, serde_error};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::mime;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The bounds on one route's body: registered as app data, overridden per
/// route (batches take more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit {
    pub max_bytes: usize,
    /// The whole body must have arrived within this time.
    pub deadline: Duration,
    /// The configuration key of `max_bytes`, for error messages.
    pub setting: &'static str,
}

/// 408 for a body that did not arrive in time.
pub fn timed_out(deadline: Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "body_timeout",
        format!(
            "the request body did not arrive within {} s (limits.body_timeout_secs)",
            deadline.as_secs()
        ),
    )
}

fn too_large(limit: &BodyLimit, announced: Option<u64>) -> ApiError {
    let max = limit.max_bytes;
    let setting = limit.setting;
    ApiError::too_large(
        "body_too_large",
        match announced {
            Some(n) => {
                format!("the request body is {n} bytes; the limit is {max} bytes ({setting})")
            }
            None => format!("the request body is larger than the limit of {max} bytes ({setting})"),
        },
    )
}

/// Reads a whole body within the limit and the deadline. Compressed bodies
/// (`Content-Encoding`) are decompressed, and the limit applies to what they
/// decompress to.
pub async fn read(
    req: &HttpRequest,
    payload: Payload,
    limit: &BodyLimit,
) -> Result<Bytes, ApiError> {
    if let Some(len) = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        && len > limit.max_bytes as u64
    {
        return Err(too_large(limit, Some(len)));
    }
    let mut payload = actix_web::dev::Decompress::from_headers(payload, req.headers());
    let deadline = tokio::time::Instant::now() + limit.deadline;
    let mut body = actix_web::web::BytesMut::new();
    loop {
        let next = tokio::time::timeout_at(deadline, payload.next())
            .await
            .map_err(|_| timed_out(limit.deadline))?;
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| payload_error(&e, limit.max_bytes))?;
        if body.len() + chunk.len() > limit.max_bytes {
            return Err(too_large(limit, None));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The route's body limit (the app-wide one unless the route sets its own).
pub fn limit_of(req: &HttpRequest) -> Result<BodyLimit, ApiError> {
    req.app_data::<BodyLimit>()
        .copied()
        .ok_or_else(|| ApiError::internal("no body limit configured"))
}

/// Fails unless the body is declared as JSON (`application/json` or
/// `*/*+json`) or its type is not declared at all: some yente clients (Go's
/// `http.NewRequest` with a buffer, as Marble sends `/match`) send JSON with
/// no `Content-Type`, and yente reads it as JSON. A body declared as
/// anything else is 415.
pub fn require_json(req: &HttpRequest) -> Result<(), ApiError> {
    let is_json = match req.mime_type() {
        Ok(None) => !req
            .headers()
            .contains_key(actix_web::http::header::CONTENT_TYPE),
        Ok(Some(m)) => m.subtype() == mime::JSON || m.suffix().is_some_and(|s| s == mime::JSON),
        Err(_) => false,
    };
    if is_json {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        ))
    }
}

/// A JSON request body, read with [`read`] and parsed with
/// [`crate::json::from_slice`] (repeated keys refused).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Json<T>, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            require_json(&req)?;
            let limit = limit_of(&req)?;
            let bytes = read(&req, payload, &limit).await?;
            crate::json::from_slice::<T>(&bytes)
                .map(Json)
                .map_err(|e| serde_error(&e))
        })
    }
}
