//! Audit-trail checks: ledger verification, checkpoint freshness, and the settings that make
//! every request recorded before it is answered.

use super::Input;
use crate::check::{CheckResult, EvidenceItem, EvidenceKind, Status};
use crate::evidence::Source;
use phiwall_ledger::FsyncPolicy;

fn ledger_item(input: &Input<'_>) -> Option<EvidenceItem> {
    let l = input.evidence.ledger.get()?;
    Some(EvidenceItem {
        kind: EvidenceKind::Ledger {
            records: l.report.records,
            root: l.report.root.clone(),
            checkpoint_size: l.report.latest_checkpoint_size,
            checkpoint_time: l
                .latest_checkpoint_micros
                .map(|us| crate::time::rfc3339_ms(i64::try_from(us / 1000).unwrap_or(0))),
            problem: l.report.problem.as_ref().map(ToString::to_string),
        },
        source: format!("phiwall log verify {}", l.dir),
    })
}

/// HIPAA 164.312(b) and (c): the ledger verifies end to end.
pub fn verify(input: &Input<'_>) -> CheckResult {
    let id = "ledger.verify";
    let title = "The audit ledger verifies (hash chain, Merkle tree, signed checkpoints)";
    let l = match &input.evidence.ledger {
        Source::Gathered { data, .. } => data,
        Source::Failed { error } => {
            let mut r = CheckResult::new(id, title);
            r.push(EvidenceItem::note(format!("the ledger could not be read: {error}"), "audit"));
            r.raise(
                Status::Fail,
                "restore the ledger directory from backup and run `phiwall log verify`",
            );
            r.summary = "the audit ledger could not be read".into();
            return r;
        }
        Source::Absent { reason, fix } => {
            return CheckResult::manual_missing(id, title, "the audit ledger", reason, fix)
        }
    };
    let mut r = CheckResult::new(id, title);
    if let Some(e) = ledger_item(input) {
        r.push(e);
    }
    r.push(EvidenceItem::count("segments", l.report.segments as u64, &l.dir));
    r.push(EvidenceItem::count("signed checkpoints", l.report.checkpoints as u64, &l.dir));
    for w in &l.report.warnings {
        r.push(EvidenceItem::note(format!("warning: {w}"), &l.dir));
    }
    if let Some(p) = &l.report.problem {
        r.raise(
            Status::Fail,
            format!(
                "treat as a security incident ({}): keep the directory as evidence, compare with an exported checkpoint (`phiwall log verify --checkpoint FILE`) and restore from backup",
                p.kind()
            ),
        );
        r.summary = format!("verification failed: {p}");
        return r;
    }
    if l.report.records == 0 {
        r.raise(
            Status::Partial,
            "no records yet: send traffic through the gateway and audit again",
        );
        r.summary = "the ledger verifies but holds no records".into();
        return r;
    }
    if !l.report.warnings.is_empty() {
        r.raise(
            Status::Partial,
            "resolve the verification warnings (usually: no signed checkpoint yet)",
        );
    }
    r.summary = format!("{} records verified with no tampering found", l.report.records);
    r
}

