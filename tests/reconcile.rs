//! The W3C reconciliation API (0.2) as OpenRefine calls it, against every
//! default list of `../shared/lists-raw`: the requests are the shapes
//! OpenRefine's standard reconciliation service sends (the service manifest
//! by GET, `queries=` form-encoded in a POST with `type`, `type_strict` and
//! `properties: [{pid, v}]`, `extend=` for data extension, the suggest and
//! preview services at the manifest's URLs), and every JSON answer is
//! validated against the 0.2 schemas in `tests/reconcile/schemas` by the
//! `jsonschema` Python package (pinned in `tests/reconcile/requirements.txt`).
//! Expected entities were looked up in the source files (OFAC SDN sdn.csv
//! 2024-05-03: 16669 is Arkady Romanovich ROTENBERG, born 15 Dec 1951).

mod common;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{App, test};
use screener::api::config::ServerConfig;
use screener::api::{AppState, app_config};
use screener::service::Service;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

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

async fn send<S>(app: &S, req: actix_http::Request) -> (StatusCode, Vec<u8>)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let res = test::call_service(app, req).await;
    let status = res.status();
    (status, test::read_body(res).await.to_vec())
}

fn json_of(status: StatusCode, body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    })
}

/// A form-encoded POST, as OpenRefine sends `queries` and `extend`.
fn form(uri: &str, field: &str, value: &Value) -> actix_http::Request {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair(field, &value.to_string())
        .finish();
    test::TestRequest::post()
        .uri(uri)
        .insert_header((
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=UTF-8",
        ))
        .set_payload(body)
        .to_request()
}

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reconcile")
}

/// Validates each (schema name, document) with the pinned jsonschema.
fn check(docs: &[(&str, &Value)]) -> (bool, String) {
    let python = common::python::venv_python("jsonschema", &here().join("requirements.txt"))
        .unwrap_or_else(|e| panic!("the JSON Schema validator is not available: {e}"));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(python);
    cmd.arg(here().join("validate.py"))
        .arg(here().join("schemas"));
    for (i, (schema, doc)) in docs.iter().enumerate() {
        let path = dir.path().join(format!("{i}-{schema}.json"));
        std::fs::write(&path, doc.to_string()).expect("write");
        cmd.arg(format!("{schema}={}", path.display()));
    }
    let out = cmd.output().expect("run validate.py");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report)
}

/// Asserts each (schema name, document) is valid.
fn validate(docs: &[(&str, &Value)]) {
    let (ok, report) = check(docs);
    assert!(ok, "not valid by the reconciliation API schemas:\n{report}");
}

