//! Deliberately weak and strong deployments for the audit tests: configurations (TOML parsed by
//! the gateway's own validator), real ledgers written and verified with `phiwall-ledger`, and
//! evidence for every other source.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use phiwall_audit::evidence::*;
use phiwall_audit::{AuditReport, AuditSettings, Evidence, Source};
use phiwall_eval::saved::*;
use phiwall_gateway::{Config, RawConfig};
use phiwall_ledger::posture::{check_ledger, Finding, PostureLimits, Status as PStatus};
use phiwall_ledger::{Appender, FileKeyProvider, LedgerConfig, ManualClock, VerifyOptions};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// 2026-11-29T12:00:00Z.
pub const NOW_MS: i64 = 1_795_953_600_000;
pub const DAY_MS: i64 = 86_400_000;

pub const STRONG_TOML: &str = r#"
data_dir = "/var/lib/phiwall"
[server]
listen = "0.0.0.0:8443"
[server.tls]
cert = "/etc/phiwall/tls/cert.pem"
key = "file:/etc/phiwall/tls/key.pem"
client_ca = "/etc/phiwall/tls/clients.pem"
[redaction]
key = "env:PHIWALL_REDACTION_KEY"
[upstreams.openai]
base_url = "https://api.openai.com/v1"
api_key = "env:OPENAI_API_KEY"
[models.gpt-4o-mini]
upstream = "openai"
[apps.scheduling]
purpose = "scheduling"
owner = "patient-access"
models = ["gpt-4o-mini"]
tools = ["book_appointment", "find_slots"]
link_domains = ["example-clinic.org"]
[apps.scheduling.phi]
default = "mask"
NAME = "tokenize"
DATE = "allow"
PHONE = "tokenize"
SSN = "block"
CREDIT_CARD = "block"
[apps.faq]
purpose = "patient_support"
owner = "web-team"
models = ["gpt-4o-mini"]
tools = []
[audit]
key = "env:PHIWALL_LEDGER_KEK"
"#;

pub const WEAK_TOML: &str = r#"
data_dir = "/tmp/phiwall-weak"
[upstreams.vendor]
base_url = "http://10.0.0.5:8000/v1"
[models.llama]
upstream = "vendor"
[apps.frontdesk]
purpose = "scheduling"
models = ["llama"]
canary = false
fail_closed = false
link_domains = ["com"]
phi = { default = "allow" }
injection = { action = "flag", threshold = 0.9 }
[apps.chat]
models = ["llama"]
tools = []
[audit]
fail_closed = false
dangerous_audit_fail_open = true
fsync = "never"
checkpoint_every_records = 0
checkpoint_interval_secs = 0
jsonl_events = false
"#;

pub fn config(toml: &str) -> Config {
    RawConfig::from_toml(toml).unwrap().validate().unwrap()
}

/// A ledger of `n` records at one-minute steps ending an hour before `NOW_MS`, with a signed
/// checkpoint when `is_checkpointed`; tampered (one byte changed) when `is_tampered`.
pub fn ledger(
    dir: &Path,
    n: u64,
    is_checkpointed: bool,
    is_tampered: bool,
) -> (LedgerEvidence, Vec<Finding>) {
    let kek = dir.join("kek");
    let provider = Arc::new(FileKeyProvider::create(&kek).unwrap());
    let ldir = dir.join("ledger");
    let start_us = ((NOW_MS - 3_600_000 - n as i64 * 60_000) * 1000) as u64;
    let clock = Arc::new(ManualClock::new(start_us));
    let mut cfg = LedgerConfig::new(&ldir);
    cfg.checkpoint_every_records = 0;
    cfg.checkpoint_interval_micros = 0;
    let a = Appender::open(cfg, provider.clone(), clock.clone()).unwrap();
    for i in 0..n {
        let ev = format!(
            r#"{{"time":{},"app":"scheduling","model":"gpt-4o-mini","outcome":"success"}}"#,
            start_us / 1000 + i * 60_000
        );
        a.append_at(start_us + i * 60_000_000, ev.as_bytes()).unwrap();
    }
    if is_checkpointed {
        clock.advance(n * 60_000_000);
        a.checkpoint().unwrap();
    }
    a.close().unwrap();
    if is_tampered {
        let seg = phiwall_ledger::store::list_segments(&ldir).unwrap()[0].1.clone();
        let mut bytes = std::fs::read(&seg).unwrap();
        let last = bytes.len() - 20;
        bytes[last] ^= 0x55;
        std::fs::write(&seg, bytes).unwrap();
    }
    let report = phiwall_ledger::verify_dir(&ldir, &VerifyOptions::default()).unwrap();
    let (cps, _) = phiwall_ledger::store::read_checkpoints(&ldir).unwrap();
    let latest_checkpoint_micros = cps.iter().map(|c| c.time_micros).max();
    let latest_record_micros = Some(start_us + n.saturating_sub(1) * 60_000_000);
    let posture = check_ledger(
        &ldir,
        Some(provider.as_ref()),
        Some(&kek),
        (NOW_MS * 1000) as u64,
        PostureLimits::default(),
    );
    (
        LedgerEvidence {
            dir: ldir.display().to_string(),
            report,
            latest_checkpoint_micros,
            latest_record_micros,
        },
        posture,
    )
}

