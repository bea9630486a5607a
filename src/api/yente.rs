//! The yente-compatible API (the shape of OpenSanctions' yente service), so
//! existing clients of that API can switch without code changes:
//! `POST /match/{dataset}`, `GET /search/{dataset}`, `GET /entities/{id}`,
//! `GET /catalog` (the service endpoints beside them are in `yente_meta`).
//! `{dataset}` is a loaded list id or a collection (`default` = every loaded
//! list, `sanctions` = the official sanctions lists).
//!
//! Like yente, request bodies tolerate fields this service does not use
//! (unknown properties; `weights` and `config`, which come back as a
//! warning on each query's response). Unlike a lenient service, a
//! query that cannot be screened (no name, a name over the length limit, an
//! unknown schema) fails the whole request with a 4xx naming the query key:
//! a client that ignores per-query status must not take "not screened" for
//! "no match". A secondary field that cannot be read (a bad birth date, a
//! country that is not one) and names beyond the per-query limit are left
//! out with a `warnings` entry on that query's response.

use super::body::Json;
use super::error::{ApiError, ErrorBody};
use super::metrics::Api;
use super::native::{list_overview, lookup_entity};
use super::params::Params;
use super::{AppState, blocking};
use crate::matching::{
    Explanation, ListRequest, MatchResult, Query, ScreenOptions, Screening, Warning, weights,
};
use crate::model::{Entity, Schema};
use crate::service::Served;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Properties holding names of the party.
const NAME_PROPS: [&str; 4] = ["name", "alias", "previousName", "weakAlias"];
/// Properties holding countries (ISO codes or names).
const COUNTRY_PROPS: [&str; 8] = [
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "flag",
    "birthCountry",
    "mainCountry",
    "registrationCountry",
];
/// Properties holding identifiers.
const IDENTIFIER_PROPS: [&str; 20] = [
    "idNumber",
    "passportNumber",
    "taxNumber",
    "registrationNumber",
    "imoNumber",
    "mmsi",
    "swiftBic",
    "bicCode",
    "innCode",
    "ogrnCode",
    "leiCode",
    "vatCode",
    "okpoCode",
    "dunsCode",
    "uscCode",
    "npiCode",
    "callSign",
    "serialNumber",
    "cryptoWallet",
    "publicKey",
];
/// Most birth dates per query (each is one screening per name).
const MAX_DATES: usize = 4;
/// Most values per property.
const MAX_VALUES: usize = 64;
/// Lowest score `/search` returns.
pub(super) const SEARCH_MIN_SCORE: f64 = 0.3;

/// One query of a `/match` body: an FtM-shaped example entity.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct EntityExample {
    #[serde(default)]
    pub id: Option<String>,
    pub schema: String,
    /// FtM properties: each a string or a list of strings.
    #[serde(default)]
    #[schema(value_type = HashMap<String, Vec<String>>)]
    pub properties: BTreeMap<String, Value>,
}

/// Body of `POST /match/{dataset}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MatchBody {
    pub queries: BTreeMap<String, EntityExample>,
    /// yente scoring weights: read, not applied (the calibrated feature
    /// table scores); each query's response then carries a warning saying so.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// yente algorithm configuration: read, not applied (screener's matcher
    /// takes none); each query's response carries a warning saying so.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: serde_json::Map<String, Value>,
}

/// The example as echoed back: every property as a list of strings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueryOut {
    id: Option<String>,
    schema: String,
    properties: BTreeMap<String, Vec<String>>,
}

