//! One constant per X.509 OID the core decides on: certificate extensions and extended key
//! usages, with the one table of EKU names (the report's short name and the evidence's title).
//! Algorithm OIDs live with the verifier ([`super::crypto`]); CMS and Authenticode OIDs with their
//! decoders (`signature::signer`, `signature::spc`).

use const_oid::ObjectIdentifier;

/// id-ce-basicConstraints (RFC 5280 section 4.2.1.9).
pub const ID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// id-ce-keyUsage (RFC 5280 section 4.2.1.3).
pub const ID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// id-ce-extKeyUsage (RFC 5280 section 4.2.1.12).
pub const ID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// id-ce-subjectKeyIdentifier (RFC 5280 section 4.2.1.2).
pub const ID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// id-ce-authorityKeyIdentifier (RFC 5280 section 4.2.1.1).
pub const ID_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");

/// id-kp-serverAuth.
pub const EKU_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
/// id-kp-clientAuth.
pub const EKU_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
/// id-kp-codeSigning.
pub const EKU_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
/// id-kp-emailProtection.
pub const EKU_EMAIL_PROTECTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
/// id-kp-timeStamping.
pub const EKU_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// id-kp-OCSPSigning.
pub const EKU_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// anyExtendedKeyUsage.
pub const EKU_ANY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
/// szOID_KP_CTL_USAGE_SIGNING.
pub const EKU_CTL_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.1");
/// szOID_WHQL_CRYPTO: Windows Hardware Driver Verification.
pub const EKU_WHQL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.5");
/// Windows Hardware Driver Attested Verification.
pub const EKU_ATTESTATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.5.1");
/// szOID_NT5_CRYPTO: Windows System Component Verification.
pub const EKU_WINDOWS_COMPONENT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.6");
/// szOID_EMBEDDED_NT_CRYPTO: Embedded Windows System Component Verification.
pub const EKU_EMBEDDED_WINDOWS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.8");
/// szOID_KP_LIFETIME_SIGNING.
pub const EKU_LIFETIME_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.13");
/// Windows Kits Component.
pub const EKU_WINDOWS_KITS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.20");
/// Windows Third Party Application Component.
pub const EKU_THIRD_PARTY_COMPONENT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.25");
/// Windows Hardware Driver Extended Verification.
pub const EKU_WHQL_EXTENDED: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.39");
/// SPC_INDIVIDUAL_SP_KEY_PURPOSE.
pub const EKU_INDIVIDUAL_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.21");
/// SPC_COMMERCIAL_SP_KEY_PURPOSE.
pub const EKU_COMMERCIAL_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.22");
/// Kernel Mode Code Signing.
pub const EKU_KERNEL_MODE_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.61.1.1");
/// Early Launch Antimalware Driver.
pub const EKU_ELAM: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.61.4.1");
/// Windows Store.
pub const EKU_STORE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.76.3.1");

/// One extended key usage with its names: `short` for the report's `eku_names`, `title` for the
/// classification evidence (`None`: the evidence shows the OID alone).
pub struct Eku {
    pub oid: ObjectIdentifier,
    pub short: Option<&'static str>,
    pub title: Option<&'static str>,
}

const fn eku(oid: ObjectIdentifier, short: Option<&'static str>, title: Option<&'static str>) -> Eku {
    Eku { oid, short, title }
}

/// The EKUs the core names.
pub const EKUS: &[Eku] = &[
    eku(EKU_SERVER_AUTH, Some("server-auth"), Some("TLS Web Server Authentication")),
    eku(EKU_CLIENT_AUTH, Some("client-auth"), Some("TLS Web Client Authentication")),
    eku(EKU_CODE_SIGNING, Some("code-signing"), Some("Code Signing")),
    eku(EKU_EMAIL_PROTECTION, Some("email-protection"), None),
    eku(EKU_TIME_STAMPING, Some("time-stamping"), Some("Time Stamping")),
    eku(EKU_OCSP_SIGNING, Some("ocsp-signing"), None),
    eku(EKU_ANY, Some("any-extended-key-usage"), Some("Any Extended Key Usage")),
    eku(EKU_WHQL, Some("whql-crypto"), Some("Windows Hardware Driver Verification (WHQL)")),
    eku(EKU_ATTESTATION, Some("attestation"), Some("Windows Hardware Driver Attested Verification (attestation)")),
    eku(EKU_WINDOWS_COMPONENT, Some("windows-component"), Some("Windows System Component Verification")),
    eku(EKU_LIFETIME_SIGNING, Some("lifetime-signing"), Some("Lifetime Signing")),
    eku(EKU_WHQL_EXTENDED, Some("windows-hardware-driver-extended-verification"), Some("Windows Hardware Driver Extended Verification")),
    eku(EKU_EMBEDDED_WINDOWS, Some("embedded-windows"), Some("Embedded Windows System Component Verification")),
    eku(EKU_KERNEL_MODE_CODE_SIGNING, Some("kernel-mode-code-signing"), Some("Kernel Mode Code Signing")),
    eku(EKU_CTL_SIGNING, Some("certificate-trust-list-signing"), None),
    eku(EKU_COMMERCIAL_CODE_SIGNING, Some("commercial-code-signing"), None),
    eku(EKU_INDIVIDUAL_CODE_SIGNING, Some("individual-code-signing"), None),
    eku(EKU_THIRD_PARTY_COMPONENT, None, Some("Windows Third Party Application Component")),
    eku(EKU_STORE, None, Some("Windows Store")),
    eku(EKU_ELAM, None, Some("Early Launch Antimalware Driver")),
    eku(EKU_WINDOWS_KITS, None, Some("Windows Kits Component")),
];

fn find(oid: &ObjectIdentifier) -> Option<&'static Eku> {
    EKUS.iter().find(|e| e.oid == *oid)
}

/// The short name of an EKU for the report (`code-signing`), the dotted OID when unknown.
pub fn eku_short_name(oid: &ObjectIdentifier) -> String {
    find(oid).and_then(|e| e.short).map_or_else(|| oid.to_string(), str::to_string)
}

/// The title of an EKU given in dotted form, for evidence lines (`Code Signing`).
pub fn eku_title(dotted: &str) -> Option<&'static str> {
    let oid = ObjectIdentifier::new(dotted).ok()?;
    find(&oid).and_then(|e| e.title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_eku_once() {
        for (i, e) in EKUS.iter().enumerate() {
            assert!(EKUS.iter().skip(i + 1).all(|o| o.oid != e.oid), "{}", e.oid);
        }
        assert_eq!(eku_short_name(&EKU_CODE_SIGNING), "code-signing");
        assert_eq!(eku_short_name(&EKU_ELAM), "1.3.6.1.4.1.311.61.4.1");
        assert_eq!(eku_title("1.3.6.1.5.5.7.3.3"), Some("Code Signing"));
        assert_eq!(eku_title("1.2.3"), None);
    }
}
