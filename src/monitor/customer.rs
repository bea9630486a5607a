//! A monitored customer: the batch job's record (name or name parts, schema,
//! birth date, countries, identifiers) plus aliases, addresses, `segment`,
//! `tags` and free `metadata` kept verbatim. This module checks a record,
//! turns it into the queries the matcher screens (one per name), and computes
//! the digests the store and the audit trail keep.

use crate::matching::{Query, QueryError};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// Longest customer id, in bytes.
pub const MAX_ID_BYTES: usize = 200;
/// Most aliases, addresses or tags on one customer.
pub const MAX_VALUES: usize = 32;
/// Largest `metadata` object, in bytes of JSON.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

/// A customer record as written by the client. Give `name`, or the name
/// parts (`firstName`, `lastName`, …); a record with neither is refused.
/// Unknown fields and fields of the wrong type are refused too.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"name": "Viktor Bout", "schema": "Person", "birthDate": "1967-01-13", "countries": ["ru"], "segment": "retail", "tags": ["onboarding-2026"], "metadata": {"crmId": "A-1"}}))]
pub struct Customer {
    /// The client's own reference; required in bulk writes (in `PUT` it is
    /// the path's, and a different one in the body is an error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]+$",
        example = "c-1"
    )]
    pub id: Option<String>,
    /// The whole name, in any script.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schema(max_length = 1000)]
    pub name: String,
    /// Name parts, used when `name` is left out.
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
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2 codes or country names (nationality, residence,
    /// incorporation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub countries: Vec<String>,
    /// Passport, national id, tax, registration or other numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub identifiers: Vec<String>,
    /// Other names of the customer; each is screened like the main name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub aliases: Vec<String>,
    /// Postal addresses (their countries count for the risk rating).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub addresses: Vec<String>,
    /// The client's own grouping (filter of `GET /v1/customers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Free labels (filter of `GET /v1/customers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub tags: Vec<String>,
    /// Any JSON object (at most 16 KiB), stored and returned byte for byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Box<RawValue>>,
}

impl PartialEq for Customer {
    fn eq(&self, other: &Self) -> bool {
        self.canonical_json() == other.canonical_json()
    }
}

/// Why a customer record cannot be stored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CustomerError {
    #[error("id is missing")]
    MissingId,
    #[error("id must be 1 to {MAX_ID_BYTES} bytes without control characters")]
    BadId,
    #[error("the record has no name (give name, or firstName/lastName)")]
    NoName,
    #[error("{0}")]
    Query(#[from] QueryError),
    #[error("alias {0}: {1}")]
    Alias(usize, QueryError),
    #[error("too many {what}: {count} (limit {MAX_VALUES})")]
    TooMany { what: &'static str, count: usize },
    #[error("metadata must be a JSON object of at most {MAX_METADATA_BYTES} bytes")]
    BadMetadata,
}

/// Checks a customer id.
pub fn check_id(id: &str) -> Result<(), CustomerError> {
    if id.is_empty() || id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
        return Err(CustomerError::BadId);
    }
    Ok(())
}

/// The digest of a record as stored ([`Customer::canonical_json`]): what
/// [`Customer::digest`] gives.
pub fn digest_of(record: &str) -> String {
    hex::encode(Sha256::digest(record.as_bytes()))
}

impl Customer {
    /// The record's id, checked.
    pub fn checked_id(&self) -> Result<&str, CustomerError> {
        let id = self.id.as_deref().ok_or(CustomerError::MissingId)?;
        check_id(id)?;
        Ok(id)
    }

    /// Checks everything a write needs: id, a screenable name, valid
    /// aliases, bounds on lists and metadata.
    pub fn validate(&self) -> Result<(), CustomerError> {
        self.checked_id()?;
        let q = self.query_for(None);
        if q.full_name().trim().is_empty() {
            return Err(CustomerError::NoName);
        }
        q.validate()?;
        for (what, count) in [
            ("aliases", self.aliases.len()),
            ("addresses", self.addresses.len()),
            ("tags", self.tags.len()),
        ] {
            if count > MAX_VALUES {
                return Err(CustomerError::TooMany { what, count });
            }
        }
        for (i, a) in self.aliases.iter().enumerate() {
            self.query_for(Some(a))
                .validate()
                .map_err(|e| CustomerError::Alias(i + 1, e))?;
        }
        if let Some(m) = &self.metadata
            && (m.get().len() > MAX_METADATA_BYTES || !m.get().trim_start().starts_with('{'))
        {
            return Err(CustomerError::BadMetadata);
        }
        Ok(())
    }

    /// The query screening one of the customer's names: the main name
    /// (`None`) or an alias.
    pub fn query_for(&self, alias: Option<&str>) -> Query {
        let mut q = Query {
            id: self.id.clone(),
            schema: self.schema.clone(),
            birth_date: self.birth_date.clone(),
            countries: self.countries.clone(),
            identifiers: self.identifiers.clone(),
            ..Query::default()
        };
        match alias {
            Some(a) => q.name = a.to_string(),
            None => {
                q.name = self.name.clone();
                q.first_name = self.first_name.clone();
                q.middle_name = self.middle_name.clone();
                q.father_name = self.father_name.clone();
                q.last_name = self.last_name.clone();
            }
        }
        q
    }

