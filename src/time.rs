//! Time as seconds since the Unix epoch (UTC). The core never reads a clock: every front end passes
//! the verification time in, so the same bytes and the same time always give the same report.

use core::fmt;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct UnixTime(pub i64);

/// Why an RFC 3339 string was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeParseError {
    pub input: String,
}

impl fmt::Display for TimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an RFC 3339 time (expected e.g. 2024-05-01T12:00:00Z or 2024-05-01): {:?}", self.input)
    }
}

impl std::error::Error for TimeParseError {}

impl UnixTime {
    /// Build from a civil UTC date and time; `None` when a field is out of range.
    pub fn from_civil(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<Self> {
        // Bounding the year keeps every step of the calendar arithmetic far from overflow.
        if !(-100_000..=100_000).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let clock = u32::checked_add(hour.checked_mul(3600)?, minute.checked_mul(60)?.checked_add(second)?)?;
        let clock = i64::from(clock);
        days.checked_mul(86_400)?.checked_add(clock).map(UnixTime)
    }

    /// Civil UTC fields (year, month, day, hour, minute, second).
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        // `secs` is in 0..86400, so these fit in u32.
        let secs = u32::try_from(secs).unwrap_or(0);
        (y, m, d, secs / 3600, (secs / 60) % 60, secs % 60)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn to_rfc3339(self) -> String {
        let (y, mo, d, h, mi, s) = self.to_civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// `YYYY-MM-DD`, the date part.
    pub fn to_date(self) -> String {
        let (y, mo, d, ..) = self.to_civil();
        format!("{y:04}-{mo:02}-{d:02}")
    }

    /// Parse `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)`.
    pub fn parse_rfc3339(input: &str) -> Result<Self, TimeParseError> {
        parse(input.trim()).ok_or_else(|| TimeParseError { input: input.to_string() })
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

fn parse(s: &str) -> Option<UnixTime> {
    let num = |part: &str| -> Option<u32> {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (s.get(..i)?, Some(s.get(i.checked_add(1)?..)?)),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let year = i64::from(num(dp.next()?)?);
    let month = num(dp.next()?)?;
    let day = num(dp.next()?)?;
    if dp.next().is_some() {
        return None;
    }
    let Some(rest) = rest else {
        return UnixTime::from_civil(year, month, day, 0, 0, 0);
    };
    let (clock, offset_secs) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else {
        let i = rest.rfind(['+', '-'])?;
        let after = i.checked_add(1)?;
        let sign = if rest.get(i..after)? == "-" { -1 } else { 1 };
        let mut op = rest.get(after..)?.split(':');
        let oh = i64::from(num(op.next()?)?);
        let om = i64::from(num(op.next()?)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (rest.get(..i)?, oh.checked_mul(3600)?.checked_add(om.checked_mul(60)?)?.checked_mul(sign)?)
    };
    let clock = clock.split('.').next()?;
    let mut cp = clock.split(':');
    let hour = num(cp.next()?)?;
    let minute = num(cp.next()?)?;
    let second = num(cp.next()?)?;
    if cp.next().is_some() {
        return None;
    }
    let t = UnixTime::from_civil(year, month, day, hour, minute, second)?;
    Some(UnixTime(t.0.checked_sub(offset_secs)?))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms). The arithmetic
// cannot overflow: years are bounded to +-100000 by `from_civil`, and `civil_from_days` gets at
// most i64::MAX / 86400 days, for which every intermediate stays below 2^50.
#[allow(clippy::arithmetic_side_effects)]
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[allow(clippy::arithmetic_side_effects)]
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (y, u32::try_from(m).unwrap_or(1), u32::try_from(d).unwrap_or(1))
}

/// A [`UnixTime`] in serde as its RFC 3339 string (`2024-05-01T12:00:00Z`), the report's spelling
/// of times: `#[serde(with = "crate::time::rfc3339")]`.
pub mod rfc3339 {
    use super::UnixTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &UnixTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(t)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<UnixTime, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        UnixTime::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::UnixTime;

    #[test]
    fn rfc3339_in_serde() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct T {
            #[serde(with = "super::rfc3339")]
            t: UnixTime,
        }
        let t = T { t: UnixTime(1_438_128_000) };
        let json = serde_json::to_string(&t).unwrap_or_default();
        assert_eq!(json, r#"{"t":"2015-07-29T00:00:00Z"}"#);
        assert_eq!(serde_json::from_str::<T>(&json).ok(), Some(t));
        assert!(serde_json::from_str::<T>(r#"{"t":"soon"}"#).is_err());
        assert_eq!(UnixTime(1_438_128_000).to_date(), "2015-07-29");
    }

    #[test]
    fn round_trips() {
        for s in ["1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2026-11-25T11:17:09Z", "1601-01-01T00:00:00Z"] {
            assert_eq!(UnixTime::parse_rfc3339(s).unwrap().to_rfc3339(), s);
        }
        assert_eq!(UnixTime::parse_rfc3339("2025-11-01T00:00:00Z").unwrap().0, 1_761_955_200);
    }

    #[test]
    fn offsets_dates_and_rejects() {
        assert_eq!(UnixTime::parse_rfc3339("2024-05-01").unwrap().to_rfc3339(), "2024-05-01T00:00:00Z");
        assert_eq!(UnixTime::parse_rfc3339("2024-05-01T02:00:00.123+02:00").unwrap().to_rfc3339(), "2024-05-01T00:00:00Z");
        for bad in ["", "2024", "2024-13-01", "2023-02-29", "2024-05-01T25:00:00Z", "x", "2024-05-01T10:00Z"] {
            assert!(UnixTime::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
