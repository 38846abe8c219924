//! Who signed it: [`classify`] turns one signature report into a [`SignerKind`] with evidence.
//!
//! The rules are DOMAIN.md "Who signed it: classification" (Microsoft: "Driver Signing Policy",
//! "Kernel-Mode Code Signing Requirements", "Signing Drivers for Public Release"):
//!
//! | kind | decided by |
//! | --- | --- |
//! | whql | signer CN `Microsoft Windows Hardware Compatibility Publisher`, EKU 1.3.6.1.4.1.311.10.3.5, path to a Microsoft root |
//! | attestation | same signer, EKU 1.3.6.1.4.1.311.10.3.5.1, path to a Microsoft root |
//! | windows-component | EKU 1.3.6.1.4.1.311.10.3.6, path to a Microsoft root |
//! | elam | EKU 1.3.6.1.4.1.311.61.4.1 (Early Launch Antimalware), path to a Microsoft root |
//! | store | EKU 1.3.6.1.4.1.311.76.3.1 (Windows Store), path to a Microsoft root |
//! | microsoft-user-mode | any other signer whose path reaches Microsoft Root Certificate Authority 2011 (user-mode root) |
//! | microsoft | any other signer whose path reaches a Microsoft kernel root |
//! | cross-signed-spc | path through a cross certificate to `Microsoft Code Verification Root` |
//! | spc-without-cross-certificate | code-signing certificate of a public CA (recognised by name), no cross certificate |
//! | test-signed | user-added root, `WDKTestCert`, or a private CA (any other path) |
//! | self-signed | the signer certificate is its own issuer |
//! | untrusted | no signer certificate, a Microsoft name that does not reach a Microsoft root, or no code-signing usage |
//! | unsigned | a SignedData without any SignerInfo |
//!
//! The trust facts come from the chain layer (`SignatureReport::chain`) when it ran; otherwise the
//! path is followed by certificate *names* through the certificates the signature carries, and the
//! evidence says that nothing was verified. A failing digest or CMS signature is stated in the
//! evidence but does not change the kind (the verdict table treats such a signature as invalid).

use const_oid::ObjectIdentifier;

use crate::report::{CertificateSummary, Classification, Outcome, SignatureReport, SignerKind, TrustKind};

pub use crate::x509::oid::{
    EKU_ANY, EKU_ATTESTATION, EKU_CODE_SIGNING, EKU_ELAM, EKU_KERNEL_MODE_CODE_SIGNING, EKU_LIFETIME_SIGNING, EKU_STORE, EKU_WHQL,
    EKU_WINDOWS_COMPONENT,
};

/// The signer name of WHQL and attestation signatures.
pub const HARDWARE_COMPATIBILITY_PUBLISHER: &str = "Microsoft Windows Hardware Compatibility Publisher";
/// The root of the legacy kernel-mode cross certificates.
pub const CODE_VERIFICATION_ROOT: &str = "Microsoft Code Verification Root";
/// Microsoft roots that the kernel trusts (DOMAIN.md, SHA-1 thumbprints there), by common name.
pub const MICROSOFT_ROOTS: [&str; 3] =
    ["Microsoft Root Authority", "Microsoft Root Certificate Authority", "Microsoft Root Certificate Authority 2010"];
/// Microsoft's user-mode code-signing root: a Microsoft root, but not a kernel-mode one
/// (DOMAIN.md "Would Windows load it?"; "Kernel-Mode Code Signing Requirements" names the kernel
/// roots). Signatures that reach it are `microsoft-user-mode`.
pub const USER_MODE_ROOT: &str = "Microsoft Root Certificate Authority 2011";
/// Name fragments of public certification authorities that sold code-signing certificates. Used
/// only to tell a commercial certificate without a cross certificate from a private (test) CA,
/// because drvsig carries no public root store; the evidence says so.
const PUBLIC_CA_NAMES: [&str; 20] = [
    "DigiCert",
    "GlobalSign",
    "Sectigo",
    "COMODO",
    "USERTrust",
    "UTN-USERFirst",
    "VeriSign",
    "Symantec",
    "thawte",
    "GeoTrust",
    "Entrust",
    "Go Daddy",
    "GoDaddy",
    "Starfield",
    "Certum",
    "SSL.com",
    "QuoVadis",
    "Baltimore",
    "Let's Encrypt",
    "ISRG",
];

