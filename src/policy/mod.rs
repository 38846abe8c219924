//! Policy: who signed it ([`classify()`]) and would Windows load it ([`evaluate`]), plus the memory
//! integrity (HVCI) static checks ([`hvci`]). Pure functions over the report: they read
//! [`SignatureReport`](crate::report::SignatureReport)s (and their chain, when the chain layer built one) and [`PeInfo`], never bytes.
//!
//! Every rule names the Microsoft page it comes from (the constants below); docs/policy.md is the
//! table support staff read, DOMAIN.md "Who signed it" and "Would Windows load it?" the specification.

pub mod blocklist;
pub mod classify;
pub mod hvci;
pub mod verdict;

pub use crate::target;
pub use crate::target::{Arch, Target};
pub use classify::{classify, classify_all};
pub use verdict::{evaluate, CatalogCover, PolicyInput};

use crate::report::{FileReport, Finding, PeInfo};

/// Microsoft page titles the rules cite.
pub const DRIVER_SIGNING_POLICY: &str = "Driver Signing Policy";
pub const KMCS: &str = "Kernel-Mode Code Signing Requirements";
pub const PUBLIC_RELEASE: &str = "Signing Drivers for Public Release";
pub const CODE_SIGNING_REQUIREMENTS: &str = "Driver code signing requirements";
pub const S_MODE: &str = "Windows 10 in S mode driver requirements";
pub const HVCI: &str = "Driver compatibility with memory integrity and VBS";
/// The April 2026 kernel trust policy (Windows IT Pro Blog, 2026-03-26).
pub const KERNEL_TRUST_2026: &str = "Advancing Windows driver security: Removing trust for the cross-signed driver program";
/// "Signing a Driver": 64-bit Windows requires signed drivers, 32-bit Windows does not.
pub const SIGNING_A_DRIVER: &str = "Signing a Driver";
/// "PE Format": an image runs only on the machine its header names.
pub const PE_FORMAT: &str = "PE Format";

/// Whether a PE file is a kernel-mode driver: native subsystem, or a `.sys` name.
pub fn is_kernel_driver(name: &str, pe: &PeInfo) -> bool {
    pe.subsystem == "native" || name.to_ascii_lowercase().ends_with(".sys")
}

/// The memory integrity findings of a driver input (empty for non-drivers or without PE facts).
pub fn hvci_findings(input: &PolicyInput) -> Vec<Finding> {
    match input.pe {
        Some(pe) if input.kernel_driver => hvci::check(pe),
        _ => Vec::new(),
    }
}

/// What `inspect` does after the signatures are known: classify every signature; for a kernel
/// driver add the `hvci.*` findings and the per-Windows verdicts from the embedded signatures only
/// (a single file: no catalog was given).
pub fn apply(report: &mut FileReport) {
    classify_all(&mut report.signatures);
    let Some(pe) = &report.pe else { return };
    let input = PolicyInput {
        embedded: &report.signatures,
        catalogs: Vec::new(),
        catalogs_considered: false,
        boot_start: None,
        kernel_driver: is_kernel_driver(&report.name, pe),
        pe: Some(pe),
        blocklist: report.blocklist.as_ref(),
    };
    let mut findings = hvci_findings(&input);
    findings.extend(report.blocklist.as_ref().map(blocklist::findings).unwrap_or_default());
    let verdicts = evaluate(&input);
    report.findings.extend(findings);
    report.verdicts = verdicts;
}
