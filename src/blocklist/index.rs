//! The index drvsig ships (`data/blocklists.json`, built by `cargo xtask blocklists --from
//! ../shared/blocklists`): every upstream list compiled to [`List`]s, with provenance and the
//! licence notices, as JSON. Deterministic: the same inputs give the same bytes (lists in a fixed
//! order, rules in upstream order, records sorted by id).

use serde::{Deserialize, Serialize};

use super::{BlockLists, List};

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
            IndexError::Format(v) => write!(
                f,
                "the block list index has format {v}, this drvsig reads {FORMAT}"
            ),
        }
    }
}

impl std::error::Error for IndexError {}

impl Index {
    /// The index as JSON bytes (compact, one trailing newline).
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    pub fn from_json(bytes: &[u8]) -> Result<Index, IndexError> {
        let index: Index =
            serde_json::from_slice(bytes).map_err(|e| IndexError::Json(e.to_string()))?;
        if index.format != FORMAT {
            return Err(IndexError::Format(index.format));
        }
        Ok(index)
    }

    /// The lookup tables over the index's lists and `extra` (user lists).
    pub fn into_blocklists(self, extra: Vec<List>) -> BlockLists {
        let mut lists = self.lists;
        lists.extend(extra);
        BlockLists::new(lists)
    }
}
