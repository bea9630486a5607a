//! Downloading list files with conditional GET, retries and size caps.
//!
//! [`Fetcher::fetch_list`] downloads every file of a catalog list and hands
//! the set to [`Store::import`], which validates it before it may become the
//! current version. Per file it sends the stored ETag / Last-Modified, so an
//! unchanged list costs one small request per file (HTTP 304) and stores
//! nothing. Timeouts, 5xx answers and bodies cut short are retried with
//! exponential backoff; 404 and other client errors are not, and neither is
//! a host that cannot be resolved or reached: offline, a fetch fails at once
//! and says so instead of retrying for minutes (the service's scheduler tries
//! again later on its own).
//! Any failure is recorded as the list's `last_error`; none of them can
//! replace the last good version.

use crate::parse::SourceFile;
use crate::snapshot::{
    FileOrigin, ImportOrigin, ImportOutcome, Store, StoreError, Validators, VersionMeta,
};
use crate::sources::ListSource;
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Lists downloaded at once (by `screener fetch` and the service's refresh):
/// enough that a slow publisher does not hold up the others, few enough to
/// be polite to each publisher and to bound memory (each list's files are
/// held whole until parsed).
pub const PARALLEL_LISTS: usize = 4;

/// Downloader settings.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Longest time one attempt at one file may take, body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest body accepted for one file; larger downloads are aborted.
    /// A list's `max_bytes` in the catalog overrides it.
    pub max_bytes: u64,
    /// Further attempts after the first one fails with a transient error.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff_base: Duration,
    /// Fetch from a mirror instead of the publishers: every file is read
    /// from `<url_override>/<list id>/<file name>`.
    pub url_override: Option<String>,
    pub user_agent: String,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
            max_bytes: 512 * 1024 * 1024,
            retries: 3,
            backoff_base: Duration::from_secs(2),
            url_override: None,
            user_agent: format!("screener/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Why one download attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("HTTP {status}")]
    Status { status: StatusCode },
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot connect (no network, or the host is unknown or down): {0}")]
    Connect(String),
    #[error("the file is larger than the limit of {max} bytes")]
    TooLarge { max: u64 },
    #[error("the transfer broke off after {got} of {expected} bytes")]
    Truncated { got: u64, expected: u64 },
    #[error("the transfer failed: {0}")]
    Transfer(String),
}

impl DownloadError {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            DownloadError::Status { status } => {
                status.is_server_error()
                    || *status == StatusCode::REQUEST_TIMEOUT
                    || *status == StatusCode::TOO_MANY_REQUESTS
            }
            DownloadError::Timeout(_)
            | DownloadError::Truncated { .. }
            | DownloadError::Transfer(_) => true,
            // DNS failures, refused connections and unreachable hosts: a
            // retry a few seconds later finds the same network.
            DownloadError::Connect(_) | DownloadError::TooLarge { .. } => false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {source}{}", attempts_note(*attempts))]
    Download {
        url: String,
        attempts: u32,
        source: DownloadError,
    },
    /// The store refused or failed the import (already recorded as the list's error).
    #[error(transparent)]
    Import(StoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("{list_id}: internal error while importing: {message}")]
    Internal { list_id: String, message: String },
}

impl FetchError {
    /// The host could not be resolved or reached: most likely no network.
    pub fn is_offline(&self) -> bool {
        matches!(
            self,
            FetchError::Download {
                source: DownloadError::Connect(_),
                ..
            }
        )
    }
}

/// What to do when the publishers cannot be reached: the one sentence the
/// CLI, the service's log and its readiness answer all give.
pub const OFFLINE_ADVICE: &str = "without network access, import the publishers' files by hand: `screener import --manifest MANIFEST.toml`, or `screener import <list id> <files…>`; or serve them directly with `screener serve --manifest MANIFEST.toml`";

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// The result of fetching one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// A new version was downloaded, validated and made current.
    New(VersionMeta),
    /// The publisher's files have not changed since the current version.
    Unchanged(VersionMeta),
}

/// One downloaded file (or the news that it has not changed).
#[derive(Debug)]
pub enum Downloaded {
    Fresh {
        data: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    NotModified,
}

/// The downloader: one HTTP client (rustls) shared by all fetches.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher { client, config })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// The URL a catalog file is fetched from (the mirror's when one is set).
    pub fn url_for(&self, list: &ListSource, file: &crate::sources::SourceUrl) -> String {
        match &self.config.url_override {
            Some(base) => format!("{}/{}/{}", base.trim_end_matches('/'), list.id, file.name),
            None => file.url.clone(),
        }
    }

