//! The screening index: a tantivy index of name keys (canonical tokens,
//! transliteration skeletons, phonetic keys, character trigrams of the joined
//! name, identifiers) plus list ids for filtering, built from list versions;
//! and beside it the prepared entities the scorer reads. Candidate retrieval
//! never rests on one exact token: every name contributes several kinds of
//! keys, so a typo, another romanisation, a joined or split word or a missing
//! middle name still leaves enough keys in common.

mod candidates;
pub mod persist;

use crate::analysis::{
    Interner, PreparedEntity, PreparedName, PreparedQuery, TokenStats, assign_token_ids,
    assign_variant_ids, is_distinctive, sharing_text,
};
use crate::model::Entity;
use crate::text::TokenKind;
use candidates::{FieldNorms, Key};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use tantivy::columnar::Column;
use tantivy::schema::Value as _;
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{DocAddress, Index, IndexReader, Searcher, TantivyDocument};

/// Most trigram keys taken from one name (bounds index size and query work).
const MAX_GRAMS_PER_NAME: usize = 48;
/// Most keys in one candidate query; each is one posting list to read, so
/// this bounds the work a query can cause.
const MAX_QUERY_KEYS: usize = 48;
const _: () = assert!(MAX_QUERY_KEYS <= candidates::MAX_KEYS);
/// Most trigram keys in one candidate query: evenly spread over the primary
/// spelling (a typo removes at most three neighbouring trigrams), plus a few
/// from each other spelling.
const MAX_QUERY_GRAMS: usize = 10;
const MAX_QUERY_GRAMS_PER_OTHER_VARIANT: usize = 2;
/// Most pairs of neighbouring query words also looked up joined.
const MAX_QUERY_JOINED_PAIRS: usize = 6;
/// A pair of neighbouring query words is looked up joined when one of them
/// has at most this many letters: the short piece a split word leaves.
const JOINED_PAIR_MAX_SHORT_CHARS: usize = 3;
/// Trigrams, skeletons and sounds shared by more than this share of all
/// parties are not looked up (tokens and identifiers always are).
const MAX_SHARE_OF_LOOSE_KEY: f32 = 0.03;

/// Errors building or searching the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("stored index: {0}")]
    Io(std::io::Error),
    #[error("stored index damaged: {0}")]
    Stored(String),
}

/// A list loaded into the index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadedList {
    pub id: String,
    pub version: String,
    pub entities: usize,
}

#[derive(Clone, Copy)]
struct Fields {
    ord: Field,
    list: Field,
    tok: Field,
    skel: Field,
    phon: Field,
    gram: Field,
    ident: Field,
    record: Field,
}

/// The index of every loaded list: immutable once built (a refresh builds a
/// new one and swaps it in).
pub struct ScreeningIndex {
    entities: Vec<PreparedEntity>,
    /// Party ordinals in the order of their entity ids: an id is found by
    /// binary search over the entities' own ids, without a second copy of
    /// every id in a map.
    by_id: Vec<u32>,
    stats: TokenStats,
    lists: BTreeMap<String, LoadedList>,
    sanctions_lists: BTreeSet<String>,
    reader: IndexReader,
    /// Party ordinal of each tantivy document, by segment.
    doc_ords: Vec<Vec<u32>>,
    /// Length normalisation of each key field, by party ordinal.
    norms: KeyNorms,
    /// Per party, the lists it belongs to as bits over `lists`' order
    /// (lists past the 64th are checked by name).
    list_bits: Vec<u64>,
    fields: Fields,
    /// The parties that several lists' records form (see [`crate::linking`]).
    links: crate::linking::Links,
    /// Where each party's listed record is in the key index's document
    /// store, by party ordinal (see [`ScreeningIndex::record`]).
    record_at: Vec<DocAddress>,
}

#[derive(Debug, Default)]
struct KeyNorms {
    tok: FieldNorms,
    skel: FieldNorms,
    phon: FieldNorms,
    gram: FieldNorms,
    ident: FieldNorms,
}

