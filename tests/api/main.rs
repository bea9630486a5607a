//! The HTTP API end to end: every route in-process (`actix_web::test`), bad
//! input of every kind answered with a 4xx JSON error naming the problem while
//! the service keeps serving, authentication, live refresh with atomic swaps,
//! metrics, and a few checks over a real socket. A small fixture of real list
//! entries (typed from the OFAC SDN CSV and the UN consolidated XML) keeps most
//! tests fast; the `real_*` tests use the list files of `../shared/lists-raw`.

#[path = "../common/mod.rs"]
mod common;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::web::Bytes;
use actix_web::{App, test, web};
use futures_util::StreamExt;
use screener::api::config::{ApiKey, Secret, ServerConfig};
use screener::api::{AppState, app_config};
use screener::model::{Entity, Schema, prop};
use screener::service::{IndexSource, MemorySource, RefreshRequest, RefreshSettings, Service};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const ADMIN: &str = "admin-token-0123456789";
const KEY: &str = "api-key-0123456789abcdef";

fn entity(list: &str, id: &str, schema: Schema, props: &[(&str, &str)]) -> Entity {
    let mut e = Entity::new(list, id, schema);
    for (p, v) in props {
        e.add(p, v);
    }
    e.finish();
    e
}

/// Real OFAC SDN rows (sdn.csv / alt.csv of the 2024-05-03 composite set).
fn ofac_v1() -> Vec<Entity> {
    vec![
        entity(
            "us_ofac_sdn",
            "6365",
            Schema::Person,
            &[
                (prop::NAME, "Usama bin Muhammad bin Awad BIN LADIN"),
                (prop::BIRTH_DATE, "1957-07-30"),
                (prop::BIRTH_DATE, "1958"),
                (prop::BIRTH_PLACE, "Jeddah, Saudi Arabia"),
                (prop::PROGRAM, "SDGT"),
            ],
        ),
        entity(
            "us_ofac_sdn",
            "8279",
            Schema::Person,
            &[
                (prop::NAME, "Viktor Anatolijevitch BOUT"),
                (prop::WEAK_ALIAS, "BONT"),
                (prop::WEAK_ALIAS, "BOUTOV"),
                (prop::BIRTH_DATE, "1967-01-13"),
                (prop::BIRTH_DATE, "1970-01-13"),
                (prop::BIRTH_PLACE, "Dushanbe, Tajikistan"),
                (prop::PROGRAM, "DRCONGO"),
            ],
        ),
        entity(
            "us_ofac_sdn",
            "20157",
            Schema::Person,
            &[
                (prop::NAME, "Jong Un KIM"),
                (prop::BIRTH_DATE, "1984-01-08"),
                (prop::POSITION, "Chairman of the Workers' Party of Korea"),
                (prop::PROGRAM, "DPRK3"),
            ],
        ),
        entity(
            "us_ofac_sdn",
            "18299",
            Schema::Organization,
            &[
                (prop::NAME, "ROSNEFT TRADING S.A."),
                (prop::TAX_NUMBER, "CHE-309.842.573"),
                (prop::REGISTRATION_NUMBER, "CH-660.0.257.011-8"),
                (prop::COUNTRY, "ch"),
                (prop::WEBSITE, "www.rosneft.com"),
            ],
        ),
    ]
}

/// Version 2: one party added (ZAHHAR), one changed (KIM), one removed (ROSNEFT TRADING).
fn ofac_v2() -> Vec<Entity> {
    let mut v: Vec<Entity> = ofac_v1()
        .into_iter()
        .filter(|e| e.id != "us_ofac_sdn:18299")
        .collect();
    for e in &mut v {
        if e.id == "us_ofac_sdn:20157" {
            e.add(prop::NATIONALITY, "kp");
        }
    }
    v.push(entity(
        "us_ofac_sdn",
        "9647",
        Schema::Person,
        &[
            (prop::NAME, "Mahmoud Khaled ZAHHAR"),
            (prop::ALIAS, "Mahmoud Khaled AL ZAHAR"),
            (prop::WEAK_ALIAS, "Mahmoud ZAHAR"),
            (prop::WEAK_ALIAS, "Mahmoud AL-ZAHAR"),
            (prop::BIRTH_DATE, "1945"),
            (prop::GENDER, "male"),
        ],
    ));
    v
}

/// Real UN consolidated list records (2026-02-27 XML).
fn un() -> Vec<Entity> {
    vec![
        entity(
            "un_sc_sanctions",
            "QDi.001",
            Schema::Person,
            &[
                (prop::NAME, "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"),
                (prop::ALIAS, "محمد صلاح الدين عبدالحليم زيدان"),
                (prop::NATIONALITY, "eg"),
                (prop::LISTING_DATE, "2001-01-25"),
            ],
        ),
        entity(
            "un_sc_sanctions",
            "KPi.033",
            Schema::Person,
            &[
                (prop::NAME, "RI WON HO"),
                (prop::BIRTH_DATE, "1964-07-17"),
                (prop::PASSPORT_NUMBER, "381310014"),
                (prop::NATIONALITY, "kp"),
                (prop::POSITION, "DPRK Ministry of State Security Official"),
            ],
        ),
        entity(
            "un_sc_sanctions",
            "QDe.004",
            Schema::Organization,
            &[
                (prop::NAME, "AL-QAIDA"),
                (prop::ALIAS, "The Base"),
                (prop::ALIAS, "Al Qaeda"),
                (prop::ALIAS, "Islamic Salvation Foundation"),
            ],
        ),
    ]
}

/// A real BIS Denied Persons List row (dpl.txt; the list has no ids, so the fixture makes one).
fn bis() -> Vec<Entity> {
    vec![entity(
        "us_bis_denied",
        "aaron-abraham-villa",
        Schema::Person,
        &[
            (prop::NAME, "AARON ABRAHAM VILLA"),
            (prop::ADDRESS, "3415 RIVERA AVENUE, EL PASO, TX 79905"),
        ],
    )]
}

fn fixture_source() -> Arc<MemorySource> {
    let src = Arc::new(MemorySource::new());
    src.add_list("us_ofac_sdn", "v1", true, ofac_v1());
    src.add_list("un_sc_sanctions", "2026-02-27", true, un());
    src.add_list("us_bis_denied", "2023-11-28", false, bis());
    src.describe(
        "us_ofac_sdn",
        "Specially Designated Nationals",
        Some(Duration::from_secs(3600)),
    );
    src
}

fn test_config() -> ServerConfig {
    ServerConfig {
        admin_token: Some(Secret::new(ADMIN)),
        workers: Some(1),
        ..ServerConfig::default()
    }
}

async fn state_for(source: Arc<MemorySource>, cfg: ServerConfig) -> web::Data<AppState> {
    let service = Arc::new(Service::new(source, RefreshSettings::default()));
    service.load_initial().await;
    AppState::new(service, cfg)
}

async fn fixture_state() -> web::Data<AppState> {
    state_for(fixture_source(), test_config()).await
}

macro_rules! app {
    ($state:expr) => {
        test::init_service(App::new().configure(app_config($state.clone()))).await
    };
}

/// Sends a request and returns status and JSON body (asserting the body is JSON).
async fn call_req<S, R>(app: &S, req: R) -> (StatusCode, Value)
where
    S: actix_web::dev::Service<
            R,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let res = test::call_service(app, req).await;
    let status = res.status();
    let ctype = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = test::read_body(res).await;
    assert!(
        ctype.starts_with("application/json"),
        "{status}: content type '{ctype}', body {}",
        String::from_utf8_lossy(&body)
    );
    let v: Value = serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    });
    (status, v)
}

