//! The W3C entity reconciliation API (version 0.2), as OpenRefine and
//! yente speak it: `/reconcile` and `/reconcile/{dataset}` answer the
//! service manifest (GET without `queries`), reconciliation queries (the
//! `queries` parameter, form-encoded in a POST as OpenRefine sends it, or in
//! the query string) and data extension (`extend`); beside them the suggest
//! services (`/suggest/entity|type|property`), the property proposals of
//! data extension (`/extend/propose`) and an HTML preview (`/preview`).
//!
//! A reconciliation query is turned into the same example entity a yente
//! `/match` query is (`query` is the name, `type` the schema, each
//! `properties` entry a property of the example) and screened by the same
//! matcher; nothing here scores. A batch larger than `limits.max_batch` is
//! refused with 413, and a query that cannot be screened fails the batch
//! with 422 naming its key, as on `/match`.

use super::error::{ApiError, ErrorBody};
use super::native::lookup_entity;
use super::params::Params;
use super::yente::{EntityExample, example_queries, merge};
use super::{AppState, blocking};
use crate::matching::{MatchResult, Screening};
use crate::model::{Schema, prop};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The FtM properties offered to OpenRefine: for columns to reconcile with
/// (suggest/property) and to fetch (data extension), with their labels.
const PROPERTIES: [(&str, &str); 16] = [
    (prop::NAME, "Name"),
    (prop::ALIAS, "Other name"),
    (prop::BIRTH_DATE, "Birth date"),
    ("birthPlace", "Place of birth"),
    (prop::NATIONALITY, "Nationality"),
    (prop::CITIZENSHIP, "Citizenship"),
    (prop::COUNTRY, "Country"),
    (prop::JURISDICTION, "Jurisdiction"),
    (prop::ID_NUMBER, "ID number"),
    (prop::PASSPORT_NUMBER, "Passport number"),
    (prop::REGISTRATION_NUMBER, "Registration number"),
    (prop::TAX_NUMBER, "Tax number"),
    (prop::IMO_NUMBER, "IMO number"),
    ("address", "Address"),
    ("topics", "Topics"),
    ("notes", "Notes"),
];

/// Results per query when the query does not say (as yente).
const DEFAULT_LIMIT: usize = 5;

fn type_of(schema: Schema) -> Value {
    json!({"id": schema.as_str(), "name": schema.as_str()})
}

/// The base URL the client reached this service at, for the manifest's
/// service URLs (the proxy's `Forwarded`/`X-Forwarded-*` headers count, as
/// actix reads them).
fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

fn manifest(req: &HttpRequest, dataset: &str, query: &str) -> Value {
    let base = base_url(req);
    let service_url = format!("{base}/reconcile/{dataset}");
    // The query string is passed on (an `api_key` must reach the suggest
    // services too), without the parameters of this request.
    let keep: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == super::auth::API_KEY_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let suffix = if keep.is_empty() {
        String::new()
    } else {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &keep {
            s.append_pair(k, v);
        }
        format!("?{}", s.finish())
    };
    let service =
        |path: &str| json!({"service_url": service_url, "service_path": format!("{path}{suffix}")});
    json!({
        "versions": ["0.2"],
        "name": format!("screener ({dataset})"),
        "identifierSpace": "https://www.opensanctions.org/reference/#schema",
        "schemaSpace": "https://www.opensanctions.org/reference/#schema",
        "documentation": format!("{base}/docs"),
        "view": {"url": format!("{base}/entities/{{{{id}}}}")},
        "preview": {"url": format!("{service_url}/preview?id={{{{id}}}}"), "width": 430, "height": 300},
        "defaultTypes": Schema::ALL.iter().map(|s| type_of(*s)).collect::<Vec<_>>(),
        "suggest": {
            "entity": service("/suggest/entity"),
            "type": service("/suggest/type"),
            "property": service("/suggest/property"),
        },
        "extend": {
            "propose_properties": service("/extend/propose"),
            "property_settings": [],
        },
    })
}

