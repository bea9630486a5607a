//! Devanagari and Bengali → Latin, the way Indian and Bangladeshi names are
//! usually spelled in Latin script (no diacritics): consonants carry an
//! inherent vowel `a` unless a vowel sign or virama follows, and that vowel
//! is dropped at the end of a word and in the middle of a word between two
//! pronounced syllables (Hindi schwa deletion: कमला → "kamla", রহমান →
//! "rahman"). Two systems:
//!
//! 0. short vowels and schwa deletion ("rajiv", "narendra", "rahman");
//! 1. long vowels spelled ee/oo, no medial schwa deletion, फ → f
//!    ("rajeev", "rahaman").

/// Number of systems [`romanise`] knows.
pub const SCHEMES: usize = 2;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A consonant; `inherent` while no vowel sign or virama followed.
    Consonant,
    /// An independent vowel or a vowel sign.
    Vowel,
    /// Anusvara, visarga, digits, anything else.
    Other,
}

struct Unit {
    text: &'static str,
    kind: Kind,
    /// A consonant still carrying its inherent vowel.
    inherent: bool,
    /// A consonant joined to the next by a virama.
    virama: bool,
}

fn consonant(c: char, scheme: usize) -> Option<&'static str> {
    Some(match c {
        // Devanagari
        'क' => "k",
        'ख' => "kh",
        'ग' => "g",
        'घ' => "gh",
        'ङ' => "n",
        'च' => "ch",
        'छ' => "chh",
        'ज' => "j",
        'झ' => "jh",
        'ञ' => "n",
        'ट' => "t",
        'ठ' => "th",
        'ड' => "d",
        'ढ' => "dh",
        'ण' => "n",
        'त' => "t",
        'थ' => "th",
        'द' => "d",
        'ध' => "dh",
        'न' | 'ऩ' => "n",
        'प' => "p",
        'फ' => {
            if scheme == 0 {
                "ph"
            } else {
                "f"
            }
        }
        'ब' => "b",
        'भ' => "bh",
        'म' => "m",
        'य' => "y",
        'र' | 'ऱ' => "r",
        'ल' | 'ळ' => "l",
        'व' => "v",
        'श' | 'ष' => "sh",
        'स' => "s",
        'ह' => "h",
        // Bengali
        'ক' => "k",
        'খ' => "kh",
        'গ' => "g",
        'ঘ' => "gh",
        'ঙ' => "ng",
        'চ' => "ch",
        'ছ' => "chh",
        'জ' | 'য' => "j",
        'ঝ' => "jh",
        'ঞ' => "n",
        'ট' => "t",
        'ঠ' => "th",
        'ড' => "d",
        'ঢ' => "dh",
        'ণ' => "n",
        'ত' => "t",
        'থ' => "th",
        'দ' => "d",
        'ধ' => "dh",
        'ন' => "n",
        'প' => "p",
        'ফ' => {
            if scheme == 0 {
                "ph"
            } else {
                "f"
            }
        }
        'ব' => "b",
        'ভ' => "bh",
        'ম' => "m",
        'র' => "r",
        'ল' => "l",
        'শ' | 'ষ' => "sh",
        'স' => "s",
        'হ' => "h",
        _ => return None,
    })
}

fn vowel(c: char, scheme: usize) -> Option<&'static str> {
    let long = scheme == 1;
    Some(match c {
        // Independent vowels and vowel signs, Devanagari then Bengali.
        'अ' => "a",
        'आ' | 'ा' => "a",
        'इ' | 'ि' => "i",
        'ई' | 'ी' => {
            if long {
                "ee"
            } else {
                "i"
            }
        }
        'उ' | 'ु' => "u",
        'ऊ' | 'ू' => {
            if long {
                "oo"
            } else {
                "u"
            }
        }
        'ऋ' | 'ृ' => "ri",
        'ए' | 'े' | 'ॅ' => "e",
        'ऐ' | 'ै' => "ai",
        'ओ' | 'ो' | 'ऑ' | 'ॉ' => "o",
        'औ' | 'ौ' => "au",
        'অ' => "a",
        'আ' | 'া' => "a",
        'ই' | 'ি' => "i",
        'ঈ' | 'ী' => {
            if long {
                "ee"
            } else {
                "i"
            }
        }
        'উ' | 'ু' => "u",
        'ঊ' | 'ূ' => {
            if long {
                "oo"
            } else {
                "u"
            }
        }
        'ঋ' | 'ৃ' => "ri",
        'এ' | 'ে' => "e",
        'ঐ' | 'ৈ' => "oi",
        'ও' | 'ো' => "o",
        'ঔ' | 'ৌ' => "ou",
        _ => return None,
    })
}

fn is_vowel_sign(c: char) -> bool {
    matches!(c as u32, 0x093E..=0x094C | 0x09BE..=0x09CC | 0x0962 | 0x0963)
}

fn is_virama(c: char) -> bool {
    matches!(c, '\u{094D}' | '\u{09CD}')
}

