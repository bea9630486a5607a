//! `screener serve`: the HTTP API. All of it lives in `screener::api`; this
//! is only the wiring to the global options.

use super::{CliError, CliResult, Context};
use std::process::ExitCode;

pub use screener::api::config::ServeArgs;

pub fn run(ctx: &Context, args: ServeArgs) -> CliResult {
    screener::api::serve(
        &args,
        ctx.data_dir.clone(),
        ctx.catalog_path.clone(),
        ctx.log_format,
    )
    .map_err(|e| CliError::new(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}
