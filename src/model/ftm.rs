//! FollowTheMoney conformance: what FtM's model says about the properties
//! screener writes, and the one step that shapes a parsed party to it.
//!
//! Parsers write everything they know about a party as properties of the
//! party. [`conform`] then, for every party of every list:
//! - moves the listing details ([`SANCTION_PROPERTIES`]: programme,
//!   listing and end dates, authority, reasons, provisions, UN reference,
//!   source URL) to one linked `Sanction` entity (`<party id>:sanction`);
//! - turns each `cryptoWallet` value (`CUR:key` or a bare key) into a
//!   linked `CryptoWallet` entity with `publicKey` and `currency`;
//! - renames the few properties FtM spells differently on a schema
//!   ([`RENAMED`]: a vehicle's `idNumber` is its `registrationNumber`);
//! - checks every remaining property against the party's schema and every
//!   value against its FtM type (dates, countries, e-mail addresses, phone
//!   numbers in international form, URLs, IMO check digits, lengths). A
//!   property the schema lacks (an entity reference such as a vessel's
//!   `owner` given as free text included) or a value its type refuses is
//!   moved to `notes` as `<property>: <value>`, never dropped;
//! - sets the party's `topics` from its list and programmes ([`super::topics`]).
//!
//! The facts in [`PROPERTIES`] (names, types and length limits of FtM's
//! properties) are those of followthemoney 4.11; `tests/ftm_valid.rs` checks
//! every list's output against that library.
//!
//! [`flat_entities`] writes a party and its linked entities as separate FtM
//! entities (one JSON object each, as in an `entities.ftm.json` file), with
//! ids made valid for FtM references by [`export_id`].

use super::{Entity, Linked, LinkedSchema, Properties, Schema, prop, topics};
use serde::Serialize;

/// The FtM schemata whose properties screener writes, as defined in FtM
/// (each schema inherits the properties of those it extends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Thing,
    LegalEntity,
    Person,
    Organization,
    Company,
    Value,
    Vehicle,
    Vessel,
    Airplane,
    Interval,
    Sanction,
    CryptoWallet,
}

use Family::*;

/// The FtM property types, for checking values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Name,
    Str,
    Text,
    Identifier,
    Date,
    Country,
    Email,
    Phone,
    Url,
    Gender,
    Number,
    Topic,
    Address,
    Language,
}

impl Kind {
    /// FtM's longest value of the type, in characters.
    fn max_length(self) -> usize {
        match self {
            Kind::Country | Kind::Gender | Kind::Language => 16,
            Kind::Name => 384,
            Kind::Text => 65000,
            Kind::Number | Kind::Email | Kind::Address => 250,
            Kind::Phone | Kind::Topic | Kind::Identifier => 64,
            Kind::Url => 4096,
            Kind::Str => 1024,
            Kind::Date => 32,
        }
    }
}

use Kind::*;

