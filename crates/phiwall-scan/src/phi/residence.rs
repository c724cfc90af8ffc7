//! Where someone lives, told by a residence cue rather than by an address's own layout:
//!
//! - a house number and street words with no USPS suffix after "lives at", "moved to", "send
//!   it to" ("we moved to 77 Kingsbury Commons", "i live at 1423 brookside");
//! - a named street without a number after "lives on", "house on" ("I live on Maple Avenue");
//! - a town the city lexicon does not know after "lives in", "grew up in", "originally from"
//!   ("her son lives in Ocean City"), in mixed-case text, when it is not a state or a country
//!   (neither is a Safe Harbor identifier).
//!
//! The street detector in `address.rs` already takes street lines with a suffix and the city
//! detector lexicon towns; this module covers what a layout rule cannot see. Every value ends
//! at the first function word, sentence end or line end, and at most a few words in, so a cue
//! never swallows the rest of a sentence. Room, bed, floor and unit words ("moved to 4 East",
//! "moved to room 12") are never a residence.
//!
//! Invariants: byte spans on char boundaries of `doc.text`; one regex pass for the cues, then a
//! bounded look at most [`MAX_WORDS`] words ahead of each (linear time); no panics on any input.

use regex::Regex;
use std::sync::LazyLock;

use super::address::{is_state_name, is_street_suffix};
use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// Most words taken after a cue.
const MAX_WORDS: usize = 5;

/// Cues after which a house number starts a residence address.
static NUMBER_CUE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:lives|live|living|resides|reside|residing|staying|stays|stay)[ \t]+(?:now[ \t]+)?at|(?:moved|moving|move|relocated|relocating)[ \t]+(?:back[ \t]+)?to|(?:mail|send|ship|deliver)[ \t]+(?:it|them|this|that|the[ \t]+\w+)[ \t]+to|(?:house|home|apartment|apt|condo)[ \t]+(?:is[ \t]+)?at)[ \t]+",
    )
    .ok()
});

/// Cues after which a named street (without a number) is where someone lives.
static STREET_CUE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:lives|live|living|resides|reside|residing|stays|staying)[ \t]+(?:right[ \t]+)?(?:on|off)|(?:house|home|apartment|condo)[ \t]+(?:is[ \t]+)?(?:on|off))[ \t]+",
    )
    .ok()
});

/// Cues after which a capitalised place name is the town someone lives in or comes from.
static TOWN_CUE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:[Ll]ives|[Ll]ive|[Ll]iving|[Rr]esides|[Rr]eside|[Rr]esiding|[Gg]rew[ \t]+up|[Bb]ased|[Ss]taying)[ \t]+(?:(?:now|alone|here|currently|independently|together)[ \t]+)?(?:with[ \t]+(?:her|his|their|my|a)[ \t]+[a-z]+[ \t]+)?in[ \t]+|(?-u:\b)(?:[Mm]oved|[Rr]elocated)[ \t]+(?:here[ \t]+)?(?:to|from)[ \t]+|(?-u:\b)(?:[Oo]riginally|[Vv]isiting)[ \t]+from[ \t]+",
    )
    .ok()
});

/// Words that end a value: function words, time words, verbs that start the next clause.
fn ends_value(low: &str) -> bool {
    matches!(
        low,
        "and"
            | "or"
            | "but"
            | "so"
            | "with"
            | "for"
            | "since"
            | "until"
            | "because"
            | "last"
            | "next"
            | "this"
            | "that"
            | "on"
            | "in"
            | "at"
            | "to"
            | "from"
            | "by"
            | "near"
            | "the"
            | "a"
            | "an"
            | "my"
            | "his"
            | "her"
            | "their"
            | "our"
            | "your"
            | "is"
            | "was"
            | "are"
            | "were"
            | "will"
            | "has"
            | "had"
            | "have"
            | "who"
            | "which"
            | "where"
            | "when"
            | "now"
            | "then"
            | "today"
            | "tomorrow"
            | "yesterday"
            | "please"
            | "thanks"
            | "if"
            | "as"
            | "of"
    )
}