fn post_json(uri: &str, body: Value) -> test::TestRequest {
    test::TestRequest::post().uri(uri).set_json(body)
}

fn post_raw(uri: &str, ctype: &str, body: impl Into<Bytes>) -> test::TestRequest {
    test::TestRequest::post()
        .uri(uri)
        .insert_header((header::CONTENT_TYPE, ctype))
        .set_payload(body.into())
}

fn get(uri: &str) -> test::TestRequest {
    test::TestRequest::get().uri(uri)
}

/// Asserts a 4xx JSON error with the given code, and returns its detail.
fn assert_error(status: StatusCode, body: &Value, want_status: u16, code: &str) -> String {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(body["error"], code, "{body}");
    let detail = body["detail"].as_str().unwrap_or_default().to_string();
    assert!(!detail.is_empty(), "{body}");
    detail
}

/// Sends a `TestRequest`; status and JSON body.
macro_rules! call {
    ($app:expr, $req:expr) => {
        call_req(&$app, $req.to_request()).await
    };
}

/// The service still answers a UN screening.
macro_rules! still_serving_un {
    ($app:expr) => {{
        let (status, body) = call!($app, post_json("/v1/screen", json!({"name": "Ri Won Ho"})));
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["matches"][0]["entity"]["id"], "un_sc_sanctions:KPi.033");
    }};
}

/// The service still answers a good screening.
macro_rules! still_serving {
    ($app:expr) => {{
        let (status, body) = call!($app, post_json("/v1/screen", json!({"name": "Viktor Bout"})));
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["matches"][0]["entity"]["id"], "us_ofac_sdn:8279");
    }};
}

#[actix_web::test]
async fn screen_returns_full_entity_versions_and_explanation() {
    let state = fixture_state().await;
    let app = app!(state);
    let (status, body) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Viktor Anatolyevich Bout", "schema": "Person", "birthDate": "1967-01-13", "limit": 3}),
        )
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["query"]["name"], "Viktor Anatolyevich Bout");
    assert_eq!(body["query"]["limit"], 3);
    assert_eq!(
        body["query"]["threshold"],
        screener::matching::DEFAULT_WEIGHTS.threshold
    );
    assert_eq!(
        body["listVersions"],
        json!({"un_sc_sanctions": "2026-02-27", "us_bis_denied": "2023-11-28", "us_ofac_sdn": "v1"})
    );
    let top = &body["matches"][0];
    assert_eq!(top["entity"]["id"], "us_ofac_sdn:8279");
    assert_eq!(top["entity"]["schema"], "Person");
    assert_eq!(top["entity"]["caption"], "Viktor Anatolijevitch BOUT");
    assert_eq!(top["entity"]["datasets"], json!(["us_ofac_sdn"]));
    assert_eq!(
        top["entity"]["properties"]["birthPlace"],
        json!(["Dushanbe, Tajikistan"])
    );
    assert_eq!(
        top["entity"]["properties"]["weakAlias"],
        json!(["BONT", "BOUTOV"])
    );
    assert_eq!(top["match"], true);
    assert!(top["score"].as_f64().unwrap_or(0.0) >= 0.8, "{top}");
    let summary = top["explanation"]["summary"].as_str().unwrap_or_default();
    assert!(summary.contains("BOUT"), "{summary}");
    assert!(
        top["explanation"]["qualifiers"]
            .as_array()
            .is_some_and(|q| q.iter().any(|q| q["feature"] == "birthDate"))
    );

    // Restricted to one list, only its version is reported.
    let (status, body) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Ri Won Ho", "lists": ["un_sc_sanctions"]})
        )
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["listVersions"],
        json!({"un_sc_sanctions": "2026-02-27"})
    );
    assert_eq!(
        body["matches"][0]["entity"]["id"],
        "un_sc_sanctions:KPi.033"
    );
    // The sanctions collection leaves out the BIS list.
    let (_, body) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Aaron Abraham Villa", "lists": ["sanctions"]})
        )
    );
    assert!(
        body["listVersions"].get("us_bis_denied").is_none(),
        "{body}"
    );
    assert!(body["matches"].as_array().is_some_and(|m| {
        m.iter()
            .all(|m| m["entity"]["id"] != "us_bis_denied:aaron-abraham-villa")
    }));
    let (_, body) = call!(
        app,
        post_json("/v1/screen", json!({"name": "Aaron Abraham Villa"}))
    );
    assert_eq!(
        body["matches"][0]["entity"]["id"],
        "us_bis_denied:aaron-abraham-villa"
    );
}

#[actix_web::test]
async fn bad_bodies_are_json_errors_naming_the_problem() {
    let state = fixture_state().await;
    let app = app!(state);

    let (s, b) = call!(
        app,
        post_raw("/v1/screen", "application/json", "{\"name\": \"Bout\"")
    );
    assert_error(s, &b, 400, "invalid_json");
    let (s, b) = call!(
        app,
        post_raw("/v1/screen", "application/json", "{name: Bout}")
    );
    let d = assert_error(s, &b, 400, "invalid_json");
    assert!(d.contains("line 1"), "{d}");
    let (s, b) = call!(app, post_raw("/v1/screen", "application/json", ""));
    assert_error(s, &b, 400, "invalid_json");

    let (s, b) = call!(app, post_json("/v1/screen", json!({"name": 42})));
    let d = assert_error(s, &b, 422, "invalid_request");
    assert!(d.contains("invalid type"), "{d}");
    let (s, b) = call!(
        app,
        post_json("/v1/screen", json!({"name": "x", "countries": "ru"}))
    );
    assert_error(s, &b, 422, "invalid_request");
    let (s, b) = call!(
        app,
        post_json("/v1/screen", json!({"name": "x", "limit": -1}))
    );
    assert_error(s, &b, 422, "invalid_request");
    let (s, b) = call!(app, post_json("/v1/screen", json!(["Bout"])));
    assert_error(s, &b, 422, "invalid_request");

    let (s, b) = call!(
        app,
        post_json("/v1/screen", json!({"name": "Bout", "nmae": "x"}))
    );
    let d = assert_error(s, &b, 422, "invalid_request");
    assert!(d.contains("unknown field `nmae`"), "{d}");

    let (s, b) = call!(
        app,
        post_raw(
            "/v1/screen",
            "application/json",
            &b"{\"name\": \"Bo\xffut\"}"[..]
        )
    );
    let d = assert_error(s, &b, 400, "invalid_utf8");
    assert!(d.contains("UTF-8"), "{d}");
    let (s, b) = call!(
        app,
        post_raw("/v1/screen", "application/json", "{\"name\": \"\\ud800\"}")
    );
    assert_eq!(s.as_u16(), 400, "{b}");

    let (s, b) = call!(
        app,
        post_raw("/v1/screen", "text/plain", "{\"name\": \"Bout\"}")
    );
    assert_error(s, &b, 415, "unsupported_media_type");

    let long = "A".repeat(10_000);
    let (s, b) = call!(app, post_json("/v1/screen", json!({ "name": long })));
    let d = assert_error(s, &b, 422, "name_too_long");
    assert!(d.contains("10000") && d.contains("1000"), "{d}");
    let (s, b) = call!(app, post_json("/v1/screen", json!({"name": "  "})));
    assert_error(s, &b, 422, "empty_name");
    let (s, b) = call!(app, post_json("/v1/screen", json!({"name": "!!!"})));
    assert_error(s, &b, 422, "invalid_name");
    let (s, b) = call!(
        app,
        post_json("/v1/screen", json!({"name": "Bout", "schema": "Frog"}))
    );
    assert_error(s, &b, 422, "unknown_schema");
    // A bad secondary field is a warning: the name is still screened.
    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Bout", "birthDate": "yesterday"})
        )
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["warnings"][0]["field"], "birthDate", "{b}");
    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Bout", "lists": ["no_such_list"]})
        )
    );
    let d = assert_error(s, &b, 422, "list_not_loaded");
    assert!(d.contains("no_such_list"), "{d}");
    let (s, b) = call!(
        app,
        post_json("/v1/screen", json!({"name": "Bout", "threshold": 1.5}))
    );
    assert_error(s, &b, 422, "invalid_threshold");
    let (s, b) = call!(
        app,
        post_json("/v1/screen", json!({"name": "Bout", "limit": 1000}))
    );
    let d = assert_error(s, &b, 422, "limit_too_large");
    assert!(d.contains("limits.max_limit"), "{d}");
    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Bout", "identifiers": vec!["123456"; 40]})
        )
    );
    assert_error(s, &b, 422, "too_many_values");
    let (s, b) = call!(
        app,
        post_json("/v1/screen?debug=1", json!({"name": "Bout"}))
    );
    let d = assert_error(s, &b, 400, "invalid_query_parameter");
    assert!(d.contains("debug"), "{d}");

    // A body over the limit, announced by Content-Length.
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(70 * 1024));
    let (s, b) = call!(app, post_raw("/v1/screen", "application/json", big));
    let d = assert_error(s, &b, 413, "body_too_large");
    assert!(d.contains("65536"), "{d}");

    still_serving!(app);
}

