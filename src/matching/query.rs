//! What a caller asks the screener: one party to screen, and the bounds on
//! the work a query may cause.

use crate::model::Schema;
use serde::{Deserialize, Serialize};

/// Largest name accepted, in characters. Longer names are refused with a
/// clear error rather than silently truncated: a name this long is not a
/// person's or company's name.
pub const MAX_NAME_CHARS: usize = 1000;
/// At most this many identifiers and countries are considered per query.
pub const MAX_ATTRIBUTES: usize = 32;
/// Longest caller reference (`id`), in characters.
pub const MAX_ID_CHARS: usize = 512;
/// Longest birth date text, in characters.
pub const MAX_BIRTH_DATE_CHARS: usize = 64;
/// Most lists and collections a query may name.
pub const MAX_LISTS: usize = 64;
/// Query fields that a record of a comparison may not carry (the JSON names).
pub const COMPARISON_ONLY: [&str; 3] = ["threshold", "limit", "lists"];

/// One party to screen: the body of `POST /v1/screen`, one element of a JSON
/// batch, one line of NDJSON or of the batch job's JSONL input. Give `name`,
/// or leave it out and give the name parts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Query {
    /// Your reference, echoed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 512)]
    pub id: Option<String>,
    /// The whole name, in any script. When given it must not be blank.
    #[serde(
        default,
        deserialize_with = "non_blank_name",
        skip_serializing_if = "String::is_empty"
    )]
    #[schema(min_length = 1, max_length = 1000, pattern = r"\S")]
    pub name: String,
    /// Name parts, for callers that hold names in parts; used when `name` is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)]
    pub father_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)]
    pub last_name: Option<String>,
    /// What kind of party: Person, Organization, Company, LegalEntity, Vessel or Aircraft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::model::Schema>)]
    pub schema: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (other unambiguous forms are read too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2 codes or country names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub countries: Vec<String>,
    /// Passport, national id, tax, registration, IMO, BIC or other numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub identifiers: Vec<String>,
    /// List ids or collections (`default`, `sanctions`) to screen against;
    /// left out: every loaded list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 64)]
    pub lists: Vec<String>,
    /// Alert threshold for this party (default {defaults.threshold}).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub threshold: Option<f64>,
    /// Most results for this party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

/// The message of a blank `name` in JSON (the API maps it to `empty_name`).
pub const BLANK_NAME: &str = "name is empty: give a name, or leave it out and give the name parts";

/// A `name` given in JSON must say something: a blank one is refused rather
/// than silently replaced by the name parts (or by nothing).
fn non_blank_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let name = String::deserialize(d)?;
    if name.trim().is_empty() {
        return Err(serde::de::Error::custom(BLANK_NAME));
    }
    Ok(name)
}

/// Why a query cannot be screened.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
pub enum QueryError {
    #[error("name is empty")]
    EmptyName,
    #[error("name has no letters or digits")]
    NoLetters,
    #[error("name is {0} characters long; the limit is {MAX_NAME_CHARS}")]
    NameTooLong(usize),
    /// A field other than the whole name is longer than its limit (checked
    /// even where the field is not used, so nothing sent is silently dropped).
    #[error("{field} is {chars} characters long; the limit is {max}")]
    FieldTooLong {
        field: &'static str,
        chars: usize,
        max: usize,
    },
    #[error(
        "unknown schema '{0}' (use Person, Organization, Company, Vessel, Aircraft or LegalEntity)"
    )]
    UnknownSchema(String),
    #[error("birthDate '{0}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")]
    BadBirthDate(String),
    #[error(
        "'{0}' is not a list id or collection (list ids look like us_ofac_sdn or custom:<name>)"
    )]
    InvalidListId(String),
    #[error("list '{list}' is not loaded; {loaded}")]
    ListNotLoaded { list: String, loaded: String },
    #[error("nothing to search: {0}")]
    NoListToSearch(String),
    #[error("the name has no part left to screen once titles and punctuation are set aside")]
    NoNameTokens,
    #[error("threshold {0} is outside [0, 1]")]
    BadThreshold(f64),
    #[error("too many {what}: {count} (limit {MAX_ATTRIBUTES})")]
    TooMany { what: &'static str, count: usize },
    #[error("limit {0} is outside 1..={max}", max = super::MAX_LIMIT)]
    BadLimit(usize),
}

