//! One drill end to end: check the target and credentials, read the admin API's capabilities
//! and clock, run the steps, poll the admin API until every timed expectation is met or its
//! time limit passes, probe enforcement of containment, check health, score, and write the
//! scorecard to `<data-dir>/drills/<timestamp>-<scenario>.json`.

use crate::error::Error;
use crate::runner::{self, now_ms, RunContext};
use crate::scenario::{Check, PrincipalMatch, Scenario};
use crate::scorecard::{evaluate, start_ms, ControlStatus, Identity, Observations, Scorecard};
use crate::target::Target;
use phiwall_watch::{
    ContainmentSummary, Detection, IncidentSummary, PrincipalKind, ViewCapabilities,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Admin API paths.
const ADMIN: &str = "/phiwall/v1/admin";

/// Options of one drill run.
#[derive(Clone)]
pub struct DrillOptions {
    /// Where to attack (already checked).
    pub target: Target,
    /// Further replicas of the same cluster (already checked): requests are spread round robin
    /// over `target` and these, the admin views of all are read together, and a containment
    /// probe must be refused by every one.
    pub replicas: Vec<Target>,
    /// Data-plane API key for `primary` steps.
    pub key: Option<String>,
    /// Admin secret for the admin API.
    pub admin_key: Option<String>,
    /// Overrides the model of chat steps.
    pub model: Option<String>,
    /// Refuse scenarios sending more requests than this.
    pub max_requests: u64,
    /// Caps every step's rate.
    pub max_rate: Option<f64>,
    /// How often to poll the admin API.
    pub poll_interval: Duration,
    /// Seed for synthetic patients (default 1: the gateway's `demo_synthetic_patients`).
    pub seed: u64,
}

impl std::fmt::Debug for DrillOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DrillOptions")
            .field("target", &self.target)
            .field("has_key", &self.key.is_some())
            .field("has_admin_key", &self.admin_key.is_some())
            .field("max_requests", &self.max_requests)
            .finish_non_exhaustive()
    }
}

impl DrillOptions {
    /// Defaults for `target`: no keys, at most 5,000 requests, poll every 100 ms.
    pub fn new(target: Target) -> Self {
        DrillOptions {
            target,
            replicas: Vec::new(),
            key: None,
            admin_key: None,
            model: None,
            max_requests: u64::from(crate::scenario::MAX_SCENARIO_REQUESTS),
            max_rate: None,
            poll_interval: Duration::from_millis(100),
            // The population `[identity] demo_synthetic_patients` loads (seed 1), so templated
            // patients are in a demo gateway's directory.
            seed: 1,
        }
    }
}

/// Reads the admin API of the target and of every replica.
struct AdminClient {
    client: reqwest::Client,
    /// The target first, then the replicas.
    targets: Vec<Target>,
    key: String,
}

impl AdminClient {
    /// The target's answer; `Ok(None)` when the API answers 404 (not enabled).
    async fn get(&self, path: &str) -> Result<Option<Value>, Error> {
        match self.targets.first() {
            Some(t) => self.get_from(t, path).await,
            None => Ok(None),
        }
    }

    async fn get_from(&self, target: &Target, path: &str) -> Result<Option<Value>, Error> {
        let r = self
            .client
            .get(target.url(&format!("{ADMIN}{path}")))
            .bearer_auth(&self.key)
            .send()
            .await
            .map_err(|e| Error::Http(format!("admin API: {}", e.without_url())))?;
        match r.status().as_u16() {
            404 => Ok(None),
            200 => {
                let b = r.bytes().await.map_err(|e| Error::Http(format!("admin API answer: {}", e.without_url())))?;
                serde_json::from_slice(&b).map(Some).map_err(|e| Error::Http(format!("admin API answer is not JSON: {e}")))
            }
            401 => Err(Error::Http("the admin API refused the admin key (401): check --admin-key against [admin] key".into())),
            403 => Err(Error::Http("the admin API refused this client (403): it accepts loopback clients only ([admin] loopback_only)".into())),
            s => Err(Error::Http(format!("the admin API answered {s}"))),
        }
    }

