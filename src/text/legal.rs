//! Legal-form words of company names ("LLC", "OOO", "GmbH", "S.A.",
//! "Limited Liability Company", "общество с ограниченной ответственностью")
//! recognised as phrases in romanised token lists and mapped to one canonical
//! token, so that "OOO ROMASHKA" and "Romashka LLC" carry the same legal form.
//!
//! Canonical forms (by legal meaning, not by country):
//! `llc` private limited-liability company (LLC, OOO, TOV, GmbH, SARL, SRL,
//! s.r.o., Sp. z o.o., Kft, d.o.o., BV, Ltda, YK); `ltd` limited company in
//! the British tradition (Ltd, Limited, Pte, Pvt, Pty, Sdn Bhd, PT, Co. Ltd.);
//! `jsc` joint-stock company (JSC, CJSC, AO, ZAO, AG, SA, SpA, NV, AB, AS,
//! Oy, KK, A.Ş.); `pjsc` the open or public joint-stock company of the former
//! Soviet states (PJSC, OJSC, PAO, OAO, Ukrainian PAT, Belarusian AAT: the
//! Russian Civil Code turned the open OAO into the public PAO in 2014), a
//! kind of `jsc`, so the two are spellings of one form that still tell
//! "PAO Sberbank" the PJSC from the JSC of the same name; `plc`; `inc` (Inc, Corp,
//! Corporation); `co` (Co, Company, Cie, Cia, Kompaniya, Sharikat); `lp`
//! (LP, KG, limited partnership); `llp`; `fze` (UAE free-zone FZE, FZCO, FZC,
//! FZ-LLC); `fsue` (Russian state and municipal unitary enterprises: ФГУП,
//! ГУП, МУП, ФКП, "federal state unitary enterprise"; no family, so it
//! conflicts with no other form: many were turned into joint-stock
//! companies under the same name).
//!
//! Short forms that are also ordinary words or initials ("sa", "ag", "as",
//! "co", "ao", "pt", "spa" …) count only as the first or last word of a name
//! that is not known to be a person.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Phrase (space-separated tokens; a trailing `*` matches any token with that
/// prefix), canonical form, and whether the phrase is ambiguous.
const FORMS: &[(&str, &str, bool)] = &[
    // Private limited-liability companies.
    ("llc", "llc", false),
    ("l l c", "llc", false),
    ("limited liability company", "llc", false),
    ("limited liability co", "llc", false),
    ("ooo", "llc", false),
    ("tov", "llc", true),
    ("too", "llc", true),
    ("mchj", "llc", false),
    ("gmbh", "llc", false),
    ("g m b h", "llc", false),
    ("gesellschaft mit beschrankter haftung", "llc", false),
    ("gesellschaft mit beschraenkter haftung", "llc", false),
    ("sarl", "llc", false),
    ("s a r l", "llc", false),
    ("societe a responsabilite limitee", "llc", false),
    ("srl", "llc", false),
    ("s r l", "llc", false),
    ("societa a responsabilita limitata", "llc", false),
    ("societatea cu raspundere limitata", "llc", false),
    ("sro", "llc", false),
    ("s r o", "llc", false),
    ("spol s r o", "llc", false),
    ("sp z o o", "llc", false),
    ("spzoo", "llc", false),
    ("sp zoo", "llc", false),
    ("spolka z ograniczon* odpowiedzialn*", "llc", false),
    ("kft", "llc", false),
    ("doo", "llc", true),
    ("d o o", "llc", false),
    ("eood", "llc", false),
    ("ood", "llc", true),
    ("bv", "llc", true),
    ("b v", "llc", true),
    ("bvba", "llc", false),
    ("ltda", "llc", false),
    ("s de rl", "llc", false),
    ("s de r l", "llc", false),
    ("sociedad de responsabilidad limitada", "llc", false),
    ("obshch* s ogranichenn* otvetstvenn*", "llc", false),
    ("obsch* s ogranichenn* otvetstvenn*", "llc", false),
    ("tovarystv* z obmezhen* vidpovidaln*", "llc", false),
    ("yugen kaisha", "llc", false),
    ("yk", "llc", true),
    ("godo kaisha", "llc", false),
    ("you xian ze ren gong si", "llc", false),
    ("youxian zeren gongsi", "llc", false),
    ("you xian hui she", "llc", false),
    ("yuhanhoesa", "llc", false),
    ("dh m m", "llc", false),
    ("sh m m", "llc", false),
    // Limited companies.
    ("ltd", "ltd", false),
    ("limited", "ltd", false),
    ("co ltd", "ltd", false),
    ("co limited", "ltd", false),
    ("company limited", "ltd", false),
    ("company ltd", "ltd", false),
    ("pte ltd", "ltd", false),
    ("pte limited", "ltd", false),
    ("pte", "ltd", true),
    ("pvt ltd", "ltd", false),
    ("pvt limited", "ltd", false),
    ("private limited", "ltd", false),
    ("pvt", "ltd", true),
    ("pty ltd", "ltd", false),
    ("pty limited", "ltd", false),
    ("pty", "ltd", true),
    ("sdn bhd", "ltd", false),
    ("sendirian berhad", "ltd", false),
    ("bhd", "ltd", false),
    ("berhad", "ltd", false),
    ("ltd sti", "ltd", false),
    ("limited sirketi", "ltd", false),
    ("pt", "ltd", true),
    ("you xian gong si", "ltd", false),
    ("youxian gongsi", "ltd", false),
    // Joint-stock and public companies.
    ("jsc", "jsc", false),
    ("j s c", "jsc", false),
    ("ojsc", "pjsc", false),
    ("pjsc", "pjsc", false),
    ("cjsc", "jsc", false),
    ("jscb", "jsc", false),
    ("ao", "jsc", true),
    ("zao", "jsc", false),
    ("oao", "pjsc", false),
    ("pao", "pjsc", false),
    ("nao", "jsc", true),
    ("pat", "pjsc", true),
    ("prat", "jsc", true),
    ("joint stock company", "jsc", false),
    ("joint stock co", "jsc", false),
    ("open joint stock company", "pjsc", false),
    ("closed joint stock company", "jsc", false),
    ("public joint stock company", "pjsc", false),
    ("private joint stock company", "jsc", false),
    ("aktsion* obshch*", "jsc", false),
    ("akcion* obshch*", "jsc", false),
    ("aktsion* obsch*", "jsc", false),
    ("zakryt* aktsion* obshch*", "jsc", false),
    ("otkryt* aktsion* obshch*", "pjsc", false),
    ("publichn* aktsion* obshch*", "pjsc", false),
    ("nepublichn* aktsion* obshch*", "jsc", false),
    ("aktsionern* tovarystv*", "jsc", false),
    ("aktsionerne tovarystvo", "jsc", false),
    ("ag", "jsc", true),
    ("a g", "jsc", true),
    ("aktiengesellschaft", "jsc", false),
    ("sa", "jsc", true),
    ("s a", "jsc", true),
    ("societe anonyme", "jsc", false),
    ("sociedad anonima", "jsc", false),
    ("s a de c v", "jsc", false),
    ("sa de cv", "jsc", false),
    ("sapi de cv", "jsc", false),
    ("spa", "jsc", true),
    ("s p a", "jsc", false),
    ("societa per azioni", "jsc", false),
    ("sas", "jsc", true),
    ("s a s", "jsc", false),
    ("nv", "jsc", true),
    ("n v", "jsc", true),
    ("naamloze vennootschap", "jsc", false),
    ("ab", "jsc", true),
    ("aktiebolag", "jsc", false),
    ("aktiebolaget", "jsc", false),
    ("as", "jsc", true),
    ("a s", "jsc", true),
    ("asa", "jsc", true),
    ("a o", "jsc", true),
    ("oy", "jsc", true),
    ("oyj", "jsc", false),
    ("ad", "jsc", true),
    ("ead", "jsc", true),
    ("zrt", "jsc", false),
    ("nyrt", "jsc", false),
    ("sae", "jsc", true),
    ("psc", "jsc", true),
    ("qsc", "jsc", true),
    ("bsc", "jsc", true),
    ("kpsc", "jsc", false),
    ("saog", "jsc", false),
    ("saoc", "jsc", false),
    ("sal", "jsc", true),
    ("s a l", "jsc", true),
    ("tbk", "jsc", false),
    ("anonim sirketi", "jsc", false),
    ("as anonim sirketi", "jsc", false),
    ("kabushiki kaisha", "jsc", false),
    ("kabushikigaisha", "jsc", false),
    ("kk", "jsc", true),
    ("k k", "jsc", true),
    ("jusikhoesa", "jsc", false),
    ("jusik hoesa", "jsc", false),
    ("chusik hoesa", "jsc", false),
    ("zhu shi hui she", "jsc", false),
    ("gu fen you xian gong si", "jsc", false),
    ("gufen youxian gongsi", "jsc", false),
    ("sh m a", "jsc", false),
    ("sh m l", "jsc", false),
    // Public limited companies.
    ("plc", "plc", false),
    ("p l c", "plc", false),
    ("public limited company", "plc", false),
    ("public company limited", "plc", false),
    ("public co ltd", "plc", false),
    // Corporations.
    ("inc", "inc", false),
    ("incorporated", "inc", false),
    ("corp", "inc", false),
    ("corporation", "inc", false),
    // Companies.
    ("co", "co", true),
    ("company", "co", false),
    ("cie", "co", true),
    ("et cie", "co", false),
    ("cia", "co", true),
    ("compania", "co", false),
    ("companhia", "co", false),
    ("compagnie", "co", false),
    ("kompaniya", "co", false),
    ("kompaniia", "co", false),
    ("sharikat", "co", false),
    ("sharika", "co", false),
    ("sherkat", "co", false),
    ("shirkat", "co", false),
    ("sirketi", "co", false),
    ("gong si", "co", false),
    ("gongsi", "co", false),
    // Partnerships.
    ("lp", "lp", false),
    ("l p", "lp", true),
    ("limited partnership", "lp", false),
    ("kg", "lp", true),
    ("kommanditgesellschaft", "lp", false),
    ("gmbh co kg", "lp", false),
    ("gmbh und co kg", "lp", false),
    ("gmbh and co kg", "lp", false),
    ("llp", "llp", false),
    ("l l p", "llp", false),
    ("limited liability partnership", "llp", false),
    // State and municipal unitary enterprises (Russian Civil Code, art. 113
    // and the law "On state and municipal unitary enterprises", 161-FZ):
    // ФГУП federal state unitary enterprise (FSUE), ГУП state, МУП
    // municipal, ФКП federal treasury ("federal state") enterprise.
    ("fgup", "fsue", false),
    ("fsue", "fsue", false),
    ("gup", "fsue", true),
    ("mup", "fsue", true),
    ("fkp", "fsue", true),
    ("federal state unitary enterprise", "fsue", false),
    ("state unitary enterprise", "fsue", false),
    ("municipal unitary enterprise", "fsue", false),
    ("federal state enterprise", "fsue", false),
    ("federal treasury enterprise", "fsue", false),
    ("federaln* gosudarstvenn* unitarn* predpri*", "fsue", false),
    ("gosudarstvenn* unitarn* predpri*", "fsue", false),
    ("munitsipaln* unitarn* predpri*", "fsue", false),
    ("federaln* kazenn* predpri*", "fsue", false),
    // Belarusian (Civil Code of Belarus, arts. 87 and 96): ААТ open and ЗАТ
    // closed joint-stock company, ТАА limited-liability company.
    ("aat", "pjsc", true),
    ("zat", "jsc", true),
    ("taa", "llc", true),
    ("adkryt* aktsy* tavarystv*", "pjsc", false),
    ("zakryt* aktsy* tavarystv*", "jsc", false),
    ("aktsy* tavarystv*", "jsc", false),
    ("tavarystv* z abmezhavan* adkaznas*", "llc", false),
    // UAE free-zone entities.
    ("fze", "fze", false),
    ("fzco", "fze", false),
    ("fzc", "fze", false),
    ("fz llc", "fze", false),
    ("fzllc", "fze", false),
    ("fz co", "fze", false),
    ("fze llc", "fze", false),
    ("free zone establishment", "fze", false),
    ("free zone company", "fze", false),
];

