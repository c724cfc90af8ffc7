//! `phiwall log ...`: verify, read, prove, export and benchmark the tamper-evident audit
//! ledger (issue #6). Key management is `phiwall log keys ...` (cmd/log_keys.rs).
//!
//! Exit codes: `log verify` exits 0 when the ledger verifies and 1 when tampering is found;
//! other subcommands exit 0 on success, 2 on usage errors and 3 on unreadable input.

use crate::output::{self, Exit, EXIT_CHECK_FAILED};
use anyhow::Context;
use phiwall_ledger::checkpoint::Checkpoint;
use phiwall_ledger::keys::{parse_public_key, EnvKeyProvider, FileKeyProvider, KeyProvider};
use phiwall_ledger::store::{read_checkpoints, EventRecord, LedgerReader};
use phiwall_ledger::timefmt::{format_micros, parse_time};
use phiwall_ledger::{
    hex, prove, verify_dir, Appender, FsyncPolicy, LedgerConfig, SystemClock, VerifyOptions,
};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Environment variable read for KEKs when neither `--key-file` nor `--key-env` is given.
pub const DEFAULT_KEK_ENV: &str = "PHIWALL_LEDGER_KEK";

/// Where the ledger lives.
#[derive(Debug, Clone, clap::Args)]
pub struct DirArgs {
    /// Ledger directory (segments, checkpoints.log, keyring.json).
    #[arg(long, value_name = "DIR", default_value = "phiwall-data/ledger")]
    pub data_dir: PathBuf,
}

/// Where the key-encryption keys come from.
#[derive(Debug, Clone, clap::Args)]
pub struct KeyArgs {
    /// KEK file (mode 0600, lines `VERSION:HEX`); default `<data-dir>/../keys/ledger.kek`
    /// unless $PHIWALL_LEDGER_KEK is set.
    #[arg(long, value_name = "FILE", conflicts_with = "key_env")]
    pub key_file: Option<PathBuf>,
    /// Environment variable holding the KEKs (`VERSION:HEX,VERSION:HEX`).
    #[arg(long, value_name = "VAR")]
    pub key_env: Option<String>,
}

impl KeyArgs {
    /// The default key file for a ledger directory.
    pub fn default_key_file(data_dir: &Path) -> PathBuf {
        data_dir.parent().unwrap_or(Path::new(".")).join("keys").join("ledger.kek")
    }

    /// The key file this invocation uses, if the source is a file.
    pub fn key_file_path(&self, data_dir: &Path) -> Option<PathBuf> {
        match (&self.key_file, &self.key_env) {
            (Some(f), _) => Some(f.clone()),
            (None, Some(_)) => None,
            (None, None) if std::env::var_os(DEFAULT_KEK_ENV).is_some() => None,
            (None, None) => Some(Self::default_key_file(data_dir)),
        }
    }

    /// Open the provider (enforcing key-file permissions).
    pub fn provider(&self, data_dir: &Path) -> anyhow::Result<Arc<dyn KeyProvider>> {
        if let Some(var) = &self.key_env {
            return Ok(Arc::new(EnvKeyProvider::from_env(var)?));
        }
        match self.key_file_path(data_dir) {
            Some(path) => {
                let p = FileKeyProvider::open(&path).with_context(|| {
                    format!(
                        "cannot use key file {}; create one with `phiwall log keys init --key-file {}`",
                        path.display(),
                        path.display()
                    )
                })?;
                Ok(Arc::new(p))
            }
            None => Ok(Arc::new(EnvKeyProvider::from_env(DEFAULT_KEK_ENV)?)),
        }
    }
}

/// Subcommands of `phiwall log`.
#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Manage the ledger's encryption keys: init, status, rotate, rewrap, shred.
    #[command(subcommand)]
    Keys(super::log_keys::KeysCommand),
    /// Check hashes, chain, segments and signed checkpoints; exit 1 if tampering is found.
    Verify(VerifyArgs),
    /// Decrypt and print events (all, or a sequence or time range).
    Show(ShowArgs),
    /// Decrypt and print events matching filters (kind, app, session, patient reference, time).
    Search(ShowArgs),
    /// Print an inclusion proof for record SEQ (and optionally a consistency proof).
    Prove(ProveArgs),
    /// Export records as JSONL (decrypted when a key is available).
    Export(ExportArgs),
    /// Print the latest signed checkpoint as JSON, for an auditor or SIEM to keep.
    Checkpoint(CheckpointArgs),
    /// Append events read as JSONL from stdin; each is durable before the command exits.
    Append(AppendArgs),
    /// Measure sustained append, verification and proof generation.
    Bench(BenchArgs),
}

