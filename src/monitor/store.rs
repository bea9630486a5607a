//! The monitor's storage, behind two traits so that a second backend
//! (PostgreSQL, for several replicas) can follow the embedded SQLite one.
//!
//! The rules (what a decision may do, when an alert opens, what the audit
//! trail and the webhook outbox receive) live in backend-neutral code that
//! runs inside [`MonitorStore::transaction`] on a [`Tx`]: row reads and
//! writes of one transaction. A backend provides atomic transactions in
//! which [`Tx::alert_for_update`] locks the alert it returns (a row lock in
//! PostgreSQL; SQLite's single writer does it for the whole transaction),
//! one current alert per (customer, entity) pair (a unique constraint), and
//! one audit chain in commit order ([`Tx::append_audit`] links each record
//! to the last one). Reads outside a transaction see committed data only.
//! No type here is SQLite's.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// Errors of the monitor and its store.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MonitorError {
    /// Writes cannot be made now (disk full, read-only data directory,
    /// database locked): answered 503; reads go on.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (a closed alert, a
    /// decision made meanwhile): answered 409.
    #[error("{0}")]
    Conflict(String),
    /// The request is not valid: answered 422.
    #[error("{0}")]
    Invalid(String),
    /// The database cannot be used by this build (newer schema, damage).
    #[error("{0}")]
    Schema(String),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, MonitorError>;

/// The status of an alert.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    Escalated,
    TrueMatch,
    FalsePositive,
    Delisted,
    CustomerDeleted,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 6] = [
        AlertStatus::Open,
        AlertStatus::Escalated,
        AlertStatus::TrueMatch,
        AlertStatus::FalsePositive,
        AlertStatus::Delisted,
        AlertStatus::CustomerDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Escalated => "escalated",
            AlertStatus::TrueMatch => "true_match",
            AlertStatus::FalsePositive => "false_positive",
            AlertStatus::Delisted => "delisted",
            AlertStatus::CustomerDeleted => "customer_deleted",
        }
    }

    pub fn parse(s: &str) -> Option<AlertStatus> {
        AlertStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Open or escalated: an analyst still has to decide.
    pub fn is_active(self) -> bool {
        matches!(self, AlertStatus::Open | AlertStatus::Escalated)
    }
}

/// One alert: a (customer, listed entity) pair that scored at or above the
/// threshold, and what analysts decided about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub id: i64,
    pub customer_id: String,
    pub entity_id: String,
    /// The list the entity is on.
    pub list: String,
    pub entity_caption: String,
    pub status: AlertStatus,
    pub score: f64,
    /// False once the pair no longer scores at or above the threshold (the
    /// entity or the customer changed); the alert stays for the analyst.
    pub matching: bool,
    /// The matcher's explanation, as in `/v1/screen` results; null once
    /// the customer is erased.
    #[schema(value_type = Option<Object>)]
    pub explanation: Option<serde_json::Value>,
    /// `<list>@<version>` that raised the alert.
    pub raised_by: String,
    /// `<list>@<version>` of the last screening that saw the pair.
    pub last_seen_in: String,
    #[serde(skip)]
    pub entity_fp: String,
    #[serde(skip)]
    pub customer_fp: String,
    /// The earlier alert on the same pair (e.g. a false positive that no
    /// longer holds because a side changed).
    pub previous_alert_id: Option<i64>,
    /// Four-eyes: the analyst whose `true_match` waits for a second one.
    pub pending_true_match_by: Option<String>,
    /// Counts every change; a decision may name the revision it was made on.
    pub revision: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// One analyst decision (or system change) in an alert's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub alert_id: i64,
    /// `escalate`, `true_match`, `false_positive`, `confirm_pending`, or a
    /// system change (`opened`, `rescored`, `no_longer_matching`,
    /// `delisted`, `customer_deleted`).
    pub action: String,
    pub status_before: Option<AlertStatus>,
    pub status_after: AlertStatus,
    pub actor: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

// The columns each read takes, the same in every backend's schema.
pub(super) const CUSTOMER_COLUMNS: &str = "ord, id, record, digest, match_fp, name, segment, revision, created_at, updated_at, screened_at, screened_versions, risk, analysis";

pub(super) const TO_SCORE_COLUMNS: &str = "ord, id, record, match_fp, revision, analysis";

pub(super) const ALERT_COLUMNS: &str = "id, customer_id, entity_id, list, entity_caption, status, score, matching, explanation, raised_by, last_seen_in, entity_fp, customer_fp, previous_alert_id, pending_true_match_by, revision, created_at, updated_at";

pub(super) const DELIVERY_COLUMNS: &str = "id, event_id, kind, endpoint, customer_id, status, attempts, last_error, created_at, next_attempt_at, delivered_at, payload";

