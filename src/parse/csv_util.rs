//! Helpers the CSV list parsers (`custom_csv`, `us_csl`, `us_bis_dpl`,
//! `ftm`; `ofac_csv` for its `;` lists) share: a header-resolved CSV reader
//! ([`Table`], [`Columns`], [`entity_per_row`]), errors with the line of the
//! record, `;`-separated list cells, and the IMO number form those lists
//! write.

use super::{Location, ParseError, SourceFile, decode_text};
use crate::model::Entity;
use csv::StringRecord;

/// A CSV header resolved against the column names a parser knows.
pub(crate) struct Columns {
    known: &'static [&'static str],
    pos: Vec<Option<usize>>,
    /// Header cells that are not among `known`: (position, cell as written).
    pub(crate) unknown: Vec<(usize, String)>,
}

impl Columns {
    /// Maps the header cells (after `norm`) to the `known` names. Every name
    /// in `required` must be present; a known name may appear only once.
    pub(crate) fn resolve(
        file: &str,
        header: &StringRecord,
        known: &'static [&'static str],
        required: &[&str],
        norm: impl Fn(&str) -> String,
    ) -> Result<Columns, ParseError> {
        let mut pos = vec![None; known.len()];
        let mut unknown = Vec::new();
        for (i, cell) in header.iter().enumerate() {
            let name = norm(cell);
            match known.iter().position(|k| *k == name) {
                Some(k) => {
                    if pos[k].is_some() {
                        return Err(ParseError::at(
                            file,
                            Location::Line(1),
                            format!("column '{name}' appears twice in the header"),
                        ));
                    }
                    pos[k] = Some(i);
                }
                None => {
                    if !cell.trim().is_empty() {
                        unknown.push((i, cell.trim().to_string()));
                    }
                }
            }
        }
        for r in required {
            let found = known
                .iter()
                .position(|k| k == r)
                .and_then(|k| pos[k])
                .is_some();
            if !found {
                return Err(ParseError::at(
                    file,
                    Location::Line(1),
                    format!("required column '{r}' is missing from the header"),
                ));
            }
        }
        Ok(Columns {
            known,
            pos,
            unknown,
        })
    }

    fn index(&self, name: &str) -> Option<usize> {
        let k = self.known.iter().position(|k| *k == name);
        debug_assert!(
            k.is_some(),
            "column '{name}' is not among the known columns"
        );
        k.and_then(|k| self.pos.get(k).copied().flatten())
    }

    /// The trimmed value of a column in a record ("" when the column or the
    /// field is absent).
    pub(crate) fn get<'r>(&self, record: &'r StringRecord, name: &str) -> &'r str {
        self.index(name)
            .and_then(|i| record.get(i))
            .unwrap_or("")
            .trim()
    }
}

/// A header cell trimmed and lower-cased: the column spelling of the
/// published lists (`Name`, `Street_Address`, `_id`).
pub(crate) fn lower_column(cell: &str) -> String {
    cell.trim().to_ascii_lowercase()
}

/// A CSV file with a header row: the header resolved against the parser's
/// columns when the file is opened, then the records one by one.
pub(crate) struct Table<'t> {
    pub(crate) header: StringRecord,
    pub(crate) cols: Columns,
    pub(crate) rows: Rows<'t>,
}

/// The records of a [`Table`]; every reader error names the file and line.
pub(crate) struct Rows<'t> {
    file: &'t str,
    reader: csv::Reader<&'t [u8]>,
}

impl<'t> Table<'t> {
    /// Opens the decoded `text` of `file` with the reader settings of
    /// `builder`, and resolves its header (see [`Columns::resolve`]).
    pub(crate) fn open(
        file: &'t str,
        text: &'t str,
        builder: &csv::ReaderBuilder,
        known: &'static [&'static str],
        required: &[&str],
        norm: impl Fn(&str) -> String,
    ) -> Result<Table<'t>, ParseError> {
        let mut reader = builder.from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
        let cols = Columns::resolve(file, &header, known, required, norm)?;
        Ok(Table {
            header,
            cols,
            rows: Rows { file, reader },
        })
    }
}

