//! Saved evaluation reports: the JSON file `phiwall eval phi|injection --save-to DIR` writes
//! (issue 9), read back by `phiwall audit` for detector-quality evidence, its age and the bias
//! audit (PHI recall by name-origin group and language, injection false-positive rate by
//! language and benign family).
//!
//! The file holds figures only: counts, rates, group keys, the data set path and settings. No
//! document text, no ids of misses. Field names are stable (`format` = [`SAVED_FORMAT`]); new
//! fields are added with defaults so older files still read.

use crate::injection::eval::{Rate, Report as InjectionReport};
use crate::metrics::{Report as PhiReport, Scores};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` value of files this version writes.
pub const SAVED_FORMAT: &str = "phiwall-eval-report/1";

/// Which evaluation produced the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SavedKind {
    /// `phiwall eval phi`.
    Phi,
    /// `phiwall eval injection`.
    Injection,
}

/// One saved evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedEval {
    /// [`SAVED_FORMAT`].
    pub format: String,
    /// Which evaluation.
    pub kind: SavedKind,
    /// When it ran, RFC 3339 UTC.
    pub date: String,
    /// When it ran, microseconds since the epoch.
    pub time_micros: u64,
    /// The data set (path as given on the command line).
    pub dataset: String,
    /// The split reported (`test`, `dev`, `all`, `train`).
    pub split: String,
    /// phiwall version that ran it.
    pub phiwall_version: String,
    /// Settings that change the figures (thresholds, match mode), as text.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// PHI figures (kind `phi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phi: Option<SavedPhi>,
    /// Injection figures (kind `injection`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injection: Option<SavedInjection>,
}

/// Typed scores of one type or group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SavedScores {
    /// Gold spans.
    pub gold: usize,
    /// Gold spans found.
    pub found: usize,
    /// Predictions counted.
    pub predicted: usize,
    /// `found / gold`.
    pub recall: Option<f64>,
    /// `correct / predicted`.
    pub precision: Option<f64>,
}

impl From<&Scores> for SavedScores {
    fn from(s: &Scores) -> Self {
        SavedScores {
            gold: s.gold,
            found: s.found,
            predicted: s.predicted,
            recall: s.recall,
            precision: s.precision,
        }
    }
}

/// One group of documents (a name-origin group or a language).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SavedGroup {
    /// Documents in the group.
    pub docs: usize,
    /// NAME scores in the group.
    pub name: SavedScores,
    /// Scores over every type in the group.
    pub all: SavedScores,
}

/// PHI evaluation figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPhi {
    /// Documents evaluated.
    pub docs: usize,
    /// Micro-averaged scores over every type.
    pub overall: SavedScores,
    /// Scores per PHI type name.
    pub per_type: BTreeMap<String, SavedScores>,
    /// Share of gold spans fully hidden by redaction.
    pub span_hidden_recall: Option<f64>,
    /// Per name-origin group (`--by origin`); empty when not grouped by origin.
    #[serde(default)]
    pub by_origin: BTreeMap<String, SavedGroup>,
    /// Per language of the documents; empty when the data set has no language labels (our
    /// corpora are English only today).
    #[serde(default)]
    pub by_language: BTreeMap<String, SavedGroup>,
}

/// A flagged fraction with its counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SavedRate {
    /// Samples.
    pub n: usize,
    /// Flagged samples.
    pub flagged: usize,
    /// `flagged / n` (0 when empty).
    pub rate: f64,
}

impl From<&Rate> for SavedRate {
    fn from(r: &Rate) -> Self {
        SavedRate { n: r.n, flagged: r.flagged, rate: r.rate() }
    }
}

fn rates(m: &BTreeMap<String, Rate>) -> BTreeMap<String, SavedRate> {
    m.iter().map(|(k, v)| (k.clone(), SavedRate::from(v))).collect()
}

