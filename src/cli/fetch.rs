//! `screener fetch`: download the catalog's lists and store new versions,
//! one output line per list.

use super::{CliError, CliResult, Context, parse_share, thousands};
use clap::Args;
use futures_util::StreamExt;
use screener::fetch::{FetchConfig, FetchOutcome, Fetcher};
use screener::sources::ListSource;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
#[command(after_help = "\
Without --list, every catalog list with auto_fetch (all but the retired and
the licence-restricted ones) is fetched. The exit status is 1 if any list
failed; the lists that succeeded are stored all the same.")]
pub struct FetchArgs {
    /// Fetch only this list (repeatable).
    #[arg(long = "list", value_name = "ID")]
    lists: Vec<String>,

    /// Fetch from a mirror serving every file as BASE/<list id>/<file name>.
    #[arg(long, value_name = "BASE_URL")]
    mirror: Option<String>,

    /// Seconds one download attempt of one file may take.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    timeout: u64,

    /// Further attempts after a transient failure (connection, 5xx, cut-off body).
    #[arg(long, value_name = "N", default_value_t = 3)]
    retries: u32,

    /// Largest share of entities a new version may lose (0–1).
    #[arg(long, value_name = "SHARE", value_parser = parse_share)]
    max_drop: Option<f64>,
}

pub fn run(ctx: &Context, args: FetchArgs) -> CliResult {
    let catalog = ctx.catalog()?;
    let lists: Vec<ListSource> = if args.lists.is_empty() {
        catalog.auto_fetch().cloned().collect()
    } else {
        args.lists
            .iter()
            .map(|id| catalog.require(id).cloned())
            .collect::<Result<_, _>>()?
    };
    if let Some(m) = &args.mirror
        && !(m.starts_with("http://") || m.starts_with("https://"))
    {
        return Err(CliError::new(format!(
            "--mirror '{m}' is not an http(s) URL"
        )));
    }
    let store = Arc::new(ctx.open_store(args.max_drop)?);
    let config = FetchConfig {
        timeout: Duration::from_secs(args.timeout.max(1)),
        retries: args.retries,
        url_override: args.mirror,
        ..FetchConfig::default()
    };
    let fetcher = Fetcher::new(config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Lists are fetched a few at a time; results are printed in catalog order.
    let results: Vec<_> = runtime.block_on(
        futures_util::stream::iter(lists.iter().map(|list| {
            let (fetcher, store) = (&fetcher, &store);
            async move { (list, fetcher.fetch_list(store, list).await) }
        }))
        .buffered(screener::fetch::PARALLEL_LISTS)
        .collect(),
    );
    let mut failed = 0;
    let mut offline = 0;
    for (list, result) in results {
        match result {
            Ok(FetchOutcome::New(m)) => println!(
                "{}: new version {} ({} entities, {} names)",
                list.id,
                m.version,
                thousands(m.entities),
                thousands(m.names)
            ),
            Ok(FetchOutcome::Unchanged(m)) => {
                println!("{}: unchanged (version {})", list.id, m.version)
            }
            Err(e) => {
                failed += 1;
                offline += usize::from(e.is_offline());
                let msg = super::one_line(&e.to_string());
                let msg = msg.strip_prefix(&format!("{}: ", list.id)).unwrap_or(&msg);
                println!("{}: error: {msg}", list.id);
            }
        }
    }
    if failed > 0 {
        let advice = if offline > 0 {
            format!("; {}", screener::fetch::OFFLINE_ADVICE)
        } else {
            String::new()
        };
        return Err(CliError::new(format!(
            "{failed} of {} lists could not be fetched{advice}",
            lists.len()
        )));
    }
    Ok(ExitCode::SUCCESS)
}