/// What scoring a stored customer and writing its alerts read of it: a
/// reverse screening reads thousands, and the other columns are most of
/// the work of reading a row.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerToScore {
    pub ord: u32,
    pub id: String,
    /// The record, as [`super::customer::Customer::canonical_json`].
    pub record: String,
    pub match_fp: String,
    pub revision: i64,
    /// Its names as analysed ([`super::analysed`]), if stored.
    pub analysis: Option<Vec<u8>>,
}

impl From<StoredCustomer> for CustomerToScore {
    fn from(s: StoredCustomer) -> CustomerToScore {
        CustomerToScore {
            ord: s.ord,
            id: s.id,
            record: s.record,
            match_fp: s.match_fp,
            revision: s.revision,
            analysis: s.analysis,
        }
    }
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCustomer {
    /// The store's number for the customer (the customer index's key).
    pub ord: u32,
    pub id: String,
    /// The record, as [`super::customer::Customer::canonical_json`].
    pub record: String,
    pub digest: String,
    pub match_fp: String,
    pub name: String,
    pub segment: Option<String>,
    pub revision: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub screened_at: Option<OffsetDateTime>,
    /// `{list id: version}` of the customer's own last screening.
    pub screened_versions: BTreeMap<String, String>,
    pub risk: Option<serde_json::Value>,
    /// Its names as analysed ([`super::analysed`]): what a rescreen reads
    /// instead of analysing them again. `None` for a record written before
    /// they were kept.
    pub analysis: Option<Vec<u8>>,
}

/// What [`Tx::put_customer`] writes.
#[derive(Debug, Clone)]
pub struct CustomerRow<'a> {
    pub id: &'a str,
    pub record: &'a str,
    /// Its names as analysed ([`super::analysed::encode`]).
    pub analysis: &'a [u8],
    pub digest: &'a str,
    pub match_fp: &'a str,
    pub name: &'a str,
    pub segment: Option<&'a str>,
    pub tags: &'a [String],
    pub at: OffsetDateTime,
    pub screened_versions: &'a BTreeMap<String, String>,
    pub risk: Option<&'a serde_json::Value>,
}

/// An entry to append to the audit trail (the backend adds the sequence
/// number, the time and the chain hashes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub kind: String,
    pub actor: String,
    /// What the record is about: `customer:<id>`, `alert:<id>`, `list:<id>`.
    pub subject: Option<String>,
    pub payload: serde_json::Value,
}

/// One record of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub seq: i64,
    /// RFC 3339, as hashed.
    pub at: String,
    pub kind: String,
    pub actor: String,
    pub subject: Option<String>,
    /// The payload as stored and hashed (compact JSON).
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A webhook event as queued in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The idempotency id (stable across retries).
    pub id: String,
    pub kind: String,
    /// Events of one customer are delivered in order.
    pub customer_id: Option<String>,
    pub payload: serde_json::Value,
}

/// The state of one delivery of one event to one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: i64,
    pub event_id: String,
    pub kind: String,
    pub endpoint: String,
    pub customer_id: Option<String>,
    /// `pending`, `delivered` or `failed` (gave up: older than the maximum age).
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub payload: String,
}

/// The states of a delivery, as `Delivery::status` holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [&'static str; 3] = ["pending", "delivered", "failed"];
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Try again at this time.
    Retry {
        at: OffsetDateTime,
        error: String,
    },
    /// Give up (too old).
    Failed {
        error: String,
    },
}

/// A page of results and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of the alert list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertFilter {
    pub statuses: Vec<AlertStatus>,
    pub list: Option<String>,
    pub customer: Option<String>,
    pub entity: Option<String>,
    /// Changed at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only alerts with a lower id (the cursor of [`AlertOrder::Newest`]).
    pub before_id: Option<i64>,
    /// Only alerts of customers in this segment (read from the alert's
    /// copy of it, which every write of the customer keeps in step).
    pub segment: Option<String>,
    /// Only alerts of customers with this risk rating (the alert's copy).
    pub risk: Option<String>,
    /// Only alerts raised before this time (older than an age).
    pub created_before: Option<OffsetDateTime>,
    pub order: AlertOrder,
    /// The cursor of [`AlertOrder::Score`]: alerts after this (score, id).
    pub below_score: Option<(f64, i64)>,
    pub limit: usize,
}

/// The order of an alert list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AlertOrder {
    /// Newest first (by id); the cursor is the last id.
    #[default]
    Newest,
    /// Oldest first (by id); the cursor is the last id.
    Oldest,
    /// Highest score first, then newest; the cursor is `score:id`.
    Score,
}

