//! The yente-compatible API against every default list of
//! `../shared/lists-raw`: request bodies in the shapes yente's documentation
//! and its existing clients send (`{"queries": {key: {schema, properties}}}`,
//! values as lists or plain strings, `weights`/`config` beside the queries,
//! name parts instead of a name, `Authorization: ApiKey …`), and the response
//! checked field by field against yente's models (`EntityMatchResponse`,
//! `ScoredEntityResponse`, `SearchResponse`, `EntityResponse`,
//! `DataCatalogModel`). Expected entities were looked up in the source files
//! (OFAC SDN sdn.csv 2024-05-03, UN consolidated XML 2026-02-27).

mod common;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{App, test, web};
use screener::api::config::{ApiKey, ServerConfig};
use screener::api::{AppState, app_config};
use screener::service::Service;
use serde_json::{Value, json};
use std::sync::Arc;

fn service() -> Arc<Service> {
    common::default_service()
}

fn state(cfg: ServerConfig) -> web::Data<AppState> {
    AppState::new(service(), cfg)
}

macro_rules! app {
    ($state:expr) => {
        test::init_service(App::new().configure(app_config($state))).await
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

/// Whether a result is the record `id` or a party with `id` among its
/// referents (results are folded into parties, as yente merges them).
fn stands_for(e: &Value, id: &str) -> bool {
    e["id"] == id
        || e["referents"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == id))
}

fn is_str_or_null(v: &Value) -> bool {
    v.is_string() || v.is_null()
}

/// yente's `EntityResponse`: every field present with its type.
fn check_entity_shape(e: &Value) {
    let o = e
        .as_object()
        .unwrap_or_else(|| panic!("entity is not an object: {e}"));
    assert!(o["id"].is_string(), "{e}");
    assert!(o["caption"].as_str().is_some_and(|c| !c.is_empty()), "{e}");
    assert!(o["schema"].is_string(), "{e}");
    let props = o["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("properties: {e}"));
    for (k, v) in props {
        let values = v
            .as_array()
            .unwrap_or_else(|| panic!("property {k} is not a list: {e}"));
        // yente's `EntityProperties`: strings, or nested adjacent entities
        // (the listing under `sanctions`, wallets under `cryptoWallets`).
        let nested = |n: &Value| {
            n["id"].is_string() && n["schema"].is_string() && n["properties"].is_object()
        };
        assert!(
            !values.is_empty()
                && if matches!(k.as_str(), "sanctions" | "cryptoWallets") {
                    values.iter().all(nested)
                } else {
                    values.iter().all(Value::is_string)
                },
            "{k}: {v}"
        );
    }
    assert!(
        o["datasets"]
            .as_array()
            .is_some_and(|d| !d.is_empty() && d.iter().all(Value::is_string)),
        "{e}"
    );
    assert!(o["referents"].is_array(), "{e}");
    assert!(o["target"].is_boolean(), "{e}");
    for f in ["first_seen", "last_seen", "last_change"] {
        assert!(o.contains_key(f) && is_str_or_null(&o[f]), "{f}: {e}");
    }
}

/// yente's `ScoredEntityResponse`.
fn check_scored_shape(r: &Value) {
    check_entity_shape(r);
    let score = r["score"].as_f64().unwrap_or(-1.0);
    assert!((0.0..=1.0).contains(&score), "{r}");
    assert!(r["match"].is_boolean(), "{r}");
    let features = r["features"]
        .as_object()
        .unwrap_or_else(|| panic!("features: {r}"));
    assert!(features.values().all(Value::is_number), "{r}");
    let expl = r["explanations"]
        .as_object()
        .unwrap_or_else(|| panic!("explanations: {r}"));
    assert!(!expl.is_empty(), "{r}");
    for (k, v) in expl {
        assert!(v["score"].is_number(), "explanation {k}: {v}");
        assert!(is_str_or_null(&v["detail"]), "explanation {k}: {v}");
    }
    assert!(
        expl["name"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("name score")),
        "{r}"
    );
    assert!(
        r.as_object().is_some_and(|o| o.contains_key("token")),
        "{r}"
    );
}

/// yente's `EntityMatchResponse`; returns `responses`.
fn check_match_shape(body: &Value, keys: &[&str], limit: u64) -> serde_json::Map<String, Value> {
    assert_eq!(body["limit"], limit, "{body}");
    let matcher = body["matcher"]
        .as_object()
        .unwrap_or_else(|| panic!("matcher: {body}"));
    assert!(matcher.contains_key("name"));
    for (k, doc) in matcher {
        assert!(
            doc["description"].is_string() && doc["coefficient"].is_number(),
            "matcher {k}: {doc}"
        );
        assert!(doc.as_object().is_some_and(|d| d.contains_key("url")));
    }
    let responses = body["responses"]
        .as_object()
        .cloned()
        .unwrap_or_else(|| panic!("responses: {body}"));
    let mut got: Vec<&str> = responses.keys().map(String::as_str).collect();
    got.sort_unstable();
    let mut want = keys.to_vec();
    want.sort_unstable();
    assert_eq!(got, want);
    for (k, r) in &responses {
        assert_eq!(r["status"], 200, "{k}");
        let results = r["results"]
            .as_array()
            .unwrap_or_else(|| panic!("{k}: results"));
        assert!(results.len() as u64 <= limit, "{k}");
        // Matches above the cutoff: at least those returned.
        let total = r["total"]["value"].as_u64().expect("total.value");
        assert!(total >= results.len() as u64, "{k}: total {total}");
        assert!(
            matches!(r["total"]["relation"].as_str(), Some("eq" | "gte")),
            "{k}"
        );
        assert!(r["query"]["schema"].is_string(), "{k}");
        assert!(r["query"]["properties"].is_object(), "{k}");
        assert!(
            r["query"].as_object().is_some_and(|q| q.contains_key("id")),
            "{k}"
        );
        for res in results {
            check_scored_shape(res);
        }
        let scores: Vec<f64> = results.iter().filter_map(|x| x["score"].as_f64()).collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{k}: not sorted by score"
        );
    }
    responses
}

fn top<'a>(responses: &'a serde_json::Map<String, Value>, key: &str) -> &'a Value {
    &responses[key]["results"][0]
}

