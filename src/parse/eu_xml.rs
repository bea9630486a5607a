//! Parser for the EU Financial Sanctions Files XML (list `eu_fsf`), both
//! versions, told apart by the root element:
//! - v1.1 (current): `<export xmlns="http://eu.europa.ec/fpi/fsd/export"
//!   generationDate=…>` with `<sanctionEntity logicalId=…>` records;
//! - v1.0 (legacy): `<WHOLE Date="dd/mm/yyyy">` with `<ENTITY Id= Type="P|E">`
//!   records holding `NAME`, `BIRTH`, `PASSPORT`, `CITIZEN`, `ADDRESS`.
//!
//! The entity id is the EU `logicalId` (v1.1) or `Id` (v1.0): the same number
//! in both versions. Mapping decisions:
//! - The EU marks no primary name. The primary `name` is the strong name
//!   alias with the lowest EU id (the name first recorded, e.g. "Khalid
//!   Sheikh MOHAMMED" rather than a later language variant); the others are
//!   `alias`, and `strong="false"` names are `weakAlias`. Person name parts
//!   of the primary name go to `firstName`/`middleName`/`lastName`.
//! - A record with no name at all is named by its EU reference number (or
//!   id), with a note saying so, so it stays screenable and visible.
//! - Country codes are ISO alpha-2 in v1.1 (lower-cased) and alpha-3 in v1.0.
//! - `listingDate` is v1.1's `designationDate`, or the entry-into-force date
//!   of a `regulationType="regulation"` act (the listing act). v1.0 states no
//!   designation date, so none is given; every legal basis goes to `notes`.
//!
//! Truncated v1.0 files: the only obtainable v1.0 file was cut by its
//! uploader after 595 complete `<ENTITY>` records. For v1.0 a document that
//! ends right after a complete `</ENTITY>`, with only `<WHOLE>` left open,
//! yields the complete entities with a warning (logged, and returned in
//! `ParsedList::warnings`); the snapshot layer's count guards decide whether
//! such a version may replace a previous one. A document cut anywhere else — inside a record, inside a
//! tag — is an error naming the line and byte offset, never a silently
//! dropped record. v1.1, the live format, accepts no truncation at all.

use super::xml::{self, Node, Records};
use super::{ParseError, ParsedList, SourceFile, UniqueIds, dates, decode_text};
use crate::countries;
use crate::model::{Entity, Schema, prop};

/// Parses EU FSF files of either version (told apart by the root element)
/// into one entity per `sanctionEntity` / `ENTITY`; `published` is the
/// file's generation date.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut ids = UniqueIds::default();
    for file in files {
        let text = decode_text(file);
        let mut records = Records::of_file(file, &text);
        let root = records.root()?;
        match root.name.as_str() {
            "export" => {
                if out.published.is_none() {
                    out.published = root.attr("generationDate").and_then(dates::parse_date);
                }
                while let Some(r) =
                    records.next_record(|path, name| path.len() == 1 && name == "sanctionEntity")?
                {
                    out.entities.push(map_v11(list_id, &r, &mut ids));
                }
            }
            "WHOLE" => {
                if out.published.is_none() {
                    out.published = root.attr("Date").and_then(dates::parse_date);
                }
                records.allow_unterminated_root();
                let before = out.entities.len();
                while let Some(r) =
                    records.next_record(|path, name| path.len() == 1 && name == "ENTITY")?
                {
                    out.entities.push(map_v10(list_id, &r, &mut ids));
                }
                if records.unterminated() {
                    let entities = out.entities.len() - before;
                    tracing::warn!(
                        file = %file.name,
                        entities,
                        "EU FSF 1.0 file ends without </WHOLE> after a complete <ENTITY>; \
                         returning the complete entities"
                    );
                    out.warnings.push(format!(
                        "{}: the file ends without </WHOLE> after a complete <ENTITY>; \
                         the {entities} complete entities before the end were read, \
                         later ones may be missing",
                        file.name
                    ));
                }
            }
            other => {
                return Err(records.error_at_start(format!(
                    "not an EU financial sanctions file: the root element is <{other}>, \
                     expected <export> (v1.1) or <WHOLE> (v1.0)"
                )));
            }
        }
    }
    Ok(out)
}

/// One name of a record, before the primary is chosen.
struct NameEntry<'a> {
    whole: String,
    first: &'a str,
    middle: &'a str,
    last: &'a str,
    strong: bool,
    /// The EU's id of the name record (lower = recorded earlier).
    eu_id: Option<u64>,
}

