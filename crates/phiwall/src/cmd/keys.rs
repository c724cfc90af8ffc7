//! `phiwall keys`: create, list, revoke and rotate gateway API keys in the data directory.
//!
//! A key is shown once, at creation or rotation; the store keeps only its SHA-256. Keys are
//! named by their prefix everywhere else (lists, events, revocation).

use crate::output::{self, Exit};
use anyhow::Context;
use phiwall_store::{KeyStore, SqliteKeyStore};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the key store is.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// Data directory holding keys.sqlite3 (default: data_dir from --config, else ./phiwall-data).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Configuration file, to find data_dir and check app names.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Subcommands of `phiwall keys`.
#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Create a key for an app profile; prints the key once.
    Create {
        #[command(flatten)]
        store: StoreArgs,
        /// App profile the key acts for.
        #[arg(long)]
        app: String,
        /// A label (who or what uses it).
        #[arg(long, default_value = "default")]
        name: String,
        /// Lifetime, e.g. 90d, 12h, 30m (default: never expires).
        #[arg(long)]
        ttl: Option<String>,
    },
    /// List keys (prefix, app, name, state); never shows secrets.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by prefix, effective immediately.
    Revoke {
        #[command(flatten)]
        store: StoreArgs,
        /// Key prefix (the 12 hex digits after `pw_`).
        prefix: String,
    },
    /// Replace a key: prints the new key once; the old one stops after --grace.
    Rotate {
        #[command(flatten)]
        store: StoreArgs,
        /// Key prefix.
        prefix: String,
        /// How long the old key keeps working, e.g. 1h (default 0: revoked now).
        #[arg(long, default_value = "0s")]
        grace: String,
    },
}

fn parse_duration(s: &str) -> anyhow::Result<i64> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().map_err(|_| {
        Exit::usage(format!("invalid duration {s:?}: write it like 90d, 12h, 30m or 45s"))
    })?;
    let mult = match unit {
        "s" | "" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(Exit::usage(format!("invalid duration unit in {s:?}: use s, m, h or d"))),
    };
    Ok(n.saturating_mul(mult))
}

fn open(store: &StoreArgs) -> anyhow::Result<(Box<dyn KeyStore>, Option<phiwall_gateway::Config>)> {
    let cfg = match &store.config {
        Some(p) => Some(super::serve::load_config(Some(p), None, store.data_dir.as_ref())?),
        None => None,
    };
    // Cluster mode: keys live in PostgreSQL; writes notify every replica (docs/cluster.md).
    if let Some(phiwall_gateway::cluster::config::StoreConfig::Cluster(c)) =
        cfg.as_ref().map(|c| &c.store)
    {
        let backend = phiwall_gateway::cluster::connect_postgres(c).map_err(Exit::usage)?;
        let s = phiwall_store::pg::PgKeyStore::open(backend)
            .context("cannot load keys from PostgreSQL")?;
        return Ok((Box::new(s), cfg));
    }
    let dir = store
        .data_dir
        .clone()
        .or_else(|| cfg.as_ref().map(|c| c.data_dir.clone()))
        .unwrap_or_else(|| PathBuf::from("./phiwall-data"));
    let s = SqliteKeyStore::open(&dir)
        .with_context(|| format!("cannot open the key store in {}", dir.display()))?;
    Ok((Box::new(s), cfg))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn state(r: &phiwall_store::KeyRecord, now: i64) -> &'static str {
    if r.revoked_at.is_some_and(|t| t <= now) {
        "revoked"
    } else if r.expires_at.is_some_and(|t| t <= now) {
        "expired"
    } else {
        "active"
    }
}

/// Run `phiwall keys ...`.
pub fn run(c: KeysCommand) -> anyhow::Result<ExitCode> {
    match c {
        KeysCommand::Create { store, app, name, ttl } => {
            let (s, cfg) = open(&store)?;
            if let Some(cfg) = &cfg {
                if !cfg.apps.contains_key(&app) {
                    return Err(Exit::usage(format!(
                        "no app profile {app:?} in the configuration (have: {})",
                        cfg.apps.keys().cloned().collect::<Vec<_>>().join(", ")
                    )));
                }
            }
            let ttl = ttl.as_deref().map(parse_duration).transpose()?;
            let k = phiwall_store::keys::create(s.as_ref(), &app, &name, ttl, now())
                .map_err(|e| Exit::usage(e.to_string()))?;
            output::status(&format!("created key {} for app {app} (shown once):", k.record.prefix));
            output::line(k.reveal());
        }
        KeysCommand::List { store, json } => {
            let (s, _) = open(&store)?;
            let t = now();
            let list = s.list().context("cannot list keys")?;
            if json {
                for r in &list {
                    let mut v = serde_json::to_value(r).context("serialize")?;
                    if let Some(o) = v.as_object_mut() {
                        o.insert("state".into(), state(r, t).into());
                    }
                    output::line(&v.to_string());
                }
            } else {
                output::line(&format!(
                    "{:<14} {:<16} {:<8} {:<12} NAME",
                    "PREFIX", "APP", "STATE", "EXPIRES"
                ));
                for r in &list {
                    let exp = r.expires_at.map_or("never".to_string(), |e| format!("{}", e));
                    output::line(&format!(
                        "{:<14} {:<16} {:<8} {:<12} {}",
                        r.prefix,
                        r.app,
                        state(r, t),
                        exp,
                        r.name
                    ));
                }
            }
        }
        KeysCommand::Revoke { store, prefix } => {
            let (s, _) = open(&store)?;
            if !s.revoke(&prefix, now()).context("cannot revoke")? {
                return Err(Exit::input(format!(
                    "no key with prefix {prefix:?} (see `phiwall keys list`)"
                )));
            }
            output::status(&format!("revoked key {prefix}"));
        }
        KeysCommand::Rotate { store, prefix, grace } => {
            let (s, _) = open(&store)?;
            let g = parse_duration(&grace)?;
            let k = phiwall_store::keys::rotate(s.as_ref(), &prefix, g, now())
                .map_err(|e| Exit::input(format!("{e} (see `phiwall keys list`)")))?;
            output::status(&format!(
                "rotated {prefix} -> {} (old key stops in {g} s); new key (shown once):",
                k.record.prefix
            ));
            output::line(k.reveal());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90d").unwrap(), 90 * 86400);
        assert_eq!(parse_duration("30").unwrap(), 30);
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("h").is_err());
    }
}
