//! The `screener` command line: subcommands that call the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
