//! Parser for the UN Security Council consolidated list XML (`un_xml`,
//! list `un_sc_sanctions`): `<CONSOLIDATED_LIST dateGenerated=…>` with
//! `<INDIVIDUALS><INDIVIDUAL>` and `<ENTITIES><ENTITY>` records.
//!
//! The file is read with a streaming reader that holds one record at a time.
//! The entity id is the UN `REFERENCE_NUMBER` (`QDi.001`), stable across
//! publications. Mapping decisions:
//! - Person name: `FIRST_NAME` … `FOURTH_NAME` joined in order; `firstName` is
//!   `FIRST_NAME`, `lastName` the last part present (when there are two or more).
//! - `NAME_ORIGINAL_SCRIPT` is kept as given as an `alias`.
//! - Alias quality: `Good`/`a.k.a.`/empty → `alias`, `Low` → `weakAlias`,
//!   `f.k.a.` → `previousName`. Birth dates and places given inside an alias
//!   are the same person's and are added, with a note naming the alias.
//! - Birth dates keep their precision; `APPROXIMATELY` adds a "birth date
//!   approximate" note, `BETWEEN` gives every year of the range. A `NOTE` that
//!   is itself a date ("Nov. 1973", or "Sep." next to a `YEAR`) is used when it
//!   gives a plausible Gregorian date; every note is also kept in `notes`.
//! - Documents: a passport type → `passportNumber`, others → `idNumber`
//!   (fiscal/tax codes → `taxNumber`). When `NUMBER` holds prose ("Russian
//!   foreign travel passport number 514448632") the trailing code is the
//!   number and the full text goes to `notes` with issuing details.
//! - `program` is the `UN_LIST_TYPE` with the regime code of the reference
//!   number (`Al-Qaida (QD)`).
//!
//! A truncated or malformed file is an error naming the line and byte offset.

use super::xml::{self, Node, Records};
use super::{ParseError, ParsedList, SourceFile, UniqueIds, dates, decode_text};
use crate::countries;
use crate::model::{Entity, Schema, prop};

/// Parses UN consolidated list files into one entity per `INDIVIDUAL` /
/// `ENTITY`; `published` is the `dateGenerated` date.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut ids = UniqueIds::default();
    for file in files {
        parse_file(list_id, file, &mut ids, &mut out)?;
    }
    Ok(out)
}

fn parse_file(
    list_id: &str,
    file: &SourceFile,
    ids: &mut UniqueIds,
    out: &mut ParsedList,
) -> Result<(), ParseError> {
    let text = decode_text(file);
    let mut records = Records::of_file(file, &text);
    let root = records.expect_root(&["CONSOLIDATED_LIST"], "a UN consolidated list")?;
    if out.published.is_none() {
        out.published = root.attr("dateGenerated").and_then(dates::parse_date);
    }
    while let Some(record) = records
        .next_record(|path, name| path.len() == 2 && matches!(name, "INDIVIDUAL" | "ENTITY"))?
    {
        let entity = map_record(list_id, &record, ids);
        out.entities.push(entity);
    }
    Ok(())
}

