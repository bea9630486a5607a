//! Parser for OFAC's "enhanced" sanctions XML (`SDN_ENHANCED.XML`,
//! `CONS_ENHANCED.XML`; root `<sanctionsData>` in the `.../ENHANCED_XML`
//! namespace), also when handed the published `.ZIP` holding it.
//!
//! The document starts with `publicationInfo` (its date), the reference
//! values (countries, name part types, scripts …) and the feature types; then
//! each `<entity>` carries everything about one party inline: names with
//! their translations into other scripts, documents, features, addresses and
//! relationships. The parser keeps the reference values in memory and turns
//! each `<entity>` into an [`Entity`] as it streams past; the OFAC mappings it
//! shares with the advanced format live in [`super::ofac_advanced`].

use super::ofac_advanced::{
    FeatureValue, IdDocument, add_person_name_parts, alias_property, apply_document, apply_feature,
    assemble_address, assemble_name, parse_each, period_dates, schema_of,
};
use super::xml::{Node, Opened, Walker};
use super::{ParseError, ParsedList, SourceFile, dates, decode_text};
use crate::countries;
use crate::model::{Entity, Schema, prop};
use std::collections::{HashMap, HashSet};

/// Reference values, feature types and the entities read so far.
#[derive(Default)]
struct State {
    /// `referenceValue` records by `refId`.
    refs: HashMap<String, Node>,
    /// `featureType` records by `featureTypeId`.
    feature_types: HashMap<String, Node>,
    entities: Vec<Entity>,
    ids: HashSet<String>,
    published: Option<String>,
}

/// Attribute `refId` of a child element.
fn ref_id<'a>(node: &'a Node, child: &str) -> Option<&'a str> {
    node.child(child).and_then(|c| c.attr("refId"))
}

impl State {
    fn reference(&self, id: Option<&str>) -> Option<&Node> {
        self.refs.get(id?)
    }

    /// The ISO code of a `COUNTRY` reference value.
    fn country(&self, id: Option<&str>) -> Option<&'static str> {
        let r = self.reference(id)?;
        if !r
            .child_value("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("country"))
        {
            return None;
        }
        r.child_value("isoCode")
            .and_then(countries::iso_code)
            .or_else(|| r.child_value("value").and_then(countries::code_or_name))
    }

    /// The text of a child element, or of the reference value it points to.
    fn text_or_ref<'a>(&'a self, node: &'a Node, child: &str) -> Option<&'a str> {
        let c = node.child(child)?;
        c.value().or_else(|| {
            self.reference(c.attr("refId"))
                .and_then(|r| r.child_value("value"))
        })
    }

    fn add_names(&self, entity: &mut Entity, names: &Node) {
        for name in names.children_named("name") {
            let primary = name.child_flag("isPrimary");
            let low = name.child_flag("isLowQuality");
            let alias_type = self.text_or_ref(name, "aliasType");
            let property = alias_property(alias_type, primary, low);
            let translations = name.descend(&["translations", "translation"]);
            let main = translations
                .iter()
                .position(|t| t.child_flag("isPrimary"))
                .or_else(|| {
                    translations.iter().position(|t| {
                        self.text_or_ref(t, "script")
                            .is_none_or(|s| s.eq_ignore_ascii_case("latin"))
                    })
                })
                .unwrap_or(0);
            for (i, tr) in translations.iter().enumerate() {
                let parts: Vec<(String, String)> = tr
                    .descend(&["nameParts", "namePart"])
                    .into_iter()
                    .filter_map(|p| {
                        let value = p.child_value("value")?;
                        let kind = self.text_or_ref(p, "type").unwrap_or("");
                        Some((kind.to_string(), value.to_string()))
                    })
                    .collect();
                let full = self.full_name(entity.schema, tr, &parts);
                let p = if i != main && property == prop::NAME {
                    prop::ALIAS
                } else {
                    property
                };
                entity.add(p, &full);
                if i == main && property == prop::NAME && entity.schema == Schema::Person {
                    match (
                        tr.child_value("formattedFirstName"),
                        tr.child_value("formattedLastName"),
                    ) {
                        (Some(first), Some(last)) => {
                            entity.add(prop::FIRST_NAME, first);
                            entity.add(prop::LAST_NAME, last);
                            let others: Vec<(String, String)> = parts
                                .iter()
                                .filter(|(t, _)| {
                                    !t.eq_ignore_ascii_case("first name")
                                        && !t.eq_ignore_ascii_case("last name")
                                })
                                .cloned()
                                .collect();
                            add_person_name_parts(entity, &others);
                        }
                        _ => add_person_name_parts(entity, &parts),
                    }
                }
            }
        }
    }

