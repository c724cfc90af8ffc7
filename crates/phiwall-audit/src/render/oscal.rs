//! OSCAL 1.2 assessment results: one result per audit, one observation per evidence check (its
//! evidence as `relevant-evidence`), one finding per control targeting the control as an
//! objective, `satisfied` only when the control passes. phiwall's four-valued status travels as
//! a property in phiwall's namespace (`manual` and `partial` are both `not-satisfied` in OSCAL,
//! with reason `other`).
//!
//! Strings follow OSCAL's datatypes: identifiers are NCName tokens, one-line strings have no
//! leading or trailing space, UUIDs are deterministic version-5-shaped ids.

use super::stable_uuid;
use crate::check::Status;
use crate::report::AuditReport;
use serde_json::{json, Value};

/// Namespace of phiwall's properties.
pub const NS: &str = "urn:phiwall:oscal";

/// OSCAL version the output follows (the vendored schema's release).
pub const OSCAL_VERSION: &str = "1.2.3";

/// An NCName token from free text: letters, digits, `.`, `-`, `_`; starts with a letter.
pub fn token(s: &str) -> String {
    let mut t: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    while t.ends_with('_') {
        t.pop();
    }
    if !t.starts_with(|c: char| c.is_ascii_alphabetic()) {
        t.insert_str(0, "x_");
    }
    t
}

/// One line, trimmed, never empty (OSCAL `string`).
fn line(s: &str) -> String {
    let one: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let t = one.trim();
    if t.is_empty() {
        "-".to_string()
    } else {
        t.to_string()
    }
}

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": token(name), "ns": NS, "value": line(value) })
}

fn state(s: Status) -> Value {
    match s {
        Status::Pass => json!({ "state": "satisfied", "reason": "pass" }),
        Status::Fail => json!({ "state": "not-satisfied", "reason": "fail" }),
        Status::Partial | Status::Manual => json!({ "state": "not-satisfied", "reason": "other" }),
    }
}

/// Render the OSCAL document.
pub fn render(r: &AuditReport) -> Value {
    let doc_uuid = stable_uuid(&["phiwall-audit", &r.generated_at, &r.config_path, &r.data_dir]);
    let result_uuid = stable_uuid(&[&doc_uuid, "result"]);
    let obs_uuid = |id: &str| stable_uuid(&[&doc_uuid, "observation", id]);
    let observations: Vec<Value> = r
        .checks
        .iter()
        .map(|c| {
            let mut evidence: Vec<Value> = c
                .evidence
                .iter()
                .map(|e| {
                    json!({
                        "description": format!("{} (source: {})", e.text(), e.source),
                        "props": [prop("evidence-source", &e.source)],
                    })
                })
                .collect();
            if evidence.is_empty() {
                evidence.push(json!({ "description": "no evidence items" }));
            }
            let mut o = json!({
                "uuid": obs_uuid(c.id),
                "title": line(c.title),
                "description": format!("{}: {}", c.id, c.summary),
                "props": [prop("check-id", c.id), prop("status", c.status.as_str())],
                "methods": [if c.status == Status::Manual { "EXAMINE" } else { "TEST" }],
                "types": ["control-objective"],
                "relevant-evidence": evidence,
                "collected": r.generated_at,
            });
            if let Some(fix) = &c.fix {
                o["remarks"] = json!(format!("Fix: {fix}"));
            }
            o
        })
        .collect();
    let mut findings = Vec::new();
    for f in &r.frameworks {
        for c in &f.controls {
            let target = token(&format!("{}_{}", f.framework.id(), c.id));
            let mut finding = json!({
                "uuid": stable_uuid(&[&doc_uuid, "finding", &target]),
                "title": line(&format!("{} {} {}", f.name, c.id, c.title)),
                "description": format!("{}\n\n{}", c.requirement, c.summary),
                "props": [
                    prop("framework", f.framework.id()),
                    prop("control-id", &c.id),
                    prop("status", c.status.as_str()),
                    prop("coverage", match c.coverage {
                        crate::catalogue::Coverage::Addressed => "addressed",
                        crate::catalogue::Coverage::Partial => "partial",
                        crate::catalogue::Coverage::NotAddressed => "not-addressed",
                    }),
                ],
                "target": {
                    "type": "objective-id",
                    "target-id": target,
                    "title": line(&c.title),
                    "status": state(c.status),
                },
            });
            let related: Vec<Value> =
                c.checks.iter().map(|k| json!({ "observation-uuid": obs_uuid(&k.id) })).collect();
            if !related.is_empty() {
                finding["related-observations"] = json!(related);
            }
            let mut remarks = Vec::new();
            if !c.note.is_empty() {
                remarks.push(format!("Outside phiwall: {}", c.note));
            }
            if let Some(fix) = &c.fix {
                remarks.push(format!("Fix: {fix}"));
            }
            if !remarks.is_empty() {
                finding["remarks"] = json!(remarks.join("\n\n"));
            }
            findings.push(finding);
        }
    }
    let t = r.totals;
    json!({
        "assessment-results": {
            "uuid": doc_uuid,
            "metadata": {
                "title": "phiwall audit: HIPAA, OWASP LLM Top 10 2025, NIST AI RMF and CSF 2.0",
                "last-modified": r.generated_at,
                "version": line(&r.phiwall_version),
                "oscal-version": OSCAL_VERSION,
                "props": [prop("report-format", r.format)],
            },
            "import-ap": {
                "href": "#phiwall-audit-plan",
                "remarks": "phiwall's control catalogue and evidence checks are built in (docs/audit.md); there is no separate OSCAL assessment plan."
            },
            "results": [{
                "uuid": result_uuid,
                "title": "phiwall audit",
                "description": format!(
                    "Automated audit of configuration {} and data directory {}: {} controls, {} pass, {} partial, {} fail, {} manual.",
                    r.config_path, r.data_dir, t.total(), t.pass, t.partial, t.fail, t.manual
                ),
                "start": r.generated_at,
                "end": r.generated_at,
                "reviewed-controls": {
                    "description": "Every control of the built-in catalogues: HIPAA 164.312 and 164.308, the 2025 NPRM items, OWASP Top 10 for LLM Applications 2025, NIST AI RMF functions and CSF 2.0 functions.",
                    "control-selections": [{ "include-all": {} }],
                },
                "observations": observations,
                "findings": findings,
            }],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_ncnames() {
        assert_eq!(token("hipaa_164.312(a)(2)(i)"), "hipaa_164.312_a__2__i");
        assert_eq!(token("1x"), "x_1x");
        assert_eq!(line("  a\nb "), "a b");
        assert_eq!(line(""), "-");
    }
}
