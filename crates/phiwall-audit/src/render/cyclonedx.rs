//! CycloneDX 1.6 ML-BOM of the AI inventory (OWASP LLM03 supply-chain reviews): each model
//! name clients may use is a `machine-learning-model` component with its serving host as
//! supplier, the apps, owners and purposes that use it, and its observed use; each upstream is
//! a service with its endpoint; dependencies tie models to upstreams and the gateway to both.

use super::stable_uuid;
use crate::report::AuditReport;
use serde_json::{json, Value};

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": format!("phiwall:{name}"), "value": value })
}

/// Render the BOM.
pub fn render(r: &AuditReport) -> Value {
    let inv = &r.inventory;
    let serial = stable_uuid(&["phiwall-ml-bom", &r.generated_at, &r.config_path]);
    let gateway_ref = "phiwall-gateway";
    let mut components = Vec::new();
    let mut deps = Vec::new();
    for m in &inv.models {
        let bom_ref = format!("model:{}", m.name);
        let mut props = vec![
            prop("upstream", &m.upstream),
            prop("upstream_model", &m.upstream_model),
            prop("apps", &m.apps.join(",")),
            prop("owners", &m.owners.join(",")),
        ];
        match m.used {
            Some(s) => {
                props.push(prop("requests_seen", &s.count.to_string()));
                if s.count > 0 {
                    props.push(prop("last_used", &crate::time::rfc3339_ms(s.last_ms)));
                }
            }
            None => props.push(prop("requests_seen", "unknown")),
        }
        let mut c = json!({
            "type": "machine-learning-model",
            "bom-ref": bom_ref,
            "name": m.name,
            "description": format!("model name routed by phiwall to upstream {} as {}", m.upstream, m.upstream_model),
            "properties": props,
            "modelCard": {
                "considerations": {
                    "useCases": if m.purposes.is_empty() { vec!["undeclared".to_string()] } else { m.purposes.clone() },
                    "users": m.apps,
                }
            },
        });
        if !m.host.is_empty() {
            c["supplier"] = json!({ "name": m.host });
        }
        components.push(c);
        deps.push(json!({ "ref": bom_ref, "dependsOn": [format!("upstream:{}", m.upstream)] }));
    }
    let services: Vec<Value> = inv
        .upstreams
        .iter()
        .map(|u| {
            let mut s = json!({
                "bom-ref": format!("upstream:{}", u.name),
                "name": u.name,
                "description": if u.kind == "simulated" { "phiwall's built-in simulated model (no network)".to_string() } else { format!("OpenAI-compatible model server ({})", u.kind) },
                "authenticated": u.is_authenticated,
                "x-trust-boundary": u.kind != "simulated",
                "data": [{ "flow": "bi-directional", "classification": "prompts and completions after phiwall's PHI policy" }],
                "properties": [prop("kind", &u.kind), prop("models", &u.models.join(","))],
            });
            if !u.endpoint.is_empty() {
                s["endpoints"] = json!([u.endpoint]);
            }
            s
        })
        .collect();
    let mut gw_deps: Vec<String> = inv.models.iter().map(|m| format!("model:{}", m.name)).collect();
    gw_deps.extend(inv.upstreams.iter().map(|u| format!("upstream:{}", u.name)));
    deps.push(json!({ "ref": gateway_ref, "dependsOn": gw_deps }));
    for u in &inv.upstreams {
        deps.push(json!({ "ref": format!("upstream:{}", u.name), "dependsOn": [] }));
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "metadata": {
            "timestamp": r.generated_at,
            "tools": { "components": [{ "type": "application", "name": "phiwall", "version": r.phiwall_version }] },
            "component": {
                "type": "application",
                "bom-ref": gateway_ref,
                "name": "phiwall gateway",
                "version": r.phiwall_version,
                "description": format!("AI gateway deployment configured by {}", r.config_path),
            },
        },
        "components": components,
        "services": services,
        "dependencies": deps,
    })
}
