//! The `topics` filter on every default list of `../shared/lists-raw`: the
//! `topics` field of a screening query (`/v1/screen`) and the `topics`
//! parameter of `/match` and `/search` keep the parties carrying any of the
//! requested FtM topics, an unknown topic is refused naming it, the OpenAPI
//! document lists the topics, and every entity returned carries its topics.
//!
//! From the OFAC SDN file (sdn.csv 2024-05-03): 9758 "IBRAHIM, Dawood" is
//! listed under SDNTK and SDGT (terrorism); 306 "BANCO NACIONAL DE CUBA"
//! under CUBA only.

mod common;

use actix_web::http::StatusCode;
use actix_web::{App, test};
use screener::api::config::ServerConfig;
use screener::api::{AppState, app_config};
use screener::service::Service;
use serde_json::{Value, json};
use std::sync::Arc;

const TERRORIST: &str = "us_ofac_sdn:9758";
const NOT_TERRORIST: &str = "us_ofac_sdn:306";

fn service() -> Arc<Service> {
    common::default_service()
}

macro_rules! app {
    () => {
        test::init_service(App::new().configure(app_config(AppState::new(
            service(),
            ServerConfig::default(),
        ))))
        .await
    };
}

async fn send<S, R>(app: &S, req: R) -> (StatusCode, Value)
where
    S: actix_web::dev::Service<
            R,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let res = test::call_service(app, req).await;
    let status = res.status();
    let body = test::read_body(res).await;
    let v = serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    });
    (status, v)
}

macro_rules! post {
    ($app:expr, $uri:expr, $body:expr) => {
        send(
            &$app,
            test::TestRequest::post()
                .uri($uri)
                .set_json($body)
                .to_request(),
        )
        .await
    };
}

