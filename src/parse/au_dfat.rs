//! Parser for the Australia DFAT Consolidated List workbook
//! (`regulation8_consolidated.xlsx`, format `au_dfat_xlsx`, list
//! `au_dfat_sanctions`).
//!
//! The sheet has one row per name. A party is the set of rows whose
//! "Reference" starts with the same number: "2" is the party, "2a", "2b",
//! "34c1" … are its other names (the rows repeat the party's details). The
//! row whose "Name Type" is "Primary Name" (spelled in many ways: "Primary
//! Name ", "primary name") gives `name` and, through its "Type", the schema;
//! "aka" and "Original Script" rows give `alias`, "Formerly known as" /
//! "Previously listed as" rows (and names annotated "(previously listed
//! as)") give `previousName`.
//!
//! Dates of birth come in many shapes ("a) 12/03/1960; b) 1961",
//! "Approximately 1955- 1958", "Between 1955 and 1956", "1963 or 1964");
//! every date found is kept, and the text as given goes to `notes` when it
//! is approximate or could not be read in full. Citizenship is mostly a
//! demonym ("Russian", "Iranian") and is mapped to ISO codes.

use super::dates::parse_birth_dates;
use super::xlsx::{self, AU_DFAT_HEADERS, Header, Row};
use super::{ParseError, ParsedList, SourceFile};
use crate::countries::{country_code, nationality_code};
use crate::model::{Entity, Schema, collapse_whitespace, prop};
use std::collections::{HashMap, HashSet};

/// Column positions (absent optional columns are `None`).
struct Cols {
    reference: usize,
    name: usize,
    kind: Option<usize>,
    name_type: usize,
    dob: Option<usize>,
    pob: Option<usize>,
    citizenship: Option<usize>,
    address: Option<usize>,
    additional: Option<usize>,
    listing: Option<usize>,
    committees: Option<usize>,
    control_date: Option<usize>,
}

impl Cols {
    fn new(file: &str, h: &Header) -> Result<Cols, ParseError> {
        Ok(Cols {
            reference: h.require(file, "Reference")?,
            name: h.require(file, "Name of Individual or Entity")?,
            kind: h.col("Type"),
            name_type: h.require(file, "Name Type")?,
            dob: h.col("Date of Birth"),
            pob: h.col("Place of Birth"),
            citizenship: h.col("Citizenship"),
            address: h.col("Address"),
            additional: h.col("Additional Information"),
            listing: h.col("Listing Information"),
            committees: h.col("Committees"),
            control_date: h.col("Control Date"),
        })
    }
}

/// The rows of one party, in sheet order.
struct Party {
    number: String,
    rows: Vec<Row>,
}

/// Parses regulation8_consolidated.xlsx into one entity per reference number.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut parties: Vec<Party> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    let mut cols_per_party: Vec<usize> = Vec::new();
    let mut all_cols: Vec<Cols> = Vec::new();
    for file in files {
        let mut wb = xlsx::open(file)?;
        let header = wb.find_header(&AU_DFAT_HEADERS)?;
        let cols = Cols::new(&file.name, &header)?;
        let mut rows = wb.rows(&header.sheet)?;
        let mut data_rows = 0usize;
        while let Some(row) = rows.next_row()? {
            if row.number <= header.row || row.is_blank() {
                continue;
            }
            let reference = row.get(cols.reference);
            let Some(number) = reference_number(reference) else {
                return Err(rows.error_at(
                    row.number,
                    format!("reference '{reference}' does not start with a number"),
                ));
            };
            if clean_value(row.get(cols.name)).is_empty() {
                return Err(rows.error_at(row.number, format!("reference {reference} has no name")));
            }
            let idx = match by_number.get(&number) {
                Some(&i) => i,
                None => {
                    parties.push(Party {
                        number: number.clone(),
                        rows: Vec::new(),
                    });
                    cols_per_party.push(all_cols.len());
                    by_number.insert(number, parties.len() - 1);
                    parties.len() - 1
                }
            };
            if let Some(p) = parties.get_mut(idx) {
                p.rows.push(row);
            }
            data_rows += 1;
        }
        if data_rows == 0 {
            return Err(rows.error_at(header.row, "the sheet has a header row but no data rows"));
        }
        all_cols.push(cols);
    }
    let mut published: Option<String> = None;
    let mut entities = Vec::with_capacity(parties.len());
    for (party, ci) in parties.iter().zip(cols_per_party) {
        let Some(cols) = all_cols.get(ci) else {
            continue;
        };
        let (entity, control) = build(list_id, party, cols);
        if control > published {
            published = control;
        }
        entities.push(entity);
    }
    Ok(ParsedList {
        entities,
        published,
        ..ParsedList::default()
    })
}

