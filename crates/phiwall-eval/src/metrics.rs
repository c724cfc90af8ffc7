//! Scoring predicted PHI findings against gold spans.
//!
//! Two views, both always reported:
//!
//! * **Typed** (per type and overall precision, recall, F1, F2) under a matching mode:
//!   - `overlap` (default): a gold span is found when a prediction *of the same type* shares at
//!     least one non-space character with it; a prediction is correct when it overlaps a gold
//!     span of its type. Boundaries differ between data sets (trailing punctuation, "Dr."), so
//!     overlap measures detection, not the annotators' boundary conventions.
//!   - `exact`: whitespace-trimmed bounds must be equal.
//!   - `token`: every alphanumeric run is one unit labelled with the gold and predicted type
//!     covering it (the presidio-research convention).
//! * **Redaction** (type-agnostic, what a de-identifier is for): the share of gold spans whose
//!   every non-space character is covered by some prediction of any type ("was every PHI
//!   character hidden?"), the character recall, and the character precision.
//!
//! Excluded gold spans (see [`crate::labels`]) are neither required nor forbidden: a prediction
//! that overlaps only excluded spans is ignored. All offsets are code points; whitespace is never
//! counted, so a gold span with a trailing space is matched like one without.

use crate::corpus::GoldDoc;
use phiwall_scan::{Finding, PhiType};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// How a prediction must line up with a gold span for the typed scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Same type, at least one shared non-space character.
    #[default]
    Overlap,
    /// Same type, same trimmed bounds.
    Exact,
    /// Per alphanumeric token, same type.
    Token,
}

impl MatchMode {
    /// The flag value.
    pub const fn as_str(self) -> &'static str {
        match self {
            MatchMode::Overlap => "overlap",
            MatchMode::Exact => "exact",
            MatchMode::Token => "token",
        }
    }
}

impl FromStr for MatchMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "overlap" => Ok(MatchMode::Overlap),
            "exact" => Ok(MatchMode::Exact),
            "token" => Ok(MatchMode::Token),
            _ => Err("expected overlap, exact or token".to_string()),
        }
    }
}

/// How to group documents for the per-group table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// The record's name origin group.
    Origin,
    /// The record's template.
    Template,
}

impl GroupBy {
    /// The flag value.
    pub const fn as_str(self) -> &'static str {
        match self {
            GroupBy::Origin => "origin",
            GroupBy::Template => "template",
        }
    }
}

impl FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "origin" => Ok(GroupBy::Origin),
            "template" => Ok(GroupBy::Template),
            _ => Err("expected origin or template".to_string()),
        }
    }
}

/// Evaluation settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalOptions {
    /// Matching mode for the typed scores.
    pub mode: MatchMode,
    /// How many misses and false positives to list (totals are always counted).
    pub max_listed: usize,
    /// Copy the text of misses and false positives into the report. Only for public or
    /// synthetic data.
    pub is_text_shown: bool,
    /// Per-group table.
    pub group_by: Option<GroupBy>,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            mode: MatchMode::Overlap,
            max_listed: 50,
            is_text_shown: false,
            group_by: None,
        }
    }
}

/// Raw counts behind precision and recall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Gold units (spans or tokens).
    pub gold: usize,
    /// Gold units found.
    pub found: usize,
    /// Predicted units that count (ignored ones excluded).
    pub predicted: usize,
    /// Predicted units that are correct.
    pub correct: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.gold += o.gold;
        self.found += o.found;
        self.predicted += o.predicted;
        self.correct += o.correct;
    }

    /// `correct / predicted`, `None` with no predictions.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.correct, self.predicted)
    }

    /// `found / gold`, `None` with no gold.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.found, self.gold)
    }

    /// F-beta; `None` when precision or recall is undefined.
    pub fn f_beta(&self, beta: f64) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        let b2 = beta * beta;
        let denom = b2 * p + r;
        Some(if denom > 0.0 { (1.0 + b2) * p * r / denom } else { 0.0 })
    }

    /// The serialisable scores.
    pub fn scores(&self) -> Scores {
        Scores {
            gold: self.gold,
            found: self.found,
            predicted: self.predicted,
            correct: self.correct,
            precision: self.precision(),
            recall: self.recall(),
            f1: self.f_beta(1.0),
            f2: self.f_beta(2.0),
        }
    }
}

fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// Precision, recall, F1 and F2 with their counts. Undefined ratios are `null` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Gold units.
    pub gold: usize,
    /// Gold units found.
    pub found: usize,
    /// Predicted units counted.
    pub predicted: usize,
    /// Predicted units correct.
    pub correct: usize,
    /// `correct / predicted`.
    pub precision: Option<f64>,
    /// `found / gold`.
    pub recall: Option<f64>,
    /// Harmonic mean of precision and recall.
    pub f1: Option<f64>,
    /// F-beta with beta 2 (recall weighs four times as much: a leak costs more than a mask).
    pub f2: Option<f64>,
}

/// Type-agnostic redaction counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RedactionCounts {
    /// Gold spans.
    pub spans: usize,
    /// Gold spans with every non-space character covered.
    pub hidden: usize,
    /// Gold spans with at least one non-space character covered.
    pub touched: usize,
    /// Non-space gold characters.
    pub chars: usize,
    /// Non-space gold characters covered.
    pub chars_covered: usize,
    /// Non-space predicted characters that count (not in excluded-only regions).
    pub pred_chars: usize,
    /// Non-space predicted characters inside gold spans.
    pub pred_chars_in_gold: usize,
    /// Predicted spans that count (not over excluded spans only).
    pub pred_spans: usize,
    /// Predicted spans overlapping some gold span (any type).
    pub pred_spans_on_gold: usize,
}

impl RedactionCounts {
    fn add(&mut self, o: RedactionCounts) {
        self.spans += o.spans;
        self.hidden += o.hidden;
        self.touched += o.touched;
        self.chars += o.chars;
        self.chars_covered += o.chars_covered;
        self.pred_chars += o.pred_chars;
        self.pred_chars_in_gold += o.pred_chars_in_gold;
        self.pred_spans += o.pred_spans;
        self.pred_spans_on_gold += o.pred_spans_on_gold;
    }

    /// The serialisable scores.
    pub fn scores(&self) -> RedactionScores {
        RedactionScores {
            spans: self.spans,
            hidden: self.hidden,
            touched: self.touched,
            span_hidden_recall: ratio(self.hidden, self.spans),
            span_touched_recall: ratio(self.touched, self.spans),
            char_recall: ratio(self.chars_covered, self.chars),
            char_precision: ratio(self.pred_chars_in_gold, self.pred_chars),
            span_precision: ratio(self.pred_spans_on_gold, self.pred_spans),
        }
    }
}

/// Redaction scores (any predicted type counts).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RedactionScores {
    /// Gold spans.
    pub spans: usize,
    /// Fully hidden gold spans.
    pub hidden: usize,
    /// Partly or fully hidden gold spans.
    pub touched: usize,
    /// `hidden / spans`.
    pub span_hidden_recall: Option<f64>,
    /// `touched / spans`.
    pub span_touched_recall: Option<f64>,
    /// Covered non-space gold characters / non-space gold characters.
    pub char_recall: Option<f64>,
    /// Predicted non-space characters in gold / predicted non-space characters (excluded
    /// regions not counted).
    pub char_precision: Option<f64>,
    /// Predicted spans overlapping any gold span / predicted spans (those over excluded spans
    /// only are not counted): the untyped precision de-identification papers report.
    pub span_precision: Option<f64>,
}

/// One cell of the span-level confusion table (`None` = no span).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfusionCell {
    /// Gold type, or `null` for a prediction over no gold span.
    pub gold: Option<PhiType>,
    /// Predicted type, or `null` when nothing overlapped the gold span.
    pub predicted: Option<PhiType>,
    /// Number of spans.
    pub count: usize,
}

