//! `screener serve`: for now opens the store, reports the lists it would
//! serve and exits; the HTTP API replaces this stub.

use super::{CliError, CliResult, Context, thousands};
use clap::Args;
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "SCREENER_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR:PORT"
    )]
    listen: String,
}

pub fn run(ctx: &Context, args: ServeArgs) -> CliResult {
    let addr: SocketAddr = args.listen.parse().map_err(|_| {
        CliError::new(format!(
            "--listen '{}' is not an address like 0.0.0.0:8080",
            args.listen
        ))
    })?;
    let store = ctx.open_store(None)?;
    let lists = store.lists();
    let loaded: Vec<_> = lists.iter().filter(|l| l.current.is_some()).collect();
    for l in &lists {
        match &l.current {
            Some(m) => println!(
                "loaded {} version {} ({} entities)",
                l.id,
                m.version,
                thousands(m.entities)
            ),
            None => println!(
                "no version of {} ({})",
                l.id,
                l.last_error.as_deref().unwrap_or("never loaded")
            ),
        }
    }
    println!(
        "{} lists loaded from {}; the HTTP API is not built yet, so nothing listens on {addr}",
        loaded.len(),
        store.root().display()
    );
    Ok(ExitCode::SUCCESS)
}
