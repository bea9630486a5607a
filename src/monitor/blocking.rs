//! Which (customer, listed party) pairs the monitor scores.
//!
//! A pair is scored when the keys they share weigh at least the minimum weight.
//! The keys are the index's retrieval keys ([`crate::index::query_keys`] for
//! a customer's names, [`crate::index::entity_keys`] for a listed party);
//! a key's weight depends only on the key and on the generation of the
//! lists (how many listed parties have it; for a token, whether the scorer
//! counts it as common). So the relation is the same seen from either side:
//! a forward screening (customer → listed parties through the
//! [`EntityTable`]) and a reverse screening (listed party → customers through
//! the [`CustomerIndex`]) find exactly the same pairs, which is what makes a
//! delta rescreen give the alerts of a full one. Weights are small integers,
//! so sums do not depend on the order they are added in.
//!
//! When a new generation changes the weight of a key, the pairs through that
//! key may change: [`EntityTable::changed_weights`] lists those keys, and the
//! delta rescreen screens again every listed party that has one against the
//! customers that share one with it ([`CustomerIndex::candidates_sharing`]),
//! except those whose pair passed the blocking before and still does (the
//! party unchanged, it scores as it did);
//! a token whose commonness changed also changes scores, so its parties are
//! screened against every customer and its customers against every party.

use crate::index::ScreeningIndex;
use std::collections::{HashMap, HashSet};

/// A map by [`Key`]: keys are already hashes, so one multiplication
/// spreads them ([`crate::analysis::IdHasher`]), where the default hasher
/// would hash each again.
type ByKey<V> = HashMap<Key, V, std::hash::BuildHasherDefault<crate::analysis::IdHasher>>;

/// The weights of shared keys and the least sum for a pair to be scored.
/// Part of the monitor's configuration hash: changing them means a full
/// rescreen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BlockingWeights {
    pub identifier: u16,
    pub token: u16,
    /// A token the scorer counts as common.
    pub common_token: u16,
    /// Skeleton, sound and trigram keys, by how many listed parties have
    /// them: fewer than `rare_below`, fewer than `common_from`, more (the
    /// last weight; 0 leaves them out).
    pub skeleton: [u16; 3],
    pub sound: [u16; 3],
    pub trigram: [u16; 3],
    pub rare_below: u32,
    pub common_from: u32,
    /// The least summed weight for a pair to be scored...
    pub min_weight: u32,
    /// ...raised by this much for each identifying word of the customer's
    /// shortest name beyond `free_words` ([`identifying_words`]): a long
    /// name shares a word or two with thousands of parties, and a pair
    /// scores only when most of its words met.
    pub per_extra_word: u16,
    pub free_words: u8,
}

/// The default weights: one uncommon token, an identifier, or several weaker
/// keys together (two common tokens, a common token with trigrams or with
/// its skeleton and sound when those are not frequent, a skeleton with its
/// sound…) make a pair worth scoring; a very frequent token alone does not.
/// Measured on the dev sets against every default list: 98.3 % of the
/// alerts `/v1/screen` gives on the positives are found, with about 34
/// pairs scored per ordinary customer (the negatives). The rise for long
/// names left every one of the 12,277 pairs scoring 0.82 or more among the
/// dev sets' positives (as customers) in place, and took 14 % of their
/// pairs and a third of the scoring time of the bench's customers.
pub const DEFAULT_BLOCKING: BlockingWeights = BlockingWeights {
    identifier: 100,
    token: 40,
    common_token: 20,
    skeleton: [20, 8, 0],
    sound: [15, 6, 0],
    trigram: [6, 3, 0],
    rare_below: 50,
    common_from: 800,
    min_weight: 30,
    per_extra_word: 10,
    free_words: 2,
};

impl Default for BlockingWeights {
    fn default() -> Self {
        DEFAULT_BLOCKING
    }
}

/// A key as the blocking tables hold it: 64 bits of FNV-1a of its text.
pub type Key = u64;

/// The key of a canonical token (as [`crate::index::query_keys`] writes it).
pub fn token_key(token: &str) -> Key {
    key_of(&format!("t:{token}"))
}

