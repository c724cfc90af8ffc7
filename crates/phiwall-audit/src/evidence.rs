//! The evidence the audit reasons over, gathered before any control is evaluated.
//!
//! This is the provider interface: each source (configuration, ledger verification, encryption
//! posture, API keys, traffic seen in the ledger, incidents, drills, saved evaluations, SIEM
//! sinks, caller verification, administrators) fills one field of [`Evidence`] with plain data.
//! Gathering does IO (the CLI does it); evaluation is pure. A source that is not installed or
//! could not be read is a [`Source::Absent`] or [`Source::Failed`] with the reason and the fix,
//! and every control that needs it says `manual` (or `fail` when the absence is itself the
//! finding), never `pass`.
//!
//! Nothing here holds PHI: key prefixes, app and model names, counts, times and check names.

use phiwall_eval::saved::SavedEval;
use phiwall_ledger::posture::Finding;
use phiwall_ledger::VerifyReport;
use serde::Serialize;
use std::collections::BTreeMap;

/// One evidence source: gathered, absent (with what would provide it) or failed (with why).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Source<T> {
    /// Gathered.
    Gathered {
        /// Where it came from (a path, a command, a table).
        from: String,
        /// The data.
        data: T,
    },
    /// Not available: nothing provides it here.
    Absent {
        /// Why.
        reason: String,
        /// What would provide it.
        fix: String,
    },
    /// A provider exists but failed.
    Failed {
        /// What failed (never contains secrets or PHI).
        error: String,
    },
}

impl<T> Source<T> {
    /// An absent source.
    pub fn absent(reason: impl Into<String>, fix: impl Into<String>) -> Self {
        Source::Absent { reason: reason.into(), fix: fix.into() }
    }
    /// A gathered source.
    pub fn gathered(from: impl Into<String>, data: T) -> Self {
        Source::Gathered { from: from.into(), data }
    }
    /// The data when gathered.
    pub fn get(&self) -> Option<&T> {
        match self {
            Source::Gathered { data, .. } => Some(data),
            _ => None,
        }
    }
    /// Where the data came from when gathered.
    pub fn from(&self) -> Option<&str> {
        match self {
            Source::Gathered { from, .. } => Some(from),
            _ => None,
        }
    }
    /// Why the data is missing, and the fix, when it is.
    pub fn missing(&self) -> Option<(String, String)> {
        match self {
            Source::Gathered { .. } => None,
            Source::Absent { reason, fix } => Some((reason.clone(), fix.clone())),
            Source::Failed { error } => Some((
                format!("evidence source failed: {error}"),
                "fix the error and re-run `phiwall audit`".into(),
            )),
        }
    }
}

/// Ledger verification with the checkpoints it found.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerEvidence {
    /// Ledger directory.
    pub dir: String,
    /// `phiwall_ledger::verify_dir` result.
    pub report: VerifyReport,
    /// Time of the newest signed checkpoint, microseconds since the epoch.
    pub latest_checkpoint_micros: Option<u64>,
    /// Time of the newest record, microseconds since the epoch.
    pub latest_record_micros: Option<u64>,
}

/// One API key, without its secret.
#[derive(Debug, Clone, Serialize)]
pub struct KeyFact {
    /// Identifying prefix.
    pub prefix: String,
    /// App profile.
    pub app: String,
    /// Label.
    pub name: String,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Expiry, unix seconds.
    pub expires_at: Option<i64>,
    /// Revoked, unix seconds.
    pub revoked_at: Option<i64>,
}

impl KeyFact {
    /// Usable at `now` (unix seconds).
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none_or(|r| r > now) && self.expires_at.is_none_or(|e| e > now)
    }
}

/// Per-name usage counts and the last time seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// Events.
    pub count: u64,
    /// Last event, unix milliseconds.
    pub last_ms: i64,
}

impl Seen {
    /// Count one event at `ms`.
    pub fn add(&mut self, ms: i64) {
        self.count += 1;
        self.last_ms = self.last_ms.max(ms);
    }
}

