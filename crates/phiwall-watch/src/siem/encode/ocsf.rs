//! OCSF 1.3 JSON: events as API Activity (class 6003, category 6 Application Activity),
//! detections as Detection Finding (class 2004, category 2 Findings). `type_uid` is
//! `class_uid * 100 + activity_id`. Attributes OCSF has no place for (finding counts, token
//! counts, keyed references) go under `unmapped`, as the schema prescribes.

use super::{severity_name, EncodeError, Encoder, PRODUCT, VERSION};
use crate::detection::{Detection, CLASS_DETECTION_FINDING};
use crate::event::{Activity, Event, Outcome};
use crate::record::Record;
use serde::Serialize;
use std::collections::BTreeMap;

/// The OCSF schema version these records follow.
pub const OCSF_VERSION: &str = "1.3.0";

/// Encodes records as one OCSF JSON object each.
#[derive(Debug, Clone, Default)]
pub struct OcsfEncoder;

impl Encoder for OcsfEncoder {
    fn encode(&self, r: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        write(r, out)
    }
}

/// Append the OCSF JSON of `r` (used by the wrapping encoders too).
pub fn write(r: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    match r {
        Record::Event(e) => serde_json::to_writer(out, &api_activity(e))?,
        Record::Detection(d) => serde_json::to_writer(out, &detection_finding(d))?,
    }
    Ok(())
}

#[derive(Serialize)]
struct Product {
    name: &'static str,
    vendor_name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    product: Product,
    uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation_uid: Option<&'a str>,
}

fn metadata<'a>(uid: &'a str, correlation: Option<&'a str>) -> Metadata<'a> {
    Metadata {
        version: OCSF_VERSION,
        product: Product { name: PRODUCT, vendor_name: PRODUCT, version: VERSION },
        uid,
        correlation_uid: correlation,
    }
}

#[derive(Serialize)]
struct Uid<'a> {
    uid: &'a str,
}

#[derive(Serialize)]
struct User<'a> {
    uid: &'a str,
    /// OCSF user type: 99 Other (an API key or a service identity).
    type_id: u8,
}

#[derive(Serialize)]
struct ActorObj<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<User<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<Uid<'a>>,
}

#[derive(Serialize)]
struct Response {
    code: u16,
}

#[derive(Serialize)]
struct Service<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Api<'a> {
    operation: &'a str,
    request: Uid<'a>,
    response: Response,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<Service<'a>>,
}

#[derive(Serialize)]
struct Endpoint<'a> {
    ip: &'a str,
}

#[derive(Serialize)]
struct EventUnmapped<'a> {
    auth: &'a str,
    findings: &'a BTreeMap<String, u32>,
    actions: &'a BTreeMap<String, u32>,
    tokens_in: u64,
    tokens_out: u64,
    upstream_ms: f64,
    overhead_ms: f64,
    is_stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    caller_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    patient_refs: &'a [String],
}

#[derive(Serialize)]
struct ApiActivity<'a> {
    class_uid: u32,
    class_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    activity_id: u32,
    activity_name: &'static str,
    type_uid: u64,
    type_name: &'static str,
    time: i64,
    severity_id: u32,
    severity: &'static str,
    status_id: u8,
    status: &'static str,
    status_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<&'a str>,
    duration: u64,
    metadata: Metadata<'a>,
    actor: ActorObj<'a>,
    api: Api<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_endpoint: Option<Endpoint<'a>>,
    unmapped: EventUnmapped<'a>,
}

