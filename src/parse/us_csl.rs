//! Parser for the US trade.gov Consolidated Screening List CSV (`us_csl_csv`,
//! list `us_trade_csl`): one row per listing of a party on one of the
//! sub-lists (SDN, Entity List, Denied Persons, ITAR debarred, …).
//!
//! Mapping: `type` Individual/Entity/Vessel/Aircraft → Person/Organization/
//! Vessel/Aircraft, blank → LegalEntity. `name` and `alt_names` (`;`) →
//! `name`/`alias` (SDN person names stay "LAST, First" as published, with
//! `lastName`/`firstName` split at the comma). `source` (the sub-list) and the
//! `programs` items → `program`. `addresses` (`;`, each "street, city, state,
//! postal, CC") → `address` + `country`; `dates_of_birth` → `birthDate`;
//! `nationalities`/`citizenships` → `nationality`/`citizenship`; `ids`
//! (`;`-separated "[CC, ][dates, ]value, Type" records) → passport, ID, tax,
//! registration, IMO, MMSI, SWIFT, crypto, website … (see [`add_id`]); vessel
//! columns → `callSign`, `type`, `tonnage`, `flag`, `owner`; `start_date` →
//! `listingDate`; `title`; `remarks`, Federal Register notice, licence
//! requirement/policy, standard order, end date → `notes`; both URLs →
//! `sourceUrl`.
//!
//! Ids: the CSL `_id`. The non-SDN Treasury sub-lists (SSI, CAP, NS-MBS, FSE,
//! PLC, CMIC) reuse the SDN entity number of the same party, so for their rows
//! (numeric `_id`, `source` not SDN) the sub-list code is appended:
//! `18291` (SDN row) and `18291-SSI`. A row whose id is still taken (the
//! publisher repeats a few rows) gets `-2`, `-3` … in file order.
//!
//! The file states no publication date, so `published` stays empty.

use super::csv_util::{Columns, entity_per_row, imo_digits, split_list};
use super::dates;
use super::{ParseError, ParsedList, SourceFile, UniqueIds};
use crate::countries;
use crate::model::{Entity, Schema, prop};
use csv::StringRecord;

/// FtM property for the gross registered tonnage of a vessel.
const GROSS_REGISTERED_TONNAGE: &str = "grossRegisteredTonnage";

const COLUMNS: &[&str] = &[
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
];

pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut taken = UniqueIds::with_separator('-');
    let entities = entity_per_row(
        files,
        &csv::ReaderBuilder::new(),
        COLUMNS,
        |cols, record| parse_row(list_id, cols, record, &mut taken),
    )?;
    Ok(ParsedList {
        entities,
        ..ParsedList::default()
    })
}

/// The short code of a sub-list: the first word in the parentheses of
/// "Sectoral Sanctions Identifications List (SSI) - Treasury Department".
fn sub_list_code(source: &str) -> Option<&str> {
    let open = source.find('(')?;
    let rest = source.get(open + 1..)?;
    let close = rest.find(')')?;
    rest.get(..close)?.split_whitespace().next()
}

