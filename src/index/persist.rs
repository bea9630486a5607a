//! The built index kept on disk, so that `screen`, `serve` and `compare`
//! start from it instead of analysing every listed name again (analysis is
//! most of the cost of a build: seconds for the default lists, where reading
//! the stored index back takes a fraction of one).
//!
//! Layout under the data directory:
//!
//! ```text
//! <data>/index/<key>/                one built index; never changed once written
//!     tantivy/                       the key index, tantivy's own files (mmap),
//!                                    with each party's listed record as
//!                                    JSON in its document store
//!     parties.bin                    the prepared parties (below)
//!     key_counts.bin                 per party, its number of keys by kind
//!     stats.bin                      the token statistics: all `compare` reads
//!     links.json                     the parties that several lists'
//!                                    records form (`linking`), each with
//!                                    its merged entity
//! <data>/index/.tmp-<key>-<pid>/     an index being written, renamed to <key>
//!                                    once complete and flushed (see
//!                                    snapshot::fsio); one a crash left behind
//!                                    is removed by the next writer
//! ```
//!
//! `<key>` names everything the index was built from: the code (a
//! fingerprint of the sources and locked dependencies made by `build.rs`,
//! since the analysis is code), each list's id and version, and the lists of
//! the `sanctions` collection. A new list version or another binary means
//! another key, so a stale index is never read; the [`KEEP`] newest
//! directories stay and older ones are removed when a new one is written.
//!
//! `parties.bin` is the magic line [`MAGIC`], the header (postcard: the
//! lists with their versions and entity counts), then chunks of parties,
//! each a little-endian `u64` length and a postcard `Vec<PreparedEntity>`,
//! so that reading decodes the chunks in parallel. Anything that does not
//! read back exactly (a damaged file, other counts than the versions
//! record) is a miss: the index is built again from the list versions.

use super::{IndexError, LoadedList, Parties, ScreeningIndex, schema};
use crate::analysis::{Interner, PreparedEntity, TokenStats, sharing_text};
use crate::model::Entity;
use crate::snapshot::fsio;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tantivy::Index;

use crate::CODE_FINGERPRINT;
/// First line of `parties.bin`.
pub const MAGIC: &[u8] = b"screener-parties 2\n";
/// Built indexes kept on disk (the newest), including the one just written.
pub const KEEP: usize = 3;
/// Parties per chunk of `parties.bin`.
const CHUNK: usize = 2048;
/// A temporary directory older than this is taken as a crashed writer's.
const STALE_TMP: Duration = Duration::from_secs(3600);

/// The list versions an index is built from: what its key names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    /// `(list id, version, entity count)`, by list id.
    pub lists: Vec<(String, String, usize)>,
    pub sanctions: BTreeSet<String>,
}

impl Plan {
    /// The plan of `lists`; `sanctions` names the `sanctions` collection
    /// (only its loaded lists count).
    pub fn new(lists: impl IntoIterator<Item = LoadedList>, sanctions: BTreeSet<String>) -> Plan {
        let mut lists: Vec<(String, String, usize)> = lists
            .into_iter()
            .map(|l| (l.id, l.version, l.entities))
            .collect();
        lists.sort();
        let sanctions = sanctions
            .into_iter()
            .filter(|id| lists.iter().any(|(l, _, _)| l == id))
            .collect();
        Plan { lists, sanctions }
    }

    /// The directory name of the index built from this plan.
    pub fn key(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(CODE_FINGERPRINT.as_bytes());
        for (id, version, _) in &self.lists {
            h.update(format!("\n{id}\t{version}").as_bytes());
        }
        h.update(b"\nsanctions");
        for id in &self.sanctions {
            h.update(format!("\t{id}").as_bytes());
        }
        hex::encode(&h.finalize()[..12])
    }
}

/// The built indexes under one data directory.
#[derive(Debug, Clone)]
pub struct IndexStore {
    dir: PathBuf,
}

impl IndexStore {
    /// The index store of a data directory (`<data>/index`).
    pub fn of_data_dir(data_dir: &Path) -> IndexStore {
        IndexStore {
            dir: data_dir.join("index"),
        }
    }

    fn path(&self, plan: &Plan) -> PathBuf {
        self.dir.join(plan.key())
    }

