//! `phiwall audit`: gather evidence (configuration, ledger verification, encryption posture,
//! API keys, traffic in the ledger, incidents, drills, saved evaluations) and write the
//! compliance and posture report (issue 9). The evaluation itself is `phiwall_audit::run`,
//! pure over what is gathered here.
//!
//! Read-only: nothing in the data directory is created or changed (the development KEK is
//! opened only if it exists). Output never holds secrets or PHI: key prefixes, app and model
//! names, counts and dates.
//!
//! Exit codes: 0 report written; 1 with `--strict` when a control or check fails; 2 usage or
//! configuration error; 3 unreadable input.

use crate::cmd::posture::{gateway_checks, scan_config};
use crate::output::{self, Exit, EXIT_CHECK_FAILED};
use anyhow::Context;
use phiwall_audit::evidence::{
    DrillScorecard, Evidence, IdentityEvidence, IncidentEvidence, IncidentFact, KeyFact,
    LedgerEvidence, SinkEvidence, Source, UsageEvidence,
};
use phiwall_audit::render::{render, Format};
use phiwall_audit::AuditSettings;
use phiwall_eval::saved::{SavedEval, SAVED_FORMAT};
use phiwall_gateway::config::{AuditKeySource, Config};
use phiwall_ledger::posture::{check_ledger, PostureLimits};
use phiwall_ledger::{
    Clock, FileKeyProvider, KeyProvider, LedgerReader, SystemClock, VerifyOptions,
};
use phiwall_store::KeyStore;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// One self-contained HTML file (summary, charts, drill-down per control).
    Html,
    /// Markdown.
    Md,
    /// The full report as JSON.
    Json,
    /// NIST OSCAL assessment-results JSON.
    Oscal,
    /// CycloneDX 1.6 ML-BOM of the models and upstreams (the AI inventory).
    Cyclonedx,
}

/// Arguments of `phiwall audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The gateway configuration to audit.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Data directory (keys.sqlite3, ledger/, drills/, evals/); default: data_dir from --config.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Md)]
    pub format: AuditFormat,
    /// Write the report here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Incidents from a JSON export (a list, or {"incidents": [...], "playbooks": N}) instead
    /// of the data directory's incidents.sqlite3.
    #[arg(long, value_name = "FILE")]
    pub incidents: Option<PathBuf>,
    /// Extra incident-response playbooks (*.toml) the gateway runs with (as `serve --playbooks`).
    #[arg(long, value_name = "DIR")]
    pub playbooks: Option<PathBuf>,
    /// Audit time (RFC 3339 UTC or a date), for reproducible reports; default now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Active keys unused for this many days are stale.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub stale_key_days: i64,
    /// Drills are due every this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub drill_max_age_days: i64,
    /// Saved evaluations are stale after this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub eval_max_age_days: i64,
    /// Largest acceptable spread of a rate across groups in the bias audit, in [0, 1].
    #[arg(long, value_name = "SPREAD", default_value_t = 0.05)]
    pub bias_tolerance: f64,
    /// Exit 1 when any control or check fails (for CI gates).
    #[arg(long)]
    pub strict: bool,
}

