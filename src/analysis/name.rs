//! Names made ready for comparison: analysed once (at index time for listed
//! names, once per query for the query), with every token's comparison keys
//! computed up front so scoring does no text work.

use super::sym::Sym;
use crate::text::{self, Script, TokenKind};

/// At most this many Latin variants of one name take part in scoring.
pub const MAX_VARIANTS: usize = 8;
/// At most this many tokens of one name variant take part in scoring (the
/// scorer tracks used tokens in 32-bit sets).
pub const MAX_TOKENS: usize = 24;
const _: () = assert!(MAX_TOKENS <= 32);
/// At most this many adjacent words may be written as one word (it bounds
/// the inner loop of the alignment).
pub const MAX_JOINED_WORDS: usize = 4;

/// One token with its keys.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PreparedToken {
    /// The token as folded and romanised ("mohamed").
    pub raw: Sym,
    /// The canonical form of frequent transliteration variants ("muhammad").
    pub text: Sym,
    pub kind: TokenKind,
    /// Phonetic key (empty for very short tokens).
    pub phon: Sym,
    /// Vowel-tolerant consonant skeleton.
    pub skel: Sym,
    /// Romanised from a script that does not write short vowels (Arabic,
    /// Hebrew): compare on the skeleton.
    pub abjad: bool,
    /// Part of a person's surname, as the source marks it ("SURNAME, Given"
    /// or a last-name field).
    pub surname: bool,
    /// Romanised a syllable per token (Han, Hangul;
    /// [`text::Script::romanises_by_syllable`]): one letter more or less is
    /// another syllable, not a typo.
    pub syllabic: bool,
    /// Romanised from a script other than Latin (the name's main script).
    pub romanised: bool,
    /// Too frequent to identify a party on its own (set from the built-in
    /// list, then from the loaded lists' statistics).
    pub common: bool,
    /// A generic word of the built-in list ("mohammed", "trading", "bank"),
    /// common whatever lists are loaded.
    pub generic: bool,
    /// The name of a country or a world region ("china", "europe"), which in
    /// an organisation's name says where, not who.
    pub place: bool,
    /// A word saying what kind of body an organisation is ("center",
    /// "group"), which one spelling of a name may carry and another not.
    pub organisation_kind: bool,
    /// A Russian-style patronymic ("viktorovich"): weighs less.
    pub patronymic: bool,
    /// A Persian surname ending written as a word of its own ("zadeh" of
    /// "NASSER ZADEH"): which one ([`surname_ending`]).
    pub surname_ending: Option<u8>,
    /// A surname ending written onto the word ("hassanzadeh"): the length
    /// in bytes of the stem before it and which ending
    /// ([`split_surname_ending`]).
    pub ending_written_on: Option<(u8, u8)>,
    /// A legal form recognised whole (`llc`, `gmbh`), which may conflict with another.
    pub canonical_legal_form: bool,
    /// Keys computed once for comparing two tokens: the number of
    /// characters of `raw`,
    pub chars: u16,
    /// its length in bytes (lengths compare without visiting the text;
    /// both read as `u16::MAX` beyond it, far above a queried name's
    /// [`MAX_NAME_CHARS`](crate::matching::query::MAX_NAME_CHARS)),
    pub bytes: u16,
    /// and the set of its characters as bits (a lower bound on edit
    /// distance; texts with other letters are neither anagrams nor the
    /// same with letters doubled, see [`same_letters`], [`same_collapsed`]).
    pub letter_bits: u64,
    /// The token's number among the distinct tokens of the index that lists
    /// it, equal only for tokens equal in every other field
    /// ([`super::party::assign_token_ids`]); [`NO_TOKEN_ID`] for a query's
    /// tokens and any other name analysed on its own.
    pub id: u32,
}

/// The [`PreparedToken::id`] of a token no index has numbered.
pub const NO_TOKEN_ID: u32 = u32::MAX;