/// Every non-reference property of the schemata above: where FtM defines
/// it, its type, and its length limit where the property sets its own (0:
/// the type's). From followthemoney 4.11's schema files.
static PROPERTIES: &[(Family, &str, Kind, usize)] = &[
    // Thing
    (Thing, "address", Address, 0),
    (Thing, "alephUrl", Url, 0),
    (Thing, "alias", Name, 0),
    (Thing, "country", Country, 0),
    (Thing, "createdAt", Date, 0),
    (Thing, "description", Text, 0),
    (Thing, "indexText", Text, 0),
    (Thing, "keywords", Str, 0),
    (Thing, "modifiedAt", Date, 0),
    (Thing, "name", Name, 0),
    (Thing, "notes", Text, 0),
    (Thing, "previousName", Name, 0),
    (Thing, "program", Str, 0),
    (Thing, "programId", Identifier, 0),
    (Thing, "publisher", Str, 0),
    (Thing, "publisherUrl", Url, 0),
    (Thing, "retrievedAt", Date, 0),
    (Thing, "sourceUrl", Url, 0),
    (Thing, "summary", Text, 0),
    (Thing, "topics", Topic, 0),
    (Thing, "weakAlias", Name, 0),
    (Thing, "wikidataId", Identifier, 32),
    (Thing, "wikipediaUrl", Url, 0),
    // LegalEntity
    (LegalEntity, "abbreviation", Name, 0),
    (LegalEntity, "brightQueryId", Identifier, 0),
    (LegalEntity, "brightQueryOrgId", Identifier, 0),
    (LegalEntity, "bvdId", Identifier, 0),
    (LegalEntity, "classification", Str, 0),
    (LegalEntity, "dissolutionDate", Date, 0),
    (LegalEntity, "dunsCode", Identifier, 16),
    (LegalEntity, "email", Email, 0),
    (LegalEntity, "icijId", Str, 0),
    (LegalEntity, "idNumber", Identifier, 0),
    (LegalEntity, "incorporationDate", Date, 0),
    (LegalEntity, "innCode", Identifier, 32),
    (LegalEntity, "jurisdiction", Country, 0),
    (LegalEntity, "legalForm", Str, 0),
    (LegalEntity, "leiCode", Identifier, 32),
    (LegalEntity, "licenseNumber", Identifier, 0),
    (LegalEntity, "mainCountry", Country, 0),
    (LegalEntity, "npiCode", Identifier, 16),
    (LegalEntity, "ogrnCode", Identifier, 32),
    (LegalEntity, "okpoCode", Identifier, 0),
    (LegalEntity, "okvedCode", Identifier, 0),
    (LegalEntity, "opencorporatesUrl", Url, 0),
    (LegalEntity, "phone", Phone, 32),
    (LegalEntity, "registrationNumber", Identifier, 0),
    (LegalEntity, "sayariId", Identifier, 0),
    (LegalEntity, "sector", Str, 0),
    (LegalEntity, "status", Str, 0),
    (LegalEntity, "swiftBic", Identifier, 16),
    (LegalEntity, "taxNumber", Identifier, 0),
    (LegalEntity, "taxStatus", Str, 0),
    (LegalEntity, "uniqueEntityId", Identifier, 32),
    (LegalEntity, "uscCode", Identifier, 0),
    (LegalEntity, "vatCode", Identifier, 32),
    (LegalEntity, "website", Url, 0),
    // Person
    (Person, "appearance", Str, 0),
    (Person, "biography", Text, 0),
    (Person, "birthCountry", Country, 0),
    (Person, "birthDate", Date, 0),
    (Person, "birthPlace", Str, 0),
    (Person, "citizenship", Country, 0),
    (Person, "deathDate", Date, 0),
    (Person, "education", Str, 0),
    (Person, "ethnicity", Str, 0),
    (Person, "eyeColor", Str, 0),
    (Person, "fatherName", Str, 0),
    (Person, "firstName", Str, 0),
    (Person, "gender", Gender, 0),
    (Person, "hairColor", Str, 0),
    (Person, "height", Number, 0),
    (Person, "lastName", Str, 0),
    (Person, "middleName", Str, 0),
    (Person, "motherName", Str, 0),
    (Person, "nameSuffix", Str, 0),
    (Person, "nationality", Country, 0),
    (Person, "passportNumber", Identifier, 0),
    (Person, "political", Str, 0),
    (Person, "position", Str, 0),
    (Person, "profession", Str, 0),
    (Person, "religion", Str, 0),
    (Person, "secondName", Str, 0),
    (Person, "socialSecurityNumber", Identifier, 0),
    (Person, "spokenLanguage", Language, 0),
    (Person, "title", Str, 0),
    (Person, "weight", Number, 0),
    // Organization
    (Organization, "cageCode", Identifier, 16),
    (Organization, "giiNumber", Identifier, 20),
    (Organization, "imoNumber", Identifier, 16),
    (Organization, "permId", Identifier, 16),
    // Company
    (Company, "bikCode", Identifier, 0),
    (Company, "caemCode", Str, 0),
    (Company, "capital", Number, 0),
    (Company, "cikCode", Identifier, 0),
    (Company, "coatoCode", Identifier, 0),
    (Company, "fnsCode", Identifier, 0),
    (Company, "fssCode", Str, 0),
    (Company, "ipoCode", Identifier, 0),
    (Company, "irsCode", Identifier, 0),
    (Company, "isinCode", Identifier, 0),
    (Company, "jibCode", Identifier, 0),
    (Company, "kppCode", Identifier, 0),
    (Company, "mbsCode", Identifier, 0),
    (Company, "okopfCode", Str, 0),
    (Company, "oksmCode", Str, 0),
    (Company, "pfrNumber", Identifier, 0),
    (Company, "ricCode", Identifier, 16),
    (Company, "ticker", Identifier, 0),
    (Company, "voenCode", Identifier, 32),
    // Value
    (Value, "amount", Number, 0),
    (Value, "amountEur", Number, 0),
    (Value, "amountUsd", Number, 0),
    (Value, "currency", Str, 0),
    // Vehicle
    (Vehicle, "buildDate", Date, 0),
    (Vehicle, "deregistrationDate", Date, 0),
    (Vehicle, "model", Str, 0),
    (Vehicle, "registrationDate", Date, 0),
    (Vehicle, "registrationNumber", Identifier, 0),
    (Vehicle, "type", Str, 0),
    // Vessel
    (Vessel, "callSign", Identifier, 0),
    (Vessel, "crsNumber", Identifier, 0),
    (Vessel, "deadweightTonnage", Number, 0),
    (Vessel, "flag", Country, 0),
    (Vessel, "grossRegisteredTonnage", Number, 0),
    (Vessel, "imoNumber", Identifier, 16),
    (Vessel, "mmsi", Identifier, 16),
    (Vessel, "nameChangeDate", Date, 0),
    (Vessel, "navigationArea", Str, 0),
    (Vessel, "pastFlags", Country, 0),
    (Vessel, "pastTypes", Str, 0),
    (Vessel, "registrationPort", Str, 0),
    (Vessel, "tonnage", Number, 0),
    // Airplane
    (Airplane, "icaoCode", Identifier, 16),
    (Airplane, "manufacturer", Str, 0),
    (Airplane, "serialNumber", Identifier, 0),
    // Interval
    (Interval, "alephUrl", Url, 0),
    (Interval, "date", Date, 0),
    (Interval, "description", Text, 0),
    (Interval, "endDate", Date, 0),
    (Interval, "indexText", Text, 0),
    (Interval, "modifiedAt", Date, 0),
    (Interval, "namesMentioned", Name, 0),
    (Interval, "publisher", Str, 0),
    (Interval, "publisherUrl", Url, 0),
    (Interval, "recordId", Str, 0),
    (Interval, "retrievedAt", Date, 0),
    (Interval, "sourceUrl", Url, 0),
    (Interval, "startDate", Date, 0),
    (Interval, "summary", Text, 0),
    // Sanction
    (Sanction, "authority", Str, 0),
    (Sanction, "authorityId", Identifier, 0),
    (Sanction, "country", Country, 0),
    (Sanction, "duration", Number, 0),
    (Sanction, "listingDate", Date, 0),
    (Sanction, "program", Str, 0),
    (Sanction, "programId", Identifier, 0),
    (Sanction, "programUrl", Url, 0),
    (Sanction, "provisions", Str, 0),
    (Sanction, "reason", Text, 0),
    (Sanction, "status", Str, 0),
    (Sanction, "unscId", Identifier, 16),
    // CryptoWallet
    (CryptoWallet, "accountId", Identifier, 0),
    (CryptoWallet, "balance", Number, 0),
    (CryptoWallet, "balanceDate", Date, 0),
    (CryptoWallet, "blockchain", Str, 0),
    (CryptoWallet, "creationDate", Date, 0),
    (CryptoWallet, "cryptoAddress", Identifier, 512),
    (CryptoWallet, "currencySymbol", Str, 0),
    (CryptoWallet, "custodyType", Str, 0),
    (CryptoWallet, "managingExchange", Str, 0),
    (CryptoWallet, "privateKey", Str, 0),
    (CryptoWallet, "publicKey", Identifier, 512),
];