fn prop_values(key: &str, prop: &str, v: &Value) -> Result<Vec<String>, ApiError> {
    let bad = || {
        ApiError::unprocessable(
            "invalid_request",
            format!("query '{key}': property '{prop}' must be a string or a list of strings"),
        )
    };
    let one = |v: &Value| -> Result<Option<String>, ApiError> {
        match v {
            Value::String(s) => Ok(Some(s.clone())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Null => Ok(None),
            _ => Err(bad()),
        }
    };
    let out: Vec<String> = match v {
        Value::Array(items) => {
            if items.len() > MAX_VALUES {
                return Err(ApiError::unprocessable(
                    "too_many_values",
                    format!(
                        "query '{key}': property '{prop}' has {} values; the limit is {MAX_VALUES}",
                        items.len()
                    ),
                ));
            }
            items
                .iter()
                .map(one)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect()
        }
        other => one(other)?.into_iter().collect(),
    };
    let mut dedup: Vec<String> = Vec::with_capacity(out.len());
    for s in out {
        let s = s.trim().to_string();
        if !s.is_empty() && !dedup.contains(&s) {
            dedup.push(s);
        }
    }
    Ok(dedup)
}

/// The screenings one example needs (one per name and birth date), its
/// echo, and the warnings about names left out.
pub(super) fn example_queries(
    key: &str,
    ex: &EntityExample,
    lists: &[String],
    max_names: usize,
) -> Result<(Vec<Query>, QueryOut, Vec<Warning>), ApiError> {
    let tag = |e: ApiError| ApiError {
        detail: format!("query '{key}': {}", e.detail),
        ..e
    };
    let schema = match ex.schema.trim() {
        "Thing" | "" => None,
        s => Some(Schema::from_name(s).ok_or_else(|| {
            ApiError::unprocessable(
                "unknown_schema",
                format!("query '{key}': schema '{s}' cannot be screened (use Person, Organization, Company, LegalEntity, Vessel, Airplane)"),
            )
        })?),
    };
    let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (p, v) in &ex.properties {
        let values = prop_values(key, p, v)?;
        if !values.is_empty() {
            props.insert(p.clone(), values);
        }
    }
    let get = |p: &str| props.get(p).map(Vec::as_slice).unwrap_or(&[]);
    let mut names: Vec<String> = Vec::new();
    for p in NAME_PROPS {
        for n in get(p) {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    let first = |p: &str| get(p).first().cloned();
    let parts = (
        first("firstName"),
        first("middleName").or_else(|| first("secondName")),
        first("fatherName"),
        first("lastName"),
    );
    // Names past the limit are not screened, and the answer says so: the
    // work of one query stays bounded, and the others still count.
    let mut warnings = Vec::new();
    if names.len() > max_names {
        warnings.push(Warning::new(
            "name",
            &names[max_names..].join("; "),
            format!(
                "{} names given: the first {max_names} were screened, these were not (limits.max_names_per_query); send them as another query",
                names.len()
            ),
        ));
        names.truncate(max_names);
    }
    let dates = get("birthDate");
    if dates.len() > MAX_DATES {
        return Err(ApiError::unprocessable(
            "too_many_values",
            format!(
                "query '{key}' has {} birth dates; the limit is {MAX_DATES}",
                dates.len()
            ),
        ));
    }
    let mut countries: Vec<String> = Vec::new();
    for p in COUNTRY_PROPS {
        for c in get(p) {
            if !countries.contains(c) {
                countries.push(c.clone());
            }
        }
    }
    let mut identifiers: Vec<String> = Vec::new();
    for p in IDENTIFIER_PROPS {
        for i in get(p) {
            if !identifiers.contains(i) {
                identifiers.push(i.clone());
            }
        }
    }
    let base = Query {
        id: ex.id.clone(),
        schema: schema.map(|s| s.as_str().to_string()),
        countries,
        identifiers,
        lists: lists.to_vec(),
        ..Query::default()
    };
    let mut name_queries: Vec<Query> = names
        .iter()
        .map(|n| Query {
            name: n.clone(),
            ..base.clone()
        })
        .collect();
    if name_queries.is_empty() {
        name_queries.push(Query {
            first_name: parts.0,
            middle_name: parts.1,
            father_name: parts.2,
            last_name: parts.3,
            ..base.clone()
        });
    }
    let mut queries = Vec::new();
    for q in name_queries {
        if dates.is_empty() {
            queries.push(q);
        } else {
            for d in dates {
                queries.push(Query {
                    birth_date: Some(d.clone()),
                    ..q.clone()
                });
            }
        }
    }
    for q in &queries {
        q.validate().map_err(|e| tag(e.into()))?;
    }
    Ok((
        queries,
        QueryOut {
            id: ex.id.clone(),
            schema: ex.schema.clone(),
            properties: props,
        },
        warnings,
    ))
}

/// The lists a `{dataset}` path segment and the include/exclude parameters
/// select (never empty). A `{dataset}` that is not loaded is a 404, as in
/// yente; a bad `include_dataset` / `exclude_dataset`, or a choice that
/// leaves nothing to search, a 400 naming it.
pub(super) fn dataset_scope(
    served: &Served,
    dataset: &str,
    include: &[String],
    exclude: &[String],
) -> Result<Vec<String>, ApiError> {
    let matcher = &served.matcher;
    let base = ListRequest {
        base: Some(dataset),
        ..ListRequest::default()
    };
    matcher.select_lists(base).map_err(|e| {
        let mut e = ApiError::from(e);
        e.status = StatusCode::NOT_FOUND;
        e.code = "unknown_dataset";
        e.detail = format!("dataset in the path: {}", e.detail);
        e
    })?;
    let scope = matcher
        .select_lists(ListRequest {
            include,
            exclude,
            ..base
        })
        .map_err(|e| {
            let mut e = ApiError::from(e);
            e.status = StatusCode::BAD_REQUEST;
            e.detail = format!("include_dataset / exclude_dataset: {}", e.detail);
            e
        })?;
    Ok(match scope {
        Some(s) => s.into_iter().collect(),
        None => served.lists.keys().cloned().collect(),
    })
}

/// The `topics` parameter (repeatable), checked like the query's field; a
/// topic FtM does not know is a 400 naming it, as a bad dataset filter is.
fn topics_param(params: &Params) -> Result<Vec<String>, ApiError> {
    let topics = params.all("topics");
    crate::matching::query::check_topics(&topics).map_err(|e| {
        let mut e = ApiError::from(e);
        e.status = StatusCode::BAD_REQUEST;
        e.detail = format!("topics: {}", e.detail);
        e
    })?;
    Ok(topics)
}

/// `{name: value}` of a yente feature result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeatureResult {
    score: f64,
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    candidate: Option<String>,
}

fn features_of(expl: &Explanation) -> (BTreeMap<String, f64>, BTreeMap<String, FeatureResult>) {
    let mut features = BTreeMap::new();
    let mut explanations = BTreeMap::new();
    features.insert("name".to_string(), expl.name_score);
    explanations.insert(
        "name".to_string(),
        FeatureResult {
            score: expl.name_score,
            detail: Some(expl.summary.clone()),
            query: Some(expl.query_form.clone()),
            candidate: Some(expl.matched_name.clone()),
        },
    );
    // Each feature of the table applies at most once.
    for q in &expl.qualifiers {
        features.insert(q.feature.clone(), q.effect);
        explanations.insert(
            q.feature.clone(),
            FeatureResult {
                score: q.effect,
                detail: Some(q.detail.clone()),
                query: None,
                candidate: None,
            },
        );
    }
    (features, explanations)
}

/// An entity in yente's `EntityResponse` shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct YenteEntity<'a> {
    id: &'a str,
    caption: &'a str,
    schema: Schema,
    /// The party's properties with its linked `Sanction` and `CryptoWallet`
    /// entities nested under `sanctions` / `cryptoWallets`, as yente nests
    /// adjacent entities (`nested=true`).
    #[schema(value_type = HashMap<String, Vec<crate::model::PropertyValue>>)]
    pub(super) properties: Properties<'a>,
    datasets: &'a [String],
    /// The list-specific ids of a party that several lists name (its `id`
    /// is then the derived `NK-…` id); empty for a party listed once.
    referents: &'a [String],
    target: bool,
    first_seen: Option<String>,
    last_seen: Option<String>,
    last_change: Option<String>,
}

fn rfc3339(t: time::OffsetDateTime) -> Option<String> {
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// An entity's `properties` object: with the linked entities nested, or the
/// party's own properties only (the `entity` of an adjacency answer, whose
/// linked entities come beside it).
#[derive(Debug)]
pub enum Properties<'a> {
    Nested(&'a Entity),
    Own(&'a crate::model::Properties),
}

impl Serialize for Properties<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Properties::Nested(e) => crate::model::NestedProperties(e).serialize(s),
            Properties::Own(p) => p.serialize(s),
        }
    }
}

