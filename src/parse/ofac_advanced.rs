//! Parser for OFAC's "advanced" sanctions XML (`sdn_advanced.xml`,
//! `cons_advanced.xml`; root `<Sanctions>` in the UN sanctions 1.0 namespace).
//!
//! The format is normalised: reference tables (`ReferenceValueSets`) give the
//! meaning of every numeric id, `Locations` and `IDRegDocuments` are listed
//! once and referenced by id, each `DistinctParty` holds the names and
//! features of one party, and `SanctionsEntries` / `ProfileRelationships`
//! follow at the end. The parser streams the document record by record: it
//! keeps the reference tables, locations and documents in memory, turns every
//! `DistinctParty` into an [`Entity`] as soon as it is read, and applies the
//! sanctions entries and relationships to those entities at the end.
//!
//! This file also holds the OFAC feature, document, name and date-period
//! mappings the OFAC enhanced-XML parser shares. The document is walked with
//! [`super::xml::Walker`].

use super::dates;
use super::xml::{Node, Opened, Walker};
use super::{ParseError, ParsedList, SourceFile, decode_text};
use crate::countries;
use crate::model::{Entity, Schema, prop};
use std::collections::{HashMap, HashSet};

// ---------------------------------------------------------------------------
// Mappings shared by the OFAC XML parsers
// ---------------------------------------------------------------------------

/// The property a name goes to, from the alias type text ("A.K.A.",
/// "F.K.A.", "N.K.A.", "Name") and the primary / low-quality flags.
pub(crate) fn alias_property(
    alias_type: Option<&str>,
    primary: bool,
    low_quality: bool,
) -> &'static str {
    let kind = alias_type.unwrap_or("").to_ascii_lowercase();
    if primary || kind == "name" {
        prop::NAME
    } else if low_quality {
        prop::WEAK_ALIAS
    } else if kind.contains("f.k.a") || kind.contains("fka") || kind.contains("formerly") {
        prop::PREVIOUS_NAME
    } else {
        prop::ALIAS
    }
}

/// Where a name part of the given type goes in a full name: given names
/// first, then patronymic, then the family names; organisation, vessel and
/// aircraft names in document order; anything else at the end.
fn name_part_rank(part_type: &str) -> u8 {
    match part_type.to_ascii_lowercase().as_str() {
        "first name" => 0,
        "middle name" => 1,
        "patronymic" => 2,
        "last name" => 3,
        "matronymic" => 4,
        "maiden name" => 5,
        "entity name" | "vessel name" | "aircraft name" => 0,
        "nickname" => 7,
        _ => 6,
    }
}

/// Joins typed name parts (type text, value) into a whole name in natural
/// order ("Ismail Abdul Salah HANIYA").
pub(crate) fn assemble_name(parts: &[(String, String)]) -> String {
    let mut ordered: Vec<&(String, String)> = parts.iter().collect();
    ordered.sort_by_key(|(t, _)| name_part_rank(t));
    let words: Vec<&str> = ordered
        .iter()
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    words.join(" ")
}

/// Sets `firstName`, `middleName`, `lastName` and `fatherName` of a person
/// from typed name parts.
pub(crate) fn add_person_name_parts(entity: &mut Entity, parts: &[(String, String)]) {
    for (part_type, value) in parts {
        let property = match part_type.to_ascii_lowercase().as_str() {
            "first name" => prop::FIRST_NAME,
            "middle name" => prop::MIDDLE_NAME,
            "last name" | "maiden name" => prop::LAST_NAME,
            "patronymic" => prop::FATHER_NAME,
            _ => continue,
        };
        entity.add(property, value);
    }
}

/// The schema for OFAC's party type words ("Individual", "Entity",
/// "Vessel", "Aircraft").
pub(crate) fn schema_of(kind: &str) -> Schema {
    match kind.trim().to_ascii_lowercase().as_str() {
        "individual" | "person" => Schema::Person,
        "entity" | "organization" | "organisation" => Schema::Organization,
        "vessel" => Schema::Vessel,
        "aircraft" => Schema::Airplane,
        _ => Schema::LegalEntity,
    }
}

/// The longest common date prefix of two ISO dates ("1962-01-01" and
/// "1962-12-31" give "1962"); the first date when they share no year.
fn common_date(a: &str, b: &str) -> String {
    if a == b {
        return a.to_string();
    }
    for len in [7, 4] {
        if let (Some(x), Some(y)) = (a.get(..len), b.get(..len))
            && x == y
        {
            return x.to_string();
        }
    }
    a.to_string()
}

fn span(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(common_date(&a, &b)),
        (Some(a), None) | (None, Some(a)) => Some(a),
        (None, None) => None,
    }
}