#[actix_web::test]
async fn match_default_with_the_documented_query_shapes() {
    let app = app!(state(ServerConfig::default()));
    let body = json!({
        "queries": {
            "q1": {"schema": "Person", "properties": {"name": ["Arkadii Romanovich Rotenberg"], "birthDate": ["1951"], "nationality": ["ru"]}},
            "putin": {"schema": "Person", "properties": {"firstName": ["Vladimir"], "lastName": ["Putin"], "birthDate": ["1952-10-07"]}},
            "vessel": {"schema": "Vessel", "properties": {"name": "GRACEFUL", "imoNumber": "1011551"}},
            "company": {"schema": "Company", "properties": {"name": ["JSC Argument"], "jurisdiction": ["ru"], "registrationNumber": ["1207700471110"]}},
            "org": {"schema": "Organization", "properties": {"name": ["Al-Qaida"]}},
            "nobody": {"id": "customer-17", "schema": "Person", "properties": {"name": ["Jane Fictional Nobody"], "address": ["1 Main Street"]}, "limit": 10}
        },
        "weights": {"name_literal": 0.8},
        "config": {"nm_number_mismatch": 0.4}
    });
    // Several lists name the same people; room for all of them.
    let (status, b) = post!(app, "/match/default?limit=20", body);
    assert_eq!(status, StatusCode::OK, "{b}");
    let r = check_match_shape(
        &b,
        &["q1", "putin", "vessel", "company", "org", "nobody"],
        20,
    );

    // ROTENBERG, Arkady Romanovich: DOB 15 Dec 1951 in the SDN list; other
    // lists list him too, with "Arkadii" among the aliases.
    let rot = top(&r, "q1");
    assert_eq!(rot["schema"], "Person");
    assert!(
        rot["caption"]
            .as_str()
            .is_some_and(|c| c.to_uppercase().contains("ROTENBERG")),
        "{rot}"
    );
    assert_eq!(rot["match"], true);
    assert!(
        r["q1"]["results"]
            .as_array()
            .is_some_and(|x| x.iter().any(|e| stands_for(e, "us_ofac_sdn:16669")))
    );
    assert!(
        rot["features"]["birthDate"]
            .as_f64()
            .is_some_and(|f| f > 0.0),
        "{rot}"
    );
    assert_eq!(r["q1"]["query"]["properties"]["nationality"], json!(["ru"]));

    let putin = r["putin"]["results"]
        .as_array()
        .and_then(|x| x.iter().find(|e| stands_for(e, "us_ofac_sdn:35096")))
        .cloned();
    let putin =
        putin.unwrap_or_else(|| panic!("no us_ofac_sdn:35096 for Vladimir Putin: {}", r["putin"]));
    assert_eq!(putin["match"], true);
    assert_eq!(putin["properties"]["birthDate"], json!(["1952-10-07"]));
    // One party: OFAC's record merged with the other lists that name him.
    assert!(
        putin["datasets"]
            .as_array()
            .is_some_and(|d| d.len() > 1 && d.contains(&json!("us_ofac_sdn"))),
        "{putin}"
    );

    let vessel = r["vessel"]["results"]
        .as_array()
        .and_then(|x| x.iter().find(|e| e["id"] == "us_ofac_sdn:37444"))
        .cloned();
    let vessel = vessel.unwrap_or_else(|| panic!("no GRACEFUL: {}", r["vessel"]));
    assert_eq!(vessel["schema"], "Vessel");
    assert_eq!(vessel["match"], true);
    assert_eq!(
        r["vessel"]["query"]["properties"]["name"],
        json!(["GRACEFUL"]),
        "plain strings are echoed as lists"
    );

    let company = r["company"]["results"]
        .as_array()
        .and_then(|x| x.iter().find(|e| e["id"] == "us_ofac_sdn:37447"))
        .cloned();
    assert!(
        company.is_some_and(|c| c["match"] == true),
        "{}",
        r["company"]
    );

    // AL-QAIDA (UN QDe.004) and the other lists' records of it, all exact.
    let org = r["org"]["results"]
        .as_array()
        .and_then(|x| x.iter().find(|e| stands_for(e, "un_sc_sanctions:QDe.004")))
        .cloned()
        .unwrap_or_else(|| panic!("no QDe.004: {}", r["org"]));
    assert_eq!(org["caption"], "AL-QAIDA");
    assert_eq!(org["match"], true);
    assert_eq!(top(&r, "org")["score"], 1.0);

    assert_eq!(r["nobody"]["query"]["id"], "customer-17");
    assert!(
        r["nobody"]["results"]
            .as_array()
            .is_some_and(|x| x.iter().all(|e| e["match"] == false)),
        "{}",
        r["nobody"]
    );
}

