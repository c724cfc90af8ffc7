//! The anomaly evaluation (issue 7): run the engine over simulated normal clinic traffic to
//! count false alarms, and over the same traffic with each scenario injected to measure whether
//! and how fast it is detected.
//!
//! Method: one engine runs the normal traffic of `days` days; detections after `warmup_days`
//! are false alarms (those inside the warmup are reported apart: the baselines are still cold).
//! At the start of each scenario's day the engine is cloned, and the clone runs that day's normal
//! traffic merged with the attack. A scenario is detected by the first detection of an expected
//! kind that names an attacker principal (as principal or related) at or after the attack start;
//! time to detect is simulated seconds from the first attack event.

use super::config::AnomalyConfig;
use super::engine::{AnomalyEngine, EngineStats, InvalidConfig};
use super::sim::{self, Scenario, DAY_MS};
use crate::detection::{Detection, DetectionKind, PrincipalKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// What to run.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Simulated days (at least `warmup_days + 7`).
    pub days: u32,
    /// Days excluded from the false-alarm count while baselines learn.
    pub warmup_days: u32,
    /// Simulator seed.
    pub seed: u64,
    /// Engine configuration.
    pub config: AnomalyConfig,
    /// Drop every request shape first (as when the gateway does not compute them), so the
    /// extraction rule must rely on prompt-token regularity.
    pub strip_shapes: bool,
}

/// One scenario's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub scenario: &'static str,
    /// Whether an expected detection named the attacker.
    pub detected: bool,
    /// Simulated seconds from the first attack event to that detection.
    pub time_to_detect_secs: Option<f64>,
    /// The target, when it sets one.
    pub target_secs: Option<f64>,
    /// Whether the target (if any) was met.
    pub met_target: bool,
    /// Kinds of the detections that named the attacker (first occurrence order, with counts).
    pub attacker_detections: Vec<(DetectionKind, usize)>,
    /// Attack events injected.
    pub attack_events: usize,
}

/// The evaluation report.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Simulated days.
    pub days: u32,
    /// Warmup days.
    pub warmup_days: u32,
    /// Seed.
    pub seed: u64,
    /// Normal events simulated.
    pub normal_events: usize,
    /// Detections on normal traffic after the warmup.
    pub false_alarms: usize,
    /// False alarms per simulated clinic-week (7 days).
    pub false_alarms_per_week: f64,
    /// False alarms by detection kind and principal kind.
    pub false_alarms_by_kind: BTreeMap<String, usize>,
    /// Detections on normal traffic during the warmup.
    pub warmup_alarms: usize,
    /// Per scenario.
    pub scenarios: Vec<ScenarioResult>,
    /// Engine counters after the normal run.
    #[serde(skip)]
    pub stats: EngineStats,
    /// The false alarms themselves (for inspection; ids and references only).
    #[serde(skip)]
    pub false_alarm_detections: Vec<Detection>,
}

fn principal_label(k: PrincipalKind) -> &'static str {
    k.as_str()
}

/// Run the evaluation.
pub fn run(opts: &EvalOptions) -> Result<EvalReport, InvalidConfig> {
    let days = opts.days.max(opts.warmup_days + 7);
    let mut normal = sim::normal_traffic(days, opts.seed);
    let warm_end = sim::START_MS + i64::from(opts.warmup_days) * DAY_MS;
    let mut injections: Vec<sim::Injection> =
        Scenario::ALL.iter().map(|&s| sim::inject(s, days, opts.seed)).collect();
    if opts.strip_shapes {
        normal.iter_mut().for_each(|e| e.request_shape = None);
        for i in &mut injections {
            i.events.iter_mut().for_each(|e| e.request_shape = None);
        }
    }
    let mut day_starts: Vec<i64> = injections
        .iter()
        .map(|i| sim::START_MS + sim::scenario_day(i.scenario, days) * DAY_MS)
        .collect();
    day_starts.sort_unstable();
    day_starts.dedup();

    let mut engine = AnomalyEngine::new(opts.config.clone())?;
    let mut snapshots: Vec<(i64, AnomalyEngine, usize)> = Vec::new();
    let mut next = 0;
    let mut false_alarms = Vec::new();
    let mut warmup_alarms = 0;
    for (idx, e) in normal.iter().enumerate() {
        while next < day_starts.len() && e.time >= day_starts[next] {
            snapshots.push((day_starts[next], engine.clone(), idx));
            next += 1;
        }
        for d in engine.observe(e) {
            if d.time >= warm_end {
                false_alarms.push(d);
            } else {
                warmup_alarms += 1;
            }
        }
    }
    let stats = engine.stats();

    let mut scenarios = Vec::new();
    for inj in &injections {
        let day_start = sim::START_MS + sim::scenario_day(inj.scenario, days) * DAY_MS;
        let Some((_, snap, from)) = snapshots.iter().find(|(t, _, _)| *t == day_start) else {
            continue;
        };
        let mut eng = snap.clone();
        let day_end = day_start + DAY_MS;
        let mut merged: Vec<&crate::event::Event> = normal[*from..]
            .iter()
            .take_while(|e| e.time < day_end)
            .chain(inj.events.iter())
            .collect();
        merged.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.request_id.cmp(&b.request_id)));
        let mut first: Option<f64> = None;
        let mut kinds: Vec<(DetectionKind, usize)> = Vec::new();
        for e in merged {
            for d in eng.observe(e) {
                let names_attacker = inj.attacker.contains(&d.principal)
                    || d.related.iter().any(|p| inj.attacker.contains(p));
                if !names_attacker || d.time < inj.start_ms {
                    continue;
                }
                match kinds.iter_mut().find(|(k, _)| *k == d.kind) {
                    Some((_, n)) => *n += 1,
                    None => kinds.push((d.kind, 1)),
                }
                if first.is_none() && inj.scenario.expected().contains(&d.kind) {
                    first = Some((d.time - inj.start_ms) as f64 / 1000.0);
                }
            }
        }
        let target = inj.scenario.target_secs();
        scenarios.push(ScenarioResult {
            scenario: inj.scenario.as_str(),
            detected: first.is_some(),
            time_to_detect_secs: first,
            target_secs: target,
            met_target: match (first, target) {
                (Some(t), Some(g)) => t < g,
                (Some(_), None) => true,
                _ => false,
            },
            attacker_detections: kinds,
            attack_events: inj.events.len(),
        });
    }

    let mut by_kind = BTreeMap::new();
    for d in &false_alarms {
        *by_kind
            .entry(format!("{}/{}", d.kind.as_str(), principal_label(d.principal.kind)))
            .or_insert(0) += 1;
    }
    let eval_days = f64::from(days - opts.warmup_days);
    Ok(EvalReport {
        days,
        warmup_days: opts.warmup_days,
        seed: opts.seed,
        normal_events: normal.len(),
        false_alarms: false_alarms.len(),
        false_alarms_per_week: false_alarms.len() as f64 * 7.0 / eval_days,
        false_alarms_by_kind: by_kind,
        warmup_alarms,
        scenarios,
        stats,
        false_alarm_detections: false_alarms,
    })
}
