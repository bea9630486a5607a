//! Scoring one query against one listed party: align the query's name with
//! each listed name ([`super::align`]), keep the name whose alignment the
//! name-stage features rate best, then run the whole feature table
//! ([`super::features`]) over it; and, for the results returned, the
//! explanation. One [`ScoreCache`] carries the alignments of a query from
//! candidate to candidate.

use super::align::{Alignment, PartyKind, Scratch, align, is_set};
use super::explain::{Explanation, TokenExplanation};
use super::features::{self, Evidence, Stage};
use super::weights::Weights;
use crate::analysis::{
    IdHasher, PreparedEntity, PreparedName, PreparedQuery, PreparedToken, PreparedVariant,
};
use crate::model::{Schema, prop};
use crate::text::TokenKind;
use std::collections::HashMap;

/// Organisations proper; `LegalEntity` (the source did not say) is not one.
fn is_org(s: Schema) -> bool {
    matches!(s, Schema::Organization | Schema::Company)
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

impl<'a> BestName<'a> {
    fn evidence(
        &'a self,
        q: &'a PreparedQuery,
        e: &'a PreparedEntity,
        kind: PartyKind,
    ) -> Evidence<'a> {
        Evidence {
            query: q,
            party: e,
            kind,
            property: self.prop,
            listed: self.name,
            alignment: &self.alignment,
        }
    }
}

/// The listed name (and pair of variants) whose alignment with the query
/// scores best after the name-stage features.
fn best_name<'a>(
    q: &PreparedQuery,
    e: &'a PreparedEntity,
    w: &Weights,
    kind: PartyKind,
    cache: &mut ScoreCache,
) -> Option<BestName<'a>> {
    cache.scratch.memo.start(&q.name);
    let mut best: Option<BestName<'a>> = None;
    let mut best_effective = f64::NEG_INFINITY;
    let mut best_paired = 0.0;
    // Position of the name's first variant in `e.variant_ids`.
    let mut first_variant = 0;
    for (prop_name, name) in &e.names {
        for (qi, qv) in q.name.variants.iter().enumerate() {
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
                let ev = Evidence {
                    query: q,
                    party: e,
                    kind,
                    property: prop_name,
                    listed: name,
                    alignment: &alignment,
                };
                let effective = features::apply(Some(Stage::Name), &ev, alignment.score, w, None);
                let paired = paired_share(&alignment, qv);
                // Equal scores: the reading that accounts for more of the query.
                if best.is_none()
                    || effective > best_effective
                    || (effective == best_effective && paired > best_paired)
                {
                    best_effective = effective;
                    best_paired = paired;
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

/// The share of the query variant's tokens that an alignment paired.
fn paired_share(alignment: &Alignment, qv: &PreparedVariant) -> f64 {
    f64::from(alignment.query_used.count_ones()) / qv.tokens.len().max(1) as f64
}

/// The cache key of an alignment: everything `align` reads besides the
/// query (fixed for a cache) and the weights. The pattern names every field
/// of `PartyKind`, so a new one fails to compile here until the key carries it.
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
        self.scratch.memo.clear();
    }
}

/// How much the share of the query paired weighs in the tiebreak: less
/// than the query's own text, more than a primary name.
const PAIRED_TIEBREAK: f64 = 0.1;

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
        org: is_org(e.schema) || q.schema.is_some_and(is_org),
        person: e.schema == Schema::Person || q.schema == Some(Schema::Person),
    };
    if q.name.variants.is_empty() {
        return identifier_only(q, e, w, threshold, explain, kind);
    }
    let best = best_name(q, e, w, kind, cache)?;
    let ev = best.evidence(q, e, kind);
    let name_score = best.alignment.score;
    let mut qualifiers = Vec::new();
    let score = features::apply(None, &ev, name_score, w, explain.then_some(&mut qualifiers))
        .clamp(0.0, 1.0);
    // Equal scores: the name written exactly as queried first, then the
    // names that account for more of the query ("Общество Царьград":
    // TSARGRAD SOCIETY pairs both words, TSARGRAD OOO one), then primary names.
    let same_text = q.name.original.eq_ignore_ascii_case(&best.name.original);
    let paired = q
        .name
        .variants
        .get(best.q_variant)
        .map_or(0.0, |qv| paired_share(&best.alignment, qv));
    let tiebreak = f64::from(u8::from(same_text))
        + if best.prop == prop::NAME { 0.01 } else { 0.0 }
        + PAIRED_TIEBREAK * paired;
    let explanation = explain.then(|| {
        explanation(
            q, &best, name_score, qualifiers, score, threshold, w, kind, cache,
        )
    });
    Some(Scored {
        score: round3(score),
        explanation,
        tiebreak,
    })
}

/// A query without a name (identifiers, and perhaps a birth date or
/// country): no name to align, so the score starts from a name similarity
/// of 0 and only the party-stage features move it, as they would any score:
/// an identifier that matches exactly (`identifier`) lifts it to its floor,
/// and birth date, country and schema raise or lower it from there. The
/// party's first name stands as the matched name in the explanation.
fn identifier_only(
    q: &PreparedQuery,
    e: &PreparedEntity,
    w: &Weights,
    threshold: f64,
    explain: bool,
    kind: PartyKind,
) -> Option<Scored> {
    let (prop_name, listed) = e.names.first()?;
    let alignment = Alignment::default();
    let ev = Evidence {
        query: q,
        party: e,
        kind,
        property: prop_name,
        listed,
        alignment: &alignment,
    };
    let mut qualifiers = Vec::new();
    let score = features::apply(
        Some(Stage::Party),
        &ev,
        0.0,
        w,
        explain.then_some(&mut qualifiers),
    )
    .clamp(0.0, 1.0);
    let explanation = explain.then(|| {
        let mut x = Explanation {
            matched_name: listed.original.to_string(),
            matched_property: IDENTIFIER_ONLY.to_string(),
            query_form: String::new(),
            listed_form: String::new(),
            tokens: Vec::new(),
            unmatched_query: Vec::new(),
            unmatched_listed: Vec::new(),
            name_score: 0.0,
            qualifiers,
            score: round3(score),
            threshold,
            summary: String::new(),
        };
        x.summarise();
        x
    });
    Some(Scored {
        score: round3(score),
        explanation,
        tiebreak: 0.0,
    })
}