/// A gold span the typed matching did not find.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    /// Document id.
    pub doc: String,
    /// Gold type.
    #[serde(rename = "type")]
    pub kind: PhiType,
    /// The source's label.
    pub label: String,
    /// Code-point start (trimmed).
    pub start: usize,
    /// Code-point end (trimmed).
    pub end: usize,
    /// Other predicted types overlapping it.
    pub found_as: Vec<PhiType>,
    /// Share of its non-space characters covered by any prediction.
    pub covered: f64,
    /// The text, only with `is_text_shown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A prediction the typed matching counted as wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FalsePositive {
    /// Document id.
    pub doc: String,
    /// Predicted type.
    #[serde(rename = "type")]
    pub kind: PhiType,
    /// Code-point start.
    pub start: usize,
    /// Code-point end.
    pub end: usize,
    /// Recognizer that produced it.
    pub recognizer: String,
    /// Gold type it overlaps, when it is a type confusion.
    pub overlaps: Option<PhiType>,
    /// The text, only with `is_text_shown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Scores of one group (origin or template).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScores {
    /// Group key (`(none)` when the record has none).
    pub group: String,
    /// Documents in the group.
    pub docs: usize,
    /// Typed scores, all types.
    pub all: Scores,
    /// Typed scores for NAME.
    pub name: Scores,
    /// Redaction scores for NAME spans.
    pub name_redaction: RedactionScores,
}

/// Per-group table and the spread of NAME recall across groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    /// What the groups are.
    pub by: GroupBy,
    /// One row per group, sorted by key.
    pub groups: Vec<GroupScores>,
    /// Lowest NAME recall among groups with NAME spans, and its group.
    pub name_recall_min: Option<(String, f64)>,
    /// Highest NAME recall among groups with NAME spans, and its group.
    pub name_recall_max: Option<(String, f64)>,
    /// `max - min` of NAME recall (0 = every group served equally).
    pub name_recall_spread: Option<f64>,
}

/// The full evaluation result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Matching mode of the typed scores.
    pub mode: MatchMode,
    /// Documents evaluated.
    pub docs: usize,
    /// Documents with at least one scored gold span.
    pub docs_with_phi: usize,
    /// Typed scores over all types (micro average).
    pub overall: Scores,
    /// Typed scores per type (types with gold or predictions only).
    pub per_type: BTreeMap<PhiType, Scores>,
    /// Redaction scores over all spans.
    pub redaction: RedactionScores,
    /// Redaction scores per gold type.
    pub redaction_per_type: BTreeMap<PhiType, RedactionScores>,
    /// Span-level confusion (overlap based, whatever the mode).
    pub confusion: Vec<ConfusionCell>,
    /// Total misses under the mode.
    pub misses_total: usize,
    /// The first `max_listed` misses.
    pub misses: Vec<Miss>,
    /// Total false positives under the mode.
    pub false_positives_total: usize,
    /// The first `max_listed` false positives.
    pub false_positives: Vec<FalsePositive>,
    /// Predictions ignored because they only overlap excluded spans.
    pub ignored_predictions: usize,
    /// Per-group table, when asked.
    pub groups: Option<GroupReport>,
}

/// A span in the evaluator's view: trimmed, clamped, code points.
#[derive(Debug, Clone, Copy)]
struct S {
    kind: Option<PhiType>,
    start: usize,
    end: usize,
}

/// Per-document view: characters and a prefix count of non-space characters.
struct View {
    chars: Vec<char>,
    /// `nonspace[i]` = non-space chars in `chars[..i]`.
    nonspace: Vec<usize>,
}

impl View {
    fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut nonspace = Vec::with_capacity(chars.len() + 1);
        let mut n = 0;
        nonspace.push(0);
        for c in &chars {
            if !c.is_whitespace() {
                n += 1;
            }
            nonspace.push(n);
        }
        View { chars, nonspace }
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn ns(&self, i: usize) -> usize {
        self.nonspace.get(i.min(self.len())).copied().unwrap_or(0)
    }

    /// Non-space characters shared by `[a0, a1)` and `[b0, b1)`.
    fn overlap(&self, a: S, b: S) -> usize {
        let (s, e) = (a.start.max(b.start), a.end.min(b.end));
        if s >= e {
            0
        } else {
            self.ns(e) - self.ns(s)
        }
    }

    fn is_space(&self, i: usize) -> bool {
        self.chars.get(i).is_none_or(|c| c.is_whitespace())
    }

