//! The native API under `/v1`: screen one party, compare two records, look
//! up an entity, list the loaded lists and what changed between versions, and
//! the admin refresh. Request types refuse unknown fields, so a misspelt
//! field is an error rather than silently ignored.

use super::body::Json;
use super::error::{ApiError, ErrorBody, serde_error};
use super::metrics::Api;
use super::params::Params;
use super::{AppState, blocking};
use crate::matching::{Explanation, MatchResult, Query, ScreenOptions, Screening, Warning};
use crate::model::{Entity, list_id};
use crate::service::{RefreshReport, RefreshRequest, Served, SourceError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A request body that must be a JSON object (serde's derived structs would
/// also take an array of field values; an API body should not).
#[derive(Debug, Clone, PartialEq)]
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
            .map(Object)
    }
}

/// Checks threshold and limit against the configured bounds.
pub fn screen_options(
    state: &AppState,
    threshold: Option<f64>,
    limit: Option<usize>,
) -> Result<ScreenOptions, ApiError> {
    let mut opts = ScreenOptions::default();
    if let Some(t) = threshold {
        if !(0.0..=1.0).contains(&t) {
            return Err(ApiError::unprocessable(
                "invalid_threshold",
                format!("threshold {t} is outside [0, 1]"),
            ));
        }
        opts.threshold = Some(t);
    }
    if let Some(l) = limit {
        check_limit(state, l)?;
        opts.limit = l;
    }
    Ok(opts)
}

fn check_limit(state: &AppState, l: usize) -> Result<(), ApiError> {
    let max = state.config.limits.max_limit;
    if l == 0 {
        return Err(ApiError::unprocessable(
            "invalid_limit",
            "limit must be at least 1",
        ));
    }
    if l > max {
        return Err(ApiError::unprocessable(
            "limit_too_large",
            format!("limit {l} is above the maximum of {max} results (limits.max_limit)"),
        ));
    }
    Ok(())
}

/// Checks a query for screening through the API: its own fields, and its
/// limit against the configured maximum. Returns it as it will be answered:
/// with the threshold and limit that apply filled in.
pub fn checked_query(
    state: &AppState,
    served: &Served,
    defaults: &ScreenOptions,
    mut query: Query,
) -> Result<Query, ApiError> {
    if let Some(l) = query.limit {
        check_limit(state, l)?;
    }
    query.validate()?;
    let opts = defaults.for_query(&query);
    query.threshold = Some(opts.threshold.unwrap_or(served.matcher.weights().threshold));
    query.limit = Some(opts.limit);
    Ok(query)
}

/// One result with the full listed entity.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchOut<'a> {
    #[schema(value_type = Entity)]
    pub entity: Cow<'a, Entity>,
    pub score: f64,
    /// True when the score is at or above the threshold: an alert.
    #[serde(rename = "match")]
    pub is_match: bool,
    pub explanation: &'a Explanation,
    /// With `results=parties`, the list-specific ids of the party this
    /// result stands for (its `entity` is then the merged party, scored by
    /// its best-scoring record); absent for a party listed once.
    #[serde(skip_serializing_if = "no_referents")]
    #[schema(value_type = Vec<String>)]
    pub referents: Cow<'a, [String]>,
}

fn no_referents(r: &[String]) -> bool {
    r.is_empty()
}

/// The full entity of a result (from the index generation that produced it).
pub fn full_entity<'a>(served: &'a Served, m: &MatchResult) -> Cow<'a, Entity> {
    match served.matcher.index().listed(&m.entity.id) {
        Some(e) => Cow::Owned(e),
        None => Cow::Owned(Entity {
            id: m.entity.id.clone(),
            schema: m.entity.schema,
            caption: m.entity.caption.clone(),
            datasets: m.entity.datasets.clone(),
            properties: crate::model::Properties::new(),
            linked: Vec::new(),
        }),
    }
}

pub fn match_outs<'a>(served: &'a Served, results: &'a [MatchResult]) -> Vec<MatchOut<'a>> {
    results
        .iter()
        .map(|m| MatchOut {
            entity: full_entity(served, m),
            score: m.score,
            is_match: m.is_match,
            explanation: &m.explanation,
            referents: Cow::Borrowed(&[]),
        })
        .collect()
}

