//! Structured identifiers: numbers and codes with a recognisable shape (SSN, phone and fax,
//! e-mail, URL, IP address, payment card) and identifiers recognised by the words that introduce
//! them (MRN, health plan, account, licence, vehicle, device, biometric and other ids).
//!
//! Two kinds of detector live here:
//! - *shape* detectors (one per file) find candidates with a compiled regex or a byte prefilter,
//!   check boundaries and validators (`crate::phi::validators`), then score with context words;
//! - one *keyed* detector ([`keyed`]) runs a single Aho-Corasick pass over every context phrase
//!   ("MRN", "member ID", "VIN", "serial number", "fingerprint ID" ...) of the families in
//!   `ids`, `vehicle`, `device`, `biometric` and `other_id`, and reads the identifier that follows.
//!
//! Invariants: every span is on ASCII bytes of `doc.text` (so always on char boundaries); regexes
//! are ASCII-only (`(?-u)`) so the lazy DFA never falls back to slow Unicode word boundaries; no
//! detector allocates per byte. Numbers glued to other numbers ("1.555-212-9876", "555-212-9876-1")
//! are never reported, and dose units, vitals, lab names, room and extension words lower scores.

mod biometric;
mod card;
mod device;
mod email;
mod ids;
mod ip;
mod keyed;
mod other_id;
mod phone;
mod ssn;
mod url;
mod vehicle;

use crate::detector::{Detector, Doc};
use crate::phi::context::contains_word;

/// This family's detectors, built once (regexes and automata compile here).
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(ssn::SsnDetector::new()),
        Box::new(phone::PhoneDetector::new()),
        Box::new(email::EmailDetector),
        Box::new(url::UrlDetector::new()),
        Box::new(ip::IpDetector::new()),
        Box::new(card::CardDetector::new()),
        Box::new(ids::IdShapeDetector::new()),
        Box::new(vehicle::VinDetector::new()),
        Box::new(device::UdiDetector::new()),
        Box::new(keyed::KeyedDetector::new()),
    ]
}

/// Words that, just before a number, say it is not an identifier (rooms, extensions, codes,
/// lab and vital names, money).
pub(crate) const NEG_BEFORE: &[&str] = &[
    "room",
    "rm",
    "bed",
    "ext",
    "extension",
    "x",
    "icd",
    "icd10",
    "icd-10",
    "cpt",
    "ndc",
    "hcpcs",
    "loinc",
    "snomed",
    "lot",
    "version",
    "ver",
    "v",
    "build",
    "release",
    "dose",
    "bp",
    "hr",
    "rr",
    "temp",
    "spo2",
    "o2",
    "sat",
    "sats",
    "pulse",
    "wt",
    "weight",
    "ht",
    "height",
    "bmi",
    "glucose",
    "hgb",
    "hct",
    "wbc",
    "plt",
    "inr",
    "ptt",
    "na",
    "k",
    "cl",
    "bun",
    "cr",
    "creat",
    "a1c",
    "ldl",
    "hdl",
    "tsh",
    "usd",
    "page",
    "pages",
    "step",
    "steps",
    "mg",
    "ml",
];

/// Unit words that, right after a number, make it a measurement.
pub(crate) const UNITS_AFTER: &[&str] = &[
    "mg", "mcg", "ug", "g", "gm", "kg", "lb", "lbs", "ml", "l", "cc", "units", "unit", "u", "iu",
    "meq", "mmol", "mmhg", "bpm", "mm", "cm", "min", "mins", "hrs", "hours", "days", "tabs",
    "tablets", "caps", "puffs", "drops", "times", "mg/dl", "pm", "am",
];

/// True for ASCII letters and digits.
pub(crate) fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// True when the number starting at `start` is not glued to text on its left: the previous
/// byte is not alphanumeric, `$` or `@`; a `-`, `/` or `+` must not follow a letter or digit
/// ("x-123", "7/555"), and a `.`, `,` or `:` must not follow a digit ("1.555", "$1,250", "10:30").
pub(crate) fn left_free(text: &[u8], start: usize) -> bool {
    let Some(&p) = start.checked_sub(1).and_then(|i| text.get(i)) else { return true };
    if is_alnum(p) || matches!(p, b'_' | b'$' | b'@') {
        return false;
    }
    let pp = start.checked_sub(2).and_then(|i| text.get(i)).copied();
    match p {
        b'-' | b'/' | b'+' => !pp.is_some_and(is_alnum),
        b'.' | b',' | b':' => !pp.is_some_and(|b| b.is_ascii_digit()),
        _ => true,
    }
}

/// True when the number ending at `end` is not glued to text on its right: the next byte is not
/// alphanumeric, and not `-`, `.`, `/`, `,` or `:` followed by a digit ("555-212-9876-12",
/// "4.5.6", "120/80"), and not `%`.
pub(crate) fn right_free(text: &[u8], end: usize) -> bool {
    let Some(&n) = text.get(end) else { return true };
    if is_alnum(n) || n == b'_' || n == b'%' {
        return false;
    }
    if matches!(n, b'-' | b'.' | b'/' | b',' | b':') {
        return !text.get(end + 1).is_some_and(|b| b.is_ascii_digit());
    }
    true
}

/// The first word (ASCII letters, digits, `/`, `%`) after `end`, skipping at most one space.
pub(crate) fn next_word(text: &str, end: usize) -> &str {
    let bytes = text.as_bytes();
    let mut i = end;
    if bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    let s = i;
    while bytes.get(i).is_some_and(|&b| is_alnum(b) || b == b'/' || b == b'%') {
        i += 1;
    }
    text.get(s..i).unwrap_or("")
}

