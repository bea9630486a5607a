//! What a caller asks the screener: one party to screen, the bounds on the
//! work a query may cause, and the reading of its fields for scoring
//! ([`Query::prepare`]). Only the name (and a request out of bounds: an
//! unknown schema, a threshold or limit out of range, too many values) can
//! stop a query: an empty name, or one without letters or digits, is an
//! error. A birth date, country or identifier that cannot be read is left
//! out of scoring with a [`Warning`].
//!
//! Bounds on the work of one query: a name of at most [`MAX_NAME_CHARS`]
//! characters and at most [`MAX_ATTRIBUTES`] countries and identifiers
//! (more is an error: the request is out of bounds); of the name's parts,
//! the first [`crate::analysis::MAX_TOKENS`] are compared, in at most
//! [`crate::analysis::MAX_VARIANTS`] romanisations (more parts: a warning);
//! each identifier at most [`MAX_IDENTIFIER_CHARS`] characters (longer: a
//! warning).

use super::warning::Warning;
use crate::analysis::{
    MAX_TOKENS, MIN_IDENTIFIER_CHARS, PreparedName, PreparedQuery, compact_identifier,
    identifier_forms, imo_check_digit_ok,
};
use crate::model::Schema;
use crate::text::Script;
use serde::{Deserialize, Serialize};

/// Largest name accepted, in characters. Longer names are refused with a
/// clear error rather than silently truncated: a name this long is not a
/// person's or company's name.
pub const MAX_NAME_CHARS: usize = 1000;
/// At most this many identifiers and countries per query (more is an error:
/// a bound on the request, as the API schema states).
pub const MAX_ATTRIBUTES: usize = 32;
/// Identifiers longer than this (in characters) are not identifiers: left
/// out with a warning. Crypto wallet addresses, the longest, stay under it.
pub const MAX_IDENTIFIER_CHARS: usize = 128;
/// Longest caller reference (`id`), in characters.
pub const MAX_ID_CHARS: usize = 512;
/// Longest birth date text, in characters.
pub const MAX_BIRTH_DATE_CHARS: usize = 64;
/// Most lists and collections a query may name.
pub const MAX_LISTS: usize = 64;
/// Query fields that a record of a comparison may not carry (the JSON names).
pub const COMPARISON_ONLY: [&str; 4] = ["threshold", "limit", "lists", "topics"];

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
    /// What kind of party: Person, Organization, Company, LegalEntity, Vessel or Airplane (Aircraft accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::model::Schema>)]
    pub schema: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (other unambiguous forms are read too).
    /// A date that cannot be read is left out of scoring with a warning; one
    /// that reads both day first and month first (07/10/1952) is screened
    /// under both readings, with a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2 codes or country names; anything else is left out
    /// of scoring with a warning.
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
    /// Only listed parties with at least one of these FtM topics (`sanction`,
    /// `crime.terror`, …); left out: every party.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<crate::model::topics::Topic>, max_items = 32)]
    pub topics: Vec<String>,
    /// Alert threshold for this party (default {defaults.threshold}).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub threshold: Option<f64>,
    /// Most results for this party.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::opt_whole_number"
    )]
    #[schema(minimum = 1, maximum = 500)]
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
        "unknown schema '{0}' (use Person, Organization, Company, Vessel, Airplane (or Aircraft) or LegalEntity)"
    )]
    UnknownSchema(String),
    #[error(
        "'{0}' is not a list id or collection (list ids look like us_ofac_sdn or custom:<name>)"
    )]
    InvalidListId(String),
    #[error("list '{list}' is not loaded; {loaded}")]
    ListNotLoaded { list: String, loaded: String },
    #[error(
        "unknown topic '{0}' (use a FollowTheMoney topic such as sanction, crime.terror, export.control, debarment or poi; docs/API.md lists them)"
    )]
    UnknownTopic(String),
    #[error("nothing to search: {0}")]
    NoListToSearch(String),
    #[error("the name has no part left to screen once titles and punctuation are set aside")]
    NoNameTokens,
    /// No name, and none of the identifiers can be compared (see the warnings).
    #[error(
        "no name given, and no identifier left to screen: identifiers need at least {MIN_IDENTIFIER_CHARS} letters or digits"
    )]
    NoIdentifier,
    #[error("threshold {0} is outside [0, 1]")]
    BadThreshold(f64),
    #[error("too many {what}: {count} (limit {MAX_ATTRIBUTES})")]
    TooMany { what: &'static str, count: usize },
    #[error("limit {0} is outside 1..={max}", max = super::MAX_LIMIT)]
    BadLimit(usize),
}

