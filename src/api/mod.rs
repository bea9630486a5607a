//! The HTTP layer (actix-web): routes, request/response types, auth, limits,
//! metrics, the OpenAPI document and the browsable API page. No matching
//! logic lives here: handlers turn requests into [`crate::matching`] calls on
//! the index the [`crate::service::Service`] currently serves.
//!
//! Routes (see `docs/API.md` and `/openapi.json`):
//! - native, under `/v1`: `POST /v1/screen`, `POST /v1/screen/batch` (JSON
//!   array or streamed NDJSON), `POST /v1/compare`, `GET /v1/entities/{id}`,
//!   `GET /v1/lists`, `GET /v1/lists/{id}/changes?since=`, `POST /v1/admin/refresh`,
//!   `POST /v1/screen/payment` and `POST /v1/screen/payments` ([`payments`]);
//! - yente-compatible: `POST /match/{dataset}`, `GET /search/{dataset}`,
//!   `GET /entities/{id}`, `GET /catalog`;
//! - operations: `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, `/docs`.
//!
//! Tests build the app with `App::new().configure(app_config(state))`;
//! [`run_server`] is what `screener serve` runs.

pub mod auth;
pub mod batch;
pub mod config;
pub mod error;
pub mod logging;
pub mod metrics;
pub mod middleware;
pub mod native;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod payments;
pub mod yente;

use crate::service::{IndexSource, ManifestSource, Served, Service};
use actix_web::{App, HttpServer, web};
use config::ServerConfig;
use error::ApiError;
use std::sync::Arc;

/// Everything a handler needs; shared by every worker.
pub struct AppState {
    pub service: Arc<Service>,
    pub config: ServerConfig,
    pub auth: auth::Auth,
    pub metrics: metrics::Metrics,
    /// Slots for batch jobs running at once.
    pub batch_slots: Arc<tokio::sync::Semaphore>,
    pub openapi: String,
    pub docs_html: String,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("service", &self.service)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(service: Arc<Service>, config: ServerConfig) -> web::Data<AppState> {
        let openapi_doc = openapi::document(&config);
        let docs_html = openapi::docs_page(&openapi_doc);
        web::Data::new(AppState {
            auth: auth::Auth::new(&config.api_keys, config.admin_token.as_ref()),
            batch_slots: Arc::new(tokio::sync::Semaphore::new(
                config.limits.max_concurrent_batches,
            )),
            metrics: metrics::Metrics::new(),
            openapi: serde_json::to_string_pretty(&openapi_doc).unwrap_or_else(|_| "{}".into()),
            docs_html,
            service,
            config,
        })
    }

    /// The index generation to answer this request with, or 503.
    pub fn served(&self) -> Result<Arc<Served>, ApiError> {
        self.service.served().ok_or_else(ApiError::not_ready)
    }

    /// Takes a batch slot or answers 429.
    pub fn batch_slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.batch_slots).try_acquire_owned().map_err(|_| {
            ApiError::new(
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                "too_many_batches",
                format!(
                    "{} batch jobs are running, the limit (limits.max_concurrent_batches); retry later",
                    self.config.limits.max_concurrent_batches
                ),
            )
        })
    }
}

/// Runs CPU-heavy or blocking work off the HTTP worker threads.
pub async fn blocking<F, R>(f: F) -> Result<R, ApiError>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    web::block(f)
        .await
        .map_err(|e| ApiError::internal(format!("background task failed: {e}")))
}

