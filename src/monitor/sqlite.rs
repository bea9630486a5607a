//! The embedded store: one SQLite database (bundled with the binary) in the
//! data directory.
//!
//! - WAL journal with `synchronous=FULL`: a commit returns only after the
//!   WAL is synced to disk, so an acknowledged write survives a crash or a
//!   power cut (NORMAL would only survive a process crash).
//! - One writer connection (SQLite has one writer at a time; transactions
//!   start `IMMEDIATE`, so a transaction that reads then writes never has to
//!   be retried), and a few reader connections that see committed data while
//!   the writer works.
//! - Versioned migrations in [`MIGRATIONS`]; the version is SQLite's
//!   `user_version`. A database of a newer version than this build knows is
//!   refused, never touched.
//! - The audit table refuses updates and deletes (triggers); the hash chain
//!   catches changes made around them.
//! - A write that fails for lack of space (`SQLITE_FULL`), on a read-only
//!   file or directory (`SQLITE_READONLY`, `SQLITE_CANTOPEN`) or on an I/O
//!   error is reported as [`MonitorError::Unavailable`]; reads go on.

use super::audit;
use super::store::*;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use time::OffsetDateTime;

/// The schema, one migration per version (version = position + 1).
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE customers (
    ord INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    digest TEXT NOT NULL,
    match_fp TEXT NOT NULL,
    name TEXT NOT NULL,
    segment TEXT,
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    screened_at TEXT,
    screened_versions TEXT NOT NULL DEFAULT '{}',
    risk_level TEXT,
    risk TEXT
);
CREATE INDEX customers_segment ON customers(segment, id);
CREATE INDEX customers_risk ON customers(risk_level, id);
CREATE TABLE customer_tags (
    tag TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (tag, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_tags_customer ON customer_tags(customer_id);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    list TEXT NOT NULL,
    entity_caption TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    matching INTEGER NOT NULL,
    explanation TEXT,
    raised_by TEXT NOT NULL,
    last_seen_in TEXT NOT NULL,
    entity_fp TEXT NOT NULL,
    customer_fp TEXT NOT NULL,
    previous_alert_id INTEGER REFERENCES alerts(id),
    is_current INTEGER NOT NULL,
    pending_true_match_by TEXT,
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX alerts_current_pair ON alerts(customer_id, entity_id) WHERE is_current = 1;
CREATE INDEX alerts_status ON alerts(status, id);
CREATE INDEX alerts_entity ON alerts(entity_id);
CREATE INDEX alerts_customer ON alerts(customer_id);
CREATE INDEX alerts_list ON alerts(list, id);
CREATE INDEX alerts_updated ON alerts(updated_at);
CREATE TABLE alert_history (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    action TEXT NOT NULL,
    status_before TEXT,
    status_after TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    at TEXT NOT NULL
);
CREATE INDEX alert_history_alert ON alert_history(alert_id, id);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    subject TEXT,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    customer_id TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT,
    lease_until TEXT,
    delivered_at TEXT,
    UNIQUE (event_id, endpoint)
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX deliveries_customer ON deliveries(endpoint, customer_id, status, id);
CREATE TABLE state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    // 2. The analyst console's queue at 100,000 alerts (issue 14). Every queue
    // query and count is on current alerts (`is_current = 1`), so each index
    // leads with it; an alert row is large (its explanation spills onto
    // overflow pages), so each index also carries what the queue filters on
    // (status, list, age, customer): the counts per status and the filters are
    // answered from the index alone, and only the page's own rows are read.
    r#"
CREATE INDEX alerts_queue_status ON alerts(is_current, status, id, created_at, customer_id);
CREATE INDEX alerts_queue_list ON alerts(is_current, list, status, id, created_at, customer_id);
CREATE INDEX alerts_queue_status_score ON alerts(is_current, status, score, id);
CREATE INDEX alerts_queue_score ON alerts(is_current, score, id);
"#,
    // 3. The queue filtered by the customer's segment or risk rating at
    // 1,000,000 customers (issue 14): the filter read the customers table
    // for every candidate alert. Each alert now carries its customer's
    // segment and risk level, kept in step by every write that changes them
    // (a customer's upsert and rating, an alert's insert, erasure), so the
    // filter is an indexed column of the alert. Indexes: status then id or
    // score for a page of one status (and, with `created_at`, the counts
    // per status and the age filter from the index alone); id alone for a
    // page of every status or of several, read in order rather than sorted.
    r#"
ALTER TABLE alerts ADD COLUMN segment TEXT;
ALTER TABLE alerts ADD COLUMN risk_level TEXT;
UPDATE alerts SET segment = c.segment, risk_level = c.risk_level
    FROM customers c WHERE c.id = alerts.customer_id;
CREATE INDEX alerts_queue_segment ON alerts(is_current, segment, status, id, created_at);
CREATE INDEX alerts_queue_segment_score ON alerts(is_current, segment, status, score, id);
CREATE INDEX alerts_queue_segment_id ON alerts(is_current, segment, id);
CREATE INDEX alerts_queue_risk ON alerts(is_current, risk_level, status, id, created_at);
CREATE INDEX alerts_queue_risk_score ON alerts(is_current, risk_level, status, score, id);
CREATE INDEX alerts_queue_risk_id ON alerts(is_current, risk_level, id);
"#,
    // 4. Each customer's names as analysed (`monitor::analysed`), so that a
    // rescreen reads them instead of analysing every name again. Rows
    // written before have none and are analysed from their record.
    r#"
ALTER TABLE customers ADD COLUMN analysis BLOB;
"#,
];

/// Options of [`SqliteStore::open`].
#[derive(Debug, Clone, Default)]
pub struct SqliteOptions {
    /// Open read-only: every write answers "unavailable" (what a read-only
    /// data directory gives; also for inspecting a copy).
    pub read_only: bool,
    /// Caps the database at this many pages (`max_page_count`): a write
    /// past it fails exactly as on a full disk (`SQLITE_FULL`).
    pub max_pages: Option<u64>,
}

/// The SQLite monitor store.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Option<Connection>>,
    readers: Mutex<Vec<Connection>>,
    read_only: bool,
    /// The last write failed for lack of space or write access.
    degraded: AtomicBool,
    /// Rescreen jobs (one process: in memory).
    jobs: super::store::MemoryRescreenJobs,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .finish()
    }
}