/// The results folded into parties ([`crate::linking::Links::fold`]): one
/// result per party, its merged entity, the score and explanation of its
/// best-scoring record; merged over the lists searched (`lists`, all when
/// `None`).
pub fn party_outs<'a>(
    served: &'a Served,
    results: &'a [MatchResult],
    lists: Option<&BTreeSet<String>>,
) -> Vec<MatchOut<'a>> {
    let index = served.matcher.index();
    index
        .links()
        .fold(results.iter().collect(), |m| m.entity.id.as_str())
        .into_iter()
        .map(|(m, party)| {
            let (entity, referents) = match party {
                Some(p) => p.scoped(
                    |l| lists.is_none_or(|s| s.contains(l)),
                    |id| index.listed(id),
                ),
                None => (full_entity(served, m), Cow::Borrowed(&[][..])),
            };
            MatchOut {
                entity,
                score: m.score,
                is_match: m.is_match,
                explanation: &m.explanation,
                referents,
            }
        })
        .collect()
}

/// How `POST /v1/screen` returns a party listed by several publishers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultGrouping {
    /// One result per party (the default): its records merged, `referents`
    /// naming them, scored by the best of them.
    Parties,
    /// One result per list record, as each publisher lists it.
    Records,
}

impl ResultGrouping {
    /// The `results` query parameter; `default` when it is absent.
    pub(super) fn of(params: &Params, default: ResultGrouping) -> Result<ResultGrouping, ApiError> {
        match params.get("results") {
            None => Ok(default),
            Some("parties") => Ok(ResultGrouping::Parties),
            Some("records") => Ok(ResultGrouping::Records),
            Some(other) => Err(ApiError::unprocessable(
                "invalid_parameter",
                format!("results '{other}' is neither 'parties' nor 'records'"),
            )),
        }
    }
}

/// The answer of `POST /v1/screen`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreenResponse<'a> {
    /// The query as answered, with the threshold and limit used.
    query: Query,
    /// `{list id: version}` of every list searched.
    list_versions: BTreeMap<String, String>,
    /// The best results, best first.
    matches: Vec<MatchOut<'a>>,
    /// Query fields left out of scoring (a birth date that is not a date…);
    /// absent when there are none. The name was screened.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Warning>,
}

/// Screen one party
///
/// Screens a name (with optional schema, birth date, countries and
/// identifiers) against the loaded lists and returns the best results with
/// scores and explanations. Names longer than 1,000 characters are refused.
#[utoipa::path(
    post,
    path = "/v1/screen",
    tag = "native",
    params(
        ("results" = inline(Option<ResultGrouping>), Query, description = "`parties` (default): a party that several lists name is one result, its records merged and listed in `referents`, so an analyst clears it once. `records`: one result per list record.")
    ),
    request_body(
        content = Query,
        example = json!({"name": "Abu Bakr al-Baghdadi", "schema": "Person", "birthDate": "1971", "countries": ["iq"], "lists": ["sanctions"], "threshold": 0.8, "limit": 5})
    ),
    responses(
        (status = 200, description = "The results, best first.", body = ScreenResponse),
        (status = 422, description = "A field has the wrong type or an unknown name; the name is empty, too long or has nothing to screen; a list is not loaded or not a list; a topic is not an FtM topic; nothing is left to search; threshold or limit out of range.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn screen(
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(Object(query)): Json<Object<Query>>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    params.only(&["results"])?;
    let grouping = ResultGrouping::of(&params, ResultGrouping::Parties)?;
    let served = state.served()?;
    let query = checked_query(&state, &served, &ScreenOptions::default(), query)?;
    let worker = Arc::clone(&served);
    let (query, lists, results) = blocking(move || {
        let lists = worker.matcher.resolve_lists(&query.lists)?;
        let results = worker.matcher.screen(&query, &ScreenOptions::default())?;
        Ok::<_, ApiError>((query, lists, results))
    })
    .await??;
    let Screening {
        matches, warnings, ..
    } = results;
    let alerts = u64::from(matches.iter().any(|m| m.is_match));
    state.metrics.screened(Api::Screen, 1, alerts);
    let response = ScreenResponse {
        query,
        list_versions: served.versions(lists.as_ref()),
        matches: match grouping {
            ResultGrouping::Parties => party_outs(&served, &matches, lists.as_ref()),
            ResultGrouping::Records => match_outs(&served, &matches),
        },
        warnings,
    };
    Ok(HttpResponse::Ok().json(response))
}

/// Body of `POST /v1/compare`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareRequest {
    /// The record screened (as a screening query); read on its own so an
    /// error names the record.
    #[schema(value_type = Query)]
    pub a: Box<serde_json::value::RawValue>,
    /// The record it is compared with, standing where a listed party would.
    #[schema(value_type = Query)]
    pub b: Box<serde_json::value::RawValue>,
    /// Alert threshold (default {defaults.threshold}).
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub threshold: Option<f64>,
}

