//! Fuzz the redaction transforms with arbitrary text and findings: errors, never panics; text
//! outside valid findings survives.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phiwall_scan::redact::{Action, RedactionKey, Redactor};
use phiwall_scan::{Finding, ALL_PHI_TYPES};

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (head, rest) = data.split_at(data.len().min(24));
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let findings: Vec<Finding> = head
        .chunks(3)
        .map(|c| Finding {
            kind: ALL_PHI_TYPES[c[0] as usize % ALL_PHI_TYPES.len()],
            start: *c.get(1).unwrap_or(&0) as usize,
            end: *c.get(2).unwrap_or(&0) as usize,
            score: 1.0,
            recognizer: "fuzz",
        })
        .collect();
    let key = RedactionKey::new(vec![7u8; 32]).expect("32-byte key");
    for action in [Action::Mask, Action::Pseudonymize, Action::Tokenize] {
        let r = Redactor::uniform(action, Some(key.clone())).expect("key given");
        if let Ok(out) = r.apply(text, &findings, Some("scope")) {
            if action == Action::Tokenize && !text.contains('[') {
                assert_eq!(phiwall_scan::redact::restore(&out.text, &out.tokens), text);
            }
        }
    }
});
