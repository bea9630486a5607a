//! Screening as a library: the CLI, the HTTP API and the benchmarks all call
//! [`Matcher::screen`], [`Matcher::screen_many`] and [`Matcher::compare`] the
//! same way. Query analysis ([`query`], with [`Warning`]s for fields left
//! out) → candidates from the index → align every name of every candidate
//! ([`align`]) → the feature table ([`features`], numbers in [`weights`]) →
//! explanations ([`explain`]).

pub mod align;
pub mod batch;
pub mod explain;
pub mod features;
pub mod lists;
mod memo;
pub mod query;
pub mod score;
pub mod similarity;
pub mod warning;
pub mod weights;

pub use explain::Explanation;
pub use query::{Prepared, Query, QueryError};
pub use warning::Warning;
pub use weights::{DEFAULT_WEIGHTS, Weights};

use crate::analysis::{PreparedEntity, PreparedQuery, TokenStats};
use crate::index::ScreeningIndex;
use crate::model::{Entity, Schema, prop};
use score::{ScoreCache, score_entity, score_entity_cached};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;

thread_local! {
    /// Each thread's scoring cache, reused from query to query.
    static SCORE_CACHE: std::cell::Cell<ScoreCache> = std::cell::Cell::new(ScoreCache::default());
}

pub use crate::model::list_id::{COLLECTION_DEFAULT, COLLECTION_SANCTIONS};
pub use lists::ListRequest;

/// Per-call options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreenOptions {
    /// Alert threshold; `None` uses the default.
    pub threshold: Option<f64>,
    /// Most results returned.
    pub limit: usize,
    /// Results scoring below this are left out entirely.
    pub min_score: f64,
}

impl ScreenOptions {
    /// These options with a query's own threshold and limit, where it gives them.
    pub fn for_query(&self, q: &Query) -> ScreenOptions {
        ScreenOptions {
            threshold: q.threshold.or(self.threshold),
            limit: q.limit.unwrap_or(self.limit),
            min_score: self.min_score,
        }
    }
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            threshold: None,
            limit: 5,
            min_score: weights::DEFAULT_MIN_SCORE,
        }
    }
}

/// Upper bound on `limit`: 500 results per party, as yente allows.
pub const MAX_LIMIT: usize = 500;

/// The listed party of a result, in brief.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EntitySummary {
    pub id: String,
    pub schema: Schema,
    pub caption: String,
    pub datasets: Vec<String>,
}

impl EntitySummary {
    pub fn of(e: &Entity) -> EntitySummary {
        EntitySummary {
            id: e.id.clone(),
            schema: e.schema,
            caption: e.caption.clone(),
            datasets: e.datasets.clone(),
        }
    }

    /// The summary of a party the index serves (without reading its record).
    pub fn of_party(e: &PreparedEntity) -> EntitySummary {
        EntitySummary {
            id: e.id.clone(),
            schema: e.schema,
            caption: e.caption.clone(),
            datasets: e.datasets.iter().map(|d| d.to_string()).collect(),
        }
    }
}

/// One listed party that resembles the query.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MatchResult {
    pub entity: EntitySummary,
    pub score: f64,
    #[serde(rename = "match")]
    pub is_match: bool,
    pub explanation: Explanation,
}

/// What screening one party found: the results, best first, and the
/// warnings about query fields left out of scoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screening {
    pub matches: Vec<MatchResult>,
    /// How many candidates scored at least the cutoff (`min_score`, or the
    /// threshold if lower) before the cut at `limit`: more than
    /// `matches.len()` when the list was cut.
    #[serde(skip)]
    pub total: usize,
    /// False when the candidates retrieved filled the pool for `limit`:
    /// more parties may score above the cutoff, `total` is a lower bound.
    #[serde(skip)]
    pub total_exact: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// The result of comparing two records.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub score: f64,
    #[serde(rename = "match")]
    pub is_match: bool,
    pub explanation: Option<Explanation>,
    /// Fields of either record left out of scoring (`a.birthDate`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// Errors from screening.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

/// The screener over one immutable index.
#[derive(Debug, Clone)]
pub struct Matcher {
    index: Arc<ScreeningIndex>,
    weights: Weights,
}

impl Matcher {
    pub fn new(index: Arc<ScreeningIndex>) -> Matcher {
        Matcher {
            index,
            weights: DEFAULT_WEIGHTS,
        }
    }

    pub fn with_weights(index: Arc<ScreeningIndex>, weights: Weights) -> Matcher {
        Matcher { index, weights }
    }