/// Ambiguous forms that are written before the name (Russian, Ukrainian,
/// Kazakh, Indonesian); the other ambiguous forms count only at the end.
const PREFIX_FORMS: &[&str] = &[
    "ao", "a o", "nao", "pat", "prat", "tov", "too", "pt", "gup", "mup", "fkp", "aat", "zat", "taa",
];

/// The canonical legal-form tokens.
pub const CANONICAL_FORMS: &[&str] = &[
    "llc", "ltd", "jsc", "pjsc", "plc", "inc", "co", "lp", "llp", "fze", "fsue",
];

struct Phrase {
    text: &'static str,
    tokens: Vec<&'static str>,
    canonical: &'static str,
    ambiguous: bool,
}

struct Table {
    /// Phrases by exact first token, longest first.
    by_first: HashMap<&'static str, Vec<Phrase>>,
    /// Phrases whose first token is a prefix pattern, longest first.
    wildcard_first: Vec<Phrase>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_first: HashMap<&'static str, Vec<Phrase>> = HashMap::new();
        let mut wildcard_first = Vec::new();
        for &(phrase, canonical, ambiguous) in FORMS {
            let tokens: Vec<&'static str> = phrase.split(' ').collect();
            let first = tokens.first().copied().unwrap_or("");
            let p = Phrase {
                text: phrase,
                tokens,
                canonical,
                ambiguous,
            };
            if first.ends_with('*') {
                wildcard_first.push(p);
            } else {
                by_first.entry(first).or_default().push(p);
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.tokens.len()));
        }
        wildcard_first.sort_by_key(|p| std::cmp::Reverse(p.tokens.len()));
        Table {
            by_first,
            wildcard_first,
        }
    })
}

