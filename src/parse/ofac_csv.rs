//! Parser for OFAC's legacy CSV file sets (format `ofac_csv`): the SDN list
//! (`sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`) and the consolidated
//! non-SDN list (`cons_prim.csv`, `cons_alt.csv`, `cons_add.csv`,
//! `cons_comments.csv`).
//!
//! The files are header-less, Latin-1, use `-0-` for an empty field and may
//! end with a DOS end-of-file byte. Only rows of the primary file create
//! entities; alias, address and comment rows are attached to them by
//! `ent_num`. Most facts (birth dates, identifiers, weak aliases …) live in
//! the free-text Remarks column, whose `;`-separated items are decoded here
//! by [`apply_remark_item`], which the legacy XML parser shares.

use super::csv_util::split_list;
use super::dates::{parse_birth_dates, parse_dates};
use super::{Location, ParseError, ParsedList, SourceFile, decode_text, line_of_offset};
use crate::countries::country_code;
use crate::model::{Entity, Schema, prop};
use std::collections::HashMap;

/// What a file of the set holds, told from its name (or, failing that, its
/// column count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `sdn.csv` / `cons_prim.csv`: one row per listed party.
    Primary,
    /// `alt.csv` / `cons_alt.csv`: aliases.
    Alt,
    /// `add.csv` / `cons_add.csv`: addresses.
    Add,
    /// `sdn_comments.csv` / `cons_comments.csv`: continuation of the Remarks column.
    Comments,
}

impl Role {
    fn columns(self) -> usize {
        match self {
            Role::Primary => 12,
            Role::Alt => 5,
            Role::Add => 6,
            Role::Comments => 2,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Role::Primary => "primary (sdn.csv / cons_prim.csv)",
            Role::Alt => "alias (alt.csv / cons_alt.csv)",
            Role::Add => "address (add.csv / cons_add.csv)",
            Role::Comments => "comments (sdn_comments.csv / cons_comments.csv)",
        }
    }

    fn from_name(lower_name: &str) -> Option<Role> {
        let base = lower_name.rsplit(['/', '\\']).next().unwrap_or(lower_name);
        if base.contains("comment") {
            Some(Role::Comments)
        } else if base.contains("alt") {
            Some(Role::Alt)
        } else if base.contains("add") {
            Some(Role::Add)
        } else if base.contains("prim") || base.contains("sdn") {
            Some(Role::Primary)
        } else {
            None
        }
    }

    fn from_columns(n: usize) -> Option<Role> {
        [Role::Primary, Role::Alt, Role::Add, Role::Comments]
            .into_iter()
            .find(|r| r.columns() == n)
    }
}

/// The Remarks column is cut at this many characters; the rest (if any) is
/// in the comments file.
const REMARKS_LIMIT: usize = 1000;

/// One row of the primary file.
struct Primary {
    ent_num: String,
    fields: csv::StringRecord,
    remarks: String,
    continued: bool,
}

/// A field value with OFAC's `-0-` empty marker turned into "".
fn field(value: &str) -> &str {
    let v = value.trim();
    if v == "-0-" { "" } else { v }
}

/// Column `i` of a record untrimmed (`-0-` as ""), for text that is cut
/// and continued elsewhere, where a space at the cut matters.
fn raw_col(record: &csv::StringRecord, i: usize) -> &str {
    let v = record.get(i).unwrap_or("");
    if v.trim() == "-0-" { "" } else { v }
}

/// Column `i` of a record (trimmed, `-0-` as ""); "" when absent.
fn col(record: &csv::StringRecord, i: usize) -> &str {
    field(record.get(i).unwrap_or(""))
}

/// The 1-based line of a record starting at byte `offset` of `text`. The
/// csv reader places a record after a CRLF at the `\n` of the previous line,
/// so line breaks at the offset are skipped first.
fn line_at(text: &str, offset: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut start = (offset as usize).min(bytes.len());
    while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
        start += 1;
    }
    line_of_offset(bytes, start as u64)
}

/// One record of a file: its byte offset in the decoded text and its fields.
type Row = (u64, csv::StringRecord);

/// Reads the records of one file, checking the column count and the
/// `ent_num` of every line. Returns the rows and the decoded text (to turn a
/// row's offset into a line number).
fn read_rows(file: &SourceFile, role: Role) -> Result<(Vec<Row>, String), ParseError> {
    let text = decode_text(file).into_owned();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let offset = e.position().map(|p| p.byte()).unwrap_or(0);
            ParseError::at(
                &file.name,
                Location::Line(line_at(&text, offset)),
                format!("broken CSV: {e}"),
            )
        })?;
        if !more {
            break;
        }
        let offset = record.position().map(|p| p.byte()).unwrap_or(0);
        if record.len() <= 1 && record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != role.columns() {
            return Err(ParseError::at(
                &file.name,
                Location::Line(line_at(&text, offset)),
                format!(
                    "expected {} columns for a {} file, found {}",
                    role.columns(),
                    role.describe(),
                    record.len()
                ),
            ));
        }
        let ent_num = record.get(0).unwrap_or("").trim();
        if ent_num.is_empty() || !ent_num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::at(
                &file.name,
                Location::Line(line_at(&text, offset)),
                format!("ent_num {ent_num:?} is not a number"),
            ));
        }
        rows.push((offset, record.clone()));
    }
    Ok((rows, text))
}

