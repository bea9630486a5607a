//! The native API under `/v1`: screen one party, compare two records, look
//! up an entity, list the loaded lists and what changed between versions, and
//! the admin refresh. Request types refuse unknown fields, so a misspelt
//! field is an error rather than silently ignored.

use super::error::ApiError;
use super::metrics::Api;
use super::params::Params;
use super::{AppState, blocking};
use crate::matching::{Explanation, MatchResult, Query, ScreenOptions, Warning};
use crate::model::Entity;
use crate::service::{RefreshRequest, Served, SourceError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Body of `POST /v1/screen` (and one element of a JSON batch, one line of NDJSON).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScreenRequest {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub middle_name: Option<String>,
    #[serde(default)]
    pub father_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub identifiers: Vec<String>,
    #[serde(default)]
    pub lists: Vec<String>,
    #[serde(default)]
    pub threshold: Option<f64>,
    #[serde(default)]
    pub limit: Option<usize>,
}

impl ScreenRequest {
    /// The query, and the per-request threshold and limit.
    pub fn into_parts(self) -> (Query, Option<f64>, Option<usize>) {
        (
            Query {
                id: self.id,
                name: self.name,
                first_name: self.first_name,
                middle_name: self.middle_name,
                father_name: self.father_name,
                last_name: self.last_name,
                schema: self.schema,
                birth_date: self.birth_date,
                countries: self.countries,
                identifiers: self.identifiers,
                lists: self.lists,
            },
            self.threshold,
            self.limit,
        )
    }
}

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
        opts.limit = l;
    }
    Ok(opts)
}

/// The query as answered: the fields given plus the threshold and limit used.
#[derive(Debug, Serialize)]
pub struct QueryEcho<'a> {
    #[serde(flatten)]
    pub query: &'a Query,
    pub threshold: f64,
    pub limit: usize,
}

/// One result with the full listed entity.
#[derive(Debug, Serialize)]
pub struct MatchOut<'a> {
    pub entity: Cow<'a, Entity>,
    pub score: f64,
    #[serde(rename = "match")]
    pub is_match: bool,
    pub explanation: &'a Explanation,
}

/// The full entity of a result (from the index generation that produced it).
pub fn full_entity<'a>(served: &'a Served, m: &MatchResult) -> Cow<'a, Entity> {
    match served.matcher.index().entity_by_id(&m.entity.id) {
        Some(p) => Cow::Borrowed(&p.entity),
        None => Cow::Owned(Entity {
            id: m.entity.id.clone(),
            schema: m.entity.schema,
            caption: m.entity.caption.clone(),
            datasets: m.entity.datasets.clone(),
            properties: BTreeMap::new(),
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
        })
        .collect()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ScreenResponse<'a> {
    query: QueryEcho<'a>,
    list_versions: BTreeMap<String, String>,
    matches: Vec<MatchOut<'a>>,
    /// Query fields left out of scoring (a birth date that is not a date…).
    #[serde(skip_serializing_if = "<[Warning]>::is_empty")]
    warnings: &'a [Warning],
}

/// The lists a query searches, as `{id: version}` of the served generation.
pub fn searched_versions(
    served: &Served,
    lists: &Option<BTreeSet<String>>,
) -> BTreeMap<String, String> {
    served.versions(lists.as_ref())
}

/// `POST /v1/screen`.
pub async fn screen(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Object<ScreenRequest>>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    let (query, threshold, limit) = body.into_inner().0.into_parts();
    let opts = screen_options(&state, threshold, limit)?;
    query.validate()?;
    let served = state.served()?;
    let worker = Arc::clone(&served);
    let (query, lists, results) = blocking(move || {
        let lists = worker.matcher.resolve_lists(&query.lists)?;
        let results = worker.matcher.screen(&query, &opts)?;
        Ok::<_, ApiError>((query, lists, results))
    })
    .await??;
    let alerts = u64::from(results.matches.iter().any(|m| m.is_match));
    state.metrics.screened(Api::Screen, 1, alerts);
    let threshold = opts.threshold.unwrap_or(served.matcher.weights().threshold);
    let response = ScreenResponse {
        query: QueryEcho {
            query: &query,
            threshold,
            limit: opts.limit,
        },
        list_versions: searched_versions(&served, &lists),
        matches: match_outs(&served, &results.matches),
        warnings: &results.warnings,
    };
    Ok(HttpResponse::Ok().json(response))
}

