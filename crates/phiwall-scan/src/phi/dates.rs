//! DATE recognizers: every common written form of a calendar date tied to a person, and the
//! spoken forms that reach us through the normalized transcript view.
//!
//! Forms, each its own detector so evaluation reports can tell them apart:
//! - `date_numeric`: `3/4/84`, `03/04/1984`, `3-4-84`, `3.4.1984`, `21/04/2021` (day first when
//!   the first part cannot be a month), month/day `7/22`, month/year `8/87` and `3/2002`, with a
//!   weekday before them (`Monday 3/4`); ISO dates `1984-03-04`, `1984/3/4` with an optional time
//!   of day (`1984-03-04 15:25:53`) come from the same pass under the name `date_iso`.
//! - `date_month_name`: `March 3, 1984`, `Mar 3rd`, `3 March 1984`, `the 3rd of March`,
//!   `March of 1984`, `Sept 2004`, `Mar '84`, EHR forms (`03-Mar-1984`, `Mar-1984`), weekday
//!   prefixes (`Monday, March 3`), full month names alone (`admitted in September`) and
//!   date-identifying holidays (`Christmas Eve`).
//! - `date_ordinal`: `on the 11th` (a day of the month with the month left implicit).
//! - `date_event_year`: years attached to events in a patient's history (`S/P MI 1992`, `CABG '95`,
//!   `CVA 74'`, `MI in 1980s`); see "Years" below.
//! - `date_spoken`: on the spoken view only, `03 03 84` / `3 4 1984`, month and day said as one
//!   number (`0513 57`, `1114 1942`) and digit runs (`122709`) next to birth-date words or in the
//!   answer to a question about the date of birth.
//!
//! Years. HIPAA Safe Harbor does not require removing a year alone, and a bare `1984` is not
//! flagged. The PhysioNet deid gold, however, labels years attached to events in the past medical
//! history (`PMH: CAD, S/P MI 1992`, `CABG X3 '92`), because together with a patient's age they date
//! the patient's life. We flag a year only when it is (a) written with an apostrophe (`'92`, which in
//! clinical text is nearly always a year), or (b) right after a procedure or diagnosis word (`MI`,
//! `CABG`, `CVA`, `s/p` ...). Those spans score 0.55: above the default threshold, below every
//! full date, so a deployment that follows Safe Harbor to the letter can raise `min_score` to 0.6.
//!
//! What is NOT a date and must stay untouched: blood pressures (`120/80`), fractions (`1/2 tab`,
//! `1/4 strength`), scores (`5/10 pain`, `2/6 murmur`, `5/5 strength`, `Apgars 8/9`), ventilator
//! settings (`PS 10/5`), times (`10:30`), `24/7`, lab panels (`7.39/43/137`), tables of counts
//! (`Microcephaly 3/6 Coloboma`), codes and versions. The shape rules reject most of them (a month
//! must be 1-12, a day valid for its month, no digit, slash or dot may continue the token) and
//! context words catch the rest. These rules were tuned on the PhysioNet deid dev split (odd
//! patient ids) and checked for false alarms on MedQuAD answer passages.
//!
//! Invariants: spans are byte ranges on char boundaries of `doc.text` (every regex match is), no
//! panics on any input, every regex compiled once.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::phi::context::{after_has, before_has, contains_word};
use crate::types::PhiType;

/// Build this family's lazily compiled patterns and tables now, so the first scan after start
/// does not pay for them (results are the same either way).
fn warm() {
    LazyLock::force(&NUMERIC_RE);
    LazyLock::force(&RANGE_RE);
    LazyLock::force(&MONTH_GATE_RE);
    LazyLock::force(&MONTH_DAY_RE);
    LazyLock::force(&DAY_MONTH_RE);
    LazyLock::force(&MONTH_YEAR_RE);
    LazyLock::force(&DASHED_RE);
    LazyLock::force(&DAY_MON_RE);
    LazyLock::force(&COMPACT_RE);
    LazyLock::force(&WEEKDAY_BEFORE_RE);
    LazyLock::force(&MONTH_ALONE_RE);
    LazyLock::force(&HOLIDAY_GATE);
    LazyLock::force(&HOLIDAY_RE);
    LazyLock::force(&ORDINAL_RE);
    LazyLock::force(&EVENT_YEAR_RE);
    LazyLock::force(&APOSTROPHE_YEAR_RE);
    LazyLock::force(&SPOKEN_RE);
    LazyLock::force(&SPOKEN_PACKED_RE);
    LazyLock::force(&SPOKEN_RUN_RE);
    LazyLock::force(&SPOKEN_DAY_YEAR_RE);
}

/// This family's detectors.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    warm();
    vec![
        Box::new(NumericDates),
        Box::new(MonthNameDates),
        Box::new(OrdinalDays),
        Box::new(EventYears),
        Box::new(SpokenDates),
    ]
}

/// Compile a regex that is a constant of this module. The patterns are fixed and tested; a
/// pattern that failed to compile would make the detector match nothing rather than panic.
///
/// Patterns use ASCII word boundaries `(?-u:\b)` and `[0-9]`: dates and ages are written in ASCII
/// digits, and a Unicode `\b` forces the slower engines. Case-insensitive literals stay in
/// Unicode mode, which the regex crate prefilters far better than ASCII-only `(?i-u)`.
fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// Whether the word after `end` says the number before it counts something ("30 days", "25
/// patients") rather than being a year.
fn counts_something(text: &str, end: usize) -> bool {
    const COUNTED: &[&str] = &[
        "days", "weeks", "months", "years", "patients", "people", "visits", "times", "mg", "units",
        "hours", "minutes", "percent", "%", "cases", "doses", "tablets", "pills",
    ];
    let rest = text.get(end..).unwrap_or("").trim_start_matches([' ', '\t']);
    let word: String =
        rest.chars().take_while(|c| c.is_alphanumeric() || *c == '%').collect::<String>();
    COUNTED.contains(&word.to_lowercase().as_str())
}

/// Alternation of month names and their common abbreviations (case-insensitive use).
const MONTH: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

/// Weekday names and abbreviations, only ever used as a prefix of a date.
const WEEKDAY: &str = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thurs?|thu|fri|sat|sun";

/// Words right before a bare month/day (`on 3/4`) that make a date reading likely.
const DATE_CUES: &[&str] = &[
    "on",
    "since",
    "from",
    "until",
    "till",
    "thru",
    "through",
    "by",
    "dated",
    "date",
    "dob",
    "d.o.b",
    "birth",
    "born",
    "birthday",
    "admitted",
    "admit",
    "admission",
    "discharged",
    "discharge",
    "seen",
    "visit",
    "started",
    "placed",
    "changed",
    "due",
    "as of",
    "last",
    "next",
    "before",
    "after",
    "appointment",
    "appt",
    "scheduled",
    "surgery",
    "transferred",
    "transfered",
    "extubated",
    "intubated",
];

/// Words near a slash pair that mean a score, ratio, dose or pressure rather than a date.
const NOT_DATE_BEFORE: &[&str] = &[
    "bp",
    "b/p",
    "nbp",
    "abp",
    "sbp",
    "art",
    "pressure",
    "pressures",
    "map",
    "cvp",
    "pap",
    "pa",
    "pad",
    "wedge",
    "pcwp",
    "murmur",
    "sem",
    "hsm",
    "grade",
    "gr",
    "strength",
    "pain",
    "rated",
    "rates",
    "scale",
    "score",
    "ratio",
    "ps",
    "peep",
    "cpap",
    "bipap",
    "ipap",
    "epap",
    "psv",
    "simv",
    "vent",
    "tv",
    "vt",
    "fio2",
    "abg",
    "vbg",
    "motor",
    "power",
    "reflexes",
    "pulses",
    "gcs",
    "version",
    "ver",
    "v",
    "icd",
    "icd-10",
    "icd10",
    "cpt",
    "ndc",
    "co",
    "ci",
    "co/ci",
    "flowby",
    "apgar",
    "apgars",
];

/// Words right after a slash pair that mean a score, dose or fraction rather than a date.
const NOT_DATE_AFTER: &[&str] = &[
    "murmur",
    "sem",
    "hsm",
    "sm",
    "pain",
    "strength",
    "str",
    "tab",
    "tabs",
    "tablet",
    "tablets",
    "cap",
    "caps",
    "capsule",
    "pill",
    "pills",
    "ns",
    "nss",
    "cup",
    "cups",
    "scale",
    "score",
    "power",
    "motor",
    "mg",
    "mcg",
    "ml",
    "cc",
    "l",
    "units",
    "unit",
    "u",
    "dose",
    "doses",
    "of",
    "systolic",
    "diastolic",
    "holosystolic",
    "bilat",
    "bilaterally",
    "grip",
    "throughout",
    "ue",
    "le",
    "ues",
    "les",
    "extremities",
    "reflexes",
    "pulses",
    "mmhg",
    "mm",
    "hg",
    "cm",
    "kg",
    "lb",
    "lbs",
    "inch",
    "inches",
    "teaspoon",
    "tsp",
    "tbsp",
    "percent",
    "times",
    "x",
    "hr",
    "hrs",
    "hour",
    "hours",
    "min",
    "mins",
    "days",
    "weeks",
    "wks",
    "months",
    "stenosis",
    "occlusion",
    "occluded",
    "vessels",
    "blocks",
    "teeth",
    "fingers",
    "beats",
    "breaths",
    "rule",
    "ratio",
    "cp",
    "angina",
    "ha",
    "headache",
    "discomfort",
    "pillows",
    "bottles",
    "bottle",
    "sets",
    "vials",
];

