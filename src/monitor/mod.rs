//! Ongoing monitoring: a stored customer base, screened at every write and
//! rescreened at every list change, with alerts, analyst decisions, a risk
//! rating, a hash-chained audit trail and webhook events from a durable
//! outbox.
//!
//! - [`customer`]: the customer record and its digests; [`analysed`]: its
//!   names as analysed, stored beside it.
//! - [`blocking`]: which (customer, listed party) pairs are scored; the same
//!   relation from either side, so a delta rescreen equals a full one.
//! - [`store`]: the storage traits; [`sqlite`] the embedded backend.
//! - [`audit`]: the hash chain; [`risk`]: the rating; [`webhooks`]: delivery.
//!
//! [`Monitor`] ties them together. Writes screen the customer against the
//! generation the monitor has caught up with ([`Generation`]); when the
//! service swaps in a new index, [`Monitor::advance`] switches writes to it
//! and rescreens only what the change can affect: every listed party added
//! or changed (and every one whose keys weigh differently now) is screened
//! against the customer index (reverse screening), every customer whose
//! name has a token whose commonness changed is screened forward, and
//! alerts on removed parties close as `delisted`.
//!
//! Several replicas may share one database: each keeps its own customer
//! index, and [`Monitor::catch_up`] adds the customers the others wrote
//! (read by change number) before every rescreen and every few seconds.

pub mod analysed;
pub mod audit;
pub mod blocking;
pub mod customer;
pub mod postgres;
pub mod risk;
pub mod sqlite;
pub mod store;
pub mod webhooks;

use crate::matching::{MatchResult, ScreenOptions};
use crate::model::Entity;
use crate::service::Served;
use blocking::{BlockingWeights, CustomerBlocking, CustomerIndex, EntityTable, Key, Through};
use customer::Customer;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use store::*;
use time::OffsetDateTime;

/// Loads the entities of an earlier version of a list (`list`, `version`).
pub type LoadVersion<'a> = dyn Fn(&str, &str) -> std::result::Result<Vec<Entity>, String> + 'a;

/// How often a replica reads the customers other replicas wrote (and
/// before every rescreen).
const CATCH_UP_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Customers (by ordinal) in one chunk of a full rescreen.
const RESCREEN_CHUNK: u32 = 2000;
/// Listed parties a delta searches the customer index for at once: the
/// customers they find are read, analysed and scored once for all of them.
const PARTY_GROUP: usize = 2048;
/// A delta's chunk screens a party group against the customers in a range
/// of ordinals: at most as wide as this many chunks of a full rescreen (it
/// reads only the customers a party finds there, a fraction of them),
const REVERSE_RANGE_CHUNKS: u32 = 50;
/// and narrow enough that the customers are split into at least this many
/// ranges, so that replicas share even a small base's delta.
const REVERSE_RANGES: u32 = 8;
/// How often a replica waiting for the chunks others hold looks again.
const JOB_POLL: std::time::Duration = std::time::Duration::from_millis(200);
/// How long a rescreen waits for a database it lost before it gives up
/// (it is planned again at the next list change or on request, and goes on
/// from the chunks done).
pub const OUTAGE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(300);

/// The work of one chunk of a rescreen, as the job table holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ChunkWork {
    /// Listed parties (entity ids) screened against the customers with an
    /// ordinal in `(after, upto]`. With `sharing`, only against the
    /// customers sharing one of these keys with a party: the parties are
    /// unchanged, and only their pairs through these keys (whose weight
    /// changed) can have. `before` holds those keys' weights in the
    /// previous generation, in the same order: a pair that passed the
    /// blocking then and does now is unchanged, and left alone
    /// ([`CustomerIndex::candidates_sharing`]); a job planned by an earlier
    /// version has none.
    PartiesIn {
        parties: Vec<String>,
        sharing: Option<Vec<Key>>,
        #[serde(default)]
        before: Option<Vec<u16>>,
        after: u32,
        upto: u32,
    },
    /// [`ChunkWork::PartiesIn`] against every customer (a job planned by an
    /// earlier version).
    Parties(Vec<String>),
    /// The same, against the customers sharing one of the keys.
    PartiesSharing(Vec<String>, Vec<Key>),
    /// Customers (ordinals) screened forward.
    Customers(Vec<u32>),
    /// Customers with an ordinal in `(after, last]` screened forward.
    Range(u32, u32),
    /// Active alerts on these parties (gone from their lists) closed as delisted.
    Delist(Vec<String>),
    /// Active alerts on every party not in the generation closed as delisted.
    DelistMissing,
}

/// Adds what one transaction of a rescreen chunk did to the chunk's counts,
/// in that transaction ([`Tx::add_chunk_counts`]); nothing outside a job or
/// when it changed no alert.
fn count_in_chunk(
    tx: &mut dyn Tx,
    chunk: Option<&RescreenChunk>,
    opened: usize,
    updated: usize,
    delisted: usize,
) -> Result<()> {
    match chunk {
        Some(chunk) if opened + updated + delisted > 0 => tx.add_chunk_counts(
            chunk,
            &ChunkCounts {
                alerts_opened: opened as u64,
                alerts_updated: updated as u64,
                alerts_delisted: delisted as u64,
                ..ChunkCounts::default()
            },
        ),
        _ => Ok(()),
    }
}

/// Waiting out a database lost mid-rescreen.
#[derive(Debug, Default)]
struct Outage {
    since: Option<Instant>,
}

impl Outage {
    /// Sleeps a little before the next try; an error once the database has
    /// been gone longer than [`OUTAGE_PATIENCE`].
    fn wait(&mut self, error: &str) -> Result<()> {
        let since = *self.since.get_or_insert_with(Instant::now);
        let gone = since.elapsed();
        if gone > OUTAGE_PATIENCE {
            return Err(MonitorError::Unavailable(format!(
                "the monitor database was unreachable for {} s mid-rescreen ({error}); the rescreen goes on from the chunks done at the next list change or on request",
                gone.as_secs()
            )));
        }
        tracing::warn!(error = %error, seconds = gone.as_secs(), "monitor database lost mid-rescreen; waiting for it");
        std::thread::sleep((gone / 4).clamp(
            std::time::Duration::from_millis(100),
            std::time::Duration::from_secs(2),
        ));
        Ok(())
    }
}

/// A name for this process's monitor in rescreen jobs: the host (the pod,
/// on Kubernetes), the process and a number within it.
fn replica_name() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "screener".into());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Most customers in one bulk write.
pub const MAX_BULK: usize = 100_000;
/// Customers written in one transaction of a bulk write.
const WRITE_CHUNK: usize = 500;
/// The most listed parties one customer's screening reports (the matcher's
/// limit before the API allowed 500; a customer with more hits than this is
/// one an analyst escalates anyway).
const MATCHES_PER_CUSTOMER: usize = 100;

/// The `[monitor]` table of the configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorConfig {
    /// Keep customers and rescreen them (on by default).
    pub enabled: bool,
    /// The database: a SQLite file (default `<data dir>/monitor/monitor.db`)
    /// or a `postgres://` URL (a database several replicas share).
    pub database: Option<PathBuf>,
    /// Lists and collections customers are screened against.
    pub lists: Vec<String>,
    /// Alert threshold; default the matcher's.
    pub threshold: Option<f64>,
    /// A `true_match` decision needs a second, different analyst to confirm.
    pub four_eyes: bool,
    pub risk: risk::RiskRules,
    pub webhooks: webhooks::WebhookSettings,
    /// Seconds a replica holds a rescreen chunk it leased: a replica that
    /// dies or loses the database mid-chunk has its chunk done elsewhere
    /// once this runs out (default 60; longer than a chunk ever takes).
    pub rescreen_lease_secs: u64,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            enabled: true,
            database: None,
            lists: vec![crate::matching::COLLECTION_DEFAULT.to_string()],
            threshold: None,
            four_eyes: false,
            risk: risk::RiskRules::default(),
            webhooks: webhooks::WebhookSettings::default(),
            rescreen_lease_secs: 60,
        }
    }
}

impl MonitorConfig {
    /// Checks values that would fail later in a less clear way.
    pub fn check(&self) -> std::result::Result<(), String> {
        if let Some(t) = self.threshold
            && !(0.0..=1.0).contains(&t)
        {
            return Err(format!("threshold {t} is outside [0, 1]"));
        }
        if self.rescreen_lease_secs == 0 {
            return Err("rescreen_lease_secs is 0: a chunk's lease must last at least a second (default 60)".into());
        }
        if self.lists.is_empty() {
            return Err("lists is empty: name the lists or collections to screen customers against (default: [\"default\"])".into());
        }
        self.webhooks.check()
    }

    /// The database path under a data directory.
    pub fn database_path(&self, data_dir: &Path) -> PathBuf {
        self.database
            .clone()
            .unwrap_or_else(|| data_dir.join("monitor").join("monitor.db"))
    }

    /// The database the configuration names: a `postgres://` URL selects
    /// PostgreSQL, anything else is a SQLite file.
    pub fn backend(&self, data_dir: &Path) -> Database {
        match self.database.as_deref().and_then(Path::to_str) {
            Some(url) if postgres::is_postgres_url(url) => Database::Postgres(url.to_string()),
            _ => Database::Sqlite(self.database_path(data_dir)),
        }
    }

    /// Names the database: a `postgres://` URL or a SQLite file path.
    pub fn set_database(&mut self, database: &str) {
        self.database = Some(PathBuf::from(database));
    }
}

/// Where the monitor keeps its data.
#[derive(Clone, PartialEq)]
pub enum Database {
    Sqlite(PathBuf),
    /// The URL (it may hold a password: never printed).
    Postgres(String),
}

/// Opens the store the configuration names: the one place the backend is
/// chosen. `read_only_fallback`: a SQLite file in a data directory that
/// cannot be written is opened read-only (reads go on) rather than refused.
pub fn open_store(
    config: &MonitorConfig,
    data_dir: &Path,
    read_only_fallback: bool,
) -> Result<Arc<dyn MonitorStore>> {
    match config.backend(data_dir) {
        Database::Postgres(url) => Ok(Arc::new(postgres::PostgresStore::connect(
            &url,
            postgres::PostgresOptions::default(),
        )?)),
        Database::Sqlite(path) => match sqlite::SqliteStore::open(&path, Default::default()) {
            Ok(s) => Ok(Arc::new(s)),
            Err(MonitorError::Unavailable(e)) if read_only_fallback && path.exists() => {
                tracing::warn!(error = %e, "monitor database opened read-only");
                let options = sqlite::SqliteOptions {
                    read_only: true,
                    ..Default::default()
                };
                Ok(Arc::new(sqlite::SqliteStore::open(&path, options)?))
            }
            Err(e) => Err(e),
        },
    }
}

/// The lists' generation the monitor has caught up with.
pub struct Generation {
    pub served: Arc<Served>,
    pub table: EntityTable,
    /// `{list id: version}`.
    pub versions: BTreeMap<String, String>,
    /// `{entity id: match fingerprint}` of monitored parties, for alerts.
    ord_of: HashMap<String, u32>,
}

impl std::fmt::Debug for Generation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generation")
            .field("versions", &self.versions)
            .finish_non_exhaustive()
    }
}

impl Generation {
    /// Prepares a served generation for monitoring: its blocking table over
    /// the monitored lists.
    pub fn new(served: Arc<Served>, lists: &[String], weights: BlockingWeights) -> Generation {
        let index = served.matcher.index();
        let monitored: Option<BTreeSet<String>> =
            served.matcher.resolve_lists(lists).unwrap_or_default();
        let table = EntityTable::build(index, weights, |e| {
            monitored.as_ref().is_none_or(|m| e.on_any_list(m))
        });
        let ord_of = (0..table.len() as u32)
            .filter_map(|o| table.id(o).map(|id| (id.to_string(), o)))
            .collect();
        Generation {
            versions: served.versions(None),
            served,
            table,
            ord_of,
        }
    }

    fn version_tag(&self, list: &str) -> String {
        let v = self.versions.get(list).cloned().unwrap_or_default();
        format!("{list}@{v}")
    }
}

/// A customer's names analysed once for a screening: its blocking keys
/// and the names as the matcher scores them.
struct Analysed {
    blocking: CustomerBlocking,
    names: Vec<crate::analysis::PreparedQuery>,
}

impl Analysed {
    /// Of a customer's names as [`analysed`] keeps them (not yet marked).
    fn of_names(g: &Generation, names: Vec<crate::analysis::PreparedQuery>) -> Analysed {
        Analysed {
            blocking: CustomerBlocking::of_prepared(&names),
            names: marked(g, names),
        }
    }

    /// The pair with listed party `ord` passes the blocking.
    fn meets(&self, g: &Generation, ord: u32) -> bool {
        g.table.meets(&self.blocking, ord)
    }
}

/// The entity-level change set between two generations' listed records
/// ([`crate::model::diff::diff`]), read from each index's document store.
/// A record stored the same in both is the same entity (decoding is
/// deterministic), so only the others are decoded and compared: a list
/// update changes a few hundred of tens of thousands.
fn record_changes(
    old: &crate::index::ScreeningIndex,
    new: &crate::index::ScreeningIndex,
) -> Result<crate::model::diff::Changes> {
    let unreadable = |e: crate::index::IndexError| {
        MonitorError::Internal(format!("listed records unreadable: {e}"))
    };
    let mut old_stored: HashMap<&str, String> = HashMap::with_capacity(old.len());
    for (e, json) in old.entities().zip(old.stored_records()) {
        old_stored.insert(e.id.as_str(), json.map_err(unreadable)?);
    }
    let mut new_differing: Vec<Entity> = Vec::new();
    for (e, json) in new.entities().zip(new.stored_records()) {
        let json = json.map_err(unreadable)?;
        match old_stored.get(e.id.as_str()) {
            Some(before) if *before == json => {
                old_stored.remove(e.id.as_str());
            }
            _ => new_differing.push(crate::index::decode_stored(&json).map_err(unreadable)?),
        }
    }
    let old_differing: Vec<Entity> = old_stored
        .values()
        .map(|json| crate::index::decode_stored(json))
        .collect::<std::result::Result<_, _>>()
        .map_err(unreadable)?;
    Ok(crate::model::diff::diff(&old_differing, &new_differing))
}