/// A word stem of a legal-form phrase (`obshch*`) takes at most this many
/// letters more: the endings of the word ("obshchestvo", "aktsionernogo"),
/// not another word written onto it ("obshchestvobarnaulskii").
const MAX_STEM_ENDING: usize = 8;

fn token_matches(pattern: &str, token: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => token.starts_with(prefix) && token.len() <= prefix.len() + MAX_STEM_ENDING,
        None => pattern == token,
    }
}

fn phrase_matches(p: &Phrase, tokens: &[&str], i: usize) -> bool {
    p.tokens.len() <= tokens.len().saturating_sub(i)
        && p.tokens
            .iter()
            .zip(tokens.iter().skip(i))
            .all(|(pat, tok)| token_matches(pat, tok))
}

/// A legal form found in a token list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegalMatch {
    /// How many tokens the phrase covers.
    pub len: usize,
    /// The canonical token (`"llc"`, `"jsc"`, …).
    pub canonical: &'static str,
}

/// The longest legal-form phrase starting at `tokens[i]`. Ambiguous short
/// forms are accepted only when `allow_ambiguous` is set and the phrase is at
/// the start or end of the list (and the list has other tokens).
pub fn legal_form_at(tokens: &[&str], i: usize, allow_ambiguous: bool) -> Option<LegalMatch> {
    let first = *tokens.get(i)?;
    let t = table();
    let edge_ok = |p: &Phrase| {
        if !p.ambiguous {
            return true;
        }
        let at_end = i + p.tokens.len() == tokens.len();
        let at_start = i == 0 && PREFIX_FORMS.contains(&p.text);
        allow_ambiguous && tokens.len() > p.tokens.len() && (at_start || at_end)
    };
    let mut best: Option<&Phrase> = None;
    if let Some(list) = t.by_first.get(first) {
        best = list
            .iter()
            .find(|p| phrase_matches(p, tokens, i) && edge_ok(p));
    }
    if first.len() >= 5
        && let Some(w) = t
            .wildcard_first
            .iter()
            .find(|p| phrase_matches(p, tokens, i) && edge_ok(p))
        && best.is_none_or(|b| w.tokens.len() > b.tokens.len())
    {
        best = Some(w);
    }
    best.map(|p| LegalMatch {
        len: p.tokens.len(),
        canonical: p.canonical,
    })
}

