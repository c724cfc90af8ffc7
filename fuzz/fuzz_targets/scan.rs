//! Fuzz `Scanner::scan`: never panics, findings are in range, sorted and non-overlapping.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phiwall_scan::{Scanner, ScannerConfig};
use std::sync::LazyLock;

static SCANNER: LazyLock<Option<Scanner>> = LazyLock::new(|| Scanner::new(ScannerConfig::default()).ok());

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(scanner) = SCANNER.as_ref() else { return };
    let findings = scanner.scan(text);
    let n = text.chars().count();
    let mut last_end = 0;
    for f in &findings {
        assert!(f.start < f.end && f.end <= n, "finding out of range");
        assert!(f.start >= last_end, "findings overlap or are unsorted");
        last_end = f.end;
    }
    let _ = phiwall_scan::redact::mask(text, &findings).expect("findings from scan fit their text");
});
