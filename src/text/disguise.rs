//! Names written so that a screener misreads them, read the way a person
//! sees them. Each reading is one more spelling of the name (the name as
//! written is still screened):
//!
//! - text reversed behind a right-to-left override (`U+202E nituP rimidalV`
//!   displays as "Vladimir Putin"): the overridden run, reversed;
//! - letters written apart (`O s a m a  b i n  L a d e n`): single letters
//!   one space apart are one word, a wider gap separates words;
//! - letters with dots between them (`O.S.A.M.A. B.I.N.`): the letters of
//!   each dotted word joined;
//! - words run together with capitals (`SaddamHussein`, `OsamabinLaden`):
//!   split where a small letter meets a capital. Words run together without
//!   capitals are met by the matcher's joined-words rule;
//! - digits written for the letters they look like (`Ig0r Sech1n`,
//!   `0sama`): in a word with one or two such digits and more letters than
//!   digits, each digit read as its letter (0 o, 1 i, 3 e, 4 a, 5 s, 7 t,
//!   8 b, 9 g, the substitutions of "leetspeak"). Codes and marks (`A320`,
//!   `Su35`, `RA-86495`) have too few letters to be read so.
//!
//! Every reading is found in one pass over the name and costs nothing when
//! the name shows none of these.

/// Right-to-left override and the mark that ends it (Unicode bidi controls).
const RLO: char = '\u{202E}';
const PDF: char = '\u{202C}';

/// A run of single letters this long counts as a word written apart.
const MIN_SPACED_LETTERS: usize = 4;
/// A dotted word of this many letters counts as a word written with dots.
const MIN_DOTTED_LETTERS: usize = 4;
/// Each side of a capital inside a word has at least this many letters for a
/// split ("McDonald" is not split, "SaddamHussein" is).
const MIN_CAMEL_PART: usize = 3;
/// A word with digits for letters has at least this many letters, more
/// letters than digits and at most [`MAX_LOOKALIKE_DIGITS`] digits.
const MIN_LETTERS_AROUND_DIGITS: usize = 2;
const MAX_LOOKALIKE_DIGITS: usize = 2;

/// The readings of `name` that undo a disguise, in the order above; empty
/// for a plain name.
pub fn readings(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |r: Option<String>| {
        if let Some(r) = r
            && r != name
            && !out.contains(&r)
        {
            out.push(r);
        }
    };
    push(rtl_override(name));
    push(spaced_letters(name));
    push(dotted_letters(name));
    push(camel_case(name));
    push(lookalike_digits(name));
    out
}

/// The text as displayed: each run after a right-to-left override (up to
/// the mark that ends it, or the end) reversed.
fn rtl_override(name: &str) -> Option<String> {
    if !name.contains(RLO) {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<char> = Vec::new();
    let mut inside = false;
    for c in name.chars() {
        match c {
            RLO => inside = true,
            PDF if inside => {
                out.extend(run.drain(..).rev());
                inside = false;
            }
            _ if inside => run.push(c),
            _ => out.push(c),
        }
    }
    out.extend(run.drain(..).rev());
    Some(out)
}

/// Single letters one space apart joined into words; a gap of two spaces
/// or more (or a longer word) separates words.
fn spaced_letters(name: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    let mut longest_run = 0usize;
    let mut run = 0usize;
    let mut gap = usize::MAX;
    for part in name.split(' ') {
        if part.is_empty() {
            gap = gap.saturating_add(1);
            continue;
        }
        let single = part.chars().count() == 1 && part.chars().all(char::is_alphabetic);
        match words.last_mut() {
            Some(last) if single && run > 0 && gap == 0 => {
                last.push_str(part);
                run += 1;
            }
            _ => {
                words.push(part.to_string());
                run = usize::from(single);
            }
        }
        longest_run = longest_run.max(run);
        gap = 0;
    }
    (longest_run >= MIN_SPACED_LETTERS).then(|| words.join(" "))
}

/// Words written as letters with dots between them ("O.S.A.M.A.") with the
/// dots taken out.
fn dotted_letters(name: &str) -> Option<String> {
    let mut found = false;
    let words: Vec<String> = name
        .split_whitespace()
        .map(|w| {
            let letters: Vec<&str> = w.trim_end_matches('.').split('.').collect();
            let dotted = letters.len() >= 2
                && letters
                    .iter()
                    .all(|l| l.chars().count() == 1 && l.chars().all(char::is_alphabetic));
            if dotted {
                found |= letters.len() >= MIN_DOTTED_LETTERS;
                letters.concat()
            } else {
                w.to_string()
            }
        })
        .collect();
    found.then(|| words.join(" "))
}

/// Small particles that run-together names glue to the word before the
/// next capital ("OsamabinLaden", "LudwigvanBeethoven").
const GLUED_PARTICLES: [&str; 9] = ["bin", "ibn", "bint", "ben", "al", "el", "van", "von", "de"];

/// Writes `part`, with a particle glued to its end ("Osamabin") set apart
/// when at least [`MIN_CAMEL_PART`] letters come before it.
fn push_with_particle(part: &[char], out: &mut String) {
    let text: String = part.iter().collect();
    let lower = text.to_lowercase();
    let glued = GLUED_PARTICLES.iter().find(|p| {
        lower.ends_with(*p) && lower.chars().count() >= p.chars().count() + MIN_CAMEL_PART
    });
    match glued {
        Some(p) if lower.is_ascii() => {
            let cut = text.len() - p.len();
            out.push_str(&text[..cut]);
            out.push(' ');
            out.push_str(&text[cut..]);
        }
        _ => out.push_str(&text),
    }
}

/// Words split where a small letter is followed by a capital, when both
/// sides have at least [`MIN_CAMEL_PART`] letters; a particle glued to the
/// end of a part is set apart.
fn camel_case(name: &str) -> Option<String> {
    // Most names have no small letter followed by a capital: nothing to split.
    let mut pairs = name.chars().zip(name.chars().skip(1));
    if !pairs.any(|(a, b)| a.is_lowercase() && b.is_uppercase()) {
        return None;
    }
    let mut out = String::with_capacity(name.len() + 4);
    let mut found = false;
    for word in name.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        let chars: Vec<char> = word.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            if !(chars[i - 1].is_lowercase() && chars[i].is_uppercase()) {
                continue;
            }
            let left = chars[start..i].iter().filter(|c| c.is_alphabetic()).count();
            let right = chars[i..].iter().take_while(|c| c.is_alphabetic()).count();
            if left >= MIN_CAMEL_PART && right >= MIN_CAMEL_PART {
                push_with_particle(&chars[start..i], &mut out);
                out.push(' ');
                start = i;
                found = true;
            }
        }
        out.extend(&chars[start..]);
    }
    found.then_some(out)
}

