//! Screening speed with every default list of `../shared/lists-raw` loaded:
//! one in-process screening over a mix of real queries (listed names with
//! perturbations, innocent customer names in many scripts, cross-script
//! names), plus the index build.
//!
//! Run: `cargo bench --bench screening` (set SCREENER_SHARED to point elsewhere).

use criterion::{Criterion, criterion_group, criterion_main};
use screener::eval;
use screener::matching::{Matcher, Query, ScreenOptions};
use screener::text::Script;
use std::hint::black_box;
use std::sync::Arc;

fn query_mix() -> Vec<Query> {
    let dev = eval::default_dev_dir_for_tests();
    let mut out = Vec::new();
    for (file, lists) in [
        ("positives_ofac.csv", "us_ofac_sdn"),
        ("negatives_faker.csv", "sanctions"),
        ("cross_script.csv", "us_ofac_sdn"),
        ("cross_script_ofsi.csv", "us_ofac_sdn"),
    ] {
        let mut rdr = csv::Reader::from_path(dev.join(file)).expect("dev set readable");
        let headers = rdr.headers().expect("header").clone();
        let name_col = headers
            .iter()
            .position(|h| h == "query_name")
            .expect("query_name column");
        let schema_col = headers.iter().position(|h| h == "schema");
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.expect("row");
            // Every 8th row keeps the mix representative without a huge setup.
            if i % 8 != 0 {
                continue;
            }
            out.push(Query {
                name: rec.get(name_col).unwrap_or_default().to_string(),
                schema: schema_col.and_then(|c| rec.get(c)).map(str::to_string),
                lists: vec![lists.to_string()],
                ..Query::default()
            });
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let manifest = eval::default_manifest_for_tests();
    let index = Arc::new(eval::index_manifest_defaults(&manifest).expect("lists load"));
    let matcher = Matcher::new(index);
    let queries = query_mix();
    let opts = ScreenOptions::default();
    latency_distribution("screen_one_mixed", &matcher, &queries, &opts);
    // Names with letters of a script other than Latin (the variant-heavy case).
    let non_latin: Vec<Query> = queries
        .iter()
        .filter(|q| {
            q.name
                .chars()
                .any(|c| c.is_alphabetic() && screener::text::char_script(c) != Script::Latin)
        })
        .cloned()
        .collect();
    latency_distribution("screen_one_non_latin", &matcher, &non_latin, &opts);
    batch_throughput(&matcher, &queries, &opts);
    // Linking every default list's records into parties, as each index
    // build does (issue 13: under 5 s).
    let records: Vec<screener::model::Entity> = matcher
        .index()
        .records()
        .collect::<Result<_, _>>()
        .expect("listed records readable");

    let mut group = c.benchmark_group("linking");
    group.sample_size(10);
    group.bench_function("link_every_default_list", |b| {
        b.iter(|| black_box(screener::linking::Links::compute(&records).len()))
    });
    group.finish();
    let mut i = 0usize;
    c.bench_function("screen_one_mixed", |b| {
        b.iter(|| {
            let q = &queries[i % queries.len()];
            i += 1;
            black_box(matcher.screen(q, &opts).ok())
        })
    });
}

/// Times every query of the mix on its own (three rounds, after one warm-up
/// round) and prints the median, p90, p99 and maximum: criterion reports the
/// mean of batches, while the target is about the distribution of single calls.
/// `SCREENER_BENCH_ROUNDS` sets the rounds (a large value makes a steady load
/// for a profiler).
fn latency_distribution(label: &str, matcher: &Matcher, queries: &[Query], opts: &ScreenOptions) {
    let rounds: usize = std::env::var("SCREENER_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    for q in queries {
        black_box(matcher.screen(q, opts).ok());
    }
    let mut micros: Vec<f64> = Vec::with_capacity(queries.len() * rounds);
    for _ in 0..rounds {
        for q in queries {
            let start = std::time::Instant::now();
            black_box(matcher.screen(q, opts).ok());
            micros.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    micros.sort_by(f64::total_cmp);
    let at = |p: f64| micros[((micros.len() - 1) as f64 * p).round() as usize];
    eprintln!(
        "{label} single calls: n={} median={:.0} µs p90={:.0} µs p99={:.0} µs max={:.0} µs",
        micros.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

/// Rows per second of the batch call (`screen_many`, what `screener screen`
/// and the batch endpoints run) over the mix, repeated to about 10,000 rows.
fn batch_throughput(matcher: &Matcher, queries: &[Query], opts: &ScreenOptions) {
    let rows: Vec<Query> = queries.iter().cycle().take(10_000).cloned().collect();
    black_box(matcher.screen_many(&rows[..rows.len().min(1000)], opts));
    let start = std::time::Instant::now();
    black_box(matcher.screen_many(&rows, opts));
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "screen_many batch: {} rows in {:.2} s = {:.0} rows/s",
        rows.len(),
        secs,
        rows.len() as f64 / secs
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(200);
    targets = bench
}
criterion_main!(benches);