fn map_record(list_id: &str, r: &Node, ids: &mut UniqueIds) -> Entity {
    let is_person = r.name == "INDIVIDUAL";
    let schema = if is_person {
        Schema::Person
    } else {
        Schema::Organization
    };
    let name_parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .map(|n| r.child_text(n))
        .filter(|s| !s.is_empty())
        .collect();
    let reference = r.child_text("REFERENCE_NUMBER");
    let source_id = if !reference.is_empty() {
        reference.to_string()
    } else if !r.child_text("DATAID").is_empty() {
        format!("dataid-{}", r.child_text("DATAID"))
    } else {
        xml::derived_id(&r.name, &name_parts)
    };
    let mut e = Entity::new(list_id, &ids.claim(&source_id), schema);
    if let Some(un) = crate::model::un_reference(reference) {
        e.add(prop::UNSC_ID, &un);
    }
    if reference.is_empty() {
        e.add(
            prop::NOTES,
            "the record has no REFERENCE_NUMBER; its id is derived from other fields",
        );
    }

    e.add(prop::NAME, &name_parts.join(" "));
    if is_person {
        if let Some(first) = name_parts.first() {
            e.add(prop::FIRST_NAME, first);
        }
        if name_parts.len() >= 2
            && let Some(last) = name_parts.last()
        {
            e.add(prop::LAST_NAME, last);
        }
    }
    e.add(prop::ALIAS, r.child_text("NAME_ORIGINAL_SCRIPT"));

    let list_type = r.child_text("UN_LIST_TYPE");
    e.add(prop::PROGRAM, &program(list_type, reference));
    if let Some(d) = dates::parse_date(r.child_text("LISTED_ON")) {
        e.add(prop::LISTING_DATE, &d);
    }
    let updated = r
        .children_named("LAST_DAY_UPDATED")
        .flat_map(|n| n.children_named("VALUE"))
        .filter_map(|v| dates::parse_date(v.text()))
        .max();
    if let Some(d) = updated {
        e.add(prop::MODIFIED_AT, &d);
    }
    let comments = r.child_text("COMMENTS1");
    e.add(prop::NOTES, comments);
    if let Some(bic) = swift_in_text(comments) {
        e.add(prop::SWIFT_BIC, &bic);
    }
    if let Some(g) = xml::gender(r.child_text("GENDER")) {
        e.add(prop::GENDER, g);
    }
    for v in values(r, "TITLE") {
        e.add(prop::TITLE, v);
    }
    for v in values(r, "DESIGNATION") {
        e.add(prop::POSITION, v);
    }
    for v in values(r, "NATIONALITY") {
        match countries::country_code(v) {
            Some(code) => e.add(prop::NATIONALITY, code),
            None => e.add(prop::NOTES, &format!("nationality: {v}")),
        }
    }

    for alias in r
        .children
        .iter()
        .filter(|c| c.name == "INDIVIDUAL_ALIAS" || c.name == "ENTITY_ALIAS")
    {
        add_alias(&mut e, alias);
    }
    for addr in r
        .children
        .iter()
        .filter(|c| c.name == "INDIVIDUAL_ADDRESS" || c.name == "ENTITY_ADDRESS")
    {
        add_address(&mut e, addr);
    }
    for dob in r.children_named("INDIVIDUAL_DATE_OF_BIRTH") {
        add_birth_date(&mut e, dob);
    }
    for pob in r.children_named("INDIVIDUAL_PLACE_OF_BIRTH") {
        let place = xml::join(
            [
                pob.child_text("STREET"),
                pob.child_text("CITY"),
                pob.child_text("STATE_PROVINCE"),
                pob.child_text("COUNTRY"),
            ],
            ", ",
        );
        e.add(prop::BIRTH_PLACE, &place);
        let note = pob.child_text("NOTE");
        if !note.is_empty() {
            e.add(prop::NOTES, &format!("birth place {place}: {note}"));
        }
    }
    for doc in r.children_named("INDIVIDUAL_DOCUMENT") {
        add_document(&mut e, doc);
    }
    e
}

/// `Al-Qaida` + `QDi.001` → `Al-Qaida (QD)`: the regime named by the list
/// type and by the reference number's regime code.
fn program(list_type: &str, reference: &str) -> String {
    let code: String = reference
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    // The last letter says individual (i) or entity (e); the regime is the rest.
    let regime = match code.strip_suffix(['i', 'e']) {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => code,
    };
    match (list_type.is_empty(), regime.is_empty()) {
        (true, _) => regime,
        (false, true) => list_type.to_string(),
        (false, false) if regime.eq_ignore_ascii_case(list_type) => list_type.to_string(),
        (false, false) => format!("{list_type} ({regime})"),
    }
}

/// The `<VALUE>` children of every `name` child.
fn values<'a>(r: &'a Node, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    r.children_named(name)
        .flat_map(|n| n.children_named("VALUE"))
        .map(Node::text)
        .filter(|s| !s.is_empty())
}