/// Words that make a number after a cue something other than a house: hospital places, units of
/// measure and time.
fn not_residence(low: &str) -> bool {
    matches!(
        low,
        "room"
            | "rm"
            | "bed"
            | "floor"
            | "fl"
            | "unit"
            | "pod"
            | "wing"
            | "tower"
            | "north"
            | "south"
            | "east"
            | "west"
            | "n"
            | "s"
            | "e"
            | "w"
            | "icu"
            | "micu"
            | "sicu"
            | "ccu"
            | "or"
            | "pacu"
            | "step"
            | "stepdown"
            | "am"
            | "pm"
            | "mg"
            | "mcg"
            | "ml"
            | "units"
            | "percent"
            | "days"
            | "day"
            | "weeks"
            | "week"
            | "months"
            | "month"
            | "years"
            | "year"
            | "hours"
            | "hour"
            | "minutes"
            | "times"
            | "pills"
            | "tablets"
            | "o'clock"
            | "oclock"
    )
}

/// Countries, regions and nationalities that follow "originally from", "moved here from":
/// not a Safe Harbor identifier (only geographic units below the state are).
fn is_country(low: &str) -> bool {
    matches!(
        low,
        "mexico"
            | "canada"
            | "china"
            | "india"
            | "japan"
            | "korea"
            | "vietnam"
            | "philippines"
            | "cuba"
            | "haiti"
            | "jamaica"
            | "nigeria"
            | "ghana"
            | "kenya"
            | "ethiopia"
            | "somalia"
            | "egypt"
            | "iran"
            | "iraq"
            | "syria"
            | "lebanon"
            | "israel"
            | "pakistan"
            | "bangladesh"
            | "russia"
            | "ukraine"
            | "poland"
            | "germany"
            | "france"
            | "italy"
            | "spain"
            | "portugal"
            | "ireland"
            | "england"
            | "scotland"
            | "britain"
            | "brazil"
            | "colombia"
            | "venezuela"
            | "peru"
            | "ecuador"
            | "guatemala"
            | "honduras"
            | "salvador"
            | "nicaragua"
            | "dominican"
            | "puerto"
            | "africa"
            | "asia"
            | "europe"
            | "america"
            | "the"
            | "overseas"
            | "abroad"
            | "town"
            | "state"
            | "country"
            | "here"
            | "there"
            | "home"
    )
}

/// Words that cannot name a town: months, weekdays, seasons, generic nouns.
fn not_a_town(low: &str) -> bool {
    matches!(
        low,
        "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "spring"
            | "summer"
            | "fall"
            | "winter"
            | "assisted"
            | "section"
            | "hospice"
            | "rehab"
            | "rehabilitation"
            | "dialysis"
            | "respite"
            | "foster"
            | "i"
    ) || ends_value(low)
        || not_residence(low)
        || is_country(low)
}

/// One word of the text: its byte range, and the separator that follows it.
struct Word<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    /// The word is followed by a sentence end, a line end, a comma or other punctuation.
    is_last_of_clause: bool,
}

/// Up to `max` words starting at `from` (words are runs of letters, digits, `'`, `-`, `.` inside
/// an abbreviation like "St."), stopping at a line end or clause punctuation.
fn words_from(t: &str, from: usize, max: usize) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let b = t.as_bytes();
    let mut i = from;
    while out.len() < max {
        while b.get(i).is_some_and(|&c| c == b' ' || c == b'\t') {
            i += 1;
        }
        let start = i;
        while let Some(&c) = b.get(i) {
            let inner = (c == b'\'' || c == b'-')
                && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
                && i > start;
            if c.is_ascii_alphanumeric() || c >= 0x80 || inner {
                i += 1;
            } else {
                break;
            }
        }
        if i == start {
            break;
        }
        let Some(text) = t.get(start..i) else { break };
        let next = b.get(i).copied();
        let is_last_of_clause = !matches!(next, Some(b' ' | b'\t'));
        out.push(Word { start, end: i, text, is_last_of_clause });
        if is_last_of_clause {
            break;
        }
    }
    out
}

