//! End-to-end tests of name analysis on real listed names (typed in from the
//! OFAC SDN and UN lists) and on hostile input.

use super::*;
use proptest::prelude::*;

fn texts(toks: &[NameToken]) -> Vec<&str> {
    toks.iter().map(|t| t.text.as_str()).collect()
}

fn words(toks: &[NameToken]) -> Vec<&str> {
    toks.iter()
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text.as_str())
        .collect()
}

fn any_variant_has(a: &AnalyzedName, wanted: &[&str]) -> bool {
    a.variants.iter().any(|v| {
        let t = texts(v);
        wanted.iter().all(|w| t.contains(w))
    })
}

#[test]
fn bin_ladin() {
    let a = analyze_name("BIN LADIN, Usama bin Muhammad bin Awad", Some(false));
    assert_eq!(a.script, Script::Latin);
    assert_eq!(a.variants.len(), 1);
    assert_eq!(
        texts(a.primary()),
        ["bin", "ladin", "usama", "bin", "muhammad", "bin", "awad"]
    );
    assert_eq!(words(a.primary()), ["ladin", "usama", "muhammad", "awad"]);
}

#[test]
fn tikriti() {
    let a = analyze_name("Ibrahim Ahmad abd al-Sattar Muhammed AL-TIKRITI", None);
    assert_eq!(
        texts(a.primary()),
        [
            "ibrahim", "ahmad", "abd", "al", "sattar", "muhammed", "al", "tikriti"
        ]
    );
    assert_eq!(
        words(a.primary()),
        ["ibrahim", "ahmad", "sattar", "muhammed", "tikriti"]
    );
    assert_eq!(canonical_token("muhammed"), "muhammad");
}

#[test]
fn tikriti_in_arabic_script() {
    let a = analyze_name("إبراهيم أحمد عبد الستار محمد التكريتي", None);
    assert_eq!(a.script, Script::Arabic);
    assert_eq!(
        texts(a.primary()),
        [
            "ibrahim", "ahmad", "abd", "al", "star", "muhammad", "al", "tkriti"
        ]
    );
    let listed: Vec<String> = ["ibrahim", "ahmad", "sattar", "muhammed", "tikriti"]
        .iter()
        .map(|t| skeleton(t))
        .collect();
    let query: Vec<String> = words(a.primary()).iter().map(|t| skeleton(t)).collect();
    assert_eq!(query, listed);
}

#[test]
fn lavrov_in_cyrillic() {
    let a = analyze_name("Сергей Викторович Лавров", Some(false));
    assert_eq!(a.script, Script::Cyrillic);
    assert!(any_variant_has(&a, &["sergei", "lavrov"]));
    assert!(any_variant_has(&a, &["sergey", "lavrov"]));
    assert!(any_variant_has(&a, &["sergei", "viktorovich", "lavrov"]));
    assert!(a.variants.len() <= MAX_VARIANTS);
}

#[test]
fn muhammad_in_arabic_script() {
    let a = analyze_name("محمد", None);
    assert!(
        a.variants
            .iter()
            .flatten()
            .any(|t| skeleton(&t.text) == skeleton("muhammad"))
    );
    assert!(a.variants.iter().flatten().any(|t| t.text == "muhammad"));
}

#[test]
fn kim_jong_un_in_han_and_hangul() {
    let a = analyze_name("金正恩", Some(false));
    assert_eq!(a.script, Script::Han);
    assert_eq!(texts(a.primary()), ["jin", "zheng", "en"]);
    let a = analyze_name("김정은", Some(false));
    assert_eq!(a.script, Script::Hangul);
    assert!(any_variant_has(&a, &["kim", "jong", "un"]));
    assert!(any_variant_has(&a, &["gim", "jeong", "eun"]));
    assert!(any_variant_has(&a, &["kim", "jongun"]));
}

#[test]
fn tsipras_in_greek() {
    let a = analyze_name("Αλέξης Τσίπρας", Some(false));
    assert_eq!(a.script, Script::Greek);
    assert!(any_variant_has(&a, &["alexis", "tsipras"]));
    assert!(any_variant_has(&a, &["aleksis", "tsipras"]));
    assert!(any_variant_has(&a, &["cipras"]));
}

