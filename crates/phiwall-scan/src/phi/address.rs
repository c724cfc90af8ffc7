//! ADDRESS recognizers: street lines, PO boxes, city/state/ZIP, ZIP codes with context, and named
//! places below the state level (towns after a locative cue, hospital and facility names).
//!
//! Detectors:
//! - `address_street`: `1234 Elm Street`, `12 N. Main St Apt 4B`, `1234 elm street` (spoken view),
//!   extended over a unit (`Apt 4B`, `Suite 300`, `# 12`) and a following `City, ST 12345` line.
//! - `address_po_box`: `PO Box 123`, `P.O. Box 123`, `Post Office Box 9`, military `PSC 7589, Box
//!   0572`, `APO AE 09012`.
//! - `address_city_state_zip`: `Springfield, IL 62704`, `Springfield IL 62704-1234`,
//!   `Annapolis, MD` (city in the lexicon), `Lansdowne, Maryland`.
//! - `address_zip`: a ZIP or postal code after `zip`, `zip code`, `postal code` (`my zip code is
//!   94110`; `9 4 1 1 0` arrives joined in the spoken view).
//! - `address_city`: a city from the embedded US lexicon right after a locative cue (`lives in
//!   Towson`, `from Baltimore`).
//! - `address_facility`: the name of a hospital or care facility (`CALVERT HOSPITAL`, `Sacred Heart
//!   Memorial`, `Laurel Regional`, `Baltimore Rehab`, `transfer to St. Mary's`). Only the name is
//!   tagged, not the head noun: `[ADDRESS] Hospital` still reads well. The PhysioNet deid gold
//!   labels these as Location; Safe Harbor does not list facility names, but a small hospital's
//!   name locates a patient below the state level, so we treat it as geographic.
//!
//! Lexicons live in `data/places/` (hand-written public-domain facts: USPS suffixes and unit
//! designators, state codes and names, US cities) and are embedded at compile time.
//!
//! Not addresses: room and bed numbers (`room 12`, `bed 4`), a suite alone (`Suite 300`), lab values
//! and doses (`20 mg`), and `Smith, MD` (a degree, not Maryland). A street needs a number, one to
//! four name words that are not clinical or function words, and a USPS suffix. States alone and
//! countries are not Safe Harbor identifiers and are not reported.
//!
//! Invariants: byte spans on char boundaries of `doc.text`; no panics on any input; every table
//! and regex built once.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::phi::context::contains_word;
use crate::types::PhiType;

/// This family's detectors.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(StreetAddresses),
        Box::new(PoBoxes),
        Box::new(CityStateZip),
        Box::new(ZipCodes),
        Box::new(Cities),
        Box::new(Facilities),
    ]
}

const STATES_TXT: &str = include_str!("../../data/places/states.txt");
const SUFFIXES_TXT: &str = include_str!("../../data/places/street_suffixes.txt");
const UNITS_TXT: &str = include_str!("../../data/places/unit_designators.txt");
const CITIES_TXT: &str = include_str!("../../data/places/us_cities.txt");