fn is_house_number(w: &str) -> bool {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    let rest = w.get(digits..).unwrap_or("");
    (1..=6).contains(&digits) && rest.len() <= 1 && rest.bytes().all(|c| c.is_ascii_alphabetic())
}

fn is_capitalised(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(char::is_uppercase) && cs.any(char::is_lowercase)
}

fn has_letters(w: &str) -> bool {
    w.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// Residence cues and the address, street or town after them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Residences;

impl Residences {
    /// "lives at 77 Kingsbury Commons": a house number, then one to four street words.
    fn numbered(t: &str, from: usize, out: &mut Vec<Span>) {
        let ws = words_from(t, from, MAX_WORDS);
        let Some(first) = ws.first() else { return };
        if !is_house_number(first.text) || first.is_last_of_clause {
            return;
        }
        // A time ("at 10:30") or a date ("moved to 3/4") is punctuation right after the number,
        // already excluded by `is_last_of_clause`.
        let mut end = None;
        for w in ws.iter().skip(1) {
            let low = w.text.to_ascii_lowercase();
            if not_residence(&low) && end.is_none() {
                return;
            }
            if ends_value(&low) || !has_letters(w.text) && !is_house_number(w.text) {
                break;
            }
            end = Some(w.end);
            if w.is_last_of_clause {
                break;
            }
        }
        if let Some(end) = end {
            out.push(Span::new(first.start, end, PhiType::Address, 0.65, "address_residence"));
        }
    }

    /// "lives on Maple Avenue": one to three capitalised words and a street suffix.
    fn street(t: &str, from: usize, out: &mut Vec<Span>) {
        let ws = words_from(t, from, 4);
        for (k, w) in ws.iter().enumerate().skip(1) {
            let low = w.text.to_ascii_lowercase();
            if is_street_suffix(low.trim_end_matches('.')) {
                let names = ws.get(..k).unwrap_or(&[]);
                let is_named = names
                    .iter()
                    .all(|n| is_capitalised(n.text) || n.text.bytes().all(|c| c.is_ascii_digit()));
                // "Old Court Rd": a suffix word that is part of the name, then the suffix.
                let last = ws
                    .get(k + 1)
                    .filter(|n| {
                        !w.is_last_of_clause
                            && is_street_suffix(n.text.to_ascii_lowercase().trim_end_matches('.'))
                    })
                    .unwrap_or(w);
                if is_named && (is_capitalised(w.text) || w.text.len() <= 4) {
                    if let Some(first) = ws.first() {
                        out.push(Span::new(
                            first.start,
                            last.end,
                            PhiType::Address,
                            0.65,
                            "address_residence",
                        ));
                    }
                }
                return;
            }
            if !is_capitalised(w.text) {
                return;
            }
        }
    }

    /// "lives in Ocean City": one to three capitalised words in mixed-case text, not a state or a
    /// country.
    fn town(t: &str, from: usize, out: &mut Vec<Span>) {
        let ws = words_from(t, from, 3);
        let mut end = None;
        let mut words: Vec<&str> = Vec::new();
        for w in &ws {
            let low = w.text.to_ascii_lowercase();
            if !is_capitalised(w.text) || not_a_town(&low) {
                break;
            }
            words.push(w.text);
            end = Some(w.end);
            if w.is_last_of_clause {
                break;
            }
        }
        let (Some(first), Some(end)) = (ws.first(), end) else { return };
        let joined = words.join(" ").to_ascii_lowercase();
        let first_is_state = words.first().is_some_and(|w| is_state_name(&w.to_ascii_lowercase()));
        if is_state_name(&joined) || first_is_state {
            return;
        }
        out.push(Span::new(first.start, end, PhiType::Address, 0.55, "address_residence"));
    }
}

impl Detector for Residences {
    fn name(&self) -> &'static str {
        "address_residence"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = doc.text;
        if let Some(re) = NUMBER_CUE_RE.as_ref() {
            for m in re.find_iter(t) {
                Self::numbered(t, m.end(), out);
            }
        }
        if let Some(re) = STREET_CUE_RE.as_ref() {
            for m in re.find_iter(t) {
                Self::street(t, m.end(), out);
            }
        }
        // Capitals are evidence only in mixed-case text.
        let upper = t.bytes().filter(u8::is_ascii_uppercase).count();
        let lower = t.bytes().filter(u8::is_ascii_lowercase).count();
        if upper * 10 >= (upper + lower) * 6 {
            return;
        }
        if let Some(re) = TOWN_CUE_RE.as_ref() {
            for m in re.find_iter(t) {
                Self::town(t, m.end(), out);
            }
        }
    }
}

