//! AGE recognizer: ages over 89, the only ages HIPAA Safe Harbor treats as identifiers.
//!
//! Forms: `92 year old`, `92-year-old`, `92 yo`, `92 y/o`, `92 y.o.`, `92yo`, `92 yrs old`,
//! `92 years of age`, `92M` / `92 F` (age and sex), `aged 95`, `age: 95`, `turned 95`,
//! `95th birthday`, and a note that opens with the age (`98 s/p hip fx`). Spoken ages arrive as
//! digits in the spoken view (`ninety two years old` -> `92 years old`) and match the same rules.
//!
//! Only the number is tagged, so a redacted note still reads `[AGE] year old`. Ages of 89 and
//! below are never reported, whatever the form; neither are ages above 125 (not human ages, more
//! likely a dose or a lab value that happens to sit before `y`).
//!
//! Not ages: temperatures (`T 101 F`), durations (`for 92 years`), doses and counts. The `92F`
//! form is skipped after temperature words.
//!
//! Invariants: spans are byte ranges of ASCII digits in `doc.text`; no panics; regexes compiled
//! once.

use std::sync::LazyLock;

use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::phi::context::contains_word;
use crate::types::PhiType;

/// This family's detectors.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(AgeOver89)]
}

fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// `92 year old`, `92-year-old`, `92 yo`, `92 y/o`, `92 y.o.`, `92 yrs old`, `92 years of age`,
/// and `92 years` (group 2 set: needs a cue).
static YEARS_OLD_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)\b(\d{2,3})(?:\s*-\s*|\s*)(?:(?:years?|yrs?|yr\.)(?:\s*-\s*|\s+)(?:old|of\s+age)\b|yo\b|y\.\s?o\.?|y/o\b|y\s?o\b|(years?|yrs?)\b)",
    )
});

/// `92M`, `92 F`, `92 yo M` is covered above. Uppercase only: `92 m` is more often metres.
static AGE_SEX_RE: LazyLock<Option<Regex>> = LazyLock::new(|| compile(r"\b(\d{2,3})\s?([MF])\b"));

/// `aged 95`, `age 95`, `age: 95`, `age of 95`, `turned 95`, `95th birthday`.
static CUED_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:aged?\s*(?::|of|is|was)?\s*|turned\s+|turns\s+|turning\s+)(\d{2,3})\b|\b(\d{2,3})(?:st|nd|rd|th)\s+birthday\b",
    )
});

/// A line that opens with the age: `98 s/p left hip fx`, `92 male with`.
static LEADING_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(r"(?im)^[ \t]*(\d{2,3})\s+(?:s/p|w/|with|male|female|man|woman|gentleman|lady|m\b|f\b)")
});

/// Words right before `92F` that make it a temperature.
const TEMPERATURE: &[&str] =
    &["t", "temp", "temperature", "tmax", "tm", "tc", "fever", "febrile", "to", "of", "degrees"];

/// Words before `92 years` that make it an age rather than a duration.
const AGE_CUES: &[&str] = &["is", "was", "age", "aged", "turned", "turns", "now", "being"];

fn is_reportable_age(digits: &str) -> bool {
    digits.parse::<u32>().is_ok_and(|a| (90..=125).contains(&a))
}

/// The last `n` words before `pos` on the same line, lowercased.
fn prev_words(text: &str, pos: usize, n: usize) -> String {
    let head = text.get(..pos).unwrap_or("");
    let line = head.rsplit('\n').next().unwrap_or("");
    let mut words: Vec<&str> = line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .rev()
        .take(n)
        .collect();
    words.reverse();
    words.join(" ").to_ascii_lowercase()
}

/// True when the digits at `[start, end)` are part of a larger number (`1.92 yo`, `x92`).
fn glued(text: &str, start: usize) -> bool {
    text.get(..start)
        .and_then(|h| h.chars().next_back())
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '/' | ',' | '-' | '+'))
}

/// Ages over 89 in every written and spoken form.
pub struct AgeOver89;

impl AgeOver89 {
    fn push(&self, out: &mut Vec<Span>, start: usize, end: usize, score: f32) {
        out.push(Span::new(start, end, PhiType::Age, score, self.name()));
    }
}

