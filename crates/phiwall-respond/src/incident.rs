//! The incident model and its lifecycle, aligned to NIST SP 800-61r3 (which maps incident
//! response onto CSF 2.0: Detect DE.AE, Respond RS.MA/RS.AN/RS.MI, Recover RC.RP, Identify
//! ID.IM for lessons learned).
//!
//! ```text
//! detected ──▶ analyzing ──▶ contained ──▶ eradicated ──▶ recovered ──▶ closed
//!    │             │             └──────────────────────────▲             ▲
//!    └──▶ contained └──▶ closed (false positive / no action needed) ──────┘
//! ```
//!
//! Invariants: only [`Status::allowed_next`] moves are possible (enforced in
//! [`Incident::check_transition`]); `closed` needs lessons learned; nothing in an incident is
//! PHI: principals are key prefixes, app names, session ids, client IPs and keyed references;
//! operator notes and lessons are free text kept in the store, and only their SHA-256 goes to
//! the ledger.

use crate::error::{Error, Result};
use phiwall_watch::{DetectionKind, Principal, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where an incident is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Opened from detections; nobody has looked yet (CSF DE.AE).
    Detected,
    /// Someone is analyzing it (RS.AN).
    Analyzing,
    /// Containment is in force (RS.MI).
    Contained,
    /// The cause is removed (RS.MI).
    Eradicated,
    /// Containment lifted, service restored (RC.RP).
    Recovered,
    /// Reviewed, lessons recorded (ID.IM).
    Closed,
}

impl Status {
    /// Every state, in lifecycle order.
    pub const ALL: [Status; 6] = [
        Status::Detected,
        Status::Analyzing,
        Status::Contained,
        Status::Eradicated,
        Status::Recovered,
        Status::Closed,
    ];

    /// Stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Detected => "detected",
            Status::Analyzing => "analyzing",
            Status::Contained => "contained",
            Status::Eradicated => "eradicated",
            Status::Recovered => "recovered",
            Status::Closed => "closed",
        }
    }

    /// Parse [`Status::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The states this one may move to.
    pub const fn allowed_next(self) -> &'static [Status] {
        match self {
            Status::Detected => &[Status::Analyzing, Status::Contained, Status::Closed],
            Status::Analyzing => &[Status::Contained, Status::Closed],
            Status::Contained => &[Status::Eradicated, Status::Recovered],
            Status::Eradicated => &[Status::Recovered],
            Status::Recovered => &[Status::Closed],
            Status::Closed => &[],
        }
    }

    /// Whether new detections may still join (not yet recovered or closed).
    pub const fn is_open(self) -> bool {
        !matches!(self, Status::Recovered | Status::Closed)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity's stable name.
pub const fn severity_str(s: Severity) -> &'static str {
    match s {
        Severity::Informational => "informational",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// Parse [`severity_str`].
pub fn parse_severity(s: &str) -> Option<Severity> {
    [Severity::Informational, Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
        .into_iter()
        .find(|x| severity_str(*x) == s)
}

/// One level up (critical stays critical).
pub const fn raise(s: Severity) -> Severity {
    match s {
        Severity::Informational => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

/// A distinct (kind, principal) pair seen in an incident: repeats only count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// Detection kind.
    pub kind: DetectionKind,
    /// Principal.
    pub principal: Principal,
    /// How many detections.
    pub count: u64,
    /// First detection time, unix ms.
    pub first: i64,
    /// Last detection time, unix ms.
    pub last: i64,
    /// Highest severity.
    pub severity: Severity,
    /// Other principals these detections named (the key behind a session, its source, its
    /// app), bounded. Containment for this kind acts on these and `principal` only, never on
    /// principals another kind brought into the incident.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Principal>,
}

/// Most related principals kept per signature.
pub const MAX_SIGNATURE_RELATED: usize = 16;

/// An operator's note (text stays in the store; the ledger gets its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// When, unix ms.
    pub time: i64,
    /// Who.
    pub author: String,
    /// The text.
    pub text: String,
}

/// Where a playbook action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Waiting for an operator (`phiwall incidents contain`).
    PendingApproval,
    /// Done (containment in force, notification sent, snapshot written).
    Applied,
    /// Could not run (the reason is in `detail`).
    Failed,
    /// Nothing to act on (no principal of the needed kind).
    Skipped,
    /// Containment lapsed at its expiry.
    Expired,
    /// Containment lifted on recovery.
    Reversed,
}

impl ActionStatus {
    /// Stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionStatus::PendingApproval => "pending_approval",
            ActionStatus::Applied => "applied",
            ActionStatus::Failed => "failed",
            ActionStatus::Skipped => "skipped",
            ActionStatus::Expired => "expired",
            ActionStatus::Reversed => "reversed",
        }
    }
}

/// A playbook (or manual) action on an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionState {
    /// Action name (`suspend_key`, `notify`, ...).
    pub action: String,
    /// What it acts on: key prefix, app, session, IP, keyed caller ref, notifier name, or
    /// empty (safe mode, snapshot).
    pub target: String,
    /// The rule that asked for it, or `manual`.
    pub rule: String,
    /// Whether it ran on its own or needed approval.
    pub is_automatic: bool,
    /// Current state.
    pub status: ActionStatus,
    /// When the state was last set, unix ms.
    pub at: i64,
    /// Containment lifetime, ms (None: until recovery).
    pub ttl_ms: Option<i64>,
    /// When the containment lapses, unix ms.
    pub expires_at: Option<i64>,
    /// The containment row, when the action is a containment.
    pub containment_id: Option<i64>,
    /// A fixed-phrase detail (error class, evidence file hash), never PHI.
    pub detail: Option<String>,
}

