//! Text analysis: Unicode normalisation, script detection, transliteration
//! with variants, tokenising, honorifics and legal forms, phonetic keys.
//!
//! The entry point for names is [`analyze_name`]: it folds the name
//! ([`fold`]), romanises it into up to eight consistent Latin spellings
//! ([`to_latin`]) and splits each into classified tokens ([`NameToken`]).
//! The index and the matcher compare tokens through [`canonical_token`]
//! (spelling variants of frequent names), [`phonetic_key`] (Double
//! Metaphone), [`skeleton`] (vowel-free key for Arabic and Hebrew
//! romanisations) and weigh them with [`is_common_token`].
//!
//! Everything here is pure, allocation-light and panic-free on any input;
//! tables are built once (`OnceLock`) on first use.

mod canonical;
mod common;
mod disguise;
mod legal;
mod normalize;
mod phonetic;
mod script;
mod tokens;
mod translit;

pub use canonical::{
    canonical_joined, canonical_token, is_latin_abbreviation, table_size as canonical_table_size,
};
pub use common::{common_token_count, is_common_token, is_organisation_kind};
pub use legal::{
    CANONICAL_FORMS as LEGAL_FORMS, LegalMatch, is_canonical_legal_form, is_legal_word,
    legal_form_at,
};
pub use normalize::fold;
pub use phonetic::{arabic_skeleton, letter_bits, phonetic_key, skeleton};
pub use script::{Script, char_script, detect_script};
pub use tokens::{
    MAX_TOKEN_LEN, MAX_TOKENS, NameToken, Particles, TokenKind, is_honorific, is_particle,
    tokenize, tokenize_with,
};
pub use translit::{MAX_VARIANTS, to_latin};

use serde::{Deserialize, Serialize};

/// The most characters of a name that are analysed; the rest is ignored.
pub const MAX_NAME_CHARS: usize = 1024;

/// A name, romanised and tokenised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzedName {
    /// The name as given (cut to [`MAX_NAME_CHARS`] characters).
    pub original: String,
    /// The dominant script of its letters.
    pub script: Script,
    /// One token list per Latin variant, the primary romanisation first;
    /// tokens in source order. Never empty; a name without letters or
    /// digits has one empty token list.
    pub variants: Vec<Vec<NameToken>>,
}

impl AnalyzedName {
    /// The primary variant's tokens.
    pub fn primary(&self) -> &[NameToken] {
        self.variants.first().map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Analyses a name: fold, romanise into at most [`MAX_VARIANTS`] variants,
/// tokenise each into at most [`MAX_TOKENS`] classified tokens.
/// `is_org_hint`: `Some(true)` for organisations, vessels and the like (no
/// titles are looked for; short ambiguous legal forms are), `Some(false)` for
/// persons (short ambiguous legal forms are not looked for), `None` when
/// unknown (a legal form found makes it an organisation). "SURNAME, Given"
/// order is kept as written: the matcher does not depend on token order.
pub fn analyze_name(name: &str, is_org_hint: Option<bool>) -> AnalyzedName {
    let original: &str = match name.char_indices().nth(MAX_NAME_CHARS) {
        Some((idx, _)) => name.get(..idx).unwrap_or(name),
        None => name,
    };
    let original = tokens::without_vietnamese_address(original);
    let mut variants: Vec<Vec<NameToken>> = Vec::with_capacity(1);
    let script = detect_script(original);
    let particles = Particles::of_script(script);
    // A part in brackets is often a qualifier or an acronym ("Deutsche Bank
    // (Schweiz) AG", "Bank Melli Iran (BMI)"): the name without it is one
    // more spelling, after the spellings of the whole name.
    let unbracketed = without_brackets(original);
    // Names joined by a slash are alternatives ("Al-Qa'ida/Islamic Army",
    // Canada's "English name/French name").
    let alternatives = slash_alternatives(original);
    // A name disguised from screeners (reversed behind a right-to-left
    // override, letters written apart or dotted, words run together) is
    // also read the way a person sees it.
    let undisguised = disguise::readings(original);
    let spellings = to_latin(original).into_iter().chain(
        undisguised
            .iter()
            .chain(unbracketed.iter())
            .chain(alternatives.iter())
            .flat_map(|u| to_latin(u)),
    );
    for v in spellings {
        let toks = tokenize_with(&v, is_org_hint, particles);
        if !toks.is_empty() && !variants.contains(&toks) {
            variants.push(toks);
        }
        if variants.len() >= MAX_VARIANTS {
            break;
        }
    }
    if variants.is_empty() {
        variants.push(Vec::new());
    }
    AnalyzedName {
        original: original.to_string(),
        script,
        variants,
    }
}

/// The name with its bracketed parts removed, when it has any and something
/// is left.
fn without_brackets(name: &str) -> Option<String> {
    if !name.contains(['(', '[']) {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut depth = 0u32;
    for c in name.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!out.is_empty() && out.chars().any(char::is_alphanumeric)).then_some(out)
}

/// The parts of a name separated by slashes, when there are several and
/// each has at least three letters ("A/S" is not split).
fn slash_alternatives(name: &str) -> Vec<String> {
    if !name.contains('/') {
        return Vec::new();
    }
    let parts: Vec<&str> = name.split('/').map(str::trim).collect();
    let letters = |p: &str| p.chars().filter(|c| c.is_alphabetic()).count();
    if parts.len() < 2 || parts.iter().any(|p| letters(p) < 3) {
        return Vec::new();
    }
    parts.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests;