    /// The index built from `plan`, when one is stored and reads back whole.
    pub fn load(&self, plan: &Plan) -> Option<ScreeningIndex> {
        let dir = self.path(plan);
        if !dir.is_dir() {
            return None;
        }
        let started = std::time::Instant::now();
        match read_index(&dir, plan) {
            Ok(index) => {
                tracing::info!(
                    path = %dir.display(),
                    entities = index.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "index read from disk"
                );
                Some(index)
            }
            Err(e) => {
                tracing::warn!(path = %dir.display(), error = %e, "stored index unreadable; building it again");
                None
            }
        }
    }

    /// The token statistics of the index built from `plan`, when stored.
    pub fn load_stats(&self, plan: &Plan) -> Option<TokenStats> {
        let path = self.path(plan).join("stats.bin");
        let bytes = fs::read(&path).ok()?;
        match postcard::from_bytes(&bytes) {
            Ok(stats) => {
                tracing::info!(path = %path.display(), "token statistics read from disk");
                Some(stats)
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "stored token statistics unreadable");
                None
            }
        }
    }

    /// The stored index of `plan`, or a new one built from the entities
    /// `load` returns (called only on a miss) and stored for the next start.
    /// When the index cannot be stored (a read-only or full disk), the one
    /// built is still returned and a warning logged: screening goes on.
    pub fn load_or_build<E>(
        &self,
        plan: &Plan,
        load: impl FnOnce() -> Result<Vec<(LoadedList, Vec<Entity>)>, E>,
    ) -> Result<ScreeningIndex, E>
    where
        E: From<IndexError>,
    {
        if let Some(index) = self.load(plan) {
            return Ok(index);
        }
        let lists = load()?;
        Ok(self.build(lists, plan.sanctions.clone())?)
    }

    /// Builds the index of `lists` on disk and publishes it under its key.
    pub fn build(
        &self,
        lists: Vec<(LoadedList, Vec<Entity>)>,
        sanctions: BTreeSet<String>,
    ) -> Result<ScreeningIndex, IndexError> {
        let plan = Plan::new(lists.iter().map(|(l, _)| l.clone()), sanctions);
        let sanctions = plan.sanctions.clone();
        let started = std::time::Instant::now();
        let parties = Parties::prepare(lists);
        match self.write(&plan, &parties) {
            Ok(dir) => {
                tracing::info!(
                    path = %dir.display(),
                    entities = parties.entities.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "index built and stored"
                );
                let index = Index::open_in_dir(dir.join("tantivy"))?;
                let key_counts = read_key_counts(&dir)?;
                ScreeningIndex::assemble(index, parties, key_counts, sanctions)
            }
            Err(e) => {
                tracing::warn!(path = %self.dir.display(), error = %e, "index not stored; it is built again at the next start");
                let index = Index::create_in_ram(schema());
                let key_counts = parties.write_keys(&index)?;
                ScreeningIndex::assemble(index, parties, key_counts, sanctions)
            }
        }
    }

    /// Writes the index of `parties` to a temporary directory and renames it
    /// to the plan's key; returns the published directory.
    fn write(&self, plan: &Plan, parties: &Parties) -> Result<PathBuf, IndexError> {
        fsio::create_dir_durable(&self.dir)?;
        self.remove_stale_temps();
        let key = plan.key();
        let target = self.dir.join(&key);
        let tmp = self
            .dir
            .join(format!("{}{key}-{}", fsio::TMP_PREFIX, std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir(&tmp)?;
        let written = (|| -> Result<(), IndexError> {
            fs::create_dir(tmp.join("tantivy"))?;
            let index = Index::create_in_dir(tmp.join("tantivy"), schema())?;
            let key_counts = parties.write_keys(&index)?;
            drop(index);
            for entry in fs::read_dir(tmp.join("tantivy"))? {
                fs::File::open(entry?.path())?.sync_all()?;
            }
            fsio::fsync_dir(&tmp.join("tantivy"))?;
            fsio::write_new_synced(&tmp.join("parties.bin"), &encode_parties(plan, parties)?)?;
            fsio::write_new_synced(
                &tmp.join("key_counts.bin"),
                &postcard::to_stdvec(&key_counts)?,
            )?;
            fsio::write_new_synced(
                &tmp.join("stats.bin"),
                &postcard::to_stdvec(&parties.stats)?,
            )?;
            fsio::write_new_synced(&tmp.join("links.json"), &encode_links(&parties.links)?)?;
            Ok(())
        })();
        if let Err(e) = written {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        if target.exists() {
            // Another process built the same index meanwhile, or a damaged
            // copy is in the way: replace it (readers keep their open files).
            fs::remove_dir_all(&target)?;
        }
        if let Err(e) = fsio::publish_dir(&tmp, &target) {
            let _ = fs::remove_dir_all(&tmp);
            if !target.is_dir() {
                return Err(e.into());
            }
        }
        self.remove_old(&key);
        Ok(target)
    }

    /// Removes temporary directories of writers that crashed (old enough
    /// that no live writer can own them).
    fn remove_stale_temps(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| age(t) > STALE_TMP);
            if stale
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(fsio::TMP_PREFIX)
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }

    /// Keeps the [`KEEP`] newest built indexes (and `keep`), removing the rest.
    fn remove_old(&self, keep: &str) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut built: Vec<(SystemTime, PathBuf)> = entries
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                !name.starts_with(fsio::TMP_PREFIX) && name != keep
            })
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        built.sort();
        let extra = built.len().saturating_sub(KEEP.saturating_sub(1));
        for (_, path) in built.into_iter().take(extra) {
            if let Err(e) = fs::remove_dir_all(&path) {
                tracing::warn!(path = %path.display(), error = %e, "old index not removed");
            }
        }
    }
}

