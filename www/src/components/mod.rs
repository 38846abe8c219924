//! One component per file, each with its `Props`. Components display state and turn DOM events
//! into plain values; they never parse or hash.
//!
//! ```text
//! App
//! ├── Header
//! ├── DropZone          (pickers, drag and drop, "Try the demo")
//! ├── FileList          (toolbar, aria-live summary, EmptyState when empty)
//! │   └── FileCard      (one per file: facts, verdict)
//! │       ├── PeFacts   (format, machine, subsystem, checksum, certificate table)
//! │       ├── SignatureView (digest, verdicts, signer, timestamps)
//! │       └── FindingList
//! └── Footer
//! Badge: an outcome as icon + text (+ colour), used everywhere.
//! ```

pub mod app;
pub mod badge;
pub mod drop_zone;
pub mod empty_state;
pub mod file_card;
pub mod file_list;
pub mod finding_list;
pub mod footer;
pub mod header;
pub mod pe_facts;
pub mod signature_view;