/// Injection evaluation figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedInjection {
    /// TPR per attack family.
    pub attack_families: BTreeMap<String, SavedRate>,
    /// FPR per benign family.
    pub benign_families: BTreeMap<String, SavedRate>,
    /// All attack prompts.
    pub attack_prompts: SavedRate,
    /// All benign prompts.
    pub benign_prompts: SavedRate,
    /// All attack documents.
    pub attack_documents: SavedRate,
    /// All benign documents.
    pub benign_documents: SavedRate,
    /// Prompt ROC AUC.
    pub prompt_auc: f64,
    /// Document ROC AUC.
    pub document_auc: f64,
    /// TPR on attack prompts per language (multilingual CyberSecEval).
    #[serde(default)]
    pub attack_by_language: BTreeMap<String, SavedRate>,
    /// FPR on benign prompts per language (held-out multilingual benign questions).
    #[serde(default)]
    pub benign_by_language: BTreeMap<String, SavedRate>,
}

impl SavedPhi {
    /// Figures from a PHI report. `by_origin` is filled when the report was grouped by origin.
    pub fn from_report(r: &PhiReport) -> Self {
        let mut by_origin = BTreeMap::new();
        if let Some(g) = &r.groups {
            if g.by == crate::metrics::GroupBy::Origin {
                for row in &g.groups {
                    by_origin.insert(
                        row.group.clone(),
                        SavedGroup {
                            docs: row.docs,
                            name: SavedScores::from(&row.name),
                            all: SavedScores::from(&row.all),
                        },
                    );
                }
            }
        }
        SavedPhi {
            docs: r.docs,
            overall: SavedScores::from(&r.overall),
            per_type: r
                .per_type
                .iter()
                .map(|(t, s)| (t.as_str().to_string(), SavedScores::from(s)))
                .collect(),
            span_hidden_recall: r.redaction.span_hidden_recall,
            by_origin,
            by_language: BTreeMap::new(),
        }
    }
}

impl SavedInjection {
    /// Figures from an injection report.
    pub fn from_report(r: &InjectionReport) -> Self {
        SavedInjection {
            attack_families: rates(&r.attack_families),
            benign_families: rates(&r.benign_families),
            attack_prompts: SavedRate::from(&r.attack_prompts),
            benign_prompts: SavedRate::from(&r.benign_prompts),
            attack_documents: SavedRate::from(&r.attack_documents),
            benign_documents: SavedRate::from(&r.benign_documents),
            prompt_auc: r.prompt_auc,
            document_auc: r.document_auc,
            attack_by_language: rates(&r.multilingual_by_language),
            benign_by_language: rates(&r.benign_by_language),
        }
    }
}

impl SavedEval {
    /// A file name for this report: `<kind>-<date>.json` with `:` replaced so it is portable.
    pub fn file_name(&self) -> String {
        let kind = match self.kind {
            SavedKind::Phi => "phi",
            SavedKind::Injection => "injection",
        };
        let stamp: String = self
            .date
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        format!("{kind}-{stamp}.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_older_files_without_new_fields() {
        let e = SavedEval {
            format: SAVED_FORMAT.into(),
            kind: SavedKind::Injection,
            date: "2026-11-29T03:00:00.000000Z".into(),
            time_micros: 1,
            dataset: "d".into(),
            split: "test".into(),
            phiwall_version: "0.1.0".into(),
            settings: BTreeMap::new(),
            phi: None,
            injection: None,
        };
        let s = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<SavedEval>(&s).unwrap(), e);
        assert_eq!(e.file_name(), "injection-2026-11-29T03_00_00_000000Z.json");
        let old = r#"{"attack_families":{},"benign_families":{},"attack_prompts":{"n":1,"flagged":1,"rate":1.0},
            "benign_prompts":{"n":0,"flagged":0,"rate":0.0},"attack_documents":{"n":0,"flagged":0,"rate":0.0},
            "benign_documents":{"n":0,"flagged":0,"rate":0.0},"prompt_auc":0.9,"document_auc":0.8}"#;
        let i: SavedInjection = serde_json::from_str(old).unwrap();
        assert!(i.benign_by_language.is_empty());
    }
}
