//! Who may call what: every route of the table against every kind of
//! credential, and the protected routes under every way of writing their
//! path (percent-encoding, double slashes, dot segments, trailing slashes,
//! case), sent byte for byte over a real socket so no client library
//! normalises the path first.

use actix_web::http::{Method, StatusCode};
use actix_web::{App, test, web};
use screener::api::config::{ApiKey, Secret, ServerConfig};
use screener::api::{Access, AppState, app_config, endpoints};
use screener::model::{Entity, Schema, prop};
use screener::service::{MemorySource, RefreshSettings, Service};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

const ADMIN: &str = "admin-token-0123456789";
const KEY: &str = "api-key-0123456789abcdef";
const WRONG: &str = "not-a-key-0123456789abcdef";

fn source() -> Arc<MemorySource> {
    let src = Arc::new(MemorySource::new());
    let mut e = Entity::new("us_ofac_sdn", "8279", Schema::Person);
    e.add(prop::NAME, "Viktor Anatolyevich BOUT");
    e.add(prop::BIRTH_DATE, "1967-01-13");
    src.add_list("us_ofac_sdn", "v1", true, vec![e]);
    src
}

async fn state(keys: bool, admin: bool) -> (web::Data<AppState>, Arc<Service>) {
    let cfg = ServerConfig {
        api_keys: if keys {
            vec![ApiKey::new("crm", KEY)]
        } else {
            Vec::new()
        },
        admin_token: admin.then(|| Secret::new(ADMIN)),
        workers: Some(1),
        ..ServerConfig::default()
    };
    let service = Arc::new(Service::new(source(), RefreshSettings::default()));
    service.load_initial().await;
    (AppState::new(Arc::clone(&service), cfg), service)
}