/// The families whose properties a party schema has.
fn party_families(schema: Schema) -> &'static [Family] {
    match schema {
        Schema::Person => &[Thing, LegalEntity, Person],
        Schema::Organization => &[Thing, LegalEntity, Organization],
        Schema::Company => &[Thing, LegalEntity, Organization, Company, Value],
        Schema::LegalEntity => &[Thing, LegalEntity],
        Schema::Vessel => &[Thing, Value, Vehicle, Vessel],
        Schema::Airplane => &[Thing, Value, Vehicle, Airplane],
    }
}

fn linked_families(schema: LinkedSchema) -> &'static [Family] {
    match schema {
        LinkedSchema::Sanction => &[Interval, Sanction],
        LinkedSchema::CryptoWallet => &[Thing, Value, CryptoWallet],
    }
}

/// The type and length limit of a property on an entity of these families.
fn lookup(families: &[Family], property: &str) -> Option<(Kind, usize)> {
    PROPERTIES
        .iter()
        .find(|(f, p, _, _)| *p == property && families.contains(f))
        .map(|&(_, _, kind, max)| (kind, if max == 0 { kind.max_length() } else { max }))
}

/// The FtM type of a property of a party schema (`None`: FtM's schema has
/// no such property, or it holds entity references).
pub fn party_property(schema: Schema, property: &str) -> Option<(Kind, usize)> {
    lookup(party_families(schema), property)
}

