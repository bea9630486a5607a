//! Several replicas on one PostgreSQL database (issue 15, point 2), and the
//! database's faults: each replica here is a `Monitor` with a store (and a
//! connection pool) of its own, as a `serve` process has.
//!
//! - a write on one replica is read on the other at once;
//! - of two decisions racing on one alert from two replicas, one wins and
//!   the other gets a conflict (409);
//! - two replicas screening the same customers at once leave one alert per
//!   pair, and the audit chain, written by both, verifies;
//! - two delivery workers on two replicas send each event once per endpoint;
//! - faults: the database unreachable at start (503 on monitor writes,
//!   screening works, recovery on its own), a migration run by two at once,
//!   a replica older than the database's schema.

mod common;

use actix_web::{App, test as web_test};
use common::postgres::{Cluster, blocking, cluster};
use screener::api::config::{ApiKey, ServerConfig};
use screener::api::{AppState, app_config};
use screener::index::{LoadedList, ScreeningIndex};
use screener::model::{Entity, Schema, prop};
use screener::monitor::customer::Customer;
use screener::monitor::postgres::{MIGRATIONS, PostgresOptions, PostgresStore};
use screener::monitor::store::{
    Alert, AlertFilter, AlertStatus, AuditRecord, ChunkCounts, CustomerFilter, Delivery,
    DeliveryFilter, DeliveryOutcome, Event, HistoryEntry, MonitorError, MonitorStore, Page,
    RescreenChunk, RescreenProgress, StoredCustomer, Tx,
};
use screener::monitor::{DecisionRequest, Monitor, MonitorConfig, served_of};
use screener::service::{MemorySource, RefreshSettings, Service};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn person(id: &str, name: &str, birth: &str) -> Entity {
    let mut e = Entity::new("us_ofac_sdn", id, Schema::Person);
    e.add(prop::NAME, name);
    e.add(prop::BIRTH_DATE, birth);
    e
}

fn entities() -> Vec<Entity> {
    vec![
        person("8279", "Viktor Anatolyevich BOUT", "1967-01-13"),
        person("7379", "Usama BIN LADIN", "1957-03-10"),
    ]
}

fn served() -> Arc<screener::service::Served> {
    served_at("v1", entities())
}

/// The list at a version holding these entities.
fn served_at(version: &str, entities: Vec<Entity>) -> Arc<screener::service::Served> {
    let list = LoadedList {
        id: "us_ofac_sdn".into(),
        version: version.into(),
        entities: entities.len(),
    };
    let index = ScreeningIndex::build(
        vec![(list, entities)],
        BTreeSet::from(["us_ofac_sdn".to_string()]),
    )
    .expect("index");
    let versions = BTreeMap::from([("us_ofac_sdn".to_string(), version.to_string())]);
    Arc::new(served_of(index, &versions))
}

fn store(url: &str) -> Arc<PostgresStore> {
    Arc::new(PostgresStore::connect(url, PostgresOptions::default()).expect("store"))
}

/// A replica: its own store and pool on the shared database.
fn replica(url: &str) -> Monitor {
    let m = Monitor::new(store(url), MonitorConfig::default());
    m.load_customer_index().expect("index");
    m.advance(served(), None, &|_: &str, _: &str| Err("none".to_string()))
        .expect("adopt");
    m
}

fn cust(id: &str, name: &str) -> Customer {
    Customer {
        id: Some(id.into()),
        name: name.into(),
        ..Customer::default()
    }
}

#[test]
fn a_write_on_one_replica_is_read_on_the_other_at_once() {
    let url = cluster().new_database();
    let (a, b) = (replica(&url), replica(&url));
    let written = a
        .put_customers(vec![Ok(cust("c-1", "Viktor Bout"))], "test")
        .expect("write");
    assert_eq!(written.alerts_opened, 1);
    let seen = b.store().customer("c-1").expect("read").expect("on b");
    assert_eq!(seen.name, "Viktor Bout");
    let alerts = b.store().all_current_alerts().expect("alerts");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].entity_id, "us_ofac_sdn:8279");
}

#[test]
fn a_delta_rescreen_on_one_replica_screens_the_customers_written_on_another() {
    let url = cluster().new_database();
    let (a, b) = (replica(&url), replica(&url));
    // Neither name is on the list at v1.
    let gone = a
        .put_customers(vec![Ok(cust("c-gone", "Alexander Lukashenko"))], "test")
        .expect("write");
    assert_eq!(gone.alerts_opened, 0);
    assert_eq!(b.catch_up().expect("catch up"), 1, "b indexes a's customer");
    assert_eq!(b.catch_up().expect("catch up"), 0, "and reads it once");
    assert!(a.delete_customer("c-gone", "test").expect("delete"));
    // Written after b's last catch-up: only the rescreen's own catch-up
    // can tell b of it.
    let new = a
        .put_customers(vec![Ok(cust("c-new", "Ramzan Kadyrov"))], "test")
        .expect("write");
    assert_eq!(new.alerts_opened, 0);
    // v2 lists both: b's delta rescreen screens the two new parties
    // against b's customer index.
    let mut v2 = entities();
    v2.push(person("20001", "Ramzan Akhmadovich KADYROV", "1976-10-05"));
    v2.push(person(
        "20002",
        "Alexander Grigoryevich LUKASHENKO",
        "1954-08-30",
    ));
    let report = b
        .advance(served_at("v2", v2), None, &|_: &str, _: &str| {
            Err("none".to_string())
        })
        .expect("rescreen");
    assert_eq!(report.kind, "delta");
    assert_eq!(report.entities_added, 2);
    let alerts = b.store().all_current_alerts().expect("alerts");
    let pairs: Vec<(&str, &str)> = alerts
        .iter()
        .map(|x| (x.customer_id.as_str(), x.entity_id.as_str()))
        .collect();
    // A's live customer alerted on b; the deleted one not screened.
    assert_eq!(pairs, vec![("c-new", "us_ofac_sdn:20001")]);
    assert_eq!(report.alerts_opened, 1);
}

