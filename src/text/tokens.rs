//! Tokenising a romanised name and telling its tokens apart: words,
//! particles (al, bin, abu, van, de …), honorifics and titles (dr, sheikh,
//! haji, general …), legal forms (one canonical token per phrase), initials
//! and numbers.

use super::canonical::canonical_token;
use super::legal::{correct_legal_typos, legal_form_at};
use super::script::Script;
use serde::{Deserialize, Serialize};

/// The most tokens kept per name variant.
pub const MAX_TOKENS: usize = 32;
/// The longest token kept, in bytes (longer ones are cut).
pub const MAX_TOKEN_LEN: usize = 64;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenKind {
    /// An ordinary name part.
    Word,
    /// A connecting word: article, filiation, nobiliary particle.
    Particle,
    /// A title or honorific (mr, dr, sheikh, haji, general, jr …).
    Honorific,
    /// A legal form, always in canonical form (`llc`, `jsc`, `ltd` …).
    LegalForm,
    /// A single letter.
    Initial,
    /// Digits only.
    Number,
}

/// One token of a romanised name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NameToken {
    /// Lower-case ASCII (the romanised spelling, not the canonical key; a
    /// legal form is its canonical token).
    pub text: String,
    pub kind: TokenKind,
}

/// Whether `t` is a name particle (checked on the token and on its
/// canonical key, so "abdul" and "abou" count).
pub fn is_particle(t: &str) -> bool {
    is_particle_in(t, Particles::All)
}

/// Which particles a name can carry, by the script it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Particles {
    /// Syllables romanised from Chinese, Japanese or Korean ("ben", "do",
    /// "la"): none, and no legal forms either.
    None,
    /// Romanised from Arabic, Hebrew, Indic and other scripts: Arabic and
    /// Turkic particles only. "Da", "de" or "le" there are a romanised
    /// name's syllables (دعاء "da"), not a European "da".
    Eastern,
    /// Written in Latin, Cyrillic or Greek: every particle.
    All,
}

impl Particles {
    /// The particles a name written mainly in `script` can carry.
    pub fn of_script(script: Script) -> Particles {
        match script {
            s if s.is_syllabic() => Particles::None,
            Script::Latin | Script::Cyrillic | Script::Greek | Script::Common => Particles::All,
            _ => Particles::Eastern,
        }
    }
}

fn is_particle_in(t: &str, particles: Particles) -> bool {
    let is = |t: &str| match particles {
        Particles::None => false,
        Particles::Eastern => is_eastern_particle(t),
        Particles::All => is_eastern_particle(t) || is_european_particle(t),
    };
    particles != Particles::None && (is(t) || is(canonical_token(t).as_ref()))
}

fn is_european_particle(t: &str) -> bool {
    matches!(
        t,
        "van"
            | "von"
            | "de"
            | "der"
            | "den"
            | "da"
            | "dos"
            | "do"
            | "di"
            | "du"
            | "la"
            | "le"
            | "les"
            | "del"
            | "della"
            | "delle"
            | "dello"
            | "degli"
            | "des"
            | "ten"
            | "ter"
            | "zu"
            | "af"
            | "av"
    )
}

fn is_eastern_particle(t: &str) -> bool {
    matches!(
        t,
        // Arabic articles, including the sun-letter forms (ad-Din, ar-Rahman).
        "al" | "el" | "ul" | "ud" | "ad" | "ar" | "as" | "at" | "az" | "ash" | "ath" | "adh"
            | "wal"
            // Filiation and kunya.
            | "bin" | "ibn" | "bint" | "binti" | "abu" | "um" | "umm" | "ould" | "abd"
            // Turkic patronymic markers.
            | "oglu" | "ogly" | "kyzy" | "qizi" | "gizi" | "uulu"
    )
}

/// The Arabic article as romanised ("al", "el" and the sun-letter "as").
fn is_article(t: &str) -> bool {
    matches!(t, "al" | "el" | "as" | "es" | "ul")
}

