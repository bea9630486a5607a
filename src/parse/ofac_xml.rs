//! Parser for OFAC's legacy `<sdnList>` XML (format `ofac_xml`), the schema
//! of `sdn.xml` and of the consolidated non-SDN `consolidated.xml`.
//!
//! The document is streamed with [`super::xml::Records`]; one `<sdnEntry>`
//! is read at a time and turned into an entity. The entry count must equal the file's
//! own `Record_Count` so that a truncated download never imports. `idList`
//! entries are decoded with the same label table as the CSV Remarks items
//! ([`super::ofac_csv::apply_remark_item`]).

use super::ofac_csv::{add_address, apply_remark_item, apply_remarks};
use super::xml::{Node, Records};
use super::{ParseError, ParsedList, SourceFile, dates, decode_text};
use crate::countries::country_code;
use crate::model::{Entity, Schema, prop};
use std::collections::HashSet;

/// One `<id>` of an entry's `idList`.
#[derive(Default)]
struct IdItem {
    id_type: String,
    number: String,
    country: String,
    issued: String,
    expires: String,
}

/// One `<aka>` of an entry's `akaList`.
#[derive(Default)]
struct AkaItem {
    kind: String,
    category: String,
    first: String,
    last: String,
}

/// One `<address>` of an entry's `addressList`.
#[derive(Default)]
struct AddressItem {
    lines: Vec<String>,
    country: String,
}

/// Everything collected for one `<sdnEntry>`.
#[derive(Default)]
struct EntryData {
    uid: String,
    first: String,
    last: String,
    title: String,
    sdn_type: String,
    remarks: String,
    programs: Vec<String>,
    ids: Vec<IdItem>,
    akas: Vec<AkaItem>,
    addresses: Vec<AddressItem>,
    nationalities: Vec<String>,
    citizenships: Vec<String>,
    birth_dates: Vec<String>,
    birth_places: Vec<String>,
    call_sign: String,
    vessel_type: String,
    vessel_flag: String,
    vessel_owner: String,
    tonnage: String,
    gross_tonnage: String,
    /// Text of elements this parser does not know, kept as notes.
    other: Vec<String>,
}

/// Joins the first and last name of OFAC's name fields.
fn full_name(first: &str, last: &str) -> String {
    match (first.trim(), last.trim()) {
        ("", l) => l.to_string(),
        (f, "") => f.to_string(),
        (f, l) => format!("{f} {l}"),
    }
}

impl EntryData {
    fn into_entity(self, list_id: &str) -> Entity {
        let schema = match self.sdn_type.to_ascii_lowercase().as_str() {
            "individual" => Schema::Person,
            "entity" | "" => Schema::Organization,
            "vessel" => Schema::Vessel,
            "aircraft" => Schema::Airplane,
            _ => Schema::LegalEntity,
        };
        let mut e = Entity::new(list_id, &self.uid, schema);
        e.add(prop::NAME, &full_name(&self.first, &self.last));
        if schema == Schema::Person {
            e.add(prop::FIRST_NAME, &self.first);
            e.add(prop::LAST_NAME, &self.last);
        }
        if schema == Schema::LegalEntity {
            e.add(prop::NOTES, &format!("SDN type: {}", self.sdn_type));
        }
        e.add(prop::POSITION, &self.title);
        for p in &self.programs {
            e.add(prop::PROGRAM, p);
        }
        for aka in &self.akas {
            let name = full_name(&aka.first, &aka.last);
            let kind = aka.kind.to_ascii_lowercase();
            let property = if kind.starts_with("f.k.a") {
                prop::PREVIOUS_NAME
            } else if aka.category.eq_ignore_ascii_case("weak") {
                prop::WEAK_ALIAS
            } else {
                prop::ALIAS
            };
            e.add(property, &name);
        }
        for d in &self.birth_dates {
            if !apply_remark_item(&mut e, &format!("DOB {d}")) {
                e.add(prop::NOTES, &format!("birth date: {d}"));
            }
        }
        for p in &self.birth_places {
            e.add(prop::BIRTH_PLACE, p);
        }
        for (values, property, label) in [
            (&self.nationalities, prop::NATIONALITY, "nationality"),
            (&self.citizenships, prop::CITIZENSHIP, "citizenship"),
        ] {
            for c in values {
                match country_code(c) {
                    Some(code) => e.add(property, code),
                    None => e.add(prop::NOTES, &format!("{label}: {c}")),
                }
            }
        }
        for a in &self.addresses {
            let lines: Vec<&str> = a.lines.iter().map(String::as_str).collect();
            add_address(&mut e, &lines, a.country.trim());
        }
        for id in &self.ids {
            apply_id(&mut e, id);
        }
        e.add(prop::CALL_SIGN, &self.call_sign);
        e.add(prop::TYPE, &self.vessel_type);
        if !self.vessel_flag.trim().is_empty() {
            match country_code(&self.vessel_flag) {
                Some(code) => e.add(prop::FLAG, code),
                None => e.add(prop::NOTES, &format!("vessel flag: {}", self.vessel_flag)),
            }
        }
        e.add(prop::OWNER, &self.vessel_owner);
        e.add(prop::TONNAGE, &self.tonnage);
        if !self.gross_tonnage.trim().is_empty() {
            e.add(
                prop::NOTES,
                &format!("gross registered tonnage: {}", self.gross_tonnage),
            );
        }
        apply_remarks(&mut e, &self.remarks, false);
        for o in &self.other {
            e.add(prop::NOTES, o);
        }
        e
    }
}

