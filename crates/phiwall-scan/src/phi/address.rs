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
//! What the PhysioNet deid gold calls Location (dev split, odd patient ids) is mostly facility
//! names: the surrogate `GH` ("general hospital", 18% of Location spans), ward and building names
//! (`Quartermain 2`, 13%), hospitals (`CALVERT HOSPITAL`, `Holy Cross`, `Sacred Heart Memorial`)
//! and towns (`lives in Towson`). We catch hospitals by their head noun, saints' hospitals after
//! a movement cue, and towns from the lexicon after a locative cue. We do not learn the corpus'
//! own surrogates (`GH`, `Quartermain`, `Harbor`, `U Maryland`): they would not generalize.
//! Presidio's STREET_ADDRESS/GPE/ZIP_CODE sets are mostly non-US addresses and countries; only
//! US-style street lines, US cities and ZIPs with a cue are in scope here.
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

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};
use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::phi::context::contains_word;
use crate::types::PhiType;

/// Build this family's lazily compiled patterns and tables now, so the first scan after start
/// does not pay for them (results are the same either way).
fn warm() {
    LazyLock::force(&SAINTS);
    LazyLock::force(&STATES);
    LazyLock::force(&SUFFIXES);
    LazyLock::force(&FULL_SUFFIXES);
    LazyLock::force(&UNITS);
    LazyLock::force(&CITIES);
    LazyLock::force(&STREET_RE);
    LazyLock::force(&UNIT_TAIL_RE);
    LazyLock::force(&STATE_ZIP_RE);
    LazyLock::force(&LOWER_CODE_ZIP_RE);
    LazyLock::force(&COMMA_STATE_RE);
    LazyLock::force(&ZIP_RE);
    LazyLock::force(&ZIP_WORD_RE);
    LazyLock::force(&PO_BOX_RE);
    LazyLock::force(&PO_GATE);
    LazyLock::force(&CITY_CUE_RE);
    LazyLock::force(&SITE_CUE_RE);
    LazyLock::force(&ADDRESS_INTRO_RE);
    LazyLock::force(&FACILITY_RE);
    LazyLock::force(&EMERGENCY_RE);
    LazyLock::force(&SHARED_HOSPITAL_RE);
    LazyLock::force(&SAINT_RE);
}

/// This family's detectors.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    warm();
    vec![
        Box::new(StreetAddresses),
        Box::new(PoBoxes),
        Box::new(CityStateZip),
        Box::new(ZipCodes),
        Box::new(Cities),
        Box::new(Facilities),
        Box::new(IntroducedAddresses),
    ]
}

const STATES_TXT: &str = include_str!("../../data/places/states.txt");
const SUFFIXES_TXT: &str = include_str!("../../data/places/street_suffixes.txt");
const UNITS_TXT: &str = include_str!("../../data/places/unit_designators.txt");
const CITIES_TXT: &str = include_str!("../../data/places/us_cities.txt");
/// USPS city names (tools/build_place_lexicon.py), after the hand list.
const PLACES_TXT: &str = include_str!("../../data/places/us_places.txt");
const SAINTS_TXT: &str = include_str!("../../data/places/saints.txt");

/// Saints' names of hospitals, lowercased.
static SAINTS: LazyLock<HashSet<String>> =
    LazyLock::new(|| data_lines(SAINTS_TXT).map(str::to_ascii_lowercase).collect());

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

/// True when `low` (lowercase) is a USPS street suffix word or abbreviation.
pub(crate) fn is_street_suffix(low: &str) -> bool {
    SUFFIXES.iter().any(|s| s == low)
}

/// True when `code` is a US state or territory code in capitals ("OH").
pub(crate) fn is_state_code(code: &str) -> bool {
    STATES.codes.contains(code)
}

/// True when `low` (lowercase) is the name of a US state or territory.
pub(crate) fn is_state_name(low: &str) -> bool {
    STATES.names.contains(low)
}

/// The city lexicon: names in their written case, whether each needs Title Case, and whether it
/// needs a strong cue.
struct CityLexicon {
    names: Vec<&'static str>,
    is_ambiguous: Vec<bool>,
    /// Ambiguous names of the derived USPS list ("Medina", "Wadsworth": surnames too): taken only
    /// after a cue that names a place ("in", "from", "lives in"), never after "to", "at" or
    /// "of", which precede people as often ("spoke to Wadsworth", "the office of Medina").
    needs_strong_cue: Vec<bool>,
    /// Entries of the derived USPS list.
    is_derived: Vec<bool>,
    by_lower: HashMap<String, usize>,
    matcher: Option<AhoCorasick>,
}

static CITIES: LazyLock<CityLexicon> = LazyLock::new(|| {
    let mut names = Vec::new();
    let mut is_ambiguous = Vec::new();
    let mut needs_strong_cue = Vec::new();
    let mut is_derived = Vec::new();
    let mut by_lower = HashMap::new();
    let hand = data_lines(CITIES_TXT).map(|l| (l, false));
    let usps = data_lines(PLACES_TXT).map(|l| (l, true));
    for (l, derived) in hand.chain(usps) {
        let (name, amb) = match l.strip_prefix('*') {
            Some(n) => (n.trim(), true),
            None => (l, false),
        };
        let key = name.to_ascii_lowercase();
        if by_lower.contains_key(&key) {
            continue;
        }
        by_lower.insert(key, names.len());
        names.push(name);
        is_ambiguous.push(amb);
        needs_strong_cue.push(amb && derived);
        is_derived.push(derived);
    }
    let matcher = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .start_kind(StartKind::Anchored)
        .build(&names)
        .ok();
    CityLexicon { names, is_ambiguous, needs_strong_cue, is_derived, by_lower, matcher }
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

/// Whether `words` (as written) names a city of the lexicon in an acceptable casing: ambiguous
/// names ("Mobile", "Hope") only in Title Case.
pub(crate) fn is_known_city(words: &str) -> bool {
    CITIES.lookup(words).is_some_and(|i| CITIES.case_ok(i, words))
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
    if lw.is_empty()
        || NAME_STOP.contains(&lw.as_str())
        || lw.contains(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '\'' | '-' | '.')))
    {
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

/// Title Case: capitalised with at least one lower-case letter (`Elm`, `McAllen`), or a numbered
/// street (`42nd`). ALL CAPS text gives no case evidence.
fn is_title_case(w: &str) -> bool {
    if w.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    // Directionals and initials (`N.`, `NW`, `L`) are neutral.
    let core = w.trim_end_matches('.');
    if (1..=2).contains(&core.len()) && core.chars().all(|c| c.is_ascii_uppercase()) {
        return true;
    }
    w.starts_with(|c: char| c.is_ascii_uppercase()) && w.chars().any(|c| c.is_ascii_lowercase())
}

/// The last `n` words before `pos` on the same line, lowercased.
pub(crate) fn prev_words(text: &str, pos: usize, n: usize) -> Vec<String> {
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

/// The word starting after `pos` (spaces and tabs skipped), lowercased; empty at a line end.
fn next_word_lower(text: &str, pos: usize) -> String {
    text.get(pos..)
        .unwrap_or("")
        .trim_start_matches([' ', '\t'])
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\''))
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
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
        r"(?i)(?-u:\b)([0-9]{{1,6}}[A-Za-z]?(?:-[0-9]{{1,4}})?(?:[ \t]+[0-9]{{1,5}})?)[ \t]+((?:[A-Za-z0-9][A-Za-z0-9'.\-]*[ \t]+){{1,4}}?)({})(?-u:\b)\.?",
        alternation(&SUFFIXES)
    ))
});

