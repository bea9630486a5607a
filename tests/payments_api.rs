//! Payment screening over HTTP: `POST /v1/screen/payment` and `POST
//! /v1/screen/payments` in-process, every kind of bad input of issue 12
//! answered with a 4xx JSON error naming the problem and its place, XXE and
//! entity expansion refused, and one run against every default list of
//! `../shared/lists-raw`. Most tests use a few real OFAC SDN entries typed
//! from `sdn.csv` so they stay fast.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{App, test, web};
use screener::api::config::ServerConfig;
use screener::api::{AppState, app_config};
use screener::model::{Entity, Schema, prop};
use screener::service::{ManifestSource, MemorySource, RefreshSettings, Service};
use serde_json::Value;
use std::sync::Arc;

fn entity(id: &str, schema: Schema, props: &[(&str, &str)]) -> Entity {
    let mut e = Entity::new("us_ofac_sdn", id, schema);
    for (p, v) in props {
        e.add(p, v);
    }
    e.finish();
    e
}

/// Real rows of the OFAC SDN CSV (2024-05-03 composite set).
fn sdn() -> Vec<Entity> {
    vec![
        entity("12927", Schema::Organization, &[(prop::NAME, "MAHAN AIR")]),
        entity(
            "906",
            Schema::Organization,
            &[
                (prop::NAME, "HAVIN BANK LIMITED"),
                (prop::SWIFT_BIC, "HAVIGB2L"),
            ],
        ),
        entity(
            "15077",
            Schema::Vessel,
            &[(prop::NAME, "SABITI"), (prop::IMO_NUMBER, "9172040")],
        ),
    ]
}

async fn state() -> web::Data<AppState> {
    let source = Arc::new(MemorySource::new());
    source.add_list("us_ofac_sdn", "2024-05-03", true, sdn());
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

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/payments")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

macro_rules! app {
    ($state:expr) => {
        test::init_service(App::new().configure(app_config($state.clone()))).await
    };
}

fn req(path: &str, ctype: &str, body: impl Into<Vec<u8>>) -> test::TestRequest {
    test::TestRequest::post()
        .uri(path)
        .insert_header((header::CONTENT_TYPE, ctype))
        .set_payload(body.into())
}

/// Sends a request and returns the status and the JSON answer.
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
    let bytes = test::read_body(res).await;
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, v)
}

/// Posts a body: `post!(app, path, content type, body)`.
macro_rules! post {
    ($app:expr, $path:expr, $ctype:expr, $body:expr) => {
        send(&$app, req($path, $ctype, $body).to_request()).await
    };
}

fn error_of(v: &Value) -> (&str, &str) {
    (
        v["error"].as_str().unwrap_or_default(),
        v["detail"].as_str().unwrap_or_default(),
    )
}