macro_rules! get {
    ($app:expr, $uri:expr) => {
        send(&$app, test::TestRequest::get().uri($uri).to_request()).await
    };
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The entity ids of `/v1/screen` results, checking that each carries topics.
fn screened(b: &Value) -> Vec<String> {
    let matches = b["matches"].as_array().expect("matches");
    for m in matches {
        assert!(
            !strings(&m["entity"]["properties"]["topics"]).is_empty(),
            "no topics: {m}"
        );
    }
    matches
        .iter()
        .flat_map(|m| ids_of(&m["entity"]["id"], &m["referents"]))
        .collect()
}

/// A result's own id and the records it merges (results are merged per
/// party by default).
fn ids_of(id: &Value, referents: &Value) -> Vec<String> {
    std::iter::once(id)
        .chain(referents.as_array().into_iter().flatten())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The entity ids of yente results (`/match` response of key `q`, or
/// `/search`), checking that each carries topics.
fn yente_ids(results: &Value) -> Vec<String> {
    let results = results.as_array().expect("results");
    for r in results {
        assert!(
            !strings(&r["properties"]["topics"]).is_empty(),
            "no topics: {r}"
        );
    }
    results
        .iter()
        .flat_map(|r| ids_of(&r["id"], &r["referents"]))
        .collect()
}

fn has_topic(results: &Value, path: &str, topic: &str) -> bool {
    results
        .as_array()
        .expect("results")
        .iter()
        .all(|r| strings(r.pointer(path).unwrap_or(&Value::Null)).contains(&topic))
}

#[actix_web::test]
async fn screen_keeps_the_terrorist_and_drops_the_bank() {
    let app = app!();
    for (name, id) in [
        ("Dawood Ibrahim", TERRORIST),
        ("Banco Nacional de Cuba", NOT_TERRORIST),
    ] {
        let (s, b) = post!(app, "/v1/screen", json!({"name": name, "limit": 20}));
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(screened(&b).contains(&id.to_string()), "{name}: {b}");
        let (s, b) = post!(
            app,
            "/v1/screen",
            json!({"name": name, "limit": 20, "topics": ["crime.terror"]})
        );
        assert_eq!(s, StatusCode::OK, "{b}");
        let ids = screened(&b);
        assert_eq!(
            ids.contains(&id.to_string()),
            id == TERRORIST,
            "{name}: {b}"
        );
        assert!(
            has_topic(&b["matches"], "/entity/properties/topics", "crime.terror"),
            "{b}"
        );
    }
    // Any of the topics: the bank passes a filter naming `sanction` too.
    let (_, b) = post!(
        app,
        "/v1/screen",
        json!({"name": "Banco Nacional de Cuba", "topics": ["crime.terror", "sanction"]})
    );
    assert!(screened(&b).contains(&NOT_TERRORIST.to_string()), "{b}");
}

#[actix_web::test]
async fn match_and_search_take_a_topics_parameter() {
    let app = app!();
    let query = |name: &str| json!({"queries": {"q": {"schema": "LegalEntity", "properties": {"name": [name]}}}});
    for (name, id) in [
        ("Dawood Ibrahim", TERRORIST),
        ("Banco Nacional de Cuba", NOT_TERRORIST),
    ] {
        let (s, b) = post!(app, "/match/default?limit=20", query(name));
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(yente_ids(&b["responses"]["q"]["results"]).contains(&id.to_string()));
        let (s, b) = post!(
            app,
            "/match/default?limit=20&topics=crime.terror",
            query(name)
        );
        assert_eq!(s, StatusCode::OK, "{b}");
        let results = &b["responses"]["q"]["results"];
        assert_eq!(
            yente_ids(results).contains(&id.to_string()),
            id == TERRORIST,
            "{name}: {b}"
        );
        assert!(
            has_topic(results, "/properties/topics", "crime.terror"),
            "{b}"
        );

        let q = name.replace(' ', "+");
        let (s, b) = get!(app, &format!("/search/default?q={q}&limit=20"));
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(yente_ids(&b["results"]).contains(&id.to_string()), "{b}");
        let (s, b) = get!(
            app,
            &format!("/search/default?q={q}&limit=20&topics=crime.terror")
        );
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(
            yente_ids(&b["results"]).contains(&id.to_string()),
            id == TERRORIST,
            "{name}: {b}"
        );
        assert!(
            has_topic(&b["results"], "/properties/topics", "crime.terror"),
            "{b}"
        );
    }
}

#[actix_web::test]
async fn an_unknown_topic_is_refused_naming_it() {
    let app = app!();
    let (s, b) = post!(
        app,
        "/v1/screen",
        json!({"name": "Dawood Ibrahim", "topics": ["crime.terror", "terrorism"]})
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"], "unknown_topic");
    assert!(
        b["detail"]
            .as_str()
            .is_some_and(|d| d.contains("'terrorism'")),
        "{b}"
    );
    let body =
        json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Dawood Ibrahim"]}}}});
    let (s, b) = post!(app, "/match/default?topics=terrorism", body);
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"], "unknown_topic");
    assert!(
        b["detail"]
            .as_str()
            .is_some_and(|d| d.contains("'terrorism'")),
        "{b}"
    );
    let (s, b) = get!(app, "/search/default?q=Dawood+Ibrahim&topics=terrorism");
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"], "unknown_topic");
    assert!(
        b["detail"]
            .as_str()
            .is_some_and(|d| d.contains("'terrorism'")),
        "{b}"
    );
}

#[actix_web::test]
async fn the_openapi_document_lists_the_topics() {
    let app = app!();
    let (s, doc) = get!(app, "/openapi.json");
    assert_eq!(s, StatusCode::OK);
    let resolve = |v: &Value| -> Value {
        match v["$ref"].as_str() {
            Some(r) => doc
                .pointer(r.trim_start_matches('#'))
                .cloned()
                .unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    let want: Vec<&str> = screener::model::topics::FTM_TOPICS.to_vec();
    let field = resolve(&doc["components"]["schemas"]["Query"]["properties"]["topics"]["items"]);
    assert_eq!(strings(&field["enum"]), want, "{field}");
    for path in ["/match/{dataset}", "/search/{dataset}"] {
        let op = doc["paths"][path]
            .as_object()
            .and_then(|m| m.values().next())
            .expect("operation");
        let p = op["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "topics"))
            .unwrap_or_else(|| panic!("{path} has no topics parameter"));
        let items = resolve(&p["schema"]["items"]);
        assert_eq!(strings(&items["enum"]), want, "{path}: {p}");
    }
}