/// `log verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    dir: DirArgs,
    /// A checkpoint kept from earlier (JSON from `phiwall log checkpoint`).
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Trusted Ed25519 public key (hex, or a file holding it), overriding the key ring's.
    #[arg(long, value_name = "HEX|FILE")]
    public_key: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Verify every replica's chain against the checkpoints published to PostgreSQL
    /// (needs --config with `[store] backend = "cluster"`).
    #[arg(long, requires = "config")]
    cluster: bool,
    /// Gateway configuration (for --cluster: PostgreSQL and the ledger root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory holding one chain per replica (default: audit.dir from --config).
    #[arg(long, value_name = "DIR")]
    ledger_root: Option<PathBuf>,
}

/// `log show` and `log search`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    dir: DirArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// Only records at or after this time (RFC 3339 UTC, a date, or epoch seconds).
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// Only records before this time.
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
    /// Only records with seq >= this.
    #[arg(long)]
    seq_from: Option<u64>,
    /// Only records with seq <= this.
    #[arg(long)]
    seq_to: Option<u64>,
    /// Only events whose JSON `kind` (or `class`/`type`) equals this.
    #[arg(long)]
    kind: Option<String>,
    /// Only events whose JSON `app` equals this.
    #[arg(long)]
    app: Option<String>,
    /// Only events whose JSON `session` (or `session_id`) equals this.
    #[arg(long)]
    session: Option<String>,
    /// Only events whose keyed patient reference (`patient_ref`) equals this.
    #[arg(long)]
    patient_ref: Option<String>,
    /// Print at most this many events.
    #[arg(long)]
    limit: Option<usize>,
    /// Print JSONL instead of lines for people.
    #[arg(long)]
    json: bool,
}

/// `log prove`.
#[derive(Debug, clap::Args)]
pub struct ProveArgs {
    #[command(flatten)]
    dir: DirArgs,
    /// The record to prove.
    seq: u64,
    /// Tree size to prove against (default: the latest checkpoint covering SEQ, else the log).
    #[arg(long)]
    tree_size: Option<u64>,
    /// Also prove the tree of this size is a prefix of the proved tree.
    #[arg(long, value_name = "SIZE")]
    consistency_from: Option<u64>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per record: seq, time, segment, hash and the event.
    Jsonl,
    /// One OCSF event per line: events that already carry `class_uid` pass through, others
    /// become OCSF Base Events (class 0, activity "Other") with the event under `unmapped`;
    /// `metadata` carries the ledger seq and record hash.
    Ocsf,
}

/// `log export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    dir: DirArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExportFormat,
    /// Export record metadata and hashes only, without decrypting.
    #[arg(long)]
    no_decrypt: bool,
    /// Write here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `log checkpoint`.
#[derive(Debug, clap::Args)]
pub struct CheckpointArgs {
    #[command(flatten)]
    dir: DirArgs,
    /// Write here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `log append`.
#[derive(Debug, clap::Args)]
pub struct AppendArgs {
    #[command(flatten)]
    dir: DirArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// fsync policy: always, never, or a period like 10ms.
    #[arg(long, default_value = "always")]
    fsync: String,
    /// Print each acknowledged seq (after it is durable) on stdout.
    #[arg(long)]
    ack: bool,
}

/// `log bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Events to append.
    #[arg(long, default_value_t = 500_000)]
    events: u64,
    /// Bytes per event.
    #[arg(long, default_value_t = 200)]
    event_bytes: usize,
    /// Producer threads.
    #[arg(long, default_value_t = 4)]
    producers: usize,
    /// Each producer waits for durability every N events.
    #[arg(long, default_value_t = 1024)]
    wait_every: u64,
    /// fsync policy: always, never, or a period like 10ms.
    #[arg(long, default_value = "always")]
    fsync: String,
    /// Inclusion proofs to time.
    #[arg(long, default_value_t = 10_000)]
    proofs: u64,
    /// Directory for the temporary ledger.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Keep N events in flight from one thread, each awaited by a durability callback (the
    /// async fail-closed pattern) instead of producer threads.
    #[arg(long, value_name = "N")]
    in_flight: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Run a `phiwall log` subcommand.
pub fn run(c: LogCommand) -> anyhow::Result<ExitCode> {
    match c {
        LogCommand::Keys(c) => super::log_keys::run(c),
        LogCommand::Verify(a) => verify(a),
        LogCommand::Show(a) => show(a, false),
        LogCommand::Search(a) => show(a, true),
        LogCommand::Prove(a) => prove_cmd(a),
        LogCommand::Export(a) => export(a),
        LogCommand::Checkpoint(a) => checkpoint(a),
        LogCommand::Append(a) => append(a),
        LogCommand::Bench(a) => bench(a),
    }
}

fn require_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Err(Exit::input(format!(
            "ledger directory {} does not exist; pass --data-dir DIR",
            dir.display()
        )));
    }
    Ok(())
}

