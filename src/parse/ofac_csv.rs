//! Parser for the `ofac_csv` format (not written yet).

use super::{ParseError, ParsedList, SourceFile};

pub fn parse(_list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let name = files.first().map(|f| f.name.as_str()).unwrap_or("(none)");
    Err(ParseError::new(name, "this format is not supported yet"))
}

/// True when the file looks like one of OFAC's header-less CSV files.
pub fn looks_like(_file: &SourceFile) -> bool {
    false
}
