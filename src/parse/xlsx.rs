//! Shared reading of xlsx workbooks for the spreadsheet-based lists (UK OFSI
//! ConList, Australia DFAT): opening a workbook from bytes, finding the data
//! sheet and its header row by the header names (never by sheet name or a
//! fixed row), streaming the rows as trimmed text, and recognising which
//! publisher format a workbook is.
//!
//! Rows are read with calamine's cell reader, one row at a time, so a sheet
//! is never materialised as a dense grid (a forged `dimension` or a stray
//! cell at `XFD1048576` cannot make us allocate billions of cells).

use super::{Format, Location, ParseError, SourceFile};
use calamine::{DataRef, Reader, Xlsx, XlsxCellReader, open_workbook_from_rs};
use std::io::Cursor;

/// How many rows at the top of a sheet are searched for the header row.
pub const HEADER_SCAN_ROWS: u64 = 30;

/// The widest row we accept (Excel's own limit is 16,384 columns).
const MAX_COLUMNS: u32 = 16_384;

/// Header names that identify an OFSI ConList sheet.
pub const OFSI_HEADERS: [&str; 3] = ["Name 6", "Group ID", "Group Type"];

/// Header names that identify an Australia DFAT consolidated list sheet.
pub const AU_DFAT_HEADERS: [&str; 3] = ["Reference", "Name of Individual or Entity", "Name Type"];

/// An open workbook and the name of the file it came from (for errors).
pub struct Workbook<'a> {
    file: String,
    xlsx: Xlsx<Cursor<&'a [u8]>>,
}

/// Opens the bytes of `file` as an xlsx workbook.
pub fn open(file: &SourceFile) -> Result<Workbook<'_>, ParseError> {
    let xlsx: Xlsx<_> = open_workbook_from_rs(Cursor::new(file.data.as_slice()))
        .map_err(|e| ParseError::new(&file.name, format!("not a readable xlsx workbook: {e}")))?;
    Ok(Workbook {
        file: file.name.clone(),
        xlsx,
    })
}

/// One row of a sheet: its 1-based row number and its cells as trimmed
/// text, indexed by 0-based column (A = 0). Missing cells read as "".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: u64,
    pub cells: Vec<String>,
}

impl Row {
    /// The text of a column, "" when the row has no such cell.
    pub fn get(&self, col: usize) -> &str {
        self.cells.get(col).map(String::as_str).unwrap_or("")
    }

    /// The text of an optional column ("" when the column is absent).
    pub fn opt(&self, col: Option<usize>) -> &str {
        col.map(|c| self.get(c)).unwrap_or("")
    }

    /// True when every cell is empty.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(String::is_empty)
    }
}

/// The header row found in a sheet: where it is and the column names
/// (normalised with [`header_key`]), indexed by 0-based column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub sheet: String,
    /// 1-based row number of the header row.
    pub row: u64,
    pub columns: Vec<String>,
}

impl Header {
    /// The column whose header is `name` (compared with [`header_key`]).
    pub fn col(&self, name: &str) -> Option<usize> {
        let key = header_key(name);
        self.columns.iter().position(|c| *c == key)
    }

    /// Like [`Header::col`], but a missing column is an error naming the file.
    pub fn require(&self, file: &str, name: &str) -> Result<usize, ParseError> {
        self.col(name).ok_or_else(|| {
            ParseError::at(
                file,
                Location::Row {
                    sheet: self.sheet.clone(),
                    row: self.row,
                },
                format!("the header row has no '{name}' column"),
            )
        })
    }
}

/// Normalises a header cell for comparison: trimmed, inner whitespace
/// collapsed, lower case.
pub fn header_key(s: &str) -> String {
    crate::model::collapse_whitespace(s).to_lowercase()
}

/// Finds the header row among `rows`: the first row that contains every
/// name of `required` (compared with [`header_key`]). Returns the row number
/// and the normalised column names.
pub fn find_header_row<I>(rows: I, required: &[&str]) -> Option<(u64, Vec<String>)>
where
    I: IntoIterator<Item = Row>,
{
    let wanted: Vec<String> = required.iter().map(|r| header_key(r)).collect();
    rows.into_iter().find_map(|row| {
        let keys: Vec<String> = row.cells.iter().map(|c| header_key(c)).collect();
        wanted
            .iter()
            .all(|w| keys.contains(w))
            .then_some((row.number, keys))
    })
}