fn api_activity(e: &Event) -> ApiActivity<'_> {
    let (activity_name, type_name) = match e.activity {
        Activity::Create => ("Create", "API Activity: Create"),
        Activity::Read => ("Read", "API Activity: Read"),
        Activity::Other => ("Other", "API Activity: Other"),
    };
    let (status_id, status) = match e.outcome {
        Outcome::Success => (1, "Success"),
        Outcome::Denied | Outcome::Failure => (2, "Failure"),
    };
    let user_uid = e.actor.key_prefix.as_deref().or(e.actor.subject_ref.as_deref());
    ApiActivity {
        class_uid: e.class_uid,
        class_name: "API Activity",
        category_uid: 6,
        category_name: "Application Activity",
        activity_id: e.activity_id,
        activity_name,
        type_uid: u64::from(e.class_uid) * 100 + u64::from(e.activity_id),
        type_name,
        time: e.time,
        severity_id: e.severity_id,
        severity: severity_name(e.severity),
        status_id,
        status,
        status_code: e.status.to_string(),
        status_detail: e.reason,
        duration: e.duration_us / 1000,
        metadata: metadata(&e.request_id, e.session.as_deref()),
        actor: ActorObj {
            user: user_uid.map(|uid| User { uid, type_id: 99 }),
            app_name: e.app.as_deref(),
            session: e.session.as_deref().map(|uid| Uid { uid }),
        },
        api: Api {
            operation: e.endpoint,
            request: Uid { uid: &e.request_id },
            response: Response { code: e.status },
            service: e.model.as_deref().map(|name| Service { name }),
        },
        src_endpoint: e.source_ip.as_deref().map(|ip| Endpoint { ip }),
        unmapped: EventUnmapped {
            auth: e.actor.auth,
            findings: &e.findings,
            actions: &e.actions,
            tokens_in: e.tokens_in,
            tokens_out: e.tokens_out,
            upstream_ms: e.upstream_us as f64 / 1000.0,
            overhead_ms: e.duration_us.saturating_sub(e.upstream_us) as f64 / 1000.0,
            is_stream: e.is_stream,
            caller_ref: e.caller_ref.as_deref(),
            patient_refs: &e.patient_refs,
        },
    }
}

#[derive(Serialize)]
struct Technique<'a> {
    uid: &'a str,
}

#[derive(Serialize)]
struct Attack<'a> {
    technique: Technique<'a>,
}

#[derive(Serialize)]
struct Analytic {
    name: &'static str,
    /// OCSF analytic type: 3 Statistical.
    type_id: u8,
    #[serde(rename = "type")]
    type_name: &'static str,
}

#[derive(Serialize)]
struct FindingInfo<'a> {
    uid: &'a str,
    title: &'static str,
    desc: &'a str,
    types: [&'static str; 1],
    analytic: Analytic,
    created_time: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attacks: Vec<Attack<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_events: Vec<Uid<'a>>,
}

#[derive(Serialize)]
struct Resource<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uid: &'a str,
}

#[derive(Serialize)]
struct EvidenceData<'a> {
    window_secs: u64,
    observed: f64,
    baseline: f64,
    threshold: f64,
    measure: &'a str,
}

#[derive(Serialize)]
struct EvidenceObj<'a> {
    data: EvidenceData<'a>,
}

#[derive(Serialize)]
struct FindingUnmapped<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    patient_refs: &'a [String],
}

#[derive(Serialize)]
struct DetectionFinding<'a> {
    class_uid: u32,
    class_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    activity_id: u32,
    activity_name: &'static str,
    type_uid: u64,
    type_name: &'static str,
    time: i64,
    severity_id: u32,
    severity: &'static str,
    status_id: u8,
    status: &'static str,
    metadata: Metadata<'a>,
    finding_info: FindingInfo<'a>,
    resources: Vec<Resource<'a>>,
    evidences: [EvidenceObj<'a>; 1],
    unmapped: FindingUnmapped<'a>,
}

