//! Payment card numbers: 12–19 digits, bare or in groups separated by single spaces or dashes,
//! with a valid Luhn check digit and a known issuer prefix and length
//! ([`validators::card_iin_valid`]).
//!
//! Grouped numbers must use one separator and a card grouping (4-4-4-4[-3], Amex 4-6-5, Diners
//! 4-6-4, or fours with a shorter last group). When a run of digit groups is longer than a card
//! ("4111 1111 1111 1111 2 tabs"), the longest valid prefix of whole groups is taken. Bare runs
//! of 12–14 or 17–19 digits, where a Luhn pass is weaker evidence, score lower; MRN, account and
//! device words nearby push a candidate below threshold unless a card word is also present.

use regex::Regex;
use std::sync::LazyLock;

use super::{digit_clusters, has_word, left_free, right_free, Cluster};
use crate::detector::{Detector, Doc, Span};
use crate::phi::validators::{self, Digits};
use crate::types::PhiType;

static CARD_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?-u)[0-9]{2,19}(?:[ -][0-9]{1,19}){0,6}").ok());

/// Words that make a number a payment card.
const CARD_CONTEXT: &[&str] = &[
    "card",
    "credit",
    "debit",
    "visa",
    "mastercard",
    "master card",
    "amex",
    "american express",
    "discover",
    "diners",
    "jcb",
    "unionpay",
    "maestro",
    "cc",
    "payment",
    "pay",
    "paid",
    "charge",
    "billed",
    "expires",
    "exp",
    "cvv",
];

/// Words that name a payment card outright: with one of them just before, a Luhn-valid number of
/// card length is a card even when its issuer prefix is not in [`validators::card_iin_valid`].
const NAMED_CARD: &[&str] = &[
    "credit card",
    "debit card",
    "credit card number",
    "card number",
    "visa",
    "mastercard",
    "amex",
    "discover card",
    "jcb",
    "maestro",
];

/// Words that make a Luhn-valid number another identifier.
const CARD_NEGATIVE: &[&str] = &[
    "mrn",
    "medical record",
    "account",
    "acct",
    "member",
    "policy",
    "group",
    "npi",
    "imei",
    "serial",
    "order",
    "claim",
    "ref",
    "reference",
    "tracking",
    "confirmation",
    "isbn",
    "ndc",
    "case",
    "invoice",
    "routing",
];

/// Finds payment card numbers.
#[derive(Debug, Default)]
pub struct CardDetector;

impl CardDetector {
    /// Look for this family's shapes inside one digit cluster.
    pub(super) fn scan_cluster(&self, doc: &Doc<'_>, c: Cluster, out: &mut Vec<Span>) {
        if c.digits < 12 {
            return;
        }

        let Some(re) = CARD_RE.as_ref() else { return };
        let text = doc.text;
        let bytes = text.as_bytes();

        let Some(slice) = text.get(c.start..c.end) else { return };
        for m in re.find_iter(slice) {
            let start = c.start + m.start();
            if !left_free(bytes, start) {
                continue;
            }
            let run = m.as_str().as_bytes();
            // Group boundaries: (end offset within run, separator before the group).
            let mut ends: [usize; 8] = [0; 8];
            let mut lens: [usize; 8] = [0; 8];
            let mut seps: [u8; 8] = [0; 8];
            let mut n = 0;
            let mut g_start = 0;
            for (i, &b) in run.iter().enumerate() {
                if !b.is_ascii_digit() {
                    if let (Some(e), Some(l), Some(s)) =
                        (ends.get_mut(n), lens.get_mut(n), seps.get_mut(n + 1))
                    {
                        *e = i;
                        *l = i - g_start;
                        *s = b;
                    }
                    n += 1;
                    g_start = i + 1;
                }
            }
            if let (Some(e), Some(l)) = (ends.get_mut(n), lens.get_mut(n)) {
                *e = run.len();
                *l = run.len() - g_start;
            }
            let groups = n + 1;
            // Longest prefix of whole groups that is a valid card number.
            let mut found = None;
            // Issuers outside our prefix table (new ranges, test cards) still count when the
            // text itself says "credit card" / "debit card" right before the number.
            let is_named_card = has_word(doc.before(start, 30), NAMED_CARD);
            for k in (1..=groups.min(8)).rev() {
                let (Some(&g_end), Some(glens), Some(gseps)) =
                    (ends.get(k - 1), lens.get(..k), seps.get(1..k))
                else {
                    continue;
                };
                if gseps.windows(2).any(|w| w[0] != w[1]) || !grouping_ok(glens) {
                    continue;
                }
                let end = start + g_end;
                if !right_free(bytes, end) && k == groups {
                    continue;
                }
                let Some(d) = Digits::of(m.as_str().get(..g_end).unwrap_or("")) else {
                    continue;
                };
                let digits = d.as_bytes();
                if (12..=19).contains(&digits.len())
                    && validators::luhn_valid(digits)
                    && (validators::card_iin_valid(digits) || is_named_card)
                {
                    found = Some((end, k > 1, digits.len()));
                    break;
                }
            }
            let Some((end, is_grouped, len)) = found else { continue };
            let base = match (is_grouped, len) {
                (true, _) => 0.9,
                (false, 15 | 16) => 0.85,
                (false, _) => 0.6,
            };
            let before = doc.before(start, 40);
            let after = doc.after(end, 20);
            let score = if has_word(before, CARD_CONTEXT) || has_word(after, CARD_CONTEXT) {
                0.95_f32.max(base)
            } else if has_word(before, CARD_NEGATIVE) {
                0.3
            } else {
                base
            };
            out.push(Span::new(start, end, PhiType::CreditCard, score, self.name()));
        }
    }
}

