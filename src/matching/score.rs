//! Scoring one query against one listed party: align the query's name tokens
//! with each listed name's tokens across word order, turn the alignment into
//! a name score, then apply the qualifiers (birth date, country, identifier,
//! entity type, alias strength).

use super::explain::{Explanation, Qualifier, TokenExplanation};
use super::similarity::{TokenMatch, bounded_distance, compare_tokens};
use super::weights::Weights;
use crate::analysis::{
    IdHasher, MAX_TOKENS, PreparedEntity, PreparedName, PreparedQuery, PreparedToken,
    PreparedVariant, is_distinctive,
};
use crate::model::{Schema, prop};
use crate::text::{Script, TokenKind};
use std::collections::HashMap;

/// Organisations proper; `LegalEntity` (the source did not say) is not one.
fn is_org(s: Schema) -> bool {
    matches!(s, Schema::Organization | Schema::Company)
}

/// One aligned pair: a query token and one or more adjacent listed tokens.
#[derive(Debug, Clone)]
struct Pair {
    query: usize,
    listed: std::ops::Range<usize>,
    sim: f64,
    how: TokenMatch,
}

/// Buffers reused across the alignments of one scoring, so that aligning
/// allocates nothing.
#[derive(Debug, Default)]
struct Scratch {
    candidates: Vec<(f64, usize, usize, TokenMatch)>,
    pairs: Vec<Pair>,
}

/// The outcome of aligning one query variant with one listed variant; the
/// aligned pairs are left in the scratch buffer.
#[derive(Debug, Clone, Copy, Default)]
struct Alignment {
    score: f64,
    /// Tokens taken by a pair, as bit sets over token positions.
    query_used: u32,
    listed_used: u32,
    common_only: bool,
    single_part: bool,
    /// Both names carry a legal form and none of them matched.
    legal_form_conflict: bool,
    /// An organisation's number on one side is not on the other ("Fund II"
    /// / "Fund", "Brigade 44" / "Brigade 45").
    number_unmatched: bool,
}

/// What the comparison knows about the kind of party.
#[derive(Debug, Clone, Copy, Default)]
pub struct PartyKind {
    /// Either side is an organisation: abbreviations count.
    pub org: bool,
    /// Either side is a person: one shared name part is not enough.
    pub person: bool,
}

fn is_set(bits: u32, i: usize) -> bool {
    bits & (1 << i) != 0
}

/// The bit set of the first `n` positions.
fn mask(n: usize) -> u32 {
    if n >= 32 { u32::MAX } else { (1u32 << n) - 1 }
}

