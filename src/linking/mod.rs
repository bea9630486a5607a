//! Entity linking: the records that several publishers keep of one party,
//! grouped into one [`Party`] with a stable derived id, the list-specific
//! ids as its referents, and the evidence for every link.
//!
//! It sits between the model and the index: the index computes the links
//! of the lists it serves each time it is built or loaded
//! (`ScreeningIndex::links`), and the API folds scored results into parties
//! with [`Links::fold`] (after scoring, over the returned results only).
//!
//! Links come from strong evidence only, tried in this order:
//! 1. the same UN Security Council reference number (`unscId`, which the
//!    UN list and the lists that copy it carry);
//! 2. the same strong identifier of the same kind (passport and national
//!    id number with a country in common; registration and tax number; IMO
//!    number with a valid check digit; BIC; crypto wallet address), in the
//!    normal form the identifier query uses
//!    ([`crate::analysis::party::normalize_identifier`]);
//! 3. an identical full name (`name` or `alias`, folded, tokens in any
//!    order) together with an identical full birth date (`YYYY-MM-DD`).
//!
//! An identifier, or a name with a birth date, that one list gives to two
//! of its own records is no evidence (a publisher telling two parties
//! apart that share it: an owner's tax number on each of his shops).
//!
//! Groups are built with union-find; every merge is checked against the
//! whole of both groups, so no chain can join what a direct link could not:
//! - a group never holds two records of one list (a publisher lists a party
//!   once: two of its records are two parties by its own word);
//! - never a person with an organisation, vessel or aircraft (the
//!   organisation schemata `Organization`, `Company`, `LegalEntity` are one
//!   kind);
//! - never two groups whose full birth dates, or UN references, are both
//!   known and have none in common;
//! - for identifier and name links, never two groups that both know
//!   identifiers of one kind with none in common (two IMO numbers are two
//!   vessels).
//!
//! A party's id is `NK-<UN reference>` when its records carry one (the UN
//! keeps a reference for the life of a listing, so the id survives any list
//! adding or dropping a record), else `NK-` and 16 hex digits of the
//! SHA-256 of its smallest referent id (stable while that record is
//! listed; a referent id always resolves to its party, so a client holding
//! either finds it).

use crate::analysis::party::{imo_check_digit_ok, looks_like_bic, normalize_identifier};
use crate::model::{Entity, LinkedSchema, Schema, list_id, prop};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

/// Buckets with more records than this are not evidence (an identifier or
/// name + birth date that many records share identifies no one).
const MAX_BUCKET: usize = 12;
/// Shortest identifier (normal form) that links records.
const MIN_IDENTIFIER_LEN: usize = 6;
/// Shortest crypto wallet address that links records.
const MIN_WALLET_LEN: usize = 20;

/// Why two records are one party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "evidence", rename_all = "snake_case")]
pub enum Evidence {
    /// Both carry this UN Security Council reference number.
    UnReference { value: String },
    /// Both carry this identifier (normal form) in this property.
    Identifier { property: String, value: String },
    /// Both carry this full name (folded) and this full birth date.
    NameAndBirthDate { name: String, birth_date: String },
}

/// One link between two referents of a party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Link {
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub evidence: Evidence,
}

/// Records of several lists that are one party.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LinkedParty)]
pub struct Party {
    /// The derived id (see the module documentation).
    pub id: String,
    /// The list-specific ids, sorted.
    pub referents: Vec<String>,
    /// The links that joined the referents (one fewer than the referents).
    pub links: Vec<Link>,
    /// The referents merged: FtM's value union of their properties, the
    /// union of their datasets and linked entities.
    #[serde(skip)]
    #[schema(ignore)]
    pub entity: Entity,
}

/// The parties of one set of lists.
#[derive(Debug, Default)]
pub struct Links {
    parties: Vec<Party>,
    /// Party index by referent id and by party id.
    by_id: HashMap<String, u32>,
}

/// A result folded into its party: the best-scoring member's result, and
/// the party when the member has one.
pub type Folded<'a, T> = (T, Option<&'a Party>);

