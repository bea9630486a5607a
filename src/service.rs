//! The live screening service: the index being served (swapped atomically
//! when a refresh has built a new one), where list versions come from
//! ([`IndexSource`]), and the refresh scheduler.
//!
//! A request takes the current [`Served`] generation once (`Service::served`)
//! and keeps that `Arc` for its whole life, so a swap never changes the index
//! under a running request: in-flight requests finish on the old index and the
//! old one is freed when the last of them drops it. A refresh downloads,
//! parses and validates in the source, loads every list's last good version,
//! checks it, builds a new index off the request path (a blocking thread) and
//! only then swaps; any failure leaves the old generation serving and is
//! recorded per list for `/v1/lists` and the metrics.

use crate::index::persist::{IndexStore, Plan};
use crate::index::{LoadedList, ScreeningIndex};
use crate::matching::Matcher;
use crate::model::Entity;
use arc_swap::ArcSwapOption;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// One version of one list, as the source describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListVersion {
    pub id: String,
    pub version: String,
    pub entities: usize,
    /// The publisher's date for the data, when known.
    pub published: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub fetched_at: Option<OffsetDateTime>,
    /// Combined sha256 of the raw files.
    pub sha256: Option<String>,
    /// Where the files were downloaded from.
    pub source_urls: Vec<String>,
}

/// What the source knows about one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceList {
    pub id: String,
    pub title: Option<String>,
    /// Part of the `sanctions` collection.
    pub sanctions: bool,
    /// How often the list should be checked for a new version; `None` means
    /// only on demand.
    pub refresh: Option<Duration>,
    /// The last good version, if there is one.
    pub current: Option<ListVersion>,
    pub last_error: Option<String>,
    pub last_error_at: Option<OffsetDateTime>,
    pub last_attempt: Option<OffsetDateTime>,
}

/// The result of looking for a new version of one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum RefreshOutcome {
    /// A new version was stored and is now the list's last good version.
    New { version: String },
    /// Nothing new.
    Unchanged,
    /// Download, parse or validation failed; the last good version stays.
    Failed { error: String },
    /// Another replica sharing the database fetches this list (or just
    /// did); its version reaches this one when published.
    Skipped { reason: String },
}

/// The difference between a past version and the current one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ListChanges {
    pub from: String,
    pub to: String,
    pub added: Vec<Entity>,
    pub removed: Vec<String>,
    pub changed: Vec<Entity>,
}

/// Errors a source reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("list '{0}' is not known")]
    UnknownList(String),
    #[error("list '{list}' has no version '{version}'")]
    UnknownVersion { list: String, version: String },
    #[error("{0}")]
    Failed(String),
}

/// Where list versions come from: the on-disk store with its fetcher in
/// production; an in-memory set of lists or a manifest of files in tests,
/// benchmarks and air-gapped use.
pub trait IndexSource: Send + Sync + 'static {
    /// Every list the source knows, with its last good version.
    fn lists(&self) -> Vec<SourceList>;
    /// The entities of one version of a list. May block (disk reads).
    fn load(&self, list_id: &str, version: &str) -> Result<Vec<Entity>, SourceError>;
    /// Looks for a new version of one list: download, parse, validate and
    /// store it. Failures are recorded by the source as the list's last error.
    fn refresh<'a>(&'a self, list_id: &'a str) -> BoxFuture<'a, RefreshOutcome>;
    /// What changed between `since` and the list's current version.
    fn changes(&self, list_id: &str, since: &str) -> Result<ListChanges, SourceError>;
    /// The stored versions of a list up to its current one, oldest first.
    /// Empty when the source keeps no history.
    fn versions(&self, list_id: &str) -> Vec<ListVersion> {
        let _ = list_id;
        Vec::new()
    }
    /// The version of a list that was current at `at`: the newest stored
    /// version taken at or before it. `None` when the source keeps no
    /// history or every version is newer.
    fn version_at(&self, list_id: &str, at: OffsetDateTime) -> Option<String> {
        self.versions(list_id)
            .into_iter()
            .filter(|v| v.fetched_at.is_some_and(|t| t <= at))
            .max_by_key(|v| v.fetched_at)
            .map(|v| v.version)
    }
    /// Where built indexes are kept between starts, if anywhere.
    fn stored_indexes(&self) -> Option<IndexStore> {
        None
    }
    /// Changes whenever another process may have made a new version
    /// current (a replica published one to the shared database): the
    /// service then looks for versions to swap in at once instead of at its
    /// next tick. `None` when nothing else publishes.
    fn watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
}

/// One immutable generation of the served index.
#[derive(Debug)]
pub struct Served {
    pub matcher: Matcher,
    /// The version of each list in this index.
    pub lists: BTreeMap<String, ListVersion>,
    pub built_at: OffsetDateTime,
    /// Counts up from 1 with every swap.
    pub generation: u64,
}

impl Served {
    /// `{list id: version}` for the given lists (all when `None`).
    pub fn versions(&self, lists: Option<&BTreeSet<String>>) -> BTreeMap<String, String> {
        self.lists
            .iter()
            .filter(|(id, _)| lists.is_none_or(|l| l.contains(*id)))
            .map(|(id, v)| (id.clone(), v.version.clone()))
            .collect()
    }
}

/// Refresh settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshSettings {
    /// Run the scheduler at all (off for air-gapped use: refresh by admin call only).
    pub enabled: bool,
    /// How often the scheduler looks for due lists.
    pub tick: Duration,
    /// Interval for lists whose source gives none.
    pub default_interval: Option<Duration>,
    /// Per-list intervals that replace the catalog's.
    pub intervals: BTreeMap<String, Duration>,
}

impl Default for RefreshSettings {
    fn default() -> Self {
        RefreshSettings {
            enabled: true,
            tick: Duration::from_secs(30),
            default_interval: None,
            intervals: BTreeMap::new(),
        }
    }
}

/// Per-list bookkeeping of the service (beside what the source records).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRuntime {
    /// Refreshes that failed (download, parse, validation or loading).
    pub refresh_failures: u64,
    /// Refreshes that stored a new version.
    pub refresh_updates: u64,
    /// Failed refreshes since the last good one; a failing list is retried
    /// sooner than its interval (1, 2, 4 … minutes, up to the interval).
    pub consecutive_failures: u32,
    /// The last problem the service itself saw with this list (loading or
    /// checking a version for the index), cleared when it loads cleanly.
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_error_at: Option<OffsetDateTime>,
    #[serde(skip)]
    last_attempt: Option<Instant>,
}

/// What one refresh did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshReport {
    pub lists: BTreeMap<String, RefreshOutcome>,
    /// A new index was built and swapped in.
    pub rebuilt: bool,
    /// The generation now served (0: none).
    pub generation: u64,
    /// Why the index could not be rebuilt, if it could not.
    pub error: Option<String>,
    pub seconds: f64,
}

/// What to refresh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshRequest {
    /// Lists to look at; `None` means every list the source knows.
    pub lists: Option<Vec<String>>,
    /// Rebuild the index even when no list changed.
    pub rebuild: bool,
}

/// Counters of the whole service, for the metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCounters {
    pub builds: u64,
    pub build_failures: u64,
    pub last_build_seconds: f64,
    pub last_build_error: Option<String>,
}

