//! `phiwall incidents ...` against the real binary: a detection ingested by the library (as the
//! gateway's responder would), then the operator's steps through the CLI, then the review
//! whose timeline must equal the records sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use phiwall_respond::record::IncidentRecord;
use phiwall_respond::{PlaybookSet, Responder, SystemClock};
use phiwall_watch::{Detection, DetectionKind, Evidence, Principal, PrincipalKind, Severity};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

fn phiwall(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phiwall"))
        .args(["incidents", "--data-dir", dir.to_str().unwrap(), "--actor", "alice"])
        .args(args)
        .env_remove("PHIWALL_LEDGER_KEK")
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    let t = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{t}");
    t
}

fn ingest(dir: &Path) -> String {
    let mut raw = phiwall_gateway::RawConfig::builtin_default();
    raw.data_dir = Some(dir.display().to_string());
    let cfg = raw.validate().unwrap();
    let provider = phiwall_gateway::audit::key_provider(&cfg.audit).unwrap();
    let ap = phiwall_ledger::Appender::open(
        phiwall_ledger::LedgerConfig::new(&cfg.audit.dir),
        provider,
        Arc::new(phiwall_ledger::SystemClock),
    )
    .unwrap();
    let r = Responder::open(dir, PlaybookSet::default_set().unwrap(), Arc::new(SystemClock))
        .unwrap()
        .with_ledger(Arc::new(ap));
    let d = Detection {
        id: "d1".into(),
        time: phiwall_respond::Clock::now_ms(&SystemClock),
        kind: DetectionKind::PromptInjection,
        severity: Severity::Medium,
        principal: Principal::new(PrincipalKind::Session, "sess-cli"),
        related: vec![
            Principal::new(PrincipalKind::Key, "0123456789ab"),
            Principal::new(PrincipalKind::SourceIp, "10.4.4.4"),
        ],
        patient_refs: Vec::new(),
        evidence: Evidence {
            window_secs: 1,
            observed: 0.97,
            baseline: 0.0,
            threshold: 0.9,
            measure: "injection score".into(),
        },
        techniques: vec!["AML.T0051".into()],
        request_ids: vec!["req_1".into()],
    };
    r.ingest(&[d]).unwrap().opened[0].clone()
}

#[test]
fn operator_steps_and_review_from_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = ingest(d);
    assert!(ok(phiwall(d, &["list"])).contains(&id));
    let show = ok(phiwall(d, &["show", &id]));
    assert!(show.contains("quarantine_session") && show.contains("pending_approval"), "{show}");
    ok(phiwall(d, &["assign", &id, "--owner", "alice"]));
    ok(phiwall(d, &["note", &id, "--text", "Injection campaign from one test box."]));
    let c = ok(phiwall(d, &["contain", &id, "--safe-mode", "--ttl", "1h"]));
    assert!(c.contains("contained"), "{c}");
    // The lifecycle is enforced: closing a contained incident is a usage error (exit 2).
    let o = phiwall(d, &["close", &id, "--summary", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot move to closed"));
    ok(phiwall(d, &["recover", &id]));
    ok(phiwall(d, &["close", &id, "--summary", "Red-team test box.", "--notifiable", "no"]));
    let out = d.join("out");
    let r = ok(phiwall(d, &["report", &id, "-o", out.to_str().unwrap()]));
    assert!(r.contains("0 pending"), "{r}");
    let md = std::fs::read_to_string(out.join(format!("{id}-review.md"))).unwrap();
    let html = std::fs::read_to_string(out.join(format!("{id}-review.html"))).unwrap();
    assert!(html.contains("<table>") && !html.contains("<script"));
    // The timeline rows equal the records sent, in order.
    let store = phiwall_store::IncidentStore::open(d).unwrap();
    let sent: Vec<IncidentRecord> = store
        .outbox_for(&id)
        .unwrap()
        .iter()
        .map(|o| serde_json::from_str(&o.body).unwrap())
        .collect();
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("## Timeline"))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| # "))
        .take_while(|l| !l.starts_with("| action"))
        .collect();
    assert_eq!(rows.len(), sent.len(), "{md}");
    for (row, rec) in rows.iter().zip(&sent) {
        assert!(row.starts_with(&format!("| {} | ", rec.n)), "{row}");
        assert!(row.contains(&rec.kind.trim_start_matches("incident.").to_string()), "{row}");
        assert!(row.contains(&phiwall_respond::report::describe(rec).replace('|', "\\|")), "{row}");
    }
    assert!(md.contains("Red-team test box."));
    // A manual report opens a new incident and runs the playbooks.
    let o = phiwall(d, &["open", "--kind", "prompt_injectio", "--principal", "key:abc"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ok(phiwall(
        d,
        &["open", "--kind", "bulk_patient_access", "--principal", "key:0123456789ff"],
    ));
    assert!(o.contains("INC-000002 contained high"), "{o}");
    if std::env::var_os("PHIWALL_SHOW_REVIEW").is_some() {
        eprintln!("{md}");
    }
}