#[actix_web::test]
async fn a_streamed_100_mb_body_is_refused_without_reading_it_all() {
    let state = fixture_state().await;
    let app = app!(state);
    for uri in ["/v1/screen", "/v1/screen/batch", "/match/default"] {
        let pulled = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&pulled);
        // 100 MB in 64 KiB chunks, generated as they are pulled; no Content-Length.
        let chunk = Bytes::from(vec![b' '; 64 * 1024]);
        let stream = futures_util::stream::iter(0..1600).map(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
            Ok::<_, actix_web::error::PayloadError>(chunk.clone())
        });
        let boxed: std::pin::Pin<
            Box<dyn futures_util::Stream<Item = Result<Bytes, actix_web::error::PayloadError>>>,
        > = Box::pin(stream);
        let req = test::TestRequest::post()
            .uri(uri)
            .insert_header(ContentType::json())
            .to_request();
        let (req, _) = req.replace_payload(actix_web::dev::Payload::from(boxed));
        let (s, b) = call_req(&app, req).await;
        assert_error(s, &b, 413, "body_too_large");
        let n = pulled.load(Ordering::Relaxed);
        assert!(n < 200, "{uri}: {n} chunks of 1600 read before refusing");
    }
    still_serving!(app);
}

#[actix_web::test]
async fn json_batch_screens_in_order_and_reports_bad_elements() {
    let state = fixture_state().await;
    let app = app!(state);
    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen/batch?limit=2",
            json!([
                {"id": "c1", "name": "Kim Jong Un", "schema": "Person"},
                {"id": "c2", "name": "Ri Won Ho", "birthDate": "1964-07-17", "limit": 1},
                {"id": "c3", "nmae": "typo"},
                {"id": "c4", "name": "A".repeat(5000)},
                {"id": "c5", "name": "Jane Fictional Nobody"}
            ]),
        )
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    let r = b["results"].as_array().expect("results");
    assert_eq!(r.len(), 5);
    assert_eq!(r[0]["index"], 0);
    assert_eq!(r[0]["id"], "c1");
    assert_eq!(r[0]["matches"][0]["entity"]["id"], "us_ofac_sdn:20157");
    assert_eq!(r[0]["query"]["limit"], 2);
    assert_eq!(
        r[1]["matches"][0]["entity"]["id"],
        "un_sc_sanctions:KPi.033"
    );
    assert_eq!(r[1]["matches"].as_array().map(Vec::len), Some(1));
    assert_eq!(r[2]["error"], "invalid_request");
    assert!(r[2]["detail"].as_str().unwrap_or("").contains("nmae"));
    assert_eq!(r[3]["error"], "name_too_long");
    assert_eq!(r[3]["id"], "c4");
    assert!(
        r[4]["matches"]
            .as_array()
            .is_some_and(|m| m.iter().all(|m| m["match"] == false))
    );
    assert_eq!(b["listVersions"]["us_ofac_sdn"], "v1");

    // 100,000 queries: refused by the batch limit, naming it.
    let many: Vec<Value> = (0..100_000)
        .map(|i| json!({"name": format!("Person {i}")}))
        .collect();
    let (s, b) = call!(app, post_json("/v1/screen/batch", Value::Array(many)));
    let d = assert_error(s, &b, 413, "batch_too_large");
    assert!(
        d.contains("100000") && d.contains("limits.max_batch"),
        "{d}"
    );

    let (s, b) = call!(
        app,
        post_raw("/v1/screen/batch", "application/json", "{\"name\": \"x\"}")
    );
    assert_error(s, &b, 422, "invalid_request");
    let (s, b) = call!(
        app,
        post_raw("/v1/screen/batch", "application/json", "[{\"name\": \"x\"}")
    );
    assert_error(s, &b, 400, "invalid_json");
    let (s, b) = call!(app, post_raw("/v1/screen/batch", "text/csv", "name\nx\n"));
    assert_error(s, &b, 415, "unsupported_media_type");
    let (s, b) = call!(app, post_json("/v1/screen/batch?threshold=7", json!([])));
    assert_error(s, &b, 422, "invalid_threshold");
    still_serving!(app);
}

async fn ndjson_lines<S, R>(app: &S, req: R) -> Vec<Value>
where
    S: actix_web::dev::Service<
            R,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let res = test::call_service(app, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/x-ndjson")
    );
    let body = test::read_body(res).await;
    let text = String::from_utf8(body.to_vec()).expect("UTF-8 output");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad output line {l}: {e}")))
        .collect()
}

#[actix_web::test]
async fn ndjson_streams_one_line_per_row_with_errors_inline() {
    let state = fixture_state().await;
    let app = app!(state);
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\": \"a\", \"name\": \"Usama bin Laden\"}\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"{\"name\": \"Mahmoud Zahhar\"}\r\n");
    input.extend_from_slice(b"not json\n");
    input.extend_from_slice(b"{\"name\": \"Bo\xffut\"}\n");
    input.extend_from_slice(format!("{{\"name\": \"{}\"}}\n", "x".repeat(70 * 1024)).as_bytes());
    input.extend_from_slice(b"{\"name\": \"Al Qaida\", \"schema\": \"Organization\"}");
    let out = ndjson_lines(
        &app,
        post_raw("/v1/screen/batch?limit=1", "application/x-ndjson", input).to_request(),
    )
    .await;
    assert_eq!(out.len(), 6, "{out:?}");
    assert_eq!(out[0]["id"], "a");
    assert_eq!(out[0]["matches"][0]["entity"]["id"], "us_ofac_sdn:6365");
    assert_eq!(out[1]["id"], "3");
    assert_eq!(
        out[1]["matches"].as_array().map(Vec::len),
        Some(0),
        "ZAHHAR is not in v1: {}",
        out[1]
    );
    assert_eq!(out[2]["id"], "4");
    assert!(
        out[2]["error"]
            .as_str()
            .unwrap_or("")
            .contains("invalid JSON"),
        "{}",
        out[2]
    );
    assert!(
        out[3]["error"].as_str().unwrap_or("").contains("UTF-8"),
        "{}",
        out[3]
    );
    assert!(
        out[4]["error"]
            .as_str()
            .unwrap_or("")
            .contains("limits.max_ndjson_line_bytes"),
        "{}",
        out[4]
    );
    assert_eq!(out[5]["id"], "7");
    assert_eq!(
        out[5]["matches"][0]["entity"]["id"],
        "un_sc_sanctions:QDe.004"
    );

    // Many rows stream through (more than one chunk), in order.
    let rows: String = (0..700)
        .map(|i| {
            format!(
                "{{\"id\": \"r{i}\", \"name\": \"{}\"}}\n",
                if i % 2 == 0 {
                    "Kim Jong Un"
                } else {
                    "Maria Example"
                }
            )
        })
        .collect();
    let out = ndjson_lines(
        &app,
        post_raw("/v1/screen/batch", "application/x-ndjson", rows).to_request(),
    )
    .await;
    assert_eq!(out.len(), 700);
    for (i, o) in out.iter().enumerate() {
        assert_eq!(o["id"], format!("r{i}"));
    }
    assert_eq!(out[0]["matches"][0]["entity"]["id"], "us_ofac_sdn:20157");
    assert!(
        state
            .metrics
            .screenings(screener::api::metrics::Api::Ndjson)
            >= 702
    );
    still_serving!(app);
}