/// The live service state shared by every worker.
pub struct Service {
    current: ArcSwapOption<Served>,
    source: Arc<dyn IndexSource>,
    settings: RefreshSettings,
    refresh_lock: tokio::sync::Mutex<()>,
    runtime: Mutex<BTreeMap<String, ListRuntime>>,
    /// (list, version) pairs that failed the load checks: not retried.
    rejected: Mutex<BTreeSet<(String, String)>>,
    counters: Mutex<ServiceCounters>,
    started: Instant,
    /// Every generation swapped in, for subscribers (the monitor).
    swaps: tokio::sync::watch::Sender<Option<Arc<Served>>>,
    /// `{list id: current version}` as the source last stated it (see
    /// [`Service::pending`]).
    latest: Mutex<BTreeMap<String, String>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("generation", &self.served().map(|s| s.generation))
            .field("settings", &self.settings)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the plain
    // bookkeeping data inconsistent, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Service {
    pub fn new(source: Arc<dyn IndexSource>, settings: RefreshSettings) -> Service {
        Service {
            current: ArcSwapOption::empty(),
            source,
            settings,
            refresh_lock: tokio::sync::Mutex::new(()),
            runtime: Mutex::new(BTreeMap::new()),
            rejected: Mutex::new(BTreeSet::new()),
            counters: Mutex::new(ServiceCounters::default()),
            started: Instant::now(),
            swaps: tokio::sync::watch::Sender::new(None),
            latest: Mutex::new(BTreeMap::new()),
        }
    }

    /// The lists whose current version, as the source last stated it (a
    /// replica published it to the shared database, or an import stored
    /// it), is not the one served here: `{list id: that version}`. Empty
    /// while this replica is up to date; a version being loaded shows for
    /// a moment, one that stays was rejected here (see `/v1/lists`).
    pub fn pending(&self) -> BTreeMap<String, String> {
        let served = self.served();
        lock(&self.latest)
            .iter()
            .filter(|(id, version)| {
                served
                    .as_ref()
                    .and_then(|s| s.lists.get(*id))
                    .is_none_or(|v| &v.version != *version)
            })
            .map(|(id, v)| (id.clone(), v.clone()))
            .collect()
    }

    /// The generation being served, if an index has been built.
    pub fn served(&self) -> Option<Arc<Served>> {
        self.current.load_full()
    }

    /// Tells of every generation swapped in: the receiver holds the latest
    /// one (a subscriber that falls behind sees the newest, and compares it
    /// with the one it last handled).
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<Option<Arc<Served>>> {
        self.swaps.subscribe()
    }

    pub fn source(&self) -> &Arc<dyn IndexSource> {
        &self.source
    }