pub use super::store::time_text;
use super::store::{json_text, page, parse_time};

fn sql_error(path: &Path, e: rusqlite::Error) -> MonitorError {
    use rusqlite::ErrorCode::*;
    let code = e.sqlite_error_code();
    match code {
        Some(DiskFull) => MonitorError::Unavailable(format!(
            "the monitor database {} is full (no space left on the device or its size limit reached); writes are refused until space is freed, reads go on",
            path.display()
        )),
        Some(ReadOnly) | Some(CannotOpen) | Some(PermissionDenied) => {
            MonitorError::Unavailable(format!(
                "the monitor database {} cannot be written (read-only file or data directory: {e}); writes are refused, reads go on",
                path.display()
            ))
        }
        Some(SystemIoFailure) => MonitorError::Unavailable(format!(
            "the monitor database {} had an I/O error ({e}); writes are refused, reads go on",
            path.display()
        )),
        Some(DatabaseBusy) | Some(DatabaseLocked) => MonitorError::Unavailable(format!(
            "the monitor database {} is busy (another process holds it); retry",
            path.display()
        )),
        Some(DatabaseCorrupt) | Some(NotADatabase) => MonitorError::Schema(format!(
            "the monitor database {} is damaged: {e}",
            path.display()
        )),
        Some(ConstraintViolation) => MonitorError::Conflict(format!("conflicting write: {e}")),
        _ => MonitorError::Internal(format!("monitor database {}: {e}", path.display())),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, applying pending
    /// migrations. Refuses a database of a newer schema version.
    pub fn open(path: &Path, options: SqliteOptions) -> Result<SqliteStore> {
        let err = |e| sql_error(path, e);
        if let Some(dir) = path.parent()
            && !options.read_only
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                MonitorError::Unavailable(format!(
                    "cannot create the monitor directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
        let conn = if options.read_only {
            if !path.exists() {
                return Err(MonitorError::Unavailable(format!(
                    "the monitor database {} does not exist and the data directory is read-only",
                    path.display()
                )));
            }
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(err)?
        } else {
            Connection::open(path).map_err(err)?
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        check_version(path, &conn)?;
        if !options.read_only {
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(err)?;
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(err)?;
            conn.pragma_update(None, "foreign_keys", "ON")
                .map_err(err)?;
            migrate(path, &conn)?;
            if let Some(pages) = options.max_pages {
                conn.pragma_update(None, "max_page_count", pages as i64)
                    .map_err(err)?;
            }
        }
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer: Mutex::new((!options.read_only).then_some(conn)),
            readers: Mutex::new(Vec::new()),
            read_only: options.read_only,
            degraded: AtomicBool::new(false),
            jobs: Default::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> MonitorError + '_ {
        move |e| sql_error(&self.path, e)
    }

    /// Runs a read on a reader connection (opened on first use).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let conn = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(self.err())?;
                c.busy_timeout(std::time::Duration::from_secs(10))
                    .map_err(self.err())?;
                c
            }
        };
        let out = f(&conn).map_err(self.err());
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if readers.len() < 8 {
            readers.push(conn);
        }
        out
    }

    /// Customers by ordinal, in the order of `ords` (missing ones left
    /// out): `columns` read by `row`.
    fn by_ord<T>(
        &self,
        ords: &[u32],
        columns: &str,
        row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {columns} FROM customers WHERE ord = ?1"))?;
            let mut out = Vec::with_capacity(ords.len());
            for o in ords {
                if let Some(found) = st.query_row([i64::from(*o)], row).optional()? {
                    out.push(found);
                }
            }
            Ok(out)
        })
    }

    /// Runs a write on the writer connection, in one immediate transaction.
    fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let Some(conn) = guard.as_ref() else {
            return Err(MonitorError::Unavailable(format!(
                "the monitor database {} is open read-only (the data directory cannot be written); writes are refused, reads go on",
                self.path.display()
            )));
        };
        conn.execute_batch("BEGIN IMMEDIATE").map_err(self.err())?;
        let out = f(conn);
        let done = match out {
            Ok(v) => conn.execute_batch("COMMIT").map_err(self.err()).map(|()| v),
            Err(e) => Err(e),
        };
        if done.is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        match &done {
            Err(MonitorError::Unavailable(_)) => self.degraded.store(true, Ordering::Relaxed),
            Ok(_) => self.degraded.store(false, Ordering::Relaxed),
            Err(_) => {}
        }
        done
    }
}