/// The FtM type of a property of a linked schema.
pub fn linked_property(schema: LinkedSchema, property: &str) -> Option<(Kind, usize)> {
    lookup(linked_families(schema), property)
}

/// Listing details a parser sets on the party, and the property of the
/// party's `Sanction` entity each goes to.
pub const SANCTION_PROPERTIES: &[(&str, &str)] = &[
    (prop::PROGRAM, prop::PROGRAM),
    (prop::PROGRAM_ID, prop::PROGRAM_ID),
    (prop::LISTING_DATE, prop::LISTING_DATE),
    (prop::START_DATE, prop::START_DATE),
    (prop::END_DATE, prop::END_DATE),
    (prop::DELISTING_DATE, prop::END_DATE),
    (prop::AUTHORITY, prop::AUTHORITY),
    (prop::REASON, prop::REASON),
    (prop::PROVISIONS, prop::PROVISIONS),
    (prop::UNSC_ID, prop::UNSC_ID),
    (prop::SOURCE_URL, prop::SOURCE_URL),
];

/// Properties FtM names differently on some schemata: (schemata, written
/// as, FtM's name).
pub const RENAMED: &[(&[Schema], &str, &str)] = &[(
    &[Schema::Vessel, Schema::Airplane],
    prop::ID_NUMBER,
    prop::REGISTRATION_NUMBER,
)];

/// The id of a party's `Sanction` entity.
pub fn sanction_id(party_id: &str) -> String {
    format!("{party_id}:sanction")
}

/// Shapes a parsed party to FtM's model (see the module documentation).
/// Running it again on its own output changes nothing.
pub fn conform(e: &mut Entity) {
    move_listing_details(e);
    split_wallets(e);
    for (schemata, from, to) in RENAMED {
        if schemata.contains(&e.schema)
            && let Some(values) = e.properties.remove(*from)
        {
            for v in values {
                e.add(to, &v);
            }
        }
    }
    check_party_values(e);
    let mut notes: Vec<String> = Vec::new();
    for l in &mut e.linked {
        check_linked_values(l, &mut notes);
    }
    for n in notes {
        e.add(prop::NOTES, &n);
    }
    topics::assign(e);
}

