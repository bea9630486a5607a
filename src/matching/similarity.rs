//! How two name tokens compare: exact, same canonical variant, same
//! transliteration skeleton, same sound, within a small edit distance, or an
//! initial. Each outcome has a similarity in [0, 1] taken from [`Weights`].

use super::weights::Weights;
use crate::analysis::PreparedToken;
use crate::text::TokenKind;
use serde::Serialize;

/// How a query token met a listed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenMatch {
    Exact,
    /// Different spelling of the same name (Mohammed / Muhammad).
    Variant,
    /// Same consonant skeleton: a romanisation difference (Usama / Osama, mhmd / muhammad).
    Transliterated,
    /// Same phonetic key.
    Phonetic,
    /// Edit distance (insertions, deletions, substitutions, transpositions).
    Fuzzy {
        distance: u8,
    },
    /// One side is an initial of the other.
    Initial,
    /// Adjacent tokens on one side written as one word on the other
    /// ("Al Qaida" / "Alqaida", "A.S.P." / "ASP").
    Joined,
    /// Same letters once doubled letters are collapsed ("Joonng" / "Jong").
    Repeated,
    /// The same letters reversed or reordered ("nituP" / "Putin").
    Reordered,
    /// One token abbreviates the other ("Trdg" / "Trading", "Intl" / "International").
    Abbreviation,
    /// One token spells the first letters of adjacent words on the other
    /// side ("PLA" / "People's Liberation Army", "JC" / "Jean-Claude").
    Initials,
}

impl TokenMatch {
    pub fn describe(&self) -> String {
        match self {
            TokenMatch::Exact => "exact".into(),
            TokenMatch::Variant => "spelling variant".into(),
            TokenMatch::Transliterated => "transliteration".into(),
            TokenMatch::Phonetic => "sounds alike".into(),
            TokenMatch::Fuzzy { distance } => format!("{distance} edit(s) apart"),
            TokenMatch::Initial => "initial".into(),
            TokenMatch::Joined => "joined words".into(),
            TokenMatch::Repeated => "repeated letters".into(),
            TokenMatch::Reordered => "letters reordered".into(),
            TokenMatch::Abbreviation => "abbreviation".into(),
            TokenMatch::Initials => "initials".into(),
        }
    }
}