/// Works out the role of every file of the set.
fn roles(files: &[SourceFile]) -> Result<Vec<(Role, &SourceFile)>, ParseError> {
    let mut out: Vec<(Role, &SourceFile)> = Vec::new();
    for f in files {
        let role = match Role::from_name(&f.lower_name()) {
            Some(r) => r,
            None => sniff_columns(f)
                .and_then(Role::from_columns)
                .ok_or_else(|| {
                    ParseError::new(
                        &f.name,
                        "cannot tell which OFAC CSV file this is (sdn/prim, alt, add or comments) \
                     from its name or column count",
                    )
                })?,
        };
        if let Some((_, other)) = out.iter().find(|(r, _)| *r == role) {
            return Err(ParseError::new(
                &f.name,
                format!(
                    "two {} files in one set ({} and {})",
                    role.describe(),
                    other.name,
                    f.name
                ),
            ));
        }
        out.push((role, f));
    }
    Ok(out)
}

/// Parses an OFAC legacy CSV file set into entities of list `list_id`.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let roles = roles(files)?;
    let primary_file = roles
        .iter()
        .find(|(r, _)| *r == Role::Primary)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            let name = files.first().map(|f| f.name.as_str()).unwrap_or("(none)");
            ParseError::new(
                name,
                "the set has no primary file (sdn.csv or cons_prim.csv)",
            )
        })?;

    let mut primaries: Vec<Primary> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let (rows, text) = read_rows(primary_file, Role::Primary)?;
    for (offset, fields) in rows {
        let ent_num = col(&fields, 0).to_string();
        if col(&fields, 1).is_empty() {
            return Err(ParseError::at(
                &primary_file.name,
                Location::Line(line_at(&text, offset)),
                format!("entry {ent_num} has no name"),
            ));
        }
        if index.insert(ent_num.clone(), primaries.len()).is_some() {
            return Err(ParseError::at(
                &primary_file.name,
                Location::Line(line_at(&text, offset)),
                format!("ent_num {ent_num} is listed twice"),
            ));
        }
        let remarks = raw_col(&fields, 11).to_string();
        primaries.push(Primary {
            ent_num,
            fields,
            remarks,
            continued: false,
        });
    }

    // The Remarks column is truncated; the comments file continues it.
    if let Some((_, f)) = roles.iter().find(|(r, _)| *r == Role::Comments) {
        for (_, fields) in read_rows(f, Role::Comments)?.0 {
            if let Some(p) = index
                .get(col(&fields, 0))
                .and_then(|&i| primaries.get_mut(i))
            {
                p.remarks.push_str(raw_col(&fields, 1));
                p.continued = true;
            }
        }
    }

    let mut entities: Vec<Entity> = primaries.iter().map(|p| build(list_id, p)).collect();

    if let Some((_, f)) = roles.iter().find(|(r, _)| *r == Role::Alt) {
        for (_, fields) in read_rows(f, Role::Alt)?.0 {
            if let Some(e) = index
                .get(col(&fields, 0))
                .and_then(|&i| entities.get_mut(i))
            {
                apply_alt(e, &fields);
            }
        }
    }
    if let Some((_, f)) = roles.iter().find(|(r, _)| *r == Role::Add) {
        for (_, fields) in read_rows(f, Role::Add)?.0 {
            if let Some(e) = index
                .get(col(&fields, 0))
                .and_then(|&i| entities.get_mut(i))
            {
                apply_address(e, &fields);
            }
        }
    }
    Ok(ParsedList {
        entities,
        published: None,
        ..ParsedList::default()
    })
}

