//! Bad secondary fields never stop screening: on every default list of
//! `../shared/lists-raw`, a birth date that is not a date, a country that is
//! not a country and an identifier that is not one are left out of scoring
//! and named in a warning, while the name is screened as without them. A
//! date that reads two ways is screened under both. The bad input of issue
//! 10 (five scripts, 200 name parts, a zero date, free-text countries) gives
//! bounded work and warnings, never an error. Listed facts were looked up in
//! OFAC SDN sdn.csv (2024-05-03): 35096 PUTIN, Vladimir Vladimirovich, DOB
//! 07 Oct 1952; 37444 GRACEFUL, vessel, IMO 1011551.

use screener::analysis::{MAX_TOKENS, MAX_VARIANTS};
use screener::eval;
use screener::matching::batch::{self, InputFormat};
use screener::matching::{Matcher, Query, ScreenOptions, Screening, compare};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

const PUTIN: &str = "us_ofac_sdn:35096";

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let index = eval::index_manifest_defaults(&eval::default_manifest_for_tests())
            .unwrap_or_else(|e| panic!("{e}"));
        Matcher::new(Arc::new(index))
    })
}

fn screen(q: &Query) -> Screening {
    matcher()
        .screen(q, &ScreenOptions::default())
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
}

fn putin(birth_date: Option<&str>) -> Query {
    Query {
        name: "Vladimir Putin".into(),
        schema: Some("Person".into()),
        birth_date: birth_date.map(str::to_string),
        lists: vec!["us_ofac_sdn".into()],
        ..Query::default()
    }
}

/// The result for Putin's listing, which must be there.
fn putin_result(s: &Screening) -> &screener::matching::MatchResult {
    s.matches
        .iter()
        .find(|m| m.entity.id == PUTIN)
        .unwrap_or_else(|| panic!("{PUTIN} not found: {s:?}"))
}

fn birth_date_effect(s: &Screening) -> Option<f64> {
    putin_result(s)
        .explanation
        .qualifiers
        .iter()
        .find(|q| q.feature == "birthDate")
        .map(|q| q.effect)
}

#[test]
fn unreadable_birth_dates_are_left_out_with_a_warning() {
    let without = screen(&putin(None));
    assert!(without.warnings.is_empty(), "{:?}", without.warnings);
    let base = putin_result(&without).score;
    for bad in [
        "1974-01-32",
        "1952-13-07",
        "0000-00-00",
        "yesterday",
        "31/02/1952",
    ] {
        let s = screen(&putin(Some(bad)));
        assert_eq!(s.warnings.len(), 1, "{bad}: {:?}", s.warnings);
        let w = &s.warnings[0];
        assert_eq!((w.field.as_str(), w.value.as_str()), ("birthDate", bad));
        assert!(w.message.contains("left out of scoring"), "{}", w.message);
        // Screened as if no date had been given.
        assert_eq!(putin_result(&s).score, base, "{bad}");
        assert_eq!(birth_date_effect(&s), None, "{bad}");
        assert!(putin_result(&s).is_match, "{bad}");
    }
    // A year before any listed person was born is not a birth date either.
    let s = screen(&putin(Some("1402-06-24")));
    assert_eq!(s.warnings[0].field, "birthDate");
    assert_eq!(birth_date_effect(&s), None);
}