/// The party number of a reference: its leading digits without leading
/// zeros ("2" for "2", "2a", "34c1", " 1140g ").
fn reference_number(reference: &str) -> Option<String> {
    let digits: String = reference
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
}

/// A trimmed cell value, "" for the list's "nothing" placeholders ("na",
/// "N/A", "-"). Inner whitespace is kept (runs of spaces separate dates).
fn clean_value(s: &str) -> String {
    let v = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
    match collapse_whitespace(v).to_ascii_lowercase().as_str() {
        "na" | "n/a" | "-" | "nil" | "none" | "unknown" => String::new(),
        _ => v.to_string(),
    }
}

/// The normalised "Name Type" / "Type" value.
fn key(s: &str) -> String {
    collapse_whitespace(s).to_lowercase()
}

fn is_primary(cols: &Cols, row: &Row) -> bool {
    key(row.get(cols.name_type)) == "primary name"
}

/// Builds the entity of one party; also returns its latest control date.
fn build(list_id: &str, party: &Party, cols: &Cols) -> (Entity, Option<String>) {
    let primary = party
        .rows
        .iter()
        .find(|r| is_primary(cols, r))
        .or_else(|| {
            party.rows.iter().find(|r| {
                r.get(cols.reference)
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_digit())
            })
        })
        .or(party.rows.first());
    let schema = match primary.map(|r| key(r.opt(cols.kind))).as_deref() {
        Some("individual") => Schema::Person,
        Some("entity") | Some("organisation") | Some("organization") => Schema::Organization,
        Some("vessel") | Some("ship") => Schema::Vessel,
        _ => Schema::LegalEntity,
    };
    let mut e = Entity::new(list_id, &party.number, schema);

    // Names: the primary row first, then the others in sheet order.
    let mut names: Vec<(&'static str, String)> = Vec::new();
    if let Some(p) = primary {
        names.extend(name_values(p.get(cols.name), prop::NAME));
    }
    for row in &party.rows {
        if primary.is_some_and(|p| std::ptr::eq(p, row)) {
            continue;
        }
        let property = match key(row.get(cols.name_type)).as_str() {
            "formerly known as" | "previously listed as" | "fka" | "formerly listed as" => {
                prop::PREVIOUS_NAME
            }
            _ => prop::ALIAS,
        };
        names.extend(name_values(row.get(cols.name), property));
    }
    let mut seen_names: HashSet<String> = HashSet::new();
    for property in prop::NAME_PROPS {
        for (p, n) in &names {
            if *p == property && seen_names.insert(n.clone()) {
                e.add(property, n);
            }
        }
    }

    // Details repeat on every row; each distinct value is read once.
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    let mut control: Option<String> = None;
    for row in &party.rows {
        let mut fresh = |col: Option<usize>| -> Option<String> {
            let col = col?;
            let v = clean_value(row.get(col));
            (!v.is_empty() && seen.insert((col, v.clone()))).then_some(v)
        };
        if let Some(dob) = fresh(cols.dob) {
            add_birth_dates(&mut e, &dob);
        }
        if let Some(pob) = fresh(cols.pob) {
            for place in lettered(&pob) {
                e.add(prop::BIRTH_PLACE, &place);
            }
        }
        if let Some(cit) = fresh(cols.citizenship) {
            add_citizenship(&mut e, &cit);
        }
        if let Some(address) = fresh(cols.address) {
            for a in lettered(&address) {
                e.add(prop::ADDRESS, &a);
                if let Some(code) = address_country(&a) {
                    e.add(prop::COUNTRY, code);
                }
            }
        }
        if let Some(info) = fresh(cols.additional) {
            for imo in imo_numbers(&info) {
                e.add(prop::IMO_NUMBER, &imo);
            }
            e.add(prop::NOTES, &info);
        }
        if let Some(listing) = fresh(cols.listing) {
            if let Some(d) = listing_date(&listing) {
                e.add(prop::LISTING_DATE, &d);
            }
            e.add(prop::NOTES, &listing);
        }
        if let Some(committee) = fresh(cols.committees) {
            e.add(prop::PROGRAM, &committee);
        }
        if let Some(d) = fresh(cols.control_date).and_then(|d| xlsx::date_text(&d))
            && control.as_ref().is_none_or(|c| d > *c)
        {
            control = Some(d);
        }
    }
    if let Some(d) = &control {
        e.add(prop::MODIFIED_AT, d);
    }
    (e, control)
}

