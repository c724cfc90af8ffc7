//! The audit record of one incident step, as written to the ledger. The post-incident report's
//! timeline is exactly the sequence of these records read back from the ledger.
//!
//! Invariant: no field can hold PHI. Ids, kinds, states, counts, keyed references, staff
//! handles, fixed phrases, and the SHA-256 of operator free text (never the text).

use crate::incident::{ActionState, Status};
use phiwall_watch::{Detection, DetectionKind, Principal, Severity};
use serde::{Deserialize, Serialize};

/// The `class` of every incident record (to tell them from gateway events in the ledger).
pub const CLASS: &str = "incident";

/// What kind of step.
pub mod kind {
    /// The incident was opened from a detection.
    pub const OPENED: &str = "incident.opened";
    /// A new (kind, principal) pair or a higher severity joined.
    pub const DETECTION: &str = "incident.detection";
    /// Severity changed.
    pub const SEVERITY: &str = "incident.severity";
    /// Lifecycle state changed.
    pub const STATUS: &str = "incident.status";
    /// Owner assigned.
    pub const ASSIGNED: &str = "incident.assigned";
    /// A note was added (hash only).
    pub const NOTE: &str = "incident.note";
    /// An action was proposed, applied, failed, expired or reversed.
    pub const ACTION: &str = "incident.action";
    /// Lessons learned recorded (hash only).
    pub const LESSONS: &str = "incident.lessons";
}

/// A detection, as the ledger names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectionRef {
    /// Detector's id.
    pub id: String,
    /// Kind.
    pub kind: DetectionKind,
    /// Severity.
    pub severity: Severity,
    /// Principal.
    pub principal: Principal,
    /// Detection time, unix ms.
    pub time: i64,
    /// Evidence window, s.
    pub window_secs: u64,
    /// Observed value.
    pub observed: f64,
    /// Threshold crossed.
    pub threshold: f64,
    /// Patients named in this detection.
    pub patients: usize,
}

impl DetectionRef {
    /// From a detection.
    pub fn of(d: &Detection) -> Self {
        DetectionRef {
            id: d.id.clone(),
            kind: d.kind,
            severity: d.severity,
            principal: d.principal.clone(),
            time: d.time,
            window_secs: d.evidence.window_secs,
            observed: d.evidence.observed,
            threshold: d.evidence.threshold,
            patients: d.patient_refs.len(),
        }
    }
}

/// An action, as the ledger names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRef {
    /// Action name.
    pub action: String,
    /// Target id (never PHI).
    pub target: String,
    /// Rule or `manual`.
    pub rule: String,
    /// Automatic or approved.
    pub is_automatic: bool,
    /// New state.
    pub status: String,
    /// Containment expiry, unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// Containment row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containment_id: Option<i64>,
    /// Fixed-phrase detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ActionRef {
    /// From an action state.
    pub fn of(a: &ActionState) -> Self {
        ActionRef {
            action: a.action.clone(),
            target: a.target.clone(),
            rule: a.rule.clone(),
            is_automatic: a.is_automatic,
            status: a.status.as_str().to_string(),
            expires_at: a.expires_at,
            containment_id: a.containment_id,
            detail: a.detail.clone(),
        }
    }
}

/// One incident step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentRecord {
    /// Always [`CLASS`].
    pub class: String,
    /// Step kind (see [`kind`]).
    pub kind: String,
    /// Incident id.
    pub incident: String,
    /// Position in the incident's timeline, from 1.
    pub n: u32,
    /// When, unix ms (responder clock).
    pub time: i64,
    /// Who: `responder` or the operator's handle.
    pub actor: String,
    /// Previous state, for status changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Status>,
    /// New (or current) state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// New severity (opened, detection, severity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<DetectionRef>,
    /// The action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionRef>,
    /// The owner (assigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// SHA-256 (hex) of operator text (notes, lessons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_sha256: Option<String>,
    /// Detections correlated so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detections: Option<u64>,
    /// Distinct patients so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patients: Option<u64>,
}

impl IncidentRecord {
    /// A record of `kind` with only the common fields set.
    pub fn new(kind: &str, incident: &str, n: u32, time: i64, actor: &str) -> Self {
        IncidentRecord {
            class: CLASS.to_string(),
            kind: kind.to_string(),
            incident: incident.to_string(),
            n,
            time,
            actor: actor.to_string(),
            from: None,
            status: None,
            severity: None,
            detection: None,
            action: None,
            owner: None,
            text_sha256: None,
            detections: None,
            patients: None,
        }
    }

    /// Parse a ledger event; `None` unless it is an incident record.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let r: IncidentRecord = serde_json::from_slice(bytes).ok()?;
        (r.class == CLASS).then_some(r)
    }
}

/// SHA-256 hex of operator text.
pub fn text_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 hex of bytes.
pub fn text_hash_bytes(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
