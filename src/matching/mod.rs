//! Screening: query analysis, candidate retrieval, scoring, explanations.