/// One reconciliation query (the 0.2 shape; OpenRefine adds `type_strict`).
#[derive(Debug, Deserialize)]
struct ReconQuery {
    #[serde(default)]
    query: String,
    /// A schema name, or several (the first one FtM knows is used).
    #[serde(default, rename = "type")]
    kind: Option<Value>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    properties: Vec<ReconProperty>,
}

#[derive(Debug, Deserialize)]
struct ReconProperty {
    pid: String,
    /// A string or number, a reconciled cell (`{"id", "name"}`), or a list
    /// of them.
    v: Value,
}

/// The text values of a property value as OpenRefine sends it.
fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Array(items) => items.iter().flat_map(texts).collect(),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("id"))
            .map(texts)
            .unwrap_or_default(),
        Value::Null => Vec::new(),
    }
}

fn schema_of(kind: Option<&Value>) -> String {
    let names: Vec<String> = kind.map(texts).unwrap_or_default();
    names
        .iter()
        .find_map(|n| Schema::from_name(n))
        .map_or_else(|| "Thing".to_string(), |s| s.as_str().to_string())
}

/// The example entity a reconciliation query stands for.
fn example_of(q: &ReconQuery) -> EntityExample {
    let mut properties: BTreeMap<String, Value> = BTreeMap::new();
    if !q.query.trim().is_empty() {
        properties.insert(prop::NAME.into(), json!([q.query.trim()]));
    }
    for p in &q.properties {
        let values = texts(&p.v);
        if values.is_empty() {
            continue;
        }
        let slot = properties
            .entry(p.pid.trim().to_string())
            .or_insert_with(|| json!([]));
        if let Value::Array(list) = slot {
            list.extend(values.into_iter().map(Value::String));
        }
    }
    EntityExample {
        id: None,
        schema: schema_of(q.kind.as_ref()),
        properties,
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(what: &str, raw: &str) -> Result<T, ApiError> {
    serde_json::from_str(raw).map_err(|e| {
        ApiError::bad_request(
            "invalid_request",
            format!("'{what}' is not the JSON the reconciliation API expects: {e}"),
        )
    })
}

#[derive(Debug, Serialize)]
struct Candidate {
    id: String,
    name: String,
    /// The screener score × 100 (0–100), the Freebase convention clients
    /// of the reconciliation API display.
    score: f64,
    #[serde(rename = "match")]
    is_match: bool,
    #[serde(rename = "type")]
    types: Vec<Value>,
    description: String,
    features: Vec<Value>,
}

fn candidate(m: &MatchResult) -> Candidate {
    Candidate {
        id: m.entity.id.clone(),
        name: m.entity.caption.clone(),
        score: (m.score * 100.0 * 10.0).round() / 10.0,
        is_match: m.is_match,
        types: vec![type_of(m.entity.schema)],
        description: m.explanation.summary.clone(),
        features: std::iter::once(json!({"id": "name", "value": m.explanation.name_score}))
            .chain(
                m.explanation
                    .qualifiers
                    .iter()
                    .map(|q| json!({"id": q.feature, "value": q.effect})),
            )
            .collect(),
    }
}

async fn reconcile_queries(
    state: &AppState,
    dataset: &str,
    raw: &str,
) -> Result<HttpResponse, ApiError> {
    let queries: BTreeMap<String, ReconQuery> = parse_json("queries", raw)?;
    let limits = &state.config.limits;
    if queries.len() > limits.max_batch {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!(
                "{} reconciliation queries; the limit is {} per request (limits.max_batch): send them in smaller batches",
                queries.len(),
                limits.max_batch
            ),
        ));
    }
    let served = state.served()?;
    let lists = super::yente::dataset_scope(&served, dataset, &[], &[])?;
    let mut planned = Vec::with_capacity(queries.len());
    let mut screenings = 0;
    for (key, q) in &queries {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, limits.max_limit);
        let (qs, _, _) = example_queries(key, &example_of(q), &lists, limits.max_names_per_query)?;
        screenings += qs.len();
        planned.push((key.clone(), qs, limit));
    }
    if screenings > limits.max_batch {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!(
                "the batch needs {screenings} screenings (queries x names x birth dates); the limit is {} (limits.max_batch)",
                limits.max_batch
            ),
        ));
    }
    let opts = super::native::screen_options(state, None, None)?;
    let worker = Arc::clone(&served);
    let answered = blocking(move || {
        use rayon::prelude::*;
        planned
            .into_par_iter()
            .map(|(key, qs, limit)| {
                let mut per = Vec::with_capacity(qs.len());
                for q in &qs {
                    let o = crate::matching::ScreenOptions { limit, ..opts };
                    let Screening { matches, .. } = worker.matcher.screen(q, &o)?;
                    per.push(matches);
                }
                let (best, _) = merge(per, &BTreeSet::new(), &BTreeSet::new(), limit);
                Ok::<_, ApiError>((key, best))
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await??;
    let mut out = serde_json::Map::new();
    for (key, best) in answered {
        out.insert(
            key,
            json!({"result": best.iter().map(candidate).collect::<Vec<_>>()}),
        );
    }
    Ok(HttpResponse::Ok().json(out))
}

/// The values of an entity's property, as data extension cells.
fn cells(values: &[String]) -> Vec<Value> {
    values.iter().map(|v| json!({"str": v})).collect()
}

#[derive(Debug, Deserialize)]
struct ExtendRequest {
    ids: Vec<String>,
    properties: Vec<ExtendProperty>,
}

#[derive(Debug, Deserialize)]
struct ExtendProperty {
    id: String,
}

fn extend(state: &AppState, raw: &str) -> Result<HttpResponse, ApiError> {
    let request: ExtendRequest = parse_json("extend", raw)?;
    let max = state.config.limits.max_batch;
    if request.ids.len() > max {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!(
                "{} ids to extend; the limit is {max} per request (limits.max_batch)",
                request.ids.len()
            ),
        ));
    }
    let served = state.served()?;
    let index = served.matcher.index();
    let meta: Vec<Value> = request
        .properties
        .iter()
        .map(|p| {
            let name = PROPERTIES
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(p.id.as_str(), |(_, label)| label);
            json!({"id": p.id, "name": name})
        })
        .collect();
    let mut rows = serde_json::Map::new();
    for id in &request.ids {
        let entity = index.listed(id);
        let mut row = serde_json::Map::new();
        for p in &request.properties {
            let values = match &entity {
                None => Vec::new(),
                Some(e) if p.id == "topics" => cells(e.get("topics")),
                Some(e) => cells(e.get(&p.id)),
            };
            row.insert(p.id.clone(), Value::Array(values));
        }
        rows.insert(id.clone(), Value::Object(row));
    }
    Ok(HttpResponse::Ok().json(json!({"meta": meta, "rows": rows})))
}

/// The `queries` or `extend` of a request: from the form-encoded body of a
/// POST, else from the query string.
fn operation(params: &Params, body: &[u8]) -> Result<Option<(&'static str, String)>, ApiError> {
    let from_body: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for name in ["queries", "extend"] {
        if let Some((_, v)) = from_body.iter().rev().find(|(k, _)| k == name) {
            return Ok(Some((name, v.clone())));
        }
        if let Some(v) = params.get(name) {
            return Ok(Some((name, v.to_string())));
        }
    }
    if !body.is_empty() && from_body.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_request",
            "the body must be form-encoded with a `queries` or `extend` field",
        ));
    }
    Ok(None)
}

