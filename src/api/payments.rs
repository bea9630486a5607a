//! Payment screening over HTTP: `POST /v1/screen/payment` (one raw message,
//! ISO 20022 XML or SWIFT MT text, its standard recognised from the content)
//! and `POST /v1/screen/payments` (many, as NDJSON lines of `{"id",
//! "message"}`). The handlers read the body within the documented limits and
//! call [`crate::payments::screen_message`]; every refusal is a JSON error
//! naming the problem and its place in the message.
//!
//! Bodies are read with [`super::body::read`] (size limit and deadline):
//! one message up to the rules' `limits.max_message_bytes`, NDJSON up to
//! `limits.max_batch_body_bytes`. The hold rules are the built-in ones, or
//! the file named by the environment variable `SCREENER_PAYMENT_RULES`
//! (read once, at the first payment request; a broken file fails every
//! payment request with 500 rather than screening by rules nobody wrote).

use super::body::{self, BodyLimit};
use super::error::ApiError;
use super::error::ErrorBody;
use super::params::Params;
use super::{AppState, blocking};
use crate::payments::{ErrorClass, MessageResult, PaymentError, Rules, screen_message};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// The environment variable naming a payment rules file.
pub const RULES_ENV: &str = "SCREENER_PAYMENT_RULES";

/// The rules in force: built in, or the file `SCREENER_PAYMENT_RULES` names.
fn rules() -> Result<Arc<Rules>, ApiError> {
    static RULES: OnceLock<Result<Arc<Rules>, String>> = OnceLock::new();
    RULES
        .get_or_init(|| match std::env::var_os(RULES_ENV) {
            Some(path) => Rules::load(std::path::Path::new(&path))
                .map(Arc::new)
                .map_err(|e| {
                    tracing::error!(error = %e, "payment rules file is not valid");
                    e.to_string()
                }),
            None => Ok(Arc::new(Rules::builtin())),
        })
        .clone()
        .map_err(|e| {
            ApiError::internal(format!(
                "{e} ({RULES_ENV}); payments are not screened until it is fixed"
            ))
        })
}

/// A refused message as an API error: the class gives the status, the
/// detail names the place.
pub fn payment_error(e: &PaymentError) -> ApiError {
    let status = match e.class {
        ErrorClass::Malformed => StatusCode::BAD_REQUEST,
        ErrorClass::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorClass::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorClass::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    ApiError::new(status, e.code, e.to_string())
}

/// The documented example of an ISO 20022 message.
const PAYMENT_EXAMPLE_XML: &str = concat!(
    "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\"><FIToFICstmrCdtTrf>",
    "<GrpHdr><MsgId>M-1</MsgId><CreDtTm>2026-12-04T09:30:00Z</CreDtTm><NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf></GrpHdr>",
    "<CdtTrfTxInf><PmtId><EndToEndId>E-1</EndToEndId></PmtId><IntrBkSttlmAmt Ccy=\"EUR\">100.00</IntrBkSttlmAmt><ChrgBr>SHAR</ChrgBr>",
    "<Dbtr><Nm>Mueller GmbH</Nm><PstlAdr><Ctry>DE</Ctry></PstlAdr></Dbtr><DbtrAgt><FinInstnId><BICFI>DEUTDEFFXXX</BICFI></FinInstnId></DbtrAgt>",
    "<CdtrAgt><FinInstnId><BICFI>HAVIGB2LXXX</BICFI></FinInstnId></CdtrAgt><Cdtr><Nm>Tavria Agro</Nm><PstlAdr><TwnNm>Simferopol</TwnNm><Ctry>UA</Ctry></PstlAdr></Cdtr>",
    "<RmtInf><Ustrd>Charter hire MV SABITI</Ustrd></RmtInf></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>"
);

/// The documented example of a SWIFT MT message.
const PAYMENT_EXAMPLE_MT: &str = "{1:F01DEUTDEFFAXXX0000000001}{2:I103NWBKGB2LXXXXN}{4:\n:20:REF-1\n:23B:CRED\n:32A:261204EUR100,00\n:50K:/DE89370400440532013000\nMUELLER GMBH\n:59:/GB29NWBK60161331926819\nMAHAN AIR\n:71A:SHA\n-}";

/// The documented example of a batch of messages.
const PAYMENTS_EXAMPLE_NDJSON: &str = "{\"id\": \"p-1\", \"message\": \"{1:F01DEUTDEFFAXXX0000000001}{2:I103NWBKGB2LXXXXN}{4:\\n:20:REF-1\\n:23B:CRED\\n:32A:261204EUR100,00\\n:50K:MUELLER GMBH\\n:59:MAHAN AIR\\n:71A:SHA\\n-}\"}\n";

fn unsupported(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        what.to_string(),
    )
}

