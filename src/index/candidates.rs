//! Candidate retrieval over the tantivy index: every query key's posting
//! list is read straight from tantivy and its BM25 weight added into a
//! per-thread accumulator (term at a time), then the best parties of the
//! wanted lists are picked. With a few dozen keys over tens of thousands of
//! parties this touches each posting once and filters lists exactly, where
//! tantivy's document-at-a-time top-k search spent most of its time
//! re-sorting the keys' cursors and could not prune under a list filter.
//!
//! With hundreds of thousands of parties a common key's list runs to tens
//! of thousands of postings, so the keys are read heaviest first and, once
//! the best parties so far are out of reach of anyone not met yet, the
//! lighter keys' lists are only probed for the parties still in the running
//! (MaxScore; see [`top_parties`]). The parties returned are exactly those
//! a full pass returns.

use std::cell::RefCell;
use std::sync::Arc;
use tantivy::postings::TermInfo;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, InvertedIndexReader, Searcher, TERMINATED, Term};

/// BM25 constants: tantivy's default `k1`, and a length normalisation `b`
/// weaker than its 0.75. A party's keys are those of all its names, so a
/// long field means many aliases, not words met by chance as in a long
/// text; at 0.75 a party with dozens of aliases ranked below forty others
/// for a query that spells its primary name exactly ("Банк ВТБ (публичное
/// акционерное общество)" / VTB BANK PUBLIC JOINT STOCK COMPANY). On the dev
/// sets every `b` from 0.4 to 0.6 gives the same or better recall than 0.75
/// without one more false alert; 0.3 adds one.
const K1: f32 = 1.2;
const B: f32 = 0.5;

/// Per-party length normalisation of one key field: the BM25 term-frequency
/// factor for a key that occurs once (every key occurs once per party).
#[derive(Debug)]
pub struct FieldNorms {
    factor: Vec<f32>,
    /// The largest factor (at least 1, what a party without a factor gets):
    /// the most one key of the field can weigh for any party.
    most: f32,
}

impl Default for FieldNorms {
    fn default() -> FieldNorms {
        FieldNorms::flat()
    }
}

impl FieldNorms {
    /// From the number of keys each party has in the field.
    pub fn from_counts(counts: &[u32]) -> FieldNorms {
        let n = counts.len().max(1) as f32;
        let avg = (counts.iter().map(|&c| c as f32).sum::<f32>() / n).max(1.0);
        let factor: Vec<f32> = counts
            .iter()
            .map(|&c| (K1 + 1.0) / (1.0 + K1 * (1.0 - B + B * c as f32 / avg)))
            .collect();
        let most = factor.iter().copied().fold(1.0f32, f32::max);
        FieldNorms { factor, most }
    }

