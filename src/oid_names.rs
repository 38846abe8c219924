//! Names of the OIDs that occur in Authenticode signatures, catalogs, X.509 certificates, CMS and
//! RFC 3161 timestamps, for the ASN.1 view and certificate names.
//!
//! Our own short table instead of const-oid's database (`const_oid::db::DB`): that one carries
//! about a thousand LDAP, S/MIME and other names a driver signature never holds, and costs the page
//! ~17 KB gzip, while it lacks most Microsoft OIDs. Standard OIDs keep const-oid's names (RFC
//! spelling); Microsoft ones use their `wincrypt.h` / `wintrust.h` names or their EKU titles.
//! `tests/oid_names.rs` checks that every OID in the corpus and fixture signatures has a name.

/// The name of an OID given in dotted form, if it is one we know.
pub fn name(dotted: &str) -> Option<&'static str> {
    if let Some((_, name)) = NAMES.binary_search_by(|(oid, _)| compare(oid, dotted)).ok().and_then(|i| NAMES.get(i)) {
        return Some(name);
    }
    // AD CS gives each forest a random arc below szOID_ENTERPRISE_OID_ROOT (templates, policies).
    dotted.starts_with("1.3.6.1.4.1.311.21.8.").then_some("enterprise OID (AD CS template or policy)")
}

/// Orders dotted OIDs arc by arc, numerically (the table's order; any consistent total order works).
fn compare(a: &str, b: &str) -> core::cmp::Ordering {
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return core::cmp::Ordering::Equal,
            (None, Some(_)) => return core::cmp::Ordering::Less,
            (Some(_), None) => return core::cmp::Ordering::Greater,
            (Some(p), Some(q)) => {
                let order = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
                if order.is_ne() {
                    return order;
                }
            }
        }
    }
}