#[actix_web::test]
async fn dataset_scoping_and_query_parameters() {
    let app = app!(state(ServerConfig::default()));
    let q = json!({"queries": {"a": {"schema": "Person", "properties": {"name": ["Arkady Romanovich ROTENBERG"]}}}});
    // `sanctions` leaves out the export-control and aggregate lists.
    let (s, b) = post!(app, "/match/sanctions?limit=10&threshold=0.5", q.clone());
    assert_eq!(s, StatusCode::OK, "{b}");
    let r = check_match_shape(&b, &["a"], 10);
    // Each result's record, or its party's records (merged over the
    // lists searched only).
    let ids: Vec<&str> = r["a"]["results"]
        .as_array()
        .map(|x| {
            x.iter()
                .flat_map(|e| match e["referents"].as_array() {
                    Some(r) if !r.is_empty() => r.iter().filter_map(Value::as_str).collect(),
                    _ => e["id"].as_str().into_iter().collect::<Vec<_>>(),
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(ids.contains(&"us_ofac_sdn:16669"), "{ids:?}");
    assert!(
        ids.iter()
            .all(|i| !i.starts_with("us_trade_csl:") && !i.starts_with("us_bis_denied:")),
        "{ids:?}"
    );

    // One list only.
    let (_, b) = post!(app, "/match/un_sc_sanctions", q.clone());
    let r = check_match_shape(&b, &["a"], 5);
    assert!(r["a"]["results"].as_array().is_some_and(|x| {
        x.iter()
            .all(|e| e["datasets"] == json!(["un_sc_sanctions"]))
    }));

    // include/exclude (repeated and comma-separated) and excluded ids.
    let (_, b) = post!(
        app,
        "/match/default?include_dataset=us_ofac_sdn&include_dataset=us_trade_csl&exclude_dataset=us_trade_csl&exclude_entity_ids=us_ofac_sdn:16669&limit=3&algorithm=logic-v1",
        q.clone()
    );
    let r = check_match_shape(&b, &["a"], 3);
    let results = r["a"]["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty());
    assert!(
        results
            .iter()
            .all(|e| e["datasets"] == json!(["us_ofac_sdn"]) && e["id"] != "us_ofac_sdn:16669"),
        "{results:?}"
    );

    // A threshold above every score: results stay, none is a match.
    let (_, b) = post!(app, "/match/default?threshold=1.0&cutoff=0.9", q.clone());
    let r = check_match_shape(&b, &["a"], 5);
    assert!(
        r["a"]["results"]
            .as_array()
            .is_some_and(|x| x.iter().all(|e| e["score"].as_f64().unwrap_or(0.0) >= 0.9))
    );

    // Errors: JSON with `detail` as yente gives it, plus our `error` code.
    let (s, b) = post!(app, "/match/no_such_list", q.clone());
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["error"], "unknown_dataset");
    assert!(
        b["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no_such_list"))
    );
    let (s, b) = post!(app, "/match/default?limit=501", q.clone());
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"], "limit_too_large");
    let (s, b) = post!(
        app,
        "/match/default",
        json!({"queries": {"x": {"schema": "Person", "properties": {"name": ["A".repeat(5000)]}}}})
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"], "name_too_long");
    assert!(
        b["detail"]
            .as_str()
            .is_some_and(|d| d.contains("query 'x'"))
    );
    let (s, b) = post!(
        app,
        "/match/default",
        json!({"queries": {"x": {"schema": "Person", "properties": {"nationality": ["ru"]}}}})
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"], "empty_name");
    let (s, b) = post!(
        app,
        "/match/default",
        json!({"queries": {"x": {"properties": {"name": ["x"]}}}})
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["detail"].as_str().is_some_and(|d| d.contains("schema")),
        "{b}"
    );
    let (s, b) = post!(app, "/match/default", json!({"query": {}}));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b["detail"].as_str().is_some_and(|d| d.contains("queries")),
        "{b}"
    );
    let many: serde_json::Map<String, Value> = (0..2000)
        .map(|i| {
            (
                format!("q{i}"),
                json!({"schema": "Person", "properties": {"name": [format!("Person {i}")]}}),
            )
        })
        .collect();
    let (s, b) = post!(app, "/match/default", json!({ "queries": many }));
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(b["error"], "batch_too_large");
}

#[actix_web::test]
async fn api_key_schemes_yente_clients_use() {
    let cfg = ServerConfig {
        api_keys: vec![ApiKey::new("yente-client", "yente-client-key-0123456789")],
        ..ServerConfig::default()
    };
    let app = app!(state(cfg));
    let body =
        json!({"queries": {"q1": {"schema": "Person", "properties": {"name": ["John Doe"]}}}});
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri("/match/default")
            .set_json(body.clone())
            .to_request(),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    for scheme in ["ApiKey", "Bearer"] {
        let req = test::TestRequest::post()
            .uri("/match/default")
            .insert_header((
                header::AUTHORIZATION,
                format!("{scheme} yente-client-key-0123456789"),
            ))
            .set_json(body.clone())
            .to_request();
        let (s, b) = send(&app, req).await;
        assert_eq!(s, StatusCode::OK, "{scheme}: {b}");
    }
}

#[actix_web::test]
async fn search_entities_and_catalog() {
    let app = app!(state(ServerConfig::default()));
    let (s, b) = get!(app, "/search/default?q=Vladimir%20Putin&limit=5");
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["limit"], 5);
    assert_eq!(b["offset"], 0);
    assert!(
        b["total"]["value"].is_u64() && b["total"]["relation"].is_string(),
        "{b}"
    );
    assert!(b["facets"].is_object());
    let results = b["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty() && results.len() <= 5);
    for r in &results {
        check_entity_shape(r);
    }
    assert!(
        results.iter().any(|r| stands_for(r, "us_ofac_sdn:35096")),
        "{results:?}"
    );
    let (_, b) = get!(app, "/search/sanctions?q=Putin&schema=Vessel");
    assert!(
        b["results"]
            .as_array()
            .is_some_and(|r| r.iter().all(|e| e["schema"] == "Vessel"))
    );
    let (s, b) = get!(app, "/search/default");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"], "missing_parameter");
    let (s, _) = get!(app, "/search/nowhere?q=x");
    assert_eq!(s, StatusCode::NOT_FOUND);

    // QDi.001 is on the UN, UK, EU and Australian lists: its record redirects to the
    // party, as yente redirects a referent to its canonical entity.
    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/entities/un_sc_sanctions:QDi.001")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        res.headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/entities/NK-QDi.001")
    );
    let (s, e) = get!(app, "/entities/NK-QDi.001");
    assert_eq!(s, StatusCode::OK);
    check_entity_shape(&e);
    assert_eq!(e["id"], "NK-QDi.001");
    assert_eq!(e["schema"], "Person");
    assert_eq!(
        e["datasets"],
        json!([
            "au_dfat_sanctions",
            "eu_fsf",
            "gb_hmt_sanctions",
            "un_sc_sanctions"
        ])
    );
    assert_eq!(
        e["referents"],
        json!([
            "au_dfat_sanctions:149",
            "eu_fsf:750",
            "gb_hmt_sanctions:7424",
            "un_sc_sanctions:QDi.001"
        ])
    );
    assert_eq!(e["properties"]["nationality"], json!(["eg"]));
    let (s, e) = get!(app, "/entities/un_sc_sanctions:QDi.000");
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(e["detail"].is_string());
    let (s, _) = get!(app, "/entities/not-an-id");
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, c) = get!(app, "/catalog");
    assert_eq!(s, StatusCode::OK);
    assert!(
        c["current"].is_array() && c["outdated"].is_array() && c["index_stale"].is_boolean(),
        "{c}"
    );
    let datasets = c["datasets"].as_array().cloned().unwrap_or_default();
    for d in &datasets {
        for f in ["name", "title", "version"] {
            assert!(d[f].is_string(), "{f}: {d}");
        }
        for f in ["summary", "url", "entities_url", "index_version"] {
            assert!(
                d.as_object().is_some_and(|o| o.contains_key(f)) && is_str_or_null(&d[f]),
                "{f}: {d}"
            );
        }
        assert!(
            d["load"].is_boolean() && d["index_current"].is_boolean() && d["children"].is_array(),
            "{d}"
        );
        assert!(d["entity_count"].is_u64(), "{d}");
    }
    let find = |name: &str| {
        datasets
            .iter()
            .find(|d| d["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in catalog"))
    };
    let sdn = find("us_ofac_sdn");
    assert_eq!(sdn["load"], true);
    assert_eq!(sdn["entity_count"], 14965);
    assert_eq!(sdn["screener_version"], "2024-05-03");
    assert_eq!(find("un_sc_sanctions")["entity_count"], 1003);
    let sanctions = find("sanctions");
    let children: Vec<&str> = sanctions["children"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        children.contains(&"us_ofac_sdn") && children.contains(&"un_sc_sanctions"),
        "{children:?}"
    );
    assert!(
        !children.contains(&"us_trade_csl") && !children.contains(&"us_bis_denied"),
        "{children:?}"
    );
    let default = find("default");
    assert!(default["entity_count"].as_u64() >= sanctions["entity_count"].as_u64());
    let current: Vec<&str> = c["current"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        current.contains(&"default") && current.contains(&"us_ofac_sdn"),
        "{current:?}"
    );
}

/// `total.value` counts the matches at or above the cutoff, not the results
/// returned: a client sees that a list was cut at `limit`.
#[actix_web::test]
async fn total_counts_matches_above_the_cutoff_not_those_returned() {
    let app = app!(state(ServerConfig::default()));
    let body =
        json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Mohammed Ali"]}}}});
    let (s, wide) = post!(app, "/match/default?limit=50&cutoff=0.5", &body);
    assert_eq!(s, StatusCode::OK, "{wide}");
    let all = wide["responses"]["q"]["results"]
        .as_array()
        .expect("results")
        .len();
    assert!(all > 2, "{all} results at cutoff 0.5: {wide}");
    let (s, cut) = post!(app, "/match/default?limit=2&cutoff=0.5", &body);
    assert_eq!(s, StatusCode::OK, "{cut}");
    let r = &cut["responses"]["q"];
    assert_eq!(r["results"].as_array().map(Vec::len), Some(2), "{cut}");
    let total = r["total"]["value"].as_u64().expect("total.value") as usize;
    assert!(total > 2, "total {total}: the cut is not visible: {cut}");
    // Counted among the candidates retrieved for this limit: a lower bound.
    assert_eq!(r["total"]["relation"], "gte", "{cut}");
    let wide_total = wide["responses"]["q"]["total"]["value"]
        .as_u64()
        .expect("total") as usize;
    assert!(wide_total >= all, "{wide_total} < {all}");
    // A name nothing else resembles: every match counted, exactly.
    let one = json!({"queries": {"q": {"schema": "Vessel", "properties": {"imoNumber": ["IMO9187629"]}}}});
    let (s, b) = post!(app, "/match/default?limit=1", &one);
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["responses"]["q"]["total"]["relation"], "eq", "{b}");
    let exact = b["responses"]["q"]["total"]["value"].clone();
    let (_, all) = post!(app, "/match/default?limit=20", &one);
    let listed = all["responses"]["q"]["results"].as_array().map(Vec::len);
    assert_eq!(exact.as_u64().map(|v| v as usize), listed, "{all}");
    // Listed by OFAC and in the US consolidated list: one party.
    assert_eq!(listed, Some(1), "{all}");
    assert_eq!(
        all["responses"]["q"]["results"][0]["referents"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{all}"
    );
}

/// yente's `limit` goes to 500 on `/match` and `/search`; above it is a 422,
/// as FastAPI's validation answers yente's bound.
#[actix_web::test]
async fn limit_up_to_500_like_yente() {
    let app = app!(state(ServerConfig::default()));
    let body =
        json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Mohammad Ali"]}}}});
    let (s, b) = post!(
        app,
        "/match/default?limit=500&threshold=0.3&cutoff=0.3",
        &body
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["limit"], 500, "{b}");
    let n = b["responses"]["q"]["results"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(
        n > 100,
        "a common name at cutoff 0.3 fills more than the old bound of 100: {n}"
    );
    let (s, b) = post!(app, "/match/default?limit=501", &body);
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = get!(app, "/search/default?q=Mohammad&limit=500");
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = get!(app, "/search/default?q=Mohammad&limit=400&offset=101");
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
}

/// `/algorithms` in yente's `AlgorithmResponse` shape; yente's names are
/// accepted on `/match`, a name neither knows is 400; `weights` and
/// `config` (which yente's algorithms read and this matcher has no use for)
/// come back as warnings, never silently dropped.
#[actix_web::test]
async fn algorithms_config_and_weights() {
    let app = app!(state(ServerConfig::default()));
    let (s, b) = get!(app, "/algorithms");
    assert_eq!(s, StatusCode::OK, "{b}");
    let names: Vec<&str> = b["algorithms"]
        .as_array()
        .expect("algorithms")
        .iter()
        .map(|a| {
            assert!(a["description"].is_string(), "{a}");
            let features = a["features"].as_object().expect("features");
            assert!(features.contains_key("name"), "{a}");
            for (f, doc) in features {
                assert!(
                    doc["coefficient"].is_number() && doc["description"].is_string(),
                    "{f}: {doc}"
                );
            }
            a["name"].as_str().expect("name")
        })
        .collect();
    for name in [
        "logic-v1",
        "logic-v2",
        "regression-v1",
        "name-based",
        "name-qualified",
    ] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    let default = b["default"].as_str().expect("default");
    assert!(names.contains(&default) && b["best"].is_string(), "{b}");

    let body =
        json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}}}});
    let (s, plain) = post!(app, "/match/default", &body);
    assert_eq!(s, StatusCode::OK, "{plain}");
    for name in names.iter().chain(["LOGIC-V1"].iter()) {
        let (s, b) = post!(app, &format!("/match/default?algorithm={name}"), &body);
        assert_eq!(s, StatusCode::OK, "{name}: {b}");
        assert_eq!(
            b["responses"]["q"]["results"][0]["id"], plain["responses"]["q"]["results"][0]["id"],
            "{name}"
        );
    }
    let (s, b) = post!(app, "/match/default?algorithm=magic-v9", &body);
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(
        b["detail"].as_str().is_some_and(|d| d.contains("magic-v9")),
        "{b}"
    );

    let tuned = json!({
        "queries": body["queries"],
        "weights": {"name_literal_match": 0.9},
        "config": {"nm_number_mismatch": 0.5}
    });
    let (s, b) = post!(app, "/match/default", &tuned);
    assert_eq!(s, StatusCode::OK, "{b}");
    let warnings = b["responses"]["q"]["warnings"]
        .as_array()
        .expect("a warning");
    for (field, value) in [
        ("weights", "name_literal_match"),
        ("config", "nm_number_mismatch"),
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w["field"] == field && w["value"] == value),
            "{field}: {b}"
        );
    }
    assert_eq!(
        b["responses"]["q"]["results"][0]["score"],
        plain["responses"]["q"]["results"][0]["score"]
    );
}

