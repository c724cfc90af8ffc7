//! Built-in drills against a gateway wired to the real pipeline: the anomaly engine (as an
//! event sink) feeding `phiwall-respond`'s responder (default playbooks, containment enforced
//! by the gateway), read back through `phiwall::respond_view::RespondView`. No stand-in.
//!
//! The engine starts without a learned baseline, so what it detects here is what it detects on
//! a cold start; the scorecards are printed for the record and the assertions are about the
//! plumbing (the drill runs, the admin API answers, nothing is skipped for lack of wiring).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

use phiwall::respond_view::RespondView;
use phiwall_drill::scorecard::ControlStatus;
use phiwall_drill::{builtin, DrillOptions, Scorecard, Target};
use phiwall_gateway::{BuildOptions, Gateway, RawConfig};
use phiwall_respond::{DetectionSender, PlaybookSet, Responder, ResponderThread};
use phiwall_store::{KeyStore, SqliteKeyStore};
use phiwall_watch::anomaly::sink::AnomalySink;
use phiwall_watch::anomaly::{AnomalyConfig, AnomalyEngine};
use std::sync::{Arc, OnceLock};

const ADMIN: &str = "wired-drill-admin-secret-0123456789abcdef";

async fn drill(name: &str) -> Scorecard {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("admin.key"), ADMIN).unwrap();
    let text = format!(
        r#"
data_dir = "{d}"
[server]
listen = "127.0.0.1:0"
metrics_listen = "off"
[admin]
key = "file:{d}/admin.key"
[upstreams.sim]
kind = "simulated"
[models.phiwall-sim]
upstream = "sim"
[apps.clinic]
models = ["phiwall-sim"]
[apps.clinic.phi]
default = "mask"
NAME = "tokenize"
DATE = "tokenize"
SSN = "block"
[identity]
demo_synthetic_patients = 60
[identity.apps.clinic]
mode = "caller"
"#,
        d = dir.path().display()
    );
    let cfg = RawConfig::from_toml(&text).unwrap().validate().unwrap();
    let store: Arc<dyn KeyStore> = Arc::new(SqliteKeyStore::open(dir.path()).unwrap());
    let view = Arc::new(RespondView::open(dir.path()).unwrap());
    let sender: Arc<OnceLock<DetectionSender>> = Arc::new(OnceLock::new());
    let (v2, s2) = (view.clone(), sender.clone());
    let sink = AnomalySink::new(
        AnomalyEngine::new(AnomalyConfig::default()).unwrap(),
        Box::new(move |d| {
            v2.record(d.clone());
            if let Some(s) = s2.get() {
                s.send(d);
            }
        }),
    );
    let gw = Gateway::build(
        cfg.clone(),
        BuildOptions {
            key_store: Some(store.clone()),
            sinks: vec![Box::new(sink)],
            security_view: Some(view.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let c = gw.containment();
    let mut r = Responder::open(
        dir.path(),
        PlaybookSet::load_dir(None, false).unwrap(),
        Arc::new(phiwall_respond::SystemClock),
    )
    .unwrap()
    .on_containment_change(Arc::new(move || c.refresh_now()));
    if let Some(ap) = gw.audit_appender() {
        r = r.with_ledger(ap);
    }
    let responder = ResponderThread::start(r, 65_536).unwrap();
    let _ = sender.set(responder.sender());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
        as i64;
    let key = phiwall_store::keys::create(store.as_ref(), "clinic", "drill", None, now).unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(async move {
        gw.serve(l, None, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    let mut opts = DrillOptions::new(Target::parse(&format!("http://{addr}"), &[]).unwrap());
    opts.key = Some(key.reveal().to_string());
    opts.admin_key = Some(ADMIN.to_string());
    let card = phiwall_drill::run(&builtin::get(name).unwrap(), &opts).await.unwrap();
    eprintln!("WIRED {name}: {}", serde_json::to_string(&card).unwrap());
    if card.verdict != phiwall_drill::Verdict::Passed {
        // What the pipeline did, for the failure message (keyed references only, no PHI).
        use phiwall_watch::security_view::SecurityView;
        for d in view.detections_since(0) {
            eprintln!("  detection {} {:?} related {:?}", d.kind.as_str(), d.principal, d.related);
        }
        for i in view.incidents() {
            eprintln!("  incident {} {} {:?}", i.id, i.state, i.principals);
        }
        eprintln!("  containment {:?}", view.containment());
    }
    let _ = tx.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(15), tasks.join_next()).await;
    // The responder thread ends when every sender is gone (the sink's went with the bus).
    drop(sender);
    responder.shutdown();
    card
}

fn assert_wired(card: &Scorecard) {
    for c in &card.controls {
        assert!(
            !(c.status == ControlStatus::Skipped && c.reason.contains("not wired")),
            "{}: skipped for lack of wiring: {}",
            c.control,
            c.reason
        );
    }
    assert!(card
        .controls
        .iter()
        .any(|c| c.check == "healthy" && c.status == ControlStatus::Passed));
}

/// Runs one built-in scenario against the wired gateway and requires a passed scorecard.
async fn passes(name: &str) {
    let card = drill(name).await;
    assert_wired(&card);
    assert_eq!(card.verdict, phiwall_drill::Verdict::Passed, "{name}: {:#?}", card.controls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wired_prompt_injection_campaign() {
    passes("prompt-injection-campaign").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wired_indirect_injection_document() {
    passes("indirect-injection-document").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wired_bulk_phi_exfiltration() {
    passes("bulk-phi-exfiltration").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wired_credential_stuffing_keys() {
    passes("credential-stuffing-keys").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wired_credential_stuffing_verification() {
    passes("credential-stuffing-verification").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wired_social_engineering_caller() {
    passes("social-engineering-caller").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wired_resource_exhaustion_flood() {
    passes("resource-exhaustion-flood").await;
}

#[test]
fn every_builtin_scenario_has_a_wired_test() {
    let src = include_str!("drill_wired.rs");
    for (name, _) in builtin::BUILTIN {
        assert!(src.contains(&format!("passes(\"{name}\")")), "no wired test for {name}");
    }
}
