//! Correlation, lifecycle, ledger and report tests (issue 8 "Done means").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use phiwall_ledger::{Appender, FsyncPolicy, KeyProvider, LedgerConfig, StaticKeyProvider};
use phiwall_respond::record::{kind, IncidentRecord};
use phiwall_respond::{ActionStatus, Lessons, ManualClock, PlaybookSet, Responder, Status};
use phiwall_store::ContainmentKind;
use phiwall_watch::{Detection, DetectionKind, Evidence, Principal, PrincipalKind, Severity};
use std::sync::Arc;

const T0: i64 = 1_790_000_000_000;

fn det(
    id: usize,
    kind: DetectionKind,
    sev: Severity,
    key: &str,
    session: &str,
    ip: &str,
    t: i64,
) -> Detection {
    Detection {
        id: format!("det-{id}"),
        time: t,
        kind,
        severity: sev,
        principal: Principal::new(PrincipalKind::Key, key),
        related: vec![
            Principal::new(PrincipalKind::Session, session),
            Principal::new(PrincipalKind::SourceIp, ip),
            Principal::new(PrincipalKind::App, "scheduling"),
        ],
        patient_refs: (0..3).map(|p| format!("{:016x}", (id % 40) * 7 + p)).collect(),
        evidence: Evidence {
            window_secs: 60,
            observed: 40.0,
            baseline: 2.0,
            threshold: 20.0,
            measure: "distinct patients in 60 s".into(),
        },
        techniques: vec!["T1530".into()],
        request_ids: vec![format!("req_{id:08x}")],
    }
}

struct Env {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    clock: Arc<ManualClock>,
    provider: Arc<StaticKeyProvider>,
    appender: Arc<Appender>,
    responder: Responder,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let clock = Arc::new(ManualClock::new(T0));
    let provider = Arc::new(StaticKeyProvider::generate().unwrap());
    let mut lc = LedgerConfig::new(data.join("ledger"));
    lc.fsync = FsyncPolicy::Never;
    let appender = Arc::new(
        Appender::open(lc, provider.clone(), Arc::new(phiwall_ledger::SystemClock)).unwrap(),
    );
    let responder = Responder::open(&data, PlaybookSet::default_set().unwrap(), clock.clone())
        .unwrap()
        .with_ledger(appender.clone())
        .with_evidence(data.join("ledger"), data.join("evidence"));
    Env { _dir: dir, data, clock, provider, appender, responder }
}

#[test]
fn burst_of_10000_detections_from_one_attacker_is_one_incident() {
    let e = env();
    let dets: Vec<Detection> = (0..10_000)
        .map(|i| {
            det(
                i,
                DetectionKind::BulkPatientAccess,
                Severity::High,
                "a1b2c3d4e5f6",
                "sess-1",
                "10.9.8.7",
                T0 + i as i64,
            )
        })
        .collect();
    let started = std::time::Instant::now();
    // Half in one batch, the rest one by one in small batches (as a live detector would).
    e.responder.ingest(&dets[..5_000]).unwrap();
    for chunk in dets[5_000..].chunks(100) {
        e.responder.ingest(chunk).unwrap();
    }
    let took = started.elapsed();
    let all = e.responder.list().unwrap();
    assert_eq!(all.len(), 1, "one incident, not {}", all.len());
    let inc = &all[0];
    assert_eq!(inc.detections, 10_000);
    assert_eq!(inc.signatures.len(), 1);
    assert_eq!(inc.signatures[0].count, 10_000);
    // 40 distinct keyed refs x 3 >= 10 -> high; 10,000 >= detections_raise -> critical.
    assert_eq!(inc.severity, Severity::Critical);
    assert_eq!(inc.status, Status::Contained);
    // A handful of audit records, not 10,000.
    assert!(inc.records < 40, "records {}", inc.records);
    eprintln!("10,000 detections ingested in {took:?} ({} records)", inc.records);

    // A different attacker is a different incident.
    let other = det(
        1,
        DetectionKind::CredentialStuffing,
        Severity::High,
        "ffffffffffff",
        "s2",
        "10.0.0.2",
        T0,
    );
    let mut other = other;
    other.patient_refs.clear();
    e.responder.ingest(&[other]).unwrap();
    assert_eq!(e.responder.list().unwrap().len(), 2);
}