/// The letter a digit is written for, if it looks like one.
fn letter_for_digit(d: char) -> Option<char> {
    Some(match d {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        _ => return None,
    })
}

/// Words of letters with a digit or two written for a letter, the digits
/// read as letters.
fn lookalike_digits(name: &str) -> Option<String> {
    let mut found = false;
    let words: Vec<String> = name
        .split(' ')
        .map(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            let digits = w.chars().filter(char::is_ascii_digit).count();
            let readable = letters >= MIN_LETTERS_AROUND_DIGITS
                && (1..=MAX_LOOKALIKE_DIGITS).contains(&digits)
                && digits < letters
                && w.chars()
                    .all(|c| c.is_alphabetic() || letter_for_digit(c).is_some());
            if readable {
                found = true;
                w.chars()
                    .map(|c| letter_for_digit(c).unwrap_or(c))
                    .collect()
            } else {
                w.to_string()
            }
        })
        .collect();
    found.then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_to_left_override_reads_as_displayed() {
        assert_eq!(
            readings("\u{202E}nituP rimidalV"),
            vec!["Vladimir Putin".to_string()]
        );
        assert_eq!(
            rtl_override("Mr \u{202E}nituP\u{202C} Vladimir").as_deref(),
            Some("Mr Putin Vladimir")
        );
    }

    #[test]
    fn letters_written_apart_are_words() {
        assert_eq!(
            readings("O s a m a  b i n  L a d e n"),
            vec!["Osama bin Laden".to_string()]
        );
        assert_eq!(
            spaced_letters("V l a d i m i r   P u t i n").as_deref(),
            Some("Vladimir Putin")
        );
        // Initials are not a word written apart.
        assert_eq!(spaced_letters("J R R Tolkien"), None);
        assert_eq!(spaced_letters("John Smith"), None);
    }

    #[test]
    fn dotted_letters_are_words() {
        assert_eq!(
            readings("O.S.A.M.A. B.I.N. L.A.D.E.N."),
            vec!["OSAMA BIN LADEN".to_string()]
        );
        // Short dotted abbreviations alone are left to the matcher.
        assert_eq!(dotted_letters("A.S.P. Trading"), None);
        assert_eq!(dotted_letters("St. John"), None);
    }

    #[test]
    fn words_run_together_split_at_capitals() {
        assert_eq!(
            readings("SaddamHussein"),
            vec!["Saddam Hussein".to_string()]
        );
        assert_eq!(
            camel_case("OsamabinLaden").as_deref(),
            Some("Osama bin Laden")
        );
        assert_eq!(camel_case("Ronald McDonald"), None);
        assert_eq!(camel_case("SADDAM HUSSEIN"), None);
    }

    #[test]
    fn digits_written_for_letters_are_letters() {
        assert_eq!(readings("Ig0r Sech1n"), vec!["Igor Sechin".to_string()]);
        assert_eq!(
            lookalike_digits("0sama b1n Laden").as_deref(),
            Some("osama bin Laden")
        );
        // Codes, marks and numbers are not words with digits for letters.
        for name in [
            "Airbus A320",
            "RA-86495",
            "Su35",
            "Il76",
            "Plant 558",
            "Sech12345n",
        ] {
            assert_eq!(lookalike_digits(name), None, "{name}");
        }
    }

    #[test]
    fn plain_names_have_no_reading() {
        for name in ["Vladimir Putin", "BIN LADIN, Usama", "Владимир Путин", ""] {
            assert!(readings(name).is_empty(), "{name}");
        }
    }
}