pub(super) fn yente_entity<'a>(served: &Served, e: &'a Entity) -> YenteEntity<'a> {
    let last_seen = e
        .datasets
        .iter()
        .filter_map(|d| served.lists.get(d).and_then(|v| v.fetched_at))
        .max()
        .and_then(rfc3339);
    YenteEntity {
        id: &e.id,
        caption: &e.caption,
        schema: e.schema,
        properties: Properties::Nested(e),
        datasets: &e.datasets,
        referents: &[],
        target: true,
        first_seen: None,
        last_seen,
        last_change: None,
    }
}

/// A party of several lists' records in yente's `EntityResponse` shape:
/// the merged entity with its `referents`.
pub(super) fn yente_party<'a>(served: &Served, p: &'a crate::linking::Party) -> YenteEntity<'a> {
    YenteEntity {
        referents: &p.referents,
        ..yente_entity(served, &p.entity)
    }
}

/// What a result shows: the entity (a record, or its party merged over
/// the lists in scope) and its referents.
type Shaped<'a> = (Cow<'a, Entity>, Cow<'a, [String]>);

/// The entity a result stands for: its party as the lists in `scope` know
/// it ([`crate::linking::Party::scoped`]), or the record itself.
fn shape<'a>(
    served: &'a Served,
    m: &MatchResult,
    party: Option<&'a crate::linking::Party>,
    scope: &BTreeSet<String>,
) -> Option<Shaped<'a>> {
    let index = served.matcher.index();
    Some(match party {
        Some(p) => p.scoped(|l| scope.contains(l), |id| index.listed(id)),
        None => (
            Cow::Owned(index.listed(&m.entity.id)?),
            Cow::Borrowed(&[][..]),
        ),
    })
}

fn shaped_entity<'a>(served: &Served, s: &'a Shaped<'_>) -> YenteEntity<'a> {
    YenteEntity {
        referents: &s.1,
        ..yente_entity(served, &s.0)
    }
}

/// Records screened beyond `limit` on `/match`, so that the results folded
/// into parties still fill the limit when a party's records are among the
/// best (a party is listed by at most a few publishers).
const FOLD_ROOM: usize = 4;

/// A scored result (`ScoredEntityResponse`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoredEntity<'a> {
    #[serde(flatten)]
    entity: YenteEntity<'a>,
    score: f64,
    features: BTreeMap<String, f64>,
    explanations: BTreeMap<String, FeatureResult>,
    #[serde(rename = "match")]
    is_match: bool,
    token: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Total {
    value: usize,
    #[schema(value_type = String)]
    relation: &'static str,
}

impl Total {
    /// A count known exactly.
    pub fn exact(value: usize) -> Total {
        Total {
            value,
            relation: "eq",
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntityMatches<'a> {
    status: u16,
    results: Vec<ScoredEntity<'a>>,
    total: Total,
    query: QueryOut,
    /// Fields of the query left out of scoring (not in yente; clients that
    /// do not know it ignore it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Warning>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeatureDoc {
    #[schema(value_type = String)]
    description: &'static str,
    coefficient: f64,
    url: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchResponse<'a> {
    responses: BTreeMap<String, EntityMatches<'a>>,
    /// `{list id: version}` of every list the queries were screened against
    /// (a screener extension; yente clients ignore it).
    list_versions: BTreeMap<String, String>,
    #[schema(value_type = HashMap<String, FeatureDoc>)]
    matcher: BTreeMap<&'static str, FeatureDoc>,
    limit: usize,
}

/// The feature documentation, from the scorer's feature table.
pub(super) fn matcher_docs(w: &crate::matching::Weights) -> BTreeMap<&'static str, FeatureDoc> {
    use crate::matching::features::{FEATURES, NAME_SIMILARITY};
    let (name, description) = NAME_SIMILARITY;
    let doc = |description, coefficient| FeatureDoc {
        description,
        coefficient,
        url: None,
    };
    let mut docs = BTreeMap::from([(name, doc(description, 1.0))]);
    for f in &FEATURES {
        docs.insert(f.name, doc(f.description, (f.coefficient)(w)));
    }
    docs
}

/// Merges the results of several screenings of one example: best score per
/// entity, the best `limit`; and the number of distinct entities before the cut.
pub(super) fn merge(
    results: Vec<Vec<MatchResult>>,
    exclude_ids: &BTreeSet<String>,
    exclude_schemas: &BTreeSet<String>,
    limit: usize,
) -> (Vec<MatchResult>, usize) {
    let mut best: HashMap<String, MatchResult> = HashMap::new();
    for m in results.into_iter().flatten() {
        if exclude_ids.contains(&m.entity.id) || exclude_schemas.contains(m.entity.schema.as_str())
        {
            continue;
        }
        match best.get(&m.entity.id) {
            Some(b) if b.score >= m.score => {}
            _ => {
                best.insert(m.entity.id.clone(), m);
            }
        }
    }
    let mut out: Vec<MatchResult> = best.into_values().collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.entity.id.cmp(&b.entity.id))
    });
    let distinct = out.len();
    out.truncate(limit);
    (out, distinct)
}