/// Dates of an OFAC date period. The start and the end are each given as a
/// window (from .. to); OFAC writes an imprecise date as a period: a year is
/// 1 Jan .. 31 Dec, a month its first .. last day, a range of years
/// 1 Jan of the first .. 31 Dec of the last. The result keeps that
/// precision (`1962`, `1962-04`) and lists every year of a range.
pub(crate) fn period_dates(
    start_from: Option<String>,
    start_to: Option<String>,
    end_from: Option<String>,
    end_to: Option<String>,
) -> Vec<String> {
    let start = span(start_from, start_to);
    let end = span(end_from, end_to);
    let (s, e) = match (start, end) {
        (None, None) => return Vec::new(),
        (Some(s), None) | (None, Some(s)) => return vec![s],
        (Some(s), Some(e)) => (s, e),
    };
    if s == e {
        return vec![s];
    }
    let (Some(sy), Some(ey)) = (s.get(..4), e.get(..4)) else {
        return vec![s, e];
    };
    let starts_year = s.len() == 4 || s.ends_with("-01-01");
    let ends_year = e.len() == 4 || e.ends_with("-12-31");
    if starts_year && ends_year {
        if sy == ey {
            return vec![sy.to_string()];
        }
        let years = dates::parse_dates(&format!("{sy} to {ey}")).dates;
        if !years.is_empty() {
            return years;
        }
    }
    if s.len() == 10 && e.len() == 10 && s.get(..7) == e.get(..7) && s.ends_with("-01") {
        let year: i64 = sy.parse().unwrap_or(0);
        let month: u32 = s.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
        let last = format!("{:02}", dates::days_in_month(year, month));
        if e.get(8..10) == Some(last.as_str()) {
            return s.get(..7).map(|m| vec![m.to_string()]).unwrap_or_default();
        }
    }
    let range = dates::parse_dates(&format!("{s} to {e}")).dates;
    if range.is_empty() { vec![s, e] } else { range }
}

/// The value of one OFAC feature (a typed fact about a party) in a form
/// both XML formats can produce.
#[derive(Debug, Clone, Default)]
pub(crate) struct FeatureValue {
    /// The value as text (detail text, lookup text, place text, date text).
    pub text: Option<String>,
    /// ISO country code when the value is or contains a country.
    pub country: Option<&'static str>,
    /// The full address when the value is a place with address parts.
    pub address: Option<String>,
    /// ISO dates (partial where the source is partial).
    pub dates: Vec<String>,
    /// The source marks the date approximate.
    pub approximate: bool,
    /// A comment on the value.
    pub comment: Option<String>,
}

/// A feature label without its trailing punctuation ("Secondary sanctions
/// risk:" → "Secondary sanctions risk").
fn clean_label(label: &str) -> &str {
    label.trim().trim_end_matches([':', '-']).trim_end()
}

fn note(entity: &mut Entity, label: &str, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    entity.add(prop::NOTES, &format!("{}: {value}", clean_label(label)));
}

/// Digits of an identifier written with a prefix ("IMO 9187629" → "9187629").
fn digits_of(value: &str) -> String {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        value.trim().to_string()
    } else {
        digits
    }
}

/// Applies one feature to an entity: the known OFAC feature types go to
/// their model property, everything else is kept as a note.
pub(crate) fn apply_feature(entity: &mut Entity, label: &str, value: &FeatureValue) {
    let key = clean_label(label).to_ascii_lowercase();
    let text = value.text.as_deref().unwrap_or("").trim();
    let date_values = |v: &FeatureValue| -> Vec<String> {
        if !v.dates.is_empty() {
            v.dates.clone()
        } else {
            dates::parse_dates(text).dates
        }
    };
    if let Some(comment) = &value.comment {
        let shown = if text.is_empty() {
            clean_label(label).to_string()
        } else {
            format!("{} {text}", clean_label(label))
        };
        note(entity, &shown, comment);
    }
    match key.as_str() {
        "birthdate" | "date of birth" => {
            let mut found = date_values(value);
            found.retain(|d| dates::plausible_birth_date(d));
            if found.is_empty() {
                note(entity, label, text);
            }
            let approximate = value.approximate
                || text.to_ascii_lowercase().starts_with("circa")
                || text.to_ascii_lowercase().starts_with("approx");
            if approximate && !found.is_empty() {
                entity.add(
                    prop::NOTES,
                    &format!("birth date approximate: circa {}", found.join(", ")),
                );
            }
            for d in &found {
                entity.add(prop::BIRTH_DATE, d);
            }
        }
        "place of birth" => entity.add(prop::BIRTH_PLACE, text),
        "nationality country" | "nationality" => {
            country_prop(entity, prop::NATIONALITY, label, value)
        }
        "citizenship country" | "citizenship" => {
            country_prop(entity, prop::CITIZENSHIP, label, value)
        }
        "nationality of registration" | "registration country" => {
            country_prop(entity, prop::COUNTRY, label, value)
        }
        "vessel flag" => country_prop(entity, prop::FLAG, label, value),
        "location" | "address" => {
            if let Some(address) = &value.address {
                entity.add(prop::ADDRESS, address);
            }
            match &value.country {
                Some(code) => entity.add(prop::COUNTRY, code),
                None if value.address.is_none() => note(entity, "Address", text),
                None => {}
            }
        }
        "gender" => match text.to_ascii_lowercase().as_str() {
            "male" | "m" => entity.add(prop::GENDER, "male"),
            "female" | "f" => entity.add(prop::GENDER, "female"),
            _ => note(entity, label, text),
        },
        "title" => entity.add(prop::TITLE, text),
        "website" => entity.add(prop::WEBSITE, text),
        "email address" | "email" => entity.add(prop::EMAIL, text),
        "phone number" | "phone" => entity.add(prop::PHONE, text),
        "swift/bic" => entity.add(prop::SWIFT_BIC, text),
        "vessel call sign" | "other vessel call sign" => entity.add(prop::CALL_SIGN, text),
        "vessel type" | "other vessel type" => entity.add(prop::TYPE, text),
        "vessel owner" | "aircraft operator" => entity.add(prop::OWNER, text),
        "vessel year of build" | "aircraft manufacture date" => {
            let found = date_values(value);
            if found.is_empty() {
                entity.add(prop::BUILD_DATE, text);
            }
            for d in &found {
                entity.add(prop::BUILD_DATE, d);
            }
        }
        "mmsi" => entity.add(prop::MMSI, &digits_of(text)),
        "aircraft model" => entity.add(prop::MODEL, text),
        "aircraft tail number"
        | "previous aircraft tail number"
        | "aircraft mode s transponder code"
        | "d-u-n-s number" => entity.add(prop::REGISTRATION_NUMBER, text),
        "bik (ru)" => entity.add(prop::ID_NUMBER, text),
        "organization established date" => {
            let found = date_values(value);
            if found.is_empty() {
                note(entity, label, text);
            }
            for d in &found {
                entity.add(prop::INCORPORATION_DATE, d);
            }
        }
        "issuer name" => entity.add(prop::ALIAS, text),
        k if k.contains("tonnage") => entity.add(prop::TONNAGE, text),
        k if k.contains("serial number") || k.contains("construction number") => {
            entity.add(prop::SERIAL_NUMBER, text)
        }
        k if k.starts_with("digital currency address") => {
            let currency = clean_label(label)
                .rsplit('-')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_uppercase();
            if !text.is_empty() {
                if currency.is_empty() {
                    entity.add(prop::CRYPTO_WALLET, text);
                } else {
                    entity.add(prop::CRYPTO_WALLET, &format!("{currency}:{text}"));
                }
            }
        }
        k if k.starts_with("listing date") => {
            let found = date_values(value);
            for d in &found {
                entity.add(prop::LISTING_DATE, d);
            }
            let shown = if found.is_empty() {
                text.to_string()
            } else {
                found.join(", ")
            };
            note(entity, label, &shown);
        }
        _ => {
            let shown = if !value.dates.is_empty() {
                value.dates.join(", ")
            } else if !text.is_empty() {
                text.to_string()
            } else {
                value.address.clone().unwrap_or_default()
            };
            note(entity, label, &shown);
        }
    }
}