/// What the gateway's events show (from the ledger, or `events.jsonl`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct UsageEvidence {
    /// Events read.
    pub events: u64,
    /// Earliest event, unix milliseconds.
    pub first_ms: Option<i64>,
    /// Latest event, unix milliseconds.
    pub last_ms: Option<i64>,
    /// By API key prefix.
    pub keys: BTreeMap<String, Seen>,
    /// By model name requested.
    pub models: BTreeMap<String, Seen>,
    /// By app profile.
    pub apps: BTreeMap<String, Seen>,
    /// Requests answered (outcome success) without any authenticated principal.
    pub unauthenticated_success: u64,
    /// Requests whose write-ahead intent is in the log but whose outcome record is not: sent
    /// to the upstream, then the process or machine stopped before the outcome was durable.
    pub forwarded_without_outcome: u64,
    /// Denials and failures by reason class (`auth.expired`, `policy.phi_blocked`, ...).
    pub reasons: BTreeMap<String, u64>,
    /// Findings by kind (`input.phi.SSN`, `input.injection`, `output.canary_leak`, ...).
    pub findings: BTreeMap<String, u64>,
}

/// One incident (from incident response, when installed).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct IncidentFact {
    /// Incident id.
    pub id: String,
    /// Severity name.
    #[serde(default)]
    pub severity: String,
    /// Lifecycle state (`detected`, `analyzing`, `contained`, `eradicated`, `recovered`,
    /// `closed`).
    pub state: String,
    /// Opened, unix milliseconds.
    pub opened_ms: i64,
    /// Contained, unix milliseconds.
    #[serde(default)]
    pub contained_ms: Option<i64>,
    /// When it must be contained by, unix milliseconds.
    #[serde(default)]
    pub contain_due_ms: Option<i64>,
    /// When it must be closed by, unix milliseconds.
    #[serde(default)]
    pub close_due_ms: Option<i64>,
}

impl IncidentFact {
    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.state != "closed"
    }
}

/// Incident-response evidence.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IncidentEvidence {
    /// Incidents known to the store.
    pub incidents: Vec<IncidentFact>,
    /// Playbook rules in force.
    pub playbooks: usize,
}

/// One control checked by a drill. Reads the scorecards `phiwall drill run` writes (`control`,
/// `status`, `ttd_ms`, `ttc_ms`) as well as the plain shape (`name`, `passed`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DrillControl {
    /// Control name.
    #[serde(alias = "control")]
    pub name: String,
    /// Whether it behaved as expected (also true when `status` is `passed`).
    #[serde(default)]
    pub passed: bool,
    /// The drill's status word (`passed`, `failed`, `skipped`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Time to detect, milliseconds.
    #[serde(default, alias = "ttd_ms")]
    pub time_to_detect_ms: Option<u64>,
    /// Time to contain, milliseconds.
    #[serde(default, alias = "ttc_ms")]
    pub time_to_contain_ms: Option<u64>,
}

impl DrillControl {
    /// Fill `passed` from `status` (scorecards written by `phiwall drill run`).
    pub fn normalize(&mut self) {
        if self.status.as_deref() == Some("passed") {
            self.passed = true;
        }
    }
}

/// A drill scorecard as saved under `<data-dir>/drills/*.json`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DrillScorecard {
    /// Scenario name.
    pub scenario: String,
    /// When it finished: RFC 3339 UTC or unix milliseconds (as text or number).
    #[serde(alias = "finished_at", alias = "time", alias = "date")]
    pub finished: serde_json::Value,
    /// Whether every control passed.
    pub passed: bool,
    /// Per-control results.
    #[serde(default)]
    pub controls: Vec<DrillControl>,
    /// Parsed `finished`, unix milliseconds (filled by the reader).
    #[serde(default)]
    pub finished_ms: i64,
}

/// SIEM delivery, from the configuration's `[[sinks]]`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SinkEvidence {
    /// Sink kinds configured (`splunk_hec`, `syslog`, ...).
    pub kinds: Vec<String>,
}

