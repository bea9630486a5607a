//! Scanning free text (remittance information, instructions, a party's name
//! and address lines read together) for listed names, vessel names, IMO
//! numbers and BICs, with bounded work per field.
//!
//! The text is cut into words once (folded and romanised as the matcher
//! does). Each word gets the key of [`super::lookups::token_key`] (the
//! phonetic key of its canonical form), so spelling variants meet. A listed
//! name is a candidate where its first two distinctive words' keys appear
//! side by side and the rest follow; a one-word name must be written as
//! listed (canonical form) and counts only for an organisation (a rare word
//! of five letters or more) or, for a vessel or aircraft, right after a
//! vessel word (MV, M/V, MT, M/T, VESSEL, VSL, SHIP,
//! TANKER). The scan is linear in the words; at most `max_windows`
//! candidate spans per field, each with the listed parties whose names it
//! may be (at most [`MAX_PARTIES_PER_WINDOW`]), are then scored by the
//! matcher's scorer. IMO numbers ("IMO 9187629", or seven digits with a valid IMO check
//! digit) and BICs (a word of 8 or 11 letters and digits) are looked up
//! exactly in the lists.

use super::lookups::{ListedBic, Lookups, exact_key, token_key};

/// One word of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Folded and romanised (lower case ASCII).
    pub text: String,
    /// As written, when the text is ASCII; else the romanised form.
    pub original: String,
    /// Which line of the field it is on (0-based).
    pub line: usize,
    pub key: u64,
    /// [`super::lookups::exact_key`] of its canonical form.
    pub exact: u64,
    /// Not a particle, title or legal form.
    pub distinctive: bool,
}

/// Cuts lines into words; each line is read up to `max_chars` characters.
pub fn words(lines: &[&str], max_chars: usize) -> Vec<Word> {
    let mut out = Vec::new();
    for (line_no, line) in lines.iter().enumerate() {
        let line = match line.char_indices().nth(max_chars) {
            Some((i, _)) => line.get(..i).unwrap_or(line),
            None => line,
        };
        let pieces: Vec<(String, String)> = if line.is_ascii() {
            line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '\'' || c == '`'))
                .filter(|w| w.chars().any(|c| c.is_ascii_alphanumeric()))
                .map(|w| {
                    let text: String = w
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|c| c.to_ascii_lowercase())
                        .collect();
                    (text, w.to_string())
                })
                .collect()
        } else {
            crate::text::to_latin(line)
                .into_iter()
                .next()
                .unwrap_or_default()
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|w| (w.to_string(), w.to_string()))
                .collect()
        };
        for (text, original) in pieces {
            let canonical = crate::text::canonical_token(&text).into_owned();
            let phonetic = crate::text::phonetic_key(&canonical);
            let distinctive = !(crate::text::is_particle(&text)
                || crate::text::is_honorific(&text)
                || crate::text::is_legal_word(&text));
            out.push(Word {
                key: token_key(&canonical, &phonetic),
                exact: exact_key(&canonical),
                text,
                original,
                line: line_no,
                distinctive,
            });
        }
    }
    out
}

/// Most listed parties kept as candidates for one span of text.
pub const MAX_PARTIES_PER_WINDOW: usize = 32;

/// A span of words that may hold a listed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub first: usize,
    pub last: usize,
    /// Right after a vessel word: screened as a vessel's name.
    pub vessel: bool,
    /// The listed parties (index ordinals) whose names it may be.
    pub parties: Vec<u32>,
}

