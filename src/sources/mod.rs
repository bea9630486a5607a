//! The catalog of lists (`lists/sources.toml`): ids, URLs, formats, intervals;
//! and file-set manifests for imports from disk.

pub mod manifest;
