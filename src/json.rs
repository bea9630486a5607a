//! Strict JSON reading, used for every request body and every input row: a
//! JSON object that repeats a key is refused. serde_json (like most parsers)
//! keeps the last of two equal keys, so `{"name": "Osama bin Laden", "name":
//! "John Smith"}` would silently screen John Smith; a screener must say that
//! it cannot tell which name was meant instead.

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
}