    pub fn index(&self) -> &Arc<ScreeningIndex> {
        &self.index
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// Resolves list ids and collections into the set of list ids to search;
    /// `None` means every loaded list. See [`lists`]: an unknown or unloaded
    /// list, or a request that leaves nothing to search, is an error.
    pub fn resolve_lists(&self, names: &[String]) -> Result<Option<BTreeSet<String>>, QueryError> {
        self.select_lists(ListRequest::only(names))
    }

    /// [`Matcher::resolve_lists`] with a base and exclusions (yente's
    /// `{dataset}`, `include_dataset`, `exclude_dataset`).
    pub fn select_lists(
        &self,
        req: ListRequest<'_>,
    ) -> Result<Option<BTreeSet<String>>, QueryError> {
        let index_lists = self.index.lists();
        if req.base.is_none() && req.include.is_empty() && req.exclude.is_empty() {
            return if index_lists.is_empty() {
                Err(QueryError::NoListToSearch("no list is loaded".into()))
            } else {
                Ok(None)
            };
        }
        let loaded: BTreeSet<String> = index_lists.keys().cloned().collect();
        lists::Loaded {
            lists: &loaded,
            sanctions: self.index.sanctions_lists(),
        }
        .select(req)
    }

    /// `{list id: version}` of the lists a selection searches.
    pub fn list_versions(
        &self,
        selected: Option<&BTreeSet<String>>,
    ) -> std::collections::BTreeMap<String, String> {
        self.index
            .lists()
            .iter()
            .filter(|(id, _)| selected.is_none_or(|s| s.contains(*id)))
            .map(|(id, l)| (id.clone(), l.version.clone()))
            .collect()
    }

    /// Screens one party.
    pub fn screen(&self, query: &Query, opts: &ScreenOptions) -> Result<Screening, ScreenError> {
        let opts = &opts.for_query(query);
        let threshold = opts.threshold.unwrap_or(self.weights.threshold);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(QueryError::BadThreshold(threshold).into());
        }
        let Prepared {
            query: mut prepared,
            warnings,
        } = query.prepare()?;
        self.mark_common(&mut prepared);
        let lists = self.resolve_lists(&query.lists)?;
        nothing_to_screen(&prepared)?;
        let limit = opts.limit.clamp(1, MAX_LIMIT);
        let pool = (limit * self.weights.candidates_per_result).max(self.weights.min_candidates);
        let candidates = self
            .index
            .candidates(&prepared, lists.as_ref(), &query.topics, pool)?;
        let total_exact = candidates.len() < pool;
        self.index.touch(&candidates);
        let (matches, total) = self.rank(&prepared, candidates, threshold, opts.min_score, limit);
        Ok(Screening {
            matches: matches.into_iter().map(|(_, m)| m).collect(),
            total,
            total_exact,
            warnings,
        })
    }

    /// Scores the given parties (ordinals) cheaply, keeps the best `limit`
    /// at or above `min_score` (or the threshold, if lower), and explains
    /// those: the results, best first (equal scores: by the tiebreak, then
    /// by ordinal); and how many scored at least the cutoff before the cut.
    fn rank(
        &self,
        prepared: &PreparedQuery,
        ords: impl IntoIterator<Item = u32>,
        threshold: f64,
        min_score: f64,
        limit: usize,
    ) -> (Vec<(u32, MatchResult)>, usize) {
        // The thread's cache from its previous query, emptied (its table
        // keeps its size); put back below.
        let mut cache = SCORE_CACHE.with(std::cell::Cell::take);
        cache.clear();
        // Score every candidate cheaply, then explain only what is returned.
        let mut scored: Vec<(f64, f64, u32)> = ords
            .into_iter()
            .filter_map(|ord| {
                let e = self.index.entity(ord)?;
                let s =
                    score_entity_cached(prepared, e, &self.weights, threshold, false, &mut cache)?;
                (s.score >= min_score.min(threshold)).then_some((s.score, s.tiebreak, ord))
            })
            .collect();
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        let total = scored.len();
        scored.truncate(limit);
        let results = scored
            .into_iter()
            .filter_map(|(_, _, ord)| {
                let e = self.index.entity(ord)?;
                let s =
                    score_entity_cached(prepared, e, &self.weights, threshold, true, &mut cache)?;
                Some((
                    ord,
                    MatchResult {
                        entity: EntitySummary::of_party(e),
                        score: s.score,
                        is_match: s.score >= threshold,
                        explanation: s.explanation?,
                    },
                ))
            })
            .collect();
        SCORE_CACHE.with(|c| c.set(cache));
        (results, total)
    }

    /// Marks the tokens of a query analysed by [`prepare_query`] that the
    /// loaded lists make common: the one step of [`Matcher::screen`]'s
    /// analysis that reads the lists, for a caller that analyses a query
    /// once and keeps it across list versions (the monitor).
    pub fn mark_common(&self, prepared: &mut PreparedQuery) {
        self.index.stats().mark_common(&mut prepared.name);
    }

