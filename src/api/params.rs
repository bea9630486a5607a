//! Query-string parameters, including repeated ones (`?include_dataset=a&include_dataset=b`)
//! that yente clients send and serde's URL-encoded extractor cannot hold.
//! Values are percent-decoded (`+` is a space); every problem is a 400 JSON
//! error naming the parameter.

use super::error::ApiError;

/// The decoded parameters of one request, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// Most parameters read from one query string.
const MAX_PARAMS: usize = 256;

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one component; `None` for bad escapes or non-UTF-8 results.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex)?;
                let lo = bytes.get(i + 2).copied().and_then(hex)?;
                out.push(hi * 16 + lo);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn bad(name: &str, detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "invalid_query_parameter",
        format!("query parameter '{name}': {detail}"),
    )
}

impl Params {
    /// Parses a raw query string.
    pub fn parse(query: &str) -> Result<Params, ApiError> {
        let mut pairs = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            if pairs.len() >= MAX_PARAMS {
                return Err(ApiError::bad_request(
                    "invalid_query_parameter",
                    format!("more than {MAX_PARAMS} query parameters"),
                ));
            }
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let key = decode(k).ok_or_else(|| bad(k, "bad percent-encoding or not UTF-8"))?;
            let value = decode(v).ok_or_else(|| bad(&key, "bad percent-encoding or not UTF-8"))?;
            pairs.push((key, value));
        }
        Ok(Params { pairs })
    }

    /// Fails on a parameter not in `known`.
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        // `api_key` is a credential (read by the auth middleware), never a
        // parameter of the route.
        match self
            .pairs
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()) && k != super::auth::API_KEY_PARAM)
        {
            Some((k, _)) => Err(bad(
                k,
                format!("unknown parameter (known: {})", known.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// The last value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter; comma-separated values are split too.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// An empty value (`?limit=`) is refused, not read as absent: a
    /// parameter sent is a parameter meant.
    pub fn f64(&self, name: &str) -> Result<Option<f64>, ApiError> {
        match self.get(name).map(str::trim) {
            None => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(bad(name, format!("'{v}' is not a number"))),
            },
        }
    }

    /// An empty value (`?limit=`) is refused, not read as absent: a
    /// parameter sent is a parameter meant.
    pub fn usize(&self, name: &str) -> Result<Option<usize>, ApiError> {
        match self.get(name).map(str::trim) {
            None => Ok(None),
            Some(v) => v
                .parse::<usize>()
                .map(Some)
                .map_err(|_| bad(name, format!("'{v}' is not a whole number"))),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) => match v.as_str() {
                "" | "1" | "true" | "yes" | "on" => Ok(Some(true)),
                "0" | "false" | "no" | "off" => Ok(Some(false)),
                _ => Err(bad(name, format!("'{v}' is not true or false"))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_repeats() {
        let p =
            Params::parse("q=Kim+Jong%20Un&include_dataset=a&include_dataset=b,c&x").expect("ok");
        assert_eq!(p.get("q"), Some("Kim Jong Un"));
        assert_eq!(p.all("include_dataset"), ["a", "b", "c"]);
        assert_eq!(p.get("x"), Some(""));
        assert_eq!(p.bool("x").expect("ok"), Some(true));
        assert!(p.only(&["q", "include_dataset"]).is_err());
        let p = Params::parse("q=%D0%9F%D1%83%D1%82%D0%B8%D0%BD").expect("ok");
        assert_eq!(p.get("q"), Some("Путин"));
    }

    #[test]
    fn bad_input_is_a_400_naming_the_parameter() {
        let e = Params::parse("q=%ZZ").unwrap_err();
        assert!(e.detail.contains("'q'"), "{}", e.detail);
        assert!(Params::parse("q=%ff%fe").is_err());
        assert!(Params::parse("q=%4").is_err());
        let p = Params::parse("limit=ten&threshold=NaN").expect("ok");
        assert!(p.usize("limit").unwrap_err().detail.contains("limit"));
        assert!(p.f64("threshold").is_err());
    }
}
