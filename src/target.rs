//! The Windows targets a verdict is given for ([`Target`]) and their processor architecture
//! ([`Arch`]): closed sets, serialized with the ids of docs/report.md.
//!
//! The facts a rule needs about a target (its architecture, whether it runs the April 2026 kernel
//! trust policy, whether memory integrity or the vulnerable driver blocklist is on) are methods
//! here, so that the rules decide on these typed facts and never on ids or labels.

use serde::{Deserialize, Serialize};

/// The processor architecture of a Windows target (and of a driver's PE machine).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// 32-bit x86 (PE machine 0x14c).
    X86,
    /// x64 / AMD64 (PE machine 0x8664).
    #[default]
    X64,
    /// ARM64 (PE machine 0xaa64).
    Arm64,
}

impl Arch {
    /// The architecture of a `PeInfo::machine` name (`x86`, `x64`, `ARM64`); `None` for any other
    /// machine (ARM, ARM64EC, IA64, unknown), which no target here runs as a kernel driver.
    pub fn of_machine(machine: &str) -> Option<Arch> {
        match machine {
            "x86" => Some(Arch::X86),
            "x64" => Some(Arch::X64),
            "ARM64" => Some(Arch::Arm64),
            _ => None,
        }
    }

    /// The JSON spelling (`x86`, `x64`, `arm64`).
    pub fn id(self) -> &'static str {
        crate::names::spelling(&self)
    }

    /// 64-bit architectures (x64, ARM64): kernel-mode code signing always applies there.
    pub fn is_64_bit(self) -> bool {
        !matches!(self, Arch::X86)
    }
}

/// The Windows targets, in display order (oldest first, test mode last).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    /// 32-bit Windows 7 SP1: no kernel-mode signature required.
    #[serde(rename = "win7-sp1-x86")]
    Win7Sp1X86,
    #[serde(rename = "win7-sp1-x64")]
    Win7Sp1,
    #[serde(rename = "win7-sp1-x64-sha2")]
    Win7Sp1Sha2,
    #[serde(rename = "win8.1-x64")]
    Win81,
    #[serde(rename = "win10-1507")]
    Win10Early,
    /// 32-bit Windows 10 1607+ with Secure Boot: signing enforced as on x64.
    #[serde(rename = "win10-x86-secureboot")]
    Win10X86SecureBoot,
    #[default]
    #[serde(rename = "win10-1607-secureboot")]
    Win10SecureBoot,
    #[serde(rename = "win10-1607-no-secureboot")]
    Win10NoSecureBoot,
    /// Windows 11 24H2+ with the April 2026 kernel trust policy enforced (a new Windows 11 PC).
    #[serde(rename = "win11-24h2-enforced")]
    Win11Enforced,
    /// The same Windows while the April 2026 policy is in evaluation (audit) mode.
    #[serde(rename = "win11-24h2-evaluation")]
    Win11Evaluation,
    /// Windows 11 on ARM64 with the April 2026 policy.
    #[serde(rename = "win11-arm64")]
    Win11Arm64,
    /// Windows Server 2016, 2019 and 2022.
    #[serde(rename = "server-2016")]
    Server2016,
    /// Windows Server 2025 with the April 2026 policy.
    #[serde(rename = "server-2025")]
    Server2025,
    #[serde(rename = "s-mode")]
    SMode,
    #[serde(rename = "testsigning")]
    TestSigning,
}

impl Target {
    pub const ALL: [Target; 15] = [
        Target::Win7Sp1X86,
        Target::Win7Sp1,
        Target::Win7Sp1Sha2,
        Target::Win81,
        Target::Win10Early,
        Target::Win10X86SecureBoot,
        Target::Win10SecureBoot,
        Target::Win10NoSecureBoot,
        Target::Win11Enforced,
        Target::Win11Evaluation,
        Target::Win11Arm64,
        Target::Server2016,
        Target::Server2025,
        Target::SMode,
        Target::TestSigning,
    ];

