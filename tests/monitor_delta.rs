//! A delta rescreen gives exactly the alerts of a full forward rescreen, on
//! the dev sets: customers made from the labelled positives (real listed
//! names, varied) and negatives, screened at the OFAC SDN list of 2021,
//! then the list moves to its 2024 version (thousands of parties added,
//! removed and changed, token frequencies crossing the commonness line).

mod common;

use common::postgres::Backend;
use screener::index::{LoadedList, ScreeningIndex};
use screener::model::Entity;
use screener::monitor::analysed;
use screener::monitor::customer::Customer;
use screener::monitor::store::{Alert, AlertStatus, CustomerToScore};
use screener::monitor::{Monitor, MonitorConfig, served_of};
use screener::sources::manifest::Manifest;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

fn ofac(published_prefix: &str) -> (String, Vec<Entity>) {
    let manifest = Manifest::load(&screener::eval::default_manifest_for_tests()).expect("manifest");
    let set = manifest
        .sets
        .iter()
        .find(|s| {
            s.list == "us_ofac_sdn"
                && s.format == "ofac_csv"
                && s.published
                    .as_deref()
                    .is_some_and(|p| p.starts_with(published_prefix))
        })
        .expect("OFAC SDN CSV set");
    let files = manifest.read_files(set).expect("files");
    let parsed =
        screener::parse::parse(set.format().expect("format"), &set.list, &files).expect("parse");
    (published_prefix.to_string(), parsed.entities)
}

fn served(version: &str, entities: Vec<Entity>) -> Arc<screener::service::Served> {
    let list = LoadedList {
        id: "us_ofac_sdn".into(),
        version: version.into(),
        entities: entities.len(),
    };
    let index = ScreeningIndex::build(
        vec![(list, entities)],
        BTreeSet::from(["us_ofac_sdn".to_string()]),
    )
    .expect("index");
    let versions = BTreeMap::from([("us_ofac_sdn".to_string(), version.to_string())]);
    Arc::new(served_of(index, &versions))
}

/// Customers from the dev sets: every 4th positive (with its birth date),
/// every 3rd typo, and 1,500 negatives.
fn customers() -> Vec<Customer> {
    let dev = screener::eval::default_dev_dir_for_tests();
    let mut out = Vec::new();
    for (file, step, cap) in [
        ("positives_ofac.csv", 4, 500),
        ("positives_typos.csv", 3, 500),
        ("negatives_faker.csv", 7, 1500),
    ] {
        let mut r = csv::Reader::from_path(dev.join(file)).expect("dev set");
        let h = r.headers().expect("header").clone();
        let col = |n: &str| h.iter().position(|x| x == n);
        let (name, schema, birth) = (col("query_name"), col("schema"), col("birth_date"));
        for (i, rec) in r
            .records()
            .enumerate()
            .filter(|(i, _)| i % step == 0)
            .take(cap)
        {
            let rec = rec.expect("row");
            let get = |c: Option<usize>| {
                c.and_then(|c| rec.get(c))
                    .map(str::to_string)
                    .filter(|s| !s.is_empty())
            };
            out.push(Customer {
                id: Some(format!("{file}:{i}")),
                name: get(name).unwrap_or_default(),
                schema: get(schema),
                birth_date: get(birth),
                ..Customer::default()
            });
        }
    }
    out
}

fn monitor(backend: Backend, dir: &std::path::Path) -> Monitor {
    let m = Monitor::new(backend.store(dir), MonitorConfig::default());
    m.load_customer_index().expect("index");
    m
}

fn no_load(_: &str, _: &str) -> Result<Vec<Entity>, String> {
    Err("not kept".into())
}

/// The matching alerts: (customer, entity, score to 1e-9).
fn matching(alerts: &[Alert]) -> BTreeSet<(String, String, i64)> {
    alerts
        .iter()
        .filter(|a| a.status.is_active() && a.matching)
        .map(|a| {
            (
                a.customer_id.clone(),
                a.entity_id.clone(),
                (a.score * 1e9).round() as i64,
            )
        })
        .collect()
}