/// Sorted by [`compare`] (a unit test checks it).
const NAMES: &[(&str, &str)] = &[
    ("0.9.2342.19200300.100.1.1", "uid"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.10040.4.1", "id-dsa"),
    ("1.2.840.10040.4.3", "id-dsa-with-sha1"),
    ("1.2.840.10045.2.1", "id-ecPublicKey"),
    ("1.2.840.10045.3.1.7", "secp256r1"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10045.4.3.1", "ecdsa-with-SHA224"),
    ("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
    ("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
    ("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
    ("1.2.840.113549.1.1.1", "rsaEncryption"),
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.113549.1.1.7", "id-RSAES-OAEP"),
    ("1.2.840.113549.1.1.8", "id-mgf1"),
    ("1.2.840.113549.1.1.9", "id-pSpecified"),
    ("1.2.840.113549.1.1.10", "id-RSASSA-PSS"),
    ("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
    ("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"),
    ("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
    ("1.2.840.113549.1.1.14", "sha224WithRSAEncryption"),
    ("1.2.840.113549.1.7.1", "data"),
    ("1.2.840.113549.1.7.2", "signedData"),
    ("1.2.840.113549.1.7.3", "id-envelopedData"),
    ("1.2.840.113549.1.7.5", "id-digestedData"),
    ("1.2.840.113549.1.7.6", "id-encryptedData"),
    ("1.2.840.113549.1.9.1", "email"),
    ("1.2.840.113549.1.9.2", "unstructuredName"),
    ("1.2.840.113549.1.9.3", "contentType"),
    ("1.2.840.113549.1.9.4", "messageDigest"),
    ("1.2.840.113549.1.9.5", "signingTime"),
    ("1.2.840.113549.1.9.6", "counterSignature"),
    ("1.2.840.113549.1.9.14", "id-ExtensionReq"),
    ("1.2.840.113549.1.9.15", "smimeCapabilities"),
    ("1.2.840.113549.1.9.16.1.4", "id-ct-TSTInfo"),
    ("1.2.840.113549.1.9.16.2.4", "id-aa-contentHint"),
    ("1.2.840.113549.1.9.16.2.12", "id-aa-signingCertificate"),
    ("1.2.840.113549.1.9.16.2.14", "id-aa-timeStampToken"),
    ("1.2.840.113549.1.9.16.2.47", "id-aa-signingCertificateV2"),
    ("1.2.840.113549.1.9.25.4", "sequenceNumber"),
    ("1.2.840.113549.1.9.52", "id-aa-CMSAlgorithmProtection"),
    ("1.2.840.113549.2.2", "id-md2"),
    ("1.2.840.113549.2.5", "id-md5"),
    ("1.2.840.113549.3.2", "rc2-cbc"),
    ("1.2.840.113549.3.7", "des-ede3-cbc"),
    ("1.3.6.1.4.1.311.2.1.4", "SPC_INDIRECT_DATA"),
    ("1.3.6.1.4.1.311.2.1.10", "SPC_SP_AGENCY_INFO"),
    ("1.3.6.1.4.1.311.2.1.11", "SPC_STATEMENT_TYPE"),
    ("1.3.6.1.4.1.311.2.1.12", "SPC_SP_OPUS_INFO"),
    ("1.3.6.1.4.1.311.2.1.14", "SPC_CERT_EXTENSIONS"),
    ("1.3.6.1.4.1.311.2.1.15", "SPC_PE_IMAGE_DATA"),
    ("1.3.6.1.4.1.311.2.1.21", "SPC_INDIVIDUAL_SP_KEY_PURPOSE"),
    ("1.3.6.1.4.1.311.2.1.22", "SPC_COMMERCIAL_SP_KEY_PURPOSE"),
    ("1.3.6.1.4.1.311.2.1.25", "SPC_CAB_DATA (flat file)"),
    ("1.3.6.1.4.1.311.2.1.26", "SPC_MINIMAL_CRITERIA"),
    ("1.3.6.1.4.1.311.2.1.27", "SPC_FINANCIAL_CRITERIA"),
    ("1.3.6.1.4.1.311.2.1.28", "SPC_LINK"),
    ("1.3.6.1.4.1.311.2.1.29", "SPC_HASH_INFO"),
    ("1.3.6.1.4.1.311.2.1.30", "SPC_SIPINFO"),
    ("1.3.6.1.4.1.311.2.3.1", "SPC_PE_IMAGE_PAGE_HASHES_V1 (SHA-1)"),
    ("1.3.6.1.4.1.311.2.3.2", "SPC_PE_IMAGE_PAGE_HASHES_V2 (SHA-256)"),
    ("1.3.6.1.4.1.311.2.4.1", "SPC_NESTED_SIGNATURE"),
    ("1.3.6.1.4.1.311.3.2.1", "SPC_TIME_STAMP_REQUEST"),
    ("1.3.6.1.4.1.311.3.3.1", "SPC_RFC3161_TIMESTAMP"),
    ("1.3.6.1.4.1.311.10.1", "szOID_CTL (certificate trust list)"),
    ("1.3.6.1.4.1.311.10.1.1", "szOID_SORTED_CTL"),
    ("1.3.6.1.4.1.311.10.2", "szOID_NEXT_UPDATE_LOCATION"),
    ("1.3.6.1.4.1.311.10.3.1", "Microsoft Trust List Signing"),
    ("1.3.6.1.4.1.311.10.3.2", "Microsoft Time Stamping"),
    ("1.3.6.1.4.1.311.10.3.3", "Microsoft Server Gated Crypto"),
    ("1.3.6.1.4.1.311.10.3.4", "Encrypting File System"),
    ("1.3.6.1.4.1.311.10.3.5", "Windows Hardware Driver Verification (WHQL)"),
    ("1.3.6.1.4.1.311.10.3.5.1", "Windows Hardware Driver Attested Verification"),
    ("1.3.6.1.4.1.311.10.3.6", "Windows System Component Verification"),
    ("1.3.6.1.4.1.311.10.3.7", "OEM Windows System Component Verification"),
    ("1.3.6.1.4.1.311.10.3.8", "Embedded Windows System Component Verification"),
    ("1.3.6.1.4.1.311.10.3.9", "Root List Signer"),
    ("1.3.6.1.4.1.311.10.3.10", "Qualified Subordination"),
    ("1.3.6.1.4.1.311.10.3.11", "Key Recovery"),
    ("1.3.6.1.4.1.311.10.3.12", "Document Signing"),
    ("1.3.6.1.4.1.311.10.3.13", "Lifetime Signing"),
    ("1.3.6.1.4.1.311.10.3.19", "Revoked List Signer"),
    ("1.3.6.1.4.1.311.10.3.20", "Windows Kits Component"),
    ("1.3.6.1.4.1.311.10.3.21", "Windows RT Verification"),
    ("1.3.6.1.4.1.311.10.3.22", "Protected Process Light Verification"),
    ("1.3.6.1.4.1.311.10.3.23", "Windows TCB Component"),
    ("1.3.6.1.4.1.311.10.3.24", "Protected Process Verification"),
    ("1.3.6.1.4.1.311.10.3.25", "Windows Third Party Application Component"),
    ("1.3.6.1.4.1.311.10.3.26", "Windows Software Extension Verification"),
    ("1.3.6.1.4.1.311.10.3.27", "Preview Build Signing"),
    ("1.3.6.1.4.1.311.10.3.30", "Disallowed List"),
    ("1.3.6.1.4.1.311.10.3.39", "Windows Hardware Driver Extended Verification"),
    ("1.3.6.1.4.1.311.12.1.1", "szOID_CATALOG_LIST"),
    ("1.3.6.1.4.1.311.12.1.2", "szOID_CATALOG_LIST_MEMBER (SHA-1)"),
    ("1.3.6.1.4.1.311.12.1.3", "szOID_CATALOG_LIST_MEMBER2 (SHA-256)"),
    ("1.3.6.1.4.1.311.12.2.1", "CAT_NAMEVALUE"),
    ("1.3.6.1.4.1.311.12.2.2", "CAT_MEMBERINFO"),
    ("1.3.6.1.4.1.311.12.2.3", "CAT_MEMBERINFO2"),
    ("1.3.6.1.4.1.311.20.2", "szOID_ENROLL_CERTTYPE_EXTENSION"),
    ("1.3.6.1.4.1.311.21.1", "szOID_CERTSRV_CA_VERSION"),
    ("1.3.6.1.4.1.311.21.2", "szOID_CERTSRV_PREVIOUS_CERT_HASH"),
    ("1.3.6.1.4.1.311.21.7", "szOID_CERTIFICATE_TEMPLATE"),
    ("1.3.6.1.4.1.311.21.8", "szOID_ENTERPRISE_OID_ROOT"),
    ("1.3.6.1.4.1.311.21.10", "szOID_APPLICATION_CERT_POLICIES"),
    ("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionOfIncorporationLocalityName"),
    ("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionOfIncorporationStateOrProvinceName"),
    ("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionOfIncorporationCountryName"),
    ("1.3.6.1.4.1.311.61.1.1", "Kernel Mode Code Signing"),
    ("1.3.6.1.4.1.311.61.4.1", "Early Launch Antimalware Driver"),
    ("1.3.6.1.4.1.311.61.5.1", "HAL Extension"),
    ("1.3.6.1.4.1.11129.2.4.2", "ct-precert-scts"),
    ("1.3.6.1.4.1.44947.1.1.1", "ISRG Domain Validated"),
    ("1.3.6.1.5.5.7.1.1", "id-pe-authorityInfoAccess"),
    ("1.3.6.1.5.5.7.1.3", "id-pe-qcStatements"),
    ("1.3.6.1.5.5.7.1.11", "id-pe-subjectInfoAccess"),
    ("1.3.6.1.5.5.7.2.1", "id-qt-cps"),
    ("1.3.6.1.5.5.7.2.2", "id-qt-unotice"),
    ("1.3.6.1.5.5.7.3.1", "id-kp-serverAuth"),
    ("1.3.6.1.5.5.7.3.2", "id-kp-clientAuth"),
    ("1.3.6.1.5.5.7.3.3", "codeSigning"),
    ("1.3.6.1.5.5.7.3.4", "id-kp-emailProtection"),
    ("1.3.6.1.5.5.7.3.8", "timeStamping"),
    ("1.3.6.1.5.5.7.3.9", "id-kp-OCSPSigning"),
    ("1.3.6.1.5.5.7.8.3", "id-on-permanentIdentifier"),
    ("1.3.6.1.5.5.7.48.1", "id-ad-ocsp"),
    ("1.3.6.1.5.5.7.48.1.5", "id-pkix-ocsp-nocheck"),
    ("1.3.6.1.5.5.7.48.2", "id-ad-caIssuers"),
    ("1.3.6.1.5.5.7.48.3", "id-ad-timeStamping"),
    ("1.3.6.1.5.5.7.48.5", "id-ad-caRepository"),
    ("1.3.14.3.2.7", "desCBC"),
    ("1.3.14.3.2.26", "id-sha1"),
    ("1.3.14.3.2.29", "sha1WithRSASignature"),
    ("1.3.101.112", "id-Ed25519"),
    ("1.3.101.113", "id-Ed448"),
    ("1.3.132.0.34", "secp384r1"),
    ("1.3.132.0.35", "secp521r1"),
    ("2.5.4.3", "cn"),
    ("2.5.4.4", "sn"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.6", "c"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "stateOrProvinceName"),
    ("2.5.4.9", "streetAddress"),
    ("2.5.4.10", "o"),
    ("2.5.4.11", "ou"),
    ("2.5.4.12", "title"),
    ("2.5.4.13", "description"),
    ("2.5.4.15", "businessCategory"),
    ("2.5.4.16", "postalAddress"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.18", "postOfficeBox"),
    ("2.5.4.20", "telephoneNumber"),
    ("2.5.4.41", "name"),
    ("2.5.4.42", "givenName"),
    ("2.5.4.43", "initials"),
    ("2.5.4.44", "generationQualifier"),
    ("2.5.4.45", "x500UniqueIdentifier"),
    ("2.5.4.46", "dnQualifier"),
    ("2.5.4.65", "pseudonym"),
    ("2.5.4.72", "id-at-role"),
    ("2.5.4.97", "organizationIdentifier"),
    ("2.5.29.1", "authorityKeyIdentifier (obsolete)"),
    ("2.5.29.14", "id-ce-subjectKeyIdentifier"),
    ("2.5.29.15", "id-ce-keyUsage"),
    ("2.5.29.16", "id-ce-privateKeyUsagePeriod"),
    ("2.5.29.17", "id-ce-subjectAltName"),
    ("2.5.29.18", "id-ce-issuerAltName"),
    ("2.5.29.19", "id-ce-basicConstraints"),
    ("2.5.29.20", "id-ce-cRLNumber"),
    ("2.5.29.21", "id-ce-cRLReasons"),
    ("2.5.29.24", "id-ce-invalidityDate"),
    ("2.5.29.27", "id-ce-deltaCRLIndicator"),
    ("2.5.29.28", "id-ce-issuingDistributionPoint"),
    ("2.5.29.30", "id-ce-nameConstraints"),
    ("2.5.29.31", "id-ce-cRLDistributionPoints"),
    ("2.5.29.32", "id-ce-certificatePolicies"),
    ("2.5.29.32.0", "anyPolicy"),
    ("2.5.29.33", "id-ce-policyMappings"),
    ("2.5.29.35", "id-ce-authorityKeyIdentifier"),
    ("2.5.29.36", "id-ce-policyConstraints"),
    ("2.5.29.37", "id-ce-extKeyUsage"),
    ("2.5.29.37.0", "anyExtendedKeyUsage"),
    ("2.5.29.46", "id-ce-freshestCRL"),
    ("2.5.29.54", "id-ce-inhibitAnyPolicy"),
    ("2.16.840.1.101.3.4.1.2", "id-aes128-CBC"),
    ("2.16.840.1.101.3.4.1.22", "id-aes192-CBC"),
    ("2.16.840.1.101.3.4.1.42", "id-aes256-CBC"),
    ("2.16.840.1.101.3.4.2.1", "id-sha256"),
    ("2.16.840.1.101.3.4.2.2", "id-sha384"),
    ("2.16.840.1.101.3.4.2.3", "id-sha512"),
    ("2.16.840.1.101.3.4.2.4", "id-sha224"),
    ("2.16.840.1.113730.1.1", "netscape-cert-type"),
    ("2.23.140.1.1", "CA/B Forum extended validation"),
    ("2.23.140.1.2.1", "CA/B Forum domain validated"),
    ("2.23.140.1.2.2", "CA/B Forum organization validated"),
    ("2.23.140.1.2.3", "CA/B Forum individual validated"),
    ("2.23.140.1.3", "CA/B Forum EV code signing"),
    ("2.23.140.1.4.1", "CA/B Forum code signing"),
    ("2.23.140.1.4.2", "CA/B Forum timestamping"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_found() {
        for pair in NAMES.windows(2) {
            if let [(a, _), (b, _)] = pair {
                assert!(compare(a, b).is_lt(), "{a} must come before {b}");
            }
        }
        for (oid, n) in NAMES {
            assert_eq!(name(oid), Some(*n), "{oid}");
        }
        assert_eq!(name("2.5.4.3"), Some("cn"));
        assert_eq!(name("1.3.6.1.4.1.311.10.3.5.1"), Some("Windows Hardware Driver Attested Verification"));
        assert_eq!(name("2.5.4"), None);
        assert_eq!(name("2.5.4.3.1"), None);
        assert_eq!(name(""), None);
        assert_eq!(name("1.3.6.1.4.1.311.21.8.1.2.3"), Some("enterprise OID (AD CS template or policy)"));
    }
}
