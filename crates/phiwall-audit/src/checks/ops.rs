//! Operations checks: incidents past their target times, incident procedures, SIEM delivery,
//! drills, detector evaluations, restore readiness.

use super::Input;
use crate::check::{CheckResult, EvidenceItem, Status};
use phiwall_eval::saved::SavedKind;

const DAY_MS: i64 = 86_400_000;

/// Open incidents past their containment or closure targets.
pub fn incidents_overdue(input: &Input<'_>) -> CheckResult {
    let id = "incidents.overdue";
    let title = "No open incidents past their target times";
    let Some(ev) = input.evidence.incidents.get() else {
        let (reason, fix) = input.evidence.incidents.missing().unwrap_or_default();
        return CheckResult::manual_missing(id, title, "incidents", &reason, &fix);
    };
    let mut r = CheckResult::new(id, title);
    let src = input.evidence.incidents.from().unwrap_or("incidents").to_string();
    let now = input.evidence.now_ms;
    let open: Vec<_> = ev.incidents.iter().filter(|i| i.is_open()).collect();
    r.push(EvidenceItem::count("incidents on record", ev.incidents.len() as u64, &src));
    r.push(EvidenceItem::count("open incidents", open.len() as u64, &src));
    let mut overdue = 0u64;
    let s = input.settings;
    for i in &open {
        let contain_due =
            i.contain_due_ms.or_else(|| s.contain_target_ms(&i.severity).map(|t| i.opened_ms + t));
        let close_due = i.close_due_ms.unwrap_or(i.opened_ms + s.close_target_days * DAY_MS);
        let is_uncontained =
            i.contained_ms.is_none() && matches!(i.state.as_str(), "detected" | "analyzing");
        let contain_late = is_uncontained && contain_due.is_some_and(|d| d < now);
        let close_late = close_due < now;
        if contain_late || close_late {
            overdue += 1;
            let what = if contain_late { "containment" } else { "closure" };
            let due = if contain_late { contain_due.unwrap_or(now) } else { close_due };
            r.push(EvidenceItem::date(
                format!("incident {} ({}, {}) {what} was due", i.id, i.severity, i.state),
                due,
                now,
                &src,
            ));
        }
    }
    r.push(EvidenceItem::count("open incidents past a target time", overdue, &src));
    if overdue > 0 {
        r.raise(Status::Fail, "contain or close the overdue incidents (`phiwall incidents list`), or record why the target moved");
    }
    r.summary = if overdue == 0 {
        format!("{} open incidents, none past its target", open.len())
    } else {
        format!("{overdue} open incidents are past their target times")
    };
    r
}

/// HIPAA 164.308(a)(6): security incident procedures, as phiwall can show them.
pub fn incident_procedures(input: &Input<'_>) -> CheckResult {
    let id = "incidents.procedures";
    let title = "Incident procedures: playbooks and a record of incidents";
    let Some(ev) = input.evidence.incidents.get() else {
        let (reason, fix) = input.evidence.incidents.missing().unwrap_or_default();
        let mut r = CheckResult::manual_missing(id, title, "incident response", &reason, &fix);
        r.push(EvidenceItem::note(
            "the ledger keeps every denial and detection, so incidents can be reconstructed; written procedures still need a person",
            "phiwall",
        ));
        return r;
    };
    let mut r = CheckResult::new(id, title);
    let src = input.evidence.incidents.from().unwrap_or("incidents").to_string();
    r.push(EvidenceItem::count("playbook rules in force", ev.playbooks as u64, &src));
    if ev.playbooks == 0 {
        r.raise(Status::Partial, "load playbooks so detections lead to containment");
    }
    r.push(EvidenceItem::note(
        "written procedures (roles, notification under the Breach Notification Rule) need confirming by a person",
        "audit",
    ));
    r.raise(
        Status::Manual,
        "confirm the written incident procedure (roles, contacts, breach-notification steps) and its last review",
    );
    r.summary =
        format!("{} playbook rules in force; written procedures to be confirmed", ev.playbooks);
    r
}

