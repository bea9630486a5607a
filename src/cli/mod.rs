//! Command-line parsing (clap), logging set-up and error reporting for the
//! `screener` binary. Each subcommand lives in its own module and returns a
//! [`CliError`] on failure, which `main` prints as one line
//! (`screener: error: …`) with a non-zero exit status.

mod compare;
mod eval;
mod fetch;
mod import;
mod lists;
mod monitor;
mod payments;
mod screen;
mod serve;

use clap::{Parser, Subcommand};
use screener::matching::ListRequest;
use screener::snapshot::{Store, StoreConfig};
use screener::sources::Catalog;
use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

/// Sanctions and watchlist screening.
#[derive(Debug, Parser)]
#[command(name = "screener", version, about, long_about = None)]
pub struct Cli {
    /// Directory holding list versions, indexes and state.
    #[arg(
        long,
        env = "SCREENER_DATA_DIR",
        default_value = "./data",
        global = true,
        value_name = "DIR"
    )]
    data_dir: PathBuf,

    /// A list catalog to use instead of the built-in lists/sources.toml.
    #[arg(long, env = "SCREENER_CATALOG", global = true, value_name = "TOML")]
    catalog: Option<PathBuf>,

    /// Log lines as text (coloured on a terminal unless NO_COLOR is set) or as JSON objects.
    #[arg(long, env = "SCREENER_LOG_FORMAT", global = true, value_enum)]
    log_format: Option<screener::logging::LogFormat>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Download the lists of the catalog and store new versions.
    Fetch(fetch::FetchArgs),
    /// Import list files from disk (air-gapped installs, custom lists).
    Import(import::ImportArgs),
    /// Show the stored lists: current version, counts, last error.
    Lists(lists::ListsArgs),
    /// Run the HTTP API.
    Serve(serve::ServeArgs),
    /// Screen a file of parties (JSONL or CSV) against the stored lists: the batch rescreening job.
    Screen(screen::ScreenArgs),
    /// Score two records against each other, with the explanation.
    Compare(compare::CompareArgs),
    /// Run the labelled development sets and check the quality targets.
    Eval(eval::EvalArgs),
    /// Screen payment messages (ISO 20022, SWIFT MT): every party, bank, country and free text.
    Payments(payments::PaymentsArgs),
    /// Monitored customers: import (screening each) and export.
    Customers(monitor::CustomersArgs),
    /// The monitor's alerts, and decisions on them.
    Alerts(monitor::AlertsArgs),
    /// Rescreen the monitored customers against the stored lists.
    Monitor(monitor::MonitorArgs),
    /// The monitor's audit trail: verify the hash chain, export records.
    Audit(monitor::AuditArgs),
}

