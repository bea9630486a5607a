//! A screener must never look clean when it did not look. Each case here
//! once answered 200 with no match for a name that must alert (a list that
//! is not loaded or does not exist, a typo in a dataset, a repeated JSON
//! key) or let a slow client hold every batch slot. Now each is an error
//! naming the problem, every result says which list versions it searched,
//! and slow senders hold nothing.

use super::*;

/// The fixture without any sanctions list: only the BIS list is loaded.
async fn no_sanctions_state() -> web::Data<AppState> {
    let src = Arc::new(MemorySource::new());
    src.add_list("us_bis_denied", "2023-11-28", false, bis());
    state_for(src, test_config()).await
}

#[actix_web::test]
async fn a_list_that_is_not_loaded_or_unknown_is_an_error_naming_it() {
    let state = fixture_state().await;
    let app = app!(state);
    for (lists, code, named) in [
        (
            json!(["gb_fcdo_sanctions"]),
            "list_not_loaded",
            "gb_fcdo_sanctions",
        ),
        (json!(["custom:foo"]), "list_not_loaded", "custom:foo"),
        (json!(["us_ofac"]), "list_not_loaded", "us_ofac"),
        (
            json!(["us_ofac_sdn", "eu_fsf"]),
            "list_not_loaded",
            "eu_fsf",
        ),
        (json!(["US_OFAC_SDN"]), "invalid_list_id", "US_OFAC_SDN"),
        (json!([""]), "invalid_list_id", "not a list id"),
    ] {
        let (s, b) = call!(
            app,
            post_json(
                "/v1/screen",
                json!({"name": "Usama bin Laden", "lists": lists})
            )
        );
        let d = assert_error(s, &b, 422, code);
        assert!(d.contains(named), "{lists}: {d}");
    }
    // The loaded lists are named, so the caller can correct the request.
    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Usama bin Laden", "lists": ["eu_fsf"]})
        )
    );
    let d = assert_error(s, &b, 422, "list_not_loaded");
    assert!(
        d.contains("us_ofac_sdn") && d.contains("un_sc_sanctions"),
        "{d}"
    );
    still_serving!(app);
}

#[actix_web::test]
async fn a_request_that_would_search_no_list_is_an_error() {
    let state = no_sanctions_state().await;
    let app = app!(state);
    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Aaron Villa", "lists": ["sanctions"]})
        )
    );
    let d = assert_error(s, &b, 422, "no_list_to_search");
    assert!(d.contains("sanctions"), "{d}");
    let (s, b) = call!(
        app,
        post_json(
            "/match/sanctions",
            json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Aaron Villa"]}}}})
        )
    );
    assert_error(s, &b, 404, "unknown_dataset");
    let (s, b) = call!(
        app,
        post_json(
            "/match/default?exclude_dataset=us_bis_denied",
            json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Aaron Villa"]}}}})
        )
    );
    assert_error(s, &b, 400, "no_list_to_search");
    let (s, b) = call!(app, get("/search/default?q=Villa&exclude_dataset=default"));
    assert_error(s, &b, 400, "no_list_to_search");
    // The batch job says it per row.
    let (s, b) = call!(
        app,
        post_json(
            "/v1/screen/batch",
            json!([{"id": "a", "name": "Aaron Villa", "lists": ["sanctions"]}, {"id": "b", "name": "Aaron Villa"}])
        )
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["results"][0]["error"], "no_list_to_search", "{b}");
    assert_eq!(
        b["results"][1]["matches"][0]["entity"]["id"], "us_bis_denied:aaron-abraham-villa",
        "{b}"
    );
}

#[actix_web::test]
async fn yente_datasets_and_their_filters_are_checked() {
    let state = fixture_state().await;
    let app = app!(state);
    let body = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Usama bin Laden"]}}}});
    for (uri, status, code, named) in [
        (
            "/match/gb_fcdo_sanctions",
            404,
            "unknown_dataset",
            "gb_fcdo_sanctions",
        ),
        (
            "/match/default?include_dataset=us_ofac",
            400,
            "list_not_loaded",
            "us_ofac",
        ),
        (
            "/match/default?exclude_dataset=us_ofac_sd",
            400,
            "list_not_loaded",
            "us_ofac_sd",
        ),
        (
            "/match/sanctions?include_dataset=us_bis_denied",
            400,
            "no_list_to_search",
            "us_bis_denied",
        ),
    ] {
        let (s, b) = call!(app, post_json(uri, body.clone()));
        let d = assert_error(s, &b, status, code);
        assert!(d.contains(named), "{uri}: {d}");
    }
    for (uri, status, code) in [
        ("/search/eu_fsf?q=Laden", 404, "unknown_dataset"),
        (
            "/search/default?q=Laden&include_dataset=un_sc",
            400,
            "list_not_loaded",
        ),
    ] {
        let (s, b) = call!(app, get(uri));
        assert_error(s, &b, status, code);
    }
    // A good filter still finds the party, and says where it looked.
    let (s, b) = call!(
        app,
        post_json("/match/default?include_dataset=us_ofac_sdn", body.clone())
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["responses"]["q"]["results"][0]["id"], "us_ofac_sdn:6365",
        "{b}"
    );
    assert_eq!(b["list_versions"], json!({"us_ofac_sdn": "v1"}), "{b}");
}

