//! Named communities: senior living, group homes, apartment complexes and subdivisions named
//! with a Title Case word and a community head word ("Sycamore Glen", "Bethany Village",
//! "Evergreen Manor", "Golden Oaks"). Where someone lives or is cared for is a geographic
//! subdivision smaller than a state (Safe Harbor identifier 2), and these names point at one
//! building or block (session 19: "she's at Sycamore Glen, it's a group home" kept "Glen").
//!
//! Evidence is written case, so this runs on mixed-case text only: one or two Title Case words,
//! then a head word in Title Case, right after a preposition that places someone there ("at",
//! "in", "from", "to", "near", "into"). Heads that are everyday words or streets in Title Case
//! ("Court", "Place", "Square") are left out; a first word that opens a clause ("The", "My") is
//! never a name.
//!
//! Invariants: byte spans on char boundaries of `doc.text` (ASCII matches); one regex pass;
//! no panics on any input.

use std::sync::LazyLock;

use regex::Regex;

use super::named_street::is_non_name;
use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// Head words of community names.
const HEADS: &str = "Village|Manor|Glen|Gardens|Meadows|Estates|Commons|Pointe|Heights|Woods|Crossing|Landing|Ridge|Oaks|Pines|Springs|Grove|Hills|Towers|Gables|Knolls|View|Vista";

static COMMUNITY_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?:at|in|from|to|near|into)[ \t]+(?:the[ \t]+)?((?:[A-Z][a-z]+(?:'s)?[ \t]+){{1,2}}(?:{HEADS}))(?-u:\b)"
    ))
    .ok()
});

/// The detector for named communities.
#[derive(Debug, Default, Clone, Copy)]
pub struct NamedCommunities;

impl Detector for NamedCommunities {
    fn name(&self) -> &'static str {
        "address_community"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let text = doc.text;
        // Title Case is the evidence: skip spoken views and text without lowercase letters.
        if doc.is_spoken_view || !text.bytes().any(|b| b.is_ascii_lowercase()) {
            return;
        }
        let Some(re) = COMMUNITY_RE.as_ref() else { return };
        for c in re.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            let first = m.as_str().split_whitespace().next().unwrap_or("");
            if is_non_name(first) {
                continue;
            }
            out.push(Span::new(m.start(), m.end(), PhiType::Address, 0.75, self.name()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        NamedCommunities.detect(&Doc::new(text), &mut out);
        out.iter().filter_map(|s| text.get(s.start..s.end)).collect()
    }

    #[test]
    fn communities_after_a_placing_preposition() {
        assert_eq!(
            found("yeah it's for my grandmother, she's at Sycamore Glen, it's a group home"),
            ["Sycamore Glen"]
        );
        assert_eq!(
            found("it's for my mother-in-law, she's at Bethany Village"),
            ["Bethany Village"]
        );
        assert_eq!(found("Pt admitted from Golden Oaks Manor via EMS."), ["Golden Oaks Manor"]);
        assert_eq!(found("She moved into Maple Ridge last spring."), ["Maple Ridge"]);
    }

    #[test]
    fn look_alikes_stay() {
        for text in [
            "He went to Family Court on Monday.",
            "We are at The Village now.",
            "at sycamore glen",
            "AT SYCAMORE GLEN",
            "Sycamore Glen is lovely",
            "the Village People song",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn spans_are_valid(text in "\\PC{0,80}") {
            let mut out = Vec::new();
            NamedCommunities.detect(&Doc::new(&text), &mut out);
            for s in out {
                proptest::prop_assert!(s.start < s.end && s.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            }
        }
    }
}
