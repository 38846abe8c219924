//! One component per file, each with its `Props`. Components display state and turn DOM events
//! into plain values; they never parse or hash.
//!
//! ```text
//! App                   (`?demo=ID` loads a demo, `?embed` drops header and footer)
//! ├── Header
//! ├── compare banner    (Compare mode: the old version kept, "Stop comparing")
//! ├── DropZone          (pickers, drag and drop, "Try the demo", DemoPicker)
//! ├── DiffView          (Compare mode: drvsig::diff of the old version against the page, old /
//! │                      new tables with changes highlighted, "Export diff as Markdown")
//! ├── FileList          (toolbar with "Compare with another version…", aria-live summary, EmptyState)
//! │   ├── ExportBar     (JSON / Markdown: copy, download, preview; summary for a ticket; link; print)
//! │   ├── SummaryPanel  (TargetPicker, Expand / Collapse all, TriageTable: one row per file)
//! │   ├── PackageList   (PackageView per package: catalogs, coverage matrix, missing, HWIDs)
//! │   ├── CatalogView   (after a catalog's card: attributes, searchable members table)
//! │   ├── Asn1Panel     (after a signed file's card: lazy ASN.1 tree per signature blob)
//! │   ├── FileCard      (one per file, answer first)
//! │   └── SavedView     (a saved report / share link: marker, TriageTable, PackageList, FileCards)
//! │       ├── VerdictCard   (icon + one sentence: drvsig::summary::headline)
//! │       ├── Fold          (a folded section whose body is drawn after the card is painted)
//! │       ├── VerdictTable  (would each Windows load it)
//! │       ├── Findings      (every finding, failures and warnings first, with its source)
//! │       ├── BlocklistView (block list matches, the lists in use and their versions)
//! │       ├── WinCertTable + SignatureView (digests side by side, kind, timestamps)
//! │       │   └── ChainView (SVG picture + text list) -> CertificateView (details, timeline, .cer/.pem)
//! │       └── PeFacts   (format, machine, subsystem, version resource, checksum, certificate table)
//! └── Footer
//! Badge: an outcome as icon + text (+ colour), used everywhere. Every string from a file goes
//! through `crate::text::Inert` (hidden characters shown escaped).
//! ```

pub mod app;
pub mod asn1_view;
pub mod badge;
pub mod blocklist_view;
pub mod catalog_view;
pub mod certificate_view;
pub mod chain_view;
pub mod demo_picker;
pub mod diff_view;
pub mod drop_zone;
pub mod empty_state;
pub mod export;
pub mod file_card;
pub mod file_list;
pub mod finding_list;
pub mod findings;
pub mod fold;
pub mod footer;
pub mod header;
pub mod package_view;
pub mod paged_list;
pub mod pe_facts;
pub mod saved_view;
pub mod signature_view;
pub mod summary_panel;
pub mod target_picker;
pub mod triage_table;
pub mod verdict_card;
pub mod verdict_table;
