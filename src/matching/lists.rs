//! Which lists a screening searches. Callers name lists and collections in
//! three ways — a base (yente's `{dataset}`; the default collection when
//! none), lists to keep (`lists`, `include_dataset`) and lists to leave out
//! (`exclude_dataset`) — and this is the one place that turns them into the
//! set of loaded lists to search. Every name must be a collection or a loaded
//! list, and the result is never empty: a screener must never look clean
//! because it looked nowhere.

use super::QueryError;
use crate::model::list_id::{self, COLLECTION_DEFAULT, COLLECTION_SANCTIONS};
use std::collections::BTreeSet;

/// What the caller asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListRequest<'a> {
    /// A list or collection to start from; `None` is every loaded list.
    pub base: Option<&'a str>,
    /// When not empty, only these lists and collections (within the base).
    pub include: &'a [String],
    /// Lists and collections left out.
    pub exclude: &'a [String],
}

impl<'a> ListRequest<'a> {
    /// The lists of a `lists` field: every loaded list when empty.
    pub fn only(include: &'a [String]) -> ListRequest<'a> {
        ListRequest {
            include,
            ..ListRequest::default()
        }
    }
}

/// The lists there are to search.
#[derive(Debug, Clone, Copy)]
pub struct Loaded<'a> {
    pub lists: &'a BTreeSet<String>,
    /// The loaded lists of the `sanctions` collection.
    pub sanctions: &'a BTreeSet<String>,
}

impl Loaded<'_> {
    fn expand(&self, name: &str) -> Result<BTreeSet<String>, QueryError> {
        let name = name.trim();
        match name {
            COLLECTION_DEFAULT => Ok(self.lists.clone()),
            COLLECTION_SANCTIONS => Ok(self.sanctions.intersection(self.lists).cloned().collect()),
            id if self.lists.contains(id) => Ok(BTreeSet::from([id.to_string()])),
            id if list_id::is_valid(id) => Err(QueryError::ListNotLoaded {
                list: id.to_string(),
                loaded: self.describe(),
            }),
            other => Err(QueryError::InvalidListId(other.chars().take(80).collect())),
        }
    }

    fn describe(&self) -> String {
        if self.lists.is_empty() {
            return "no list is loaded".into();
        }
        let ids: Vec<&str> = self.lists.iter().map(String::as_str).collect();
        format!(
            "the loaded lists are {} (collections: {COLLECTION_DEFAULT}, {COLLECTION_SANCTIONS})",
            ids.join(", ")
        )
    }

    /// The lists to search: `None` means every loaded list. Fails on a name
    /// that is neither a collection nor a loaded list, and when nothing is
    /// left to search.
    pub fn select(&self, req: ListRequest<'_>) -> Result<Option<BTreeSet<String>>, QueryError> {
        let mut scope = match req.base {
            Some(b) => self.expand(b)?,
            None => self.lists.clone(),
        };
        if !req.include.is_empty() {
            let mut wanted = BTreeSet::new();
            for name in req.include {
                wanted.extend(self.expand(name)?);
            }
            scope = scope.intersection(&wanted).cloned().collect();
        }
        for name in req.exclude {
            for id in self.expand(name)? {
                scope.remove(&id);
            }
        }
        if scope.is_empty() {
            return Err(QueryError::NoListToSearch(self.why_empty(req)));
        }
        Ok((scope != *self.lists).then_some(scope))
    }

    fn why_empty(&self, req: ListRequest<'_>) -> String {
        let mut parts = Vec::new();
        if let Some(b) = req.base {
            parts.push(format!("'{b}'"));
        }
        if !req.include.is_empty() {
            parts.push(format!("only [{}]", req.include.join(", ")));
        }
        if !req.exclude.is_empty() {
            parts.push(format!("not [{}]", req.exclude.join(", ")));
        }
        let asked = if parts.is_empty() {
            "every loaded list".to_string()
        } else {
            parts.join(", ")
        };
        format!("{asked} leaves no list to search; {}", self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn names(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn collections_lists_and_exclusions() {
        let lists = set(&["us_ofac_sdn", "un_sc_sanctions", "us_bis_denied"]);
        let sanctions = set(&["us_ofac_sdn", "un_sc_sanctions", "eu_fsf"]);
        let loaded = Loaded {
            lists: &lists,
            sanctions: &sanctions,
        };
        assert_eq!(loaded.select(ListRequest::default()), Ok(None));
        assert_eq!(
            loaded.select(ListRequest::only(&names(&["default"]))),
            Ok(None)
        );
        assert_eq!(
            loaded.select(ListRequest::only(&names(&["sanctions"]))),
            Ok(Some(set(&["un_sc_sanctions", "us_ofac_sdn"])))
        );
        assert_eq!(
            loaded.select(ListRequest {
                base: Some("sanctions"),
                include: &[],
                exclude: &names(&["us_ofac_sdn"]),
            }),
            Ok(Some(set(&["un_sc_sanctions"])))
        );
        assert_eq!(
            loaded.select(ListRequest::only(&names(&[" us_bis_denied "]))),
            Ok(Some(set(&["us_bis_denied"])))
        );
    }

    #[test]
    fn a_list_not_loaded_or_not_a_list_is_an_error_naming_it() {
        let lists = set(&["us_ofac_sdn"]);
        let sanctions = set(&["us_ofac_sdn", "gb_fcdo_sanctions"]);
        let loaded = Loaded {
            lists: &lists,
            sanctions: &sanctions,
        };
        for (name, want) in [
            ("gb_fcdo_sanctions", "gb_fcdo_sanctions"),
            ("custom:foo", "custom:foo"),
            ("us_ofac", "us_ofac"),
        ] {
            let e = loaded
                .select(ListRequest::only(&names(&[name])))
                .unwrap_err();
            assert!(matches!(e, QueryError::ListNotLoaded { .. }), "{e:?}");
            let msg = e.to_string();
            assert!(msg.contains(want) && msg.contains("us_ofac_sdn"), "{msg}");
        }
        for bad in ["", "US_OFAC_SDN", "../x", "custom:"] {
            let e = loaded
                .select(ListRequest::only(&names(&[bad])))
                .unwrap_err();
            assert!(matches!(e, QueryError::InvalidListId(_)), "{bad}: {e:?}");
        }
        // A typo in an exclusion is an error too: it would silently search more.
        let e = loaded
            .select(ListRequest {
                base: None,
                include: &[],
                exclude: &names(&["us_ofac_sd"]),
            })
            .unwrap_err();
        assert!(e.to_string().contains("us_ofac_sd"), "{e}");
    }

    #[test]
    fn nothing_left_to_search_is_an_error() {
        let lists = set(&["us_bis_denied"]);
        let sanctions = set(&["us_ofac_sdn"]);
        let loaded = Loaded {
            lists: &lists,
            sanctions: &sanctions,
        };
        // The sanctions collection has no loaded list.
        let e = loaded
            .select(ListRequest::only(&names(&["sanctions"])))
            .unwrap_err();
        assert!(matches!(e, QueryError::NoListToSearch(_)), "{e:?}");
        let e = loaded
            .select(ListRequest {
                base: Some("default"),
                include: &[],
                exclude: &names(&["us_bis_denied"]),
            })
            .unwrap_err();
        assert!(e.to_string().contains("no list to search"), "{e}");
        let empty = BTreeSet::new();
        let nothing = Loaded {
            lists: &empty,
            sanctions: &sanctions,
        };
        assert!(nothing.select(ListRequest::default()).is_err());
    }
}
