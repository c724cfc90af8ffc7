//! `phiwall cluster status`: the replicas of a cluster as PostgreSQL knows them (heartbeat age,
//! the fingerprint of the policy each runs, the size of its latest published ledger
//! checkpoint), so an operator sees a dead replica or one running a different policy.

use crate::output::{self, Exit, EXIT_CHECK_FAILED};
use phiwall_gateway::cluster::config::StoreConfig;
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommands of `phiwall cluster`.
#[derive(Debug, clap::Subcommand)]
pub enum ClusterCommand {
    /// List replicas: last heartbeat, policy fingerprint, published ledger size. Exit 1 when
    /// replicas seen in the last minute run different policies.
    Status {
        /// Configuration with `[store] backend = "cluster"`.
        #[arg(long)]
        config: PathBuf,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Run `phiwall cluster ...`.
pub fn run(c: ClusterCommand) -> anyhow::Result<ExitCode> {
    let ClusterCommand::Status { config, json } = c;
    let cfg = super::serve::load_config(Some(&config), None, None)?;
    let StoreConfig::Cluster(sc) = &cfg.store else {
        return Err(Exit::usage(format!(
            "{}: [store] backend is not \"cluster\"; nothing to report",
            config.display()
        )));
    };
    let backend = phiwall_gateway::cluster::connect_postgres(sc).map_err(Exit::usage)?;
    let replicas = backend.replicas().map_err(|e| Exit::usage(format!("reading replicas: {e}")))?;
    let checkpoints = backend
        .latest_checkpoints()
        .map_err(|e| Exit::usage(format!("reading checkpoints: {e}")))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let live: Vec<_> = replicas.iter().filter(|r| now - r.last_seen <= 60).collect();
    let mut prints: Vec<&str> = live.iter().map(|r| r.config_sha256.as_str()).collect();
    prints.sort_unstable();
    prints.dedup();
    let is_drift = prints.len() > 1;
    let mine = phiwall_gateway::cluster::policy_fingerprint(&cfg);
    let rows: Vec<serde_json::Value> = replicas
        .iter()
        .map(|r| {
            let size =
                checkpoints.iter().find(|c| c.replica_id == r.replica_id).map(|c| c.tree_size);
            serde_json::json!({
                "replica_id": r.replica_id,
                "last_seen_secs_ago": now - r.last_seen,
                "is_live": now - r.last_seen <= 60,
                "policy_sha256": r.config_sha256,
                "is_same_policy_as_config": r.config_sha256 == mine,
                "ledger_checkpoint_size": size,
            })
        })
        .collect();
    if json {
        output::line(
            &serde_json::json!({"replicas": rows, "is_policy_drift": is_drift}).to_string(),
        );
    } else {
        output::line(&format!(
            "{:<24} {:>10} {:<6} {:<16} {:>12}",
            "REPLICA", "SEEN(s)", "LIVE", "POLICY", "LEDGER"
        ));
        for r in &rows {
            output::line(&format!(
                "{:<24} {:>10} {:<6} {:<16} {:>12}",
                r["replica_id"].as_str().unwrap_or_default(),
                r["last_seen_secs_ago"],
                if r["is_live"] == true { "yes" } else { "no" },
                r["policy_sha256"].as_str().unwrap_or_default().get(..12).unwrap_or_default(),
                r["ledger_checkpoint_size"],
            ));
        }
        if is_drift {
            output::warn("live replicas run different policies (apps or model routes differ)");
        }
    }
    Ok(if is_drift { ExitCode::from(EXIT_CHECK_FAILED) } else { ExitCode::SUCCESS })
}
