//! Parser for the UK OFSI Consolidated List workbook (`ConList.xlsx`,
//! format `ofsi_xlsx`, list `gb_hmt_sanctions`).
//!
//! The sheet has one row per *name* of a party; all rows of one "Group ID"
//! are one entity. Above the header row there is a "Last Updated" line with
//! the publication date. Row types ("Alias Type"): "Primary name" → `name`,
//! "Primary name variation" and "AKA" → `alias` ("AKA" of "Low quality" →
//! `weakAlias`), "FKA" → `previousName`; "Name Non-Latin Script" → `alias`.
//! Several columns hold numbered lists ("(1) Russia (2) Syria",
//! "(1) to (6) Algeria (7) Morocco"); items with the same number in the
//! town/country of birth and passport/ID number/details columns belong
//! together. "Other Information" is kept whole in `notes`, and the labelled
//! facts inside it ("(Gender):Male", "(IMO number):8712362", "(Flag of
//! ship):North Korea", …) are also mapped to their properties.

use super::au_dfat::countries_in;
use super::dates::{parse_birth_dates, parse_dates};
use super::xlsx::{self, Header, OFSI_HEADERS, Row};
use super::{ParseError, ParsedList, SourceFile};
use crate::countries::nationality_code;
use crate::model::{Entity, Schema, prop};
use std::collections::{HashMap, HashSet};

/// Column positions of one ConList sheet (absent columns are `None`).
struct Cols {
    /// "Name 1" … "Name 6" (Name 6 is the surname or the entity's name).
    names: [Option<usize>; 6],
    title: Option<usize>,
    non_latin: Option<usize>,
    non_latin_type: Option<usize>,
    non_latin_lang: Option<usize>,
    dob: Option<usize>,
    town_of_birth: Option<usize>,
    country_of_birth: Option<usize>,
    nationality: Option<usize>,
    passport_number: Option<usize>,
    passport_details: Option<usize>,
    national_id_number: Option<usize>,
    national_id_details: Option<usize>,
    position: Option<usize>,
    address: [Option<usize>; 6],
    post_code: Option<usize>,
    country: Option<usize>,
    other_information: Option<usize>,
    group_type: usize,
    alias_type: Option<usize>,
    alias_quality: Option<usize>,
    regime: Option<usize>,
    listed_on: Option<usize>,
    date_designated: Option<usize>,
    last_updated: Option<usize>,
    group_id: usize,
}

impl Cols {
    fn new(file: &str, h: &Header) -> Result<Cols, ParseError> {
        let c = |n: &str| h.col(n);
        Ok(Cols {
            names: [
                c("Name 1"),
                c("Name 2"),
                c("Name 3"),
                c("Name 4"),
                c("Name 5"),
                Some(h.require(file, "Name 6")?),
            ],
            title: c("Title"),
            non_latin: c("Name Non-Latin Script"),
            non_latin_type: c("Non-Latin Script Type"),
            non_latin_lang: c("Non-Latin Script Language"),
            dob: c("DOB"),
            town_of_birth: c("Town of Birth"),
            country_of_birth: c("Country of Birth"),
            nationality: c("Nationality"),
            passport_number: c("Passport Number"),
            passport_details: c("Passport Details"),
            national_id_number: c("National Identification Number"),
            national_id_details: c("National Identification Details"),
            position: c("Position"),
            address: [
                c("Address 1"),
                c("Address 2"),
                c("Address 3"),
                c("Address 4"),
                c("Address 5"),
                c("Address 6"),
            ],
            post_code: c("Post/Zip Code"),
            country: c("Country"),
            other_information: c("Other Information"),
            group_type: h.require(file, "Group Type")?,
            alias_type: c("Alias Type"),
            alias_quality: c("Alias Quality"),
            regime: c("Regime"),
            listed_on: c("Listed On"),
            date_designated: c("UK Sanctions List Date Designated"),
            last_updated: c("Last Updated"),
            group_id: h.require(file, "Group ID")?,
        })
    }
}

