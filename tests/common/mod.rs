//! Helpers shared by the integration tests: where the real list files and the
//! development sets live (outside the repository, in `../shared`).
#![allow(dead_code)]

pub mod postgres;
pub mod python;
pub mod serve;

use screener::parse::{self, ParsedList, SourceFile};
use screener::sources::manifest::{Manifest, ManifestSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// `../shared` next to the checkout, or `$SCREENER_SHARED`.
pub fn shared_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("SCREENER_SHARED") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

pub fn lists_raw() -> PathBuf {
    shared_dir().join("lists-raw")
}

pub fn manifest() -> Manifest {
    let path = lists_raw().join("MANIFEST.toml");
    Manifest::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Reads the files at paths relative to `lists-raw`.
pub fn read_raw(paths: &[&str]) -> Vec<SourceFile> {
    paths
        .iter()
        .map(|p| SourceFile::read(&lists_raw().join(p)).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// Parses one manifest set.
pub fn parse_set(manifest: &Manifest, set: &ManifestSet) -> ParsedList {
    let files = manifest.read_files(set).unwrap_or_else(|e| panic!("{e}"));
    let format = set.format().expect("known format");
    parse::parse(format, &set.list, &files)
        .unwrap_or_else(|e| panic!("{} {:?}: {e}", set.list, set.files))
}

/// The manifest set whose first file path contains `needle`.
pub fn set_with_file<'a>(manifest: &'a Manifest, needle: &str) -> &'a ManifestSet {
    manifest
        .sets
        .iter()
        .find(|s| s.files.iter().any(|f| f.contains(needle)))
        .unwrap_or_else(|| panic!("no manifest set with a file matching {needle}"))
}

/// A service over every default list of `MANIFEST.toml`, built once per
/// test binary (on its own thread, so async tests can call it).
pub fn default_service() -> Arc<screener::service::Service> {
    use screener::service::{ManifestSource, RefreshSettings, Service};
    static S: OnceLock<Arc<Service>> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        std::thread::spawn(|| {
            let source = ManifestSource::open(&screener::eval::default_manifest_for_tests())
                .unwrap_or_else(|e| panic!("{e}"));
            let service = Arc::new(Service::new(Arc::new(source), RefreshSettings::default()));
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let report = rt.block_on(service.load_initial());
            assert!(report.rebuilt, "{report:?}");
            service
        })
        .join()
        .expect("index built")
    }))
}