/// Whether `token` is one of the canonical legal-form tokens.
pub fn is_canonical_legal_form(token: &str) -> bool {
    CANONICAL_FORMS.contains(&token)
}

/// Words that make up legal-form phrases ("limited liability company",
/// "joint stock company", "Gesellschaft mit beschränkter Haftung"). When the
/// text step does not recognise the whole phrase (a typo, a joined word, a
/// reordered phrase), its words still must not count as the party's name.
const LEGAL_WORDS: [&str; 40] = [
    "limited",
    "liability",
    "company",
    "companies",
    "joint",
    "stock",
    "closed",
    "open",
    "public",
    "private",
    "corporation",
    "incorporated",
    "gesellschaft",
    "beschraenkter",
    "beschrankter",
    "haftung",
    "aktiengesellschaft",
    "obshchestvo",
    "ogranichennoy",
    "ogranichennoi",
    "otvetstvennostyu",
    "aktsionernoe",
    "zakrytoe",
    "otkrytoe",
    "publichnoe",
    "sociedad",
    "anonima",
    "responsabilidad",
    "limitada",
    "societe",
    "anonyme",
    "societa",
    "responsabilita",
    "limitata",
    "partnership",
    "holding",
    "holdings",
    "enterprise",
    "trading",
    "group",
];

