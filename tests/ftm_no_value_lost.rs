//! The FtM step ([`screener::model::ftm::conform`]) loses nothing: for every
//! file set of `MANIFEST.toml` (every parser, on the real files), each
//! party's (property, value) pairs as the parser wrote them
//! (`parse::parse_as_written`) are found again after the step, on the party,
//! on its linked `Sanction` / `CryptoWallet` entities, or in its `notes` as
//! `<property>: <value>`; and nothing appears after the step that was not
//! there before, but the derived `topics`.

mod common;

use screener::model::{Entity, LinkedSchema, Schema, ftm, prop};
use screener::parse;
use std::collections::BTreeMap;

type Pairs = BTreeMap<(String, String), usize>;

/// The property a value ends up under: FtM's name where it differs.
fn canonical(schema: Schema, property: &str) -> String {
    if property == prop::DELISTING_DATE {
        return prop::END_DATE.to_string();
    }
    for (schemata, from, to) in ftm::RENAMED {
        if schemata.contains(&schema) && *from == property {
            return to.to_string();
        }
    }
    property.to_string()
}

fn take(pairs: &mut Pairs, key: &(String, String)) -> bool {
    match pairs.get_mut(key) {
        Some(n) if *n > 1 => {
            *n -= 1;
            true
        }
        Some(_) => {
            pairs.remove(key);
            true
        }
        None => false,
    }
}

/// What of `before` the party `after` does not account for, and what it
/// has that `before` did not.
fn unaccounted(before: &Entity, after: &Entity) -> (Pairs, Vec<(String, String)>) {
    let mut left: Pairs = BTreeMap::new();
    for (p, values) in &before.properties {
        for v in values {
            *left
                .entry((canonical(before.schema, p), v.clone()))
                .or_default() += 1;
        }
    }
    let mut extra = Vec::new();
    let mut found = |left: &mut Pairs, p: &str, v: &str| {
        let key = (canonical(after.schema, p), v.to_string());
        if !take(left, &key) && p != prop::TOPICS {
            extra.push(key);
        }
    };
    for (p, values) in &after.properties {
        for v in values {
            if p == prop::NOTES && !take(&mut left, &(p.clone(), v.clone())) {
                // A value the FtM step moved to the notes.
                match v.split_once(": ") {
                    Some((q, rest)) => found(&mut left, q, rest),
                    None => found(&mut left, p, v),
                }
            } else if p != prop::NOTES {
                found(&mut left, p, v);
            }
        }
    }
    for l in &after.linked {
        match l.schema {
            LinkedSchema::Sanction => {
                for (p, values) in &l.properties {
                    for v in values {
                        found(&mut left, p, v);
                    }
                }
            }
            LinkedSchema::CryptoWallet => {
                for key in l.get(prop::PUBLIC_KEY) {
                    let forms: Vec<String> = l
                        .get(prop::CURRENCY)
                        .iter()
                        .flat_map(|c| [format!("{c}:{key}"), format!("{}:{key}", c.to_lowercase())])
                        .chain([key.clone()])
                        .collect();
                    let hit = forms
                        .iter()
                        .any(|f| take(&mut left, &(prop::CRYPTO_WALLET.to_string(), f.clone())));
                    if !hit {
                        found(&mut left, prop::CRYPTO_WALLET, key);
                    }
                }
            }
        }
    }
    (left, extra)
}

#[test]
fn every_parser_keeps_every_value_through_the_ftm_step() {
    let manifest = common::manifest();
    let mut checked = 0usize;
    let mut moved = 0usize;
    for set in &manifest.sets {
        let files = manifest.read_files(set).unwrap_or_else(|e| panic!("{e}"));
        let format = set.format().expect("known format");
        let written = parse::parse_as_written(format, &set.list, &files)
            .unwrap_or_else(|e| panic!("{:?}: {e}", set.files));
        let after = parse::parse(format, &set.list, &files)
            .unwrap_or_else(|e| panic!("{:?}: {e}", set.files));
        assert_eq!(written.entities.len(), after.entities.len());
        for (b, a) in written.entities.iter().zip(&after.entities) {
            assert_eq!(b.id, a.id);
            let (left, extra) = unaccounted(b, a);
            assert!(
                left.is_empty() && extra.is_empty(),
                "{:?} {}: lost {left:?}; appeared {extra:?}",
                set.files,
                b.id
            );
            checked += 1;
            moved += a.linked.len();
        }
    }
    assert!(checked > 50_000, "only {checked} parties");
    assert!(moved > 10_000, "only {moved} linked entities");
}

/// The comparison above can fail: a value dropped by the step is reported.
#[test]
fn a_dropped_value_is_reported() {
    let mut before = Entity::new("us_ofac_sdn", "1", Schema::Person);
    before.add(prop::NAME, "Jane DOE");
    before.add(prop::PROGRAM, "SDGT");
    before.add(prop::PHONE, "12345");
    let mut after = before.clone();
    ftm::conform(&mut after);
    assert_eq!(unaccounted(&before, &after), (BTreeMap::new(), vec![]));
    after.linked.clear();
    let (left, _) = unaccounted(&before, &after);
    assert_eq!(
        left,
        BTreeMap::from([((prop::PROGRAM.to_string(), "SDGT".to_string()), 1)])
    );
}