fn age(t: SystemTime) -> Duration {
    SystemTime::now().duration_since(t).unwrap_or_default()
}

fn encode_parties(plan: &Plan, parties: &Parties) -> Result<Vec<u8>, IndexError> {
    use rayon::prelude::*;
    let chunks: Vec<Vec<u8>> = parties
        .entities
        .par_chunks(CHUNK)
        .map(postcard::to_stdvec)
        .collect::<Result<_, _>>()?;
    let header = postcard::to_stdvec(plan)?;
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len() + 8).sum::<usize>() + 64);
    out.write_all(MAGIC)?;
    for part in std::iter::once(&header).chain(&chunks) {
        out.write_all(&(part.len() as u64).to_le_bytes())?;
        out.write_all(part)?;
    }
    Ok(out)
}

/// Splits `parties.bin` into its header and chunks.
fn frames(bytes: &[u8]) -> Result<Vec<&[u8]>, IndexError> {
    let damaged = |what: &str| IndexError::Stored(format!("parties.bin: {what}"));
    let mut rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| damaged("not a parties file of this format"))?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<8>()
            .ok_or_else(|| damaged("cut short"))?;
        let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| damaged("bad length"))?;
        if len > tail.len() {
            return Err(damaged("cut short"));
        }
        out.push(&tail[..len]);
        rest = &tail[len..];
    }
    Ok(out)
}

/// A party of several lists' records as `links.json` keeps it: with its
/// merged entity, which the API's form of a party leaves out.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredParty {
    id: String,
    referents: Vec<String>,
    links: Vec<crate::linking::Link>,
    entity: Entity,
}

fn encode_links(links: &crate::linking::Links) -> Result<Vec<u8>, IndexError> {
    let parties: Vec<StoredParty> = links
        .parties()
        .iter()
        .map(|p| StoredParty {
            id: p.id.clone(),
            referents: p.referents.clone(),
            links: p.links.clone(),
            entity: p.entity.clone(),
        })
        .collect();
    serde_json::to_vec(&parties).map_err(|e| IndexError::Stored(format!("links.json: {e}")))
}

fn read_links(dir: &Path) -> Result<crate::linking::Links, IndexError> {
    let parties: Vec<StoredParty> = serde_json::from_slice(&fs::read(dir.join("links.json"))?)
        .map_err(|e| IndexError::Stored(format!("links.json: {e}")))?;
    Ok(crate::linking::Links::from_parties(
        parties
            .into_iter()
            .map(|p| crate::linking::Party {
                id: p.id,
                referents: p.referents,
                links: p.links,
                entity: p.entity,
            })
            .collect(),
    ))
}

fn read_key_counts(dir: &Path) -> Result<Vec<[u32; 4]>, IndexError> {
    Ok(postcard::from_bytes(&fs::read(
        dir.join("key_counts.bin"),
    )?)?)
}

