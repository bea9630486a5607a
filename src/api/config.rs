//! Configuration of `screener serve`: built-in defaults, overridden by a TOML
//! file (`--config`), then by `SCREENER_*` environment variables, then by
//! command-line flags. Secrets (API keys, the admin token) never appear in
//! `Debug` output or logs.

use crate::service::RefreshSettings;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The command-line flags of `screener serve`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// TOML configuration file (env SCREENER_CONFIG).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on, host:port (env SCREENER_LISTEN; default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Serve the default file sets of a MANIFEST.toml instead of the data
    /// directory (air-gapped use, benchmarks; env SCREENER_MANIFEST).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// HTTP worker threads (env SCREENER_WORKERS; default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Do not refresh lists on a schedule (POST /v1/admin/refresh still works).
    #[arg(long)]
    pub no_refresh: bool,
    /// The monitor database: a `postgres://` URL (shared by several
    /// replicas) or a SQLite file (env SCREENER_DATABASE_URL; default the
    /// file in the data directory).
    #[arg(long, value_name = "URL|FILE")]
    pub database: Option<String>,
}

/// A secret string: compared, never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

/// One API key and the name it is known by: the name is who called, in the
/// access log and on every decision or write a request makes. In the file,
/// a key is either a table `{ name = "crm", key = "…" }` or a bare string
/// (then named `key-1`, `key-2`, … by position); in `SCREENER_API_KEYS`,
/// `name=key` or a bare key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub name: String,
    pub key: Secret,
}

impl ApiKey {
    pub fn new(name: impl Into<String>, key: impl Into<String>) -> ApiKey {
        ApiKey {
            name: name.into(),
            key: Secret::new(key),
        }
    }

    /// Names the unnamed keys of a list by position.
    fn from_entries(entries: Vec<ApiKeyEntry>) -> Vec<ApiKey> {
        entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| match e {
                ApiKeyEntry::Named { name, key } => ApiKey { name, key },
                ApiKeyEntry::Bare(key) => ApiKey {
                    name: format!("key-{}", i + 1),
                    key,
                },
            })
            .collect()
    }
}

/// How a key is written in the config file.
#[derive(Deserialize)]
#[serde(untagged)]
enum ApiKeyEntry {
    Bare(Secret),
    Named { name: String, key: Secret },
}

fn deserialize_api_keys<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ApiKey>, D::Error> {
    Vec::<ApiKeyEntry>::deserialize(d).map(ApiKey::from_entries)
}

pub use crate::logging::LogFormat;

/// Bounds on the work one request may cause. Each is answered with a 4xx
/// JSON error naming the limit when exceeded.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest JSON body of a single-party request (`/v1/screen`, `/v1/compare`).
    pub max_body_bytes: usize,
    /// Largest body of a JSON batch (`/v1/screen/batch` array, `/match`).
    pub max_batch_body_bytes: usize,
    /// Most parties in one JSON batch or one `/match` request.
    pub max_batch: usize,
    /// Most rows in one streamed NDJSON batch.
    pub max_ndjson_rows: u64,
    /// Longest NDJSON line in bytes.
    pub max_ndjson_line_bytes: usize,
    /// Largest `limit` (results per party).
    pub max_limit: usize,
    /// Most name values screened per `/match` query (each name is one screening).
    pub max_names_per_query: usize,
    /// Batch screenings running at once. A JSON batch takes a slot once its
    /// body has arrived (429 when none is free); an NDJSON stream takes one
    /// for each chunk of rows it screens and waits for it, so a client that
    /// sends slowly holds none.
    pub max_concurrent_batches: usize,
    /// Seconds a request body (JSON, or a JSON batch) has to arrive in full;
    /// 408 after.
    pub body_timeout_secs: u64,
    /// Seconds an NDJSON stream may go without sending a byte; the stream
    /// then ends with an error line.
    pub stream_idle_timeout_secs: u64,
}