#[actix_web::test]
async fn an_iso_message_is_screened_with_verdict_paths_and_list_versions() {
    let s = state().await;
    let app = app!(s);
    let (status, v) = post!(
        app,
        "/v1/screen/payment",
        "application/xml",
        fixture("pacs008_cases.xml")
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["verdict"], "hold");
    assert_eq!(v["messageType"], "pacs.008.001.08");
    assert_eq!(v["listVersions"]["us_ofac_sdn"], "2024-05-03");
    let tx = &v["transactions"];
    assert_eq!(tx.as_array().map(Vec::len), Some(7));
    let bic = &tx[2]["hits"][0];
    assert_eq!(bic["kind"], "bic");
    assert_eq!(bic["role"], "intermediary_agent");
    assert_eq!(bic["entity"]["id"], "us_ofac_sdn:906");
    assert_eq!(
        bic["path"],
        "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[3]/IntrmyAgt1/FinInstnId/BICFI"
    );
    let vessel = &tx[3]["hits"][0];
    assert_eq!(vessel["entity"]["caption"], "SABITI");
    assert_eq!(vessel["role"], "remittance_information");
    assert!(vessel["explanation"]["summary"].as_str().is_some());
    let crimea = &tx[4]["hits"][0]["jurisdiction"];
    assert_eq!(crimea["list"], "comprehensive_sanctions");
    assert_eq!(crimea["jurisdiction"], "Crimea");
    assert!(
        crimea["sources"][0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    assert_eq!(tx[0]["verdict"], "pass");
}

#[actix_web::test]
async fn an_mt103_as_text_plain() {
    let s = state().await;
    let app = app!(s);
    let (status, v) = post!(
        app,
        "/v1/screen/payment",
        "text/plain",
        fixture("mt103_crlf.txt")
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["messageType"], "MT103");
    assert_eq!(v["format"], "swift_mt");
    // Korea Daesong Bank is not in this small fixture; North Korea is.
    let hits = v["transactions"][0]["hits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        hits.iter()
            .any(|h| h["jurisdiction"]["country"] == "kp" && h["holds"] == true)
    );
    assert_eq!(v["verdict"], "hold");
}

#[actix_web::test]
async fn bad_messages_get_4xx_naming_the_problem_and_place() {
    let s = state().await;
    let app = app!(s);
    let xml = "application/xml";
    let cases: Vec<(&str, String, StatusCode, &str, &str)> = vec![
        (
            xml,
            "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">\n<FIToFICstmrCdtTrf>\n<GrpHdr></FIToFICstmrCdtTrf></Document>".into(),
            StatusCode::BAD_REQUEST,
            "invalid_xml",
            "line 4",
        ),
        (
            xml,
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt/></Document>".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_message_type",
            "camt.053.001.08",
        ),
        (
            xml,
            "<Invoice><Total>5</Total></Invoice>".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_message_type",
            "<Invoice>",
        ),
        (
            xml,
            fixture("pacs008_prefixed.xml").replace("</env:BizMsg>", "</env:BizMsg><extra/>"),
            StatusCode::BAD_REQUEST,
            "invalid_xml",
            "after the end of the root element",
        ),
        (
            "text/plain",
            fixture("mt103_crlf.txt").replace("{2:I103NWBKGB2LXXXXN}", ""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "mt_missing_block",
            "block 2",
        ),
        (
            "text/plain",
            ":20:REF\r\n:59:ACME\r\n".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "mt_missing_block",
            "blocks 1, 2 and 4",
        ),
        (
            "text/plain",
            fixture("mt103_crlf.txt").replace(":71A:SHA", ":99X:SHA"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "mt_unknown_field",
            "block 4, line 17",
        ),
        (
            "text/plain",
            fixture("mt103_crlf.txt").replace("{2:I103", "{2:I940"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_message_type",
            "MT940",
        ),
        (
            "text/plain",
            "hello".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_message_type",
            "neither",
        ),
        ("text/plain", "  ".into(), StatusCode::BAD_REQUEST, "empty_message", "empty"),
    ];
    for (ctype, body, want_status, want_code, want_detail) in cases {
        let (status, v) = post!(app, "/v1/screen/payment", ctype, body);
        let (code, detail) = error_of(&v);
        assert_eq!((status, code), (want_status, want_code), "{v}");
        assert!(detail.contains(want_detail), "{want_detail}: {detail}");
    }
    // Not UTF-8.
    let (status, v) = post!(
        app,
        "/v1/screen/payment",
        xml,
        b"<Document>\xff\xfe</Document>".to_vec()
    );
    assert_eq!(
        (status, error_of(&v).0),
        (StatusCode::BAD_REQUEST, "not_utf8"),
        "{v}"
    );
    // Wrong media type, unknown query parameter.
    let (status, v) = post!(app, "/v1/screen/payment", "application/json", "{}");
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    let (status, v) = post!(
        app,
        "/v1/screen/payment?threshold=0.5",
        xml,
        fixture("pacs009_cov.xml")
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
}

#[actix_web::test]
async fn dtds_and_entities_are_refused_never_resolved() {
    let s = state().await;
    let app = app!(s);
    let secret = std::env::temp_dir().join("screener-xxe-canary.txt");
    std::fs::write(&secret, "CANARY-7f3a").expect("write");
    let xxe = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY xxe SYSTEM \"file://{}\">]>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\"><FIToFICstmrCdtTrf><CdtTrfTxInf><Cdtr><Nm>&xxe;</Nm></Cdtr></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>",
        secret.display()
    );
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\n<Document><FIToFICstmrCdtTrf><CdtTrfTxInf><Cdtr><Nm>&lol3;</Nm></Cdtr></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>";
    for body in [xxe.as_str(), laughs] {
        let (status, v) = post!(app, "/v1/screen/payment", "application/xml", body);
        let (code, detail) = error_of(&v);
        assert_eq!(
            (status, code),
            (StatusCode::BAD_REQUEST, "doctype_not_allowed"),
            "{v}"
        );
        assert!(detail.contains("line 2"), "{detail}");
        assert!(!v.to_string().contains("CANARY"), "the file was never read");
    }
    // An entity reference without any DTD.
    let bare = fixture("pacs008_prefixed.xml").replace("MAHAN AIR", "&xxe;");
    let (status, v) = post!(app, "/v1/screen/payment", "application/xml", bare);
    let (code, detail) = error_of(&v);
    assert_eq!(
        (status, code),
        (StatusCode::BAD_REQUEST, "entity_not_allowed"),
        "{v}"
    );
    assert!(
        detail.contains("&xxe;") && detail.contains("Dbtr/Nm"),
        "{detail}"
    );
    // The five XML entities and character references are read.
    let fine = fixture("pacs008_prefixed.xml").replace("MAHAN AIR", "MAH&#65;N &amp;AIR");
    let (status, v) = post!(app, "/v1/screen/payment", "application/xml", fine);
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v["transactions"][0]["parties"][0]["names"][0]["value"],
        "MAHAN &AIR"
    );
}

#[actix_web::test]
async fn the_documented_limits_are_413() {
    let s = state().await;
    let app = app!(s);
    // A message of 10 MB.
    let big = format!(
        "<Document><FIToFICstmrCdtTrf><!--{}--></FIToFICstmrCdtTrf></Document>",
        "x".repeat(10 * 1024 * 1024)
    );
    let (status, v) = post!(app, "/v1/screen/payment", "application/xml", big);
    let (code, detail) = error_of(&v);
    assert_eq!(
        (status, code),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
        "{v}"
    );
    assert!(
        detail.contains("limits.max_message_bytes of the payment rules"),
        "{detail}"
    );
    // 10,000 transactions.
    let tx = "<CdtTrfTxInf><PmtId><EndToEndId>E</EndToEndId></PmtId><Cdtr><Nm>ACME</Nm></Cdtr></CdtTrfTxInf>\n";
    let many = format!(
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\"><FIToFICstmrCdtTrf><GrpHdr><MsgId>M</MsgId></GrpHdr>\n{}</FIToFICstmrCdtTrf></Document>",
        tx.repeat(10_000)
    );
    let (status, v) = post!(app, "/v1/screen/payment", "application/xml", many);
    let (code, detail) = error_of(&v);
    assert_eq!(
        (status, code),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_many_transactions"),
        "{v}"
    );
    assert!(
        detail.contains("more than 1000") && detail.contains("CdtTrfTxInf[1001]"),
        "{detail}"
    );
    // One field of 2,000 characters.
    let long = fixture("pacs008_prefixed.xml").replace("Engine overhaul 4411", &"A".repeat(2000));
    let (status, v) = post!(app, "/v1/screen/payment", "application/xml", long);
    let (code, detail) = error_of(&v);
    assert_eq!(
        (status, code),
        (StatusCode::PAYLOAD_TOO_LARGE, "field_too_long"),
        "{v}"
    );
    assert!(detail.contains("RmtInf/Ustrd[1]"), "{detail}");
}

#[actix_web::test]
async fn invalid_codes_are_screened_where_possible_with_warnings() {
    let s = state().await;
    let app = app!(s);
    let body = fixture("pacs008_cases.xml")
        .replace("<BICFI>HAVIGB2LXXX</BICFI>", "<BICFI>HAVIGB2LX</BICFI>")
        .replace("IR710570029971601460641001", "IR710570029971601460641009")
        .replace("<Ctry>UA</Ctry>", "<Ctry>UKR</Ctry>");
    let (status, v) = post!(app, "/v1/screen/payment", "application/xml", body);
    assert_eq!(status, StatusCode::OK, "{v}");
    let tx = &v["transactions"];
    let codes = |i: usize| -> Vec<String> {
        tx[i]["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| w["code"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    // Nine characters: not a BIC, yet its BIC8 is still looked up.
    assert_eq!(codes(2), ["invalid_bic"]);
    assert_eq!(tx[2]["hits"][0]["kind"], "bic");
    assert_eq!(tx[2]["verdict"], "hold");
    // The IBAN's check digits are wrong; its country is still checked.
    assert_eq!(codes(5), ["invalid_iban"]);
    assert_eq!(tx[5]["verdict"], "hold");
    // UKR is not an alpha-2 code; the town still names Crimea.
    assert_eq!(codes(4), ["invalid_country"]);
    assert_eq!(tx[4]["hits"][0]["jurisdiction"]["jurisdiction"], "Crimea");
}

#[actix_web::test]
async fn many_messages_as_ndjson() {
    let s = state().await;
    let app = app!(s);
    let line =
        |id: &str, message: &str| serde_json::json!({"id": id, "message": message}).to_string();
    let body = [
        line("p-1", &fixture("pacs008_prefixed.xml")),
        String::new(),
        "{\"id\": \"p-2\", \"msg\": \"x\"}".to_string(),
        line("p-3", "<Document><FIToFICstmrCdtTrf></Document>"),
        line("p-4", &fixture("mt202cov.txt")),
        // A repeated key is refused, never "the last one wins".
        "{\"id\": \"p-5\", \"message\": \"x\", \"message\": \"y\"}".to_string(),
    ]
    .join("\n");
    let req = test::TestRequest::post()
        .uri("/v1/screen/payments")
        .insert_header((header::CONTENT_TYPE, "application/x-ndjson"))
        .set_payload(body)
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/x-ndjson")
    );
    let text = String::from_utf8(test::read_body(res).await.to_vec()).expect("utf8");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(
        (lines[0]["id"].as_str(), lines[0]["verdict"].as_str()),
        (Some("p-1"), Some("hold"))
    );
    assert_eq!(lines[1]["id"], "3");
    assert_eq!(lines[1]["error"], "invalid_line");
    assert_eq!(
        (lines[2]["id"].as_str(), lines[2]["error"].as_str()),
        (Some("p-3"), Some("invalid_xml"))
    );
    assert_eq!(lines[3]["messageType"], "MT202COV");
    assert_eq!(lines[3]["listVersions"]["us_ofac_sdn"], "2024-05-03");
    assert_eq!(lines[4]["error"], "invalid_line");
    assert!(
        lines[4]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("message")),
        "{}",
        lines[4]
    );
    // Wrong media type.
    let (status, _) = post!(app, "/v1/screen/payments", "application/json", "[]");
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[actix_web::test]
async fn the_routes_are_in_the_openapi_document() {
    let s = state().await;
    let app = app!(s);
    let req = test::TestRequest::get().uri("/openapi.json").to_request();
    let v: Value = test::call_and_read_body_json(&app, req).await;
    for p in ["/v1/screen/payment", "/v1/screen/payments"] {
        let op = &v["paths"][p]["post"];
        assert!(op["responses"]["200"].is_object(), "{p}");
        assert!(op["requestBody"]["content"].is_object(), "{p}");
    }
    assert!(v["components"]["schemas"]["MessageResult"].is_object());
    // The NDJSON example is one valid line of {id, message}.
    let ex =
        v["paths"]["/v1/screen/payments"]["post"]["requestBody"]["content"]["application/x-ndjson"]
            ["example"]
            .as_str()
            .expect("example");
    let line: Value = serde_json::from_str(ex.trim()).expect("valid JSON line");
    assert!(
        line["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("{1:"))
    );
    let _ = ContentType::json();
}

#[actix_web::test]
async fn every_default_list_loaded() {
    let manifest = screener::eval::default_manifest_for_tests();
    let source = Arc::new(ManifestSource::open(&manifest).expect("manifest"));
    let service = Arc::new(Service::new(source, RefreshSettings::default()));
    service.load_initial().await;
    let s = AppState::new(service, ServerConfig::default());
    let app = app!(s);
    let (status, v) = post!(
        app,
        "/v1/screen/payment",
        "text/plain",
        fixture("mt103_crlf.txt")
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    let hits = v["transactions"][0]["hits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ids: Vec<&str> = hits
        .iter()
        .filter_map(|h| h["entity"]["id"].as_str())
        .collect();
    assert!(ids.contains(&"un_sc_sanctions:KPe.035"), "{ids:?}");
    assert!(
        v["listVersions"].as_object().is_some_and(|l| l.len() >= 9),
        "{}",
        v["listVersions"]
    );
    let (status, v) = post!(
        app,
        "/v1/screen/payment",
        "application/xml",
        fixture("pain001.xml")
    );
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["transactions"][0]["verdict"], "pass");
    assert_eq!(v["transactions"][1]["verdict"], "hold");
}
