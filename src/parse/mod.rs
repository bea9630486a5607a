//! Parsing: one streaming parser per publisher format, each turning the
//! publisher's own files into [`Entity`] records of the common model.
//!
//! Every parser has the same shape, `parse(list_id, files) -> ParsedList`,
//! reads the bytes it is given with an event/record reader (never a DOM of the
//! whole file), and never panics: bad input is a [`ParseError`] that names the
//! file and the line or byte offset.

pub mod dates;

pub mod au_dfat;
pub mod ca_sema;
pub mod ch_seco;
pub(crate) mod csv_util;
pub mod custom_csv;
pub mod eu_xml;
pub mod ftm;
pub mod ofac_advanced;
pub mod ofac_csv;
pub mod ofac_enhanced;
pub mod ofac_xml;
pub mod ofsi;
pub mod uk_fcdo;
pub mod un_xml;
pub mod us_bis_dpl;
pub mod us_csl;
pub mod xlsx;
pub(crate) mod xml;

use crate::model::Entity;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::path::Path;

/// One input file: its name (as published, used to tell the files of a set
/// apart) and its bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub data: Vec<u8>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, data: Vec<u8>) -> SourceFile {
        SourceFile {
            name: name.into(),
            data,
        }
    }

    /// Reads a file from disk; the name is the file name without directories.
    /// A `.gz` file is decompressed and keeps its name without `.gz`.
    pub fn read(path: &Path) -> Result<SourceFile, ParseError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let data = std::fs::read(path)
            .map_err(|e| ParseError::new(&name, format!("cannot read {}: {e}", path.display())))?;
        SourceFile::new(name, data).gunzipped()
    }

    /// Decompresses gzip data (detected by its magic bytes); other data is returned unchanged.
    pub fn gunzipped(self) -> Result<SourceFile, ParseError> {
        if !self.data.starts_with(&[0x1f, 0x8b]) {
            return Ok(self);
        }
        use std::io::Read;
        let mut out = Vec::with_capacity(self.data.len() * 4);
        flate2::read::MultiGzDecoder::new(self.data.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| ParseError::new(&self.name, format!("broken gzip data: {e}")))?;
        let name = self
            .name
            .strip_suffix(".gz")
            .unwrap_or(&self.name)
            .to_string();
        Ok(SourceFile::new(name, out))
    }

    /// The lower-cased file name, for matching file roles ("sdn.csv", "alt.csv").
    pub fn lower_name(&self) -> String {
        self.name.to_ascii_lowercase()
    }
}

/// Where in a file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Location {
    Line(u64),
    Byte(u64),
    /// Spreadsheet row (1-based) in a named sheet.
    Row {
        sheet: String,
        row: u64,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(l) => write!(f, "line {l}"),
            Location::Byte(b) => write!(f, "byte {b}"),
            Location::Row { sheet, row } => write!(f, "sheet '{sheet}' row {row}"),
        }
    }
}

/// A parse failure. The whole file set is rejected; nothing is half-imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub file: String,
    pub location: Option<Location>,
    pub message: String,
}

impl ParseError {
    pub fn new(file: &str, message: impl Into<String>) -> ParseError {
        ParseError {
            file: file.to_string(),
            location: None,
            message: message.into(),
        }
    }