/// The last word (letters, digits, `-`) ending within a few bytes before `start`, skipping
/// spaces and `:#.` punctuation.
pub(crate) fn prev_word(text: &str, start: usize) -> &str {
    let bytes = text.as_bytes();
    let mut i = start.min(bytes.len());
    let mut skipped = 0;
    while i > 0 && skipped < 3 && bytes.get(i - 1).is_some_and(|b| b" :#.\t".contains(b)) {
        i -= 1;
        skipped += 1;
    }
    let e = i;
    while i > 0 && bytes.get(i - 1).is_some_and(|&b| is_alnum(b) || b == b'-') {
        i -= 1;
    }
    text.get(i..e).unwrap_or("")
}

/// True when the word right after `end` is a measurement unit.
pub(crate) fn unit_follows(text: &str, end: usize) -> bool {
    let w = next_word(text, end);
    !w.is_empty() && UNITS_AFTER.iter().any(|u| w.eq_ignore_ascii_case(u))
}

/// True when the word right before `start` says "not an identifier" (room, ext, ICD, BP ...).
pub(crate) fn negative_before(text: &str, start: usize) -> bool {
    let w = prev_word(text, start);
    !w.is_empty() && NEG_BEFORE.iter().any(|n| w.eq_ignore_ascii_case(n))
}

/// Context score: `base`, raised to `with_ctx` when one of `pos` occurs within `window` bytes
/// before the span (or `window / 2` after), and lowered to `with_neg` when one of `neg` occurs
/// just before it and no positive word does.
#[allow(clippy::too_many_arguments)]
pub(crate) fn context_score(
    doc: &Doc<'_>,
    start: usize,
    end: usize,
    window: usize,
    pos: &[&str],
    neg: &[&str],
    base: f32,
    with_ctx: f32,
) -> f32 {
    let before = doc.before(start, window);
    let after = doc.after(end, window / 2);
    if contains_word(before, pos) || contains_word(after, pos) {
        return with_ctx.max(base);
    }
    if contains_word(doc.before(start, 24), neg) {
        return base.min(0.3);
    }
    base
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Helpers shared by the family tests: run one detector and read back (type, text, score).
    use crate::detector::{Detector, Doc, Span};
    use crate::types::PhiType;

    /// Spans the detector reports at or above the scanner's default threshold, as
    /// (type, covered text).
    pub fn found(d: &dyn Detector, text: &str) -> Vec<(PhiType, String)> {
        found_in(d, &Doc::new(text))
    }

    /// Like [`found`] on a spoken view.
    pub fn found_spoken(d: &dyn Detector, text: &str) -> Vec<(PhiType, String)> {
        found_in(d, &Doc { text, is_spoken_view: true })
    }

    fn found_in(d: &dyn Detector, doc: &Doc<'_>) -> Vec<(PhiType, String)> {
        let mut out: Vec<Span> = Vec::new();
        d.detect(doc, &mut out);
        for s in &out {
            assert!(s.start < s.end && s.end <= doc.text.len(), "span in range");
            assert!(doc.text.is_char_boundary(s.start) && doc.text.is_char_boundary(s.end));
        }
        out.iter()
            .filter(|s| s.score >= 0.5)
            .map(|s| (s.kind, doc.text[s.start..s.end].to_string()))
            .collect()
    }

    /// Assert the detector reports nothing at the default threshold.
    pub fn assert_none(d: &dyn Detector, text: &str) {
        let f = found(d, text);
        assert!(f.is_empty(), "expected nothing in {text:?}, got {f:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let t = b"a1.555 x-12 (555) 9";
        assert!(!left_free(t, 3), "after digit-dot");
        assert!(left_free(t, 0));
        assert!(!left_free(b"x-123", 2));
        assert!(left_free(b"call 555", 5));
        assert!(left_free(b"#555", 1));
        assert!(!left_free(b"$1250", 1));
        assert!(right_free(b"555. ", 3));
        assert!(!right_free(b"555.5", 3));
        assert!(!right_free(b"555%", 3));
        assert!(!right_free(b"555a", 3));
        assert!(right_free(b"555", 3));
    }

    #[test]
    fn words_around() {
        assert_eq!(next_word("500 mg daily", 3), "mg");
        assert!(unit_follows("500 mg daily", 3));
        assert!(!unit_follows("500 daily", 3));
        assert_eq!(prev_word("room 412", 5), "room");
        assert_eq!(prev_word("ext. 4471", 5), "ext");
        assert!(negative_before("BP: 120", 4));
        assert!(!negative_before("call 555", 5));
        assert_eq!(prev_word("", 0), "");
    }

    #[test]
    fn every_detector_has_a_name_and_survives_odd_input() {
        let ds = detectors();
        let inputs =
            ["", "é", "@", "::", "...", "1", "(", "http://", "\u{1F600}@x.com 555-", "a@b."];
        for d in &ds {
            assert!(!d.name().is_empty());
            for t in inputs {
                let mut out = Vec::new();
                d.detect(&Doc::new(t), &mut out);
                d.detect(&Doc { text: t, is_spoken_view: true }, &mut out);
                for s in out {
                    assert!(s.start < s.end && s.end <= t.len());
                }
            }
        }
    }
}
