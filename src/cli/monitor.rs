//! The monitoring commands: `screener customers import|export`,
//! `screener alerts [decide]`, `screener monitor rescreen` and
//! `screener audit verify|export`. They work on the monitor database in the
//! data directory directly (a running `serve` may share it: SQLite
//! serialises the writers), or on the PostgreSQL database `--database`
//! names.

use super::{CliError, CliResult, Context};
use clap::{Args, Subcommand};
use screener::monitor::store::{AlertFilter, AlertStatus, MonitorError};
use screener::monitor::{DecisionRequest, Monitor, MonitorConfig};
use screener::service::Served;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

impl From<MonitorError> for CliError {
    fn from(e: MonitorError) -> CliError {
        CliError::new(e.to_string())
    }
}

/// The `[monitor]` settings: from the `serve` configuration file when given.
#[derive(Debug, Args)]
pub struct MonitorOpts {
    /// The `serve` configuration file whose `[monitor]` table applies (env SCREENER_CONFIG).
    #[arg(long, env = "SCREENER_CONFIG", value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// The monitor database: a `postgres://` URL or a SQLite file (env
    /// SCREENER_DATABASE_URL; default the file in the data directory).
    #[arg(
        long,
        env = "SCREENER_DATABASE_URL",
        value_name = "URL|FILE",
        global = true,
        hide_env_values = true
    )]
    database: Option<String>,
}

impl MonitorOpts {
    fn monitor_config(&self) -> Result<MonitorConfig, CliError> {
        let mut config = match &self.config {
            Some(p) => screener::api::config::ServerConfig::from_file(p)
                .map(|c| c.monitor)
                .map_err(|e| CliError::new(e.to_string()))?,
            None => MonitorConfig::default(),
        };
        if let Some(d) = self.database.as_deref().filter(|d| !d.trim().is_empty()) {
            config.set_database(d.trim());
        }
        Ok(config)
    }

    /// The monitor database, without the lists (for reads and decisions).
    fn open(&self, ctx: &Context) -> Result<Monitor, CliError> {
        let config = self.monitor_config()?;
        Ok(Monitor::open(config, &ctx.data_dir)?)
    }

    /// The monitor caught up with the stored lists (delta or full rescreen
    /// when they moved since it last ran).
    fn open_with_lists(
        &self,
        ctx: &Context,
    ) -> Result<(Monitor, screener::monitor::RescreenReport), CliError> {
        let monitor = self.open(ctx)?;
        let store = ctx.open_store(None)?;
        let matcher = ctx.matcher()?;
        let mut lists = BTreeMap::new();
        for status in store.lists() {
            if let Some(m) = status.current {
                lists.insert(
                    status.id.clone(),
                    screener::service::ListVersion {
                        id: status.id.clone(),
                        version: m.version.clone(),
                        entities: m.entities,
                        published: m.published.clone(),
                        fetched_at: Some(m.fetched_at),
                        sha256: Some(m.sha256.clone()),
                        source_urls: Vec::new(),
                    },
                );
            }
        }
        let served = Arc::new(Served {
            matcher,
            lists,
            built_at: time::OffsetDateTime::now_utc(),
            generation: 0,
        });
        monitor.load_customer_index()?;
        let load = |list: &str, version: &str| {
            store
                .load_entities(list, version)
                .map_err(|e| e.to_string())
        };
        let report = monitor.advance(served, None, &load)?;
        Ok((monitor, report))
    }
}

#[derive(Debug, Args)]
pub struct CustomersArgs {
    #[command(flatten)]
    opts: MonitorOpts,
    #[command(subcommand)]
    command: CustomersCommand,
}

