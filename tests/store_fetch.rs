//! Fetching lists into the store against a local HTTP server that serves the
//! real UN consolidated list files from `../shared/lists-raw` and misbehaves
//! on purpose: 304, 404, 500, bodies cut short, empty and shrunken lists, a
//! server too slow to answer, a file over the size cap.
//!
//! Each scenario runs twice: with the real parsers (`::real_parser`) and with
//! a stand-in that only counts `<REFERENCE_NUMBER>`s (`::stand_in_parser`), so
//! the fetch and store rules are tested even where a parser is not written yet.

mod common;
mod support;

use screener::fetch::{DownloadError, FetchConfig, FetchError, FetchOutcome, Fetcher};
use screener::model::{Entity, Schema, prop};
use screener::parse::{self, Format, ParseError, ParsedList, SourceFile};
use screener::snapshot::{Store, StoreConfig, StoreError};
use screener::sources::{Catalog, ListSource, SourceUrl};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{Reply, TestServer};

#[derive(Debug, Clone, Copy)]
enum Parser {
    Real,
    StandIn,
}

/// Stand-in parser: UN XML → one entity per `<REFERENCE_NUMBER>` (Person
/// before `<ENTITIES>`, Organization after); any other file → one entity per
/// `id,name` line.
fn stand_in(
    _format: Format,
    list_id: &str,
    files: &[SourceFile],
) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    for f in files {
        let text = String::from_utf8_lossy(&f.data);
        if text.contains("<CONSOLIDATED_LIST") {
            if !text.trim_end().ends_with("</CONSOLIDATED_LIST>") {
                return Err(ParseError::new(&f.name, "document ends early"));
            }
            for quote in ['"', '\''] {
                let key = format!("dateGenerated={quote}");
                if let Some(at) = text.find(&key) {
                    out.published = text
                        .get(at + key.len()..at + key.len() + 10)
                        .map(str::to_string);
                }
            }
            let entities_at = text.find("<ENTITIES").unwrap_or(text.len());
            for (at, _) in text.match_indices("<REFERENCE_NUMBER>") {
                let rest = &text[at + "<REFERENCE_NUMBER>".len()..];
                let reference = rest.split('<').next().unwrap_or("").trim();
                let schema = if at < entities_at {
                    Schema::Person
                } else {
                    Schema::Organization
                };
                let mut e = Entity::new(list_id, reference, schema);
                e.add(prop::NAME, reference);
                out.entities.push(e);
            }
        } else {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let (id, name) = line.split_once(',').unwrap_or((line, line));
                let mut e = Entity::new(list_id, id, Schema::LegalEntity);
                e.add(prop::NAME, name);
                out.entities.push(e);
            }
        }
    }
    Ok(out)
}

fn open_store(dir: &Path, parser: Parser) -> Arc<Store> {
    let config = StoreConfig {
        parser: match parser {
            Parser::Real => parse::parse,
            Parser::StandIn => stand_in,
        },
        ..StoreConfig::default()
    };
    Arc::new(Store::open_with(dir, config).unwrap())
}

fn raw(path: &str) -> Vec<u8> {
    std::fs::read(common::lists_raw().join(path)).unwrap()
}

fn un_2026() -> Vec<u8> {
    raw("un_consolidated/2026-02-27/consolidated.xml")
}

fn un_2025() -> Vec<u8> {
    raw("un_consolidated/2025-04-19/consolidated.xml")
}

