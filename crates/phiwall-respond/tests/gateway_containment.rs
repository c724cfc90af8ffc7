//! End to end with an in-process gateway (issue 8 "Done means"): a detection contains the key
//! within 1 s, the key stays refused across a gateway restart, recovery lifts it; safe mode
//! stops PHI release; a CLI-style change from another store handle reaches the gateway by
//! polling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use phiwall_gateway::{BuildOptions, Gateway, RawConfig};
use phiwall_respond::{PlaybookSet, Responder, ResponderThread, Status, SystemClock};
use phiwall_store::{ContainmentKind, ContainmentStore, SqliteContainmentStore};
use phiwall_watch::{Detection, DetectionKind, Evidence, Principal, PrincipalKind, Severity};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn gateway(dir: &Path) -> Gateway {
    let mut raw = RawConfig::builtin_default();
    raw.data_dir = Some(dir.display().to_string());
    Gateway::build(raw.validate().unwrap(), BuildOptions::default()).unwrap()
}

fn responder(dir: &Path, gw: &Gateway) -> Responder {
    let c = gw.containment();
    Responder::open(dir, PlaybookSet::default_set().unwrap(), Arc::new(SystemClock))
        .unwrap()
        .with_ledger(gw.audit_appender().unwrap())
        .with_evidence(dir.join("ledger"), dir.join("evidence"))
        .on_containment_change(Arc::new(move || c.refresh_now()))
}

async fn chat(gw: &Gateway, key: &str, text: &str) -> (u16, Value) {
    let body = serde_json::json!({"model": "phiwall-sim", "messages": [{"role": "user", "content": text}]});
    let req = Request::post("/v1/chat/completions")
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .header("x-session-id", "sess-e2e")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = gw.router().oneshot(req).await.unwrap();
    let status = r.status().as_u16();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn now_ms() -> i64 {
    phiwall_respond::Clock::now_ms(&SystemClock)
}

fn detection(prefix: &str) -> Detection {
    Detection {
        id: "det-e2e-1".into(),
        time: now_ms(),
        kind: DetectionKind::BulkPatientAccess,
        severity: Severity::High,
        principal: Principal::new(PrincipalKind::Key, prefix),
        related: vec![Principal::new(PrincipalKind::App, "dev")],
        patient_refs: vec!["0f0f0f0f0f0f0f0f".into(), "1e1e1e1e1e1e1e1e".into()],
        evidence: Evidence {
            window_secs: 60,
            observed: 120.0,
            baseline: 3.0,
            threshold: 30.0,
            measure: "distinct patients in 60 s".into(),
        },
        techniques: vec!["T1530".into()],
        request_ids: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detection_contains_key_within_1s_survives_restart_and_recovery_lifts_it() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway(dir.path());
    let key =
        phiwall_store::keys::create(gw.key_store().as_ref(), "dev", "e2e", None, now_ms() / 1000)
            .unwrap();
    let prefix = key.record.prefix.clone();
    let (s, _) = chat(&gw, key.reveal(), "Can I book a visit?").await;
    assert_eq!(s, 200);

    let thread = ResponderThread::start(responder(dir.path(), &gw), 1024).unwrap();
    let sender = thread.sender();
    let started = Instant::now();
    assert!(sender.send(detection(&prefix)));
    let (status, body) = loop {
        let (s, b) = chat(&gw, key.reveal(), "Can I book a visit?").await;
        if s != 200 || started.elapsed() > Duration::from_secs(3) {
            break (s, b);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let took = started.elapsed();
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "principal_contained");
    assert!(took < Duration::from_secs(1), "containment took {took:?}");
    eprintln!("detection to refused request: {took:?}");
    // Another key of the same app still works (the app was not suspended automatically).
    let other =
        phiwall_store::keys::create(gw.key_store().as_ref(), "dev", "ok", None, now_ms() / 1000)
            .unwrap();
    assert_eq!(chat(&gw, other.reveal(), "hello").await.0, 200);
    drop(sender);
    thread.shutdown();

    // Restart: a new gateway on the same data directory still refuses the key.
    drop(gw);
    let gw = gateway(dir.path());
    let (s, b) = chat(&gw, key.reveal(), "Can I book a visit?").await;
    assert_eq!(s, 403, "{b}");

    // Recovery lifts it at once (in-process hook).
    let r = responder(dir.path(), &gw);
    let inc = r.list().unwrap().into_iter().next().unwrap();
    assert_eq!(inc.status, Status::Contained);
    assert!(inc.time_to_contain_ms().unwrap() < 1_000);
    r.recover(&inc.id, "oncall").unwrap();
    assert_eq!(chat(&gw, key.reveal(), "Can I book a visit?").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_change_from_another_handle_takes_effect_by_polling_and_safe_mode_masks_output() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway(dir.path());
    let key =
        phiwall_store::keys::create(gw.key_store().as_ref(), "dev", "e2e", None, now_ms() / 1000)
            .unwrap();
    let text = "My name is Maria Gonzalez, please repeat it.";
    let (s, b) = chat(&gw, key.reveal(), text).await;
    assert_eq!(s, 200);
    assert!(b.to_string().contains("Maria Gonzalez"), "restored in normal mode: {b}");

    // As `phiwall incidents contain --safe-mode` would, through its own store handle.
    let other = SqliteContainmentStore::open(dir.path()).unwrap();
    other.apply(ContainmentKind::SafeMode, "", "INC-000009", "manual", now_ms(), None).unwrap();
    let started = Instant::now();
    loop {
        let (s, b) = chat(&gw, key.reveal(), text).await;
        assert_eq!(s, 200);
        if !b.to_string().contains("Maria Gonzalez") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(1), "safe mode not applied in 1 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("cross-process change took effect after {:?}", started.elapsed());
    other
        .apply(
            ContainmentKind::QuarantineSession,
            "sess-e2e",
            "INC-000009",
            "manual",
            now_ms(),
            None,
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (s, b) = chat(&gw, key.reveal(), "hello").await;
    assert_eq!(s, 403);
    assert_eq!(b["error"]["code"], "principal_contained");
}
