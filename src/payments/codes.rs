//! The codes payment messages carry, checked: BICs (ISO 9362), IBANs (ISO
//! 13616, mod-97 check digits) and country codes (ISO 3166-1 alpha-2). A
//! code that fails its check is still screened on what can be read of it
//! (an IBAN's country prefix, a BIC's first eight characters); the problem
//! becomes a warning on the result.

/// A BIC read from a message, normalised (upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bic {
    pub value: String,
}

impl Bic {
    /// Upper case without spaces; `None` when it has fewer than eight
    /// letters and digits, or anything else (nothing to screen). A BIC of
    /// another length is kept: its first eight characters are still looked
    /// up, and [`Bic::problem`] says what is wrong.
    pub fn read(raw: &str) -> Option<Bic> {
        let value: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let ok = value.len() >= 8 && value.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then_some(Bic { value })
    }

    /// The institution and location: the first eight characters.
    pub fn bic8(&self) -> &str {
        self.value.get(..8).unwrap_or(&self.value)
    }

    /// The country code (lower case), when it is an assigned ISO code.
    pub fn country(&self) -> Option<&'static str> {
        self.value.get(4..6).and_then(crate::countries::iso_code)
    }

    /// Why the BIC is not well-formed, if it is not: 8 or 11 characters,
    /// four letters or digits for the institution, an assigned country
    /// code, two characters for the location, optionally three for the branch.
    pub fn problem(&self) -> Option<String> {
        let v = &self.value;
        if !matches!(v.len(), 8 | 11) {
            return Some(format!(
                "BIC {v} has {} characters, not 8 or 11; looked up by its first eight",
                v.len()
            ));
        }
        let country = v.get(4..6).unwrap_or("");
        if !country.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Some(format!(
                "BIC {v}: characters 5-6 ({country}) must be a country code"
            ));
        }
        if self.country().is_none() {
            return Some(format!(
                "BIC {v}: {country} is not an ISO 3166-1 country code"
            ));
        }
        None
    }
}

/// An IBAN read from an account field, normalised (upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iban {
    pub value: String,
}

impl Iban {
    /// An account identification that looks like an IBAN: two letters, two
    /// digits, then letters and digits (spaces ignored), 15 to 34 in all.
    pub fn read(raw: &str) -> Option<Iban> {
        let value: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = value.as_bytes();
        let shaped = (15..=34).contains(&b.len())
            && b.iter().take(2).all(u8::is_ascii_alphabetic)
            && b.iter().skip(2).take(2).all(u8::is_ascii_digit)
            && b.iter().all(u8::is_ascii_alphanumeric);
        shaped.then_some(Iban { value })
    }

    /// The country prefix as an ISO code (lower case), when assigned.
    pub fn country(&self) -> Option<&'static str> {
        self.value.get(..2).and_then(crate::countries::iso_code)
    }

    /// True when the check digits are right (ISO 7064 mod 97-10).
    pub fn check_digits_ok(&self) -> bool {
        let (head, tail) = self.value.split_at(4.min(self.value.len()));
        let mut rem: u32 = 0;
        for c in tail.chars().chain(head.chars()) {
            let n = match c.to_digit(36) {
                Some(n) => n,
                None => return false,
            };
            rem = if n >= 10 {
                (rem * 100 + n) % 97
            } else {
                (rem * 10 + n) % 97
            };
        }
        rem == 1
    }

    /// Why the IBAN is not right, if it is not.
    pub fn problem(&self) -> Option<String> {
        let v = &self.value;
        if self.country().is_none() {
            return Some(format!(
                "IBAN {v}: {} is not an ISO 3166-1 country code",
                v.get(..2).unwrap_or("")
            ));
        }
        if !self.check_digits_ok() {
            return Some(format!(
                "IBAN {v}: the check digits are wrong (ISO 7064 mod 97-10); screened on its country prefix"
            ));
        }
        None
    }
}

/// A country code field: the ISO code (lower case) or why not.
pub fn country_code(raw: &str) -> Result<&'static str, String> {
    let t = raw.trim();
    crate::countries::iso_code(t)
        .ok_or_else(|| format!("'{t}' is not an ISO 3166-1 alpha-2 country code"))
}

/// The IMO check digit rule: the first six digits weighted 7 down to 2,
/// summed, give the last digit modulo 10.
pub fn is_imo_number(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.len() != 7 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b
        .iter()
        .take(6)
        .zip((2..=7).rev())
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b.get(6)
        .is_some_and(|&last| sum % 10 == u32::from(last - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans() {
        let de = Iban::read("DE89 3704 0044 0532 0130 00").expect("shape");
        assert_eq!(de.value, "DE89370400440532013000");
        assert!(de.check_digits_ok() && de.problem().is_none());
        assert_eq!(de.country(), Some("de"));
        let bad = Iban::read("DE88370400440532013000").expect("shape");
        assert!(bad.problem().is_some_and(|p| p.contains("check digits")));
        assert_eq!(bad.country(), Some("de"));
        let zz = Iban::read("ZZ89370400440532013000").expect("shape");
        assert!(zz.problem().is_some_and(|p| p.contains("country")));
        assert!(Iban::read("12345678").is_none());
        assert!(Iban::read("DEXX370400440532013000").is_none());
        // An Iranian IBAN (example from the Central Bank of Iran's format).
        let ir = Iban::read("IR062960000000100324200001").expect("shape");
        assert_eq!(ir.country(), Some("ir"));
        assert!(ir.check_digits_ok());
    }

    #[test]
    fn bics() {
        let b = Bic::read("deut de ff xxx").expect("shape");
        assert_eq!(b.value, "DEUTDEFFXXX");
        assert_eq!(b.bic8(), "DEUTDEFF");
        assert_eq!(b.country(), Some("de"));
        assert!(b.problem().is_none());
        assert!(Bic::read("DEUTDEF").is_none());
        assert!(Bic::read("DEUT-DEFF").is_none());
        let nine = Bic::read("DEUTDEFFX").expect("looked up");
        assert_eq!(nine.bic8(), "DEUTDEFF");
        assert!(nine.problem().is_some_and(|p| p.contains("9 characters")));
        assert!(Bic::read("DEUTZZFF").expect("shape").problem().is_some());
        assert!(Bic::read("DEUT12FF").expect("shape").problem().is_some());
    }

    #[test]
    fn imo_numbers() {
        // Real IMO numbers of vessels on the OFAC SDN list.
        assert!(is_imo_number("9187629"));
        assert!(is_imo_number("7406784"));
        assert!(!is_imo_number("9187628"));
        assert!(!is_imo_number("918762"));
        assert!(country_code("IR").is_ok() && country_code("XX").is_err());
    }
}