    /// A whole name in natural order: "First LAST" for people, the
    /// formatted full name for others, else the name parts joined.
    fn full_name(&self, schema: Schema, tr: &Node, parts: &[(String, String)]) -> String {
        let first = tr.child_value("formattedFirstName");
        let last = tr.child_value("formattedLastName");
        let full = tr.child_value("formattedFullName");
        if schema == Schema::Person
            && let (Some(first), Some(last)) = (first, last)
        {
            return format!("{first} {last}");
        }
        if let Some(full) = full {
            return full.to_string();
        }
        if !parts.is_empty() {
            return assemble_name(parts);
        }
        match (first, last) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            (Some(x), None) | (None, Some(x)) => x.to_string(),
            (None, None) => String::new(),
        }
    }

    fn add_document(&self, entity: &mut Entity, doc: &Node) {
        let doc_type = self.text_or_ref(doc, "type").unwrap_or("").to_string();
        let number = doc.child_value("documentNumber").unwrap_or("").to_string();
        let country = self.country(ref_id(doc, "issuingCountry")).or_else(|| {
            doc.child_value("issuingCountry")
                .and_then(countries::code_or_name)
        });
        let mut qualifiers = Vec::new();
        if let Some(c) = doc.child_value("issuingCountry") {
            qualifiers.push(format!("issued by {c}"));
        }
        if let Some(place) = doc.child_value("issuingLocation")
            && !doc
                .child_value("issuingCountry")
                .is_some_and(|c| c.eq_ignore_ascii_case(place))
        {
            qualifiers.push(format!("issued in {place}"));
        }
        if let Some(a) = doc.child_value("issuingAuthority") {
            qualifiers.push(format!("authority {a}"));
        }
        if doc
            .child_value("isValid")
            .is_some_and(|v| v.eq_ignore_ascii_case("false"))
        {
            qualifiers.push("marked not valid".to_string());
        }
        const KNOWN: [&str; 7] = [
            "type",
            "name",
            "documentNumber",
            "isValid",
            "issuingCountry",
            "issuingLocation",
            "issuingAuthority",
        ];
        for other in &doc.children {
            if KNOWN.contains(&other.name.as_str()) {
                continue;
            }
            if let Some(t) = other.value() {
                let shown = dates::parse_date(t).unwrap_or_else(|| t.to_string());
                qualifiers.push(format!("{} {shown}", other.name));
            }
        }
        apply_document(
            entity,
            &IdDocument {
                doc_type,
                number,
                country,
                qualifiers,
            },
        );
    }

    fn add_feature(&self, entity: &mut Entity, feature: &Node) {
        let type_node = feature.child("type");
        let feature_type = type_node
            .and_then(|t| t.attr("featureTypeId"))
            .and_then(|id| self.feature_types.get(id));
        let label = type_node
            .and_then(Node::value)
            .or_else(|| feature_type.and_then(|f| f.child_value("type")))
            .unwrap_or("Feature")
            .to_string();
        let is_country_type = feature_type
            .and_then(|f| f.child_value("detailType"))
            .is_some_and(|d| d.eq_ignore_ascii_case("country"));
        let value_ref = feature.child_value("valueRefId");
        let mut text = feature.child_value("value").map(str::to_string);
        if text.is_none() {
            text = self
                .reference(value_ref)
                .and_then(|r| r.child_value("value"))
                .map(str::to_string);
        }
        let mut country = self.country(value_ref);
        if country.is_none() && is_country_type {
            country = text.as_deref().and_then(countries::code_or_name);
        }
        let mut value = FeatureValue {
            text,
            country,
            comment: feature.child_value("comments").map(str::to_string),
            ..FeatureValue::default()
        };
        if let Some(d) = feature.child("valueDate") {
            let iso = |name: &str| d.child_value(name).and_then(dates::parse_date);
            value.dates = period_dates(
                iso("fromDateBegin"),
                iso("fromDateEnd"),
                iso("toDateBegin"),
                iso("toDateEnd"),
            );
            value.approximate = d.child_flag("isApproximate");
        }
        apply_feature(entity, &label, &value);
    }

    fn add_address(&self, entity: &mut Entity, address: &Node) {
        let country_node = address.child("country");
        let country = self
            .country(country_node.and_then(|c| c.attr("refId")))
            .or_else(|| {
                country_node
                    .and_then(Node::value)
                    .and_then(countries::code_or_name)
            });
        let country_name = country_node.and_then(Node::value);
        let mut any = false;
        for tr in address.descend(&["translations", "translation"]) {
            let parts: Vec<(String, String)> = tr
                .descend(&["addressParts", "addressPart"])
                .into_iter()
                .filter_map(|p| {
                    let value = p.child_value("value")?;
                    let kind = self.text_or_ref(p, "type").unwrap_or("");
                    Some((kind.to_string(), value.to_string()))
                })
                .collect();
            if let Some(line) = assemble_address(&parts, country_name) {
                entity.add(prop::ADDRESS, &line);
                any = true;
            }
        }
        match country {
            Some(code) => entity.add(prop::COUNTRY, code),
            None if !any => {
                if let Some(name) = country_name {
                    entity.add(prop::NOTES, &format!("Address: {name}"));
                }
            }
            None => {}
        }
    }

    fn add_entity(
        &mut self,
        list_id: &str,
        node: &Node,
        records: &Walker<'_>,
        at: u64,
    ) -> Result<(), ParseError> {
        let id = node
            .attr("id")
            .ok_or_else(|| records.error_at(at, "<entity> without an id attribute"))?
            .to_string();
        if !self.ids.insert(id.clone()) {
            return Err(records.error_at(at, format!("entity {id} appears twice")));
        }
        let info = node.child("generalInfo");
        let schema = info
            .and_then(|i| self.text_or_ref(i, "entityType"))
            .map(schema_of)
            .unwrap_or(Schema::LegalEntity);
        let mut entity = Entity::new(list_id, &id, schema);
        if let Some(info) = info {
            if let Some(r) = info.child_value("remarks") {
                entity.add(prop::NOTES, r);
            }
            for t in info.children_named("title") {
                if let Some(t) = t.value() {
                    entity.add(prop::TITLE, t);
                }
            }
        }
        for list in node.descend(&["sanctionsLists", "sanctionsList"]) {
            if let Some(d) = list.attr("datePublished").and_then(dates::parse_date) {
                entity.add(prop::LISTING_DATE, &d);
            }
            if let Some(t) = list.value() {
                entity.add(prop::NOTES, &format!("Sanctions list: {t}"));
            }
        }
        for program in node.descend(&["sanctionsPrograms", "sanctionsProgram"]) {
            if let Some(t) = program.value() {
                entity.add(prop::PROGRAM, t);
            }
        }
        for kind in node.descend(&["sanctionsTypes", "sanctionsType"]) {
            if let Some(t) = kind.value() {
                entity.add(prop::NOTES, &format!("Sanctions type: {t}"));
            }
        }
        for authority in node.descend(&["legalAuthorities", "legalAuthority"]) {
            if let Some(t) = authority.value() {
                entity.add(prop::NOTES, &format!("Legal authority: {t}"));
            }
        }
        for names in node.children_named("names") {
            self.add_names(&mut entity, names);
        }
        for doc in node.descend(&["identityDocuments", "identityDocument"]) {
            self.add_document(&mut entity, doc);
        }
        for feature in node.descend(&["features", "feature"]) {
            self.add_feature(&mut entity, feature);
        }
        for address in node.descend(&["addresses", "address"]) {
            self.add_address(&mut entity, address);
        }
        for rel in node.descend(&["relationships", "relationship"]) {
            let kind = self.text_or_ref(rel, "type").unwrap_or("Linked to");
            let other = rel.child("relatedEntity");
            let name = other.and_then(Node::value).map(str::to_string).or_else(|| {
                other
                    .and_then(|o| o.attr("entityId"))
                    .map(|i| format!("party {i}"))
            });
            if let Some(name) = name {
                let former = rel.child_flag("former") || rel.child_flag("isFormer");
                let name = if former {
                    format!("{name} (former)")
                } else {
                    name
                };
                entity.add(prop::NOTES, &format!("{kind}: {name}"));
            }
        }
        self.entities.push(entity);
        Ok(())
    }
}

