//! Store tests with a tiny line parser in place of the real ones, so the
//! versioning, validation and crash-repair rules are tested on their own.

use super::*;
use crate::model::{Schema, prop};

/// `id,name[,alias]` per line; `#published <date>`; a line `!` is a parse error.
fn line_parser(_f: Format, list_id: &str, files: &[SourceFile]) -> Result<ParsedList, ParseError> {
    let mut out = ParsedList::default();
    for f in files {
        let text = String::from_utf8_lossy(&f.data);
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(date) = line.strip_prefix("#published ") {
                out.published = Some(date.to_string());
                continue;
            }
            if line == "!" {
                return Err(ParseError::at(
                    &f.name,
                    crate::parse::Location::Line(i as u64 + 1),
                    "broken record",
                ));
            }
            let mut parts = line.split(',');
            let id = parts.next().unwrap_or_default();
            let mut e = Entity::new(list_id, id, Schema::Person);
            if let Some(name) = parts.next() {
                e.add(prop::NAME, name);
            }
            for alias in parts {
                e.add(prop::ALIAS, alias);
            }
            out.entities.push(e);
        }
    }
    Ok(out)
}

fn config() -> StoreConfig {
    StoreConfig {
        max_drop: DEFAULT_MAX_DROP,
        parser: line_parser,
    }
}

fn people(range: std::ops::Range<usize>) -> Vec<u8> {
    range
        .map(|i| format!("{i},Person {i}\n"))
        .collect::<String>()
        .into_bytes()
}

fn file(data: Vec<u8>) -> Vec<SourceFile> {
    vec![SourceFile::new("list.txt", data)]
}

fn import(store: &Store, data: Vec<u8>) -> Result<ImportOutcome, StoreError> {
    store.import(
        "un_sc_sanctions",
        Some(Format::CustomCsv),
        file(data),
        ImportOrigin::default(),
    )
}

#[test]
fn first_import_becomes_current_with_complete_meta() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    assert!(store.lists().is_empty());
    let data =
        b"#published 2026-02-27\nQDi.001,Usama BIN LADIN,Osama bin Laden\nQDe.004,AL-QAIDA\n"
            .to_vec();
    let origin = ImportOrigin {
        fetched_at: None,
        files: vec![FileOrigin {
            name: "list.txt".into(),
            url: Some("https://example.org/list.txt".into()),
            etag: Some("\"abc\"".into()),
            last_modified: None,
        }],
        published: Some("2000-01-01".into()),
    };
    let out = store
        .import(
            "un_sc_sanctions",
            Some(Format::UnXml),
            file(data.clone()),
            origin,
        )
        .unwrap();
    let ImportOutcome::New(meta) = out else {
        panic!("expected a new version")
    };
    assert_eq!(meta.list_id, "un_sc_sanctions");
    assert_eq!(meta.format, Format::UnXml);
    assert_eq!(
        meta.published.as_deref(),
        Some("2026-02-27"),
        "the file's own date wins"
    );
    assert_eq!(meta.entities, 2);
    assert_eq!(meta.names, 3);
    assert_eq!(meta.schemas, BTreeMap::from([("Person".to_string(), 2)]));
    assert_eq!(meta.previous, None);
    assert_eq!(meta.sha256, sha256_hex(&data));
    assert_eq!(meta.files[0].size, data.len() as u64);
    assert_eq!(meta.files[0].etag.as_deref(), Some("\"abc\""));
    assert!(meta.version.ends_with(&format!("-{}", &meta.sha256[..8])));
    assert_eq!(meta.version.len(), "20261126T074000Z-12345678".len());

    assert_eq!(store.current("un_sc_sanctions"), Some(meta.clone()));
    let entities = store
        .load_entities("un_sc_sanctions", &meta.version)
        .unwrap();
    assert_eq!(entities.len(), 2);
    assert_eq!(entities[0].id, "un_sc_sanctions:QDi.001");
    assert_eq!(entities[0].get(prop::ALIAS), ["Osama bin Laden"]);
    assert_eq!(
        store
            .read_raw("un_sc_sanctions", &meta.version, "list.txt")
            .unwrap(),
        data
    );
    let state = store.state("un_sc_sanctions").unwrap();
    assert_eq!(
        state.validators["https://example.org/list.txt"]
            .etag
            .as_deref(),
        Some("\"abc\"")
    );
    let lists = store.lists();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].id, "un_sc_sanctions");
    assert_eq!(lists[0].last_error, None);
}

