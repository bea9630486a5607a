//! docs/API.md shows the topic mapping exactly as `src/model/topics.rs`
//! applies it (the one table), so the document cannot drift from the code.

use std::path::PathBuf;

#[test]
fn docs_api_shows_the_topic_table_of_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/API.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let table = screener::model::topics::table_markdown();
    assert!(
        doc.contains(&table),
        "docs/API.md (\"Topics\") must contain the table as the code has it:\n{table}"
    );
    // Every topic the table gives is one FtM knows.
    for line in table.lines().skip(2) {
        let topics = line.rsplit('|').nth(1).unwrap_or_default();
        for t in topics.split(',').map(|t| t.trim().trim_matches('`')) {
            assert!(screener::model::topics::is_topic(t), "{t} in {line}");
        }
    }
}
