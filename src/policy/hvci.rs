//! Memory integrity (HVCI) static checks on a kernel driver's PE headers (Microsoft: "Memory
//! integrity / HVCI driver compatibility"; DOMAIN.md "Would Windows load it?"): section alignment
//! a multiple of 0x1000, no section both writable and executable, the NX compatibility flag set.
//! A driver that fails them may be blocked when memory integrity is on; they are warnings.

use super::HVCI;
use crate::report::{Finding, Outcome, PeInfo};

/// The page size memory integrity maps sections with.
pub const PAGE: u32 = 0x1000;

/// The `hvci.*` findings for a kernel driver's PE facts (empty when every check passes).
pub fn check(pe: &PeInfo) -> Vec<Finding> {
    let mut out = Vec::new();
    if pe.section_alignment == 0 || pe.section_alignment % PAGE != 0 {
        out.push(Finding::new(
            "hvci.section-alignment",
            Outcome::Warn,
            format!(
                "SectionAlignment is 0x{:x}, not a multiple of 0x1000: memory integrity cannot map the sections with \
                 page protections, so the driver may be blocked when memory integrity (HVCI) is on (\"{HVCI}\").",
                pe.section_alignment
            ),
        ));
    }
    for s in pe.sections.iter().filter(|s| s.writable && s.executable) {
        out.push(Finding::new(
            "hvci.writable-executable-section",
            Outcome::Warn,
            format!(
                "Section {} is both writable and executable (characteristics 0x{:08x}): memory integrity does not allow \
                 W+X memory, so the driver may be blocked when memory integrity (HVCI) is on (\"{HVCI}\").",
                if s.name.is_empty() { "(unnamed)" } else { s.name.as_str() },
                s.characteristics
            ),
        ));
    }
    if !pe.nx_compat {
        out.push(Finding::new(
            "hvci.nx-compat",
            Outcome::Warn,
            format!(
                "DllCharacteristics 0x{:04x} lacks IMAGE_DLLCHARACTERISTICS_NX_COMPAT (0x100): memory integrity expects \
                 NX-compatible drivers (\"{HVCI}\").",
                pe.dll_characteristics
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Checksum, PeSection};

    fn pe(alignment: u32, dll: u16, sections: &[(&str, bool, bool)]) -> PeInfo {
        PeInfo {
            format: "PE32+".into(),
            machine: "x64".into(),
            subsystem: "native".into(),
            checksum: Checksum { stored: 0, computed: 0, matches: true },
            certificate_table: None,
            section_alignment: alignment,
            dll_characteristics: dll,
            nx_compat: dll & 0x100 != 0,
            version: None,
            sections: sections
                .iter()
                .map(|(name, w, x)| PeSection {
                    name: name.to_string(),
                    characteristics: (if *w { 0x8000_0000 } else { 0 }) | (if *x { 0x2000_0000 } else { 0 }),
                    writable: *w,
                    executable: *x,
                })
                .collect(),
        }
    }

    fn checks(p: &PeInfo) -> Vec<String> {
        check(p).into_iter().map(|f| f.check).collect()
    }

    #[test]
    fn table() {
        let cases: [(&str, PeInfo, &[&str]); 5] = [
            ("clean", pe(0x1000, 0x160, &[(".text", false, true), (".data", true, false)]), &[]),
            ("2 pages", pe(0x2000, 0x100, &[]), &[]),
            ("0x200 alignment", pe(0x200, 0x100, &[]), &["hvci.section-alignment"]),
            ("zero alignment", pe(0, 0x100, &[]), &["hvci.section-alignment"]),
            (
                "rwx and no nx",
                pe(0x1000, 0, &[("INIT", true, true), (".text", false, true)]),
                &["hvci.writable-executable-section", "hvci.nx-compat"],
            ),
        ];
        for (what, p, expected) in cases {
            assert_eq!(checks(&p), expected, "{what}");
        }
        let f = check(&pe(0x1000, 0x100, &[("INIT", true, true)]));
        assert!(f.iter().all(|f| f.outcome == Outcome::Warn && f.reason.contains("INIT") && f.reason.contains(HVCI)));
    }
}
