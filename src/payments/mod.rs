//! Payment screening: a whole payment message in, a pass/hold verdict out,
//! for the message and for each of its transactions, with every hit's role,
//! place in the message, text, matched listing, score and explanation.
//!
//! The stages, one module each:
//! - [`iso20022`] and [`mt`]: the parsers (ISO 20022 `pacs.008`, `pacs.009`,
//!   `pain.001`; SWIFT MT103, MT202, MT202COV) into the [`model`]: parties
//!   with their roles and paths, free-text fields;
//! - [`codes`]: BIC, IBAN, country code and IMO number checks;
//! - [`lookups`] and [`freetext`]: exact BIC and IMO tables and the phrase
//!   scan of free text, per index;
//! - [`screen`]: the checks, the matcher calls and the verdict;
//! - [`rules`]: what holds (`rules.toml`, overridable), and the limits.
//!
//! [`screen_message`] is what the API, the CLI and the benchmark call.

pub mod codes;
pub mod error;
pub mod freetext;
pub mod iso20022;
pub mod lookups;
pub mod model;
pub mod mt;
pub mod rules;
pub mod screen;

pub use error::{ErrorClass, PaymentError};
pub use model::{Format, Message, Role};
pub use rules::{Limits, Rules};
pub use screen::{Hit, HitKind, MessageResult, PaymentScreener, Verdict};

use crate::matching::Matcher;

/// Reads a message, recognising its standard from its content: XML is ISO
/// 20022, `{1:` starts a SWIFT MT message. Refused: a message over
/// `limits.max_message_bytes`, text that is not UTF-8, and anything else.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<Message, PaymentError> {
    if raw.len() > limits.max_message_bytes {
        return Err(PaymentError::too_large(
            "message_too_large",
            format!(
                "the message is {} bytes; the limit is {} bytes (limits.max_message_bytes)",
                raw.len(),
                limits.max_message_bytes
            ),
        ));
    }
    let raw = raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw);
    let text = std::str::from_utf8(raw).map_err(|e| {
        PaymentError::malformed(
            "not_utf8",
            "the message is not UTF-8 text (ISO 20022 messages are UTF-8; MT messages are ASCII)",
        )
        .at(format!(
            "line {} (byte {})",
            crate::parse::line_of_offset(raw, e.valid_up_to() as u64),
            e.valid_up_to()
        ))
    })?;
    let start = text.trim_start();
    if start.is_empty() {
        return Err(PaymentError::malformed(
            "empty_message",
            "the message is empty",
        ));
    }
    if start.starts_with('<') {
        return iso20022::parse(text, limits);
    }
    if start.starts_with('{') {
        return mt::parse(text, limits);
    }
    if start.starts_with(':') {
        return Err(PaymentError::unprocessable(
            "mt_missing_block",
            "the text starts with a field (:20:…) but an MT message needs blocks 1, 2 and 4 ({1:…}{2:…}{4:…-})",
        )
        .at("line 1"));
    }
    Err(PaymentError::unprocessable(
        "unknown_message_type",
        "the message is neither an ISO 20022 XML document (pacs.008, pacs.009, pain.001) nor a SWIFT MT message (MT103, MT202, MT202COV)",
    )
    .at("line 1"))
}

/// Parses and screens one message with the matcher's index and the rules.
pub fn screen_message(
    matcher: &Matcher,
    rules: &Rules,
    raw: &[u8],
) -> Result<MessageResult, PaymentError> {
    let message = parse(raw, &rules.limits)?;
    PaymentScreener::new(matcher, rules)?.screen(&message)
}