/// The human name of an EKU, for the evidence.
pub fn eku_name(oid: &str) -> &'static str {
    crate::x509::oid::eku_title(oid).unwrap_or("")
}

/// `CN (thumbprint)`-free short name for evidence lines.
fn short(cert: &CertificateSummary) -> String {
    cert.subject_cn()
}

fn is_microsoft_root(name: &str) -> bool {
    MICROSOFT_ROOTS.contains(&name) || name == USER_MODE_ROOT
}

fn public_ca(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    PUBLIC_CA_NAMES.iter().any(|p| lower.contains(&p.to_ascii_lowercase()))
}

fn is_test_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("wdktestcert") || lower.contains("test ca") || lower.contains("test root") || lower.contains("test signing")
}

/// The trust facts classification needs, from the chain layer or from names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trust {
    pub kind: TrustKind,
    /// Anchor (or top certificate / missing issuer) name.
    pub top: Option<String>,
    /// Common names along the path, leaf first (the anchor included when named).
    pub path: Vec<String>,
    /// The chain layer's verdict; `None` when no chain was built (names only).
    pub verdict: Option<Outcome>,
    /// The chain layer's first non-passing finding, for evidence.
    pub reason: Option<String>,
}

/// The trust of a signature: the chain layer's answer when present, else a walk by names.
pub fn trust_of(sig: &SignatureReport) -> Option<Trust> {
    let signer = sig.signer.as_ref()?;
    if let Some(chain) = &sig.chain {
        let mut path: Vec<String> = chain.certificates.iter().map(|c| short(&c.certificate)).collect();
        if let Some(anchor) = &chain.anchor {
            if path.last() != Some(anchor) {
                path.push(anchor.clone());
            }
        }
        let top = chain.anchor.clone().or_else(|| chain.certificates.last().map(|c| c.certificate.issuer_cn()));
        let reason = chain.findings.iter().find(|f| f.outcome != Outcome::Pass).map(|f| f.reason.clone());
        return Some(Trust { kind: chain.trust, top, path, verdict: Some(chain.verdict), reason });
    }
    Some(walk_names(signer, &sig.certificates))
}

/// Follow issuer names from the signer through the signature's certificates. A candidate issued by
/// the Code Verification Root (a cross certificate) is preferred, as Windows' kernel does.
fn walk_names(signer: &CertificateSummary, certificates: &[CertificateSummary]) -> Trust {
    let mut path = vec![short(signer)];
    let mut current = signer;
    if current.subject == current.issuer {
        let name = short(current);
        let kind = if is_microsoft_root(&name) { TrustKind::MicrosoftRoot } else { TrustKind::SelfSigned };
        return Trust { kind, top: Some(name), path, verdict: None, reason: None };
    }
    // Each step moves to a different certificate; the bound stops loops of cross-issued names.
    for _ in 0..=certificates.len() {
        let issuer = current.issuer_cn();
        if issuer == CODE_VERIFICATION_ROOT {
            path.push(issuer.clone());
            return Trust { kind: TrustKind::MicrosoftCodeVerificationRoot, top: Some(issuer), path, verdict: None, reason: None };
        }
        if is_microsoft_root(&issuer) {
            path.push(issuer.clone());
            return Trust { kind: TrustKind::MicrosoftRoot, top: Some(issuer), path, verdict: None, reason: None };
        }
        let candidates: Vec<&CertificateSummary> =
            certificates.iter().filter(|c| c.subject == current.issuer && c.sha256 != current.sha256).collect();
        let next = candidates
            .iter()
            .find(|c| c.issuer_cn() == CODE_VERIFICATION_ROOT)
            .or_else(|| candidates.iter().find(|c| c.subject != c.issuer))
            .or_else(|| candidates.first());
        let Some(next) = next else {
            path.push(issuer.clone());
            return Trust { kind: TrustKind::Incomplete, top: Some(issuer), path, verdict: None, reason: None };
        };
        if next.subject == next.issuer {
            path.push(short(next));
            return Trust { kind: TrustKind::UntrustedRoot, top: Some(short(next)), path, verdict: None, reason: None };
        }
        path.push(short(next));
        current = next;
    }
    Trust { kind: TrustKind::Incomplete, top: Some(current.issuer_cn()), path, verdict: None, reason: None }
}

