//! The analyst console (`/ui`) on real data: two real lists (OFAC SDN as
//! published 2021-07-07 and the UN Security Council list) and customers
//! written through the API. Every page renders for a signed-in analyst with
//! the console's security headers; values from customers are escaped; a
//! form without its CSRF token, an expired session and a decision made
//! twice each get a clear HTML page.

mod common;

use actix_web::cookie::Cookie;
use actix_web::{App, test, web};
use screener::api::config::{ApiKey, Secret, ServerConfig};
use screener::api::{AppState, app_config};
use screener::monitor::sqlite::{SqliteOptions, SqliteStore};
use screener::monitor::store::AlertStatus;
use screener::monitor::{Monitor, MonitorConfig};
use screener::service::{MemorySource, RefreshSettings, Service};
use serde_json::json;
use std::sync::{Arc, OnceLock};

const ANA: &str = "analyst-ana-0123456789";
const BOB: &str = "analyst-bob-0123456789";

/// The two real lists, parsed once for every test.
fn service() -> Arc<Service> {
    static S: OnceLock<Arc<Service>> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        std::thread::spawn(|| {
            let manifest = common::manifest();
            let source = Arc::new(MemorySource::new());
            for (file, list, version) in [
                (
                    "ofac_sdn_csv/2021-07-07/sdn.csv",
                    "us_ofac_sdn",
                    "2021-07-07",
                ),
                (
                    "un_consolidated/2026-02-27/consolidated.xml",
                    "un_sc_sanctions",
                    "2026-02-27",
                ),
            ] {
                let set = common::set_with_file(&manifest, file);
                let parsed = common::parse_set(&manifest, set);
                assert!(
                    parsed.entities.len() > 500,
                    "{list}: {}",
                    parsed.entities.len()
                );
                source.add_list(list, version, true, parsed.entities);
            }
            let service = Arc::new(Service::new(source, RefreshSettings::default()));
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

struct Setup {
    state: web::Data<AppState>,
    monitor: Arc<Monitor>,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    setup_with(MonitorConfig::default())
}

fn setup_with(config: MonitorConfig) -> Setup {
    let dir = tempfile::tempdir().expect("tmp");
    let service = service();
    let store =
        SqliteStore::open(&dir.path().join("monitor.db"), SqliteOptions::default()).expect("store");
    let monitor = Arc::new(Monitor::new(Arc::new(store), config));
    monitor.load_customer_index().expect("index");
    monitor
        .advance(
            service.served().expect("served"),
            None,
            &|_: &str, _: &str| Err("none".to_string()),
        )
        .expect("adopt");
    let cfg = ServerConfig {
        api_keys: vec![ApiKey::new("ana", ANA), ApiKey::new("bob", BOB)],
        workers: Some(1),
        ..ServerConfig::default()
    };
    let state = AppState::with_monitor(service, cfg, Some(Arc::clone(&monitor)));
    Setup {
        state,
        monitor,
        _dir: dir,
    }
}

macro_rules! app {
    ($s:expr) => {
        test::init_service(App::new().configure(app_config($s.state.clone()))).await
    };
}

/// An answer: status, headers we check, body.
struct Page {
    status: u16,
    location: String,
    body: String,
    headers: actix_web::http::header::HeaderMap,
    cookies: Vec<Cookie<'static>>,
}

async fn send<S>(app: &S, req: test::TestRequest) -> Page
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let cookies = res.response().cookies().map(|c| c.into_owned()).collect();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = String::from_utf8_lossy(&test::read_body(res).await).into_owned();
    Page {
        status,
        location,
        body,
        headers,
        cookies,
    }
}

/// The value of the first hidden input of this name.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + marker.len();
    body[start..].split('"').next().expect("value").to_string()
}

/// A signed-in analyst: the session cookie and the CSRF token of its forms.
struct Analyst {
    cookie: Cookie<'static>,
    csrf: String,
}

impl Analyst {
    fn get(&self, uri: &str) -> test::TestRequest {
        test::TestRequest::get()
            .uri(uri)
            .cookie(self.cookie.clone())
    }

    fn post(&self, uri: &str, form: &[(&str, &str)]) -> test::TestRequest {
        test::TestRequest::post()
            .uri(uri)
            .cookie(self.cookie.clone())
            .set_form(form)
    }
}

/// The sign-in form's round trip as a browser makes it: the form (its CSRF
/// token and double-submit cookie) for `next`, then the key posted with
/// both. `header`: one more header on both requests (a proxy's). Returns
/// the double-submit cookie as set, and the answer to the post.
async fn submit_sign_in<S>(
    app: &S,
    header: Option<(&str, &str)>,
    next: &str,
    key: &str,
) -> (Cookie<'static>, Page)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let with_header = |r: test::TestRequest| match header {
        Some(h) => r.insert_header(h),
        None => r,
    };
    let form = send(
        app,
        with_header(test::TestRequest::get().uri(&format!("/ui/sign-in?next={next}"))),
    )
    .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let token = hidden(&form.body, "csrf");
    let double = form
        .cookies
        .iter()
        .find(|c| c.name() == "screener_sign_in")
        .expect("sign-in cookie")
        .clone();
    let res = send(
        app,
        with_header(
            test::TestRequest::post()
                .uri("/ui/sign-in")
                .cookie(Cookie::new("screener_sign_in", double.value().to_string()))
                .set_form([("csrf", token.as_str()), ("next", next), ("key", key)]),
        ),
    )
    .await;
    (double, res)
}

