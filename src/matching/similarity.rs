//! How two name tokens compare. [`compare_tokens`] runs the ordered table
//! [`TOKEN_RULES`]; the first rule that decides gives the answer, and when
//! none decides, the best similarity a rule offered (an earlier rule wins a
//! tie):
//!
//! | rule | decides |
//! |---|---|
//! | `exact` | the same letters: 1.0 |
//! | `variant` | the same canonical form (Mohammed / Muhammad) |
//! | `nameEndingApart` | a Persian surname ending written apart (zadeh, nejad, pour) meets only itself |
//! | `balticEnding` | the same name with a Latvian or Lithuanian nominative ending (Sergejs / Sergey, Putinas / Putin) |
//! | `genitiveEnding` | organisations: a word romanised from Cyrillic with the Russian genitive -a (Vagnera / Wagner) |
//! | `initial` | either is an initial: the other starts with it, or no match |
//! | `sameAbjad` | both romanised from Arabic or Hebrew script: no match (their own letters differ) |
//! | `abjadFinalVowel` | romanised from Arabic or Hebrew, one ends in a vowel and the other not: no match |
//! | `skeleton` | romanised from Arabic or Hebrew, same consonants (Usama / Osama) |
//! | `fuzzy` | a few edits apart: decides when close, else offers |
//! | `repeated` | the same once doubled letters collapse (Joonng / Jong) |
//! | `reordered` | the same letters in another order (nituP / Putin) |
//! | `abbreviation` | organisations: one shortens the other (Trdg / Trading) |
//! | `phonetic` | the same phonetic key: offers |
//!
//! Each similarity, and the lengths at which each rule counts, come from
//! [`Weights`].

use super::weights::Weights;
use crate::analysis::PreparedToken;
use crate::analysis::name::{same_collapsed, same_letters};
use crate::text::TokenKind;
use serde::Serialize;

/// How a query token met a listed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
    /// One typo (an edit in a short part or at the first letter, a
    /// sound-alike spelling) in a name whose other parts agree.
    Typo,
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
            TokenMatch::Typo => "one typo, the rest of the name agrees".into(),
        }
    }
}

/// Two tokens being compared, with the lengths the rules read.
#[derive(Debug, Clone, Copy)]
pub struct TokenPair<'a> {
    pub q: &'a PreparedToken,
    pub n: &'a PreparedToken,
    /// Either side is an organisation.
    pub org: bool,
    pub min_len: usize,
    pub max_len: usize,
    /// Either token is romanised from Arabic or Hebrew.
    pub abjad: bool,
    /// Either token is a syllable romanised from Chinese or Korean.
    pub syllabic: bool,
}

impl<'a> TokenPair<'a> {
    pub fn new(q: &'a PreparedToken, n: &'a PreparedToken, org: bool) -> TokenPair<'a> {
        let (q_len, n_len) = (q.chars as usize, n.chars as usize);
        TokenPair {
            q,
            n,
            org,
            min_len: q_len.min(n_len),
            max_len: q_len.max(n_len),
            abjad: q.abjad || n.abjad,
            syllabic: q.syllabic || n.syllabic,
        }
    }

    /// The longer token, then the shorter (the listed one when as long).
    fn longer_first(&self) -> (&'a PreparedToken, &'a PreparedToken) {
        if self.q.chars > self.n.chars {
            (self.q, self.n)
        } else {
            (self.n, self.q)
        }
    }
}

/// What a rule says about a pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// They match, like this: no later rule is asked.
    Match(f64, TokenMatch),
    /// They do not match: no later rule is asked.
    NoMatch,
    /// They may match like this, unless a later rule decides or offers more.
    Offer(f64, TokenMatch),
    /// The rule has nothing to say.
    Pass,
}

/// One way two tokens may meet.
#[derive(Clone, Copy)]
pub struct TokenRule {
    pub name: &'static str,
    pub judge: fn(&TokenPair, &Weights) -> Verdict,
}