/// After a suffix: a trailing directional and a unit (`NW`, `Apt 4B`, `Suite 300`, `# 12`, or a
/// unit word and one letter: `Apt B`, `apartment c`; lowercase "a" and "i" are words).
static UNIT_TAIL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)^(?:,?[ \t]*(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\.?(?-u:\b))?(?:(?:,?[ \t]*|[ \t]*\r?\n[ \t>]*)(?:(?:(?:{units})\.?[ \t]*#?[ \t]*|#[ \t]*)[A-Za-z0-9]{{0,5}}[0-9][A-Za-z0-9\-]{{0,4}}(?-u:\b)(?:[ \t](?-i:[B-HJ-Zb-hj-z])(?-u:\b))?|(?:{units})\.?[ \t]+(?-i:[B-HJ-Zb-hj-z]|[AI])(?-u:\b)))?",
        units = alternation(&UNITS)
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
            let mut words: Vec<&str> = name.as_str().split_whitespace().collect();
            if words.is_empty() || !words.iter().all(|w| is_name_word(w)) {
                continue;
            }
            // The lazy name group stops at the first suffix word; "18 orchard hill drive" and
            // "4 Spring Valley Road" go on to a full suffix that is not an everyday word.
            let mut suffix_text = suffix.as_str();
            let mut suffix_end = m.end();
            if RISKY_SUFFIXES.contains(&suffix_text.to_ascii_lowercase().as_str())
                && t.get(suffix.end()..).is_some_and(|r| r.starts_with([' ', '\t']))
            {
                let after = t.get(suffix.end()..).unwrap_or("");
                let next = after.trim_start_matches([' ', '\t']);
                let word_len = next.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(next.len());
                let low = next.get(..word_len).unwrap_or("").to_ascii_lowercase();
                if FULL_SUFFIXES.contains(&low) && !RISKY_SUFFIXES.contains(&low.as_str()) {
                    words.push(suffix_text);
                    let start = suffix.end() + (after.len() - next.len());
                    suffix_text = t.get(start..start + word_len).unwrap_or(suffix_text);
                    suffix_end = start + word_len;
                }
            }
            let sfx = suffix_text.to_ascii_lowercase();
            let is_full = FULL_SUFFIXES.contains(&sfx);
            // An upper-case abbreviation after Title Case words is clinical shorthand (`2 Head CT`,
            // `3 Axillary LN`), not a suffix (`Elm St`, `Oak Ct.`).
            let is_shouted_abbrev = !FULL_SUFFIXES.contains(&sfx)
                && !suffix_text.chars().any(|c| c.is_ascii_lowercase());
            let is_title = words.iter().all(|w| is_title_case(w))
                && words.iter().any(|w| w.chars().any(|c| c.is_ascii_lowercase()))
                && is_capitalised(suffix_text)
                && !is_shouted_abbrev;
            let is_risky = RISKY_SUFFIXES.contains(&sfx.as_str());
            let cued = contains_word(&prev_words(t, m.start(), 3).join(" "), ADDRESS_CUES);
            // Case is the main evidence: `19 Clover St.` is a street, `3 EPISODES ST` (sinus
            // tachycardia) and `2 hour period. Dr.` are not. ALL CAPS and lower case only count
            // with a full suffix word (`STREET`, `road`) that is not also an everyday word.
            let mut score: f32 = if is_title {
                0.85
            } else if !is_full || is_risky {
                0.4
            } else if doc.is_spoken_view {
                0.75
            } else if words.iter().all(|w| is_capitalised(w)) {
                0.7
            } else {
                0.6
            };
            if cued {
                score += 0.2;
            }
            // `St.` keeps its dot; `Street.` ends a sentence.
            let mut end = suffix_end;
            if FULL_SUFFIXES.contains(&sfx) && t.get(..end).is_some_and(|h| h.ends_with('.')) {
                end -= 1;
            }
            if let Some(tail) = UNIT_TAIL_RE.as_ref().and_then(|r| r.find(t.get(end..)?)) {
                end += tail.end();
            }
            if let Some(csz) = csz_after(t, end) {
                end = csz;
                score = score.max(0.9);
            } else if let Some(town) = town_after_comma(t, end) {
                end = zip_after(t, town).unwrap_or(town);
            }
            out.push(span(m.start(), end, score, self.name()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// City, state, ZIP
// ---------------------------------------------------------------------------------------------

/// Alternation of state codes (capitals only) and state names (any case).
fn state_alternation() -> String {
    let codes: Vec<String> = STATES.codes.iter().map(|s| s.to_string()).collect();
    let mut names: Vec<String> = STATES.names.iter().map(|s| s.replace(' ', r"[ \t]+")).collect();
    names.sort_by_key(|s| std::cmp::Reverse(s.len()));
    format!("{}|(?i:{})", alternation(&codes), names.join("|"))
}

/// A state followed by a ZIP or ZIP+4: `IL 62704`, `Illinois, 62704-1234`, or the ZIP alone on
/// the next line of an address block. The city is found by looking back from the state, which
/// is far cheaper than a regex that starts at every word.
static STATE_ZIP_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?-u:\b)({})\.?,?(?:[ \t]+|[ \t]*\r?\n[ \t]*)([0-9]{{5}}(?:-[0-9]{{4}})?)(?-u:\b)",
        state_alternation()
    ))
});

/// A lowercase two-letter word and a ZIP (`chicago il 60641`, typed in a portal message): a
/// state only when the code is one and a city from the lexicon stands right before it
/// ([`lower_state_zip`]), since "in", "or", "me" and "oh" are also codes.
static LOWER_CODE_ZIP_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"(?-u:\b)([a-z]{2})\.?,?[ \t]+([0-9]{5}(?:-[0-9]{4})?)(?-u:\b)"));

/// Each lowercase state code + ZIP in `text` with a known city before it: (city start, end).
fn lower_state_zip(text: &str) -> Vec<(usize, usize)> {
    let Some(re) = LOWER_CODE_ZIP_RE.as_ref() else { return Vec::new() };
    re.captures_iter(text)
        .filter_map(|c| {
            let (m, code) = (c.get(0)?, c.get(1)?);
            let upper = code.as_str().to_ascii_uppercase();
            if !STATES.codes.contains(upper.as_str()) {
                return None;
            }
            match city_before(text, m.start()) {
                Some((start, true)) => Some((start, m.end())),
                _ => None,
            }
        })
        .collect()
}

/// A comma then a state, no ZIP: `, MD`, `, Maryland`.
static COMMA_STATE_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(&format!(r",[ \t]*({})(?-u:\b)", state_alternation())));

/// Given the city words matched before a state, the byte offset (relative to the words) where the
/// city itself starts: the longest suffix in the lexicon, or else the trailing capitalised name
/// words. The flag says whether the city is in the lexicon. `None` when there is no city word.
fn city_start(words: &str) -> Option<(usize, bool)> {
    let parts: Vec<(usize, &str)> = words
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - words.as_ptr() as usize, w))
        .collect();
    // With a state right after it, case does not matter: `JACKSON, MS` is a place.
    for (i, (off, _)) in parts.iter().enumerate() {
        let joined =
            parts.get(i..).unwrap_or(&[]).iter().map(|(_, w)| *w).collect::<Vec<_>>().join(" ");
        // A surname-town of the derived list does not count: "Dr. Smith, MD" is a credential.
        if CITIES
            .lookup(&joined)
            .is_some_and(|i| !CITIES.needs_strong_cue.get(i).copied().unwrap_or(true))
        {
            return Some((*off, true));
        }
    }
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

/// The up-to-three words right before `pos` on the same line (skipping a comma and spaces), as
/// `(start of the words, the words)`. Only letters, `'`, `.`, `-` count as word characters.
fn words_before(text: &str, pos: usize) -> Option<(usize, &str)> {
    let head = text.get(..pos)?;
    let line = head.rsplit('\n').next()?;
    let line_start = pos - line.len();
    let body = line.trim_end_matches([' ', '\t', ',']);
    let mut start = body.len();
    let mut count = 0;
    let bytes = body.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphabetic() || matches!(c, b'\'' | b'.' | b'-');
    while count < 3 && start > 0 {
        let mut i = start;
        while i > 0 && bytes.get(i - 1).is_some_and(|c| is_word(*c)) {
            i -= 1;
        }
        if i == start {
            break;
        }
        start = i;
        count += 1;
        let mut j = start;
        while j > 0 && matches!(bytes.get(j - 1), Some(b' ' | b'\t')) {
            j -= 1;
        }
        if j == start || j == 0 {
            break;
        }
        if !bytes.get(j - 1).is_some_and(|c| is_word(*c)) {
            break;
        }
        start = j;
    }
    let words = body.get(start..)?.trim_start();
    if words.is_empty() {
        return None;
    }
    Some((line_start + body.len() - words.len(), words))
}

/// The start of the city before a state that starts at `state_start`, if any.
fn city_before(text: &str, state_start: usize) -> Option<(usize, bool)> {
    let (wstart, words) = words_before(text, state_start)?;
    let (off, in_lexicon) = city_start(words)?;
    Some((wstart + off, in_lexicon))
}

/// Before a state and ZIP, a comma-separated city in any case ("georgetown, texas 64213",
/// "san antonio, tx 78201" in transcripts): the one or two name words right before the comma.
/// The state and ZIP after it are evidence enough that the words are a place.
fn lowercase_city_before(text: &str, state_start: usize) -> Option<usize> {
    let head = text.get(..state_start)?;
    let trimmed = head.trim_end_matches([' ', '\t']);
    let body = trimmed.strip_suffix(',')?.trim_end_matches([' ', '\t']);
    let mut start = body.len();
    for _ in 0..2 {
        let w_start = body
            .get(..start)?
            .trim_end_matches([' ', '\t'])
            .rfind(|c: char| !(c.is_ascii_alphabetic() || matches!(c, '\'' | '.' | '-')))
            .map_or(0, |i| i + 1);
        let w_end = body.get(..start)?.trim_end_matches([' ', '\t']).len();
        let w = body.get(w_start..w_end)?;
        if w.len() < 3 || !is_name_word(w) {
            break;
        }
        start = w_start;
        // A second word only when separated by a single space ("san antonio").
        if w_start == 0 || body.as_bytes().get(w_start - 1) != Some(&b' ') {
            break;
        }
    }
    (start < body.len()).then_some(start)
}

/// End of a street line whose name ends at `end`: a trailing directional or unit
/// ([`UNIT_TAIL_RE`]) and a following city/state/ZIP are part of it.
pub(crate) fn street_tail_end(t: &str, end: usize) -> usize {
    let mut end = end;
    if let Some(tail) = UNIT_TAIL_RE.as_ref().and_then(|r| r.find(t.get(end..)?)) {
        end += tail.end();
    }
    csz_after(t, end)
        .or_else(|| town_after_comma(t, end).map(|town| zip_after(t, town).unwrap_or(town)))
        .unwrap_or(end)
}