fn finding(check: &'static str, status: PStatus, message: &str) -> Finding {
    Finding { check, status, message: message.into() }
}

fn rate(n: usize, flagged: usize) -> SavedRate {
    SavedRate { n, flagged, rate: if n == 0 { 0.0 } else { flagged as f64 / n as f64 } }
}

fn scores(gold: usize, found: usize) -> SavedScores {
    SavedScores {
        gold,
        found,
        predicted: found,
        recall: Some(found as f64 / gold as f64),
        precision: Some(0.97),
    }
}

fn group(gold: usize, found: usize) -> SavedGroup {
    SavedGroup { docs: gold, name: scores(gold, found), all: scores(gold * 3, found * 3) }
}

pub fn phi_eval(
    at_ms: i64,
    split: &str,
    origins: &[(&str, usize, usize)],
    languages: &[(&str, usize, usize)],
    overall: (usize, usize),
) -> SavedEval {
    SavedEval {
        format: SAVED_FORMAT.into(),
        kind: SavedKind::Phi,
        date: phiwall_audit::time::rfc3339_ms(at_ms),
        time_micros: (at_ms * 1000) as u64,
        dataset: "tx.jsonl".into(),
        split: split.into(),
        phiwall_version: "0.1.0".into(),
        settings: BTreeMap::new(),
        phi: Some(SavedPhi {
            docs: 2000,
            overall: scores(overall.0, overall.1),
            per_type: [("NAME".to_string(), scores(overall.0 / 2, overall.1 / 2))]
                .into_iter()
                .collect(),
            span_hidden_recall: Some(0.97),
            by_origin: origins.iter().map(|(k, g, f)| (k.to_string(), group(*g, *f))).collect(),
            by_language: languages.iter().map(|(k, g, f)| (k.to_string(), group(*g, *f))).collect(),
        }),
        injection: None,
    }
}

pub fn injection_eval(
    at_ms: i64,
    languages: &[(&str, usize, usize)],
    families: &[(&str, usize, usize)],
    benign: (usize, usize),
) -> SavedEval {
    SavedEval {
        format: SAVED_FORMAT.into(),
        kind: SavedKind::Injection,
        date: phiwall_audit::time::rfc3339_ms(at_ms),
        time_micros: (at_ms * 1000) as u64,
        dataset: "../shared/data".into(),
        split: "test".into(),
        phiwall_version: "0.1.0".into(),
        settings: BTreeMap::new(),
        phi: None,
        injection: Some(SavedInjection {
            attack_families: [("cse:ignore".to_string(), rate(200, 190))].into_iter().collect(),
            benign_families: families
                .iter()
                .map(|(k, n, f)| (k.to_string(), rate(*n, *f)))
                .collect(),
            attack_prompts: rate(1000, 930),
            benign_prompts: rate(benign.0, benign.1),
            attack_documents: rate(100, 90),
            benign_documents: rate(100, 2),
            prompt_auc: 0.985,
            document_auc: 0.97,
            attack_by_language: BTreeMap::new(),
            benign_by_language: languages
                .iter()
                .map(|(k, n, f)| (k.to_string(), rate(*n, *f)))
                .collect(),
        }),
    }
}

