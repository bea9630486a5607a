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
