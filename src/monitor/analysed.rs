//! A customer's names as analysed, kept in the store beside its record:
//! a rescreen (delta or full) and the customer index at start read them
//! back instead of analysing each name again. Analysing a name was most
//! of what scoring a stored customer against a few parties cost.
//!
//! Stored bytes:
//!
//! ```text
//! [8 bytes]  the code fingerprint of the build that analysed them
//!            (crate::CODE_FINGERPRINT as a little-endian u64)
//! [rest]     postcard: Vec<PreparedQuery>, one per name the customer
//!            gives (its name, then its aliases) that could be analysed
//! ```
//!
//! The names are kept as [`crate::matching::prepare_query`] makes them,
//! before the loaded lists mark their frequent tokens: which tokens are
//! common depends on the lists, so [`crate::matching::Matcher::mark_common`]
//! does it at each use. Analysis is code, so bytes another build wrote, or
//! bytes that do not decode, are a miss: the names are analysed from the
//! record again, and the screening is the same either way.

use super::customer::Customer;
use crate::analysis::PreparedQuery;

/// This build's code fingerprint as a number (see `build.rs`).
fn stamp() -> u64 {
    u64::from_str_radix(crate::CODE_FINGERPRINT, 16).unwrap_or(0)
}

/// The customer's names analysed, unmarked (see the module doc): those of
/// its name and aliases that can be analysed, in that order.
pub fn analyse(c: &Customer) -> Vec<PreparedQuery> {
    c.queries()
        .iter()
        .filter_map(|q| crate::matching::prepare_query(q).ok())
        .map(|p| p.query)
        .collect()
}

/// The stored bytes of analysed names.
pub fn encode(names: &[PreparedQuery]) -> Vec<u8> {
    let mut out = stamp().to_le_bytes().to_vec();
    // Encoding into a vector fails only on types postcard cannot write,
    // which these are not; an empty tail decodes as a miss.
    if let Ok(body) = postcard::to_stdvec(names) {
        out.extend_from_slice(&body);
    }
    out
}

/// The names stored as `bytes`, if this build wrote them and they decode.
pub fn decode(bytes: &[u8]) -> Option<Vec<PreparedQuery>> {
    let (head, body) = bytes.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*head) != stamp() {
        return None;
    }
    match postcard::take_from_bytes::<Vec<PreparedQuery>>(body) {
        Ok((names, [])) => Some(names),
        _ => None,
    }
}

/// A stored customer's names, analysed: decoded from `analysis` when this
/// build wrote it, else analysed from the record. `None` if the record
/// does not read as a customer (and nothing usable was stored).
pub fn of_stored(record: &str, analysis: Option<&[u8]>) -> Option<Vec<PreparedQuery>> {
    read_stored(record, analysis).map(|(names, _)| names)
}

/// [`of_stored`], saying whether the names had to be analysed again
/// (`true`: what was stored is missing or another build's).
pub fn read_stored(record: &str, analysis: Option<&[u8]>) -> Option<(Vec<PreparedQuery>, bool)> {
    if let Some(names) = analysis.and_then(decode) {
        return Some((names, false));
    }
    let c: Customer = serde_json::from_str(record).ok()?;
    Some((analyse(&c), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names in several scripts, with the secondary fields analysis reads.
    fn customers() -> Vec<Customer> {
        let person = |name: &str, aliases: &[&str]| Customer {
            id: Some(name.to_string()),
            name: name.to_string(),
            schema: Some("Person".into()),
            birth_date: Some("07/10/1952".into()),
            countries: vec!["ru".into()],
            identifiers: vec!["AB 123-456".into()],
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..Customer::default()
        };
        vec![
            person(
                "PUTIN, Vladimir Vladimirovich",
                &["Путин Владимир", "Wladimir Putin"],
            ),
            person("محمد علی رضایی", &["Mohammad Ali REZAEI"]),
            person("金正恩", &["김정은"]),
            Customer {
                name: "Tidewater Middle East Co.".into(),
                schema: Some("Company".into()),
                aliases: vec!["شرکت تایدواتر خاورمیانه".into()],
                ..Customer::default()
            },
            Customer {
                first_name: Some("Ivan".into()),
                last_name: Some("Petrov".into()),
                ..Customer::default()
            },
        ]
    }

    #[test]
    fn stored_names_read_back_as_analysing_the_record_again_gives_them() {
        for c in customers() {
            let names = analyse(&c);
            assert_eq!(names.len(), 1 + c.aliases.len(), "{}", c.name);
            let stored = encode(&names);
            assert_eq!(decode(&stored).as_ref(), Some(&names), "{}", c.name);
            let record = c.canonical_json();
            assert_eq!(of_stored(&record, Some(&stored)), Some(names.clone()));
            assert_eq!(of_stored(&record, None), Some(names), "{}", c.name);
        }
    }

    #[test]
    fn names_another_build_stored_or_damaged_bytes_are_analysed_from_the_record() {
        let c = &customers()[0];
        let names = analyse(c);
        let stored = encode(&names);
        let mut other_build = stored.clone();
        other_build[0] ^= 1;
        let mut longer = stored.clone();
        longer.push(0);
        let cut = &stored[..stored.len() - 3];
        for bad in [&other_build[..], &longer[..], cut, &stored[..5], &[]] {
            assert_eq!(decode(bad), None, "{} bytes", bad.len());
            assert_eq!(
                of_stored(&c.canonical_json(), Some(bad)),
                Some(names.clone())
            );
        }
        // A record that does not read, with nothing usable stored: no names.
        assert_eq!(of_stored("{not json", Some(&other_build)), None);
        // With the names stored, the record is not read at all.
        assert_eq!(of_stored("{not json", Some(&stored)), Some(names));
    }
}
