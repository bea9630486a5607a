//! A synthetic OpenSanctions-sized list for the scale benchmark, made from
//! the real lists' names: every default list of `lists-raw` is parsed with
//! the project's own parsers, persons' names are split into given and
//! family names and recombined across lists, organisations' names are
//! recombined from the head of one and the tail of another, and a share of
//! the parties are written in the non-Latin scripts the lists use, with
//! their romanisations (the project's own transliteration) as aliases.
//! Birth dates, countries and identifiers are random. Everything is drawn
//! from one seeded generator, so a size always gives the same file.

use screener::model::{Schema, prop};
use screener::parse;
use screener::sources::manifest::Manifest;
use screener::text::{Script, detect_script, to_latin};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

/// SplitMix64: small, fast, and the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The name parts the generator recombines.
#[derive(Default)]
pub struct NamePools {
    /// Latin given names ("Ali Hassan") and family names ("Al-Rashid").
    pub given: Vec<String>,
    pub family: Vec<String>,
    /// Non-Latin given and family names (Cyrillic, Arabic, Han, …).
    pub given_other: Vec<String>,
    pub family_other: Vec<String>,
    /// Organisation names cut in two at a word boundary: heads and tails.
    pub org_heads: Vec<String>,
    pub org_tails: Vec<String>,
}