fn read_index(dir: &Path, plan: &Plan) -> Result<ScreeningIndex, IndexError> {
    use rayon::prelude::*;
    let mut bytes = Vec::new();
    fs::File::open(dir.join("parties.bin"))?.read_to_end(&mut bytes)?;
    let frames = frames(&bytes)?;
    let (header, chunks) = frames
        .split_first()
        .ok_or_else(|| IndexError::Stored("parties.bin: no header".into()))?;
    let stored: Plan = postcard::from_bytes(header)?;
    if stored != *plan {
        return Err(IndexError::Stored(
            "parties.bin was built from other list versions".into(),
        ));
    }
    // Equal token keys share one copy as they are decoded (see
    // `analysis::sym`).
    let interner = Interner::for_threads();
    let chunks: Vec<Vec<PreparedEntity>> = chunks
        .par_iter()
        .map(|c| sharing_text(&interner, || postcard::from_bytes(c)))
        .collect::<Result<_, _>>()?;
    drop(interner);
    let entities: Vec<PreparedEntity> = chunks.into_iter().flatten().collect();
    let expected: usize = plan.lists.iter().map(|(_, _, n)| n).sum();
    let key_counts = read_key_counts(dir)?;
    if entities.len() != expected || key_counts.len() != expected {
        return Err(IndexError::Stored(format!(
            "{} parties stored, the list versions record {expected}",
            entities.len()
        )));
    }
    let stats: TokenStats = postcard::from_bytes(&fs::read(dir.join("stats.bin"))?)?;
    let index = Index::open_in_dir(dir.join("tantivy"))?;
    let lists: BTreeMap<String, LoadedList> = plan
        .lists
        .iter()
        .map(|(id, version, entities)| {
            let list = LoadedList {
                id: id.clone(),
                version: version.clone(),
                entities: *entities,
            };
            (id.clone(), list)
        })
        .collect();
    let links = read_links(dir)?;
    let parties = Parties {
        lists,
        entities,
        records: Vec::new(),
        links,
        stats,
    };
    let index = ScreeningIndex::assemble(index, parties, key_counts, plan.sanctions.clone())?;
    let docs = index.reader.searcher().num_docs();
    if docs != expected as u64 {
        return Err(IndexError::Stored(format!(
            "{docs} documents in the key index, {expected} parties"
        )));
    }
    Ok(index)
}

impl From<io::Error> for IndexError {
    fn from(e: io::Error) -> Self {
        IndexError::Io(e)
    }
}