#[actix_web::test]
async fn a_repeated_json_key_is_refused_everywhere() {
    let state = fixture_state().await;
    let app = app!(state);
    let dup_screen = r#"{"name": "Usama bin Laden", "name": "John Smith"}"#;
    let (s, b) = call!(app, post_raw("/v1/screen", "application/json", dup_screen));
    let d = assert_error(s, &b, 422, "invalid_request");
    assert!(d.contains("duplicate key \"name\""), "{d}");

    let dup_match = r#"{"queries": {"q1": {"schema": "Person", "properties": {"name": ["Osama bin Laden"], "name": ["John Smith"]}}}}"#;
    let (s, b) = call!(
        app,
        post_raw("/match/default", "application/json", dup_match)
    );
    let d = assert_error(s, &b, 422, "invalid_request");
    assert!(d.contains("duplicate key"), "{d}");
    let dup_queries = r#"{"queries": {"q1": {"schema": "Person", "properties": {"name": ["Osama bin Laden"]}}, "q1": {"schema": "Person", "properties": {"name": ["John Smith"]}}}}"#;
    let (s, b) = call!(
        app,
        post_raw("/match/default", "application/json", dup_queries)
    );
    assert_error(s, &b, 422, "invalid_request");

    let dup_compare =
        r#"{"a": {"name": "Bout"}, "b": {"name": "Viktor Bout"}, "a": {"name": "x"}}"#;
    let (s, b) = call!(
        app,
        post_raw("/v1/compare", "application/json", dup_compare)
    );
    assert_error(s, &b, 422, "invalid_request");

    // In a JSON batch the element with the repeated key is the one refused.
    let batch = r#"[{"id": "dup", "name": "Usama bin Laden", "name": "John Smith"}, {"id": "ok", "name": "Usama bin Laden"}]"#;
    let (s, b) = call!(app, post_raw("/v1/screen/batch", "application/json", batch));
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["results"][0]["id"], "dup", "{b}");
    assert_eq!(b["results"][0]["error"], "invalid_request", "{b}");
    assert!(b["results"][0]["matches"].is_null(), "{b}");
    assert_eq!(
        b["results"][1]["matches"][0]["entity"]["id"], "us_ofac_sdn:6365",
        "{b}"
    );

    // In NDJSON, the line.
    let lines = ndjson_lines(
        &app,
        post_raw(
            "/v1/screen/batch",
            "application/x-ndjson",
            "{\"id\": \"dup\", \"name\": \"Usama bin Laden\", \"name\": \"John Smith\"}\n{\"id\": \"ok\", \"name\": \"Usama bin Laden\"}\n",
        )
        .to_request(),
    )
    .await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("duplicate key")),
        "{lines:?}"
    );
    assert_eq!(lines[1]["matches"][0]["entity"]["id"], "us_ofac_sdn:6365");
}

#[actix_web::test]
async fn every_result_states_the_list_versions_it_searched() {
    let state = fixture_state().await;
    let app = app!(state);
    let all = json!({"un_sc_sanctions": "2026-02-27", "us_bis_denied": "2023-11-28", "us_ofac_sdn": "v1"});
    let (s, b) = call!(app, post_json("/v1/screen", json!({"name": "Ri Won Ho"})));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["listVersions"], all, "{b}");
    let (_, b) = call!(
        app,
        post_json(
            "/v1/screen",
            json!({"name": "Ri Won Ho", "lists": ["sanctions"]})
        )
    );
    assert_eq!(
        b["listVersions"],
        json!({"un_sc_sanctions": "2026-02-27", "us_ofac_sdn": "v1"}),
        "{b}"
    );
    let (_, b) = call!(
        app,
        post_json(
            "/v1/screen/batch",
            json!([{"name": "Ri Won Ho", "lists": ["un_sc_sanctions"]}, {"name": "Ri Won Ho"}])
        )
    );
    assert_eq!(
        b["results"][0]["listVersions"],
        json!({"un_sc_sanctions": "2026-02-27"}),
        "{b}"
    );
    assert_eq!(b["results"][1]["listVersions"], all, "{b}");
    let lines = ndjson_lines(
        &app,
        post_raw(
            "/v1/screen/batch",
            "application/x-ndjson",
            "{\"name\": \"Ri Won Ho\", \"lists\": [\"us_bis_denied\"]}\n",
        )
        .to_request(),
    )
    .await;
    assert_eq!(
        lines[0]["listVersions"],
        json!({"us_bis_denied": "2023-11-28"}),
        "{lines:?}"
    );
}