#[test]
fn correlation_by_session_and_window() {
    let e = env();
    let a = det(
        1,
        DetectionKind::PromptInjection,
        Severity::Medium,
        "k1k1k1k1k1k1",
        "sess-x",
        "10.0.0.1",
        T0,
    );
    // Another key in the same session joins the same incident.
    let b = det(
        2,
        DetectionKind::GuardProbing,
        Severity::Medium,
        "k2k2k2k2k2k2",
        "sess-x",
        "10.0.0.3",
        T0 + 1_000,
    );
    e.responder.ingest(std::slice::from_ref(&a)).unwrap();
    e.responder.ingest(&[b]).unwrap();
    assert_eq!(e.responder.list().unwrap().len(), 1);
    // Two hours later, outside the 1 h window: a new incident.
    let mut late = det(
        3,
        DetectionKind::PromptInjection,
        Severity::Medium,
        "k1k1k1k1k1k1",
        "sess-y",
        "10.0.0.9",
        T0 + 2 * 3_600_000,
    );
    late.patient_refs = vec!["feedfeedfeedfeed".into()];
    e.responder.ingest(&[late]).unwrap();
    assert_eq!(e.responder.list().unwrap().len(), 2);
    // Malformed detections are refused, not stored.
    let mut bad = a;
    bad.principal.id = String::new();
    let o = e.responder.ingest(&[bad]).unwrap();
    assert_eq!((o.accepted, o.rejected), (0, 1));
}

#[test]
fn lifecycle_is_enforced_and_recovery_lifts_containment() {
    let e = env();
    let d = det(
        1,
        DetectionKind::BulkPatientAccess,
        Severity::High,
        "abcabcabcabc",
        "sess-m",
        "10.1.1.1",
        T0,
    );
    let o = e.responder.ingest(&[d]).unwrap();
    let id = o.opened[0].clone();
    let inc = e.responder.get(&id).unwrap();
    assert_eq!(inc.status, Status::Contained);
    let active = e.responder.containment().active(e.clock.now()).unwrap();
    assert!(active
        .iter()
        .any(|c| c.kind == ContainmentKind::SuspendKey && c.target == "abcabcabcabc"));
    // Closing a contained incident is refused with the allowed moves.
    let err =
        e.responder.close(&id, "alice", Lessons { summary: "x".into(), ..Lessons::default() });
    let msg = err.unwrap_err().to_string();
    assert!(
        msg.contains("cannot move to closed") && msg.contains("eradicated, recovered"),
        "{msg}"
    );
    e.responder.set_status(&id, Status::Eradicated, "alice").unwrap();
    let inc = e.responder.recover(&id, "alice").unwrap();
    assert_eq!(inc.status, Status::Recovered);
    assert!(e.responder.containment().active(e.clock.now()).unwrap().is_empty());
    assert!(inc
        .actions
        .iter()
        .any(|a| a.action == "suspend_key" && a.status == ActionStatus::Reversed));
    // Lessons are required to close.
    assert!(e.responder.close(&id, "alice", Lessons::default()).is_err());
    let inc = e
        .responder
        .close(&id, "alice", Lessons { summary: "scraper key".into(), ..Lessons::default() })
        .unwrap();
    assert_eq!(inc.status, Status::Closed);
    assert!(e.responder.assign(&id, "bob", "alice").is_err());
}