impl PreparedToken {
    /// Builds a token and its comparison keys.
    fn new(raw: &str, kind: TokenKind, script: Script, surname: bool) -> PreparedToken {
        let romanised = !matches!(script, Script::Latin | Script::Common);
        let canonical = if romanised && text::is_latin_abbreviation(raw) {
            raw.to_string()
        } else {
            text::canonical_token(raw).into_owned()
        };
        let common = text::is_common_token(&canonical);
        PreparedToken {
            phon: Sym::new(&text::phonetic_key(&canonical)),
            skel: Sym::new(&if script == Script::Arabic {
                text::arabic_skeleton(&canonical)
            } else {
                text::skeleton(&canonical)
            }),
            canonical_legal_form: kind == TokenKind::LegalForm
                && text::is_canonical_legal_form(&canonical),
            text: Sym::new(&canonical),
            kind,
            abjad: script.is_abjad(),
            surname,
            syllabic: script.romanises_by_syllable(),
            romanised,
            common,
            generic: common,
            place: kind == TokenKind::Word && is_place(raw),
            organisation_kind: kind == TokenKind::Word && text::is_organisation_kind(raw),
            patronymic: is_patronymic(raw),
            surname_ending: surname_ending(raw),
            ending_written_on: split_surname_ending(raw)
                .and_then(|(stem, which)| Some((u8::try_from(stem.len()).ok()?, which))),
            chars: u16::try_from(raw.chars().count()).unwrap_or(u16::MAX),
            bytes: u16::try_from(raw.len()).unwrap_or(u16::MAX),
            letter_bits: text::letter_bits(raw),
            id: NO_TOKEN_ID,
            raw: Sym::new(raw),
        }
    }
}

/// Whether two texts are the same once each run of one letter is read as
/// one ("joonng" / "jong").
pub fn same_collapsed(a: &str, b: &str) -> bool {
    fn runs(s: &str) -> impl Iterator<Item = char> + '_ {
        let mut last = None;
        s.chars().filter(move |&c| {
            let first_of_run = Some(c) != last;
            last = Some(c);
            first_of_run
        })
    }
    runs(a).eq(runs(b))
}

/// Whether two texts hold the same letters, each as often ("nituP" /
/// "putin"). Callers ask only when the lengths and letter sets agree, so
/// the sort is rare.
pub fn same_letters(a: &str, b: &str) -> bool {
    let mut x: Vec<char> = a.chars().collect();
    let mut y: Vec<char> = b.chars().collect();
    if x.len() != y.len() {
        return false;
    }
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// Country names (as the country table knows them) and world regions.
fn is_place(t: &str) -> bool {
    const REGIONS: [&str; 12] = [
        "europe", "european", "asia", "asian", "africa", "african", "america", "american",
        "eurasia", "pacific", "arabia", "gulf",
    ];
    t.len() >= 4 && (REGIONS.contains(&t) || crate::countries::country_code(t).is_some())
}

/// Russian-style patronymics: "viktorovich", "ivanovna", "ilyich".
pub fn is_patronymic(t: &str) -> bool {
    t.len() >= 7
        && [
            "ovich", "evich", "ovna", "evna", "ichna", "yevich", "ovych", "evych", "ivna",
        ]
        .iter()
        .any(|s| t.ends_with(s))
}

/// Persian, Azeri and Tajik surnames end in a word that means "born of" or
/// "of the line of": -zadeh (Naserzadeh), -nejad (Ahmadinejad), -pour
/// (Alipour). Which of them a word written on its own is, by its spellings
/// (Wiktionary's Persian -زاده, -نژاد, -پور and their romanisations in the
/// OFAC and UK lists).
pub fn surname_ending(raw: &str) -> Option<u8> {
    SURNAME_ENDINGS
        .iter()
        .find(|(spelling, _)| *spelling == raw)
        .map(|&(_, which)| which)
}

/// The spellings of the surname endings and which ending each is, longer
/// spellings first so that a word ending in one is split at the longest.
const SURNAME_ENDINGS: [(&str, u8); 13] = [
    ("nejhad", 1),
    ("nezhad", 1),
    ("nizhad", 1),
    ("zadeh", 0),
    ("zadah", 0),
    ("nejad", 1),
    ("nijad", 1),
    ("zade", 0),
    ("zada", 0),
    ("zoda", 0),
    ("pour", 2),
    ("poor", 2),
    ("pur", 2),
];

/// A word with a surname ending written onto it ("hassanzadeh",
/// "alipour"): the stem before the ending (at least 3 letters) and which
/// ending ([`surname_ending`]).
fn split_surname_ending(raw: &str) -> Option<(&str, u8)> {
    SURNAME_ENDINGS.iter().find_map(|&(spelling, which)| {
        raw.strip_suffix(spelling)
            .filter(|stem| stem.len() >= 3)
            .map(|stem| (stem, which))
    })
}

/// What the alignment's rules look for in a whole variant, found once so
/// that most rules can tell at a glance that a pair of names gives them
/// nothing to do.
///
/// The byte lengths of the variant's words and of its runs of adjacent
/// words are bit sets (bit `n` for length `n`; lengths of 31 and more on
/// bit 31): a word of one name can be adjacent words of the other written
/// together only if some lengths nearly agree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VariantShape {
    /// Lengths of the words of two letters or more.
    pub words: u32,
    /// Lengths of the runs of 2 to [`MAX_JOINED_WORDS`] adjacent words, summed.
    pub runs: u32,
    /// A word is romanised from Arabic or Hebrew (its length may be further off).
    pub abjad: bool,
    /// A word is a Persian surname ending written apart ("zadeh").
    pub ending_apart: bool,
    /// A word has such an ending written on ("hassanzadeh").
    pub ending_on: bool,
    /// A word marks a father's name in an Arabic genealogical chain.
    pub nasab_marker: bool,
    /// A legal form or a number ("AG", "1"), which may be written onto a word.
    pub affix: bool,
}