fn delta_rescreen_equals_full_rescreen_on_the_dev_sets(backend: Backend) {
    let (v1, old) = ofac("2021-07-07");
    let (v2, new) = ofac("2024-05-03");
    let g1 = served(&v1, old);
    let g2 = served(&v2, new);
    let rows: Vec<Result<Customer, String>> = customers().into_iter().map(Ok).collect();
    assert!(rows.len() > 2000);

    // A: customers screened at the 2021 list, then a delta to 2024. Small
    // rescreen chunks: the delta screens each group of changed parties
    // against ranges of 250 customers (the default would make 8 ranges).
    let dir_a = tempfile::tempdir().expect("tmp");
    let a = monitor(backend, dir_a.path()).with_rescreen_chunk(5);
    a.advance(Arc::clone(&g1), None, &no_load)
        .expect("adopt v1");
    let written = a.put_customers(rows.clone(), "test").expect("write");
    assert_eq!(
        written.errors,
        0,
        "{:?}",
        written.results.iter().find(|r| r.error.is_some())
    );
    let before = a.store().all_current_alerts().expect("alerts");
    assert!(
        matching(&before).len() > 300,
        "{} alerts at v1",
        before.len()
    );
    let delta = a.advance(Arc::clone(&g2), None, &no_load).expect("delta");
    assert_eq!(delta.kind, "delta");
    assert!(
        delta.entities_added > 5000 && delta.entities_removed > 0 && delta.entities_changed > 0
    );
    assert!(delta.alerts_opened > 0, "{delta:?}");
    assert!(delta.alerts_delisted > 0, "{delta:?}");
    // Far fewer customers than the base are screened forward.
    assert!(delta.customers_screened < rows.len(), "{delta:?}");
    let after_delta = a.store().all_current_alerts().expect("alerts");

    // C: the same delta with the customers in fewer, wider ranges reports
    // the same.
    let dir_c = tempfile::tempdir().expect("tmp");
    let c = monitor(backend, dir_c.path());
    c.advance(Arc::clone(&g1), None, &no_load)
        .expect("adopt v1");
    c.put_customers(rows.clone(), "test").expect("write");
    let one_range = c.advance(Arc::clone(&g2), None, &no_load).expect("delta");
    let counts = |r: &screener::monitor::RescreenReport| {
        (
            r.entities_screened,
            r.customers_screened,
            r.alerts_opened,
            r.alerts_updated,
            r.alerts_delisted,
        )
    };
    assert_eq!(counts(&one_range), counts(&delta));
    let c_alerts = c.store().all_current_alerts().expect("alerts");
    assert_eq!(matching(&c_alerts), matching(&after_delta));

    // B: the same customers screened at 2024 from scratch.
    let dir_b = tempfile::tempdir().expect("tmp");
    let b = monitor(backend, dir_b.path());
    b.advance(Arc::clone(&g2), None, &no_load)
        .expect("adopt v2");
    b.put_customers(rows, "test").expect("write");
    let fresh = b.store().all_current_alerts().expect("alerts");
    let (d, f) = (matching(&after_delta), matching(&fresh));
    let only_delta: Vec<_> = d.difference(&f).take(5).collect();
    let only_full: Vec<_> = f.difference(&d).take(5).collect();
    assert!(
        only_delta.is_empty() && only_full.is_empty(),
        "delta has {} pairs, full {}; only after the delta: {only_delta:?}; only in the full screening: {only_full:?}",
        d.len(),
        f.len()
    );

    // And a full rescreen of A after the delta finds nothing to change.
    let full = a.rescreen_full().expect("full");
    assert_eq!(
        (full.alerts_opened, full.alerts_updated),
        (0, 0),
        "{full:?}"
    );
    assert_eq!(
        matching(&a.store().all_current_alerts().expect("alerts")),
        d
    );
    // Alerts on parties the 2024 list dropped are closed as delisted.
    let delisted = after_delta
        .iter()
        .filter(|x| x.status == AlertStatus::Delisted)
        .count();
    assert_eq!(delisted, delta.alerts_delisted);
    let chain = a.verify_audit().expect("verify");
    assert_eq!(chain.problem, None);
}
crate::on_both_backends!(delta_rescreen_equals_full_rescreen_on_the_dev_sets);

