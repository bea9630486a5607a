//! yente's service endpoints beside matching and search: `GET /algorithms`,
//! `GET /manifest`, `POST /updatez` and `GET /entities/{id}/adjacent`; the
//! `changed_since` filter of `/match` and `/search`; and the check of the `algorithm` parameter and the warnings for yente's
//! `weights` / `config` fields of `/match`.
//!
//! screener has one matcher. yente's algorithm names are accepted so that a
//! client configured for one of them works unchanged, and each is answered
//! by that matcher; `/algorithms` says so for every name. A name yente does
//! not know either is refused with 400, as yente refuses it.

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::native::{list_overview, lookup_entity};
use super::params::Params;
use super::yente::{FeatureDoc, Properties, Total, YenteEntity, matcher_docs, yente_entity};
use crate::model::LinkedSchema;
use crate::service::RefreshRequest;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// screener's matcher, by the name `/algorithms` gives it.
pub const ALGORITHM: &str = "screener-v1";

/// The algorithm names accepted in `algorithm`: screener's own, then the
/// names of yente's matchers (nomenklatura's), each mapped to screener's.
pub const ALGORITHMS: [(&str, &str); 7] = [
    (
        ALGORITHM,
        "screener's matcher: name parts aligned across scripts and spellings, then the feature table below (birth dates, countries, identifiers, schema, legal forms). The only scorer of this service.",
    ),
    (
        "logic-v1",
        "yente's rule-based matcher; answered by screener-v1.",
    ),
    (
        "logic-v2",
        "yente's second rule-based matcher; answered by screener-v1.",
    ),
    (
        "regression-v1",
        "yente's logistic-regression matcher; answered by screener-v1.",
    ),
    (
        "name-based",
        "yente's name-only matcher; answered by screener-v1 (which also weighs dates, countries and identifiers when the query has them).",
    ),
    (
        "name-qualified",
        "yente's name matcher with date and country qualifiers; answered by screener-v1.",
    ),
    (
        "best",
        "yente's alias for its best matcher; answered by screener-v1.",
    ),
];

/// Checks the `algorithm` parameter of `/match`: absent or one of
/// [`ALGORITHMS`]; anything else is 400, as yente answers it.
pub fn check_algorithm(params: &Params) -> Result<(), ApiError> {
    match params.get("algorithm").map(str::trim) {
        None => Ok(()),
        Some(a)
            if ALGORITHMS
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(a)) =>
        {
            Ok(())
        }
        Some(a) => Err(ApiError::bad_request(
            "invalid_algorithm",
            format!(
                "algorithm '{}' is not known; GET /algorithms lists the accepted names ({})",
                a.chars().take(60).collect::<String>(),
                ALGORITHMS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The warnings every query's response carries when `weights` or `config`
/// were sent: yente's algorithms read them, screener's calibrated feature
/// table does not, and the client is told so rather than left to believe
/// they applied.
pub fn tuning_warnings(
    weights: &BTreeMap<String, f64>,
    config: &serde_json::Map<String, serde_json::Value>,
) -> Vec<crate::matching::Warning> {
    let mut out = Vec::new();
    for (field, names) in [
        (
            "weights",
            weights.keys().map(String::as_str).collect::<Vec<_>>(),
        ),
        ("config", config.keys().map(String::as_str).collect()),
    ] {
        if !names.is_empty() {
            out.push(crate::matching::Warning::new(
                field,
                &names.join(", "),
                format!(
                    "not applied: {ALGORITHM} scores with its calibrated feature table (the `matcher` object of this answer and GET /algorithms give it)"
                ),
            ));
        }
    }
    out
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlgorithmOut {
    name: &'static str,
    description: &'static str,
    #[schema(value_type = HashMap<String, FeatureDoc>)]
    features: BTreeMap<&'static str, FeatureDoc>,
}

/// yente's `AlgorithmResponse`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlgorithmsResponse {
    algorithms: Vec<AlgorithmOut>,
    default: &'static str,
    best: &'static str,
}

/// Scoring algorithms (yente)
///
/// The accepted `algorithm` names, each with the features it scores with.
/// Every name is answered by screener's one matcher.
#[utoipa::path(
    get,
    path = "/algorithms",
    tag = "yente",
    responses(
        (status = 200, description = "The algorithm names and their features.", body = AlgorithmsResponse),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn algorithms(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let served = state.served()?;
    let weights = served.matcher.weights();
    Ok(HttpResponse::Ok().json(AlgorithmsResponse {
        algorithms: ALGORITHMS
            .iter()
            .map(|(name, description)| AlgorithmOut {
                name,
                description,
                features: matcher_docs(weights),
            })
            .collect(),
        default: ALGORITHM,
        best: ALGORITHM,
    }))
}

/// One list in the manifest.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ManifestDataset {
    name: String,
    title: String,
    /// The publisher's download addresses (http and https only).
    urls: Vec<String>,
    load: bool,
    version: Option<String>,
    /// Seconds between looks for a new version, when refreshed on a schedule.
    refresh_interval_seconds: Option<u64>,
}

/// yente's `Manifest`: what the service loads and how often.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ManifestResponse {
    /// How often the scheduler looks for due lists (seconds); none when
    /// refreshes run only on request.
    schedule: Option<String>,
    datasets: Vec<ManifestDataset>,
    catalogs: Vec<String>,
}

/// The public download addresses of a list: never a local path.
pub fn public_urls(urls: &[String]) -> Vec<String> {
    urls.iter()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .cloned()
        .collect()
}

/// Service manifest (yente)
///
/// The lists this service loads, where they come from and how often they
/// are refreshed. Local file paths are never shown.
#[utoipa::path(
    get,
    path = "/manifest",
    tag = "yente",
    responses((status = 200, description = "The manifest.", body = ManifestResponse))
)]
pub async fn manifest(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (_, lists) = list_overview(&state).await?;
    let settings = state.service.settings();
    Ok(HttpResponse::Ok().json(ManifestResponse {
        schedule: settings
            .enabled
            .then(|| format!("every {} s", settings.tick.as_secs())),
        datasets: lists
            .into_iter()
            .map(|l| ManifestDataset {
                title: l.title.clone().unwrap_or_else(|| l.id.clone()),
                name: l.id,
                urls: public_urls(&l.source_urls),
                load: l.loaded,
                version: l.version.or(l.pending_version),
                refresh_interval_seconds: l.refresh_interval_seconds,
            })
            .collect(),
        catalogs: Vec::new(),
    }))
}

/// yente's `StatusResponse`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusResponse {
    status: &'static str,
}