fn move_listing_details(e: &mut Entity) {
    let mut moved: Vec<(&str, String)> = Vec::new();
    for (from, to) in SANCTION_PROPERTIES {
        if let Some(values) = e.properties.remove(*from) {
            moved.extend(values.into_iter().map(|v| (*to, v)));
        }
    }
    if moved.is_empty() {
        return;
    }
    let id = sanction_id(&e.id);
    let at = match e.linked.iter().position(|l| l.id == id) {
        Some(i) => i,
        None => {
            e.linked.push(Linked::new(id, LinkedSchema::Sanction));
            e.linked.len() - 1
        }
    };
    for (p, v) in moved {
        e.linked[at].add(p, &v);
    }
}

/// A wallet value as parsers write it: `CUR:key` (currency code of two to
/// six letters or digits) or a bare key.
fn wallet_parts(value: &str) -> (Option<&str>, &str) {
    match value.split_once(':') {
        Some((cur, key))
            if (2..=6).contains(&cur.len())
                && cur.bytes().all(|b| b.is_ascii_alphanumeric())
                && !key.trim().is_empty() =>
        {
            (Some(cur), key.trim())
        }
        _ => (None, value.trim()),
    }
}

fn split_wallets(e: &mut Entity) {
    let Some(values) = e.properties.remove(prop::CRYPTO_WALLET) else {
        return;
    };
    for v in values {
        let (currency, key) = wallet_parts(&v);
        let known = e.linked(LinkedSchema::CryptoWallet).any(|w| {
            w.get(prop::PUBLIC_KEY).iter().any(|k| k == key)
                && currency.is_none_or(|c| w.get(prop::CURRENCY).iter().any(|x| x == c))
        });
        if known {
            continue;
        }
        let n = e.linked(LinkedSchema::CryptoWallet).count() + 1;
        let mut w = Linked::new(format!("{}:wallet:{n}", e.id), LinkedSchema::CryptoWallet);
        w.add(prop::PUBLIC_KEY, key);
        if let Some(c) = currency {
            w.add(prop::CURRENCY, &c.to_ascii_uppercase());
        }
        e.linked.push(w);
    }
}

fn check_party_values(e: &mut Entity) {
    let schema = e.schema;
    let mut notes: Vec<String> = Vec::new();
    for (p, values) in e.properties.iter_mut() {
        if p == prop::NOTES {
            continue;
        }
        match party_property(schema, p) {
            None => notes.extend(values.drain(..).map(|v| format!("{p}: {v}"))),
            Some((kind, max)) => values.retain(|v| {
                let ok = value_ok(kind, max, p, v);
                if !ok {
                    notes.push(format!("{p}: {v}"));
                }
                ok
            }),
        }
    }
    e.properties.retain(|_, values| !values.is_empty());
    for n in notes {
        e.add(prop::NOTES, &n);
    }
}

/// Moves the values a linked entity's schema refuses to `notes` (the
/// party's: neither `Sanction` nor FtM's intervals have notes), named with
/// the linked entity's schema.
fn check_linked_values(l: &mut Linked, notes: &mut Vec<String>) {
    let schema = l.schema;
    for (p, values) in l.properties.iter_mut() {
        match linked_property(schema, p) {
            None => notes.extend(
                values
                    .drain(..)
                    .map(|v| format!("{} {p}: {v}", schema.as_str())),
            ),
            Some((kind, max)) => values.retain(|v| {
                let ok = value_ok(kind, max, p, v);
                if !ok {
                    notes.push(format!("{} {p}: {v}", schema.as_str()));
                }
                ok
            }),
        }
    }
    l.properties.retain(|_, values| !values.is_empty());
}

