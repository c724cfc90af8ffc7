//! Fuzz the JSONL line reader of `phiwall scan --jsonl`: any bytes give a record or a line error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for lossy in [false, true] {
        match phiwall::input::parse_line(data, 1, lossy) {
            Ok(_) => {}
            Err(e) => assert_eq!(e.line, 1),
        }
    }
});