#[test]
fn of_two_decisions_racing_on_two_replicas_one_wins_the_other_conflicts() {
    let url = cluster().new_database();
    let (a, b) = (replica(&url), replica(&url));
    a.put_customers(vec![Ok(cust("c-1", "Usama bin Ladin"))], "test")
        .expect("write");
    let alert = b.store().all_current_alerts().expect("alerts").remove(0);
    for round in 0..5 {
        // Each round on a fresh alert of its own customer.
        let (id, revision) = if round == 0 {
            (alert.id, alert.revision)
        } else {
            let c = format!("c-r{round}");
            a.put_customers(vec![Ok(cust(&c, "Usama bin Ladin"))], "test")
                .expect("write");
            let x = a
                .store()
                .all_current_alerts()
                .expect("alerts")
                .into_iter()
                .find(|x| x.customer_id == c)
                .expect("alert");
            (x.id, x.revision)
        };
        let decide = |m: &Monitor, decision: &str, who: &str| {
            m.decide(
                id,
                &DecisionRequest {
                    decision: decision.into(),
                    reason: "seen".into(),
                    revision: Some(revision),
                },
                who,
            )
        };
        let (ra, rb) = std::thread::scope(|s| {
            let ta = s.spawn(|| decide(&a, "false_positive", "ana"));
            let tb = s.spawn(|| decide(&b, "true_match", "bob"));
            (ta.join().expect("a"), tb.join().expect("b"))
        });
        let wins = [ra.is_ok(), rb.is_ok()];
        assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{ra:?} {rb:?}");
        let lost = if ra.is_ok() { rb } else { ra };
        assert!(matches!(lost, Err(MonitorError::Conflict(_))), "{lost:?}");
        let stored = a.store().alert(id).expect("read").expect("alert");
        assert!(
            matches!(
                stored.status,
                AlertStatus::FalsePositive | AlertStatus::TrueMatch
            ),
            "{stored:?}"
        );
        assert_eq!(a.store().alert_history(id).expect("history").len(), 2);
    }
}

#[test]
fn two_replicas_screening_the_same_customers_open_each_alert_once_and_keep_one_chain() {
    let url = cluster().new_database();
    let (a, b) = (replica(&url), replica(&url));
    // Every round changes each record (its segment), so each is screened
    // and written again by both replicas.
    let rows = |segment: &str| -> Vec<Result<Customer, String>> {
        (0..40)
            .map(|i| {
                let name = if i % 2 == 0 {
                    "Viktor Bout"
                } else {
                    "Usama bin Ladin"
                };
                Ok(Customer {
                    segment: Some(segment.to_string()),
                    ..cust(&format!("c-{i}"), name)
                })
            })
            .collect()
    };
    std::thread::scope(|s| {
        let ta = s.spawn(|| {
            for round in 0..3 {
                a.put_customers(rows(&format!("a{round}")), "a")
                    .expect("a writes");
            }
        });
        let tb = s.spawn(|| {
            for round in 0..3 {
                b.put_customers(rows(&format!("b{round}")), "b")
                    .expect("b writes");
            }
        });
        ta.join().expect("a");
        tb.join().expect("b");
    });
    let alerts = a.store().all_current_alerts().expect("alerts");
    let mut pairs: HashMap<(String, String), usize> = HashMap::new();
    for x in &alerts {
        *pairs
            .entry((x.customer_id.clone(), x.entity_id.clone()))
            .or_default() += 1;
    }
    assert_eq!(pairs.len(), 40, "one pair per customer");
    assert!(pairs.values().all(|n| *n == 1), "{pairs:?}");
    let chain = b.verify_audit().expect("verify");
    assert_eq!(chain.problem, None, "{chain:?}");
    assert!(chain.records >= 240, "{chain:?}");
}

#[test]
fn two_delivery_workers_send_each_event_once_per_endpoint() {
    let url = cluster().new_database();
    let (a, b) = (store(&url), store(&url));
    let endpoints = vec![
        "https://a.example/hook".to_string(),
        "https://b.example/hook".to_string(),
    ];
    let now = time::OffsetDateTime::now_utc();
    for i in 0..60 {
        let event = Event {
            id: format!("ev-{i}"),
            kind: "alert.opened".into(),
            customer_id: Some(format!("c-{}", i % 7)),
            payload: json!({ "n": i }),
        };
        a.transaction(&mut |tx| tx.enqueue_event(&event, &endpoints, now))
            .expect("enqueue");
    }
    let sent: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for worker in [&a, &b] {
            let sent = &sent;
            s.spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(60);
                while Instant::now() < deadline {
                    let at = time::OffsetDateTime::now_utc();
                    let claimed = worker
                        .claim_deliveries(at, Duration::from_secs(30), 5)
                        .expect("claim");
                    if claimed.is_empty() {
                        if worker.delivery_backlog().expect("backlog") == 0 {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                    for d in claimed {
                        sent.lock()
                            .expect("lock")
                            .push((d.event_id.clone(), d.endpoint.clone()));
                        worker
                            .finish_delivery(d.id, &DeliveryOutcome::Delivered, at)
                            .expect("finish");
                    }
                }
            });
        }
    });
    let sent = sent.into_inner().expect("lock");
    let distinct: BTreeSet<&(String, String)> = sent.iter().collect();
    assert_eq!(sent.len(), 120, "every event to both endpoints");
    assert_eq!(distinct.len(), 120, "none twice");
}

