//! The entity model every parser produces and every later stage consumes.
//!
//! It follows FollowTheMoney (FtM): an entity has an id, a schema and a bag of
//! multi-valued string properties. Keeping the FtM shape means the
//! yente-compatible API can return entities unchanged and OpenSanctions
//! exports load without translation.
//!
//! A listed party is one [`Entity`]: the record the index and the matcher
//! read (names, dates, countries, identifiers). What FtM keeps on entities
//! of their own — the party's listing (`Sanction`) and its crypto wallets
//! (`CryptoWallet`) — travels with it as [`Linked`] entities. In JSON they
//! are nested under the party's properties the way yente returns them
//! (`properties.sanctions: [{"id", "schema": "Sanction", "properties": …}]`),
//! without the back-reference to the party that nesting makes implicit;
//! [`ftm::flat_entities`] writes them as separate FtM entities instead.
//! Parsers write a party's facts as properties (listing details and wallets
//! included); [`ftm::conform`] then shapes it to FtM's model (see there).

pub mod diff;
pub mod ftm;
pub mod topics;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// List ids (DESIGN.md §2): the one place that says what a list id looks
/// like. Catalog lists have ids like `us_ofac_sdn`; a user's own lists are
/// `custom:<name>`. An entity id is `<list id>:<id in the source>`.
pub mod list_id {
    /// Prefix of the ids of a user's own lists, which are not in the catalog
    /// and can only be imported from files.
    pub const CUSTOM_PREFIX: &str = "custom:";
    /// The collection of every loaded list.
    pub const COLLECTION_DEFAULT: &str = "default";
    /// The collection of the official sanctions lists.
    pub const COLLECTION_SANCTIONS: &str = "sanctions";

    /// [`is_valid`] as a regular expression, for the API's contract.
    pub const PATTERN: &str = r"^(custom:[a-z0-9][a-z0-9_-]{0,63}|[a-z][a-z0-9_]{0,63})$";
    /// The shape of an entity id (`<list id>:<source id>`, the source id not
    /// blank, no control characters) as a regular expression.
    pub const ENTITY_ID_PATTERN: &str = r"^(custom:[a-z0-9][a-z0-9_-]{0,63}|[a-z][a-z0-9_]{0,63}):[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";

    /// A catalog list id: `[a-z][a-z0-9_]*`, at most 64 bytes.
    pub fn is_catalog_id(id: &str) -> bool {
        let mut chars = id.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && id.len() <= 64
    }

    /// A user's list id: `custom:<name>` with a name of `[a-z0-9][a-z0-9_-]*`.
    pub fn is_custom_id(id: &str) -> bool {
        let Some(name) = id.strip_prefix(CUSTOM_PREFIX) else {
            return false;
        };
        let mut chars = name.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && name.len() <= 64
    }

    /// Any list id: catalog-shaped or `custom:<name>`.
    pub fn is_valid(id: &str) -> bool {
        is_catalog_id(id) || is_custom_id(id)
    }

    /// The list id of an entity id (`us_ofac_sdn:7379` → `us_ofac_sdn`,
    /// `custom:pep:A1` → `custom:pep`), when it has one.
    pub fn of_entity_id(id: &str) -> Option<&str> {
        let list_len = match id.strip_prefix(CUSTOM_PREFIX) {
            Some(rest) => CUSTOM_PREFIX.len() + rest.find(':')?,
            None => id.find(':')?,
        };
        let list = id.get(..list_len)?;
        is_valid(list).then_some(list)
    }
}

/// The FtM schemata the lists use. Sources that do not say what kind of party
/// a record is get `LegalEntity`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum Schema {
    Person,
    Organization,
    Company,
    Vessel,
    /// FtM's name; `Aircraft`, which earlier versions wrote, is read as this.
    #[serde(alias = "Aircraft")]
    Airplane,
    LegalEntity,
}