/// End of a bare ZIP or ZIP+4 right after a street line's town ("..., Kettering, 45429"): after
/// a street and a town, five digits are the town's ZIP.
fn zip_after(t: &str, pos: usize) -> Option<usize> {
    let bytes = t.as_bytes();
    let rest = t.get(pos..)?;
    let skip = rest.len() - rest.trim_start_matches([',', ' ']).len();
    if skip == 0 || skip > 3 {
        return None;
    }
    let start = pos + skip;
    let digits_from = |from: usize| {
        bytes.get(from..).map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count())
    };
    if digits_from(start) != 5 {
        return None;
    }
    let mut end = start + 5;
    if bytes.get(end) == Some(&b'-') && digits_from(end + 1) == 4 {
        end += 5;
    }
    let glued = bytes.get(end).is_some_and(|&b| b.is_ascii_alphanumeric())
        || (matches!(bytes.get(end), Some(b'.' | b',' | b'/' | b':'))
            && bytes.get(end + 1).is_some_and(u8::is_ascii_digit));
    (!glued).then_some(end)
}

/// [`town_after`] when a comma separates the town from the street line ("4110 shiloh springs
/// road, trotwood"): the street line says the next name is its town.
fn town_after_comma(t: &str, end: usize) -> Option<usize> {
    let rest = t.get(end..)?;
    rest.trim_start_matches([' ', '\t']).starts_with(',').then(|| town_after(t, end))?
}

/// If a city/state/ZIP follows `pos` (after a comma or a line break), its end.
fn csz_after(text: &str, pos: usize) -> Option<usize> {
    let window_end = crate::detector::floor_boundary(text, (pos + 80).min(text.len()));
    let window = text.get(pos..window_end)?;
    let (city, end) = match STATE_ZIP_RE.as_ref()?.find(window) {
        Some(m) => (city_before(text, pos + m.start())?.0, pos + m.end()),
        None => {
            let (city, end) = *lower_state_zip(window).first()?;
            (pos + city, pos + end)
        }
    };
    let gap = text.get(pos..city)?;
    let is_gap_ok =
        gap.len() <= 6 && gap.chars().all(|c| matches!(c, ',' | ' ' | '\t' | '\r' | '\n'));
    is_gap_ok.then_some(end)
}

/// End of a town of the lexicon right after a box line, with no state after it ("Rural Route 2
/// Box 45, Dripping Springs"): the line is an address, so the town is its town.
fn town_after(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?;
    let skip = rest.len() - rest.trim_start_matches([',', ' ', '\t']).len();
    if skip == 0 || skip > 3 {
        return None;
    }
    town_at(text, pos + skip)
}

/// End of a town of the lexicon starting exactly at `pos` and ending at a word end, written in
/// an acceptable casing (ambiguous names such as "Hope" only in Title Case).
pub(crate) fn town_at(text: &str, pos: usize) -> Option<usize> {
    let ac = CITIES.matcher.as_ref()?;
    if pos > text.len() {
        return None;
    }
    let input = Input::new(text).span(pos..text.len()).anchored(Anchored::Yes);
    let m = ac.try_find(input).ok()??;
    let written = text.get(m.start()..m.end())?;
    let at_word_end = !text.as_bytes().get(m.end()).is_some_and(u8::is_ascii_alphanumeric);
    (at_word_end && CITIES.case_ok(m.pattern().as_usize(), written)).then_some(m.end())
}

/// City, state and ZIP; city and state.
pub struct CityStateZip;

impl Detector for CityStateZip {
    fn name(&self) -> &'static str {
        "address_city_state_zip"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = doc.text;
        if let Some(re) = STATE_ZIP_RE.as_ref() {
            for c in re.captures_iter(t) {
                let (Some(m), Some(zip)) = (c.get(0), c.get(2)) else { continue };
                if zip.as_str().starts_with("00000") {
                    continue;
                }
                // Without a city the state and ZIP still locate a person to a ZIP area.
                let start = city_before(t, m.start())
                    .map(|(s, _)| s)
                    .or_else(|| lowercase_city_before(t, m.start()))
                    .unwrap_or(m.start());
                out.push(span(start, m.end(), 0.9, self.name()));
            }
        }
        for (start, end) in lower_state_zip(t) {
            out.push(span(start, end, 0.85, self.name()));
        }
        if let Some(re) = COMMA_STATE_RE.as_ref() {
            for c in re.captures_iter(t) {
                let (Some(m), Some(state)) = (c.get(0), c.get(1)) else { continue };
                let Some((start, in_lexicon)) = city_before(t, m.start()) else { continue };
                let is_full_name = state.as_str().len() > 2;
                let score = if in_lexicon {
                    0.8
                } else if is_full_name {
                    0.55
                } else {
                    // `Smith, MD`, `Jones, PA`: degrees and titles, not places.
                    continue;
                };
                out.push(span(start, m.end(), score, self.name()));
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
        // "And the zip code on the policy?\nCaller: 74695."
        if !doc.text.contains('?') {
            return;
        }
        let Some(word_re) = ZIP_WORD_RE.as_ref() else { return };
        for m in word_re.find_iter(doc.text) {
            let Some(v) = crate::phi::structured::answer_after_question(doc.text, m.end()) else {
                continue;
            };
            let rest = doc.text.get(v..).unwrap_or("");
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            let mut end = v + n;
            let b = doc.text.as_bytes();
            if b.get(end) == Some(&b'-')
                && b.get(end + 1..end + 5).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            {
                end += 5;
            }
            let glued = b.get(end).is_some_and(|&c| c.is_ascii_alphanumeric())
                || (matches!(b.get(end), Some(b'.' | b',' | b'/' | b'-'))
                    && b.get(end + 1).is_some_and(u8::is_ascii_digit));
            if n == 5 && !glued {
                out.push(span(v, end, 0.85, self.name()));
            }
        }
    }
}

/// The word "zip" or "postal" (for a question answered in the next turn).
static ZIP_WORD_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"(?i)(?-u:\b)(?:zip|postal)(?-u:\b)"));

static PO_BOX_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(?:p\.?[ \t]?o\.?[ \t]*|post[ \t]+office[ \t]+)box[ \t]*#?[ \t]*[0-9]{1,6}(?-u:\b)|(?-u:\b)(?:PSC|CMR|Unit)[ \t]+[0-9]{3,5},?[ \t]+Box[ \t]+[0-9]{3,5}(?-u:\b)|(?-u:\b)(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+[0-9]{5}(?-u:\b)|(?-u:\b)(?:rural[ \t]+route|R\.?[ \t]?R\.?|H\.?C\.?|highway[ \t]+contract|star[ \t]+route)[ \t]*#?[ \t]*[0-9]{1,4},?[ \t]+box[ \t]*#?[ \t]*[0-9]{1,6}(?-u:\b)",
    )
});

static PO_GATE: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder().ascii_case_insensitive(true).build(["box", "apo", "fpo", "dpo"]).ok()
});

/// PO boxes, military mail addresses and rural route or highway contract boxes ("Rural Route 2
/// Box 45", "RR 2 Box 45", "HC 61 Box 12").
pub struct PoBoxes;

impl Detector for PoBoxes {
    fn name(&self) -> &'static str {
        "address_po_box"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        // The box regex has no literal prefix to search for; a case-insensitive literal gate
        // skips it for the many texts without "box" or a military post office.
        if !PO_GATE.as_ref().is_some_and(|g| g.is_match(doc.text)) {
            return;
        }
        let Some(re) = PO_BOX_RE.as_ref() else { return };
        for m in re.find_iter(doc.text) {
            let mut end = m.end();
            if let Some(e) = csz_after(doc.text, end).or_else(|| town_after(doc.text, end)) {
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
    &["in", "from", "to", "near", "at", "of", "visiting", "outside", "around", "past"];

/// Cue words that introduce a place rather than a person.
const STRONG_LOCATIVE: &[&str] = &["in", "from", "near", "visiting", "outside", "around", "past"];

/// `[Ii][Nn]` for `in`: explicit case classes. These cue words match dozens of times per note, and
/// with `(?i)` the per-match cost of the regex engine is several times higher.
fn case_classes(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            } else {
                regex::escape(&c.to_string())
            }
        })
        .collect()
}

static CITY_CUE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let words: Vec<String> = LOCATIVE.iter().map(|w| case_classes(w)).collect();
    compile(&format!(r"(?-u:\b)(?:{})[ \t]+|@[ \t]*", words.join("|")))
});

/// A determiner before a city used as a site's name ("the Fairlawn office", "our Parma
/// clinic"); the head noun after the city is checked by [`SITE_HEADS`].
static SITE_CUE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let words: Vec<String> = ["the", "our", "their", "your", "his", "her", "my"]
        .iter()
        .map(|w| case_classes(w))
        .collect();
    compile(&format!(r"(?-u:\b)(?:{})[ \t]+", words.join("|")))
});

/// Nouns after a city that make it the name of a site of an organisation.
const SITE_HEADS: &[&str] = &[
    "office",
    "offices",
    "clinic",
    "location",
    "branch",
    "campus",
    "site",
    "practice",
    "hospital",
    "er",
    "ed",
    "store",
    "plant",
    "warehouse",
    "facility",
    "center",
    "centre",
    "pharmacy",
];

/// Phrases that make the place someone's home.
const HOME_CUES: &[&str] = &[
    "live in",
    "reside in",
    "staying in",
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
    // Speech puts a direction word between "live" and "in" ("i live out in kyle", "we're over
    // in manor now").
    "live out in",
    "lives out in",
    "living out in",
    "live over in",
    "lives over in",
    "live up in",
    "live down in",
    "i'm over in",
    "we're over in",
    "we're out in",
    "i'm out in",
];

