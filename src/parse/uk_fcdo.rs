//! Parser for the UK Sanctions List XML published by the FCDO (`uk_fcdo_xml`,
//! list `gb_fcdo_sanctions`): root `<Designations>` (older exports:
//! `<ArrayOfFinalDesignation>`) with one `<Designation>` (`<FinalDesignation>`)
//! per party and a `<DateGenerated>dd/mm/yyyy</DateGenerated>` header.
//!
//! The entity id is the FCDO `UniqueID` (`AFG0011`). Mapping decisions:
//! - `IndividualEntityShip`: Individual → Person, Entity → Organization
//!   (Company when a `TypeOfEntity` says company), Ship → Vessel.
//! - Names: `Name1`…`Name6` joined in order; the first `NameType` "Primary
//!   Name" (any casing — the export is inconsistent) is `name`, with
//!   `firstName` = Name1, `middleName` = Name2–5, `lastName` = Name6 for
//!   people; "Primary Name Variation" and aliases are `alias`, aliases of
//!   `AliasStrength` "Low quality" are `weakAlias`. `NonLatinNames` are kept
//!   as given as `alias`.
//! - Dates are `dd/mm/yyyy`; the placeholders the export uses for unknown
//!   parts are kept partial: `dd/mm/1968` → `1968`, `dd/09/1958` → `1958-09`.
//!   Repeated dates are stored once.
//! - Identifier numbers are trimmed (`" D0009720"` → `D0009720`); the
//!   additional information goes to `notes`. IMO numbers keep the digits.
//! - `RegimeName` → `program`, `DateDesignated` → `listingDate`,
//!   `LastUpdated` → `modifiedAt`; `OtherInformation`, `UKStatementofReasons`,
//!   the sanctions imposed and the OFSI group / UN reference ids → `notes`.
//! - A designation without `UniqueID` keeps a derived id (`x-` + hash of its
//!   type and names) and a note, so no listed party is dropped.

use super::xml::{self, Node, Records};
use super::{ParseError, ParsedList, SourceFile, UniqueIds, dates, decode_text};
use crate::countries;
use crate::model::{Entity, Schema, prop};

/// Parses UK Sanctions List XML files into one entity per designation;
/// `published` is the `DateGenerated` date.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut ids = UniqueIds::default();
    for file in files {
        let text = decode_text(file);
        let mut records = Records::of_file(file, &text);
        let root = records.expect_root(
            &["Designations", "ArrayOfFinalDesignation"],
            "a UK Sanctions List file",
        )?;
        let mut published = root.attr("dateGenerated").and_then(dates::parse_date);
        while let Some(r) = records.next_record(|path, name| {
            path.len() == 1 && matches!(name, "Designation" | "FinalDesignation" | "DateGenerated")
        })? {
            if r.name == "DateGenerated" {
                // The element is the export's own date; it wins over the attribute.
                if let Some(d) = dates::parse_date(r.text()) {
                    published = Some(d);
                }
                continue;
            }
            out.entities.push(map_designation(list_id, &r, &mut ids));
        }
        if out.published.is_none() {
            out.published = published;
        }
    }
    Ok(out)
}

/// The names of one `<Name>`: Name1 … Name6 in order.
fn name_parts(n: &Node) -> Vec<&str> {
    (1..=6)
        .map(|i| n.child_text(&format!("Name{i}")))
        .filter(|s| !s.is_empty())
        .collect()
}

