//! The index drvsig ships (`data/blocklists.json`, built by `cargo xtask blocklists --from
//! ../shared/blocklists`): every upstream list compiled to [`List`]s, with provenance and the
//! licence notices, as JSON. Deterministic: the same inputs give the same bytes (lists in a fixed
//! order, rules in upstream order, records sorted by id).
//!
//! Stored form: the digests are most of the data and repeat across lists (each in-box list is
//! contained in the next; LOLDrivers repeats Microsoft's hashes), so every distinct digest is kept
//! once, as raw bytes in a base64 pool per length (MD5, SHA-1, SHA-256, SHA-384, each sorted),
//! and the lists refer to it as `#N` (N counts through the pools in that order). In memory
//! ([`Index`]) every digest is lowercase hex again.

use serde::{Deserialize, Serialize};

use base64ct::{Base64, Encoding};

use super::{BlockLists, List, Rules};

/// The index format version; bump on any incompatible change.
pub const FORMAT: u32 = 1;

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

/// The index as stored: [`Index`] with its digests in [`Pool`].
#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    notices: Vec<Notice>,
    pool: Pool,
    lists: Vec<List>,
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

/// Resolve `#N` references against `pool`.
fn resolve(lists: &mut [List], pool: &Pool) -> Result<(), IndexError> {
    let mut digests: Vec<String> = Vec::new();
    for (text, len) in [&pool.md5, &pool.sha1, &pool.sha256, &pool.sha384].into_iter().zip(POOL_LENGTHS) {
        let bytes = Base64::decode_vec(text).map_err(|e| IndexError::Json(format!("hash pool: {e}")))?;
        if bytes.len().checked_rem(len) != Some(0) {
            return Err(IndexError::Json(format!("hash pool of {len}-byte digests has {} bytes", bytes.len())));
        }
        digests.extend(bytes.chunks(len).map(crate::hex::encode));
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
    /// The index as JSON bytes (compact, one trailing newline).
    pub fn to_json(&self) -> Vec<u8> {
        let mut lists = self.lists.clone();
        let pool = pool(&mut lists);
        let stored = Stored { format: self.format, notices: self.notices.clone(), pool, lists };
        let mut out = serde_json::to_vec(&stored).unwrap_or_default();
        out.push(b'\n');
        out
    }

    pub fn from_json(bytes: &[u8]) -> Result<Index, IndexError> {
        let mut stored: Stored = serde_json::from_slice(bytes).map_err(|e| IndexError::Json(e.to_string()))?;
        if stored.format != FORMAT {
            return Err(IndexError::Format(stored.format));
        }
        resolve(&mut stored.lists, &stored.pool)?;
        Ok(Index { format: stored.format, notices: stored.notices, lists: stored.lists })
    }

    /// The lookup tables over the index's lists and `extra` (user lists).
    pub fn into_blocklists(self, extra: Vec<List>) -> BlockLists {
        let mut lists = self.lists;
        lists.extend(extra);
        BlockLists::new(lists)
    }
}
