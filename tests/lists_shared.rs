//! List versions shared by several replicas through one PostgreSQL database
//! (a throwaway cluster, see common/postgres.rs): one replica fetches a list
//! at a time, every replica serves what it published, a replica with an
//! empty data directory loads it from the database, a new version reaches
//! the others within 10 s (by LISTEN/NOTIFY, or the poll alone), and a
//! leader that died blocks the others no longer than its lease.
//!
//! The publisher is a local HTTP server serving the real UN consolidated
//! list files from `../shared/lists-raw`, counting the requests.

mod common;
mod support;

use common::postgres::{blocking, cluster};
use screener::fetch::{FetchConfig, Fetcher};
use screener::service::{RefreshOutcome, RefreshRequest, RefreshSettings, Service, StoreSource};
use screener::snapshot::Store;
use screener::snapshot::shared::{Lead, SharedOptions, SharedVersions};
use screener::sources::Catalog;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Reply, TestServer};

const UN: &str = "un_sc_sanctions";

fn raw(path: &str) -> Vec<u8> {
    std::fs::read(common::lists_raw().join(path)).expect("list file")
}

/// A publisher whose file can be replaced; every answer carries an ETag
/// of the file's length, and 304 for a matching If-None-Match.
struct Publisher {
    server: TestServer,
    body: Arc<Mutex<Vec<u8>>>,
}

impl Publisher {
    async fn start(body: Vec<u8>) -> Publisher {
        let body = Arc::new(Mutex::new(body));
        let served = Arc::clone(&body);
        let server = TestServer::start(move |req, _| {
            let body = served.lock().expect("lock").clone();
            let etag = format!("\"{}\"", body.len());
            if req.header("if-none-match") == Some(etag.as_str()) {
                Reply::status(304).header("ETag", &etag)
            } else {
                Reply::ok(body).header("ETag", &etag)
            }
        })
        .await;
        Publisher { server, body }
    }

    fn replace(&self, body: Vec<u8>) {
        *self.body.lock().expect("lock") = body;
    }

    fn requests(&self) -> usize {
        self.server.requests().len()
    }
}

/// One replica: its own data directory, the shared database, a service
/// whose scheduled refresh is off (the test says when to fetch) but which
/// follows what the other replicas publish.
struct Replica {
    service: Arc<Service>,
    stop: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

impl Replica {
    fn start(publisher: &Publisher, url: &str, options: SharedOptions) -> Replica {
        Replica::start_with(publisher, url, options, true)
    }

    /// A replica whose data directory holds `custom:mine` (imported by hand)
    /// before it starts.
    fn start_with_custom_list(publisher: &Publisher, url: &str) -> Replica {
        let dir = tempfile::tempdir().expect("tempdir");
        Store::open(dir.path())
            .expect("store")
            .import(
                "custom:mine",
                None,
                vec![screener::parse::SourceFile::new(
                    "mine.csv",
                    b"id,name\nm-1,Jane Roe\nm-2,John Doe\n".to_vec(),
                )],
                screener::snapshot::ImportOrigin::default(),
            )
            .expect("import");
        Replica::start_in(dir, publisher, url, SharedOptions::default(), true)
    }

    /// `follow: false`: no background task (the test swaps by hand).
    fn start_with(
        publisher: &Publisher,
        url: &str,
        options: SharedOptions,
        follow: bool,
    ) -> Replica {
        let dir = tempfile::tempdir().expect("tempdir");
        Replica::start_in(dir, publisher, url, options, follow)
    }

