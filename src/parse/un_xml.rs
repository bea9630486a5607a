//! Parser for the UN Security Council consolidated list XML (`un_xml`,
//! list `un_sc_sanctions`): `<CONSOLIDATED_LIST dateGenerated=…>` with
//! `<INDIVIDUALS><INDIVIDUAL>` and `<ENTITIES><ENTITY>` records.
//!
//! The file is read with a streaming reader that holds one record at a time.
//! The entity id is the UN `REFERENCE_NUMBER` (`QDi.001`), stable across
//! publications. Mapping decisions:
//! - Person name: `FIRST_NAME` … `FOURTH_NAME` joined in order; `firstName` is
//!   `FIRST_NAME`, `lastName` the last part present (when there are two or more).
//! - `NAME_ORIGINAL_SCRIPT` is kept as given as an `alias`.
//! - Alias quality: `Good`/`a.k.a.`/empty → `alias`, `Low` → `weakAlias`,
//!   `f.k.a.` → `previousName`. Birth dates and places given inside an alias
//!   are the same person's and are added, with a note naming the alias.
//! - Birth dates keep their precision; `APPROXIMATELY` adds a "birth date
//!   approximate" note, `BETWEEN` gives every year of the range. A `NOTE` that
//!   is itself a date ("Nov. 1973", or "Sep." next to a `YEAR`) is used when it
//!   gives a plausible Gregorian date; every note is also kept in `notes`.
//! - Documents: a passport type → `passportNumber`, others → `idNumber`
//!   (fiscal/tax codes → `taxNumber`). When `NUMBER` holds prose ("Russian
//!   foreign travel passport number 514448632") the trailing code is the
//!   number and the full text goes to `notes` with issuing details.
//! - `program` is the `UN_LIST_TYPE` with the regime code of the reference
//!   number (`Al-Qaida (QD)`).
//!
//! A truncated or malformed file is an error naming the line and byte offset.

use super::{ParseError, ParsedList, SourceFile, dates, decode_text};
use crate::model::{Entity, Schema, prop};
use support::{Node, Records};

/// Parses UN consolidated list files into one entity per `INDIVIDUAL` /
/// `ENTITY`; `published` is the `dateGenerated` date.
pub fn parse(list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    let mut ids = support::UniqueIds::default();
    for file in files {
        parse_file(list_id, file, &mut ids, &mut out)?;
    }
    Ok(out)
}

fn parse_file(
    list_id: &str,
    file: &SourceFile,
    ids: &mut support::UniqueIds,
    out: &mut ParsedList,
) -> Result<(), ParseError> {
    let text = decode_text(file);
    let mut records = Records::of_file(file, &text);
    let root = records.root()?;
    if root.name != "CONSOLIDATED_LIST" {
        return Err(records.error_at_start(format!(
            "not a UN consolidated list: the root element is <{}>, expected <CONSOLIDATED_LIST>",
            root.name
        )));
    }
    if out.published.is_none() {
        out.published = root.attr("dateGenerated").and_then(support::iso_date_part);
    }
    while let Some(record) = records
        .next_record(|path, name| path.len() == 2 && matches!(name, "INDIVIDUAL" | "ENTITY"))?
    {
        let entity = map_record(list_id, &record, ids);
        out.entities.push(entity);
    }
    Ok(())
}

