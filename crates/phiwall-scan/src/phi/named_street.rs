//! Streets named without a house number: "the Walgreens on Grand Ave", "she lives off Old Mill
//! Road", "the corner of Elm St and 5th Ave". A street name is a geographic subdivision smaller
//! than a state (Safe Harbor identifier 2) whether or not a number comes with it; the numbered
//! form is `address::StreetAddresses`.
//!
//! Evidence is written case, so this runs on mixed-case text only: one to three Title Case words
//! or an ordinal ("5th"), then a street suffix in Title Case ("Avenue", "Ave", "Ave."), right
//! after a preposition that places something on a street ("on", "off", "along", "near", "at",
//! "of", "and" ...). Suffixes that are everyday or clinical words in Title Case are left out:
//! "Court" (Family Court), "Dr" (a doctor), "Park", "Run", "Point", "Place" (First Place) and
//! the like; all-capital abbreviations ("Chest CT") never count.

use std::sync::LazyLock;

use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// Suffixes that name a street when written in Title Case after a name; the abbreviations take
/// an optional dot.
const SUFFIXES: &[&str] = &[
    "Street",
    "St",
    "Avenue",
    "Ave",
    "Road",
    "Rd",
    "Boulevard",
    "Blvd",
    "Lane",
    "Ln",
    "Drive",
    "Parkway",
    "Pkwy",
    "Highway",
    "Hwy",
    "Terrace",
    "Circle",
    "Cir",
    "Trail",
    "Trl",
    "Pike",
    "Turnpike",
    "Tpke",
    "Expressway",
    "Expy",
    "Freeway",
    "Fwy",
    "Alley",
    "Plaza",
    "Way",
];

/// The suffixes above that are whole words (their trailing dot is punctuation).
const FULL_WORDS: &[&str] = &[
    "Street",
    "Avenue",
    "Road",
    "Boulevard",
    "Lane",
    "Drive",
    "Parkway",
    "Highway",
    "Terrace",
    "Circle",
    "Trail",
    "Pike",
    "Turnpike",
    "Expressway",
    "Freeway",
    "Alley",
    "Plaza",
    "Way",
];

/// Words that place something on a street.
const LEADS: &str =
    "on|off|onto|along|down|up|near|at|of|and|from|to|by|past|across|toward|towards";

/// Title Case words that open a clause or name a thing rather than a street ("on Our Way").
fn is_non_name(word: &str) -> bool {
    matches!(
        word,
        "The"
            | "A"
            | "An"
            | "Our"
            | "My"
            | "Your"
            | "His"
            | "Her"
            | "Their"
            | "This"
            | "That"
            | "I"
    )
}

static STREET_NAME_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let suffixes = SUFFIXES.join("|");
    Regex::new(&format!(
        // ASCII word boundaries keep the regex on its fast engine for non-ASCII text.
        r"(?-u:\b)(?:{LEADS})[ \t]+(?:the[ \t]+)?((?:(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[0-9]{{1,3}}(?:st|nd|rd|th))[ \t]+){{1,3}}(?:{suffixes})(?-u:\b)\.?)",
    ))
    .ok()
});

/// A Title Case suffix anywhere in the text: the cheap test that lets almost every document skip
/// the main pattern, whose leading prepositions ("on", "at", "to") occur in every sentence.
static SUFFIX_GATE_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(&format!(r"(?-u:\b)(?:{})(?-u:\b)", SUFFIXES.join("|"))).ok());

/// The detector for street names without a number.
#[derive(Debug, Default, Clone, Copy)]
pub struct NamedStreets;

impl Detector for NamedStreets {
    fn name(&self) -> &'static str {
        "address_street_name"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = STREET_NAME_RE.as_ref() else { return };
        let text = doc.text;
        // Mixed case only: in lower-case or all-capital text the case carries no evidence.
        let has_lower = text.bytes().any(|b| b.is_ascii_lowercase());
        let has_upper = text.bytes().any(|b| b.is_ascii_uppercase());
        if doc.is_spoken_view || !has_lower || !has_upper {
            return;
        }
        if !SUFFIX_GATE_RE.as_ref().is_some_and(|g| g.is_match(text)) {
            return;
        }
        for c in re.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            let mut words = m.as_str().split_whitespace();
            let Some(first) = words.next() else { continue };
            if is_non_name(first) {
                continue;
            }
            // A name goes on after the word ("Frank Ter Haar syndrome", "Elm St Mary"): the word
            // was part of a name, not its suffix.
            let after = text.get(m.end()..).unwrap_or("");
            let next_is_title = after.strip_prefix(' ').is_some_and(|rest| {
                let mut ch = rest.chars();
                ch.next().is_some_and(|c| c.is_ascii_uppercase())
                    && ch.next().is_some_and(|c| c.is_ascii_lowercase())
            });
            if next_is_title && !m.as_str().ends_with('.') {
                continue;
            }
            // "St." keeps its dot; a full word's dot ends the sentence.
            let mut end = m.end();
            let last = m.as_str().trim_end_matches('.').rsplit(' ').next().unwrap_or("");
            if m.as_str().ends_with('.') && FULL_WORDS.contains(&last) {
                end -= 1;
            }
            out.push(Span::new(m.start(), end, PhiType::Address, 0.7, self.name()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        NamedStreets.detect(&Doc::new(text), &mut out);
        out.iter().filter_map(|s| text.get(s.start..s.end)).map(str::to_owned).collect()
    }

    #[test]
    fn streets_named_without_a_number() {
        assert_eq!(
            found("The pharmacy at Walgreens on Grand Ave says it is not there."),
            ["Grand Ave"]
        );
        assert_eq!(found("She lives off Old Mill Road."), ["Old Mill Road"]);
        assert_eq!(
            found("Meet me at the corner of Elm St. and 5th Avenue today."),
            ["Elm St.", "5th Avenue"]
        );
        assert_eq!(found("He walks along Martin-Luther Blvd every day."), ["Martin-Luther Blvd"]);
        assert_eq!(found("the clinic on Commerce Way is closed"), ["Commerce Way"]);
    }

    #[test]
    fn look_alikes_stay() {
        for text in [
            "We are on Our Way to the clinic.",
            "He went to Family Court on Monday.",
            "Seen by Smith Dr on rounds.",
            "Findings on Chest CT are stable.",
            "ON GRAND AVE",
            "on grand ave",
            "The Street team called.",
            "Take the Highway exit and call me.",
            "What are the symptoms of Frank Ter Haar syndrome?",
            "She moved to Elm St Mary Clinic.",
        ] {
            assert!(found(text).is_empty(), "{text:?}: {:?}", found(text));
        }
    }
}
