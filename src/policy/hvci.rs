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
use crate::checks;
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

/// The executable section that holds the import address table, if one does (the IAT is written
/// by the loader, so memory integrity wants it in a non-executable section).
pub fn iat_section(pe: &PeInfo) -> Option<&PeSection> {
    let iat = pe.import_address_table?;
    pe.sections.iter().find(|s| {
        let end = s.virtual_address.checked_add(s.virtual_size.max(1));
        s.executable && iat.rva >= s.virtual_address && end.is_some_and(|end| iat.rva < end)
    })
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
    if let Some(s) = iat_section(pe) {
        out.push(format!("the import address table is in executable section {}", section_name(s)));
    }
    out
}

/// The `hvci.*` findings for a kernel driver's PE facts (empty when every check passes).
pub fn check(pe: &PeInfo) -> Vec<Finding> {
    let mut out = Vec::new();
    if pe.section_alignment == 0 || pe.section_alignment % PAGE != 0 {
        out.push(Finding::new(
            checks::HVCI_SECTION_ALIGNMENT.id,
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
                checks::HVCI_WRITABLE_EXECUTABLE_INIT.id,
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
                checks::HVCI_WRITABLE_EXECUTABLE_SECTION.id,
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
    if let (Some(s), Some(iat)) = (iat_section(pe), pe.import_address_table) {
        out.push(Finding::new(
            checks::HVCI_IAT_EXECUTABLE_SECTION.id,
            Outcome::Warn,
            format!(
                "The import address table (RVA 0x{:x}) is in executable section {}: memory integrity lists an IAT in an \
                 executable section as an incompatibility, so Windows blocks the driver when memory integrity (HVCI) is on.",
                iat.rva,
                section_name(s)
            ),
        ));
    }
    if !pe.nx_compat {
        out.push(Finding::new(
            checks::HVCI_NX_COMPAT.id,
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
            version: None,
            sections: sections
                .iter()
                .enumerate()
                .map(|(i, (name, w, x))| PeSection {
                    virtual_address: 0x1000 * (u32::try_from(i).unwrap_or(0) + 1),
                    virtual_size: 0x800,
                    name: name.to_string(),
                    characteristics: (if *w { 0x8000_0000 } else { 0 }) | (if *x { 0x2000_0000 } else { 0 }),
                    writable: *w,
                    executable: *x,
                })
                .collect(),
            import_address_table: None,
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
        // The IAT at RVA 0x2010: in the second section (.text, executable) or (.rdata) not.
        let mut code = pe(0x1000, 0x100, &[(".rdata", false, false), (".text", false, true)]);
        code.import_address_table = Some(crate::report::RvaRange { rva: 0x2010, size: 0x40 });
        assert_eq!(checks(&code), ["hvci.iat-executable-section"]);
        assert_eq!(incompatibilities(&code), ["the import address table is in executable section .text"]);
        code.import_address_table = Some(crate::report::RvaRange { rva: 0x1010, size: 0x40 });
        assert!(checks(&code).is_empty());
        assert_eq!(
            incompatibilities(&pe(0x200, 0x100, &[("PAGE", true, true)])),
            ["SectionAlignment 0x200 is not a multiple of 0x1000", "section PAGE is writable and executable"]
        );
    }
}
