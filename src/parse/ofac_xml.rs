//! Parser for OFAC's legacy `<sdnList>` XML (format `ofac_xml`), the schema
//! of `sdn.xml` and of the consolidated non-SDN `consolidated.xml`.
//!
//! The document is streamed with quick-xml; one `<sdnEntry>` is collected at
//! a time and turned into an entity. The entry count must equal the file's
//! own `Record_Count` so that a truncated download never imports. `idList`
//! entries are decoded with the same label table as the CSV Remarks items
//! ([`super::ofac_csv::apply_remark_item`]).

use super::ofac_csv::{add_address, apply_remark_item, apply_remarks, country_of};
use super::{Location, ParseError, ParsedList, SourceFile, line_of_offset};
use crate::model::{Entity, Schema, prop};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
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

/// Turns OFAC's `MM/DD/YYYY` publish date into ISO `YYYY-MM-DD`.
fn us_date_to_iso(s: &str) -> Option<String> {
    let mut parts = s.trim().split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let m: u32 = m.parse().ok()?;
    let d: u32 = d.parse().ok()?;
    let y: u32 = y.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1900..=2200).contains(&y) {
        return None;
    }
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

impl EntryData {
    fn into_entity(self, list_id: &str) -> Entity {
        let schema = match self.sdn_type.to_ascii_lowercase().as_str() {
            "individual" => Schema::Person,
            "entity" | "" => Schema::Organization,
            "vessel" => Schema::Vessel,
            "aircraft" => Schema::Aircraft,
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
                match country_of(c) {
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
            match country_of(&self.vessel_flag) {
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

/// The error for a problem at a byte offset of a file (reported as a line,
/// with the offset in the message).
fn error_at(file: &SourceFile, offset: u64, message: impl std::fmt::Display) -> ParseError {
    ParseError::at(
        &file.name,
        Location::Line(line_of_offset(&file.data, offset)),
        format!("{message} (byte {offset})"),
    )
}

fn parse_file(
    list_id: &str,
    file: &SourceFile,
    entities: &mut Vec<Entity>,
    seen: &mut HashSet<String>,
) -> Result<Option<String>, ParseError> {
    let data = file.data.as_slice();
    let mut reader = Reader::from_reader(data);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut entry: Option<EntryData> = None;
    let mut id = IdItem::default();
    let mut aka = AkaItem::default();
    let mut address = AddressItem::default();
    // The stated entry count and where it is stated.
    let mut record_count: Option<(usize, u64)> = None;
    let mut published: Option<String> = None;
    let mut entry_count = 0usize;
    let mut root_seen = false;

    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| error_at(file, reader.error_position(), format!("broken XML: {e}")))?;
        match event {
            Event::Start(start) => {
                let name = start.local_name();
                let name: &str = name.as_ref();
                if path.is_empty() {
                    if name != "sdnList" {
                        return Err(error_at(
                            file,
                            reader.buffer_position(),
                            format!("root element is <{name}>, expected <sdnList>"),
                        ));
                    }
                    root_seen = true;
                }
                match name {
                    "sdnEntry" => entry = Some(EntryData::default()),
                    "id" => id = IdItem::default(),
                    "aka" => aka = AkaItem::default(),
                    "address" => address = AddressItem::default(),
                    _ => {}
                }
                path.push(name.to_string());
                text.clear();
            }
            // An empty element carries no value; an empty root is a list
            // without entries.
            Event::Empty(start) if path.is_empty() && start.local_name().as_ref() == "sdnList" => {
                root_seen = true;
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                        .map(str::to_string),
                    Err(err) => {
                        return Err(error_at(
                            file,
                            reader.buffer_position(),
                            format!("bad character reference: {err}"),
                        ));
                    }
                };
                match resolved {
                    Some(s) => text.push_str(&s),
                    None => {
                        return Err(error_at(
                            file,
                            reader.buffer_position(),
                            format!("unknown entity &{};", r.xml10_content()),
                        ));
                    }
                }
            }
            Event::End(end) => {
                let name = end.local_name();
                let name: &str = name.as_ref();
                let value = text.trim().to_string();
                text.clear();
                let parent = path
                    .len()
                    .checked_sub(2)
                    .and_then(|i| path.get(i))
                    .map(String::as_str)
                    .unwrap_or("");
                match (parent, name) {
                    ("publshInformation", "Publish_Date") => {
                        published = Some(us_date_to_iso(&value).ok_or_else(|| {
                            error_at(
                                file,
                                reader.buffer_position(),
                                format!("Publish_Date {value:?} is not MM/DD/YYYY"),
                            )
                        })?);
                    }
                    ("publshInformation", "Record_Count") => {
                        let at = reader.buffer_position();
                        let count = value.parse().map_err(|_| {
                            error_at(file, at, format!("Record_Count {value:?} is not a number"))
                        })?;
                        record_count = Some((count, at));
                    }
                    (_, "sdnEntry") => {
                        if let Some(done) = entry.take() {
                            let uid = done.uid.trim().to_string();
                            let at = reader.buffer_position();
                            if uid.is_empty() {
                                return Err(error_at(file, at, "<sdnEntry> without <uid>"));
                            }
                            if done.first.trim().is_empty() && done.last.trim().is_empty() {
                                return Err(error_at(
                                    file,
                                    at,
                                    format!("<sdnEntry> {uid} has no name"),
                                ));
                            }
                            if !seen.insert(uid.clone()) {
                                return Err(error_at(
                                    file,
                                    at,
                                    format!("uid {uid} is listed twice"),
                                ));
                            }
                            entry_count += 1;
                            entities.push(done.into_entity(list_id));
                        }
                    }
                    _ => {
                        if let Some(entry) = entry.as_mut() {
                            collect(entry, &mut id, &mut aka, &mut address, parent, name, value);
                        }
                    }
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }

    let end = data.len() as u64;
    if !root_seen {
        return Err(error_at(file, end, "no <sdnList> element found"));
    }
    if let Some(open) = path.last() {
        return Err(error_at(
            file,
            end,
            format!("file ends inside <{open}>: the document is truncated"),
        ));
    }
    if let Some((expected, at)) = record_count
        && expected != entry_count
    {
        return Err(error_at(
            file,
            at,
            format!(
                "Record_Count says {expected} entries but the file has {entry_count} <sdnEntry>"
            ),
        ));
    }
    Ok(published)
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
    fn publish_dates() {
        assert_eq!(us_date_to_iso("03/28/2025").as_deref(), Some("2025-03-28"));
        assert_eq!(us_date_to_iso("3/8/2025").as_deref(), Some("2025-03-08"));
        assert_eq!(us_date_to_iso("28/03/2025"), None);
        assert_eq!(us_date_to_iso("2025-03-28"), None);
    }

    #[test]
    fn names_join_first_and_last() {
        assert_eq!(full_name("Abu", "ABBAS"), "Abu ABBAS");
        assert_eq!(full_name("", "MAR AZUL"), "MAR AZUL");
    }
}