    /// Every query of the customer: the main name, then each alias.
    pub fn queries(&self) -> Vec<Query> {
        std::iter::once(self.query_for(None))
            .chain(self.aliases.iter().map(|a| self.query_for(Some(a))))
            .collect()
    }

    /// The display name.
    pub fn display_name(&self) -> String {
        self.query_for(None).full_name().into_owned()
    }

    /// The record as stored: compact JSON with fields in a fixed order.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// SHA-256 of the stored record: what the audit trail keeps of a
    /// customer (never the personal data itself).
    pub fn digest(&self) -> String {
        digest_of(&self.canonical_json())
    }

    /// SHA-256 of the fields that matter to a match: name fields, aliases,
    /// birth date, identifiers and countries. A false-positive decision
    /// holds while this and the listed party's [`match_fingerprint`] stay
    /// the same.
    pub fn match_fingerprint(&self) -> String {
        let mut countries = self.countries.clone();
        countries.sort();
        let mut identifiers = self.identifiers.clone();
        identifiers.sort();
        let mut aliases = self.aliases.clone();
        aliases.sort();
        let fields = serde_json::json!([
            self.query_for(None).full_name(),
            aliases,
            self.birth_date,
            identifiers,
            countries,
        ]);
        hex::encode(Sha256::digest(fields.to_string().as_bytes()))
    }
}

/// SHA-256 of the fields of a listed party that matter to a match: its
/// names, birth dates, identifiers and countries.
pub fn match_fingerprint(e: &crate::model::Entity) -> String {
    use crate::model::prop;
    let mut parts: Vec<(&str, &[String])> = Vec::new();
    let name_parts = [prop::FIRST_NAME, prop::MIDDLE_NAME, prop::LAST_NAME];
    for p in prop::NAME_PROPS
        .iter()
        .chain(name_parts.iter())
        .chain([prop::BIRTH_DATE].iter())
        .chain(prop::IDENTIFIER_PROPS.iter())
        .chain(prop::COUNTRY_PROPS.iter())
    {
        parts.push((p, e.get(p)));
    }
    let text = serde_json::to_string(&parts).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Splits a CSV list cell (`;`-separated).
fn split_cell(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A customer from a CSV row: the batch job's columns (see
/// [`crate::matching::batch::parse_csv_row`]) plus `aliases`, `addresses`,
/// `tags` (`;`-separated), `segment`, and `metadata.<key>` columns that
/// become the metadata object.
pub fn from_csv_row(header: &[String], record: &csv::StringRecord) -> Result<Customer, String> {
    if record.len() != header.len() {
        return Err(format!(
            "row has {} fields, the header has {}",
            record.len(),
            header.len()
        ));
    }
    let mut query_header = Vec::new();
    let mut query_cells = Vec::new();
    let mut c = Customer::default();
    let mut metadata = serde_json::Map::new();
    for (h, v) in header.iter().zip(record.iter()) {
        let v = v.trim();
        match h.as_str() {
            "aliases" => c.aliases = split_cell(v),
            "addresses" => c.addresses = split_cell(v),
            "tags" => c.tags = split_cell(v),
            "segment" => c.segment = (!v.is_empty()).then(|| v.to_string()),
            "lists" => return Err("column 'lists' is not a customer field: the monitor's configuration names the lists".into()),
            other => match other.strip_prefix("metadata.") {
                Some(key) if !key.is_empty() => {
                    if !v.is_empty() {
                        metadata.insert(key.to_string(), serde_json::Value::String(v.to_string()));
                    }
                }
                _ => {
                    query_header.push(h.clone());
                    query_cells.push(v);
                }
            },
        }
    }
    let q = crate::matching::batch::parse_csv_row(
        &query_header,
        &csv::StringRecord::from(query_cells),
    )?;
    c.id = q.id;
    c.name = q.name;
    c.first_name = q.first_name;
    c.middle_name = q.middle_name;
    c.father_name = q.father_name;
    c.last_name = q.last_name;
    c.schema = q.schema;
    c.birth_date = q.birth_date;
    c.countries = q.countries;
    c.identifiers = q.identifiers;
    if !metadata.is_empty() {
        let text = serde_json::Value::Object(metadata).to_string();
        c.metadata = RawValue::from_string(text).ok();
    }
    Ok(c)
}

/// Reads customers from a CSV (with a header) or JSONL file's content; one
/// result per data row, with the row number in errors.
pub fn read_file(
    input: impl std::io::BufRead,
    csv_format: bool,
) -> std::io::Result<Vec<Result<Customer, String>>> {
    let mut out = Vec::new();
    if csv_format {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let header: Vec<String> = rdr
            .headers()
            .map_err(std::io::Error::other)?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        for (i, rec) in rdr.records().enumerate() {
            let row = i + 2;
            out.push(match rec {
                Ok(r) => from_csv_row(&header, &r).map_err(|e| format!("row {row}: {e}")),
                Err(e) => Err(format!("row {row}: invalid CSV: {e}")),
            });
        }
    } else {
        for (i, line) in input.lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            out.push(
                serde_json::from_str::<Customer>(&line)
                    .map_err(|e| format!("line {}: invalid customer: {e}", i + 1)),
            );
        }
    }
    Ok(out)
}
