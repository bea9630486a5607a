//! Writing-system detection: which Unicode script a character belongs to and
//! which script dominates the letters of a string.
//!
//! Only the scripts that matter for sanctions names are told apart; every
//! other letter is `Other`, and digits, punctuation, spaces and symbols are
//! `Common`. The ranges are the Unicode blocks of each script (including their
//! supplements, presentation forms and full-width forms).

use serde::{Deserialize, Serialize};

/// A writing system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Han,
    Hiragana,
    Katakana,
    Hangul,
    Georgian,
    Armenian,
    Devanagari,
    Bengali,
    Thai,
    /// A letter of a script not listed above (Ethiopic, Tamil, Syriac, …).
    Other,
    /// Not a letter: digits, punctuation, spaces, symbols, marks on their own.
    Common,
}

impl Script {
    /// All scripts, in declaration order.
    pub const ALL: [Script; 16] = [
        Script::Latin,
        Script::Cyrillic,
        Script::Greek,
        Script::Arabic,
        Script::Hebrew,
        Script::Han,
        Script::Hiragana,
        Script::Katakana,
        Script::Hangul,
        Script::Georgian,
        Script::Armenian,
        Script::Devanagari,
        Script::Bengali,
        Script::Thai,
        Script::Other,
        Script::Common,
    ];

    /// Written in syllables (Chinese, Japanese, Korean), with no spaces and
    /// none of the Latin particles.
    pub fn is_syllabic(self) -> bool {
        matches!(
            self,
            Script::Han | Script::Hangul | Script::Hiragana | Script::Katakana
        )
    }

    /// Romanised a syllable per token, or a few joined (Chinese "xi
    /// jinping", Korean "kim jong un"): one letter more or less is another
    /// syllable, not a typo. Kana romanise a whole word per token
    /// ("baraku"), spelt much as a Latin word is.
    pub fn romanises_by_syllable(self) -> bool {
        matches!(self, Script::Han | Script::Hangul)
    }

    /// An abjad that writes few vowels (Arabic, Hebrew): romanisations of
    /// one name differ mostly in vowels.
    pub fn is_abjad(self) -> bool {
        matches!(self, Script::Arabic | Script::Hebrew)
    }

