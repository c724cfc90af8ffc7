//! Fuzz the injection model file parser (a model file can come from the command line): any
//! bytes either load or are refused with an error, and a file that loads writes back the same
//! bytes. Most inputs stop at the header checks; the unit tests cover damaged full-size files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiwall_scan::injection::model::Model;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Model::from_bytes(data) {
        assert_eq!(m.to_bytes(), data);
    }
});