/// A concrete path for a route pattern.
fn concrete(pattern: &str) -> String {
    pattern
        .replace("{id:.*}", "us_ofac_sdn:8279")
        .replace("{id}", "us_ofac_sdn")
        .replace("{dataset}", "default")
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Credential {
    None,
    ApiKey,
    Admin,
    Wrong,
}

impl Credential {
    fn header(self) -> Option<String> {
        match self {
            Credential::None => None,
            Credential::ApiKey => Some(format!("Bearer {KEY}")),
            Credential::Admin => Some(format!("Bearer {ADMIN}")),
            Credential::Wrong => Some(format!("Bearer {WRONG}")),
        }
    }
}

/// What a route of this access level must answer to this credential:
/// `None` means "let through" (any status but 401 and 403).
fn expected(access: Access, cred: Credential, keys: bool, admin: bool) -> Option<u16> {
    match access {
        Access::Public => None,
        Access::Api => match cred {
            Credential::ApiKey => None,
            Credential::Admin if admin => None,
            _ if keys => Some(401),
            _ => None,
        },
        Access::Admin => match cred {
            _ if !admin => Some(403),
            Credential::Admin => None,
            Credential::None => Some(401),
            Credential::ApiKey | Credential::Wrong => Some(403),
        },
    }
}

#[actix_web::test]
async fn every_route_against_every_credential() {
    let mut checked = 0;
    for (keys, admin) in [(true, true), (false, true), (true, false)] {
        let (state, _) = state(keys, admin).await;
        let app = test::init_service(App::new().configure(app_config(state.clone()))).await;
        for endpoint in endpoints() {
            for method in endpoint.methods() {
                for cred in [
                    Credential::None,
                    Credential::ApiKey,
                    Credential::Admin,
                    Credential::Wrong,
                ] {
                    let path = concrete(endpoint.path);
                    let mut req = test::TestRequest::default()
                        .method(method.clone())
                        .uri(&path);
                    if method != Method::GET {
                        req = req
                            .insert_header(("content-type", "application/json"))
                            .set_payload("{}");
                    }
                    if let Some(h) = cred.header() {
                        req = req.insert_header(("authorization", h));
                    }
                    let res = test::call_service(&app, req.to_request()).await;
                    let status = res.status().as_u16();
                    let body = test::read_body(res).await;
                    let what = format!(
                        "{method} {path} with {cred:?} (keys {keys}, admin {admin}): {status} {}",
                        String::from_utf8_lossy(&body)
                    );
                    match expected(endpoint.access, cred, keys, admin) {
                        Some(want) => assert_eq!(status, want, "{what}"),
                        None => assert!(status != 401 && status != 403, "{what}"),
                    }
                    checked += 1;
                }
            }
        }
    }
    // The table is not empty and has routes of every level.
    assert!(checked >= 3 * 4 * 18, "{checked}");
    let levels: Vec<Access> = endpoints().iter().map(|e| e.access).collect();
    for a in [Access::Public, Access::Api, Access::Admin] {
        assert!(levels.contains(&a), "{a:?}");
    }
}

#[actix_web::test]
async fn a_route_answers_other_methods_with_405_and_allow() {
    let (state, _) = state(false, true).await;
    let app = test::init_service(App::new().configure(app_config(state.clone()))).await;
    for (method, path, allow) in [
        (Method::GET, "/v1/screen", "POST"),
        (Method::DELETE, "/v1/lists", "GET"),
        (Method::PUT, "/healthz", "GET"),
        (Method::GET, "/match/default", "POST"),
    ] {
        let res = test::call_service(
            &app,
            test::TestRequest::default()
                .method(method.clone())
                .uri(path)
                .to_request(),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(
            res.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["error"], "method_not_allowed", "{body}");
    }
}

/// Sends raw request bytes and returns the status code and the whole answer.
fn raw_request(addr: &str, request: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    s.write_all(request.as_bytes()).expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Ways of writing one path that a router or a proxy may read as the same
/// route.
fn spellings(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        // Each letter of each segment percent-encoded, one at a time.
        for (j, c) in seg.char_indices() {
            if c.is_ascii_alphanumeric() {
                let mut s = segments.clone();
                let enc = format!("{}%{:02X}{}", &seg[..j], c as u32, &seg[j + 1..]);
                s[i] = &enc;
                out.push(format!("/{}", s.join("/")));
                let enc_lower = format!("{}%{:02x}{}", &seg[..j], c as u32, &seg[j + 1..]);
                let mut s = segments.clone();
                s[i] = &enc_lower;
                out.push(format!("/{}", s.join("/")));
            }
        }
        // Double slash, dot segments and a detour before this segment.
        let (before, after) = segments.split_at(i);
        let b = before.join("/");
        let a = after.join("/");
        let pre = if b.is_empty() {
            String::new()
        } else {
            format!("/{b}")
        };
        out.push(format!("{pre}//{a}"));
        out.push(format!("{pre}/./{a}"));
        out.push(format!("{pre}/x/../{a}"));
        out.push(format!("{pre}/%2e/{a}"));
        out.push(format!("{pre}/x/%2e%2e/{a}"));
        out.push(format!("{pre}/{}", a.to_uppercase()));
    }
    out.push(format!("{path}/"));
    out.push(format!("{path}//"));
    out.push(format!("{path}/."));
    out.push(format!("{path}%2F"));
    out.push(format!("{path};x=1"));
    out.push(path.to_uppercase());
    out.push(format!(
        "/{}",
        path.trim_start_matches('/').replace('/', "%2F")
    ));
    out
}

#[actix_web::test]
async fn protected_routes_hold_under_every_spelling_of_their_path() {
    let (state, service) = state(true, true).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let server = screener::api::start_server(state, listener).expect("server");
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let builds_before = service.counters().builds;
    let mut tried = 0;
    for endpoint in endpoints() {
        if endpoint.access == Access::Public {
            continue;
        }
        let path = concrete(endpoint.path);
        for method in endpoint.methods() {
            for spelling in spellings(&path) {
                for cred in [Credential::None, Credential::ApiKey, Credential::Wrong] {
                    if cred == Credential::ApiKey && endpoint.access == Access::Api {
                        continue;
                    }
                    let auth = cred
                        .header()
                        .map(|h| format!("Authorization: {h}\r\n"))
                        .unwrap_or_default();
                    let body = if method == Method::GET { "" } else { "{}" };
                    let request = format!(
                        "{method} {spelling} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let addr = addr.clone();
                    let (status, text) =
                        actix_web::rt::task::spawn_blocking(move || raw_request(&addr, &request))
                            .await
                            .expect("request");
                    assert!(
                        status == 400 || status == 401 || status == 403 || status == 404,
                        "{method} {spelling} with {cred:?} got through: {text}"
                    );
                    tried += 1;
                }
            }
        }
    }
    assert!(tried > 500, "{tried}");
    // No spelling of the admin route ran a refresh.
    assert_eq!(service.counters().builds, builds_before);
    handle.stop(true).await;
}
