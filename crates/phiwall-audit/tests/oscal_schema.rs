//! The OSCAL output validates against NIST's official OSCAL 1.2.3 JSON Schema (vendored in
//! `schema/`, see its README), restricted to the assessment-results model.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use phiwall_audit::render::{render, Format};
use serde_json::Value;

const SCHEMA: &str = include_str!("../schema/oscal_complete_schema.json");

/// The complete schema with its root `oneOf` narrowed to the assessment-results branch, so a
/// document of another model cannot pass.
fn assessment_results_schema() -> Value {
    let mut s: Value = serde_json::from_str(SCHEMA).unwrap();
    let branches = s["oneOf"].as_array().unwrap().clone();
    let ar: Vec<Value> = branches
        .into_iter()
        .filter(|b| {
            b["required"].as_array().is_some_and(|r| r.iter().any(|x| x == "assessment-results"))
        })
        .collect();
    assert_eq!(ar.len(), 1, "the schema has one assessment-results branch");
    s["oneOf"] = Value::Array(ar);
    s
}

fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the OSCAL schema compiles");
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).take(20).collect()
}

#[test]
fn vendored_schema_is_the_nist_release() {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(SCHEMA.as_bytes());
    let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, "384324105c7a817af0f65b120a963146caa0e0d55d969cf0daf60e063b87a206");
}

#[test]
fn weak_strong_and_empty_reports_validate() {
    let schema = assessment_results_schema();
    let d = tempfile::tempdir().unwrap();
    let cases = vec![
        ("strong", common::strong(&d.path().join("s"))),
        ("weak", common::weak(&d.path().join("w"))),
        (
            "empty",
            (
                common::config(common::STRONG_TOML),
                phiwall_audit::Evidence::empty(common::NOW_MS, "c.toml", "/x"),
            ),
        ),
    ];
    for (name, (cfg, ev)) in cases {
        let r = common::report(&cfg, &ev);
        let text = render(&r, Format::Oscal).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let errs = errors(&schema, &doc);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
        let result = &doc["assessment-results"]["results"][0];
        let findings = result["findings"].as_array().unwrap();
        assert_eq!(findings.len(), r.totals.total());
        assert_eq!(result["observations"].as_array().unwrap().len(), r.checks.len());
        let satisfied =
            findings.iter().filter(|f| f["target"]["status"]["state"] == "satisfied").count();
        assert_eq!(satisfied, r.totals.pass, "{name}: only passing controls are satisfied");
    }
}

#[test]
fn schema_rejects_a_broken_document() {
    // The validator is live: a document missing its metadata and with a bad uuid fails.
    let schema = assessment_results_schema();
    let d = tempfile::tempdir().unwrap();
    let (cfg, ev) = common::strong(d.path());
    let mut doc: Value =
        serde_json::from_str(&render(&common::report(&cfg, &ev), Format::Oscal).unwrap()).unwrap();
    doc["assessment-results"]["uuid"] = Value::String("not-a-uuid".into());
    doc["assessment-results"].as_object_mut().unwrap().remove("metadata");
    assert!(!errors(&schema, &doc).is_empty());
    let catalog = serde_json::json!({"catalog": {"uuid": "x"}});
    assert!(!errors(&schema, &catalog).is_empty(), "other models are not accepted");
}
