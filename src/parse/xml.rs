//! Reading XML sanctions lists as streams of records: every record is read
//! whole into a small element tree ([`Node`]) and nothing else of the
//! document is kept. Two ways of walking a document share one reader core:
//! [`Records`] hands out the records a predicate selects (UN, EU, UK FCDO,
//! SECO, Canada SEMA, OFAC legacy XML); [`Walker`] lets the caller step
//! through the elements and read or skip each one (the OFAC advanced and
//! enhanced formats, which mix reference tables and records).
//!
//! Errors name the file and the line (with the byte offset in the message)
//! or the byte offset, as the parser chooses ([`Positions`]). The module
//! also holds the small mapping helpers the XML parsers have in common.

use crate::parse::{Location, ParseError, SourceFile, line_of_offset};
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};

/// Deepest nesting accepted inside one record. The formats need fewer than
/// ten levels; the limit keeps hostile input from building trees whose
/// recursive drop would exhaust the stack.
const MAX_DEPTH: usize = 64;

/// One element of a record: local name (namespace prefix dropped),
/// attributes (local names, values unescaped), its own text (references
/// resolved, whitespace as given) and its child elements.
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

    /// The element's own text, trimmed ("" when blank).
    pub fn text(&self) -> &str {
        self.text.trim()
    }

    /// The element's own text, trimmed; `None` when blank.
    pub fn value(&self) -> Option<&str> {
        Some(self.text()).filter(|t| !t.is_empty())
    }

    /// The first child with this name.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child with this name, or "".
    pub fn child_text(&self, name: &str) -> &str {
        self.child(name).map(Node::text).unwrap_or("")
    }

    /// The trimmed text of the first child with this name; `None` when the
    /// child is absent or blank.
    pub fn child_value(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(Node::value)
    }

    /// True when the first child with this name says `true` (any case).
    pub fn child_flag(&self, name: &str) -> bool {
        self.child_value(name)
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
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

/// How a reader's errors say where a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positions {
    /// [`Location::Line`], with the byte offset at the start of the message
    /// ("byte 1234: …").
    Lines,
    /// [`Location::Byte`].
    Bytes,
}

/// The text an entity or character reference (`&amp;`, `&#233;`) stands
/// for; the error message names a reference that stands for nothing.
pub fn resolve_reference(r: &BytesRef<'_>) -> Result<String, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.to_string()),
        Ok(None) => quick_xml::escape::resolve_predefined_entity(r)
            .map(str::to_string)
            .ok_or_else(|| format!("unknown entity reference &{};", &**r)),
        Err(e) => Err(format!("bad character reference &{};: {e}", &**r)),
    }
}

fn local_name(start: &BytesStart<'_>) -> String {
    start.local_name().as_ref().to_string()
}

/// The reader core both walks share: the quick-xml reader over the decoded
/// text, error positions, and reading a whole element into a [`Node`].
struct Cursor<'a> {
    file: &'a str,
    text: &'a str,
    reader: Reader<&'a [u8]>,
    /// Bytes dropped before `text` (a UTF-8 byte-order mark).
    base: u64,
    positions: Positions,
    /// A byte offset already reached and its line, so that line numbers
    /// are counted incrementally rather than from the start each time.
    line_mark: (u64, u64),
}

