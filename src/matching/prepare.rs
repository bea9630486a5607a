//! Names made ready for comparison: analysed once (at index time for listed
//! names, once per query for the query), with every token's comparison keys
//! computed up front so scoring does no text work.

use crate::text::{self, Script, TokenKind};

/// At most this many Latin variants of one name take part in scoring.
pub const MAX_VARIANTS: usize = 8;
/// At most this many tokens of one name variant take part in scoring.
pub const MAX_TOKENS: usize = 24;

/// One token with its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedToken {
    /// The token as folded and romanised ("mohamed").
    pub raw: String,
    /// The canonical form of frequent transliteration variants ("muhammad").
    pub text: String,
    pub kind: TokenKind,
    /// Phonetic key (empty for very short tokens).
    pub phon: String,
    /// Vowel-tolerant consonant skeleton.
    pub skel: String,
    /// Romanised from a script that does not write short vowels (Arabic,
    /// Hebrew): compare on the skeleton.
    pub abjad: bool,
}

/// One Latin rendering of a name.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedVariant {
    pub tokens: Vec<PreparedToken>,
    /// The distinctive tokens (no honorifics, particles, legal forms) joined
    /// without spaces: catches joined and split words ("alqaida", "al qaida").
    pub joined: String,
}

/// A name with all its variants.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedName {
    pub original: String,
    pub script: Script,
    pub variants: Vec<PreparedVariant>,
}

impl PreparedName {
    pub fn new(name: &str, is_org: Option<bool>) -> PreparedName {
        let analyzed = text::analyze_name(name, is_org);
        let abjad = matches!(analyzed.script, Script::Arabic | Script::Hebrew);
        let mut variants: Vec<PreparedVariant> = Vec::new();
        for tokens in analyzed.variants.iter().take(MAX_VARIANTS) {
            let mut seen: Vec<&str> = Vec::new();
            let tokens: Vec<PreparedToken> = tokens
                .iter()
                .filter(|t| !t.text.is_empty())
                // A repeated word ("Sergey Sergey Shoigu") counts once.
                .filter(|t| {
                    if seen.contains(&t.text.as_str()) {
                        false
                    } else {
                        seen.push(&t.text);
                        true
                    }
                })
                .take(MAX_TOKENS)
                .map(|t| {
                    let canonical = text::canonical_token(&t.text).into_owned();
                    PreparedToken {
                        phon: text::phonetic_key(&canonical),
                        skel: text::skeleton(&canonical),
                        raw: t.text.clone(),
                        text: canonical,
                        kind: t.kind,
                        abjad,
                    }
                })
                .collect();
            if tokens.is_empty() {
                continue;
            }
            let joined = tokens
                .iter()
                .filter(|t| is_distinctive(t.kind))
                .map(|t| t.raw.as_str())
                .collect::<String>();
            let v = PreparedVariant { tokens, joined };
            if !variants.contains(&v) {
                variants.push(v);
            }
        }
        PreparedName {
            original: name.to_string(),
            script: analyzed.script,
            variants,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.variants.is_empty()
    }
}

/// Tokens that identify a party (as opposed to particles, titles and legal forms).
pub fn is_distinctive(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Word | TokenKind::Initial | TokenKind::Number
    )
}
