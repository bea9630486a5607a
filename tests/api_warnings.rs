//! Warnings over HTTP: a bad birth date, a country that is not a country or
//! a malformed identifier never stops a screening on any route (`/v1/screen`,
//! `/v1/screen/batch` as JSON and NDJSON, `/v1/compare`, yente `/match`);
//! the answer carries a `warnings` entry naming the field. The fixture is
//! typed from OFAC SDN sdn.csv (2024-05-03): 35096 PUTIN, Vladimir
//! Vladimirovich, DOB 07 Oct 1952; 37444 GRACEFUL, vessel, IMO 1011551.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{App, test, web};
use screener::api::config::ServerConfig;
use screener::api::{AppState, app_config};
use screener::matching::weights::DEFAULT_WEIGHTS;
use screener::model::{Entity, Schema, prop};
use screener::service::{MemorySource, RefreshSettings, Service};
use serde_json::{Value, json};
use std::sync::Arc;

fn entity(id: &str, schema: Schema, props: &[(&str, &str)]) -> Entity {
    let mut e = Entity::new("us_ofac_sdn", id, schema);
    for (p, v) in props {
        e.add(p, v);
    }
    e.finish();
    e
}

async fn state() -> web::Data<AppState> {
    let source = Arc::new(MemorySource::new());
    source.add_list(
        "us_ofac_sdn",
        "2024-05-03",
        true,
        vec![
            entity(
                "35096",
                Schema::Person,
                &[
                    (prop::NAME, "PUTIN, Vladimir Vladimirovich"),
                    (prop::BIRTH_DATE, "1952-10-07"),
                    (prop::NATIONALITY, "ru"),
                ],
            ),
            entity(
                "37444",
                Schema::Vessel,
                &[(prop::NAME, "GRACEFUL"), (prop::IMO_NUMBER, "1011551")],
            ),
        ],
    );
    let service = Arc::new(Service::new(source, RefreshSettings::default()));
    service.load_initial().await;
    AppState::new(
        service,
        ServerConfig {
            workers: Some(1),
            ..ServerConfig::default()
        },
    )
}

macro_rules! app {
    () => {
        test::init_service(App::new().configure(app_config(state().await))).await
    };
}

/// Sends a request; status and body (JSON, or NDJSON lines as an array).
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
    let text = String::from_utf8_lossy(&body);
    let v = serde_json::from_str(&text).unwrap_or_else(|_| {
        Value::Array(
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
                .collect(),
        )
    });
    (status, v)
}

macro_rules! call {
    ($app:expr, $req:expr $(,)?) => {
        send(&$app, $req.to_request())
    };
}

fn post(uri: &str, body: Value) -> test::TestRequest {
    test::TestRequest::post().uri(uri).set_json(body)
}

/// The `field` of each warning.
fn fields(warnings: &Value) -> Vec<&str> {
    warnings
        .as_array()
        .map(|w| w.iter().filter_map(|x| x["field"].as_str()).collect())
        .unwrap_or_default()
}