/// Events reach a SIEM.
pub fn monitoring(input: &Input<'_>) -> CheckResult {
    let id = "monitoring.siem";
    let title = "Security events are delivered to a SIEM";
    let mut r = CheckResult::new(id, title);
    let src = input.cfg_src();
    r.push(EvidenceItem::config(
        "audit.jsonl_events",
        input.config.audit.is_jsonl_events.to_string(),
        src,
    ));
    r.push(EvidenceItem::config(
        "server.metrics_listen",
        input.config.metrics_listen.map_or("off".to_string(), |a| a.to_string()),
        src,
    ));
    match input.evidence.sinks.get() {
        Some(s) if !s.kinds.is_empty() => {
            r.push(EvidenceItem::config("sinks", s.kinds.join(", "), src));
            r.summary = format!("{} SIEM sinks configured", s.kinds.len());
        }
        _ => {
            let (reason, fix) = input.evidence.sinks.missing().unwrap_or_else(|| {
                ("no sinks configured".into(), "configure a SIEM sink ([[sinks]])".into())
            });
            r.push(EvidenceItem::note(reason, src));
            if input.config.audit.is_jsonl_events {
                r.push(EvidenceItem::note("events.jsonl can be shipped by a log agent", src));
                r.raise(Status::Partial, fix);
            } else {
                r.raise(Status::Fail, fix);
            }
            r.summary = "no SIEM delivery configured".into();
        }
    }
    r
}

/// Time since the last drill and its scorecard.
pub fn drills(input: &Input<'_>) -> CheckResult {
    let id = "drills.recent";
    let title = "A recent attack drill passed its scorecard";
    let Some(cards) = input.evidence.drills.get() else {
        let (reason, fix) = input.evidence.drills.missing().unwrap_or_default();
        return CheckResult::manual_missing(id, title, "drill scorecards", &reason, &fix);
    };
    let mut r = CheckResult::new(id, title);
    let src = input.evidence.drills.from().unwrap_or("drills").to_string();
    let now = input.evidence.now_ms;
    let max_age = input.settings.drill_max_age_days;
    r.push(EvidenceItem::count("drill scorecards", cards.len() as u64, &src));
    let Some(last) = cards.iter().max_by_key(|c| c.finished_ms) else {
        r.raise(
            Status::Fail,
            "run the drills (`phiwall drill run SCENARIO --target URL`) against a staging gateway",
        );
        r.summary = "no drill has been run".into();
        return r;
    };
    r.push(EvidenceItem::date(
        format!("last drill ({})", last.scenario),
        last.finished_ms,
        now,
        &src,
    ));
    let age = (now - last.finished_ms).div_euclid(DAY_MS);
    let failed: Vec<&str> =
        last.controls.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
    let passed = last.controls.len() - failed.len();
    r.push(EvidenceItem::count(
        format!("controls passed in the last drill ({})", last.scenario),
        passed as u64,
        &src,
    ));
    for c in &last.controls {
        if let Some(t) = c.time_to_contain_ms {
            r.push(EvidenceItem::figure(
                format!("{}: time to contain (s)", c.name),
                t as f64 / 1000.0,
                &src,
            ));
        }
    }
    if !last.passed || !failed.is_empty() {
        r.push(EvidenceItem::note(format!("failed controls: {}", failed.join(", ")), &src));
        r.raise(Status::Fail, "fix the controls the last drill failed and run it again");
    }
    if age > 2 * max_age {
        r.raise(
            Status::Fail,
            format!("run a drill: the last was {age} days ago (due every {max_age} days)"),
        );
    } else if age > max_age {
        r.raise(
            Status::Partial,
            format!("run a drill: the last was {age} days ago (due every {max_age} days)"),
        );
    }
    let scenarios: std::collections::BTreeSet<&str> =
        cards.iter().map(|c| c.scenario.as_str()).collect();
    r.push(EvidenceItem::count("distinct scenarios drilled", scenarios.len() as u64, &src));
    r.summary = match r.status {
        Status::Pass => format!("last drill {age} days ago, every control passed"),
        _ => format!("last drill {age} days ago; {} controls failed", failed.len()),
    };
    r
}

