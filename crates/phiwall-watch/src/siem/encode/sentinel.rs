//! Microsoft Sentinel through the Azure Monitor Logs Ingestion API: one flat JSON object per
//! record whose keys are the columns of the data collection rule's input stream (declare them
//! in the DCR; `docs/siem.md` lists them with their types). `TimeGenerated` is an ISO 8601
//! timestamp; maps and lists are `dynamic` columns. A batch is a JSON array.

use super::{ocsf, severity_name, EncodeError, Encoder};
use crate::detection::Detection;
use crate::event::Event;
use crate::record::Record;
use crate::siem::time::rfc3339_ms;
use serde::Serialize;
use std::collections::BTreeMap;

/// Encodes rows for a custom table (for example `PhiwallEvents_CL`).
#[derive(Debug, Clone, Default)]
pub struct SentinelEncoder;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EventRow<'a> {
    time_generated: String,
    class_uid: u32,
    class_name: &'static str,
    activity_id: u32,
    severity_id: u32,
    severity: &'static str,
    outcome: &'static str,
    reason: Option<&'a str>,
    request_id: &'a str,
    endpoint: &'a str,
    http_status: u16,
    app: Option<&'a str>,
    model: Option<&'a str>,
    session_id: Option<&'a str>,
    source_ip: Option<&'a str>,
    auth_method: &'a str,
    key_prefix: Option<&'a str>,
    subject_ref: Option<&'a str>,
    caller_ref: Option<&'a str>,
    patient_refs: &'a [String],
    findings: &'a BTreeMap<String, u32>,
    actions: &'a BTreeMap<String, u32>,
    duration_ms: f64,
    upstream_ms: f64,
    overhead_ms: f64,
    tokens_in: u64,
    tokens_out: u64,
    is_stream: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DetectionRow<'a> {
    time_generated: String,
    class_uid: u32,
    class_name: &'static str,
    severity_id: u32,
    severity: &'static str,
    detection_id: &'a str,
    detection_kind: &'static str,
    title: &'static str,
    principal_kind: &'static str,
    principal_id: &'a str,
    related: Vec<String>,
    techniques: &'a [String],
    window_secs: u64,
    observed: f64,
    baseline: f64,
    threshold: f64,
    measure: &'a str,
    request_ids: &'a [String],
    patient_refs: &'a [String],
}

fn event_row(e: &Event) -> EventRow<'_> {
    EventRow {
        time_generated: rfc3339_ms(e.time),
        class_uid: e.class_uid,
        class_name: "API Activity",
        activity_id: e.activity_id,
        severity_id: e.severity_id,
        severity: severity_name(e.severity),
        outcome: e.outcome.as_str(),
        reason: e.reason,
        request_id: &e.request_id,
        endpoint: e.endpoint,
        http_status: e.status,
        app: e.app.as_deref(),
        model: e.model.as_deref(),
        session_id: e.session.as_deref(),
        source_ip: e.source_ip.as_deref(),
        auth_method: e.actor.auth,
        key_prefix: e.actor.key_prefix.as_deref(),
        subject_ref: e.actor.subject_ref.as_deref(),
        caller_ref: e.caller_ref.as_deref(),
        patient_refs: &e.patient_refs,
        findings: &e.findings,
        actions: &e.actions,
        duration_ms: e.duration_us as f64 / 1000.0,
        upstream_ms: e.upstream_us as f64 / 1000.0,
        overhead_ms: e.duration_us.saturating_sub(e.upstream_us) as f64 / 1000.0,
        tokens_in: e.tokens_in,
        tokens_out: e.tokens_out,
        is_stream: e.is_stream,
    }
}

fn detection_row(d: &Detection) -> DetectionRow<'_> {
    DetectionRow {
        time_generated: rfc3339_ms(d.time),
        class_uid: crate::detection::CLASS_DETECTION_FINDING,
        class_name: "Detection Finding",
        severity_id: d.severity.id(),
        severity: severity_name(d.severity),
        detection_id: &d.id,
        detection_kind: d.kind.as_str(),
        title: ocsf::title(d),
        principal_kind: d.principal.kind.as_str(),
        principal_id: &d.principal.id,
        related: d.related.iter().map(|p| format!("{}:{}", p.kind.as_str(), p.id)).collect(),
        techniques: &d.techniques,
        window_secs: d.evidence.window_secs,
        observed: d.evidence.observed,
        baseline: d.evidence.baseline,
        threshold: d.evidence.threshold,
        measure: &d.evidence.measure,
        request_ids: &d.request_ids,
        patient_refs: &d.patient_refs,
    }
}

impl Encoder for SentinelEncoder {
    fn encode(&self, r: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match r {
            Record::Event(e) => serde_json::to_writer(out, &event_row(e))?,
            Record::Detection(d) => serde_json::to_writer(out, &detection_row(d))?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siem::encode::tests::{sample_detection, sample_event};

    #[test]
    fn rows_have_time_generated() {
        let mut out = Vec::new();
        SentinelEncoder.encode(&Record::Event(sample_event()), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["TimeGenerated"], "2023-11-14T22:13:20.123Z");
        assert_eq!(v["HttpStatus"], 403);
        assert_eq!(v["Findings"]["input.phi.SSN"], 2);
        out.clear();
        SentinelEncoder.encode(&Record::Detection(sample_detection()), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["DetectionKind"], "credential_stuffing");
        assert_eq!(v["Related"][0], "app:scheduling");
    }
}