/// Builds the entity of one primary row (columns: ent_num, SDN_Name,
/// SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag,
/// Vess_owner, Remarks).
fn build(list_id: &str, p: &Primary) -> Entity {
    let f = |i: usize| col(&p.fields, i);
    let sdn_type = f(2);
    let schema = match sdn_type.to_ascii_lowercase().as_str() {
        "individual" => Schema::Person,
        "vessel" => Schema::Vessel,
        "aircraft" => Schema::Airplane,
        "" | "entity" => Schema::Organization,
        _ => Schema::LegalEntity,
    };
    let mut e = Entity::new(list_id, &p.ent_num, schema);
    let name = f(1);
    e.add(prop::NAME, name);
    if schema == Schema::Person
        && let Some((last, first)) = name.split_once(',')
    {
        e.add(prop::LAST_NAME, last);
        e.add(prop::FIRST_NAME, first);
    }
    if schema == Schema::LegalEntity {
        e.add(prop::NOTES, &format!("SDN type: {sdn_type}"));
    }
    add_programs(&mut e, f(3));
    e.add(prop::POSITION, f(4));
    e.add(prop::CALL_SIGN, f(5));
    e.add(prop::TYPE, f(6));
    e.add(prop::TONNAGE, f(7));
    if !f(8).is_empty() {
        e.add(prop::NOTES, &format!("gross registered tonnage: {}", f(8)));
    }
    let flag = f(9);
    if !flag.is_empty() {
        match country_code(flag) {
            Some(code) => e.add(prop::FLAG, code),
            None => e.add(prop::NOTES, &format!("vessel flag: {flag}")),
        }
    }
    e.add(prop::OWNER, f(10));
    // A Remarks text cut at the column limit and not continued in a comments
    // file ends in an incomplete item, which is kept verbatim in the notes.
    let truncated = !p.continued && p.remarks.chars().count() >= REMARKS_LIMIT;
    apply_remarks(&mut e, &p.remarks, truncated);
    e
}

/// Splits OFAC's program field: "SDGT", "[SDGT] [IRGC]", or the CSV form
/// with the outer brackets missing, "SDGT] [NS-PLC".
fn add_programs(e: &mut Entity, programs: &str) {
    for p in programs.split(']') {
        e.add(prop::PROGRAM, p.trim().trim_start_matches('[').trim());
    }
}

/// An alias row: ent_num, alt_num, alt_type (aka / fka / nka), alt_name, alt_remarks.
fn apply_alt(e: &mut Entity, fields: &csv::StringRecord) {
    let kind = col(fields, 2).to_ascii_lowercase();
    let name = col(fields, 3);
    let remarks = col(fields, 4);
    let lower_remarks = remarks.to_ascii_lowercase();
    let property = if kind.contains("fka") || kind.contains("f.k.a") {
        prop::PREVIOUS_NAME
    } else if lower_remarks.contains("weak") || lower_remarks.contains("low quality") {
        prop::WEAK_ALIAS
    } else {
        prop::ALIAS
    };
    e.add(property, name);
    if !remarks.is_empty() {
        e.add(prop::NOTES, &format!("alias {name}: {remarks}"));
    }
}

/// An address row: ent_num, add_num, address, city/state/postal code, country, add_remarks.
fn apply_address(e: &mut Entity, fields: &csv::StringRecord) {
    let street = col(fields, 2);
    let city = col(fields, 3);
    let country = col(fields, 4);
    let remarks = col(fields, 5);
    add_address(e, &[street, city], country);
    e.add(prop::NOTES, remarks);
}

/// Adds an address: the full text to `address` and the country as an ISO
/// code. An address that is only a plain country name gives just the code.
pub(crate) fn add_address(e: &mut Entity, parts: &[&str], country: &str) {
    let code = country_code(country);
    if let Some(code) = code {
        e.add(prop::COUNTRY, code);
    }
    let mut full: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    // A bare country name says nothing the code does not; a qualified one
    // ("Region: Gaza") is kept as text too.
    let qualified = country
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("region:"));
    if full.is_empty() && code.is_some() && !qualified {
        return;
    }
    if !country.is_empty() {
        full.push(country);
    }
    e.add(prop::ADDRESS, &full.join(", "));
}

/// Decodes a Remarks text: `;`-separated items, each recognised by its
/// label. Items without a known label are kept in `notes`. When `truncated`,
/// the last item is incomplete and is only noted.
pub(crate) fn apply_remarks(e: &mut Entity, remarks: &str, truncated: bool) {
    let items: Vec<&str> = split_list(remarks, ';').collect();
    for (i, item) in items.iter().enumerate() {
        if truncated && i + 1 == items.len() {
            e.add(
                prop::NOTES,
                &format!("remarks cut off in the source file: {item}"),
            );
        } else if !apply_remark_item(e, item) {
            e.add(prop::NOTES, strip_terminal_dot(item));
        }
    }
}

/// Removes a sentence-ending dot, keeping the dot of an abbreviation such as
/// "S.A." or "C.V.".
fn strip_terminal_dot(s: &str) -> &str {
    let t = s.trim_end();
    let Some(rest) = t.strip_suffix('.') else {
        return t;
    };
    let b = rest.as_bytes();
    let abbreviation =
        b.len() >= 2 && b[b.len() - 2] == b'.' && b[b.len() - 1].is_ascii_alphabetic();
    if abbreviation { t } else { rest.trim_end() }
}