pub fn strong(dir: &Path) -> (Config, Evidence) {
    let cfg = config(STRONG_TOML);
    let (led, mut posture) = ledger(dir, 50, true, false);
    posture.push(finding(
        "config.plaintext_secret",
        PStatus::Pass,
        "strong.toml: no inline secrets",
    ));
    posture.push(finding(
        "tls.listener",
        PStatus::Pass,
        "0.0.0.0:8443: TLS enabled, mTLS required",
    ));
    posture.push(finding("tls.upstream", PStatus::Pass, "1 upstream(s): https or loopback only"));
    posture.push(finding(
        "audit.key_source",
        PStatus::Pass,
        "KEK from environment variable PHIWALL_LEDGER_KEK",
    ));
    let mut ev = Evidence::empty(NOW_MS, "strong.toml", "/var/lib/phiwall");
    ev.ledger = Source::gathered("test ledger", led);
    ev.posture = Source::gathered("phiwall posture", posture);
    let now_s = NOW_MS / 1000;
    ev.keys = Source::gathered(
        "keys.sqlite3",
        vec![
            KeyFact {
                prefix: "aaaaaaaaaaaa".into(),
                app: "scheduling".into(),
                name: "phone agent".into(),
                created_at: now_s - 30 * 86_400,
                expires_at: Some(now_s + 60 * 86_400),
                revoked_at: None,
            },
            KeyFact {
                prefix: "bbbbbbbbbbbb".into(),
                app: "faq".into(),
                name: "web chat".into(),
                created_at: now_s - 10 * 86_400,
                expires_at: Some(now_s + 80 * 86_400),
                revoked_at: None,
            },
            KeyFact {
                prefix: "cccccccccccc".into(),
                app: "faq".into(),
                name: "old web chat".into(),
                created_at: now_s - 200 * 86_400,
                expires_at: Some(now_s - 100 * 86_400),
                revoked_at: None,
            },
        ],
    );
    let mut u = UsageEvidence {
        events: 500,
        first_ms: Some(NOW_MS - 20 * DAY_MS),
        last_ms: Some(NOW_MS - 3_600_000),
        ..Default::default()
    };
    u.keys.insert("aaaaaaaaaaaa".into(), Seen { count: 300, last_ms: NOW_MS - 3_600_000 });
    u.keys.insert("bbbbbbbbbbbb".into(), Seen { count: 200, last_ms: NOW_MS - 2 * DAY_MS });
    u.models.insert("gpt-4o-mini".into(), Seen { count: 500, last_ms: NOW_MS - 3_600_000 });
    u.apps.insert("scheduling".into(), Seen { count: 300, last_ms: NOW_MS - 3_600_000 });
    u.apps.insert("faq".into(), Seen { count: 200, last_ms: NOW_MS - 2 * DAY_MS });
    u.findings.insert("input.injection".into(), 7);
    u.findings.insert("input.phi.NAME".into(), 240);
    u.reasons.insert("auth.unknown".into(), 3);
    ev.usage = Source::gathered("test ledger", u);
    ev.incidents = Source::gathered(
        "incidents.json",
        IncidentEvidence {
            incidents: vec![IncidentFact {
                id: "inc-1".into(),
                severity: "high".into(),
                state: "closed".into(),
                opened_ms: NOW_MS - 40 * DAY_MS,
                contained_ms: Some(NOW_MS - 40 * DAY_MS + 900),
                contain_due_ms: Some(NOW_MS - 40 * DAY_MS + 3_600_000),
                close_due_ms: None,
            }],
            playbooks: 6,
        },
    );
    let control = |name: &str| DrillControl {
        name: name.into(),
        passed: true,
        status: None,
        time_to_detect_ms: Some(120),
        time_to_contain_ms: Some(640),
    };
    ev.drills = Source::gathered(
        "drills",
        vec![
            DrillScorecard {
                scenario: "injection-campaign".into(),
                finished: serde_json::json!("x"),
                passed: true,
                controls: vec![control("detect"), control("contain")],
                finished_ms: NOW_MS - 20 * DAY_MS,
            },
            DrillScorecard {
                scenario: "restore-from-backup".into(),
                finished: serde_json::json!("x"),
                passed: true,
                controls: vec![control("restore")],
                finished_ms: NOW_MS - 60 * DAY_MS,
            },
        ],
    );
    ev.evals = Source::gathered(
        "evals",
        vec![
            phi_eval(
                NOW_MS - 5 * DAY_MS,
                "test",
                &[
                    ("east_asian", 300, 291),
                    ("hispanic", 310, 302),
                    ("anglo", 320, 314),
                    ("tiny", 5, 1),
                ],
                &[("en", 400, 390), ("es", 380, 366)],
                (4000, 3920),
            ),
            injection_eval(
                NOW_MS - 5 * DAY_MS,
                &[("English", 40, 0), ("Spanish", 40, 1), ("French", 40, 1)],
                &[("notinject", 300, 6), ("medquad", 300, 3)],
                (1000, 20),
            ),
        ],
    );
    ev.sinks = Source::gathered(
        "strong.toml [[sinks]]",
        SinkEvidence { kinds: vec!["splunk_hec".into()] },
    );
    ev.identity = Source::gathered(
        "strong.toml [identity]",
        IdentityEvidence {
            keys: vec![
                "session_ttl_secs = 1800".into(),
                "staff.break_glass_roles = clinician, nurse".into(),
            ],
            has_break_glass: true,
        },
    );
    ev.admins = Source::gathered(
        "strong.toml [[admins]]",
        vec![AdminFact { id: "ops-lead".into(), has_mfa: true }],
    );
    (cfg, ev)
}