    /// Clamp to the text and trim whitespace; `None` when nothing is left.
    fn trim(&self, kind: Option<PhiType>, start: usize, end: usize) -> Option<S> {
        let (mut s, mut e) = (start.min(self.len()), end.min(self.len()));
        while s < e && self.is_space(s) {
            s += 1;
        }
        while e > s && self.is_space(e - 1) {
            e -= 1;
        }
        (s < e).then_some(S { kind, start: s, end: e })
    }

    fn text(&self, s: S) -> String {
        self.chars.get(s.start..s.end).map(|c| c.iter().collect()).unwrap_or_default()
    }

    /// Maximal runs of alphanumeric characters.
    fn tokens(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in self.chars.iter().enumerate() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, self.len()));
        }
        out
    }
}

/// Accumulates one group's figures (the whole corpus is a group too).
#[derive(Default, Clone)]
struct Acc {
    docs: usize,
    per_type: BTreeMap<PhiType, Counts>,
    red: RedactionCounts,
    red_per_type: BTreeMap<PhiType, RedactionCounts>,
}

impl Acc {
    fn add(&mut self, o: &Acc) {
        self.docs += o.docs;
        for (k, c) in &o.per_type {
            self.per_type.entry(*k).or_default().add(*c);
        }
        self.red.add(o.red);
        for (k, c) in &o.red_per_type {
            self.red_per_type.entry(*k).or_default().add(*c);
        }
    }

    fn all(&self) -> Counts {
        let mut c = Counts::default();
        for v in self.per_type.values() {
            c.add(*v);
        }
        c
    }
}

/// Score `preds[i]` against `docs[i]` (missing prediction lists count as empty).
pub fn evaluate(docs: &[GoldDoc], preds: &[Vec<Finding>], opts: &EvalOptions) -> Report {
    let mut total = Acc::default();
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    let mut confusion: BTreeMap<(Option<PhiType>, Option<PhiType>), usize> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut fps = Vec::new();
    let (mut misses_total, mut fps_total, mut ignored, mut docs_with_phi) = (0, 0, 0, 0);

    for (i, doc) in docs.iter().enumerate() {
        let found = preds.get(i).map_or(&[][..], Vec::as_slice);
        let view = View::new(&doc.text);
        let gold: Vec<(S, &str)> = doc
            .spans
            .iter()
            .filter_map(|g| view.trim(Some(g.kind), g.start, g.end).map(|s| (s, g.label.as_str())))
            .collect();
        let excl: Vec<S> =
            doc.excluded.iter().filter_map(|e| view.trim(None, e.start, e.end)).collect();
        let pred: Vec<(S, &str)> = found
            .iter()
            .filter_map(|p| view.trim(Some(p.kind), p.start, p.end).map(|s| (s, p.recognizer)))
            .collect();
        if !gold.is_empty() {
            docs_with_phi += 1;
        }

        let mut acc = Acc { docs: 1, ..Acc::default() };
        let outcome = score_doc(&view, &gold, &excl, &pred, opts.mode, &mut acc);
        ignored += outcome.ignored;
        redaction(&view, &gold, &excl, &pred, &mut acc);
        confusion_doc(&view, &gold, &excl, &pred, &mut confusion);

        for &gi in &outcome.missed {
            let Some(&(g, label)) = gold.get(gi) else { continue };
            misses_total += 1;
            if misses.len() < opts.max_listed {
                let kinds: BTreeSet<PhiType> = pred
                    .iter()
                    .filter(|(p, _)| p.kind != g.kind && view.overlap(*p, g) > 0)
                    .filter_map(|(p, _)| p.kind)
                    .collect();
                let nonspace = view.ns(g.end) - view.ns(g.start);
                let covered = covered_chars(&view, g, &pred);
                misses.push(Miss {
                    doc: doc.id.clone(),
                    kind: g.kind.unwrap_or(PhiType::OtherId),
                    label: label.to_string(),
                    start: g.start,
                    end: g.end,
                    found_as: kinds.into_iter().collect(),
                    covered: if nonspace > 0 { covered as f64 / nonspace as f64 } else { 0.0 },
                    text: opts.is_text_shown.then(|| view.text(g)),
                });
            }
        }
        for &pi in &outcome.wrong {
            let Some(&(p, recognizer)) = pred.get(pi) else { continue };
            fps_total += 1;
            if fps.len() < opts.max_listed {
                let overlaps =
                    gold.iter().find(|(g, _)| view.overlap(p, *g) > 0).and_then(|(g, _)| g.kind);
                fps.push(FalsePositive {
                    doc: doc.id.clone(),
                    kind: p.kind.unwrap_or(PhiType::OtherId),
                    start: p.start,
                    end: p.end,
                    recognizer: recognizer.to_string(),
                    overlaps,
                    text: opts.is_text_shown.then(|| view.text(p)),
                });
            }
        }

        if let Some(by) = opts.group_by {
            let key = match by {
                GroupBy::Origin => doc.origin.clone(),
                GroupBy::Template => doc.template.clone(),
            }
            .unwrap_or_else(|| "(none)".to_string());
            groups.entry(key).or_default().add(&acc);
        }
        total.add(&acc);
    }

    let per_type: BTreeMap<PhiType, Scores> =
        total.per_type.iter().map(|(k, c)| (*k, c.scores())).collect();
    Report {
        mode: opts.mode,
        docs: docs.len(),
        docs_with_phi,
        overall: total.all().scores(),
        per_type,
        redaction: total.red.scores(),
        redaction_per_type: total.red_per_type.iter().map(|(k, c)| (*k, c.scores())).collect(),
        confusion: confusion
            .into_iter()
            .map(|((gold, predicted), count)| ConfusionCell { gold, predicted, count })
            .collect(),
        misses_total,
        misses,
        false_positives_total: fps_total,
        false_positives: fps,
        ignored_predictions: ignored,
        groups: opts.group_by.map(|by| group_report(by, &groups)),
    }
}

