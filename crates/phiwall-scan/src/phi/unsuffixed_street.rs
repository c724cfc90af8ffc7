//! Street lines without a street suffix, as callers and notes give them: a house number with a
//! direction ("i'm at 1409 north limestone", "we're at 220 east main, apartment 4") and a rural
//! road with its number ("lives off County Road 12", "out on state route 4", "FM 1826"). Both are
//! street addresses (Safe Harbor identifier 2); the suffixed forms are `address::StreetAddresses`.
//!
//! Evidence, because "120 over 80" and "transferred to 4 North ICU" share the digits:
//! - a house number with a direction: three or more digits, or two after a home cue ("live at",
//!   "address"), then a direction word, then one or two name words that are not a stop word
//!   (a preposition, a hospital area like "icu" or "wing", a measure like "miles");
//! - a rural road: its designation and number after a residence cue ("lives off", "out on",
//!   "house on", "address is") within the four words before it. "Take highway 35 to exit 12"
//!   is directions, not where someone lives, and stays.

use std::sync::LazyLock;

use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::phi::address::prev_words;
use crate::phi::context::contains_word;
use crate::types::PhiType;

/// Score: as a suffixed street line with a cue.
const SCORE: f32 = 0.8;

/// House number, direction, one or two words.
static DIRECTIONAL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)([0-9]{2,6})[ \t]+(?:north|south|east|west|northeast|northwest|southeast|southwest|n|s|e|w|ne|nw|se|sw)\.?[ \t]+([a-z][a-z'\-]{2,})(?:[ \t]+([a-z][a-z'\-]{2,}))?",
    )
    .ok()
});

/// A rural road designation and its number. The abbreviations "CR" and "SR" are left out: they
/// are also drug release forms ("off diltiazem SR 120", "Ambien CR 6").
static ROAD_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:county|state|township|farm to market|ranch to market|us|u\.s\.)[ \t]+(?:road|rd\.?|route|rte\.?|highway|hwy\.?)[ \t]+[0-9]{1,4}[a-z]?(?-u:\b)|(?-u:\b)(?:fm|hwy\.?)[ \t]*-?[ \t]*[0-9]{1,4}(?-u:\b)",
    )
    .ok()
});

/// Words that end or replace a street name after a direction.
const STOPS: &[&str] = &[
    "on",
    "of",
    "and",
    "to",
    "toward",
    "towards",
    "at",
    "in",
    "into",
    "the",
    "a",
    "an",
    "for",
    "from",
    "by",
    "with",
    "then",
    "that",
    "that's",
    "thats",
    "is",
    "was",
    "are",
    "so",
    "but",
    "or",
    "now",
    "today",
    "tonight",
    "yesterday",
    "tomorrow",
    "bound",
    "side",
    "wing",
    "tower",
    "unit",
    "icu",
    "picu",
    "nicu",
    "ccu",
    "micu",
    "sicu",
    "pacu",
    "stepdown",
    "floor",
    "hall",
    "building",
    "campus",
    "pavilion",
    "annex",
    "corridor",
    "pod",
    "entrance",
    "exit",
    "parking",
    "lot",
    "garage",
    "elevator",
    "elevators",
    "miles",
    "mile",
    "blocks",
    "block",
    "feet",
    "minutes",
    "degrees",
    "percent",
    "clinic",
    "hospital",
    "unit's",
    "nurses",
    "station",
    "apartment",
    "apt",
    "suite",
    "please",
    "thanks",
    "thank",
];

/// Words before a two-digit house number that say it is a home.
const HOME_CUES: &[&str] = &[
    "live", "lives", "living", "address", "moved", "home", "house", "mail", "staying", "reside",
    "resides",
];

/// Words before a rural road that say someone lives or is on it.
const ROAD_CUES: &[&str] = &[
    "live", "lives", "living", "address", "moved", "home", "house", "trailer", "farm", "ranch",
    "place", "property", "mail", "staying", "reside", "resides", "off", "out",
];

/// Finds both shapes.
#[derive(Debug, Default)]
pub struct UnsuffixedStreets;