impl std::fmt::Debug for ScreeningIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScreeningIndex")
            .field("entities", &self.entities.len())
            .field("lists", &self.lists)
            .finish()
    }
}

/// The name keys of one name, by kind.
#[derive(Debug, Default)]
pub struct NameKeys {
    pub tok: Vec<String>,
    pub skel: Vec<String>,
    pub phon: Vec<String>,
    pub gram: Vec<String>,
}

impl NameKeys {
    fn push_unique(v: &mut Vec<String>, s: &str) {
        if !s.is_empty() && !v.iter().any(|x| x == s) {
            v.push(s.to_string());
        }
    }

    /// Adds the keys of every variant of a name.
    pub fn add_name(&mut self, name: &PreparedName) {
        self.add_token_keys(name);
        for (i, v) in name.variants.iter().enumerate() {
            // Trigrams catch typos and joined words; later variants add fewer.
            let budget = if i == 0 {
                MAX_GRAMS_PER_NAME
            } else {
                MAX_GRAMS_PER_NAME / 4
            };
            let chars: Vec<char> = v.joined_chars().collect();
            let mut grams = 0;
            for w in chars.windows(3) {
                if grams >= budget {
                    break;
                }
                let g: String = w.iter().collect();
                if !self.gram.contains(&g) {
                    self.gram.push(g);
                    grams += 1;
                }
            }
        }
    }

    /// The token, skeleton and phonetic keys of every variant of a name.
    fn add_token_keys(&mut self, name: &PreparedName) {
        for v in &name.variants {
            for t in &v.tokens {
                if !is_distinctive(t.kind) || t.kind == TokenKind::Initial {
                    continue;
                }
                Self::push_unique(&mut self.tok, &t.text);
                if t.raw.len() >= 3 {
                    Self::push_unique(&mut self.skel, &t.skel);
                    Self::push_unique(&mut self.phon, &t.phon);
                }
            }
        }
    }
}

impl NameKeys {
    /// The token and skeleton keys of neighbouring query words written
    /// together, when one of them is short or the second is a Persian
    /// surname ending ("hasan zadeh"): a word the query splits ("ma yshu"
    /// for MAYCHOU, as Arabic text often puts a space after a letter that
    /// does not join the next) shares none of its keys with the listed
    /// word, which the scorer still joins. Pairs with a title, legal form,
    /// initial or number are skipped.
    fn add_joined_pairs(&mut self, name: &PreparedName) {
        let joinable = |k: TokenKind| matches!(k, TokenKind::Word | TokenKind::Particle);
        let mut pairs = 0;
        for v in &name.variants {
            for pair in v.tokens.windows(2) {
                let [a, b] = pair else { continue };
                if pairs >= MAX_QUERY_JOINED_PAIRS {
                    return;
                }
                let split = a.raw.len().min(b.raw.len()) <= JOINED_PAIR_MAX_SHORT_CHARS
                    || b.surname_ending.is_some();
                if !joinable(a.kind) || !joinable(b.kind) || !split {
                    continue;
                }
                let joined = format!("{}{}", &*a.raw, &*b.raw);
                if self.tok.contains(&joined) {
                    continue;
                }
                Self::push_unique(&mut self.skel, &crate::text::skeleton(&joined));
                self.tok.push(joined);
                pairs += 1;
            }
        }
    }

    /// The keys a query looks up: every token, skeleton and phonetic key of
    /// every spelling, the words a split may have parted
    /// ([`Self::add_joined_pairs`]), but only a sample of the trigrams. Only
    /// the sampled trigrams are built (this runs for every screening).
    pub fn for_query(name: &PreparedName) -> NameKeys {
        let mut all = NameKeys::default();
        all.add_token_keys(name);
        all.add_joined_pairs(name);
        let mut chars: Vec<char> = Vec::new();
        for (i, v) in name.variants.iter().enumerate() {
            chars.clear();
            chars.extend(v.joined_chars());
            let windows = chars.len().saturating_sub(2);
            let budget = if i == 0 {
                MAX_QUERY_GRAMS
            } else {
                MAX_QUERY_GRAMS_PER_OTHER_VARIANT
            };
            // Every k-th trigram, k chosen so the sample fits the budget.
            let step = windows.div_ceil(budget).max(1);
            for start in (0..windows).step_by(step).take(budget) {
                let g: String = chars[start..start + 3].iter().collect();
                if !all.gram.contains(&g) {
                    all.gram.push(g);
                }
            }
        }
        all
    }
}

