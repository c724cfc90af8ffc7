//! UTC timestamps as RFC 3339 text, without a date crate: record times are microseconds since
//! the Unix epoch, shown as `2026-11-29T00:19:56.000000Z` and parsed from that form, from a
//! date alone, or from plain epoch seconds.

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Format microseconds since the epoch as RFC 3339 UTC with microseconds.
pub fn format_micros(micros: u64) -> String {
    let secs = (micros / 1_000_000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        micros % 1_000_000
    )
}

/// Parse `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff]]Z` (UTC; `Z` optional) or epoch seconds
/// into microseconds since the epoch.
pub fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u64>().ok()?.checked_mul(1_000_000);
    }
    let s = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')).unwrap_or(s);
    let (date, time) = match s.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let mo: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if dp.next().is_some()
        || !(1970..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let mut micros_of_day: u64 = 0;
    if let Some(t) = time {
        let (hms, frac) = match t.split_once('.') {
            Some((a, f)) => (a, Some(f)),
            None => (t, None),
        };
        let mut tp = hms.split(':');
        let h: u64 = tp.next()?.parse().ok()?;
        let mi: u64 = tp.next()?.parse().ok()?;
        let sec: u64 = match tp.next() {
            Some(x) => x.parse().ok()?,
            None => 0,
        };
        if tp.next().is_some() || h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let mut us = 0u64;
        if let Some(f) = frac {
            if f.is_empty() || f.len() > 6 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            us = f.parse::<u64>().ok()? * 10u64.pow(6 - f.len() as u32);
        }
        micros_of_day = (h * 3600 + mi * 60 + sec) * 1_000_000 + us;
    }
    let days = days_from_civil(y, mo, d);
    let (cy, cm, cd) = civil_from_days(days);
    if (cy, cm, cd) != (y, mo, d) {
        return None; // e.g. February 30
    }
    u64::try_from(days).ok()?.checked_mul(86_400_000_000)?.checked_add(micros_of_day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(format_micros(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_micros(1_700_000_000_123_456), "2023-11-14T22:13:20.123456Z");
        assert_eq!(parse_time("2023-11-14T22:13:20.123456Z"), Some(1_700_000_000_123_456));
        assert_eq!(parse_time("2024-02-29"), Some(1_709_164_800_000_000));
        assert_eq!(parse_time("1700000000"), Some(1_700_000_000_000_000));
        assert_eq!(parse_time("2023-02-30"), None);
        assert_eq!(parse_time("2023-13-01"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2023-01-01T25:00Z"), None);
    }

    proptest! {
        #[test]
        fn round_trip(micros in 0u64..253_402_300_799_000_000) {
            prop_assert_eq!(parse_time(&format_micros(micros)), Some(micros));
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = parse_time(&s);
        }
    }
}
