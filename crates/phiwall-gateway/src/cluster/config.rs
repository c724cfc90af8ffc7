//! `[store]`: where shared state lives (issue 10). `embedded` (the default) keeps keys in
//! SQLite in the data directory and limits in memory, for one machine; `cluster` keeps keys in
//! PostgreSQL and limits in Redis so several replicas behind a load balancer act as one.
//!
//! Validation is pure and names the key and the fix; connecting happens in
//! [`super::Cluster::connect`].

use crate::config::SecretRef;
use serde::Deserialize;
use std::time::Duration;

/// `[store]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    /// `embedded` (default) or `cluster`.
    pub backend: Option<String>,
    /// PostgreSQL URL by reference (`env:VAR` or `file:PATH`); required for `cluster`.
    pub postgres_url: Option<String>,
    /// Redis URL by reference (`env:VAR` or `file:PATH`); required for `cluster`.
    pub redis_url: Option<String>,
    /// This replica's id (letters, digits, `-`, `_`, `.`; at most 63), or `env:VAR` (for
    /// example the pod name). Required for `cluster`; names its ledger directory.
    pub replica_id: Option<String>,
    /// Prefix of every Redis key (separates clusters sharing one Redis). Default `phiwall:`.
    pub redis_key_prefix: Option<String>,
    /// Bound on one Redis limit check, milliseconds. Default 50.
    pub limiter_timeout_ms: Option<u64>,
    /// `closed` (default: refuse when Redis cannot answer) or `open`.
    pub limiter_fail_mode: Option<String>,
    /// Lifetime of a local lease on a high-rate limit, milliseconds (see
    /// `phiwall_store::lease`). Default 100; 0 checks Redis on every request.
    pub limiter_lease_ms: Option<u64>,
    /// Full reconcile of cached keys while notifications flow, seconds. Default 10.
    pub reconcile_interval_secs: Option<u64>,
    /// Refuse requests when cached keys could not be confirmed for this long, seconds.
    /// Default 30.
    pub max_stale_secs: Option<u64>,
}

/// How the replica id is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaId {
    /// Written in the file.
    Literal(String),
    /// Read from an environment variable at start (checked then).
    Env(String),
}

/// Validated cluster settings.
#[derive(Debug, Clone)]
pub struct ClusterStoreConfig {
    /// PostgreSQL URL reference.
    pub postgres_url: SecretRef,
    /// Redis URL reference.
    pub redis_url: SecretRef,
    /// Replica id.
    pub replica_id: ReplicaId,
    /// Redis key prefix.
    pub redis_key_prefix: String,
    /// Limit check timeout.
    pub limiter_timeout: Duration,
    /// Lease lifetime for high-rate limits; zero disables leases.
    pub limiter_lease: Duration,
    /// Whether a failed limit check allows the request.
    pub is_limiter_fail_open: bool,
    /// Reconcile period.
    pub reconcile_interval: Duration,
    /// Staleness bound.
    pub max_stale: Duration,
}

/// Validated `[store]`.
#[derive(Debug, Clone, Default)]
pub enum StoreConfig {
    /// SQLite keys, in-memory limits.
    #[default]
    Embedded,
    /// PostgreSQL keys, Redis limits.
    Cluster(ClusterStoreConfig),
}

impl StoreConfig {
    /// Whether state is shared with other replicas (PostgreSQL and Redis).
    pub fn is_cluster(&self) -> bool {
        matches!(self, StoreConfig::Cluster(_))
    }
}

/// Whether `s` is a valid replica id.
pub fn is_valid_replica_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !s.starts_with('.')
}

