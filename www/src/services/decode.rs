//! Decoding the JSON reports the inspection worker sends (an [`drvsig::InspectionReport`] per
//! file, the packages of the package pass).
//!
//! serde_json's parser is not linked into the page: with its generic code instantiated for every
//! report type it cost ~18 KB of the gzipped dist (measured; serde_json stays for writing JSON). The small
//! reader below parses just what the reports hold (objects, arrays, strings, integers, booleans,
//! null; enums as strings), keeps the parsing non-generic and the serde glue thin, and handles the
//! reports' `default` / `skip_serializing_if` fields like serde_json (JSON is self-describing).
//! Measured in the release wasm (node 20): a catalog report grown to 5,000 members (1.6 MB of
//! JSON) decodes in ~15 ms (serde_json ~10.5 ms; JSON.parse + serde-wasm-bindgen ~30 ms), 3.7 MB in
//! ~29 ms (serde_json ~19 ms); the demo packages' reports (40 KB) in ~0.3 ms.

use drvsig::report::PackageReport;
use drvsig::InspectionReport;

/// One file's report as the worker sent it.
pub fn inspection_from_json(json: &str) -> Result<InspectionReport, String> {
    json::from_str(json).map_err(|e| e.to_string())
}

/// The packages of the worker's package pass.
pub fn packages_from_json(json: &str) -> Result<Vec<PackageReport>, String> {
    json::from_str(json).map_err(|e| e.to_string())
}

mod json {
    //! A small JSON reader for serde: just what the reports need (objects, arrays, strings, integers,
    //! booleans, null; enums as strings), with non-generic parsing and thin generic glue so that little
    //! code is instantiated per report type.

    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

    #[derive(Debug)]
    pub struct Error(String);

    impl fmt::Display for Error {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for Error {}

    impl de::Error for Error {
        fn custom<T: fmt::Display>(msg: T) -> Self {
            Error(msg.to_string())
        }
    }

    type Result<T> = std::result::Result<T, Error>;

    /// Parses `json` into a `T` (the whole text must be one value).
    pub fn from_str<'de, T: de::Deserialize<'de>>(json: &'de str) -> Result<T> {
        let mut p = Parser { s: json, pos: 0 };
        let value = T::deserialize(&mut p)?;
        p.ws();
        if p.pos != json.len() {
            return Err(p.error("text after the value"));
        }
        Ok(value)
    }

    struct Parser<'de> {
        s: &'de str,
        pos: usize,
    }

    /// A scalar, or the opening bracket of an array or object (consumed).
    enum Token<'de> {
        Null,
        Bool(bool),
        Str(Cow<'de, str>),
        U(u64),
        I(i64),
        Seq,
        Map,
    }

    enum Number {
        U(u64),
        I(i64),
    }

    impl<'de> Parser<'de> {
        #[inline(never)]
        fn error(&self, what: &str) -> Error {
            Error(format!("{what} at byte {}", self.pos))
        }

        fn peek(&self) -> Option<u8> {
            self.s.as_bytes().get(self.pos).copied()
        }

