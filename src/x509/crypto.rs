//! Raw signature verification: one public key, one algorithm, one message, one signature.
//! Used for CMS signers (Authenticode, timestamps, catalogs) and for certificate -> issuer links.

use core::fmt;

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::digest::DigestAlgorithm;

pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub const MD5_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4");
pub const SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
pub const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
pub const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
pub const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// sha1WithRSASignature from OIW, seen in old certificates.
pub const OIW_SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.29");
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub const ECDSA_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
pub const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
pub const ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
pub const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// Why a signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// A signature algorithm we do not implement (its OID).
    UnsupportedAlgorithm(ObjectIdentifier),
    /// A key type or curve we do not implement (its OID).
    UnsupportedKey(ObjectIdentifier),
    /// The algorithm needs a digest and none was given or implied.
    MissingDigest,
    /// The public key does not parse.
    MalformedKey,
    /// The algorithm parameters (RSA-PSS) do not parse or are not supported.
    MalformedParameters,
    /// The signature value does not parse (ECDSA DER).
    MalformedSignature,
    /// The key is of a different type than the algorithm needs.
    KeyAlgorithmMismatch,
    /// The arithmetic says no.
    BadSignature,
}

impl VerifyError {
    /// True when the check could not be made (rather than failed).
    pub fn is_unsupported(&self) -> bool {
        matches!(self, VerifyError::UnsupportedAlgorithm(_) | VerifyError::UnsupportedKey(_) | VerifyError::MissingDigest)
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::UnsupportedAlgorithm(oid) => write!(f, "unsupported signature algorithm {oid}"),
            VerifyError::UnsupportedKey(oid) => write!(f, "unsupported key type or curve {oid}"),
            VerifyError::MissingDigest => write!(f, "no digest algorithm for the signature"),
            VerifyError::MalformedKey => write!(f, "the public key cannot be parsed"),
            VerifyError::MalformedParameters => write!(f, "the signature algorithm parameters cannot be parsed"),
            VerifyError::MalformedSignature => write!(f, "the signature value cannot be parsed"),
            VerifyError::KeyAlgorithmMismatch => write!(f, "the key type does not match the signature algorithm"),
            VerifyError::BadSignature => write!(f, "the signature does not verify with the public key"),
        }
    }
}

impl std::error::Error for VerifyError {}

enum Scheme {
    Pkcs1(Option<DigestAlgorithm>),
    Pss,
    Ecdsa(Option<DigestAlgorithm>),
}

fn scheme(oid: &ObjectIdentifier) -> Result<Scheme, VerifyError> {
    use DigestAlgorithm::*;
    Ok(match *oid {
        o if o == RSA_ENCRYPTION => Scheme::Pkcs1(None),
        o if o == MD5_WITH_RSA => Scheme::Pkcs1(Some(Md5)),
        o if o == SHA1_WITH_RSA || o == OIW_SHA1_WITH_RSA => Scheme::Pkcs1(Some(Sha1)),
        o if o == SHA256_WITH_RSA => Scheme::Pkcs1(Some(Sha256)),
        o if o == SHA384_WITH_RSA => Scheme::Pkcs1(Some(Sha384)),
        o if o == SHA512_WITH_RSA => Scheme::Pkcs1(Some(Sha512)),
        o if o == RSASSA_PSS => Scheme::Pss,
        o if o == EC_PUBLIC_KEY => Scheme::Ecdsa(None),
        o if o == ECDSA_WITH_SHA1 => Scheme::Ecdsa(Some(Sha1)),
        o if o == ECDSA_WITH_SHA256 => Scheme::Ecdsa(Some(Sha256)),
        o if o == ECDSA_WITH_SHA384 => Scheme::Ecdsa(Some(Sha384)),
        o if o == ECDSA_WITH_SHA512 => Scheme::Ecdsa(Some(Sha512)),
        o => return Err(VerifyError::UnsupportedAlgorithm(o)),
    })
}

/// The digest a signature algorithm implies (e.g. sha256WithRSAEncryption -> SHA-256), if any.
pub fn implied_digest(signature_alg: &ObjectIdentifier) -> Option<DigestAlgorithm> {
    match scheme(signature_alg) {
        Ok(Scheme::Pkcs1(d)) | Ok(Scheme::Ecdsa(d)) => d,
        _ => None,
    }
}