    pub fn at(file: &str, location: Location, message: impl Into<String>) -> ParseError {
        ParseError {
            file: file.to_string(),
            location: Some(location),
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{}: {}: {}", self.file, loc, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The result of parsing one file set.
#[derive(Debug, Clone, Default)]
pub struct ParsedList {
    pub entities: Vec<Entity>,
    /// The publisher's own date for the data (ISO date or date-time), when the files state it.
    pub published: Option<String>,
    /// What a person importing the set should know although the set was
    /// accepted (e.g. a file that ends early at a record boundary), one
    /// sentence each, naming the file.
    pub warnings: Vec<String>,
}

/// Makes source ids unique within one parse: a repeated id gets a suffix
/// with a number (`#2`, `#3` …, or `-2`, `-3` … for the lists whose ids use
/// `-`) and a warning, so that no record is lost or merged.
#[derive(Debug)]
pub(crate) struct UniqueIds {
    seen: HashSet<String>,
    separator: char,
}

impl Default for UniqueIds {
    fn default() -> UniqueIds {
        UniqueIds::with_separator('#')
    }
}

impl UniqueIds {
    pub(crate) fn with_separator(separator: char) -> UniqueIds {
        UniqueIds {
            seen: HashSet::new(),
            separator,
        }
    }

    /// The id to use for a record whose source id is `id` (trimmed).
    pub(crate) fn claim(&mut self, id: &str) -> String {
        self.claim_numbered(id).0
    }

    /// The id to use and the number in its suffix (1 when `id` was free).
    pub(crate) fn claim_numbered(&mut self, id: &str) -> (String, usize) {
        let id = id.trim().to_string();
        if self.seen.insert(id.clone()) {
            return (id, 1);
        }
        let mut n = 2;
        loop {
            let candidate = format!("{id}{}{n}", self.separator);
            if self.seen.insert(candidate.clone()) {
                tracing::warn!(id = %id, "repeated source id; kept as {candidate}");
                return (candidate, n);
            }
            n += 1;
        }
    }
}

/// The publisher formats the parsers understand. The ids are those of
/// `MANIFEST.toml` and `lists/sources.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    OfacCsv,
    OfacXml,
    OfacAdvancedXml,
    OfacEnhancedXml,
    UnXml,
    EuXml10,
    EuXml11,
    UkFcdoXml,
    OfsiXlsx,
    CaSemaXml,
    AuDfatXlsx,
    ChSecoXml,
    UsCslCsv,
    UsBisDpl,
    FtmJson,
    FtmSimpleCsv,
    CustomCsv,
}

impl Format {
    pub const ALL: [Format; 17] = [
        Format::OfacCsv,
        Format::OfacXml,
        Format::OfacAdvancedXml,
        Format::OfacEnhancedXml,
        Format::UnXml,
        Format::EuXml10,
        Format::EuXml11,
        Format::UkFcdoXml,
        Format::OfsiXlsx,
        Format::CaSemaXml,
        Format::AuDfatXlsx,
        Format::ChSecoXml,
        Format::UsCslCsv,
        Format::UsBisDpl,
        Format::FtmJson,
        Format::FtmSimpleCsv,
        Format::CustomCsv,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Format::OfacCsv => "ofac_csv",
            Format::OfacXml => "ofac_xml",
            Format::OfacAdvancedXml => "ofac_advanced_xml",
            Format::OfacEnhancedXml => "ofac_enhanced_xml",
            Format::UnXml => "un_xml",
            Format::EuXml10 => "eu_xml_1_0",
            Format::EuXml11 => "eu_xml_1_1",
            Format::UkFcdoXml => "uk_fcdo_xml",
            Format::OfsiXlsx => "ofsi_xlsx",
            Format::CaSemaXml => "ca_sema_xml",
            Format::AuDfatXlsx => "au_dfat_xlsx",
            Format::ChSecoXml => "ch_seco_xml",
            Format::UsCslCsv => "us_csl_csv",
            Format::UsBisDpl => "us_bis_dpl",
            Format::FtmJson => "ftm_json",
            Format::FtmSimpleCsv => "ftm_simple_csv",
            Format::CustomCsv => "custom_csv",
        }
    }

    pub fn from_id(id: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Parses a file set of a known format into entities of list `list_id`,
/// each shaped to FollowTheMoney's model ([`crate::model::ftm::conform`]).
pub fn parse(
    format: Format,
    list_id: &str,
    files: &[SourceFile],
) -> Result<ParsedList, ParseError> {
    let mut parsed = parse_as_written(format, list_id, files)?;
    for e in &mut parsed.entities {
        crate::model::ftm::conform(e);
    }
    Ok(parsed)
}

/// [`parse`] without the FtM step: the parties with every fact as a property,
/// as the parser wrote them (for tests that compare the two).
pub fn parse_as_written(
    format: Format,
    list_id: &str,
    files: &[SourceFile],
) -> Result<ParsedList, ParseError> {
    if files.is_empty() {
        return Err(ParseError::new("(none)", "no files given"));
    }
    for f in files {
        if f.data.iter().all(|b| b.is_ascii_whitespace() || *b == 0x1a) {
            return Err(ParseError::new(&f.name, "file is empty"));
        }
    }
    let parsed = match format {
        Format::OfacCsv => ofac_csv::parse(list_id, files),
        Format::OfacXml => ofac_xml::parse(list_id, files),
        Format::OfacAdvancedXml => ofac_advanced::parse(list_id, files),
        Format::OfacEnhancedXml => ofac_enhanced::parse(list_id, files),
        Format::UnXml => un_xml::parse(list_id, files),
        Format::EuXml10 | Format::EuXml11 => eu_xml::parse(list_id, files),
        Format::UkFcdoXml => uk_fcdo::parse(list_id, files),
        Format::OfsiXlsx => guard_xlsx(files, || ofsi::parse(list_id, files)),
        Format::CaSemaXml => ca_sema::parse(list_id, files),
        Format::AuDfatXlsx => guard_xlsx(files, || au_dfat::parse(list_id, files)),
        Format::ChSecoXml => ch_seco::parse(list_id, files),
        Format::UsCslCsv => us_csl::parse(list_id, files),
        Format::UsBisDpl => us_bis_dpl::parse(list_id, files),
        Format::FtmJson => ftm::parse_json(list_id, files),
        Format::FtmSimpleCsv => ftm::parse_simple_csv(list_id, files),
        Format::CustomCsv => custom_csv::parse(list_id, files),
    }?;
    let mut parsed = parsed;
    for e in &mut parsed.entities {
        e.finish();
    }
    Ok(parsed)
}

/// Runs an xlsx parser so that a panic inside the third-party workbook reader
/// (calamine overflows on some corrupted workbooks) becomes a parse error
/// naming the file, never a crash of the import or the service.
fn guard_xlsx(
    files: &[SourceFile],
    parse: impl FnOnce() -> Result<ParsedList, ParseError>,
) -> Result<ParsedList, ParseError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)).unwrap_or_else(|_| {
        let name = files.first().map(|f| f.name.as_str()).unwrap_or("(none)");
        Err(ParseError::new(
            name,
            "the workbook is damaged: the xlsx reader could not decode it",
        ))
    })
}

