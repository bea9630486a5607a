//! The query's side of a comparison, analysed once per query: its name as
//! [`PreparedName`], and its secondary fields in the forms scoring compares
//! (ISO dates, ISO country codes, normalised identifiers). Reading the raw
//! fields, and warning about those that cannot be read, is the matcher's job
//! (`matching::query`).

use super::name::PreparedName;
use crate::model::Schema;

/// The query side, prepared once. Serialisable: the monitor keeps its
/// customers' names analysed (`monitor::analysed`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PreparedQuery {
    pub name: PreparedName,
    pub schema: Option<Schema>,
    /// The birth date as ISO (partial where the query is partial); two
    /// readings when the query's date reads both day first and month first
    /// ("07/10/1952"): the one that agrees best with a listing counts.
    pub birth_dates: Vec<String>,
    /// ISO 3166-1 alpha-2 codes, lower case.
    pub countries: Vec<String>,
    /// Normalised as [`super::normalize_identifier`] does.
    pub identifiers: Vec<String>,
}