/// Verify `signature` over `message` with the key in `spki`.
///
/// `signature_alg` is the algorithm as the structure names it (SignerInfo.signatureAlgorithm or
/// Certificate.signatureAlgorithm). When it implies a digest (sha256WithRSAEncryption,
/// ecdsa-with-SHA384) that digest is used; when it does not (plain rsaEncryption or
/// id-ecPublicKey, as Authenticode SignerInfos often say), `digest_alg` gives it.
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    signature_alg: &AlgorithmIdentifierOwned,
    digest_alg: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    match scheme(&signature_alg.oid)? {
        Scheme::Pkcs1(implied) => {
            let digest = implied.or(digest_alg).ok_or(VerifyError::MissingDigest)?;
            let key = rsa_key(spki)?;
            let hashed = digest.digest(message);
            let padding = match digest {
                DigestAlgorithm::Md5 => rsa::Pkcs1v15Sign::new::<md5::Md5>(),
                DigestAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            key.verify(padding, &hashed, signature).map_err(|_| VerifyError::BadSignature)
        }
        Scheme::Pss => {
            let params = pss_params(signature_alg)?;
            let key = rsa_key(spki)?;
            let hashed = params.0.digest(message);
            let salt = params.1;
            let padding = match params.0 {
                DigestAlgorithm::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
                DigestAlgorithm::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                DigestAlgorithm::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                DigestAlgorithm::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                DigestAlgorithm::Md5 => return Err(VerifyError::MalformedParameters),
            };
            key.verify(padding, &hashed, signature).map_err(|_| VerifyError::BadSignature)
        }
        Scheme::Ecdsa(implied) => {
            let digest = implied.or(digest_alg).ok_or(VerifyError::MissingDigest)?;
            if spki.algorithm.oid != EC_PUBLIC_KEY {
                return Err(VerifyError::KeyAlgorithmMismatch);
            }
            let curve: ObjectIdentifier =
                spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as().ok()).ok_or(VerifyError::MalformedKey)?;
            let hashed = digest.digest(message);
            let point = spki.subject_public_key.raw_bytes();
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            if curve == SECP256R1 {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| VerifyError::MalformedKey)?;
                let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| VerifyError::MalformedSignature)?;
                key.verify_prehash(&hashed, &sig).map_err(|_| VerifyError::BadSignature)
            } else if curve == SECP384R1 {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| VerifyError::MalformedKey)?;
                let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| VerifyError::MalformedSignature)?;
                key.verify_prehash(&hashed, &sig).map_err(|_| VerifyError::BadSignature)
            } else {
                Err(VerifyError::UnsupportedKey(curve))
            }
        }
    }
}

/// Legacy RSA PKCS#1 v1.5 signatures whose padded block holds the bare hash without the
/// DigestInfo wrapper (old VeriSign / Symantec timestamping services). OpenSSL rejects them;
/// CryptoAPI and signify (`allow_legacy`) accept them. Only call this after [`verify`] failed
/// with [`VerifyError::BadSignature`] on an RSA key, and report that the legacy form was used.
pub fn verify_rsa_bare_digest(
    spki: &SubjectPublicKeyInfoOwned,
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let key = rsa_key(spki)?;
    let hashed = digest.digest(message);
    let padding = rsa::Pkcs1v15Sign { hash_len: Some(digest.output_len()), prefix: Box::new([]) };
    key.verify(padding, &hashed, signature).map_err(|_| VerifyError::BadSignature)
}

/// True when `signature_alg` is an RSA PKCS#1 v1.5 algorithm.
pub fn is_rsa_pkcs1(signature_alg: &ObjectIdentifier) -> bool {
    matches!(scheme(signature_alg), Ok(Scheme::Pkcs1(_)))
}

/// The digest of an RSA PKCS#1 v1.5 signature: the one `signature_alg` implies, else
/// `digest_alg`; `None` for any other scheme or when there is none.
pub fn pkcs1_digest(signature_alg: &ObjectIdentifier, digest_alg: Option<DigestAlgorithm>) -> Option<DigestAlgorithm> {
    match scheme(signature_alg) {
        Ok(Scheme::Pkcs1(implied)) => implied.or(digest_alg),
        _ => None,
    }
}

/// The modulus length in bytes of an RSA key the core accepts (`None`: not an RSA key, or one
/// [`verify`] would refuse as malformed).
pub fn rsa_modulus_bytes(spki: &SubjectPublicKeyInfoOwned) -> Option<usize> {
    use rsa::traits::PublicKeyParts;
    rsa_key(spki).ok().map(|k| k.size())
}

fn rsa_key(spki: &SubjectPublicKeyInfoOwned) -> Result<rsa::RsaPublicKey, VerifyError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    if spki.algorithm.oid != RSA_ENCRYPTION && spki.algorithm.oid != RSASSA_PSS {
        return Err(VerifyError::KeyAlgorithmMismatch);
    }
    rsa::RsaPublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes()).map_err(|_| VerifyError::MalformedKey)
}

/// ```text
/// RSASSA-PSS-params ::= SEQUENCE {
///     hashAlgorithm      [0] HashAlgorithm    DEFAULT sha1,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
///     saltLength         [2] INTEGER          DEFAULT 20,
///     trailerField       [3] TrailerField     DEFAULT trailerFieldBC }
/// ```
#[derive(Clone, Debug, der::Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