/// Words after a city name that make it an eponym ("Huntington disease", "Winchester
/// syndrome", "La Crosse encephalitis").
const EPONYM_HEADS: &[&str] = &[
    "disease",
    "disease's",
    "diseases",
    "syndrome",
    "syndromes",
    "encephalitis",
    "virus",
    "fever",
    "chorea",
    "palsy",
    "sign",
    "criteria",
    "scale",
    "classification",
    "procedure",
    "operation",
    "sarcoma",
    "lymphoma",
    "tumor",
    "anomaly",
    "disorder",
    "type",
];

/// Whether the word after `end`, or the one after it, makes the name an eponym ("Warsaw
/// breakage syndrome").
fn is_eponym_head(t: &str, end: usize) -> bool {
    let first = next_word_lower(t, end);
    if EPONYM_HEADS.contains(&first.as_str()) {
        return true;
    }
    let after = t.get(end..).unwrap_or("").trim_start_matches([' ', '\t']);
    let rest = after.get(first.len()..).unwrap_or("");
    rest.starts_with([' ', '\t']) && EPONYM_HEADS.contains(&next_word_lower(rest, 0).as_str())
}

/// US cities from the lexicon after a locative cue.
pub struct Cities;

impl Detector for Cities {
    fn name(&self) -> &'static str {
        "address_city"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let (Some(ac), Some(cue)) = (CITIES.matcher.as_ref(), CITY_CUE_RE.as_ref()) else {
            return;
        };
        let t = doc.text;
        let b = t.as_bytes();
        // Cue first, then an anchored lexicon match right after it: the cue regex has a cheap
        // literal prefilter, and the anchored search touches only a few bytes per cue.
        for c in cue.find_iter(t) {
            let input = Input::new(t).span(c.end()..t.len()).anchored(Anchored::Yes);
            let Ok(Some(m)) = ac.try_find(input) else { continue };
            let (s, e) = (m.start(), m.end());
            if b.get(e).is_some_and(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            // "Hutchinson-Gilford progeria", "Huntington disease", "La Crosse encephalitis":
            // eponyms and hyphenated compounds, not places.
            let hyphenated =
                b.get(e) == Some(&b'-') && b.get(e + 1).is_some_and(u8::is_ascii_alphabetic);
            if hyphenated || is_eponym_head(t, e) {
                continue;
            }
            let Some(written) = t.get(s..e) else { continue };
            let prev = prev_words(t, s, 3).join(" ");
            // "18 orchard hill drive in wadsworth": a town right after a street line is where
            // someone lives, as after "lives in".
            let after_street = prev_words(t, c.start(), 1)
                .first()
                .is_some_and(|w| FULL_SUFFIXES.contains(&w.to_ascii_lowercase()));
            let is_home = contains_word(&prev, HOME_CUES) || after_street;
            // "she lives in quincy": after a home cue, a lowercase transcript's ambiguous city
            // is still the city; elsewhere ambiguous names need Title Case.
            let lowercase_home = is_home && !written.bytes().any(|c| c.is_ascii_uppercase());
            if !CITIES.case_ok(m.pattern().as_usize(), written) && !lowercase_home {
                continue;
            }
            // A derived name in capitals after a lowercase cue is a gene or an acronym ("of
            // AGAT deficiency"); all-caps notes write the cue in capitals too ("IN ROCKVILLE").
            let derived_caps =
                CITIES.is_derived.get(m.pattern().as_usize()).copied().unwrap_or(true)
                    && !written.bytes().any(|c| c.is_ascii_lowercase())
                    && t.get(c.start()..c.end())
                        .is_some_and(|w| w.bytes().any(|c| c.is_ascii_lowercase()));
            if derived_caps {
                continue;
            }
            let strong_cue = is_home || {
                let w = t.get(c.start()..c.end()).unwrap_or("").trim().to_ascii_lowercase();
                STRONG_LOCATIVE.contains(&w.as_str())
            };
            if !strong_cue
                && CITIES.needs_strong_cue.get(m.pattern().as_usize()).copied().unwrap_or(true)
            {
                continue;
            }
            // Names that are also given names or surnames (`a call from Jackson`) score lower,
            // so a name recognizer's stronger finding wins the overlap.
            let ambiguous =
                CITIES.is_ambiguous.get(m.pattern().as_usize()).copied().unwrap_or(true);
            let score = match (is_home, ambiguous) {
                (true, false) => 0.75,
                (true, true) => 0.65,
                (false, false) => 0.6,
                (false, true) => 0.5,
            };
            out.push(span(s, e, score, self.name()));
        }
        if let Some(site) = SITE_CUE_RE.as_ref() {
            detect_sites(t, ac, site, self.name(), out);
        }
    }
}

/// "the Fairlawn office", "our parma heights clinic": a city of the lexicon between a determiner
/// and a site noun. Only names that are not also words or names ("the Jackson office" is Dr.
/// Jackson's).
fn detect_sites(t: &str, ac: &AhoCorasick, cue: &Regex, name: &'static str, out: &mut Vec<Span>) {
    let b = t.as_bytes();
    for c in cue.find_iter(t) {
        let input = Input::new(t).span(c.end()..t.len()).anchored(Anchored::Yes);
        let Ok(Some(m)) = ac.try_find(input) else { continue };
        let (s, e) = (m.start(), m.end());
        let i = m.pattern().as_usize();
        if b.get(e) != Some(&b' ') || CITIES.is_ambiguous.get(i).copied().unwrap_or(true) {
            continue;
        }
        let Some(written) = t.get(s..e) else { continue };
        // Lowercase and Title Case only: all capitals is an acronym ("the AGAT clinic").
        if written.len() > 1 && !written.bytes().any(|c| c.is_ascii_lowercase()) {
            continue;
        }
        if SITE_HEADS.contains(&next_word_lower(t, e).as_str()) {
            out.push(span(s, e, 0.6, name));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Addresses introduced as such
// ---------------------------------------------------------------------------------------------

/// "address is", "address:", "his address:", "new address": whatever follows is an address, in
/// any country's layout (`15 Via Carlo Cattaneo 130, Burgos`). "lives at" is left to the street
/// detector: spoken sentences rarely end with a full stop, so the value's end is unknown. The noun
/// "address" counts only with a determiner or label form, never the verb ("address 2 issues").
static ADDRESS_INTRO_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(?:(?:my|his|her|their|your|our|new|home|mailing|postal|street|billing|shipping|current|permanent|the)[ \t]+(?:(?:new|home|mailing)[ \t]+)?)?address[ \t]*(?::|-|(?-u:\b)(?:is|was|will[ \t]+be)(?-u:\b))[ \t]*:?[ \t]*",
    )
});

/// Words before "address" that make it some other kind of address.
const NOT_POSTAL: &[&str] = &["email", "e-mail", "ip", "web", "mac", "url", "wallet", "return"];

/// Addresses after an explicit introduction, to the end of the sentence or line.
pub struct IntroducedAddresses;

impl IntroducedAddresses {
    /// End of the value starting at `from`: the first sentence end (`.`, `!`, `?`, `;` before a
    /// space or the end), the line end, or 100 bytes; trailing spaces and commas trimmed.
    fn value_end(t: &str, from: usize) -> usize {
        let b = t.as_bytes();
        let limit = crate::detector::floor_boundary(t, (from + 100).min(t.len()));
        let mut i = from;
        while i < limit {
            let c = b.get(i).copied().unwrap_or(b'\n');
            let next = b.get(i + 1).copied();
            let ends = match c {
                b'.' | b'!' | b'?' | b';' => next.is_none_or(|n| n == b' ' || n == b'\n'),
                b'\n' | b'\r' => true,
                b'"' | b')' | b'(' => true,
                _ => false,
            };
            if ends {
                break;
            }
            i += 1;
        }
        let i = crate::detector::floor_boundary(t, i);
        from + t.get(from..i).map_or(0, |v| v.trim_end_matches([' ', ',', '\n', '\t']).len())
    }
}

impl Detector for IntroducedAddresses {
    fn name(&self) -> &'static str {
        "address_introduced"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = ADDRESS_INTRO_RE.as_ref() else { return };
        let t = doc.text;
        for m in re.find_iter(t) {
            let prev = prev_words(t, m.start(), 1);
            if prev.first().is_some_and(|w| NOT_POSTAL.contains(&w.as_str())) {
                continue;
            }
            let lead = m.as_str().to_ascii_lowercase();
            if NOT_POSTAL.iter().any(|w| lead.contains(w)) {
                continue;
            }
            let start = m.end();
            let end = Self::value_end(t, start);
            let Some(value) = t.get(start..end) else { continue };
            // A postal address: a house or postal number and at least two words of letters,
            // not an e-mail, a web address or a measurement.
            let words = value
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| w.chars().count() >= 2)
                .count();
            let has_number = value.bytes().any(|c| c.is_ascii_digit());
            let starts_ok = value.starts_with(|c: char| c.is_alphanumeric());
            if !has_number
                || words < 2
                || !starts_ok
                || value.contains('@')
                || value.contains("://")
                || value.to_ascii_lowercase().starts_with("www")
                || value
                    .split_whitespace()
                    .any(|w| UNIT_WORDS.contains(&w.to_ascii_lowercase().as_str()))
            {
                continue;
            }
            out.push(span(start, end, 0.7, self.name()));
        }
    }
}

