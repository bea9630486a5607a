//! Parser for a user's own list (`custom_csv`, list id `custom:<name>`): a
//! CSV file with the columns below, one party per row.
//!
//! # File layout
//!
//! UTF-8 (a byte-order mark is fine; Windows-1252 is accepted too), one header
//! row, then one row per party. Fields are separated by commas; a file whose
//! header line has no comma may use semicolons instead (as Excel writes in many
//! European locales). Quote a field with `"` when it contains the separator.
//! Column names are case-insensitive and spaces or hyphens count as `_`
//! (`Passport Number` = `passport_number`); the order does not matter.
//! Start the header with `id,name` (not `id,schema,name`, which is how an
//! OpenSanctions `targets.simple.csv` begins).
//!
//! In the columns marked "list", several values are separated by `;` (in a
//! semicolon-separated file, quote such a field: `"Roe, Jane;J. Roe"`).
//!
//! | column | required | list | becomes | what to put in it |
//! |---|---|---|---|---|
//! | `id` | yes | | entity id `custom:<name>:<id>` | your own stable, unique reference for the party |
//! | `name` | yes | | `name` | the primary name, as written in your source |
//! | `schema` | | | schema | `Person`, `Organization`, `Company`, `Vessel`, `Aircraft` or `LegalEntity` (default `LegalEntity`) |
//! | `aliases` | | list | `alias` | other names, also in other scripts |
//! | `weak_aliases` | | list | `weakAlias` | low-quality aliases (nicknames, short forms) |
//! | `previous_names` | | list | `previousName` | former names |
//! | `first_name` | | | `firstName` | given names of a person |
//! | `last_name` | | | `lastName` | family name of a person |
//! | `gender` | | | `gender` | `male` or `female` (`m`/`f`) |
//! | `birth_date` | | list | `birthDate` | `1965-04-14`, `1965-04` or `1965`; also `14 Apr 1965`, `circa 1958`, `1960 to 1962`; numeric dates are read day first (`14/04/1965`); Gregorian, from 1850 |
//! | `birth_place` | | list | `birthPlace` | place of birth as text |
//! | `nationality` | | list | `nationality` | country names or ISO codes (`Iran`, `IR`, `IRN`; `NA` is read as "not available": write `NAM` or `Namibia`) |
//! | `citizenship` | | list | `citizenship` | country names or ISO codes |
//! | `country` | | list | `country` | countries of residence, registration or operation |
//! | `passport_number` | | list | `passportNumber` | passport numbers |
//! | `id_number` | | list | `idNumber` | national ID and other identity document numbers |
//! | `tax_number` | | list | `taxNumber` | tax / VAT numbers |
//! | `registration_number` | | list | `registrationNumber` | company register numbers |
//! | `imo_number` | | list | `imoNumber` | IMO ship numbers, 7 digits (`IMO 9187629` is fine) |
//! | `mmsi` | | list | `mmsi` | vessel MMSI |
//! | `swift_bic` | | list | `swiftBic` | SWIFT/BIC codes |
//! | `address` | | list | `address` | full addresses |
//! | `position` | | list | `position` | positions / roles held |
//! | `program` | | list | `program` | the programme, reason or internal list the party is on |
//! | `listing_date` | | | `listingDate` | the date the party was added |
//! | `notes` | | | `notes` | free text for the analyst |
//! | `source_url` | | list | `sourceUrl` | links to the source of the listing |
//!
//! Any other column is kept, as a `notes` line `<column>: <value>`, so that
//! nothing in the file is silently dropped.
//!
//! # Errors
//!
//! The whole file is rejected (with the file name and line) when a required
//! column is missing, a column appears twice, an `id` is empty or repeated,
//! a `name` is empty, a `schema`, `gender`, date, country or IMO number is not
//! understood, or a row has more fields than the header.