/// Registers every route, the extractor error handlers and the middleware.
pub fn app_config(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let limits = state.config.limits.clone();
        cfg.app_data(state)
            .app_data(
                web::JsonConfig::default()
                    .limit(limits.max_body_bytes)
                    .error_handler(error::json_config_handler(limits.max_body_bytes)),
            )
            .app_data(web::PathConfig::default().error_handler(error::path_config_handler))
            .app_data(web::QueryConfig::default().error_handler(error::query_config_handler))
            .service(
                web::scope("")
                    .wrap(actix_web::middleware::from_fn(middleware::gateway))
                    // Operations.
                    .service(web::resource("/healthz").route(web::get().to(ops::healthz)))
                    .service(web::resource("/readyz").route(web::get().to(ops::readyz)))
                    .service(web::resource("/metrics").route(web::get().to(ops::metrics)))
                    .service(web::resource("/openapi.json").route(web::get().to(ops::openapi)))
                    .service(web::resource("/docs").route(web::get().to(ops::docs)))
                    .service(web::resource("/docs/app.js").route(web::get().to(ops::docs_js)))
                    .service(web::resource("/").route(web::get().to(ops::root)))
                    // Native API.
                    .service(web::resource("/v1/screen").route(web::post().to(native::screen)))
                    .service(
                        web::resource("/v1/screen/batch")
                            .route(web::post().to(batch::screen_batch)),
                    )
                    .configure(payments::routes)
                    .service(web::resource("/v1/compare").route(web::post().to(native::compare)))
                    .service(
                        web::resource("/v1/entities/{id:.*}").route(web::get().to(native::entity)),
                    )
                    .service(web::resource("/v1/lists").route(web::get().to(native::lists)))
                    .service(
                        web::resource("/v1/lists/{id}/changes")
                            .route(web::get().to(native::changes)),
                    )
                    .service(
                        web::resource("/v1/admin/refresh")
                            .route(web::post().to(native::admin_refresh)),
                    )
                    // yente-compatible API.
                    .service(
                        web::resource("/match/{dataset}")
                            .app_data(
                                web::JsonConfig::default()
                                    .limit(limits.max_batch_body_bytes)
                                    .error_handler(error::json_config_handler(
                                        limits.max_batch_body_bytes,
                                    )),
                            )
                            .route(web::post().to(yente::match_entities)),
                    )
                    .service(web::resource("/search/{dataset}").route(web::get().to(yente::search)))
                    .service(web::resource("/entities/{id:.*}").route(web::get().to(yente::entity)))
                    .service(web::resource("/catalog").route(web::get().to(yente::catalog)))
                    .default_service(web::to(ops::not_found)),
            );
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("cannot open the list source: {0}")]
    Source(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// The list source the configuration names: a manifest of files, or the
/// data directory's store.
pub fn open_source(config: &ServerConfig) -> Result<Arc<dyn IndexSource>, ServeError> {
    match &config.manifest {
        Some(path) => {
            let src = ManifestSource::open(path).map_err(|e| ServeError::Source(e.to_string()))?;
            Ok(Arc::new(src))
        }
        None => {
            let store = crate::snapshot::Store::open(&config.data_dir).map_err(|e| {
                ServeError::Source(format!(
                    "cannot open the data directory {}: {e}",
                    config.data_dir.display()
                ))
            })?;
            let catalog = match &config.catalog {
                Some(p) => crate::sources::Catalog::load(p),
                None => crate::sources::Catalog::builtin(),
            }
            .map_err(|e| ServeError::Source(e.to_string()))?;
            let fetcher = crate::fetch::Fetcher::new(crate::fetch::FetchConfig::default())
                .map_err(|e| ServeError::Source(e.to_string()))?;
            Ok(Arc::new(crate::service::StoreSource::new(
                Arc::new(store),
                fetcher,
                catalog,
            )))
        }
    }
}

/// Starts the HTTP server on an already bound listener (tests and the load
/// generator bind port 0). The caller awaits the returned server.
pub fn start_server(
    state: web::Data<AppState>,
    listener: std::net::TcpListener,
) -> Result<actix_web::dev::Server, ServeError> {
    let workers = state
        .config
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let shutdown = state.config.shutdown_timeout_secs;
    let keep_alive = std::time::Duration::from_secs(state.config.keep_alive_secs);
    let head_timeout = std::time::Duration::from_secs(state.config.client_request_timeout_secs);
    let server = HttpServer::new(move || App::new().configure(app_config(state.clone())))
        .workers(workers)
        .keep_alive(keep_alive)
        .client_request_timeout(head_timeout)
        .shutdown_timeout(shutdown)
        .listen(listener)?
        .run();
    Ok(server)
}

/// `screener serve`: opens the source, starts the background load and
/// refresh, and serves until SIGINT/SIGTERM (actix-web then stops accepting,
/// lets in-flight requests finish for `shutdown_timeout_secs`, and exits).
pub async fn run_server(config: ServerConfig) -> Result<(), ServeError> {
    let source = open_source(&config)?;
    run_server_with(config, source).await
}

/// [`run_server`] with a given source.
pub async fn run_server_with(
    config: ServerConfig,
    source: Arc<dyn IndexSource>,
) -> Result<(), ServeError> {
    let settings = config.refresh_settings()?;
    let service = Arc::new(Service::new(source, settings));
    let listen = config.listen.clone();
    let listener = std::net::TcpListener::bind(&listen).map_err(|source| ServeError::Bind {
        addr: listen.clone(),
        source,
    })?;
    let state = AppState::new(Arc::clone(&service), config);
    tracing::info!(
        listen = %listen,
        api_keys = state.auth.keys_required(),
        refresh = service.settings().enabled,
        "screener serving; /readyz answers 503 until the first index is built"
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let background = service.spawn_background(stop_rx);
    let server = start_server(state, listener)?;
    let result = server.await;
    let _ = stop_tx.send(true);
    background.abort();
    tracing::info!("screener stopped");
    Ok(result?)
}

/// The whole `serve` subcommand: configuration (file, environment, flags;
/// the data directory and catalog come from the CLI's global options),
/// logging (unless the CLI set it up already), runtime and server.
pub fn serve(
    args: &config::ServeArgs,
    data_dir: std::path::PathBuf,
    catalog: Option<std::path::PathBuf>,
) -> Result<(), ServeError> {
    let mut config = ServerConfig::resolve(args, |k| std::env::var(k).ok())?;
    config.data_dir = data_dir;
    config.catalog = catalog;
    logging::init(config.log_format);
    actix_web::rt::System::new().block_on(run_server(config))
}
