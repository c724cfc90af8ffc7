//! Plain-text rendering of a [`Report`] (JSON output is the serde form of the same struct).
//! Returns strings; the CLI decides where they go.

use crate::corpus::{ExcludedLabel, ReadWarning};
use crate::metrics::{Report, Scores};
use std::collections::BTreeMap;
use std::fmt::Write;

/// What the caller knows about the run, printed in the header.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunInfo {
    /// Data file.
    pub data: String,
    /// Format used.
    pub format: String,
    /// Split evaluated.
    pub split: String,
    /// Documents read before the split filter.
    pub docs_read: usize,
    /// Excluded labels and counts.
    pub excluded_labels: BTreeMap<String, ExcludedLabel>,
    /// Reader warnings.
    pub warnings: Vec<ReadWarning>,
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "    -".to_string(), |v| format!("{:5.1}", v * 100.0))
}

fn row(out: &mut String, name: &str, s: &Scores) {
    let _ = writeln!(
        out,
        "{name:<15} {:>6} {:>6} {} {:>6} {:>6} {}  {}  {}",
        s.gold,
        s.found,
        pct(s.recall),
        s.predicted,
        s.correct,
        pct(s.precision),
        pct(s.f1),
        pct(s.f2)
    );
}

/// Render the report as an aligned text table with lists of misses and false positives.
pub fn render_text(r: &Report, info: &RunInfo) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "PHI evaluation of {} ({}), split {}: {} of {} documents, {} with PHI; matching: {}",
        info.data,
        info.format,
        info.split,
        r.docs,
        info.docs_read,
        r.docs_with_phi,
        r.mode.as_str()
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<15} {:>6} {:>6} {:>5} {:>6} {:>6} {:>5}  {:>5}  {:>5}",
        "type", "gold", "found", "R%", "pred", "right", "P%", "F1", "F2"
    );
    for (k, s) in &r.per_type {
        row(&mut o, k.as_str(), s);
    }
    row(&mut o, "overall", &r.overall);
    let _ = writeln!(o);
    let red = &r.redaction;
    let _ = writeln!(
        o,
        "Redaction (any predicted type): spans fully hidden {}% ({}/{}), touched {}%, character recall {}%, character precision {}%, span precision {}%",
        pct(red.span_hidden_recall).trim(),
        red.hidden,
        red.spans,
        pct(red.span_touched_recall).trim(),
        pct(red.char_recall).trim(),
        pct(red.char_precision).trim(),
        pct(red.span_precision).trim()
    );
    for (k, s) in &r.redaction_per_type {
        let _ = writeln!(
            o,
            "  {:<15} hidden {:>5}% ({}/{})  char recall {:>5}%",
            k.as_str(),
            pct(s.span_hidden_recall).trim(),
            s.hidden,
            s.spans,
            pct(s.char_recall).trim()
        );
    }
    if r.ignored_predictions > 0 {
        let _ = writeln!(
            o,
            "Predictions over excluded spans only (ignored): {}",
            r.ignored_predictions
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Confusion (gold -> predicted, span overlap):");
    for c in &r.confusion {
        let g = c.gold.map_or("(none)", |t| t.as_str());
        let p = c.predicted.map_or("(none)", |t| t.as_str());
        let _ = writeln!(o, "  {g:<15} -> {p:<15} {:>6}", c.count);
    }
    if !info.excluded_labels.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Excluded labels (not scored; predictions over them ignored):");
        for (k, e) in &info.excluded_labels {
            let _ = writeln!(o, "  {k:<28} {:>6}  {}", e.count, e.reason);
        }
    }
    if !info.warnings.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Reader warnings: {}", info.warnings.len());
        for w in info.warnings.iter().take(10) {
            let _ = writeln!(o, "  {}: {}", w.at, w.message);
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Misses: {} (listing {})", r.misses_total, r.misses.len());
    for m in &r.misses {
        let also = if m.found_as.is_empty() {
            String::new()
        } else {
            format!(
                " found as {}",
                m.found_as.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("+")
            )
        };
        let text = m.text.as_deref().map_or_else(String::new, |t| format!(" {t:?}"));
        let _ = writeln!(
            o,
            "  {:<15} {} {}..{} [{}] covered {:.0}%{also}{text}",
            m.kind.as_str(),
            m.doc,
            m.start,
            m.end,
            m.label,
            m.covered * 100.0
        );
    }
    let _ = writeln!(
        o,
        "False positives: {} (listing {})",
        r.false_positives_total,
        r.false_positives.len()
    );
    for f in &r.false_positives {
        let over = f.overlaps.map_or_else(String::new, |t| format!(" over gold {}", t.as_str()));
        let text = f.text.as_deref().map_or_else(String::new, |t| format!(" {t:?}"));
        let _ = writeln!(
            o,
            "  {:<15} {} {}..{} by {}{over}{text}",
            f.kind.as_str(),
            f.doc,
            f.start,
            f.end,
            f.recognizer
        );
    }
    if let Some(g) = &r.groups {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "By {}: {:<22} {:>5} {:>6} {:>5} {:>6} {:>5} {:>7}",
            g.by.as_str(),
            "group",
            "docs",
            "gold",
            "R%",
            "NAMEs",
            "R%",
            "hidden%"
        );
        for row in &g.groups {
            let _ = writeln!(
                o,
                "  {:<30} {:>5} {:>6} {} {:>6} {} {:>7}",
                row.group,
                row.docs,
                row.all.gold,
                pct(row.all.recall),
                row.name.gold,
                pct(row.name.recall),
                pct(row.name_redaction.span_hidden_recall).trim()
            );
        }
        if let (Some(lo), Some(hi), Some(sp)) =
            (&g.name_recall_min, &g.name_recall_max, g.name_recall_spread)
        {
            let _ = writeln!(
                o,
                "  NAME recall spread {:.1} points: lowest {} {:.1}%, highest {} {:.1}%",
                sp * 100.0,
                lo.0,
                lo.1 * 100.0,
                hi.0,
                hi.1 * 100.0
            );
        }
    }
    o
}

