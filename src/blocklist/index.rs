//! The index drvsig ships (`data/blocklists.json`, built by `cargo xtask blocklists --from
//! ../shared/blocklists`): every upstream list compiled to [`List`]s, with provenance and the
//! licence notices, as two JSON lines: the head (format, notices, summary, hash pool), then the
//! lists. Deterministic: the same inputs give the same bytes (lists in a fixed order, rules in
//! upstream order, records sorted by id).
//!
//! Stored form: the digests are most of the data and repeat across lists (each in-box list is
//! contained in the next; LOLDrivers repeats Microsoft's hashes), so every distinct digest is kept
//! once, as raw bytes in a base64 pool per length (MD5, SHA-1, SHA-256, SHA-384, each sorted),
//! and the lists refer to it as `#N` (N counts through the pools in that order). In memory
//! ([`Index`]) every digest is lowercase hex again.
//!
//! Read lazily ([`read`]): the head's `summary` says what a file must have for any rule to match
//! it (every digest and TBS hash is in the pool; the `Deny` rules' file names are listed), so the
//! second line, the lists, is not even scanned until the first file that has one of those. Almost
//! no driver is on a list: a page's worker, or the CLI, reads the index in well under a
//! millisecond natively instead of about six.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use base64ct::{Base64, Encoding};

use super::{BlockLists, List, Rules, Tables};
use crate::report::ListInfo;

/// The index format version; bump on any incompatible change (2: the `summary`).
pub const FORMAT: u32 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub format: u32,
    /// Licence notices of the upstream data, kept with anything derived from it.
    pub notices: Vec<Notice>,
    pub lists: Vec<List>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Which lists it covers, e.g. `LOLDrivers`.
    pub applies_to: String,
    pub licence: String,
    pub text: String,
}

/// The first line of the stored index: [`Index`] but its lists, with the [`Summary`] a lazy
/// reader needs and the [`Pool`] of the lists' digests.
#[derive(Serialize, Deserialize)]
struct Head {
    format: u32,
    notices: Vec<Notice>,
    summary: Summary,
    pool: Pool,
}

/// The second line: the lists, their digests as `#N` references into the pool.
#[derive(Serialize, Deserialize)]
struct Tail {
    lists: Vec<List>,
}

/// What a reader needs to judge a file without parsing the lists: derived from them by
/// [`Summary::of`] (checked again when they are parsed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Summary {
    infos: Vec<ListInfo>,
    /// Every `Deny` rule's FileName, lowercase, sorted, once.
    names: Vec<String>,
    needs_file_sha1: bool,
    needs_file_md5: bool,
}

impl Summary {
    fn of(lists: &[List]) -> Summary {
        Summary::of_tables(&Tables::new(lists.to_vec()))
    }

    fn of_tables(tables: &Tables) -> Summary {
        let lists = &tables.lists;
        let mut names: Vec<String> = tables.names.keys().cloned().collect();
        names.sort();
        Summary {
            infos: lists.iter().map(|l| l.info.clone()).collect(),
            names,
            needs_file_sha1: tables.needs_file_sha1,
            needs_file_md5: tables.needs_file_md5,
        }
    }
}

/// The head of a stored index, and the bytes after it (the lists' line, not scanned).
fn split(bytes: &[u8]) -> Result<(Head, &[u8]), IndexError> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Head>();
    let head = match stream.next() {
        Some(Ok(head)) => head,
        Some(Err(e)) => return Err(IndexError::Json(e.to_string())),
        None => return Err(IndexError::Json("empty".to_string())),
    };
    if head.format != FORMAT {
        return Err(IndexError::Format(head.format));
    }
    Ok((head, bytes.get(stream.byte_offset()..).unwrap_or_default()))
}

/// The lists' line, resolved against the pool.
fn lists_of(tail: &[u8], pool: &DecodedPool) -> Result<Vec<List>, IndexError> {
    let mut lists = serde_json::from_slice::<Tail>(tail).map_err(|e| IndexError::Json(e.to_string()))?.lists;
    resolve(&mut lists, pool)?;
    Ok(lists)
}

/// Every distinct digest, raw bytes, base64, by length (sorted within each).
#[derive(Default, Serialize, Deserialize)]
struct Pool {
    md5: String,
    sha1: String,
    sha256: String,
    sha384: String,
}

/// Digest lengths in bytes, in pool order.
const POOL_LENGTHS: [usize; 4] = [16, 20, 32, 48];

