//! Encryption checks, from the `phiwall posture` findings (`phiwall_ledger::posture` for the
//! ledger and its keys, the CLI's configuration scan for secrets and TLS), plus key backup.

use super::Input;
use crate::check::{CheckResult, EvidenceItem, EvidenceKind, Status};
use phiwall_gateway::config::AuditKeySource;
use phiwall_ledger::posture::Status as PStatus;

/// Copy the posture findings whose check name starts with one of `prefixes` into `r`, raising
/// its status: posture `fail` is a fail, `warn` a partial.
fn take_posture(input: &Input<'_>, r: &mut CheckResult, prefixes: &[&str]) -> usize {
    let Some(findings) = input.evidence.posture.get() else {
        return 0;
    };
    let src = input.evidence.posture.from().unwrap_or("phiwall posture").to_string();
    let mut n = 0;
    for f in findings.iter().filter(|f| prefixes.iter().any(|p| f.check.starts_with(p))) {
        n += 1;
        let result = match f.status {
            PStatus::Pass => "pass",
            PStatus::Warn => "warn",
            PStatus::Fail => "fail",
        };
        r.push(EvidenceItem {
            kind: EvidenceKind::Finding {
                check: f.check.to_string(),
                result: result.into(),
                message: f.message.clone(),
            },
            source: src.clone(),
        });
        match f.status {
            PStatus::Pass => {}
            PStatus::Warn => r.raise(Status::Partial, fix_for(f.check)),
            PStatus::Fail => r.raise(Status::Fail, fix_for(f.check)),
        }
    }
    n
}

fn fix_for(check: &str) -> String {
    match check {
        "ledger.encryption_at_rest" => "run `phiwall log verify` and `phiwall posture`; segments must carry a wrapped data key".into(),
        "ledger.file_permissions" | "ledger.keyring_permissions" | "keys.kek_file_permissions" | "config.key_file_permissions" => {
            "chmod 600 the files named in the evidence".into()
        }
        "keys.kek_location" => "move the KEK file out of the ledger directory".into(),
        "keys.kek_age" | "keys.signing_key_age" => "rotate keys (`phiwall log keys rotate --retire`)".into(),
        "keys.data_keys_current" => "re-wrap data keys (`phiwall log keys rewrap`)".into(),
        "keys.retired_versions" => "retire old KEK versions (`phiwall log keys rotate --retire`)".into(),
        "keys.provider" | "ledger.keyring" => "make the ledger KEK available to the audit (audit.key) and check the key ring".into(),
        "config.plaintext_secret" => "replace inline secrets with \"env:VAR\" or \"file:PATH\" references".into(),
        "config.tls_min_version" => "require TLS 1.2 or later".into(),
        "tls.listener" => "configure [server.tls] (or document the TLS-terminating proxy in front of the loopback listener)".into(),
        "tls.upstream" => "use https:// for every upstream off this host".into(),
        "audit.key_source" => "set [audit] key to a KEK file outside the data directory or an environment variable fed by a secret manager".into(),
        "audit.fail_closed" => "remove dangerous_audit_fail_open".into(),
        other => format!("see `phiwall posture` for {other}"),
    }
}

fn posture_missing(input: &Input<'_>, r: &mut CheckResult) {
    let (reason, fix) = input.evidence.posture.missing().unwrap_or_default();
    r.push(EvidenceItem::note(format!("posture checks not run: {reason}"), "audit"));
    r.raise(Status::Manual, fix);
}