impl Schema {
    pub const ALL: [Schema; 6] = [
        Schema::Person,
        Schema::Organization,
        Schema::Company,
        Schema::Vessel,
        Schema::Airplane,
        Schema::LegalEntity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::Company => "Company",
            Schema::Vessel => "Vessel",
            Schema::Airplane => "Airplane",
            Schema::LegalEntity => "LegalEntity",
        }
    }

    /// Parses an FtM schema name. Schemata outside the screening set map to
    /// their nearest screening parent (`PublicBody` is an `Organization`);
    /// `Aircraft` is a synonym of `Airplane`; unknown names give `None`.
    pub fn from_name(name: &str) -> Option<Schema> {
        Some(match name.trim() {
            "Person" => Schema::Person,
            "Organization" | "PublicBody" | "Organisation" => Schema::Organization,
            "Company" => Schema::Company,
            "Vessel" => Schema::Vessel,
            "Airplane" | "Aircraft" => Schema::Airplane,
            "LegalEntity" => Schema::LegalEntity,
            _ => return None,
        })
    }

    /// Whether names of this schema are organisation names: `Some(false)` for
    /// persons, `None` when the source did not say (`LegalEntity`).
    pub fn org_hint(self) -> Option<bool> {
        match self {
            Schema::Person => Some(false),
            Schema::LegalEntity => None,
            _ => Some(true),
        }
    }

    /// True for the schemata that describe an organisation of some kind.
    pub fn is_organization_like(self) -> bool {
        matches!(
            self,
            Schema::Organization | Schema::Company | Schema::LegalEntity
        )
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Property names (FtM spelling). Parsers use these constants so a typo in a
/// property name is a compile error rather than a silently lost field.
pub mod prop {
    pub const NAME: &str = "name";
    pub const ALIAS: &str = "alias";
    pub const WEAK_ALIAS: &str = "weakAlias";
    pub const PREVIOUS_NAME: &str = "previousName";
    pub const FIRST_NAME: &str = "firstName";
    pub const MIDDLE_NAME: &str = "middleName";
    pub const LAST_NAME: &str = "lastName";
    pub const FATHER_NAME: &str = "fatherName";
    pub const BIRTH_DATE: &str = "birthDate";
    pub const BIRTH_PLACE: &str = "birthPlace";
    pub const DEATH_DATE: &str = "deathDate";
    pub const NATIONALITY: &str = "nationality";
    pub const CITIZENSHIP: &str = "citizenship";
    pub const COUNTRY: &str = "country";
    pub const JURISDICTION: &str = "jurisdiction";
    pub const GENDER: &str = "gender";
    pub const TITLE: &str = "title";
    pub const POSITION: &str = "position";
    pub const PASSPORT_NUMBER: &str = "passportNumber";
    pub const ID_NUMBER: &str = "idNumber";
    pub const TAX_NUMBER: &str = "taxNumber";
    pub const REGISTRATION_NUMBER: &str = "registrationNumber";
    pub const IMO_NUMBER: &str = "imoNumber";
    pub const MMSI: &str = "mmsi";
    pub const CALL_SIGN: &str = "callSign";
    pub const FLAG: &str = "flag";
    pub const BUILD_DATE: &str = "buildDate";
    pub const TYPE: &str = "type";
    pub const TONNAGE: &str = "tonnage";
    pub const OWNER: &str = "owner";
    pub const MODEL: &str = "model";
    pub const SERIAL_NUMBER: &str = "serialNumber";
    pub const SWIFT_BIC: &str = "swiftBic";
    pub const CRYPTO_WALLET: &str = "cryptoWallet";
    pub const EMAIL: &str = "email";
    pub const PHONE: &str = "phone";
    pub const WEBSITE: &str = "website";
    pub const ADDRESS: &str = "address";
    pub const PROGRAM: &str = "program";
    pub const LISTING_DATE: &str = "listingDate";
    pub const MODIFIED_AT: &str = "modifiedAt";
    pub const DELISTING_DATE: &str = "delistingDate";
    pub const NOTES: &str = "notes";
    pub const SOURCE_URL: &str = "sourceUrl";
    pub const TOPICS: &str = "topics";
    pub const INCORPORATION_DATE: &str = "incorporationDate";
    pub const REGISTRATION_PORT: &str = "registrationPort";

    // Listing details: parsers set them on the party; [`super::ftm::conform`]
    // moves them to the party's `Sanction` entity, where FtM keeps them.
    pub const PROGRAM_ID: &str = "programId";
    pub const AUTHORITY: &str = "authority";
    pub const REASON: &str = "reason";
    pub const PROVISIONS: &str = "provisions";
    pub const UNSC_ID: &str = "unscId";
    pub const START_DATE: &str = "startDate";
    pub const END_DATE: &str = "endDate";

    // Properties of the linked entities.
    /// `Sanction` → the sanctioned party.
    pub const ENTITY: &str = "entity";
    /// `CryptoWallet` → the party holding it.
    pub const HOLDER: &str = "holder";
    pub const PUBLIC_KEY: &str = "publicKey";
    pub const CURRENCY: &str = "currency";

    /// The properties that hold names of the party (matched by the screener).
    pub const NAME_PROPS: [&str; 4] = [NAME, ALIAS, WEAK_ALIAS, PREVIOUS_NAME];

    /// The properties that hold identifiers (exact-match evidence).
    pub const IDENTIFIER_PROPS: [&str; 10] = [
        PASSPORT_NUMBER,
        ID_NUMBER,
        TAX_NUMBER,
        REGISTRATION_NUMBER,
        IMO_NUMBER,
        MMSI,
        SWIFT_BIC,
        CRYPTO_WALLET,
        CALL_SIGN,
        SERIAL_NUMBER,
    ];

    /// The properties that hold ISO country codes.
    pub const COUNTRY_PROPS: [&str; 5] = [NATIONALITY, CITIZENSHIP, COUNTRY, JURISDICTION, FLAG];
}

/// An entity's properties by name, in name order, each with its values.
/// One sorted vector: a party has a handful of properties, and a
/// `BTreeMap` would give every party a node of eleven entries (about 560
/// bytes) whatever it holds.
pub type Properties = litemap::LiteMap<String, Vec<String>>;

/// One listed party, in FollowTheMoney shape.
///
/// Serialised as an FtM entity whose linked entities are nested under their
/// reverse property (`properties.sanctions`, `properties.cryptoWallets`), as
/// yente returns them; earlier stored versions, which had no linked
/// entities, read unchanged.
#[derive(Debug, Clone, PartialEq, Eq, utoipa::ToSchema)]
pub struct Entity {
    /// `<list id>:<id in the source>`, stable across versions.
    pub id: String,
    pub schema: Schema,
    /// The display name: the primary `name` as the source spells it.
    pub caption: String,
    /// List ids this entity comes from.
    pub datasets: Vec<String>,
    /// FtM properties; every value list is non-empty, trimmed and free of
    /// duplicates. Linked entities appear here too, nested under their
    /// reverse property (`sanctions`, `cryptoWallets`).
    #[schema(value_type = HashMap<String, Vec<PropertyValue>>)]
    pub properties: Properties,
    /// The party's listing and wallets, each referring to the party.
    #[schema(ignore)]
    pub linked: Vec<Linked>,
}

/// One value of an entity property in JSON: a string, or a nested entity
/// (for `sanctions` and `cryptoWallets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum PropertyValue {
    Text(String),
    Entity(Linked),
}