impl Links {
    /// Links the records of `entities` (see the module documentation).
    pub fn compute<'a>(entities: impl IntoIterator<Item = &'a Entity>) -> Links {
        let entities: Vec<&Entity> = entities.into_iter().collect();
        let facts: Vec<Facts> = entities.iter().map(|e| Facts::of(e)).collect();
        let mut groups = Groups::new(&facts);
        for (kind, bucket) in buckets(&facts) {
            for (x, &i) in bucket.iter().enumerate() {
                for &j in &bucket[x + 1..] {
                    if let Some(evidence) = kind.check(&facts[i], &facts[j]) {
                        groups.union(i, j, evidence, entities[i], entities[j]);
                    }
                }
            }
        }
        groups.into_links(&entities)
    }

    /// The links of these parties (as [`Links::parties`] gives them, and
    /// a stored index keeps them).
    pub fn from_parties(parties: Vec<Party>) -> Links {
        let mut links = Links::default();
        for party in parties {
            let at = links.parties.len() as u32;
            for r in &party.referents {
                links.by_id.insert(r.clone(), at);
            }
            links.by_id.insert(party.id.clone(), at);
            links.parties.push(party);
        }
        links
    }

    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    pub fn len(&self) -> usize {
        self.parties.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parties.is_empty()
    }

    /// The party with this id, or the party of the record with this id.
    pub fn resolve(&self, id: &str) -> Option<&Party> {
        self.by_id
            .get(id)
            .and_then(|&i| self.parties.get(i as usize))
    }

    /// The party of the record with this id (`None` for a party id or a
    /// record listed by one publisher only).
    pub fn party_of(&self, entity_id: &str) -> Option<&Party> {
        self.resolve(entity_id).filter(|p| p.id != entity_id)
    }

    /// Folds results (best first) into one per party: the first (best) of
    /// each party's members stands for the party, the others are dropped;
    /// records without a party pass unchanged. The order is kept.
    pub fn fold<T>(&self, results: Vec<T>, id_of: impl Fn(&T) -> &str) -> Vec<Folded<'_, T>> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            let party = self.party_of(id_of(&r));
            if let Some(p) = party {
                if seen.contains(&p.id.as_str()) {
                    continue;
                }
                seen.push(&p.id);
            }
            out.push((r, party));
        }
        out
    }
}

impl Party {
    /// The party as the lists in scope know it: the merged entity and
    /// referents of its records whose list `in_scope` keeps (`record`
    /// finds a record by id). Borrowed when every record is in scope; the
    /// record itself, without referents, when only one is.
    pub fn scoped(
        &self,
        in_scope: impl Fn(&str) -> bool,
        record: impl Fn(&str) -> Option<Entity>,
    ) -> (Cow<'_, Entity>, Cow<'_, [String]>) {
        let kept: Vec<&String> = self
            .referents
            .iter()
            .filter(|r| list_id::of_entity_id(r).is_some_and(&in_scope))
            .collect();
        if kept.len() == self.referents.len() {
            return (Cow::Borrowed(&self.entity), Cow::Borrowed(&self.referents));
        }
        let mut records: Vec<Entity> = kept.iter().filter_map(|r| record(r)).collect();
        match records.len() {
            0 => (Cow::Borrowed(&self.entity), Cow::Borrowed(&self.referents)),
            1 => (Cow::Owned(records.swap_remove(0)), Cow::Borrowed(&[])),
            _ => {
                let members: Vec<&Entity> = records.iter().collect();
                (
                    Cow::Owned(merge_entities(&self.id, &members)),
                    Cow::Owned(members.iter().map(|e| e.id.clone()).collect()),
                )
            }
        }
    }
}

/// The kind of a party for linking: persons, organisations (of any
/// organisation schema), vessels, aircraft.
fn kind_of(schema: Schema) -> u8 {
    match schema {
        Schema::Person => 0,
        Schema::Organization | Schema::Company | Schema::LegalEntity => 1,
        Schema::Vessel => 2,
        Schema::Airplane => 3,
    }
}

