//! Ongoing monitoring through the HTTP API: writes screened at once,
//! decisions, erasure, the audit chain, and every "bad input and faults"
//! case of the issue (duplicate ids, rows without a name, unknown or closed
//! alerts, unknown decisions, concurrent decisions, a list update during a
//! bulk import, a full disk, a read-only data directory, a newer schema).

mod common;

use actix_web::{App, test, web};
use common::postgres::Backend;
use screener::api::config::{ApiKey, ServerConfig};
use screener::api::{AppState, app_config};
use screener::model::{Entity, Schema, prop};
use screener::monitor::customer::Customer;
use screener::monitor::sqlite::{SqliteOptions, SqliteStore};
use screener::monitor::store::{AlertStatus, MonitorError, MonitorStore as _};
use screener::monitor::{DecisionRequest, Monitor, MonitorConfig};
use screener::service::{MemorySource, RefreshRequest, RefreshSettings, Service};
use serde_json::{Value, json};
use std::sync::Arc;

const ANA: &str = "analyst-ana-0123456789";
const BOB: &str = "analyst-bob-0123456789";
const ADMIN: &str = "admin-token-0123456789";

fn person(id: &str, name: &str, birth: Option<&str>) -> Entity {
    let mut e = Entity::new("us_ofac_sdn", id, Schema::Person);
    e.add(prop::NAME, name);
    if let Some(b) = birth {
        e.add(prop::BIRTH_DATE, b);
    }
    e
}

fn list_v1() -> Vec<Entity> {
    let mut org = Entity::new("us_ofac_sdn", "17016", Schema::Organization);
    org.add(prop::NAME, "ROSNEFT TRADING S.A.");
    vec![
        person("8279", "Viktor Anatolyevich BOUT", Some("1967-01-13")),
        person("7379", "Usama BIN LADIN", Some("1957-03-10")),
        person("2000", "Aleksandr Sergeyevich LUKASHENKO", None),
        org,
    ]
}

struct Setup {
    service: Arc<Service>,
    source: Arc<MemorySource>,
    monitor: Arc<Monitor>,
    _dir: tempfile::TempDir,
}

async fn setup_with(config: MonitorConfig, options: SqliteOptions) -> Setup {
    let dir = tempfile::tempdir().expect("tmp");
    let store = SqliteStore::open(&dir.path().join("monitor.db"), options).expect("store");
    setup_store(Arc::new(store), config, dir).await
}

/// A monitor on a new database of the backend.
async fn setup_on(backend: Backend, config: MonitorConfig) -> Setup {
    let dir = tempfile::tempdir().expect("tmp");
    let store = backend.store(dir.path());
    setup_store(store, config, dir).await
}

async fn setup_store(
    store: Arc<dyn screener::monitor::store::MonitorStore>,
    config: MonitorConfig,
    dir: tempfile::TempDir,
) -> Setup {
    let source = Arc::new(MemorySource::new());
    source.add_list("us_ofac_sdn", "v1", true, list_v1());
    let service = Arc::new(Service::new(
        Arc::clone(&source) as _,
        RefreshSettings::default(),
    ));
    service.load_initial().await;
    let monitor = Arc::new(Monitor::new(store, config));
    let served = service.served().expect("served");
    common::postgres::blocking(|| {
        monitor.load_customer_index().expect("index");
        monitor
            .advance(served, None, &|_: &str, _: &str| Err("none".to_string()))
            .expect("adopt");
    });
    Setup {
        service,
        source,
        monitor,
        _dir: dir,
    }
}

async fn setup(backend: Backend) -> Setup {
    setup_on(backend, MonitorConfig::default()).await
}

fn state(s: &Setup) -> web::Data<AppState> {
    let cfg = ServerConfig {
        api_keys: vec![ApiKey::new("ana", ANA), ApiKey::new("bob", BOB)],
        admin_token: Some(screener::api::config::Secret::new(ADMIN)),
        workers: Some(1),
        ..ServerConfig::default()
    };
    AppState::with_monitor(Arc::clone(&s.service), cfg, Some(Arc::clone(&s.monitor)))
}

macro_rules! app {
    ($s:expr) => {
        test::init_service(App::new().configure(app_config(state($s)))).await
    };
}

/// Sends a request with a key and an optional JSON body: (status, JSON).
macro_rules! call {
    ($app:expr, $method:expr, $path:expr, $key:expr, $body:expr) => {{
        let mut req = test::TestRequest::default()
            .method($method.parse().expect("method"))
            .uri(&$path)
            .insert_header(("authorization", format!("Bearer {}", $key)));
        let body: Option<Value> = $body;
        if let Some(b) = body {
            req = req.set_json(b);
        }
        let res = test::call_service($app, req.to_request()).await;
        let status = res.status().as_u16();
        let bytes = test::read_body(res).await;
        (
            status,
            serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
        )
    }};
}

