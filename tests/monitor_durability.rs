//! The monitor across crashes, with the real binary: acknowledged writes
//! survive `kill -9`, and webhook events reach a receiver that fails, times
//! out and recovers, across a restart: every event at least once, in order
//! per customer, signed.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Reply, TestServer};

const KEY: &str = "ana=monitor-test-key-0123456789";
const BEARER: &str = "Bearer monitor-test-key-0123456789";
const SECRET: &str = "receiver-secret-0123456789";

fn lists_raw() -> PathBuf {
    std::env::var("SCREENER_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("lists-raw")
}

const UN_FILE: &str = "un_consolidated/2025-04-19/consolidated.xml";

/// A data directory holding the UN list.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let o = Command::new(env!("CARGO_BIN_EXE_screener"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", "un_sc_sanctions"])
        .arg(lists_raw().join(UN_FILE))
        .output()
        .expect("import");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

/// Names of listed persons (each a customer that alerts).
fn listed_names(n: usize) -> Vec<String> {
    let data = std::fs::read(lists_raw().join(UN_FILE)).expect("UN file");
    let files = vec![screener::parse::SourceFile::new("consolidated.xml", data)];
    let parsed = screener::parse::parse(
        screener::parse::Format::from_id("un_xml").expect("format"),
        "un_sc_sanctions",
        &files,
    )
    .expect("parse");
    parsed
        .entities
        .iter()
        .filter(|e| {
            e.schema == screener::model::Schema::Person && e.caption.split(' ').count() >= 3
        })
        .map(|e| e.caption.clone())
        .take(n)
        .collect()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(data: &Path, config: Option<&Path>) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_screener"));
        cmd.arg("--data-dir")
            .arg(data)
            .args([
                "serve",
                "--no-refresh",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env("SCREENER_API_KEYS", KEY)
            .env_remove("SCREENER_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let child = cmd.spawn().expect("serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ready = ureq_get(&format!("{}/v1/monitor", server.base))
                .is_some_and(|(_, b)| b["ready"] == true);
            if ready {
                return server;
            }
            assert!(Instant::now() < deadline, "the server did not get ready");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn kill9(mut self) {
        let _ = Command::new("kill")
            .args(["-9", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

fn ureq_get(url: &str) -> Option<(u16, serde_json::Value)> {
    let r = client()
        .get(url)
        .header("authorization", BEARER)
        .send()
        .ok()?;
    let status = r.status().as_u16();
    Some((status, r.json().unwrap_or(serde_json::Value::Null)))
}

fn put(base: &str, id: &str, name: &str) -> Option<u16> {
    client()
        .put(format!("{base}/v1/customers/{id}"))
        .header("authorization", BEARER)
        .json(&serde_json::json!({"name": name, "schema": "Person"}))
        .send()
        .ok()
        .map(|r| r.status().as_u16())
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let data = data_dir();
    let server = Server::start(data.path(), None);
    let base = server.base.clone();
    let names = listed_names(3);
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let writer = {
        let acked = Arc::clone(&acked);
        std::thread::spawn(move || {
            for i in 0..100_000 {
                let id = format!("k-{i}");
                let name = if i % 10 == 0 {
                    names[i % names.len()].clone()
                } else {
                    format!("Customer Number {i} Nobody")
                };
                match put(&base, &id, &name) {
                    Some(200 | 201) => acked.lock().expect("lock").push(id),
                    _ => return,
                }
            }
        })
    };
    // Let writes run, then kill the process mid-stream.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().expect("lock").len() < 150 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill9();
    writer.join().expect("writer");
    let acked = acked.lock().expect("lock").clone();
    assert!(
        acked.len() >= 150,
        "only {} writes before the kill",
        acked.len()
    );

    let server = Server::start(data.path(), None);
    for id in &acked {
        let (status, body) = ureq_get(&format!("{}/v1/customers/{id}", server.base)).expect("get");
        assert_eq!(status, 200, "{id} was acknowledged but is gone: {body}");
    }
    // Listed names kept their alerts.
    let (_, alerts) = ureq_get(&format!("{}/v1/alerts?customer=k-0", server.base)).expect("alerts");
    assert!(
        !alerts["items"].as_array().expect("items").is_empty(),
        "{alerts}"
    );
    drop(server);
    let o = Command::new(env!("CARGO_BIN_EXE_screener"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn verify_signature(header: &str, body: &[u8]) -> bool {
    use hmac::{KeyInit, Mac};
    let Some((t, v1)) = header
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
    else {
        return false;
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes()) == v1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_events_arrive_through_failures_timeouts_and_a_restart() {
    // The receiver fails while `failing` is set; then its first answer
    // comes too late (the sender's timeout is 1 s), then it recovers.
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let slow_once = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (f, s) = (Arc::clone(&failing), Arc::clone(&slow_once));
    let receiver = TestServer::start(move |_req, _n| {
        use std::sync::atomic::Ordering;
        if f.load(Ordering::SeqCst) {
            Reply::status(500)
        } else if s.swap(false, Ordering::SeqCst) {
            Reply::status(200).delayed(Duration::from_secs(3))
        } else {
            Reply::status(200)
        }
    })
    .await;
    let data = tokio::task::spawn_blocking(data_dir).await.expect("data");
    let config = data.path().join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "[monitor.webhooks]\ntimeout_secs = 1\ninitial_backoff_ms = 100\nmax_backoff_secs = 1\npoll_ms = 50\n\n[[monitor.webhooks.endpoints]]\nname = \"receiver\"\nurl = \"{}/hook\"\nsecret = \"{SECRET}\"\n",
            receiver.base()
        ),
    )
    .expect("config");
    let names = tokio::task::spawn_blocking(|| listed_names(4))
        .await
        .expect("names");
    let (data_path, config_path) = (data.path().to_path_buf(), config.clone());
    {
        let names = names.clone();
        tokio::task::spawn_blocking(move || {
            let server = Server::start(&data_path, Some(&config_path));
            for (i, n) in names.iter().enumerate() {
                assert_eq!(put(&server.base, &format!("w-{i}"), n), Some(201));
                // A second write of each customer: its events must follow the first's.
                assert!(matches!(
                    put(&server.base, &format!("w-{i}"), &format!("{n} Jr")),
                    Some(200)
                ));
            }
            // Some attempts fail; then the process dies with events pending.
            std::thread::sleep(Duration::from_millis(800));
            let (_, pending) = ureq_get(&format!(
                "{}/v1/webhooks/deliveries?status=pending",
                server.base
            ))
            .expect("deliveries");
            assert!(
                !pending["items"].as_array().expect("items").is_empty(),
                "{pending}"
            );
            server.kill9();
        })
        .await
        .expect("phase 1");
    }
    failing.store(false, std::sync::atomic::Ordering::SeqCst);
    let (data_path, config_path) = (data.path().to_path_buf(), config.clone());
    let delivered = tokio::task::spawn_blocking(move || {
        let server = Server::start(&data_path, Some(&config_path));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, pending) = ureq_get(&format!(
                "{}/v1/webhooks/deliveries?status=pending",
                server.base
            ))
            .expect("deliveries");
            if pending["items"].as_array().is_some_and(Vec::is_empty) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "deliveries still pending: {pending}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let (_, done) = ureq_get(&format!(
            "{}/v1/webhooks/deliveries?status=delivered&limit=1000",
            server.base
        ))
        .expect("deliveries");
        let (_, audit) =
            ureq_get(&format!("{}/v1/audit?since=0&limit=1000", server.base)).expect("audit");
        (done, audit)
    })
    .await
    .expect("phase 2");
    let (done, audit) = delivered;
    // Every alert event of the audit trail was delivered.
    let alert_events: Vec<String> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| r["kind"].as_str().is_some_and(|k| k.starts_with("alert.")))
        .map(|r| format!("evt-{}", r["seq"]))
        .collect();
    assert!(alert_events.len() >= names.len() * 2, "{audit}");
    let delivered_ids: Vec<&str> = done["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|d| d["eventId"].as_str())
        .collect();
    for e in &alert_events {
        assert!(delivered_ids.contains(&e.as_str()), "{e} not delivered");
    }
    assert!(
        done["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|d| d["attempts"].as_i64() > Some(1)),
        "no delivery was retried"
    );
    // What the receiver got: signed, and per customer in event order.
    let requests = receiver.requests();
    let mut last_seq: std::collections::BTreeMap<String, i64> = Default::default();
    let mut got = std::collections::BTreeSet::new();
    for r in &requests {
        let sig = r.header("x-screener-signature").expect("signature");
        assert!(verify_signature(sig, &r.body), "bad signature");
        assert_eq!(r.header("idempotency-key"), r.header("x-screener-event-id"));
        let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json body");
        let id = body["id"].as_str().expect("id").to_string();
        let seq: i64 = id.trim_start_matches("evt-").parse().expect("seq");
        if let Some(c) = body["data"]["customerId"].as_str() {
            let prev = last_seq.get(c).copied().unwrap_or(0);
            // A retry may repeat the last event; it never goes back further.
            assert!(seq >= prev, "customer {c}: event {seq} after {prev}");
            last_seq.insert(c.to_string(), seq);
        }
        got.insert(id);
    }
    for e in &alert_events {
        assert!(got.contains(e), "{e} never reached the receiver");
    }
}
