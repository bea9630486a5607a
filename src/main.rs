//! The `screener` command line: subcommands that call the library.

fn main() {
    println!("screener");
}