#[test]
fn identical_bytes_are_unchanged_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let first = import(&store, people(0..10)).unwrap();
    let again = import(&store, people(0..10)).unwrap();
    assert_eq!(again, ImportOutcome::Unchanged(first.meta().clone()));
    assert_eq!(store.versions("un_sc_sanctions").len(), 1);
}

#[test]
fn successive_versions_are_ordered_and_linked() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let a = import(&store, people(0..10)).unwrap().meta().clone();
    let b = import(&store, people(0..12)).unwrap().meta().clone();
    let c = import(&store, people(2..13)).unwrap().meta().clone();
    assert!(
        a.version < b.version && b.version < c.version,
        "{a:?} {b:?} {c:?}"
    );
    assert_eq!(b.previous.as_deref(), Some(a.version.as_str()));
    assert_eq!(c.previous.as_deref(), Some(b.version.as_str()));
    let versions: Vec<String> = store
        .versions("un_sc_sanctions")
        .into_iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(versions, [a.version, b.version, c.version.clone()]);
    assert_eq!(store.current("un_sc_sanctions").unwrap().version, c.version);
}

#[test]
fn large_drop_is_rejected_with_both_counts_and_current_stays() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let good = import(&store, people(0..100)).unwrap().meta().clone();
    let err = import(&store, people(0..79)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("the entity count fell from 100 to 79 (-21 %), more than the allowed 20 %"),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("version {} stays current", good.version)),
        "{msg}"
    );
    assert_eq!(store.current("un_sc_sanctions"), Some(good.clone()));
    assert_eq!(store.versions("un_sc_sanctions").len(), 1);
    assert_eq!(store.lists()[0].last_error.as_deref(), Some(msg.as_str()));

    // 80 of 100 is a drop of exactly 20 %: allowed; it also clears the error.
    let ok = import(&store, people(0..80)).unwrap();
    assert!(matches!(ok, ImportOutcome::New(_)));
    assert_eq!(store.lists()[0].last_error, None);
}

#[test]
fn max_drop_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config();
    cfg.max_drop = 1.0;
    let store = Store::open_with(dir.path(), cfg).unwrap();
    import(&store, people(0..100)).unwrap();
    assert!(matches!(
        import(&store, people(0..1)).unwrap(),
        ImportOutcome::New(_)
    ));
}

#[test]
fn parse_error_and_empty_list_are_rejected_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();

    let err = import(&store, b"1,A\n!\n".to_vec()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "un_sc_sanctions: the custom_csv files could not be parsed: list.txt: line 2: broken \
         record; no version of this list is loaded yet"
    );
    let lists = store.lists();
    assert_eq!(lists.len(), 1, "a list with only an error is listed");
    assert_eq!(lists[0].current, None);
    assert!(
        lists[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("broken record")
    );

    let good = import(&store, people(0..3)).unwrap().meta().clone();
    let err = import(&store, b"#published 2026-01-01\n".to_vec()).unwrap_err();
    assert!(
        err.to_string()
            .contains("new version rejected: the files hold no entities"),
        "{err}"
    );
    assert_eq!(store.current("un_sc_sanctions"), Some(good));
}

#[test]
fn nameless_or_duplicate_entities_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let err = import(&store, b"1,A\n1,B\n".to_vec()).unwrap_err();
    assert!(
        err.to_string()
            .contains("'un_sc_sanctions:1' appears more than once")
    );
    let err = import(&store, b"1,A\n2\n".to_vec()).unwrap_err();
    assert!(err.to_string().contains("'un_sc_sanctions:2' has no name"));
    assert!(store.versions("un_sc_sanctions").is_empty());
}