fn describe_ekus(ekus: &[String]) -> String {
    if ekus.is_empty() {
        return "no EKU extension (any usage)".to_string();
    }
    ekus.iter()
        .map(|oid| match eku_name(oid) {
            "" => oid.clone(),
            name => format!("{name} ({oid})"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_trust(t: &Trust) -> String {
    let top = t.top.clone().unwrap_or_default();
    let how = match t.kind {
        TrustKind::MicrosoftRoot => format!("the path reaches the Microsoft root `{top}`"),
        TrustKind::MicrosoftCodeVerificationRoot => format!("the path goes through a cross certificate to `{top}`"),
        TrustKind::UserRoot => format!("the path reaches `{top}`, a root the user added"),
        TrustKind::UntrustedRoot => format!("the path ends at `{top}`, a root in no trust store"),
        TrustKind::SelfSigned => "the signer certificate is self-signed".to_string(),
        TrustKind::Incomplete => format!("the path stops: the certificate of `{top}` is not available"),
    };
    let path = if t.path.len() > 1 { format!(" (path: {})", t.path.join(" -> ")) } else { String::new() };
    match t.verdict {
        None => format!("{how}{path}; inferred from certificate names only (no chain was built, nothing verified)"),
        Some(v) => {
            let verdict = match v {
                Outcome::Pass => "the chain verifies".to_string(),
                Outcome::Warn => "the chain verifies with warnings".to_string(),
                Outcome::Fail => format!("the chain FAILS{}", t.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default()),
                Outcome::Unsupported | Outcome::NotPresent => "the chain could not be checked".to_string(),
            };
            format!("{how}{path}; {verdict}")
        }
    }
}

/// Classify one signature (outer or nested, embedded or catalog).
pub fn classify(sig: &SignatureReport) -> Classification {
    let mut evidence = Vec::new();
    let Some(signer) = &sig.signer else {
        if sig.no_signer_info || (sig.certificates.is_empty() && sig.signature_verdict == Outcome::NotPresent) {
            evidence.push("the SignedData has no SignerInfo and no certificates: nothing signs it".to_string());
            return Classification { kind: SignerKind::Unsigned, evidence };
        }
        evidence.push("the signer's certificate is not in the signature: it cannot be attributed or verified".to_string());
        return Classification { kind: SignerKind::Untrusted, evidence };
    };
    let name = short(signer);
    evidence.push(format!("signer: {name} (issued by {})", signer.issuer_cn()));
    evidence.push(format!("signer EKUs: {}", describe_ekus(&signer.ekus)));
    let has = |oid: ObjectIdentifier| signer.ekus.iter().any(|e| *e == oid.to_string());
    let hcp = name == HARDWARE_COMPATIBILITY_PUBLISHER;
    let trust = trust_of(sig);
    if let Some(t) = &trust {
        evidence.push(describe_trust(t));
    }
    if sig.digest_verdict == Outcome::Fail {
        evidence.push(
            "the file digest does NOT match the signed digest: this signature is invalid (the kind is what the certificates say)"
                .to_string(),
        );
    }
    if sig.signature_verdict == Outcome::Fail {
        evidence.push("the CMS signature does NOT verify: this signature is invalid (the kind is what the certificates say)".to_string());
    }
    if has(EKU_LIFETIME_SIGNING) {
        evidence.push("Lifetime Signing EKU: a timestamp does not extend the certificate's validity".to_string());
    }
    let Some(trust) = trust else {
        return Classification { kind: SignerKind::Untrusted, evidence };
    };
    let code_signing_capable = signer.ekus.is_empty()
        || [EKU_CODE_SIGNING, EKU_ANY, EKU_KERNEL_MODE_CODE_SIGNING, EKU_WHQL, EKU_ATTESTATION, EKU_WINDOWS_COMPONENT]
            .iter()
            .any(|e| has(*e));
    let kind = match trust.kind {
        TrustKind::MicrosoftRoot if hcp && has(EKU_ATTESTATION) => SignerKind::Attestation,
        TrustKind::MicrosoftRoot if hcp && has(EKU_WHQL) => SignerKind::Whql,
        TrustKind::MicrosoftRoot if has(EKU_WINDOWS_COMPONENT) => SignerKind::WindowsComponent,
        TrustKind::MicrosoftRoot if has(EKU_ELAM) => SignerKind::Elam,
        TrustKind::MicrosoftRoot if has(EKU_STORE) => SignerKind::Store,
        TrustKind::MicrosoftRoot if trust.top.as_deref() == Some(USER_MODE_ROOT) => {
            evidence
                .push(format!("`{USER_MODE_ROOT}` is Microsoft's user-mode code-signing root: the kernel does not trust it for drivers"));
            SignerKind::MicrosoftUserMode
        }
        TrustKind::MicrosoftRoot => SignerKind::Microsoft,
        TrustKind::MicrosoftCodeVerificationRoot => SignerKind::CrossSignedSpc,
        TrustKind::UserRoot => SignerKind::TestSigned,
        TrustKind::SelfSigned if is_test_name(&name) => {
            evidence.push("a self-signed test certificate (WDKTestCert / test name): a test signature".to_string());
            SignerKind::TestSigned
        }
        TrustKind::SelfSigned => SignerKind::SelfSigned,
        TrustKind::UntrustedRoot | TrustKind::Incomplete => {
            let names: Vec<&String> = trust.path.iter().chain(trust.top.iter()).collect();
            if !code_signing_capable {
                evidence.push("the signer certificate is not valid for code signing (no Code Signing EKU)".to_string());
                SignerKind::Untrusted
            } else if names.iter().any(|n| is_test_name(n)) {
                evidence.push("a test certificate name (WDKTestCert / test CA) is on the path".to_string());
                SignerKind::TestSigned
            } else if hcp || names.iter().any(|n| n.starts_with("Microsoft")) {
                evidence.push("a Microsoft name is on the path but the path does not reach a Microsoft root".to_string());
                SignerKind::Untrusted
            } else if names.iter().any(|n| public_ca(n)) {
                evidence.push(
                    "a public certification authority (recognised by name; drvsig carries only Microsoft roots) issued it, \
                     and no cross certificate to the Microsoft Code Verification Root is present"
                        .to_string(),
                );
                SignerKind::SpcWithoutCrossCertificate
            } else {
                evidence.push("the path ends at a private CA, not a Microsoft root: a test certificate for Windows".to_string());
                SignerKind::TestSigned
            }
        }
    };
    if (hcp || has(EKU_WHQL) || has(EKU_ATTESTATION)) && !matches!(kind, SignerKind::Whql | SignerKind::Attestation) {
        evidence
            .push("WHQL / attestation needs the Hardware Compatibility Publisher name, its EKU and a Microsoft root together".to_string());
    }
    Classification { kind, evidence }
}

/// Fill `classification` on every signature of a list.
pub fn classify_all(signatures: &mut [SignatureReport]) {
    for s in signatures.iter_mut() {
        s.classification = Some(classify(s));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::{ChainCertificate, ChainReport};

    pub(crate) fn cert(subject: &str, issuer: &str, not_before: &str, ekus: &[ObjectIdentifier]) -> CertificateSummary {
        CertificateSummary {
            subject: format!("CN={subject}, O=Example"),
            issuer: format!("CN={issuer}, O=Example"),
            serial: "01".into(),
            not_before: crate::time::UnixTime::parse_rfc3339(not_before).unwrap_or_default(),
            not_after: crate::time::UnixTime::parse_rfc3339("2030-01-01T00:00:00Z").unwrap_or_default(),
            sha1: format!("sha1-{subject}"),
            sha256: format!("sha256-{subject}"),
            ekus: ekus.iter().map(|s| s.to_string()).collect(),
            ..CertificateSummary::default()
        }
    }

    /// A signature whose certificates are `chain` (leaf first) and whose digests verify.
    pub(crate) fn sig(alg: &str, chain: Vec<CertificateSummary>) -> SignatureReport {
        SignatureReport {
            digest_algorithm: alg.into(),
            digest_verdict: Outcome::Pass,
            signature_verdict: Outcome::Pass,
            signer: chain.first().cloned(),
            certificates: chain,
            ..SignatureReport::default()
        }
    }

    pub(crate) fn whql() -> SignatureReport {
        sig(
            "sha256",
            vec![
                cert(
                    HARDWARE_COMPATIBILITY_PUBLISHER,
                    "Microsoft Windows Third Party Component CA 2014",
                    "2020-03-11T00:00:00Z",
                    &[EKU_WHQL, EKU_CODE_SIGNING],
                ),
                cert(
                    "Microsoft Windows Third Party Component CA 2014",
                    "Microsoft Root Certificate Authority 2010",
                    "2014-10-15T00:00:00Z",
                    &[],
                ),
            ],
        )
    }

    pub(crate) fn attestation() -> SignatureReport {
        sig(
            "sha256",
            vec![
                cert(
                    HARDWARE_COMPATIBILITY_PUBLISHER,
                    "Microsoft Windows Third Party Component CA 2014",
                    "2020-03-11T00:00:00Z",
                    &[EKU_ATTESTATION, EKU_CODE_SIGNING],
                ),
                cert(
                    "Microsoft Windows Third Party Component CA 2014",
                    "Microsoft Root Certificate Authority 2010",
                    "2014-10-15T00:00:00Z",
                    &[],
                ),
            ],
        )
    }

    pub(crate) fn cross_signed(alg: &str, leaf_not_before: &str) -> SignatureReport {
        sig(
            alg,
            vec![
                cert("Vendor Ltd", "Example Code Signing CA", leaf_not_before, &[EKU_CODE_SIGNING]),
                cert("Example Code Signing CA", "DigiCert High Assurance EV Root CA", "2011-01-01T00:00:00Z", &[]),
                cert("DigiCert High Assurance EV Root CA", CODE_VERIFICATION_ROOT, "2011-04-15T00:00:00Z", &[]),
            ],
        )
    }

    pub(crate) fn elam() -> SignatureReport {
        sig(
            "sha256",
            vec![
                cert(
                    "Microsoft Windows Early Launch Anti-malware Publisher",
                    "Microsoft Windows Third Party Component CA 2014",
                    "2021-01-01T00:00:00Z",
                    &[EKU_ELAM, EKU_CODE_SIGNING],
                ),
                cert(
                    "Microsoft Windows Third Party Component CA 2014",
                    "Microsoft Root Certificate Authority 2010",
                    "2014-10-15T00:00:00Z",
                    &[],
                ),
            ],
        )
    }

    pub(crate) fn store() -> SignatureReport {
        sig(
            "sha256",
            vec![cert("Microsoft Corporation", "Microsoft Root Certificate Authority 2010", "2021-01-01T00:00:00Z", &[EKU_STORE])],
        )
    }

    pub(crate) fn user_mode() -> SignatureReport {
        sig("sha256", vec![cert("Microsoft Corporation", USER_MODE_ROOT, "2020-01-01T00:00:00Z", &[EKU_CODE_SIGNING])])
    }

    pub(crate) fn test_signed() -> SignatureReport {
        sig("sha256", vec![cert("Contoso Driver", "WDKTestCert contoso,133000000000000000", "2024-01-01T00:00:00Z", &[EKU_CODE_SIGNING])])
    }

    fn kind(s: &SignatureReport) -> SignerKind {
        classify(s).kind
    }

    #[test]
    fn table() {
        let windows = sig(
            "sha1",
            vec![
                cert(
                    "Microsoft Windows",
                    "Microsoft Windows Verification PCA",
                    "2008-10-22T00:00:00Z",
                    &[EKU_WINDOWS_COMPONENT, EKU_CODE_SIGNING],
                ),
                cert("Microsoft Windows Verification PCA", "Microsoft Root Certificate Authority", "2005-09-15T00:00:00Z", &[]),
            ],
        );
        let microsoft = sig(
            "sha256",
            vec![cert("Microsoft Corporation", "Microsoft Root Certificate Authority 2010", "2020-01-01T00:00:00Z", &[EKU_CODE_SIGNING])],
        );
        let ev = sig("sha256", vec![cert("Vendor Ltd", "DigiCert EV Code Signing CA (SHA2)", "2019-01-01T00:00:00Z", &[EKU_CODE_SIGNING])]);
        let self_signed = sig("sha1", vec![cert("TestKey", "TestKey", "2020-01-01T00:00:00Z", &[])]);
        let private = sig(
            "sha256",
            vec![
                cert("VirtualKD-Redux SPC", "VirtualKD-Redux CA", "2020-01-01T00:00:00Z", &[EKU_CODE_SIGNING]),
                cert("VirtualKD-Redux CA", "VirtualKD-Redux CA", "2020-01-01T00:00:00Z", &[]),
            ],
        );
        let fake_whql = sig("sha256", vec![cert(HARDWARE_COMPATIBILITY_PUBLISHER, "Evil CA", "2020-01-01T00:00:00Z", &[EKU_WHQL])]);
        let tls = sig("sha256", vec![cert("test.example", "R3", "2020-01-01T00:00:00Z", &[crate::x509::oid::EKU_SERVER_AUTH])]);
        let no_signer = SignatureReport { signature_verdict: Outcome::Unsupported, ..SignatureReport::default() };
        let unsigned = SignatureReport { signature_verdict: Outcome::NotPresent, ..SignatureReport::default() };
        let cases: [(&str, SignatureReport, SignerKind); 16] = [
            ("user mode root 2011", user_mode(), SignerKind::MicrosoftUserMode),
            ("elam", elam(), SignerKind::Elam),
            ("store", store(), SignerKind::Store),
            ("whql", whql(), SignerKind::Whql),
            ("attestation", attestation(), SignerKind::Attestation),
            ("windows component", windows, SignerKind::WindowsComponent),
            ("microsoft", microsoft, SignerKind::Microsoft),
            ("cross-signed", cross_signed("sha1", "2014-08-18T00:00:00Z"), SignerKind::CrossSignedSpc),
            ("ev without cross", ev, SignerKind::SpcWithoutCrossCertificate),
            ("wdk test", test_signed(), SignerKind::TestSigned),
            ("self-signed", self_signed, SignerKind::SelfSigned),
            ("private CA", private, SignerKind::TestSigned),
            ("fake whql", fake_whql, SignerKind::Untrusted),
            ("tls cert", tls, SignerKind::Untrusted),
            ("no signer cert", no_signer, SignerKind::Untrusted),
            ("no signer info", unsigned, SignerKind::Unsigned),
        ];
        for (what, s, expected) in cases {
            assert_eq!(kind(&s), expected, "{what}: {:?}", classify(&s).evidence);
        }
    }

    #[test]
    fn evidence_names_ekus_signer_and_root() {
        let c = classify(&whql());
        assert!(
            c.evidence.iter().any(|e| e.contains("Windows Hardware Driver Verification (WHQL) (1.3.6.1.4.1.311.10.3.5)")),
            "{:?}",
            c.evidence
        );
        assert!(c.evidence.iter().any(|e| e.contains(HARDWARE_COMPATIBILITY_PUBLISHER)));
        assert!(c.evidence.iter().any(|e| e.contains("Microsoft Root Certificate Authority 2010") && e.contains("names only")));
    }

    #[test]
    fn bad_digest_keeps_kind_and_says_so() {
        let mut s = whql();
        s.digest_verdict = Outcome::Fail;
        let c = classify(&s);
        assert_eq!(c.kind, SignerKind::Whql);
        assert!(c.evidence.iter().any(|e| e.contains("digest does NOT match")));
    }

    #[test]
    fn chain_report_wins_over_names() {
        // Names alone would say WHQL; the chain layer says the path ends at an untrusted root.
        let mut s = whql();
        let leaf = s.certificates.first().cloned().unwrap_or_default();
        s.chain = Some(ChainReport {
            certificates: vec![ChainCertificate { certificate: leaf, ..ChainCertificate::default() }],
            verdict: Outcome::Fail,
            trust: TrustKind::UntrustedRoot,
            anchor: Some("Evil Root".into()),
            ..ChainReport::default()
        });
        assert_eq!(kind(&s), SignerKind::Untrusted);
        s.chain = Some(ChainReport { trust: TrustKind::UserRoot, verdict: Outcome::Pass, ..ChainReport::default() });
        assert_eq!(kind(&s), SignerKind::TestSigned);
        s.chain = Some(ChainReport {
            trust: TrustKind::MicrosoftRoot,
            verdict: Outcome::Pass,
            anchor: Some("Microsoft Root Certificate Authority 2010".into()),
            ..ChainReport::default()
        });
        assert_eq!(kind(&s), SignerKind::Whql);
    }

    #[test]
    fn name_loops_terminate() {
        let a = cert("A", "B", "2020-01-01T00:00:00Z", &[EKU_CODE_SIGNING]);
        let b = cert("B", "A", "2020-01-01T00:00:00Z", &[]);
        let s = sig("sha256", vec![a, b]);
        let t = trust_of(&s).unwrap_or_else(|| panic!("trust"));
        assert!(t.path.len() <= 4);
    }
}