/// Compares two tokens. Returns the similarity and how they matched, or
/// `None` when they do not match at all.
pub fn compare_tokens(
    q: &PreparedToken,
    n: &PreparedToken,
    w: &Weights,
    org: bool,
) -> Option<(f64, TokenMatch)> {
    if same(&q.raw, &n.raw) {
        return Some((1.0, TokenMatch::Exact));
    }
    if same(&q.text, &n.text) {
        return Some((w.sim_variant, TokenMatch::Variant));
    }
    let q_initial = q.kind == TokenKind::Initial;
    let n_initial = n.kind == TokenKind::Initial;
    if q_initial || n_initial {
        if q_initial && n_initial {
            return None;
        }
        let (i, full) = if q_initial { (q, n) } else { (n, q) };
        return full
            .raw
            .starts_with(i.raw.as_str())
            .then_some((w.sim_initial, TokenMatch::Initial));
    }
    // Arabic and Hebrew script write long vowels, so a romanisation from them
    // that ends in a vowel (حسنا "husna", کرمانی "kermani") is not a name
    // ending in a consonant (Hassan, Karimian), and the other way round.
    if (q.abjad || n.abjad)
        && let (Some(a), Some(b)) = (ends_in_vowel(&q.raw), ends_in_vowel(&n.raw))
        && a != b
    {
        return None;
    }
    let qlen = q.chars;
    let nlen = n.chars;
    let max_len = qlen.max(nlen);
    let min_len = qlen.min(nlen);
    // Consonants of the skeleton (without the mark of an initial vowel).
    let consonants = q.skel.len() - usize::from(q.skel.starts_with('a'));
    if (q.abjad || n.abjad) && min_len >= 2 && consonants >= 3 && same(&q.skel, &n.skel) {
        let sim = if consonants >= 4 {
            w.sim_skeleton
        } else {
            w.sim_short_skeleton
        };
        return Some((sim, TokenMatch::Transliterated));
    }
    let limit = max_fuzzy_distance(w, max_len);
    let fuzzy = if max_len - min_len <= limit
        && !q.syllabic
        && !n.syllabic
        // Cheap lower bound before the edit-distance table.
        && (q.letter_bits ^ n.letter_bits).count_ones().div_ceil(2) as usize <= limit
    {
        bounded_distance(&q.raw, &n.raw, limit).and_then(|d| {
            let mut sim = w.fuzzy_similarity(d, max_len);
            // Distinct names often differ in the first letter only (Kim/Lim,
            // Yong/Jong, Morgan/Torgan); typos rarely hit it.
            // A vowel for a vowel (Emirat/Imirat, Osama/Usama) is a spelling.
            let (qf, nf) = (q.raw.chars().next(), n.raw.chars().next());
            if d == 1 && qf != nf && !(qf.is_some_and(is_vowel) && nf.is_some_and(is_vowel)) {
                sim = sim.min(w.sim_first_letter);
            }
            (sim > 0.0).then_some((sim, TokenMatch::Fuzzy { distance: d as u8 }))
        })
    } else {
        None
    };
    if let Some(f) = fuzzy
        && f.0 >= w.sim_repeated
    {
        return Some(f);
    }
    if min_len >= 2 && q.collapsed_hash == n.collapsed_hash {
        return Some((w.sim_repeated, TokenMatch::Repeated));
    }
    if min_len >= 5 && qlen == nlen && q.sorted_hash == n.sorted_hash {
        // Written backwards on purpose ("nituP") is closer than an anagram.
        let sim = if q.raw.chars().rev().eq(n.raw.chars()) {
            w.sim_reversed
        } else {
            w.sim_reordered
        };
        return Some((sim, TokenMatch::Reordered));
    }
    if org && min_len >= 4 && max_len >= min_len + 2 {
        let (short, long) = if qlen < nlen {
            (&q.raw, &n.raw)
        } else {
            (&n.raw, &q.raw)
        };
        if is_abbreviation(short, long) {
            return Some((w.sim_abbreviation, TokenMatch::Abbreviation));
        }
    }
    // Romanisations of Arabic and Hebrew disagree on vowels and doubled
    // letters, so sounding alike is better evidence there.
    let abjad = q.abjad || n.abjad;
    let syllabic = q.syllabic || n.syllabic;
    let phonetic = (!syllabic
        && min_len >= if abjad { 4 } else { 5 }
        && !q.phon.is_empty()
        && same(&q.phon, &n.phon))
    .then_some((
        if abjad {
            w.sim_phonetic_abjad
        } else {
            w.sim_phonetic
        },
        TokenMatch::Phonetic,
    ));
    match (fuzzy, phonetic) {
        (Some(f), Some(p)) => Some(if f.0 >= p.0 { f } else { p }),
        (f, p) => f.or(p),
    }
}

/// String equality that settles most unequal pairs on length and first byte
/// before comparing the rest.
#[inline]
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Whether a token ends in a vowel, "-ah" and "-eh" included (Fatimah,
/// Zadeh: a final vowel letter in Arabic script); `None` for a French silent
/// "e" after a consonant (Djermane), which may be either.
fn ends_in_vowel(t: &str) -> Option<bool> {
    let mut rev = t.chars().rev();
    match (rev.next(), rev.next()) {
        (Some('h'), Some('a' | 'e')) => Some(true),
        (Some('e'), Some(c)) if !is_vowel(c) => None,
        (Some(c), _) => Some(is_vowel(c)),
        _ => Some(false),
    }
}

/// The most edits (up to three) at which two tokens, the longer `len`
/// characters long, can still count as the same name.
fn max_fuzzy_distance(w: &Weights, len: usize) -> usize {
    (1..=3)
        .rev()
        .find(|&d| w.fuzzy_similarity(d, len) > 0.0)
        .unwrap_or(0)
}

/// `short` keeps the first letter of `long` and the rest of its letters in
/// order, and is a real shortening (a prefix or consonant abbreviation), e.g.
/// "trdg"/"trading", "intl"/"international", "benj"/"benjamin".
fn is_abbreviation(short: &str, long: &str) -> bool {
    let mut s = short.chars();
    let mut l = long.chars();
    match (s.next(), l.next()) {
        (Some(a), Some(b)) if a == b => {}
        _ => return false,
    }
    let mut l = l.peekable();
    for c in s {
        loop {
            match l.next() {
                Some(x) if x == c => break,
                Some(_) => continue,
                None => return false,
            }
        }
    }
    true
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent
/// transpositions), or `None` when it exceeds `limit`.
pub fn bounded_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        osa(a.as_bytes(), b.as_bytes(), limit)
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa(&a, &b, limit)
    }
}