#[test]
fn bad_ids_and_file_names_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    for id in ["../etc", "Custom:x", "custom:", "a b"] {
        let err = store
            .import(id, None, file(people(0..1)), ImportOrigin::default())
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidListId(_)), "{id}: {err}");
    }
    let bad = vec![SourceFile::new("../x.txt", people(0..1))];
    let err = store
        .import("eu_fsf", None, bad, ImportOrigin::default())
        .unwrap_err();
    assert!(matches!(err, StoreError::BadFileName { .. }), "{err}");
    let twice = vec![
        SourceFile::new("a.txt", people(0..1)),
        SourceFile::new("A.TXT", people(1..2)),
    ];
    let err = store
        .import("eu_fsf", None, twice, ImportOrigin::default())
        .unwrap_err();
    assert!(matches!(err, StoreError::BadFileName { .. }), "{err}");
    let err = store
        .import("eu_fsf", None, Vec::new(), ImportOrigin::default())
        .unwrap_err();
    assert_eq!(err.to_string(), "eu_fsf: no files given");
    assert!(store.lists().is_empty());
}

#[test]
fn unknown_format_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let files = vec![SourceFile::new("mystery.bin", vec![0, 1, 2, 3, 0xff])];
    let err = store
        .import("custom:mine", None, files, ImportOrigin::default())
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("custom:mine: cannot tell the format of the files: mystery.bin:"),
        "{msg}"
    );
    let lists = store.lists();
    assert_eq!(lists[0].id, "custom:mine");
    assert!(dir.path().join("lists/custom.mine/state.json").is_file());
}

#[test]
fn record_error_keeps_current_and_a_success_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let good = import(&store, people(0..5)).unwrap().meta().clone();
    store
        .record_error(
            "un_sc_sanctions",
            "https://x/consolidated.xml: HTTP 404 Not Found",
        )
        .unwrap();
    let st = &store.lists()[0];
    assert_eq!(st.current.as_ref(), Some(&good));
    assert_eq!(
        st.last_error.as_deref(),
        Some("https://x/consolidated.xml: HTTP 404 Not Found")
    );
    assert!(st.last_error_at.is_some());
    store
        .record_unchanged("un_sc_sanctions", &BTreeMap::new())
        .unwrap();
    assert_eq!(store.lists()[0].last_error, None);
}

#[test]
fn versions_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = {
        let store = Store::open_with(dir.path(), config()).unwrap();
        let a = import(&store, people(0..10)).unwrap().meta().clone();
        let b = import(&store, people(0..11)).unwrap().meta().clone();
        (a, b)
    };
    let store = Store::open_with(dir.path(), config()).unwrap();
    assert_eq!(store.versions("un_sc_sanctions"), [a, b.clone()]);
    assert_eq!(store.current("un_sc_sanctions"), Some(b.clone()));
    assert_eq!(
        store
            .load_entities("un_sc_sanctions", &b.version)
            .unwrap()
            .len(),
        11
    );
}

#[test]
fn open_removes_temp_dirs_and_an_unacknowledged_version() {
    let dir = tempfile::tempdir().unwrap();
    let (good, orphan) = {
        let store = Store::open_with(dir.path(), config()).unwrap();
        let good = import(&store, people(0..10)).unwrap().meta().clone();
        let orphan = import(&store, people(0..11)).unwrap().meta().clone();
        (good, orphan)
    };
    let list = dir.path().join("lists/un_sc_sanctions");
    // Simulate a crash after the version directory was renamed into place but
    // before `current` was replaced, plus a half-written temp version and a
    // temp `current`.
    fs::write(list.join("current"), format!("{}\n", good.version)).unwrap();
    fs::create_dir_all(list.join(".tmp-20991231T000000Z-deadbeef-1/raw")).unwrap();
    fs::write(
        list.join(".tmp-20991231T000000Z-deadbeef-1/raw/half.xml"),
        b"<x",
    )
    .unwrap();
    fs::write(list.join(".tmp-current-77"), b"2099").unwrap();

    let store = Store::open_with(dir.path(), config()).unwrap();
    assert_eq!(store.current("un_sc_sanctions"), Some(good.clone()));
    assert_eq!(store.versions("un_sc_sanctions"), [good]);
    assert!(!list.join("versions").join(&orphan.version).exists());
    let mut names: Vec<String> = fs::read_dir(&list)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".lock", "current", "state.json", "versions"]);
    // The same bytes import again as a fresh version.
    assert!(matches!(
        import(&store, people(0..11)).unwrap(),
        ImportOutcome::New(_)
    ));
}