/// The names in one name cell: the name itself, and for names annotated
/// "(previously listed as)" / "(formerly listed as)" the name (and any
/// name in Arabic given inside the note) as `previousName`.
fn name_values(raw: &str, property: &'static str) -> Vec<(&'static str, String)> {
    let name = collapse_whitespace(raw);
    let lower = name.to_lowercase();
    for marker in ["(previously listed as", "(formerly listed as"] {
        if let Some(pos) = lower.find(marker) {
            let base = name.get(..pos).unwrap_or("").trim().to_string();
            let mut out = Vec::new();
            if !base.is_empty() {
                out.push((prop::PREVIOUS_NAME, base));
            }
            let note = name.get(pos..).unwrap_or("");
            if let Some(colon) = note.find(':') {
                let other = note
                    .get(colon + 1..)
                    .unwrap_or("")
                    .trim()
                    .trim_end_matches(')')
                    .trim();
                if !other.is_empty() {
                    out.push((prop::PREVIOUS_NAME, other.to_string()));
                }
            }
            return out;
        }
    }
    if name.is_empty() {
        Vec::new()
    } else {
        vec![(property, name)]
    }
}

/// Splits a lettered list ("a) X b) Y c) Z") into its items. The letters
/// must run in order from "a)"; text without that shape is one item.
fn lettered(text: &str) -> Vec<String> {
    let t = text.trim();
    let Some(mut rest) = t.strip_prefix("a)") else {
        return vec![t.to_string()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
    };
    let mut out = Vec::new();
    let mut letter = b'b';
    loop {
        // The next letter, or the same letter repeated ("c) 1969 c) 1971").
        let next = [letter, letter - 1]
            .iter()
            .filter_map(|&l| {
                let marker = format!("{})", l as char);
                find_marker(rest, &marker).map(|pos| (pos, l, marker.len()))
            })
            .min();
        match next {
            Some((pos, l, len)) => {
                out.push(rest.get(..pos).unwrap_or(""));
                rest = rest.get(pos + len..).unwrap_or("");
                if l == letter {
                    letter += 1;
                }
                if letter > b'z' {
                    out.push(rest);
                    break;
                }
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out.into_iter()
        .map(|s| s.trim().trim_end_matches([';', ',']).trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The position of a list marker ("b)") that starts a word: at the start
/// of `s` or after whitespace or a separator.
fn find_marker(s: &str, marker: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|r| r.find(marker)) {
        let at = from + pos;
        let before = s.get(..at).and_then(|b| b.chars().last());
        if before.is_none_or(|c| c.is_whitespace() || c == ';' || c == ',' || c == '.') {
            return Some(at);
        }
        from = at + marker.len();
    }
    None
}

/// Adds every birth date in a date-of-birth cell; the text as given goes to
/// `notes` when it is approximate or not every part could be read.
fn add_birth_dates(e: &mut Entity, text: &str) {
    let (dates, approximate, complete) = birth_dates(text);
    for d in &dates {
        e.add(prop::BIRTH_DATE, d);
    }
    if !complete || dates.is_empty() {
        e.add(prop::NOTES, &format!("birth date as given: {text}"));
    } else if approximate {
        e.add(prop::NOTES, &format!("birth date approximate: {text}"));
    }
}

/// Reads a date-of-birth cell: (ISO dates, approximate?, every part read?).
/// A part with a remark in parentheses ("(from false passport)") counts as
/// not fully read, so the text as given is kept too.
fn birth_dates(text: &str) -> (Vec<String>, bool, bool) {
    let mut dates: Vec<String> = Vec::new();
    let mut approximate = false;
    let mut complete = true;
    let push = |d: String, dates: &mut Vec<String>| {
        if !dates.contains(&d) {
            dates.push(d);
        }
    };
    let text = text.replace(['\n', '\r'], " ");
    for item in lettered(&text) {
        for piece in split_alternatives(&item) {
            if piece.to_lowercase().contains("hijri") {
                // Not a Gregorian date: kept only as text.
                complete = false;
                continue;
            }
            let bare = without_parentheses(&piece);
            if bare.len() != piece.len() {
                complete = false;
            }
            let piece = bare.trim().trim_end_matches([',', '.', ';']).trim();
            if piece.is_empty() {
                continue;
            }
            let parsed = parse_birth_dates(piece);
            if !parsed.dates.is_empty() {
                approximate |= parsed.approximate;
                for d in parsed.dates {
                    push(d, &mut dates);
                }
                continue;
            }
            // "12/03/1960,14/05/1961", "12 May 1960  14 May 1961".
            let mut any = false;
            for sub in piece
                .split(',')
                .flat_map(|s| s.split("  "))
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let parsed = parse_birth_dates(sub);
                if parsed.dates.is_empty() {
                    complete = false;
                } else {
                    any = true;
                    approximate |= parsed.approximate;
                    for d in parsed.dates {
                        push(d, &mut dates);
                    }
                }
            }
            if !any {
                complete = false;
            }
        }
    }
    (dates, approximate, complete)
}

/// Splits a date item at ";", " or ", ">>" and "alt DOB:".
fn split_alternatives(item: &str) -> Vec<String> {
    let mut parts = vec![item.to_string()];
    for sep in [";", " or ", " OR ", ">>", "alt DOB:", "alt DOB :"] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Removes parenthesised remarks ("(as Ali Thafir Abdallah)").
fn without_parentheses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The codes of every country named in `text`: the whole text first, then
/// its parts at ";", ",", "/", " and " (so "Trinidad and Tobago" stays
/// whole). `None` when some part names no known country.
pub(super) fn countries_in(text: &str) -> Option<Vec<&'static str>> {
    fn walk(part: &str, seps: &[&str], out: &mut Vec<&'static str>) -> bool {
        let part = part.trim();
        if part.is_empty() {
            return true;
        }
        if let Some(code) = nationality_code(part) {
            if !out.contains(&code) {
                out.push(code);
            }
            return true;
        }
        let Some((sep, rest)) = seps.split_first() else {
            return false;
        };
        if !part.contains(sep) {
            return walk(part, rest, out);
        }
        // Every part is walked (no short cut) so that all known codes are collected.
        let mut ok = true;
        for p in part.split(sep) {
            ok &= walk(p, rest, out);
        }
        ok
    }
    let mut out = Vec::new();
    let mut ok = true;
    for item in lettered(text) {
        ok &= walk(&item, &[";", ",", "/", ". ", " and "], &mut out);
    }
    ok.then_some(out)
}

/// Adds the citizenships of a cell ("Russian and Ukrainian", "a) German
/// b) Moroccan", "Syrian; French"); when some part names no known country
/// the text as given is kept in `notes` (the known ones are still added).
fn add_citizenship(e: &mut Entity, text: &str) {
    let mut found = Vec::new();
    let mut unknown = false;
    for item in lettered(text) {
        match countries_in(&item) {
            Some(codes) => found.extend(codes),
            None => {
                unknown = true;
                // Keep the parts that are known.
                for part in item.split([';', ',', '/']).flat_map(|p| p.split(" and ")) {
                    if let Some(code) = nationality_code(part) {
                        found.push(code);
                    }
                }
            }
        }
    }
    for code in found {
        e.add(prop::CITIZENSHIP, code);
    }
    if unknown {
        e.add(prop::NOTES, &format!("Citizenship: {text}"));
    }
}

/// IMO numbers quoted in free text ("International Maritime Organization
/// (IMO) Number: 1790183", "IMO 9187629"): the seven digits that follow
/// "IMO" within a few characters.
fn imo_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find("IMO")) {
        let at = from + pos + 3;
        from = at;
        let window: String = text.get(at..).unwrap_or("").chars().take(30).collect();
        let Some(start) = window.find(|c: char| c.is_ascii_digit()) else {
            continue;
        };
        let lead = window.get(..start).unwrap_or("");
        if lead
            .chars()
            .any(|c| c.is_alphabetic() && !"Nnumber".contains(c))
        {
            continue;
        }
        let digits: String = window
            .get(start..)
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.len() == 7 && !out.contains(&digits) {
            out.push(digits);
        }
    }
    out
}

/// The country of an address: its last comma-separated part, when that
/// names a country.
fn address_country(address: &str) -> Option<&'static str> {
    let last = address.rsplit(',').next()?.trim();
    country_code(last)
}

/// The listing date in a "Listing Information" cell: the first date after
/// "on" ("Listed on 12 Apr. 2000 (amended …)", "Listed by UN 1267 Committee
/// on 25 January 2001"), or the cell itself when it is a date.
fn listing_date(text: &str) -> Option<String> {
    if let Some(d) = xlsx::date_text(text) {
        return Some(d);
    }
    // A cell that starts with the date ("5 Aug. 2020 (amended on 22 Feb.2021)").
    if let Some(d) = leading_date(text) {
        return Some(d);
    }
    let lower = text.to_lowercase();
    let mut from = 0;
    while let Some(pos) = lower.get(from..).and_then(|l| l.find("on")) {
        let at = from + pos;
        from = at + 2;
        let before_ok = lower
            .get(..at)
            .and_then(|b| b.chars().last())
            .is_none_or(|c| !c.is_alphanumeric());
        let after = lower.get(at + 2..).unwrap_or("");
        let after_ok = after.starts_with([' ', ':']);
        if !before_ok || !after_ok {
            continue;
        }
        if let Some(d) = leading_date(text.get(at + 2..).unwrap_or("").trim_start_matches(':')) {
            return Some(d);
        }
    }
    None
}

/// The date the first two or three words of `text` make ("9 Aug. 2014",
/// "25 January 2001,", "Aug. 2014").
fn leading_date(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .trim_start_matches([' ', ':'])
        .split_whitespace()
        .take(3)
        .map(|w| w.trim_end_matches([',', ')', ';']))
        .collect();
    (2..=words.len()).rev().find_map(|n| {
        words
            .get(..n)
            .and_then(|w| super::dates::parse_date(&w.join(" ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_group_by_number() {
        assert_eq!(reference_number("2").as_deref(), Some("2"));
        assert_eq!(reference_number("2a").as_deref(), Some("2"));
        assert_eq!(reference_number("34c1").as_deref(), Some("34"));
        assert_eq!(reference_number(" 1140g ").as_deref(), Some("1140"));
        assert_eq!(reference_number("x1"), None);
    }

    #[test]
    fn lettered_lists() {
        assert_eq!(
            lettered("a) Mullah b) Haji"),
            vec!["Mullah".to_string(), "Haji".to_string()]
        );
        assert_eq!(
            lettered("a) 12/03/1960; \nb) 1961"),
            vec!["12/03/1960".to_string(), "1961".to_string()]
        );
        assert_eq!(
            lettered("Kabul, Afghanistan"),
            vec!["Kabul, Afghanistan".to_string()]
        );
        assert_eq!(lettered("a)9999 b)1961").len(), 2);
    }

    #[test]
    fn birth_date_shapes() {
        let (d, approx, complete) =
            birth_dates("a) Approximately 1955- 1958 b) Approximately 1945-1950");
        assert!(approx && complete);
        assert_eq!(
            d,
            [
                "1955", "1956", "1957", "1958", "1945", "1946", "1947", "1948", "1949", "1950"
            ]
        );
        let (d, _, complete) = birth_dates("12/03/1960; alt DOB: 1961");
        assert!(complete);
        assert_eq!(d, ["1960-03-12", "1961"]);
        let (d, _, _) = birth_dates("1963 or 1964");
        assert_eq!(d, ["1963", "1964"]);
        let (d, _, complete) = birth_dates("19/10/1958,20/10/1958, 21/10/1958");
        assert!(complete);
        assert_eq!(d, ["1958-10-19", "1958-10-20", "1958-10-21"]);
        let (d, _, complete) = birth_dates("Approximately (40-45 years old)");
        assert!(d.is_empty() && !complete);
        let (d, _, complete) = birth_dates("a) 14 Apr. 1965 b) 03/05/1385 (Hijri Calendar)");
        assert_eq!(d, ["1965-04-14"]);
        assert!(!complete);
    }

    #[test]
    fn citizenship_words() {
        let mut e = Entity::new("x", "1", Schema::Person);
        add_citizenship(&mut e, "Russian and Ukrainian");
        add_citizenship(&mut e, "a) German b) Moroccan");
        add_citizenship(&mut e, "Possibly Ethiopian");
        assert_eq!(e.get(prop::CITIZENSHIP), ["ru", "ua", "de", "ma"]);
        assert_eq!(e.get(prop::NOTES), ["Citizenship: Possibly Ethiopian"]);
    }

    #[test]
    fn imo_numbers_in_text() {
        assert_eq!(
            imo_numbers("resolutions. International Maritime Organization (IMO) Number: 1790183."),
            ["1790183"]
        );
        assert_eq!(imo_numbers("IMO 9187629; IMO number 9187629"), ["9187629"]);
        assert!(imo_numbers("IMO: see the MMSI 273456789").is_empty());
    }

    #[test]
    fn listing_dates() {
        assert_eq!(
            listing_date(
                "Listed by UN 1267 Committee on 25 January 2001 (amended on 20 December 2005)"
            )
            .as_deref(),
            Some("2001-01-25")
        );
        assert_eq!(
            listing_date("Listed on: 9 Aug. 2014 (Relisted on 9 Aug. 2015)").as_deref(),
            Some("2014-08-09")
        );
        assert_eq!(listing_date("2019-03-01").as_deref(), Some("2019-03-01"));
        // Not the amendment: the date the cell starts with.
        assert_eq!(
            listing_date("5 Aug. 2020 (amended on 22 Feb.2021)").as_deref(),
            Some("2020-08-05")
        );
        assert_eq!(
            listing_date("Instrument of first designation: Autonomous Sanctions List 2014"),
            None
        );
    }

    #[test]
    fn previously_listed_names() {
        assert_eq!(
            name_values("Abdul Jalil Haqqani (previously listed as)", prop::ALIAS),
            vec![(prop::PREVIOUS_NAME, "Abdul Jalil Haqqani".to_string())]
        );
        assert_eq!(
            name_values(
                "Riyadh Al-Hijazi (previously listed as. in Arabic: رياض الحجازي)",
                prop::ALIAS
            ),
            vec![
                (prop::PREVIOUS_NAME, "Riyadh Al-Hijazi".to_string()),
                (prop::PREVIOUS_NAME, "رياض الحجازي".to_string())
            ]
        );
    }
}
