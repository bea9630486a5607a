//! Cyrillic → Latin in six consistent systems, so that a listed name spelled
//! by any of them is reproduced exactly by one variant:
//!
//! 0. press / common English ("Sergei", "Dmitry", "Yevgeny", "Pyotr"; кс as
//!    x, as brands and the press write it: "Maxim", "Yandex", "Garantex");
//! 1. BGN/PCGN ("Sergey", "Dmitriy", "Gaziyev", "Petr");
//! 2. ICAO passport 2013 ("Sergei", "Dmitrii", "Iuliia");
//! 3. Ukrainian national 2010 (г → h, и → y, "Serhii", "Oleksandr");
//! 4. South Slavic / Czech without diacritics ("Sergej", "Vucic", ц → c);
//! 5. BGN with х → h and ё → e ("Hodorkovsky").
//!
//! Letters of other Cyrillic alphabets (Serbian, Macedonian, Kazakh, Tajik,
//! Belarusian, …) have their usual Latin forms; anything else falls back to
//! `any_ascii`.

/// Number of systems [`romanise`] knows.
pub const SCHEMES: usize = 6;

const PRESS: usize = 0;
const BGN: usize = 1;
const ICAO: usize = 2;
const UKR: usize = 3;
const SLAVIC: usize = 4;
const BGN_H: usize = 5;

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'і' | 'ї' | 'є'
    )
}