fn map_designation(list_id: &str, r: &Node, ids: &mut UniqueIds) -> Entity {
    let kind = r.child_text("IndividualEntityShip").to_ascii_lowercase();
    let entity_types = r.texts_at(&["EntityDetails", "Entity", "TypeOfEntities", "TypeOfEntity"]);
    let schema = match kind.as_str() {
        "individual" => Schema::Person,
        "ship" => Schema::Vessel,
        "entity"
            if entity_types
                .iter()
                .any(|t| t.to_ascii_lowercase().contains("company")) =>
        {
            Schema::Company
        }
        "entity" => Schema::Organization,
        _ => Schema::LegalEntity,
    };
    let names: Vec<&Node> = r.descend(&["Names", "Name"]);
    let unique_id = r.child_text("UniqueID");
    let source_id = if unique_id.is_empty() {
        let whole: Vec<String> = names.iter().map(|n| name_parts(n).join(" ")).collect();
        let refs: Vec<&str> = whole.iter().map(String::as_str).collect();
        xml::derived_id(&kind, &refs)
    } else {
        unique_id.to_string()
    };
    let mut e = Entity::new(list_id, &ids.claim(&source_id), schema);
    if unique_id.is_empty() {
        e.add(
            prop::NOTES,
            "the designation has no UniqueID; its id is derived from its names",
        );
    }

    let is_primary =
        |n: &Node| xml::fold_space(n.child_text("NameType")).eq_ignore_ascii_case("primary name");
    let primary = names
        .iter()
        .position(|n| is_primary(n) && !name_parts(n).is_empty());
    for (i, n) in names.iter().enumerate() {
        let parts = name_parts(n);
        let whole = parts.join(" ");
        if Some(i) == primary {
            e.add(prop::NAME, &whole);
            if schema == Schema::Person {
                let first = n.child_text("Name1");
                let middle = xml::join((2..=5).map(|k| n.child_text(&format!("Name{k}"))), " ");
                e.add(prop::FIRST_NAME, first);
                e.add(prop::MIDDLE_NAME, &middle);
                e.add(prop::LAST_NAME, n.child_text("Name6"));
            }
            continue;
        }
        let strength = n.child_text("AliasStrength").to_ascii_lowercase();
        if strength.contains("low") {
            e.add(prop::WEAK_ALIAS, &whole);
        } else {
            e.add(prop::ALIAS, &whole);
        }
    }
    for n in r.descend(&["NonLatinNames", "NonLatinName"]) {
        e.add(prop::ALIAS, n.child_text("NameNonLatinScript"));
    }
    for t in r.texts_at(&["Titles", "Title"]) {
        e.add(prop::TITLE, t);
    }

    e.add(prop::PROGRAM, r.child_text("RegimeName"));
    if let Some(d) = dates::parse_date(r.child_text("DateDesignated")) {
        e.add(prop::LISTING_DATE, &d);
    }
    if let Some(d) = dates::parse_date(r.child_text("LastUpdated")) {
        e.add(prop::MODIFIED_AT, &d);
    }
    e.add(prop::NOTES, r.child_text("OtherInformation"));
    e.add(prop::NOTES, r.child_text("UKStatementofReasons"));
    let sanctions = r.child_text("SanctionsImposed");
    if !sanctions.is_empty() {
        e.add(
            prop::NOTES,
            &format!("sanctions imposed: {}", sanctions.replace('|', ", ")),
        );
    }
    if let Some(un) = crate::model::un_reference(r.child_text("UNReferenceNumber")) {
        e.add(prop::UNSC_ID, &un);
    }
    for (field, label) in [
        ("DesignationSource", "designation source"),
        ("OFSIGroupID", "OFSI group ID"),
        ("UNReferenceNumber", "UN reference number"),
    ] {
        let v = r.child_text(field);
        if !v.is_empty() {
            e.add(prop::NOTES, &format!("{label}: {v}"));
        }
    }

    for a in r.descend(&["Addresses", "Address"]) {
        let country = a.child_text("AddressCountry");
        let mut parts: Vec<&str> = (1..=6)
            .map(|i| a.child_text(&format!("AddressLine{i}")))
            .collect();
        parts.push(a.child_text("AddressPostalCode"));
        parts.push(country);
        e.add(prop::ADDRESS, &xml::join(parts, ", "));
        if let Some(code) = countries::country_code(country) {
            e.add(prop::COUNTRY, code);
        }
    }
    for p in r.texts_at(&["PhoneNumbers", "PhoneNumber"]) {
        e.add(prop::PHONE, p);
    }
    for m in r.texts_at(&["EmailAddresses", "EmailAddress"]) {
        e.add(prop::EMAIL, m);
    }
    for w in r.texts_at(&["Websites", "Website"]) {
        e.add(prop::WEBSITE, w);
    }

    for ind in r.descend(&["IndividualDetails", "Individual"]) {
        add_individual(&mut e, ind);
    }
    for ent in r.descend(&["EntityDetails", "Entity"]) {
        add_entity_details(&mut e, ent);
    }
    for ship in r.descend(&["ShipDetails", "Ship"]) {
        add_ship(&mut e, ship);
    }
    e
}

