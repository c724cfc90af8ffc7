//! Social Security numbers: `123-45-6789` on its own, and with SSN context also `123 45 6789`,
//! `123.45.6789` and a bare `123456789` (transcripts produce those).
//!
//! Every candidate must pass the SSA rules in [`validators::ssn_valid`] and use one separator
//! consistently. Dashed numbers score high alone; other layouts need "SSN"/"social" nearby.
//! Phone, account and code words nearby lower the score.

use regex::Regex;
use std::sync::LazyLock;

use super::{
    context_score, digit_clusters, left_free, negative_before, right_free, unit_follows, Cluster,
};
use crate::detector::{Detector, Doc, Span};
use crate::phi::validators::{self, Digits};
use crate::types::PhiType;

static SSN_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?-u)[0-9]{3}([- .]?|, )[0-9]{2}([- .]?|, )[0-9]{4}").ok());

/// Words that make a number an SSN.
const SSN_CONTEXT: &[&str] =
    &["ssn", "ss", "social", "social security", "soc sec", "ssa", "tax id", "tin", "itin"];

/// Words that make a dashed 3-2-4 number something else.
const SSN_NEGATIVE: &[&str] = &[
    "phone", "fax", "tel", "cell", "mrn", "account", "acct", "order", "ndc", "lot", "claim",
    "member", "policy", "routing", "invoice", "ref", "serial", "case", "npi",
];

/// Finds Social Security numbers.
#[derive(Debug, Default)]
pub struct SsnDetector;

impl SsnDetector {
    /// Look for this family's shapes inside one digit cluster.
    pub(super) fn scan_cluster(&self, doc: &Doc<'_>, c: Cluster, out: &mut Vec<Span>) {
        if c.digits < 9 {
            return;
        }

        let Some(re) = SSN_RE.as_ref() else { return };
        let text = doc.text;
        let bytes = text.as_bytes();

        let Some(slice) = text.get(c.start..c.end) else { return };
        for caps in re.captures_iter(slice) {
            let (Some(m), Some(s1), Some(s2)) = (caps.get(0), caps.get(1), caps.get(2)) else {
                continue;
            };
            let (start, end) = (c.start + m.start(), c.start + m.end());
            if s1.as_str() != s2.as_str() || !left_free(bytes, start) || !right_free(bytes, end) {
                continue;
            }
            let Some(d) = Digits::of(m.as_str()) else { continue };
            if !validators::ssn_valid(d.as_bytes()) {
                continue;
            }
            if unit_follows(text, end) || negative_before(text, start) {
                continue;
            }
            let (base, with_ctx) = match s1.as_str() {
                "-" => (0.85, 0.95),
                " " | "." => (0.4, 0.9),
                // Pauses between spoken digit groups ("123, 45, 6789") on spoken views only.
                ", " if !doc.is_spoken_view => continue,
                _ => (0.3, 0.85),
            };
            let score =
                context_score(doc, start, end, 40, SSN_CONTEXT, SSN_NEGATIVE, base, with_ctx);
            out.push(Span::new(start, end, PhiType::Ssn, score, self.name()));
        }
    }
}

impl Detector for SsnDetector {
    fn name(&self) -> &'static str {
        "ssn"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        for c in digit_clusters(doc.text) {
            self.scan_cluster(doc, c, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_none, found, found_spoken};
    use super::*;

    #[test]
    fn regex_compiles() {
        assert!(SSN_RE.is_some());
    }

    fn ssn(text: &str) -> Vec<String> {
        found(&SsnDetector, text).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn dashed_alone() {
        assert_eq!(ssn("Pt SSN 460-89-9847 on file"), vec!["460-89-9847"]);
        assert_eq!(ssn("number 054-28-6917."), vec!["054-28-6917"]);
    }

    #[test]
    fn other_layouts_need_context() {
        assert_eq!(ssn("social security number 123 45 6789"), vec!["123 45 6789"]);
        assert_eq!(ssn("SSN: 123456789"), vec!["123456789"]);
        assert_eq!(ssn("ss# 123.45.6789"), vec!["123.45.6789"]);
        assert!(ssn("the code 123456789 was").is_empty());
        assert!(ssn("counted 123 45 6789 cells").is_empty());
    }

    #[test]
    fn spoken_view() {
        let d = SsnDetector;
        let f = found_spoken(&d, "my social is 123 45 6789 ok");
        assert_eq!(f, vec![(PhiType::Ssn, "123 45 6789".to_string())]);
        let f = found_spoken(&d, "my social is 123, 45, 6789.");
        assert_eq!(f, vec![(PhiType::Ssn, "123, 45, 6789".to_string())]);
        assert!(found(&d, "my social is 123, 45, 6789.").is_empty());
    }

    #[test]
    fn invalid_ssa_ranges() {
        let d = SsnDetector;
        for t in [
            "SSN 000-12-3456",
            "SSN 666-12-3456",
            "SSN 912-12-3456",
            "SSN 123-00-3456",
            "SSN 123-45-0000",
            "SSN 078-05-1120",
        ] {
            assert_none(&d, t);
        }
    }

    #[test]
    fn not_glued_or_mixed() {
        let d = SsnDetector;
        assert_none(&d, "ref 1123-45-6789");
        assert_none(&d, "SSN 123-45-67890");
        assert_none(&d, "SSN 123-45 6789");
        assert_none(&d, "A-123-45-6789");
        assert_none(&d, "phone 555-12-3456");
    }

    #[test]
    fn not_phi() {
        let d = SsnDetector;
        for t in [
            "500 mg daily",
            "BP 120/80 HR 72",
            "NDC 0002-3227-30",
            "$1,250.00",
            "CPT 99213",
            "dated 12-05-2023",
            "room 412",
            "ext. 4471",
            "E11.9",
        ] {
            assert_none(&d, t);
        }
    }
}