fn group_report(by: GroupBy, groups: &BTreeMap<String, Acc>) -> GroupReport {
    let rows: Vec<GroupScores> = groups
        .iter()
        .map(|(k, a)| GroupScores {
            group: k.clone(),
            docs: a.docs,
            all: a.all().scores(),
            name: a.per_type.get(&PhiType::Name).copied().unwrap_or_default().scores(),
            name_redaction: a
                .red_per_type
                .get(&PhiType::Name)
                .copied()
                .unwrap_or_default()
                .scores(),
        })
        .collect();
    let recalls: Vec<(String, f64)> =
        rows.iter().filter_map(|r| r.name.recall.map(|x| (r.group.clone(), x))).collect();
    let min = recalls.iter().min_by(|a, b| a.1.total_cmp(&b.1)).cloned();
    let max = recalls.iter().max_by(|a, b| a.1.total_cmp(&b.1)).cloned();
    let spread = match (&min, &max) {
        (Some(a), Some(b)) => Some(b.1 - a.1),
        _ => None,
    };
    GroupReport {
        by,
        groups: rows,
        name_recall_min: min,
        name_recall_max: max,
        name_recall_spread: spread,
    }
}

/// Indices of gold spans missed and predictions counted wrong, plus ignored predictions.
struct DocOutcome {
    missed: Vec<usize>,
    wrong: Vec<usize>,
    ignored: usize,
}

fn score_doc(
    view: &View,
    gold: &[(S, &str)],
    excl: &[S],
    pred: &[(S, &str)],
    mode: MatchMode,
    acc: &mut Acc,
) -> DocOutcome {
    let same = |p: S, g: S| match mode {
        MatchMode::Exact => p.start == g.start && p.end == g.end,
        MatchMode::Overlap | MatchMode::Token => view.overlap(p, g) > 0,
    };
    // A prediction is ignored when it is not correct, overlaps no gold span and overlaps an
    // excluded one.
    let is_ignored = |p: S| {
        !gold.iter().any(|(g, _)| view.overlap(p, *g) > 0)
            && excl.iter().any(|e| view.overlap(p, *e) > 0)
    };
    let mut out = DocOutcome { missed: Vec::new(), wrong: Vec::new(), ignored: 0 };
    if mode == MatchMode::Token {
        return score_tokens(view, gold, excl, pred, acc, out, is_ignored);
    }
    for (gi, (g, _)) in gold.iter().enumerate() {
        let Some(kind) = g.kind else { continue };
        let c = acc.per_type.entry(kind).or_default();
        c.gold += 1;
        if pred.iter().any(|(p, _)| p.kind == g.kind && same(*p, *g)) {
            c.found += 1;
        } else {
            out.missed.push(gi);
        }
    }
    for (pi, (p, _)) in pred.iter().enumerate() {
        let Some(kind) = p.kind else { continue };
        let is_correct = gold.iter().any(|(g, _)| g.kind == p.kind && same(*p, *g));
        if !is_correct && is_ignored(*p) {
            out.ignored += 1;
            continue;
        }
        let c = acc.per_type.entry(kind).or_default();
        c.predicted += 1;
        if is_correct {
            c.correct += 1;
        } else {
            out.wrong.push(pi);
        }
    }
    out
}

