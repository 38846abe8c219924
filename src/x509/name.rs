//! Distinguished names as text: [`to_string`] writes an RFC 4514-style string (the one spelling of
//! names in the report), [`common_name`] reads the CN back out of such a string, honouring escapes
//! (`CN=Contoso\\, Ltd` is `Contoso, Ltd`).

use const_oid::ObjectIdentifier;
use der::asn1::{BmpString, Ia5String, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Tag, Tagged};
use x509_cert::name::Name;

use crate::hex;

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

/// RFC 4514-style name: most specific RDN first, `, ` between RDNs, `+` inside one, the
/// characters `,+"\\<>;` escaped with a backslash.
pub fn to_string(name: &Name) -> String {
    name.0
        .iter()
        .rev()
        .map(|rdn| {
            rdn.0.iter().map(|atv| format!("{}={}", attribute_label(&atv.oid), attribute_value(&atv.value))).collect::<Vec<_>>().join("+")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value of the first CN attribute of a name written by [`to_string`] (RFC 4514: RDNs
/// separated by unescaped `,`, attributes of one RDN by unescaped `+`, `\\` escaping the next
/// character), unescaped; `None` when the name has no CN.
pub fn common_name(dn: &str) -> Option<String> {
    let mut attribute = String::new();
    let mut value = String::new();
    let mut in_value = false;
    let mut at_start = true;
    let mut chars = dn.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' if at_start => {}
            '\\' => {
                at_start = false;
                let target = if in_value { &mut value } else { &mut attribute };
                target.extend(chars.next());
            }
            '=' if !in_value => {
                in_value = true;
            }
            ',' | '+' => {
                if in_value && attribute == "CN" {
                    return Some(value);
                }
                attribute.clear();
                value.clear();
                in_value = false;
                at_start = true;
            }
            _ => {
                at_start = false;
                if in_value {
                    value.push(c);
                } else {
                    attribute.push(c);
                }
            }
        }
    }
    (in_value && attribute == "CN").then_some(value)
}

/// The CN of a name written by [`to_string`], or the whole name when it has no CN.
pub fn cn_or_name(dn: &str) -> String {
    common_name(dn).unwrap_or_else(|| dn.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::str::FromStr;

    #[test]
    fn name_order_and_escaping() {
        let name = Name::from_str("CN=DigiCert Timestamp 2021,O=DigiCert\\, Inc.,C=US").unwrap();
        assert_eq!(to_string(&name), "CN=DigiCert Timestamp 2021, O=DigiCert\\, Inc., C=US");
    }

    #[test]
    fn common_names() {
        assert_eq!(cn_or_name("CN=DigiCert Timestamp 2021, O=DigiCert\\, Inc., C=US"), "DigiCert Timestamp 2021");
        assert_eq!(cn_or_name("CN=Contoso\\, Ltd, O=Contoso"), "Contoso, Ltd");
        assert_eq!(cn_or_name("CN=A\\+B\\=C, O=D"), "A+B=C");
        assert_eq!(cn_or_name("O=No CN, C=US"), "O=No CN, C=US");
        assert_eq!(cn_or_name("serialNumber=1+CN=Multi, C=US"), "Multi");
        assert_eq!(cn_or_name("O=C, CN=D"), "D");
        assert_eq!(cn_or_name("O=Ex\\, CN=Fake, CN=Real"), "Real");
        assert_eq!(cn_or_name("CN="), "");
        assert_eq!(cn_or_name(""), "");
        assert_eq!(common_name("O=Only"), None);
    }
}
