//! The sanity guards a parsed list must pass before it may replace the last
//! good version: not empty, well-formed ids, a name on every party, and an
//! entity count that has not collapsed against the current version.
//!
//! A publisher serving a truncated or placeholder file is the failure these
//! guards exist for: screening against it would silently miss parties, so the
//! old version stays in use and the problem is reported instead.

use crate::model::Entity;
use std::collections::HashSet;

/// The default largest share of entities a new version may lose (20 %).
pub const DEFAULT_MAX_DROP: f64 = 0.20;

/// Checks a parsed list. `previous` is the entity count of the current
/// version, if there is one; `max_drop` the largest share (0.0–1.0) of it
/// the new version may lose. The error text says what is wrong, for users.
pub fn validate(
    list_id: &str,
    entities: &[Entity],
    previous: Option<usize>,
    max_drop: f64,
) -> Result<(), String> {
    if entities.is_empty() {
        return Err("the files hold no entities".to_string());
    }
    let prefix = format!("{list_id}:");
    let mut ids = HashSet::with_capacity(entities.len());
    for e in entities {
        if !e.id.starts_with(&prefix) || e.id.len() == prefix.len() {
            return Err(format!(
                "entity id '{}' does not have the form {list_id}:<source id>",
                e.id
            ));
        }
        if !ids.insert(e.id.as_str()) {
            return Err(format!("entity id '{}' appears more than once", e.id));
        }
        if e.name_count() == 0 {
            return Err(format!("entity '{}' has no name", e.id));
        }
    }
    if let Some(prev) = previous {
        check_drop(prev, entities.len(), max_drop)?;
    }
    Ok(())
}

/// The count-drop rule alone: `new` may be at most `max_drop` (a share of
/// `prev`) smaller than `prev`.
pub fn check_drop(prev: usize, new: usize, max_drop: f64) -> Result<(), String> {
    if new >= prev || prev == 0 {
        return Ok(());
    }
    let lost = (prev - new) as f64 / prev as f64;
    if lost > max_drop {
        return Err(format!(
            "the entity count fell from {prev} to {new} (-{}), more than the allowed {}; \
             if the publisher really removed that many parties, import again with a larger \
             --max-drop",
            percent(lost),
            percent(max_drop)
        ));
    }
    Ok(())
}

/// `0.2` → `20 %`, `0.1257` → `12.5 %`, `0.9997` → `99.9 %`: rounded down
/// to a tenth, so a near-total loss never reads as exactly 100 %.
fn percent(share: f64) -> String {
    let tenths = (share * 1000.0 + 1e-6).floor();
    if tenths % 10.0 == 0.0 {
        format!("{:.0} %", tenths / 10.0)
    } else {
        format!("{:.1} %", tenths / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Schema, prop};

    fn entities(list: &str, n: usize) -> Vec<Entity> {
        (0..n)
            .map(|i| {
                let mut e = Entity::new(list, &i.to_string(), Schema::Person);
                e.add(prop::NAME, &format!("Person {i}"));
                e
            })
            .collect()
    }

    #[test]
    fn empty_list_is_rejected() {
        let err = validate("un_sc_sanctions", &[], Some(10), DEFAULT_MAX_DROP).unwrap_err();
        assert_eq!(err, "the files hold no entities");
        assert!(validate("un_sc_sanctions", &[], None, 1.0).is_err());
    }

    #[test]
    fn drop_of_exactly_the_allowed_share_passes_and_one_more_fails() {
        assert!(check_drop(1000, 800, 0.20).is_ok());
        let err = check_drop(1000, 799, 0.20).unwrap_err();
        assert!(
            err.starts_with(
                "the entity count fell from 1000 to 799 (-20.1 %), more than the allowed 20 %"
            ),
            "{err}"
        );
        assert!(
            check_drop(1003, 877, 0.20).is_ok(),
            "UN 2026 → 2025 loses 12.5 %"
        );
        assert!(check_drop(10, 12, 0.0).is_ok(), "growth always passes");
        assert!(check_drop(10, 9, 0.0).is_err());
        assert!(
            check_drop(10, 0, 1.0).is_ok(),
            "max_drop 1.0 disables the guard"
        );
    }

    #[test]
    fn drop_is_checked_against_the_previous_count() {
        let es = entities("x", 5);
        let err = validate("x", &es, Some(1003), DEFAULT_MAX_DROP).unwrap_err();
        assert!(err.contains("from 1003 to 5"), "{err}");
        assert!(validate("x", &es, Some(6), DEFAULT_MAX_DROP).is_ok());
        assert!(validate("x", &es, None, DEFAULT_MAX_DROP).is_ok());
    }

    #[test]
    fn duplicate_ids_wrong_prefix_and_nameless_entities_are_rejected() {
        let mut es = entities("x", 3);
        es.push(es[1].clone());
        let err = validate("x", &es, None, DEFAULT_MAX_DROP).unwrap_err();
        assert_eq!(err, "entity id 'x:1' appears more than once");

        let es = entities("y", 2);
        let err = validate("x", &es, None, DEFAULT_MAX_DROP).unwrap_err();
        assert!(
            err.contains("'y:0' does not have the form x:<source id>"),
            "{err}"
        );

        let mut es = entities("x", 2);
        es.push(Entity::new("x", "nameless", Schema::Organization));
        let err = validate("x", &es, None, DEFAULT_MAX_DROP).unwrap_err();
        assert_eq!(err, "entity 'x:nameless' has no name");
    }

    #[test]
    fn percentages_read_well() {
        assert_eq!(percent(0.2), "20 %");
        assert_eq!(percent(0.12562), "12.5 %");
        assert_eq!(percent(0.995), "99.5 %");
        assert_eq!(percent(0.29), "29 %");
        assert_eq!(percent(0.99966), "99.9 %");
        assert_eq!(percent(1.0), "100 %");
    }
}