/// Data lines of an embedded list: trimmed, without blanks and `#` comments.
fn data_lines(txt: &'static str) -> impl Iterator<Item = &'static str> {
    txt.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// State codes (upper case) and lowercased state names.
struct States {
    codes: HashSet<&'static str>,
    names: HashSet<String>,
}

static STATES: LazyLock<States> = LazyLock::new(|| {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for l in data_lines(STATES_TXT) {
        if let Some((code, name)) = l.split_once('\t') {
            codes.insert(code.trim());
            names.insert(name.trim().to_ascii_lowercase());
        }
    }
    States { codes, names }
});

/// Street suffix words that are also everyday words (`way`, `park`, `run`): lowercase matches of
/// these need a cue such as "lives at".
const RISKY_SUFFIXES: &[&str] = &[
    "way", "wy", "run", "pass", "path", "park", "loop", "mall", "row", "walk", "hill", "hl",
    "point", "trace", "vista", "vis", "summit", "cove", "cv", "ridge", "grove", "gardens",
    "heights", "meadows", "village", "manor", "view", "crossing",
];

/// Every suffix word and abbreviation, lowercased.
static SUFFIXES: LazyLock<Vec<String>> = LazyLock::new(|| {
    data_lines(SUFFIXES_TXT).flat_map(str::split_whitespace).map(str::to_ascii_lowercase).collect()
});

/// Full suffix words (`street`, `road`), which take no abbreviation dot.
static FULL_SUFFIXES: LazyLock<Vec<String>> = LazyLock::new(|| {
    data_lines(SUFFIXES_TXT)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_ascii_lowercase)
        .collect()
});

/// Every unit designator word and abbreviation, lowercased.
static UNITS: LazyLock<Vec<String>> = LazyLock::new(|| {
    data_lines(UNITS_TXT).flat_map(str::split_whitespace).map(str::to_ascii_lowercase).collect()
});

/// The city lexicon: names in their written case, and whether each needs Title Case.
struct CityLexicon {
    names: Vec<&'static str>,
    is_ambiguous: Vec<bool>,
    by_lower: HashMap<String, usize>,
    matcher: Option<AhoCorasick>,
}

static CITIES: LazyLock<CityLexicon> = LazyLock::new(|| {
    let mut names = Vec::new();
    let mut is_ambiguous = Vec::new();
    let mut by_lower = HashMap::new();
    for l in data_lines(CITIES_TXT) {
        let (name, amb) = match l.strip_prefix('*') {
            Some(n) => (n.trim(), true),
            None => (l, false),
        };
        by_lower.insert(name.to_ascii_lowercase(), names.len());
        names.push(name);
        is_ambiguous.push(amb);
    }
    let matcher = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(&names)
        .ok();
    CityLexicon { names, is_ambiguous, by_lower, matcher }
});

impl CityLexicon {
    fn lookup(&self, words: &str) -> Option<usize> {
        self.by_lower.get(&words.to_ascii_lowercase()).copied()
    }

    /// Whether `written` is an acceptable casing of lexicon entry `i`: ambiguous names only in
    /// exact Title Case, the rest in any case.
    fn case_ok(&self, i: usize, written: &str) -> bool {
        match (self.is_ambiguous.get(i), self.names.get(i)) {
            (Some(true), Some(name)) => *name == written,
            (Some(false), Some(_)) => true,
            _ => false,
        }
    }
}

fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// `a|b|c` of regex-escaped words, longest first so alternation prefers `street` over `st`.
fn alternation(words: &[String]) -> String {
    let mut w: Vec<&String> = words.iter().collect();
    w.sort_by_key(|s| std::cmp::Reverse(s.len()));
    w.dedup();
    w.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|")
}

/// Words that cannot be part of a street or place name: function words, pronouns, units,
/// clinical shorthand. A candidate name containing one is not a name.
const NAME_STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "to",
    "by",
    "with",
    "from",
    "at",
    "in",
    "on",
    "for",
    "into",
    "onto",
    "via",
    "per",
    "x",
    "times",
    "is",
    "was",
    "were",
    "are",
    "be",
    "been",
    "has",
    "had",
    "have",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "it",
    "his",
    "her",
    "their",
    "our",
    "my",
    "your",
    "its",
    "this",
    "that",
    "these",
    "those",
    "not",
    "no",
    "yes",
    "very",
    "more",
    "less",
    "than",
    "then",
    "but",
    "so",
    "as",
    "if",
    "up",
    "down",
    "out",
    "over",
    "under",
    "after",
    "before",
    "about",
    "around",
    "q",
    "qd",
    "bid",
    "tid",
    "qid",
    "prn",
    "mg",
    "mcg",
    "ml",
    "cc",
    "l",
    "units",
    "unit",
    "u",
    "tabs",
    "tab",
    "tablets",
    "pills",
    "days",
    "day",
    "weeks",
    "wk",
    "wks",
    "months",
    "years",
    "yrs",
    "yr",
    "yo",
    "hours",
    "hrs",
    "hr",
    "min",
    "mins",
    "minutes",
    "pm",
    "am",
    "beds",
    "bed",
    "pts",
    "pt",
    "patients",
    "patient",
    "pt's",
    "kids",
    "children",
    "sons",
    "daughters",
    "lbs",
    "lb",
    "kg",
    "ft",
    "feet",
    "inches",
    "miles",
    "mi",
    "blocks",
    "steps",
    "stairs",
    "flights",
    "floors",
    "mm",
    "cm",
    "sec",
    "s/p",
    "w/",
    "c/o",
    "room",
    "rm",
    "no.",
    "other",
    "another",
    "local",
    "community",
    "same",
    "previous",
    "prior",
    "different",
    "new",
    "nearest",
    "any",
    "osh",
    "private",
    "state",
    "county",
    "psychiatric",
    "psych",
    "teaching",
    "outside",
    "acute",
    "cardiac",
    "pulmonary",
    "pulm",
    "physical",
    "subacute",
    "short",
    "long",
    "term",
    "care",
    "rehabilitation",
    "facility",
    "nursing",
    "medical",
    "hospital",
    "hosp",
    "center",
    "ctr",
    "inpatient",
    "outpatient",
    "admitted",
    "transferred",
    "transfered",
    "discharged",
    "sent",
    "taken",
    "went",
    "go",
    "going",
    "come",
    "came",
    "arrived",
    "called",
    "back",
    "home",
    "left",
    "right",
    "days",
    "general",
    "va",
    "er",
    "ed",
    "ew",
    "icu",
    "ccu",
    "micu",
    "sicu",
    "csru",
    "or",
    "pacu",
    "floor",
    "unit",
    "vent",
    "trach",
    "peg",
];

