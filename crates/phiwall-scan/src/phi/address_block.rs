//! Two passes over the resolved findings that complete an address the detectors found in part
//! (session 19, from presidio-research dev misses):
//!
//! - a **house number** right before an ADDRESS finding on the same line joins it ("**28245**
//!   Puruntie 82 Apt. 595": the street detector started at the name);
//! - a line holding **only a postal code** ("53650", "340 12", "53-320", "B0J 2H0") within the
//!   three lines after an ADDRESS finding is part of that address block (letters and forms put
//!   the code on a line of its own).
//!
//! Both only grow or add ADDRESS spans over text no other finding holds. Invariants: spans stay
//! sorted, non-overlapping and on char boundaries (every boundary moved here sits next to an
//! ASCII byte); linear in the number of findings and lines.

use crate::detector::Span;
use crate::types::PhiType;

/// Run both passes over `spans` (sorted, non-overlapping byte spans of `text`).
pub(crate) fn complete_address_blocks(text: &str, spans: &mut Vec<Span>) {
    if !spans.iter().any(|s| s.kind == PhiType::Address) {
        return;
    }
    join_house_numbers(text, spans);
    add_postal_code_lines(text, spans);
}

/// Extend an ADDRESS span left over "<1-6 digits> " that starts a line or follows a blank or a
/// comma, when no other finding holds those digits.
fn join_house_numbers(text: &str, spans: &mut [Span]) {
    let bytes = text.as_bytes();
    let mut prev_end = 0;
    for s in spans.iter_mut() {
        let this_end = s.end;
        if s.kind == PhiType::Address && s.start >= 2 && bytes.get(s.start - 1) == Some(&b' ') {
            let digits_end = s.start - 1;
            let mut k = digits_end;
            while k > prev_end && bytes.get(k - 1).is_some_and(u8::is_ascii_digit) {
                k -= 1;
            }
            let n = digits_end - k;
            let opens = k == 0 || matches!(bytes.get(k - 1), Some(b' ' | b'\n' | b'\t' | b','));
            if (1..=6).contains(&n) && opens && k >= prev_end {
                s.start = k;
            }
        }
        prev_end = this_end;
    }
}

/// Add an ADDRESS span for each line that is a postal code alone, within three lines after an
/// ADDRESS finding, when no finding touches the line.
fn add_postal_code_lines(text: &str, spans: &mut Vec<Span>) {
    let mut added = Vec::new();
    let mut last_address_line: Option<usize> = None;
    let mut span_i = 0;
    let mut line_start = 0;
    for (line_no, line) in text.split('\n').enumerate() {
        let line_end = line_start + line.len();
        let mut touched = false;
        while let Some(s) = spans.get(span_i) {
            if s.start > line_end {
                break;
            }
            if s.end > line_start {
                touched = true;
                if s.kind == PhiType::Address {
                    last_address_line = Some(line_no);
                }
            }
            if s.end > line_end {
                break;
            }
            span_i += 1;
        }
        let trimmed = line.trim();
        let near = last_address_line.is_some_and(|a| line_no > a && line_no - a <= 3);
        if !touched && near && is_postal_code(trimmed) {
            let lead = line.len() - line.trim_start().len();
            let start = line_start + lead;
            added.push(Span::new(
                start,
                start + trimmed.len(),
                PhiType::Address,
                0.7,
                "address_block",
            ));
        }
        line_start = line_end + 1;
    }
    if !added.is_empty() {
        spans.extend(added);
        spans.sort_by_key(|s| (s.start, s.end));
    }
}

/// True when `code` is a postal code alone: 4-6 digits, digits in two groups ("340 12",
/// "53-320", "3610-114", "45429-1234"), or a Canadian "B0J 2H0".
fn is_postal_code(code: &str) -> bool {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if (4..=6).contains(&code.len()) && all_digits(code) {
        return true;
    }
    if let Some((a, c)) = code.split_once([' ', '-']) {
        if all_digits(a)
            && all_digits(c)
            && (2..=5).contains(&a.len())
            && (2..=4).contains(&c.len())
        {
            return true;
        }
        let shape = |s: &str, pattern: &[bool]| {
            s.len() == pattern.len()
                && s.bytes().zip(pattern).all(|(b, &letter)| {
                    if letter {
                        b.is_ascii_uppercase()
                    } else {
                        b.is_ascii_digit()
                    }
                })
        };
        return shape(a, &[true, false, true]) && shape(c, &[false, true, false]);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str, part: &str) -> Span {
        let start = text.find(part).unwrap_or(0);
        Span::new(start, start + part.len(), PhiType::Address, 0.8, "t")
    }

    fn texts<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
        spans.iter().filter_map(|s| text.get(s.start..s.end)).collect()
    }

    #[test]
    fn a_house_number_joins_the_street() {
        let text = "Billing address: Sara Schwarz\n    28245 Puruntie 82 Apt. 595\n   LAPPEENRANTA";
        let mut spans = vec![addr(text, "Puruntie 82 Apt. 595")];
        complete_address_blocks(text, &mut spans);
        assert_eq!(texts(text, &spans), ["28245 Puruntie 82 Apt. 595"]);
        // Glued to a word or another finding: left alone.
        let text = "room B12 Main Street";
        let mut spans = vec![addr(text, "Main Street")];
        complete_address_blocks(text, &mut spans);
        assert_eq!(texts(text, &spans), ["Main Street"]);
    }

    #[test]
    fn a_postal_code_line_after_an_address_joins_the_block() {
        let text = "Billing address: Sara Schwarz\n    28245 Puruntie 82\n   LAPPEENRANTA\n    SK\n    53650";
        let mut spans = vec![addr(text, "28245 Puruntie 82"), addr(text, "LAPPEENRANTA")];
        complete_address_blocks(text, &mut spans);
        assert_eq!(texts(text, &spans), ["28245 Puruntie 82", "LAPPEENRANTA", "53650"]);
        // No address before it, or too far: a lone number stays.
        let text = "Vitals\n120\n4521";
        let mut spans = Vec::new();
        complete_address_blocks(text, &mut spans);
        assert!(spans.is_empty());
        let text = "12 Elm Street\na\nb\nc\nd\n45429";
        let mut spans = vec![addr(text, "12 Elm Street")];
        complete_address_blocks(text, &mut spans);
        assert_eq!(spans.len(), 1);
    }

    #[test]
    fn postal_code_shapes() {
        for ok in ["53650", "7188", "340 12", "53-320", "3610-114", "45429-1234", "B0J 2H0"] {
            assert!(is_postal_code(ok), "{ok}");
        }
        for no in ["123", "1234567", "12/34", "abc 12", "B0J2H0", "98.6", ""] {
            assert!(!is_postal_code(no), "{no}");
        }
    }

    proptest::proptest! {
        #[test]
        fn spans_stay_sorted_and_valid(text in "[ a-zA-Z0-9\\n,é-]{0,80}", a in 0usize..80, b in 0usize..80) {
            let (lo, hi) = (a.min(b), a.max(b));
            let mut spans = Vec::new();
            if lo < hi && hi <= text.len() && text.is_char_boundary(lo) && text.is_char_boundary(hi) {
                spans.push(Span::new(lo, hi, PhiType::Address, 0.8, "t"));
            }
            complete_address_blocks(&text, &mut spans);
            for s in &spans {
                proptest::prop_assert!(s.start < s.end && s.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            }
            for w in spans.windows(2) {
                proptest::prop_assert!(w[0].end <= w[1].start);
            }
        }
    }
}
