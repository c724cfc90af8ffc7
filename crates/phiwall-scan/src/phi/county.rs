//! Counties, parishes and boroughs named with their head word: "Allegheny County", "cook county
//! jail", "St. Tammany Parish". A county is a geographic subdivision smaller than a state (Safe
//! Harbor identifier 2), and in speech-to-text it comes out in lowercase, where the city lexicon
//! and the Title Case rules see nothing.
//!
//! Evidence: the head word itself. The word before it must not describe rather than name
//! ("the county", "a rural county", "every county", "out of county"); in mixed-case text it must
//! be capitalised, so lowercase "orange county" in a note stays a phrase about fruit only when the
//! writer did not capitalise it.

use std::sync::LazyLock;

use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// An optional first word of two-word county names, the name word, and the head.
static COUNTY_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)((?:(?:san|santa|los|las|st\.?|saint|new|el|la|de|prince|fort|palm|du|mc|glen|grand|miami)[ \t]+)?([a-z][a-z'\-]{2,}))[ \t]+(?:county|parish|borough)(?-u:\b)",
    )
    .ok()
});

/// Words before "county" that describe or count counties rather than name one.
fn is_not_a_name(low: &str) -> bool {
    matches!(
        low,
        "the"
            | "a"
            | "an"
            | "our"
            | "my"
            | "your"
            | "his"
            | "her"
            | "their"
            | "its"
            | "this"
            | "that"
            | "these"
            | "those"
            | "which"
            | "what"
            | "whose"
            | "every"
            | "each"
            | "any"
            | "same"
            | "other"
            | "another"
            | "one"
            | "per"
            | "by"
            | "of"
            | "in"
            | "out"
            | "and"
            | "or"
            | "to"
            | "for"
            | "from"
            | "at"
            | "on"
            | "with"
            | "different"
            | "whole"
            | "entire"
            | "neighboring"
            | "neighbouring"
            | "adjacent"
            | "surrounding"
            | "nearby"
            | "next"
            | "home"
            | "rural"
            | "urban"
            | "suburban"
            | "large"
            | "small"
            | "poor"
            | "rich"
            | "wealthy"
            | "local"
            | "border"
            | "cross"
            | "native"
            | "resident"
            | "residents"
            | "metro"
            | "largest"
            | "smallest"
            | "own"
            | "some"
            | "many"
            | "few"
            | "several"
            | "all"
            | "both"
            | "no"
            | "not"
            | "inner"
            | "outer"
            | "coastal"
            | "affected"
            | "participating"
            | "reporting"
            | "high"
            | "low"
            | "counties"
            | "county"
            | "parish"
            | "borough"
            | "church"
            | "catholic"
            | "lutheran"
    )
}

/// The detector for named counties, parishes and boroughs.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountyNames;

impl Detector for CountyNames {
    fn name(&self) -> &'static str {
        "address_county"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let text = doc.text;
        // The spoken view rewrites numbers and spelled letters, never these words: the original
        // text already covers it.
        if doc.is_spoken_view {
            return;
        }
        // Cheap gate: the head words are rare.
        let has_head = text.as_bytes().windows(6).any(|w| {
            w.eq_ignore_ascii_case(b"county")
                || w.eq_ignore_ascii_case(b"parish")
                || w.eq_ignore_ascii_case(b"boroug")
        });
        if !has_head {
            return;
        }
        let Some(re) = COUNTY_RE.as_ref() else { return };
        let mixed = text.bytes().any(|b| b.is_ascii_uppercase())
            && text.bytes().any(|b| b.is_ascii_lowercase());
        for c in re.captures_iter(text) {
            let (Some(all), Some(first), Some(word)) = (c.get(0), c.get(1), c.get(2)) else {
                continue;
            };
            let head = text.get(word.end()..all.end()).unwrap_or("").trim_start();
            let word_low = word.as_str().to_ascii_lowercase();
            let first_low = first.as_str().to_ascii_lowercase();
            let first_word = first_low.split_whitespace().next().unwrap_or("");
            if is_not_a_name(&word_low) || is_not_a_name(first_word) {
                continue;
            }
            let capitalised = |s: &str| s.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            // Mixed case: "Allegheny County" or "Allegheny county", never "allegheny county";
            // "parish" in mixed case needs its capital too ("our parish priest").
            let head_ok = head.eq_ignore_ascii_case("county") || capitalised(head);
            if mixed && !(capitalised(first.as_str()) && head_ok) {
                continue;
            }
            out.push(Span::new(all.start(), all.end(), PhiType::Address, 0.7, self.name()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        CountyNames.detect(&Doc::new(text), &mut out);
        out.iter().filter_map(|s| text.get(s.start..s.end)).map(str::to_owned).collect()
    }

    #[test]
    fn named_counties() {
        assert_eq!(found("it's at the allegheny county courthouse"), ["allegheny county"]);
        assert_eq!(found("she lives in Cook County, IL"), ["Cook County"]);
        assert_eq!(found("moved to St. Tammany Parish last year"), ["St. Tammany Parish"]);
        assert_eq!(found("we're out in san bernardino county"), ["san bernardino county"]);
        assert_eq!(found("Prince George's County Hospital"), ["Prince George's County"]);
    }

    #[test]
    fn counties_described_not_named() {
        for text in [
            "she lives in the county",
            "a rural county with one clinic",
            "every county reports cases",
            "out of county transfers",
            "the neighboring county has a shelter",
            "Our parish priest visited.",
            "counties by county rank",
            "The County clinic closed.",
        ] {
            assert!(found(text).is_empty(), "{text:?}: {:?}", found(text));
        }
        // Mixed-case text: a lowercase name word is not evidence.
        assert!(found("Seen by county nurse; allegheny county form").is_empty());
    }
}