    /// Every party weighs a key the same (identifiers).
    pub fn flat() -> FieldNorms {
        FieldNorms {
            factor: Vec::new(),
            most: 1.0,
        }
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
    /// Skipped as well when more than this many parties have it, whatever
    /// their share: with a million parties a share lets through lists too
    /// long to read for every query.
    pub max_parties: u32,
}

/// Relative margin of the pruning bounds: the running sums are taken in
/// another order than the final ones (see [`top_parties`]) and may differ
/// from them in the last bits, so a bound must miss by this much to prune.
const PRUNE_MARGIN: f32 = 1e-4;
/// Marks a party `keep` refused in [`Accumulator::slot`].
const REFUSED: u32 = u32::MAX;
/// Most keys one search weighs (each has a bit in [`Entry::keys`]); later
/// ones are ignored.
pub const MAX_KEYS: usize = 64;

/// A party met in a search: where its document is, its running sum, and
/// which keys it has (bit `i`: the search's `i`-th key).
#[derive(Debug, Clone, Copy)]
struct Entry {
    ord: u32,
    seg: u32,
    doc: u32,
    score: f32,
    keys: u64,
}

/// The parties of one search, reused by the thread's next search.
#[derive(Default)]
struct Accumulator {
    /// By party ordinal: 0 when not met yet, [`REFUSED`] when `keep`
    /// refused it, else one more than its place in `entries`.
    slot: Vec<u32>,
    entries: Vec<Entry>,
    refused: Vec<u32>,
    scratch: Vec<f32>,
    /// The full pass's sums by party ordinal (0 when not met), and the
    /// parties it met.
    sum: Vec<f32>,
    touched: Vec<u32>,
}

thread_local! {
    static ACCUMULATOR: RefCell<Accumulator> = RefCell::new(Accumulator::default());
}

/// The `limit` parties with the highest summed key weights among those
/// `keep` accepts, best first (equal scores: lower ordinal first); every
/// party met when `limit` is 0. `doc_ords[segment][doc]` maps tantivy
/// documents to party ordinals.
///
/// The keys are read from the heaviest (rare keys of high boost) to the
/// lightest (MaxScore, term at a time). Once the `limit`-th best sum so far
/// beats the most that the keys left could give a party not met yet, no new
/// party is taken: the lighter keys' long posting lists are only probed
/// (through their skip lists) for the parties that can still reach the best
/// `limit`, and those that cannot are dropped after each key. The parties
/// returned, and their order, are those of summing every key of every
/// party in the keys' own order: the survivors' sums are taken again so,
/// from the keys each one has.
///
/// When the keys' lists hold fewer than [`PRUNE_FROM_POSTINGS`] postings
/// in all, as they do for most queries of the default lists, pruning
/// cannot save what its bookkeeping costs: every list is read in the keys'
/// own order into plain sums instead (the same parties, in the same order).
pub fn top_parties(
    searcher: &Searcher,
    doc_ords: &[Vec<u32>],
    parties: usize,
    keys: &[Key<'_>],
    limit: usize,
    keep: impl Fn(u32) -> bool,
) -> tantivy::Result<Vec<u32>> {
    top_parties_pruning_from(
        searcher,
        doc_ords,
        parties,
        keys,
        limit,
        keep,
        PRUNE_FROM_POSTINGS,
        WARM_FROM_PARTIES,
    )
}

/// Fewest postings, summed over a search's keys, for which the search
/// prunes (see [`top_parties`]). On the default lists (44,340 parties) a
/// query's keys hold 1,400 postings at the tenth percentile of the dev
/// negatives, 6,800 at the 99th and 9,000 at most, and pruning them cost
/// about 14 % of the batch throughput; with 750,000 parties they hold
/// about 17 times as many, and pruning makes a search 2.5 times faster.
pub const PRUNE_FROM_POSTINGS: u64 = 20_000;

/// [`top_parties`], pruning from `prune_from` postings and warming from
/// `warm_from` parties.
#[allow(clippy::too_many_arguments)]
fn top_parties_pruning_from(
    searcher: &Searcher,
    doc_ords: &[Vec<u32>],
    parties: usize,
    keys: &[Key<'_>],
    limit: usize,
    keep: impl Fn(u32) -> bool,
    prune_from: u64,
    warm_from: usize,
) -> tantivy::Result<Vec<u32>> {
    ACCUMULATOR.with(|cell| {
        let mut fresh = Accumulator::default();
        let mut guard = cell.try_borrow_mut();
        let acc = match guard.as_mut() {
            Ok(acc) => &mut **acc,
            Err(_) => &mut fresh,
        };
        let keys = &keys[..keys.len().min(MAX_KEYS)];
        let warmed = parties >= warm_from;
        let (weights, found) = look_up(searcher, parties, keys)?;
        let postings: u64 = found.iter().map(|f| u64::from(f.doc_freq)).sum();
        if limit == 0 || postings < prune_from {
            if acc.sum.len() < parties {
                acc.sum.resize(parties, 0.0);
            }
            return full_pass(doc_ords, keys, &found, limit, &keep, acc, warmed);
        }
        if acc.slot.len() < parties {
            acc.slot.resize(parties, 0);
        }
        let result = search(doc_ords, keys, weights, found, limit, &keep, acc, warmed)
            .map(|live| best_parties(acc, keys, &live, limit));
        // Leave the accumulator empty for the next search.
        for e in &acc.entries {
            acc.slot[e.ord as usize] = 0;
        }
        for &ord in &acc.refused {
            acc.slot[ord as usize] = 0;
        }
        acc.entries.clear();
        acc.refused.clear();
        result
    })
}

/// What a search leaves: each key's weight (0 for a key skipped) and the
/// parties still in the running (places in the accumulator's entries), or
/// `None` when every party met is.
struct Searched {
    weights: Vec<f32>,
    live: Option<Vec<u32>>,
}

/// The best `limit` (all when 0) of the parties a search left, by their
/// sums taken in the keys' order, best first.
fn best_parties(acc: &mut Accumulator, keys: &[Key<'_>], s: &Searched, limit: usize) -> Vec<u32> {
    let exact = |e: &Entry| {
        let mut score = 0.0f32;
        let mut bits = e.keys;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            score += s.weights[i] * keys[i].norms.get(e.ord);
            bits &= bits - 1;
        }
        Ranked(score, e.ord)
    };
    let entries = &acc.entries;
    let live: Vec<&Entry> = match &s.live {
        Some(live) => live.iter().map(|&i| &entries[i as usize]).collect(),
        None if limit > 0 && entries.len() > limit => {
            // Only those near the `limit`-th best running sum can be among
            // the best once summed in order.
            let floor = kth_best(entries.iter().map(|e| e.score), limit, &mut acc.scratch)
                * (1.0 - PRUNE_MARGIN);
            entries.iter().filter(|e| e.score >= floor).collect()
        }
        None => entries.iter().collect(),
    };
    best_first(live.into_iter().map(exact), limit)
}

/// The ordinals of the best `limit` (all when 0) of `scored`, best first.
fn best_first(scored: impl Iterator<Item = Ranked>, limit: usize) -> Vec<u32> {
    let mut best: Vec<Ranked> = if limit == 0 {
        scored.collect()
    } else {
        best_of(scored, limit)
    };
    best.sort_unstable();
    best.into_iter().map(|Ranked(_, ord)| ord).collect()
}

/// The `k`-th highest of `scores` (0 when there are fewer).
fn kth_best(scores: impl Iterator<Item = f32>, k: usize, scratch: &mut Vec<f32>) -> f32 {
    scratch.clear();
    scratch.extend(scores);
    if k == 0 || scratch.len() < k {
        return 0.0;
    }
    let (_, kth, _) = scratch.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    *kth
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

/// One key found in the index: its place among the search's keys, weight,
/// the most it adds to any party's sum, and its posting list by segment.
struct Found {
    key: usize,
    weight: f32,
    most: f32,
    doc_freq: u32,
    postings: Vec<(u32, Arc<InvertedIndexReader>, TermInfo)>,
}

/// Looks every key up: each key's weight (0 for a key not found or
/// skipped) and the keys found, in the keys' order.
fn look_up(
    searcher: &Searcher,
    parties: usize,
    keys: &[Key<'_>],
) -> tantivy::Result<(Vec<f32>, Vec<Found>)> {
    let segments = searcher.segment_readers();
    let n = parties.max(1) as f32;
    let mut weights = vec![0.0f32; keys.len()];
    let mut found: Vec<Found> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let term = Term::from_field_text(key.field, key.value);
        let mut postings = Vec::with_capacity(segments.len());
        let mut doc_freq = 0u32;
        for (seg_ord, seg) in segments.iter().enumerate() {
            let inverted = seg.inverted_index(key.field)?;
            if let Some(info) = inverted.get_term_info(&term)? {
                doc_freq += info.doc_freq;
                postings.push((seg_ord as u32, inverted, info));
            }
        }
        if doc_freq == 0 || doc_freq as f32 > key.max_share * n || doc_freq > key.max_parties {
            continue;
        }
        let df = doc_freq as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let weight = key.boost * idf;
        weights[i] = weight;
        found.push(Found {
            key: i,
            weight,
            most: weight * key.norms.most,
            doc_freq,
            postings,
        });
    }
    Ok((weights, found))
}

/// Fewest parties for which a key's postings are read in chunks whose
/// party data is [`warm`]ed first. Below, the per-party arrays (4 bytes a
/// party) stay in a core's own cache and the chunks only add work: with
/// 50,000 parties they cost 1–2 % of a screening's time, with 250,000 they
/// save 6–18 % of it and with 1,500,000 about 40 % at the 99th percentile.
const WARM_FROM_PARTIES: usize = 150_000;

/// What [`each_chunk`] asks of its caller for a chunk of postings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Start reading the chunk's party data ([`warm`]).
    Warm,
    /// Use the chunk. Its `Warm` came before the previous chunk's `Use`,
    /// so its reads overlap that work.
    Use,
}

/// How many postings [`each_chunk`] hands over at a time.
const CHUNK: usize = 64;

/// Calls `visit(step, segment, postings)` for every posting of a key found,
/// as (document, party ordinal), segment by segment in document order:
/// when `warmed`, [`CHUNK`] at a time, each chunk first to be warmed and
/// later to be used; else one at a time, only to be used.
///
/// With many parties, a posting's party data (its running sum, its norm)
/// is far in memory from the last posting's, and what is done with it
/// depends on what is read, so a loop over single postings waits for each
/// read in turn. Warming a chunk ([`warm`]) starts its reads together, and
/// the chunk is used after the one before it, by when they have arrived.
fn each_chunk(
    doc_ords: &[Vec<u32>],
    f: &Found,
    warmed: bool,
    mut visit: impl FnMut(Step, u32, &[(u32, u32)]),
) -> tantivy::Result<()> {
    let mut chunks = [[(0u32, 0u32); CHUNK]; 2];
    for (seg, inverted, info) in &f.postings {
        let Some(ords) = doc_ords.get(*seg as usize) else {
            continue;
        };
        let mut postings = inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        let mut n = 0;
        let mut cur = 0;
        let mut pending = false;
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if let Some(&ord) = ords.get(doc as usize) {
                if !warmed {
                    visit(Step::Use, *seg, &[(doc, ord)]);
                } else {
                    chunks[cur][n] = (doc, ord);
                    n += 1;
                    if n == CHUNK {
                        visit(Step::Warm, *seg, &chunks[cur]);
                        if pending {
                            visit(Step::Use, *seg, &chunks[1 - cur]);
                        }
                        pending = true;
                        cur = 1 - cur;
                        n = 0;
                    }
                }
            }
            doc = postings.advance();
        }
        if pending {
            visit(Step::Use, *seg, &chunks[1 - cur]);
        }
        if n > 0 {
            visit(Step::Warm, *seg, &chunks[cur][..n]);
            visit(Step::Use, *seg, &chunks[cur][..n]);
        }
    }
    Ok(())
}

/// Reads what `read` reads for every party of a chunk, doing nothing with
/// it, so those reads are under way together before the chunk is used.
fn warm(chunk: &[(u32, u32)], read: impl Fn(u32) -> u32) {
    let mut sink = 0u32;
    for &(_, ord) in chunk {
        sink ^= read(ord);
    }
    std::hint::black_box(sink);
}

/// Reads every key's postings in the keys' order into plain sums, then
/// keeps the best `limit` (all when 0) of the parties `keep` accepts, best
/// first. Leaves the accumulator's sums empty.
fn full_pass(
    doc_ords: &[Vec<u32>],
    keys: &[Key<'_>],
    found: &[Found],
    limit: usize,
    keep: &impl Fn(u32) -> bool,
    acc: &mut Accumulator,
    warmed: bool,
) -> tantivy::Result<Vec<u32>> {
    let mut read = || -> tantivy::Result<()> {
        for f in found {
            let norms = keys[f.key].norms;
            each_chunk(doc_ords, f, warmed, |step, _, chunk| {
                if step == Step::Warm {
                    warm(chunk, |ord| {
                        let sum = acc.sum.get(ord as usize).copied().unwrap_or(0.0);
                        sum.to_bits() ^ norms.get(ord).to_bits()
                    });
                    return;
                }
                for &(_, ord) in chunk {
                    if let Some(sum) = acc.sum.get_mut(ord as usize) {
                        if *sum == 0.0 {
                            acc.touched.push(ord);
                        }
                        *sum += f.weight * norms.get(ord);
                    }
                }
            })?;
        }
        Ok(())
    };
    let result = read().map(|()| {
        let scored = acc
            .touched
            .iter()
            .filter(|&&ord| keep(ord))
            .map(|&ord| Ranked(acc.sum[ord as usize], ord));
        best_first(scored, limit)
    });
    for &ord in &acc.touched {
        acc.sum[ord as usize] = 0.0;
    }
    acc.touched.clear();
    result
}

/// Reads the keys found heaviest first into `acc` and stops taking new
/// parties once they could not reach the best `limit` (see
/// [`top_parties`]).
#[allow(clippy::too_many_arguments)]
fn search(
    doc_ords: &[Vec<u32>],
    keys: &[Key<'_>],
    weights: Vec<f32>,
    mut found: Vec<Found>,
    limit: usize,
    keep: &impl Fn(u32) -> bool,
    acc: &mut Accumulator,
    warmed: bool,
) -> tantivy::Result<Searched> {
    found.sort_by(|a, b| b.most.total_cmp(&a.most).then(a.key.cmp(&b.key)));
    // rest[j]: the most the keys from the j-th on can add to one sum.
    let mut rest = vec![0.0f32; found.len() + 1];
    for j in (0..found.len()).rev() {
        rest[j] = rest[j + 1] + found[j].most;
    }
    let mut live: Option<Vec<u32>> = None;
    let mut best = 0.0f32;
    for (j, f) in found.iter().enumerate() {
        let norms = keys[f.key].norms;
        let bit = 1u64 << f.key;
        let left = rest[j + 1];
        let last = j + 1 == found.len();
        match &mut live {
            None => {
                each_chunk(doc_ords, f, warmed, |step, seg, chunk| {
                    if step == Step::Warm {
                        warm(chunk, |ord| {
                            let slot = acc.slot.get(ord as usize).copied().unwrap_or(0);
                            slot ^ norms.get(ord).to_bits()
                        });
                        return;
                    }
                    for &(doc, ord) in chunk {
                        let Some(slot) = acc.slot.get_mut(ord as usize) else {
                            continue;
                        };
                        let at = match *slot {
                            REFUSED => None,
                            0 if !keep(ord) => {
                                *slot = REFUSED;
                                acc.refused.push(ord);
                                None
                            }
                            0 => {
                                acc.entries.push(Entry {
                                    ord,
                                    seg,
                                    doc,
                                    score: 0.0,
                                    keys: 0,
                                });
                                *slot = acc.entries.len() as u32;
                                Some(acc.entries.len() - 1)
                            }
                            s => Some(s as usize - 1),
                        };
                        if let Some(e) = at.and_then(|at| acc.entries.get_mut(at)) {
                            e.score += f.weight * norms.get(ord);
                            e.keys |= bit;
                            best = best.max(e.score);
                        }
                    }
                })?;
                // Close when no party not met yet can reach the best
                // `limit`, and the keys left are long enough to pay for
                // finding out.
                let unread: u64 = found[j + 1..].iter().map(|f| u64::from(f.doc_freq)).sum();
                if limit > 0
                    && !last
                    && acc.entries.len() >= limit
                    && best * (1.0 - PRUNE_MARGIN) > left
                    && unread > acc.entries.len() as u64 / 4
                {
                    let floor =
                        kth_best(acc.entries.iter().map(|e| e.score), limit, &mut acc.scratch)
                            * (1.0 - PRUNE_MARGIN);
                    if floor > left {
                        // In document order, each with its place: sorted
                        // by a key kept beside the place, not read through it.
                        let mut still: Vec<(u64, u32)> = acc
                            .entries
                            .iter()
                            .zip(0u32..)
                            .filter(|(e, _)| e.score + left >= floor)
                            .map(|(e, i)| ((u64::from(e.seg) << 32) | u64::from(e.doc), i))
                            .collect();
                        still.sort_unstable_by_key(|&(at, _)| at);
                        live = Some(still.into_iter().map(|(_, i)| i).collect());
                    }
                }
            }
            Some(still) => {
                // Probe the key's lists for the parties in the running, in
                // document order segment by segment.
                let mut at = 0;
                while at < still.len() {
                    let seg = acc.entries[still[at] as usize].seg;
                    let end =
                        at + still[at..].partition_point(|&i| acc.entries[i as usize].seg == seg);
                    if let Some((_, inverted, info)) = f.postings.iter().find(|(s, _, _)| *s == seg)
                    {
                        let mut postings =
                            inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                        for &i in &still[at..end] {
                            let e = &mut acc.entries[i as usize];
                            if postings.doc() < e.doc {
                                postings.seek(e.doc);
                            }
                            if postings.doc() == e.doc {
                                e.score += f.weight * norms.get(e.ord);
                                e.keys |= bit;
                            }
                        }
                    }
                    at = end;
                }
                if !last && still.len() > limit {
                    let entries = &acc.entries;
                    let floor = kth_best(
                        still.iter().map(|&i| entries[i as usize].score),
                        limit,
                        &mut acc.scratch,
                    ) * (1.0 - PRUNE_MARGIN);
                    still.retain(|&i| entries[i as usize].score + left >= floor);
                }
            }
        }
    }
    Ok(Searched { weights, live })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A one-segment index of parties (document = ordinal) with the keys
    /// `k0`, `k1`, … each party has.
    fn index_of(parties: &[Vec<usize>]) -> (tantivy::Index, Field) {
        let mut b = tantivy::schema::Schema::builder();
        let field = b.add_text_field("k", tantivy::schema::STRING);
        let index = tantivy::Index::create_in_ram(b.build());
        let mut writer = index
            .writer_with_num_threads::<tantivy::TantivyDocument>(1, 15_000_000)
            .expect("writer");
        for keys in parties {
            let mut doc = tantivy::TantivyDocument::default();
            for k in keys {
                doc.add_text(field, format!("k{k}"));
            }
            writer.add_document(doc).expect("added");
        }
        writer.commit().expect("committed");
        (index, field)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Pruning changes nothing: the best `limit` are the first `limit`
        /// of ranking every party met (which prunes nothing), in order.
        /// Low key numbers are drawn more often, so lists differ in length
        /// as real keys' do, and the rare keys' parties close the search.
        #[test]
        fn pruned_search_returns_what_a_full_pass_returns(
            draws in proptest::collection::vec(
                proptest::collection::vec((0usize..16, 0usize..16), 0..6),
                1..300,
            ),
            limit in 1usize..40,
            refused in 2u32..6,
        ) {
            let parties: Vec<Vec<usize>> = draws
                .iter()
                .map(|d| {
                    let mut keys: Vec<usize> = d.iter().map(|&(a, b)| a.min(b)).collect();
                    keys.sort_unstable();
                    keys.dedup();
                    keys
                })
                .collect();
            let (index, field) = index_of(&parties);
            let reader = index.reader().expect("reader");
            let searcher = reader.searcher();
            prop_assert_eq!(searcher.segment_readers().len(), 1);
            let doc_ords = vec![(0..parties.len() as u32).collect::<Vec<u32>>()];
            let counts: Vec<u32> = parties.iter().map(|k| k.len() as u32).collect();
            let norms = FieldNorms::from_counts(&counts);
            let values: Vec<String> = (0..16).map(|k| format!("k{k}")).collect();
            let keys: Vec<Key<'_>> = values
                .iter()
                .enumerate()
                .map(|(i, value)| Key {
                    field,
                    value,
                    boost: 1.0 + (i % 3) as f32,
                    norms: &norms,
                    max_share: 1.0,
                    max_parties: u32::MAX,
                })
                .collect();
            let keep = |ord: u32| !ord.is_multiple_of(refused);
            let n = parties.len();
            let mut all = top_parties(&searcher, &doc_ords, n, &keys, 0, keep).expect("searched");
            all.truncate(limit);
            // Each way of reading, with the postings one by one and in
            // warmed chunks.
            for warm_from in [usize::MAX, 0] {
                let pruned = top_parties_pruning_from(
                    &searcher, &doc_ords, n, &keys, limit, keep, 0, warm_from,
                )
                .expect("searched");
                prop_assert_eq!(&pruned, &all);
                let full = top_parties_pruning_from(
                    &searcher, &doc_ords, n, &keys, limit, keep, u64::MAX, warm_from,
                )
                .expect("searched");
                prop_assert_eq!(&full, &all);
            }
        }
    }

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