/// Titles that are honorifics wherever they stand in a person's name.
fn is_title_anywhere(t: &str) -> bool {
    matches!(
        t,
        "mr" | "mrs"
            | "ms"
            | "miss"
            | "mx"
            | "dr"
            | "prof"
            | "sir"
            | "dame"
            | "mme"
            | "mlle"
            | "herr"
            | "frau"
            | "sr"
            | "sra"
            | "srta"
            | "jr"
            | "phd"
            | "shaykh"
            | "sheikh"
            | "shaikh"
            | "sheik"
            | "cheikh"
            | "sheykh"
            | "shekh"
            | "shaik"
            | "shaykha"
            | "sheikha"
            | "haji"
            | "hajji"
            | "hadji"
            | "hajj"
            | "haj"
            | "hadj"
            | "alhaji"
            | "alhajji"
            | "alhaj"
            | "mullah"
            | "mulla"
            | "molla"
            | "mawlawi"
            | "maulvi"
            | "molvi"
            | "mawlavi"
            | "maulawi"
            | "moulavi"
            | "mowlawi"
            | "mawlana"
            | "maulana"
            | "moulana"
            | "mowlana"
            | "qari"
            | "mufti"
            | "ayatollah"
            | "hojatoleslam"
            | "hojjatoleslam"
            | "allama"
            | "ustad"
            | "ustadh"
            | "gospodin"
            | "gospozha"
            | "pani"
            | "shri"
            | "shrimati"
            | "smt"
            | "duktur"
            | "doktor"
            | "doctor"
            | "docteur"
            | "sarkar"
    )
}

/// Titles and offices that are honorifics only at the start of a person's
/// name ("General Trading", "Sayyid Qutb" as given name elsewhere).
fn is_leading_title(t: &str) -> bool {
    matches!(
        t,
        "general"
            | "gen"
            | "colonel"
            | "col"
            | "lieutenant"
            | "lt"
            | "major"
            | "maj"
            | "captain"
            | "capt"
            | "brigadier"
            | "admiral"
            | "adm"
            | "commander"
            | "cmdr"
            | "sergeant"
            | "sgt"
            | "marshal"
            | "president"
            | "prasident"
            | "praesident"
            | "presidente"
            | "monsieur"
            | "madame"
            | "senor"
            | "senora"
            | "signor"
            | "signora"
            | "minister"
            | "senator"
            | "governor"
            | "judge"
            | "ambassador"
            | "prince"
            | "princess"
            | "king"
            | "queen"
            | "emir"
            | "imam"
            | "rev"
            | "reverend"
            | "father"
            | "fr"
            | "bishop"
            | "pastor"
            | "rabbi"
            | "eng"
            | "engineer"
            | "don"
            | "dona"
            | "sayyid"
            | "sayed"
            | "seyed"
            | "seyyed"
            | "syed"
            | "sayyed"
            | "khanom"
            | "khanum"
            | "khanoum"
            | "khanim"
            | "uz"
            | "ogr"
            | "ogretmen"
            | "muhendis"
            | "hr"
            | "fru"
            | "mevr"
            | "dhr"
            | "sig"
            | "sigra"
            | "dott"
            | "ing"
            | "mgr"
    )
}

/// Whether `t` is a title or honorific (in any position).
pub fn is_honorific(t: &str) -> bool {
    is_title_anywhere(t) || is_leading_title(t) || is_title_anywhere(canonical_token(t).as_ref())
}

/// Vietnamese forms of address that open a name ("Chị Hương Lê", "Quý ông
/// Nam"), written with their tone marks: without them they are ordinary
/// syllables of names (Chi, Ong, Co, Ba), so they are recognised before
/// folding. "Anh" and "Em" are left alone: they are given names too.
const VIETNAMESE_ADDRESS: [&str; 8] = [
    "quý ông",
    "quý bà",
    "quý cô",
    "ông",
    "bà",
    "cô",
    "chị",
    "bác",
];

/// `name` without a leading Vietnamese form of address, when a name follows.
pub fn without_vietnamese_address(name: &str) -> &str {
    let trimmed = name.trim_start();
    for form in VIETNAMESE_ADDRESS {
        let Some(head) = trimmed.get(..form.len()) else {
            continue;
        };
        if head.to_lowercase() == form
            && let Some(rest) = trimmed.get(form.len()..)
            && rest.starts_with(' ')
            && rest
                .trim_start()
                .chars()
                .next()
                .is_some_and(char::is_alphabetic)
        {
            return rest.trim_start();
        }
    }
    name
}

