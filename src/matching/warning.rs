//! Warnings about a query. A secondary field that cannot be read (a birth
//! date that is not a date, a country that is not a country, an identifier
//! too short or too long to be one) is left out of scoring and named in a
//! warning on the result: the name is still screened, and the caller sees
//! what was not used. A field read in a way the caller should know about (a
//! date that reads two ways, a name cut to the parts compared) warns too.
//! Every caller (CLI batch, `/v1`, yente `/match`) gets the same warnings,
//! made here.

use serde::Serialize;

/// Longest value quoted back in a warning, in characters.
const MAX_QUOTED_CHARS: usize = 100;

/// One query field left out of scoring, or read in a way worth knowing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Warning {
    /// The query field: `birthDate`, `countries`, `identifiers` or `name`
    /// (prefixed `a.` or `b.` in a comparison of two records).
    pub field: String,
    /// The value as given (the first 100 characters).
    pub value: String,
    /// What is wrong with it and what was done.
    pub message: String,
}

impl Warning {
    pub fn new(field: &str, value: &str, message: impl Into<String>) -> Warning {
        let value = match value.char_indices().nth(MAX_QUOTED_CHARS) {
            Some((at, _)) => format!("{}…", &value[..at]),
            None => value.to_string(),
        };
        Warning {
            field: field.to_string(),
            value,
            message: message.into(),
        }
    }
}
