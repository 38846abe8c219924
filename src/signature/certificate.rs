//! Certificate facts for the report: [`summarize`] turns a decoded X.509 certificate (and its
//! original DER) into a [`CertificateSummary`]. Certificate chain verification reuses it.

use const_oid::ObjectIdentifier;
use der::asn1::{BmpString, Ia5String, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Decode, Tag, Tagged};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::crypto::{self, VerifyError};
use super::tlv::{Reader, TAG_SEQUENCE};
use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::report::CertificateSummary;
use crate::time::UnixTime;

/// Summarize one certificate; `der` is its original encoding (thumbprints are over it).
pub fn summarize(cert: &Certificate, der: &[u8]) -> CertificateSummary {
    let tbs = &cert.tbs_certificate;
    let mut out = CertificateSummary {
        subject: name_to_string(&tbs.subject),
        issuer: name_to_string(&tbs.issuer),
        serial: serial_hex(tbs.serial_number.as_bytes()),
        not_before: time_to_rfc3339(&tbs.validity.not_before),
        not_after: time_to_rfc3339(&tbs.validity.not_after),
        sha1: hex::encode(&DigestAlgorithm::Sha1.digest(der)),
        sha256: hex::encode(&DigestAlgorithm::Sha256.digest(der)),
        ..Default::default()
    };
    let facts = Facts::of(cert);
    let (key_algorithm, key_bits) = key_description(cert);
    out.key_algorithm = key_algorithm;
    out.key_bits = key_bits;
    if let Some(ekus) = &facts.ekus {
        out.ekus = ekus.iter().map(|o| o.to_string()).collect();
        out.eku_names = ekus.iter().map(eku_name).collect();
    }
    if let Some((ca, len)) = facts.basic_constraints {
        out.is_ca = ca;
        out.path_len = len;
    }
    if let Some(ku) = &facts.key_usage {
        out.key_usage = key_usage_names(ku);
    }
    out.subject_key_id = facts.subject_key_id.as_deref().map(hex::encode);
    out.authority_key_id = facts.authority_key_id.as_deref().map(hex::encode);
    out.tbs_hash = tbs_hash(cert, der).map(|h| hex::encode(&h)).unwrap_or_default();
    out.der_base64 = base64(der);
    out
}

/// The TBSCertificate's original bytes (the first element of the Certificate SEQUENCE, never
/// re-encoded) hashed with the digest the certificate's signature algorithm implies.
fn tbs_hash(cert: &Certificate, der: &[u8]) -> Option<Vec<u8>> {
    let alg = super::crypto::implied_digest(&cert.signature_algorithm.oid)?;
    let outer = super::tlv::Reader::new(der).read().ok()?;
    let tbs = outer.children().read().ok()?;
    Some(alg.digest(tbs.raw))
}

/// Standard base64 with padding (RFC 4648 section 4), for [`CertificateSummary::der_base64`].
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let symbol = |n: u32| char::from(ALPHABET.get((n & 63) as usize).copied().unwrap_or(b'='));
    let mut out = String::with_capacity(bytes.len().div_ceil(3).saturating_mul(4));
    for chunk in bytes.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        out.push(symbol(n >> 18));
        out.push(symbol(n >> 12));
        out.push(if chunk.len() > 1 { symbol(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { symbol(n) } else { '=' });
    }
    out
}

pub const ID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
pub const ID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
pub const ID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
pub const ID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
pub const ID_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");

/// The extensions chain building needs, decoded; an extension that is present but does not
/// decode is listed in `malformed` (by OID) and left `None`.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// `None` when the extension is absent (any purpose).
    pub ekus: Option<Vec<ObjectIdentifier>>,
    /// (cA, pathLenConstraint), `None` when absent.
    pub basic_constraints: Option<(bool, Option<u32>)>,
    pub key_usage: Option<KeyUsage>,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    pub malformed: Vec<ObjectIdentifier>,
}