/// Recognises the format of a file set from the files' content (root XML
/// element and namespace, spreadsheet headers, CSV header or shape).
pub fn detect_format(files: &[SourceFile]) -> Result<Format, ParseError> {
    let first = files
        .first()
        .ok_or_else(|| ParseError::new("(none)", "no files given"))?;
    let mut found: Option<Format> = None;
    for f in files {
        let this = detect_one(f);
        match (found, this) {
            (_, None) => {}
            (None, Some(x)) => found = Some(x),
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => {
                return Err(ParseError::new(
                    &f.name,
                    format!("files of different formats given together ({a} and {b})"),
                ));
            }
        }
    }
    found.ok_or_else(|| {
        ParseError::new(
            &first.name,
            "format not recognised from the content; name it with --format",
        )
    })
}

fn detect_one(f: &SourceFile) -> Option<Format> {
    if f.data.starts_with(b"PK\x03\x04") {
        // A workbook, or a zip holding one XML list (OFAC's *_ENHANCED.ZIP).
        // The workbook reader may panic on damaged data: that is "not a workbook".
        return std::panic::catch_unwind(|| xlsx::detect(f))
            .unwrap_or(None)
            .or_else(|| {
                let head = zip_xml_head(f)?;
                xml_format(&String::from_utf8_lossy(&head))
            });
    }
    let head_len = f.data.len().min(8192);
    let head = String::from_utf8_lossy(&f.data[..head_len]);
    if xml_root(&head).is_some() {
        return xml_format(&head);
    }
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        return Some(Format::FtmJson);
    }
    let first_line = trimmed.lines().next().unwrap_or("");
    let lower = first_line.to_ascii_lowercase();
    if lower.starts_with("\"id\",\"schema\",\"name\"") || lower.starts_with("id,schema,name") {
        return Some(Format::FtmSimpleCsv);
    }
    if lower.starts_with("_id,source,entity_number") || lower.contains(",source,entity_number,") {
        return Some(Format::UsCslCsv);
    }
    if lower.starts_with("\"name\"\t\"street_address\"")
        || lower.starts_with("name\tstreet_address")
    {
        return Some(Format::UsBisDpl);
    }
    if ofac_csv::looks_like(f) {
        return Some(Format::OfacCsv);
    }
    if custom_csv::looks_like(f) {
        return Some(Format::CustomCsv);
    }
    None
}