#[actix_web::test]
async fn ndjson_row_limit_ends_the_stream_with_an_error_line() {
    let mut cfg = test_config();
    cfg.limits.max_ndjson_rows = 3;
    let state = state_for(fixture_source(), cfg).await;
    let app = app!(state);
    let rows: String = (0..10)
        .map(|i| format!("{{\"name\": \"Person {i}\"}}\n"))
        .collect();
    let out = ndjson_lines(
        &app,
        post_raw("/v1/screen/batch", "application/x-ndjson", rows).to_request(),
    )
    .await;
    assert_eq!(out.len(), 4, "{out:?}");
    assert_eq!(out[3]["error"], "batch_too_large");
    assert!(
        out[3]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("limits.max_ndjson_rows")
    );
}

#[actix_web::test]
async fn compare_scores_two_records_with_explanation() {
    let state = fixture_state().await;
    let app = app!(state);
    let (s, b) = call!(
        app,
        post_json(
            "/v1/compare",
            json!({"a": {"name": "Mohammed bin Salman", "schema": "Person"}, "b": {"name": "Muhammad bin Salman", "schema": "Person"}}),
        )
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["match"], true);
    assert!(
        b["explanation"]["summary"]
            .as_str()
            .is_some_and(|x| !x.is_empty())
    );
    let (_, b) = call!(
        app,
        post_json(
            "/v1/compare",
            json!({"a": {"name": "John Smith"}, "b": {"name": "Olga Petrova"}})
        )
    );
    assert_eq!(b["match"], false);
    let (s, b) = call!(app, post_json("/v1/compare", json!({"a": {"name": "x"}})));
    let d = assert_error(s, &b, 422, "invalid_request");
    assert!(d.contains("missing field `b`"), "{d}");
    let (s, b) = call!(
        app,
        post_json(
            "/v1/compare",
            json!({"a": {"name": "x"}, "b": {"name": ""}})
        )
    );
    let d = assert_error(s, &b, 422, "empty_name");
    assert!(d.starts_with("record b"), "{d}");
}

