//! Fuzz the injection detector (normalization, decode-and-rescan, signatures, model): never
//! panics, scores stay in [0, 1] for both entry points.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phiwall_scan::{InjectionConfig, InjectionDetector};
use std::sync::LazyLock;

static DETECTOR: LazyLock<Option<InjectionDetector>> =
    LazyLock::new(|| InjectionDetector::new(InjectionConfig::default()).ok());

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(d) = DETECTOR.as_ref() else { return };
    for r in [d.scan(text), d.scan_document(text)] {
        assert!((0.0..=1.0).contains(&r.score), "score out of range");
    }
});