/// Sends a request head and a body one byte at a time, slowly, then waits
/// `then` before closing its side; returns the whole answer. A sender that
/// waits announces more bytes than it sends, as a stalled client does.
fn slow_sender(
    addr: String,
    ctype: &'static str,
    body: &'static str,
    every: Duration,
    then: Duration,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(&addr) else {
            return String::new();
        };
        let head = format!(
            "POST /v1/screen/batch HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len() + if then.is_zero() { 0 } else { 64 }
        );
        if s.write_all(head.as_bytes()).is_err() {
            return String::new();
        }
        for b in body.as_bytes() {
            std::thread::sleep(every);
            if s.write_all(&[*b]).is_err() {
                break;
            }
        }
        std::thread::sleep(then);
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    })
}

#[actix_web::test]
async fn slow_senders_hold_no_batch_slot_and_time_out() {
    let mut cfg = test_config();
    cfg.workers = Some(2);
    cfg.limits.max_concurrent_batches = 2;
    cfg.limits.body_timeout_secs = 3;
    cfg.limits.stream_idle_timeout_secs = 3;
    let state = state_for(fixture_source(), cfg).await;
    let (base, handle) = real_server(state).await;
    let addr = base.trim_start_matches("http://").to_string();
    let json_body = r#"[{"id": "a", "name": "Viktor Bout"}, {"id": "b", "name": "Ri Won Ho"}]"#;
    let ndjson = "{\"name\": \"Viktor Bout\"}\n{\"name\": \"Ri Won Ho\"}\n";
    let tick = Duration::from_millis(100);
    let zero = Duration::ZERO;
    // More slow clients than slots: two JSON batches and two NDJSON streams
    // sending a byte every 100 ms, and an NDJSON stream that sends half a
    // line and then nothing for 5 s.
    let slow: Vec<_> = [
        ("application/json", json_body, zero),
        ("application/json", json_body, zero),
        ("application/x-ndjson", ndjson, zero),
        ("application/x-ndjson", ndjson, zero),
        (
            "application/x-ndjson",
            "{\"name\": \"Viktor",
            Duration::from_secs(5),
        ),
    ]
    .into_iter()
    .map(|(ctype, body, then)| slow_sender(addr.clone(), ctype, body, tick, then))
    .collect();
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    // Meanwhile other clients' batches are served at once, every time.
    let client = reqwest::Client::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let res = client
            .post(format!("{base}/v1/screen/batch"))
            .header("content-type", "application/json")
            .body(json!([{"name": "Viktor Bout"}]).to_string())
            .send()
            .await
            .expect("send");
        assert_eq!(res.status().as_u16(), 200);
        let v: Value = serde_json::from_slice(&res.bytes().await.expect("body")).expect("json");
        assert_eq!(
            v["results"][0]["matches"][0]["entity"]["id"],
            "us_ofac_sdn:8279"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    }
    let mut answers = Vec::new();
    for h in slow {
        let out = actix_web::rt::task::spawn_blocking(move || h.join().unwrap_or_default())
            .await
            .expect("join");
        answers.push(out);
    }
    // The slow JSON batches are cut off at the deadline with a JSON 408.
    for out in &answers[..2] {
        assert!(out.starts_with("HTTP/1.1 408"), "{out}");
        assert!(out.contains("\"error\":\"body_timeout\""), "{out}");
    }
    // The slow streams, which held a slot only while screening, are screened in full.
    for out in &answers[2..4] {
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
        assert!(
            out.contains("us_ofac_sdn:8279") && out.contains("un_sc_sanctions:KPi.033"),
            "{out}"
        );
    }
    // The stream that went silent ends with an error line saying so.
    assert!(answers[4].starts_with("HTTP/1.1 200"), "{}", answers[4]);
    assert!(answers[4].contains("body_timeout"), "{}", answers[4]);
    handle.stop(true).await;
}