impl Window {
    /// The words of the window as written, joined by spaces.
    pub fn text(&self, words: &[Word]) -> String {
        words
            .get(self.first..=self.last)
            .unwrap_or_default()
            .iter()
            .map(|w| w.original.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a scan found.
#[derive(Debug, Clone, Default)]
pub struct Finds {
    /// Candidate names, longest first, at most the scan's limit.
    pub windows: Vec<Window>,
    /// Candidates left out by the limit.
    pub skipped: usize,
    /// Listed BICs written in the text: the word and the listings.
    pub bics: Vec<(String, Vec<ListedBic>)>,
    /// Listed IMO numbers in the text: the seven digits and the parties.
    pub imos: Vec<(String, Vec<u32>)>,
}

fn is_vessel_word(words: &[Word], at: usize) -> bool {
    let prev = |back: usize| {
        at.checked_sub(back)
            .and_then(|i| words.get(i))
            .map(|w| w.text.as_str())
    };
    matches!(
        prev(1),
        Some("mv" | "mt" | "vessel" | "vsl" | "ship" | "tanker" | "mtanker")
    ) || matches!((prev(2), prev(1)), (Some("m"), Some("v" | "t")))
}

/// Scans the words. A window that is the whole of line `skip_line` is left
/// out (that line was screened as a name already); a listed name inside it
/// is not.
pub fn scan(
    lookups: &Lookups,
    words: &[Word],
    skip_line: Option<usize>,
    max_windows: usize,
) -> Finds {
    let mut finds = Finds::default();
    // Identifiers.
    for (i, w) in words.iter().enumerate() {
        let upper = w.text.to_ascii_uppercase();
        if (upper.len() == 8 || upper.len() == 11)
            && let Some(listed) = upper.get(..8).and_then(|b| lookups.bics.get(b))
        {
            finds.bics.push((w.original.clone(), listed.clone()));
        }
        let after_imo = i > 0 && words.get(i - 1).is_some_and(|p| p.text == "imo");
        let digits = match w.text.strip_prefix("imo") {
            Some(d) if d.len() == 7 => d,
            _ => w.text.as_str(),
        };
        let imo_like = digits.len() == 7
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (after_imo || w.text.starts_with("imo") || super::codes::is_imo_number(digits));
        if imo_like
            && let Some(ords) = lookups.imos.get(digits)
            && !finds.imos.iter().any(|(d, _)| d == digits)
        {
            finds.imos.push((digits.to_string(), ords.clone()));
        }
    }
    // Names.
    let dist: Vec<usize> = (0..words.len())
        .filter(|&i| words.get(i).is_some_and(|w| w.distinctive))
        .collect();
    let skipped_span = skip_line.and_then(|s| {
        let first = words.iter().position(|w| w.line == s)?;
        let last = words.iter().rposition(|w| w.line == s)?;
        Some((first, last))
    });
    let mut found: Vec<Window> = Vec::new();
    let mut add = |first: usize, last: usize, vessel: bool, party: u32| {
        if skipped_span == Some((first, last)) {
            return;
        }
        let at = match found
            .iter()
            .position(|w| w.first == first && w.last == last)
        {
            Some(i) => i,
            None => {
                found.push(Window {
                    first,
                    last,
                    vessel: false,
                    parties: Vec::new(),
                });
                found.len() - 1
            }
        };
        if let Some(w) = found.get_mut(at) {
            w.vessel |= vessel;
            if w.parties.len() < MAX_PARTIES_PER_WINDOW && !w.parties.contains(&party) {
                w.parties.push(party);
            }
        }
    };
    for (j, &i) in dist.iter().enumerate() {
        let Some(w) = words.get(i) else { continue };
        let vessel_word = is_vessel_word(words, i);
        for s in lookups.singles.get(&w.exact).into_iter().flatten() {
            if !s.vessel || vessel_word {
                add(i, i, vessel_word, s.ord);
            }
        }
        let Some(&next) = dist.get(j + 1) else {
            continue;
        };
        let Some(n) = words.get(next) else { continue };
        let Some(phrases) = lookups.pairs.get(&(w.key, n.key)) else {
            continue;
        };
        for p in phrases {
            let tail = dist.get(j + 2..j + 2 + p.rest.len());
            let follows = tail.is_some_and(|t| {
                t.iter()
                    .zip(p.rest.iter())
                    .all(|(&at, &k)| words.get(at).is_some_and(|x| x.key == k))
            });
            if follows {
                let last = tail.and_then(|t| t.last().copied()).unwrap_or(next);
                add(i, last, vessel_word, p.ord);
            }
        }
    }
    // Longest first, then in reading order.
    found.sort_by(|a, b| {
        (b.last - b.first)
            .cmp(&(a.last - a.first))
            .then(a.first.cmp(&b.first))
    });
    finds.skipped = found.len().saturating_sub(max_windows);
    found.truncate(max_windows);
    finds.windows = found;
    finds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::lookups::Phrase;

    fn key(w: &str) -> u64 {
        let c = crate::text::canonical_token(w).into_owned();
        token_key(&c, &crate::text::phonetic_key(&c))
    }

    fn lookups() -> Lookups {
        let mut l = Lookups::default();
        l.pairs
            .entry((key("adrian"), key("darya")))
            .or_default()
            .push(Phrase {
                ord: 1,
                rest: vec![key("1")].into(),
            });
        l.singles
            .entry(exact_key("sabiti"))
            .or_default()
            .push(super::super::lookups::Single {
                ord: 2,
                vessel: true,
            });
        l.imos.insert("9187629".into(), vec![3]);
        l.bics.insert(
            "HAVIGB2L".into(),
            vec![ListedBic {
                ord: 4,
                bic: "HAVIGB2L".into(),
            }],
        );
        l
    }

    #[test]
    fn finds_names_vessels_imo_and_bics() {
        let l = lookups();
        let w = words(
            &[
                "FREIGHT M/V SABITI IMO 9187629 VIA havigb2lxxx",
                "ADRYAN DARIA 1 CHARTER",
            ],
            140,
        );
        let f = scan(&l, &w, None, 4);
        let texts: Vec<String> = f.windows.iter().map(|x| x.text(&w)).collect();
        assert_eq!(texts, ["ADRYAN DARIA 1", "SABITI"]);
        assert!(f.windows[1].vessel);
        assert_eq!(
            (
                f.windows[0].parties.as_slice(),
                f.windows[1].parties.as_slice()
            ),
            (&[1][..], &[2][..])
        );
        assert_eq!(f.imos.len(), 1);
        assert_eq!(f.bics[0].0, "havigb2lxxx");
        // A vessel's one-word name without a vessel word is not a candidate.
        let w = words(&["SABITI CONSULTING"], 140);
        assert!(scan(&l, &w, None, 4).windows.is_empty());
        // The limit, with what it left out.
        let w = words(&["ADRIAN DARYA 1 ADRIAN DARYA 1 MV SABITI"], 140);
        let f = scan(&l, &w, None, 1);
        assert_eq!((f.windows.len(), f.skipped), (1, 2));
    }

    #[test]
    fn the_name_line_can_be_left_out() {
        let l = lookups();
        let w = words(&["ADRIAN DARYA 1", "ADRIAN", "DARYA 1"], 140);
        let f = scan(&l, &w, Some(0), 4);
        let texts: Vec<String> = f.windows.iter().map(|x| x.text(&w)).collect();
        assert_eq!(texts, ["ADRIAN DARYA 1"]);
        assert_eq!(f.windows[0].first, 3, "the name split over lines 2 and 3");
        // A listed name inside a longer name line is looked at.
        let w = words(&["ADRIAN DARYA 1 SHIPPING", "DUBAI"], 140);
        let f = scan(&l, &w, Some(0), 4);
        assert_eq!(f.windows.len(), 1);
    }
}
