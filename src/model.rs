//! The entity model every parser produces and every later stage consumes.
//!
//! It follows FollowTheMoney (FtM): an entity has an id, a schema and a bag of
//! multi-valued string properties. Keeping the FtM shape means the
//! yente-compatible API can return entities unchanged and OpenSanctions
//! exports load without translation.

pub mod diff;

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
    Aircraft,
    LegalEntity,
}

impl Schema {
    pub const ALL: [Schema; 6] = [
        Schema::Person,
        Schema::Organization,
        Schema::Company,
        Schema::Vessel,
        Schema::Aircraft,
        Schema::LegalEntity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::Company => "Company",
            Schema::Vessel => "Vessel",
            Schema::Aircraft => "Aircraft",
            Schema::LegalEntity => "LegalEntity",
        }
    }

    /// Parses an FtM schema name. Schemata outside the screening set map to
    /// their nearest screening parent (`PublicBody` is an `Organization`,
    /// `Thing`-like records a `LegalEntity`); unknown names give `None`.
    pub fn from_name(name: &str) -> Option<Schema> {
        Some(match name.trim() {
            "Person" => Schema::Person,
            "Organization" | "PublicBody" | "Organisation" => Schema::Organization,
            "Company" => Schema::Company,
            "Vessel" => Schema::Vessel,
            "Airplane" | "Aircraft" => Schema::Aircraft,
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

/// One listed party, in FollowTheMoney shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entity {
    /// `<list id>:<id in the source>`, stable across versions.
    pub id: String,
    pub schema: Schema,
    /// The display name: the primary `name` as the source spells it.
    pub caption: String,
    /// List ids this entity comes from.
    pub datasets: Vec<String>,
    /// FtM properties; every value list is non-empty, trimmed and free of duplicates.
    pub properties: BTreeMap<String, Vec<String>>,
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
            properties: BTreeMap::new(),
        }
    }

    /// Adds a value to a property: whitespace is collapsed, empty values and
    /// exact duplicates are skipped. The first `name` added becomes the caption.
    pub fn add(&mut self, property: &str, value: &str) {
        let value = collapse_whitespace(value);
        if value.is_empty() {
            return;
        }
        if property == prop::NAME && self.caption.is_empty() {
            self.caption = value.clone();
        }
        let values = self.properties.entry(property.to_string()).or_default();
        if !values.contains(&value) {
            values.push(value);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(Schema::from_name("Airplane"), Some(Schema::Aircraft));
        assert_eq!(Schema::from_name("Frog"), None);
    }
}