fn map_record(list_id: &str, r: &Node, ids: &mut support::UniqueIds) -> Entity {
    let is_person = r.name == "INDIVIDUAL";
    let schema = if is_person {
        Schema::Person
    } else {
        Schema::Organization
    };
    let name_parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .map(|n| r.child_text(n))
        .filter(|s| !s.is_empty())
        .collect();
    let reference = r.child_text("REFERENCE_NUMBER");
    let source_id = if !reference.is_empty() {
        reference.to_string()
    } else if !r.child_text("DATAID").is_empty() {
        format!("dataid-{}", r.child_text("DATAID"))
    } else {
        support::derived_id(&r.name, &name_parts)
    };
    let mut e = Entity::new(list_id, &ids.claim(&source_id), schema);
    if reference.is_empty() {
        e.add(
            prop::NOTES,
            "the record has no REFERENCE_NUMBER; its id is derived from other fields",
        );
    }

    e.add(prop::NAME, &name_parts.join(" "));
    if is_person {
        if let Some(first) = name_parts.first() {
            e.add(prop::FIRST_NAME, first);
        }
        if name_parts.len() >= 2
            && let Some(last) = name_parts.last()
        {
            e.add(prop::LAST_NAME, last);
        }
    }
    e.add(prop::ALIAS, r.child_text("NAME_ORIGINAL_SCRIPT"));

    let list_type = r.child_text("UN_LIST_TYPE");
    e.add(prop::PROGRAM, &program(list_type, reference));
    if let Some(d) = dates::parse_date(r.child_text("LISTED_ON")) {
        e.add(prop::LISTING_DATE, &d);
    }
    let updated = r
        .children_named("LAST_DAY_UPDATED")
        .flat_map(|n| n.children_named("VALUE"))
        .filter_map(|v| dates::parse_date(v.text()))
        .max();
    if let Some(d) = updated {
        e.add(prop::MODIFIED_AT, &d);
    }
    let comments = r.child_text("COMMENTS1");
    e.add(prop::NOTES, comments);
    if let Some(bic) = swift_in_text(comments) {
        e.add(prop::SWIFT_BIC, &bic);
    }
    if let Some(g) = support::gender(r.child_text("GENDER")) {
        e.add(prop::GENDER, g);
    }
    for v in values(r, "TITLE") {
        e.add(prop::TITLE, v);
    }
    for v in values(r, "DESIGNATION") {
        e.add(prop::POSITION, v);
    }
    for v in values(r, "NATIONALITY") {
        match support::country_of_name(v) {
            Some(code) => e.add(prop::NATIONALITY, code),
            None => e.add(prop::NOTES, &format!("nationality: {v}")),
        }
    }

    for alias in r
        .children
        .iter()
        .filter(|c| c.name == "INDIVIDUAL_ALIAS" || c.name == "ENTITY_ALIAS")
    {
        add_alias(&mut e, alias);
    }
    for addr in r
        .children
        .iter()
        .filter(|c| c.name == "INDIVIDUAL_ADDRESS" || c.name == "ENTITY_ADDRESS")
    {
        add_address(&mut e, addr);
    }
    for dob in r.children_named("INDIVIDUAL_DATE_OF_BIRTH") {
        add_birth_date(&mut e, dob);
    }
    for pob in r.children_named("INDIVIDUAL_PLACE_OF_BIRTH") {
        let place = support::join(
            [
                pob.child_text("STREET"),
                pob.child_text("CITY"),
                pob.child_text("STATE_PROVINCE"),
                pob.child_text("COUNTRY"),
            ],
            ", ",
        );
        e.add(prop::BIRTH_PLACE, &place);
        let note = pob.child_text("NOTE");
        if !note.is_empty() {
            e.add(prop::NOTES, &format!("birth place {place}: {note}"));
        }
    }
    for doc in r.children_named("INDIVIDUAL_DOCUMENT") {
        add_document(&mut e, doc);
    }
    e
}

/// `Al-Qaida` + `QDi.001` → `Al-Qaida (QD)`: the regime named by the list
/// type and by the reference number's regime code.
fn program(list_type: &str, reference: &str) -> String {
    let code: String = reference
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    // The last letter says individual (i) or entity (e); the regime is the rest.
    let regime = match code.strip_suffix(['i', 'e']) {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => code,
    };
    match (list_type.is_empty(), regime.is_empty()) {
        (true, _) => regime,
        (false, true) => list_type.to_string(),
        (false, false) if regime.eq_ignore_ascii_case(list_type) => list_type.to_string(),
        (false, false) => format!("{list_type} ({regime})"),
    }
}

/// The `<VALUE>` children of every `name` child.
fn values<'a>(r: &'a Node, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    r.children_named(name)
        .flat_map(|n| n.children_named("VALUE"))
        .map(Node::text)
        .filter(|s| !s.is_empty())
}

fn add_alias(e: &mut Entity, a: &Node) {
    let name = a.child_text("ALIAS_NAME");
    if name.is_empty() {
        return;
    }
    let quality = a.child_text("QUALITY").to_ascii_lowercase();
    let property = match quality.as_str() {
        "low" => prop::WEAK_ALIAS,
        "f.k.a." | "fka" => prop::PREVIOUS_NAME,
        _ => prop::ALIAS,
    };
    e.add(property, name);
    let dob = a.child_text("DATE_OF_BIRTH");
    if !dob.is_empty() {
        match dates::parse_date(dob) {
            Some(d) => {
                e.add(prop::BIRTH_DATE, &d);
                e.add(
                    prop::NOTES,
                    &format!("birth date {d} given for alias {name}"),
                );
            }
            None => e.add(
                prop::NOTES,
                &format!("birth date {dob} given for alias {name}"),
            ),
        }
    }
    let place = support::join(
        [
            a.child_text("CITY_OF_BIRTH"),
            a.child_text("COUNTRY_OF_BIRTH"),
        ],
        ", ",
    );
    if !place.is_empty() {
        e.add(prop::BIRTH_PLACE, &place);
        e.add(
            prop::NOTES,
            &format!("birth place {place} given for alias {name}"),
        );
    }
    let note = a.child_text("NOTE");
    if !note.is_empty() {
        e.add(prop::NOTES, &format!("alias {name}: {note}"));
    }
}

