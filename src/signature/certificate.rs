//! Certificate facts for the report: [`summarize`] turns a decoded X.509 certificate (and its
//! original DER) into a [`CertificateSummary`]. Certificate chain verification reuses it.

use const_oid::ObjectIdentifier;
use der::asn1::{BmpString, Ia5String, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Decode, Tag, Tagged};
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
    CertificateSummary {
        subject: name_to_string(&tbs.subject),
        issuer: name_to_string(&tbs.issuer),
        serial: serial_hex(tbs.serial_number.as_bytes()),
        not_before: time_to_rfc3339(&tbs.validity.not_before),
        not_after: time_to_rfc3339(&tbs.validity.not_after),
        sha1: hex::encode(&DigestAlgorithm::Sha1.digest(der)),
        sha256: hex::encode(&DigestAlgorithm::Sha256.digest(der)),
        ekus: extended_key_usages(cert),
    }
}

/// OID of the extended key usage extension (RFC 5280 4.2.1.12).
const EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");

/// The certificate's extended key usages as dotted OIDs (empty without the extension or when it
/// cannot be decoded).
pub fn extended_key_usages(cert: &Certificate) -> Vec<String> {
    let Some(extensions) = &cert.tbs_certificate.extensions else { return Vec::new() };
    extensions
        .iter()
        .filter(|e| e.extn_id == EXTENDED_KEY_USAGE)
        .filter_map(|e| x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|eku| eku.0.into_iter().map(|oid| oid.to_string()))
        .collect()
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
        _ => return const_oid::db::DB.by_oid(oid).map(str::to_string).unwrap_or_else(|| oid.to_string()),
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
            rdn.0
                .iter()
                .map(|atv| format!("{}={}", attribute_label(&atv.oid), attribute_value(&atv.value)))
                .collect::<Vec<_>>()
                .join("+")
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