/// Romanises one run of lower-case Cyrillic letters with system `scheme`.
pub fn romanise(word: &[char], scheme: usize, out: &mut String) {
    let scheme = if scheme < SCHEMES { scheme } else { PRESS };
    let n = word.len();
    for (i, &c) in word.iter().enumerate() {
        let prev = if i > 0 {
            word.get(i - 1).copied()
        } else {
            None
        };
        let next = word.get(i + 1).copied();
        // Start of word, or after a vowel or a sign: е/ё/ю/я/є are iotated.
        let iotated = match prev {
            None => true,
            Some(p) => is_vowel(p) || matches!(p, 'ъ' | 'ь' | 'й'),
        };
        let at_end = i + 1 == n;
        let s: &str = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => {
                if scheme == UKR {
                    "h"
                } else {
                    "g"
                }
            }
            'ґ' => "g",
            'д' => "d",
            'е' => match scheme {
                PRESS if prev.is_none() || matches!(prev, Some('ь' | 'ъ')) => "ye",
                BGN | BGN_H if iotated => "ye",
                SLAVIC if iotated && prev.is_some() => "je",
                _ => "e",
            },
            'ё' => match scheme {
                PRESS => "yo",
                BGN if iotated => "yo",
                BGN => "e",
                UKR if iotated => "yo",
                UKR => "io",
                SLAVIC => "jo",
                _ => "e",
            },
            'є' => match scheme {
                ICAO => "ie",
                UKR if !iotated => "ie",
                SLAVIC => "je",
                _ => "ye",
            },
            'ж' => {
                if scheme == SLAVIC {
                    "z"
                } else {
                    "zh"
                }
            }
            'з' => "z",
            'и' => {
                if scheme == UKR {
                    "y"
                } else if matches!(next, Some('й')) && i + 2 == n {
                    // -ий at the end of a word: Dmitry / Dmitriy / Dmitrii.
                    match scheme {
                        PRESS => "",
                        _ => "i",
                    }
                } else {
                    "i"
                }
            }
            'ы' => {
                if matches!(next, Some('й')) && i + 2 == n && scheme == PRESS {
                    ""
                } else {
                    "y"
                }
            }
            'і' => "i",
            'ї' => match scheme {
                UKR if prev.is_none() => "yi",
                UKR | ICAO | SLAVIC => "i",
                _ => "yi",
            },
            'й' => match scheme {
                PRESS => {
                    if at_end && matches!(prev, Some('и' | 'ы')) {
                        "y"
                    } else if prev.is_some_and(is_vowel) {
                        "i"
                    } else {
                        "y"
                    }
                }
                ICAO => "i",
                UKR => {
                    if prev.is_none() {
                        "y"
                    } else {
                        "i"
                    }
                }
                SLAVIC => "j",
                _ => "y",
            },
            // The press writes кс as x (Максим "Maxim", Гарантекс "Garantex").
            'к' if scheme == PRESS && next == Some('с') => "x",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' if scheme == PRESS && prev == Some('к') => "",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ў' => "u",
            'ф' => "f",
            'х' => match scheme {
                SLAVIC | BGN_H => "h",
                _ => "kh",
            },
            'ц' => {
                if scheme == SLAVIC {
                    "c"
                } else {
                    "ts"
                }
            }
            'ч' => {
                if scheme == SLAVIC {
                    "c"
                } else {
                    "ch"
                }
            }
            'ш' => {
                if scheme == SLAVIC {
                    "s"
                } else {
                    "sh"
                }
            }
            'щ' => {
                if scheme == SLAVIC {
                    "sc"
                } else {
                    "shch"
                }
            }
            'ъ' => {
                if scheme == ICAO {
                    "ie"
                } else {
                    ""
                }
            }
            'ь' => "",
            'э' => "e",
            'ю' => match scheme {
                ICAO => "iu",
                UKR if !iotated => "iu",
                SLAVIC => "ju",
                _ => "yu",
            },
            'я' => match scheme {
                ICAO => "ia",
                UKR if !iotated => "ia",
                SLAVIC => "ja",
                _ => "ya",
            },
            // Serbian, Macedonian
            'ђ' => "dj",
            'ј' => "j",
            'љ' => "lj",
            'њ' => "nj",
            'ћ' => {
                if scheme == SLAVIC {
                    "c"
                } else {
                    "ch"
                }
            }
            'џ' => {
                if scheme == SLAVIC {
                    "dz"
                } else {
                    "dzh"
                }
            }
            'ѓ' => "gj",
            'ќ' => "kj",
            'ѕ' => "dz",
            // Kazakh, Kyrgyz, Tatar, Bashkir, Tajik, Uzbek, Chuvash …
            'ә' => "a",
            'ғ' => "gh",
            'қ' => "q",
            'ң' => "ng",
            'ө' => "o",
            'ұ' | 'ү' | 'ӯ' | 'ӱ' | 'ӳ' => "u",
            'һ' | 'ҳ' => "h",
            'ҷ' => "j",
            'ӣ' => "i",
            'ӑ' => "a",
            'ӗ' => "e",
            'ҫ' => "s",
            'ӏ' => "",
            _ => {
                out.push_str(any_ascii::any_ascii_char(c));
                continue;
            }
        };
        out.push_str(s);
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
    fn systems() {
        assert_eq!(r("сергей", PRESS), "sergei");
        assert_eq!(r("сергей", BGN), "sergey");
        assert_eq!(r("сергей", ICAO), "sergei");
        assert_eq!(r("сергей", SLAVIC), "sergej");
        assert_eq!(r("сергій", UKR), "serhii");
        assert_eq!(r("дмитрий", PRESS), "dmitry");
        assert_eq!(r("дмитрий", BGN), "dmitriy");
        assert_eq!(r("дмитрий", ICAO), "dmitrii");
        assert_eq!(r("газиев", BGN), "gaziyev");
        assert_eq!(r("газиев", PRESS), "gaziev");
        assert_eq!(r("евгений", PRESS), "yevgeny");
        assert_eq!(r("евгений", ICAO), "evgenii");
        assert_eq!(r("тархан", PRESS), "tarkhan");
        assert_eq!(r("ходорковский", BGN_H), "hodorkovskiy");
        assert_eq!(r("юлия", ICAO), "iuliia");
        assert_eq!(r("пётр", PRESS), "pyotr");
        assert_eq!(r("олександр", UKR), "oleksandr");
        assert_eq!(r("вучић", SLAVIC), "vucic");
        assert_eq!(r("щукин", PRESS), "shchukin");
        assert_eq!(r("максим", PRESS), "maxim");
        assert_eq!(r("гарантекс", PRESS), "garantex");
        assert_eq!(r("максим", BGN), "maksim");
        assert_eq!(r("кость", PRESS), "kost");
    }
}
