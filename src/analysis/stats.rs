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

    /// The tokens common by one of two statistics and not by the other
    /// (a token neither lists uses is common by both or by neither).
    pub fn commonness_changes<'a>(&'a self, newer: &'a TokenStats) -> Vec<&'a str> {
        let mut out: Vec<&str> = self
            .doc_freq
            .keys()
            .chain(newer.doc_freq.keys())
            .map(String::as_str)
            .filter(|t| self.is_common(t) != newer.is_common(t))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(freq: &[(&str, u32)]) -> TokenStats {
        TokenStats {
            doc_freq: freq.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
            common_from: COMMON_TOKEN_MIN_PARTIES,
        }
    }

    #[test]
    fn only_tokens_crossing_the_common_line_change_commonness() {
        let from = COMMON_TOKEN_MIN_PARTIES;
        let old = stats(&[("zarkhuvt", from - 1), ("qelmorin", from), ("gone", 3)]);
        let new = stats(&[("zarkhuvt", from), ("qelmorin", from - 1), ("novel", 2)]);
        assert_eq!(old.commonness_changes(&new), vec!["qelmorin", "zarkhuvt"]);
        // A new token used by enough parties at once is common from the start.
        let burst = stats(&[("zarkhuvt", from - 1), ("qelmorin", from), ("novel", from)]);
        assert_eq!(old.commonness_changes(&burst), vec!["novel"]);
        // A word common whatever the lists (the built-in list) never changes.
        let generic = stats(&[("zarkhuvt", from - 1), ("qelmorin", from), ("mohammed", 1)]);
        assert!(old.commonness_changes(&generic).is_empty());
    }
}