/// `matchedProperty` of a query screened without a name.
pub const IDENTIFIER_ONLY: &str = "identifierOnly";

/// The explanation of a scored party: the best pair of names aligned again
/// to have its pairs, and the features that applied.
#[allow(clippy::too_many_arguments)]
fn explanation(
    q: &PreparedQuery,
    best: &BestName,
    name_score: f64,
    qualifiers: Vec<super::explain::Qualifier>,
    score: f64,
    threshold: f64,
    w: &Weights,
    kind: PartyKind,
    cache: &mut ScoreCache,
) -> Explanation {
    let qv = &q.name.variants[best.q_variant];
    let nv = &best.name.variants[best.n_variant];
    let scratch = &mut cache.scratch;
    align(qv, nv, w, kind, scratch);
    let tokens = scratch
        .pairs
        .iter()
        .map(|p| TokenExplanation {
            query: qv.tokens[p.query].raw.to_string(),
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
            .map(|(_, t)| t.raw.to_string())
            .collect()
    };
    let a = &best.alignment;
    let mut explanation = Explanation {
        matched_name: best.name.original.to_string(),
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
    explanation
}

/// Rounds a score to three decimals, as results report it.
pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::{DEFAULT_WEIGHTS, Query, prepare_query};

    /// A query analysed as screening analyses it against `index`.
    pub(super) fn prepared(
        index: &crate::index::ScreeningIndex,
        name: &str,
        schema: Option<&str>,
    ) -> PreparedQuery {
        let mut q = Query::name(name);
        q.schema = schema.map(str::to_string);
        let mut pq = prepare_query(&q).expect("valid query").query;
        index.stats().mark_common(&mut pq.name);
        pq
    }

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
            let pq = prepared(&index, name, schema);
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

#[cfg(test)]
mod memo_tests {
    use super::tests::prepared;
    use super::*;
    use crate::matching::DEFAULT_WEIGHTS;

    /// Every alignment of a query's scoring, through the token memo the
    /// query's candidates share, pairs as a fresh alignment does.
    #[test]
    fn alignments_through_the_memo_are_those_without() {
        let index = crate::index::tests::index();
        let w = &DEFAULT_WEIGHTS;
        let mut memoised = 0;
        for (name, schema) in [
            ("Ali Hassan Al Rashid", Some("Person")),
            ("Abu Ali", None),
            ("Rashid Trading LLC", Some("Organization")),
            ("Хасан Рашид", None),
            ("Hasan Rashid Hasan", Some("Person")),
        ] {
            let pq = prepared(&index, name, schema);
            let mut cache = ScoreCache::default();
            cache.scratch.memo.start(&pq.name);
            for e in index.entities() {
                for org in [false, true] {
                    let kind = PartyKind { org, person: !org };
                    for qv in &pq.name.variants {
                        for nv in e.names.iter().flat_map(|(_, n)| &n.variants) {
                            let fresh = &mut Scratch::default();
                            let expected = align(qv, nv, w, kind, fresh);
                            let got = align(qv, nv, w, kind, &mut cache.scratch);
                            assert_eq!(got, expected, "{name}");
                            let pairs = |s: &Scratch| format!("{:?}", s.pairs);
                            assert_eq!(pairs(&cache.scratch), pairs(fresh), "{name}");
                            memoised += 1;
                        }
                    }
                }
            }
            assert!(
                cache.scratch.memo.rows() > 0,
                "{name}: the memo was not used"
            );
        }
        assert!(memoised > 100, "{memoised}");
    }
}

#[cfg(test)]
mod identifier_only_tests {
    use super::*;
    use crate::matching::{DEFAULT_WEIGHTS, Query, prepare_query};
    use crate::model::Entity;

    fn vessel() -> PreparedEntity {
        let mut e = Entity::new("test", "v1", Schema::Vessel);
        e.add(prop::NAME, "SEA STAR");
        e.add(prop::IMO_NUMBER, "IMO 9187629");
        PreparedEntity::new(&e)
    }

    #[test]
    fn an_exact_identifier_alone_reaches_the_identifier_floor() {
        let w = &DEFAULT_WEIGHTS;
        let e = vessel();
        for id in ["IMO9187629", "9187629", "imo 9187629"] {
            let q = Query {
                identifiers: vec![id.into()],
                ..Query::default()
            };
            let pq = prepare_query(&q).expect("identifier-only query").query;
            let s = score_entity(&pq, &e, w, w.threshold, true).expect("scored");
            assert_eq!(s.score, round3(w.identifier_match_floor), "{id}");
            let x = s.explanation.expect("explained");
            assert_eq!(x.matched_property, IDENTIFIER_ONLY);
            assert_eq!(x.qualifiers[0].feature, "identifier");
        }
        let other = Query {
            identifiers: vec!["9187628".into()],
            ..Query::default()
        };
        let pq = prepare_query(&other).expect("identifier-only query").query;
        let s = score_entity(&pq, &e, w, w.threshold, false).expect("scored");
        assert!(s.score < w.threshold, "{}", s.score);
    }
}