/// Every digest field of `lists`, mutably.
fn for_each_digest(lists: &mut [List], f: &mut dyn FnMut(&mut String)) {
    for list in lists {
        match &mut list.rules {
            Rules::SiPolicy(p) => {
                p.hashes.iter_mut().for_each(|r| f(&mut r.hash));
                p.signers.iter_mut().for_each(|s| f(&mut s.tbs));
            }
            Rules::Loldrivers(l) => {
                for s in l.records.iter_mut().flat_map(|r| r.samples.iter_mut()) {
                    for d in
                        [&mut s.sha256, &mut s.sha1, &mut s.md5, &mut s.authentihash_sha256, &mut s.authentihash_sha1].into_iter().flatten()
                    {
                        f(d);
                    }
                }
            }
        }
    }
}

/// The pool of `lists`' digests, the digests replaced by `#N`.
fn pool(lists: &mut [List]) -> Pool {
    let mut all: Vec<Vec<u8>> = Vec::new();
    for_each_digest(lists, &mut |d| all.extend(crate::hex::decode(d)));
    all.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
    all.dedup();
    let order: std::collections::HashMap<String, usize> = all.iter().enumerate().map(|(i, d)| (crate::hex::encode(d), i)).collect();
    for_each_digest(lists, &mut |d| {
        if let Some(i) = order.get(d.as_str()) {
            *d = format!("#{i}");
        }
    });
    let joined = |len: usize| Base64::encode_string(&all.iter().filter(|d| d.len() == len).flatten().copied().collect::<Vec<u8>>());
    Pool { md5: joined(16), sha1: joined(20), sha256: joined(32), sha384: joined(48) }
}

/// The pool's digests, raw, one sorted run per length (in [`POOL_LENGTHS`] order).
#[derive(Debug)]
struct DecodedPool([Vec<u8>; 4]);

impl DecodedPool {
    fn of(pool: &Pool) -> Result<DecodedPool, IndexError> {
        let mut out: [Vec<u8>; 4] = Default::default();
        for ((text, len), run) in [&pool.md5, &pool.sha1, &pool.sha256, &pool.sha384].into_iter().zip(POOL_LENGTHS).zip(&mut out) {
            let bytes = Base64::decode_vec(text).map_err(|e| IndexError::Json(format!("hash pool: {e}")))?;
            if bytes.len().checked_rem(len) != Some(0) {
                return Err(IndexError::Json(format!("hash pool of {len}-byte digests has {} bytes", bytes.len())));
            }
            // The lookups binary-search each run: it must be sorted, each digest once.
            let mut entries = bytes.chunks_exact(len);
            let mut previous = entries.next();
            for entry in entries {
                if previous.is_some_and(|p| p >= entry) {
                    return Err(IndexError::Json(format!("hash pool of {len}-byte digests is not sorted")));
                }
                previous = Some(entry);
            }
            *run = bytes;
        }
        Ok(DecodedPool(out))
    }

    /// Whether `hex` (a digest, lowercase or not) is in the pool.
    fn contains(&self, hex: &str) -> bool {
        let Some(digest) = crate::hex::decode(hex) else { return false };
        let len = digest.len();
        let Some(run) = POOL_LENGTHS.iter().position(|l| *l == len).and_then(|i| self.0.get(i)) else {
            return false;
        };
        // Binary search over the run's fixed-size entries.
        let entry = |i: usize| i.checked_mul(len).and_then(|at| run.get(at..at.checked_add(len)?));
        let (mut lo, mut hi) = (0, run.len().checked_div(len).unwrap_or(0));
        while lo < hi {
            let mid = lo.midpoint(hi);
            match entry(mid).map(|e| e.cmp(digest.as_slice())) {
                Some(core::cmp::Ordering::Less) => lo = mid.saturating_add(1),
                Some(core::cmp::Ordering::Greater) => hi = mid,
                Some(core::cmp::Ordering::Equal) => return true,
                None => return false,
            }
        }
        false
    }
}

/// Resolve `#N` references against `pool`.
fn resolve(lists: &mut [List], pool: &DecodedPool) -> Result<(), IndexError> {
    let mut digests: Vec<String> = Vec::new();
    for (run, len) in pool.0.iter().zip(POOL_LENGTHS) {
        digests.extend(run.chunks(len).map(crate::hex::encode));
    }
    let mut bad = None;
    for_each_digest(lists, &mut |d| {
        let found = d.strip_prefix('#').and_then(|n| n.parse::<usize>().ok()).and_then(|n| digests.get(n));
        match found {
            Some(hex) => *d = hex.clone(),
            None => bad = Some(d.clone()),
        }
    });
    match bad {
        Some(d) => Err(IndexError::Json(format!("digest reference {d:?} is not in the hash pool"))),
        None => Ok(()),
    }
}