/// How a name row names the party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    Primary,
    Variation,
    Alias,
    Weak,
    Former,
}

/// Everything gathered for one Group ID before the entity is finished.
struct Group {
    entity: Entity,
    names: Vec<(NameKind, String)>,
    /// Field values already processed for this group (few per group, so a
    /// list is faster than hashing every row's long texts).
    seen: Vec<(Field, String)>,
    last_updated: Option<String>,
}

/// Parses ConList.xlsx files into one entity per Group ID.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut published: Option<String> = None;
    for file in files {
        let p = parse_file(list_id, file, &mut groups, &mut by_id)?;
        if p > published {
            published = p;
        }
    }
    let entities = groups.into_iter().map(finish_group).collect();
    Ok(ParsedList {
        entities,
        published,
        ..ParsedList::default()
    })
}

fn parse_file(
    list_id: &str,
    file: &SourceFile,
    groups: &mut Vec<Group>,
    by_id: &mut HashMap<String, usize>,
) -> Result<Option<String>, ParseError> {
    let mut wb = xlsx::open(file)?;
    let header = wb.find_header(&OFSI_HEADERS)?;
    let cols = Cols::new(&file.name, &header)?;
    let mut rows = wb.rows(&header.sheet)?;
    let mut published = None;
    let mut data_rows = 0usize;
    while let Some(row) = rows.next_row()? {
        if row.number < header.row {
            published = published.or_else(|| last_updated_line(&row));
            continue;
        }
        if row.number == header.row || row.is_blank() {
            continue;
        }
        let group_id = row.get(cols.group_id);
        if group_id.is_empty() {
            return Err(rows.error_at(row.number, "row has no Group ID"));
        }
        let idx = match by_id.get(group_id) {
            Some(&i) => i,
            None => {
                let schema = schema_of(row.get(cols.group_type));
                groups.push(Group {
                    entity: Entity::new(list_id, group_id, schema),
                    names: Vec::new(),
                    seen: Vec::new(),
                    last_updated: None,
                });
                by_id.insert(group_id.to_string(), groups.len() - 1);
                groups.len() - 1
            }
        };
        let Some(group) = groups.get_mut(idx) else {
            return Err(rows.error_at(row.number, "internal: group index lost"));
        };
        if !add_row(group, &cols, &row) {
            return Err(rows.error_at(
                row.number,
                format!("row of Group ID {group_id} has no name"),
            ));
        }
        data_rows += 1;
    }
    if data_rows == 0 {
        return Err(rows.error_at(header.row, "the sheet has a header row but no data rows"));
    }
    Ok(published)
}

/// The publication date from the "Last Updated | 14/04/2025" line above the header.
fn last_updated_line(row: &Row) -> Option<String> {
    let pos = row
        .cells
        .iter()
        .position(|c| xlsx::header_key(c).starts_with("last updated"))?;
    // The date is in the same cell ("Last Updated: 14/04/2025") or the next non-empty one.
    let same = row
        .get(pos)
        .split_once([':', ' '])
        .map(|(_, rest)| rest)
        .unwrap_or("");
    let same = same.trim_start_matches(|c: char| !c.is_ascii_digit());
    if let Some(d) = xlsx::date_text(same) {
        return Some(d);
    }
    row.cells
        .iter()
        .skip(pos + 1)
        .find(|c| !c.is_empty())
        .and_then(|c| xlsx::date_text(c))
}

fn schema_of(group_type: &str) -> Schema {
    match group_type.trim().to_ascii_lowercase().as_str() {
        "individual" => Schema::Person,
        "entity" => Schema::Organization,
        "ship" => Schema::Vessel,
        _ => Schema::LegalEntity,
    }
}

