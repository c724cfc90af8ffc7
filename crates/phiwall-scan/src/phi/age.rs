//! AGE recognizer: ages over 89, the only ages HIPAA Safe Harbor treats as identifiers.
//!
//! Forms: `92 year old`, `92-year-old`, `92 yo`, `92 y/o`, `92 y.o.`, `92yo`, `92 yrs old`,
//! `92 years of age`, `92M` / `92 F` (age and sex), `aged 95`, `age: 95`, `turned 95`,
//! `95th birthday`, a person as subject (`I'm 92`, `she's 95.`) and a note that opens with the age
//! (`98 s/p hip fx`). Spoken ages arrive as
//! digits in the spoken view (`ninety two years old` -> `92 years old`) and match the same rules.
//!
//! Only the number is tagged, so a redacted note still reads `[AGE] year old`. Ages of 89 and
//! below are never reported, whatever the form; neither are ages above 125 (not human ages, more
//! likely a dose or a lab value that happens to sit before `y`).
//!
//! Not ages: temperatures (`T 101 F`), durations (`for 92 years`), doses and counts. The `92F`
//! form is skipped after temperature words.
//!
//! The PhysioNet deid gold (dev split) labels 4 ages, all `98` at the start of a note (`98 yo
//! gentleman`, `98 s/p left hip fx`); presidio's AGE spans are all 89 or under, so none of them is
//! reported, by design.
//!
//! Invariants: spans are byte ranges of ASCII digits in `doc.text`; no panics; regexes compiled
//! once.

use std::sync::LazyLock;

use regex::Regex;

use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// Build this family's lazily compiled patterns and tables now, so the first scan after start
/// does not pay for them (results are the same either way).
fn warm() {
    LazyLock::force(&NUMBER_RE);
    LazyLock::force(&BIRTH_YEAR_RE);
    LazyLock::force(&BORN_NEAR_YEAR_RE);
}

/// This family's detectors.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    warm();
    vec![Box::new(AgeOver89)]
}

/// Two- and three-digit number tokens; each one in 90..=125 is then checked by hand against the
/// age forms, which is several times cheaper than running one regex per form over the text.
static NUMBER_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)[0-9]{2,3}").ok());

/// Words right before `92F` that make it a temperature.
const TEMPERATURE: &[&str] =
    &["t", "temp", "temperature", "tmax", "tm", "tc", "fever", "febrile", "to", "of", "degrees"];

/// Words before `92 years` that make it an age rather than a duration.
const AGE_CUES: &[&str] = &["is", "was", "age", "aged", "turned", "turns", "now", "being"];

/// Words after a number that opens a line (`98 s/p hip fx`).
const LEADING_NOUNS: &[&str] =
    &["s/p", "w/", "with", "male", "female", "man", "woman", "gentleman", "lady", "m", "f"];

/// The last `n` words before `pos` on the same line, lowercased.
fn prev_words(text: &str, pos: usize, n: usize) -> Vec<String> {
    let head = text.get(..pos).unwrap_or("");
    let line = head.rsplit('\n').next().unwrap_or("");
    let mut words: Vec<String> = line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .rev()
        .take(n)
        .map(str::to_ascii_lowercase)
        .collect();
    words.reverse();
    words
}

/// True when the digits starting at `start` are part of a larger token (`1.92 yo`, `x92`).
fn glued(text: &str, start: usize) -> bool {
    text.get(..start)
        .and_then(|h| h.chars().next_back())
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '/' | ',' | '-' | '+'))
}

/// `rest` without leading spaces and hyphens.
fn skip_sep(rest: &str) -> &str {
    rest.trim_start_matches([' ', '\t', '-'])
}

/// If `rest` starts with `word` (ASCII case-insensitive) followed by a non-letter, the remainder.
fn strip_word<'a>(rest: &'a str, word: &str) -> Option<&'a str> {
    let head = rest.get(..word.len())?;
    if !head.eq_ignore_ascii_case(word) {
        return None;
    }
    let tail = rest.get(word.len()..)?;
    if tail.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(tail)
}

