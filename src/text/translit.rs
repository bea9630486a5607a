//! Romanisation: any name → a few lower-case ASCII spellings.
//!
//! [`to_latin`] folds the name, then spells every word of a non-Latin script
//! with each of that script's systems (see the per-script modules). One
//! variant is one system applied to the whole name, so variants stay
//! consistent ("sergey viktorovich", never "sergey viktorovitch") and their
//! number stays small: at most [`MAX_VARIANTS`], whatever the length of the
//! name. Latin names with letters that have a conventional two-letter
//! spelling (ü → ue, š → sh, đ → dj) get that spelling as an extra variant;
//! names with generic organisation words in Cyrillic or Chinese get one with
//! those words in English (`glosses`).

mod arabic;
mod cyrillic;
mod glosses;
mod greek;
mod han;
mod hangul;
mod hebrew;
mod indic;

use super::normalize::fold;
use super::script::{Script, char_script};

/// The most variants [`to_latin`] returns.
pub const MAX_VARIANTS: usize = 8;

/// Romanises `s`: [`fold`], then every non-Latin script to lower-case ASCII.
/// Returns 1..=8 distinct variants, the primary romanisation first; every
/// variant is lower-case ASCII letters and digits separated by single spaces
/// (an input without letters or digits gives one empty variant).
pub fn to_latin(s: &str) -> Vec<String> {
    let base = fold(s);
    let mut out: Vec<String> = Vec::with_capacity(2);
    if base.is_ascii() {
        out.push(base);
    } else {
        let words: Vec<Vec<char>> = base.split(' ').map(|w| w.chars().collect()).collect();
        let schemes = scheme_count(&words);
        for k in 0..schemes {
            let v = romanise(&words, k);
            if !out.contains(&v) {
                out.push(v);
            }
            if out.len() >= MAX_VARIANTS {
                break;
            }
        }
        // Generic organisation words in English, second: organisations
        // named in Cyrillic or Chinese are often listed translated.
        if let Some(translated) = glosses::translated(&base) {
            let words: Vec<Vec<char>> = translated
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|w| w.chars().collect())
                .collect();
            let v = romanise(&words, 0);
            if !out.contains(&v) {
                out.insert(1.min(out.len()), v);
                out.truncate(MAX_VARIANTS);
            }
        }
    }
    if out.len() < MAX_VARIANTS
        && let Some(alt) = latin_digraph_spelling(s)
    {
        let words: Vec<Vec<char>> = fold(&alt).split(' ').map(|w| w.chars().collect()).collect();
        let v = romanise(&words, 0);
        if !out.contains(&v) {
            out.push(v);
        }
    }
    if out.len() > 1 {
        out.retain(|v| !v.is_empty());
        if out.is_empty() {
            out.push(String::new());
        }
    }
    out
}

/// How many systems the scripts of these words have between them.
fn scheme_count(words: &[Vec<char>]) -> usize {
    let mut n = 1;
    for w in words {
        for &c in w {
            let k = match char_script(c) {
                Script::Cyrillic => cyrillic::SCHEMES,
                Script::Greek => greek::SCHEMES,
                Script::Arabic => arabic::SCHEMES,
                Script::Hebrew => hebrew::SCHEMES,
                Script::Hangul => hangul::SCHEMES,
                Script::Han => han::HAN_SCHEMES,
                Script::Hiragana | Script::Katakana => han::KANA_SCHEMES,
                Script::Devanagari | Script::Bengali => indic::SCHEMES,
                _ => 1,
            };
            n = n.max(k);
        }
    }
    n.min(MAX_VARIANTS)
}

/// Spells folded words with system `scheme` of each script, then cleans the
/// result to lower-case ASCII words.
fn romanise(words: &[Vec<char>], scheme: usize) -> String {
    let mut raw = String::new();
    for w in words {
        if !raw.is_empty() {
            raw.push(' ');
        }
        let mut i = 0;
        let mut prev_script: Option<Script> = None;
        while i < w.len() {
            let sc = run_script(w.get(i).copied());
            let start = i;
            while i < w.len() && run_script(w.get(i).copied()) == sc {
                i += 1;
            }
            let run = w.get(start..i).unwrap_or(&[]);
            if let Some(p) = prev_script
                && p != sc
                && (p.is_syllabic() || sc.is_syllabic())
            {
                raw.push(' ');
            }
            prev_script = Some(sc);
            match sc {
                Script::Latin | Script::Common => raw.extend(run.iter()),
                Script::Cyrillic => cyrillic::romanise(run, scheme, &mut raw),
                Script::Greek => greek::romanise(run, scheme, &mut raw),
                Script::Arabic => arabic::romanise(run, scheme, &mut raw),
                Script::Hebrew => hebrew::romanise(run, scheme, &mut raw),
                Script::Hangul => hangul::romanise(run, scheme, &mut raw),
                Script::Han => han::romanise_han(run, scheme, &mut raw),
                Script::Hiragana | Script::Katakana => han::romanise_kana(run, scheme, &mut raw),
                Script::Devanagari | Script::Bengali => indic::romanise(run, scheme, &mut raw),
                _ => {
                    for &c in run {
                        raw.push_str(any_ascii::any_ascii_char(c));
                    }
                }
            }
        }
    }
    clean(&raw)
}