fn parse_row(
    list_id: &str,
    cols: &Columns,
    r: &StringRecord,
    taken: &mut UniqueIds,
) -> Result<Entity, String> {
    let get = |name: &str| cols.get(r, name);
    let raw_id = get("_id");
    if raw_id.is_empty() {
        return Err("the _id is empty".into());
    }
    let source = get("source");
    let mut id = raw_id.to_string();
    if raw_id.bytes().all(|b| b.is_ascii_digit())
        && !source.starts_with("Specially Designated")
        && let Some(code) = sub_list_code(source)
    {
        id = format!("{raw_id}-{code}");
    }
    let id = taken.claim(&id);

    let kind = get("type");
    let schema = match kind {
        "Individual" => Schema::Person,
        "Entity" => Schema::Organization,
        "Vessel" => Schema::Vessel,
        "Aircraft" => Schema::Airplane,
        _ => Schema::LegalEntity,
    };
    let mut e = Entity::new(list_id, &id, schema);
    if !matches!(kind, "" | "Individual" | "Entity" | "Vessel" | "Aircraft") {
        e.add(prop::NOTES, &format!("type: {kind}"));
    }

    let name = get("name");
    let aliases: Vec<&str> = split_list(get("alt_names"), ';').collect();
    if name.is_empty() && aliases.is_empty() {
        return Err(format!("row {raw_id} has no name"));
    }
    e.add(prop::NAME, name);
    if schema == Schema::Person
        && let Some((last, first)) = name.split_once(',')
        && !first.contains(',')
    {
        e.add(prop::LAST_NAME, last);
        e.add(prop::FIRST_NAME, first);
    }
    e.add_all(prop::ALIAS, aliases);

    e.add(prop::PROGRAM, source);
    e.add_all(prop::PROGRAM, split_list(get("programs"), ';'));
    e.add(prop::TITLE, get("title"));

    for address in split_list(get("addresses"), ';') {
        add_address(&mut e, address);
    }
    for dob in split_list(get("dates_of_birth"), ';') {
        let parsed = dates::parse_birth_dates(dob);
        if parsed.dates.is_empty() {
            e.add(prop::NOTES, &format!("birth date: {dob}"));
        }
        e.add_all(prop::BIRTH_DATE, parsed.dates.iter().map(String::as_str));
        if parsed.approximate {
            e.add(prop::NOTES, &format!("birth date approximate: {dob}"));
        }
    }
    add_countries(&mut e, prop::NATIONALITY, get("nationalities"));
    add_countries(&mut e, prop::CITIZENSHIP, get("citizenships"));
    e.add_all(prop::BIRTH_PLACE, split_list(get("places_of_birth"), ';'));

    e.add(prop::CALL_SIGN, get("call_sign"));
    e.add(prop::TYPE, get("vessel_type"));
    e.add(prop::TONNAGE, get("gross_tonnage"));
    e.add(GROSS_REGISTERED_TONNAGE, get("gross_registered_tonnage"));
    let flag = get("vessel_flag");
    if !flag.is_empty() {
        match country(flag) {
            Some(code) => e.add(prop::FLAG, code),
            None => e.add(prop::NOTES, &format!("vessel flag: {flag}")),
        }
    }
    e.add(prop::OWNER, get("vessel_owner"));

    for id_record in split_list(get("ids"), ';') {
        add_id(&mut e, id_record);
    }

    add_date(&mut e, prop::LISTING_DATE, "start date", get("start_date"));
    let end = get("end_date");
    if !end.is_empty() {
        let shown = dates::parse_date(end).unwrap_or_else(|| end.to_string());
        e.add(prop::NOTES, &format!("listing ends: {shown}"));
    }
    e.add(prop::NOTES, get("remarks"));
    add_labelled(
        &mut e,
        "Federal Register notice",
        get("federal_register_notice"),
    );
    add_labelled(&mut e, "license requirement", get("license_requirement"));
    add_labelled(&mut e, "license policy", get("license_policy"));
    add_labelled(&mut e, "standard order", get("standard_order"));
    let number = get("entity_number");
    if number != raw_id {
        add_labelled(&mut e, "entity number", number);
    }
    e.add(prop::SOURCE_URL, get("source_list_url"));
    e.add(prop::SOURCE_URL, get("source_information_url"));
    Ok(e)
}

/// Adds a `notes` line "label: value" when the value is not empty.
fn add_labelled(e: &mut Entity, label: &str, value: &str) {
    if !value.trim().is_empty() {
        e.add(prop::NOTES, &format!("{label}: {value}"));
    }
}

/// Adds an ISO date, or a note with the raw text when it is not a date.
fn add_date(e: &mut Entity, property: &str, label: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    match dates::parse_date(value) {
        Some(d) => e.add(property, &d),
        None => e.add(prop::NOTES, &format!("{label}: {value}")),
    }
}

/// The code of a country cell: the list writes ISO codes (upper case; "NA"
/// is Namibia) in its country columns and at the end of addresses, and
/// names in others ("Iran" as a vessel flag).
fn country(value: &str) -> Option<&'static str> {
    countries::iso_code(value).or_else(|| countries::country_code(value))
}

/// Adds `;`-separated countries (ISO codes or names); unknown ones go to notes.
fn add_countries(e: &mut Entity, property: &str, list: &str) {
    for c in split_list(list, ';') {
        match country(c) {
            Some(code) => e.add(property, code),
            None => e.add(prop::NOTES, &format!("{property}: {c}")),
        }
    }
}

/// The ISO code of a country written as the last part of an address
/// ("…, Moscow, 111024, RU"), if that part is a country.
fn address_country(address: &str) -> Option<&'static str> {
    let last = address.rsplit(',').next()?.trim();
    if last.is_empty()
        || !last
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '.')
    {
        return None;
    }
    country(last)
}

