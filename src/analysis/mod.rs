//! Name analysis, shared by the index and the matcher, so that both read a
//! name the same way and the dependencies run one way (text → analysis →
//! index → matching):
//!
//! - [`name`]: a name (listed or queried) turned once into Latin variants of
//!   classified tokens, each token with every key scoring compares;
//! - [`stats`]: how often each token occurs among the loaded lists;
//! - [`party`]: a listed party with its names, birth dates, countries and
//!   identifiers ready for scoring, and the ids of its distinct name
//!   variants and tokens;
//! - [`query`]: the query's side of the same;
//! - [`sym`]: the shared text of token keys, which recur across millions of names.

pub mod name;
pub mod party;
pub mod query;
pub mod stats;
pub mod sym;

pub use name::{
    MAX_JOINED_WORDS, MAX_TOKENS, MAX_VARIANTS, NO_TOKEN_ID, PreparedName, PreparedToken,
    PreparedVariant, VariantShape, is_distinctive, is_nasab_marker, surname_ending,
};
pub use party::{
    IdHasher, MIN_IDENTIFIER_CHARS, PreparedEntity, assign_token_ids, assign_variant_ids,
    compact_identifier, identifier_forms, imo_check_digit_ok, looks_like_bic, normalize_identifier,
};
pub use query::PreparedQuery;
pub use stats::TokenStats;
pub use sym::{Interner, Sym, sharing_text};