/// Adds the names: the primary (see the module doc) as `name`, the rest as
/// `alias` / `weakAlias`. Returns false when there was no name at all.
fn add_names(e: &mut Entity, names: &[NameEntry<'_>]) -> bool {
    let pick = |strong_only: bool| {
        names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.whole.is_empty() && (n.strong || !strong_only))
            .min_by_key(|(i, n)| (n.eu_id.unwrap_or(u64::MAX), *i))
            .map(|(i, _)| i)
    };
    let Some(primary) = pick(true).or_else(|| pick(false)) else {
        return false;
    };
    let primary_name = names.get(primary).map(|n| n.whole.as_str()).unwrap_or("");
    for (i, n) in names.iter().enumerate() {
        if i != primary && n.whole == primary_name {
            continue;
        }
        if i == primary {
            e.add(prop::NAME, &n.whole);
            if e.schema == Schema::Person {
                e.add(prop::FIRST_NAME, n.first);
                e.add(prop::MIDDLE_NAME, n.middle);
                e.add(prop::LAST_NAME, n.last);
            }
        } else if n.strong {
            e.add(prop::ALIAS, &n.whole);
        } else {
            e.add(prop::WEAK_ALIAS, &n.whole);
        }
    }
    true
}

fn name_fallback(e: &mut Entity, reference: &str) {
    e.add(prop::NAME, reference);
    e.add(
        prop::NOTES,
        "the EU record gives no name; it is named by its EU reference",
    );
}

// ---------------------------------------------------------------- v1.1

fn map_v11(list_id: &str, r: &Node, ids: &mut UniqueIds) -> Entity {
    let schema = match r
        .child("subjectType")
        .map(|s| s.attr_or_empty("code").to_ascii_lowercase())
        .as_deref()
    {
        Some("person") => Schema::Person,
        Some("enterprise") => Schema::Organization,
        Some("vessel") => Schema::Vessel,
        _ => Schema::LegalEntity,
    };
    let aliases: Vec<&Node> = r.children_named("nameAlias").collect();
    let names: Vec<NameEntry<'_>> = aliases
        .iter()
        .map(|a| {
            let (first, middle, last) = (
                a.attr_or_empty("firstName"),
                a.attr_or_empty("middleName"),
                a.attr_or_empty("lastName"),
            );
            let whole = match a.attr("wholeName") {
                Some(w) => xml::fold_space(w),
                None => xml::join([first, middle, last], " "),
            };
            NameEntry {
                whole,
                first,
                middle,
                last,
                strong: !a.attr_or_empty("strong").eq_ignore_ascii_case("false"),
                eu_id: a.attr("logicalId").and_then(|v| v.parse().ok()),
            }
        })
        .collect();

    let reference = r.attr_or_empty("euReferenceNumber");
    let source_id = match r.attr("logicalId") {
        Some(id) => id.to_string(),
        None => {
            let all: Vec<&str> = names.iter().map(|n| n.whole.as_str()).collect();
            xml::derived_id(reference, &all)
        }
    };
    let mut e = Entity::new(list_id, &ids.claim(&source_id), schema);
    if r.attr("logicalId").is_none() {
        e.add(
            prop::NOTES,
            "the record has no logicalId; its id is derived from its names",
        );
    }
    if !add_names(&mut e, &names) {
        let fallback = if reference.is_empty() {
            &source_id
        } else {
            reference
        };
        name_fallback(&mut e, fallback);
    }
    for a in &aliases {
        e.add(prop::POSITION, a.attr_or_empty("function"));
        e.add(prop::TITLE, a.attr_or_empty("title"));
        if schema == Schema::Person
            && let Some(g) = xml::gender(a.attr_or_empty("gender"))
        {
            e.add(prop::GENDER, g);
        }
        for remark in a.children_named("remark") {
            e.add(prop::NOTES, remark.text());
        }
    }

    if !reference.is_empty() {
        e.add(prop::NOTES, &format!("EU reference number {reference}"));
    }
    if let Some(un) = r.attr("unitedNationId") {
        e.add(prop::NOTES, &format!("UN reference {un}"));
        if let Some(un) = crate::model::un_reference(un) {
            e.add(prop::UNSC_ID, &un);
        }
    }
    e.add(prop::NOTES, r.attr_or_empty("designationDetails"));
    for remark in r.children_named("remark") {
        e.add(prop::NOTES, remark.text());
    }
    let mut listing = r.attr("designationDate").and_then(dates::parse_date);
    for reg in r.children_named("regulation") {
        e.add(prop::PROGRAM, reg.attr_or_empty("programme"));
        e.add(prop::SOURCE_URL, reg.child_text("publicationUrl"));
        let kind = reg.attr_or_empty("regulationType");
        if listing.is_none() && kind.eq_ignore_ascii_case("regulation") {
            listing = reg
                .attr("entryIntoForceDate")
                .or(reg.attr("publicationDate"))
                .and_then(dates::parse_date);
        }
        let title = reg.attr_or_empty("numberTitle");
        if !title.is_empty() {
            let mut line = format!("legal basis: {title}");
            if !kind.is_empty() {
                line.push_str(&format!(" ({kind})"));
            }
            if let Some(p) = reg.attr("publicationDate") {
                line.push_str(&format!(", published {p}"));
            }
            e.add(prop::NOTES, &line);
        }
    }
    if let Some(d) = listing {
        e.add(prop::LISTING_DATE, &d);
    }

    for c in r.children_named("citizenship") {
        match countries::iso_code(c.attr_or_empty("countryIso2Code")) {
            Some(code) => e.add(prop::CITIZENSHIP, code),
            None => {
                if let Some(d) = known_description(c) {
                    e.add(prop::NOTES, &format!("citizenship: {d}"));
                }
            }
        }
    }
    for b in r.children_named("birthdate") {
        add_v11_birth(&mut e, b);
    }
    for id in r.children_named("identification") {
        add_v11_identification(&mut e, id);
    }
    for a in r.children_named("address") {
        add_v11_address(&mut e, a);
    }
    e
}

