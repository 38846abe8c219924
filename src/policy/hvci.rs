//! Memory integrity (HVCI) static checks on a kernel driver's PE headers (Microsoft: "Driver
//! compatibility with memory integrity and VBS"; DOMAIN.md "Would Windows load it?").
//!
//! The static incompatibilities visible in the file, [`incompatibilities`]: a section both
//! writable and executable (other than `INIT`, from which Windows 10 strips the write permission,
//! as the page says of the RWX `INIT` section Visual Studio 2013 produced), and a section
//! alignment that is not a multiple of 0x1000. The verdict table blocks such a driver where memory
//! integrity is on and warns elsewhere. The findings say the same; the missing NX_COMPAT flag and a
//! writable `INIT` section are information only (outcome `pass`): they are not on Microsoft's list.

use super::HVCI;
use crate::report::{Finding, Outcome, PeInfo, PeSection};

/// The page size memory integrity maps sections with.
pub const PAGE: u32 = 0x1000;

/// The discardable initialisation section whose write permission Windows strips.
fn is_init(s: &PeSection) -> bool {
    s.name.eq_ignore_ascii_case("INIT")
}

fn section_name(s: &PeSection) -> &str {
    if s.name.is_empty() {
        "(unnamed)"
    } else {
        s.name.as_str()
    }
}

/// The static memory integrity incompatibilities of a driver, one short phrase each (empty when
/// it has none): what the verdict table blocks on targets with memory integrity on.
pub fn incompatibilities(pe: &PeInfo) -> Vec<String> {
    let mut out = Vec::new();
    if pe.section_alignment == 0 || pe.section_alignment % PAGE != 0 {
        out.push(format!("SectionAlignment 0x{:x} is not a multiple of 0x1000", pe.section_alignment));
    }
    for s in pe.sections.iter().filter(|s| s.writable && s.executable && !is_init(s)) {
        out.push(format!("section {} is writable and executable", section_name(s)));
    }
    out
}

/// The `hvci.*` findings for a kernel driver's PE facts (empty when every check passes).
pub fn check(pe: &PeInfo) -> Vec<Finding> {
    let mut out = Vec::new();
    if pe.section_alignment == 0 || pe.section_alignment % PAGE != 0 {
        out.push(Finding::new(
            "hvci.section-alignment",
            Outcome::Warn,
            format!(
                "SectionAlignment is 0x{:x}, not a multiple of 0x1000: memory integrity cannot map the sections with \
                 page protections, so Windows blocks the driver when memory integrity (HVCI) is on (\"{HVCI}\").",
                pe.section_alignment
            ),
        ));
    }
    for s in pe.sections.iter().filter(|s| s.writable && s.executable) {
        let finding = if is_init(s) {
            Finding::new(
                "hvci.writable-executable-init",
                Outcome::Pass,
                format!(
                    "Information: section {} is writable and executable (characteristics 0x{:08x}), as older WDKs built it; \
                     Windows 10 and later strip the write permission from INIT, so memory integrity accepts it (\"{HVCI}\").",
                    section_name(s),
                    s.characteristics
                ),
            )
        } else {
            Finding::new(
                "hvci.writable-executable-section",
                Outcome::Warn,
                format!(
                    "Section {} is both writable and executable (characteristics 0x{:08x}): memory integrity does not allow \
                     W+X memory, so Windows blocks the driver when memory integrity (HVCI) is on (\"{HVCI}\").",
                    section_name(s),
                    s.characteristics
                ),
            )
        };
        out.push(finding);
    }
    if !pe.nx_compat {
        out.push(Finding::new(
            "hvci.nx-compat",
            Outcome::Pass,
            format!(
                "Information: DllCharacteristics 0x{:04x} lacks IMAGE_DLLCHARACTERISTICS_NX_COMPAT (0x100). Microsoft asks \
                 drivers to opt in to NX, but its list of memory integrity incompatibilities does not include the flag \
                 (\"{HVCI}\"): not a reason to block.",
                pe.dll_characteristics
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Checksum;

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
        let cases: [(&str, PeInfo, &[&str]); 6] = [
            ("clean", pe(0x1000, 0x160, &[(".text", false, true), (".data", true, false)]), &[]),
            ("2 pages", pe(0x2000, 0x100, &[]), &[]),
            ("0x200 alignment", pe(0x200, 0x100, &[]), &["hvci.section-alignment"]),
            ("zero alignment", pe(0, 0x100, &[]), &["hvci.section-alignment"]),
            (
                "rwx INIT and no nx",
                pe(0x1000, 0, &[("INIT", true, true), (".text", false, true)]),
                &["hvci.writable-executable-init", "hvci.nx-compat"],
            ),
            ("rwx .text", pe(0x1000, 0x100, &[(".text", true, true)]), &["hvci.writable-executable-section"]),
        ];
        for (what, p, expected) in cases {
            assert_eq!(checks(&p), expected, "{what}");
        }
        let f = check(&pe(0x1000, 0x100, &[("PAGE", true, true)]));
        assert!(f.iter().all(|f| f.outcome == Outcome::Warn && f.reason.contains("PAGE") && f.reason.contains(HVCI)));
        let info = check(&pe(0x1000, 0, &[("INIT", true, true)]));
        assert!(info.iter().all(|f| f.outcome == Outcome::Pass && f.reason.starts_with("Information: ")), "{info:?}");
        assert!(incompatibilities(&pe(0x1000, 0, &[("INIT", true, true)])).is_empty());
        assert_eq!(
            incompatibilities(&pe(0x200, 0x100, &[("PAGE", true, true)])),
            ["SectionAlignment 0x200 is not a multiple of 0x1000", "section PAGE is writable and executable"]
        );
    }
}