impl Facts {
    pub fn of(cert: &Certificate) -> Facts {
        let mut f = Facts::default();
        let Some(exts) = cert.tbs_certificate.extensions.as_ref() else { return f };
        for e in exts {
            let v = e.extn_value.as_bytes();
            let ok = match e.extn_id {
                id if id == ID_EXT_KEY_USAGE => ExtendedKeyUsage::from_der(v).map(|x| f.ekus = Some(x.0)).is_ok(),
                id if id == ID_BASIC_CONSTRAINTS => {
                    BasicConstraints::from_der(v).map(|x| f.basic_constraints = Some((x.ca, x.path_len_constraint.map(u32::from)))).is_ok()
                }
                id if id == ID_KEY_USAGE => KeyUsage::from_der(v).map(|x| f.key_usage = Some(x)).is_ok(),
                id if id == ID_SUBJECT_KEY_ID => {
                    SubjectKeyIdentifier::from_der(v).map(|x| f.subject_key_id = Some(x.0.as_bytes().to_vec())).is_ok()
                }
                id if id == ID_AUTHORITY_KEY_ID => AuthorityKeyIdentifier::from_der(v)
                    .map(|x| f.authority_key_id = x.key_identifier.map(|k| k.as_bytes().to_vec()))
                    .is_ok(),
                _ => true,
            };
            if !ok {
                f.malformed.push(e.extn_id);
            }
        }
        f
    }
}

/// The names of the keyUsage bits that are set.
pub fn key_usage_names(ku: &KeyUsage) -> Vec<String> {
    let all = [
        (KeyUsages::DigitalSignature, "digitalSignature"),
        (KeyUsages::NonRepudiation, "nonRepudiation"),
        (KeyUsages::KeyEncipherment, "keyEncipherment"),
        (KeyUsages::DataEncipherment, "dataEncipherment"),
        (KeyUsages::KeyAgreement, "keyAgreement"),
        (KeyUsages::KeyCertSign, "keyCertSign"),
        (KeyUsages::CRLSign, "cRLSign"),
        (KeyUsages::EncipherOnly, "encipherOnly"),
        (KeyUsages::DecipherOnly, "decipherOnly"),
    ];
    all.iter().filter(|(flag, _)| ku.0.contains(*flag)).map(|(_, n)| n.to_string()).collect()
}

/// A short name for an extended key usage OID (the OID itself when unknown).
pub fn eku_name(oid: &ObjectIdentifier) -> String {
    let name = match oid.to_string().as_str() {
        "1.3.6.1.5.5.7.3.1" => "server-auth",
        "1.3.6.1.5.5.7.3.2" => "client-auth",
        "1.3.6.1.5.5.7.3.3" => "code-signing",
        "1.3.6.1.5.5.7.3.4" => "email-protection",
        "1.3.6.1.5.5.7.3.8" => "time-stamping",
        "1.3.6.1.5.5.7.3.9" => "ocsp-signing",
        "2.5.29.37.0" => "any-extended-key-usage",
        "1.3.6.1.4.1.311.10.3.5" => "whql-crypto",
        "1.3.6.1.4.1.311.10.3.5.1" => "attestation",
        "1.3.6.1.4.1.311.10.3.6" => "windows-component",
        "1.3.6.1.4.1.311.10.3.13" => "lifetime-signing",
        "1.3.6.1.4.1.311.10.3.39" => "windows-hardware-driver-extended-verification",
        "1.3.6.1.4.1.311.10.3.8" => "embedded-windows",
        "1.3.6.1.4.1.311.61.1.1" => "kernel-mode-code-signing",
        "1.3.6.1.4.1.311.10.3.1" => "certificate-trust-list-signing",
        "1.3.6.1.4.1.311.2.1.22" => "commercial-code-signing",
        "1.3.6.1.4.1.311.2.1.21" => "individual-code-signing",
        _ => return oid.to_string(),
    };
    name.to_string()
}

/// The key algorithm (`rsa`, `ecdsa` or the OID) and the key size in bits (0 when unknown).
pub fn key_description(cert: &Certificate) -> (String, u32) {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let oid = spki.algorithm.oid;
    if oid == crypto::RSA_ENCRYPTION {
        let bits = spki
            .subject_public_key
            .as_bytes()
            .and_then(|k| Reader::new(k).read_tag(TAG_SEQUENCE).ok())
            .and_then(|seq| seq.children().read().ok())
            .map(|n| {
                let v = n.value;
                let first = v.iter().position(|b| *b != 0).unwrap_or(v.len());
                let rest = v.get(first..).unwrap_or_default();
                match rest.first() {
                    Some(top) => u32::try_from(rest.len())
                        .unwrap_or(u32::MAX)
                        .saturating_sub(1)
                        .saturating_mul(8)
                        .saturating_add(8u32.saturating_sub(top.leading_zeros())),
                    None => 0,
                }
            })
            .unwrap_or(0);
        ("rsa".to_string(), bits)
    } else if oid == crypto::EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let bits = match curve {
            Some(c) if c == crypto::SECP256R1 => 256,
            Some(c) if c == crypto::SECP384R1 => 384,
            Some(c) if c.to_string() == "1.3.132.0.35" => 521,
            _ => 0,
        };
        ("ecdsa".to_string(), bits)
    } else {
        (oid.to_string(), 0)
    }
}