/// What linking reads of one record.
struct Facts {
    list: String,
    kind: u8,
    /// Full birth dates (`YYYY-MM-DD`), sorted.
    birth_dates: Vec<String>,
    un_refs: Vec<String>,
    /// (property, normal form), sorted.
    identifiers: Vec<(&'static str, String)>,
    countries: Vec<String>,
    /// Folded full names, tokens sorted; only for records with a full birth date.
    names: Vec<String>,
}

/// Identifier properties that link records.
const STRONG_IDENTIFIERS: [&str; 6] = [
    prop::PASSPORT_NUMBER,
    prop::ID_NUMBER,
    prop::TAX_NUMBER,
    prop::REGISTRATION_NUMBER,
    prop::IMO_NUMBER,
    prop::SWIFT_BIC,
];

/// Identifier properties whose numbers are unique within one country only.
const NATIONAL_IDENTIFIERS: [&str; 2] = [prop::PASSPORT_NUMBER, prop::ID_NUMBER];

impl Facts {
    fn of(e: &Entity) -> Facts {
        let list = e
            .datasets
            .first()
            .map(String::as_str)
            .or_else(|| list_id::of_entity_id(&e.id))
            .unwrap_or("")
            .to_string();
        let mut birth_dates: Vec<String> = e
            .get(prop::BIRTH_DATE)
            .iter()
            .filter(|d| crate::model::ftm::is_full_date(d))
            .cloned()
            .collect();
        birth_dates.sort();
        birth_dates.dedup();
        let mut un_refs: Vec<String> = e
            .get(prop::UNSC_ID)
            .iter()
            .chain(e.listing(prop::UNSC_ID))
            .filter_map(|r| crate::model::un_reference(r))
            .collect();
        un_refs.sort();
        un_refs.dedup();
        let mut identifiers: Vec<(&'static str, String)> = Vec::new();
        for p in STRONG_IDENTIFIERS {
            for v in e.get(p) {
                if let Some(n) = strong_identifier(p, v) {
                    identifiers.push((p, n));
                }
            }
        }
        for w in e.linked(LinkedSchema::CryptoWallet) {
            for key in w.get(prop::PUBLIC_KEY) {
                let n = normalize_identifier(key);
                if n.len() >= MIN_WALLET_LEN {
                    identifiers.push((prop::CRYPTO_WALLET, n));
                }
            }
        }
        identifiers.sort();
        identifiers.dedup();
        let mut countries: Vec<String> = [prop::NATIONALITY, prop::CITIZENSHIP, prop::COUNTRY]
            .iter()
            .flat_map(|p| e.get(p).iter().cloned())
            .collect();
        countries.sort();
        countries.dedup();
        let mut names = Vec::new();
        if !birth_dates.is_empty() {
            for p in [prop::NAME, prop::ALIAS] {
                for n in e.get(p) {
                    if let Some(key) = name_key(n)
                        && !names.contains(&key)
                    {
                        names.push(key);
                    }
                }
            }
        }
        Facts {
            list,
            kind: kind_of(e.schema),
            birth_dates,
            un_refs,
            identifiers,
            countries,
            names,
        }
    }
}

/// An identifier's normal form when it is strong enough to link records.
fn strong_identifier(property: &str, value: &str) -> Option<String> {
    let n = normalize_identifier(value);
    let ok = match property {
        p if p == prop::IMO_NUMBER => imo_check_digit_ok(&n) == Some(true),
        p if p == prop::SWIFT_BIC => looks_like_bic(&n),
        _ => n.len() >= MIN_IDENTIFIER_LEN && n.bytes().any(|b| b.is_ascii_digit()),
    };
    if !ok {
        return None;
    }
    // A branch is its bank: BICs link on the institution's BIC8.
    if property == prop::SWIFT_BIC && n.len() == 11 {
        return Some(n[..8].to_string());
    }
    Some(n)
}

/// A full name folded, its tokens sorted: at least two tokens.
fn name_key(name: &str) -> Option<String> {
    let folded = crate::text::fold(name);
    let mut tokens: Vec<&str> = folded.split_whitespace().collect();
    if tokens.len() < 2 {
        return None;
    }
    tokens.sort_unstable();
    Some(tokens.join(" "))
}

fn disjoint<T: Ord>(a: &[T], b: &[T]) -> bool {
    !a.iter().any(|x| b.binary_search(x).is_ok())
}

/// The evidence one bucket holds.
#[derive(Debug, Clone)]
enum Bucket {
    UnReference(String),
    Identifier(&'static str, String),
    NameAndBirthDate(String, String),
}

impl Bucket {
    /// The evidence for linking `a` and `b` by this bucket, when the pair
    /// itself allows it (different lists; a country in common for national
    /// numbers).
    fn check(&self, a: &Facts, b: &Facts) -> Option<Evidence> {
        if a.list == b.list || a.kind != b.kind {
            return None;
        }
        Some(match self {
            Bucket::UnReference(v) => Evidence::UnReference { value: v.clone() },
            Bucket::Identifier(p, v) => {
                if NATIONAL_IDENTIFIERS.contains(p) && disjoint(&a.countries, &b.countries) {
                    return None;
                }
                Evidence::Identifier {
                    property: p.to_string(),
                    value: v.clone(),
                }
            }
            Bucket::NameAndBirthDate(n, d) => Evidence::NameAndBirthDate {
                name: n.clone(),
                birth_date: d.clone(),
            },
        })
    }
}

/// The records sharing each piece of evidence (record indices), strongest
/// evidence first; buckets of one record, or of too many, are left out.
fn buckets(facts: &[Facts]) -> Vec<(Bucket, Vec<usize>)> {
    let mut un: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut ids: HashMap<(u8, &'static str, &str), Vec<usize>> = HashMap::new();
    let mut names: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, f) in facts.iter().enumerate() {
        for r in &f.un_refs {
            un.entry(r).or_default().push(i);
        }
        for (p, v) in &f.identifiers {
            ids.entry((f.kind, p, v)).or_default().push(i);
        }
        if f.kind == kind_of(Schema::Person) {
            for n in &f.names {
                for d in &f.birth_dates {
                    names.entry((n, d)).or_default().push(i);
                }
            }
        }
    }
    let keep = |v: &Vec<usize>| v.len() >= 2 && v.len() <= MAX_BUCKET;
    // An identifier, or a name with a birth date, that one publisher gives
    // to two of its own records identifies no single party there (an
    // owner's tax number on each of his businesses): not evidence. The UN
    // reference is the UN's own key for one listing, so it stays.
    let one_per_list = |v: &Vec<usize>| {
        let mut lists: Vec<&str> = v.iter().map(|&i| facts[i].list.as_str()).collect();
        lists.sort_unstable();
        lists.windows(2).all(|w| w[0] != w[1])
    };
    let keep_distinct = |v: &Vec<usize>| keep(v) && one_per_list(v);
    let mut out: Vec<(Bucket, Vec<usize>)> = Vec::new();
    let mut un: Vec<_> = un.into_iter().filter(|(_, v)| keep(v)).collect();
    un.sort();
    out.extend(
        un.into_iter()
            .map(|(r, v)| (Bucket::UnReference(r.to_string()), v)),
    );
    let mut ids: Vec<_> = ids.into_iter().filter(|(_, v)| keep_distinct(v)).collect();
    ids.sort();
    out.extend(
        ids.into_iter()
            .map(|((_, p, v), i)| (Bucket::Identifier(p, v.to_string()), i)),
    );
    let mut names: Vec<_> = names
        .into_iter()
        .filter(|(_, v)| keep_distinct(v))
        .collect();
    names.sort();
    out.extend(
        names
            .into_iter()
            .map(|((n, d), i)| (Bucket::NameAndBirthDate(n.to_string(), d.to_string()), i)),
    );
    out
}

/// Whether two records may not be one party; `by_un_reference` relaxes
/// the identifier check (the UN's own word outweighs a differing document
/// number).
fn conflicts(a: &Facts, b: &Facts, by_un_reference: bool) -> bool {
    let both = |x: &[String], y: &[String]| !x.is_empty() && !y.is_empty() && disjoint(x, y);
    if a.list == b.list
        || a.kind != b.kind
        || both(&a.birth_dates, &b.birth_dates)
        || both(&a.un_refs, &b.un_refs)
    {
        return true;
    }
    if by_un_reference {
        return false;
    }
    let of = |f: &Facts, p: &str| -> Vec<String> {
        f.identifiers
            .iter()
            .filter(|(q, _)| *q == p)
            .map(|(_, v)| v.clone())
            .collect()
    };
    STRONG_IDENTIFIERS
        .iter()
        .chain([&prop::CRYPTO_WALLET])
        .any(|p| both(&of(a, p), &of(b, p)))
}

/// Union-find over records, with each root's summary and links.
struct Groups<'f> {
    facts: &'f [Facts],
    parent: Vec<usize>,
    /// The records of each root's group.
    members: Vec<Vec<usize>>,
    links: Vec<Vec<Link>>,
}

impl<'f> Groups<'f> {
    fn new(facts: &'f [Facts]) -> Groups<'f> {
        Groups {
            facts,
            parent: (0..facts.len()).collect(),
            members: (0..facts.len()).map(|i| vec![i]).collect(),
            links: vec![Vec::new(); facts.len()],
        }
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Joins the groups of `i` and `j` unless they are one already or
    /// their union would hold a conflict.
    fn union(&mut self, i: usize, j: usize, evidence: Evidence, a: &Entity, b: &Entity) {
        let (ri, rj) = (self.root(i), self.root(j));
        if ri == rj {
            return;
        }
        // Every record of one group against every record of the other: a
        // chain of links never joins two records a direct link could not.
        let by_un = matches!(evidence, Evidence::UnReference { .. });
        let facts = self.facts;
        if self.members[ri].iter().any(|&x| {
            self.members[rj]
                .iter()
                .any(|&y| conflicts(&facts[x], &facts[y], by_un))
        }) {
            return;
        }
        let moved = std::mem::take(&mut self.members[rj]);
        self.members[ri].extend(moved);
        let moved = std::mem::take(&mut self.links[rj]);
        self.links[ri].extend(moved);
        self.links[ri].push(Link {
            from: a.id.clone(),
            to: b.id.clone(),
            evidence,
        });
        self.parent[rj] = ri;
    }

    fn into_links(mut self, entities: &[&Entity]) -> Links {
        let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..entities.len() {
            let r = self.root(i);
            if !self.links[r].is_empty() {
                members.entry(r).or_default().push(i);
            }
        }
        let mut groups: Vec<(usize, Vec<usize>)> = members.into_iter().collect();
        groups.sort_by(|a, b| entities[a.1[0]].id.cmp(&entities[b.1[0]].id));
        let mut parties = Vec::with_capacity(groups.len());
        for (root, mut idx) in groups {
            idx.sort_by(|&a, &b| entities[a].id.cmp(&entities[b].id));
            let members: Vec<&Entity> = idx.iter().map(|&i| entities[i]).collect();
            let un = idx
                .iter()
                .flat_map(|&i| self.facts[i].un_refs.iter())
                .min()
                .cloned();
            let id = party_id(un.as_deref(), &members[0].id);
            parties.push(Party {
                entity: merge_entities(&id, &members),
                referents: members.iter().map(|e| e.id.clone()).collect(),
                links: std::mem::take(&mut self.links[root]),
                id,
            });
        }
        Links::from_parties(parties)
    }
}

/// A party's id (see the module documentation).
fn party_id(un_reference: Option<&str>, smallest_referent: &str) -> String {
    match un_reference {
        Some(un) => format!("NK-{un}"),
        None => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(smallest_referent.as_bytes());
            let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            format!("NK-{hex}")
        }
    }
}

/// The most specific schema of the members (all of one kind): a `Company`
/// has every property of an `Organization`, which has every property of a
/// `LegalEntity`.
fn merged_schema(members: &[&Entity]) -> Schema {
    let rank = |s: Schema| match s {
        Schema::LegalEntity => 0,
        Schema::Organization => 1,
        _ => 2,
    };
    members
        .iter()
        .map(|e| e.schema)
        .max_by_key(|s| rank(*s))
        .unwrap_or(Schema::LegalEntity)
}

/// The members as one FtM entity: the value union of their properties,
/// their datasets and their linked entities; the caption of the first.
pub fn merge_entities(id: &str, members: &[&Entity]) -> Entity {
    let mut merged = Entity::new("", "", merged_schema(members));
    merged.id = id.to_string();
    merged.datasets.clear();
    for e in members {
        for (p, values) in &e.properties {
            for v in values {
                merged.add(p, v);
            }
        }
        for d in &e.datasets {
            if !merged.datasets.contains(d) {
                merged.datasets.push(d.clone());
            }
        }
        merged.linked.extend(e.linked.iter().cloned());
    }
    merged.datasets.sort();
    if let Some(first) = members.first() {
        merged.caption.clone_from(&first.caption);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(list: &str, id: &str, name: &str, dob: &[&str]) -> Entity {
        let mut e = Entity::new(list, id, Schema::Person);
        e.add(prop::NAME, name);
        for d in dob {
            e.add(prop::BIRTH_DATE, d);
        }
        e.finish();
        e
    }

    #[test]
    fn name_and_birth_date_link_across_lists_only() {
        let a = person("us_ofac_sdn", "1", "Ali Hassan AL-RASHID", &["1970-01-02"]);
        let b = person(
            "gb_hmt_sanctions",
            "9",
            "AL RASHID, Ali Hassan",
            &["1970-01-02"],
        );
        let links = Links::compute([&a, &b]);
        assert_eq!(links.len(), 1);
        let p = links.resolve("gb_hmt_sanctions:9").expect("linked");
        assert_eq!(p.referents, ["gb_hmt_sanctions:9", "us_ofac_sdn:1"]);
        assert!(p.id.starts_with("NK-"));
        assert_eq!(links.resolve(&p.id).map(|q| &q.id), Some(&p.id));
        // A second OFAC record with that name and date: OFAC itself tells
        // two parties apart there, so which one the UK means is unknown.
        let c = person("us_ofac_sdn", "2", "Ali Hassan Al-Rashid", &["1970-01-02"]);
        assert!(Links::compute([&a, &b, &c]).is_empty());
    }

    #[test]
    fn an_identifier_one_list_gives_twice_is_no_evidence() {
        let shop = |list: &str, id: &str, name: &str| {
            let mut e = Entity::new(list, id, Schema::Organization);
            e.add(prop::NAME, name);
            e.add(prop::TAX_NUMBER, "844191-K");
            e
        };
        let a = shop("us_ofac_sdn", "1", "STAR MARKET");
        let b = shop("us_ofac_sdn", "2", "CAR AUDIO");
        let c = shop("us_trade_csl", "2", "CAR AUDIO");
        assert_eq!(Links::compute([&b, &c]).len(), 1);
        assert!(Links::compute([&a, &b, &c]).is_empty());
    }

    #[test]
    fn different_birth_dates_never_merge_even_through_a_chain() {
        let mut a = person("un_sc_sanctions", "QDi.1", "Abu Ali", &["1970-01-02"]);
        a.add(prop::UNSC_ID, "QDi.001");
        let mut b = person("gb_hmt_sanctions", "9", "Ali Rashid", &[]);
        b.add(prop::UNSC_ID, "QDi.001");
        let c = person("eu_fsf", "5", "Ali Rashid", &["1971-03-04"]);
        let mut c2 = c.clone();
        c2.add(prop::UNSC_ID, "QDi.001");
        let links = Links::compute([&a, &b, &c2]);
        let p = links.resolve("un_sc_sanctions:QDi.1").expect("linked");
        assert_eq!(p.id, "NK-QDi.001");
        assert_eq!(p.referents.len(), 2, "{p:?}");
        assert!(links.party_of("eu_fsf:5").is_none());
    }

    #[test]
    fn schemata_and_imo_numbers_conflict() {
        let mut v1 = Entity::new("us_ofac_sdn", "v1", Schema::Vessel);
        v1.add(prop::NAME, "OCEAN STAR");
        v1.add(prop::IMO_NUMBER, "IMO 9187629");
        let mut v2 = Entity::new("gb_hmt_sanctions", "v2", Schema::Vessel);
        v2.add(prop::NAME, "Ocean Star");
        v2.add(prop::IMO_NUMBER, "9187629");
        let mut o = Entity::new("au_dfat_sanctions", "o", Schema::Organization);
        o.add(prop::NAME, "Ocean Star");
        o.add(prop::IMO_NUMBER, "9187629");
        let links = Links::compute([&v1, &v2, &o]);
        let p = links.resolve("us_ofac_sdn:v1").expect("linked");
        assert_eq!(p.referents, ["gb_hmt_sanctions:v2", "us_ofac_sdn:v1"]);
        assert!(matches!(
            &p.links[0].evidence,
            Evidence::Identifier { property, value } if property == "imoNumber" && value == "9187629"
        ));
        assert!(links.party_of("au_dfat_sanctions:o").is_none());
    }

    #[test]
    fn fold_keeps_the_best_member_and_the_order() {
        let a = person("us_ofac_sdn", "1", "Ali Hassan Rashid", &["1970-01-02"]);
        let b = person(
            "gb_hmt_sanctions",
            "9",
            "Ali Hassan Rashid",
            &["1970-01-02"],
        );
        let c = person("eu_fsf", "3", "Someone Else", &[]);
        let links = Links::compute([&a, &b, &c]);
        let results = vec!["gb_hmt_sanctions:9", "eu_fsf:3", "us_ofac_sdn:1"];
        let folded = links.fold(results, |r| r);
        let ids: Vec<&str> = folded.iter().map(|(r, _)| *r).collect();
        assert_eq!(ids, ["gb_hmt_sanctions:9", "eu_fsf:3"]);
        let merged = &folded[0].1.expect("party").entity;
        assert_eq!(merged.datasets, ["gb_hmt_sanctions", "us_ofac_sdn"]);
    }
}