/// Splits one romanised variant into classified tokens: legal-form phrases
/// become one canonical `LegalForm` token; `is_org` (when known) decides
/// whether titles and ambiguous legal forms are looked for.
pub fn tokenize(variant: &str, is_org: Option<bool>) -> Vec<NameToken> {
    tokenize_with(variant, is_org, Particles::All)
}

/// [`tokenize`], with the particles (and legal forms) a name written in
/// its script can carry ([`Particles`]).
pub fn tokenize_with(variant: &str, is_org: Option<bool>, particles: Particles) -> Vec<NameToken> {
    let mut raw: Vec<&str> = variant
        .split(' ')
        .filter(|t| !t.is_empty())
        .take(MAX_TOKENS * 2)
        .map(|t| cut(t, MAX_TOKEN_LEN))
        .collect();
    // Legal forms are looked for in names that may be organisations, not in
    // syllables romanised from Chinese, Japanese or Korean.
    let latin_like = particles != Particles::None;
    if is_org != Some(false) && latin_like {
        raw = unglue_spelled_legal_form(raw);
        raw = split_joined_legal_words(raw);
        correct_legal_typos(&mut raw);
        rotate_legal_form_to_end(&mut raw, is_org == Some(true));
    }
    // Numbers written in words are compared as digits ("Brigade Forty-Four"
    // = "Brigade 44", "First" = "1st"), in names that may be organisations.
    let spelled = (is_org != Some(false) && latin_like)
        .then(|| numbers_as_digits(&raw))
        .flatten();
    if let Some(spelled) = &spelled {
        raw = spelled.iter().map(String::as_str).collect();
    }
    let mut out: Vec<NameToken> = Vec::with_capacity(raw.len().min(MAX_TOKENS));
    let allow_ambiguous = is_org != Some(false);
    let mut legal_found = false;
    let mut i = 0;
    while i < raw.len() && out.len() < MAX_TOKENS {
        if let Some(m) = legal_form_at(&raw, i, allow_ambiguous) {
            out.push(NameToken {
                text: m.canonical.to_string(),
                kind: TokenKind::LegalForm,
            });
            legal_found = true;
            i += m.len.max(1);
            continue;
        }
        if let Some(t) = raw.get(i) {
            out.push(NameToken {
                text: (*t).to_string(),
                kind: TokenKind::Word,
            });
        }
        i += 1;
    }
    let is_org = is_org.unwrap_or(legal_found);
    // Cyrillic abbreviated titles г-н / г-жа come out as "g n" / "g zha".
    if !is_org
        && out.len() > 2
        && out.first().is_some_and(|t| t.text == "g" || t.text == "h")
        && out
            .get(1)
            .is_some_and(|t| matches!(t.text.as_str(), "n" | "zha" | "za" | "ja"))
    {
        for t in out.iter_mut().take(2) {
            t.kind = TokenKind::Honorific;
        }
    }
    let several = out.len() > 1;
    let words = out.len();
    let mut leading = true;
    for i in 0..out.len() {
        let next_is_title = out.get(i + 1).is_some_and(|n| is_leading_title(&n.text));
        let Some(tok) = out.get_mut(i) else {
            break;
        };
        if matches!(tok.kind, TokenKind::LegalForm | TokenKind::Honorific) {
            leading = leading && tok.kind == TokenKind::Honorific;
            continue;
        }
        let t = tok.text.as_str();
        let kind = if t.bytes().all(|b| b.is_ascii_digit()) {
            TokenKind::Number
        } else if is_org && t == "e" && i > 0 && i + 1 < words {
            // The Persian ezafe ("of"), written -e after a word
            // (SAZEMAN-E BASIJ-E MOSTAZAFAN, SEPAH-E PASDARAN): a particle
            // of the name, not an initial; an organisation has no middle
            // initials.
            TokenKind::Particle
        } else if t.len() == 1 {
            TokenKind::Initial
        } else if !is_org
            // The Arabic article before a leading title is part of it
            // (السيد "al sayed", "Mr").
            && ((leading && (is_leading_title(t) || (is_article(t) && next_is_title)))
                || is_title_anywhere(t)
                || is_title_anywhere(canonical_token(t).as_ref()))
        {
            TokenKind::Honorific
        } else if several && is_particle_in(t, particles) {
            TokenKind::Particle
        } else {
            TokenKind::Word
        };
        if kind != TokenKind::Honorific {
            leading = false;
        }
        tok.kind = kind;
    }
    if is_org {
        out = organisation_letters(out);
    }
    // A name made only of titles and particles ("Sayyid", "Abu Al") keeps
    // them as words: they are all there is to match.
    let has_content = out.iter().any(|t| {
        matches!(
            t.kind,
            TokenKind::Word | TokenKind::Initial | TokenKind::Number
        )
    });
    if !has_content {
        for tok in out.iter_mut() {
            if matches!(tok.kind, TokenKind::Honorific | TokenKind::Particle) {
                tok.kind = TokenKind::Word;
            }
        }
    }
    out
}