/// Whether FtM accepts a value for a property of this type: within the
/// length limit and, for the checked types, of the right form.
pub fn value_ok(kind: Kind, max: usize, property: &str, v: &str) -> bool {
    if v.is_empty() || v.chars().count() > max {
        return false;
    }
    match kind {
        Date => is_date(v),
        Country => is_country(v),
        Email => is_email(v),
        Phone => is_phone(v),
        Url => is_url(v),
        Gender => ["male", "female", "other"].contains(&v.to_ascii_lowercase().as_str()),
        Topic => topics::is_topic(v),
        Identifier if property == prop::IMO_NUMBER => is_imo(v),
        _ => true,
    }
}

/// A full `YYYY-MM-DD` date, a real calendar date.
pub fn is_full_date(v: &str) -> bool {
    v.len() == 10 && is_date(v)
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a real calendar date), optionally
/// followed by a time (`T…`).
pub fn is_date(v: &str) -> bool {
    let (date, time) = match v.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    if time.is_some_and(|t| t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit())) {
        return false;
    }
    let parts: Vec<&str> = date.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && (1..=12).contains(&m.parse::<u8>().unwrap_or(0)),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && time::Date::from_calendar_date(
                    y.parse().unwrap_or(0),
                    time::Month::try_from(m.parse::<u8>().unwrap_or(0))
                        .unwrap_or(time::Month::January),
                    d.parse().unwrap_or(0),
                )
                .is_ok_and(|date| date.month() as u8 == m.parse::<u8>().unwrap_or(0))
        }
        _ => false,
    }
}

/// Territory codes FtM knows beyond ISO 3166-1 alpha-2 (regions, historic
/// states, organisations).
const FTM_TERRITORIES: &[&str] = &[
    "ac", "az-nk", "cn-xz", "cp", "cq", "cshh", "csxx", "cy-trnc", "dg", "eu", "gb-nir", "gb-sct",
    "gb-wls", "ge-ab", "ic", "ip", "iq-kr", "md-pmr", "pk-km", "so-som", "suhh", "ta", "ua-cri",
    "ua-dpr", "ua-lpr", "un", "x-so", "yucs", "zr", "zz",
];

fn is_country(v: &str) -> bool {
    (crate::countries::is_code(v) && !NOT_FTM_COUNTRIES.contains(&v))
        || FTM_TERRITORIES.contains(&v)
}

/// Withdrawn ISO codes screener reads but FtM 4.11's country type refuses
/// (`an` Netherlands Antilles, `su` Soviet Union; the library's own check
/// found them): kept as notes.
const NOT_FTM_COUNTRIES: &[&str] = &["an", "su"];

/// FtM's e-mail rule: a local part without spaces, brackets, quotes or
/// separators, and a domain with a top-level part of two or more letters.
fn is_email(v: &str) -> bool {
    let v = v.trim().trim_start_matches("mailto:");
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.chars().count())
        && !local
            .chars()
            .any(|c| c.is_whitespace() || "<>()[],;:?@\"".contains(c));
    let domain = domain.trim_end_matches('.');
    local_ok && host_ok(domain, true)
}

/// A host name: labels of letters, digits and `-` (each with a letter or
/// digit), and, when `need_dot`, a top-level label of two or more
/// characters that is not all digits.
fn host_ok(host: &str, need_dot: bool) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    if need_dot && labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.chars().count())
            && l.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            && l.chars().any(char::is_alphanumeric)
    };
    labels.iter().all(|l| label_ok(l))
        && (labels.len() < 2
            || labels
                .last()
                .is_some_and(|t| t.chars().count() >= 2 && !t.bytes().all(|b| b.is_ascii_digit())))
}

/// A phone number in international form: `+`, then 7 to 15 digits, with
/// spaces, dots, dashes, slashes or brackets between them, that is a valid
/// number of its country's numbering plan (libphonenumber's metadata, as
/// FtM checks it). FtM reads no other form without knowing the country the
/// number is dialled in.
fn is_phone(v: &str) -> bool {
    let Some(rest) = v.trim().strip_prefix('+') else {
        return false;
    };
    let mut digits = 0;
    for c in rest.chars() {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '.' | '-' | '/' | '(' | ')' => {}
            _ => return false,
        }
    }
    (7..=15).contains(&digits) && phonenumber::parse(None, v.trim()).is_ok_and(|n| n.is_valid())
}

