//! Greek → Latin in three systems:
//!
//! 0. ELOT 743 / Greek passports ("Alexis Tsipras", χ → ch, υ → y);
//! 1. phonetic English (ξ → ks, χ → kh, η υ ει οι → i, ου → ou: "Aleksis");
//! 2. phonetic Slavic/Baltic (τσ → c, χ → h, ου → u: "Cipras").
//!
//! Input is folded (lower case, tonos removed, ς → σ); ϊ and ϋ keep their
//! diaeresis, which blocks a diphthong.

/// Number of systems [`romanise`] knows.
pub const SCHEMES: usize = 3;

const ELOT: usize = 0;
const PHON: usize = 1;
const SLAV: usize = 2;

fn voiceless(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(c, 'θ' | 'κ' | 'ξ' | 'π' | 'σ' | 'τ' | 'φ' | 'χ' | 'ψ'),
    }
}

/// Romanises one run of folded Greek letters with system `scheme`.
pub fn romanise(word: &[char], scheme: usize, out: &mut String) {
    let scheme = if scheme < SCHEMES { scheme } else { ELOT };
    let mut i = 0;
    while let Some(&c) = word.get(i) {
        let next = word.get(i + 1).copied();
        let after = word.get(i + 2).copied();
        let initial = i == 0;
        // Two-letter combinations first.
        let pair: Option<&str> = match (c, next) {
            ('α', Some('ι')) => Some(if scheme == ELOT { "ai" } else { "e" }),
            ('ε', Some('ι')) => Some(if scheme == ELOT { "ei" } else { "i" }),
            ('ο', Some('ι')) => Some(if scheme == ELOT { "oi" } else { "i" }),
            ('υ', Some('ι')) => Some(if scheme == ELOT { "yi" } else { "i" }),
            ('ο', Some('υ')) => Some(if scheme == SLAV { "u" } else { "ou" }),
            ('α', Some('υ')) => Some(if voiceless(after) { "af" } else { "av" }),
            ('ε', Some('υ')) => Some(if voiceless(after) { "ef" } else { "ev" }),
            ('η', Some('υ')) => Some(if voiceless(after) { "if" } else { "iv" }),
            ('μ', Some('π')) => Some(if initial { "b" } else { "mp" }),
            ('ν', Some('τ')) => Some(if initial { "d" } else { "nt" }),
            ('γ', Some('κ')) => Some(if initial {
                "g"
            } else if scheme == ELOT {
                "gk"
            } else {
                "ng"
            }),
            ('γ', Some('γ')) => Some("ng"),
            ('γ', Some('ξ')) => Some(if scheme == ELOT { "nx" } else { "nks" }),
            ('γ', Some('χ')) => Some(if scheme == SLAV { "nh" } else { "nch" }),
            ('τ', Some('σ')) => Some(if scheme == SLAV { "c" } else { "ts" }),
            ('τ', Some('ζ')) => Some(if scheme == SLAV { "dz" } else { "tz" }),
            _ => None,
        };
        if let Some(p) = pair {
            out.push_str(p);
            i += 2;
            continue;
        }
        let s = match c {
            'α' => "a",
            'β' => "v",
            'γ' => "g",
            'δ' => "d",
            'ε' => "e",
            'ζ' => "z",
            'η' => "i",
            'θ' => "th",
            'ι' | 'ϊ' => "i",
            'κ' => "k",
            'λ' => "l",
            'μ' => "m",
            'ν' => "n",
            'ξ' => {
                if scheme == ELOT {
                    "x"
                } else {
                    "ks"
                }
            }
            'ο' | 'ω' => "o",
            'π' => "p",
            'ρ' => "r",
            'σ' | 'ϲ' => "s",
            'τ' => "t",
            'υ' | 'ϋ' => {
                if scheme == ELOT {
                    "y"
                } else {
                    "i"
                }
            }
            'φ' => "f",
            'χ' => match scheme {
                ELOT => "ch",
                PHON => "kh",
                _ => "h",
            },
            'ψ' => "ps",
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
    fn tsipras() {
        assert_eq!(r("αλεξησ", ELOT), "alexis");
        assert_eq!(r("τσιπρασ", ELOT), "tsipras");
        assert_eq!(r("αλεξησ", PHON), "aleksis");
        assert_eq!(r("τσιπρασ", SLAV), "cipras");
        assert_eq!(r("παπανδρεου", ELOT), "papandreou");
        assert_eq!(r("ευαγγελοσ", ELOT), "evangelos");
        assert_eq!(r("μητσοτακησ", ELOT), "mitsotakis");
        assert_eq!(r("χατζηδακησ", PHON), "khatzidakis");
    }
}
