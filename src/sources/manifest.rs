//! `MANIFEST.toml` files: file sets of official list files kept on disk, as
//! used by air-gapped imports (`screener import --manifest`) and the tests.

use crate::parse::{Format, ParseError, SourceFile};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One file set: the files of one list version in one format.
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestSet {
    pub list: String,
    pub format: String,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub sample: bool,
    #[serde(default)]
    pub published: Option<String>,
    pub files: Vec<String>,
    /// The entity count the set must parse to.
    #[serde(default)]
    pub entities: Option<usize>,
    /// The count by schema, where the source says the type.
    #[serde(default)]
    pub schemas: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Deserialize)]
struct ManifestFile {
    #[serde(default)]
    set: Vec<ManifestSet>,
}

/// A manifest with the directory its relative paths start from.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub dir: PathBuf,
    pub sets: Vec<ManifestSet>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read manifest {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("manifest {path} is not valid: {message}")]
    Invalid { path: String, message: String },
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let parsed: ManifestFile = toml::from_str(&text).map_err(|e| ManifestError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        for set in &parsed.set {
            if Format::from_id(&set.format).is_none() {
                return Err(ManifestError::Invalid {
                    path: path.display().to_string(),
                    message: format!("unknown format '{}' for list {}", set.format, set.list),
                });
            }
        }
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(Manifest {
            dir,
            sets: parsed.set,
        })
    }

    /// The sets marked `default = true`, in file order.
    pub fn default_sets(&self) -> impl Iterator<Item = &ManifestSet> {
        self.sets.iter().filter(|s| s.default)
    }

    /// Absolute paths of a set's files.
    pub fn paths(&self, set: &ManifestSet) -> Vec<PathBuf> {
        set.files.iter().map(|f| self.dir.join(f)).collect()
    }

    /// Reads a set's files (gzip is decompressed).
    pub fn read_files(&self, set: &ManifestSet) -> Result<Vec<SourceFile>, ParseError> {
        self.paths(set)
            .iter()
            .map(|p| SourceFile::read(p))
            .collect()
    }
}

impl ManifestSet {
    pub fn format(&self) -> Option<Format> {
        Format::from_id(&self.format)
    }
}