use super::csv_util::{Table, first_line, imo_digits, record_line, split_list};
use super::dates;
use super::{ParseError, ParsedList, SourceFile, decode_text};
use crate::countries;
use crate::model::{Entity, Schema, prop};
use csv::StringRecord;
use std::collections::HashMap;

// ---------------------------------------------------------------------------
// The custom list format.
// ---------------------------------------------------------------------------

const ID: &str = "id";
const NAME: &str = "name";
const SCHEMA: &str = "schema";
const ALIASES: &str = "aliases";
const WEAK_ALIASES: &str = "weak_aliases";
const PREVIOUS_NAMES: &str = "previous_names";
const FIRST_NAME: &str = "first_name";
const LAST_NAME: &str = "last_name";
const GENDER: &str = "gender";
const BIRTH_DATE: &str = "birth_date";
const BIRTH_PLACE: &str = "birth_place";
const NATIONALITY: &str = "nationality";
const CITIZENSHIP: &str = "citizenship";
const COUNTRY: &str = "country";
const PASSPORT_NUMBER: &str = "passport_number";
const ID_NUMBER: &str = "id_number";
const TAX_NUMBER: &str = "tax_number";
const REGISTRATION_NUMBER: &str = "registration_number";
const IMO_NUMBER: &str = "imo_number";
const MMSI: &str = "mmsi";
const SWIFT_BIC: &str = "swift_bic";
const ADDRESS: &str = "address";
const POSITION: &str = "position";
const PROGRAM: &str = "program";
const LISTING_DATE: &str = "listing_date";
const NOTES: &str = "notes";
const SOURCE_URL: &str = "source_url";

const COLUMNS: &[&str] = &[
    ID,
    NAME,
    SCHEMA,
    ALIASES,
    WEAK_ALIASES,
    PREVIOUS_NAMES,
    FIRST_NAME,
    LAST_NAME,
    GENDER,
    BIRTH_DATE,
    BIRTH_PLACE,
    NATIONALITY,
    CITIZENSHIP,
    COUNTRY,
    PASSPORT_NUMBER,
    ID_NUMBER,
    TAX_NUMBER,
    REGISTRATION_NUMBER,
    IMO_NUMBER,
    MMSI,
    SWIFT_BIC,
    ADDRESS,
    POSITION,
    PROGRAM,
    LISTING_DATE,
    NOTES,
    SOURCE_URL,
];

/// Columns whose value is copied as a `;`-separated list into a property.
const PLAIN_LISTS: &[(&str, &str)] = &[
    (ALIASES, prop::ALIAS),
    (WEAK_ALIASES, prop::WEAK_ALIAS),
    (PREVIOUS_NAMES, prop::PREVIOUS_NAME),
    (BIRTH_PLACE, prop::BIRTH_PLACE),
    (PASSPORT_NUMBER, prop::PASSPORT_NUMBER),
    (ID_NUMBER, prop::ID_NUMBER),
    (TAX_NUMBER, prop::TAX_NUMBER),
    (REGISTRATION_NUMBER, prop::REGISTRATION_NUMBER),
    (MMSI, prop::MMSI),
    (SWIFT_BIC, prop::SWIFT_BIC),
    (ADDRESS, prop::ADDRESS),
    (POSITION, prop::POSITION),
    (PROGRAM, prop::PROGRAM),
    (SOURCE_URL, prop::SOURCE_URL),
];

/// Columns of country lists.
const COUNTRY_LISTS: &[(&str, &str)] = &[
    (NATIONALITY, prop::NATIONALITY),
    (CITIZENSHIP, prop::CITIZENSHIP),
    (COUNTRY, prop::COUNTRY),
];