fn score_tokens(
    view: &View,
    gold: &[(S, &str)],
    excl: &[S],
    pred: &[(S, &str)],
    acc: &mut Acc,
    mut out: DocOutcome,
    is_ignored: impl Fn(S) -> bool,
) -> DocOutcome {
    let kind_at = |spans: &[(S, &str)], t: S| {
        spans.iter().find(|(s, _)| view.overlap(*s, t) > 0).and_then(|(s, _)| s.kind)
    };
    let tokens = view.tokens();
    for &(a, b) in &tokens {
        let t = S { kind: None, start: a, end: b };
        let gk = kind_at(gold, t);
        let pk = kind_at(pred, t);
        let is_excl = excl.iter().any(|e| view.overlap(*e, t) > 0);
        match (gk, pk) {
            (Some(g), Some(p)) if g == p => {
                let c = acc.per_type.entry(g).or_default();
                c.gold += 1;
                c.found += 1;
                c.predicted += 1;
                c.correct += 1;
            }
            (Some(g), p) => {
                acc.per_type.entry(g).or_default().gold += 1;
                if let Some(p) = p {
                    acc.per_type.entry(p).or_default().predicted += 1;
                }
            }
            (None, Some(p)) if !is_excl => acc.per_type.entry(p).or_default().predicted += 1,
            (None, Some(_)) => out.ignored += 1,
            (None, None) => {}
        }
    }
    // Listing: a gold span is missed when one of its tokens is not predicted with its type; a
    // prediction is wrong when one of its tokens is not gold of its type (and not excluded).
    let toks_in = |s: S| {
        tokens.iter().filter(move |(a, b)| *a < s.end && *b > s.start).map(|&(a, b)| S {
            kind: None,
            start: a,
            end: b,
        })
    };
    for (gi, (g, _)) in gold.iter().enumerate() {
        let mut toks = toks_in(*g).peekable();
        let is_missed = if toks.peek().is_none() {
            !pred.iter().any(|(p, _)| p.kind == g.kind && view.overlap(*p, *g) > 0)
        } else {
            toks.any(|t| kind_at(pred, t) != g.kind)
        };
        if is_missed {
            out.missed.push(gi);
        }
    }
    for (pi, (p, _)) in pred.iter().enumerate() {
        if is_ignored(*p) {
            continue;
        }
        let is_wrong = toks_in(*p).any(|t| {
            let gk = kind_at(gold, t);
            gk != p.kind && !(gk.is_none() && excl.iter().any(|e| view.overlap(*e, t) > 0))
        });
        if is_wrong {
            out.wrong.push(pi);
        }
    }
    out
}

fn covered_chars(view: &View, g: S, pred: &[(S, &str)]) -> usize {
    (g.start..g.end)
        .filter(|&i| !view.is_space(i) && pred.iter().any(|(p, _)| p.start <= i && i < p.end))
        .count()
}