/// The schemata of the entities linked to a party.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum LinkedSchema {
    /// The party's listing: programme, dates, authority, reasons, source.
    Sanction,
    /// A wallet the party holds (`publicKey`, `currency`).
    CryptoWallet,
}

impl LinkedSchema {
    pub const ALL: [LinkedSchema; 2] = [LinkedSchema::Sanction, LinkedSchema::CryptoWallet];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkedSchema::Sanction => "Sanction",
            LinkedSchema::CryptoWallet => "CryptoWallet",
        }
    }

    /// The property of the linked entity that names the party.
    pub fn party_property(self) -> &'static str {
        match self {
            LinkedSchema::Sanction => prop::ENTITY,
            LinkedSchema::CryptoWallet => prop::HOLDER,
        }
    }

    /// The reverse property on the party under which FtM (and yente's
    /// nested entities) list these entities.
    pub fn reverse_property(self) -> &'static str {
        match self {
            LinkedSchema::Sanction => "sanctions",
            LinkedSchema::CryptoWallet => "cryptoWallets",
        }
    }

    fn of_reverse_property(name: &str) -> Option<LinkedSchema> {
        LinkedSchema::ALL
            .into_iter()
            .find(|s| s.reverse_property() == name)
    }

    /// The properties whose first value is the entity's caption.
    fn caption_properties(self) -> &'static [&'static str] {
        match self {
            LinkedSchema::Sanction => &[prop::PROGRAM, prop::AUTHORITY, prop::PROGRAM_ID],
            LinkedSchema::CryptoWallet => &[prop::PUBLIC_KEY],
        }
    }
}

/// An entity that belongs to a party and refers to it (a `Sanction`, a
/// `CryptoWallet`). Its reference to the party is implied by where it sits;
/// [`ftm::flat_entities`] writes it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Linked {
    /// `<party id>:sanction`, `<party id>:wallet:<n>`.
    pub id: String,
    pub schema: LinkedSchema,
    /// Derived from the properties when serialised; ignored when read.
    #[serde(default, skip_deserializing)]
    pub caption: String,
    #[schema(value_type = HashMap<String, Vec<String>>)]
    pub properties: Properties,
}