#[actix_web::test]
async fn entities_by_id() {
    let state = fixture_state().await;
    let app = app!(state);
    let (s, b) = call!(app, get("/v1/entities/un_sc_sanctions:QDi.001"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["id"], "un_sc_sanctions:QDi.001");
    assert_eq!(b["schema"], "Person");
    assert_eq!(b["caption"], "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE");
    assert_eq!(
        b["properties"]["alias"],
        json!(["محمد صلاح الدين عبدالحليم زيدان"])
    );
    assert_eq!(b["properties"]["nationality"], json!(["eg"]));
    let (s, b) = call!(app, get("/v1/entities/un_sc_sanctions:QDi.999"));
    let d = assert_error(s, &b, 404, "entity_not_found");
    assert!(d.contains("QDi.999"));
    let (s, b) = call!(app, get("/v1/entities/eu_fsf:1"));
    assert_error(s, &b, 404, "entity_not_found");
    for bad in [
        "/v1/entities/7379",
        "/v1/entities/US-OFAC:1",
        "/v1/entities/us_ofac_sdn:",
        "/v1/entities/%00x:1",
    ] {
        let (s, b) = call!(app, get(bad));
        assert_error(s, &b, 400, "invalid_entity_id");
    }
    let long = format!("/v1/entities/us_ofac_sdn:{}", "9".repeat(1000));
    let (s, b) = call!(app, get(&long));
    assert_error(s, &b, 400, "invalid_entity_id");
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_json() {
    let state = fixture_state().await;
    let app = app!(state);
    let (s, b) = call!(app, get("/v2/screen"));
    assert_error(s, &b, 404, "not_found");
    let (s, b) = call!(app, get("/v1/screen"));
    let d = assert_error(s, &b, 405, "method_not_allowed");
    assert!(d.contains("GET"), "{d}");
    let (s, b) = call!(app, test::TestRequest::delete().uri("/v1/lists"));
    assert_error(s, &b, 405, "method_not_allowed");
    let (s, b) = call!(app, get("/"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["docs"], "/docs");
}

#[actix_web::test]
async fn lists_and_changes_between_versions() {
    let source = fixture_source();
    let state = state_for(Arc::clone(&source), test_config()).await;
    let app = app!(state);
    let (s, b) = call!(app, get("/v1/lists"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["ready"], true);
    assert_eq!(b["generation"], 1);
    let lists = b["lists"].as_array().expect("lists");
    let ids: Vec<&str> = lists.iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(ids, ["un_sc_sanctions", "us_bis_denied", "us_ofac_sdn"]);
    let sdn = &lists[2];
    assert_eq!(sdn["title"], "Specially Designated Nationals");
    assert_eq!(sdn["version"], "v1");
    assert_eq!(sdn["entities"], 4);
    assert_eq!(sdn["loaded"], true);
    assert_eq!(sdn["sanctions"], true);
    assert_eq!(sdn["refreshIntervalSeconds"], 3600);
    assert!(sdn["fetchedAt"].as_str().is_some());
    assert_eq!(sdn["lastError"], Value::Null);
    assert_eq!(lists[1]["sanctions"], false);

    source.publish("us_ofac_sdn", "v2", ofac_v2());
    let (s, b) = call!(
        app,
        test::TestRequest::post()
            .uri("/v1/admin/refresh?list=us_ofac_sdn&wait=true")
            .insert_header((header::AUTHORIZATION, format!("Bearer {ADMIN}")))
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["lists"]["us_ofac_sdn"],
        json!({"outcome": "new", "version": "v2"})
    );
    assert_eq!(b["rebuilt"], true);
    assert_eq!(b["generation"], 2);

    let (s, b) = call!(app, get("/v1/lists/us_ofac_sdn/changes?since=v1"));
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["from"], "v1");
    assert_eq!(b["to"], "v2");
    assert_eq!(b["counts"], json!({"added": 1, "removed": 1, "changed": 1}));
    assert_eq!(b["added"][0]["id"], "us_ofac_sdn:9647");
    assert_eq!(
        b["added"][0]["properties"]["alias"],
        json!(["Mahmoud Khaled AL ZAHAR"])
    );
    assert_eq!(b["removed"], json!(["us_ofac_sdn:18299"]));
    assert_eq!(b["changed"][0]["id"], "us_ofac_sdn:20157");
    assert_eq!(b["changed"][0]["properties"]["nationality"], json!(["kp"]));
    let (_, b) = call!(app, get("/v1/lists/us_ofac_sdn/changes?since=v2"));
    assert_eq!(b["counts"], json!({"added": 0, "removed": 0, "changed": 0}));

    let (s, b) = call!(app, get("/v1/lists/us_ofac_sdn/changes?since=v0"));
    assert_error(s, &b, 404, "unknown_version");
    let (s, b) = call!(app, get("/v1/lists/eu_fsf/changes?since=v1"));
    assert_error(s, &b, 404, "unknown_list");
    let (s, b) = call!(app, get("/v1/lists/US%20OFAC/changes?since=v1"));
    assert_error(s, &b, 400, "invalid_list_id");
    let (s, b) = call!(app, get("/v1/lists/us_ofac_sdn/changes"));
    assert_error(s, &b, 400, "missing_parameter");
}

#[actix_web::test]
async fn api_keys_and_admin_token() {
    let mut cfg = test_config();
    cfg.api_keys = vec![ApiKey::new("crm", KEY)];
    let state = state_for(fixture_source(), cfg).await;
    let app = app!(state);
    let screen = |auth: Option<&str>| {
        let mut r = test::TestRequest::post()
            .uri("/v1/screen")
            .set_json(json!({"name": "Kim Jong Un"}));
        if let Some(a) = auth {
            r = r.insert_header((header::AUTHORIZATION, a.to_string()));
        }
        r
    };
    let (s, b) = call!(app, screen(None));
    assert_error(s, &b, 401, "unauthorized");
    let res = test::call_service(&app, screen(None).to_request()).await;
    assert_eq!(
        res.headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let (s, b) = call!(app, screen(Some("Bearer wrong-key-0123456789abcdef")));
    assert_error(s, &b, 401, "unauthorized");
    let (s, b) = call!(app, screen(Some(&format!("Basic {KEY}"))));
    assert_error(s, &b, 401, "unauthorized");
    let (s, _) = call!(app, screen(Some(&format!("Bearer {KEY}"))));
    assert_eq!(s, StatusCode::OK);
    let (s, b) = call!(app, get("/match/default"));
    assert_error(s, &b, 401, "unauthorized");
    let (s, b) = call!(app, get("/catalog"));
    assert_error(s, &b, 401, "unauthorized");
    // Operations stay open.
    for open in ["/healthz", "/readyz", "/openapi.json"] {
        let (s, _) = call!(app, get(open));
        assert_eq!(s, StatusCode::OK, "{open}");
    }
    let res = test::call_service(&app, get("/metrics").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);

    let admin = |auth: &str| {
        test::TestRequest::post()
            .uri("/v1/admin/refresh?wait=true")
            .insert_header((header::AUTHORIZATION, auth.to_string()))
    };
    let (s, b) = call!(app, admin(&format!("Bearer {KEY}")));
    assert_error(s, &b, 403, "forbidden");
    let (s, b) = call!(app, test::TestRequest::post().uri("/v1/admin/refresh"));
    assert_error(s, &b, 401, "unauthorized");
    let (s, b) = call!(app, admin(&format!("Bearer {ADMIN}")));
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = call!(
        app,
        admin(&format!("Bearer {ADMIN}")).uri("/v1/admin/refresh?list=nope")
    );
    assert_error(s, &b, 404, "unknown_list");

    // Without an admin token configured, admin routes are off.
    let mut cfg = test_config();
    cfg.admin_token = None;
    let state = state_for(fixture_source(), cfg).await;
    let app = app!(state);
    let (s, b) = call!(app, admin(&format!("Bearer {ADMIN}")));
    assert_error(s, &b, 403, "admin_disabled");
}

#[actix_web::test]
async fn empty_source_is_not_ready_until_a_first_version_arrives() {
    let source = Arc::new(MemorySource::new());
    source.add_empty_list("un_sc_sanctions", true, Some(Duration::from_secs(3600)));
    let state = state_for(Arc::clone(&source), test_config()).await;
    let app = app!(state);
    let (s, b) = call!(app, get("/healthz"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["status"], "ok");
    let (s, b) = call!(app, get("/readyz"));
    assert_error(s, &b, 503, "not_ready");
    let (s, b) = call!(app, post_json("/v1/screen", json!({"name": "Ri Won Ho"})));
    assert_error(s, &b, 503, "not_ready");
    let (s, b) = call!(
        app,
        post_json(
            "/match/default",
            json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["x"]}}}})
        )
    );
    assert_error(s, &b, 503, "not_ready");
    let (s, b) = call!(app, get("/v1/lists"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["ready"], false);
    assert_eq!(b["lists"][0]["loaded"], false);
    // Compare needs no lists.
    let (s, _) = call!(
        app,
        post_json(
            "/v1/compare",
            json!({"a": {"name": "Ri Won Ho"}, "b": {"name": "Ri Won-ho"}})
        )
    );
    assert_eq!(s, StatusCode::OK);

    // The scheduler finds the list due, a first version arrives.
    let due = state
        .service
        .due_lists(&source.lists(), time::OffsetDateTime::now_utc());
    assert_eq!(due, ["un_sc_sanctions"]);
    source.publish("un_sc_sanctions", "2026-02-27", un());
    let report = state
        .service
        .refresh(RefreshRequest {
            lists: Some(due),
            rebuild: false,
        })
        .await;
    assert!(report.rebuilt, "{report:?}");
    let (s, b) = call!(app, get("/readyz"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["entities"], 3);
    let (s, b) = call!(app, post_json("/v1/screen", json!({"name": "Ri Won Ho"})));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["matches"][0]["entity"]["id"], "un_sc_sanctions:KPi.033");
}

#[actix_web::test]
async fn failed_refresh_keeps_the_old_index_and_is_reported() {
    let source = fixture_source();
    let state = state_for(Arc::clone(&source), test_config()).await;
    let app = app!(state);
    let before = state.service.served().expect("served");
    source.fail_next("us_ofac_sdn", "HTTP 503 from the publisher");
    let report = state.service.refresh(RefreshRequest::default()).await;
    assert!(!report.rebuilt);
    assert!(Arc::ptr_eq(
        &before,
        &state.service.served().expect("served")
    ));
    let (_, b) = call!(app, get("/v1/lists"));
    let sdn = b["lists"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["id"] == "us_ofac_sdn"))
        .cloned()
        .expect("sdn");
    assert_eq!(sdn["lastError"], "HTTP 503 from the publisher");
    assert_eq!(sdn["version"], "v1");
    assert_eq!(sdn["refreshFailures"], 1);
    // A version that cannot be loaded is rejected: the served version stays.
    source.publish("us_ofac_sdn", "v2", ofac_v2());
    source.make_unloadable("us_ofac_sdn", "v2");
    let report = state.service.refresh(RefreshRequest::default()).await;
    assert!(report.rebuilt, "{report:?}");
    let (_, b) = call!(app, get("/v1/lists"));
    let sdn = b["lists"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["id"] == "us_ofac_sdn"))
        .cloned()
        .expect("sdn");
    assert_eq!(sdn["version"], "v1");
    assert_eq!(sdn["pendingVersion"], "v2");
    assert!(
        sdn["lastError"].as_str().unwrap_or("").contains("damaged"),
        "{sdn}"
    );
    let res = test::call_service(&app, get("/metrics").to_request()).await;
    let text = String::from_utf8(test::read_body(res).await.to_vec()).expect("utf-8");
    assert!(
        text.contains("screener_list_refresh_failures_total{list=\"us_ofac_sdn\"} 2"),
        "{text}"
    );
    still_serving!(app);
}

