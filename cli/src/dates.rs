//! Calendar dates for `batch` (`--as-of`, `discharge_ready_date`): strict `YYYY-MM-DD`, real
//! days only (2026-02-31 is refused), and day counts, on the `jiff` civil calendar. The engine
//! reads no clock: the as-of date is always given.

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
    use super::{days_between, parse};

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
    fn day_counts_cross_months_and_leap_days() {
        let d = |s| parse(s).unwrap();
        assert_eq!(days_between(d("2024-02-28"), d("2024-03-01")), 2);
        assert_eq!(days_between(d("2026-02-28"), d("2026-03-01")), 1);
        assert_eq!(days_between(d("2026-11-01"), d("2026-11-24")), 23);
        assert_eq!(days_between(d("2026-11-24"), d("2026-11-01")), -23);
        assert_eq!(days_between(d("1970-01-01"), d("2000-01-01")), 10_957);
    }
}
