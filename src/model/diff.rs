//! The one comparison of two entity sets, by id: what a list version added,
//! removed and changed. The snapshot store's `changes`, the service's list
//! changes and the monitor's delta rescreen all use it.

use super::Entity;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Entities added, removed (by id) and changed between two sets, each
/// sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Entities in the newer set only.
    pub added: Vec<Entity>,
    /// Ids of entities in the older set only.
    pub removed: Vec<String>,
    /// Entities in both whose content differs (as in the newer set).
    pub changed: Vec<Entity>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares two entity sets by id (any difference in schema, caption,
/// datasets or properties is a change).
pub fn diff<'a>(
    old: impl IntoIterator<Item = &'a Entity>,
    new: impl IntoIterator<Item = &'a Entity>,
) -> Changes {
    let old_by_id: HashMap<&str, &Entity> = old.into_iter().map(|e| (e.id.as_str(), e)).collect();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut out = Changes::default();
    for e in new {
        seen.insert(e.id.as_str());
        match old_by_id.get(e.id.as_str()) {
            None => out.added.push(e.clone()),
            Some(o) if *o != e => out.changed.push(e.clone()),
            Some(_) => {}
        }
    }
    out.removed = old_by_id
        .keys()
        .filter(|id| !seen.contains(*id))
        .map(|id| id.to_string())
        .collect();
    out.added.sort_by(|a, b| a.id.cmp(&b.id));
    out.changed.sort_by(|a, b| a.id.cmp(&b.id));
    out.removed.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Schema, prop};

    fn person(id: &str, name: &str) -> Entity {
        let mut e = Entity::new("x", id, Schema::Person);
        e.add(prop::NAME, name);
        e
    }

    #[test]
    fn finds_added_removed_changed() {
        let (a, b, b2, c) = (
            person("1", "A"),
            person("2", "B"),
            person("2", "B changed"),
            person("3", "C"),
        );
        let d = diff([&a, &b], [&b2, &c]);
        assert_eq!(d.added, vec![c]);
        assert_eq!(d.changed, vec![b2]);
        assert_eq!(d.removed, vec![a.id]);
        assert!(diff([&b], [&b]).is_empty());
    }
}
