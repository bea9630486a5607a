//! Han characters → Hanyu Pinyin (via `any_ascii`, tones dropped) and Japanese
//! kana → Hepburn.
//!
//! Han names give up to four variants: syllables apart ("jin zheng en"),
//! surname + joined given name ("jin zhengen", the usual Latin form of
//! Chinese names), all joined, and a Wade-Giles-like respelling of the
//! joined form ("chang" for 张 zhang, "hsi" for xi) for Taiwanese and older
//! spellings. Han is always read as Mandarin: Korean names written in Han
//! (金 = Kim) and Japanese kanji readings are not attempted.
//!
//! Kana give two variants: long vowels spelled (ou, uu) and dropped (o, u),
//! as in Japanese passports.

/// Number of systems [`romanise_han`] knows.
pub const HAN_SCHEMES: usize = 4;
/// Number of systems [`romanise_kana`] knows.
pub const KANA_SCHEMES: usize = 2;

fn pinyin(c: char) -> String {
    any_ascii::any_ascii_char(c).to_ascii_lowercase()
}

/// Romanises a run of Han characters with system `scheme`.
pub fn romanise_han(word: &[char], scheme: usize, out: &mut String) {
    let syllables: Vec<String> = word
        .iter()
        .map(|&c| pinyin(c))
        .filter(|s| !s.is_empty())
        .collect();
    let name_like = (2..=4).contains(&syllables.len());
    match scheme {
        1 | 3 if name_like => {
            let (first, rest) = match syllables.split_first() {
                Some(x) => x,
                None => return,
            };
            if scheme == 3 {
                out.push_str(&wade_giles(first));
            } else {
                out.push_str(first);
            }
            out.push(' ');
            for s in rest {
                if scheme == 3 {
                    out.push_str(&wade_giles(s));
                } else {
                    out.push_str(s);
                }
            }
        }
        2 if name_like => {
            for s in &syllables {
                out.push_str(s);
            }
        }
        _ => {
            for (k, s) in syllables.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                out.push_str(s);
            }
        }
    }
}

/// A rough pinyin → Wade-Giles respelling (aspiration marks dropped).
pub fn wade_giles(py: &str) -> String {
    // Whole-syllable exceptions first.
    let special = match py {
        "zhi" => Some("chih"),
        "chi" => Some("chih"),
        "shi" => Some("shih"),
        "ri" => Some("jih"),
        "zi" => Some("tzu"),
        "ci" => Some("tzu"),
        "si" => Some("ssu"),
        "er" => Some("erh"),
        "yi" => Some("i"),
        "you" => Some("yu"),
        "yan" => Some("yen"),
        "ye" => Some("yeh"),
        "yong" => Some("yung"),
        "ge" => Some("ko"),
        "ke" => Some("ko"),
        "he" => Some("ho"),
        _ => None,
    };
    if let Some(s) = special {
        return s.to_string();
    }
    let (initial, fin) = split_initial(py);
    let wg_initial = match initial {
        "b" => "p",
        "d" => "t",
        "g" => "k",
        "j" | "q" | "zh" | "ch" => "ch",
        "x" => "hs",
        "r" => "j",
        "z" | "c" => "ts",
        other => other,
    };
    let wg_final = match fin {
        "ong" => "ung",
        "iong" => "iung",
        "ian" => "ien",
        "ie" => "ieh",
        "ue" => "ueh",
        "ui" => "uei",
        "e" if matches!(
            initial,
            "zh" | "ch" | "sh" | "r" | "d" | "t" | "n" | "l" | "z" | "c" | "s"
        ) =>
        {
            "e"
        }
        other => other,
    };
    format!("{wg_initial}{wg_final}")
}

fn split_initial(py: &str) -> (&str, &str) {
    for two in ["zh", "ch", "sh"] {
        if let Some(rest) = py.strip_prefix(two) {
            return (two, rest);
        }
    }
    match py.chars().next() {
        Some(c) if !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u') && c.is_ascii() => py.split_at(1),
        _ => ("", py),
    }
}

/// Romanises a run of kana with system `scheme`.
pub fn romanise_kana(word: &[char], scheme: usize, out: &mut String) {
    let mut s = String::with_capacity(word.len() * 2);
    let mut geminate = false;
    for &c in word {
        match c {
            'っ' | 'ッ' => {
                geminate = true;
                continue;
            }
            'ー' => {
                // Prolonged sound mark: repeat the last vowel.
                if scheme == 0
                    && let Some(last) = s.chars().last().filter(|l| "aeiou".contains(*l))
                {
                    s.push(last);
                }
                continue;
            }
            _ => {}
        }
        let r = any_ascii::any_ascii_char(c).to_ascii_lowercase();
        if geminate {
            if let Some(first) = r.chars().next().filter(|f| !"aeiou".contains(*f)) {
                s.push(if r.starts_with("ch") { 't' } else { first });
            }
            geminate = false;
        }
        s.push_str(&r);
    }
    if scheme == 1 {
        s = s.replace("ou", "o").replace("uu", "u").replace("oo", "o");
    }
    out.push_str(&s);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str, scheme: usize) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        romanise_han(&chars, scheme, &mut out);
        out
    }

    fn k(s: &str, scheme: usize) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        romanise_kana(&chars, scheme, &mut out);
        out
    }

    #[test]
    fn han() {
        assert_eq!(h("金正恩", 0), "jin zheng en");
        assert_eq!(h("金正恩", 1), "jin zhengen");
        assert_eq!(h("金正恩", 2), "jinzhengen");
        assert_eq!(h("张学良", 3), "chang hsueh".to_string() + "liang");
        assert_eq!(h("习近平", 3), "hsi chinping");
    }

    #[test]
    fn kana() {
        assert_eq!(k("トヨタ", 0), "toyota");
        assert_eq!(k("さとう", 0), "satou");
        assert_eq!(k("さとう", 1), "sato");
        assert_eq!(k("ほっかいどう", 1), "hokkaido");
    }
}
