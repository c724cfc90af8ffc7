//! `phiwall incidents ...`: list, inspect and drive incidents (issue 8) in the data directory,
//! and write the post-incident review.
//!
//! Every step goes through `phiwall-respond` (lifecycle enforced, records to the ledger). When a
//! gateway is running it holds the ledger writer: the step is then committed with its records
//! in the store's outbox and the gateway appends them within a second; containment changes
//! reach the running gateway by its 250 ms poll.
//!
//! Exit codes: 0 success; 2 usage errors (unknown incident, a move the lifecycle forbids,
//! invalid playbooks); 3 unreadable files.

use crate::output::{self, Exit};
use anyhow::Context;
use phiwall_ledger::{Appender, LedgerConfig};
use phiwall_respond::incident::severity_str;
use phiwall_respond::report::{self, Scorecard};
use phiwall_respond::{Incident, Lessons, PlaybookSet, Responder, Status, SystemClock};
use phiwall_store::ContainmentKind;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Where the incident store is.
#[derive(Debug, Clone, clap::Args)]
pub struct IncidentArgs {
    /// Data directory (default: data_dir from --config, else ./phiwall-data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Gateway configuration file (data directory, ledger directory and key).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Extra playbook files (*.toml) added to the embedded defaults.
    #[arg(long, global = true, value_name = "DIR")]
    pub playbooks: Option<PathBuf>,
    /// Who is acting (default: $USER).
    #[arg(long, global = true)]
    pub actor: Option<String>,
    #[command(subcommand)]
    pub command: IncidentsCommand,
}

