//! Parser for the Swiss SECO sanctions list XML (`ch_seco_xml`, list
//! `ch_seco_sanctions`): `<swiss-sanctions-list date=…>` holding
//! `<sanctions-program>` headers, `<target ssid=…>` records and `<place>`
//! look-ups (which the whole-list puts after the targets that use them, so
//! place and programme references are resolved once the file is read).
//!
//! The entity id is the target's `ssid`. Mapping decisions:
//! - `individual` → Person, `entity` → Organization, `object` of type
//!   `vessel` → Vessel (`aircraft` → Aircraft, others LegalEntity).
//! - Names: each `<name>` is its `<name-part>`s in `order`, except that for
//!   people given and father names come before family names ("Dzmitry
//!   Aliaksandravich Lukashenka", the team's convention); `title` parts go to
//!   `title`. The `primary-name` of the identity marked `main="true"` is
//!   `name`; other names are `alias` (`formerly-known-as` → `previousName`,
//!   `quality="low"` → `weakAlias`), and so are all names of other
//!   identities. Every `spelling-variant` (other languages and scripts, e.g.
//!   Cyrillic) gives one more whole name per language/script, kept as given.
//! - `day-month-year` keeps its precision (`1978`); `nationality` and
//!   document issuers carry ISO codes; `other-information` is kept in `notes`
//!   and also read for IMO, phone, e-mail, website, registration and tax
//!   numbers and functions (`position`).
//! - Only the target's current state is mapped; the copies of earlier states
//!   nested in `<modification>` history are not names of the party now.
//! - `modification` history: the `listed` date → `listingDate`, the latest
//!   change → `modifiedAt`.
//!
//! De-listed targets: the whole-list keeps targets that were de-listed, with
//! their history. They are kept as entities — a screening team must be able
//! to see past listings — with `delistingDate` set (the effective date of the
//! de-listing, when it is the target's latest modification) and a note, so
//! that later stages can tell current from former listings.

use super::xml::{self, Node, Records};
use super::{ParseError, ParsedList, SourceFile, UniqueIds, dates, decode_text};
use crate::countries;
use crate::model::{Entity, Schema, prop};
use std::collections::HashMap;

/// Parses SECO sanctions list files into one entity per top-level `target`
/// (de-listed ones included); `published` is the list's `date`.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut ids = UniqueIds::default();
    for file in files {
        let text = decode_text(file);
        let mut records = Records::of_file(file, &text);
        let root = records.expect_root(&["swiss-sanctions-list"], "a SECO sanctions list")?;
        if out.published.is_none() {
            out.published = root.attr("date").and_then(dates::parse_date);
        }
        let mut lookups = Lookups::default();
        let mut pending: Vec<(usize, Pending)> = Vec::new();
        while let Some(r) = records.next_record(|path, name| {
            path.len() == 1 && matches!(name, "target" | "sanctions-program" | "place")
        })? {
            match r.name.as_str() {
                "sanctions-program" => lookups.add_program(&r),
                "place" => lookups.add_place(&r),
                _ => {
                    let (entity, refs) = map_target(list_id, &r, &mut ids);
                    let index = out.entities.len();
                    out.entities.push(entity);
                    pending.extend(refs.into_iter().map(|p| (index, p)));
                }
            }
        }
        for (index, reference) in pending {
            if let Some(e) = out.entities.get_mut(index) {
                lookups.resolve(e, reference);
            }
        }
    }
    Ok(out)
}

/// A reference from a target to a programme or place, resolved at the end.
enum Pending {
    Program(String),
    Address { own: Vec<String>, place_id: String },
    BirthPlace { own: Vec<String>, place_id: String },
}

/// A `<place>`: its text (location, area, country) and country code.
struct Place {
    parts: Vec<String>,
    country: Option<&'static str>,
}

#[derive(Default)]
struct Lookups {
    /// sanctions-set ssid → programme name.
    programs: HashMap<String, String>,
    places: HashMap<String, Place>,
}

impl Lookups {
    fn add_program(&mut self, p: &Node) {
        let english = |name: &str| {
            p.children_named(name)
                .find(|n| n.attr_or_empty("lang").eq_ignore_ascii_case("eng"))
                .or_else(|| p.child(name))
                .map(|n| n.text().to_string())
                .filter(|t| !t.is_empty())
        };
        let Some(program) = english("program-name").or_else(|| english("program-key")) else {
            return;
        };
        for set in p.children_named("sanctions-set") {
            if let Some(ssid) = set.attr("ssid") {
                self.programs.insert(ssid.to_string(), program.clone());
            }
        }
    }