fn check_version(path: &Path, conn: &Connection) -> Result<()> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| sql_error(path, e))?;
    if version > MIGRATIONS.len() as i64 {
        return Err(MonitorError::Schema(format!(
            "the monitor database {} has schema version {version}, newer than this build of screener knows ({}): it was written by a newer release; refusing to open it (run that release, or restore a backup made for this one)",
            path.display(),
            MIGRATIONS.len()
        )));
    }
    Ok(())
}

fn migrate(path: &Path, conn: &Connection) -> Result<()> {
    let err = |e| sql_error(path, e);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let target = i as i64 + 1;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
        let applied = conn
            .execute_batch(sql)
            .and_then(|()| conn.pragma_update(None, "user_version", target));
        match applied {
            Ok(()) => conn.execute_batch("COMMIT").map_err(err)?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(MonitorError::Schema(format!(
                    "migrating the monitor database {} to schema version {target} failed: {e}",
                    path.display()
                )));
            }
        }
        tracing::info!(path = %path.display(), version = target, "monitor database migrated");
    }
    Ok(())
}

fn customer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredCustomer> {
    let versions: String = r.get(11)?;
    let risk: Option<String> = r.get(12)?;
    Ok(StoredCustomer {
        ord: r.get::<_, i64>(0)? as u32,
        id: r.get(1)?,
        record: r.get(2)?,
        digest: r.get(3)?,
        match_fp: r.get(4)?,
        name: r.get(5)?,
        segment: r.get(6)?,
        revision: r.get(7)?,
        created_at: parse_time(&r.get::<_, String>(8)?),
        updated_at: parse_time(&r.get::<_, String>(9)?),
        screened_at: r.get::<_, Option<String>>(10)?.map(|s| parse_time(&s)),
        screened_versions: serde_json::from_str(&versions).unwrap_or_default(),
        risk: risk.and_then(|r| serde_json::from_str(&r).ok()),
        analysis: r.get(13)?,
    })
}

fn to_score_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CustomerToScore> {
    Ok(CustomerToScore {
        ord: r.get::<_, i64>(0)? as u32,
        id: r.get(1)?,
        record: r.get(2)?,
        match_fp: r.get(3)?,
        revision: r.get(4)?,
        analysis: r.get(5)?,
    })
}

fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    let status: String = r.get(5)?;
    let explanation: Option<String> = r.get(8)?;
    Ok(Alert {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        entity_id: r.get(2)?,
        list: r.get(3)?,
        entity_caption: r.get(4)?,
        status: AlertStatus::parse(&status).unwrap_or(AlertStatus::Open),
        score: r.get(6)?,
        matching: r.get::<_, i64>(7)? != 0,
        explanation: explanation.and_then(|e| serde_json::from_str(&e).ok()),
        raised_by: r.get(9)?,
        last_seen_in: r.get(10)?,
        entity_fp: r.get(11)?,
        customer_fp: r.get(12)?,
        previous_alert_id: r.get(13)?,
        pending_true_match_by: r.get(14)?,
        revision: r.get(15)?,
        created_at: parse_time(&r.get::<_, String>(16)?),
        updated_at: parse_time(&r.get::<_, String>(17)?),
    })
}

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        event_id: r.get(1)?,
        kind: r.get(2)?,
        endpoint: r.get(3)?,
        customer_id: r.get(4)?,
        status: r.get(5)?,
        attempts: r.get(6)?,
        last_error: r.get(7)?,
        created_at: parse_time(&r.get::<_, String>(8)?),
        next_attempt_at: r.get::<_, Option<String>>(9)?.map(|s| parse_time(&s)),
        delivered_at: r.get::<_, Option<String>>(10)?.map(|s| parse_time(&s)),
        payload: r.get(11)?,
    })
}