/// The script a character's run belongs to: combining marks and digits stay
/// with the letters around them; the two kana form one run.
fn run_script(c: Option<char>) -> Script {
    match c {
        None => Script::Common,
        Some(c) => match char_script(c) {
            Script::Hiragana => Script::Katakana,
            Script::Common if !c.is_ascii() => Script::Other,
            s => s,
        },
    }
}

/// Lower-case ASCII letters and digits, single spaces, nothing else.
fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending = false;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            if pending && !out.is_empty() {
                out.push(' ');
            }
            pending = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '`' {
            continue;
        } else if !c.is_ascii() {
            // A letter no table knows: its any_ascii spelling, if any.
            for a in any_ascii::any_ascii_char(c).chars() {
                if a.is_ascii_alphanumeric() {
                    if pending && !out.is_empty() {
                        out.push(' ');
                    }
                    pending = false;
                    out.push(a.to_ascii_lowercase());
                }
            }
        } else {
            pending = true;
        }
    }
    out
}

/// The name with German, Nordic, Hungarian, Turkish and South Slavic letters
/// spelled out as digraphs (Müller → Mueller, Đukanović → Djukanovich), or
/// `None` when it has no such letter.
fn latin_digraph_spelling(s: &str) -> Option<String> {
    let mut changed = false;
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        let rep = match c {
            'ä' => "ae",
            'Ä' => "Ae",
            'ö' | 'ő' | 'ø' => "oe",
            'Ö' | 'Ő' | 'Ø' => "Oe",
            'ü' | 'ű' => "ue",
            'Ü' | 'Ű' => "Ue",
            'đ' => "dj",
            'Đ' => "Dj",
            'č' | 'ć' | 'ç' => "ch",
            'Č' | 'Ć' | 'Ç' => "Ch",
            'š' | 'ş' | 'ș' => "sh",
            'Š' | 'Ş' | 'Ș' => "Sh",
            'ž' => "zh",
            'Ž' => "Zh",
            'ţ' | 'ț' => "ts",
            'Ţ' | 'Ț' => "Ts",
            _ => {
                out.push(c);
                continue;
            }
        };
        changed = true;
        out.push_str(rep);
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_names_have_one_variant() {
        assert_eq!(to_latin("Ibrahim AL-TIKRITI"), vec!["ibrahim al tikriti"]);
        assert_eq!(to_latin(""), vec![""]);
        assert_eq!(to_latin("!!!"), vec![""]);
    }

    #[test]
    fn latin_digraph_variant() {
        assert_eq!(to_latin("Müller"), vec!["muller", "mueller"]);
        assert_eq!(to_latin("Đukanović"), vec!["dukanovic", "djukanovich"]);
    }

    #[test]
    fn cyrillic_name() {
        let v = to_latin("Сергей Викторович Лавров");
        assert_eq!(
            v.first().map(String::as_str),
            Some("sergei viktorovich lavrov")
        );
        assert!(v.contains(&"sergey viktorovich lavrov".to_string()));
        assert!(v.len() <= MAX_VARIANTS);
    }

    #[test]
    fn mixed_scripts_in_one_name() {
        let v = to_latin("ООО «Ромашка» Trading");
        assert_eq!(v.first().map(String::as_str), Some("ooo romashka trading"));
    }

    #[test]
    fn han_and_hangul() {
        let v = to_latin("金正恩");
        assert_eq!(v.first().map(String::as_str), Some("jin zheng en"));
        let v = to_latin("김정은");
        assert!(v.contains(&"kim jong un".to_string()), "{v:?}");
        assert!(v.contains(&"gim jeong eun".to_string()), "{v:?}");
    }

    #[test]
    fn output_is_clean_ascii() {
        for s in [
            "Ǆemal 𝐀𝐁 ☃ ＡＢ",
            "ኢትዮጵያ",
            "नरेन्द्र मोदी",
            "ნინო",
            "Արամ",
            "ทักษิณ",
            "শেখ হাসিনা",
        ] {
            for v in to_latin(s) {
                assert!(
                    v.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == ' '),
                    "{s} -> {v}"
                );
                assert!(!v.starts_with(' ') && !v.ends_with(' ') && !v.contains("  "));
            }
        }
    }
}
