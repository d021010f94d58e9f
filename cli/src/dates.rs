//! Calendar dates for `eval`, `explain` and `batch` (`--as-of`, a line's `as_of` and
//! `discharge_ready_date`): strict `YYYY-MM-DD`, real days only (2026-02-31 is refused) within
//! the engine's range, day counts on the `jiff` civil calendar, and today's date. The engine
//! reads no clock; the command line does, once, for the default as-of date ([`today`]).

use jiff::civil::Date;

/// Parses a strict `YYYY-MM-DD` date that exists in the proleptic Gregorian calendar.
///
/// # Errors
/// A message saying what is wrong with the text, for a usage error or a line's error.
pub fn parse(text: &str) -> Result<Date, String> {
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err(format!(
            "`{}` is not a date in the form YYYY-MM-DD",
            shorten(text)
        ));
    }
    text.parse::<Date>()
        .map_err(|e| format!("`{text}` is not a real date: {e}"))
}

/// Parses a date the engine will read (an as-of date, a discharge-ready date): a real
/// `YYYY-MM-DD` day from 1900-01-01 to 2199-12-31.
///
/// # Errors
/// A message saying what is wrong with the text, for a usage error or a line's error.
pub fn parse_engine(text: &str) -> Result<Date, String> {
    let date = parse(text)?;
    engine(date).map(|_| date)
}

/// The engine's form of a date.
///
/// # Errors
/// A date outside 1900-01-01..2199-12-31, which the engine does not accept.
pub fn engine(date: Date) -> Result<homeward::Date, String> {
    homeward::Date::parse(&date.to_string()).map_err(|_| {
        format!("`{date}` is outside the dates the engine accepts (1900-01-01 to 2199-12-31)")
    })
}

/// Today's date on this computer's clock in the local time zone (the `TZ` variable, else
/// `/etc/localtime`; UTC when neither can be read): the default as-of date of `eval`,
/// `explain` and `batch`.
#[must_use]
pub fn today() -> Date {
    jiff::Zoned::now().date()
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
#[must_use]
pub fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_hours() / 24
}

fn shorten(text: &str) -> String {
    crate::diagnostics::clean(text, 40)
}

#[cfg(test)]
mod tests {
    use super::{days_between, parse, parse_engine};

    #[test]
    fn real_dates_only() {
        assert!(parse("2024-02-29").is_ok());
        for bad in [
            "2026-02-29",
            "2026-02-31",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
        ] {
            assert!(parse(bad).unwrap_err().contains("not a real date"), "{bad}");
        }
        for bad in [
            "26-1-1",
            "2026-1-01",
            "20260101",
            "+002026-01-01",
            "2026-01-01T00:00",
            "yesterday",
            "",
            "2026-01-0١",
        ] {
            assert!(parse(bad).unwrap_err().contains("YYYY-MM-DD"), "{bad}");
        }
    }

    #[test]
    fn engine_dates_are_within_its_range() {
        assert!(parse_engine("1900-01-01").is_ok());
        assert!(parse_engine("2199-12-31").is_ok());
        for bad in ["1899-12-31", "2200-01-01"] {
            assert!(parse_engine(bad).unwrap_err().contains("outside"), "{bad}");
        }
        assert!(parse_engine("2026-02-29").unwrap_err().contains("not a real date"));
    }

    #[test]
    fn today_is_a_date_the_engine_accepts() {
        assert!(super::engine(super::today()).is_ok());
    }

    #[test]
    fn day_counts_cross_months_and_leap_days() {
        let d = |s| parse(s).unwrap();
        assert_eq!(days_between(d("2024-02-28"), d("2024-03-01")), 2);
        assert_eq!(days_between(d("2026-02-28"), d("2026-03-01")), 1);
        assert_eq!(days_between(d("2026-11-01"), d("2026-11-24")), 23);
        assert_eq!(days_between(d("2026-11-24"), d("2026-11-01")), -23);
        assert_eq!(days_between(d("1970-01-01"), d("2000-01-01")), 10_957);
    }
}