    pub fn settings(&self) -> &RefreshSettings {
        &self.settings
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// The service's per-list bookkeeping.
    pub fn runtime(&self) -> BTreeMap<String, ListRuntime> {
        lock(&self.runtime).clone()
    }

    pub fn counters(&self) -> ServiceCounters {
        lock(&self.counters).clone()
    }

    /// True while a refresh or build runs.
    pub fn refreshing(&self) -> bool {
        self.refresh_lock.try_lock().is_err()
    }

    /// The refresh interval of a list: the configured override, else the
    /// source's, else the configured default.
    pub fn interval_of(&self, list: &SourceList) -> Option<Duration> {
        self.settings
            .intervals
            .get(&list.id)
            .copied()
            .or(list.refresh)
            .or(self.settings.default_interval)
    }

    /// Builds the first index from the last good versions the source holds
    /// (no download). Does nothing when the source holds no version yet.
    pub async fn load_initial(self: &Arc<Self>) -> RefreshReport {
        let _guard = self.refresh_lock.lock().await;
        let start = Instant::now();
        let mut report = RefreshReport::default();
        self.rebuild_locked(&mut report).await;
        report.seconds = start.elapsed().as_secs_f64();
        report
    }

    /// Refreshes the requested lists, one after the other, then rebuilds the
    /// index once if any changed (or if asked to, or if none is served yet).
    /// Only one refresh runs at a time; a second caller waits.
    pub async fn refresh(self: &Arc<Self>, req: RefreshRequest) -> RefreshReport {
        let _guard = self.refresh_lock.lock().await;
        self.refresh_locked(req).await
    }

    /// Like [`Service::refresh`], but returns `None` at once when a refresh is already running.
    pub async fn try_refresh(self: &Arc<Self>, req: RefreshRequest) -> Option<RefreshReport> {
        let _guard = self.refresh_lock.try_lock().ok()?;
        Some(self.refresh_locked(req).await)
    }

    async fn refresh_locked(self: &Arc<Self>, req: RefreshRequest) -> RefreshReport {
        let start = Instant::now();
        let mut report = RefreshReport::default();
        let ids: Vec<String> = match req.lists {
            Some(l) => l,
            None => self
                .blocking_lists()
                .await
                .into_iter()
                .map(|l| l.id)
                .collect(),
        };
        // A few lists at a time: a slow or unreachable publisher does not
        // hold up the others.
        let outcomes: Vec<(String, RefreshOutcome)> = futures_util::stream::iter(ids)
            .map(|id| async move {
                lock(&self.runtime)
                    .entry(id.clone())
                    .or_default()
                    .last_attempt = Some(Instant::now());
                let outcome = self.source.refresh(&id).await;
                self.record_outcome(&id, &outcome);
                (id, outcome)
            })
            .buffer_unordered(crate::fetch::PARALLEL_LISTS)
            .collect()
            .await;
        let mut changed = false;
        for (id, outcome) in outcomes {
            changed |= matches!(outcome, RefreshOutcome::New { .. });
            report.lists.insert(id, outcome);
        }
        // Versions stored by someone else (an import, a separate fetcher
        // process) are picked up too.
        let drifted = !changed && self.drifted(&self.blocking_lists().await);
        if changed || drifted || req.rebuild || self.current.load().is_none() {
            self.rebuild_locked(&mut report).await;
        } else {
            report.generation = self.served().map_or(0, |s| s.generation);
        }
        report.seconds = start.elapsed().as_secs_f64();
        report
    }

    /// True when the source holds a version of at least one list.
    pub fn has_stored_lists(&self) -> bool {
        self.source.lists().iter().any(|l| l.current.is_some())
    }

    /// Why no index is served yet, in words a newcomer can act on: the
    /// first download is running, or it failed and why, and how to load the
    /// publishers' files by hand. May read the source's state (disk).
    pub fn not_ready_detail(&self) -> String {
        if self.served().is_some() {
            return "an index is served".into();
        }
        let lists = self.source.lists();
        if lists.iter().any(|l| l.current.is_some()) {
            return "no list index is loaded yet: the stored lists are being indexed".into();
        }
        let runtime = self.runtime();
        let errors: Vec<String> = lists
            .iter()
            .filter_map(|l| {
                let e = runtime
                    .get(&l.id)
                    .and_then(|r| r.last_error.clone())
                    .or_else(|| l.last_error.clone())?;
                Some(format!("{}: {e}", l.id))
            })
            .collect();
        let advice = crate::fetch::OFFLINE_ADVICE;
        if !errors.is_empty() {
            let shown: Vec<&str> = errors.iter().take(3).map(String::as_str).collect();
            let more = match errors.len() {
                n if n > 3 => format!(" and {} more", n - 3),
                _ => String::new(),
            };
            return format!(
                "no list is loaded: the downloads failed ({}{more}); {advice}",
                shown.join("; ")
            );
        }
        if self.refreshing() {
            return format!(
                "no list is loaded yet: the lists are being downloaded from the publishers; {advice}"
            );
        }
        if !self.settings.enabled {
            return format!("no list is loaded and scheduled refresh is off; {advice}");
        }
        format!("no list is loaded yet: the first download has not started; {advice}")
    }

    /// Counts one list's refresh outcome and logs it. A failure says whether
    /// a version of the list is still served: never that "the last good
    /// version stays" when there is none.
    fn record_outcome(&self, id: &str, outcome: &RefreshOutcome) {
        let served = self
            .served()
            .and_then(|s| s.lists.get(id).map(|v| v.version.clone()));
        let mut rt = lock(&self.runtime);
        let entry = rt.entry(id.to_string()).or_default();
        match outcome {
            RefreshOutcome::New { version } => {
                entry.refresh_updates += 1;
                entry.consecutive_failures = 0;
                tracing::info!(list = %id, %version, "new list version");
            }
            RefreshOutcome::Unchanged => {
                entry.consecutive_failures = 0;
                tracing::debug!(list = %id, "list unchanged");
            }
            RefreshOutcome::Skipped { reason } => {
                entry.consecutive_failures = 0;
                tracing::debug!(list = %id, %reason, "list refresh skipped");
            }
            RefreshOutcome::Failed { error } => {
                entry.refresh_failures += 1;
                entry.consecutive_failures = entry.consecutive_failures.saturating_add(1);
                match served {
                    Some(version) => {
                        tracing::warn!(list = %id, %error, %version, "list refresh failed; the version served stays")
                    }
                    None => {
                        tracing::warn!(list = %id, %error, "list refresh failed; no version of this list is loaded")
                    }
                }
            }
        }
    }

    async fn blocking_lists(&self) -> Vec<SourceList> {
        let source = Arc::clone(&self.source);
        tokio::task::spawn_blocking(move || source.lists())
            .await
            .unwrap_or_default()
    }

    /// Loads, checks and indexes every list's last good version and swaps
    /// the result in. Must be called with the refresh lock held.
    async fn rebuild_locked(self: &Arc<Self>, report: &mut RefreshReport) {
        let this = Arc::clone(self);
        let start = Instant::now();
        let built = tokio::task::spawn_blocking(move || this.build_generation()).await;
        let built = match built {
            Ok(r) => r,
            Err(e) => Err(format!("index build task failed: {e}")),
        };
        let mut counters = lock(&self.counters);
        counters.last_build_seconds = start.elapsed().as_secs_f64();
        match built {
            Ok(Some(served)) => {
                let generation = served.generation;
                let entities = served.matcher.index().len();
                let served = Arc::new(served);
                let old = self.current.swap(Some(Arc::clone(&served)));
                self.swaps.send_replace(Some(served));
                release_after_drain(old);
                counters.builds += 1;
                counters.last_build_error = None;
                report.rebuilt = true;
                report.generation = generation;
                tracing::info!(
                    generation,
                    entities,
                    seconds = counters.last_build_seconds,
                    "index swapped in"
                );
            }
            Ok(None) => {
                report.generation = 0;
                tracing::info!("no list version available yet; nothing to serve");
            }
            Err(e) => {
                counters.build_failures += 1;
                counters.last_build_error = Some(e.clone());
                report.error = Some(e.clone());
                report.generation = self.served().map_or(0, |s| s.generation);
                tracing::error!(error = %e, "index build failed; the previous index stays");
            }
        }
    }

    /// Builds the next generation (blocking). `Ok(None)`: no list has a version.
    fn build_generation(&self) -> Result<Option<Served>, String> {
        let lists = self.source.lists();
        self.note_latest(&lists);
        let previous = self.served();
        let stored = self.source.stored_indexes();
        if let Some(served) = stored
            .as_ref()
            .and_then(|stored| self.load_stored_generation(stored, &lists, previous.as_deref()))
        {
            return Ok(Some(served));
        }
        let mut input: Vec<(LoadedList, Vec<Entity>)> = Vec::new();
        let mut versions = BTreeMap::new();
        let mut sanctions = BTreeSet::new();
        for list in lists {
            let Some(current) = list.current.clone() else {
                continue;
            };
            let served_before = previous
                .as_ref()
                .and_then(|p| p.lists.get(&list.id))
                .cloned();
            let loaded = self
                .source
                .load(&list.id, &current.version)
                .map_err(|e| e.to_string())
                .and_then(|entities| check_version(&current, &entities).map(|()| entities));
            let (version, entities) = match loaded {
                Ok(entities) => {
                    self.clear_list_error(&list.id);
                    (current, entities)
                }
                Err(e) => {
                    let msg = format!("version {} not loaded: {e}", current.version);
                    tracing::warn!(list = %list.id, error = %msg, "list version rejected");
                    self.set_list_error(&list.id, &msg);
                    lock(&self.rejected).insert((list.id.clone(), current.version.clone()));
                    // Keep serving the version the previous index had.
                    match served_before {
                        Some(before) if before.version != current.version => {
                            match self.source.load(&list.id, &before.version) {
                                Ok(entities) => (before, entities),
                                Err(e2) => {
                                    tracing::error!(list = %list.id, error = %e2, "previous version unreadable; list left out");
                                    continue;
                                }
                            }
                        }
                        _ => continue,
                    }
                }
            };
            if list.sanctions {
                sanctions.insert(list.id.clone());
            }
            input.push((
                LoadedList {
                    id: list.id.clone(),
                    version: version.version.clone(),
                    entities: entities.len(),
                },
                entities,
            ));
            versions.insert(list.id.clone(), version);
        }
        if input.is_empty() {
            return match previous {
                // Every list failed to load: keep what is served.
                Some(_) => Err("no list version could be loaded".into()),
                None => Ok(None),
            };
        }
        let index = match &stored {
            Some(stored) => stored.build(input, sanctions),
            None => ScreeningIndex::build(input, sanctions),
        }
        .map_err(|e| e.to_string())?;
        let generation = previous.map_or(1, |p| p.generation + 1);
        Ok(Some(Served {
            matcher: Matcher::new(Arc::new(index)),
            lists: versions,
            built_at: OffsetDateTime::now_utc(),
            generation,
        }))
    }

    /// The next generation read back from a stored index, when one was built
    /// from the current version of every list (none of them rejected).
    fn load_stored_generation(
        &self,
        stored: &IndexStore,
        lists: &[SourceList],
        previous: Option<&Served>,
    ) -> Option<Served> {
        let current: Vec<&ListVersion> = lists.iter().filter_map(|l| l.current.as_ref()).collect();
        if current.is_empty() {
            return None;
        }
        {
            let rejected = lock(&self.rejected);
            if current
                .iter()
                .any(|v| rejected.contains(&(v.id.clone(), v.version.clone())))
            {
                return None;
            }
        }
        let sanctions = lists
            .iter()
            .filter(|l| l.sanctions && l.current.is_some())
            .map(|l| l.id.clone())
            .collect();
        let plan = Plan::new(
            current.iter().map(|v| LoadedList {
                id: v.id.clone(),
                version: v.version.clone(),
                entities: v.entities,
            }),
            sanctions,
        );
        let index = stored.load(&plan)?;
        for v in &current {
            self.clear_list_error(&v.id);
        }
        Some(Served {
            matcher: Matcher::new(Arc::new(index)),
            lists: current
                .into_iter()
                .map(|v| (v.id.clone(), v.clone()))
                .collect(),
            built_at: OffsetDateTime::now_utc(),
            generation: previous.map_or(1, |p| p.generation + 1),
        })
    }

    fn set_list_error(&self, id: &str, msg: &str) {
        let mut rt = lock(&self.runtime);
        let e = rt.entry(id.to_string()).or_default();
        e.refresh_failures += 1;
        e.last_error = Some(msg.to_string());
        e.last_error_at = Some(OffsetDateTime::now_utc());
    }

    fn clear_list_error(&self, id: &str) {
        let mut rt = lock(&self.runtime);
        if let Some(e) = rt.get_mut(id) {
            e.last_error = None;
            e.last_error_at = None;
        }
    }

    /// Keeps the current versions the source stated, for [`Service::pending`].
    fn note_latest(&self, lists: &[SourceList]) {
        *lock(&self.latest) = lists
            .iter()
            .filter_map(|l| Some((l.id.clone(), l.current.as_ref()?.version.clone())))
            .collect();
    }

    /// True when the source holds a last good version of some list that is
    /// not the one served (and that was not rejected before).
    pub fn drifted(&self, lists: &[SourceList]) -> bool {
        self.note_latest(lists);
        let served = self.served();
        let rejected = lock(&self.rejected);
        lists.iter().any(|l| {
            l.current.as_ref().is_some_and(|c| {
                let in_index = served.as_ref().and_then(|s| s.lists.get(&l.id));
                in_index.is_none_or(|v| v.version != c.version)
                    && !rejected.contains(&(l.id.clone(), c.version.clone()))
            })
        })
    }

    /// The lists whose refresh interval has passed since their last attempt
    /// (by this process, or as the source recorded it before start).
    pub fn due_lists(&self, lists: &[SourceList], now: OffsetDateTime) -> Vec<String> {
        let rt = lock(&self.runtime);
        lists
            .iter()
            .filter(|l| {
                let Some(interval) = self.interval_of(l) else {
                    return false;
                };
                match rt.get(&l.id).and_then(|r| r.last_attempt) {
                    Some(at) => {
                        let failures = rt.get(&l.id).map_or(0, |r| r.consecutive_failures);
                        let wait = retry_interval(interval, failures);
                        // The source's record counts too: a replica sharing
                        // the database may have fetched the list since.
                        at.elapsed() >= wait
                            && l.last_attempt.is_none_or(|at| {
                                let since = now - at;
                                since.is_negative() || since.unsigned_abs() >= wait
                            })
                    }
                    None => match (l.current.as_ref(), l.last_attempt) {
                        // Never fetched: due at once.
                        (None, _) => true,
                        (Some(_), None) => true,
                        (Some(_), Some(at)) => {
                            let since = now - at;
                            since.is_negative() || since.unsigned_abs() >= interval
                        }
                    },
                }
            })
            .map(|l| l.id.clone())
            .collect()
    }

    /// Starts the background work: the first build from what the source
    /// already holds, then (when enabled) a loop that refreshes due lists.
    /// Must be called inside a tokio runtime; the task ends when `stop` fires.
    pub fn spawn_background(
        self: &Arc<Self>,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut stop = stop;
            let report = this.load_initial().await;
            if let Some(e) = &report.error {
                tracing::error!(error = %e, "initial index build failed");
            }
            let mut published = this.source.watch();
            if !this.settings.enabled {
                tracing::info!(
                    "scheduled refresh is off; lists refresh only on POST /v1/admin/refresh"
                );
                if published.is_none() {
                    return;
                }
            }
            loop {
                let lists = this.blocking_lists().await;
                let due = match this.settings.enabled {
                    true => this.due_lists(&lists, OffsetDateTime::now_utc()),
                    false => Vec::new(),
                };
                if !due.is_empty() || this.drifted(&lists) {
                    tracing::info!(lists = ?due, "scheduled refresh");
                    let report = this
                        .refresh(RefreshRequest {
                            lists: Some(due),
                            rebuild: false,
                        })
                        .await;
                    tracing::info!(
                        generation = report.generation,
                        rebuilt = report.rebuilt,
                        seconds = report.seconds,
                        "scheduled refresh done"
                    );
                    if this.served().is_none() {
                        tracing::error!("{}", this.not_ready_detail());
                    }
                }
                let told = async {
                    match published.as_mut() {
                        Some(rx) => rx.changed().await.is_ok(),
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(this.settings.tick) => {}
                    _ = stop.changed() => break,
                    open = told => {
                        if !open {
                            published = None;
                        }
                    }
                }
                if *stop.borrow() {
                    break;
                }
            }
        })
    }
}