fn country_prop(entity: &mut Entity, property: &str, label: &str, value: &FeatureValue) {
    match &value.country {
        Some(code) => entity.add(property, code),
        None => {
            let text = value.text.as_deref().unwrap_or("");
            match countries::code_or_name(text) {
                Some(code) => entity.add(property, code),
                None => note(entity, label, text),
            }
        }
    }
}

/// One identity or registration document of a party.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdDocument {
    pub doc_type: String,
    pub number: String,
    /// Code of the issuing country, when known.
    pub country: Option<&'static str>,
    /// Qualifying text: issuing country name, place, authority, dates, validity.
    pub qualifiers: Vec<String>,
}

/// The property an OFAC document type goes to.
fn document_property(doc_type: &str, schema: Schema) -> &'static str {
    let t = doc_type.trim().to_ascii_lowercase();
    if t.contains("passport") {
        return prop::PASSPORT_NUMBER;
    }
    if t == "vessel registration identification" || t.starts_with("imo") {
        return if schema == Schema::Vessel || t.starts_with("imo") {
            prop::IMO_NUMBER
        } else {
            prop::REGISTRATION_NUMBER
        };
    }
    if t == "mmsi" {
        return prop::MMSI;
    }
    if t.contains("swift") {
        return prop::SWIFT_BIC;
    }
    if t.contains("aircraft serial") {
        return prop::SERIAL_NUMBER;
    }
    const TAX: [&str; 12] = [
        "tax", "v.a.t", "vat ", "ruc", "r.f.c", "rfc", "nit #", "rif #", "rtn", "fiscal", "c.i.f",
        "n.i.f",
    ];
    if TAX.iter().any(|k| t.contains(k)) {
        return prop::TAX_NUMBER;
    }
    const REGISTRATION: [&str; 14] = [
        "registr",
        "company number",
        "business number",
        "c.r. no",
        "chamber of comm",
        "incorporation",
        "legal entity number",
        "le number",
        "credit code",
        "enterprise number",
        "matricula mercantil",
        "organization code",
        "rsin",
        "commercial code",
    ];
    if REGISTRATION.iter().any(|k| t.contains(k)) {
        return prop::REGISTRATION_NUMBER;
    }
    prop::ID_NUMBER
}

/// Adds a document: the number to its property, the issuing country of a
/// non-person's registration to `country`, and a note naming the document
/// type with its qualifiers.
pub(crate) fn apply_document(entity: &mut Entity, doc: &IdDocument) {
    let number = doc.number.trim();
    if number.is_empty() {
        return;
    }
    let property = document_property(&doc.doc_type, entity.schema);
    let value = if property == prop::IMO_NUMBER || property == prop::MMSI {
        digits_of(number)
    } else {
        number.to_string()
    };
    entity.add(property, &value);
    if entity.schema != Schema::Person
        && let Some(code) = &doc.country
    {
        entity.add(prop::COUNTRY, code);
    }
    let label = if doc.doc_type.trim().is_empty() {
        "Identifier"
    } else {
        doc.doc_type.trim()
    };
    let mut text = format!("{label}: {number}");
    if !doc.qualifiers.is_empty() {
        text.push_str(&format!(" ({})", doc.qualifiers.join("; ")));
    }
    entity.add(prop::NOTES, &text);
}