/// Checks a `topics` filter: at most [`MAX_ATTRIBUTES`] topics, each one
/// FtM knows. The check of the query's field and of the `topics`
/// parameters of `/match` and `/search`.
pub fn check_topics(topics: &[String]) -> Result<(), QueryError> {
    if topics.len() > MAX_ATTRIBUTES {
        return Err(QueryError::TooMany {
            what: "topics",
            count: topics.len(),
        });
    }
    match crate::model::topics::first_unknown(topics) {
        Some(t) => Err(QueryError::UnknownTopic(t.chars().take(80).collect())),
        None => Ok(()),
    }
}

/// A query read for scoring, with the warnings about its fields.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub query: PreparedQuery,
    pub warnings: Vec<Warning>,
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

    /// At least one identifier that is not blank: enough to screen without a name.
    pub fn has_identifier(&self) -> bool {
        self.identifiers.iter().any(|i| !i.trim().is_empty())
    }

    /// Every text field within its documented length.
    fn check_lengths(&self) -> Result<(), QueryError> {
        let fields = [
            ("id", self.id.as_deref(), MAX_ID_CHARS),
            ("firstName", self.first_name.as_deref(), MAX_NAME_CHARS),
            ("middleName", self.middle_name.as_deref(), MAX_NAME_CHARS),
            ("fatherName", self.father_name.as_deref(), MAX_NAME_CHARS),
            ("lastName", self.last_name.as_deref(), MAX_NAME_CHARS),
        ];
        for (field, value, max) in fields {
            let chars = value.map_or(0, |v| v.chars().count());
            if chars > max {
                return Err(QueryError::FieldTooLong { field, chars, max });
            }
        }
        Ok(())
    }

    /// Checks the query and returns its schema. Errors name the problem;
    /// only the name, the schema and a field beyond its documented length
    /// can make one.
    pub fn validate(&self) -> Result<Option<Schema>, QueryError> {
        self.check_lengths()?;
        let name = self.full_name();
        let chars = name.chars().count();
        if name.trim().is_empty() {
            // No name: the identifiers alone are screened, if there are any.
            if !self.has_identifier() {
                return Err(QueryError::EmptyName);
            }
        } else if chars > MAX_NAME_CHARS {
            return Err(QueryError::NameTooLong(chars));
        } else if !name.chars().any(char::is_alphanumeric) {
            return Err(QueryError::NoLetters);
        }
        if self.lists.len() > MAX_LISTS {
            return Err(QueryError::TooMany {
                what: "lists",
                count: self.lists.len(),
            });
        }
        check_topics(&self.topics)?;
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
        match self.schema.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => Schema::from_name(s)
                .map(Some)
                .ok_or_else(|| QueryError::UnknownSchema(s.to_string())),
        }
    }

    /// Reads the query once for scoring: the name analysed into tokens and
    /// keys, the birth date as ISO readings, countries as ISO codes,
    /// identifiers normalised. A field that cannot be read is left out with
    /// a warning naming it.
    pub fn prepare(&self) -> Result<Prepared, QueryError> {
        let schema = self.validate()?;
        let mut warnings = Vec::new();
        let full_name = self.full_name();
        let name = PreparedName::new(&full_name, schema.and_then(Schema::org_hint));
        name_warnings(&full_name, &name, &mut warnings);
        let birth_dates = read_birth_date(self.birth_date.as_deref(), &mut warnings);
        let countries = read_countries(&self.countries, &mut warnings);
        let identifiers = read_identifiers(&self.identifiers, &mut warnings);
        Ok(Prepared {
            query: PreparedQuery {
                name,
                schema,
                birth_dates,
                countries,
                identifiers,
            },
            warnings,
        })
    }
}

/// Warnings about how the name was read: more parts than are compared, and
/// letters of several writing systems mixed (in one word, or three systems
/// or more in the name), which real names rarely do and disguised ones do.
fn name_warnings(full: &str, name: &PreparedName, out: &mut Vec<Warning>) {
    if name.truncated {
        out.push(Warning::new(
            "name",
            full,
            format!(
                "the name has more than {MAX_TOKENS} parts: only the first {MAX_TOKENS} are compared"
            ),
        ));
    }
    let mut all: Vec<&str> = Vec::new();
    let mut mixed_words: Vec<&str> = Vec::new();
    for word in full.split(|c: char| !c.is_alphanumeric() && !is_modifier_letter(c)) {
        let mut in_word: Vec<&str> = Vec::new();
        for s in word.chars().filter_map(writing_system) {
            if !in_word.contains(&s) {
                in_word.push(s);
            }
            if !all.contains(&s) {
                all.push(s);
            }
        }
        if in_word.len() > 1 && mixed_words.len() < 3 {
            mixed_words.push(word);
        }
    }
    let read_as = name.script.as_str();
    if all.len() >= 3 {
        out.push(Warning::new(
            "name",
            full,
            format!(
                "the name mixes letters of {} writing systems ({}); it is read as {read_as}",
                all.len(),
                all.join(", "),
            ),
        ));
    } else if !mixed_words.is_empty() {
        out.push(Warning::new(
            "name",
            full,
            format!(
                "{} letters are mixed inside a word ({}); the name is read as {read_as}",
                all.join(" and "),
                mixed_words.join(", "),
            ),
        ));
    }
}

