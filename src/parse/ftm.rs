//! Parsers for OpenSanctions / FollowTheMoney exports (list `opensanctions`
//! or `custom:<name>`): `entities.ftm.json` (NDJSON, one FtM entity per line)
//! and `targets.simple.csv` (one sanctioned party per row).
//!
//! NDJSON: the entity keeps its FtM schema and every property as given
//! (names in any script included); the id is `<list id>:<FtM id>`. Lines
//! whose schema is not a party (Address, Sanction, Ownership, Identification
//! …) are not entities of their own; the facts they hold about a party are
//! folded into it when the file contains both: an `Address` referenced by a
//! party's `addressEntity` adds its `full` text to `address` and its
//! `country`, and the reference is dropped (screener keeps addresses as the
//! `address` text, not as Address entities; a reference to an Address the
//! file lacks stays, and the FtM step makes it a note); a `Sanction` adds `program`, `listingDate`/`startDate` and its
//! `reason` (notes) to its `entity`; a `Passport` / `Identification` adds its
//! `number` to its `holder`'s `passportNumber` / `idNumber`; a `CryptoWallet`
//! adds `CUR:publicKey` to its `holder`'s `cryptoWallet`. Other non-party
//! lines (relationships, documents) are skipped.
//!
//! simple CSV: `name` → `name`, `aliases` → `alias`, `birth_date` →
//! `birthDate` (`incorporationDate` for non-persons), `countries` →
//! `country`, `addresses` → `address`, `identifiers` → `idNumber` (or
//! `imoNumber` for `IMO1234567`), `sanctions` → `notes`, `program_ids` →
//! `program`, `phones`/`emails`, `last_change` → `modifiedAt`; list columns
//! are `;`-separated. The `dataset`, `first_seen` and `last_seen` columns
//! describe the export, not the party, and are not kept on entities.
//!
//! `published` is the latest `last_seen` in the file (the export's run).

use super::csv_util::{Table, imo_digits, lower_column, record_line, split_list};
use super::dates;
use super::{Location, ParseError, ParsedList, SourceFile, decode_text};
use crate::countries;

/// FtM's reference from a party to its `Address` entities.
const ADDRESS_ENTITY: &str = "addressEntity";
use crate::model::{Entity, Schema, prop};
use csv::StringRecord;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One line of an FtM NDJSON export (only the parts the parser reads).
#[derive(Deserialize)]
struct FtmLine {
    id: Option<String>,
    schema: Option<String>,
    caption: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, Value>,
    last_seen: Option<String>,
}

/// The string values of one FtM property. FtM values are strings; numbers
/// and booleans are kept as text, a nested entity by its id.
fn values(v: &Value) -> Vec<String> {
    fn one(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Bool(b) => out.push(b.to_string()),
            Value::Object(o) => {
                if let Some(Value::String(id)) = o.get("id") {
                    out.push(id.clone());
                }
            }
            Value::Array(items) => items.iter().for_each(|i| one(i, out)),
            Value::Null => {}
        }
    }
    let mut out = Vec::new();
    one(v, &mut out);
    out
}

/// A fact from a non-party line, to be added to the party it refers to.
struct Fold {
    /// FtM id of the party (or, for addresses, of the address).
    target: String,
    property: &'static str,
    value: String,
}

/// Parses FtM NDJSON files; errors name the line.
pub fn parse_json(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    // FtM id → index in out.entities.
    let mut index: HashMap<String, usize> = HashMap::new();
    // Address id → (full text, countries).
    let mut addresses: HashMap<String, (Vec<String>, Vec<String>)> = HashMap::new();
    let mut folds: Vec<Fold> = Vec::new();
    for file in files {
        parse_json_file(
            list_id,
            file,
            &mut out,
            &mut index,
            &mut addresses,
            &mut folds,
        )?;
    }
    // Parties' addressEntity references, resolved against the Address lines:
    // a resolved reference becomes the party's `address` text (and country),
    // as screener keeps addresses; one whose Address is not in the file is
    // kept as written (and ends up a note: it names nothing screener has).
    for e in &mut out.entities {
        let refs = e.properties.remove(ADDRESS_ENTITY).unwrap_or_default();
        for r in refs {
            match addresses.get(&r) {
                Some((full, country)) => {
                    e.add_all(prop::ADDRESS, full.iter().map(String::as_str));
                    e.add_all(prop::COUNTRY, country.iter().map(String::as_str));
                }
                None => e.add(ADDRESS_ENTITY, &r),
            }
        }
    }
    for f in folds {
        if let Some(e) = index.get(&f.target).and_then(|&i| out.entities.get_mut(i)) {
            e.add(f.property, &f.value);
        }
    }
    Ok(out)
}