fn add_alias(e: &mut Entity, a: &Node) {
    let name = a.child_text("ALIAS_NAME");
    if name.is_empty() {
        return;
    }
    let quality = a.child_text("QUALITY").to_ascii_lowercase();
    let property = match quality.as_str() {
        "low" => prop::WEAK_ALIAS,
        "f.k.a." | "fka" => prop::PREVIOUS_NAME,
        _ => prop::ALIAS,
    };
    e.add(property, name);
    let dob = a.child_text("DATE_OF_BIRTH");
    if !dob.is_empty() {
        match dates::parse_birth_date(dob) {
            Some(d) => {
                e.add(prop::BIRTH_DATE, &d);
                e.add(
                    prop::NOTES,
                    &format!("birth date {d} given for alias {name}"),
                );
            }
            None => e.add(
                prop::NOTES,
                &format!("birth date {dob} given for alias {name}"),
            ),
        }
    }
    let place = xml::join(
        [
            a.child_text("CITY_OF_BIRTH"),
            a.child_text("COUNTRY_OF_BIRTH"),
        ],
        ", ",
    );
    if !place.is_empty() {
        e.add(prop::BIRTH_PLACE, &place);
        e.add(
            prop::NOTES,
            &format!("birth place {place} given for alias {name}"),
        );
    }
    let note = a.child_text("NOTE");
    if !note.is_empty() {
        e.add(prop::NOTES, &format!("alias {name}: {note}"));
    }
}

fn add_address(e: &mut Entity, a: &Node) {
    let country = a.child_text("COUNTRY");
    let text = xml::join(
        [
            a.child_text("STREET"),
            a.child_text("CITY"),
            a.child_text("STATE_PROVINCE"),
            a.child_text("ZIP_CODE"),
            country,
        ],
        ", ",
    );
    e.add(prop::ADDRESS, &text);
    if !country.is_empty() {
        // An unknown country name stays in the address text.
        if let Some(code) = countries::country_code(country) {
            e.add(prop::COUNTRY, code);
        }
    }
    let note = a.child_text("NOTE");
    if !note.is_empty() {
        if text.is_empty() {
            e.add(prop::NOTES, &format!("address: {note}"));
        } else {
            e.add(prop::NOTES, &format!("address {text}: {note}"));
        }
    }
}

/// Adds one `INDIVIDUAL_DATE_OF_BIRTH`: EXACT / APPROXIMATELY / BETWEEN with
/// `DATE`, `YEAR`, `FROM_YEAR`/`TO_YEAR` and an optional `NOTE`.
fn add_birth_date(e: &mut Entity, dob: &Node) {
    let kind = dob.child_text("TYPE_OF_DATE").to_ascii_uppercase();
    let note = dob.child_text("NOTE");
    // "Approximately" as the whole note only qualifies the date.
    let note_says_approx = note.eq_ignore_ascii_case("approximately");
    let note = if note_says_approx { "" } else { note };
    let approximate = kind == "APPROXIMATELY" || note_says_approx;
    let (from, to) = (dob.child_text("FROM_YEAR"), dob.child_text("TO_YEAR"));
    let year = dob.child_text("YEAR");

    if !from.is_empty() && !to.is_empty() {
        for d in dates::parse_birth_dates(&format!("{from} to {to}")).dates {
            e.add(prop::BIRTH_DATE, &d);
        }
        let what = format!("between {from} and {to}");
        if approximate {
            e.add(prop::NOTES, &format!("birth date approximate: {what}"));
        } else {
            e.add(prop::NOTES, &format!("birth date range: {what}"));
        }
        if !note.is_empty() {
            e.add(prop::NOTES, &format!("birth date note: {note}"));
        }
        return;
    }

    let mut given: Vec<String> = Vec::new();
    for v in [dob.child_text("DATE"), year, from, to] {
        if v.is_empty() {
            continue;
        }
        match dates::parse_birth_date(v) {
            Some(d) => given.push(d),
            None => e.add(prop::NOTES, &format!("birth date as given: {v}")),
        }
    }
    // The note may be the date itself ("Nov. 1973") or complete a year ("Sep.").
    if !note.is_empty() {
        let from_note = dates::parse_date(note)
            .or_else(|| {
                (!year.is_empty())
                    .then(|| dates::parse_date(&format!("{note} {year}")))
                    .flatten()
            })
            .filter(|d| dates::plausible_birth_date(d));
        given.extend(from_note);
    }
    for d in &given {
        e.add(prop::BIRTH_DATE, d);
    }
    match (approximate, given.is_empty(), note.is_empty()) {
        (true, false, _) => {
            e.add(
                prop::NOTES,
                &format!("birth date approximate: circa {}", given.join(", ")),
            );
        }
        (true, true, false) => {
            e.add(prop::NOTES, &format!("birth date approximate: {note}"));
            return;
        }
        _ => {}
    }
    if !note.is_empty() {
        e.add(prop::NOTES, &format!("birth date note: {note}"));
    }
}