fn add_address(e: &mut Entity, a: &Node) {
    let country = a.child_text("COUNTRY");
    let text = support::join(
        [
            a.child_text("STREET"),
            a.child_text("CITY"),
            a.child_text("STATE_PROVINCE"),
            a.child_text("ZIP_CODE"),
            country,
        ],
        ", ",
    );
    e.add(prop::ADDRESS, &text);
    if !country.is_empty() {
        // An unknown country name stays in the address text.
        if let Some(code) = support::country_of_name(country) {
            e.add(prop::COUNTRY, code);
        }
    }
    let note = a.child_text("NOTE");
    if !note.is_empty() {
        if text.is_empty() {
            e.add(prop::NOTES, &format!("address: {note}"));
        } else {
            e.add(prop::NOTES, &format!("address {text}: {note}"));
        }
    }
}

/// Adds one `INDIVIDUAL_DATE_OF_BIRTH`: EXACT / APPROXIMATELY / BETWEEN with
/// `DATE`, `YEAR`, `FROM_YEAR`/`TO_YEAR` and an optional `NOTE`.
fn add_birth_date(e: &mut Entity, dob: &Node) {
    let kind = dob.child_text("TYPE_OF_DATE").to_ascii_uppercase();
    let note = dob.child_text("NOTE");
    // "Approximately" as the whole note only qualifies the date.
    let note_says_approx = note.eq_ignore_ascii_case("approximately");
    let note = if note_says_approx { "" } else { note };
    let approximate = kind == "APPROXIMATELY" || note_says_approx;
    let (from, to) = (dob.child_text("FROM_YEAR"), dob.child_text("TO_YEAR"));
    let year = dob.child_text("YEAR");

    if !from.is_empty() && !to.is_empty() {
        for d in dates::parse_dates(&format!("{from} to {to}")).dates {
            e.add(prop::BIRTH_DATE, &d);
        }
        let what = format!("between {from} and {to}");
        if approximate {
            e.add(prop::NOTES, &format!("birth date approximate: {what}"));
        } else {
            e.add(prop::NOTES, &format!("birth date range: {what}"));
        }
        if !note.is_empty() {
            e.add(prop::NOTES, &format!("birth date note: {note}"));
        }
        return;
    }

    let mut given: Vec<String> = Vec::new();
    for v in [dob.child_text("DATE"), year, from, to] {
        if v.is_empty() {
            continue;
        }
        match dates::parse_date(v) {
            Some(d) => given.push(d),
            None => e.add(prop::NOTES, &format!("birth date as given: {v}")),
        }
    }
    // The note may be the date itself ("Nov. 1973") or complete a year ("Sep.").
    if !note.is_empty() {
        let from_note = dates::parse_date(note)
            .or_else(|| {
                (!year.is_empty())
                    .then(|| dates::parse_date(&format!("{note} {year}")))
                    .flatten()
            })
            .filter(|d| support::plausible_birth_date(d));
        given.extend(from_note);
    }
    for d in &given {
        e.add(prop::BIRTH_DATE, d);
    }
    match (approximate, given.is_empty(), note.is_empty()) {
        (true, false, _) => {
            e.add(
                prop::NOTES,
                &format!("birth date approximate: circa {}", given.join(", ")),
            );
        }
        (true, true, false) => {
            e.add(prop::NOTES, &format!("birth date approximate: {note}"));
            return;
        }
        _ => {}
    }
    if !note.is_empty() {
        e.add(prop::NOTES, &format!("birth date note: {note}"));
    }
}