/// The `countryDescription` unless the EU wrote "UNKNOWN".
fn known_description(n: &Node) -> Option<&str> {
    n.attr("countryDescription")
        .filter(|d| !d.eq_ignore_ascii_case("unknown"))
}

fn add_v11_birth(e: &mut Entity, b: &Node) {
    let calendar = b.attr_or_empty("calendarType");
    let gregorian = calendar.is_empty() || calendar.eq_ignore_ascii_case("gregorian");
    // Dates of another calendar are only noted, so only Gregorian ones
    // need a plausible year.
    let parse = |text: &str| {
        if gregorian {
            dates::parse_birth_date(text)
        } else {
            dates::parse_date(text)
        }
    };
    let full = b.attr("birthdate").and_then(parse);
    let partial = || {
        let year = b.attr("year")?;
        let month = b.attr("monthOfYear");
        let day = b.attr("dayOfMonth");
        let text = match (month, day) {
            (Some(m), Some(d)) => format!("{year}-{m:0>2}-{d:0>2}"),
            (Some(m), None) => format!("{year}-{m:0>2}"),
            _ => year.to_string(),
        };
        parse(&text)
    };
    let mut found: Vec<String> = full.or_else(partial).into_iter().collect();
    if let (Some(from), Some(to)) = (b.attr("yearRangeFrom"), b.attr("yearRangeTo")) {
        let range = format!("{from} to {to}");
        if gregorian {
            found.extend(dates::parse_birth_dates(&range).dates);
        } else {
            found.extend(dates::parse_dates(&range).dates);
        }
        e.add(
            prop::NOTES,
            &format!("birth date range: between {from} and {to}"),
        );
    }
    if found.is_empty() {
        let given = xml::join(
            [
                b.attr_or_empty("birthdate"),
                b.attr_or_empty("dayOfMonth"),
                b.attr_or_empty("monthOfYear"),
                b.attr_or_empty("year"),
            ],
            " ",
        );
        if !given.is_empty() {
            e.add(prop::NOTES, &format!("birth date as given: {given}"));
        }
    }
    if gregorian {
        for d in &found {
            e.add(prop::BIRTH_DATE, d);
        }
    } else if !found.is_empty() {
        e.add(
            prop::NOTES,
            &format!(
                "birth date in the {calendar} calendar: {}",
                found.join(", ")
            ),
        );
    }
    if b.attr_or_empty("circa").eq_ignore_ascii_case("true") && !found.is_empty() {
        e.add(
            prop::NOTES,
            &format!("birth date approximate: circa {}", found.join(", ")),
        );
    }
    let city = b.attr_or_empty("city");
    let city = if city == "-" { "" } else { city };
    let place = xml::join(
        [
            city,
            b.attr_or_empty("zipCode"),
            b.attr_or_empty("region"),
            b.attr_or_empty("place"),
            known_description(b).unwrap_or(""),
        ],
        ", ",
    );
    e.add(prop::BIRTH_PLACE, &place);
    for remark in b.children_named("remark") {
        e.add(
            prop::NOTES,
            &format!("birth date remark: {}", remark.text()),
        );
    }
}

