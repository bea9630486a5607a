//! Text analysis (temporary minimal version; the full module lands from the text branch).
#![allow(dead_code)]

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script { Latin, Cyrillic, Greek, Arabic, Hebrew, Han, Hiragana, Katakana, Hangul, Georgian, Armenian, Devanagari, Bengali, Thai, Other, Common }

pub fn detect_script(s: &str) -> Script {
    for c in s.chars() {
        if c.is_alphabetic() {
            return if c.is_ascii() { Script::Latin } else { Script::Other };
        }
    }
    Script::Common
}

pub fn fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) { continue; }
        if c == '\'' || c == '\u{2019}' { continue; }
        if c.is_alphanumeric() { out.extend(c.to_lowercase()); } else { out.push(' '); }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn to_latin(s: &str) -> Vec<String> {
    let f = fold(s);
    let l = fold(&any_ascii::any_ascii(&f));
    vec![l]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind { Word, Particle, Honorific, LegalForm, Initial, Number }

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameToken { pub text: String, pub kind: TokenKind }

#[derive(Debug, Clone)]
pub struct AnalyzedName { pub original: String, pub script: Script, pub variants: Vec<Vec<NameToken>> }

const PARTICLES: &[&str] = &["al", "el", "bin", "ibn", "bint", "abu", "van", "von", "de", "der", "da", "di", "du", "la", "le", "ul"];
const HONORIFICS: &[&str] = &["mr", "mrs", "ms", "dr", "sheikh", "shaykh", "haji", "hajji", "mullah", "general", "colonel", "prof", "sir"];
const LEGAL: &[&str] = &["llc", "ltd", "limited", "inc", "corp", "co", "gmbh", "ag", "sa", "jsc", "ooo", "zao", "oao", "pjsc", "plc", "company", "corporation"];

pub fn analyze_name(name: &str, _is_org_hint: Option<bool>) -> AnalyzedName {
    let variants = to_latin(name).into_iter().map(|v| {
        v.split(' ').filter(|t| !t.is_empty()).take(32).map(|t| {
            let kind = if PARTICLES.contains(&t) { TokenKind::Particle }
                else if HONORIFICS.contains(&t) { TokenKind::Honorific }
                else if LEGAL.contains(&t) { TokenKind::LegalForm }
                else if t.chars().all(|c| c.is_ascii_digit()) { TokenKind::Number }
                else if t.chars().count() == 1 { TokenKind::Initial }
                else { TokenKind::Word };
            NameToken { text: t.to_string(), kind }
        }).collect()
    }).collect();
    AnalyzedName { original: name.to_string(), script: detect_script(name), variants }
}

pub fn canonical_token(t: &str) -> Cow<'_, str> {
    match t {
        "mohammed" | "mohamed" | "mohammad" | "muhammed" | "mohamad" => Cow::Borrowed("muhammad"),
        _ => Cow::Borrowed(t),
    }
}

pub fn phonetic_key(token: &str) -> String {
    if token.len() < 2 { return String::new(); }
    skeleton(token)
}

pub fn skeleton(token: &str) -> String {
    let mut out = String::new();
    for c in token.chars() {
        if "aeiouyw".contains(c) { continue; }
        if out.ends_with(c) { continue; }
        out.push(c);
    }
    out
}

pub fn is_common_token(t: &str) -> bool {
    matches!(t, "muhammad" | "ali" | "abd" | "trading" | "bank" | "company" | "international" | "group" | "general")
}
