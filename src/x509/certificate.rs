//! One X.509 certificate: [`Certificate`] keeps the decoded certificate with its original DER
//! (thumbprints, the TBS hash and link signatures are over the original bytes, never a
//! re-encoding), and the facts read from it: names, serial, validity, key, extensions.

use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::time::Time;

use super::crypto::{self, VerifyError};
use super::name;
use super::oid::{ID_AUTHORITY_KEY_ID, ID_BASIC_CONSTRAINTS, ID_EXT_KEY_USAGE, ID_KEY_USAGE, ID_SUBJECT_KEY_ID};
use crate::digest::DigestAlgorithm;
use crate::hex;
use crate::time::UnixTime;
use crate::tlv::{Reader, TAG_SEQUENCE};

/// A decoded certificate and its original DER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// The original encoding, as found in the file. Read only: what is derived from it is kept
    /// (`memo`), so neither field is ever changed after [`Certificate::from_der`].
    pub der: Vec<u8>,
    /// The certificate decoded from `der`.
    pub decoded: x509_cert::Certificate,
    /// What is derived from it, computed the first time it is asked for.
    memo: Memo,
}

/// A certificate's names as strings and its digests, computed once per [`Certificate`]: a
/// signature's certificates are summarised for its signer, its certificate list and its chain
/// (the trust anchors' for every file). Measured in the page's worker over 1,000 small drivers,
/// the names and digests made most of the summaries' time. Never part of equality.
#[derive(Clone, Debug, Default)]
struct Memo {
    subject: std::sync::OnceLock<String>,
    issuer: std::sync::OnceLock<String>,
    sha1: std::sync::OnceLock<Vec<u8>>,
    sha256: std::sync::OnceLock<Vec<u8>>,
    tbs_hash: std::sync::OnceLock<Option<Vec<u8>>>,
    der_base64: std::sync::OnceLock<String>,
}

impl PartialEq for Memo {
    fn eq(&self, _: &Memo) -> bool {
        true
    }
}

impl Eq for Memo {}

impl Certificate {
    /// Decode one certificate from its DER.
    pub fn from_der(der: &[u8]) -> Result<Certificate, der::Error> {
        Ok(Certificate { der: der.to_vec(), decoded: x509_cert::Certificate::from_der(der)?, memo: Memo::default() })
    }

    /// The subject as an RFC 4514 string ([`name::to_string`]).
    pub fn subject(&self) -> String {
        self.memo.subject.get_or_init(|| name::to_string(&self.decoded.tbs_certificate.subject)).clone()
    }

    /// The original DER as base64 ([`base64`]), for the report.
    pub fn der_base64(&self) -> String {
        self.memo.der_base64.get_or_init(|| base64(&self.der)).clone()
    }

    /// The issuer as an RFC 4514 string ([`name::to_string`]).
    pub fn issuer(&self) -> String {
        self.memo.issuer.get_or_init(|| name::to_string(&self.decoded.tbs_certificate.issuer)).clone()
    }

    /// The subject's common name, or the whole subject when it has no CN ([`name::cn_or_name`]).
    pub fn subject_cn(&self) -> String {
        name::cn_or_name(&self.subject())
    }

    /// The extensions that matter, decoded.
    pub fn facts(&self) -> Facts {
        Facts::of(&self.decoded)
    }

    /// The digest of the original DER (SHA-1 and SHA-256 are the thumbprints).
    pub fn thumbprint(&self, alg: DigestAlgorithm) -> Vec<u8> {
        match alg {
            DigestAlgorithm::Sha1 => self.memo.sha1.get_or_init(|| alg.digest(&self.der)).clone(),
            DigestAlgorithm::Sha256 => self.memo.sha256.get_or_init(|| alg.digest(&self.der)).clone(),
            _ => alg.digest(&self.der),
        }
    }

    /// The TBSCertificate's original bytes (the first element of the Certificate SEQUENCE, never
    /// re-encoded) hashed with the digest the certificate's signature algorithm implies.
    pub fn tbs_hash(&self) -> Option<Vec<u8>> {
        self.memo
            .tbs_hash
            .get_or_init(|| {
                let alg = crypto::implied_digest(&self.decoded.signature_algorithm.oid)?;
                tbs_bytes(&self.der).map(|tbs| alg.digest(tbs))
            })
            .clone()
    }

    /// Whether `issuer`'s key verifies the signature on this certificate. The link check of
    /// chain building: names, validity and extensions are the caller's business.
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<(), VerifyError> {
        let tbs = tbs_bytes(&self.der).ok_or(VerifyError::MalformedSignature)?;
        let signature = self.decoded.signature.as_bytes().ok_or(VerifyError::MalformedSignature)?;
        crypto::verify(&issuer.decoded.tbs_certificate.subject_public_key_info, &self.decoded.signature_algorithm, None, tbs, signature)
    }

    /// notBefore, seconds since the epoch.
    pub fn not_before(&self) -> Option<UnixTime> {
        time_to_unix(&self.decoded.tbs_certificate.validity.not_before)
    }

    /// notAfter, seconds since the epoch.
    pub fn not_after(&self) -> Option<UnixTime> {
        time_to_unix(&self.decoded.tbs_certificate.validity.not_after)
    }

    /// Whether the subject and the key are those of `other` (the same CA, whatever the encoding).
    pub fn same_subject_and_key(&self, other: &Certificate) -> bool {
        let (a, b) = (&self.decoded.tbs_certificate, &other.decoded.tbs_certificate);
        a.subject == b.subject && a.subject_public_key_info == b.subject_public_key_info
    }
}

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
    pub fn of(cert: &x509_cert::Certificate) -> Facts {
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

/// The key algorithm (`rsa`, `ecdsa` or the OID) and the key size in bits (0 when unknown).
pub fn key_description(cert: &x509_cert::Certificate) -> (String, u32) {
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

/// Seconds since the epoch of an X.509 time.
pub fn time_to_unix(t: &Time) -> Option<UnixTime> {
    i64::try_from(t.to_unix_duration().as_secs()).ok().map(UnixTime)
}

/// The original bytes of a certificate's TBSCertificate (what the issuer signed).
pub fn tbs_bytes(cert_der: &[u8]) -> Option<&[u8]> {
    let outer = Reader::new(cert_der).read_tag(TAG_SEQUENCE).ok()?;
    outer.children().read_tag(TAG_SEQUENCE).ok().map(|t| t.raw)
}

/// Standard base64 with padding (RFC 4648 section 4), for the report's `der_base64` (base64ct).
pub fn base64(bytes: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    Base64::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