/// True when `w` is a word that can appear in a street or place name.
fn is_name_word(w: &str) -> bool {
    let lw = w.trim_end_matches(['.', ',']).to_ascii_lowercase();
    if lw.is_empty() || NAME_STOP.contains(&lw.as_str()) {
        return false;
    }
    let letters = lw.chars().filter(char::is_ascii_alphabetic).count();
    let digits = lw.chars().filter(char::is_ascii_digit).count();
    if digits > 0 {
        // Numbered streets: `5th`, `42nd`, `1st`.
        return letters == 2 && ["st", "nd", "rd", "th"].iter().any(|s| lw.ends_with(s));
    }
    letters > 0
}

/// Capitalised (`Elm`), all caps (`ELM`) or otherwise starting upper case.
fn is_capitalised(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The last `n` words before `pos` on the same line, lowercased.
fn prev_words(text: &str, pos: usize, n: usize) -> Vec<String> {
    let head = text.get(..pos).unwrap_or("");
    let line = head.rsplit('\n').next().unwrap_or("");
    let mut words: Vec<String> = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '@' || c == '\''))
        .filter(|w| !w.is_empty())
        .rev()
        .take(n)
        .map(str::to_ascii_lowercase)
        .collect();
    words.reverse();
    words
}

/// Phrases before an address that say "this is where someone lives".
const ADDRESS_CUES: &[&str] = &[
    "address",
    "live at",
    "lives at",
    "living at",
    "reside at",
    "resides at",
    "located at",
    "moved to",
    "send to",
    "sent to",
    "mail to",
    "deliver to",
    "home at",
    "house at",
    "staying at",
    "my address",
];

fn span(start: usize, end: usize, score: f32, name: &'static str) -> Span {
    Span::new(start, end, PhiType::Address, score, name)
}

// ---------------------------------------------------------------------------------------------
// Street lines
// ---------------------------------------------------------------------------------------------

static STREET_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)(?-u:\b)([0-9]{{1,6}}[A-Za-z]?(?:-[0-9]{{1,4}})?)[ \t]+((?:[A-Za-z0-9][A-Za-z0-9'.\-]*[ \t]+){{1,4}}?)({})(?-u:\b)\.?",
        alternation(&SUFFIXES)
    ))
});

/// After a suffix: a trailing directional and a unit (`NW`, `Apt 4B`, `Suite 300`, `# 12`).
static UNIT_TAIL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)^(?:,?[ \t]*(?:N|S|E|W|NE|NW|SE|SW)\.?(?-u:\b))?(?:,?[ \t]*(?:(?:{})\.?[ \t]*#?[ \t]*|#[ \t]*)[A-Za-z0-9]{{0,5}}[0-9][A-Za-z0-9\-]{{0,4}}(?-u:\b))?",
        alternation(&UNITS)
    ))
});