/// Applies one `<id>`: it is written out the way OFAC writes it in the CSV
/// Remarks ("Passport M-110522 (India) issued 13 Nov 1978") and decoded by
/// the shared label table. An unknown `idType` keeps the number as
/// `idNumber` and the whole text as a note.
fn apply_id(e: &mut Entity, id: &IdItem) {
    let id_type = id.id_type.trim();
    let number = id.number.trim();
    if id_type.is_empty() && number.is_empty() {
        return;
    }
    let mut text = format!("{id_type} {number}");
    if !id.country.trim().is_empty() {
        text.push_str(&format!(" ({})", id.country.trim()));
    }
    if !id.issued.trim().is_empty() {
        text.push_str(&format!(" issued {}", id.issued.trim()));
    }
    if !id.expires.trim().is_empty() {
        text.push_str(&format!(" expires {}", id.expires.trim()));
    }
    if !apply_remark_item(e, &text) {
        e.add(prop::ID_NUMBER, number);
        e.add(prop::NOTES, &text);
    }
}

/// Parses one or more `<sdnList>` documents into entities of list `list_id`.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut seen: HashSet<String> = HashSet::new();
    for file in files {
        let published = parse_file(list_id, file, &mut out.entities, &mut seen)?;
        if published > out.published {
            out.published = published;
        }
    }
    Ok(out)
}

fn parse_file(
    list_id: &str,
    file: &SourceFile,
    entities: &mut Vec<Entity>,
    seen: &mut HashSet<String>,
) -> Result<Option<String>, ParseError> {
    let text = decode_text(file);
    let mut records = Records::of_file(file, &text);
    records.expect_root(&["sdnList"], "an OFAC sdnList file")?;
    // The stated entry count and where it is stated.
    let mut record_count: Option<(usize, u64)> = None;
    let mut published: Option<String> = None;
    let mut entry_count = 0usize;
    while let Some(r) = records.next_record(|path, name| {
        path.len() == 1 && matches!(name, "publshInformation" | "sdnEntry")
    })? {
        if r.name == "publshInformation" {
            if let Some(d) = r.child("Publish_Date") {
                let value = d.text();
                published = Some(dates::parse_us_date(value).ok_or_else(|| {
                    records.error_here(format!("Publish_Date {value:?} is not MM/DD/YYYY"))
                })?);
            }
            if let Some(c) = r.child("Record_Count") {
                let value = c.text();
                let count = value.parse().map_err(|_| {
                    records.error_here(format!("Record_Count {value:?} is not a number"))
                })?;
                record_count = Some((count, records.position()));
            }
            continue;
        }
        let entry = EntryData::of(&r);
        let uid = entry.uid.trim().to_string();
        if uid.is_empty() {
            return Err(records.error_here("<sdnEntry> without <uid>"));
        }
        if entry.first.trim().is_empty() && entry.last.trim().is_empty() {
            return Err(records.error_here(format!("<sdnEntry> {uid} has no name")));
        }
        if !seen.insert(uid.clone()) {
            return Err(records.error_here(format!("uid {uid} is listed twice")));
        }
        entry_count += 1;
        entities.push(entry.into_entity(list_id));
    }
    if let Some((expected, at)) = record_count
        && expected != entry_count
    {
        return Err(records.error_at(
            at,
            format!(
                "Record_Count says {expected} entries but the file has {entry_count} <sdnEntry>"
            ),
        ));
    }
    Ok(published)
}