async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    dataset: String,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    // The dataset must exist even for the manifest.
    check_dataset(&state, &dataset)?;
    match operation(&params, &body)? {
        Some(("queries", raw)) => reconcile_queries(&state, &dataset, &raw).await,
        Some((_, raw)) => extend(&state, &raw),
        None => Ok(HttpResponse::Ok().json(manifest(&req, &dataset, req.query_string()))),
    }
}

/// Reconciliation service (W3C 0.2)
///
/// Without `queries` or `extend`: the service manifest. With `queries` (a
/// JSON object of reconciliation queries, form-encoded in a POST as
/// OpenRefine sends it, or in the query string): the candidates of each
/// query, scored by the matcher (`score` 0–100, `match` when it alerts).
/// With `extend` (`{"ids": [...], "properties": [{"id": ...}]}`): the
/// property values of those entities. `{dataset}` is a list id, `default`
/// or `sanctions`; `/reconcile` is `/reconcile/default`.
#[utoipa::path(
    post,
    path = "/reconcile/{dataset}",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection.", example = "default"),
        ("queries" = Option<String>, Query, description = "Reconciliation queries as JSON (also as a form field)."),
        ("extend" = Option<String>, Query, description = "A data extension request as JSON (also as a form field).")
    ),
    responses(
        (status = 200, description = "The manifest, the candidates per query, or the extension rows.", body = Object),
        (status = 400, description = "`queries` or `extend` is not the JSON the API expects.", body = ErrorBody),
        (status = 404, description = "The dataset is not loaded.", body = ErrorBody),
        (status = 413, description = "More queries or ids than `limits.max_batch`.", body = ErrorBody),
        (status = 422, description = "A query cannot be screened; the detail names its key.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn reconcile(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    answer(state, req, path.into_inner(), body).await
}

/// Reconciliation service, by GET (W3C 0.2)
///
/// The manifest, or with `queries` / `extend` in the query string the same
/// answers as the POST.
#[utoipa::path(
    get,
    path = "/reconcile/{dataset}",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection.", example = "default"),
        ("queries" = Option<String>, Query, description = "Reconciliation queries as JSON."),
        ("extend" = Option<String>, Query, description = "A data extension request as JSON.")
    ),
    responses(
        (status = 200, description = "The manifest, the candidates per query, or the extension rows.", body = Object),
        (status = 400, description = "`queries` or `extend` is not the JSON the API expects.", body = ErrorBody),
        (status = 404, description = "The dataset is not loaded.", body = ErrorBody),
        (status = 413, description = "More queries or ids than `limits.max_batch`.", body = ErrorBody),
        (status = 422, description = "A query cannot be screened; the detail names its key.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn reconcile_get(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    answer(state, req, path.into_inner(), web::Bytes::new()).await
}

/// Reconciliation service of every loaded list, by GET.
#[utoipa::path(
    get,
    path = "/reconcile",
    tag = "yente",
    params(
        ("queries" = Option<String>, Query, description = "Reconciliation queries as JSON."),
        ("extend" = Option<String>, Query, description = "A data extension request as JSON.")
    ),
    responses(
        (status = 200, description = "The manifest, the candidates per query, or the extension rows.", body = Object),
        (status = 400, description = "`queries` or `extend` is not the JSON the API expects.", body = ErrorBody),
        (status = 413, description = "More queries or ids than `limits.max_batch`.", body = ErrorBody),
        (status = 422, description = "A query cannot be screened; the detail names its key.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn reconcile_default_get(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    answer(
        state,
        req,
        crate::matching::COLLECTION_DEFAULT.to_string(),
        web::Bytes::new(),
    )
    .await
}

/// Reconciliation service of every loaded list (`/reconcile/default`).
#[utoipa::path(
    post,
    path = "/reconcile",
    tag = "yente",
    params(
        ("queries" = Option<String>, Query, description = "Reconciliation queries as JSON (also as a form field)."),
        ("extend" = Option<String>, Query, description = "A data extension request as JSON (also as a form field).")
    ),
    responses(
        (status = 200, description = "The manifest, the candidates per query, or the extension rows.", body = Object),
        (status = 400, description = "`queries` or `extend` is not the JSON the API expects.", body = ErrorBody),
        (status = 413, description = "More queries or ids than `limits.max_batch`.", body = ErrorBody),
        (status = 422, description = "A query cannot be screened; the detail names its key.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn reconcile_default(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    answer(
        state,
        req,
        crate::matching::COLLECTION_DEFAULT.to_string(),
        body,
    )
    .await
}

/// The dataset of the path must be loaded (404 otherwise), as for queries.
fn check_dataset(state: &AppState, dataset: &str) -> Result<(), ApiError> {
    let served = state.served()?;
    super::yente::dataset_scope(&served, dataset, &[], &[]).map(|_| ())
}

/// `limit`, when given: 1 to `max`, else 400.
fn limit_param(params: &Params, max: usize) -> Result<Option<usize>, ApiError> {
    match params.usize("limit")? {
        Some(l) if !(1..=max).contains(&l) => Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {max}"),
        )),
        l => Ok(l),
    }
}

