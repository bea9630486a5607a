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
//! - operations: `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, `/docs`;
//! - the analyst console under `/ui` (HTML pages, [`crate::ui`]).
//!
//! Tests build the app with `App::new().configure(app_config(state))`;
//! [`run_server`] is what `screener serve` runs.

pub mod auth;
pub mod batch;
pub mod body;
pub mod config;
pub mod error;
pub mod metrics;
pub mod middleware;
pub mod monitor;
pub mod native;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod payments;
pub mod reconcile;
pub mod yente;
pub mod yente_meta;

use crate::service::{IndexSource, ManifestSource, Served, Service};
use actix_web::http::Method;
use actix_web::{App, FromRequest, Handler, HttpRequest, HttpServer, Responder, web};
pub use auth::{Access, Principal};
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
    /// The OpenAPI document as the configuration makes it, before the
    /// loaded lists are filled in.
    openapi_base: serde_json::Value,
    /// The document and the `/docs` page for the index generation served
    /// when they were last asked for.
    docs: std::sync::Mutex<Option<(u64, Arc<openapi::Rendered>)>>,
    /// Ongoing monitoring, when on.
    pub monitor: Option<Arc<crate::monitor::Monitor>>,
    /// The analyst console's sessions ([`crate::ui`]).
    pub console: crate::ui::Console,
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
        Self::with_monitor(service, config, None)
    }

    /// The state with ongoing monitoring.
    pub fn with_monitor(
        service: Arc<Service>,
        config: ServerConfig,
        monitor: Option<Arc<crate::monitor::Monitor>>,
    ) -> web::Data<AppState> {
        let openapi_base = openapi::document(&config);
        web::Data::new(AppState {
            auth: auth::Auth::new(&config.api_keys, config.admin_token.as_ref()),
            batch_slots: Arc::new(tokio::sync::Semaphore::new(
                config.limits.max_concurrent_batches,
            )),
            metrics: metrics::Metrics::new(),
            openapi_base,
            docs: std::sync::Mutex::new(None),
            service,
            config,
            monitor,
            console: crate::ui::Console::default(),
        })
    }

    /// The OpenAPI document and `/docs` page naming the lists loaded now
    /// (remade when a refresh swaps the index).
    pub fn rendered_docs(&self) -> Arc<openapi::Rendered> {
        let served = self.service.served();
        let generation = served.as_ref().map_or(0, |s| s.generation);
        let mut cache = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, docs)) = cache.as_ref()
            && *g == generation
        {
            return Arc::clone(docs);
        }
        let loaded: Vec<&str> = served
            .as_ref()
            .map(|s| s.lists.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let docs = Arc::new(openapi::Rendered::new(&self.openapi_base, &loaded));
        *cache = Some((generation, Arc::clone(&docs)));
        docs
    }

    /// The index generation to answer this request with, or 503.
    pub fn served(&self) -> Result<Arc<Served>, ApiError> {
        self.service.served().ok_or_else(|| self.not_ready())
    }

    /// The 503 for "no index yet", saying why and what to do.
    pub fn not_ready(&self) -> ApiError {
        ApiError::not_ready(&self.service.not_ready_detail())
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

/// One route of the table: its path, who may call it, and its handler per
/// method. Registered as one actix resource whose own middleware checks the
/// caller ([`auth::guard`]), so access is decided on the route the router
/// matched (after percent-decoding), and whose default answer to another
/// method is a JSON 405 with `Allow`.
pub struct Endpoint {
    pub path: &'static str,
    pub access: Access,
    routes: Vec<(Method, actix_web::Route)>,
}

impl Endpoint {
    pub fn new(path: &'static str, access: Access) -> Endpoint {
        Endpoint {
            path,
            access,
            routes: Vec::new(),
        }
    }

    fn method<F, Args>(mut self, method: Method, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.routes
            .push((method.clone(), web::method(method).to(handler)));
        self
    }

    pub fn get<F, Args>(self, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.method(Method::GET, handler)
    }

    pub fn post<F, Args>(self, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.method(Method::POST, handler)
    }

    pub fn put<F, Args>(self, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.method(Method::PUT, handler)
    }

    pub fn delete<F, Args>(self, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.method(Method::DELETE, handler)
    }

    /// The methods this route answers.
    pub fn methods(&self) -> Vec<Method> {
        self.routes.iter().map(|(m, _)| m.clone()).collect()
    }

    fn register(self, cfg: &mut web::ServiceConfig, body: Option<body::BodyLimit>) {
        let access = self.access;
        let allow = self
            .routes
            .iter()
            .map(|(m, _)| m.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut resource = web::resource(self.path);
        if let Some(limit) = body {
            resource = resource.app_data(limit);
        }
        for (_, route) in self.routes {
            resource = resource.route(route);
        }
        cfg.service(
            resource
                .default_service(web::to(move |req: HttpRequest| {
                    let allow = allow.clone();
                    async move { error::method_not_allowed(&req, &allow) }
                }))
                .wrap(actix_web::middleware::from_fn(move |req, next| {
                    auth::guard(access, req, next)
                })),
        );
    }
}

/// Every route, with its access level. Paths use actix's `{name}` segments;
/// the OpenAPI document and the access table test read the same list.
pub fn endpoints() -> Vec<Endpoint> {
    use Access::{Admin, Api, Public};
    vec![
        // Operations.
        Endpoint::new("/healthz", Public).get(ops::healthz),
        Endpoint::new("/readyz", Public).get(ops::readyz),
        Endpoint::new("/metrics", Public).get(ops::metrics),
        Endpoint::new("/openapi.json", Public).get(ops::openapi),
        Endpoint::new("/docs", Public).get(ops::docs),
        Endpoint::new("/docs/app.js", Public).get(ops::docs_js),
        Endpoint::new("/", Public).get(ops::root),
        // Native API.
        Endpoint::new("/v1/screen", Api).post(native::screen),
        Endpoint::new("/v1/screen/batch", Api).post(batch::screen_batch),
        Endpoint::new("/v1/screen/payment", Api).post(payments::screen_payment),
        Endpoint::new("/v1/screen/payments", Api).post(payments::screen_payments),
        Endpoint::new("/v1/compare", Api).post(native::compare),
        Endpoint::new("/v1/entities/{id:.*}", Api).get(native::entity),
        Endpoint::new("/v1/lists", Api).get(native::lists),
        Endpoint::new("/v1/lists/{id}/changes", Api).get(native::changes),
        Endpoint::new("/v1/admin/refresh", Admin).post(native::admin_refresh),
        // Ongoing monitoring.
        Endpoint::new("/v1/customers", Api)
            .get(monitor::list_customers)
            .post(monitor::post_customers),
        Endpoint::new("/v1/customers/{id}", Api)
            .get(monitor::get_customer)
            .put(monitor::put_customer)
            .delete(monitor::delete_customer),
        Endpoint::new("/v1/alerts", Api).get(monitor::list_alerts),
        Endpoint::new("/v1/alerts/{id}", Api).get(monitor::get_alert),
        Endpoint::new("/v1/alerts/{id}/decision", Api).post(monitor::decide),
        Endpoint::new("/v1/monitor", Api).get(monitor::status),
        Endpoint::new("/v1/monitor/rescreen", Admin).post(monitor::rescreen),
        Endpoint::new("/v1/monitor/rescreens/{id}", Api).get(monitor::rescreen_progress),
        Endpoint::new("/v1/audit", Api).get(monitor::audit),
        Endpoint::new("/v1/webhooks/deliveries", Api).get(monitor::deliveries),
        // yente-compatible API.
        Endpoint::new("/match/{dataset}", Api).post(yente::match_entities),
        Endpoint::new("/search/{dataset}", Api).get(yente::search),
        Endpoint::new("/entities/{id:.*}/adjacent", Api).get(yente_meta::adjacent),
        Endpoint::new("/entities/{id:.*}", Api).get(yente::entity),
        Endpoint::new("/catalog", Api).get(yente::catalog),
        Endpoint::new("/algorithms", Api).get(yente_meta::algorithms),
        Endpoint::new("/manifest", Api).get(yente_meta::manifest),
        // The admin token, also as yente's `token` parameter.
        Endpoint::new("/updatez", Admin).post(yente_meta::updatez),
        // W3C reconciliation API (OpenRefine).
        Endpoint::new("/reconcile", Api)
            .get(reconcile::reconcile_default_get)
            .post(reconcile::reconcile_default),
        Endpoint::new("/reconcile/{dataset}", Api)
            .get(reconcile::reconcile_get)
            .post(reconcile::reconcile),
        Endpoint::new("/reconcile/{dataset}/suggest/entity", Api).get(reconcile::suggest_entity),
        Endpoint::new("/reconcile/{dataset}/suggest/type", Api).get(reconcile::suggest_type),
        Endpoint::new("/reconcile/{dataset}/suggest/property", Api)
            .get(reconcile::suggest_property),
        Endpoint::new("/reconcile/{dataset}/extend/propose", Api).get(reconcile::extend_propose),
        Endpoint::new("/reconcile/{dataset}/preview", Api).get(reconcile::preview),
    ]
}

/// Registers every route, the extractor error handlers and the middleware.
pub fn app_config(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let limits = state.config.limits.clone();
        cfg.app_data(state)
            .app_data(limits.body())
            .app_data(web::PathConfig::default().error_handler(error::path_config_handler))
            .app_data(web::QueryConfig::default().error_handler(error::query_config_handler))
            .service(
                web::scope("")
                    .wrap(actix_web::middleware::from_fn(middleware::gateway))
                    .configure(|scope| {
                        for e in endpoints() {
                            // Batches take larger bodies.
                            let batch = matches!(
                                e.path,
                                "/match/{dataset}"
                                    | "/v1/screen/batch"
                                    | "/v1/screen/payments"
                                    | "/reconcile"
                                    | "/reconcile/{dataset}"
                            );
                            e.register(scope, batch.then(|| limits.batch_body()));
                        }
                        // The analyst console (HTML, not in the OpenAPI document).
                        crate::ui::configure(scope);
                    })
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
    #[error("monitor: {0}")]
    Monitor(String),
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
            let mut source = crate::service::StoreSource::new(Arc::new(store), fetcher, catalog);
            // A shared PostgreSQL database shares the list versions too.
            if let crate::monitor::Database::Postgres(url) =
                config.monitor.backend(&config.data_dir)
            {
                let shared = crate::snapshot::shared::SharedVersions::connect(
                    &url,
                    crate::snapshot::shared::SharedOptions::default(),
                )
                .map_err(|e| ServeError::Source(e.to_string()))?;
                source = source.with_shared(Arc::new(shared));
            }
            Ok(Arc::new(source))
        }
    }
}

/// Opens the monitor database the configuration names (none when
/// monitoring is off). A database this build cannot use stops the start.
pub fn open_monitor(
    config: &ServerConfig,
) -> Result<Option<Arc<crate::monitor::Monitor>>, ServeError> {
    if !config.monitor.enabled {
        return Ok(None);
    }
    let store = crate::monitor::open_store(&config.monitor, &config.data_dir, true)
        .map_err(|e| ServeError::Monitor(e.to_string()))?;
    Ok(Some(Arc::new(crate::monitor::Monitor::new(
        store,
        config.monitor.clone(),
    ))))
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
    let monitor = open_monitor(&config)?;
    let listen = config.listen.clone();
    let listener = std::net::TcpListener::bind(&listen).map_err(|source| ServeError::Bind {
        addr: listen.clone(),
        source,
    })?;
    let state = AppState::with_monitor(Arc::clone(&service), config, monitor.clone());
    tracing::info!(
        listen = %listen,
        api_keys = state.auth.keys_required(),
        refresh = service.settings().enabled,
        "screener serving; /readyz answers 503 until the first index is built"
    );
    if !service.has_stored_lists() {
        tracing::warn!("no list is stored yet: {}", service.not_ready_detail());
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let background = service.spawn_background(stop_rx.clone());
    let monitor_tasks: Vec<tokio::task::JoinHandle<()>> = match &monitor {
        Some(m) => vec![
            tokio::spawn(crate::monitor::follow(Arc::clone(m), Arc::clone(&service))),
            tokio::spawn(crate::monitor::webhooks::run(
                Arc::clone(m.store()),
                m.config().webhooks.clone(),
                stop_rx,
            )),
        ],
        None => Vec::new(),
    };
    let server = start_server(state, listener)?;
    let result = server.await;
    let _ = stop_tx.send(true);
    background.abort();
    for t in monitor_tasks {
        t.abort();
    }
    tracing::info!("screener stopped");
    Ok(result?)
}

/// The whole `serve` subcommand: configuration (file, environment, flags;
/// the data directory, catalog and log format come from the CLI's global
/// options), logging, runtime and server.
pub fn serve(
    args: &config::ServeArgs,
    data_dir: std::path::PathBuf,
    catalog: Option<std::path::PathBuf>,
    log_format: Option<crate::logging::LogFormat>,
) -> Result<(), ServeError> {
    let mut config = ServerConfig::resolve(args, |k| std::env::var(k).ok())?;
    config.data_dir = data_dir;
    config.catalog = catalog;
    if let Some(f) = log_format {
        config.log_format = f;
    }
    crate::logging::init(config.log_format, "info");
    actix_web::rt::System::new().block_on(run_server(config))
}
