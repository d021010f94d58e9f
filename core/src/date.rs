//! Calendar dates: `YYYY-MM-DD` in the proleptic Gregorian calendar, held as a day number
//! (days since 1970-01-01), within a documented range. The engine reads no clock: "today" is
//! an input (`as_of`), given by the caller like any fact.

use core::fmt;

/// A calendar date between [`Date::MIN`] (1900-01-01) and [`Date::MAX`] (2199-12-31),
/// written `YYYY-MM-DD`. Ordered by time; the difference of two dates is a number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// Not written `YYYY-MM-DD` (four digits, dash, two digits, dash, two digits).
    #[error("`{0}` is not a date written YYYY-MM-DD")]
    Format(alloc::string::String),
    /// Written correctly, but no such day exists (month 13, 31 April, 29 February in a common year).
    #[error("`{0}` is not a day of the calendar")]
    NoSuchDay(alloc::string::String),
    /// A real day outside the range the engine accepts.
    #[error("`{0}` is outside the dates accepted, 1900-01-01 to 2199-12-31")]
    OutOfRange(alloc::string::String),
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
const fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
    era * 146_097 + doe - 719_468
}

/// The `(year, month, day)` of a day number (Hinnant's `civil_from_days`).
const fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

const fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The first date accepted: 1900-01-01.
    pub const MIN: Date = Date(days_from_civil(1900, 1, 1));
    /// The last date accepted: 2199-12-31.
    pub const MAX: Date = Date(days_from_civil(2199, 12, 31));

    /// The date of a day number (days since 1970-01-01), if within range.
    #[must_use]
    pub const fn from_days(days: i32) -> Option<Date> {
        if days >= Date::MIN.0 && days <= Date::MAX.0 {
            Some(Date(days))
        } else {
            None
        }
    }

    /// Days since 1970-01-01 (negative before it).
    #[must_use]
    pub const fn days(self) -> i32 {
        self.0
    }

    /// The date of a year, month (1–12) and day, if it exists and is within range.
    #[must_use]
    pub const fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        if year < 1900 || year > 2199 {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Parses `YYYY-MM-DD` strictly: the exact shape, a real calendar day, within range.
    ///
    /// # Errors
    /// [`DateError::Format`], [`DateError::NoSuchDay`] (e.g. `2026-02-31`) or
    /// [`DateError::OutOfRange`].
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let b = text.as_bytes();
        let shape = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                _ => c.is_ascii_digit(),
            });
        let field = |r: core::ops::Range<usize>| {
            b.get(r).map_or(0, |ds| {
                ds.iter()
                    .fold(0u32, |n, c| n * 10 + u32::from(c.saturating_sub(b'0')))
            })
        };
        if !shape {
            return Err(DateError::Format(text.into()));
        }
        let (y, m, d) = (field(0..4), field(5..7), field(8..10));
        let year = i32::try_from(y).unwrap_or(i32::MAX);
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(year, m) {
            return Err(DateError::NoSuchDay(text.into()));
        }
        Date::from_ymd(year, m, d).ok_or_else(|| DateError::OutOfRange(text.into()))
    }

    /// The `(year, month, day)` of this date.
    #[must_use]
    pub const fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        // As an i64: the one signed Display the WASM build keeps (the same text).
        write!(f, "{:04}-{m:02}-{d:02}", i64::from(y))
    }
}

impl core::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = alloc::string::String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl crate::write::WriteJson for Date {
    fn write_json(&self, out: &mut alloc::string::String) {
        use core::fmt::Write as _;
        let _ = write!(out, "\"{self}\"");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn known_days() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().days(), 11_017);
        assert_eq!(Date::parse("1969-12-31").unwrap().days(), -1);
        assert_eq!(Date::MIN.to_string(), "1900-01-01");
        assert_eq!(Date::MAX.to_string(), "2199-12-31");
    }

    #[test]
    fn every_day_in_range_round_trips() {
        let mut previous = None;
        for days in Date::MIN.days()..=Date::MAX.days() {
            let d = Date::from_days(days).unwrap();
            let text = d.to_string();
            assert_eq!(Date::parse(&text), Ok(d), "{text}");
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            if let Some((py, pm, pd)) = previous {
                // The next day is the next in the calendar: day + 1, or the 1st of the next month.
                let next = (py, pm, pd + 1) == (y, m, dd)
                    || (dd == 1 && ((py, pm + 1) == (y, m) || (py + 1, 1) == (y, m)) && pm <= 12);
                assert!(next, "{py}-{pm}-{pd} then {text}");
            }
            previous = Some((y, m, dd));
        }
    }

    #[test]
    fn impossible_and_malformed_dates_are_refused() {
        for (text, what) in [
            ("2026-02-31", "day"),
            ("2026-04-31", "day"),
            ("2025-02-29", "day"),
            ("1900-02-29", "day"),
            ("2026-13-01", "day"),
            ("2026-00-10", "day"),
            ("2026-01-00", "day"),
            ("2026-1-01", "format"),
            ("26-01-01", "format"),
            ("2026/01/01", "format"),
            ("2026-01-01T00:00", "format"),
            ("", "format"),
            ("１９７０-01-01", "format"),
            ("1899-12-31", "range"),
            ("2200-01-01", "range"),
        ] {
            let e = Date::parse(text).unwrap_err();
            let got = match e {
                DateError::Format(_) => "format",
                DateError::NoSuchDay(_) => "day",
                DateError::OutOfRange(_) => "range",
            };
            assert_eq!(got, what, "{text}");
        }
        assert!(Date::parse("2000-02-29").is_ok());
        assert!(Date::parse("2024-02-29").is_ok());
    }
}
