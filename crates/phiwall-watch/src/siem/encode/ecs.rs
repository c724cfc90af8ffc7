//! Elastic Common Schema (ECS 8.x) documents for the `_bulk` API. ECS names where one fits
//! (`@timestamp`, `event.*`, `source.ip`, `user.id`, `http.response.status_code`, `rule.name`,
//! `threat.technique.id`, `observer.*`); phiwall's own counts under the custom `phiwall.*`
//! namespace (ECS reserves no such top-level field).

use super::{ocsf, EncodeError, Encoder, PRODUCT, VERSION};
use crate::detection::Detection;
use crate::event::{Event, Outcome, Severity};
use crate::record::Record;
use crate::siem::time::rfc3339_ms;
use serde::Serialize;
use std::collections::BTreeMap;

/// The ECS version the documents follow.
pub const ECS_VERSION: &str = "8.11.0";

/// Encodes one ECS document per record.
#[derive(Debug, Clone, Default)]
pub struct EcsEncoder;

#[derive(Serialize)]
struct Ecs {
    version: &'static str,
}

#[derive(Serialize)]
struct Observer {
    vendor: &'static str,
    product: &'static str,
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

const OBSERVER: Observer =
    Observer { vendor: PRODUCT, product: PRODUCT, version: VERSION, kind: "gateway" };

#[derive(Serialize)]
struct EventField<'a> {
    kind: &'static str,
    category: [&'static str; 1],
    #[serde(rename = "type")]
    kind_type: [&'static str; 1],
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    id: &'a str,
    severity: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<u64>,
    dataset: &'static str,
    module: &'static str,
}

#[derive(Serialize)]
struct Ip<'a> {
    ip: &'a str,
}

#[derive(Serialize)]
struct Id<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct Name<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct HttpResponse {
    status_code: u16,
}

#[derive(Serialize)]
struct Http {
    response: HttpResponse,
}

#[derive(Serialize)]
struct PhiwallEvent<'a> {
    app: Option<&'a str>,
    session: Option<&'a str>,
    model: Option<&'a str>,
    auth: &'a str,
    findings: &'a BTreeMap<String, u32>,
    actions: &'a BTreeMap<String, u32>,
    tokens_in: u64,
    tokens_out: u64,
    upstream_us: u64,
    overhead_us: u64,
    is_stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    caller_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    patient_refs: &'a [String],
}

#[derive(Serialize)]
struct EventDoc<'a> {
    #[serde(rename = "@timestamp")]
    timestamp: String,
    ecs: Ecs,
    event: EventField<'a>,
    observer: &'static Observer,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Ip<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<Id<'a>>,
    http: Http,
    service: Name<'static>,
    phiwall: PhiwallEvent<'a>,
}

/// ECS `event.severity` is numeric; use OCSF's scale (1..5) scaled to ECS's customary 0..100.
const fn ecs_severity(s: Severity) -> u32 {
    match s {
        Severity::Informational => 10,
        Severity::Low => 21,
        Severity::Medium => 47,
        Severity::High => 73,
        Severity::Critical => 99,
    }
}

fn event_doc(e: &Event) -> EventDoc<'_> {
    EventDoc {
        timestamp: rfc3339_ms(e.time),
        ecs: Ecs { version: ECS_VERSION },
        event: EventField {
            kind: "event",
            category: ["api"],
            kind_type: [match e.outcome {
                Outcome::Success => "access",
                Outcome::Denied => "denied",
                Outcome::Failure => "error",
            }],
            action: e.endpoint,
            outcome: Some(match e.outcome {
                Outcome::Success => "success",
                Outcome::Denied | Outcome::Failure => "failure",
            }),
            reason: e.reason,
            id: &e.request_id,
            severity: ecs_severity(e.severity),
            duration: Some(e.duration_us.saturating_mul(1000)),
            dataset: "phiwall.api_activity",
            module: "phiwall",
        },
        observer: &OBSERVER,
        source: e.source_ip.as_deref().map(|ip| Ip { ip }),
        user: e.actor.key_prefix.as_deref().or(e.actor.subject_ref.as_deref()).map(|id| Id { id }),
        http: Http { response: HttpResponse { status_code: e.status } },
        service: Name { name: PRODUCT },
        phiwall: PhiwallEvent {
            app: e.app.as_deref(),
            session: e.session.as_deref(),
            model: e.model.as_deref(),
            auth: e.actor.auth,
            findings: &e.findings,
            actions: &e.actions,
            tokens_in: e.tokens_in,
            tokens_out: e.tokens_out,
            upstream_us: e.upstream_us,
            overhead_us: e.duration_us.saturating_sub(e.upstream_us),
            is_stream: e.is_stream,
            caller_ref: e.caller_ref.as_deref(),
            patient_refs: &e.patient_refs,
        },
    }
}

