//! The scoring features documented in `docs/API.md` are the scorer's own
//! table: the section between the markers is generated from
//! `matching::features`, and this test fails when the two differ.
//! `SCREENER_WRITE_DOCS=1 cargo test --test feature_docs` rewrites it.

use screener::matching::DEFAULT_WEIGHTS;
use screener::matching::features::{FEATURES, markdown_table};

const BEGIN: &str = "<!-- features:begin";
const END: &str = "<!-- features:end -->";

#[test]
fn docs_list_the_feature_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/API.md");
    let doc = std::fs::read_to_string(&path).expect("docs/API.md readable");
    let begin = doc.find(BEGIN).expect("begin marker in docs/API.md");
    let body_start = begin + doc[begin..].find("-->\n").expect("end of begin marker") + 4;
    let end = doc.find(END).expect("end marker in docs/API.md");
    let generated = markdown_table(&DEFAULT_WEIGHTS);
    if std::env::var_os("SCREENER_WRITE_DOCS").is_some() {
        let updated = format!("{}{generated}{}", &doc[..body_start], &doc[end..]);
        std::fs::write(&path, updated).expect("docs/API.md writable");
        return;
    }
    assert_eq!(
        &doc[body_start..end],
        generated,
        "docs/API.md is out of date: run SCREENER_WRITE_DOCS=1 cargo test --test feature_docs"
    );
    // Every feature is there, in table order.
    let mut at = body_start;
    for f in &FEATURES {
        let found = doc[at..end]
            .find(&format!("`{}`", f.name))
            .unwrap_or_else(|| panic!("{} missing or out of order", f.name));
        at += found;
    }
}

/// The weights each feature names are the fields of `Weights` it reads.
#[test]
fn features_name_real_weights() {
    let debug = format!("{DEFAULT_WEIGHTS:?}");
    for f in &FEATURES {
        assert!(!f.weights.is_empty(), "{} names no weight", f.name);
        for (name, value) in f.weights {
            let field = format!(" {name}: ");
            let at = debug
                .find(&field)
                .unwrap_or_else(|| panic!("{}: no weight named {name}", f.name));
            let shown: f64 = debug[at + field.len()..]
                .split([',', ' '])
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name}: no number in {debug}"));
            assert_eq!(shown, value(&DEFAULT_WEIGHTS), "{}: {name}", f.name);
        }
    }
}