impl From<postcard::Error> for IndexError {
    fn from(e: postcard::Error) -> Self {
        IndexError::Stored(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::PreparedQuery;
    use crate::model::{Schema, prop};

    fn party(list: &str, id: &str, schema: Schema, names: &[&str], birth: Option<&str>) -> Entity {
        let mut e = Entity::new(list, id, schema);
        for n in names {
            e.add(prop::NAME, n);
        }
        if let Some(b) = birth {
            e.add(prop::BIRTH_DATE, b);
        }
        e.finish();
        e
    }

    fn lists(version: &str) -> Vec<(LoadedList, Vec<Entity>)> {
        let a = vec![
            party(
                "us_ofac_sdn",
                "1",
                Schema::Person,
                &["Ali Hassan AL-RASHID", "Али Хасан Рашид"],
                Some("1961-02-03"),
            ),
            party(
                "us_ofac_sdn",
                "2",
                Schema::Organization,
                &["Rashid Trading LLC"],
                None,
            ),
            party(
                "us_ofac_sdn",
                "3",
                Schema::Person,
                &["Ivan PETROV"],
                Some("1970"),
            ),
        ];
        let b = vec![
            party(
                "un_sc_sanctions",
                "QDi.1",
                Schema::Person,
                &["Abu Ali al-Rashid"],
                None,
            ),
            // One party with the first OFAC record (the same full name and
            // birth date): the two lists' records are linked.
            party(
                "un_sc_sanctions",
                "QDi.2",
                Schema::Person,
                &["AL-RASHID Ali Hassan"],
                Some("1961-02-03"),
            ),
        ];
        let info = |id: &str, n: usize| LoadedList {
            id: id.to_string(),
            version: version.to_string(),
            entities: n,
        };
        vec![
            (info("us_ofac_sdn", a.len()), a),
            (info("un_sc_sanctions", b.len()), b),
        ]
    }

    fn plan(version: &str) -> Plan {
        Plan::new(
            lists(version).into_iter().map(|(l, _)| l),
            BTreeSet::from(["us_ofac_sdn".to_string()]),
        )
    }

    fn query(name: &str) -> PreparedQuery {
        crate::matching::Query::name(name)
            .prepare()
            .expect("query")
            .query
    }

    /// One candidate as a test compares it: id, names and variant ids.
    type Candidate = (String, Vec<String>, Vec<u32>);

    /// What an index answers: the candidates of a few queries.
    fn answers(index: &ScreeningIndex) -> Vec<Vec<Candidate>> {
        ["ali hasan rashid", "rashid trading", "petrov ivan", "Рашид"]
            .iter()
            .map(|q| {
                index
                    .candidates(&query(q), None, &[], 10)
                    .expect("candidates")
                    .into_iter()
                    .filter_map(|o| index.entity(o))
                    .map(|e| {
                        let names = e
                            .names
                            .iter()
                            .map(|(p, n)| format!("{p}={}", n.original))
                            .collect();
                        (e.id.clone(), names, e.variant_ids.to_vec())
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_stored_index_reads_back_as_built() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = IndexStore::of_data_dir(dir.path());
        let sanctions = plan("1").sanctions;
        assert!(store.load(&plan("1")).is_none());
        let built = store.build(lists("1"), sanctions.clone()).expect("build");
        let in_memory = ScreeningIndex::build(lists("1"), sanctions).expect("build");
        let read = store.load(&plan("1")).expect("stored index");
        assert_eq!(answers(&read), answers(&in_memory));
        assert_eq!(answers(&built), answers(&in_memory));
        assert!(answers(&read).iter().all(|a| !a.is_empty()));
        assert_eq!(read.lists(), in_memory.lists());
        assert_eq!(read.sanctions_lists(), in_memory.sanctions_lists());
        // The listed records come back from the key index's document
        // store as they were given, in ordinal order (the lists' order).
        let records = |index: &ScreeningIndex| {
            index
                .records()
                .collect::<Result<Vec<Entity>, _>>()
                .expect("records readable")
        };
        let given: Vec<Entity> = lists("1").into_iter().flat_map(|(_, e)| e).collect();
        assert_eq!(records(&read), given);
        assert_eq!(records(&built), given);
        assert_eq!(
            read.record_by_id("un_sc_sanctions:QDi.2")
                .map(|r| r.expect("readable").id),
            Some("un_sc_sanctions:QDi.2".to_string())
        );
        // The links read back are the links built from the records in
        // memory (computed again from the stored records).
        let parties = |index: &ScreeningIndex| {
            index
                .links()
                .parties()
                .iter()
                .map(|p| (p.id.clone(), p.referents.clone(), p.entity.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(parties(&in_memory).len(), 1);
        assert_eq!(parties(&read), parties(&in_memory));
        assert_eq!(parties(&built), parties(&in_memory));
        for (a, b) in read.entities().zip(in_memory.entities()) {
            assert_eq!(
                (&a.id, a.schema, &a.caption, &a.datasets, &a.topics),
                (&b.id, b.schema, &b.caption, &b.datasets, &b.topics)
            );
            assert_eq!(a.names, b.names);
            assert_eq!(a.birth_dates, b.birth_dates);
            assert_eq!(a.identifiers, b.identifiers);
        }
        // Equal token keys of different parties share one copy, built or
        // read back ("rashid" is in three parties' names, in two lists).
        for index in [&read, &built] {
            let rashid: Vec<&crate::analysis::PreparedToken> = index
                .entities()
                .flat_map(|e| &e.names)
                .flat_map(|(_, n)| &n.variants)
                .flat_map(|v| &v.tokens)
                .filter(|t| t.raw == "rashid")
                .collect();
            assert!(rashid.len() >= 3, "{rashid:?}");
            assert!(rashid.iter().all(|t| t.raw.shares_text_with(&rashid[0].raw)
                && t.skel.shares_text_with(&rashid[0].skel)));
        }
        let stats = store.load_stats(&plan("1")).expect("stored stats");
        for token in ["rashid", "ali", "petrov", "trading"] {
            assert_eq!(stats.is_common(token), in_memory.stats().is_common(token));
        }
    }

    #[test]
    fn another_version_or_collection_is_a_miss() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = IndexStore::of_data_dir(dir.path());
        store.build(lists("1"), plan("1").sanctions).expect("build");
        assert!(store.load(&plan("1")).is_some());
        assert!(store.load(&plan("2")).is_none());
        let mut other = plan("1");
        other.sanctions.clear();
        assert!(store.load(&other).is_none());
        assert_ne!(plan("1").key(), plan("2").key());
    }

    #[test]
    fn a_damaged_index_is_built_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = IndexStore::of_data_dir(dir.path());
        store.build(lists("1"), plan("1").sanctions).expect("build");
        let parties = store.path(&plan("1")).join("parties.bin");
        let bytes = fs::read(&parties).expect("read");
        fs::write(&parties, &bytes[..bytes.len() - 10]).expect("cut");
        assert!(store.load(&plan("1")).is_none());
        let mut loads = 0;
        let index = store
            .load_or_build(&plan("1"), || {
                loads += 1;
                Ok::<_, IndexError>(lists("1"))
            })
            .expect("rebuilt");
        assert_eq!((loads, index.len()), (1, 5));
        assert!(store.load(&plan("1")).is_some());
        // So is a damaged document store (the listed records).
        let tantivy_dir = store.path(&plan("1")).join("tantivy");
        let mut damaged = 0;
        for entry in fs::read_dir(&tantivy_dir).expect("tantivy files") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|x| x == "store") {
                let bytes = fs::read(&path).expect("read");
                let mut bad = bytes.clone();
                for b in bad.iter_mut().take(bytes.len() / 2) {
                    *b = !*b;
                }
                fs::write(&path, &bad).expect("damage");
                damaged += 1;
            }
        }
        assert!(damaged > 0, "the key index keeps a document store");
        // The records are read only when asked for (a restart does not read
        // them): tantivy finds the damage on opening, or the read fails.
        if let Some(index) = store.load(&plan("1")) {
            assert!(index.records().any(|r| r.is_err()));
            assert!(
                index
                    .record_by_id("us_ofac_sdn:1")
                    .is_some_and(|r| r.is_err())
            );
        }
        // So is a damaged or missing `links.json`.
        store.build(lists("1"), plan("1").sanctions).expect("build");
        let links = store.path(&plan("1")).join("links.json");
        fs::write(&links, b"[{").expect("cut");
        assert!(store.load(&plan("1")).is_none());
        // A record count other than the versions record is a miss too.
        let mut counted = plan("1");
        counted.lists[0].2 += 1;
        assert_eq!(counted.key(), plan("1").key());
        assert!(store.load(&counted).is_none());
    }

    #[test]
    fn old_indexes_and_crashed_writes_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = IndexStore::of_data_dir(dir.path());
        let crashed = dir.path().join("index").join(".tmp-abc-1");
        fs::create_dir_all(crashed.join("tantivy")).expect("mkdir");
        let old = SystemTime::now() - STALE_TMP - Duration::from_secs(60);
        fs::File::open(&crashed)
            .and_then(|f| f.set_modified(old))
            .expect("age");
        let live = dir.path().join("index").join(".tmp-def-2");
        fs::create_dir_all(&live).expect("mkdir");
        for v in 1..=KEEP + 2 {
            store
                .build(lists(&v.to_string()), BTreeSet::new())
                .expect("build");
            // Directory times order the builds.
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut left: Vec<String> = fs::read_dir(dir.path().join("index"))
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert!(!left.contains(&".tmp-abc-1".to_string()), "{left:?}");
        assert!(left.contains(&".tmp-def-2".to_string()), "{left:?}");
        assert_eq!(left.len(), KEEP + 1, "{left:?}");
        let newest = Plan::new(
            lists(&(KEEP + 2).to_string()).into_iter().map(|(l, _)| l),
            BTreeSet::new(),
        );
        assert!(store.load(&newest).is_some());
        let oldest = Plan::new(lists("1").into_iter().map(|(l, _)| l), BTreeSet::new());
        assert!(store.load(&oldest).is_none());
    }
}