/// Strong date cues: enough to lift a fraction-looking pair (`1/2`, `5/5`) to a date.
const STRONG_DATE_CUES: &[&str] = &[
    "since",
    "until",
    "dated",
    "date",
    "dob",
    "d.o.b",
    "birth",
    "born",
    "birthday",
    "admitted",
    "admit",
    "discharged",
    "appointment",
    "appt",
    "scheduled",
    "post",
];

/// Ventilator settings vocabulary: a pair of small numbers near these is a setting (pressure
/// support and PEEP, `10/5`, `5/10`), not a date.
const VENT_WORDS: &[&str] = &[
    "ac",
    "ps",
    "psv",
    "peep",
    "cpap",
    "bipap",
    "ips",
    "simv",
    "vent",
    "ventilation",
    "ventilator",
    "fio2",
    "flowby",
    "flow-by",
    "weaning trial",
    "vt",
    "tv",
    "vts",
    "mask ventilation",
];

/// Respiratory words that only count for the `10/5` shape (`y <= x`): dates are common in
/// respiratory paragraphs too (`reintubated 9/30, resp status`).
const RESP_WORDS: &[&str] = &["abg", "resp", "sats", "o2"];

/// Pain vocabulary: an `x/10` pair near these is a pain score.
const PAIN_WORDS: &[&str] =
    &["pain", "cp", "angina", "headache", "ha", "discomfort", "rates", "rated", "scale"];

/// Is `y` a plausible four-digit year for a person's dates?
fn is_year4(y: u32) -> bool {
    (1850..=2099).contains(&y)
}

/// Days in `month` (1-12), allowing 29 February (the year may be unknown).
fn days_in_month(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_month_day(month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(month)
}

/// Month number from a month word or abbreviation (any case), or `None`.
fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    let key = w.get(..3)?;
    let n = match key {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(n)
}

fn prev_char(text: &str, pos: usize) -> Option<char> {
    text.get(..pos)?.chars().next_back()
}

fn next_char(text: &str, pos: usize) -> Option<char> {
    text.get(pos..)?.chars().next()
}

/// The character two positions before `pos`.
fn prev_prev_char(text: &str, pos: usize) -> Option<char> {
    let mut it = text.get(..pos)?.chars().rev();
    it.next();
    it.next()
}

/// True when the char after `pos` continues a numeric token: a digit or letter, or one of
/// `/ . - :` followed by a digit (`7.39/43`, `10-15`, `3/4:`), or a percent sign.
fn continues_number(text: &str, pos: usize) -> bool {
    let Some(c) = next_char(text, pos) else { return false };
    if c.is_alphanumeric() || c == '%' {
        return true;
    }
    if matches!(c, '/' | '.' | '-' | ':' | ',') {
        let after = text.get(pos + 1..).and_then(|s| s.chars().next());
        return after.is_some_and(|d| d.is_ascii_digit());
    }
    false
}

/// True when the char before `pos` glues the match onto a preceding token (`v2.1`, `7.39/43`,
/// `60-70`, `x3`), so the match is a piece of something else.
fn glued_before(text: &str, pos: usize) -> bool {
    let Some(c) = prev_char(text, pos) else { return false };
    if c.is_alphanumeric() || matches!(c, '/' | '.' | ':' | '_' | '#' | '$' | '+' | '=') {
        return true;
    }
    if c == '-' {
        return prev_prev_char(text, pos - 1).is_some_and(|d| d.is_alphanumeric());
    }
    false
}

/// The first word after `pos` (letters only), lowercased, skipping spaces and a `(`.
fn next_word(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '\t', '(']);
    rest.chars().take_while(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_lowercase()).collect()
}

/// True when `[start, end)` sits between a word ending in a lower-case letter and a Title Case
/// word, separated by single spaces: the layout of a table of counts, not of a dated note.
fn is_table_row(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).unwrap_or("");
    let after = text.get(end..).unwrap_or("");
    let lower_before = before
        .strip_suffix(' ')
        .and_then(|b| b.chars().next_back())
        .is_some_and(|c| c.is_ascii_lowercase());
    let mut a = after.strip_prefix(' ').unwrap_or("").chars();
    let title_after = a.next().is_some_and(|c| c.is_ascii_uppercase())
        && a.next().is_some_and(|c| c.is_ascii_lowercase());
    lower_before && title_after
}

fn span(start: usize, end: usize, score: f32, name: &'static str) -> Span {
    Span::new(start, end, PhiType::Date, score, name)
}

/// The score after applying context: negative words win over positive cues.
fn context_score(doc: &Doc<'_>, start: usize, end: usize, base: f32, cue_boost: f32) -> f32 {
    context_score_with(doc, start, end, base, cue_boost, DATE_CUES)
}

fn context_score_with(
    doc: &Doc<'_>,
    start: usize,
    end: usize,
    base: f32,
    cue_boost: f32,
    cues: &[&str],
) -> f32 {
    if contains_word(&prev_words(doc.text, start, 2), NOT_DATE_BEFORE)
        || contains_word(&next_words(doc.text, end, 1), NOT_DATE_AFTER)
    {
        return base.min(0.2);
    }
    if contains_word(line_before(doc, start, 40), cues) {
        return base + cue_boost;
    }
    base
}

/// True when the pair `x/y` has the shape of a ventilator setting with ventilator words on the
/// same line close by (respiratory words only for PS over PEEP), or the shape of a pain score
/// (`4/10`) with pain words close by.
fn near_vent_or_pain(doc: &Doc<'_>, start: usize, end: usize, x: u32, y: u32) -> bool {
    let after = doc.after(end, 40);
    let after = after.split('\n').next().unwrap_or("");
    let before = line_before(doc, start, 40);
    let near = |words: &[&str]| contains_word(before, words) || contains_word(after, words);
    // PS over PEEP (`10/5`, `y <= x`) up to 25; PEEP over PS (`5/10`) only for small pairs, so that
    // `(PLACED 8/14). AC 100%, PEEP 5` stays a date.
    let ps_peep = (2..=25).contains(&x) && (2..=x).contains(&y);
    let peep_ps = (2..=12).contains(&x) && (2..=12).contains(&y);
    ((ps_peep || peep_ps) && near(VENT_WORDS))
        || (ps_peep && near(RESP_WORDS))
        || (y == 10 && near(PAIN_WORDS))
}

/// Up to `max` bytes before `pos`, cut at the last line break (context does not cross lines).
fn line_before<'a>(doc: &Doc<'a>, pos: usize, max: usize) -> &'a str {
    let w = doc.before(pos, max);
    match w.rfind('\n') {
        Some(i) => w.get(i + 1..).unwrap_or(""),
        None => w,
    }
}

/// Whether a bare two-digit number ending at `year_end`, right after a month and day that
/// start at `date_start`, is the year ("born on the 4th of february 87", the view of a spoken
/// date): a birth cue in the six words before the date, or the number ends the clause (end of
/// text, a line break, or `.`, `,`, `;`, `!`, `?`, `)` after it) and cannot be a clock hour
/// (13 or more, or written with a leading zero). "March 3 10 am", "May 5 20 minutes" and
/// "March 3 12." keep the number out.
fn bare_year_fits(text: &str, date_start: usize, year_end: usize) -> bool {
    const BIRTH_CUES: &[&str] = &["born", "dob", "birth", "birthday", "birthdate"];
    const CLOCK_AFTER: &[&str] =
        &["am", "pm", "a", "p", "o", "oclock", "minutes", "minute", "seconds", "years", "year"];
    let next = next_words(text, year_end, 1);
    if contains_word(&prev_words(text, date_start, 6), BIRTH_CUES)
        && !contains_word(&next, NOT_DATE_AFTER)
        && !contains_word(&next, CLOCK_AFTER)
    {
        return true;
    }
    let digits = text.get(year_end.saturating_sub(2)..year_end).unwrap_or("");
    let clock_free = digits.starts_with('0') || digits.parse::<u32>().is_ok_and(|y| y >= 13);
    let rest = text.get(year_end..).unwrap_or("");
    let ends_clause = rest
        .trim_start_matches([' ', '\t'])
        .chars()
        .next()
        .is_none_or(|c| matches!(c, '.' | ',' | ';' | '!' | '?' | ')' | '\n' | '\r'));
    clock_free && ends_clause
}

/// The last `n` words before `pos` on the same line, joined by spaces, lowercased.
fn prev_words(text: &str, pos: usize, n: usize) -> String {
    let head = text.get(..pos).unwrap_or("");
    let line = head.rsplit('\n').next().unwrap_or("");
    let mut words: Vec<&str> = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '-'))
        .filter(|w| !w.is_empty())
        .rev()
        .take(n)
        .collect();
    words.reverse();
    words.join(" ").to_ascii_lowercase()
}

/// The next `n` words after `pos` on the same line, joined by spaces, lowercased.
fn next_words(text: &str, pos: usize, n: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let line = rest.split('\n').next().unwrap_or("");
    let line = line.get(..line.len().min(40)).unwrap_or(line);
    let mut out = String::new();
    for w in line.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).take(n) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.to_ascii_lowercase());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// ISO and numeric dates
// ---------------------------------------------------------------------------------------------