/// Adds one name row to its group. Returns false when the row names nobody.
///
/// The rows of a group repeat the party's details; each distinct value of a
/// column is processed once per group (`Group::seen`), which keeps the
/// parse fast on the ~19,000-row sheet.
fn add_row(group: &mut Group, c: &Cols, row: &Row) -> bool {
    let Group {
        entity: e,
        names,
        seen,
        last_updated,
    } = group;
    let parts: [&str; 6] = c.names.map(|i| row.opt(i));
    let full = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let alias_type = row.opt(c.alias_type).to_ascii_lowercase();
    let low_quality = row
        .opt(c.alias_quality)
        .to_ascii_lowercase()
        .contains("low");
    let kind = match alias_type.as_str() {
        "primary name" => NameKind::Primary,
        "primary name variation" if low_quality => NameKind::Weak,
        "primary name variation" => NameKind::Variation,
        "fka" => NameKind::Former,
        _ if low_quality => NameKind::Weak,
        _ => NameKind::Alias,
    };
    let non_latin = row.opt(c.non_latin);
    if full.is_empty() && non_latin.is_empty() {
        return false;
    }
    if !full.is_empty() {
        names.push((kind, full));
    }
    let [first, n2, n3, n4, n5, last] = parts;
    if e.schema == Schema::Person && kind == NameKind::Primary {
        e.add(prop::FIRST_NAME, first);
        for middle in [n2, n3, n4, n5] {
            e.add(prop::MIDDLE_NAME, middle);
        }
        if [first, n2, n3, n4, n5].iter().any(|p| !p.is_empty()) {
            e.add(prop::LAST_NAME, last);
        }
    }
    // True the first time a group sees this value in this field.
    let mut fresh = |field: Field, value: &str| -> bool {
        if value.is_empty() || seen.iter().any(|(f, v)| *f == field && v == value) {
            return false;
        }
        seen.push((field, value.to_string()));
        true
    };

    if !non_latin.is_empty() {
        names.push((NameKind::Alias, non_latin.to_string()));
    }
    if fresh(Field::NonLatin, non_latin) {
        let script: Vec<&str> = [row.opt(c.non_latin_type), row.opt(c.non_latin_lang)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if !script.is_empty() {
            e.add(
                prop::NOTES,
                &format!(
                    "Name in non-Latin script ({}): {non_latin}",
                    script.join(", ")
                ),
            );
        }
    }

    let title = row.opt(c.title);
    if fresh(Field::Title, title) {
        for (_, t) in numbered(title) {
            e.add(prop::TITLE, &t);
        }
    }
    let dob = row.opt(c.dob);
    if fresh(Field::Dob, dob) {
        for (_, d) in numbered(dob) {
            add_date(e, prop::BIRTH_DATE, "birth date", &d);
        }
    }
    let (town, country_of_birth) = (row.opt(c.town_of_birth), row.opt(c.country_of_birth));
    if fresh(
        Field::BirthPlace,
        &format!("{town}\u{1f}{country_of_birth}"),
    ) {
        for (town, country) in paired(town, country_of_birth) {
            let place: Vec<&str> = [town.as_str(), country.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            e.add(prop::BIRTH_PLACE, &place.join(", "));
        }
    }
    let nationality = row.opt(c.nationality);
    if fresh(Field::Nationality, nationality) {
        for (_, nat) in numbered(nationality) {
            let codes = nationality_code(&nat)
                .map(|c| vec![c])
                .or_else(|| countries_in(&nat));
            match codes {
                Some(codes) => e.add_all(prop::NATIONALITY, codes),
                None => e.add(prop::NOTES, &format!("Nationality: {nat}")),
            }
        }
    }
    let (pn, pd) = (row.opt(c.passport_number), row.opt(c.passport_details));
    if fresh(Field::Passport, &format!("{pn}\u{1f}{pd}")) {
        add_documents(e, prop::PASSPORT_NUMBER, "Passport", pn, pd);
    }
    let (idn, idd) = (
        row.opt(c.national_id_number),
        row.opt(c.national_id_details),
    );
    if fresh(Field::NationalId, &format!("{idn}\u{1f}{idd}")) {
        add_documents(e, prop::ID_NUMBER, "National identification", idn, idd);
    }
    let position = row.opt(c.position);
    if fresh(Field::Position, position) {
        for (_, p) in numbered(position) {
            e.add(prop::POSITION, &p);
        }
    }

    let country = row.opt(c.country);
    let mut address: Vec<&str> = c.address.iter().map(|&i| row.opt(i)).collect();
    address.push(row.opt(c.post_code));
    address.push(country);
    let address: Vec<&str> = address.into_iter().filter(|s| !s.is_empty()).collect();
    let address = address.join(", ");
    if fresh(Field::Address, &address) {
        e.add(prop::ADDRESS, &address);
        if let Some(code) = nationality_code(country) {
            e.add(prop::COUNTRY, code);
        }
    }

    let other = row.opt(c.other_information);
    if fresh(Field::Other, other) {
        e.add(prop::NOTES, other);
        add_other_information(e, other);
    }
    let regime = row.opt(c.regime);
    if fresh(Field::Regime, regime) {
        e.add(prop::PROGRAM, regime);
    }
    let listed_on = row.opt(c.listed_on);
    if fresh(Field::ListedOn, listed_on)
        && let Some(d) = xlsx::date_text(listed_on)
    {
        e.add(prop::LISTING_DATE, &d);
    }
    let designated = row.opt(c.date_designated);
    if fresh(Field::Designated, designated)
        && let Some(d) = xlsx::date_text(designated)
    {
        e.add(
            prop::NOTES,
            &format!("UK Sanctions List date designated: {d}"),
        );
    }
    let updated = row.opt(c.last_updated);
    if fresh(Field::LastUpdated, updated)
        && let Some(d) = xlsx::date_text(updated)
        && last_updated.as_ref().is_none_or(|old| d > *old)
    {
        *last_updated = Some(d);
    }
    true
}

/// The detail fields of a row, for [`Group::seen`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    NonLatin,
    Title,
    Dob,
    BirthPlace,
    Nationality,
    Passport,
    NationalId,
    Position,
    Address,
    Other,
    Regime,
    ListedOn,
    Designated,
    LastUpdated,
}

/// Adds a date value; text that is not a date (or is approximate) is kept in `notes`.
fn add_date(e: &mut Entity, property: &str, label: &str, text: &str) {
    let parsed = if property == prop::BIRTH_DATE {
        parse_birth_dates(text)
    } else {
        parse_dates(text)
    };
    for d in &parsed.dates {
        e.add(property, d);
    }
    if parsed.dates.is_empty() {
        e.add(prop::NOTES, &format!("{label} as given: {text}"));
    } else if parsed.approximate {
        e.add(prop::NOTES, &format!("{label} approximate: {text}"));
    }
}

/// Numbers (passport, national ID) with their numbered details: the number
/// goes to `property`, the details to `notes` as "<label> <number>: <details>".
fn add_documents(e: &mut Entity, property: &str, label: &str, numbers: &str, details: &str) {
    for (number, detail) in paired(numbers, details) {
        e.add(property, &number);
        if !detail.is_empty() {
            let note = if number.is_empty() {
                format!("{label} details: {detail}")
            } else {
                format!("{label} {number}: {detail}")
            };
            e.add(prop::NOTES, &note);
        }
    }
}

/// The labels of facts inside "Other Information" ("(Gender):Male").
const OTHER_LABELS: [&str; 21] = [
    "UK Sanctions List Ref",
    "UK Statement of Reasons",
    "UN Ref",
    "Gender",
    "Phone number",
    "Email address",
    "Type of entity",
    "Website",
    "Parent company",
    "Business Reg No",
    "Subsidiaries",
    "IMO number",
    "Flag of ship",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
    "Current owners",
    "Previous flags",
    "Fax",
    "Tel",
];

/// Splits "Other Information" into its labelled facts: (label, value).
/// Text before the first label is not returned (it stays in `notes`).
fn labelled_facts(text: &str) -> Vec<(&'static str, &str)> {
    let mut marks: Vec<(usize, usize, &'static str)> = Vec::new();
    for label in OTHER_LABELS {
        let marker = format!("({label}):");
        let mut from = 0;
        while let Some(pos) = text.get(from..).and_then(|t| t.find(&marker)) {
            let start = from + pos;
            marks.push((start, start + marker.len(), label));
            from = start + marker.len();
        }
    }
    marks.sort_unstable();
    let mut out = Vec::new();
    for (i, &(_, value_start, label)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map(|m| m.0).unwrap_or(text.len());
        if let Some(v) = text.get(value_start..end) {
            out.push((label, v.trim().trim_end_matches(['.', ',', ';']).trim()));
        }
    }
    out
}

fn add_other_information(e: &mut Entity, text: &str) {
    for (label, value) in labelled_facts(text) {
        if value.is_empty() {
            continue;
        }
        match label {
            "UK Sanctions List Ref" => {
                let reference = value
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .next()
                    .unwrap_or("");
                if !reference.is_empty() {
                    e.add(prop::NOTES, &format!("UK Sanctions List Ref: {reference}"));
                }
            }
            "UN Ref" => {
                if let Some(un) = un_reference_at_start(value) {
                    e.add(prop::UNSC_ID, &un);
                }
            }
            "Gender" => {
                let g = value.to_ascii_lowercase();
                if g == "male" || g == "female" {
                    e.add(prop::GENDER, &g);
                }
            }
            "IMO number" => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                if digits.len() == 7 {
                    e.add(prop::IMO_NUMBER, &digits);
                }
            }
            "Flag of ship" => {
                if let Some(code) = nationality_code(value) {
                    e.add(prop::FLAG, code);
                }
            }
            "Type of ship" => e.add(prop::TYPE, value),
            "Tonnage of ship" => e.add(prop::TONNAGE, value),
            "Year built" => {
                for d in parse_dates(value).dates {
                    e.add(prop::BUILD_DATE, &d);
                }
            }
            "Current owners" => e.add(prop::OWNER, value),
            "Email address" => {
                for v in split_tokens(value).filter(|t| t.contains('@')) {
                    e.add(prop::EMAIL, v);
                }
            }
            "Website" => {
                for v in split_tokens(value).filter(|t| {
                    let lower = t.to_ascii_lowercase();
                    lower.starts_with("http")
                        || lower.starts_with("www.")
                        || (t.contains('.') && !t.contains('@'))
                }) {
                    e.add(prop::WEBSITE, v);
                }
            }
            "Phone number" | "Tel" => {
                for (_, v) in numbered(value) {
                    e.add(prop::PHONE, &v);
                }
            }
            "Business Reg No" => {
                for (_, v) in numbered(value) {
                    e.add(prop::REGISTRATION_NUMBER, &v);
                }
            }
            _ => {}
        }
    }
}

/// The UN reference number a "(UN Ref):" fact starts with ("CDi. 037.
/// Listed pursuant to …" → `CDi.037`): the text up to the end of the
/// number, normalised by [`crate::model::un_reference`].
fn un_reference_at_start(value: &str) -> Option<String> {
    let (dot, _) = value.char_indices().find(|(_, c)| *c == '.')?;
    let after = value.get(dot + 1..)?;
    let digits_start = after.len() - after.trim_start().len();
    let digits_len = after[digits_start..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    crate::model::un_reference(value.get(..dot + 1 + digits_start + digits_len)?)
}

/// Whitespace/comma/semicolon separated tokens, without numbering markers.
fn split_tokens(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|t| t.trim_end_matches('.'))
        .filter(|t| !t.is_empty() && !is_marker_token(t))
}

fn is_marker_token(t: &str) -> bool {
    t.strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .is_some_and(|inner| inner.bytes().all(|b| b.is_ascii_digit()))
}

/// A numbering marker at the start of `s`: "(1)", "(1-3)", "(1 – 3)",
/// "(1) to (6)". Returns the numbers it covers and its length in bytes.
fn marker_at(s: &str) -> Option<((u32, u32), usize)> {
    let mut p = Scan { s, pos: 0 };
    p.eat("(").then_some(())?;
    let a = p.number()?;
    let mut b = a;
    p.spaces();
    if p.eat("-") || p.eat("–") || p.eat("to") {
        p.spaces();
        b = p.number()?;
        p.spaces();
    }
    p.eat(")").then_some(())?;
    let end = p.pos;
    // "(1) to (6)"
    p.spaces();
    let mut len = end;
    if p.eat("to") {
        p.spaces();
        if p.eat("(")
            && let Some(n) = p.number()
            && p.eat(")")
        {
            b = n;
            len = p.pos;
        }
    }
    (a <= b).then_some(((a, b), len))
}

/// A little cursor over a string for [`marker_at`].
struct Scan<'a> {
    s: &'a str,
    pos: usize,
}