/// This family's detectors.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    LazyLock::force(&NUMBER_CUE_RE);
    LazyLock::force(&STREET_CUE_RE);
    LazyLock::force(&TOWN_CUE_RE);
    vec![Box::new(Residences)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        Residences.detect(&Doc::new(text), &mut out);
        out.iter().filter_map(|s| text.get(s.start..s.end)).collect()
    }

    #[test]
    fn numbered_addresses_without_a_suffix() {
        assert_eq!(found("We moved to 77 Kingsbury Commons last month."), ["77 Kingsbury Commons"]);
        assert_eq!(found("i live at 1423 brookside now"), ["1423 brookside"]);
        assert_eq!(found("please send it to 12B Harbor View, thanks"), ["12B Harbor View"]);
    }

    #[test]
    fn numbers_that_are_not_residences() {
        for text in [
            "Pt moved to 4 East overnight.",
            "moved to room 12 at 3 pm",
            "she lives at 2 hours from here",
            "staying at 10:30 tonight",
            "moved to 3/4 strength feeds",
            "lives at home with wife",
            "moved to 2 mg dosing",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn named_streets_without_a_number() {
        assert_eq!(found("I live on Maple Avenue in Essex."), ["Maple Avenue"]);
        assert_eq!(found("she lives off Old Court Rd near the mall"), ["Old Court Rd"]);
        assert!(found("he lives on his own").is_empty());
        assert!(found("lives on Social Security").is_empty());
    }

    #[test]
    fn towns_the_lexicon_does_not_know() {
        assert_eq!(found("Her son, who lives in Ocean City, will visit."), ["Ocean City"]);
        assert_eq!(found("Originally from Pocomoke, she moved here."), ["Pocomoke"]);
        assert_eq!(found("Pt states she lives alone in Quincy, daughter visits."), ["Quincy"]);
        assert_eq!(found("He lives with his daughter in Dorchester."), ["Dorchester"]);
        // States, countries, generic words, lower case, all caps.
        for text in [
            "She lives in Maryland with her son.",
            "He is originally from Mexico.",
            "Lives in Assisted Living.",
            "lives in a group home",
            "she lives in ocean city",
            "PT LIVES IN OCEAN CITY WITH SON",
            "moved to ICU overnight",
            "She moved to Hospice care.",
            "Pt moved to Room 5.",
            "Lives alone in Section 8 housing.",
            "lives with her son in an apartment",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_valid(text in "(?:lives at|moved to|lives on|lives in|[0-9]{1,7}|Maple|Ave|é|Ocean|City|\\.|,|\\n| ){0,30}") {
            let mut out = Vec::new();
            Residences.detect(&Doc::new(&text), &mut out);
            for s in out {
                proptest::prop_assert!(s.start < s.end && s.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            }
        }
    }
}