/// Encryption at rest: the ledger, its keys, secrets in the configuration.
pub fn at_rest(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new("crypto.at_rest", "Encryption at rest (ledger, keys, secrets)");
    if input.evidence.posture.get().is_none() {
        posture_missing(input, &mut r);
    } else {
        let n = take_posture(
            input,
            &mut r,
            &[
                "ledger.",
                "keys.",
                "config.plaintext_secret",
                "config.key_file_permissions",
                "audit.key_source",
            ],
        );
        if !r.evidence.iter().any(|e| matches!(&e.kind, EvidenceKind::Finding { check, .. } if check == "ledger.encryption_at_rest")) {
            r.push(EvidenceItem::note("the ledger's segments were not checked (no ledger directory)", "audit"));
            r.raise(Status::Manual, "run the audit with --data-dir so the ledger's encryption is checked");
        }
        r.push(EvidenceItem::count("posture findings considered", n as u64, "phiwall posture"));
    }
    r.push(EvidenceItem::note(
        "API keys are stored as SHA-256 hashes only; events hold no PHI values",
        "phiwall-store",
    ));
    if input.config.audit.is_jsonl_events {
        r.push(EvidenceItem::config(
            "audit.jsonl_events",
            "true (events.jsonl is plain text; it carries no PHI values)",
            input.cfg_src(),
        ));
    }
    r.summary = match r.status {
        Status::Pass => "the ledger is encrypted under wrapped per-segment keys; key files are owner-only; no inline secrets".into(),
        Status::Partial => "encrypted, with key-management warnings".into(),
        Status::Fail => "an at-rest encryption check failed".into(),
        Status::Manual => "at-rest encryption not fully checked".into(),
    };
    r
}

/// Encryption in transit: listener TLS, upstream TLS, TLS minimums.
pub fn in_transit(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new(
        "crypto.in_transit",
        "Encryption in transit (clients and upstream models)",
    );
    if input.evidence.posture.get().is_none() {
        posture_missing(input, &mut r);
    } else {
        take_posture(input, &mut r, &["tls.", "config.tls_min_version"]);
    }
    if let Some(t) = &input.config.tls {
        r.push(EvidenceItem::config(
            "server.tls.cert",
            t.cert.display().to_string(),
            input.cfg_src(),
        ));
        r.push(EvidenceItem::config("server.tls.key", t.key.to_string(), input.cfg_src()));
    }
    r.summary = match r.status {
        Status::Pass => "clients and upstreams are reached over TLS 1.2+".into(),
        Status::Partial => {
            "plain HTTP on loopback: TLS must be terminated in front of phiwall".into()
        }
        Status::Fail => "PHI can travel over plaintext HTTP".into(),
        Status::Manual => "transport encryption not checked".into(),
    };
    r
}

/// HIPAA 164.308(a)(7) contingency: key backup. phiwall sees where keys live, not whether a
/// copy exists elsewhere, so the best it can say without a backup record is `manual`.
pub fn key_backup(input: &Input<'_>) -> CheckResult {
    let mut r =
        CheckResult::new("keys.backup", "Encryption keys are backed up apart from the data");
    let src = input.cfg_src();
    match &input.config.audit.key {
        AuditKeySource::DevDefault(p) => {
            r.push(EvidenceItem::config(
                "audit.key",
                format!("not set (development default {})", p.display()),
                src,
            ));
            r.raise(
                Status::Fail,
                "set [audit] key to a KEK file outside the data directory (or an environment variable from a secret manager) and keep an offline copy: today the key sits next to the data it protects, so one lost disk loses both and one stolen backup holds both",
            );
        }
        AuditKeySource::File(p) => {
            r.push(EvidenceItem::config("audit.key", format!("file:{}", p.display()), src));
            r.raise(Status::Manual, "confirm an offline, access-controlled copy of the KEK file exists and was restored in a test");
        }
        AuditKeySource::Env(v) => {
            r.push(EvidenceItem::config("audit.key", format!("env:{v}"), src));
            r.raise(Status::Manual, "confirm the secret manager feeding the variable keeps versioned backups of the KEK");
        }
    }
    take_posture(input, &mut r, &["keys.kek_location", "keys.provider"]);
    let needs_key: Vec<&str> =
        input.config.apps.values().filter(|a| a.needs_key()).map(|a| a.name.as_str()).collect();
    match &input.config.redaction_key {
        Some(k) => r.push(EvidenceItem::config("redaction.key", k.to_string(), src)),
        None if !needs_key.is_empty() => {
            r.push(EvidenceItem::config("redaction.key", "not set (random per process)", src));
            r.raise(
                Status::Partial,
                format!(
                    "set redaction.key: apps {} tokenize or pseudonymize, and with a per-process key tokens cannot be restored after a restart",
                    needs_key.join(", ")
                ),
            );
        }
        None => {}
    }
    r.summary = match r.status {
        Status::Fail => "the ledger key lives inside the data directory".into(),
        Status::Partial => "keys are referenced, but one is lost on restart".into(),
        _ => "keys live outside the data; whether they are backed up needs confirming".into(),
    };
    r
}