/// A failure to report to the user: one line, no backtrace.
#[derive(Debug)]
pub struct CliError(String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl CliError {
    pub fn new(message: impl Into<String>) -> CliError {
        CliError(message.into())
    }
}

macro_rules! from_error {
    ($($t:ty),*) => {$(
        impl From<$t> for CliError {
            fn from(e: $t) -> CliError {
                CliError(e.to_string())
            }
        }
    )*};
}
from_error!(
    screener::snapshot::StoreError,
    screener::sources::CatalogError,
    screener::sources::manifest::ManifestError,
    screener::fetch::FetchError,
    screener::parse::ParseError,
    std::io::Error,
    serde_json::Error
);

pub type CliResult = Result<ExitCode, CliError>;

pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = one_line(&info.to_string());
        eprintln!("screener: internal error (please report): {msg}");
    }));
    let cli = Cli::parse();
    // `serve` sets up logging itself, once its config file is read.
    if !matches!(cli.command, Command::Serve(_)) {
        screener::logging::init(cli.log_format.unwrap_or_default(), "warn");
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("screener: error: {}", one_line(&e.0));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> CliResult {
    let ctx = Context {
        data_dir: cli.data_dir,
        catalog_path: cli.catalog,
        log_format: cli.log_format,
    };
    match cli.command {
        Command::Fetch(args) => fetch::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Lists(args) => lists::run(&ctx, args),
        Command::Serve(args) => serve::run(&ctx, args),
        Command::Screen(args) => screen::run(&ctx, args),
        Command::Compare(args) => compare::run(&ctx, args),
        Command::Eval(args) => eval::run(args),
        Command::Payments(args) => payments::run(&ctx, args),
        Command::Customers(args) => monitor::customers(&ctx, args),
        Command::Alerts(args) => monitor::alerts(&ctx, args),
        Command::Monitor(args) => monitor::monitor(&ctx, args),
        Command::Audit(args) => monitor::audit(&ctx, args),
    }
}

/// What every subcommand gets from the global options.
pub struct Context {
    data_dir: PathBuf,
    catalog_path: Option<PathBuf>,
    log_format: Option<screener::logging::LogFormat>,
}

impl Context {
    pub fn catalog(&self) -> Result<Catalog, CliError> {
        Ok(match &self.catalog_path {
            Some(p) => Catalog::load(p)?,
            None => Catalog::builtin()?,
        })
    }

    pub fn open_store(&self, max_drop: Option<f64>) -> Result<Store, CliError> {
        let mut config = StoreConfig::default();
        if let Some(d) = max_drop {
            config.max_drop = d;
        }
        Store::open_with(&self.data_dir, config).map_err(|e| {
            CliError(format!(
                "cannot open the data directory {}: {e}",
                self.data_dir.display()
            ))
        })
    }
}

impl Context {
    /// The ids of the official sanctions lists (the `sanctions` collection).
    pub fn sanctions_ids(&self) -> Result<BTreeSet<String>, CliError> {
        Ok(self
            .catalog()?
            .sanctions_ids()
            .into_iter()
            .map(str::to_string)
            .collect())
    }

    /// The lists a `--lists` value selects among the stored lists, checked
    /// before any index is built: an unknown or unstored list, or nothing to
    /// search, is an error.
    pub fn check_lists(&self, store: &Store, lists: &[String]) -> Result<(), CliError> {
        let stored: BTreeSet<String> = store
            .lists()
            .into_iter()
            .filter(|l| l.current.is_some())
            .map(|l| l.id)
            .collect();
        if stored.is_empty() {
            return Err(self.no_lists());
        }
        let sanctions = self.sanctions_ids()?;
        screener::matching::lists::Loaded {
            lists: &stored,
            sanctions: &sanctions,
        }
        .select(ListRequest::only(lists))
        .map_err(|e| CliError::new(format!("--lists: {e}")))?;
        Ok(())
    }

    fn no_lists(&self) -> CliError {
        CliError::new(format!(
            "no lists in {}: run `screener fetch` or `screener import --manifest FILE` first",
            self.data_dir.display()
        ))
    }

    /// The matcher over the current version of every stored list.
    pub fn matcher(&self) -> Result<screener::matching::Matcher, CliError> {
        let store = self.open_store(None)?;
        self.matcher_of(&store)
    }

    /// [`Context::matcher`] over an opened store.
    pub fn matcher_of(&self, store: &Store) -> Result<screener::matching::Matcher, CliError> {
        let index = screener::index::build_from_store(store, self.sanctions_ids()?)
            .map_err(|e| CliError::new(e.to_string()))?;
        if index.is_empty() {
            return Err(self.no_lists());
        }
        Ok(screener::matching::Matcher::new(std::sync::Arc::new(index)))
    }

    /// The token statistics of the stored lists (read alone from the
    /// stored index), else `None`: compare works without lists.
    pub fn token_stats_or_none(&self) -> Option<screener::analysis::TokenStats> {
        if !self.data_dir.exists() {
            return None;
        }
        let store = self.open_store(None).ok()?;
        if store.lists().iter().all(|l| l.current.is_none()) {
            return None;
        }
        screener::index::stats_from_store(&store, self.sanctions_ids().ok()?).ok()
    }
}

/// Parses a `--max-drop` share: a number from 0 to 1.
pub fn parse_share(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number between 0 and 1"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("'{s}' is not between 0 and 1"))
    }
}

/// Joins the lines of a message so every error is one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `12345` → `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_lines() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(14965), "14,965");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(one_line("a\n  b\tc "), "a b c");
        assert!(parse_share("0.2").is_ok() && parse_share("1").is_ok());
        assert!(parse_share("1.5").is_err() && parse_share("x").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