/// Signed checkpoints are enabled and keep up with the records.
pub fn checkpoints(input: &Input<'_>) -> CheckResult {
    let id = "ledger.checkpoints";
    let title = "Signed checkpoints are enabled and fresh";
    let a = &input.config.audit;
    let src = input.cfg_src();
    let mut r = CheckResult::new(id, title);
    r.push(EvidenceItem::config(
        "audit.checkpoint_every_records",
        a.checkpoint_every_records.to_string(),
        src,
    ));
    r.push(EvidenceItem::config(
        "audit.checkpoint_interval_secs",
        a.checkpoint_interval_secs.to_string(),
        src,
    ));
    if a.checkpoint_every_records == 0 && a.checkpoint_interval_secs == 0 {
        r.raise(
            Status::Fail,
            "enable checkpoints: set audit.checkpoint_interval_secs = 60 (and checkpoint_every_records = 10000)",
        );
    }
    let max_lag = input.settings.checkpoint_max_lag_secs.unwrap_or_else(|| {
        i64::try_from(a.checkpoint_interval_secs.saturating_mul(2)).unwrap_or(i64::MAX).max(600)
    });
    let l = match &input.evidence.ledger {
        Source::Gathered { data, .. } => data,
        other => {
            let (reason, fix) = other.missing().unwrap_or_default();
            r.push(EvidenceItem::note(format!("checkpoints not read: {reason}"), "audit"));
            r.raise(Status::Manual, fix);
            r.summary = "checkpoint settings read; the ledger itself was not".into();
            return r;
        }
    };
    if let Some(e) = ledger_item(input) {
        r.push(e);
    }
    let records = l.report.records;
    match (l.report.latest_checkpoint_size, l.latest_checkpoint_micros, l.latest_record_micros) {
        _ if records == 0 => {
            r.push(EvidenceItem::note("no records yet", &l.dir));
        }
        (None, _, _) | (_, None, _) => {
            r.raise(
                Status::Fail,
                "no signed checkpoint covers the records: check the gateway's checkpoint settings and logs",
            );
        }
        (Some(size), Some(cp_us), last) => {
            let uncovered = records.saturating_sub(size);
            r.push(EvidenceItem::count("records after the newest checkpoint", uncovered, &l.dir));
            let cp_ms = i64::try_from(cp_us / 1000).unwrap_or(0);
            r.push(EvidenceItem::date(
                "newest checkpoint signed",
                cp_ms,
                input.evidence.now_ms,
                &l.dir,
            ));
            if let Some(last_us) = last {
                let last_ms = i64::try_from(last_us / 1000).unwrap_or(0);
                r.push(EvidenceItem::date("newest record", last_ms, input.evidence.now_ms, &l.dir));
                let lag = (last_ms - cp_ms).div_euclid(1000);
                if uncovered > 0 && lag > max_lag {
                    r.raise(
                        Status::Partial,
                        format!(
                            "the newest {uncovered} records are {lag} s past the newest checkpoint (limit {max_lag} s): check that the gateway signs checkpoints (audit.checkpoint_interval_secs) and export one with `phiwall log checkpoint`"
                        ),
                    );
                }
            }
        }
    }
    r.push(EvidenceItem::note(
        "keep exported checkpoints off this host (`phiwall log checkpoint`): they let an auditor detect a rewritten history",
        "phiwall",
    ));
    r.summary = match r.status {
        Status::Pass => {
            "checkpoints are enabled and cover the log up to the configured interval".into()
        }
        Status::Partial => "the newest records are not yet covered by a checkpoint".into(),
        Status::Fail => "records are not covered by signed checkpoints".into(),
        Status::Manual => "checkpoints not read".into(),
    };
    r
}

/// Requests are recorded durably before they are answered.
pub fn audit_settings(input: &Input<'_>) -> CheckResult {
    let mut r =
        CheckResult::new("audit.settings", "Every request is recorded before it is answered");
    let a = &input.config.audit;
    let src = input.cfg_src();
    r.push(EvidenceItem::config("audit.dir", a.dir.display().to_string(), src));
    r.push(EvidenceItem::config(
        "audit.dangerous_audit_fail_open",
        a.is_fail_open.to_string(),
        src,
    ));
    let fsync = match a.fsync {
        FsyncPolicy::Always => "always".to_string(),
        FsyncPolicy::Never => "never".to_string(),
        FsyncPolicy::EveryMillis(ms) => format!("every {ms} ms"),
    };
    r.push(EvidenceItem::config("audit.fsync", fsync, src));
    let waits = match a.reply_waits_for {
        phiwall_gateway::audit::ReplyWaitsFor::Intent => "intent",
        phiwall_gateway::audit::ReplyWaitsFor::Outcome => "outcome",
    };
    r.push(EvidenceItem::config("audit.reply_waits_for", waits.to_string(), src));
    if let Some(u) = input.evidence.usage.get() {
        let usrc = input.evidence.usage.from().unwrap_or("events");
        r.push(EvidenceItem::count(
            "requests forwarded whose outcome record is missing (a crash right after the reply)",
            u.forwarded_without_outcome,
            usrc,
        ));
    }
    if a.is_fail_open {
        r.raise(
            Status::Fail,
            "remove dangerous_audit_fail_open so requests wait for their audit record (fail closed)",
        );
    }
    if matches!(a.fsync, FsyncPolicy::Never) {
        r.raise(Status::Partial, "set audit.fsync = \"always\" (or a short period) so answered requests survive a power loss in the log");
    }
    let open_apps: Vec<&str> =
        input.config.apps.values().filter(|p| !p.fail_closed).map(|p| p.name.as_str()).collect();
    if !open_apps.is_empty() {
        r.push(EvidenceItem::note(
            format!("apps answering when inspection fails: {}", open_apps.join(", ")),
            src,
        ));
        r.raise(Status::Partial, "set fail_closed = true on every app profile");
    }
    r.summary = match r.status {
        Status::Pass => "fail closed: a request is answered only once a record of it is durable (its write-ahead intent, or with reply_waits_for = \"outcome\" its full record)".into(),
        Status::Fail => "audit records may be lost while requests are answered".into(),
        _ => "recorded, with a weaker durability or inspection setting".into(),
    };
    r
}