/// (hash, salt length) of RSASSA-PSS parameters; the MGF1 hash must equal the hash (rsa's Pss).
fn pss_params(alg: &AlgorithmIdentifierOwned) -> Result<(DigestAlgorithm, usize), VerifyError> {
    let params: PssParams = match &alg.parameters {
        Some(any) => any.to_der().ok().and_then(|d| PssParams::from_der(&d).ok()).ok_or(VerifyError::MalformedParameters)?,
        None => return Ok((DigestAlgorithm::Sha1, 20)),
    };
    let hash = match &params.hash {
        Some(h) => DigestAlgorithm::from_oid(&h.oid).ok_or(VerifyError::UnsupportedAlgorithm(h.oid))?,
        None => DigestAlgorithm::Sha1,
    };
    if let Some(mgf) = &params.mask_gen {
        let inner: Option<AlgorithmIdentifierOwned> = mgf.parameters.as_ref().and_then(|p| p.decode_as().ok());
        if inner.and_then(|i| DigestAlgorithm::from_oid(&i.oid)) != Some(hash) {
            return Err(VerifyError::MalformedParameters);
        }
    }
    let salt = usize::try_from(params.salt_length.unwrap_or(20)).map_err(|_| VerifyError::MalformedParameters)?;
    Ok((hash, salt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_algorithm_is_unsupported() {
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned { oid: RSA_ENCRYPTION, parameters: None },
            subject_public_key: der::asn1::BitString::from_bytes(&[0x30, 0x00]).unwrap(),
        };
        let alg = AlgorithmIdentifierOwned { oid: ObjectIdentifier::new_unwrap("1.2.3.4"), parameters: None };
        let e = verify(&spki, &alg, None, b"m", b"s").unwrap_err();
        assert!(e.is_unsupported());
        let alg = AlgorithmIdentifierOwned { oid: RSA_ENCRYPTION, parameters: None };
        assert_eq!(verify(&spki, &alg, None, b"m", b"s").unwrap_err(), VerifyError::MissingDigest);
        assert_eq!(verify(&spki, &alg, Some(DigestAlgorithm::Sha256), b"m", b"s").unwrap_err(), VerifyError::MalformedKey);
        assert_eq!(implied_digest(&SHA384_WITH_RSA), Some(DigestAlgorithm::Sha384));
    }

    fn ec_spki(curve: ObjectIdentifier, point: &[u8]) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned { oid: EC_PUBLIC_KEY, parameters: Some(der::Any::from(&curve)) },
            subject_public_key: der::asn1::BitString::from_bytes(point).unwrap(),
        }
    }

    #[test]
    fn ecdsa_p256_and_p384() {
        use p256::ecdsa::signature::Signer;
        let msg = b"signed attributes";

        let sk = p256::ecdsa::SigningKey::from_slice(&[0x11; 32]).unwrap();
        let sig: p256::ecdsa::Signature = sk.sign(msg);
        let spki = ec_spki(SECP256R1, sk.verifying_key().to_encoded_point(false).as_bytes());
        let der_sig = sig.to_der();
        let alg = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA256, parameters: None };
        assert_eq!(verify(&spki, &alg, None, msg, der_sig.as_bytes()), Ok(()));
        // Authenticode style: id-ecPublicKey as the signature algorithm, hash from digestAlgorithm.
        let plain = AlgorithmIdentifierOwned { oid: EC_PUBLIC_KEY, parameters: None };
        assert_eq!(verify(&spki, &plain, Some(DigestAlgorithm::Sha256), msg, der_sig.as_bytes()), Ok(()));
        assert_eq!(verify(&spki, &alg, None, b"other", der_sig.as_bytes()), Err(VerifyError::BadSignature));
        assert_eq!(verify(&spki, &alg, None, msg, &[0x30, 0x00]), Err(VerifyError::MalformedSignature));

        let sk = p384::ecdsa::SigningKey::from_slice(&[0x22; 48]).unwrap();
        let sig: p384::ecdsa::Signature = sk.sign(msg);
        let spki = ec_spki(SECP384R1, sk.verifying_key().to_encoded_point(false).as_bytes());
        let alg = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA384, parameters: None };
        assert_eq!(verify(&spki, &alg, None, msg, sig.to_der().as_bytes()), Ok(()));
        // A P-384 key with an unknown curve OID is unsupported, not a failure.
        let odd = ec_spki(ObjectIdentifier::new_unwrap("1.3.132.0.35"), &[4, 1, 2]);
        assert!(verify(&odd, &alg, None, msg, sig.to_der().as_bytes()).unwrap_err().is_unsupported());
    }
}