impl std::fmt::Debug for TokenRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Declares the token rules once, in the order they are asked: the table
/// [`TOKEN_RULES`] and the function that asks them in that order (with direct
/// calls, so the compiler can inline the rules into the hot loop).
macro_rules! token_rules {
    ($($name:literal => $judge:ident),+ $(,)?) => {
        /// The token rules, in the order they are asked.
        pub const TOKEN_RULES: [TokenRule; [$($name),+].len()] =
            [$(TokenRule { name: $name, judge: $judge }),+];

        /// Asks each rule in turn: the first that decides gives the answer,
        /// else the best offer (an earlier rule wins a tie).
        #[inline]
        fn ask_rules(pair: &TokenPair, w: &Weights) -> Option<(f64, TokenMatch)> {
            let mut best: Option<(f64, TokenMatch)> = None;
            $(
                match $judge(pair, w) {
                    Verdict::Match(sim, how) => return Some((sim, how)),
                    Verdict::NoMatch => return None,
                    Verdict::Offer(sim, how) => {
                        if best.is_none_or(|(b, _)| sim > b) {
                            best = Some((sim, how));
                        }
                    }
                    Verdict::Pass => {}
                }
            )+
            best
        }
    };
}

token_rules! {
    "exact" => exact,
    "variant" => variant,
    "nameEndingApart" => name_ending_apart,
    "balticEnding" => baltic_ending,
    "genitiveEnding" => genitive_ending,
    "initial" => initial,
    "sameAbjad" => same_abjad,
    "abjadFinalVowel" => abjad_final_vowel,
    "skeleton" => skeleton,
    "fuzzy" => fuzzy,
    "repeated" => repeated,
    "reordered" => reordered,
    "abbreviation" => abbreviation,
    "phonetic" => phonetic,
}

/// Compares two tokens. Returns the similarity and how they matched, or
/// `None` when they do not match at all. `org`: either side is an organisation.
pub fn compare_tokens(
    q: &PreparedToken,
    n: &PreparedToken,
    w: &Weights,
    org: bool,
) -> Option<(f64, TokenMatch)> {
    ask_rules(&TokenPair::new(q, n, org), w)
}

#[inline]
fn exact(p: &TokenPair, _: &Weights) -> Verdict {
    if p.q.bytes == p.n.bytes && same(&p.q.raw, &p.n.raw) {
        Verdict::Match(1.0, TokenMatch::Exact)
    } else {
        Verdict::Pass
    }
}

/// The same canonical form of a frequent name (Mohammed / Muhammad).
#[inline]
fn variant(p: &TokenPair, w: &Weights) -> Verdict {
    if same(&p.q.text, &p.n.text) {
        Verdict::Match(w.sim_variant, TokenMatch::Variant)
    } else {
        Verdict::Pass
    }
}

/// A Persian surname ending written apart ("NASSER ZADEH" is Naserzadeh;
/// [`crate::analysis::surname_ending`]) is no name of its own: it meets
/// only the same ending, however spelt, and no other word (Saidi is not
/// Zadeh, though they sound alike).
#[inline]
fn name_ending_apart(p: &TokenPair, w: &Weights) -> Verdict {
    match (p.q.surname_ending, p.n.surname_ending) {
        (None, None) => Verdict::Pass,
        (Some(a), Some(b)) if a == b => Verdict::Match(w.sim_variant, TokenMatch::Variant),
        _ => Verdict::NoMatch,
    }
}

/// Latvian and Lithuanian give a man's name, their own or a foreign one, a
/// nominative ending: -s (Latvian Sergejs Lavrovs, Vladimirs Putins), -as
/// or -us (Lithuanian Vladimiras Putinas, Sergejus). A typed word that is
/// a listed name (or a spelling of it) with such an ending is that name.
#[inline]
fn baltic_ending(p: &TokenPair, w: &Weights) -> Verdict {
    if p.syllabic || p.abjad || p.max_len == p.min_len {
        return Verdict::Pass;
    }
    let (long, short) = p.longer_first();
    // The ending is written in Latin letters.
    if long.romanised {
        return Verdict::Pass;
    }
    let stem = ["us", "as", "s"]
        .iter()
        .find_map(|ending| long.raw.strip_suffix(ending));
    match stem {
        Some(stem)
            if stem.len() >= w.baltic_min_stem
                && (stem == short.raw.as_str()
                    || crate::text::canonical_token(stem) == short.text.as_str()) =>
        {
            Verdict::Match(w.sim_variant, TokenMatch::Variant)
        }
        _ => Verdict::Pass,
    }
}

