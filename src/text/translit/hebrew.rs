//! Hebrew → Latin in three systems. Like Arabic, Hebrew writes few vowels;
//! ו and י are read as vowels between consonants and as v/y elsewhere.
//!
//! 0. Israeli popular (ח ch, כ kh, צ tz, ו o, "Netanyahu", "Chaim");
//! 1. academic-ish (ח kh, צ ts, ו u, פ p, ב b: "Khaim");
//! 2. reduced (ח h, צ z, ש s).
//!
//! A geresh after ג ז צ (ג׳ = j) is recognised when it survived folding as
//! U+05F3; the apostrophe is removed by folding otherwise.

/// Number of systems [`romanise`] knows.
pub const SCHEMES: usize = 3;

const POP: usize = 0;
const ACAD: usize = 1;

fn is_consonant(c: Option<char>) -> bool {
    match c {
        None => false,
        Some(c) => ('\u{05D0}'..='\u{05EA}').contains(&c) && !matches!(c, 'ו' | 'י' | 'א' | 'ע'),
    }
}

/// Romanises one run of Hebrew letters with system `scheme`.
pub fn romanise(word: &[char], scheme: usize, out: &mut String) {
    let scheme = if scheme < SCHEMES { scheme } else { POP };
    let n = word.len();
    let mut i = 0;
    while let Some(&c) = word.get(i) {
        let prev = if i > 0 {
            word.get(i - 1).copied()
        } else {
            None
        };
        let next = word.get(i + 1).copied();
        let initial = i == 0;
        let last = i + 1 == n;
        let s: &str = match c {
            'א' => {
                if initial || last {
                    "a"
                } else {
                    ""
                }
            }
            'ב' => {
                if initial || scheme == ACAD {
                    "b"
                } else {
                    "v"
                }
            }
            'ג' => "g",
            'ד' => "d",
            'ה' => {
                if last && prev.is_some() {
                    "a"
                } else {
                    "h"
                }
            }
            'ו' => {
                if next == Some('ו') {
                    i += 1;
                    "v"
                } else if initial {
                    "v"
                } else if is_consonant(prev) && (is_consonant(next) || last) {
                    if scheme == ACAD { "u" } else { "o" }
                } else {
                    "v"
                }
            }
            'ז' => "z",
            'ח' => match scheme {
                POP => "ch",
                ACAD => "kh",
                _ => "h",
            },
            'ט' => "t",
            'י' => {
                if next == Some('י') {
                    i += 1;
                    "y"
                } else if initial {
                    "y"
                } else if is_consonant(prev) && (is_consonant(next) || last) {
                    "i"
                } else {
                    "y"
                }
            }
            'כ' | 'ך' => {
                if initial || scheme == ACAD {
                    "k"
                } else {
                    "kh"
                }
            }
            'ל' => "l",
            'מ' | 'ם' => "m",
            'נ' | 'ן' => "n",
            'ס' => "s",
            'ע' => {
                if initial || last {
                    "a"
                } else {
                    ""
                }
            }
            'פ' | 'ף' => {
                if initial || scheme == ACAD {
                    "p"
                } else {
                    "f"
                }
            }
            'צ' | 'ץ' => match scheme {
                POP => "tz",
                ACAD => "ts",
                _ => "z",
            },
            'ק' => "k",
            'ר' => "r",
            'ש' => {
                if scheme == 2 {
                    "s"
                } else {
                    "sh"
                }
            }
            'ת' => "t",
            '\u{05F3}' => {
                // Geresh: ג׳ j, ז׳ zh, צ׳ ch.
                match prev {
                    Some('ג') => {
                        out.pop();
                        "j"
                    }
                    Some('ז') => "h",
                    Some('צ' | 'ץ') => {
                        if scheme != 2 {
                            out.pop();
                            out.pop();
                        } else {
                            out.pop();
                        }
                        "ch"
                    }
                    _ => "",
                }
            }
            '\u{05F0}' => "v",
            '\u{05F1}' => "oy",
            '\u{05F2}' => "ey",
            _ => any_ascii::any_ascii_char(c),
        };
        out.push_str(s);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str, scheme: usize) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        romanise(&chars, scheme, &mut out);
        out
    }

    #[test]
    fn names() {
        assert_eq!(r("נתניהו", POP), "ntniho");
        assert_eq!(r("חיים", POP), "chym");
        assert_eq!(r("כהן", POP), "khn");
        assert_eq!(r("דוד", POP), "dod");
        assert_eq!(r("דוד", ACAD), "dud");
        assert_eq!(r("שלום", POP), "shlom");
    }
}