fn add_individual(e: &mut Entity, ind: &Node) {
    for dob in ind.texts_at(&["DOBs", "DOB"]) {
        match dates::parse_birth_date(dob) {
            Some(d) => e.add(prop::BIRTH_DATE, &d),
            None => e.add(prop::NOTES, &format!("birth date as given: {dob}")),
        }
    }
    for g in ind.texts_at(&["Genders", "Gender"]) {
        if let Some(g) = xml::gender(g) {
            e.add(prop::GENDER, g);
        }
    }
    for n in ind.texts_at(&["Nationalities", "Nationality"]) {
        match countries::country_code(n) {
            Some(code) => e.add(prop::NATIONALITY, code),
            None => e.add(prop::NOTES, &format!("nationality: {n}")),
        }
    }
    for p in ind.texts_at(&["Positions", "Position"]) {
        e.add(prop::POSITION, p);
    }
    for loc in ind.descend(&["BirthDetails", "Location"]) {
        let place = xml::join(
            [
                loc.child_text("TownOfBirth"),
                loc.child_text("CountryOfBirth"),
            ],
            ", ",
        );
        e.add(prop::BIRTH_PLACE, &place);
    }
    for p in ind.descend(&["PassportDetails", "Passport"]) {
        add_identifier(
            e,
            prop::PASSPORT_NUMBER,
            "passport",
            p.child_text("PassportNumber"),
            p.child_text("PassportAdditionalInformation"),
        );
    }
    for n in ind.descend(&["NationalIdentifierDetails", "NationalIdentifier"]) {
        add_identifier(
            e,
            prop::ID_NUMBER,
            "national identifier",
            n.child_text("NationalIdentifierNumber"),
            n.child_text("NationalIdentifierAdditionalInformation"),
        );
    }
}

/// An identifier number (trimmed by the node reader) and its additional
/// information, which goes to `notes` with the number it qualifies.
fn add_identifier(e: &mut Entity, property: &str, label: &str, number: &str, info: &str) {
    e.add(property, number);
    if !info.is_empty() {
        let head = xml::join([label, number], " ");
        e.add(prop::NOTES, &format!("{head}: {info}"));
    }
}

fn add_entity_details(e: &mut Entity, ent: &Node) {
    for t in ent.texts_at(&["TypeOfEntities", "TypeOfEntity"]) {
        e.add(prop::NOTES, &format!("type of entity: {t}"));
    }
    for n in ent.texts_at(&["BusinessRegistrationNumbers", "BusinessRegistrationNumber"]) {
        e.add(prop::REGISTRATION_NUMBER, n);
    }
    for p in ent.texts_at(&["ParentCompanies", "ParentCompany"]) {
        e.add(prop::NOTES, &format!("parent company: {p}"));
    }
    for s in ent.texts_at(&["Subsidiaries", "Subsidiary"]) {
        e.add(prop::NOTES, &format!("subsidiary: {s}"));
    }
}

fn add_ship(e: &mut Entity, ship: &Node) {
    for imo in ship.texts_at(&["IMONumbers", "IMONumber"]) {
        let digits: String = imo.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 7 {
            e.add(prop::IMO_NUMBER, &digits);
        } else {
            e.add(prop::NOTES, &format!("IMO number as given: {imo}"));
        }
    }
    for o in ship.texts_at(&["CurrentOwnerOperators", "CurrentOwnerOperator"]) {
        e.add(prop::OWNER, o);
    }
    for o in ship.texts_at(&["PreviousOwnerOperators", "PreviousOwnerOperator"]) {
        e.add(prop::NOTES, &format!("previous owner/operator: {o}"));
    }
    for f in ship.texts_at(&["CurrentBelievedFlagOfShips", "CurrentBelievedFlagOfShip"]) {
        match countries::country_code(f) {
            Some(code) => e.add(prop::FLAG, code),
            None => e.add(prop::NOTES, &format!("flag: {f}")),
        }
    }
    for f in ship.texts_at(&["PreviousFlags", "PreviousFlag"]) {
        e.add(prop::NOTES, &format!("previous flag: {f}"));
    }
    for t in ship.texts_at(&["TypeOfShipDetails", "TypeOfShip"]) {
        e.add(prop::TYPE, t);
    }
    for t in ship.texts_at(&["TonnageOfShipDetails", "TonnageOfShip"]) {
        e.add(prop::TONNAGE, t);
    }
    for l in ship.texts_at(&["LengthOfShipDetails", "LengthOfShip"]) {
        e.add(prop::NOTES, &format!("length: {l}"));
    }
    for y in ship.texts_at(&["YearsBuilt", "YearBuilt"]) {
        match dates::parse_date(y) {
            Some(d) => e.add(prop::BUILD_DATE, &d),
            None => e.add(prop::NOTES, &format!("year built: {y}")),
        }
    }
}