/// The XML list format of a document, told from its root element.
fn xml_format(head: &str) -> Option<Format> {
    match xml_root(head)?.as_str() {
        "sdnList" => Some(Format::OfacXml),
        "Sanctions" => Some(Format::OfacAdvancedXml),
        "sanctionsData" => Some(Format::OfacEnhancedXml),
        "CONSOLIDATED_LIST" => Some(Format::UnXml),
        "export" => Some(Format::EuXml11),
        "WHOLE" => Some(Format::EuXml10),
        "Designations" | "ArrayOfFinalDesignation" => Some(Format::UkFcdoXml),
        "swiss-sanctions-list" => Some(Format::ChSecoXml),
        "data-set" => Some(Format::CaSemaXml),
        _ => None,
    }
}

/// Largest XML file accepted from inside a zip archive (the full OFAC SDN
/// list is about 100 MB uncompressed).
const MAX_UNZIPPED: u64 = 2 * 1024 * 1024 * 1024;

type ZipArchive<'a> = zip::ZipArchive<std::io::Cursor<&'a [u8]>>;

/// Opens a zip archive that holds exactly one `.xml` file (as OFAC
/// publishes its enhanced XML) and finds that file's index.
fn zip_with_one_xml(file: &SourceFile) -> Result<(ZipArchive<'_>, usize), ParseError> {
    let err = |m: String| ParseError::new(&file.name, m);
    let archive = zip::ZipArchive::new(std::io::Cursor::new(file.data.as_slice()))
        .map_err(|e| err(format!("broken zip archive: {e}")))?;
    let xml: Vec<usize> = (0..archive.len())
        .filter(|&i| {
            archive
                .name_for_index(i)
                .and_then(Result::ok)
                .is_some_and(|name| name.to_ascii_lowercase().ends_with(".xml"))
        })
        .collect();
    match xml.as_slice() {
        [one] => Ok((archive, *one)),
        [] => Err(err("the zip archive holds no .xml file".into())),
        _ => Err(err(format!(
            "the zip archive holds {} .xml files; expected one",
            xml.len()
        ))),
    }
}

/// The first 8 KiB of the one `.xml` file in a zip archive, to tell its
/// format; `None` when the archive is not such a zip.
fn zip_xml_head(file: &SourceFile) -> Option<Vec<u8>> {
    use std::io::Read;
    let (mut archive, index) = zip_with_one_xml(file).ok()?;
    let entry = archive.by_index(index).ok()?;
    let mut head = Vec::with_capacity(8192);
    entry.take(8192).read_to_end(&mut head).ok()?;
    Some(head)
}

/// The XML file inside a zip archive holding exactly one `.xml` file,
/// named `<archive>/<entry>`.
pub(crate) fn unzip_single_xml(file: &SourceFile) -> Result<SourceFile, ParseError> {
    use std::io::Read;
    let (mut archive, index) = zip_with_one_xml(file)?;
    let mut entry = archive
        .by_index(index)
        .map_err(|e| ParseError::new(&file.name, format!("cannot read the zip archive: {e}")))?;
    let inner = entry.name().map(|n| n.into_owned()).unwrap_or_default();
    let name = format!("{}/{}", file.name, inner);
    if entry.size() > MAX_UNZIPPED {
        return Err(ParseError::new(
            &name,
            "the file in the zip archive is too large",
        ));
    }
    let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 26));
    (&mut entry)
        .take(MAX_UNZIPPED + 1)
        .read_to_end(&mut data)
        .map_err(|e| ParseError::new(&name, format!("cannot unpack from the zip archive: {e}")))?;
    if data.len() as u64 > MAX_UNZIPPED {
        return Err(ParseError::new(
            &name,
            "the file in the zip archive is too large",
        ));
    }
    Ok(SourceFile::new(name, data))
}

/// The name of the first element of an XML document (prefix stripped).
fn xml_root(head: &str) -> Option<String> {
    let mut rest = head.trim_start_matches('\u{feff}');
    loop {
        let start = rest.find('<')?;
        rest = &rest[start..];
        if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!--") {
            rest = &rest[rest.find("-->")? + 3..];
        } else if rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            let name: String = rest[1..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            let local = name.rsplit(':').next().unwrap_or(&name).to_string();
            return (!local.is_empty()).then_some(local);
        }
    }
}

