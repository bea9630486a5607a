//! Shared reading of xlsx workbooks (not written yet).

use super::{Format, SourceFile};

/// Recognises which xlsx publisher format a workbook is.
pub fn detect(_file: &SourceFile) -> Option<Format> {
    None
}