    /// Downloads every file of `list` and imports the set into `store`.
    ///
    /// Conditional GET is used for files the current version holds; when
    /// every file answers 304 the list is unchanged and nothing is parsed.
    /// Errors are recorded in the list's state and returned.
    pub async fn fetch_list(
        &self,
        store: &Arc<Store>,
        list: &ListSource,
    ) -> Result<FetchOutcome, FetchError> {
        let result = self.fetch_list_inner(store, list).await;
        if let Err(e) = &result
            && !matches!(e, FetchError::Import(_))
        {
            // Import errors are recorded by the store itself.
            let (store, id, msg) = (Arc::clone(store), list.id.clone(), e.to_string());
            let recorded = tokio::task::spawn_blocking(move || store.record_error(&id, &msg)).await;
            if let Ok(Err(rec)) = recorded {
                tracing::warn!(list = %list.id, error = %rec, "cannot record the fetch error");
            }
        }
        result
    }

    async fn fetch_list_inner(
        &self,
        store: &Arc<Store>,
        list: &ListSource,
    ) -> Result<FetchOutcome, FetchError> {
        let current = store.current(&list.id);
        let state = store.state(&list.id).unwrap_or_else(|e| {
            // Without validators the files are simply downloaded in full.
            tracing::warn!(list = %list.id, error = %e, "list state unreadable; fetching unconditionally");
            Default::default()
        });
        let max_bytes = list.max_bytes.unwrap_or(self.config.max_bytes);
        let fetched_at = time::OffsetDateTime::now_utc();

        let mut results = Vec::with_capacity(list.files.len());
        for file in &list.files {
            let url = self.url_for(list, file);
            // Only ask "has it changed?" when the current version has the file
            // to fall back on.
            let held = current
                .as_ref()
                .is_some_and(|c| c.files.iter().any(|f| f.name == file.name));
            let cond = if held {
                state.validators.get(&url)
            } else {
                None
            };
            let got = self.download(&url, cond, max_bytes).await?;
            results.push((file, url, got, cond.cloned()));
        }

        if let Some(cur) = &current
            && results
                .iter()
                .all(|(_, _, d, _)| matches!(d, Downloaded::NotModified))
        {
            tracing::info!(list = %list.id, version = %cur.version, "not modified");
            let (store, id) = (Arc::clone(store), list.id.clone());
            tokio::task::spawn_blocking(move || store.record_unchanged(&id, &BTreeMap::new()))
                .await
                .map_err(|e| FetchError::Internal {
                    list_id: list.id.clone(),
                    message: e.to_string(),
                })??;
            return Ok(FetchOutcome::Unchanged(cur.clone()));
        }

        let mut files = Vec::with_capacity(results.len());
        let mut origins = Vec::with_capacity(results.len());
        for (file, url, got, cond) in results {
            let (data, etag, last_modified) = match got {
                Downloaded::Fresh {
                    data,
                    etag,
                    last_modified,
                } => (data, etag, last_modified),
                Downloaded::NotModified => {
                    // Only sent conditionally when `current` holds the file.
                    let version = current.as_ref().map(|c| c.version.as_str()).unwrap_or("");
                    let data = store.read_raw(&list.id, version, &file.name)?;
                    let v = cond.unwrap_or_default();
                    (data, v.etag, v.last_modified)
                }
            };
            files.push(SourceFile::new(file.name.clone(), data));
            origins.push(FileOrigin {
                name: file.name.clone(),
                url: Some(url),
                etag,
                last_modified,
            });
        }
        let origin = ImportOrigin {
            fetched_at: Some(fetched_at),
            files: origins,
            published: None,
        };
        let store2 = Arc::clone(store);
        let list_id = list.id.clone();
        let format = list.format;
        let outcome = tokio::task::spawn_blocking(move || {
            store2.import(&list_id, Some(format), files, origin)
        })
        .await
        .map_err(|e| FetchError::Internal {
            list_id: list.id.clone(),
            message: e.to_string(),
        })?
        .map_err(FetchError::Import)?;
        Ok(match outcome {
            ImportOutcome::New(m) => FetchOutcome::New(m),
            ImportOutcome::Unchanged(m) => FetchOutcome::Unchanged(m),
        })
    }

