//! `screener import`: list files from disk into the store, either one file
//! set named on the command line or the sets of a `MANIFEST.toml`.

use super::{CliError, CliResult, Context, parse_share, thousands};
use clap::Args;
use screener::parse::{Format, SourceFile};
use screener::snapshot::{FileOrigin, ImportOrigin, ImportOutcome, Store, StoreError};
use screener::sources::manifest::{Manifest, ManifestSet};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  screener import un_sc_sanctions consolidated.xml
  screener import us_ofac_sdn sdn.csv alt.csv add.csv sdn_comments.csv
  screener import custom:staff-pep pep.csv --format custom_csv
  screener import --manifest lists-raw/MANIFEST.toml
  screener import --manifest lists-raw/MANIFEST.toml --all

With --manifest, the sets marked `default = true` are imported, and the exit
status is 1 if any of them is not. With --all,
every set is imported, each list's sets ordered by their `published` date
(oldest first), so older and newer files of a list become successive versions
and the newest that passes the checks ends up current. A set the checks reject
(e.g. a short sample after the full list) is reported and skipped; the exit
status is then still 0. It is 1 when any set could not be read or parsed, or
when a list of the manifest ends without any version.")]
pub struct ImportArgs {
    /// The list to import into: a catalog id or custom:<name>.
    #[arg(required_unless_present = "manifest", conflicts_with = "manifest")]
    list_id: Option<String>,

    /// The files of one version of the list (gzip is decompressed).
    #[arg(
        required_unless_present = "manifest",
        conflicts_with = "manifest",
        value_name = "FILE"
    )]
    files: Vec<PathBuf>,

    /// Format id of the files; detected from their content when omitted.
    #[arg(long, value_name = "ID", conflicts_with = "manifest")]
    format: Option<String>,

    /// Import the file sets a MANIFEST.toml names (paths relative to it).
    #[arg(long, value_name = "MANIFEST.toml")]
    manifest: Option<PathBuf>,

    /// With --manifest: every set, not only the default ones.
    #[arg(long, requires = "manifest")]
    all: bool,

    /// Largest share of entities a new version may lose against the
    /// current one (0–1); a larger drop is rejected.
    #[arg(long, value_name = "SHARE", value_parser = parse_share)]
    max_drop: Option<f64>,
}

pub fn run(ctx: &Context, args: ImportArgs) -> CliResult {
    let catalog = ctx.catalog()?;
    let store = ctx.open_store(args.max_drop)?;
    if let Some(path) = &args.manifest {
        return import_manifest(&store, &catalog, path, args.all);
    }
    let list_id = args
        .list_id
        .ok_or_else(|| CliError::new("name the list to import into"))?;
    catalog.check_import_id(&list_id)?;
    let format = match &args.format {
        Some(id) => Some(parse_format(id)?),
        None => None,
    };
    let (files, origin) = read_files(&args.files)?;
    let outcome = store.import(&list_id, format, files, origin)?;
    println!("{}", describe(&list_id, &outcome));
    Ok(ExitCode::SUCCESS)
}

fn parse_format(id: &str) -> Result<Format, CliError> {
    Format::from_id(id).ok_or_else(|| {
        let known: Vec<&str> = Format::ALL.iter().map(|f| f.id()).collect();
        CliError::new(format!(
            "unknown format '{id}'; known formats: {}",
            known.join(", ")
        ))
    })
}

/// Reads files from disk, recording each one's absolute path as its origin.
fn read_files(paths: &[PathBuf]) -> Result<(Vec<SourceFile>, ImportOrigin), CliError> {
    let mut files = Vec::with_capacity(paths.len());
    let mut origin = ImportOrigin::default();
    for p in paths {
        let f = SourceFile::read(p)?;
        let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        origin.files.push(FileOrigin {
            name: f.name.clone(),
            url: Some(format!("file://{}", abs.display())),
            ..FileOrigin::default()
        });
        files.push(f);
    }
    Ok((files, origin))
}

fn describe(list_id: &str, outcome: &ImportOutcome) -> String {
    match outcome {
        ImportOutcome::New(m) => format!(
            "{list_id}: new version {} ({} entities, {} names)",
            m.version,
            thousands(m.entities),
            thousands(m.names)
        ),
        ImportOutcome::Unchanged(m) => {
            format!("{list_id}: unchanged (version {})", m.version)
        }
    }
}

