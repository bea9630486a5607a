//! Country names and codes: turns the many ways publishers write a country
//! ("Iran (Islamic Republic of)", "Korea, North", "RUS", "Burma") into ISO
//! 3166-1 alpha-2 codes in lower case, the form the entity model stores.

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
        } else if c == '\'' || c == '\u{2019}' {
            // "People's" folds to "people s" like the table keys.
            pending_space = true;
        } else {
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

fn lookup_table() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| table::NAME_TO_CODE.iter().copied().collect())
}

/// The ISO alpha-2 code (lower case) for a country name, alpha-2 or alpha-3
/// code. Parenthesised qualifiers and "the" are tolerated.
pub fn country_code(name: &str) -> Option<&'static str> {
    let folded = fold(name);
    if folded.is_empty() {
        return None;
    }
    let map = lookup_table();
    if let Some(code) = map.get(folded.as_str()) {
        return Some(code);
    }
    // "Iran (Islamic Republic of)" → "Iran"; "the Netherlands" → "Netherlands".
    let without_parens: String = {
        let mut depth = 0;
        name.chars()
            .filter(|c| {
                match c {
                    '(' => depth += 1,
                    ')' => depth = (depth - 1).max(0),
                    _ => return depth == 0,
                }
                false
            })
            .collect()
    };
    let mut folded = fold(&without_parens);
    if let Some(rest) = folded.strip_prefix("the ") {
        folded = rest.to_string();
    }
    map.get(folded.as_str()).copied()
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
}