/// What a remark label (or an XML `idType`) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    BirthDate,
    BirthPlace,
    Nationality,
    Citizenship,
    RegistrationCountry,
    Gender,
    Passport,
    IdNumber,
    Tax,
    Registration,
    Imo,
    Mmsi,
    Swift,
    Crypto,
    Email,
    Website,
    Phone,
    Incorporated,
    Model,
    Serial,
    BuildDate,
    TailNumber,
    CallSign,
    Aka,
    Fka,
    Nka,
    /// Known label whose item is kept as a note (sanctions information,
    /// directives, operators, former flags …).
    Note,
}

/// The labels OFAC uses in Remarks and as XML `idType`, matched
/// case-insensitively; the longest matching label wins.
const LABELS: &[(&str, Kind)] = &[
    ("DOB", Kind::BirthDate),
    ("POB", Kind::BirthPlace),
    ("nationality", Kind::Nationality),
    ("citizen", Kind::Citizenship),
    ("citizenship", Kind::Citizenship),
    ("Nationality of Registration", Kind::RegistrationCountry),
    ("Gender", Kind::Gender),
    // Passports.
    ("Passport", Kind::Passport),
    ("Passport No.", Kind::Passport),
    ("Diplomatic Passport", Kind::Passport),
    ("British National Overseas Passport", Kind::Passport),
    ("Stateless Person Passport", Kind::Passport),
    ("Passport Booklet", Kind::Note),
    // Personal identity documents.
    ("National ID No.", Kind::IdNumber),
    ("Cedula No.", Kind::IdNumber),
    ("Identification Number", Kind::IdNumber),
    ("Personal ID Card", Kind::IdNumber),
    ("D.N.I.", Kind::IdNumber),
    ("C.U.I.", Kind::IdNumber),
    ("C.U.R.P.", Kind::IdNumber),
    ("C.U.R.P. #", Kind::IdNumber),
    ("C.U.I.P.", Kind::IdNumber),
    ("Birth Certificate Number", Kind::IdNumber),
    ("Driver's License No.", Kind::IdNumber),
    ("Residency Number", Kind::IdNumber),
    ("National Foreign ID Number", Kind::IdNumber),
    ("Cartilla de Servicio Militar Nacional", Kind::IdNumber),
    ("Electoral Registry No.", Kind::IdNumber),
    ("Credencial electoral", Kind::IdNumber),
    ("I.F.E.", Kind::IdNumber),
    ("Kenyan ID No.", Kind::IdNumber),
    ("Tazkira National ID Card", Kind::IdNumber),
    ("Turkish Identification Number", Kind::IdNumber),
    ("UAE Identification", Kind::IdNumber),
    ("Citizen's Card Number", Kind::IdNumber),
    ("Numero de Identidad", Kind::IdNumber),
    ("Immigration No.", Kind::IdNumber),
    ("Public Security and Immigration No.", Kind::IdNumber),
    ("VisaNumberID", Kind::IdNumber),
    ("SRE Permit No.", Kind::IdNumber),
    ("Travel Document Number", Kind::IdNumber),
    ("SSN", Kind::IdNumber),
    ("Refugee ID Card", Kind::IdNumber),
    ("Stateless Person ID Card", Kind::IdNumber),
    ("Bosnian Personal ID No.", Kind::IdNumber),
    ("Moroccan Personal ID No.", Kind::IdNumber),
    ("N.I.E.", Kind::IdNumber),
    ("CNP (Personal Numerical Code)", Kind::IdNumber),
    ("Seafarer's Identification Document", Kind::IdNumber),
    ("Military Registration Number", Kind::IdNumber),
    ("Pilot License Number", Kind::IdNumber),
    // Tax numbers.
    ("Tax ID No.", Kind::Tax),
    ("R.F.C.", Kind::Tax),
    ("R.F.C. #", Kind::Tax),
    ("RFC", Kind::Tax),
    ("NIT #", Kind::Tax),
    ("RUC #", Kind::Tax),
    ("RIF #", Kind::Tax),
    ("RTN", Kind::Tax),
    ("C.U.I.T.", Kind::Tax),
    ("C.I.F.", Kind::Tax),
    ("N.I.F.", Kind::Tax),
    ("V.A.T. Number", Kind::Tax),
    ("US FEIN", Kind::Tax),
    ("Numero Unico de Identificacao Tributaria (NUIT)", Kind::Tax),
    ("Romanian Tax Registration", Kind::Tax),
    ("Fiscal Code", Kind::Tax),
    ("Paraguayan tax identification number", Kind::Tax),
    // Company registers and licences.
    ("Registration Number", Kind::Registration),
    ("Registration ID", Kind::Registration),
    ("Company Number", Kind::Registration),
    ("UK Company Number", Kind::Registration),
    ("Company ID: No.", Kind::Registration),
    ("Business Registration Number", Kind::Registration),
    ("Business Registration Document #", Kind::Registration),
    ("Business Number", Kind::Registration),
    ("Commercial Registry Number", Kind::Registration),
    ("Folio Mercantil No.", Kind::Registration),
    ("Matricula Mercantil No", Kind::Registration),
    ("C.R. No.", Kind::Registration),
    ("Romanian C.R.", Kind::Registration),
    ("Chamber of Commerce Number", Kind::Registration),
    (
        "Dubai Chamber of Commerce Membership No.",
        Kind::Registration,
    ),
    ("Istanbul Chamber of Comm. No.", Kind::Registration),
    ("Trade License No.", Kind::Registration),
    ("Tourism License No.", Kind::Registration),
    ("Government Gazette Number", Kind::Registration),
    ("Unified Social Credit Code (USCC)", Kind::Registration),
    (
        "United Social Credit Code Certificate (USCCC)",
        Kind::Registration,
    ),
    ("Legal Entity Number", Kind::Registration),
    ("Public Registration Number", Kind::Registration),
    ("Central Registration System Number", Kind::Registration),
    ("Economic Register Number (CBLS)", Kind::Registration),
    ("Branch Unit Number", Kind::Registration),
    ("Enterprise Number", Kind::Registration),
    ("License", Kind::Registration),
    ("D-U-N-S Number", Kind::Registration),
    ("Registered Charity No.", Kind::Registration),
    ("Certificate of Incorporation Number", Kind::Registration),
    ("LE Number", Kind::Registration),
    ("Organization Code", Kind::Registration),
    (
        "Afghan Money Service Provider License Number",
        Kind::Registration,
    ),
    ("MSB Registration Number", Kind::Registration),
    ("Permit Number", Kind::Registration),
    ("File Number", Kind::Registration),
    ("BIK (RU)", Kind::Registration),
    ("C.I.N.", Kind::Registration),
    (
        "Registration Certificate Number (Dubai)",
        Kind::Registration,
    ),
    (
        "Russian State Individual Business Registration Number Pattern (OGRNIP)",
        Kind::Registration,
    ),
    // Vessels.
    ("Vessel Registration Identification", Kind::Imo),
    ("Identification Number IMO", Kind::Imo),
    ("Company Number IMO", Kind::Imo),
    ("International Maritime Organization No.", Kind::Imo),
    ("MMSI", Kind::Mmsi),
    ("Other Vessel Call Sign", Kind::CallSign),
    ("Vessel Year of Build", Kind::BuildDate),
    ("Former Vessel Flag", Kind::Note),
    ("Other Vessel Flag", Kind::Note),
    ("Other Vessel Type", Kind::Note),
    // Aircraft.
    ("Aircraft Model", Kind::Model),
    ("Aircraft Manufacturer's Serial Number (MSN)", Kind::Serial),
    ("Aircraft Serial Identification", Kind::Serial),
    ("Serial No.", Kind::Serial),
    ("Aircraft Manufacture Date", Kind::BuildDate),
    ("Aircraft Tail Number", Kind::TailNumber),
    (
        "Aircraft Construction Number (also called L/N or S/N or F/N)",
        Kind::Note,
    ),
    ("Aircraft Operator", Kind::Note),
    ("Aircraft Mode S Transponder Code", Kind::Note),
    ("Previous Aircraft Tail Number", Kind::Note),
    // Contact details and other identifiers.
    ("SWIFT/BIC", Kind::Swift),
    ("Digital Currency Address -", Kind::Crypto),
    ("Email Address", Kind::Email),
    ("Email", Kind::Email),
    ("Website", Kind::Website),
    ("Phone Number", Kind::Phone),
    ("Phone No.", Kind::Phone),
    ("Phone", Kind::Phone),
    ("Telephone", Kind::Phone),
    ("Telephone No.", Kind::Phone),
    ("Telephone Number", Kind::Phone),
    ("Fax", Kind::Note),
    ("Fax No.", Kind::Note),
    ("Organization Established Date", Kind::Incorporated),
    // Names inside remarks.
    ("a.k.a.", Kind::Aka),
    ("f.k.a.", Kind::Fka),
    ("n.k.a.", Kind::Nka),
    // Sanctions information that is kept as notes (the XML `idType`s).
    ("Linked To:", Kind::Note),
    ("Secondary sanctions risk:", Kind::Note),
    ("Additional Sanctions Information -", Kind::Note),
    (
        "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions:",
        Kind::Note,
    ),
    ("Executive Order", Kind::Note),
    ("Target Type", Kind::Note),
    ("Issuer Name", Kind::Note),
    ("Equity Ticker", Kind::Note),
    ("ISIN", Kind::Note),
    ("Listing Date", Kind::Note),
    ("Effective Date", Kind::Note),
    ("Purchase/Sales For Divestment Date (CMIC)", Kind::Note),
    ("Organization Type:", Kind::Note),
    ("CAATSA Section 235 Information:", Kind::Note),
    ("IFCA Determination -", Kind::Note),
    ("Chinese Commercial Code", Kind::Note),
    ("Interpol: Red Notice. File No.", Kind::Note),
];

