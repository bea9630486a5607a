//! Parser for the US BIS Denied Persons List `dpl.txt` (`us_bis_dpl`, list
//! `us_bis_denied`): tab-separated, quoted, header `Name`, `Street_Address`,
//! `City`, `State`, `Country`, `Postal_Code`, `Effective_Date`,
//! `Expiration_Date`, `Standard_Order`, `Last_Update`, `Action`,
//! `FR_Citation`. Each row (one name at one address) is one entity.
//!
//! The list does not say whether a row is a person or a company, so every
//! entity is a `LegalEntity` (the matcher compares names of either kind).
//! Address parts → `address` (joined "street, city, state, postal, country")
//! and `Country` → `country`; `Effective_Date` (US order MM/DD/YYYY) →
//! `listingDate`; `Last_Update` → `modifiedAt`; expiry, `Standard_Order`,
//! `Action` and `FR_Citation` → `notes`.
//!
//! Ids: the list has none. The id is the first 16 hex digits of the SHA-256 of
//! the name and the five address fields (upper-cased, spaces collapsed,
//! joined by tabs). The effective date, expiry, action and Federal Register
//! citation are left out on purpose: they change whenever BIS renews a
//! temporary denial order, and the id must stay the same across versions.
//! The same name at the same address twice (the publisher repeats a few rows
//! verbatim) gets `-2`, `-3` … in file order, so ids are unique in a file.
//!
//! The file states no publication date, so `published` stays empty.

use super::csv_util::{Columns, entity_per_row};
use super::{ParseError, ParsedList, SourceFile, UniqueIds, dates};
use crate::countries;
use crate::model::{Entity, Schema, collapse_whitespace, prop};
use csv::StringRecord;
use sha2::{Digest, Sha256};

const COLUMNS: &[&str] = &[
    "name",
    "street_address",
    "city",
    "state",
    "country",
    "postal_code",
    "effective_date",
    "expiration_date",
    "standard_order",
    "last_update",
    "action",
    "fr_citation",
];

/// The fields an id is made of: the name and the address.
const ID_FIELDS: [&str; 6] = [
    "name",
    "street_address",
    "city",
    "state",
    "country",
    "postal_code",
];

pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut taken = UniqueIds::with_separator('-');
    let entities = entity_per_row(
        files,
        csv::ReaderBuilder::new().delimiter(b'\t'),
        COLUMNS,
        |cols, record| parse_row(list_id, cols, record, &mut taken),
    )?;
    Ok(ParsedList {
        entities,
        ..ParsedList::default()
    })
}

/// The stable id of a row (see the module doc), without the `-2` suffix.
fn row_id(cols: &Columns, r: &StringRecord) -> String {
    let key: Vec<String> = ID_FIELDS
        .iter()
        .map(|f| collapse_whitespace(cols.get(r, f)).to_uppercase())
        .collect();
    let digest = Sha256::digest(key.join("\t").as_bytes());
    hex::encode(&digest[..8])
}

fn parse_row(
    list_id: &str,
    cols: &Columns,
    r: &StringRecord,
    taken: &mut UniqueIds,
) -> Result<Entity, String> {
    let get = |name: &str| cols.get(r, name);
    let name = get("name");
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    let id = taken.claim(&row_id(cols, r));
    let mut e = Entity::new(list_id, &id, Schema::LegalEntity);
    e.add(prop::NAME, name);

    let parts: Vec<&str> = ["street_address", "city", "state", "postal_code", "country"]
        .iter()
        .map(|f| get(f))
        .filter(|v| !v.is_empty())
        .collect();
    e.add(prop::ADDRESS, &parts.join(", "));
    let country = get("country");
    // The column holds ISO codes ("NA" is Namibia), now and then a name ("PRC").
    if let Some(code) = countries::iso_code(country).or_else(|| countries::country_code(country)) {
        e.add(prop::COUNTRY, code);
    }

    let effective = get("effective_date");
    if !effective.is_empty() {
        match dates::parse_us_date(effective) {
            Some(d) => e.add(prop::LISTING_DATE, &d),
            None => e.add(prop::NOTES, &format!("effective date: {effective}")),
        }
    }
    let expires = get("expiration_date");
    if !expires.is_empty() {
        let shown = dates::parse_us_date(expires).unwrap_or_else(|| expires.to_string());
        e.add(prop::NOTES, &format!("denial expires: {shown}"));
    }
    let updated = get("last_update");
    if !updated.is_empty() {
        match dates::parse_date(updated) {
            Some(d) => e.add(prop::MODIFIED_AT, &d),
            None => e.add(prop::NOTES, &format!("last update: {updated}")),
        }
    }
    for (label, column) in [
        ("standard order", "standard_order"),
        ("action", "action"),
        ("Federal Register", "fr_citation"),
    ] {
        let v = get(column);
        if !v.is_empty() {
            e.add(prop::NOTES, &format!("{label}: {v}"));
        }
    }
    Ok(e)
}
