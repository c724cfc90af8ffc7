//! Campus names of hospitals and health systems (session 18).
//!
//! Systems name their sites by a town and a campus word after the system's own name: "Cleveland
//! Clinic Akron General", "Premier Health Miami Valley South", "Kettering Health Dayton". The
//! facility rules take the system's name before its head word ("Clinic", "Health"); this module
//! adds the two pieces they leave visible:
//! - [`CampusTowns`]: a Title Case town of the lexicon right after a facility head word, with the
//!   campus words that follow it ("Akron General", "Miami Valley South");
//! - [`extend_campus_words`]: a Title Case campus word or town right after an ADDRESS finding
//!   ("Good Samaritan North", "Miami Valley", "Brookdale Centerville"), run over the resolved
//!   findings.

use std::sync::LazyLock;

use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// Head words of a facility or health system, in Title Case, followed by a blank.
static FACILITY_HEAD_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:Hospital|Clinic|Health|Healthcare|Medical Center|Health System|Health Network|Medicine)[ \t]+",
    )
    .ok()
});

/// Words that name a campus of a place or a hospital ("North", "General"), written in Title
/// Case right after it.
const CAMPUS_WORDS: &[&str] = &[
    "North",
    "South",
    "East",
    "West",
    "Northeast",
    "Northwest",
    "Southeast",
    "Southwest",
    "General",
    "Valley",
    "Campus",
];

/// End of the run of campus words starting at `pos` (each after one blank), or `pos` itself.
fn campus_words_end(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = pos;
    loop {
        let Some(rest) = text.get(end..) else { return end };
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let blank = rest.len() - trimmed.len();
        if blank == 0 || blank > 2 {
            return end;
        }
        let Some(word) = CAMPUS_WORDS.iter().find(|w| trimmed.starts_with(**w)) else {
            return end;
        };
        let word_end = end + blank + word.len();
        if bytes.get(word_end).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'\'') {
            return end;
        }
        end = word_end;
    }
}

/// A town of the lexicon in Title Case right after a facility head word, with its campus words.
pub struct CampusTowns;

impl Detector for CampusTowns {
    fn name(&self) -> &'static str {
        "address_campus"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = FACILITY_HEAD_RE.as_ref() else { return };
        let text = doc.text;
        for m in re.find_iter(text) {
            let start = m.end();
            if !text.as_bytes().get(start).is_some_and(u8::is_ascii_uppercase) {
                continue;
            }
            let Some(town_end) = crate::phi::address::town_at(text, start) else { continue };
            let end = campus_words_end(text, town_end);
            out.push(Span::new(start, end, PhiType::Address, 0.8, self.name()));
        }
    }
}

/// Extend each ADDRESS finding over the campus words right after it ("Good Samaritan" +
/// " North"), unless they belong to the next finding. `spans` is sorted and non-overlapping (the
/// output of [`crate::scanner::resolve_overlaps`]) and stays so.
pub fn extend_campus_words(text: &str, spans: &mut [Span]) {
    for i in 0..spans.len() {
        let next_start = spans.get(i + 1).map_or(text.len(), |s| s.start);
        let Some(s) = spans.get_mut(i) else { break };
        if s.kind != PhiType::Address {
            continue;
        }
        let mut end = campus_words_end(text, s.end);
        // A facility then its town, with one blank between ("from Brookdale Centerville").
        if end == s.end && text.get(s.end..).is_some_and(|r| r.starts_with(' ')) {
            let town_start = s.end + 1;
            if text.as_bytes().get(town_start).is_some_and(u8::is_ascii_uppercase) {
                if let Some(town_end) = crate::phi::address::town_at(text, town_start) {
                    end = town_end;
                }
            }
        }
        if end > s.end && end <= next_start {
            s.end = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        CampusTowns.detect(&Doc::new(text), &mut out);
        out.iter().filter_map(|s| text.get(s.start..s.end)).collect()
    }

    #[test]
    fn towns_after_a_facility_head() {
        assert_eq!(
            found("followed at Cleveland Clinic Akron General for CHF"),
            vec!["Akron General"]
        );
        assert_eq!(found("seen at Premier Health Miami Valley South"), vec!["Miami Valley South"]);
        assert_eq!(found("transferred to Kettering Health Dayton today"), vec!["Dayton"]);
        // Lowercase words and words that are not towns stay.
        assert!(found("the clinic dayton office").is_empty());
        assert!(found("Behavioral Health Services referral").is_empty());
        assert!(found("Women's Health Monday clinic").is_empty());
    }

    #[test]
    fn campus_words_extend_an_address() {
        let text = "to Good Samaritan North via Careflight";
        let mut spans = vec![Span::new(3, 17, PhiType::Address, 0.8, "t")];
        extend_campus_words(text, &mut spans);
        assert_eq!(text.get(spans[0].start..spans[0].end), Some("Good Samaritan North"));
        // Not over the next finding, not into a longer word, not lowercase.
        let text = "Dayton Northbound and Dayton north and Dayton South";
        let mut spans = vec![
            Span::new(0, 6, PhiType::Address, 0.8, "t"),
            Span::new(22, 28, PhiType::Address, 0.8, "t"),
            Span::new(39, 45, PhiType::Address, 0.8, "t"),
            Span::new(46, 51, PhiType::Name, 0.8, "t"),
        ];
        extend_campus_words(text, &mut spans);
        let got: Vec<&str> = spans.iter().filter_map(|s| text.get(s.start..s.end)).collect();
        assert_eq!(got, vec!["Dayton", "Dayton", "Dayton", "South"]);
        let text = "from Brookdale Centerville, sent for AMS";
        let mut spans = vec![Span::new(5, 14, PhiType::Address, 0.8, "t")];
        extend_campus_words(text, &mut spans);
        assert_eq!(text.get(spans[0].start..spans[0].end), Some("Brookdale Centerville"));
    }
}