#[actix_web::test]
async fn metrics_openapi_and_docs() {
    let state = fixture_state().await;
    let app = app!(state);
    still_serving!(app);
    let (_, _) = call!(
        app,
        post_json("/v1/screen", json!({"name": "Somebody Unlisted Entirely"}))
    );
    let (_, _) = call!(app, get("/v1/entities/nope"));
    let res = test::call_service(&app, get("/metrics").to_request()).await;
    assert_eq!(
        res.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = String::from_utf8(test::read_body(res).await.to_vec()).expect("utf-8");
    for want in [
        "screener_http_requests_total{route=\"/v1/screen\",method=\"POST\",status=\"200\"} 2",
        "screener_http_requests_total{route=\"/v1/entities/{id:.*}\",method=\"GET\",status=\"400\"} 1",
        "screener_http_request_duration_seconds_bucket{route=\"/v1/screen\",le=\"+Inf\"} 2",
        "screener_screenings_total{api=\"screen\"} 2",
        "screener_alerts_total{api=\"screen\"} 1",
        "screener_list_info{list=\"us_ofac_sdn\",version=\"v1\",published=\"\"} 1",
        "screener_list_entities{list=\"un_sc_sanctions\"} 3",
        "screener_list_age_seconds{list=\"us_ofac_sdn\"}",
        "screener_ready 1",
        "screener_index_entities 8",
        "# TYPE screener_http_request_duration_seconds histogram",
    ] {
        assert!(text.contains(want), "missing {want}\n{text}");
    }
    // Every sample line is `name{labels} value` or `name value`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap_or("");
        assert!(value.parse::<f64>().is_ok(), "bad sample line: {line}");
    }

    let (s, doc) = call!(app, get("/openapi.json"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/v1/screen",
        "/v1/screen/batch",
        "/v1/compare",
        "/v1/entities/{id}",
        "/v1/lists",
        "/v1/lists/{id}/changes",
        "/v1/admin/refresh",
        "/match/{dataset}",
        "/search/{dataset}",
        "/entities/{id}",
        "/catalog",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            doc["paths"].get(p).is_some(),
            "{p} missing from the OpenAPI document"
        );
    }
    let res = test::call_service(&app, get("/docs").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = String::from_utf8(test::read_body(res).await.to_vec()).expect("utf-8");
    assert!(
        html.contains("<code>/v1/screen</code>") && html.contains("<code>/match/{dataset}</code>")
    );
    assert!(html.contains("src=\"/docs/app.js\""));
    let res = test::call_service(&app, get("/docs/app.js").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[actix_web::test]
async fn cors_is_off_by_default_and_on_for_listed_origins() {
    let state = fixture_state().await;
    let app = app!(state);
    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/healthz")
            .insert_header((header::ORIGIN, "https://app.example.com"))
            .to_request(),
    )
    .await;
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );

    let mut cfg = test_config();
    cfg.cors.allow_origins = vec!["https://app.example.com".into()];
    cfg.api_keys = vec![ApiKey::new("crm", KEY)];
    let state = state_for(fixture_source(), cfg).await;
    let app = app!(state);
    let preflight = test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/v1/screen")
        .insert_header((header::ORIGIN, "https://app.example.com"))
        .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "POST"))
        .to_request();
    let res = test::call_service(&app, preflight).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .and_then(|v| v.to_str().ok()),
        Some("https://app.example.com")
    );
    let other = test::TestRequest::get()
        .uri("/healthz")
        .insert_header((header::ORIGIN, "https://evil.example.org"))
        .to_request();
    let res = test::call_service(&app, other).await;
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

/// Starts the real server on a free loopback port.
async fn real_server(state: web::Data<AppState>) -> (String, actix_web::dev::ServerHandle) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = screener::api::start_server(state, listener).expect("server");
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{addr}"), handle)
}

#[actix_web::test]
async fn over_a_socket_a_100_mb_content_length_is_refused_at_once() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let state = fixture_state().await;
    let (base, handle) = real_server(state).await;
    let addr = base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /v1/screen HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{\"name\": \"",
        100 * 1024 * 1024
    );
    sock.write_all(head.as_bytes()).await.expect("write");
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    // The answer comes without the body being sent.
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let n = sock.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            got.extend_from_slice(buf.get(..n).unwrap_or_default());
            if got.windows(4).any(|w| w == b"\r\n\r\n") && got.ends_with(b"}") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within 10 s");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"error\":\"body_too_large\""), "{text}");

    // And the server keeps serving.
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/v1/screen"))
        .header("content-type", "application/json")
        .body(json!({"name": "Kim Jong Un"}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    handle.stop(true).await;
}

#[actix_web::test]
async fn over_a_socket_requests_during_swaps_all_succeed() {
    let source = fixture_source();
    let mut cfg = test_config();
    cfg.workers = Some(2);
    let state = state_for(Arc::clone(&source), cfg).await;
    let service = Arc::clone(&state.service);
    let (base, handle) = real_server(state).await;
    let client = reqwest::Client::new();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (client, base, stop) = (client.clone(), base.clone(), Arc::clone(&stop));
        tasks.push(actix_web::rt::spawn(async move {
            let (mut ok, mut failed) = (0u32, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let name = if t % 2 == 0 {
                    "Kim Jong Un"
                } else {
                    "Viktor Bout"
                };
                match client
                    .post(format!("{base}/v1/screen"))
                    .header("content-type", "application/json")
                    .body(json!({ "name": name }).to_string())
                    .send()
                    .await
                {
                    Ok(r) if r.status().as_u16() == 200 => {
                        let v: Value = r
                            .bytes()
                            .await
                            .ok()
                            .and_then(|b| serde_json::from_slice(&b).ok())
                            .unwrap_or(Value::Null);
                        if v["matches"][0]["match"] == true {
                            ok += 1;
                        } else {
                            failed.push(format!("no match: {v}"));
                        }
                    }
                    Ok(r) => failed.push(format!("status {}", r.status())),
                    Err(e) => failed.push(e.to_string()),
                }
            }
            (ok, failed)
        }));
    }
    // Swap the index several times while the clients run.
    for i in 2..6 {
        source.publish(
            "us_ofac_sdn",
            &format!("v{i}"),
            if i % 2 == 0 { ofac_v2() } else { ofac_v1() },
        );
        let report = service
            .refresh(RefreshRequest {
                lists: None,
                rebuild: false,
            })
            .await;
        assert!(report.rebuilt, "{report:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for t in tasks {
        let (ok, failed) = t.await.expect("task");
        assert!(failed.is_empty(), "{failed:?}");
        total += ok;
    }
    assert!(total > 0);
    assert_eq!(service.served().map(|s| s.generation), Some(5));
    handle.stop(true).await;
}

// ---------------------------------------------------------------------------
// Real list files (../shared/lists-raw).

fn un_version(file: &str) -> Vec<Entity> {
    let manifest = common::manifest();
    let set = common::set_with_file(&manifest, file);
    common::parse_set(&manifest, set).entities
}

#[actix_web::test]
async fn real_un_list_refresh_changes_and_screening() {
    let old = un_version("un_consolidated/2025-04-19/");
    let new = un_version("un_consolidated/2026-02-27/");
    assert_eq!((old.len(), new.len()), (877, 1003));
    let source = Arc::new(MemorySource::new());
    source.add_list("un_sc_sanctions", "2025-04-19", true, old);
    let state = state_for(Arc::clone(&source), test_config()).await;
    let app = app!(state);

    // DIMITRI HERARD (HTi.008) was listed on 2025-10-17: not in the April version.
    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Dimitri Herard", "schema": "Person"})
        )
    );
    assert_eq!(s, StatusCode::OK);
    assert!(b["matches"].as_array().is_some_and(|m| {
        m.iter()
            .all(|m| m["entity"]["id"] != "un_sc_sanctions:HTi.008")
    }));

    source.publish("un_sc_sanctions", "2026-02-27", new);
    let (s, b) = call!(
        app,
        test::TestRequest::post()
            .uri("/v1/admin/refresh?wait=1")
            .insert_header((header::AUTHORIZATION, format!("Bearer {ADMIN}")))
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["generation"], 2);

    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Dimitri Herard", "schema": "Person"})
        )
    );
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["matches"][0]["entity"]["id"], "un_sc_sanctions:HTi.008");
    assert_eq!(b["matches"][0]["match"], true);
    assert_eq!(b["listVersions"], json!({"un_sc_sanctions": "2026-02-27"}));

    // Reference numbers in the two files: 130 only in 2026-02-27, 4 only in 2025-04-19.
    let (s, b) = call!(
        app,
        get("/v1/lists/un_sc_sanctions/changes?since=2025-04-19")
    );
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["counts"]["added"], 130);
    assert_eq!(b["counts"]["removed"], 4);
    assert_eq!(
        b["removed"],
        json!([
            "un_sc_sanctions:IQi.074",
            "un_sc_sanctions:QDi.317",
            "un_sc_sanctions:QDi.328",
            "un_sc_sanctions:QDi.336"
        ])
    );
    assert!(
        b["added"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["id"] == "un_sc_sanctions:HTi.008"))
    );

    // RI WON HO (KPi.033): DOB 1964-07-17, passport 381310014, DPRK.
    let (_, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Ri Won-ho", "birthDate": "1964-07-17", "countries": ["kp"]})
        )
    );
    assert_eq!(b["matches"][0]["entity"]["id"], "un_sc_sanctions:KPi.033");
    let (s, b) = call!(app, get("/v1/entities/un_sc_sanctions:QDi.001"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["schema"], "Person");
    assert_eq!(b["properties"]["nationality"], json!(["eg"]));
    assert!(
        b["properties"]["alias"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "محمد صلاح الدين عبدالحليم زيدان")),
        "{b}"
    );
    // The listing is the party's Sanction entity, nested as yente nests it.
    assert_eq!(b["properties"]["sanctions"][0]["schema"], "Sanction", "{b}");
    assert!(
        b["properties"]["sanctions"][0]["properties"]["listingDate"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "2001-01-25")),
        "{b}"
    );
}

