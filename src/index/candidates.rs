//! Candidate retrieval over the tantivy index: every query key's posting
//! list is read straight from tantivy and its BM25 weight added into a
//! per-thread accumulator (term at a time), then the best parties of the
//! wanted lists are picked. With a few dozen keys over tens of thousands of
//! parties this touches each posting once and filters lists exactly, where
//! tantivy's document-at-a-time top-k search spent most of its time
//! re-sorting the keys' cursors and could not prune under a list filter.

use std::cell::RefCell;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED, Term};

/// BM25 constants (tantivy's defaults).
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Per-party length normalisation of one key field: the BM25 term-frequency
/// factor for a key that occurs once (every key occurs once per party).
#[derive(Debug, Default)]
pub struct FieldNorms {
    factor: Vec<f32>,
}

impl FieldNorms {
    /// From the number of keys each party has in the field.
    pub fn from_counts(counts: &[u32]) -> FieldNorms {
        let n = counts.len().max(1) as f32;
        let avg = (counts.iter().map(|&c| c as f32).sum::<f32>() / n).max(1.0);
        FieldNorms {
            factor: counts
                .iter()
                .map(|&c| (K1 + 1.0) / (1.0 + K1 * (1.0 - B + B * c as f32 / avg)))
                .collect(),
        }
    }

    /// Every party weighs a key the same (identifiers).
    pub fn flat() -> FieldNorms {
        FieldNorms::default()
    }

    fn get(&self, ord: u32) -> f32 {
        self.factor.get(ord as usize).copied().unwrap_or(1.0)
    }
}

/// One key to look up: field, value, boost and the field's norms.
pub struct Key<'a> {
    pub field: Field,
    pub value: &'a str,
    pub boost: f32,
    pub norms: &'a FieldNorms,
    /// Skipped when more than this share of all parties has it: such a key
    /// (a frequent trigram or sound) adds little to the ranking and most of
    /// the reading.
    pub max_share: f32,
}

/// Scores per party for one search, reused by the thread's next search.
#[derive(Default)]
struct Accumulator {
    score: Vec<f32>,
    touched: Vec<u32>,
}

thread_local! {
    static ACCUMULATOR: RefCell<Accumulator> = RefCell::new(Accumulator::default());
}

/// The `limit` parties with the highest summed key weights among those
/// `keep` accepts, best first (equal scores: lower ordinal first).
/// `doc_ords[segment][doc]` maps tantivy documents to party ordinals.
pub fn top_parties(
    searcher: &Searcher,
    doc_ords: &[Vec<u32>],
    parties: usize,
    keys: &[Key<'_>],
    limit: usize,
    keep: impl Fn(u32) -> bool,
) -> tantivy::Result<Vec<u32>> {
    ACCUMULATOR.with(|cell| {
        let mut fresh = Accumulator::default();
        let mut guard = cell.try_borrow_mut();
        let acc = match guard.as_mut() {
            Ok(acc) => &mut **acc,
            Err(_) => &mut fresh,
        };
        if acc.score.len() < parties {
            acc.score.resize(parties, 0.0);
        }
        let result = accumulate(searcher, doc_ords, parties, keys, acc).map(|()| {
            let scored = acc
                .touched
                .iter()
                .filter(|&&ord| keep(ord))
                .map(|&ord| Ranked(acc.score[ord as usize], ord));
            let mut best: Vec<Ranked> = if limit == 0 {
                scored.collect()
            } else {
                best_of(scored, limit)
            };
            best.sort_unstable();
            best.into_iter().map(|Ranked(_, ord)| ord).collect()
        });
        // Leave the accumulator zeroed for the next search.
        for &ord in &acc.touched {
            acc.score[ord as usize] = 0.0;
        }
        acc.touched.clear();
        result
    })
}

/// A party and its summed key weight, ordered best first: higher score,
/// then lower ordinal (a total order: ordinals are unique).
#[derive(Debug, Clone, Copy)]
struct Ranked(f32, u32);

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

/// The `limit` best of `all` (in no particular order), keeping only a heap
/// of `limit`: most parties fall below the worst kept one and cost one
/// comparison.
fn best_of(all: impl Iterator<Item = Ranked>, limit: usize) -> Vec<Ranked> {
    // A max-heap in the best-first order: its top is the worst party kept.
    let mut heap = std::collections::BinaryHeap::with_capacity(limit + 1);
    for r in all {
        if heap.len() < limit {
            heap.push(r);
        } else if let Some(mut worst) = heap.peek_mut()
            && r < *worst
        {
            *worst = r;
        }
    }
    heap.into_vec()
}

fn accumulate(
    searcher: &Searcher,
    doc_ords: &[Vec<u32>],
    parties: usize,
    keys: &[Key<'_>],
    acc: &mut Accumulator,
) -> tantivy::Result<()> {
    let segments = searcher.segment_readers();
    let n = parties.max(1) as f32;
    for key in keys {
        let term = Term::from_field_text(key.field, key.value);
        let mut found = Vec::with_capacity(segments.len());
        let mut doc_freq = 0u32;
        for (seg_ord, seg) in segments.iter().enumerate() {
            let inverted = seg.inverted_index(key.field)?;
            if let Some(info) = inverted.get_term_info(&term)? {
                doc_freq += info.doc_freq;
                found.push((seg_ord, inverted, info));
            }
        }
        if doc_freq == 0 || doc_freq as f32 > key.max_share * n {
            continue;
        }
        let df = doc_freq as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let weight = key.boost * idf;
        for (seg_ord, inverted, info) in found {
            let Some(ords) = doc_ords.get(seg_ord) else {
                continue;
            };
            let mut postings =
                inverted.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if let Some(&ord) = ords.get(doc as usize)
                    && let Some(slot) = acc.score.get_mut(ord as usize)
                {
                    if *slot == 0.0 {
                        acc.touched.push(ord);
                    }
                    *slot += weight * key.norms.get(ord);
                }
                doc = postings.advance();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The heap keeps exactly the parties a full sort would keep.
        #[test]
        fn best_of_agrees_with_sorting(
            scores in proptest::collection::vec(0u8..6, 0..80),
            limit in 1usize..40,
        ) {
            let all: Vec<Ranked> = scores
                .iter()
                .enumerate()
                .map(|(i, &s)| Ranked(f32::from(s) * 0.5, i as u32 * 7 % 97))
                .collect();
            let mut sorted = all.clone();
            sorted.sort_unstable();
            sorted.truncate(limit);
            let mut best = best_of(all.into_iter(), limit);
            best.sort_unstable();
            let ords = |v: &[Ranked]| v.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>();
            prop_assert_eq!(ords(&best), ords(&sorted));
        }
    }
}