/// Filters of the customer list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerFilter {
    pub segment: Option<String>,
    pub tag: Option<String>,
    pub risk: Option<String>,
    /// Only customers with an active alert.
    pub with_open_alerts: bool,
    /// Only customers whose id sorts after this (the cursor).
    pub after_id: Option<String>,
    pub limit: usize,
}

/// Filters of the delivery list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryFilter {
    pub status: Option<String>,
    pub before_id: Option<i64>,
    pub limit: usize,
}

/// One chunk of a rescreen's work, leased by one replica at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct RescreenChunk {
    pub job_id: i64,
    pub chunk: i64,
    /// What to screen (JSON, written by the monitor that planned the job).
    pub work: String,
}

/// What one chunk did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChunkCounts {
    pub customers_screened: u64,
    pub entities_screened: u64,
    pub alerts_opened: u64,
    pub alerts_updated: u64,
    pub alerts_delisted: u64,
}

impl ChunkCounts {
    /// The alert numbers alone (what a chunk's transactions add, see
    /// [`Tx::add_chunk_counts`]).
    pub fn alerts(&self) -> ChunkCounts {
        ChunkCounts {
            alerts_opened: self.alerts_opened,
            alerts_updated: self.alerts_updated,
            alerts_delisted: self.alerts_delisted,
            ..ChunkCounts::default()
        }
    }

    /// The screening numbers of `self` with the alert numbers of `alerts`:
    /// what a finished chunk records.
    pub fn with_alerts_of(&self, alerts: &ChunkCounts) -> ChunkCounts {
        ChunkCounts {
            customers_screened: self.customers_screened,
            entities_screened: self.entities_screened,
            ..alerts.alerts()
        }
    }

    pub fn add(&mut self, o: &ChunkCounts) {
        self.customers_screened += o.customers_screened;
        self.entities_screened += o.entities_screened;
        self.alerts_opened += o.alerts_opened;
        self.alerts_updated += o.alerts_updated;
        self.alerts_delisted += o.alerts_delisted;
    }
}

/// What one replica did in a rescreen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaProgress {
    pub chunks_done: u64,
    /// Chunks it holds a lease on now.
    pub chunks_leased: u64,
    #[serde(flatten)]
    pub counts: ChunkCounts,
}

/// A rescreen job and how far it is (`GET /v1/monitor/rescreens/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RescreenProgress {
    pub id: i64,
    /// `delta` or `full`.
    #[schema(value_type = super::RescreenKind)]
    pub kind: String,
    /// `running` or `done`.
    #[schema(value_type = RescreenStatus)]
    pub status: String,
    /// `{list id: version}` before and after.
    pub from: BTreeMap<String, String>,
    pub to: BTreeMap<String, String>,
    pub chunks_total: u64,
    pub chunks_done: u64,
    /// Chunks a replica holds an unexpired lease on.
    pub chunks_leased: u64,
    /// The sums of the chunks done (a chunk done again after its lease ran
    /// out counts once).
    #[serde(flatten)]
    pub counts: ChunkCounts,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
    /// By replica (the name each `serve` process works under).
    pub replicas: BTreeMap<String, ReplicaProgress>,
}

/// The values of [`RescreenProgress::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum RescreenStatus {
    Running,
    Done,
}

/// A rescreen job to create (or join, when one of the same key exists).
#[derive(Debug, Clone)]
pub struct NewRescreenJob<'a> {
    /// Replicas planning the same rescreen (same kind, versions and
    /// configuration) give the same key and share one job.
    pub key: &'a str,
    pub kind: &'a str,
    pub from: &'a BTreeMap<String, String>,
    pub to: &'a BTreeMap<String, String>,
    /// The matcher configuration's hash: a replica joins a running job
    /// only under the same configuration
    /// ([`MonitorStore::running_rescreen_jobs`]).
    pub config_hash: &'a str,
    /// The chunks' work, in order.
    pub chunks: &'a [String],
}