impl Limits {
    /// The body bounds of single-party routes.
    pub fn body(&self) -> crate::api::body::BodyLimit {
        crate::api::body::BodyLimit {
            max_bytes: self.max_body_bytes,
            deadline: Duration::from_secs(self.body_timeout_secs),
            setting: "limits.max_body_bytes",
        }
    }

    /// The body bounds of batch routes (JSON batch, `/match`).
    pub fn batch_body(&self) -> crate::api::body::BodyLimit {
        crate::api::body::BodyLimit {
            max_bytes: self.max_batch_body_bytes,
            deadline: Duration::from_secs(self.body_timeout_secs),
            setting: "limits.max_batch_body_bytes",
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024,
            max_batch_body_bytes: 8 * 1024 * 1024,
            max_batch: 1000,
            max_ndjson_rows: 1_000_000,
            max_ndjson_line_bytes: 64 * 1024,
            max_limit: crate::matching::MAX_LIMIT,
            max_names_per_query: 8,
            max_concurrent_batches: 2,
            body_timeout_secs: 30,
            stream_idle_timeout_secs: 30,
        }
    }
}

/// The `[refresh]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RefreshConfig {
    pub enabled: bool,
    /// How often the scheduler looks for due lists (`30s`, `5m`).
    pub tick: String,
    /// Interval for lists whose catalog entry gives none.
    pub default_interval: Option<String>,
    /// Per-list intervals replacing the catalog's (`us_ofac_sdn = "30m"`).
    pub intervals: BTreeMap<String, String>,
}

impl Default for RefreshConfig {
    fn default() -> Self {
        RefreshConfig {
            enabled: true,
            tick: "30s".into(),
            default_interval: None,
            intervals: BTreeMap::new(),
        }
    }
}

/// The `[cors]` table. CORS is off unless origins are listed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins allowed to call the API from a browser (`https://app.example.com`); `*` allows any.
    pub allow_origins: Vec<String>,
}

/// Everything `screener serve` needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    /// The data directory (the CLI's global `--data-dir`, env SCREENER_DATA_DIR).
    #[serde(skip)]
    pub data_dir: PathBuf,
    /// A catalog replacing the built-in one (the CLI's global `--catalog`).
    #[serde(skip)]
    pub catalog: Option<PathBuf>,
    pub manifest: Option<PathBuf>,
    pub workers: Option<usize>,
    /// API keys accepted as `Authorization: Bearer <key>`; none: the API is open.
    #[serde(deserialize_with = "deserialize_api_keys")]
    pub api_keys: Vec<ApiKey>,
    /// Token for `/v1/admin/*`; none: admin routes are refused.
    pub admin_token: Option<Secret>,
    pub log_format: LogFormat,
    /// Seconds in-flight requests get to finish on SIGTERM/SIGINT.
    pub shutdown_timeout_secs: u64,
    /// Seconds an idle keep-alive connection stays open (longer than the
    /// idle timeout of a load balancer in front, so it never reuses a
    /// connection the server is closing).
    pub keep_alive_secs: u64,
    /// Seconds a client has to send a request's head on a new connection.
    pub client_request_timeout_secs: u64,
    pub limits: Limits,
    pub refresh: RefreshConfig,
    pub cors: CorsConfig,
    /// Ongoing monitoring (`[monitor]`).
    pub monitor: crate::monitor::MonitorConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            catalog: None,
            manifest: None,
            workers: None,
            api_keys: Vec::new(),
            admin_token: None,
            log_format: LogFormat::Text,
            shutdown_timeout_secs: 30,
            keep_alive_secs: 75,
            client_request_timeout_secs: 10,
            limits: Limits::default(),
            refresh: RefreshConfig::default(),
            cors: CorsConfig::default(),
            monitor: crate::monitor::MonitorConfig::default(),
        }
    }
}

/// A configuration problem, naming the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    Invalid { path: String, message: String },
    #[error("{name}: {message}")]
    Setting { name: String, message: String },
}

fn setting(name: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Setting {
        name: name.to_string(),
        message: message.into(),
    }
}

