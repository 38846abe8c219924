//! A minimal DER TLV walker that keeps the original bytes and their offsets.
//!
//! The CMS skeleton (ContentInfo, SignedData, SignerInfo, attributes) is walked with this reader
//! rather than decoded into `cms` types, for three reasons from real files: the signer's signature
//! covers the *original* signedAttrs bytes (der 0.7 sorts a decoded SET); a certificate SET with
//! duplicate members fails a strict `SetOfVec` decode (we want a finding, not a lost signature);
//! and every finding needs a byte offset. Leaves (certificates, algorithm identifiers, names, the
//! Microsoft types) are still decoded with `der` / `x509-cert` / `cms` types from these slices.

use core::fmt;

pub const TAG_INTEGER: u8 = 0x02;
pub const TAG_OCTET_STRING: u8 = 0x04;
pub const TAG_OID: u8 = 0x06;
pub const TAG_SEQUENCE: u8 = 0x30;
pub const TAG_SET: u8 = 0x31;
pub const TAG_UTC_TIME: u8 = 0x17;
pub const TAG_GENERALIZED_TIME: u8 = 0x18;
/// `[0]` constructed (`EXPLICIT [0]`, or `IMPLICIT [0]` of a constructed type).
pub const TAG_CTX0: u8 = 0xa0;
/// `[1]` constructed.
pub const TAG_CTX1: u8 = 0xa1;

/// Why a TLV could not be read. `offset` is relative to the start of the buffer the walk began at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlvError {
    /// The data ends inside a header or a value.
    Truncated { offset: usize },
    /// BER indefinite length (0x80): generic CMS signers emit it; DER forbids it.
    IndefiniteLength { offset: usize },
    /// Multi-byte tag numbers (>= 31) or a length that does not fit.
    Unsupported { offset: usize },
    /// A different tag than the structure requires.
    UnexpectedTag { offset: usize, expected: u8, found: u8 },
}

impl TlvError {
    pub fn offset(&self) -> usize {
        match *self {
            TlvError::Truncated { offset }
            | TlvError::IndefiniteLength { offset }
            | TlvError::Unsupported { offset }
            | TlvError::UnexpectedTag { offset, .. } => offset,
        }
    }
}

impl fmt::Display for TlvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlvError::Truncated { .. } => write!(f, "the DER data ends inside an element"),
            TlvError::IndefiniteLength { .. } => {
                write!(f, "BER indefinite length (not DER); re-encoding as DER is not supported")
            }
            TlvError::Unsupported { .. } => write!(f, "unsupported tag or length encoding"),
            TlvError::UnexpectedTag { expected, found, .. } => {
                write!(f, "expected tag 0x{expected:02x}, found 0x{found:02x}")
            }
        }
    }
}

impl std::error::Error for TlvError {}

/// One element: its tag byte, where it starts, and its bytes.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    /// Offset of the tag byte from the start of the walk's root buffer.
    pub offset: usize,
    /// Offset of the first value byte from the start of the root buffer.
    pub value_offset: usize,
    /// The whole element (tag, length, value).
    pub raw: &'a [u8],
    /// The value octets only.
    pub value: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// A reader over this element's value (for constructed elements).
    pub fn children(&self) -> Reader<'a> {
        Reader { data: self.value, pos: 0, base: self.value_offset }
    }

    pub fn expect(self, tag: u8) -> Result<Self, TlvError> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(TlvError::UnexpectedTag { offset: self.offset, expected: tag, found: self.tag })
        }
    }
}

/// Reads consecutive elements from a buffer.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader whose offsets are relative to `data` itself.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0, base: 0 }
    }

    /// A reader whose offsets start at `base`.
    pub fn with_base(data: &'a [u8], base: usize) -> Self {
        Reader { data, pos: 0, base }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Offset (from the root) of the next element.
    pub fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// The tag of the next element, without consuming it.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Read the next element.
    pub fn read(&mut self) -> Result<Tlv<'a>, TlvError> {
        let start = self.pos;
        let at = self.offset();
        let tag = *self.data.get(start).ok_or(TlvError::Truncated { offset: at })?;
        if tag & 0x1f == 0x1f {
            return Err(TlvError::Unsupported { offset: at });
        }
        let first = *self.data.get(start.saturating_add(1)).ok_or(TlvError::Truncated { offset: at })?;
        let (len, header_len) = if first < 0x80 {
            (usize::from(first), 2usize)
        } else if first == 0x80 {
            return Err(TlvError::IndefiniteLength { offset: at });
        } else {
            let n = usize::from(first & 0x7f);
            if n > 4 {
                return Err(TlvError::Unsupported { offset: at });
            }
            // n <= 4 here, so the header is at most 6 bytes.
            let from = start.saturating_add(2);
            let bytes = self.data.get(from..from.saturating_add(n)).ok_or(TlvError::Truncated { offset: at })?;
            let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, 2 + n)
        };
        let value_start = start.checked_add(header_len).ok_or(TlvError::Truncated { offset: at })?;
        let end = value_start.checked_add(len).ok_or(TlvError::Truncated { offset: at })?;
        let raw = self.data.get(start..end).ok_or(TlvError::Truncated { offset: at })?;
        let value = self.data.get(value_start..end).ok_or(TlvError::Truncated { offset: at })?;
        self.pos = end;
        Ok(Tlv { tag, offset: at, value_offset: self.base.saturating_add(value_start), raw, value })
    }

    /// Read the next element and require its tag.
    pub fn read_tag(&mut self, tag: u8) -> Result<Tlv<'a>, TlvError> {
        self.read()?.expect(tag)
    }

    /// Read the next element only when it has `tag`.
    pub fn read_optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, TlvError> {
        if self.peek_tag() == Some(tag) {
            self.read().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Every remaining element.
    pub fn read_all(&mut self) -> Result<Vec<Tlv<'a>>, TlvError> {
        let mut out = Vec::new();
        while !self.is_empty() {
            out.push(self.read()?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths_with_offsets() {
        let mut data = vec![0x30, 0x81, 0x03, 0x02, 0x01, 0x05];
        data.extend_from_slice(&[0x04, 0x00]);
        let mut r = Reader::with_base(&data, 100);
        let seq = r.read_tag(TAG_SEQUENCE).unwrap();
        assert_eq!(seq.offset, 100);
        assert_eq!(seq.value_offset, 103);
        let int = seq.children().read_tag(TAG_INTEGER).unwrap();
        assert_eq!(int.value, &[5]);
        assert_eq!(int.offset, 103);
        let os = r.read().unwrap();
        assert_eq!(os.tag, TAG_OCTET_STRING);
        assert!(r.is_empty());
    }

    #[test]
    fn rejects_indefinite_and_truncated() {
        assert_eq!(Reader::new(&[0x30, 0x80, 0, 0]).read().unwrap_err(), TlvError::IndefiniteLength { offset: 0 });
        assert_eq!(Reader::new(&[0x30, 0x05, 0]).read().unwrap_err(), TlvError::Truncated { offset: 0 });
        assert_eq!(Reader::new(&[0x30]).read().unwrap_err(), TlvError::Truncated { offset: 0 });
        assert!(matches!(Reader::new(&[0x02, 0x01, 0]).read_tag(TAG_SEQUENCE), Err(TlvError::UnexpectedTag { .. })));
    }
}