fn align(
    q: &PreparedVariant,
    n: &PreparedVariant,
    w: &Weights,
    kind: PartyKind,
    scratch: &mut Scratch,
) -> Alignment {
    let qt = &q.tokens;
    let nt = &n.tokens;
    let mut q_used = 0u32;
    let mut n_used = 0u32;
    scratch.pairs.clear();
    let pairs = &mut scratch.pairs;
    // Words written together on one side and apart on the other come first,
    // so a part of the joined word cannot steal the pairing.
    join_adjacent(qt, nt, &mut q_used, &mut n_used, pairs, false, false, w);
    join_adjacent(nt, qt, &mut n_used, &mut q_used, pairs, true, false, w);
    let candidates = &mut scratch.candidates;
    candidates.clear();
    for (i, a) in qt.iter().enumerate() {
        if a.kind == TokenKind::Honorific || is_set(q_used, i) {
            continue;
        }
        for (j, b) in nt.iter().enumerate() {
            if b.kind == TokenKind::Honorific || is_set(n_used, j) {
                continue;
            }
            if let Some((sim, how)) = compare_tokens(a, b, w, kind.org)
                && sim >= w.min_token_sim
            {
                candidates.push((sim, i, j, how));
            }
        }
    }
    // Best pairs first; among equals prefer the same position (keeps
    // "Ali Hassan" / "Hassan Ali" from crossing when both orders fit).
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.abs_diff(a.2).cmp(&b.1.abs_diff(b.2)))
    });
    for &(sim, i, j, how) in candidates.iter() {
        if is_set(q_used, i) || is_set(n_used, j) {
            continue;
        }
        q_used |= 1 << i;
        n_used |= 1 << j;
        pairs.push(Pair {
            query: i,
            listed: j..j + 1,
            sim,
            how,
        });
    }
    // Then joined words with a typo, then initials of adjacent words.
    join_adjacent(qt, nt, &mut q_used, &mut n_used, pairs, false, true, w);
    join_adjacent(nt, qt, &mut n_used, &mut q_used, pairs, true, true, w);
    initials_of_adjacent(qt, nt, &mut q_used, &mut n_used, pairs, false, w);
    initials_of_adjacent(nt, qt, &mut n_used, &mut q_used, pairs, true, w);

    let mut num = 0.0;
    let mut den = 0.0;
    let mut distinctive_matches = 0;
    let mut rare_matches = 0;
    let mut surname_matched = false;
    let mut legal_matched = false;
    // Every pair close to exact (checked with full coverage further down).
    let mut all_close = true;
    for p in pairs.iter() {
        let qtok = &qt[p.query];
        let wq = w.token_weight(qtok);
        let wn: f64 = nt[p.listed.clone()]
            .iter()
            .map(|t| w.token_weight(t))
            .sum::<f64>()
            / p.listed.len() as f64;
        let pw = (wq + wn) / 2.0;
        num += p.sim * pw;
        den += pw;
        if is_distinctive(qtok.kind) && p.sim >= 0.7 {
            // A query word written as several listed words ("vladimirputin")
            // matched each of them.
            distinctive_matches += nt[p.listed.clone()]
                .iter()
                .filter(|t| is_distinctive(t.kind))
                .count()
                .max(1);
            if wq >= w.weight_word && qtok.kind == TokenKind::Word {
                rare_matches += 1;
            }
        }
        if p.sim < 0.9 && is_distinctive(qtok.kind) {
            all_close = false;
        }
        surname_matched |= nt[p.listed.clone()].iter().any(|t| t.surname);
        legal_matched |= qtok.kind == TokenKind::LegalForm;
    }
    let strict = (kind.org && !kind.person) || qt.iter().any(|t| t.syllabic);
    // A person's middle names (between the first and last query parts that
    // matched) are often left out of a listing, as father's and grandfather's
    // names are in Arabic names: they cost what an unmatched listed part costs.
    // Not when the listing has a name part of its own left over: then the
    // two middle names differ (Demidovich / Gennadievich).
    let first_matched = q_used.trailing_zeros() as usize;
    let last_matched = 31usize.saturating_sub(q_used.leading_zeros() as usize);
    let listed_left_over = nt
        .iter()
        .enumerate()
        .any(|(j, t)| !is_set(n_used, j) && t.kind == TokenKind::Word);
    // When both names carry legal-form words, the ones left unpaired are
    // the same form written another way ("Limited Liability Company" / "LLC",
    // a reordered or misspelt phrase) or a different form, which the
    // legal-form conflict below judges: they cost nothing here.
    let is_legal = |t: &PreparedToken| t.kind == TokenKind::LegalForm;
    let both_legal = qt.iter().any(is_legal) && nt.iter().any(is_legal);
    let costs = |t: &PreparedToken| t.kind != TokenKind::Honorific && !(both_legal && is_legal(t));
    // Organisations, or names that carry a legal form.
    let org_like = !kind.person && (kind.org || qt.iter().chain(nt).any(is_legal));
    // A place on one side only; two different places are a difference
    // (Government of Estonia / Government of Ethiopia).
    let place_left = |v: &[PreparedToken], used: u32| {
        v.iter()
            .enumerate()
            .any(|(i, t)| t.place && !is_set(used, i))
    };
    let one_sided_place = place_left(qt, q_used) != place_left(nt, n_used);
    let unmatched_weight = |t: &PreparedToken| {
        if org_like && one_sided_place && t.place {
            w.weight_place_in_org
        } else {
            w.token_weight(t)
        }
    };
    for (i, t) in qt.iter().enumerate() {
        if !is_set(q_used, i) && costs(t) {
            // Names written in Arabic script also append them after the
            // family name ("Saleh Mohammad Kakar Akhtar Mohammad").
            let middle = kind.person
                && !strict
                && !listed_left_over
                && i > first_matched
                && (i < last_matched || t.abjad);
            let cost = if middle {
                w.unmatched_query_middle_cost
            } else {
                w.unmatched_query_cost
            };
            den += cost * unmatched_weight(t);
        }
    }
    let listed_cost = if strict {
        w.unmatched_listed_cost_strict
    } else {
        w.unmatched_listed_cost
    };
    // A listed person's middle names (between two listed parts that matched,
    // in natural order: given names, then the surname) are the names a
    // customer most often leaves out. Not when the query has a name part of
    // its own left over: then the middle names differ.
    let query_left_over = qt
        .iter()
        .enumerate()
        .any(|(i, t)| !is_set(q_used, i) && t.kind == TokenKind::Word);
    let natural = |j: usize| j + if nt[j].surname { 64 } else { 0 };
    let (first_listed, last_listed) = (0..nt.len())
        .filter(|&j| is_set(n_used, j) && is_distinctive(nt[j].kind))
        .fold((usize::MAX, 0), |(lo, hi), j| {
            (lo.min(natural(j)), hi.max(natural(j)))
        });
    for (j, t) in nt.iter().enumerate() {
        if !is_set(n_used, j) && costs(t) {
            let middle = kind.person
                && !strict
                && !query_left_over
                && natural(j) > first_listed
                && natural(j) < last_listed;
            let cost = if middle {
                w.unmatched_listed_middle_cost
            } else {
                listed_cost
            };
            den += cost * unmatched_weight(t);
        }
    }
    let mut score = if den > 0.0 { num / den } else { 0.0 };
    // An organisation whose every name part matched nearly exactly, on both
    // sides, is named in full ("North Group Holding Corp.", "DA Group 22"):
    // common words are then not a weak match, unless the whole name is one
    // generic word ("Bank", "Trading").
    let all_distinctive_used = |v: &[PreparedToken], used: u32| {
        v.iter()
            .enumerate()
            .all(|(i, t)| !is_distinctive(t.kind) || is_set(used, i))
    };
    let full_org_match = kind.org
        && !kind.person
        && all_close
        && distinctive_matches >= 1
        && all_distinctive_used(qt, q_used)
        && all_distinctive_used(nt, n_used)
        && (distinctive_matches >= 2
            || qt
                .iter()
                .any(|t| is_distinctive(t.kind) && t.kind != TokenKind::Initial && !t.generic));
    let distinctive = |v: &[PreparedToken]| v.iter().filter(|t| is_distinctive(t.kind)).count();
    // A name of one short word, one letter off another one-word name
    // (Oprea / Opera, Argan / Argon): too little to tell a typo from another
    // name.
    let one_short_fuzzy_word = distinctive(qt) == 1
        && distinctive(nt) == 1
        && pairs.iter().any(|p| {
            matches!(p.how, TokenMatch::Fuzzy { .. })
                && qt[p.query].chars.max(nt[p.listed.start].chars) <= 6
        });
    if one_short_fuzzy_word {
        score = score.min(w.short_word_typo_cap);
    }
    let common_only = !full_org_match
        && (distinctive_matches == 0 || (distinctive_matches == 1 && rare_matches == 0));
    if common_only {
        score = score.min(w.common_only_cap);
    }
    // A person is not identified by one shared name part when either name has more.
    let single_part =
        kind.person && distinctive_matches < 2 && (distinctive(qt) >= 2 || distinctive(nt) >= 2);
    // The listed person's surname must be among what matched.
    let surname_missed = !surname_matched && nt.iter().any(|t| t.surname);
    let single_part = single_part || (kind.person && surname_missed);
    if single_part {
        score = score.min(w.single_part_cap);
    }
    // Only recognised legal forms conflict (AG vs GmbH); loose legal words
    // from a phrase the text step could not read whole do not.
    let legal_form_conflict = !legal_matched && legal_forms_conflict(qt, nt);
    let number_left = |v: &[PreparedToken], used: u32| {
        v.iter()
            .enumerate()
            .any(|(i, t)| t.kind == TokenKind::Number && !is_set(used, i))
    };
    let number_unmatched = org_like && (number_left(qt, q_used) || number_left(nt, n_used));
    Alignment {
        score,
        query_used: q_used,
        listed_used: n_used,
        common_only,
        single_part,
        legal_form_conflict,
        number_unmatched,
    }
}