/// A valid UN list of three real entries (typed from the 2026-02-27 file).
const UN_SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://www.un.org/sc/resources/sc-sanctions.xsd" dateGenerated="2026-03-01T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>6907993</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>ERIC</FIRST_NAME>
      <SECOND_NAME>BADEGE</SECOND_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>
      <LISTED_ON>2012-12-31</LISTED_ON>
      <GENDER>Male</GENDER>
      <NATIONALITY>
        <VALUE>Democratic Republic of the Congo</VALUE>
      </NATIONALITY>
      <LIST_TYPE>
        <VALUE>UN List</VALUE>
      </LIST_TYPE>
      <INDIVIDUAL_ALIAS>
        <QUALITY/>
        <ALIAS_NAME/>
      </INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS>
        <COUNTRY>Rwanda</COUNTRY>
        <NOTE>as of early 2016</NOTE>
      </INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_DATE_OF_BIRTH>
        <TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
        <YEAR>1971</YEAR>
      </INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_PLACE_OF_BIRTH>
        <COUNTRY/>
      </INDIVIDUAL_PLACE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT/>
      <SORT_KEY/>
      <SORT_KEY_LAST_MOD/>
    </INDIVIDUAL>
    <INDIVIDUAL>
      <DATAID>6907994</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>FRANK KAKOLELE</FIRST_NAME>
      <SECOND_NAME>BWAMBALE</SECOND_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDi.002</REFERENCE_NUMBER>
      <LISTED_ON>2005-11-01</LISTED_ON>
      <GENDER>Male</GENDER>
      <DESIGNATION>
        <VALUE>FARDC General </VALUE>
      </DESIGNATION>
      <LIST_TYPE>
        <VALUE>UN List</VALUE>
      </LIST_TYPE>
      <INDIVIDUAL_ALIAS>
        <QUALITY/>
        <ALIAS_NAME/>
      </INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS>
        <COUNTRY/>
      </INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_DATE_OF_BIRTH/>
      <INDIVIDUAL_PLACE_OF_BIRTH/>
      <INDIVIDUAL_DOCUMENT/>
      <SORT_KEY/>
      <SORT_KEY_LAST_MOD/>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>6908402</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>ADF</FIRST_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDe.001</REFERENCE_NUMBER>
      <LISTED_ON>2014-06-30</LISTED_ON>
      <LIST_TYPE>
        <VALUE>UN List</VALUE>
      </LIST_TYPE>
      <ENTITY_ALIAS>
        <QUALITY>a.k.a.</QUALITY>
        <ALIAS_NAME>Allied Democratic Forces</ALIAS_NAME>
      </ENTITY_ALIAS>
      <ENTITY_ADDRESS>
        <STATE_PROVINCE>North Kivu </STATE_PROVINCE>
        <COUNTRY>Democratic Republic of the Congo</COUNTRY>
      </ENTITY_ADDRESS>
      <SORT_KEY/>
      <SORT_KEY_LAST_MOD/>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"#;

const UN_EMPTY: &str = "<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>";

fn un_source() -> ListSource {
    Catalog::builtin()
        .unwrap()
        .get("un_sc_sanctions")
        .unwrap()
        .clone()
}

fn config(server: &TestServer) -> FetchConfig {
    FetchConfig {
        timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(5),
        max_bytes: 16 << 20,
        retries: 2,
        backoff_base: Duration::from_millis(5),
        url_override: Some(server.base()),
        ..FetchConfig::default()
    }
}

fn fetcher(server: &TestServer) -> Fetcher {
    Fetcher::new(config(server)).unwrap()
}

fn expect_new(r: Result<FetchOutcome, FetchError>) -> screener::snapshot::VersionMeta {
    match r {
        Ok(FetchOutcome::New(m)) => m,
        other => panic!("expected a new version, got {other:?}"),
    }
}