#[test]
fn a_lease_that_runs_out_frees_the_delivery_for_another_replica() {
    let url = cluster().new_database();
    let (a, b) = (store(&url), store(&url));
    let now = time::OffsetDateTime::now_utc();
    let event = Event {
        id: "ev-1".into(),
        kind: "alert.opened".into(),
        customer_id: Some("c-1".into()),
        payload: json!({}),
    };
    a.transaction(&mut |tx| tx.enqueue_event(&event, &["https://x.example/h".to_string()], now))
        .expect("enqueue");
    let first = a
        .claim_deliveries(now, Duration::from_secs(10), 10)
        .expect("claim");
    assert_eq!(first.len(), 1);
    // Replica a died mid-send: b cannot take it while the lease holds...
    let during = b
        .claim_deliveries(now + Duration::from_secs(5), Duration::from_secs(10), 10)
        .expect("claim");
    assert!(during.is_empty());
    // ...and can once it ran out.
    let after = b
        .claim_deliveries(now + Duration::from_secs(11), Duration::from_secs(10), 10)
        .expect("claim");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].event_id, "ev-1");
}

#[test]
fn a_migration_run_by_two_at_once_is_applied_once() {
    let url = cluster().new_database();
    let stores: Vec<Result<PostgresStore, MonitorError>> = std::thread::scope(|s| {
        let t: Vec<_> = (0..3)
            .map(|_| s.spawn(|| PostgresStore::connect(&url, PostgresOptions::default())))
            .collect();
        t.into_iter().map(|t| t.join().expect("thread")).collect()
    });
    assert!(stores.iter().all(Result::is_ok), "{stores:?}");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("admin");
    let versions: Vec<i64> = admin
        .query("SELECT version FROM monitor_schema ORDER BY version", &[])
        .expect("versions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: Vec<i64> = (1..=MIGRATIONS.len() as i64).collect();
    assert_eq!(versions, expected);
}

#[test]
fn a_replica_older_than_the_schema_refuses_to_write_and_says_why() {
    let url = cluster().new_database();
    let old = replica(&url);
    old.put_customers(vec![Ok(cust("c-1", "Viktor Bout"))], "test")
        .expect("write");
    // A newer release migrates the database past what this build knows.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("admin");
    admin
        .execute(
            "INSERT INTO monitor_schema (version, applied_at) VALUES ($1, 'now')",
            &[&(MIGRATIONS.len() as i64 + 1)],
        )
        .expect("newer");
    let refused = old.put_customers(vec![Ok(cust("c-2", "Usama bin Ladin"))], "test");
    let Err(MonitorError::Schema(why)) = refused else {
        panic!("{refused:?}")
    };
    assert!(why.contains("newer than this build"), "{why}");
    assert!(!old.store().writable());
    // Reads go on; nothing was written.
    assert!(old.store().customer("c-1").expect("read").is_some());
    assert!(old.store().customer("c-2").expect("read").is_none());
    // A replica of this build starting now is refused too.
    let e = PostgresStore::connect(&url, PostgresOptions::default()).expect_err("refused");
    assert!(
        matches!(&e, MonitorError::Schema(w) if w.contains("newer")),
        "{e:?}"
    );
}

const KEY: &str = "analyst-ana-0123456789";

/// Sends a request: (status, JSON).
async fn call<S, B>(app: &S, method: &str, path: &str, body: Option<Value>) -> (u16, Value)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut req = web_test::TestRequest::default()
        .method(method.parse().expect("method"))
        .uri(path)
        .insert_header(("authorization", format!("Bearer {KEY}")));
    if let Some(b) = body {
        req = req.set_json(b);
    }
    let res = web_test::call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let bytes = web_test::read_body(res).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[actix_web::test]
async fn the_database_unreachable_at_start_refuses_monitor_writes_until_it_is_back() {
    // A cluster of its own: this test stops it.
    let db = blocking(Cluster::start);
    let url = blocking(|| db.new_database());
    blocking(|| db.stop());

    let source = Arc::new(MemorySource::new());
    source.add_list("us_ofac_sdn", "v1", true, entities());
    let service = Arc::new(Service::new(
        Arc::clone(&source) as _,
        RefreshSettings::default(),
    ));
    service.load_initial().await;
    // The replica starts with the database down.
    let mut config = MonitorConfig::default();
    config.set_database(&url);
    let store =
        blocking(|| screener::monitor::open_store(&config, std::path::Path::new("."), true))
            .expect("starts without the database");
    let monitor = Arc::new(Monitor::new(store, config));
    let follower = actix_web::rt::spawn(screener::monitor::follow(
        Arc::clone(&monitor),
        Arc::clone(&service),
    ));
    let cfg = ServerConfig {
        api_keys: vec![ApiKey::new("ana", KEY)],
        workers: Some(1),
        ..ServerConfig::default()
    };
    let state = AppState::with_monitor(Arc::clone(&service), cfg, Some(Arc::clone(&monitor)));
    let app = web_test::init_service(App::new().configure(app_config(state))).await;

    let put = json!({"name": "Viktor Bout"});
    // Refused (503) from the start; once the first attempt to load the
    // customers has failed, the answer names the database.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (st, body) = call(&app, "PUT", "/v1/customers/c-1", Some(put.clone())).await;
        assert_eq!(st, 503, "{body}");
        let detail = body["detail"].as_str().unwrap_or_default().to_string();
        if detail.contains("monitor database") && detail.contains("cannot be reached") {
            break;
        }
        assert!(Instant::now() < deadline, "{body}");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    // Screening does not need the monitor's database.
    let (st, body) = call(
        &app,
        "POST",
        "/v1/screen",
        Some(json!({"name": "Viktor Bout"})),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert!(
        !body["matches"].as_array().expect("matches").is_empty(),
        "{body}"
    );

    // The database comes back: writes succeed without a restart.
    blocking(|| db.start_again());
    let deadline = Instant::now() + Duration::from_secs(60);
    let (st, body) = loop {
        let (st, body) = call(&app, "PUT", "/v1/customers/c-1", Some(put.clone())).await;
        if st != 503 || Instant::now() > deadline {
            break (st, body);
        }
        actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["alerts"].as_array().map(Vec::len), Some(1), "{body}");
    follower.abort();
}

// ----- distributed rescreening (issue 15, point 4) -----

/// `count` customers: every tenth matches a party of v1 (Bout), every
/// tenth from the fifth a party only v2 lists (Kadyrov), the rest none.
fn customers(count: usize) -> Vec<Result<Customer, String>> {
    let firsts = [
        "Anna", "Pierre", "Maria", "John", "Olga", "Ahmed", "Sofia", "Kenji",
    ];
    let lasts = [
        "Schmidt", "Dupont", "Rossi", "Smith", "Ivanova", "Haddad", "Costa", "Tanaka",
    ];
    (0..count)
        .map(|i| {
            let name = match i % 10 {
                0 => "Viktor Bout".to_string(),
                5 => "Ramzan Kadyrov".to_string(),
                _ => format!("{} {}", firsts[i % 8], lasts[(i / 8) % 8]),
            };
            Ok(cust(&format!("c-{i:05}"), &name))
        })
        .collect()
}

/// The list at v2: v1 and Kadyrov.
fn v2() -> Arc<screener::service::Served> {
    let mut e = entities();
    e.push(person("20001", "Ramzan Akhmadovich KADYROV", "1976-10-05"));
    served_at("v2", e)
}

fn no_earlier(_: &str, _: &str) -> Result<Vec<Entity>, String> {
    Err("earlier versions are not kept here".to_string())
}

/// A replica started after the lists moved on: it has its customers but
/// not the generation they were screened against, so its step to v2
/// (the earlier version cannot be rebuilt) is a full rescreen, the one
/// every such replica plans alike and shares.
fn late_replica(store: Arc<dyn MonitorStore>, name: &str, lease: Duration) -> Monitor {
    let m = Monitor::new(store, MonitorConfig::default())
        .with_replica_name(name)
        .with_rescreen_lease(lease)
        .with_rescreen_chunk(20);
    m.load_customer_index().expect("index");
    m
}

/// Every current alert: (customer, entity, status, score).
fn alert_set(m: &Monitor) -> BTreeSet<(String, String, String, String)> {
    m.store()
        .all_current_alerts()
        .expect("alerts")
        .into_iter()
        .map(|a| {
            (
                a.customer_id,
                a.entity_id,
                a.status.as_str().to_string(),
                format!("{:.6}", a.score),
            )
        })
        .collect()
}

/// How many audit records of each kind, and how many `alert.opened`
/// records name each pair (more than one: an alert event doubled).
fn audit_counts(m: &Monitor) -> (HashMap<String, usize>, HashMap<(String, String), usize>) {
    let mut kinds = HashMap::new();
    let mut opened = HashMap::new();
    for r in m.store().audit_after(0, 1_000_000).expect("audit") {
        *kinds.entry(r.kind.clone()).or_insert(0) += 1;
        if r.kind == "alert.opened" {
            let p: Value = serde_json::from_str(&r.payload).expect("payload");
            let pair = (
                p["customerId"].as_str().unwrap_or("").to_string(),
                p["entityId"].as_str().unwrap_or("").to_string(),
            );
            *opened.entry(pair).or_insert(0) += 1;
        }
    }
    (kinds, opened)
}

/// What one replica alone leaves after the same rescreen of the same
/// customers.
fn single_replica_alerts(count: usize) -> BTreeSet<(String, String, String, String)> {
    let url = cluster().new_database();
    replica(&url)
        .put_customers(customers(count), "test")
        .expect("write");
    let m = late_replica(store(&url), "alone", Duration::from_secs(60));
    let r = m.advance(v2(), None, &no_earlier).expect("rescreen");
    assert_eq!(r.kind, "full");
    alert_set(&m)
}

#[test]
fn two_replicas_share_one_rescreen_and_leave_the_alerts_one_replica_would() {
    let count = 400;
    let expected = single_replica_alerts(count);
    assert_eq!(
        expected.len(),
        count / 5,
        "a Bout and a Kadyrov alert in every ten"
    );
    let url = cluster().new_database();
    replica(&url)
        .put_customers(customers(count), "test")
        .expect("write");
    let lease = Duration::from_secs(60);
    let (a, b) = (
        late_replica(store(&url), "a", lease),
        late_replica(store(&url), "b", lease),
    );
    let start = std::sync::Barrier::new(2);
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| {
            start.wait();
            a.advance(v2(), None, &no_earlier)
        });
        let tb = s.spawn(|| {
            start.wait();
            b.advance(v2(), None, &no_earlier)
        });
        (ta.join().expect("a"), tb.join().expect("b"))
    });
    let (ra, rb) = (ra.expect("a rescreens"), rb.expect("b rescreens"));
    assert_eq!(ra.kind, "full");
    assert_eq!(ra.job, rb.job, "one job, shared");
    let job = ra.job.expect("a job");
    let p = b.rescreen_progress(job).expect("read").expect("the job");
    assert_eq!(p.status, "done");
    assert_eq!(p.chunks_done, p.chunks_total);
    assert!(p.chunks_total >= 20, "{p:?}");
    assert_eq!(p.chunks_leased, 0);
    assert_eq!(
        p.counts.customers_screened, count as u64,
        "each customer once"
    );
    assert!(p.finished_at.is_some());
    let done_by = |r: &str| p.replicas.get(r).map_or(0, |x| x.chunks_done);
    assert!(done_by("a") > 0 && done_by("b") > 0, "{:?}", p.replicas);
    assert_eq!(done_by("a") + done_by("b"), p.chunks_total);
    assert_eq!(alert_set(&a), expected);
    let (kinds, opened) = audit_counts(&a);
    assert_eq!(kinds.get("rescreen.completed"), Some(&1), "{kinds:?}");
    assert!(opened.values().all(|n| *n == 1), "{opened:?}");
    // The same report, and the progress over HTTP is the store's.
    assert_eq!(ra.alerts_opened, rb.alerts_opened);
}

