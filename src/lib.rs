//! screener: sanctions and watchlist screening.
//!
//! The pipeline, one module per stage: `sources` (catalog) → `fetch`
//! (download) → `parse` (publisher formats → [`model::Entity`]) → `snapshot`
//! (validated list versions on disk) → `text` → `analysis` (names as tokens
//! and keys) → `linking` (one party's records across lists) → `index`
//! (name keys in tantivy) → `matching` (candidates,
//! scores, explanations) → `api` / `ui` (the analyst console) / the CLI.

/// Every program built on this crate (the binary, its tests and benches)
/// allocates with mimalloc: a screening makes and drops many small strings
/// and vectors (query analysis, retrieval keys, explanations), and glibc's
/// allocator took about a fifth of the batch's CPU time (`perf`, issue 10).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The fingerprint of this build's code: its sources and locked
/// dependencies, hashed by `build.rs`. Whatever the code derives and keeps
/// on disk (a built index, a customer's analysed names) is keyed by it, so
/// another build never reads it as its own.
pub const CODE_FINGERPRINT: &str = env!("SCREENER_CODE_FINGERPRINT");

pub mod analysis;
pub mod api;
pub mod countries;
pub mod eval;
pub mod fetch;
pub mod index;
pub mod json;
pub mod jurisdictions;
pub mod linking;
pub mod logging;
pub mod matching;
pub mod model;
pub mod monitor;
pub mod parse;
pub mod payments;
pub mod pg;
pub mod service;
pub mod snapshot;
pub mod sources;
pub mod text;
pub mod ui;