/// A fixed, human title per detection kind (no principal in it).
pub fn title(d: &Detection) -> &'static str {
    use crate::detection::DetectionKind as K;
    match d.kind {
        K::BulkPatientAccess => "Bulk patient record access",
        K::SlowExfiltration => "Slow exfiltration of patient records",
        K::PhiReleaseSpike => "Spike in PHI released",
        K::GuardProbing => "Guard probing",
        K::VerificationFailures => "Repeated caller verification failures",
        K::CredentialStuffing => "Credential stuffing",
        K::RequestRateSpike => "Request rate spike",
        K::TokenSpike => "Token usage spike",
        K::NewSource => "Principal used from a new source",
        K::OffHours => "Off-hours use",
        K::ModelExtraction => "Model extraction query pattern",
        K::VerificationLockout => "Caller verification lockout",
        K::DisclosurePrevented => "Unverified disclosure prevented",
        K::PromptInjection => "Prompt injection attempt",
    }
}

fn detection_finding(d: &Detection) -> DetectionFinding<'_> {
    let mut resources = vec![Resource { kind: d.principal.kind.as_str(), uid: &d.principal.id }];
    resources.extend(d.related.iter().map(|p| Resource { kind: p.kind.as_str(), uid: &p.id }));
    DetectionFinding {
        class_uid: CLASS_DETECTION_FINDING,
        class_name: "Detection Finding",
        category_uid: 2,
        category_name: "Findings",
        activity_id: 1,
        activity_name: "Create",
        type_uid: u64::from(CLASS_DETECTION_FINDING) * 100 + 1,
        type_name: "Detection Finding: Create",
        time: d.time,
        severity_id: d.severity.id(),
        severity: severity_name(d.severity),
        status_id: 1,
        status: "New",
        metadata: metadata(&d.id, None),
        finding_info: FindingInfo {
            uid: &d.id,
            title: title(d),
            desc: &d.evidence.measure,
            types: [d.kind.as_str()],
            analytic: Analytic { name: d.kind.as_str(), type_id: 3, type_name: "Statistical" },
            created_time: d.time,
            attacks: d
                .techniques
                .iter()
                .map(|t| Attack { technique: Technique { uid: t } })
                .collect(),
            related_events: d.request_ids.iter().map(|r| Uid { uid: r }).collect(),
        },
        resources,
        evidences: [EvidenceObj {
            data: EvidenceData {
                window_secs: d.evidence.window_secs,
                observed: d.evidence.observed,
                baseline: d.evidence.baseline,
                threshold: d.evidence.threshold,
                measure: &d.evidence.measure,
            },
        }],
        unmapped: FindingUnmapped { patient_refs: &d.patient_refs },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siem::encode::tests::{sample_detection, sample_event};

    #[test]
    fn api_activity_shape() {
        let mut out = Vec::new();
        OcsfEncoder.encode(&Record::Event(sample_event()), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["class_uid"], 6003);
        assert_eq!(v["category_uid"], 6);
        assert_eq!(v["type_uid"], 600301);
        assert_eq!(v["status_id"], 2);
        assert_eq!(v["status_detail"], "policy.phi_blocked");
        assert_eq!(v["api"]["operation"], "chat.completions");
        assert_eq!(v["api"]["response"]["code"], 403);
        assert_eq!(v["src_endpoint"]["ip"], "10.0.0.7");
        assert_eq!(v["actor"]["user"]["uid"], "pw_abc");
        assert_eq!(v["metadata"]["version"], OCSF_VERSION);
        assert_eq!(v["unmapped"]["findings"]["input.phi.SSN"], 2);
    }

    #[test]
    fn detection_finding_shape() {
        let mut out = Vec::new();
        OcsfEncoder.encode(&Record::Detection(sample_detection()), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["class_uid"], 2004);
        assert_eq!(v["type_uid"], 200401);
        assert_eq!(v["finding_info"]["types"][0], "credential_stuffing");
        assert_eq!(v["finding_info"]["attacks"][0]["technique"]["uid"], "T1110.004");
        assert_eq!(v["resources"][0]["type"], "source_ip");
        assert_eq!(v["evidences"][0]["data"]["threshold"], 20.0);
    }
}