/// A header cell in the spelling of [`COLUMNS`].
fn normalise_column(cell: &str) -> String {
    cell.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// The separator of a file, judged from its header line.
fn delimiter(header_line: &str) -> u8 {
    if header_line.contains(',') {
        b','
    } else if header_line.contains(';') {
        b';'
    } else if header_line.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

/// True when the file has the header of a custom list CSV: `id` and `name`
/// columns, and not the header of another CSV format this crate reads.
pub fn looks_like(file: &SourceFile) -> bool {
    let line = first_line(file);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter(&line))
        .from_reader(line.as_bytes());
    let mut header = StringRecord::new();
    if !matches!(reader.read_record(&mut header), Ok(true)) {
        return false;
    }
    let names: Vec<String> = header.iter().map(normalise_column).collect();
    let has = |n: &str| names.iter().any(|c| c == n);
    let ftm_simple = has("schema") && (has("first_seen") || has("last_seen") || has("dataset"));
    let csl = has("_id") || has("entity_number");
    let dpl = has("street_address") && has("fr_citation");
    has(ID) && has(NAME) && !ftm_simple && !csl && !dpl
}

/// Parses custom list files; ids must be unique across all files of the set.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut seen: HashMap<String, (String, u64)> = HashMap::new();
    for file in files {
        parse_file(list_id, file, &mut out.entities, &mut seen)?;
    }
    Ok(out)
}

fn parse_file(
    list_id: &str,
    file: &SourceFile,
    entities: &mut Vec<Entity>,
    seen: &mut HashMap<String, (String, u64)>,
) -> Result<(), ParseError> {
    let fname = file.name.as_str();
    let text = decode_text(file);
    let header_line = text.lines().next().unwrap_or("");
    let mut table = Table::open(
        fname,
        &text,
        csv::ReaderBuilder::new()
            .delimiter(delimiter(header_line))
            .flexible(true),
        COLUMNS,
        &[ID, NAME],
        normalise_column,
    )?;
    let (header, cols) = (&table.header, &table.cols);
    let mut record = StringRecord::new();
    while table.rows.next(&mut record)? {
        let line = record_line(&record);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let err = |msg: String| table.rows.error(&record, msg);
        if record.len() > header.len()
            && record
                .iter()
                .skip(header.len())
                .any(|f| !f.trim().is_empty())
        {
            return Err(err(format!(
                "row has {} fields but the header has {}",
                record.len(),
                header.len()
            )));
        }
        let id = cols.get(&record, ID);
        if id.is_empty() {
            return Err(err("the id is empty".into()));
        }
        if let Some((first_file, first_line)) = seen.get(id) {
            return Err(err(format!(
                "duplicate id '{id}' (first used in {first_file} line {first_line})"
            )));
        }
        seen.insert(id.to_string(), (fname.to_string(), line));
        let name = cols.get(&record, NAME);
        if name.is_empty() {
            return Err(err(format!("the name of id '{id}' is empty")));
        }
        let schema = parse_schema(cols.get(&record, SCHEMA)).map_err(err)?;
        let mut e = Entity::new(list_id, id, schema);
        e.add(prop::NAME, name);
        for (column, property) in PLAIN_LISTS {
            e.add_all(property, split_list(cols.get(&record, column), ';'));
        }
        for (column, property) in COUNTRY_LISTS {
            for c in split_list(cols.get(&record, column), ';') {
                let code = countries::code_or_name(c).ok_or_else(|| {
                    let hint = if c.eq_ignore_ascii_case("na") {
                        " (for Namibia write NAM or Namibia)"
                    } else {
                        ""
                    };
                    err(format!("{column} '{c}' is not a known country{hint}"))
                })?;
                e.add(property, code);
            }
        }
        e.add(prop::FIRST_NAME, cols.get(&record, FIRST_NAME));
        e.add(prop::LAST_NAME, cols.get(&record, LAST_NAME));
        let gender = cols.get(&record, GENDER);
        if !gender.is_empty() {
            let g = match gender.to_lowercase().as_str() {
                "male" | "m" => "male",
                "female" | "f" => "female",
                _ => return Err(err(format!("gender '{gender}' is not male or female"))),
            };
            e.add(prop::GENDER, g);
        }
        for d in split_list(cols.get(&record, BIRTH_DATE), ';') {
            let parsed = dates::parse_birth_dates(d);
            if parsed.dates.is_empty() {
                let why = if dates::parse_dates(d).dates.is_empty() {
                    "is not a date".to_string()
                } else {
                    format!(
                        "is before {} (a date of another calendar?)",
                        dates::BIRTH_YEAR_FLOOR
                    )
                };
                return Err(err(format!("birth_date '{d}' {why}")));
            }
            e.add_all(prop::BIRTH_DATE, parsed.dates.iter().map(String::as_str));
            if parsed.approximate {
                e.add(prop::NOTES, &format!("birth date approximate: {d}"));
            }
        }
        let listed = cols.get(&record, LISTING_DATE);
        if !listed.is_empty() {
            let d = dates::parse_date(listed)
                .ok_or_else(|| err(format!("listing_date '{listed}' is not a date")))?;
            e.add(prop::LISTING_DATE, &d);
        }
        for imo in split_list(cols.get(&record, IMO_NUMBER), ';') {
            let digits = imo_digits(imo)
                .ok_or_else(|| err(format!("imo_number '{imo}' is not 7 digits")))?;
            e.add(prop::IMO_NUMBER, digits);
        }
        e.add(prop::NOTES, cols.get(&record, NOTES));
        for (i, column) in &cols.unknown {
            let value = record.get(*i).unwrap_or("").trim();
            if !value.is_empty() {
                e.add(prop::NOTES, &format!("{column}: {value}"));
            }
        }
        entities.push(e);
    }
    Ok(())
}