    fn start_in(
        dir: tempfile::TempDir,
        publisher: &Publisher,
        url: &str,
        options: SharedOptions,
        follow: bool,
    ) -> Replica {
        let store = Arc::new(Store::open(dir.path()).expect("store"));
        let fetcher = Fetcher::new(FetchConfig {
            timeout: Duration::from_secs(20),
            retries: 0,
            url_override: Some(publisher.server.base()),
            ..FetchConfig::default()
        })
        .expect("fetcher");
        let shared = SharedVersions::connect(url, options).expect("database URL");
        let source = StoreSource::new(store, fetcher, Catalog::builtin().expect("catalog"))
            .with_shared(Arc::new(shared));
        let service = Arc::new(Service::new(
            Arc::new(source),
            RefreshSettings {
                enabled: false,
                tick: Duration::from_secs(3600),
                ..RefreshSettings::default()
            },
        ));
        let (stop, rx) = tokio::sync::watch::channel(false);
        if follow {
            service.spawn_background(rx);
        }
        Replica {
            service,
            stop,
            _dir: dir,
        }
    }

    async fn refresh(&self) -> RefreshOutcome {
        let report = self
            .service
            .refresh(RefreshRequest {
                lists: Some(vec![UN.to_string()]),
                rebuild: false,
            })
            .await;
        report.lists[UN].clone()
    }

    /// The version of the UN list this replica serves.
    fn serves(&self) -> Option<String> {
        self.service
            .served()
            .and_then(|s| s.lists.get(UN).map(|v| v.version.clone()))
    }

