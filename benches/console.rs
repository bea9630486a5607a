//! The analyst console's speed (issue 14, Speed): every page's server time
//! with 1,000,000 customers and 100,000 alerts in the embedded SQLite store,
//! or with `--database postgres://…` in that PostgreSQL database.
//!
//! 1. Seeds a monitor database (SQLite: kept under `target/console-bench/`;
//!    either is reused by the next run when its counts are the ones asked
//!    for, and must be empty otherwise): the real OFAC
//!    SDN and UN lists are served; 2,000 customers named after listed
//!    parties are written through [`Monitor::put_customers`], so their
//!    alerts carry real explanations; the other customers and alerts are
//!    written straight through the store's transactions (10,000 rows each),
//!    the alerts copied from the real ones onto other customers, spread over
//!    statuses, lists, segments, risk ratings and a year of age, with a
//!    decision in the history (and the audit trail) of each decided one.
//! 2. Serves the console over HTTP and requests each page many times in a
//!    row (ids and cursors varied), reading the server's time from the
//!    `Server-Timing` header; prints p50 / p95 / max per page.
//! 3. With `--browser`, loads the queue's first page in headless Chromium
//!    (`tests/browser/speed.py`, the browser test's Selenium) and reports
//!    the Navigation Timing API's figures. Run by hand, not in CI.
//!
//! ```text
//! cargo bench --bench console -- [--customers 1000000] [--alerts 100000] [--requests 100] [--database postgres://…] [--browser]
//! ```

#[path = "support/bench_args.rs"]
mod bench_args;
use bench_args::*;
use screener::api::AppState;
use screener::api::config::{ApiKey, ServerConfig};
use screener::monitor::customer::Customer;
use screener::monitor::postgres::{PostgresOptions, PostgresStore, is_postgres_url};
use screener::monitor::sqlite::{SqliteOptions, SqliteStore};
use screener::monitor::store::{
    Alert, AlertFilter, AlertStatus, AuditEntry, CustomerRow, HistoryEntry, MonitorStore,
};
use screener::monitor::{Monitor, MonitorConfig};
use screener::service::{MemorySource, RefreshSettings, Service};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

const KEY: &str = "console-bench-analyst-key-0123456789";
/// Customers written through the matcher (their alerts are the templates).
const REAL: usize = 2_000;
const BATCH: usize = 10_000;

fn service() -> Arc<Service> {
    let manifest = screener::eval::default_manifest_for_tests();
    let m = screener::sources::manifest::Manifest::load(&manifest).expect("manifest");
    let source = Arc::new(MemorySource::new());
    for set in m
        .default_sets()
        .filter(|s| s.list == "us_ofac_sdn" || s.list == "un_sc_sanctions")
    {
        let files = m.read_files(set).expect("files");
        let parsed = screener::parse::parse(set.format().expect("format"), &set.list, &files)
            .expect("parse");
        source.add_list(&set.list, "bench-v1", true, parsed.entities);
    }
    let service = Arc::new(Service::new(source, RefreshSettings::default()));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(service.load_initial());
    service
}

const SEGMENTS: [&str; 5] = ["retail", "private_banking", "corporate", "sme", "wholesale"];
const RISKS: [&str; 4] = ["low", "medium", "high", "prohibited"];
const FIRST: [&str; 12] = [
    "Anna", "Jonas", "Maria", "Ahmed", "Li", "Olga", "Pedro", "Fatima", "Hans", "Yuki", "Sofia",
    "Ivan",
];
const LAST: [&str; 12] = [
    "Schmidt", "Garcia", "Kowalski", "Haddad", "Chen", "Petrova", "Silva", "Nakamura", "Okafor",
    "Rossi", "Novak", "Dubois",
];

fn customer_id(i: usize) -> String {
    format!("cust-{i:07}")
}