/// `1234 Elm Street`, `12 N. Main St Apt 4B`, with a following city/state/ZIP.
pub struct StreetAddresses;

impl Detector for StreetAddresses {
    fn name(&self) -> &'static str {
        "address_street"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = STREET_RE.as_ref() else { return };
        let t = doc.text;
        for c in re.captures_iter(t) {
            let (Some(m), Some(num), Some(name), Some(suffix)) =
                (c.get(0), c.get(1), c.get(2), c.get(3))
            else {
                continue;
            };
            let before = t.get(..m.start()).and_then(|h| h.chars().next_back());
            if before.is_some_and(|ch| ch.is_alphanumeric() || matches!(ch, '.' | '/' | '$' | '#'))
                || num.as_str().trim_start_matches('0').is_empty()
            {
                continue;
            }
            let words: Vec<&str> = name.as_str().split_whitespace().collect();
            if words.is_empty() || !words.iter().all(|w| is_name_word(w)) {
                continue;
            }
            let all_caps_ok =
                words.iter().all(|w| is_capitalised(w)) && is_capitalised(suffix.as_str());
            let sfx = suffix.as_str().to_ascii_lowercase();
            let cued = contains_word(&prev_words(t, m.start(), 3).join(" "), ADDRESS_CUES);
            let mut score: f32 = if all_caps_ok {
                0.85
            } else if doc.is_spoken_view {
                0.75
            } else {
                0.6
            };
            if !all_caps_ok && RISKY_SUFFIXES.contains(&sfx.as_str()) {
                score = 0.4;
            }
            if cued {
                score += 0.15;
            }
            // `St.` keeps its dot; `Street.` ends a sentence.
            let mut end = m.end();
            if FULL_SUFFIXES.contains(&sfx) && t.get(..end).is_some_and(|h| h.ends_with('.')) {
                end -= 1;
            }
            if let Some(tail) = UNIT_TAIL_RE.as_ref().and_then(|r| r.find(t.get(end..)?)) {
                end += tail.end();
            }
            if let Some(csz) = csz_after(t, end) {
                end = csz;
                score = score.max(0.9);
            }
            out.push(span(m.start(), end, score, self.name()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// City, state, ZIP
// ---------------------------------------------------------------------------------------------

/// `Springfield, IL 62704`: up to three city words, a state (code in capitals or name in any
/// case) and a ZIP or ZIP+4.
static CSZ_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let codes: Vec<String> = STATES.codes.iter().map(|s| s.to_string()).collect();
    let names: Vec<String> = STATES.names.iter().map(|s| s.replace(' ', r"[ \t]+")).collect();
    let mut names_sorted = names;
    names_sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    compile(&format!(
        r"(?-u:\b)((?:[A-Za-z][A-Za-z'.\-]*[ \t]+){{0,2}}[A-Za-z][A-Za-z'.\-]*),?[ \t]+({}|(?i:{}))\.?,?[ \t]+([0-9]{{5}}(?:-[0-9]{{4}})?)(?-u:\b)",
        alternation(&codes),
        names_sorted.join("|")
    ))
});

/// `Annapolis, MD`, `Lansdowne, Maryland`: comma required, no ZIP.
static CITY_STATE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let codes: Vec<String> = STATES.codes.iter().map(|s| s.to_string()).collect();
    let mut names: Vec<String> = STATES.names.iter().map(|s| s.replace(' ', r"[ \t]+")).collect();
    names.sort_by_key(|s| std::cmp::Reverse(s.len()));
    compile(&format!(
        r"(?-u:\b)((?:[A-Za-z][A-Za-z'.\-]*[ \t]+){{0,2}}[A-Za-z][A-Za-z'.\-]*),[ \t]*({}|(?i:{}))(?-u:\b)",
        alternation(&codes),
        names.join("|")
    ))
});