fn parse_json_file(
    list_id: &str,
    file: &SourceFile,
    out: &mut ParsedList,
    index: &mut HashMap<String, usize>,
    addresses: &mut HashMap<String, (Vec<String>, Vec<String>)>,
    folds: &mut Vec<Fold>,
) -> Result<(), ParseError> {
    let fname = file.name.as_str();
    let data = file
        .data
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(&file.data);
    for (n, raw) in data.split(|&b| b == b'\n').enumerate() {
        let line_no = n as u64 + 1;
        let err = |msg: String| ParseError::at(fname, Location::Line(line_no), msg);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line: FtmLine =
            serde_json::from_slice(raw).map_err(|e| err(format!("not an FtM entity: {e}")))?;
        let id = line
            .id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| err("entity has no id".into()))?;
        let schema_name = line
            .schema
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| err(format!("entity {id} has no schema")))?;
        if let Some(seen) = line.last_seen.as_deref()
            && out.published.as_deref().is_none_or(|p| p < seen)
        {
            out.published = Some(seen.to_string());
        }
        let props = &line.properties;
        let get = |p: &str| props.get(p).map(values).unwrap_or_default();
        let Some(schema) = Schema::from_name(schema_name) else {
            collect_non_party(schema_name, id, &get, addresses, folds);
            continue;
        };
        if index.contains_key(id) {
            return Err(err(format!("entity id {id} appears twice")));
        }
        let mut e = Entity::new(list_id, id, schema);
        // Names first, so the caption falls back to the first name.
        for v in get(prop::NAME) {
            e.add(prop::NAME, &v);
        }
        for (p, v) in props {
            if p == prop::NAME {
                continue;
            }
            for value in values(v) {
                e.add(p, &value);
            }
        }
        if let Some(c) = line
            .caption
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if e.get(prop::NAME).is_empty() {
                e.add(prop::NAME, c);
            }
            e.caption = crate::model::collapse_whitespace(c);
        }
        if e.name_count() == 0 {
            return Err(err(format!("entity {id} has no name")));
        }
        index.insert(id.to_string(), out.entities.len());
        out.entities.push(e);
    }
    Ok(())
}

/// Keeps what a non-party line says about a party (see the module doc).
fn collect_non_party(
    schema: &str,
    id: &str,
    get: &dyn Fn(&str) -> Vec<String>,
    addresses: &mut HashMap<String, (Vec<String>, Vec<String>)>,
    folds: &mut Vec<Fold>,
) {
    let mut fold = |targets: &[String], property: &'static str, values: Vec<String>| {
        for t in targets {
            for v in &values {
                folds.push(Fold {
                    target: t.clone(),
                    property,
                    value: v.clone(),
                });
            }
        }
    };
    match schema {
        "Address" => {
            let mut full = get("full");
            if full.is_empty() {
                full = get("summary");
            }
            addresses.insert(id.to_string(), (full, get("country")));
        }
        "Sanction" => {
            let parties = get("entity");
            fold(&parties, prop::PROGRAM, get("program"));
            fold(&parties, prop::PROGRAM, get("programId"));
            fold(&parties, prop::NOTES, get("reason"));
            let mut listed = get("listingDate");
            if listed.is_empty() {
                listed = get("startDate");
            }
            fold(&parties, prop::LISTING_DATE, listed);
            fold(&parties, prop::SOURCE_URL, get("sourceUrl"));
        }
        "Passport" => fold(&get("holder"), prop::PASSPORT_NUMBER, get("number")),
        "Identification" => fold(&get("holder"), prop::ID_NUMBER, get("number")),
        "CryptoWallet" => {
            let currency = get("currency").into_iter().next().unwrap_or_default();
            let wallets = get("publicKey")
                .into_iter()
                .map(|k| format!("{}:{k}", currency.to_uppercase()))
                .collect();
            fold(&get("holder"), prop::CRYPTO_WALLET, wallets);
        }
        _ => {}
    }
}

const SIMPLE_COLUMNS: &[&str] = &[
    "id",
    "schema",
    "name",
    "aliases",
    "birth_date",
    "countries",
    "addresses",
    "identifiers",
    "sanctions",
    "phones",
    "emails",
    "program_ids",
    "dataset",
    "first_seen",
    "last_seen",
    "last_change",
];