/// The legal-form family of a canonical form: private limited companies
/// (LLC, GmbH, Ltd), joint-stock and public companies (JSC, AG, PLC),
/// partnerships, limited-liability partnerships, free-zone entities. "Co"
/// and "Inc" say only that it is a company: they fit any family.
fn legal_family(canonical: &str) -> Option<u8> {
    match canonical {
        "llc" | "ltd" => Some(1),
        "jsc" | "plc" => Some(2),
        "lp" => Some(3),
        "llp" => Some(4),
        "fze" => Some(5),
        _ => None,
    }
}

/// Both names state their legal form, each read whole, and the forms are of
/// different families (AG vs GmbH). A name with legal words the text step
/// could not read as one phrase (a typo, a reordered phrase) does not
/// conflict: its form is not known for sure.
fn legal_forms_conflict(qt: &[PreparedToken], nt: &[PreparedToken]) -> bool {
    let families = |v: &[PreparedToken]| -> Option<u8> {
        let mut bits = 0u8;
        for t in v.iter().filter(|t| t.kind == TokenKind::LegalForm) {
            if !t.canonical_legal_form {
                return None;
            }
            if let Some(f) = legal_family(&t.text) {
                bits |= 1 << f;
            }
        }
        (bits != 0).then_some(bits)
    };
    match (families(qt), families(nt)) {
        (Some(a), Some(b)) => a & b == 0,
        _ => false,
    }
}