fn verify_cluster(a: &VerifyArgs) -> anyhow::Result<ExitCode> {
    use phiwall_gateway::cluster::config::StoreConfig;
    let cfg = super::serve::load_config(a.config.as_ref(), None, None)?;
    let StoreConfig::Cluster(c) = &cfg.store else {
        return Err(Exit::usage(
            "--cluster needs a configuration with [store] backend = \"cluster\"",
        ));
    };
    let root = a.ledger_root.clone().unwrap_or_else(|| cfg.audit.dir.clone());
    let backend = phiwall_gateway::cluster::connect_postgres(c).map_err(Exit::usage)?;
    let verdicts =
        phiwall_gateway::cluster::verify::verify_cluster(&backend, &root).map_err(Exit::usage)?;
    let is_ok = !verdicts.is_empty() && verdicts.iter().all(|v| v.is_ok());
    if a.json {
        output::line(&serde_json::to_string_pretty(&serde_json::json!({
            "ok": is_ok, "ledger_root": root, "replicas": verdicts,
        }))?);
    } else {
        if verdicts.is_empty() {
            output::line(&format!(
                "no replica has published a checkpoint and no chain is under {}",
                root.display()
            ));
        }
        for v in &verdicts {
            output::line(&format!("{:<20} {:<14} {}", v.replica_id, v.status, v.detail));
        }
        output::line(if is_ok {
            "ok: every replica chain verified"
        } else {
            "CLUSTER LEDGER CHECK FAILED"
        });
    }
    Ok(if is_ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_CHECK_FAILED) })
}

fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    if a.cluster {
        return verify_cluster(&a);
    }
    require_dir(&a.dir.data_dir)?;
    let kept_checkpoint = match &a.checkpoint {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Exit::input(format!("cannot read checkpoint {}: {e}", p.display())))?;
            Some(Checkpoint::from_json_str(&text).map_err(|e| {
                Exit::input(format!(
                    "{} is not a checkpoint from `phiwall log checkpoint`: {e}",
                    p.display()
                ))
            })?)
        }
        None => None,
    };
    let public_key = match &a.public_key {
        Some(s) => {
            let text = if Path::new(s).is_file() {
                std::fs::read_to_string(s)
                    .map_err(|e| Exit::input(format!("cannot read {s}: {e}")))?
            } else {
                s.clone()
            };
            Some(
                parse_public_key(&text)
                    .ok_or_else(|| Exit::usage("--public-key: 64 hex characters expected"))?,
            )
        }
        None => None,
    };
    let report = verify_dir(&a.dir.data_dir, &VerifyOptions { kept_checkpoint, public_key })?;
    if a.json {
        output::line(&serde_json::to_string_pretty(&report)?);
    } else {
        match &report.problem {
            None => output::line(&format!(
                "ok: {} records in {} segments verified; {} checkpoints; root {}",
                report.records, report.segments, report.checkpoints, report.root
            )),
            Some(p) => output::line(&format!("TAMPERING FOUND: {p}")),
        }
        if report.kept_checkpoint_consistent == Some(true) {
            output::line("the kept checkpoint is consistent with the current log (consistency proof verified)");
        }
        for w in &report.warnings {
            output::warn(w);
        }
    }
    Ok(if report.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_CHECK_FAILED) })
}