    fn add_place(&mut self, p: &Node) {
        let Some(ssid) = p.attr("ssid") else { return };
        let (parts, country) = place_parts(p);
        self.places
            .insert(ssid.to_string(), Place { parts, country });
    }

    fn resolve(&self, e: &mut Entity, reference: Pending) {
        match reference {
            Pending::Program(set) => match self.programs.get(&set) {
                Some(p) => e.add(prop::PROGRAM, p),
                None => e.add(prop::NOTES, &format!("SECO sanctions set {set}")),
            },
            Pending::Address { own, place_id } => {
                let place = self.places.get(&place_id);
                let text = xml::join(
                    own.iter()
                        .chain(place.map(|p| p.parts.iter()).into_iter().flatten())
                        .map(String::as_str),
                    ", ",
                );
                e.add(prop::ADDRESS, &text);
                if let Some(code) = place.and_then(|p| p.country) {
                    e.add(prop::COUNTRY, code);
                }
            }
            Pending::BirthPlace { own, place_id } => {
                let place = self.places.get(&place_id);
                let text = xml::join(
                    own.iter()
                        .chain(place.map(|p| p.parts.iter()).into_iter().flatten())
                        .map(String::as_str),
                    ", ",
                );
                e.add(prop::BIRTH_PLACE, &text);
            }
        }
    }
}

/// The location, area and country of a `<place>` (or of an address or
/// place of birth that names them itself), and the country's ISO code.
fn place_parts(p: &Node) -> (Vec<String>, Option<&'static str>) {
    let mut parts: Vec<String> = Vec::new();
    for name in ["location", "area"] {
        let t = p.child_text(name);
        if !t.is_empty() {
            parts.push(t.to_string());
        }
    }
    let mut code = None;
    if let Some(c) = p.child("country") {
        code = countries::iso_code(c.attr_or_empty("iso-code"))
            .or_else(|| countries::country_code(c.text()));
        if !c.text().is_empty() {
            parts.push(c.text().to_string());
        }
    }
    (parts, code)
}

fn map_target(list_id: &str, t: &Node, ids: &mut UniqueIds) -> (Entity, Vec<Pending>) {
    let body = t
        .children
        .iter()
        .find(|c| matches!(c.name.as_str(), "individual" | "entity" | "object"));
    let object_type = body
        .filter(|b| b.name == "object")
        .map(|b| b.attr_or_empty("object-type").to_ascii_lowercase())
        .unwrap_or_default();
    let schema = match body.map(|b| b.name.as_str()) {
        Some("individual") => Schema::Person,
        Some("entity") => Schema::Organization,
        Some(_) if object_type == "vessel" => Schema::Vessel,
        Some(_) if object_type == "aircraft" => Schema::Airplane,
        _ => Schema::LegalEntity,
    };
    let empty = Node::default();
    let body = body.unwrap_or(&empty);
    let identities: Vec<&Node> = body.children_named("identity").collect();

    let source_id = match t.attr("ssid") {
        Some(ssid) => ssid.to_string(),
        None => {
            let names: Vec<String> = identities
                .iter()
                .flat_map(|i| i.children_named("name"))
                .map(|n| whole_name(&name_parts(n), schema == Schema::Person, None))
                .collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            xml::derived_id(&body.name, &refs)
        }
    };
    let mut e = Entity::new(list_id, &ids.claim(&source_id), schema);
    let mut pending = Vec::new();
    if t.attr("ssid").is_none() {
        e.add(
            prop::NOTES,
            "the target has no ssid; its id is derived from its names",
        );
    }
    if !object_type.is_empty() && !matches!(schema, Schema::Vessel | Schema::Airplane) {
        e.add(prop::NOTES, &format!("object type: {object_type}"));
    }

    // The main identity first, so its primary name becomes `name`.
    let mut ordered = identities.clone();
    ordered.sort_by_key(|i| !i.attr_or_empty("main").eq_ignore_ascii_case("true"));
    for (k, identity) in ordered.iter().enumerate() {
        let is_main = k == 0;
        add_names(&mut e, identity, is_main);
        add_identity_details(&mut e, identity, &mut pending);
    }

    if let Some(g) = xml::gender(body.attr_or_empty("sex")) {
        e.add(prop::GENDER, g);
    }
    for j in body.children_named("justification") {
        e.add(prop::NOTES, j.text());
    }
    for o in body.children_named("other-information") {
        add_other_information(&mut e, o.text());
    }
    for rel in body.children_named("relation") {
        let target = rel.attr_or_empty("target-id");
        let kind = rel.attr_or_empty("relation-type");
        if !target.is_empty() {
            e.add(
                prop::NOTES,
                &format!("{} SECO target {target}", kind.replace('-', " ")),
            );
        }
        for remark in rel.children_named("remark") {
            e.add(prop::NOTES, remark.text());
        }
    }
    for g in body.children_named("generic-attribute") {
        let name = g.attr_or_empty("name");
        e.add(prop::NOTES, &xml::join([name, g.text()], ": "));
    }

    let set = t
        .attr("sanctions-set-id")
        .unwrap_or_else(|| t.child_text("sanctions-set-id"));
    if !set.is_empty() {
        pending.push(Pending::Program(set.to_string()));
    }
    for f in t.children_named("foreign-identifier") {
        e.add(prop::NOTES, &format!("foreign identifier: {}", f.text()));
    }
    add_history(&mut e, t);
    (e, pending)
}