async fn a_write_is_screened_at_once_and_decisions_hold_until_a_side_changes(backend: Backend) {
    let s = setup(backend).await;
    let app = app!(&s);
    let (st, body) = call!(
        &app,
        "PUT",
        "/v1/customers/c-1",
        ANA,
        Some(
            json!({"name": "Viktor Bout", "schema": "Person", "birthDate": "1967", "segment": "retail", "metadata": {"crm": {"b": 1, "a": 2}}})
        )
    );
    assert_eq!(st, 201, "{body}");
    let alerts = body["alerts"].as_array().expect("alerts");
    assert_eq!(alerts.len(), 1, "{body}");
    assert_eq!(alerts[0]["entityId"], "us_ofac_sdn:8279");
    assert_eq!(alerts[0]["raisedBy"], "us_ofac_sdn@v1");
    assert_eq!(body["risk"]["level"], "high");
    assert_eq!(body["listVersions"]["us_ofac_sdn"], "v1");
    let alert_id = alerts[0]["id"].as_i64().expect("id");

    // A clean customer raises nothing.
    let (st, body) = call!(
        &app,
        "PUT",
        "/v1/customers/c-2",
        ANA,
        Some(json!({"name": "Maria Jose Fernandez Lopez"}))
    );
    assert_eq!(st, 201);
    assert_eq!(body["alerts"].as_array().map(Vec::len), Some(0));
    assert_eq!(body["risk"]["level"], "low");

    // The record comes back with its alert, rating and screening; metadata verbatim.
    let (st, body) = call!(&app, "GET", "/v1/customers/c-1", BOB, None);
    assert_eq!(st, 200);
    assert_eq!(body["record"]["metadata"], json!({"crm": {"b": 1, "a": 2}}));
    assert_eq!(body["alerts"][0]["id"], alert_id);
    assert_eq!(body["lastScreenedVersions"]["us_ofac_sdn"], "v1");

    // Bad decisions.
    let (st, b) = call!(
        &app,
        "POST",
        "/v1/alerts/999999/decision",
        ANA,
        Some(json!({"decision": "false_positive", "reason": "x"}))
    );
    assert_eq!(st, 404, "{b}");
    let (st, b) = call!(
        &app,
        "POST",
        &format!("/v1/alerts/{alert_id}/decision"),
        ANA,
        Some(json!({"decision": "maybe", "reason": "x"}))
    );
    assert_eq!(st, 422, "{b}");
    assert!(
        b["detail"]
            .as_str()
            .unwrap_or("")
            .contains("unknown decision")
    );
    let (st, _) = call!(
        &app,
        "POST",
        &format!("/v1/alerts/{alert_id}/decision"),
        ANA,
        Some(json!({"decision": "false_positive", "reason": "  "}))
    );
    assert_eq!(st, 422);

    // Cleared as a false positive by ana.
    let (st, b) = call!(
        &app,
        "POST",
        &format!("/v1/alerts/{alert_id}/decision"),
        ANA,
        Some(
            json!({"decision": "false_positive", "reason": "different person: born 1980 per passport"})
        )
    );
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["status"], "false_positive");
    // A decision on a closed alert is a conflict.
    let (st, b) = call!(
        &app,
        "POST",
        &format!("/v1/alerts/{alert_id}/decision"),
        BOB,
        Some(json!({"decision": "escalate", "reason": "second look"}))
    );
    assert_eq!(st, 409, "{b}");
    let (_, detail) = call!(&app, "GET", &format!("/v1/alerts/{alert_id}"), BOB, None);
    let history = detail["history"].as_array().expect("history");
    assert_eq!(history.last().expect("entry")["actor"], "ana");
    assert_eq!(
        history.last().expect("entry")["reason"],
        "different person: born 1980 per passport"
    );

    // Writing the same customer again (a tag changes): the pair stays quiet.
    let (st, b) = call!(
        &app,
        "PUT",
        "/v1/customers/c-1",
        ANA,
        Some(
            json!({"name": "Viktor Bout", "schema": "Person", "birthDate": "1967", "segment": "retail", "tags": ["vip"], "metadata": {"crm": {"b": 1, "a": 2}}})
        )
    );
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["status"], "updated");
    assert_eq!(b["alerts"].as_array().map(Vec::len), Some(0), "{b}");
    assert_eq!(b["risk"]["level"], "low");
    // A full rescreen leaves it quiet too.
    let report = common::postgres::blocking(|| s.monitor.rescreen_full()).expect("rescreen");
    assert_eq!(report.alerts_opened, 0, "{report:?}");

    // The customer's birth date changes: a new alert, linked to the decision.
    let (_, b) = call!(
        &app,
        "PUT",
        "/v1/customers/c-1",
        ANA,
        Some(json!({"name": "Viktor Bout", "schema": "Person", "birthDate": "1967-01-13"}))
    );
    let alerts = b["alerts"].as_array().expect("alerts");
    assert_eq!(alerts.len(), 1, "{b}");
    assert_eq!(alerts[0]["previousAlertId"], alert_id);
    let new_id = alerts[0]["id"].as_i64().expect("id");
    let (_, detail) = call!(&app, "GET", &format!("/v1/alerts/{new_id}"), BOB, None);
    assert_eq!(detail["earlier"][0]["alert"]["status"], "false_positive");

    // Filters, counts and paging.
    let (st, list) = call!(&app, "GET", "/v1/alerts?status=open&limit=1", ANA, None);
    assert_eq!(st, 200);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["counts"]["open"], 1);
    // Counts are of each pair's current alert: the cleared one was followed.
    assert_eq!(list["counts"]["false_positive"], 0);
    let (st, _) = call!(&app, "GET", "/v1/alerts?status=nope", ANA, None);
    assert_eq!(st, 400);
    let (_, page1) = call!(&app, "GET", "/v1/customers?limit=1", ANA, None);
    let cursor = page1["nextCursor"].as_str().expect("cursor").to_string();
    let (_, page2) = call!(
        &app,
        "GET",
        &format!("/v1/customers?limit=1&cursor={cursor}"),
        ANA,
        None
    );
    assert_eq!(page2["items"][0]["id"], "c-2");
    assert!(page2["nextCursor"].is_null());
    let (_, risky) = call!(&app, "GET", "/v1/customers?risk=high", ANA, None);
    assert_eq!(risky["items"][0]["id"], "c-1");

    // The audit trail names who did what and holds together.
    let (_, audit) = call!(&app, "GET", "/v1/audit?since=0&limit=1000", ANA, None);
    let kinds: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"customer.upserted")
            && kinds.contains(&"alert.opened")
            && kinds.contains(&"alert.updated")
    );
    assert!(
        !audit.to_string().contains("Viktor Bout"),
        "personal data in the audit trail"
    );
    assert_eq!(s.monitor.verify_audit().expect("verify").problem, None);

    // The metrics count customers and active alerts by list.
    let req = test::TestRequest::get().uri("/metrics").to_request();
    let text = String::from_utf8(
        test::read_body(test::call_service(&app, req).await)
            .await
            .to_vec(),
    )
    .expect("utf8");
    assert!(text.contains("screener_monitor_customers 2"), "{text}");
    assert!(
        text.contains("screener_monitor_active_alerts{list=\"us_ofac_sdn\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("screener_monitor_rescreen_seconds{kind=\"full\"}"),
        "{text}"
    );
    assert!(
        text.contains("screener_monitor_webhook_backlog 0"),
        "{text}"
    );
}
crate::on_both_backends!(async a_write_is_screened_at_once_and_decisions_hold_until_a_side_changes);

async fn bulk_writes_report_duplicates_and_bad_rows_and_store_the_rest(backend: Backend) {
    let s = setup(backend).await;
    let app = app!(&s);
    let (st, b) = call!(
        &app,
        "POST",
        "/v1/customers",
        ANA,
        Some(json!([
            {"id": "d-1", "name": "Osama bin Laden"},
            {"id": "d-2"},
            {"id": "d-1", "name": "Jane Q. Public"},
            {"id": "d-3", "firstName": "Viktor", "lastName": "Bout"},
            {"id": "d-4", "name": "x", "unknownField": 1},
        ]))
    );
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["duplicates"], json!(["d-1"]));
    assert_eq!(b["created"], 2, "{b}");
    assert_eq!(b["errors"], 2, "{b}");
    let d2 = b["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["id"] == "d-2")
        .expect("d-2");
    assert!(
        d2["error"].as_str().unwrap_or("").contains("no name"),
        "{d2}"
    );
    // The last row of d-1 won.
    let (_, d1) = call!(&app, "GET", "/v1/customers/d-1", ANA, None);
    assert_eq!(d1["record"]["name"], "Jane Q. Public");
    assert_eq!(d1["alerts"].as_array().map(Vec::len), Some(0));
    let (_, d3) = call!(&app, "GET", "/v1/customers/d-3", ANA, None);
    assert_eq!(d3["alerts"].as_array().map(Vec::len), Some(1));

    // NDJSON, read as it arrives.
    let req = test::TestRequest::post()
        .uri("/v1/customers")
        .insert_header(("authorization", format!("Bearer {ANA}")))
        .insert_header(("content-type", "application/x-ndjson"))
        .set_payload("{\"id\": \"n-1\", \"name\": \"Usama bin Ladin\"}\n\nnot json\n{\"id\": \"n-2\", \"name\": \"Peter Smith\"}")
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status().as_u16(), 200);
    let b: Value = test::read_body_json(res).await;
    assert_eq!(
        (b["created"].as_u64(), b["errors"].as_u64()),
        (Some(2), Some(1)),
        "{b}"
    );
    assert!(b.to_string().contains("line 3"), "{b}");

    // Erasure: the record goes, alerts close, the audit keeps a digest.
    let (st, _) = call!(&app, "DELETE", "/v1/customers/n-1", ANA, None);
    assert_eq!(st, 200);
    let (st, _) = call!(&app, "GET", "/v1/customers/n-1", ANA, None);
    assert_eq!(st, 404);
    let (st, _) = call!(&app, "DELETE", "/v1/customers/n-1", ANA, None);
    assert_eq!(st, 404);
    let (_, alerts) = call!(&app, "GET", "/v1/alerts?customer=n-1", ANA, None);
    let a = &alerts["items"][0];
    assert_eq!(a["status"], "customer_deleted");
    assert!(a["explanation"].is_null());
    assert_eq!(s.monitor.verify_audit().expect("verify").problem, None);
}
crate::on_both_backends!(async bulk_writes_report_duplicates_and_bad_rows_and_store_the_rest);