        #[inline(never)]
        fn ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
                self.pos += 1;
            }
        }

        /// The next non-space byte, not consumed.
        #[inline(never)]
        fn next_byte(&mut self) -> Result<u8> {
            self.ws();
            self.peek().ok_or_else(|| self.error("unexpected end"))
        }

        #[inline(never)]
        fn expect(&mut self, b: u8) -> Result<()> {
            if self.next_byte()? == b {
                self.pos += 1;
                Ok(())
            } else {
                Err(self.error("unexpected character"))
            }
        }

        #[inline(never)]
        fn literal(&mut self, word: &str) -> Result<()> {
            if self
                .s
                .get(self.pos..)
                .is_some_and(|rest| rest.starts_with(word))
            {
                self.pos += word.len();
                Ok(())
            } else {
                Err(self.error("unknown literal"))
            }
        }

        #[inline(never)]
        fn number(&mut self) -> Result<Number> {
            let start = self.pos;
            if self.peek() == Some(b'-') {
                self.pos += 1;
            }
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
            if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
                return Err(self.error("a fractional number (no report field holds one)"));
            }
            let text = self.s.get(start..self.pos).unwrap_or("");
            let n = if text.starts_with('-') {
                text.parse().ok().map(Number::I)
            } else {
                text.parse().ok().map(Number::U)
            };
            n.ok_or_else(|| self.error("bad integer"))
        }

        /// A string (the opening quote is next): borrowed when it holds no escape.
        #[inline(never)]
        fn string(&mut self) -> Result<Cow<'de, str>> {
            self.expect(b'"')?;
            let start = self.pos;
            let bytes = self.s.as_bytes();
            let mut owned: Option<String> = None;
            let mut run = start;
            loop {
                match bytes.get(self.pos) {
                    None => return Err(self.error("unterminated string")),
                    Some(b'"') => {
                        let tail = self.s.get(run..self.pos).unwrap_or("");
                        self.pos += 1;
                        return Ok(match owned {
                            None => Cow::Borrowed(tail),
                            Some(mut s) => {
                                s.push_str(tail);
                                Cow::Owned(s)
                            }
                        });
                    }
                    Some(b'\\') => {
                        let s = owned.get_or_insert_with(String::new);
                        s.push_str(self.s.get(run..self.pos).unwrap_or(""));
                        self.pos += 1;
                        let c = match bytes.get(self.pos) {
                            Some(b'"') => '"',
                            Some(b'\\') => '\\',
                            Some(b'/') => '/',
                            Some(b'b') => '\u{8}',
                            Some(b'f') => '\u{c}',
                            Some(b'n') => '\n',
                            Some(b'r') => '\r',
                            Some(b't') => '\t',
                            Some(b'u') => {
                                let hi = self.hex4(self.pos + 1)?;
                                self.pos += 4;
                                let code = if (0xd800..0xdc00).contains(&hi)
                                    && self
                                        .s
                                        .get(self.pos + 1..)
                                        .is_some_and(|r| r.starts_with("\\u"))
                                {
                                    let lo = self.hex4(self.pos + 3)?;
                                    if !(0xdc00..0xe000).contains(&lo) {
                                        return Err(self.error("bad surrogate pair"));
                                    }
                                    self.pos += 6;
                                    0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                                } else {
                                    hi
                                };
                                char::from_u32(code).ok_or_else(|| self.error("lone surrogate"))?
                            }
                            _ => return Err(self.error("bad escape")),
                        };
                        s.push(c);
                        self.pos += 1;
                        run = self.pos;
                    }
                    Some(_) => {
                        // On to the next quote or backslash.
                        let rest = bytes.get(self.pos..).unwrap_or(&[]);
                        self.pos += rest
                            .iter()
                            .position(|&b| b == b'"' || b == b'\\')
                            .unwrap_or(rest.len());
                    }
                }
            }
        }

        #[inline(never)]
        fn token(&mut self) -> Result<Token<'de>> {
            Ok(match self.next_byte()? {
                b'n' => {
                    self.literal("null")?;
                    Token::Null
                }
                b't' => {
                    self.literal("true")?;
                    Token::Bool(true)
                }
                b'f' => {
                    self.literal("false")?;
                    Token::Bool(false)
                }
                b'"' => Token::Str(self.string()?),
                b'[' => {
                    self.pos += 1;
                    Token::Seq
                }
                b'{' => {
                    self.pos += 1;
                    Token::Map
                }
                _ => match self.number()? {
                    Number::U(n) => Token::U(n),
                    Number::I(n) => Token::I(n),
                },
            })
        }

        #[inline(never)]
        fn hex4(&self, at: usize) -> Result<u32> {
            self.s
                .get(at..at + 4)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .ok_or_else(|| self.error("bad \\u escape"))
        }
    }

    impl<'de> de::Deserializer<'de> for &mut Parser<'de> {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.token()? {
                Token::Null => visitor.visit_unit(),
                Token::Bool(b) => visitor.visit_bool(b),
                Token::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
                Token::Str(Cow::Owned(s)) => visitor.visit_string(s),
                Token::U(n) => visitor.visit_u64(n),
                Token::I(n) => visitor.visit_i64(n),
                Token::Seq => {
                    let value = visitor.visit_seq(Seq {
                        p: &mut *self,
                        first: true,
                    })?;
                    self.expect(b']')?;
                    Ok(value)
                }
                Token::Map => {
                    let value = visitor.visit_map(Map {
                        p: &mut *self,
                        first: true,
                    })?;
                    self.expect(b'}')?;
                    Ok(value)
                }
            }
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            if self.next_byte()? == b'n' {
                self.literal("null")?;
                visitor.visit_none()
            } else {
                visitor.visit_some(self)
            }
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value> {
            visitor.visit_newtype_struct(self)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value> {
            // The reports' enums are all unit variants, written as strings.
            let name = self.string()?;
            visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(name))
        }

        // Each type asks only for the shape it reads, so that (as with serde-wasm-bindgen, unlike
        // serde_json) a struct's `visit_seq` or a string's `visit_map` is never instantiated.
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value> {
            self.expect(b'{')?;
            let value = visitor.visit_map(Map {
                p: &mut *self,
                first: true,
            })?;
            self.expect(b'}')?;
            Ok(value)
        }

        fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.expect(b'[')?;
            let value = visitor.visit_seq(Seq {
                p: &mut *self,
                first: true,
            })?;
            self.expect(b']')?;
            Ok(value)
        }

        fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.string()? {
                Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
                Cow::Owned(s) => visitor.visit_string(s),
            }
        }

        fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.deserialize_str(visitor)
        }

        fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.next_byte()?;
            match self.number()? {
                Number::U(n) => visitor.visit_u64(n),
                Number::I(n) => visitor.visit_i64(n),
            }
        }

        fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.deserialize_u64(visitor)
        }

        fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.deserialize_u64(visitor)
        }

        fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.deserialize_u64(visitor)
        }

        fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.deserialize_u64(visitor)
        }

        fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.deserialize_u64(visitor)
        }

        fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.token()? {
                Token::Bool(b) => visitor.visit_bool(b),
                _ => Err(self.error("expected a boolean")),
            }
        }

        serde::forward_to_deserialize_any! {
            i8 i16 i128 u128 f32 f64 char bytes byte_buf unit unit_struct tuple tuple_struct map
            identifier ignored_any
        }
    }

    struct Seq<'a, 'de> {
        p: &'a mut Parser<'de>,
        first: bool,
    }

    impl<'de> SeqAccess<'de> for Seq<'_, 'de> {
        type Error = Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>> {
            if self.p.next_byte()? == b']' {
                return Ok(None);
            }
            if !self.first {
                self.p.expect(b',')?;
            }
            self.first = false;
            seed.deserialize(&mut *self.p).map(Some)
        }
    }

    struct Map<'a, 'de> {
        p: &'a mut Parser<'de>,
        first: bool,
    }

    impl<'de> MapAccess<'de> for Map<'_, 'de> {
        type Error = Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
            if self.p.next_byte()? == b'}' {
                return Ok(None);
            }
            if !self.first {
                self.p.expect(b',')?;
            }
            self.first = false;
            self.p.ws();
            let key = self.p.string()?;
            seed.deserialize(IntoDeserializer::<Error>::into_deserializer(key))
                .map(Some)
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
            self.p.expect(b':')?;
            seed.deserialize(&mut *self.p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reports() -> Vec<(String, drvsig::InspectionReport)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut paths = vec![
            root.join("www/demo/good.zip"),
            root.join("www/demo/tampered.zip"),
            root.join("www/demo/missing-file.zip"),
            root.join("www/demo/demo-driver.sys"),
        ];
        for dir in ["tests/fixtures/pe", "tests/fixtures/chain"] {
            if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
                paths.extend(entries.flatten().map(|e| e.path()));
            }
        }
        let corpus = std::env::var_os("DRVSIG_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/corpus"));
        for dir in ["catalogs", "drivers", "pe", "efi", "tampered", "malformed"] {
            if let Ok(entries) = std::fs::read_dir(corpus.join(dir)) {
                for e in entries.flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        if let Ok(inner) = std::fs::read_dir(&p) {
                            paths.extend(inner.flatten().map(|e| e.path()));
                        }
                    } else {
                        paths.push(p);
                    }
                }
            }
        }
        let options = drvsig::Options::at(drvsig::UnixTime(1_700_000_000));
        paths
            .into_iter()
            .filter(|p| p.is_file())
            .filter_map(|p| {
                let bytes = std::fs::read(&p).ok()?;
                let name = p.file_name()?.to_string_lossy().to_string();
                Some((
                    name.clone(),
                    drvsig::inspect_package(&[(name, &bytes[..])], &options),
                ))
            })
            .collect()
    }

    #[test]
    fn reports_round_trip_like_serde_json() {
        let reports = reports();
        assert!(reports.len() >= 10, "only {} reports", reports.len());
        for (name, report) in &reports {
            for json in [
                serde_json::to_string(report).unwrap(),
                serde_json::to_string_pretty(report).unwrap(),
            ] {
                let back = inspection_from_json(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(&back, report, "{name}");
                assert_eq!(
                    packages_from_json(&serde_json::to_string(&report.packages).unwrap()).unwrap(),
                    report.packages,
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn strings_escapes_and_errors() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct T {
            s: String,
            n: Option<i64>,
            v: Vec<u32>,
            b: bool,
            #[serde(default)]
            d: u8,
        }
        let t: T = json::from_str(r#" { "s" : "a\"b\\c\/\n\t\u00e9\ud83d\ude00 \u0001", "n": -5, "v": [ 1,2 , 3 ], "b": true, "extra": {"x": [null, false, "y"]} } "#).unwrap();
        assert_eq!(
            t,
            T {
                s: "a\"b\\c/\n\té\u{1f600} \u{1}".to_string(),
                n: Some(-5),
                v: vec![1, 2, 3],
                b: true,
                d: 0
            }
        );
        let t: T = json::from_str(r#"{"s":"","n":null,"v":[],"b":false,"d":7}"#).unwrap();
        assert_eq!((t.n, t.v.len(), t.d), (None, 0, 7));
        for bad in [
            "",
            "{",
            r#"{"s":"x","n":1,"v":[1,],"b":true}"#,
            r#"{"s":"x","n":1,"v":[1],"b":true,}"#,
            r#"{"s":"x","n":1,"v":[1],"b":true} x"#,
            r#"{"s":"x","n":1.5,"v":[1],"b":true}"#,
            r#"{"s":"x","n":1,"v":[-1],"b":true}"#,
            r#"{"s":"\ud800","n":1,"v":[1],"b":true}"#,
            r#"{"s":"x,"n":1,"v":[1],"b":true}"#,
            r#"{"s":"x","n":1,"v":[1],"b":tru}"#,
            r#"{"s":"x","n":1,"v":[1 2],"b":true}"#,
        ] {
            assert!(json::from_str::<T>(bad).is_err(), "{bad}");
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(rename_all = "kebab-case")]
        enum E {
            OneTwo,
            Three,
        }
        assert_eq!(
            json::from_str::<Vec<E>>(r#"["one-two","three"]"#).unwrap(),
            vec![E::OneTwo, E::Three]
        );
        assert!(json::from_str::<E>(r#""four""#).is_err());
    }
}