/// A replica's store with a fault or a pause put in:
/// - `killed`: the replica is killed mid-chunk: the chunk's alerts are
///   written, but it stops before it marks the chunk done, and never comes
///   back (its thread parks for good, holding its lease until it runs out);
/// - `paused`: once the replica has read the recorded list versions, it
///   tells so and waits to be let go on (what another replica does
///   meanwhile falls between that read and the rest of its rescreen).
struct Hooked {
    inner: Arc<PostgresStore>,
    killed: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    paused: Mutex<Option<Pause>>,
}

type Pause = (std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>);

impl Hooked {
    fn new(inner: Arc<PostgresStore>) -> Hooked {
        Hooked {
            inner,
            killed: Mutex::new(None),
            paused: Mutex::new(None),
        }
    }
}

impl MonitorStore for Hooked {
    fn running_rescreen_jobs(
        &self,
        to: &BTreeMap<String, String>,
        config_hash: &str,
    ) -> Result<Vec<i64>, MonitorError> {
        self.inner.running_rescreen_jobs(to, config_hash)
    }
    fn finish_rescreen_chunk(
        &self,
        chunk: &RescreenChunk,
        worker: &str,
        counts: &ChunkCounts,
        now: time::OffsetDateTime,
    ) -> Result<bool, MonitorError> {
        if let Some(tell) = self.killed.lock().expect("lock").take() {
            let _ = tell.send(());
            loop {
                std::thread::park();
            }
        }
        self.inner.finish_rescreen_chunk(chunk, worker, counts, now)
    }
    fn transaction(
        &self,
        f: &mut (dyn FnMut(&mut dyn Tx) -> Result<(), MonitorError> + Send),
    ) -> Result<(), MonitorError> {
        self.inner.transaction(f)
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn writable(&self) -> bool {
        self.inner.writable()
    }
    fn customer(&self, id: &str) -> Result<Option<StoredCustomer>, MonitorError> {
        self.inner.customer(id)
    }
    fn customers_by_ord(&self, ords: &[u32]) -> Result<Vec<StoredCustomer>, MonitorError> {
        self.inner.customers_by_ord(ords)
    }
    fn scan_customers(
        &self,
        after: u32,
        limit: usize,
    ) -> Result<Vec<StoredCustomer>, MonitorError> {
        self.inner.scan_customers(after, limit)
    }
    fn list_customers(&self, f: &CustomerFilter) -> Result<Page<StoredCustomer>, MonitorError> {
        self.inner.list_customers(f)
    }
    fn count_customers(&self) -> Result<u64, MonitorError> {
        self.inner.count_customers()
    }
    fn customers_changed_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, StoredCustomer)>, MonitorError> {
        self.inner.customers_changed_after(after, limit)
    }
    fn last_customer_change(&self) -> Result<i64, MonitorError> {
        self.inner.last_customer_change()
    }
    fn alert(&self, id: i64) -> Result<Option<Alert>, MonitorError> {
        self.inner.alert(id)
    }
    fn alert_history(&self, id: i64) -> Result<Vec<HistoryEntry>, MonitorError> {
        self.inner.alert_history(id)
    }
    fn list_alerts(&self, f: &AlertFilter) -> Result<Page<Alert>, MonitorError> {
        self.inner.list_alerts(f)
    }
    fn alert_counts(&self, f: &AlertFilter) -> Result<BTreeMap<AlertStatus, u64>, MonitorError> {
        self.inner.alert_counts(f)
    }
    fn active_alerts_by_list(&self) -> Result<BTreeMap<String, u64>, MonitorError> {
        self.inner.active_alerts_by_list()
    }
    fn all_current_alerts(&self) -> Result<Vec<Alert>, MonitorError> {
        self.inner.all_current_alerts()
    }
    fn audit_after(&self, after: i64, limit: usize) -> Result<Vec<AuditRecord>, MonitorError> {
        self.inner.audit_after(after, limit)
    }
    fn state(&self, key: &str) -> Result<Option<String>, MonitorError> {
        let value = self.inner.state(key);
        if key == "list_versions"
            && let Some((tell, go)) = self.paused.lock().expect("lock").take()
        {
            let _ = tell.send(());
            let _ = go.recv_timeout(Duration::from_secs(120));
        }
        value
    }
    fn release_delivery_leases(&self) -> Result<(), MonitorError> {
        self.inner.release_delivery_leases()
    }
    fn claim_deliveries(
        &self,
        now: time::OffsetDateTime,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Delivery>, MonitorError> {
        self.inner.claim_deliveries(now, lease, limit)
    }
    fn finish_delivery(
        &self,
        id: i64,
        outcome: &DeliveryOutcome,
        now: time::OffsetDateTime,
    ) -> Result<(), MonitorError> {
        self.inner.finish_delivery(id, outcome, now)
    }
    fn list_deliveries(&self, f: &DeliveryFilter) -> Result<Page<Delivery>, MonitorError> {
        self.inner.list_deliveries(f)
    }
    fn delivery_backlog(&self) -> Result<u64, MonitorError> {
        self.inner.delivery_backlog()
    }
    fn claim_rescreen_chunk(
        &self,
        job: i64,
        worker: &str,
        now: time::OffsetDateTime,
        lease: Duration,
    ) -> Result<Option<RescreenChunk>, MonitorError> {
        self.inner.claim_rescreen_chunk(job, worker, now, lease)
    }
    fn rescreen_progress(
        &self,
        job: i64,
        now: time::OffsetDateTime,
    ) -> Result<Option<RescreenProgress>, MonitorError> {
        self.inner.rescreen_progress(job, now)
    }
}

/// `count` customers written on a new database (its URL), and the alerts
/// one replica alone leaves after the step to v2 of the same customers.
fn customers_written(count: usize) -> (BTreeSet<(String, String, String, String)>, String) {
    let expected = single_replica_alerts(count);
    let url = cluster().new_database();
    replica(&url)
        .put_customers(customers(count), "test")
        .expect("write");
    (expected, url)
}

#[test]
fn a_chunk_of_a_replica_killed_mid_chunk_is_done_by_another_and_nothing_is_doubled() {
    let count = 200;
    let (expected, url) = customers_written(count);
    let lease = Duration::from_secs(1);
    let (tell, killed) = std::sync::mpsc::channel();
    let hooked = Hooked::new(store(&url));
    *hooked.killed.lock().expect("lock") = Some(tell);
    let doomed = Arc::new(late_replica(Arc::new(hooked), "killed", lease));
    // Never joined: the replica is gone.
    std::thread::spawn(move || doomed.advance(v2(), None, &no_earlier));
    killed
        .recv_timeout(Duration::from_secs(60))
        .expect("the doomed replica worked a chunk");
    let b = late_replica(store(&url), "b", lease);
    let r = b.advance(v2(), None, &no_earlier).expect("b rescreens");
    assert_eq!(r.kind, "full");
    let p = b
        .rescreen_progress(r.job.expect("job"))
        .expect("read")
        .expect("the job");
    assert_eq!(p.status, "done");
    assert_eq!(p.chunks_done, p.chunks_total);
    // The killed replica's chunk was taken over once its lease ran out.
    assert!(!p.replicas.contains_key("killed"), "{:?}", p.replicas);
    assert_eq!(
        p.replicas.get("b").map(|x| x.chunks_done),
        Some(p.chunks_total)
    );
    assert_eq!(alert_set(&b), expected, "the alerts of one replica alone");
    let (kinds, opened) = audit_counts(&b);
    assert!(
        opened.values().all(|n| *n == 1),
        "an alert opened twice: {opened:?}"
    );
    assert_eq!(opened.len(), expected.len());
    assert_eq!(kinds.get("rescreen.completed"), Some(&1), "{kinds:?}");
    // The rescreen opened the Kadyrov alerts (the Bout ones were opened at
    // the writes), those of the killed replica's chunk included: it wrote
    // them, b doing its chunk again found them written.
    let kadyrov = expected
        .iter()
        .filter(|x| x.1 == "us_ofac_sdn:20001")
        .count();
    assert_eq!(kadyrov, count / 10);
    assert_eq!(
        (r.alerts_opened, p.counts.alerts_opened),
        (kadyrov, kadyrov as u64),
        "alertsOpened counts each alert the rescreen opened once: {r:?}"
    );
    assert_eq!(p.counts.customers_screened, count as u64, "{p:?}");
}

/// A rescreen asked for on one replica (`POST /v1/monitor/rescreen`,
/// [`Monitor::rescreen_full`]) is a job of its own, and the other replicas
/// serving the same lists under the same configuration work it too
/// ([`Monitor::join_running_rescreens`], every few seconds from `serve`).
/// The replica that asked dies mid-chunk: another finishes the job, takes
/// over the dead one's chunk when its lease runs out, and tells of the
/// rescreen once; the alerts are those of one replica alone. A replica
/// under another configuration does not touch the job.
#[test]
fn a_requested_rescreen_is_finished_by_another_replica_when_its_own_dies() {
    let count = 200;
    let (expected, url) = customers_written(count);
    let lease = Duration::from_secs(1);
    let hooked = Arc::new(Hooked::new(store(&url)));
    let doomed = Arc::new(late_replica(Arc::clone(&hooked) as _, "killed", lease));
    doomed.advance(v2(), None, &no_earlier).expect("v2");
    let b = late_replica(store(&url), "b", lease);
    assert_eq!(b.advance(v2(), None, &no_earlier).expect("v2").kind, "none");
    let other_config = MonitorConfig {
        threshold: Some(0.95),
        ..MonitorConfig::default()
    };
    let c = Monitor::new(store(&url), other_config)
        .with_replica_name("c")
        .with_rescreen_lease(lease);
    c.load_customer_index().expect("index");
    c.advance(v2(), None, &no_earlier).expect("c serves v2");
    assert!(
        b.join_running_rescreens().expect("read").is_empty(),
        "no rescreen runs yet"
    );
    let (kinds_before, _) = audit_counts(&b);
    let (tell, killed) = std::sync::mpsc::channel();
    *hooked.killed.lock().expect("lock") = Some(tell);
    // Never joined: the replica is gone.
    std::thread::spawn(move || doomed.rescreen_full());
    killed
        .recv_timeout(Duration::from_secs(60))
        .expect("the replica that asked worked a chunk");
    assert!(
        c.join_running_rescreens().expect("read").is_empty(),
        "a replica matching differently leaves the job alone"
    );
    let reports = b.join_running_rescreens().expect("b helps");
    assert_eq!(reports.len(), 1, "{reports:?}");
    let job = reports[0].job.expect("a job");
    let p = b.rescreen_progress(job).expect("read").expect("the job");
    assert_eq!((p.kind.as_str(), p.status.as_str()), ("full", "done"));
    assert_eq!(p.chunks_done, p.chunks_total);
    assert!(!p.replicas.contains_key("c"), "{:?}", p.replicas);
    assert!(!p.replicas.contains_key("killed"), "{:?}", p.replicas);
    assert_eq!(
        p.replicas.get("b").map(|x| x.chunks_done),
        Some(p.chunks_total)
    );
    assert_eq!(p.counts.customers_screened, count as u64, "{p:?}");
    assert_eq!(reports[0].customers_screened, count);
    assert_eq!(alert_set(&b), expected, "the alerts of one replica alone");
    let (kinds, opened) = audit_counts(&b);
    assert!(opened.values().all(|n| *n == 1), "{opened:?}");
    let completed = |k: &HashMap<String, usize>| k.get("rescreen.completed").copied();
    assert_eq!(
        completed(&kinds),
        completed(&kinds_before).map(|n| n + 1),
        "the requested rescreen told of once"
    );
    assert!(
        b.join_running_rescreens().expect("read").is_empty(),
        "nothing left to help with"
    );
}

/// The database lost mid-rescreen (issue 15's fault "lost for 30 s"; 3 s
/// here: the rescreen waits the same way for any outage shorter than its
/// patience of five minutes): the rescreen waits, resumes from the chunks
/// done when the database is back, and leaves the alerts a clean run
/// leaves, each alert event once.
#[test]
fn the_database_lost_mid_rescreen_the_rescreen_resumes_and_nothing_is_doubled() {
    let count = 1000;
    let expected = single_replica_alerts(count);
    // A cluster of its own: this test stops it.
    let own = Cluster::start();
    let url = own.new_database();
    replica(&url)
        .put_customers(customers(count), "test")
        .expect("write");
    let m =
        Arc::new(late_replica(store(&url), "a", Duration::from_secs(60)).with_rescreen_chunk(5));
    let run = {
        let m = Arc::clone(&m);
        std::thread::spawn(move || m.advance(v2(), None, &no_earlier))
    };
    // The first job of a fresh database is number 1.
    let watcher = store(&url);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = watcher
            .rescreen_progress(1, time::OffsetDateTime::now_utc())
            .ok()
            .flatten()
            .map_or(0, |p| p.chunks_done);
        if done >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the rescreen did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    own.stop();
    std::thread::sleep(Duration::from_secs(3));
    assert!(!run.is_finished(), "the rescreen waits for the database");
    own.start_again();
    let report = run
        .join()
        .expect("the rescreen thread")
        .expect("the rescreen resumes and ends");
    assert_eq!(report.customers_screened, count);
    let p = m
        .rescreen_progress(report.job.expect("job"))
        .expect("read")
        .expect("the job");
    assert_eq!((p.status.as_str(), p.chunks_done), ("done", p.chunks_total));
    assert_eq!(alert_set(&m), expected, "the alerts of a clean run");
    let (kinds, opened) = audit_counts(&m);
    assert!(
        opened.values().all(|n| *n == 1),
        "an alert event doubled: {opened:?}"
    );
    assert_eq!(opened.len(), expected.len());
    assert_eq!(kinds.get("rescreen.completed"), Some(&1), "{kinds:?}");
    assert_eq!(
        m.verify_audit().expect("verify").problem,
        None,
        "one audit chain"
    );
}

/// A replica still on v1 writes a customer that only v2 lists, after
/// another replica's delta to v2 ran: nothing else would screen it against
/// v2 (the base is recorded at v2, so the first replica's own step to v2
/// has nothing to do), so the replica that switched screens it at its next
/// catch-up. The replica still on v1 does not screen the other's v2
/// customers back to v1.
#[test]
fn a_customer_written_on_a_replica_not_yet_switched_is_screened_by_one_that_has() {
    let url = cluster().new_database();
    let (a, b) = (replica(&url), replica(&url));
    let moved = a.advance(v2(), None, &no_earlier).expect("a moves to v2");
    assert_eq!(moved.kind, "delta");
    let late = b
        .put_customers(vec![Ok(cust("c-late", "Ramzan Kadyrov"))], "b")
        .expect("b writes");
    assert_eq!(late.alerts_opened, 0, "v1 does not list Kadyrov");
    let screened = late.results[0].list_versions.clone().expect("versions");
    assert_eq!(screened["us_ofac_sdn"], "v1");
    assert_eq!(a.catch_up().expect("a catches up"), 1);
    let of = |m: &Monitor, id: &str| -> Vec<(String, AlertStatus, bool, i64)> {
        m.store()
            .all_current_alerts()
            .expect("alerts")
            .into_iter()
            .filter(|x| x.customer_id == id)
            .map(|x| (x.entity_id, x.status, x.matching, x.revision))
            .collect()
    };
    assert_eq!(
        of(&a, "c-late"),
        vec![("us_ofac_sdn:20001".to_string(), AlertStatus::Open, true, 1)],
        "a screened b's customer against v2"
    );
    // The other way round: a's v2 customer stays as a screened it.
    let new = a
        .put_customers(vec![Ok(cust("c-new", "Ramzan Kadyrov"))], "a")
        .expect("a writes");
    assert_eq!(new.alerts_opened, 1);
    assert_eq!(b.catch_up().expect("b catches up"), 1);
    assert_eq!(
        of(&b, "c-new"),
        vec![("us_ofac_sdn:20001".to_string(), AlertStatus::Open, true, 1)],
        "b, still on v1, left a's v2 customer alone"
    );
    // b's own step to v2 finds the base there already; a full rescreen
    // changes nothing.
    let b_moved = b.advance(v2(), None, &no_earlier).expect("b moves to v2");
    assert_eq!(b_moved.kind, "none", "{b_moved:?}");
    let full = a.rescreen_full().expect("full");
    assert_eq!(
        (full.alerts_opened, full.alerts_updated),
        (0, 0),
        "{full:?}"
    );
}

/// Replica b reads the recorded list versions (v1) and plans the delta to
/// v2 just as replica a finishes that same delta: b joins a's finished job
/// instead of starting a second one, so the list update and the rescreen
/// are told of once.
#[test]
fn a_replica_planning_a_rescreen_just_finished_joins_it_instead_of_starting_another() {
    let url = cluster().new_database();
    let a = replica(&url);
    a.put_customers(customers(100), "test").expect("write");
    let hooked = Arc::new(Hooked::new(store(&url)));
    let b = Monitor::new(Arc::clone(&hooked) as _, MonitorConfig::default()).with_replica_name("b");
    b.load_customer_index().expect("index");
    b.advance(served(), None, &no_earlier).expect("b adopts v1");
    let (tell, read) = std::sync::mpsc::channel();
    let (go, wait) = std::sync::mpsc::channel();
    *hooked.paused.lock().expect("lock") = Some((tell, wait));
    let (ra, rb) = std::thread::scope(|s| {
        let tb = s.spawn(|| b.advance(v2(), None, &no_earlier));
        read.recv_timeout(Duration::from_secs(60))
            .expect("b read the recorded versions");
        let ra = a.advance(v2(), None, &no_earlier);
        go.send(()).expect("b waits");
        (ra, tb.join().expect("b"))
    });
    let (ra, rb) = (ra.expect("a rescreens"), rb.expect("b rescreens"));
    assert_eq!((ra.kind.as_str(), rb.kind.as_str()), ("delta", "delta"));
    let job = ra.job.expect("a job");
    assert_eq!(rb.job, Some(job), "b joined a's job");
    assert_eq!(
        b.rescreen_progress(job + 1).expect("read"),
        None,
        "no second job"
    );
    let p = b.rescreen_progress(job).expect("read").expect("the job");
    assert_eq!(p.status, "done");
    assert_eq!(
        p.replicas.keys().map(String::as_str).collect::<Vec<_>>(),
        vec![a.replica_name()],
        "a did it all"
    );
    let (kinds, opened) = audit_counts(&a);
    assert_eq!(kinds.get("list.updated"), Some(&1), "{kinds:?}");
    assert_eq!(kinds.get("rescreen.completed"), Some(&1), "{kinds:?}");
    assert!(opened.values().all(|n| *n == 1), "{opened:?}");
    let kadyrov = alert_set(&a)
        .iter()
        .filter(|x| x.1 == "us_ofac_sdn:20001")
        .count();
    assert_eq!(kadyrov, 10, "every tenth customer is a Kadyrov");
}
