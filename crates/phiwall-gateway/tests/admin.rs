//! The admin read API: authentication with the dedicated admin secret, off without one,
//! loopback-only, data from the supplied SecurityView, every request an event.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::Request;
use phiwall_gateway::{BuildOptions, Gateway, RawConfig};
use phiwall_watch::{
    Detection, DetectionKind, Evidence, MemorySecurityView, MemorySink, Principal, PrincipalKind,
    Severity,
};
use std::sync::Arc;
use tokio::task::JoinSet;
use tower::ServiceExt;

const SECRET: &str = "admin-test-secret-0123456789abcdef0123";

fn config(dir: &std::path::Path, admin: &str) -> RawConfig {
    RawConfig::from_toml(&format!(
        r#"
data_dir = "{d}"
[server]
listen = "127.0.0.1:0"
metrics_listen = "off"
{admin}
[upstreams.sim]
kind = "simulated"
[models.phiwall-sim]
upstream = "sim"
[apps.clinic]
models = ["phiwall-sim"]
"#,
        d = dir.display()
    ))
    .unwrap()
}

fn detection(time: i64) -> Detection {
    Detection {
        id: format!("d{time}"),
        time,
        kind: DetectionKind::CredentialStuffing,
        severity: Severity::High,
        principal: Principal::new(PrincipalKind::SourceIp, "127.0.0.1"),
        related: vec![],
        patient_refs: vec![],
        evidence: Evidence {
            window_secs: 60,
            observed: 12.0,
            baseline: 0.0,
            threshold: 10.0,
            measure: "authentication failures in 60 s".into(),
        },
        techniques: vec!["T1110.004".into()],
        request_ids: vec![],
    }
}

struct Served {
    base: String,
    events: MemorySink,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
    _tasks: JoinSet<()>,
}

async fn serve(admin_toml: &str, view: Option<Arc<MemorySecurityView>>) -> Served {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("admin.key"), SECRET).unwrap();
    let admin_toml = admin_toml.replace("DIR", &dir.path().display().to_string());
    let cfg = config(dir.path(), &admin_toml).validate().unwrap();
    let events = MemorySink::default();
    let gw = Gateway::build(
        cfg,
        BuildOptions {
            sinks: vec![Box::new(events.clone())],
            security_view: view.map(|v| v as Arc<dyn phiwall_watch::SecurityView>),
            ..Default::default()
        },
    )
    .unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tasks = JoinSet::new();
    tasks.spawn(async move {
        gw.serve(l, None, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Served { base, events, _dir: dir, _stop: tx, _tasks: tasks }
}

async fn get(base: &str, path: &str, bearer: Option<&str>) -> (u16, serde_json::Value) {
    let mut r = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(b) = bearer {
        r = r.bearer_auth(b);
    }
    let resp = r.send().await.unwrap();
    let s = resp.status().as_u16();
    let b = resp.bytes().await.unwrap();
    (s, serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn admin_api_requires_the_admin_secret() {
    let view = Arc::new(MemorySecurityView::default());
    view.record(detection(1_000));
    view.record(detection(5_000));
    let s = serve("[admin]\nkey = \"file:DIR/admin.key\"", Some(view)).await;
    let (st, body) = get(&s.base, "/phiwall/v1/admin/detections", None).await;
    assert_eq!(st, 401);
    assert_eq!(body["error"]["code"], "invalid_admin_key");
    assert_eq!(get(&s.base, "/phiwall/v1/admin/incidents", Some("wrong")).await.0, 401);
    let (st, body) = get(&s.base, "/phiwall/v1/admin/detections?since_ms=2000", Some(SECRET)).await;
    assert_eq!(st, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["kind"], "credential_stuffing");
    assert_eq!(get(&s.base, "/phiwall/v1/admin/detections?since_ms=x", Some(SECRET)).await.0, 400);
    let (st, body) = get(&s.base, "/phiwall/v1/admin/status", Some(SECRET)).await;
    assert_eq!(st, 200);
    assert_eq!(body["capabilities"]["has_incidents"], false);
    assert!(body["now_ms"].as_i64().unwrap() > 0);
    let (st, body) = get(&s.base, "/phiwall/v1/admin/containment", Some(SECRET)).await;
    assert_eq!(st, 200);
    assert_eq!(body["contained"].as_array().unwrap().len(), 0);
    // The admin secret is not a data-plane credential.
    let r = reqwest::Client::new()
        .post(format!("{}/v1/chat/completions", s.base))
        .bearer_auth(SECRET)
        .header("content-type", "application/json")
        .body(r#"{"model":"phiwall-sim","messages":[{"role":"user","content":"hi"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Every admin request is an event; refusals say why; the secret is in none of them.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let evs = s.events.events();
    let admin: Vec<_> = evs.iter().filter(|e| e.endpoint.starts_with("admin.")).collect();
    assert_eq!(admin.len(), 6);
    assert!(admin.iter().any(|e| e.reason == Some("auth.admin") && e.status == 401));
    let all = serde_json::to_string(&evs).unwrap();
    assert!(!all.contains(SECRET));
}

#[tokio::test]
async fn admin_api_is_off_without_a_key() {
    let s = serve("", None).await;
    assert_eq!(get(&s.base, "/phiwall/v1/admin/detections", Some(SECRET)).await.0, 404);
}

#[test]
fn short_or_missing_admin_secrets_stop_the_build() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("short.key"), "too-short").unwrap();
    let cfg =
        config(dir.path(), &format!("[admin]\nkey = \"file:{}/short.key\"", dir.path().display()))
            .validate()
            .unwrap();
    let e = Gateway::build(cfg, BuildOptions::default()).unwrap_err().to_string();
    assert!(e.contains("admin.key") && e.contains("32"), "{e}");
    assert!(!e.contains("too-short"));
    let cfg = config(dir.path(), "[admin]\nkey = \"env:PHIWALL_TEST_UNSET_ADMIN_VAR\"")
        .validate()
        .unwrap();
    let e = Gateway::build(cfg, BuildOptions::default()).unwrap_err().to_string();
    assert!(e.contains("PHIWALL_TEST_UNSET_ADMIN_VAR"), "{e}");
    let bad = config(dir.path(), "[admin]\nkey = \"inline-secret-value\"")
        .validate()
        .unwrap_err()
        .to_string();
    assert!(bad.contains("admin.key") && !bad.contains("inline-secret-value"), "{bad}");
}

#[tokio::test]
async fn loopback_only_refuses_requests_without_a_loopback_peer() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("admin.key"), SECRET).unwrap();
    let cfg =
        config(dir.path(), &format!("[admin]\nkey = \"file:{}/admin.key\"", dir.path().display()))
            .validate()
            .unwrap();
    let gw = Gateway::build(cfg, BuildOptions::default()).unwrap();
    // A request without a peer address (as from a non-loopback or unknown peer) is refused.
    let req = Request::get("/phiwall/v1/admin/detections")
        .header("authorization", format!("Bearer {SECRET}"))
        .body(Body::empty())
        .unwrap();
    let r = gw.router().oneshot(req).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let peer = std::net::SocketAddr::from(([10, 1, 2, 3], 5555));
    let mut req = Request::get("/phiwall/v1/admin/detections")
        .header("authorization", format!("Bearer {SECRET}"))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut().insert(phiwall_gateway::server::ClientAddr(peer));
    assert_eq!(gw.router().oneshot(req).await.unwrap().status().as_u16(), 403);
}