/// Serial number as lowercase hex without the sign-padding leading zero bytes (at least `00`).
pub fn serial_hex(bytes: &[u8]) -> String {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
    hex::encode(bytes.get(first..).unwrap_or(bytes))
}

/// RFC 3339 form of an X.509 time.
pub fn time_to_rfc3339(t: &Time) -> String {
    match i64::try_from(t.to_unix_duration().as_secs()) {
        Ok(secs) => UnixTime(secs).to_rfc3339(),
        Err(_) => String::new(),
    }
}

/// Seconds since the epoch of an X.509 time.
pub fn time_to_unix(t: &Time) -> Option<UnixTime> {
    i64::try_from(t.to_unix_duration().as_secs()).ok().map(UnixTime)
}

/// The short label of a name attribute, as OpenSSL / signify print it.
fn attribute_label(oid: &ObjectIdentifier) -> String {
    let label = match oid.to_string().as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "serialNumber",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "GN",
        "2.5.4.12" => "title",
        "2.5.4.97" => "organizationIdentifier",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        other => return crate::oid_names::name(other).map(str::to_string).unwrap_or_else(|| other.to_string()),
    };
    label.to_string()
}

/// The text of a directory string value, or `#hex` of its DER when it is not a string type.
fn attribute_value(value: &der::Any) -> String {
    let text = match value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(value).ok().map(|s| s.as_str().to_string()),
        Tag::Utf8String => Utf8StringRef::try_from(value).ok().map(|s| s.as_str().to_string()),
        Tag::Ia5String => Ia5String::try_from(value).ok().map(|s| s.to_string()),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok().map(|s| s.as_str().to_string()),
        Tag::BmpString => BmpString::from_ucs2(value.value()).ok().map(|s| s.chars().collect()),
        _ => None,
    };
    match text {
        Some(t) => escape(&t),
        None => match der::Encode::to_der(value) {
            Ok(d) => format!("#{}", hex::encode(&d)),
            Err(_) => String::new(),
        },
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// RFC 4514-style name: most specific RDN first, `, ` between RDNs, `+` inside one.
pub fn name_to_string(name: &Name) -> String {
    name.0
        .iter()
        .rev()
        .map(|rdn| {
            rdn.0.iter().map(|atv| format!("{}={}", attribute_label(&atv.oid), attribute_value(&atv.value))).collect::<Vec<_>>().join("+")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The original bytes of a certificate's TBSCertificate (what the issuer signed).
pub fn tbs_bytes(cert_der: &[u8]) -> Option<&[u8]> {
    let outer = Reader::new(cert_der).read_tag(TAG_SEQUENCE).ok()?;
    outer.children().read_tag(TAG_SEQUENCE).ok().map(|t| t.raw)
}

/// Whether `issuer`'s key verifies the signature on `child` (given with its original DER).
/// The link check of chain building: names, validity and extensions are the caller's business.
pub fn verify_issued_by(child_der: &[u8], child: &Certificate, issuer: &Certificate) -> Result<(), VerifyError> {
    let tbs = tbs_bytes(child_der).ok_or(VerifyError::MalformedSignature)?;
    let signature = child.signature.as_bytes().ok_or(VerifyError::MalformedSignature)?;
    crypto::verify(&issuer.tbs_certificate.subject_public_key_info, &child.signature_algorithm, None, tbs, signature)
}

/// Decode one certificate from its DER.
pub fn decode(der: &[u8]) -> Result<Certificate, der::Error> {
    Certificate::from_der(der)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::str::FromStr;

    #[test]
    fn base64_rfc4648_vectors() {
        for (input, want) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn serial_strips_sign_byte() {
        assert_eq!(serial_hex(&[0x00, 0x9a, 0x01]), "9a01");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[0x33, 0x00]), "3300");
    }

    #[test]
    fn name_order_and_escaping() {
        let name = Name::from_str("CN=DigiCert Timestamp 2021,O=DigiCert\\, Inc.,C=US").unwrap();
        assert_eq!(name_to_string(&name), "CN=DigiCert Timestamp 2021, O=DigiCert\\, Inc., C=US");
    }
}