/// Match entities (yente)
///
/// yente's matching API. `dataset` is a list id,
/// `default` or `sanctions`. At most `{limits.max_batch}` queries and
/// `{limits.max_names_per_query}` names per query; each name x birth date is
/// one screening.
#[utoipa::path(
    post,
    path = "/match/{dataset}",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection (`default`, `sanctions`).", example = "default"),
        ("threshold" = Option<f64>, Query, minimum = 0.0, maximum = 1.0, description = "Match threshold (0-1) on yente's score scale, default 0.70 as in yente. Mapped onto screener's score scale by the table measured against yente's own matcher, so that alerting is comparable to yente's (docs/API.md, \"Calibration against yente\"). `score` in the results is screener's; `match` is the decision at the mapped threshold."),
        ("cutoff" = Option<f64>, Query, minimum = 0.0, maximum = 1.0, description = "Lowest score returned (0-1) on yente's score scale, default 0.50 as in yente; mapped like `threshold`."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 500, description = "Results per query (default 5)."),
        ("include_dataset" = Option<Vec<String>>, Query, description = "Only these lists (repeatable)."),
        ("exclude_dataset" = Option<Vec<String>>, Query, description = "Not these lists (repeatable)."),
        ("exclude_schema" = Option<Vec<String>>, Query, description = "Not these schemata (repeatable)."),
        ("topics" = Option<Vec<crate::model::topics::Topic>>, Query, description = "Only parties with any of these FtM topics (repeatable)."),
        ("exclude_entity_ids" = Option<Vec<String>>, Query, description = "Not these entity ids (repeatable)."),
        ("algorithm" = Option<String>, Query, description = "yente's algorithm name; every accepted name (GET /algorithms) is answered by screener's matcher. Another name is 400."),
        ("changed_since" = Option<String>, Query, description = "Only entities added or changed since this UTC time (YYYY-MM-DD, optionally THH, THH:MM, THH:MM:SS); otherwise 422.")
    ),
    request_body(
        content = MatchBody,
        example = json!({"queries": {"q1": {"schema": "Person", "properties": {"name": ["Ali Khamenei"], "birthDate": ["1939"], "nationality": ["ir"]}}}})
    ),
    responses(
        (status = 200, description = "One response per query key.", body = MatchResponse),
        (status = 400, description = "An unknown `algorithm`, or a bad query parameter: `include_dataset` / `exclude_dataset` naming a list that is not loaded or leaving nothing to search, or an unknown topic.", body = ErrorBody),
        (status = 404, description = "The dataset is not loaded.", body = ErrorBody),
        (status = 413, description = "Too many queries or screenings.", body = ErrorBody),
        (status = 422, description = "A query cannot be screened (no name, name too long, unknown schema; the detail names the query key), or `changed_since` is not a date.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn match_entities(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    Json(body): Json<MatchBody>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    super::yente_meta::check_algorithm(&params)?;
    let tuning_warnings = super::yente_meta::tuning_warnings(&body.weights, &body.config);
    let limits = &state.config.limits;
    let limit = params.usize("limit")?.unwrap_or(5);
    let threshold = params.f64("threshold")?;
    let mut opts = super::native::screen_options(&state, threshold, Some(limit))?;
    let cutoff = params.f64("cutoff")?;
    if let Some(cutoff) = cutoff.filter(|c| !(0.0..=1.0).contains(c)) {
        return Err(ApiError::unprocessable(
            "invalid_cutoff",
            format!("cutoff {cutoff} is outside [0, 1]"),
        ));
    }
    // Both are on yente's scale, yente's defaults when absent: mapped onto
    // screener's so that a yente client alerts comparably.
    opts.threshold = Some(weights::from_yente_scale(
        threshold.unwrap_or(weights::YENTE_THRESHOLD),
    ));
    opts.min_score = weights::from_yente_scale(cutoff.unwrap_or(weights::YENTE_CUTOFF));
    let exclude_ids: BTreeSet<String> = params.all("exclude_entity_ids").into_iter().collect();
    let topics = topics_param(&params)?;
    let exclude_schemas: BTreeSet<String> = params.all("exclude_schema").into_iter().collect();
    if body.queries.len() > limits.max_batch {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!(
                "{} queries; the limit is {} per request (limits.max_batch)",
                body.queries.len(),
                limits.max_batch
            ),
        ));
    }
    let served = state.served()?;
    let scope = dataset_scope(
        &served,
        &path.into_inner(),
        &params.all("include_dataset"),
        &params.all("exclude_dataset"),
    )?;
    let changed = super::yente_meta::changed_since(&state, &served, &params, &scope).await?;
    let scope = changed.as_ref().map_or(scope, |c| c.lists.clone());
    let scope_set: BTreeSet<String> = scope.iter().cloned().collect();
    // Nothing changed since `changed_since` in any list of the scope: every
    // query is answered with no result (the lists were looked at: their
    // change sets are empty), never screened against "no list".
    let nothing_changed = changed.is_some() && scope.is_empty();
    let lists = scope;
    type Planned = (String, Vec<Query>, QueryOut, Vec<Warning>);
    let mut plan: Vec<Planned> = Vec::with_capacity(body.queries.len());
    let mut screenings = 0;
    for (key, ex) in &body.queries {
        let (mut queries, echo, mut warnings) =
            example_queries(key, ex, &lists, limits.max_names_per_query)?;
        warnings.extend(tuning_warnings.iter().cloned());
        for q in &mut queries {
            q.topics.clone_from(&topics);
        }
        screenings += queries.len();
        plan.push((key.clone(), queries, echo, warnings));
    }
    if screenings > limits.max_batch {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!(
                "the request needs {screenings} screenings (queries x names x birth dates); the limit is {} (limits.max_batch)",
                limits.max_batch
            ),
        ));
    }
    // Room for results that the exclusions remove afterwards, and for the
    // records that fold into a party of a better one.
    opts.limit = (limit + exclude_ids.len() + FOLD_ROOM)
        .min(limits.max_limit)
        .max(limit);
    if changed.as_ref().is_some_and(|c| !c.only.is_empty()) {
        opts.limit = limits.max_limit.max(limit);
    }
    let worker = Arc::clone(&served);
    let (plan, results) = blocking(move || {
        use rayon::prelude::*;
        let flat: Vec<(usize, &Query)> = plan
            .iter()
            .enumerate()
            .flat_map(|(i, (_, qs, _, _))| qs.iter().map(move |q| (i, q)))
            .collect();
        let screened: Vec<(usize, Result<Screening, ApiError>)> = if nothing_changed {
            Vec::new()
        } else {
            flat.par_iter()
                .map(|(i, q)| (*i, worker.matcher.screen(q, &opts).map_err(ApiError::from)))
                .collect()
        };
        let mut per_query: Vec<(Vec<Vec<MatchResult>>, usize, bool)> =
            plan.iter().map(|_| (Vec::new(), 0, true)).collect();
        let mut plan = plan;
        for (i, r) in screened {
            let Screening {
                mut matches,
                mut total,
                mut total_exact,
                warnings,
            } = r?;
            // Only what changed since `changed_since` in a partly changed
            // list; the count is then of what is left, a lower bound.
            if let Some(c) = changed.as_ref().filter(|c| !c.only.is_empty()) {
                matches.retain(|m| c.keeps(&m.entity.id));
                total = matches.len();
                total_exact = false;
            }
            if let (Some((slot, most, exact)), Some((_, _, _, out))) =
                (per_query.get_mut(i), plan.get_mut(i))
            {
                slot.push(matches);
                *most = (*most).max(total);
                *exact &= total_exact;
                // The same field warns once, whichever name it was screened with.
                for w in warnings {
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
            }
        }
        Ok::<_, ApiError>((plan, per_query))
    })
    .await??;
    let mut answered = Vec::with_capacity(plan.len());
    let mut alerts = 0;
    for ((key, _, echo, warnings), (per, most, counted_all)) in plan.into_iter().zip(results) {
        let screenings = per.len();
        // Every record screened, folded into parties (yente returns merged
        // entities), then cut at the limit.
        let (merged, distinct) = merge(per, &exclude_ids, &exclude_schemas, usize::MAX);
        let records = merged.len();
        alerts += u64::from(merged.iter().any(|m| m.is_match));
        let folded = served
            .matcher
            .index()
            .links()
            .fold(merged, |m| m.entity.id.as_str());
        let folded_away = records - folded.len();
        // Matches at or above the cutoff, not just those returned. One
        // screening that scored every candidate there was, without
        // exclusions, knows the exact number; otherwise (the candidate pool
        // for the limit filled, several names x birth dates, exclusions)
        // it is a lower bound.
        let exact =
            counted_all && screenings == 1 && exclude_ids.is_empty() && exclude_schemas.is_empty();
        // Counted in parties: the records folded into another of their
        // party are not counted again. Exact only when every record at or
        // above the cutoff was in hand to fold.
        let exact = exact && most <= records;
        let total = Total {
            value: if exact {
                most - folded_away
            } else {
                distinct
                    .max(most.saturating_sub(exclude_ids.len()))
                    .saturating_sub(folded_away)
            },
            relation: if exact { "eq" } else { "gte" },
        };
        let shaped: Vec<(MatchResult, Shaped)> = folded
            .into_iter()
            // Excluding a party, or any of its records, excludes the party.
            .filter(|(_, p)| {
                p.is_none_or(|p| {
                    !exclude_ids.contains(&p.id)
                        && !p.referents.iter().any(|r| exclude_ids.contains(r))
                })
            })
            .take(limit)
            .filter_map(|(m, party)| {
                let s = shape(&served, &m, party, &scope_set)?;
                Some((m, s))
            })
            .collect();
        answered.push((key, echo, warnings, total, shaped));
    }
    let mut responses = BTreeMap::new();
    for (key, echo, warnings, total, shaped) in &answered {
        let scored: Vec<ScoredEntity> = shaped
            .iter()
            .map(|(m, shaped)| {
                let (features, explanations) = features_of(&m.explanation);
                ScoredEntity {
                    entity: shaped_entity(&served, shaped),
                    score: m.score,
                    features,
                    explanations,
                    is_match: m.is_match,
                    token: None,
                }
            })
            .collect();
        responses.insert(
            key.clone(),
            EntityMatches {
                status: 200,
                total: total.clone(),
                results: scored,
                query: echo.clone(),
                warnings: warnings.clone(),
            },
        );
    }
    state
        .metrics
        .screened(Api::Match, responses.len() as u64, alerts);
    Ok(HttpResponse::Ok().json(MatchResponse {
        responses,
        list_versions: served.versions(Some(&scope_set)),
        matcher: matcher_docs(served.matcher.weights()),
        limit,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchHit<'a> {
    #[serde(flatten)]
    entity: YenteEntity<'a>,
    score: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResponse<'a> {
    limit: usize,
    offset: usize,
    total: Total,
    results: Vec<SearchHit<'a>>,
    #[schema(value_type = Object)]
    facets: BTreeMap<String, Value>,
}

/// Search by name (yente)
///
/// A name search with the matcher at a low threshold.
#[utoipa::path(
    get,
    path = "/search/{dataset}",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection.", example = "default"),
        ("q" = String, Query, description = "A name.", example = "Bout"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 500, description = "Results (default 10); limit + offset at most 500."),
        ("offset" = Option<usize>, Query, description = "Skip this many."),
        ("schema" = Option<String>, Query, description = "Only this schema."),
        ("countries" = Option<Vec<String>>, Query, description = "Countries of the party (repeatable)."),
        ("include_dataset" = Option<Vec<String>>, Query, description = "Only these lists (repeatable)."),
        ("exclude_dataset" = Option<Vec<String>>, Query, description = "Not these lists (repeatable)."),
        ("topics" = Option<Vec<crate::model::topics::Topic>>, Query, description = "Only parties with any of these FtM topics (repeatable)."),
        ("changed_since" = Option<String>, Query, description = "Only entities added or changed since this UTC time (YYYY-MM-DD, optionally THH, THH:MM, THH:MM:SS); otherwise 422.")
    ),
    responses(
        (status = 200, description = "Entities resembling the name.", body = SearchResponse),
        (status = 400, description = "Missing `q`, or a bad parameter, dataset filter or topic.", body = ErrorBody),
        (status = 404, description = "The dataset is not loaded.", body = ErrorBody),
        (status = 422, description = "The name cannot be searched, or limit + offset is out of range.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    let q = params
        .get("q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "missing_parameter",
                "query parameter 'q' (a name) is required",
            )
        })?
        .to_string();
    let limit = params.usize("limit")?.unwrap_or(10);
    let offset = params.usize("offset")?.unwrap_or(0);
    let max = state.config.limits.max_limit;
    if limit == 0 || limit + offset > max {
        return Err(ApiError::unprocessable(
            "limit_too_large",
            format!("limit + offset must be between 1 and {max} (limits.max_limit)"),
        ));
    }
    let schema = match params
        .get("schema")
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "Thing")
    {
        None => None,
        Some(s) => Some(Schema::from_name(s).ok_or_else(|| {
            ApiError::unprocessable("unknown_schema", format!("schema '{s}' cannot be searched"))
        })?),
    };
    let served = state.served()?;
    let scope = dataset_scope(
        &served,
        &path.into_inner(),
        &params.all("include_dataset"),
        &params.all("exclude_dataset"),
    )?;
    let changed = super::yente_meta::changed_since(&state, &served, &params, &scope).await?;
    let scope = changed.as_ref().map_or(scope, |c| c.lists.clone());
    let nothing_changed = scope.is_empty();
    let scope_set: BTreeSet<String> = scope.iter().cloned().collect();
    let query = Query {
        name: q,
        schema: schema.map(|s| s.as_str().to_string()),
        countries: params.all("countries"),
        lists: scope,
        topics: topics_param(&params)?,
        ..Query::default()
    };
    query.validate()?;
    let opts = ScreenOptions {
        threshold: Some(SEARCH_MIN_SCORE),
        limit: if changed.as_ref().is_some_and(|c| !c.only.is_empty()) {
            max
        } else {
            limit + offset
        },
        min_score: SEARCH_MIN_SCORE,
    };
    let worker = Arc::clone(&served);
    let mut results = if nothing_changed {
        // `changed_since` after every version: nothing changed to search.
        Vec::new()
    } else {
        blocking(move || worker.matcher.screen(&query, &opts).map(|s| s.matches)).await??
    };
    if let Some(c) = &changed {
        results.retain(|m| c.keeps(&m.entity.id));
    }
    state.metrics.screened(Api::Search, 1, 0);
    let kept: Vec<&MatchResult> = results
        .iter()
        .filter(|m| schema.is_none_or(|s| m.entity.schema == s))
        .collect();
    let shaped: Vec<(&MatchResult, Shaped)> = served
        .matcher
        .index()
        .links()
        .fold(kept, |m| m.entity.id.as_str())
        .into_iter()
        .skip(offset)
        .filter_map(|(m, party)| Some((m, shape(&served, m, party, &scope_set)?)))
        .collect();
    let hits: Vec<SearchHit> = shaped
        .iter()
        .map(|(m, shaped)| SearchHit {
            entity: shaped_entity(&served, shaped),
            score: m.score,
        })
        .collect();
    Ok(HttpResponse::Ok().json(SearchResponse {
        limit,
        offset,
        total: Total {
            value: hits.len() + offset.min(results.len()),
            relation: if results.len() >= limit + offset {
                "gte"
            } else {
                "eq"
            },
        },
        results: hits,
        facets: BTreeMap::new(),
    }))
}

