//! The tantivy index built from list versions, behind an atomic swap.
