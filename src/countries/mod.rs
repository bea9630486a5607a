//! Country names and codes: turns the many ways publishers write a country
//! ("Iran (Islamic Republic of)", "Korea, North", "Man, Isle of", "RUS",
//! "Burma", "St. Kitts & Nevis", "Russian") into ISO 3166-1 alpha-2 codes
//! in lower case, the form the entity model stores.
//!
//! Which function to call depends on what the field holds:
//! - a country name (or a code the publisher may put in its place):
//!   [`country_code`];
//! - a nationality, written as an adjective ("Russian") or a name:
//!   [`nationality_code`];
//! - a field defined to hold an ISO alpha-2 code (`countryIso2Code`,
//!   `iso-code`, the country column of a code list): [`iso_code`], falling
//!   back to [`country_code`] where publishers put names there too;
//! - a field that holds either, written by people (a user's own list):
//!   [`code_or_name`].
//!
//! "NA": in name and mixed fields, `NA` / `n/a` / `N.A.` mean "not
//! available" far more often than Namibia, and reading them as Namibia would
//! put a wrong nationality on a listed party. So [`country_code`] and
//! [`code_or_name`] never read a bare "NA" as Namibia (Namibia is
//! recognised as "Namibia" or "NAM"); only [`iso_code`], for fields that
//! by definition hold a code, does.

mod table;

use std::collections::HashMap;
use std::sync::OnceLock;

fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        let c = crate::countries::strip_accent(c);
        if c.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c.to_ascii_lowercase());
        } else {
            // Everything else separates words: "People's" folds to
            // "people s" like the table keys.
            pending_space = true;
        }
    }
    out
}

/// Strips the accent of the Latin letters country names use (ô, é, ç, ü…).
fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'Å' | 'Ä' | 'Á' | 'À' | 'Â' => 'A',
        'É' | 'È' => 'E',
        'Ç' => 'C',
        'Ô' | 'Ö' | 'Ó' => 'O',
        'Ü' | 'Ú' => 'U',
        _ => c,
    }
}

fn name_table() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| table::NAME_TO_CODE.iter().copied().collect())
}

fn adjective_table() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| table::ADJECTIVE_TO_CODE.iter().copied().collect())
}

/// The name table's code for a name as written, or without a leading "the".
fn lookup(name: &str) -> Option<&'static str> {
    let folded = fold(name);
    if folded.is_empty() {
        return None;
    }
    let map = name_table();
    map.get(folded.as_str())
        .or_else(|| map.get(folded.strip_prefix("the ")?))
        .copied()
}

/// `s` without its parenthesised parts ("Iran (Islamic Republic of)" → "Iran ").
fn without_parentheses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `s` without an ASCII case-insensitive `prefix`.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// `s` without an ASCII case-insensitive `suffix`.
fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let at = s.len().checked_sub(suffix.len())?;
    let tail = s.get(at..)?;
    tail.eq_ignore_ascii_case(suffix)
        .then(|| s.get(..at))
        .flatten()
}

/// The country a historic name says is the current one: "USSR (now
/// Russian Federation)", "Former USSR Currently Ukraine".
fn current_country(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    for key in ["currently ", "now "] {
        let Some(pos) = lower.rfind(key) else {
            continue;
        };
        let starts_word = lower
            .get(..pos)
            .and_then(|b| b.chars().last())
            .is_none_or(|c| !c.is_alphanumeric());
        if !starts_word {
            continue;
        }
        let rest = name.get(pos + key.len()..).unwrap_or("");
        let rest = rest.trim_end_matches(|c: char| c == ')' || c == '.' || c.is_whitespace());
        if let Some(code) = lookup(rest) {
            return Some(code);
        }
    }
    None
}

/// A Special Administrative Region named by its own name: "Hong Kong SAR",
/// "Hong Kong Special Administrative Region".
fn special_region(name: &str) -> Option<&'static str> {
    let name = name.trim();
    let region = strip_suffix_ignore_case(name, "Special Administrative Region")
        .or_else(|| strip_suffix_ignore_case(name, "SAR"))?;
    lookup(region)
}