struct SqliteTx<'a> {
    conn: &'a Connection,
    path: &'a Path,
    jobs: &'a super::store::MemoryRescreenJobs,
    /// Chunk counts to add to `jobs` once the transaction commits.
    chunk_counts: Vec<(RescreenChunk, ChunkCounts)>,
    /// The last audit record this transaction appended (it is the only
    /// writer: no other can follow it meanwhile).
    last_audit: Option<(i64, String)>,
}

impl SqliteTx<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> MonitorError + '_ {
        move |e| sql_error(self.path, e)
    }

    fn alerts_where(&self, clause: &str, arg: &dyn rusqlite::ToSql) -> Result<Vec<Alert>> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE {clause} ORDER BY id"
            ))
            .map_err(self.err())?;
        let rows = st
            .query_map([arg], alert_row)
            .map_err(self.err())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())?;
        Ok(rows)
    }

    /// Copies a customer's segment and risk level onto every alert of the
    /// customer (none: erased) where they differ, so the queue's filters
    /// read the alert's own columns.
    fn alerts_follow_customer(
        &self,
        id: &str,
        segment: Option<&str>,
        risk_level: Option<&str>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE alerts SET segment = ?2, risk_level = ?3
                 WHERE customer_id = ?1 AND (segment IS NOT ?2 OR risk_level IS NOT ?3)",
            )
            .and_then(|mut st| st.execute(params![id, segment, risk_level]))
            .map_err(self.err())?;
        Ok(())
    }
}