fn import_manifest(
    store: &Store,
    catalog: &screener::sources::Catalog,
    path: &Path,
    all: bool,
) -> CliResult {
    let manifest = Manifest::load(path)?;
    let sets: Vec<&ManifestSet> = if all {
        chronological(&manifest.sets)
    } else {
        manifest.default_sets().collect()
    };
    if sets.is_empty() {
        return Err(CliError::new(format!(
            "{} names no {}file sets",
            path.display(),
            if all { "" } else { "default " }
        )));
    }
    let (mut new, mut unchanged, mut rejected, mut failed) = (0, 0, 0, 0);
    for set in &sets {
        let label = format!("{} [{}]", set.list, set.files.join(", "));
        match import_set(store, catalog, &manifest, set) {
            Ok(outcome) => {
                match outcome {
                    ImportOutcome::New(_) => new += 1,
                    ImportOutcome::Unchanged(_) => unchanged += 1,
                }
                println!("{}", describe(&label, &outcome));
            }
            Err(SetError::Rejected(msg)) => {
                rejected += 1;
                println!("{label}: rejected: {msg}");
            }
            Err(SetError::Failed(msg)) => {
                failed += 1;
                println!("{label}: failed: {msg}");
            }
        }
    }
    let mut without_version: Vec<&str> = sets
        .iter()
        .map(|s| s.list.as_str())
        .filter(|l| store.current(l).is_none())
        .collect();
    without_version.dedup();
    println!(
        "{} sets: {new} new, {unchanged} unchanged, {rejected} rejected, {failed} failed",
        sets.len()
    );
    let ok = failed == 0 && without_version.is_empty() && (all || rejected == 0);
    if !without_version.is_empty() {
        return Err(CliError::new(format!(
            "no version loaded for: {}",
            without_version.join(", ")
        )));
    }
    if ok {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::new(format!(
            "{} of {} sets were not imported",
            failed + rejected,
            sets.len()
        )))
    }
}

enum SetError {
    /// The validation guards refused the set.
    Rejected(String),
    /// The set could not be read or parsed.
    Failed(String),
}

fn import_set(
    store: &Store,
    catalog: &screener::sources::Catalog,
    manifest: &Manifest,
    set: &ManifestSet,
) -> Result<ImportOutcome, SetError> {
    catalog
        .check_import_id(&set.list)
        .map_err(|e| SetError::Failed(e.to_string()))?;
    let (files, mut origin) =
        read_files(&manifest.paths(set)).map_err(|e| SetError::Failed(e.to_string()))?;
    origin.published = set.published.as_deref().and_then(leading_date);
    match store.import(&set.list, set.format(), files, origin) {
        Ok(o) => Ok(o),
        Err(e @ StoreError::Rejected { .. }) => Err(SetError::Rejected(e.to_string())),
        Err(e) => Err(SetError::Failed(e.to_string())),
    }
}

/// The sets grouped by list (in order of first appearance), each list's sets
/// ordered by their leading `published` date, oldest first (stable).
fn chronological(sets: &[ManifestSet]) -> Vec<&ManifestSet> {
    let mut order: BTreeMap<&str, usize> = BTreeMap::new();
    for s in sets {
        let n = order.len();
        order.entry(s.list.as_str()).or_insert(n);
    }
    let mut out: Vec<&ManifestSet> = sets.iter().collect();
    out.sort_by_key(|s| {
        (
            order.get(s.list.as_str()).copied().unwrap_or(usize::MAX),
            s.published
                .as_deref()
                .and_then(leading_date)
                .unwrap_or_default(),
        )
    });
    out
}

/// The ISO date (or year-month) a free-text `published` starts with:
/// `"2024-05-03 (sdn.csv); …"` → `2024-05-03`, `"2025-05 (…)"` → `2025-05`.
fn leading_date(text: &str) -> Option<String> {
    let d: String = text
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    let d = d.trim_end_matches('-');
    (d.len() >= 4 && d.as_bytes().first().is_some_and(u8::is_ascii_digit)).then(|| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(list: &str, published: Option<&str>, file: &str) -> ManifestSet {
        ManifestSet {
            list: list.into(),
            format: "un_xml".into(),
            default: false,
            sample: false,
            published: published.map(str::to_string),
            files: vec![file.into()],
            entities: None,
            schemas: BTreeMap::new(),
        }
    }

    #[test]
    fn leading_dates() {
        assert_eq!(
            leading_date("2024-05-03 (sdn.csv); alt/add from 2025-12-24").as_deref(),
            Some("2024-05-03")
        );
        assert_eq!(
            leading_date("2025-05 (newest listing 2025-03-20)").as_deref(),
            Some("2025-05")
        );
        assert_eq!(leading_date("unknown"), None);
        assert_eq!(leading_date("12"), None);
    }

    #[test]
    fn all_sets_go_oldest_first_within_each_list() {
        let sets = vec![
            set("un", Some("2026-02-27"), "a"),
            set("eu", Some("2026-08-05"), "b"),
            set("un", Some("2025-04-19"), "c"),
            set("eu", Some("2016-02-11 (truncated)"), "d"),
            set("un", None, "e"),
        ];
        let files: Vec<&str> = chronological(&sets)
            .iter()
            .map(|s| s.files[0].as_str())
            .collect();
        assert_eq!(files, ["e", "c", "a", "d", "b"]);
    }
}
