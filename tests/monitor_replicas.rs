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
use screener::monitor::store::{AlertStatus, DeliveryOutcome, Event, MonitorError, MonitorStore};
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
    let list = LoadedList {
        id: "us_ofac_sdn".into(),
        version: "v1".into(),
        entities: 2,
    };
    let index = ScreeningIndex::build(
        vec![(list, entities())],
        BTreeSet::from(["us_ofac_sdn".to_string()]),
    )
    .expect("index");
    let versions = BTreeMap::from([("us_ofac_sdn".to_string(), "v1".to_string())]);
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