/// Length of a time of day at the start of `rest` (`T15:25`, ` 15:25:53.120Z`), or 0.
fn time_len(rest: &str) -> usize {
    let b = rest.as_bytes();
    if !matches!(b.first(), Some(b'T' | b' ')) {
        return 0;
    }
    let digits = |from: usize| {
        b.get(from..).map_or(0, |s| s.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let h = digits(1);
    if !(1..=2).contains(&h) || b.get(1 + h) != Some(&b':') || digits(2 + h) != 2 {
        return 0;
    }
    let hour = rest.get(1..1 + h).and_then(|x| x.parse::<u32>().ok());
    let minute = rest.get(2 + h..4 + h).and_then(|x| x.parse::<u32>().ok());
    if !(hour.is_some_and(|x| x < 24) && minute.is_some_and(|x| x < 60)) {
        return 0;
    }
    let mut n = 4 + h;
    if b.get(n) == Some(&b':') && digits(n + 1) == 2 {
        n += 3;
        if b.get(n) == Some(&b'.') && digits(n + 1) > 0 {
            n += 1 + digits(n + 1);
        }
    }
    if b.get(n) == Some(&b'Z') {
        n += 1;
    }
    n
}

/// Two or three number groups joined by `/`, `-` or `.`; a dot needs three groups (`3.4.1984`),
/// so decimals (`7.39`) never match.
static NUMERIC_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(r"[0-9]{1,4}(?:[/\-][0-9]{1,4}(?:[/.\-][0-9]{1,4})?|\.[0-9]{1,4}\.[0-9]{1,4})")
});

/// A range of two month/day dates joined by a hyphen: `11/30-12/2` (session 19). The main
/// numeric pattern reads `11/30-12` as one three-part date and then drops it, because `/2`
/// continues it.
static RANGE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(r"(?-u:\b)([0-9]{1,2})/([0-9]{1,2})-([0-9]{1,2})/([0-9]{1,2})(?-u:\b)")
});

/// The parts of a `NUMERIC_RE` match.
struct NumParts<'a> {
    a: &'a str,
    s1: &'a str,
    b: &'a str,
    /// The second separator and the third group.
    third: Option<(&'a str, &'a str)>,
}

impl<'a> NumParts<'a> {
    fn split(m: &'a str) -> Option<Self> {
        let digits = |s: &'a str| -> (&'a str, &'a str) {
            let n = s.bytes().take_while(u8::is_ascii_digit).count();
            (s.get(..n).unwrap_or(""), s.get(n..).unwrap_or(""))
        };
        let (a, rest) = digits(m);
        let s1 = rest.get(..1)?;
        let (b, rest) = digits(rest.get(1..)?);
        if a.is_empty() || b.is_empty() {
            return None;
        }
        let third = match rest.get(..1) {
            Some(s2) if !s2.is_empty() => {
                let (c, tail) = digits(rest.get(1..)?);
                if c.is_empty() || !tail.is_empty() {
                    return None;
                }
                Some((s2, c))
            }
            _ => None,
        };
        Some(NumParts { a, s1, b, third })
    }
}

/// Slash, dash and dot dates with two or three parts.
pub struct NumericDates;

impl NumericDates {
    /// Both ends of a `11/30-12/2` range, each a month and a day.
    fn push_ranges(t: &str, name: &'static str, out: &mut Vec<Span>) {
        if !t.contains('/') {
            return;
        }
        let Some(re) = RANGE_RE.as_ref() else { return };
        for c in re.captures_iter(t) {
            let (Some(m), Some(a), Some(b), Some(c2), Some(d)) =
                (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4))
            else {
                continue;
            };
            let n = |g: regex::Match<'_>| g.as_str().parse::<u32>().unwrap_or(0);
            // "crackles 1/3-1/2 up": a range of fractions, not of days.
            let fraction = |x: u32, y: u32| x < y && y <= 8;
            if (fraction(n(a), n(b)) && fraction(n(c2), n(d)))
                || !is_month_day(n(a), n(b))
                || !is_month_day(n(c2), n(d))
                || glued_before(t, m.start())
                || continues_number(t, m.end())
            {
                continue;
            }
            out.push(span(a.start(), b.end(), 0.85, name));
            out.push(span(c2.start(), d.end(), 0.85, name));
        }
    }

    /// Score a three-part date `a s b s c`, or `None` when it is not a date.
    fn three_part(a: &str, b: &str, c: &str, sep: &str) -> Option<f32> {
        if a.len() > 2 || b.len() > 2 || !(c.len() == 2 || c.len() == 4) {
            return None;
        }
        let (a, b, y) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?, c.parse::<u32>().ok()?);
        if c.len() == 4 && !is_year4(y) {
            return None;
        }
        // Month first (US), or day first when the first part cannot be a month.
        if !(is_month_day(a, b) || (a > 12 && is_month_day(b, a))) {
            return None;
        }
        let long_year = c.len() == 4;
        Some(match (sep, long_year) {
            ("/", true) => 0.95,
            ("/", false) => 0.9,
            ("-", true) => 0.92,
            ("-", false) => 0.85,
            (".", true) => 0.85,
            // `2.1.10` is more often a version or a list number than a date.
            _ => 0.45,
        })
    }
}

impl Detector for NumericDates {
    fn name(&self) -> &'static str {
        "date_numeric"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = NUMERIC_RE.as_ref() else { return };
        let t = doc.text;
        Self::push_ranges(t, self.name(), out);
        // `find_iter` and a hand split: this regex matches often (ranges, dates, codes) and
        // capture groups would cost more than the search.
        for m in re.find_iter(t) {
            let Some(NumParts { a, s1, b, third }) = NumParts::split(m.as_str()) else { continue };
            let (start, end) = (m.start(), m.end());
            // Year first: `1984-03-04`, `1984/3/4`, with an optional time of day.
            if a.len() == 4 {
                let Some((s2, cpart)) = third else { continue };
                let ok = s2 == s1
                    && b.len() <= 2
                    && cpart.len() <= 2
                    && a.parse::<u32>().is_ok_and(is_year4)
                    && b.parse::<u32>()
                        .ok()
                        .zip(cpart.parse::<u32>().ok())
                        .is_some_and(|(mo, d)| is_month_day(mo, d));
                if !ok || glued_before(t, start) {
                    continue;
                }
                let end = end + time_len(t.get(end..).unwrap_or(""));
                if continues_number(t, end) {
                    continue;
                }
                out.push(span(start, end, 0.95, "date_iso"));
                continue;
            }
            if a.len() > 2 || continues_number(t, end) {
                continue;
            }
            let sep = s1;
            // A label glued on with `:` or `-` (`HX:8/30`, `TOXICITY-9/2/92`) is fine; digits,
            // slashes and dots before the match are not.
            let label_glue = (matches!(prev_char(t, start), Some(':' | '-'))
                && prev_prev_char(t, start).is_some_and(|ch| ch.is_ascii_alphabetic()))
                || (third.is_some()
                    && sep == "/"
                    && prev_char(t, start).is_some_and(|ch| ch.is_ascii_alphabetic()));
            if glued_before(t, start) && !label_glue {
                continue;
            }
            if let Some((s2, cpart)) = third {
                if s2 != sep {
                    continue;
                }
                let Some(mut score) = Self::three_part(a, b, cpart, sep) else {
                    continue;
                };
                if sep == "." {
                    score = context_score(doc, start, end, score, 0.2);
                }
                out.push(span(start, end, score, self.name()));
                continue;
            }
            let (Ok(x), Ok(y)) = (a.parse::<u32>(), b.parse::<u32>()) else {
                continue;
            };
            let blen = b.len();
            let mut fraction_like = false;
            let score = match sep {
                "/" => {
                    if blen == 4 {
                        // Month/year: `3/2002`.
                        if (1..=12).contains(&x) && is_year4(y) {
                            0.85
                        } else {
                            continue;
                        }
                    } else if blen == 3 {
                        continue;
                    } else if is_month_day(x, y) {
                        // Month/day `7/22`. Proper fractions with small denominators (`1/2`,
                        // `3/4`) and equal pairs (`5/5`) read as scores first.
                        fraction_like = (y <= 4 && x < y) || (x == y && x <= 5);
                        if near_vent_or_pain(doc, start, end, x, y) {
                            0.2
                        } else if fraction_like {
                            0.45
                        } else {
                            0.6
                        }
                    } else if (1..=12).contains(&x) && blen == 2 && y > 31 {
                        // Month/two-digit year: `8/87`.
                        0.55
                    } else if (1..=12).contains(&x) && b == "00" {
                        0.5
                    } else {
                        continue;
                    }
                }
                "-" => {
                    // `7-8` is far more often a range; only dated by a cue word.
                    if blen == 4 && (1..=12).contains(&x) && is_year4(y) {
                        0.75
                    } else if is_month_day(x, y)
                        && contains_word(line_before(doc, start, 16), &["on", "dob", "dated"])
                        && matches!(
                            next_word(t, end).as_str(),
                            "" | "for" | "at" | "and" | "with" | "when" | "after" | "before"
                        )
                    {
                        0.55
                    } else {
                        continue;
                    }
                }
                _ => continue,
            };
            let cues = if fraction_like { STRONG_DATE_CUES } else { DATE_CUES };
            let mut score = context_score_with(doc, start, end, score, 0.15, cues);
            // `seen on 3/4.`: "on" right before and nothing after reads as a date even for a
            // fraction-shaped pair (`on 1/2 NS` has a word after).
            if fraction_like
                && score < 0.5
                && score > 0.3
                && prev_words(t, start, 1) == "on"
                && matches!(next_word(t, end).as_str(), "" | "at" | "and" | "when" | "for")
            {
                score += 0.15;
            }
            // Table rows of counts (`Microcephaly 3/6 Sclerocornea`, `Coloboma 3/5 High
            // palate`): a lower-case word before and a Title Case word after, no date cue.
            if blen <= 2
                && is_table_row(t, start, end)
                && !contains_word(line_before(doc, start, 40), DATE_CUES)
            {
                score = score.min(0.4);
            }
            // A weekday right before (`Monday 3/4`) is part of the date and a strong cue.
            let mut start = start;
            if let Some(wd) =
                WEEKDAY_BEFORE_RE.as_ref().and_then(|r| r.find(line_before(doc, start, 16)))
            {
                start -= wd.len();
                score = score.max(0.45) + 0.15;
            }
            out.push(span(start, end, score, self.name()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Month names
// ---------------------------------------------------------------------------------------------

/// The gate for the month forms: a month word next to a number or apostrophe year, or a full
/// month name. `dec` (decreased) and `may` alone are everywhere in notes and do not open it.
static MONTH_GATE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)(?-u:\b)(?:{MONTH})(?-u:\b)\.?,?\s*(?:of\s+|the\s+)?['0-9]|[0-9](?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTH})(?-u:\b)|(?-u:\b)(?:january|february|april|june|july|august|september|sept|october|november|december)(?-u:\b)|(?-u:\b)(?:in|since|during|until|till|early|mid|late)\s+(?:may|march)(?-u:\b)|(?-u:\b)(?:last|next|this)\s+march(?-u:\b)|[0-9][-/](?:{MONTH})(?-u:\b)|(?-u:\b)(?:{MONTH})[-/][0-9]|[0-9](?:{MONTH})[0-9]|(?-u:\b)(?:in|since|during|until|till|early|mid|late|by|before|after)\s+(?:feb|apr|jul|aug|sep|oct|nov)(?-u:\b)"
    ))
});