impl Linked {
    pub fn new(id: String, schema: LinkedSchema) -> Linked {
        Linked {
            caption: schema.as_str().to_string(),
            id,
            schema,
            properties: Properties::new(),
        }
    }

    /// Adds a value (whitespace collapsed; empty values and duplicates skipped).
    pub fn add(&mut self, property: &str, value: &str) {
        push_value(&mut self.properties, property, value);
        self.caption = self
            .schema
            .caption_properties()
            .iter()
            .find_map(|p| self.properties.get(*p).and_then(|v| v.first()))
            .cloned()
            .unwrap_or_else(|| self.schema.as_str().to_string());
    }

    pub fn get(&self, property: &str) -> &[String] {
        self.properties
            .get(property)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Adds a cleaned value to a property map, keeping values unique.
fn push_value(properties: &mut Properties, property: &str, value: &str) -> bool {
    let value = clean_value(value);
    if value.is_empty() {
        return false;
    }
    let values = properties.entry(property.to_string()).or_default();
    if values.contains(&value) {
        return false;
    }
    values.push(value);
    true
}

/// The properties of a party with its linked entities nested under their
/// reverse property, in key order: the `properties` object of the JSON form.
pub struct NestedProperties<'a>(pub &'a Entity);

impl Serialize for NestedProperties<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let e = self.0;
        let mut nested: BTreeMap<&str, Vec<&Linked>> = BTreeMap::new();
        for l in &e.linked {
            nested
                .entry(l.schema.reverse_property())
                .or_default()
                .push(l);
        }
        let mut map = s.serialize_map(Some(e.properties.len() + nested.len()))?;
        let mut plain = e.properties.iter().peekable();
        let mut linked = nested.iter().peekable();
        loop {
            let take_plain = match (plain.peek(), linked.peek()) {
                (Some((a, _)), Some((b, _))) => a.as_str() <= **b,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if take_plain {
                if let Some((k, v)) = plain.next() {
                    map.serialize_entry(k, v)?;
                }
            } else if let Some((k, v)) = linked.next() {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

impl Serialize for Entity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Entity", 5)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("schema", &self.schema)?;
        st.serialize_field("caption", &self.caption)?;
        st.serialize_field("datasets", &self.datasets)?;
        st.serialize_field("properties", &NestedProperties(self))?;
        st.end()
    }
}

/// The JSON form as read: property values are strings or nested entities.
#[derive(Deserialize)]
struct EntityJson {
    id: String,
    schema: Schema,
    #[serde(default)]
    caption: String,
    #[serde(default)]
    datasets: Vec<String>,
    #[serde(default)]
    properties: BTreeMap<String, Vec<PropertyValue>>,
}

impl<'de> Deserialize<'de> for Entity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Entity, D::Error> {
        let json = EntityJson::deserialize(d)?;
        // Sized from the start: the index keeps parties for as long as it
        // serves, and vectors grown by pushes would be shrunk (moved) later.
        let mut properties = Properties::with_capacity(json.properties.len());
        let mut linked = Vec::new();
        for (key, values) in json.properties {
            let mut texts = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    PropertyValue::Text(t) => texts.push(t),
                    PropertyValue::Entity(mut l) => {
                        if LinkedSchema::of_reverse_property(&key) != Some(l.schema) {
                            return Err(serde::de::Error::custom(format!(
                                "a {} entity cannot be nested under '{key}'",
                                l.schema.as_str()
                            )));
                        }
                        // Recompute the caption from the properties.
                        let first = l.properties.first().map(|(p, _)| p.clone());
                        if let Some((p, v)) =
                            first.and_then(|p| l.properties.remove(&p).map(|v| (p, v)))
                        {
                            for value in v {
                                l.add(&p, &value);
                            }
                        } else {
                            l.caption = l.schema.as_str().to_string();
                        }
                        linked.push(l);
                    }
                }
            }
            if !texts.is_empty() {
                // In key order, so each one goes at the end.
                properties.insert(key, texts);
            }
        }
        Ok(Entity {
            id: json.id,
            schema: json.schema,
            caption: json.caption,
            datasets: json.datasets,
            properties,
            linked,
        })
    }
}

impl Entity {
    /// A new entity with no properties. `source_id` is the id the publisher
    /// gives the record; the entity id is prefixed with the list id.
    pub fn new(list_id: &str, source_id: &str, schema: Schema) -> Entity {
        Entity {
            id: format!("{list_id}:{}", source_id.trim()),
            schema,
            caption: String::new(),
            datasets: vec![list_id.to_string()],
            properties: Properties::new(),
            linked: Vec::new(),
        }
    }