/// Russian names an organisation after someone in the genitive: a
/// masculine name takes -a (Группа Вагнера is the Wagner Group, НИТИ
/// имени Александрова is named after Alexandrov; -й gives -я, Дмитрия for
/// Dmitriy). In an organisation's name, a word romanised from Cyrillic (or
/// another alphabet) that is a listed word, or one spelt alike
/// ([`sound_alike`]: Vagner / Wagner), with an a added is that word.
#[inline]
fn genitive_ending(p: &TokenPair, w: &Weights) -> Verdict {
    if !p.org || p.syllabic || p.abjad || p.max_len != p.min_len + 1 {
        return Verdict::Pass;
    }
    let (long, short) = p.longer_first();
    if !long.romanised || long.kind != TokenKind::Word || short.kind != TokenKind::Word {
        return Verdict::Pass;
    }
    match long.raw.strip_suffix('a') {
        Some(stem)
            if stem.len() >= w.genitive_min_stem
                && (stem == short.raw.as_str() || sound_alike(stem, &short.raw)) =>
        {
            Verdict::Match(w.sim_variant, TokenMatch::Variant)
        }
        _ => Verdict::Pass,
    }
}

/// An initial meets a word that starts with it; two initials, or an initial
/// and a word that does not start with it, do not meet.
#[inline]
fn initial(p: &TokenPair, w: &Weights) -> Verdict {
    let q_initial = p.q.kind == TokenKind::Initial;
    let n_initial = p.n.kind == TokenKind::Initial;
    if !q_initial && !n_initial {
        return Verdict::Pass;
    }
    if q_initial && n_initial {
        return Verdict::NoMatch;
    }
    let (i, full) = if q_initial { (p.q, p.n) } else { (p.n, p.q) };
    if full.raw.starts_with(i.raw.as_str()) {
        Verdict::Match(w.sim_initial, TokenMatch::Initial)
    } else {
        Verdict::NoMatch
    }
}

/// Both tokens romanised from Arabic or Hebrew script, and neither the same
/// letters nor the same canonical name (the rules before this one): the two
/// names differ in their own script. The tolerant rules after this one
/// (consonant skeleton, sound, edits) bridge the choices a romanisation
/// makes (Usama / Osama); between two names written in the same script
/// there is no such choice to bridge, and a letter more or another letter
/// is another name (حسين Husayn / حسن Hasan, أنمار Anmar / أنور Anwar).
#[inline]
fn same_abjad(p: &TokenPair, _: &Weights) -> Verdict {
    if p.q.abjad && p.n.abjad {
        Verdict::NoMatch
    } else {
        Verdict::Pass
    }
}

/// Arabic and Hebrew script write long vowels, so a romanisation from them
/// that ends in a vowel (حسنا "husna", کرمانی "kermani") is not a name ending
/// in a consonant (Hassan, Karimian), and the other way round.
#[inline]
fn abjad_final_vowel(p: &TokenPair, _: &Weights) -> Verdict {
    if p.abjad
        && let (Some(a), Some(b)) = (ends_in_vowel(&p.q.raw), ends_in_vowel(&p.n.raw))
        && a != b
    {
        Verdict::NoMatch
    } else {
        Verdict::Pass
    }
}

/// Romanised from Arabic or Hebrew, the same consonant skeleton: another
/// romanisation of the same name (Usama / Osama, mhmd / muhammad).
#[inline]
fn skeleton(p: &TokenPair, w: &Weights) -> Verdict {
    // Consonants of the skeleton (without the mark of an initial vowel).
    let consonants = p.q.skel.len() - usize::from(p.q.skel.starts_with('a'));
    if p.abjad
        && p.min_len >= 2
        && consonants >= w.skeleton_min_consonants
        && same(&p.q.skel, &p.n.skel)
    {
        let sim = if consonants >= w.skeleton_long_consonants {
            w.sim_skeleton
        } else {
            w.sim_short_skeleton
        };
        // Spelt a letter or two apart besides (Djafar / Djaafar), the
        // closer spelling counts.
        match fuzzy(p, w) {
            Verdict::Match(f, how) | Verdict::Offer(f, how) if f > sim => Verdict::Match(f, how),
            _ => Verdict::Match(sim, TokenMatch::Transliterated),
        }
    } else {
        Verdict::Pass
    }
}