impl Tx for SqliteTx<'_> {
    fn customer(&mut self, id: &str) -> Result<Option<StoredCustomer>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?1"
            ))
            .and_then(|mut st| st.query_row([id], customer_row).optional())
            .map_err(self.err())
    }

    fn put_customer(&mut self, row: &CustomerRow<'_>) -> Result<(u32, i64)> {
        let at = time_text(row.at);
        let versions = serde_json::to_string(row.screened_versions).unwrap_or_default();
        let risk_level = row
            .risk
            .and_then(|r| r.get("level"))
            .and_then(|l| l.as_str())
            .map(str::to_string);
        let risk = row.risk.map(json_text);
        let ord: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO customers (id, record, digest, match_fp, name, segment, revision, created_at, updated_at, screened_at, screened_versions, risk_level, risk, analysis)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(id) DO UPDATE SET record = excluded.record, analysis = excluded.analysis, digest = excluded.digest,
                   match_fp = excluded.match_fp, name = excluded.name, segment = excluded.segment,
                   revision = customers.revision + 1, updated_at = excluded.updated_at,
                   screened_at = excluded.screened_at, screened_versions = excluded.screened_versions,
                   risk_level = excluded.risk_level, risk = excluded.risk
                 RETURNING ord",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![
                        row.id,
                        row.record,
                        row.digest,
                        row.match_fp,
                        row.name,
                        row.segment,
                        at,
                        versions,
                        risk_level,
                        risk,
                        row.analysis
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(self.err())?;
        self.alerts_follow_customer(row.id, row.segment, risk_level.as_deref())?;
        self.conn
            .prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1")
            .and_then(|mut st| st.execute([row.id]))
            .map_err(self.err())?;
        for tag in row.tags {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO customer_tags (tag, customer_id) VALUES (?1, ?2)",
                )
                .and_then(|mut st| st.execute([tag.as_str(), row.id]))
                .map_err(self.err())?;
        }
        u32::try_from(ord)
            .map(|o| (o, 0))
            .map_err(|_| MonitorError::Internal("customer numbers are exhausted".into()))
    }

    fn set_screened(
        &mut self,
        id: &str,
        at: OffsetDateTime,
        versions: &BTreeMap<String, String>,
    ) -> Result<()> {
        let versions = serde_json::to_string(versions).unwrap_or_default();
        self.conn
            .prepare_cached(
                "UPDATE customers SET screened_at = ?2, screened_versions = ?3 WHERE id = ?1",
            )
            .and_then(|mut st| st.execute(params![id, time_text(at), versions]))
            .map_err(self.err())?;
        Ok(())
    }

    fn set_analysis(&mut self, ord: u32, revision: i64, analysis: &[u8]) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE customers SET analysis = ?3 WHERE ord = ?1 AND revision = ?2")
            .and_then(|mut st| st.execute(params![i64::from(ord), revision, analysis]))
            .map_err(self.err())?;
        Ok(())
    }

    fn set_risk(&mut self, id: &str, risk: &serde_json::Value) -> Result<()> {
        let level = risk.get("level").and_then(|l| l.as_str());
        self.conn
            .prepare_cached("UPDATE customers SET risk_level = ?2, risk = ?3 WHERE id = ?1")
            .and_then(|mut st| st.execute(params![id, level, json_text(risk)]))
            .map_err(self.err())?;
        self.conn
            .prepare_cached(
                "UPDATE alerts SET risk_level = ?2 WHERE customer_id = ?1 AND risk_level IS NOT ?2",
            )
            .and_then(|mut st| st.execute(params![id, level]))
            .map_err(self.err())?;
        Ok(())
    }

    fn delete_customer(&mut self, id: &str) -> Result<bool> {
        self.conn
            .prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1")
            .and_then(|mut st| st.execute([id]))
            .map_err(self.err())?;
        let n = self
            .conn
            .prepare_cached("DELETE FROM customers WHERE id = ?1")
            .and_then(|mut st| st.execute([id]))
            .map_err(self.err())?;
        self.alerts_follow_customer(id, None, None)?;
        Ok(n > 0)
    }

    fn alert_for_update(&mut self, id: i64) -> Result<Option<Alert>> {
        self.conn
            .prepare_cached(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"))
            .and_then(|mut st| st.query_row([id], alert_row).optional())
            .map_err(self.err())
    }

    fn current_alert(&mut self, customer_id: &str, entity_id: &str) -> Result<Option<Alert>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE customer_id = ?1 AND entity_id = ?2 AND is_current = 1"
            ))
            .and_then(|mut st| st.query_row([customer_id, entity_id], alert_row).optional())
            .map_err(self.err())
    }

    fn customer_alerts(&mut self, customer_id: &str) -> Result<Vec<Alert>> {
        self.alerts_where("customer_id = ?1 AND is_current = 1", &customer_id)
    }

    fn entity_alerts(&mut self, entity_id: &str) -> Result<Vec<Alert>> {
        self.alerts_where("entity_id = ?1 AND is_current = 1", &entity_id)
    }

    fn insert_alert(&mut self, a: &Alert) -> Result<i64> {
        self.conn
            .prepare_cached(
                "UPDATE alerts SET is_current = 0 WHERE customer_id = ?1 AND entity_id = ?2 AND is_current = 1",
            )
            .and_then(|mut st| st.execute([&a.customer_id, &a.entity_id]))
            .map_err(self.err())?;
        self.conn
            .prepare_cached(
                "INSERT INTO alerts (customer_id, entity_id, list, entity_caption, status, score, matching, explanation, raised_by, last_seen_in, entity_fp, customer_fp, previous_alert_id, is_current, pending_true_match_by, revision, created_at, updated_at, segment, risk_level)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?15, ?16, ?17,
                   (SELECT segment FROM customers WHERE id = ?1), (SELECT risk_level FROM customers WHERE id = ?1))
                 RETURNING id",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![
                        a.customer_id,
                        a.entity_id,
                        a.list,
                        a.entity_caption,
                        a.status.as_str(),
                        a.score,
                        a.matching as i64,
                        a.explanation.as_ref().map(json_text),
                        a.raised_by,
                        a.last_seen_in,
                        a.entity_fp,
                        a.customer_fp,
                        a.previous_alert_id,
                        a.pending_true_match_by,
                        a.revision,
                        time_text(a.created_at),
                        time_text(a.updated_at)
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(self.err())
    }

    fn update_alert(&mut self, a: &Alert) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE alerts SET entity_caption = ?2, status = ?3, score = ?4, matching = ?5, explanation = ?6,
                   last_seen_in = ?7, entity_fp = ?8, customer_fp = ?9, pending_true_match_by = ?10,
                   revision = ?11, updated_at = ?12, list = ?13 WHERE id = ?1",
            )
            .and_then(|mut st| {
                st.execute(params![
                    a.id,
                    a.entity_caption,
                    a.status.as_str(),
                    a.score,
                    a.matching as i64,
                    a.explanation.as_ref().map(json_text),
                    a.last_seen_in,
                    a.entity_fp,
                    a.customer_fp,
                    a.pending_true_match_by,
                    a.revision,
                    time_text(a.updated_at),
                    a.list
                ])
            })
            .map_err(self.err())?;
        Ok(())
    }

    fn add_history(&mut self, h: &HistoryEntry) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO alert_history (alert_id, action, status_before, status_after, actor, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    h.alert_id,
                    h.action,
                    h.status_before.map(AlertStatus::as_str),
                    h.status_after.as_str(),
                    h.actor,
                    h.reason,
                    time_text(h.at)
                ])
            })
            .map_err(self.err())?;
        Ok(())
    }

    fn append_audit(&mut self, entry: &AuditEntry, at: OffsetDateTime) -> Result<AuditRecord> {
        let last: Option<(i64, String)> = match self.last_audit.take() {
            Some(last) => Some(last),
            None => self
                .conn
                .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
                .and_then(|mut st| st.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
                .map_err(self.err())?,
        };
        let record = audit::link(
            last.as_ref().map(|(s, h)| (*s, h.as_str())),
            time_text(at),
            &entry.kind,
            &entry.actor,
            entry.subject.as_deref(),
            json_text(&entry.payload),
        );
        self.conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, kind, actor, subject, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    record.seq,
                    record.at,
                    record.kind,
                    record.actor,
                    record.subject,
                    record.payload,
                    record.prev_hash,
                    record.hash
                ])
            })
            .map_err(self.err())?;
        self.last_audit = Some((record.seq, record.hash.clone()));
        Ok(record)
    }

    fn enqueue_event(
        &mut self,
        event: &Event,
        endpoints: &[String],
        at: OffsetDateTime,
    ) -> Result<()> {
        let payload = json_text(&event.payload);
        let at = time_text(at);
        for endpoint in endpoints {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO deliveries (event_id, kind, endpoint, customer_id, payload, status, created_at, next_attempt_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        event.id,
                        event.kind,
                        endpoint,
                        event.customer_id,
                        payload,
                        at
                    ])
                })
                .map_err(self.err())?;
        }
        Ok(())
    }

    fn start_rescreen_job(
        &mut self,
        job: &NewRescreenJob<'_>,
        at: OffsetDateTime,
    ) -> Result<(i64, bool)> {
        Ok(self.jobs.start(job, at))
    }

    fn finish_rescreen_job(&mut self, id: i64, at: OffsetDateTime) -> Result<bool> {
        Ok(self.jobs.finish_job(id, at))
    }

    fn add_chunk_counts(&mut self, chunk: &RescreenChunk, counts: &ChunkCounts) -> Result<()> {
        self.chunk_counts.push((chunk.clone(), *counts));
        Ok(())
    }

    fn set_state(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut st| st.execute([key, value]))
            .map_err(self.err())?;
        Ok(())
    }
}

