//! The quality harness: runs the labelled development sets of
//! `../shared/eval/dev` through the same library calls the API uses and
//! reports recall, alert rate, precision/recall/F1 against the targets.

use crate::index::{LoadedList, ScreeningIndex};
use crate::matching::{Matcher, Query, ScreenOptions};
use crate::model::Entity;
use crate::parse;
use crate::sources::manifest::Manifest;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Targets a release must meet (issue 10, "Targets").
pub const TARGET_POSITIVES_RECALL: f64 = 0.99;
pub const TARGET_NEGATIVES_ALERT_RATE: f64 = 0.0015;
pub const TARGET_PAIRS_F1: f64 = 0.93;
pub const TARGET_CROSS_SCRIPT_RECALL: f64 = 0.95;
pub const TARGET_TYPOS_RECALL: f64 = 0.90;
pub const TARGET_OFSI_PERSONS_RECALL: f64 = 0.985;
pub const TARGET_OFSI_ORGANISATIONS_RECALL: f64 = 0.85;

/// The dev sets, by the name `--set` takes. `cross_script_ofsi.csv` is
/// reported as two sets, persons and organisations apart.
pub const SETS: [&str; 7] = [
    "positives",
    "negatives",
    "pairs",
    "cross_script",
    "typos",
    "ofsi_persons",
    "ofsi_organisations",
];

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{0}")]
    Manifest(#[from] crate::sources::manifest::ManifestError),
    #[error("{0}")]
    Parse(#[from] parse::ParseError),
    #[error("{0}")]
    Index(#[from] crate::index::IndexError),
    #[error("{0}")]
    Catalog(#[from] crate::sources::CatalogError),
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error(
        "unknown set '{0}' (sets: positives, negatives, pairs, cross_script, typos, ofsi_persons, ofsi_organisations)"
    )]
    UnknownSet(String),
}

/// One set's figures.
#[derive(Debug, Clone)]
pub struct SetReport {
    pub set: &'static str,
    pub line: String,
    /// The set's headline figure: recall@1, alert rate or F1.
    pub value: f64,
    pub passed: bool,
    /// Rows that missed (for inspection with `--verbose`).
    pub misses: Vec<String>,
}

/// Parses the default file set of every list in a manifest and indexes them.
pub fn index_manifest_defaults(manifest_path: &Path) -> Result<ScreeningIndex, EvalError> {
    let manifest = Manifest::load(manifest_path)?;
    let mut lists: Vec<(LoadedList, Vec<Entity>)> = Vec::new();
    for set in manifest.default_sets() {
        let files = manifest.read_files(set)?;
        let format = set
            .format()
            .ok_or_else(|| parse::ParseError::new(&set.format, "unknown format in manifest"))?;
        let parsed = parse::parse(format, &set.list, &files)?;
        lists.push((
            LoadedList {
                id: set.list.clone(),
                version: set.published.clone().unwrap_or_default(),
                entities: parsed.entities.len(),
            },
            parsed.entities,
        ));
    }
    let catalog = crate::sources::Catalog::builtin()?;
    let sanctions: BTreeSet<String> = catalog
        .sanctions_ids()
        .into_iter()
        .map(str::to_string)
        .collect();
    Ok(ScreeningIndex::build(lists, sanctions)?)
}

fn read_csv(path: &Path) -> Result<Vec<BTreeMap<String, String>>, EvalError> {
    let err = |m: String| EvalError::Read {
        path: path.display().to_string(),
        message: m,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let mut rows = Vec::new();
    for rec in rdr.deserialize::<BTreeMap<String, String>>() {
        rows.push(rec.map_err(|e| err(e.to_string()))?);
    }
    Ok(rows)
}

fn field<'a>(row: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    row.get(key)
        .map(String::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn recall_at_1(
    matcher: &Matcher,
    rows: &[BTreeMap<String, String>],
    lists: &[&str],
) -> (usize, usize, Vec<String>) {
    let queries: Vec<Query> = rows
        .iter()
        .map(|r| Query {
            name: field(r, "query_name").unwrap_or_default().to_string(),
            schema: field(r, "schema").map(str::to_string),
            birth_date: field(r, "birth_date").map(str::to_string),
            lists: lists.iter().map(|s| s.to_string()).collect(),
            ..Query::default()
        })
        .collect();
    let opts = ScreenOptions {
        limit: 3,
        ..ScreenOptions::default()
    };
    let results = matcher.screen_many(&queries, &opts);
    let mut hits = 0;
    let mut misses = Vec::new();
    for (row, res) in rows.iter().zip(results) {
        let expected = field(row, "expected_id").unwrap_or_default();
        let top = res.ok().and_then(|r| r.matches.into_iter().next());
        match top {
            Some(t) if t.entity.id == expected && t.is_match => hits += 1,
            other => misses.push(format!(
                "{} [{}] expected {} ({}), got {}",
                field(row, "query_name").unwrap_or_default(),
                field(row, "treatment")
                    .or(field(row, "script"))
                    .unwrap_or_default(),
                expected,
                field(row, "listed_name").unwrap_or_default(),
                other
                    .map(|t| format!("{} {:.3} ({})", t.entity.id, t.score, t.entity.caption))
                    .unwrap_or_else(|| "nothing".into())
            )),
        }
    }
    (hits, rows.len(), misses)
}

#[derive(Deserialize)]
struct PairRow {
    #[serde(default)]
    schema: Option<String>,
    #[serde(rename = "match")]
    is_match: bool,
    query: Query,
    candidate: Query,
}

/// Runs the sets (all, or the one named) and reports each.
pub fn run(
    matcher: &Matcher,
    dev_dir: &Path,
    only: Option<&str>,
) -> Result<Vec<SetReport>, EvalError> {
    if let Some(s) = only
        && !SETS.contains(&s)
    {
        return Err(EvalError::UnknownSet(s.to_string()));
    }
    let wanted = |s: &str| only.is_none_or(|o| o == s);
    let threshold = matcher.weights().threshold;
    let mut reports = Vec::new();
    if wanted("positives") {
        let rows = read_csv(&dev_dir.join("positives_ofac.csv"))?;
        let (hits, n, misses) = recall_at_1(matcher, &rows, &["us_ofac_sdn"]);
        let recall = hits as f64 / n.max(1) as f64;
        reports.push(SetReport {
            set: "positives",
            line: format!(
                "positives_ofac      recall@1 {recall:.4} ({hits}/{n}) at threshold {threshold:.2}  [target >= {TARGET_POSITIVES_RECALL}]"
            ),
            value: recall,
            passed: recall >= TARGET_POSITIVES_RECALL,
            misses,
        });
    }
    if wanted("negatives") {
        let rows = read_csv(&dev_dir.join("negatives_faker.csv"))?;
        let queries: Vec<Query> = rows
            .iter()
            .map(|r| Query {
                name: field(r, "query_name").unwrap_or_default().to_string(),
                schema: field(r, "schema").map(str::to_string),
                lists: vec!["sanctions".into()],
                ..Query::default()
            })
            .collect();
        let results = matcher.screen_many(&queries, &ScreenOptions::default());
        let mut alerts = Vec::new();
        let mut errors = 0;
        for (q, r) in queries.iter().zip(results) {
            match r {
                Ok(r) => {
                    if let Some(top) = r.matches.iter().find(|m| m.is_match) {
                        alerts.push(format!(
                            "{} -> {} {:.3} ({}): {}",
                            q.name,
                            top.entity.id,
                            top.score,
                            top.entity.caption,
                            top.explanation.summary
                        ));
                    }
                }
                Err(_) => errors += 1,
            }
        }
        let rate = alerts.len() as f64 / rows.len().max(1) as f64;
        reports.push(SetReport {
            set: "negatives",
            line: format!(
                "negatives_faker     alert rate {:.4} ({}/{}, {} errors)  [target <= {TARGET_NEGATIVES_ALERT_RATE}]",
                rate,
                alerts.len(),
                rows.len(),
                errors
            ),
            value: rate,
            passed: rate <= TARGET_NEGATIVES_ALERT_RATE,
            misses: alerts,
        });
    }
    if wanted("pairs") {
        let path = dev_dir.join("pairs_nomenklatura_checks.jsonl");
        let text = std::fs::read_to_string(&path).map_err(|e| EvalError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let (mut tp, mut fp, mut fneg, mut tn) = (0usize, 0usize, 0usize, 0usize);
        let mut misses = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let mut row: PairRow = serde_json::from_str(line).map_err(|e| EvalError::Read {
                path: path.display().to_string(),
                message: format!("line {}: {e}", i + 1),
            })?;
            if row.query.schema.is_none() {
                row.query.schema = row.schema.clone();
            }
            if row.candidate.schema.is_none() {
                row.candidate.schema = row.schema.clone();
            }
            let predicted = matcher
                .compare(&row.query, &row.candidate, None)
                .map(|c| (c.is_match, c.score))
                .unwrap_or((false, 0.0));
            match (row.is_match, predicted.0) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fneg += 1,
                (false, false) => tn += 1,
            }
            if row.is_match != predicted.0 {
                misses.push(format!(
                    "{} {:?} vs {:?}: score {:.3}",
                    if row.is_match { "FN" } else { "FP" },
                    row.query.full_name(),
                    row.candidate.full_name(),
                    predicted.1
                ));
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fneg).max(1) as f64;
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        reports.push(SetReport {
            set: "pairs",
            line: format!(
                "pairs_nomenklatura  precision {precision:.4} recall {recall:.4} F1 {f1:.4} (tp {tp} fp {fp} fn {fneg} tn {tn})  [target F1 >= {TARGET_PAIRS_F1}]"
            ),
            value: f1,
            passed: f1 >= TARGET_PAIRS_F1,
            misses,
        });
    }
    if wanted("cross_script") {
        let rows = read_csv(&dev_dir.join("cross_script.csv"))?;
        let (hits, n, misses) = recall_at_1(matcher, &rows, &["us_ofac_sdn"]);
        let recall = hits as f64 / n.max(1) as f64;
        reports.push(SetReport {
            set: "cross_script",
            line: format!(
                "cross_script        recall@1 {recall:.4} ({hits}/{n})  [target >= {TARGET_CROSS_SCRIPT_RECALL}]"
            ),
            value: recall,
            passed: recall >= TARGET_CROSS_SCRIPT_RECALL,
            misses,
        });
    }
    if wanted("typos") {
        let rows = read_csv(&dev_dir.join("positives_typos.csv"))?;
        reports.push(recall_report(
            matcher,
            "typos",
            "positives_typos    ",
            &rows,
            TARGET_TYPOS_RECALL,
        ));
    }
    if wanted("ofsi_persons") || wanted("ofsi_organisations") {
        let rows = read_csv(&dev_dir.join("cross_script_ofsi.csv"))?;
        let (persons, organisations): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|r| field(r, "schema") == Some("Person"));
        if wanted("ofsi_persons") {
            reports.push(recall_report(
                matcher,
                "ofsi_persons",
                "cross_script_ofsi persons",
                &persons,
                TARGET_OFSI_PERSONS_RECALL,
            ));
        }
        if wanted("ofsi_organisations") {
            reports.push(recall_report(
                matcher,
                "ofsi_organisations",
                "cross_script_ofsi organisations",
                &organisations,
                TARGET_OFSI_ORGANISATIONS_RECALL,
            ));
        }
    }
    Ok(reports)
}

/// Recall@1 of rows screened against `us_ofac_sdn` only, as one report.
fn recall_report(
    matcher: &Matcher,
    set: &'static str,
    label: &str,
    rows: &[BTreeMap<String, String>],
    target: f64,
) -> SetReport {
    let (hits, n, misses) = recall_at_1(matcher, rows, &["us_ofac_sdn"]);
    let recall = hits as f64 / n.max(1) as f64;
    SetReport {
        set,
        line: format!("{label} recall@1 {recall:.4} ({hits}/{n})  [target >= {target}]"),
        value: recall,
        passed: recall >= target,
        misses,
    }
}

/// `../shared/eval/dev` beside the working directory's project, or `$SCREENER_SHARED/eval/dev`.
pub fn default_dev_dir() -> PathBuf {
    shared_dir().join("eval/dev")
}

/// `../shared/lists-raw/MANIFEST.toml`, or under `$SCREENER_SHARED`.
pub fn default_manifest() -> PathBuf {
    shared_dir().join("lists-raw/MANIFEST.toml")
}

/// The dev sets for the crate's own tests: `../shared` from the crate root.
pub fn default_dev_dir_for_tests() -> PathBuf {
    crate_shared_dir().join("eval/dev")
}

/// The manifest for the crate's own tests and benches.
pub fn default_manifest_for_tests() -> PathBuf {
    crate_shared_dir().join("lists-raw/MANIFEST.toml")
}

fn crate_shared_dir() -> PathBuf {
    std::env::var("SCREENER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn shared_dir() -> PathBuf {
    std::env::var("SCREENER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("../shared"))
}