/// First retry delay of a list whose refresh failed.
const RETRY_BASE: Duration = Duration::from_secs(60);

/// When to look again at a list after `failures` failed refreshes in a row:
/// 1, 2, 4 … minutes, never later than its regular interval.
pub fn retry_interval(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let factor = 1u32
        .checked_shl(failures.saturating_sub(1).min(20))
        .unwrap_or(u32::MAX);
    RETRY_BASE.saturating_mul(factor).min(interval)
}

/// Frees the previous generation once the last request holding it is done,
/// then hands the freed heap back to the operating system: the allocator
/// would otherwise keep the old index's pages, and every swap would raise the
/// resident size.
fn release_after_drain(old: Option<Arc<Served>>) {
    let Some(old) = old else {
        // First build: its temporaries are freed already.
        trim_heap();
        return;
    };
    std::thread::spawn(move || {
        let mut old = old;
        // Requests are short; wait for the in-flight ones to finish with it.
        for _ in 0..600 {
            match Arc::try_unwrap(old) {
                Ok(served) => {
                    drop(served);
                    trim_heap();
                    return;
                }
                Err(still_shared) => {
                    old = still_shared;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        }
        // A request holds it for a minute: let the last holder free it.
        drop(old);
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_heap() {
    unsafe extern "C" {
        /// glibc: release free memory at the top of the heap and in free
        /// arena pages back to the system. Always safe to call.
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim takes no pointers and only walks glibc's own
    // allocator state under its locks.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_heap() {}

/// Checks a loaded version before it may enter the index: the count the
/// source recorded, and every entity belonging to the list.
fn check_version(v: &ListVersion, entities: &[Entity]) -> Result<(), String> {
    if entities.len() != v.entities {
        return Err(format!(
            "{} entities loaded, the version records {}",
            entities.len(),
            v.entities
        ));
    }
    if entities.is_empty() {
        return Err("the version has no entities".into());
    }
    let prefix = format!("{}:", v.id);
    if let Some(e) = entities.iter().find(|e| !e.id.starts_with(&prefix)) {
        return Err(format!(
            "entity id '{}' does not belong to list {}",
            e.id, v.id
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(entities.len());
    if let Some(e) = entities.iter().find(|e| !seen.insert(e.id.as_str())) {
        return Err(format!("entity id '{}' occurs twice", e.id));
    }
    Ok(())
}

/// A source holding list versions in memory: for tests, benchmarks and
/// embedding. `publish` makes a new version the next refresh picks up;
/// `fail_next` makes the next refresh of a list fail.
#[derive(Default)]
pub struct MemorySource {
    inner: Mutex<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    lists: BTreeMap<String, MemoryList>,
}

#[derive(Default)]
struct MemoryList {
    title: Option<String>,
    sanctions: bool,
    refresh: Option<Duration>,
    /// Versions in order; the last one is current once published.
    versions: Vec<(ListVersion, Arc<Vec<Entity>>)>,
    current: Option<usize>,
    /// Versions waiting for the next refresh.
    pending: Vec<(ListVersion, Arc<Vec<Entity>>)>,
    fail_next: Option<String>,
    last_error: Option<String>,
    last_error_at: Option<OffsetDateTime>,
    last_attempt: Option<OffsetDateTime>,
    /// A version whose entities cannot be loaded (to test load failures).
    unloadable: BTreeSet<String>,
}

impl std::fmt::Debug for MemorySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemorySource").finish_non_exhaustive()
    }
}

impl MemorySource {
    pub fn new() -> MemorySource {
        MemorySource::default()
    }

    fn version_of(id: &str, version: &str, entities: &[Entity]) -> ListVersion {
        ListVersion {
            id: id.to_string(),
            version: version.to_string(),
            entities: entities.len(),
            published: None,
            fetched_at: Some(OffsetDateTime::now_utc()),
            sha256: None,
            source_urls: Vec::new(),
        }
    }

    /// Adds a list with a current version.
    pub fn add_list(&self, id: &str, version: &str, sanctions: bool, entities: Vec<Entity>) {
        let v = Self::version_of(id, version, &entities);
        let mut inner = lock(&self.inner);
        let l = inner.lists.entry(id.to_string()).or_default();
        l.sanctions = sanctions;
        l.versions.push((v, Arc::new(entities)));
        l.current = Some(l.versions.len() - 1);
    }

    /// Adds a list known to the source but without any version yet.
    pub fn add_empty_list(&self, id: &str, sanctions: bool, refresh: Option<Duration>) {
        let mut inner = lock(&self.inner);
        let l = inner.lists.entry(id.to_string()).or_default();
        l.sanctions = sanctions;
        l.refresh = refresh;
    }

    /// Sets a list's title and refresh interval.
    pub fn describe(&self, id: &str, title: &str, refresh: Option<Duration>) {
        let mut inner = lock(&self.inner);
        let l = inner.lists.entry(id.to_string()).or_default();
        l.title = Some(title.to_string());
        l.refresh = refresh;
    }

    /// Queues a new version for the next refresh of the list.
    pub fn publish(&self, id: &str, version: &str, entities: Vec<Entity>) {
        let v = Self::version_of(id, version, &entities);
        let mut inner = lock(&self.inner);
        inner
            .lists
            .entry(id.to_string())
            .or_default()
            .pending
            .push((v, Arc::new(entities)));
    }

    /// Stores a new current version at once, as an import by another
    /// process would (the service notices it by comparing versions).
    pub fn import(&self, id: &str, version: &str, entities: Vec<Entity>) {
        let v = Self::version_of(id, version, &entities);
        let mut inner = lock(&self.inner);
        let l = inner.lists.entry(id.to_string()).or_default();
        l.versions.push((v, Arc::new(entities)));
        l.current = Some(l.versions.len() - 1);
    }

    /// Makes the next refresh of the list fail with `error`.
    pub fn fail_next(&self, id: &str, error: &str) {
        let mut inner = lock(&self.inner);
        inner.lists.entry(id.to_string()).or_default().fail_next = Some(error.to_string());
    }

    /// Makes loading a version fail (as a damaged version on disk would).
    pub fn make_unloadable(&self, id: &str, version: &str) {
        let mut inner = lock(&self.inner);
        inner
            .lists
            .entry(id.to_string())
            .or_default()
            .unloadable
            .insert(version.to_string());
    }
}

impl IndexSource for MemorySource {
    fn versions(&self, list_id: &str) -> Vec<ListVersion> {
        let inner = lock(&self.inner);
        let Some(l) = inner.lists.get(list_id) else {
            return Vec::new();
        };
        l.current
            .and_then(|c| l.versions.get(..=c))
            .unwrap_or_default()
            .iter()
            .map(|(v, _)| v.clone())
            .collect()
    }

    fn lists(&self) -> Vec<SourceList> {
        let inner = lock(&self.inner);
        inner
            .lists
            .iter()
            .map(|(id, l)| SourceList {
                id: id.clone(),
                title: l.title.clone(),
                sanctions: l.sanctions,
                refresh: l.refresh,
                current: l
                    .current
                    .and_then(|c| l.versions.get(c))
                    .map(|(v, _)| v.clone()),
                last_error: l.last_error.clone(),
                last_error_at: l.last_error_at,
                last_attempt: l.last_attempt,
            })
            .collect()
    }

    fn load(&self, list_id: &str, version: &str) -> Result<Vec<Entity>, SourceError> {
        let inner = lock(&self.inner);
        let l = inner
            .lists
            .get(list_id)
            .ok_or_else(|| SourceError::UnknownList(list_id.to_string()))?;
        if l.unloadable.contains(version) {
            return Err(SourceError::Failed(format!("version {version} is damaged")));
        }
        l.versions
            .iter()
            .find(|(v, _)| v.version == version)
            .map(|(_, e)| e.as_ref().clone())
            .ok_or_else(|| SourceError::UnknownVersion {
                list: list_id.to_string(),
                version: version.to_string(),
            })
    }

    fn refresh<'a>(&'a self, list_id: &'a str) -> BoxFuture<'a, RefreshOutcome> {
        Box::pin(async move {
            let mut inner = lock(&self.inner);
            let Some(l) = inner.lists.get_mut(list_id) else {
                return RefreshOutcome::Failed {
                    error: format!("list '{list_id}' is not known"),
                };
            };
            let now = OffsetDateTime::now_utc();
            l.last_attempt = Some(now);
            if let Some(error) = l.fail_next.take() {
                l.last_error = Some(error.clone());
                l.last_error_at = Some(now);
                return RefreshOutcome::Failed { error };
            }
            l.last_error = None;
            l.last_error_at = None;
            if l.pending.is_empty() {
                return RefreshOutcome::Unchanged;
            }
            let next = l.pending.remove(0);
            let version = next.0.version.clone();
            l.versions.push(next);
            l.current = Some(l.versions.len() - 1);
            RefreshOutcome::New { version }
        })
    }

    fn changes(&self, list_id: &str, since: &str) -> Result<ListChanges, SourceError> {
        let (old, new, to) = {
            let inner = lock(&self.inner);
            let l = inner
                .lists
                .get(list_id)
                .ok_or_else(|| SourceError::UnknownList(list_id.to_string()))?;
            let unknown = || SourceError::UnknownVersion {
                list: list_id.to_string(),
                version: since.to_string(),
            };
            let old = l
                .versions
                .iter()
                .find(|(v, _)| v.version == since)
                .map(|(_, e)| Arc::clone(e))
                .ok_or_else(unknown)?;
            let (cur, new) = l
                .current
                .and_then(|c| l.versions.get(c))
                .map(|(v, e)| (v.version.clone(), Arc::clone(e)))
                .ok_or_else(unknown)?;
            (old, new, cur)
        };
        let mut changes = diff(&old, &new);
        changes.from = since.to_string();
        changes.to = to;
        Ok(changes)
    }
}

/// Entities added, removed and changed between two sets, sorted by id.
pub fn diff(old: &[Entity], new: &[Entity]) -> ListChanges {
    let c = crate::model::diff::diff(old, new);
    ListChanges {
        added: c.added,
        removed: c.removed,
        changed: c.changed,
        ..ListChanges::default()
    }
}

/// A source reading the default file sets of a `MANIFEST.toml` (as
/// `screener import` would): every set is one list whose version is its
/// publication date. Refreshing finds nothing new (the files do not change);
/// it serves air-gapped setups and benchmarks without a data directory.
pub struct ManifestSource {
    manifest: crate::sources::manifest::Manifest,
    /// The `sanctions` collection: the built-in catalog's sanctions lists.
    sanctions: BTreeSet<String>,
    cache: Mutex<HashMap<String, Arc<Vec<Entity>>>>,
}

impl std::fmt::Debug for ManifestSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManifestSource")
            .field("dir", &self.manifest.dir)
            .finish_non_exhaustive()
    }
}

impl ManifestSource {
    pub fn open(path: &std::path::Path) -> Result<ManifestSource, SourceError> {
        let manifest = crate::sources::manifest::Manifest::load(path)
            .map_err(|e| SourceError::Failed(e.to_string()))?;
        let catalog =
            crate::sources::Catalog::builtin().map_err(|e| SourceError::Failed(e.to_string()))?;
        Ok(ManifestSource {
            manifest,
            sanctions: catalog
                .sanctions_ids()
                .into_iter()
                .map(str::to_string)
                .collect(),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The version of a set: the first word of its publication note (a date).
    fn set_version(set: &crate::sources::manifest::ManifestSet) -> String {
        set.published
            .as_deref()
            .and_then(|p| p.split_whitespace().next())
            .unwrap_or("manifest")
            .to_string()
    }

    fn parse_set(&self, list_id: &str) -> Result<Arc<Vec<Entity>>, SourceError> {
        if let Some(e) = lock(&self.cache).get(list_id) {
            return Ok(Arc::clone(e));
        }
        let set = self
            .manifest
            .default_sets()
            .find(|s| s.list == list_id)
            .ok_or_else(|| SourceError::UnknownList(list_id.to_string()))?;
        let files = self
            .manifest
            .read_files(set)
            .map_err(|e| SourceError::Failed(e.to_string()))?;
        let format = set
            .format()
            .ok_or_else(|| SourceError::Failed(format!("unknown format '{}'", set.format)))?;
        let parsed = crate::parse::parse(format, &set.list, &files)
            .map_err(|e| SourceError::Failed(e.to_string()))?;
        let entities = Arc::new(parsed.entities);
        lock(&self.cache).insert(list_id.to_string(), Arc::clone(&entities));
        Ok(entities)
    }
}

impl IndexSource for ManifestSource {
    fn lists(&self) -> Vec<SourceList> {
        self.manifest
            .default_sets()
            .map(|set| {
                let parsed = self.parse_set(&set.list);
                let (current, last_error) = match parsed {
                    Ok(e) => (
                        Some(ListVersion {
                            id: set.list.clone(),
                            version: Self::set_version(set),
                            entities: e.len(),
                            published: set.published.clone(),
                            fetched_at: None,
                            sha256: None,
                            source_urls: self
                                .manifest
                                .paths(set)
                                .iter()
                                .map(|p| format!("file://{}", p.display()))
                                .collect(),
                        }),
                        None,
                    ),
                    Err(e) => (None, Some(e.to_string())),
                };
                SourceList {
                    id: set.list.clone(),
                    title: None,
                    sanctions: self.sanctions.contains(&set.list),
                    refresh: None,
                    current,
                    last_error,
                    last_error_at: None,
                    last_attempt: None,
                }
            })
            .collect()
    }

    fn load(&self, list_id: &str, version: &str) -> Result<Vec<Entity>, SourceError> {
        let set = self
            .manifest
            .default_sets()
            .find(|s| s.list == list_id)
            .ok_or_else(|| SourceError::UnknownList(list_id.to_string()))?;
        if Self::set_version(set) != version {
            return Err(SourceError::UnknownVersion {
                list: list_id.to_string(),
                version: version.to_string(),
            });
        }
        Ok(self.parse_set(list_id)?.as_ref().clone())
    }

    fn refresh<'a>(&'a self, list_id: &'a str) -> BoxFuture<'a, RefreshOutcome> {
        Box::pin(async move {
            if self.manifest.default_sets().any(|s| s.list == list_id) {
                RefreshOutcome::Unchanged
            } else {
                RefreshOutcome::Failed {
                    error: format!("list '{list_id}' is not in the manifest"),
                }
            }
        })
    }

    fn changes(&self, list_id: &str, since: &str) -> Result<ListChanges, SourceError> {
        let set = self
            .manifest
            .default_sets()
            .find(|s| s.list == list_id)
            .ok_or_else(|| SourceError::UnknownList(list_id.to_string()))?;
        let version = Self::set_version(set);
        if since != version {
            return Err(SourceError::UnknownVersion {
                list: list_id.to_string(),
                version: since.to_string(),
            });
        }
        Ok(ListChanges {
            from: version.clone(),
            to: version,
            ..ListChanges::default()
        })
    }
}

/// The production source: the versioned store in the data directory, with
/// the fetcher downloading catalog lists into it. Lists imported by hand
/// (`screener import`, custom lists) are served too; they are not fetched.
///
/// With a shared database ([`StoreSource::with_shared`]) the database
/// decides which version of each list is current: one replica at a time
/// fetches a list and publishes the version it stored, the others adopt it
/// into their own store when they load it (see [`crate::snapshot::shared`]).
pub struct StoreSource {
    store: Arc<crate::snapshot::Store>,
    fetcher: crate::fetch::Fetcher,
    catalog: crate::sources::Catalog,
    shared: Option<Shared>,
}

/// The shared database of a [`StoreSource`], and its follower.
struct Shared {
    db: Arc<crate::snapshot::shared::SharedVersions>,
    published: tokio::sync::watch::Receiver<u64>,
    _follower: crate::snapshot::shared::Follower,
}

impl std::fmt::Debug for StoreSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSource")
            .field("root", &self.store.root())
            .field("shared", &self.shared.as_ref().map(|s| &s.db))
            .finish_non_exhaustive()
    }
}

impl StoreSource {
    pub fn new(
        store: Arc<crate::snapshot::Store>,
        fetcher: crate::fetch::Fetcher,
        catalog: crate::sources::Catalog,
    ) -> StoreSource {
        StoreSource {
            store,
            fetcher,
            catalog,
            shared: None,
        }
    }

    /// Shares the list versions through a database with other replicas, and
    /// starts following what they publish.
    pub fn with_shared(mut self, db: Arc<crate::snapshot::shared::SharedVersions>) -> StoreSource {
        let (tx, rx) = tokio::sync::watch::channel(0u64);
        let follower = db.follow(move || {
            tx.send_modify(|n| *n += 1);
        });
        self.shared = Some(Shared {
            db,
            published: rx,
            _follower: follower,
        });
        self
    }

    fn version_of(meta: &crate::snapshot::VersionMeta) -> ListVersion {
        ListVersion {
            id: meta.list_id.clone(),
            version: meta.version.clone(),
            entities: meta.entities,
            published: meta.published.clone(),
            fetched_at: Some(meta.fetched_at),
            sha256: Some(meta.sha256.clone()),
            source_urls: meta.files.iter().filter_map(|f| f.url.clone()).collect(),
        }
    }

    fn store_error(list_id: &str, e: crate::snapshot::StoreError) -> SourceError {
        use crate::snapshot::StoreError;
        match e {
            StoreError::InvalidListId(_) => SourceError::UnknownList(list_id.to_string()),
            StoreError::UnknownVersion { list_id, version } => SourceError::UnknownVersion {
                list: list_id,
                version,
            },
            other => SourceError::Failed(other.to_string()),
        }
    }

    /// The lists as the store holds them: the shared database's record
    /// when there is one (this store's own when it cannot be reached).
    fn stored(&self) -> Vec<crate::snapshot::ListStatus> {
        let Some(shared) = &self.shared else {
            return self.store.lists();
        };
        match shared.db.lists() {
            Ok(lists) => {
                let mut out: BTreeMap<String, crate::snapshot::ListStatus> = lists
                    .into_iter()
                    .filter(|l| l.current.is_some() || l.last_error.is_some())
                    .map(|l| {
                        let status = crate::snapshot::ListStatus {
                            id: l.id,
                            current: l.current,
                            last_error: l.last_error,
                            last_error_at: l.last_error_at,
                            last_attempt: l.last_attempt,
                            last_success: l.last_success,
                        };
                        (status.id.clone(), status)
                    })
                    .collect();
                // Lists no replica published (imported by hand here, or
                // loaded before the database was named) are served from
                // this store until one is.
                for local in self.store.lists() {
                    match out.get_mut(&local.id) {
                        Some(s) if s.current.is_none() => s.current = local.current,
                        Some(_) => {}
                        None => {
                            out.insert(local.id.clone(), local);
                        }
                    }
                }
                out.into_values().collect()
            }
            Err(e) => {
                tracing::warn!(error = %e, "the shared list versions cannot be read; serving this replica's copies");
                self.store.lists()
            }
        }
    }

    /// Makes sure this store holds a version published to the shared
    /// database (adopting it: the same parser on the published files).
    fn ensure_local(&self, list_id: &str, version: &str) -> Result<(), SourceError> {
        match &self.shared {
            Some(shared) => Self::adopt_from(&self.store, &shared.db, list_id, version),
            None => Ok(()),
        }
    }

    fn adopt_from(
        store: &crate::snapshot::Store,
        db: &crate::snapshot::shared::SharedVersions,
        list_id: &str,
        version: &str,
    ) -> Result<(), SourceError> {
        if store.version(list_id, version).is_ok() {
            return Ok(());
        }
        let (meta, files) = db
            .version(list_id, version)
            .map_err(|e| SourceError::Failed(e.to_string()))?
            .ok_or_else(|| SourceError::UnknownVersion {
                list: list_id.to_string(),
                version: version.to_string(),
            })?;
        store
            .adopt(&meta, files)
            .map_err(|e| Self::store_error(list_id, e))?;
        tracing::info!(list = %list_id, %version, "adopted a version published by another replica");
        Ok(())
    }

    /// Fetches one catalog list as the leader of it among the replicas
    /// sharing the database: skips when another replica leads it or just
    /// did; else brings this store up to the shared current version,
    /// fetches into it, publishes what is new, and gives the lease back.
    async fn refresh_shared(
        &self,
        shared: &Shared,
        list: &crate::sources::ListSource,
    ) -> RefreshOutcome {
        use crate::snapshot::shared::Lead;
        let db = Arc::clone(&shared.db);
        let id = list.id.clone();
        let lead = tokio::task::spawn_blocking(move || {
            let since = db.now_micros()?;
            db.lead(&id, since)
        })
        .await;
        let lease = match lead {
            Ok(Ok(Lead::Leading(lease))) => lease,
            Ok(Ok(Lead::Held { holder })) => {
                return RefreshOutcome::Skipped {
                    reason: format!("replica {holder} is fetching this list"),
                };
            }
            Ok(Ok(Lead::Done)) => {
                return RefreshOutcome::Skipped {
                    reason: "another replica has just fetched this list".into(),
                };
            }
            Ok(Err(e)) => {
                return RefreshOutcome::Failed {
                    error: e.to_string(),
                };
            }
            Err(e) => {
                return RefreshOutcome::Failed {
                    error: format!("the lease task failed: {e}"),
                };
            }
        };
        let outcome = self.fetch_and_publish(shared, list, &lease).await;
        let error = match &outcome {
            RefreshOutcome::Failed { error } => Some(error.clone()),
            _ => None,
        };
        let db = Arc::clone(&shared.db);
        let finished =
            tokio::task::spawn_blocking(move || db.finish(&lease, error.as_deref())).await;
        if let Ok(Err(e)) = finished {
            tracing::warn!(list = %list.id, error = %e, "cannot give the fetch lease back; it runs out by itself");
        }
        outcome
    }

    async fn fetch_and_publish(
        &self,
        shared: &Shared,
        list: &crate::sources::ListSource,
        lease: &crate::snapshot::shared::Lease,
    ) -> RefreshOutcome {
        let failed = |error: String| RefreshOutcome::Failed { error };
        // Compare with (and validate against) the version the replicas
        // serve, not an older copy of this store (adopting it may parse:
        // off the async thread).
        let (store, db, id) = (
            Arc::clone(&self.store),
            Arc::clone(&shared.db),
            list.id.clone(),
        );
        let synced = tokio::task::spawn_blocking(move || {
            let current = db
                .lists()
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|l| l.id == id)
                .and_then(|l| l.current);
            if let Some(c) = &current {
                Self::adopt_from(&store, &db, &id, &c.version).map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(current)
        })
        .await;
        let current = match synced {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return failed(e),
            Err(e) => return failed(format!("the sync task failed: {e}")),
        };
        let meta = match self.fetcher.fetch_list(&self.store, list).await {
            Ok(crate::fetch::FetchOutcome::New(m)) => m,
            Ok(crate::fetch::FetchOutcome::Unchanged(m)) => {
                if current.as_ref().is_some_and(|c| c.version == m.version) {
                    return RefreshOutcome::Unchanged;
                }
                // This replica's copy is current here but not yet shared
                // (the first replica on a new database): publish it.
                m
            }
            Err(e) => return failed(e.to_string()),
        };
        let mut files = Vec::with_capacity(meta.files.len());
        for f in &meta.files {
            match self.store.read_raw(&meta.list_id, &meta.version, &f.name) {
                Ok(data) => files.push(crate::parse::SourceFile::new(&f.name, data)),
                Err(e) => return failed(e.to_string()),
            }
        }
        let db = Arc::clone(&shared.db);
        let (lease, version) = (lease.clone(), meta.version.clone());
        match tokio::task::spawn_blocking(move || db.publish(&lease, &meta, &files)).await {
            Ok(Ok(())) => RefreshOutcome::New { version },
            Ok(Err(e)) => failed(e.to_string()),
            Err(e) => failed(format!("the publish task failed: {e}")),
        }
    }
}

impl IndexSource for StoreSource {
    fn versions(&self, list_id: &str) -> Vec<ListVersion> {
        let metas = match &self.shared {
            Some(shared) => shared.db.versions(list_id).unwrap_or_else(|e| {
                tracing::warn!(list = %list_id, error = %e, "cannot read the shared versions");
                Vec::new()
            }),
            None => self.store.versions(list_id),
        };
        metas.iter().map(Self::version_of).collect()
    }

    fn lists(&self) -> Vec<SourceList> {
        let stored = self.stored();
        let mut out: BTreeMap<String, SourceList> = BTreeMap::new();
        for l in self.catalog.lists.iter().filter(|l| l.auto_fetch) {
            out.insert(
                l.id.clone(),
                SourceList {
                    id: l.id.clone(),
                    title: Some(l.title.clone()),
                    sanctions: l.sanctions,
                    refresh: l.retired.is_none().then_some(l.refresh),
                    current: None,
                    last_error: None,
                    last_error_at: None,
                    last_attempt: None,
                },
            );
        }
        for st in stored {
            let cat = self.catalog.get(&st.id);
            let entry = out.entry(st.id.clone()).or_insert_with(|| SourceList {
                id: st.id.clone(),
                title: cat.map(|c| c.title.clone()),
                sanctions: cat.is_some_and(|c| c.sanctions),
                refresh: cat
                    .filter(|c| c.auto_fetch && c.retired.is_none())
                    .map(|c| c.refresh),
                current: None,
                last_error: None,
                last_error_at: None,
                last_attempt: None,
            });
            entry.current = st.current.as_ref().map(Self::version_of);
            entry.last_error = st.last_error;
            entry.last_error_at = st.last_error_at;
            entry.last_attempt = st.last_attempt;
        }
        out.into_values().collect()
    }

    fn load(&self, list_id: &str, version: &str) -> Result<Vec<Entity>, SourceError> {
        self.ensure_local(list_id, version)?;
        self.store
            .load_entities(list_id, version)
            .map_err(|e| Self::store_error(list_id, e))
    }

    fn stored_indexes(&self) -> Option<IndexStore> {
        Some(IndexStore::of_data_dir(self.store.root()))
    }

    fn watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.shared.as_ref().map(|s| s.published.clone())
    }

    fn refresh<'a>(&'a self, list_id: &'a str) -> BoxFuture<'a, RefreshOutcome> {
        Box::pin(async move {
            let Some(list) = self.catalog.get(list_id) else {
                // Imported lists change only by import; the version check
                // after every refresh picks those up.
                return RefreshOutcome::Unchanged;
            };
            if let Some(shared) = &self.shared {
                return self.refresh_shared(shared, list).await;
            }
            match self.fetcher.fetch_list(&self.store, list).await {
                Ok(crate::fetch::FetchOutcome::New(m)) => {
                    RefreshOutcome::New { version: m.version }
                }
                Ok(crate::fetch::FetchOutcome::Unchanged(_)) => RefreshOutcome::Unchanged,
                Err(e) => RefreshOutcome::Failed {
                    error: e.to_string(),
                },
            }
        })
    }

    fn changes(&self, list_id: &str, since: &str) -> Result<ListChanges, SourceError> {
        let current = match &self.shared {
            Some(_) => self
                .stored()
                .into_iter()
                .find(|l| l.id == list_id)
                .and_then(|l| l.current),
            None => self.store.current(list_id),
        }
        .ok_or_else(|| SourceError::UnknownList(list_id.to_string()))?;
        self.ensure_local(list_id, since)?;
        self.ensure_local(list_id, &current.version)?;
        let c = self
            .store
            .changes(list_id, since, &current.version)
            .map_err(|e| Self::store_error(list_id, e))?;
        Ok(ListChanges {
            from: since.to_string(),
            to: current.version,
            added: c.added,
            removed: c.removed,
            changed: c.changed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Schema, prop};

    fn person(list: &str, id: &str, name: &str) -> Entity {
        let mut e = Entity::new(list, id, Schema::Person);
        e.add(prop::NAME, name);
        e
    }

    fn service(src: Arc<MemorySource>) -> Arc<Service> {
        Arc::new(Service::new(src, RefreshSettings::default()))
    }

    #[tokio::test]
    async fn empty_source_serves_nothing_then_first_version() {
        let src = Arc::new(MemorySource::new());
        src.add_empty_list("un_sc_sanctions", true, Some(Duration::from_secs(3600)));
        let svc = service(Arc::clone(&src));
        let r = svc.load_initial().await;
        assert!(!r.rebuilt);
        assert!(svc.served().is_none());
        assert_eq!(
            svc.due_lists(&src.lists(), OffsetDateTime::now_utc()),
            ["un_sc_sanctions"]
        );
        src.publish(
            "un_sc_sanctions",
            "v1",
            vec![person("un_sc_sanctions", "QDi.001", "Ali Baba")],
        );
        let r = svc.refresh(RefreshRequest::default()).await;
        assert!(r.rebuilt, "{r:?}");
        let served = svc.served().expect("served");
        assert_eq!(served.generation, 1);
        assert_eq!(served.lists["un_sc_sanctions"].version, "v1");
        assert!(
            served
                .matcher
                .index()
                .entity_by_id("un_sc_sanctions:QDi.001")
                .is_some()
        );
        // Just attempted: not due again.
        assert!(
            svc.due_lists(&src.lists(), OffsetDateTime::now_utc())
                .is_empty()
        );
    }

    #[tokio::test]
    async fn failed_refresh_keeps_old_generation() {
        let src = Arc::new(MemorySource::new());
        src.add_list(
            "us_ofac_sdn",
            "v1",
            true,
            vec![person("us_ofac_sdn", "1", "John Doe")],
        );
        let svc = service(Arc::clone(&src));
        svc.load_initial().await;
        let before = svc.served().expect("served");
        src.fail_next("us_ofac_sdn", "HTTP 503");
        let r = svc.refresh(RefreshRequest::default()).await;
        assert_eq!(
            r.lists["us_ofac_sdn"],
            RefreshOutcome::Failed {
                error: "HTTP 503".into()
            }
        );
        assert!(!r.rebuilt);
        let after = svc.served().expect("served");
        assert!(Arc::ptr_eq(&before, &after));
        assert_eq!(svc.runtime()["us_ofac_sdn"].refresh_failures, 1);
    }

    #[tokio::test]
    async fn bad_version_falls_back_to_served_version() {
        let src = Arc::new(MemorySource::new());
        src.add_list(
            "us_ofac_sdn",
            "v1",
            true,
            vec![person("us_ofac_sdn", "1", "John Doe")],
        );
        src.add_list(
            "eu_fsf",
            "e1",
            true,
            vec![person("eu_fsf", "9", "Jane Roe")],
        );
        let svc = service(Arc::clone(&src));
        svc.load_initial().await;
        // v2 has an entity of another list: rejected at load, v1 stays for this list.
        src.publish(
            "us_ofac_sdn",
            "v2",
            vec![person("eu_fsf", "2", "Wrong List")],
        );
        let r = svc.refresh(RefreshRequest::default()).await;
        assert!(r.rebuilt);
        let served = svc.served().expect("served");
        assert_eq!(served.lists["us_ofac_sdn"].version, "v1");
        assert_eq!(served.lists["eu_fsf"].version, "e1");
        let rt = svc.runtime();
        assert!(
            rt["us_ofac_sdn"]
                .last_error
                .as_deref()
                .unwrap_or("")
                .contains("does not belong")
        );
    }

    #[tokio::test]
    async fn versions_stored_elsewhere_are_picked_up_once() {
        let src = Arc::new(MemorySource::new());
        src.add_list(
            "us_ofac_sdn",
            "v1",
            true,
            vec![person("us_ofac_sdn", "1", "John Doe")],
        );
        let svc = service(Arc::clone(&src));
        svc.load_initial().await;
        assert!(!svc.drifted(&src.lists()));
        src.import(
            "us_ofac_sdn",
            "v2",
            vec![person("us_ofac_sdn", "2", "Jane Doe")],
        );
        assert!(svc.drifted(&src.lists()));
        let r = svc
            .refresh(RefreshRequest {
                lists: Some(vec![]),
                rebuild: false,
            })
            .await;
        assert!(r.rebuilt);
        assert_eq!(
            svc.served().map(|s| s.lists["us_ofac_sdn"].version.clone()),
            Some("v2".into())
        );
        // A version that fails the checks is tried once, then left alone.
        src.import("us_ofac_sdn", "v3", vec![person("us_ofac_sdn", "3", "Bad")]);
        src.make_unloadable("us_ofac_sdn", "v3");
        let r = svc
            .refresh(RefreshRequest {
                lists: Some(vec![]),
                rebuild: false,
            })
            .await;
        assert!(r.rebuilt);
        assert_eq!(
            svc.served().map(|s| s.lists["us_ofac_sdn"].version.clone()),
            Some("v2".into())
        );
        assert!(!svc.drifted(&src.lists()));
    }

    #[test]
    fn failing_lists_are_retried_with_backoff() {
        let day = Duration::from_secs(86_400);
        assert_eq!(retry_interval(day, 0), day);
        assert_eq!(retry_interval(day, 1), Duration::from_secs(60));
        assert_eq!(retry_interval(day, 3), Duration::from_secs(240));
        assert_eq!(retry_interval(day, 40), day);
        assert_eq!(
            retry_interval(Duration::from_secs(90), 2),
            Duration::from_secs(90)
        );
    }

    #[test]
    fn check_version_rejects_count_mismatch_and_duplicates() {
        let v = MemorySource::version_of("x", "1", &[person("x", "1", "A")]);
        assert!(check_version(&v, &[person("x", "1", "A")]).is_ok());
        assert!(check_version(&v, &[]).is_err());
        let v2 =
            MemorySource::version_of("x", "1", &[person("x", "1", "A"), person("x", "1", "A")]);
        let err = check_version(&v2, &[person("x", "1", "A"), person("x", "1", "A")]).unwrap_err();
        assert!(err.contains("twice"), "{err}");
    }
}