fn prefix_param(params: &Params) -> String {
    params.get("prefix").unwrap_or("").trim().to_string()
}

fn starts_with_any(prefix: &str, words: &[&str]) -> bool {
    let p = prefix.to_lowercase();
    words.iter().any(|w| w.to_lowercase().starts_with(&p))
}

/// Suggest entities (reconciliation)
///
/// Entities whose names resemble `prefix`, for OpenRefine's search box.
#[utoipa::path(
    get,
    path = "/reconcile/{dataset}/suggest/entity",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection.", example = "default"),
        ("prefix" = String, Query, description = "The text typed so far."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 500, description = "Suggestions (default 5).")
    ),
    responses(
        (status = 200, description = "`{prefix, result: [{id, name, notable}]}`.", body = Object),
        (status = 400, description = "Bad parameter.", body = ErrorBody),
        (status = 404, description = "The dataset is not loaded.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn suggest_entity(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    params.only(&["prefix", "limit"])?;
    let prefix = prefix_param(&params);
    let limit = limit_param(&params, state.config.limits.max_limit)?.unwrap_or(DEFAULT_LIMIT);
    let served = state.served()?;
    let lists = super::yente::dataset_scope(&served, &path.into_inner(), &[], &[])?;
    if prefix.is_empty() {
        return Ok(HttpResponse::Ok().json(json!({"prefix": prefix, "result": []})));
    }
    let query = crate::matching::Query {
        name: prefix.clone(),
        lists,
        ..crate::matching::Query::default()
    };
    let opts = crate::matching::ScreenOptions {
        threshold: Some(super::yente::SEARCH_MIN_SCORE),
        limit,
        min_score: super::yente::SEARCH_MIN_SCORE,
    };
    let worker = Arc::clone(&served);
    // An autocomplete box: text with nothing to search on yet (only
    // punctuation) suggests nothing rather than failing the box.
    let found = blocking(move || match worker.matcher.screen(&query, &opts) {
        Ok(s) => Ok(s.matches),
        Err(crate::matching::ScreenError::Query(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    })
    .await??;
    let result: Vec<Value> = found
        .iter()
        .map(|m| {
            json!({
                "id": m.entity.id,
                "name": m.entity.caption,
                "notable": [type_of(m.entity.schema)],
                "description": m.entity.datasets.join(", "),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"prefix": prefix, "result": result})))
}

/// Suggest types (reconciliation)
///
/// The FtM schemata whose name starts with `prefix`.
#[utoipa::path(
    get,
    path = "/reconcile/{dataset}/suggest/type",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection.", example = "default"),
        ("prefix" = Option<String>, Query, description = "The text typed so far.")
    ),
    responses(
        (status = 200, description = "`{prefix, result: [{id, name}]}`.", body = Object),
        (status = 400, description = "Bad parameter.", body = ErrorBody),
        (status = 404, description = "The dataset is not loaded.", body = ErrorBody),
    )
)]
pub async fn suggest_type(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    check_dataset(&state, &path)?;
    let params = Params::parse(req.query_string())?;
    params.only(&["prefix"])?;
    let prefix = prefix_param(&params);
    let result: Vec<Value> = Schema::ALL
        .iter()
        .filter(|s| starts_with_any(&prefix, &[s.as_str()]))
        .map(|s| type_of(*s))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"prefix": prefix, "result": result})))
}