#[test]
fn ambiguous_dates_are_screened_under_both_readings() {
    // Listed: 7 October 1952. Either order of day and month finds it.
    for typed in ["07/10/1952", "10/07/1952", "07-10-1952"] {
        let s = screen(&putin(Some(typed)));
        assert_eq!(s.warnings.len(), 1, "{typed}: {:?}", s.warnings);
        let w = &s.warnings[0];
        assert_eq!(w.field, "birthDate");
        assert!(
            w.message.contains("1952-10-07") && w.message.contains("1952-07-10"),
            "{}",
            w.message
        );
        let exact = matcher().weights().birth_date_exact_bonus;
        assert_eq!(birth_date_effect(&s), Some(exact), "{typed}");
    }
    // Unambiguous forms are read silently.
    for typed in ["1952-10-07", "7 Oct 1952", "October 7, 1952", "07.10.1952"] {
        let s = screen(&putin(Some(typed)));
        assert!(s.warnings.is_empty(), "{typed}: {:?}", s.warnings);
        let exact = matcher().weights().birth_date_exact_bonus;
        assert_eq!(birth_date_effect(&s), Some(exact), "{typed}");
    }
    // Only one reading valid: silent, and it is the one used (25 October,
    // the same year: neither agrees nor conflicts).
    for typed in ["25/10/1952", "10/25/1952"] {
        let s = screen(&putin(Some(typed)));
        assert!(s.warnings.is_empty(), "{typed}: {:?}", s.warnings);
        assert_eq!(birth_date_effect(&s), None, "{typed}");
    }
    // A month and year fit the listed date.
    let s = screen(&putin(Some("10/1952")));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(
        birth_date_effect(&s),
        Some(matcher().weights().birth_year_bonus)
    );
    // Both readings conflict: the date still lowers the score.
    let s = screen(&putin(Some("03/04/1960")));
    assert_eq!(s.warnings.len(), 1);
    assert!(birth_date_effect(&s).is_some_and(|e| e < 0.0));
}

#[test]
fn free_text_countries_and_malformed_identifiers_warn() {
    let mut q = putin(None);
    q.countries = vec![
        "Russia".into(),
        "Middle Earth".into(),
        "somewhere in Europe".into(),
        " ".into(),
    ];
    let s = screen(&q);
    let fields: Vec<(&str, &str)> = s
        .warnings
        .iter()
        .map(|w| (w.field.as_str(), w.value.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("countries", "Middle Earth"),
            ("countries", "somewhere in Europe")
        ]
    );
    let country = putin_result(&s)
        .explanation
        .qualifiers
        .iter()
        .find(|q| q.feature == "country")
        .expect("the readable country counts");
    assert!(country.effect > 0.0, "{country:?}");

    // OFAC SDN 37444 GRACEFUL, IMO 1011551 (listed as the number alone).
    let long = "9".repeat(300);
    let q = Query {
        name: "Graceful".into(),
        schema: Some("Vessel".into()),
        identifiers: vec!["12".into(), "1011551".into(), long.clone(), "--".into()],
        ..Query::default()
    };
    let s = screen(&q);
    let warned: Vec<&str> = s.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(warned, ["identifiers"; 3], "{:?}", s.warnings);
    assert_eq!(s.warnings[0].value, "12");
    assert!(s.warnings[1].value.chars().count() <= 101, "quoted in part");
    let top = &s.matches[0];
    assert_eq!(top.entity.id, "us_ofac_sdn:37444");
    assert!(
        top.explanation
            .qualifiers
            .iter()
            .any(|q| q.feature == "identifier" && q.detail.contains("1011551")),
        "{:?}",
        top.explanation.qualifiers
    );
}

#[test]
fn only_the_name_stops_a_query() {
    for name in ["", "  ", "?!"] {
        let mut q = Query::name(name);
        q.birth_date = Some("1974-01-32".into());
        assert!(matcher().screen(&q, &ScreenOptions::default()).is_err());
    }
    // Too many countries or identifiers is a request out of bounds (the
    // API schema says so), not a bad field.
    let mut q = putin(Some("1952-10-07"));
    q.countries = vec!["ru".into(); 40];
    assert!(matcher().screen(&q, &ScreenOptions::default()).is_err());
}