/// FNV-1a of a key's text: stable across runs and builds.
pub fn key_of(text: &str) -> Key {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl BlockingWeights {
    /// The weight of a key (`<kind>:<value>`) that `df` listed parties have;
    /// `common` says whether the scorer counts the token as common (tokens only).
    pub fn weight(&self, key: &str, df: u32, common: bool) -> u16 {
        self.weight_of_kind(key.as_bytes().first().copied(), df, common)
    }

    /// [`Self::weight`] of a key of this kind (its text's first byte).
    fn weight_of_kind(&self, kind: Option<u8>, df: u32, common: bool) -> u16 {
        let by_df = |w: [u16; 3]| {
            if df < self.rare_below {
                w[0]
            } else if df < self.common_from {
                w[1]
            } else {
                w[2]
            }
        };
        match kind {
            Some(b'i') => self.identifier,
            Some(b't') if common => self.common_token,
            Some(b't') => self.token,
            Some(b's') => by_df(self.skeleton),
            Some(b'p') => by_df(self.sound),
            Some(b'g') => by_df(self.trigram),
            _ => 0,
        }
    }

    /// The least weight a customer with this many identifying words must
    /// share with a listed party.
    pub fn min_weight_for(&self, words: usize) -> u32 {
        let extra =
            u32::try_from(words.saturating_sub(usize::from(self.free_words))).unwrap_or(u32::MAX);
        self.min_weight
            .saturating_add(u32::from(self.per_extra_word).saturating_mul(extra))
    }
}

/// The identifying words of a customer: in the primary spelling of each of
/// its names, the words that are not generic ("trading", "mohammed"),
/// places, kinds of organisation or legal forms; the fewest over its names.
/// Decided by the words alone (no list statistics), so that it is the same
/// in every generation of the lists.
pub fn identifying_words(names: &[crate::analysis::PreparedQuery]) -> usize {
    names
        .iter()
        .filter_map(|q| q.name.variants.first())
        .map(|v| {
            v.tokens
                .iter()
                .filter(|t| {
                    t.kind == crate::text::TokenKind::Word
                        && !t.generic
                        && !t.place
                        && !t.organisation_kind
                        && !t.canonical_legal_form
                })
                .count()
        })
        .min()
        .unwrap_or(0)
}

/// What the blocking reads of a customer: the keys of its names and how
/// many identifying words its shortest name has ([`identifying_words`]).
/// Neither depends on the generation of the lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerBlocking {
    pub keys: Vec<Key>,
    pub words: usize,
}

impl CustomerBlocking {
    /// Of a customer's names already analysed ([`super::analysed`]).
    pub fn of_prepared(prepared: &[crate::analysis::PreparedQuery]) -> CustomerBlocking {
        CustomerBlocking {
            keys: prepared_keys(prepared),
            words: identifying_words(prepared),
        }
    }
}