    /// Waits (polling, at most `limit`) until the replica serves `version`;
    /// returns how long that took.
    async fn wait_for(&self, version: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        while self.serves().as_deref() != Some(version) {
            assert!(
                start.elapsed() < limit,
                "the replica still serves {:?}, not {version}, after {limit:?}",
                self.serves()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        start.elapsed()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn new_version(outcome: &RefreshOutcome) -> String {
    match outcome {
        RefreshOutcome::New { version } => version.clone(),
        other => panic!("expected a new version, got {other:?}"),
    }
}

/// `SELECT count(*)` of a table in the database at `url`.
fn count(url: &str, table: &str) -> i64 {
    let url = url.to_string();
    let sql = format!("SELECT count(*) FROM {table}");
    blocking(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        c.query_one(&sql, &[]).expect("count").get(0)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_replica_fetches_and_all_serve_its_version() {
    let publisher = Publisher::start(raw("un_consolidated/2025-04-19/consolidated.xml")).await;
    let url = blocking(|| cluster().new_database());
    let a = Replica::start(&publisher, &url, SharedOptions::default());
    let b = Replica::start(&publisher, &url, SharedOptions::default());

    // Both due at once: one fetch, one version.
    let (ra, rb) = tokio::join!(a.refresh(), b.refresh());
    assert_eq!(publisher.requests(), 1, "{ra:?} {rb:?}");
    let (leader, other) = match (&ra, &rb) {
        (RefreshOutcome::New { .. }, _) => (&a, &rb),
        (_, RefreshOutcome::New { .. }) => (&b, &ra),
        _ => panic!("no replica fetched: {ra:?} {rb:?}"),
    };
    assert!(
        matches!(other, RefreshOutcome::Skipped { .. }),
        "the other replica skips: {other:?}"
    );
    let version = leader.serves().expect("the leader serves its version");
    assert_eq!(count(&url, "list_versions"), 1);
    assert_eq!(count(&url, "list_files"), 1);
    b.wait_for(&version, Duration::from_secs(10)).await;
    a.wait_for(&version, Duration::from_secs(10)).await;

    // A replica starting with an empty data directory serves the same
    // version, parsed from the files in the database, without a fetch.
    let c = Replica::start(&publisher, &url, SharedOptions::default());
    let report = c.service.load_initial().await;
    assert!(report.error.is_none(), "{report:?}");
    assert_eq!(c.serves().as_deref(), Some(version.as_str()));
    let served_a = a.service.served().expect("a serves");
    let served_c = c.service.served().expect("c serves");
    assert_eq!(
        served_a.matcher.index().len(),
        served_c.matcher.index().len()
    );
    assert_eq!(served_a.lists[UN], served_c.lists[UN]);
    assert_eq!(publisher.requests(), 1);
    // Nor is the list due on it: the shared record says it was just fetched.
    let lists = c.service.source().lists();
    let due = c.service.due_lists(&lists, time::OffsetDateTime::now_utc());
    assert!(!due.contains(&UN.to_string()), "{due:?}");
}

async fn new_version_reaches_other_replica(options: SharedOptions) -> Duration {
    let publisher = Publisher::start(raw("un_consolidated/2025-04-19/consolidated.xml")).await;
    let url = blocking(|| cluster().new_database());
    let a = Replica::start(&publisher, &url, options.clone());
    let b = Replica::start(&publisher, &url, options);
    let v1 = new_version(&a.refresh().await);
    b.wait_for(&v1, Duration::from_secs(10)).await;

    publisher.replace(raw("un_consolidated/2026-02-27/consolidated.xml"));
    let v2 = new_version(&a.refresh().await);
    assert_ne!(v1, v2);
    assert_eq!(a.serves().as_deref(), Some(v2.as_str()));
    let took = b.wait_for(&v2, Duration::from_secs(10)).await;
    // B adopted the version: same record, no fetch of its own.
    assert_eq!(publisher.requests(), 2);
    assert_eq!(
        a.service.served().expect("a").lists[UN],
        b.service.served().expect("b").lists[UN]
    );
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_reaches_every_replica_within_10s() {
    let took = new_version_reaches_other_replica(SharedOptions::default()).await;
    eprintln!("swapped on the other replica {took:?} after the publish (LISTEN/NOTIFY)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_notifications_the_poll_gets_there() {
    let took = new_version_reaches_other_replica(SharedOptions {
        listen: false,
        ..SharedOptions::default()
    })
    .await;
    eprintln!("swapped on the other replica {took:?} after the publish (poll only)");
}

/// A leader that took the lease and died: the others skip the list until
/// the lease runs out, then one of them leads; the dead leader, were it to
/// wake, could not publish over it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_leader_blocks_no_longer_than_its_lease() {
    let publisher = Publisher::start(raw("un_consolidated/2025-04-19/consolidated.xml")).await;
    let url = blocking(|| cluster().new_database());
    let lease = Duration::from_secs(2);
    let dead = blocking(|| {
        let db = SharedVersions::connect(
            &url,
            SharedOptions {
                lease,
                ..SharedOptions::default()
            },
        )
        .expect("connect");
        let since = db.now_micros().expect("now");
        match db.lead(UN, since).expect("lead") {
            Lead::Leading(l) => (db, l),
            other => panic!("expected the lease, got {other:?}"),
        }
    });
    let taken = Instant::now();
    let b = Replica::start(&publisher, &url, SharedOptions::default());
    let first = b.refresh().await;
    match &first {
        RefreshOutcome::Skipped { reason } => assert!(reason.contains(dead.0.holder()), "{reason}"),
        other => panic!("expected a skip while the lease is held, got {other:?}"),
    }
    assert_eq!(publisher.requests(), 0);
    let version = loop {
        match b.refresh().await {
            RefreshOutcome::New { version } => break version,
            RefreshOutcome::Skipped { .. } => {
                assert!(
                    taken.elapsed() < lease + Duration::from_secs(5),
                    "still blocked {:?} after the lease was taken",
                    taken.elapsed()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => panic!("{other:?}"),
        }
    };
    assert!(
        taken.elapsed() >= lease,
        "taken over before the lease ran out"
    );
    assert_eq!(publisher.requests(), 1);

    // The dead leader wakes and tries to publish with its old lease.
    let (db, old_lease) = dead;
    let meta = blocking(|| {
        let (meta, files) = db.version(UN, &version).expect("read").expect("published");
        let mut forged = meta.clone();
        forged.version = format!("{}-stale", meta.version);
        db.publish(&old_lease, &forged, &files).map(|()| forged)
    });
    let err = meta.expect_err("a stale leader cannot publish");
    assert!(err.to_string().contains("lease"), "{err}");
    assert_eq!(count(&url, "list_versions"), 1);
    blocking(move || drop(db));
}

/// `GET /readyz` and `GET /metrics` of a replica: status, JSON / text.
async fn ops(service: &Arc<Service>) -> (serde_json::Value, String) {
    use actix_web::{App, test};
    let state = screener::api::AppState::new(
        Arc::clone(service),
        screener::api::config::ServerConfig::default(),
    );
    let app = test::init_service(App::new().configure(screener::api::app_config(state))).await;
    let res = test::call_service(&app, test::TestRequest::get().uri("/readyz").to_request()).await;
    assert_eq!(res.status(), 200);
    let ready: serde_json::Value = test::read_body_json(res).await;
    let res = test::call_service(&app, test::TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(res.status(), 200);
    let metrics = String::from_utf8(test::read_body(res).await.to_vec()).expect("utf-8");
    (ready, metrics)
}

/// `/readyz` and `/metrics` say which version a replica serves, and which
/// newer one another replica published that it has not swapped in yet.
#[actix_web::test]
async fn readyz_and_metrics_report_served_and_pending_versions() {
    let publisher = Publisher::start(raw("un_consolidated/2025-04-19/consolidated.xml")).await;
    let url = blocking(|| cluster().new_database());
    let a = Replica::start(&publisher, &url, SharedOptions::default());
    let v1 = new_version(&a.refresh().await);
    // B swaps only when the test says so.
    let b = Replica::start_with(&publisher, &url, SharedOptions::default(), false);
    b.service.load_initial().await;
    assert_eq!(b.serves().as_deref(), Some(v1.as_str()));

    publisher.replace(raw("un_consolidated/2026-02-27/consolidated.xml"));
    let v2 = new_version(&a.refresh().await);
    let lists = b.service.source().lists();
    assert!(b.service.drifted(&lists));
    let (ready, metrics) = ops(&b.service).await;
    assert_eq!(ready["lists"][UN], v1.as_str(), "{ready}");
    assert_eq!(ready["pending"][UN], v2.as_str(), "{ready}");
    assert!(
        metrics.contains(&format!(
            "screener_list_info{{list=\"{UN}\",version=\"{v1}\""
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "screener_list_pending_info{{list=\"{UN}\",version=\"{v2}\"}} 1"
        )),
        "{metrics}"
    );

    let report = b
        .service
        .refresh(RefreshRequest {
            lists: Some(vec![]),
            rebuild: false,
        })
        .await;
    assert!(report.rebuilt, "{report:?}");
    let (ready, metrics) = ops(&b.service).await;
    assert_eq!(ready["lists"][UN], v2.as_str(), "{ready}");
    assert_eq!(ready["pending"], serde_json::json!({}), "{ready}");
    assert!(
        metrics.contains(&format!(
            "screener_list_info{{list=\"{UN}\",version=\"{v2}\""
        )),
        "{metrics}"
    );
    assert!(
        !metrics.contains("screener_list_pending_info{"),
        "{metrics}"
    );
    // A, which published v2, serves it too.
    let (ready, _) = ops(&a.service).await;
    assert_eq!(ready["lists"][UN], v2.as_str(), "{ready}");
}

/// A list imported by hand into one replica's data directory (no replica
/// publishes it) is served by that replica beside the shared ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_imported_by_hand_is_served_beside_the_shared_ones() {
    let publisher = Publisher::start(raw("un_consolidated/2025-04-19/consolidated.xml")).await;
    let url = blocking(|| cluster().new_database());
    let a = Replica::start_with_custom_list(&publisher, &url);
    let b = Replica::start(&publisher, &url, SharedOptions::default());
    let v1 = new_version(&b.refresh().await);
    a.wait_for(&v1, Duration::from_secs(10)).await;
    let served = a.service.served().expect("a serves");
    assert!(
        served.lists.contains_key("custom:mine"),
        "{:?}",
        served.lists
    );
    assert!(
        served
            .matcher
            .index()
            .entity_by_id("custom:mine:m-1")
            .is_some()
    );
    let served = b.service.served().expect("b serves");
    assert!(!served.lists.contains_key("custom:mine"));
}