/// A stand-in for the publisher: serves the 2026-02-27 UN file as a mirror
/// would (`<base>/<list id>/<file name>`), or HTTP 500 when told to fail.
async fn un_mirror(
    bytes: Bytes,
    fail: Arc<std::sync::atomic::AtomicBool>,
) -> (String, actix_web::dev::ServerHandle) {
    async fn file(
        data: web::Data<(Bytes, Arc<std::sync::atomic::AtomicBool>)>,
    ) -> actix_web::HttpResponse {
        if data.1.load(Ordering::Relaxed) {
            actix_web::HttpResponse::InternalServerError().finish()
        } else {
            actix_web::HttpResponse::Ok()
                .content_type("application/xml")
                .body(data.0.clone())
        }
    }
    let data = web::Data::new((bytes, fail));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = actix_web::HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/un_sc_sanctions/consolidated.xml", web::get().to(file))
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{addr}"), handle)
}

#[actix_web::test]
async fn real_store_source_fetches_validates_and_swaps() {
    use screener::fetch::{FetchConfig, Fetcher};
    use screener::parse::{Format, SourceFile};
    use screener::service::StoreSource;
    use screener::snapshot::{ImportOrigin, Store};

    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let raw = |p: &str| std::fs::read(common::lists_raw().join(p)).expect("raw file");
    let old = store
        .import(
            "un_sc_sanctions",
            Some(Format::UnXml),
            vec![SourceFile::new(
                "consolidated.xml",
                raw("un_consolidated/2025-04-19/consolidated.xml"),
            )],
            ImportOrigin::default(),
        )
        .expect("import")
        .meta()
        .clone();
    let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (mirror, mirror_handle) = un_mirror(
        Bytes::from(raw("un_consolidated/2026-02-27/consolidated.xml")),
        Arc::clone(&fail),
    )
    .await;
    let fetcher = Fetcher::new(FetchConfig {
        url_override: Some(mirror.clone()),
        retries: 0,
        ..FetchConfig::default()
    })
    .expect("fetcher");
    let catalog = screener::sources::Catalog::builtin().expect("catalog");
    let source = Arc::new(StoreSource::new(Arc::clone(&store), fetcher, catalog));
    let service = Arc::new(Service::new(
        source,
        RefreshSettings {
            enabled: false,
            ..RefreshSettings::default()
        },
    ));
    // The stored version is served at once, before any download.
    service.load_initial().await;
    let state = AppState::new(Arc::clone(&service), test_config());
    let app = app!(state);
    let list = |b: &Value, id: &str| {
        b["lists"]
            .as_array()
            .and_then(|l| l.iter().find(|x| x["id"] == id))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (s, b) = call!(app, get("/v1/lists"));
    assert_eq!(s, StatusCode::OK);
    let un = list(&b, "un_sc_sanctions");
    assert_eq!(un["loaded"], true);
    assert_eq!(un["version"], old.version.as_str());
    assert_eq!(un["entities"], 877);
    assert_eq!(un["sha256"], old.sha256.as_str());
    assert_eq!(
        un["title"],
        "United Nations Security Council Consolidated List"
    );
    assert_eq!(un["refreshIntervalSeconds"], 3600);
    // Catalog lists never fetched are listed, not loaded.
    assert_eq!(list(&b, "us_ofac_sdn")["loaded"], false);

    let admin = || {
        test::TestRequest::post()
            .uri("/v1/admin/refresh?list=un_sc_sanctions&wait=true")
            .insert_header((header::AUTHORIZATION, format!("Bearer {ADMIN}")))
    };
    let (s, b) = call!(app, admin());
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["lists"]["un_sc_sanctions"]["outcome"], "new", "{b}");
    assert_eq!(b["rebuilt"], true);
    let new_version = b["lists"]["un_sc_sanctions"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (_, b) = call!(app, get("/v1/lists"));
    let un = list(&b, "un_sc_sanctions");
    assert_eq!(un["version"], new_version.as_str());
    assert_eq!(un["entities"], 1003);
    assert_eq!(
        un["sourceUrls"],
        json!([format!("{mirror}/un_sc_sanctions/consolidated.xml")])
    );
    assert!(
        un["fetchedAt"].is_string() && un["sha256"] != old.sha256.as_str(),
        "{un}"
    );
    let (_, b) = call!(
        app,
        get(&format!(
            "/v1/lists/un_sc_sanctions/changes?since={}",
            old.version
        ))
    );
    assert_eq!(
        b["counts"],
        json!({"added": 130, "removed": 4, "changed": b["counts"]["changed"]})
    );
    assert_eq!(b["to"], new_version.as_str());
    let (_, b) = call!(
        app,
        post_json("/v1/screen", json!({"name": "Dimitri Herard"}))
    );
    assert_eq!(b["matches"][0]["entity"]["id"], "un_sc_sanctions:HTi.008");

    // The same bytes again: unchanged, no rebuild.
    let (_, b) = call!(app, admin());
    assert_eq!(b["lists"]["un_sc_sanctions"]["outcome"], "unchanged", "{b}");
    assert_eq!(b["rebuilt"], false);

    // The publisher fails: the error is shown, the version stays.
    fail.store(true, Ordering::Relaxed);
    let (_, b) = call!(app, admin());
    assert_eq!(b["lists"]["un_sc_sanctions"]["outcome"], "failed", "{b}");
    let (_, b) = call!(app, get("/v1/lists"));
    let un = list(&b, "un_sc_sanctions");
    assert_eq!(un["version"], new_version.as_str());
    assert!(
        un["lastError"].as_str().is_some_and(|e| e.contains("500")),
        "{un}"
    );
    assert_eq!(un["refreshFailures"], 1);
    still_serving_un!(app);
    mirror_handle.stop(true).await;
}

/// The fixture service, built once for the property test below.
fn shared_fixture_service() -> Arc<Service> {
    static S: std::sync::OnceLock<Arc<Service>> = std::sync::OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        std::thread::spawn(|| {
            let service = Arc::new(Service::new(fixture_source(), RefreshSettings::default()));
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(service.load_initial());
            service
        })
        .join()
        .expect("service")
    }))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// Random bytes and random JSON-ish text to every body-taking route:
    /// never a 5xx, never a non-JSON error, and the service keeps serving.
    /// (`actix_web::test` is imported, hence the full path of the attribute.)
    #[::core::prelude::v1::test]
    fn random_bodies_get_json_answers(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        text in "[\\[\\]{}\":,a-zA-Z0-9 \\\\\\n-]{0,200}",
    ) {
        let state = AppState::new(shared_fixture_service(), test_config());
        actix_web::rt::System::new().block_on(async move {
            let app = app!(state);
            for body in [Bytes::from(bytes.clone()), Bytes::from(text.clone())] {
                for (uri, ctype) in [
                    ("/v1/screen", "application/json"),
                    ("/v1/compare", "application/json"),
                    ("/v1/screen/batch", "application/json"),
                    ("/v1/screen/batch", "application/x-ndjson"),
                    ("/match/default", "application/json"),
                ] {
                    let res = test::call_service(&app, post_raw(uri, ctype, body.clone()).to_request()).await;
                    let status = res.status();
                    let out = test::read_body(res).await;
                    assert!(!status.is_server_error(), "{uri}: {status} for {body:?}");
                    if ctype == "application/x-ndjson" && status == StatusCode::OK {
                        for line in String::from_utf8_lossy(&out).lines() {
                            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{uri}: bad line {line}: {e}"));
                            assert!(v.get("matches").is_some() || v.get("error").is_some(), "{line}");
                        }
                    } else {
                        let v: Value = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{uri}: {status} not JSON ({e})"));
                        if !status.is_success() {
                            assert!(v["error"].is_string() && v["detail"].is_string(), "{uri}: {v}");
                        }
                    }
                }
            }
            still_serving!(app);
        });
    }
}