/// The spellings the name table does not hold as such: "Region: Gaza",
/// inverted names ("Man, Isle of", "Bahamas, The", "North Macedonia, The
/// Republic of", "China, Hong Kong Special Administrative Region"), "&"
/// for "and" and "St." for "Saint" ("St. Kitts & Nevis").
fn respelled(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if let Some(rest) = strip_prefix_ignore_case(name, "region:") {
        return country_code(rest);
    }
    if let Some(code) = special_region(name) {
        return Some(code);
    }
    if let Some((head, tail)) = name.split_once(',') {
        let (head, tail) = (head.trim(), tail.trim());
        if let Some(code) = lookup(&format!("{tail} {head}")) {
            return Some(code);
        }
        // "Bahamas, The", "North Macedonia, The Republic of": a qualifier.
        let qualifier =
            strip_prefix_ignore_case(tail, "the ").is_some() || tail.eq_ignore_ascii_case("the");
        if qualifier && let Some(code) = lookup(head) {
            return Some(code);
        }
        // "China, Hong Kong SAR": the region.
        if let Some(code) = special_region(tail) {
            return Some(code);
        }
    }
    if name.contains('&') || name.contains("St.") {
        return lookup(&name.replace("St.", "Saint").replace('&', " and "));
    }
    None
}

/// The ISO alpha-2 code (lower case) for a country name as publishers write
/// it, or for an alpha-3 code or an alpha-2 code the name table lists.
/// Parenthesised qualifiers, a leading "the", "Region:" prefixes, inverted
/// names ("Man, Isle of", "Bahamas, The"), "&" for "and", "St." for
/// "Saint", "… SAR" regions and "X (now Y)" historic names are understood.
/// A bare "NA" is not Namibia (see the module documentation). Unknown names
/// give `None`.
pub fn country_code(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    lookup(name)
        .or_else(|| current_country(name))
        .or_else(|| lookup(&without_parentheses(name)))
        .or_else(|| respelled(name))
}

/// The code of a nationality written as an adjective ("Russian", "Iranian
/// (as at Dec. 2003)") or as a country name ("Russian Federation").
pub fn nationality_code(text: &str) -> Option<&'static str> {
    country_code(text).or_else(|| {
        let folded = fold(&without_parentheses(text));
        adjective_table().get(folded.as_str()).copied()
    })
}

/// The code itself (lower case) when `code` is an assigned ISO alpha-2
/// code in any case ("IR", "xk", "NA" for Namibia); for fields that by
/// definition hold a code.
pub fn iso_code(code: &str) -> Option<&'static str> {
    let code = code.trim();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let lower = code.to_ascii_lowercase();
    let i = table::CODES.binary_search(&lower.as_str()).ok()?;
    table::CODES.get(i).copied()
}

/// The code of a value that is either an ISO alpha-2 code (any assigned
/// one, also those without a name entry such as "XK") or anything
/// [`country_code`] understands. "NA" is read as "not available", not as
/// Namibia (see the module documentation).
pub fn code_or_name(s: &str) -> Option<&'static str> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("na") {
        return None;
    }
    iso_code(t).or_else(|| country_code(t))
}