fn add_document(e: &mut Entity, d: &Node) {
    let kind = d.child_text("TYPE_OF_DOCUMENT");
    let kind2 = d.child_text("TYPE_OF_DOCUMENT2");
    let raw = d.child_text("NUMBER");
    let lower = format!("{kind} {kind2}").to_lowercase();
    let property = if kind.to_lowercase().contains("passport")
        || kind.to_lowercase().contains("passeport")
        || kind.to_lowercase().contains("pasaporte")
    {
        prop::PASSPORT_NUMBER
    } else if lower.contains("fiscal") || lower.contains(" tax") {
        prop::TAX_NUMBER
    } else {
        prop::ID_NUMBER
    };
    let number = xml::document_number(raw);
    if let Some(n) = &number {
        e.add(property, n);
    }
    let mut details: Vec<String> = Vec::new();
    let kind2_folded = xml::fold_space(kind2);
    if !kind2.is_empty() && !kind2_folded.eq_ignore_ascii_case(&xml::fold_space(kind)) {
        details.push(kind2_folded);
    }
    if let Some(n) = &number
        && xml::fold_space(raw) != *n
    {
        details.push(format!("number as given: {}", xml::fold_space(raw)));
    }
    let issuing = d.child_text("ISSUING_COUNTRY");
    if !issuing.is_empty() {
        details.push(format!("issuing country {issuing}"));
    }
    let issued = d.child_text("DATE_OF_ISSUE");
    if !issued.is_empty() {
        details.push(format!("issued {issued}"));
    }
    let place = xml::join(
        [
            d.child_text("CITY_OF_ISSUE"),
            d.child_text("COUNTRY_OF_ISSUE"),
        ],
        ", ",
    );
    if !place.is_empty() {
        details.push(format!("issued in {place}"));
    }
    let note = d.child_text("NOTE");
    if !note.is_empty() {
        details.push(note.to_string());
    }
    if details.is_empty() {
        return;
    }
    let label = xml::fold_space(if kind.is_empty() { "document" } else { kind });
    let head = match &number {
        Some(n) => format!("{label} {n}"),
        None => label,
    };
    e.add(prop::NOTES, &format!("{head}: {}", details.join("; ")));
}

/// A SWIFT/BIC code stated in prose as "SWIFT: DCBKKPPY" or "SWIFT/BIC DCBKKPPY".
fn swift_in_text(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let start = upper.find("SWIFT")?;
    let rest = text.get(start + 5..)?;
    let rest = rest
        .strip_prefix("/BIC")
        .or_else(|| rest.strip_prefix("/bic"))
        .unwrap_or(rest);
    let rest = rest.trim_start_matches([':', ' ', '\u{a0}', '-']);
    let code: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let ok = (code.len() == 8 || code.len() == 11)
        && code.chars().take(6).all(|c| c.is_ascii_uppercase());
    ok.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_names_the_regime() {
        assert_eq!(program("Al-Qaida", "QDi.001"), "Al-Qaida (QD)");
        assert_eq!(program("DPRK", "KPe.023"), "DPRK (KP)");
        assert_eq!(program("GB", "GBi.001"), "GB");
        assert_eq!(program("", "TAi.007"), "TA");
    }

    #[test]
    fn swift_codes_in_comments() {
        assert_eq!(
            swift_in_text("SWIFT: DCBKKPPY. Daedong Credit Bank").as_deref(),
            Some("DCBKKPPY")
        );
        assert_eq!(swift_in_text("no code here"), None);
    }
}