#[test]
fn indic_names() {
    let a = analyze_name("नरेन्द्र मोदी", Some(false));
    assert_eq!(a.script, Script::Devanagari);
    assert_eq!(texts(a.primary()), ["narendra", "modi"]);
    let b = analyze_name("শেখ হাসিনা", Some(false));
    assert_eq!(b.script, Script::Bengali);
    assert_eq!(texts(b.primary()), ["shekh", "hasina"]);
}

#[test]
fn organisation_abbreviations() {
    assert_eq!(canonical_token("trdg"), canonical_token("trading"));
    assert_eq!(canonical_token("intl"), canonical_token("international"));
    assert_eq!(canonical_token("mfg"), "manufacturing");
}

#[test]
fn confusables_and_invisible_characters() {
    let fake = analyze_name("Ѕаddаm Ниssеin", None);
    assert_eq!(texts(fake.primary()), ["saddam", "hussein"]);
    let zw = analyze_name("Sad\u{200B}dam Hus\u{200D}sein\u{2069}", None);
    assert_eq!(texts(zw.primary()), ["saddam", "hussein"]);
}

#[test]
fn apostrophes_and_hyphens() {
    assert_eq!(
        analyze_name("O'Brien", None).variants,
        analyze_name("OBrien", None).variants
    );
    assert_eq!(
        texts(analyze_name("Al-Qaida", None).primary()),
        ["al", "qaida"]
    );
    assert_eq!(
        texts(analyze_name("al Qaida", None).primary()),
        ["al", "qaida"]
    );
    assert_eq!(texts(analyze_name("Alqaida", None).primary()), ["alqaida"]);
    assert_eq!(
        texts(analyze_name("AL QA'IDA", None).primary()),
        ["al", "qaida"]
    );
}

#[test]
fn legal_forms() {
    let a = analyze_name("OOO ROMASHKA", None);
    let b = analyze_name("Romashka LLC", None);
    let c = analyze_name("Romashka Limited Liability Company", None);
    let d = analyze_name("ООО «Ромашка»", None);
    let e = analyze_name(
        "Obshchestvo s Ogranichennoy Otvetstvennostyu Romashka",
        None,
    );
    let f = analyze_name("Общество с ограниченной ответственностью «Ромашка»", None);
    for x in [&a, &b, &c, &d, &e, &f] {
        let legal: Vec<&str> = x
            .primary()
            .iter()
            .filter(|t| t.kind == TokenKind::LegalForm)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(legal, ["llc"], "{}", x.original);
        assert_eq!(words(x.primary()), ["romashka"], "{}", x.original);
    }
    let g = analyze_name("ANGLO-CARIBBEAN CO., LTD.", None);
    assert_eq!(texts(g.primary()), ["anglo", "caribbean", "ltd"]);
    let h = analyze_name("Siemens AG", None);
    assert_eq!(texts(h.primary()), ["siemens", "jsc"]);
}

#[test]
fn honorifics() {
    let a = analyze_name("Dr. Ayman al-Zawahiri", Some(false));
    assert_eq!(
        a.primary().first().map(|t| t.kind),
        Some(TokenKind::Honorific)
    );
    let b = analyze_name("Mullah Ahmed Shah NOORZAI", None);
    assert_eq!(words(b.primary()), ["ahmed", "shah", "noorzai"]);
}

#[test]
fn common_tokens() {
    for t in [
        "mohammed",
        "trading",
        "bank",
        "company",
        "international",
        "ali",
    ] {
        assert!(is_common_token(t), "{t}");
    }
    assert!(!is_common_token("zawahiri"));
}

#[test]
fn long_and_empty_input() {
    let long: String = "Muhammad ".repeat(2000);
    let a = analyze_name(&long, None);
    assert_eq!(a.original.chars().count(), MAX_NAME_CHARS);
    assert!(a.variants.iter().all(|v| v.len() <= MAX_TOKENS));
    let e = analyze_name("", None);
    assert_eq!(e.variants, vec![Vec::<NameToken>::new()]);
    assert_eq!(e.script, Script::Common);
}

