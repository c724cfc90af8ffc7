//! `phiwall eval ...`: dispatch to each evaluation.

use crate::output;
use anyhow::Context;
use clap::Subcommand;
use phiwall_eval::saved::{SavedEval, SavedKind, SAVED_FORMAT};
use phiwall_ledger::{Clock, SystemClock};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// Evaluations.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// PHI detection: precision, recall, F1/F2 per type, confusions and misses.
    Phi(super::eval_phi::EvalPhiArgs),
    /// Prompt-injection detection: TPR per attack family, FPR per benign family, AUC, robustness.
    Injection(super::eval_injection::EvalInjectionArgs),
    /// Anomaly detection on simulated clinic traffic: scenarios detected, time to detect, false
    /// alarms per clinic-week.
    Anomaly(super::eval_anomaly::EvalAnomalyArgs),
}

/// Run an evaluation.
pub fn run(c: EvalCommand) -> anyhow::Result<ExitCode> {
    match c {
        EvalCommand::Phi(a) => super::eval_phi::run(a),
        EvalCommand::Injection(a) => super::eval_injection::run(a),
        EvalCommand::Anomaly(a) => super::eval_anomaly::run(a),
    }
}

/// A saved-evaluation header for a run that ends now.
pub fn saved(
    kind: SavedKind,
    dataset: &str,
    split: &str,
    settings: BTreeMap<String, String>,
) -> SavedEval {
    let now = SystemClock.now_micros();
    SavedEval {
        format: SAVED_FORMAT.to_string(),
        kind,
        date: phiwall_ledger::timefmt::format_micros(now),
        time_micros: now,
        dataset: dataset.to_string(),
        split: split.to_string(),
        phiwall_version: env!("CARGO_PKG_VERSION").to_string(),
        settings,
        phi: None,
        injection: None,
    }
}

/// Write `e` as `<dir>/<kind>-<date>.json` (creating `dir`).
pub fn save(dir: &Path, e: &SavedEval) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(e.file_name());
    let body = serde_json::to_string_pretty(e).context("encoding the saved evaluation")?;
    std::fs::write(&path, body + "\n").with_context(|| format!("writing {}", path.display()))?;
    output::status(&format!("saved the evaluation figures to {}", path.display()));
    Ok(())
}