/// Longest run of adjacent tokens that may be written as one word.
const MAX_JOINED: usize = 4;

/// True when the tokens written one after the other spell `word`.
fn concat_equals(parts: &[PreparedToken], word: &str) -> bool {
    let mut rest = word.as_bytes();
    for p in parts {
        match rest.strip_prefix(p.raw.as_bytes()) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

#[allow(clippy::too_many_arguments)]
/// Matches each unused token of `one` against 2 to 4 adjacent unused tokens
/// of `two` written together ("alqaida" / "al qaida", "asp" / "a s p",
/// "platonovich" / "plat ono vich"). `swapped` says `one` is the listed side.
fn join_adjacent(
    one: &[PreparedToken],
    two: &[PreparedToken],
    one_used: &mut u32,
    two_used: &mut u32,
    pairs: &mut Vec<Pair>,
    swapped: bool,
    allow_typo: bool,
    w: &Weights,
) {
    let two = &two[..two.len().min(MAX_TOKENS)];
    // Only tokens of `two` still free can be joined; two are needed.
    let free_two = two.len() as u32 - (*two_used & mask(two.len())).count_ones();
    if free_two < 2 || (*one_used & mask(one.len())).count_ones() as usize == one.len() {
        return;
    }
    // Byte lengths of `two` summed from the left: a window's length is one subtraction.
    let mut prefix = [0usize; MAX_TOKENS + 1];
    for (k, x) in two.iter().enumerate() {
        prefix[k + 1] = prefix[k] + x.raw.len();
    }
    let slack = usize::from(allow_typo);
    // The shortest and longest spans any window of `two` can have: most
    // tokens fall outside and need no window at all.
    let spans = (2..=MAX_JOINED.min(two.len()))
        .flat_map(|len| (0..=two.len() - len).map(move |j| (j, len)));
    let (shortest, longest) = spans.fold((usize::MAX, 0), |(lo, hi), (j, len)| {
        let total = prefix[j + len] - prefix[j];
        (lo.min(total), hi.max(total))
    });
    for (i, t) in one.iter().enumerate() {
        if is_set(*one_used, i)
            || t.raw.len() < 2
            || t.raw.len() + slack < shortest
            || t.raw.len() > longest + slack
        {
            continue;
        }
        'window: for len in 2..=MAX_JOINED {
            for j in 0..two.len().saturating_sub(len - 1) {
                let total = prefix[j + len] - prefix[j];
                if total.abs_diff(t.raw.len()) > slack {
                    continue;
                }
                let window = ((1u32 << len) - 1) << j;
                if *two_used & window != 0 {
                    continue;
                }
                let parts = &two[j..j + len];
                let exact = total == t.raw.len() && concat_equals(parts, &t.raw);
                let ok = exact
                    // Not for syllables romanised from Chinese or Korean:
                    // a letter more or less is another syllable.
                    || (allow_typo && total >= 8 && !t.syllabic && !parts[0].syllabic && {
                        let joined: String = parts.iter().map(|x| x.raw.as_str()).collect();
                        bounded_distance(&joined, &t.raw, 1).is_some()
                    });
                if !ok {
                    continue;
                }
                *one_used |= 1 << i;
                *two_used |= window;
                // One letter off weighs less in a long word, and is expected
                // between romanisations of Arabic or Hebrew.
                let sim = if exact || t.abjad || parts[0].abjad {
                    w.sim_joined
                } else if total >= 12 {
                    w.sim_joined_typo_long
                } else {
                    w.sim_joined_typo
                };
                push_span_pair(pairs, swapped, i, j..j + len, sim, TokenMatch::Joined);
                break 'window;
            }
        }
    }
}

/// Records token `single` of one side met by the adjacent tokens `span` of
/// the other; `swapped` says `single` is on the listed side, and then each
/// query token of the span is recorded against it.
fn push_span_pair(
    pairs: &mut Vec<Pair>,
    swapped: bool,
    single: usize,
    span: std::ops::Range<usize>,
    sim: f64,
    how: TokenMatch,
) {
    if swapped {
        for query in span {
            pairs.push(Pair {
                query,
                listed: single..single + 1,
                sim,
                how,
            });
        }
    } else {
        pairs.push(Pair {
            query: single,
            listed: span,
            sim,
            how,
        });
    }
}

/// Matches each unused word of `one` (two to five letters, not a syllable
/// romanised from Chinese or Korean) against as many adjacent unused words
/// of `two` whose first letters spell it ("pla" / "peoples liberation army",
/// "jc" / "jean claude"); particles and legal forms inside the run are
/// skipped ("bank of america" / "boa" is not spelled, "ba" is).
/// `swapped` says `one` is the listed side.
fn initials_of_adjacent(
    one: &[PreparedToken],
    two: &[PreparedToken],
    one_used: &mut u32,
    two_used: &mut u32,
    pairs: &mut Vec<Pair>,
    swapped: bool,
    w: &Weights,
) {
    let two = &two[..two.len().min(MAX_TOKENS)];
    for (i, t) in one.iter().enumerate() {
        let letters = t.raw.as_bytes();
        if is_set(*one_used, i)
            || t.kind != TokenKind::Word
            || t.syllabic
            || !(2..=5).contains(&letters.len())
        {
            continue;
        }
        'start: for j in 0..two.len() {
            let mut k = j;
            let mut spelled = 0;
            let mut window = 0u32;
            while spelled < letters.len() {
                let Some(x) = two.get(k) else {
                    continue 'start;
                };
                if is_set(*two_used, k) {
                    continue 'start;
                }
                window |= 1 << k;
                k += 1;
                if !matches!(x.kind, TokenKind::Word | TokenKind::Initial) {
                    if spelled == 0 {
                        continue 'start;
                    }
                    continue;
                }
                if x.syllabic || x.raw.as_bytes().first() != letters.get(spelled) {
                    continue 'start;
                }
                spelled += 1;
            }
            *one_used |= 1 << i;
            *two_used |= window;
            push_span_pair(
                pairs,
                swapped,
                i,
                j..k,
                w.sim_initials,
                TokenMatch::Initials,
            );
            break;
        }
    }
}

