//! The whole pipeline on real data: the default lists of
//! `../shared/lists-raw` parsed, indexed and screened, with real listed names
//! (typed from the list files) and perturbations of them, namesake separation
//! by birth date and entity type, bad input, and explanations.

use screener::eval;
use screener::matching::{Matcher, Query, ScreenOptions, compare};
use std::sync::{Arc, OnceLock};

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let index = eval::index_manifest_defaults(&eval::default_manifest_for_tests())
            .unwrap_or_else(|e| panic!("{e}"));
        Matcher::new(Arc::new(index))
    })
}

fn top(q: Query) -> Option<screener::matching::MatchResult> {
    matcher()
        .screen(&q, &ScreenOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .matches
        .into_iter()
        .next()
}

fn person(name: &str, lists: &[&str]) -> Query {
    Query {
        name: name.to_string(),
        schema: Some("Person".into()),
        lists: lists.iter().map(|s| s.to_string()).collect(),
        ..Query::default()
    }
}

/// A record of the given schema with only a name.
fn named(name: &str, schema: &str) -> Query {
    Query {
        name: name.to_string(),
        schema: Some(schema.into()),
        ..Query::default()
    }
}

/// Listed names and perturbations of them find the listed party first, and alert.
#[test]
fn listed_parties_and_their_perturbations_alert() {
    // (query, expected entity id); the listed spellings are in the comments.
    let cases = [
        // OFAC SDN 6365 "BIN LADIN, Usama bin Muhammad bin Awad"
        (
            "Usama bin Muhammad bin Awad BIN LADIN",
            "us_ofac_sdn",
            "us_ofac_sdn:6365",
        ),
        ("Osama bin Laden", "us_ofac_sdn", "us_ofac_sdn:6365"),
        // UN QDi.001 "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE" — reordered, case,
        // and its original-script name
        (
            "zidane mohammed salahaldin abd el halim",
            "un_sc_sanctions",
            "un_sc_sanctions:QDi.001",
        ),
        (
            "محمد صلاح الدين عبدالحليم زيدان",
            "un_sc_sanctions",
            "un_sc_sanctions:QDi.001",
        ),
        // OFAC SDN 41103 "SHUMKOV, Vadim Mikhailovich" — typo
        (
            "Vatim Mikhailovich SHUMKOV",
            "us_ofac_sdn",
            "us_ofac_sdn:41103",
        ),
        // OFAC SDN 21230 "RESHETNIKOV, Leonid" — lower case, order
        ("leonid reshetnikov", "us_ofac_sdn", "us_ofac_sdn:21230"),
    ];
    for (q, list, expected) in cases {
        let hit = top(person(q, &[list])).unwrap_or_else(|| panic!("{q}: no result"));
        assert_eq!(hit.entity.id, expected, "{q}: {}", hit.explanation.summary);
        assert!(hit.is_match, "{q}: {}", hit.explanation.summary);
    }
}

/// Restricting a search to some lists returns parties of those lists only,
/// and still finds the listed party there.
#[test]
fn list_restriction_is_exact() {
    let m = matcher();
    let opts = ScreenOptions {
        limit: 20,
        min_score: 0.0,
        ..ScreenOptions::default()
    };
    for lists in [
        vec!["un_sc_sanctions"],
        vec!["us_ofac_sdn", "eu_fsf"],
        vec!["sanctions"],
    ] {
        let allowed = m
            .resolve_lists(&lists.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap_or_else(|e| panic!("{e}"))
            .expect("a restriction");
        let results = m
            .screen(&person("Mohammed Ali Hassan", &lists), &opts)
            .unwrap_or_else(|e| panic!("{e}"))
            .matches;
        assert!(results.len() >= 5, "{lists:?}: {} results", results.len());
        for r in &results {
            assert!(
                r.entity.datasets.iter().any(|d| allowed.contains(d)),
                "{lists:?}: {} is from {:?}",
                r.entity.id,
                r.entity.datasets
            );
        }
    }
    // UN QDi.001 "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE" is also on other
    // lists; restricted to the UN list the UN record is the one found.
    let hit = top(person("Mohammed Salahaldin Zidane", &["un_sc_sanctions"])).expect("a result");
    assert_eq!(hit.entity.id, "un_sc_sanctions:QDi.001");
}

/// A name written in Cyrillic finds the Latin-script listing of the same person.
#[test]
fn cyrillic_query_finds_latin_listing() {
    let hit = top(person("Вадим Михайлович Шумков", &["us_ofac_sdn"])).expect("a result");
    assert_eq!(
        hit.entity.id, "us_ofac_sdn:41103",
        "{}",
        hit.explanation.summary
    );
    assert!(hit.is_match);
    assert!(
        hit.explanation
            .tokens
            .iter()
            .any(|t| t.listed.contains("shumkov")),
        "explanation names the aligned parts: {:?}",
        hit.explanation.tokens
    );
}

/// A conflicting birth date lowers the score of a namesake below the alert.
#[test]
fn birth_date_separates_namesakes() {
    let mut q = person("Leonid RESHETNIKOV", &["us_ofac_sdn"]);
    let same = top(q.clone()).expect("a result");
    // The listed Leonid Reshetnikov was born in 1947.
    q.birth_date = Some("1990-05-01".into());
    let other = top(q).expect("a result");
    assert_eq!(other.entity.id, same.entity.id);
    assert!(
        other.score < same.score,
        "{} vs {}",
        other.score,
        same.score
    );
    assert!(!other.is_match, "{}", other.explanation.summary);
    assert!(
        other
            .explanation
            .qualifiers
            .iter()
            .any(|x| x.feature == "birthDate" && x.effect < 0.0)
    );
}

/// A common single token never alerts on its own.
#[test]
fn common_single_tokens_do_not_alert() {
    for name in ["Mohammed", "Trading", "Bank", "Ali"] {
        let res = matcher()
            .screen(&Query::name(name), &ScreenOptions::default())
            .expect("screens")
            .matches;
        assert!(
            res.iter().all(|m| !m.is_match),
            "{name} alerted: {:?}",
            res.first().map(|m| &m.explanation.summary)
        );
    }
}

/// Bad input gives a clear error, never a panic, and bounded work.
#[test]
fn bad_input_is_refused_clearly() {
    let opts = ScreenOptions::default();
    for (name, expect) in [
        ("", "empty"),
        ("   \t ", "empty"),
        ("!!! ??? ...", "no letters"),
    ] {
        let err = matcher().screen(&Query::name(name), &opts).unwrap_err();
        assert!(err.to_string().contains(expect), "{name:?}: {err}");
    }
    let long = "a".repeat(10_000);
    let err = matcher().screen(&Query::name(long), &opts).unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
    // Emoji, control characters and mixed scripts are screened, not refused.
    for name in ["🙂 Ahmed 🙂", "Ivan\u{0007}ov", "Иван Petrov محمد"] {
        matcher()
            .screen(&Query::name(name), &opts)
            .expect("screens");
    }
    let mut q = Query::name("Ivan Petrov");
    q.lists = vec!["no_such_list".into()];
    let err = matcher().screen(&q, &opts).unwrap_err();
    assert!(err.to_string().contains("no_such_list"), "{err}");
}

/// Two records compare with a score and a readable explanation.
#[test]
fn compare_explains_the_score() {
    let c = compare(
        &Query::name("Sergei Lavrov"),
        &Query::name("Sergey Viktorovich LAVROV"),
        None,
    )
    .expect("compares");
    assert!(c.is_match, "{c:?}");
    let e = c.explanation.expect("explanation");
    assert!(e.summary.contains("lavrov"), "{}", e.summary);
    let c = compare(
        &Query::name("Angela Merkel"),
        &Query::name("Angelo Cruz"),
        None,
    )
    .expect("compares");
    assert!(!c.is_match, "{c:?}");
}

/// Middle names the listing leaves out cost less than extra names at the
/// edges, unless the listing has a different middle name of its own.
#[test]
fn left_out_middle_names_cost_less() {
    let score = |a: &str, b: &str| {
        let p = |n: &str| named(n, "Person");
        compare(&p(a), &p(b), None)
            .unwrap_or_else(|e| panic!("{e}"))
            .score
    };
    // OFAC SDN 11982 "AL-RIMI, Qasim": father's and grandfather's names in the middle.
    let middle = score("Qasim Muhammad Mahdi Rimi", "RIMI, Qasim");
    let edge = score("Muhammad Mahdi Qasim Rimi", "RIMI, Qasim");
    assert!(middle > edge + 0.05, "middle {middle} edge {edge}");
    // Different patronymics on both sides are a difference, not an omission.
    let omitted = score("Vyacheslav Demidovich Tikhonov", "TIKHONOV, Vyacheslav");
    let conflicting = score(
        "Vyacheslav Demidovich Tikhonov",
        "TIKHONOV, Vyacheslav Gennadievich",
    );
    assert!(
        omitted > conflicting,
        "omitted {omitted} conflicting {conflicting}"
    );
}

fn org_score(a: &str, b: &str) -> f64 {
    let o = |n: &str| named(n, "Organization");
    compare(&o(a), &o(b), None)
        .unwrap_or_else(|e| panic!("{e}"))
        .score
}

/// Legal forms written together with a name word, moved to the front, split
/// around the name or misspelt still read as the same legal form (names from
/// OFAC SDN 30412, 48059, 44601, 42136, 47595).
#[test]
fn mangled_legal_forms_still_match() {
    let threshold = screener::matching::DEFAULT_WEIGHTS.threshold;
    for (query, listed) in [
        ("DAYCOMPANY", "DAY COMPANY"),
        ("S.A. INTELLEXA", "INTELLEXA S.A."),
        (
            "KG OZEAN DEVELOPMENT REAL ESTATE GMBH & CO.",
            "OZEAN DEVELOPMENT REAL ESTATE GMBH & CO. KG",
        ),
        (
            "COMPANY USM METALLOINVEST LIMITED LIABILITY",
            "USM METALLOINVEST LIMITED LIABILITY COMPANY",
        ),
        (
            "LIoITED LIABILITY COMPANY BODOR",
            "LIMITED LIABILITY COMPANY BODOR",
        ),
    ] {
        let s = org_score(query, listed);
        assert!(s >= threshold, "{query} / {listed}: {s}");
    }
    // A legal form of another family is a difference (AG is a joint-stock
    // company, GmbH a limited-liability one); "Co." fits any.
    let other_family = org_score("Deutsche Bank GmbH", "Deutsche Bank AG");
    let same_family = org_score("Deutsche Bank Aktiengesellschaft", "Deutsche Bank AG");
    assert!(other_family < same_family, "{other_family} {same_family}");
    assert!(org_score("HOMS REFINERY CORPORATION", "The Homs Refinery Company") >= threshold);
}

/// A full name written as one word matches every part of the listed name,
/// so it is not a one-part match; Chinese syllables do not join with a typo.
#[test]
fn names_written_together_match_all_their_parts() {
    let p = |n: &str| named(n, "Person");
    let c = compare(&p("VladimirPutin"), &p("Vladimir Putin"), None).expect("compares");
    assert!(c.is_match, "{c:?}");
    let c = compare(&p("张莉"), &p("ZHANG, Lei"), None).expect("compares");
    assert!(!c.is_match, "{c:?}");
}

/// Acronyms, numbers in words, bracketed qualifiers and the numbers that
/// tell funds and units apart.
#[test]
fn acronyms_numbers_and_brackets() {
    let threshold = screener::matching::DEFAULT_WEIGHTS.threshold;
    for (query, listed) in [
        ("PLA", "People's Liberation Army"),
        ("Brigade Forty-Four", "Brigade 44"),
        ("1st International Bank", "First International Bank"),
        ("Deutsche Bank AG", "Deutsche Bank (Schweiz) AG"),
        ("Al Qaeda", "Al-Qa'ida/Islamic Army"),
        ("Faberlic", "FABERLIC EUROPE Sp. z o.o."),
        // A longer word with a typo still alerts (OFAC SDN 44965).
        ("MOSINZHPROYEKT", "AKTSIONERNOE OBSHCHESTVO MOSINZHPROEKT"),
    ] {
        let s = org_score(query, listed);
        assert!(s >= threshold, "{query} / {listed}: {s}");
    }
    for (query, listed) in [
        ("C.B.A. Company", "A.B.C. Company"),
        ("Government of Estonia", "Government of Ethiopia"),
        // One short word one letter off another (OFAC SDN 34058 "OPERA").
        ("Oprea", "OPERA"),
        ("Brigade 45", "Brigade 44"),
        (
            "Nantahala Capital Offshore Fund, Ltd.",
            "Nantahala Capital Offshore Fund II, Ltd.",
        ),
    ] {
        let s = org_score(query, listed);
        assert!(s < threshold, "{query} / {listed}: {s}");
    }
    let p = |n: &str| named(n, "Person");
    let c = compare(&p("JC Juncker"), &p("Jean-Claude Juncker"), None).expect("compares");
    assert!(c.is_match, "{c:?}");
    let c = compare(&p("rimaldiV nituP"), &p("Vladimir Putin"), None).expect("compares");
    assert!(c.is_match, "{c:?}");
}

/// A Korean or Chinese name met only through its romanisation does not
/// alert on the name alone; a matching birth date lifts it.
#[test]
fn romanised_chinese_and_korean_names_need_more_than_the_name() {
    let threshold = screener::matching::DEFAULT_WEIGHTS.threshold;
    let p = |n: &str, dob: Option<&str>| Query {
        name: n.to_string(),
        schema: Some("Person".into()),
        birth_date: dob.map(str::to_string),
        ..Query::default()
    };
    // OFAC SDN 16084 "KIM, Chol Sam", born 11 Mar 1971.
    let alone = compare(&p("金铁三", None), &p("KIM, Chol Sam", None), None).expect("compares");
    assert!(alone.score < threshold, "{alone:?}");
    let with_date = compare(
        &p("金铁三", Some("1971-03-11")),
        &p("KIM, Chol Sam", Some("1971-03-11")),
        None,
    )
    .expect("compares");
    assert!(with_date.is_match, "{with_date:?}");
    // The same name written in Latin letters alerts on the name.
    let latin =
        compare(&p("Kim Chol Sam", None), &p("KIM, Chol Sam", None), None).expect("compares");
    assert!(latin.is_match, "{latin:?}");
}