/// Short legal-form words, matched exactly ("Công ty TNHH", "Sdn Bhd", "d.o.o.").
const SHORT_LEGAL_WORDS: [&str; 16] = [
    "tnhh", "cong", "ty", "bhd", "sdn", "pte", "pvt", "doo", "ood", "eood", "sro", "spol", "kft",
    "zrt", "nyrt", "ltda",
];

/// The legal words indexed for [`is_legal_word`], built once.
struct WordIndex {
    short: HashSet<&'static str>,
    /// `LEGAL_WORDS` by byte length, each with its [`letter_bits`](super::letter_bits).
    by_len: Vec<Vec<(&'static str, u64)>>,
}

fn word_index() -> &'static WordIndex {
    static INDEX: OnceLock<WordIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let max_len = LEGAL_WORDS.iter().map(|w| w.len()).max().unwrap_or(0);
        let mut by_len = vec![Vec::new(); max_len + 1];
        for w in LEGAL_WORDS {
            if let Some(bucket) = by_len.get_mut(w.len()) {
                bucket.push((w, super::letter_bits(w)));
            }
        }
        WordIndex {
            short: SHORT_LEGAL_WORDS.iter().copied().collect(),
            by_len,
        }
    })
}

/// True for a word of a legal-form phrase, also misspelt by one letter or
/// two such words written together; used where the whole phrase was not
/// recognised.
pub fn is_legal_word(t: &str) -> bool {
    if word_index().short.contains(t) {
        return true;
    }
    // Two legal words written together ("limitedliability", "jointstock").
    if t.len() >= 9
        && (4..t.len().saturating_sub(3)).any(|i| {
            t.is_char_boundary(i)
                && is_single_legal_word(t.get(..i).unwrap_or(""))
                && is_single_legal_word(t.get(i..).unwrap_or(""))
        })
    {
        return true;
    }
    is_single_legal_word(t)
}

/// A legal word, or (for tokens of six bytes or more) a word within one
/// edit (optimal string alignment) of a legal word whose length differs by
/// at most one byte.
///
/// Only words of a near length are looked at, and of those only the ones
/// whose letters could be one edit apart: one edit adds at most one letter
/// that the other word lacks, and removes at most one.
fn is_single_legal_word(t: &str) -> bool {
    if t.len() < 5 {
        return false;
    }
    let idx = word_index();
    if t.len() < 6 {
        return idx
            .by_len
            .get(t.len())
            .is_some_and(|ws| ws.iter().any(|(w, _)| *w == t));
    }
    let mask = super::letter_bits(t);
    (t.len() - 1..=t.len() + 1).any(|len| {
        idx.by_len.get(len).is_some_and(|ws| {
            ws.iter().any(|&(w, wm)| {
                (mask & !wm).count_ones() <= 1
                    && (wm & !mask).count_ones() <= 1
                    && (w == t || within_one_edit(w, t))
            })
        })
    })
}

/// True when `a` and `b` are at most one edit apart in the optimal string
/// alignment sense: equal, or one letter replaced, added, removed, or two
/// neighbours swapped. Linear and without allocation for ASCII (names are
/// checked against the legal-word table for every query token).
fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        one_edit(a.as_bytes(), b.as_bytes())
    } else {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        one_edit(&a, &b)
    }
}