    /// Adds a value to a property: whitespace is collapsed, empty values and
    /// exact duplicates are skipped. The first `name` added becomes the caption.
    pub fn add(&mut self, property: &str, value: &str) {
        let value = clean_value(value);
        if value.is_empty() {
            return;
        }
        if property == prop::NAME && self.caption.is_empty() {
            self.caption = value.clone();
        }
        push_value(&mut self.properties, property, &value);
    }

    /// Gives back the spare room the values were collected in (a vector
    /// grown by pushes keeps room for four): for a party kept in memory as
    /// long as it is served.
    pub fn shrink_to_fit(&mut self) {
        fn shrink(properties: &mut Properties) {
            let mut values = std::mem::take(properties).into_tuple_vec();
            for (_, v) in &mut values {
                v.shrink_to_fit();
            }
            values.shrink_to_fit();
            // Taken from a map, so sorted and without duplicate keys.
            *properties = Properties::from_sorted_store_unchecked(values);
        }
        shrink(&mut self.properties);
        self.datasets.shrink_to_fit();
        for l in &mut self.linked {
            shrink(&mut l.properties);
        }
        self.linked.shrink_to_fit();
    }

    /// Adds every value of an iterator to a property.
    pub fn add_all<'a>(&mut self, property: &str, values: impl IntoIterator<Item = &'a str>) {
        for v in values {
            self.add(property, v);
        }
    }

    /// The values of a property (empty slice when absent).
    pub fn get(&self, property: &str) -> &[String] {
        self.properties
            .get(property)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The first value of a property.
    pub fn first(&self, property: &str) -> Option<&str> {
        self.get(property).first().map(String::as_str)
    }

    /// Every name of the party with the property it came from
    /// (`name`, `alias`, `weakAlias`, `previousName`).
    pub fn names(&self) -> impl Iterator<Item = (&'static str, &str)> {
        prop::NAME_PROPS
            .iter()
            .flat_map(move |p| self.get(p).iter().map(move |v| (*p, v.as_str())))
    }

    /// The values of one property of the party's listing: its `Sanction`
    /// entity, where [`ftm::conform`] moves the programme, dates, authority,
    /// reasons and source URL the publisher gave.
    pub fn listing(&self, property: &str) -> &[String] {
        self.linked(LinkedSchema::Sanction)
            .next()
            .map(|s| s.get(property))
            .unwrap_or(&[])
    }

    /// The party's crypto wallets as `CUR:key` (or the bare key when the
    /// publisher gave no currency), from its linked `CryptoWallet` entities.
    pub fn wallets(&self) -> Vec<String> {
        self.linked(LinkedSchema::CryptoWallet)
            .flat_map(|w| {
                let keys = w.get(prop::PUBLIC_KEY);
                match w.get(prop::CURRENCY) {
                    [] => keys.to_vec(),
                    curs => curs
                        .iter()
                        .flat_map(|c| keys.iter().map(move |k| format!("{c}:{k}")))
                        .collect(),
                }
            })
            .collect()
    }

    /// The linked entities of one schema.
    pub fn linked(&self, schema: LinkedSchema) -> impl Iterator<Item = &Linked> {
        self.linked.iter().filter(move |l| l.schema == schema)
    }

    /// Every identifier of the party, for exact-match evidence: the values
    /// of [`prop::IDENTIFIER_PROPS`] and the keys of its crypto wallets
    /// (bare and as `CUR:key`). An IMO number is given with and without
    /// its `IMO` prefix, since publishers write both.
    pub fn identifiers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |v: String| {
            if !out.contains(&v) {
                out.push(v);
            }
        };
        for p in prop::IDENTIFIER_PROPS {
            for v in self.get(p) {
                push(v.clone());
                if p == prop::IMO_NUMBER
                    && let Some(rest) = v.get(3..).filter(|_| v[..3].eq_ignore_ascii_case("imo"))
                {
                    push(rest.trim_start_matches([' ', ':', '-']).to_string());
                }
            }
        }
        for w in self.linked(LinkedSchema::CryptoWallet) {
            for key in w.get(prop::PUBLIC_KEY) {
                push(key.clone());
                for cur in w.get(prop::CURRENCY) {
                    push(format!("{cur}:{key}"));
                }
            }
        }
        out
    }

    /// Number of names including aliases.
    pub fn name_count(&self) -> usize {
        prop::NAME_PROPS.iter().map(|p| self.get(p).len()).sum()
    }

    /// Ensures the entity has a caption: when no `name` was added, the first
    /// alias is promoted. Parsers call this before emitting an entity.
    pub fn finish(&mut self) {
        if self.caption.is_empty() {
            let first = self.names().map(|(_, n)| n.to_string()).next();
            if let Some(n) = first {
                self.caption = n;
            }
        }
    }
}