async fn sign_in<S>(app: &S, key: &str) -> Analyst
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let (_, res) = submit_sign_in(app, None, "/ui/lists", key).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location, "/ui/lists");
    let cookie = res
        .cookies
        .iter()
        .find(|c| c.name() == "screener_session")
        .expect("session cookie")
        .clone();
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(
        cookie.same_site(),
        Some(actix_web::cookie::SameSite::Strict)
    );
    let page = send(
        app,
        test::TestRequest::get()
            .uri("/ui/lists")
            .cookie(cookie.clone()),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    Analyst { cookie, csrf }
}

fn assert_console_headers(p: &Page, what: &str) {
    let h = |n: &str| {
        p.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let csp = h("content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(h("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(h("referrer-policy"), "no-referrer", "{what}");
    assert!(
        h("server-timing").starts_with("app;dur="),
        "{what}: server-timing {}",
        h("server-timing")
    );
    assert!(
        h("content-type").starts_with("text/html"),
        "{what}: {}",
        h("content-type")
    );
}

async fn put_customer<S>(app: &S, id: &str, body: serde_json::Value) -> serde_json::Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let req = test::TestRequest::put()
        .uri(&format!("/v1/customers/{id}"))
        .insert_header(("authorization", format!("Bearer {ANA}")))
        .set_json(body);
    let res = send(app, req).await;
    assert!(res.status == 201 || res.status == 200, "{}", res.body);
    serde_json::from_str(&res.body).expect("json")
}

/// The first alert a write raised.
fn first_alert(outcome: &serde_json::Value) -> i64 {
    outcome["alerts"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no alert: {outcome}"))
}

#[actix_web::test]
async fn every_page_renders_for_a_signed_in_analyst() {
    let s = setup();
    let app = app!(&s);
    let bout = put_customer(
        &app,
        "c-bout",
        json!({"name": "Viktor Bout", "schema": "Person", "birthDate": "1967-01-13", "countries": ["ru"], "segment": "retail"}),
    )
    .await;
    let alert = first_alert(&bout);
    let rtl = "فيكتور بوت";
    put_customer(&app, "c-rtl", json!({"name": rtl})).await;
    let ana = sign_in(&app, ANA).await;

    // Screen: a listed name scores a hit with its parts highlighted.
    let p = send(
        &app,
        ana.get("/ui/screen?name=Viktor+Bout&birthDate=1967&schema=Person"),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_console_headers(&p, "screen");
    assert!(p.body.contains("BOUT"), "{}", p.body);
    assert!(p.body.contains("<mark>"), "aligned parts highlighted");
    assert!(p.body.contains("us_ofac_sdn"), "list versions named");
    assert!(p.body.contains("match"), "verdict");

    // The queue shows the alert, with the counts per status.
    let p = send(&app, ana.get("/ui/alerts")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_console_headers(&p, "alerts");
    assert!(
        p.body.contains(&format!("href=\"/ui/alerts/{alert}\"")),
        "{}",
        p.body
    );
    assert!(p.body.contains("Open <span class=\"count\">"), "{}", p.body);
    for q in [
        "/ui/alerts?status=all&sort=score",
        "/ui/alerts?status=open&segment=retail&risk=high&age=0&sort=oldest",
        "/ui/alerts?status=open,escalated&list=us_ofac_sdn",
    ] {
        let p = send(&app, ana.get(q)).await;
        assert_eq!(p.status, 200, "{q}: {}", p.body);
        assert!(p.body.contains(&format!("/ui/alerts/{alert}\"")), "{q}");
    }
    // Filters that exclude it.
    for q in [
        "/ui/alerts?segment=wholesale",
        "/ui/alerts?risk=low",
        "/ui/alerts?age=30",
        "/ui/alerts?status=false_positive",
    ] {
        let p = send(&app, ana.get(q)).await;
        assert_eq!(p.status, 200, "{q}: {}", p.body);
        assert!(!p.body.contains(&format!("/ui/alerts/{alert}\"")), "{q}");
    }
    let p = send(&app, ana.get("/ui/alerts?sort=sideways")).await;
    assert_eq!(p.status, 400);
    assert_console_headers(&p, "bad filter");

    // The alert: both sides, the explanation, the list version, the form.
    let p = send(&app, ana.get(&format!("/ui/alerts/{alert}"))).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_console_headers(&p, "alert");
    for needle in [
        "Customer and listed party",
        "Viktor Bout",
        "1967-01-13",
        "us_ofac_sdn@2021-07-07",
        "badge agree",
        "name=\"reason\"",
        "name=\"csrf\"",
    ] {
        assert!(p.body.contains(needle), "{needle}: {}", p.body);
    }

    // Times: UTC in the page and on hover (the script localises the text).
    let t = p.body.find("<time datetime=\"").expect("a <time> element");
    let tag = &p.body[t..t + p.body[t..].find('>').expect("tag end")];
    assert!(
        tag.contains("Z\" title=\"") && tag.ends_with(" UTC\""),
        "{tag}"
    );
    // The keys of the decision form are named on the page.
    assert!(p.body.contains("Ctrl+Enter records it"), "{}", p.body);

    // The customer, the lists, the audit trail and its verification.
    let p = send(&app, ana.get("/ui/customers/c-bout")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Risk rating"), "{}", p.body);
    assert!(p.body.contains(&format!("/ui/alerts/{alert}\"")));
    let p = send(&app, ana.get("/ui/customers")).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("/ui/customers/c-bout"));
    let p = send(&app, ana.get("/ui/customers/c-rtl")).await;
    assert!(
        p.body.contains(&format!("dir=\"auto\">{rtl}")),
        "{}",
        p.body
    );
    let p = send(&app, ana.get("/ui/lists")).await;
    assert_console_headers(&p, "lists");
    assert!(p.body.contains("us_ofac_sdn") && p.body.contains("un_sc_sanctions"));
    assert!(p.body.contains("2021-07-07"));
    let p = send(&app, ana.get("/ui/audit?q=c-bout")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("customer:c-bout"), "{}", p.body);
    let p = send(&app, ana.get("/ui/audit/verify")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("The chain holds"), "{}", p.body);

    // An unknown page or alert is an HTML page, not JSON.
    for uri in ["/ui/alerts/999999", "/ui/nowhere", "/ui/customers/nobody"] {
        let p = send(&app, ana.get(uri)).await;
        assert_eq!(p.status, 404, "{uri}");
        assert_console_headers(&p, uri);
        assert!(p.body.contains("href=\"/ui/alerts\""), "{uri}: a way back");
    }
    // Assets are embedded.
    let css = send(&app, test::TestRequest::get().uri("/ui/assets/console.css")).await;
    assert_eq!(css.status, 200);
    assert!(css.body.contains("overflow-wrap"));
}

#[actix_web::test]
async fn a_customer_named_like_a_script_is_shown_as_text() {
    let s = setup();
    let app = app!(&s);
    let name = "<script>alert(1)</script>";
    put_customer(
        &app,
        "c-xss",
        json!({"name": name, "aliases": ["\"><img src=x onerror=alert(2)>"]}),
    )
    .await;
    let ana = sign_in(&app, ANA).await;
    for uri in [
        "/ui/customers/c-xss",
        "/ui/customers",
        "/ui/screen?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let p = send(&app, ana.get(uri)).await;
        assert_eq!(p.status, 200, "{uri}: {}", p.body);
        assert!(!p.body.contains("<script>alert"), "{uri}: {}", p.body);
        assert!(!p.body.contains("<img src=x"), "{uri}");
        assert!(
            p.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{uri}: {}",
            p.body
        );
    }
}

#[actix_web::test]
async fn no_session_expired_session_and_bad_csrf_get_clear_pages() {
    let s = setup();
    let app = app!(&s);
    let alert = first_alert(
        &put_customer(
            &app,
            "c-bout",
            json!({"name": "Viktor Bout", "birthDate": "1967"}),
        )
        .await,
    );
    // No session: to the sign-in page, coming back afterwards.
    let p = send(&app, test::TestRequest::get().uri("/ui/alerts?status=open")).await;
    assert_eq!(p.status, 303);
    assert_eq!(
        p.location,
        "/ui/sign-in?next=%2Fui%2Falerts%3Fstatus%3Dopen"
    );
    // An unknown or expired session: a 403 page with a way back.
    let p = send(
        &app,
        test::TestRequest::get()
            .uri("/ui/alerts")
            .cookie(Cookie::new("screener_session", "f".repeat(64))),
    )
    .await;
    assert_eq!(p.status, 403);
    assert_console_headers(&p, "expired");
    assert!(p.body.contains("session has expired"), "{}", p.body);
    assert!(p.body.contains("href=\"/ui/sign-in?next="), "{}", p.body);

    // A wrong key does not sign in.
    let form = send(&app, test::TestRequest::get().uri("/ui/sign-in")).await;
    let token = hidden(&form.body, "csrf");
    let double = form.cookies[0].clone();
    let p = send(
        &app,
        test::TestRequest::post()
            .uri("/ui/sign-in")
            .cookie(double.clone())
            .set_form([("csrf", token.as_str()), ("key", "not-a-key")]),
    )
    .await;
    assert_eq!(p.status, 401);
    assert!(p.body.contains("not valid"));
    assert!(!p.cookies.iter().any(|c| c.name() == "screener_session"));
    // The sign-in form without its token.
    let p = send(
        &app,
        test::TestRequest::post()
            .uri("/ui/sign-in")
            .set_form([("csrf", token.as_str()), ("key", ANA)]),
    )
    .await;
    assert_eq!(p.status, 403);

    // A decision without (or with another session's) CSRF token changes nothing.
    let ana = sign_in(&app, ANA).await;
    let bob = sign_in(&app, BOB).await;
    let uri = format!("/ui/alerts/{alert}/decision");
    for csrf in ["", bob.csrf.as_str()] {
        let p = send(
            &app,
            ana.post(
                &uri,
                &[
                    ("csrf", csrf),
                    ("decision", "false_positive"),
                    ("reason", "not him"),
                ],
            ),
        )
        .await;
        assert_eq!(p.status, 403, "{}", p.body);
        assert_console_headers(&p, "csrf");
        assert!(p.body.contains("security token"), "{}", p.body);
        assert!(p.body.contains(&format!("href=\"/ui/alerts/{alert}\"")));
    }
    let a = s
        .monitor
        .store()
        .alert(alert)
        .expect("read")
        .expect("alert");
    assert_eq!(a.status, AlertStatus::Open);

    // Signing out ends the session.
    let p = send(
        &app,
        ana.post("/ui/sign-out", &[("csrf", ana.csrf.as_str())]),
    )
    .await;
    assert_eq!(p.status, 303);
    let p = send(&app, ana.get("/ui/alerts")).await;
    assert_eq!(p.status, 403);
}

#[actix_web::test]
async fn a_decision_records_the_analyst_and_a_second_one_says_who_decided_first() {
    let s = setup();
    let app = app!(&s);
    let alert = first_alert(
        &put_customer(
            &app,
            "c-bout",
            json!({"name": "Viktor Bout", "birthDate": "1967"}),
        )
        .await,
    );
    let ana = sign_in(&app, ANA).await;
    let bob = sign_in(&app, BOB).await;
    let page = send(&app, bob.get(&format!("/ui/alerts/{alert}"))).await;
    let revision = hidden(&page.body, "revision");
    let uri = format!("/ui/alerts/{alert}/decision");

    // No reason: refused on the page, the text typed kept.
    let p = send(
        &app,
        ana.post(
            &uri,
            &[
                ("csrf", &ana.csrf),
                ("decision", "false_positive"),
                ("reason", "  "),
                ("revision", &revision),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("reason is required"), "{}", p.body);

    let p = send(
        &app,
        ana.post(
            &uri,
            &[
                ("csrf", &ana.csrf),
                ("decision", "false_positive"),
                ("reason", "born 1980, passport seen"),
                ("revision", &revision),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = send(&app, ana.get(&p.location)).await;
    assert!(p.body.contains("Decision recorded"), "{}", p.body);
    let history = s.monitor.store().alert_history(alert).expect("history");
    let last = history.last().expect("entry");
    assert_eq!(last.actor, "ana");
    assert_eq!(last.action, "false_positive");

    // Bob submits the form he loaded before: refused, naming ana.
    let p = send(
        &app,
        bob.post(
            &uri,
            &[
                ("csrf", &bob.csrf),
                ("decision", "true_match"),
                ("reason", "same person"),
                ("revision", &revision),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert_console_headers(&p, "conflict");
    assert!(
        p.body.contains("Decided first by <strong>ana</strong>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("born 1980, passport seen"));
    // Ana's double submit: the same.
    let p = send(
        &app,
        ana.post(
            &uri,
            &[
                ("csrf", &ana.csrf),
                ("decision", "false_positive"),
                ("reason", "born 1980, passport seen"),
                ("revision", &revision),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("Decided first by <strong>ana</strong>"));
    let a = s
        .monitor
        .store()
        .alert(alert)
        .expect("read")
        .expect("alert");
    assert_eq!(a.status, AlertStatus::FalsePositive);
    // The decision is in the audit trail under ana's name.
    let p = send(&app, ana.get(&format!("/ui/audit?q=alert:{alert}"))).await;
    assert!(p.body.contains("<td>ana</td>"), "{}", p.body);
}

#[actix_web::test]
async fn the_api_stays_json_and_the_document_has_no_console_route() {
    let s = setup();
    let app = app!(&s);
    let p = send(&app, test::TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(p.status, 200);
    assert!(!p.body.contains("\"/ui"), "console routes are not API");
    let p = send(&app, test::TestRequest::get().uri("/v1/nowhere")).await;
    assert_eq!(p.status, 404);
    assert!(
        p.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("application/json")
    );
}

#[actix_web::test]
async fn customers_imported_from_the_form_are_screened_under_the_analysts_name() {
    let s = setup();
    let app = app!(&s);
    let ana = sign_in(&app, ANA).await;
    let p = send(&app, ana.get("/ui/customers/import")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let lines = "{\"id\": \"c-1\", \"name\": \"Viktor Bout\", \"birthDate\": \"1967\"}\n{\"id\": \"c-2\", \"name\": \"Maria Jose Fernandez Lopez\"}\n{\"id\": \"c-3\"}\n";
    let p = send(
        &app,
        ana.post(
            "/ui/customers/import",
            &[("csrf", &ana.csrf), ("customers", lines)],
        ),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("3 customers: 2 created"), "{}", p.body);
    assert!(p.body.contains("1 errors; 1 alerts opened"), "{}", p.body);
    assert!(p.body.contains("BOUT"), "the alert is linked: {}", p.body);
    let stored = s
        .monitor
        .store()
        .customer("c-1")
        .expect("read")
        .expect("c-1");
    assert_eq!(stored.revision, 1);
    let p = send(&app, ana.get("/ui/audit?q=customer:c-1")).await;
    assert!(p.body.contains("<td>ana</td>"), "{}", p.body);
    // Without the token nothing is imported.
    let p = send(
        &app,
        ana.post(
            "/ui/customers/import",
            &[("customers", "{\"id\": \"c-9\", \"name\": \"X Y\"}")],
        ),
    )
    .await;
    assert_eq!(p.status, 403);
    assert!(s.monitor.store().customer("c-9").expect("read").is_none());
}

#[actix_web::test]
async fn four_eyes_a_true_match_waits_for_a_second_analyst() {
    let s = setup_with(MonitorConfig {
        four_eyes: true,
        ..MonitorConfig::default()
    });
    let app = app!(&s);
    let alert = first_alert(
        &put_customer(
            &app,
            "c-bout",
            json!({"name": "Viktor Bout", "birthDate": "1967-01-13"}),
        )
        .await,
    );
    let ana = sign_in(&app, ANA).await;
    let bob = sign_in(&app, BOB).await;
    let uri = format!("/ui/alerts/{alert}/decision");
    let decide = |who: &Analyst| {
        who.post(
            &uri,
            &[
                ("csrf", who.csrf.as_str()),
                ("decision", "true_match"),
                ("reason", "passport matches"),
            ],
        )
    };
    let p = send(&app, decide(&ana)).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = send(&app, bob.get(&format!("/ui/alerts/{alert}"))).await;
    assert!(
        p.body
            .contains("True match proposed by <strong>ana</strong>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("True match (confirm)"));
    // The same analyst cannot confirm.
    let p = send(&app, decide(&ana)).await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(
        p.body
            .contains("four-eyes needs a second, different analyst"),
        "{}",
        p.body
    );
    assert_eq!(
        s.monitor
            .store()
            .alert(alert)
            .expect("read")
            .expect("alert")
            .status,
        AlertStatus::Open
    );
    let p = send(&app, decide(&bob)).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let a = s
        .monitor
        .store()
        .alert(alert)
        .expect("read")
        .expect("alert");
    assert_eq!(a.status, AlertStatus::TrueMatch);
    let p = send(&app, ana.get(&format!("/ui/alerts/{alert}"))).await;
    assert!(
        p.body
            .contains("This alert is closed (True match) by <strong>bob</strong>"),
        "{}",
        p.body
    );
}

/// The Lists page links each list to its changes: the stored versions (the
/// older flagged) and, between the two real OFAC SDN file sets of 2021-07-07
/// and 2024-05-03 (the manifest's composite set), the entities added
/// (27207, PYON Kwang Chol, is in the 2024 file only; more than 200 were
/// added, so the page says how many more), changed with the properties that changed (16669,
/// ROTENBERG Arkady: his name gained "Romanovich" and a second programme)
/// and removed; an unknown version is a clear 400 page.
#[actix_web::test]
async fn lists_page_shows_the_changes_between_two_versions() {
    let manifest = common::manifest();
    let parse = |file: &str| {
        let set = common::set_with_file(&manifest, file);
        common::parse_set(&manifest, set).entities
    };
    let source = Arc::new(MemorySource::new());
    source.add_list(
        "us_ofac_sdn",
        "2021-07-07",
        true,
        parse("ofac_sdn_csv/2021-07-07/sdn.csv"),
    );
    let service = Arc::new(Service::new(
        Arc::clone(&source) as Arc<dyn screener::service::IndexSource>,
        RefreshSettings::default(),
    ));
    service.load_initial().await;
    source.publish(
        "us_ofac_sdn",
        "2024-05-03",
        parse("ofac_sdn_csv/composite-2024-05-03+2025-12-24/sdn.csv"),
    );
    service
        .refresh(screener::service::RefreshRequest {
            lists: None,
            rebuild: false,
        })
        .await;
    let cfg = ServerConfig {
        api_keys: vec![ApiKey::new("ana", ANA)],
        workers: Some(1),
        ..ServerConfig::default()
    };
    let state = AppState::new(service, cfg);
    let app = test::init_service(App::new().configure(app_config(state))).await;
    let ana = sign_in(&app, ANA).await;
    let lists = send(&app, ana.get("/ui/lists")).await;
    assert!(
        lists
            .body
            .contains("href=\"/ui/lists/us_ofac_sdn/changes\""),
        "{}",
        lists.body
    );
    let p = send(&app, ana.get("/ui/lists/us_ofac_sdn/changes")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_console_headers(&p, "changes");
    assert!(
        p.body
            .contains("Changes from <code>2021-07-07</code> to <code>2024-05-03</code>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("older"), "the 2021 version is flagged");
    let section = |title: &str| {
        let start = p.body.find(title).unwrap_or_else(|| panic!("{title}"));
        let rest = &p.body[start..];
        rest[..rest.find("</ul>").unwrap_or(rest.len())].to_string()
    };
    let added = section("<h3>Added (");
    assert!(added.contains("us_ofac_sdn:27207"), "{added}");
    assert!(
        p.body.contains("… and "),
        "the page says how many more were added"
    );
    let changed = section("<h3>Changed (");
    let rotenberg = changed
        .split("<li")
        .find(|li| li.contains("us_ofac_sdn:16669"))
        .unwrap_or_else(|| panic!("16669 not among the changed: {changed}"));
    assert!(
        rotenberg.contains("name") && rotenberg.contains("sanctions"),
        "{rotenberg}"
    );
    let removed = section("<h3>Removed (");
    assert!(!removed.contains("us_ofac_sdn:16669"), "{removed}");
    let bad = send(
        &app,
        ana.get("/ui/lists/us_ofac_sdn/changes?from=1999-01-01"),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("1999-01-01"), "{}", bad.body);
}

/// The customer is erased while an analyst has the alert open: their
/// decision is refused with a page saying the alert was closed meanwhile,
/// by whom and how, and the alert stays closed.
#[actix_web::test]
async fn a_decision_on_an_alert_closed_meanwhile_says_so() {
    let s = setup();
    let app = app!(&s);
    let alert = first_alert(
        &put_customer(
            &app,
            "c-bout",
            json!({"name": "Viktor Bout", "birthDate": "1967"}),
        )
        .await,
    );
    let bob = sign_in(&app, BOB).await;
    let page = send(&app, bob.get(&format!("/ui/alerts/{alert}"))).await;
    let revision = hidden(&page.body, "revision");
    let deleted = send(
        &app,
        test::TestRequest::delete()
            .uri("/v1/customers/c-bout")
            .insert_header(("authorization", format!("Bearer {ANA}"))),
    )
    .await;
    assert!(deleted.status < 300, "{}", deleted.body);
    let p = send(
        &app,
        bob.post(
            &format!("/ui/alerts/{alert}/decision"),
            &[
                ("csrf", &bob.csrf),
                ("decision", "false_positive"),
                ("reason", "different person"),
                ("revision", &revision),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert_console_headers(&p, "closed meanwhile");
    assert!(
        p.body
            .contains("This alert was closed meanwhile (Customer deleted)."),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("Closed by <strong>ana</strong>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("href=\"/ui/alerts\""), "a way back");
    let a = s
        .monitor
        .store()
        .alert(alert)
        .expect("read")
        .expect("alert");
    assert_eq!(a.status, AlertStatus::CustomerDeleted);
    assert!(
        !s.monitor
            .store()
            .alert_history(alert)
            .expect("history")
            .iter()
            .any(|h| h.actor == "bob"),
        "bob's decision was not recorded"
    );
}

/// With no API key and no admin token the console would be open to anyone
/// and could not say who decided: every page, sign-in included, is a 503
/// saying how to configure keys. An admin token alone signs in (as admin).
#[actix_web::test]
async fn without_keys_the_console_is_closed_and_says_how_to_open_it() {
    let open = AppState::new(
        service(),
        ServerConfig {
            workers: Some(1),
            ..ServerConfig::default()
        },
    );
    let app = test::init_service(App::new().configure(app_config(open))).await;
    for uri in ["/ui/alerts", "/ui/sign-in", "/ui/screen?name=Viktor+Bout"] {
        let p = send(&app, test::TestRequest::get().uri(uri)).await;
        assert_eq!(p.status, 503, "{uri}: {}", p.body);
        assert_console_headers(&p, uri);
        assert!(p.body.contains("SCREENER_API_KEYS"), "{uri}: {}", p.body);
        assert!(!p.body.contains("name=\"key\""), "{uri}: no sign-in form");
    }
    // A sign-in attempt with any key starts no session.
    let p = send(
        &app,
        test::TestRequest::post()
            .uri("/ui/sign-in")
            .cookie(Cookie::new("screener_sign_in", "t"))
            .set_form([("csrf", "t"), ("key", "anything-at-all-123")]),
    )
    .await;
    assert_eq!(p.status, 503, "{}", p.body);
    assert!(!p.cookies.iter().any(|c| c.name() == "screener_session"));
    // The API itself stays as configured (open): only the console closes.
    let p = send(&app, test::TestRequest::get().uri("/v1/lists")).await;
    assert_eq!(p.status, 200, "{}", p.body);

    let admin_only = AppState::new(
        service(),
        ServerConfig {
            admin_token: Some(Secret::new("console-admin-token-0123456789")),
            workers: Some(1),
            ..ServerConfig::default()
        },
    );
    let app = test::init_service(App::new().configure(app_config(admin_only))).await;
    let admin = sign_in(&app, "console-admin-token-0123456789").await;
    let p = send(&app, admin.get("/ui/screen")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("Signed in as <strong>admin</strong>"),
        "{}",
        p.body
    );
}

/// The console's indexes (SQLite migration 2): a database made by the
/// first schema is upgraded in place, keeps its alerts, and the queue's
/// queries (status, score, list, age, and the counts per status) are
/// answered from the new partial indexes, never by reading every alert row.
#[actix_web::test]
async fn the_queue_is_served_by_the_console_indexes_after_an_upgrade() {
    use screener::monitor::sqlite::MIGRATIONS;
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("monitor.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(MIGRATIONS[0]).expect("schema 1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.execute(
            "INSERT INTO alerts (customer_id, entity_id, list, entity_caption, status, score, matching, raised_by, last_seen_in, entity_fp, customer_fp, is_current, revision, created_at, updated_at)
             VALUES ('c-1', 'us_ofac_sdn:1', 'us_ofac_sdn', 'X', 'open', 0.9, 1, 'us_ofac_sdn@1', 'us_ofac_sdn@1', '', '', 1, 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            [],
        )
        .expect("an alert of schema 1");
    }
    let store = SqliteStore::open(&path, SqliteOptions::default()).expect("upgrade");
    let open = screener::monitor::store::MonitorStore::list_alerts(
        &store,
        &screener::monitor::store::AlertFilter {
            statuses: vec![AlertStatus::Open],
            limit: 10,
            ..Default::default()
        },
    )
    .expect("queue");
    assert_eq!(open.items.len(), 1, "the alert survived the upgrade");
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("open");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, MIGRATIONS.len() as i64);
    let plan = |sql: &str| query_plan(&conn, sql);
    let cur = "FROM alerts WHERE is_current = 1";
    for (sql, index) in [
        (
            format!("SELECT status, count(*) {cur} GROUP BY status"),
            "COVERING INDEX alerts_queue_status",
        ),
        (
            format!(
                "SELECT status, count(*) {cur} AND created_at < '2026-06-01' AND segment = 'retail' GROUP BY status"
            ),
            "COVERING INDEX alerts_queue_segment",
        ),
        (
            format!("SELECT status, count(*) {cur} AND list = 'x' GROUP BY status"),
            "COVERING INDEX alerts_queue_list",
        ),
        (
            format!("SELECT id {cur} AND status IN ('open') ORDER BY id DESC LIMIT 51"),
            "alerts_queue_status",
        ),
        (
            format!(
                "SELECT id {cur} AND status IN ('open') AND created_at < '2026-06-01' ORDER BY id DESC LIMIT 51"
            ),
            "alerts_queue_status",
        ),
        (
            format!("SELECT id {cur} AND status IN ('open') ORDER BY score DESC, id DESC LIMIT 51"),
            "alerts_queue_status_score",
        ),
        (
            format!("SELECT id {cur} ORDER BY score DESC, id DESC LIMIT 51"),
            "alerts_queue_score",
        ),
    ] {
        let p = plan(&sql);
        assert!(p.contains(index), "{sql}: {p}");
        assert!(!p.contains("TEMP B-TREE FOR ORDER BY"), "{sql} sorts: {p}");
    }
}

/// SQLite migration 3: a database of the schema before it (alerts without
/// their customer's segment and rating) is upgraded in place; each alert
/// gets its customer's segment and risk level (none when the customer was
/// erased), and the queue's segment and risk filters — a page of one
/// status, of several, of all, by id or by score, with a cursor or an age,
/// and the counts per status — are answered from the new indexes without
/// reading the customers table or sorting.
#[actix_web::test]
async fn an_old_database_gets_its_alerts_segment_and_risk_on_upgrade() {
    use screener::monitor::sqlite::MIGRATIONS;
    use screener::monitor::store::{AlertFilter, AlertOrder, MonitorStore};
    let mine = MIGRATIONS
        .iter()
        .position(|m| m.contains("ALTER TABLE alerts ADD COLUMN segment"))
        .expect("the migration that copies segment and risk onto alerts");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("monitor.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for m in &MIGRATIONS[..mine] {
            conn.execute_batch(m).expect("an older schema");
        }
        conn.pragma_update(None, "user_version", mine as i64)
            .expect("version");
        for (id, segment, risk) in [("c-1", "retail", "high"), ("c-2", "corporate", "low")] {
            conn.execute(
                "INSERT INTO customers (id, record, digest, match_fp, name, segment, revision, created_at, updated_at, risk_level, risk)
                 VALUES (?1, '{}', ?1, ?1, ?1, ?2, 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', ?3, '{}')",
                [id, segment, risk],
            )
            .expect("a customer");
        }
        for customer in ["c-1", "c-2", "c-erased"] {
            conn.execute(
                "INSERT INTO alerts (customer_id, entity_id, list, entity_caption, status, score, matching, raised_by, last_seen_in, entity_fp, customer_fp, is_current, revision, created_at, updated_at)
                 VALUES (?1, 'us_ofac_sdn:1', 'us_ofac_sdn', 'X', 'open', 0.9, 1, 'us_ofac_sdn@1', 'us_ofac_sdn@1', '', '', 1, 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
                [customer],
            )
            .expect("an alert of the older schema");
        }
    }
    let store = SqliteStore::open(&path, SqliteOptions::default()).expect("upgrade");
    let customers_of = |segment: Option<&str>, risk: Option<&str>| -> Vec<String> {
        let f = AlertFilter {
            statuses: vec![AlertStatus::Open],
            segment: segment.map(str::to_string),
            risk: risk.map(str::to_string),
            limit: 10,
            ..AlertFilter::default()
        };
        let counted: u64 = store.alert_counts(&f).expect("counts").values().sum();
        let page: Vec<String> = store
            .list_alerts(&f)
            .expect("page")
            .items
            .into_iter()
            .map(|a| a.customer_id)
            .collect();
        assert_eq!(counted, page.len() as u64, "{segment:?} {risk:?}");
        page
    };
    assert_eq!(customers_of(None, None).len(), 3, "every alert survived");
    assert_eq!(customers_of(Some("retail"), None), ["c-1"]);
    assert_eq!(customers_of(None, Some("low")), ["c-2"]);
    assert_eq!(
        customers_of(Some("retail"), Some("low")),
        Vec::<String>::new()
    );
    let by_score = store
        .list_alerts(&AlertFilter {
            risk: Some("high".into()),
            order: AlertOrder::Score,
            limit: 10,
            ..AlertFilter::default()
        })
        .expect("by score");
    assert_eq!(by_score.items.len(), 1);
    drop(store);

    let conn = rusqlite::Connection::open(&path).expect("open");
    let copied: Vec<(String, Option<String>, Option<String>)> = conn
        .prepare("SELECT customer_id, segment, risk_level FROM alerts ORDER BY customer_id")
        .expect("select")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        copied,
        vec![
            ("c-1".into(), some("retail"), some("high")),
            ("c-2".into(), some("corporate"), some("low")),
            ("c-erased".into(), None, None),
        ]
    );
    let plan = |sql: &str| query_plan(&conn, sql);
    let cur = "FROM alerts WHERE is_current = 1";
    for (col, index) in [
        ("segment", "alerts_queue_segment"),
        ("risk_level", "alerts_queue_risk"),
    ] {
        let by = format!("{cur} AND {col} = 'x'");
        for (sql, used) in [
            (
                format!("SELECT status, count(*) {by} GROUP BY status"),
                format!("COVERING INDEX {index}"),
            ),
            (
                format!(
                    "SELECT status, count(*) {by} AND created_at < '2026-06-01' GROUP BY status"
                ),
                format!("COVERING INDEX {index} "),
            ),
            (
                format!("SELECT id {by} AND status IN ('open') ORDER BY id DESC LIMIT 51"),
                format!("{index} "),
            ),
            (
                format!(
                    "SELECT id {by} AND status IN ('open') AND id < 500 ORDER BY id DESC LIMIT 51"
                ),
                format!("{index} "),
            ),
            (
                format!(
                    "SELECT id {by} AND status IN ('open') AND created_at < '2026-06-01' ORDER BY id ASC LIMIT 51"
                ),
                format!("{index} "),
            ),
            (
                format!(
                    "SELECT id {by} AND status IN ('open') ORDER BY score DESC, id DESC LIMIT 51"
                ),
                format!("{index}_score"),
            ),
            (
                format!(
                    "SELECT id {by} AND status IN ('open') AND (score, id) < (0.9, 500) ORDER BY score DESC, id DESC LIMIT 51"
                ),
                format!("{index}_score"),
            ),
            (
                format!("SELECT id {by} ORDER BY id DESC LIMIT 51"),
                format!("{index}_id"),
            ),
            (
                format!(
                    "SELECT id {by} AND status IN ('open', 'escalated') ORDER BY id DESC LIMIT 51"
                ),
                format!("{index}_id"),
            ),
        ] {
            let p = plan(&sql);
            assert!(p.contains(&used), "{sql}: {p}");
            assert!(!p.contains("customers"), "{sql} reads customers: {p}");
            assert!(!p.contains("TEMP B-TREE"), "{sql} sorts: {p}");
        }
        // The page's rows, by id, once its ids are found.
        let page = plan(&format!(
            "SELECT * FROM alerts WHERE id IN (SELECT id {by} AND status IN ('open') ORDER BY score DESC, id DESC LIMIT 51) ORDER BY score DESC, id DESC"
        ));
        assert!(
            page.contains(&format!("COVERING INDEX {index}_score")),
            "{page}"
        );
        assert!(page.contains("INTEGER PRIMARY KEY"), "{page}");
    }
}

/// The sign-in form's cookie and the session cookie: HttpOnly and
/// SameSite=Strict always, Secure when the request came over TLS — as the
/// app reads the connection: its own scheme, or the scheme a TLS-ending
/// proxy in front of it reports (`X-Forwarded-Proto`, `Forwarded`). Over
/// plain HTTP a Secure cookie would never come back, so it is not set.
#[actix_web::test]
async fn the_session_cookie_is_httponly_strict_and_secure_over_tls() {
    let s = setup();
    let app = app!(&s);
    for (proxy, tls) in [
        (None, false),
        (Some(("x-forwarded-proto", "https")), true),
        (Some(("forwarded", "for=10.0.0.1;proto=https")), true),
        (Some(("x-forwarded-proto", "http")), false),
    ] {
        let (double, res) = submit_sign_in(&app, proxy, "/ui/alerts", ANA).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let session = res
            .cookies
            .iter()
            .find(|c| c.name() == "screener_session")
            .expect("session cookie")
            .clone();
        for c in [&double, &session] {
            let what = format!("{} behind {proxy:?}", c.name());
            assert_eq!(c.http_only(), Some(true), "{what}");
            assert_eq!(
                c.same_site(),
                Some(actix_web::cookie::SameSite::Strict),
                "{what}"
            );
            assert_eq!(c.secure().unwrap_or(false), tls, "{what}: {c}");
            assert_eq!(c.path(), Some("/ui"), "{what}");
        }
        let raw: Vec<String> = res
            .headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        let sent = raw
            .iter()
            .find(|v| v.starts_with("screener_session="))
            .expect("Set-Cookie of the session");
        assert!(
            sent.contains("HttpOnly") && sent.contains("SameSite=Strict"),
            "{sent}"
        );
        assert_eq!(sent.contains("; Secure"), tls, "{sent}");
    }
}

/// SQLite's plan for `sql`, its steps joined by " | ".
fn query_plan(conn: &rusqlite::Connection, sql: &str) -> String {
    let mut st = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect(sql);
    let rows: Vec<String> = st
        .query_map([], |r| r.get::<_, String>(3))
        .expect("plan")
        .map(|r| r.expect("row"))
        .collect();
    rows.join(" | ")
}