/// Finds the label an item starts with (longest match, ASCII
/// case-insensitive, followed by a space, a colon or the end) and returns
/// its kind and the value after it.
fn match_label(item: &str) -> Option<(Kind, &str)> {
    let first = item.as_bytes().first()?.to_ascii_lowercase();
    let mut best: Option<(usize, Kind)> = None;
    for &(label, kind) in LABELS {
        if label.as_bytes().first().map(u8::to_ascii_lowercase) != Some(first) {
            continue;
        }
        let n = label.len();
        let Some(head) = item.get(..n) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(label) {
            continue;
        }
        let boundary = match item.as_bytes().get(n) {
            None => true,
            Some(b) => *b == b' ' || *b == b':' || label.ends_with([':', '-', '#', '.']),
        };
        if boundary && best.is_none_or(|(len, _)| n > len) {
            best = Some((n, kind));
        }
    }
    let (n, kind) = best?;
    let value = item.get(n..).unwrap_or("");
    Some((kind, value.trim_start_matches([' ', ':', '#']).trim()))
}

/// Splits an identifier value into the number and its qualifier:
/// "A10472263 (Malaysia) issued 01 Jan 2000" → ("A10472263", true).
fn split_identifier(value: &str) -> (&str, bool) {
    let value = strip_terminal_dot(value);
    let mut end = value.len();
    for marker in [" (", " issued", " expires", ", issued", ", expires"] {
        if let Some(i) = value.find(marker) {
            end = end.min(i);
        }
    }
    let number = value[..end].trim().trim_end_matches(',').trim();
    (number, end < value.len())
}