impl Scan<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }
    fn eat(&mut self, token: &str) -> bool {
        let ok = self.rest().starts_with(token);
        if ok {
            self.pos += token.len();
        }
        ok
    }
    fn spaces(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }
    fn number(&mut self) -> Option<u32> {
        let rest = self.rest();
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > 3 {
            return None;
        }
        let n = rest.get(..len)?.parse().ok()?;
        self.pos += len;
        Some(n)
    }
}

/// Splits a numbered list ("(1) Russia. (2) Syria") into its items with the
/// numbers they cover. A value that does not start with a marker is one
/// unnumbered item. Items are trimmed of trailing punctuation; "-" items
/// (no value) are dropped.
fn numbered(text: &str) -> Vec<(Option<(u32, u32)>, String)> {
    let text = text.trim();
    let clean = |s: &str| -> Option<String> {
        let v = s.trim().trim_end_matches(['.', ',', ';']).trim();
        (!v.is_empty() && v != "-").then(|| v.to_string())
    };
    if marker_at(text).is_none() {
        return clean(text).map(|v| vec![(None, v)]).unwrap_or_default();
    }
    let mut out = Vec::new();
    let mut current: Option<(u32, u32)> = None;
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        if ch != '(' || i < start {
            continue;
        }
        let Some(rest) = text.get(i..) else { continue };
        if let Some((range, len)) = marker_at(rest) {
            if let Some(v) = text.get(start..i).and_then(clean) {
                out.push((current, v));
            }
            current = Some(range);
            start = i + len;
        }
    }
    if let Some(v) = text.get(start..).and_then(clean) {
        out.push((current, v));
    }
    out
}

