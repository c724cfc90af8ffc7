//! Evidence checks: each reads the validated configuration and the gathered [`Evidence`] and
//! returns one [`CheckResult`]. Pure: no IO, no clock (the audit time is `evidence.now_ms`).
//!
//! Checks are grouped by subject: access (identities, keys, MFA), ledger (audit trail),
//! crypto (encryption and keys), apps (per-app policy and the LLM risks), ops (incidents,
//! drills, evaluations, restore), and the bias audit in [`crate::bias`].

mod access;
mod apps;
mod crypto;
mod ledger;
mod ops;

use crate::check::CheckResult;
use crate::evidence::Evidence;
use phiwall_gateway::Config;
use serde::Serialize;

/// Limits the checks apply. Defaults are the values `phiwall audit` documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AuditSettings {
    /// An active key unused for this many days is stale.
    pub stale_key_days: i64,
    /// Keys should expire within this many days of creation.
    pub max_key_lifetime_days: i64,
    /// The newest checkpoint may be this many seconds older than the newest record (default:
    /// derived from `audit.checkpoint_interval_secs`, at least 10 minutes).
    pub checkpoint_max_lag_secs: Option<i64>,
    /// A drill is due after this many days (fail after twice as many).
    pub drill_max_age_days: i64,
    /// Saved evaluations older than this many days are stale (fail after twice as many).
    pub eval_max_age_days: i64,
    /// Lowest acceptable overall PHI recall in the newest PHI evaluation.
    pub min_phi_recall: f64,
    /// Highest acceptable benign-prompt false-positive rate in the newest injection evaluation.
    pub max_injection_fpr: f64,
    /// Largest acceptable spread (max - min) of a rate across groups in the bias audit.
    pub bias_tolerance: f64,
    /// Groups with fewer samples than this are listed but not used for the spread.
    pub bias_min_samples: usize,
    /// Containment targets by severity, minutes after opening: critical, high, medium, low
    /// (informational incidents have none). Used when the incident carries no due time.
    pub contain_target_mins: [i64; 4],
    /// Open incidents should be closed (lessons recorded) within this many days.
    pub close_target_days: i64,
}

impl AuditSettings {
    /// The containment target for a severity name, in milliseconds.
    pub fn contain_target_ms(&self, severity: &str) -> Option<i64> {
        let i = match severity {
            "critical" => 0,
            "high" => 1,
            "medium" => 2,
            "low" => 3,
            _ => return None,
        };
        self.contain_target_mins.get(i).map(|m| m * 60_000)
    }
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            stale_key_days: 90,
            max_key_lifetime_days: 365,
            checkpoint_max_lag_secs: None,
            drill_max_age_days: 90,
            eval_max_age_days: 90,
            min_phi_recall: 0.95,
            max_injection_fpr: 0.05,
            bias_tolerance: 0.05,
            bias_min_samples: 10,
            contain_target_mins: [60, 240, 1440, 4320],
            close_target_days: 30,
        }
    }
}

/// What every check reads.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The validated gateway configuration.
    pub config: &'a Config,
    /// Gathered evidence.
    pub evidence: &'a Evidence,
    /// Limits.
    pub settings: &'a AuditSettings,
}

impl Input<'_> {
    /// The configuration file name, as the source of configuration evidence.
    pub fn cfg_src(&self) -> &str {
        &self.evidence.config_path
    }
    /// Audit time in unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.evidence.now_ms.div_euclid(1000)
    }
}

/// Run every check, in a stable order.
pub fn run_all(input: &Input<'_>) -> Vec<CheckResult> {
    vec![
        access::unique_identity(input),
        access::entity_auth(input),
        access::stale_keys(input),
        access::admin_mfa(input),
        access::auto_logoff(input),
        access::emergency_access(input),
        ledger::verify(input),
        ledger::checkpoints(input),
        ledger::audit_settings(input),
        crypto::at_rest(input),
        crypto::in_transit(input),
        crypto::key_backup(input),
        apps::least_privilege(input),
        apps::phi_redaction(input),
        apps::injection(input),
        apps::output(input),
        apps::canary(input),
        apps::tools(input),
        apps::limits(input),
        apps::inventory(input),
        ops::incidents_overdue(input),
        ops::incident_procedures(input),
        ops::monitoring(input),
        ops::drills(input),
        ops::evals(input),
        ops::restore(input),
        crate::bias::phi_check(input),
        crate::bias::injection_check(input),
    ]
}
