//! List versions shared by several replicas through one PostgreSQL database
//! (the monitor's, `--database postgres://…`).
//!
//! The database is the truth of which version of each list is current; each
//! replica's data directory ([`super::Store`]) stays its working copy, from
//! which it loads entities, diffs versions and keeps its built index. Tables
//! (migration `004_list_versions.sql`):
//!
//! ```text
//! list_versions  (list_id, version) PK       one row per published version
//!     meta                                   VersionMeta as JSON
//!     published_at                           when it was published
//! list_files     (list_id, version, name) PK the raw files exactly as fetched
//!     data BYTEA                             (a few MB per list)
//! list_state     list_id PK                  one row per list
//!     current_version                        → list_versions; what replicas serve
//!     holder, token, lease_until             the fetch lease: who may fetch,
//!                                            validate and publish now
//!     last_attempt, last_success,            the shared refresh record
//!     last_error, last_error_at
//! ```
//!
//! - **One leader per list.** A replica about to fetch a list takes its lease
//!   (row lock, then `holder`, `token + 1`, `lease_until = now() + lease`);
//!   a lease another replica holds unexpired, or a fetch another replica
//!   started since this one decided to fetch, makes it skip. A lease row
//!   rather than a session advisory lock: a leader whose host is cut off
//!   keeps its session (and an advisory lock) until TCP notices, which may
//!   take hours; a lease ends at a known time. Publishing checks, in the
//!   publishing transaction, that the lease is still this replica's (same
//!   token, unexpired), so a leader that stalled past its lease cannot
//!   publish over the one that took over.
//! - **One parse, one validate.** The leader fetches into its own store as
//!   without a database (parse, validate against the current version, diff
//!   base), then publishes the raw files and the record. Another replica
//!   adopts the version ([`super::Store::adopt`]): the same parser on the
//!   same bytes, the entity count checked against the record. Raw files
//!   rather than entities because they are what the store keeps anyway,
//!   several times smaller than the parsed entities as JSON, and the parse
//!   is a one-off cost per version and replica (see the README's figures).
//! - **Every replica told.** Publishing sends `NOTIFY screener_lists` in the
//!   same transaction. Every replica runs one follower thread with a
//!   connection of its own that `LISTEN`s (connecting again when it is
//!   lost) and compares the current versions every `poll` (5 s) whatever
//!   it hears, so a lost notification delays a swap by one poll at most.

use super::VersionMeta;
use crate::parse::SourceFile;
use crate::pg::{self, Pool, PostgresOptions};
use postgres::fallible_iterator::FallibleIterator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

/// The channel a publish notifies.
pub const CHANNEL: &str = "screener_lists";

/// Settings of the shared versions.
#[derive(Debug, Clone)]
pub struct SharedOptions {
    pub pool: PostgresOptions,
    /// How long a leader may hold a list before another replica may take
    /// it over: longer than a fetch may take (the fetcher gives up after
    /// 5 minutes per file).
    pub lease: Duration,
    /// How often the follower compares the current versions, whatever it
    /// heard.
    pub poll: Duration,
    /// Listen for notifications (off: the poll alone, for tests).
    pub listen: bool,
}

impl Default for SharedOptions {
    fn default() -> Self {
        SharedOptions {
            pool: PostgresOptions {
                pool_size: 4,
                ..PostgresOptions::default()
            },
            lease: Duration::from_secs(15 * 60),
            poll: Duration::from_secs(5),
            listen: true,
        }
    }
}

/// A failure of the shared database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SharedError(pub String);

/// One list as the shared database records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedList {
    pub id: String,
    pub current: Option<VersionMeta>,
    pub last_attempt: Option<OffsetDateTime>,
    pub last_success: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub last_error_at: Option<OffsetDateTime>,
}

/// A held fetch lease on one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub list_id: String,
    pub token: i64,
}

/// What asking for a lease gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lead {
    /// This replica leads the list until the lease runs out.
    Leading(Lease),
    /// Another replica holds the lease.
    Held { holder: String },
    /// Another replica started fetching the list after `since`.
    Done,
}

/// The list versions in the shared database.
pub struct SharedVersions {
    describe: String,
    config: postgres::Config,
    pool: Pool,
    /// This replica, as lease holder: host, process and a random part.
    holder: String,
    options: SharedOptions,
    migrated: AtomicBool,
}

impl std::fmt::Debug for SharedVersions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedVersions")
            .field("database", &self.describe)
            .field("holder", &self.holder)
            .finish()
    }
}

type Res<T> = Result<T, SharedError>;