async fn two_concurrent_decisions_one_wins_the_other_conflicts(backend: Backend) {
    let s = setup(backend).await;
    let r = s
        .monitor
        .put_customers(vec![Ok(cust("k-1", "Usama bin Ladin"))], "ana")
        .expect("write");
    let id = r.results[0].alerts.as_ref().expect("alerts")[0].id;
    for round in 0..2 {
        let (a, b) = (Arc::clone(&s.monitor), Arc::clone(&s.monitor));
        let decision = |who: &'static str, m: Arc<Monitor>| {
            std::thread::spawn(move || {
                m.decide(
                    id,
                    &DecisionRequest {
                        decision: if round == 0 {
                            "escalate"
                        } else {
                            "false_positive"
                        }
                        .into(),
                        reason: format!("{who} looked"),
                        revision: None,
                    },
                    who,
                )
            })
        };
        let (ra, rb) = (decision("ana", a), decision("bob", b));
        let results = [ra.join().expect("thread"), rb.join().expect("thread")];
        let wins = results.iter().filter(|r| r.is_ok()).count();
        let conflicts = results
            .iter()
            .filter(|r| matches!(r, Err(MonitorError::Conflict(_))))
            .count();
        assert_eq!((wins, conflicts), (1, 1), "{results:?}");
    }
    // A decision made on a revision that changed meanwhile is a conflict.
    let r = s
        .monitor
        .put_customers(vec![Ok(cust("k-2", "Viktor Bout"))], "ana")
        .expect("write");
    let alert = r.results[0].alerts.as_ref().expect("alerts")[0].clone();
    s.monitor
        .decide(
            alert.id,
            &DecisionRequest {
                decision: "escalate".into(),
                reason: "r".into(),
                revision: Some(alert.revision),
            },
            "ana",
        )
        .expect("first");
    let stale = common::postgres::blocking(|| {
        s.monitor.decide(
            alert.id,
            &DecisionRequest {
                decision: "false_positive".into(),
                reason: "r".into(),
                revision: Some(alert.revision),
            },
            "bob",
        )
    });
    assert!(matches!(stale, Err(MonitorError::Conflict(_))), "{stale:?}");
}
crate::on_both_backends!(async two_concurrent_decisions_one_wins_the_other_conflicts);

fn cust(id: &str, name: &str) -> Customer {
    Customer {
        id: Some(id.into()),
        name: name.into(),
        ..Customer::default()
    }
}

async fn four_eyes_needs_a_second_analyst_for_a_true_match(backend: Backend) {
    let s = setup_on(
        backend,
        MonitorConfig {
            four_eyes: true,
            ..MonitorConfig::default()
        },
    )
    .await;
    let app = app!(&s);
    let (_, b) = call!(
        &app,
        "PUT",
        "/v1/customers/f-1",
        ANA,
        Some(json!({"name": "Usama bin Ladin"}))
    );
    let id = b["alerts"][0]["id"].as_i64().expect("alert");
    let path = format!("/v1/alerts/{id}/decision");
    let (st, b) = call!(
        &app,
        "POST",
        &path,
        ANA,
        Some(json!({"decision": "true_match", "reason": "same person"}))
    );
    assert_eq!(st, 200);
    assert_eq!(b["status"], "open");
    assert_eq!(b["pendingTrueMatchBy"], "ana");
    let (st, _) = call!(
        &app,
        "POST",
        &path,
        ANA,
        Some(json!({"decision": "true_match", "reason": "again"}))
    );
    assert_eq!(st, 409);
    let (st, b) = call!(
        &app,
        "POST",
        &path,
        BOB,
        Some(json!({"decision": "true_match", "reason": "confirmed"}))
    );
    assert_eq!(st, 200);
    assert_eq!(b["status"], "true_match");
    let (_, c) = call!(&app, "GET", "/v1/customers/f-1", ANA, None);
    assert_eq!(c["risk"]["level"], "prohibited");
}
crate::on_both_backends!(async four_eyes_needs_a_second_analyst_for_a_true_match);