    async fn snapshot(
        &self,
        since: i64,
    ) -> Result<(Vec<Detection>, Vec<IncidentSummary>, ContainmentSummary), Error> {
        // In a cluster one replica runs detection (its detections are read from whichever
        // replica holds the lease); incidents and containment are shared in PostgreSQL, so
        // every replica lists the same incidents: keep each once.
        let mut det: Vec<Detection> = Vec::new();
        let mut inc: Vec<IncidentSummary> = Vec::new();
        for t in &self.targets {
            let d = self
                .get_from(t, &format!("/detections?since_ms={since}"))
                .await?
                .unwrap_or(Value::Null);
            let i = self.get_from(t, "/incidents").await?.unwrap_or(Value::Null);
            let d: Vec<Detection> =
                serde_json::from_value(d.get("data").cloned().unwrap_or(Value::Array(vec![])))
                    .unwrap_or_default();
            let i: Vec<IncidentSummary> =
                serde_json::from_value(i.get("data").cloned().unwrap_or(Value::Array(vec![])))
                    .unwrap_or_default();
            det.extend(d);
            for one in i {
                if !inc.iter().any(|seen| seen.id == one.id) {
                    inc.push(one);
                }
            }
        }
        let c = self.get("/containment").await?.unwrap_or(Value::Null);
        let con = serde_json::from_value(c).unwrap_or_default();
        Ok((det, inc, con))
    }
}