/// Compare two records
///
/// Scores record `a` against record `b` (both in the screening query
/// shape) with the explanation. Works before any list is loaded (token
/// weights then come from the built-in list of common tokens only).
#[utoipa::path(
    post,
    path = "/v1/compare",
    tag = "native",
    request_body(
        content = CompareRequest,
        example = json!({"a": {"name": "Mohammed bin Salman", "schema": "Person"}, "b": {"name": "Muhammad bin Salman Al Saud", "schema": "Person", "birthDate": "1985-08-31"}})
    ),
    responses(
        (status = 200, description = "Score, verdict and explanation.", body = crate::matching::Comparison),
        (status = 422, description = "A record is not valid (empty or too long name, unknown schema), or carries a threshold or limit of its own.", body = ErrorBody),
    )
)]
pub async fn compare(
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(Object(body)): Json<Object<CompareRequest>>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    screen_options(&state, body.threshold, None)?;
    let record = |side: &str, raw: &serde_json::value::RawValue| {
        crate::json::from_str::<Object<Query>>(raw.get())
            .map(|Object(q)| q)
            .map_err(|e| tag_side(side, serde_error(&e)))
    };
    let (a, b) = (record("a", &body.a)?, record("b", &body.b)?);
    for (side, q) in [("a", &a), ("b", &b)] {
        q.validate().map_err(|e| tag_side(side, e.into()))?;
        if q.threshold.is_some() || q.limit.is_some() || !q.lists.is_empty() || !q.topics.is_empty()
        {
            return Err(tag_side(
                side,
                ApiError::unprocessable(
                    "invalid_request",
                    format!(
                        "{} do not belong in a record (threshold goes at the top level of a comparison)",
                        crate::matching::query::COMPARISON_ONLY.join(", ")
                    ),
                ),
            ));
        }
    }
    let served = state.service.served();
    let comparison = blocking(move || match served {
        Some(s) => s.matcher.compare(&a, &b, body.threshold),
        None => crate::matching::compare(&a, &b, body.threshold),
    })
    .await??;
    Ok(HttpResponse::Ok().json(comparison))
}

fn tag_side(side: &str, mut e: ApiError) -> ApiError {
    e.detail = format!("record {side}: {}", e.detail);
    e
}

/// Checks the shape of an entity id: `<list id>:<source id>`.
pub fn check_entity_id(id: &str) -> Result<(), ApiError> {
    let shown: String = id.chars().take(80).collect();
    let bad = |why: &str| {
        ApiError::bad_request(
            "invalid_entity_id",
            format!(
                "'{shown}' is not an entity id ({why}); ids look like <list id>:<source id>, e.g. us_ofac_sdn:7379"
            ),
        )
    };
    if id.len() > 512 {
        return Err(bad("longer than 512 bytes"));
    }
    if id.chars().any(char::is_control) {
        return Err(bad("it contains control characters"));
    }
    if !id.contains(':') {
        return Err(bad("no ':' between list id and source id"));
    }
    let Some(list) = list_id::of_entity_id(id) else {
        return Err(bad("the part before ':' is not a list id"));
    };
    let source = id.get(list.len() + 1..).unwrap_or_default();
    if source.trim().is_empty() {
        return Err(bad("the source id is empty"));
    }
    Ok(())
}

/// Looks an entity up in the served index (shared by both APIs).
pub fn lookup_entity(state: &AppState, id: &str) -> Result<(Arc<Served>, Entity), ApiError> {
    check_entity_id(id)?;
    let served = state.served()?;
    let entity = served
        .matcher
        .index()
        .record_by_id(id)
        .ok_or_else(|| {
            ApiError::not_found(
                "entity_not_found",
                format!("no entity with id '{id}' in the loaded lists"),
            )
        })?
        .map_err(|e| ApiError::internal(format!("entity '{id}': {e}")))?;
    Ok((served, entity))
}