/// The retrieval keys of a query, each written `<kind>:<value>` with kind
/// `i` (identifier), `t` (token), `s` (skeleton), `p` (sound) or `g`
/// (trigram): what [`ScreeningIndex::candidates`] looks up, without its cap.
/// With [`entity_keys`], the keys a listed party is indexed under, this lets
/// the monitor index customers by the keys a screening of them looks up and
/// meet listed parties from either side on the same keys.
pub fn query_keys(q: &PreparedQuery) -> Vec<String> {
    let names = NameKeys::for_query(&q.name);
    prefixed_keys(&q.identifiers, &names)
}

/// The keys a listed party is indexed under (see [`query_keys`]).
pub fn entity_keys(e: &PreparedEntity) -> Vec<String> {
    let mut names = NameKeys::default();
    for (_, n) in &e.names {
        names.add_name(n);
    }
    prefixed_keys(&e.identifiers, &names)
}

fn prefixed_keys(identifiers: &[String], names: &NameKeys) -> Vec<String> {
    let groups: [(&str, &[String]); 5] = [
        ("i", identifiers),
        ("t", &names.tok),
        ("s", &names.skel),
        ("p", &names.phon),
        ("g", &names.gram),
    ];
    let mut out = Vec::new();
    // Keys of different kinds never collide (their prefixes differ).
    let mut seen: HashSet<&str> = HashSet::new();
    for (kind, values) in groups {
        seen.clear();
        for v in values {
            if seen.insert(v.as_str()) {
                out.push(format!("{kind}:{v}"));
            }
        }
    }
    out
}

/// The tantivy schema: the party ordinal, its lists, one field per kind
/// of key, and the listed record (stored, not indexed).
fn schema() -> Schema {
    let mut b = Schema::builder();
    let keys = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    b.add_u64_field("ord", INDEXED | tantivy::schema::FAST);
    b.add_text_field("list", STRING);
    for kind in ["tok", "skel", "phon", "gram"] {
        b.add_text_field(kind, keys.clone());
    }
    b.add_text_field("ident", STRING);
    // The listed record as its JSON, read back only for the parties a
    // caller asks for: kept on disk (compressed, memory-mapped), not in RAM.
    b.add_text_field("record", tantivy::schema::STORED);
    b.build()
}

/// The parties of a set of loaded lists, analysed for scoring: the part of
/// an index that does not live in tantivy.
pub(crate) struct Parties {
    lists: BTreeMap<String, LoadedList>,
    /// In ordinal order (the `ord` field of each tantivy document).
    entities: Vec<PreparedEntity>,
    /// The listed records, in the same order, while an index is built
    /// (written into the key index's document store); empty when the
    /// parties are read back.
    records: Vec<Entity>,
    /// The parties that several lists' records form, linked from the
    /// records when they are prepared.
    links: crate::linking::Links,
    stats: TokenStats,
}

impl Parties {
    /// Analyses every name once, counts the tokens over all lists, marks the
    /// common ones and gives equal tokens and equal name variants one id.
    fn prepare(lists: Vec<(LoadedList, Vec<Entity>)>) -> Parties {
        use rayon::prelude::*;
        let mut loaded = BTreeMap::new();
        let mut all: Vec<Entity> = Vec::new();
        for (info, entities) in lists {
            all.extend(entities);
            loaded.insert(info.id.clone(), info);
        }
        // Equal token keys share one copy from the start (see `analysis::sym`).
        let interner = Interner::for_threads();
        let mut entities: Vec<PreparedEntity> = all
            .par_iter()
            .map(|e| sharing_text(&interner, || PreparedEntity::new(e)))
            .collect();
        drop(interner);
        let stats = TokenStats::from_entities(entities.iter());
        entities.par_iter_mut().for_each(|e| {
            for (_, n) in &mut e.names {
                stats.mark_common(n);
            }
        });
        assign_token_ids(&mut entities);
        assign_variant_ids(&mut entities);
        let links = crate::linking::Links::compute(&all);
        Parties {
            lists: loaded,
            entities,
            records: all,
            links,
            stats,
        }
    }