/// String value of the first of `keys` present in a JSON object.
fn field<'a>(v: &'a serde_json::Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| v.get(*k).and_then(serde_json::Value::as_str))
}

fn event_json(e: &EventRecord) -> serde_json::Value {
    let mut o = serde_json::json!({
        "seq": e.seq,
        "time": format_micros(e.time_micros),
        "time_micros": e.time_micros,
        "segment": e.segment,
        "hash": hex::encode(&e.hash),
    });
    match &e.event {
        Ok(bytes) => {
            o["event"] = serde_json::from_slice(bytes).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())
            });
        }
        Err(msg) => o["unreadable"] = serde_json::Value::String(msg.clone()),
    }
    o
}

fn show(a: ShowArgs, is_search: bool) -> anyhow::Result<ExitCode> {
    require_dir(&a.dir.data_dir)?;
    let parse = |s: &Option<String>, flag: &str| -> anyhow::Result<Option<u64>> {
        s.as_deref()
            .map(|t| {
                parse_time(t).ok_or_else(|| {
                    Exit::usage(format!(
                        "{flag}: use RFC 3339 UTC (2026-01-31T12:00:00Z), a date or epoch seconds"
                    ))
                })
            })
            .transpose()
    };
    let (from, to) = (parse(&a.from, "--from")?, parse(&a.to, "--to")?);
    let has_content_filter =
        a.kind.is_some() || a.app.is_some() || a.session.is_some() || a.patient_ref.is_some();
    if is_search
        && !has_content_filter
        && from.is_none()
        && to.is_none()
        && a.seq_from.is_none()
        && a.seq_to.is_none()
    {
        return Err(Exit::usage("log search needs a filter (--kind, --app, --session, --patient-ref, --from, --to); use `log show` for everything"));
    }
    let provider = a.keys.provider(&a.dir.data_dir)?;
    let reader = LedgerReader::open(&a.dir.data_dir)?;
    let events = reader.events(Some(provider.as_ref()), |r| {
        from.is_none_or(|f| r.time_micros >= f)
            && to.is_none_or(|t| r.time_micros < t)
            && a.seq_from.is_none_or(|s| r.seq >= s)
            && a.seq_to.is_none_or(|s| r.seq <= s)
    })?;
    let mut out = output::stdout();
    let mut shown = 0usize;
    for e in &events {
        if a.limit.is_some_and(|l| shown >= l) {
            break;
        }
        if has_content_filter {
            let Ok(bytes) = &e.event else { continue };
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else { continue };
            let matches = |want: &Option<String>, keys: &[&str]| {
                want.as_deref().is_none_or(|w| field(&v, keys) == Some(w))
            };
            if !(matches(&a.kind, &["kind", "class", "type"])
                && matches(&a.app, &["app", "app_id"])
                && matches(&a.session, &["session", "session_id"])
                && matches(&a.patient_ref, &["patient_ref"]))
            {
                continue;
            }
        }
        shown += 1;
        if a.json {
            writeln!(out, "{}", event_json(e))?;
        } else {
            let body = match &e.event {
                Ok(b) => String::from_utf8_lossy(b).into_owned(),
                Err(m) => format!("<unreadable: {m}>"),
            };
            writeln!(
                out,
                "#{} {} seg {} {}",
                e.seq,
                format_micros(e.time_micros),
                e.segment,
                body
            )?;
        }
    }
    out.flush()?;
    drop(out);
    if !a.json {
        output::status(&format!("{shown} of {} records shown", reader.len()));
    }
    Ok(ExitCode::SUCCESS)
}