/// Orders address parts by their OFAC type and joins them with the country
/// name into one address line.
pub(crate) fn assemble_address(
    parts: &[(String, String)],
    country_name: Option<&str>,
) -> Option<String> {
    fn rank(part_type: &str) -> u8 {
        match part_type.to_ascii_uppercase().as_str() {
            "ADDRESS1" => 0,
            "ADDRESS2" => 1,
            "ADDRESS3" => 2,
            "CITY" => 3,
            "STATE/PROVINCE" => 4,
            "POSTAL CODE" => 5,
            "REGION" => 6,
            _ => 7,
        }
    }
    let mut ordered: Vec<&(String, String)> =
        parts.iter().filter(|(_, v)| !v.trim().is_empty()).collect();
    if ordered.is_empty() {
        return None;
    }
    ordered.sort_by_key(|(t, _)| rank(t));
    let mut words: Vec<&str> = ordered.iter().map(|(_, v)| v.trim()).collect();
    if let Some(c) = country_name.map(str::trim).filter(|c| !c.is_empty())
        && !c.eq_ignore_ascii_case("undetermined")
        && !words.iter().any(|w| w.eq_ignore_ascii_case(c))
    {
        words.push(c);
    }
    Some(words.join(", "))
}

// ---------------------------------------------------------------------------
// The advanced format
// ---------------------------------------------------------------------------

/// Reference tables, locations and documents read so far, and the entities.
#[derive(Default)]
struct State {
    /// Reference values by element name ("AliasType") and ID.
    refs: HashMap<String, HashMap<String, Node>>,
    /// `Location` records by ID.
    locations: HashMap<String, Node>,
    /// `IDRegDocument` records by the ID of the identity they belong to.
    documents: HashMap<String, Vec<Node>>,
    entities: Vec<Entity>,
    /// Entity index by profile ID.
    profiles: HashMap<String, usize>,
    uids: HashSet<String>,
    /// Sanctions entries and relationships, applied once every party is read.
    entries: Vec<Node>,
    relationships: Vec<Node>,
    published: Option<String>,
}

/// One spelling (`DocumentedName`) of an alias: its typed parts, whether
/// every part is in Latin script, and whether OFAC marks it "Primary Latin".
struct Spelling {
    parts: Vec<(String, String)>,
    latin: bool,
    primary_latin: bool,
}

/// A place resolved from a `Location` record.
struct Place {
    country: Option<&'static str>,
    country_name: Option<String>,
    address: Option<String>,
}

impl Place {
    fn shown(&self) -> Option<String> {
        self.address.clone().or_else(|| {
            self.country_name
                .clone()
                .filter(|c| !c.eq_ignore_ascii_case("undetermined"))
        })
    }
}

/// An ISO date from a node with `Year`, `Month`, `Day` children (partial
/// when month or day are missing or out of range).
fn ymd_date(node: Option<&Node>) -> Option<String> {
    let node = node?;
    let year: i64 = node.child_value("Year")?.parse().ok()?;
    if !(1000..=2100).contains(&year) {
        return None;
    }
    let month: Option<u32> = node.child_value("Month").and_then(|m| m.parse().ok());
    let day: Option<u32> = node.child_value("Day").and_then(|d| d.parse().ok());
    match (month, day) {
        (Some(m), Some(d))
            if (1..=12).contains(&m) && d >= 1 && d <= dates::days_in_month(year, m) =>
        {
            Some(format!("{year:04}-{m:02}-{d:02}"))
        }
        (Some(m), _) if (1..=12).contains(&m) => Some(format!("{year:04}-{m:02}")),
        _ => Some(format!("{year:04}")),
    }
}

/// The dates of a `DatePeriod` element and whether it is approximate.
fn date_period(period: &Node) -> (Vec<String>, bool) {
    let start = period.child("Start");
    let end = period.child("End");
    let approximate = [start, end].iter().flatten().any(|n| {
        n.attr("Approximate")
            .is_some_and(|a| a.eq_ignore_ascii_case("true"))
    });
    let dates = period_dates(
        ymd_date(start.and_then(|s| s.child("From"))),
        ymd_date(start.and_then(|s| s.child("To"))),
        ymd_date(end.and_then(|s| s.child("From"))),
        ymd_date(end.and_then(|s| s.child("To"))),
    );
    (dates, approximate)
}

impl State {
    fn reference(&self, kind: &str, id: Option<&str>) -> Option<&Node> {
        self.refs.get(kind)?.get(id?)
    }

    fn ref_text(&self, kind: &str, id: Option<&str>) -> Option<&str> {
        self.reference(kind, id).and_then(Node::value)
    }

    fn load_reference_sets(&mut self, sets: Node) {
        for set in sets.children {
            for value in set.children {
                if let Some(id) = value.attr("ID").map(str::to_string) {
                    self.refs
                        .entry(value.name.clone())
                        .or_default()
                        .insert(id, value);
                }
            }
        }
    }