#[actix_web::test]
async fn openrefine_reconciles_a_column() {
    let app = app!();
    // 1. OpenRefine adds the service by its URL: the manifest.
    let (s, b) = send(
        &app,
        test::TestRequest::get()
            .uri("/reconcile/default")
            .to_request(),
    )
    .await;
    let manifest = json_of(s, &b);
    assert_eq!(s, StatusCode::OK, "{manifest}");
    let (s, b) = send(
        &app,
        test::TestRequest::get().uri("/reconcile").to_request(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let default_manifest = json_of(s, &b);

    // 2. It reconciles a column of names typed as Person, one with a birth
    // date column mapped to birthDate, one reconciled cell as {id, name}.
    let queries = json!({
        "q0": {"query": "Arkady Romanovich Rotenberg", "type": "Person", "type_strict": "should",
               "properties": [{"pid": "birthDate", "v": "1951-12-15"}]},
        "q1": {"query": "ROTENBERG Arkady", "type": "Person", "type_strict": "should",
               "properties": [{"pid": "nationality", "v": {"id": "ru", "name": "ru"}}], "limit": 3},
        "q2": {"query": "Jane Fictional Nobody", "type": "Person", "type_strict": "should"},
        "q3": {"query": "SOVCOMFLOT", "type": "Company"}
    });
    let (s, b) = send(&app, form("/reconcile/default", "queries", &queries)).await;
    let results = json_of(s, &b);
    assert_eq!(s, StatusCode::OK, "{results}");
    let best = |key: &str| results[key]["result"][0].clone();
    let ids = |key: &str| -> Vec<String> {
        results[key]["result"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|c| c["id"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(
        ids("q0").contains(&"us_ofac_sdn:16669".to_string()),
        "{results}"
    );
    assert_eq!(best("q0")["match"], true, "{results}");
    assert!(
        best("q0")["score"].as_f64().is_some_and(|s| s > 90.0),
        "{results}"
    );
    assert_eq!(best("q0")["type"][0]["id"], "Person", "{results}");
    assert!(
        best("q1")["name"]
            .as_str()
            .is_some_and(|n| n.to_uppercase().contains("ROTENBERG")),
        "{results}"
    );
    assert!(
        results["q1"]["result"]
            .as_array()
            .is_some_and(|r| r.len() <= 3),
        "{results}"
    );
    assert!(
        results["q2"]["result"]
            .as_array()
            .is_some_and(|r| r.iter().all(|c| c["match"] == false)),
        "{results}"
    );
    assert!(
        best("q3")["name"]
            .as_str()
            .is_some_and(|n| n.to_uppercase().contains("SOVCOMFLOT")),
        "{results}"
    );
    // The same queries in the query string (GET) answer the same.
    let uri = format!(
        "/reconcile/default?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("queries", &queries.to_string())
            .finish()
    );
    let (s, b) = send(&app, test::TestRequest::get().uri(&uri).to_request()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(json_of(s, &b)["q0"]["result"][0]["id"], best("q0")["id"]);

    // 3. Suggest services, at the paths the manifest gives.
    let path = |kind: &str| {
        manifest["suggest"][kind]["service_path"]
            .as_str()
            .expect("service_path")
            .to_string()
    };
    let mut suggestions = Vec::new();
    for (kind, prefix) in [
        ("entity", "Arkady%20Rotenberg"),
        ("type", "Pers"),
        ("property", "birth"),
    ] {
        let uri = format!("/reconcile/default{}?prefix={prefix}", path(kind));
        let (s, b) = send(&app, test::TestRequest::get().uri(&uri).to_request()).await;
        let v = json_of(s, &b);
        assert_eq!(s, StatusCode::OK, "{uri}: {v}");
        suggestions.push(v);
    }
    assert!(
        suggestions[0]["result"]
            .as_array()
            .is_some_and(|r| r.iter().any(|e| e["id"] == "us_ofac_sdn:16669")),
        "{}",
        suggestions[0]
    );
    assert_eq!(suggestions[1]["result"][0]["id"], "Person");
    assert_eq!(suggestions[2]["result"][0]["id"], "birthDate");

    // 4. Data extension: propose properties, then fetch two of them.
    let uri = format!(
        "/reconcile/default{}?type=Person",
        manifest["extend"]["propose_properties"]["service_path"]
            .as_str()
            .expect("propose path")
    );
    let (s, b) = send(&app, test::TestRequest::get().uri(&uri).to_request()).await;
    let proposal = json_of(s, &b);
    assert_eq!(s, StatusCode::OK, "{proposal}");
    let extend = json!({"ids": ["us_ofac_sdn:16669", "us_ofac_sdn:no-such-id"],
                        "properties": [{"id": "birthDate"}, {"id": "nationality"}]});
    let (s, b) = send(&app, form("/reconcile/default", "extend", &extend)).await;
    let rows = json_of(s, &b);
    assert_eq!(s, StatusCode::OK, "{rows}");
    assert_eq!(
        rows["rows"]["us_ofac_sdn:16669"]["birthDate"],
        json!([{"str": "1951-12-15"}]),
        "{rows}"
    );
    assert_eq!(
        rows["rows"]["us_ofac_sdn:16669"]["nationality"],
        json!([{"str": "ru"}]),
        "{rows}"
    );
    assert_eq!(
        rows["rows"]["us_ofac_sdn:no-such-id"]["birthDate"],
        json!([]),
        "{rows}"
    );

    validate(&[
        ("manifest", &manifest),
        ("manifest", &default_manifest),
        ("reconciliation-result-batch", &results),
        ("suggest-response", &suggestions[0]),
        ("suggest-response", &suggestions[1]),
        ("suggest-response", &suggestions[2]),
        ("property-proposal", &proposal),
        ("data-extension-response", &rows),
    ]);

    // 5. The preview pane: escaped HTML of the entity.
    let preview = manifest["preview"]["url"].as_str().expect("preview url");
    let uri = preview
        .split_once("/reconcile")
        .map(|(_, rest)| format!("/reconcile{rest}"))
        .expect("a local preview url")
        .replace("{{id}}", "us_ofac_sdn:16669");
    let (s, b) = send(&app, test::TestRequest::get().uri(&uri).to_request()).await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8_lossy(&b);
    assert!(
        html.contains("ROTENBERG, Arkady Romanovich") && html.contains("1951-12-15"),
        "{html}"
    );
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri("/reconcile/default/preview?id=us_ofac_sdn:no-such-id")
            .to_request(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// A manifest for a dataset that is not loaded is 404, and the schemas
/// catch a wrong answer (the validator is not a rubber stamp).
#[actix_web::test]
async fn unknown_dataset_and_the_schemas_bite() {
    let app = app!();
    let (s, b) = send(
        &app,
        test::TestRequest::get()
            .uri("/reconcile/no_such_list")
            .to_request(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{}", String::from_utf8_lossy(&b));
    // A candidate without a score, a manifest without 0.2.
    let no_score = serde_json::json!({"q0": {"result": [{"id": "x", "name": "y"}]}});
    let old_version = serde_json::json!({"versions": ["0.1"], "name": "n", "identifierSpace": "i", "schemaSpace": "s"});
    for (schema, doc) in [
        ("reconciliation-result-batch", &no_score),
        ("manifest", &old_version),
    ] {
        let (ok, report) = check(&[(schema, doc)]);
        assert!(!ok, "{schema} accepted {doc}: {report}");
    }
}

/// Bad input: a batch over `limits.max_batch` (1,000) is refused with 413
/// and says so; a batch of exactly 1,000 is answered; `queries` that are
/// not JSON, or a query that cannot be screened, are 4xx.
#[actix_web::test]
async fn batches_are_bounded_and_bad_queries_refused() {
    let app = app!();
    let batch = |n: usize| {
        let mut q = serde_json::Map::new();
        for i in 0..n {
            q.insert(
                format!("q{i}"),
                json!({"query": format!("Person Number {i}"), "type": "Person"}),
            );
        }
        Value::Object(q)
    };
    let (s, b) = send(&app, form("/reconcile/default", "queries", &batch(1001))).await;
    let v = json_of(s, &b);
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(
        v["detail"].as_str().is_some_and(|d| d.contains("1000")),
        "{v}"
    );
    let (s, b) = send(&app, form("/reconcile/default", "queries", &batch(1000))).await;
    let v = json_of(s, &b);
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_object().map(|o| o.len()), Some(1000));

    let req = test::TestRequest::post()
        .uri("/reconcile/default")
        .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
        .set_payload("queries=%7Bnot%20json")
        .to_request();
    let (s, b) = send(&app, req).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&b)
    );
    let (s, b) = send(
        &app,
        form(
            "/reconcile/default",
            "queries",
            &json!({"q0": {"query": ""}}),
        ),
    )
    .await;
    let v = json_of(s, &b);
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["detail"].as_str().is_some_and(|d| d.contains("q0")),
        "{v}"
    );
}
