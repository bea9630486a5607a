//! The hold rules of payment screening: thresholds and hold flags per role,
//! the jurisdiction lists that hold, the lists screened and the limits on a
//! message. The defaults are `rules.toml` next to this file (built in, and
//! the only place they are written); a user's file overrides any of its keys.

use super::model::Role;
use crate::jurisdictions::ListKind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The built-in rules.
pub const DEFAULT_RULES: &str = include_str!("rules.toml");

/// The rule of one role.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    /// Name hits at or above this score are reported.
    pub threshold: f64,
    /// Whether hits on this role hold the payment.
    pub hold: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionRules {
    /// Jurisdiction lists whose hits hold.
    pub hold: Vec<ListKind>,
}

/// The documented limits on one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub max_message_bytes: usize,
    pub max_transactions: usize,
    pub max_field_chars: usize,
    pub max_free_text_fields: usize,
    pub max_text_windows: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    lists: Vec<String>,
    roles: BTreeMap<String, RoleRule>,
    jurisdictions: JurisdictionRules,
    limits: Limits,
}

/// The rules in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// List ids or collections screened; empty means every loaded list.
    pub lists: Vec<String>,
    roles: BTreeMap<Role, RoleRule>,
    pub jurisdictions: JurisdictionRules,
    pub limits: Limits,
    /// Where the rules came from ("built in", or the file that overrode them).
    pub origin: String,
}

/// Why a rules file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("payment rules {origin}: {message}")]
pub struct RulesError {
    pub origin: String,
    pub message: String,
}

/// `over` merged into `base`: tables key by key, anything else replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

impl Rules {
    /// The built-in rules.
    pub fn builtin() -> Rules {
        // The built-in file is checked by this module's tests.
        Rules::with_overrides(None, "built in").unwrap_or_else(|e| panic!("{e}"))
    }

    /// The built-in rules with the keys of `path` overriding them.
    pub fn load(path: &Path) -> Result<Rules, RulesError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RulesError {
            origin: origin.clone(),
            message: format!("cannot read: {e}"),
        })?;
        Rules::with_overrides(Some(&text), &origin)
    }

    /// The built-in rules with the keys of the TOML text `over` overriding them.
    pub fn with_overrides(over: Option<&str>, origin: &str) -> Result<Rules, RulesError> {
        let err = |message: String| RulesError {
            origin: origin.to_string(),
            message,
        };
        let mut table: toml::Table = toml::from_str(DEFAULT_RULES)
            .map_err(|e| err(format!("built-in rules do not parse: {e}")))?;
        if let Some(text) = over {
            let user: toml::Table = toml::from_str(text).map_err(|e| err(e.to_string()))?;
            merge(&mut table, user);
        }
        // Unknown roles first: "missing field `hold` in `roles.banker`"
        // would hide that the role does not exist.
        if let Some(toml::Value::Table(roles)) = table.get("roles")
            && let Some(name) = roles.keys().find(|k| Role::from_name(k).is_none())
        {
            return Err(err(format!(
                "unknown role '{name}' in [roles] (roles: {})",
                Role::ALL.map(Role::as_str).join(", ")
            )));
        }
        let raw: RawRules = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| err(e.to_string()))?;
        let mut roles = BTreeMap::new();
        for (name, rule) in raw.roles {
            let Some(role) = Role::from_name(&name) else {
                continue;
            };
            if !(0.0..=1.0).contains(&rule.threshold) {
                return Err(err(format!(
                    "roles.{name}.threshold {} is outside [0, 1]",
                    rule.threshold
                )));
            }
            roles.insert(role, rule);
        }
        if let Some(missing) = Role::ALL.into_iter().find(|r| !roles.contains_key(r)) {
            return Err(err(format!("no rule for role '{missing}'")));
        }
        let l = raw.limits;
        if l.max_message_bytes == 0
            || l.max_transactions == 0
            || l.max_field_chars == 0
            || l.max_free_text_fields == 0
            || l.max_text_windows == 0
        {
            return Err(err("every limit must be at least 1".into()));
        }
        Ok(Rules {
            lists: raw.lists,
            roles,
            jurisdictions: raw.jurisdictions,
            limits: raw.limits,
            origin: origin.to_string(),
        })
    }

    /// The rule of a role.
    pub fn role(&self, role: Role) -> RoleRule {
        // Every role has a rule: checked when the rules were built.
        self.roles.get(&role).copied().unwrap_or(RoleRule {
            threshold: crate::matching::DEFAULT_WEIGHTS.threshold,
            hold: true,
        })
    }

    /// Whether hits on this jurisdiction list hold.
    pub fn jurisdiction_holds(&self, list: ListKind) -> bool {
        self.jurisdictions.hold.contains(&list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_cover_every_role() {
        let r = Rules::builtin();
        for role in Role::ALL {
            let rule = r.role(role);
            assert!((0.0..=1.0).contains(&rule.threshold), "{role}");
        }
        assert_eq!(
            r.role(Role::Debtor).threshold,
            crate::matching::DEFAULT_WEIGHTS.threshold,
            "party names use the matcher's own threshold by default"
        );
        assert!(r.jurisdiction_holds(ListKind::ComprehensiveSanctions));
        assert!(!r.jurisdiction_holds(ListKind::FatfIncreasedMonitoring));
        assert!(r.limits.max_message_bytes < 10 * 1024 * 1024);
    }

    #[test]
    fn overrides_change_only_their_keys() {
        let r = Rules::with_overrides(
            Some("[roles]\nintermediary_agent = { threshold = 0.9, hold = false }\n[limits]\nmax_transactions = 5\n"),
            "t.toml",
        )
        .expect("valid");
        assert!(!r.role(Role::IntermediaryAgent).hold);
        assert_eq!(r.role(Role::IntermediaryAgent).threshold, 0.9);
        assert!(r.role(Role::Creditor).hold);
        assert_eq!(r.limits.max_transactions, 5);
        assert_eq!(
            r.limits.max_field_chars,
            Rules::builtin().limits.max_field_chars
        );
        assert_eq!(r.origin, "t.toml");
        // A role's table can set one key and keep the other.
        let r = Rules::with_overrides(Some("[roles]\ndebtor = { threshold = 0.9 }"), "t")
            .expect("valid");
        assert_eq!(r.role(Role::Debtor).threshold, 0.9);
        assert!(r.role(Role::Debtor).hold);
    }

    #[test]
    fn bad_overrides_are_errors() {
        for (text, want) in [
            (
                "[roles]\nbanker = { threshold = 0.9, hold = true }",
                "unknown role 'banker'",
            ),
            (
                "[roles]\ndebtor = { threshold = 1.5, hold = true }",
                "outside [0, 1]",
            ),
            ("[roles]\ndebtor = { threshold = \"high\" }", "invalid type"),
            ("[jurisdictions]\nhold = [\"grey\"]", "unknown variant"),
            ("colour = 1", "unknown field"),
            ("[limits]\nmax_transactions = 0", "at least 1"),
            ("lists = ", "TOML parse error"),
        ] {
            let e = Rules::with_overrides(Some(text), "t.toml")
                .expect_err(text)
                .to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
