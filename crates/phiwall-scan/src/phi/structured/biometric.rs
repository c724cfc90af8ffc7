//! Biometric identifiers: ids of fingerprint, voiceprint, retina or iris templates.
//!
//! A biometric itself is not text; what appears in notes and transcripts is the id of an enrolled
//! template ("fingerprint ID FP-88213", "voiceprint enrollment 55A1-77"). These have no shape, so
//! they are only taken after one of the phrases in [`KEYS`], and the value must hold digits.

use super::keyed::{k, Key, Rule};

/// Phrases introducing biometric template ids.
pub(crate) const KEYS: &[Key] = &[
    k("fingerprint", Rule::Biometric),
    k("fingerprint id", Rule::Biometric),
    k("fingerprint template", Rule::Biometric),
    k("finger print", Rule::Biometric),
    k("thumbprint", Rule::Biometric),
    k("palm print", Rule::Biometric),
    k("palmprint", Rule::Biometric),
    k("voiceprint", Rule::Biometric),
    k("voice print", Rule::Biometric),
    k("voiceprint id", Rule::Biometric),
    k("voice id", Rule::Biometric),
    k("voice biometric", Rule::Biometric),
    k("retina scan", Rule::Biometric),
    k("retinal scan", Rule::Biometric),
    k("retina id", Rule::Biometric),
    k("retinal id", Rule::Biometric),
    k("iris scan", Rule::Biometric),
    k("iris id", Rule::Biometric),
    k("iris template", Rule::Biometric),
    k("face id", Rule::Biometric),
    k("facial recognition id", Rule::Biometric),
    k("biometric", Rule::Biometric),
    k("biometric id", Rule::Biometric),
    k("biometric template", Rule::Biometric),
    k("enrollment id", Rule::Biometric),
];

#[cfg(test)]
mod tests {
    use super::super::keyed::KeyedDetector;
    use super::super::testutil::{assert_none, found};
    use crate::types::PhiType;

    fn bio(s: &str) -> (PhiType, String) {
        (PhiType::BiometricId, s.to_string())
    }

    #[test]
    fn template_ids() {
        let d = KeyedDetector::new();
        assert_eq!(found(&d, "fingerprint ID FP-88213 on file"), vec![bio("FP-88213")]);
        assert_eq!(found(&d, "voiceprint is 55A1-77"), vec![bio("55A1-77")]);
        assert_eq!(found(&d, "Retinal scan id: RS0042917"), vec![bio("RS0042917")]);
    }

    #[test]
    fn clinical_uses_are_not_ids() {
        let d = KeyedDetector::new();
        assert_none(&d, "retinal scan normal");
        assert_none(&d, "fingerprint lesions x2");
        assert_none(&d, "iris scan 3 mm");
        assert_none(&d, "biometric data collected");
    }
}