/// One row of a score-threshold sweep.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SweepRow {
    /// Findings below this score were dropped.
    pub min_score: f32,
    /// Typed scores over all types.
    pub overall: Scores,
    /// Gold spans fully hidden.
    pub span_hidden_recall: Option<f64>,
    /// Untyped span precision.
    pub span_precision: Option<f64>,
}

impl SweepRow {
    /// The row for `report` at threshold `min_score`.
    pub fn new(min_score: f32, report: &Report) -> Self {
        SweepRow {
            min_score,
            overall: report.overall,
            span_hidden_recall: report.redaction.span_hidden_recall,
            span_precision: report.redaction.span_precision,
        }
    }
}

/// Render a threshold sweep as a table.
pub fn render_sweep(rows: &[SweepRow]) -> String {
    let mut o = String::new();
    let _ =
        writeln!(o, "Score threshold sweep (typed overall; hidden and span precision any type):");
    let _ = writeln!(
        o,
        "{:>9} {:>6} {:>6} {:>6} {:>6} {:>8} {:>9}",
        "min_score", "R%", "P%", "F1", "F2", "hidden%", "spanP%"
    );
    for r in rows {
        let _ = writeln!(
            o,
            "{:>9.2} {:>6} {:>6} {:>6} {:>6} {:>8} {:>9}",
            r.min_score,
            pct(r.overall.recall).trim(),
            pct(r.overall.precision).trim(),
            pct(r.overall.f1).trim(),
            pct(r.overall.f2).trim(),
            pct(r.span_hidden_recall).trim(),
            pct(r.span_precision).trim()
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{GoldDoc, GoldSpan, Split};
    use crate::metrics::{evaluate, EvalOptions, GroupBy};
    use phiwall_scan::{Finding, PhiType};

    fn report(is_text_shown: bool) -> (Report, RunInfo) {
        let doc = GoldDoc {
            id: "d1".into(),
            text: "Ann Lee 555 212 9876".into(),
            spans: vec![
                GoldSpan { kind: PhiType::Name, start: 0, end: 7, label: "PERSON".into() },
                GoldSpan { kind: PhiType::Phone, start: 8, end: 20, label: "PHONE".into() },
            ],
            excluded: vec![],
            split: Split::Dev,
            template: None,
            origin: Some("g".into()),
        };
        let preds = vec![vec![Finding {
            kind: PhiType::Phone,
            start: 8,
            end: 20,
            score: 0.9,
            recognizer: "phone",
        }]];
        let opts = EvalOptions {
            is_text_shown,
            group_by: Some(GroupBy::Origin),
            ..EvalOptions::default()
        };
        let info = RunInfo {
            data: "x.jsonl".into(),
            format: "jsonl".into(),
            split: "dev".into(),
            docs_read: 1,
            ..RunInfo::default()
        };
        (evaluate(&[doc], &preds, &opts), info)
    }

    #[test]
    fn text_report_has_rows_and_hides_text_by_default() {
        let (r, info) = report(false);
        let t = render_text(&r, &info);
        assert!(t.contains("matching: overlap"), "{t}");
        assert!(t.lines().any(|l| l.starts_with("PHONE") && l.contains("100.0")), "{t}");
        assert!(t.lines().any(|l| l.starts_with("NAME") && l.contains("  0.0")), "{t}");
        assert!(t.contains("NAME            d1 0..7 [PERSON]"), "{t}");
        assert!(!t.contains("Ann"), "{t}");
        assert!(t.contains("By origin"), "{t}");
        let (r, info) = report(true);
        assert!(render_text(&r, &info).contains("\"Ann Lee\""));
        let sweep = render_sweep(&[SweepRow::new(0.5, &r)]);
        assert!(
            sweep.lines().any(|l| l.trim_start().starts_with("0.50") && l.contains("50.0")),
            "{sweep}"
        );
    }
}