/// `/catalog` versions parse as yente's (`YYYYMMDDhhmmss-<suffix>`), carry
/// `last_change` and `updated_at`, show no local path, and the answer has an
/// `ETag` that `If-None-Match` turns into a 304. `/manifest` lists the same
/// lists, also without local paths.
#[actix_web::test]
async fn catalog_versions_etag_and_manifest() {
    let app = app!(state(ServerConfig::default()));
    let res = test::call_service(&app, test::TestRequest::get().uri("/catalog").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_string();
    let raw = test::read_body(res).await;
    let text = String::from_utf8_lossy(&raw).to_string();
    let shared = screener::eval::default_manifest_for_tests();
    let shared_dir = shared
        .parent()
        .expect("lists-raw")
        .to_string_lossy()
        .to_string();
    assert!(
        !text.contains(&shared_dir),
        "a local path in the catalog: {text}"
    );
    let c: Value = serde_json::from_slice(&raw).expect("json");
    for d in c["datasets"].as_array().expect("datasets") {
        let v = d["version"].as_str().expect("version");
        let (stamp, suffix) = v.split_once('-').unwrap_or_else(|| panic!("{v}"));
        assert!(
            stamp.len() == 14 && stamp.bytes().all(|b| b.is_ascii_digit()) && !suffix.is_empty(),
            "{v}"
        );
        // A real time: month 1-12, day 1-31, hour < 24.
        let num = |r: std::ops::Range<usize>| stamp[r].parse::<u32>().expect("digits");
        assert!(
            (1..=12).contains(&num(4..6)) && (1..=31).contains(&num(6..8)) && num(8..10) < 24,
            "{v}"
        );
        if d["load"] == true {
            assert_eq!(d["index_version"], d["version"], "{d}");
        }
        assert!(
            d["last_change"].is_string() && d["updated_at"].is_string(),
            "{d}"
        );
        if let Some(url) = d["url"].as_str() {
            assert!(url.starts_with("http"), "{d}");
        }
    }
    let sdn = c["datasets"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["name"] == "us_ofac_sdn"))
        .expect("sdn");
    assert!(
        sdn["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("20240503")),
        "{sdn}"
    );

    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/catalog")
            .insert_header((header::IF_NONE_MATCH, etag.clone()))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert!(test::read_body(res).await.is_empty());
    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/catalog")
            .insert_header((header::IF_NONE_MATCH, "\"something-else\""))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    let (s, m) = get!(app, "/manifest");
    assert_eq!(s, StatusCode::OK, "{m}");
    assert!(!m.to_string().contains(&shared_dir), "{m}");
    let names: Vec<&str> = m["datasets"]
        .as_array()
        .expect("datasets")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert!(
        names.contains(&"us_ofac_sdn") && names.contains(&"un_sc_sanctions"),
        "{names:?}"
    );
}

/// `POST /updatez` takes the admin token as yente's `token` parameter (or
/// as Bearer); with an API key or a wrong token it is 403, as in yente;
/// without any credential 401, as every admin route answers.
#[actix_web::test]
async fn updatez_needs_the_admin_token() {
    let open = app!(state(ServerConfig::default()));
    let (s, b) = send(
        &open,
        test::TestRequest::post()
            .uri("/updatez?token=x")
            .to_request(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no admin token configured: {b}");
    let cfg = ServerConfig {
        api_keys: vec![ApiKey::new("client", "client-key-0123456789")],
        admin_token: Some(screener::api::config::Secret::new("admin-token-0123456789")),
        ..ServerConfig::default()
    };
    let app = app!(state(cfg));
    let (s, b) = send(&app, test::TestRequest::post().uri("/updatez").to_request()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "no credential: {b}");
    for uri in [
        "/updatez?token=client-key-0123456789",
        "/updatez?token=wrong",
    ] {
        let (s, b) = send(&app, test::TestRequest::post().uri(uri).to_request()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri}: {b}");
    }
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri("/updatez?token=admin-token-0123456789&sync=true")
            .to_request(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "ok");
}

/// yente's other credential forms: HTTP Basic (key as password or as user)
/// and `?api_key=`; a wrong key in either is 401.
#[actix_web::test]
async fn basic_auth_and_api_key_parameter() {
    use base64::Engine;
    let cfg = ServerConfig {
        api_keys: vec![ApiKey::new("marble", "marble-key-0123456789")],
        ..ServerConfig::default()
    };
    let app = app!(state(cfg));
    let body =
        json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["John Doe"]}}}});
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for (what, value) in [
        (
            "password",
            format!("Basic {}", b64("marble:marble-key-0123456789")),
        ),
        ("user", format!("Basic {}", b64("marble-key-0123456789:"))),
    ] {
        let req = test::TestRequest::post()
            .uri("/match/default")
            .insert_header((header::AUTHORIZATION, value))
            .set_json(body.clone())
            .to_request();
        let (s, b) = send(&app, req).await;
        assert_eq!(s, StatusCode::OK, "{what}: {b}");
    }
    let wrong = format!("Basic {}", b64("marble:not-the-key-0123456789"));
    let req = test::TestRequest::post()
        .uri("/match/default")
        .insert_header((header::AUTHORIZATION, wrong))
        .set_json(body.clone())
        .to_request();
    assert_eq!(send(&app, req).await.0, StatusCode::UNAUTHORIZED);
    let (s, b) = post!(app, "/match/default?api_key=marble-key-0123456789", &body);
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = get!(app, "/catalog?api_key=marble-key-0123456789");
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = get!(
        app,
        "/v1/entities/us_ofac_sdn:25308?api_key=marble-key-0123456789"
    );
    assert_eq!(
        s,
        StatusCode::OK,
        "a route that refuses unknown parameters takes api_key: {b}"
    );
    let (s, _) = post!(app, "/match/default?api_key=wrong-key-0123456789", &body);
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// yente's entity shape nests the listing and the wallets under
/// `properties` (`sanctions`, `cryptoWallets`); `/entities/{id}/adjacent`
/// gives the party without them and the linked entities beside it.
/// us_ofac_sdn:25308 (YAN, Xiaobing) has six XBT addresses in sdn.csv.
#[actix_web::test]
async fn nested_and_adjacent_entities() {
    let app = app!(state(ServerConfig::default()));
    // The record is also in the US consolidated list: it redirects to the
    // party, whose wallets are both lists' (six each).
    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/entities/us_ofac_sdn:25308")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    let (s, e) = get!(app, &location);
    assert_eq!(s, StatusCode::OK, "{e}");
    assert!(
        e["referents"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == "us_ofac_sdn:25308")),
        "{e}"
    );
    let wallets = e["properties"]["cryptoWallets"]
        .as_array()
        .expect("nested wallets");
    assert_eq!(wallets.len(), 12, "{e}");
    assert!(
        wallets.iter().any(|w| w["schema"] == "CryptoWallet"
            && w["properties"]["publicKey"][0] == "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"),
        "{e}"
    );
    let sanctions = e["properties"]["sanctions"]
        .as_array()
        .expect("nested sanction");
    assert_eq!(sanctions[0]["schema"], "Sanction", "{e}");

    let (s, a) = get!(app, "/entities/us_ofac_sdn:25308/adjacent?limit=2");
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["entity"]["id"], "us_ofac_sdn:25308");
    assert!(
        a["entity"]["properties"].get("cryptoWallets").is_none(),
        "{a}"
    );
    assert!(a["entity"]["properties"]["name"].is_array(), "{a}");
    let w = &a["adjacent"]["cryptoWallets"];
    assert_eq!(w["total"]["value"], 6, "{a}");
    assert_eq!(w["results"].as_array().map(Vec::len), Some(2), "{a}");
    assert_eq!(a["adjacent"]["sanctions"]["total"]["value"], 1, "{a}");
    let (s, _) = get!(app, "/entities/us_ofac_sdn:does-not-exist/adjacent");
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get!(app, "/entities/us_ofac_sdn:25308/adjacent?limit=0");
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // An identifier-only query by one of the wallet addresses finds him.
    let body = json!({"queries": {"w": {"schema": "Person", "properties": {"cryptoWallet": ["12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"]}}}});
    let (s, b) = post!(app, "/match/default", &body);
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(
        stands_for(&b["responses"]["w"]["results"][0], "us_ofac_sdn:25308"),
        "{b}"
    );
    assert_eq!(b["responses"]["w"]["results"][0]["match"], true, "{b}");
}