/// A reverse screening reads only what scoring a customer and writing its
/// alerts need: the same fields the full read gives, in the order asked,
/// a missing ordinal left out.
fn the_read_for_scoring_gives_the_full_reads_fields_in_the_order_asked(backend: Backend) {
    let (v1, old) = ofac("2021-07-07");
    let dir = tempfile::tempdir().expect("tmp");
    let m = monitor(backend, dir.path());
    m.advance(served(&v1, old), None, &no_load)
        .expect("adopt v1");
    let rows: Vec<Result<Customer, String>> = customers().into_iter().take(20).map(Ok).collect();
    m.put_customers(rows, "test").expect("write");
    let store = m.store();
    let mut ords: Vec<u32> = store
        .scan_customers(0, 100)
        .expect("scan")
        .iter()
        .rev()
        .map(|c| c.ord)
        .collect();
    assert_eq!(ords.len(), 20);
    ords.insert(3, u32::MAX - 1);
    let full = store.customers_by_ord(&ords).expect("full read");
    assert_eq!(full.len(), 20);
    // Each customer's names are stored as analysed, as analysing its
    // record gives them.
    for c in &full {
        let record: Customer = serde_json::from_str(&c.record).expect("record");
        let stored = c.analysis.as_deref().expect("analysis stored");
        assert_eq!(
            analysed::decode(stored),
            Some(analysed::analyse(&record)),
            "{}",
            c.id
        );
    }
    let lean = store.customers_to_score(&ords).expect("read for scoring");
    let expected: Vec<CustomerToScore> = full.into_iter().map(CustomerToScore::from).collect();
    assert_eq!(lean, expected);
    assert!(lean.windows(2).all(|w| w[0].ord > w[1].ord));
}

crate::on_both_backends!(the_read_for_scoring_gives_the_full_reads_fields_in_the_order_asked);

/// Customers stored without their analysed names (written before they
/// were kept) or with bytes that do not decode are analysed from their
/// records: the customer index loaded at start and a delta rescreen find
/// exactly what they find with the names kept, and the start stores the
/// names again.
fn customers_stored_without_usable_analyses_are_analysed_from_their_records(backend: Backend) {
    let (v1, old) = ofac("2021-07-07");
    let (v2, new) = ofac("2024-05-03");
    let g1 = served(&v1, old);
    let g2 = served(&v2, new);
    let rows: Vec<Result<Customer, String>> = customers().into_iter().step_by(2).map(Ok).collect();
    let after_delta = |spoil: bool| {
        let dir = tempfile::tempdir().expect("tmp");
        let database = backend.new_database(dir.path());
        let m = Monitor::new(common::postgres::open(&database), MonitorConfig::default());
        m.load_customer_index().expect("index");
        m.advance(Arc::clone(&g1), None, &no_load)
            .expect("adopt v1");
        m.put_customers(rows.clone(), "test").expect("write");
        drop(m);
        if spoil {
            common::postgres::execute_sql(
                &database,
                "UPDATE customers SET analysis = CASE WHEN ord % 2 = 0 THEN NULL ELSE x'00' END",
                "UPDATE customers SET analysis = CASE WHEN ord % 2 = 0 THEN NULL ELSE '\\x00'::bytea END",
            );
        }
        let store = common::postgres::open(&database);
        let unusable = || {
            let first = store.scan_customers(0, 20).expect("scan");
            first
                .iter()
                .filter(|c| c.analysis.as_deref().and_then(analysed::decode).is_none())
                .count()
        };
        assert_eq!(unusable(), if spoil { 20 } else { 0 });
        // Started again on the same database: the index is loaded from it,
        // and the names that had to be analysed again are stored again.
        let m = Monitor::new(Arc::clone(&store), MonitorConfig::default());
        assert_eq!(m.load_customer_index().expect("index"), rows.len());
        assert_eq!(unusable(), 0);
        if spoil {
            // A delta that reads them all from their records finds the same.
            common::postgres::execute_sql(
                &database,
                "UPDATE customers SET analysis = NULL",
                "UPDATE customers SET analysis = NULL",
            );
        }
        m.advance(Arc::clone(&g1), None, &no_load)
            .expect("v1 again");
        let delta = m.advance(Arc::clone(&g2), None, &no_load).expect("delta");
        assert_eq!(delta.kind, "delta");
        (
            matching(&m.store().all_current_alerts().expect("alerts")),
            delta.alerts_opened,
        )
    };
    let (kept, opened) = after_delta(false);
    assert!(
        opened > 0 && kept.len() > 100,
        "{opened} opened, {} alerts",
        kept.len()
    );
    assert_eq!(after_delta(true), (kept, opened));
}

crate::on_both_backends!(customers_stored_without_usable_analyses_are_analysed_from_their_records);