impl ServerConfig {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &Path) -> Result<ServerConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    pub fn from_toml(text: &str, origin: &str) -> Result<ServerConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: origin.to_string(),
            message: e.to_string(),
        })
    }

    /// The full resolution: defaults ← file ← environment ← flags, then checks.
    pub fn resolve(
        args: &ServeArgs,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ServerConfig, ConfigError> {
        let file = args
            .config
            .clone()
            .or_else(|| env("SCREENER_CONFIG").map(PathBuf::from));
        let mut cfg = match file {
            Some(p) => Self::from_file(&p)?,
            None => ServerConfig::default(),
        };
        cfg.apply_env(&env)?;
        cfg.apply_args(args);
        cfg.check()?;
        Ok(cfg)
    }

    /// Applies `SCREENER_*` variables.
    pub fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let get = |k: &str| {
            env(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = get("SCREENER_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("SCREENER_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("SCREENER_MANIFEST") {
            self.manifest = Some(PathBuf::from(v));
        }
        if let Some(v) = get("SCREENER_WORKERS") {
            self.workers = Some(parse_num("SCREENER_WORKERS", &v)?);
        }
        if let Some(v) = get("SCREENER_API_KEYS") {
            self.api_keys = ApiKey::from_entries(
                v.split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(|k| match k.split_once('=') {
                        Some((name, key)) if is_key_name(name) => ApiKeyEntry::Named {
                            name: name.to_string(),
                            key: Secret::new(key),
                        },
                        _ => ApiKeyEntry::Bare(Secret::new(k)),
                    })
                    .collect(),
            );
        }
        if let Some(v) = get("SCREENER_ADMIN_TOKEN") {
            self.admin_token = Some(Secret::new(v));
        }
        if let Some(v) = get("SCREENER_LOG_FORMAT") {
            self.log_format = v
                .parse()
                .map_err(|e: String| setting("SCREENER_LOG_FORMAT", e))?;
        }
        if let Some(v) = get("SCREENER_MAX_BODY_BYTES") {
            self.limits.max_body_bytes = parse_num("SCREENER_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = get("SCREENER_MAX_BATCH") {
            self.limits.max_batch = parse_num("SCREENER_MAX_BATCH", &v)?;
        }
        if let Some(v) = get("SCREENER_REFRESH") {
            self.refresh.enabled = match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "on" | "yes" => true,
                "0" | "false" | "off" | "no" => false,
                other => {
                    return Err(setting(
                        "SCREENER_REFRESH",
                        format!("'{other}' is not on or off"),
                    ));
                }
            };
        }
        if let Some(v) = get("SCREENER_DATABASE_URL") {
            self.monitor.set_database(&v);
        }
        if let Some(v) = get("SCREENER_CORS_ORIGINS") {
            self.cors.allow_origins = v
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_string)
                .collect();
        }
        Ok(())
    }

    /// Applies command-line flags (they win over everything).
    pub fn apply_args(&mut self, args: &ServeArgs) {
        if let Some(v) = &args.listen {
            self.listen = v.clone();
        }
        if let Some(v) = &args.manifest {
            self.manifest = Some(v.clone());
        }
        if let Some(v) = args.workers {
            self.workers = Some(v);
        }
        if args.no_refresh {
            self.refresh.enabled = false;
        }
        if let Some(v) = args
            .database
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            self.monitor.set_database(v);
        }
    }

    /// Checks values that would fail later in a less clear way.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self
            .listen
            .rsplit_once(':')
            .is_none_or(|(h, p)| h.is_empty() || p.parse::<u16>().is_err())
        {
            return Err(setting(
                "listen",
                format!("'{}' is not host:port", self.listen),
            ));
        }
        if self.workers == Some(0) {
            return Err(setting("workers", "must be at least 1"));
        }
        let l = &self.limits;
        for (name, v) in [
            ("limits.max_body_bytes", l.max_body_bytes),
            ("limits.max_batch_body_bytes", l.max_batch_body_bytes),
            ("limits.max_batch", l.max_batch),
            ("limits.max_ndjson_line_bytes", l.max_ndjson_line_bytes),
            ("limits.max_limit", l.max_limit),
            ("limits.max_names_per_query", l.max_names_per_query),
            ("limits.max_concurrent_batches", l.max_concurrent_batches),
            ("limits.body_timeout_secs", l.body_timeout_secs as usize),
            (
                "limits.stream_idle_timeout_secs",
                l.stream_idle_timeout_secs as usize,
            ),
        ] {
            if v == 0 {
                return Err(setting(name, "must be at least 1"));
            }
        }
        if l.max_limit > crate::matching::MAX_LIMIT {
            return Err(setting(
                "limits.max_limit",
                format!(
                    "the matcher returns at most {} results",
                    crate::matching::MAX_LIMIT
                ),
            ));
        }
        if self.api_keys.iter().any(|k| k.key.expose().len() < 16) {
            return Err(setting(
                "api_keys",
                "every API key must be at least 16 characters",
            ));
        }
        if let Some(k) = self.api_keys.iter().find(|k| !is_key_name(&k.name)) {
            return Err(setting(
                "api_keys",
                format!(
                    "key name '{}' must be 1 to 64 letters, digits, '.', '_', '-' or '@'",
                    k.name
                ),
            ));
        }
        let mut names: Vec<&str> = self.api_keys.iter().map(|k| k.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(setting(
                "api_keys",
                format!("two keys are named '{}'", w[0]),
            ));
        }
        if self
            .admin_token
            .as_ref()
            .is_some_and(|t| t.expose().len() < 16)
        {
            return Err(setting(
                "admin_token",
                "the admin token must be at least 16 characters",
            ));
        }
        self.refresh_settings()?;
        self.monitor.check().map_err(|e| setting("monitor", e))?;
        Ok(())
    }

    /// The refresh settings with intervals parsed.
    pub fn refresh_settings(&self) -> Result<RefreshSettings, ConfigError> {
        let tick = parse_interval(&self.refresh.tick).ok_or_else(|| {
            setting(
                "refresh.tick",
                format!(
                    "'{}' is not an interval like 30s, 5m, 6h, 1d",
                    self.refresh.tick
                ),
            )
        })?;
        let default_interval = match &self.refresh.default_interval {
            None => None,
            Some(s) => Some(parse_interval(s).ok_or_else(|| {
                setting(
                    "refresh.default_interval",
                    format!("'{s}' is not an interval like 30m, 6h, 1d"),
                )
            })?),
        };
        let mut intervals = BTreeMap::new();
        for (list, s) in &self.refresh.intervals {
            let d = parse_interval(s).ok_or_else(|| {
                setting(
                    &format!("refresh.intervals.{list}"),
                    format!("'{s}' is not an interval like 30m, 6h, 1d"),
                )
            })?;
            intervals.insert(list.clone(), d);
        }
        Ok(RefreshSettings {
            enabled: self.refresh.enabled,
            tick,
            default_interval,
            intervals,
        })
    }
}