    /// Writes one tantivy document per party into `index` (made with
    /// [`schema`]) and returns each party's key counts by kind.
    fn write_keys(&self, index: &Index) -> Result<Vec<[u32; 4]>, IndexError> {
        let fields = fields_of(&index.schema())?;
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 100_000_000)?;
        let mut counts = Vec::with_capacity(self.entities.len());
        for (ord, e) in self.entities.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.ord, ord as u64);
            for l in &e.datasets {
                doc.add_text(fields.list, l);
            }
            let record = self.records.get(ord).ok_or_else(|| {
                IndexError::Stored(format!("party {ord} has no listed record to store"))
            })?;
            let json = serde_json::to_string(record)
                .map_err(|e| IndexError::Stored(format!("party {ord}: {e}")))?;
            doc.add_text(fields.record, json);
            let mut keys = NameKeys::default();
            for (_, n) in &e.names {
                keys.add_name(n);
            }
            for (field, values) in [
                (fields.tok, &keys.tok),
                (fields.skel, &keys.skel),
                (fields.phon, &keys.phon),
                (fields.gram, &keys.gram),
            ] {
                for v in values {
                    doc.add_text(field, v);
                }
            }
            for id in &e.identifiers {
                doc.add_text(fields.ident, id);
            }
            counts.push([&keys.tok, &keys.skel, &keys.phon, &keys.gram].map(|k| k.len() as u32));
            writer.add_document(doc)?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        Ok(counts)
    }
}

/// The fields of an index made with [`schema`] (also one read from disk).
fn fields_of(schema: &Schema) -> Result<Fields, IndexError> {
    let field = |name: &str| schema.get_field(name).map_err(IndexError::from);
    Ok(Fields {
        ord: field("ord")?,
        list: field("list")?,
        tok: field("tok")?,
        skel: field("skel")?,
        phon: field("phon")?,
        gram: field("gram")?,
        ident: field("ident")?,
        record: field("record")?,
    })
}

impl ScreeningIndex {
    /// Builds the index from every loaded list's entities, in memory.
    /// `sanctions_lists` names the lists that form the `sanctions` collection.
    pub fn build(
        lists: Vec<(LoadedList, Vec<Entity>)>,
        sanctions_lists: BTreeSet<String>,
    ) -> Result<ScreeningIndex, IndexError> {
        let parties = Parties::prepare(lists);
        let index = Index::create_in_ram(schema());
        let key_counts = parties.write_keys(&index)?;
        ScreeningIndex::assemble(index, parties, key_counts, sanctions_lists)
    }

