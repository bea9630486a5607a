//! Identifier-only queries (issue 13, item 1) against every default list of
//! `../shared/lists-raw`: a `/v1/screen` or yente `/match` query with no
//! name but an identifier is screened on the identifier, in the normal form
//! FollowTheMoney compares identifiers in. Expected parties were looked up
//! in OFAC SDN sdn.csv (composite 2024-05-03 + 2025-12-24): 15036 ARTAVIL,
//! vessel, IMO 9187629; 906 HAVIN BANK LIMITED, SWIFT/BIC HAVIGB2L; 34737
//! SOVCOMBANK, SWIFT/BIC SOMRRUM1KST; 7263 JULAIDAN, Wa'el Hamza, Passport
//! A-992535.

mod common;

use actix_web::http::StatusCode;
use actix_web::{App, test};
use screener::api::config::ServerConfig;
use screener::api::{AppState, app_config};
use screener::service::Service;
use serde_json::{Value, json};
use std::sync::Arc;

fn service() -> Arc<Service> {
    common::default_service()
}

async fn post(path: &str, body: Value) -> (StatusCode, Value) {
    let app = test::init_service(App::new().configure(app_config(AppState::new(
        service(),
        ServerConfig::default(),
    ))))
    .await;
    let res = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(path)
            .set_json(body)
            .to_request(),
    )
    .await;
    let status = res.status();
    let body = test::read_body(res).await;
    let v = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{status}: {e}: {}", String::from_utf8_lossy(&body)));
    (status, v)
}

/// `/v1/screen` with identifiers only: the first match's id and whether it alerts.
async fn screen_ids(ids: &[&str]) -> (StatusCode, Value) {
    post("/v1/screen", json!({ "identifiers": ids })).await
}

/// Whether the first match alerts and is the record `id`, or the party of
/// several lists it belongs to (`/v1/screen` merges them by default).
fn first_is(b: &Value, id: &str) -> bool {
    let m = &b["matches"][0];
    m["match"] == true && stands_for(m["referents"].as_array(), &m["entity"]["id"], id)
}

fn stands_for(referents: Option<&Vec<Value>>, own: &Value, id: &str) -> bool {
    own == id || referents.is_some_and(|r| r.iter().any(|x| x == id))
}

fn first(b: &Value) -> (&str, bool) {
    (
        b["matches"][0]["entity"]["id"].as_str().unwrap_or("none"),
        b["matches"][0]["match"].as_bool().unwrap_or(false),
    )
}

#[actix_web::test]
async fn an_imo_number_with_or_without_its_prefix_finds_the_vessel() {
    for imo in ["IMO9187629", "9187629", "imo 9187629", "IMO 9187629"] {
        let (s, b) = screen_ids(&[imo]).await;
        assert_eq!(s, StatusCode::OK, "{imo}: {b}");
        assert!(first_is(&b, "us_ofac_sdn:15036"), "{imo}: {b}");
        assert_eq!(
            b["matches"][0]["explanation"]["matchedProperty"], "identifierOnly",
            "{b}"
        );
        assert!(
            b["warnings"].as_array().is_none_or(Vec::is_empty),
            "{imo}: {b}"
        );
    }
    // One digit off: no alert.
    let (s, b) = screen_ids(&["9187628"]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(!first(&b).1, "{b}");
}

#[actix_web::test]
async fn a_bic_matches_in_any_case_and_spacing_and_bic8_meets_bic11() {
    // Listed as the BIC8 HAVIGB2L: its head-office BIC11, any case and spacing.
    for bic in ["HAVIGB2LXXX", "havi gb2l", "HAVI GB 2L XXX", "HAVIGB2L"] {
        let (s, b) = screen_ids(&[bic]).await;
        assert_eq!(s, StatusCode::OK, "{bic}: {b}");
        assert!(first_is(&b, "us_ofac_sdn:906"), "{bic}: {b}");
    }
    // Listed as the BIC11 SOMRRUM1KST (a branch): its BIC8 finds the bank.
    for bic in ["SOMRRUM1", "somrrum1kst"] {
        let (s, b) = screen_ids(&[bic]).await;
        assert_eq!(s, StatusCode::OK, "{bic}: {b}");
        assert!(first_is(&b, "us_ofac_sdn:34737"), "{bic}: {b}");
    }
}

#[actix_web::test]
async fn a_passport_number_matches_without_its_separators() {
    for p in ["A-992535", "A992535", "a 992 535"] {
        let (s, b) = screen_ids(&[p]).await;
        assert_eq!(s, StatusCode::OK, "{p}: {b}");
        assert!(first_is(&b, "us_ofac_sdn:7263"), "{p}: {b}");
    }
}

#[actix_web::test]
async fn a_malformed_identifier_is_a_warning_and_no_name_nor_identifier_an_error() {
    // An IMO number with a wrong check digit: screened as written, with a warning.
    let (s, b) = screen_ids(&["IMO9187628"]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["warnings"][0]["field"], "identifiers", "{b}");
    assert_eq!(b["warnings"][0]["value"], "IMO9187628", "{b}");
    // A good identifier beside a malformed one still alerts.
    let (s, b) = screen_ids(&["IMO 918762", "9187629"]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(first_is(&b, "us_ofac_sdn:15036"), "{b}");
    assert_eq!(b["warnings"][0]["value"], "IMO 918762", "{b}");
    // Nothing left to screen: refused, never an empty success.
    for body in [
        json!({"identifiers": ["12"]}),
        json!({"identifiers": []}),
        json!({"identifiers": ["  "]}),
        json!({"countries": ["ru"]}),
    ] {
        let (s, b) = post("/v1/screen", body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
    }
}

#[actix_web::test]
async fn yente_match_screens_an_example_with_identifiers_only() {
    let (s, b) = post(
        "/match/default",
        json!({"queries": {"v": {"schema": "Vessel", "properties": {"imoNumber": ["IMO9187629"]}},
                           "b": {"schema": "Company", "properties": {"swiftBic": "havigb2lxxx"}},
                           "p": {"schema": "Person", "properties": {"passportNumber": ["A 992535"]}}}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for (key, id) in [
        ("v", "us_ofac_sdn:15036"),
        ("b", "us_ofac_sdn:906"),
        ("p", "us_ofac_sdn:7263"),
    ] {
        let r = &b["responses"][key]["results"][0];
        assert!(
            stands_for(r["referents"].as_array(), &r["id"], id),
            "{key}: {b}"
        );
        assert_eq!(r["match"], true, "{key}: {b}");
    }
    // An example with neither name nor identifier is refused.
    let (s, b) = post(
        "/match/default",
        json!({"queries": {"x": {"schema": "Vessel", "properties": {"flag": ["ir"]}}}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
}

#[actix_web::test]
async fn the_openapi_document_allows_a_query_with_identifiers_and_no_name() {
    let app = test::init_service(App::new().configure(app_config(AppState::new(
        service(),
        ServerConfig::default(),
    ))))
    .await;
    let doc: Value = test::call_and_read_body_json(
        &app,
        test::TestRequest::get().uri("/openapi.json").to_request(),
    )
    .await;
    let any_of = doc["components"]["schemas"]["Query"]["anyOf"]
        .as_array()
        .expect("anyOf");
    let by_identifier = any_of
        .iter()
        .find(|b| b["required"] == json!(["identifiers"]))
        .expect("a branch for identifiers alone");
    assert_eq!(by_identifier["properties"]["identifiers"]["minItems"], 1);
}
