//! The labelled-document model every reader produces and the evaluator consumes, and the
//! dev/test split rules (HELPERS.md): deid by patient parity, presidio by template parity, our
//! own corpus by template (the generator writes the split into each record).
//!
//! Invariants: offsets are code points into `text`, `start < end <= len`; gold spans are trimmed
//! of surrounding whitespace when the evaluator builds its view, not here.

use phiwall_scan::PhiType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Which half of a data set a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Tune on this.
    Dev,
    /// Report on this; never tune on it.
    Test,
}

impl Split {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Split::Dev => "dev",
            Split::Test => "test",
        }
    }

    /// Odd numbers are dev, even numbers test (deid patients, presidio templates).
    pub const fn from_parity(n: u64) -> Split {
        if n % 2 == 1 {
            Split::Dev
        } else {
            Split::Test
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which documents to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SplitFilter {
    /// Only dev.
    #[default]
    Dev,
    /// Only test.
    Test,
    /// Both.
    All,
}

impl SplitFilter {
    /// True when a document of split `s` is kept.
    pub fn keeps(self, s: Split) -> bool {
        match self {
            SplitFilter::Dev => s == Split::Dev,
            SplitFilter::Test => s == Split::Test,
            SplitFilter::All => true,
        }
    }
}

impl FromStr for SplitFilter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dev" => Ok(SplitFilter::Dev),
            "test" => Ok(SplitFilter::Test),
            "all" => Ok(SplitFilter::All),
            _ => Err("expected dev, test or all".to_string()),
        }
    }
}

/// A scored gold span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldSpan {
    /// Our type.
    pub kind: PhiType,
    /// Code-point start.
    pub start: usize,
    /// Code-point end (exclusive).
    pub end: usize,
    /// The source's own label, for reports.
    pub label: String,
}

/// A gold span that is not scored: predictions overlapping it are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludedSpan {
    /// Code-point start.
    pub start: usize,
    /// Code-point end (exclusive).
    pub end: usize,
    /// The source's own label.
    pub label: String,
    /// Why it is not scored.
    pub reason: &'static str,
}

/// One labelled document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldDoc {
    /// Stable id within the data set (`p12-n3`, `synth_dataset_v2#41`, or the record's `id`).
    pub id: String,
    /// The text.
    pub text: String,
    /// Scored spans.
    pub spans: Vec<GoldSpan>,
    /// Spans that are neither required nor forbidden.
    pub excluded: Vec<ExcludedSpan>,
    /// Dev or test.
    pub split: Split,
    /// Template the document came from, when known.
    pub template: Option<String>,
    /// Name origin group (our generated corpus), when known.
    pub origin: Option<String>,
}

/// A non-fatal problem found while reading (the document is still used).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadWarning {
    /// `file:line` or `file record N`.
    pub at: String,
    /// What was wrong, without data text.
    pub message: String,
}

/// Count and reason of one excluded source label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedLabel {
    /// Number of spans.
    pub count: usize,
    /// Why not scored.
    pub reason: &'static str,
}

/// What a reader returns.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The format read: `deid`, `presidio` or `jsonl`.
    pub format: &'static str,
    /// Every document, both splits.
    pub docs: Vec<GoldDoc>,
    /// Non-fatal problems.
    pub warnings: Vec<ReadWarning>,
    /// Excluded source labels (`label` or `label/slot`) with counts and reasons.
    pub excluded_labels: BTreeMap<String, ExcludedLabel>,
}

impl Dataset {
    /// Record one excluded span's label.
    pub(crate) fn note_excluded(&mut self, key: String, reason: &'static str) {
        self.excluded_labels.entry(key).or_insert(ExcludedLabel { count: 0, reason }).count += 1;
    }

    /// Keep only the documents of the chosen split.
    pub fn filter(&mut self, f: SplitFilter) {
        self.docs.retain(|d| f.keeps(d.split));
    }
}

/// One of two halves of the dev split, for choosing settings of a model trained on dev without
/// looking at test: train on one half, measure on the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// The first half.
    A,
    /// The second half.
    B,
}

impl FromStr for Fold {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "a" | "A" => Ok(Fold::A),
            "b" | "B" => Ok(Fold::B),
            _ => Err("expected a or b".to_string()),
        }
    }
}

/// The group a document is split by: its patient for deid (`p12-n3` -> `p12`), else its
/// template, else its id. Documents of one group always land in the same fold.
pub fn group_key(doc: &GoldDoc) -> &str {
    if let Some(t) = &doc.template {
        return t;
    }
    match doc.id.split_once("-n") {
        Some((p, _)) if p.starts_with('p') => p,
        _ => &doc.id,
    }
}

/// The fold of a document (a hash of its [`group_key`]).
pub fn fold_of(doc: &GoldDoc) -> Fold {
    if (fnv1a(group_key(doc)) >> 17) & 1 == 0 {
        Fold::A
    } else {
        Fold::B
    }
}

/// Stable 64-bit FNV-1a hash, used to split records that carry no split by their template.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_split() {
        assert_eq!(Split::from_parity(1), Split::Dev);
        assert_eq!(Split::from_parity(2), Split::Test);
        assert_eq!(Split::from_parity(0), Split::Test);
        assert!(SplitFilter::All.keeps(Split::Test));
        assert!(!SplitFilter::Dev.keeps(Split::Test));
        assert_eq!("test".parse::<SplitFilter>(), Ok(SplitFilter::Test));
        assert!("both".parse::<SplitFilter>().is_err());
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