/// Get a listed entity
///
/// The entity with every property, from the lists served now.
#[utoipa::path(
    get,
    path = "/v1/entities/{id}",
    tag = "native",
    params(("id" = String, Path, description = "Entity id: `<list id>:<source id>`, or a party id `NK-…`.", example = "un_sc_sanctions:QDi.001")),
    responses(
        (status = 200, description = "The entity with every property; for a party of several lists' records (an `NK-` id, or one of its records) also `party` with its referents and the evidence of each link.", body = EntityOut),
        (status = 400, description = "The id is not of the form `<list id>:<source id>`.", body = ErrorBody),
        (status = 404, description = "No entity with this id in the loaded lists.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn entity(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    let id = path.into_inner();
    let served = state.served()?;
    // A party id (`NK-…`) gives the merged party; a record of a party
    // gives the record and the party it belongs to.
    let links = served.matcher.index().links();
    if let Some(p) = links.resolve(&id).filter(|p| p.id == id) {
        return Ok(HttpResponse::Ok().json(EntityOut {
            entity: &p.entity,
            party: Some(p),
        }));
    }
    let (served, entity) = lookup_entity(&state, &id)?;
    Ok(HttpResponse::Ok().json(EntityOut {
        entity: &entity,
        party: served.matcher.index().links().party_of(&id),
    }))
}

/// The answer of `GET /v1/entities/{id}`: the entity, and the party of
/// several lists' records it is or belongs to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntityOut<'a> {
    #[serde(flatten)]
    #[schema(value_type = Entity)]
    entity: &'a Entity,
    /// The party: its id, its records (`referents`) and the links that
    /// joined them, each with its evidence. Absent for a party listed once.
    #[serde(skip_serializing_if = "Option::is_none")]
    party: Option<&'a crate::linking::Party>,
}

/// One list in `GET /v1/lists`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListInfo {
    pub id: String,
    pub title: Option<String>,
    pub sanctions: bool,
    /// In the served index.
    pub loaded: bool,
    /// The version served.
    pub version: Option<String>,
    pub entities: Option<usize>,
    pub published: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub fetched_at: Option<time::OffsetDateTime>,
    pub sha256: Option<String>,
    pub source_urls: Vec<String>,
    /// The source's last good version when it is not (yet) the one served.
    pub pending_version: Option<String>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_error_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_attempt: Option<time::OffsetDateTime>,
    pub refresh_interval_seconds: Option<u64>,
    pub refresh_failures: u64,
}