/// Rows on the stack for tokens up to this length.
const STACK_ROW: usize = 48;

fn osa<T: PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    if width > STACK_ROW {
        let mut rows = vec![0usize; 3 * width];
        return osa_rows(a, b, limit, &mut rows);
    }
    let mut rows = [0usize; 3 * STACK_ROW];
    osa_rows(a, b, limit, &mut rows[..3 * width])
}

fn osa_rows<T: PartialEq>(a: &[T], b: &[T], limit: usize, rows: &mut [usize]) -> Option<usize> {
    let width = b.len() + 1;
    let (prev2, rest) = rows.split_at_mut(width);
    let (prev, cur) = rest.split_at_mut(width);
    let (mut prev2, mut prev, mut cur) = (prev2, prev, cur);
    for (j, v) in prev.iter_mut().enumerate() {
        *v = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_transpositions() {
        assert_eq!(bounded_distance("scholze", "scholz", 3), Some(1));
        assert_eq!(bounded_distance("schulze", "scholz", 3), Some(2));
        assert_eq!(bounded_distance("vatim", "vadim", 3), Some(1));
        assert_eq!(bounded_distance("abcd", "abdc", 3), Some(1));
        assert_eq!(bounded_distance("abc", "xyzuvw", 2), None);
        assert_eq!(bounded_distance("", "ab", 3), Some(2));
    }

    #[test]
    fn abbreviations_keep_first_letter_and_order() {
        assert!(is_abbreviation("trdg", "trading"));
        assert!(is_abbreviation("intl", "international"));
        assert!(!is_abbreviation("rtdg", "trading"));
        assert!(!is_abbreviation("tgdr", "trading"));
    }

    fn token(s: &str) -> PreparedToken {
        let name = crate::analysis::PreparedName::new(s, Some(false));
        name.variants[0].tokens[0].clone()
    }

    #[test]
    fn romanised_arabic_keeps_its_written_final_vowels() {
        let w = Weights::default();
        let arabic = token;
        // حسنا (Husna) is not Hassan; کرمانی (Kermani) is not Karimian.
        assert_eq!(
            compare_tokens(&arabic("حسنا"), &token("Hassan"), &w, false),
            None
        );
        assert_eq!(
            compare_tokens(&arabic("کرمانی"), &token("Karimian"), &w, false),
            None
        );
        // حسن is Hassan; جرمان is Djermane (a French silent e).
        assert!(compare_tokens(&arabic("حسن"), &token("Hassan"), &w, false).is_some());
        assert!(compare_tokens(&arabic("جرمان"), &token("Djermane"), &w, false).is_some());
    }

    #[test]
    fn doubled_and_reordered_letters() {
        let w = Weights::default();
        assert_eq!(
            compare_tokens(&token("Joonng"), &token("Jong"), &w, false),
            Some((w.sim_repeated, TokenMatch::Repeated))
        );
        assert_eq!(
            compare_tokens(&token("nituP"), &token("Putin"), &w, false),
            Some((w.sim_reversed, TokenMatch::Reordered))
        );
        assert_eq!(
            compare_tokens(&token("Pintu"), &token("Putin"), &w, false),
            Some((w.sim_reordered, TokenMatch::Reordered))
        );
        assert_eq!(
            compare_tokens(&token("Putin"), &token("Tupac"), &w, false),
            None
        );
    }

    proptest::proptest! {
        /// The letter-set bound used to skip the distance table never exceeds
        /// the real distance, so skipping never loses a match.
        #[test]
        fn letter_bound_never_exceeds_distance(a in "[a-zé0-9ß]{0,12}", b in "[a-zé0-9ß]{0,12}") {
            let bound = (crate::text::letter_bits(&a) ^ crate::text::letter_bits(&b))
                .count_ones()
                .div_ceil(2) as usize;
            let d = bounded_distance(&a, &b, 24).unwrap_or(usize::MAX);
            proptest::prop_assert!(bound <= d, "{a} {b}: bound {bound} > distance {d}");
        }
    }
}