/// A property value as FtM keeps it: composed (Unicode NFC), without the
/// characters FtM's text cleaning deletes (control characters, zero-width
/// and direction marks, soft hyphens, byte-order marks), whitespace
/// collapsed. A value kept any other way would change in the library's
/// round trip (`tests/ftm_valid.rs`).
pub fn clean_value(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let invisible = |c: char| {
        matches!(c,
            '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{84}'
            | '\u{86}'..='\u{9f}' | '\u{ad}' | '\u{61c}' | '\u{200b}'..='\u{200f}'
            | '\u{2060}'..='\u{2064}' | '\u{feff}')
    };
    let kept: String = s.nfc().filter(|c| !invisible(*c)).collect();
    collapse_whitespace(&kept)
}

/// Collapses runs of Unicode whitespace (including NBSP) into one space and trims.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for part in s.split(|c: char| c.is_whitespace() || c == '\u{a0}') {
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// A UN Security Council reference number in the form the UN writes it
/// (`QDi.001`, `QDe.004`, `IRi.012`, `KPi.033`): the committee's two
/// letters in upper case, `i` (individual) or `e` (entity), a dot and at
/// least three digits. Case, spaces and trailing dots are forgiven
/// ("qdi. 1." → `QDi.001`); `None` for anything else, such as the retired
/// Taliban form `TI.A.109.01`. Parsers store it in [`prop::UNSC_ID`], the
/// evidence [`crate::linking`] links the lists' records of one party by.
pub fn un_reference(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.trim_end_matches(['.', ',', ';', ')']);
    let compact = compact.trim_start_matches('(');
    let b = compact.as_bytes();
    if b.len() < 5 || !b[..2].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let kind = b[2].to_ascii_lowercase();
    if !matches!(kind, b'i' | b'e') || b[3] != b'.' {
        return None;
    }
    let digits = &compact[4..];
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    Some(format!(
        "{}{}.{number:03}",
        compact[..2].to_ascii_uppercase(),
        kind as char
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_references_are_normalised() {
        for (raw, want) in [
            ("QDi.001", Some("QDi.001")),
            (" qdi. 1. ", Some("QDi.001")),
            ("QDE.004", Some("QDe.004")),
            ("IRi.012.", Some("IRi.012")),
            ("(KPi.033)", Some("KPi.033")),
            ("CDe.0010", Some("CDe.010")),
            ("TI.A.109.01", None),
            ("QDx.001", None),
            ("QD.001", None),
            ("QDi.", None),
            ("", None),
        ] {
            assert_eq!(un_reference(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn add_trims_dedups_and_sets_caption() {
        let mut e = Entity::new("us_ofac_sdn", " 7843 ", Schema::Person);
        assert_eq!(e.id, "us_ofac_sdn:7843");
        e.add(prop::NAME, "  BIN LADIN,\u{a0} Usama ");
        e.add(prop::ALIAS, "BIN LADEN, Osama");
        e.add(prop::ALIAS, "BIN LADEN,  Osama");
        e.add(prop::ALIAS, "   ");
        assert_eq!(e.caption, "BIN LADIN, Usama");
        assert_eq!(e.get(prop::ALIAS), ["BIN LADEN, Osama"]);
        assert_eq!(e.name_count(), 2);
    }

    #[test]
    fn finish_promotes_alias_when_no_name() {
        let mut e = Entity::new("x", "1", Schema::LegalEntity);
        e.add(prop::ALIAS, "ACME");
        e.finish();
        assert_eq!(e.caption, "ACME");
    }

    #[test]
    fn schema_names_round_trip() {
        for s in Schema::ALL {
            assert_eq!(Schema::from_name(s.as_str()), Some(s));
        }
        assert_eq!(Schema::from_name("Aircraft"), Some(Schema::Airplane));
        assert_eq!(
            serde_json::from_str::<Schema>("\"Aircraft\"").ok(),
            Some(Schema::Airplane)
        );
        assert_eq!(Schema::Airplane.to_string(), "Airplane");
        assert_eq!(Schema::from_name("Frog"), None);
    }
}