/// Fills an empty store: `n` customers, `alerts` alerts.
fn seed(monitor: &Monitor, served: &Arc<screener::service::Served>, n: usize, alerts: usize) {
    let t = Instant::now();
    // Customers named after listed people (persons only: their alerts carry
    // birth-date and country features), screened for real.
    let index = served.matcher.index();
    let mut real = Vec::new();
    for (i, p) in index
        .entities()
        .filter(|p| p.schema.as_str() == "Person")
        .step_by(3)
        .take(REAL)
        .enumerate()
    {
        real.push(Ok(Customer {
            id: Some(customer_id(i)),
            name: p.caption.clone(),
            schema: Some("Person".into()),
            segment: Some(SEGMENTS[i % SEGMENTS.len()].into()),
            ..Customer::default()
        }));
    }
    let written = real.len();
    let report = monitor
        .put_customers(real, "bench")
        .expect("real customers");
    let templates: Vec<Alert> = monitor.store().all_current_alerts().expect("alerts");
    assert!(!templates.is_empty(), "no real alert to copy");
    eprintln!(
        "seed: {written} customers screened, {} real alerts, {:.1} s",
        report.alerts_opened,
        t.elapsed().as_secs_f64()
    );

    let mut rng = Lcg(14);
    let versions = BTreeMap::new();
    let now = OffsetDateTime::now_utc();
    let mut i = written;
    while i < n {
        let end = (i + BATCH).min(n);
        let rows: Vec<(String, String, String, serde_json::Value)> = (i..end)
            .map(|k| {
                let name = format!("{} {} {}", rng.pick(&FIRST), rng.pick(&LAST), k);
                let segment = SEGMENTS[k % SEGMENTS.len()].to_string();
                // Most customers are low risk; a few are high or prohibited.
                let level = match rng.below(100) {
                    0..=69 => "low",
                    70..=89 => "medium",
                    90..=98 => "high",
                    _ => "prohibited",
                };
                let country = ["de", "fr", "ru", "ir", "ae"][k % 5];
                let record = serde_json::json!({"name": name, "segment": segment, "countries": [country]});
                let risk = serde_json::json!({"level": level, "reasons": [{"rule": "segment", "level": level, "detail": format!("segment {segment}")}]});
                (name, segment, record.to_string(), risk)
            })
            .collect();
        monitor
            .store()
            .transaction(&mut |tx| {
                for (j, (name, segment, record, risk)) in rows.iter().enumerate() {
                    let id = customer_id(i + j);
                    tx.put_customer(&CustomerRow {
                        id: &id,
                        record,
                        // Not analysed here: a rescreen analyses the record.
                        analysis: &[],
                        digest: &id,
                        match_fp: &id,
                        name,
                        segment: Some(segment),
                        tags: &[],
                        at: now - time::Duration::days(400),
                        screened_versions: &versions,
                        risk: Some(risk),
                    })?;
                }
                Ok(())
            })
            .expect("customers");
        i = end;
    }
    eprintln!("seed: {n} customers, {:.1} s", t.elapsed().as_secs_f64());

    // Alerts on the synthetic customers (distinct, spread over the base),
    // oldest first, over the last 365 days.
    let others = (n - written).max(1);
    let stride = 7_919; // a prime: k * stride mod others visits distinct customers
    let mut k = templates.len();
    while k < alerts {
        let end = (k + BATCH).min(alerts);
        let batch: Vec<(Alert, Option<(String, String)>)> = (k..end)
            .map(|a| {
                let tpl = &templates[a % templates.len()];
                let cust = written + (a * stride) % others;
                let age = time::Duration::seconds(
                    ((alerts - a) as f64 / alerts as f64 * 365.0 * 86_400.0) as i64,
                );
                let status = match rng.below(100) {
                    0..=29 => AlertStatus::Open,
                    30..=34 => AlertStatus::Escalated,
                    35..=86 => AlertStatus::FalsePositive,
                    87..=89 => AlertStatus::TrueMatch,
                    90..=96 => AlertStatus::Delisted,
                    _ => AlertStatus::CustomerDeleted,
                };
                let decided = match status {
                    AlertStatus::Escalated => Some("escalate"),
                    AlertStatus::FalsePositive => Some("false_positive"),
                    AlertStatus::TrueMatch => Some("true_match"),
                    _ => None,
                };
                let alert = Alert {
                    id: 0,
                    customer_id: customer_id(cust),
                    status,
                    score: (tpl.score - rng.below(20) as f64 / 100.0).max(0.7),
                    created_at: now - age,
                    updated_at: now - age + time::Duration::hours(rng.below(72) as i64),
                    revision: 1 + i64::from(decided.is_some()),
                    ..tpl.clone()
                };
                let who = decided.map(|d| (d.to_string(), format!("analyst-{}", rng.below(12))));
                (alert, who)
            })
            .collect();
        monitor
            .store()
            .transaction(&mut |tx| {
                for (a, who) in &batch {
                    let id = tx.insert_alert(a)?;
                    tx.append_audit(
                        &AuditEntry {
                            kind: "alert.opened".into(),
                            actor: "system".into(),
                            subject: Some(format!("alert:{id}")),
                            payload: serde_json::json!({"customer": a.customer_id, "entity": a.entity_id, "score": a.score}),
                        },
                        a.created_at,
                    )?;
                    if let Some((action, actor)) = who {
                        let reason = format!("{action}: checked the passport and date of birth");
                        tx.add_history(&HistoryEntry {
                            alert_id: id,
                            action: action.clone(),
                            status_before: Some(AlertStatus::Open),
                            status_after: a.status,
                            actor: actor.clone(),
                            reason: Some(reason.clone()),
                            at: a.updated_at,
                        })?;
                        tx.append_audit(
                            &AuditEntry {
                                kind: "alert.updated".into(),
                                actor: actor.clone(),
                                subject: Some(format!("alert:{id}")),
                                payload: serde_json::json!({"decision": action, "reason": reason}),
                            },
                            a.updated_at,
                        )?;
                    }
                }
                Ok(())
            })
            .expect("alerts");
        k = end;
    }
    eprintln!(
        "seed: {alerts} alerts, {:.1} s in all",
        t.elapsed().as_secs_f64()
    );
}