/// Five writing systems, 200 name parts, a zero date and free-text
/// countries: bounded work (the analysed query stays within the bounds of
/// `analysis`), a result, and warnings.
#[test]
fn issue_10_bad_input_gives_bounded_work_and_warnings() {
    let five_scripts = Query::name("Vladimir Путин محمد 金正恩 Αλέξης");
    let parts: Vec<String> = (0..200)
        .map(|i| {
            let letter = |n: usize| char::from(b'a' + (n % 26) as u8);
            format!("{}{}{}", letter(i / 26 + 1), letter(i), letter(i * 7 + 3))
        })
        .collect();
    let many_parts = Query::name(format!("Vladimir Putin {}", parts.join(" ")));
    let zero_date = Query {
        birth_date: Some("0000-00-00".into()),
        ..putin(None)
    };
    let free_text = Query {
        countries: vec![
            "the country of my birth".into(),
            "Islamic Republic of Iran".into(),
            "UNKNOWN".into(),
        ],
        ..putin(None)
    };
    for (q, field, says) in [
        (&five_scripts, "name", "5 writing systems"),
        (&many_parts, "name", "only the first"),
        (&zero_date, "birthDate", "not a date"),
        (&free_text, "countries", "not a country"),
    ] {
        let prepared = q.prepare().unwrap_or_else(|e| panic!("{e}"));
        let name = &prepared.query.name;
        assert!(name.variants.len() <= MAX_VARIANTS);
        assert!(name.variants.iter().all(|v| v.tokens.len() <= MAX_TOKENS));
        let s = screen(q);
        assert!(
            s.warnings
                .iter()
                .any(|w| w.field == field && w.message.contains(says)),
            "{field} {says}: {:?}",
            s.warnings
        );
    }
    // Iran by its long name is a country; the other two are not.
    let s = screen(&free_text);
    assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
}

/// The batch job (what `screener screen` and the NDJSON endpoint run):
/// rows with bad secondary fields are screened and carry warnings; only a
/// row without a usable name is an error.
#[test]
fn batch_rows_carry_warnings_not_errors() {
    let input = [
        r#"{"id": "a", "name": "Vladimir Putin", "schema": "Person", "birthDate": "1974-13-01", "lists": ["us_ofac_sdn"]}"#,
        r#"{"id": "b", "name": "Vladimir Putin", "countries": ["Atlantis"], "lists": ["us_ofac_sdn"]}"#,
        r#"{"id": "c", "name": "Vladimir Putin", "birthDate": "1952-10-07", "lists": ["us_ofac_sdn"]}"#,
        r#"{"id": "d", "name": "", "birthDate": "1974-13-01"}"#,
    ]
    .join("\n");
    let mut out = Vec::new();
    let summary = batch::run(
        matcher(),
        input.as_bytes(),
        InputFormat::Jsonl,
        &mut out,
        &ScreenOptions::default(),
        |_| {},
    )
    .expect("runs");
    assert_eq!((summary.rows, summary.errors, summary.warnings), (4, 1, 2));
    let rows: Vec<Value> = String::from_utf8(out)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    for (row, field) in rows.iter().zip(["birthDate", "countries"]) {
        assert_eq!(row["warnings"][0]["field"], field, "{row}");
        assert_eq!(row["matches"][0]["entity"]["id"], PUTIN, "{row}");
        assert!(row.get("error").is_none(), "{row}");
    }
    assert!(rows[2].get("warnings").is_none(), "{}", rows[2]);
    assert!(rows[3]["error"].is_string(), "{}", rows[3]);

    let csv = "id,name,birthDate,countries\nx,Vladimir Putin,07/10/1952,ru;Narnia\n";
    let mut out = Vec::new();
    batch::run(
        matcher(),
        csv.as_bytes(),
        InputFormat::Csv,
        &mut out,
        &ScreenOptions::default(),
        |_| {},
    )
    .expect("runs");
    let row: Value = serde_json::from_slice(&out).expect("one JSON line");
    let fields: Vec<&str> = row["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["field"].as_str())
        .collect();
    assert_eq!(fields, ["birthDate", "countries"], "{row}");
}

/// Comparing two records warns about either side's fields, named `a.` / `b.`.
#[test]
fn compare_names_the_side_of_each_warning() {
    let a = Query {
        birth_date: Some("1952-10-32".into()),
        ..putin(None)
    };
    let b = Query {
        countries: vec!["Oz".into()],
        ..Query::name("PUTIN, Vladimir Vladimirovich")
    };
    let c = compare(&a, &b, None).expect("compares");
    assert!(c.is_match, "{c:?}");
    let fields: Vec<&str> = c.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(fields, ["a.birthDate", "b.countries"]);
}
