//! Tables built once per index generation for payment screening: listed
//! BICs by their first eight characters, listed IMO numbers, and the listed
//! names as phrases of token keys for scanning free text. Built on first use
//! for an index and shared until that index is dropped.

use crate::analysis::{PreparedToken, is_distinctive};
use crate::index::ScreeningIndex;
use crate::model::{Schema, prop};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, Weak};

/// A listed BIC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedBic {
    /// The party's ordinal in the index.
    pub ord: u32,
    /// The BIC as listed (normalised: upper case, no spaces).
    pub bic: String,
}

/// A listed name of two or more distinctive tokens, after its first two.
#[derive(Debug, Clone)]
pub struct Phrase {
    pub ord: u32,
    /// Keys of the tokens after the first two.
    pub rest: Box<[u64]>,
}

/// A listed name of one distinctive token.
#[derive(Debug, Clone, Copy)]
pub struct Single {
    pub ord: u32,
    /// A vessel's or aircraft's name: counts only after a vessel word
    /// ("MV", "M/T", "VESSEL").
    pub vessel: bool,
}

/// The lookup tables of one index.
#[derive(Debug, Default)]
pub struct Lookups {
    pub bics: HashMap<String, Vec<ListedBic>>,
    pub imos: HashMap<String, Vec<u32>>,
    /// Names of two or more words by the keys of their first two.
    pub pairs: HashMap<(u64, u64), Vec<Phrase>>,
    /// One-word names by [`exact_key`].
    pub singles: HashMap<u64, Vec<Single>>,
}

fn hasher() -> std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher> {
    std::hash::BuildHasherDefault::default()
}

/// The key two tokens share when they may be the same name part: the
/// phonetic key of the canonical token, or the token itself when it has
/// none (numbers, one letter).
pub fn token_key(canonical: &str, phonetic: &str) -> u64 {
    if phonetic.is_empty() {
        hasher().hash_one(("t", canonical))
    } else {
        hasher().hash_one(("p", phonetic))
    }
}

/// The key of a token as written (canonical form): one-word names are
/// looked up by it, since one word alone gives no context to trust a
/// phonetic likeness.
pub fn exact_key(canonical: &str) -> u64 {
    hasher().hash_one(("t", canonical))
}

fn key_of(t: &PreparedToken) -> u64 {
    token_key(&t.text, &t.phon)
}

/// Shortest single-token organisation name looked for in free text.
const MIN_SINGLE_NAME_CHARS: usize = 5;

impl Lookups {
    /// Adds a listed record's BICs and IMO numbers.
    fn add_identifiers(&mut self, ord: u32, record: &crate::model::Entity) {
        for b in record.get(prop::SWIFT_BIC) {
            // Compact, not normal form: a BIC11 keeps its branch (looked up by BIC8).
            let bic = crate::analysis::compact_identifier(b);
            if (bic.len() == 8 || bic.len() == 11)
                && let Some(bic8) = bic.get(..8)
            {
                self.bics
                    .entry(bic8.to_string())
                    .or_default()
                    .push(ListedBic {
                        ord,
                        bic: bic.clone(),
                    });
            }
        }
        for imo in record.get(prop::IMO_NUMBER) {
            let digits = crate::analysis::normalize_identifier(imo);
            if digits.len() == 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
                self.imos.entry(digits).or_default().push(ord);
            }
        }
    }

    /// Builds the tables from every party of the index.
    pub fn build(index: &ScreeningIndex) -> Lookups {
        let mut out = Lookups::default();
        let mut seen: HashSet<(u32, Vec<u64>)> = HashSet::new();
        for (ord, (e, record)) in index.entities().zip(index.records()).enumerate() {
            let ord = ord as u32;
            // Read back from the index's document store: a failure is a
            // store damaged on disk, which loading the index does not read.
            match record {
                Ok(record) => out.add_identifiers(ord, &record),
                Err(err) => {
                    tracing::error!(party = %e.id, error = %err, "listed record unreadable: its BICs and IMO numbers are not looked up in payment text");
                }
            }
            let vessel = matches!(e.schema, Schema::Vessel | Schema::Airplane);
            let person = e.schema == Schema::Person;
            for (_, name) in &e.names {
                for v in &name.variants {
                    let tokens: Vec<&PreparedToken> =
                        v.tokens.iter().filter(|t| is_distinctive(t.kind)).collect();
                    let keys: Vec<u64> = tokens.iter().map(|t| key_of(t)).collect();
                    if !seen.insert((ord, keys.clone())) {
                        continue;
                    }
                    match (tokens.as_slice(), keys.as_slice()) {
                        ([t], [_]) => {
                            // Only a name that is this one word (with at
                            // most a legal form, "ROSNEFT OAO"): in "DUBAI
                            // TRADING COMPANY" the word alone names a city.
                            let alone = v.tokens.iter().all(|x| {
                                std::ptr::eq(x, *t)
                                    || x.canonical_legal_form
                                    || !is_distinctive(x.kind)
                                        && x.kind != crate::text::TokenKind::LegalForm
                            });
                            let org_name = alone
                                && !person
                                && !t.common
                                && (t.chars as usize) >= MIN_SINGLE_NAME_CHARS
                                && t.kind == crate::text::TokenKind::Word;
                            if (vessel && alone) || org_name {
                                out.singles
                                    .entry(exact_key(&t.text))
                                    .or_default()
                                    .push(Single { ord, vessel });
                            }
                        }
                        (_, [a, b, rest @ ..]) => {
                            // Two common words name nobody ("bank
                            // international"); three or more may
                            // ("Syria International Islamic Bank").
                            if rest.is_empty() && tokens.iter().all(|t| t.common) {
                                continue;
                            }
                            out.pairs.entry((*a, *b)).or_default().push(Phrase {
                                ord,
                                rest: rest.into(),
                            });
                        }
                        _ => {}
                    }
                }
            }
        }
        out
    }

    /// The tables of an index, built on first use and shared while the index lives.
    pub fn of(index: &Arc<ScreeningIndex>) -> Arc<Lookups> {
        type Cache = Mutex<Vec<(Weak<ScreeningIndex>, Arc<Lookups>)>>;
        static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        // A panic while building leaves the cache as it was: use it anyway.
        let mut entries = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.retain(|(w, _)| w.strong_count() > 0);
        if let Some((_, l)) = entries
            .iter()
            .find(|(w, _)| w.upgrade().is_some_and(|i| Arc::ptr_eq(&i, index)))
        {
            return Arc::clone(l);
        }
        let built = Arc::new(Lookups::build(index));
        entries.push((Arc::downgrade(index), Arc::clone(&built)));
        built
    }
}