/// Month then day: `March 3, 1984`, `Mar 3rd`, `Monday, March 3`, `march 3rd 1984`, and with a
/// bare two-digit year (`february 4th 87`, the view of "february fourth eighty seven") when
/// [`bare_year_fits`] says so.
static MONTH_DAY_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)(?-u:\b)(?:(?:{WEEKDAY})\.?,?\s+)?(?:the\s+)?({MONTH})\.?\s+(?:the\s+)?([0-9]{{1,2}})(st|nd|rd|th)?(?-u:\b)(?:(?:,\s*|\s+)([0-9]{{4}})(?-u:\b)|,\s*'?([0-9]{{2}})(?-u:\b)|\s+'([0-9]{{2}})(?-u:\b)|[ \t]+([0-9]{{2}})(?-u:\b))?"
    ))
});

/// Day then month: `3 March 1984`, `the 3rd of March`, `21 Apr, 21`, `the 4th of february 87`
/// (bare two-digit year as in [`MONTH_DAY_RE`]).
static DAY_MONTH_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)(?-u:\b)(?:(?:{WEEKDAY})\.?,?\s+)?(?:the\s+)?([0-9]{{1,2}})(st|nd|rd|th)?\s+(of\s+)?({MONTH})(?-u:\b)\.?(?:(?:,\s*|\s+)([0-9]{{4}})(?-u:\b)|,\s*'?([0-9]{{2}})(?-u:\b)|[ \t]+([0-9]{{2}})(?-u:\b))?"
    ))
});

/// Month and year: `March 1984`, `March of 1984`, `Sept. 2004`, `Mar '84`, `march of 46`.
static MONTH_YEAR_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)(?-u:\b)({MONTH})(?-u:\b)\.?(?:,?\s+(?:of\s+)?([0-9]{{4}})|\s*'([0-9]{{2}})|\s+of\s+'?([0-9]{{2}}))(?-u:\b)"
    ))
});

/// EHR-style dashed forms: `03-Mar-1984`, `3/Mar/84`, `Mar-1984`, `Mar-84`.
static DASHED_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)(?-u:\b)(?:([0-9]{{1,2}})([-/]))?({MONTH})([-/])([0-9]{{4}}|[0-9]{{2}})(?-u:\b)"
    ))
});

/// Day and abbreviated month without a year: `10-Nov` (session 19).
static DAY_MON_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)([0-9]{1,2})-(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)(?-u:\b)",
    )
});

/// Day, month and year written together, as EHR exports do: `12DEC2025`, `3mar84` (session 19).
static COMPACT_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)([0-9]{1,2})(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)([0-9]{4}|[0-9]{2})(?-u:\b)",
    )
});

/// A weekday right before a numeric date: `Monday 3/4`, `Tues, 3/4/84`.
static WEEKDAY_BEFORE_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(&format!(r"(?i)(?-u:\b)(?:{WEEKDAY})\.?,?[ \t]+$")));

/// Full month names (and `sept`) alone: `admitted in September`; some abbreviations after a
/// cue (`early Nov`).
static MONTH_ALONE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(january|february|march|april|may|june|july|august|september|sept|october|november|december|feb|apr|jul|aug|sep|oct|nov)(?-u:\b)",
    )
});

/// Literal keywords of the holidays: a cheap gate before the holiday regex.
static HOLIDAY_GATE: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "christmas",
            "new year",
            "thanksgiving",
            "fourth of july",
            "independence day",
            "halloween",
            "valentine",
            "memorial day",
            "labor day",
            "veterans day",
        ])
        .ok()
});

/// Holidays that pin a calendar date.
static HOLIDAY_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)(?-u:\b)(?:christmas(?:\s+(?:eve|day))?|new\s+year'?s(?:\s+(?:eve|day))|thanksgiving(?:\s+day)?|fourth\s+of\s+july|independence\s+day|halloween|valentine'?s\s+day|memorial\s+day|labor\s+day|veterans\s+day)(?-u:\b)(?:,?[ \t]+(?:(?:of|in)[ \t]+)?(?:1[89]|20)[0-9]{2}(?-u:\b))?",
    )
});

/// Words before a bare month name that make it a date rather than a verb or a name.
const MONTH_CUES: &[&str] = &[
    "in", "since", "during", "until", "till", "by", "of", "early", "mid", "late", "last", "next",
    "from", "on", "through", "thru", "before", "after", "around",
];

/// Cues strong enough to make "may" or "march" alone a month.
const STRICT_MONTH_CUES: &[&str] =
    &["in", "since", "during", "until", "till", "early", "mid", "late"];

/// Month dates, month/year, bare full month names and holidays.
pub struct MonthNameDates;

impl MonthNameDates {
    /// A month word that is also a common English word or a name needs more evidence.
    fn is_ambiguous_month(word: &str) -> bool {
        let w = word.trim_end_matches('.').to_ascii_lowercase();
        matches!(w.as_str(), "may" | "mar" | "march" | "dec" | "jan" | "jun" | "aug")
    }