/// One `<name-part>`: its type, value and spelling variants (lang, script, text).
struct Part<'a> {
    kind: &'a str,
    value: &'a str,
    variants: Vec<(String, &'a str)>,
}

fn name_parts(name: &Node) -> Vec<Part<'_>> {
    let mut parts: Vec<(i64, usize, Part<'_>)> = name
        .children_named("name-part")
        .enumerate()
        .map(|(i, p)| {
            let order = p
                .attr("order")
                .and_then(|o| o.parse().ok())
                .unwrap_or(i64::MAX);
            let variants = p
                .children_named("spelling-variant")
                .filter(|v| !v.text().is_empty())
                .map(|v| {
                    let key = format!("{}/{}", v.attr_or_empty("lang"), v.attr_or_empty("script"));
                    (key, v.text())
                })
                .collect();
            let value = match p.child("value") {
                Some(v) => v.text(),
                None => p.text(),
            };
            let part = Part {
                kind: p.attr_or_empty("name-part-type"),
                value,
                variants,
            };
            (order, i, part)
        })
        .collect();
    parts.sort_by_key(|(order, i, _)| (*order, *i));
    parts.into_iter().map(|(_, _, p)| p).collect()
}

fn is_family(kind: &str) -> bool {
    matches!(kind, "family-name" | "maiden-name")
}

/// The whole name of the parts (titles left out), in the spelling of the
/// variant `key` where a part has one. For people, family names go last.
fn whole_name(parts: &[Part<'_>], person: bool, key: Option<&str>) -> String {
    let text = |p: &Part<'_>| -> String {
        key.and_then(|k| p.variants.iter().find(|(vk, _)| vk == k))
            .map(|(_, t)| t.to_string())
            .unwrap_or_else(|| p.value.to_string())
    };
    let named: Vec<&Part<'_>> = parts.iter().filter(|p| p.kind != "title").collect();
    let reorder = person
        && named.iter().any(|p| is_family(p.kind))
        && named.iter().any(|p| !is_family(p.kind));
    let ordered: Vec<&Part<'_>> = if reorder {
        let (family, rest): (Vec<&Part<'_>>, Vec<&Part<'_>>) =
            named.into_iter().partition(|p| is_family(p.kind));
        rest.into_iter().chain(family).collect()
    } else {
        named
    };
    let texts: Vec<String> = ordered.iter().map(|p| text(p)).collect();
    xml::join(texts.iter().map(String::as_str), " ")
}

