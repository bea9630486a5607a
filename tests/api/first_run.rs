//! The first start with an empty data directory and no network: the service
//! must say plainly that no list is loaded, why the downloads failed and how
//! to load the publishers' files by hand, in /readyz, in every 503 and in
//! /v1/lists, and the downloads must fail at once rather than retry for
//! minutes.

use super::*;

#[actix_web::test]
async fn offline_with_an_empty_data_dir_says_why_and_what_to_do() {
    use screener::fetch::{FetchConfig, Fetcher};
    use screener::service::StoreSource;
    use screener::snapshot::Store;

    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    // Nothing listens on this port: every download is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let fetcher = Fetcher::new(FetchConfig {
        url_override: Some(format!("http://127.0.0.1:{port}")),
        ..FetchConfig::default()
    })
    .expect("fetcher");
    let catalog = screener::sources::Catalog::builtin().expect("catalog");
    let source = Arc::new(StoreSource::new(Arc::clone(&store), fetcher, catalog));
    let service = Arc::new(Service::new(source, RefreshSettings::default()));
    assert!(!service.has_stored_lists());
    service.load_initial().await;
    let state = AppState::new(Arc::clone(&service), test_config());
    let app = app!(state);

    // Before any download: not ready, and how to load lists by hand.
    let (s, b) = call!(app, get("/readyz"));
    let d = assert_error(s, &b, 503, "not_ready");
    assert!(d.contains("no list is loaded"), "{d}");
    assert!(d.contains("screener import --manifest"), "{d}");

    // The first download fails at once for every list (no retries)...
    let started = std::time::Instant::now();
    let report = service
        .refresh(RefreshRequest {
            lists: None,
            rebuild: false,
        })
        .await;
    assert!(report.lists.len() >= 10, "{report:?}");
    assert!(
        report
            .lists
            .values()
            .all(|o| matches!(o, screener::service::RefreshOutcome::Failed { .. })),
        "{report:?}"
    );
    // (A generous bound: with retries and backoff this took minutes.)
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );

    // ...and every answer says why and what to do.
    let (s, b) = call!(app, get("/readyz"));
    let d = assert_error(s, &b, 503, "not_ready");
    assert!(d.contains("the downloads failed"), "{d}");
    assert!(d.contains("cannot connect"), "{d}");
    assert!(d.contains("screener import --manifest"), "{d}");
    let (s, b) = call!(app, post_json("/v1/screen", json!({"name": "Ri Won Ho"})));
    let d2 = assert_error(s, &b, 503, "not_ready");
    assert!(d2.contains("screener import"), "{d2}");
    let (s, b) = call!(app, get("/v1/lists"));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["ready"], false);
    let why = b["notReady"].as_str().unwrap_or_default();
    assert!(
        why.contains("downloads failed") && why.contains("screener import"),
        "{b}"
    );
    let un = b["lists"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["id"] == "un_sc_sanctions"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(un["loaded"], false, "{un}");
    assert!(
        un["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("cannot connect")),
        "{un}"
    );
    assert!(un["version"].is_null(), "{un}");
}