/// The property for an EU identification type code.
fn identification_property(code: &str) -> &'static str {
    let code = code.to_ascii_lowercase();
    if code.contains("passport") {
        prop::PASSPORT_NUMBER
    } else if code.contains("fiscal") || code.contains("tax") {
        prop::TAX_NUMBER
    } else if code.contains("regnumber") || code.contains("registration") {
        prop::REGISTRATION_NUMBER
    } else if code.contains("swift") {
        prop::SWIFT_BIC
    } else if code.contains("imo") {
        prop::IMO_NUMBER
    } else {
        prop::ID_NUMBER
    }
}

fn add_v11_identification(e: &mut Entity, d: &Node) {
    let code = d.attr_or_empty("identificationTypeCode");
    let property = identification_property(code);
    let raw = d.attr_or_empty("number");
    let number = xml::document_number(raw);
    if let Some(n) = &number {
        e.add(property, n);
    }
    if let Some(latin) = d.attr("latinNumber").and_then(xml::document_number) {
        e.add(property, &latin);
    }
    let mut details: Vec<String> = Vec::new();
    if number.as_deref() != Some(xml::fold_space(raw).as_str()) && !raw.is_empty() {
        details.push(format!("number as given: {}", xml::fold_space(raw)));
    }
    if let Some(c) = known_description(d) {
        details.push(format!("country {c}"));
    }
    for (attr, label) in [
        ("issuedBy", "issued by"),
        ("issueDate", "issued"),
        ("nameOnDocument", "name on document"),
        ("region", "region"),
    ] {
        if let Some(v) = d.attr(attr) {
            details.push(format!("{label} {v}"));
        }
    }
    for (flag, label) in [
        ("diplomatic", "diplomatic"),
        ("knownExpired", "known to be expired"),
        ("knownFalse", "known to be false"),
        ("reportedLost", "reported lost"),
        ("revokedByIssuer", "revoked by issuer"),
    ] {
        if d.attr_or_empty(flag).eq_ignore_ascii_case("true") {
            details.push(label.to_string());
        }
    }
    for remark in d.children_named("remark") {
        details.push(remark.text().to_string());
    }
    if details.is_empty() {
        return;
    }
    let label = d
        .attr("identificationTypeDescription")
        .unwrap_or(if code.is_empty() { "document" } else { code });
    let head = match &number {
        Some(n) => format!("{label} {n}"),
        None => label.to_string(),
    };
    e.add(prop::NOTES, &format!("{head}: {}", details.join("; ")));
}

fn add_v11_address(e: &mut Entity, a: &Node) {
    let text = xml::join(
        [
            a.attr_or_empty("street"),
            a.attr_or_empty("poBox"),
            a.attr_or_empty("zipCode"),
            a.attr_or_empty("city"),
            a.attr_or_empty("region"),
            a.attr_or_empty("place"),
            known_description(a).unwrap_or(""),
        ],
        ", ",
    );
    e.add(prop::ADDRESS, &text);
    if let Some(code) = countries::iso_code(a.attr_or_empty("countryIso2Code")) {
        e.add(prop::COUNTRY, code);
    }
    if a.attr_or_empty("asAtListingTime")
        .eq_ignore_ascii_case("true")
    {
        e.add(prop::NOTES, &format!("address {text}: as at listing time"));
    }
    for c in a.children_named("contactInfo") {
        add_contact(e, c.attr_or_empty("key"), c.attr_or_empty("value"));
    }
    for remark in a.children_named("remark") {
        e.add(prop::NOTES, &format!("address {text}: {}", remark.text()));
    }
}

/// A contact detail keyed PHONE / EMAIL / WEB / FAX …; several values may be
/// separated by `;` or `,`.
fn add_contact(e: &mut Entity, key: &str, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    let key = key.trim().to_ascii_uppercase();
    let property = match key.as_str() {
        "PHONE" | "TEL" | "TELEPHONE" => Some(prop::PHONE),
        "EMAIL" | "E-MAIL" => Some(prop::EMAIL),
        "WEB" | "WEBSITE" | "URL" => Some(prop::WEBSITE),
        _ => None,
    };
    match property {
        Some(p) => {
            for v in value.split([';', ',']) {
                e.add(p, v);
            }
        }
        None => e.add(prop::NOTES, &format!("{}: {value}", key.to_lowercase())),
    }
}