/// Screen a payment message
///
/// Screens one raw payment message: ISO 20022 pacs.008, pacs.009 or
/// pain.001 (XML, namespace prefixes and an AppHdr envelope allowed) or
/// SWIFT MT103, MT202 or MT202COV (blocks 1-4, CRLF or LF), the standard
/// recognised from the content. Every party's names go through the matcher
/// (agents as organisations; a party is a person only when the message says
/// so), BICs are matched exactly against the lists (as BIC8 and BIC11), the
/// countries of addresses, IBANs and BICs are checked against the
/// jurisdiction lists (`lists/jurisdictions.toml`), and address lines and
/// free text are scanned for listed names, vessels, IMO numbers and BICs.
/// The answer is `pass` or `hold` for the message and for each transaction,
/// with every hit's role, path in the message, text, listed entity, score,
/// explanation and whether it holds. The hold rules are
/// `src/payments/rules.toml` or the file `SCREENER_PAYMENT_RULES` names.
/// DTDs and entity declarations are refused, never read.
#[utoipa::path(
    post,
    path = "/v1/screen/payment",
    tag = "native",
    request_body(
        content(
            (String = "application/xml", example = json!(PAYMENT_EXAMPLE_XML)),
            (String = "text/plain", example = json!(PAYMENT_EXAMPLE_MT))
        )
    ),
    responses(
        (status = 200, description = "The verdicts and every hit.", body = MessageResult),
        (status = 413, description = "The message is over the rules' `limits.max_message_bytes`, has more than `limits.max_transactions` transactions, a field over `limits.max_field_chars` or too many free-text fields.", body = ErrorBody),
        (status = 422, description = "Not a message type screened here (the detail names it), MT blocks 1, 2 or 4 missing, an unknown MT field tag (with its line), no transaction.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn screen_payment(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    let mime = req.mime_type().ok().flatten();
    let accepted = mime.as_ref().is_some_and(|m| {
        matches!(
            (m.type_().as_str(), m.subtype().as_str()),
            ("application" | "text", "xml") | ("text", "plain")
        ) || m.suffix().is_some_and(|s| s.as_str() == "xml")
    });
    if !accepted {
        return Err(unsupported(
            "send the raw message as Content-Type: application/xml (ISO 20022) or text/plain (SWIFT MT)",
        ));
    }
    let rules = rules()?;
    let limit = BodyLimit {
        max_bytes: rules.limits.max_message_bytes,
        setting: "limits.max_message_bytes of the payment rules",
        ..body::limit_of(&req)?
    };
    let body = body::read(&req, payload.into_inner(), &limit).await?;
    let served = state.served()?;
    let result = blocking(move || screen_message(&served.matcher, &rules, &body))
        .await?
        .map_err(|e| payment_error(&e))?;
    Ok(HttpResponse::Ok().json(result))
}

/// One line of `POST /v1/screen/payments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentLine {
    #[serde(default)]
    id: Option<String>,
    message: String,
}

#[derive(Serialize)]
struct LineError<'a> {
    id: &'a str,
    error: &'a str,
    detail: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineResult<'a> {
    id: &'a str,
    #[serde(flatten)]
    result: &'a MessageResult,
}

/// Screen many payment messages
///
/// NDJSON in, NDJSON out, one output line per non-blank input line, in
/// order: `{"id", "message"}` per line in, the id with the result of
/// `/v1/screen/payment` (or with `error` and `detail`) out. At most
/// `{limits.max_batch}` lines and `{limits.max_batch_body_bytes}` bytes.
#[utoipa::path(
    post,
    path = "/v1/screen/payments",
    tag = "native",
    request_body(
        content((String = "application/x-ndjson", example = json!(PAYMENTS_EXAMPLE_NDJSON)))
    ),
    responses(
        (status = 200, description = "One line per message: `{id, ...MessageResult}` or `{id, error, detail}`.", content((String = "application/x-ndjson"))),
        (status = 429, description = "`limits.max_concurrent_batches` batch jobs are already running.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn screen_payments(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    let ndjson = req.mime_type().ok().flatten().is_some_and(|m| {
        m.type_() == "application"
            && matches!(
                m.subtype().as_str(),
                "x-ndjson" | "ndjson" | "jsonl" | "x-jsonlines" | "jsonlines"
            )
    });
    if !ndjson {
        return Err(unsupported(
            "send one {\"id\", \"message\"} object per line as Content-Type: application/x-ndjson",
        ));
    }
    let rules = rules()?;
    let limits = state.config.limits.clone();
    let served = state.served()?;
    let body = body::read(&req, payload.into_inner(), &body::limit_of(&req)?).await?;
    // The slot is taken once the body is here: a slow sender holds none.
    let permit = state.batch_slot()?;
    let text = String::from_utf8(body.to_vec()).map_err(|e| {
        ApiError::bad_request(
            "invalid_utf8",
            format!(
                "the body is not UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect();
    if lines.len() > limits.max_batch {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!(
                "the body has {} messages; the limit is {} (limits.max_batch)",
                lines.len(),
                limits.max_batch
            ),
        ));
    }
    drop(text);
    let worker = Arc::clone(&served);
    let out = blocking(move || {
        use rayon::prelude::*;
        let results: Vec<Vec<u8>> = lines
            .par_iter()
            .map(|(n, line)| {
                let mut out = match crate::json::from_str::<PaymentLine>(line) {
                    Err(e) => line_json(&LineError {
                        id: &n.to_string(),
                        error: "invalid_line",
                        detail: &format!("line {n} is not a {{\"id\", \"message\"}} object: {e}"),
                    }),
                    Ok(p) => {
                        let id = p.id.unwrap_or_else(|| n.to_string());
                        match screen_message(&worker.matcher, &rules, p.message.as_bytes()) {
                            Ok(result) => line_json(&LineResult {
                                id: &id,
                                result: &result,
                            }),
                            Err(e) => line_json(&LineError {
                                id: &id,
                                error: e.code,
                                detail: &e.to_string(),
                            }),
                        }
                    }
                };
                out.push(b'\n');
                out
            })
            .collect();
        results.concat()
    })
    .await?;
    drop(permit);
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .body(out))
}

fn line_json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_else(|_| b"{\"error\":\"internal_error\"}".to_vec())
}