/// Get an entity (yente)
///
/// An entity in yente's `EntityResponse` shape.
#[utoipa::path(
    get,
    path = "/entities/{id}",
    tag = "yente",
    params(("id" = String, Path, description = "Entity id.", example = "us_ofac_sdn:7379")),
    responses(
        (status = 200, description = "The entity; for a party id (`NK-…`) the merged party with its `referents`.", body = YenteEntity),
        (status = 308, description = "The id is a referent of a party that several lists name: `Location` is the party's `/entities/{id}`, as yente redirects referents to their canonical entity."),
        (status = 400, description = "Malformed id.", body = ErrorBody),
        (status = 404, description = "Unknown entity.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn entity(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let served = state.served()?;
    if let Some(p) = served.matcher.index().links().resolve(&id) {
        if p.id == id {
            return Ok(HttpResponse::Ok().json(yente_party(&served, p)));
        }
        // A referent moves to its party for good, as in yente.
        let query = req.query_string();
        let location = if query.is_empty() {
            format!("/entities/{}", p.id)
        } else {
            format!("/entities/{}?{query}", p.id)
        };
        return Ok(HttpResponse::PermanentRedirect()
            .insert_header((actix_web::http::header::LOCATION, location))
            .finish());
    }
    let (served, entity) = lookup_entity(&state, &id)?;
    Ok(HttpResponse::Ok().json(yente_entity(&served, &entity)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DatasetOut {
    name: String,
    title: String,
    summary: Option<String>,
    url: Option<String>,
    load: bool,
    entities_url: Option<String>,
    /// yente's form: `YYYYMMDDhhmmss-<suffix>` (the time the version was
    /// taken, then the first characters of its content hash).
    version: String,
    index_version: Option<String>,
    index_current: bool,
    children: Vec<String>,
    entity_count: usize,
    /// When the data last changed (the version's time).
    last_change: Option<String>,
    /// When the service last looked for a new version.
    updated_at: Option<String>,
    /// screener's own version name (a screener extension).
    screener_version: Option<String>,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    kind: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CatalogResponse {
    datasets: Vec<DatasetOut>,
    current: Vec<String>,
    outdated: Vec<String>,
    index_stale: bool,
}

/// Data catalog (yente)
///
/// The loaded lists and the two collections.
#[utoipa::path(
    get,
    path = "/catalog",
    tag = "yente",
    responses((status = 200, description = "Lists and collections.", body = CatalogResponse))
)]
pub async fn catalog(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (served, lists) = list_overview(&state).await?;
    let mut datasets = Vec::new();
    let mut current = Vec::new();
    let mut outdated = Vec::new();
    let mut all_children = Vec::new();
    let mut sanction_children = Vec::new();
    let (mut all_count, mut sanction_count) = (0, 0);
    for l in &lists {
        let own_version = l.version.clone().or_else(|| l.pending_version.clone());
        let version = own_version
            .as_deref()
            .map(|v| yente_version(v, l.fetched_at, l.sha256.as_deref().unwrap_or(v)))
            .unwrap_or_default();
        let last_change = l
            .fetched_at
            .and_then(rfc3339)
            .or_else(|| l.published.clone());
        let updated_at = l
            .last_attempt
            .and_then(rfc3339)
            .or_else(|| last_change.clone());
        if l.loaded {
            current.push(l.id.clone());
            all_children.push(l.id.clone());
            all_count += l.entities.unwrap_or(0);
            if l.sanctions {
                sanction_children.push(l.id.clone());
                sanction_count += l.entities.unwrap_or(0);
            }
        }
        if l.pending_version.is_some() {
            outdated.push(l.id.clone());
        }
        datasets.push(DatasetOut {
            name: l.id.clone(),
            title: l.title.clone().unwrap_or_else(|| l.id.clone()),
            summary: None,
            url: super::yente_meta::public_urls(&l.source_urls)
                .into_iter()
                .next(),
            load: l.loaded,
            entities_url: None,
            index_version: l.loaded.then(|| version.clone()),
            version,
            index_current: l.loaded && l.pending_version.is_none(),
            children: Vec::new(),
            entity_count: if l.loaded { l.entities.unwrap_or(0) } else { 0 },
            last_change,
            updated_at,
            screener_version: own_version,
            kind: "source",
        });
    }
    let built = served.as_ref().and_then(|s| rfc3339(s.built_at));
    // A collection's version is its index generation's: when it was built,
    // then the generation number.
    let generation = served.as_ref().map_or_else(String::new, |s| {
        format!("{}-g{}", yente_stamp(s.built_at), s.generation)
    });
    for (name, title, children, count) in [
        (
            crate::matching::COLLECTION_DEFAULT,
            "All loaded lists",
            all_children,
            all_count,
        ),
        (
            crate::matching::COLLECTION_SANCTIONS,
            "Official sanctions lists",
            sanction_children,
            sanction_count,
        ),
    ] {
        if served.is_some() {
            current.push(name.to_string());
        }
        datasets.push(DatasetOut {
            name: name.to_string(),
            title: title.to_string(),
            summary: None,
            url: None,
            load: served.is_some(),
            entities_url: None,
            version: generation.clone(),
            index_version: served.as_ref().map(|_| generation.clone()),
            index_current: served.is_some(),
            children,
            entity_count: count,
            last_change: built.clone(),
            updated_at: built.clone(),
            screener_version: None,
            kind: "collection",
        });
    }
    let body = serde_json::to_vec(&CatalogResponse {
        datasets,
        current,
        index_stale: !outdated.is_empty(),
        outdated,
    })
    .map_err(|e| ApiError::internal(format!("catalog: {e}")))?;
    // A strong validator of the body: clients poll the catalog to learn of
    // new versions, and a 304 spares them the download.
    let etag = format!("\"{}\"", &crate::snapshot::sha256_hex(&body)[..32]);
    let unchanged = req
        .headers()
        .get(actix_web::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut out = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    out.insert_header((actix_web::http::header::ETAG, etag));
    Ok(if unchanged {
        out.finish()
    } else {
        out.content_type("application/json").body(body)
    })
}

/// `YYYYMMDDhhmmss` of a time (UTC), the stamp of yente's version strings.
fn yente_stamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A list version as yente writes versions (`YYYYMMDDhhmmss-<suffix>`,
/// which clients parse as a time): screener's version names
/// (`20261126T074000Z-01234567`) keep their time and hash; any other name
/// (a manifest's date, `2024-05-03`) takes its date when it starts with
/// one, else the time the version was taken, and the first eight
/// characters of the content hash.
pub fn yente_version(version: &str, taken: Option<time::OffsetDateTime>, sha256: &str) -> String {
    let digits: String = version
        .chars()
        .take_while(|c| c.is_ascii_digit() || "-TZ:".contains(*c))
        .filter(char::is_ascii_digit)
        .collect();
    let stamp = match digits.len() {
        14.. => digits[..14].to_string(),
        8 => format!("{digits}000000"),
        _ => taken.map_or_else(|| "19700101000000".to_string(), yente_stamp),
    };
    let suffix: String = match version.rsplit_once('-') {
        Some((head, hash))
            if head.ends_with('Z') && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            hash.to_string()
        }
        _ => sha256
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect(),
    };
    format!("{stamp}-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(schema: &str, props: Value) -> EntityExample {
        serde_json::from_value(serde_json::json!({"schema": schema, "properties": props}))
            .expect("example")
    }

    #[test]
    fn yente_versions_start_with_a_time() {
        let taken = time::macros::datetime!(2026-11-26 07:40:00 UTC);
        assert_eq!(
            yente_version("20261126T074000Z-01234567", Some(taken), "ffff"),
            "20261126074000-01234567"
        );
        assert_eq!(
            yente_version("2024-05-03", Some(taken), "abcdef0123456789"),
            "20240503000000-abcdef01"
        );
        assert_eq!(
            yente_version("v7", Some(taken), "abcdef0123456789"),
            "20261126074000-abcdef01"
        );
        assert_eq!(yente_stamp(taken), "20261126074000");
    }

    #[test]
    fn example_to_queries() {
        let e = ex(
            "Person",
            serde_json::json!({
                "name": ["Vladimir Putin", "Владимир Путин"],
                "birthDate": "1952-10-07",
                "nationality": ["ru"],
                "idNumber": [12345678],
                "address": "Moscow"
            }),
        );
        let (qs, echo, _) = example_queries("q1", &e, &["eu_fsf".into()], 8).expect("ok");
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].name, "Vladimir Putin");
        assert_eq!(qs[1].name, "Владимир Путин");
        assert_eq!(qs[0].birth_date.as_deref(), Some("1952-10-07"));
        assert_eq!(qs[0].countries, ["ru"]);
        assert_eq!(qs[0].identifiers, ["12345678"]);
        assert_eq!(qs[0].schema.as_deref(), Some("Person"));
        assert_eq!(echo.properties["address"], ["Moscow"]);
    }

    #[test]
    fn name_parts_and_errors() {
        let e = ex(
            "Person",
            serde_json::json!({"firstName": "Kim", "lastName": "Jong Un"}),
        );
        let (qs, _, _) = example_queries("k", &e, &[], 8).expect("ok");
        assert_eq!(qs[0].full_name(), "Kim Jong Un");
        let e = ex("Person", serde_json::json!({"birthDate": "1980"}));
        let err = example_queries("k", &e, &[], 8).unwrap_err();
        assert_eq!(err.code, "empty_name");
        assert!(err.detail.contains("query 'k'"));
        let e = ex("Frog", serde_json::json!({"name": "x"}));
        assert_eq!(
            example_queries("k", &e, &[], 8).unwrap_err().code,
            "unknown_schema"
        );
        let e = ex("Person", serde_json::json!({"name": {"a": 1}}));
        assert_eq!(
            example_queries("k", &e, &[], 8).unwrap_err().code,
            "invalid_request"
        );
        // Names past the limit are named in a warning, not screened.
        let e = ex("Person", serde_json::json!({"name": ["a", "b", "c"]}));
        let (qs, _, warnings) = example_queries("k", &e, &[], 2).expect("ok");
        assert_eq!(qs.len(), 2);
        assert_eq!(
            (warnings[0].field.as_str(), warnings[0].value.as_str()),
            ("name", "c")
        );
    }
}
