//! Detections: what the anomaly detectors (and other stages that see an attack, such as the
//! caller-verification limiter) report, and what incident response consumes.
//!
//! A detection names a principal, the kind of behaviour, when it was seen, how bad it is, and the
//! evidence behind it (window counts, the learned baseline, the threshold crossed). Like
//! [`crate::Event`], it carries no PHI: principals are key prefixes, app names, session ids, IP
//! addresses of client systems, and keyed references (HMAC hex) of caller numbers and patients.

use crate::event::Severity;
use serde::{Deserialize, Serialize};

/// OCSF class uid for Detection Finding.
pub const CLASS_DETECTION_FINDING: u32 = 2004;

/// What a detection is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// An API key (by prefix).
    Key,
    /// An app profile.
    App,
    /// A person (keyed reference of a JWT subject).
    User,
    /// A conversation (the client's session id).
    Session,
    /// A caller number (keyed reference).
    Caller,
    /// A client network address.
    SourceIp,
    /// A patient targeted by verification attempts (keyed reference).
    Patient,
}

impl PrincipalKind {
    /// A stable name for logs, metrics and playbooks.
    pub const fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Key => "key",
            PrincipalKind::App => "app",
            PrincipalKind::User => "user",
            PrincipalKind::Session => "session",
            PrincipalKind::Caller => "caller",
            PrincipalKind::SourceIp => "source_ip",
            PrincipalKind::Patient => "patient",
        }
    }
}

/// A principal: kind plus an identifier that is never a PHI value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Principal {
    /// What kind of principal.
    pub kind: PrincipalKind,
    /// Key prefix, app name, session id, IP, or keyed reference.
    pub id: String,
}

impl Principal {
    /// A principal of `kind` with `id`.
    pub fn new(kind: PrincipalKind, id: impl Into<String>) -> Self {
        Principal { kind, id: id.into() }
    }
}

/// The behaviour detected. Playbooks match on [`DetectionKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectionKind {
    /// Many distinct patients accessed in a window (bulk exfiltration).
    BulkPatientAccess,
    /// Distinct patients accessed well above the principal's baseline over a long window.
    SlowExfiltration,
    /// Many PHI entities released.
    PhiReleaseSpike,
    /// A high share of blocked or flagged requests (guard probing).
    GuardProbing,
    /// Repeated caller-verification failures.
    VerificationFailures,
    /// Authentication failures across keys from one source (credential stuffing).
    CredentialStuffing,
    /// Request rate above baseline.
    RequestRateSpike,
    /// Token usage above baseline.
    TokenSpike,
    /// A principal used from a source never seen for it.
    NewSource,
    /// Use outside the principal's usual hours.
    OffHours,
    /// Systematic, templated queries (model extraction).
    ModelExtraction,
    /// A lockout from the verification limiter.
    VerificationLockout,
    /// An output tried to disclose PHI of a patient the session is not verified for.
    DisclosurePrevented,
    /// Prompt injection attempt (single request, high confidence).
    PromptInjection,
}

impl DetectionKind {
    /// Every kind, for catalogues and playbook validation.
    pub const ALL: [DetectionKind; 14] = [
        DetectionKind::BulkPatientAccess,
        DetectionKind::SlowExfiltration,
        DetectionKind::PhiReleaseSpike,
        DetectionKind::GuardProbing,
        DetectionKind::VerificationFailures,
        DetectionKind::CredentialStuffing,
        DetectionKind::RequestRateSpike,
        DetectionKind::TokenSpike,
        DetectionKind::NewSource,
        DetectionKind::OffHours,
        DetectionKind::ModelExtraction,
        DetectionKind::VerificationLockout,
        DetectionKind::DisclosurePrevented,
        DetectionKind::PromptInjection,
    ];

    /// A stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            DetectionKind::BulkPatientAccess => "bulk_patient_access",
            DetectionKind::SlowExfiltration => "slow_exfiltration",
            DetectionKind::PhiReleaseSpike => "phi_release_spike",
            DetectionKind::GuardProbing => "guard_probing",
            DetectionKind::VerificationFailures => "verification_failures",
            DetectionKind::CredentialStuffing => "credential_stuffing",
            DetectionKind::RequestRateSpike => "request_rate_spike",
            DetectionKind::TokenSpike => "token_spike",
            DetectionKind::NewSource => "new_source",
            DetectionKind::OffHours => "off_hours",
            DetectionKind::ModelExtraction => "model_extraction",
            DetectionKind::VerificationLockout => "verification_lockout",
            DetectionKind::DisclosurePrevented => "disclosure_prevented",
            DetectionKind::PromptInjection => "prompt_injection",
        }
    }

    /// Parse [`DetectionKind::as_str`] back.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The numbers behind a detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Length of the window the count was taken over, seconds.
    pub window_secs: u64,
    /// What was observed in the window (distinct patients, failures, requests...).
    pub observed: f64,
    /// The learned baseline for this principal and time (0 when none yet).
    pub baseline: f64,
    /// The threshold that was crossed.
    pub threshold: f64,
    /// A short, fixed explanation, e.g. `distinct patients in 60 s`.
    pub measure: String,
}

/// One detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Unique id (assigned by the detector).
    pub id: String,
    /// Milliseconds since the unix epoch, on the detector's clock.
    pub time: i64,
    /// What was detected.
    pub kind: DetectionKind,
    /// How bad.
    pub severity: Severity,
    /// Who did it.
    pub principal: Principal,
    /// Other principals seen in the evidence (the app of a key, the source of a session...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Principal>,
    /// Keyed references of affected patients (for breach assessment), when known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patient_refs: Vec<String>,
    /// The numbers.
    pub evidence: Evidence,
    /// MITRE ATLAS / ATT&CK technique ids, e.g. `T1110.004`, `AML.T0024`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<String>,
    /// Request ids that contributed (bounded; the most recent few).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name() {
        for k in DetectionKind::ALL {
            assert_eq!(DetectionKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(DetectionKind::parse("nope"), None);
    }
}