fn one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match a.len() as isize - b.len() as isize {
        0 if p == a.len() => true,
        0 => {
            a[p + 1..] == b[p + 1..]
                || (p + 1 < a.len()
                    && a[p] == b[p + 1]
                    && a[p + 1] == b[p]
                    && a[p + 2..] == b[p + 2..])
        }
        1 => a[p + 1..] == b[p..],
        -1 => a[p..] == b[p + 1..],
        _ => false,
    }
}

/// Legal-form words a typo is corrected to (besides [`LEGAL_WORDS`]).
const CORRECTABLE_FORMS: [&str; 1] = ["gmbh"];

/// The legal word `t` (four letters or more, not itself a legal word) is one
/// edit from (optimal string alignment; "ee" read as "i", as in "leemited"),
/// if any: "tock" → "stock", "joitn" → "joint", "gmbb" → "gmbh".
fn legal_word_one_edit_from(t: &str) -> Option<&'static str> {
    if t.len() < 4 || !t.is_ascii() {
        return None;
    }
    let sounded = t.contains("ee").then(|| t.replace("ee", "i"));
    let close = |w: &str| {
        w.len().abs_diff(t.len()) <= 2
            && (within_one_edit(w, t) || sounded.as_deref().is_some_and(|s| within_one_edit(w, s)))
    };
    if LEGAL_WORDS.contains(&t) || CORRECTABLE_FORMS.contains(&t) {
        return None;
    }
    LEGAL_WORDS
        .iter()
        .chain(CORRECTABLE_FORMS.iter())
        .find(|w| w.len() >= 4 && close(w))
        .copied()
}

