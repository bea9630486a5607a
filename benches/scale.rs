//! OpenSanctions-scale data: writes an FtM NDJSON list of N entities made
//! from the real lists' names (see `support/scale_data.rs`), imports it as
//! the `opensanctions` list into a fresh data directory the way `screener
//! import` does (snapshot store: parse, FtM step, validation, stored
//! version), builds the index as `serve` does on start (`build_from_store`,
//! which also stores the built index), reads that stored index back as a
//! restart does, and measures:
//!
//! - import and index build seconds, and the restart's read-back seconds;
//! - memory: VmRSS before the import, VmHWM during the build (its transient
//!   peak), VmRSS after the build, and the serving VmRSS once freed memory
//!   is handed back to the OS, per entity;
//! - single-screening latency (p50/p99/max) in-process through
//!   `Matcher::screen`, the call the API makes, over queries drawn from the
//!   generated names: exact hits, near misses (one letter dropped or two
//!   swapped) and clean names (given and family names recombined anew).
//!
//! Run (release; see docs/SCALE.md):
//! `nice -n 10 cargo bench --bench scale -- --entities 100000`
//! Options: `--entities N` (default 100000), `--dir PATH` (default
//! `target/scale-bench`; emptied first), `--queries N` per kind (default
//! 500), `--seed N`, `--read-back` (keep `--dir` from an earlier run of the
//! same `--entities` and `--seed`, and measure only a restart, in this fresh
//! process: no earlier build's freed memory sits in its heap).

#[path = "support/scale_data.rs"]
mod scale_data;

use scale_data::{NamePools, Rng, Sample};
use screener::eval;
use screener::matching::{Matcher, Query, ScreenOptions};
use screener::parse::{Format, SourceFile};
use screener::snapshot::{ImportOrigin, Store};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    entities: usize,
    dir: PathBuf,
    queries: usize,
    seed: u64,
    read_back: bool,
}

fn args() -> Args {
    let mut a = Args {
        entities: 100_000,
        dir: PathBuf::from("target/scale-bench"),
        queries: 500,
        seed: 15,
        read_back: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("option needs a value");
        match arg.as_str() {
            "--entities" => a.entities = value().parse().expect("--entities N"),
            "--dir" => a.dir = PathBuf::from(value()),
            "--queries" => a.queries = value().parse().expect("--queries N"),
            "--seed" => a.seed = value().parse().expect("--seed N"),
            "--read-back" => a.read_back = true,
            // cargo bench passes --bench; criterion-style filters are ignored.
            _ => {}
        }
    }
    a
}