    /// Puts a built index together from its parts: the tantivy index of the
    /// parties' keys, the prepared parties in ordinal order, and the number
    /// of keys of each kind (token, skeleton, sound, trigram) per party.
    fn assemble(
        index: Index,
        parties: Parties,
        key_counts: Vec<[u32; 4]>,
        sanctions_lists: BTreeSet<String>,
    ) -> Result<ScreeningIndex, IndexError> {
        let Parties {
            lists: loaded,
            entities,
            records,
            links,
            stats,
        } = parties;
        drop(records);
        let fields = fields_of(&index.schema())?;
        let mut by_id: Vec<u32> = (0..entities.len() as u32).collect();
        // Stable: of parties with one id, the last one listed is found.
        by_id.sort_by(|&a, &b| entities[a as usize].id.cmp(&entities[b as usize].id));
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut doc_ords = Vec::new();
        let mut record_at = vec![DocAddress::new(u32::MAX, u32::MAX); entities.len()];
        for (segment, seg) in searcher.segment_readers().iter().enumerate() {
            let col: Column<u64> = seg.fast_fields().u64("ord")?;
            let ords: Vec<u32> = (0..seg.max_doc())
                .map(|d| col.first(d).map_or(u32::MAX, |o| o as u32))
                .collect();
            for (doc, &ord) in ords.iter().enumerate() {
                if let Some(at) = record_at.get_mut(ord as usize) {
                    *at = DocAddress::new(segment as u32, doc as u32);
                }
            }
            doc_ords.push(ords);
        }
        if record_at.iter().any(|a| a.segment_ord == u32::MAX) {
            return Err(IndexError::Stored(
                "a party has no document in the key index".into(),
            ));
        }
        let column = |k: usize| key_counts.iter().map(|c| c[k]).collect::<Vec<u32>>();
        let norms = KeyNorms {
            tok: FieldNorms::from_counts(&column(0)),
            skel: FieldNorms::from_counts(&column(1)),
            phon: FieldNorms::from_counts(&column(2)),
            gram: FieldNorms::from_counts(&column(3)),
            ident: FieldNorms::flat(),
        };
        let list_bits = entities
            .iter()
            .map(|e| {
                e.datasets.iter().fold(0u64, |bits, d| {
                    match loaded.keys().position(|l| l == d.as_str()) {
                        Some(i) if i < 64 => bits | (1 << i),
                        _ => bits,
                    }
                })
            })
            .collect();
        drop(searcher);
        Ok(ScreeningIndex {
            record_at,
            links,
            entities,
            by_id,
            stats,
            lists: loaded,
            sanctions_lists,
            reader,
            doc_ords,
            norms,
            list_bits,
            fields,
        })
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    pub fn lists(&self) -> &BTreeMap<String, LoadedList> {
        &self.lists
    }

    /// The parties linked across the loaded lists.
    pub fn links(&self) -> &crate::linking::Links {
        &self.links
    }

    pub fn sanctions_lists(&self) -> &BTreeSet<String> {
        &self.sanctions_lists
    }

    pub fn stats(&self) -> &TokenStats {
        &self.stats
    }

    pub fn entity(&self, ord: u32) -> Option<&PreparedEntity> {
        self.entities.get(ord as usize)
    }

    /// Reads the start of each party's scoring data (the record, its first
    /// name and its variant ids) ahead of scoring: independent loads
    /// overlap, where scoring one party after another waits for each in turn.
    pub fn touch(&self, ords: &[u32]) {
        let mut sum = 0usize;
        let parties = || ords.iter().filter_map(|&o| self.entity(o));
        for e in parties() {
            sum = sum
                .wrapping_add(e.names.len())
                .wrapping_add(e.variant_ids.len())
                .wrapping_add(usize::from(e.schema == crate::model::Schema::Person));
        }
        for e in parties() {
            let first_name = e.names.first().map_or(0, |(_, n)| n.variants.len());
            let first_id = e.variant_ids.first().map_or(0, |&id| id as usize);
            sum = sum.wrapping_add(first_name).wrapping_add(first_id);
        }
        std::hint::black_box(sum);
    }

    /// The ordinal of an entity id.
    pub fn ord_of(&self, id: &str) -> Option<u32> {
        let id_of = |ord: u32| self.entities[ord as usize].id.as_str();
        let end = self.by_id.partition_point(|&o| id_of(o) <= id);
        let last = *self.by_id.get(end.checked_sub(1)?)?;
        (id_of(last) == id).then_some(last)
    }

    pub fn entity_by_id(&self, id: &str) -> Option<&PreparedEntity> {
        self.ord_of(id).and_then(|o| self.entity(o))
    }

    /// The listed record of a party, read from the key index's document
    /// store (`None` for an ordinal past the parties).
    pub fn record(&self, ord: u32) -> Option<Result<Entity, IndexError>> {
        let at = *self.record_at.get(ord as usize)?;
        Some(decode_record(
            &self.reader.searcher(),
            self.fields.record,
            at,
        ))
    }

    /// The listed record with this id.
    pub fn record_by_id(&self, id: &str) -> Option<Result<Entity, IndexError>> {
        self.record(self.ord_of(id)?)
    }

    /// The listed record with this id for showing it: a read that fails
    /// (the document store damaged on disk; a restart does not read the
    /// records, so it finds no such damage) is logged as an error and
    /// taken as no record.
    pub fn listed(&self, id: &str) -> Option<Entity> {
        match self.record_by_id(id)? {
            Ok(e) => Some(e),
            Err(err) => {
                tracing::error!(entity = %id, error = %err, "listed record unreadable");
                None
            }
        }
    }

    /// Every listed record, in ordinal order (each read as it is taken).
    pub fn records(&self) -> impl Iterator<Item = Result<Entity, IndexError>> + '_ {
        self.stored_records()
            .map(|json| json.and_then(|json| decode_stored(&json)))
    }