#[test]
fn analysis_is_fast() {
    // Warm the tables, then time many analyses of a typical name. The bound
    // is generous (debug builds, shared machine); release builds take a few
    // microseconds.
    let _ = analyze_name("warm up", None);
    let start = std::time::Instant::now();
    let n = 2000;
    for _ in 0..n {
        let a = analyze_name("Ibrahim Ahmad AL-TIKRITI", None);
        assert_eq!(a.variants.len(), 1);
    }
    let per = start.elapsed() / n;
    assert!(per < std::time::Duration::from_micros(200), "{per:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_panic_and_bounded_output(s in "\\PC{0,200}") {
        let a = analyze_name(&s, None);
        prop_assert!(!a.variants.is_empty() && a.variants.len() <= MAX_VARIANTS);
        for v in &a.variants {
            prop_assert!(v.len() <= MAX_TOKENS);
            for t in v {
                prop_assert!(t.text.len() <= MAX_TOKEN_LEN);
                prop_assert!(t.text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
                let _ = phonetic_key(&t.text);
                let _ = skeleton(&t.text);
                let _ = canonical_token(&t.text);
                let _ = is_common_token(&t.text);
            }
        }
        let latin = to_latin(&s);
        prop_assert!(!latin.is_empty() && latin.len() <= MAX_VARIANTS);
    }

    #[test]
    fn no_panic_on_raw_strings(s in any::<String>()) {
        let _ = fold(&s);
        let _ = detect_script(&s);
        let _ = canonical_token(&s);
        let _ = phonetic_key(&s);
        let _ = skeleton(&s);
        let _ = is_common_token(&s);
        let _ = analyze_name(&s, Some(true));
        let _ = analyze_name(&s, Some(false));
    }

    #[test]
    fn long_inputs_of_mixed_scripts(parts in proptest::collection::vec(
        prop_oneof![
            Just("Мухаммад "), Just("محمد "), Just("金正恩"), Just("김정은 "), Just("Τσίπρας "),
            Just("שלום "), Just("\u{200B}"), Just("😀"), Just("\u{0007}"), Just("LLC "),
            Just("a"), Just("-"), Just("ﷺ"), Just("\u{0301}"),
        ],
        0..2000,
    )) {
        let s: String = parts.concat();
        let a = analyze_name(&s, None);
        prop_assert!(a.variants.len() <= MAX_VARIANTS);
        prop_assert!(a.variants.iter().all(|v| v.len() <= MAX_TOKENS));
    }
}

#[test]
fn ten_thousand_characters() {
    let s: String = "Ж😀ب金김α\u{200D}x-".chars().cycle().take(10_000).collect();
    let a = analyze_name(&s, None);
    assert!(a.variants.len() <= MAX_VARIANTS);
    let v = to_latin(&s);
    assert!(v.len() <= MAX_VARIANTS);
}

#[test]
fn arabic_script_legal_form() {
    // OFAC SDN "RAHAT LTD" as the UN list writes it in Arabic script.
    let a = analyze_name("راحت لمتد", Some(true));
    for v in &a.variants {
        let last = v.last().map(|t| (t.text.as_str(), t.kind));
        assert_eq!(last, Some(("ltd", TokenKind::LegalForm)), "{v:?}");
    }
}

#[test]
fn korean_name_written_in_han() {
    // UN list 金铁三 = OFAC SDN "KIM, Chol Sam".
    let a = analyze_name("金铁三", Some(false));
    assert_eq!(texts(a.primary()), ["jin", "tie", "san"]);
    assert!(any_variant_has(&a, &["kim", "chol", "sam"]), "{a:?}");
    assert!(a.variants.len() <= MAX_VARIANTS);
    // A two-character Chinese name is read as Mandarin only.
    let a = analyze_name("李平", Some(false));
    assert!(!any_variant_has(&a, &["ri"]), "{a:?}");
}

#[test]
fn arabic_script_organisation_words() {
    // UN list شبکه حقانی = OFAC SDN "HAQQANI NETWORK".
    let a = analyze_name("شبکه حقانی", Some(true));
    assert!(any_variant_has(&a, &["network", "haqqani"]), "{a:?}");
    // UN list القاعده في العراق = OFAC SDN alias "AL-QAIDA IN IRAQ".
    let a = analyze_name("القاعده في العراق", Some(true));
    assert!(any_variant_has(&a, &["qaida", "in", "iraq"]), "{a:?}");
}

#[test]
fn pashto_tribal_name() {
    // UN list احمد شاه نورزی = OFAC SDN "NOORZAI, Mullah Ahmed Shah".
    let a = analyze_name("احمد شاه نورزی", Some(false));
    assert!(any_variant_has(&a, &["ahmed", "shah", "noorzai"]), "{a:?}");
}
