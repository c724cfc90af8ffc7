//! Encoders: one record in, one vendor-format record out (bytes). Each vendor has its own small
//! file. Batch framing (JSON arrays, NDJSON, octet counting) belongs to the transports.
//!
//! Invariant: encoders read only [`Record`] fields, which carry no request text (see
//! [`crate::event`]); the canary test in `tests/canary.rs` checks every encoder's output.

pub mod cef;
pub mod ecs;
pub mod ocsf;
pub mod sentinel;
pub mod splunk;
pub mod syslog;

use crate::event::Severity;
use crate::record::Record;

/// Encoding failed (a serializer error: kinds and positions only, never content).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// JSON serialization failed.
    #[error("json encoding failed: {0}")]
    Json(String),
}

impl From<serde_json::Error> for EncodeError {
    fn from(e: serde_json::Error) -> Self {
        EncodeError::Json(format!("{:?} at column {}", e.classify(), e.column()))
    }
}

/// Turns a record into bytes for one sink.
pub trait Encoder: Send {
    /// Append the encoding of `r` to `out`.
    fn encode(&self, r: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

/// OCSF severity caption.
pub const fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Informational => "Informational",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// The product block shared by encoders.
pub const PRODUCT: &str = "phiwall";
/// This build's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
pub(crate) mod tests {
    use crate::detection::{Detection, DetectionKind, Evidence, Principal, PrincipalKind};
    use crate::event::{Activity, Actor, Event, Outcome, Severity};

    pub(crate) fn sample_event() -> Event {
        let mut e =
            Event::new(Activity::Create, 1_700_000_000_123, "req-1".into(), "chat.completions");
        e.raise(Severity::Medium);
        e.actor = Actor { auth: "api_key", key_prefix: Some("pw_abc".into()), subject_ref: None };
        e.app = Some("scheduling".into());
        e.session = Some("s-9".into());
        e.source_ip = Some("10.0.0.7".into());
        e.model = Some("gpt-4o".into());
        e.outcome = Outcome::Denied;
        e.reason = Some("policy.phi_blocked");
        e.status = 403;
        e.count_finding("input.phi.SSN", 2);
        e.duration_us = 1500;
        e.upstream_us = 0;
        e
    }

    pub(crate) fn sample_detection() -> Detection {
        Detection {
            id: "det-1".into(),
            time: 1_700_000_000_500,
            kind: DetectionKind::CredentialStuffing,
            severity: Severity::High,
            principal: Principal::new(PrincipalKind::SourceIp, "10.1.1.1"),
            related: vec![Principal::new(PrincipalKind::App, "scheduling")],
            patient_refs: vec![],
            evidence: Evidence {
                window_secs: 60,
                observed: 40.0,
                baseline: 1.0,
                threshold: 20.0,
                measure: "auth failures across keys in 60 s".into(),
            },
            techniques: vec!["T1110.004".into()],
            request_ids: vec!["req-1".into()],
        }
    }
}