/// Subcommands of `phiwall incidents`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum IncidentsCommand {
    /// List incidents (open ones unless --all).
    List {
        /// Include recovered and closed incidents.
        #[arg(long)]
        all: bool,
        /// JSON lines (with scorecard figures) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one incident: signatures, principals, actions, containment, notes.
    Show {
        /// Incident id, e.g. INC-000001.
        id: String,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Open an incident by hand (a report from staff, a drill); playbooks run as for a
    /// detection. Prints the incident id.
    Open {
        /// Detection kind, e.g. prompt_injection (see `incidents playbooks`).
        #[arg(long)]
        kind: String,
        /// Who: KIND:ID with KIND key, app, user, session, caller, source_ip or patient.
        #[arg(long)]
        principal: String,
        /// Related principals (KIND:ID, repeatable).
        #[arg(long = "related")]
        related: Vec<String>,
        /// informational, low, medium, high or critical.
        #[arg(long, default_value = "high")]
        severity: String,
    },
    /// Assign an owner (a detected incident moves to analyzing).
    Assign {
        /// Incident id.
        id: String,
        /// Owner handle.
        #[arg(long)]
        owner: String,
    },
    /// Add a note (kept in the store; its SHA-256 goes to the ledger).
    Note {
        /// Incident id.
        id: String,
        /// The note.
        #[arg(long)]
        text: String,
    },
    /// Move to analyzing or eradicated.
    Status {
        /// Incident id.
        id: String,
        /// `analyzing` or `eradicated`.
        to: String,
    },
    /// Contain: approve pending playbook actions and/or contain given targets.
    Contain {
        /// Incident id.
        id: String,
        /// Suspend API keys (prefix).
        #[arg(long = "key")]
        keys: Vec<String>,
        /// Suspend apps.
        #[arg(long = "app")]
        apps: Vec<String>,
        /// Quarantine sessions.
        #[arg(long = "session")]
        sessions: Vec<String>,
        /// Block client addresses.
        #[arg(long = "source-ip")]
        sources: Vec<String>,
        /// Block callers (keyed reference).
        #[arg(long = "caller")]
        callers: Vec<String>,
        /// Require sessions to verify again.
        #[arg(long = "reverify-session")]
        reverify: Vec<String>,
        /// Tighten apps' PHI policy (mask every PHI type in responses).
        #[arg(long = "tighten-app")]
        tighten: Vec<String>,
        /// Safe mode: the gateway releases no PHI at all.
        #[arg(long)]
        safe_mode: bool,
        /// Lifetime of the manual containment, e.g. 4h (default: until recovery).
        #[arg(long)]
        ttl: Option<String>,
    },
    /// Recover: lift every containment of the incident.
    Recover {
        /// Incident id.
        id: String,
    },
    /// Close with lessons learned.
    Close {
        /// Incident id.
        id: String,
        /// What happened (required).
        #[arg(long)]
        summary: String,
        /// Root cause.
        #[arg(long, default_value = "")]
        root_cause: String,
        /// What went well.
        #[arg(long, default_value = "")]
        went_well: String,
        /// What to improve.
        #[arg(long, default_value = "")]
        to_improve: String,
        /// Follow-up actions (repeatable).
        #[arg(long = "follow-up")]
        follow_ups: Vec<String>,
        /// HIPAA breach assessment outcome: notifiable (yes) or not (no).
        #[arg(long, value_parser = ["yes", "no"])]
        notifiable: Option<String>,
    },
    /// Write the post-incident review (Markdown and HTML) from the ledger.
    Report {
        /// Incident id.
        id: String,
        /// Output directory.
        #[arg(long, short = 'o', default_value = ".")]
        out: PathBuf,
    },
    /// Validate and list the playbooks in force.
    Playbooks,
}

struct Ctx {
    cfg: phiwall_gateway::Config,
    responder: Responder,
    is_ledger_held: bool,
    actor: String,
}

fn actor(a: Option<&String>) -> String {
    a.cloned()
        .or_else(|| std::env::var("USER").ok())
        .filter(|u| phiwall_respond::responder::check_handle("actor", u).is_ok())
        .unwrap_or_else(|| "operator".into())
}

/// The containment store a configuration enforces: PostgreSQL in cluster mode (every replica
/// polls it), else `containment.sqlite3` in the data directory.
fn containment_store(
    cfg: &phiwall_gateway::Config,
) -> anyhow::Result<Arc<dyn phiwall_store::ContainmentStore>> {
    if let phiwall_gateway::cluster::config::StoreConfig::Cluster(c) = &cfg.store {
        let backend = phiwall_gateway::cluster::connect_postgres(c).map_err(Exit::usage)?;
        return Ok(Arc::new(phiwall_store::pg::PgContainmentStore::open(backend)));
    }
    let s = phiwall_store::SqliteContainmentStore::open(&cfg.data_dir).with_context(|| {
        format!("cannot open the containment store in {}", cfg.data_dir.display())
    })?;
    Ok(Arc::new(s))
}

/// The incident store: PostgreSQL in cluster mode (shared by every replica), else
/// `incidents.sqlite3` in the data directory.
pub fn incident_store(
    cfg: &phiwall_gateway::Config,
) -> anyhow::Result<Arc<phiwall_store::IncidentStore>> {
    if let phiwall_gateway::cluster::config::StoreConfig::Cluster(c) = &cfg.store {
        let backend = phiwall_gateway::cluster::connect_postgres(c).map_err(Exit::usage)?;
        let id =
            phiwall_gateway::cluster::resolve_replica_id(&c.replica_id).map_err(Exit::usage)?;
        return Ok(Arc::new(phiwall_store::IncidentStore::postgres(backend, id)));
    }
    let s = phiwall_store::IncidentStore::open(&cfg.data_dir)
        .with_context(|| format!("cannot open the incident store in {}", cfg.data_dir.display()))?;
    Ok(Arc::new(s))
}

/// A responder over these incident and containment stores.
fn responder(
    cfg: &phiwall_gateway::Config,
    incidents: Arc<phiwall_store::IncidentStore>,
    containment: Arc<dyn phiwall_store::ContainmentStore>,
    playbooks: PlaybookSet,
) -> Responder {
    Responder::new(incidents, containment, playbooks, Arc::new(SystemClock))
        .with_evidence(cfg.audit.dir.clone(), cfg.data_dir.join("evidence"))
}

fn open(a: &IncidentArgs, with_ledger: bool) -> anyhow::Result<Ctx> {
    let mut cfg = super::serve::load_config(a.config.as_ref(), None, a.data_dir.as_ref())?;
    // Cluster mode: this replica's chain is `<audit.dir>/<replica_id>`, as `serve` uses it.
    if let phiwall_gateway::cluster::config::StoreConfig::Cluster(c) = &cfg.store {
        let id =
            phiwall_gateway::cluster::resolve_replica_id(&c.replica_id).map_err(Exit::usage)?;
        cfg.audit.dir = cfg.audit.dir.join(id);
    }
    let playbooks = PlaybookSet::load_dir(a.playbooks.as_deref(), false)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let mut responder = responder(&cfg, incident_store(&cfg)?, containment_store(&cfg)?, playbooks);
    let mut is_ledger_held = false;
    if with_ledger && cfg.audit.dir.exists() {
        let provider = phiwall_gateway::audit::key_provider(&cfg.audit)
            .map_err(|e| anyhow::anyhow!("ledger key: {e}"))?;
        let mut lc = LedgerConfig::new(&cfg.audit.dir);
        lc.fsync = cfg.audit.fsync;
        match Appender::open(lc, provider, Arc::new(phiwall_ledger::SystemClock)) {
            Ok(ap) => responder = responder.with_ledger(Arc::new(ap)),
            Err(phiwall_ledger::Error::Locked(_)) => is_ledger_held = true,
            Err(e) => return Err(e).context("cannot open the audit ledger"),
        }
    }
    Ok(Ctx { cfg, responder, is_ledger_held, actor: actor(a.actor.as_ref()) })
}

fn parse_principal(s: &str) -> anyhow::Result<phiwall_watch::Principal> {
    use phiwall_watch::PrincipalKind as K;
    let (k, id) = s.split_once(':').ok_or_else(|| {
        Exit::usage(format!("principal `{s}`: expected KIND:ID, e.g. key:0123456789ab"))
    })?;
    let kind = [K::Key, K::App, K::User, K::Session, K::Caller, K::SourceIp, K::Patient]
        .into_iter()
        .find(|x| x.as_str() == k)
        .ok_or_else(|| {
            Exit::usage(format!(
                "principal kind `{k}`: use key, app, user, session, caller, source_ip or patient"
            ))
        })?;
    if id.is_empty() {
        return Err(Exit::usage(format!("principal `{s}`: the id after `:` is empty")));
    }
    Ok(phiwall_watch::Principal::new(kind, id))
}

fn fmt_ms(ms: i64) -> String {
    phiwall_ledger::timefmt::format_micros(u64::try_from(ms.max(0)).unwrap_or(0) * 1_000)
}

fn print_incident(i: &Incident, c: &[phiwall_store::ContainmentEntry]) {
    output::line(&format!("{}  {}  {}  {}", i.id, i.status, severity_str(i.severity), i.title));
    output::line(&format!("  owner: {}", i.owner.as_deref().unwrap_or("-")));
    output::line(&format!(
        "  first detection: {}  opened: {}  contained: {}",
        fmt_ms(i.first_seen),
        fmt_ms(i.opened_at),
        i.contained_at.map(fmt_ms).unwrap_or_else(|| "-".into())
    ));
    output::line(&format!(
        "  detections: {}  patients (keyed refs): {}{}  techniques: {}",
        i.detections,
        i.patient_refs.len(),
        if i.is_patient_count_lower_bound { "+" } else { "" },
        i.techniques.iter().cloned().collect::<Vec<_>>().join(", ")
    ));
    output::line("  signatures:");
    for s in &i.signatures {
        output::line(&format!(
            "    {} by {}:{}  x{}  max {}",
            s.kind.as_str(),
            s.principal.kind.as_str(),
            s.principal.id,
            s.count,
            severity_str(s.severity)
        ));
    }
    output::line("  actions:");
    for a in &i.actions {
        output::line(&format!(
            "    {:<22} {:<28} {:<16} {} ({}){}",
            a.action,
            if a.target.is_empty() { "(all)" } else { &a.target },
            a.status.as_str(),
            fmt_ms(a.at),
            a.rule,
            a.expires_at.map(|e| format!(" expires {}", fmt_ms(e))).unwrap_or_default()
        ));
    }
    let active: Vec<_> = c.iter().filter(|e| e.lifted_at.is_none()).collect();
    output::line(&format!("  containment in force: {}", active.len()));
    for e in active {
        output::line(&format!("    {} {}", e.kind.as_str(), e.target));
    }
    for n in &i.notes {
        output::line(&format!("  note {} {}: {}", fmt_ms(n.time), n.author, n.text));
    }
}

fn after_step(ctx: &Ctx) {
    if ctx.is_ledger_held {
        output::status(
            "a running gateway holds the audit ledger: it appends these records within a second",
        );
    }
}

/// Run `phiwall incidents ...`.
pub fn run(a: IncidentArgs) -> anyhow::Result<ExitCode> {
    let needs_ledger = !matches!(
        a.command,
        IncidentsCommand::List { .. }
            | IncidentsCommand::Show { .. }
            | IncidentsCommand::Playbooks
            | IncidentsCommand::Report { .. }
    );
    let ctx = open(&a, needs_ledger)?;
    let r = &ctx.responder;
    let usage = |e: phiwall_respond::Error| -> anyhow::Error {
        match e {
            phiwall_respond::Error::Store(_)
            | phiwall_respond::Error::Ledger(_)
            | phiwall_respond::Error::Io { .. } => anyhow::Error::new(e),
            other => Exit::usage(other.to_string()),
        }
    };
    match a.command {
        IncidentsCommand::List { all, json } => {
            let list = r.list().map_err(usage)?;
            let mut w = output::stdout();
            use std::io::Write;
            if !json {
                writeln!(
                    w,
                    "{:<11} {:<10} {:<9} {:>10} {:<20} title",
                    "id", "status", "severity", "detections", "opened (UTC)"
                )?;
            }
            for i in list.iter().filter(|i| all || i.status.is_open()) {
                if json {
                    writeln!(w, "{}", serde_json::to_string(&Scorecard::of(i))?)?;
                } else {
                    writeln!(
                        w,
                        "{:<11} {:<10} {:<9} {:>10} {:<20} {}",
                        i.id,
                        i.status.as_str(),
                        severity_str(i.severity),
                        i.detections,
                        fmt_ms(i.opened_at),
                        i.title
                    )?;
                }
            }
            w.flush()?;
        }
        IncidentsCommand::Show { id, json } => {
            let i = r.get(&id).map_err(usage)?;
            let c = r.containment().for_incident(&id)?;
            if json {
                output::line(&serde_json::to_string_pretty(
                    &serde_json::json!({"incident": i, "containment": c}),
                )?);
            } else {
                print_incident(&i, &c);
            }
        }
        IncidentsCommand::Open { kind, principal, related, severity } => {
            let kind = phiwall_watch::DetectionKind::parse(&kind).ok_or_else(|| {
                Exit::usage(format!(
                    "unknown detection kind `{kind}`; see `phiwall incidents playbooks`"
                ))
            })?;
            let severity =
                phiwall_respond::incident::parse_severity(&severity).ok_or_else(|| {
                    Exit::usage(format!(
                        "unknown severity `{severity}`; use low, medium, high or critical"
                    ))
                })?;
            let principal = parse_principal(&principal)?;
            let related =
                related.iter().map(|r| parse_principal(r)).collect::<anyhow::Result<Vec<_>>>()?;
            let now = phiwall_respond::Clock::now_ms(&SystemClock);
            let d = phiwall_watch::Detection {
                id: format!("manual-{now}"),
                time: now,
                kind,
                severity,
                principal,
                related,
                patient_refs: Vec::new(),
                evidence: phiwall_watch::Evidence {
                    window_secs: 0,
                    observed: 1.0,
                    baseline: 0.0,
                    threshold: 1.0,
                    measure: format!("reported by {}", ctx.actor),
                },
                techniques: Vec::new(),
                request_ids: Vec::new(),
            };
            let o = r.ingest(&[d]).map_err(usage)?;
            for id in o.opened.iter().chain(o.touched.iter().filter(|t| !o.opened.contains(t))) {
                let i = r.get(id).map_err(usage)?;
                output::line(&format!("{} {} {}", i.id, i.status, severity_str(i.severity)));
            }
            after_step(&ctx);
        }
        IncidentsCommand::Assign { id, owner } => {
            let i = r.assign(&id, &owner, &ctx.actor).map_err(usage)?;
            output::line(&format!("{} assigned to {owner}; status {}", i.id, i.status));
            after_step(&ctx);
        }
        IncidentsCommand::Note { id, text } => {
            r.note(&id, &ctx.actor, &text).map_err(usage)?;
            output::line(&format!("note added to {id}"));
            after_step(&ctx);
        }
        IncidentsCommand::Status { id, to } => {
            let to = Status::parse(&to).ok_or_else(|| {
                Exit::usage(format!("unknown status `{to}`; use analyzing or eradicated"))
            })?;
            let i = r.set_status(&id, to, &ctx.actor).map_err(usage)?;
            output::line(&format!("{} is {}", i.id, i.status));
            after_step(&ctx);
        }
        IncidentsCommand::Contain {
            id,
            keys,
            apps,
            sessions,
            sources,
            callers,
            reverify,
            tighten,
            safe_mode,
            ttl,
        } => {
            let ttl_ms = match ttl.as_deref() {
                None => None,
                Some(t) => {
                    Some(phiwall_respond::playbook::parse_duration_ms(t).ok_or_else(|| {
                        Exit::usage(format!("--ttl {t}: expected a duration such as 30m, 4h or 7d"))
                    })?)
                }
            };
            let mut extra: Vec<(ContainmentKind, String)> = Vec::new();
            for (k, v) in [
                (ContainmentKind::SuspendKey, keys),
                (ContainmentKind::SuspendApp, apps),
                (ContainmentKind::QuarantineSession, sessions),
                (ContainmentKind::BlockSourceIp, sources),
                (ContainmentKind::BlockCaller, callers),
                (ContainmentKind::ReverifySession, reverify),
                (ContainmentKind::TightenApp, tighten),
            ] {
                extra.extend(v.into_iter().map(|t| (k, t)));
            }
            if safe_mode {
                extra.push((ContainmentKind::SafeMode, String::new()));
            }
            let (i, fresh) = r.contain(&id, &ctx.actor, &extra, ttl_ms).map_err(usage)?;
            output::line(&format!(
                "{} is {}; {fresh} new containment entr{} (a running gateway applies them within 250 ms)",
                i.id,
                i.status,
                if fresh == 1 { "y" } else { "ies" }
            ));
            after_step(&ctx);
        }
        IncidentsCommand::Recover { id } => {
            let i = r.recover(&id, &ctx.actor).map_err(usage)?;
            output::line(&format!("{} recovered; containment lifted", i.id));
            after_step(&ctx);
        }
        IncidentsCommand::Close {
            id,
            summary,
            root_cause,
            went_well,
            to_improve,
            follow_ups,
            notifiable,
        } => {
            let lessons = Lessons {
                summary,
                root_cause,
                went_well,
                to_improve,
                follow_ups,
                is_breach_notifiable: notifiable.map(|n| n == "yes"),
            };
            let i = r.close(&id, &ctx.actor, lessons).map_err(usage)?;
            output::line(&format!("{} closed", i.id));
            after_step(&ctx);
        }
        IncidentsCommand::Report { id, out } => {
            let i = r.get(&id).map_err(usage)?;
            let pending = r.store().outbox_for(&id)?.iter().filter(|o| o.seq.is_none()).count();
            let provider = phiwall_gateway::audit::key_provider(&ctx.cfg.audit)
                .map_err(|e| anyhow::anyhow!("ledger key: {e}"))?;
            let review = report::build(i, &ctx.cfg.audit.dir, provider.as_ref(), pending)
                .context("cannot read the audit ledger")?;
            std::fs::create_dir_all(&out)
                .map_err(|e| Exit::input(format!("cannot create {}: {e}", out.display())))?;
            let md = out.join(format!("{id}-review.md"));
            let html = out.join(format!("{id}-review.html"));
            std::fs::write(&md, review.markdown())
                .map_err(|e| Exit::input(format!("cannot write {}: {e}", md.display())))?;
            std::fs::write(&html, review.html())
                .map_err(|e| Exit::input(format!("cannot write {}: {e}", html.display())))?;
            output::line(&md.display().to_string());
            output::line(&html.display().to_string());
            output::status(&format!(
                "{} timeline records from the ledger, {} pending, {} patients (keyed refs)",
                review.timeline.len(),
                review.pending,
                review.patients.len()
            ));
        }
        IncidentsCommand::Playbooks => {
            let p = r.playbooks();
            output::line(&format!(
                "correlation window {} min; escalation: {} kinds or {} patients -> high, {} patients -> critical, {} detections -> +1",
                p.correlation.window_ms / 60_000,
                p.escalation.distinct_kinds_high,
                p.escalation.patients_high,
                p.escalation.patients_critical,
                p.escalation.detections_raise
            ));
            for rule in &p.rules {
                output::line(&format!(
                    "{} [{}] from {}",
                    rule.name,
                    rule.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
                    severity_str(rule.min_severity)
                ));
                for act in &rule.actions {
                    output::line(&format!("  {}", phiwall_respond::playbook::describe(act)));
                }
            }
            let missing = p.uncovered_kinds();
            if !missing.is_empty() {
                output::warn(&format!(
                    "no rule covers: {}",
                    missing.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Start the in-process responder next to a gateway (`phiwall serve`): it appends incident
/// records through the gateway's ledger writer, refreshes the gateway's containment state
/// after every change, lapses expired containment, and takes detections from the returned
/// thread's sender.
pub fn start_responder(
    gw: &phiwall_gateway::Gateway,
    cfg: &phiwall_gateway::Config,
    incidents: Arc<phiwall_store::IncidentStore>,
    playbooks: Option<&std::path::Path>,
) -> anyhow::Result<phiwall_respond::ResponderThread> {
    let set = PlaybookSet::load_dir(playbooks, false).map_err(|e| Exit::usage(e.to_string()))?;
    let c = gw.containment();
    // The store the gateway enforces (PostgreSQL in cluster mode), so what this responder
    // contains holds on every replica.
    let store = match c.store() {
        Some(s) => s,
        None => containment_store(cfg)?,
    };
    let mut r = responder(cfg, incidents, store, set)
        .on_containment_change(Arc::new(move || c.refresh_now()));
    if let Some(ap) = gw.audit_appender() {
        r = r.with_ledger(ap);
    }
    phiwall_respond::ResponderThread::start(r, 65_536)
        .context("cannot start the incident responder")
}
