//! Property tests: readers never panic on arbitrary input, and metric invariants hold for random
//! gold and predicted spans (ratios in [0, 1], exact matching never finds more than overlap,
//! fully hidden never exceeds touched, counts add up).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use phiwall_eval::corpus::{GoldDoc, GoldSpan, Split};
use phiwall_eval::metrics::{evaluate, EvalOptions, MatchMode};
use phiwall_eval::predictions::read_predictions;
use phiwall_eval::readers::{read_deid, read_jsonl, read_presidio};
use phiwall_eval::LabelOptions;
use phiwall_scan::{Finding, PhiType, ALL_PHI_TYPES};
use proptest::prelude::*;

fn span_strategy(len: usize) -> impl Strategy<Value = (usize, usize, usize)> {
    (0..len.max(1), 1..12usize, 0..4usize)
        .prop_map(move |(s, l, k)| (s, (s + l).min(len.max(1)), k))
}

fn kind(k: usize) -> PhiType {
    ALL_PHI_TYPES[k % 4]
}

proptest! {
    #[test]
    fn readers_never_panic(s in "\\PC{0,200}") {
        let _ = read_jsonl(&s, "x");
        let _ = read_deid(&s, "x", LabelOptions::default());
        let _ = read_presidio(&s, "x", "x", LabelOptions::default());
        let _ = read_predictions(&s, "x");
    }

    #[test]
    fn readers_never_panic_on_json_shapes(
        start in 0u64..40, end in 0u64..40, text in "[a-zé ]{0,30}", label in "[A-Z_a-z]{0,12}"
    ) {
        let rec = serde_json::json!({
            "id": "a", "text": text, "split": "dev",
            "spans": [{"type": label, "start": start, "end": end}]
        });
        let _ = read_jsonl(&rec.to_string(), "x");
        let deid = serde_json::json!({
            "patient_id": 1, "note_id": 1, "text": text,
            "spans": [{"label": label, "start": start, "end": end, "text": "x"}]
        });
        let _ = read_deid(&deid.to_string(), "x", LabelOptions::default());
    }

    #[test]
    fn metric_invariants(
        text in "[a-z ]{20,60}",
        gold in proptest::collection::vec(span_strategy(60), 0..6),
        pred in proptest::collection::vec(span_strategy(60), 0..6),
    ) {
        let n = text.chars().count();
        let clip = |(s, e, k): (usize, usize, usize)| {
            let (s, e) = (s.min(n), e.min(n));
            (s < e).then_some((s, e, k))
        };
        let doc = GoldDoc {
            id: "d".into(),
            text: text.clone(),
            spans: gold.iter().filter_map(|g| clip(*g)).map(|(s, e, k)| GoldSpan { kind: kind(k), start: s, end: e, label: "x".into() }).collect(),
            excluded: vec![],
            split: Split::Dev,
            template: None,
            origin: None,
        };
        let findings: Vec<Finding> = pred.iter().filter_map(|p| clip(*p))
            .map(|(s, e, k)| Finding { kind: kind(k), start: s, end: e, score: 0.9, recognizer: "p" }).collect();
        let preds = vec![findings];
        let over = evaluate(std::slice::from_ref(&doc), &preds, &EvalOptions::default());
        let exact = evaluate(std::slice::from_ref(&doc), &preds, &EvalOptions { mode: MatchMode::Exact, ..EvalOptions::default() });
        let token = evaluate(std::slice::from_ref(&doc), &preds, &EvalOptions { mode: MatchMode::Token, ..EvalOptions::default() });
        for r in [&over, &exact, &token] {
            for x in [r.overall.precision, r.overall.recall, r.overall.f1, r.overall.f2, r.redaction.char_recall, r.redaction.char_precision, r.redaction.span_precision].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&x));
            }
            prop_assert!(r.overall.found <= r.overall.gold);
            prop_assert!(r.overall.correct <= r.overall.predicted);
            let sum: usize = r.per_type.values().map(|s| s.gold).sum();
            prop_assert_eq!(sum, r.overall.gold);
        }
        // Span modes list exactly the gold spans they did not find (token mode counts tokens).
        for r in [&over, &exact] {
            prop_assert_eq!(r.misses_total, r.overall.gold - r.overall.found);
            prop_assert_eq!(r.false_positives_total, r.overall.predicted - r.overall.correct);
        }
        prop_assert!(exact.overall.found <= over.overall.found);
        prop_assert!(over.redaction.hidden <= over.redaction.touched);
        // A gold span found by typed overlap is at least touched.
        prop_assert!(over.overall.found <= over.redaction.touched);
    }
}