fn variant_text(v: &PreparedVariant) -> String {
    v.tokens
        .iter()
        .map(|t| t.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The best name match of a query against a listed party.
struct BestName<'a> {
    prop: &'static str,
    name: &'a PreparedName,
    q_variant: usize,
    n_variant: usize,
    alignment: Alignment,
}

fn best_name<'a>(
    q: &PreparedName,
    e: &'a PreparedEntity,
    w: &Weights,
    kind: PartyKind,
    cache: &mut ScoreCache,
) -> Option<BestName<'a>> {
    let mut best: Option<BestName<'a>> = None;
    let mut best_effective = f64::NEG_INFINITY;
    // Position of the name's first variant in `e.variant_ids`.
    let mut first_variant = 0;
    for (prop_name, name) in &e.names {
        let factor = property_factor(prop_name, w);
        for (qi, qv) in q.variants.iter().enumerate() {
            for (ni, nv) in name.variants.iter().enumerate() {
                let alignment = match e.variant_ids.get(first_variant + ni) {
                    Some(&id) => {
                        let key = memo_key(id, qi, kind);
                        match cache.alignments.get(&key) {
                            Some(a) => *a,
                            None => {
                                let a = align(qv, nv, w, kind, &mut cache.scratch);
                                cache.alignments.insert(key, a);
                                a
                            }
                        }
                    }
                    None => align(qv, nv, w, kind, &mut cache.scratch),
                };
                let effective = alignment.score * factor;
                if best.is_none() || effective > best_effective {
                    best_effective = effective;
                    best = Some(BestName {
                        prop: prop_name,
                        name,
                        q_variant: qi,
                        n_variant: ni,
                        alignment,
                    });
                }
            }
        }
        first_variant += name.variants.len();
    }
    best
}

