//! Fuzz the drill scenario parser and validator (TOML, templates, limits): any bytes give a
//! scenario or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = phiwall_drill::Scenario::from_toml(text);
    }
});
