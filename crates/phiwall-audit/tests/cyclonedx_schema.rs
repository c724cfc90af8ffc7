//! The ML-BOM validates against the CycloneDX 1.6 JSON Schema (vendored in
//! `schema/cyclonedx/`, see its README).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use phiwall_audit::render::{render, Format};
use serde_json::Value;

const BOM: &str = include_str!("../schema/cyclonedx/bom-1.6.SNAPSHOT.schema.json");
const SPDX: &str = include_str!("../schema/cyclonedx/spdx.SNAPSHOT.schema.json");
const JSF: &str = include_str!("../schema/cyclonedx/jsf-0.82.SNAPSHOT.schema.json");

fn validator() -> jsonschema::Validator {
    let res =
        |s: &str| jsonschema::Resource::from_contents(serde_json::from_str(s).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_resource("http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json", res(SPDX))
        .with_resource("http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json", res(JSF))
        .build(&serde_json::from_str(BOM).unwrap())
        .expect("the CycloneDX schema compiles")
}

#[test]
fn ml_bom_validates_for_weak_and_strong_deployments() {
    let v = validator();
    let d = tempfile::tempdir().unwrap();
    for (name, (cfg, ev)) in [
        ("strong", common::strong(&d.path().join("s"))),
        ("weak", common::weak(&d.path().join("w"))),
    ] {
        let doc: Value =
            serde_json::from_str(&render(&common::report(&cfg, &ev), Format::CycloneDx).unwrap())
                .unwrap();
        let errs: Vec<String> =
            v.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path)).take(20).collect();
        assert!(errs.is_empty(), "{name}: {errs:#?}");
        assert_eq!(doc["specVersion"], "1.6");
        let models: Vec<&Value> = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["type"] == "machine-learning-model")
            .collect();
        assert_eq!(models.len(), cfg.models.len());
        assert_eq!(doc["services"].as_array().unwrap().len(), cfg.upstreams.len());
    }
    // The validator is live.
    let bad = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "robot", "name": "x"}]});
    assert!(!v.is_valid(&bad));
}

#[test]
fn strong_bom_names_owners_purposes_and_use() {
    let d = tempfile::tempdir().unwrap();
    let (cfg, ev) = common::strong(d.path());
    let doc: Value =
        serde_json::from_str(&render(&common::report(&cfg, &ev), Format::CycloneDx).unwrap())
            .unwrap();
    let m = &doc["components"][0];
    assert_eq!(m["name"], "gpt-4o-mini");
    assert_eq!(m["supplier"]["name"], "api.openai.com");
    assert_eq!(
        m["modelCard"]["considerations"]["useCases"],
        serde_json::json!(["patient_support", "scheduling"])
    );
    let props = m["properties"].to_string();
    assert!(props.contains("patient-access,web-team") && props.contains("\"500\""), "{props}");
    assert_eq!(doc["services"][0]["endpoints"][0], "https://api.openai.com/v1");
}