fn add_document(e: &mut Entity, d: &Node) {
    let kind = d.child_text("TYPE_OF_DOCUMENT");
    let kind2 = d.child_text("TYPE_OF_DOCUMENT2");
    let raw = d.child_text("NUMBER");
    let lower = format!("{kind} {kind2}").to_lowercase();
    let property = if kind.to_lowercase().contains("passport")
        || kind.to_lowercase().contains("passeport")
        || kind.to_lowercase().contains("pasaporte")
    {
        prop::PASSPORT_NUMBER
    } else if lower.contains("fiscal") || lower.contains(" tax") {
        prop::TAX_NUMBER
    } else {
        prop::ID_NUMBER
    };
    let number = support::document_number(raw);
    if let Some(n) = &number {
        e.add(property, n);
    }
    let mut details: Vec<String> = Vec::new();
    let kind2_folded = support::fold_space(kind2);
    if !kind2.is_empty() && !kind2_folded.eq_ignore_ascii_case(&support::fold_space(kind)) {
        details.push(kind2_folded);
    }
    if let Some(n) = &number
        && support::fold_space(raw) != *n
    {
        details.push(format!("number as given: {}", support::fold_space(raw)));
    }
    let issuing = d.child_text("ISSUING_COUNTRY");
    if !issuing.is_empty() {
        details.push(format!("issuing country {issuing}"));
    }
    let issued = d.child_text("DATE_OF_ISSUE");
    if !issued.is_empty() {
        details.push(format!("issued {issued}"));
    }
    let place = support::join(
        [
            d.child_text("CITY_OF_ISSUE"),
            d.child_text("COUNTRY_OF_ISSUE"),
        ],
        ", ",
    );
    if !place.is_empty() {
        details.push(format!("issued in {place}"));
    }
    let note = d.child_text("NOTE");
    if !note.is_empty() {
        details.push(note.to_string());
    }
    if details.is_empty() {
        return;
    }
    let label = support::fold_space(if kind.is_empty() { "document" } else { kind });
    let head = match &number {
        Some(n) => format!("{label} {n}"),
        None => label,
    };
    e.add(prop::NOTES, &format!("{head}: {}", details.join("; ")));
}

/// A SWIFT/BIC code stated in prose as "SWIFT: DCBKKPPY" or "SWIFT/BIC DCBKKPPY".
fn swift_in_text(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let start = upper.find("SWIFT")?;
    let rest = text.get(start + 5..)?;
    let rest = rest
        .strip_prefix("/BIC")
        .or_else(|| rest.strip_prefix("/bic"))
        .unwrap_or(rest);
    let rest = rest.trim_start_matches([':', ' ', '\u{a0}', '-']);
    let code: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let ok = (code.len() == 8 || code.len() == 11)
        && code.chars().take(6).all(|c| c.is_ascii_uppercase());
    ok.then_some(code)
}

/// Helpers shared by the XML list parsers (UN, EU, UK FCDO, SECO): a
/// streaming reader that hands out one record at a time as a small element
/// tree, and the small mapping helpers those parsers have in common.
///
/// It lives in this file because the parse module's layout (`parse/mod.rs`)
/// is owned elsewhere; it belongs in a `parse/xml.rs` of its own.
pub(crate) mod support {
    use crate::countries;
    use crate::parse::{Location, ParseError, SourceFile, dates, line_of_offset};
    use quick_xml::Reader;
    use quick_xml::XmlVersion;
    use quick_xml::events::{BytesStart, Event};
    use std::collections::HashSet;

    /// Deepest nesting accepted inside one record (the formats need < 10).
    const MAX_DEPTH: usize = 64;