/// HIPAA 164.308(a)(8) evaluation: detector quality measured recently and good enough.
pub fn evals(input: &Input<'_>) -> CheckResult {
    let id = "evals.detectors";
    let title = "Detector quality was measured recently and meets its targets";
    let Some(all) = input.evidence.evals.get() else {
        let (reason, fix) = input.evidence.evals.missing().unwrap_or_default();
        return CheckResult::manual_missing(id, title, "saved evaluations", &reason, &fix);
    };
    let mut r = CheckResult::new(id, title);
    let src = input.evidence.evals.from().unwrap_or("evals").to_string();
    let s = input.settings;
    let now = input.evidence.now_ms;
    r.push(EvidenceItem::count("saved evaluation reports", all.len() as u64, &src));
    for kind in [SavedKind::Phi, SavedKind::Injection] {
        let label = match kind {
            SavedKind::Phi => "PHI",
            SavedKind::Injection => "injection",
        };
        let Some(e) = crate::bias::newest(input, kind) else {
            r.raise(
                Status::Fail,
                format!(
                    "run `phiwall eval {} --save-to <data-dir>/evals`",
                    if kind == SavedKind::Phi {
                        "phi --split test --by origin"
                    } else {
                        "injection"
                    }
                ),
            );
            r.push(EvidenceItem::note(format!("no saved {label} evaluation"), &src));
            continue;
        };
        let t = i64::try_from(e.time_micros / 1000).unwrap_or(0);
        r.push(EvidenceItem::date(
            format!("newest {label} evaluation ({}, split {})", e.dataset, e.split),
            t,
            now,
            &src,
        ));
        let age = (now - t).div_euclid(DAY_MS);
        if age > 2 * s.eval_max_age_days {
            r.raise(
                Status::Fail,
                format!("re-run the {label} evaluation: the newest is {age} days old"),
            );
        } else if age > s.eval_max_age_days {
            r.raise(
                Status::Partial,
                format!("re-run the {label} evaluation: the newest is {age} days old"),
            );
        }
        if e.split != "test" {
            r.raise(
                Status::Partial,
                format!(
                    "report the held-out split: the newest {label} evaluation used split {}",
                    e.split
                ),
            );
        }
        if let Some(p) = &e.phi {
            let recall = p.overall.recall.unwrap_or(0.0);
            r.push(EvidenceItem::figure("PHI recall, all types", recall, &src));
            if let Some(h) = p.span_hidden_recall {
                r.push(EvidenceItem::figure("PHI spans fully hidden", h, &src));
            }
            if recall < s.min_phi_recall {
                r.raise(Status::Partial, format!("PHI recall {recall:.3} is below the target {:.2}: see the per-type table of the evaluation", s.min_phi_recall));
            }
        }
        if let Some(i) = &e.injection {
            r.push(EvidenceItem::figure(
                "injection attack-prompt TPR",
                i.attack_prompts.rate,
                &src,
            ));
            r.push(EvidenceItem::figure(
                "injection benign-prompt FPR",
                i.benign_prompts.rate,
                &src,
            ));
            r.push(EvidenceItem::figure("injection prompt ROC AUC", i.prompt_auc, &src));
            if i.benign_prompts.rate > s.max_injection_fpr {
                r.raise(
                    Status::Partial,
                    format!(
                        "benign-prompt FPR {:.3} is above {:.2}",
                        i.benign_prompts.rate, s.max_injection_fpr
                    ),
                );
            }
        }
    }
    r.summary = match r.status {
        Status::Pass => "PHI and injection detectors measured on held-out data within the last evaluation period".into(),
        Status::Fail => "a detector has no recent evaluation".into(),
        _ => "evaluations exist but are old, not held-out, or below target".into(),
    };
    r
}

/// 72-hour restore readiness (proposed 2025 Security Rule): phiwall shows what a restore needs
/// (a verifiable ledger, keys apart from data, configuration by reference); a timed restore
/// test is a drill scenario or a person's record.
pub fn restore(input: &Input<'_>) -> CheckResult {
    let id = "restore.readiness";
    let title = "Restore within 72 hours has been shown";
    let mut r = CheckResult::new(id, title);
    let restore_drill = input.evidence.drills.get().and_then(|cards| {
        cards.iter().filter(|c| c.scenario.contains("restore")).max_by_key(|c| c.finished_ms)
    });
    match restore_drill {
        Some(c) => {
            let src = input.evidence.drills.from().unwrap_or("drills");
            r.push(EvidenceItem::date(
                format!("last restore drill ({})", c.scenario),
                c.finished_ms,
                input.evidence.now_ms,
                src,
            ));
            if !c.passed {
                r.raise(Status::Fail, "the last restore drill failed: fix and repeat it");
            }
            let age = (input.evidence.now_ms - c.finished_ms).div_euclid(DAY_MS);
            if age > 365 {
                r.raise(Status::Partial, "repeat the restore test (yearly at least)");
            }
        }
        None => {
            r.push(EvidenceItem::note("no restore drill on record", "audit"));
            r.raise(
                Status::Manual,
                "restore the data directory and KEK from backup onto a spare host, run `phiwall log verify` and `phiwall audit` there, and record the time taken (target under 72 hours)",
            );
        }
    }
    if let Some(l) = input.evidence.ledger.get() {
        r.push(EvidenceItem::note(
            format!("the ledger verifies without any secret ({} records), so a restored copy can be checked", l.report.records),
            &l.dir,
        ));
    }
    r.summary = match r.status {
        Status::Pass => "a restore was tested recently".into(),
        Status::Manual => "no restore test on record".into(),
        _ => "the restore test failed or is old".into(),
    };
    r
}