/// A customer's names as [`analysed`] keeps them, marked as the matcher of
/// `g` scores them (its lists' common tokens).
fn marked(
    g: &Generation,
    mut names: Vec<crate::analysis::PreparedQuery>,
) -> Vec<crate::analysis::PreparedQuery> {
    for q in &mut names {
        g.served.matcher.mark_common(q);
    }
    names
}

/// The customer index searched for one group of listed parties, kept for
/// the chunks of a rescreen job on this replica that screen the same
/// parties against other ranges of customers: each replica searches a
/// group once. Only the last group's search is kept (a job's chunks come
/// in order, a group's ranges one after another).
#[derive(Default)]
struct ReverseSearch {
    /// What the search was for (its parties, and the keys it is restricted
    /// to, sorted), and what it found.
    last: Option<(SearchFor, Arc<[SearchedPair]>)>,
}

type SearchFor = (Vec<u32>, Option<Vec<Key>>);

/// One pair a reverse search found: (customer ordinal, party ordinal,
/// whether the search decided that the pair passes the blocking), sorted
/// by customer.
type SearchedPair = (u32, u32, bool);

impl ReverseSearch {
    /// The pairs of the search for `parties` (through `sharing`, as the
    /// chunk gives them), searched now unless it was the last one.
    fn pairs(
        &mut self,
        parties: &[u32],
        sharing: Option<&[Key]>,
        search: impl FnOnce() -> Vec<SearchedPair>,
    ) -> Arc<[SearchedPair]> {
        match &self.last {
            Some(((p, k), pairs)) if p == parties && k.as_deref() == sharing => Arc::clone(pairs),
            _ => {
                let pairs: Arc<[SearchedPair]> = search().into();
                let key = (parties.to_vec(), sharing.map(<[Key]>::to_vec));
                self.last = Some((key, Arc::clone(&pairs)));
                pairs
            }
        }
    }
}

/// A customer's names analysed again at start, to store: (ordinal, the
/// revision they were analysed from, [`analysed::encode`]d).
type AnalysedAgain = (u32, i64, Vec<u8>);

/// A reverse screening's work: listed parties (entity ids) against the
/// customers with an ordinal in `(within.0, within.1]`; with `sharing`,
/// only through one of those keys, which weighed `before` in the previous
/// generation when that is known ([`ChunkWork::PartiesIn`]).
struct Reverse<'a> {
    ids: &'a [String],
    sharing: Option<&'a [Key]>,
    before: Option<&'a [u16]>,
    within: (u32, u32),
}

/// A customer of a write, screened, with what its record stores.
struct Screened<'a> {
    /// Its row in the request.
    slot: usize,
    id: String,
    customer: &'a Customer,
    blocking: CustomerBlocking,
    found: Vec<Found>,
    /// Its names as analysed, as [`analysed::encode`] stores them.
    analysis: Vec<u8>,
    record: String,
    digest: String,
    match_fp: String,
    name: String,
    /// Its rating without any alert (that of a new customer with nothing found).
    bare_risk: serde_json::Value,
}

/// The audit record of a customer's write (`existed`: it replaced a record).
fn upserted_entry(
    s: &Screened<'_>,
    existed: bool,
    g: &Generation,
    config_hash: &str,
    actor: &str,
) -> AuditEntry {
    let results: Vec<serde_json::Value> = s
        .found
        .iter()
        .map(|f| serde_json::json!({"entity": f.entity_id, "score": f.score}))
        .collect();
    AuditEntry {
        kind: "customer.upserted".into(),
        actor: actor.to_string(),
        subject: Some(format!("customer:{}", s.id)),
        payload: serde_json::json!({
            "digest": s.digest,
            "created": !existed,
            "screening": {
                "inputDigest": s.digest,
                "listVersions": g.versions,
                "configHash": config_hash,
                "results": results,
            }
        }),
    }
}

/// Listed parties (ordinals), each with the customers (as read) whose
/// pair with it scores at or above the threshold.
type PartyPairs = Vec<(u32, Vec<(CustomerToScore, Found)>)>;

/// A pair found at or above the threshold.
#[derive(Debug, Clone)]
struct Found {
    entity_id: String,
    list: String,
    caption: String,
    score: f64,
    explanation: serde_json::Value,
    entity_fp: String,
    version_tag: String,
}

/// What one customer write did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WriteOutcome {
    pub id: String,
    /// `created`, `updated` or `unchanged` (`superseded` in a bulk write:
    /// a later row has the same id); absent on error.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<WriteStatus>)]
    pub status: Option<String>,
    /// The customer's active alerts after the write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<Alert>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<risk::RiskRating>)]
    pub risk: Option<serde_json::Value>,
    /// `{list id: version}` the customer was screened against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_versions: Option<BTreeMap<String, String>>,
    /// Why the row was not stored (bulk writes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The values of [`WriteOutcome::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum WriteStatus {
    Created,
    Updated,
    Unchanged,
    Superseded,
}

/// What a bulk write did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    pub received: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: usize,
    /// Ids given more than once: the last row wins.
    pub duplicates: Vec<String>,
    pub alerts_opened: usize,
    pub results: Vec<WriteOutcome>,
}

/// What a rescreen did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RescreenReport {
    /// `delta`, `full` or `none`.
    #[schema(value_type = RescreenKind)]
    pub kind: String,
    pub from: BTreeMap<String, String>,
    pub to: BTreeMap<String, String>,
    pub entities_added: usize,
    pub entities_removed: usize,
    pub entities_changed: usize,
    /// Listed parties screened against the customers.
    pub entities_screened: usize,
    /// Customers screened against the lists.
    pub customers_screened: usize,
    pub alerts_opened: usize,
    pub alerts_updated: usize,
    pub alerts_delisted: usize,
    pub seconds: f64,
    /// The rescreen job (`GET /v1/monitor/rescreens/{id}`), shared by the
    /// replicas that worked it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<i64>,
}

impl RescreenReport {
    /// The screening and alert numbers of a job's chunks, every replica's.
    fn take_counts(&mut self, job: &RescreenProgress) {
        self.entities_screened = job.counts.entities_screened as usize;
        self.customers_screened = job.counts.customers_screened as usize;
        self.alerts_opened = job.counts.alerts_opened as usize;
        self.alerts_updated = job.counts.alerts_updated as usize;
        self.alerts_delisted = job.counts.alerts_delisted as usize;
    }
}

/// The values of [`RescreenReport::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum RescreenKind {
    Delta,
    Full,
    None,
}

/// An analyst's decision on an alert.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"decision": "false_positive", "reason": "different person: passport checked"}))]
pub struct DecisionRequest {
    /// `escalate`, `true_match` or `false_positive`.
    #[schema(value_type = DecisionKind)]
    pub decision: String,
    /// Why (goes into the audit trail).
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub reason: String,
    /// The alert's revision the analyst saw; a different one is a conflict.
    #[serde(default, deserialize_with = "crate::json::opt_whole_number")]
    pub revision: Option<i64>,
}

/// The values of [`DecisionRequest::decision`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DecisionKind {
    Escalate,
    TrueMatch,
    FalsePositive,
}

impl DecisionKind {
    pub const ALL: [&'static str; 3] = ["escalate", "true_match", "false_positive"];
}

/// A stored customer as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub id: String,
    /// The record as stored.
    #[schema(value_type = Customer)]
    pub record: serde_json::Value,
    /// Counts every change of the record.
    pub revision: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// When the customer itself was last screened (null: not yet).
    #[schema(format = DateTime)]
    pub last_screened_at: Option<String>,
    /// `{list id: version}` of the customer's own last screening.
    pub last_screened_versions: BTreeMap<String, String>,
    /// The versions every customer is kept screened against (delta
    /// rescreens included).
    pub monitored_against: BTreeMap<String, String>,
    #[schema(value_type = Option<risk::RiskRating>)]
    pub risk: Option<serde_json::Value>,
    /// The customer's alerts (in `GET /v1/customers/{id}`; null in lists).
    pub alerts: Option<Vec<Alert>>,
}

/// How far a replica's customer index has read the customer changes
/// other replicas write (see [`Monitor::catch_up`]).
#[derive(Debug, Default)]
struct CatchUp {
    /// Every change up to this number is in the index.
    after: i64,
    /// Changes above `after` this process wrote and indexed itself: skipped
    /// when read back.
    own: BTreeSet<i64>,
}

/// Counters for the metrics.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorStats {
    pub last_rescreen: Option<RescreenReport>,
    pub rescreens: u64,
    pub rescreen_failures: u64,
}

/// The monitor: store, customer index and the generation writes screen against.
pub struct Monitor {
    store: Arc<dyn MonitorStore>,
    config: MonitorConfig,
    weights: BlockingWeights,
    jurisdictions: Arc<dyn risk::JurisdictionSource>,
    generation: RwLock<Option<Arc<Generation>>>,
    /// The `{list id: version}` sets this monitor's generation has moved
    /// away from: a customer another replica screened against one of them
    /// is screened again here by [`Monitor::catch_up`].
    left: Mutex<BTreeSet<BTreeMap<String, String>>>,
    /// Held (shared) by a write while it screens and commits, and by
    /// [`Monitor::catch_up`]; taken exclusively to switch generations, so
    /// no write or catch-up straddles a switch.
    ///
    /// Lock order: `gate`, then `caught_up`, then `customers`. A thread
    /// holding a later one never waits for an earlier one, and none takes
    /// `gate` twice (a waiting switch would block the second read).
    gate: RwLock<()>,
    customers: RwLock<CustomerIndex>,
    /// How far the customer index has read the store's customer changes.
    caught_up: Mutex<CatchUp>,
    /// One rescreen at a time.
    rescreening: Mutex<()>,
    /// This monitor's name in rescreen jobs.
    replica: String,
    /// How long it holds a rescreen chunk.
    lease: std::time::Duration,
    /// Customers in one chunk of a rescreen.
    chunk: u32,
    ready: AtomicBool,
    /// Why the customer index could not be loaded yet (the database
    /// unreachable at start): what a write answers meanwhile.
    load_error: Mutex<Option<String>>,
    stats: Mutex<MonitorStats>,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("store", &self.store.describe())
            .finish_non_exhaustive()
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn internal(e: impl std::fmt::Display) -> MonitorError {
    MonitorError::Internal(e.to_string())
}

const STATE_VERSIONS: &str = "list_versions";
const STATE_CONFIG: &str = "config_hash";
const SYSTEM: &str = "system";

impl Monitor {
    /// A monitor over a store.
    pub fn new(store: Arc<dyn MonitorStore>, config: MonitorConfig) -> Monitor {
        let lease = std::time::Duration::from_secs(config.rescreen_lease_secs);
        Monitor {
            store,
            config,
            weights: blocking::DEFAULT_BLOCKING,
            jurisdictions: Arc::new(risk::BuiltinJurisdictions),
            generation: RwLock::new(None),
            left: Mutex::new(BTreeSet::new()),
            gate: RwLock::new(()),
            customers: RwLock::new(CustomerIndex::default()),
            caught_up: Mutex::new(CatchUp::default()),
            rescreening: Mutex::new(()),
            replica: replica_name(),
            lease,
            chunk: RESCREEN_CHUNK,
            ready: AtomicBool::new(false),
            load_error: Mutex::new(None),
            stats: Mutex::new(MonitorStats::default()),
        }
    }

    /// Opens the store the configuration names (SQLite under `data_dir`
    /// by default, or PostgreSQL).
    pub fn open(config: MonitorConfig, data_dir: &Path) -> Result<Monitor> {
        let store = open_store(&config, data_dir, false)?;
        Ok(Monitor::new(store, config))
    }

    /// Uses another source of jurisdiction lists for the risk rating.
    pub fn with_jurisdictions(mut self, j: Arc<dyn risk::JurisdictionSource>) -> Monitor {
        self.jurisdictions = j;
        self
    }

    /// Names this monitor in rescreen jobs (default: host, process, number).
    pub fn with_replica_name(mut self, name: &str) -> Monitor {
        self.replica = name.to_string();
        self
    }

    /// How long this monitor holds a rescreen chunk before another replica
    /// may take it over (default 60 s).
    pub fn with_rescreen_lease(mut self, lease: std::time::Duration) -> Monitor {
        self.lease = lease;
        self
    }

    /// Customers in one chunk of a rescreen (default 2000).
    pub fn with_rescreen_chunk(mut self, customers: u32) -> Monitor {
        self.chunk = customers.max(1);
        self
    }

    /// This monitor's name in rescreen jobs.
    pub fn replica_name(&self) -> &str {
        &self.replica
    }

    pub fn store(&self) -> &Arc<dyn MonitorStore> {
        &self.store
    }

    pub fn config(&self) -> &MonitorConfig {
        &self.config
    }

    pub fn stats(&self) -> MonitorStats {
        lock(&self.stats).clone()
    }

    /// The generation writes screen against.
    pub fn generation(&self) -> Option<Arc<Generation>> {
        self.generation
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// True once the customer index is loaded and a generation is set.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire) && self.generation().is_some()
    }

    fn threshold(&self, served: &Served) -> f64 {
        self.config
            .threshold
            .unwrap_or(served.matcher.weights().threshold)
    }