/// Legal-form words that may be found written together with a name word
/// ("DAYCOMPANY", "COMPANYKREDO", "GENISARL", "SUDLIMITED"); each is a legal
/// form by itself.
const JOINABLE_LEGAL_WORDS: [&str; 10] = [
    "company",
    "corporation",
    "limited",
    "gmbh",
    "sarl",
    "ltd",
    "llc",
    // Russian "society" (aktsionernoe obshchestvo, the JSC), in the
    // romanisations the lists use.
    "obshchestvo",
    "obshestvo",
    "obschestvo",
];

/// Splits a word that starts or ends with a [`JOINABLE_LEGAL_WORDS`] entry
/// and has at least three more letters into the name part and the legal word.
fn split_joined_legal_words(raw: Vec<&str>) -> Vec<&str> {
    let split_at = |t: &str| -> Option<usize> {
        if t.len() < 6 {
            return None;
        }
        JOINABLE_LEGAL_WORDS.iter().find_map(|w| {
            if t.len() < w.len() + 3 {
                None
            } else if t.ends_with(w) {
                Some(t.len() - w.len())
            } else if t.starts_with(w) {
                Some(w.len())
            } else {
                None
            }
        })
    };
    if !raw.iter().any(|t| split_at(t).is_some()) {
        return raw;
    }
    let mut out = Vec::with_capacity(raw.len() + 2);
    for t in raw {
        match split_at(t).and_then(|i| Some((t.get(..i)?, t.get(i..)?))) {
            Some((a, b)) => {
                out.push(a);
                out.push(b);
            }
            None => out.push(t),
        }
    }
    out
}

/// A legal form spelt with dots written straight after the name's last word,
/// without a space ("GEMINIS.A.S.U." for "GEMINI S.A.S.U.", "MIRATHS.A.L."):
/// folding leaves the word with the form's first letter glued to it
/// ("geminis a s u"). When that letter and the single letters after it spell
/// a legal-form phrase, and the word keeps at least
/// [`MIN_UNGLUED_STEM`] letters without it, the letter goes back to the form.
fn unglue_spelled_legal_form(raw: Vec<&str>) -> Vec<&str> {
    let single = |t: &&str| t.len() == 1 && t.bytes().all(|b| b.is_ascii_alphabetic());
    let glued_at = |i: usize| -> Option<usize> {
        let word = *raw.get(i)?;
        let letters = raw.get(i + 1..)?;
        let run = letters.iter().take_while(|t| single(t)).count();
        if run == 0 || word.len() <= MIN_UNGLUED_STEM || !word.is_ascii() {
            return None;
        }
        let cut = word.len() - 1;
        let (stem, last) = (word.get(..cut)?, word.get(cut..)?);
        if !last.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        // The stem stands before the phrase, so a short form at the end of
        // the name is recognised as it would be written apart.
        let mut probe: Vec<&str> = vec![stem, last];
        probe.extend_from_slice(&letters[..run]);
        probe.extend_from_slice(&letters[run..]);
        legal_form_at(&probe, 1, true)
            .is_some_and(|m| m.len >= 2)
            .then_some(cut)
    };
    if !(0..raw.len()).any(|i| glued_at(i).is_some()) {
        return raw;
    }
    let mut out = Vec::with_capacity(raw.len() + 1);
    for (i, t) in raw.iter().enumerate() {
        match glued_at(i).and_then(|c| Some((t.get(..c)?, t.get(c..)?))) {
            Some((stem, last)) => {
                out.push(stem);
                out.push(last);
            }
            None => out.push(t),
        }
    }
    out
}

/// The fewest letters a word keeps when a glued legal-form letter is taken
/// off it (tokenisation, not scoring: not a weight).
const MIN_UNGLUED_STEM: usize = 3;

