//! Parser for the `ofsi` format (not written yet).

use super::{ParseError, ParsedList, SourceFile};

pub fn parse(_list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let name = files.first().map(|f| f.name.as_str()).unwrap_or("(none)");
    Err(ParseError::new(name, "this format is not supported yet"))
}