// Last: it uses the macros above.
mod first_run;
mod not_screened;

/// yente's `changed_since` on `/match`: only entities added or changed since
/// the time are screened; a list whose served version is older drops out;
/// with nothing changed the answer is empty results (the change sets were
/// looked at), and a time before every version keeps everything. A value
/// that is not a date is 422.
#[actix_web::test]
async fn match_changed_since() {
    use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};
    let source = fixture_source();
    let state = state_for(Arc::clone(&source), test_config()).await;
    let app = app!(state);
    // A whole second strictly after v1 was taken, and v2 taken after it.
    let since = {
        std::thread::sleep(StdDuration::from_millis(1100));
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        time::OffsetDateTime::from_unix_timestamp(secs as i64).expect("time")
    };
    std::thread::sleep(StdDuration::from_millis(1100));
    source.publish("us_ofac_sdn", "v2", ofac_v2());
    let (s, b) = call!(
        app,
        test::TestRequest::post()
            .uri("/v1/admin/refresh?list=us_ofac_sdn&wait=true")
            .insert_header((header::AUTHORIZATION, format!("Bearer {ADMIN}")))
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    let stamp = since
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .expect("format");
    let body = json!({"queries": {
        "changed": {"schema": "Person", "properties": {"name": ["Jong Un KIM"]}},
        "added": {"schema": "Person", "properties": {"name": ["Mahmoud Khaled AL ZAHAR"]}},
        "unchanged": {"schema": "Person", "properties": {"name": ["Viktor Anatolijevitch BOUT"]}},
        "other_list": {"schema": "Person", "properties": {"name": ["MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"]}}
    }});
    let top = |b: &Value, key: &str| b["responses"][key]["results"][0]["id"].clone();
    let (s, all) = call!(app, post_json("/match/default", body.clone()));
    assert_eq!(s, StatusCode::OK, "{all}");
    assert_eq!(top(&all, "unchanged"), "us_ofac_sdn:8279", "{all}");
    assert_eq!(top(&all, "other_list"), "un_sc_sanctions:QDi.001", "{all}");

    let (s, b) = call!(
        app,
        post_json(
            &format!("/match/default?changed_since={stamp}"),
            body.clone()
        )
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(top(&b, "changed"), "us_ofac_sdn:20157", "{b}");
    assert_eq!(top(&b, "added"), "us_ofac_sdn:9647", "{b}");
    for key in ["unchanged", "other_list"] {
        assert_eq!(b["responses"][key]["results"], json!([]), "{key}: {b}");
    }
    // `/search` takes the same filter.
    let (s, b) = call!(app, get("/search/default?q=Jong%20Un%20KIM"));
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(
        b["results"].as_array().is_some_and(|r| !r.is_empty()),
        "{b}"
    );
    for (q, found) in [("Jong%20Un%20KIM", true), ("Viktor%20BOUT", false)] {
        let (s, b) = call!(
            app,
            get(&format!("/search/default?q={q}&changed_since={stamp}"))
        );
        assert_eq!(s, StatusCode::OK, "{b}");
        let ids: Vec<&str> = b["results"]
            .as_array()
            .map(|r| r.iter().filter_map(|e| e["id"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(ids.contains(&"us_ofac_sdn:20157"), found, "{q}: {b}");
        assert!(!ids.contains(&"us_ofac_sdn:8279"), "{q}: {b}");
    }
    // Before every version: nothing is known unchanged, everything stays.
    let (s, b) = call!(
        app,
        post_json("/match/default?changed_since=2001-01-01", body.clone())
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(top(&b, "unchanged"), "us_ofac_sdn:8279", "{b}");
    assert_eq!(top(&b, "other_list"), "un_sc_sanctions:QDi.001", "{b}");
    // After the last version: no list changed since; empty, not an error.
    let (s, b) = call!(
        app,
        post_json("/match/default?changed_since=2999-01-01T00", body.clone())
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    for key in ["changed", "added", "unchanged", "other_list"] {
        assert_eq!(b["responses"][key]["results"], json!([]), "{key}: {b}");
        assert_eq!(b["responses"][key]["total"]["value"], 0, "{key}: {b}");
    }
    for bad in [
        "yesterday",
        "2024-13-01",
        "2024-01-01T25",
        "2024-01-01T10:00:00:00",
    ] {
        let (s, b) = call!(
            app,
            post_json(&format!("/match/default?changed_since={bad}"), body.clone())
        );
        assert_error(s, &b, 422, "invalid_changed_since");
    }
}