fn property_list(prefix: &str) -> Vec<Value> {
    PROPERTIES
        .iter()
        .filter(|(id, label)| starts_with_any(prefix, &[id, label]))
        .map(|(id, label)| json!({"id": id, "name": label}))
        .collect()
}

/// Suggest properties (reconciliation)
///
/// The FtM properties a query column can be matched on, by `prefix`.
#[utoipa::path(
    get,
    path = "/reconcile/{dataset}/suggest/property",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection.", example = "default"),
        ("prefix" = Option<String>, Query, description = "The text typed so far.")
    ),
    responses(
        (status = 200, description = "`{prefix, result: [{id, name}]}`.", body = Object),
        (status = 400, description = "Bad parameter.", body = ErrorBody),
        (status = 404, description = "The dataset is not loaded.", body = ErrorBody),
    )
)]
pub async fn suggest_property(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    check_dataset(&state, &path)?;
    let params = Params::parse(req.query_string())?;
    params.only(&["prefix"])?;
    let prefix = prefix_param(&params);
    Ok(HttpResponse::Ok().json(json!({"prefix": prefix, "result": property_list(&prefix)})))
}

/// Propose properties (reconciliation data extension)
///
/// The properties data extension can fetch for a type.
#[utoipa::path(
    get,
    path = "/reconcile/{dataset}/extend/propose",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection.", example = "default"),
        ("type" = Option<String>, Query, description = "An FtM schema name."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 500, description = "Most properties to propose.")
    ),
    responses(
        (status = 200, description = "`{type, properties: [{id, name}]}`.", body = Object),
        (status = 400, description = "An unknown type, or a bad parameter.", body = ErrorBody),
        (status = 404, description = "The dataset is not loaded.", body = ErrorBody),
    )
)]
pub async fn extend_propose(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    check_dataset(&state, &path)?;
    let params = Params::parse(req.query_string())?;
    params.only(&["type", "limit"])?;
    let kind = params
        .get("type")
        .unwrap_or("LegalEntity")
        .trim()
        .to_string();
    if Schema::from_name(&kind).is_none() && kind != "Thing" {
        return Err(ApiError::bad_request(
            "unknown_type",
            format!(
                "type '{}' is not an FtM schema this service lists",
                kind.chars().take(60).collect::<String>()
            ),
        ));
    }
    let mut properties = property_list("");
    if let Some(limit) = limit_param(&params, crate::matching::MAX_LIMIT)? {
        properties.truncate(limit);
    }
    Ok(HttpResponse::Ok().json(json!({"type": kind, "properties": properties})))
}

