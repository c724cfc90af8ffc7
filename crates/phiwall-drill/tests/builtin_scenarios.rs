//! Every built-in scenario against a real gateway on a loopback port (simulated upstream, the
//! real injection detector), with the stand-in detector (`phiwall_drill::standin`) feeding the
//! admin API from the gateway's event stream, standing in for the anomaly engine and incident
//! response until those are wired.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

use phiwall_drill::scorecard::ControlStatus;
use phiwall_drill::standin::StandinView;
use phiwall_drill::{builtin, DrillOptions, Scorecard, Target, Verdict};
use phiwall_gateway::{BuildOptions, Gateway, RawConfig};
use phiwall_store::{KeyStore, SqliteKeyStore};
use std::sync::Arc;
use tokio::task::JoinSet;

const ADMIN_SECRET: &str = "drill-test-admin-secret-0123456789abcdef";

struct Running {
    addr: std::net::SocketAddr,
    key: String,
    dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    tasks: JoinSet<()>,
}

impl Running {
    async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(15), self.tasks.join_next()).await;
        self.dir
    }
}

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("admin.key");
    std::fs::write(&secret, ADMIN_SECRET).unwrap();
    let text = format!(
        r#"
data_dir = "{d}"
[server]
listen = "127.0.0.1:0"
metrics_listen = "off"
[admin]
key = "file:{s}"
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
        d = dir.path().display(),
        s = secret.display()
    );
    let cfg = RawConfig::from_toml(&text).unwrap().validate().unwrap();
    let store: Arc<dyn KeyStore> = Arc::new(SqliteKeyStore::open(dir.path()).unwrap());
    let view = StandinView::new(Some(store.clone()));
    let gw = Gateway::build(
        cfg,
        BuildOptions {
            key_store: Some(store.clone()),
            sinks: vec![Box::new(phiwall_watch::EventsOnly(Box::new(view.sink())))],
            security_view: Some(view.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
        as i64;
    let key = phiwall_store::keys::create(store.as_ref(), "clinic", "drill", None, now)
        .unwrap()
        .reveal()
        .to_string();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tasks = JoinSet::new();
    tasks.spawn(async move {
        gw.serve(l, None, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Running { addr, key, dir, shutdown: Some(tx), tasks }
}

async fn drill(name: &str) -> (Scorecard, tempfile::TempDir) {
    let g = start().await;
    let target = Target::parse(&format!("http://{}", g.addr), &[]).unwrap();
    let mut opts = DrillOptions::new(target);
    opts.key = Some(g.key.clone());
    opts.admin_key = Some(ADMIN_SECRET.to_string());
    let scenario = builtin::get(name).unwrap();
    let card = phiwall_drill::run(&scenario, &opts).await.unwrap();
    let path = phiwall_drill::write_scorecard(g.dir.path(), &card).unwrap();
    eprintln!("{name}: {}", serde_json::to_string_pretty(&card).unwrap());
    assert!(path.starts_with(g.dir.path().join("drills")));
    let dir = g.stop().await;
    (card, dir)
}

fn status(card: &Scorecard, control: &str) -> ControlStatus {
    card.controls
        .iter()
        .find(|c| c.control == control)
        .unwrap_or_else(|| panic!("no control {control}"))
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompt_injection_campaign_scores_what_the_standin_can_do() {
    let (card, _d) = drill("prompt-injection-campaign").await;
    // The stand-in contains keys only: the advisory key control passes (the key is refused),
    // the session control is skipped, so the verdict is incomplete, never passed. The real
    // pipeline passes this scenario (crates/phiwall/tests/drill_wired.rs).
    assert_eq!(status(&card, "campaign detected"), ControlStatus::Passed, "{:#?}", card.controls);
    assert_eq!(status(&card, "incident opened"), ControlStatus::Passed);
    let key = card.controls.iter().find(|c| c.control == "key contained").unwrap();
    assert_eq!(key.status, ControlStatus::Passed);
    assert!(key.ttc_ms.unwrap() < 10_000);
    assert!(key.reason.contains("refused (401)"), "{}", key.reason);
    assert_eq!(status(&card, "session contained"), ControlStatus::Skipped);
    assert_eq!(card.verdict, Verdict::Incomplete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indirect_injection_document_passes() {
    let (card, _d) = drill("indirect-injection-document").await;
    assert_eq!(card.verdict, Verdict::Passed, "{:#?}", card.controls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_phi_exfiltration_passes_and_leaks_nothing() {
    let (card, dir) = drill("bulk-phi-exfiltration").await;
    assert_eq!(card.verdict, Verdict::Passed, "{:#?}", card.controls);
    // Canary: the synthetic patients the attack named appear in no scorecard, detection or
    // event file.
    let pop = phiwall_identity::synth::population(60, 1).patients;
    let mut files = String::new();
    for entry in std::fs::read_dir(dir.path().join("drills")).unwrap() {
        files.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    files.push_str(&std::fs::read_to_string(dir.path().join("events.jsonl")).unwrap_or_default());
    for p in &pop {
        for v in [&p.family, &p.mrn, &p.phone, &p.birth.iso()] {
            assert!(!files.contains(v.as_str()), "synthetic PHI value leaked into drill output");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_stuffing_keys_scores_what_the_standin_can_do() {
    let (card, _d) = drill("credential-stuffing-keys").await;
    assert_eq!(status(&card, "unknown keys refused"), ControlStatus::Passed);
    assert_eq!(status(&card, "stuffing detected"), ControlStatus::Passed);
    assert_eq!(status(&card, "incident opened"), ControlStatus::Passed);
    // The stand-in can only contain keys; blocking a source needs phiwall-respond.
    assert_eq!(status(&card, "source blocked"), ControlStatus::Skipped);
    assert_eq!(card.verdict, Verdict::Incomplete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_stuffing_verification_scores_what_the_standin_can_do() {
    let (card, _d) = drill("credential-stuffing-verification").await;
    assert_eq!(card.requests.sent, 30);
    assert_eq!(status(&card, "guesses refused"), ControlStatus::Passed);
    assert_eq!(status(&card, "guessing detected"), ControlStatus::Passed);
    assert_eq!(status(&card, "incident opened"), ControlStatus::Passed);
    // Blocking the guessing caller needs phiwall-respond (the stand-in contains keys only).
    assert_eq!(status(&card, "guessing caller blocked"), ControlStatus::Skipped);
    assert_eq!(status(&card, "gateway healthy"), ControlStatus::Passed);
    assert_eq!(card.verdict, Verdict::Incomplete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn social_engineering_caller_passes() {
    let (card, _d) = drill("social-engineering-caller").await;
    assert_eq!(card.requests.sent, 8);
    // Flagged by caller verification's social-engineering signal (identity.social_engineering),
    // turned into a detection by the stand-in. The simulated model knows no chart, so the
    // no-leak control only shows that nothing the caller did not bring came back.
    assert_eq!(card.verdict, Verdict::Passed, "{:#?}", card.controls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_exhaustion_flood_passes() {
    let (card, _d) = drill("resource-exhaustion-flood").await;
    assert_eq!(card.verdict, Verdict::Passed, "{:#?}", card.controls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_admin_key_is_a_clear_error() {
    let g = start().await;
    let target = Target::parse(&format!("http://{}", g.addr), &[]).unwrap();
    let mut opts = DrillOptions::new(target);
    opts.key = Some(g.key.clone());
    opts.admin_key = Some("not-the-admin-secret-but-long-enough-0000".into());
    let e = phiwall_drill::run(&builtin::get("prompt-injection-campaign").unwrap(), &opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("401"), "{e}");
    // Without a key for primary steps the run refuses before sending anything.
    opts.key = None;
    let e = phiwall_drill::run(&builtin::get("prompt-injection-campaign").unwrap(), &opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("--key"), "{e}");
    g.stop().await;
}
