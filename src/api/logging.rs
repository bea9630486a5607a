//! Structured logs with `tracing`: human-readable lines by default, one JSON
//! object per line when `SCREENER_LOG_FORMAT=json` (or `log_format = "json"`).
//! The level filter comes from `RUST_LOG` (default `info`); access log lines
//! use the target `screener::access`, so `RUST_LOG=info,screener::access=warn`
//! silences them.

use super::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Calling it again (tests) does nothing.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    // Already installed (tests, or the CLI did it): keep that one.
    drop(result);
}