impl Rows<'_> {
    /// Reads the next record into `record`; `false` at the end of the file.
    pub(crate) fn next(&mut self, record: &mut StringRecord) -> Result<bool, ParseError> {
        self.reader
            .read_record(record)
            .map_err(|e| csv_error(self.file, &e))
    }

    /// An error about `record`, at the line it starts on.
    pub(crate) fn error(&self, record: &StringRecord, message: impl Into<String>) -> ParseError {
        ParseError::at(self.file, Location::Line(record_line(record)), message)
    }
}

/// Reads every file of a set as a [`Table`] whose header must hold all of
/// `columns` (a published list's fixed header, matched after
/// [`lower_column`]) and turns each record into one entity with `row`; an
/// `Err` from `row` becomes an error at the record's line.
pub(crate) fn entity_per_row(
    files: &[SourceFile],
    builder: &csv::ReaderBuilder,
    columns: &'static [&'static str],
    mut row: impl FnMut(&Columns, &StringRecord) -> Result<Entity, String>,
) -> Result<Vec<Entity>, ParseError> {
    let mut entities = Vec::new();
    for file in files {
        let text = decode_text(file);
        let mut table = Table::open(&file.name, &text, builder, columns, columns, lower_column)?;
        let mut record = StringRecord::new();
        while table.rows.next(&mut record)? {
            let entity = row(&table.cols, &record).map_err(|msg| table.rows.error(&record, msg))?;
            entities.push(entity);
        }
    }
    Ok(entities)
}

/// The 1-based line a record starts on.
pub(crate) fn record_line(record: &StringRecord) -> u64 {
    record.position().map(|p| p.line()).unwrap_or(0)
}

/// A CSV reader error as a [`ParseError`] with the line it happened on.
pub(crate) fn csv_error(file: &str, err: &csv::Error) -> ParseError {
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields but the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "text is not valid UTF-8".to_string(),
        _ => format!("CSV error: {err}"),
    };
    match err.position() {
        Some(p) => ParseError::at(file, Location::Line(p.line()), message),
        None => ParseError::new(file, message),
    }
}

/// The non-empty, trimmed items of a `sep`-separated list.
pub(crate) fn split_list(s: &str, sep: char) -> impl Iterator<Item = &str> {
    s.split(sep).map(str::trim).filter(|v| !v.is_empty())
}

/// The first line of a file (at most 8 KiB), decoded leniently, without BOM.
pub(crate) fn first_line(file: &SourceFile) -> String {
    let data = file
        .data
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(&file.data);
    let head = &data[..data.len().min(8192)];
    let end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    String::from_utf8_lossy(&head[..end])
        .trim_end_matches('\r')
        .to_string()
}

/// The 7 digits of an IMO number written `9187629`, `IMO9187629` or `IMO 9187629`.
pub(crate) fn imo_digits(s: &str) -> Option<&str> {
    let t = s.trim();
    let rest = match t.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("imo") => t.get(3..).unwrap_or("").trim_start(),
        _ => t,
    };
    (rest.len() == 7 && rest.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imo_forms() {
        assert_eq!(imo_digits("IMO 9187629"), Some("9187629"));
        assert_eq!(imo_digits("imo9187629"), Some("9187629"));
        assert_eq!(imo_digits("9187629"), Some("9187629"));
        assert_eq!(imo_digits("IMO 15411"), None);
        assert_eq!(imo_digits("ÏMO"), None);
    }

    #[test]
    fn tables_name_the_line_of_a_bad_row() {
        let text = "Name\tCountry\nACME\tDE\nBAD\n";
        let mut table = Table::open(
            "dpl.txt",
            text,
            csv::ReaderBuilder::new().delimiter(b'\t'),
            &["name", "country"],
            &["name"],
            lower_column,
        )
        .unwrap();
        let mut record = StringRecord::new();
        assert!(table.rows.next(&mut record).unwrap());
        assert_eq!(table.cols.get(&record, "country"), "DE");
        assert_eq!(
            table.rows.error(&record, "x").location,
            Some(Location::Line(2))
        );
        let err = table.rows.next(&mut record).unwrap_err();
        assert_eq!(err.location, Some(Location::Line(3)));
        assert!(err.message.contains("fields"), "{err}");
    }
}
