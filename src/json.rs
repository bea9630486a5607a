//! Strict JSON reading, used for every request body and every input row: a
//! JSON object that repeats a key is refused. serde_json (like most parsers)
//! keeps the last of two equal keys, so `{"name": "Osama bin Laden", "name":
//! "John Smith"}` would silently screen John Smith; a screener must say that
//! it cannot tell which name was meant instead.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// A value that is only walked, failing on the first object with a repeated key.
struct NoDuplicateKeys;

impl<'de> de::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Walk)
    }
}

struct Walk;

impl<'de> Visitor<'de> for Walk {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicateKeys, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicateKeys, A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if !seen.insert(key.to_string()) {
                let shown: String = key.chars().take(64).collect();
                return Err(de::Error::custom(format!(
                    "duplicate key \"{shown}\": a key may appear once per object"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }
}

/// Parses JSON text into `T`, refusing repeated keys anywhere in it. A
/// repeated key is a data error (`Category::Data`), like a wrong field type.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice::<NoDuplicateKeys>(bytes)?;
    serde_json::from_slice(bytes)
}

/// [`from_slice`] for text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    from_slice(text.as_bytes())
}

/// An optional integer field that also takes a JSON number with a zero
/// fraction (`5.0`): JSON Schema counts that as an integer, so the API's
/// contract does, and serde alone would refuse it.
pub fn opt_whole_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    let whole = n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    whole
        .and_then(|i| T::try_from(i).ok())
        .map(Some)
        .ok_or_else(|| de::Error::custom(format!("{n} is not a whole number in range")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        for text in [
            r#"{"name": "Osama bin Laden", "name": "John Smith"}"#,
            r#"{"queries": {"q": {"properties": {"name": ["A"], "name": ["B"]}}}}"#,
            r#"[{"a": 1}, {"b": 1, "b": 2}]"#,
            r#"{"a\u0062": 1, "ab": 2}"#,
        ] {
            let e = from_str::<Value>(text).unwrap_err();
            assert_eq!(e.classify(), serde_json::error::Category::Data, "{text}");
            assert!(e.to_string().contains("duplicate key"), "{e}");
        }
        assert!(from_str::<Value>(r#"{"a": {"x": 1}, "b": {"x": 2}}"#).is_ok());
        assert!(from_str::<Value>(r#"[1, "x", null, true, 2.5, {}]"#).is_ok());
        // Syntax errors stay syntax errors.
        let e = from_str::<Value>("{\"a\": ").unwrap_err();
        assert_eq!(e.classify(), serde_json::error::Category::Eof);
    }

    #[test]
    fn a_whole_number_may_carry_a_zero_fraction() {
        #[derive(serde::Deserialize)]
        struct R {
            #[serde(default, deserialize_with = "super::opt_whole_number")]
            n: Option<usize>,
        }
        let read = |t: &str| from_str::<R>(t).map(|r| r.n);
        assert_eq!(read(r#"{"n": 5}"#).ok(), Some(Some(5)));
        assert_eq!(read(r#"{"n": 5.0}"#).ok(), Some(Some(5)));
        assert_eq!(read(r#"{}"#).ok(), Some(None));
        assert!(read(r#"{"n": 5.5}"#).is_err());
        assert!(read(r#"{"n": -1}"#).is_err());
    }
}