/// How the text after an age number reads.
enum After {
    /// `year old`, `yo`, `y/o`, `y.o.`, `years of age`.
    YearsOld,
    /// `years` with nothing after that makes it an age.
    BareYears,
    /// `M` / `F` (case-sensitive).
    Sex,
    /// `th birthday`.
    Birthday,
    /// Anything else.
    Other,
}

fn classify_after(text: &str, end: usize) -> After {
    let raw = text.get(end..).unwrap_or("");
    let raw = raw.get(..raw.len().min(24)).unwrap_or(raw);
    let rest = skip_sep(raw);
    for unit in ["years", "year", "yrs", "yr.", "yr"] {
        if let Some(tail) = strip_word(rest, unit) {
            let tail = skip_sep(tail);
            if strip_word(tail, "old").is_some()
                || strip_word(tail, "of")
                    .is_some_and(|t| strip_word(t.trim_start(), "age").is_some())
            {
                return After::YearsOld;
            }
            return After::BareYears;
        }
    }
    if strip_word(rest, "yo").is_some()
        || strip_word(rest, "y/o").is_some()
        || strip_word(rest, "y.o.").is_some()
        || strip_word(rest, "y.o").is_some()
        || strip_word(rest, "y o").is_some()
    {
        return After::YearsOld;
    }
    for ord in ["st", "nd", "rd", "th"] {
        if let Some(tail) = raw.strip_prefix(ord) {
            if strip_word(tail.trim_start(), "birthday").is_some() {
                return After::Birthday;
            }
        }
    }
    let sex = raw.strip_prefix(' ').unwrap_or(raw);
    if sex.starts_with(['M', 'F'])
        && !sex.get(1..).is_some_and(|t| t.starts_with(|c: char| c.is_ascii_alphanumeric()))
    {
        return After::Sex;
    }
    After::Other
}

/// A named person set off by commas before "is"/"was": "My mother, Lourdes Bautista, is 91".
/// The word before the closing comma must be in Title Case, and an earlier comma in the text
/// must open the appositive ("Glucose, fasting, is 95" fails on case).
fn appositive_subject(text: &str, start: usize) -> bool {
    let head = text.get(..start).unwrap_or("");
    let Some(before) = head.strip_suffix(" is ").or_else(|| head.strip_suffix(" was ")) else {
        return false;
    };
    let Some(before) = before.strip_suffix(',') else { return false };
    let word_start = before.rfind(|c: char| !c.is_alphabetic() && c != '\'' && c != '-');
    let word = before.get(word_start.map_or(0, |i| i + 1)..).unwrap_or("");
    let mut chars = word.chars();
    let is_title = chars.next().is_some_and(char::is_uppercase)
        && chars.clone().next().is_some_and(char::is_lowercase)
        && chars.all(|c| c.is_lowercase() || c == '\'' || c == '-');
    // The comma must close an appositive, so an earlier comma or a relative opens it.
    let clause = before.get(..word_start.unwrap_or(0)).unwrap_or("");
    let opened = clause.contains(',');
    is_title && opened
}

/// Ages over 89 in every written and spoken form.
pub struct AgeOver89;

