//! The catalog of lists (`lists/sources.toml`): ids, URLs, formats, intervals;
//! and file-set manifests for imports from disk.

pub mod manifest;

/// True for the official sanctions lists (the `sanctions` collection):
/// export-control lists, aggregates and custom lists are not.
pub fn is_sanctions_list(id: &str) -> bool {
    !matches!(id, "us_trade_csl" | "us_bis_denied" | "opensanctions") && !id.starts_with("custom:")
}