/// A web address with a plausible host: `http://`, `https://` or no scheme
/// (then the host must contain a dot).
fn is_url(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let rest = if let Some(r) = ["http://", "https://", "ftp://"]
        .iter()
        .find_map(|s| lower.starts_with(s).then(|| &v[s.len()..]))
    {
        r
    } else if lower.contains("://") || lower.starts_with("http:") || lower.starts_with("https:") {
        return false;
    } else {
        if !v.contains('.') {
            return false;
        }
        v.trim_start_matches("//")
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    !host.is_empty() && host.parse::<std::net::IpAddr>().is_ok()
        || host_ok(host.trim_end_matches('.'), false)
}

/// An IMO number (with or without the `IMO` prefix): a run of five to seven
/// digits, zero-padded to seven, whose last digit checks as a ship's or a
/// company's IMO number.
pub fn is_imo(v: &str) -> bool {
    let rest = match v.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("imo") => {
            v[3..].trim_start_matches([' ', ':', '.', '#', '-'])
        }
        _ => v,
    };
    if !(5..=7).contains(&rest.len()) || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let padded = format!("{rest:0>7}");
    let d: Vec<u32> = padded.bytes().map(|b| u32::from(b - b'0')).collect();
    if d.iter().all(|&x| x == 0) {
        return false;
    }
    let ship = d[..6]
        .iter()
        .enumerate()
        .map(|(i, x)| x * (7 - i as u32))
        .sum::<u32>()
        % 10
        == d[6];
    let weights = [8, 6, 4, 2, 9, 7];
    let sum: u32 = d[..6].iter().zip(weights).map(|(x, w)| x * w).sum();
    let company = (11 - sum % 11) % 10 == d[6];
    ship || company
}

/// An id as FtM accepts it in an entity reference: letters, digits, `.`
/// and `-`, starting and ending with a letter or digit. Screener's ids
/// (`us_ofac_sdn:7379`) have `_` and `:`, so they are written as a slug
/// with a hash of the whole id (`us-ofac-sdn-7379-1f0c2a9b`), which keeps
/// distinct ids distinct; ids already valid are kept.
pub fn export_id(id: &str) -> String {
    let valid = !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric());
    if valid {
        return id.to_string();
    }
    let mut slug = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.chars().take(160).collect();
    let slug = slug.trim_end_matches('-');
    let hash = crate::snapshot::sha256_hex(id.as_bytes());
    let short = hash.get(..8).unwrap_or(&hash);
    if slug.is_empty() {
        format!("x-{short}")
    } else {
        format!("{slug}-{short}")
    }
}

/// One entity of the flat FtM form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlatEntity {
    pub id: String,
    pub schema: &'static str,
    pub caption: String,
    pub datasets: Vec<String>,
    pub properties: Properties,
}

/// A party and its linked entities as separate FtM entities, ids through
/// [`export_id`]; each linked entity names the party in its `entity` /
/// `holder` property.
pub fn flat_entities(e: &Entity) -> Vec<FlatEntity> {
    let party_id = export_id(&e.id);
    let mut out = Vec::with_capacity(1 + e.linked.len());
    out.push(FlatEntity {
        id: party_id.clone(),
        schema: e.schema.as_str(),
        caption: e.caption.clone(),
        datasets: e.datasets.clone(),
        properties: e.properties.clone(),
    });
    for l in &e.linked {
        let mut properties = l.properties.clone();
        properties.insert(
            l.schema.party_property().to_string(),
            vec![party_id.clone()],
        );
        out.push(FlatEntity {
            id: export_id(&l.id),
            schema: l.schema.as_str(),
            caption: l.caption.clone(),
            datasets: e.datasets.clone(),
            properties,
        });
    }
    out
}
