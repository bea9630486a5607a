//! The monitor's speed and memory (issue 11), every default list of
//! `../shared/lists-raw` loaded:
//! 1. import N synthetic customers with screening (customers/s, resident memory);
//! 2. a delta rescreen after a list update that changes 500 parties;
//! 3. a full rescreen, checked to change nothing after the delta (the same alerts);
//! 4. single `PUT /v1/customers/{id}` at a fixed rate over HTTP (p50/p99).
//!
//! Customers are made from the dev sets' names (negatives and positives),
//! first and last parts recombined, some with birth dates and countries.
//!
//! ```text
//! cargo bench --bench monitor -- [--customers 100000] [--put-rate 200] [--put-seconds 10]
//!     [--database postgres://user@host/db [--no-statement-cache]]
//! ```
//!
//! `--database` names an empty PostgreSQL database to measure instead of
//! the embedded SQLite file (a fresh one in a temporary folder);
//! `--no-statement-cache` prepares each statement at every use (what the
//! store did before it kept them).
//!
//! `--writes-only` measures what the database takes without the matching:
//! the customers are screened against no list at all (so each finds
//! nothing, in microseconds), and only the import runs. That is the write
//! rate one replica's store gives (`L` in docs/SCALE.md), to set against
//! the import with screening.

#[path = "support/bench_args.rs"]
mod bench_args;
use bench_args::*;
use screener::index::{LoadedList, ScreeningIndex};
use screener::model::{Entity, prop};
use screener::monitor::customer::Customer;
use screener::monitor::store::MonitorStore;
use screener::monitor::{Monitor, MonitorConfig, open_store, served_of};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

/// CPU seconds this process has used so far, user and system, from
/// `/proc/self/stat` (in the kernel's clock ticks, 100 a second). On a
/// shared machine a phase's CPU time varies less than its wall time.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis, from the state:
    // utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    (ticks(11).unwrap_or(0.0) + ticks(12).unwrap_or(0.0)) / 100.0
}

/// Names from the dev sets, split into first parts and last parts.
fn name_parts() -> (Vec<String>, Vec<String>) {
    let dev = screener::eval::default_dev_dir_for_tests();
    let (mut firsts, mut lasts) = (Vec::new(), Vec::new());
    for file in [
        "negatives_faker.csv",
        "positives_ofac.csv",
        "positives_typos.csv",
    ] {
        let Ok(mut r) = csv::Reader::from_path(dev.join(file)) else {
            continue;
        };
        for rec in r.records().flatten() {
            let name = rec.get(0).unwrap_or("").replace(',', " ");
            let words: Vec<&str> = name.split_whitespace().collect();
            if words.len() >= 2 {
                firsts.push(words[..words.len() - 1].join(" "));
                lasts.push(words[words.len() - 1].to_string());
            }
        }
    }
    (firsts, lasts)
}

fn customers(n: usize, seed: u64) -> Vec<Customer> {
    let (firsts, lasts) = name_parts();
    let countries = [
        "de", "fr", "ru", "ir", "cn", "us", "gb", "tr", "ae", "br", "in", "ng",
    ];
    let mut rng = Lcg(seed);
    (0..n)
        .map(|i| {
            let mut c = Customer {
                id: Some(format!("cust-{i:08}")),
                name: format!("{} {}", rng.pick(&firsts), rng.pick(&lasts)),
                ..Customer::default()
            };
            if rng.next().is_multiple_of(2) {
                c.schema = Some("Person".into());
                c.birth_date = Some(format!(
                    "{}-{:02}-{:02}",
                    1940 + rng.next() % 60,
                    1 + rng.next() % 12,
                    1 + rng.next() % 28
                ));
            }
            if rng.next().is_multiple_of(3) {
                c.countries = vec![rng.pick(&countries).to_string()];
            }
            c
        })
        .collect()
}