    /// Country code and name of a `Country` reference.
    fn country(&self, id: Option<&str>) -> (Option<&'static str>, Option<String>) {
        let Some(node) = self.reference("Country", id) else {
            return (None, None);
        };
        let name = node.value().map(str::to_string);
        let code = node
            .attr("ISO2")
            .and_then(countries::iso_code)
            .or_else(|| name.as_deref().and_then(countries::code_or_name));
        (code, name)
    }

    fn place(&self, location_id: Option<&str>) -> Option<Place> {
        let loc = self.locations.get(location_id?)?;
        let (mut country, mut country_name) = (None, None);
        for lc in loc.children_named("LocationCountry") {
            let (code, name) = self.country(lc.attr("CountryID"));
            if country.is_none() {
                country = code;
            }
            if country_name.is_none() {
                country_name = name;
            }
        }
        if country.is_none() {
            for area in loc.children_named("LocationAreaCode") {
                if let Some(a) = self.reference("AreaCode", area.attr("AreaCodeID")) {
                    country = self
                        .country(a.attr("CountryID"))
                        .0
                        .or_else(|| a.value().and_then(countries::code_or_name))
                        .or_else(|| a.attr("Description").and_then(countries::code_or_name));
                    if country_name.is_none() {
                        country_name = a.attr("Description").map(str::to_string);
                    }
                }
            }
        }
        let mut parts: Vec<(String, String)> = Vec::new();
        for part in loc.children_named("LocationPart") {
            let part_type = self
                .ref_text("LocPartType", part.attr("LocPartTypeID"))
                .unwrap_or("Unknown")
                .to_string();
            let values: Vec<&Node> = part.children_named("LocationPartValue").collect();
            let chosen = values
                .iter()
                .find(|v| {
                    v.attr("Primary")
                        .is_some_and(|p| p.eq_ignore_ascii_case("true"))
                })
                .or(values.first());
            if let Some(value) = chosen.and_then(|v| v.child_value("Value")) {
                parts.push((part_type, value.to_string()));
            }
        }
        // A place given only as a country name in an untyped part ("Switzerland").
        if parts.len() == 1
            && let Some((t, v)) = parts.first()
            && t.eq_ignore_ascii_case("Unknown")
            && let Some(code) = countries::code_or_name(v)
        {
            if country.is_none() {
                country = Some(code);
            }
            if country_name.is_none() {
                country_name = Some(v.clone());
            }
            parts.clear();
        }
        let address = assemble_address(&parts, country_name.as_deref());
        Some(Place {
            country,
            country_name,
            address,
        })
    }

    fn schema(&self, profile: &Node) -> Schema {
        let Some(sub) = self.reference("PartySubType", profile.attr("PartySubTypeID")) else {
            return Schema::LegalEntity;
        };
        match sub.value() {
            Some(t) if !t.eq_ignore_ascii_case("unknown") => schema_of(t),
            _ => self
                .ref_text("PartyType", sub.attr("PartyTypeID"))
                .map(schema_of)
                .unwrap_or(Schema::LegalEntity),
        }
    }

    fn is_latin(&self, script_id: Option<&str>) -> bool {
        match self.reference("Script", script_id) {
            None => true,
            Some(s) => {
                let code = s.attr("ScriptCode").or(s.value()).unwrap_or("Latin");
                code.eq_ignore_ascii_case("latin") || code.eq_ignore_ascii_case("latn")
            }
        }
    }

    fn add_identity(&self, entity: &mut Entity, identity: &Node) {
        // Name part group → its type text.
        let mut part_types: HashMap<&str, &str> = HashMap::new();
        for group in identity.descend(&["NamePartGroups", "MasterNamePartGroup", "NamePartGroup"]) {
            if let (Some(id), Some(t)) = (
                group.attr("ID"),
                self.ref_text("NamePartType", group.attr("NamePartTypeID")),
            ) {
                part_types.insert(id, t);
            }
        }
        for alias in identity.children_named("Alias") {
            let primary = alias
                .attr("Primary")
                .is_some_and(|p| p.eq_ignore_ascii_case("true"));
            let low = alias
                .attr("LowQuality")
                .is_some_and(|p| p.eq_ignore_ascii_case("true"));
            let alias_type = self.ref_text("AliasType", alias.attr("AliasTypeID"));
            let property = alias_property(alias_type, primary, low);
            let names: Vec<&Node> = alias.children_named("DocumentedName").collect();
            let mut built: Vec<Spelling> = Vec::new();
            for name in &names {
                let mut parts = Vec::new();
                let mut latin = true;
                for value in name.descend(&["DocumentedNamePart", "NamePartValue"]) {
                    let part_type = value
                        .attr("NamePartGroupID")
                        .and_then(|g| part_types.get(g).copied())
                        .unwrap_or("");
                    latin &= self.is_latin(value.attr("ScriptID"));
                    if let Some(v) = value.value() {
                        parts.push((part_type.to_string(), v.to_string()));
                    }
                }
                let status_primary = self
                    .ref_text("DocNameStatus", name.attr("DocNameStatusID"))
                    .is_some_and(|s| s.eq_ignore_ascii_case("primary latin"));
                built.push(Spelling {
                    parts,
                    latin,
                    primary_latin: status_primary,
                });
            }
            // The main spelling of the alias: the "Primary Latin" one, else
            // the first Latin one, else the first.
            let main = built
                .iter()
                .position(|s| s.primary_latin)
                .or_else(|| built.iter().position(|s| s.latin))
                .unwrap_or(0);
            for (i, Spelling { parts, .. }) in built.iter().enumerate() {
                let full = assemble_name(parts);
                let p = if i != main && property == prop::NAME {
                    prop::ALIAS
                } else {
                    property
                };
                entity.add(p, &full);
                if i == main && property == prop::NAME && entity.schema == Schema::Person {
                    add_person_name_parts(entity, parts);
                }
            }
        }
        if let Some(id) = identity.attr("ID")
            && let Some(docs) = self.documents.get(id)
        {
            for doc in docs {
                let d = self.document(doc);
                apply_document(entity, &d);
            }
        }
    }

