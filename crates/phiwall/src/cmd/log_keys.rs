//! `phiwall log keys ...`: the ledger's key-encryption keys and data keys (issue #6): create a KEK
//! file, show key status and ages, rotate (new KEK version and re-wrap of every data key, no
//! re-encryption, no downtime: a running writer keeps appending), re-wrap after an external
//! rotation, and crypto-shred segments for retention.

use crate::cmd::log::{DirArgs, KeyArgs};
use crate::output::{self, Exit};
use phiwall_ledger::keys::{check_key_file_mode, KeyRing};
use phiwall_ledger::store::{list_segments, LedgerReader, WRITER_LOCK};
use phiwall_ledger::timefmt::{format_micros, parse_time};
use phiwall_ledger::{Clock, FileKeyProvider, SystemClock};
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommands of `phiwall keys`.
#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Create a new KEK file (mode 0600) with one random key.
    Init {
        /// Where to create it (default `<data-dir>/../keys/ledger.kek`).
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        #[command(flatten)]
        dir: DirArgs,
    },
    /// Show KEK versions, data keys, the signing key, key ages and file permissions.
    Status {
        #[command(flatten)]
        dir: DirArgs,
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Create a new KEK version and re-wrap every data key and the signing key with it.
    Rotate {
        #[command(flatten)]
        dir: DirArgs,
        #[command(flatten)]
        keys: KeyArgs,
        /// Then destroy older KEK versions (makes old copies of wrapped keys useless).
        #[arg(long)]
        retire: bool,
    },
    /// Re-wrap every data key with the provider's newest KEK version (after rotating at the
    /// key source, e.g. an environment variable or a KMS).
    Rewrap {
        #[command(flatten)]
        dir: DirArgs,
        #[command(flatten)]
        keys: KeyArgs,
    },
    /// Crypto-shred: destroy the data keys of segments; their events become unreadable for
    /// good while the chain and Merkle tree still verify.
    Shred {
        #[command(flatten)]
        dir: DirArgs,
        /// Segment indexes to shred.
        #[arg(long = "segment", value_name = "N")]
        segments: Vec<u32>,
        /// Shred every segment whose newest record is older than this time (retention).
        #[arg(long, value_name = "TIME")]
        before: Option<String>,
        /// Confirm: shredding cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

/// Run a `phiwall keys` subcommand.
pub fn run(c: KeysCommand) -> anyhow::Result<ExitCode> {
    let now = SystemClock.now_micros();
    match c {
        KeysCommand::Init { key_file, dir } => {
            let path = key_file.unwrap_or_else(|| KeyArgs::default_key_file(&dir.data_dir));
            FileKeyProvider::create(&path)?;
            output::line(&format!(
                "created key file {} (mode 0600) with KEK version 1",
                path.display()
            ));
            output::line(
                "back it up somewhere safe: without it the ledger's events cannot be read",
            );
        }
        KeysCommand::Status { dir, keys, json } => return status(&dir, &keys, json, now),
        KeysCommand::Rotate { dir, keys, retire } => {
            let provider = keys.provider(&dir.data_dir)?;
            let v = provider.rotate()?;
            let r = KeyRing::new(&dir.data_dir).rewrap(provider.as_ref(), now)?;
            output::line(&format!(
                "KEK version {v} created; {} data keys re-wrapped{}",
                r.segments_rewrapped,
                if r.signing_rewrapped { ", signing key re-wrapped" } else { "" }
            ));
            if retire {
                // Re-wrap once more under the lock: a writer may have added a segment meanwhile.
                KeyRing::new(&dir.data_dir).rewrap(provider.as_ref(), now)?;
                provider.retire_below(v)?;
                output::line(&format!("KEK versions below {v} destroyed"));
            }
        }
        KeysCommand::Rewrap { dir, keys } => {
            let provider = keys.provider(&dir.data_dir)?;
            let r = KeyRing::new(&dir.data_dir).rewrap(provider.as_ref(), now)?;
            output::line(&format!(
                "{} data keys re-wrapped under KEK version {}",
                r.segments_rewrapped, r.kek_version
            ));
        }
        KeysCommand::Shred { dir, segments, before, yes } => {
            return shred(&dir, segments, before, yes, now)
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn age_days(now: u64, then: u64) -> f64 {
    now.saturating_sub(then) as f64 / 86_400e6
}

fn status(dir: &DirArgs, keys: &KeyArgs, json: bool, now: u64) -> anyhow::Result<ExitCode> {
    let ring = KeyRing::new(&dir.data_dir).load()?;
    let mut warnings = Vec::new();
    let key_file = keys.key_file_path(&dir.data_dir);
    let permissions_ok =
        key_file.as_ref().map(|p| check_key_file_mode(p).map_err(|e| e.to_string()));
    if let Some(Err(e)) = &permissions_ok {
        warnings.push(e.clone());
    }
    let provider = keys.provider(&dir.data_dir).ok();
    let versions = provider.as_ref().and_then(|p| p.versions().ok()).unwrap_or_default();
    let current = versions.last().copied();
    if provider.is_none() {
        warnings.push("no usable key provider: KEK versions unknown".into());
    }
    let stale = ring
        .segments
        .iter()
        .filter(|(_, e)| e.wrapped.is_some() && Some(e.kek_version) != current)
        .count();
    if stale > 0 && current.is_some() {
        warnings.push(format!(
            "{stale} data keys are wrapped by an older KEK version: run `phiwall keys rewrap`"
        ));
    }
    if versions.len() > 1 {
        warnings.push(
            "older KEK versions still exist: `phiwall keys rotate --retire` destroys them".into(),
        );
    }
    let oldest_live =
        ring.segments.values().filter(|e| e.wrapped.is_some()).map(|e| e.created_micros).min();
    let segments: Vec<_> = ring
        .segments
        .iter()
        .map(|(i, e)| {
            serde_json::json!({
                "segment": i,
                "cipher": e.cipher,
                "kek_version": e.kek_version,
                "created": format_micros(e.created_micros),
                "age_days": age_days(now, e.created_micros),
                "shredded": e.shredded_micros.map(format_micros),
                "rewrapped": e.rewrapped_micros.map(format_micros),
            })
        })
        .collect();
    let report = serde_json::json!({
        "data_dir": dir.data_dir.display().to_string(),
        "key_source": provider.as_ref().map(|p| p.describe()),
        "key_file_permissions_ok": permissions_ok.as_ref().map(Result::is_ok),
        "kek_versions": versions,
        "current_kek_version": current,
        "signing_public_key": ring.signing.as_ref().map(|s| s.public_key.clone()),
        "signing_key_age_days": ring.signing.as_ref().map(|s| age_days(now, s.created_micros)),
        "oldest_live_data_key_age_days": oldest_live.map(|t| age_days(now, t)),
        "segments": segments,
        "warnings": warnings,
    });
    if json {
        output::line(&serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    output::line(&format!("ledger:        {}", dir.data_dir.display()));
    output::line(&format!(
        "key source:    {}",
        provider.as_ref().map_or_else(|| "unavailable".to_string(), |p| p.describe())
    ));
    output::line(&format!(
        "KEK versions:  {versions:?} (current {})",
        current.map_or("-".into(), |v| v.to_string())
    ));
    if let Some(s) = &ring.signing {
        output::line(&format!(
            "signing key:   ed25519 {} (created {}, KEK v{})",
            s.public_key,
            format_micros(s.created_micros),
            s.kek_version
        ));
    }
    let shredded = ring.segments.values().filter(|e| e.wrapped.is_none()).count();
    output::line(&format!("data keys:     {} segments, {shredded} shredded", ring.segments.len()));
    for (i, e) in &ring.segments {
        output::line(&format!(
            "  segment {i:>6}  {:<18} KEK v{:<3} created {}{}",
            e.cipher,
            e.kek_version,
            format_micros(e.created_micros),
            e.shredded_micros.map_or(String::new(), |t| format!("  SHREDDED {}", format_micros(t)))
        ));
    }
    for w in &warnings {
        output::warn(w);
    }
    Ok(ExitCode::SUCCESS)
}

fn shred(
    dir: &DirArgs,
    mut segments: Vec<u32>,
    before: Option<String>,
    yes: bool,
    now: u64,
) -> anyhow::Result<ExitCode> {
    let all = list_segments(&dir.data_dir)?;
    let newest = all.last().map(|(i, _)| *i);
    if let Some(b) = before {
        let cutoff = parse_time(&b)
            .ok_or_else(|| Exit::usage("--before: use RFC 3339 UTC, a date or epoch seconds"))?;
        let reader = LedgerReader::open(&dir.data_dir)?;
        for s in reader.segments() {
            if let Some(max) = s.records.iter().map(|r| r.time_micros).max() {
                if max < cutoff {
                    segments.push(s.name_index);
                }
            }
        }
    }
    segments.sort_unstable();
    segments.dedup();
    if segments.is_empty() {
        return Err(Exit::usage("nothing to shred: give --segment N or --before TIME"));
    }
    if Some(*segments.last().unwrap_or(&0)) == newest && writer_is_running(&dir.data_dir) {
        return Err(Exit::usage(
            "segment is being written by a running writer; restart the writer (it starts a new segment) and retry",
        ));
    }
    if !yes {
        return Err(Exit::usage(format!(
            "shredding segments {segments:?} destroys their events for good; repeat with --yes"
        )));
    }
    let ring = KeyRing::new(&dir.data_dir);
    for s in &segments {
        ring.shred(*s, now)?;
    }
    output::line(&format!("shredded the data keys of segments {segments:?}"));
    output::line("old KEK versions may still decrypt earlier copies of the key ring: run `phiwall keys rotate --retire`");
    Ok(ExitCode::SUCCESS)
}

/// Whether another process holds the writer lock.
fn writer_is_running(dir: &std::path::Path) -> bool {
    let Ok(f) = std::fs::OpenOptions::new().write(true).open(dir.join(WRITER_LOCK)) else {
        return false;
    };
    match f.try_lock() {
        Ok(()) => {
            let _ = f.unlock();
            false
        }
        Err(_) => true,
    }
}
