//! FHIR `dateTime` values with a time and a zone (`2026-11-24T09:30:00+00:00`) as instants, to
//! find the newest response in a search result. Partial dates cannot be ordered against times,
//! so they are refused rather than guessed.

/// Seconds since 1970-01-01T00:00:00Z and nanoseconds, for a full FHIR `dateTime` with time
/// and zone; `None` for anything else (a partial date, no zone, an impossible date).
pub(crate) fn parse(text: &str) -> Option<(i64, u32)> {
    let (date, rest) = text.split_once('T')?;
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?, 4)?, num(d.next()?, 2)?, num(d.next()?, 2)?);
    if d.next().is_some() || !(1..=12).contains(&m) || day < 1 || day > days_in(y, m) {
        return None;
    }
    let (clock, offset) = split_zone(rest)?;
    let (hms, frac) = match clock.split_once('.') {
        Some((a, f)) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            (a, f)
        }
        Some(_) => return None,
        None => (clock, ""),
    };
    let mut t = hms.split(':');
    let (h, mi, s) = (num(t.next()?, 2)?, num(t.next()?, 2)?, num(t.next()?, 2)?);
    if t.next().is_some() || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let nanos = format!("{frac:0<9}").parse::<u32>().ok()?;
    let secs = days_from_civil(y, m, day) * 86_400 + h * 3600 + mi * 60 + s - offset;
    Some((secs, nanos))
}

/// The clock part and the zone offset in seconds (`Z`, `+hh:mm` or `-hh:mm`).
fn split_zone(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let at = rest.rfind(['+', '-'])?;
    let (clock, zone) = (rest.get(..at)?, rest.get(at..)?);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let (zh, zm) = zone.get(1..)?.split_once(':')?;
    let (zh, zm) = (num(zh, 2)?, num(zm, 2)?);
    if zh > 14 || zm > 59 {
        return None;
    }
    Some((clock, sign * (zh * 3600 + zm * 60)))
}

/// Exactly `width` ASCII digits as a number.
fn num(s: &str, width: usize) -> Option<i64> {
    (s.len() == width && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn days_in(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn instants_with_zones_order_correctly() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse("1970-01-01T01:00:00+01:00"), Some((0, 0)));
        assert_eq!(parse("2000-03-01T00:00:00Z"), Some((951_868_800, 0)));
        assert_eq!(
            parse("2026-11-24T09:30:00.25-05:00").map(|p| p.1),
            Some(250_000_000)
        );
        assert!(parse("2026-11-24T09:30:00+00:00") > parse("2026-11-24T10:29:59+01:00"));
        assert!(parse("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn partial_or_impossible_values_are_refused() {
        for bad in [
            "2026",
            "2026-11",
            "2026-11-24",
            "2026-11-24T09:30:00",
            "2026-02-30T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24T09:30:00.Z",
            "2026-11-24T09:30:00+1:00",
            "2026-11-24 09:30:00Z",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