#[actix_web::test]
async fn screen_warns_and_still_screens() {
    let app = app!();
    let (s, b) = call!(
        app,
        post(
            "/v1/screen",
            json!({"name": "Vladimir Putin", "schema": "Person", "birthDate": "1974-01-32",
                   "countries": ["Russia", "Middle Earth"], "identifiers": ["12"]}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["matches"][0]["entity"]["id"], "us_ofac_sdn:35096", "{b}");
    assert_eq!(b["matches"][0]["match"], true, "{b}");
    assert_eq!(
        fields(&b["warnings"]),
        ["birthDate", "countries", "identifiers"]
    );
    assert_eq!(b["warnings"][0]["value"], "1974-01-32");
    assert_eq!(b["warnings"][1]["value"], "Middle Earth");
    // The readable country counted; the date did not.
    let features: Vec<&str> = b["matches"][0]["explanation"]["qualifiers"]
        .as_array()
        .expect("qualifiers")
        .iter()
        .filter_map(|q| q["feature"].as_str())
        .collect();
    assert_eq!(features, ["country"], "{b}");

    // An ambiguous date: both readings, and the matching one counts.
    let (s, b) = call!(
        app,
        post(
            "/v1/screen",
            json!({"name": "Vladimir Putin", "schema": "Person", "birthDate": "10/07/1952"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(fields(&b["warnings"]), ["birthDate"]);
    let q = &b["matches"][0]["explanation"]["qualifiers"][0];
    assert_eq!(
        (q["feature"].as_str(), q["effect"].as_f64()),
        (
            Some("birthDate"),
            Some(DEFAULT_WEIGHTS.birth_date_exact_bonus)
        )
    );

    // A clean query has no warnings field at all.
    let (_, b) = call!(app, post("/v1/screen", json!({"name": "Vladimir Putin"}))).await;
    assert!(b.get("warnings").is_none(), "{b}");
}

#[actix_web::test]
async fn batches_warn_per_row() {
    let app = app!();
    let (s, b) = call!(
        app,
        post(
            "/v1/screen/batch",
            json!([
                {"id": "1", "name": "Vladimir Putin", "birthDate": "0000-00-00"},
                {"id": "2", "name": "Graceful", "schema": "Vessel", "identifiers": ["1011551", "x"]},
                {"id": "3", "name": "Vladimir Putin", "birthDate": "1952-10-07"},
                {"id": "4", "name": "", "birthDate": "0000-00-00"}
            ]),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r = &b["results"];
    assert_eq!(fields(&r[0]["warnings"]), ["birthDate"], "{b}");
    assert_eq!(r[0]["matches"][0]["entity"]["id"], "us_ofac_sdn:35096");
    assert_eq!(fields(&r[1]["warnings"]), ["identifiers"], "{b}");
    assert_eq!(r[1]["matches"][0]["score"], 1.0, "{b}");
    assert!(r[2].get("warnings").is_none(), "{b}");
    assert_eq!(r[3]["error"], "empty_name", "{b}");

    let ndjson = concat!(
        "{\"id\": \"a\", \"name\": \"Vladimir Putin\", \"birthDate\": \"1952-13-01\"}\n",
        "{\"id\": \"b\", \"name\": \"Vladimir Putin\", \"countries\": [\"Narnia\"]}\n",
    );
    let (s, lines) = call!(
        app,
        test::TestRequest::post()
            .uri("/v1/screen/batch")
            .insert_header((header::CONTENT_TYPE, "application/x-ndjson"))
            .set_payload(ndjson),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{lines}");
    for (line, field) in lines
        .as_array()
        .expect("lines")
        .iter()
        .zip(["birthDate", "countries"])
    {
        assert_eq!(fields(&line["warnings"]), [field], "{line}");
        assert_eq!(
            line["matches"][0]["entity"]["id"], "us_ofac_sdn:35096",
            "{line}"
        );
    }
}

#[actix_web::test]
async fn compare_warns_with_the_side() {
    let app = app!();
    let (s, b) = call!(
        app,
        post(
            "/v1/compare",
            json!({"a": {"name": "Vladimir Putin", "birthDate": "31/02/1952"},
                   "b": {"name": "PUTIN, Vladimir Vladimirovich", "countries": ["??"]}}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["match"], true, "{b}");
    assert_eq!(fields(&b["warnings"]), ["a.birthDate", "b.countries"]);
}

#[actix_web::test]
async fn yente_match_warns_per_query() {
    let app = app!();
    let aliases: Vec<String> = (0..49).map(|i| format!("Someone Number {i}")).collect();
    let (s, b) = call!(
        app,
        post(
            "/match/default",
            json!({"queries": {
                "bad": {"schema": "Person", "properties": {
                    "name": ["Vladimir Putin"], "birthDate": ["1974-01-32"],
                    "nationality": ["Middle Earth"]}},
                "aliases": {"schema": "Person", "properties": {
                    "name": ["Vladimir Putin"], "alias": aliases}},
                "clean": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}}
            }}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let bad = &b["responses"]["bad"];
    assert_eq!(bad["status"], 200);
    assert_eq!(bad["results"][0]["id"], "us_ofac_sdn:35096", "{bad}");
    assert_eq!(
        fields(&bad["warnings"]),
        ["birthDate", "countries"],
        "{bad}"
    );
    // 50 names: the first ones screened (the primary name first), the
    // others named in a warning instead of failing the request.
    let many = &b["responses"]["aliases"];
    assert_eq!(many["results"][0]["id"], "us_ofac_sdn:35096", "{many}");
    assert_eq!(fields(&many["warnings"]), ["name"], "{many}");
    let message = many["warnings"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("50 names"), "{message}");
    assert!(b["responses"]["clean"].get("warnings").is_none(), "{b}");
}