/// Measurement words that make a value a dose or a lab result, not an address.
const UNIT_WORDS: &[&str] = &["mg", "mcg", "ml", "units", "mmhg", "bpm", "kg", "lbs", "%"];

// ---------------------------------------------------------------------------------------------
// Facilities
// ---------------------------------------------------------------------------------------------

/// Head nouns of facility names.
static FACILITY_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(hospital|hosp|medical[ \t]+center|medical[ \t]+ctr|medical[ \t]+associates|medical[ \t]+group|med[ \t]+ctr|health[ \t]+center|memorial|regional|adventist|rehab|rehabilitation[ \t]+center|nursing[ \t]+home|nursing[ \t]+center|hospice|care[ \t]+center|care[ \t]+centre|care[ \t]+facility|urgent[ \t]+care|assisted[ \t]+living|senior[ \t]+living|deaconess|clinic|family[ \t]+medicine|family[ \t]+practice|health|house|campus)(?-u:\b)",
    )
});

/// A named practice by its specialty (session 17): "Summit Pediatrics", "Horizon Neurology
/// Group", "Kettering Neuroscience Institute". Only in Title Case (the specialty word itself
/// capitalised) and after a place cue; the name words are tagged, not the specialty.
static PRACTICE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?-u:\b)(?:Pediatrics|Orthopedics|Orthopaedics|Cardiology|Dermatology|Neurology|Neuroscience|Oncology|Urology|Gastroenterology|Pulmonology|Rheumatology|Endocrinology|Ophthalmology|Optometry|Podiatry|Gynecology|Obstetrics|Radiology|Imaging|Dentistry|Orthodontics|Psychiatry|Chiropractic|Eye Care|Women's Health|Physical Therapy|Sports Medicine|Internal Medicine|Heart Associates|Heart Institute|Heart Center|Cancer Center|Cancer Institute)(?:[ \t]+(?:Associates|Group|Partners|Specialists|Institute|Center|Centre|Clinic|Consultants|Physicians|Care))?(?-u:\b)",
    )
});

/// A hospital's emergency department by its abbreviation, written in capitals after the name
/// (`Mercy ED`, `Franklin Square ER`).
static EMERGENCY_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"(?-u:\b)(?:ED|ER)(?-u:\b)"));

/// Title Case words that name a kind of emergency department, not a hospital ("Peds ED").
const NOT_A_HOSPITAL: &[&str] = &[
    "the",
    "our",
    "their",
    "his",
    "her",
    "peds",
    "pediatric",
    "adult",
    "main",
    "local",
    "outside",
    "nearest",
    "same",
    "another",
    "different",
    "this",
    "that",
    "osh",
    "satellite",
    "freestanding",
    "psych",
    "psychiatric",
    "trauma",
    "busy",
    "crowded",
];

/// Names that many US hospitals share (`Holy Cross`, `Sacred Heart`, `Good Samaritan`): a place
/// when a movement or place word comes before or a facility word after.
static SHARED_HOSPITAL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(?:holy[ \t]+(?:cross|family|name|redeemer|spirit)|sacred[ \t]+heart|good[ \t]+samaritan|good[ \t]+shepherd|mount[ \t]+sinai|mt\.?[ \t]+sinai|our[ \t]+lady[ \t]+of[ \t]+[a-z]+|johns[ \t]+hopkins)(?-u:\b)",
    )
});

/// `transfer to St. Mary's`, `accepted by St. Agnes`.
static SAINT_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(r"(?-u:\b)(?:St\.?|ST\.?|Saint|SAINT)[ \t]+([A-Z][A-Za-z]+(?:'[sS])?)(?-u:\b)")
});

/// Verbs and other words that end up before "hospital" or "rehab" in notes (`LEAVE HOSPITAL`,
/// `AWAITING REHAB`, `BEGIN REHAB`) and are never part of a name.
const FACILITY_VERBS: &[&str] = &[
    "leave",
    "leaving",
    "enter",
    "entering",
    "awaiting",
    "await",
    "begin",
    "start",
    "started",
    "continue",
    "con't",
    "cont",
    "needs",
    "need",
    "wants",
    "want",
    "for",
    "r/t",
    "during",
    "post",
    "pre",
    "before",
    "after",
    "until",
    "since",
    "while",
    "throughout",
    "entire",
    "whole",
    "stay",
    "course",
    "discharge",
    "visit",
    "visits",
    "screened",
    "screening",
    "consult",
    "consulted",
    "eval",
    "evaluation",
    "placement",
    "plan",
    "planning",
    "depression",
    "situational",
    "basic",
    "good",
    "great",
    "nice",
    "big",
    "large",
    "small",
    "old",
    "current",
    "this",
    "that",
    "which",
];

/// Hospital and care-facility names.
pub struct Facilities;

/// Words that name a kind of clinic or health service rather than a place ("Cardiology
/// Clinic", "Walk-in Clinic", "Home Health", "Mental Health").
fn is_clinic_kind(word: &str) -> bool {
    const KINDS: &[&str] = &[
        "the",
        "a",
        "our",
        "your",
        "his",
        "her",
        "their",
        "this",
        "that",
        "same",
        "new",
        "old",
        "main",
        "outpatient",
        "inpatient",
        "walk-in",
        "free",
        "community",
        "family",
        "primary",
        "internal",
        "medicine",
        "care",
        "urgent",
        "specialty",
        "medical",
        "health",
        "dental",
        "eye",
        "vision",
        "pain",
        "cardiology",
        "cardiac",
        "heart",
        "renal",
        "kidney",
        "liver",
        "transplant",
        "diabetes",
        "endocrine",
        "endocrinology",
        "gi",
        "gastroenterology",
        "pulmonary",
        "lung",
        "asthma",
        "allergy",
        "onc",
        "oncology",
        "cancer",
        "heme",
        "hematology",
        "coumadin",
        "anticoagulation",
        "infusion",
        "wound",
        "ortho",
        "orthopedic",
        "orthopedics",
        "sports",
        "spine",
        "neuro",
        "neurology",
        "memory",
        "sleep",
        "headache",
        "ent",
        "derm",
        "dermatology",
        "skin",
        "ob",
        "obgyn",
        "gyn",
        "prenatal",
        "women's",
        "womens",
        "pediatric",
        "pediatrics",
        "peds",
        "well-baby",
        "geriatric",
        "geriatrics",
        "hiv",
        "id",
        "travel",
        "vaccine",
        "flu",
        "covid",
        "methadone",
        "suboxone",
        "addiction",
        "psych",
        "psychiatry",
        "behavioral",
        "mental",
        "rheumatology",
        "rheum",
        "urology",
        "lipid",
        "hypertension",
        "weight",
        "nutrition",
        "fertility",
        "vascular",
        "surgical",
        "surgery",
        "trauma",
        "burn",
        "stroke",
        "epilepsy",
        "seizure",
        "ms",
        "als",
        "clinic",
        "va",
        "student",
        "employee",
        "mobile",
        // Kinds of "... Health" that are services, not a named practice.
        "home",
        "public",
        "occupational",
        "population",
        "environmental",
        "oral",
        "sexual",
        "reproductive",
        "global",
        "digital",
        "men's",
        "mens",
        "veterans",
        "school",
        "county",
        "state",
        "city",
        "national",
        "rural",
        "tribal",
        "minority",
        "child",
        "adolescent",
        "maternal",
        "infant",
        "good",
        "poor",
        "bad",
        "better",
        "optimal",
        "overall",
        "general",
    ];
    KINDS.contains(&word.trim_end_matches(['.', ',']).to_ascii_lowercase().as_str())
}