    /// Every party's listed record as stored (its JSON, not decoded), by
    /// ordinal: two generations' records compare without decoding them,
    /// and [`decode_stored`] decodes one as [`Self::record`] does.
    pub fn stored_records(&self) -> impl Iterator<Item = Result<String, IndexError>> + '_ {
        let searcher = self.reader.searcher();
        let field = self.fields.record;
        self.record_at
            .iter()
            .map(move |&at| stored_json(&searcher, field, at))
    }

    pub fn entities(&self) -> impl Iterator<Item = &PreparedEntity> {
        self.entities.iter()
    }

    /// The entities most likely to match the query, best first (by the
    /// retrieval score, not the final score). `lists` restricts the search;
    /// `None` searches every list. `topics`, when not empty, keeps the
    /// parties carrying any of them (filtered during retrieval, so a rare
    /// topic is not crowded out by namesakes without it).
    pub fn candidates(
        &self,
        q: &PreparedQuery,
        lists: Option<&BTreeSet<String>>,
        topics: &[String],
        limit: usize,
    ) -> Result<Vec<u32>, IndexError> {
        let f = self.fields;
        let nk = &self.norms;
        let names = NameKeys::for_query(&q.name);
        let mut keys: Vec<Key<'_>> = Vec::new();
        let fields: [(Field, &[String], f32, &FieldNorms, f32); 5] = [
            (f.ident, &q.identifiers, 10.0, &nk.ident, 1.0),
            (f.tok, &names.tok, 3.0, &nk.tok, 1.0),
            (f.skel, &names.skel, 2.0, &nk.skel, MAX_SHARE_OF_LOOSE_KEY),
            (f.phon, &names.phon, 1.5, &nk.phon, MAX_SHARE_OF_LOOSE_KEY),
            (f.gram, &names.gram, 0.5, &nk.gram, MAX_SHARE_OF_LOOSE_KEY),
        ];
        for (field, values, boost, norms, max_share) in fields {
            for v in values {
                if keys.len() < MAX_QUERY_KEYS {
                    keys.push(Key {
                        field,
                        value: v,
                        boost,
                        norms,
                        max_share,
                        max_parties: u32::MAX,
                    });
                }
            }
        }
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = lists.map(|lists| {
            let bits = self
                .lists
                .keys()
                .take(64)
                .enumerate()
                .filter(|(_, l)| lists.contains(*l))
                .fold(0u64, |bits, (i, _)| bits | (1 << i));
            (bits, lists)
        });
        let beyond_64 = self.lists.len() > 64;
        let of_topics =
            |ord: u32| topics.is_empty() || self.entity(ord).is_some_and(|e| e.has_topic(topics));
        let keep = |ord: u32| {
            of_topics(ord)
                && match &wanted {
                    None => true,
                    Some((bits, lists)) => {
                        self.list_bits
                            .get(ord as usize)
                            .is_some_and(|b| b & bits != 0)
                            || (beyond_64 && self.entity(ord).is_some_and(|e| e.on_any_list(lists)))
                    }
                }
        };
        let searcher = self.reader.searcher();
        Ok(candidates::top_parties(
            &searcher,
            &self.doc_ords,
            self.entities.len(),
            &keys,
            limit,
            keep,
        )?)
    }
}

/// A listed record from the key index's document store.
fn decode_record(searcher: &Searcher, field: Field, at: DocAddress) -> Result<Entity, IndexError> {
    decode_stored(&stored_json(searcher, field, at)?)
}