    fn push_month_day(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = MONTH_DAY_RE.as_ref() else { return };
        let t = doc.text;
        for c in re.captures_iter(t) {
            let (Some(m), Some(mon), Some(day)) = (c.get(0), c.get(1), c.get(2)) else {
                continue;
            };
            let Some(mo) = month_number(mon.as_str()) else { continue };
            let Ok(d) = day.as_str().parse::<u32>() else { continue };
            if !is_month_day(mo, d) {
                continue;
            }
            let has_ordinal = c.get(3).is_some();
            let year4 = c.get(4).map(|y| y.as_str().parse::<u32>().unwrap_or(0));
            let bare = c.get(7).map(|y| bare_year_fits(t, m.start(), y.end()));
            let has_year = c.get(5).is_some() || c.get(6).is_some() || bare == Some(true);
            if year4.is_some_and(|y| !is_year4(y)) {
                continue;
            }
            let has_year = has_year || year4.is_some();
            // A bare two-digit number that is not a year stays outside the date.
            let end = match bare {
                Some(false) => c.get(3).unwrap_or(day).end(),
                _ => m.end(),
            };
            if !has_year && continues_number(t, end) {
                continue;
            }
            let mut score: f32 = if has_year {
                0.95
            } else if has_ordinal {
                0.85
            } else {
                0.8
            };
            if Self::is_ambiguous_month(mon.as_str()) && !has_year && !has_ordinal {
                // `may 2`, `dec 2 L`: verbs and abbreviations of other words.
                let capital = mon.as_str().starts_with(|ch: char| ch.is_ascii_uppercase());
                // "the week of May 20", "Could we do May 21": mid-sentence, a capital "May" is
                // the month (the verb is written lowercase there), and so is any month word
                // right after "of", "on", "by", "until".
                let prev = t.get(..m.start()).unwrap_or("").trim_end_matches([' ', '\t']);
                let mid_sentence = prev
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, ',' | '(' | '-'));
                let month_cue = contains_word(&prev_words(t, m.start(), 1), MONTH_CUES);
                score = if capital && (mon.as_str().len() > 3 || mid_sentence) || month_cue {
                    0.7
                } else {
                    0.45
                };
                score = context_score(doc, m.start(), end, score, 0.15);
            } else if !has_year && contains_word(&next_words(t, end, 1), NOT_DATE_AFTER) {
                score = 0.3;
            }
            out.push(span(m.start(), end, score, self.name()));
        }
    }

    fn push_day_month(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = DAY_MONTH_RE.as_ref() else { return };
        let t = doc.text;
        for c in re.captures_iter(t) {
            let (Some(m), Some(day), Some(mon)) = (c.get(0), c.get(1), c.get(4)) else {
                continue;
            };
            let Some(mo) = month_number(mon.as_str()) else { continue };
            let Ok(d) = day.as_str().parse::<u32>() else { continue };
            if !is_month_day(mo, d) || glued_before(t, day.start()) {
                continue;
            }
            let has_ordinal = c.get(2).is_some();
            let has_of = c.get(3).is_some();
            let year4 = c.get(5).map(|y| y.as_str().parse::<u32>().unwrap_or(0));
            if year4.is_some_and(|y| !is_year4(y)) {
                continue;
            }
            let bare = c.get(7).map(|y| bare_year_fits(t, m.start(), y.end()));
            let has_year = year4.is_some() || c.get(6).is_some() || bare == Some(true);
            let end = match bare {
                Some(false) => mon.end(),
                _ => m.end(),
            };
            let mut score: f32 = if has_year {
                0.95
            } else if has_ordinal || has_of {
                0.85
            } else {
                0.75
            };
            if Self::is_ambiguous_month(mon.as_str()) && !has_year && !has_ordinal && !has_of {
                // `2 may be`, `3 mar`.
                let capital = mon.as_str().starts_with(|ch: char| ch.is_ascii_uppercase());
                score = if capital && mon.as_str().len() > 3 { 0.7 } else { 0.4 };
            }
            out.push(span(m.start(), end, score, self.name()));
        }
    }

    fn push_month_year(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = MONTH_YEAR_RE.as_ref() else { return };
        for c in re.captures_iter(doc.text) {
            let (Some(m), Some(mon)) = (c.get(0), c.get(1)) else { continue };
            if let Some(y) = c.get(2) {
                if !y.as_str().parse::<u32>().is_ok_and(is_year4) {
                    continue;
                }
            }
            // "born in march of forty six" (the spoken view reads "march of 46"): a two-digit
            // year after "of", unless a noun says the number counts something ("March of 30
            // days").
            if c.get(4).is_some() && counts_something(doc.text, m.end()) {
                continue;
            }
            // `may 2004` could be "may" the verb before a number; rare, but keep it under the
            // clearer forms.
            let score = if mon.as_str().eq_ignore_ascii_case("may") { 0.7 } else { 0.9 };
            out.push(span(m.start(), m.end(), score, self.name()));
        }
    }

    fn push_dashed(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = DASHED_RE.as_ref() else { return };
        let t = doc.text;
        for c in re.captures_iter(t) {
            let (Some(m), Some(mon), Some(sep2), Some(y)) =
                (c.get(0), c.get(3), c.get(4), c.get(5))
            else {
                continue;
            };
            let Some(mo) = month_number(mon.as_str()) else { continue };
            if y.as_str().len() == 4 && !y.as_str().parse::<u32>().is_ok_and(is_year4) {
                continue;
            }
            if continues_number(t, m.end()) || glued_before(t, m.start()) {
                continue;
            }
            let score = match (c.get(1), c.get(2)) {
                (Some(d), Some(sep1)) => {
                    let day_ok = d.as_str().parse::<u32>().is_ok_and(|d| is_month_day(mo, d));
                    if !day_ok || sep1.as_str() != sep2.as_str() {
                        continue;
                    }
                    0.95
                }
                _ if y.as_str().len() == 4 => 0.85,
                _ if Self::is_ambiguous_month(mon.as_str()) => 0.45,
                _ => 0.6,
            };
            out.push(span(m.start(), m.end(), score, self.name()));
        }
    }

    fn push_month_alone(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = MONTH_ALONE_RE.as_ref() else { return };
        for m in re.find_iter(doc.text) {
            let w = m.as_str();
            let lower = w.to_ascii_lowercase();
            let cued = contains_word(&prev_words(doc.text, m.start(), 2), MONTH_CUES);
            let score = match lower.as_str() {
                // "may" and "march" are verbs: only a cue right before and no verb-like word
                // after (`in may need`) make them months.
                "may" | "march" => {
                    let before = prev_words(doc.text, m.start(), 1);
                    // "last march", "next march": a month ("the last march" is rare in a
                    // patient's story); "last may" stays out ("the last may be ...").
                    let strict = contains_word(&before, STRICT_MONTH_CUES)
                        || (lower == "march" && contains_word(&before, &["last", "next", "this"]));
                    let next = next_word(doc.text, m.end());
                    // A new clause may follow the month: "in march she fell", "since march we".
                    let ends = next.is_empty()
                        || matches!(
                            next.as_str(),
                            "and"
                                | "or"
                                | "of"
                                | "when"
                                | "she"
                                | "he"
                                | "we"
                                | "they"
                                | "my"
                                | "her"
                                | "his"
                                | "but"
                                | "so"
                                | "because"
                                | "then"
                                | "after"
                                | "before"
                                | "until"
                                | "while"
                        );
                    if strict && ends {
                        0.5
                    } else {
                        continue;
                    }
                }
                // Abbreviations alone only after a cue ("HOSPITALIZED EARLY NOV FOR PNA";
                // session 19); "jan", "jun", "mar", "may" and "dec" are left out.
                "feb" | "apr" | "jul" | "aug" | "sep" | "oct" | "nov" => {
                    if cued {
                        0.55
                    } else {
                        continue;
                    }
                }
                _ if cued => 0.6,
                // Also given names.
                "april" | "june" | "august" => 0.4,
                _ => 0.5,
            };
            out.push(span(m.start(), m.end(), score, self.name()));
        }
    }

    /// `10-Nov` (no year; the dashed form with a year is [`DASHED_RE`]) and `12DEC2025`.
    fn push_day_mon(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = doc.text;
        let pairs = [(DAY_MON_RE.as_ref(), 0.6f32), (COMPACT_RE.as_ref(), 0.9)];
        for (re, score) in pairs {
            let Some(re) = re else { continue };
            for c in re.captures_iter(t) {
                let (Some(m), Some(d), Some(mon)) = (c.get(0), c.get(1), c.get(2)) else {
                    continue;
                };
                let Some(mo) = month_number(mon.as_str()) else { continue };
                let day_ok = d.as_str().parse::<u32>().is_ok_and(|d| is_month_day(mo, d));
                let year_ok = c.get(3).is_none_or(|y| {
                    y.as_str().len() == 2 || y.as_str().parse::<u32>().is_ok_and(is_year4)
                });
                // "10-Nov-2025" belongs to the dashed form, "3-mar-tab" is a code.
                let dashed_on = t.get(m.end()..).is_some_and(|r| {
                    let mut ch = r.chars();
                    matches!(ch.next(), Some('-' | '/'))
                        && ch.next().is_some_and(|x| x.is_ascii_alphanumeric())
                });
                // Without a year the month must be capitalised: "10-Nov", not "3-mar".
                let cased = c.get(3).is_some()
                    || mon.as_str().starts_with(|x: char| x.is_ascii_uppercase());
                if !day_ok || !year_ok || dashed_on || !cased || glued_before(t, m.start()) {
                    continue;
                }
                out.push(span(m.start(), m.end(), score, self.name()));
            }
        }
    }

    fn push_holidays(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        if !HOLIDAY_GATE.as_ref().is_some_and(|g| g.is_match(doc.text)) {
            return;
        }
        let Some(re) = HOLIDAY_RE.as_ref() else { return };
        for m in re.find_iter(doc.text) {
            let cued = contains_word(
                line_before(doc, m.start(), 20),
                &["on", "since", "before", "after", "over", "around", "at", "until", "by"],
            );
            // "Christmas Eve, 1951" pins a full date.
            let has_year = m.as_str().ends_with(|c: char| c.is_ascii_digit());
            let score = if has_year {
                0.8
            } else if cued {
                0.55
            } else {
                0.4
            };
            out.push(span(m.start(), m.end(), score, self.name()));
        }
    }
}

impl Detector for MonthNameDates {
    fn name(&self) -> &'static str {
        "date_month_name"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        self.push_holidays(doc, out);
        // One cheap pass decides whether the month forms can match at all; most notes have no
        // month word, and this skips four searches for them.
        if !MONTH_GATE_RE.as_ref().is_some_and(|re| re.is_match(doc.text)) {
            return;
        }
        self.push_month_day(doc, out);
        self.push_day_month(doc, out);
        self.push_month_year(doc, out);
        self.push_dashed(doc, out);
        self.push_day_mon(doc, out);
        self.push_month_alone(doc, out);
    }
}

// ---------------------------------------------------------------------------------------------
// Ordinal days
// ---------------------------------------------------------------------------------------------

static ORDINAL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // Session 20: a weekday is as good a cue as a preposition ("on Monday the 17th").
    compile(&format!(
        r"(?i)(?-u:\b)(?:on|since|until|by|before|after|(?:{WEEKDAY})\.?,?)\s+the\s+([0-9]{{1,2}}(?:st|nd|rd|th))(?-u:\b)",
    ))
});

/// True when the text has a digit followed by `st`, `nd`, `rd` or `th`: a byte scan that lets
/// most texts skip the ordinal regex.
fn has_ordinal_number(text: &str) -> bool {
    text.as_bytes().windows(3).any(|w| match w {
        [d, a, b] => {
            d.is_ascii_digit()
                && matches!(
                    (a.to_ascii_lowercase(), b.to_ascii_lowercase()),
                    (b's', b't') | (b'n', b'd') | (b'r', b'd') | (b't', b'h')
                )
        }
        _ => false,
    })
}

/// `on the 11th`: the day of the month with the month implied. Only the ordinal is tagged.
pub struct OrdinalDays;