/// True when `code` is a known alpha-2 code (lower case).
pub fn is_code(code: &str) -> bool {
    table::CODES.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publisher_spellings_map_to_iso() {
        assert_eq!(country_code("Iran (Islamic Republic of)"), Some("ir"));
        assert_eq!(country_code("Korea, North"), Some("kp"));
        assert_eq!(
            country_code("Democratic People's Republic of Korea"),
            Some("kp")
        );
        assert_eq!(country_code("Russian Federation"), Some("ru"));
        assert_eq!(country_code("RUS"), Some("ru"));
        assert_eq!(country_code("Burma"), Some("mm"));
        assert_eq!(country_code("Côte d'Ivoire"), Some("ci"));
        assert_eq!(country_code("the Netherlands"), Some("nl"));
        assert_eq!(country_code("United Kingdom"), Some("gb"));
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(country_code(""), None);
    }

    #[test]
    fn codes_are_known() {
        assert!(is_code("af"));
        assert!(!is_code("zz"));
    }

    /// The OFAC CSV and XML country fields.
    #[test]
    fn ofac_spellings() {
        assert_eq!(country_code("Man, Isle of"), Some("im"));
        assert_eq!(country_code("North Macedonia, The Republic of"), Some("mk"));
        assert_eq!(country_code("Bahamas, The"), Some("bs"));
        assert_eq!(country_code("Region: Gaza"), Some("ps"));
        assert_eq!(country_code("Region: West Bank"), Some("ps"));
        assert_eq!(country_code("Region: Kafia Kingi"), None);
        assert_eq!(country_code("St. Kitts & Nevis"), Some("kn"));
        assert_eq!(country_code("Korea, North"), Some("kp"));
        assert_eq!(country_code("Korea, South"), Some("kr"));
        assert_eq!(country_code("Iran."), Some("ir"));
        assert_eq!(country_code("None Identified"), None);
        assert_eq!(country_code("undetermined"), None);
    }

    /// The UN, UK and SECO name fields.
    #[test]
    fn un_spellings() {
        assert_eq!(
            country_code("China, Hong Kong Special Administrative Region"),
            Some("hk")
        );
        assert_eq!(country_code("Hong Kong SAR"), Some("hk"));
        assert_eq!(country_code("China, Hong Kong SAR"), Some("hk"));
        assert_eq!(
            country_code("Venezuela (Bolivarian Republic of)"),
            Some("ve")
        );
        assert_eq!(country_code("Syrian Arab Republic"), Some("sy"));
        assert_eq!(country_code("Kosovo"), Some("xk"));
    }

    /// The OFSI and DFAT country and nationality cells.
    #[test]
    fn historic_names_give_the_current_country() {
        assert_eq!(country_code("Former USSR Currently Ukraine"), Some("ua"));
        assert_eq!(country_code("USSR (now Russian Federation)"), Some("ru"));
        assert_eq!(country_code("USSR"), Some("su"));
        assert_eq!(country_code("Russia"), Some("ru"));
        assert_eq!(country_code("Occupied Palestinian Territories"), None);
        // "now" only as a word of its own.
        assert_eq!(country_code("Unknown Iran"), None);
    }

    /// The OFSI nationality, address-country and ship-flag cells (moved
    /// here from the OFSI parser with the helper they tested).
    #[test]
    fn ofsi_countries_with_history() {
        assert_eq!(
            nationality_code("Former USSR Currently Ukraine"),
            Some("ua")
        );
        assert_eq!(
            nationality_code("USSR (now Russian Federation)"),
            Some("ru")
        );
        assert_eq!(nationality_code("Russia"), Some("ru"));
        assert_eq!(nationality_code("Occupied Palestinian Territories"), None);
    }

    #[test]
    fn names_the_lists_use_beyond_iso() {
        assert_eq!(country_code("Britain"), Some("gb"));
        assert_eq!(country_code("Great Britain"), Some("gb"));
        assert_eq!(country_code("United Kingdom of Great Britain"), Some("gb"));
        assert_eq!(country_code("Democratic Republic of Congo"), Some("cd"));
        assert_eq!(country_code("Democratic Republic of the Congo"), Some("cd"));
        assert_eq!(country_code("DPRK"), Some("kp"));
        assert_eq!(country_code("State of Palestine"), Some("ps"));
        assert_eq!(country_code("Türkiye"), Some("tr"));
        assert_eq!(country_code("PRC"), Some("cn"));
    }

    #[test]
    fn nationality_adjectives() {
        assert_eq!(nationality_code("Russian"), Some("ru"));
        assert_eq!(nationality_code("Iranian "), Some("ir"));
        assert_eq!(nationality_code("Indonesian (as at Dec. 2003)"), Some("id"));
        assert_eq!(nationality_code("British"), Some("gb"));
        assert_eq!(nationality_code("North Korean"), Some("kp"));
        assert_eq!(nationality_code("Türkiyish"), Some("tr"));
        assert_eq!(nationality_code("Ukranian"), Some("ua"));
        assert_eq!(
            nationality_code("Democratic People's Republic of Korea"),
            Some("kp")
        );
        assert_eq!(
            nationality_code("USSR (now Russian Federation)"),
            Some("ru")
        );
        assert_eq!(nationality_code("Congolese"), None);
        assert_eq!(nationality_code("Possibly Ethiopian"), None);
    }

    #[test]
    fn na_is_not_namibia_except_as_a_code() {
        assert_eq!(country_code("na"), None);
        assert_eq!(country_code("NA"), None);
        assert_eq!(country_code("N/A"), None);
        assert_eq!(code_or_name("NA"), None);
        assert_eq!(code_or_name("n/a"), None);
        assert_eq!(country_code("Namibia"), Some("na"));
        assert_eq!(country_code("NAM"), Some("na"));
        assert_eq!(iso_code("NA"), Some("na"));
    }

    #[test]
    fn codes_and_names() {
        assert_eq!(iso_code("IR"), Some("ir"));
        assert_eq!(iso_code(" xk "), Some("xk"));
        assert_eq!(iso_code("ZZ"), None);
        assert_eq!(iso_code("00"), None);
        assert_eq!(iso_code("IRN"), None);
        assert_eq!(iso_code("Iran"), None);
        assert_eq!(code_or_name("XK"), Some("xk"));
        assert_eq!(code_or_name("IR"), Some("ir"));
        assert_eq!(code_or_name("IRN"), Some("ir"));
        assert_eq!(code_or_name("Iran"), Some("ir"));
        assert_eq!(code_or_name("St. Kitts & Nevis"), Some("kn"));
        assert_eq!(code_or_name("ZZ"), None);
        assert_eq!(code_or_name("None Identified"), None);
    }
}