impl<'a> Cursor<'a> {
    fn new(file: &'a str, text: &'a str, had_bom: bool, expand_empty: bool) -> Cursor<'a> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = expand_empty;
        Cursor {
            file,
            text,
            reader,
            base: if had_bom { 3 } else { 0 },
            positions: Positions::Lines,
            line_mark: (0, 1),
        }
    }

    /// The reader's position in the decoded text.
    fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// An error at byte `pos` of the decoded text. The byte offset reported
    /// is the offset in the file (exact for UTF-8 files; for files decoded
    /// from Windows-1252 it is the offset in the decoded text).
    fn error_at(&self, pos: u64, message: impl Into<String>) -> ParseError {
        match self.positions {
            Positions::Lines => {
                let line = line_of_offset(self.text.as_bytes(), pos);
                ParseError::at(
                    self.file,
                    Location::Line(line),
                    format!("byte {}: {}", pos + self.base, message.into()),
                )
            }
            Positions::Bytes => ParseError::at(self.file, Location::Byte(pos + self.base), message),
        }
    }

    fn error_here(&self, message: impl Into<String>) -> ParseError {
        self.error_at(self.position(), message)
    }

    fn read(&mut self) -> Result<Event<'a>, ParseError> {
        let event = self.reader.read_event();
        event.map_err(|e| {
            let pos = match self.reader.error_position() {
                0 => self.reader.buffer_position(),
                p => p,
            };
            self.error_at(pos, format!("malformed XML: {e}"))
        })
    }

    fn resolve(&self, r: &BytesRef<'_>) -> Result<String, ParseError> {
        resolve_reference(r).map_err(|m| self.error_here(m))
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

    /// A node for a start tag just read: name, attributes and line.
    fn node_of(&mut self, start: &BytesStart<'_>) -> Result<Node, ParseError> {
        let line = self.line_at(self.position());
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

    /// Reads the rest of an element whose start tag gave `top`, up to and
    /// including its end tag.
    fn read_rest(&mut self, top: Node) -> Result<Node, ParseError> {
        let mut stack: Vec<Node> = vec![top];
        loop {
            match self.read()? {
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
                    let resolved = self.resolve(&r)?;
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&resolved);
                    }
                }
                Event::Eof => {
                    let (name, line) = stack
                        .last()
                        .map(|n| (n.name.clone(), n.line))
                        .unwrap_or_default();
                    let outer = stack.first().map(|n| n.name.clone()).unwrap_or_default();
                    return Err(self.error_here(format!(
                        "unexpected end of file inside <{outer}> (in <{name}> opened on line {line}): the file is truncated"
                    )));
                }
                _ => {}
            }
        }
    }

    /// Skips the rest of the element named `name`, keeping nothing of it but
    /// checking its references.
    fn skip_rest(&mut self, name: &str) -> Result<(), ParseError> {
        let mut depth = 1usize;
        loop {
            match self.read()? {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::GeneralRef(r) => {
                    self.resolve(&r)?;
                }
                Event::Eof => {
                    return Err(self.error_here(format!(
                        "unexpected end of file inside <{name}>: the file is truncated"
                    )));
                }
                _ => {}
            }
        }
    }
}

/// Streams the records of one XML document. A record is an element the
/// caller's predicate selects (by its ancestors' names and its own); it is
/// returned whole as a [`Node`] tree, and nothing else of the document is
/// kept. The document must be well-formed; any problem is a
/// [`ParseError`] with the line and byte offset.
pub struct Records<'a> {
    cursor: Cursor<'a>,
    /// Names of the open elements outside the current record.
    open: Vec<String>,
    root: Option<Node>,
    root_closed: bool,
    finished: bool,
    records: usize,
    allow_unterminated: bool,
    unterminated: bool,
}

impl<'a> Records<'a> {
    /// `had_bom`: the file started with a UTF-8 byte-order mark that
    /// decoding removed (so reported byte offsets match the file).
    pub fn new(file: &'a str, text: &'a str, had_bom: bool) -> Records<'a> {
        Records {
            cursor: Cursor::new(file, text, had_bom, false),
            open: Vec::new(),
            root: None,
            root_closed: false,
            finished: false,
            records: 0,
            allow_unterminated: false,
            unterminated: false,
        }
    }

    /// A reader over `text`, the decoded contents of `file`.
    pub fn of_file(file: &'a SourceFile, text: &'a str) -> Records<'a> {
        Records::new(&file.name, text, file.data.starts_with(b"\xef\xbb\xbf"))
    }

    /// Reports errors as byte offsets ([`Location::Byte`]) instead of lines.
    pub fn with_byte_positions(mut self) -> Records<'a> {
        self.cursor.positions = Positions::Bytes;
        self
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

    /// The reader's position in the decoded text (just after the record
    /// last returned), for [`Records::error_at`].
    pub fn position(&self) -> u64 {
        self.cursor.position()
    }

    /// A parse error at byte `pos` of the decoded text.
    pub fn error_at(&self, pos: u64, message: impl Into<String>) -> ParseError {
        self.cursor.error_at(pos, message)
    }

    /// A parse error at the current reader position.
    pub fn error_here(&self, message: impl Into<String>) -> ParseError {
        self.cursor.error_here(message)
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

    /// The root element, which must have one of the `expected` names;
    /// otherwise an error saying the file is not a `what`.
    pub fn expect_root(&mut self, expected: &[&str], what: &str) -> Result<Node, ParseError> {
        let root = self.root()?;
        if expected.contains(&root.name.as_str()) {
            return Ok(root);
        }
        let wanted: Vec<String> = expected.iter().map(|n| format!("<{n}>")).collect();
        Err(self.error_at_start(format!(
            "not {what}: the root element is <{}>, expected {}",
            root.name,
            wanted.join(" or ")
        )))
    }

    /// The next record, or `None` at the end of the document.
    /// `is_record(ancestors, name)` selects records; `ancestors` are the
    /// names of the open elements from the root down.
    pub fn next_record(
        &mut self,
        is_record: impl Fn(&[String], &str) -> bool,
    ) -> Result<Option<Node>, ParseError> {
        while !self.finished {
            match self.step(&is_record) {
                Ok(Some(node)) => {
                    self.records += 1;
                    return Ok(Some(node));
                }
                Ok(None) => {}
                Err(e) => {
                    self.finished = true;
                    return Err(e);
                }
            }
        }
        Ok(None)
    }

    /// Reads one event outside records; returns a record when one starts.
    fn step(
        &mut self,
        is_record: &dyn Fn(&[String], &str) -> bool,
    ) -> Result<Option<Node>, ParseError> {
        let event = self.cursor.read()?;
        match event {
            Event::Start(start) | Event::Empty(start) if self.root_closed => {
                let name = local_name(&start);
                Err(self.error_here(format!(
                    "element <{name}> after the end of the root element"
                )))
            }
            Event::Start(start) => {
                let node = self.cursor.node_of(&start)?;
                if self.root.is_none() {
                    self.root = Some(node.clone());
                }
                if is_record(&self.open, &node.name) {
                    return self.cursor.read_rest(node).map(Some);
                }
                self.open.push(node.name);
                Ok(None)
            }
            Event::Empty(start) => {
                let node = self.cursor.node_of(&start)?;
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
                        "unexpected end of file before </{innermost}>: the file is truncated"
                    )));
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }
}