    fn document(&self, doc: &Node) -> IdDocument {
        let doc_type = self
            .ref_text("IDRegDocType", doc.attr("IDRegDocTypeID"))
            .unwrap_or("")
            .to_string();
        let number = doc
            .child_value("IDRegistrationNo")
            .unwrap_or("")
            .to_string();
        let (country, country_name) = self.country(doc.attr("IssuedBy-CountryID"));
        let mut qualifiers = Vec::new();
        let issuer = country_name.or_else(|| country.map(str::to_string));
        if let Some(name) = &issuer {
            qualifiers.push(format!("issued by {name}"));
        }
        if let Some(place) = self
            .place(doc.attr("IssuedIn-LocationID"))
            .and_then(|p| p.shown())
            && !issuer
                .as_deref()
                .is_some_and(|i| i.eq_ignore_ascii_case(&place))
        {
            qualifiers.push(format!("issued in {place}"));
        }
        if let Some(a) = doc.child_value("IssuingAuthority") {
            qualifiers.push(format!("authority {a}"));
        }
        for date in doc.children_named("DocumentDate") {
            let kind = self
                .ref_text("IDRegDocDateType", date.attr("IDRegDocDateTypeID"))
                .unwrap_or("date");
            if let Some(period) = date.child("DatePeriod") {
                let (found, _) = date_period(period);
                if !found.is_empty() {
                    qualifiers.push(format!(
                        "{} {}",
                        kind.to_ascii_lowercase(),
                        found.join(", ")
                    ));
                }
            }
        }
        if let Some(v) = self.ref_text("Validity", doc.attr("ValidityID"))
            && !v.eq_ignore_ascii_case("valid")
        {
            qualifiers.push(v.to_ascii_lowercase());
        }
        if let Some(c) = doc.child_value("Comment") {
            qualifiers.push(c.to_string());
        }
        IdDocument {
            doc_type,
            number,
            country,
            qualifiers,
        }
    }

    fn add_feature(&self, entity: &mut Entity, feature: &Node) {
        let label = self
            .ref_text("FeatureType", feature.attr("FeatureTypeID"))
            .unwrap_or("Feature")
            .to_string();
        for version in feature.children_named("FeatureVersion") {
            let comment = version.child_value("Comment").map(str::to_string);
            let mut values: Vec<FeatureValue> = Vec::new();
            if let Some(period) = version.child("DatePeriod") {
                let (found, approximate) = date_period(period);
                if !found.is_empty() {
                    values.push(FeatureValue {
                        text: Some(found.join(", ")),
                        dates: found,
                        approximate,
                        ..FeatureValue::default()
                    });
                }
            }
            for detail in version.children_named("VersionDetail") {
                let text = match detail.attr("DetailReferenceID") {
                    Some(r) => self
                        .ref_text("DetailReference", Some(r))
                        .map(str::to_string),
                    None => detail.value().map(str::to_string),
                };
                if let Some(text) = text {
                    let is_country = self
                        .ref_text("DetailType", detail.attr("DetailTypeID"))
                        .is_some_and(|t| t.eq_ignore_ascii_case("country"));
                    values.push(FeatureValue {
                        country: if is_country {
                            countries::code_or_name(&text)
                        } else {
                            None
                        },
                        text: Some(text),
                        ..FeatureValue::default()
                    });
                }
            }
            for loc in version.children_named("VersionLocation") {
                if let Some(place) = self.place(loc.attr("LocationID")) {
                    values.push(FeatureValue {
                        text: place.shown(),
                        country: place.country,
                        address: place.address.clone(),
                        ..FeatureValue::default()
                    });
                }
            }
            if values.is_empty()
                && let Some(c) = &comment
            {
                note(&mut *entity, &label, c);
                continue;
            }
            for (i, mut value) in values.into_iter().enumerate() {
                if i == 0 {
                    value.comment = comment.clone();
                }
                apply_feature(entity, &label, &value);
            }
        }
    }

