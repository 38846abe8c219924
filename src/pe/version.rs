//! The version resource (RT_VERSION, VS_VERSIONINFO) of a PE file, read with goblin's resource
//! support: the StringFileInfo strings support staff ask for first and the fixed four-part file
//! version (VS_FIXEDFILEINFO) that block rules compare.
//!
//! Strings are kept as the file gives them (the front ends make them inert when they show them),
//! cut at [`MAX_CHARS`] characters so that a hostile resource cannot grow the report.

use crate::report::{FourPartVersion, VersionInfo};

/// The longest string kept from the version resource (characters).
pub const MAX_CHARS: usize = 256;

/// goblin's options for reading the resource directory only (RVAs resolved through the sections).
fn options() -> goblin::pe::options::ParseOptions {
    let mut opts = goblin::pe::options::ParseOptions::default()
        // Permissive: a damaged directory elsewhere (debug, exceptions) must not hide the version.
        .with_parse_mode(goblin::options::ParseMode::Permissive)
        .with_parse_imports(false)
        .with_parse_resources(true)
        .with_parse_tls_data(false);
    opts.parse_attribute_certificates = false;
    opts
}

/// The version resource of `bytes`; `None` when the file has none or goblin cannot read it (a
/// file goblin refuses as a whole already has its `pe.parse` finding).
pub fn read(bytes: &[u8]) -> Option<VersionInfo> {
    let pe = goblin::pe::PE::parse_with_opts(bytes, &options()).ok()?;
    let info = pe.resource_data.and_then(|r| r.version_info)?;
    let strings = &info.string_info;
    let fixed = info.fixed_info.filter(|f| f.is_valid());
    Some(VersionInfo {
        original_filename: strings.original_filename().map(bounded),
        file_version: strings.file_version().map(bounded),
        // goblin's `VsFixedFileInfo::file_version()` reads the date fields: read the MS/LS pair here.
        file_version_fixed: fixed.map(|f| FourPartVersion::from_ms_ls(f.file_version_ms, f.file_version_ls)),
        product_version: strings.product_version().map(bounded),
        product_version_fixed: fixed.map(|f| FourPartVersion::from_ms_ls(f.product_version_ms, f.product_version_ls)),
        product_name: strings.product_name().map(bounded),
        company_name: strings.company_name().map(bounded),
        file_description: strings.file_description().map(bounded),
        internal_name: strings.internal_name().map(bounded),
    })
}

/// At most [`MAX_CHARS`] characters of `s`.
fn bounded(s: String) -> String {
    if s.chars().count() <= MAX_CHARS {
        s
    } else {
        s.chars().take(MAX_CHARS).collect()
    }
}