/// Given the city words matched before a state, the byte offset (relative to the words) where the
/// city itself starts: the longest suffix in the lexicon, or else the trailing name words.
/// `None` when no word is a name word.
fn city_start(words: &str) -> Option<(usize, bool)> {
    let parts: Vec<(usize, &str)> = words
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - words.as_ptr() as usize, w))
        .collect();
    // With a state right after it, case does not matter: `JACKSON, MS` is a place.
    for (i, (off, _)) in parts.iter().enumerate() {
        let joined =
            parts.get(i..).unwrap_or(&[]).iter().map(|(_, w)| *w).collect::<Vec<_>>().join(" ");
        if CITIES.lookup(&joined).is_some() {
            return Some((*off, true));
        }
    }
    // Not in the lexicon: keep the trailing run of capitalised name words.
    let mut start = None;
    for (off, w) in parts.iter().rev() {
        if is_name_word(w) && is_capitalised(w) {
            start = Some(*off);
        } else {
            break;
        }
    }
    start.map(|s| (s, false))
}

/// If a city/state/ZIP follows `pos` (after a comma or a line break), its end.
fn csz_after(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?;
    let trimmed = rest.trim_start_matches([',', ' ', '\t', '\r', '\n']);
    let skipped = rest.len() - trimmed.len();
    if skipped > 6 {
        return None;
    }
    let m = CSZ_RE.as_ref()?.find(trimmed)?;
    (m.start() == 0).then_some(pos + skipped + m.end())
}

/// City, state and ZIP; city and state.
pub struct CityStateZip;

impl Detector for CityStateZip {
    fn name(&self) -> &'static str {
        "address_city_state_zip"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = doc.text;
        if let Some(re) = CSZ_RE.as_ref() {
            for c in re.captures_iter(t) {
                let (Some(m), Some(city), Some(zip)) = (c.get(0), c.get(1), c.get(3)) else {
                    continue;
                };
                if zip.as_str().starts_with("00000") {
                    continue;
                }
                let start = match city_start(city.as_str()) {
                    Some((off, _)) => city.start() + off,
                    None => c.get(2).map_or(m.start(), |s| s.start()),
                };
                out.push(span(start, m.end(), 0.9, self.name()));
            }
        }
        if let Some(re) = CITY_STATE_RE.as_ref() {
            for c in re.captures_iter(t) {
                let (Some(m), Some(city), Some(state)) = (c.get(0), c.get(1), c.get(2)) else {
                    continue;
                };
                let Some((off, in_lexicon)) = city_start(city.as_str()) else { continue };
                let is_full_name = state.as_str().len() > 2;
                let score = if in_lexicon {
                    0.8
                } else if is_full_name {
                    0.55
                } else {
                    // `Smith, MD`, `Jones, PA`: degrees and titles, not places.
                    continue;
                };
                out.push(span(city.start() + off, m.end(), score, self.name()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ZIP codes with context, PO boxes
// ---------------------------------------------------------------------------------------------

/// `zip 94110`, `zip code is 94110-1234`, `postal code: K1A 0B1`, `my zip code is 2200`.
static ZIP_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(?:zip|postal)(?:[ \t]*code)?(?:[ \t]*(?:is|:|#|number|=))?[ \t]*([0-9]{5}(?:-[0-9]{4})?|[0-9]{3,5}(?:[ \-][0-9]{2,4})?|[A-Z][0-9][A-Z][ ]?[0-9][A-Z][0-9])(?-u:\b)",
    )
});

/// ZIP and postal codes introduced by a zip/postal word.
pub struct ZipCodes;

impl Detector for ZipCodes {
    fn name(&self) -> &'static str {
        "address_zip"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = ZIP_RE.as_ref() else { return };
        for c in re.captures_iter(doc.text) {
            let Some(z) = c.get(1) else { continue };
            let digits = z.as_str().bytes().filter(u8::is_ascii_digit).count();
            let us = z.as_str().len() == 5 || (z.as_str().len() == 10 && digits == 9);
            out.push(span(z.start(), z.end(), if us { 0.9 } else { 0.75 }, self.name()));
        }
    }
}

static PO_BOX_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(?:p\.?[ \t]?o\.?[ \t]*|post[ \t]+office[ \t]+)box[ \t]*#?[ \t]*[0-9]{1,6}(?-u:\b)|(?-u:\b)(?:PSC|CMR|Unit)[ \t]+[0-9]{3,5},?[ \t]+Box[ \t]+[0-9]{3,5}(?-u:\b)|(?-u:\b)(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+[0-9]{5}(?-u:\b)",
    )
});