    /// The hash of everything that decides the monitor's alerts: the
    /// matcher's weights and threshold, the blocking weights, the lists
    /// screened, the risk rules and the program version. A change means a
    /// full rescreen.
    pub fn config_hash(&self, served: &Served) -> String {
        use sha2::{Digest, Sha256};
        let text = format!(
            "{}|{:?}|{}|{:?}|{:?}|{}",
            env!("CARGO_PKG_VERSION"),
            served.matcher.weights(),
            self.threshold(served),
            self.weights,
            self.config.lists,
            self.config.risk.hash(self.jurisdictions.as_ref()),
        );
        hex::encode(Sha256::digest(text.as_bytes()))[..16].to_string()
    }

    fn opts(&self, served: &Served) -> ScreenOptions {
        let threshold = self.threshold(served);
        ScreenOptions {
            threshold: Some(threshold),
            limit: MATCHES_PER_CUSTOMER,
            min_score: threshold,
        }
    }

    fn unavailable_if_not_ready(&self) -> Result<Arc<Generation>> {
        if !self.ready.load(Ordering::Acquire) {
            return Err(MonitorError::Unavailable(
                match lock(&self.load_error).as_ref() {
                    Some(e) => format!("the monitor cannot load its customers yet: {e}"),
                    None => {
                        "the monitor is starting (loading the customer index); retry shortly".into()
                    }
                },
            ));
        }
        self.generation().ok_or_else(|| {
            MonitorError::Unavailable(
                "no list index is loaded yet, so customers cannot be screened; retry shortly"
                    .into(),
            )
        })
    }

    /// Loads the customer index from the store (at start).
    pub fn load_customer_index(&self) -> Result<usize> {
        use rayon::prelude::*;
        let mut index = CustomerIndex::default();
        // Read first: changes made during the scan are read again by
        // `catch_up` (a customer indexed twice is only a duplicate entry).
        let changed_up_to = match self.store.last_customer_change() {
            Ok(n) => n,
            Err(e) => {
                *lock(&self.load_error) = Some(e.to_string());
                return Err(e);
            }
        };
        let mut after = 0u32;
        let mut n = 0;
        loop {
            let batch = match self.store.scan_customers(after, 5000) {
                Ok(b) => b,
                Err(e) => {
                    *lock(&self.load_error) = Some(e.to_string());
                    return Err(e);
                }
            };
            let Some(last) = batch.last() else { break };
            after = last.ord;
            let keyed: Vec<(u32, CustomerBlocking, Option<AnalysedAgain>)> = batch
                .par_iter()
                .filter_map(|c| {
                    let (names, again) = analysed::read_stored(&c.record, c.analysis.as_deref())?;
                    let store_again = again.then(|| (c.ord, c.revision, analysed::encode(&names)));
                    Some((c.ord, CustomerBlocking::of_prepared(&names), store_again))
                })
                .collect();
            let mut again: Vec<AnalysedAgain> = Vec::new();
            for (ord, blocking, store_again) in keyed {
                index.add(ord, &blocking);
                again.extend(store_again);
            }
            self.store_analyses_again(&again);
            n += batch.len();
        }
        *self.customers.write().unwrap_or_else(|p| p.into_inner()) = index;
        *lock(&self.caught_up) = CatchUp {
            after: changed_up_to,
            own: BTreeSet::new(),
        };
        *lock(&self.load_error) = None;
        self.ready.store(true, Ordering::Release);
        Ok(n)
    }

    /// Stores again the analysed names of customers whose stored ones were
    /// missing or another build's (the first start after an upgrade), so
    /// that rescreens read them rather than analyse every name again. Only
    /// an optimisation: a failure is logged, and those customers are
    /// analysed from their records until the next start.
    fn store_analyses_again(&self, again: &[AnalysedAgain]) {
        if again.is_empty() || !self.store.writable() {
            return;
        }
        let written = self.store.transaction(&mut |tx| {
            for (ord, revision, bytes) in again {
                tx.set_analysis(*ord, *revision, bytes)?;
            }
            Ok(())
        });
        if let Err(e) = written {
            tracing::warn!(error = %e, customers = again.len(), "analysed names not stored again");
        }
    }

    /// Adds to the customer index the customers other replicas (processes
    /// sharing the database) created or changed since the last catch-up, so
    /// that a rescreen here screens them too. Run before and after every
    /// rescreen and regularly by [`follow`]. A deleted customer needs
    /// nothing: the store no longer returns it. Returns how many changes
    /// were indexed.
    ///
    /// A customer another replica screened against list versions this
    /// monitor has already switched away from (that replica had not
    /// switched yet) is also screened forward here, against the current
    /// generation: the delta rescreen that moved the base on may have run
    /// before that write was committed, and nothing else would screen it
    /// against the newer lists. A customer screened against versions this
    /// monitor has not left (the same, or newer ones while this replica is
    /// still on older lists) is only indexed: a replica never screens a
    /// customer back to older lists.
    ///
    /// Holds the gate (shared) throughout, so the generation cannot switch
    /// between reading a change and screening it; then `caught_up`, then
    /// the customer index (the lock order of [`Monitor`]'s fields).
    pub fn catch_up(&self) -> Result<usize> {
        use rayon::prelude::*;
        if !self.ready.load(Ordering::Acquire) {
            return Ok(0);
        }
        let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
        let g = self.generation();
        let left = lock(&self.left).clone();
        let mut state = lock(&self.caught_up);
        let mut n = 0;
        loop {
            let batch = self.store.customers_changed_after(state.after, 5000)?;
            let Some((last, _)) = batch.last() else { break };
            let last = *last;
            let theirs: Vec<&StoredCustomer> = batch
                .iter()
                .filter(|(change, _)| !state.own.contains(change))
                .map(|(_, c)| c)
                .collect();
            let keyed: Vec<(u32, CustomerBlocking)> = theirs
                .par_iter()
                .filter_map(|c| {
                    let names = analysed::of_stored(&c.record, c.analysis.as_deref())?;
                    Some((c.ord, CustomerBlocking::of_prepared(&names)))
                })
                .collect();
            n += keyed.len();
            let mut index = self.customers.write().unwrap_or_else(|p| p.into_inner());
            for (ord, blocking) in keyed {
                index.add(ord, &blocking);
            }
            drop(index);
            if let Some(g) = &g {
                let stale: Vec<StoredCustomer> = theirs
                    .into_iter()
                    .filter(|c| left.contains(&c.screened_versions))
                    .cloned()
                    .collect();
                if !stale.is_empty() {
                    let mut counts = ChunkCounts::default();
                    self.screen_customers(g, stale, &mut counts, None)?;
                    tracing::debug!(
                        customers = counts.customers_screened,
                        opened = counts.alerts_opened,
                        updated = counts.alerts_updated,
                        "customers another replica screened against older lists screened again"
                    );
                }
            }
            state.after = last;
            state.own = state.own.split_off(&(last + 1));
        }
        Ok(n)
    }

    // ----- screening -----

    /// Screens a customer forward (its names as [`analysed`] keeps them):
    /// its keys and the pairs at or above the threshold.
    fn screen_forward(
        &self,
        g: &Generation,
        names: Vec<crate::analysis::PreparedQuery>,
    ) -> (CustomerBlocking, Vec<Found>) {
        let a = Analysed::of_names(g, names);
        let ords = g.table.candidates(&a.blocking);
        let found = self.score_pairs(g, &a.names, &ords);
        (a.blocking, found)
    }

    /// Scores a customer's names against listed parties (index ordinals);
    /// the best score per party, in the order of the parties' ids.
    fn score_pairs(
        &self,
        g: &Generation,
        names: &[crate::analysis::PreparedQuery],
        ords: &[u32],
    ) -> Vec<Found> {
        if ords.is_empty() {
            return Vec::new();
        }
        let opts = self.opts(&g.served);
        let mut best: HashMap<u32, MatchResult> = HashMap::new();
        for q in names {
            let Ok(results) = g.served.matcher.score_ordinals(q, ords, &opts) else {
                continue;
            };
            for (ord, r) in results.into_iter().filter(|(_, r)| r.is_match) {
                match best.get(&ord) {
                    Some(b) if b.score >= r.score => {}
                    _ => {
                        best.insert(ord, r);
                    }
                }
            }
        }
        let index = g.served.matcher.index();
        let mut found: Vec<Found> = best
            .into_iter()
            .filter_map(|(ord, r)| {
                let e = index.entity(ord)?;
                let list = e.datasets.first().map_or("", |d| d.as_str());
                // A record that cannot be read (the index's document store
                // damaged on disk) gets a fingerprint no decision
                // was made on: the alert shows rather than stays suppressed.
                let entity_fp = match index.record(ord)? {
                    Ok(record) => customer::match_fingerprint(&record),
                    Err(err) => {
                        tracing::error!(entity = %e.id, error = %err, "listed record unreadable");
                        "unreadable".to_string()
                    }
                };
                Some(Found {
                    list: list.to_string(),
                    caption: e.caption.clone(),
                    entity_fp,
                    version_tag: g.version_tag(list),
                    explanation: serde_json::to_value(&r.explanation).unwrap_or_default(),
                    score: r.score,
                    entity_id: r.entity.id,
                })
            })
            .collect();
        found.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
        found
    }

    /// Screens listed parties against the customers with an ordinal in
    /// `(within.0, within.1]` (reverse): for each party of `ords` (in that
    /// order), every such customer (with its record as read) whose pair
    /// passes the blocking and scores at or above the threshold, exactly as
    /// [`Monitor::score_pair`] decides it. A customer found by several of
    /// the parties is read, analysed and scored against them together,
    /// once. The customer index is searched once for the parties
    /// (`searches` keeps it for the chunks of the same parties that cover
    /// the other ranges).
    ///
    /// With `sharing`, only the customers sharing one of those keys with a
    /// party are screened against it (and with the keys' weights `before`,
    /// only the pairs whose blocking may have changed).
    fn screen_reverse(
        &self,
        g: &Generation,
        ords: &[u32],
        sharing: Option<&[Key]>,
        before: Option<&[u16]>,
        within: (u32, u32),
        searches: &mut ReverseSearch,
    ) -> Result<PartyPairs> {
        use rayon::prelude::*;
        let pairs = searches.pairs(ords, sharing, || {
            let through: Option<Through> = sharing.map(|keys| {
                keys.iter()
                    .enumerate()
                    .map(|(i, &k)| (k, before.and_then(|b| b.get(i).copied())))
                    .collect()
            });
            self.search_customers(g, ords, through.as_ref())
        });
        let from = pairs.partition_point(|p| p.0 <= within.0);
        let to = pairs.partition_point(|p| p.0 <= within.1);
        // The range's customers in order, each with the parties it is a
        // candidate of.
        let groups: Vec<&[SearchedPair]> = pairs[from..to].chunk_by(|a, b| a.0 == b.0).collect();
        let customer_ords: Vec<u32> = groups.iter().map(|c| c[0].0).collect();
        let wanted: HashMap<u32, &[SearchedPair]> = groups.iter().map(|c| (c[0].0, *c)).collect();
        let stored: Vec<CustomerToScore> = customer_ords
            .par_chunks(256)
            .map(|chunk| self.store.customers_to_score(chunk))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let found: Vec<(CustomerToScore, Vec<(u32, Found)>)> = stored
            .into_par_iter()
            .filter_map(|s| {
                let parties = wanted.get(&s.ord)?;
                let names = marked(g, analysed::of_stored(&s.record, s.analysis.as_deref())?);
                // Where the search could not decide (the customer was
                // indexed again), its current keys do.
                let current = parties
                    .iter()
                    .any(|&(_, _, met)| !met)
                    .then(|| CustomerBlocking::of_prepared(&names));
                let ords: Vec<u32> = parties
                    .iter()
                    .filter(|&&(_, p, met)| {
                        met || current.as_ref().is_some_and(|b| g.table.meets(b, p))
                    })
                    .map(|&(_, p, _)| p)
                    .collect();
                let found: Vec<(u32, Found)> = self
                    .score_pairs(g, &names, &ords)
                    .into_iter()
                    .filter_map(|f| g.ord_of.get(&f.entity_id).map(|&o| (o, f)))
                    .collect();
                (!found.is_empty()).then_some((s, found))
            })
            .collect();
        let mut by_party: HashMap<u32, Vec<(CustomerToScore, Found)>> = HashMap::new();
        for (s, pairs) in found {
            for (party, f) in pairs {
                by_party.entry(party).or_default().push((s.clone(), f));
            }
        }
        Ok(ords
            .iter()
            .map(|&o| (o, by_party.remove(&o).unwrap_or_default()))
            .collect())
    }

    /// Searches the customer index for the customers each monitored party
    /// of `ords` may pair with (with `sharing`: through one of those keys,
    /// [`CustomerIndex::candidates_sharing`]): the pairs, by customer.
    fn search_customers(
        &self,
        g: &Generation,
        ords: &[u32],
        sharing: Option<&Through>,
    ) -> Vec<SearchedPair> {
        use rayon::prelude::*;
        let weights = g.table.weights();
        let index = self.customers.read().unwrap_or_else(|p| p.into_inner());
        let index = &*index;
        let mut pairs: Vec<SearchedPair> = ords
            .par_iter()
            .filter(|&&o| g.table.id(o).is_some() && g.table.is_monitored(o))
            .flat_map_iter(|&o| {
                let weighted = g.table.weighted_keys(o);
                let customers = match sharing {
                    None => index.candidates(&weighted, weights),
                    Some(keys) => {
                        let through: Through = g
                            .table
                            .keys_of(o)
                            .iter()
                            .filter_map(|k| keys.get(k).map(|&before| (*k, before)))
                            .collect();
                        index.candidates_sharing(&weighted, weights, &through)
                    }
                };
                customers.into_iter().map(move |c| (c.ord, o, c.met))
            })
            .collect();
        pairs.sort_unstable();
        pairs
    }