/// The cache key of an alignment: everything `align` reads besides the
/// query (fixed for a cache) and the index's statistics and weights. The
/// pattern names every field of `PartyKind`, so a new one fails to compile
/// here until the key carries it.
fn memo_key(variant_id: u32, q_variant: usize, kind: PartyKind) -> u64 {
    let PartyKind { org, person } = kind;
    (u64::from(variant_id) << 32)
        | ((q_variant as u64 & 0x3fff_ffff) << 2)
        | (u64::from(org) << 1)
        | u64::from(person)
}

/// What the scoring of one query keeps between its candidates: the
/// alignments done so far, by listed variant id (the same name is often
/// listed by several lists, and under several names of one party), query
/// variant and kind of party; and the buffers. Valid for one query against
/// one index (the same token statistics and weights) only.
#[derive(Debug, Default)]
pub struct ScoreCache {
    alignments: HashMap<u64, Alignment, std::hash::BuildHasherDefault<IdHasher>>,
    scratch: Scratch,
}

impl ScoreCache {
    /// Forgets the alignments (for the next query), keeping the memory.
    pub fn clear(&mut self) {
        self.alignments.clear();
    }
}

fn property_factor(p: &str, w: &Weights) -> f64 {
    match p {
        prop::WEAK_ALIAS => w.weak_alias_factor,
        prop::PREVIOUS_NAME => w.previous_name_factor,
        _ => 1.0,
    }
}

/// A scored comparison.
#[derive(Debug, Clone)]
pub struct Scored {
    pub score: f64,
    /// Present when asked for (explanations cost more than the score).
    pub explanation: Option<Explanation>,
    /// Orders equal scores: how close the query's text is to the matched
    /// name's text before any normalisation (1 = identical ignoring case).
    pub tiebreak: f64,
}

/// Scores a query against one listed party, with the explanation.
pub fn score_entity(
    q: &PreparedQuery,
    e: &PreparedEntity,
    w: &Weights,
    threshold: f64,
    explain: bool,
) -> Option<Scored> {
    score_entity_cached(q, e, w, threshold, explain, &mut ScoreCache::default())
}

