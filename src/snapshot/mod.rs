//! Raw snapshots and list versions on disk, with validation before a version
//! may replace the last good one.
//!
//! Layout under the data directory:
//!
//! ```text
//! <data>/lists/<list dir>/            list id, ':' written as '.' (custom.mylist)
//!     current                         name of the last good version + "\n"
//!     state.json                      last error, last attempt, HTTP validators
//!     .lock                           held while a process writes this list
//!     versions/<version>/             one immutable directory per version
//!         raw/<file name>             the files exactly as imported
//!         entities.jsonl              one model::Entity as JSON per line
//!         meta.json                   VersionMeta
//! <data>/index/<key>/                 the index built from the current
//!                                     versions, kept for the next start
//!                                     (see crate::index::persist)
//! <data>/monitor/monitor.db           the monitor's SQLite database (WAL:
//!     monitor.db-wal, monitor.db-shm) customers, alerts, audit, outbox
//!                                     (see crate::monitor)
//! ```
//!
//! Version names are `<UTC yyyymmddThhmmssZ>-<first 8 hex of the combined
//! sha256>`, strictly increasing per list, so sorting names sorts by age.
//! A version is written into a `.tmp-*` directory, flushed, renamed into
//! `versions/`, and only then made current by atomically replacing `current`
//! (see [`fsio`]). [`Store::open`] removes what a crash left half-done.
//!
//! Replicas sharing a PostgreSQL database share the versions through it
//! ([`shared`]): the database says which version is current and holds the
//! raw files; this directory is each replica's working copy, which takes a
//! version published by another replica in with [`Store::adopt`].

pub mod fsio;
pub mod shared;
pub mod validate;

use crate::model::Entity;
use crate::parse::{self, Format, ParseError, ParsedList, SourceFile};
use crate::sources;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

pub use validate::DEFAULT_MAX_DROP;

/// The parse step the store runs on imported files. The default is
/// [`parse::parse`]; tests may substitute their own.
pub type ParseFn = fn(Format, &str, &[SourceFile]) -> Result<ParsedList, ParseError>;

/// Store settings.
#[derive(Debug, Clone, Copy)]
pub struct StoreConfig {
    /// Largest share of the current version's entities a new version may
    /// lose (0.0–1.0); larger drops are rejected. 1.0 turns the guard off.
    pub max_drop: f64,
    pub parser: ParseFn,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            max_drop: DEFAULT_MAX_DROP,
            parser: parse::parse,
        }
    }
}

/// One raw file of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    pub name: String,
    pub sha256: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// What is known about one stored version of a list (`meta.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionMeta {
    pub list_id: String,
    pub version: String,
    #[serde(with = "format_id")]
    pub format: Format,
    /// The publisher's date for the data, when the files (or the importer) state it.
    pub published: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
    /// Combined sha256 of the raw files (see [`combined_sha256`]).
    pub sha256: String,
    pub files: Vec<FileMeta>,
    pub entities: usize,
    /// Entity count by schema name.
    pub schemas: BTreeMap<String, usize>,
    /// Count of all names including aliases.
    pub names: usize,
    /// The version that was current when this one was imported.
    pub previous: Option<String>,
}

/// HTTP validators of one downloaded URL, for conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// The mutable per-list state (`state.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListState {
    /// The last failure (download, parse, validation), cleared by the next success.
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_error_at: Option<OffsetDateTime>,
    /// When an import or a fetch last ran, whatever its outcome.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_attempt: Option<OffsetDateTime>,
    /// When an import or a fetch last ended with the list up to date.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_success: Option<OffsetDateTime>,
    /// Validators of the files of the current data, by URL.
    #[serde(default)]
    pub validators: BTreeMap<String, Validators>,
}

/// Where the files of an import came from.
#[derive(Debug, Clone, Default)]
pub struct ImportOrigin {
    /// When the files were obtained; `None` means now.
    pub fetched_at: Option<OffsetDateTime>,
    /// Per file (by name): URL and HTTP validators.
    pub files: Vec<FileOrigin>,
    /// The publisher's date, used when the files themselves do not state one.
    pub published: Option<String>,
}

/// The origin of one imported file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileOrigin {
    pub name: String,
    pub url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The result of a successful import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new version was stored and is now current.
    New(VersionMeta),
    /// The files are byte-identical to the current version; nothing was stored.
    Unchanged(VersionMeta),
}

