//! Metric arithmetic on hand-computed cases.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use phiwall_eval::corpus::{ExcludedSpan, GoldDoc, GoldSpan, Split};
use phiwall_eval::metrics::{evaluate, EvalOptions, GroupBy, MatchMode};
use phiwall_scan::{Finding, PhiType};

fn doc(
    id: &str,
    text: &str,
    spans: &[(PhiType, usize, usize)],
    excluded: &[(usize, usize)],
) -> GoldDoc {
    GoldDoc {
        id: id.to_string(),
        text: text.to_string(),
        spans: spans
            .iter()
            .map(|&(kind, start, end)| GoldSpan { kind, start, end, label: kind.to_string() })
            .collect(),
        excluded: excluded
            .iter()
            .map(|&(start, end)| ExcludedSpan {
                start,
                end,
                label: "ORG".to_string(),
                reason: "test",
            })
            .collect(),
        split: Split::Dev,
        template: None,
        origin: None,
    }
}

fn f(kind: PhiType, start: usize, end: usize) -> Finding {
    Finding { kind, start, end, score: 0.9, recognizer: "test" }
}

//            0         1         2         3         4
//            0123456789012345678901234567890123456789012345
const TEXT: &str = "Ann Lee called 555 212 9876 on 3/4 from Acme.";

fn gold() -> GoldDoc {
    doc(
        "d",
        TEXT,
        &[(PhiType::Name, 0, 7), (PhiType::Phone, 15, 27), (PhiType::Date, 31, 34)],
        &[(40, 44)],
    )
}

#[test]
fn overlap_mode_counts() {
    // NAME partly found (overlap counts), PHONE typed as SSN (miss + FP), DATE missed,
    // a prediction on the excluded org ignored, one pure false positive ("called").
    let preds = vec![vec![
        f(PhiType::Name, 0, 3),
        f(PhiType::Ssn, 15, 27),
        f(PhiType::Name, 40, 44),
        f(PhiType::Name, 8, 14),
    ]];
    let r =
        evaluate(&[gold()], &preds, &EvalOptions { is_text_shown: true, ..EvalOptions::default() });
    assert_eq!(r.overall.gold, 3);
    assert_eq!(r.overall.found, 1);
    assert_eq!(r.overall.predicted, 3);
    assert_eq!(r.overall.correct, 1);
    assert_eq!(r.overall.recall, Some(1.0 / 3.0));
    assert_eq!(r.overall.precision, Some(1.0 / 3.0));
    assert_eq!(r.ignored_predictions, 1);
    let name = r.per_type[&PhiType::Name];
    assert_eq!((name.gold, name.found, name.predicted, name.correct), (1, 1, 2, 1));
    assert_eq!(name.precision, Some(0.5));
    assert_eq!(r.per_type[&PhiType::Ssn].precision, Some(0.0));
    assert_eq!(r.per_type[&PhiType::Ssn].recall, None);
    // Misses: PHONE (found as SSN, fully covered) and DATE.
    assert_eq!(r.misses_total, 2);
    assert_eq!(r.misses[0].kind, PhiType::Phone);
    assert_eq!(r.misses[0].found_as, vec![PhiType::Ssn]);
    assert!((r.misses[0].covered - 1.0).abs() < 1e-12);
    assert_eq!(r.misses[1].text.as_deref(), Some("3/4"));
    assert_eq!(r.false_positives_total, 2);
    assert_eq!(r.false_positives.iter().filter(|f| f.overlaps == Some(PhiType::Phone)).count(), 1);
    // Redaction: NAME 5 non-space chars, 3 covered -> not hidden; PHONE hidden; DATE not.
    assert_eq!(r.redaction.spans, 3);
    assert_eq!(r.redaction.hidden, 1);
    assert_eq!(r.redaction.touched, 2);
    // Gold non-space chars: 6 ("AnnLee") + 10 + 3 = 19; covered 3 + 10 = 13.
    assert_eq!(r.redaction.char_recall, Some(13.0 / 19.0));
    // Predicted non-space chars counted: 3 + 10 + 6 ("called") = 19 (Acme ignored); in gold 13.
    assert_eq!(r.redaction.char_precision, Some(13.0 / 19.0));
    // Span precision: Ann, the phone and "called" count (Acme ignored); two touch gold.
    assert_eq!(r.redaction.span_precision, Some(2.0 / 3.0));
    // Confusion cells.
    let cell = |g: Option<PhiType>, p: Option<PhiType>| {
        r.confusion.iter().find(|c| c.gold == g && c.predicted == p).map_or(0, |c| c.count)
    };
    assert_eq!(cell(Some(PhiType::Phone), Some(PhiType::Ssn)), 1);
    assert_eq!(cell(Some(PhiType::Date), None), 1);
    assert_eq!(cell(None, Some(PhiType::Name)), 1);
}