/// Pairs the items of two numbered columns by number (an unnumbered value
/// goes with every number). Unnumbered pairs are returned once.
fn paired(a: &str, b: &str) -> Vec<(String, String)> {
    let la = numbered(a);
    let lb = numbered(b);
    let mut numbers: Vec<u32> = Vec::new();
    for (range, _) in la.iter().chain(lb.iter()) {
        if let Some((s, e)) = range {
            for n in *s..=(*e).min(s.saturating_add(50)) {
                if !numbers.contains(&n) {
                    numbers.push(n);
                }
            }
        }
    }
    numbers.sort_unstable();
    let pick = |list: &[(Option<(u32, u32)>, String)], n: Option<u32>| -> String {
        let hit = list.iter().find(|(r, _)| match (r, n) {
            (Some((s, e)), Some(n)) => (*s..=*e).contains(&n),
            _ => false,
        });
        hit.or_else(|| list.iter().find(|(r, _)| r.is_none()))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let keys: Vec<Option<u32>> = if numbers.is_empty() {
        vec![None]
    } else {
        numbers.into_iter().map(Some).collect()
    };
    for n in keys {
        let pair = (pick(&la, n), pick(&lb, n));
        if (!pair.0.is_empty() || !pair.1.is_empty()) && !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

/// Turns a group into its entity: primary names become `name` (when a group
/// has no "Primary name" row, its first variation is promoted), the others
/// `alias` / `weakAlias` / `previousName`, each name only under its
/// strongest property.
fn finish_group(mut g: Group) -> Entity {
    if !g.names.iter().any(|(k, _)| *k == NameKind::Primary) {
        let promote = [
            NameKind::Variation,
            NameKind::Alias,
            NameKind::Weak,
            NameKind::Former,
        ]
        .iter()
        .find_map(|kind| g.names.iter().position(|(k, _)| k == kind));
        if let Some(i) = promote
            && let Some(n) = g.names.get_mut(i)
        {
            n.0 = NameKind::Primary;
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    let e = &mut g.entity;
    for (kinds, property) in [
        (&[NameKind::Primary][..], prop::NAME),
        (&[NameKind::Variation, NameKind::Alias][..], prop::ALIAS),
        (&[NameKind::Weak][..], prop::WEAK_ALIAS),
        (&[NameKind::Former][..], prop::PREVIOUS_NAME),
    ] {
        for (k, name) in &g.names {
            if kinds.contains(k) && seen.insert(crate::model::collapse_whitespace(name)) {
                e.add(property, name);
            }
        }
    }
    if let Some(d) = g.last_updated {
        e.add(prop::MODIFIED_AT, &d);
    }
    g.entity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_lists() {
        assert_eq!(
            numbered("(1) Russia. (2) Syria"),
            vec![
                (Some((1, 1)), "Russia".to_string()),
                (Some((2, 2)), "Syria".to_string())
            ]
        );
        assert_eq!(
            numbered("(1) to (6) Algeria (7) Morocco"),
            vec![
                (Some((1, 6)), "Algeria".to_string()),
                (Some((7, 7)), "Morocco".to_string())
            ]
        );
        assert_eq!(
            numbered("(1-3) Libya (4) Morocco"),
            vec![
                (Some((1, 3)), "Libya".to_string()),
                (Some((4, 4)), "Morocco".to_string())
            ]
        );
        assert_eq!(
            numbered("(1) Uganda (2) Uganda (3)Uganda").len(),
            3,
            "a marker directly followed by text"
        );
        assert_eq!(numbered("(1) 13080011550 (2) -").len(), 1);
        assert_eq!(
            numbered("Congo (Democratic Republic)"),
            vec![(None, "Congo (Democratic Republic)".to_string())]
        );
        assert!(numbered("  ").is_empty());
        assert!(numbered("(").is_empty() || numbered("(").len() == 1);
    }

    #[test]
    fn numbered_columns_pair_up() {
        let p = paired("(1) Tiaret (2) Maskara", "(1) to (2) Algeria");
        assert_eq!(
            p,
            vec![
                ("Tiaret".to_string(), "Algeria".to_string()),
                ("Maskara".to_string(), "Algeria".to_string())
            ]
        );
        let p = paired("Moscow", "Russia");
        assert_eq!(p, vec![("Moscow".to_string(), "Russia".to_string())]);
        let p = paired("(1) A123 (2) B456", "Diplomatic");
        assert_eq!(
            p,
            vec![
                ("A123".to_string(), "Diplomatic".to_string()),
                ("B456".to_string(), "Diplomatic".to_string())
            ]
        );
    }

    #[test]
    fn other_information_facts() {
        let text = "(UK Sanctions List Ref):DPR0096. Listed as asset of X (OFSI ID: 13627, \
                    UN Ref KPe.056) (IMO number):8712362 (Current owners):Chonmyong Shipping Co \
                    (Flag of ship):North Korea (Previous flags):Togo (Type of ship):Oil tanker \
                    (Tonnage of ship):1220 (Length of ship):82 (Year built):1987";
        let facts = labelled_facts(text);
        assert_eq!(
            facts.first(),
            Some(&(
                "UK Sanctions List Ref",
                "DPR0096. Listed as asset of X (OFSI ID: 13627, UN Ref KPe.056)"
            ))
        );
        assert!(facts.contains(&("IMO number", "8712362")));
        assert!(facts.contains(&("Flag of ship", "North Korea")));
        assert!(facts.contains(&("Year built", "1987")));
    }
}