/// Applies one remark item ("DOB 10 Dec 1948", "alt. Passport A123 (Iran)",
/// "a.k.a. 'BNC'") to the entity. Returns false when the item has no known
/// label (or its value is unusable) so the caller can keep it as a note.
pub(crate) fn apply_remark_item(e: &mut Entity, item: &str) -> bool {
    let item = item.trim();
    let bare = match item.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("alt. ") => item[5..].trim_start(),
        _ => item,
    };
    let Some((kind, value)) = match_label(bare) else {
        return false;
    };
    let noted = strip_terminal_dot(item);
    match kind {
        Kind::Note => e.add(prop::NOTES, noted),
        Kind::BirthDate => {
            let value = strip_terminal_dot(value);
            let parsed = parse_birth_dates(value);
            if parsed.dates.is_empty() {
                return false;
            }
            for d in &parsed.dates {
                e.add(prop::BIRTH_DATE, d);
            }
            if parsed.approximate {
                e.add(
                    prop::NOTES,
                    &format!("birth date approximate: {}", value.trim()),
                );
            }
            if parsed.range {
                e.add(prop::NOTES, &format!("birth date range: {}", value.trim()));
            }
        }
        Kind::BirthPlace => e.add(prop::BIRTH_PLACE, strip_terminal_dot(value)),
        Kind::Nationality | Kind::Citizenship | Kind::RegistrationCountry => {
            let property = match kind {
                Kind::Nationality => prop::NATIONALITY,
                Kind::Citizenship => prop::CITIZENSHIP,
                _ => prop::COUNTRY,
            };
            match country_code(value) {
                Some(code) => e.add(property, code),
                None => return false,
            }
        }
        Kind::Gender => match strip_terminal_dot(value).to_ascii_lowercase().as_str() {
            "male" => e.add(prop::GENDER, "male"),
            "female" => e.add(prop::GENDER, "female"),
            _ => return false,
        },
        Kind::Passport | Kind::IdNumber | Kind::Tax | Kind::Registration | Kind::TailNumber => {
            let (number, qualified) = split_identifier(value);
            if !number.bytes().any(|b| b.is_ascii_digit()) {
                return false;
            }
            let property = match kind {
                Kind::Passport => prop::PASSPORT_NUMBER,
                Kind::Tax => prop::TAX_NUMBER,
                Kind::Registration | Kind::TailNumber => prop::REGISTRATION_NUMBER,
                _ => prop::ID_NUMBER,
            };
            e.add(property, number);
            // The label says what kind of number it is; the qualifier says
            // who issued it and when. Both are kept where they add anything.
            if qualified || !matches!(kind, Kind::Passport | Kind::TailNumber) {
                e.add(prop::NOTES, noted);
            }
        }
        Kind::Imo => {
            let (number, qualified) = split_identifier(value);
            let rest = number
                .strip_prefix("IMO")
                .or_else(|| number.strip_prefix("imo"));
            let digits: String = rest
                .unwrap_or(number)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let looks_imo = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            if looks_imo && (rest.is_some() || digits.len() == 7) {
                e.add(prop::IMO_NUMBER, &digits);
                if qualified {
                    e.add(prop::NOTES, noted);
                }
            } else if number.bytes().any(|b| b.is_ascii_digit()) {
                // Not an IMO number, e.g. a national register entry
                // ("RS 150443 (Russia)").
                e.add(prop::REGISTRATION_NUMBER, number);
                e.add(prop::NOTES, noted);
            } else {
                return false;
            }
        }
        Kind::Mmsi => e.add(prop::MMSI, strip_terminal_dot(value)),
        Kind::Swift => e.add(prop::SWIFT_BIC, strip_terminal_dot(value)),
        Kind::Crypto => {
            let value = strip_terminal_dot(value);
            match value.split_once(' ') {
                Some((currency, address))
                    if !currency.is_empty() && !address.trim().contains(' ') =>
                {
                    e.add(
                        prop::CRYPTO_WALLET,
                        &format!("{}:{}", currency.trim(), address.trim()),
                    );
                }
                _ => return false,
            }
        }
        Kind::Email => e.add(prop::EMAIL, strip_terminal_dot(value)),
        Kind::Website => e.add(prop::WEBSITE, strip_terminal_dot(value)),
        Kind::Phone => e.add(prop::PHONE, strip_terminal_dot(value)),
        Kind::CallSign => e.add(prop::CALL_SIGN, strip_terminal_dot(value)),
        Kind::Model => e.add(prop::MODEL, strip_terminal_dot(value)),
        Kind::Serial => e.add(prop::SERIAL_NUMBER, strip_terminal_dot(value)),
        Kind::Incorporated | Kind::BuildDate => {
            let value = strip_terminal_dot(value);
            let parsed = parse_dates(value);
            if parsed.dates.is_empty() {
                return false;
            }
            let property = if kind == Kind::Incorporated {
                prop::INCORPORATION_DATE
            } else {
                prop::BUILD_DATE
            };
            for d in &parsed.dates {
                e.add(property, d);
            }
            if parsed.approximate || parsed.range {
                e.add(prop::NOTES, noted);
            }
        }
        Kind::Aka | Kind::Fka | Kind::Nka => {
            // The name is quoted: a.k.a. 'AL-QA'IDA'. A name whose closing
            // quote is missing was cut off and is not used as a name.
            let v = value.trim_end_matches('.').trim();
            let Some(inner) = v
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .filter(|s| !s.trim().is_empty())
            else {
                return false;
            };
            let property = match kind {
                // OFAC lists its strong a.k.a.s in alt.csv; the a.k.a.s in
                // Remarks are the weak (low quality) ones.
                Kind::Aka => prop::WEAK_ALIAS,
                Kind::Fka => prop::PREVIOUS_NAME,
                _ => prop::ALIAS,
            };
            e.add(property, inner);
        }
    }
    true
}