#[test]
fn an_automatic_rule_runs_an_action_another_rule_left_for_approval() {
    let e = env();
    // Model extraction: the default playbook quarantines the session and leaves the key
    // suspension for a person.
    let x = det(
        1,
        DetectionKind::ModelExtraction,
        Severity::Medium,
        "keykeykey001",
        "s1",
        "10.2.2.2",
        T0,
    );
    let id = e.responder.ingest(&[x]).unwrap().opened[0].clone();
    let inc = e.responder.get(&id).unwrap();
    assert!(inc
        .actions
        .iter()
        .any(|a| a.action == "suspend_key" && a.status == ActionStatus::PendingApproval));
    let keys = |e: &Env| {
        e.responder
            .containment()
            .active(e.clock.now())
            .unwrap()
            .into_iter()
            .filter(|c| c.kind == ContainmentKind::SuspendKey && c.target == "keykeykey001")
            .count()
    };
    assert_eq!(keys(&e), 0);
    // Bulk access by the same key joins the incident; its rule suspends keys automatically.
    e.clock.advance(1_000);
    let b = det(
        2,
        DetectionKind::BulkPatientAccess,
        Severity::High,
        "keykeykey001",
        "s2",
        "10.2.2.2",
        T0 + 1_000,
    );
    let o = e.responder.ingest(&[b]).unwrap();
    assert!(o.opened.is_empty(), "one incident");
    assert_eq!(keys(&e), 1);
    let inc = e.responder.get(&id).unwrap();
    let suspend: Vec<_> = inc.actions.iter().filter(|a| a.action == "suspend_key").collect();
    assert_eq!(suspend.len(), 1, "the pending entry was replaced: {suspend:?}");
    assert_eq!(suspend[0].status, ActionStatus::Applied);
    assert!(suspend[0].is_automatic);
}

#[test]
fn a_rule_contains_only_what_its_own_detections_named() {
    let e = env();
    // Key A pulls charts from a shared egress address; key B, another app behind the same
    // address, later trips model extraction. Source correlation puts both in one incident, but
    // the exfiltration rule's automatic key suspension must not reach key B.
    let a = det(
        1,
        DetectionKind::BulkPatientAccess,
        Severity::High,
        "keyaaaaaaaaa",
        "sa",
        "10.9.9.9",
        T0,
    );
    let id = e.responder.ingest(&[a]).unwrap().opened[0].clone();
    e.clock.advance(1_000);
    let b = det(
        2,
        DetectionKind::ModelExtraction,
        Severity::Medium,
        "keybbbbbbbbb",
        "sb",
        "10.9.9.9",
        T0 + 1_000,
    );
    assert!(e.responder.ingest(&[b]).unwrap().opened.is_empty(), "correlated by source");
    let suspended: Vec<String> = e
        .responder
        .containment()
        .active(e.clock.now())
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == ContainmentKind::SuspendKey)
        .map(|c| c.target)
        .collect();
    assert_eq!(suspended, vec!["keyaaaaaaaaa".to_string()]);
    let inc = e.responder.get(&id).unwrap();
    let b_action = inc
        .actions
        .iter()
        .find(|a| a.action == "suspend_key" && a.target == "keybbbbbbbbb")
        .expect("key B's suspension is proposed");
    assert_eq!(b_action.status, ActionStatus::PendingApproval);
}

#[test]
fn containment_expires_and_is_recorded() {
    let e = env();
    let mut d = det(
        1,
        DetectionKind::CredentialStuffing,
        Severity::High,
        "abcabcabcabc",
        "s",
        "10.7.7.7",
        T0,
    );
    d.principal = Principal::new(PrincipalKind::SourceIp, "10.7.7.7");
    d.related.clear();
    d.patient_refs.clear();
    let id = e.responder.ingest(&[d]).unwrap().opened[0].clone();
    assert_eq!(e.responder.containment().active(T0).unwrap().len(), 1);
    e.clock.advance(3_600_001);
    assert_eq!(e.responder.tick().unwrap(), 1);
    let inc = e.responder.get(&id).unwrap();
    assert!(inc
        .actions
        .iter()
        .any(|a| a.action == "block_source_ip" && a.status == ActionStatus::Expired));
    assert!(e.responder.containment().active(e.clock.now()).unwrap().is_empty());
}

trait Now {
    fn now(&self) -> i64;
}
impl Now for ManualClock {
    fn now(&self) -> i64 {
        phiwall_respond::Clock::now_ms(self)
    }
}