impl Detector for OrdinalDays {
    fn name(&self) -> &'static str {
        "date_ordinal"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        if !has_ordinal_number(doc.text) {
            return;
        }
        let Some(re) = ORDINAL_RE.as_ref() else { return };
        for c in re.captures_iter(doc.text) {
            let Some(o) = c.get(1) else { continue };
            let digits: String = o.as_str().chars().take_while(char::is_ascii_digit).collect();
            if !digits.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d)) {
                continue;
            }
            // `on the 5th floor`, `the 2nd time`: a noun after the ordinal means it is not a day.
            // `of <month>` is handled by `date_month_name`.
            let next = next_word(doc.text, o.end());
            if !next.is_empty()
                && !matches!(
                    next.as_str(),
                    "at" | "and"
                        | "or"
                        | "in"
                        | "with"
                        | "for"
                        | "to"
                        | "if"
                        | "so"
                        | "then"
                        | "because"
                        | "when"
                        | "around"
                        | "between"
                        | "until"
                        | "through"
                        | "pt"
                        | "patient"
                        | "he"
                        | "she"
                        | "they"
                        | "we"
                        | "am"
                        | "pm"
                )
            {
                continue;
            }
            out.push(span(o.start(), o.end(), 0.55, self.name()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Event years (PhysioNet deid "DateYear")
// ---------------------------------------------------------------------------------------------

/// Procedures and diagnoses after which a number is the year it happened.
const EVENTS: &str = r"s/p|mi|ami|nstemi|stemi|imi|cabg|cabgx\d|redo|cva|tia|stroke|ptca|pci|stent|stents|avr|mvr|tvr|tah|bso|tah/bso|chole|cholecystectomy|appendectomy|hysterectomy|mastectomy|lumpectomy|nephrectomy|lobectomy|colectomy|thyroidectomy|prostatectomy|turp|tkr|thr|orif|laminectomy|pacer|pacemaker|ppm|aicd|ablation|cardioversion|repair|replacement|transplant|dx|diagnosed|surgery|fx|fracture|mva|dvt|pe|ca|cancer|chemo|xrt|radiation|cath|angioplasty|bypass|amputation|craniotomy|hernia|sah|sdh|ich|ards|pna|chf";

/// Event word, optional `xN` count or `in`, then a year: `MI 1992`, `CABG X3 '92`, `MI in '81`,
/// `CVA 74'`, `MI IN 1980S`.
static EVENT_YEAR_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)(?-u:\b)({EVENTS})(?-u:\b)(?:\s*x\s*[0-9])?(?:\s*[,(-]?\s*|\s+(?:in|on|of|at|during)\s+(?:the\s+)?)('?)([0-9]{{4}}|[0-9]{{2}})(s?)('?)"
    ))
});

/// A year written with a leading apostrophe: `'92`.
static APOSTROPHE_YEAR_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"['\u{2019}]([0-9]{2})(?-u:\b)").ok());

/// The parts of an `EVENT_YEAR_RE` match, as absolute byte ranges.
struct EventMatch {
    /// The event word.
    event: (usize, usize),
    /// The year digits (the last digit run of the match).
    num: (usize, usize),
    /// The digits plus a decade `s` when present (`1980S`).
    decade: (usize, usize),
    /// An apostrophe right before the digits.
    lead: bool,
    /// An apostrophe closing the match (`74'`).
    trail: bool,
    /// End of the whole match.
    end: usize,
}

impl EventMatch {
    fn parse(m: &str, base: usize) -> Option<Self> {
        let b = m.as_bytes();
        let ev_end = b.iter().position(|c| !(c.is_ascii_alphabetic() || *c == b'/'))?;
        let num_end = b.iter().rposition(u8::is_ascii_digit)? + 1;
        let num_start =
            b.get(..num_end)?.iter().rposition(|c| !c.is_ascii_digit()).map_or(0, |i| i + 1);
        let lead = num_start > 0 && b.get(num_start - 1) == Some(&b'\'');
        let has_s = matches!(b.get(num_end), Some(b's' | b'S'));
        let dec_end = if has_s { num_end + 1 } else { num_end };
        let trail = b.last() == Some(&b'\'') && b.len() > dec_end;
        Some(EventMatch {
            event: (base, base + ev_end),
            num: (base + num_start, base + num_end),
            decade: (base + num_start, base + dec_end),
            lead,
            trail,
            end: base + b.len(),
        })
    }
}

/// Years tied to events in a patient's history, and apostrophe years.
pub struct EventYears;

impl EventYears {
    fn unit_after(text: &str, end: usize) -> bool {
        let w = next_words(text, end, 1);
        contains_word(
            &w,
            &[
                "mg", "mcg", "ml", "cc", "units", "u", "kg", "lb", "lbs", "mmhg", "bpm", "yo", "y",
                "yr", "yrs", "years", "year", "hrs", "hours", "days", "min", "mins", "percent",
                "x", "times", "degrees", "f", "c", "l", "pm", "am",
            ],
        )
    }
}

impl Detector for EventYears {
    fn name(&self) -> &'static str {
        "date_event_year"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let t = doc.text;
        if let Some(re) = EVENT_YEAR_RE.as_ref() {
            // `find_iter` plus a hand parse of the short match: capture groups on this large
            // alternation cost several times the search itself.
            for m in re.find_iter(t) {
                let Some(p) = EventMatch::parse(m.as_str(), m.start()) else { continue };
                let (ev, num, decade, trail) = (p.event, p.num, p.decade, p.trail);
                let lead = p.lead;
                let n = t.get(num.0..num.1).unwrap_or("");
                let end = if trail { p.end } else { decade.1 };
                if continues_number(t, num.1) && !trail && decade.1 == num.1 {
                    continue;
                }
                let score = if n.len() == 4 {
                    if !n.parse::<u32>().is_ok_and(|y| (1900..=2099).contains(&y)) {
                        continue;
                    }
                    0.55
                } else if lead || trail {
                    0.55
                } else {
                    // Bare two digits (`CABG 81`): plausible year only right after a procedure or
                    // diagnosis (not `pacer at 50`, `Ca 12`) and without a unit after it.
                    let joined = t.get(ev.1..num.0).unwrap_or("");
                    let ev_word = t.get(ev.0..ev.1).unwrap_or("").to_ascii_lowercase();
                    if Self::unit_after(t, end)
                        || joined.trim().len() > 2
                        || matches!(
                            ev_word.as_str(),
                            "pacer"
                                | "pacemaker"
                                | "ppm"
                                | "aicd"
                                | "ca"
                                | "pe"
                                | "chf"
                                | "pna"
                                | "cath"
                                | "dx"
                                | "s/p"
                                | "redo"
                                | "stent"
                                | "stents"
                                | "repair"
                        )
                    {
                        continue;
                    }
                    0.5
                };
                out.push(span(num.0, decade.1, score, self.name()));
            }
        }
        if let Some(re) = APOSTROPHE_YEAR_RE.as_ref() {
            for c in re.captures_iter(t) {
                let (Some(m), Some(num)) = (c.get(0), c.get(1)) else { continue };
                // `it's'92`-style glue and `5'10"` heights are not years.
                if prev_char(t, m.start()).is_some_and(|ch| ch.is_alphanumeric())
                    || continues_number(t, num.end())
                    || Self::unit_after(t, num.end())
                {
                    continue;
                }
                out.push(span(num.start(), num.end(), 0.55, self.name()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Spoken numeric dates
// ---------------------------------------------------------------------------------------------

static SPOKEN_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"(?-u:\b)([0-9]{1,2}) ([0-9]{1,2}) ([0-9]{4}|[0-9]{2})(?-u:\b)"));

/// Month and day said as one number, then the year: "oh five one three fifty seven" and "eleven
/// fourteen, nineteen forty two" reach the view as `0513 57` and `1114 1942`, "nine four,
/// nineteen eighty seven" as `94 1987`.
static SPOKEN_PACKED_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"(?-u:\b)([0-9]{2,4}),? ([0-9]{4}|[0-9]{2})(?-u:\b)"));

/// Month, day and year said digit by digit: "one two two seven oh nine" -> `122709`.
static SPOKEN_RUN_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"(?-u:\b)(?:[0-9]{6}|[0-9]{8})(?-u:\b)"));

/// Month, then day and year read as one year-like number (session 18): "oh nine fourteen eighty
/// two" reaches the view as `09 1482`, because a teen word and a tens word chain like a year
/// ("nineteen eighty two"). Taken only when the four digits are no plausible year and split
/// into a day of that month and a two-digit year.
static SPOKEN_DAY_YEAR_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"(?-u:\b)([0-9]{1,2}) ([0-9]{2})([0-9]{2})(?-u:\b)"));

/// True when `md` (2-4 digits) reads as a month and day: `94` (9/4), `123` (1/23 or 12/3),
/// `0513`.
fn packed_month_day(md: &str) -> bool {
    let num = |s: &str| s.parse::<u32>().ok();
    let ok = |m: Option<&str>, d: Option<&str>| match (m.and_then(num), d.and_then(num)) {
        (Some(m), Some(d)) => is_month_day(m, d),
        _ => false,
    };
    match md.len() {
        2 | 4 => {
            let h = md.len() / 2;
            ok(md.get(..h), md.get(h..))
        }
        3 => ok(md.get(..1), md.get(1..)) || ok(md.get(..2), md.get(2..)),
        _ => false,
    }
}

/// True when a birth-date word comes shortly before `start`, or the number answers a question
/// about the date of birth.
fn birth_cue_before(doc: &Doc<'_>, start: usize) -> bool {
    before_has(doc, start, 48, BIRTH_CUES)
        || crate::phi::structured::answered_question(doc.text, start)
            .is_some_and(|q| contains_word(q, BIRTH_CUES))
}

