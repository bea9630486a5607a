//! A listed party made ready for scoring: every name analysed once (see
//! [`super::name`]), with its birth dates, countries and normalised
//! identifiers beside it; and the ids that let a query align each distinct
//! listed name variant once across all parties.

use super::Sym;
use super::name::{PreparedName, PreparedToken, PreparedVariant};
use crate::model::{Entity, Schema, prop};
use std::collections::HashMap;

/// Identifiers with fewer letters and digits than this are not compared
/// (too short to identify anyone: "12", "n/a").
pub const MIN_IDENTIFIER_CHARS: usize = 4;

/// A party's names, each with the property it came from.
pub type Names = Box<[(&'static str, PreparedName)]>;

/// A listed party made ready for scoring. It is kept on disk with the built
/// index (`index::persist`) in a compact binary form. The listed record
/// itself is not kept here: the index keeps it in its document store (on
/// disk, memory-mapped; see `index::ScreeningIndex::record`), and this
/// holds only what retrieval, scoring and a result's summary read of it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PreparedEntity {
    /// The record's id, schema, display name, lists and topics.
    pub id: String,
    pub schema: Schema,
    pub caption: String,
    pub datasets: Box<[Sym]>,
    pub topics: Box<[Sym]>,
    /// Every name with the property it came from.
    #[serde(with = "names_by_property")]
    pub names: Names,
    pub birth_dates: Box<[String]>,
    pub countries: Box<[String]>,
    pub identifiers: Box<[String]>,
    /// One id per listed variant (the names in order, each name's variants
    /// in order), equal for variants equal in every token field across all
    /// loaded parties: a query aligns each distinct variant once (see
    /// `matching::score::ScoreCache`). Empty when not assigned; must be reassigned if the
    /// names change.
    pub variant_ids: Box<[u32]>,
}

impl PreparedEntity {
    pub fn new(entity: &Entity) -> PreparedEntity {
        let is_org = entity.schema.org_hint();
        let mut names: Vec<(&'static str, PreparedName)> = Vec::new();
        for (p, n) in entity.names() {
            if names
                .iter()
                .any(|(_, existing)| *existing.original == *n.trim())
            {
                continue;
            }
            let prepared = PreparedName::with_surnames(n, is_org, entity.get(prop::LAST_NAME));
            if !prepared.is_empty() {
                names.push((p, prepared));
            }
        }
        let birth_dates: Vec<String> = entity.get(prop::BIRTH_DATE).to_vec();
        let mut countries: Vec<String> = Vec::new();
        for p in prop::COUNTRY_PROPS {
            for c in entity.get(p) {
                if !countries.contains(c) {
                    countries.push(c.clone());
                }
            }
        }
        let mut identifiers: Vec<String> = Vec::new();
        // Wallet keys live on linked CryptoWallet entities: `identifiers()`
        // gathers them with the party's own identifier properties.
        for v in entity.identifiers() {
            for n in identifier_forms(&v) {
                if n.len() >= MIN_IDENTIFIER_CHARS && !identifiers.contains(&n) {
                    identifiers.push(n);
                }
            }
        }
        // Kept for as long as the index serves: boxed slices, without the
        // spare room (and the capacity word) of a vector.
        PreparedEntity {
            id: entity.id.clone(),
            schema: entity.schema,
            caption: entity.caption.clone(),
            datasets: entity.datasets.iter().map(|d| Sym::new(d)).collect(),
            topics: entity
                .get(prop::TOPICS)
                .iter()
                .map(|t| Sym::new(t))
                .collect(),
            names: names.into(),
            birth_dates: birth_dates.into(),
            countries: countries.into(),
            identifiers: identifiers.into(),
            variant_ids: Box::default(),
        }
    }

    /// The listed variants in the order of [`PreparedEntity::variant_ids`].
    pub fn variants(&self) -> impl Iterator<Item = &PreparedVariant> {
        self.names.iter().flat_map(|(_, n)| n.variants.iter())
    }

    /// Whether the party is on any of `lists`.
    pub fn on_any_list(&self, lists: &std::collections::BTreeSet<String>) -> bool {
        self.datasets.iter().any(|d| lists.contains(d.as_str()))
    }

    /// Whether the party carries any of the `wanted` topics (any party
    /// when none is wanted).
    pub fn has_topic(&self, wanted: &[String]) -> bool {
        crate::model::topics::passes(&self.topics, wanted)
    }
}

/// Stores each name's property by name, and reads it back as the model's
/// own constant (an unknown property is an error: the data is not ours).
mod names_by_property {
    use super::PreparedName;
    use crate::model::prop;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(
        names: &[(&'static str, PreparedName)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(names.iter().map(|(p, n)| (*p, n)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<super::Names, D::Error> {
        let stored = Vec::<(String, PreparedName)>::deserialize(d)?;
        stored
            .into_iter()
            .map(
                |(p, n)| match prop::NAME_PROPS.iter().find(|known| **known == p) {
                    Some(known) => Ok((*known, n)),
                    None => Err(D::Error::custom(format!("'{p}' is not a name property"))),
                },
            )
            .collect()
    }
}

/// Gives equal listed variants of all `entities` one id (stored in each
/// entity's `variant_ids`); call once the names are final (common tokens marked).
pub fn assign_variant_ids(entities: &mut [PreparedEntity]) {
    use rayon::prelude::*;
    let hashes: Vec<Vec<u64>> = entities
        .par_iter()
        .map(|e| e.variants().map(variant_hash).collect())
        .collect();
    let mut ids: Vec<Vec<u32>> = Vec::with_capacity(entities.len());
    {
        // The distinct variants, by hash: the first with the hash in `first`,
        // others with the same hash (rare) chained through `next`.
        let mut first: HashMap<u64, u32, std::hash::BuildHasherDefault<IdHasher>> =
            HashMap::default();
        let mut distinct: Vec<&PreparedVariant> = Vec::new();
        let mut next: Vec<Option<u32>> = Vec::new();
        for (e, hashes) in entities.iter().zip(&hashes) {
            let mut own = Vec::with_capacity(hashes.len());
            for (v, &h) in e.variants().zip(hashes) {
                let fresh = distinct.len() as u32;
                let mut at = *first.entry(h).or_insert(fresh);
                let id = loop {
                    if at == fresh {
                        distinct.push(v);
                        next.push(None);
                        break fresh;
                    }
                    if distinct[at as usize] == v {
                        break at;
                    }
                    match next[at as usize] {
                        Some(n) => at = n,
                        None => {
                            next[at as usize] = Some(fresh);
                            at = fresh;
                        }
                    }
                };
                own.push(id);
            }
            ids.push(own);
        }
    }
    for (e, ids) in entities.iter_mut().zip(ids) {
        e.variant_ids = ids.into();
    }
}

/// Numbers the distinct tokens of all `entities`' names
/// ([`PreparedToken::id`]): tokens with the same shared texts and the same
/// other fields get one id. Call once the names are final (common tokens
/// marked), as [`assign_variant_ids`].
pub fn assign_token_ids(entities: &mut [PreparedEntity]) {
    let mut ids: HashMap<TokenSig, u32, std::hash::BuildHasherDefault<IdHasher>> =
        HashMap::default();
    for e in entities.iter_mut() {
        for (_, name) in e.names.iter_mut() {
            for v in name.variants.iter_mut() {
                for t in v.tokens.iter_mut() {
                    let fresh = ids.len() as u32;
                    t.id = *ids.entry(TokenSig::of(t)).or_insert(fresh);
                }
            }
        }
    }
}

/// A listed token's identity for [`assign_token_ids`]: the addresses of its
/// shared texts (equal addresses, equal texts) and every other field. Two
/// tokens with equal texts that are not shared get two ids, which costs a
/// comparison kept twice, never a wrong one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TokenSig {
    texts: [usize; 4],
    kind: crate::text::TokenKind,
    flags: u16,
    surname_ending: Option<u8>,
    ending_written_on: Option<(u8, u8)>,
    lengths: (u16, u16),
    letter_bits: u64,
}

impl TokenSig {
    fn of(t: &PreparedToken) -> TokenSig {
        // Every field, named: a new one fails to compile here until the
        // signature carries it.
        let PreparedToken {
            raw,
            text,
            kind,
            phon,
            skel,
            abjad,
            surname,
            syllabic,
            romanised,
            common,
            generic,
            place,
            organisation_kind,
            patronymic,
            surname_ending,
            ending_written_on,
            canonical_legal_form,
            chars,
            bytes,
            letter_bits,
            id: _,
        } = t;
        let flags = [
            abjad,
            surname,
            syllabic,
            romanised,
            common,
            generic,
            place,
            organisation_kind,
            patronymic,
            canonical_legal_form,
        ]
        .iter()
        .enumerate()
        .fold(0u16, |bits, (i, &&set)| bits | (u16::from(set) << i));
        TokenSig {
            texts: [raw.addr(), text.addr(), phon.addr(), skel.addr()],
            kind: *kind,
            flags,
            surname_ending: *surname_ending,
            ending_written_on: *ending_written_on,
            lengths: (*chars, *bytes),
            letter_bits: *letter_bits,
        }
    }
}

impl std::hash::Hash for TokenSig {
    /// The raw text's address alone: equal signatures share it.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.texts[0] as u64);
    }
}

/// A hash of the token texts and kinds of a variant (equality decides).
fn variant_hash(v: &PreparedVariant) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h =
        std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
            .build_hasher();
    for t in &v.tokens {
        t.raw.hash(&mut h);
        t.text.hash(&mut h);
        t.kind.hash(&mut h);
    }
    h.finish()
}

/// An identifier's letters and digits, upper case ("AB 123-456" →
/// "AB123456"): the form every identifier is compared in, before the
/// canonical forms of [`normalize_identifier`]. The payments screening
/// reads BICs with it too.
pub fn compact_identifier(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// An identifier in the normal form FollowTheMoney compares: letters and
/// digits only, upper case ([`compact_identifier`]); a `CUR:` prefix of
/// crypto wallets dropped; an IMO number without its `IMO` prefix
/// ("IMO 9187629" = "9187629"); a BIC11 of the head office (`XXX` branch)
/// as its BIC8 ("deutdeffxxx" = "DEUTDEFF").
pub fn normalize_identifier(s: &str) -> String {
    let s = match s.split_once(':') {
        Some((cur, rest)) if cur.len() <= 5 && rest.len() >= 20 => rest,
        _ => s,
    };
    let mut n = compact_identifier(s);
    if let Some(digits) = n.strip_prefix("IMO")
        && digits.len() == 7
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        n = digits.to_string();
    }
    if n.len() == 11 && n.ends_with("XXX") && looks_like_bic(&n) {
        n.truncate(8);
    }
    n
}

/// The forms an identifier is looked up and compared under: its normal
/// form and, for a BIC11 of a branch, the BIC8 of its institution (a
/// branch is the bank, not another party).
pub fn identifier_forms(s: &str) -> Vec<String> {
    let n = normalize_identifier(s);
    let bic8 = (n.len() == 11 && looks_like_bic(&n)).then(|| n[..8].to_string());
    std::iter::once(n).chain(bic8).collect()
}

/// The shape of a compacted BIC: four letters (the institution), a country
/// code, two letters or digits (the location), and for a BIC11 three more
/// (the branch).
pub fn looks_like_bic(n: &str) -> bool {
    let b = n.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && crate::countries::is_code(&n[4..6].to_ascii_lowercase())
        && b[6..].iter().all(u8::is_ascii_alphanumeric)
}

/// An IMO number's check digit: the first six digits weighted 7 down to 2,
/// summed; the last digit of the sum is the seventh digit. `None` when `n`
/// is not `IMO` (optional) and seven digits.
pub fn imo_check_digit_ok(n: &str) -> Option<bool> {
    let digits = n.strip_prefix("IMO").unwrap_or(n);
    let d: Vec<u32> = digits
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if d.len() != 7 {
        return None;
    }
    let sum: u32 = d[..6].iter().zip((2..=7).rev()).map(|(x, w)| x * w).sum();
    Some(sum % 10 == d[6])
}

/// Hashes `u64` keys (variant hashes, packed ids) with one multiplication:
/// the keys are already well spread.
#[derive(Debug, Default)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        let h = (self.0 ^ x).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }

    /// Token ids: one multiplication, not one per byte.
    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_in_ftm_normal_form() {
        assert_eq!(normalize_identifier("IMO 9187629"), "9187629");
        assert_eq!(normalize_identifier("imo9187629"), "9187629");
        assert_eq!(normalize_identifier("9187629"), "9187629");
        // Not an IMO number: the prefix stays.
        assert_eq!(normalize_identifier("IMO91876"), "IMO91876");
        assert_eq!(normalize_identifier("deut de ff xxx"), "DEUTDEFF");
        assert_eq!(normalize_identifier("DEUTDEFF500"), "DEUTDEFF500");
        assert_eq!(identifier_forms("DEUTDEFF500"), ["DEUTDEFF500", "DEUTDEFF"]);
        // Eleven characters ending XXX, but no country code where a BIC has one.
        assert_eq!(normalize_identifier("ABCD99EFXXX"), "ABCD99EFXXX");
        assert_eq!(normalize_identifier("A-123 456/7"), "A1234567");
        assert_eq!(imo_check_digit_ok("IMO9187629"), Some(true));
        assert_eq!(imo_check_digit_ok("9187628"), Some(false));
        assert_eq!(imo_check_digit_ok("918762"), None);
    }
}