fn prove_cmd(a: ProveArgs) -> anyhow::Result<ExitCode> {
    require_dir(&a.dir.data_dir)?;
    let reader = LedgerReader::open(&a.dir.data_dir)?;
    let tree = reader.merkle_tree();
    let (checkpoints, _) = read_checkpoints(&a.dir.data_dir)?;
    let covering =
        checkpoints.iter().rev().find(|c| c.tree_size > a.seq && c.tree_size <= tree.len());
    let size = a.tree_size.or(covering.map(|c| c.tree_size)).unwrap_or(tree.len());
    let proof =
        prove::InclusionProof::build(&tree, a.seq, size).map_err(|e| Exit::usage(e.to_string()))?;
    let signed = checkpoints.iter().rev().find(|c| c.tree_size == size);
    let mut out = serde_json::json!({ "inclusion": proof.to_json() });
    if let Some(c) = signed {
        out["checkpoint"] = serde_json::to_value(c.to_json())?;
        out["matches_checkpoint"] =
            serde_json::Value::Bool(proof.verify_against(c) && c.is_self_signed_valid());
    }
    if let Some(old) = a.consistency_from {
        out["consistency"] = serde_json::to_value(
            prove::consistency(&tree, old, size).map_err(|e| Exit::usage(e.to_string()))?,
        )?;
    }
    output::line(&serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

fn export(a: ExportArgs) -> anyhow::Result<ExitCode> {
    require_dir(&a.dir.data_dir)?;
    let provider = if a.no_decrypt { None } else { Some(a.keys.provider(&a.dir.data_dir)?) };
    let reader = LedgerReader::open(&a.dir.data_dir)?;
    let events = reader.events(provider.as_deref(), |_| true)?;
    let mut sink: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(output::stdout()),
    };
    for e in &events {
        let v = match a.format {
            ExportFormat::Jsonl => {
                let mut v = event_json(e);
                if a.no_decrypt {
                    if let Some(o) = v.as_object_mut() {
                        o.remove("unreadable");
                    }
                }
                v
            }
            ExportFormat::Ocsf => ocsf(e),
        };
        writeln!(sink, "{v}")?;
    }
    sink.flush()?;
    drop(sink);
    if let Some(p) = &a.output {
        output::status(&format!("{} records exported to {}", events.len(), p.display()));
    }
    Ok(ExitCode::SUCCESS)
}

/// An OCSF (1.1) rendering of one ledger record.
fn ocsf(e: &EventRecord) -> serde_json::Value {
    use serde_json::{json, Value};
    let parsed: Option<Value> = e.event.as_ref().ok().and_then(|b| serde_json::from_slice(b).ok());
    let metadata = json!({
        "version": "1.1.0",
        "product": { "name": "phiwall", "vendor_name": "phiwall" },
        "log_name": "phiwall-ledger",
        "sequence": e.seq,
        "uid": hex::encode(&e.hash),
    });
    let time_ms = e.time_micros / 1000;
    match parsed {
        Some(Value::Object(mut o)) if o.contains_key("class_uid") => {
            let meta = o.entry("metadata").or_insert_with(|| json!({}));
            if let (Some(m), Some(add)) = (meta.as_object_mut(), metadata.as_object()) {
                for (k, v) in add {
                    m.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            o.entry("time").or_insert(json!(time_ms));
            Value::Object(o)
        }
        other => {
            let unmapped = match (&other, &e.event) {
                (Some(v), _) => v.clone(),
                (None, Ok(b)) => Value::String(String::from_utf8_lossy(b).into_owned()),
                (None, Err(m)) => json!({ "unreadable": m }),
            };
            let message = other
                .as_ref()
                .and_then(|v| field(v, &["kind", "type"]))
                .unwrap_or("phiwall ledger record")
                .to_string();
            json!({
                "class_uid": 0,
                "category_uid": 0,
                "activity_id": 99,
                "type_uid": 99,
                "severity_id": 1,
                "time": time_ms,
                "message": message,
                "metadata": metadata,
                "unmapped": unmapped,
            })
        }
    }
}

fn checkpoint(a: CheckpointArgs) -> anyhow::Result<ExitCode> {
    require_dir(&a.dir.data_dir)?;
    let (checkpoints, _) = read_checkpoints(&a.dir.data_dir)?;
    let Some(c) = checkpoints.last() else {
        return Err(Exit::input("the ledger has no signed checkpoint yet"));
    };
    let json = serde_json::to_string_pretty(&c.to_json())?;
    match &a.output {
        Some(p) => {
            std::fs::write(p, format!("{json}\n"))
                .with_context(|| format!("cannot write {}", p.display()))?;
            output::status(&format!(
                "checkpoint over {} records written to {}",
                c.tree_size,
                p.display()
            ));
        }
        None => output::line(&json),
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_fsync(s: &str) -> anyhow::Result<FsyncPolicy> {
    FsyncPolicy::parse(s)
        .ok_or_else(|| Exit::usage("--fsync: use always, never, or a period like 10ms"))
}

fn append(a: AppendArgs) -> anyhow::Result<ExitCode> {
    let provider = a.keys.provider(&a.dir.data_dir)?;
    let mut cfg = LedgerConfig::new(&a.dir.data_dir);
    cfg.fsync = parse_fsync(&a.fsync)?;
    let appender = Appender::open(cfg, provider, Arc::new(SystemClock))?;
    let r = appender.recovery();
    if r.truncated_bytes > 0 {
        output::warn(&format!(
            "recovered from a crash: cut a torn record of {} bytes",
            r.truncated_bytes
        ));
    }
    let stdin = std::io::stdin();
    let mut n = 0u64;
    let mut last = None;
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line.map_err(|e| Exit::input(format!("stdin line {}: {e}", i + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let seq = appender.append(line.as_bytes())?;
        if a.ack {
            appender.wait_durable(seq)?;
            output::line(&format!("ack {seq}"));
        }
        last = Some(seq);
        n += 1;
    }
    if let Some(s) = last {
        appender.wait_durable(s)?;
    }
    appender.close()?;
    output::status(&format!("{n} events appended and durable"));
    Ok(ExitCode::SUCCESS)
}

pub fn bench(a: BenchArgs) -> anyhow::Result<ExitCode> {
    let cfg = phiwall_ledger::bench::BenchConfig {
        events: a.events,
        event_bytes: a.event_bytes,
        producers: a.producers,
        wait_every: a.wait_every,
        fsync: parse_fsync(&a.fsync)?,
        proofs: a.proofs,
        dir: a.dir.unwrap_or_else(std::env::temp_dir),
        in_flight: a.in_flight,
    };
    let r = phiwall_ledger::bench::run(&cfg)?;
    if a.json {
        output::line(&serde_json::to_string_pretty(&r)?);
    } else {
        let mode = match r.in_flight {
            Some(k) => format!("{k} in flight, each awaited by callback"),
            None => format!("{} producers, wait every {}", r.producers, r.wait_every),
        };
        output::line(&format!(
            "append: {} events of {} bytes, {mode}, fsync {}: {:.0} events/s ({:.2} s wall, {:.2} s CPU)",
            r.events,
            r.event_bytes,
            r.fsync,
            r.append_events_per_second,
            r.append_seconds,
            r.append_cpu_seconds
        ));
        output::line(&format!(
            "verify: {:.0} records/s ({:.2} s wall, {:.2} s CPU, {} MB of segments)",
            r.verify_records_per_second,
            r.verify_seconds,
            r.verify_cpu_seconds,
            r.segment_bytes / 1_000_000
        ));
        output::line(&format!(
            "proof:  mean {:.1} us, p50 {:.1} us, p99 {:.1} us, max {:.1} us over {} inclusion proofs",
            r.proof_mean_micros, r.proof_p50_micros, r.proof_p99_micros, r.proof_max_micros, r.proofs
        ));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(event: Result<&[u8], &str>) -> EventRecord {
        EventRecord {
            seq: 9,
            time_micros: 1_700_000_000_123_456,
            segment: 0,
            hash: [0xab; 32],
            event: event.map(<[u8]>::to_vec).map_err(str::to_string),
        }
    }

    #[test]
    fn ocsf_passes_ocsf_events_through_and_wraps_others() {
        let v =
            ocsf(&rec(Ok(br#"{"class_uid":6003,"activity_id":1,"metadata":{"version":"1.0.0"}}"#)));
        assert_eq!(v["class_uid"], 6003);
        assert_eq!(v["metadata"]["version"], "1.0.0", "existing metadata wins");
        assert_eq!(v["metadata"]["sequence"], 9);
        assert_eq!(v["time"], 1_700_000_000_123u64);
        let v = ocsf(&rec(Ok(br#"{"kind":"denial"}"#)));
        assert_eq!((v["class_uid"].clone(), v["message"].clone()), (0.into(), "denial".into()));
        let v = ocsf(&rec(Err("segment 0 was crypto-shredded")));
        assert_eq!(v["unmapped"]["unreadable"], "segment 0 was crypto-shredded");
        assert_eq!(v["metadata"]["uid"], "ab".repeat(32));
    }

    #[test]
    fn default_key_file_sits_next_to_the_ledger() {
        assert_eq!(
            KeyArgs::default_key_file(Path::new("phiwall-data/ledger")),
            PathBuf::from("phiwall-data/keys/ledger.kek")
        );
    }
}