/// A legal-form phrase moved from the end to the front of the name, whole
/// ("S.A. INTELLEXA", "B.V. Organic District") or in part ("KG OZEAN …
/// GMBH & CO.", "COMPANY USM … LIMITED LIABILITY"), is put back at the end,
/// where it is recognised. Short ambiguous forms ("sa", "kg") are moved only
/// for names known to be organisations; for others the rebuilt phrase must be
/// unambiguous ("gmbh co kg").
fn rotate_legal_form_to_end(raw: &mut [&str], known_org: bool) {
    let n = raw.len();
    // A phrase already whole at the front needs no move unless ambiguous.
    let form_at_front = legal_form_at(raw, 0, false).is_some();
    for lead in 1..=3usize.min(n.saturating_sub(1)) {
        // Letters before more letters are initials ("A.S.P. Builders").
        if raw.get(lead).is_some_and(|t| t.len() == 1) {
            continue;
        }
        for trail in 0..=3usize.min(n - lead - 1) {
            if trail == 0 && form_at_front {
                continue;
            }
            // The rebuilt phrase after one stand-in name word: ambiguous
            // forms count only at the end of a longer name.
            let probe: Vec<&str> = std::iter::once("")
                .chain(raw[n - trail..].iter().copied())
                .chain(raw[..lead].iter().copied())
                .collect();
            let whole = |allow_ambiguous: bool| {
                legal_form_at(&probe, 1, allow_ambiguous).is_some_and(|m| m.len == lead + trail)
            };
            if whole(false) || (known_org && whole(true)) {
                raw.rotate_left(lead);
                return;
            }
        }
    }
}

/// In an organisation's name, letters written apart are one acronym
/// ("A.B.C. Company" = "ABC Company", and not "C.B.A. Company"), and a
/// Roman numeral after the first word is a number ("Fund II"). After the
/// Russian "imeni" ("named after": NITI imeni A.P. Aleksandrova, Zavod
/// imeni Kirova) the letters before the namesake's surname are that
/// person's initials, written with or without dots ("A.P.", "AP"), and
/// stay initials: many writings of the name leave them out.
fn organisation_letters(mut tokens: Vec<NameToken>) -> Vec<NameToken> {
    tokens = namesake_initials(tokens);
    const ROMAN: [&str; 10] = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"];
    let is_initial = |t: Option<&NameToken>| t.is_some_and(|t| t.kind == TokenKind::Initial);
    for i in 1..tokens.len() {
        let lone = !is_initial(tokens.get(i - 1)) && !is_initial(tokens.get(i + 1));
        if let Some(t) = tokens.get_mut(i)
            && lone
            && matches!(t.kind, TokenKind::Word | TokenKind::Initial)
            && ROMAN.contains(&t.text.as_str())
        {
            t.kind = TokenKind::Number;
        }
    }
    let mut out: Vec<NameToken> = Vec::with_capacity(tokens.len());
    // The previous token is an initial or a run of them being merged.
    let mut in_run = false;
    // The tokens after "imeni", up to the surname.
    let mut namesake = false;
    for t in tokens {
        let initial = t.kind == TokenKind::Initial;
        namesake = (namesake && initial) || is_named_after(&t.text);
        if initial
            && in_run
            && !namesake
            && let Some(last) = out.last_mut()
        {
            last.text.push_str(&t.text);
            last.kind = TokenKind::Word;
            continue;
        }
        in_run = initial;
        out.push(t);
    }
    out
}

/// The Russian (and Ukrainian) word for "named after", in full or cut
/// short ("im.").
fn is_named_after(t: &str) -> bool {
    matches!(t, "imeni" | "im")
}

/// Splits the initials written together after "imeni" ("imeni AP
/// Aleksandrova") into one initial per letter: a token of two or three
/// letters between "imeni" and a longer word.
fn namesake_initials(tokens: Vec<NameToken>) -> Vec<NameToken> {
    const MAX_LETTERS: usize = 3;
    const MIN_SURNAME_LETTERS: usize = 4;
    if !tokens.iter().any(|t| is_named_after(&t.text)) {
        return tokens;
    }
    let mut out: Vec<NameToken> = Vec::with_capacity(tokens.len() + 2);
    for (i, t) in tokens.iter().enumerate() {
        let after_named = i > 0 && tokens.get(i - 1).is_some_and(|p| is_named_after(&p.text));
        let before_surname = tokens.get(i + 1).is_some_and(|n| {
            n.kind == TokenKind::Word && n.text.chars().count() >= MIN_SURNAME_LETTERS
        });
        let letters = t.text.chars().count();
        if after_named
            && before_surname
            && t.kind == TokenKind::Word
            && (2..=MAX_LETTERS).contains(&letters)
            && t.text.chars().all(|c| c.is_ascii_alphabetic())
        {
            out.extend(t.text.chars().map(|c| NameToken {
                text: c.to_string(),
                kind: TokenKind::Initial,
            }));
        } else {
            out.push(t.clone());
        }
    }
    out
}

