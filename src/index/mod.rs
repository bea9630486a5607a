//! The screening index: a tantivy index of name keys (canonical tokens,
//! transliteration skeletons, phonetic keys, character trigrams of the joined
//! name, identifiers) plus list ids for filtering, built from list versions;
//! and beside it the prepared entities the scorer reads. Candidate retrieval
//! never rests on one exact token: every name contributes several kinds of
//! keys, so a typo, another romanisation, a joined or split word or a missing
//! middle name still leaves enough keys in common.

use crate::matching::prepare::{PreparedName, is_distinctive};
use crate::matching::score::{PreparedEntity, PreparedQuery, TokenStats};
use crate::model::Entity;
use crate::text::TokenKind;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, TantivyDocument, Term};

/// Most trigram keys taken from one name (bounds index size and query work).
const MAX_GRAMS_PER_NAME: usize = 48;
/// Most keys in one candidate query.
const MAX_QUERY_KEYS: usize = 160;

/// Errors building or searching the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
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
}

/// The index of every loaded list: immutable once built (a refresh builds a
/// new one and swaps it in).
pub struct ScreeningIndex {
    entities: Vec<PreparedEntity>,
    by_id: HashMap<String, u32>,
    stats: TokenStats,
    lists: BTreeMap<String, LoadedList>,
    sanctions_lists: BTreeSet<String>,
    reader: IndexReader,
    ord_columns: Vec<Column<u64>>,
    fields: Fields,
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
        for (i, v) in name.variants.iter().enumerate() {
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
            // Trigrams catch typos and joined words; later variants add fewer.
            let budget = if i == 0 {
                MAX_GRAMS_PER_NAME
            } else {
                MAX_GRAMS_PER_NAME / 4
            };
            let chars: Vec<char> = v.joined.chars().collect();
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
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let keys = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let ord = b.add_u64_field("ord", INDEXED | tantivy::schema::FAST);
    let list = b.add_text_field("list", STRING);
    let tok = b.add_text_field("tok", keys.clone());
    let skel = b.add_text_field("skel", keys.clone());
    let phon = b.add_text_field("phon", keys.clone());
    let gram = b.add_text_field("gram", keys.clone());
    let ident = b.add_text_field("ident", STRING);
    (
        b.build(),
        Fields {
            ord,
            list,
            tok,
            skel,
            phon,
            gram,
            ident,
        },
    )
}

impl ScreeningIndex {
    /// Builds the index from every loaded list's entities.
    /// `sanctions_lists` names the lists that form the `sanctions` collection.
    pub fn build(
        lists: Vec<(LoadedList, Vec<Entity>)>,
        sanctions_lists: BTreeSet<String>,
    ) -> Result<ScreeningIndex, IndexError> {
        use rayon::prelude::*;
        let mut loaded = BTreeMap::new();
        let mut all: Vec<Entity> = Vec::new();
        for (info, entities) in lists {
            all.extend(entities);
            loaded.insert(info.id.clone(), info);
        }
        let mut entities: Vec<PreparedEntity> =
            all.into_par_iter().map(PreparedEntity::new).collect();
        let stats = TokenStats::from_entities(entities.iter());
        entities.par_iter_mut().for_each(|e| {
            for (_, n) in &mut e.names {
                stats.mark_common(n);
            }
        });
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 100_000_000)?;
        let mut by_id = HashMap::with_capacity(entities.len());
        for (ord, e) in entities.iter().enumerate() {
            by_id.insert(e.entity.id.clone(), ord as u32);
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.ord, ord as u64);
            for l in &e.entity.datasets {
                doc.add_text(fields.list, l);
            }
            let mut keys = NameKeys::default();
            for (_, n) in &e.names {
                keys.add_name(n);
            }
            for t in &keys.tok {
                doc.add_text(fields.tok, t);
            }
            for t in &keys.skel {
                doc.add_text(fields.skel, t);
            }
            for t in &keys.phon {
                doc.add_text(fields.phon, t);
            }
            for t in &keys.gram {
                doc.add_text(fields.gram, t);
            }
            for id in &e.identifiers {
                doc.add_text(fields.ident, id);
            }
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut ord_columns = Vec::new();
        for seg in searcher.segment_readers() {
            ord_columns.push(seg.fast_fields().u64("ord")?);
        }
        Ok(ScreeningIndex {
            entities,
            by_id,
            stats,
            lists: loaded,
            sanctions_lists,
            reader,
            ord_columns,
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

    pub fn sanctions_lists(&self) -> &BTreeSet<String> {
        &self.sanctions_lists
    }

    pub fn stats(&self) -> &TokenStats {
        &self.stats
    }

    pub fn entity(&self, ord: u32) -> Option<&PreparedEntity> {
        self.entities.get(ord as usize)
    }

    pub fn entity_by_id(&self, id: &str) -> Option<&PreparedEntity> {
        self.by_id.get(id).and_then(|o| self.entity(*o))
    }

    pub fn entities(&self) -> impl Iterator<Item = &PreparedEntity> {
        self.entities.iter()
    }

    /// The entities most likely to match the query, best first (by the
    /// retrieval score, not the final score). `lists` restricts the search;
    /// `None` searches every list.
    pub fn candidates(
        &self,
        q: &PreparedQuery,
        lists: Option<&BTreeSet<String>>,
        limit: usize,
    ) -> Result<Vec<u32>, IndexError> {
        let f = self.fields;
        let mut keys = NameKeys::default();
        keys.add_name(&q.name);
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let push = |field: Field,
                    values: &[String],
                    boost: f32,
                    should: &mut Vec<(Occur, Box<dyn Query>)>| {
            for v in values {
                if should.len() >= MAX_QUERY_KEYS {
                    return;
                }
                let tq = TermQuery::new(
                    Term::from_field_text(field, v),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(tq), boost)),
                ));
            }
        };
        for id in &q.identifiers {
            push(f.ident, std::slice::from_ref(id), 10.0, &mut should);
        }
        push(f.tok, &keys.tok, 3.0, &mut should);
        push(f.skel, &keys.skel, 2.0, &mut should);
        push(f.phon, &keys.phon, 1.5, &mut should);
        push(f.gram, &keys.gram, 0.5, &mut should);
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let names: Box<dyn Query> = Box::new(BooleanQuery::new(should));
        let query: Box<dyn Query> = match lists {
            None => names,
            Some(lists) => {
                let filter: Vec<(Occur, Box<dyn Query>)> = lists
                    .iter()
                    .map(|l| {
                        let tq: Box<dyn Query> = Box::new(TermQuery::new(
                            Term::from_field_text(f.list, l),
                            IndexRecordOption::Basic,
                        ));
                        (Occur::Should, tq)
                    })
                    .collect();
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, names),
                    (
                        Occur::Must,
                        Box::new(BoostQuery::new(Box::new(BooleanQuery::new(filter)), 0.0)),
                    ),
                ]))
            }
        };
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        let mut seen = HashSet::new();
        for (_, addr) in top {
            if let Some(col) = self.ord_columns.get(addr.segment_ord as usize)
                && let Some(ord) = col.first(addr.doc_id)
                && seen.insert(ord)
            {
                out.push(ord as u32);
            }
        }
        Ok(out)
    }
}

/// Errors loading the current list versions into an index.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Store(#[from] crate::snapshot::StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Builds the index from the current (last good) version of every stored
/// list. `sanctions_lists` names the `sanctions` collection (from the catalog).
pub fn build_from_store(
    store: &crate::snapshot::Store,
    sanctions_lists: BTreeSet<String>,
) -> Result<ScreeningIndex, LoadError> {
    let mut lists = Vec::new();
    for status in store.lists() {
        let Some(meta) = status.current else {
            continue;
        };
        let entities = store.load_entities(&status.id, &meta.version)?;
        lists.push((
            LoadedList {
                id: status.id.clone(),
                version: meta.version.clone(),
                entities: entities.len(),
            },
            entities,
        ));
    }
    Ok(ScreeningIndex::build(lists, sanctions_lists)?)
}
