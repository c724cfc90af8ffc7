//! `phiwall eval ...`: dispatch to each evaluation.

use clap::Subcommand;
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