/// SQLite's spelling of the shared filter builders.
const DIALECT: Dialect = Dialect {
    placeholder: |i| format!("?{i}"),
    is_current: "is_current = 1",
};

fn sql_values(args: Vec<SqlArg>) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value;
    args.into_iter()
        .map(|a| match a {
            SqlArg::Text(s) => Value::Text(s),
            SqlArg::Int(i) => Value::Integer(i),
            SqlArg::Real(r) => Value::Real(r),
        })
        .collect()
}

fn alert_where(f: &AlertFilter, with_status: bool) -> (String, Vec<rusqlite::types::Value>) {
    let (clause, args) = alert_filter_sql(f, with_status, &DIALECT);
    (clause, sql_values(args))
}

impl MonitorStore for SqliteStore {
    fn transaction(&self, f: &mut (dyn FnMut(&mut dyn Tx) -> Result<()> + Send)) -> Result<()> {
        let mut chunk_counts = Vec::new();
        self.write(|conn| {
            let mut tx = SqliteTx {
                conn,
                path: &self.path,
                jobs: &self.jobs,
                chunk_counts: Vec::new(),
                last_audit: None,
            };
            f(&mut tx)?;
            chunk_counts = tx.chunk_counts;
            Ok(())
        })?;
        // Committed: the counts go with the alerts.
        for (chunk, counts) in &chunk_counts {
            self.jobs.add_counts(chunk, counts);
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    fn writable(&self) -> bool {
        !self.read_only && !self.degraded.load(Ordering::Relaxed)
    }

    fn customer(&self, id: &str) -> Result<Option<StoredCustomer>> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?1"
            ))?
            .query_row([id], customer_row)
            .optional()
        })
    }

    fn customers_by_ord(&self, ords: &[u32]) -> Result<Vec<StoredCustomer>> {
        self.by_ord(ords, CUSTOMER_COLUMNS, customer_row)
    }

    fn customers_to_score(&self, ords: &[u32]) -> Result<Vec<CustomerToScore>> {
        self.by_ord(ords, TO_SCORE_COLUMNS, to_score_row)
    }

    fn scan_customers(&self, after: u32, limit: usize) -> Result<Vec<StoredCustomer>> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE ord > ?1 ORDER BY ord LIMIT ?2"
            ))?
            .query_map(params![i64::from(after), limit as i64], customer_row)?
            .collect()
        })
    }

    fn list_customers(&self, f: &CustomerFilter) -> Result<Page<StoredCustomer>> {
        let (sql, args) = customer_filter_sql(f, CUSTOMER_COLUMNS, &DIALECT);
        let items = self.read(|c| {
            c.prepare(&sql)?
                .query_map(rusqlite::params_from_iter(sql_values(args)), customer_row)?
                .collect()
        })?;
        Ok(page(items, f.limit, |c: &StoredCustomer| c.id.clone()))
    }

    fn count_customers(&self) -> Result<u64> {
        self.read(|c| c.query_row("SELECT count(*) FROM customers", [], |r| r.get::<_, i64>(0)))
            .map(|n| n as u64)
    }

    fn claim_rescreen_chunk(
        &self,
        job: i64,
        worker: &str,
        now: OffsetDateTime,
        lease: std::time::Duration,
    ) -> Result<Option<RescreenChunk>> {
        Ok(self.jobs.claim(job, worker, now, lease))
    }

    fn finish_rescreen_chunk(
        &self,
        chunk: &RescreenChunk,
        worker: &str,
        counts: &ChunkCounts,
        _: OffsetDateTime,
    ) -> Result<bool> {
        Ok(self.jobs.finish_chunk(chunk, worker, counts))
    }

    fn rescreen_progress(&self, job: i64, now: OffsetDateTime) -> Result<Option<RescreenProgress>> {
        Ok(self.jobs.progress(job, now))
    }

    fn running_rescreen_jobs(
        &self,
        to: &BTreeMap<String, String>,
        config_hash: &str,
    ) -> Result<Vec<i64>> {
        Ok(self.jobs.running(to, config_hash))
    }

    /// Nothing: one process writes a SQLite file and indexes its own writes.
    fn customers_changed_after(&self, _: i64, _: usize) -> Result<Vec<(i64, StoredCustomer)>> {
        Ok(Vec::new())
    }

    fn last_customer_change(&self) -> Result<i64> {
        Ok(0)
    }

    fn alert(&self, id: i64) -> Result<Option<Alert>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"))?
                .query_row([id], alert_row)
                .optional()
        })
    }

    fn alert_history(&self, id: i64) -> Result<Vec<HistoryEntry>> {
        // The history of the pair's earlier alerts too: a new alert is
        // linked to the decision it follows.
        self.read(|c| {
            c.prepare_cached(
                "SELECT alert_id, action, status_before, status_after, actor, reason, at FROM alert_history WHERE alert_id = ?1 ORDER BY id",
            )?
            .query_map([id], |r| {
                let before: Option<String> = r.get(2)?;
                let after: String = r.get(3)?;
                Ok(HistoryEntry {
                    alert_id: r.get(0)?,
                    action: r.get(1)?,
                    status_before: before.as_deref().and_then(AlertStatus::parse),
                    status_after: AlertStatus::parse(&after).unwrap_or(AlertStatus::Open),
                    actor: r.get(4)?,
                    reason: r.get(5)?,
                    at: parse_time(&r.get::<_, String>(6)?),
                })
            })?
            .collect()
        })
    }

    fn list_alerts(&self, f: &AlertFilter) -> Result<Page<Alert>> {
        let (clause, mut args) = alert_where(f, true);
        args.push(rusqlite::types::Value::Integer(f.limit as i64 + 1));
        let order = match f.order {
            AlertOrder::Newest => "id DESC",
            AlertOrder::Oldest => "id ASC",
            AlertOrder::Score => "score DESC, id DESC",
        };
        // The page's ids first, then its rows: an alert row is large (its
        // explanation spills onto overflow pages, and the columns added by
        // later migrations sit after it), so the ids are found in an index
        // that holds every column the filter and the order name, and only
        // the page's own rows are read. Asked for ids alone, SQLite picks
        // that covering index; asked for whole rows it may pick an index
        // that leaves the segment or risk to each row.
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE id IN (SELECT id FROM alerts WHERE {clause} ORDER BY {order} LIMIT ?{}) ORDER BY {order}",
            args.len()
        );
        let items = self.read(|c| {
            c.prepare(&sql)?
                .query_map(rusqlite::params_from_iter(args), alert_row)?
                .collect()
        })?;
        Ok(match f.order {
            AlertOrder::Score => page(items, f.limit, |a: &Alert| format!("{}:{}", a.score, a.id)),
            _ => page(items, f.limit, |a: &Alert| a.id.to_string()),
        })
    }

    fn alert_counts(&self, f: &AlertFilter) -> Result<BTreeMap<AlertStatus, u64>> {
        let (clause, args) = alert_where(f, false);
        let sql = format!("SELECT status, count(*) FROM alerts WHERE {clause} GROUP BY status");
        let rows: Vec<(String, i64)> = self.read(|c| {
            c.prepare(&sql)?
                .query_map(rusqlite::params_from_iter(args), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect()
        })?;
        let mut out: BTreeMap<AlertStatus, u64> =
            AlertStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for (s, n) in rows {
            if let Some(s) = AlertStatus::parse(&s) {
                out.insert(s, n as u64);
            }
        }
        Ok(out)
    }

    fn active_alerts_by_list(&self) -> Result<BTreeMap<String, u64>> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT list, count(*) FROM alerts WHERE is_current = 1 AND status IN ('open', 'escalated') GROUP BY list",
            )?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect()
        })
    }

    fn all_current_alerts(&self) -> Result<Vec<Alert>> {
        self.read(|c| {
            c.prepare(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE is_current = 1 ORDER BY customer_id, entity_id"
            ))?
            .query_map([], alert_row)?
            .collect()
        })
    }

    fn audit_after(&self, after: i64, limit: usize) -> Result<Vec<AuditRecord>> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT seq, at, kind, actor, subject, payload, prev_hash, hash FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?
            .query_map(params![after, limit as i64], |r| {
                Ok(AuditRecord {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                    actor: r.get(3)?,
                    subject: r.get(4)?,
                    payload: r.get(5)?,
                    prev_hash: r.get(6)?,
                    hash: r.get(7)?,
                })
            })?
            .collect()
        })
    }

    fn state(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            c.prepare_cached("SELECT value FROM state WHERE key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()
        })
    }

    fn release_delivery_leases(&self) -> Result<()> {
        self.write(|conn| {
            conn.execute(
                "UPDATE deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL",
                [],
            )
            .map_err(self.err())?;
            Ok(())
        })
    }

    fn claim_deliveries(
        &self,
        now: OffsetDateTime,
        lease: std::time::Duration,
        limit: usize,
    ) -> Result<Vec<Delivery>> {
        let now_s = time_text(now);
        let until = time_text(now + lease);
        self.write(|conn| {
            // The oldest pending delivery of each (endpoint, customer) that
            // is due and not leased: later events of a customer wait for it.
            let mut st = conn
                .prepare_cached(&format!(
                    "SELECT {DELIVERY_COLUMNS} FROM deliveries d
                     WHERE d.status = 'pending' AND d.next_attempt_at <= ?1
                       AND (d.lease_until IS NULL OR d.lease_until <= ?1)
                       AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.endpoint = d.endpoint
                           AND e.customer_id IS d.customer_id AND e.status = 'pending' AND e.id < d.id)
                     ORDER BY d.id LIMIT ?2"
                ))
                .map_err(self.err())?;
            let rows: Vec<Delivery> = st
                .query_map(params![now_s, limit as i64], delivery_row)
                .and_then(|r| r.collect())
                .map_err(self.err())?;
            for d in &rows {
                conn.prepare_cached("UPDATE deliveries SET lease_until = ?2 WHERE id = ?1")
                    .and_then(|mut st| st.execute(params![d.id, until]))
                    .map_err(self.err())?;
            }
            Ok(rows)
        })
    }

    fn finish_delivery(
        &self,
        id: i64,
        outcome: &DeliveryOutcome,
        now: OffsetDateTime,
    ) -> Result<()> {
        let now_s = time_text(now);
        self.write(|conn| {
            let r = match outcome {
                DeliveryOutcome::Delivered => conn.execute(
                    "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?2, lease_until = NULL, last_error = NULL WHERE id = ?1",
                    params![id, now_s],
                ),
                DeliveryOutcome::Retry { at, error } => conn.execute(
                    "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?2, lease_until = NULL, last_error = ?3 WHERE id = ?1",
                    params![id, time_text(*at), error],
                ),
                DeliveryOutcome::Failed { error } => conn.execute(
                    "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, lease_until = NULL, last_error = ?2 WHERE id = ?1",
                    params![id, error],
                ),
            };
            r.map(|_| ()).map_err(self.err())
        })
    }

    fn list_deliveries(&self, f: &DeliveryFilter) -> Result<Page<Delivery>> {
        let (sql, args) = delivery_filter_sql(f, DELIVERY_COLUMNS, &DIALECT);
        let items = self.read(|c| {
            c.prepare(&sql)?
                .query_map(rusqlite::params_from_iter(sql_values(args)), delivery_row)?
                .collect()
        })?;
        Ok(page(items, f.limit, |d: &Delivery| d.id.to_string()))
    }

    fn delivery_backlog(&self) -> Result<u64> {
        self.read(|c| {
            c.query_row(
                "SELECT count(*) FROM deliveries WHERE status = 'pending'",
                [],
                |r| r.get::<_, i64>(0),
            )
        })
        .map(|n| n as u64)
    }
}