/// A field of /proc/self/status in bytes (Linux; 0 elsewhere).
fn proc_status_bytes(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn rss() -> u64 {
    proc_status_bytes("VmRSS:")
}

fn hwm() -> u64 {
    proc_status_bytes("VmHWM:")
}

/// The parts of RSS: the process's own memory (heap) and the pages of
/// mapped files (the tantivy index), which the OS can drop and read again.
fn rss_split() -> String {
    format!(
        "{} anonymous (heap), {} file-backed (mapped index files)",
        mb(proc_status_bytes("RssAnon:")),
        mb(proc_status_bytes("RssFile:"))
    )
}

/// Starts a new peak: VmHWM falls back to the current RSS (Linux ≥ 4.0).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Hands memory the allocator holds but no longer uses back to the OS, so
/// that RSS shows what the index keeps, not what its build left free. The
/// crate allocates with mimalloc (`src/lib.rs`), which keeps freed pages for
/// reuse; glibc's `malloc_trim` would return nothing of them.
fn release_free_memory() {
    // SAFETY: mi_collect only frees pages mimalloc holds unused; no pointer
    // of ours is involved.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

fn mb(b: u64) -> String {
    format!("{:.0} MB", b as f64 / 1e6)
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// One letter dropped or two neighbours swapped in the family name (the
/// last word), as a typist does.
fn near_miss(name: &str, rng: &mut Rng) -> String {
    let mut words: Vec<Vec<char>> = name.split(' ').map(|w| w.chars().collect()).collect();
    let Some(last) = words.last_mut() else {
        return name.to_string();
    };
    if last.len() >= 4 {
        let i = 1 + rng.below(last.len() - 2);
        if rng.chance(50) {
            last.remove(i);
        } else {
            last.swap(i, i + 1);
        }
    }
    words
        .iter()
        .map(|w| w.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn queries(
    samples: &[Sample],
    pools: &NamePools,
    n: usize,
    rng: &mut Rng,
) -> Vec<(&'static str, Query)> {
    let query = |name: String, schema: &str, birth_date: Option<String>| Query {
        name,
        schema: Some(schema.to_string()),
        birth_date,
        ..Query::default()
    };
    let mut out = Vec::new();
    for _ in 0..n {
        let s = rng.pick(samples);
        out.push(("hit", query(s.name.clone(), s.schema, s.birth_date.clone())));
    }
    for _ in 0..n {
        let s = rng.pick(samples);
        out.push(("near miss", query(near_miss(&s.name, rng), s.schema, None)));
    }
    for _ in 0..n {
        let name = format!("{} {}", rng.pick(&pools.given), rng.pick(&pools.family));
        out.push(("clean", query(name, "Person", None)));
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn main() {
    let a = args();
    let n = a.entities;
    if !a.read_back {
        let _ = std::fs::remove_dir_all(&a.dir);
    }
    std::fs::create_dir_all(&a.dir).expect("bench directory");
    let list_path = a.dir.join("entities.ftm.json");

    let started = Instant::now();
    let pools = scale_data::name_pools(&eval::default_manifest_for_tests());
    println!(
        "name pools: {} given, {} family, {} non-Latin given, {} non-Latin family, {}/{} organisation heads/tails",
        pools.given.len(),
        pools.family.len(),
        pools.given_other.len(),
        pools.family_other.len(),
        pools.org_heads.len(),
        pools.org_tails.len()
    );
    let sample_every = (n / (4 * a.queries).max(1)).max(1);
    let samples =
        scale_data::write_list(&pools, n, a.seed, &list_path, sample_every).expect("list written");
    let file_bytes = std::fs::metadata(&list_path).map_or(0, |m| m.len());
    println!(
        "generated {n} entities ({}) in {}",
        mb(file_bytes),
        secs(started.elapsed())
    );
    let mut rng = Rng::new(a.seed ^ 0x5ca1e);
    let queries = queries(&samples, &pools, a.queries, &mut rng);
    drop(pools);
    release_free_memory();

    let data = a.dir.join("data");
    let sanctions: BTreeSet<String> = screener::sources::Catalog::builtin()
        .expect("catalog")
        .sanctions_ids()
        .into_iter()
        .map(str::to_string)
        .collect();
    let store = Store::open(&data).expect("store");
    let built = if a.read_back {
        None
    } else {
        Some(import_and_build(&store, &list_path, &sanctions, n))
    };

    // A restart: the stored index read back (what a second start costs).
    release_free_memory();
    let rss_restart_before = rss();
    reset_peak();
    let t = Instant::now();
    let index = screener::index::build_from_store(&store, sanctions).expect("index read back");
    assert_eq!(index.len(), n, "every generated entity is read back");
    let restart_time = t.elapsed();
    let restart_peak = hwm();
    release_free_memory();
    let rss_restarted = rss();
    let restarted_split = rss_split();
    let index_disk = dir_bytes(&data.join("index"));

    // Latency through the call the API makes.
    let matcher = Matcher::new(Arc::new(index));
    let opts = ScreenOptions::default();
    for (_, q) in queries.iter().take(200) {
        let _ = matcher.screen(q, &opts);
    }
    let mut by_kind: Vec<(&str, Vec<Duration>, usize)> = Vec::new();
    let mut all = Vec::new();
    for (kind, q) in &queries {
        let t = Instant::now();
        let result = matcher.screen(q, &opts).expect("query screened");
        let d = t.elapsed();
        all.push(d);
        let alerted = result.matches.iter().any(|m| m.is_match);
        match by_kind.iter_mut().find(|(k, _, _)| k == kind) {
            Some((_, times, alerts)) => {
                times.push(d);
                *alerts += usize::from(alerted);
            }
            None => by_kind.push((kind, vec![d], usize::from(alerted))),
        }
    }
    all.sort();

    println!();
    println!("== scale benchmark: {n} entities ==");
    if let Some(b) = &built {
        b.print();
    } else {
        println!("(--read-back: the stored index of an earlier run, read in a fresh process)");
    }
    println!("restart (stored index read back): {}", secs(restart_time));
    println!(
        "serving RSS after a restart: {} ({} bytes/entity; read-back peak {})",
        mb(rss_restarted),
        rss_restarted.saturating_sub(rss_restart_before) / n.max(1) as u64,
        mb(restart_peak)
    );
    println!("  of which {restarted_split}");
    println!("stored index on disk: {}", mb(index_disk));
    for (kind, mut times, alerts) in by_kind {
        times.sort();
        println!(
            "screen one, {kind:>9}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({alerts}/{} alerted)",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(times.last().copied().unwrap_or_default()),
            times.len()
        );
    }
    println!(
        "screen one, all: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        ms(all.last().copied().unwrap_or_default())
    );
}

/// What importing the list and building its index took.
struct BuildFigures {
    import_time: Duration,
    build_time: Duration,
    rss_before: u64,
    peak: u64,
    rss_built: u64,
    rss_serving: u64,
    serving_split: String,
    per_entity: u64,
}

impl BuildFigures {
    fn print(&self) {
        println!(
            "import (parse + FtM + validate + store): {}",
            secs(self.import_time)
        );
        println!(
            "index build (analysis + tantivy + stored index): {}",
            secs(self.build_time)
        );
        println!(
            "import + build: {}",
            secs(self.import_time + self.build_time)
        );
        println!("RSS before import: {}", mb(self.rss_before));
        println!("peak RSS during import + build (VmHWM): {}", mb(self.peak));
        println!("RSS after build: {}", mb(self.rss_built));
        println!(
            "serving RSS after build (free memory returned): {} = {} bytes/entity above the baseline",
            mb(self.rss_serving),
            self.per_entity
        );
        println!("  of which {}", self.serving_split);
    }
}

/// Imports the list as `screener import` does, then builds (and stores)
/// its index as `serve` does, and drops it again.
fn import_and_build(
    store: &Store,
    list_path: &std::path::Path,
    sanctions: &BTreeSet<String>,
    n: usize,
) -> BuildFigures {
    let rss_before = rss();
    reset_peak();
    let t = Instant::now();
    let files = vec![SourceFile::read(list_path).expect("list readable")];
    let outcome = store
        .import(
            "opensanctions",
            Some(Format::FtmJson),
            files,
            ImportOrigin::default(),
        )
        .expect("import accepted");
    let import_time = t.elapsed();
    println!("import: {} ({outcome:?})", secs(import_time));
    let t = Instant::now();
    let index = screener::index::build_from_store(store, sanctions.clone()).expect("index built");
    let build_time = t.elapsed();
    assert_eq!(index.len(), n, "every generated entity is indexed");
    let peak = hwm();
    let rss_built = rss();
    release_free_memory();
    let rss_serving = rss();
    let serving_split = rss_split();
    drop(index);
    BuildFigures {
        import_time,
        build_time,
        rss_before,
        peak,
        rss_built,
        rss_serving,
        serving_split,
        per_entity: rss_serving.saturating_sub(rss_before) / n.max(1) as u64,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn dir_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}