/// Words that make three spoken number groups a date of birth.
const BIRTH_CUES: &[&str] =
    &["dob", "d o b", "birth", "born", "birthday", "birthdate", "date of birth", "bday"];

/// On the spoken view: `03 03 84` next to birth-date words.
pub struct SpokenDates;

impl Detector for SpokenDates {
    fn name(&self) -> &'static str {
        "date_spoken"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        if !doc.is_spoken_view {
            return;
        }
        let Some(re) = SPOKEN_RE.as_ref() else { return };
        for c in re.captures_iter(doc.text) {
            let (Some(m), Some(a), Some(b), Some(y)) = (c.get(0), c.get(1), c.get(2), c.get(3))
            else {
                continue;
            };
            let (Ok(a), Ok(b), Ok(yn)) =
                (a.as_str().parse::<u32>(), b.as_str().parse::<u32>(), y.as_str().parse::<u32>())
            else {
                continue;
            };
            if y.as_str().len() == 4 && !is_year4(yn) {
                continue;
            }
            if !(is_month_day(a, b) || (a > 12 && is_month_day(b, a))) {
                continue;
            }
            if !birth_cue_before(doc, m.start()) && !after_has(doc, m.end(), 8, &["dob"]) {
                continue;
            }
            out.push(span(m.start(), m.end(), 0.8, self.name()));
        }
        if let Some(re) = SPOKEN_PACKED_RE.as_ref() {
            for c in re.captures_iter(doc.text) {
                let (Some(m), Some(md), Some(y)) = (c.get(0), c.get(1), c.get(2)) else {
                    continue;
                };
                let yn = y.as_str().parse::<u32>().unwrap_or(0);
                if (y.as_str().len() == 4 && !is_year4(yn)) || !packed_month_day(md.as_str()) {
                    continue;
                }
                if birth_cue_before(doc, m.start()) {
                    out.push(span(m.start(), m.end(), 0.75, self.name()));
                }
            }
        }
        if let Some(re) = SPOKEN_DAY_YEAR_RE.as_ref() {
            for c in re.captures_iter(doc.text) {
                let (Some(m), Some(mo), Some(d), Some(y)) =
                    (c.get(0), c.get(1), c.get(2), c.get(3))
                else {
                    continue;
                };
                let num = |g: regex::Match<'_>| g.as_str().parse::<u32>().unwrap_or(0);
                let year4 = num(d) * 100 + num(y);
                if is_year4(year4) || !is_month_day(num(mo), num(d)) {
                    continue;
                }
                if birth_cue_before(doc, m.start()) {
                    out.push(span(m.start(), m.end(), 0.75, self.name()));
                }
            }
        }
        if let Some(re) = SPOKEN_RUN_RE.as_ref() {
            for m in re.find_iter(doc.text) {
                let s = m.as_str();
                let (md, y) = (s.get(..4).unwrap_or(""), s.get(4..).unwrap_or(""));
                let yn = y.parse::<u32>().unwrap_or(0);
                if (y.len() == 4 && !is_year4(yn)) || !packed_month_day(md) {
                    continue;
                }
                if before_has(doc, m.start(), 32, BIRTH_CUES) {
                    out.push(span(m.start(), m.end(), 0.75, self.name()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, f32)> {
        found_in(&Doc::new(text))
    }

    /// What the scanner would keep: spans over the threshold, same-type overlaps merged.
    fn found_in(doc: &Doc<'_>) -> Vec<(String, f32)> {
        let mut out = Vec::new();
        for d in detectors() {
            d.detect(doc, &mut out);
        }
        out.retain(|s| s.score >= 0.5);
        let out = crate::scanner::resolve_overlaps(out);
        out.iter().map(|s| (doc.text[s.start..s.end].to_string(), s.score)).collect()
    }

    /// Spans scoring at or above the default threshold.
    fn kept(text: &str) -> Vec<String> {
        found(text).into_iter().filter(|(_, s)| *s >= 0.5).map(|(t, _)| t).collect()
    }

    fn kept_spoken(text: &str) -> Vec<String> {
        found_in(&Doc { text, is_spoken_view: true })
            .into_iter()
            .filter(|(_, s)| *s >= 0.5)
            .map(|(t, _)| t)
            .collect()
    }

    fn assert_date(text: &str, want: &str) {
        let k = kept(text);
        assert!(k.iter().any(|s| s == want), "{text:?}: want {want:?}, got {k:?}");
    }

    fn assert_none(text: &str) {
        let k = kept(text);
        assert!(k.is_empty(), "{text:?}: want no date, got {k:?}");
    }

    /// The three families together through the public scanner: what a note keeps and loses.
    #[test]
    fn scanner_end_to_end_on_a_note() {
        use crate::{PhiType, Scanner, ScannerConfig};
        let note = "CCU NPN 7P-7A\nPt is a 92 yo M, DOB 3/4/1931, s/p MI '92, CABG x3 1998.\n\
                    Admitted 7/22 from Calvert Hospital. Lives at 1234 Elm Street, \
                    Springfield, IL 62704.\nVS: BP 120/80, HR 88, T 101 F. Pain 5/10. \
                    PS 10/5 PEEP 5. Lasix 1/2 tab. K 4.2, ABG 7.39/43/137.\n\
                    Plan: f/u on 3/11, 2/6 murmur noted, strength 5/5.";
        let Ok(scanner) = Scanner::new(ScannerConfig {
            types: vec![PhiType::Date, PhiType::Age, PhiType::Address],
            ..Default::default()
        }) else {
            unreachable!("default config is valid")
        };
        let chars: Vec<char> = note.chars().collect();
        let got: Vec<(PhiType, String)> = scanner
            .scan(note)
            .iter()
            .map(|f| (f.kind, chars[f.start..f.end].iter().collect()))
            .collect();
        let want = [
            (PhiType::Age, "92"),
            (PhiType::Date, "3/4/1931"),
            (PhiType::Date, "92"),
            (PhiType::Date, "1998"),
            (PhiType::Date, "7/22"),
            (PhiType::Address, "Calvert"),
            (PhiType::Address, "1234 Elm Street, Springfield, IL 62704"),
            (PhiType::Date, "3/11"),
        ];
        let want: Vec<(PhiType, String)> = want.iter().map(|(k, s)| (*k, s.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn every_pattern_compiles() {
        assert!(NUMERIC_RE.is_some() && MONTH_GATE_RE.is_some() && MONTH_DAY_RE.is_some());
        assert!(DAY_MONTH_RE.is_some() && MONTH_YEAR_RE.is_some() && DASHED_RE.is_some());
        assert!(WEEKDAY_BEFORE_RE.is_some() && MONTH_ALONE_RE.is_some() && HOLIDAY_RE.is_some());
        assert!(HOLIDAY_GATE.is_some() && ORDINAL_RE.is_some() && EVENT_YEAR_RE.is_some());
        assert!(APOSTROPHE_YEAR_RE.is_some() && SPOKEN_RE.is_some());
    }

    #[test]
    fn numeric_three_part() {
        assert_date("DOB 3/4/84.", "3/4/84");
        assert_date("seen 03/04/1984 in clinic", "03/04/1984");
        assert_date("on 3-4-84 she fell", "3-4-84");
        assert_date("born 3.4.1984", "3.4.1984");
        assert_date("date 21/04/2021", "21/04/2021");
        assert_date("10/7/20, \"A\"", "10/7/20");
        assert_date("3-24-17 B: neuro", "3-24-17");
    }

    #[test]
    fn iso_dates() {
        assert_date("When: 1984-04-27 15:25:53\nWhere", "1984-04-27 15:25:53");
        assert_date("on 1984-03-04.", "1984-03-04");
        assert_date("2004/3/4", "2004/3/4");
        assert_none("order 1984-13-04 rejected");
        assert_none("ref 0002-3227-30");
    }

    #[test]
    fn month_day_and_month_year() {
        assert_date("admitted 7/22 found by husband", "7/22");
        assert_date("LBM 11/4 \n", "11/4");
        assert_date("echo 8/87 showing EF 20%", "8/87");
        assert_date("since 3/2002", "3/2002");
        assert_date("seen on 3/4", "3/4");
        assert_date("He returned to OR on 7-8 for coiling", "7-8");
        assert_date("DECREASED O2. 10/1 WENT TO RADIATION", "10/1");
        assert_date("P: Hemodialysis 8/9 or 8/10, monitor resp status", "8/10");
        assert_date("VENT VIA TRACH (PLACED 8/14). AC 100%,650 X 10,PEEP 7.5", "8/14");
    }

    #[test]
    fn bare_two_digit_year_after_month_and_day() {
        // The view of spoken dates ("february fourth eighty seven").
        assert_date("i was born on the 4th of february 87", "the 4th of february 87");
        assert_date("born february 4th 87 and i moved here", "february 4th 87");
        assert_date("dob is 4 feb 87", "4 feb 87");
        assert_date("she was admitted on March 3 19.", "March 3 19");
        // A clock hour, minutes or a count after the date stays out of it.
        assert_date("the appointment is March 3 10 am", "March 3");
        assert_date("born on March 3 10 am", "March 3");
        assert_date("seen on March 3 12.", "March 3");
        assert_date("March 3 15 patients were seen", "March 3");
        assert_date("on the 4th of July 76 people came", "the 4th of July");
    }

    #[test]
    fn may_as_a_month_mid_sentence_or_after_a_cue() {
        assert_date("Could I reschedule for the week of May 20? Thanks", "May 20");
        assert_date("We could do May 21 instead.", "May 21");
        assert_date("the results are due by may 3", "may 3");
        // The verb, at a sentence start or lowercase without a cue.
        assert_none("May 2 patients share a room? No.");
        assert_none("you may 2 times a day take it");
    }

    #[test]
    fn month_names() {
        assert_date("born March 3, 1984.", "March 3, 1984");
        assert_date("seen Mar 3rd", "Mar 3rd");
        assert_date("on 3 March 1984 she", "3 March 1984");
        assert_date("the 3rd of March", "the 3rd of March");
        assert_date("in March of 1984", "March of 1984");
        // Session 15: a two-digit year after "of" (the view of "march of forty six").
        assert_date("i was born in march of 46 so", "march of 46");
        assert_date("born in March of '46", "March of '46");
        assert_none("a supply for March of 30 days");
        assert_date("since March 1984", "March 1984");
        assert_date("on Monday, March 3, 1984", "Monday, March 3, 1984");
        assert_date("stated it was July 29th.", "July 29th");
        assert_date("Nursing Note 21 Apr, 21 0700", "21 Apr, 21");
        assert_date("1->2 nov, 96", "2 nov, 96");
        assert_date("Sept. 2004", "Sept. 2004");
        assert_date("in Mar '84", "Mar '84");
        assert_date("home in sept. and", "sept");
        assert_date("admitted in September", "September");
        assert_date("we moved to the north side last march", "march");
        assert_date("back in march she fell twice", "march");
        assert_date("arrived on Christmas Eve", "Christmas Eve");
        // Session 19: EHR export forms, a range, an ordinal day before "with".
        assert_date("Admitted 12DEC2025 via ED.", "12DEC2025");
        assert_date("Started coumadin 10-Nov, INR today 2.4.", "10-Nov");
        assert_date("Symptoms since 11/30-12/2, worse at night.", "11/30");
        assert_date("Symptoms since 11/30-12/2, worse at night.", "12/2");
        assert_date("Plan: f/u on the 15th with PCP.", "15th");
        assert_none("BP 120/80-130/85 today");
        assert_none("LUNGS CRACKLES 1/3-1/2 UP L>R");
        assert_date("HOSPITALIZED EARLY NOV FOR PNA.", "NOV");
        assert_none("NOV vaccine given"); // no cue
        assert_none("3-mar ointment"); // a lowercase month with no year is no date
                                       // Session 19: a year after the holiday belongs to the date.
        assert_date("born on Christmas Eve, 1951.", "Christmas Eve, 1951");
        assert_date("since Thanksgiving 2024 she", "Thanksgiving 2024");
        assert_date("DOB 03-Mar-1984.", "03-Mar-1984");
        assert_date("seen 3/Mar/84", "3/Mar/84");
        assert_date("since Mar-1984", "Mar-1984");
        assert_date("TEE FRIDAY 9/17.", "FRIDAY 9/17");
        assert_date("clinic Monday, 3/4 at noon", "Monday, 3/4");
    }

    #[test]
    fn spoken_view_forms() {
        let v = kept_spoken("my birthday is march 3rd 1984 okay");
        assert_eq!(v, vec!["march 3rd 1984".to_string()]);
        let v = kept_spoken("it was the 3rd of march");
        assert_eq!(v, vec!["the 3rd of march".to_string()]);
        let v = kept_spoken("date of birth 03 03 84 thanks");
        assert_eq!(v, vec!["03 03 84".to_string()]);
        // Three number groups without a birth cue are a phone fragment or a count, not a date.
        assert!(kept_spoken("call 03 03 84 thanks").is_empty());
        // And the written detectors never take spaced groups.
        assert_none("date of birth 03 03 84");
        // Session 18: day and year chained like a year ("oh nine fourteen eighty two").
        assert_eq!(kept_spoken("my birthday's 09 1482 ok"), vec!["09 1482".to_string()]);
        assert!(kept_spoken("I walked 09 1482 steps").is_empty());
        assert!(kept_spoken("born 2 3184").is_empty(), "no 31st of February");
    }

    #[test]
    fn spoken_packed_month_day() {
        for (t, want) in [
            ("born 0513 57. i live", "0513 57"),
            ("date of birth on file?\ncaller: it's 1114, 1942. ok", "1114, 1942"),
            ("What's the date of birth on file? It's 94 1987. I got", "94 1987"),
            ("dob 123 1987", "123 1987"),
            ("Born 122709. I'm calling", "122709"),
            ("date of birth 03141968 ok", "03141968"),
        ] {
            assert_eq!(kept_spoken(t), vec![want.to_string()], "{t}");
        }
        // No birth cue, or not a month and day.
        assert!(kept_spoken("I paid 0513 57 times").is_empty());
        assert!(kept_spoken("born 1357 84").is_empty());
        assert!(kept_spoken("born 1984").is_empty());
        assert!(kept_spoken("MRN 122709 born later").is_empty());
        assert!(kept_spoken("born 132709").is_empty());
        // Never on written text.
        assert_none("born 0513 57");
    }

    #[test]
    fn ordinal_days() {
        assert_date("cultures drawn on the 11th. One set", "11th");
        assert_none("transferred on the 5th floor");
        assert_none("the 3rd time today");
        assert_date("We faxed it to the office on Monday the 17th.", "17th");
        assert_date("seen Tues, the 2nd at noon", "2nd");
        assert_none("every Monday the 2nd shift starts at 3");
    }

    #[test]
    fn event_years() {
        assert_date("PMH: CAD, S/P MI 1992; LCX PTCA", "1992");
        assert_date("pmh: cad--s/p mi '92 \n", "92");
        assert_date("CABG X3 '92, REDO '95", "92");
        assert_date("s/p avr \u{2019}84 \n", "84");
        assert_date("REDO '95, DDD PACER '95", "95");
        assert_date("CVA 74'. \n CHOLECYSTECTOMY 77'.", "74");
        assert_date("CHOLECYSTECTOMY 77'.", "77");
        assert_date("PMH: CABG 81, Redo CABG 84, MVR", "81");
        assert_date("HX OF POSSIBLE MI IN 1980S AFTER", "1980S");
        assert_date("RENAL CELL CA 1977,S/P R NEPHRECTOMY", "1977");
        assert_date("s/p CABG (1998), HTN", "1998");
        // Years alone are not PHI under Safe Harbor.
        assert_none("During 1971, the company invested");
        assert_none("in 1988 while studying");
        // Counts and units after an event word are not years.
        assert_none("s/p MI x2 with 25 mg");
        assert_none("CABG x3 now 45 yo");
        assert_none("chf 30 mg lasix");
        assert_none("HD REPLACEMENT 200 & PT FLUID");
        assert_none("He is 5'10\" tall");
    }

    #[test]
    fn not_dates() {
        for t in [
            "BP 120/80 HR 70",
            "BP 94-113/42-51 with MAP >60",
            "take 1/2 tab po qd",
            "pain 5/10 in the abdomen",
            "rates pain 5/10",
            "5/10 pain",
            "2/6 murmur at LUSB",
            "SEM 2/6",
            "strength 5/5 throughout",
            "4/5 strength in LUE",
            "1/4 strength ensure",
            "PS 10/5 PEEP 5",
            "NIGHT-SIMV/PS, 40%, 600X4, & 5/10 W SATS",
            "at 10:30 today",
            "available 24/7",
            "ABG 7.39/43/137/27",
            "K 4.2, Mg 2.0, phos 3.1",
            "ICD-10 I10 and CPT 99213",
            "version 2.1.10",
            "x3 doses",
            "improved 50% today",
            "gave 1/2 NS at 200cc",
            "HR 60-70, RR 12-20",
            "range 10-15 mg",
            "call 410-555-1212",
            "SSN 123-45-6789",
            "drank 1/2 gallon",
            "it is 3/4 full",
            "you may 2 take",
            "2 may be needed",
            "dec 2 L NC",
            "decision in may be",
            "we will march on",
            "this march was long",
            "the last may be the worst",
            "patients in may i think qualify",
            "dec-2 units",
            "a 3-mar-tab",
            "Microcephaly 3/6 Sclerocornea 2/5 Absent speech",
            "Apgars 8/9",
            "3/6 bottles positive",
            "hydrocodone 5/325 q6h",
            "advair 250/50 bid",
            "GA 38 3/7 weeks",
            "VA 20/40 OU",
            "Mitral regurgitation 10/12 Aortic regurgitation 4/12 Recurrent",
        ] {
            assert_none(t);
        }
    }

    #[test]
    fn boundaries_and_offsets_are_safe() {
        // Multibyte text around candidates must not break char boundaries.
        let t = "é 3/4/84 ü March 3, 1984 ö '92";
        let d = Doc::new(t);
        let mut out = Vec::new();
        for det in detectors() {
            det.detect(&d, &mut out);
        }
        for s in &out {
            assert!(t.is_char_boundary(s.start) && t.is_char_boundary(s.end));
            assert!(s.start < s.end && s.end <= t.len());
        }
        assert!(!out.is_empty());
        // Empty and odd inputs.
        for t in ["", "/", "3/", "/4", "'", "12'", "on the", "March", "0/0/0000"] {
            let _ = found(t);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_valid(text in "(?:[0-9]{1,4}|[/.\\-]|March|mar|the|of|on|'|3rd|MI|s/p|CABG|dob|é|ü|\\n| |,){0,40}") {
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
