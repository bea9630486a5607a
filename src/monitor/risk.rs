//! The customer risk rating: transparent rules, each adding a reason, the
//! highest level among them winning. `low` < `medium` < `high` <
//! `prohibited`. The rules and their levels come from the `[monitor.risk]`
//! table of the configuration (documented in the README); the jurisdiction
//! rule asks a [`Jurisdictions`] source which countries are listed.

use super::store::{Alert, AlertStatus};
use serde::{Deserialize, Serialize};

/// Risk levels, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Prohibited,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Prohibited => "prohibited",
        }
    }

    pub fn parse(s: &str) -> Option<RiskLevel> {
        [
            RiskLevel::Low,
            RiskLevel::Medium,
            RiskLevel::High,
            RiskLevel::Prohibited,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
}

/// One reason of a rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReason {
    pub rule: String,
    pub level: RiskLevel,
    pub detail: String,
}

/// A customer's rating with every reason that applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskRating {
    pub level: RiskLevel,
    pub reasons: Vec<RiskReason>,
    /// The hash of the rules that produced it.
    pub rules: String,
}

/// The rules (`[monitor.risk]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskRules {
    /// A confirmed sanctions match (an alert decided `true_match`).
    pub confirmed_match: RiskLevel,
    /// An open or escalated alert.
    pub open_alert: RiskLevel,
    /// A country on a jurisdiction list, by the list's category
    /// (`comprehensive`, `fatf_call_for_action`, `fatf_increased_monitoring`).
    pub jurisdiction_levels: std::collections::BTreeMap<String, RiskLevel>,
    /// Segments rated at least this high (`{ "money_services" = "high" }`).
    pub segments: std::collections::BTreeMap<String, RiskLevel>,
}

impl Default for RiskRules {
    fn default() -> Self {
        RiskRules {
            confirmed_match: RiskLevel::Prohibited,
            open_alert: RiskLevel::High,
            jurisdiction_levels: [
                ("comprehensive".to_string(), RiskLevel::Prohibited),
                ("fatf_call_for_action".to_string(), RiskLevel::High),
                ("fatf_increased_monitoring".to_string(), RiskLevel::Medium),
            ]
            .into_iter()
            .collect(),
            segments: Default::default(),
        }
    }
}

/// Which jurisdiction lists name a country: `(category, list title)` pairs.
pub trait Jurisdictions: Send + Sync {
    fn lists_naming(&self, country: &str) -> Vec<(String, String)>;
    /// Identifies the data (source and date) for the rating's rules hash.
    fn version(&self) -> String;
}

/// No jurisdiction data (the rule then never applies).
#[derive(Debug, Default)]
pub struct NoJurisdictions;

impl Jurisdictions for NoJurisdictions {
    fn lists_naming(&self, _country: &str) -> Vec<(String, String)> {
        Vec::new()
    }
    fn version(&self) -> String {
        "none".into()
    }
}

impl RiskRules {
    /// The hash identifying these rules with the jurisdiction data.
    pub fn hash(&self, jurisdictions: &dyn Jurisdictions) -> String {
        use sha2::{Digest, Sha256};
        let text = format!(
            "{}|{}",
            serde_json::to_string(self).unwrap_or_default(),
            jurisdictions.version()
        );
        hex::encode(Sha256::digest(text.as_bytes()))[..16].to_string()
    }