// ---------------------------------------------------------------- v1.0

fn map_v10(list_id: &str, r: &Node, ids: &mut UniqueIds) -> Entity {
    let schema = match r.attr_or_empty("Type") {
        "P" | "p" => Schema::Person,
        "E" | "e" => Schema::Organization,
        _ => Schema::LegalEntity,
    };
    let name_nodes: Vec<&Node> = r.children_named("NAME").collect();
    let names: Vec<NameEntry<'_>> = name_nodes
        .iter()
        .map(|n| {
            let (first, middle, last) = (
                n.child_text("FIRSTNAME"),
                n.child_text("MIDDLENAME"),
                n.child_text("LASTNAME"),
            );
            let whole = match n.child_text("WHOLENAME") {
                "" => xml::join([first, middle, last], " "),
                w => xml::fold_space(w),
            };
            NameEntry {
                whole,
                first,
                middle,
                last,
                strong: true,
                eu_id: n.attr("Id").and_then(|v| v.parse().ok()),
            }
        })
        .collect();
    let source_id = match r.attr("Id") {
        Some(id) => id.to_string(),
        None => {
            let all: Vec<&str> = names.iter().map(|n| n.whole.as_str()).collect();
            xml::derived_id("ENTITY", &all)
        }
    };
    let mut e = Entity::new(list_id, &ids.claim(&source_id), schema);
    if r.attr("Id").is_none() {
        e.add(
            prop::NOTES,
            "the record has no Id; its id is derived from its names",
        );
    }
    if !add_names(&mut e, &names) {
        name_fallback(&mut e, &source_id);
    }
    for n in &name_nodes {
        e.add(prop::TITLE, n.child_text("TITLE"));
        e.add(prop::POSITION, n.child_text("FUNCTION"));
        if schema == Schema::Person
            && let Some(g) = xml::gender(n.child_text("GENDER"))
        {
            e.add(prop::GENDER, g);
        }
    }

    // The entity's programme first, then those its parts were added under.
    e.add(prop::PROGRAM, r.attr_or_empty("programme"));
    for c in &r.children {
        e.add(prop::PROGRAM, c.attr_or_empty("programme"));
    }
    e.add(prop::SOURCE_URL, r.attr_or_empty("pdf_link"));
    let remark = r.attr_or_empty("remark");
    let remark = remark
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(remark);
    e.add(prop::NOTES, remark);
    if let Some(basis) = r.attr("legal_basis") {
        let mut line = format!("legal basis: {basis}");
        if let Some(d) = r.attr("reg_date") {
            line.push_str(&format!(", {d}"));
        }
        e.add(prop::NOTES, &line);
    }

    for c in r.children_named("CITIZEN") {
        let raw = c.child_text("COUNTRY");
        match countries::country_code(raw) {
            Some(code) => e.add(prop::CITIZENSHIP, code),
            None if !raw.is_empty() => e.add(prop::NOTES, &format!("citizenship: {raw}")),
            None => {}
        }
    }
    for b in r.children_named("BIRTH") {
        add_v10_birth(&mut e, b);
    }
    for p in r.children_named("PASSPORT") {
        add_v10_document(&mut e, p);
    }
    for a in r.children_named("ADDRESS") {
        add_v10_address(&mut e, a);
    }
    e
}

fn add_v10_birth(e: &mut Entity, b: &Node) {
    let raw = b.child_text("DATE");
    if !raw.is_empty() {
        let lower = raw.to_ascii_lowercase();
        let approximate = lower.contains("approximati");
        let core = raw.split('(').next().unwrap_or(raw).trim();
        let parsed = dates::parse_birth_dates(core);
        for d in &parsed.dates {
            e.add(prop::BIRTH_DATE, d);
        }
        if parsed.dates.is_empty() {
            e.add(prop::NOTES, &format!("birth date as given: {raw}"));
        } else if approximate {
            e.add(
                prop::NOTES,
                &format!("birth date approximate: circa {core}"),
            );
        } else if parsed.range {
            e.add(prop::NOTES, &format!("birth date range: {core}"));
        }
    }
    let place = b.child_text("PLACE");
    let place = if place == "-" { "" } else { place };
    e.add(
        prop::BIRTH_PLACE,
        &xml::join([place, b.child_text("COUNTRY")], ", "),
    );
}

