//! User trust files: a DER certificate (.cer/.crt), PEM with one or several CERTIFICATE blocks, or a
//! certs-only PKCS#7 (.p7b, DER or PEM `PKCS7` block). Each certificate found becomes a user root.

use core::fmt;

use super::signer;
use crate::tlv::Reader;

/// Why a trust file gave no certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustFileError {
    /// The bytes are neither DER (certificate or PKCS#7) nor PEM.
    UnknownFormat,
    /// A PEM block's base64 does not decode (the block's label).
    BadBase64(String),
    /// A certificate (its position in the file, 0-based) does not decode.
    BadCertificate { index: usize, reason: String },
    /// The PKCS#7 does not decode.
    BadPkcs7(String),
    /// The file decodes but holds no certificate.
    NoCertificate,
}

impl fmt::Display for TrustFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustFileError::UnknownFormat => f.write_str("not a DER or PEM certificate, nor a PKCS#7 certificate bundle"),
            TrustFileError::BadBase64(label) => {
                write!(f, "the PEM block {label} is not valid base64")
            }
            TrustFileError::BadCertificate { index, reason } => {
                write!(f, "certificate #{index} does not decode: {reason}")
            }
            TrustFileError::BadPkcs7(reason) => {
                write!(f, "the PKCS#7 bundle does not decode: {reason}")
            }
            TrustFileError::NoCertificate => f.write_str("the file holds no certificate"),
        }
    }
}

impl std::error::Error for TrustFileError {}

/// Read the certificates of a trust file; every returned element is one DER certificate.
pub fn parse_trust_file(bytes: &[u8]) -> Result<Vec<Vec<u8>>, TrustFileError> {
    if bytes.first() == Some(&0x30) {
        return parse_der(bytes);
    }
    let text = core::str::from_utf8(bytes).map_err(|_| TrustFileError::UnknownFormat)?;
    if !text.contains("-----BEGIN ") {
        return Err(TrustFileError::UnknownFormat);
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = rest.get(start.saturating_add(11)..).unwrap_or_default();
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after.get(..label_end).unwrap_or_default().to_string();
        let body_start = after.get(label_end.saturating_add(5)..).unwrap_or_default();
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else {
            return Err(TrustFileError::BadBase64(label));
        };
        let body = body_start.get(..body_end).unwrap_or_default();
        rest = body_start.get(body_end.saturating_add(end_marker.len())..).unwrap_or_default();
        // RFC 7468 explanatory headers ("Proc-Type: ...") are not used for certificates; skip lines with ':'.
        let b64: String = body.lines().filter(|l| !l.contains(':')).collect();
        let der = base64_decode(&b64).ok_or_else(|| TrustFileError::BadBase64(label.clone()))?;
        match label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                check_certificate(&der, out.len())?;
                out.push(der);
            }
            "PKCS7" | "CMS" => out.extend(parse_pkcs7(&der)?),
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(TrustFileError::NoCertificate);
    }
    Ok(out)
}

fn check_certificate(der: &[u8], index: usize) -> Result<(), TrustFileError> {
    crate::x509::Certificate::from_der(der).map(|_| ()).map_err(|e| TrustFileError::BadCertificate { index, reason: e.to_string() })
}

fn parse_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>, TrustFileError> {
    // A certificate is SEQUENCE { SEQUENCE tbs, ... }; a ContentInfo is SEQUENCE { OID, [0] ... }.
    let outer = Reader::new(bytes).read().map_err(|_| TrustFileError::UnknownFormat)?;
    let first = outer.children().read().map_err(|_| TrustFileError::UnknownFormat)?;
    let der = outer.raw.to_vec();
    if first.tag == 0x06 {
        parse_pkcs7(&der)
    } else {
        check_certificate(&der, 0)?;
        Ok(vec![der])
    }
}

fn parse_pkcs7(der: &[u8]) -> Result<Vec<Vec<u8>>, TrustFileError> {
    let sd = signer::read_signed_data_content_info(&mut Reader::new(der)).map_err(|e| TrustFileError::BadPkcs7(e.to_string()))?;
    if sd.certificates.is_empty() {
        return Err(TrustFileError::NoCertificate);
    }
    Ok(sd.certificates.into_iter().map(|c| c.der).collect())
}

/// Standard base64 (whitespace ignored, `=` padding optional); `None` on any other character.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len().saturating_mul(3) / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c.wrapping_sub(b'A'),
            b'a'..=b'z' => c.wrapping_sub(b'a').wrapping_add(26),
            b'0'..=b'9' => c.wrapping_sub(b'0').wrapping_add(52),
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits = bits.wrapping_add(6);
        if bits >= 8 {
            bits = bits.wrapping_sub(8);
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVs\nbG8").unwrap(), b"hello");
        assert!(base64_decode("a*b").is_none());
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(parse_trust_file(b"hello"), Err(TrustFileError::UnknownFormat));
        assert!(matches!(parse_trust_file(&[0x30, 0x03, 0x02, 0x01, 0x00]), Err(TrustFileError::BadCertificate { index: 0, .. })));
        assert_eq!(parse_trust_file(&[0x30, 0x80]), Err(TrustFileError::UnknownFormat));
        assert!(parse_trust_file(b"-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----\n").is_err());
        assert_eq!(parse_trust_file(b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"), Err(TrustFileError::NoCertificate));
    }

    #[test]
    fn built_in_root_as_der_and_pem() {
        let der = crate::chain::anchors::BUILT_IN_ROOTS[0].der;
        assert_eq!(parse_trust_file(der).unwrap(), vec![der.to_vec()]);
    }
}