#[test]
fn exact_mode_needs_same_bounds() {
    let preds =
        vec![vec![f(PhiType::Name, 0, 3), f(PhiType::Phone, 14, 28), f(PhiType::Date, 31, 34)]];
    let r = evaluate(
        &[gold()],
        &preds,
        &EvalOptions { mode: MatchMode::Exact, ..EvalOptions::default() },
    );
    // Phone 14..28 trims to 15..27 (surrounding spaces) and matches; the partial name does not.
    assert_eq!(r.overall.found, 2);
    assert_eq!(r.overall.correct, 2);
    assert_eq!(r.overall.predicted, 3);
    assert_eq!(r.per_type[&PhiType::Name].found, 0);
}

#[test]
fn token_mode_counts_tokens() {
    // Tokens: Ann Lee called 555 212 9876 on 3 4 from Acme
    let preds =
        vec![vec![f(PhiType::Name, 0, 3), f(PhiType::Phone, 15, 22), f(PhiType::Name, 40, 44)]];
    let r = evaluate(
        &[gold()],
        &preds,
        &EvalOptions { mode: MatchMode::Token, ..EvalOptions::default() },
    );
    let name = r.per_type[&PhiType::Name];
    assert_eq!((name.gold, name.found, name.predicted, name.correct), (2, 1, 1, 1));
    let phone = r.per_type[&PhiType::Phone];
    assert_eq!((phone.gold, phone.found, phone.predicted, phone.correct), (3, 2, 2, 2));
    let date = r.per_type[&PhiType::Date];
    assert_eq!((date.gold, date.found), (2, 0));
    assert_eq!(r.ignored_predictions, 1);
    assert_eq!(r.misses_total, 3);
    assert_eq!(r.false_positives_total, 0);
}

#[test]
fn whitespace_only_overlap_does_not_count() {
    let d = doc("w", "ab  cd", &[(PhiType::Name, 0, 2)], &[]);
    let r = evaluate(&[d], &[vec![f(PhiType::Name, 2, 6)]], &EvalOptions::default());
    assert_eq!(r.overall.found, 0);
    assert_eq!(r.overall.correct, 0);
}

#[test]
fn no_predictions_and_no_gold() {
    let d = doc("e", "nothing here", &[], &[]);
    let r = evaluate(&[d], &[], &EvalOptions::default());
    assert_eq!(r.overall.precision, None);
    assert_eq!(r.overall.recall, None);
    assert_eq!(r.overall.f1, None);
    assert_eq!(r.docs_with_phi, 0);
}

#[test]
fn groups_and_spread() {
    let mut a = doc("a", "Ann Lee", &[(PhiType::Name, 0, 7)], &[]);
    a.origin = Some("g1".into());
    let mut b = doc("b", "Bo Li", &[(PhiType::Name, 0, 5)], &[]);
    b.origin = Some("g2".into());
    let mut c = doc("c", "Cy Wu", &[(PhiType::Name, 0, 5)], &[]);
    c.origin = Some("g2".into());
    let preds = vec![vec![f(PhiType::Name, 0, 7)], vec![f(PhiType::Name, 0, 2)], vec![]];
    let r = evaluate(
        &[a, b, c],
        &preds,
        &EvalOptions { group_by: Some(GroupBy::Origin), ..EvalOptions::default() },
    );
    let g = r.groups.unwrap();
    assert_eq!(g.groups.len(), 2);
    assert_eq!(g.groups[1].name.recall, Some(0.5));
    assert_eq!(g.groups[1].name_redaction.hidden, 0);
    assert_eq!(g.name_recall_min, Some(("g2".to_string(), 0.5)));
    assert_eq!(g.name_recall_spread, Some(0.5));
}

#[test]
fn max_listed_caps_lists_not_totals() {
    let d = doc(
        "m",
        "a b c",
        &[(PhiType::Name, 0, 1), (PhiType::Name, 2, 3), (PhiType::Name, 4, 5)],
        &[],
    );
    let r = evaluate(&[d], &[vec![]], &EvalOptions { max_listed: 1, ..EvalOptions::default() });
    assert_eq!(r.misses_total, 3);
    assert_eq!(r.misses.len(), 1);
    assert!(r.misses[0].text.is_none());
}