fn parse_file(list_id: &str, file: &SourceFile) -> Result<ParsedList, ParseError> {
    let unzipped;
    let file = if file.data.starts_with(b"PK\x03\x04") {
        unzipped = super::unzip_single_xml(file)?;
        &unzipped
    } else {
        file
    };
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
            (1, _, "sanctionsData") => {}
            (1, _, other) => {
                return Err(records.error_at(
                    at,
                    format!(
                        "not an OFAC enhanced XML file: the root element is <{other}>, not <sanctionsData>"
                    ),
                ));
            }
            (2, _, "publicationInfo") => {
                let node = records.read_node(&start)?;
                state.published = node.child_value("dataAsOf").and_then(dates::parse_date);
            }
            (2, _, "referenceValues" | "featureTypes" | "entities") => {}
            (3, "referenceValues", "referenceValue") => {
                let node = records.read_node(&start)?;
                if let Some(id) = node.attr("refId").map(str::to_string) {
                    state.refs.insert(id, node);
                }
            }
            (3, "featureTypes", "featureType") => {
                let node = records.read_node(&start)?;
                if let Some(id) = node.attr("featureTypeId").map(str::to_string) {
                    state.feature_types.insert(id, node);
                }
            }
            (3, "entities", "entity") => {
                let node = records.read_node(&start)?;
                state.add_entity(list_id, &node, &records, at)?;
            }
            _ => records.skip(&start)?,
        }
    }
    Ok(ParsedList {
        entities: state.entities,
        published: state.published,
        ..ParsedList::default()
    })
}

/// Parses OFAC enhanced XML files (or zip archives holding one) into
/// entities of `list_id`.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    parse_each(files, |file| parse_file(list_id, file))
}