/// A few edits apart (insertions, deletions, substitutions, transpositions),
/// as many as the longer token's length allows. Decides when as close as
/// doubled letters; otherwise offers, and a later rule may do better.
#[inline]
fn fuzzy(p: &TokenPair, w: &Weights) -> Verdict {
    let (q, n) = (p.q, p.n);
    let limit = w.max_fuzzy_edits(p.max_len);
    if p.max_len - p.min_len > limit
        || p.syllabic
        // Cheap lower bound before the edit-distance table.
        || (q.letter_bits ^ n.letter_bits).count_ones().div_ceil(2) as usize > limit
    {
        return Verdict::Pass;
    }
    let Some(d) = bounded_distance(&q.raw, &n.raw, limit) else {
        return Verdict::Pass;
    };
    let mut sim = w.fuzzy_similarity(d, p.max_len);
    // Distinct names often differ in the first letter only (Kim/Lim,
    // Yong/Jong, Morgan/Torgan); typos rarely hit it.
    // A vowel for a vowel (Emirat/Imirat, Osama/Usama) is a spelling.
    let (qf, nf) = (q.raw.chars().next(), n.raw.chars().next());
    // In a long word another name one letter off at the start is rare;
    // with more edits besides, it is another name (Moravcova / Kravcova).
    if qf != nf && !(qf.is_some_and(is_vowel) && nf.is_some_and(is_vowel)) {
        sim = sim.min(if d == 1 && p.max_len >= w.first_letter_long_chars {
            w.sim_first_letter_long
        } else {
            w.sim_first_letter
        });
    }
    let how = TokenMatch::Fuzzy { distance: d as u8 };
    if sim >= w.sim_repeated {
        Verdict::Match(sim, how)
    } else if sim > 0.0 {
        Verdict::Offer(sim, how)
    } else {
        Verdict::Pass
    }
}

/// The same once doubled letters are collapsed, one of the two having no
/// doubled letter: the other is it with letters doubled ("Joonng" / "Jong",
/// "Jong-uun" / "Jong-un"). Each with another letter doubled ("ABB" /
/// "AAB") is two changes, not one.
#[inline]
fn repeated(p: &TokenPair, w: &Weights) -> Verdict {
    if p.min_len >= w.repeated_min_chars
        && p.q.letter_bits == p.n.letter_bits
        && same_collapsed(&p.q.raw, &p.n.raw)
        && (!has_doubled_letter(&p.q.raw) || !has_doubled_letter(&p.n.raw))
    {
        Verdict::Match(w.sim_repeated, TokenMatch::Repeated)
    } else {
        Verdict::Pass
    }
}

/// Two of the same letter side by side ("jo*o*ng").
fn has_doubled_letter(t: &str) -> bool {
    t.chars().zip(t.chars().skip(1)).any(|(a, b)| a == b)
}

/// The same letters in another order; written backwards on purpose
/// ("nituP") is closer than an anagram. Letters are scrambled by typing
/// them: a name romanised from another script that happens to be an
/// anagram of a listed one is another name (তনয় "tanay" / Anyat).
#[inline]
fn reordered(p: &TokenPair, w: &Weights) -> Verdict {
    if p.min_len >= w.reordered_min_chars
        && p.q.chars == p.n.chars
        && p.q.letter_bits == p.n.letter_bits
        && same_letters(&p.q.raw, &p.n.raw)
    {
        if p.q.raw.chars().rev().eq(p.n.raw.chars()) {
            Verdict::Match(w.sim_reversed, TokenMatch::Reordered)
        } else if !p.q.romanised && !p.n.romanised {
            Verdict::Match(w.sim_reordered, TokenMatch::Reordered)
        } else {
            Verdict::Pass
        }
    } else {
        Verdict::Pass
    }
}