/// [`score_entity`] for one of many candidates of the same query: `cache`
/// carries the work done for the others.
pub fn score_entity_cached(
    q: &PreparedQuery,
    e: &PreparedEntity,
    w: &Weights,
    threshold: f64,
    explain: bool,
    cache: &mut ScoreCache,
) -> Option<Scored> {
    let kind = PartyKind {
        org: is_org(e.entity.schema) || q.schema.is_some_and(is_org),
        person: e.entity.schema == Schema::Person || q.schema == Some(Schema::Person),
    };
    let best = best_name(&q.name, e, w, kind, cache)?;
    let qv = &q.name.variants[best.q_variant];
    let nv = &best.name.variants[best.n_variant];
    let a = &best.alignment;
    let name_score = a.score;
    let mut qualifiers = Vec::new();
    let mut score = name_score;

    // Moves the score by `effect` and, when explaining, says why (the text
    // is built only then).
    let mut adjust = |score: &mut f64, feature: &str, effect: f64, detail: &dyn Fn() -> String| {
        *score += effect;
        if explain {
            qualifiers.push(Qualifier {
                feature: feature.to_string(),
                effect: round3(effect),
                detail: detail(),
            });
        }
    };
    let factor = property_factor(best.prop, w);
    if factor < 1.0 {
        let effect = score * factor - score;
        adjust(&mut score, best.prop, effect, &|| {
            if best.prop == prop::WEAK_ALIAS {
                "matched a weak alias".into()
            } else {
                "matched a former name".into()
            }
        });
    }
    if a.single_part {
        adjust(&mut score, "singleNamePart", 0.0, &|| {
            format!(
                "only one name part, or not the surname, matched: score capped at {:.2}",
                w.single_part_cap
            )
        });
    }
    if a.legal_form_conflict {
        adjust(
            &mut score,
            "legalForm",
            -w.legal_form_conflict_penalty,
            &|| "legal forms differ".into(),
        );
    }
    // A person's name in Chinese characters or Hangul met only through its
    // romanisation: thousands of people share each romanised Korean or
    // Chinese name (KIM Yong Su, ZHANG Lei), so the name alone does not
    // alert; a birth date, nationality or identifier that agrees lifts it.
    if kind.person
        && matches!(q.name.script, Script::Han | Script::Hangul)
        && best.name.script != q.name.script
        && score > w.romanised_syllables_cap
    {
        let effect = w.romanised_syllables_cap - score;
        adjust(&mut score, "romanisedSyllables", effect, &|| {
            format!(
                "a Chinese or Korean name met only through its romanisation: name alone capped at {:.2}",
                w.romanised_syllables_cap
            )
        });
    }
    if a.number_unmatched {
        adjust(&mut score, "number", -w.number_unmatched_penalty, &|| {
            "a number in one name is not in the other".into()
        });
    }
    if a.common_only {
        adjust(&mut score, "commonTokensOnly", 0.0, &|| {
            format!(
                "only common name parts matched: score capped at {:.2}",
                w.common_only_cap
            )
        });
    }
    apply_qualifiers(q, e, w, &mut score, &mut qualifiers);
    let score = score.clamp(0.0, 1.0);
    // Equal scores: the name written exactly as queried first, then primary names.
    let same_text = q
        .name
        .original
        .trim()
        .eq_ignore_ascii_case(best.name.original.trim());
    let tiebreak =
        f64::from(u8::from(same_text)) + if best.prop == prop::NAME { 0.01 } else { 0.0 };
    if !explain {
        return Some(Scored {
            score: round3(score),
            explanation: None,
            tiebreak,
        });
    }

    // Align the best pair of names again to have its pairs for the explanation.
    let scratch = &mut cache.scratch;
    align(qv, nv, w, kind, scratch);
    let tokens = scratch
        .pairs
        .iter()
        .map(|p| TokenExplanation {
            query: qv.tokens[p.query].raw.clone(),
            listed: nv.tokens[p.listed.clone()]
                .iter()
                .map(|t| t.raw.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            how: p.how,
            similarity: round3(p.sim),
        })
        .collect();
    let unmatched = |tokens: &[PreparedToken], used: u32| {
        tokens
            .iter()
            .enumerate()
            .filter(|(i, t)| !is_set(used, *i) && t.kind != TokenKind::Honorific)
            .map(|(_, t)| t.raw.clone())
            .collect()
    };
    let mut explanation = Explanation {
        matched_name: best.name.original.clone(),
        matched_property: best.prop.to_string(),
        query_form: variant_text(qv),
        listed_form: variant_text(nv),
        tokens,
        unmatched_query: unmatched(&qv.tokens, a.query_used),
        unmatched_listed: unmatched(&nv.tokens, a.listed_used),
        name_score: round3(name_score),
        qualifiers,
        score: round3(score),
        threshold,
        summary: String::new(),
    };
    explanation.summarise();
    Some(Scored {
        score: round3(score),
        explanation: Some(explanation),
        tiebreak,
    })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn apply_qualifiers(
    q: &PreparedQuery,
    e: &PreparedEntity,
    w: &Weights,
    score: &mut f64,
    out: &mut Vec<Qualifier>,
) {
    let mut add = |feature: &str, effect: f64, detail: String, score: &mut f64| {
        *score += effect;
        out.push(Qualifier {
            feature: feature.to_string(),
            effect: round3(effect),
            detail,
        });
    };
    // Identifiers: an exact match is strong evidence.
    if let Some(id) = q.identifiers.iter().find(|id| e.identifiers.contains(id)) {
        let target = (*score + w.identifier_match_bonus).max(w.identifier_match_floor);
        let effect = target - *score;
        add(
            "identifier",
            effect,
            format!("identifier {id} matches exactly"),
            score,
        );
    }
    // Birth date.
    if let Some(qd) = &q.birth_date
        && !e.birth_dates.is_empty()
        && e.entity.schema == Schema::Person
    {
        let qy = &qd[..4.min(qd.len())];
        if e.birth_dates.iter().any(|d| d == qd && d.len() == 10) {
            add(
                "birthDate",
                w.birth_date_exact_bonus,
                format!("birth date {qd} matches"),
                score,
            );
        } else if e.birth_dates.iter().any(|d| compatible_dates(qd, d)) {
            add(
                "birthDate",
                w.birth_year_bonus,
                format!("birth date {qd} fits listed {}", e.birth_dates.join(", ")),
                score,
            );
        } else {
            let near = e.birth_dates.iter().any(|d| {
                let dy: i32 = d.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
                let qy: i32 = qy.parse().unwrap_or(0);
                (dy - qy).abs() <= 1
            });
            if !near {
                add(
                    "birthDate",
                    -w.birth_date_conflict_penalty,
                    format!(
                        "birth date {qd} conflicts with listed {}",
                        e.birth_dates.join(", ")
                    ),
                    score,
                );
            }
        }
    }
    // Countries.
    if !q.countries.is_empty() && !e.countries.is_empty() {
        if let Some(c) = q.countries.iter().find(|c| e.countries.contains(c)) {
            add(
                "country",
                w.country_match_bonus,
                format!("country {c} matches"),
                score,
            );
        } else {
            add(
                "country",
                -w.country_conflict_penalty,
                format!(
                    "countries {} differ from listed {}",
                    q.countries.join(", "),
                    e.countries.join(", ")
                ),
                score,
            );
        }
    }
    // Entity type.
    if let Some(qs) = q.schema
        && schemas_conflict(qs, e.entity.schema)
    {
        add(
            "schema",
            -w.schema_conflict_penalty,
            format!("query is a {qs}, listed party is a {}", e.entity.schema),
            score,
        );
    }
}

/// Two partial ISO dates agree where both are precise.
fn compatible_dates(a: &str, b: &str) -> bool {
    let n = a.len().min(b.len());
    n >= 4 && a[..n] == b[..n]
}

/// Person vs organisation vs vessel vs aircraft; `LegalEntity` fits anything
/// but a vessel or aircraft.
pub fn schemas_conflict(a: Schema, b: Schema) -> bool {
    use Schema::*;
    let class = |s: Schema| match s {
        Person => 1,
        Organization | Company => 2,
        Vessel => 3,
        Aircraft => 4,
        LegalEntity => 0,
    };
    let (ca, cb) = (class(a), class(b));
    if ca == cb {
        return false;
    }
    if ca == 0 || cb == 0 {
        return matches!((ca, cb), (0, 3) | (0, 4) | (3, 0) | (4, 0));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::{DEFAULT_WEIGHTS, Query, prepare_query};

    #[test]
    fn one_cache_for_all_candidates_scores_as_without() {
        let index = crate::index::tests::index();
        let w = &DEFAULT_WEIGHTS;
        for (name, schema) in [
            ("Ali Hassan Al Rashid", Some("Person")),
            ("Abu Ali", None),
            ("Rashid Trading LLC", Some("Organization")),
            ("Rashid Trading", None),
            ("Hasan Rashid", Some("Person")),
        ] {
            let mut q = Query::name(name);
            q.schema = schema.map(str::to_string);
            let mut pq = prepare_query(&q).expect("valid query");
            index.stats().mark_common(&mut pq.name);
            let mut cache = ScoreCache::default();
            for explain in [false, true] {
                for e in index.entities() {
                    let fresh = score_entity(&pq, e, w, 0.8, explain);
                    let cached = score_entity_cached(&pq, e, w, 0.8, explain, &mut cache);
                    let key = |s: &Scored| (s.score, s.tiebreak, s.explanation.clone());
                    assert_eq!(fresh.as_ref().map(key), cached.as_ref().map(key), "{name}");
                }
            }
        }
    }
}