/// True when group lengths form a card layout.
fn grouping_ok(groups: &[usize]) -> bool {
    match groups {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [first @ .., last] => {
            first.iter().all(|&g| g == 4) && (1..=4).contains(last) && first.len() >= 2
        }
        [] => false,
    }
}

impl Detector for CardDetector {
    fn name(&self) -> &'static str {
        "credit_card"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        for c in digit_clusters(doc.text) {
            self.scan_cluster(doc, c, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_none, found};
    use super::*;

    #[test]
    fn regex_compiles() {
        assert!(CARD_RE.is_some());
    }

    fn cards(text: &str) -> Vec<String> {
        found(&CardDetector, text).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn grouped_and_bare() {
        assert_eq!(cards("visa 4111 1111 1111 1111 exp 09/27"), vec!["4111 1111 1111 1111"]);
        assert_eq!(cards("4111-1111-1111-1111"), vec!["4111-1111-1111-1111"]);
        assert_eq!(cards("amex 3782 822463 10005."), vec!["3782 822463 10005"]);
        assert_eq!(cards("paid with 5555555555554444"), vec!["5555555555554444"]);
        assert_eq!(cards("6011111111111117"), vec!["6011111111111117"]);
        assert_eq!(cards("diners 30569309025904"), vec!["30569309025904"]);
    }

    #[test]
    fn named_card_with_unlisted_issuer_prefix() {
        // Luhn-valid, but 3522 is outside the JCB range in the prefix table.
        assert_eq!(cards("What's your credit card? 3522235032377454"), vec!["3522235032377454"]);
        assert_eq!(cards("debit card 060426070011 was declined"), vec!["060426070011"]);
        // Same digits without a card word, or with an insurance card: not a payment card.
        assert!(cards("ref 3522235032377454").is_empty());
        assert!(cards("insurance card member id 3522235032377454").is_empty());
        // Luhn still required.
        assert!(cards("credit card 3522235032377455").is_empty());
    }

    #[test]
    fn trailing_groups_not_swallowed() {
        assert_eq!(cards("card 4111 1111 1111 1111 2 tabs"), vec!["4111 1111 1111 1111"]);
    }

    #[test]
    fn rejects() {
        let d = CardDetector;
        for t in [
            "4111 1111 1111 1112",
            "4111-1111 1111-1111",
            "41 11 11 11 11 11 11 11",
            "1234567812345678",
            "MRN 4111111111111111",
            "x4111111111111111",
            "4111111111111111.5",
            "$1,250.00",
            "500 mg",
            "NDC 0002-3227-30",
            "phone 212-555-0147",
            "CPT 99213",
        ] {
            assert_none(&d, t);
        }
    }
}