/// A key's name: what the audit trail and access log show for its caller.
fn is_key_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

fn parse_num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, ConfigError> {
    v.parse()
        .map_err(|_| setting(name, format!("'{v}' is not a number")))
}

/// Parses `90s`, `30m`, `6h`, `1d` (a positive whole number and one unit).
pub fn parse_interval(text: &str) -> Option<Duration> {
    let t = text.trim();
    let unit = t.chars().last()?;
    let n: u64 = t.get(..t.len() - unit.len_utf8())?.parse().ok()?;
    let secs = match unit {
        's' => n,
        'm' => n.checked_mul(60)?,
        'h' => n.checked_mul(3600)?,
        'd' => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_file_env_flags_in_order() {
        let mut cfg = ServerConfig::from_toml(
            r#"
            listen = "0.0.0.0:9000"
            api_keys = ["aaaaaaaaaaaaaaaaaaaa", { name = "crm", key = "bbbbbbbbbbbbbbbbbbbb" }]
            [limits]
            max_batch = 50
            [refresh]
            tick = "1m"
            intervals = { us_ofac_sdn = "30m" }
            "#,
            "test.toml",
        )
        .expect("valid");
        assert_eq!(cfg.listen, "0.0.0.0:9000");
        let names: Vec<&str> = cfg.api_keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["key-1", "crm"]);
        assert_eq!(cfg.limits.max_batch, 50);
        assert_eq!(cfg.limits.max_limit, 500);
        cfg.apply_env(&env_of(&[
            ("SCREENER_LISTEN", "127.0.0.1:9100"),
            (
                "SCREENER_API_KEYS",
                "k1k1k1k1k1k1k1k1k1, batch=k2k2k2k2k2k2k2k2k2 ,",
            ),
            ("SCREENER_LOG_FORMAT", "JSON"),
        ]))
        .expect("env ok");
        assert_eq!(cfg.listen, "127.0.0.1:9100");
        assert_eq!(cfg.api_keys.len(), 2);
        assert_eq!(cfg.api_keys[1].key.expose(), "k2k2k2k2k2k2k2k2k2");
        assert_eq!(cfg.api_keys[1].name, "batch");
        assert_eq!(cfg.api_keys[0].name, "key-1");
        assert_eq!(cfg.log_format, LogFormat::Json);
        cfg.apply_args(&ServeArgs {
            listen: Some("127.0.0.1:9200".into()),
            no_refresh: true,
            ..ServeArgs::default()
        });
        assert_eq!(cfg.listen, "127.0.0.1:9200");
        cfg.check().expect("valid");
        let r = cfg.refresh_settings().expect("intervals");
        assert!(!r.enabled);
        assert_eq!(r.tick, Duration::from_secs(60));
        assert_eq!(r.intervals["us_ofac_sdn"], Duration::from_secs(1800));
    }

    #[test]
    fn secrets_are_not_printed() {
        let cfg = ServerConfig {
            api_keys: vec![ApiKey::new("crm", "supersecretvalue123")],
            admin_token: Some(Secret::new("anothersecretvalue")),
            ..ServerConfig::default()
        };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("supersecret"));
        assert!(!shown.contains("anothersecret"));
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = ServerConfig::from_toml("limitz = 1", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("limitz"), "{err}");
        let mut cfg = ServerConfig::default();
        cfg.refresh.intervals.insert("eu_fsf".into(), "soon".into());
        let err = cfg.check().unwrap_err().to_string();
        assert!(err.contains("refresh.intervals.eu_fsf"), "{err}");
        let cfg = ServerConfig {
            api_keys: vec![ApiKey::new("crm", "short")],
            ..ServerConfig::default()
        };
        assert!(cfg.check().unwrap_err().to_string().contains("api_keys"));
        let cfg = ServerConfig {
            api_keys: vec![
                ApiKey::new("crm", "aaaaaaaaaaaaaaaaaaaa"),
                ApiKey::new("crm", "bbbbbbbbbbbbbbbbbbbb"),
            ],
            ..ServerConfig::default()
        };
        assert!(cfg.check().unwrap_err().to_string().contains("named 'crm'"));
        let cfg = ServerConfig {
            api_keys: vec![ApiKey::new("a b", "aaaaaaaaaaaaaaaaaaaa")],
            ..ServerConfig::default()
        };
        assert!(cfg.check().unwrap_err().to_string().contains("'a b'"));
        let cfg = ServerConfig {
            listen: "8080".into(),
            ..ServerConfig::default()
        };
        assert!(cfg.check().unwrap_err().to_string().contains("listen"));
        let err = ServerConfig::default()
            .apply_env(&env_of(&[("SCREENER_MAX_BATCH", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SCREENER_MAX_BATCH"), "{err}");
    }

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_interval("6h"), Some(Duration::from_secs(21_600)));
        assert_eq!(parse_interval("1d"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_interval("0m"), None);
        assert_eq!(parse_interval("h"), None);
        assert_eq!(parse_interval("5w"), None);
        assert_eq!(parse_interval("é"), None);
    }
}
