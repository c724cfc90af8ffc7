//! Issue 5 end to end with the official `openai` Python client (`identity_openai.py`): a stub
//! model answers with PHI of synthetic directory patients; unverified sessions get it redacted,
//! a session verified for P gets P's data and never Q's, a representative gets the patient's
//! data, and DOB guessing is locked out from one session and spread over many, plain and
//! streaming. Python comes from PHIWALL_PYTHON (CI's venv) or `python3`; the test skips with a
//! printed reason when it or the package is missing, unless PHIWALL_REQUIRE_EXTERNAL=1.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod identity_fixture;

use identity_fixture::{us_date, IdGateway};
use serde_json::json;
use std::process::Command;

fn python() -> String {
    std::env::var("PHIWALL_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn openai_available() -> Result<(), String> {
    match Command::new(python()).args(["-c", "import openai"]).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(_) => Err(format!(
            "the `openai` Python package is not installed for {} (pip install openai)",
            python()
        )),
        Err(e) => Err(format!("{} is not available: {e}", python())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_client_sees_only_verified_patients() {
    if let Err(reason) = openai_available() {
        if std::env::var("PHIWALL_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("PHIWALL_REQUIRE_EXTERNAL=1 but {reason}");
        }
        eprintln!("skipped: {reason}");
        return;
    }
    let g = IdGateway::start().await;
    let ids = g.distinct_patients();
    let (r, rep_name) = g.representative();
    let others: Vec<usize> = ids.iter().copied().filter(|i| *i != r).take(4).collect();
    let (p, q, t, u) = (others[0], others[1], others[2], others[3]);
    let entry = |i: usize| {
        let pp = &g.pop.patients[i];
        let wrong: Vec<String> = (1..=8)
            .map(|k| {
                format!(
                    "{:02}/{:02}/{}",
                    pp.birth.month,
                    (pp.birth.day % 28) + 1,
                    pp.birth.year - k
                )
            })
            .collect();
        json!({"index": i, "claims": g.facts(i),
            "values": [pp.family, us_date(pp), pp.phone, pp.mrn], "wrong_dobs": wrong})
    };
    let mut rep = entry(r);
    rep["claims"]["representative_name"] = json!(rep_name);
    let facts = json!({"p": entry(p), "q": entry(q), "r": rep, "t": entry(t), "u": entry(u),
        "limits": {"session_max": 3, "patient_max": 5}});
    let facts_path = g.dir.path().join("facts.json");
    std::fs::write(&facts_path, facts.to_string()).unwrap();

    let base = format!("http://{}/v1", g.addr);
    let key = g.phone_key.clone();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/identity_openai.py");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(script)
            .env("PHIWALL_BASE_URL", base)
            .env("PHIWALL_API_KEY", key)
            .env("PHIWALL_FACTS", facts_path)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "identity client script failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("checks passed"), "{stdout}");

    let (_, events) = g.stop().await;
    let evs = events.events();
    let has = |k: &str| evs.iter().any(|e| e.findings.get(k).copied().unwrap_or(0) > 0);
    for k in [
        "identity.verified",
        "identity.verify_failed",
        "identity.lockout",
        "output.disclosure_prevented",
        "output.cross_patient_leak",
    ] {
        assert!(has(k), "no event counted {k}");
    }
}