impl ActionState {
    /// The identity that makes actions idempotent within an incident.
    pub fn key(&self) -> (String, String) {
        (self.action.clone(), self.target.clone())
    }
}

/// Lessons learned, required to close (NIST SP 800-61r3 "Improvement", CSF ID.IM).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lessons {
    /// What happened, in a few sentences.
    pub summary: String,
    /// Root cause.
    #[serde(default)]
    pub root_cause: String,
    /// What worked.
    #[serde(default)]
    pub went_well: String,
    /// What to improve.
    #[serde(default)]
    pub to_improve: String,
    /// Follow-up actions (tickets, owners).
    #[serde(default)]
    pub follow_ups: Vec<String>,
    /// Whether the HIPAA breach risk assessment concluded that notification is required.
    #[serde(default)]
    pub is_breach_notifiable: Option<bool>,
}

/// Upper bound on keyed patient references kept per incident (enough for the HIPAA 500
/// threshold many times over; beyond it the count is flagged as a lower bound).
pub const MAX_PATIENT_REFS: usize = 100_000;
/// Upper bound on distinct signatures kept per incident.
pub const MAX_SIGNATURES: usize = 1_024;
/// Request ids kept per incident (most recent).
pub const MAX_REQUEST_IDS: usize = 256;

/// One incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Id, `INC-000001`.
    pub id: String,
    /// A generated title (kind and principal; no PHI).
    pub title: String,
    /// Lifecycle state.
    pub status: Status,
    /// Max of the detections' severities, raised by the escalation rules.
    pub severity: Severity,
    /// Assigned handler.
    pub owner: Option<String>,
    /// When the responder opened it (responder clock), unix ms.
    pub opened_at: i64,
    /// Earliest detection time, unix ms.
    pub first_seen: i64,
    /// Estimated start of the activity: earliest detection time minus its window, unix ms.
    pub activity_start: i64,
    /// Latest detection time, unix ms.
    pub last_seen: i64,
    /// When containment first took effect.
    pub contained_at: Option<i64>,
    /// When it was recovered.
    pub recovered_at: Option<i64>,
    /// When it was closed.
    pub closed_at: Option<i64>,
    /// Detections correlated into it (including duplicates).
    pub detections: u64,
    /// Distinct (kind, principal) pairs.
    pub signatures: Vec<Signature>,
    /// Principals involved (main and related).
    pub principals: BTreeSet<Principal>,
    /// Keyed references of affected patients.
    pub patient_refs: BTreeSet<String>,
    /// True when more patient references were seen than [`MAX_PATIENT_REFS`].
    #[serde(default)]
    pub is_patient_count_lower_bound: bool,
    /// ATT&CK / ATLAS technique ids.
    pub techniques: BTreeSet<String>,
    /// Recent contributing request ids.
    pub request_ids: Vec<String>,
    /// Operator notes.
    pub notes: Vec<Note>,
    /// Actions taken or proposed.
    pub actions: Vec<ActionState>,
    /// Lessons learned (set on close).
    pub lessons: Option<Lessons>,
    /// Number of audit records written for this incident (the last record's `n`).
    pub records: u32,
}

impl Incident {
    /// Fail unless `to` may follow the current state.
    pub fn check_transition(&self, to: Status) -> Result<()> {
        if self.status.allowed_next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.status.allowed_next().iter().map(|s| s.as_str()).collect();
        Err(Error::Transition {
            id: self.id.clone(),
            from: self.status,
            to,
            allowed: if allowed.is_empty() { "none".into() } else { allowed.join(", ") },
        })
    }

    /// Detection kinds seen, sorted.
    pub fn kinds(&self) -> BTreeSet<DetectionKind> {
        self.signatures.iter().map(|s| s.kind).collect()
    }

    /// Principals of one kind.
    pub fn principals_of(&self, kind: phiwall_watch::PrincipalKind) -> Vec<&str> {
        self.principals.iter().filter(|p| p.kind == kind).map(|p| p.id.as_str()).collect()
    }

    /// Principals the detections of one kind named (lead and related), deduplicated. Empty
    /// for a kind the incident has not seen.
    pub fn principals_for(&self, kind: DetectionKind) -> Vec<&Principal> {
        let mut out: Vec<&Principal> = Vec::new();
        for s in self.signatures.iter().filter(|s| s.kind == kind) {
            for p in std::iter::once(&s.principal).chain(&s.related) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// Time to detect: first detection minus estimated activity start, ms.
    pub fn time_to_detect_ms(&self) -> i64 {
        self.first_seen.saturating_sub(self.activity_start).max(0)
    }

    /// Time to contain: containment minus first detection, ms.
    pub fn time_to_contain_ms(&self) -> Option<i64> {
        self.contained_at.map(|c| c.saturating_sub(self.first_seen).max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_moves() {
        use Status::*;
        assert!(Detected.allowed_next().contains(&Contained));
        assert!(!Detected.allowed_next().contains(&Recovered));
        assert!(!Contained.allowed_next().contains(&Closed));
        assert!(Closed.allowed_next().is_empty());
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert!(Contained.is_open() && !Recovered.is_open());
    }

    #[test]
    fn severities_round_trip_and_raise() {
        for s in [Severity::Low, Severity::Critical] {
            assert_eq!(parse_severity(severity_str(s)), Some(s));
        }
        assert_eq!(raise(Severity::High), Severity::Critical);
        assert_eq!(raise(Severity::Critical), Severity::Critical);
    }
}
