//! The bus spill's on-disk form of a [`Record`]: JSON of a private mirror of [`Event`] (whose
//! `&'static str` vocabulary fields cannot be deserialized directly) or of [`Detection`].
//!
//! The mirror is built by destructuring [`Event`] without `..`, so adding a field to the event
//! is a compile error here until the spill carries it too. Vocabulary strings read back are
//! interned in a bounded pool (at most [`INTERN_CAP`] distinct values, then `other`), so a
//! damaged spill file cannot grow memory without bound.

use crate::detection::Detection;
use crate::event::{Activity, Actor, Event, Outcome, Severity};
use crate::record::Record;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, OnceLock};

/// Most distinct vocabulary strings interned from spill files.
pub const INTERN_CAP: usize = 4096;

#[derive(Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
enum Wire {
    Event(Box<WireEvent>),
    Detection(Box<Detection>),
}

/// The borrowed form written to the spill (no copies on the request path).
#[derive(Serialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // built on the stack and serialized at once
enum WireRef<'a> {
    Event(WireEventRef<'a>),
    Detection(&'a Detection),
}

#[derive(Serialize)]
struct WireEventRef<'a> {
    class_uid: u32,
    activity: &'static str,
    time: i64,
    severity: Severity,
    auth: &'a str,
    key_prefix: &'a Option<String>,
    subject_ref: &'a Option<String>,
    app: &'a Option<String>,
    session: &'a Option<String>,
    source_ip: &'a Option<String>,
    caller_ref: &'a Option<String>,
    patient_refs: &'a [String],
    request_id: &'a str,
    endpoint: &'a str,
    model: &'a Option<String>,
    outcome: &'static str,
    reason: Option<&'a str>,
    status: u16,
    findings: &'a BTreeMap<String, u32>,
    actions: &'a BTreeMap<String, u32>,
    duration_us: u64,
    upstream_us: u64,
    tokens_in: u64,
    tokens_out: u64,
    is_stream: bool,
    request_shape: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEvent {
    class_uid: u32,
    activity: String,
    time: i64,
    severity: Severity,
    auth: String,
    key_prefix: Option<String>,
    subject_ref: Option<String>,
    app: Option<String>,
    session: Option<String>,
    source_ip: Option<String>,
    caller_ref: Option<String>,
    patient_refs: Vec<String>,
    request_id: String,
    endpoint: String,
    model: Option<String>,
    outcome: String,
    reason: Option<String>,
    status: u16,
    findings: BTreeMap<String, u32>,
    actions: BTreeMap<String, u32>,
    duration_us: u64,
    upstream_us: u64,
    tokens_in: u64,
    tokens_out: u64,
    is_stream: bool,
    #[serde(default)]
    request_shape: Option<u64>,
}

/// Errors reading a spilled record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Not the spill's JSON shape.
    #[error("spilled record is malformed: {0}")]
    Malformed(String),
    /// A value outside the known vocabulary.
    #[error("spilled record has an unknown {field} value")]
    Unknown {
        /// Which field.
        field: &'static str,
    },
}

/// Serialize a record for the spill.
pub fn to_bytes(r: &Record) -> Result<Vec<u8>, WireError> {
    let w = match r {
        Record::Event(e) => WireRef::Event(mirror(e)),
        Record::Detection(d) => WireRef::Detection(d),
    };
    serde_json::to_vec(&w).map_err(|e| WireError::Malformed(e.to_string()))
}

/// Read a record back.
pub fn from_bytes(b: &[u8]) -> Result<Record, WireError> {
    let w: Wire = serde_json::from_slice(b).map_err(|e| {
        // serde_json errors quote at most a type and position, never the input.
        WireError::Malformed(format!("line {} column {}", e.line(), e.column()))
    })?;
    match w {
        Wire::Detection(d) => Ok(Record::Detection(*d)),
        Wire::Event(w) => unmirror(*w).map(Record::Event),
    }
}

fn mirror(e: &Event) -> WireEventRef<'_> {
    let Event {
        class_uid,
        activity,
        activity_id: _,
        time,
        severity,
        severity_id: _,
        actor,
        app,
        session,
        source_ip,
        caller_ref,
        patient_refs,
        request_id,
        endpoint,
        model,
        outcome,
        reason,
        status,
        findings,
        actions,
        duration_us,
        upstream_us,
        tokens_in,
        tokens_out,
        is_stream,
        request_shape,
    } = e;
    let Actor { auth, key_prefix, subject_ref } = actor;
    WireEventRef {
        class_uid: *class_uid,
        activity: activity_name(*activity),
        time: *time,
        severity: *severity,
        auth,
        key_prefix,
        subject_ref,
        app,
        session,
        source_ip,
        caller_ref,
        patient_refs,
        request_id,
        endpoint,
        model,
        outcome: outcome.as_str(),
        reason: *reason,
        status: *status,
        findings,
        actions,
        duration_us: *duration_us,
        upstream_us: *upstream_us,
        tokens_in: *tokens_in,
        tokens_out: *tokens_out,
        is_stream: *is_stream,
        request_shape: *request_shape,
    }
}