/// Entity preview (reconciliation)
///
/// A small HTML card of an entity, for OpenRefine's preview pane. Every
/// value is escaped.
#[utoipa::path(
    get,
    path = "/reconcile/{dataset}/preview",
    tag = "yente",
    params(
        ("dataset" = String, Path, description = "A loaded list id or a collection.", example = "default"),
        ("id" = String, Query, description = "Entity id.")
    ),
    responses(
        (status = 200, description = "An HTML fragment.", content_type = "text/html"),
        (status = 400, description = "Missing or malformed id.", body = ErrorBody),
        (status = 404, description = "Unknown entity.", body = ErrorBody),
    )
)]
pub async fn preview(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    check_dataset(&state, &path)?;
    let params = Params::parse(req.query_string())?;
    let id = params.get("id").unwrap_or("").trim().to_string();
    if id.is_empty() {
        return Err(ApiError::bad_request(
            "missing_parameter",
            "query parameter 'id' (an entity id) is required",
        ));
    }
    let (_, entity) = lookup_entity(&state, &id)?;
    let shown = [
        prop::ALIAS,
        prop::BIRTH_DATE,
        prop::NATIONALITY,
        prop::COUNTRY,
        "topics",
    ];
    let programs = entity.listing("program");
    let page = maud::html! {
        div style="font-family: sans-serif; font-size: 13px; overflow-wrap: anywhere" {
            strong dir="auto" { (entity.caption) }
            div { (entity.schema.as_str()) " · " (entity.datasets.join(", ")) }
            dl {
                @for p in shown {
                    @let values = entity.get(p);
                    @if !values.is_empty() {
                        dt { (p) }
                        dd dir="auto" { (values.join("; ")) }
                    }
                }
                @if !programs.is_empty() {
                    dt { "program" }
                    dd { (programs.join("; ")) }
                }
            }
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.into_string()))
}