impl AgeOver89 {
    /// Score for the number at `[start, end)` whose value is already known to be 90..=125.
    fn score(text: &str, start: usize, end: usize) -> Option<f32> {
        let prev = prev_words(text, start, 2);
        let last = prev.last().map(String::as_str).unwrap_or("");
        let second = if prev.len() == 2 { prev.first().map(String::as_str) } else { None };
        match classify_after(text, end) {
            After::YearsOld => return Some(0.95),
            After::Birthday => return Some(0.85),
            After::BareYears if AGE_CUES.contains(&last) => return Some(0.7),
            After::Sex if !prev.iter().any(|w| TEMPERATURE.contains(&w.as_str())) => {
                return Some(0.75)
            }
            _ => {}
        }
        // `aged 95`, `age 95`, `age: 95`, `age of 95`, `turned 95`.
        if matches!(last, "aged" | "age" | "turned" | "turns" | "turning")
            || (matches!(last, "of" | "is" | "was") && second == Some("age"))
        {
            return Some(0.85);
        }
        // A person as subject (`I'm 92`, `she is 95`, `mom is 91.`), with nothing after the number
        // that makes it a measurement (`he is 98 percent`, `she's 100 pounds`).
        let subject = matches!(
            (second, last),
            (Some("i"), "m" | "am")
                | (
                    Some(
                        "she"
                            | "he"
                            | "mom"
                            | "mother"
                            | "dad"
                            | "father"
                            | "grandmother"
                            | "grandfather"
                            | "wife"
                            | "husband"
                            | "grandma"
                            | "grandpa"
                            | "granny"
                            | "nana"
                            | "mum"
                            | "aunt"
                            | "uncle"
                            | "patient"
                            | "pt"
                            // Session 20: "my father, Hiroshi Tanaka, who is 91 and ...", and
                            // other relatives and people named by their role.
                            | "who"
                            | "son"
                            | "daughter"
                            | "brother"
                            | "sister"
                            | "spouse"
                            | "neighbor"
                            | "neighbour"
                            | "resident"
                            | "client"
                    ),
                    "s" | "is" | "was"
                )
        ) || last == "im"
            || appositive_subject(text, start);
        if subject {
            let next = text.get(end..).unwrap_or("").trim_start();
            let next_word: String = next
                .chars()
                .take_while(|c| c.is_ascii_alphabetic() || *c == '%')
                .map(|c| c.to_ascii_lowercase())
                .collect();
            let clause_ends = next.is_empty()
                || next.starts_with(['.', ',', ';', '!', '?', '\n'])
                || matches!(
                    next_word.as_str(),
                    "and" | "but" | "so" | "now" | "today" | "this" | "next" | "in" | "on" | "yrs"
                );
            // `98.6` continues the number.
            let is_decimal =
                next.starts_with('.') && next.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
            if clause_ends && !is_decimal {
                return Some(0.6);
            }
        }
        // A line that opens with the age: `98 s/p left hip fx`.
        let line_start = text.get(..start).unwrap_or("").rsplit('\n').next().unwrap_or("");
        if line_start.trim().is_empty() {
            let rest = text.get(end..).unwrap_or("").trim_start_matches([' ', '\t']);
            if LEADING_NOUNS.iter().any(|w| strip_word(rest, w).is_some()) {
                return Some(0.6);
            }
        }
        None
    }
}

impl Detector for AgeOver89 {
    fn name(&self) -> &'static str {
        "age_over_89"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = NUMBER_RE.as_ref() else { return };
        let t = doc.text;
        let mut found_age = false;
        for m in re.find_iter(t) {
            if !m.as_str().parse::<u32>().is_ok_and(|a| (90..=125).contains(&a))
                || glued(t, m.start())
                || t.get(m.end()..).is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            {
                continue;
            }
            if let Some(score) = Self::score(t, m.start(), m.end()) {
                out.push(Span::new(m.start(), m.end(), PhiType::Age, score, self.name()));
                found_age |= score >= 0.5;
            }
        }
        if found_age {
            birth_years(t, out);
        } else {
            old_birth_years(t, this_year(), out);
        }
    }
}

/// A year of birth right after its cue ("b. 1931", "born in 1925", "YOB 1930").
static BIRTH_YEAR_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:b\.|born(?:[ \t]+in)?|birth[ \t]+year|year[ \t]+of[ \t]+birth|yob)[ \t:]*((?:18|19|20)[0-9]{2})(?-u:\b)",
    )
    .ok()
});

