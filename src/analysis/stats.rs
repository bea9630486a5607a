//! How often each token occurs among the loaded lists: a token that many
//! parties share ("mohammed", "trading") says little about which party a
//! name means, so the matcher weighs it less.

use super::name::PreparedName;
use super::party::PreparedEntity;
use crate::text::TokenKind;
use std::collections::HashMap;

/// A token used by at least one party in this many is common...
pub const COMMON_TOKEN_PARTIES_PER_USE: u32 = 1000;
/// ...and so is one used by at least this many parties, however large the lists.
pub const COMMON_TOKEN_MIN_PARTIES: u32 = 40;

/// How often tokens occur among the listed names; rare tokens weigh more.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct TokenStats {
    doc_freq: HashMap<String, u32>,
    common_from: u32,
}

impl TokenStats {
    /// Counts, per canonical token, the number of entities using it.
    pub fn from_entities<'a>(entities: impl Iterator<Item = &'a PreparedEntity>) -> TokenStats {
        let mut doc_freq: HashMap<String, u32> = HashMap::new();
        let mut n = 0u32;
        for e in entities {
            n += 1;
            let mut seen: Vec<&str> = Vec::new();
            for (_, name) in &e.names {
                for v in &name.variants {
                    for t in &v.tokens {
                        if t.kind == TokenKind::Word && !seen.contains(&t.text.as_str()) {
                            seen.push(&t.text);
                        }
                    }
                }
            }
            for t in seen {
                *doc_freq.entry(t.to_string()).or_default() += 1;
            }
        }
        TokenStats {
            doc_freq,
            common_from: (n / COMMON_TOKEN_PARTIES_PER_USE).max(COMMON_TOKEN_MIN_PARTIES),
        }
    }

    /// True for tokens too frequent to identify a party on their own.
    pub fn is_common(&self, token: &str) -> bool {
        crate::text::is_common_token(token)
            || self
                .doc_freq
                .get(token)
                .is_some_and(|&df| df >= self.common_from)
    }

    /// Marks the tokens of a name that are common among the loaded lists
    /// (done once per name, so scoring needs no lookups).
    pub fn mark_common(&self, name: &mut PreparedName) {
        for v in &mut name.variants {
            for t in &mut v.tokens {
                t.common = t.common || self.is_common(&t.text);
            }
        }
    }
}