#[derive(Debug, Subcommand)]
enum CustomersCommand {
    /// Import customers from CSV (by extension `.csv`) or JSONL, screening each.
    Import {
        file: PathBuf,
        /// Who imports (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        actor: String,
    },
    /// Write every customer record as JSONL (stdout, or --output).
    Export {
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

fn output(path: &Option<PathBuf>) -> Result<Box<dyn Write>, CliError> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(std::fs::File::create(p).map_err(|e| {
            CliError::new(format!("cannot create {}: {e}", p.display()))
        })?)),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

pub fn customers(ctx: &Context, args: CustomersArgs) -> CliResult {
    match args.command {
        CustomersCommand::Import { file, actor } => {
            let input = std::fs::File::open(&file)
                .map_err(|e| CliError::new(format!("cannot open {}: {e}", file.display())))?;
            let is_csv = file
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let rows =
                screener::monitor::customer::read_file(std::io::BufReader::new(input), is_csv)?;
            let (monitor, _) = args.opts.open_with_lists(ctx)?;
            let (mut created, mut updated, mut unchanged, mut errors, mut alerts) = (0, 0, 0, 0, 0);
            let mut duplicates = Vec::new();
            for chunk in rows.chunks(screener::monitor::MAX_BULK) {
                let r = monitor.put_customers(chunk.to_vec(), &actor)?;
                created += r.created;
                updated += r.updated;
                unchanged += r.unchanged;
                errors += r.errors;
                alerts += r.alerts_opened;
                duplicates.extend(r.duplicates);
                for e in r.results.iter().filter(|o| o.status.is_none()) {
                    eprintln!(
                        "screener: {}: {}",
                        e.id,
                        e.error.as_deref().unwrap_or("error")
                    );
                }
            }
            println!(
                "{} customers: {created} created, {updated} updated, {unchanged} unchanged, {errors} errors; {alerts} alerts opened{}",
                rows.len(),
                if duplicates.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; ids given twice (last row kept): {}",
                        duplicates.join(", ")
                    )
                }
            );
            Ok(if errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        CustomersCommand::Export { output: path } => {
            let monitor = args.opts.open(ctx)?;
            let mut out = output(&path)?;
            let mut after = 0;
            loop {
                let batch = monitor.store().scan_customers(after, 5000)?;
                let Some(last) = batch.last() else { break };
                after = last.ord;
                for c in &batch {
                    out.write_all(c.record.as_bytes())?;
                    out.write_all(b"\n")?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Debug, Args)]
pub struct AlertsArgs {
    #[command(flatten)]
    opts: MonitorOpts,
    #[command(subcommand)]
    command: Option<AlertsCommand>,
    /// Only alerts of these statuses (open, escalated, true_match, false_positive, delisted, customer_deleted).
    #[arg(long, value_delimiter = ',')]
    status: Vec<String>,
    /// Only this customer's alerts.
    #[arg(long)]
    customer: Option<String>,
    /// Only alerts on this list.
    #[arg(long)]
    list: Option<String>,
    /// Most alerts shown (newest first).
    #[arg(long, default_value_t = 1000)]
    limit: usize,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum AlertsCommand {
    /// Record a decision on an alert.
    Decide {
        id: i64,
        /// escalate, true_match or false_positive.
        #[arg(long)]
        decision: String,
        /// Why (required; goes into the audit trail).
        #[arg(long)]
        reason: String,
        /// Who decides (default: cli:$USER).
        #[arg(long)]
        analyst: Option<String>,
    },
}

pub fn alerts(ctx: &Context, args: AlertsArgs) -> CliResult {
    let monitor = args.opts.open(ctx)?;
    if let Some(AlertsCommand::Decide {
        id,
        decision,
        reason,
        analyst,
    }) = args.command
    {
        let analyst = analyst.unwrap_or_else(|| {
            format!(
                "cli:{}",
                std::env::var("USER").unwrap_or_else(|_| "unknown".into())
            )
        });
        let a = monitor.decide(
            id,
            &DecisionRequest {
                decision,
                reason,
                revision: None,
            },
            &analyst,
        )?;
        println!("alert {}: {} (by {analyst})", a.id, a.status.as_str());
        return Ok(ExitCode::SUCCESS);
    }
    let mut statuses = Vec::new();
    for s in &args.status {
        statuses.push(AlertStatus::parse(s.trim()).ok_or_else(|| {
            CliError::new(format!("--status '{s}' is not one of open, escalated, true_match, false_positive, delisted, customer_deleted"))
        })?);
    }
    let page = monitor.store().list_alerts(&AlertFilter {
        statuses,
        customer: args.customer,
        list: args.list,
        limit: args.limit.max(1),
        ..AlertFilter::default()
    })?;
    let mut out = std::io::stdout().lock();
    for a in &page.items {
        if args.json {
            serde_json::to_writer(&mut out, a)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{:>6}  {:<15} {:.2}  {:<20} {:<28} {}  ({})",
                a.id,
                a.status.as_str(),
                a.score,
                a.customer_id,
                a.entity_id,
                a.entity_caption,
                a.raised_by
            )?;
        }
    }
    if !args.json {
        writeln!(out, "{} alerts", page.items.len())?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct MonitorArgs {
    #[command(flatten)]
    opts: MonitorOpts,
    #[command(subcommand)]
    command: MonitorCommand,
}

#[derive(Debug, Subcommand)]
enum MonitorCommand {
    /// Bring every customer up to the stored lists: a delta rescreen from
    /// the versions last screened, or with --full every customer again.
    Rescreen {
        #[arg(long)]
        full: bool,
    },
}

pub fn monitor(ctx: &Context, args: MonitorArgs) -> CliResult {
    let MonitorCommand::Rescreen { full } = args.command;
    let (monitor, caught_up) = args.opts.open_with_lists(ctx)?;
    let report = if full {
        monitor.rescreen_full()?
    } else {
        caught_up
    };
    println!(
        "{} rescreen: {} parties and {} customers screened; {} alerts opened, {} updated, {} delisted in {:.1}s",
        report.kind,
        report.entities_screened,
        report.customers_screened,
        report.alerts_opened,
        report.alerts_updated,
        report.alerts_delisted,
        report.seconds
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    opts: MonitorOpts,
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain; names the first changed, deleted or moved record.
    Verify,
    /// Write records as JSONL; --from/--to take a date (2026-01-31), a time
    /// (RFC 3339) or a record number.
    Export {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// A bound of `audit export`: a record number, or a time prefix compared
/// with the records' RFC 3339 times.
enum Bound {
    Seq(i64),
    Time(String),
}

fn bound(s: &str, end: bool) -> Result<Bound, CliError> {
    if let Ok(n) = s.parse::<i64>() {
        return Ok(Bound::Seq(n));
    }
    let date = time::macros::format_description!("[year]-[month]-[day]");
    if time::Date::parse(s, date).is_ok() {
        // A whole day: from its start, or to its end.
        return Ok(Bound::Time(if end {
            format!("{s}T23:59:59.999999Z")
        } else {
            format!("{s}T00:00:00.000000Z")
        }));
    }
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            CliError::new(format!(
                "'{s}' is not a date (2026-01-31), an RFC 3339 time or a record number"
            ))
        })?;
    Ok(Bound::Time(screener::monitor::sqlite::time_text(t)))
}

pub fn audit(ctx: &Context, args: AuditArgs) -> CliResult {
    let monitor = args.opts.open(ctx)?;
    match args.command {
        AuditCommand::Verify => {
            let r = monitor.verify_audit()?;
            match r.problem {
                None => {
                    println!(
                        "audit trail intact: {} records; last {} {}",
                        r.records, r.last_seq, r.last_hash
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(p) => Err(CliError::new(format!(
                    "audit trail broken: {p} ({} records before it verified)",
                    r.records
                ))),
            }
        }
        AuditCommand::Export {
            from,
            to,
            output: path,
        } => {
            let from = from.map(|s| bound(&s, false)).transpose()?;
            let to = to.map(|s| bound(&s, true)).transpose()?;
            let mut out = output(&path)?;
            let mut after = match &from {
                Some(Bound::Seq(n)) => n - 1,
                _ => 0,
            };
            'outer: loop {
                let batch = monitor.store().audit_after(after, 5000)?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                for r in &batch {
                    if let Some(Bound::Time(t)) = &from
                        && r.at < *t
                    {
                        continue;
                    }
                    match &to {
                        Some(Bound::Seq(n)) if r.seq > *n => break 'outer,
                        Some(Bound::Time(t)) if r.at > *t => break 'outer,
                        _ => {}
                    }
                    serde_json::to_writer(&mut out, r)?;
                    out.write_all(b"\n")?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