impl Detector for AgeOver89 {
    fn name(&self) -> &'static str {
        "age_over_89"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = doc.text;
        if let Some(re) = YEARS_OLD_RE.as_ref() {
            for c in re.captures_iter(t) {
                let Some(n) = c.get(1) else { continue };
                if !is_reportable_age(n.as_str()) || glued(t, n.start()) {
                    continue;
                }
                let score = if c.get(2).is_some() {
                    // Bare `92 years`: an age only after "is", "aged" ...
                    if contains_word(&prev_words(t, n.start(), 1), AGE_CUES) {
                        0.7
                    } else {
                        continue;
                    }
                } else {
                    0.95
                };
                self.push(out, n.start(), n.end(), score);
            }
        }
        if let Some(re) = AGE_SEX_RE.as_ref() {
            for c in re.captures_iter(t) {
                let Some(n) = c.get(1) else { continue };
                if !is_reportable_age(n.as_str())
                    || glued(t, n.start())
                    || contains_word(&prev_words(t, n.start(), 2), TEMPERATURE)
                {
                    continue;
                }
                self.push(out, n.start(), n.end(), 0.75);
            }
        }
        if let Some(re) = CUED_RE.as_ref() {
            for c in re.captures_iter(t) {
                let Some(n) = c.get(1).or_else(|| c.get(2)) else { continue };
                if is_reportable_age(n.as_str()) {
                    self.push(out, n.start(), n.end(), 0.85);
                }
            }
        }
        if let Some(re) = LEADING_RE.as_ref() {
            for c in re.captures_iter(t) {
                let Some(n) = c.get(1) else { continue };
                if is_reportable_age(n.as_str()) {
                    self.push(out, n.start(), n.end(), 0.6);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ages(text: &str) -> Vec<String> {
        ages_in(&Doc::new(text))
    }

    fn ages_in(doc: &Doc<'_>) -> Vec<String> {
        let mut out = Vec::new();
        for d in detectors() {
            d.detect(doc, &mut out);
        }
        out.retain(|s| s.score >= 0.5);
        let out = crate::scanner::resolve_overlaps(out);
        out.iter().map(|s| doc.text[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn ages_over_89_in_every_form() {
        for (text, want) in [
            ("Pt is a 92 year old man", "92"),
            ("a 92-year-old woman", "92"),
            ("92 yo M with CHF", "92"),
            ("92 y/o female", "92"),
            ("92 y.o. female", "92"),
            ("92yo gentleman", "92"),
            ("92 yrs old", "92"),
            ("she is 101 years of age", "101"),
            ("she is 95 years", "95"),
            ("HPI: 92M presents with", "92"),
            ("92 F with fall", "92"),
            ("aged 95, lives alone", "95"),
            ("age: 97", "97"),
            ("at the age of 93", "93"),
            ("he just turned 90", "90"),
            ("her 100th birthday", "100"),
            ("see flowsheet \n \n98 s/p left hip fx", "98"),
        ] {
            assert_eq!(ages(text), vec![want.to_string()], "{text:?}");
        }
    }

    #[test]
    fn spoken_view_age() {
        let v = Doc { text: "my mother is 92 years old", is_spoken_view: true };
        assert_eq!(ages_in(&v), vec!["92".to_string()]);
    }

    #[test]
    fn ages_89_and_under_are_not_phi() {
        for text in [
            "Pt is an 89 year old man",
            "45 yo M",
            "72M with CP",
            "aged 65",
            "He just turned 46 years old",
            "Patient is a 35-year-old male",
        ] {
            assert!(ages(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn not_ages() {
        for text in [
            "T 101 F overnight",
            "Tmax 102 F",
            "fever to 101 F",
            "smoked for 92 years",
            "K 3.92 yo",
            "weight 110 kg",
            "BP 100/60",
            "HR 98 s/p fluids",
            "dose 100 mg",
            "130 years old building",
        ] {
            assert!(ages(text).is_empty(), "{text:?}: {:?}", ages(text));
        }
    }
}
