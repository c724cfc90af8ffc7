//! Bias audit from saved evaluations: PHI recall by name-origin group and by language, and
//! injection false-positive rate by language and by benign family. A spread (highest minus
//! lowest rate among groups with enough samples) over the tolerance is a fairness defect: a
//! guard that leaks some groups' names more often, or blocks Spanish-speaking patients more
//! often, fails the check.

use crate::check::{CheckResult, EvidenceItem, Status};
use crate::checks::Input;
use phiwall_eval::saved::{SavedEval, SavedKind};
use serde::Serialize;

/// One group's figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiasGroup {
    /// Group key (origin group, language, family).
    pub group: String,
    /// Samples behind the figure (gold NAME spans, or benign prompts).
    pub n: usize,
    /// The rate.
    pub value: f64,
    /// Whether `n` reaches the minimum used for the spread.
    pub is_counted: bool,
}

/// One dimension of the bias audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiasTable {
    /// Stable id, e.g. `phi.name_recall.origin`.
    pub id: &'static str,
    /// What is compared.
    pub title: &'static str,
    /// `recall` (higher is better) or `fpr` (lower is better).
    pub metric: &'static str,
    /// Evaluation date it comes from.
    pub eval_date: String,
    /// Data set.
    pub dataset: String,
    /// Groups, sorted by key.
    pub groups: Vec<BiasGroup>,
    /// Max - min over counted groups; `None` with fewer than two counted groups.
    pub spread: Option<f64>,
    /// Tolerance applied.
    pub tolerance: f64,
    /// Spread over tolerance.
    pub is_flagged: bool,
}

/// The newest saved evaluation of `kind`.
pub fn newest<'a>(input: &Input<'a>, kind: SavedKind) -> Option<&'a SavedEval> {
    input.evidence.evals.get()?.iter().filter(|e| e.kind == kind).max_by_key(|e| e.time_micros)
}

fn table(
    id: &'static str,
    title: &'static str,
    metric: &'static str,
    e: &SavedEval,
    rows: impl Iterator<Item = (String, usize, f64)>,
    input: &Input<'_>,
) -> BiasTable {
    let s = input.settings;
    let groups: Vec<BiasGroup> = rows
        .map(|(group, n, value)| BiasGroup { group, n, value, is_counted: n >= s.bias_min_samples })
        .collect();
    let counted: Vec<f64> = groups.iter().filter(|g| g.is_counted).map(|g| g.value).collect();
    let spread = if counted.len() >= 2 {
        let max = counted.iter().copied().fold(f64::MIN, f64::max);
        let min = counted.iter().copied().fold(f64::MAX, f64::min);
        Some(max - min)
    } else {
        None
    };
    BiasTable {
        id,
        title,
        metric,
        eval_date: crate::time::rfc3339_ms(i64::try_from(e.time_micros / 1000).unwrap_or(0)),
        dataset: e.dataset.clone(),
        groups,
        spread,
        tolerance: s.bias_tolerance,
        is_flagged: spread.is_some_and(|x| x > s.bias_tolerance + 1e-12),
    }
}

/// Every bias table the saved evaluations allow.
pub fn tables(input: &Input<'_>) -> Vec<BiasTable> {
    let mut out = Vec::new();
    if let Some(e) = newest(input, SavedKind::Phi) {
        if let Some(p) = &e.phi {
            let rows = |m: &std::collections::BTreeMap<String, phiwall_eval::saved::SavedGroup>| {
                m.iter()
                    .filter(|(_, g)| g.name.gold > 0)
                    .map(|(k, g)| (k.clone(), g.name.gold, g.name.recall.unwrap_or(0.0)))
                    .collect::<Vec<_>>()
            };
            if !p.by_origin.is_empty() {
                out.push(table(
                    "phi.name_recall.origin",
                    "NAME recall by name-origin group",
                    "recall",
                    e,
                    rows(&p.by_origin).into_iter(),
                    input,
                ));
            }
            if !p.by_language.is_empty() {
                out.push(table(
                    "phi.name_recall.language",
                    "NAME recall by language",
                    "recall",
                    e,
                    rows(&p.by_language).into_iter(),
                    input,
                ));
            }
        }
    }
    if let Some(e) = newest(input, SavedKind::Injection) {
        if let Some(i) = &e.injection {
            if !i.benign_by_language.is_empty() {
                out.push(table(
                    "injection.fpr.language",
                    "Injection false-positive rate on benign prompts by language",
                    "fpr",
                    e,
                    i.benign_by_language.iter().map(|(k, r)| (k.clone(), r.n, r.rate)),
                    input,
                ));
            }
            if !i.benign_families.is_empty() {
                out.push(table(
                    "injection.fpr.family",
                    "Injection false-positive rate by benign family",
                    "fpr",
                    e,
                    i.benign_families.iter().map(|(k, r)| (k.clone(), r.n, r.rate)),
                    input,
                ));
            }
        }
    }
    out
}