impl<'a> Workbook<'a> {
    /// The file name the workbook was read from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The sheet names in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    /// A streaming reader over the rows of a sheet.
    pub fn rows(&mut self, sheet: &str) -> Result<SheetRows<'_, 'a>, ParseError> {
        let file = self.file.clone();
        let cells = self
            .xlsx
            .worksheet_cells_reader(sheet)
            .map_err(|e| ParseError::new(&file, format!("cannot read sheet '{sheet}': {e}")))?;
        Ok(SheetRows {
            file,
            sheet: sheet.to_string(),
            cells,
            pending: None,
            last_row: None,
            done: false,
        })
    }

    /// Finds the sheet whose header row (within the first
    /// [`HEADER_SCAN_ROWS`] rows) has every column of `required`. Sheets are
    /// tried in workbook order; the sheet's name does not matter.
    pub fn find_header(&mut self, required: &[&str]) -> Result<Header, ParseError> {
        let names = self.sheet_names();
        let mut problems = Vec::new();
        for name in &names {
            match self.scan_header(name, required) {
                Ok(Some((row, columns))) => {
                    return Ok(Header {
                        sheet: name.clone(),
                        row,
                        columns,
                    });
                }
                Ok(None) => problems.push(format!("'{name}'")),
                Err(e) => problems.push(format!("'{name}' ({})", e.message)),
            }
        }
        Err(ParseError::new(
            &self.file,
            format!(
                "no sheet has the expected header row (columns {}); sheets looked at: {}",
                required.join(", "),
                if problems.is_empty() {
                    "none".to_string()
                } else {
                    problems.join(", ")
                }
            ),
        ))
    }

    fn scan_header(
        &mut self,
        sheet: &str,
        required: &[&str],
    ) -> Result<Option<(u64, Vec<String>)>, ParseError> {
        let mut rows = self.rows(sheet)?;
        let mut top = Vec::new();
        while let Some(row) = rows.next_row()? {
            if row.number > HEADER_SCAN_ROWS {
                break;
            }
            top.push(row);
        }
        Ok(find_header_row(top, required))
    }
}

/// Rows of one sheet, read one at a time.
pub struct SheetRows<'w, 'a> {
    file: String,
    sheet: String,
    cells: XlsxCellReader<'w, Cursor<&'a [u8]>>,
    /// A cell read ahead that belongs to the next row: (row, col, text).
    pending: Option<(u32, u32, String)>,
    last_row: Option<u32>,
    /// The end of the sheet data was reached (the reader must not be asked again).
    done: bool,
}

impl SheetRows<'_, '_> {
    /// The sheet's name.
    pub fn sheet(&self) -> &str {
        &self.sheet
    }

    /// An error located at a row of this sheet.
    pub fn error_at(&self, row: u64, message: impl Into<String>) -> ParseError {
        ParseError::at(
            &self.file,
            Location::Row {
                sheet: self.sheet.clone(),
                row,
            },
            message,
        )
    }

    fn next_cell(&mut self) -> Result<Option<(u32, u32, String)>, ParseError> {
        if let Some(c) = self.pending.take() {
            return Ok(Some(c));
        }
        if self.done {
            return Ok(None);
        }
        let row_hint = self.last_row.map(|r| u64::from(r) + 1).unwrap_or(1);
        match self.cells.next_cell() {
            Ok(Some(cell)) => {
                let (r, c) = cell.get_position();
                Ok(Some((r, c, cell_text(cell.get_value()))))
            }
            Ok(None) => {
                self.done = true;
                Ok(None)
            }
            Err(e) => Err(self.error_at(row_hint, format!("broken sheet data: {e}"))),
        }
    }

    /// The next row that has at least one cell, or `None` at the end of the
    /// sheet. Rows without any cell are skipped (their numbers are kept).
    pub fn next_row(&mut self) -> Result<Option<Row>, ParseError> {
        let Some((row, col, text)) = self.next_cell()? else {
            return Ok(None);
        };
        if let Some(last) = self.last_row
            && row <= last
        {
            return Err(self.error_at(
                u64::from(row) + 1,
                format!(
                    "row {} comes after row {}: cells out of order",
                    row + 1,
                    last + 1
                ),
            ));
        }
        self.last_row = Some(row);
        let mut cells = Vec::new();
        self.put(&mut cells, row, col, text)?;
        while let Some((r, c, t)) = self.next_cell()? {
            if r != row {
                self.pending = Some((r, c, t));
                break;
            }
            self.put(&mut cells, row, c, t)?;
        }
        Ok(Some(Row {
            number: u64::from(row) + 1,
            cells,
        }))
    }

    fn put(
        &self,
        cells: &mut Vec<String>,
        row: u32,
        col: u32,
        text: String,
    ) -> Result<(), ParseError> {
        if col >= MAX_COLUMNS {
            return Err(self.error_at(
                u64::from(row) + 1,
                format!(
                    "cell in column {} is beyond the widest possible sheet",
                    col + 1
                ),
            ));
        }
        let col = col as usize;
        if text.is_empty() {
            return Ok(());
        }
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        if let Some(slot) = cells.get_mut(col) {
            *slot = text;
        }
        Ok(())
    }
}