#[derive(Serialize)]
struct Rule<'a> {
    name: &'static str,
    description: &'a str,
}

#[derive(Serialize)]
struct Threat<'a> {
    framework: &'static str,
    technique: TechniqueIds<'a>,
}

#[derive(Serialize)]
struct TechniqueIds<'a> {
    id: &'a [String],
}

#[derive(Serialize)]
struct PhiwallDetection<'a> {
    principal_kind: &'static str,
    principal_id: &'a str,
    related: Vec<String>,
    window_secs: u64,
    observed: f64,
    baseline: f64,
    threshold: f64,
    request_ids: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    patient_refs: &'a [String],
}

#[derive(Serialize)]
struct DetectionDoc<'a> {
    #[serde(rename = "@timestamp")]
    timestamp: String,
    ecs: Ecs,
    event: EventField<'a>,
    observer: &'static Observer,
    message: &'static str,
    rule: Rule<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    threat: Option<Threat<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Ip<'a>>,
    service: Name<'static>,
    phiwall: PhiwallDetection<'a>,
}

fn detection_doc(d: &Detection) -> DetectionDoc<'_> {
    use crate::detection::PrincipalKind;
    DetectionDoc {
        timestamp: rfc3339_ms(d.time),
        ecs: Ecs { version: ECS_VERSION },
        event: EventField {
            kind: "alert",
            category: ["intrusion_detection"],
            kind_type: ["info"],
            action: d.kind.as_str(),
            outcome: None,
            reason: None,
            id: &d.id,
            severity: ecs_severity(d.severity),
            duration: None,
            dataset: "phiwall.detection_finding",
            module: "phiwall",
        },
        observer: &OBSERVER,
        message: ocsf::title(d),
        rule: Rule { name: d.kind.as_str(), description: &d.evidence.measure },
        threat: (!d.techniques.is_empty()).then(|| Threat {
            framework: "MITRE ATT&CK",
            technique: TechniqueIds { id: &d.techniques },
        }),
        source: (d.principal.kind == PrincipalKind::SourceIp).then(|| Ip { ip: &d.principal.id }),
        service: Name { name: PRODUCT },
        phiwall: PhiwallDetection {
            principal_kind: d.principal.kind.as_str(),
            principal_id: &d.principal.id,
            related: d.related.iter().map(|p| format!("{}:{}", p.kind.as_str(), p.id)).collect(),
            window_secs: d.evidence.window_secs,
            observed: d.evidence.observed,
            baseline: d.evidence.baseline,
            threshold: d.evidence.threshold,
            request_ids: &d.request_ids,
            patient_refs: &d.patient_refs,
        },
    }
}

impl Encoder for EcsEncoder {
    fn encode(&self, r: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match r {
            Record::Event(e) => serde_json::to_writer(out, &event_doc(e))?,
            Record::Detection(d) => serde_json::to_writer(out, &detection_doc(d))?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siem::encode::tests::{sample_detection, sample_event};

    #[test]
    fn ecs_field_names() {
        let mut out = Vec::new();
        EcsEncoder.encode(&Record::Event(sample_event()), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["@timestamp"], "2023-11-14T22:13:20.123Z");
        assert_eq!(v["event"]["outcome"], "failure");
        assert_eq!(v["event"]["duration"], 1_500_000);
        assert_eq!(v["source"]["ip"], "10.0.0.7");
        assert_eq!(v["http"]["response"]["status_code"], 403);
        out.clear();
        EcsEncoder.encode(&Record::Detection(sample_detection()), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["event"]["kind"], "alert");
        assert_eq!(v["threat"]["technique"]["id"][0], "T1110.004");
        assert_eq!(v["rule"]["name"], "credential_stuffing");
    }
}