/// Parses every default list of the manifest and collects its name parts.
pub fn name_pools(manifest_path: &Path) -> NamePools {
    let manifest = Manifest::load(manifest_path).expect("manifest readable");
    let mut given = BTreeSet::new();
    let mut family = BTreeSet::new();
    let mut given_other = BTreeSet::new();
    let mut family_other = BTreeSet::new();
    let mut heads = BTreeSet::new();
    let mut tails = BTreeSet::new();
    for set in manifest.default_sets() {
        let Some(format) = set.format() else { continue };
        let Ok(files) = manifest.read_files(set) else {
            continue;
        };
        let Ok(parsed) = parse::parse(format, &set.list, &files) else {
            continue;
        };
        for e in &parsed.entities {
            for (_, name) in e.names() {
                let latin = detect_script(name) == Script::Latin;
                match e.schema {
                    Schema::Person => {
                        let Some((g, f)) = split_person(name) else {
                            continue;
                        };
                        if latin {
                            given.insert(g);
                            family.insert(f);
                        } else {
                            given_other.insert(g);
                            family_other.insert(f);
                        }
                    }
                    Schema::Organization | Schema::Company | Schema::LegalEntity if latin => {
                        let words: Vec<&str> = name.split_whitespace().collect();
                        if words.len() >= 2 {
                            let cut = words.len().div_ceil(2);
                            heads.insert(words[..cut].join(" "));
                            tails.insert(words[cut..].join(" "));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    NamePools {
        given: given.into_iter().collect(),
        family: family.into_iter().collect(),
        given_other: given_other.into_iter().collect(),
        family_other: family_other.into_iter().collect(),
        org_heads: heads.into_iter().collect(),
        org_tails: tails.into_iter().collect(),
    }
}

/// A person's name as (given names, family name): from "FAMILY, Given"
/// when written so, else the last word is the family name.
fn split_person(name: &str) -> Option<(String, String)> {
    let (g, f) = match name.split_once(',') {
        Some((f, g)) if !g.contains(',') => (g.trim().to_string(), f.trim().to_string()),
        _ => {
            let words: Vec<&str> = name.split_whitespace().collect();
            if words.len() < 2 {
                return None;
            }
            let (last, rest) = words.split_last()?;
            (rest.join(" "), last.to_string())
        }
    };
    let ok = |s: &str| !s.is_empty() && s.chars().count() <= 40 && !s.contains(['(', ')', '"']);
    (ok(&g) && ok(&f)).then_some((g, f))
}

/// A generated party as the benchmark's queries need it.
#[derive(Clone)]
pub struct Sample {
    pub name: String,
    pub schema: &'static str,
    pub birth_date: Option<String>,
}

/// ISO codes the random countries are drawn from.
const COUNTRIES: [&str; 24] = [
    "ru", "ir", "kp", "sy", "by", "cn", "ve", "cu", "af", "iq", "ly", "sd", "ye", "mm", "ua", "tr",
    "ae", "lb", "pk", "ng", "de", "gb", "us", "fr",
];

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c == ' ' || c == '-';
    }
    out
}

fn identifier(rng: &mut Rng) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    let len = 7 + rng.below(5);
    (0..len)
        .map(|_| char::from(ALNUM[rng.below(ALNUM.len())]))
        .collect()
}

/// Writes `entities` FtM NDJSON lines to `path`; returns every `sample_every`-th
/// party for the query set.
pub fn write_list(
    pools: &NamePools,
    entities: usize,
    seed: u64,
    path: &Path,
    sample_every: usize,
) -> std::io::Result<Vec<Sample>> {
    let mut rng = Rng::new(seed);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut samples = Vec::new();
    for i in 0..entities {
        let person = rng.chance(65);
        let mut names: Vec<String> = Vec::new();
        let mut aliases: Vec<String> = Vec::new();
        let mut props = serde_json::Map::new();
        let mut birth_date = None;
        if person {
            let other = rng.chance(15) && !pools.given_other.is_empty();
            if other {
                // A name in another script, and its romanisations as aliases.
                let n = format!(
                    "{} {}",
                    rng.pick(&pools.given_other),
                    rng.pick(&pools.family_other)
                );
                for latin in to_latin(&n).into_iter().take(3) {
                    aliases.push(title(&latin));
                }
                names.push(n);
            } else {
                let g = rng.pick(&pools.given);
                let f = rng.pick(&pools.family);
                names.push(format!("{g} {f}"));
                if rng.chance(30) {
                    aliases.push(format!("{}, {g}", f.to_uppercase()));
                }
                if rng.chance(20) {
                    aliases.push(format!("{} {f}", rng.pick(&pools.given)));
                }
            }
            if rng.chance(80) {
                let d = format!(
                    "{}-{:02}-{:02}",
                    1940 + rng.below(64),
                    1 + rng.below(12),
                    1 + rng.below(28)
                );
                birth_date = Some(d.clone());
                props.insert(prop::BIRTH_DATE.into(), vec![d].into());
            }
            if rng.chance(70) {
                props.insert(
                    prop::NATIONALITY.into(),
                    vec![rng.pick(&COUNTRIES).to_string()].into(),
                );
            }
            if rng.chance(30) {
                props.insert(
                    prop::PASSPORT_NUMBER.into(),
                    vec![identifier(&mut rng)].into(),
                );
            }
        } else {
            names.push(format!(
                "{} {}",
                rng.pick(&pools.org_heads),
                rng.pick(&pools.org_tails)
            ));
            if rng.chance(20) {
                aliases.push(format!(
                    "{} {}",
                    rng.pick(&pools.org_heads),
                    rng.pick(&pools.org_tails)
                ));
            }
            if rng.chance(70) {
                props.insert(
                    prop::COUNTRY.into(),
                    vec![rng.pick(&COUNTRIES).to_string()].into(),
                );
            }
            if rng.chance(30) {
                props.insert(
                    "registrationNumber".into(),
                    vec![identifier(&mut rng)].into(),
                );
            }
        }
        let schema = if person { "Person" } else { "Organization" };
        if sample_every > 0 && i % sample_every == 0 {
            samples.push(Sample {
                name: names[0].clone(),
                schema,
                birth_date: birth_date.clone(),
            });
        }
        let caption = names[0].clone();
        props.insert(prop::NAME.into(), names.into());
        aliases.retain(|a| a != &caption);
        if !aliases.is_empty() {
            props.insert(prop::ALIAS.into(), aliases.into());
        }
        props.insert("topics".into(), vec!["sanction"].into());
        let line = serde_json::json!({
            "id": format!("scale-{i}"),
            "schema": schema,
            "caption": caption,
            "properties": props,
            "datasets": ["scale"],
            "first_seen": "2026-01-01T00:00:00",
            "last_seen": "2026-01-02T00:00:00",
            "target": true,
        });
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(samples)
}
