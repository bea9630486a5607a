//! Jurisdiction checks: which jurisdiction lists a country, or a place named
//! in an address, is on, and why, in words.
//!
//! The lists live in `lists/jurisdictions.toml` (embedded in the binary,
//! parsed and validated once on first use): countries and regions under
//! comprehensive sanctions (Cuba, Iran, North Korea, Crimea, Sevastopol and
//! the occupied regions of Ukraine), and the FATF "call for action" and
//! "increased monitoring" lists, each entry with its sources and dates.
//!
//! Two questions, nothing payment-specific:
//! - [`Jurisdictions::country`]: a country code in (ISO 3166-1 alpha-2, any
//!   case), the hits out;
//! - [`Jurisdictions::address`]: an address in (its country code if it has
//!   one, and its text lines: street, town, region, postcode, free lines),
//!   the hits out. A place is recognised from a listed country's or
//!   region's name anywhere in the lines, from a town inside it (only when
//!   the address gives no country or a country that region is addressed
//!   with, since towns share names with places elsewhere), and from a
//!   postcode of the region's postal system.
//!
//! Names and address text are compared as whole words after the same
//! folding and romanisation the matcher uses ([`crate::text::to_latin`]),
//! so "SIMFEROPOL", "Simferopol'" and "Симферополь" are one town.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The file shipped with the program.
pub const BUILTIN: &str = include_str!("../../lists/jurisdictions.toml");

/// Most words in one listed name (longer names are refused when loading).
const MAX_NAME_WORDS: usize = 8;
/// Most address lines read, and characters read of each: an address is
/// short; anything longer is cut, so the work per address is bounded.
pub const MAX_ADDRESS_LINES: usize = 16;
pub const MAX_LINE_CHARS: usize = 256;

/// The kinds of jurisdiction list, as named in the file and in results.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// Countries and regions under comprehensive sanctions (embargoes).
    ComprehensiveSanctions,
    /// FATF high-risk jurisdictions subject to a call for action.
    FatfCallForAction,
    /// FATF jurisdictions under increased monitoring.
    FatfIncreasedMonitoring,
}

impl ListKind {
    pub const ALL: [ListKind; 3] = [
        ListKind::ComprehensiveSanctions,
        ListKind::FatfCallForAction,
        ListKind::FatfIncreasedMonitoring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::ComprehensiveSanctions => "comprehensive_sanctions",
            ListKind::FatfCallForAction => "fatf_call_for_action",
            ListKind::FatfIncreasedMonitoring => "fatf_increased_monitoring",
        }
    }

    pub fn from_id(id: &str) -> Option<ListKind> {
        ListKind::ALL.into_iter().find(|k| k.as_str() == id)
    }
}

impl std::fmt::Display for ListKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document an entry rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub publisher: String,
    pub document: String,
    pub url: String,
    /// The document's date, or the date it took effect.
    pub date: String,
}

/// One list of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ListInfo {
    pub kind: ListKind,
    pub title: String,
    /// The date of the publication the entries were taken from.
    pub as_of: String,
}

/// One country, or region of a country, on one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub list: ListKind,
    /// ISO alpha-2, lower case (a region: the country it belongs to).
    pub country: String,
    pub name: String,
    pub region: bool,
    pub since: String,
    pub reason: String,
    pub sources: Vec<Source>,
}

/// How an input met a listed jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The country code of the address or of the caller.
    CountryCode,
    /// A country's or region's name in the address text.
    Name,
    /// A town inside the region or country.
    Town,
    /// A postcode of the region.
    Postcode,
}

/// One list a country or address is on, with the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JurisdictionHit {
    pub list: ListKind,
    pub list_title: String,
    /// The listed jurisdiction ("Iran", "Crimea").
    pub jurisdiction: String,
    pub country: String,
    pub region: bool,
    pub matched_by: MatchedBy,
    /// The words of the input that matched, as written.
    pub matched_text: String,
    /// Why this is a hit, in a sentence for an analyst.
    pub reason: String,
    pub since: String,
    pub sources: Vec<Source>,
}

