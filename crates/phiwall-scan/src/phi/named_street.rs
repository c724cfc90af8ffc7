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
pub(crate) fn is_non_name(word: &str) -> bool {
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

/// Suffixes that name a street even without a preposition before the name.
const STRONG_SUFFIXES: &str =
    "Street|Avenue|Road|Boulevard|Parkway|Highway|Pike|Turnpike|Expressway|Lane";

/// A street named right after a comma or an opening parenthesis, with a whole-word suffix:
/// "(Walgreens, Wilmington Pike)", "Kroger, Brown Street" (session 19).
static LISTED_STREET_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r"[,(][ \t]*((?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?[ \t]+){{1,3}}(?:{STRONG_SUFFIXES})(?-u:\b)\.?)",
    ))
    .ok()
});

/// A Title Case suffix anywhere in the text: the cheap test that lets almost every document skip
/// the main pattern, whose leading prepositions ("on", "at", "to") occur in every sentence.
static SUFFIX_GATE_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(&format!(r"(?-u:\b)(?:{})(?-u:\b)", SUFFIXES.join("|"))).ok());

/// Lowercase text (speech-to-text): suffixes that are rarely anything but a street after a
/// name word. "drive", "circle", "trail", "way" and "court" are left out ("hard drive", "full
/// circle", "paper trail", "on our way").
const LOWER_SUFFIXES: &str =
    "street|avenue|road|boulevard|highway|parkway|pike|turnpike|expressway|freeway|lane";

/// In lowercase text, a preposition, an optional "the", one or two name words and a suffix:
/// "the cvs on dixie highway", "she lives off old mill road".
static LOWER_STREET_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?:on|off|onto|along|down|near|at|of|from|by|past|across)[ \t]+(?:the[ \t]+)?((?:[a-z]+(?:-[a-z]+)?|[0-9]{{1,3}}(?:st|nd|rd|th))(?:[ \t]+[a-z]+)?[ \t]+(?:{LOWER_SUFFIXES}))(?-u:\b)",
    ))
    .ok()
});

/// Function words, which never sit inside a lowercase street name.
fn is_function_word(word: &str) -> bool {
    matches!(
        word,
        "the"
            | "a"
            | "an"
            | "my"
            | "your"
            | "his"
            | "her"
            | "their"
            | "our"
            | "this"
            | "that"
            | "these"
            | "those"
            | "and"
            | "or"
            | "to"
            | "on"
            | "in"
            | "at"
            | "for"
            | "is"
            | "was"
            | "be"
            | "it"
            | "its"
            | "some"
            | "any"
            | "every"
            | "each"
            | "no"
            | "one"
            | "two"
    )
}

/// Lowercase words that describe a road rather than name it when they come right before the
/// suffix ("the open road", "a dirt road", "memory lane"); first in a longer name they may be
/// part of it ("old mill road").
fn is_describing_word(word: &str) -> bool {
    matches!(
        word,
        "same"
            | "wrong"
            | "right"
            | "left"
            | "other"
            | "next"
            | "last"
            | "dirt"
            | "gravel"
            | "back"
            | "side"
            | "open"
            | "long"
            | "toll"
            | "country"
            | "private"
            | "public"
            | "busy"
            | "icy"
            | "wet"
            | "dark"
            | "whole"
            | "entire"
            | "own"
            | "memory"
            | "fast"
            | "slow"
            | "passing"
            | "bike"
            | "bus"
            | "turning"
            | "exit"
            | "service"
            | "access"
            | "main"
            | "big"
            | "little"
            | "old"
            | "new"
            | "empty"
            | "rough"
            | "bumpy"
            | "narrow"
            | "wide"
            | "high"
            | "low"
            | "straight"
            | "closed"
            | "blocked"
            | "shared"
            | "state"
            | "interstate"
            | "city"
            | "county"
            | "local"
            | "cross"
            | "emergency"
            | "paved"
    )
}

