//! Fuzz the FHIR Patient/RelatedPerson reader (Bundle JSON or NDJSON) and the stored-directory
//! loader: any bytes give a value or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phiwall_identity::directory::{Directory, DirectoryKey};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(input) = phiwall_identity::fhir::read(text) {
            if let Ok(key) = DirectoryKey::new(vec![5u8; 32]) {
                let _ = Directory::build(key, &input);
            }
        }
    }
    if let Ok(key) = DirectoryKey::new(vec![5u8; 32]) {
        let _ = Directory::from_json(data, key);
    }
});
