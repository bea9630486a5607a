//! Why a message cannot be screened: a stable code, the HTTP status class it
//! maps to, a sentence naming the problem and its place in the message.

use std::fmt;

/// How a refusal maps onto HTTP (the CLI prints the same line either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// 400: not readable at all (not well-formed XML, not UTF-8, a DTD).
    Malformed,
    /// 413: over a documented limit (size, transactions, fields).
    TooLarge,
    /// 422: readable, but not a message this screener can screen (unknown
    /// type, missing MT blocks, unknown field tags).
    Unprocessable,
    /// 503: the message is fine but cannot be screened now (the lists the
    /// rules name are not loaded, the index failed).
    Unavailable,
}

/// A message refused before screening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentError {
    pub class: ErrorClass,
    /// Stable, machine-readable (`invalid_xml`, `doctype_not_allowed`, …).
    pub code: &'static str,
    /// Where in the message: `line 12`, an XPath, `block 4, line 7`.
    pub place: Option<String>,
    pub detail: String,
}

impl PaymentError {
    pub fn new(class: ErrorClass, code: &'static str, detail: impl Into<String>) -> PaymentError {
        PaymentError {
            class,
            code,
            place: None,
            detail: detail.into(),
        }
    }

    pub fn malformed(code: &'static str, detail: impl Into<String>) -> PaymentError {
        PaymentError::new(ErrorClass::Malformed, code, detail)
    }

    pub fn too_large(code: &'static str, detail: impl Into<String>) -> PaymentError {
        PaymentError::new(ErrorClass::TooLarge, code, detail)
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> PaymentError {
        PaymentError::new(ErrorClass::Unprocessable, code, detail)
    }

    /// The same error at a place in the message.
    pub fn at(mut self, place: impl Into<String>) -> PaymentError {
        self.place = Some(place.into());
        self
    }
}

impl fmt::Display for PaymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Some(p) => write!(f, "{} at {p}", self.detail),
            None => f.write_str(&self.detail),
        }
    }
}

impl std::error::Error for PaymentError {}