impl EntryData {
    /// Collects an `<sdnEntry>`: every element of it, innermost first, in
    /// document order (as the elements close).
    fn of(record: &Node) -> EntryData {
        let mut entry = EntryData::default();
        let mut items = Items::default();
        for child in &record.children {
            walk(child, &record.name, &mut entry, &mut items);
        }
        entry
    }
}

/// The sub-items being collected while an entry is walked.
#[derive(Default)]
struct Items {
    id: IdItem,
    aka: AkaItem,
    address: AddressItem,
}

fn walk(node: &Node, parent: &str, entry: &mut EntryData, items: &mut Items) {
    match node.name.as_str() {
        "id" => items.id = IdItem::default(),
        "aka" => items.aka = AkaItem::default(),
        "address" => items.address = AddressItem::default(),
        _ => {}
    }
    for child in &node.children {
        walk(child, &node.name, entry, items);
    }
    collect(
        entry,
        &mut items.id,
        &mut items.aka,
        &mut items.address,
        parent,
        &node.name,
        node.text().to_string(),
    );
}

/// Files the text of a closed element into the entry being collected.
fn collect(
    entry: &mut EntryData,
    id: &mut IdItem,
    aka: &mut AkaItem,
    address: &mut AddressItem,
    parent: &str,
    name: &str,
    value: String,
) {
    match (parent, name) {
        ("sdnEntry", "uid") => entry.uid = value,
        ("sdnEntry", "firstName") => entry.first = value,
        ("sdnEntry", "lastName") => entry.last = value,
        ("sdnEntry", "title") => entry.title = value,
        ("sdnEntry", "sdnType") => entry.sdn_type = value,
        ("sdnEntry", "remarks") => entry.remarks = value,
        ("programList", "program") => entry.programs.push(value),
        ("id", "idType") => id.id_type = value,
        ("id", "idNumber") => id.number = value,
        ("id", "idCountry") => id.country = value,
        ("id", "issueDate") => id.issued = value,
        ("id", "expirationDate") => id.expires = value,
        ("idList", "id") => entry.ids.push(std::mem::take(id)),
        ("aka", "type") => aka.kind = value,
        ("aka", "category") => aka.category = value,
        ("aka", "firstName") => aka.first = value,
        ("aka", "lastName") => aka.last = value,
        ("akaList", "aka") => entry.akas.push(std::mem::take(aka)),
        ("address", "address1" | "address2" | "address3" | "city" | "stateOrProvince")
        | ("address", "postalCode" | "region") => {
            if !value.is_empty() {
                address.lines.push(value);
            }
        }
        ("address", "country") => address.country = value,
        ("addressList", "address") => entry.addresses.push(std::mem::take(address)),
        ("nationality", "country") => entry.nationalities.push(value),
        ("citizenship", "country") => entry.citizenships.push(value),
        ("dateOfBirthItem", "dateOfBirth") => entry.birth_dates.push(value),
        ("placeOfBirthItem", "placeOfBirth") => entry.birth_places.push(value),
        ("vesselInfo", "callSign") => entry.call_sign = value,
        ("vesselInfo", "vesselType") => entry.vessel_type = value,
        ("vesselInfo", "vesselFlag") => entry.vessel_flag = value,
        ("vesselInfo", "vesselOwner") => entry.vessel_owner = value,
        ("vesselInfo", "tonnage") => entry.tonnage = value,
        ("vesselInfo", "grossRegisteredTonnage") => entry.gross_tonnage = value,
        // Record ids and main-entry flags of the sub-items carry no facts;
        // the list elements are containers.
        (_, "uid" | "mainEntry") => {}
        (
            _,
            "programList" | "idList" | "akaList" | "addressList" | "nationalityList"
            | "citizenshipList" | "dateOfBirthList" | "placeOfBirthList" | "nationality"
            | "citizenship" | "dateOfBirthItem" | "placeOfBirthItem" | "vesselInfo",
        ) => {}
        _ => {
            if !value.is_empty() {
                entry.other.push(format!("{name}: {value}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_first_and_last() {
        assert_eq!(full_name("Abu", "ABBAS"), "Abu ABBAS");
        assert_eq!(full_name("", "MAR AZUL"), "MAR AZUL");
    }
}