    fn add_party(
        &mut self,
        list_id: &str,
        party: &Node,
        records: &Walker<'_>,
        at: u64,
    ) -> Result<(), ParseError> {
        let profiles: Vec<&Node> = party.children_named("Profile").collect();
        let uid = party
            .attr("FixedRef")
            .or_else(|| profiles.first().and_then(|p| p.attr("ID")))
            .ok_or_else(|| records.error_at(at, "DistinctParty without FixedRef or Profile ID"))?
            .to_string();
        if !self.uids.insert(uid.clone()) {
            return Err(records.error_at(at, format!("DistinctParty {uid} appears twice")));
        }
        let schema = profiles
            .first()
            .map(|p| self.schema(p))
            .unwrap_or(Schema::LegalEntity);
        let mut entity = Entity::new(list_id, &uid, schema);
        if let Some(c) = party.child_value("Comment") {
            entity.add(prop::NOTES, c);
        }
        for profile in &profiles {
            if let Some(c) = profile.child_value("Comment") {
                entity.add(prop::NOTES, c);
            }
            for identity in profile.children_named("Identity") {
                self.add_identity(&mut entity, identity);
            }
            for feature in profile.children_named("Feature") {
                self.add_feature(&mut entity, feature);
            }
        }
        let index = self.entities.len();
        self.profiles.insert(uid, index);
        for profile in &profiles {
            if let Some(id) = profile.attr("ID") {
                self.profiles.insert(id.to_string(), index);
            }
        }
        self.entities.push(entity);
        Ok(())
    }

    fn apply_entries(&mut self) {
        let entries = std::mem::take(&mut self.entries);
        for entry in &entries {
            let Some(&index) = entry.attr("ProfileID").and_then(|p| self.profiles.get(p)) else {
                continue;
            };
            let mut notes: Vec<(String, String)> = Vec::new();
            let mut listing = Vec::new();
            let mut programs = Vec::new();
            if let Some(list) = self.ref_text("List", entry.attr("ListID")) {
                notes.push(("Sanctions list".into(), list.to_string()));
            }
            for event in entry.children_named("EntryEvent") {
                listing.extend(ymd_date(event.child("Date")));
                if let Some(basis) = self.ref_text("LegalBasis", event.attr("LegalBasisID"))
                    && !basis.eq_ignore_ascii_case("unknown")
                {
                    notes.push(("Legal authority".into(), basis.to_string()));
                }
                if let Some(c) = event.child_value("Comment") {
                    notes.push(("Listing".into(), c.to_string()));
                }
            }
            for measure in entry.children_named("SanctionsMeasure") {
                let kind = self.ref_text("SanctionsType", measure.attr("SanctionsTypeID"));
                let comment = measure.child_value("Comment");
                match (kind, comment) {
                    (Some(k), Some(c)) if k.eq_ignore_ascii_case("program") => {
                        programs.push(c.to_string())
                    }
                    (Some(k), c) => {
                        notes.push(("Sanctions type".into(), k.to_string()));
                        if let Some(c) = c {
                            notes.push((k.to_string(), c.to_string()));
                        }
                    }
                    (None, Some(c)) => notes.push(("Sanctions measure".into(), c.to_string())),
                    (None, None) => {}
                }
            }
            if let Some(entity) = self.entities.get_mut(index) {
                for p in &programs {
                    entity.add(prop::PROGRAM, p);
                }
                for d in &listing {
                    entity.add(prop::LISTING_DATE, d);
                }
                for (label, text) in &notes {
                    note(entity, label, text);
                }
            }
        }
    }

    fn apply_relationships(&mut self) {
        let relationships = std::mem::take(&mut self.relationships);
        for rel in &relationships {
            let Some(&from) = rel
                .attr("From-ProfileID")
                .and_then(|p| self.profiles.get(p))
            else {
                continue;
            };
            let to_id = rel.attr("To-ProfileID").unwrap_or("");
            let to_name = self
                .profiles
                .get(to_id)
                .and_then(|&i| self.entities.get(i))
                .map(|e| {
                    e.first(prop::NAME)
                        .or_else(|| e.names().next().map(|(_, n)| n))
                        .unwrap_or("")
                        .to_string()
                })
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("party {to_id}"));
            let kind = self
                .ref_text("RelationType", rel.attr("RelationTypeID"))
                .unwrap_or("Linked to")
                .to_string();
            let former = rel
                .attr("Former")
                .is_some_and(|f| f.eq_ignore_ascii_case("true"));
            let text = if former {
                format!("{to_name} (former)")
            } else {
                to_name
            };
            if let Some(entity) = self.entities.get_mut(from) {
                note(entity, &kind, &text);
            }
        }
    }
}

fn parse_file(list_id: &str, file: &SourceFile) -> Result<ParsedList, ParseError> {
    let text = decode_text(file);
    let mut records = Walker::new(file, &text);
    let mut state = State::default();
    while let Some(Opened {
        start,
        at,
        depth,
        parent,
        name,
    }) = records.next_open()?
    {
        match (depth, parent.as_str(), name.as_str()) {
            (1, _, "Sanctions") => {}
            (1, _, other) => {
                return Err(records.error_at(
                    at,
                    format!("not an OFAC advanced XML file: the root element is <{other}>, not <Sanctions>"),
                ));
            }
            (2, _, "DateOfIssue") => {
                let node = records.read_node(&start)?;
                state.published = ymd_date(Some(&node));
            }
            (2, _, "ReferenceValueSets") => {
                let node = records.read_node(&start)?;
                state.load_reference_sets(node);
            }
            (
                2,
                _,
                "Locations"
                | "IDRegDocuments"
                | "DistinctParties"
                | "ProfileRelationships"
                | "SanctionsEntries",
            ) => {}
            (3, "Locations", "Location") => {
                let node = records.read_node(&start)?;
                if let Some(id) = node.attr("ID").map(str::to_string) {
                    state.locations.insert(id, node);
                }
            }
            (3, "IDRegDocuments", "IDRegDocument") => {
                let node = records.read_node(&start)?;
                if let Some(id) = node.attr("IdentityID").map(str::to_string) {
                    state.documents.entry(id).or_default().push(node);
                }
            }
            (3, "DistinctParties", "DistinctParty") => {
                let node = records.read_node(&start)?;
                state.add_party(list_id, &node, &records, at)?;
            }
            (3, "ProfileRelationships", "ProfileRelationship") => {
                state.relationships.push(records.read_node(&start)?);
            }
            (3, "SanctionsEntries", "SanctionsEntry") => {
                state.entries.push(records.read_node(&start)?);
            }
            _ => records.skip(&start)?,
        }
    }
    state.apply_entries();
    state.apply_relationships();
    Ok(ParsedList {
        entities: state.entities,
        published: state.published,
        ..ParsedList::default()
    })
}

