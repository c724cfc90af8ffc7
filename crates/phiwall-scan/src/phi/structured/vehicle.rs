//! Vehicle identifiers: VINs and licence plates.
//!
//! A 17-character VIN (ISO 3779 alphabet, no I/O/Q) whose North American check digit (position 9)
//! holds is found anywhere in uppercase ([`VinDetector`]). After "VIN" the keyed detector also
//! takes VINs without a valid check digit (other markets) and older short serials. Licence plates
//! have no shape to check and are only taken after "plate", "license plate", "tag number" and the
//! like (see [`KEYS`]).

use super::keyed::{k, Key, Rule};
use super::{digit_words, left_free, right_free};
use crate::detector::{Detector, Doc, Span};
use crate::phi::validators;
use crate::types::PhiType;

/// Phrases introducing VINs and plates.
pub(crate) const KEYS: &[Key] = &[
    k("VIN", Rule::Vin),
    k("vin #", Rule::Vin),
    k("vin number", Rule::Vin),
    k("vehicle identification number", Rule::Vin),
    k("vehicle id", Rule::Vin),
    k("chassis number", Rule::Vin),
    k("plate", Rule::Plate),
    k("plates", Rule::Plate),
    k("plate number", Rule::Plate),
    k("license plate", Rule::Plate),
    k("licence plate", Rule::Plate),
    k("license plate number", Rule::Plate),
    k("tag number", Rule::Plate),
    k("plate #", Rule::Plate),
    k("registration plate", Rule::Plate),
    k("vehicle registration", Rule::Plate),
];

/// Finds check-digit-valid VINs without context.
#[derive(Debug, Default)]
pub struct VinDetector;

impl VinDetector {
    /// Build the detector (the regex compiles on first use).
    pub fn new() -> Self {
        VinDetector
    }
}

impl Detector for VinDetector {
    fn name(&self) -> &'static str {
        "vin"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let bytes = doc.text.as_bytes();
        // Standalone VINs are 17 uppercase letters and digits; lowercase needs "VIN" (keyed).
        for w in digit_words(doc.text).filter(|w| w.end - w.start == 17 && !w.has_lower) {
            let (start, end) = (w.start, w.end);
            if !left_free(bytes, start) || !right_free(bytes, end) {
                continue;
            }
            if bytes.get(start..end).is_some_and(validators::vin_valid) {
                out.push(Span::new(start, end, PhiType::VehicleId, 0.85, self.name()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::keyed::KeyedDetector;
    use super::super::testutil::{assert_none, found};
    use super::*;

    fn v(s: &str) -> (PhiType, String) {
        (PhiType::VehicleId, s.to_string())
    }

    #[test]
    fn vin_without_context() {
        let d = VinDetector::new();
        assert_eq!(found(&d, "car 1HGCM82633A004352 towed"), vec![v("1HGCM82633A004352")]);
        assert_eq!(found(&d, "1M8GDM9AXKP042788."), vec![v("1M8GDM9AXKP042788")]);
    }

    #[test]
    fn vin_rejects() {
        let d = VinDetector::new();
        assert_none(&d, "1HGCM82643A004352");
        assert_none(&d, "11111111111111111");
        assert_none(&d, "X1HGCM82633A004352");
        assert_none(&d, "1HGCM82633A0043521");
        assert_none(&d, "1hgcm82633a004352 (lowercase needs context)");
    }

    #[test]
    fn keyed_vin_and_plates() {
        let d = KeyedDetector::new();
        assert_eq!(found(&d, "VIN: WVWZZZ1JZXW000001"), vec![v("WVWZZZ1JZXW000001")]);
        assert_eq!(found(&d, "vin number 1hgcm82633a004352"), vec![v("1hgcm82633a004352")]);
        assert_eq!(found(&d, "license plate 7ABC123 (CA)"), vec![v("7ABC123")]);
        assert_eq!(found(&d, "plate number is ABC-1234"), vec![v("ABC-1234")]);
        assert_none(&d, "platelets 150");
        assert_none(&d, "plate reader");
        assert_none(&d, "growth plate 2 cm");
        assert_none(&d, "vinyl 12345678");
        // Session 18: letters, then the digit group.
        assert_eq!(found(&d, "my license plate is GHT 4421, Ohio"), vec![v("GHT 4421")]);
        assert_none(&d, "fixed with a plate and 12 screws");
    }
}