/// Organisations: one token abbreviates the other ("Trdg" / "Trading").
#[inline]
fn abbreviation(p: &TokenPair, w: &Weights) -> Verdict {
    if !p.org
        || p.min_len < w.abbreviation_min_chars
        || p.max_len < p.min_len + w.abbreviation_min_shortening
    {
        return Verdict::Pass;
    }
    let (short, long) = if p.q.chars < p.n.chars {
        (&p.q.raw, &p.n.raw)
    } else {
        (&p.n.raw, &p.q.raw)
    };
    if is_abbreviation(short, long) {
        Verdict::Match(w.sim_abbreviation, TokenMatch::Abbreviation)
    } else {
        Verdict::Pass
    }
}

/// The same phonetic key. Romanisations of Arabic and Hebrew disagree on
/// vowels and doubled letters, so sounding alike is better evidence there;
/// a syllable romanised from Chinese or Korean is not compared by sound.
/// A key of one consonant (Double Metaphone writes any first vowel, w or y
/// as "A": "wari" and "yoro" are both "AR") says nothing.
#[inline]
fn phonetic(p: &TokenPair, w: &Weights) -> Verdict {
    let min_chars = if p.abjad {
        w.phonetic_min_chars_abjad
    } else {
        w.phonetic_min_chars
    };
    if !p.syllabic
        && p.min_len >= min_chars
        && !p.q.phon.is_empty()
        && same(&p.q.phon, &p.n.phon)
        && p.q.phon.bytes().filter(|&b| b != b'A').count() >= w.phonetic_min_consonants
    {
        let sim = if p.abjad {
            w.sim_phonetic_abjad
        } else {
            w.sim_phonetic
        };
        Verdict::Offer(sim, TokenMatch::Phonetic)
    } else {
        Verdict::Pass
    }
}

/// Two words one edit or transposition apart (the first letter included),
/// or spelt alike once sound-alike letters are read the same
/// ([`sound_alike`]): a hard typo, if the rest of the name vouches for it.
/// Not for syllables romanised from Chinese or Korean, nor for names
/// romanised from Arabic or Hebrew script.
pub fn is_hard_typo(a: &PreparedToken, b: &PreparedToken, w: &Weights) -> bool {
    spelt_letter_by_letter(a, b)
        && (a.chars as usize).min(b.chars as usize) >= w.hard_typo_min_chars
        && (bounded_distance(&a.raw, &b.raw, 1).is_some() || sound_alike(&a.raw, &b.raw))
}

/// Two words spelt letter by letter, where a letter more or less can be a
/// slip: not syllables romanised from Chinese or Korean (a letter more is
/// another syllable), nor names romanised from Arabic or Hebrew script (one
/// letter more is often another name, Abbas / Abbasi: the abjad rules
/// judge those).
pub fn spelt_letter_by_letter(a: &PreparedToken, b: &PreparedToken) -> bool {
    a.kind == TokenKind::Word
        && b.kind == TokenKind::Word
        && spelt_by_letter(a)
        && spelt_by_letter(b)
}

/// A token spelt letter by letter: neither syllables romanised from
/// Chinese or Korean nor a name romanised from Arabic or Hebrew script
/// ([`spelt_letter_by_letter`]).
pub fn spelt_by_letter(t: &PreparedToken) -> bool {
    !t.syllabic && !t.abjad
}

/// The longest word [`sound_alike`] reads.
const MAX_SOUND_KEY: usize = 48;

/// Spelt alike once letters that sound alike in romanised names are read the
/// same: v/w, c/k/q, ph/f, j/y, s/z, ou/oo/u, ee/i, kh/h, doubled letters
/// (the pairs English, French, German and Slavic romanisations disagree on;
/// see e.g. the equivalence classes of Daitch–Mokotoff and Beider–Morse
/// Soundex).
pub fn sound_alike(a: &str, b: &str) -> bool {
    let (mut ka, mut kb) = ([0u8; MAX_SOUND_KEY], [0u8; MAX_SOUND_KEY]);
    match (sound_key(a, &mut ka), sound_key(b, &mut kb)) {
        (Some(x), Some(y)) => ka[..x] == kb[..y],
        _ => false,
    }
}