/// English number words from one to ninety and ordinals up to tenth.
fn number_word(t: &str) -> Option<u32> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    const ORDINALS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    if let Some(i) = UNITS.iter().position(|w| *w == t) {
        return Some(i as u32);
    }
    if let Some(i) = TENS.iter().position(|w| *w == t) {
        return Some(20 + 10 * i as u32);
    }
    if let Some(i) = ORDINALS.iter().position(|w| *w == t) {
        return Some(1 + i as u32);
    }
    // "1st", "22nd", "3rd", "44th".
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &t[digits.len()..];
    if !digits.is_empty()
        && digits.len() <= 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(suffix, "st" | "nd" | "rd" | "th")
    {
        return digits.parse().ok();
    }
    None
}

/// The tokens with number words turned into digits, a ten followed by a
/// unit joined ("forty four", "forty 4" → "44"); `None` when there is none.
fn numbers_as_digits(raw: &[&str]) -> Option<Vec<String>> {
    if !raw.iter().any(|t| number_word(t).is_some()) {
        return None;
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(t) = raw.get(i) {
        let Some(n) = number_word(t) else {
            out.push((*t).to_string());
            i += 1;
            continue;
        };
        let unit = raw
            .get(i + 1)
            .and_then(|u| number_word(u).or_else(|| u.parse::<u32>().ok()))
            .filter(|u| (1..=9).contains(u));
        match unit {
            Some(u) if n >= 20 && n % 10 == 0 && n < 100 => {
                out.push((n + u).to_string());
                i += 2;
            }
            _ => {
                out.push(n.to_string());
                i += 1;
            }
        }
    }
    Some(out)
}

/// `t` cut to at most `max` bytes at a character boundary.
fn cut(t: &str, max: usize) -> &str {
    if t.len() <= max {
        return t;
    }
    let mut end = max;
    while end > 0 && !t.is_char_boundary(end) {
        end -= 1;
    }
    t.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_vietnamese_form_of_address_is_not_part_of_the_name() {
        assert_eq!(without_vietnamese_address("Chị Hương Lê"), "Hương Lê");
        assert_eq!(without_vietnamese_address("Quý ông Trần Nam"), "Trần Nam");
        assert_eq!(without_vietnamese_address("ÔNG Quang"), "Quang");
        // Without tone marks, or alone, it is a name.
        assert_eq!(without_vietnamese_address("Chi Haotian"), "Chi Haotian");
        assert_eq!(without_vietnamese_address("Ong Beng Seng"), "Ong Beng Seng");
        assert_eq!(without_vietnamese_address("Bà"), "Bà");
        assert_eq!(without_vietnamese_address("Bàng Thị Lan"), "Bàng Thị Lan");
        assert_eq!(without_vietnamese_address("Anh Trần"), "Anh Trần");
    }

    use super::*;

    fn kinds(s: &str, org: Option<bool>) -> Vec<(String, TokenKind)> {
        tokenize(s, org)
            .into_iter()
            .map(|t| (t.text, t.kind))
            .collect()
    }

    fn k(list: &[(&str, TokenKind)]) -> Vec<(String, TokenKind)> {
        list.iter().map(|(t, k)| (t.to_string(), *k)).collect()
    }

    use TokenKind::*;

    #[test]
    fn person_names() {
        assert_eq!(
            kinds("bin ladin usama bin muhammad bin awad", Some(false)),
            k(&[
                ("bin", Particle),
                ("ladin", Word),
                ("usama", Word),
                ("bin", Particle),
                ("muhammad", Word),
                ("bin", Particle),
                ("awad", Word)
            ])
        );
        assert_eq!(
            kinds("haji abdul sattar barakzai", None),
            k(&[
                ("haji", Honorific),
                ("abdul", Particle),
                ("sattar", Word),
                ("barakzai", Word)
            ])
        );
        assert_eq!(
            kinds("mustafa hajji muhammad khan", None),
            k(&[
                ("mustafa", Word),
                ("hajji", Honorific),
                ("muhammad", Word),
                ("khan", Word)
            ])
        );
        assert_eq!(
            kinds("general ali hassan al majid", Some(false)),
            k(&[
                ("general", Honorific),
                ("ali", Word),
                ("hassan", Word),
                ("al", Particle),
                ("majid", Word)
            ])
        );
        assert_eq!(
            kinds("john f kennedy 2", None),
            k(&[
                ("john", Word),
                ("f", Initial),
                ("kennedy", Word),
                ("2", Number)
            ])
        );
    }

    #[test]
    fn organisations() {
        assert_eq!(
            kinds("general trading llc", None),
            k(&[("general", Word), ("trading", Word), ("llc", LegalForm)])
        );
        assert_eq!(
            kinds("ooo romashka", None),
            k(&[("llc", LegalForm), ("romashka", Word)])
        );
        assert_eq!(
            kinds("romashka limited liability company", None),
            k(&[("romashka", Word), ("llc", LegalForm)])
        );
        assert_eq!(
            kinds("banco nacional de cuba s a", None),
            k(&[
                ("banco", Word),
                ("nacional", Word),
                ("de", Particle),
                ("cuba", Word),
                ("jsc", LegalForm)
            ])
        );
    }

    #[test]
    fn legal_words_written_together_are_split() {
        assert_eq!(
            kinds("daycompany", None),
            k(&[("day", Word), ("co", LegalForm)])
        );
        assert_eq!(
            kinds("joint stock companykredo", None),
            k(&[("jsc", LegalForm), ("kredo", Word)])
        );
        assert_eq!(
            kinds("emc sudlimited", Some(true)),
            k(&[("emc", Word), ("sud", Word), ("ltd", LegalForm)])
        );
        // Not in persons' names, not when too little is left ("companyia").
        assert_eq!(kinds("daycompany", Some(false)), k(&[("daycompany", Word)]));
        assert_eq!(kinds("companyia", None), k(&[("companyia", Word)]));
    }

    #[test]
    fn legal_forms_moved_to_the_front_go_back_to_the_end() {
        assert_eq!(
            kinds("s a intellexa", Some(true)),
            k(&[("intellexa", Word), ("jsc", LegalForm)])
        );
        assert_eq!(
            kinds("kg ozean gmbh co", None),
            k(&[("ozean", Word), ("lp", LegalForm)])
        );
        assert_eq!(
            kinds("company usm limited liability", None),
            k(&[("usm", Word), ("llc", LegalForm)])
        );
        // Ambiguous short forms stay where they are unless the name is known
        // to be an organisation; initials stay initials.
        assert_eq!(
            kinds("sa thamestone", None),
            k(&[("sa", Word), ("thamestone", Word)])
        );
        assert_eq!(
            kinds("a s p builders", Some(true)),
            k(&[("asp", Word), ("builders", Word)])
        );
    }

    #[test]
    fn the_initials_of_a_namesake_stay_initials() {
        // OFAC writes NITI imeni A.P. Aleksandrova without the dots.
        let expected = k(&[
            ("niti", Word),
            ("imeni", Word),
            ("a", Initial),
            ("p", Initial),
            ("aleksandrova", Word),
        ]);
        assert_eq!(kinds("niti imeni ap aleksandrova", Some(true)), expected);
        assert_eq!(kinds("niti imeni a p aleksandrova", Some(true)), expected);
        // Elsewhere letters written apart are still one acronym, and a short
        // word after "imeni" that is the whole rest of the name is a word.
        assert_eq!(
            kinds("a p aleksandrova", Some(true)),
            k(&[("ap", Word), ("aleksandrova", Word)])
        );
        assert_eq!(
            kinds("zavod imeni lev", Some(true)),
            k(&[("zavod", Word), ("imeni", Word), ("lev", Word)])
        );
    }

    #[test]
    fn a_name_written_onto_a_legal_word_comes_apart() {
        assert_eq!(
            kinds(
                "aktsionernoe obshchestvobarnaulskii patronnyi zavod",
                Some(true)
            ),
            kinds(
                "aktsionernoe obshchestvo barnaulskii patronnyi zavod",
                Some(true)
            )
        );
        assert_eq!(
            kinds("aktsionernoe obshchestvo barnaulskii", Some(true)),
            k(&[("jsc", LegalForm), ("barnaulskii", Word)])
        );
    }

    #[test]
    fn a_spelt_legal_form_glued_to_the_last_word_comes_apart() {
        // "GEMINIS.A.S.U.", "MIRATHS.A.L." folded: the form's first letter
        // is glued to the name.
        assert_eq!(
            kinds("geminis a s u", Some(true)),
            kinds("gemini s a s u", Some(true))
        );
        assert_eq!(
            kinds("miraths a l", Some(true)),
            kinds("mirath s a l", Some(true))
        );
        // Letters that spell no legal form, a person's initials, a stem too
        // short: left alone.
        let words = |s: &str, org| -> Vec<String> {
            kinds(s, org)
                .into_iter()
                .filter(|(_, kind)| *kind != LegalForm)
                .map(|(t, _)| t)
                .collect()
        };
        assert!(words("bingo internacionale u", Some(true)).contains(&"internacionale".into()));
        assert!(words("abs a l", Some(true)).contains(&"abs".into()));
        assert_eq!(
            kinds("davids a smith", Some(false)),
            k(&[("davids", Word), ("a", Initial), ("smith", Word)])
        );
    }

    #[test]
    fn numbers_in_words_become_digits() {
        assert_eq!(
            kinds("brigade forty four", None),
            k(&[("brigade", Word), ("44", Number)])
        );
        assert_eq!(
            kinds("brigade forty 4", None),
            k(&[("brigade", Word), ("44", Number)])
        );
        assert_eq!(
            kinds("1st international bank", None),
            kinds("first international bank", None)
        );
        assert_eq!(
            kinds("three percenters", None),
            k(&[("3", Number), ("percenters", Word)])
        );
        // Not in persons' names.
        assert_eq!(
            kinds("john second", Some(false)),
            k(&[("john", Word), ("second", Word)])
        );
    }

    #[test]
    fn organisation_initials_are_one_acronym() {
        assert_eq!(
            kinds("a b c company", None),
            k(&[("abc", Word), ("co", LegalForm)])
        );
        assert_eq!(
            kinds("nantahala fund ii ltd", None),
            k(&[
                ("nantahala", Word),
                ("fund", Word),
                ("ii", Number),
                ("ltd", LegalForm)
            ])
        );
        // Persons keep their initials.
        assert_eq!(
            kinds("j r smith", Some(false)),
            k(&[("j", Initial), ("r", Initial), ("smith", Word)])
        );
    }

    #[test]
    fn the_article_of_a_leading_title_is_part_of_it() {
        assert_eq!(
            kinds("al sayed tarek anmar", Some(false)),
            k(&[
                ("al", Honorific),
                ("sayed", Honorific),
                ("tarek", Word),
                ("anmar", Word)
            ])
        );
        // Elsewhere the article is the name's particle.
        assert_eq!(
            kinds("tarek al sayed", Some(false)),
            k(&[("tarek", Word), ("al", Particle), ("sayed", Word)])
        );
    }

    #[test]
    fn the_persian_ezafe_in_an_organisation_is_a_particle() {
        assert_eq!(
            kinds("sazeman e basij e mostazafan", Some(true)),
            k(&[
                ("sazeman", Word),
                ("e", Particle),
                ("basij", Word),
                ("e", Particle),
                ("mostazafan", Word)
            ])
        );
        // In a person's name it may be an initial.
        assert_eq!(
            kinds("john e smith", Some(false)),
            k(&[("john", Word), ("e", Initial), ("smith", Word)])
        );
    }

    #[test]
    fn names_of_only_titles_keep_them() {
        assert_eq!(kinds("sayyid", None), k(&[("sayyid", Word)]));
        assert_eq!(kinds("abu al", None), k(&[("abu", Word), ("al", Word)]));
    }

    #[test]
    fn bounded() {
        let long = "a ".repeat(1000);
        assert_eq!(tokenize(&long, None).len(), MAX_TOKENS);
        let word = "x".repeat(1000);
        let toks = tokenize(&word, None);
        assert_eq!(toks.first().map(|t| t.text.len()), Some(MAX_TOKEN_LEN));
    }
}