/// Check `[store]`; problems go to `push(path, problem, fix)`.
pub fn validate(raw: &RawStore, push: &mut impl FnMut(String, String, &str)) -> StoreConfig {
    match raw.backend.as_deref().unwrap_or("embedded") {
        "embedded" => {
            for (k, set) in [
                ("postgres_url", raw.postgres_url.is_some()),
                ("redis_url", raw.redis_url.is_some()),
                ("replica_id", raw.replica_id.is_some()),
            ] {
                if set {
                    push(
                        format!("store.{k}"),
                        "set while store.backend is embedded (it would be ignored)".into(),
                        "set backend = \"cluster\", or remove the key",
                    );
                }
            }
            return StoreConfig::Embedded;
        }
        "cluster" => {}
        other => {
            push(
                "store.backend".into(),
                format!("expected \"embedded\" or \"cluster\", found {other:?}"),
                "write backend = \"embedded\" (one machine) or \"cluster\" (PostgreSQL + Redis)",
            );
            return StoreConfig::Embedded;
        }
    }
    let mut secret = |key: &str, v: &Option<String>, example: &str| match v.as_deref() {
        None => {
            push(
                format!("store.{key}"),
                "missing: required when store.backend is cluster".into(),
                example,
            );
            None
        }
        Some(s) => match SecretRef::parse(s) {
            Ok(r) => Some(r),
            Err(e) => {
                push(format!("store.{key}"), e, example);
                None
            }
        },
    };
    let pg = secret(
        "postgres_url",
        &raw.postgres_url,
        "write postgres_url = \"env:PHIWALL_POSTGRES_URL\" (the URL itself stays out of the file)",
    );
    let redis = secret(
        "redis_url",
        &raw.redis_url,
        "write redis_url = \"env:PHIWALL_REDIS_URL\" (the URL itself stays out of the file)",
    );
    let replica_id = match raw.replica_id.as_deref() {
        None => {
            push(
                "store.replica_id".into(),
                "missing: required when store.backend is cluster".into(),
                "write replica_id = \"gw-1\" or replica_id = \"env:POD_NAME\"; each replica needs its own",
            );
            None
        }
        Some(s) => match s.strip_prefix("env:") {
            Some(v) if !v.is_empty() => Some(ReplicaId::Env(v.to_string())),
            Some(_) => {
                push("store.replica_id".into(), "empty variable name".into(), "write env:POD_NAME");
                None
            }
            None if is_valid_replica_id(s) => Some(ReplicaId::Literal(s.to_string())),
            None => {
                push(
                    "store.replica_id".into(),
                    format!(
                        "expected 1 to 63 letters, digits, '-', '_' or '.', found {} characters",
                        s.len()
                    ),
                    "write replica_id = \"gw-1\"",
                );
                None
            }
        },
    };
    let is_limiter_fail_open = match raw.limiter_fail_mode.as_deref().unwrap_or("closed") {
        "closed" => false,
        "open" => true,
        other => {
            push(
                "store.limiter_fail_mode".into(),
                format!("expected \"closed\" or \"open\", found {other:?}"),
                "write limiter_fail_mode = \"closed\" (refuse when Redis cannot answer)",
            );
            false
        }
    };
    let mut bounded = |key: &str, v: Option<u64>, default: u64, lo: u64, hi: u64, unit: &str| {
        let x = v.unwrap_or(default);
        if x < lo || x > hi {
            push(
                format!("store.{key}"),
                format!("expected {lo} to {hi} {unit}, found {x}"),
                "remove the key to use the default",
            );
            default
        } else {
            x
        }
    };
    let limiter_timeout = Duration::from_millis(bounded(
        "limiter_timeout_ms",
        raw.limiter_timeout_ms,
        50,
        1,
        5000,
        "ms",
    ));
    let limiter_lease = Duration::from_millis(bounded(
        "limiter_lease_ms",
        raw.limiter_lease_ms,
        100,
        0,
        1000,
        "ms",
    ));
    let reconcile_interval = Duration::from_secs(bounded(
        "reconcile_interval_secs",
        raw.reconcile_interval_secs,
        10,
        1,
        3600,
        "seconds",
    ));
    let max_stale = Duration::from_secs(bounded(
        "max_stale_secs",
        raw.max_stale_secs,
        30,
        2,
        86_400,
        "seconds",
    ));
    if max_stale <= reconcile_interval {
        push(
            "store.max_stale_secs".into(),
            format!(
                "{} s is not longer than reconcile_interval_secs ({} s): keys would go stale between reconciles",
                max_stale.as_secs(),
                reconcile_interval.as_secs()
            ),
            "make max_stale_secs at least twice reconcile_interval_secs",
        );
    }
    let redis_key_prefix = raw.redis_key_prefix.clone().unwrap_or_else(|| "phiwall:".into());
    if redis_key_prefix.is_empty() || redis_key_prefix.len() > 64 {
        push(
            "store.redis_key_prefix".into(),
            format!("expected 1 to 64 characters, found {}", redis_key_prefix.len()),
            "write redis_key_prefix = \"phiwall:\"",
        );
    }
    match (pg, redis, replica_id) {
        (Some(postgres_url), Some(redis_url), Some(replica_id)) => {
            StoreConfig::Cluster(ClusterStoreConfig {
                postgres_url,
                redis_url,
                replica_id,
                redis_key_prefix,
                limiter_timeout,
                limiter_lease,
                is_limiter_fail_open,
                reconcile_interval,
                max_stale,
            })
        }
        _ => StoreConfig::Embedded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(toml_text: &str) -> (StoreConfig, Vec<String>) {
        let raw: RawStore = toml::from_str(toml_text).unwrap();
        let mut problems = Vec::new();
        let c = validate(&raw, &mut |p: String, m: String, f: &str| {
            problems.push(format!("{p}: {m} (fix: {f})"))
        });
        (c, problems)
    }

    #[test]
    fn default_is_embedded() {
        let (c, p) = check("");
        assert!(matches!(c, StoreConfig::Embedded));
        assert!(p.is_empty());
    }

    #[test]
    fn cluster_needs_references_and_an_id() {
        let (_, p) = check("backend = \"cluster\"");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p.iter().any(|x| x.starts_with("store.postgres_url: missing")));
        let (_, p) = check(
            "backend = \"cluster\"\npostgres_url = \"postgres://u:hunter2@db/x\"\nredis_url = \"env:R\"\nreplica_id = \"a b\"",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().all(|x| !x.contains("hunter2")), "secrets never echoed: {p:?}");
        let (c, p) = check(
            "backend = \"cluster\"\npostgres_url = \"env:P\"\nredis_url = \"file:/run/r\"\nreplica_id = \"env:POD_NAME\"",
        );
        assert!(p.is_empty(), "{p:?}");
        let StoreConfig::Cluster(c) = c else { panic!("cluster expected") };
        assert_eq!(c.replica_id, ReplicaId::Env("POD_NAME".into()));
        assert!(!c.is_limiter_fail_open);
        assert_eq!(c.limiter_timeout, Duration::from_millis(50));
        assert_eq!(c.limiter_lease, Duration::from_millis(100));
    }

    #[test]
    fn bad_values_name_the_key() {
        let (_, p) = check("backend = \"mysql\"");
        assert!(p[0].starts_with("store.backend"));
        let (_, p) = check("replica_id = \"x\"");
        assert!(p[0].starts_with("store.replica_id: set while"));
        let (_, p) = check(
            "backend = \"cluster\"\npostgres_url = \"env:P\"\nredis_url = \"env:R\"\nreplica_id = \"r1\"\nlimiter_fail_mode = \"maybe\"\nmax_stale_secs = 5",
        );
        assert_eq!(p.len(), 2, "{p:?}");
    }
}

#[cfg(test)]
mod deploy_tests {
    /// The Kubernetes ConfigMap ships a configuration that validates (with its secrets given).
    #[test]
    fn kubernetes_configmap_validates() {
        let yaml = include_str!("../../../../deploy/kubernetes/configmap.yaml");
        let start = yaml.find("phiwall.toml: |").unwrap() + "phiwall.toml: |".len();
        let toml_text: String = yaml[start..]
            .lines()
            .map(|l| l.strip_prefix("    ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let cfg = crate::RawConfig::from_toml(&toml_text).unwrap().validate().unwrap();
        assert!(matches!(cfg.store, super::StoreConfig::Cluster(_)));
        assert!(cfg.tls.is_some());
    }

    #[test]
    fn example_config_store_section_parses() {
        let cfg = crate::RawConfig::from_toml(crate::config::EXAMPLE_TOML).unwrap();
        assert_eq!(cfg.store.backend.as_deref(), Some("embedded"));
    }
}