impl Detector for UnsuffixedStreets {
    fn name(&self) -> &'static str {
        "address_unsuffixed_street"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = doc.text;
        if let Some(re) = DIRECTIONAL_RE.as_ref() {
            for c in re.captures_iter(t) {
                if let Some(end) = directional_end(t, &c) {
                    let start = c.get(0).map_or(0, |m| m.start());
                    let end = crate::phi::address::street_tail_end(t, end);
                    out.push(Span::new(start, end, PhiType::Address, SCORE, self.name()));
                }
            }
        }
        if let Some(re) = ROAD_RE.as_ref() {
            for m in re.find_iter(t) {
                // A decimal after the designation is a measurement, not a road number.
                let is_decimal = t.get(m.end()..).is_some_and(|r| {
                    r.starts_with('.') && r[1..].starts_with(|c: char| c.is_ascii_digit())
                });
                if is_free_standing(t, m.start())
                    && !is_decimal
                    && contains_word(&prev_words(t, m.start(), 4).join(" "), ROAD_CUES)
                {
                    let end = crate::phi::address::street_tail_end(t, m.end());
                    out.push(Span::new(m.start(), end, PhiType::Address, SCORE, self.name()));
                }
            }
        }
    }
}

/// End of a house-number-and-direction street line, if its evidence holds.
fn directional_end(t: &str, c: &regex::Captures<'_>) -> Option<usize> {
    let m = c.get(0)?;
    let num = c.get(1)?;
    let first = c.get(2)?;
    // House numbers do not start with 0 ("@ 0300 W FSBS" is a time and "with").
    if !is_free_standing(t, m.start()) || num.as_str().starts_with('0') {
        return None;
    }
    let home_cued = contains_word(&prev_words(t, m.start(), 4).join(" "), HOME_CUES);
    // A one-letter direction is also shorthand for "with" ("1230 w lethargy"): only an upper-case
    // letter before a Title Case word after a home cue ("lives at 38 W Magnolia").
    let direction = t.get(num.end()..first.start()).unwrap_or("").trim().trim_end_matches('.');
    if direction.len() == 1 {
        let title = first.as_str().chars().next().is_some_and(char::is_uppercase)
            && first.as_str().chars().skip(1).any(char::is_lowercase);
        let after_at = t.get(..m.start()).is_some_and(|h| h.trim_end().ends_with('@'));
        if !direction.chars().all(|c| c.is_ascii_uppercase()) || !title || after_at || !home_cued {
            return None;
        }
    }
    let is_stop = |w: &str| STOPS.contains(&w.to_lowercase().as_str());
    if is_stop(first.as_str()) {
        return None;
    }
    if num.as_str().len() == 2 && !home_cued {
        return None;
    }
    Some(match c.get(3) {
        Some(second) if !is_stop(second.as_str()) => second.end(),
        _ => first.end(),
    })
}

/// Not inside a longer token ("A1409", "$120", "3/120", "I-35").
fn is_free_standing(t: &str, start: usize) -> bool {
    let before = t.get(..start).and_then(|h| h.chars().next_back());
    !before.is_some_and(|ch| ch.is_alphanumeric() || matches!(ch, '.' | '/' | '$' | '#' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        UnsuffixedStreets.detect(&Doc::new(text), &mut out);
        out.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn house_numbers_with_a_direction() {
        assert_eq!(found("i'm at 1409 north limestone, that's in town"), ["1409 north limestone"]);
        assert_eq!(found("we're at 220 east main, apartment 4"), ["220 east main, apartment 4"]);
        assert_eq!(found("I live at 38 W Magnolia"), ["38 W Magnolia"]);
        assert_eq!(found("send it to 5512 south lamar please"), ["5512 south lamar"]);
    }

    #[test]
    fn wards_readings_and_directions_stay() {
        for text in [
            "transferred to 4 North ICU",
            "admitted to 10 west on telemetry",
            "BP 140 over 90 this morning",
            "drove 120 north on the interstate",
            "took I-35 north to exit 12",
            "pt on 12 east, stable",
            "the 300 west building entrance",
            "room 412 east wing",
            "PRESENTED TO EW 8/25 @ 1230 W LETHERGY, CONFUSION",
            "diuresed @ 0100 w moderate response",
            "started at 1400 w good effect",
            "seen 1230 W Lethargy noted",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn rural_roads_where_someone_lives() {
        assert_eq!(found("lives alone off County Road 12 outside town"), ["County Road 12"]);
        assert_eq!(found("he lives on state route 4 near the river"), ["state route 4"]);
        assert_eq!(found("our place is out on FM 1826"), ["FM 1826"]);
        assert!(found("take highway 35 to exit 12").is_empty());
        assert!(found("the accident was on county road 5").is_empty());
        assert!(found("CR 2.1 mg/dL").is_empty());
        assert!(found("took him off CR 1.4 trending down").is_empty());
        assert!(found("switched her off diltiazem SR 120 last week").is_empty());
        assert!(found("lives at home, off Ambien CR 6 now").is_empty());
    }
}
