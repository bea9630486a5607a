//! PostgreSQL plumbing shared by every store kept in one database (the
//! monitor's customers and alerts, the list versions): the connection pool,
//! running the blocking driver off async threads, telling a lost connection
//! from a failed statement, and the one migration runner.
//!
//! - The driver is `postgres`, the blocking face of tokio-postgres, with an
//!   r2d2 pool. Connections are plain (loopback or a Unix socket; no OpenSSL
//!   anywhere); a broken connection is dropped at check-out and the pool
//!   opens a new one, so a store comes back on its own when the database
//!   does.
//! - Versioned migrations: every file of `migrations/postgres/NNN_*.sql`,
//!   listed in [`MIGRATIONS`], recorded in `monitor_schema` and applied in
//!   one transaction under an advisory lock: replicas starting together
//!   migrate once, the others wait and find nothing to do.

use postgres::NoTls;
use r2d2_postgres::{PostgresConnectionManager, r2d2};
use std::collections::HashMap;
use std::time::Duration;

/// The schema, one migration per version (version = position + 1): every
/// file of `migrations/postgres/`, in order.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/001_monitor.sql"),
    include_str!("../migrations/postgres/002_customer_changes.sql"),
    include_str!("../migrations/postgres/003_rescreen_jobs.sql"),
    include_str!("../migrations/postgres/004_list_versions.sql"),
    include_str!("../migrations/postgres/005_alert_customer_fields.sql"),
    include_str!("../migrations/postgres/006_rescreen_job_config.sql"),
    include_str!("../migrations/postgres/007_customer_analysis.sql"),
];

/// Advisory lock key of migrations (exclusive; writers hold it shared).
pub const MIGRATION_LOCK: i64 = 0x5343_524e_0000_0001;

/// Options of a connection pool.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Most connections held open.
    pub pool_size: u32,
    /// How long a request waits for a connection before answering 503.
    pub connect_timeout: Duration,
    /// Keep the statements of write transactions prepared on each
    /// connection (off: prepared at every use, for a pooler in transaction
    /// mode that cannot keep them, and to measure what they save).
    pub statement_cache: bool,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            pool_size: 16,
            connect_timeout: Duration::from_secs(3),
            statement_cache: true,
        }
    }
}

pub type Conn = r2d2::PooledConnection<Manager>;

/// A connection and the statements a write transaction prepared on it:
/// each statement is parsed and planned once per connection, and a write
/// then costs one round trip per statement instead of two. It derefs to
/// the driver's client for everything else.
pub struct Client {
    pub client: postgres::Client,
    pub statements: HashMap<String, postgres::Statement>,
}

impl std::ops::Deref for Client {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        &self.client
    }
}

impl std::ops::DerefMut for Client {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        &mut self.client
    }
}

/// The pool's connection manager: `r2d2_postgres`'s, around a [`Client`].
pub struct Manager(PostgresConnectionManager<NoTls>);

impl r2d2::ManageConnection for Manager {
    type Connection = Client;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Client, postgres::Error> {
        Ok(Client {
            client: self.0.connect()?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, c: &mut Client) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut c.client)
    }

    fn has_broken(&self, c: &mut Client) -> bool {
        self.0.has_broken(&mut c.client)
    }
}

/// The pool, closed on a thread of its own: closing a connection blocks on
/// the driver's runtime, which cannot run on an async thread (where the
/// last handle on the store may be dropped).
pub struct Pool(Option<r2d2::Pool<Manager>>);

impl Pool {
    /// Parses `url`, and makes a pool that connects lazily (a database that
    /// cannot be reached yet is not an error here). Returns the URL without
    /// its password too, for messages.
    pub fn new(url: &str, options: &PostgresOptions) -> Result<(Pool, String), postgres::Error> {
        let mut config: postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        config.application_name("screener");
        let describe = describe(&config);
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(options.connect_timeout)
            .build_unchecked(Manager(PostgresConnectionManager::new(config, NoTls)));
        Ok((Pool(Some(pool)), describe))
    }

    pub fn get(&self) -> std::result::Result<Conn, String> {
        match &self.0 {
            Some(p) => p.get().map_err(|e| e.to_string()),
            None => Err("the store is closed".into()),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

/// Runs `f` where the blocking driver may block: on a thread of its own
/// when this thread belongs to an async runtime (the driver's own runtime
/// cannot start inside another), else here.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// Whether a text names a PostgreSQL database (rather than a SQLite file).
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// A connection string's user, hosts and database, without the password.
pub fn describe(config: &postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                postgres::config::Host::Tcp(h) => h.clone(),
                postgres::config::Host::Unix(p) => p.display().to_string(),
            };
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        })
        .collect();
    format!(
        "postgres://{}@{}/{}",
        config.get_user().unwrap_or(""),
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}

/// True when the error is the connection lost or refused, not a statement
/// that failed: the database cannot be reached.
pub fn is_connection_lost(e: &postgres::Error) -> bool {
    if e.as_db_error().is_some() {
        return false;
    }
    let io = std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>());
    e.is_closed() || io || e.to_string().contains("connect")
}

/// Why migrating failed.
#[derive(Debug)]
pub enum MigrateError {
    /// A statement around the migrations failed (connection, locks).
    Db(postgres::Error),
    /// The database has a schema version newer than this build knows.
    Newer(i64),
    /// Migration `version` itself failed.
    Failed {
        version: i64,
        error: postgres::Error,
    },
}

/// Applies pending migrations in one transaction under the migration lock
/// (a second process waits for it, then finds nothing to do). `applied_at`
/// is recorded with each version applied.
pub fn migrate(
    describe: &str,
    conn: &mut postgres::Client,
    applied_at: &str,
) -> Result<(), MigrateError> {
    let mut tx = conn.transaction().map_err(MigrateError::Db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(MigrateError::Db)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS monitor_schema (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .map_err(MigrateError::Db)?;
    let version: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::BIGINT FROM monitor_schema",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(MigrateError::Db)?;
    if version > MIGRATIONS.len() as i64 {
        return Err(MigrateError::Newer(version));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let target = i as i64 + 1;
        tx.batch_execute(sql)
            .map_err(|error| MigrateError::Failed {
                version: target,
                error,
            })?;
        tx.execute(
            "INSERT INTO monitor_schema (version, applied_at) VALUES ($1, $2)",
            &[&target, &applied_at],
        )
        .map_err(MigrateError::Db)?;
        tracing::info!(database = %describe, version = target, "database migrated");
    }
    tx.commit().map_err(MigrateError::Db)
}