fn time_of_micros(us: Option<i64>) -> Option<OffsetDateTime> {
    us.and_then(|us| OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).ok())
}

/// A time column as microseconds since the epoch.
fn micros(column: &str) -> String {
    format!("(extract(epoch FROM {column}) * 1000000)::BIGINT")
}

impl SharedVersions {
    /// Connects lazily to the database at `url`: a database that cannot be
    /// reached yet is an error only when it is used.
    pub fn connect(url: &str, options: SharedOptions) -> Res<SharedVersions> {
        let bad = |e: postgres::Error| {
            SharedError(format!(
                "the database URL is not a valid PostgreSQL URL: {e}"
            ))
        };
        let (pool, describe) = Pool::new(url, &options.pool).map_err(bad)?;
        let mut config: postgres::Config = url.parse().map_err(bad)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.pool.connect_timeout);
        }
        config.application_name("screener-lists");
        let mut random = [0u8; 4];
        let _ = getrandom::fill(&mut random);
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "replica".into());
        Ok(SharedVersions {
            describe,
            config,
            pool,
            holder: format!("{host}/{}/{}", std::process::id(), hex::encode(random)),
            options,
            migrated: AtomicBool::new(false),
        })
    }

    /// This replica's name as lease holder.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    pub fn options(&self) -> &SharedOptions {
        &self.options
    }

    fn fail(&self, e: postgres::Error) -> SharedError {
        if pg::is_connection_lost(&e) {
            SharedError(format!(
                "the list database {} cannot be reached: {e}",
                self.describe
            ))
        } else {
            let detail = e
                .as_db_error()
                .map_or(e.to_string(), |d| d.message().to_string());
            SharedError(format!("list database {}: {detail}", self.describe))
        }
    }

    /// Runs `f` on a pooled connection (migrated once per process), off any
    /// async thread.
    fn with<T: Send>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error> + Send,
    ) -> Res<T> {
        pg::off_runtime(|| {
            let mut conn = self.pool.get().map_err(|e| {
                SharedError(format!(
                    "the list database {} cannot be reached: {e}",
                    self.describe
                ))
            })?;
            if !self.migrated.load(Ordering::Acquire) {
                let applied_at = OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                pg::migrate(&self.describe, &mut conn, &applied_at).map_err(|e| match e {
                    pg::MigrateError::Db(e) => self.fail(e),
                    pg::MigrateError::Newer(v) => SharedError(format!(
                        "the database {} has schema version {v}, newer than this build knows",
                        self.describe
                    )),
                    pg::MigrateError::Failed { version, error } => SharedError(format!(
                        "migrating the database {} to schema version {version} failed: {error}",
                        self.describe
                    )),
                })?;
                self.migrated.store(true, Ordering::Release);
            }
            f(&mut conn).map_err(|e| self.fail(e))
        })
    }

    /// Every list the database records, with its current version.
    pub fn lists(&self) -> Res<Vec<SharedList>> {
        let sql = format!(
            "SELECT s.list_id, v.meta, {}, {}, s.last_error, {} FROM list_state s \
             LEFT JOIN list_versions v ON v.list_id = s.list_id AND v.version = s.current_version \
             ORDER BY s.list_id",
            micros("s.last_attempt"),
            micros("s.last_success"),
            micros("s.last_error_at")
        );
        let rows = self.with(|c| c.query(&sql, &[]))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let meta: Option<String> = r.get(1);
            out.push(SharedList {
                id: r.get(0),
                current: meta.map(|m| self.meta(&m)).transpose()?,
                last_attempt: time_of_micros(r.get(2)),
                last_success: time_of_micros(r.get(3)),
                last_error: r.get(4),
                last_error_at: time_of_micros(r.get(5)),
            });
        }
        Ok(out)
    }

    fn meta(&self, json: &str) -> Res<VersionMeta> {
        serde_json::from_str(json).map_err(|e| {
            SharedError(format!(
                "list database {}: a version record is unreadable: {e}",
                self.describe
            ))
        })
    }

    /// `(list id, current version)` of every list, by id: what the
    /// follower compares.
    pub fn current_versions(&self) -> Res<Vec<(String, String)>> {
        let rows = self.with(|c| {
            c.query(
                "SELECT list_id, current_version FROM list_state \
                 WHERE current_version IS NOT NULL ORDER BY list_id",
                &[],
            )
        })?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// The published versions of a list up to its current one, oldest first.
    pub fn versions(&self, list_id: &str) -> Res<Vec<VersionMeta>> {
        let id = list_id.to_string();
        let rows = self.with(move |c| {
            c.query(
                "SELECT v.meta FROM list_versions v JOIN list_state s ON s.list_id = v.list_id \
                 WHERE v.list_id = $1 AND v.version <= s.current_version ORDER BY v.version",
                &[&id],
            )
        })?;
        rows.iter().map(|r| self.meta(r.get(0))).collect()
    }

    /// One published version: its record and raw files.
    pub fn version(
        &self,
        list_id: &str,
        version: &str,
    ) -> Res<Option<(VersionMeta, Vec<SourceFile>)>> {
        let (id, v) = (list_id.to_string(), version.to_string());
        let (meta, files) = self.with(move |c| {
            let meta = c.query_opt(
                "SELECT meta FROM list_versions WHERE list_id = $1 AND version = $2",
                &[&id, &v],
            )?;
            let files = c.query(
                "SELECT name, data FROM list_files WHERE list_id = $1 AND version = $2 ORDER BY name",
                &[&id, &v],
            )?;
            Ok((meta.map(|r| r.get::<_, String>(0)), files))
        })?;
        let Some(meta) = meta else {
            return Ok(None);
        };
        let meta = self.meta(&meta)?;
        // The files in the order the record lists them (the order imported).
        let mut by_name: std::collections::HashMap<String, Vec<u8>> =
            files.into_iter().map(|r| (r.get(0), r.get(1))).collect();
        let mut out = Vec::with_capacity(meta.files.len());
        for f in &meta.files {
            let data = by_name.remove(&f.name).ok_or_else(|| {
                SharedError(format!(
                    "list database {}: version {version} of {list_id} lacks its file {}",
                    self.describe, f.name
                ))
            })?;
            out.push(SourceFile::new(&f.name, data));
        }
        Ok(Some((meta, out)))
    }

    /// The database's clock, in microseconds: the moment a caller decides
    /// to fetch, for [`SharedVersions::lead`].
    pub fn now_micros(&self) -> Res<i64> {
        let sql = format!("SELECT {}", micros("now()"));
        self.with(move |c| c.query_one(&sql, &[]).map(|r| r.get(0)))
    }

    /// Takes the fetch lease on a list, unless another replica holds it or
    /// started a fetch of it at or after `since` (from
    /// [`SharedVersions::now_micros`]).
    pub fn lead(&self, list_id: &str, since: i64) -> Res<Lead> {
        let id = list_id.to_string();
        let holder = self.holder.clone();
        let lease = self.options.lease.as_secs_f64();
        let select = format!(
            "SELECT holder, coalesce(lease_until > now(), false), {} FROM list_state \
             WHERE list_id = $1 FOR UPDATE",
            micros("last_attempt")
        );
        self.with(move |c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO list_state (list_id) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&id],
            )?;
            let row = tx.query_one(&select, &[&id])?;
            let (by, held, attempt): (Option<String>, bool, Option<i64>) =
                (row.get(0), row.get(1), row.get(2));
            if held {
                tx.commit()?;
                return Ok(Lead::Held {
                    holder: by.unwrap_or_default(),
                });
            }
            if attempt.is_some_and(|a| a >= since) {
                tx.commit()?;
                return Ok(Lead::Done);
            }
            let token: i64 = tx
                .query_one(
                    "UPDATE list_state SET holder = $2, token = token + 1, \
                     lease_until = now() + make_interval(secs => $3), last_attempt = now() \
                     WHERE list_id = $1 RETURNING token",
                    &[&id, &holder, &lease],
                )?
                .get(0);
            tx.commit()?;
            Ok(Lead::Leading(Lease { list_id: id, token }))
        })
    }

    /// Publishes a version the leader stored and validated: its record and
    /// raw files, made current, and every replica notified, in one
    /// transaction that first checks the lease is still held.
    pub fn publish(&self, lease: &Lease, meta: &VersionMeta, files: &[SourceFile]) -> Res<()> {
        let json = serde_json::to_string(meta)
            .map_err(|e| SharedError(format!("cannot write a version record: {e}")))?;
        let holder = self.holder.clone();
        let lost = self.with(move |c| {
            let mut tx = c.transaction()?;
            let row = tx.query_opt(
                "SELECT 1 FROM list_state WHERE list_id = $1 AND holder = $2 AND token = $3 \
                 AND lease_until > now() FOR UPDATE",
                &[&lease.list_id, &holder, &lease.token],
            )?;
            if row.is_none() {
                return Ok(true);
            }
            let inserted = tx.execute(
                "INSERT INTO list_versions (list_id, version, meta) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
                &[&meta.list_id, &meta.version, &json],
            )?;
            if inserted == 1 {
                for f in files {
                    tx.execute(
                        "INSERT INTO list_files (list_id, version, name, data) VALUES ($1, $2, $3, $4)",
                        &[&meta.list_id, &meta.version, &f.name, &f.data],
                    )?;
                }
            }
            tx.execute(
                "UPDATE list_state SET current_version = $2 WHERE list_id = $1",
                &[&meta.list_id, &meta.version],
            )?;
            let payload = format!("{} {}", meta.list_id, meta.version);
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])?;
            tx.commit()?;
            Ok(false)
        })?;
        if lost {
            return Err(SharedError(format!(
                "{}: the fetch lease ran out before version {} could be published (another replica may lead now); it is not published",
                meta.list_id, meta.version
            )));
        }
        Ok(())
    }

    /// Gives the lease back and records how the fetch ended.
    pub fn finish(&self, lease: &Lease, error: Option<&str>) -> Res<()> {
        let holder = self.holder.clone();
        let error = error.map(str::to_string);
        self.with(move |c| {
            c.execute(
                "UPDATE list_state SET holder = NULL, lease_until = NULL, \
                 last_success = CASE WHEN $4::TEXT IS NULL THEN now() ELSE last_success END, \
                 last_error = $4, last_error_at = CASE WHEN $4::TEXT IS NULL THEN NULL ELSE now() END \
                 WHERE list_id = $1 AND holder = $2 AND token = $3",
                &[&lease.list_id, &holder, &lease.token, &error],
            )
            .map(drop)
        })
    }

    /// Starts the follower thread: it calls `changed` whenever the current
    /// versions differ from the last seen (on a notification, or found by
    /// the poll), until the returned handle is dropped.
    pub fn follow(self: &Arc<Self>, changed: impl Fn() + Send + 'static) -> Follower {
        let stop = Arc::new(AtomicBool::new(false));
        let this = Arc::clone(self);
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("list-follower".into())
            .spawn(move || this.follow_loop(&flag, &changed))
            .map_err(|e| tracing::error!(error = %e, "cannot start the list follower"))
            .ok();
        Follower {
            stop,
            handle: Mutex::new(handle),
        }
    }

    fn follow_loop(&self, stop: &AtomicBool, changed: &dyn Fn()) {
        let mut listener: Option<postgres::Client> = None;
        let mut last: Option<Vec<(String, String)>> = None;
        let mut warned = false;
        let step = Duration::from_millis(200);
        while !stop.load(Ordering::Relaxed) {
            if self.options.listen && listener.is_none() {
                match self.listen() {
                    Ok(c) => {
                        listener = Some(c);
                        warned = false;
                        tracing::debug!(channel = CHANNEL, "listening for new list versions");
                    }
                    Err(e) if !warned => {
                        warned = true;
                        tracing::warn!(error = %e, "cannot listen for new list versions; polling every {:?}", self.options.poll);
                    }
                    Err(_) => {}
                }
            }
            // Compare first (at start too: a version published while this
            // replica was loading must not be missed), then wait.
            match self.current_versions() {
                Ok(now) => {
                    if last.as_ref() != Some(&now) {
                        changed();
                        last = Some(now);
                    }
                }
                Err(e) => tracing::debug!(error = %e, "cannot poll the list versions"),
            }
            // Wait for a notification, or the poll interval, in short
            // steps so that a stop is seen soon.
            let mut waited = Duration::ZERO;
            let mut notified = false;
            while waited < self.options.poll && !notified && !stop.load(Ordering::Relaxed) {
                match listener.as_mut() {
                    Some(c) => {
                        let got = c.notifications().timeout_iter(step).next();
                        match got {
                            Ok(Some(_)) => notified = true,
                            Ok(None) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "the list notification connection was lost; connecting again");
                                listener = None;
                            }
                        }
                    }
                    None => std::thread::sleep(step),
                }
                waited += step;
            }
        }
    }

    fn listen(&self) -> Result<postgres::Client, postgres::Error> {
        let config = self.config.clone();
        let mut client = config.connect(postgres::NoTls)?;
        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        Ok(client)
    }
}

/// The follower thread; stopped (within a fraction of a second) when dropped.
pub struct Follower {
    stop: Arc<AtomicBool>,
    handle: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower").finish_non_exhaustive()
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let handle = self.handle.lock().ok().and_then(|mut h| h.take());
        if let Some(h) = handle {
            // Joined off any async thread (its client blocks on its own runtime).
            let _ = std::thread::spawn(move || h.join()).join();
        }
    }
}