/// Whether the text has a capital letter that carries evidence: a line's speaker label
/// ("Caller:", "Agent:") and the pronoun "I" ("I'm", "I'll") do not, so a speech-to-text turn
/// "Caller: we're on ridge road" counts as lowercase text.
fn has_capital_in_speech(text: &str) -> bool {
    text.lines().any(|line| {
        let l = line.trim_start();
        let label_end = l.find(':').filter(|&k| {
            k <= 16 && l.get(..k).is_some_and(|w| w.bytes().all(|b| b.is_ascii_alphabetic()))
        });
        let body = label_end.and_then(|k| l.get(k + 1..)).unwrap_or(l);
        body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '\'' || c == '’')).any(|w| {
            let pronoun = w == "I" || w.starts_with("I'") || w.starts_with("I’");
            !pronoun && w.bytes().any(|b| b.is_ascii_uppercase())
        })
    })
}

/// Lowercase text only: street names found by [`LOWER_STREET_RE`].
fn detect_lowercase(text: &str, name: &'static str, out: &mut Vec<Span>) {
    let Some(re) = LOWER_STREET_RE.as_ref() else { return };
    for c in re.captures_iter(text) {
        let Some(m) = c.get(1) else { continue };
        let words: Vec<&str> = m.as_str().split_whitespace().collect();
        let Some((suffix, names)) = words.split_last() else { continue };
        let Some(last) = names.last() else { continue };
        // "old mill road" is a name, "old road" is not; "main street" is the commonest name.
        let main_street = *last == "main" && *suffix == "street";
        if names.iter().any(|w| is_function_word(w)) || (is_describing_word(last) && !main_street) {
            continue;
        }
        out.push(Span::new(m.start(), m.end(), PhiType::Address, 0.6, name));
    }
}

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
        // Title Case evidence in mixed case; in all-capital text the case carries no evidence,
        // and lowercase text (speech-to-text) has its own, stricter rule.
        let has_lower = text.bytes().any(|b| b.is_ascii_lowercase());
        if doc.is_spoken_view || !has_lower {
            return;
        }
        if !has_capital_in_speech(text) {
            detect_lowercase(text, self.name(), out);
            return;
        }
        if !SUFFIX_GATE_RE.as_ref().is_some_and(|g| g.is_match(text)) {
            return;
        }
        let listed = LISTED_STREET_RE.as_ref().map(|r| r.captures_iter(text));
        for c in re.captures_iter(text).chain(listed.into_iter().flatten()) {
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
    fn streets_listed_after_a_comma_or_parenthesis() {
        assert_eq!(
            found("Called pharmacy (Walgreens, Wilmington Pike) to clarify."),
            ["Wilmington Pike"]
        );
        assert_eq!(found("Dialysis at DaVita, Brown Street."), ["Brown Street"]);
        // Only the whole-word suffixes: "Smith, Harold Dr" and "(Family Court)" stay.
        assert!(found("Seen by Smith, Harold Dr. today (Family Court).").is_empty());
    }

    #[test]
    fn lowercase_streets_named_without_a_number() {
        assert_eq!(found("i use the cvs on dixie highway"), ["dixie highway"]);
        assert_eq!(found("she lives off old mill road now"), ["old mill road"]);
        assert_eq!(found("the walgreens on spencer highway"), ["spencer highway"]);
        assert_eq!(found("we're near the 5th avenue bridge"), ["5th avenue"]);
        assert_eq!(found("he lives on main street"), ["main street"]);
        // Session 14: a speaker label and the pronoun "I" leave a turn lowercase.
        assert_eq!(found("Caller: she goes to the dialysis place on ridge road"), ["ridge road"]);
        assert_eq!(found("Caller: I'm the one on cedar lane"), ["cedar lane"]);
        assert!(found("Caller: I went on Tuesday to the Kroger on the highway").is_empty());
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
            "on our way to the clinic",
            "we drove down the open road",
            "a walk down memory lane",
            "she is in the fast lane",
            "he lives off a dirt road",
            "i was on the highway when it hit",
            "my hard drive on the road",
            "at the end of the street",
            "The Street team called.",
            "Take the Highway exit and call me.",
            "What are the symptoms of Frank Ter Haar syndrome?",
            "She moved to Elm St Mary Clinic.",
        ] {
            assert!(found(text).is_empty(), "{text:?}: {:?}", found(text));
        }
    }
}