/// The blocking keys of a customer's names already analysed (the same
/// whether or not the lists' common tokens are marked on them: the keys do
/// not depend on which tokens the scorer counts as common).
pub fn prepared_keys(prepared: &[crate::analysis::PreparedQuery]) -> Vec<Key> {
    let mut keys = Vec::new();
    for q in prepared {
        for k in crate::index::query_keys(q) {
            keys.push(key_of(&k));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A key with what its weight depends on besides how many parties have
/// it: its kind (its text's first byte), and for a token whether the
/// scorer counts it as common.
type KeyFacts = (Key, Option<u8>, bool);

#[derive(Debug, Default)]
struct KeyEntry {
    weight: u16,
    /// Listed parties (ordinals) with this key, monitored ones only.
    parties: Vec<u32>,
}

/// The listed side of one generation: every party's keys and, per key, its
/// weight and the parties that have it. A party's ordinal here is its
/// ordinal in the generation's index ([`ScreeningIndex::entity`]).
#[derive(Debug, Default)]
pub struct EntityTable {
    weights: BlockingWeights,
    ids: Vec<String>,
    keys: Vec<Box<[Key]>>,
    monitored: Vec<bool>,
    table: ByKey<KeyEntry>,
}

thread_local! {
    /// Per-thread summing space, reused from search to search.
    static SUMS: std::cell::RefCell<(Vec<u64>, Vec<u32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// What [`accumulate`] adds up per ordinal in one 64-bit slot: the weight
/// of the shared keys now (low 32 bits), their weight in the previous
/// generation (the next 31), and a mark (the top bit). Sums of key weights
/// stay far below either field's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tally(u64);

impl Tally {
    const MARK: u64 = 1 << 63;

    /// What one posting list adds to each of its ordinals.
    fn of(now: u16, before: u16, mark: bool) -> Tally {
        let mark = if mark { Self::MARK } else { 0 };
        Tally(u64::from(now) | (u64::from(before) << 32) | mark)
    }

    /// A key of `weight`, the same in both generations, unmarked.
    fn weight(weight: u16) -> Tally {
        Tally::of(weight, weight, false)
    }

    fn now(self) -> u32 {
        self.0 as u32
    }

    fn before(self) -> u32 {
        ((self.0 & !Self::MARK) >> 32) as u32
    }

    fn marked(self) -> bool {
        self.0 & Self::MARK != 0
    }

    fn add(self, more: Tally) -> Tally {
        let sum = (self.0 & !Self::MARK) + (more.0 & !Self::MARK);
        Tally(sum | ((self.0 | more.0) & Self::MARK))
    }
}

/// Tallies every ordinal in `postings` (each list's [`Tally`]), then keeps
/// what `keep` makes of each ordinal touched and its tally, in order.
fn accumulate<'a, T: Ord>(
    postings: impl Iterator<Item = (&'a [u32], Tally)>,
    size: usize,
    keep: impl Fn(u32, Tally) -> Option<T>,
) -> Vec<T> {
    SUMS.with(|cell| {
        let mut guard = cell.borrow_mut();
        let (sums, touched) = &mut *guard;
        if sums.len() < size {
            sums.resize(size, 0);
        }
        for (ords, more) in postings {
            if more.0 == 0 {
                continue;
            }
            for &o in ords {
                let Some(slot) = sums.get_mut(o as usize) else {
                    continue;
                };
                if *slot == 0 {
                    touched.push(o);
                }
                *slot = Tally(*slot).add(more).0;
            }
        }
        let mut out: Vec<T> = touched
            .iter()
            .filter_map(|&o| keep(o, Tally(sums[o as usize])))
            .collect();
        for &o in touched.iter() {
            sums[o as usize] = 0;
        }
        touched.clear();
        out.sort_unstable();
        out
    })
}

/// The keys a reverse search goes through (a subset of a party's keys),
/// each with its weight in the previous generation when that is known.
pub type Through = HashMap<Key, Option<u16>>;

impl EntityTable {
    /// Builds the table of a generation's index; `monitored` says which
    /// parties the monitor screens customers against.
    pub fn build(
        index: &ScreeningIndex,
        weights: BlockingWeights,
        monitored: impl Fn(&crate::analysis::PreparedEntity) -> bool + Sync,
    ) -> EntityTable {
        use rayon::prelude::*;
        let parties: Vec<_> = index.entities().collect();
        let stats = index.stats();
        // Each party's keys, hashed, with their facts.
        let keyed: Vec<(String, Vec<KeyFacts>, bool)> = parties
            .par_iter()
            .map(|e| {
                let mut keys: Vec<KeyFacts> = crate::index::entity_keys(e)
                    .iter()
                    .map(|k| {
                        let common = k
                            .strip_prefix("t:")
                            .is_some_and(|token| stats.is_common(token));
                        (key_of(k), k.as_bytes().first().copied(), common)
                    })
                    .collect();
                keys.sort_unstable_by_key(|k| k.0);
                keys.dedup_by_key(|k| k.0);
                (e.id.clone(), keys, monitored(e))
            })
            .collect();
        let mut table: ByKey<KeyEntry> = ByKey::default();
        // How many parties have each key, and its facts.
        let mut df: ByKey<(u32, Option<u8>, bool)> = ByKey::default();
        for (_, keys, _) in &keyed {
            for &(k, kind, common) in keys {
                df.entry(k).or_insert((0, kind, common)).0 += 1;
            }
        }
        table.reserve(df.len());
        for (k, (n, kind, common)) in df {
            let weight = weights.weight_of_kind(kind, n, common);
            let parties = Vec::new();
            table.insert(k, KeyEntry { weight, parties });
        }
        let mut out = EntityTable {
            weights,
            ..EntityTable::default()
        };
        for (ord, (id, keys, is_monitored)) in keyed.into_iter().enumerate() {
            if is_monitored {
                for (k, _, _) in &keys {
                    if let Some(entry) = table.get_mut(k).filter(|e| e.weight > 0) {
                        entry.parties.push(ord as u32);
                    }
                }
            }
            out.ids.push(id);
            out.keys.push(keys.into_iter().map(|k| k.0).collect());
            out.monitored.push(is_monitored);
        }
        out.table = table;
        out
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The entity id of an ordinal.
    pub fn id(&self, ord: u32) -> Option<&str> {
        self.ids.get(ord as usize).map(String::as_str)
    }

    /// The ordinal of an entity id (a linear search; for tests and single look-ups).
    pub fn ord_of(&self, id: &str) -> Option<u32> {
        self.ids.iter().position(|i| i == id).map(|o| o as u32)
    }

    pub fn weights(&self) -> &BlockingWeights {
        &self.weights
    }

    pub fn is_monitored(&self, ord: u32) -> bool {
        self.monitored.get(ord as usize).copied().unwrap_or(false)
    }

    /// The weight of a key in this generation (0 for keys no party has).
    pub fn weight_of(&self, key: Key) -> u16 {
        self.table.get(&key).map_or(0, |e| e.weight)
    }

    /// The keys of one listed party, sorted.
    pub fn keys_of(&self, ord: u32) -> &[Key] {
        self.keys.get(ord as usize).map_or(&[], |k| &k[..])
    }

    /// The weighted keys of one listed party (weight above 0 only).
    pub fn weighted_keys(&self, ord: u32) -> Vec<(Key, u16)> {
        self.keys
            .get(ord as usize)
            .map(|keys| {
                keys.iter()
                    .map(|&k| (k, self.weight_of(k)))
                    .filter(|(_, w)| *w > 0)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The summed weight of the keys a customer shares with a listed party.
    pub fn pair_weight(&self, customer_keys: &[Key], ord: u32) -> u32 {
        let Some(keys) = self.keys.get(ord as usize) else {
            return 0;
        };
        customer_keys
            .iter()
            .filter(|k| keys.binary_search(k).is_ok())
            .map(|&k| u32::from(self.weight_of(k)))
            .sum()
    }

    /// A customer and listed party `ord` pass the blocking: their shared
    /// keys weigh at least the customer's minimum.
    pub fn meets(&self, customer: &CustomerBlocking, ord: u32) -> bool {
        self.pair_weight(&customer.keys, ord) >= self.weights.min_weight_for(customer.words)
    }

    /// Forward: the monitored parties with which the customer passes the
    /// blocking ([`Self::meets`]), by ordinal.
    pub fn candidates(&self, customer: &CustomerBlocking) -> Vec<u32> {
        let min = self.weights.min_weight_for(customer.words);
        let postings = customer.keys.iter().filter_map(|k| {
            self.table
                .get(k)
                .filter(|e| e.weight > 0)
                .map(|e| (e.parties.as_slice(), Tally::weight(e.weight)))
        });
        accumulate(postings, self.ids.len(), |o, sum| {
            (sum.now() >= min).then_some(o)
        })
    }

    /// The keys whose weight differs between two generations.
    pub fn changed_weights(&self, newer: &EntityTable) -> HashSet<Key> {
        let mut out = HashSet::new();
        for (k, e) in &self.table {
            if newer.weight_of(*k) != e.weight {
                out.insert(*k);
            }
        }
        for (k, e) in &newer.table {
            if !self.table.contains_key(k) && e.weight > 0 {
                out.insert(*k);
            }
        }
        out
    }

    /// Every party (ordinal) having one of `keys`.
    pub fn parties_with(&self, keys: &HashSet<Key>) -> Vec<u32> {
        (0..self.keys.len() as u32)
            .filter(|&o| self.keys[o as usize].iter().any(|k| keys.contains(k)))
            .collect()
    }
}

/// The customer side: for every key, the customers (store ordinals) whose
/// names have it, kept in step with every write. Entries are only added: a
/// customer whose names changed or who was deleted leaves stale entries,
/// which can only add candidates.
///
/// Per customer it also keeps how many identifying words it has, while its
/// entries are exactly its keys (it was indexed once). For such a customer
/// the weight a reverse search sums is the pair's
/// ([`EntityTable::pair_weight`]), so the search decides the blocking
/// itself ([`Candidate::met`]). A customer indexed again may have stale or
/// doubled entries: it is a candidate on the least weight any customer
/// needs, and its current keys decide.
#[derive(Debug, Default)]
pub struct CustomerIndex {
    postings: ByKey<Vec<u32>>,
    /// By ordinal: identifying words, [`Self::UNSURE`] or [`Self::UNSEEN`].
    words: Vec<u8>,
    max_ord: u32,
    entries: usize,
}

/// A customer found by a reverse search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub ord: u32,
    /// The pair passes the blocking: nothing is left to check. When false,
    /// the customer's current keys decide ([`EntityTable::pair_weight`]).
    pub met: bool,
}

impl CustomerIndex {
    /// Not indexed.
    const UNSEEN: u8 = u8::MAX;
    /// Indexed more than once, or with more words than a `u8` below this holds.
    const UNSURE: u8 = u8::MAX - 1;

    /// Records a customer's keys (its new ones, when it changed) and its
    /// identifying words.
    pub fn add(&mut self, ord: u32, blocking: &CustomerBlocking) {
        self.max_ord = self.max_ord.max(ord);
        for k in &blocking.keys {
            self.postings.entry(*k).or_default().push(ord);
            self.entries += 1;
        }
        let slot = ord as usize;
        if self.words.len() <= slot {
            self.words.resize(slot + 1, Self::UNSEEN);
        }
        self.words[slot] = match u8::try_from(blocking.words) {
            Ok(w) if self.words[slot] == Self::UNSEEN && w < Self::UNSURE => w,
            _ => Self::UNSURE,
        };
    }

    /// The highest ordinal indexed.
    pub fn max_ord(&self) -> u32 {
        self.max_ord
    }

    /// Entries held (stale ones included).
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Whether customer `ord` with keys weighing `sum` against a party is a
    /// candidate, and whether that is decided.
    fn judge(&self, ord: u32, sum: u32, weights: &BlockingWeights) -> Option<Candidate> {
        match self.words.get(ord as usize) {
            Some(&w) if w < Self::UNSURE => (sum >= weights.min_weight_for(usize::from(w)))
                .then_some(Candidate { ord, met: true }),
            _ => (sum >= weights.min_weight).then_some(Candidate { ord, met: false }),
        }
    }

    /// Reverse: the customers whose keys shared with a listed party (its
    /// keys and their weights) may weigh enough for the blocking, by
    /// ordinal.
    pub fn candidates(&self, weighted: &[(Key, u16)], weights: &BlockingWeights) -> Vec<Candidate> {
        let postings = weighted.iter().filter_map(|(k, w)| {
            self.postings
                .get(k)
                .map(|p| (p.as_slice(), Tally::weight(*w)))
        });
        accumulate(postings, self.max_ord as usize + 1, |o, sum| {
            self.judge(o, sum.now(), weights)
        })
    }

    /// [`CustomerIndex::candidates`] among the customers having one of the
    /// keys `through` (a subset of the party's keys, weighted now or not),
    /// in one pass over the postings, the `through` ones marking their
    /// customers.
    ///
    /// When every key of `through` tells its weight in the previous
    /// generation (the party's other keys weigh the same in both), a
    /// customer that met the blocking with the party then, and does now,
    /// is left out: an unchanged pair the lists' last version already
    /// scored, that scores the same. Only customers whose blocking is
    /// decided ([`Candidate::met`]) are left out so.
    pub fn candidates_sharing(
        &self,
        weighted: &[(Key, u16)],
        weights: &BlockingWeights,
        through: &Through,
    ) -> Vec<Candidate> {
        let weighs_now = |k: &Key| weighted.iter().any(|(w, _)| w == k);
        let unweighted = through
            .iter()
            .filter(|(k, _)| !weighs_now(k))
            .map(|(k, before)| (k, Tally::of(0, before.unwrap_or(0), true)));
        let postings = weighted
            .iter()
            .map(|(k, w)| {
                let tally = match through.get(k) {
                    Some(before) => Tally::of(*w, before.unwrap_or(*w), true),
                    None => Tally::weight(*w),
                };
                (k, tally)
            })
            .chain(unweighted)
            .filter_map(|(k, tally)| Some((self.postings.get(k)?.as_slice(), tally)));
        let knows_before = through.values().all(Option::is_some);
        accumulate(postings, self.max_ord as usize + 1, |o, sum| {
            if !sum.marked() {
                return None;
            }
            let now = self.judge(o, sum.now(), weights)?;
            let met_before = || self.judge(o, sum.before(), weights).is_some_and(|c| c.met);
            if knows_before && now.met && met_before() {
                return None;
            }
            Some(now)
        })
    }

    /// Customers having any of `keys`.
    pub fn customers_with(&self, keys: &HashSet<Key>) -> Vec<u32> {
        let mut out: Vec<u32> = keys
            .iter()
            .filter_map(|k| self.postings.get(k))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_by_kind_and_frequency() {
        let w = DEFAULT_BLOCKING;
        assert_eq!(w.weight("i:123456", 1, false), w.identifier);
        assert_eq!(w.weight("t:putin", 1, false), w.token);
        assert_eq!(w.weight("t:muhammad", 900, true), w.common_token);
        assert_eq!(w.weight("g:abc", 10, false), w.trigram[0]);
        assert_eq!(w.weight("g:abc", 5000, false), 0);
        // A very frequent token (its skeleton and sound frequent too) is not enough alone.
        assert!(u32::from(w.common_token + w.skeleton[2] + w.sound[2]) < w.min_weight);
        assert!(u32::from(2 * w.common_token) >= w.min_weight);
        assert_ne!(key_of("t:a"), key_of("s:a"));
    }

    #[test]
    fn sums_are_checked_against_the_minimum() {
        let a: Vec<u32> = vec![1, 2, 3];
        let b: Vec<u32> = vec![2, 3];
        let got = accumulate(
            [
                (a.as_slice(), Tally::weight(20)),
                (b.as_slice(), Tally::weight(20)),
            ]
            .into_iter(),
            4,
            |o, s| (s.now() >= 40).then_some(o),
        );
        assert_eq!(got, vec![2, 3]);
        // The space is left clean for the next search.
        let got = accumulate(
            [(a.as_slice(), Tally::weight(40))].into_iter(),
            4,
            |o, s| (s.now() >= 40).then_some(o),
        );
        assert_eq!(got, vec![1, 2, 3]);
        // The weights before and the marks are kept apart from the sums
        // now; a list that weighs nothing now may mark, or weigh before.
        let got = accumulate(
            [
                (a.as_slice(), Tally::of(20, 30, false)),
                (b.as_slice(), Tally::of(0, 5, true)),
            ]
            .into_iter(),
            4,
            |o, s| Some((o, s.now(), s.before(), s.marked())),
        );
        assert_eq!(
            got,
            vec![(1, 20, 30, false), (2, 20, 35, true), (3, 20, 35, true)]
        );
    }

    fn analysed(names: &[&str]) -> Vec<crate::analysis::PreparedQuery> {
        names
            .iter()
            .filter_map(|n| {
                let q = crate::matching::Query {
                    name: n.to_string(),
                    ..crate::matching::Query::default()
                };
                crate::matching::prepare_query(&q).ok().map(|p| p.query)
            })
            .collect()
    }

    #[test]
    fn a_long_name_must_share_more() {
        assert_eq!(identifying_words(&analysed(&["Ostap Kovalenko"])), 2);
        // Generic words and legal forms identify nobody.
        assert_eq!(identifying_words(&analysed(&["Mohammed Trading LLC"])), 0);
        // The shortest of a customer's names decides.
        let long = "Ostap Bexandor Quilmet Oradsky Kovalenko";
        assert_eq!(identifying_words(&analysed(&[long])), 5);
        assert_eq!(identifying_words(&analysed(&[long, "Ostap Kovalenko"])), 2);
        let w = DEFAULT_BLOCKING;
        assert_eq!(w.min_weight_for(0), w.min_weight);
        assert_eq!(w.min_weight_for(2), w.min_weight);
        assert_eq!(
            w.min_weight_for(5),
            w.min_weight + 3 * u32::from(w.per_extra_word)
        );
        // One uncommon token is no longer enough for a five-word name.
        assert!(w.min_weight_for(5) > u32::from(w.token));
    }

    fn blocking(keys: &[Key], words: usize) -> CustomerBlocking {
        CustomerBlocking {
            keys: keys.to_vec(),
            words,
        }
    }

    fn ords(found: &[Candidate]) -> Vec<u32> {
        found.iter().map(|c| c.ord).collect()
    }

    #[test]
    fn candidates_sharing_a_key_are_the_candidates_with_that_key() {
        let mut index = CustomerIndex::default();
        let (putin, vladimir, grm) = (key_of("t:putin"), key_of("t:vladimir"), key_of("g:tin"));
        index.add(1, &blocking(&[putin, vladimir, grm], 2));
        index.add(2, &blocking(&[putin, vladimir], 2));
        index.add(3, &blocking(&[putin, grm], 2));
        index.add(4, &blocking(&[grm], 2));
        let party = [(putin, 40), (vladimir, 20), (grm, 6)];
        let w = DEFAULT_BLOCKING;
        assert_eq!(ords(&index.candidates(&party, &w)), vec![1, 2, 3]);
        let unknown = |keys: &[Key]| -> Through { keys.iter().map(|&k| (k, None)).collect() };
        // Customer 4 shares the key but not enough weight; 2 does not share it.
        assert_eq!(
            ords(&index.candidates_sharing(&party, &w, &unknown(&[grm]))),
            vec![1, 3]
        );
        assert!(
            index
                .candidates_sharing(&party, &w, &Through::new())
                .is_empty()
        );
        // A shared key that weighs nothing now (its weight changed to 0)
        // still selects its customers; the party's other keys weigh them.
        let gone = key_of("g:zzz");
        index.add(5, &blocking(&[putin, gone], 2));
        index.add(6, &blocking(&[gone], 2));
        assert_eq!(
            ords(&index.candidates_sharing(&party, &w, &unknown(&[gone]))),
            vec![5]
        );
        assert_eq!(
            ords(&index.candidates_sharing(&party, &w, &unknown(&[gone, grm]))),
            vec![1, 3, 5]
        );
    }

    #[test]
    fn pairs_that_met_before_and_still_meet_are_left_out() {
        let w = DEFAULT_BLOCKING;
        let (putin, skeleton, sound) = (key_of("t:putin"), key_of("s:ptn"), key_of("p:PTN"));
        // The skeleton became frequent (20 → 8); the sound is new (0 → 15).
        let party = [(putin, 40), (skeleton, 8), (sound, 15)];
        let through: Through = [(skeleton, Some(20)), (sound, Some(0))].into();
        let mut index = CustomerIndex::default();
        // 48 now, 60 before, against 30: met both times.
        index.add(1, &blocking(&[putin, skeleton], 2));
        // 55 now, 40 before, against 50 (four words): meets only now.
        index.add(2, &blocking(&[putin, sound], 4));
        // 48 now, 60 before, against 60 (five words): met only before;
        // its alert, if any, is the party's to rescore.
        index.add(3, &blocking(&[putin, skeleton], 5));
        // Indexed twice: undecided, so never left out.
        index.add(4, &blocking(&[putin, skeleton], 2));
        index.add(4, &blocking(&[putin, skeleton], 2));
        assert_eq!(
            index.candidates_sharing(&party, &w, &through),
            vec![
                Candidate { ord: 2, met: true },
                Candidate { ord: 4, met: false }
            ]
        );
        // A weight before not known: nothing is left out.
        let unknown: Through = [(skeleton, Some(20)), (sound, None)].into();
        assert_eq!(
            ords(&index.candidates_sharing(&party, &w, &unknown)),
            vec![1, 2, 4]
        );
    }

    #[test]
    fn a_customer_indexed_once_is_judged_on_its_own_minimum() {
        let w = DEFAULT_BLOCKING;
        let (putin, vladimir) = (key_of("t:putin"), key_of("t:vladimir"));
        let party = [(putin, 40)];
        let mut index = CustomerIndex::default();
        // Two words: one uncommon token is enough, and the search says so.
        index.add(1, &blocking(&[putin, vladimir], 2));
        // Five words: the same token is not (40 < min_weight_for(5)).
        index.add(2, &blocking(&[putin, vladimir], 5));
        assert!(u32::from(party[0].1) < w.min_weight_for(5));
        assert_eq!(
            index.candidates(&party, &w),
            vec![Candidate { ord: 1, met: true }]
        );
        // Indexed again (its names changed): the entries may be stale or
        // doubled, so the least minimum lets it through, undecided.
        index.add(2, &blocking(&[putin], 5));
        assert_eq!(
            index.candidates(&party, &w),
            vec![
                Candidate { ord: 1, met: true },
                Candidate { ord: 2, met: false }
            ]
        );
        // Its doubled entry sums to 60, its own minimum for five words:
        // still not taken as the pair's weight.
        let doubled = [(putin, 30)];
        assert_eq!(w.min_weight_for(5), 60);
        assert_eq!(
            index.candidates(&doubled, &w),
            vec![
                Candidate { ord: 1, met: true },
                Candidate { ord: 2, met: false }
            ]
        );
        // More words than the index counts: undecided from the start.
        index.add(3, &blocking(&[putin], 300));
        assert!(
            index
                .candidates(&party, &w)
                .contains(&Candidate { ord: 3, met: false })
        );
    }
}
