//! Times in reports: RFC 3339 UTC at second precision (OSCAL's `date-time-with-timezone`).

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (times before 1970 print as the epoch).
pub fn rfc3339_ms(ms: i64) -> String {
    let micros = u64::try_from(ms.max(0)).unwrap_or(0).saturating_mul(1000);
    let full = phiwall_ledger::timefmt::format_micros(micros);
    // `2026-11-29T00:19:56.000000Z` -> `2026-11-29T00:19:56Z`
    match full.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => full,
    }
}

/// Parse RFC 3339 UTC (or a date, or epoch seconds) into unix milliseconds.
pub fn parse_ms(s: &str) -> Option<i64> {
    phiwall_ledger::timefmt::parse_time(s).and_then(|us| i64::try_from(us / 1000).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_ms(1_764_387_766_123), "2025-11-29T03:42:46Z");
        assert_eq!(parse_ms("2025-11-29T03:42:46Z"), Some(1_764_387_766_000));
        assert_eq!(parse_ms("nonsense"), None);
    }
}