impl VariantShape {
    /// The bit of a length.
    pub fn bit(len: usize) -> u32 {
        1u32 << len.min(31)
    }

    fn of(tokens: &[PreparedToken]) -> VariantShape {
        let tokens = &tokens[..tokens.len().min(MAX_TOKENS)];
        let mut runs = 0u32;
        for start in 0..tokens.len() {
            let mut total = 0;
            for (k, t) in tokens.iter().skip(start).take(MAX_JOINED_WORDS).enumerate() {
                total += t.raw.len();
                if k >= 1 {
                    runs |= Self::bit(total);
                }
            }
        }
        VariantShape {
            words: tokens
                .iter()
                .filter(|t| t.raw.len() >= 2)
                .fold(0, |m, t| m | Self::bit(t.raw.len())),
            runs,
            abjad: tokens.iter().any(|t| t.abjad),
            ending_apart: tokens.iter().any(|t| t.surname_ending.is_some()),
            ending_on: tokens.iter().any(|t| t.ending_written_on.is_some()),
            nasab_marker: tokens.iter().any(|t| is_nasab_marker(&t.raw)),
            affix: tokens
                .iter()
                .any(|t| matches!(t.kind, TokenKind::LegalForm | TokenKind::Number)),
        }
    }
}

/// Words that mark the next word as a father's name in an Arabic
/// genealogical chain (nasab): "bin", "ibn", "bint" and the Maghreb "ben",
/// "ould" (Mauritanian, "son of").
pub fn is_nasab_marker(raw: &str) -> bool {
    matches!(
        raw,
        "bin" | "ibn" | "bint" | "binti" | "ben" | "bent" | "ould"
    )
}

/// One Latin rendering of a name.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PreparedVariant {
    /// Boxed: a listed name is kept for as long as the index serves.
    pub tokens: Box<[PreparedToken]>,
    /// What the alignment's rules look for, found once.
    pub shape: VariantShape,
}

impl PreparedVariant {
    /// The letters of the distinctive tokens (no honorifics, particles,
    /// legal forms) read without spaces: their trigrams catch joined and
    /// split words ("alqaida", "al qaida"). Only the index keys read them,
    /// once per listed name at a build, so they are not kept.
    pub fn joined_chars(&self) -> impl Iterator<Item = char> + '_ {
        self.tokens
            .iter()
            .filter(|t| is_distinctive(t.kind))
            .flat_map(|t| t.raw.chars())
    }
}