    /// Rates a customer from its countries, segment and current alerts.
    pub fn rate(
        &self,
        countries: &[String],
        segment: Option<&str>,
        alerts: &[Alert],
        jurisdictions: &dyn Jurisdictions,
    ) -> RiskRating {
        let mut reasons = Vec::new();
        for a in alerts {
            match a.status {
                AlertStatus::TrueMatch => reasons.push(RiskReason {
                    rule: "confirmed_match".into(),
                    level: self.confirmed_match,
                    detail: format!(
                        "confirmed match with {} ({}), alert {}",
                        a.entity_caption, a.entity_id, a.id
                    ),
                }),
                s if s.is_active() => reasons.push(RiskReason {
                    rule: "open_alert".into(),
                    level: self.open_alert,
                    detail: format!(
                        "{} alert {} on {} ({}), score {:.2}",
                        s.as_str(),
                        a.id,
                        a.entity_caption,
                        a.entity_id,
                        a.score
                    ),
                }),
                _ => {}
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in countries {
            let lower = c.trim().to_ascii_lowercase();
            let code = if crate::countries::is_code(&lower) {
                lower
            } else {
                crate::countries::country_code(c)
                    .map(str::to_string)
                    .unwrap_or(lower)
            };
            if !seen.insert(code.clone()) {
                continue;
            }
            for (category, title) in jurisdictions.lists_naming(&code) {
                if let Some(level) = self.jurisdiction_levels.get(&category) {
                    reasons.push(RiskReason {
                        rule: format!("jurisdiction:{category}"),
                        level: *level,
                        detail: format!("country '{code}' is on {title}"),
                    });
                }
            }
        }
        if let Some(s) = segment
            && let Some(level) = self.segments.get(s)
        {
            reasons.push(RiskReason {
                rule: "segment".into(),
                level: *level,
                detail: format!("segment '{s}' is rated {}", level.as_str()),
            });
        }
        let level = reasons
            .iter()
            .map(|r| r.level)
            .max()
            .unwrap_or(RiskLevel::Low);
        if reasons.is_empty() {
            reasons.push(RiskReason {
                rule: "none".into(),
                level: RiskLevel::Low,
                detail: "no rule applies".into(),
            });
        }
        RiskRating {
            level,
            reasons,
            rules: self.hash(jurisdictions),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Iran comprehensively sanctioned, Myanmar on the FATF call for action.
    struct Double;

    impl Jurisdictions for Double {
        fn lists_naming(&self, country: &str) -> Vec<(String, String)> {
            match country {
                "ir" => vec![(
                    "comprehensive".into(),
                    "US comprehensive sanctions (test)".into(),
                )],
                "mm" => vec![(
                    "fatf_call_for_action".into(),
                    "FATF call for action (test)".into(),
                )],
                _ => Vec::new(),
            }
        }
        fn version(&self) -> String {
            "test-1".into()
        }
    }

    fn alert(status: AlertStatus) -> Alert {
        Alert {
            id: 7,
            customer_id: "c".into(),
            entity_id: "us_ofac_sdn:1".into(),
            list: "us_ofac_sdn".into(),
            entity_caption: "X".into(),
            status,
            score: 0.9,
            matching: true,
            explanation: None,
            raised_by: "us_ofac_sdn@v1".into(),
            last_seen_in: "us_ofac_sdn@v1".into(),
            entity_fp: String::new(),
            customer_fp: String::new(),
            previous_alert_id: None,
            pending_true_match_by: None,
            revision: 1,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_highest_rule_wins_and_every_reason_is_listed() {
        let rules = RiskRules {
            segments: [("money_services".to_string(), RiskLevel::High)].into(),
            ..RiskRules::default()
        };
        let r = rules.rate(&[], None, &[], &Double);
        assert_eq!(r.level, RiskLevel::Low);
        let r = rules.rate(&["Myanmar".into(), "de".into()], None, &[], &Double);
        assert_eq!(r.level, RiskLevel::High);
        assert!(r.reasons[0].detail.contains("'mm'"), "{r:?}");
        let r = rules.rate(
            &["IR".into()],
            Some("money_services"),
            &[alert(AlertStatus::Open)],
            &Double,
        );
        assert_eq!(r.level, RiskLevel::Prohibited);
        assert_eq!(r.reasons.len(), 3, "{r:?}");
        let r = rules.rate(
            &[],
            Some("money_services"),
            &[alert(AlertStatus::FalsePositive)],
            &Double,
        );
        assert_eq!(r.level, RiskLevel::High);
        assert_eq!(r.reasons.len(), 1);
        let r = rules.rate(&[], None, &[alert(AlertStatus::TrueMatch)], &Double);
        assert_eq!(r.level, RiskLevel::Prohibited);
        // The rules hash changes with the rules and with the data.
        assert_ne!(rules.hash(&Double), RiskRules::default().hash(&Double));
        assert_ne!(rules.hash(&Double), rules.hash(&NoJurisdictions));
    }
}
