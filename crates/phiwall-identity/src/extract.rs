//! Assist mode: pull claimed identity facts out of a caller's turns with the PHI scanner, so a
//! voice or chat agent does not have to fill a form. Only caller turns should be passed in (the
//! agent's own words must not become claims).
//!
//! Mapping: the first NAME finding is the patient's name and a later different one, when the
//! caller presents themself as calling for someone ("for my wife ..."), is not guessed at: the
//! representative name is left to the agent. DATE -> birth date (the first date that reads as a
//! plausible date), HEALTH_PLAN_ID -> member id, MRN -> MRN, ADDRESS -> its zip, PHONE -> phone,
//! SSN (or a short "last four" number) -> SSN last 4.

use crate::normalize;
use crate::verify::ClaimedFacts;
use phiwall_scan::{PhiType, Scanner};

fn slice_chars(text: &str, start: usize, end: usize) -> &str {
    let mut idx = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len()));
    let s = idx.clone().nth(start);
    let e = idx.nth(end);
    match (s, e) {
        (Some(s), Some(e)) if s <= e => text.get(s..e).unwrap_or_default(),
        _ => "",
    }
}

/// Extract claims from caller text. Facts already present in `into` are kept (earlier turns
/// win), so call this once per caller turn with the accumulated claims.
pub fn extract_claims_into(scanner: &Scanner, text: &str, into: &mut ClaimedFacts) {
    for f in scanner.scan(text) {
        let raw = slice_chars(text, f.start, f.end);
        if raw.is_empty() {
            continue;
        }
        // Spoken forms ("march fourth nineteen eighty four") through the scanner's own spoken
        // normalizer, so the claim holds digits the date and number readers understand.
        let spoken = phiwall_scan::phi::spoken::normalize(raw).map(|view| view.text);
        let v = spoken.as_deref().unwrap_or(raw);
        let slot = match f.kind {
            PhiType::Name => &mut into.name,
            PhiType::Date => {
                if normalize::date_readings(v, 99).is_empty() {
                    continue;
                }
                &mut into.birth_date
            }
            PhiType::HealthPlanId => &mut into.member_id,
            PhiType::Mrn => &mut into.mrn,
            PhiType::Address => {
                if normalize::zip5(v).is_none() {
                    continue;
                }
                &mut into.zip
            }
            PhiType::Phone => &mut into.phone,
            PhiType::Ssn => &mut into.ssn_last4,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(v.to_string());
        }
    }
    // The scanner keeps "Krishnamurthy, Lakshmi" or "Huong Lê" only in part, and does not tag
    // compact or space-separated dates ("12131986", "4 16 1980") as DATE: read the words after
    // the cue phrases callers use. A cue-phrase name wins over a scanner NAME, which may be
    // partial.
    // Spelled words ("A-n-d-e-r-s-o-n") become one word first: folding would split them into
    // single letters, which the word cap and the stop word "i" then cut short.
    let folded = normalize::fold(&join_spelled(text));
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    if let Some(name) = after_cue(
        &words,
        &[&["my", "name", "is"], &["name", "is"], &["this", "is"], &["names"]],
        5,
        true,
    ) {
        if normalize::name_tokens(&name).len() >= 2 {
            into.name = Some(name);
        }
    }
    if into.birth_date.is_none() {
        let cues: &[&[&str]] = &[
            &["date", "of", "birth", "is"],
            &["date", "of", "birth"],
            &["birthday", "is"],
            &["born", "on"],
            &["dob", "is"],
            &["dob"],
        ];
        if let Some(d) = after_cue(&words, cues, 4, false) {
            let d = phiwall_scan::phi::spoken::normalize(&d).map(|v| v.text).unwrap_or(d);
            if !normalize::date_readings(&d, 99).is_empty() {
                into.birth_date = Some(d);
            }
        }
    }
    // "last four of my social is 6789": four digits after "last four" are not an SSN finding.
    if into.ssn_last4.is_none() {
        let folded = normalize::fold(text);
        if let Some(pos) = folded.find("last four") {
            let tail = folded.get(pos + "last four".len()..).unwrap_or_default();
            let d: String = tail.split(' ').take(12).collect::<Vec<_>>().join(" ");
            let digits = normalize::digits(&d);
            if digits.len() == 4 {
                into.ssn_last4 = Some(digits);
            }
        }
    }
}

/// Replace every spelled word, single letters joined by `-` or `.` ("W-i-l-l-i-a-m-s",
/// "O.B.r.i.e.n"), with its letters joined ("Williams"). Other text is unchanged.
fn join_spelled(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !chars.get(i - 1).is_some_and(|c| c.is_alphanumeric());
        if starts_word && chars.get(i).is_some_and(|c| c.is_alphabetic()) {
            // Letters at even offsets, separators at odd ones: L(-L)+ ending at a non-letter.
            let mut j = i;
            let mut letters = String::new();
            while chars.get(j).is_some_and(|c| c.is_alphabetic())
                && !chars.get(j + 1).is_some_and(|c| c.is_alphanumeric())
            {
                letters.extend(chars.get(j));
                if matches!(chars.get(j + 1), Some('-' | '.'))
                    && chars.get(j + 2).is_some_and(|c| c.is_alphabetic())
                {
                    j += 2;
                } else {
                    j += 1;
                    break;
                }
            }
            if letters.chars().count() >= 2 {
                out.push_str(&letters);
                i = j;
                continue;
            }
        }
        out.extend(chars.get(i));
        i += 1;
    }
    out
}