/// A name with all its variants.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PreparedName {
    /// The name as given, without the spaces around it.
    pub original: Box<str>,
    pub script: Script,
    pub variants: Box<[PreparedVariant]>,
    /// The name has more parts than [`MAX_TOKENS`]: only the first are compared.
    pub truncated: bool,
}

impl PreparedName {
    pub fn new(name: &str, is_org: Option<bool>) -> PreparedName {
        Self::with_surnames(name, is_org, &[])
    }

    /// A person's name whose surname the source marks: the part before the
    /// comma in "SURNAME, Given Names", else any of `last_names`.
    pub fn with_surnames(name: &str, is_org: Option<bool>, last_names: &[String]) -> PreparedName {
        let analyzed = text::analyze_name(name, is_org);
        // "SURNAME, Given Names": the given names start after the comma.
        let comma_form = is_org == Some(false)
            && matches!(name.split_once(','), Some((_, after)) if !after.contains(','));
        let mut surname_tokens: Vec<String> = Vec::new();
        if is_org == Some(false) {
            let marked: Vec<&str> = match name.split_once(',') {
                Some((before, after)) if !after.contains(',') => vec![before],
                _ => last_names.iter().map(String::as_str).collect(),
            };
            for part in marked {
                let a = text::analyze_name(part, is_org);
                if let Some(first) = a.variants.first() {
                    surname_tokens.extend(
                        first
                            .iter()
                            .filter(|t| is_distinctive(t.kind))
                            .map(|t| t.text.clone()),
                    );
                }
            }
        }
        let syllabic = analyzed.script.is_syllabic();
        let mut variants: Vec<PreparedVariant> = Vec::new();
        let mut truncated = false;
        for tokens in analyzed.variants.iter().take(MAX_VARIANTS) {
            let words: Vec<&text::NameToken> =
                tokens.iter().filter(|t| !t.text.is_empty()).collect();
            let mut seen: Vec<&str> = Vec::new();
            let mut distinct = words
                .iter()
                .enumerate()
                // A repeated word ("Sergey Sergey Shoigu") counts once, but
                // not before a Persian surname ending written apart, whose
                // surname it begins ("Hassan Hassan Zadeh" is Hassan
                // HASSANZADEH).
                .filter(|&(k, t)| {
                    let begins_surname = words
                        .get(k + 1)
                        .is_some_and(|next| surname_ending(&next.text).is_some());
                    if seen.contains(&t.text.as_str()) && !begins_surname {
                        false
                    } else {
                        seen.push(&t.text);
                        true
                    }
                })
                .map(|(_, t)| *t)
                .peekable();
            let mut tokens: Vec<PreparedToken> = distinct
                .by_ref()
                .take(MAX_TOKENS)
                .map(|t| {
                    // A one-letter syllable ("i" for 이) is a name, not an initial.
                    let kind = if syllabic && t.kind == TokenKind::Initial {
                        TokenKind::Word
                    } else if is_org != Some(false)
                        && t.kind == TokenKind::Word
                        && text::is_legal_word(&t.text)
                    {
                        TokenKind::LegalForm
                    } else {
                        t.kind
                    };
                    PreparedToken::new(
                        &t.text,
                        kind,
                        analyzed.script,
                        surname_tokens.contains(&t.text),
                    )
                })
                .collect();
            truncated |= distinct.peek().is_some();
            if comma_form {
                title_leading_given_names(&mut tokens);
            }
            if tokens.is_empty() {
                continue;
            }
            let v = PreparedVariant {
                shape: VariantShape::of(&tokens),
                tokens: tokens.into(),
            };
            if !variants.contains(&v) {
                variants.push(v);
            }
        }
        PreparedName {
            original: name.trim().into(),
            script: analyzed.script,
            variants: variants.into(),
            truncated,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.variants.is_empty()
    }
}

/// In a person's name written "SURNAME, Given Names", a title that leads the
/// given names ("GHOREISHI, Seyed Hojatollah", "X, General Ahmed") is a
/// title, as it is when it leads a name written in natural order ("Seyed
/// Hojatollah Ghoreishi"), where the text step already reads it so. Left a
/// word, it is a part the customer's name lacks and lowers the score. Not
/// when it is the only given name left.
fn title_leading_given_names(tokens: &mut [PreparedToken]) {
    let Some(k) = tokens
        .iter()
        .position(|t| !t.surname && t.kind != TokenKind::Honorific)
    else {
        return;
    };
    let more_given = tokens
        .iter()
        .skip(k + 1)
        .any(|t| !t.surname && is_distinctive(t.kind));
    if tokens[k].kind == TokenKind::Word && more_given && text::is_honorific(&tokens[k].raw) {
        tokens[k].kind = TokenKind::Honorific;
    }
}

/// Tokens that identify a party (as opposed to particles, titles and legal forms).
pub fn is_distinctive(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Word | TokenKind::Initial | TokenKind::Number
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(name: &str) -> Vec<(String, TokenKind)> {
        PreparedName::new(name, Some(false)).variants[0]
            .tokens
            .iter()
            .map(|t| (t.raw.to_string(), t.kind))
            .collect()
    }

    #[test]
    fn doubled_letters_and_reordered_letters_are_found_without_keys() {
        assert!(same_collapsed("joonng", "jong"));
        assert!(same_collapsed("jong-uun", "jong-un"));
        assert!(!same_collapsed("jong", "jung"));
        assert!(!same_collapsed("jongg", "jogn"));
        assert!(same_letters("nitup", "putin"));
        assert!(same_letters("аб", "ба"));
        assert!(!same_letters("putin", "putn"));
        assert!(!same_letters("aab", "abb"));
        // A listed token is kept for as long as the index serves: four
        // shared keys (8 bytes each), its lengths, its letter set, its id,
        // a kind and a few flags.
        assert!(std::mem::size_of::<PreparedToken>() <= 64);
    }

    #[test]
    fn a_repeated_word_counts_once_unless_a_surname_ending_follows() {
        let words =
            |name: &str| -> Vec<String> { kinds(name).into_iter().map(|(t, _)| t).collect() };
        assert_eq!(words("Sergey Sergey Shoigu"), ["sergey", "shoigu"]);
        assert_eq!(words("Hassan Hassan Zadeh"), ["hassan", "hassan", "zadeh"]);
        assert_eq!(split_surname_ending("hassanzadeh"), Some(("hassan", 0)));
        assert_eq!(split_surname_ending("alinezhad"), Some(("ali", 1)));
        assert_eq!(split_surname_ending("alipour"), Some(("ali", 2)));
        // The ending alone, or with too short a stem, is no split.
        assert_eq!(split_surname_ending("zadeh"), None);
        assert_eq!(split_surname_ending("apur"), None);
    }

    #[test]
    fn a_title_leading_the_given_names_after_the_surname_is_a_title() {
        let seyed = |name: &str| {
            kinds(name)
                .into_iter()
                .find(|(t, _)| t == "seyed")
                .map(|(_, k)| k)
        };
        // As in natural order.
        assert_eq!(
            seyed("Seyed Hojatollah Ghoreishi"),
            Some(TokenKind::Honorific)
        );
        assert_eq!(
            seyed("GHOREISHI, Seyed Hojatollah"),
            Some(TokenKind::Honorific)
        );
        // The only given name: kept as the name it is.
        assert_eq!(seyed("GHOREISHI, Seyed"), Some(TokenKind::Word));
        // A title further in is not leading.
        assert_eq!(
            seyed("GHOREISHI, Hojatollah Seyed Ali"),
            Some(TokenKind::Word)
        );
        // Not in organisations' names.
        let org = PreparedName::new("GENERAL, Trading Company", Some(true));
        assert!(
            org.variants[0]
                .tokens
                .iter()
                .all(|t| t.kind != TokenKind::Honorific)
        );
    }
}