#[test]
fn open_keeps_a_first_version_only_when_current_was_written() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open_with(dir.path(), config()).unwrap();
        import(&store, people(0..10)).unwrap();
    }
    let list = dir.path().join("lists/un_sc_sanctions");
    fs::remove_file(list.join("current")).unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    assert_eq!(store.current("un_sc_sanctions"), None);
    assert!(store.versions("un_sc_sanctions").is_empty());
}

#[test]
fn changes_between_versions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let a = import(&store, b"1,Anna\n2,Boris\n3,Chen\n".to_vec())
        .unwrap()
        .meta()
        .clone();
    let b = import(&store, b"1,Anna\n3,Chen Wei\n4,Dara\n".to_vec())
        .unwrap()
        .meta()
        .clone();
    let ch = store
        .changes("un_sc_sanctions", &a.version, &b.version)
        .unwrap();
    let ids = |es: &[Entity]| es.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&ch.added), ["un_sc_sanctions:4"]);
    assert_eq!(ch.removed, ["un_sc_sanctions:2"]);
    assert_eq!(ids(&ch.changed), ["un_sc_sanctions:3"]);
    assert_eq!(ch.changed[0].caption, "Chen Wei");
    let err = store
        .changes("un_sc_sanctions", "nope", &b.version)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "un_sc_sanctions: there is no version 'nope'"
    );
    assert!(
        store
            .changes("un_sc_sanctions", "../../x", &b.version)
            .is_err()
    );
}

#[test]
fn combined_hash_of_one_file_is_its_own_and_of_several_is_order_free() {
    let h1 = sha256_hex(b"a");
    let h2 = sha256_hex(b"b");
    assert_eq!(combined_sha256(&["x.xml"], std::slice::from_ref(&h1)), h1);
    let ab = combined_sha256(&["sdn.csv", "alt.csv"], &[h1.clone(), h2.clone()]);
    let ba = combined_sha256(&["alt.csv", "sdn.csv"], &[h2.clone(), h1.clone()]);
    assert_eq!(ab, ba);
    let listing = format!("{h2}  alt.csv\n{h1}  sdn.csv\n");
    assert_eq!(ab, sha256_hex(listing.as_bytes()));
    let swapped = combined_sha256(&["sdn.csv", "alt.csv"], &[h2, h1]);
    assert_ne!(
        ab, swapped,
        "the same bytes under other names are another set"
    );
}

#[test]
fn version_names_increase_even_when_the_clock_does_not() {
    let t = time::macros::datetime!(2026-11-26 07:40:00 UTC);
    let a = next_version_name(t, None, "0123456789abcdef");
    assert_eq!(a, "20261126T074000Z-01234567");
    let b = next_version_name(t, Some(&a), "ffff0000");
    assert_eq!(b, "20261126T074001Z-ffff0000");
    let earlier = time::macros::datetime!(2020-01-01 00:00:00 UTC);
    let c = next_version_name(earlier, Some(&b), "00000000");
    assert_eq!(c, "20261126T074002Z-00000000");
    let later = time::macros::datetime!(2027-01-01 00:00:00 UTC);
    assert_eq!(
        next_version_name(later, Some(&c), "aa"),
        "20270101T000000Z-aa"
    );
}

#[test]
fn dir_names_round_trip() {
    assert_eq!(dir_name("custom:pep"), "custom.pep");
    assert_eq!(id_of_dir_name("custom.pep").as_deref(), Some("custom:pep"));
    assert_eq!(id_of_dir_name("eu_fsf").as_deref(), Some("eu_fsf"));
    assert_eq!(id_of_dir_name(".tmp-x"), None);
    assert_eq!(id_of_dir_name("versions.x"), None);
}

#[test]
fn meta_json_uses_format_ids_and_rfc3339() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let origin = ImportOrigin {
        fetched_at: Some(time::macros::datetime!(2026-11-26 07:40:00.123 UTC)),
        ..ImportOrigin::default()
    };
    let meta = store
        .import("eu_fsf", Some(Format::EuXml10), file(people(0..2)), origin)
        .unwrap()
        .meta()
        .clone();
    let text = fs::read_to_string(
        dir.path()
            .join("lists/eu_fsf/versions")
            .join(&meta.version)
            .join("meta.json"),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "eu_xml_1_0");
    assert_eq!(v["fetched_at"], "2026-11-26T07:40:00Z");
    assert_eq!(v["schemas"]["Person"], 2);
}