/// The requests Marble's yente client sends (checkmarble/marble-backend,
/// repositories/opensanctions_repository.go), decoded into the fields its
/// httpmodels read:
/// - `GET /readyz` as the health check;
/// - `GET /catalog`: `datasets[].{name, title, load, index_version,
///   children}`, and the `default` dataset's `index_version` cut at the
///   first `-` and parsed as `20060102150405` (its freshness check);
/// - `POST /match/default?include_dataset=…&threshold=0.70&cutoff=0.70&limit=N`
///   with the body from Go's `json.Encoder` (a trailing newline, query keys
///   that are UUIDs, `properties` as lists of strings) and no
///   `Content-Type` (Go's `http.NewRequest` sets none); the answer's
///   `responses[key].total.value` against `len(results)` (its "partial"
///   flag) and `results[].{id, schema, datasets, properties.name}`;
/// - `GET /entities/{id}` to enrich a match;
/// - credentials as Basic auth (self-hosted) or `?api_key=` (SaaS).
#[actix_web::test]
async fn marble_client_requests() {
    use base64::Engine;
    let cfg = ServerConfig {
        api_keys: vec![ApiKey::new("marble", "marble-key-0123456789")],
        ..ServerConfig::default()
    };
    let app = app!(state(cfg));
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("marble:marble-key-0123456789")
    );
    let (s, _) = get!(app, "/readyz");
    assert_eq!(s, StatusCode::OK);

    let req = test::TestRequest::get()
        .uri("/catalog")
        .insert_header((header::AUTHORIZATION, basic.clone()))
        .to_request();
    let (s, catalog) = send(&app, req).await;
    assert_eq!(s, StatusCode::OK, "{catalog}");
    for d in catalog["datasets"].as_array().expect("datasets") {
        assert!(
            d["name"].is_string() && d["title"].is_string() && d["load"].is_boolean(),
            "{d}"
        );
        assert!(
            d["index_version"].is_string() || d["index_version"].is_null(),
            "{d}"
        );
        assert!(d["children"].is_array(), "{d}");
    }
    let default = catalog["datasets"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["name"] == "default"))
        .expect("default dataset");
    let version = default["index_version"].as_str().expect("index_version");
    let stamp = version.split('-').next().expect("stamp");
    let parsed = time::PrimitiveDateTime::parse(
        stamp,
        time::macros::format_description!("[year][month][day][hour][minute][second]"),
    );
    assert!(
        parsed.is_ok(),
        "Marble parses {version} as 20060102150405: {parsed:?}"
    );

    let key = "0b9f4b7e-8a53-4c55-9d57-3c1b7f8de2a1";
    let body = format!(
        "{}\n",
        json!({"queries": {key: {"schema": "Person", "properties": {"name": ["Arkady Romanovich Rotenberg"], "birthDate": ["1951-12-15"]}}}})
    );
    let uri = "/match/default?include_dataset=us_ofac_sdn&include_dataset=gb_hmt_sanctions&threshold=0.70&cutoff=0.70&limit=1";
    let req = test::TestRequest::post()
        .uri(uri)
        .insert_header((header::AUTHORIZATION, basic.clone()))
        .set_payload(body.clone())
        .to_request();
    assert!(req.head().headers.get(header::CONTENT_TYPE).is_none());
    let (s, b) = send(&app, req).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r = &b["responses"][key];
    let results = r["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{b}");
    let total = r["total"]["value"].as_u64().expect("total.value");
    assert!(total >= results.len() as u64, "{b}");
    let first = &results[0];
    // Both lists name him: one party, both records its referents.
    assert_eq!(
        first["referents"],
        json!(["gb_hmt_sanctions:15498", "us_ofac_sdn:16669"]),
        "{b}"
    );
    assert!(
        first["id"].is_string() && first["schema"] == "Person",
        "{first}"
    );
    assert!(
        first["datasets"].as_array().is_some_and(|d| !d.is_empty()),
        "{first}"
    );
    assert!(
        first["properties"]["name"][0]
            .as_str()
            .is_some_and(|n| n.to_uppercase().contains("ROTENBERG")),
        "{first}"
    );
    // Enrichment, self-hosted (Basic) and SaaS (api_key) style.
    let id = first["id"].as_str().expect("id").to_string();
    let req = test::TestRequest::get()
        .uri(&format!("/entities/{id}"))
        .insert_header((header::AUTHORIZATION, basic))
        .to_request();
    let (s, e) = send(&app, req).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["id"], id.as_str());
    let (s, e) = get!(
        app,
        &format!("/entities/{id}?api_key=marble-key-0123456789")
    );
    assert_eq!(s, StatusCode::OK, "{e}");
    let req = test::TestRequest::post()
        .uri(&format!("{uri}&api_key=marble-key-0123456789"))
        .set_payload(body)
        .to_request();
    let (s, b) = send(&app, req).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // A body declared as something else than JSON is still refused.
    let req = test::TestRequest::post()
        .uri("/match/default?api_key=marble-key-0123456789")
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("{}")
        .to_request();
    assert_eq!(send(&app, req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