    /// Scores one stored customer (its record as stored) against one
    /// listed party exactly as its forward screening would: nothing unless
    /// the party is monitored, their shared keys weigh enough for the
    /// blocking, and the pair scores at or above the threshold. Reverse
    /// screening and a delta's re-scoring of the alerts it did not find
    /// both use it, so that they agree with a full rescreen.
    fn score_pair(&self, g: &Generation, stored: &StoredCustomer, ord: u32) -> Option<Found> {
        if !g.table.is_monitored(ord) {
            return None;
        }
        let names = analysed::of_stored(&stored.record, stored.analysis.as_deref())?;
        let a = Analysed::of_names(g, names);
        if !a.meets(g, ord) {
            return None;
        }
        self.score_pairs(g, &a.names, &[ord]).into_iter().next()
    }

    // ----- writes -----

    /// Writes customers (create or replace), screening each at once. Rows
    /// that fail validation get their error; the others are stored. Ids
    /// given twice: the last row wins, and the id is reported.
    pub fn put_customers(
        &self,
        rows: Vec<std::result::Result<Customer, String>>,
        actor: &str,
    ) -> Result<BulkReport> {
        let mut report = BulkReport {
            received: rows.len(),
            ..BulkReport::default()
        };
        if rows.len() > MAX_BULK {
            return Err(MonitorError::Invalid(format!(
                "{} customers in one request; the limit is {MAX_BULK}",
                rows.len()
            )));
        }
        // Last row of each id wins.
        let mut last: HashMap<String, usize> = HashMap::new();
        let mut dup: BTreeSet<String> = BTreeSet::new();
        for (i, r) in rows.iter().enumerate() {
            if let Ok(c) = r
                && let Some(id) = &c.id
                && last.insert(id.clone(), i).is_some()
            {
                dup.insert(id.clone());
            }
        }
        report.duplicates = dup.into_iter().collect();
        let mut slots: Vec<Option<WriteOutcome>> = vec![None; rows.len()];
        let mut valid: Vec<(usize, Customer)> = Vec::new();
        for (i, r) in rows.into_iter().enumerate() {
            let row_id = |c: &Customer| c.id.clone().unwrap_or_else(|| format!("#{}", i + 1));
            match r {
                Err(e) => {
                    slots[i] = Some(WriteOutcome::error(format!("#{}", i + 1), e));
                }
                Ok(c) => match c.validate() {
                    Err(e) => slots[i] = Some(WriteOutcome::error(row_id(&c), e.to_string())),
                    Ok(()) => {
                        let id = c.id.clone().unwrap_or_default();
                        if last.get(&id) == Some(&i) {
                            valid.push((i, c));
                        } else {
                            slots[i] = Some(WriteOutcome {
                                status: Some("superseded".into()),
                                ..WriteOutcome::error(id, String::new())
                            });
                            if let Some(s) = slots[i].as_mut() {
                                s.error = Some("the same id is given again later in this request; the later row is kept".into());
                            }
                        }
                    }
                },
            }
        }
        // Each chunk is screened and stored under one generation (a list
        // update may switch generations between chunks: each customer
        // records the versions its own screening ran against). The next
        // chunk is screened (on the other cores) while this one is written;
        // it is screened again if the generation has switched meanwhile.
        let chunks: Vec<&[(usize, Customer)]> = valid.chunks(WRITE_CHUNK).collect();
        let mut ahead: Option<(Arc<Generation>, Vec<Screened<'_>>)> = None;
        for (k, chunk) in chunks.iter().enumerate() {
            let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
            let g = self.unavailable_if_not_ready()?;
            let screened = match ahead.take() {
                Some((earlier, screened)) if Arc::ptr_eq(&earlier, &g) => screened,
                _ => self.screen_for_write(&g, chunk),
            };
            let config_hash = self.config_hash(&g.served);
            let next = chunks.get(k + 1).copied();
            let (written, next) = std::thread::scope(|scope| {
                let next = next.map(|n| {
                    let g = Arc::clone(&g);
                    scope.spawn(move || {
                        let screened = self.screen_for_write(&g, n);
                        (g, screened)
                    })
                });
                let written = self.write_chunk(&g, &screened, actor, &config_hash);
                (written, next.and_then(|h| h.join().ok()))
            });
            ahead = next;
            let (outcomes, changes) = written?;
            // Indexed here: `catch_up` skips them (those it already read
            // are indexed twice, which is harmless). Locked in its order.
            let mut state = lock(&self.caught_up);
            let after = state.after;
            state.own.extend(changes.into_iter().filter(|&c| c > after));
            let mut index = self.customers.write().unwrap_or_else(|p| p.into_inner());
            for (k, outcome, ord, opened) in outcomes {
                let s = &screened[k];
                match outcome.status.as_deref() {
                    Some("created") => report.created += 1,
                    Some("updated") => report.updated += 1,
                    _ => report.unchanged += 1,
                }
                if outcome.status.as_deref() != Some("unchanged") {
                    index.add(ord, &s.blocking);
                }
                report.alerts_opened += opened;
                slots[s.slot] = Some(outcome);
            }
        }
        report.results = slots.into_iter().flatten().collect();
        report.errors = report
            .results
            .iter()
            .filter(|r| r.error.is_some() && r.status.is_none())
            .count();
        Ok(report)
    }

    /// Screens a chunk of customers for a write (in parallel), and works
    /// out what their records store.
    fn screen_for_write<'a>(
        &self,
        g: &Generation,
        chunk: &'a [(usize, Customer)],
    ) -> Vec<Screened<'a>> {
        use rayon::prelude::*;
        chunk
            .par_iter()
            .map(|(slot, c)| {
                let names = analysed::analyse(c);
                let analysis = analysed::encode(&names);
                let (blocking, found) = self.screen_forward(g, names);
                let record = c.canonical_json();
                let digest = customer::digest_of(&record);
                let rating = self.config.risk.rate(
                    &c.countries,
                    &c.addresses,
                    c.segment.as_deref(),
                    &[],
                    self.jurisdictions.as_ref(),
                );
                Screened {
                    slot: *slot,
                    id: c.id.clone().unwrap_or_default(),
                    customer: c,
                    blocking,
                    found,
                    analysis,
                    match_fp: c.match_fingerprint(),
                    name: c.display_name(),
                    record,
                    digest,
                    bare_risk: serde_json::to_value(&rating).unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Stores a screened chunk in one transaction: the customers that are
    /// new, with nothing found and no alert from before (most of a bulk
    /// import), written together; every other one by
    /// [`Monitor::write_customer`]. Returns (position in `screened`,
    /// outcome, ordinal, alerts opened) of each, and the change numbers.
    #[allow(clippy::type_complexity)]
    fn write_chunk(
        &self,
        g: &Generation,
        screened: &[Screened<'_>],
        actor: &str,
        config_hash: &str,
    ) -> Result<(Vec<(usize, WriteOutcome, u32, usize)>, Vec<i64>)> {
        let mut outcomes: Vec<(usize, WriteOutcome, u32, usize)> = Vec::new();
        let mut changes: Vec<i64> = Vec::new();
        self.store.transaction(&mut |tx| {
            outcomes.clear();
            changes.clear();
            let ids: Vec<&str> = screened.iter().map(|s| s.id.as_str()).collect();
            let mut before = tx.customers_by_ids(&ids)?;
            let alerts = tx.current_alerts_of(&ids)?;
            let at = now();
            let fresh: Vec<usize> = (0..screened.len())
                .filter(|&k| {
                    before.get(k).is_some_and(Option::is_none)
                        && screened[k].found.is_empty()
                        && !alerts.contains_key(&screened[k].id)
                })
                .collect();
            if !fresh.is_empty() {
                let rows: Vec<CustomerRow<'_>> = fresh
                    .iter()
                    .map(|&k| {
                        let s = &screened[k];
                        CustomerRow {
                            id: &s.id,
                            record: &s.record,
                            analysis: &s.analysis,
                            digest: &s.digest,
                            match_fp: &s.match_fp,
                            name: &s.name,
                            segment: s.customer.segment.as_deref(),
                            tags: &s.customer.tags,
                            at,
                            screened_versions: &g.versions,
                            risk: Some(&s.bare_risk),
                        }
                    })
                    .collect();
                let put = tx.insert_new_customers(&rows)?;
                let entries: Vec<AuditEntry> = fresh
                    .iter()
                    .map(|&k| upserted_entry(&screened[k], false, g, config_hash, actor))
                    .collect();
                tx.append_audits(&entries, at)?;
                for (&k, (ord, change)) in fresh.iter().zip(put) {
                    let s = &screened[k];
                    outcomes.push((
                        k,
                        WriteOutcome {
                            id: s.id.clone(),
                            status: Some("created".into()),
                            alerts: Some(Vec::new()),
                            risk: Some(s.bare_risk.clone()),
                            list_versions: Some(g.versions.clone()),
                            error: None,
                        },
                        ord,
                        0,
                    ));
                    if change > 0 {
                        changes.push(change);
                    }
                }
            }
            for (k, s) in screened.iter().enumerate() {
                if fresh.binary_search(&k).is_ok() {
                    continue;
                }
                let before = before.get_mut(k).and_then(Option::take);
                let (outcome, (ord, change), opened) =
                    self.write_customer(tx, g, s, before, actor, config_hash)?;
                outcomes.push((k, outcome, ord, opened));
                if change > 0 {
                    changes.push(change);
                }
            }
            Ok(())
        })?;
        Ok((outcomes, changes))
    }

    /// Stores one screened customer (`before`: its record as stored, read
    /// in this transaction), reconciles its alerts and rates it.
    fn write_customer(
        &self,
        tx: &mut dyn Tx,
        g: &Generation,
        s: &Screened<'_>,
        before: Option<StoredCustomer>,
        actor: &str,
        config_hash: &str,
    ) -> Result<(WriteOutcome, (u32, i64), usize)> {
        let (c, found) = (s.customer, &s.found);
        let id = s.id.clone();
        let digest = &s.digest;
        let at = now();
        if let Some(b) = &before
            && &b.digest == digest
            && b.screened_versions == g.versions
        {
            let alerts = tx.customer_alerts(&id)?;
            return Ok((
                WriteOutcome {
                    id,
                    status: Some("unchanged".into()),
                    alerts: Some(
                        alerts
                            .into_iter()
                            .filter(|a| a.status.is_active())
                            .collect(),
                    ),
                    risk: b.risk.clone(),
                    list_versions: Some(b.screened_versions.clone()),
                    error: None,
                },
                (b.ord, 0),
                0,
            ));
        }
        let match_fp = &s.match_fp;
        let put = tx.put_customer(&CustomerRow {
            id: &id,
            record: &s.record,
            analysis: &s.analysis,
            digest,
            match_fp,
            name: &s.name,
            segment: c.segment.as_deref(),
            tags: &c.tags,
            at,
            screened_versions: &g.versions,
            risk: None,
        })?;
        tx.append_audit(
            &upserted_entry(s, before.is_some(), g, config_hash, actor),
            at,
        )?;
        let counts = self.reconcile_customer(tx, &id, match_fp, found, actor, at)?;
        let (risk, alerts) = self.rate(tx, &id, c)?;
        Ok((
            WriteOutcome {
                id,
                status: Some(
                    if before.is_some() {
                        "updated"
                    } else {
                        "created"
                    }
                    .into(),
                ),
                alerts: Some(
                    alerts
                        .into_iter()
                        .filter(|a| a.status.is_active())
                        .collect(),
                ),
                risk: Some(risk),
                list_versions: Some(g.versions.clone()),
                error: None,
            },
            put,
            counts.0,
        ))
    }

    /// Recomputes and stores a customer's rating; returns it with the
    /// customer's current alerts it was made from.
    fn rate(
        &self,
        tx: &mut dyn Tx,
        id: &str,
        c: &Customer,
    ) -> Result<(serde_json::Value, Vec<Alert>)> {
        let alerts = tx.customer_alerts(id)?;
        let rating = self.config.risk.rate(
            &c.countries,
            &c.addresses,
            c.segment.as_deref(),
            &alerts,
            self.jurisdictions.as_ref(),
        );
        let value = serde_json::to_value(&rating).map_err(internal)?;
        tx.set_risk(id, &value)?;
        Ok((value, alerts))
    }

    fn rerate(&self, tx: &mut dyn Tx, id: &str) -> Result<()> {
        if let Some(stored) = tx.customer(id)?
            && let Ok(c) = serde_json::from_str::<Customer>(&stored.record)
        {
            self.rate(tx, id, &c)?;
        }
        Ok(())
    }

    /// Records an alert change in the audit trail and the outbox.
    fn log_alert(
        &self,
        tx: &mut dyn Tx,
        kind: &str,
        alert: &Alert,
        actor: &str,
        extra: serde_json::Value,
        at: OffsetDateTime,
    ) -> Result<()> {
        let payload = serde_json::json!({
            "alertId": alert.id,
            "customerId": alert.customer_id,
            "entityId": alert.entity_id,
            "list": alert.list,
            "status": alert.status,
            "score": alert.score,
            "matching": alert.matching,
            "raisedBy": alert.raised_by,
            "revision": alert.revision,
            "previousAlertId": alert.previous_alert_id,
            "change": extra,
        });
        self.record_event(
            tx,
            AuditEntry {
                kind: kind.to_string(),
                actor: actor.to_string(),
                subject: Some(format!("alert:{}", alert.id)),
                payload,
            },
            Some(&alert.customer_id),
            at,
        )
    }

    /// Appends a record to the audit trail and queues it as an event (its
    /// id `evt-<seq>`) for every webhook endpoint, in the same transaction.
    fn record_event(
        &self,
        tx: &mut dyn Tx,
        entry: AuditEntry,
        customer_id: Option<&str>,
        at: OffsetDateTime,
    ) -> Result<()> {
        let record = tx.append_audit(&entry, at)?;
        let id = format!("evt-{}", record.seq);
        let event = Event {
            payload: serde_json::json!({"id": id, "type": entry.kind, "createdAt": record.at, "data": entry.payload}),
            id,
            kind: entry.kind,
            customer_id: customer_id.map(str::to_string),
        };
        tx.enqueue_event(&event, &self.config.webhooks.endpoint_names(), at)
    }

    /// Applies one found pair; returns (opened, updated).
    fn upsert_pair(
        &self,
        tx: &mut dyn Tx,
        customer_id: &str,
        customer_fp: &str,
        f: &Found,
        actor: &str,
        at: OffsetDateTime,
    ) -> Result<(usize, usize)> {
        let current = tx.current_alert(customer_id, &f.entity_id)?;
        let open_new = |tx: &mut dyn Tx, previous: Option<&Alert>| -> Result<(usize, usize)> {
            let mut a = Alert {
                id: 0,
                customer_id: customer_id.to_string(),
                entity_id: f.entity_id.clone(),
                list: f.list.clone(),
                entity_caption: f.caption.clone(),
                status: AlertStatus::Open,
                score: f.score,
                matching: true,
                explanation: Some(f.explanation.clone()),
                raised_by: f.version_tag.clone(),
                last_seen_in: f.version_tag.clone(),
                entity_fp: f.entity_fp.clone(),
                customer_fp: customer_fp.to_string(),
                previous_alert_id: previous.map(|p| p.id),
                pending_true_match_by: None,
                revision: 1,
                created_at: at,
                updated_at: at,
            };
            a.id = tx.insert_alert(&a)?;
            tx.add_history(&HistoryEntry {
                alert_id: a.id,
                action: "opened".into(),
                status_before: None,
                status_after: AlertStatus::Open,
                actor: actor.to_string(),
                reason: previous.map(|p| {
                    format!(
                        "follows alert {} ({}): the customer or the listed party changed",
                        p.id,
                        p.status.as_str()
                    )
                }),
                at,
            })?;
            self.log_alert(tx, "alert.opened", &a, actor, serde_json::Value::Null, at)?;
            Ok((1, 0))
        };
        match current {
            None => open_new(tx, None),
            Some(a) if a.status.is_active() => {
                let changed = (a.score - f.score).abs() > 1e-9
                    || !a.matching
                    || a.entity_fp != f.entity_fp
                    || a.customer_fp != customer_fp;
                if !changed {
                    return Ok((0, 0));
                }
                let mut b = a.clone();
                b.score = f.score;
                b.matching = true;
                b.explanation = Some(f.explanation.clone());
                b.entity_fp = f.entity_fp.clone();
                b.customer_fp = customer_fp.to_string();
                b.entity_caption = f.caption.clone();
                b.last_seen_in = f.version_tag.clone();
                b.revision += 1;
                b.updated_at = at;
                tx.update_alert(&b)?;
                tx.add_history(&HistoryEntry {
                    alert_id: b.id,
                    action: "rescored".into(),
                    status_before: Some(a.status),
                    status_after: b.status,
                    actor: actor.to_string(),
                    reason: Some(format!("score {:.4} → {:.4}", a.score, b.score)),
                    at,
                })?;
                self.log_alert(
                    tx,
                    "alert.updated",
                    &b,
                    actor,
                    serde_json::json!({"scoreBefore": a.score, "matchingBefore": a.matching}),
                    at,
                )?;
                Ok((0, 1))
            }
            Some(a) if a.status == AlertStatus::FalsePositive => {
                if a.entity_fp == f.entity_fp && a.customer_fp == customer_fp {
                    Ok((0, 0))
                } else {
                    open_new(tx, Some(&a))
                }
            }
            Some(a) if a.status == AlertStatus::TrueMatch => Ok((0, 0)),
            Some(a) => open_new(tx, Some(&a)),
        }
    }

    /// Marks an active alert whose pair no longer scores as not matching.
    fn unmatch(&self, tx: &mut dyn Tx, a: &Alert, actor: &str, at: OffsetDateTime) -> Result<bool> {
        if !a.status.is_active() || !a.matching {
            return Ok(false);
        }
        let mut b = a.clone();
        b.matching = false;
        b.revision += 1;
        b.updated_at = at;
        tx.update_alert(&b)?;
        tx.add_history(&HistoryEntry {
            alert_id: b.id,
            action: "no_longer_matching".into(),
            status_before: Some(a.status),
            status_after: b.status,
            actor: actor.to_string(),
            reason: Some("the pair no longer scores at or above the threshold".into()),
            at,
        })?;
        self.log_alert(
            tx,
            "alert.updated",
            &b,
            actor,
            serde_json::json!({"matchingBefore": true}),
            at,
        )?;
        Ok(true)
    }

    /// Reconciles one customer's alerts with what a forward screening found.
    fn reconcile_customer(
        &self,
        tx: &mut dyn Tx,
        customer_id: &str,
        customer_fp: &str,
        found: &[Found],
        actor: &str,
        at: OffsetDateTime,
    ) -> Result<(usize, usize)> {
        let mut counts = (0, 0);
        for f in found {
            let (o, u) = self.upsert_pair(tx, customer_id, customer_fp, f, actor, at)?;
            counts.0 += o;
            counts.1 += u;
        }
        let found_ids: HashSet<&str> = found.iter().map(|f| f.entity_id.as_str()).collect();
        for a in tx.customer_alerts(customer_id)? {
            if !found_ids.contains(a.entity_id.as_str()) && self.unmatch(tx, &a, actor, at)? {
                counts.1 += 1;
            }
        }
        Ok(counts)
    }

    /// Deletes a customer: the record goes, its alerts close as
    /// `customer_deleted` and lose their explanations; the audit trail keeps
    /// the record's digest.
    pub fn delete_customer(&self, id: &str, actor: &str) -> Result<bool> {
        customer::check_id(id).map_err(|e| MonitorError::Invalid(e.to_string()))?;
        let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
        let mut deleted = false;
        self.store.transaction(&mut |tx| {
            let Some(before) = tx.customer(id)? else {
                deleted = false;
                return Ok(());
            };
            let at = now();
            for a in tx.customer_alerts(id)? {
                let mut b = a.clone();
                b.explanation = None;
                b.revision += 1;
                b.updated_at = at;
                if a.status.is_active() {
                    b.status = AlertStatus::CustomerDeleted;
                }
                tx.update_alert(&b)?;
                tx.add_history(&HistoryEntry {
                    alert_id: b.id,
                    action: "customer_deleted".into(),
                    status_before: Some(a.status),
                    status_after: b.status,
                    actor: actor.to_string(),
                    reason: None,
                    at,
                })?;
                self.log_alert(tx, "alert.updated", &b, actor, serde_json::json!({"customerDeleted": true}), at)?;
            }
            tx.delete_customer(id)?;
            tx.append_audit(
                &AuditEntry {
                    kind: "customer.deleted".into(),
                    actor: actor.to_string(),
                    subject: Some(format!("customer:{id}")),
                    payload: serde_json::json!({"digest": before.digest, "revision": before.revision}),
                },
                at,
            )?;
            deleted = true;
            Ok(())
        })?;
        Ok(deleted)
    }

    /// Records an analyst's decision on an alert, and the same decision on
    /// the customer's open alerts on the other records of its party (the
    /// lists that name one party: [`crate::linking`]), each with its own
    /// history entry; one already decided that way is left as it is.
    pub fn decide(&self, alert_id: i64, req: &DecisionRequest, analyst: &str) -> Result<Alert> {
        let decided = self.decide_one(alert_id, req, analyst)?;
        let Some(g) = self.generation() else {
            return Ok(decided);
        };
        let Some(party) = g
            .served
            .matcher
            .index()
            .links()
            .party_of(&decided.entity_id)
        else {
            return Ok(decided);
        };
        let why = format!("as alert {alert_id} ({}): {}", party.id, req.reason.trim());
        let same = DecisionRequest {
            decision: req.decision.clone(),
            reason: why.chars().take(4000).collect(),
            revision: None,
        };
        for entity in party.referents.iter().filter(|r| **r != decided.entity_id) {
            let filter = AlertFilter {
                customer: Some(decided.customer_id.clone()),
                entity: Some(entity.clone()),
                limit: 100,
                ..AlertFilter::default()
            };
            for other in self.store.list_alerts(&filter)?.items {
                if other.status.is_active() {
                    match self.decide_one(other.id, &same, analyst) {
                        Ok(_) | Err(MonitorError::Conflict(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(decided)
    }

    fn decide_one(&self, alert_id: i64, req: &DecisionRequest, analyst: &str) -> Result<Alert> {
        let reason = req.reason.trim();
        if reason.is_empty() {
            return Err(MonitorError::Invalid(
                "reason is required: say why (it goes into the audit trail)".into(),
            ));
        }
        if reason.chars().count() > 4000 {
            return Err(MonitorError::Invalid(
                "reason is longer than 4000 characters".into(),
            ));
        }
        let action = req.decision.as_str();
        if !DecisionKind::ALL.contains(&action) {
            return Err(MonitorError::Invalid(format!(
                "unknown decision '{action}' (use escalate, true_match or false_positive)"
            )));
        }
        let mut out: Option<Alert> = None;
        self.store.transaction(&mut |tx| {
            let a = tx.alert_for_update(alert_id)?.ok_or_else(|| {
                MonitorError::NotFound(format!("no alert {alert_id}"))
            })?;
            if !a.status.is_active() {
                return Err(MonitorError::Conflict(format!(
                    "alert {alert_id} is closed ({}); no decision can be made on it",
                    a.status.as_str()
                )));
            }
            if let Some(r) = req.revision
                && r != a.revision
            {
                return Err(MonitorError::Conflict(format!(
                    "alert {alert_id} changed meanwhile (revision {} now, the decision was made on {r}); reload it and decide again",
                    a.revision
                )));
            }
            let at = now();
            let mut b = a.clone();
            let action_done: &str;
            match action {
                "escalate" => {
                    if a.status == AlertStatus::Escalated {
                        return Err(MonitorError::Conflict(format!(
                            "alert {alert_id} is already escalated"
                        )));
                    }
                    b.status = AlertStatus::Escalated;
                    b.pending_true_match_by = None;
                    action_done = "escalate";
                }
                "false_positive" => {
                    b.status = AlertStatus::FalsePositive;
                    b.pending_true_match_by = None;
                    action_done = "false_positive";
                }
                _ => {
                    if self.config.four_eyes {
                        match &a.pending_true_match_by {
                            None => {
                                b.pending_true_match_by = Some(analyst.to_string());
                                action_done = "true_match_proposed";
                            }
                            Some(first) if first == analyst => {
                                return Err(MonitorError::Conflict(format!(
                                    "alert {alert_id}: {analyst} already proposed true_match; four-eyes needs a second, different analyst to confirm"
                                )));
                            }
                            Some(_) => {
                                b.status = AlertStatus::TrueMatch;
                                action_done = "true_match_confirmed";
                            }
                        }
                    } else {
                        b.status = AlertStatus::TrueMatch;
                        action_done = "true_match";
                    }
                }
            }
            b.revision += 1;
            b.updated_at = at;
            tx.update_alert(&b)?;
            tx.add_history(&HistoryEntry {
                alert_id,
                action: action_done.to_string(),
                status_before: Some(a.status),
                status_after: b.status,
                actor: analyst.to_string(),
                reason: Some(reason.to_string()),
                at,
            })?;
            self.log_alert(
                tx,
                "alert.updated",
                &b,
                analyst,
                serde_json::json!({"decision": action_done, "reason": reason, "statusBefore": a.status}),
                at,
            )?;
            self.rerate(tx, &b.customer_id)?;
            out = Some(b);
            Ok(())
        })?;
        out.ok_or_else(|| internal("decision not recorded"))
    }

    // ----- rescreens -----

    /// Sets the generation without rescreening (first start on an empty
    /// database, or after a rescreen brought every customer to it).
    fn switch_to(&self, g: Arc<Generation>) {
        let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        let mut current = self.generation.write().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = current.as_ref() {
            self.leave(&old.versions, &g.versions);
        }
        *current = Some(g);
    }

    /// Remembers that this monitor moved from list versions `from` to
    /// `to` (see [`Monitor::catch_up`]); coming back to versions once left
    /// (a list rolled back) makes them current again.
    fn leave(&self, from: &BTreeMap<String, String>, to: &BTreeMap<String, String>) {
        let mut left = lock(&self.left);
        if from != to {
            left.insert(from.clone());
        }
        left.remove(to);
    }

    fn record_state(&self, g: &Generation, report: &RescreenReport) -> Result<()> {
        let versions = serde_json::to_string(&g.versions).map_err(internal)?;
        let hash = self.config_hash(&g.served);
        let at = now();
        self.store.transaction(&mut |tx| {
            tx.set_state(STATE_VERSIONS, &versions)?;
            tx.set_state(STATE_CONFIG, &hash)?;
            // Of the replicas that worked a job, the first to record it
            // closes it and tells of it.
            let first = match report.job {
                Some(job) => tx.finish_rescreen_job(job, at)?,
                None => true,
            };
            if report.kind != "none" && first {
                let payload = serde_json::to_value(report).map_err(internal)?;
                self.record_event(
                    tx,
                    AuditEntry {
                        kind: "rescreen.completed".into(),
                        actor: SYSTEM.into(),
                        subject: None,
                        payload: serde_json::json!({"report": payload, "configHash": hash}),
                    },
                    None,
                    at,
                )?;
            }
            Ok(())
        })
    }

    fn log_list_updates(
        &self,
        tx: &mut dyn Tx,
        from: &BTreeMap<String, String>,
        to: &BTreeMap<String, String>,
        counts: &BTreeMap<String, (usize, usize, usize)>,
        at: OffsetDateTime,
    ) -> Result<()> {
        let lists: BTreeSet<&String> = from.keys().chain(to.keys()).collect();
        {
            for l in &lists {
                if from.get(*l) == to.get(*l) {
                    continue;
                }
                let (a, r, c) = counts.get(*l).copied().unwrap_or_default();
                let payload = serde_json::json!({"list": l, "from": from.get(*l), "to": to.get(*l), "added": a, "removed": r, "changed": c});
                self.record_event(
                    tx,
                    AuditEntry {
                        kind: "list.updated".into(),
                        actor: SYSTEM.into(),
                        subject: Some(format!("list:{l}")),
                        payload,
                    },
                    None,
                    at,
                )?;
            }
            Ok(())
        }
    }

    /// Brings the monitor to a served generation: at first start, adopts
    /// it (or rescreens everything when customers exist from before); when
    /// the lists changed, a delta rescreen from the previous generation
    /// (`previous`, else rebuilt with `load_version`); when the
    /// configuration changed, or the previous versions cannot be loaded, a
    /// full rescreen.
    pub fn advance(
        &self,
        served: Arc<Served>,
        previous: Option<Arc<Generation>>,
        load_version: &LoadVersion<'_>,
    ) -> Result<RescreenReport> {
        let _one = lock(&self.rescreening);
        let start = Instant::now();
        self.catch_up()?;
        let g = Arc::new(Generation::new(served, &self.config.lists, self.weights));
        let recorded_versions: Option<BTreeMap<String, String>> = self
            .store
            .state(STATE_VERSIONS)?
            .and_then(|s| serde_json::from_str(&s).ok());
        let recorded_hash = self.store.state(STATE_CONFIG)?;
        let hash = self.config_hash(&g.served);
        let previous = previous.or_else(|| self.generation());
        let recorded = recorded_versions.clone();
        let result = match (recorded_versions, recorded_hash) {
            (None, _) if self.store.count_customers()? == 0 => {
                self.switch_to(Arc::clone(&g));
                Ok(RescreenReport {
                    kind: "none".into(),
                    to: g.versions.clone(),
                    ..RescreenReport::default()
                })
            }
            (Some(v), Some(h)) if h == hash && v == g.versions => {
                self.switch_to(Arc::clone(&g));
                Ok(RescreenReport {
                    kind: "none".into(),
                    from: v,
                    to: g.versions.clone(),
                    ..RescreenReport::default()
                })
            }
            (Some(v), Some(h)) if h == hash => {
                let old = match previous {
                    Some(p) if p.versions == v => Some(p),
                    _ => self.rebuild_generation(&v, load_version),
                };
                match old {
                    Some(old) => self.delta(&old, &g),
                    None => self.full(&g, "full", None),
                }
            }
            _ => self.full(&g, "full", None),
        };
        // Customers other replicas screened against the lists left behind
        // while the job ran (they had not switched yet) are screened again
        // now; later ones at the next catch-up.
        if let Some(v) = &recorded {
            // The base moved on from the recorded versions, whichever
            // generation this monitor held before (none, at start).
            self.leave(v, &g.versions);
        }
        let result = result.and_then(|report| self.catch_up().map(|_| report));
        let mut stats = lock(&self.stats);
        match result {
            Ok(mut report) => {
                report.seconds = start.elapsed().as_secs_f64();
                drop(stats);
                self.record_state(&g, &report)?;
                let mut stats = lock(&self.stats);
                if report.kind != "none" {
                    stats.rescreens += 1;
                    stats.last_rescreen = Some(report.clone());
                }
                tracing::info!(kind = %report.kind, seconds = report.seconds, opened = report.alerts_opened, "monitor caught up with the lists");
                Ok(report)
            }
            Err(e) => {
                stats.rescreen_failures += 1;
                Err(e)
            }
        }
    }

    /// Runs a full rescreen against the current generation now.
    pub fn rescreen_full(&self) -> Result<RescreenReport> {
        self.rescreen_full_telling(&mut |_| {})
    }

    /// [`Monitor::rescreen_full`], telling `started` the job's id once the
    /// job exists (what `POST /v1/monitor/rescreen` answers at once). The
    /// job is this request's own; the other replicas serving the same
    /// lists work it too ([`Monitor::join_running_rescreens`]).
    pub fn rescreen_full_telling(&self, started: &mut dyn FnMut(i64)) -> Result<RescreenReport> {
        let _one = lock(&self.rescreening);
        let g = self
            .generation()
            .ok_or_else(|| MonitorError::Unavailable("no list index is loaded yet".into()))?;
        self.catch_up()?;
        let start = Instant::now();
        let mut report = self.full(&g, "full", Some(started))?;
        report.seconds = start.elapsed().as_secs_f64();
        self.record_state(&g, &report)?;
        let mut stats = lock(&self.stats);
        stats.rescreens += 1;
        stats.last_rescreen = Some(report.clone());
        Ok(report)
    }

    /// The generation of some earlier list versions, rebuilt from the source.
    fn rebuild_generation(
        &self,
        versions: &BTreeMap<String, String>,
        load_version: &LoadVersion<'_>,
    ) -> Option<Arc<Generation>> {
        let current = self.generation();
        let sanctions = current
            .as_ref()
            .map(|g| g.served.matcher.index().sanctions_lists().clone())
            .unwrap_or_default();
        let mut lists = Vec::new();
        for (id, v) in versions {
            let entities = match load_version(id, v) {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(list = %id, version = %v, error = %e, "earlier list version not loadable; a full rescreen follows");
                    return None;
                }
            };
            lists.push((
                crate::index::LoadedList {
                    id: id.clone(),
                    version: v.clone(),
                    entities: entities.len(),
                },
                entities,
            ));
        }
        let index = crate::index::ScreeningIndex::build(lists, sanctions).ok()?;
        let served = served_of(index, versions);
        Some(Arc::new(Generation::new(
            Arc::new(served),
            &self.config.lists,
            self.weights,
        )))
    }

    /// Full rescreen: every customer screened forward against `g`, in
    /// chunks of ordinals any replica may take (`requested`: see
    /// [`Monitor::run_rescreen`]).
    fn full(
        &self,
        g: &Arc<Generation>,
        kind: &str,
        requested: Option<&mut dyn FnMut(i64)>,
    ) -> Result<RescreenReport> {
        self.switch_to(Arc::clone(g));
        let last = self
            .customers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .max_ord();
        let mut chunks = Vec::new();
        let mut after = 0u32;
        while after < last {
            let upto = after.saturating_add(self.chunk).min(last);
            chunks.push(ChunkWork::Range(after, upto));
            after = upto;
        }
        // Customers numbered after the index's last (written meanwhile).
        chunks.push(ChunkWork::Range(last, u32::MAX));
        // Alerts on parties no longer listed.
        chunks.push(ChunkWork::DelistMissing);
        let report = RescreenReport {
            kind: kind.to_string(),
            to: g.versions.clone(),
            ..RescreenReport::default()
        };
        self.run_rescreen(g, report, &chunks, None, requested)
    }

    /// Runs a planned rescreen as a job of chunks that every replica
    /// planning the same rescreen shares. `requested`: a rescreen asked for
    /// on one replica, a job of its own, whose id is told as soon as it
    /// exists; other replicas find it and help
    /// ([`Monitor::join_running_rescreens`]). The replica that creates the
    /// job records the list updates with it, in one transaction.
    fn run_rescreen(
        &self,
        g: &Arc<Generation>,
        mut report: RescreenReport,
        chunks: &[ChunkWork],
        list_updates: Option<&BTreeMap<String, (usize, usize, usize)>>,
        requested: Option<&mut dyn FnMut(i64)>,
    ) -> Result<RescreenReport> {
        use sha2::{Digest, Sha256};
        let work: Vec<String> = chunks
            .iter()
            .map(|c| serde_json::to_string(c).map_err(internal))
            .collect::<Result<_>>()?;
        let hash = self.config_hash(&g.served);
        let mut key = format!("{}|{:?}|{:?}|{}", report.kind, report.from, report.to, hash);
        if requested.is_some() {
            key.push_str(&format!(
                "|{}|{}",
                self.replica,
                now().unix_timestamp_nanos()
            ));
        }
        let key = hex::encode(Sha256::digest(key.as_bytes()));
        let mut job = (0, false);
        self.store.transaction(&mut |tx| {
            let at = now();
            job = tx.start_rescreen_job(
                &NewRescreenJob {
                    key: &key,
                    kind: &report.kind,
                    from: &report.from,
                    to: &report.to,
                    config_hash: &hash,
                    chunks: &work,
                },
                at,
            )?;
            if job.1
                && let Some(counts) = list_updates
            {
                self.log_list_updates(tx, &report.from, &report.to, counts, at)?;
            }
            Ok(())
        })?;
        if let Some(tell) = requested {
            tell(job.0);
        }
        let progress = self.work_job(g, job.0)?;
        report.job = Some(job.0);
        report.take_counts(&progress);
        Ok(report)
    }

    /// Helps with the full rescreens other replicas run against the lists
    /// and matcher configuration this replica serves (a rescreen asked for
    /// on one replica is a job of its own): works their chunks, and closes
    /// the job and tells of it when it is the first to find it done, as
    /// when the replica that asked died. A delta is left to its planners:
    /// every replica switching to its versions plans and works it, and each
    /// knows the change set its report tells. Does nothing while this
    /// replica runs a rescreen of its own. Returns the reports of the jobs
    /// it worked.
    pub fn join_running_rescreens(&self) -> Result<Vec<RescreenReport>> {
        let _one = match self.rescreening.try_lock() {
            Ok(one) => one,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return Ok(Vec::new()),
        };
        let Some(g) = self.generation() else {
            return Ok(Vec::new());
        };
        let mut reports = Vec::new();
        for job in self
            .store
            .running_rescreen_jobs(&g.versions, &self.config_hash(&g.served))?
        {
            match self.store.rescreen_progress(job, now())? {
                Some(p) if p.kind == "full" => {}
                _ => continue,
            }
            self.catch_up()?;
            let start = Instant::now();
            let progress = self.work_job(&g, job)?;
            let mut report = RescreenReport {
                kind: progress.kind.clone(),
                from: progress.from.clone(),
                to: progress.to.clone(),
                job: Some(job),
                ..RescreenReport::default()
            };
            report.take_counts(&progress);
            report.seconds = start.elapsed().as_secs_f64();
            self.record_state(&g, &report)?;
            let mut stats = lock(&self.stats);
            stats.rescreens += 1;
            stats.last_rescreen = Some(report.clone());
            drop(stats);
            tracing::info!(
                job,
                seconds = report.seconds,
                "helped with another replica's rescreen"
            );
            reports.push(report);
        }
        Ok(reports)
    }

    /// Works a job's chunks until all are done, by this replica or others
    /// (a chunk whose lease runs out is taken over); returns its progress.
    /// The database lost meanwhile is waited for (up to
    /// [`OUTAGE_PATIENCE`]): the chunk in hand is done again when it is
    /// back, and alert writes being idempotent, nothing is doubled.
    fn work_job(&self, g: &Arc<Generation>, job: i64) -> Result<RescreenProgress> {
        let mut outage = Outage::default();
        let mut searches = ReverseSearch::default();
        loop {
            let claimed =
                match self
                    .store
                    .claim_rescreen_chunk(job, &self.replica, now(), self.lease)
                {
                    Ok(c) => c,
                    Err(MonitorError::Unavailable(e)) => {
                        outage.wait(&e)?;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
            let Some(chunk) = claimed else {
                let progress = match self.store.rescreen_progress(job, now()) {
                    Ok(p) => p.ok_or_else(|| internal(format!("rescreen job {job} is gone")))?,
                    Err(MonitorError::Unavailable(e)) => {
                        outage.wait(&e)?;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                if progress.chunks_done >= progress.chunks_total {
                    return Ok(progress);
                }
                // Chunks other replicas hold: wait for them, or for their
                // leases to run out.
                std::thread::sleep(JOB_POLL);
                continue;
            };
            let work: ChunkWork = serde_json::from_str(&chunk.work)
                .map_err(|e| internal(format!("rescreen job {job}, chunk {}: {e}", chunk.chunk)))?;
            loop {
                let done = self
                    .work_chunk(g, &work, &chunk, &mut searches)
                    .and_then(|counts| {
                        self.store
                            .finish_rescreen_chunk(&chunk, &self.replica, &counts, now())
                    });
                match done {
                    Ok(_) => break,
                    Err(MonitorError::Unavailable(e)) => outage.wait(&e)?,
                    Err(e) => return Err(e),
                }
            }
            outage = Outage::default();
        }
    }

    /// Does one chunk of a rescreen against `g`; each of its transactions
    /// adds the alerts it changed to the chunk's counts
    /// ([`Tx::add_chunk_counts`]).
    fn work_chunk(
        &self,
        g: &Arc<Generation>,
        work: &ChunkWork,
        chunk: &RescreenChunk,
        searches: &mut ReverseSearch,
    ) -> Result<ChunkCounts> {
        let mut counts = ChunkCounts::default();
        let mut reverse =
            |reverse: Reverse| self.screen_parties(g, &reverse, chunk, searches, &mut counts);
        let everyone = (0, u32::MAX);
        match work {
            ChunkWork::PartiesIn {
                parties,
                sharing,
                before,
                after,
                upto,
            } => reverse(Reverse {
                ids: parties,
                sharing: sharing.as_deref(),
                before: before.as_deref(),
                within: (*after, *upto),
            })?,
            ChunkWork::Parties(ids) => reverse(Reverse {
                ids,
                sharing: None,
                before: None,
                within: everyone,
            })?,
            ChunkWork::PartiesSharing(ids, keys) => reverse(Reverse {
                ids,
                sharing: Some(keys),
                before: None,
                within: everyone,
            })?,
            ChunkWork::Customers(ords) => {
                let batch = self.store.customers_by_ord(ords)?;
                self.screen_customers(g, batch, &mut counts, Some(chunk))?;
            }
            ChunkWork::Range(after, last) => {
                // The next batch is read and screened (on the other cores)
                // while this one's alerts are written.
                let mut current = self.read_and_screen(g, *after, *last)?;
                while let Some((end, screened)) = current {
                    let (applied, next) = std::thread::scope(|scope| {
                        let next = (end < *last)
                            .then(|| scope.spawn(move || self.read_and_screen(g, end, *last)));
                        counts.customers_screened += screened.len() as u64;
                        let applied = self.apply_customers(g, &screened, Some(chunk));
                        (applied, next.map(|h| h.join()))
                    });
                    let (o, u) = applied?;
                    counts.alerts_opened += o as u64;
                    counts.alerts_updated += u as u64;
                    current = match next {
                        None => None,
                        Some(Ok(next)) => next?,
                        Some(Err(_)) => return Err(internal("a rescreen's screening failed")),
                    };
                }
            }
            ChunkWork::Delist(ids) => {
                counts.alerts_delisted = self.delist(g, ids, Some(chunk))? as u64
            }
            ChunkWork::DelistMissing => {
                counts.alerts_delisted = self.delist_missing(g, Some(chunk))? as u64
            }
        }
        Ok(counts)
    }

    /// Screens listed parties in reverse ([`Reverse`]) and applies what
    /// was found to `chunk` of a rescreen. The parties are counted as
    /// screened by the chunk of their first range.
    fn screen_parties(
        &self,
        g: &Generation,
        reverse: &Reverse<'_>,
        chunk: &RescreenChunk,
        searches: &mut ReverseSearch,
        counts: &mut ChunkCounts,
    ) -> Result<()> {
        let ords: Vec<u32> = reverse
            .ids
            .iter()
            .filter_map(|id| g.ord_of.get(id).copied())
            .collect();
        if reverse.within.0 == 0 {
            counts.entities_screened = ords.len() as u64;
        }
        let found = self.screen_reverse(
            g,
            &ords,
            reverse.sharing,
            reverse.before,
            reverse.within,
            searches,
        )?;
        let (o, u) = self.apply_entities(g, &found, reverse.within, Some(chunk))?;
        counts.alerts_opened += o as u64;
        counts.alerts_updated += u as u64;
        Ok(())
    }

    /// Screens stored customers forward and applies what was found (for
    /// `chunk` of a rescreen, when one).
    fn screen_customers(
        &self,
        g: &Generation,
        batch: Vec<StoredCustomer>,
        counts: &mut ChunkCounts,
        chunk: Option<&RescreenChunk>,
    ) -> Result<()> {
        use rayon::prelude::*;
        let screened: Vec<(StoredCustomer, Vec<Found>)> = batch
            .into_par_iter()
            .filter_map(|s| {
                let names = analysed::of_stored(&s.record, s.analysis.as_deref())?;
                let (_, found) = self.screen_forward(g, names);
                Some((s, found))
            })
            .collect();
        counts.customers_screened += screened.len() as u64;
        let (o, u) = self.apply_customers(g, &screened, chunk)?;
        counts.alerts_opened += o as u64;
        counts.alerts_updated += u as u64;
        Ok(())
    }

    /// Reads the customers with an ordinal in `(after, last]`, the next
    /// batch of them, and screens them forward (in parallel): the last
    /// ordinal read and what was found; `None` when there are none left.
    #[allow(clippy::type_complexity)]
    fn read_and_screen(
        &self,
        g: &Generation,
        after: u32,
        last: u32,
    ) -> Result<Option<(u32, Vec<(StoredCustomer, Vec<Found>)>)>> {
        use rayon::prelude::*;
        if after >= last {
            return Ok(None);
        }
        let batch = self.store.scan_customers(after, 2000)?;
        let Some(end) = batch.last().map(|c| c.ord) else {
            return Ok(None);
        };
        let screened = batch
            .into_par_iter()
            .filter(|c| c.ord <= last)
            .filter_map(|s| {
                let names = analysed::of_stored(&s.record, s.analysis.as_deref())?;
                let (_, found) = self.screen_forward(g, names);
                Some((s, found))
            })
            .collect();
        Ok(Some((end, screened)))
    }

    /// A rescreen job and how far it is.
    pub fn rescreen_progress(&self, job: i64) -> Result<Option<RescreenProgress>> {
        self.store.rescreen_progress(job, now())
    }

    /// Applies forward screenings of customers (skipping any written meanwhile).
    fn apply_customers(
        &self,
        g: &Generation,
        screened: &[(StoredCustomer, Vec<Found>)],
        job_chunk: Option<&RescreenChunk>,
    ) -> Result<(usize, usize)> {
        let mut counts = (0, 0);
        let rules = self.config.risk.hash(self.jurisdictions.as_ref());
        for chunk in screened.chunks(WRITE_CHUNK) {
            let mut c2 = (0, 0);
            self.store.transaction(&mut |tx| {
                c2 = (0, 0);
                let at = now();
                // Most customers find nothing and have no alert: there is
                // nothing to write for them, which one read of the chunk's
                // alerts tells (a read per customer is a round trip to a
                // database server).
                let ids: Vec<&str> = chunk.iter().map(|(s, _)| s.id.as_str()).collect();
                let alerts = tx.current_alerts_of(&ids)?;
                for (s, found) in chunk {
                    // Rated again when its alerts changed or the rules did.
                    let rules_changed = s
                        .risk
                        .as_ref()
                        .and_then(|r| r.get("rules"))
                        .and_then(|r| r.as_str())
                        != Some(rules.as_str());
                    if found.is_empty() && !rules_changed && !alerts.contains_key(&s.id) {
                        continue;
                    }
                    let Some(current) = tx.customer(&s.id)? else {
                        continue;
                    };
                    if current.revision != s.revision {
                        continue;
                    }
                    let (o, u) =
                        self.reconcile_customer(tx, &s.id, &s.match_fp, found, SYSTEM, at)?;
                    if o + u > 0 || rules_changed {
                        self.rerate(tx, &s.id)?;
                    }
                    c2.0 += o;
                    c2.1 += u;
                }
                let _ = g;
                count_in_chunk(tx, job_chunk, c2.0, c2.1, 0)
            })?;
            counts.0 += c2.0;
            counts.1 += c2.1;
        }
        Ok(counts)
    }

    /// Closes as `delisted` the active alerts whose party is not in `g`.
    fn delist_missing(&self, g: &Generation, job_chunk: Option<&RescreenChunk>) -> Result<usize> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for a in self.store.all_current_alerts()? {
            if a.status.is_active() && !g.ord_of.contains_key(&a.entity_id) {
                ids.insert(a.entity_id);
            }
        }
        self.delist(g, &ids.into_iter().collect::<Vec<_>>(), job_chunk)
    }

    fn delist(
        &self,
        g: &Generation,
        entity_ids: &[String],
        job_chunk: Option<&RescreenChunk>,
    ) -> Result<usize> {
        let mut n = 0;
        for chunk in entity_ids.chunks(200) {
            let mut c = 0;
            self.store.transaction(&mut |tx| {
                c = 0;
                let at = now();
                for id in chunk {
                    for a in tx.entity_alerts(id)? {
                        if !a.status.is_active() {
                            continue;
                        }
                        let mut b = a.clone();
                        b.status = AlertStatus::Delisted;
                        b.matching = false;
                        b.revision += 1;
                        b.updated_at = at;
                        tx.update_alert(&b)?;
                        tx.add_history(&HistoryEntry {
                            alert_id: b.id,
                            action: "delisted".into(),
                            status_before: Some(a.status),
                            status_after: b.status,
                            actor: SYSTEM.into(),
                            reason: Some(format!(
                                "{} is no longer on its list ({})",
                                id,
                                g.versions
                                    .get(&a.list)
                                    .map(|v| format!("{}@{v}", a.list))
                                    .unwrap_or_else(|| format!("{} not loaded", a.list))
                            )),
                            at,
                        })?;
                        self.log_alert(
                            tx,
                            "alert.updated",
                            &b,
                            SYSTEM,
                            serde_json::json!({"delisted": true}),
                            at,
                        )?;
                        self.rerate(tx, &b.customer_id)?;
                        c += 1;
                    }
                }
                count_in_chunk(tx, job_chunk, 0, 0, c)
            })?;
            n += c;
        }
        Ok(n)
    }

    /// Delta rescreen from `old` to `new` (see the module doc).
    ///
    /// Why a delta plus the catch-ups equals a full rescreen, even with
    /// customer writes racing it (here and on other replicas):
    ///
    /// - Every write screens its customer forward against one generation
    ///   and commits under the gate (shared), and `switch_to` takes the
    ///   gate exclusively, first thing. A write on this replica is thus
    ///   either before the switch (committed, and in the customer index, by
    ///   the time the reverse screening reads it) or after it (screened
    ///   against `new` itself).
    /// - Reverse screening finds, for each changed party, every indexed
    ///   customer whose pair passes the blocking and scores, from the
    ///   record as read then; its transaction applies that only to a
    ///   customer still at the revision read. Every other current alert on
    ///   the party, and every customer written meanwhile, is scored again
    ///   from the record as it is in that transaction, with the same
    ///   scoring as forward screening ([`Monitor::score_pair`]): a customer
    ///   written after the index was read keeps the alert its own screening
    ///   against `new` raised, rather than being taken as no longer
    ///   matching.
    /// - A customer written on another replica that had not switched yet is
    ///   screened against versions this monitor has left. If its write
    ///   committed before this delta's opening catch-up, it is indexed and
    ///   the reverse screening reads its current record. If later, the
    ///   catch-up that follows the job (or the next periodic one) finds it
    ///   screened against left versions and screens it forward against
    ///   `new`.
    /// - A token whose commonness changed changes scores on both sides:
    ///   the parties with it are screened again in reverse, the customers
    ///   with it forward. A party none of whose tokens changed commonness but
    ///   some of whose other keys weigh differently (a skeleton or trigram
    ///   now more or less frequent) has changed pairs only through those
    ///   keys: it is screened again against the customers sharing one of
    ///   them, and its other alerts are scored again as above. Removed
    ///   parties close as delisted.
    ///
    /// So each pair ends as a forward screening of the customer's current
    /// record against `new` leaves it, which is what a full rescreen does.
    fn delta(&self, old: &Arc<Generation>, new: &Arc<Generation>) -> Result<RescreenReport> {
        self.switch_to(Arc::clone(new));
        let changes = record_changes(old.served.matcher.index(), new.served.matcher.index())?;
        let report = RescreenReport {
            kind: "delta".into(),
            from: old.versions.clone(),
            to: new.versions.clone(),
            entities_added: changes.added.len(),
            entities_removed: changes.removed.len(),
            entities_changed: changes.changed.len(),
            ..RescreenReport::default()
        };
        let mut per_list: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        let list_of = |id: &str| id.split(':').next().unwrap_or("").to_string();
        for e in &changes.added {
            per_list.entry(list_of(&e.id)).or_default().0 += 1;
        }
        for id in &changes.removed {
            per_list.entry(list_of(id)).or_default().1 += 1;
        }
        for e in &changes.changed {
            per_list.entry(list_of(&e.id)).or_default().2 += 1;
        }

        // Keys whose weight changed: their parties' pairs may have changed;
        // tokens whose commonness changed change scores on both sides. A
        // token only the added or removed parties use changes weight without
        // changing commonness: its pairs are those parties' own.
        let changed_keys = old.table.changed_weights(&new.table);
        let flipped_tokens: HashSet<Key> = old
            .served
            .matcher
            .index()
            .stats()
            .commonness_changes(new.served.matcher.index().stats())
            .into_iter()
            .map(blocking::token_key)
            .collect();
        let mut parties: BTreeSet<u32> = BTreeSet::new();
        for e in changes.added.iter().chain(changes.changed.iter()) {
            if let Some(&o) = new.ord_of.get(&e.id) {
                parties.insert(o);
            }
        }
        // A party with a token whose commonness changed scores differently
        // against every customer; one with only other keys reweighed,
        // differently only through those keys.
        if !flipped_tokens.is_empty() {
            parties.extend(new.table.parties_with(&flipped_tokens));
        }
        let reweighed: Vec<u32> = if changed_keys.is_empty() {
            Vec::new()
        } else {
            new.table
                .parties_with(&changed_keys)
                .into_iter()
                .filter(|o| !parties.contains(o))
                .collect()
        };
        let id_of = |o: &u32| new.table.id(*o).map(str::to_string);
        // Each group of parties against each range of customers.
        let ranges = self.reverse_ranges();
        let mut chunks: Vec<ChunkWork> = Vec::new();
        let mut add =
            |parties: Vec<String>, sharing: Option<Vec<Key>>, before: Option<Vec<u16>>| {
                for &(after, upto) in &ranges {
                    chunks.push(ChunkWork::PartiesIn {
                        parties: parties.clone(),
                        sharing: sharing.clone(),
                        before: before.clone(),
                        after,
                        upto,
                    });
                }
            };
        let ids: Vec<String> = parties.iter().filter_map(id_of).collect();
        for c in ids.chunks(PARTY_GROUP) {
            add(c.to_vec(), None, None);
        }
        for c in reweighed.chunks(PARTY_GROUP) {
            let mut through: Vec<Key> = c
                .iter()
                .flat_map(|&o| new.table.keys_of(o).iter().copied())
                .filter(|k| changed_keys.contains(k))
                .collect();
            through.sort_unstable();
            through.dedup();
            // These parties are unchanged: a pair of theirs that passed the
            // blocking against the old weights and passes it now scores as
            // the old generation scored it.
            let before = through.iter().map(|&k| old.table.weight_of(k)).collect();
            add(
                c.iter().filter_map(id_of).collect(),
                Some(through),
                Some(before),
            );
        }
        if !flipped_tokens.is_empty() {
            let ords = self
                .customers
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .customers_with(&flipped_tokens);
            for c in ords.chunks(self.chunk as usize) {
                chunks.push(ChunkWork::Customers(c.to_vec()));
            }
        }
        for c in changes.removed.chunks(200) {
            chunks.push(ChunkWork::Delist(c.to_vec()));
        }
        self.run_rescreen(new, report, &chunks, Some(&per_list), None)
    }

    /// The ranges of customer ordinals a delta's reverse chunks split the
    /// customers into, `(after, upto]` ([`REVERSE_RANGES`],
    /// [`REVERSE_RANGE_CHUNKS`]), the last open-ended (customers written
    /// meanwhile).
    fn reverse_ranges(&self) -> Vec<(u32, u32)> {
        let last = self
            .customers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .max_ord();
        let width =
            (last / REVERSE_RANGES + 1).min(self.chunk.saturating_mul(REVERSE_RANGE_CHUNKS));
        let mut ranges = Vec::new();
        let mut after = 0u32;
        while after.saturating_add(width) < last {
            ranges.push((after, after + width));
            after += width;
        }
        ranges.push((after, u32::MAX));
        ranges
    }

    /// Applies reverse screenings of listed parties to the customers with
    /// an ordinal in `(within.0, within.1]`. The chunk of the first range
    /// also brings the parties' other alerts in line, whatever range their
    /// customers are in (so each party's alerts are read once).
    fn apply_entities(
        &self,
        g: &Generation,
        found: &[(u32, Vec<(CustomerToScore, Found)>)],
        within: (u32, u32),
        job_chunk: Option<&RescreenChunk>,
    ) -> Result<(usize, usize)> {
        let mut counts = (0, 0);
        self.store.transaction(&mut |tx| {
            counts = (0, 0);
            let at = now();
            for (ord, pairs) in found {
                let Some(entity_id) = g.table.id(*ord) else {
                    continue;
                };
                let mut seen: HashSet<String> = HashSet::new();
                for (s, f) in pairs {
                    let Some(current) = tx.customer(&s.id)? else {
                        continue;
                    };
                    seen.insert(s.id.clone());
                    // Written meanwhile (here or on another replica, whose
                    // lists may be older): scored again from the record
                    // as it is now.
                    let (o, u) = if current.revision == s.revision {
                        self.upsert_pair(tx, &s.id, &s.match_fp, f, SYSTEM, at)?
                    } else {
                        self.rescore_alert(tx, g, &current, *ord, at)?
                    };
                    if o + u > 0 {
                        self.rerate(tx, &s.id)?;
                    }
                    counts.0 += o;
                    counts.1 += u;
                }
                // An alert the reverse screening did not find is not taken
                // as no longer matching: its customer may have been written
                // after the screening read the customer index (its own
                // forward screening raised the alert). Its current record
                // decides, scored as a forward screening scores it. The
                // chunk of another range may find and write the same pair:
                // both write what the customer's record scores.
                if within.0 != 0 {
                    continue;
                }
                for a in tx.entity_alerts(entity_id)? {
                    if seen.contains(&a.customer_id) || !a.status.is_active() {
                        continue;
                    }
                    let Some(current) = tx.customer(&a.customer_id)? else {
                        continue;
                    };
                    let (o, u) = self.rescore_alert(tx, g, &current, *ord, at)?;
                    if o + u > 0 {
                        self.rerate(tx, &a.customer_id)?;
                    }
                    counts.0 += o;
                    counts.1 += u;
                }
            }
            count_in_chunk(tx, job_chunk, counts.0, counts.1, 0)
        })?;
        Ok(counts)
    }

    /// Brings one pair's alert in line with the customer's current record
    /// scored against party `ord` of `g` ([`Monitor::score_pair`]): kept,
    /// rescored or opened when it scores, marked no longer matching when
    /// not. Returns (opened, updated).
    fn rescore_alert(
        &self,
        tx: &mut dyn Tx,
        g: &Generation,
        customer: &StoredCustomer,
        ord: u32,
        at: OffsetDateTime,
    ) -> Result<(usize, usize)> {
        if let Some(f) = self.score_pair(g, customer, ord) {
            return self.upsert_pair(tx, &customer.id, &customer.match_fp, &f, SYSTEM, at);
        }
        let Some(entity_id) = g.table.id(ord) else {
            return Ok((0, 0));
        };
        match tx.current_alert(&customer.id, entity_id)? {
            Some(a) if self.unmatch(tx, &a, SYSTEM, at)? => Ok((0, 1)),
            _ => Ok((0, 0)),
        }
    }

    // ----- reads -----

    /// A customer with its record, alerts, rating and screening state.
    pub fn customer_view(&self, id: &str) -> Result<Option<CustomerView>> {
        let Some(s) = self.store.customer(id)? else {
            return Ok(None);
        };
        let alerts = self.store.list_alerts(&AlertFilter {
            customer: Some(id.to_string()),
            limit: 1000,
            ..AlertFilter::default()
        })?;
        Ok(Some(self.describe_customer(&s, Some(alerts.items))))
    }

    /// The JSON shape of a customer.
    pub fn describe_customer(
        &self,
        s: &StoredCustomer,
        alerts: Option<Vec<Alert>>,
    ) -> CustomerView {
        let record: serde_json::Value = serde_json::from_str(&s.record).unwrap_or_default();
        // A delta rescreen covers every customer: the base's screening is
        // the later of the customer's own and the monitor's generation.
        let g = self.generation();
        let (versions, at) = match &g {
            Some(g) => (g.versions.clone(), None::<String>),
            None => (s.screened_versions.clone(), None),
        };
        let _ = at;
        CustomerView {
            id: s.id.clone(),
            record,
            revision: s.revision,
            created_at: sqlite::time_text(s.created_at),
            updated_at: sqlite::time_text(s.updated_at),
            last_screened_at: s.screened_at.map(sqlite::time_text),
            last_screened_versions: s.screened_versions.clone(),
            monitored_against: versions,
            risk: s.risk.clone(),
            alerts,
        }
    }

    /// Verifies the whole audit chain.
    pub fn verify_audit(&self) -> Result<audit::VerifyReport> {
        let mut v = audit::Verifier::new();
        let mut after = 0;
        loop {
            let batch = self.store.audit_after(after, 10_000)?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for r in &batch {
                if !v.check(r) {
                    return Ok(v.finish());
                }
            }
        }
        Ok(v.finish())
    }
}

impl WriteOutcome {
    fn error(id: String, e: String) -> WriteOutcome {
        WriteOutcome {
            id,
            status: None,
            alerts: None,
            risk: None,
            list_versions: None,
            error: Some(e),
        }
    }
}

/// A served generation around an index built outside the service (the CLI,
/// rebuilt earlier versions).
pub fn served_of(
    index: crate::index::ScreeningIndex,
    versions: &BTreeMap<String, String>,
) -> Served {
    let lists = versions
        .iter()
        .map(|(id, v)| {
            (
                id.clone(),
                crate::service::ListVersion {
                    id: id.clone(),
                    version: v.clone(),
                    entities: index.lists().get(id).map_or(0, |l| l.entities),
                    published: None,
                    fetched_at: None,
                    sha256: None,
                    source_urls: Vec::new(),
                },
            )
        })
        .collect();
    Served {
        matcher: crate::matching::Matcher::new(Arc::new(index)),
        lists,
        built_at: now(),
        generation: 0,
    }
}

/// Follows the service: catches up at start, then after every swap.
/// Returns when the service's channel closes.
pub async fn follow(monitor: Arc<Monitor>, service: Arc<crate::service::Service>) {
    let mut rx = service.subscribe();
    {
        let m = Arc::clone(&monitor);
        // A database that cannot be reached yet (a shared one starting
        // later than this replica) is tried again until it answers;
        // meanwhile monitor writes answer 503.
        let mut wait = std::time::Duration::from_millis(500);
        loop {
            let m = Arc::clone(&m);
            match tokio::task::spawn_blocking(move || m.load_customer_index()).await {
                Ok(Ok(n)) => tracing::info!(customers = n, "monitor customer index loaded"),
                Ok(Err(MonitorError::Unavailable(e))) => {
                    tracing::warn!(error = %e, "monitor customer index not loaded yet; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(std::time::Duration::from_secs(5));
                    continue;
                }
                Ok(Err(e)) => tracing::error!(error = %e, "monitor customer index not loaded"),
                Err(e) => tracing::error!(error = %e, "monitor start failed"),
            }
            break;
        }
    }
    loop {
        let served = rx.borrow_and_update().clone();
        if let Some(served) = served {
            let m = Arc::clone(&monitor);
            let source = Arc::clone(service.source());
            let done = tokio::task::spawn_blocking(move || {
                let load = move |list: &str, version: &str| {
                    source.load(list, version).map_err(|e| e.to_string())
                };
                m.advance(served, None, &load)
            })
            .await;
            match done {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "monitor rescreen failed; it is retried at the next list change or on request")
                }
                Err(e) => tracing::error!(error = %e, "monitor rescreen task failed"),
            }
        }
        // Meanwhile, the customer index learns the other replicas' writes.
        let mut tick = tokio::time::interval(CATCH_UP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tokio::select! {
                changed = rx.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    break;
                }
                _ = tick.tick() => {
                    let m = Arc::clone(&monitor);
                    match tokio::task::spawn_blocking(move || m.catch_up()).await {
                        Ok(Ok(n)) if n > 0 => tracing::debug!(customers = n, "customer index caught up with other replicas"),
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => tracing::warn!(error = %e, "customer index could not catch up; tried again shortly"),
                        Err(e) => tracing::error!(error = %e, "customer index catch-up failed"),
                    }
                    // And works the rescreens other replicas were asked for.
                    let m = Arc::clone(&monitor);
                    match tokio::task::spawn_blocking(move || m.join_running_rescreens()).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => tracing::warn!(error = %e, "could not help with a running rescreen; tried again shortly"),
                        Err(e) => tracing::error!(error = %e, "helping with a running rescreen failed"),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{LoadedList, ScreeningIndex};
    use crate::model::{Schema, prop};

    fn person(id: &str, name: &str, birth: Option<&str>) -> Entity {
        let mut e = Entity::new("us_ofac_sdn", id, Schema::Person);
        e.add(prop::NAME, name);
        if let Some(b) = birth {
            e.add(prop::BIRTH_DATE, b);
        }
        e
    }

    fn index_of(entities: Vec<Entity>) -> ScreeningIndex {
        let list = LoadedList {
            id: "us_ofac_sdn".into(),
            version: "1".into(),
            entities: entities.len(),
        };
        ScreeningIndex::build(vec![(list, entities)], BTreeSet::new()).expect("in-memory index")
    }

    #[test]
    fn a_reverse_chunk_planned_by_an_earlier_version_still_reads() {
        // Written before chunks told the keys' weights before: nothing is
        // known of them, so no pair is left out.
        let earlier =
            r#"{"parties_in":{"parties":["us_ofac_sdn:1"],"sharing":[7,9],"after":0,"upto":100}}"#;
        let work: ChunkWork = serde_json::from_str(earlier).expect("reads");
        assert_eq!(
            work,
            ChunkWork::PartiesIn {
                parties: vec!["us_ofac_sdn:1".into()],
                sharing: Some(vec![7, 9]),
                before: None,
                after: 0,
                upto: 100,
            }
        );
        let now = ChunkWork::PartiesIn {
            parties: vec!["us_ofac_sdn:1".into()],
            sharing: Some(vec![7, 9]),
            before: Some(vec![20, 0]),
            after: 0,
            upto: 100,
        };
        let json = serde_json::to_string(&now).expect("writes");
        assert_eq!(
            serde_json::from_str::<ChunkWork>(&json).expect("reads"),
            now
        );
    }

    #[test]
    fn record_changes_are_the_diff_of_the_decoded_records() {
        let old = vec![
            person("1", "Ostap Kovalenko", Some("1970-01-02")),
            person("2", "Maryna Hnatiuk", None),
            person("3", "Taras Bondar", None),
        ];
        let new = vec![
            person("1", "Ostap Kovalenko", Some("1970-01-02")),
            person("2", "Maryna Hnatiuk", Some("1981")),
            person("4", "Ivan Sirko", None),
        ];
        let got = record_changes(&index_of(old.clone()), &index_of(new.clone()))
            .expect("records readable");
        let decoded = |index: &ScreeningIndex| -> Vec<Entity> {
            index.records().map(|r| r.expect("readable")).collect()
        };
        let want = crate::model::diff::diff(&decoded(&index_of(old)), &decoded(&index_of(new)));
        let ids = |v: &[Entity]| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&got.changed), vec!["us_ofac_sdn:2".to_string()]);
        assert_eq!(ids(&got.added), ids(&want.added));
        assert_eq!(ids(&got.added), vec!["us_ofac_sdn:4".to_string()]);
        assert_eq!(got.changed, want.changed);
        assert_eq!(got.removed, want.removed);
        assert_eq!(got.removed, vec!["us_ofac_sdn:3".to_string()]);
    }
}