/// The number of columns of the first record of a file, if it parses.
fn sniff_columns(file: &SourceFile) -> Option<usize> {
    first_records(file, 1).first().map(Vec::len)
}

/// Up to `n` complete records from the head of a file (at most 16 KiB read).
fn first_records(file: &SourceFile, n: usize) -> Vec<Vec<String>> {
    let head = &file.data[..file.data.len().min(16 * 1024)];
    // Only complete lines: a record cut by the head limit is not judged.
    let head = if head.len() < file.data.len() {
        match memchr::memrchr(b'\n', head) {
            Some(i) => &head[..=i],
            None => return Vec::new(),
        }
    } else {
        head
    };
    let text = decode_text(&SourceFile::new(file.name.clone(), head.to_vec())).into_owned();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .take(n)
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// True when the file looks like one of OFAC's header-less CSV files: every
/// one of its first records starts with an integer `ent_num` and has the
/// column count of one of the four file roles, and the `-0-` empty marker
/// appears (the two-column comments file is recognised by its name).
pub fn looks_like(file: &SourceFile) -> bool {
    let records = first_records(file, 5);
    let Some(first) = records.first() else {
        return false;
    };
    let columns = first.len();
    let Some(role) = Role::from_columns(columns) else {
        return false;
    };
    let consistent = records.iter().all(|r| {
        r.len() == columns
            && r.first()
                .map(|f| f.trim())
                .is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    });
    if !consistent {
        return false;
    }
    if role == Role::Comments {
        return Role::from_name(&file.lower_name()) == Some(Role::Comments);
    }
    records.iter().any(|r| r.iter().any(|f| f.trim() == "-0-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity_with(remarks: &str) -> Entity {
        let mut e = Entity::new("t", "1", Schema::Person);
        apply_remarks(&mut e, remarks, false);
        e
    }

    #[test]
    fn remark_items_map_to_properties() {
        let e = entity_with(
            "DOB 01 Jan 1960 to 31 Dec 1962; alt. DOB circa 1958; POB Tehran, Iran; \
             nationality Iran; citizen Korea, North; Gender Male; \
             Passport A10472263 (Malaysia) issued 01 Jan 2000; alt. Passport 123456; \
             National ID No. 216040 (Yemen); Tax ID No. 7707083893 (Russia); \
             Vessel Registration Identification IMO 7406784; MMSI 572469210; \
             SWIFT/BIC HAVIGB2L; Digital Currency Address - XBT 1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo; \
             Email Address x@y.com; Website www.vtb.com; Phone Number 982188526300; \
             a.k.a. 'BNC'; f.k.a. 'SAND SWAN'; n.k.a. 'NEW NAME'; Linked To: KPD S.A.",
        );
        assert_eq!(
            e.get(prop::BIRTH_DATE),
            ["1960-01-01", "1960", "1961", "1962", "1962-12-31", "1958"]
        );
        assert_eq!(e.get(prop::BIRTH_PLACE), ["Tehran, Iran"]);
        assert_eq!(e.get(prop::NATIONALITY), ["ir"]);
        assert_eq!(e.get(prop::CITIZENSHIP), ["kp"]);
        assert_eq!(e.get(prop::GENDER), ["male"]);
        assert_eq!(e.get(prop::PASSPORT_NUMBER), ["A10472263", "123456"]);
        assert_eq!(e.get(prop::ID_NUMBER), ["216040"]);
        assert_eq!(e.get(prop::TAX_NUMBER), ["7707083893"]);
        assert_eq!(e.get(prop::IMO_NUMBER), ["7406784"]);
        assert_eq!(e.get(prop::MMSI), ["572469210"]);
        assert_eq!(e.get(prop::SWIFT_BIC), ["HAVIGB2L"]);
        assert_eq!(
            e.get(prop::CRYPTO_WALLET),
            ["XBT:1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo"]
        );
        assert_eq!(e.get(prop::EMAIL), ["x@y.com"]);
        assert_eq!(e.get(prop::WEBSITE), ["www.vtb.com"]);
        assert_eq!(e.get(prop::PHONE), ["982188526300"]);
        assert_eq!(e.get(prop::WEAK_ALIAS), ["BNC"]);
        assert_eq!(e.get(prop::PREVIOUS_NAME), ["SAND SWAN"]);
        assert_eq!(e.get(prop::ALIAS), ["NEW NAME"]);
        let notes = e.get(prop::NOTES);
        assert!(notes.contains(&"birth date approximate: circa 1958".to_string()));
        assert!(notes.contains(&"Passport A10472263 (Malaysia) issued 01 Jan 2000".to_string()));
        assert!(notes.contains(&"Linked To: KPD S.A.".to_string()));
    }

    #[test]
    fn unknown_and_cut_items_become_notes() {
        let mut e = Entity::new("t", "1", Schema::Person);
        apply_remarks(
            &mut e,
            "Member of the State Duma; a.k.a. 'WHOIS HACKIN",
            true,
        );
        assert_eq!(
            e.get(prop::NOTES),
            [
                "Member of the State Duma",
                "remarks cut off in the source file: a.k.a. 'WHOIS HACKIN"
            ]
        );
        assert!(e.get(prop::WEAK_ALIAS).is_empty());
    }

    #[test]
    fn programs_with_and_without_outer_brackets() {
        let mut e = Entity::new("t", "1", Schema::Person);
        add_programs(&mut e, "SDGT] [NS-PLC");
        add_programs(&mut e, "[SDGT] [IRGC]");
        add_programs(&mut e, "CUBA");
        assert_eq!(e.get(prop::PROGRAM), ["SDGT", "NS-PLC", "IRGC", "CUBA"]);
    }

    #[test]
    fn roles_from_names() {
        assert_eq!(Role::from_name("sdn.csv"), Some(Role::Primary));
        assert_eq!(Role::from_name("cons_prim.csv"), Some(Role::Primary));
        assert_eq!(Role::from_name("sdn_comments.csv"), Some(Role::Comments));
        assert_eq!(Role::from_name("cons_alt.csv"), Some(Role::Alt));
        assert_eq!(Role::from_name("add.csv"), Some(Role::Add));
        assert_eq!(Role::from_name("list.csv"), None);
    }

    #[test]
    fn terminal_dots() {
        assert_eq!(strip_terminal_dot("Linked To: HAMAS."), "Linked To: HAMAS");
        assert_eq!(strip_terminal_dot("KPD S.A."), "KPD S.A.");
        assert_eq!(strip_terminal_dot("x"), "x");
    }
}