/// Parses OFAC advanced XML files (one per list) into entities of `list_id`.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    parse_each(files, |file| parse_file(list_id, file))
}

/// Parses the files of a set one by one with `parse_file` and joins the
/// results; a party in two files is an error (the files of a set are
/// separate lists, e.g. SDN and consolidated).
pub(crate) fn parse_each(
    files: &[SourceFile],
    parse_file: impl Fn(&SourceFile) -> Result<ParsedList, ParseError>,
) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut ids = HashSet::new();
    for file in files {
        let parsed = parse_file(file)?;
        for e in parsed.entities {
            if !ids.insert(e.id.clone()) {
                return Err(ParseError::new(
                    &file.name,
                    format!("party {} is listed in more than one file", e.id),
                ));
            }
            out.entities.push(e);
        }
        if out.published.is_none() {
            out.published = parsed.published;
        }
        out.warnings.extend(parsed.warnings);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_keep_their_precision() {
        let d = |s: &str| Some(s.to_string());
        assert_eq!(
            period_dates(
                d("1962-01-01"),
                d("1962-01-01"),
                d("1962-12-31"),
                d("1962-12-31")
            ),
            ["1962"]
        );
        assert_eq!(
            period_dates(
                d("1966-02-13"),
                d("1966-02-13"),
                d("1966-02-13"),
                d("1966-02-13")
            ),
            ["1966-02-13"]
        );
        assert_eq!(
            period_dates(
                d("1960-01-01"),
                d("1960-01-01"),
                d("1962-12-31"),
                d("1962-12-31")
            ),
            ["1960", "1961", "1962"]
        );
        assert_eq!(
            period_dates(
                d("1965-04-01"),
                d("1965-04-01"),
                d("1965-04-30"),
                d("1965-04-30")
            ),
            ["1965-04"]
        );
        assert_eq!(period_dates(d("1970"), None, None, None), ["1970"]);
        assert!(period_dates(None, None, None, None).is_empty());
    }

    #[test]
    fn name_parts_in_natural_order() {
        let parts = vec![
            ("Last Name".to_string(), "HANIYA".to_string()),
            ("First Name".to_string(), "Ismail Abdul Salah".to_string()),
        ];
        assert_eq!(assemble_name(&parts), "Ismail Abdul Salah HANIYA");
    }

    #[test]
    fn document_types_map_to_properties() {
        assert_eq!(
            document_property("Passport", Schema::Person),
            prop::PASSPORT_NUMBER
        );
        assert_eq!(
            document_property("Tax ID No.", Schema::Organization),
            prop::TAX_NUMBER
        );
        assert_eq!(
            document_property("V.A.T. Number", Schema::Organization),
            prop::TAX_NUMBER
        );
        assert_eq!(
            document_property("Registration ID", Schema::Organization),
            prop::REGISTRATION_NUMBER
        );
        assert_eq!(
            document_property("Vessel Registration Identification", Schema::Vessel),
            prop::IMO_NUMBER
        );
        assert_eq!(
            document_property("National ID No.", Schema::Person),
            prop::ID_NUMBER
        );
        assert_eq!(
            document_property("Government Gazette Number", Schema::Organization),
            prop::ID_NUMBER
        );
    }

    #[test]
    fn crypto_and_vessel_features() {
        let mut e = Entity::new("x", "1", Schema::Vessel);
        let v = |t: &str| FeatureValue {
            text: Some(t.to_string()),
            ..FeatureValue::default()
        };
        apply_feature(&mut e, "Digital Currency Address - XBT", &v("1AbcDef"));
        apply_feature(&mut e, "Vessel Call Sign", &v("9BQW"));
        apply_feature(&mut e, "Vessel Flag", &v("Iran"));
        apply_feature(&mut e, "MMSI", &v("422026400"));
        apply_feature(&mut e, "Secondary sanctions risk:", &v("Section 1(b)"));
        assert_eq!(e.get(prop::CRYPTO_WALLET), ["XBT:1AbcDef"]);
        assert_eq!(e.get(prop::CALL_SIGN), ["9BQW"]);
        assert_eq!(e.get(prop::FLAG), ["ir"]);
        assert_eq!(e.get(prop::MMSI), ["422026400"]);
        assert_eq!(
            e.get(prop::NOTES),
            ["Secondary sanctions risk: Section 1(b)"]
        );
    }
}