/// PO boxes and military mail addresses.
pub struct PoBoxes;

impl Detector for PoBoxes {
    fn name(&self) -> &'static str {
        "address_po_box"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = PO_BOX_RE.as_ref() else { return };
        for m in re.find_iter(doc.text) {
            let mut end = m.end();
            if let Some(e) = csz_after(doc.text, end) {
                end = e;
            }
            out.push(span(m.start(), end, 0.9, self.name()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cities after a locative cue
// ---------------------------------------------------------------------------------------------

/// Words right before a city that make it a place (`lives in`, `from`, `visiting`).
const LOCATIVE: &[&str] =
    &["in", "from", "to", "near", "at", "of", "visiting", "outside", "around", "@"];

/// Phrases that make the place someone's home.
const HOME_CUES: &[&str] = &[
    "lives in",
    "living in",
    "resides in",
    "moved to",
    "home in",
    "lives near",
    "grew up in",
    "born in",
    "originally from",
    "moved here from",
];

/// US cities from the lexicon after a locative cue.
pub struct Cities;

impl Detector for Cities {
    fn name(&self) -> &'static str {
        "address_city"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(ac) = CITIES.matcher.as_ref() else { return };
        let t = doc.text;
        let b = t.as_bytes();
        for m in ac.find_iter(t) {
            let (s, e) = (m.start(), m.end());
            let left_ok = s == 0 || b.get(s - 1).is_some_and(|c| !c.is_ascii_alphanumeric());
            let right_ok = b.get(e).is_none_or(|c| !c.is_ascii_alphanumeric());
            if !left_ok || !right_ok {
                continue;
            }
            let Some(written) = t.get(s..e) else { continue };
            if !CITIES.case_ok(m.pattern().as_usize(), written) {
                continue;
            }
            let prev = prev_words(t, s, 3);
            let last = prev.last().map(String::as_str).unwrap_or("");
            if !LOCATIVE.contains(&last) {
                continue;
            }
            let score = if contains_word(&prev.join(" "), HOME_CUES) { 0.75 } else { 0.6 };
            out.push(span(s, e, score, self.name()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Facilities
// ---------------------------------------------------------------------------------------------

/// Head nouns of facility names.
static FACILITY_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(hospital|hosp|medical[ \t]+center|medical[ \t]+ctr|med[ \t]+ctr|health[ \t]+center|memorial|regional|rehab|rehabilitation[ \t]+center|nursing[ \t]+home|nursing[ \t]+center)(?-u:\b)",
    )
});

/// `transfer to St. Mary's`, `accepted by St. Agnes`.
static SAINT_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(r"(?-u:\b)(?:St\.?|ST\.?|Saint|SAINT)[ \t]+([A-Z][A-Za-z]+(?:'[sS])?)(?-u:\b)")
});

/// Hospital and care-facility names.
pub struct Facilities;

impl Facilities {
    /// The name words right before `head_start` on the same line: up to three, stopping at a
    /// word that cannot be part of a name. Returns the start of the name.
    fn name_before(t: &str, head_start: usize) -> Option<(usize, Vec<&str>)> {
        let line = t.get(..head_start)?.rsplit('\n').next()?;
        let line_start = head_start - line.len();
        let mut start = None;
        let mut words = Vec::new();
        let mut rest = line.trim_end_matches([' ', '\t']);
        if rest.len() == line.len() {
            // The head must be a separate word.
            return None;
        }
        for _ in 0..3 {
            let ws = rest.rfind([' ', '\t', '(', '>', ',', ';', ':', '"']).map_or(0, |i| i + 1);
            let w = rest.get(ws..)?;
            if w.is_empty() || !is_name_word(w) || w.ends_with(',') {
                break;
            }
            start = Some(line_start + ws);
            words.push(w);
            if ws == 0 {
                break;
            }
            let before = rest.get(..ws)?;
            let trimmed = before.trim_end_matches([' ', '\t']);
            if trimmed.len() == before.len() {
                break;
            }
            rest = trimmed;
        }
        words.reverse();
        start.map(|s| (s, words))
    }
}

impl Detector for Facilities {
    fn name(&self) -> &'static str {
        "address_facility"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = doc.text;
        if let Some(re) = FACILITY_RE.as_ref() {
            for m in re.find_iter(t) {
                let head = m.as_str().to_ascii_lowercase();
                let Some((start, words)) = Self::name_before(t, m.start()) else { continue };
                let all_caps = words.iter().all(|w| !w.chars().any(|c| c.is_ascii_lowercase()));
                let capitalised = words.iter().all(|w| is_capitalised(w));
                let in_lexicon = CITIES.lookup(&words.join(" ")).is_some();
                let head_in_name = matches!(head.as_str(), "memorial" | "regional");
                let score = match head.as_str() {
                    // Part of the name itself: `Sacred Heart Memorial`, `Laurel Regional`.
                    "memorial" | "regional" if capitalised => 0.7,
                    "memorial" | "regional" => continue,
                    // `Baltimore Rehab`, but not `cardiac rehab`.
                    "rehab" | "nursing home" | "nursing center" if capitalised || in_lexicon => {
                        0.65
                    }
                    "rehab" | "nursing home" | "nursing center" => continue,
                    _ if capitalised && !all_caps => 0.75,
                    _ if capitalised => 0.7,
                    _ => 0.5,
                };
                let end = if head_in_name {
                    m.end()
                } else {
                    start + t.get(start..m.start()).map_or(0, |s| s.trim_end().len())
                };
                out.push(span(start, end, score, self.name()));
            }
        }
        if let Some(re) = SAINT_RE.as_ref() {
            for c in re.captures_iter(t) {
                let Some(m) = c.get(0) else { continue };
                let prev = prev_words(t, m.start(), 2);
                let last = prev.last().map(String::as_str).unwrap_or("");
                if matches!(last, "to" | "from" | "at" | "@" | "by" | "in") {
                    out.push(span(m.start(), m.end(), 0.6, self.name()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found_in(doc: &Doc<'_>) -> Vec<String> {
        let mut out = Vec::new();
        for d in detectors() {
            d.detect(doc, &mut out);
        }
        out.retain(|s| s.score >= 0.5);
        let out = crate::scanner::resolve_overlaps(out);
        out.iter().map(|s| doc.text[s.start..s.end].to_string()).collect()
    }

    fn found(text: &str) -> Vec<String> {
        found_in(&Doc::new(text))
    }

    fn assert_addr(text: &str, want: &str) {
        let f = found(text);
        assert!(f.iter().any(|s| s == want), "{text:?}: want {want:?}, got {f:?}");
    }

    fn assert_none(text: &str) {
        let f = found(text);
        assert!(f.is_empty(), "{text:?}: want nothing, got {f:?}");
    }

    #[test]
    fn lexicons_load() {
        assert_eq!(STATES.codes.len(), 56);
        assert!(STATES.names.contains("new hampshire"));
        assert!(SUFFIXES.iter().any(|s| s == "blvd"));
        assert!(UNITS.iter().any(|s| s == "ste"));
        assert!(CITIES.lookup("baltimore").is_some());
        assert!(CITIES.matcher.is_some());
        assert!(STREET_RE.is_some() && UNIT_TAIL_RE.is_some() && CSZ_RE.is_some());
        assert!(CITY_STATE_RE.is_some() && ZIP_RE.is_some() && PO_BOX_RE.is_some());
        assert!(FACILITY_RE.is_some() && SAINT_RE.is_some());
    }

    #[test]
    fn street_lines() {
        assert_addr("I live at 1234 Elm Street.", "1234 Elm Street");
        assert_addr("send it to 12 N. Main St Apt 4B please", "12 N. Main St Apt 4B");
        assert_addr("office at 500 West 42nd Street, Suite 300", "500 West 42nd Street, Suite 300");
        assert_addr("lives alone at 19 Clover St. in Lansdowne", "19 Clover St.");
        assert_addr("my address is 77 oak dr", "77 oak dr");
        assert_addr(
            "1600 Pennsylvania Ave NW, Washington, DC 20500",
            "1600 Pennsylvania Ave NW, Washington, DC 20500",
        );
        assert_addr(
            "1234 Elm Street\nSpringfield, IL 62704",
            "1234 Elm Street\nSpringfield, IL 62704",
        );
    }

    #[test]
    fn spoken_view_street() {
        let d = Doc { text: "i live at 1234 elm street okay", is_spoken_view: true };
        assert_eq!(found_in(&d), vec!["1234 elm street".to_string()]);
        let d = Doc { text: "my zip code is 94110", is_spoken_view: true };
        assert_eq!(found_in(&d), vec!["94110".to_string()]);
    }

    #[test]
    fn po_boxes_and_zip() {
        assert_addr("mail to PO Box 123 please", "PO Box 123");
        assert_addr("P.O. Box 4471, Austin, TX 78701", "P.O. Box 4471, Austin, TX 78701");
        assert_addr("PSC 7589, Box 0572", "PSC 7589, Box 0572");
        assert_addr("zip 62704", "62704");
        assert_addr("Zip code: 62704-1234", "62704-1234");
        assert_addr("postal code K1A 0B1", "K1A 0B1");
        assert_addr("My zip code is 2200", "2200");
    }

    #[test]
    fn city_state_zip() {
        assert_addr("Springfield, IL 62704", "Springfield, IL 62704");
        assert_addr("lives in Springfield IL 62704-1234.", "Springfield IL 62704-1234");
        assert_addr("OLD RECORDS FROM ANNAPOLIS, MD). CONT", "ANNAPOLIS, MD");
        assert_addr("moved from Lansdowne, Maryland last year", "Lansdowne, Maryland");
        assert_addr("LIVES IN SAN DIEGO, CA 92101", "SAN DIEGO, CA 92101");
    }

    #[test]
    fn cities_after_cues() {
        assert_addr("social--pt married, lives in catonsville, husband", "catonsville");
        assert_addr("Sister called from Seattle", "Seattle");
        assert_addr("family members in San Diego.", "San Diego");
        assert_addr("LIVES WITH SON AND FAMILY IN ROCKVILLE.", "ROCKVILLE");
        assert_addr("was vacationing in Daytona Beach when", "Daytona Beach");
        // Ambiguous names need Title Case and a cue.
        assert_addr("she moved to Mobile last year", "Mobile");
        assert_none("difficulty in reading the label");
        assert_none("Mobile crisis team called");
        assert_none("seen by Dr Austin today");
    }

    #[test]
    fn facilities() {
        assert_addr("ADMITTED IN TRANSFER FROM CALVERT HOSPITAL FOR", "CALVERT");
        assert_addr("was transfered from Memorial Hospital 9/13", "Memorial");
        assert_addr("pt being d/c'd to Sacred Heart Memorial at 4:00pm", "Sacred Heart Memorial");
        assert_addr("TAKEN TO LAUREL REGIONAL WHERE", "LAUREL REGIONAL");
        assert_addr("discharge to Baltimore Rehab tomorrow", "Baltimore");
        assert_addr("presented to holy cross hospital from", "holy cross");
        assert_addr("?transfer to St. Mary's tomorrow", "St. Mary's");
        assert_addr("went to Warren Grant hosp. for rx", "Warren Grant");
        assert_none("transferred from outside hospital");
        assert_none("admitted to the hospital for");
        assert_none("will need cardiac rehab after discharge");
        assert_none("in hospital for 3 days");
        assert_none("regional anesthesia was used");
        assert_none("on memorial day");
    }

    #[test]
    fn not_addresses() {
        for t in [
            "moved to room 12 bed 4",
            "Suite 300 is on the left",
            "K 4.2, Na 140, BUN 20 mg/dL",
            "take 20 mg po daily",
            "Dr. Smith, MD saw the patient",
            "Jones, PA-C",
            "3 way foley placed",
            "walked 100 ft in hall way",
            "2 days in a row",
            "gave 2 units prbc st",
            "pt 5 days post op",
            "ext 1234 please",
            "CT head 12 slices",
            "12 patients on the unit",
        ] {
            assert_none(t);
        }
    }
}