/// Run `scenario` against the target.
pub async fn run(scenario: &Scenario, opts: &DrillOptions) -> Result<Scorecard, Error> {
    if scenario.total_requests() > opts.max_requests {
        return Err(Error::Setup(format!(
            "scenario {} sends {} requests, more than --max-requests {}",
            scenario.name,
            scenario.total_requests(),
            opts.max_requests
        )));
    }
    if scenario.needs_primary_key() && opts.key.is_none() {
        return Err(Error::Setup(format!(
            "scenario {} attacks with an API key: pass one with --key env:VAR (create a throwaway key with `phiwall keys create --app APP`)",
            scenario.name
        )));
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| Error::Http(format!("HTTP client: {e}")))?;
    let ctx = RunContext {
        client: client.clone(),
        target: opts.target.clone(),
        replicas: opts.replicas.clone(),
        key: opts.key.clone(),
        model: opts.model.clone(),
        max_rate: opts.max_rate,
        seed: opts.seed,
    };
    let mut obs = Observations::default();
    let mut who = Identity {
        key_prefix: opts
            .key
            .as_deref()
            .and_then(phiwall_store::keys::parse_key)
            .map(str::to_string),
        ..Default::default()
    };
    let admin = opts.admin_key.clone().map(|key| AdminClient {
        client: client.clone(),
        targets: std::iter::once(opts.target.clone())
            .chain(opts.replicas.iter().cloned())
            .collect(),
        key,
    });
    match &admin {
        None => obs.admin_problem = Some(
            "no admin key given (--admin-key): detections, incidents and containment not checked"
                .into(),
        ),
        Some(a) => {
            let before = now_ms();
            match a.get("/status").await {
                Ok(Some(v)) => {
                    let after = now_ms();
                    let server_now = v.get("now_ms").and_then(Value::as_i64).unwrap_or(after);
                    who.clock_offset_ms = server_now - (before + after) / 2;
                    obs.capabilities = serde_json::from_value::<ViewCapabilities>(
                        v.get("capabilities").cloned().unwrap_or(Value::Null),
                    )
                    .ok();
                    if obs.capabilities.is_none() {
                        obs.admin_problem = Some("the admin API status had no capabilities".into());
                    }
                }
                Ok(None) => {
                    obs.admin_problem =
                        Some("the admin API is not enabled on the target (set [admin] key)".into())
                }
                Err(e) => return Err(e),
            }
        }
    }

    let started_at = now_ms();
    let mut steps = Vec::new();
    let mut sessions = Vec::new();
    for s in &scenario.steps {
        steps.push(runner::run_step(s, &ctx, &mut sessions).await);
    }
    who.sessions = sessions.iter().cloned().collect();

    // Poll until every timed check holds or the last time limit has passed.
    let timed: Vec<usize> = scenario
        .expect
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(
                e.check,
                Check::Detection { .. } | Check::Incident { .. } | Check::Containment { .. }
            )
        })
        .map(|(i, _)| i)
        .collect();
    if let (Some(a), true) = (&admin, obs.capabilities.is_some()) {
        let first = steps.first().map_or(started_at, |s| s.started_ms) + who.clock_offset_ms;
        let deadline_server = timed
            .iter()
            .map(|&i| {
                start_ms(&scenario.expect[i], &steps, &who) + scenario.expect[i].within_ms as i64
            })
            .max()
            .unwrap_or(first);
        loop {
            let (d, i, c) = a.snapshot(first - crate::scorecard::SKEW_TOLERANCE_MS).await?;
            obs.detections = d;
            obs.incidents = i;
            obs.containment = c;
            let scored = evaluate(scenario, &steps, &obs, &who);
            let pending = timed.iter().any(|&i| scored[i].status == ControlStatus::Failed);
            if !pending || now_ms() + who.clock_offset_ms > deadline_server + 250 {
                break;
            }
            tokio::time::sleep(opts.poll_interval).await;
        }
        // Probe enforcement of each containment that is listed.
        for &i in &timed {
            if let Check::Containment { principal, is_probe: true } = scenario.expect[i].check {
                let listed = obs.containment.contained.iter().find(|c| match principal {
                    PrincipalMatch::Any => true,
                    PrincipalMatch::Kind(k) => c.principal.kind == k,
                });
                let Some(c) = listed else { continue };
                let session =
                    (c.principal.kind == PrincipalKind::Session).then(|| c.principal.id.clone());
                let can_probe = ctx.key.is_some()
                    && matches!(
                        c.principal.kind,
                        PrincipalKind::Key
                            | PrincipalKind::Session
                            | PrincipalKind::SourceIp
                            | PrincipalKind::App
                    );
                if can_probe {
                    obs.probes.insert(i, runner::probe(&ctx, session.as_deref()).await);
                }
            }
        }
    }
    obs.is_healthy = Some(runner::healthy(&ctx).await);
    let controls = evaluate(scenario, &steps, &obs, &who);
    let finished_at = now_ms();
    let origin = match opts.replicas.len() {
        0 => opts.target.origin(),
        n => format!("{} (+{n} replicas)", opts.target.origin()),
    };
    Ok(Scorecard::new(scenario, origin, rfc3339(started_at), rfc3339(finished_at), steps, controls))
}

/// RFC 3339 UTC with milliseconds.
pub fn rfc3339(ms: i64) -> String {
    let s =
        phiwall_ledger::timefmt::format_micros(u64::try_from(ms).unwrap_or(0).saturating_mul(1000));
    // `...SS.ffffffZ` -> `...SS.fffZ`
    match s.len() {
        n if n > 4 => format!("{}Z", &s[..n - 4]),
        _ => s,
    }
}

/// Write the scorecard under `<data_dir>/drills/`; returns the path.
pub fn write_scorecard(data_dir: &Path, card: &Scorecard) -> Result<PathBuf, Error> {
    let dir = data_dir.join("drills");
    let w = |path: &Path, source| Error::Write { path: path.display().to_string(), source };
    std::fs::create_dir_all(&dir).map_err(|e| w(&dir, e))?;
    let stamp: String =
        card.started_at.chars().filter(|c| c.is_ascii_digit() || *c == 'T').take(15).collect();
    let path = dir.join(format!("{stamp}Z-{}.json", card.scenario));
    let json = serde_json::to_vec_pretty(card).map_err(|e| w(&path, std::io::Error::other(e)))?;
    std::fs::write(&path, json).map_err(|e| w(&path, e))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_764_374_400_123), "2025-11-29T00:00:00.123Z");
    }
}