/// Force an index update (yente)
///
/// Looks for new versions of every list now, like `POST /v1/admin/refresh`.
/// An admin route: the admin token as yente's `token` parameter or as
/// `Authorization: Bearer` (401 without a credential, 403 with another one
/// or when no admin token is configured).
/// With `sync=true` the answer waits for the refresh.
#[utoipa::path(
    post,
    path = "/updatez",
    tag = "yente",
    params(
        ("token" = Option<String>, Query, description = "The admin token (yente's update token)."),
        ("sync" = Option<bool>, Query, description = "Answer when the refresh is done.")
    ),
    responses(
        (status = 200, description = "Refreshed (sync) or started.", body = StatusResponse),
        (status = 401, description = "No credential.", body = ErrorBody),
        (status = 403, description = "Not the admin token, or none is configured.", body = ErrorBody),
        (status = 409, description = "A refresh is already running.", body = ErrorBody),
    )
)]
pub async fn updatez(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    params.only(&[super::auth::ADMIN_TOKEN_PARAM, "sync"])?;
    let sync = params.bool("sync")?.unwrap_or(false);
    let request = RefreshRequest {
        lists: None,
        rebuild: false,
    };
    let service = Arc::clone(&state.service);
    if sync {
        service.refresh(request).await;
    } else {
        if service.refreshing() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "refresh_running",
                "a refresh is already running; see GET /v1/lists",
            ));
        }
        tokio::spawn(async move {
            service.try_refresh(request).await;
        });
    }
    Ok(HttpResponse::Ok().json(StatusResponse { status: "ok" }))
}

/// One property's adjacent entities (yente's `EntityAdjacentResponse` part).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdjacentProperty<'a> {
    #[schema(value_type = Vec<crate::model::PropertyValue>)]
    results: Vec<&'a crate::model::Linked>,
    total: Total,
    limit: usize,
    offset: usize,
}

/// yente's answer of `/entities/{id}/adjacent`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdjacentResponse<'a> {
    entity: YenteEntity<'a>,
    adjacent: BTreeMap<&'static str, AdjacentProperty<'a>>,
}

/// Adjacent entities (yente)
///
/// An entity without its nested entities, and beside it the entities linked
/// to it, by the property that links them: `sanctions` (its listing, a
/// `Sanction`) and `cryptoWallets` (`CryptoWallet`), paged.
#[utoipa::path(
    get,
    path = "/entities/{id}/adjacent",
    tag = "yente",
    params(
        ("id" = String, Path, description = "Entity id.", example = "us_ofac_sdn:7379"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 500, description = "Entities per property (default 10)."),
        ("offset" = Option<usize>, Query, description = "Skip this many per property.")
    ),
    responses(
        (status = 200, description = "The entity and its adjacent entities.", body = AdjacentResponse),
        (status = 400, description = "Malformed id or parameter.", body = ErrorBody),
        (status = 404, description = "Unknown entity.", body = ErrorBody),
        (status = 503, description = "No list index is loaded yet.", body = ErrorBody),
    )
)]
pub async fn adjacent(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    params.only(&["limit", "offset"])?;
    let limit = params.usize("limit")?.unwrap_or(10);
    let offset = params.usize("offset")?.unwrap_or(0);
    if !(1..=crate::matching::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {}", crate::matching::MAX_LIMIT),
        ));
    }
    let (served, entity) = lookup_entity(&state, &path.into_inner())?;
    let mut adjacent = BTreeMap::new();
    for schema in LinkedSchema::ALL {
        let all: Vec<&crate::model::Linked> = entity.linked(schema).collect();
        if all.is_empty() {
            continue;
        }
        adjacent.insert(
            schema.reverse_property(),
            AdjacentProperty {
                total: Total::exact(all.len()),
                results: all.into_iter().skip(offset).take(limit).collect(),
                limit,
                offset,
            },
        );
    }
    let mut out = yente_entity(&served, &entity);
    out.properties = Properties::Own(&entity.properties);
    Ok(HttpResponse::Ok().json(AdjacentResponse {
        entity: out,
        adjacent,
    }))
}