#[test]
fn report_timeline_reproduces_the_records_sent_exactly() {
    let e = env();
    let d1 = det(
        1,
        DetectionKind::PromptInjection,
        Severity::Medium,
        "aaaaaaaaaaaa",
        "sess-r",
        "10.2.2.2",
        T0,
    );
    let id = e.responder.ingest(&[d1]).unwrap().opened[0].clone();
    e.clock.advance(500);
    let d2 = det(
        2,
        DetectionKind::BulkPatientAccess,
        Severity::High,
        "aaaaaaaaaaaa",
        "sess-r",
        "10.2.2.2",
        T0 + 500,
    );
    e.responder.ingest(&[d2.clone(), d2.clone(), d2]).unwrap();
    e.clock.advance(60_000);
    e.responder.assign(&id, "alice", "alice").unwrap();
    e.responder
        .note(&id, "alice", "Called the clinic; the key belongs to a test harness.")
        .unwrap();
    e.responder
        .contain(
            &id,
            "alice",
            &[(ContainmentKind::BlockSourceIp, "10.2.2.2".into())],
            Some(3_600_000),
        )
        .unwrap();
    e.responder.set_status(&id, Status::Eradicated, "alice").unwrap();
    e.clock.advance(600_000);
    e.responder.recover(&id, "alice").unwrap();
    e.responder
        .close(
            &id,
            "alice",
            Lessons {
                summary: "Test harness key leaked into a public repo.".into(),
                root_cause: "key in source".into(),
                follow_ups: vec!["scan repos for keys".into()],
                is_breach_notifiable: Some(false),
                ..Lessons::default()
            },
        )
        .unwrap();

    // What the responder sent (the outbox, in order) ...
    let sent: Vec<IncidentRecord> = e
        .responder
        .store()
        .outbox_for(&id)
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert!(e.responder.store().outbox_for(&id).unwrap().iter().all(|r| r.seq.is_some()));
    e.appender.sync().unwrap();
    // ... equals the timeline the report reads back from the ledger, record for record.
    let inc = e.responder.get(&id).unwrap();
    let review = phiwall_respond::report::build(
        inc.clone(),
        &e.data.join("ledger"),
        e.provider.as_ref() as &dyn KeyProvider,
        0,
    )
    .unwrap();
    let got: Vec<IncidentRecord> = review.timeline.iter().map(|t| t.record.clone()).collect();
    assert_eq!(got, sent);
    let ns: Vec<u32> = got.iter().map(|r| r.n).collect();
    assert_eq!(ns, (1..=got.len() as u32).collect::<Vec<_>>());
    let kinds: Vec<&str> = got.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds[0], kind::OPENED);
    assert!(kinds.contains(&kind::DETECTION) && kinds.contains(&kind::SEVERITY));
    let statuses: Vec<Status> =
        got.iter().filter(|r| r.kind == kind::STATUS).filter_map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![Status::Contained, Status::Eradicated, Status::Recovered, Status::Closed],
        "the automatic containment happened before assignment, so analyzing is skipped"
    );
    // Markdown has one timeline row per record, and the note matches its ledger hash.
    let md = review.markdown();
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(" | responder |") || l.contains(" | alice |"))
        .count();
    assert!(rows >= got.len() - 1);
    assert!(review.text_checks().iter().all(|(_, _, ok)| *ok));
    assert!(md.contains("Individuals affected (distinct keyed patient references): **"));
    assert!(md.contains("time to contain"));
    let html = review.html();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<table>"));
    assert!(!html.contains("<script"));
    // The evidence snapshot ran and recorded its hash.
    assert!(inc.actions.iter().any(|a| a.action == "snapshot_evidence"
        && a.status == ActionStatus::Applied
        && a.detail.as_deref().is_some_and(|d| d.starts_with("sha256:"))));
}

#[test]
fn no_phi_in_ledger_records_or_notifications() {
    // Canary: the detection carries only keyed refs; a note with PHI-like text must not reach
    // the ledger records (only its hash does).
    let e = env();
    let d = det(
        1,
        DetectionKind::DisclosurePrevented,
        Severity::High,
        "cccccccccccc",
        "sess-c",
        "10.3.3.3",
        T0,
    );
    let id = e.responder.ingest(&[d]).unwrap().opened[0].clone();
    let canary = "Jane Canary-Doe SSN 123-45-6789";
    e.responder.note(&id, "alice", canary).unwrap();
    for r in e.responder.store().outbox_for(&id).unwrap() {
        assert!(!r.body.contains("Canary") && !r.body.contains("123-45-6789"), "{}", r.body);
    }
    let s = phiwall_respond::notify::Summary::of(&e.responder.get(&id).unwrap());
    let text = serde_json::to_string(&s).unwrap();
    assert!(!text.contains("Canary"));
}