fn add_address(e: &mut Entity, address: &str) {
    let country = address_country(address);
    if let Some(code) = &country {
        e.add(prop::COUNTRY, code);
    }
    // An "address" that is only a country is fully kept by `country`.
    let only_country = country.is_some() && !address.contains(',');
    if !only_country {
        e.add(prop::ADDRESS, address);
    }
}

/// What an `ids` record type becomes.
enum IdKind {
    Prop(&'static str),
    Imo,
    Crypto,
    Gender,
    Date(&'static str),
    Country,
    NoteOnly,
}

fn id_kind(label: &str) -> IdKind {
    use IdKind::*;
    let l = label.to_ascii_lowercase();
    let has = |s: &str| l.contains(s);
    if l == "gender" {
        return Gender;
    }
    if l.starts_with("digital currency address") {
        return Crypto;
    }
    if l == "vessel registration identification" {
        return Imo;
    }
    // Information about the listing, not identifiers of the party.
    let informational = [
        "sanctions information",
        "secondary sanctions risk",
        "transactions prohibited",
        "executive order",
        "directive",
        "listing date",
        "effective date",
        "divestment date",
        "target type",
        "organization type",
        "issuer name",
        "equity ticker",
        "isin",
        "caatsa",
        "peesa",
        "ifca",
        "un/locode",
        "micex",
        "chinese commercial code",
        "aircraft operator",
        "transponder",
        "former vessel flag",
        "other vessel flag",
    ];
    if informational.iter().any(|s| has(s)) {
        return NoteOnly;
    }
    if has("passport") {
        return Prop(prop::PASSPORT_NUMBER);
    }
    match l.as_str() {
        "mmsi" => return Prop(prop::MMSI),
        "swift/bic" => return Prop(prop::SWIFT_BIC),
        "website" => return Prop(prop::WEBSITE),
        "email address" => return Prop(prop::EMAIL),
        "phone number" => return Prop(prop::PHONE),
        "aircraft model" => return Prop(prop::MODEL),
        "other vessel call sign" => return Prop(prop::CALL_SIGN),
        "other vessel type" => return Prop(prop::TYPE),
        "aircraft manufacture date" => return Date(prop::BUILD_DATE),
        "organization established date" => return Date(prop::INCORPORATION_DATE),
        "nationality of registration" | "registration country" => return Country,
        _ => {}
    }
    if has("serial") || has("construction number") {
        return Prop(prop::SERIAL_NUMBER);
    }
    if has("tail number") {
        return Prop(prop::REGISTRATION_NUMBER);
    }
    let tax = [
        "tax",
        "nit #",
        "r.f.c.",
        "rfc",
        "ruc #",
        "v.a.t.",
        "fein",
        "fiscal code",
        "c.u.i.t.",
        "rif #",
        "tributaria",
        "c.i.f.",
        "rsin",
        "rtn",
    ];
    if tax.iter().any(|s| l == *s || has(s)) {
        return Prop(prop::TAX_NUMBER);
    }
    let registration = [
        "registration number",
        "registration id",
        "registration document",
        "company number",
        "registry number",
        "registration system number",
        "chamber of comm",
        "enterprise number",
        "certificate of incorporation",
        "legal entity number",
        "credit code",
        "trade license",
        "business license",
        "matricula mercantil",
        "folio mercantil",
        "c.r. no.",
        "romanian c.r.",
        "government gazette",
        "branch unit number",
        "business number",
        "le number",
        "registered charity",
        "file number",
        "d-u-n-s",
        "provider license",
        "tourism license",
    ];
    if registration.iter().any(|s| has(s)) || l == "license" {
        return Prop(prop::REGISTRATION_NUMBER);
    }
    // National ID cards, cédulas, CURP, driving licences, residence permits …
    Prop(prop::ID_NUMBER)
}

/// Adds one `ids` record: "[CC, ][issue/expiry dates, ]value, Type".
fn add_id(e: &mut Entity, record: &str) {
    let parts: Vec<&str> = record.split(',').map(str::trim).collect();
    let Some((label, values)) = parts.split_last() else {
        return;
    };
    let label = label.trim_end_matches([':', '-', ' ']).trim();
    let mut values = values;
    let mut qualifiers: Vec<&str> = Vec::new();
    if values.len() >= 2
        && let Some(first) = values.first()
        && first.len() == 2
        && first.bytes().all(|b| b.is_ascii_uppercase())
        && countries::is_code(&first.to_ascii_lowercase())
    {
        qualifiers.push(first);
        values = &values[1..];
    }
    while values.len() >= 2
        && values
            .first()
            .is_some_and(|v| crate::model::ftm::is_full_date(v))
    {
        qualifiers.extend(values.first());
        values = &values[1..];
    }
    let value = values.join(", ");
    if value.is_empty() && label.is_empty() {
        return;
    }
    let note = if qualifiers.is_empty() {
        format!("{label}: {value}")
    } else {
        format!("{label}: {value} ({})", qualifiers.join(", "))
    };
    let mut add_note = !qualifiers.is_empty();
    match id_kind(label) {
        IdKind::Prop(p) => e.add(p, &value),
        IdKind::Imo => {
            // "IMO 8898831"; other registration numbers stay ids, with a note.
            match imo_digits(&value) {
                Some(d) => e.add(prop::IMO_NUMBER, d),
                None => {
                    e.add(prop::ID_NUMBER, &value);
                    add_note = true;
                }
            }
        }
        IdKind::Crypto => {
            let currency = label.rsplit('-').next().unwrap_or("").trim();
            e.add(prop::CRYPTO_WALLET, &format!("{currency}:{value}"));
        }
        IdKind::Gender => match value.to_ascii_lowercase().as_str() {
            g @ ("male" | "female") => e.add(prop::GENDER, g),
            _ => add_note = true,
        },
        IdKind::Date(p) => {
            if let Some(d) = dates::parse_date(&value) {
                e.add(p, &d);
            }
            add_note = true;
        }
        IdKind::Country => {
            if let Some(code) = country(&value) {
                e.add(prop::COUNTRY, code);
            }
            add_note = true;
        }
        IdKind::NoteOnly => add_note = true,
    }
    if add_note {
        e.add(prop::NOTES, &note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity_with_ids(ids: &[&str]) -> Entity {
        let mut e = Entity::new("t", "1", Schema::Person);
        for i in ids {
            add_id(&mut e, i);
        }
        e
    }

    #[test]
    fn ids_records() {
        let e = entity_with_ids(&[
            "JO, 2014-08-30, 2009-08-31, K475336, Passport",
            "QA, 28940000602, National ID No.",
            "IMO 8898831, Vessel Registration Identification",
            "1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3, Digital Currency Address - XBT",
            "Male, Gender",
            "PA, 467323, Doc. 694710, Public Registration Number",
            "16 Jan 2017, Organization Established Date",
            "Subject to Secondary Sanctions, Additional Sanctions Information -",
        ]);
        assert_eq!(e.get(prop::PASSPORT_NUMBER), ["K475336"]);
        assert_eq!(e.get(prop::ID_NUMBER), ["28940000602"]);
        assert_eq!(e.get(prop::IMO_NUMBER), ["8898831"]);
        assert_eq!(
            e.get(prop::CRYPTO_WALLET),
            ["XBT:1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3"]
        );
        assert_eq!(e.get(prop::GENDER), ["male"]);
        assert_eq!(e.get(prop::REGISTRATION_NUMBER), ["467323, Doc. 694710"]);
        assert_eq!(e.get(prop::INCORPORATION_DATE), ["2017-01-16"]);
        assert!(
            e.get(prop::NOTES)
                .contains(&"Passport: K475336 (JO, 2014-08-30, 2009-08-31)".to_string())
        );
        assert!(e.get(prop::NOTES).contains(
            &"Additional Sanctions Information: Subject to Secondary Sanctions".to_string()
        ));
    }

    #[test]
    fn address_countries() {
        assert_eq!(
            address_country("Galerny Proezd 3, Saint-Petersburg, 199106, RU"),
            Some("ru")
        );
        assert_eq!(
            address_country("Jiangsu Province 215314, China, CN"),
            Some("cn")
        );
        assert_eq!(address_country("P.O. BOX 3000, ANTHONY, NM, 88201"), None);
        assert_eq!(address_country("Ramallah II 970"), None);
    }

    #[test]
    fn sub_list_codes() {
        assert_eq!(
            sub_list_code("Sectoral Sanctions Identifications List (SSI) - Treasury Department"),
            Some("SSI")
        );
        assert_eq!(
            sub_list_code("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department"),
            Some("NS-MBS")
        );
        assert_eq!(sub_list_code("no code"), None);
    }
}
