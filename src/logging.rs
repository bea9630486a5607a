//! Logs, the one way every command writes them: to stderr, as readable lines
//! (coloured only when stderr is a terminal and `NO_COLOR` is not set) or as
//! one JSON object per line (`--log-format json`, `SCREENER_LOG_FORMAT=json`
//! or `log_format = "json"` in the serve config). The level filter comes from
//! `RUST_LOG`; access log lines use the target `screener::access`, so
//! `RUST_LOG=info,screener::access=warn` silences them.

use serde::Deserialize;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Log output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<LogFormat, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(LogFormat::Json),
            "text" | "pretty" | "plain" => Ok(LogFormat::Text),
            other => Err(format!("'{other}' is not json or text")),
        }
    }
}

/// Whether to colour text logs: only on a terminal, and never when the
/// `NO_COLOR` convention asks not to (set and not empty).
pub fn use_colour(stderr_is_terminal: bool, no_color: Option<&str>) -> bool {
    stderr_is_terminal && no_color.is_none_or(str::is_empty)
}

/// Installs the global subscriber; `default_filter` applies when `RUST_LOG`
/// is not set. Calling it again (tests, or serve after the CLI) does nothing.
pub fn init(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let colour = use_colour(
        std::io::stderr().is_terminal(),
        std::env::var("NO_COLOR").ok().as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => builder.with_ansi(colour).try_init(),
    };
    // Already installed: keep that one.
    drop(result);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some("")));
        assert!(!use_colour(true, Some("1")));
        assert!(!use_colour(false, None));
        assert_eq!("JSON".parse(), Ok(LogFormat::Json));
        assert!("xml".parse::<LogFormat>().is_err());
    }
}