/// Parses OpenSanctions `targets.simple.csv` files; errors name the line.
pub fn parse_simple_csv(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for file in files {
        parse_simple_file(list_id, file, &mut out, &mut seen)?;
    }
    Ok(out)
}

fn parse_simple_file(
    list_id: &str,
    file: &SourceFile,
    out: &mut ParsedList,
    seen: &mut HashMap<String, u64>,
) -> Result<(), ParseError> {
    let text = decode_text(file);
    let mut table = Table::open(
        &file.name,
        &text,
        &csv::ReaderBuilder::new(),
        SIMPLE_COLUMNS,
        &["id", "schema", "name"],
        lower_column,
    )?;
    let cols = &table.cols;
    let mut r = StringRecord::new();
    while table.rows.next(&mut r)? {
        let line = record_line(&r);
        let err = |msg: String| table.rows.error(&r, msg);
        let get = |c: &str| cols.get(&r, c);
        let id = get("id");
        if id.is_empty() {
            return Err(err("the id is empty".into()));
        }
        if let Some(first) = seen.insert(id.to_string(), line) {
            return Err(err(format!("duplicate id {id} (first on line {first})")));
        }
        let schema_name = get("schema");
        let schema = Schema::from_name(schema_name)
            .ok_or_else(|| err(format!("schema '{schema_name}' is not a party schema")))?;
        let name = get("name");
        let aliases: Vec<&str> = split_list(get("aliases"), ';').collect();
        if name.is_empty() && aliases.is_empty() {
            return Err(err(format!("entity {id} has no name")));
        }
        let mut e = Entity::new(list_id, id, schema);
        e.add(prop::NAME, name);
        e.add_all(prop::ALIAS, aliases);
        let date_prop = if schema == Schema::Person {
            prop::BIRTH_DATE
        } else {
            prop::INCORPORATION_DATE
        };
        for d in split_list(get("birth_date"), ';') {
            let parsed = if schema == Schema::Person {
                dates::parse_birth_date(d)
            } else {
                dates::parse_date(d)
            };
            match parsed {
                Some(iso) => e.add(date_prop, &iso),
                None => e.add(prop::NOTES, &format!("birth date: {d}")),
            }
        }
        for c in split_list(get("countries"), ';') {
            // The column holds ISO codes ("ru;ua"), where "na" is Namibia.
            match countries::iso_code(c).or_else(|| countries::country_code(c)) {
                Some(code) => e.add(prop::COUNTRY, code),
                None => e.add(prop::NOTES, &format!("country: {c}")),
            }
        }
        e.add_all(prop::ADDRESS, split_list(get("addresses"), ';'));
        for i in split_list(get("identifiers"), ';') {
            let imo = i
                .get(..3)
                .filter(|p| p.eq_ignore_ascii_case("imo"))
                .and_then(|_| imo_digits(i));
            match imo {
                Some(digits) => e.add(prop::IMO_NUMBER, digits),
                None => e.add(prop::ID_NUMBER, i),
            }
        }
        for s in sanction_texts(get("sanctions")) {
            e.add(prop::NOTES, &s);
        }
        e.add_all(prop::PHONE, split_list(get("phones"), ';'));
        e.add_all(prop::EMAIL, split_list(get("emails"), ';'));
        e.add_all(prop::PROGRAM, split_list(get("program_ids"), ';'));
        e.add(prop::MODIFIED_AT, get("last_change"));
        let last_seen = get("last_seen");
        if !last_seen.is_empty() && out.published.as_deref().is_none_or(|p| p < last_seen) {
            out.published = Some(last_seen.to_string());
        }
        out.entities.push(e);
    }
    Ok(())
}

/// The texts of the `sanctions` column: a `;`-separated list whose items are
/// themselves quoted (`"…"` with `""` for a quote), as OpenSanctions writes it.
fn sanction_texts(field: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(b';')
        .flexible(true)
        .from_reader(field.as_bytes());
    let mut out = Vec::new();
    let mut record = StringRecord::new();
    while let Ok(true) = reader.read_record(&mut record) {
        out.extend(
            record
                .iter()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanction_field_items() {
        assert!(sanction_texts("\"\"").is_empty());
        assert_eq!(
            sanction_texts("\"Says \"\"hi\"\"; twice\";\"Second\""),
            ["Says \"hi\"; twice", "Second"]
        );
        assert_eq!(sanction_texts("Plain text."), ["Plain text."]);
    }
}