fn apply(r: &mut CheckResult, t: &BiasTable) {
    let src = format!("evaluation {} ({})", t.eval_date, t.dataset);
    let counted = t.groups.iter().filter(|g| g.is_counted).count();
    r.push(EvidenceItem::count(
        format!("{}: groups with enough samples", t.title),
        counted as u64,
        &src,
    ));
    if let Some(worst) = t.groups.iter().filter(|g| g.is_counted).max_by(|a, b| {
        let (x, y) = if t.metric == "fpr" { (a.value, b.value) } else { (-a.value, -b.value) };
        x.total_cmp(&y)
    }) {
        r.push(EvidenceItem::figure(
            format!("{}: worst group {} ({} samples)", t.title, worst.group, worst.n),
            worst.value,
            &src,
        ));
    }
    match t.spread {
        Some(s) => {
            r.push(EvidenceItem::figure(format!("{}: spread (max - min)", t.title), s, &src));
            if t.is_flagged {
                let what = if t.metric == "fpr" {
                    "look at the benign texts flagged in the worst groups (`phiwall eval injection --show-text`) and retrain with more benign text like them"
                } else {
                    "look at the misses in the worst groups (`phiwall eval phi --by origin --show-text` on generated data) and extend the name lexicon or recognizer for them"
                };
                r.raise(
                    Status::Fail,
                    format!(
                        "{}: spread {:.3} exceeds the tolerance {:.3}; {what}",
                        t.title, s, t.tolerance
                    ),
                );
            }
        }
        None => {
            r.push(EvidenceItem::note(
                format!("{}: fewer than two groups with enough samples", t.title),
                &src,
            ));
            r.raise(Status::Manual, "evaluate on data with more samples per group");
        }
    }
}

/// PHI recall by name-origin group and language.
pub fn phi_check(input: &Input<'_>) -> CheckResult {
    let id = "bias.phi";
    let title = "PHI recall is even across name-origin groups and languages";
    if newest(input, SavedKind::Phi).is_none() {
        let (reason, fix) = input.evidence.evals.missing().unwrap_or_else(|| {
            (
                "no saved PHI evaluation".into(),
                "run `phiwall eval phi --split test --by origin --save-to <data-dir>/evals`".into(),
            )
        });
        return CheckResult::manual_missing(id, title, "a PHI evaluation", &reason, &fix);
    }
    let mut r = CheckResult::new(id, title);
    let ts: Vec<BiasTable> =
        tables(input).into_iter().filter(|t| t.id.starts_with("phi.")).collect();
    if !ts.iter().any(|t| t.id == "phi.name_recall.origin") {
        r.push(EvidenceItem::note(
            "the newest PHI evaluation is not grouped by name origin",
            "evals",
        ));
        r.raise(Status::Manual, "run `phiwall eval phi --by origin --save-to <data-dir>/evals` on the generated transcripts");
    }
    if !ts.iter().any(|t| t.id == "phi.name_recall.language") {
        r.push(EvidenceItem::note(
            "recall by language not measured: the labelled PHI corpora are English only",
            "evals",
        ));
        r.raise(Status::Manual, "measure PHI recall on labelled non-English text (Spanish first) before serving those callers");
    }
    for t in &ts {
        apply(&mut r, t);
    }
    r.summary = match r.status {
        Status::Pass => "NAME recall spread across groups is within tolerance".into(),
        Status::Fail => "NAME recall differs between groups by more than the tolerance".into(),
        _ => "origin groups measured; languages not measured".into(),
    };
    r
}

/// Injection false-positive rate by language and benign family.
pub fn injection_check(input: &Input<'_>) -> CheckResult {
    let id = "bias.injection";
    let title = "Injection false positives are even across languages and benign families";
    if newest(input, SavedKind::Injection).is_none() {
        let (reason, fix) = input.evidence.evals.missing().unwrap_or_else(|| {
            (
                "no saved injection evaluation".into(),
                "run `phiwall eval injection --save-to <data-dir>/evals`".into(),
            )
        });
        return CheckResult::manual_missing(id, title, "an injection evaluation", &reason, &fix);
    }
    let mut r = CheckResult::new(id, title);
    let ts: Vec<BiasTable> =
        tables(input).into_iter().filter(|t| t.id.starts_with("injection.")).collect();
    if !ts.iter().any(|t| t.id == "injection.fpr.language") {
        r.push(EvidenceItem::note(
            "the newest injection evaluation has no per-language benign figures",
            "evals",
        ));
        r.raise(
            Status::Manual,
            "re-run `phiwall eval injection --save-to <data-dir>/evals` with this version",
        );
    }
    for t in &ts {
        apply(&mut r, t);
    }
    r.summary = match r.status {
        Status::Pass => {
            "false-positive rates are within tolerance across languages and families".into()
        }
        Status::Fail => {
            "some languages or benign families are blocked more often than others".into()
        }
        _ => "not every dimension could be measured".into(),
    };
    r
}