impl Query {
    /// A query with just a name.
    pub fn name(name: impl Into<String>) -> Query {
        Query {
            name: name.into(),
            ..Query::default()
        }
    }

    /// The whole name: `name`, or else the parts in the order first, middle,
    /// father's, last.
    pub fn full_name(&self) -> std::borrow::Cow<'_, str> {
        if !self.name.trim().is_empty() {
            return std::borrow::Cow::Borrowed(&self.name);
        }
        let parts: Vec<&str> = [
            &self.first_name,
            &self.middle_name,
            &self.father_name,
            &self.last_name,
        ]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
        std::borrow::Cow::Owned(parts.join(" "))
    }

    /// Every text field within its documented length.
    fn check_lengths(&self) -> Result<(), QueryError> {
        let fields = [
            ("id", self.id.as_deref(), MAX_ID_CHARS),
            ("firstName", self.first_name.as_deref(), MAX_NAME_CHARS),
            ("middleName", self.middle_name.as_deref(), MAX_NAME_CHARS),
            ("fatherName", self.father_name.as_deref(), MAX_NAME_CHARS),
            ("lastName", self.last_name.as_deref(), MAX_NAME_CHARS),
            (
                "birthDate",
                self.birth_date.as_deref(),
                MAX_BIRTH_DATE_CHARS,
            ),
        ];
        for (field, value, max) in fields {
            let chars = value.map_or(0, |v| v.chars().count());
            if chars > max {
                return Err(QueryError::FieldTooLong { field, chars, max });
            }
        }
        Ok(())
    }

    /// Checks the query and returns its schema. Errors name the problem.
    pub fn validate(&self) -> Result<Option<Schema>, QueryError> {
        self.check_lengths()?;
        let name = self.full_name();
        let chars = name.chars().count();
        if name.trim().is_empty() {
            return Err(QueryError::EmptyName);
        }
        if chars > MAX_NAME_CHARS {
            return Err(QueryError::NameTooLong(chars));
        }
        if !name.chars().any(char::is_alphanumeric) {
            return Err(QueryError::NoLetters);
        }
        if self.lists.len() > MAX_LISTS {
            return Err(QueryError::TooMany {
                what: "lists",
                count: self.lists.len(),
            });
        }
        if self.countries.len() > MAX_ATTRIBUTES {
            return Err(QueryError::TooMany {
                what: "countries",
                count: self.countries.len(),
            });
        }
        if let Some(t) = self.threshold
            && !(0.0..=1.0).contains(&t)
        {
            return Err(QueryError::BadThreshold(t));
        }
        if let Some(l) = self.limit
            && !(1..=super::MAX_LIMIT).contains(&l)
        {
            return Err(QueryError::BadLimit(l));
        }
        if self.identifiers.len() > MAX_ATTRIBUTES {
            return Err(QueryError::TooMany {
                what: "identifiers",
                count: self.identifiers.len(),
            });
        }
        if let Some(d) = &self.birth_date
            && !d.trim().is_empty()
            && crate::parse::dates::parse_date(d).is_none()
        {
            return Err(QueryError::BadBirthDate(d.clone()));
        }
        match self.schema.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => Schema::from_name(s)
                .map(Some)
                .ok_or_else(|| QueryError::UnknownSchema(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_field_is_held_to_its_length_even_when_unused() {
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        let q = Query {
            middle_name: Some(long.clone()),
            ..Query::name("Abu Bakr al-Baghdadi")
        };
        assert_eq!(
            q.validate(),
            Err(QueryError::FieldTooLong {
                field: "middleName",
                chars: MAX_NAME_CHARS + 1,
                max: MAX_NAME_CHARS
            })
        );
        let q = Query {
            id: Some("r".repeat(MAX_ID_CHARS + 1)),
            ..Query::name("Abu Bakr al-Baghdadi")
        };
        assert!(matches!(
            q.validate(),
            Err(QueryError::FieldTooLong { field: "id", .. })
        ));
        let ok = Query {
            middle_name: Some("x".repeat(MAX_NAME_CHARS)),
            ..Query::name("Abu Bakr al-Baghdadi")
        };
        assert!(ok.validate().is_ok());
        let lists = Query {
            lists: vec!["default".into(); MAX_LISTS + 1],
            ..Query::name("Abu Bakr al-Baghdadi")
        };
        assert!(matches!(
            lists.validate(),
            Err(QueryError::TooMany { what: "lists", .. })
        ));
    }
}
