//! The one way to get a closed set's name: its serde spelling.
//!
//! Every closed set of the report is an enum of unit variants whose JSON spelling is given by
//! serde attributes (`rename_all = "kebab-case"`, `rename = "..."`). [`spelling`] reads that
//! spelling back without serializing anything, so the name people read in a diff, a headline or a
//! CLI line is always the one in the JSON, and no enum keeps a hand-written table of names beside
//! its serde attributes. `named!` gives an enum `name()` and `Display` from it.

use core::fmt;

use serde::ser::{self, Impossible, Serialize, Serializer};

/// The serde spelling of a unit variant (`Outcome::NotPresent` gives `not-present`); `""` for a
/// value that is not a unit variant of an enum (never the case for the types `named!` is used on:
/// a test per type checks every variant).
pub fn spelling<T: Serialize + ?Sized>(value: &T) -> &'static str {
    value.serialize(VariantName).unwrap_or("")
}

/// Gives each listed enum an inherent `name()` (its serde spelling, through [`spelling`]) and a
/// `Display` that writes it.
macro_rules! named {
    ($($ty:ty),+ $(,)?) => {$(
        impl $ty {
            /// The JSON spelling of this value (its serde name).
            pub fn name(self) -> &'static str {
                $crate::names::spelling(&self)
            }
        }

        impl ::core::fmt::Display for $ty {
            /// The JSON spelling.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.pad($crate::names::spelling(self))
            }
        }
    )+};
}
pub(crate) use named;

/// Not a unit variant.
#[derive(Debug)]
pub struct NotAUnitVariant;

impl fmt::Display for NotAUnitVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotAUnitVariant {}

impl ser::Error for NotAUnitVariant {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        NotAUnitVariant
    }
}

/// A serializer that accepts only a unit variant and returns its name.
struct VariantName;

type Nope = Impossible<&'static str, NotAUnitVariant>;

impl Serializer for VariantName {
    type Ok = &'static str;
    type Error = NotAUnitVariant;
    type SerializeSeq = Nope;
    type SerializeTuple = Nope;
    type SerializeTupleStruct = Nope;
    type SerializeTupleVariant = Nope;
    type SerializeMap = Nope;
    type SerializeStruct = Nope;
    type SerializeStructVariant = Nope;

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<&'static str, NotAUnitVariant> {
        Ok(variant)
    }

    fn serialize_bool(self, _v: bool) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_i8(self, _v: i8) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_i16(self, _v: i16) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_i32(self, _v: i32) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_i64(self, _v: i64) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_u8(self, _v: u8) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_u16(self, _v: u16) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_u32(self, _v: u32) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_u64(self, _v: u64) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_f32(self, _v: f32) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_f64(self, _v: f64) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_char(self, _v: char) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_str(self, _v: &str) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_none(self) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_unit(self) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, _value: &T) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Nope, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Nope, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Nope, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Nope, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Nope, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Nope, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Nope, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, serde::Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Sample {
        NotPresent,
        #[serde(rename = "pe32+")]
        Plus,
    }

    #[test]
    fn spelling_is_the_serde_name() {
        assert_eq!(spelling(&Sample::NotPresent), "not-present");
        assert_eq!(spelling(&Sample::Plus), "pe32+");
        assert_eq!(spelling(&3u8), "");
        assert_eq!(spelling("text"), "");
    }
}
