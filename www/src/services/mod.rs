//! Everything that touches the browser beyond rendering: turning picked / dropped items into
//! files, reading their bytes, running the core, and the few page-level facts (clock, URL).
//! Components call these and only ever display the resulting state.

pub mod browser;
pub mod decode;
pub mod files;
pub mod pipeline;
pub mod prefs;
pub mod worker;