impl ImportOutcome {
    pub fn meta(&self) -> &VersionMeta {
        match self {
            ImportOutcome::New(m) | ImportOutcome::Unchanged(m) => m,
        }
    }
}

/// A list as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListStatus {
    pub id: String,
    pub current: Option<VersionMeta>,
    pub last_error: Option<String>,
    pub last_error_at: Option<OffsetDateTime>,
    pub last_attempt: Option<OffsetDateTime>,
    pub last_success: Option<OffsetDateTime>,
}

/// The difference between two versions of a list, by entity id.
pub use crate::model::diff::Changes;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: io::Error,
    },
    #[error("'{0}' is not a valid list id (lower-case letters, digits and '_', or custom:<name>)")]
    InvalidListId(String),
    #[error("{list_id}: no files given")]
    NoFiles { list_id: String },
    #[error("{list_id}: '{name}' is not usable as a file name (or is given twice)")]
    BadFileName { list_id: String, name: String },
    #[error("{list_id}: cannot tell the format of the files: {error}")]
    UnknownFormat {
        list_id: String,
        error: Box<ParseError>,
    },
    #[error("{list_id}: the {format} files could not be parsed: {error}; {kept}")]
    Parse {
        list_id: String,
        format: Format,
        error: Box<ParseError>,
        kept: String,
    },
    #[error("{list_id}: new version rejected: {reason}; {kept}")]
    Rejected {
        list_id: String,
        reason: String,
        kept: String,
    },
    #[error("{list_id}: there is no version '{version}'")]
    UnknownVersion { list_id: String, version: String },
    #[error("the data directory is damaged: {path}: {message}")]
    Corrupt { path: String, message: String },
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> StoreError + 'a {
    move |source| StoreError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}

/// The versioned list store under one data directory.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    config: StoreConfig,
}

/// Paths of one list's directory.
struct ListDir {
    id: String,
    dir: PathBuf,
}

impl ListDir {
    fn current(&self) -> PathBuf {
        self.dir.join("current")
    }
    fn state(&self) -> PathBuf {
        self.dir.join("state.json")
    }
    fn lock(&self) -> PathBuf {
        self.dir.join(".lock")
    }
    fn versions(&self) -> PathBuf {
        self.dir.join("versions")
    }
    fn version(&self, version: &str) -> PathBuf {
        self.versions().join(version)
    }
}

/// An exclusive lock on one list's directory (released on drop).
struct ListLock {
    _file: File,
}