pub fn weak(dir: &Path) -> (Config, Evidence) {
    let cfg = config(WEAK_TOML);
    let (led, mut posture) = ledger(dir, 30, false, true);
    posture.push(finding(
        "tls.listener",
        PStatus::Warn,
        "127.0.0.1:8686: plaintext HTTP on loopback only",
    ));
    posture.push(finding(
        "tls.upstream",
        PStatus::Fail,
        "upstreams.vendor: plaintext http:// to a non-loopback host; use https://",
    ));
    posture.push(finding("audit.key_source", PStatus::Warn, "development default KEK file"));
    let mut ev = Evidence::empty(NOW_MS, "weak.toml", "/tmp/phiwall-weak");
    ev.ledger = Source::gathered("test ledger", led);
    ev.posture = Source::gathered("phiwall posture", posture);
    let now_s = NOW_MS / 1000;
    ev.keys = Source::gathered(
        "keys.sqlite3",
        vec![
            KeyFact {
                prefix: "dddddddddddd".into(),
                app: "frontdesk".into(),
                name: "shared".into(),
                created_at: now_s - 200 * 86_400,
                expires_at: None,
                revoked_at: None,
            },
            KeyFact {
                prefix: "eeeeeeeeeeee".into(),
                app: "frontdesk".into(),
                name: "shared".into(),
                created_at: now_s - 20 * 86_400,
                expires_at: None,
                revoked_at: None,
            },
            KeyFact {
                prefix: "ffffffffffff".into(),
                app: "old-app".into(),
                name: "pilot".into(),
                created_at: now_s - 300 * 86_400,
                expires_at: None,
                revoked_at: None,
            },
        ],
    );
    let mut u = UsageEvidence { events: 40, unauthenticated_success: 3, ..Default::default() };
    u.keys.insert("eeeeeeeeeeee".into(), Seen { count: 37, last_ms: NOW_MS - DAY_MS });
    u.models.insert("llama".into(), Seen { count: 40, last_ms: NOW_MS - DAY_MS });
    ev.usage = Source::gathered("events.jsonl", u);
    ev.incidents = Source::gathered(
        "incidents.json",
        IncidentEvidence {
            incidents: vec![IncidentFact {
                id: "inc-7".into(),
                severity: "critical".into(),
                state: "analyzing".into(),
                opened_ms: NOW_MS - 3 * DAY_MS,
                contained_ms: None,
                contain_due_ms: None,
                close_due_ms: None,
            }],
            playbooks: 0,
        },
    );
    ev.drills = Source::gathered(
        "drills",
        vec![DrillScorecard {
            scenario: "bulk-exfiltration".into(),
            finished: serde_json::json!("x"),
            passed: false,
            controls: vec![DrillControl {
                name: "contain".into(),
                passed: false,
                status: None,
                time_to_detect_ms: None,
                time_to_contain_ms: None,
            }],
            finished_ms: NOW_MS - 400 * DAY_MS,
        }],
    );
    ev.evals = Source::gathered(
        "evals",
        vec![
            phi_eval(
                NOW_MS - 400 * DAY_MS,
                "dev",
                &[("east_asian", 300, 210), ("anglo", 320, 314)],
                &[],
                (4000, 3300),
            ),
            injection_eval(
                NOW_MS - 400 * DAY_MS,
                &[("English", 40, 0), ("Spanish", 40, 12)],
                &[("notinject", 300, 60), ("medquad", 300, 3)],
                (1000, 90),
            ),
        ],
    );
    ev.admins = Source::gathered(
        "weak.toml [[admins]]",
        vec![AdminFact { id: "it-admin".into(), has_mfa: false }],
    );
    (cfg, ev)
}

pub fn report(cfg: &Config, ev: &Evidence) -> AuditReport {
    phiwall_audit::run(cfg, ev, &AuditSettings::default(), "0.1.0-test")
}