/// A party's listed record as its document stores it.
fn stored_json(searcher: &Searcher, field: Field, at: DocAddress) -> Result<String, IndexError> {
    let doc: TantivyDocument = searcher.doc(at)?;
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| IndexError::Stored("a party's listed record is missing".into()))
}

/// A listed record from its stored JSON ([`ScreeningIndex::stored_records`]).
pub fn decode_stored(json: &str) -> Result<Entity, IndexError> {
    serde_json::from_str(json)
        .map_err(|e| IndexError::Stored(format!("a party's listed record: {e}")))
}

/// Errors loading the current list versions into an index.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Store(#[from] crate::snapshot::StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// What an index of the current (last good) version of every stored list
/// is built from. `sanctions_lists` names the `sanctions` collection.
pub fn plan_of_store(
    store: &crate::snapshot::Store,
    sanctions_lists: BTreeSet<String>,
) -> persist::Plan {
    let current = store.lists().into_iter().filter_map(|status| {
        let meta = status.current?;
        Some(LoadedList {
            id: status.id,
            version: meta.version,
            entities: meta.entities,
        })
    });
    persist::Plan::new(current, sanctions_lists)
}

/// The index of the current (last good) version of every stored list:
/// read back from the data directory when it was built before, else built
/// and stored there for the next start (see [`persist`]).
pub fn build_from_store(
    store: &crate::snapshot::Store,
    sanctions_lists: BTreeSet<String>,
) -> Result<ScreeningIndex, LoadError> {
    let plan = plan_of_store(store, sanctions_lists);
    persist::IndexStore::of_data_dir(store.root()).load_or_build(&plan, || {
        let mut lists = Vec::new();
        for (id, version, _) in &plan.lists {
            let entities = store.load_entities(id, version)?;
            let info = LoadedList {
                id: id.clone(),
                version: version.clone(),
                entities: entities.len(),
            };
            lists.push((info, entities));
        }
        Ok::<_, LoadError>(lists)
    })
}