/// Splits a v1.0 passport/ID text, `NUMBER (code-Description) rest`, into
/// the number, the type code, its description and the rest.
fn split_v10_number(raw: &str) -> (&str, &str, &str, &str) {
    let mut search = 0;
    while let Some(found) = raw.get(search..).and_then(|s| s.find(" (")) {
        let open = search + found;
        let after = raw.get(open + 2..).unwrap_or("");
        if let Some(close) = after.find(')') {
            let inner = after.get(..close).unwrap_or("");
            if let Some((code, desc)) = inner.split_once('-')
                && !code.is_empty()
                && code.chars().all(|c| c.is_ascii_lowercase())
            {
                let rest = after.get(close + 1..).unwrap_or("").trim();
                return (
                    raw.get(..open).unwrap_or("").trim(),
                    code,
                    desc.trim(),
                    rest,
                );
            }
        }
        search = open + 2;
    }
    (raw.trim(), "", "", "")
}

fn add_v10_document(e: &mut Entity, p: &Node) {
    let raw = xml::fold_space(p.child_text("NUMBER"));
    if raw.is_empty() {
        return;
    }
    let (num_text, code, desc, rest) = split_v10_number(&raw);
    let property = if code.is_empty() {
        prop::PASSPORT_NUMBER
    } else {
        identification_property(code)
    };
    let number = xml::document_number(num_text);
    if let Some(n) = &number {
        e.add(property, n);
    }
    let mut details: Vec<String> = Vec::new();
    if number.as_deref() != Some(num_text) {
        details.push(format!("number as given: {num_text}"));
    }
    let country = p.child_text("COUNTRY");
    if !country.is_empty() {
        details.push(format!("country {country}"));
    }
    if !rest.is_empty() {
        details.push(rest.to_string());
    }
    if details.is_empty() {
        return;
    }
    let label = if desc.is_empty() { "document" } else { desc };
    let head = match &number {
        Some(n) => format!("{label} {n}"),
        None => label.to_string(),
    };
    e.add(prop::NOTES, &format!("{head}: {}", details.join("; ")));
}

fn add_v10_address(e: &mut Entity, a: &Node) {
    let country = a.child_text("COUNTRY");
    // OTHER holds contact details as KEY[value] plus free text.
    let mut other_text: Vec<String> = Vec::new();
    let mut contacts: Vec<(String, String)> = Vec::new();
    let mut rest = a.child_text("OTHER");
    while !rest.is_empty() {
        match (rest.find('['), rest.find(']')) {
            (Some(open), Some(close)) if open < close => {
                let key = rest.get(..open).unwrap_or("").trim();
                let value = rest.get(open + 1..close).unwrap_or("").trim();
                if key.is_empty() {
                    other_text.push(value.to_string());
                } else {
                    contacts.push((key.to_string(), value.to_string()));
                }
                rest = rest.get(close + 1..).unwrap_or("").trim();
            }
            _ => {
                other_text.push(rest.to_string());
                rest = "";
            }
        }
    }
    let street = xml::join([a.child_text("NUMBER"), a.child_text("STREET")], " ");
    let other = other_text.join(", ");
    let text = xml::join(
        [
            street.as_str(),
            a.child_text("ZIPCODE"),
            a.child_text("CITY"),
            other.as_str(),
            country,
        ],
        ", ",
    );
    e.add(prop::ADDRESS, &text);
    if let Some(code) = countries::country_code(country) {
        e.add(prop::COUNTRY, code);
    }
    for (key, value) in contacts {
        add_contact(e, &key, &value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v10_document_numbers_split() {
        assert_eq!(
            split_v10_number("AD001095 (passport-National passport) ((passport))"),
            ("AD001095", "passport", "National passport", "((passport))")
        );
        assert_eq!(
            split_v10_number("488555 (passport-National passport) "),
            ("488555", "passport", "National passport", "")
        );
        assert_eq!(split_v10_number("12345"), ("12345", "", "", ""));
        assert_eq!(
            split_v10_number(
                "A 0141062 (travelcardid-Temporary Travel Document) [revoked by issuer](x)"
            ),
            (
                "A 0141062",
                "travelcardid",
                "Temporary Travel Document",
                "[revoked by issuer](x)"
            )
        );
    }
}