/// The queue's segment and risk filters read the customer's segment and
/// rating as copied onto its alerts: a change of either (an upsert, alone or
/// in bulk, a decision that rates the customer again) moves the customer's
/// alerts between filters at once, the page and the counts per status
/// alike, and erasure leaves them in no segment and no rating.
async fn the_queue_filters_follow_a_customers_segment_and_risk(backend: Backend) {
    use screener::monitor::store::AlertFilter;
    let s = setup(backend).await;
    let m = Arc::clone(&s.monitor);
    // (alert ids of the page, their total in the counts per status)
    let queue = |segment: Option<&str>, risk: Option<&str>| -> (Vec<i64>, u64) {
        let f = AlertFilter {
            segment: segment.map(str::to_string),
            risk: risk.map(str::to_string),
            limit: 50,
            ..AlertFilter::default()
        };
        let m = Arc::clone(&m);
        common::postgres::blocking(move || {
            let mut ids: Vec<i64> = m
                .store()
                .list_alerts(&f)
                .expect("page")
                .items
                .iter()
                .map(|a| a.id)
                .collect();
            ids.sort_unstable();
            let counted = m.store().alert_counts(&f).expect("counts").values().sum();
            (ids, counted)
        })
    };
    let customer = |id: &str, name: &str, birth: &str, segment: &str| Customer {
        birth_date: Some(birth.into()),
        segment: Some(segment.into()),
        ..cust(id, name)
    };
    let put = |rows: Vec<Customer>| {
        let m = Arc::clone(&m);
        common::postgres::blocking(move || {
            m.put_customers(rows.into_iter().map(Ok).collect(), "ana")
                .expect("write")
        })
    };

    // A bulk write: two listed people in two segments, each with an open
    // alert, so each rated high.
    let report = put(vec![
        customer("s-1", "Viktor Bout", "1967-01-13", "retail"),
        customer("s-2", "Usama bin Ladin", "1957-03-10", "corporate"),
    ]);
    assert_eq!(report.alerts_opened, 2, "{report:?}");
    let alert_of = |c: &str| -> i64 {
        let f = AlertFilter {
            customer: Some(c.to_string()),
            limit: 10,
            ..AlertFilter::default()
        };
        let m = Arc::clone(&m);
        common::postgres::blocking(move || m.store().list_alerts(&f).expect("alerts").items)
            .first()
            .map(|a| a.id)
            .expect("an alert")
    };
    let (a1, a2) = (alert_of("s-1"), alert_of("s-2"));
    let both = {
        let mut v = vec![a1, a2];
        v.sort_unstable();
        v
    };
    assert_eq!(queue(Some("retail"), None), (vec![a1], 1));
    assert_eq!(queue(Some("corporate"), None), (vec![a2], 1));
    assert_eq!(queue(None, Some("high")), (both.clone(), 2));
    assert_eq!(queue(Some("retail"), Some("high")), (vec![a1], 1));
    assert_eq!(queue(None, Some("low")), (vec![], 0));

    // A single write moves s-1 to another segment: its alert follows at once.
    put(vec![customer(
        "s-1",
        "Viktor Bout",
        "1967-01-13",
        "corporate",
    )]);
    assert_eq!(alert_of("s-1"), a1, "the same alert, not a new one");
    assert_eq!(queue(Some("retail"), None), (vec![], 0));
    assert_eq!(queue(Some("corporate"), None), (both.clone(), 2));

    // A confirmed match rates s-1 prohibited; a false positive leaves s-2
    // with no open alert, so low: the risk filter follows both ratings.
    let decide = |id: i64, decision: &str| {
        let m = Arc::clone(&m);
        let req = DecisionRequest {
            decision: decision.into(),
            reason: "checked the passport".into(),
            revision: None,
        };
        common::postgres::blocking(move || m.decide(id, &req, "ana").expect("decision"));
    };
    decide(a1, "true_match");
    decide(a2, "false_positive");
    let stored_risk = |c: &str| {
        let m = Arc::clone(&m);
        let c = c.to_string();
        common::postgres::blocking(move || m.store().customer(&c).expect("customer"))
            .and_then(|c| c.risk)
            .map(|r| r["level"].clone())
    };
    assert_eq!(stored_risk("s-1"), Some(json!("prohibited")));
    assert_eq!(stored_risk("s-2"), Some(json!("low")));
    assert_eq!(queue(None, Some("high")), (vec![], 0));
    assert_eq!(queue(None, Some("prohibited")), (vec![a1], 1));
    assert_eq!(queue(Some("corporate"), Some("low")), (vec![a2], 1));

    // Erasure: s-1's alert stays in the queue, in no segment and no rating.
    let gone = common::postgres::blocking({
        let m = Arc::clone(&m);
        move || m.delete_customer("s-1", "ana").expect("erase")
    });
    assert!(gone);
    assert_eq!(
        queue(None, None).0,
        both,
        "the erased customer's alert stays"
    );
    assert_eq!(queue(Some("corporate"), None), (vec![a2], 1));
    assert_eq!(queue(None, Some("prohibited")), (vec![], 0));

    // A new alert takes its customer's segment and rating as they are.
    put(vec![Customer {
        segment: Some("sme".into()),
        ..cust("s-3", "Aleksandr Sergeyevich Lukashenko")
    }]);
    let a3 = alert_of("s-3");
    assert_eq!(queue(Some("sme"), Some("high")), (vec![a3], 1));
}
crate::on_both_backends!(async the_queue_filters_follow_a_customers_segment_and_risk);

#[actix_web::test]
async fn a_full_disk_refuses_writes_with_503_and_reads_and_screening_go_on() {
    // The database is capped at a few pages (SQLite's max_page_count): a
    // write past it fails with SQLITE_FULL, exactly the error a full disk gives.
    let s = setup_with(
        MonitorConfig::default(),
        SqliteOptions {
            max_pages: Some(40),
            ..SqliteOptions::default()
        },
    )
    .await;
    let app = app!(&s);
    let (st, _) = call!(
        &app,
        "PUT",
        "/v1/customers/ok",
        ANA,
        Some(json!({"name": "Viktor Bout"}))
    );
    assert_eq!(st, 201);
    let mut refused = None;
    for i in 0..400 {
        let (st, b) = call!(
            &app,
            "PUT",
            &format!("/v1/customers/x-{i}"),
            ANA,
            Some(
                json!({"name": format!("Person Number {i} Of A Long Name To Fill Pages"), "metadata": {"pad": "x".repeat(2000)}})
            )
        );
        if st != 201 {
            refused = Some((st, b));
            break;
        }
    }
    let (st, b) = refused.expect("the cap was reached");
    assert_eq!(st, 503, "{b}");
    assert!(b["detail"].as_str().unwrap_or("").contains("full"), "{b}");
    let (st, b) = call!(&app, "GET", "/v1/customers/ok", ANA, None);
    assert_eq!(st, 200, "{b}");
    let (st, _) = call!(&app, "GET", "/v1/alerts", ANA, None);
    assert_eq!(st, 200);
    let (st, b) = call!(
        &app,
        "POST",
        "/v1/screen",
        ANA,
        Some(json!({"name": "Viktor Bout"}))
    );
    assert_eq!(st, 200);
    assert!(!b["matches"].as_array().expect("matches").is_empty());
    assert!(!s.monitor.store().writable());
}

#[actix_web::test]
async fn a_read_only_database_refuses_writes_with_503_and_reads_go_on() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("monitor.db");
    {
        let store = SqliteStore::open(&path, SqliteOptions::default()).expect("create");
        let m = Monitor::new(Arc::new(store), MonitorConfig::default());
        m.load_customer_index().expect("index");
        let src = Arc::new(MemorySource::new());
        src.add_list("us_ofac_sdn", "v1", true, list_v1());
        let svc = Service::new(src, RefreshSettings::default());
        let svc = Arc::new(svc);
        svc.load_initial().await;
        m.advance(svc.served().expect("served"), None, &|_: &str, _: &str| {
            Err(String::new())
        })
        .expect("adopt");
        m.put_customers(vec![Ok(cust("r-1", "Viktor Bout"))], "ana")
            .expect("write");
    }
    // Opened as `serve` opens it when the data directory cannot be written.
    let store = SqliteStore::open(
        &path,
        SqliteOptions {
            read_only: true,
            ..SqliteOptions::default()
        },
    )
    .expect("read-only");
    let source = Arc::new(MemorySource::new());
    source.add_list("us_ofac_sdn", "v1", true, list_v1());
    let service = Arc::new(Service::new(
        Arc::clone(&source) as _,
        RefreshSettings::default(),
    ));
    service.load_initial().await;
    let monitor = Arc::new(Monitor::new(Arc::new(store), MonitorConfig::default()));
    monitor.load_customer_index().expect("index");
    let _ = monitor.advance(
        service.served().expect("served"),
        None,
        &|_: &str, _: &str| Err(String::new()),
    );
    let s = Setup {
        service,
        source,
        monitor,
        _dir: dir,
    };
    let app = app!(&s);
    let (st, b) = call!(
        &app,
        "PUT",
        "/v1/customers/r-2",
        ANA,
        Some(json!({"name": "Jane Doe"}))
    );
    assert_eq!(st, 503, "{b}");
    assert!(
        b["detail"].as_str().unwrap_or("").contains("read-only"),
        "{b}"
    );
    let (st, b) = call!(&app, "GET", "/v1/customers/r-1", ANA, None);
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["alerts"].as_array().map(Vec::len), Some(1));
    let (st, _) = call!(
        &app,
        "POST",
        "/v1/screen",
        ANA,
        Some(json!({"name": "Viktor Bout"}))
    );
    assert_eq!(st, 200);
}