/// Builds the list overview (shared with the yente catalog).
pub async fn list_overview(
    state: &AppState,
) -> Result<(Option<Arc<Served>>, Vec<ListInfo>), ApiError> {
    let source = Arc::clone(state.service.source());
    let source_lists = blocking(move || source.lists()).await?;
    let served = state.service.served();
    let runtime = state.service.runtime();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for l in &source_lists {
        seen.insert(l.id.clone());
        let in_index = served.as_ref().and_then(|s| s.lists.get(&l.id));
        let shown = in_index.or(l.current.as_ref());
        let rt = runtime.get(&l.id);
        out.push(ListInfo {
            id: l.id.clone(),
            title: l.title.clone(),
            sanctions: l.sanctions,
            loaded: in_index.is_some(),
            version: in_index.map(|v| v.version.clone()),
            entities: shown.map(|v| v.entities),
            published: shown.and_then(|v| v.published.clone()),
            fetched_at: shown.and_then(|v| v.fetched_at),
            sha256: shown.and_then(|v| v.sha256.clone()),
            source_urls: shown.map(|v| v.source_urls.clone()).unwrap_or_default(),
            pending_version: l
                .current
                .as_ref()
                .filter(|c| in_index.is_none_or(|i| i.version != c.version))
                .map(|c| c.version.clone()),
            last_error: rt
                .and_then(|r| r.last_error.clone())
                .or_else(|| l.last_error.clone()),
            last_error_at: rt.and_then(|r| r.last_error_at).or(l.last_error_at),
            last_attempt: l.last_attempt,
            refresh_interval_seconds: state.service.interval_of(l).map(|d| d.as_secs()),
            refresh_failures: rt.map_or(0, |r| r.refresh_failures),
        });
    }
    // Lists served but no longer reported by the source.
    if let Some(s) = &served {
        for (id, v) in &s.lists {
            if seen.contains(id) {
                continue;
            }
            out.push(ListInfo {
                id: id.clone(),
                title: None,
                sanctions: s.matcher.index().sanctions_lists().contains(id),
                loaded: true,
                version: Some(v.version.clone()),
                entities: Some(v.entities),
                published: v.published.clone(),
                fetched_at: v.fetched_at,
                sha256: v.sha256.clone(),
                source_urls: v.source_urls.clone(),
                pending_version: None,
                last_error: runtime.get(id).and_then(|r| r.last_error.clone()),
                last_error_at: runtime.get(id).and_then(|r| r.last_error_at),
                last_attempt: None,
                refresh_interval_seconds: None,
                refresh_failures: runtime.get(id).map_or(0, |r| r.refresh_failures),
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((served, out))
}

/// The answer of `GET /v1/lists`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListsResponse {
    /// An index is served.
    ready: bool,
    /// When no index is served: why (the first download is running, or it
    /// failed and why) and how to load the publishers' files by hand.
    not_ready: Option<String>,
    /// The index generation served (0: none yet).
    generation: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    built_at: Option<time::OffsetDateTime>,
    refreshing: bool,
    lists: Vec<ListInfo>,
}

/// The lists
///
/// Every list with the version served, entity count, fetch time, source
/// URLs, sha256, the last error and refresh state.
#[utoipa::path(
    get,
    path = "/v1/lists",
    tag = "native",
    responses((status = 200, description = "The lists.", body = ListsResponse))
)]
pub async fn lists(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    let (served, lists) = list_overview(&state).await?;
    let not_ready = match served {
        Some(_) => None,
        None => {
            let service = Arc::clone(&state.service);
            Some(blocking(move || service.not_ready_detail()).await?)
        }
    };
    Ok(HttpResponse::Ok().json(ListsResponse {
        ready: served.is_some(),
        not_ready,
        generation: served.as_ref().map_or(0, |s| s.generation),
        built_at: served.as_ref().map(|s| s.built_at),
        refreshing: state.service.refreshing(),
        lists,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeCounts {
    added: usize,
    removed: usize,
    changed: usize,
}

/// The answer of `GET /v1/lists/{id}/changes`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangesResponse {
    list: String,
    from: String,
    to: String,
    counts: ChangeCounts,
    added: Vec<Entity>,
    removed: Vec<String>,
    changed: Vec<Entity>,
}

fn source_error(e: SourceError) -> ApiError {
    match e {
        SourceError::UnknownList(l) => {
            ApiError::not_found("unknown_list", format!("list '{l}' is not known"))
        }
        SourceError::UnknownVersion { list, version } => ApiError::not_found(
            "unknown_version",
            format!("list '{list}' has no stored version '{version}'"),
        ),
        SourceError::Failed(m) => ApiError::internal(m),
    }
}

/// Changes since a version
///
/// The entities added, removed (ids) and changed between a stored version
/// of a list and its current one.
#[utoipa::path(
    get,
    path = "/v1/lists/{id}/changes",
    tag = "native",
    params(
        ("id" = String, Path, description = "List id.", example = "us_ofac_sdn"),
        ("since" = String, Query, description = "A stored version of the list.")
    ),
    responses(
        (status = 200, description = "Entities added, removed (ids) and changed.", body = ChangesResponse),
        (status = 400, description = "Malformed list id or missing `since`.", body = ErrorBody),
        (status = 404, description = "Unknown list or version.", body = ErrorBody),
    )
)]
pub async fn changes(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    params.only(&["since"])?;
    let id = path.into_inner();
    if !list_id::is_valid(&id) {
        return Err(ApiError::bad_request(
            "invalid_list_id",
            format!(
                "'{}' is not a list id (e.g. us_ofac_sdn, custom:mylist)",
                id.chars().take(80).collect::<String>()
            ),
        ));
    }
    let since = params
        .get("since")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "missing_parameter",
                "query parameter 'since' (a version of the list) is required",
            )
        })?
        .to_string();
    let source = Arc::clone(state.service.source());
    let list = id.clone();
    let changes = blocking(move || source.changes(&list, &since))
        .await?
        .map_err(source_error)?;
    Ok(HttpResponse::Ok().json(ChangesResponse {
        list: id,
        counts: ChangeCounts {
            added: changes.added.len(),
            removed: changes.removed.len(),
            changed: changes.changed.len(),
        },
        from: changes.from,
        to: changes.to,
        added: changes.added,
        removed: changes.removed,
        changed: changes.changed,
    }))
}