/// Writes the sound key of an ASCII word into `out`; its length, or `None`
/// for a word that is not ASCII or too long.
fn sound_key(word: &str, out: &mut [u8; MAX_SOUND_KEY]) -> Option<usize> {
    let w = word.as_bytes();
    if !word.is_ascii() || w.len() > MAX_SOUND_KEY {
        return None;
    }
    let mut n = 0;
    let mut i = 0;
    while i < w.len() {
        let next = w.get(i + 1).copied();
        let (c, step) = match (w[i], next) {
            (b'p', Some(b'h')) => (b'f', 2),
            (b'k', Some(b'h')) => (b'h', 2),
            (b'o', Some(b'u' | b'o')) => (b'u', 2),
            (b'e', Some(b'e')) => (b'i', 2),
            (b'w', _) => (b'v', 1),
            (b'c' | b'q', _) => (b'k', 1),
            (b'z', _) => (b's', 1),
            (b'y', _) => (b'j', 1),
            (c, _) => (c, 1),
        };
        if n == 0 || out[n - 1] != c {
            out[n] = c;
            n += 1;
        }
        i += step;
    }
    Some(n)
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
    fn first_letter_edits_cost_less_in_long_words() {
        let w = &crate::matching::DEFAULT_WEIGHTS;
        let sim = |a: &str, b: &str| compare_tokens(&token(a), &token(b), w, false).map(|s| s.0);
        assert_eq!(sim("kim", "lim"), None);
        assert_eq!(sim("morgan", "torgan"), Some(w.sim_first_letter));
        assert_eq!(sim("spushilin", "pushilin"), Some(w.sim_first_letter_long));
    }

    #[test]
    fn sound_alike_spellings() {
        for (a, b) in [
            ("medvedchuk", "medwedchuk"),
            ("vladimir", "wladimir"),
            ("limited", "leemited"),
            ("shisheh", "shishekh"),
            ("dariush", "dareeush"),
            ("yosef", "josef"),
            ("zagros", "sagros"),
            ("for", "phor"),
            ("stock", "stok"),
        ] {
            assert!(sound_alike(a, b), "{a} / {b}");
        }
        for (a, b) in [("maria", "marta"), ("ivan", "iran"), ("kim", "lim")] {
            assert!(!sound_alike(a, b), "{a} / {b}");
        }
    }

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
    fn a_romanisation_one_letter_off_keeps_the_closer_similarity() {
        let w = Weights::default();
        let romanised = |s: &str| PreparedToken {
            abjad: true,
            ..token(s)
        };
        // Djafar / Djaafar share the short skeleton "jfr" and are one letter
        // apart: the edit counts, not the weaker short skeleton.
        assert_eq!(
            compare_tokens(&romanised("djafar"), &token("Djaafar"), &w, false),
            Some((w.fuzzy_similarity(1, 7), TokenMatch::Fuzzy { distance: 1 }))
        );
        assert!(w.fuzzy_similarity(1, 7) > w.sim_short_skeleton);
        // Further apart in letters, the skeleton alone bridges them.
        assert_eq!(
            compare_tokens(&romanised("mhmd"), &token("Muhammad"), &w, false),
            Some((w.sim_skeleton, TokenMatch::Transliterated))
        );
    }

    #[test]
    fn a_persian_surname_ending_written_apart_meets_only_itself() {
        let w = Weights::default();
        // NASSER ZADEH: "zadeh" is the ending of Naserzadeh, not a name
        // that سعیدی (Saidi) may sound like.
        assert_eq!(
            compare_tokens(&token("سعیدی"), &token("Zadeh"), &w, false),
            None
        );
        assert_eq!(
            compare_tokens(&token("Nejad"), &token("Najid"), &w, false),
            None
        );
        // The same ending spelt another way is the same ending.
        assert_eq!(
            compare_tokens(&token("Zade"), &token("Zadeh"), &w, false),
            Some((w.sim_variant, TokenMatch::Variant))
        );
        assert_eq!(
            compare_tokens(&token("Nezhad"), &token("Nejad"), &w, false),
            Some((w.sim_variant, TokenMatch::Variant))
        );
    }

    #[test]
    fn a_baltic_nominative_ending_is_the_same_name() {
        let w = Weights::default();
        for (baltic, name) in [
            ("Sergejs", "Sergey"),
            ("Lavrovs", "Lavrov"),
            ("Putinas", "Putin"),
            ("Sergejus", "Sergei"),
        ] {
            assert_eq!(
                compare_tokens(&token(baltic), &token(name), &w, false),
                Some((w.sim_variant, TokenMatch::Variant)),
                "{baltic} / {name}"
            );
        }
        // Another ending, or a stem too short, is not one.
        assert_ne!(
            compare_tokens(&token("Lavrovo"), &token("Lavrov"), &w, false),
            Some((w.sim_variant, TokenMatch::Variant))
        );
        assert_ne!(
            compare_tokens(&token("Ivas"), &token("Iva"), &w, false),
            Some((w.sim_variant, TokenMatch::Variant))
        );
    }

    #[test]
    fn a_russian_genitive_names_an_organisation_after_someone() {
        let w = Weights::default();
        let org_word = |s: &str| {
            let name = crate::analysis::PreparedName::new(s, Some(true));
            name.variants[0].tokens[0].clone()
        };
        // Группа Вагнера, the Wagner Group.
        let (vagnera, wagner) = (org_word("Вагнера"), org_word("Wagner"));
        assert_eq!(
            compare_tokens(&vagnera, &wagner, &w, true),
            Some((w.sim_variant, TokenMatch::Variant))
        );
        // A person's name in -a is another name (Ivanova is not Ivanov),
        // and a Latin word with an a more is no genitive.
        assert_ne!(
            compare_tokens(&token("Иванова"), &token("Ivanov"), &w, false),
            Some((w.sim_variant, TokenMatch::Variant))
        );
        assert_ne!(
            compare_tokens(&org_word("Wagnera"), &wagner, &w, true),
            Some((w.sim_variant, TokenMatch::Variant))
        );
    }

    #[test]
    fn a_sound_key_of_one_consonant_is_no_match() {
        let w = Weights::default();
        // Wauri and Yoori share only the key "AR".
        let (a, b) = (token("Wauri"), token("Yoori"));
        assert_eq!(crate::text::phonetic_key(&a.raw), "AR");
        assert_eq!(crate::text::phonetic_key(&b.raw), "AR");
        assert_eq!(compare_tokens(&a, &b, &w, false), None);
    }

    #[test]
    fn names_in_one_abjad_meet_on_their_own_letters() {
        let w = Weights::default();
        // Written the same: exact, whatever the romanisation.
        assert_eq!(
            compare_tokens(&token("حسين"), &token("حسين"), &w, false),
            Some((1.0, TokenMatch::Exact))
        );
        // Husayn and Hasan, Anmar and Anwar, Alijani and Soleimani: other
        // names in Arabic script, though their romanisations are close.
        for (a, b) in [("حسين", "حسن"), ("أنمار", "أنور"), ("علیجانی", "سلیمانی")]
        {
            assert_eq!(
                compare_tokens(&token(a), &token(b), &w, false),
                None,
                "{a} {b}"
            );
        }
        // Across scripts the romanisation still bridges them.
        assert!(compare_tokens(&token("حسين"), &token("Hussein"), &w, false).is_some());
        assert!(compare_tokens(&token("أنور"), &token("Anwar"), &w, false).is_some());
    }

    #[test]
    fn doubled_and_reordered_letters() {
        let w = Weights::default();
        assert_eq!(
            compare_tokens(&token("Joonng"), &token("Jong"), &w, false),
            Some((w.sim_repeated, TokenMatch::Repeated))
        );
        assert_eq!(
            compare_tokens(&token("uun"), &token("un"), &w, false),
            Some((w.sim_repeated, TokenMatch::Repeated))
        );
        // Each with another letter doubled ("ABB" / "AAB"): not one name
        // with letters doubled.
        assert_ne!(
            compare_tokens(&token("Abb"), &token("Aab"), &w, true).map(|(_, how)| how),
            Some(TokenMatch::Repeated)
        );
        assert_eq!(
            compare_tokens(&token("nituP"), &token("Putin"), &w, false),
            Some((w.sim_reversed, TokenMatch::Reordered))
        );
        assert_eq!(
            compare_tokens(&token("Pintu"), &token("Putin"), &w, false),
            Some((w.sim_reordered, TokenMatch::Reordered))
        );
        // Romanised from Bengali, an anagram is another name.
        assert_eq!(
            compare_tokens(&token("তনয়"), &token("Anyat"), &w, false),
            None
        );
        assert_eq!(
            compare_tokens(&token("Putin"), &token("Tupac"), &w, false),
            None
        );
    }

    /// Each rule alone, on a pair it is there for and one it is not.
    #[test]
    fn each_rule_judges_its_own_case() {
        let w = Weights::default();
        let judge = |rule: fn(&TokenPair, &Weights) -> Verdict, a: &str, b: &str, org: bool| {
            let (q, n) = (token(a), token(b));
            rule(&TokenPair::new(&q, &n, org), &w)
        };
        use TokenMatch as M;
        use Verdict::*;
        assert_eq!(judge(exact, "Putin", "PUTIN", false), Match(1.0, M::Exact));
        assert_eq!(judge(exact, "Putin", "Puten", false), Pass);
        assert_eq!(
            judge(variant, "Mohammed", "Muhammad", false),
            Match(w.sim_variant, M::Variant)
        );
        assert_eq!(
            judge(baltic_ending, "Vladimirs", "Vladimir", false),
            Match(w.sim_variant, M::Variant)
        );
        assert_eq!(judge(baltic_ending, "Vladimirs", "Vladimiro", false), Pass);
        assert_eq!(
            judge(initial, "V.", "Vladimir", false),
            Match(w.sim_initial, M::Initial)
        );
        assert_eq!(judge(initial, "V.", "Ivan", false), NoMatch);
        assert_eq!(judge(initial, "Ivan", "Vladimir", false), Pass);
        assert_eq!(judge(same_abjad, "حسين", "حسن", false), NoMatch);
        assert_eq!(judge(same_abjad, "حسين", "Hussein", false), Pass);
        assert_eq!(judge(abjad_final_vowel, "حسنا", "Hassan", false), NoMatch);
        assert_eq!(judge(abjad_final_vowel, "Husna", "Hassan", false), Pass);
        assert!(matches!(
            judge(skeleton, "حسين", "Hussein", false),
            Match(_, M::Transliterated)
        ));
        assert_eq!(judge(skeleton, "Abdelrahman", "Abdulrahman", false), Pass);
        assert!(matches!(
            judge(fuzzy, "Shumkov", "Shumkova", false),
            Match(_, M::Fuzzy { distance: 1 })
        ));
        assert!(matches!(
            judge(fuzzy, "Shumkova", "Shamkovo", false),
            Offer(_, M::Fuzzy { distance: 2 })
        ));
        assert_eq!(
            judge(repeated, "Joonng", "Jong", false),
            Match(w.sim_repeated, M::Repeated)
        );
        assert_eq!(
            judge(reordered, "nituP", "Putin", false),
            Match(w.sim_reversed, M::Reordered)
        );
        assert_eq!(
            judge(abbreviation, "Trdg", "Trading", true),
            Match(w.sim_abbreviation, M::Abbreviation)
        );
        assert_eq!(judge(abbreviation, "Trdg", "Trading", false), Pass);
        assert_eq!(
            judge(phonetic, "Schmidt", "Shmit", false),
            Offer(w.sim_phonetic, M::Phonetic)
        );
        assert_eq!(judge(phonetic, "Schmidt", "Putin", false), Pass);
    }

    /// The module documentation lists the rules in the order
    /// `compare_tokens` asks them.
    #[test]
    fn rules_table_is_in_order() {
        let names: Vec<&str> = TOKEN_RULES.iter().map(|r| r.name).collect();
        let documented: Vec<&str> = include_str!("similarity.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//! | `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        assert_eq!(names, documented);
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
