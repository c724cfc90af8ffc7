//! Street intersections a caller gives instead of an address: "we're at the corner of guadalupe
//! and twenty ninth", "the intersection of Lamar and 5th". Street names are geographic
//! subdivisions smaller than a state (Safe Harbor identifier 2) with or without a suffix, and a
//! corner is as precise as a house number.
//!
//! The cue ("corner of", "intersection of", "cross streets are") says a place follows; one to
//! three words, "and" or "&", one to three more. Because "the corner of her mouth and chin" has
//! the same shape, at least one side must look like a street: an ordinal ("5th", "twenty ninth"),
//! a street suffix ("Rd", "avenue"), a number, or, in mixed-case text, both sides in Title Case.

use std::sync::LazyLock;

use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// The cue, case-insensitive, ending before the first street word.
static CUE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:corner|intersection)\s+of\s+|(?-u:\b)cross\s+streets?\s+(?:are|is)\s+",
    )
    .ok()
});

/// Score of an intersection: below a numbered street address, above the tagger.
const SCORE: f32 = 0.8;

/// Words that end a side: they open a clause or name no street.
const STOPS: &[&str] = &[
    "the", "a", "an", "my", "your", "his", "her", "their", "our", "its", "this", "that", "near",
    "by", "in", "where", "across", "behind", "next", "right", "so", "because", "i", "we", "it",
    "you", "he", "she", "they", "but", "or", "then", "there", "is", "was", "are", "and", "at",
    "on", "to", "from", "with", "for", "um", "uh",
];

/// Street suffixes written out or abbreviated, lowercase.
const SUFFIX_WORDS: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "parkway",
    "pkwy",
    "highway",
    "hwy",
    "way",
    "trail",
    "pike",
    "loop",
    "circle",
    "expressway",
    "freeway",
    "plaza",
];

/// Finds intersections.
#[derive(Debug, Default)]
pub struct Intersections;

impl Detector for Intersections {
    fn name(&self) -> &'static str {
        "address_intersection"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(cue) = CUE_RE.as_ref() else { return };
        let text = doc.text;
        let mixed = text.bytes().any(|b| b.is_ascii_uppercase())
            && text.bytes().any(|b| b.is_ascii_lowercase());
        for m in cue.find_iter(text) {
            let Some((first, first_end)) = side(text, m.end()) else { continue };
            let Some(joint) = joint_after(text, first_end) else { continue };
            let Some((second, end)) = side(text, joint) else { continue };
            let street_like = [&first, &second].iter().any(|s| s.iter().any(|w| is_street_word(w)));
            let title_case =
                mixed && [&first, &second].iter().all(|s| s.iter().all(|w| is_title(w)));
            if street_like || title_case {
                out.push(Span::new(m.end(), end, PhiType::Address, SCORE, self.name()));
            }
        }
    }
}

/// One side of an intersection starting at `pos`: its words (one to three) and end offset.
fn side(text: &str, pos: usize) -> Option<(Vec<&str>, usize)> {
    let mut words = Vec::new();
    let mut end = pos;
    let mut at = pos;
    while words.len() < 3 {
        let rest = text.get(at..)?;
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
            .unwrap_or(rest.len());
        let word = rest.get(..len)?;
        if word.is_empty() || STOPS.contains(&word.to_lowercase().as_str()) {
            break;
        }
        words.push(word);
        end = at + len;
        // Only single spaces or tabs join the words of one street name.
        let after = text.get(end..).unwrap_or("");
        let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
        if gap == 0 || gap > 2 {
            break;
        }
        at = end + gap;
    }
    (!words.is_empty()).then_some((words, end))
}

/// Offset of the second side after "and" or "&" following the first side at `pos`.
fn joint_after(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?;
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let after = trimmed
        .strip_prefix("and ")
        .or_else(|| trimmed.strip_prefix("And "))
        .or_else(|| trimmed.strip_prefix("& "))?;
    let after = after.trim_start_matches([' ', '\t']);
    Some(text.len() - after.len())
}

/// An ordinal ("5th", "ninth"), a number, or a street suffix.
fn is_street_word(w: &str) -> bool {
    let low = w.to_lowercase();
    let low = low.trim_end_matches('.');
    SUFFIX_WORDS.contains(&low)
        || crate::phi::spoken::is_ordinal_word(low)
        || low.bytes().all(|b| b.is_ascii_digit())
        || (low.len() > 2
            && low.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && ["st", "nd", "rd", "th"].iter().any(|s| low.ends_with(s)))
}

/// Title Case or an ordinal/number (which has no case).
fn is_title(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase) || is_street_word(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        Intersections.detect(&Doc::new(text), &mut out);
        out.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn corners_and_intersections() {
        assert_eq!(
            found("we're at the corner of guadalupe and twenty ninth, the blue apartments"),
            ["guadalupe and twenty ninth"]
        );
        assert_eq!(found("the intersection of Lamar and 5th St."), ["Lamar and 5th St"]);
        assert_eq!(found("He lives near the corner of Elm and Maple."), ["Elm and Maple"]);
        assert_eq!(found("cross streets are oak ridge road & 12th"), ["oak ridge road & 12th"]);
    }

    #[test]
    fn body_parts_and_ideas_are_not_streets() {
        assert!(found("redness at the corner of her mouth and chin").is_empty());
        assert!(found("at the intersection of care and research").is_empty());
        assert!(found("the corner of the room and the bed").is_empty());
        assert!(found("corner of").is_empty());
        assert!(found("corner of Elm").is_empty());
    }
}