/// The lists with 500 parties changed: 100 removed, 200 renamed or redated,
/// 200 added (dev-set names as new parties).
fn updated_lists(lists: &[(LoadedList, Vec<Entity>)]) -> Vec<(LoadedList, Vec<Entity>)> {
    let mut out: Vec<(LoadedList, Vec<Entity>)> = lists.to_vec();
    let Some((info, entities)) = out.iter_mut().find(|(l, _)| l.id == "us_ofac_sdn") else {
        return out;
    };
    entities.drain(0..100);
    for e in entities.iter_mut().skip(1000).step_by(37).take(200) {
        if let Some(b) = e.properties.get_mut(prop::BIRTH_DATE) {
            b.push("1970".into());
        } else {
            let alias = format!("{} Jr", e.caption);
            e.add(prop::ALIAS, &alias);
        }
    }
    let (firsts, lasts) = name_parts();
    let mut rng = Lcg(99);
    for i in 0..200 {
        let mut e = Entity::new(
            "us_ofac_sdn",
            &format!("bench-{i}"),
            screener::model::Schema::Person,
        );
        e.add(
            prop::NAME,
            &format!("{} {}", rng.pick(&firsts), rng.pick(&lasts)),
        );
        entities.push(e);
    }
    info.entities = entities.len();
    info.version = "bench-v2".into();
    out
}