/// Body of `POST /v1/compare`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareRequest {
    pub a: Query,
    pub b: Query,
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// `POST /v1/compare`: works before any list is loaded (token weights then
/// come from the built-in list of common tokens only).
pub async fn compare(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Object<CompareRequest>>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    let body = body.into_inner().0;
    screen_options(&state, body.threshold, None)?;
    body.a.validate().map_err(|e| tag_side("a", e.into()))?;
    body.b.validate().map_err(|e| tag_side("b", e.into()))?;
    let served = state.service.served();
    let comparison = blocking(move || match served {
        Some(s) => s.matcher.compare(&body.a, &body.b, body.threshold),
        None => crate::matching::compare(&body.a, &body.b, body.threshold),
    })
    .await??;
    Ok(HttpResponse::Ok().json(comparison))
}

fn tag_side(side: &str, mut e: ApiError) -> ApiError {
    e.detail = format!("record {side}: {}", e.detail);
    e
}

/// A list id: `[a-z][a-z0-9_]*` or `custom:<name>`.
pub fn is_list_id(s: &str) -> bool {
    fn catalog(s: &str) -> bool {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }
    if s.len() > 64 {
        return false;
    }
    match s.strip_prefix("custom:") {
        Some(name) => {
            let mut chars = name.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && chars
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        }
        None => catalog(s),
    }
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
    let split = match id.strip_prefix("custom:") {
        Some(rest) => rest
            .split_once(':')
            .and_then(|(name, src)| Some((id.get(..("custom:".len() + name.len()))?, src))),
        None => id.split_once(':'),
    };
    let Some((list, source)) = split else {
        return Err(bad("no ':' between list id and source id"));
    };
    if !is_list_id(list) {
        return Err(bad("the part before ':' is not a list id"));
    }
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
        .entity_by_id(id)
        .map(|p| p.entity.clone())
        .ok_or_else(|| {
            ApiError::not_found(
                "entity_not_found",
                format!("no entity with id '{id}' in the loaded lists"),
            )
        })?;
    Ok((served, entity))
}

/// `GET /v1/entities/{id}`.
pub async fn entity(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    let (_, entity) = lookup_entity(&state, &path.into_inner())?;
    Ok(HttpResponse::Ok().json(entity))
}

/// One list in `GET /v1/lists`.
#[derive(Debug, Serialize)]
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
    pub fetched_at: Option<time::OffsetDateTime>,
    pub sha256: Option<String>,
    pub source_urls: Vec<String>,
    /// The source's last good version when it is not (yet) the one served.
    pub pending_version: Option<String>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_error_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
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

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ListsResponse {
    ready: bool,
    generation: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    built_at: Option<time::OffsetDateTime>,
    refreshing: bool,
    lists: Vec<ListInfo>,
}

/// `GET /v1/lists`.
pub async fn lists(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string())?.only(&[])?;
    let (served, lists) = list_overview(&state).await?;
    Ok(HttpResponse::Ok().json(ListsResponse {
        ready: served.is_some(),
        generation: served.as_ref().map_or(0, |s| s.generation),
        built_at: served.as_ref().map(|s| s.built_at),
        refreshing: state.service.refreshing(),
        lists,
    }))
}

#[derive(Debug, Serialize)]
struct ChangeCounts {
    added: usize,
    removed: usize,
    changed: usize,
}

#[derive(Debug, Serialize)]
struct ChangesResponse {
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

/// `GET /v1/lists/{id}/changes?since=<version>`.
pub async fn changes(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    params.only(&["since"])?;
    let id = path.into_inner();
    if !is_list_id(&id) {
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

/// `POST /v1/admin/refresh?list=<id>&rebuild=true&wait=true` (admin token
/// checked by the middleware). Without `wait` the refresh runs in the
/// background and the answer is 202; with `wait` the answer is the report.
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
        assert!(is_list_id("us_ofac_sdn"));
        assert!(is_list_id("custom:a-b_1"));
        assert!(!is_list_id("custom:"));
        assert!(!is_list_id("Us"));
        assert!(!is_list_id("1abc"));
        assert!(!is_list_id(""));
    }
}