#[actix_web::test]
async fn a_database_of_a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("monitor.db");
    drop(SqliteStore::open(&path, SqliteOptions::default()).expect("create"));
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    let err = SqliteStore::open(&path, SqliteOptions::default()).expect_err("refused");
    let text = err.to_string();
    assert!(matches!(err, MonitorError::Schema(_)));
    assert!(
        text.contains("schema version 99") && text.contains("newer"),
        "{text}"
    );
    // `serve` stops with that message rather than running without the monitor.
    let cfg = ServerConfig {
        data_dir: dir.path().to_path_buf(),
        monitor: MonitorConfig {
            database: Some(path.clone()),
            ..MonitorConfig::default()
        },
        ..ServerConfig::default()
    };
    let e = screener::api::open_monitor(&cfg).expect_err("refused");
    assert!(e.to_string().contains("schema version 99"), "{e}");
    // Nothing was changed in the file.
    let conn = rusqlite::Connection::open(&path).expect("open");
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(v, 99);
}

async fn a_list_update_during_a_bulk_import_both_complete(backend: Backend) {
    let s = setup(backend).await;
    // v2 adds a party that some imported customers match.
    let mut v2 = list_v1();
    v2.push(person(
        "9999",
        "Ramzan Akhmadovich KADYROV",
        Some("1976-10-05"),
    ));
    s.source.publish("us_ofac_sdn", "v2", v2);
    let rows: Vec<Result<Customer, String>> = (0..3000)
        .map(|i| {
            Ok(match i % 100 {
                0 => cust(&format!("b-{i}"), "Ramzan Kadyrov"),
                1 => cust(&format!("b-{i}"), "Viktor Bout"),
                _ => cust(&format!("b-{i}"), &format!("Customer {i} Somebody")),
            })
        })
        .collect();
    let m = Arc::clone(&s.monitor);
    let import = std::thread::spawn(move || m.put_customers(rows, "batch"));
    let report = s.service.refresh(RefreshRequest::default()).await;
    assert!(report.rebuilt, "{report:?}");
    let served = s.service.served().expect("served");
    let m = Arc::clone(&s.monitor);
    let delta =
        std::thread::spawn(move || m.advance(served, None, &|_: &str, _: &str| Err(String::new())));
    let written = import.join().expect("import").expect("import ok");
    assert_eq!(written.created, 3000);
    let delta = delta.join().expect("delta").expect("delta ok");
    assert_eq!(delta.to["us_ofac_sdn"], "v2");
    // Each customer records the version its own screening ran against.
    let mut versions = std::collections::BTreeSet::new();
    for r in &written.results {
        versions.insert(r.list_versions.as_ref().expect("versions")["us_ofac_sdn"].clone());
    }
    assert!(
        versions.iter().all(|v| v == "v1" || v == "v2"),
        "{versions:?}"
    );
    // Every Kadyrov customer has its alert, whichever side of the update it was written on.
    let alerts = s.monitor.store().all_current_alerts().expect("alerts");
    let kadyrov = alerts
        .iter()
        .filter(|a| a.entity_id == "us_ofac_sdn:9999" && a.status == AlertStatus::Open)
        .count();
    assert_eq!(kadyrov, 30, "{delta:?}");
    // And a full rescreen finds nothing more.
    let full = common::postgres::blocking(|| s.monitor.rescreen_full()).expect("full");
    assert_eq!(
        (full.alerts_opened, full.alerts_updated),
        (0, 0),
        "{full:?}"
    );
}
crate::on_both_backends!(async a_list_update_during_a_bulk_import_both_complete);

/// The parties of `small_writes_racing_list_updates_keep_their_alerts`:
/// (entity, listed name, birth date, a customer's name for them).
const RACED: [(&str, &str, &str, &str); 5] = [
    (
        "9101",
        "Ramzan Akhmadovich KADYROV",
        "1976-10-05",
        "Ramzan Kadyrov",
    ),
    ("9102", "Igor Ivanovich SECHIN", "1960-09-07", "Igor Sechin"),
    (
        "9103",
        "Gennadiy Nikolayevich TIMCHENKO",
        "1952-11-09",
        "Gennadiy Timchenko",
    ),
    (
        "9104",
        "Arkady Romanovich ROTENBERG",
        "1951-12-15",
        "Arkady Rotenberg",
    ),
    (
        "9105",
        "Alisher Burkhanovich USMANOV",
        "1953-09-09",
        "Alisher Usmanov",
    ),
];