/// The row operations of one transaction.
pub trait Tx {
    fn customer(&mut self, id: &str) -> Result<Option<StoredCustomer>>;
    /// Creates or replaces a customer (revision + 1); returns its ordinal
    /// and its change number (see [`MonitorStore::customers_changed_after`];
    /// 0 where the backend keeps none). Every alert of the customer takes
    /// its segment and risk level (the copies the queue's filters read:
    /// [`AlertFilter::segment`]).
    fn put_customer(&mut self, row: &CustomerRow<'_>) -> Result<(u32, i64)>;
    /// Records the customer's own screening (when, against which versions).
    fn set_screened(
        &mut self,
        id: &str,
        at: OffsetDateTime,
        versions: &BTreeMap<String, String>,
    ) -> Result<()>;
    /// Stores a customer's rating; its alerts take the new level.
    fn set_risk(&mut self, id: &str, risk: &serde_json::Value) -> Result<()>;
    /// Stores a customer's analysed names again ([`super::analysed`]) where
    /// its record is still at `revision`: what was stored, if anything, was
    /// another build's. Not a change of the customer (no revision, no
    /// change number, nothing audited). A record changed since is left as it
    /// is (its write stored its own names).
    fn set_analysis(&mut self, ord: u32, revision: i64, analysis: &[u8]) -> Result<()>;
    /// Removes the customer's record (erasure); its alerts keep no segment
    /// and no risk level.
    fn delete_customer(&mut self, id: &str) -> Result<bool>;

    /// An alert, locked for the rest of the transaction.
    fn alert_for_update(&mut self, id: i64) -> Result<Option<Alert>>;
    /// The current alert of a pair, locked.
    fn current_alert(&mut self, customer_id: &str, entity_id: &str) -> Result<Option<Alert>>;
    /// The current alerts of a customer.
    fn customer_alerts(&mut self, customer_id: &str) -> Result<Vec<Alert>>;
    /// The current alerts on an entity.
    fn entity_alerts(&mut self, entity_id: &str) -> Result<Vec<Alert>>;
    /// Inserts an alert as the pair's current one (an earlier current alert
    /// of the pair stops being current), with its customer's segment and
    /// risk level as stored; returns its id.
    fn insert_alert(&mut self, alert: &Alert) -> Result<i64>;
    fn update_alert(&mut self, alert: &Alert) -> Result<()>;
    fn add_history(&mut self, entry: &HistoryEntry) -> Result<()>;

    /// Appends to the audit trail, linked to the last record.
    fn append_audit(&mut self, entry: &AuditEntry, at: OffsetDateTime) -> Result<AuditRecord>;
    /// Queues an event for every configured endpoint (the outbox).
    fn enqueue_event(
        &mut self,
        event: &Event,
        endpoints: &[String],
        at: OffsetDateTime,
    ) -> Result<()>;
    fn set_state(&mut self, key: &str, value: &str) -> Result<()>;
    /// Creates a rescreen job with its chunks, or finds the running one of
    /// the same key; returns its id and whether this call created it.
    fn start_rescreen_job(
        &mut self,
        job: &NewRescreenJob<'_>,
        at: OffsetDateTime,
    ) -> Result<(i64, bool)>;
    /// Marks a job done once all its chunks are; true when this call did.
    fn finish_rescreen_job(&mut self, id: i64, at: OffsetDateTime) -> Result<bool>;
    /// Adds the alerts this transaction opened, updated and delisted for a
    /// chunk of a rescreen to the chunk's counts, with the alerts (so both
    /// or neither commit). A chunk done again after its lease was taken
    /// over thus counts each alert once: the replica that lost it counted
    /// those it wrote, the one doing it again finds them written.
    fn add_chunk_counts(&mut self, chunk: &RescreenChunk, counts: &ChunkCounts) -> Result<()>;

    /// Several customers by id, in the order given (`None`: no such
    /// customer). A backend may read them in one statement.
    fn customers_by_ids(&mut self, ids: &[&str]) -> Result<Vec<Option<StoredCustomer>>> {
        ids.iter().map(|id| self.customer(id)).collect()
    }
    /// The current alerts of several customers (customers without any are
    /// left out), each customer's in the order of
    /// [`Tx::customer_alerts`]. A backend may read them in one statement.
    fn current_alerts_of(&mut self, ids: &[&str]) -> Result<HashMap<String, Vec<Alert>>> {
        let mut out = HashMap::new();
        for id in ids {
            let alerts = self.customer_alerts(id)?;
            if !alerts.is_empty() {
                out.insert((*id).to_string(), alerts);
            }
        }
        Ok(out)
    }
    /// Creates customers this transaction found to have no record and no
    /// current alert (so nothing of theirs to update), each with its
    /// rating: [`Tx::put_customer`] of each, in order, whose results it
    /// returns. A backend may write them in one statement.
    fn insert_new_customers(&mut self, rows: &[CustomerRow<'_>]) -> Result<Vec<(u32, i64)>> {
        rows.iter().map(|r| self.put_customer(r)).collect()
    }
    /// Appends several records to the audit trail, in order
    /// ([`Tx::append_audit`] of each). A backend may write them in one
    /// statement.
    fn append_audits(&mut self, entries: &[AuditEntry], at: OffsetDateTime) -> Result<()> {
        for e in entries {
            self.append_audit(e, at)?;
        }
        Ok(())
    }
}

/// A monitor store: transactions, and the reads the API and the jobs need.
pub trait MonitorStore: Send + Sync {
    /// Runs `f` in one transaction, committed (durably) when it returns
    /// `Ok`, rolled back otherwise.
    /// `f` is `Send`: a backend may run it on a thread of its own.
    fn transaction(&self, f: &mut (dyn FnMut(&mut dyn Tx) -> Result<()> + Send)) -> Result<()>;

    /// A description for logs and errors (path or URL, without secrets).
    fn describe(&self) -> String;
    /// Whether writes can be made (false: read-only, or the last write failed
    /// for lack of space).
    fn writable(&self) -> bool;

    fn customer(&self, id: &str) -> Result<Option<StoredCustomer>>;
    /// Customers by ordinal (missing ones are left out).
    fn customers_by_ord(&self, ords: &[u32]) -> Result<Vec<StoredCustomer>>;
    /// [`MonitorStore::customers_by_ord`], only what scoring them reads.
    fn customers_to_score(&self, ords: &[u32]) -> Result<Vec<CustomerToScore>> {
        Ok(self
            .customers_by_ord(ords)?
            .into_iter()
            .map(CustomerToScore::from)
            .collect())
    }
    /// Customers in ordinal order after `after` (for full rescreens and
    /// building the customer index).
    fn scan_customers(&self, after: u32, limit: usize) -> Result<Vec<StoredCustomer>>;
    fn list_customers(&self, filter: &CustomerFilter) -> Result<Page<StoredCustomer>>;
    fn count_customers(&self) -> Result<u64>;
    /// The customers created or changed since change number `after`, by
    /// change number, at most `limit`, each with its change number: how a
    /// replica's customer index catches up with the writes of the others.
    /// A change number is given at every write of a customer's record, in
    /// commit order. A backend only one process writes (SQLite) keeps none
    /// and returns nothing: its process indexes its own writes.
    fn customers_changed_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, StoredCustomer)>>;
    /// The highest change number given so far (0: none).
    fn last_customer_change(&self) -> Result<i64>;

    fn alert(&self, id: i64) -> Result<Option<Alert>>;
    fn alert_history(&self, id: i64) -> Result<Vec<HistoryEntry>>;
    /// Alerts newest first.
    fn list_alerts(&self, filter: &AlertFilter) -> Result<Page<Alert>>;
    /// Alert counts per status under the filter (its status filter ignored).
    fn alert_counts(&self, filter: &AlertFilter) -> Result<BTreeMap<AlertStatus, u64>>;
    /// Active alerts per list.
    fn active_alerts_by_list(&self) -> Result<BTreeMap<String, u64>>;
    /// Every current alert (for comparing rescreens).
    fn all_current_alerts(&self) -> Result<Vec<Alert>>;

    /// Audit records with `seq > after`, at most `limit`.
    fn audit_after(&self, after: i64, limit: usize) -> Result<Vec<AuditRecord>>;

    fn state(&self, key: &str) -> Result<Option<String>>;

    /// Ends every lease on deliveries: called when the only worker starts,
    /// so deliveries claimed by a process that died (kill -9 mid-send) are
    /// sent again at once rather than after their lease runs out.
    fn release_delivery_leases(&self) -> Result<()>;

    /// Takes up to `limit` deliveries that are due, in order per customer,
    /// leasing them for `lease` so no other worker takes them meanwhile.
    fn claim_deliveries(
        &self,
        now: OffsetDateTime,
        lease: std::time::Duration,
        limit: usize,
    ) -> Result<Vec<Delivery>>;
    fn finish_delivery(
        &self,
        id: i64,
        outcome: &DeliveryOutcome,
        now: OffsetDateTime,
    ) -> Result<()>;
    fn list_deliveries(&self, filter: &DeliveryFilter) -> Result<Page<Delivery>>;
    /// Deliveries not yet delivered nor given up.
    fn delivery_backlog(&self) -> Result<u64>;

    /// Leases to `worker`, until `now + lease`, the first chunk of a job
    /// that is not done and not leased (or whose lease ran out: its replica
    /// died or lost the database).
    fn claim_rescreen_chunk(
        &self,
        job: i64,
        worker: &str,
        now: OffsetDateTime,
        lease: std::time::Duration,
    ) -> Result<Option<RescreenChunk>>;
    /// Marks a chunk done, when `worker` still holds its lease; true when
    /// it did (false: another replica took it over). The chunk records the
    /// screening numbers of `counts` and the alert numbers its
    /// transactions added ([`Tx::add_chunk_counts`]).
    fn finish_rescreen_chunk(
        &self,
        chunk: &RescreenChunk,
        worker: &str,
        counts: &ChunkCounts,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// A job and how far it is (none: no such job).
    fn rescreen_progress(&self, job: i64, now: OffsetDateTime) -> Result<Option<RescreenProgress>>;
    /// The running jobs (oldest first) that rescreen to the list versions
    /// `to` under the matcher configuration `config_hash`: those a replica
    /// serving the same can help with, whichever replica started them (a
    /// rescreen asked for on one replica is shared this way, and finished
    /// by the others when that replica dies).
    fn running_rescreen_jobs(
        &self,
        to: &BTreeMap<String, String>,
        config_hash: &str,
    ) -> Result<Vec<i64>>;
}

// ----- rescreen jobs: shared by the backends -----

/// A job's row, as [`progress_of`] takes it.
#[derive(Debug, Clone)]
pub(crate) struct JobHead {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub from: BTreeMap<String, String>,
    pub to: BTreeMap<String, String>,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// A chunk's state, as [`progress_of`] takes it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChunkState {
    pub done: bool,
    /// The replica holding an unexpired lease on it.
    pub leased_by: Option<String>,
    pub done_by: Option<String>,
    pub counts: ChunkCounts,
}

/// A job's progress from its row and its chunks.
pub(crate) fn progress_of(head: JobHead, chunks: &[ChunkState]) -> RescreenProgress {
    let mut p = RescreenProgress {
        id: head.id,
        kind: head.kind,
        status: head.status,
        from: head.from,
        to: head.to,
        chunks_total: chunks.len() as u64,
        chunks_done: 0,
        chunks_leased: 0,
        counts: ChunkCounts::default(),
        started_at: head.started_at,
        finished_at: head.finished_at,
        replicas: BTreeMap::new(),
    };
    for c in chunks {
        if c.done {
            p.chunks_done += 1;
            p.counts.add(&c.counts);
            let r = p
                .replicas
                .entry(c.done_by.clone().unwrap_or_default())
                .or_default();
            r.chunks_done += 1;
            r.counts.add(&c.counts);
        } else if let Some(by) = &c.leased_by {
            p.chunks_leased += 1;
            p.replicas.entry(by.clone()).or_default().chunks_leased += 1;
        }
    }
    p
}

/// The rescreen jobs of a store only one process uses (SQLite), kept in
/// memory with the same leases, so that the monitor runs one code path.
/// They do not outlive the process (nor need to: a rescreen interrupted by
/// a restart is planned again at start).
#[derive(Debug, Default)]
pub struct MemoryRescreenJobs(std::sync::Mutex<Vec<MemoryJob>>);

#[derive(Debug)]
struct MemoryJob {
    key: String,
    config_hash: String,
    head: JobHead,
    chunks: Vec<(String, ChunkState, Option<OffsetDateTime>)>,
}

impl MemoryRescreenJobs {
    fn jobs(&self) -> std::sync::MutexGuard<'_, Vec<MemoryJob>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// [`Tx::start_rescreen_job`].
    pub fn start(&self, job: &NewRescreenJob<'_>, at: OffsetDateTime) -> (i64, bool) {
        let mut jobs = self.jobs();
        if let Some(j) = jobs
            .iter()
            .find(|j| j.key == job.key && j.head.status == "running")
        {
            return (j.head.id, false);
        }
        let id = jobs.len() as i64 + 1;
        jobs.push(MemoryJob {
            key: job.key.to_string(),
            config_hash: job.config_hash.to_string(),
            head: JobHead {
                id,
                kind: job.kind.to_string(),
                status: "running".into(),
                from: job.from.clone(),
                to: job.to.clone(),
                started_at: time_text(at),
                finished_at: None,
            },
            chunks: job
                .chunks
                .iter()
                .map(|w| (w.clone(), ChunkState::default(), None))
                .collect(),
        });
        (id, true)
    }

    /// [`MonitorStore::running_rescreen_jobs`].
    pub fn running(&self, to: &BTreeMap<String, String>, config_hash: &str) -> Vec<i64> {
        self.jobs()
            .iter()
            .filter(|j| {
                j.head.status == "running" && &j.head.to == to && j.config_hash == config_hash
            })
            .map(|j| j.head.id)
            .collect()
    }

    /// [`Tx::finish_rescreen_job`].
    pub fn finish_job(&self, id: i64, at: OffsetDateTime) -> bool {
        let mut jobs = self.jobs();
        match jobs.iter_mut().find(|j| j.head.id == id) {
            Some(j) if j.head.status == "running" && j.chunks.iter().all(|c| c.1.done) => {
                j.head.status = "done".into();
                j.head.finished_at = Some(time_text(at));
                true
            }
            _ => false,
        }
    }

    /// [`MonitorStore::claim_rescreen_chunk`].
    pub fn claim(
        &self,
        job: i64,
        worker: &str,
        now: OffsetDateTime,
        lease: std::time::Duration,
    ) -> Option<RescreenChunk> {
        let mut jobs = self.jobs();
        let j = jobs.iter_mut().find(|j| j.head.id == job)?;
        let (i, c) = j
            .chunks
            .iter_mut()
            .enumerate()
            .find(|(_, c)| !c.1.done && c.2.is_none_or(|until| until <= now))?;
        c.1.leased_by = Some(worker.to_string());
        c.2 = Some(now + lease);
        Some(RescreenChunk {
            job_id: job,
            chunk: i as i64 + 1,
            work: c.0.clone(),
        })
    }

    /// [`Tx::add_chunk_counts`] (called once the transaction committed).
    pub fn add_counts(&self, chunk: &RescreenChunk, counts: &ChunkCounts) {
        let mut jobs = self.jobs();
        if let Some(c) = jobs
            .iter_mut()
            .find(|j| j.head.id == chunk.job_id)
            .and_then(|j| j.chunks.get_mut((chunk.chunk - 1).max(0) as usize))
        {
            c.1.counts.add(&counts.alerts());
        }
    }

    /// [`MonitorStore::finish_rescreen_chunk`].
    pub fn finish_chunk(&self, chunk: &RescreenChunk, worker: &str, counts: &ChunkCounts) -> bool {
        let mut jobs = self.jobs();
        let Some(j) = jobs.iter_mut().find(|j| j.head.id == chunk.job_id) else {
            return false;
        };
        match j.chunks.get_mut((chunk.chunk - 1).max(0) as usize) {
            Some(c) if !c.1.done && c.1.leased_by.as_deref() == Some(worker) => {
                c.1.done = true;
                c.1.done_by = Some(worker.to_string());
                c.1.counts = counts.with_alerts_of(&c.1.counts);
                c.2 = None;
                true
            }
            _ => false,
        }
    }

    /// [`MonitorStore::rescreen_progress`].
    pub fn progress(&self, id: i64, now: OffsetDateTime) -> Option<RescreenProgress> {
        let jobs = self.jobs();
        let j = jobs.iter().find(|j| j.head.id == id)?;
        let chunks: Vec<ChunkState> = j
            .chunks
            .iter()
            .map(|(_, c, until)| ChunkState {
                leased_by: c
                    .leased_by
                    .clone()
                    .filter(|_| !c.done && until.is_some_and(|u| u > now)),
                ..c.clone()
            })
            .collect();
        Some(progress_of(j.head.clone(), &chunks))
    }
}

// ----- helpers shared by the SQL backends -----

const TIME_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

/// A time as stored: UTC, microseconds, fixed width (sorts as text).
pub fn time_text(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(TIME_FORMAT)
        .unwrap_or_default()
}

/// Reads a time written by [`time_text`] (or any RFC 3339 time).
pub(crate) fn parse_time(s: &str) -> OffsetDateTime {
    time::PrimitiveDateTime::parse(s, TIME_FORMAT)
        .map(|t| t.assume_utc())
        .or_else(|_| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A JSON value as stored (compact text).
pub(crate) fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Cuts a list fetched with `limit + 1` rows into a page and its cursor.
pub(crate) fn page<T>(mut items: Vec<T>, limit: usize, cursor: impl Fn(&T) -> String) -> Page<T> {
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = if more { items.last().map(cursor) } else { None };
    Page { items, next_cursor }
}

/// A bound value of a filter query, converted by each backend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SqlArg {
    Text(String),
    Int(i64),
    Real(f64),
}

/// How a backend spells what the filter builders write.
pub(crate) struct Dialect {
    /// The placeholder of the n-th argument (1-based): `?1`, `$1`.
    pub placeholder: fn(usize) -> String,
    /// The condition "the pair's current alert".
    pub is_current: &'static str,
}

struct Clauses<'a> {
    d: &'a Dialect,
    clauses: Vec<String>,
    args: Vec<SqlArg>,
}

impl Clauses<'_> {
    /// Binds `arg` and returns its placeholder.
    fn bind(&mut self, arg: SqlArg) -> String {
        self.args.push(arg);
        (self.d.placeholder)(self.args.len())
    }
}

/// The WHERE clause of an alert filter (`status` and the cursor left out
/// when `with_status` is false, for counts per status).
pub(crate) fn alert_filter_sql(
    f: &AlertFilter,
    with_status: bool,
    d: &Dialect,
) -> (String, Vec<SqlArg>) {
    let mut q = Clauses {
        d,
        clauses: vec![d.is_current.to_string()],
        args: Vec::new(),
    };
    if with_status && !f.statuses.is_empty() {
        let marks: Vec<String> = f
            .statuses
            .iter()
            .map(|s| q.bind(SqlArg::Text(s.as_str().to_string())))
            .collect();
        q.clauses.push(format!("status IN ({})", marks.join(", ")));
    }
    for (col, v) in [
        ("list", &f.list),
        ("customer_id", &f.customer),
        ("entity_id", &f.entity),
    ] {
        if let Some(v) = v {
            let m = q.bind(SqlArg::Text(v.clone()));
            q.clauses.push(format!("{col} = {m}"));
        }
    }
    if let Some(t) = f.since {
        let m = q.bind(SqlArg::Text(time_text(t)));
        q.clauses.push(format!("updated_at >= {m}"));
    }
    // The customer's segment and risk level as copied onto the alert (kept
    // in step by the backends' writes): an indexed column, never a join.
    for (col, v) in [("segment", &f.segment), ("risk_level", &f.risk)] {
        if let Some(v) = v {
            let m = q.bind(SqlArg::Text(v.clone()));
            q.clauses.push(format!("{col} = {m}"));
        }
    }
    if let Some(t) = f.created_before {
        let m = q.bind(SqlArg::Text(time_text(t)));
        q.clauses.push(format!("created_at < {m}"));
    }
    if with_status {
        match (f.order, f.before_id, f.below_score) {
            (AlertOrder::Score, _, Some((score, id))) => {
                let s = q.bind(SqlArg::Real(score));
                let i = q.bind(SqlArg::Int(id));
                // A row value: both backends bound an index range on
                // (score, id) with it.
                q.clauses.push(format!("(score, id) < ({s}, {i})"));
            }
            (AlertOrder::Newest, Some(b), _) => {
                let m = q.bind(SqlArg::Int(b));
                q.clauses.push(format!("id < {m}"));
            }
            (AlertOrder::Oldest, Some(b), _) => {
                let m = q.bind(SqlArg::Int(b));
                q.clauses.push(format!("id > {m}"));
            }
            _ => {}
        }
    }
    (q.clauses.join(" AND "), q.args)
}

/// The query of a customer list page (`limit + 1` rows, by id).
pub(crate) fn customer_filter_sql(
    f: &CustomerFilter,
    columns: &str,
    d: &Dialect,
) -> (String, Vec<SqlArg>) {
    let mut q = Clauses {
        d,
        clauses: vec!["1 = 1".to_string()],
        args: Vec::new(),
    };
    for (col, v) in [("segment", &f.segment), ("risk_level", &f.risk)] {
        if let Some(v) = v {
            let m = q.bind(SqlArg::Text(v.clone()));
            q.clauses.push(format!("{col} = {m}"));
        }
    }
    if let Some(t) = &f.tag {
        let m = q.bind(SqlArg::Text(t.clone()));
        q.clauses.push(format!(
            "id IN (SELECT customer_id FROM customer_tags WHERE tag = {m})"
        ));
    }
    if f.with_open_alerts {
        q.clauses.push(format!(
            "id IN (SELECT customer_id FROM alerts WHERE {} AND status IN ('open', 'escalated'))",
            d.is_current
        ));
    }
    if let Some(a) = &f.after_id {
        let m = q.bind(SqlArg::Text(a.clone()));
        q.clauses.push(format!("id > {m}"));
    }
    let limit = q.bind(SqlArg::Int(f.limit as i64 + 1));
    let sql = format!(
        "SELECT {columns} FROM customers WHERE {} ORDER BY id LIMIT {limit}",
        q.clauses.join(" AND ")
    );
    (sql, q.args)
}

/// The query of a delivery list page (`limit + 1` rows, newest first).
pub(crate) fn delivery_filter_sql(
    f: &DeliveryFilter,
    columns: &str,
    d: &Dialect,
) -> (String, Vec<SqlArg>) {
    let mut q = Clauses {
        d,
        clauses: vec!["1 = 1".to_string()],
        args: Vec::new(),
    };
    if let Some(s) = &f.status {
        let m = q.bind(SqlArg::Text(s.clone()));
        q.clauses.push(format!("status = {m}"));
    }
    if let Some(b) = f.before_id {
        let m = q.bind(SqlArg::Int(b));
        q.clauses.push(format!("id < {m}"));
    }
    let limit = q.bind(SqlArg::Int(f.limit as i64 + 1));
    let sql = format!(
        "SELECT {columns} FROM deliveries WHERE {} ORDER BY id DESC LIMIT {limit}",
        q.clauses.join(" AND ")
    );
    (sql, q.args)
}