/// Why the index could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexError {
    Json(String),
    Format(u32),
}

impl core::fmt::Display for IndexError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            IndexError::Json(e) => write!(f, "the block list index is not valid JSON: {e}"),
            IndexError::Format(v) => write!(f, "the block list index has format {v}, this drvsig reads {FORMAT}"),
        }
    }
}

impl std::error::Error for IndexError {}

impl Index {
    /// The index as two lines of compact JSON (the head, the lists), each ending in a newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut lists = self.lists.clone();
        let summary = Summary::of(&lists);
        let pool = pool(&mut lists);
        let head = Head { format: self.format, notices: self.notices.clone(), summary, pool };
        let mut out = serde_json::to_vec(&head).unwrap_or_default();
        out.push(b'\n');
        out.extend(serde_json::to_vec(&Tail { lists }).unwrap_or_default());
        out.push(b'\n');
        out
    }

    /// The whole index, read at once (see [`read`] for the lazy reader).
    pub fn from_json(bytes: &[u8]) -> Result<Index, IndexError> {
        let (head, tail) = split(bytes)?;
        let lists = lists_of(tail, &DecodedPool::of(&head.pool)?)?;
        if Summary::of(&lists) != head.summary {
            return Err(IndexError::Json("the summary does not match the lists".to_string()));
        }
        Ok(Index { format: head.format, notices: head.notices, lists })
    }

    /// The lookup tables over the index's lists and `extra` (user lists).
    pub fn into_blocklists(self, extra: Vec<List>) -> BlockLists {
        let mut lists = self.lists;
        lists.extend(extra);
        BlockLists::new(lists)
    }
}

/// The block lists of an index (JSON as [`Index::to_json`] writes it) and `extra` (user lists),
/// the index's lists read only when a file may match them: here only its first line is read (the
/// format, the summary and the hash pool); the second, the lists, is kept as bytes. It is parsed
/// the first time a file has a digest in the pool, a CA certificate whose TBS hash is, or an
/// OriginalFilename a `Deny` rule names: without one of those no rule can match.
pub fn read(bytes: &[u8], extra: Vec<List>) -> Result<BlockLists, IndexError> {
    let (head, tail) = split(bytes)?;
    let deferred = Deferred { pool: DecodedPool::of(&head.pool)?, summary: head.summary, tail: tail.to_vec(), tables: OnceLock::new() };
    Ok(BlockLists { builtin: Some(std::sync::Arc::new(deferred)), own: Tables::new(extra) })
}

/// An index read lazily: its summary and pool, its lists' line, and their tables once parsed.
#[derive(Debug)]
pub(super) struct Deferred {
    summary: Summary,
    pool: DecodedPool,
    tail: Vec<u8>,
    tables: OnceLock<Result<Tables, String>>,
}

impl Deferred {
    pub(super) fn infos(&self) -> &[ListInfo] {
        &self.summary.infos
    }

    pub(super) fn needs_file_sha1(&self) -> bool {
        self.summary.needs_file_sha1
    }

    pub(super) fn needs_file_md5(&self) -> bool {
        self.summary.needs_file_md5
    }

    pub(super) fn parsed(&self) -> bool {
        self.tables.get().is_some()
    }

    /// Whether a file with these digests, CA TBS hashes and OriginalFilename may match a rule.
    pub(super) fn may_match<'a>(&self, mut digests: impl Iterator<Item = &'a str>, name: Option<&str>) -> bool {
        name.is_some_and(|n| self.summary.names.binary_search(&n.to_lowercase()).is_ok()) || digests.any(|d| self.pool.contains(d))
    }

    /// The lists' tables, parsed the first time; why they could not be.
    pub(super) fn tables(&self) -> Result<&Tables, &str> {
        self.tables
            .get_or_init(|| {
                let lists = lists_of(&self.tail, &self.pool).map_err(|e| e.to_string())?;
                let tables = Tables::new(lists);
                if Summary::of_tables(&tables) != self.summary {
                    return Err(IndexError::Json("the summary does not match the lists".to_string()).to_string());
                }
                Ok(tables)
            })
            .as_ref()
            .map_err(String::as_str)
    }
}
