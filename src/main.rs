//! The `screener` command line: subcommands that call the library.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "screener",
    version,
    about = "Sanctions and watchlist screening"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (native /v1 and yente-compatible routes).
    Serve(screener::api::config::ServeArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => match screener::api::serve(&args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("screener serve: {e}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}