/// The text of a cell: strings trimmed; whole numbers without ".0"; dates
/// (numbers with a date format) as ISO `YYYY-MM-DD` (with `THH:MM:SS` when
/// the time is not midnight); error cells and empty cells as "".
pub fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
                if (hh, mm, ss) == (0, 0, 0) {
                    format!("{y:04}-{m:02}-{d:02}")
                } else {
                    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}")
                }
            } else {
                number_text(dt.as_f64())
            }
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.trim().to_string(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// A number as text: whole numbers without a fractional part ("2", not "2.0").
pub fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Converts an Excel serial day number (1900 date system) to an ISO date,
/// for date columns whose cells lost their date format. Values outside
/// 1900-03-01..=9999-12-31 give `None`.
pub fn serial_to_iso(serial: f64) -> Option<String> {
    if !serial.is_finite() || !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Days since 1899-12-30 (Excel's 1900 leap-year bug makes this right from March 1900).
    let days = serial.floor() as i64 - 25_569; // 1970-01-01 is serial 25569
    let date = time::Date::from_julian_day(2_440_588 + days as i32).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// A date cell's text as an ISO date: ISO text passes through, a bare
/// serial number (a date cell that lost its format) is converted, other
/// text goes through [`super::dates::parse_date`].
pub fn date_text(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.len() == 5
        && let Ok(n) = t.parse::<f64>()
    {
        return serial_to_iso(n);
    }
    super::dates::parse_date(t)
}

/// Recognises which xlsx publisher format a workbook is, from the header
/// row of its sheets: OFSI ConList ("Name 6", "Group ID", "Group Type") or
/// Australia DFAT ("Reference", "Name of Individual or Entity", "Name Type").
pub fn detect(file: &SourceFile) -> Option<Format> {
    let mut wb = open(file).ok()?;
    for sheet in wb.sheet_names() {
        let Ok(mut rows) = wb.rows(&sheet) else {
            continue;
        };
        let mut top = Vec::new();
        while let Ok(Some(row)) = rows.next_row() {
            if row.number > HEADER_SCAN_ROWS {
                break;
            }
            top.push(row);
        }
        if find_header_row(top.iter().cloned(), &OFSI_HEADERS).is_some() {
            return Some(Format::OfsiXlsx);
        }
        if find_header_row(top, &AU_DFAT_HEADERS).is_some() {
            return Some(Format::AuDfatXlsx);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: u64, cells: &[&str]) -> Row {
        Row {
            number,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn header_row_is_found_below_a_title_line() {
        let rows = vec![
            row(1, &["Last Updated", "14/04/2025"]),
            row(2, &["Name 6", "Name 1", " Group  Type ", "GROUP ID"]),
            row(3, &["MITHOO", "Mian", "Individual", "15672"]),
        ];
        let (n, cols) = find_header_row(rows, &OFSI_HEADERS).unwrap();
        assert_eq!(n, 2);
        assert_eq!(cols, ["name 6", "name 1", "group type", "group id"]);
        let h = Header {
            sheet: "Renamed".into(),
            row: n,
            columns: cols,
        };
        assert_eq!(h.col("Group ID"), Some(3));
        assert_eq!(h.col("Regime"), None);
        let err = h.require("ConList.xlsx", "Regime").unwrap_err();
        assert_eq!(err.file, "ConList.xlsx");
        assert!(err.message.contains("Regime"));
    }

    #[test]
    fn no_header_row_gives_none() {
        let rows = vec![row(1, &["Reference", "Name"]), row(2, &["1", "X"])];
        assert!(find_header_row(rows, &AU_DFAT_HEADERS).is_none());
    }

    #[test]
    fn numbers_and_serial_dates() {
        assert_eq!(number_text(2.0), "2");
        assert_eq!(number_text(-7.0), "-7");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(serial_to_iso(45607.0).as_deref(), Some("2024-11-11"));
        assert_eq!(serial_to_iso(25569.0).as_deref(), Some("1970-01-01"));
        assert_eq!(serial_to_iso(-3.0), None);
        assert_eq!(serial_to_iso(f64::NAN), None);
        assert_eq!(date_text("45607").as_deref(), Some("2024-11-11"));
        assert_eq!(date_text("2024-11-11").as_deref(), Some("2024-11-11"));
        assert_eq!(date_text("14/04/2025").as_deref(), Some("2025-04-14"));
        assert_eq!(date_text("1965"), Some("1965".to_string()));
    }
}