/// Specialty adjectives that make "Pediatric Cardiology" or "Interventional Radiology" a
/// service, not a practice's name.
fn is_specialty_word(low: &str) -> bool {
    const WORDS: &[&str] = &[
        "pediatric",
        "pediatrics",
        "adult",
        "interventional",
        "diagnostic",
        "general",
        "clinical",
        "medical",
        "radiation",
        "surgical",
        "cardiac",
        "behavioral",
        "child",
        "geriatric",
        "preventive",
        "sports",
        "integrative",
        "comprehensive",
        "advanced",
        "outpatient",
        "inpatient",
        "hospital",
        "department",
        "dept",
        "division",
        "section",
        "service",
        "services",
        "gyn",
        "ob",
        "womens",
        "women's",
    ];
    WORDS.contains(&low)
}

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
            // A lowercase word before a capitalised name is prose ("pt prefers Hebrew Rehab").
            let after_capital = words.last().is_some_and(|n: &&str| is_capitalised(n));
            if after_capital && w.starts_with(|c: char| c.is_ascii_lowercase()) {
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
        let first_new = out.len();
        if let Some(re) = FACILITY_RE.as_ref() {
            for m in re.find_iter(t) {
                let head = m.as_str().to_ascii_lowercase();
                let Some((start, words)) = Self::name_before(t, m.start()) else { continue };
                let all_caps = words.iter().all(|w| !w.chars().any(|c| c.is_ascii_lowercase()));
                let capitalised = words.iter().all(|w| is_capitalised(w));
                let title = words.iter().all(|w| is_title_case(w));
                if words.iter().any(|w| FACILITY_VERBS.contains(&w.to_ascii_lowercase().as_str())) {
                    continue;
                }
                let in_lexicon = CITIES.lookup(&words.join(" ")).is_some();
                let head_in_name = matches!(head.as_str(), "memorial" | "regional" | "adventist");
                // "from the KEELEY HOUSE", "lives at Grieco House", "on North Campus": a named
                // house or campus only after a place cue, never `the White house` in prose.
                let cue = prev_words(t, start, 2);
                let is_cue = |w: &String| matches!(w.as_str(), "to" | "from" | "at" | "@" | "on");
                // The cue right before the name, or before "the" ("FROM THE KEELEY HOUSE"); the
                // name never spans a sentence end ("RESP STATUS. HOUSE STAFF").
                let has_place_cue = match cue.as_slice() {
                    [a, b] if b == "the" => is_cue(a),
                    [.., b] => is_cue(b),
                    [] => false,
                } && !words.iter().any(|w| w.ends_with('.'))
                    && t.get(start..m.start()).is_some_and(|g| !g.contains(". "));
                let score = match head.as_str() {
                    "house" | "campus" if capitalised && has_place_cue && words.len() <= 2 => 0.6,
                    "house" | "campus" => continue,
                    // `Kessler Adventist`: a hospital system's name.
                    "adventist" if capitalised || has_place_cue => 0.7,
                    "adventist" => continue,
                    // Part of the name itself: `Sacred Heart Memorial`, `Laurel Regional`.
                    // A lower-case head needs two Title Case name words (`Sacred Heart memorial`),
                    // not a sentence opener (`Complex regional pain`).
                    "memorial" | "regional"
                        if capitalised && (is_capitalised(m.as_str()) || words.len() >= 2) =>
                    {
                        0.7
                    }
                    "memorial" | "regional" => continue,
                    // `Baltimore Rehab`, but not `cardiac rehab` or `AWAITING REHAB`.
                    "rehab" | "nursing home" | "nursing center" if title || in_lexicon => 0.65,
                    "rehab" | "nursing home" | "nursing center" => continue,
                    // Session 14: `Crossroads Hospice`, `Windsong Care Center`; not `Inpatient
                    // Hospice` or `Primary Care Center` (a kind of service, not a name).
                    "hospice" | "care center" | "care centre" | "care facility"
                        if (title || in_lexicon)
                            && words.len() <= 3
                            && !words.iter().any(|w| is_clinic_kind(w)) =>
                    {
                        0.65
                    }
                    "hospice" | "care center" | "care centre" | "care facility" => continue,
                    // `at Lahey Clinic`, `from Cleveland Clinic`, but not `GI Clinic` or
                    // `the Pain Clinic`: a named clinic after a place cue, no specialty word.
                    "clinic" | "health"
                        if title
                            && has_place_cue
                            && words.len() <= 2
                            && !words.iter().any(|w| is_clinic_kind(w)) =>
                    {
                        0.65
                    }
                    "clinic" | "health" => continue,
                    _ if title => 0.75,
                    _ if capitalised && all_caps => 0.6,
                    // Lower case: two-word names (`holy cross hospital`), or one word right after
                    // a movement cue (`taken to kernan hosp`); a lone word is otherwise too often
                    // an adjective (`the basic hospital`).
                    _ if words.len() >= 2 => 0.5,
                    _ if prev_words(t, start, 1)
                        .first()
                        .is_some_and(|w| matches!(w.as_str(), "to" | "from" | "at" | "@")) =>
                    {
                        0.5
                    }
                    _ => continue,
                };
                let end = if head_in_name {
                    m.end()
                } else {
                    start + t.get(start..m.start()).map_or(0, |s| s.trim_end().len())
                };
                out.push(span(start, end, score, self.name()));
            }
        }
        // "seen in Mercy ED", "brought from Franklin Square ER": Title Case name words after a
        // place cue, then the department's capitals.
        if let Some(re) = EMERGENCY_RE.as_ref() {
            for m in re.find_iter(t) {
                let Some((start, words)) = Self::name_before(t, m.start()) else { continue };
                let is_name = !words.is_empty()
                    && words.len() <= 3
                    && words.iter().all(|w| is_title_case(w))
                    && !words.iter().any(|w| {
                        let lw = w.trim_end_matches('.').to_ascii_lowercase();
                        NOT_A_HOSPITAL.contains(&lw.as_str())
                            || FACILITY_VERBS.contains(&lw.as_str())
                    });
                let cue = prev_words(t, start, 1);
                let has_cue = cue.first().is_some_and(|w| {
                    matches!(w.as_str(), "to" | "from" | "at" | "in" | "@" | "via" | "into")
                });
                if is_name && has_cue {
                    let end = start + t.get(start..m.start()).map_or(0, |g| g.trim_end().len());
                    out.push(span(start, end, 0.65, self.name()));
                }
            }
        }
        if let Some(re) = SHARED_HOSPITAL_RE.as_ref() {
            for m in re.find_iter(t) {
                let cue = prev_words(t, m.start(), 2);
                let before = cue.iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "to" | "from" | "at" | "@" | "by" | "in" | "rehab" | "transfer" | "admit"
                    )
                });
                let next = t.get(m.end()..).unwrap_or("").trim_start_matches([' ', '\t']);
                let next_word: String = next
                    .chars()
                    .take_while(char::is_ascii_alphabetic)
                    .collect::<String>()
                    .to_ascii_lowercase();
                let after = matches!(
                    next_word.as_str(),
                    "hospital" | "hosp" | "memorial" | "rehab" | "medical" | "health" | "nursing"
                );
                let shows_case = m.as_str().starts_with(|c: char| c.is_ascii_uppercase());
                let score = match (before || after, shows_case) {
                    (true, true) => 0.75,
                    (true, false) => 0.55,
                    (false, _) => continue,
                };
                // `Sacred Heart Memorial`: the name's own head word belongs to it.
                let end = if matches!(next_word.as_str(), "memorial" | "regional") {
                    t.len() - next.len() + next_word.len()
                } else {
                    m.end()
                };
                out.push(span(m.start(), end, score, self.name()));
            }
        }
        detect_practices(t, self.name(), out);
        if let Some(re) = SAINT_RE.as_ref() {
            for c in re.captures_iter(t) {
                let (Some(m), Some(name)) = (c.get(0), c.get(1)) else { continue };
                let bare = name.as_str().trim_end_matches(['s', 'S']).trim_end_matches('\'');
                if !SAINTS.contains(&name.as_str().to_ascii_lowercase())
                    && !SAINTS.contains(&bare.to_ascii_lowercase())
                {
                    continue;
                }
                let prev = prev_words(t, m.start(), 2);
                let last = prev.last().map(String::as_str).unwrap_or("");
                if matches!(last, "to" | "from" | "at" | "@" | "by" | "in") {
                    out.push(span(m.start(), m.end(), 0.6, self.name()));
                }
            }
        }
        repeat_names(t, first_new, out, self.name());
    }
}

/// "send the records to Summit Pediatrics": see [`PRACTICE_RE`]. One or two Title Case name
/// words that are not a kind of clinic or a specialty adjective, after a place cue.
fn detect_practices(t: &str, name: &'static str, out: &mut Vec<Span>) {
    let Some(re) = PRACTICE_RE.as_ref() else { return };
    for m in re.find_iter(t) {
        let Some((start, words)) = Facilities::name_before(t, m.start()) else { continue };
        let is_name = words.len() <= 2
            && words.iter().all(|w| is_title_case(w))
            && !words.iter().any(|w| {
                let lw = w.trim_end_matches('.').to_ascii_lowercase();
                is_clinic_kind(&lw)
                    || NOT_A_HOSPITAL.contains(&lw.as_str())
                    || FACILITY_VERBS.contains(&lw.as_str())
                    || is_specialty_word(&lw)
            });
        let cue = prev_words(t, start, 2);
        let is_cue =
            |w: &String| matches!(w.as_str(), "to" | "from" | "at" | "@" | "with" | "by" | "via");
        let has_cue = match cue.as_slice() {
            [a, b] if b == "the" => is_cue(a),
            [.., b] => is_cue(b),
            [] => false,
        };
        if is_name && has_cue {
            let end = start + t.get(start..m.start()).map_or(0, |g| g.trim_end().len());
            out.push(span(start, end, 0.6, name));
        }
    }
}