fn add_names(e: &mut Entity, identity: &Node, is_main: bool) {
    let person = e.schema == Schema::Person;
    for name in identity.children_named("name") {
        let parts = name_parts(name);
        for p in parts.iter().filter(|p| p.kind == "title") {
            e.add(prop::TITLE, p.value);
        }
        let whole = whole_name(&parts, person, None);
        if whole.is_empty() {
            continue;
        }
        let kind = name.attr_or_empty("name-type");
        let weak = name.attr_or_empty("quality").eq_ignore_ascii_case("low");
        let primary = is_main && kind == "primary-name" && e.get(prop::NAME).is_empty();
        let property = if primary {
            prop::NAME
        } else if kind == "formerly-known-as" {
            prop::PREVIOUS_NAME
        } else if weak {
            prop::WEAK_ALIAS
        } else {
            prop::ALIAS
        };
        e.add(property, &whole);
        if primary && person {
            let of = |kinds: &[&str]| {
                xml::join(
                    parts
                        .iter()
                        .filter(|p| kinds.contains(&p.kind))
                        .map(|p| p.value),
                    " ",
                )
            };
            e.add(prop::FIRST_NAME, &of(&["given-name"]));
            e.add(prop::MIDDLE_NAME, &of(&["further-given-name"]));
            e.add(
                prop::FATHER_NAME,
                &of(&["father-name", "grand-father-name"]),
            );
            e.add(prop::LAST_NAME, &of(&["family-name"]));
        }
        // One more whole name per language/script of the spelling variants.
        let variant_property = if primary { prop::ALIAS } else { property };
        let mut keys: Vec<&str> = Vec::new();
        for p in &parts {
            for (k, _) in &p.variants {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
        for k in keys {
            let variant = whole_name(&parts, person, Some(k));
            if variant != whole {
                e.add(variant_property, &variant);
            }
        }
    }
}

fn add_identity_details(e: &mut Entity, identity: &Node, pending: &mut Vec<Pending>) {
    let person = e.schema == Schema::Person;
    for d in identity.children_named("day-month-year") {
        let year = d.attr_or_empty("year");
        let text = match (d.attr("month"), d.attr("day")) {
            (Some(m), Some(day)) => format!("{year}-{m:0>2}-{day:0>2}"),
            (Some(m), None) => format!("{year}-{m:0>2}"),
            _ => year.to_string(),
        };
        let calendar = d.attr_or_empty("calendar");
        let gregorian = calendar.is_empty() || calendar.eq_ignore_ascii_case("gregorian");
        let label = if person { "birth date" } else { "date" };
        let parsed = if person && gregorian {
            dates::parse_birth_date(&text)
        } else {
            dates::parse_date(&text)
        };
        match parsed {
            Some(date) if gregorian => {
                e.add(
                    if person {
                        prop::BIRTH_DATE
                    } else {
                        prop::INCORPORATION_DATE
                    },
                    &date,
                );
                if d.attr_or_empty("quality").eq_ignore_ascii_case("low") {
                    e.add(prop::NOTES, &format!("{label} {date}: low quality"));
                }
            }
            _ => {
                let given = xml::join(
                    [d.attr_or_empty("day"), d.attr_or_empty("month"), year],
                    ".",
                );
                if !given.is_empty() {
                    e.add(
                        prop::NOTES,
                        &format!("{label} as given: {given} ({calendar})"),
                    );
                }
            }
        }
    }
    for n in identity.children_named("nationality") {
        let Some(c) = n.child("country") else {
            continue;
        };
        let code = countries::iso_code(c.attr_or_empty("iso-code"))
            .or_else(|| countries::country_code(c.text()));
        match code {
            Some(code) => e.add(prop::NATIONALITY, code),
            None => e.add(prop::NOTES, &format!("nationality: {}", c.text())),
        }
    }
    for a in identity.children_named("address") {
        let mut own: Vec<String> = ["c-o", "address-details", "p-o-box", "zip-code"]
            .iter()
            .map(|n| a.child_text(n).to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let (parts, code) = place_parts(a);
        own.extend(parts);
        if let Some(code) = code {
            e.add(prop::COUNTRY, code);
        }
        for remark in a.children_named("remark") {
            e.add(prop::NOTES, &format!("address remark: {}", remark.text()));
        }
        pending.push(Pending::Address {
            own,
            place_id: a.attr_or_empty("place-id").to_string(),
        });
    }
    for b in identity.children_named("place-of-birth") {
        let (own, _) = place_parts(b);
        pending.push(Pending::BirthPlace {
            own,
            place_id: b.attr_or_empty("place-id").to_string(),
        });
    }
    for doc in identity.children_named("identification-document") {
        add_document(e, doc);
    }
}

fn add_document(e: &mut Entity, doc: &Node) {
    let kind = doc.attr_or_empty("document-type");
    let property = if kind.contains("passport") {
        prop::PASSPORT_NUMBER
    } else {
        prop::ID_NUMBER
    };
    let number = doc.child_text("number");
    e.add(property, number);
    let mut details: Vec<String> = Vec::new();
    if let Some(issuer) = doc.child("issuer") {
        let text = xml::join([issuer.text(), issuer.attr_or_empty("code")], " / ");
        if !text.is_empty() {
            details.push(format!("issuer {text}"));
        }
    }
    for (field, label) in [
        ("date-of-issue", "issued"),
        ("expiry-date", "expires"),
        ("remark", "remark"),
    ] {
        let v = doc.child_text(field);
        if !v.is_empty() {
            details.push(format!("{label} {v}"));
        }
    }
    if !details.is_empty() {
        let label = xml::join([kind.replace('-', " ").as_str(), number], " ");
        e.add(prop::NOTES, &format!("{label}: {}", details.join("; ")));
    }
}

/// Keeps an `other-information` text in `notes` and reads the identifiers
/// and contact details it states ("IMO Number: 8405270", "Website: …").
fn add_other_information(e: &mut Entity, text: &str) {
    e.add(prop::NOTES, text);
    let Some((key, value)) = text.split_once(':') else {
        return;
    };
    let key = key.trim().to_ascii_lowercase();
    let value = value.trim().trim_end_matches('.').trim();
    if value.is_empty() {
        return;
    }
    match key.as_str() {
        "imo number" | "imo" | "imo no" => {
            let digits: String = value.chars().filter(char::is_ascii_digit).collect();
            if digits.len() == 7 {
                e.add(prop::IMO_NUMBER, &digits);
            }
        }
        "phone" | "tel" | "telephone" | "phone number" => {
            for v in value.split([',', ';']) {
                e.add(prop::PHONE, v);
            }
        }
        "function" | "position" | "position(s)" => e.add(prop::POSITION, value),
        "e-mail" | "email" => e.add(prop::EMAIL, value),
        "website" => e.add(prop::WEBSITE, value),
        "registration number" | "state registration number" => {
            e.add(prop::REGISTRATION_NUMBER, value)
        }
        "tax identification number" | "taxpayer identification number" | "inn" => {
            e.add(prop::TAX_NUMBER, value)
        }
        _ => {}
    }
}

/// The `modification` history: listing, latest change and de-listing.
fn add_history(e: &mut Entity, t: &Node) {
    struct Change<'a> {
        kind: &'a str,
        date: Option<String>,
        index: usize,
    }
    let changes: Vec<Change<'_>> = t
        .children_named("modification")
        .enumerate()
        .map(|(index, m)| Change {
            kind: m.attr_or_empty("modification-type"),
            date: m
                .attr("effective-date")
                .or(m.attr("publication-date"))
                .or(m.attr("enactment-date"))
                .and_then(dates::parse_date),
            index,
        })
        .collect();
    let listed = changes
        .iter()
        .filter(|c| c.kind == "listed")
        .filter_map(|c| c.date.clone())
        .min();
    if let Some(d) = listed {
        e.add(prop::LISTING_DATE, &d);
    }
    if let Some(d) = changes.iter().filter_map(|c| c.date.clone()).max() {
        e.add(prop::MODIFIED_AT, &d);
    }
    // The file lists the newest change first; dates decide, order breaks ties.
    let latest = changes
        .iter()
        .max_by(|a, b| a.date.cmp(&b.date).then_with(|| b.index.cmp(&a.index)));
    for c in changes.iter().filter(|c| c.kind == "de-listed") {
        let when = c.date.as_deref().unwrap_or("an unstated date");
        e.add(prop::NOTES, &format!("de-listed by SECO on {when}"));
    }
    if let Some(last) = latest
        && last.kind == "de-listed"
    {
        if let Some(d) = &last.date {
            e.add(prop::DELISTING_DATE, d);
        }
        e.add(prop::NOTES, "no longer listed: this is a past SECO listing");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_names_put_family_names_last() {
        let part = |kind, value| Part {
            kind,
            value,
            variants: vec![("RUS/CYRL".to_string(), "Х")],
        };
        let parts = vec![
            part("family-name", "Lukashenka"),
            part("given-name", "Dzmitry"),
            part("title", "Mr"),
            part("father-name", "Aliaksandravich"),
        ];
        assert_eq!(
            whole_name(&parts, true, None),
            "Dzmitry Aliaksandravich Lukashenka"
        );
        assert_eq!(
            whole_name(&parts, false, None),
            "Lukashenka Dzmitry Aliaksandravich"
        );
        assert_eq!(whole_name(&parts, true, Some("RUS/CYRL")), "Х Х Х");
    }
}
