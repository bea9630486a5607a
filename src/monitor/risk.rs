//! The customer risk rating: transparent rules, each adding a reason, the
//! highest level among them winning. `low` < `medium` < `high` <
//! `prohibited`. The rules and their levels come from the `[monitor.risk]`
//! table of the configuration (documented in the README); the jurisdiction
//! rule asks a [`JurisdictionSource`] (by default the jurisdiction lists
//! shipped in `lists/jurisdictions.toml`, [`crate::jurisdictions`]) which
//! lists a customer's countries and addresses are on.

use super::store::{Alert, AlertStatus};
use serde::{Deserialize, Serialize};

/// Risk levels, in order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskReason {
    pub rule: String,
    pub level: RiskLevel,
    pub detail: String,
}

/// A customer's rating with every reason that applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// A country on a jurisdiction list, by the list's kind
    /// (`comprehensive_sanctions`, `fatf_call_for_action`,
    /// `fatf_increased_monitoring`).
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
                ("comprehensive_sanctions".to_string(), RiskLevel::Prohibited),
                ("fatf_call_for_action".to_string(), RiskLevel::High),
                ("fatf_increased_monitoring".to_string(), RiskLevel::Medium),
            ]
            .into_iter()
            .collect(),
            segments: Default::default(),
        }
    }
}

/// Which jurisdiction lists a customer's countries and addresses are on:
/// `(list kind, reason in words)` pairs.
pub trait JurisdictionSource: Send + Sync {
    fn hits(&self, countries: &[String], addresses: &[String]) -> Vec<(String, String)>;
    /// Identifies the data (its dates) for the rating's rules hash.
    fn version(&self) -> String;
}

/// No jurisdiction data (the rule then never applies).
#[derive(Debug, Default)]
pub struct NoJurisdictions;

impl JurisdictionSource for NoJurisdictions {
    fn hits(&self, _countries: &[String], _addresses: &[String]) -> Vec<(String, String)> {
        Vec::new()
    }
    fn version(&self) -> String {
        "none".into()
    }
}

/// The jurisdiction lists shipped with the program.
#[derive(Debug, Default)]
pub struct BuiltinJurisdictions;

impl JurisdictionSource for BuiltinJurisdictions {
    fn hits(&self, countries: &[String], addresses: &[String]) -> Vec<(String, String)> {
        let j = crate::jurisdictions::Jurisdictions::builtin();
        let mut out: Vec<(String, String)> = Vec::new();
        let mut push = |hit: crate::jurisdictions::JurisdictionHit| {
            let kind = hit.list.as_str().to_string();
            if !out.iter().any(|(k, r)| *k == kind && *r == hit.reason) {
                out.push((kind, hit.reason));
            }
        };
        for c in countries {
            let code = crate::countries::iso_code(c)
                .map(str::to_string)
                .or_else(|| crate::countries::country_code(c).map(str::to_string));
            if let Some(code) = code {
                j.country(&code).into_iter().for_each(&mut push);
            }
        }
        for a in addresses {
            j.address(None, &[a.as_str()])
                .into_iter()
                .for_each(&mut push);
        }
        out
    }

    fn version(&self) -> String {
        let j = crate::jurisdictions::Jurisdictions::builtin();
        let dates: Vec<String> = j
            .lists
            .iter()
            .map(|l| format!("{}@{}", l.kind, l.as_of))
            .collect();
        format!("{} {}", j.checked, dates.join(" "))
    }
}

impl RiskRules {
    /// The hash identifying these rules with the jurisdiction data.
    pub fn hash(&self, jurisdictions: &dyn JurisdictionSource) -> String {
        use sha2::{Digest, Sha256};
        let text = format!(
            "{}|{}",
            serde_json::to_string(self).unwrap_or_default(),
            jurisdictions.version()
        );
        hex::encode(Sha256::digest(text.as_bytes()))[..16].to_string()
    }

    /// Rates a customer from its countries, addresses, segment and current alerts.
    pub fn rate(
        &self,
        countries: &[String],
        addresses: &[String],
        segment: Option<&str>,
        alerts: &[Alert],
        jurisdictions: &dyn JurisdictionSource,
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
        for (kind, reason) in jurisdictions.hits(countries, addresses) {
            if let Some(level) = self.jurisdiction_levels.get(&kind) {
                reasons.push(RiskReason {
                    rule: format!("jurisdiction:{kind}"),
                    level: *level,
                    detail: reason,
                });
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

    impl JurisdictionSource for Double {
        fn hits(&self, countries: &[String], _addresses: &[String]) -> Vec<(String, String)> {
            let mut out = Vec::new();
            for c in countries {
                match c.to_ascii_lowercase().as_str() {
                    "ir" => out.push((
                        "comprehensive_sanctions".into(),
                        "'ir' is comprehensively sanctioned (test)".into(),
                    )),
                    "myanmar" | "mm" => out.push((
                        "fatf_call_for_action".into(),
                        "'mm' is on the FATF call for action (test)".into(),
                    )),
                    _ => {}
                }
            }
            out
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
        let r = rules.rate(&[], &[], None, &[], &Double);
        assert_eq!(r.level, RiskLevel::Low);
        let r = rules.rate(&["Myanmar".into(), "de".into()], &[], None, &[], &Double);
        assert_eq!(r.level, RiskLevel::High);
        assert!(r.reasons[0].detail.contains("'mm'"), "{r:?}");
        let r = rules.rate(
            &["IR".into()],
            &[],
            Some("money_services"),
            &[alert(AlertStatus::Open)],
            &Double,
        );
        assert_eq!(r.level, RiskLevel::Prohibited);
        assert_eq!(r.reasons.len(), 3, "{r:?}");
        let r = rules.rate(
            &[],
            &[],
            Some("money_services"),
            &[alert(AlertStatus::FalsePositive)],
            &Double,
        );
        assert_eq!(r.level, RiskLevel::High);
        assert_eq!(r.reasons.len(), 1);
        let r = rules.rate(&[], &[], None, &[alert(AlertStatus::TrueMatch)], &Double);
        assert_eq!(r.level, RiskLevel::Prohibited);
        // The rules hash changes with the rules and with the data.
        assert_ne!(rules.hash(&Double), RiskRules::default().hash(&Double));
        assert_ne!(rules.hash(&Double), rules.hash(&NoJurisdictions));
    }
}

#[cfg(test)]
mod builtin_tests {
    use super::*;

    #[test]
    fn the_shipped_lists_rate_countries_and_addresses() {
        let rules = RiskRules::default();
        let r = rules.rate(&["ir".into()], &[], None, &[], &BuiltinJurisdictions);
        assert_eq!(r.level, RiskLevel::Prohibited, "{r:?}");
        assert!(
            r.reasons[0].rule == "jurisdiction:comprehensive_sanctions",
            "{r:?}"
        );
        let r = rules.rate(
            &["de".into()],
            &["Kirova 1, Simferopol".into()],
            None,
            &[],
            &BuiltinJurisdictions,
        );
        assert_eq!(r.level, RiskLevel::Prohibited, "Crimea by its town: {r:?}");
        let r = rules.rate(
            &["de".into(), "France".into()],
            &[],
            None,
            &[],
            &BuiltinJurisdictions,
        );
        assert_eq!(r.level, RiskLevel::Low, "{r:?}");
        assert_ne!(BuiltinJurisdictions.version(), NoJurisdictions.version());
    }
}
