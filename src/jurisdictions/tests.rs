use super::*;

fn builtin() -> &'static Jurisdictions {
    Jurisdictions::builtin()
}

fn lists_of(hits: &[JurisdictionHit]) -> Vec<(ListKind, &str)> {
    hits.iter()
        .map(|h| (h.list, h.jurisdiction.as_str()))
        .collect()
}

#[test]
fn builtin_file_loads_and_every_code_is_iso() {
    let j = builtin();
    assert!(is_date(&j.checked));
    assert_eq!(j.lists.len(), 3, "every list kind is defined");
    for e in &j.entries {
        assert!(
            crate::countries::is_code(&e.country),
            "{}: {} is not an ISO code",
            e.name,
            e.country
        );
        assert!(!e.sources.is_empty(), "{} has sources", e.name);
        for s in &e.sources {
            assert!(s.url.starts_with("https://") && is_date(&s.date), "{s:?}");
        }
    }
    for c in j.town_countries.iter().flatten() {
        assert!(crate::countries::is_code(c), "{c}");
    }
    for p in &j.postcodes {
        assert!(crate::countries::is_code(&p.country), "{}", p.country);
    }
}

#[test]
fn the_lists_hold_what_the_sources_say() {
    let j = builtin();
    let codes = |kind: ListKind, region: bool| -> Vec<&str> {
        let mut v: Vec<&str> = j
            .entries
            .iter()
            .filter(|e| e.list == kind && e.region == region)
            .map(|e| e.country.as_str())
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(
        codes(ListKind::ComprehensiveSanctions, false),
        ["cu", "ir", "kp"]
    );
    // Crimea, Sevastopol, DNR, LNR, occupied Zaporizhzhia and Kherson.
    assert_eq!(codes(ListKind::ComprehensiveSanctions, true), ["ua"; 6]);
    assert_eq!(
        codes(ListKind::FatfCallForAction, false),
        ["ir", "kp", "mm"]
    );
    let grey = codes(ListKind::FatfIncreasedMonitoring, false);
    assert_eq!(grey.len(), 22, "{grey:?}");
    for c in ["ba", "iq", "kw", "pg", "sy", "vg"] {
        assert!(grey.contains(&c), "{c} is under increased monitoring");
    }
    // Removed in 2025-2026.
    for c in ["dz", "na", "za", "ng", "mz", "bf", "ph", "hr"] {
        assert!(
            !grey.contains(&c),
            "{c} is no longer under increased monitoring"
        );
    }
    // Syria's US programme was revoked in 2025: not comprehensively sanctioned.
    assert!(
        j.country("sy")
            .iter()
            .all(|h| h.list == ListKind::FatfIncreasedMonitoring)
    );
}

#[test]
fn country_codes_in_any_case() {
    let j = builtin();
    let hits = j.country("IR");
    assert_eq!(
        lists_of(&hits),
        [
            (ListKind::ComprehensiveSanctions, "Iran"),
            (ListKind::FatfCallForAction, "Iran")
        ]
    );
    let h = &hits[0];
    assert_eq!(h.matched_by, MatchedBy::CountryCode);
    assert!(
        h.reason.starts_with("country code IR is Iran"),
        "{}",
        h.reason
    );
    assert!(h.reason.contains("comprehensive sanctions"), "{}", h.reason);
    assert!(
        h.sources
            .iter()
            .any(|s| s.document.contains("31 CFR part 560"))
    );
    assert_eq!(lists_of(&j.country("kp")).len(), 2);
    assert!(j.country("de").is_empty());
    // Ukraine itself is not listed, only regions of it.
    assert!(j.country("ua").is_empty());
    assert!(j.country("zz").is_empty() && j.country("Iran").is_empty());
}

#[test]
fn towns_and_regions_in_addresses() {
    let j = builtin();
    let hits = j.address(Some("UA"), &["ul. Pushkina 12", "SIMFEROPOL"]);
    assert_eq!(
        lists_of(&hits),
        [(ListKind::ComprehensiveSanctions, "Crimea")]
    );
    assert_eq!(hits[0].matched_by, MatchedBy::Town);
    assert_eq!(hits[0].matched_text, "Simferopol", "the town as listed");
    assert!(
        hits[0]
            .reason
            .contains("'SIMFEROPOL' names Simferopol, in Crimea"),
        "{}",
        hits[0].reason
    );
    // Written in Cyrillic, with Russia as the country.
    let hits = j.address(Some("ru"), &["Симферополь, ул. Ленина 5"]);
    assert_eq!(
        lists_of(&hits),
        [(ListKind::ComprehensiveSanctions, "Crimea")]
    );
    // The region's name counts whatever the country.
    let hits = j.address(Some("de"), &["Republic of Crimea"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].matched_by, MatchedBy::Name);
    // Sevastopol is its own entry.
    let hits = j.address(None, &["Sevastopol'"]);
    assert_eq!(
        lists_of(&hits),
        [(ListKind::ComprehensiveSanctions, "Sevastopol")]
    );
    let hits = j.address(None, &["MELITOPOL"]);
    assert_eq!(hits.len(), 1);
    assert!(hits[0].jurisdiction.contains("Zaporizhzhia"));
    let hits = j.address(Some("ua"), &["Luhansk"]);
    assert!(hits[0].jurisdiction.contains("Luhansk"));
}

#[test]
fn towns_elsewhere_are_not_hits() {
    let j = builtin();
    // Sebastopol, California; Tokmak, Kyrgyzstan; the city of Zaporizhzhia.
    assert!(j.address(Some("us"), &["Sebastopol, CA 95472"]).is_empty());
    assert!(j.address(Some("kg"), &["Tokmak"]).is_empty());
    assert!(j.address(Some("ua"), &["Zaporizhzhia", "69000"]).is_empty());
    assert!(j.address(Some("ua"), &["Kherson"]).is_empty());
    assert!(
        j.address(Some("ua"), &["Khreshchatyk 1", "Kyiv"])
            .is_empty()
    );
    // Part of a word is not a word.
    assert!(j.address(None, &["Iranistan Road"]).is_empty());
    assert!(j.address(None, &["Kerchner Str. 4"]).is_empty());
}

#[test]
fn country_names_in_lines() {
    let j = builtin();
    let hits = j.address(Some("ae"), &["Valiasr St", "TEHRAN, IRAN"]);
    // Tehran does not count with UAE as the country; IRAN does.
    assert_eq!(
        lists_of(&hits),
        [
            (ListKind::ComprehensiveSanctions, "Iran"),
            (ListKind::FatfCallForAction, "Iran")
        ]
    );
    assert_eq!(hits[0].matched_by, MatchedBy::Name);
    let hits = j.address(None, &["PYONGYANG"]);
    assert_eq!(
        lists_of(&hits),
        [(ListKind::ComprehensiveSanctions, "North Korea")]
    );
    let hits = j.address(Some("CU"), &["Calle 23", "La Habana"]);
    assert_eq!(hits.len(), 1, "one hit per list and jurisdiction: {hits:?}");
    assert_eq!(hits[0].matched_by, MatchedBy::CountryCode);
}

#[test]
fn postcodes_count_only_under_their_country() {
    let j = builtin();
    let hits = j.address(Some("RU"), &["295000 ul. Lenina 1"]);
    assert_eq!(
        lists_of(&hits),
        [(ListKind::ComprehensiveSanctions, "Crimea")]
    );
    assert_eq!(hits[0].matched_by, MatchedBy::Postcode);
    assert_eq!(hits[0].matched_text, "295000");
    let hits = j.address(Some("ua"), &["99011"]);
    assert_eq!(
        lists_of(&hits),
        [(ListKind::ComprehensiveSanctions, "Sevastopol")]
    );
    // A California ZIP code, a Moscow postcode, a number without a country.
    assert!(j.address(Some("us"), &["95472"]).is_empty());
    assert!(j.address(Some("ru"), &["125009"]).is_empty());
    assert!(j.address(None, &["295000"]).is_empty());
}

#[test]
fn work_per_address_is_bounded() {
    let j = builtin();
    let long = "Simferopol ".repeat(10_000);
    let lines: Vec<&str> = std::iter::repeat_n(long.as_str(), 1000).collect();
    let hits = j.address(None, &lines);
    assert_eq!(hits.len(), 1);
    // A town past the line limit is not read.
    let mut lines = vec!["x"; MAX_ADDRESS_LINES];
    lines.push("Simferopol");
    assert!(j.address(None, &lines).is_empty());
}

#[test]
fn bad_files_are_refused_with_the_place() {
    let good = r#"
checked = "2026-12-04"
[[list]]
id = "fatf_call_for_action"
title = "t"
as_of = "2026-06-19"
[source.s]
publisher = "p"
document = "d"
url = "https://example.org"
date = "2026-06-19"
[[jurisdiction]]
list = "fatf_call_for_action"
country = "ir"
name = "Iran"
since = "2020-02"
reason = "r"
sources = ["s"]
names = ["Iran"]
"#;
    assert!(Jurisdictions::from_toml(good, "t").is_ok());
    let cases = [
        ("country = \"ir\"", "country = \"zz\"", "not an ISO code"),
        ("country = \"ir\"", "country = \"IR\"", "not an ISO code"),
        ("sources = [\"s\"]", "sources = [\"nope\"]", "source 'nope'"),
        (
            "id = \"fatf_call_for_action\"",
            "id = \"grey\"",
            "unknown list id",
        ),
        ("since = \"2020-02\"", "since = \"Feb 2020\"", "not a date"),
        (
            "names = [\"Iran\"]",
            "names = [\"Iran\"]\ncolour = 1",
            "unknown field",
        ),
        (
            "url = \"https://example.org\"",
            "url = \"http://x\"",
            "https",
        ),
    ];
    for (from, to, want) in cases {
        let bad = good.replace(from, to);
        let err = Jurisdictions::from_toml(&bad, "t").unwrap_err().to_string();
        assert!(err.contains(want), "{to}: {err}");
    }
    let twice = format!(
        "{good}\n[[jurisdiction]]\nlist = \"fatf_call_for_action\"\ncountry = \"ir\"\nname = \"Iran\"\nsince = \"2020\"\nreason = \"r\"\nsources = [\"s\"]\n"
    );
    let err = Jurisdictions::from_toml(&twice, "t")
        .unwrap_err()
        .to_string();
    assert!(err.contains("listed twice"), "{err}");
}