/// Words after the first cue phrase found, up to `max` words, stopping at a word that starts
/// another fact. Folding removed punctuation, so a sentence end is not visible; the stop words
/// and the cap bound the phrase instead.
fn after_cue(words: &[&str], cues: &[&[&str]], max: usize, is_name: bool) -> Option<String> {
    const STOP: &[&str] = &[
        "and", "my", "date", "dob", "born", "birthday", "phone", "number", "zip", "member", "id",
        "medical", "record", "mrn", "i", "im", "calling", "from", "the", "social", "last",
        "please",
    ];
    for cue in cues {
        let n = cue.len();
        for start in 0..words.len().saturating_sub(n - 1) {
            if words.get(start..start + n) != Some(cue) {
                continue;
            }
            let rest = words.get(start + n..).unwrap_or_default();
            let mut out: Vec<&str> = Vec::new();
            for w in rest.iter().take(max) {
                if STOP.contains(w) || (!is_name && out.len() >= 3 && w.len() == 4) {
                    if !is_name && out.len() >= 3 && w.len() == 4 {
                        out.push(w);
                    }
                    break;
                }
                if is_name && w.chars().any(|c| c.is_ascii_digit()) {
                    break;
                }
                out.push(w);
            }
            if !out.is_empty() {
                return Some(out.join(" "));
            }
        }
    }
    None
}

/// Extract claims from one caller text.
pub fn extract_claims(scanner: &Scanner, text: &str) -> ClaimedFacts {
    let mut c = ClaimedFacts::default();
    extract_claims_into(scanner, text, &mut c);
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use phiwall_scan::ScannerConfig;

    #[test]
    fn slices_by_code_points() {
        assert_eq!(slice_chars("héllo wörld", 6, 11), "wörld");
        assert_eq!(slice_chars("abc", 2, 9), "");
        assert_eq!(slice_chars("abc", 0, 3), "abc");
    }

    #[test]
    fn extracts_typed_claims() {
        let s = Scanner::new(ScannerConfig::default()).unwrap();
        let c = extract_claims(
            &s,
            "Hi, my name is Maria Gonzalez, my date of birth is 03/14/1975 and my phone number is (617) 555-0142.",
        );
        assert!(c.name.as_deref().is_some_and(|n| n.to_lowercase().contains("gonzalez")), "{c:?}");
        assert!(c.birth_date.as_deref().is_some_and(|d| d.contains("1975")), "{c:?}");
        assert!(
            c.phone
                .as_deref()
                .is_some_and(|p| normalize::phone(p).as_deref() == Some("6175550142")),
            "{c:?}"
        );
        let none = extract_claims(&s, "I want to refill my prescription.");
        assert_eq!(none, ClaimedFacts::default());
    }

    #[test]
    fn spoken_date_becomes_readable() {
        let s = Scanner::new(ScannerConfig::default()).unwrap();
        let c = extract_claims(
            &s,
            "my name is john smith and my date of birth is march fourth nineteen eighty four",
        );
        let dob = c.birth_date.as_deref().unwrap_or_default();
        assert_eq!(
            normalize::date_readings(dob, 26).first().map(normalize::Date::iso).as_deref(),
            Some("1984-03-04"),
            "{c:?}"
        );
    }

    #[test]
    fn cue_phrases_fill_gaps() {
        let s = Scanner::new(ScannerConfig::default()).unwrap();
        let c = extract_claims(
            &s,
            "Hi, my name is Krishnamurthy, Lakshmi. My date of birth is 12131986.",
        );
        assert_eq!(c.name.as_deref(), Some("krishnamurthy lakshmi"));
        assert_eq!(c.birth_date.as_deref(), Some("12131986"));
        let c = extract_claims(&s, "my date of birth is 4 16 1980 and my zip is 02139");
        assert_eq!(c.birth_date.as_deref(), Some("4 16 1980"));
        let c = extract_claims(&s, "this is about my bill");
        assert_eq!(c.birth_date, None);
    }

    #[test]
    fn spelled_words_are_joined() {
        assert_eq!(
            join_spelled("my name is Andrew W-i-l-l-i-a-m-s."),
            "my name is Andrew Williams."
        );
        assert_eq!(join_spelled("Bridget O-B-r-i-e-n, hi"), "Bridget OBrien, hi");
        assert_eq!(join_spelled("Al-Sayed and a-b 12-3 x- y"), "Al-Sayed and ab 12-3 x- y");
        assert_eq!(join_spelled("I am. J.R. here"), "I am. JR. here");
        assert_eq!(join_spelled("é-m-i-l-e"), "émile");
        let s = Scanner::new(ScannerConfig::default()).unwrap();
        let c = extract_claims(
            &s,
            "Hi, my name is tricia a-n-d-e-r-s-o-n. My date of birth is 1985-11-27.",
        );
        assert_eq!(c.name.as_deref(), Some("tricia anderson"));
    }

    #[test]
    fn last_four_phrase() {
        let s = Scanner::new(ScannerConfig::default()).unwrap();
        let c = extract_claims(&s, "the last four of my social are six seven eight nine");
        // Either the scanner's SSN finding or the "last four" rule; the verifier normalizes.
        assert_eq!(c.ssn_last4.as_deref().and_then(normalize::ssn_last4).as_deref(), Some("6789"));
        let c = extract_claims(&s, "last four is 1234");
        assert_eq!(c.ssn_last4.as_deref().and_then(normalize::ssn_last4).as_deref(), Some("1234"));
    }
}