/// Caller verification, from the configuration's `[identity]`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IdentityEvidence {
    /// Settings that matter to the audit, as `key = value` lines (no secrets).
    pub keys: Vec<String>,
    /// Whether a break-glass (emergency access) path is configured.
    pub has_break_glass: bool,
}

/// One administrative principal.
#[derive(Debug, Clone, Serialize)]
pub struct AdminFact {
    /// Principal id (no PHI: a staff login or key name).
    pub id: String,
    /// Whether a second factor is enforced for it.
    pub has_mfa: bool,
}

/// One row of a posture report (`phiwall posture`): ledger at rest, keys, configuration.
pub type PostureFinding = Finding;

/// Everything gathered for one audit.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// When the audit ran, unix milliseconds.
    pub now_ms: i64,
    /// The configuration file audited.
    pub config_path: String,
    /// Data directory.
    pub data_dir: String,
    /// Ledger verification.
    pub ledger: Source<LedgerEvidence>,
    /// Encryption posture (ledger at rest, key files, configuration text and TLS).
    pub posture: Source<Vec<PostureFinding>>,
    /// API keys.
    pub keys: Source<Vec<KeyFact>>,
    /// Traffic seen in the event log.
    pub usage: Source<UsageEvidence>,
    /// Incidents.
    pub incidents: Source<IncidentEvidence>,
    /// Drill scorecards.
    pub drills: Source<Vec<DrillScorecard>>,
    /// Saved evaluation reports.
    pub evals: Source<Vec<SavedEval>>,
    /// SIEM sinks.
    pub sinks: Source<SinkEvidence>,
    /// Caller verification.
    pub identity: Source<IdentityEvidence>,
    /// Administrative principals.
    pub admins: Source<Vec<AdminFact>>,
}

impl Evidence {
    /// Evidence with every optional source absent (for callers that fill what they have).
    pub fn empty(now_ms: i64, config_path: &str, data_dir: &str) -> Self {
        let none = || "not gathered".to_string();
        Evidence {
            now_ms,
            config_path: config_path.into(),
            data_dir: data_dir.into(),
            ledger: Source::absent(none(), "pass --data-dir DIR holding the ledger"),
            posture: Source::absent(none(), "run with --data-dir so `phiwall posture` checks run"),
            keys: Source::absent(none(), "pass --data-dir DIR holding keys.sqlite3"),
            usage: Source::absent(none(), "pass --data-dir DIR with the ledger and its key"),
            incidents: Source::absent(
                "no incident store is installed",
                "enable incident response and pass its export with --incidents FILE",
            ),
            drills: Source::absent(none(), "run drills; scorecards go to <data-dir>/drills/"),
            evals: Source::absent(
                none(),
                "run `phiwall eval phi|injection --save-to <data-dir>/evals`",
            ),
            sinks: Source::absent("no [[sinks]] in the configuration", "configure a SIEM sink"),
            identity: Source::absent(
                "no [identity] in the configuration",
                "configure caller verification ([identity])",
            ),
            admins: Source::absent(
                "the configuration declares no administrative principals",
                "confirm MFA for host and identity-provider logins that administer phiwall",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scorecards_phiwall_drill_writes() {
        let text = r#"{"scenario":"bulk-exfiltration","description":"d","target":"http://127.0.0.1:1",
            "started_at":"2026-11-29T05:00:00Z","finished_at":"2026-11-29T05:01:00Z","passed":true,
            "verdict":"passed","requests":{},"steps":[],
            "controls":[{"control":"detect bulk access","check":"detection","status":"passed",
              "required":true,"reason":"1 detection","ttd_ms":850},
              {"control":"contain","check":"containment","status":"failed","required":true,
              "reason":"none","ttc_ms":null}]}"#;
        let mut card: DrillScorecard = serde_json::from_str(text).unwrap();
        card.controls.iter_mut().for_each(DrillControl::normalize);
        assert_eq!(card.finished, serde_json::json!("2026-11-29T05:01:00Z"));
        assert!(card.controls[0].passed);
        assert_eq!(card.controls[0].time_to_detect_ms, Some(850));
        assert!(!card.controls[1].passed);
        assert_eq!(card.controls[1].name, "contain");
    }
}
