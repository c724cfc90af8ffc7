//! The event type, aligned to OCSF: a class (API Activity, 6003), an activity, time, severity,
//! actor, app, session, request id, outcome and finding kinds with counts.
//!
//! Invariant: no field can hold request or response text. Strings are ids chosen by phiwall
//! (request ids, key prefixes, app and model names from configuration, reason classes) and
//! finding kinds such as `phi.SSN` or `injection`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// OCSF class uid for API Activity.
pub const CLASS_API_ACTIVITY: u32 = 6003;

/// What happened (OCSF `activity_id` values of API Activity plus phiwall's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// A model call (chat, completion, embedding): OCSF "Create".
    Create,
    /// A read (list models): OCSF "Read".
    Read,
    /// Other.
    Other,
}

impl Activity {
    /// OCSF `activity_id`.
    pub const fn id(self) -> u32 {
        match self {
            Activity::Create => 1,
            Activity::Read => 2,
            Activity::Other => 99,
        }
    }
}

/// OCSF severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Normal traffic.
    Informational,
    /// Minor (a client error, a redaction).
    Low,
    /// A policy denial.
    Medium,
    /// A likely attack (injection, leak, auth failures).
    High,
    /// phiwall could not do its job (fail closed).
    Critical,
}

impl Severity {
    /// OCSF `severity_id`.
    pub const fn id(self) -> u32 {
        match self {
            Severity::Informational => 1,
            Severity::Low => 2,
            Severity::Medium => 3,
            Severity::High => 4,
            Severity::Critical => 5,
        }
    }
}

/// How the request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Forwarded and answered.
    Success,
    /// Refused by phiwall (auth, limits, policy, inspection).
    Denied,
    /// Failed (upstream error, timeout, internal).
    Failure,
}

impl Outcome {
    /// A stable name for metrics.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }
}

/// Who called.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// How the caller authenticated: `api_key`, `jwt`, or `none` when it did not.
    pub auth: &'static str,
    /// API key prefix (never the secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    /// SHA-256 (hex, first 16 bytes) of the JWT subject, never the subject itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_ref: Option<String>,
}

/// One event. Build with [`Event::new`] and the public fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// OCSF class uid.
    pub class_uid: u32,
    /// OCSF activity.
    pub activity: Activity,
    /// OCSF activity id.
    pub activity_id: u32,
    /// Milliseconds since the unix epoch.
    pub time: i64,
    /// Severity.
    pub severity: Severity,
    /// OCSF severity id.
    pub severity_id: u32,
    /// The caller.
    pub actor: Actor,
    /// App profile, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Session id the client sent (an opaque id), when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The client's network address (the agent backend or user agent, not a patient).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// Keyed reference (HMAC, hex) of the caller number the telephony platform reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_ref: Option<String>,
    /// Keyed references of the patients whose PHI this request released or targeted
    /// (identity verification, disclosure control) or whom its input names by a directory
    /// value (full name, phone, e-mail, record or member number). Never names, ids or numbers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub patient_refs: Vec<String>,
    /// phiwall's request id.
    pub request_id: String,
    /// The endpoint, e.g. `chat.completions`.
    pub endpoint: &'static str,
    /// Model name requested (from the allow-list when accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Reason class of a denial or failure, e.g. `auth.expired`, `policy.phi_blocked`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// HTTP status sent to the client.
    pub status: u16,
    /// Finding kinds and counts (e.g. `input.phi.SSN: 2`, `output.canary_leak: 1`).
    pub findings: BTreeMap<String, u32>,
    /// Decisions taken (e.g. `mask: 2`, `tokenize: 1`).
    pub actions: BTreeMap<String, u32>,
    /// Total time in phiwall, microseconds.
    pub duration_us: u64,
    /// Time waiting on the upstream, microseconds (0 if not forwarded).
    pub upstream_us: u64,
    /// Prompt tokens (estimated or reported).
    pub tokens_in: u64,
    /// Completion tokens (estimated or reported).
    pub tokens_out: u64,
    /// Whether the response was streamed.
    pub is_stream: bool,
    /// Shape of the last user turn: a 64-bit simhash of its token classes (word, number,
    /// punctuation, by length band), never of the words themselves; see
    /// [`crate::anomaly::shape::request_shape`]. Near-identical templated prompts get shapes a few
    /// bits apart, which the model-extraction rule counts. `None` when the gateway did not
    /// compute it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_shape: Option<u64>,
}

impl Event {
    /// An API Activity event with empty counts.
    pub fn new(
        activity: Activity,
        time_ms: i64,
        request_id: String,
        endpoint: &'static str,
    ) -> Self {
        Event {
            class_uid: CLASS_API_ACTIVITY,
            activity,
            activity_id: activity.id(),
            time: time_ms,
            severity: Severity::Informational,
            severity_id: Severity::Informational.id(),
            actor: Actor { auth: "none", ..Actor::default() },
            app: None,
            session: None,
            source_ip: None,
            caller_ref: None,
            patient_refs: Vec::new(),
            request_id,
            endpoint,
            model: None,
            outcome: Outcome::Success,
            reason: None,
            status: 200,
            findings: BTreeMap::new(),
            actions: BTreeMap::new(),
            duration_us: 0,
            upstream_us: 0,
            tokens_in: 0,
            tokens_out: 0,
            is_stream: false,
            request_shape: None,
        }
    }

    /// Set the severity (keeps `severity_id` in step); never lowers it.
    pub fn raise(&mut self, s: Severity) {
        if s > self.severity {
            self.severity = s;
            self.severity_id = s.id();
        }
    }

    /// Add `n` to a finding kind.
    pub fn count_finding(&mut self, kind: impl Into<String>, n: u32) {
        *self.findings.entry(kind.into()).or_insert(0) += n;
    }

    /// Add `n` to an action.
    pub fn count_action(&mut self, action: impl Into<String>, n: u32) {
        *self.actions.entry(action.into()).or_insert(0) += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_ocsf_fields() {
        let mut e =
            Event::new(Activity::Create, 1_700_000_000_000, "r1".into(), "chat.completions");
        e.raise(Severity::Medium);
        e.raise(Severity::Low);
        e.count_finding("input.phi.SSN", 1);
        e.count_finding("input.phi.SSN", 2);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["class_uid"], 6003);
        assert_eq!(v["activity_id"], 1);
        assert_eq!(v["severity"], "medium");
        assert_eq!(v["severity_id"], 3);
        assert_eq!(v["findings"]["input.phi.SSN"], 3);
        assert!(v.get("app").is_none());
    }
}