#[test]
fn an_import_from_disk_drops_the_validators_of_a_download() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    let downloaded = ImportOrigin {
        files: vec![FileOrigin {
            name: "list.txt".into(),
            url: Some("https://example.org/list.txt".into()),
            etag: Some("\"e1\"".into()),
            last_modified: None,
        }],
        ..ImportOrigin::default()
    };
    store
        .import(
            "eu_fsf",
            Some(Format::CustomCsv),
            file(people(0..5)),
            downloaded,
        )
        .unwrap();
    assert_eq!(store.state("eu_fsf").unwrap().validators.len(), 1);
    let from_disk = ImportOrigin {
        files: vec![FileOrigin {
            name: "list.txt".into(),
            url: Some("file:///tmp/list.txt".into()),
            ..FileOrigin::default()
        }],
        ..ImportOrigin::default()
    };
    store
        .import(
            "eu_fsf",
            Some(Format::CustomCsv),
            file(people(0..6)),
            from_disk,
        )
        .unwrap();
    assert!(store.state("eu_fsf").unwrap().validators.is_empty());
}

#[test]
fn concurrent_imports_of_one_list_are_serialised() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open_with(dir.path(), config()).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let store = std::sync::Arc::clone(&store);
            std::thread::spawn(move || import(&store, people(0..100 + i)).map(|o| o.meta().clone()))
        })
        .collect();
    let mut metas: Vec<VersionMeta> = handles
        .into_iter()
        .map(|h| h.join().unwrap().unwrap())
        .collect();
    metas.sort_by(|a, b| a.version.cmp(&b.version));
    let versions = store.versions("un_sc_sanctions");
    assert_eq!(versions, metas);
    // Each version was built on the one before it: no import lost another's update.
    assert_eq!(versions[0].previous, None);
    for pair in versions.windows(2) {
        assert_eq!(pair[1].previous.as_deref(), Some(pair[0].version.as_str()));
    }
    assert_eq!(
        store.current("un_sc_sanctions").unwrap().version,
        versions[3].version
    );
}

/// A version published by another replica: stored here under its own name
/// and record, current when newer, parsed again with this store's parser;
/// files that do not give the recorded count are refused.
#[test]
fn adopted_versions_keep_their_name_and_are_parsed_again() {
    let leader_dir = tempfile::tempdir().unwrap();
    let leader = Store::open_with(leader_dir.path(), config()).unwrap();
    let v1 = import(&leader, people(0..10)).unwrap().meta().clone();
    let v2 = import(&leader, people(0..12)).unwrap().meta().clone();
    let raw = |m: &VersionMeta| file(leader.read_raw(&m.list_id, &m.version, "list.txt").unwrap());

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).unwrap();
    store.adopt(&v2, raw(&v2)).unwrap();
    assert_eq!(store.current(&v2.list_id), Some(v2.clone()));
    assert_eq!(
        store.load_entities(&v2.list_id, &v2.version).unwrap(),
        leader.load_entities(&v2.list_id, &v2.version).unwrap()
    );
    // An older version is stored for diffs, and stays not current.
    store.adopt(&v1, raw(&v1)).unwrap();
    assert_eq!(
        store.current(&v1.list_id).map(|m| m.version),
        Some(v2.version.clone())
    );
    assert_eq!(
        store
            .changes(&v1.list_id, &v1.version, &v2.version)
            .unwrap()
            .added
            .len(),
        2
    );
    // Files that do not hold what the record says are refused.
    let mut forged = v2.clone();
    forged.version = next_version_name(now_utc(), Some(&v2.version), &v2.sha256);
    let err = store.adopt(&forged, file(people(0..3))).unwrap_err();
    assert!(err.to_string().contains("3 entities"), "{err}");
    assert_eq!(
        store.current(&v2.list_id).map(|m| m.version),
        Some(v2.version)
    );
    // The store reopens cleanly (the refused version left nothing behind).
    drop(store);
    let store = Store::open_with(dir.path(), config()).unwrap();
    assert_eq!(store.versions(&forged.list_id).len(), 2);
}
