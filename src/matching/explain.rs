//! Explanations: what an analyst needs to see why a score is what it is —
//! which query part met which listed name (and alias), how each part matched,
//! and which attributes raised or lowered the score — as structured data and
//! as one readable sentence.

use super::similarity::TokenMatch;
use serde::Serialize;

/// One aligned pair of tokens.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenExplanation {
    pub query: String,
    pub listed: String,
    pub how: TokenMatch,
    pub similarity: f64,
}

/// A scoring feature that applied, and what it did to the score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Qualifier {
    /// The feature's name in [`super::features::FEATURES`] (`birthDate`,
    /// `commonTokensOnly`, …).
    pub feature: String,
    /// Change to the score (positive raises it); 0 for a cap the score was
    /// already under.
    pub effect: f64,
    pub detail: String,
}

/// Why a listed party scored what it scored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// The listed name that matched best, as the list spells it.
    pub matched_name: String,
    /// The property it comes from: `name`, `alias`, `weakAlias` or `previousName`.
    pub matched_property: String,
    /// The query as romanised and tokenised for this comparison.
    pub query_form: String,
    /// The listed name as romanised and tokenised.
    pub listed_form: String,
    pub tokens: Vec<TokenExplanation>,
    pub unmatched_query: Vec<String>,
    pub unmatched_listed: Vec<String>,
    /// The name similarity, before any feature.
    pub name_score: f64,
    /// The features that applied, in the order they apply: `name_score`
    /// plus their effects is the score (kept within [0, 1]).
    pub qualifiers: Vec<Qualifier>,
    pub score: f64,
    pub threshold: f64,
    /// One sentence for a person to read.
    pub summary: String,
}

impl Explanation {
    /// Builds the summary sentence from the structured parts.
    pub fn summarise(&mut self) {
        let mut s = format!(
            "Query matched {} \"{}\" with name score {:.2}",
            property_label(&self.matched_property),
            self.matched_name,
            self.name_score
        );
        if !self.tokens.is_empty() {
            let parts: Vec<String> = self
                .tokens
                .iter()
                .map(|t| {
                    if matches!(t.how, TokenMatch::Exact) {
                        format!("\"{}\" exact", t.query)
                    } else {
                        format!("\"{}\"~\"{}\" {}", t.query, t.listed, t.how.describe())
                    }
                })
                .collect();
            s.push_str(&format!(" ({})", parts.join(", ")));
        }
        if !self.unmatched_query.is_empty() {
            s.push_str(&format!(
                "; query parts not found: {}",
                self.unmatched_query.join(" ")
            ));
        }
        if !self.unmatched_listed.is_empty() {
            s.push_str(&format!(
                "; listed parts not in query: {}",
                self.unmatched_listed.join(" ")
            ));
        }
        for q in &self.qualifiers {
            s.push_str(&format!("; {} ({:+.2})", q.detail, q.effect));
        }
        let verdict = if self.score >= self.threshold {
            "alerts"
        } else {
            "below"
        };
        s.push_str(&format!(
            ". Score {:.2} {} threshold {:.2}.",
            self.score, verdict, self.threshold
        ));
        self.summary = s;
    }
}

fn property_label(p: &str) -> &str {
    match p {
        "name" => "the primary name",
        "alias" => "the alias",
        "weakAlias" => "the weak alias",
        "previousName" => "the former name",
        super::score::IDENTIFIER_ONLY => "by identifier alone (no name given)",
        other => other,
    }
}
