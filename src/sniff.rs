//! What are these bytes? Decided from content; the file name only breaks the tie for text (INF).

use crate::report::FileKind;

/// Decide the kind of a file from its bytes (and, for text, its name).
pub fn sniff(name: &str, bytes: &[u8]) -> FileKind {
    if let Some(kind) = pe_kind(bytes) {
        return kind;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return FileKind::Zip;
    }
    if looks_like_catalog(bytes) {
        return FileKind::Catalog;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".inf") && looks_like_text(bytes) {
        return FileKind::Inf;
    }
    if looks_like_certificates(bytes) {
        return FileKind::Certificate;
    }
    FileKind::Other
}

/// Certificates as `--trust` reads them (DER, PEM, PKCS#7 bundle): decided by parsing them, for
/// files small enough to be certificates (a bundle of a few hundred is well under 1 MiB).
fn looks_like_certificates(bytes: &[u8]) -> bool {
    const MAX: usize = 1024 * 1024;
    let plausible = bytes.first() == Some(&0x30) || bytes.windows(11).take(4096).any(|w| w == b"-----BEGIN ");
    plausible && bytes.len() <= MAX && crate::signature::trust_file::parse_trust_file(bytes).is_ok_and(|certs| !certs.is_empty())
}

/// `MZ`, then `PE\0\0` at e_lfanew, then the optional-header magic.
fn pe_kind(bytes: &[u8]) -> Option<FileKind> {
    if bytes.get(..2)? != b"MZ" {
        return None;
    }
    let lfanew = usize::try_from(u32::from_le_bytes(bytes.get(0x3c..0x40)?.try_into().ok()?)).ok()?;
    if bytes.get(lfanew..lfanew.checked_add(4)?)? != b"PE\0\0" {
        return None;
    }
    // COFF header is 20 bytes after the signature; the optional header magic follows it.
    let magic_at = lfanew.checked_add(24)?;
    let magic = u16::from_le_bytes(bytes.get(magic_at..magic_at.checked_add(2)?)?.try_into().ok()?);
    match magic {
        0x10b => Some(FileKind::Pe32),
        0x20b => Some(FileKind::Pe32Plus),
        _ => None,
    }
}

/// A DER SEQUENCE holding ContentInfo { signedData OID, [0] { SignedData { ..., encapContentInfo
/// { szOID_CTL ... } } } }. Checked cheaply: the signedData OID near the start and the szOID_CTL OID
/// in the first few hundred bytes.
fn looks_like_catalog(bytes: &[u8]) -> bool {
    const SIGNED_DATA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    const CTL: &[u8] = &[0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0a, 0x01];
    if bytes.first() != Some(&0x30) {
        return false;
    }
    let head = bytes.get(..bytes.len().min(16)).unwrap_or_default();
    let window = bytes.get(..bytes.len().min(512)).unwrap_or_default();
    contains(head, SIGNED_DATA) && contains(window, CTL)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// UTF-16 with a BOM, or mostly printable 8-bit text.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) || bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        return true;
    }
    let sample = bytes.get(..bytes.len().min(4096)).unwrap_or_default();
    !sample.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_kinds_apart() {
        assert_eq!(sniff("a.bin", b""), FileKind::Other);
        assert_eq!(sniff("a.exe", b"MZ"), FileKind::Other);
        assert_eq!(sniff("x.zip", b"PK\x03\x04rest"), FileKind::Zip);
        assert_eq!(sniff("x.inf", b"[Version]\r\nSignature=\"$Windows NT$\"\r\n"), FileKind::Inf);
        assert_eq!(sniff("x.txt", b"[Version]\r\n"), FileKind::Other);
        assert_eq!(sniff("x.inf", &[0xff, 0xfe, b'[', 0]), FileKind::Inf);
        let mut pe = vec![0u8; 0x100];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x40;
        pe[0x40..0x44].copy_from_slice(b"PE\0\0");
        pe[0x58..0x5a].copy_from_slice(&0x20bu16.to_le_bytes());
        assert_eq!(sniff("d.sys", &pe), FileKind::Pe32Plus);
        pe[0x58..0x5a].copy_from_slice(&0x10bu16.to_le_bytes());
        assert_eq!(sniff("d.sys", &pe), FileKind::Pe32);
        pe[0x3c] = 0xff; // e_lfanew past the end
        assert_eq!(sniff("d.sys", &pe), FileKind::Other);
    }
}