fn main() {
    let n: usize = arg("--customers")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let put_rate: f64 = arg("--put-rate")
        .and_then(|v| v.parse().ok())
        .unwrap_or(200.0);
    let put_seconds: u64 = arg("--put-seconds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .min(120);

    let writes_only = std::env::args().any(|a| a == "--writes-only");
    let manifest = screener::eval::default_manifest_for_tests();
    let t = Instant::now();
    let lists = if writes_only {
        Vec::new()
    } else {
        load_lists(&manifest)
    };
    let sanctions: std::collections::BTreeSet<String> = screener::sources::Catalog::builtin()
        .map(|c| c.sanctions_ids().into_iter().map(str::to_string).collect())
        .unwrap_or_default();
    let versions = |lists: &[(LoadedList, Vec<Entity>)]| -> BTreeMap<String, String> {
        lists
            .iter()
            .map(|(l, _)| (l.id.clone(), l.version.clone()))
            .collect()
    };
    let v1 = versions(&lists);
    let g1 = Arc::new(served_of(
        ScreeningIndex::build(lists.clone(), sanctions.clone()).expect("index"),
        &v1,
    ));
    eprintln!(
        "lists: {} entities indexed in {:.1} s; rss {:.0} MB",
        g1.matcher.index().len(),
        t.elapsed().as_secs_f64(),
        rss_mb().0
    );

    let dir = tempfile::tempdir().expect("tmp");
    let mut config = MonitorConfig::default();
    if let Some(url) = arg("--database") {
        config.set_database(&url);
    }
    let store: Arc<dyn MonitorStore> = match arg("--database") {
        Some(url) if std::env::args().any(|a| a == "--no-statement-cache") => {
            let options = screener::monitor::postgres::PostgresOptions {
                statement_cache: false,
                ..Default::default()
            };
            Arc::new(
                screener::monitor::postgres::PostgresStore::connect(&url, options).expect("store"),
            )
        }
        _ => open_store(&config, dir.path(), false).expect("store"),
    };
    eprintln!("monitor database: {}", store.describe());
    let monitor = Arc::new(Monitor::new(store, config));
    monitor.load_customer_index().expect("index");
    monitor
        .advance(
            Arc::clone(&g1),
            None,
            &|_: &str, _: &str| Err(String::new()),
        )
        .expect("adopt");
    let rss_before = rss_mb().0;

    // 1. Import.
    let all = customers(n, 7);
    let t = Instant::now();
    let cpu = cpu_secs();
    let mut opened = 0;
    for chunk in all.chunks(10_000) {
        let rows = chunk.iter().cloned().map(Ok).collect();
        let r = monitor.put_customers(rows, "bench").expect("import");
        opened += r.alerts_opened;
    }
    let secs = t.elapsed().as_secs_f64();
    let import_cpu = cpu_secs() - cpu;
    drop(all);
    let (rss, hwm) = rss_mb();
    println!(
        "import{}: {n} customers in {secs:.1} s (cpu {import_cpu:.1} s) = {:.0} customers/s; {opened} alerts; rss {rss:.0} MB (peak {hwm:.0} MB, {rss_before:.0} MB before)",
        if writes_only {
            " against no list (writes only)"
        } else {
            ""
        },
        n as f64 / secs
    );
    if writes_only {
        return;
    }

    // 2. Delta after 500 changed parties.
    let lists2 = updated_lists(&lists);
    drop(lists);
    let v2 = versions(&lists2);
    let g2 = Arc::new(served_of(
        ScreeningIndex::build(lists2, sanctions).expect("index"),
        &v2,
    ));
    let t = Instant::now();
    let cpu = cpu_secs();
    let delta = monitor
        .advance(
            Arc::clone(&g2),
            None,
            &|_: &str, _: &str| Err(String::new()),
        )
        .expect("delta");
    let delta_secs = t.elapsed().as_secs_f64();
    let delta_cpu = cpu_secs() - cpu;
    let (rss, hwm) = rss_mb();
    println!(
        "delta rescreen: {:.1} s (cpu {delta_cpu:.1} s; {} added, {} removed, {} changed; {} parties and {} customers screened; {} opened, {} updated, {} delisted); rss {rss:.0} MB (peak {hwm:.0} MB)",
        delta_secs,
        delta.entities_added,
        delta.entities_removed,
        delta.entities_changed,
        delta.entities_screened,
        delta.customers_screened,
        delta.alerts_opened,
        delta.alerts_updated,
        delta.alerts_delisted
    );
    drop(g1);

    // 3. Full rescreen: the same alerts as the delta left.
    let t = Instant::now();
    let cpu = cpu_secs();
    let full = monitor.rescreen_full().expect("full");
    println!(
        "full rescreen: {:.1} s (cpu {:.1} s; {} customers; {} opened, {} updated: {})",
        t.elapsed().as_secs_f64(),
        cpu_secs() - cpu,
        full.customers_screened,
        full.alerts_opened,
        full.alerts_updated,
        if full.alerts_opened + full.alerts_updated == 0 {
            "identical to the delta"
        } else {
            "DIFFERS from the delta"
        }
    );
    let (rss, hwm) = rss_mb();
    println!("memory after rescreens: rss {rss:.0} MB, peak {hwm:.0} MB");

    // 4. Single writes over HTTP at a fixed rate.
    if put_seconds > 0 {
        put_latency(Arc::clone(&monitor), g2, put_rate, put_seconds);
    }
}

fn load_lists(manifest: &std::path::Path) -> Vec<(LoadedList, Vec<Entity>)> {
    let m = screener::sources::manifest::Manifest::load(manifest).expect("manifest");
    let mut out = Vec::new();
    for set in m.default_sets() {
        let files = m.read_files(set).expect("files");
        let parsed = screener::parse::parse(set.format().expect("format"), &set.list, &files)
            .expect("parse");
        out.push((
            LoadedList {
                id: set.list.clone(),
                version: "bench-v1".into(),
                entities: parsed.entities.len(),
            },
            parsed.entities,
        ));
    }
    out
}

fn put_latency(
    monitor: Arc<Monitor>,
    served: Arc<screener::service::Served>,
    rate: f64,
    seconds: u64,
) {
    use screener::api::config::ServerConfig;
    use screener::service::{MemorySource, RefreshSettings, Service};
    let source = Arc::new(MemorySource::new());
    let service = Arc::new(Service::new(source, RefreshSettings::default()));
    let _ = served;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let addr = listener.local_addr().expect("addr");
            let cfg = ServerConfig {
                workers: Some(2),
                ..ServerConfig::default()
            };
            let state = screener::api::AppState::with_monitor(service, cfg, Some(monitor));
            let server = screener::api::start_server(state, listener).expect("server");
            let _ = tx.send(format!("http://{addr}"));
            let _ = server.await;
        });
    });
    let base = rx.recv_timeout(Duration::from_secs(30)).expect("server");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let latencies = rt.block_on(async move {
        let client = reqwest::Client::new();
        let total = (rate * seconds as f64) as usize;
        let interval = Duration::from_secs_f64(1.0 / rate);
        let start = tokio::time::Instant::now();
        let (names, _) = name_parts();
        let mut tasks = Vec::with_capacity(total);
        for i in 0..total {
            let due = start + interval * i as u32;
            tokio::time::sleep_until(due).await;
            let client = client.clone();
            let url = format!("{base}/v1/customers/put-{i}");
            let body = serde_json::json!({"name": format!("{} Example", names[i % names.len()]), "schema": "Person"});
            tasks.push(tokio::spawn(async move {
                let r = client.put(url).json(&body).send().await;
                let ok = r.map(|r| r.status().is_success()).unwrap_or(false);
                (due.elapsed(), ok)
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            if let Ok(v) = t.await {
                out.push(v);
            }
        }
        out
    });
    let errors = latencies.iter().filter(|(_, ok)| !ok).count();
    let mut ms: Vec<f64> = latencies
        .iter()
        .map(|(d, _)| d.as_secs_f64() * 1000.0)
        .collect();
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        ms.get(((ms.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "PUT /v1/customers/{{id}} at {rate:.0}/s for {seconds} s: {} requests, {errors} errors; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}
