//! Weak and strong deployments: each check's and each control's status and evidence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use phiwall_audit::catalogue::Framework;
use phiwall_audit::{AuditReport, EvidenceKind, Status};

fn status(r: &AuditReport, id: &str) -> Status {
    r.check(id).unwrap_or_else(|| panic!("no check {id}")).status
}

fn evidence_text(r: &AuditReport, id: &str) -> String {
    r.check(id).unwrap().evidence.iter().map(|e| e.text()).collect::<Vec<_>>().join("\n")
}

fn control(r: &AuditReport, f: Framework, id: &str) -> Status {
    r.control(f, id).unwrap_or_else(|| panic!("no control {id}")).status
}

#[test]
fn strong_deployment_passes_what_evidence_shows_and_leaves_the_rest_manual() {
    let d = tempfile::tempdir().unwrap();
    let (cfg, ev) = common::strong(d.path());
    let r = common::report(&cfg, &ev);
    for id in [
        "identity.unique",
        "auth.entity",
        "keys.stale",
        "admin.mfa",
        "session.logoff",
        "access.emergency",
        "ledger.verify",
        "ledger.checkpoints",
        "audit.settings",
        "crypto.at_rest",
        "crypto.in_transit",
        "apps.least_privilege",
        "phi.redaction",
        "llm.injection",
        "llm.output",
        "llm.canary",
        "llm.tools",
        "llm.limits",
        "inventory.assets",
        "incidents.overdue",
        "monitoring.siem",
        "drills.recent",
        "evals.detectors",
        "restore.readiness",
        "bias.phi",
        "bias.injection",
    ] {
        let c = r.check(id).unwrap();
        assert_eq!(c.status, Status::Pass, "{id}: {} / {:?} / {:?}", c.summary, c.fix, c.evidence);
        assert!(!c.evidence.is_empty(), "{id} has no evidence");
    }
    // phiwall cannot see backups or written procedures: a person confirms.
    assert_eq!(status(&r, "keys.backup"), Status::Manual);
    assert_eq!(status(&r, "incidents.procedures"), Status::Manual);
    // The ledger evidence carries the verification result with its checkpoint.
    let l = r.check("ledger.verify").unwrap();
    let item = l.evidence.iter().find_map(|e| match &e.kind {
        EvidenceKind::Ledger { records, checkpoint_size, checkpoint_time, problem, .. } => {
            Some((*records, *checkpoint_size, checkpoint_time.clone(), problem.clone()))
        }
        _ => None,
    });
    let (records, size, time, problem) = item.unwrap();
    assert_eq!(records, 50);
    assert_eq!(size, Some(50));
    assert!(time.unwrap().starts_with("2026-11-29T"));
    assert!(problem.is_none());
    // Controls.
    assert_eq!(control(&r, Framework::Hipaa, "164.312(b)"), Status::Pass);
    assert_eq!(control(&r, Framework::Hipaa, "164.312(a)(2)(i)"), Status::Pass);
    assert_eq!(control(&r, Framework::Hipaa, "164.312(e)(1)"), Status::Pass);
    assert_eq!(control(&r, Framework::Hipaa, "164.308(a)(8)"), Status::Pass);
    assert_eq!(control(&r, Framework::Hipaa2025, "NPRM-ENC"), Status::Pass);
    assert_eq!(control(&r, Framework::OwaspLlm, "LLM01"), Status::Pass);
    assert_eq!(control(&r, Framework::OwaspLlm, "LLM07"), Status::Pass);
    assert_eq!(control(&r, Framework::OwaspLlm, "LLM10"), Status::Pass);
    // Partly outside phiwall: never a pass, and the summary says why.
    assert_eq!(control(&r, Framework::OwaspLlm, "LLM06"), Status::Partial);
    assert_eq!(control(&r, Framework::OwaspLlm, "LLM04"), Status::Manual);
    assert!(r.control(Framework::OwaspLlm, "LLM09").unwrap().summary.starts_with("not addressed"));
    assert_eq!(
        r.totals.fail,
        0,
        "{:?}",
        r.frameworks
            .iter()
            .flat_map(|f| f
                .controls
                .iter()
                .filter(|c| c.status == Status::Fail)
                .map(|c| c.id.clone()))
            .collect::<Vec<_>>()
    );
    // Every framework's controls are present.
    assert_eq!(r.frameworks.len(), 5);
    assert_eq!(
        r.frameworks.iter().find(|f| f.framework == Framework::OwaspLlm).unwrap().controls.len(),
        10
    );
    // The bias tables are there with spreads within tolerance; the tiny group is not counted.
    let origin = r.bias.iter().find(|b| b.id == "phi.name_recall.origin").unwrap();
    assert!(!origin.is_flagged && origin.spread.unwrap() < 0.05);
    assert!(origin.groups.iter().any(|g| g.group == "tiny" && !g.is_counted));
    // Inventory: the configured model, its owners, purposes and observed use.
    let m = &r.inventory.models[0];
    assert_eq!(m.host, "api.openai.com");
    assert_eq!(m.owners, ["patient-access", "web-team"]);
    assert_eq!(m.used.unwrap().count, 500);
}