/// Safe Harbor removes every date element, the year included, that indicates an age over 89:
/// in a text that states such an age, a year of birth is a DATE (session 19: "93 yo F (b.
/// 1931)", "he's a hundred and one, born in nineteen twenty five"). Without a stated age only a
/// birth year that itself puts the person over 89 is one ([`old_birth_years`]).
fn birth_years(t: &str, out: &mut Vec<Span>) {
    let Some(re) = BIRTH_YEAR_RE.as_ref() else { return };
    for c in re.captures_iter(t) {
        if let Some(y) = c.get(1) {
            out.push(Span::new(y.start(), y.end(), PhiType::Date, 0.8, "birth_year_over_89"));
        }
    }
}

/// A year of birth a few words after "born": "born in the summer of 1934", "born in Ohio in
/// 1929".
static BORN_NEAR_YEAR_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)born(?:[ \t]+[a-z']+,?){1,5}[ \t]+((?:18|19)[0-9]{2})(?-u:\b)").ok()
});

/// The current calendar year (UTC; off by at most a day around New Year, which moves the
/// over-89 line by one birth year for that day).
fn this_year() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // 365.2425 days a year.
    1970 + u32::try_from(secs / 31_556_952).unwrap_or(0)
}

/// Without a stated age, a year of birth that itself puts the person over 89 (session 20: "I
/// was born in the summer of 1934") is a DATE too; a later one stays, like any year. Safe
/// Harbor's age rule is relative to today, so this one reads the clock.
fn old_birth_years(t: &str, this_year: u32, out: &mut Vec<Span>) {
    let mut taken: Vec<usize> = Vec::new();
    for re in [BIRTH_YEAR_RE.as_ref(), BORN_NEAR_YEAR_RE.as_ref()].into_iter().flatten() {
        for c in re.captures_iter(t) {
            let Some(y) = c.get(1) else { continue };
            // "born in 1929" matches both patterns: one span.
            if taken.contains(&y.start()) {
                continue;
            }
            taken.push(y.start());
            if y.as_str().parse::<u32>().is_ok_and(|year| year + 90 <= this_year) {
                out.push(Span::new(y.start(), y.end(), PhiType::Date, 0.8, "birth_year_over_89"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_birth_year_over_89_years_ago_is_a_date_without_an_age() {
        let years = |t: &str| {
            let mut out = Vec::new();
            old_birth_years(t, 2026, &mut out);
            out.iter().map(|s| t[s.start..s.end].to_string()).collect::<Vec<_>>()
        };
        assert_eq!(years("I was born in the summer of 1934, on the twelfth"), ["1934"]);
        assert_eq!(years("born in Ohio in 1929"), ["1929"]);
        assert_eq!(years("she was born in 1929 and raised here"), ["1929"], "one span");
        assert_eq!(years("b. 1930"), ["1930"]);
        assert_eq!(years("b. 1936"), ["1936"], "90 in 2026");
        assert!(years("born in the spring of 1937").is_empty(), "89 in 2026");
        assert!(years("born in 1984").is_empty());
        assert!(years("the clinic was founded in 1920").is_empty());
        assert!(years("born with a murmur, repaired in 1930s").is_empty());
        assert!(this_year() >= 2025);
    }

    fn ages(text: &str) -> Vec<String> {
        ages_in(&Doc::new(text))
    }

    fn ages_in(doc: &Doc<'_>) -> Vec<String> {
        let mut out = Vec::new();
        for d in detectors() {
            d.detect(doc, &mut out);
        }
        out.retain(|s| s.score >= 0.5);
        let out = crate::scanner::resolve_overlaps(out);
        out.iter().map(|s| doc.text[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn number_pattern_compiles() {
        assert!(NUMBER_RE.is_some());
    }

    #[test]
    fn ages_over_89_in_every_form() {
        for (text, want) in [
            ("Pt is a 92 year old man", "92"),
            ("a 92-year-old woman", "92"),
            ("92 yo M with CHF", "92"),
            ("92 y/o female", "92"),
            ("92 y.o. female", "92"),
            ("92yo gentleman", "92"),
            ("92 yrs old", "92"),
            ("she is 101 years of age", "101"),
            ("she is 95 years", "95"),
            ("HPI: 92M presents with", "92"),
            ("92 F with fall", "92"),
            ("aged 95, lives alone", "95"),
            ("age: 97", "97"),
            ("at the age of 93", "93"),
            ("he just turned 90", "90"),
            ("her 100th birthday", "100"),
            ("see flowsheet \n \n98 s/p left hip fx", "98"),
        ] {
            assert_eq!(ages(text), vec![want.to_string()], "{text:?}");
        }
    }

    #[test]
    fn spoken_view_age() {
        let v = Doc { text: "my mother is 92 years old", is_spoken_view: true };
        assert_eq!(ages_in(&v), vec!["92".to_string()]);
        let v = Doc { text: "well i'm 94 and still driving", is_spoken_view: true };
        assert_eq!(ages_in(&v), vec!["94".to_string()]);
        let v = Doc { text: "she's 101.", is_spoken_view: true };
        assert_eq!(ages_in(&v), vec!["101".to_string()]);
        let v = Doc { text: "i'm 95 percent sure", is_spoken_view: true };
        assert!(ages_in(&v).is_empty());
        let v = Doc { text: "he is 98.6 degrees", is_spoken_view: true };
        assert!(ages_in(&v).is_empty());
    }

    #[test]
    fn a_birth_year_is_a_date_beside_an_age_over_89() {
        assert_eq!(ages("Pt is a 93 yo F (b. 1931) seen today."), ["93", "1931"]);
        let v = Doc { text: "my husband is 101, born in 1925", is_spoken_view: true };
        assert_eq!(ages_in(&v), ["101", "1925"]);
        assert!(ages("Pt is a 63 yo F (b. 1961) seen today.").is_empty());
        assert_eq!(ages("92 y/o, born 1930s? lives alone"), ["92"], "a decade is no year");
    }

    #[test]
    fn a_named_or_related_subject_with_an_age() {
        assert_eq!(ages("My mother, Lourdes Bautista, is 91 and lives with me."), ["91"]);
        assert_eq!(ages("Our patient, Mr Ohana, was 97."), ["97"]);
        assert_eq!(ages("Grandma is 93, can she still come in?"), ["93"]);
        assert_eq!(ages("Pt is 95 and lives alone."), ["95"]);
        assert_eq!(
            ages("I'm writing for my father, Hiroshi Tanaka, who is 91 and lives with us."),
            ["91"]
        );
        assert_eq!(ages("My sister is 90, she needs a ride."), ["90"]);
        assert_eq!(ages("The resident was 102."), ["102"]);
        assert!(ages("the one who is 95% compliant").is_empty());
        assert!(ages("my son is 100 miles away").is_empty());
        // Not a person, or not set off as one.
        assert!(ages("Glucose, fasting, is 95.").is_empty());
        assert!(ages("Glucose is 95.").is_empty());
        assert!(ages("Patient is 92% on room air.").is_empty());
        assert!(ages("The pulse, Monday, was 94 bpm.").is_empty());
    }

    #[test]
    fn ages_89_and_under_are_not_phi() {
        for text in [
            "Pt is an 89 year old man",
            "45 yo M",
            "72M with CP",
            "aged 65",
            "He just turned 46 years old",
            "Patient is a 35-year-old male",
        ] {
            assert!(ages(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn not_ages() {
        for text in [
            "T 101 F overnight",
            "Tmax 102 F",
            "fever to 101 F",
            "smoked for 92 years",
            "K 3.92 yo",
            "weight 110 kg",
            "BP 100/60",
            "HR 98 s/p fluids",
            "dose 100 mg",
            "130 years old building",
            "sat is 95 on 2L",
            "HR was 98, BP 120/80",
        ] {
            assert!(ages(text).is_empty(), "{text:?}: {:?}", ages(text));
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_valid(text in "(?:[0-9]{1,3}|yo|y/o|years|old|M|F|aged|i'm|she's|é|\\n| |\\.|-){0,40}") {
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
