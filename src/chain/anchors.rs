//! The built-in trust anchors: Microsoft roots that matter for code, driver and timestamp signing,
//! as DER files written by `scripts/make_roots.py` (sources and thumbprints: `roots/README.md`),
//! plus Microsoft Code Verification Root, which no package we can use ships: it is modelled by its
//! name and key identifier (the cross certificates it issued name it in their issuer and
//! authorityKeyIdentifier).

use crate::time::UnixTime;

/// One built-in root certificate.
#[derive(Clone, Copy, Debug)]
pub struct BuiltInRoot {
    /// The name people know it by (its CN or OU).
    pub name: &'static str,
    /// SHA-1 thumbprint, lowercase hex (checked by the generating script and by a unit test).
    pub sha1: &'static str,
    pub der: &'static [u8],
}

macro_rules! root {
    ($name:expr, $sha1:expr, $file:expr) => {
        BuiltInRoot { name: $name, sha1: $sha1, der: include_bytes!(concat!("roots/", $file, ".der")) }
    };
}

/// Every built-in root, newest code-signing roots first (the order candidates are tried in).
pub const BUILT_IN_ROOTS: &[BuiltInRoot] = &[
    root!(
        "Microsoft Root Certificate Authority 2010",
        "3b1efd3a66ea28b16697394703a72ca340a05bd5",
        "microsoft-root-certificate-authority-2010"
    ),
    root!(
        "Microsoft Root Certificate Authority 2011",
        "8f43288ad272f3103b6fb1428485ea3014c0bcfe",
        "microsoft-root-certificate-authority-2011"
    ),
    root!("Microsoft Root Certificate Authority", "cdd4eeae6000ac7f40c3802c171e30148030c072", "microsoft-root-certificate-authority"),
    root!("Microsoft Root Authority", "a43489159a520f0d93d032ccaf37e7fe20a8b419", "microsoft-root-authority"),
    root!(
        "Microsoft Time Stamp Root Certificate Authority 2014",
        "0119e81be9a14cd8e22f40ac118c687ecba3f4d8",
        "microsoft-time-stamp-root-certificate-authority-2014"
    ),
    root!(
        "Microsoft ECC TS Root Certificate Authority 2018",
        "31f9fc8ba3805986b721ea7295c65b3a44534274",
        "microsoft-ecc-ts-root-certificate-authority-2018"
    ),
    root!(
        "Microsoft ECC Product Root Certificate Authority 2018",
        "06f1aa330b927b753a40e68cdf22e34bcbef3352",
        "microsoft-ecc-product-root-certificate-authority-2018"
    ),
    root!("Microsoft Time Stamping Service Root", "245c97df7514e7cf2df8be72ae957b9e04741e85", "microsoft-time-stamping-service-root"),
    root!("Microsoft Authenticode(tm) Root Authority", "7f88cd7223f3c813818c994614a89c99fa3b5247", "microsoft-authenticode-root-authority"),
];

/// Microsoft Code Verification Root: the root of kernel-mode cross certificates (legacy SPC driver
/// signing). Not bundled: a cross certificate whose issuer is [`MSCV_SUBJECT`] and whose
/// authorityKeyIdentifier is [`MSCV_KEY_ID`] ends the path.
pub const MSCV_NAME: &str = "Microsoft Code Verification Root";
/// The root's subject as `certificate::name_to_string` prints it.
pub const MSCV_SUBJECT: &str = "CN=Microsoft Code Verification Root, O=Microsoft Corporation, L=Redmond, ST=Washington, C=US";
/// The root's subjectKeyIdentifier, as the cross certificates carry it in authorityKeyIdentifier.
pub const MSCV_KEY_ID: [u8; 20] =
    [0x62, 0xfb, 0x0a, 0x21, 0x5b, 0x7f, 0x43, 0x6e, 0x11, 0xda, 0x09, 0x54, 0x50, 0x6b, 0xf5, 0xd2, 0x96, 0x71, 0xf1, 0x9e];
/// The root certificate's SHA-1 thumbprint (DOMAIN.md; Microsoft "Cross-Certificates for Kernel Mode Code Signing").
pub const MSCV_SHA1: &str = "8fbe4d070ef8ab1bccaf2a9d5ccae7282a2c66b3";
/// The root's notAfter: 2025-11-01T05:54:03Z.
pub const MSCV_NOT_AFTER: UnixTime = UnixTime(1_761_976_443);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::DigestAlgorithm;

    #[test]
    fn thumbprints_and_decoding() {
        for r in BUILT_IN_ROOTS {
            assert_eq!(crate::hex::encode(&DigestAlgorithm::Sha1.digest(r.der)), r.sha1, "{}", r.name);
            let cert = crate::x509::Certificate::from_der(r.der).unwrap_or_else(|e| panic!("{}: {e}", r.name));
            let subject = cert.subject();
            assert!(subject.contains(r.name.trim_end_matches(" (tm)")) || subject.contains("Authenticode"), "{subject}");
        }
        assert_eq!(MSCV_NOT_AFTER.to_rfc3339(), "2025-11-01T05:54:03Z");
    }
}