/// Why the file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JurisdictionsError {
    #[error("jurisdictions file {origin}: {message}")]
    Syntax { origin: String, message: String },
    #[error("jurisdictions file {origin}: {message}")]
    Invalid { origin: String, message: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    checked: String,
    #[serde(default)]
    list: Vec<RawList>,
    #[serde(default)]
    source: BTreeMap<String, Source>,
    #[serde(default)]
    jurisdiction: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    id: String,
    title: String,
    as_of: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    list: String,
    country: String,
    name: String,
    #[serde(default)]
    region: bool,
    since: String,
    reason: String,
    sources: Vec<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    towns: Vec<String>,
    #[serde(default)]
    address_countries: Vec<String>,
    #[serde(default)]
    postcodes: Vec<RawPostcodes>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPostcodes {
    country: String,
    digits: usize,
    prefixes: Vec<String>,
}

/// A listed name or town, romanised into words.
#[derive(Debug, Clone)]
struct Phrase {
    /// As the file writes it.
    listed: String,
    words: Vec<String>,
    entry: usize,
    town: bool,
}

#[derive(Debug, Clone)]
struct Postcodes {
    entry: usize,
    country: String,
    digits: usize,
    prefixes: Vec<String>,
}

/// The loaded and validated file.
#[derive(Debug, Clone)]
pub struct Jurisdictions {
    /// When the file was last compared with its sources.
    pub checked: String,
    pub lists: Vec<ListInfo>,
    pub entries: Vec<Entry>,
    /// Per entry: the address countries under which its towns count.
    town_countries: Vec<Vec<String>>,
    /// Listed names and towns by their first word.
    phrases: HashMap<String, Vec<Phrase>>,
    postcodes: Vec<Postcodes>,
    /// Entries by country code, for country-level entries (not regions).
    by_country: HashMap<String, Vec<usize>>,
}

/// The words of a text in each of its Latin spellings (at most
/// [`crate::text::MAX_VARIANTS`]).
fn spellings(text: &str) -> Vec<Vec<String>> {
    crate::text::to_latin(text)
        .into_iter()
        .map(|v| {
            v.split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        })
        .filter(|w: &Vec<String>| !w.is_empty())
        .collect()
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    }
}