impl Store {
    /// Opens (creating if needed) the store under `dir` with default settings.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(dir, StoreConfig::default())
    }

    /// Opens the store with explicit settings, and repairs what an
    /// interrupted write left behind: temporary files and directories are
    /// deleted, and a version that was stored but never made current is
    /// removed (its import was never acknowledged).
    pub fn open_with(dir: impl AsRef<Path>, config: StoreConfig) -> Result<Store, StoreError> {
        let root = dir.as_ref().to_path_buf();
        let lists = root.join("lists");
        fsio::create_dir_durable(&lists).map_err(io_err("create", &lists))?;
        let store = Store { root, config };
        for list in store.list_dirs()? {
            store.repair(&list)?;
        }
        Ok(store)
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    fn list_dir(&self, list_id: &str) -> Result<ListDir, StoreError> {
        if !crate::model::list_id::is_valid(list_id) {
            return Err(StoreError::InvalidListId(list_id.to_string()));
        }
        Ok(ListDir {
            id: list_id.to_string(),
            dir: self.root.join("lists").join(dir_name(list_id)),
        })
    }

    fn list_dirs(&self) -> Result<Vec<ListDir>, StoreError> {
        let lists = self.root.join("lists");
        let mut out = Vec::new();
        for entry in fs::read_dir(&lists).map_err(io_err("read", &lists))? {
            let entry = entry.map_err(io_err("read", &lists))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = id_of_dir_name(&name) else {
                continue;
            };
            if entry.path().is_dir() {
                out.push(ListDir {
                    id,
                    dir: entry.path(),
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    fn lock(&self, list: &ListDir) -> Result<ListLock, StoreError> {
        fsio::create_dir_durable(&list.dir).map_err(io_err("create", &list.dir))?;
        let path = list.lock();
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err("open", &path))?;
        file.lock().map_err(io_err("lock", &path))?;
        Ok(ListLock { _file: file })
    }

    /// Cleans one list directory unless another process is writing it.
    fn repair(&self, list: &ListDir) -> Result<(), StoreError> {
        let path = list.lock();
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err("open", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Ok(()),
            Err(fs::TryLockError::Error(e)) => return Err(io_err("lock", &path)(e)),
        }
        let n = fsio::remove_stray_temps(&list.dir).map_err(io_err("clean", &list.dir))?;
        let versions = list.versions();
        let mut n2 = 0;
        if versions.is_dir() {
            n2 = fsio::remove_stray_temps(&versions).map_err(io_err("clean", &versions))?;
            let current = self.read_current_name(list)?;
            if let Some(newest) = self.version_names(list)?.pop()
                && current.as_deref().is_none_or(|c| newest.as_str() > c)
            {
                let meta = read_meta(&list.version(&newest));
                if meta.is_ok_and(|m| m.previous == current) {
                    let orphan = list.version(&newest);
                    tracing::warn!(
                        list = %list.id,
                        version = %newest,
                        "removing a version whose import was interrupted before it became current"
                    );
                    fs::remove_dir_all(&orphan).map_err(io_err("remove", &orphan))?;
                    fsio::fsync_dir(&versions).map_err(io_err("sync", &versions))?;
                }
            }
        }
        if n + n2 > 0 {
            tracing::info!(list = %list.id, removed = n + n2, "removed temporary files of an interrupted write");
        }
        Ok(())
    }

    fn read_current_name(&self, list: &ListDir) -> Result<Option<String>, StoreError> {
        let path = list.current();
        match fs::read_to_string(&path) {
            Ok(s) => {
                let name = s.trim().to_string();
                if name.is_empty() {
                    return Err(StoreError::Corrupt {
                        path: path.display().to_string(),
                        message: "the file is empty".into(),
                    });
                }
                Ok(Some(name))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("read", &path)(e)),
        }
    }

    fn read_current(&self, list: &ListDir) -> Result<Option<VersionMeta>, StoreError> {
        match self.read_current_name(list)? {
            Some(name) => read_meta(&list.version(&name)).map(Some),
            None => Ok(None),
        }
    }

    /// Version directory names of a list, oldest first.
    fn version_names(&self, list: &ListDir) -> Result<Vec<String>, StoreError> {
        let dir = list.versions();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err("read", &dir)(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_err("read", &dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') && entry.path().is_dir() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    fn read_state(&self, list: &ListDir) -> Result<ListState, StoreError> {
        let path = list.state();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(ListState::default()),
            Err(e) => Err(io_err("read", &path)(e)),
        }
    }

    fn write_state(&self, list: &ListDir, state: &ListState) -> Result<(), StoreError> {
        let path = list.state();
        let mut bytes = serde_json::to_vec_pretty(state).map_err(|e| StoreError::Corrupt {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        bytes.push(b'\n');
        fsio::replace_file(&path, &bytes).map_err(io_err("write", &path))
    }

    /// Imports a file set as a new version of `list_id`.
    ///
    /// The format is detected from the content when `format` is `None`.
    /// Identical bytes to the current version give `Unchanged` without
    /// parsing. Otherwise the files are parsed and validated (see
    /// [`validate::validate`]); only a version that passes becomes current.
    /// Every failure is recorded as the list's `last_error` and leaves the
    /// current version in place.
    pub fn import(
        &self,
        list_id: &str,
        format: Option<Format>,
        files: Vec<SourceFile>,
        origin: ImportOrigin,
    ) -> Result<ImportOutcome, StoreError> {
        let list = self.list_dir(list_id)?;
        if files.is_empty() {
            return Err(StoreError::NoFiles {
                list_id: list_id.to_string(),
            });
        }
        let mut seen = std::collections::HashSet::new();
        for f in &files {
            if !sources::is_plain_file_name(&f.name) || !seen.insert(f.name.to_ascii_lowercase()) {
                return Err(StoreError::BadFileName {
                    list_id: list_id.to_string(),
                    name: f.name.clone(),
                });
            }
        }
        let _lock = self.lock(&list)?;
        let now = now_utc();
        let result = self.import_locked(&list, format, files, &origin, now);
        let mut state = match self.read_state(&list) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(list = %list_id, error = %e, "state.json unreadable; starting it afresh");
                ListState::default()
            }
        };
        state.last_attempt = Some(now);
        match &result {
            Ok(_) => {
                state.last_error = None;
                state.last_error_at = None;
                state.last_success = Some(now);
                // The validators describe the current data: an import from
                // disk (none given) must not leave a download's ETag behind,
                // or the next fetch would call the publisher's file unchanged.
                state.validators = origin
                    .files
                    .iter()
                    .filter(|f| f.etag.is_some() || f.last_modified.is_some())
                    .filter_map(|f| {
                        let v = Validators {
                            etag: f.etag.clone(),
                            last_modified: f.last_modified.clone(),
                        };
                        f.url.clone().map(|u| (u, v))
                    })
                    .collect();
            }
            Err(e) => {
                state.last_error = Some(e.to_string());
                state.last_error_at = Some(now);
            }
        }
        if let Err(e) = self.write_state(&list, &state) {
            tracing::warn!(list = %list_id, error = %e, "cannot record the import in state.json");
        }
        result
    }

    fn import_locked(
        &self,
        list: &ListDir,
        format: Option<Format>,
        files: Vec<SourceFile>,
        origin: &ImportOrigin,
        now: OffsetDateTime,
    ) -> Result<ImportOutcome, StoreError> {
        let list_id = list.id.as_str();
        let current = self.read_current(list)?;
        let file_hashes: Vec<String> = files.iter().map(|f| sha256_hex(&f.data)).collect();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        let combined = combined_sha256(&names, &file_hashes);
        if let Some(cur) = &current
            && cur.sha256 == combined
        {
            return Ok(ImportOutcome::Unchanged(cur.clone()));
        }
        let kept = match &current {
            Some(c) => format!("version {} stays current", c.version),
            None => "no version of this list is loaded yet".to_string(),
        };
        let format = match format {
            Some(f) => f,
            None => parse::detect_format(&files).map_err(|error| StoreError::UnknownFormat {
                list_id: list_id.to_string(),
                error: Box::new(error),
            })?,
        };
        let parsed =
            (self.config.parser)(format, list_id, &files).map_err(|error| StoreError::Parse {
                list_id: list_id.to_string(),
                format,
                error: Box::new(error),
                kept: kept.clone(),
            })?;
        validate::validate(
            list_id,
            &parsed.entities,
            current.as_ref().map(|c| c.entities),
            self.config.max_drop,
        )
        .map_err(|reason| StoreError::Rejected {
            list_id: list_id.to_string(),
            reason,
            kept,
        })?;

        let existing = self.version_names(list)?;
        let version = next_version_name(now, existing.last().map(String::as_str), &combined);
        let by_name: HashMap<&str, &FileOrigin> =
            origin.files.iter().map(|f| (f.name.as_str(), f)).collect();
        let file_metas = files
            .iter()
            .zip(&file_hashes)
            .map(|(f, sha)| {
                let o = by_name.get(f.name.as_str());
                FileMeta {
                    name: f.name.clone(),
                    sha256: sha.clone(),
                    size: f.data.len() as u64,
                    url: o.and_then(|o| o.url.clone()),
                    etag: o.and_then(|o| o.etag.clone()),
                    last_modified: o.and_then(|o| o.last_modified.clone()),
                }
            })
            .collect();
        let mut schemas = BTreeMap::new();
        for e in &parsed.entities {
            *schemas.entry(e.schema.to_string()).or_insert(0) += 1;
        }
        let meta = VersionMeta {
            list_id: list_id.to_string(),
            version: version.clone(),
            format,
            published: parsed
                .published
                .clone()
                .or_else(|| origin.published.clone()),
            fetched_at: origin
                .fetched_at
                .unwrap_or(now)
                .replace_nanosecond(0)
                .unwrap_or(now),
            sha256: combined,
            files: file_metas,
            entities: parsed.entities.len(),
            schemas,
            names: parsed.entities.iter().map(Entity::name_count).sum(),
            previous: current.as_ref().map(|c| c.version.clone()),
        };
        self.write_version(list, &meta, &files, &parsed.entities, true)?;
        Ok(ImportOutcome::New(meta))
    }

    /// Stores a version validated elsewhere (another replica published it to
    /// the shared database, see [`shared`]) under its own name and record:
    /// the raw files are parsed again with this store's parser, and the
    /// result must have the entity count the record states. It becomes
    /// current when it is newer than the current version. Nothing happens
    /// when the version is here already (besides becoming current).
    pub fn adopt(&self, meta: &VersionMeta, files: Vec<SourceFile>) -> Result<(), StoreError> {
        let list = self.list_dir(&meta.list_id)?;
        if !sources::is_plain_file_name(&meta.version) {
            return Err(StoreError::UnknownVersion {
                list_id: meta.list_id.clone(),
                version: meta.version.clone(),
            });
        }
        let _lock = self.lock(&list)?;
        let current = self.read_current_name(&list)?;
        let newer = current.as_deref().is_none_or(|c| meta.version.as_str() > c);
        if list.version(&meta.version).is_dir() {
            if newer {
                let path = list.current();
                fsio::replace_file(&path, format!("{}\n", meta.version).as_bytes())
                    .map_err(io_err("write", &path))?;
            }
            return Ok(());
        }
        let kept = "the version is not adopted".to_string();
        let parsed = (self.config.parser)(meta.format, &meta.list_id, &files).map_err(|error| {
            StoreError::Parse {
                list_id: meta.list_id.clone(),
                format: meta.format,
                error: Box::new(error),
                kept: kept.clone(),
            }
        })?;
        if parsed.entities.len() != meta.entities {
            return Err(StoreError::Rejected {
                list_id: meta.list_id.clone(),
                reason: format!(
                    "version {}: {} entities parsed from its files, its record states {}",
                    meta.version,
                    parsed.entities.len(),
                    meta.entities
                ),
                kept,
            });
        }
        self.write_version(&list, meta, &files, &parsed.entities, newer)
    }

    fn write_version(
        &self,
        list: &ListDir,
        meta: &VersionMeta,
        files: &[SourceFile],
        entities: &[Entity],
        make_current: bool,
    ) -> Result<(), StoreError> {
        let versions = list.versions();
        fsio::create_dir_durable(&versions).map_err(io_err("create", &versions))?;
        let tmp = list.dir.join(format!(
            "{}{}-{}",
            fsio::TMP_PREFIX,
            meta.version,
            std::process::id()
        ));
        let result = write_version_tree(&tmp, meta, files, entities);
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        let target = list.version(&meta.version);
        // The temp directory lives in the list directory, the target in
        // `versions/`: both on the same file system, so the rename is atomic.
        if let Err(e) = fsio::publish_dir(&tmp, &target) {
            let _ = fs::remove_dir_all(&tmp);
            return Err(io_err("store", &target)(e));
        }
        if !make_current {
            return Ok(());
        }
        let current = list.current();
        if let Err(e) = fsio::replace_file(&current, format!("{}\n", meta.version).as_bytes()) {
            // Not acknowledged: take the version away again so it cannot
            // surface later as if it had been accepted.
            let _ = fs::remove_dir_all(&target);
            return Err(io_err("write", &current)(e));
        }
        Ok(())
    }

    /// Records a failure for a list (e.g. a download error) without touching its versions.
    pub fn record_error(&self, list_id: &str, message: &str) -> Result<(), StoreError> {
        let list = self.list_dir(list_id)?;
        let _lock = self.lock(&list)?;
        let mut state = self.read_state(&list).unwrap_or_default();
        let now = now_utc();
        state.last_error = Some(message.to_string());
        state.last_error_at = Some(now);
        state.last_attempt = Some(now);
        self.write_state(&list, &state)
    }

    /// Records a check that found the list unchanged (e.g. HTTP 304): clears
    /// the last error and keeps the given validators.
    pub fn record_unchanged(
        &self,
        list_id: &str,
        validators: &BTreeMap<String, Validators>,
    ) -> Result<(), StoreError> {
        let list = self.list_dir(list_id)?;
        let _lock = self.lock(&list)?;
        let mut state = self.read_state(&list).unwrap_or_default();
        let now = now_utc();
        state.last_error = None;
        state.last_error_at = None;
        state.last_attempt = Some(now);
        state.last_success = Some(now);
        for (url, v) in validators {
            state.validators.insert(url.clone(), v.clone());
        }
        self.write_state(&list, &state)
    }

    /// The list's state (errors, attempts, validators); default when none is stored.
    pub fn state(&self, list_id: &str) -> Result<ListState, StoreError> {
        let list = self.list_dir(list_id)?;
        self.read_state(&list)
    }

    /// Every list the store holds anything for (a version or an error), by id.
    pub fn lists(&self) -> Vec<ListStatus> {
        let dirs = match self.list_dirs() {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the data directory");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for list in dirs {
            let current = self.read_current(&list).unwrap_or_else(|e| {
                tracing::warn!(list = %list.id, error = %e, "current version unreadable");
                None
            });
            let state = self.read_state(&list).unwrap_or_else(|e| {
                tracing::warn!(list = %list.id, error = %e, "state unreadable");
                ListState::default()
            });
            if current.is_none() && state == ListState::default() {
                continue;
            }
            out.push(ListStatus {
                id: list.id,
                current,
                last_error: state.last_error,
                last_error_at: state.last_error_at,
                last_attempt: state.last_attempt,
                last_success: state.last_success,
            });
        }
        out
    }

    /// The current (last good) version of a list.
    pub fn current(&self, list_id: &str) -> Option<VersionMeta> {
        let list = self.list_dir(list_id).ok()?;
        self.read_current(&list).unwrap_or_else(|e| {
            tracing::warn!(list = %list_id, error = %e, "current version unreadable");
            None
        })
    }

    /// Every stored version of a list, oldest first.
    pub fn versions(&self, list_id: &str) -> Vec<VersionMeta> {
        let Ok(list) = self.list_dir(list_id) else {
            return Vec::new();
        };
        let names = self.version_names(&list).unwrap_or_else(|e| {
            tracing::warn!(list = %list_id, error = %e, "cannot read versions");
            Vec::new()
        });
        names
            .iter()
            .filter_map(|n| match read_meta(&list.version(n)) {
                Ok(m) => Some(m),
                Err(e) => {
                    tracing::warn!(list = %list_id, version = %n, error = %e, "skipping unreadable version");
                    None
                }
            })
            .collect()
    }

    /// The metadata of one version.
    pub fn version(&self, list_id: &str, version: &str) -> Result<VersionMeta, StoreError> {
        let dir = self.existing_version_dir(list_id, version)?;
        read_meta(&dir)
    }

    fn existing_version_dir(&self, list_id: &str, version: &str) -> Result<PathBuf, StoreError> {
        let list = self.list_dir(list_id)?;
        let unknown = || StoreError::UnknownVersion {
            list_id: list_id.to_string(),
            version: version.to_string(),
        };
        if !sources::is_plain_file_name(version) {
            return Err(unknown());
        }
        let dir = list.version(version);
        if !dir.is_dir() {
            return Err(unknown());
        }
        Ok(dir)
    }

    /// The entities of one version, in the order the parser produced them.
    pub fn load_entities(&self, list_id: &str, version: &str) -> Result<Vec<Entity>, StoreError> {
        let dir = self.existing_version_dir(list_id, version)?;
        let path = dir.join("entities.jsonl");
        let file = File::open(&path).map_err(io_err("open", &path))?;
        let mut out = Vec::new();
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(io_err("read", &path))?;
            if line.trim().is_empty() {
                continue;
            }
            let e: Entity = serde_json::from_str(&line).map_err(|e| StoreError::Corrupt {
                path: path.display().to_string(),
                message: format!("line {}: {e}", i + 1),
            })?;
            out.push(e);
        }
        Ok(out)
    }

    /// One raw file of a version, as imported.
    pub fn read_raw(
        &self,
        list_id: &str,
        version: &str,
        name: &str,
    ) -> Result<Vec<u8>, StoreError> {
        let dir = self.existing_version_dir(list_id, version)?;
        if !sources::is_plain_file_name(name) {
            return Err(StoreError::BadFileName {
                list_id: list_id.to_string(),
                name: name.to_string(),
            });
        }
        let path = dir.join("raw").join(name);
        fs::read(&path).map_err(io_err("read", &path))
    }

    /// What changed between two versions of a list: entities added, removed
    /// (by id) and changed (any difference in schema, caption or properties).
    pub fn changes(
        &self,
        list_id: &str,
        from_version: &str,
        to_version: &str,
    ) -> Result<Changes, StoreError> {
        let old = self.load_entities(list_id, from_version)?;
        let new = self.load_entities(list_id, to_version)?;
        Ok(crate::model::diff::diff(&old, &new))
    }
}

fn write_version_tree(
    tmp: &Path,
    meta: &VersionMeta,
    files: &[SourceFile],
    entities: &[Entity],
) -> Result<(), StoreError> {
    let raw = tmp.join("raw");
    fs::create_dir_all(&raw).map_err(io_err("create", &raw))?;
    for f in files {
        let path = raw.join(&f.name);
        fsio::write_new_synced(&path, &f.data).map_err(io_err("write", &path))?;
    }
    fsio::fsync_dir(&raw).map_err(io_err("sync", &raw))?;

    let path = tmp.join("entities.jsonl");
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io_err("create", &path))?;
    let mut w = BufWriter::new(file);
    for e in entities {
        serde_json::to_writer(&mut w, e).map_err(|e| io_err("write", &path)(e.into()))?;
        w.write_all(b"\n").map_err(io_err("write", &path))?;
    }
    let file = w
        .into_inner()
        .map_err(|e| io_err("write", &path)(e.into_error()))?;
    file.sync_all().map_err(io_err("sync", &path))?;

    let path = tmp.join("meta.json");
    let mut bytes =
        serde_json::to_vec_pretty(meta).map_err(|e| io_err("write", &path)(e.into()))?;
    bytes.push(b'\n');
    fsio::write_new_synced(&path, &bytes).map_err(io_err("write", &path))?;
    fsio::fsync_dir(tmp).map_err(io_err("sync", tmp))
}

fn read_meta(version_dir: &Path) -> Result<VersionMeta, StoreError> {
    let path = version_dir.join("meta.json");
    let bytes = fs::read(&path).map_err(io_err("read", &path))?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

fn now_utc() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// The directory name of a list id: `custom:x` → `custom.x`.
pub fn dir_name(list_id: &str) -> String {
    list_id.replacen(':', ".", 1)
}

/// The list id of a directory name (inverse of [`dir_name`]); `None` for
/// names that are not list directories.
pub fn id_of_dir_name(name: &str) -> Option<String> {
    let id = name.replacen('.', ":", 1);
    crate::model::list_id::is_valid(&id).then_some(id)
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The one hash that identifies a file set: for a single file its own
/// sha256 (so it can be checked with `sha256sum`); for several, the sha256
/// of the `sha256sum`-style listing `"<sha256>  <name>\n"` sorted by name.
pub fn combined_sha256(names: &[&str], hashes: &[String]) -> String {
    if let ([_], [only]) = (names, hashes) {
        return only.clone();
    }
    let mut lines: Vec<String> = names
        .iter()
        .zip(hashes)
        .map(|(n, h)| format!("{h}  {n}\n"))
        .collect();
    lines.sort_by(|a, b| a.get(66..).cmp(&b.get(66..)));
    sha256_hex(lines.concat().as_bytes())
}

const VERSION_TIME: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");

/// A version name later than `latest`: the time `now` (bumped by whole
/// seconds past `latest` if the clock has not moved on) and 8 hex digits of
/// the content hash.
pub fn next_version_name(now: OffsetDateTime, latest: Option<&str>, sha256: &str) -> String {
    let mut t = now.to_offset(time::UtcOffset::UTC);
    if let Some(prev) = latest.and_then(|l| l.get(..16)).and_then(|p| {
        time::PrimitiveDateTime::parse(p, VERSION_TIME)
            .ok()
            .map(|d| d.assume_utc())
    }) && t < prev + time::Duration::seconds(1)
    {
        t = prev + time::Duration::seconds(1);
    }
    let stamp = t
        .format(VERSION_TIME)
        .unwrap_or_else(|_| "19700101T000000Z".to_string());
    let short = sha256.get(..8).unwrap_or(sha256);
    format!("{stamp}-{short}")
}

mod format_id {
    use crate::parse::Format;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(f: &Format, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(f.id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Format, D::Error> {
        let id = String::deserialize(d)?;
        Format::from_id(&id)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown format '{id}'")))
    }
}

#[cfg(test)]
mod tests;