fn activity_name(a: Activity) -> &'static str {
    match a {
        Activity::Create => "create",
        Activity::Read => "read",
        Activity::Other => "other",
    }
}

fn unmirror(w: WireEvent) -> Result<Event, WireError> {
    let activity = match w.activity.as_str() {
        "create" => Activity::Create,
        "read" => Activity::Read,
        "other" => Activity::Other,
        _ => return Err(WireError::Unknown { field: "activity" }),
    };
    let outcome = match w.outcome.as_str() {
        "success" => Outcome::Success,
        "denied" => Outcome::Denied,
        "failure" => Outcome::Failure,
        _ => return Err(WireError::Unknown { field: "outcome" }),
    };
    let mut e = Event::new(activity, w.time, w.request_id, intern(&w.endpoint));
    e.class_uid = w.class_uid;
    e.severity = w.severity;
    e.severity_id = w.severity.id();
    e.actor = Actor { auth: intern(&w.auth), key_prefix: w.key_prefix, subject_ref: w.subject_ref };
    e.app = w.app;
    e.session = w.session;
    e.source_ip = w.source_ip;
    e.caller_ref = w.caller_ref;
    e.patient_refs = w.patient_refs;
    e.model = w.model;
    e.outcome = outcome;
    e.reason = w.reason.as_deref().map(intern);
    e.status = w.status;
    e.findings = w.findings;
    e.actions = w.actions;
    e.duration_us = w.duration_us;
    e.upstream_us = w.upstream_us;
    e.tokens_in = w.tokens_in;
    e.tokens_out = w.tokens_out;
    e.is_stream = w.is_stream;
    e.request_shape = w.request_shape;
    Ok(e)
}

/// A `&'static str` for a vocabulary value read from disk, from a bounded pool.
fn intern(s: &str) -> &'static str {
    static POOL: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| Mutex::new(HashSet::new()));
    let Ok(mut g) = pool.lock() else {
        return "other";
    };
    if let Some(v) = g.get(s) {
        return v;
    }
    if g.len() >= INTERN_CAP {
        return "other";
    }
    let v: &'static str = Box::leak(s.to_owned().into_boxed_str());
    g.insert(v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detection::{DetectionKind, Evidence, Principal, PrincipalKind};

    pub(crate) fn full_event() -> Event {
        let mut e = Event::new(Activity::Create, 1_700_000_000_123, "req-1".into(), "chat");
        e.raise(Severity::High);
        e.actor = Actor {
            auth: "api_key",
            key_prefix: Some("pw_abc".into()),
            subject_ref: Some("ab12".into()),
        };
        e.app = Some("scheduling".into());
        e.session = Some("s-9".into());
        e.source_ip = Some("10.0.0.7".into());
        e.caller_ref = Some("c0ffee".into());
        e.patient_refs = vec!["p1".into(), "p2".into()];
        e.model = Some("gpt".into());
        e.outcome = Outcome::Denied;
        e.reason = Some("policy.phi_blocked");
        e.status = 403;
        e.count_finding("input.phi.SSN", 2);
        e.count_action("mask", 1);
        e.duration_us = 1200;
        e.upstream_us = 700;
        e.tokens_in = 11;
        e.tokens_out = 22;
        e.is_stream = true;
        e.request_shape = Some(0xdead_beef);
        e
    }

    #[test]
    fn event_and_detection_round_trip() {
        let e = Record::Event(full_event());
        assert_eq!(from_bytes(&to_bytes(&e).unwrap()).unwrap(), e);
        let d = Record::Detection(Detection {
            id: "d1".into(),
            time: 5,
            kind: DetectionKind::CredentialStuffing,
            severity: Severity::High,
            principal: Principal::new(PrincipalKind::SourceIp, "10.1.1.1"),
            related: vec![],
            patient_refs: vec![],
            evidence: Evidence {
                window_secs: 60,
                observed: 40.0,
                baseline: 1.0,
                threshold: 20.0,
                measure: "auth failures across keys in 60 s".into(),
            },
            techniques: vec!["T1110.004".into()],
            request_ids: vec!["r1".into()],
        });
        assert_eq!(from_bytes(&to_bytes(&d).unwrap()).unwrap(), d);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(from_bytes(b"{\"t\":\"event\",\"v\":{}}").is_err());
        assert!(from_bytes(b"\xff\xfe").is_err());
    }
}