/// What `changed_since` leaves to screen: the lists with an entity added or
/// changed since then, and for each list only partly changed the ids that
/// did (a list absent from `only` counts whole).
#[derive(Debug, Default)]
pub struct ChangedSince {
    pub lists: Vec<String>,
    pub only: std::collections::HashMap<String, std::collections::HashSet<String>>,
}

impl ChangedSince {
    /// Whether an entity of a result passes the filter.
    pub fn keeps(&self, entity_id: &str) -> bool {
        let list = crate::model::list_id::of_entity_id(entity_id).unwrap_or("");
        self.only
            .get(list)
            .is_none_or(|ids| ids.contains(entity_id))
    }
}

/// yente's `changed_since` (`YYYY-MM-DD`, optionally `Thh`, `:mm`, `:ss`;
/// UTC), as a time; a value of another form is 422, as yente's pattern
/// check answers it.
fn changed_since_param(params: &Params) -> Result<Option<time::OffsetDateTime>, ApiError> {
    let Some(raw) = params.get("changed_since").map(str::trim) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::unprocessable(
            "invalid_changed_since",
            format!(
                "changed_since '{}' is not a date (YYYY-MM-DD, optionally THH, THH:MM or THH:MM:SS, UTC)",
                raw.chars().take(40).collect::<String>()
            ),
        )
    };
    let (date, clock) = raw.split_once('T').unwrap_or((raw, ""));
    let date = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| bad())?;
    let mut hms = [0u8; 3];
    if !clock.is_empty() {
        let parts: Vec<&str> = clock.split(':').collect();
        if parts.len() > 3 {
            return Err(bad());
        }
        for (slot, p) in hms.iter_mut().zip(&parts) {
            if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            *slot = p.parse().map_err(|_| bad())?;
        }
    }
    let clock = time::Time::from_hms(hms[0], hms[1], hms[2]).map_err(|_| bad())?;
    Ok(Some(time::PrimitiveDateTime::new(date, clock).assume_utc()))
}

/// The `changed_since` filter of a request over a scope of lists: `None`
/// when the parameter is absent, else what [`changed_since_scope`] leaves.
pub async fn changed_since(
    state: &AppState,
    served: &crate::service::Served,
    params: &Params,
    scope: &[String],
) -> Result<Option<ChangedSince>, ApiError> {
    match changed_since_param(params)? {
        None => Ok(None),
        Some(since) => Ok(Some(
            changed_since_scope(state, served, scope, since).await?,
        )),
    }
}

/// Narrows a scope of lists to what changed since `since`: a list whose
/// served version was taken at or before then is left out (nothing in it
/// changed since); a list whose version current then is stored keeps the
/// entities added or changed between that version and the served one; a
/// list with no version that old (all of it is newer), or whose source
/// keeps no history, stays whole, so the filter never hides an entity it
/// cannot prove unchanged.
async fn changed_since_scope(
    state: &AppState,
    served: &crate::service::Served,
    scope: &[String],
    since: time::OffsetDateTime,
) -> Result<ChangedSince, ApiError> {
    let mut out = ChangedSince::default();
    for list in scope.iter().cloned() {
        let Some(served_version) = served.lists.get(&list) else {
            continue;
        };
        if served_version.fetched_at.is_some_and(|t| t <= since) {
            continue;
        }
        let source = Arc::clone(state.service.source());
        let (id, current) = (list.clone(), served_version.version.clone());
        let changed = super::blocking(move || {
            let Some(then) = source.version_at(&id, since) else {
                return Ok(None);
            };
            if then == current {
                return Ok(Some(std::collections::HashSet::new()));
            }
            source.changes(&id, &then).map(|c| {
                Some(
                    c.added
                        .into_iter()
                        .chain(c.changed)
                        .map(|e| e.id)
                        .collect::<std::collections::HashSet<String>>(),
                )
            })
        })
        .await?
        .map_err(|e| ApiError::internal(format!("changed_since: {e}")))?;
        match changed {
            None => out.lists.push(list),
            Some(ids) if ids.is_empty() => {}
            Some(ids) => {
                out.only.insert(list.clone(), ids);
                out.lists.push(list);
            }
        }
    }
    Ok(out)
}