/// Many small writes racing delta rescreens: every customer written while
/// a delta screens its party against the customer index keeps the alert
/// its own screening raised (a customer the reverse screening did not see
/// is not taken as no longer matching), and afterwards a full rescreen
/// finds nothing to change.
async fn small_writes_racing_list_updates_keep_their_alerts(backend: Backend) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let s = setup(backend).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let m = Arc::clone(&s.monitor);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                // (customer, the party it is named after)
                let mut written: Vec<(String, String)> = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) || written.len() < 60 {
                    let rows: Vec<(String, usize)> = (0..6)
                        .map(|i| (format!("w{w}-{:05}", n + i), (n + i) % RACED.len()))
                        .collect();
                    n += rows.len();
                    let report = m
                        .put_customers(
                            rows.iter()
                                .map(|(id, p)| Ok(cust(id, RACED[*p].3)))
                                .collect(),
                            "writer",
                        )
                        .expect("write");
                    assert_eq!(report.created, 6, "{report:?}");
                    written.extend(
                        rows.into_iter()
                            .map(|(id, p)| (id, format!("us_ofac_sdn:{}", RACED[p].0))),
                    );
                }
                written
            })
        })
        .collect();
    // Five list versions, each adding one party, each a delta rescreen run
    // while the writers write.
    let mut list = list_v1();
    for (round, (id, name, birth, _)) in RACED.iter().enumerate() {
        std::thread::sleep(std::time::Duration::from_millis(150));
        list.push(person(id, name, Some(birth)));
        s.source
            .publish("us_ofac_sdn", &format!("v{}", round + 2), list.clone());
        let report = s.service.refresh(RefreshRequest::default()).await;
        assert!(report.rebuilt, "{report:?}");
        let served = s.service.served().expect("served");
        let delta = common::postgres::blocking(|| {
            s.monitor
                .advance(served, None, &|_: &str, _: &str| Err(String::new()))
        })
        .expect("delta");
        assert_eq!(
            (delta.kind.as_str(), delta.entities_added),
            ("delta", 1),
            "{delta:?}"
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(150));
    stop.store(true, Ordering::Relaxed);
    let mut written = Vec::new();
    for w in writers {
        written.extend(w.join().expect("writer"));
    }
    let alerts = s.monitor.store().all_current_alerts().expect("alerts");
    let mut by_customer: std::collections::HashMap<&str, Vec<_>> = Default::default();
    for a in &alerts {
        by_customer
            .entry(a.customer_id.as_str())
            .or_default()
            .push(a);
    }
    let mut wrong = Vec::new();
    for (customer, party) in &written {
        let mine = by_customer.remove(customer.as_str()).unwrap_or_default();
        let ok = matches!(mine.as_slice(), [a] if &a.entity_id == party
            && a.status == AlertStatus::Open && a.matching);
        if !ok {
            wrong.push(format!(
                "{customer} ({party}): {:?}",
                mine.iter()
                    .map(|a| (&a.entity_id, a.status, a.matching))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} customers without exactly one open, matching alert on their party: {:?}",
        wrong.len(),
        written.len(),
        &wrong[..wrong.len().min(10)]
    );
    assert!(by_customer.is_empty(), "alerts on no written customer");
    let full = common::postgres::blocking(|| s.monitor.rescreen_full()).expect("full");
    assert_eq!(
        (full.alerts_opened, full.alerts_updated),
        (0, 0),
        "{} customers: {full:?}",
        written.len()
    );
}
crate::on_both_backends!(async small_writes_racing_list_updates_keep_their_alerts);

#[actix_web::test]
async fn a_changed_audit_record_is_named_by_verify() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("monitor.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).expect("store");
    store
        .transaction(&mut |tx| {
            for i in 0..5 {
                tx.append_audit(
                    &screener::monitor::store::AuditEntry {
                        kind: "customer.upserted".into(),
                        actor: "ana".into(),
                        subject: Some(format!("customer:{i}")),
                        payload: json!({"n": i}),
                    },
                    time::OffsetDateTime::now_utc(),
                )?;
            }
            Ok(())
        })
        .expect("append");
    let m = Monitor::new(Arc::new(store), MonitorConfig::default());
    assert_eq!(m.verify_audit().expect("verify").records, 5);
    let conn = rusqlite::Connection::open(&path).expect("open");
    // The table refuses changes…
    assert!(
        conn.execute("UPDATE audit SET payload = '{}' WHERE seq = 3", [])
            .is_err()
    );
    // …so a tamperer drops the trigger first; the chain still names the record.
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 3;",
    )
    .expect("tamper");
    let problem = m.verify_audit().expect("verify").problem.expect("found");
    assert!(
        problem.starts_with("record 3 ") && problem.contains("changed"),
        "{problem}"
    );
}

#[actix_web::test]
async fn every_monitoring_route_is_in_the_openapi_document() {
    let doc = screener::api::openapi::document(&ServerConfig::default());
    let mut checked = 0;
    for e in screener::api::endpoints() {
        let monitoring = [
            "/v1/customers",
            "/v1/alerts",
            "/v1/monitor",
            "/v1/audit",
            "/v1/webhooks",
        ]
        .iter()
        .any(|p| e.path.starts_with(p));
        if !monitoring {
            continue;
        }
        for m in e.methods() {
            let op = &doc["paths"][e.path][m.as_str().to_lowercase()];
            assert!(op.is_object(), "{m} {} is not documented", e.path);
            assert!(
                op["responses"].is_object(),
                "{m} {} has no responses",
                e.path
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 13);
    assert_eq!(
        doc["paths"]["/v1/monitor/rescreen"]["post"]["tags"],
        json!(["admin"])
    );
    // Every schema reference resolves.
    let text = doc.to_string();
    for part in text.split("#/components/schemas/").skip(1) {
        let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
        assert!(
            doc["components"]["schemas"].get(&name).is_some(),
            "missing schema {name}"
        );
    }
}

/// The schema `$ref` points at, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// Whether `v` fits `schema` as far as types, properties (every required
/// one; with `strict`, no field the schema does not name) and items go:
/// enough to catch a body that is not what the document says.
fn fits(doc: &Value, schema: &Value, v: &Value, strict: bool) -> Result<(), String> {
    let schema = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema[key].as_array() {
            return branches
                .iter()
                .find_map(|b| fits(doc, b, v, strict).ok())
                .ok_or_else(|| format!("{v} fits no branch of {schema}"));
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        return all.iter().try_for_each(|b| fits(doc, b, v, strict));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let type_ok = types.is_empty()
        || types.iter().any(|t| match *t {
            "null" => v.is_null(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "string" => v.is_string(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => false,
        });
    if !type_ok {
        return Err(format!("{v} is not of type {types:?}"));
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(v)
    {
        return Err(format!("{v} is not one of {values:?}"));
    }
    if let (Some(obj), Some(props)) = (v.as_object(), schema["properties"].as_object()) {
        for (k, val) in obj {
            match props.get(k) {
                Some(p) => fits(doc, p, val, strict).map_err(|e| format!("{k}: {e}"))?,
                None if schema["additionalProperties"] == json!(false) => {
                    return Err(format!("unknown field {k}"));
                }
                None if schema["additionalProperties"].is_object() => {
                    fits(doc, &schema["additionalProperties"], val, strict)?
                }
                None if strict => return Err(format!("undocumented field {k}")),
                None => {}
            }
        }
        for r in schema["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap_or_default();
            if !obj.contains_key(r) {
                return Err(format!("required field {r} missing"));
            }
        }
    } else if let (Some(obj), Some(extra)) = (v.as_object(), schema.get("additionalProperties"))
        && extra.is_object()
    {
        for val in obj.values() {
            fits(doc, extra, val, strict)?;
        }
    }
    if let (Some(items), Some(item_schema)) = (v.as_array(), schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            fits(doc, item_schema, item, strict).map_err(|e| format!("[{i}]: {e}"))?;
        }
    }
    if let Some(s) = v.as_str() {
        if let Some(n) = schema["minLength"].as_u64()
            && (s.chars().count() as u64) < n
        {
            return Err(format!("{v} is shorter than {n}"));
        }
        if let Some(p) = schema["pattern"].as_str()
            && p == r"\S"
            && s.trim().is_empty()
        {
            return Err(format!("{v} is blank"));
        }
    }
    Ok(())
}

/// Checks an answer against the document: its status is documented for the
/// operation and its body fits the documented schema.
fn check_answer(doc: &Value, method: &str, route: &str, status: u16, body: &Value) {
    let op = &doc["paths"][route][method.to_lowercase()];
    let response = &op["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {route} answered {status}, which the document does not list: {body}"
    );
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {route} {status}: no JSON schema"
    );
    if let Err(e) = fits(doc, schema, body, true) {
        panic!("{method} {route} {status}: the body does not fit the document: {e}\n{body}");
    }
}

/// The JSON schema of an operation's request body.
fn request_schema<'a>(doc: &'a Value, method: &str, route: &str) -> &'a Value {
    &doc["paths"][route][method]["requestBody"]["content"]["application/json"]["schema"]
}

async fn every_answer_of_the_monitoring_routes_is_documented_with_its_body(backend: Backend) {
    let s = setup(backend).await;
    let app = app!(&s);
    let doc = screener::api::openapi::document(&ServerConfig {
        api_keys: vec![ApiKey::new("ana", ANA)],
        ..ServerConfig::default()
    });
    let mut answered = std::collections::BTreeSet::new();
    macro_rules! expect {
        ($method:expr, $route:expr, $path:expr, $key:expr, $body:expr, $status:expr) => {{
            let (st, body) = call!(&app, $method, $path, $key, $body);
            assert_eq!(st, $status, "{} {}: {body}", $method, $path);
            check_answer(&doc, $method, $route, st, &body);
            answered.insert(($method, $route, st));
            body
        }};
    }
    let one = "/v1/customers/{id}";
    let created = expect!(
        "PUT",
        one,
        "/v1/customers/c-1",
        ANA,
        Some(json!({"name": "Viktor Bout", "birthDate": "1967", "segment": "retail"})),
        201
    );
    assert_eq!(created["status"], "created");
    let replaced = expect!(
        "PUT",
        one,
        "/v1/customers/c-1",
        ANA,
        Some(json!({"name": "Viktor Bout", "birthDate": "1967-01-13", "segment": "retail"})),
        200
    );
    assert_eq!(replaced["status"], "updated");
    let alert_id = replaced["alerts"][0]["id"].as_i64().expect("an alert");
    // A field of the wrong type is refused, and named.
    let wrong = expect!(
        "PUT",
        one,
        "/v1/customers/c-2",
        ANA,
        Some(json!({"name": "Maria Lopez", "segment": 5})),
        422
    );
    assert!(
        wrong["detail"].as_str().unwrap_or("").contains("segment")
            || wrong["detail"]
                .as_str()
                .unwrap_or("")
                .contains("invalid type"),
        "{wrong}"
    );
    expect!(
        "PUT",
        one,
        "/v1/customers/c-2",
        ANA,
        Some(json!({"segment": "retail"})),
        422
    );
    expect!("GET", one, "/v1/customers/c-1", ANA, None, 200);
    expect!("GET", one, "/v1/customers/nobody", ANA, None, 404);
    expect!("DELETE", one, "/v1/customers/nobody", ANA, None, 404);
    expect!("DELETE", one, "/v1/customers/a%09b", ANA, None, 422);
    let many = "/v1/customers";
    expect!(
        "POST",
        many,
        "/v1/customers",
        ANA,
        Some(json!([{"id": "c-3", "name": "Maria Fernandez Lopez"}, {"id": "c-4"}])),
        200
    );
    expect!("POST", many, "/v1/customers", ANA, Some(json!([])), 422);
    expect!(
        "POST",
        many,
        "/v1/customers",
        ANA,
        Some(json!({"id": "c-5"})),
        400
    );
    expect!("GET", many, "/v1/customers?limit=2", ANA, None, 200);
    expect!("GET", many, "/v1/customers?limit=0", ANA, None, 400);
    let alerts = "/v1/alerts";
    expect!(
        "GET",
        alerts,
        "/v1/alerts?status=open,escalated",
        ANA,
        None,
        200
    );
    expect!("GET", alerts, "/v1/alerts?status=shut", ANA, None, 400);
    let alert = "/v1/alerts/{id}";
    expect!(
        "GET",
        alert,
        format!("/v1/alerts/{alert_id}"),
        ANA,
        None,
        200
    );
    expect!("GET", alert, "/v1/alerts/999999", ANA, None, 404);
    let decision = "/v1/alerts/{id}/decision";
    let path = format!("/v1/alerts/{alert_id}/decision");
    expect!(
        "POST",
        decision,
        path,
        ANA,
        Some(json!({"decision": "maybe", "reason": "unsure"})),
        422
    );
    expect!(
        "POST",
        decision,
        path,
        ANA,
        Some(json!({"decision": "escalate", "reason": "check the passport", "revision": 999})),
        409
    );
    expect!(
        "POST",
        decision,
        path,
        ANA,
        Some(json!({"decision": "false_positive", "reason": "different person"})),
        200
    );
    expect!(
        "POST",
        decision,
        path,
        ANA,
        Some(json!({"decision": "escalate", "reason": "again"})),
        409
    );
    expect!(
        "POST",
        decision,
        "/v1/alerts/999999/decision",
        ANA,
        Some(json!({"decision": "escalate", "reason": "why"})),
        404
    );
    expect!(
        "GET",
        alert,
        format!("/v1/alerts/{alert_id}"),
        ANA,
        None,
        200
    );
    expect!("DELETE", one, "/v1/customers/c-1", ANA, None, 200);
    expect!("GET", "/v1/monitor", "/v1/monitor", ANA, None, 200);
    expect!(
        "GET",
        "/v1/audit",
        "/v1/audit?since=0&limit=5",
        ANA,
        None,
        200
    );
    expect!("GET", "/v1/audit", "/v1/audit?since=x", ANA, None, 400);
    let deliveries = "/v1/webhooks/deliveries";
    expect!("GET", deliveries, "/v1/webhooks/deliveries", ANA, None, 200);
    expect!(
        "GET",
        deliveries,
        "/v1/webhooks/deliveries?status=lost",
        ANA,
        None,
        400
    );
    // With monitoring off every route answers 503, and says so.
    let off = test::init_service(App::new().configure(app_config(AppState::with_monitor(
        Arc::clone(&s.service),
        ServerConfig {
            api_keys: vec![ApiKey::new("ana", ANA)],
            ..ServerConfig::default()
        },
        None,
    ))))
    .await;
    for (method, route, path, body) in [
        ("GET", many, "/v1/customers", None),
        (
            "POST",
            many,
            "/v1/customers",
            Some(json!([{"id": "a", "name": "A B"}])),
        ),
        ("GET", one, "/v1/customers/c-1", None),
        (
            "PUT",
            one,
            "/v1/customers/c-1",
            Some(json!({"name": "A B"})),
        ),
        ("DELETE", one, "/v1/customers/c-1", None),
        ("GET", alerts, "/v1/alerts", None),
        ("GET", alert, "/v1/alerts/1", None),
        (
            "POST",
            decision,
            "/v1/alerts/1/decision",
            Some(json!({"decision": "escalate", "reason": "r"})),
        ),
        ("GET", "/v1/monitor", "/v1/monitor", None),
        ("GET", "/v1/audit", "/v1/audit", None),
        ("GET", deliveries, "/v1/webhooks/deliveries", None),
    ] {
        let (st, b) = call!(&off, method, path, ANA, body);
        assert_eq!(st, 503, "{method} {path}: {b}");
        check_answer(&doc, method, route, st, &b);
    }
    assert!(answered.len() >= 26, "{}", answered.len());

    // The request schemas say what the server refuses.
    let put = request_schema(&doc, "put", one);
    let customer = |v: Value| fits(&doc, put, &v, false);
    assert!(customer(json!({"name": "Viktor Bout", "segment": "retail"})).is_ok());
    assert!(customer(json!({"firstName": "Viktor", "lastName": "Bout"})).is_ok());
    assert!(customer(json!({"name": "Viktor Bout", "segment": 5})).is_err());
    assert!(customer(json!({"name": "Viktor Bout", "colour": "red"})).is_err());
    assert!(customer(json!({"segment": "retail"})).is_err(), "no name");
    assert!(customer(json!({"name": "  "})).is_err(), "blank name");
    let bulk = request_schema(&doc, "post", many);
    assert_eq!(bulk["minItems"], 1, "{bulk}");
    assert_eq!(bulk["maxItems"], 100_000, "{bulk}");
    for route in [
        "/v1/customers",
        "/v1/alerts",
        "/v1/audit",
        "/v1/webhooks/deliveries",
    ] {
        let limit = doc["paths"][route]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "limit"))
            .unwrap_or_else(|| panic!("{route} documents no limit"));
        assert_eq!(limit["schema"]["minimum"], 1, "{route}");
        assert_eq!(limit["schema"]["maximum"], 1000, "{route}");
    }
}
crate::on_both_backends!(async every_answer_of_the_monitoring_routes_is_documented_with_its_body);

/// PostgreSQL migration 005: a database at the version before it keeps its
/// alerts, and each gets its customer's segment and risk level (none when
/// the customer was erased), which the queue's filters then read.
#[actix_web::test]
async fn the_postgres_migration_copies_segment_and_risk_onto_existing_alerts() {
    // The blocking client cannot run on an async test's thread.
    common::postgres::blocking(postgres_migration_copies_segment_and_risk);
}

fn postgres_migration_copies_segment_and_risk() {
    use screener::monitor::postgres::MIGRATIONS;
    use screener::monitor::store::AlertFilter;
    let mine = MIGRATIONS
        .iter()
        .position(|m| *m == include_str!("../migrations/postgres/005_alert_customer_fields.sql"))
        .expect("migration 005 is listed");
    let url = common::postgres::cluster().new_database();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    c.batch_execute(
        "CREATE TABLE monitor_schema (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .expect("schema table");
    for (i, sql) in MIGRATIONS[..mine].iter().enumerate() {
        c.batch_execute(sql).expect("an older migration");
        c.execute(
            "INSERT INTO monitor_schema (version, applied_at) VALUES ($1, 'before')",
            &[&(i as i64 + 1)],
        )
        .expect("version");
    }
    for (id, segment, risk) in [("c-1", "retail", "high"), ("c-2", "corporate", "low")] {
        c.execute(
            "INSERT INTO customers (id, record, digest, match_fp, name, segment, revision, created_at, updated_at, risk_level, risk)
             VALUES ($1, '{}', $1, $1, $1, $2, 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', $3, '{}')",
            &[&id, &segment, &risk],
        )
        .expect("a customer");
    }
    for customer in ["c-1", "c-2", "c-erased"] {
        c.execute(
            "INSERT INTO alerts (customer_id, entity_id, list, entity_caption, status, score, matching, raised_by, last_seen_in, entity_fp, customer_fp, is_current, revision, created_at, updated_at)
             VALUES ($1, 'us_ofac_sdn:1', 'us_ofac_sdn', 'X', 'open', 0.9, TRUE, 'us_ofac_sdn@1', 'us_ofac_sdn@1', '', '', TRUE, 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            &[&customer],
        )
        .expect("an alert of the older schema");
    }

    let store = common::postgres::open(&url);
    let customers_of = |segment: Option<&str>, risk: Option<&str>| -> Vec<String> {
        let f = AlertFilter {
            segment: segment.map(str::to_string),
            risk: risk.map(str::to_string),
            limit: 10,
            ..AlertFilter::default()
        };
        let counted: u64 = store.alert_counts(&f).expect("counts").values().sum();
        let mut page: Vec<String> = store
            .list_alerts(&f)
            .expect("page")
            .items
            .into_iter()
            .map(|a| a.customer_id)
            .collect();
        page.sort();
        assert_eq!(counted, page.len() as u64, "{segment:?} {risk:?}");
        page
    };
    assert_eq!(customers_of(None, None), ["c-1", "c-2", "c-erased"]);
    assert_eq!(customers_of(Some("retail"), None), ["c-1"]);
    assert_eq!(customers_of(None, Some("low")), ["c-2"]);
    assert_eq!(
        customers_of(Some("corporate"), Some("high")),
        Vec::<String>::new()
    );
    let version: i64 = c
        .query_one("SELECT max(version) FROM monitor_schema", &[])
        .and_then(|r| r.try_get(0))
        .expect("version");
    assert_eq!(version, MIGRATIONS.len() as i64);
    let copied: Vec<(String, Option<String>, Option<String>)> = c
        .query(
            "SELECT customer_id, segment, risk_level FROM alerts ORDER BY customer_id",
            &[],
        )
        .expect("alerts")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        copied,
        vec![
            ("c-1".into(), some("retail"), some("high")),
            ("c-2".into(), some("corporate"), some("low")),
            ("c-erased".into(), None, None),
        ]
    );
}

async fn a_rescreen_shows_its_progress(backend: Backend) {
    let s = setup(backend).await;
    let app = app!(&s);
    for (id, name) in [
        ("c-1", "Viktor Bout"),
        ("c-2", "Maria Jose Fernandez Lopez"),
    ] {
        let (st, body) = call!(
            &app,
            "PUT",
            format!("/v1/customers/{id}"),
            ANA,
            Some(json!({ "name": name }))
        );
        assert_eq!(st, 201, "{body}");
    }
    // Asked for over HTTP, the rescreen runs in the background: the answer
    // names its job, which reads as running and then as done.
    let (st, started) = call!(&app, "POST", "/v1/monitor/rescreen", ADMIN, None);
    assert_eq!(st, 202, "{started}");
    assert_eq!(started["full"], true, "{started}");
    let job = started["job"].as_i64().expect("the job to follow");
    let waited = std::time::Instant::now();
    let body = loop {
        let (st, body) = call!(
            &app,
            "GET",
            format!("/v1/monitor/rescreens/{job}"),
            ANA,
            None
        );
        assert_eq!(st, 200, "{body}");
        if body["status"] != "running" {
            break body;
        }
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(60),
            "{body}"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(body["id"], job);
    assert_eq!(body["kind"], "full");
    assert_eq!(body["status"], "done");
    assert_eq!(body["to"]["us_ofac_sdn"], "v1");
    let total = body["chunksTotal"].as_u64().expect("total");
    assert!(total >= 2, "{body}");
    assert_eq!(body["chunksDone"], total);
    assert_eq!(body["chunksLeased"], 0);
    assert_eq!(body["customersScreened"], 2);
    // Bout's alert was opened by the write: the rescreen leaves it.
    assert_eq!(body["alertsOpened"], 0);
    assert!(
        body["startedAt"].is_string() && body["finishedAt"].is_string(),
        "{body}"
    );
    let replicas = body["replicas"].as_object().expect("replicas");
    assert_eq!(replicas.len(), 1, "{body}");
    let this = &replicas[s.monitor.replica_name()];
    assert_eq!(this["chunksDone"], total);
    assert_eq!(this["customersScreened"], 2);
    for bad in ["999999", "0", "x"] {
        let (st, body) = call!(
            &app,
            "GET",
            format!("/v1/monitor/rescreens/{bad}"),
            ANA,
            None
        );
        assert_eq!(st, 404, "{bad}: {body}");
        assert_eq!(body["error"], "unknown_rescreen");
    }
}
crate::on_both_backends!(async a_rescreen_shows_its_progress);