/// Decodes text files: UTF-8 (with or without BOM), UTF-16 with BOM, and
/// otherwise Windows-1252 (which covers Latin-1; OFAC's CSVs are Latin-1).
/// A trailing DOS end-of-file byte (0x1A) is dropped.
pub fn decode_text(file: &SourceFile) -> Cow<'_, str> {
    let mut data = file.data.as_slice();
    while let Some((&last, rest)) = data.split_last() {
        if last == 0x1a {
            data = rest;
        } else {
            break;
        }
    }
    if let Some(rest) = data.strip_prefix(b"\xef\xbb\xbf") {
        data = rest;
    }
    if data.starts_with(b"\xff\xfe") || data.starts_with(b"\xfe\xff") {
        let (text, _, _) = encoding_rs::Encoding::for_bom(data)
            .map(|(enc, _)| enc)
            .unwrap_or(encoding_rs::UTF_16LE)
            .decode(data);
        return Cow::Owned(text.into_owned());
    }
    match std::str::from_utf8(data) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(data);
            Cow::Owned(text.into_owned())
        }
    }
}

/// Finds the file of a set whose lower-cased name satisfies `pred`.
pub fn find_file(files: &[SourceFile], pred: impl Fn(&str) -> bool) -> Option<&SourceFile> {
    files.iter().find(|f| pred(&f.lower_name()))
}

/// The 1-based line number of a byte offset in `data` (for error messages
/// from readers that only report byte positions).
pub fn line_of_offset(data: &[u8], offset: u64) -> u64 {
    let end = (offset as usize).min(data.len());
    memchr::memchr_iter(b'\n', &data[..end]).count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_latin1_with_eof_byte() {
        let f = SourceFile::new("sdn.csv", b"1,\"CAF\xc9 S.A.\"\r\n\x1a".to_vec());
        assert_eq!(decode_text(&f), "1,\"CAFÉ S.A.\"\r\n");
    }

    #[test]
    fn xml_root_skips_prolog_and_comments() {
        assert_eq!(
            xml_root("<?xml version=\"1.0\"?>\n<!-- hi -->\n<export xmlns=\"x\">").as_deref(),
            Some("export")
        );
        assert_eq!(xml_root("<ns:sdnList>").as_deref(), Some("sdnList"));
        assert_eq!(xml_root("plain text"), None);
    }

    fn zip_of(entries: &[(&str, &str)]) -> SourceFile {
        use std::io::Write;
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            for (name, data) in entries {
                zip.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                zip.write_all(data.as_bytes()).unwrap();
            }
            zip.finish().unwrap();
        }
        SourceFile::new("list.zip", out.into_inner())
    }

    #[test]
    fn a_zip_with_one_xml_list_is_told_by_its_root() {
        let xml = "<?xml version=\"1.0\"?>\n<sanctionsData xmlns=\"x\"><entities/></sanctionsData>";
        let one = zip_of(&[("readme.txt", "hello"), ("CONS_ENHANCED.XML", xml)]);
        assert_eq!(detect_format(&[one]).ok(), Some(Format::OfacEnhancedXml));
        let un = zip_of(&[("consolidated.xml", "<CONSOLIDATED_LIST/>")]);
        assert_eq!(detect_format(&[un]).ok(), Some(Format::UnXml));
        // Two XML files, or none, or a broken archive: not recognised.
        let two = zip_of(&[("a.xml", xml), ("b.xml", xml)]);
        assert!(detect_format(&[two]).is_err());
        let none = zip_of(&[("a.txt", xml)]);
        assert!(detect_format(&[none]).is_err());
        let broken = SourceFile::new("x.zip", b"PK\x03\x04garbage".to_vec());
        assert!(detect_format(&[broken]).is_err());
    }

    #[test]
    fn empty_files_are_rejected_with_the_file_name() {
        let err = parse(
            Format::UnXml,
            "un_sc_sanctions",
            &[SourceFile::new("consolidated.xml", b"  \n".to_vec())],
        )
        .unwrap_err();
        assert_eq!(err.file, "consolidated.xml");
        assert!(err.message.contains("empty"));
    }

    #[test]
    fn repeated_ids_get_numbered_suffixes() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim(" QDi.001 "), "QDi.001");
        assert_eq!(ids.claim("QDi.001"), "QDi.001#2");
        assert_eq!(ids.claim("QDi.001"), "QDi.001#3");
        let mut ids = UniqueIds::with_separator('-');
        assert_eq!(ids.claim_numbered("A"), ("A".to_string(), 1));
        assert_eq!(ids.claim_numbered("A-2"), ("A-2".to_string(), 1));
        // "A-2" is taken by a record of its own, so the repeat of "A" is "A-3".
        assert_eq!(ids.claim_numbered("A"), ("A-3".to_string(), 3));
    }

    #[test]
    fn format_ids_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_id(f.id()), Some(f));
        }
    }
}