/// The server's time of one request (`Server-Timing: app;dur=…`).
fn server_ms(res: &reqwest::blocking::Response) -> f64 {
    res.headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("app;dur="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

fn main() {
    let n: usize = arg("--customers")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let alerts: usize = arg("--alerts")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let requests: usize = arg("--requests")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let database = arg("--database");

    let t = Instant::now();
    let service = service();
    let served = service.served().expect("served");
    eprintln!("lists served in {:.1} s", t.elapsed().as_secs_f64());
    let (store, place): (Arc<dyn MonitorStore>, String) = match &database {
        Some(url) if is_postgres_url(url) => {
            let store = PostgresStore::connect(url, PostgresOptions::default()).expect("store");
            let place = store.describe();
            (Arc::new(store), place)
        }
        Some(other) => panic!("--database {other}: not a postgres:// URL"),
        None => {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/console-bench")
                .join(format!("{n}-{alerts}"));
            std::fs::create_dir_all(&dir).expect("bench folder");
            let store = SqliteStore::open(&dir.join("monitor.db"), SqliteOptions::default())
                .expect("store");
            (Arc::new(store), dir.display().to_string())
        }
    };
    eprintln!("store: {place}");
    let monitor = Arc::new(Monitor::new(store, MonitorConfig::default()));
    let stored = monitor.store().count_customers().expect("count");
    if stored == 0 {
        monitor.load_customer_index().expect("index");
    }
    monitor
        .advance(Arc::clone(&served), None, &|_: &str, _: &str| {
            Err(String::new())
        })
        .expect("adopt");
    if stored == 0 {
        seed(&monitor, &served, n, alerts);
    } else {
        assert_eq!(stored as usize, n, "{place} holds another seed: empty it");
        eprintln!("reusing {place}");
    }
    let counts = monitor
        .store()
        .alert_counts(&AlertFilter::default())
        .expect("counts");
    println!(
        "store: {} customers, alerts by status {:?}",
        monitor.store().count_customers().expect("count"),
        counts
    );

    let (base, session) = serve(Arc::clone(&service), Arc::clone(&monitor));
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    let get = |path: &str| -> (f64, f64, String) {
        let t = Instant::now();
        let res = client
            .get(format!("{base}{path}"))
            .header("cookie", format!("screener_session={session}"))
            .send()
            .expect("request");
        let status = res.status();
        let server = server_ms(&res);
        let body = res.text().unwrap_or_default();
        let wall = t.elapsed().as_secs_f64() * 1000.0;
        assert!(
            status.is_success(),
            "{path}: {status}: {}",
            body.chars().take(400).collect::<String>()
        );
        (server, wall, body)
    };

    // Ids and cursors to vary the requests.
    let mut rng = Lcg(2026);
    let max_alert = alerts as u64;
    let first = get("/ui/alerts?status=all").2;
    let cursor_of = |body: &str| -> String {
        body.split("cursor=")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("")
            .to_string()
    };
    let next_all = cursor_of(&first);
    let next_score = cursor_of(&get("/ui/alerts?status=open&sort=score").2);
    type PathFn<'a> = Box<dyn FnMut(&mut Lcg) -> String + 'a>;
    let pages: Vec<(&str, PathFn)> = vec![
        (
            "queue: open, newest (first page)",
            Box::new(|_| "/ui/alerts".into()),
        ),
        (
            "queue: all statuses",
            Box::new(|_| "/ui/alerts?status=all".into()),
        ),
        (
            "queue: all, page 2 (cursor)",
            Box::new(|_| format!("/ui/alerts?status=all&cursor={next_all}")),
        ),
        (
            "queue: deep cursor (mid-table)",
            Box::new(move |r| format!("/ui/alerts?status=all&cursor={}", 1 + r.below(max_alert))),
        ),
        (
            "queue: open by score",
            Box::new(|_| "/ui/alerts?status=open&sort=score".into()),
        ),
        (
            "queue: open by score, page 2",
            Box::new(|_| format!("/ui/alerts?status=open&sort=score&cursor={next_score}")),
        ),
        (
            "queue: all, oldest first",
            Box::new(|_| "/ui/alerts?status=all&sort=oldest".into()),
        ),
        (
            "queue: open + escalated, UN list",
            Box::new(|_| "/ui/alerts?status=open,escalated&list=un_sc_sanctions".into()),
        ),
        (
            "queue: open, segment",
            Box::new(|r| format!("/ui/alerts?status=open&segment={}", r.pick(&SEGMENTS))),
        ),
        (
            "queue: all statuses, segment",
            Box::new(|r| format!("/ui/alerts?status=all&segment={}", r.pick(&SEGMENTS))),
        ),
        (
            "queue: open, risk",
            Box::new(|r| format!("/ui/alerts?status=open&risk={}", r.pick(&RISKS))),
        ),
        (
            "queue: open, older than 180 days",
            Box::new(|_| "/ui/alerts?status=open&age=180".into()),
        ),
        (
            "queue: false positives, older than 30 d, by score",
            Box::new(|_| "/ui/alerts?status=false_positive&age=30&sort=score".into()),
        ),
        (
            "alert detail",
            Box::new(move |r| format!("/ui/alerts/{}", 1 + r.below(max_alert))),
        ),
        ("customers", Box::new(|_| "/ui/customers".into())),
        (
            "customers: segment + risk",
            Box::new(|r| format!("/ui/customers?segment={}&risk=high", r.pick(&SEGMENTS))),
        ),
        (
            "customer detail",
            Box::new(move |r| format!("/ui/customers/{}", customer_id(r.below(n as u64) as usize))),
        ),
        (
            "screen a name",
            Box::new(|_| "/ui/screen?name=Viktor+Bout&birthDate=1967".into()),
        ),
        ("lists", Box::new(|_| "/ui/lists".into())),
        ("audit: first page", Box::new(|_| "/ui/audit".into())),
        (
            "audit: search one alert",
            Box::new(move |r| format!("/ui/audit?q=alert:{}", 1 + r.below(max_alert))),
        ),
    ];
    println!(
        "\n{requests} requests per page, one after another; server time from Server-Timing (wall time over loopback):"
    );
    println!(
        "{:<52} {:>9} {:>9} {:>9} {:>10}",
        "page", "p50 ms", "p95 ms", "max ms", "wall p95"
    );
    let mut worst: f64 = 0.0;
    for (name, mut path) in pages {
        let _ = get(&path(&mut rng)); // warm the statement cache
        let mut server = Vec::with_capacity(requests);
        let mut wall = Vec::with_capacity(requests);
        for _ in 0..requests {
            let (s, w, _) = get(&path(&mut rng));
            server.push(s);
            wall.push(w);
        }
        server.sort_by(f64::total_cmp);
        wall.sort_by(f64::total_cmp);
        worst = worst.max(pct(&server, 0.95));
        println!(
            "{name:<52} {:>9.1} {:>9.1} {:>9.1} {:>10.1}",
            pct(&server, 0.5),
            pct(&server, 0.95),
            pct(&server, 1.0),
            pct(&wall, 0.95)
        );
    }
    println!("worst p95: {worst:.1} ms (target < 150 ms)");
    let (s, _, _) = get("/ui/audit/verify");
    println!("audit: verify the whole chain (an action, not a page): {s:.0} ms");

    if flag("--browser") {
        browser(&base);
    }
}

/// Serves the console on a free port; signs an analyst in.
fn serve(service: Arc<Service>, monitor: Arc<Monitor>) -> (String, String) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let addr = listener.local_addr().expect("addr");
            let cfg = ServerConfig {
                api_keys: vec![ApiKey::new("ana", KEY)],
                workers: Some(2),
                ..ServerConfig::default()
            };
            let state = AppState::with_monitor(service, cfg, Some(monitor));
            let (session, _) = state.console.start("ana", false).expect("session");
            let server = screener::api::start_server(state, listener).expect("server");
            let _ = tx.send((format!("http://{addr}"), session));
            let _ = server.await;
        });
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("server")
}

/// The queue's first page in headless Chromium (Navigation Timing).
fn browser(base: &str) {
    let python =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pytools/browser/bin/python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/speed.py");
    if !python.exists() {
        println!(
            "browser: {} is missing (run `cargo test --test browser` once)",
            python.display()
        );
        return;
    }
    let profile = tempfile::tempdir().expect("profile");
    let out = std::process::Command::new(python)
        .arg(script)
        .env("SCREENER_URL", base)
        .env("SCREENER_ANALYST_KEY", KEY)
        .env("CHROME_PROFILE", profile.path())
        .output()
        .expect("speed.py");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        println!(
            "browser run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