fn redaction(view: &View, gold: &[(S, &str)], excl: &[S], pred: &[(S, &str)], acc: &mut Acc) {
    let n = view.len();
    let mut in_pred = vec![false; n];
    let mut in_gold = vec![false; n];
    let mut in_excl = vec![false; n];
    let mark = |v: &mut Vec<bool>, s: S| {
        for x in v.iter_mut().take(s.end).skip(s.start) {
            *x = true;
        }
    };
    for (p, _) in pred {
        mark(&mut in_pred, *p);
    }
    for (g, _) in gold {
        mark(&mut in_gold, *g);
    }
    for e in excl {
        mark(&mut in_excl, *e);
    }
    for (g, _) in gold {
        let Some(kind) = g.kind else { continue };
        let (mut chars, mut covered) = (0, 0);
        for i in g.start..g.end {
            if !view.is_space(i) {
                chars += 1;
                if in_pred.get(i).copied().unwrap_or(false) {
                    covered += 1;
                }
            }
        }
        let c = RedactionCounts {
            spans: 1,
            hidden: usize::from(covered == chars),
            touched: usize::from(covered > 0),
            chars,
            chars_covered: covered,
            ..RedactionCounts::default()
        };
        acc.red.add(c);
        acc.red_per_type.entry(kind).or_default().add(c);
    }
    for (p, _) in pred {
        let is_on_gold = gold.iter().any(|(g, _)| view.overlap(*p, *g) > 0);
        if !is_on_gold && excl.iter().any(|e| view.overlap(*p, *e) > 0) {
            continue;
        }
        acc.red.pred_spans += 1;
        acc.red.pred_spans_on_gold += usize::from(is_on_gold);
    }
    for i in 0..n {
        let is_pred = in_pred.get(i).copied().unwrap_or(false);
        if !is_pred || view.is_space(i) {
            continue;
        }
        let is_gold = in_gold.get(i).copied().unwrap_or(false);
        if !is_gold && in_excl.get(i).copied().unwrap_or(false) {
            continue;
        }
        acc.red.pred_chars += 1;
        if is_gold {
            acc.red.pred_chars_in_gold += 1;
        }
    }
}

fn confusion_doc(
    view: &View,
    gold: &[(S, &str)],
    excl: &[S],
    pred: &[(S, &str)],
    out: &mut BTreeMap<(Option<PhiType>, Option<PhiType>), usize>,
) {
    for (g, _) in gold {
        let kinds: BTreeSet<PhiType> = pred
            .iter()
            .filter(|(p, _)| view.overlap(*p, *g) > 0)
            .filter_map(|(p, _)| p.kind)
            .collect();
        if kinds.is_empty() {
            *out.entry((g.kind, None)).or_default() += 1;
        }
        for k in kinds {
            *out.entry((g.kind, Some(k))).or_default() += 1;
        }
    }
    for (p, _) in pred {
        let is_over_gold = gold.iter().any(|(g, _)| view.overlap(*p, *g) > 0);
        let is_over_excl = excl.iter().any(|e| view.overlap(*p, *e) > 0);
        if !is_over_gold && !is_over_excl {
            *out.entry((None, p.kind)).or_default() += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f_beta_arithmetic() {
        let c = Counts { gold: 4, found: 3, predicted: 6, correct: 3 };
        assert_eq!(c.precision(), Some(0.5));
        assert_eq!(c.recall(), Some(0.75));
        let f1 = c.f_beta(1.0).unwrap();
        assert!((f1 - 0.6).abs() < 1e-12, "{f1}");
        let f2 = c.f_beta(2.0).unwrap();
        assert!((f2 - (5.0 * 0.5 * 0.75 / (4.0 * 0.5 + 0.75))).abs() < 1e-12);
        assert_eq!(Counts::default().precision(), None);
        assert_eq!(Counts { gold: 1, ..Counts::default() }.f_beta(1.0), None);
        let zero = Counts { gold: 1, found: 0, predicted: 1, correct: 0 };
        assert_eq!(zero.f_beta(1.0), Some(0.0));
    }

    #[test]
    fn view_trims_and_tokenizes() {
        let v = View::new(" ab-1 ");
        let s = v.trim(None, 0, 6).unwrap();
        assert_eq!((s.start, s.end), (1, 5));
        assert!(v.trim(None, 0, 1).is_none());
        assert_eq!(v.tokens(), vec![(1, 3), (4, 5)]);
        let a = S { kind: None, start: 0, end: 3 };
        let b = S { kind: None, start: 2, end: 6 };
        assert_eq!(v.overlap(a, b), 1);
    }
}