fn parse_schema(s: &str) -> Result<Schema, String> {
    let folded: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .collect::<String>()
        .to_lowercase();
    Ok(match folded.as_str() {
        "" | "legalentity" => Schema::LegalEntity,
        "person" | "individual" => Schema::Person,
        "organization" | "organisation" | "entity" => Schema::Organization,
        "company" => Schema::Company,
        "vessel" | "ship" => Schema::Vessel,
        "aircraft" | "airplane" => Schema::Airplane,
        _ => {
            return Err(format!(
                "schema '{s}' is not one of Person, Organization, Company, Vessel, Aircraft, LegalEntity"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn na_and_pre_1850_birth_years_are_rejected_with_a_reason() {
        let list = |row: &str| {
            let text = format!("id,name,nationality,birth_date\n{row}\n");
            parse("custom:t", &[SourceFile::new("l.csv", text.into_bytes())])
        };
        let err = list("1,A,NA,").unwrap_err();
        assert!(err.message.contains("NAM"), "{err}");
        let err = list("1,A,,24/06/1402").unwrap_err();
        assert!(err.message.contains("1850"), "{err}");
        let err = list("1,A,,someday").unwrap_err();
        assert!(err.message.contains("not a date"), "{err}");
        let ok = list("1,A,NAM;XK,1977/1978").unwrap();
        assert_eq!(ok.entities[0].get(prop::NATIONALITY), ["na", "xk"]);
        assert_eq!(ok.entities[0].get(prop::BIRTH_DATE), ["1977", "1978"]);
    }

    #[test]
    fn schema_names() {
        assert_eq!(parse_schema(""), Ok(Schema::LegalEntity));
        assert_eq!(parse_schema("legal entity"), Ok(Schema::LegalEntity));
        assert_eq!(parse_schema("ORGANISATION"), Ok(Schema::Organization));
        assert!(parse_schema("Frog").is_err());
    }

    #[test]
    fn looks_like_custom_but_not_others() {
        let f = |s: &str| SourceFile::new("x.csv", s.as_bytes().to_vec());
        assert!(looks_like(&f("\u{feff}ID;Name;Aliases\n1;A;B\n")));
        assert!(looks_like(&f("id,name,schema\n")));
        assert!(!looks_like(&f(
            "id,schema,name,aliases,dataset,first_seen\n"
        )));
        assert!(!looks_like(&f("_id,source,entity_number,type,name\n")));
        assert!(!looks_like(&f("name,country\n")));
    }
}