/// Romanises one run of Devanagari or Bengali with system `scheme`.
pub fn romanise(word: &[char], scheme: usize, out: &mut String) {
    let scheme = if scheme < SCHEMES { scheme } else { 0 };
    let mut units: Vec<Unit> = Vec::with_capacity(word.len());
    for &c in word {
        if matches!(c, '\u{093C}' | '\u{09BC}') {
            if let Some(last) = units.last_mut()
                && last.kind == Kind::Consonant
            {
                // Re-spell the previous consonant with its nukta form.
                if let Some(t) = nukta_text(last.text, c) {
                    last.text = t;
                }
            }
            continue;
        }
        if let Some(t) = consonant(c, scheme) {
            units.push(Unit {
                text: t,
                kind: Kind::Consonant,
                inherent: true,
                virama: false,
            });
        } else if is_virama(c) {
            if let Some(last) = units.last_mut() {
                last.inherent = false;
                last.virama = true;
            }
        } else if let Some(v) = vowel(c, scheme) {
            if is_vowel_sign(c)
                && let Some(last) = units.last_mut()
            {
                last.inherent = false;
            }
            units.push(Unit {
                text: v,
                kind: Kind::Vowel,
                inherent: false,
                virama: false,
            });
        } else {
            let t = match c {
                'ं' | 'ँ' | 'ঁ' => "n",
                'ং' => "ng",
                'ः' | 'ঃ' => "h",
                'ৎ' => "t",
                _ => any_ascii::any_ascii_char(c),
            };
            units.push(Unit {
                text: t,
                kind: Kind::Other,
                inherent: false,
                virama: false,
            });
        }
    }
    // Which inherent vowels are pronounced.
    let n = units.len();
    let mut sounded = vec![false; n];
    for (i, u) in units.iter().enumerate() {
        sounded[i] = u.kind == Kind::Consonant && u.inherent;
    }
    // Word-final schwa goes unless the last consonant closes a cluster.
    if let Some(last) = n.checked_sub(1)
        && sounded[last]
    {
        let cluster = last > 0 && units.get(last - 1).is_some_and(|u| u.virama);
        if !cluster && n > 1 {
            sounded[last] = false;
        }
    }
    // Medial schwa between two pronounced syllables goes (system 0 only),
    // right to left, never two in a row.
    if scheme == 0 && n > 2 {
        let has_vowel_after = |i: usize, sounded: &[bool]| -> bool {
            // units[i] is a consonant; is it followed by a vowel sound?
            match units.get(i) {
                Some(u) if u.kind == Kind::Consonant => {
                    sounded.get(i).copied().unwrap_or(false)
                        || units.get(i + 1).is_some_and(|v| v.kind == Kind::Vowel)
                }
                _ => false,
            }
        };
        let mut i = n - 2;
        while i >= 1 {
            let u = &units[i];
            if u.kind == Kind::Consonant && sounded[i] && !units[i - 1].virama {
                let prev_has_vowel = match units.get(i - 1) {
                    Some(p) if p.kind == Kind::Vowel => true,
                    Some(p) if p.kind == Kind::Consonant => sounded[i - 1],
                    _ => false,
                };
                if prev_has_vowel && has_vowel_after(i + 1, &sounded) {
                    sounded[i] = false;
                    if i < 2 {
                        break;
                    }
                    i -= 2;
                    continue;
                }
            }
            i -= 1;
        }
    }
    let mut s = String::with_capacity(n * 2);
    for (i, u) in units.iter().enumerate() {
        s.push_str(u.text);
        if sounded[i] {
            s.push('a');
        }
    }
    // Bengali initial ওয়া is "wa" (ওয়াজেদ → wazed).
    if scheme == 0
        && let Some(rest) = s.strip_prefix("oya")
    {
        s = format!("wa{rest}");
    }
    out.push_str(&s);
}

/// The Latin text of a consonant followed by a nukta (क + ़ = क़ "q"),
/// given the consonant's plain text.
fn nukta_text(plain: &'static str, nukta: char) -> Option<&'static str> {
    Some(match (plain, nukta) {
        ("k", '\u{093C}') => "q",
        ("g", '\u{093C}') => "gh",
        ("j", '\u{093C}') => "z",
        ("d", '\u{093C}' | '\u{09BC}') => "r",
        ("dh", '\u{093C}' | '\u{09BC}') => "rh",
        ("ph" | "f", '\u{093C}') => "f",
        ("j", '\u{09BC}') => "y",
        _ => return None,
    })
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
    fn hindi_names() {
        assert_eq!(r("नरेन्द्र", 0), "narendra");
        assert_eq!(r("मोदी", 0), "modi");
        assert_eq!(r("राजीव", 0), "rajiv");
        assert_eq!(r("राजीव", 1), "rajeev");
        assert_eq!(r("कमला", 0), "kamla");
        assert_eq!(r("कमला", 1), "kamala");
        assert_eq!(r("शर्मा", 0), "sharma");
        assert_eq!(r("चोपड़ा", 0), "chopra");
    }

    #[test]
    fn bengali_names() {
        assert_eq!(r("রহমান", 0), "rahman");
        assert_eq!(r("হাসিনা", 0), "hasina");
        assert_eq!(r("শেখ", 0), "shekh");
        assert_eq!(r("ওয়াজেদ", 0), "wajed");
        assert_eq!(r("মোহাম্মদ", 0), "mohammad");
    }
}