#[test]
fn weak_deployment_fails_with_evidence_and_fixes() {
    let d = tempfile::tempdir().unwrap();
    let (cfg, ev) = common::weak(d.path());
    let r = common::report(&cfg, &ev);
    let fails = [
        "identity.unique",
        "auth.entity",
        "keys.stale",
        "admin.mfa",
        "ledger.verify",
        "ledger.checkpoints",
        "audit.settings",
        "crypto.in_transit",
        "keys.backup",
        "apps.least_privilege",
        "phi.redaction",
        "llm.canary",
        "llm.tools",
        "incidents.overdue",
        "monitoring.siem",
        "drills.recent",
        "evals.detectors",
        "bias.phi",
        "bias.injection",
    ];
    for id in fails {
        let c = r.check(id).unwrap();
        assert_eq!(c.status, Status::Fail, "{id}: {}", c.summary);
        assert!(c.fix.as_deref().is_some_and(|f| !f.is_empty()), "{id} fails without a fix");
    }
    for id in
        ["llm.injection", "llm.output", "session.logoff", "crypto.at_rest", "inventory.assets"]
    {
        assert_eq!(status(&r, id), Status::Partial, "{id}: {:?}", r.check(id).unwrap());
    }
    assert_eq!(status(&r, "access.emergency"), Status::Manual);
    // Specific evidence.
    let stale = evidence_text(&r, "keys.stale");
    assert!(stale.contains("dddddddddddd") && stale.contains("never used since"), "{stale}");
    assert!(stale.contains("ffffffffffff (app old-app)"), "{stale}");
    assert!(!stale.contains("stale: eeeeeeeeeeee"), "a key used yesterday is not stale: {stale}");
    assert!(evidence_text(&r, "identity.unique")
        .contains("active keys sharing one label: frontdesk/\"shared\" x2"));
    let lp = evidence_text(&r, "apps.least_privilege");
    assert!(lp.contains("purpose scheduling does not need") && lp.contains("SSN"), "{lp}");
    assert!(lp.contains("config `apps.chat.purpose` = not set"), "{lp}");
    let verify = r.check("ledger.verify").unwrap();
    assert!(verify.summary.starts_with("verification failed: modified"), "{}", verify.summary);
    assert!(evidence_text(&r, "ledger.checkpoints").contains("audit.checkpoint_interval_secs` = 0"));
    assert!(evidence_text(&r, "incidents.overdue")
        .contains("incident inc-7 (critical, analyzing) containment was due"));
    assert!(evidence_text(&r, "drills.recent").contains("400 days ago"));
    let bias = evidence_text(&r, "bias.injection");
    assert!(bias.contains("worst group Spanish"), "{bias}");
    let bt = r.bias.iter().find(|b| b.id == "injection.fpr.language").unwrap();
    assert!(bt.is_flagged && (bt.spread.unwrap() - 0.3).abs() < 1e-9);
    // Controls follow their checks.
    assert_eq!(control(&r, Framework::Hipaa, "164.312(b)"), Status::Fail);
    assert_eq!(control(&r, Framework::Hipaa, "164.312(e)(1)"), Status::Fail);
    assert_eq!(control(&r, Framework::OwaspLlm, "LLM02"), Status::Fail);
    assert_eq!(control(&r, Framework::OwaspLlm, "LLM06"), Status::Fail);
    assert_eq!(control(&r, Framework::Csf2, "RS"), Status::Fail);
    assert!(r.has_failures());
    let c = r.control(Framework::Hipaa, "164.312(b)").unwrap();
    assert!(c.fix.as_deref().unwrap().contains("dangerous_audit_fail_open"));
}

#[test]
fn missing_evidence_is_manual_never_pass() {
    let cfg = common::config(common::STRONG_TOML);
    let ev = phiwall_audit::Evidence::empty(common::NOW_MS, "strong.toml", "/nowhere");
    let r = common::report(&cfg, &ev);
    for id in [
        "keys.stale",
        "admin.mfa",
        "ledger.verify",
        "ledger.checkpoints",
        "crypto.at_rest",
        "crypto.in_transit",
        "incidents.overdue",
        "incidents.procedures",
        "drills.recent",
        "evals.detectors",
        "restore.readiness",
        "bias.phi",
        "bias.injection",
        "inventory.assets",
    ] {
        let c = r.check(id).unwrap();
        assert_eq!(c.status, Status::Manual, "{id}: {}", c.summary);
        assert!(c.fix.is_some(), "{id}: manual without a fix");
    }
    // Configuration-only checks still decide.
    assert_eq!(status(&r, "llm.tools"), Status::Pass);
    assert_eq!(status(&r, "apps.least_privilege"), Status::Pass);
    assert_eq!(control(&r, Framework::Hipaa, "164.312(b)"), Status::Manual);
    assert_eq!(r.totals.fail, 0);
}

#[test]
fn report_holds_no_secret_values() {
    let d = tempfile::tempdir().unwrap();
    let (cfg, ev) = common::strong(d.path());
    let r = common::report(&cfg, &ev);
    let json = phiwall_audit::render::render(&r, phiwall_audit::render::Format::Json).unwrap();
    // References are shown, never values; the KEK file content never appears.
    assert!(json.contains("env:PHIWALL_REDACTION_KEY") || json.contains("redaction.key"));
    let kek = std::fs::read_to_string(d.path().join("kek")).unwrap();
    let secret = kek.trim().split(':').nth(1).unwrap();
    assert!(!json.contains(secret));
}