/// Spacing modifier letters (ʼ ʾ ʿ ˈ): apostrophes and transliteration
/// marks, not letters of a script.
fn is_modifier_letter(c: char) -> bool {
    ('\u{02B0}'..='\u{02FF}').contains(&c)
}

/// The writing system of a letter, with the scripts written together in
/// one language (Han with kana, Han with Hangul) as one; `None` for what is
/// not a letter of a script.
fn writing_system(c: char) -> Option<&'static str> {
    if is_modifier_letter(c) {
        return None;
    }
    match crate::text::char_script(c) {
        Script::Common => None,
        Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul => {
            Some("han/kana/hangul")
        }
        s => Some(s.as_str()),
    }
}

/// The birth date's ISO readings: one, or two when the form reads both day
/// first and month first (the better-agreeing one counts); none, with a
/// warning, when it is not a plausible birth date.
fn read_birth_date(raw: Option<&str>, out: &mut Vec<Warning>) -> Vec<String> {
    let Some(raw) = raw.map(str::trim).filter(|d| !d.is_empty()) else {
        return Vec::new();
    };
    if raw.chars().count() > MAX_BIRTH_DATE_CHARS {
        out.push(Warning::new(
            "birthDate",
            raw,
            format!(
                "longer than {MAX_BIRTH_DATE_CHARS} characters, so not a date: left out of scoring"
            ),
        ));
        return Vec::new();
    }
    let readings = crate::parse::dates::date_readings(raw);
    if readings.is_empty() {
        out.push(Warning::new(
            "birthDate",
            raw,
            "not a date: left out of scoring (use YYYY, YYYY-MM or YYYY-MM-DD)",
        ));
        return readings;
    }
    let plausible: Vec<String> = readings
        .into_iter()
        .filter(|d| crate::parse::dates::plausible_birth_date(d))
        .collect();
    match plausible.as_slice() {
        [] => out.push(Warning::new(
            "birthDate",
            raw,
            format!(
                "not a plausible birth date (before {} or after 2100): left out of scoring",
                crate::parse::dates::BIRTH_YEAR_FLOOR
            ),
        )),
        [day_first, month_first] => out.push(Warning::new(
            "birthDate",
            raw,
            format!(
                "reads as {day_first} (day first) or {month_first} (month first): screened under both, the better-agreeing one counts; write YYYY-MM-DD to be exact"
            ),
        )),
        _ => {}
    }
    plausible
}

/// Countries as ISO codes (names are read too); the rest with a warning.
fn read_countries(raw: &[String], out: &mut Vec<Warning>) -> Vec<String> {
    let mut codes = Vec::new();
    for c in raw {
        let lower = c.trim().to_ascii_lowercase();
        let code = if crate::countries::is_code(&lower) {
            Some(lower)
        } else {
            crate::countries::country_code(c).map(str::to_string)
        };
        match code {
            Some(code) if !codes.contains(&code) => codes.push(code),
            Some(_) => {}
            None if c.trim().is_empty() => {}
            None => out.push(Warning::new(
                "countries",
                c,
                "not a country: left out of scoring (use an ISO 3166-1 alpha-2 code or a country name)",
            )),
        }
    }
    codes
}

/// Identifiers in their normal forms ([`identifier_forms`]); too short or
/// too long ones left out with a warning, a malformed IMO number kept with one.
fn read_identifiers(raw: &[String], out: &mut Vec<Warning>) -> Vec<String> {
    let mut ids = Vec::new();
    for i in raw {
        if i.trim().is_empty() {
            continue;
        }
        if i.chars().count() > MAX_IDENTIFIER_CHARS {
            out.push(Warning::new(
                "identifiers",
                i,
                format!("longer than {MAX_IDENTIFIER_CHARS} characters: not an identifier, left out of scoring"),
            ));
            continue;
        }
        let forms = identifier_forms(i);
        let n = &forms[0];
        if n.len() < MIN_IDENTIFIER_CHARS {
            out.push(Warning::new(
                "identifiers",
                i,
                format!("fewer than {MIN_IDENTIFIER_CHARS} letters or digits: left out of scoring"),
            ));
            continue;
        }
        let compact = compact_identifier(i);
        if compact.starts_with("IMO") {
            let problem = match imo_check_digit_ok(&compact) {
                Some(true) => None,
                Some(false) => Some("an IMO number whose check digit does not match"),
                None => Some("marked IMO but not an IMO number (IMO and seven digits)"),
            };
            if let Some(problem) = problem {
                out.push(Warning::new(
                    "identifiers",
                    i,
                    format!("{problem}: compared as written, a typo will not match"),
                ));
            }
        }
        for n in forms {
            if !ids.contains(&n) {
                ids.push(n);
            }
        }
    }
    ids
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