/// Corrects a typo in a legal-form word where the correction completes a
/// legal-form phrase: a phrase of two words or more around it ("joint tock
/// company" → "joint stock company"), or a one-word form ending the name
/// ("Mateas Leemited"). A lone word that only looks like one is left alone.
pub fn correct_legal_typos(raw: &mut [&str]) {
    for i in 0..raw.len() {
        let Some(fix) = raw.get(i).and_then(|t| legal_word_one_edit_from(t)) else {
            continue;
        };
        let covers = |toks: &[&str], min_len: usize| {
            (i.saturating_sub(4)..=i).any(|j| {
                legal_form_at(toks, j, true).is_some_and(|m| j + m.len > i && m.len >= min_len)
            })
        };
        let at_end = i + 1 == raw.len() && i > 0;
        let original = raw[i];
        raw[i] = fix;
        let completes = covers(raw, if at_end { 1 } else { 2 });
        raw[i] = original;
        if completes && !covers(raw, 1) {
            raw[i] = fix;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_in_legal_words_are_corrected_in_a_phrase() {
        let fixed = |s: &str| {
            let mut toks: Vec<&str> = s.split(' ').collect();
            correct_legal_typos(&mut toks);
            toks.join(" ")
        };
        assert_eq!(
            fixed("rusatom joint tock company"),
            "rusatom joint stock company"
        );
        assert_eq!(fixed("jont stock company star"), "joint stock company star");
        assert_eq!(
            fixed("aman damascus joitn stock company"),
            "aman damascus joint stock company"
        );
        assert_eq!(
            fixed("leemited liability company antels"),
            "limited liability company antels"
        );
        assert_eq!(fixed("mateas leemited"), "mateas limited");
        assert_eq!(
            fixed("ascotec steel trading gmbb"),
            "ascotec steel trading gmbh"
        );
        // No phrase completed: left alone.
        assert_eq!(fixed("tock tick"), "tock tick");
        assert_eq!(fixed("join us"), "join us");
    }

    #[test]
    fn a_word_written_onto_a_legal_stem_is_not_its_ending() {
        assert_eq!(
            find("aktsionernoe obshchestvo barnaulskii", 0),
            Some((2, "jsc"))
        );
        assert_eq!(find("aktsionernoe obshchestvobarnaulskii", 0), None);
    }

    fn find(s: &str, i: usize) -> Option<(usize, &'static str)> {
        let toks: Vec<&str> = s.split(' ').collect();
        legal_form_at(&toks, i, true).map(|m| (m.len, m.canonical))
    }

    #[test]
    fn phrases() {
        assert_eq!(find("ooo romashka", 0), Some((1, "llc")));
        assert_eq!(find("romashka llc", 1), Some((1, "llc")));
        assert_eq!(find("acme limited liability company", 1), Some((3, "llc")));
        assert_eq!(
            find("obshchestvo s ogranichennoi otvetstvennostyu romashka", 0),
            Some((4, "llc"))
        );
        assert_eq!(
            find("obshchestvo s ogranichennoy otvetstvennostyu romashka", 0),
            Some((4, "llc"))
        );
        assert_eq!(
            find("zakrytoe aktsionernoe obshchestvo x", 0),
            Some((3, "jsc"))
        );
        assert_eq!(find("anglo caribbean co ltd", 2), Some((2, "ltd")));
        assert_eq!(find("banco s a", 1), Some((2, "jsc")));
        assert_eq!(find("x gmbh co kg", 1), Some((3, "lp")));
    }

    /// Every pair of words up to four letters over a small alphabet (one
    /// letter not ASCII) against the full distance.
    #[test]
    fn one_edit_agrees_with_the_distance_on_every_short_pair() {
        let mut words = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|w| ["a", "b", "é"].map(|c| format!("{w}{c}")))
                .collect();
            words.extend(last.iter().cloned());
        }
        let mut near = 0;
        for a in &words {
            for b in &words {
                let expected = strsim::osa_distance(a, b) <= 1;
                assert_eq!(within_one_edit(a, b), expected, "{a:?} {b:?}");
                near += usize::from(expected);
            }
        }
        assert!(near > 1000, "{near}");
    }

    /// `is_legal_word` as it was first written: a scan of the whole table.
    fn reference_is_legal_word(t: &str) -> bool {
        fn single(t: &str) -> bool {
            if t.len() < 5 {
                return false;
            }
            LEGAL_WORDS.iter().any(|w| {
                *w == t
                    || (t.len() >= 6
                        && w.len().abs_diff(t.len()) <= 1
                        && strsim::osa_distance(w, t) <= 1)
            })
        }
        if SHORT_LEGAL_WORDS.contains(&t) {
            return true;
        }
        if t.len() >= 9
            && (4..t.len().saturating_sub(3))
                .any(|i| t.is_char_boundary(i) && single(&t[..i]) && single(&t[i..]))
        {
            return true;
        }
        single(t)
    }

    /// Every string one edit away from `w` (deletion, insertion,
    /// substitution, adjacent transposition) over a small alphabet.
    fn one_edit(w: &str, alphabet: &[char], out: &mut Vec<String>) {
        let chars: Vec<char> = w.chars().collect();
        let n = chars.len();
        for i in 0..=n {
            for &a in alphabet {
                let mut v = chars.clone();
                v.insert(i, a);
                out.push(v.into_iter().collect());
            }
            if i < n {
                let mut v = chars.clone();
                v.remove(i);
                out.push(v.iter().collect());
                for &a in alphabet {
                    let mut v = chars.clone();
                    v[i] = a;
                    out.push(v.into_iter().collect());
                }
            }
            if i + 1 < n {
                let mut v = chars.clone();
                v.swap(i, i + 1);
                out.push(v.into_iter().collect());
            }
        }
    }

    #[test]
    fn indexed_legal_words_agree_with_the_table_scan() {
        let mut alphabet: Vec<char> = ('a'..='z').collect();
        alphabet.extend(['0', ' ', '\u{e9}', '\u{44f}', '\u{4e00}']);
        let mut inputs: Vec<String> = Vec::new();
        let words: Vec<&str> = LEGAL_WORDS
            .iter()
            .chain(&SHORT_LEGAL_WORDS)
            .copied()
            .collect();
        for w in &words {
            inputs.push(w.to_string());
            one_edit(w, &alphabet, &mut inputs);
        }
        // Two words written together, exactly and with one edit.
        for (k, a) in LEGAL_WORDS.iter().enumerate() {
            for (l, b) in LEGAL_WORDS.iter().enumerate() {
                let joined = format!("{a}{b}");
                if (k + l) % 5 == 0 {
                    one_edit(&joined, &['x', 'e'], &mut inputs);
                }
                inputs.push(joined);
            }
        }
        // Real name and organisation tokens.
        for group in super::super::canonical::GROUPS {
            inputs.extend(group.split(' ').map(str::to_string));
        }
        inputs.extend(
            super::super::common::FROM_LISTS
                .iter()
                .map(|t| t.to_string()),
        );
        inputs.extend(super::super::common::WORLD.iter().map(|t| t.to_string()));
        for t in [
            "",
            "a",
            "limite",
            "limitedd",
            "holdingsx",
            "tradingco",
            "groupe",
            "liimited",
            "societelimitee",
            "limitedliability",
            "jointstock",
            "ltdholding",
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
            "limit\u{e9}d",
            "li\u{e9}mited",
        ] {
            inputs.push(t.to_string());
        }
        assert!(inputs.len() > 50_000, "{}", inputs.len());
        let mut positives = 0;
        for t in &inputs {
            let expected = reference_is_legal_word(t);
            assert_eq!(is_legal_word(t), expected, "{t:?}");
            positives += usize::from(expected);
        }
        assert!(positives > 5_000, "{positives}");
    }

    #[test]
    fn legal_words() {
        for t in [
            "limited",
            "limted",
            "liability",
            "jointstock",
            "limitedliability",
            "holdings",
            "compnay",
            "tnhh",
            "gesellschaft",
        ] {
            assert!(is_legal_word(t), "{t}");
        }
        for t in [
            "limit", "romashka", "muhammad", "open", "opens", "stocks1x", "grou",
        ] {
            assert!(!is_legal_word(t), "{t}");
        }
    }

    #[test]
    fn russian_unitary_enterprises_and_belarusian_forms() {
        // ФГУП "Нити имени Александрова", romanised.
        assert_eq!(find("fgup niti imeni aleksandrova", 0), Some((1, "fsue")));
        assert_eq!(
            find("federal state unitary enterprise dukhov automatics", 0),
            Some((4, "fsue"))
        );
        assert_eq!(
            find("federalnoe gosudarstvennoe unitarnoe predpriyatie x", 0),
            Some((4, "fsue"))
        );
        assert_eq!(
            find("federalnoe kazennoe predpriiatie tambovskii", 0),
            Some((3, "fsue"))
        );
        assert_eq!(find("gup krymtets", 0), Some((1, "fsue")));
        // ААТ "Пеленг", ЗАТ, ТАА.
        assert_eq!(find("aat peleng", 0), Some((1, "pjsc")));
        assert_eq!(find("zat atlant telecom", 0), Some((1, "jsc")));
        assert_eq!(find("taa x", 0), Some((1, "llc")));
        // Short ones only at the front.
        assert_eq!(find("ali gup hasan", 1), None);
        assert_eq!(find("taa", 0), None);
        // A unitary enterprise conflicts with no family of forms.
        assert!(is_canonical_legal_form("fsue"));
    }

    #[test]
    fn public_joint_stock_companies_are_a_form_of_their_own() {
        assert_eq!(find("pao sberbank", 0), Some((1, "pjsc")));
        assert_eq!(find("oao gazprom", 0), Some((1, "pjsc")));
        assert_eq!(
            find("public joint stock company sberbank", 0),
            Some((4, "pjsc"))
        );
        assert_eq!(
            find("publichnoe aktsionernoe obshchestvo sberbank", 0),
            Some((3, "pjsc"))
        );
        assert_eq!(find("zao kaspersky", 0), Some((1, "jsc")));
        assert_eq!(find("joint stock company sberbank", 0), Some((3, "jsc")));
        // A kind of joint-stock company: a spelling of "jsc", not a conflict.
        assert_eq!(crate::text::canonical_token("pjsc"), "jsc");
    }

    #[test]
    fn ambiguous_forms_only_at_the_edges() {
        assert_eq!(find("nestle sa", 1), Some((1, "jsc")));
        assert_eq!(find("john sa smith", 1), None);
        assert_eq!(find("sa", 0), None);
        assert_eq!(find("as sayyid ali", 0), None);
        assert_eq!(find("ao romashka", 0), Some((1, "jsc")));
        assert_eq!(find("pt maju jaya", 0), Some((1, "ltd")));
        let toks = ["nestle", "sa"];
        assert_eq!(legal_form_at(&toks, 1, false), None);
    }
}