impl Jurisdictions {
    /// The file shipped with the program, parsed once.
    pub fn builtin() -> &'static Jurisdictions {
        static BUILT: OnceLock<Jurisdictions> = OnceLock::new();
        BUILT.get_or_init(|| {
            // The embedded file is checked by this module's tests; failing
            // here means the binary was built from a broken file.
            Jurisdictions::from_toml(BUILTIN, "lists/jurisdictions.toml (built in)")
                .unwrap_or_else(|e| panic!("{e}"))
        })
    }

    /// Parses and validates a jurisdictions file. Errors name the entry and
    /// the field.
    pub fn from_toml(text: &str, origin: &str) -> Result<Jurisdictions, JurisdictionsError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| JurisdictionsError::Syntax {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let invalid = |message: String| JurisdictionsError::Invalid {
            origin: origin.to_string(),
            message,
        };
        if !is_date(&raw.checked) {
            return Err(invalid(format!(
                "checked = '{}' is not a date (YYYY-MM-DD)",
                raw.checked
            )));
        }
        let mut lists = Vec::new();
        for l in raw.list {
            let kind = ListKind::from_id(&l.id).ok_or_else(|| {
                invalid(format!(
                    "unknown list id '{}' (use comprehensive_sanctions, fatf_call_for_action or fatf_increased_monitoring)",
                    l.id
                ))
            })?;
            if lists.iter().any(|x: &ListInfo| x.kind == kind) {
                return Err(invalid(format!("list '{}' is defined twice", l.id)));
            }
            if !is_date(&l.as_of) {
                return Err(invalid(format!("list '{}': as_of is not a date", l.id)));
            }
            lists.push(ListInfo {
                kind,
                title: l.title,
                as_of: l.as_of,
            });
        }
        for (key, s) in &raw.source {
            if s.publisher.trim().is_empty()
                || s.document.trim().is_empty()
                || !s.url.starts_with("https://")
            {
                return Err(invalid(format!(
                    "source '{key}' needs a publisher, a document and an https URL"
                )));
            }
            if !is_date(&s.date) {
                return Err(invalid(format!(
                    "source '{key}': date '{}' is not a date",
                    s.date
                )));
            }
        }
        let mut out = Jurisdictions {
            checked: raw.checked,
            lists,
            entries: Vec::new(),
            town_countries: Vec::new(),
            phrases: HashMap::new(),
            postcodes: Vec::new(),
            by_country: HashMap::new(),
        };
        for (i, e) in raw.jurisdiction.into_iter().enumerate() {
            let at = format!("jurisdiction #{} ({})", i + 1, e.name);
            let list = ListKind::from_id(&e.list)
                .filter(|k| out.lists.iter().any(|l| l.kind == *k))
                .ok_or_else(|| invalid(format!("{at}: list '{}' is not defined", e.list)))?;
            let country = checked_code(&e.country)
                .ok_or_else(|| invalid(format!("{at}: '{}' is not an ISO code", e.country)))?;
            if e.name.trim().is_empty() || e.reason.trim().is_empty() {
                return Err(invalid(format!("{at}: name and reason are required")));
            }
            if !is_date(&e.since) {
                return Err(invalid(format!("{at}: since '{}' is not a date", e.since)));
            }
            if e.sources.is_empty() {
                return Err(invalid(format!("{at}: no sources")));
            }
            let mut sources = Vec::new();
            for key in &e.sources {
                let s = raw
                    .source
                    .get(key)
                    .ok_or_else(|| invalid(format!("{at}: source '{key}' is not defined")))?;
                sources.push(s.clone());
            }
            if out
                .entries
                .iter()
                .any(|x| x.list == list && x.country == country && x.name == e.name)
            {
                return Err(invalid(format!("{at}: listed twice on {list}")));
            }
            let idx = out.entries.len();
            let mut town_countries = vec![country.to_string()];
            for c in &e.address_countries {
                let code = checked_code(c).ok_or_else(|| {
                    invalid(format!("{at}: address country '{c}' is not an ISO code"))
                })?;
                if !town_countries.iter().any(|t| t == code) {
                    town_countries.push(code.to_string());
                }
            }
            let mut seen: Vec<Vec<String>> = Vec::new();
            for (names, town) in [(&e.names, false), (&e.towns, true)] {
                for n in names {
                    let variants = spellings(n);
                    if variants.is_empty() {
                        return Err(invalid(format!("{at}: '{n}' has no letters")));
                    }
                    for words in variants {
                        if words.len() > MAX_NAME_WORDS {
                            return Err(invalid(format!(
                                "{at}: '{n}' has more than {MAX_NAME_WORDS} words"
                            )));
                        }
                        if seen.contains(&words) {
                            continue;
                        }
                        seen.push(words.clone());
                        let first = words.first().cloned().unwrap_or_default();
                        out.phrases.entry(first).or_default().push(Phrase {
                            listed: n.clone(),
                            words,
                            entry: idx,
                            town,
                        });
                    }
                }
            }
            for p in &e.postcodes {
                let pc = checked_code(&p.country).ok_or_else(|| {
                    invalid(format!(
                        "{at}: postcode country '{}' is not an ISO code",
                        p.country
                    ))
                })?;
                let well_formed = (3..=10).contains(&p.digits)
                    && !p.prefixes.is_empty()
                    && p.prefixes.iter().all(|x| {
                        !x.is_empty() && x.len() < p.digits && x.bytes().all(|b| b.is_ascii_digit())
                    });
                if !well_formed {
                    return Err(invalid(format!(
                        "{at}: postcodes need 3-10 digits and digit prefixes shorter than that"
                    )));
                }
                out.postcodes.push(Postcodes {
                    entry: idx,
                    country: pc.to_string(),
                    digits: p.digits,
                    prefixes: p.prefixes.clone(),
                });
            }
            if !e.region {
                out.by_country
                    .entry(country.to_string())
                    .or_default()
                    .push(idx);
            }
            out.town_countries.push(town_countries);
            out.entries.push(Entry {
                list,
                country: country.to_string(),
                name: e.name,
                region: e.region,
                since: e.since,
                reason: e.reason,
                sources,
            });
        }
        for l in &out.lists {
            if !out.entries.iter().any(|e| e.list == l.kind) {
                return Err(invalid(format!("list '{}' has no entries", l.kind)));
            }
        }
        Ok(out)
    }

    /// The title of a list.
    pub fn title(&self, kind: ListKind) -> &str {
        self.lists
            .iter()
            .find(|l| l.kind == kind)
            .map_or(kind.as_str(), |l| l.title.as_str())
    }

    fn hit(&self, entry: usize, by: MatchedBy, text: &str, why: String) -> Option<JurisdictionHit> {
        let e = self.entries.get(entry)?;
        let title = self.title(e.list).to_string();
        Some(JurisdictionHit {
            list: e.list,
            reason: format!(
                "{why}; {} is on the list of {}: {}",
                e.name,
                lower_first(&title),
                e.reason
            ),
            list_title: title,
            jurisdiction: e.name.clone(),
            country: e.country.clone(),
            region: e.region,
            matched_by: by,
            matched_text: text.to_string(),
            since: e.since.clone(),
            sources: e.sources.clone(),
        })
    }

    /// The lists a country is on (country-level entries; a country with
    /// only a listed region, such as Ukraine, has none). `code` is an ISO
    /// alpha-2 code in any case; anything else gives no hits.
    pub fn country(&self, code: &str) -> Vec<JurisdictionHit> {
        let Some(code) = crate::countries::iso_code(code) else {
            return Vec::new();
        };
        self.by_country
            .get(code)
            .into_iter()
            .flatten()
            .filter_map(|&i| {
                let e = self.entries.get(i)?;
                self.hit(
                    i,
                    MatchedBy::CountryCode,
                    &code.to_ascii_uppercase(),
                    format!("country code {} is {}", code.to_ascii_uppercase(), e.name),
                )
            })
            .collect()
    }

    /// The lists an address is on: its country code (when given) and the
    /// places its lines name. At most [`MAX_ADDRESS_LINES`] lines of
    /// [`MAX_LINE_CHARS`] characters are read. One hit per list and
    /// jurisdiction, the first way it was found.
    pub fn address(&self, country: Option<&str>, lines: &[&str]) -> Vec<JurisdictionHit> {
        let code = country.and_then(crate::countries::iso_code);
        let mut hits = code.map(|c| self.country(c)).unwrap_or_default();
        let found = |hit: Option<JurisdictionHit>, hits: &mut Vec<JurisdictionHit>| {
            if let Some(h) = hit
                && !hits
                    .iter()
                    .any(|x| x.list == h.list && x.jurisdiction == h.jurisdiction)
            {
                hits.push(h);
            }
        };
        for line in lines.iter().take(MAX_ADDRESS_LINES) {
            let line = cut(line, MAX_LINE_CHARS);
            for words in spellings(line) {
                for start in 0..words.len() {
                    let Some(cands) = words.get(start).and_then(|w| self.phrases.get(w)) else {
                        continue;
                    };
                    for p in cands {
                        let end = start + p.words.len();
                        if words.get(start..end) != Some(p.words.as_slice()) {
                            continue;
                        }
                        let allowed = !p.town
                            || code.is_none_or(|c| {
                                self.town_countries
                                    .get(p.entry)
                                    .is_some_and(|t| t.iter().any(|x| x == c))
                            });
                        if !allowed {
                            continue;
                        }
                        let Some(e) = self.entries.get(p.entry) else {
                            continue;
                        };
                        let said = p.listed.as_str();
                        let (by, why) = if p.town {
                            (
                                MatchedBy::Town,
                                format!(
                                    "the address line '{}' names {said}, in {}",
                                    line.trim(),
                                    e.name
                                ),
                            )
                        } else {
                            (
                                MatchedBy::Name,
                                format!("the address line '{}' names {}", line.trim(), e.name),
                            )
                        };
                        found(self.hit(p.entry, by, said, why), &mut hits);
                    }
                }
            }
            if let Some(c) = code {
                for token in line.split(|ch: char| !ch.is_ascii_digit()) {
                    for pc in &self.postcodes {
                        let matches = pc.country == c
                            && token.len() == pc.digits
                            && pc.prefixes.iter().any(|p| token.starts_with(p.as_str()));
                        if matches {
                            let name = self.entries.get(pc.entry).map_or("", |e| e.name.as_str());
                            let why = format!(
                                "postcode {token} ({}) is a postcode of {name}",
                                c.to_ascii_uppercase()
                            );
                            found(
                                self.hit(pc.entry, MatchedBy::Postcode, token, why),
                                &mut hits,
                            );
                        }
                    }
                }
            }
        }
        hits
    }
}

/// The known ISO alpha-2 code (lower case) of a field that must hold one.
fn checked_code(code: &str) -> Option<&'static str> {
    if code.len() != 2 || code.to_ascii_lowercase() != code {
        return None;
    }
    crate::countries::iso_code(code)
}

/// `s` cut to at most `max` characters.
fn cut(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !s.starts_with("FATF") => f.to_lowercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests;