/// An element [`Walker::next_open`] found open.
pub struct Opened {
    /// Its start tag, for [`Walker::read_node`] or [`Walker::skip`].
    pub start: BytesStart<'static>,
    /// The byte offset in the file just after the start tag.
    pub at: u64,
    /// 1 for the root element.
    pub depth: usize,
    /// The parent element's name ("" for the root).
    pub parent: String,
    pub name: String,
}

/// A step-by-step walk over an XML document's elements that reads whole
/// elements on request. Empty elements are reported as an open and a close.
/// Errors carry the file name and the byte offset.
pub struct Walker<'a> {
    cursor: Cursor<'a>,
    path: Vec<String>,
    saw_root: bool,
}

impl<'a> Walker<'a> {
    /// A walker over `text`, the decoded contents of `file`.
    pub fn new(file: &'a SourceFile, text: &'a str) -> Walker<'a> {
        let mut cursor = Cursor::new(
            &file.name,
            text,
            file.data.starts_with(b"\xef\xbb\xbf"),
            true,
        );
        cursor.positions = Positions::Bytes;
        Walker {
            cursor,
            path: Vec::new(),
            saw_root: false,
        }
    }

    /// Byte offset of the reader in the file.
    pub fn position(&self) -> u64 {
        self.cursor.position() + self.cursor.base
    }

    /// An error at the reader's current position.
    pub fn error(&self, message: impl Into<String>) -> ParseError {
        self.cursor.error_here(message)
    }

    /// An error at a byte offset of the file (as [`Walker::position`] gives).
    pub fn error_at(&self, offset: u64, message: impl Into<String>) -> ParseError {
        self.cursor
            .error_at(offset.saturating_sub(self.cursor.base), message)
    }

    /// The next element that opens (inside the elements opened and not
    /// read or skipped so far), or `None` at the end of the document. Read
    /// it whole with [`Walker::read_node`], skip it with [`Walker::skip`],
    /// or keep walking into it. Text between elements is skipped (its
    /// references are checked).
    pub fn next_open(&mut self) -> Result<Option<Opened>, ParseError> {
        loop {
            match self.cursor.read()? {
                Event::Start(start) => {
                    let name = local_name(&start);
                    let parent = self.path.last().cloned().unwrap_or_default();
                    self.path.push(name.clone());
                    self.saw_root = true;
                    return Ok(Some(Opened {
                        start: start.into_owned(),
                        at: self.position(),
                        depth: self.path.len(),
                        parent,
                        name,
                    }));
                }
                Event::End(_) => {
                    self.path.pop();
                }
                Event::Eof => {
                    if let Some(open) = self.path.last() {
                        return Err(self.error(format!(
                            "unexpected end of file inside <{open}>: the file is truncated"
                        )));
                    }
                    if !self.saw_root {
                        return Err(self.error("no XML element found"));
                    }
                    return Ok(None);
                }
                Event::GeneralRef(r) => {
                    self.cursor.resolve(&r)?;
                }
                _ => {}
            }
        }
    }

    /// Reads the element just opened (the last [`Walker::next_open`]) to
    /// its end into a [`Node`].
    pub fn read_node(&mut self, start: &BytesStart<'_>) -> Result<Node, ParseError> {
        let top = self.cursor.node_of(start)?;
        let node = self.cursor.read_rest(top)?;
        self.path.pop();
        Ok(node)
    }

    /// Skips the element just opened, without keeping its content.
    pub fn skip(&mut self, start: &BytesStart<'_>) -> Result<(), ParseError> {
        self.cursor.skip_rest(&local_name(start))?;
        self.path.pop();
        Ok(())
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

/// `male` / `female` from the publishers' spellings (M, F, Male, female…).
pub fn gender(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "m" | "male" | "man" => Some("male"),
        "f" | "female" | "woman" => Some("female"),
        _ => None,
    }
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