    /// Scores a query analysed by [`prepare_query`] and marked by
    /// [`Matcher::mark_common`] against
    /// the listed parties named by their ordinals in this matcher's index
    /// ([`crate::index::ScreeningIndex::entity`]) instead of those the index
    /// retrieves, exactly as [`Matcher::screen`] scores a candidate: the
    /// same token statistics, weights and threshold. Returns those scoring
    /// at least `opts.min_score` (or the threshold, if lower), best first,
    /// each with its party's ordinal and explanation, and no cut at
    /// `opts.limit`. For callers that choose the candidates themselves
    /// (the monitor).
    pub fn score_ordinals(
        &self,
        prepared: &PreparedQuery,
        ords: &[u32],
        opts: &ScreenOptions,
    ) -> Result<Vec<(u32, MatchResult)>, ScreenError> {
        let threshold = opts.threshold.unwrap_or(self.weights.threshold);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(QueryError::BadThreshold(threshold).into());
        }
        nothing_to_screen(prepared)?;
        Ok(self
            .rank(
                prepared,
                ords.iter().copied(),
                threshold,
                opts.min_score,
                usize::MAX,
            )
            .0)
    }

    /// Screens many parties in parallel over the cores; results keep the input order.
    pub fn screen_many(
        &self,
        queries: &[Query],
        opts: &ScreenOptions,
    ) -> Vec<Result<Screening, ScreenError>> {
        use rayon::prelude::*;
        queries.par_iter().map(|q| self.screen(q, opts)).collect()
    }

    /// Scores record `a` against record `b`, with the explanation, using the
    /// loaded lists' token statistics.
    pub fn compare(
        &self,
        a: &Query,
        b: &Query,
        threshold: Option<f64>,
    ) -> Result<Comparison, QueryError> {
        compare_with(a, b, self.index.stats(), &self.weights, threshold)
    }
}

/// Compares two records without an index (token weights from the built-in
/// list of common tokens only).
pub fn compare(a: &Query, b: &Query, threshold: Option<f64>) -> Result<Comparison, QueryError> {
    compare_with(a, b, &TokenStats::default(), &DEFAULT_WEIGHTS, threshold)
}

/// Compares two records with token weights from the loaded lists'
/// statistics (see `index::stats_from_store`), without the index itself.
pub fn compare_using(
    a: &Query,
    b: &Query,
    stats: &TokenStats,
    threshold: Option<f64>,
) -> Result<Comparison, QueryError> {
    compare_with(a, b, stats, &DEFAULT_WEIGHTS, threshold)
}

fn compare_with(
    a: &Query,
    b: &Query,
    stats: &TokenStats,
    w: &Weights,
    threshold: Option<f64>,
) -> Result<Comparison, QueryError> {
    let threshold = threshold.unwrap_or(w.threshold);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(QueryError::BadThreshold(threshold));
    }
    let Prepared {
        query: mut qa,
        warnings: warnings_a,
    } = a.prepare()?;
    stats.mark_common(&mut qa.name);
    let (entity, warnings_b) = query_as_entity(b)?;
    let mut eb = PreparedEntity::new(&entity);
    for (_, n) in &mut eb.names {
        stats.mark_common(n);
    }
    let side = |side: &'static str, warnings: Vec<Warning>| {
        warnings.into_iter().map(move |x| Warning {
            field: format!("{side}.{}", x.field),
            ..x
        })
    };
    let warnings = side("a", warnings_a).chain(side("b", warnings_b)).collect();
    let scored = score_entity(&qa, &eb, w, threshold, true);
    Ok(match scored {
        Some(s) => Comparison {
            score: s.score,
            is_match: s.score >= threshold,
            explanation: s.explanation,
            warnings,
        },
        None => Comparison {
            score: 0.0,
            is_match: false,
            explanation: None,
            warnings,
        },
    })
}

/// Turns a query-shaped record into an entity so it can stand on the listed
/// side, its fields read as a query's are (with the same warnings).
fn query_as_entity(q: &Query) -> Result<(Entity, Vec<Warning>), QueryError> {
    let Prepared {
        query: read,
        warnings,
    } = q.prepare()?;
    let schema = read.schema.unwrap_or(Schema::LegalEntity);
    let mut e = Entity::new("query", q.id.as_deref().unwrap_or("b"), schema);
    e.add(prop::NAME, &q.full_name());
    for (p, v) in [
        (prop::FIRST_NAME, &q.first_name),
        (prop::MIDDLE_NAME, &q.middle_name),
        (prop::FATHER_NAME, &q.father_name),
        (prop::LAST_NAME, &q.last_name),
    ] {
        if let Some(v) = v {
            e.add(p, v);
        }
    }
    for d in &read.birth_dates {
        e.add(prop::BIRTH_DATE, d);
    }
    for c in &read.countries {
        e.add(prop::COUNTRY, c);
    }
    for id in &read.identifiers {
        e.add(prop::ID_NUMBER, id);
    }
    Ok((e, warnings))
}

/// A query needs a name with a part to compare, or an identifier: one
/// with neither is refused, never answered as if clean.
fn nothing_to_screen(q: &PreparedQuery) -> Result<(), QueryError> {
    match (q.name.is_empty(), q.identifiers.is_empty()) {
        (false, _) | (true, false) => Ok(()),
        (true, true) if q.name.original.trim().is_empty() => Err(QueryError::NoIdentifier),
        (true, true) => Err(QueryError::NoNameTokens),
    }
}

/// Analyses a query once (see [`Query::prepare`]).
pub fn prepare_query(q: &Query) -> Result<Prepared, QueryError> {
    q.prepare()
}