    /// A stable lower-case name (`"latin"`, `"cyrillic"`, …) for logs and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Latin => "latin",
            Script::Cyrillic => "cyrillic",
            Script::Greek => "greek",
            Script::Arabic => "arabic",
            Script::Hebrew => "hebrew",
            Script::Han => "han",
            Script::Hiragana => "hiragana",
            Script::Katakana => "katakana",
            Script::Hangul => "hangul",
            Script::Georgian => "georgian",
            Script::Armenian => "armenian",
            Script::Devanagari => "devanagari",
            Script::Bengali => "bengali",
            Script::Thai => "thai",
            Script::Other => "other",
            Script::Common => "common",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The script of one character. Combining marks count as the script of the
/// block they are in (Arabic harakat are Arabic, Devanagari vowel signs are
/// Devanagari); the generic combining diacritics are `Common`.
pub fn char_script(c: char) -> Script {
    let u = c as u32;
    if u < 0x80 {
        return if c.is_ascii_alphabetic() {
            Script::Latin
        } else {
            Script::Common
        };
    }
    match u {
        0x00AA | 0x00BA => Script::Latin,
        0x00C0..=0x024F if u != 0x00D7 && u != 0x00F7 => Script::Latin,
        0x0250..=0x02AF => Script::Latin,
        0x1D00..=0x1D7F => Script::Latin,
        0x1E00..=0x1EFF => Script::Latin,
        0x2C60..=0x2C7F => Script::Latin,
        0xA720..=0xA7FF => Script::Latin,
        0xAB30..=0xAB6F => Script::Latin,
        0xFB00..=0xFB06 => Script::Latin,
        0xFF21..=0xFF3A | 0xFF41..=0xFF5A => Script::Latin,
        0x0370..=0x03FF if u != 0x037E && u != 0x0387 => Script::Greek,
        0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F => Script::Cyrillic,
        0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0531..=0x058F | 0xFB13..=0xFB17 => Script::Armenian,
        0x0591..=0x05FF | 0xFB1D..=0xFB4F => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x0870..=0x08FF => {
            if is_arabic_common(u) {
                Script::Common
            } else {
                Script::Arabic
            }
        }
        0xFB50..=0xFDFF | 0xFE70..=0xFEFE => Script::Arabic,
        0x0900..=0x097F | 0xA8E0..=0xA8FF => {
            if (0x0964..=0x096F).contains(&u) {
                Script::Common
            } else {
                Script::Devanagari
            }
        }
        0x0980..=0x09FF => {
            if (0x09E6..=0x09EF).contains(&u) {
                Script::Common
            } else {
                Script::Bengali
            }
        }
        0x0E00..=0x0E7F => {
            if (0x0E50..=0x0E59).contains(&u) {
                Script::Common
            } else {
                Script::Thai
            }
        }
        0x10A0..=0x10FF | 0x1C90..=0x1CBF | 0x2D00..=0x2D2F => Script::Georgian,
        0x1100..=0x11FF
        | 0x3131..=0x318F
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7AF
        | 0xD7B0..=0xD7FF
        | 0xFFA0..=0xFFDC => Script::Hangul,
        0x3041..=0x309F => Script::Hiragana,
        0x30A0..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => {
            // The prolonged sound mark and middle dot are shared by both kana.
            if u == 0x30FB {
                Script::Common
            } else {
                Script::Katakana
            }
        }
        0x2E80..=0x2FDF
        | 0x3005..=0x3007
        | 0x3021..=0x3029
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x323AF => Script::Han,
        _ => {
            if c.is_alphabetic() {
                Script::Other
            } else {
                Script::Common
            }
        }
    }
}

/// Arabic-block code points that are punctuation, digits or signs rather than
/// letters.
fn is_arabic_common(u: u32) -> bool {
    matches!(
        u,
        0x0600..=0x060F | 0x061B..=0x061F | 0x0640 | 0x0660..=0x066D | 0x06D4 | 0x06DD | 0x06DE | 0x06E9 | 0x06F0..=0x06F9 | 0x06FD | 0x06FE
    )
}

/// The dominant script of the letters of `s`: the script with the most
/// letters; `Common` when there is no letter. Ties go to the script declared
/// first in [`Script`].
pub fn detect_script(s: &str) -> Script {
    let mut counts = [0usize; 16];
    let mut any = false;
    for c in s.chars() {
        let sc = char_script(c);
        if sc != Script::Common {
            counts[sc.index()] += 1;
            any = true;
        }
    }
    if !any {
        return Script::Common;
    }
    let mut best = Script::Latin;
    let mut best_n = 0;
    for sc in Script::ALL {
        let n = counts[sc.index()];
        if n > best_n {
            best = sc;
            best_n = n;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_scripts_of_real_names() {
        assert_eq!(detect_script("AL-TIKRITI, Ibrahim"), Script::Latin);
        assert_eq!(detect_script("Сергей Викторович Лавров"), Script::Cyrillic);
        assert_eq!(detect_script("Αλέξης Τσίπρας"), Script::Greek);
        assert_eq!(detect_script("إبراهيم أحمد عبد الستار"), Script::Arabic);
        assert_eq!(detect_script("ﺻﺍﻠﺡ ﻤﺣﻤﺩ"), Script::Arabic);
        assert_eq!(detect_script("שלום"), Script::Hebrew);
        assert_eq!(detect_script("金正恩"), Script::Han);
        assert_eq!(detect_script("김정은"), Script::Hangul);
        assert_eq!(detect_script("ひらがな"), Script::Hiragana);
        assert_eq!(detect_script("トヨタ"), Script::Katakana);
        assert_eq!(detect_script("ნინო"), Script::Georgian);
        assert_eq!(detect_script("Արամ"), Script::Armenian);
        assert_eq!(detect_script("नरेन्द्र मोदी"), Script::Devanagari);
        assert_eq!(detect_script("শেখ হাসিনা"), Script::Bengali);
        assert_eq!(detect_script("ทักษิณ"), Script::Thai);
        assert_eq!(detect_script("ኢትዮጵያ"), Script::Other);
        assert_eq!(detect_script("123 - !?"), Script::Common);
        assert_eq!(detect_script(""), Script::Common);
    }

    #[test]
    fn mixed_strings_take_the_majority() {
        // Two Cyrillic letters among six Latin ones.
        assert_eq!(detect_script("Sаddаm Hussein"), Script::Latin);
        assert_eq!(detect_script("ООО Ромашка LLC"), Script::Cyrillic);
    }

    #[test]
    fn digits_and_punctuation_of_other_blocks_are_common() {
        assert_eq!(char_script('٣'), Script::Common);
        assert_eq!(char_script('،'), Script::Common);
        assert_eq!(char_script('ـ'), Script::Common);
        assert_eq!(char_script('×'), Script::Common);
        assert_eq!(char_script('é'), Script::Latin);
        assert_eq!(char_script('ё'), Script::Cyrillic);
    }
}
