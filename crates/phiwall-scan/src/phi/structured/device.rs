//! Device identifiers: serial numbers, IMEIs and unique device identifiers (UDI).
//!
//! Serial numbers and IMEIs have no reliable standalone shape (an IMEI is any Luhn-valid 15-digit
//! number, like many card and account numbers), so they are taken after "serial", "S/N", "IMEI",
//! "device ID" and the like (see [`KEYS`]); IMEIs are then Luhn-checked. A GS1 UDI in
//! human-readable form, `(01)` + a GTIN-14 with a valid check digit and optional application
//! identifiers (`(17)` expiry, `(10)` lot, `(21)` serial), is found anywhere by [`UdiDetector`].

use regex::Regex;
use std::sync::LazyLock;

use super::keyed::{k, kc, Key, Rule};
use crate::detector::{Detector, Doc, Span};
use crate::phi::validators;
use crate::types::PhiType;

/// Phrases introducing device identifiers.
pub(crate) const KEYS: &[Key] = &[
    k("serial", Rule::Serial),
    k("serial number", Rule::Serial),
    k("serial no", Rule::Serial),
    k("serial #", Rule::Serial),
    k("s/n", Rule::Serial),
    kc("SN", Rule::Serial),
    k("sn#", Rule::Serial),
    k("device id", Rule::Serial),
    k("device identifier", Rule::Serial),
    k("device serial", Rule::Serial),
    k("device number", Rule::Serial),
    k("pacemaker serial", Rule::Serial),
    k("implant serial", Rule::Serial),
    k("pump serial", Rule::Serial),
    k("model and serial", Rule::Serial),
    k("mac address", Rule::Serial),
    k("imei", Rule::Imei),
    k("imei number", Rule::Imei),
    k("meid", Rule::Imei),
    k("udi", Rule::Udi),
    k("unique device identifier", Rule::Udi),
];

static UDI_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?-u)\(01\)([0-9]{14})(?:\((?:10|11|17|21)\)[A-Za-z0-9-]{1,20})*").ok()
});

/// Finds GS1 human-readable UDIs.
#[derive(Debug, Default)]
pub struct UdiDetector;

impl UdiDetector {
    /// Build the detector (the regex compiles on first use).
    pub fn new() -> Self {
        UdiDetector
    }
}

impl Detector for UdiDetector {
    fn name(&self) -> &'static str {
        "udi"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        // Every GS1 UDI starts with "(01)".
        if memchr::memmem::find(doc.text.as_bytes(), b"(01)").is_none() {
            return;
        }
        let Some(re) = UDI_RE.as_ref() else { return };
        for caps in re.captures_iter(doc.text) {
            let (Some(m), Some(gtin)) = (caps.get(0), caps.get(1)) else { continue };
            if validators::gs1_valid(gtin.as_str().as_bytes()) {
                out.push(Span::new(m.start(), m.end(), PhiType::DeviceId, 0.9, self.name()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::keyed::KeyedDetector;
    use super::super::testutil::{assert_none, found};
    use super::*;

    #[test]
    fn regex_compiles() {
        assert!(UDI_RE.is_some());
    }

    fn dev(s: &str) -> (PhiType, String) {
        (PhiType::DeviceId, s.to_string())
    }

    #[test]
    fn udi() {
        let d = UdiDetector::new();
        assert_eq!(
            found(&d, "label (01)00643169007222(17)160128(21)BLM00001 seen"),
            vec![dev("(01)00643169007222(17)160128(21)BLM00001")]
        );
        assert_none(&d, "(01)00643169007223");
        assert_none(&d, "(01)123");
    }

    #[test]
    fn keyed_serials_and_imei() {
        let d = KeyedDetector::new();
        assert_eq!(found(&d, "pacemaker serial number PJN123456H"), vec![dev("PJN123456H")]);
        assert_eq!(found(&d, "S/N: 4471-AB-99"), vec![dev("4471-AB-99")]);
        assert_eq!(found(&d, "IMEI 490154203237518"), vec![dev("490154203237518")]);
        assert_eq!(found(&d, "UDI 00643169007222"), vec![dev("00643169007222")]);
        assert_none(&d, "IMEI 12345");
        assert_none(&d, "serial exams");
        assert_none(&d, "serial 500 mg");
        assert_none(&d, "serial troponins 0.04");
        assert_none(&d, "Sn 3");
    }
}