/// Force a refresh
///
/// Looks for new versions of the lists now, and rebuilds and swaps the index
/// if any changed. Without `wait` the refresh runs in the background and the
/// answer is 202; with `wait` the answer is the report. Requests in flight
/// finish on the old index. Needs the admin token.
#[utoipa::path(
    post,
    path = "/v1/admin/refresh",
    tag = "admin",
    params(
        ("list" = Option<Vec<String>>, Query, description = "List ids to refresh (repeat or comma-separate); default all."),
        ("rebuild" = Option<bool>, Query, description = "Rebuild the index even if nothing changed."),
        ("wait" = Option<bool>, Query, description = "Answer when done, with the report.")
    ),
    responses(
        (status = 200, description = "Done (wait=true).", body = RefreshReport),
        (status = 202, description = "Started in the background.", body = Object),
        (status = 404, description = "Unknown list.", body = ErrorBody),
        (status = 409, description = "A refresh is already running.", body = ErrorBody),
    )
)]
pub async fn admin_refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    params.only(&["list", "rebuild", "wait"])?;
    let lists = params.all("list");
    let rebuild = params.bool("rebuild")?.unwrap_or(false);
    let wait = params.bool("wait")?.unwrap_or(false);
    let request = RefreshRequest {
        lists: if lists.is_empty() {
            None
        } else {
            let source = Arc::clone(state.service.source());
            let known: BTreeSet<String> = blocking(move || source.lists())
                .await?
                .into_iter()
                .map(|l| l.id)
                .collect();
            if let Some(unknown) = lists.iter().find(|l| !known.contains(*l)) {
                return Err(ApiError::not_found(
                    "unknown_list",
                    format!("list '{unknown}' is not known to the source"),
                ));
            }
            Some(lists)
        },
        rebuild,
    };
    let service = Arc::clone(&state.service);
    if wait {
        let report = service.refresh(request).await;
        return Ok(HttpResponse::Ok().json(report));
    }
    if service.refreshing() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "refresh_running",
            "a refresh is already running; see GET /v1/lists",
        ));
    }
    tokio::spawn(async move {
        if let Some(report) = service.try_refresh(request).await {
            tracing::info!(
                generation = report.generation,
                rebuilt = report.rebuilt,
                seconds = report.seconds,
                "admin refresh done"
            );
        }
    });
    Ok(HttpResponse::Accepted().json(serde_json::json!({
        "status": "started",
        "detail": "the refresh runs in the background; GET /v1/lists shows the result"
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids() {
        assert!(check_entity_id("us_ofac_sdn:7379").is_ok());
        assert!(check_entity_id("un_sc_sanctions:QDi.001").is_ok());
        assert!(check_entity_id("custom:my-list:A 1").is_ok());
        assert!(check_entity_id("7379").is_err());
        assert!(check_entity_id("US_OFAC:1").is_err());
        assert!(check_entity_id("us_ofac_sdn:").is_err());
        assert!(check_entity_id("custom:x").is_err());
        assert!(check_entity_id(":1").is_err());
        assert!(check_entity_id("a:\u{0}").is_err());
        assert!(check_entity_id(&format!("a:{}", "x".repeat(600))).is_err());
    }

    #[test]
    fn list_ids() {
        assert!(list_id::is_valid("us_ofac_sdn"));
        assert!(list_id::is_valid("custom:a-b_1"));
        assert!(!list_id::is_valid("custom:"));
        assert!(!list_id::is_valid("Us"));
        assert!(!list_id::is_valid("1abc"));
        assert!(!list_id::is_valid(""));
        assert_eq!(list_id::of_entity_id("custom:a-b:X:1"), Some("custom:a-b"));
        assert_eq!(list_id::of_entity_id("eu_fsf:EU.1"), Some("eu_fsf"));
        assert_eq!(list_id::of_entity_id("EU:1"), None);
    }
}