/// Run `phiwall audit`.
pub fn run(a: AuditArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&a.bias_tolerance) {
        return Err(Exit::usage("--bias-tolerance must be between 0 and 1"));
    }
    let now_ms = match &a.now {
        Some(t) => phiwall_audit::time::parse_ms(t).ok_or_else(|| {
            Exit::usage(format!("--now {t:?}: write it like 2026-11-29T12:00:00Z"))
        })?,
        None => i64::try_from(SystemClock.now_micros() / 1000).unwrap_or(i64::MAX),
    };
    let text = std::fs::read_to_string(&a.config)
        .map_err(|e| Exit::input(format!("cannot read {}: {e}", a.config.display())))?;
    let mut raw = phiwall_gateway::RawConfig::from_toml(&text)
        .map_err(|e| Exit::usage(format!("{}: {e}", a.config.display())))?;
    if let Some(d) = &a.data_dir {
        raw.data_dir = Some(d.display().to_string());
    }
    let cfg = raw.validate().map_err(|e| Exit::usage(format!("{}: {e}", a.config.display())))?;
    let table: toml::Table = text.parse().unwrap_or_default();
    let settings = AuditSettings {
        stale_key_days: a.stale_key_days,
        drill_max_age_days: a.drill_max_age_days,
        eval_max_age_days: a.eval_max_age_days,
        bias_tolerance: a.bias_tolerance,
        ..AuditSettings::default()
    };
    let evidence = gather(&a, &cfg, &text, &table, now_ms)?;
    let report = phiwall_audit::run(&cfg, &evidence, &settings, env!("CARGO_PKG_VERSION"));
    let format = match a.format {
        AuditFormat::Html => Format::Html,
        AuditFormat::Md => Format::Markdown,
        AuditFormat::Json => Format::Json,
        AuditFormat::Oscal => Format::Oscal,
        AuditFormat::Cyclonedx => Format::CycloneDx,
    };
    let body = render(&report, format).context("rendering the report")?;
    match &a.out {
        Some(p) => {
            std::fs::write(p, body).with_context(|| format!("writing {}", p.display()))?;
            let t = report.totals;
            output::status(&format!(
                "wrote {}: {} controls: {} pass, {} partial, {} fail, {} manual",
                p.display(),
                t.total(),
                t.pass,
                t.partial,
                t.fail,
                t.manual
            ));
        }
        None => {
            use std::io::Write;
            let mut out = output::stdout();
            out.write_all(body.as_bytes()).context("writing the report")?;
            out.flush().context("writing the report")?;
        }
    }
    Ok(if a.strict && report.has_failures() {
        ExitCode::from(EXIT_CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every evidence source, read-only.
fn gather(
    a: &AuditArgs,
    cfg: &Config,
    text: &str,
    table: &toml::Table,
    now_ms: i64,
) -> anyhow::Result<Evidence> {
    let data_dir = cfg.data_dir.clone();
    let mut ev =
        Evidence::empty(now_ms, &a.config.display().to_string(), &data_dir.display().to_string());
    let has_data = data_dir.is_dir();
    let no_data_reason = format!("data directory {} not found", data_dir.display());
    let no_data_fix = "pass --data-dir with the gateway's data directory";
    let ledger_dir = cfg.audit.dir.clone();
    let provider = key_provider(cfg);
    // Posture: configuration text and TLS always; the ledger and keys when there is a ledger.
    let base = a.config.parent().unwrap_or(Path::new("."));
    let mut posture = scan_config(text, &a.config.display().to_string(), base);
    posture.extend(gateway_checks(text));
    if ledger_dir.is_dir() {
        let key_file = match &cfg.audit.key {
            AuditKeySource::File(p) | AuditKeySource::DevDefault(p) => Some(p.as_path()),
            AuditKeySource::Env(_) => None,
        };
        posture.extend(check_ledger(
            &ledger_dir,
            provider.as_ref().ok().map(|p| p.as_ref() as &dyn KeyProvider),
            key_file.filter(|p| p.exists()),
            u64::try_from(now_ms).unwrap_or(0).saturating_mul(1000),
            PostureLimits::default(),
        ));
    }
    ev.posture = Source::gathered("phiwall posture", posture);
    if !has_data {
        ev.ledger = Source::absent(no_data_reason.clone(), no_data_fix);
        ev.keys = Source::absent(no_data_reason.clone(), no_data_fix);
        ev.usage = Source::absent(no_data_reason.clone(), no_data_fix);
        ev.drills = Source::absent(no_data_reason.clone(), no_data_fix);
        ev.evals = Source::absent(no_data_reason.clone(), no_data_fix);
    } else {
        ev.ledger = ledger(&ledger_dir);
        ev.keys = keys(&data_dir);
        ev.usage = usage(cfg, &ledger_dir, &data_dir, &provider);
        ev.drills = drills(&data_dir.join("drills"));
        ev.evals = evals(&data_dir.join("evals"));
    }
    if let Some(p) = &a.incidents {
        ev.incidents = incidents(p)?;
    } else if has_data || cfg.store.is_cluster() {
        ev.incidents = incident_store(cfg, a.playbooks.as_deref());
    }
    if let Some(s) = table.get("sinks") {
        let kinds: Vec<String> = s
            .as_array()
            .map(|arr| {
                arr.iter()
                    .map(|t| {
                        ["type", "kind"]
                            .iter()
                            .find_map(|k| t.get(*k).and_then(|v| v.as_str()))
                            .unwrap_or("unnamed")
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default();
        ev.sinks =
            Source::gathered(format!("{} [[sinks]]", a.config.display()), SinkEvidence { kinds });
    }
    if let Some(id) = &cfg.identity {
        use phiwall_gateway::identity_config::IdentityMode;
        let mut keys = vec![format!("session_ttl_secs = {}", id.session_ttl_secs)];
        for (app, a) in &id.apps {
            let mode = match a.mode {
                IdentityMode::Off => "off",
                IdentityMode::Caller => "caller",
                IdentityMode::Staff => "staff",
            };
            keys.push(format!("apps.{app}.mode = {mode}"));
        }
        let is_staff = id.apps.values().any(|a| a.mode == IdentityMode::Staff);
        if is_staff {
            keys.push(format!(
                "staff.break_glass_roles = {}",
                id.disclosure.break_glass_roles.join(", ")
            ));
        }
        ev.identity = Source::gathered(
            format!("{} [identity]", a.config.display()),
            IdentityEvidence {
                keys,
                has_break_glass: is_staff && !id.disclosure.break_glass_roles.is_empty(),
            },
        );
    }
    Ok(ev)
}

/// The ledger KEK provider the configuration names, opened read-only (never created).
fn key_provider(cfg: &Config) -> Result<Arc<dyn KeyProvider>, String> {
    match &cfg.audit.key {
        AuditKeySource::File(p) | AuditKeySource::DevDefault(p) => {
            if !p.exists() {
                return Err(format!("KEK file {} not found", p.display()));
            }
            FileKeyProvider::open(p)
                .map(|k| Arc::new(k) as Arc<dyn KeyProvider>)
                .map_err(|e| e.to_string())
        }
        AuditKeySource::Env(v) => phiwall_ledger::EnvKeyProvider::from_env(v)
            .map(|k| Arc::new(k) as Arc<dyn KeyProvider>)
            .map_err(|e| e.to_string()),
    }
}

fn ledger(dir: &Path) -> Source<LedgerEvidence> {
    if !dir.is_dir() {
        return Source::Failed { error: format!("no ledger directory at {}", dir.display()) };
    }
    let report = match phiwall_ledger::verify_dir(dir, &VerifyOptions::default()) {
        Ok(r) => r,
        Err(e) => return Source::Failed { error: e.to_string() },
    };
    let latest_checkpoint_micros =
        phiwall_ledger::store::read_checkpoints(dir).ok().and_then(|(cps, _)| {
            cps.iter()
                .filter(|c| {
                    Some(c.tree_size) == report.latest_checkpoint_size && c.is_self_signed_valid()
                })
                .map(|c| c.time_micros)
                .max()
        });
    let latest_record_micros =
        LedgerReader::open(dir).ok().and_then(|r| r.records().map(|(_, m)| m.time_micros).max());
    Source::gathered(
        format!("phiwall log verify {}", dir.display()),
        LedgerEvidence {
            dir: dir.display().to_string(),
            report,
            latest_checkpoint_micros,
            latest_record_micros,
        },
    )
}

fn keys(data_dir: &Path) -> Source<Vec<KeyFact>> {
    let path = data_dir.join("keys.sqlite3");
    if !path.exists() {
        return Source::absent(
            format!("no keys.sqlite3 in {}", data_dir.display()),
            "create keys with `phiwall keys create` (or pass the right --data-dir)",
        );
    }
    let store = match phiwall_store::SqliteKeyStore::open(data_dir) {
        Ok(s) => s,
        Err(e) => return Source::Failed { error: e.to_string() },
    };
    match store.list() {
        Ok(list) => Source::gathered(
            path.display().to_string(),
            list.into_iter()
                .map(|k| KeyFact {
                    prefix: k.prefix,
                    app: k.app,
                    name: k.name,
                    created_at: k.created_at,
                    expires_at: k.expires_at,
                    revoked_at: k.revoked_at,
                })
                .collect(),
        ),
        Err(e) => Source::Failed { error: e.to_string() },
    }
}

/// Write-ahead intents (`phiwall_gateway::audit::INTENT_CLASS`) whose request has no event
/// record yet: an intent adds its request id, the request's event (recorded after it) removes it.
fn track_intent(pending: &mut std::collections::HashSet<String>, v: &serde_json::Value) {
    let Some(id) = v.get("request_id").and_then(|r| r.as_str()) else { return };
    if v.get("class").and_then(|c| c.as_str()) == Some(phiwall_gateway::audit::INTENT_CLASS) {
        pending.insert(id.to_string());
    } else if v.get("class_uid").is_some() {
        pending.remove(id);
    }
}

/// Fold one event (JSON, as the gateway writes it) into the usage counts.
fn add_event(u: &mut UsageEvidence, v: &serde_json::Value) {
    // API events only: the ledger also holds write-ahead intents and incident records.
    if v.get("class_uid").and_then(|c| c.as_u64())
        != Some(u64::from(phiwall_watch::event::CLASS_API_ACTIVITY))
    {
        return;
    }
    let Some(time) = v.get("time").and_then(|t| t.as_i64()) else { return };
    u.events += 1;
    u.first_ms = Some(u.first_ms.map_or(time, |f| f.min(time)));
    u.last_ms = Some(u.last_ms.map_or(time, |l| l.max(time)));
    let actor = v.get("actor");
    if let Some(p) = actor.and_then(|a| a.get("key_prefix")).and_then(|p| p.as_str()) {
        u.keys.entry(p.to_string()).or_default().add(time);
    }
    if let Some(m) = v.get("model").and_then(|m| m.as_str()) {
        u.models.entry(m.to_string()).or_default().add(time);
    }
    if let Some(a) = v.get("app").and_then(|m| m.as_str()) {
        u.apps.entry(a.to_string()).or_default().add(time);
    }
    let outcome = v.get("outcome").and_then(|o| o.as_str()).unwrap_or("");
    let auth = actor.and_then(|a| a.get("auth")).and_then(|a| a.as_str()).unwrap_or("none");
    if outcome == "success" && auth == "none" {
        u.unauthenticated_success += 1;
    }
    if let Some(r) = v.get("reason").and_then(|r| r.as_str()) {
        *u.reasons.entry(r.to_string()).or_default() += 1;
    }
    if let Some(f) = v.get("findings").and_then(|f| f.as_object()) {
        for (k, n) in f {
            *u.findings.entry(k.clone()).or_default() += n.as_u64().unwrap_or(0);
        }
    }
}

fn usage(
    cfg: &Config,
    ledger_dir: &Path,
    data_dir: &Path,
    provider: &Result<Arc<dyn KeyProvider>, String>,
) -> Source<UsageEvidence> {
    let mut why = Vec::new();
    if ledger_dir.is_dir() {
        match provider {
            Ok(p) => match LedgerReader::open(ledger_dir)
                .and_then(|r| r.events(Some(p.as_ref()), |_| true))
            {
                Ok(events) => {
                    let mut u = UsageEvidence::default();
                    let mut undecryptable = 0usize;
                    let mut pending = std::collections::HashSet::new();
                    for e in &events {
                        match &e.event {
                            Ok(bytes) => {
                                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
                                    track_intent(&mut pending, &v);
                                    add_event(&mut u, &v);
                                }
                            }
                            Err(_) => undecryptable += 1,
                        }
                    }
                    u.forwarded_without_outcome = pending.len() as u64;
                    if undecryptable == 0 || u.events > 0 {
                        let from = if undecryptable > 0 {
                            format!("ledger {} ({undecryptable} records not decryptable, e.g. crypto-shredded)", ledger_dir.display())
                        } else {
                            format!("ledger {}", ledger_dir.display())
                        };
                        return Source::gathered(from, u);
                    }
                    why.push(
                        "no ledger record could be decrypted with the configured KEK".to_string(),
                    );
                }
                Err(e) => why.push(format!("ledger not readable: {e}")),
            },
            Err(e) => why.push(format!("ledger KEK not available: {e}")),
        }
    }
    let jsonl = data_dir.join("events.jsonl");
    if cfg.audit.is_jsonl_events && jsonl.is_file() {
        match std::fs::read_to_string(&jsonl) {
            Ok(t) => {
                let mut u = UsageEvidence::default();
                for line in t.lines() {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                        add_event(&mut u, &v);
                    }
                }
                return Source::gathered(jsonl.display().to_string(), u);
            }
            Err(e) => why.push(format!("{}: {e}", jsonl.display())),
        }
    }
    if why.is_empty() {
        why.push("no ledger and no events.jsonl".into());
    }
    Source::absent(why.join("; "), "make the ledger KEK available as configured in [audit] key (or keep audit.jsonl_events on)")
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

fn drills(dir: &Path) -> Source<Vec<DrillScorecard>> {
    if !dir.is_dir() {
        return Source::absent(
            format!("no drill scorecards ({} does not exist)", dir.display()),
            "run `phiwall drill run SCENARIO --target URL` against a staging gateway; scorecards are kept in <data-dir>/drills/",
        );
    }
    let files = match json_files(dir) {
        Ok(f) => f,
        Err(e) => return Source::Failed { error: e },
    };
    let mut out = Vec::new();
    for f in files {
        let parsed = std::fs::read_to_string(&f)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<DrillScorecard>(&t).map_err(|e| e.to_string()));
        match parsed {
            Ok(mut card) => {
                card.controls.iter_mut().for_each(|c| c.normalize());
                let ms = match &card.finished {
                    serde_json::Value::Number(n) => n.as_i64(),
                    serde_json::Value::String(s) => phiwall_audit::time::parse_ms(s),
                    _ => None,
                };
                match ms {
                    Some(ms) => {
                        card.finished_ms = ms;
                        out.push(card);
                    }
                    None => {
                        output::warn(&format!("{}: unreadable finish time; skipped", f.display()))
                    }
                }
            }
            Err(e) => {
                output::warn(&format!("{}: not a drill scorecard ({e}); skipped", f.display()))
            }
        }
    }
    Source::gathered(dir.display().to_string(), out)
}

fn evals(dir: &Path) -> Source<Vec<SavedEval>> {
    if !dir.is_dir() {
        return Source::absent(
            format!("no saved evaluations ({} does not exist)", dir.display()),
            format!("run `phiwall eval phi --split test --by origin --save-to {d}` and `phiwall eval injection --save-to {d}`", d = dir.display()),
        );
    }
    let files = match json_files(dir) {
        Ok(f) => f,
        Err(e) => return Source::Failed { error: e },
    };
    let mut out = Vec::new();
    for f in files {
        let parsed = std::fs::read_to_string(&f)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<SavedEval>(&t).map_err(|e| e.to_string()));
        match parsed {
            Ok(e) if e.format == SAVED_FORMAT => out.push(e),
            Ok(e) => output::warn(&format!(
                "{}: format {:?}, expected {SAVED_FORMAT}; skipped",
                f.display(),
                e.format
            )),
            Err(e) => {
                output::warn(&format!("{}: not a saved evaluation ({e}); skipped", f.display()))
            }
        }
    }
    Source::gathered(dir.display().to_string(), out)
}

/// Incidents from the responder's store (`<data-dir>/incidents.sqlite3`, or PostgreSQL in
/// cluster mode), read-only, and the number of playbook rules the gateway runs with.
fn incident_store(cfg: &Config, playbooks: Option<&Path>) -> Source<IncidentEvidence> {
    let data_dir = &cfg.data_dir;
    let path = data_dir.join("incidents.sqlite3");
    let (store, path) = if cfg.store.is_cluster() {
        match super::incidents::incident_store(cfg) {
            Ok(s) => (s, PathBuf::from("postgres: incidents")),
            Err(e) => return Source::Failed { error: format!("{e:#}") },
        }
    } else {
        if !path.is_file() {
            return Source::absent(
                format!(
                    "no incidents.sqlite3 in {}: incident response has not run",
                    data_dir.display()
                ),
                "run the gateway with `phiwall serve` (it starts the responder), or pass --incidents FILE",
            );
        }
        match phiwall_store::IncidentStore::open(data_dir) {
            Ok(s) => (std::sync::Arc::new(s), path),
            Err(e) => return Source::Failed { error: e.to_string() },
        }
    };
    let rows = match store.list() {
        Ok(r) => r,
        Err(e) => return Source::Failed { error: e.to_string() },
    };
    let mut incidents = Vec::with_capacity(rows.len());
    for row in rows {
        let contained = serde_json::from_str::<phiwall_respond::incident::Incident>(&row.body)
            .ok()
            .and_then(|i| i.contained_at);
        incidents.push(IncidentFact {
            id: row.id,
            severity: row.severity,
            state: row.status,
            opened_ms: row.opened_at,
            contained_ms: contained,
            contain_due_ms: None,
            close_due_ms: None,
        });
    }
    let playbooks = match phiwall_respond::playbook::PlaybookSet::load_dir(playbooks, false) {
        Ok(set) => set.rules.len(),
        Err(e) => return Source::Failed { error: format!("playbooks: {e}") },
    };
    Source::gathered(path.display().to_string(), IncidentEvidence { incidents, playbooks })
}

fn incidents(path: &Path) -> anyhow::Result<Source<IncidentEvidence>> {
    let t = std::fs::read_to_string(path)
        .map_err(|e| Exit::input(format!("cannot read {}: {e}", path.display())))?;
    let v: serde_json::Value = serde_json::from_str(&t)
        .map_err(|e| Exit::input(format!("{}: not JSON: {e}", path.display())))?;
    let (list, playbooks) = match &v {
        serde_json::Value::Array(_) => (v.clone(), 0),
        serde_json::Value::Object(o) => (
            o.get("incidents").cloned().unwrap_or(serde_json::Value::Array(Vec::new())),
            o.get("playbooks").and_then(|p| p.as_u64()).unwrap_or(0) as usize,
        ),
        _ => return Err(Exit::input(format!("{}: expected a list of incidents", path.display()))),
    };
    let incidents: Vec<IncidentFact> = serde_json::from_value(list)
        .map_err(|e| Exit::input(format!("{}: {e}", path.display())))?;
    Ok(Source::gathered(path.display().to_string(), IncidentEvidence { incidents, playbooks }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fold_into_usage() {
        let mut u = UsageEvidence::default();
        add_event(
            &mut u,
            &serde_json::json!({"class_uid": 6003, "time": 5, "actor": {"auth": "api_key", "key_prefix": "abc"}, "model": "m", "app": "a", "outcome": "success", "findings": {"input.phi.SSN": 2}}),
        );
        add_event(
            &mut u,
            &serde_json::json!({"class_uid": 6003, "time": 9, "actor": {"auth": "none"}, "outcome": "denied", "reason": "auth.missing"}),
        );
        add_event(&mut u, &serde_json::json!({"nonsense": true}));
        // A write-ahead intent of the first request is not a second event.
        add_event(
            &mut u,
            &serde_json::json!({"class": "forward_intent", "time": 4, "actor": {"auth": "api_key", "key_prefix": "abc"}, "findings": {"input.phi.SSN": 2}}),
        );
        assert_eq!(u.events, 2);
        let mut pending = std::collections::HashSet::new();
        for v in [
            serde_json::json!({"class": "forward_intent", "request_id": "req_a"}),
            serde_json::json!({"class": "forward_intent", "request_id": "req_b"}),
            serde_json::json!({"class_uid": 6003, "request_id": "req_a"}),
        ] {
            track_intent(&mut pending, &v);
        }
        assert_eq!(pending.into_iter().collect::<Vec<_>>(), ["req_b"], "b has no outcome");
        assert_eq!(u.keys["abc"].last_ms, 5);
        assert_eq!(u.findings["input.phi.SSN"], 2);
        assert_eq!(u.reasons["auth.missing"], 1);
        assert_eq!(u.unauthenticated_success, 0);
        assert_eq!((u.first_ms, u.last_ms), (Some(5), Some(9)));
    }
}