/// A facility named once in a note is the same place when its name recurs without the head noun
/// ("TRANSFER FROM CALVERT HOSPITAL ... 7/23 AT CALVERT- 2 FFP"): tag the other whole-word
/// occurrences of every single-word name found from `out[first_new..]` (same spelling or ALL CAPS).
fn repeat_names(t: &str, first_new: usize, out: &mut Vec<Span>, name: &'static str) {
    let found: Vec<(usize, usize)> = out
        .get(first_new..)
        .unwrap_or(&[])
        .iter()
        .filter(|s| s.score >= 0.5)
        .map(|s| (s.start, s.end))
        .collect();
    for (s, e) in found {
        let Some(word) = t.get(s..e) else { continue };
        // One capitalised word of letters: multi-word names carry their own evidence.
        if word.len() < 4
            || !word.bytes().all(|b| b.is_ascii_alphabetic())
            || !word.starts_with(|c: char| c.is_ascii_uppercase())
            || FACILITY_VERBS.contains(&word.to_ascii_lowercase().as_str())
        {
            continue;
        }
        let hay = t.as_bytes();
        let w = word.as_bytes();
        let mut i = 0;
        while i + w.len() <= hay.len() {
            // Same spelling, or the ALL CAPS form (`Calvert` and `CALVERT`), never a lower-case
            // word (`Mercy Hospital` vs "showed mercy").
            let is_hit = hay.get(i..i + w.len()).is_some_and(|h| {
                h == w || (h.eq_ignore_ascii_case(w) && h.iter().all(|b| !b.is_ascii_lowercase()))
            }) && (i == 0 || !hay.get(i - 1).is_some_and(u8::is_ascii_alphanumeric))
                && !hay.get(i + w.len()).is_some_and(u8::is_ascii_alphanumeric);
            if is_hit && i != s && t.is_char_boundary(i) {
                out.push(span(i, i + w.len(), 0.6, name));
                i += w.len();
            } else {
                i += 1;
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
        assert!(STREET_RE.is_some() && UNIT_TAIL_RE.is_some() && STATE_ZIP_RE.is_some());
        assert!(COMMA_STATE_RE.is_some() && ZIP_RE.is_some() && PO_BOX_RE.is_some());
        assert!(PO_GATE.is_some() && CITY_CUE_RE.is_some());
        assert!(FACILITY_RE.is_some() && SAINT_RE.is_some());
    }

    #[test]
    fn street_lines() {
        assert_addr("I live at 1234 Elm Street.", "1234 Elm Street");
        // Session 14: a name holding an everyday suffix word goes on to the full suffix.
        assert_addr("i live at 18 orchard hill drive", "18 orchard hill drive");
        assert_addr("She lives at 4 Spring Valley Road, Akron", "4 Spring Valley Road, Akron");
        // Session 18: a bare ZIP after the street line's town, past a unit too.
        assert_addr(
            "I'm at 4410 Kings Highway, apartment 3C, Kettering, 45429 if you need it",
            "4410 Kings Highway, apartment 3C, Kettering, 45429",
        );
        assert_addr(
            "She lives at 4 Spring Valley Road, Akron, 44301-2210.",
            "4 Spring Valley Road, Akron, 44301-2210",
        );
        assert_addr(
            "She lives at 4 Spring Valley Road, Akron, 12.5 miles",
            "4 Spring Valley Road, Akron",
        );
        // Session 14: a unit letter after the unit number, as speech-to-text writes it.
        assert_addr(
            "we moved to 1041 east 9th street apartment 12 b",
            "1041 east 9th street apartment 12 b",
        );
        assert_addr("I live at 12 Elm St Apt 4 a few blocks away", "12 Elm St Apt 4");
        assert_addr("send it to 12 N. Main St Apt 4B please", "12 N. Main St Apt 4B");
        assert_addr("office at 500 West 42nd Street, Suite 300", "500 West 42nd Street, Suite 300");
        assert_addr("at 10 5th Street South today", "10 5th Street South");
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
        let d = Doc {
            text: "i live at 55 north main street apartment 4 in springfield illinois 62704",
            is_spoken_view: true,
        };
        assert_eq!(
            found_in(&d),
            vec![
                "55 north main street apartment 4".to_string(),
                "springfield illinois 62704".to_string()
            ]
        );
        let d =
            Doc { text: "i live at 22 oak hollow lane apartment b in town", is_spoken_view: true };
        assert_eq!(found_in(&d), vec!["22 oak hollow lane apartment b".to_string()]);
        let d = Doc { text: "22 Oak Hollow Lane Apt B, Springfield", is_spoken_view: false };
        assert_eq!(found_in(&d)[0], "22 Oak Hollow Lane Apt B, Springfield");
        // Lowercase "a" after a unit word is the article.
        let d =
            Doc { text: "at 22 oak hollow lane apartment a few blocks away", is_spoken_view: true };
        assert_eq!(found_in(&d), vec!["22 oak hollow lane".to_string()]);
        // Typed in lowercase: a state code counts only after a city from the lexicon.
        let d = Doc::new("send it to 4410 w belmont ave chicago il 60641 thanks");
        assert_eq!(found_in(&d), vec!["4410 w belmont ave chicago il 60641".to_string()]);
        let d = Doc::new("moved to chicago, il 60641 last year");
        assert_eq!(found_in(&d), vec!["chicago, il 60641".to_string()]);
        assert!(found_in(&Doc::new("we saw them in 20000 cases")).is_empty());
        assert!(found_in(&Doc::new("call me 60641 or in 60641")).is_empty());
        let d = Doc { text: "we live in springfield now", is_spoken_view: true };
        assert_eq!(found_in(&d), vec!["springfield".to_string()]);
        // "street" with a clinical word before it is not an address.
        let d = Doc { text: "she fell 2 times on the street", is_spoken_view: true };
        assert!(found_in(&d).is_empty());
    }

    #[test]
    fn town_after_a_street_line_and_a_comma() {
        // Session 16: the street line says the next name is its town.
        assert_addr(
            "Ship it to 88 Bellbrook Ave, Beavercreek please.",
            "88 Bellbrook Ave, Beavercreek",
        );
        assert_addr("she lives at 12 Oak Street, Medina now", "12 Oak Street, Medina");
        // No comma, or no town of the lexicon: the street line alone.
        assert_addr("she lives at 12 Oak Street then moved", "12 Oak Street");
        assert_addr("12 Oak Street, then left at the light", "12 Oak Street");
    }

    #[test]
    fn po_boxes_and_zip() {
        assert_addr("mail to PO Box 123 please", "PO Box 123");
        assert_addr("P.O. Box 4471, Austin, TX 78701", "P.O. Box 4471, Austin, TX 78701");
        assert_addr("PSC 7589, Box 0572", "PSC 7589, Box 0572");
        // Session 15: rural route and highway contract boxes, and a town with no state after.
        assert_addr(
            "Rural Route 2 Box 45, Dripping Springs.",
            "Rural Route 2 Box 45, Dripping Springs",
        );
        assert_addr(
            "RR 2 Box 45, Dripping Springs, TX 78620",
            "RR 2 Box 45, Dripping Springs, TX 78620",
        );
        assert_addr("HC 61 Box 12", "HC 61 Box 12");
        assert_addr("PO Box 77, Medina", "PO Box 77, Medina");
        assert!(found_in(&Doc::new("HR 72, box of gauze")).is_empty());
        assert_addr("zip 62704", "62704");
        assert_addr("Zip code: 62704-1234", "62704-1234");
        assert_addr("postal code K1A 0B1", "K1A 0B1");
        assert_addr("My zip code is 2200", "2200");
        assert_addr("agent: And the zip code on the policy?\ncaller: 74695.\nagent: ok", "74695");
        assert_addr("What's your zip? It's 21201-1234, why", "21201-1234");
        // A sentence between, a longer number, or a dose.
        assert!(found_in(&Doc::new("Zip code? No. Take 74695 units")).is_empty());
        assert!(found_in(&Doc::new("What zip code do you use? 746951234")).is_empty());
        assert!(found_in(&Doc::new("zip on file? 12345.5 ok")).is_empty());
    }

    #[test]
    fn introduced_addresses() {
        assert_addr(
            "Christian had given Lukas his address: 15 Via Carlo Cattaneo 130, Burgos",
            "15 Via Carlo Cattaneo 130, Burgos",
        );
        assert_addr(
            "please update my new address is 19 Joan Maetsuyckerstraat 15, Den Haag. Thanks",
            "19 Joan Maetsuyckerstraat 15, Den Haag",
        );
        assert_addr("her home address is 95 Lille Vibyvej 8, Måløv", "95 Lille Vibyvej 8, Måløv");
        assert_addr("Address: 221B Baker Street, London\nNext", "221B Baker Street, London");
        // The verb, other kinds of address, and values without a number.
        assert_none("we will address 2 issues today");
        assert_none("my email address is jo.smith99@example.com");
        assert_none("her IP address is 10.0.0.12 today");
        assert_none("the address? It is 2 blocks away");
        assert_none("new address pending, 2 letters returned");
    }

    #[test]
    fn city_state_zip() {
        assert_addr("Springfield, IL 62704", "Springfield, IL 62704");
        assert_addr("lives in Springfield IL 62704-1234.", "Springfield IL 62704-1234");
        assert_addr("OLD RECORDS FROM ANNAPOLIS, MD). CONT", "ANNAPOLIS, MD");
        assert_addr("moved from Lansdowne, Maryland last year", "Lansdowne, Maryland");
        assert_addr("LIVES IN SAN DIEGO, CA 92101", "SAN DIEGO, CA 92101");
        // Lowercase transcripts: a comma-separated city before a state and ZIP.
        // A city of the lexicon (session 12) joins the street line before it into one address.
        assert_addr(
            "i live at 26 maple way, georgetown, texas 64213.",
            "26 maple way, georgetown, texas 64213",
        );
        assert_addr("i live at 26 maple way, fernvale, texas 64213.", "fernvale, texas 64213");
        assert_addr("that's in san antonio, texas 78201 ok", "san antonio, texas 78201");
        // No comma, or a function word: only the state and ZIP.
        assert_addr("moved to the texas 78201 area", "texas 78201");
        assert_addr("it is in, texas 78201", "texas 78201");
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
        // Session 12's mid-size cities; an ambiguous one in lowercase after a home cue only.
        assert_addr("the clinic in Renton is closer", "Renton");
        assert_addr("we drove down from Kent yesterday", "Kent");
        assert_addr("she lives in quincy with her son", "quincy");
        // Session 15: a direction word between "live" and "in" is still a home cue.
        assert_addr("i live out in kyle, off of center street", "kyle");
        assert_addr("we're over in kyle now", "kyle");
        assert_none("we're out in the hall now");
        // Session 17: "out past <town>", how callers place a rural home.
        assert_addr("he lives by himself out past Spring Valley", "Spring Valley");
        assert_addr("we live just past Xenia on route 42", "Xenia");
        assert_none("in the past week her sugars were high");
        assert_none("Past Medical History: HTN, DM2");
        // Session 14: an envelope block with the ZIP on its own line.
        assert_addr(
            "PO Box 2231\nNorth Royalton OH\n44133",
            "PO Box 2231\nNorth Royalton OH\n44133",
        );
        assert_none("I'm from kent originally");
        assert_none("episodes of flushing after niacin");
        assert_none("this is of paramount importance");
        assert_none("What are the symptoms of Huntington disease ?");
        assert_none("changes related to Hutchinson-Gilford progeria");
    }

    #[test]
    fn derived_usps_places_after_cues() {
        // Session 14: towns of the derived USPS list, in lowercase transcripts too.
        assert_addr("we're at the house in parma heights", "parma heights");
        assert_addr("the dialysis place in north royalton", "north royalton");
        assert_addr("Pt works at the Giant Eagle in Fairlawn.", "Fairlawn");
        // A surname-town of the derived list only in Title Case after a place cue.
        assert_addr("she moved here from Wadsworth last year", "Wadsworth");
        assert_none("spoke to Wadsworth about the plan");
        assert_none("the office of Medina called");
        assert_none("she drove over from wadsworth yesterday");
        assert_addr("the new place is 18 orchard hill drive in wadsworth", "wadsworth");
        // States, countries and one-word English words stay out of the derived list.
        assert_none("she moved here from Nevada");
        assert_none("his family is in Lebanon");
        assert_none("transferred to Surgery this morning");
        assert_none("she went home in Paradise mood");
        // Genes and eponyms.
        assert_none("Treatment of AGAT deficiency is focused on");
        assert_none("What are the genetic changes related to Warsaw breakage syndrome ?");
        assert_addr("LIVES WITH HER SISTER IN PARMA HEIGHTS.", "PARMA HEIGHTS");
        // A city naming a site of an organisation.
        assert_addr("PCP is Anjali Rao, NP at the Fairlawn office.", "Fairlawn");
        assert_addr("dr. fairweather sent me over from our parma heights clinic", "parma heights");
        assert_none("Please call the Jackson office tomorrow.");
        assert_none("the main office is closed");
    }

    #[test]
    fn facilities() {
        // Session 14: hospices and care centres by name.
        assert_addr("Bernadette from Crossroads Hospice will meet family", "Crossroads");
        assert_addr("pt to go to Briarwood Care Center in Akron.", "Briarwood");
        assert_none("Referred to Inpatient Hospice for comfort care.");
        assert_none("Follow up at the Primary Care Center next week.");
        assert_none("discussed hospice care with the family");
        assert_addr("ADMITTED IN TRANSFER FROM CALVERT HOSPITAL FOR", "CALVERT");
        assert_addr("was transfered from Memorial Hospital 9/13", "Memorial");
        assert_addr("pt being d/c'd to Sacred Heart Memorial at 4:00pm", "Sacred Heart Memorial");
        assert_addr("TAKEN TO LAUREL REGIONAL WHERE", "LAUREL REGIONAL");
        assert_addr("discharge to Baltimore Rehab tomorrow", "Baltimore");
        assert_addr("pt prefers Hebrew Rehab in the fall", "Hebrew");
        assert_addr("prior summary dated 3/14/2023 at Lahey Clinic.", "Lahey");
        assert_addr("transferred from Cleveland Clinic today", "Cleveland");
        assert_none("f/u at Cardiology Clinic next week");
        assert_none("seen in the GI clinic");
        assert_none("Clinic notes reviewed");
        assert_addr("PCP is Dr. Farnsworth at Harbor Health, appt 12/9", "Harbor");
        assert_none("referred to Home Health for wound care");
        assert_none("follow up with Behavioral Health at 3 pm");
        assert_none("National Institute of Mental Health");
        assert_addr("presented to holy cross hospital from", "holy cross");
        assert_addr("?transfer to St. Mary's tomorrow", "St. Mary's");
        assert_addr("had a heart transplant at Holy Cross. This friend", "Holy Cross");
        assert_addr("Pt is prepared to go to Sacred Heart Vital signs", "Sacred Heart");
        assert_addr("go to rehab(sacred heart Memorial) today", "sacred heart Memorial");
        assert_addr("ADMITTED TO THE ED FROM THE KEELEY HOUSE AFTER", "KEELEY");
        assert_addr("Admitted from Kessler Adventist for cath", "Kessler Adventist");
        assert_addr("left unit for radiation planning on North Campus followed", "North");
        // Without a cue, or common phrases.
        assert_none("the holy cross on the wall");
        assert_none("He went to the house after");
        assert_none("the White House announced");
        assert_none("NO SIGN CHG IN RESP STATUS. HOUSE STAFF NOTIFIED.");
        // A facility's name recurs without its head noun.
        let f = found("TRANSFER FROM CALVERT HOSPITAL FOR CHANGES; 7/23 AT CALVERT- 2 FFP");
        assert_eq!(f, vec!["CALVERT".to_string(), "CALVERT".to_string()]);
        let f = found("seen at Mercy Hospital. Showed mercy to the family; back to MERCY");
        assert_eq!(f, vec!["Mercy".to_string(), "MERCY".to_string()]);
        // Nothing repeats when nothing was found.
        assert_none("calvert county and the calvert cliffs");
        assert_none("was seen in the Big House today");
        assert_none("sacred heart of the matter");
        assert_addr("TO GO TO ST. MARY ON TUESDAY", "ST. MARY");
        assert_addr("Patient seen in Mercy ED, transferred to MICU.", "Mercy");
        assert_addr("Brought by EMS from Franklin Square ER.", "Franklin Square");
        assert_addr("he was at st marys urgent care yesterday", "st marys");
        assert_addr("Discharged to Sunrise Assisted Living.", "Sunrise");
        assert_addr("PCP at Westside Family Medicine.", "Westside");
        // Session 17: a practice named by its specialty, after a place cue.
        assert_addr("send the records to Summit Pediatrics, attn Dr. Abernathy", "Summit");
        assert_addr("Please forward my MRI to Horizon Neurology Group today", "Horizon");
        assert_addr("my cardiologist is with Bayview Cardiology", "Bayview");
        assert_none("referred to Pediatric Cardiology for a murmur");
        assert_none("consult to Interventional Radiology");
        assert_none("f/u with Cardiology next week");
        assert_none("follow up at the Internal Medicine clinic");
        assert_none("Radiology read the film as normal");
        assert_addr("f/u with PCP at Harborview Medical Associates.", "Harborview");
        assert_addr("referred to Lakeshore Medical Group for ortho", "Lakeshore");
        assert_none("the medical group meeting is on Tuesday");
        assert_none("Patient presented to the ED with chest pain.");
        assert_none("Seen in Peds ED overnight.");
        assert_none("PT SEEN IN ED, TRANSFERRED TO MICU");
        assert_none("Returned to ER. Stable.");
        assert_none("needs an urgent care visit");
        assert_none("CV: NSR to ST HR 90's-100 no ectopy");
        assert_none("CARDIOVERTED FROM A-FIB TO ST ON 9/17.");
        assert_none("STATING THAT HE WANTED TO LEAVE HOSPITAL AND SIGN AMA");
        assert_none("PT AWAITING REHAB PLACEMENT");
        assert_none("situational depression r/t hosp.");
        assert_none("I want to go back to the basic hospital!");
        assert_addr("went to Warren Grant hosp. for rx", "Warren Grant");
        assert_addr("pt taken to kernan hosp. she", "kernan");
        assert_none("transferred from outside hospital");
        assert_none("admitted to the hospital for");
        assert_none("will need cardiac rehab after discharge");
        assert_none("in hospital for 3 days");
        assert_none("regional anesthesia was used");
        assert_none("Complex regional pain syndrome (CRPS) is");
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
            "PT HAD 3 EPSIODES ST IN 130'S",
            "decreased to 10cc over a 2 hour period. Dr. King aware",
            "W/ ONE 8 BEAT RUN OF VT",
            "pt given 8u reg insulin SQ.",
            "BASLINE 1 ST DEGREE AV BLOCK",
            "o2 sats 96% on 4l np pt coughing",
            "Pt had 2 Head CT scans",
            "3 Axillary LN removed",
            "seen by 2 Renal RD today",
        ] {
            assert_none(t);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_valid(text in "(?:[0-9]{1,6}|Elm|elm|St|Street|Apt|#|,|IL|Maryland|zip|PO|Box|in|Baltimore|Hospital|St\\.|Mary's|é|ü|\\n| ){0,40}") {
            for doc in [Doc::new(&text), Doc { text: &text, is_spoken_view: true }] {
                let mut out = Vec::new();
                for d in detectors() {
                    d.detect(&doc, &mut out);
                }
                for s in &out {
                    proptest::prop_assert!(s.start < s.end && s.end <= text.len());
                    proptest::prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                    proptest::prop_assert!((0.0..=1.0).contains(&s.score));
                }
            }
        }
    }
}