    /// The stable id (the JSON spelling of `TargetVerdict::target`).
    pub fn id(self) -> &'static str {
        crate::names::spelling(&self)
    }

    /// The target with this id, if any (`--target ID`, `?target=ID`).
    pub fn from_id(id: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.id() == id)
    }

    /// Every id, comma-separated (for usage errors).
    pub fn ids() -> String {
        Target::ALL.map(Target::id).join(", ")
    }

    pub fn label(self) -> &'static str {
        match self {
            Target::Win7Sp1X86 => "Windows 7 SP1 x86 (32-bit)",
            Target::Win7Sp1 => "Windows 7 SP1 x64 without SHA-2 support (advisory 3033929 / KB4474419)",
            Target::Win7Sp1Sha2 => "Windows 7 SP1 x64 with SHA-2 support (advisory 3033929 or KB4474419)",
            Target::Win81 => "Windows 8.1 x64",
            Target::Win10Early => "Windows 10 1507-1511",
            Target::Win10X86SecureBoot => "Windows 10 1607+ x86 (32-bit), Secure Boot on",
            Target::Win10SecureBoot => "Windows 10 1607+ / 11 without the April 2026 policy, Secure Boot on",
            Target::Win10NoSecureBoot => "Windows 10 1607+ / 11, Secure Boot off",
            Target::Win11Enforced => "Windows 11 24H2+ (April 2026 policy enforced, memory integrity on)",
            Target::Win11Evaluation => "Windows 11 24H2+ (April 2026 policy in evaluation mode)",
            Target::Win11Arm64 => "Windows 11 on ARM64 (April 2026 policy)",
            Target::Server2016 => "Windows Server 2016 to 2022",
            Target::Server2025 => "Windows Server 2025 (April 2026 policy)",
            Target::SMode => "Windows 10/11 in S mode",
            Target::TestSigning => "Test mode (TESTSIGNING on, Secure Boot off)",
        }
    }

    /// The processor architecture the target runs (its kernel loads only drivers built for it).
    pub fn arch(self) -> Arch {
        match self {
            Target::Win7Sp1X86 | Target::Win10X86SecureBoot => Arch::X86,
            Target::Win11Arm64 => Arch::Arm64,
            _ => Arch::X64,
        }
    }

    /// Whether the kernel requires a signature at all: not on 32-bit Windows 7 ("Kernel-Mode Code
    /// Signing Requirements": the policy is for 64-bit versions; 32-bit Windows 8+ enforce it only
    /// with Secure Boot, which `win10-x86-secureboot` is).
    pub fn requires_signature(self) -> bool {
        self != Target::Win7Sp1X86
    }

    /// Whether the April 2026 kernel trust policy runs there (enforced or in evaluation): Windows
    /// 11 24H2 / 25H2 / 26H1 and Windows Server 2025 with the April 2026 update (Windows IT Pro
    /// Blog, 2026-03-26).
    pub fn april_2026_policy(self) -> bool {
        matches!(self, Target::Win11Enforced | Target::Win11Evaluation | Target::Win11Arm64 | Target::Server2025)
    }

    /// Whether the April 2026 policy is enforced (not merely auditing) on this target.
    pub fn april_2026_enforced(self) -> bool {
        self.april_2026_policy() && self != Target::Win11Evaluation
    }

    /// Whether memory integrity (HVCI) is on for this target as drvsig describes it: the new
    /// Windows 11 PC (`win11-24h2-enforced`), Windows 11 on ARM64 and S mode, where Microsoft turns
    /// it on by default ("Memory integrity is turned on by default on clean installs of Windows 10
    /// in S mode and Windows 11 on compatible hardware": "Driver compatibility with memory integrity
    /// and VBS"). Elsewhere it may be on too; the verdict then says "blocked once memory integrity
    /// is on".
    pub fn memory_integrity_on(self) -> bool {
        matches!(self, Target::Win11Enforced | Target::Win11Arm64 | Target::SMode)
    }

    /// Whether Windows enforces Microsoft's vulnerable driver blocklist on this target ("Microsoft
    /// recommended driver block rules"): on by default on every device since the Windows 11 2022
    /// update (22H2), and enforced whenever memory integrity, Smart App Control or S mode is on
    /// (except on Windows Server 2016). So: the Windows 11 24H2+ targets (enforced, evaluation,
    /// ARM64) and S mode. `win10-1607-*` also describe Windows 11 PCs, but Windows 10 (no blocklist
    /// by default without memory integrity) is the weaker case they must cover, so: false.
    pub fn enforces_vulnerable_driver_blocklist(self) -> bool {
        matches!(self, Target::Win11Enforced | Target::Win11Evaluation | Target::Win11Arm64 | Target::SMode)
    }

    /// A Windows 7 target (reads only the primary embedded signature).
    pub fn is_windows_7(self) -> bool {
        matches!(self, Target::Win7Sp1X86 | Target::Win7Sp1 | Target::Win7Sp1Sha2)
    }

    /// The OSAttr rank of the target's Windows version (6.1 -> 61, 6.3 -> 63, 10.0 -> 100).
    pub fn os_rank(self) -> Option<u32> {
        match self {
            Target::Win7Sp1X86 | Target::Win7Sp1 | Target::Win7Sp1Sha2 => Some(61),
            Target::Win81 => Some(63),
            Target::TestSigning => None,
            _ => Some(100),
        }
    }
}

impl core::fmt::Display for Target {
    /// The id, as in the JSON.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.id())
    }
}

impl core::fmt::Display for Arch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_serde_and_from_id() {
        for t in Target::ALL {
            let json = serde_json::to_string(&t).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", t.id()));
            assert_eq!(serde_json::from_str::<Target>(&json).ok(), Some(t));
            assert_eq!(Target::from_id(t.id()), Some(t));
        }
        assert_eq!(Target::from_id("win12"), None);
        assert!(Target::ids().starts_with("win7-sp1-x86, win7-sp1-x64, "));
        assert_eq!(serde_json::to_string(&Arch::Arm64).unwrap_or_default(), "\"arm64\"");
    }

    #[test]
    fn facts_per_target() {
        let x86: Vec<Target> = Target::ALL.into_iter().filter(|t| t.arch() == Arch::X86).collect();
        assert_eq!(x86, [Target::Win7Sp1X86, Target::Win10X86SecureBoot]);
        let hvci: Vec<Target> = Target::ALL.into_iter().filter(|t| t.memory_integrity_on()).collect();
        assert_eq!(hvci, [Target::Win11Enforced, Target::Win11Arm64, Target::SMode]);
        let blocklist: Vec<Target> = Target::ALL.into_iter().filter(|t| t.enforces_vulnerable_driver_blocklist()).collect();
        assert_eq!(blocklist, [Target::Win11Enforced, Target::Win11Evaluation, Target::Win11Arm64, Target::SMode]);
        assert!(Target::Server2025.april_2026_enforced() && !Target::Win11Evaluation.april_2026_enforced());
        assert_eq!(Arch::of_machine("ARM64"), Some(Arch::Arm64));
        assert_eq!(Arch::of_machine("ARM64EC"), None);
    }
}