    /// One element of a record: local name (namespace prefix dropped),
    /// attributes, its own text (references resolved, whitespace as given)
    /// and its child elements.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Node {
        pub name: String,
        pub attrs: Vec<(String, String)>,
        pub text: String,
        pub children: Vec<Node>,
        /// 1-based line of the start tag.
        pub line: u64,
    }

    impl Node {
        /// An attribute value, trimmed; `None` when absent or blank.
        pub fn attr(&self, key: &str) -> Option<&str> {
            self.attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        }

        /// An attribute value, trimmed, or "" when absent.
        pub fn attr_or_empty(&self, key: &str) -> &str {
            self.attr(key).unwrap_or("")
        }

        /// The element's own text, trimmed.
        pub fn text(&self) -> &str {
            self.text.trim()
        }

        /// The first child with this name.
        pub fn child(&self, name: &str) -> Option<&Node> {
            self.children.iter().find(|c| c.name == name)
        }

        /// The trimmed text of the first child with this name, or "".
        pub fn child_text(&self, name: &str) -> &str {
            self.child(name).map(Node::text).unwrap_or("")
        }

        /// Every child with this name.
        pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
            self.children.iter().filter(move |c| c.name == name)
        }

        /// Every element reached by following `path` (child names) down from here.
        pub fn descend<'a>(&'a self, path: &[&str]) -> Vec<&'a Node> {
            let mut level: Vec<&Node> = vec![self];
            for step in path {
                level = level
                    .into_iter()
                    .flat_map(|n| n.children.iter().filter(|c| c.name == *step))
                    .collect();
            }
            level
        }

        /// The trimmed, non-empty texts of every element at `path`.
        pub fn texts_at<'a>(&'a self, path: &[&str]) -> Vec<&'a str> {
            self.descend(path)
                .into_iter()
                .map(Node::text)
                .filter(|t| !t.is_empty())
                .collect()
        }
    }

    /// Streams the records of one XML document. A record is an element the
    /// caller's predicate selects (by its ancestors' names and its own); it is
    /// returned whole as a [`Node`] tree, and nothing else of the document is
    /// kept. The document must be well-formed; any problem is a
    /// [`ParseError`] with the line and byte offset.
    pub struct Records<'a> {
        file: &'a str,
        text: &'a str,
        reader: Reader<&'a [u8]>,
        /// Bytes dropped before `text` (a UTF-8 byte-order mark).
        base: u64,
        /// Names of the open elements outside the current record.
        open: Vec<String>,
        root: Option<Node>,
        root_closed: bool,
        finished: bool,
        records: usize,
        allow_unterminated: bool,
        unterminated: bool,
        /// A byte offset already reached and its line, so that line numbers
        /// are counted incrementally rather than from the start each time.
        line_mark: (u64, u64),
    }

    impl<'a> Records<'a> {
        /// `had_bom`: the file started with a UTF-8 byte-order mark that
        /// decoding removed (so reported byte offsets match the file).
        pub fn new(file: &'a str, text: &'a str, had_bom: bool) -> Records<'a> {
            let mut reader = Reader::from_str(text);
            let config = reader.config_mut();
            config.check_end_names = true;
            config.expand_empty_elements = false;
            Records {
                file,
                text,
                reader,
                base: if had_bom { 3 } else { 0 },
                open: Vec::new(),
                root: None,
                root_closed: false,
                finished: false,
                records: 0,
                allow_unterminated: false,
                unterminated: false,
                line_mark: (0, 1),
            }
        }

        /// A reader over `text`, the decoded contents of `file`.
        pub fn of_file(file: &'a SourceFile, text: &'a str) -> Records<'a> {
            Records::new(&file.name, text, file.data.starts_with(b"\xef\xbb\xbf"))
        }

        /// Accepts a document that ends right after a complete record with
        /// only its root element left open (see `eu_xml` for why). Whether
        /// that happened is [`Records::unterminated`].
        pub fn allow_unterminated_root(&mut self) {
            self.allow_unterminated = true;
        }

        /// True when the document ended without closing its root element
        /// (only possible after [`Records::allow_unterminated_root`]).
        pub fn unterminated(&self) -> bool {
            self.unterminated
        }

        /// A parse error at byte `pos` of the decoded text: the line, and the
        /// byte offset in the file (exact for UTF-8 files; for files decoded
        /// from Windows-1252 it is the offset in the decoded text).
        pub fn error_at(&self, pos: u64, message: impl Into<String>) -> ParseError {
            let line = line_of_offset(self.text.as_bytes(), pos);
            ParseError::at(
                self.file,
                Location::Line(line),
                format!("byte {}: {}", pos + self.base, message.into()),
            )
        }

        /// A parse error at the current reader position.
        pub fn error_here(&self, message: impl Into<String>) -> ParseError {
            self.error_at(self.reader.buffer_position(), message)
        }

        /// A parse error about the document as a whole (line 1).
        pub fn error_at_start(&self, message: impl Into<String>) -> ParseError {
            self.error_at(0, message)
        }

        /// The root element (name and attributes, no children), reading up
        /// to its start tag if needed.
        pub fn root(&mut self) -> Result<Node, ParseError> {
            while self.root.is_none() {
                if self.finished {
                    return Err(self.error_here("no XML element found"));
                }
                self.step(&|_, _| false)?;
            }
            Ok(self.root.clone().unwrap_or_default())
        }

        /// The next record, or `None` at the end of the document.
        /// `is_record(ancestors, name)` selects records; `ancestors` are the
        /// names of the open elements from the root down.
        pub fn next_record(
            &mut self,
            is_record: impl Fn(&[String], &str) -> bool,
        ) -> Result<Option<Node>, ParseError> {
            while !self.finished {
                if let Some(node) = self.step(&is_record)? {
                    self.records += 1;
                    return Ok(Some(node));
                }
            }
            Ok(None)
        }

        /// Reads one event outside records; returns a record when one starts.
        fn step(
            &mut self,
            is_record: &dyn Fn(&[String], &str) -> bool,
        ) -> Result<Option<Node>, ParseError> {
            let event = self.read()?;
            match event {
                Event::Start(start) | Event::Empty(start) if self.root_closed => {
                    let name = local_name(&start);
                    Err(self.error_here(format!(
                        "element <{name}> after the end of the root element"
                    )))
                }
                Event::Start(start) => {
                    let node = self.node_of(&start)?;
                    if self.root.is_none() {
                        self.root = Some(node.clone());
                    }
                    if is_record(&self.open, &node.name) {
                        return self.read_record(node).map(Some);
                    }
                    self.open.push(node.name);
                    Ok(None)
                }
                Event::Empty(start) => {
                    let node = self.node_of(&start)?;
                    if self.root.is_none() {
                        self.root = Some(node.clone());
                        self.root_closed = true;
                        return Ok(None);
                    }
                    if is_record(&self.open, &node.name) {
                        return Ok(Some(node));
                    }
                    Ok(None)
                }
                Event::End(_) => {
                    self.open.pop();
                    if self.open.is_empty() {
                        self.root_closed = true;
                    }
                    Ok(None)
                }
                Event::Text(t) => {
                    if self.open.is_empty() && !t.xml10_content().trim().is_empty() {
                        return Err(self.error_here("text outside the root element"));
                    }
                    Ok(None)
                }
                Event::GeneralRef(_) | Event::CData(_) if self.open.is_empty() => {
                    Err(self.error_here("text outside the root element"))
                }
                Event::Eof => {
                    self.finished = true;
                    if self.root.is_none() {
                        return Err(self.error_here("no XML element found"));
                    }
                    if let Some(innermost) = self.open.last() {
                        let at_record_boundary = self.open.len() == 1 && self.records > 0;
                        if self.allow_unterminated && at_record_boundary {
                            self.unterminated = true;
                            return Ok(None);
                        }
                        return Err(self.error_here(format!(
                            "the document ends before </{innermost}>: the file is truncated"
                        )));
                    }
                    Ok(None)
                }
                _ => Ok(None),
            }
        }

        /// Reads the rest of a record whose start tag was `top`.
        fn read_record(&mut self, top: Node) -> Result<Node, ParseError> {
            let mut stack: Vec<Node> = vec![top];
            loop {
                let event = self.read()?;
                match event {
                    Event::Start(start) => {
                        if stack.len() >= MAX_DEPTH {
                            return Err(self.error_here("elements nested too deeply"));
                        }
                        let node = self.node_of(&start)?;
                        stack.push(node);
                    }
                    Event::Empty(start) => {
                        let node = self.node_of(&start)?;
                        if let Some(parent) = stack.last_mut() {
                            parent.children.push(node);
                        }
                    }
                    Event::End(_) => {
                        let Some(done) = stack.pop() else {
                            return Err(self.error_here("unbalanced end tag"));
                        };
                        match stack.last_mut() {
                            Some(parent) => parent.children.push(done),
                            None => return Ok(done),
                        }
                    }
                    Event::Text(t) => {
                        if let Some(node) = stack.last_mut() {
                            node.text.push_str(&t.xml10_content());
                        }
                    }
                    Event::CData(t) => {
                        if let Some(node) = stack.last_mut() {
                            node.text.push_str(&t.xml10_content());
                        }
                    }
                    Event::GeneralRef(r) => {
                        let resolved = match r.resolve_char_ref() {
                            Ok(Some(c)) => c.to_string(),
                            Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                                Some(s) => s.to_string(),
                                None => {
                                    return Err(self.error_here(format!(
                                        "unknown entity reference &{};",
                                        &*r
                                    )));
                                }
                            },
                            Err(e) => {
                                return Err(self.error_here(format!(
                                    "bad character reference &{};: {e}",
                                    &*r
                                )));
                            }
                        };
                        if let Some(node) = stack.last_mut() {
                            node.text.push_str(&resolved);
                        }
                    }
                    Event::Eof => {
                        let (name, line) = stack
                            .last()
                            .map(|n| (n.name.clone(), n.line))
                            .unwrap_or_default();
                        let record = stack.first().map(|n| n.name.clone()).unwrap_or_default();
                        self.finished = true;
                        return Err(self.error_here(format!(
                            "the document ends inside <{record}> (in <{name}> opened on line {line}): the file is truncated"
                        )));
                    }
                    _ => {}
                }
            }
        }

        fn read(&mut self) -> Result<Event<'a>, ParseError> {
            let event = self.reader.read_event();
            event.map_err(|e| {
                self.finished = true;
                let pos = match self.reader.error_position() {
                    0 => self.reader.buffer_position(),
                    p => p,
                };
                self.error_at(pos, format!("malformed XML: {e}"))
            })
        }

        /// The 1-based line of byte `pos`, counted on from the last position
        /// asked for (positions only grow while reading).
        fn line_at(&mut self, pos: u64) -> u64 {
            let (mark, line) = self.line_mark;
            let bytes = self.text.as_bytes();
            let end = (pos as usize).min(bytes.len());
            let found = if pos >= mark {
                let start = (mark as usize).min(end);
                line + bytes
                    .get(start..end)
                    .map_or(0, |b| memchr::memchr_iter(b'\n', b).count() as u64)
            } else {
                line_of_offset(bytes, pos)
            };
            self.line_mark = (end as u64, found);
            found
        }

        fn node_of(&mut self, start: &BytesStart<'_>) -> Result<Node, ParseError> {
            let start_pos = self.reader.buffer_position();
            let line = self.line_at(start_pos);
            let mut attrs = Vec::new();
            for attr in start.attributes() {
                let attr = attr.map_err(|e| self.error_here(format!("bad attribute: {e}")))?;
                let key = attr.key.local_name().as_ref().to_string();
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.error_here(format!("bad attribute value: {e}")))?;
                attrs.push((key, value.into_owned()));
            }
            Ok(Node {
                name: local_name(start),
                attrs,
                text: String::new(),
                children: Vec::new(),
                line,
            })
        }
    }

    fn local_name(start: &BytesStart<'_>) -> String {
        start.local_name().as_ref().to_string()
    }

    /// Makes source ids unique within one parse: a repeated id gets a
    /// `#2`, `#3` … suffix (and a warning), so no record is lost or merged.
    #[derive(Debug, Default)]
    pub struct UniqueIds {
        seen: HashSet<String>,
    }

    impl UniqueIds {
        pub fn claim(&mut self, id: &str) -> String {
            let id = id.trim().to_string();
            if self.seen.insert(id.clone()) {
                return id;
            }
            let mut n = 2;
            loop {
                let candidate = format!("{id}#{n}");
                if self.seen.insert(candidate.clone()) {
                    tracing::warn!(id = %id, "repeated source id; kept as {candidate}");
                    return candidate;
                }
                n += 1;
            }
        }
    }

    /// An id for a record without a publisher id: `x-` and 16 hex digits of
    /// the SHA-256 of its kind and names (stable while the names are).
    pub fn derived_id(kind: &str, names: &[&str]) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(kind.as_bytes());
        for n in names {
            hasher.update(b"\n");
            hasher.update(n.trim().as_bytes());
        }
        let digest: String = hex::encode(hasher.finalize()).chars().take(16).collect();
        format!("x-{digest}")
    }

    /// Joins the non-empty, trimmed parts with `sep`.
    pub fn join<'s>(parts: impl IntoIterator<Item = &'s str>, sep: &str) -> String {
        parts
            .into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// Collapses whitespace runs (line breaks in element text) to one space.
    pub fn fold_space(s: &str) -> String {
        crate::model::collapse_whitespace(s)
    }

    /// The ISO date at the start of a date-time ("2026-02-27T00:00:09.554Z").
    pub fn iso_date_part(s: &str) -> Option<String> {
        dates::parse_date(s.trim())
    }

    /// A country name (never a bare code: publishers write "na" for "not
    /// available") as an ISO alpha-2 code.
    pub fn country_of_name(name: &str) -> Option<&'static str> {
        let name = name.trim();
        if name.chars().count() <= 3 {
            return None;
        }
        countries::country_code(name).or_else(|| {
            // "China, Hong Kong Special Administrative Region" is Hong Kong.
            let (_, region) = name.split_once(',')?;
            let region = region.trim();
            let region = region
                .strip_suffix("Special Administrative Region")
                .or_else(|| region.strip_suffix("SAR"))?;
            countries::country_code(region.trim())
        })
    }

    /// An ISO alpha-2 code as given by the publisher, lower-cased, if known.
    pub fn iso2(code: &str) -> Option<String> {
        let code = code.trim().to_ascii_lowercase();
        (code.len() == 2 && countries::is_code(&code)).then_some(code)
    }

    /// `male` / `female` from the publishers' spellings (M, F, Male, female…).
    pub fn gender(value: &str) -> Option<&'static str> {
        match value.trim().to_ascii_lowercase().as_str() {
            "m" | "male" | "man" => Some("male"),
            "f" | "female" | "woman" => Some("female"),
            _ => None,
        }
    }

    /// A birth date is plausible when its year lies in 1850..=2100 (guards
    /// against reading a Hijri year such as 1402 as Gregorian).
    pub fn plausible_birth_date(iso: &str) -> bool {
        iso.get(..4)
            .and_then(|y| y.parse::<u32>().ok())
            .is_some_and(|y| (1850..=2100).contains(&y))
    }

    /// The number of an identity document as the source writes it. When the
    /// text is prose with the number at its end ("Congo service passport
    /// number SA0020249", "R00005943, South Sudan", "403062567 (US)"), the
    /// code is returned; a plain code ("OB 0243318", "96 03 464086") is
    /// returned whole. `None` when there is no digit at all.
    pub fn document_number(raw: &str) -> Option<String> {
        let whole = fold_space(raw);
        if !whole.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        // Drop parenthesised remarks and anything after a comma.
        let mut depth = 0usize;
        let mut core = String::new();
        for c in whole.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => core.push(c),
                _ => {}
            }
        }
        let core = core.split(',').next().unwrap_or("").trim().to_string();
        let tokens: Vec<&str> = core.split_whitespace().collect();
        // A word is prose: letters only with a lower-case letter, or ending
        // in '.' or ':' ("No.", "number", "Passport:").
        let is_word = |t: &str| {
            let core = t.trim_end_matches(['.', ':']);
            let letters = !core.is_empty() && core.chars().all(char::is_alphabetic);
            letters && (core.chars().any(char::is_lowercase) || t.ends_with(['.', ':']))
        };
        let start = tokens
            .iter()
            .rposition(|t| is_word(t))
            .map(|i| i + 1)
            .unwrap_or(0);
        let number = tokens[start.min(tokens.len())..].join(" ");
        if number.chars().any(|c| c.is_ascii_digit()) {
            Some(number)
        } else {
            Some(whole)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn document_numbers_lose_their_prose() {
            let cases = [
                ("OB 0243318", "OB 0243318"),
                ("96 03 464086", "96 03 464086"),
                ("Congo service passport number SA0020249 ", "SA0020249"),
                ("R00005943, South Sudan", "R00005943"),
                ("403062567 (US)", "403062567"),
                ("Afghan passport number SE 012820", "SE 012820"),
                ("CAR diplomatic passport no. 06FBO2262", "06FBO2262"),
                ("Libyan Passport No. 96/184442", "96/184442"),
                (
                    "German travel document (“Reiseausweis”) A 0139243",
                    "A 0139243",
                ),
                ("12CP63882.3FRA", "12CP63882.3FRA"),
                ("Jordan 286062", "286062"),
            ];
            for (raw, want) in cases {
                assert_eq!(document_number(raw).as_deref(), Some(want), "{raw}");
            }
            assert_eq!(document_number("UNKNOWN"), None);
        }

        #[test]
        fn records_stream_and_report_truncation() {
            let doc = "<r><a x='1'>t&amp;u</a><b/><a>v</a></r>";
            let mut recs = Records::new("f.xml", doc, false);
            assert_eq!(recs.root().unwrap().name, "r");
            let a = recs
                .next_record(|p, n| p.len() == 1 && n == "a")
                .unwrap()
                .unwrap();
            assert_eq!((a.attr("x"), a.text()), (Some("1"), "t&u"));
            let a2 = recs
                .next_record(|p, n| p.len() == 1 && n == "a")
                .unwrap()
                .unwrap();
            assert_eq!(a2.text(), "v");
            assert!(recs.next_record(|_, _| true).unwrap().is_none());

            let mut cut = Records::new("f.xml", "<r>\n<a>v</a>\n<a>w", false);
            let _ = cut.next_record(|_, n| n == "a").unwrap();
            let err = cut.next_record(|_, n| n == "a").unwrap_err();
            assert_eq!(err.location, Some(Location::Line(3)));
            assert!(err.message.contains("truncated"), "{err}");
        }

        #[test]
        fn unterminated_root_only_at_a_record_boundary() {
            let mut ok = Records::new("f.xml", "<r><a>v</a>\n", false);
            ok.allow_unterminated_root();
            assert!(ok.next_record(|_, n| n == "a").unwrap().is_some());
            assert!(ok.next_record(|_, n| n == "a").unwrap().is_none());
            assert!(ok.unterminated());

            let mut strict = Records::new("f.xml", "<r><a>v</a>\n", false);
            assert!(strict.next_record(|_, n| n == "a").unwrap().is_some());
            assert!(strict.next_record(|_, n| n == "a").is_err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_names_the_regime() {
        assert_eq!(program("Al-Qaida", "QDi.001"), "Al-Qaida (QD)");
        assert_eq!(program("DPRK", "KPe.023"), "DPRK (KP)");
        assert_eq!(program("GB", "GBi.001"), "GB");
        assert_eq!(program("", "TAi.007"), "TA");
    }

    #[test]
    fn swift_codes_in_comments() {
        assert_eq!(
            swift_in_text("SWIFT: DCBKKPPY. Daedong Credit Bank").as_deref(),
            Some("DCBKKPPY")
        );
        assert_eq!(swift_in_text("no code here"), None);
    }
}