    /// Downloads one URL with retries. `cond` are the validators of the copy
    /// already held; with them a 304 answer gives [`Downloaded::NotModified`].
    pub async fn download(
        &self,
        url: &str,
        cond: Option<&Validators>,
        max_bytes: u64,
    ) -> Result<Downloaded, FetchError> {
        let attempts = self.config.retries.saturating_add(1);
        let mut attempt = 1;
        loop {
            match self.download_once(url, cond, max_bytes).await {
                Ok(d) => return Ok(d),
                Err(e) if e.is_transient() && attempt < attempts => {
                    let delay = backoff(self.config.backoff_base, attempt);
                    tracing::warn!(%url, attempt, error = %e, ?delay, "download failed; retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(source) => {
                    return Err(FetchError::Download {
                        url: url.to_string(),
                        attempts: attempt,
                        source,
                    });
                }
            }
        }
    }

    async fn download_once(
        &self,
        url: &str,
        cond: Option<&Validators>,
        max_bytes: u64,
    ) -> Result<Downloaded, DownloadError> {
        let mut req = self.client.get(url);
        if let Some(v) = cond {
            if let Some(etag) = &v.etag {
                req = req.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm);
            }
        }
        let mut resp = req.send().await.map_err(|e| self.classify(e))?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED && cond.is_some() {
            return Ok(Downloaded::NotModified);
        }
        if !status.is_success() {
            return Err(DownloadError::Status { status });
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header(ETAG);
        let last_modified = header(LAST_MODIFIED);
        let expected = resp.content_length();
        if let Some(len) = expected
            && len > max_bytes
        {
            return Err(DownloadError::TooLarge { max: max_bytes });
        }
        let cap = expected.unwrap_or(1 << 20).min(max_bytes).min(64 << 20);
        let mut data = Vec::with_capacity(usize::try_from(cap).unwrap_or(0));
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if data.len() as u64 + chunk.len() as u64 > max_bytes {
                        return Err(DownloadError::TooLarge { max: max_bytes });
                    }
                    data.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    if e.is_timeout() {
                        return Err(DownloadError::Timeout(self.config.timeout));
                    }
                    return Err(match expected {
                        Some(exp) => DownloadError::Truncated {
                            got: data.len() as u64,
                            expected: exp,
                        },
                        None => DownloadError::Transfer(error_chain(&e)),
                    });
                }
            }
        }
        if let Some(exp) = expected
            && data.len() as u64 != exp
        {
            return Err(DownloadError::Truncated {
                got: data.len() as u64,
                expected: exp,
            });
        }
        Ok(Downloaded::Fresh {
            data,
            etag,
            last_modified,
        })
    }

    fn classify(&self, e: reqwest::Error) -> DownloadError {
        if e.is_connect() {
            DownloadError::Connect(error_chain(&e))
        } else if e.is_timeout() {
            DownloadError::Timeout(self.config.timeout)
        } else {
            DownloadError::Transfer(error_chain(&e))
        }
    }
}

/// The delay before retry number `attempt` (1-based): base, 2×base, 4×base …
/// capped at ten minutes.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(16);
    base.saturating_mul(factor).min(Duration::from_secs(600))
}

/// An error with its causes, on one line ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let b = Duration::from_millis(100);
        assert_eq!(backoff(b, 1), Duration::from_millis(100));
        assert_eq!(backoff(b, 2), Duration::from_millis(200));
        assert_eq!(backoff(b, 4), Duration::from_millis(800));
        assert_eq!(backoff(b, 40), Duration::from_secs(600));
    }

    #[test]
    fn only_transient_errors_are_retried() {
        let s = |c: u16| DownloadError::Status {
            status: StatusCode::from_u16(c).unwrap(),
        };
        assert!(s(500).is_transient() && s(503).is_transient() && s(429).is_transient());
        assert!(!s(404).is_transient() && !s(403).is_transient());
        assert!(
            DownloadError::Truncated {
                got: 1,
                expected: 2
            }
            .is_transient()
        );
        assert!(!DownloadError::TooLarge { max: 1 }.is_transient());
    }

    #[test]
    fn mirror_urls_name_list_and_file() {
        let catalog = crate::sources::Catalog::builtin().unwrap();
        let un = catalog.get("un_sc_sanctions").unwrap();
        let f = Fetcher::new(FetchConfig {
            url_override: Some("http://mirror.local/lists/".into()),
            ..FetchConfig::default()
        })
        .unwrap();
        assert_eq!(
            f.url_for(un, &un.files[0]),
            "http://mirror.local/lists/un_sc_sanctions/consolidated.xml"
        );
        let direct = Fetcher::new(FetchConfig::default()).unwrap();
        assert_eq!(direct.url_for(un, &un.files[0]), un.files[0].url);
    }

    #[test]
    fn error_messages_name_the_url_and_attempts() {
        let e = FetchError::Download {
            url: "https://x/a.xml".into(),
            attempts: 4,
            source: DownloadError::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
            },
        };
        assert_eq!(
            e.to_string(),
            "https://x/a.xml: HTTP 503 Service Unavailable (gave up after 4 attempts)"
        );
    }
}