/// The token statistics of the current versions' index (all `compare`
/// needs): read alone when the index is stored, else from a build.
pub fn stats_from_store(
    store: &crate::snapshot::Store,
    sanctions_lists: BTreeSet<String>,
) -> Result<TokenStats, LoadError> {
    let plan = plan_of_store(store, sanctions_lists.clone());
    match persist::IndexStore::of_data_dir(store.root()).load_stats(&plan) {
        Some(stats) => Ok(stats),
        None => Ok(build_from_store(store, sanctions_lists)?.stats().clone()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Schema, prop};
    use std::collections::HashMap;

    fn party(list: &str, id: &str, schema: Schema, names: &[(&str, &str)]) -> Entity {
        let mut e = Entity::new(list, id, schema);
        for (p, n) in names {
            e.add(p, n);
        }
        e.finish();
        e
    }

    /// Parties that share names across lists and within one party (an alias
    /// differing only in case and punctuation, a weak alias equal to an
    /// alias), so that variant ids are shared.
    pub(crate) fn index() -> ScreeningIndex {
        let a = vec![
            party(
                "us_ofac_sdn",
                "1",
                Schema::Person,
                &[
                    (prop::NAME, "Ali Hassan AL-RASHID"),
                    (prop::ALIAS, "Ali Hassan al Rashid"),
                    (prop::WEAK_ALIAS, "Abu Ali"),
                    (prop::PREVIOUS_NAME, "Ali Hasan Rashid"),
                ],
            ),
            party(
                "us_ofac_sdn",
                "2",
                Schema::Organization,
                &[
                    (prop::NAME, "Rashid Trading LLC"),
                    (prop::ALIAS, "RASHID TRADING L.L.C."),
                ],
            ),
        ];
        let b = vec![
            party(
                "un_sc_sanctions",
                "QDi.1",
                Schema::Person,
                &[
                    (prop::WEAK_ALIAS, "Ali Hassan al-Rashid"),
                    (prop::NAME, "Abu Ali"),
                    (prop::ALIAS, "Ali Hasan Rashid"),
                ],
            ),
            party(
                "un_sc_sanctions",
                "QDe.2",
                Schema::LegalEntity,
                &[(prop::NAME, "Rashid Trading")],
            ),
        ];
        let list = |id: &str, entities: &Vec<Entity>| LoadedList {
            id: id.to_string(),
            version: "1".to_string(),
            entities: entities.len(),
        };
        let lists = vec![
            (list("us_ofac_sdn", &a), a),
            (list("un_sc_sanctions", &b), b),
        ];
        ScreeningIndex::build(lists, BTreeSet::new()).expect("in-memory index")
    }

    #[test]
    fn a_query_word_split_in_two_is_looked_up_joined() {
        let keys = |name: &str| {
            query_keys(&PreparedQuery {
                name: PreparedName::new(name, Some(false)),
                schema: None,
                birth_dates: Vec::new(),
                countries: Vec::new(),
                identifiers: Vec::new(),
            })
        };
        // "Ma Ychou" beside "MAYCHOU": the short piece is looked up joined.
        let split = keys("Ali Ma Ychou");
        assert!(split.iter().any(|k| k == "t:maychou"), "{split:?}");
        // So is a Persian surname ending written apart with its stem.
        let ending = keys("Hasan Zadeh");
        assert!(ending.iter().any(|k| k == "t:hasanzadeh"), "{ending:?}");
        // Two long words are not joined.
        let whole = keys("Vladimir Putin");
        assert!(!whole.iter().any(|k| k == "t:vladimirputin"), "{whole:?}");
    }

    #[test]
    fn every_party_is_found_by_its_id_and_nothing_else() {
        let index = index();
        for (ord, e) in index.entities().enumerate() {
            assert_eq!(index.ord_of(&e.id), Some(ord as u32));
            assert_eq!(index.entity_by_id(&e.id).map(|f| &f.id), Some(&e.id));
        }
        for missing in [
            "",
            "us_ofac_sdn:3",
            "us_ofac_sdn:",
            "zz:1",
            "un_sc_sanctions:QDi.10",
        ] {
            assert_eq!(index.ord_of(missing), None, "{missing}");
        }
    }

    #[test]
    fn equal_variants_share_an_id_and_only_those() {
        let index = index();
        let mut by_id: HashMap<u32, &crate::analysis::PreparedVariant> = HashMap::new();
        let mut shared = 0;
        for e in index.entities() {
            assert_eq!(e.variant_ids.len(), e.variants().count());
            for (v, id) in e.variants().zip(&e.variant_ids) {
                match by_id.get(id) {
                    Some(other) => {
                        assert_eq!(*other, v);
                        shared += 1;
                    }
                    None => {
                        assert!(!by_id.values().any(|other| *other == v));
                        by_id.insert(*id, v);
                    }
                }
            }
        }
        assert!(shared >= 4, "only {shared} shared variants");
    }

    #[test]
    fn equal_tokens_share_an_id_and_only_those() {
        let index = index();
        let mut by_id: HashMap<u32, &crate::analysis::PreparedToken> = HashMap::new();
        let mut shared = 0;
        // Equal in every field but the id.
        let equal = |a: &crate::analysis::PreparedToken, b: &crate::analysis::PreparedToken| {
            let mut a = a.clone();
            a.id = b.id;
            a == *b
        };
        for t in index
            .entities()
            .flat_map(|e| e.variants())
            .flat_map(|v| v.tokens.iter())
        {
            assert_ne!(t.id, crate::analysis::NO_TOKEN_ID, "{}", t.raw);
            match by_id.get(&t.id) {
                Some(other) => {
                    assert_eq!(*other, t);
                    shared += 1;
                }
                None => {
                    assert!(!by_id.values().any(|other| equal(other, t)), "{}", t.raw);
                    by_id.insert(t.id, t);
                }
            }
        }
        // Dense: the ids are 0..the number of distinct tokens.
        assert_eq!(
            by_id.keys().max().map(|&m| m as usize + 1),
            Some(by_id.len())
        );
        assert!(shared >= 20, "only {shared} shared tokens");
    }
}