/// Fetch the 2026 file (ETag "v1"); the next fetch sends If-None-Match, gets
/// 304, costs exactly one request and stores nothing.
async fn new_version_then_not_modified(parser: Parser) {
    let body = un_2026();
    let server = TestServer::start(move |req, _| {
        if req.header("if-none-match") == Some("\"v1\"") {
            Reply::status(304).header("ETag", "\"v1\"")
        } else {
            Reply::ok(body.clone()).header("ETag", "\"v1\"")
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let f = fetcher(&server);
    let meta = expect_new(f.fetch_list(&store, &un_source()).await);
    assert_eq!(meta.entities, 1003);
    assert_eq!(meta.schemas.get("Person"), Some(&730));
    assert_eq!(meta.schemas.get("Organization"), Some(&273));
    assert!(
        meta.published
            .as_deref()
            .unwrap_or("")
            .starts_with("2026-02-27"),
        "{meta:?}"
    );
    assert_eq!(
        meta.sha256, "66b392a4090868d2d39161e8d748efd39138377b0e6e60b7921aa67a4f99c8bf",
        "the sha256 SOURCE.txt states"
    );
    assert_eq!(meta.files[0].etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        meta.files[0].url.as_deref(),
        Some(format!("{}/un_sc_sanctions/consolidated.xml", server.base()).as_str())
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path, "/un_sc_sanctions/consolidated.xml");
    assert_eq!(reqs[0].header("if-none-match"), None);

    let again = f.fetch_list(&store, &un_source()).await.unwrap();
    assert_eq!(again, FetchOutcome::Unchanged(meta.clone()));
    let reqs = server.requests();
    assert_eq!(
        reqs.len(),
        2,
        "the unchanged check costs exactly one request"
    );
    assert_eq!(reqs[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(store.versions("un_sc_sanctions").len(), 1);
    assert_eq!(store.lists()[0].last_error, None);
}

/// Same bytes under a new ETag (no 304 support): a full download, but the
/// import sees identical bytes and stores nothing.
async fn same_bytes_without_304_are_unchanged(parser: Parser) {
    let body = un_2026();
    let server =
        TestServer::start(move |_, n| Reply::ok(body.clone()).header("ETag", &format!("\"e{n}\"")))
            .await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let f = fetcher(&server);
    let meta = expect_new(f.fetch_list(&store, &un_source()).await);
    let again = f.fetch_list(&store, &un_source()).await.unwrap();
    assert_eq!(again, FetchOutcome::Unchanged(meta));
    assert_eq!(store.versions("un_sc_sanctions").len(), 1);
    // The new validator is kept for the next conditional request.
    let state = store.state("un_sc_sanctions").unwrap();
    let url = format!("{}/un_sc_sanctions/consolidated.xml", server.base());
    assert_eq!(state.validators[&url].etag.as_deref(), Some("\"e1\""));
}

/// Last-Modified alone is sent back as If-Modified-Since.
async fn last_modified_is_used_for_conditional_get(parser: Parser) {
    let body = un_2026();
    let lm = "Fri, 27 Feb 2026 00:00:09 GMT";
    let server = TestServer::start(move |req, _| {
        if req.header("if-modified-since") == Some(lm) {
            Reply::status(304)
        } else {
            Reply::ok(body.clone()).header("Last-Modified", lm)
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let f = fetcher(&server);
    let meta = expect_new(f.fetch_list(&store, &un_source()).await);
    assert_eq!(meta.files[0].last_modified.as_deref(), Some(lm));
    assert_eq!(
        f.fetch_list(&store, &un_source()).await.unwrap(),
        FetchOutcome::Unchanged(meta)
    );
    assert_eq!(server.requests().len(), 2);
}

/// 404 is an error at once (no retry); the last good version stays.
async fn not_found_keeps_last_good(parser: Parser) {
    let body = un_2026();
    let server = TestServer::start(move |_, n| {
        if n == 0 {
            Reply::ok(body.clone())
        } else {
            Reply::status(404)
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let f = fetcher(&server);
    let good = expect_new(f.fetch_list(&store, &un_source()).await);
    let err = f.fetch_list(&store, &un_source()).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            FetchError::Download {
                attempts: 1,
                source: DownloadError::Status { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        msg.ends_with("/un_sc_sanctions/consolidated.xml: HTTP 404 Not Found"),
        "{msg}"
    );
    assert_eq!(server.requests().len(), 2, "404 is not retried");
    assert_eq!(store.current("un_sc_sanctions"), Some(good.clone()));
    let status = &store.lists()[0];
    assert_eq!(status.current.as_ref(), Some(&good));
    assert_eq!(status.last_error.as_deref(), Some(msg.as_str()));
}

/// 500 then 200: retried, and the second answer becomes the version.
async fn server_error_is_retried(parser: Parser) {
    let body = un_2026();
    let server = TestServer::start(move |_, n| {
        if n == 0 {
            Reply::status(500)
        } else {
            Reply::ok(body.clone())
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let meta = expect_new(fetcher(&server).fetch_list(&store, &un_source()).await);
    assert_eq!(meta.entities, 1003);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(store.lists()[0].last_error, None);
}

/// Persistent 503: gives up after 1 + retries attempts; nothing stored.
async fn persistent_server_error_gives_up(parser: Parser) {
    let server = TestServer::start(|_, _| Reply::status(503)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let err = fetcher(&server)
        .fetch_list(&store, &un_source())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("HTTP 503 Service Unavailable (gave up after 3 attempts)"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 3);
    assert_eq!(store.current("un_sc_sanctions"), None);
    assert!(store.versions("un_sc_sanctions").is_empty());
    assert!(store.lists()[0].last_error.is_some());
}

/// A body shorter than its Content-Length is never stored; it is retried,
/// and a later complete answer is taken.
async fn truncated_body_is_retried_never_stored(parser: Parser) {
    let body = un_2026();
    let half = body.len() / 2;
    let server = TestServer::start(move |_, _| Reply::ok(body.clone()).truncated(half)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let err = fetcher(&server)
        .fetch_list(&store, &un_source())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Download {
                attempts: 3,
                source: DownloadError::Truncated { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("the transfer broke off after"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 3);
    assert!(store.versions("un_sc_sanctions").is_empty());

    let body = un_2026();
    let server = TestServer::start(move |_, n| {
        let r = Reply::ok(body.clone());
        if n == 0 { r.truncated(1000) } else { r }
    })
    .await;
    let meta = expect_new(fetcher(&server).fetch_list(&store, &un_source()).await);
    assert_eq!(meta.entities, 1003);
    assert_eq!(server.requests().len(), 2);
}

/// A well-formed list with no entries is rejected; the last good stays.
async fn empty_list_is_rejected(parser: Parser) {
    let body = un_2026();
    let server = TestServer::start(move |_, n| {
        if n == 0 {
            Reply::ok(body.clone())
        } else {
            Reply::ok(UN_EMPTY.as_bytes().to_vec())
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let f = fetcher(&server);
    let good = expect_new(f.fetch_list(&store, &un_source()).await);
    let err = f.fetch_list(&store, &un_source()).await.unwrap_err();
    assert!(
        matches!(err, FetchError::Import(StoreError::Rejected { .. })),
        "{err:?}"
    );
    let msg = err.to_string();
    assert_eq!(
        msg,
        format!(
            "un_sc_sanctions: new version rejected: the files hold no entities; version {} stays current",
            good.version
        )
    );
    assert_eq!(store.current("un_sc_sanctions"), Some(good));
    assert_eq!(store.versions("un_sc_sanctions").len(), 1);
    assert_eq!(store.lists()[0].last_error.as_deref(), Some(msg.as_str()));
}

/// A list that shrank by more than 20 % is rejected with both counts.
async fn count_drop_is_rejected(parser: Parser) {
    let body = un_2026();
    let server = TestServer::start(move |_, n| {
        if n == 0 {
            Reply::ok(body.clone())
        } else {
            Reply::ok(UN_SMALL.as_bytes().to_vec())
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let f = fetcher(&server);
    let good = expect_new(f.fetch_list(&store, &un_source()).await);
    let err = f.fetch_list(&store, &un_source()).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("the entity count fell from 1003 to 3 (-99.7 %), more than the allowed 20 %"),
        "{msg}"
    );
    assert_eq!(store.current("un_sc_sanctions"), Some(good));
}

/// The older 2025 file (877 entities, 12.6 % fewer) is accepted as the next
/// version; changes() accounts for the difference; both versions survive a
/// restart of the store.
async fn versions_and_changes_survive_restart(parser: Parser) {
    let new = un_2026();
    let old = un_2025();
    let server =
        TestServer::start(move |_, n| Reply::ok(if n == 0 { new.clone() } else { old.clone() }))
            .await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = {
        let store = open_store(dir.path(), parser);
        let f = fetcher(&server);
        let a = expect_new(f.fetch_list(&store, &un_source()).await);
        let b = expect_new(f.fetch_list(&store, &un_source()).await);
        (a, b)
    };
    assert_eq!(b.entities, 877);
    assert_eq!(b.previous.as_deref(), Some(a.version.as_str()));

    let store = open_store(dir.path(), parser);
    assert_eq!(store.versions("un_sc_sanctions"), [a.clone(), b.clone()]);
    assert_eq!(store.current("un_sc_sanctions"), Some(b.clone()));
    let entities = store.load_entities("un_sc_sanctions", &b.version).unwrap();
    assert_eq!(entities.len(), 877);
    let ch = store
        .changes("un_sc_sanctions", &a.version, &b.version)
        .unwrap();
    assert!(!ch.added.is_empty() || !ch.removed.is_empty());
    assert_eq!(1003 + ch.added.len() - ch.removed.len(), 877);
    assert!(
        ch.removed
            .iter()
            .all(|id| id.starts_with("un_sc_sanctions:"))
    );
}

/// A server that does not answer in time: timeout error, last good kept.
async fn slow_server_times_out(parser: Parser) {
    let body = un_2026();
    let server = TestServer::start(move |_, n| {
        let r = Reply::ok(body.clone());
        if n == 0 {
            r
        } else {
            r.delayed(Duration::from_secs(5))
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let good = expect_new(fetcher(&server).fetch_list(&store, &un_source()).await);
    let impatient = Fetcher::new(FetchConfig {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..config(&server)
    })
    .unwrap();
    let started = Instant::now();
    let err = impatient
        .fetch_list(&store, &un_source())
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            err,
            FetchError::Download {
                attempts: 2,
                source: DownloadError::Timeout(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("no answer within 300ms"), "{err}");
    assert_eq!(store.current("un_sc_sanctions"), Some(good));
    assert!(store.lists()[0].last_error.is_some());
}

/// A file over the size cap is aborted at once, not retried.
async fn size_cap_aborts(parser: Parser) {
    let body = un_2026();
    let server = TestServer::start(move |_, _| Reply::ok(body.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), parser);
    let small = Fetcher::new(FetchConfig {
        max_bytes: 1 << 20,
        ..config(&server)
    })
    .unwrap();
    let err = small.fetch_list(&store, &un_source()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("larger than the limit of 1048576 bytes"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
    assert!(store.versions("un_sc_sanctions").is_empty());
}

macro_rules! with_both_parsers {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn real_parser() {
                tokio::time::timeout(std::time::Duration::from_secs(120), super::$name(super::Parser::Real))
                    .await
                    .expect("scenario took too long");
            }
            #[tokio::test]
            async fn stand_in_parser() {
                tokio::time::timeout(std::time::Duration::from_secs(120), super::$name(super::Parser::StandIn))
                    .await
                    .expect("scenario took too long");
            }
        }
    )*};
}

with_both_parsers!(
    new_version_then_not_modified,
    same_bytes_without_304_are_unchanged,
    last_modified_is_used_for_conditional_get,
    not_found_keeps_last_good,
    server_error_is_retried,
    persistent_server_error_gives_up,
    truncated_body_is_retried_never_stored,
    empty_list_is_rejected,
    count_drop_is_rejected,
    versions_and_changes_survive_restart,
    slow_server_times_out,
    size_cap_aborts,
);

/// A list of several files where only one changed: the unchanged one answers
/// 304 and is taken from the current version's raw copy.
#[tokio::test]
async fn multi_file_list_with_one_file_changed() {
    let server = TestServer::start(|req, n| {
        let etag = if req.path.ends_with("/a.txt") {
            "\"a1\""
        } else {
            "\"b1\""
        };
        if n >= 2 && req.header("if-none-match") == Some("\"a1\"") {
            return Reply::status(304);
        }
        let body: &[u8] = match (req.path.ends_with("/a.txt"), n >= 2) {
            (true, _) => b"1,Anna\n2,Boris\n",
            (false, false) => b"3,Chen\n",
            (false, true) => b"3,Chen\n4,Dara\n",
        };
        let etag = if n >= 2 && etag == "\"b1\"" {
            "\"b2\""
        } else {
            etag
        };
        Reply::ok(body.to_vec()).header("ETag", etag)
    })
    .await;
    let list = ListSource {
        files: vec![
            SourceUrl {
                name: "a.txt".into(),
                role: "first half".into(),
                url: "https://example.org/a.txt".into(),
            },
            SourceUrl {
                name: "b.txt".into(),
                role: "second half".into(),
                url: "https://example.org/b.txt".into(),
            },
        ],
        format: Format::CustomCsv,
        ..un_source()
    };
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), Parser::StandIn);
    let f = fetcher(&server);
    let a = expect_new(f.fetch_list(&store, &list).await);
    assert_eq!(a.entities, 3);
    let b = expect_new(f.fetch_list(&store, &list).await);
    assert_eq!(b.entities, 4);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[2].header("if-none-match"), Some("\"a1\""));
    assert_eq!(reqs[3].header("if-none-match"), Some("\"b1\""));
    assert_eq!(
        b.files[0].etag.as_deref(),
        Some("\"a1\""),
        "kept from the 304"
    );
    assert_eq!(b.files[1].etag.as_deref(), Some("\"b2\""));
    assert_eq!(
        store
            .read_raw("un_sc_sanctions", &b.version, "a.txt")
            .unwrap(),
        b"1,Anna\n2,Boris\n"
    );
}

/// The whole OFAC SDN legacy CSV set of 2021-07-07 (four files) fetched from
/// the mirror layout and parsed by the real parser.
#[tokio::test]
async fn ofac_csv_set_fetched_whole() {
    let server = TestServer::start(|req, _| {
        let name = req.path.rsplit('/').next().unwrap_or("");
        match std::fs::read(
            common::lists_raw()
                .join("ofac_sdn_csv/2021-07-07")
                .join(name),
        ) {
            Ok(data) => Reply::ok(data),
            Err(_) => Reply::status(404),
        }
    })
    .await;
    let sdn = Catalog::builtin()
        .unwrap()
        .get("us_ofac_sdn")
        .unwrap()
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), Parser::Real);
    let meta = expect_new(fetcher(&server).fetch_list(&store, &sdn).await);
    assert_eq!(meta.entities, 8976);
    assert_eq!(meta.files.len(), 4);
    let mut paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/us_ofac_sdn/add.csv",
            "/us_ofac_sdn/alt.csv",
            "/us_ofac_sdn/sdn.csv",
            "/us_ofac_sdn/sdn_comments.csv"
        ]
    );
}

/// Nothing listens: a connection error, recorded, nothing stored, and not
/// retried (offline, a fetch must fail at once, not after minutes).
#[tokio::test]
async fn connection_refused_is_an_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), Parser::StandIn);
    let f = Fetcher::new(FetchConfig {
        url_override: Some(format!("http://127.0.0.1:{port}")),
        retries: 1,
        backoff_base: Duration::from_millis(1),
        ..FetchConfig::default()
    })
    .unwrap();
    let err = f.fetch_list(&store, &un_source()).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Download {
                attempts: 1,
                source: DownloadError::Connect(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        store.lists()[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("cannot connect")
    );
}

/// A host that does not resolve fails at once, without retries.
#[tokio::test]
async fn an_unknown_host_fails_without_retrying() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), Parser::StandIn);
    let f = Fetcher::new(FetchConfig {
        // `.invalid` never resolves (RFC 2606).
        url_override: Some("http://screener-test.invalid".into()),
        retries: 3,
        backoff_base: Duration::from_secs(30),
        ..FetchConfig::default()
    })
    .unwrap();
    let err = f.fetch_list(&store, &un_source()).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Download {
                attempts: 1,
                source: DownloadError::Connect(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(store.current("un_sc_sanctions").is_none());
}

/// Every set of the manifest that the store accepts round-trips through
/// `entities.jsonl` unchanged (the stored entities are the parsed ones).
#[test]
fn stored_entities_equal_parsed_entities() {
    let manifest = common::manifest();
    let set = common::set_with_file(&manifest, "un_consolidated/2026-02-27");
    let parsed = common::parse_set(&manifest, set);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let files = manifest.read_files(set).unwrap();
    let out = store
        .import(&set.list, set.format(), files, Default::default())
        .unwrap();
    let loaded = store.load_entities(&set.list, &out.meta().version).unwrap();
    assert_eq!(loaded, parsed.entities);
}
