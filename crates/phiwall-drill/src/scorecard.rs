//! The scorecard: what each step sent and how the gateway answered, and one result per control
//! (passed, failed or skipped with the reason) with time to detect and time to contain.
//!
//! [`evaluate`] is pure: given the scenario, the step outcomes and what the admin API reported,
//! it scores every expectation. A check the target cannot make (no admin API, incidents not
//! wired, a principal kind it cannot contain, a feature that answered 404) is **skipped**, never
//! passed; a scenario passes only when every required control passed.

use crate::scenario::{Check, Expectation, PrincipalMatch, Scenario};
use phiwall_watch::{
    ContainmentSummary, Detection, DetectionKind, IncidentSummary, Principal, PrincipalKind,
    ViewCapabilities,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Detections and containment stamped up to this long before the attack started still count
/// (clock skew between runner and gateway, measured and corrected, leaves a little error).
pub const SKEW_TOLERANCE_MS: i64 = 500;

/// How one request ended, from the client's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Refused by the gateway (4xx), or a verification answer that refused the caller.
    Blocked,
    /// Answered, with phiwall masks visible in the reply.
    Redacted,
    /// Answered.
    Passed,
    /// 5xx.
    ServerError,
    /// The feature answered 404 (not enabled on the target).
    Unavailable,
    /// No HTTP answer (connection refused, reset, timeout).
    TransportError,
}

/// What a step did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StepOutcome {
    /// Step name.
    pub step: String,
    /// When its first request went out, ms since the epoch on the runner's clock.
    pub started_ms: i64,
    /// How long it took, ms.
    pub duration_ms: u64,
    /// Requests sent (including those without an answer).
    pub sent: u32,
    /// Refused.
    pub blocked: u32,
    /// Answered with masks.
    pub redacted: u32,
    /// Answered.
    pub passed: u32,
    /// Answers carrying an identifier of the synthetic patient that the request did not
    /// contain (PHI released to a caller who did not bring it).
    pub leaked: u32,
    /// 5xx answers.
    pub server_errors: u32,
    /// No answer.
    pub transport_errors: u32,
    /// Count per HTTP status.
    pub statuses: BTreeMap<u16, u32>,
    /// Set when the step needs a feature the target does not have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

impl StepOutcome {
    /// Record one request.
    pub fn record(&mut self, class: Class, status: Option<u16>) {
        self.sent += 1;
        if let Some(s) = status {
            *self.statuses.entry(s).or_insert(0) += 1;
        }
        match class {
            Class::Blocked => self.blocked += 1,
            Class::Redacted => self.redacted += 1,
            Class::Passed => self.passed += 1,
            Class::ServerError => self.server_errors += 1,
            Class::TransportError => self.transport_errors += 1,
            Class::Unavailable => {}
        }
    }

    fn answered(&self) -> u32 {
        self.sent.saturating_sub(self.transport_errors)
    }
}

/// What the admin API reported, plus the runner's own post-attack checks.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// Capabilities; `None` when the admin API could not be used (see `admin_problem`).
    pub capabilities: Option<ViewCapabilities>,
    /// Why the admin API could not be used.
    pub admin_problem: Option<String>,
    /// Detections since the attack started.
    pub detections: Vec<Detection>,
    /// Incidents.
    pub incidents: Vec<IncidentSummary>,
    /// Containment.
    pub containment: ContainmentSummary,
    /// `/healthz` after the attack answered 200.
    pub is_healthy: Option<bool>,
    /// Probe status per expectation index (a request as the contained principal).
    pub probes: BTreeMap<usize, Option<u16>>,
}

/// Who the drill acted as, to match principals by id where it can.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// Prefix of the runner's key.
    pub key_prefix: Option<String>,
    /// Session ids the drill used.
    pub sessions: BTreeSet<String>,
    /// Gateway clock minus runner clock, ms.
    pub clock_offset_ms: i64,
}

/// A control's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// The check held.
    Passed,
    /// The check did not hold.
    Failed,
    /// The check could not be made (the reason says why).
    Skipped,
}

impl ControlStatus {
    /// Short label.
    pub const fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Passed => "passed",
            ControlStatus::Failed => "FAILED",
            ControlStatus::Skipped => "skipped",
        }
    }
}

/// One control's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlResult {
    /// Control name.
    pub control: String,
    /// `detection`, `incident`, `containment`, `blocked`, `status` or `healthy`.
    pub check: &'static str,
    /// Outcome.
    pub status: ControlStatus,
    /// Whether it counts toward the verdict.
    pub required: bool,
    /// Why (numbers, never request text).
    pub reason: String,
    /// Time to detect, ms from the start of the attack.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttd_ms: Option<i64>,
    /// Time to contain, ms from the start of the attack.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttc_ms: Option<i64>,
    /// The measured share for `blocked` and `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
}

/// Request totals over all steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Sent.
    pub sent: u32,
    /// Refused.
    pub blocked: u32,
    /// Answered with masks.
    pub redacted: u32,
    /// Answered.
    pub passed: u32,
    /// 5xx and no-answer.
    pub errors: u32,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every required control passed.
    Passed,
    /// A required control failed.
    Failed,
    /// None failed, but some required control was skipped.
    Incomplete,
}

/// The scorecard written to `<data-dir>/drills/<timestamp>-<scenario>.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Target origin.
    pub target: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// RFC 3339 UTC.
    pub finished_at: String,
    /// Every required control passed.
    pub passed: bool,
    /// Passed, failed or incomplete.
    pub verdict: Verdict,
    /// Totals.
    pub requests: Totals,
    /// Per step.
    pub steps: Vec<StepOutcome>,
    /// Per control.
    pub controls: Vec<ControlResult>,
}

impl Scorecard {
    /// Assemble from scored controls.
    pub fn new(
        scenario: &Scenario,
        target: String,
        started_at: String,
        finished_at: String,
        steps: Vec<StepOutcome>,
        controls: Vec<ControlResult>,
    ) -> Scorecard {
        let verdict = verdict(&controls);
        let mut t = Totals::default();
        for s in &steps {
            t.sent += s.sent;
            t.blocked += s.blocked;
            t.redacted += s.redacted;
            t.passed += s.passed;
            t.errors += s.server_errors + s.transport_errors;
        }
        Scorecard {
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            target,
            started_at,
            finished_at,
            passed: verdict == Verdict::Passed,
            verdict,
            requests: t,
            steps,
            controls,
        }
    }
}

/// The verdict over controls.
pub fn verdict(controls: &[ControlResult]) -> Verdict {
    let required: Vec<&ControlResult> = controls.iter().filter(|c| c.required).collect();
    if required.iter().any(|c| c.status == ControlStatus::Failed) {
        Verdict::Failed
    } else if required.iter().all(|c| c.status == ControlStatus::Passed) && !required.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Incomplete
    }
}

fn principal_ok(p: &Principal, m: PrincipalMatch, who: &Identity) -> bool {
    match m {
        PrincipalMatch::Any => true,
        PrincipalMatch::Kind(k) if k != p.kind => false,
        PrincipalMatch::Kind(PrincipalKind::Key) => {
            who.key_prefix.as_ref().is_none_or(|prefix| *prefix == p.id)
        }
        PrincipalMatch::Kind(PrincipalKind::Session) => {
            who.sessions.is_empty() || who.sessions.contains(&p.id)
        }
        PrincipalMatch::Kind(_) => true,
    }
}

fn principal_name(m: PrincipalMatch) -> &'static str {
    match m {
        PrincipalMatch::Any => "any",
        PrincipalMatch::Kind(k) => k.as_str(),
    }
}

fn kinds_text(kinds: &[DetectionKind]) -> String {
    if kinds.is_empty() {
        return "any".into();
    }
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" or ")
}

/// Where the clock of an expectation starts, on the gateway's clock.
pub fn start_ms(e: &Expectation, steps: &[StepOutcome], who: &Identity) -> i64 {
    let local = e
        .step
        .as_ref()
        .and_then(|s| steps.iter().find(|x| &x.step == s))
        .or_else(|| steps.first())
        .map(|s| s.started_ms)
        .unwrap_or(0);
    local.saturating_add(who.clock_offset_ms)
}

fn result(
    e: &Expectation,
    check: &'static str,
    status: ControlStatus,
    reason: String,
) -> ControlResult {
    ControlResult {
        control: e.control.clone(),
        check,
        status,
        required: e.is_required,
        reason,
        ttd_ms: None,
        ttc_ms: None,
        ratio: None,
    }
}

/// Score every expectation.
pub fn evaluate(
    scenario: &Scenario,
    steps: &[StepOutcome],
    obs: &Observations,
    who: &Identity,
) -> Vec<ControlResult> {
    scenario.expect.iter().enumerate().map(|(i, e)| evaluate_one(i, e, steps, obs, who)).collect()
}

fn step_unavailable<'a>(e: &Expectation, steps: &'a [StepOutcome]) -> Option<&'a str> {
    match &e.step {
        Some(s) => steps.iter().find(|x| &x.step == s).and_then(|x| x.unavailable.as_deref()),
        None => {
            // Without a step, the check is unavailable only when every step was.
            let all: Vec<&str> = steps.iter().filter_map(|x| x.unavailable.as_deref()).collect();
            (!steps.is_empty() && all.len() == steps.len()).then(|| all[0])
        }
    }
}

fn evaluate_one(
    idx: usize,
    e: &Expectation,
    steps: &[StepOutcome],
    obs: &Observations,
    who: &Identity,
) -> ControlResult {
    let name = check_name(&e.check);
    let is_healthy_check = matches!(e.check, Check::Healthy);
    if let (Some(feature), false) = (step_unavailable(e, steps), is_healthy_check) {
        return result(
            e,
            name,
            ControlStatus::Skipped,
            format!("{feature} is not enabled on the target (it answered 404)"),
        );
    }
    let start = start_ms(e, steps, who);
    let needs_admin = matches!(
        e.check,
        Check::Detection { .. } | Check::Incident { .. } | Check::Containment { .. }
    );
    if needs_admin && obs.capabilities.is_none() {
        let why =
            obs.admin_problem.clone().unwrap_or_else(|| "the admin API was not queried".into());
        return result(e, name, ControlStatus::Skipped, why);
    }
    let caps = obs.capabilities.clone().unwrap_or_default();
    match &e.check {
        Check::Detection { kinds, principal } => {
            if !caps.has_detections {
                return result(
                    e,
                    name,
                    ControlStatus::Skipped,
                    "the target reports no detections (anomaly detection not wired)".into(),
                );
            }
            let first = obs
                .detections
                .iter()
                .filter(|d| d.time >= start - SKEW_TOLERANCE_MS)
                .filter(|d| kinds.is_empty() || kinds.contains(&d.kind))
                .filter(|d| {
                    principal_ok(&d.principal, *principal, who)
                        || d.related.iter().any(|r| principal_ok(r, *principal, who))
                })
                .min_by_key(|d| d.time);
            match first {
                Some(d) => {
                    let ttd = (d.time - start).max(0);
                    let ok = ttd <= e.within_ms as i64;
                    let mut r = result(
                        e,
                        name,
                        if ok { ControlStatus::Passed } else { ControlStatus::Failed },
                        format!(
                            "{} detection for {} principal after {ttd} ms (limit {} ms)",
                            d.kind.as_str(),
                            d.principal.kind.as_str(),
                            e.within_ms
                        ),
                    );
                    r.ttd_ms = Some(ttd);
                    r
                }
                None => result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!(
                        "no {} detection for a {} principal within {} ms ({} detections seen in all)",
                        kinds_text(kinds),
                        principal_name(*principal),
                        e.within_ms,
                        obs.detections.len()
                    ),
                ),
            }
        }
        Check::Incident { kinds } => {
            if !caps.has_incidents {
                return result(
                    e,
                    name,
                    ControlStatus::Skipped,
                    "the target reports no incidents (incident response not wired)".into(),
                );
            }
            let first = obs
                .incidents
                .iter()
                .filter(|i| i.detected_at >= start - SKEW_TOLERANCE_MS)
                .filter(|i| kinds.is_empty() || i.kinds.iter().any(|k| kinds.contains(k)))
                .min_by_key(|i| i.detected_at);
            match first {
                Some(i) => {
                    let ttd = (i.detected_at - start).max(0);
                    let ok = ttd <= e.within_ms as i64;
                    let mut r = result(
                        e,
                        name,
                        if ok { ControlStatus::Passed } else { ControlStatus::Failed },
                        format!(
                            "incident {} ({}, {:?}) opened after {ttd} ms (limit {} ms)",
                            i.id, i.state, i.severity, e.within_ms
                        ),
                    );
                    r.ttd_ms = Some(ttd);
                    r.ttc_ms = i.contained_at.map(|c| (c - start).max(0));
                    r
                }
                None => result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!(
                        "no incident with {} detections within {} ms",
                        kinds_text(kinds),
                        e.within_ms
                    ),
                ),
            }
        }
        Check::Containment { principal, is_probe } => {
            let can = match principal {
                PrincipalMatch::Any => !caps.containment.is_empty(),
                PrincipalMatch::Kind(k) => caps.containment.contains(k),
            };
            if !can {
                return result(
                    e,
                    name,
                    ControlStatus::Skipped,
                    format!(
                        "the target cannot contain {} principals (containment not wired)",
                        principal_name(*principal)
                    ),
                );
            }
            let first = obs
                .containment
                .contained
                .iter()
                .filter(|c| c.since >= start - SKEW_TOLERANCE_MS)
                .filter(|c| principal_ok(&c.principal, *principal, who))
                .min_by_key(|c| c.since);
            let Some(c) = first else {
                return result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!(
                        "no {} principal contained within {} ms",
                        principal_name(*principal),
                        e.within_ms
                    ),
                );
            };
            let ttc = (c.since - start).max(0);
            let mut status = if ttc <= e.within_ms as i64 {
                ControlStatus::Passed
            } else {
                ControlStatus::Failed
            };
            let mut reason = format!(
                "{} on {} after {ttc} ms (limit {} ms)",
                c.action,
                c.principal.kind.as_str(),
                e.within_ms
            );
            if *is_probe {
                match obs.probes.get(&idx) {
                    Some(Some(s)) if (400..500).contains(s) => {
                        reason.push_str(&format!(
                            "; a request as the contained principal was refused ({s})"
                        ));
                    }
                    Some(Some(s)) => {
                        status = ControlStatus::Failed;
                        reason.push_str(&format!(
                            "; but a request as the contained principal got {s}"
                        ));
                    }
                    Some(None) => {
                        status = ControlStatus::Failed;
                        reason.push_str("; the enforcement probe got no answer");
                    }
                    None => reason
                        .push_str("; enforcement not probed (no credential for this principal)"),
                }
            }
            let mut r = result(e, name, status, reason);
            r.ttc_ms = Some(ttc);
            r
        }
        Check::Blocked { step, min_ratio } => {
            let Some(s) = steps.iter().find(|x| &x.step == step) else {
                return result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!("step {step:?} did not run"),
                );
            };
            let n = s.answered();
            if n == 0 {
                return result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!("no answers to step {step:?} ({} sent)", s.sent),
                );
            }
            let ratio = f64::from(s.blocked + s.redacted) / f64::from(n);
            let ok = ratio >= *min_ratio;
            let mut r = result(
                e,
                name,
                if ok { ControlStatus::Passed } else { ControlStatus::Failed },
                format!(
                    "{} blocked + {} redacted of {n} answered ({:.0}%, need {:.0}%); {} passed",
                    s.blocked,
                    s.redacted,
                    ratio * 100.0,
                    min_ratio * 100.0,
                    s.passed
                ),
            );
            r.ratio = Some(ratio);
            r
        }
        Check::Status { step, statuses, min_ratio } => {
            let Some(s) = steps.iter().find(|x| &x.step == step) else {
                return result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!("step {step:?} did not run"),
                );
            };
            let n = s.answered();
            if n == 0 {
                return result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!("no answers to step {step:?} ({} sent)", s.sent),
                );
            }
            let hit: u32 = statuses.iter().map(|c| s.statuses.get(c).copied().unwrap_or(0)).sum();
            let ratio = f64::from(hit) / f64::from(n);
            let ok = ratio >= *min_ratio;
            let want = statuses.iter().map(u16::to_string).collect::<Vec<_>>().join("/");
            let mut r = result(
                e,
                name,
                if ok { ControlStatus::Passed } else { ControlStatus::Failed },
                format!(
                    "{hit} of {n} answered {want} ({:.0}%, need {:.0}%)",
                    ratio * 100.0,
                    min_ratio * 100.0
                ),
            );
            r.ratio = Some(ratio);
            r
        }
        Check::NoLeak { step } => {
            let Some(s) = steps.iter().find(|x| &x.step == step) else {
                return result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!("step {step:?} did not run"),
                );
            };
            if s.answered() == 0 {
                return result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!("no answers to step {step:?} ({} sent)", s.sent),
                );
            }
            if s.leaked == 0 {
                result(
                    e,
                    name,
                    ControlStatus::Passed,
                    format!(
                        "no reply carried an identifier of the patient that the request did not contain ({} answered, {} refused, {} redacted)",
                        s.answered(),
                        s.blocked,
                        s.redacted
                    ),
                )
            } else {
                result(
                    e,
                    name,
                    ControlStatus::Failed,
                    format!("{} of {} replies carried an identifier of the patient that the request did not contain", s.leaked, s.answered()),
                )
            }
        }
        Check::Healthy => match obs.is_healthy {
            Some(true) => result(
                e,
                name,
                ControlStatus::Passed,
                "/healthz answered 200 after the attack".into(),
            ),
            Some(false) => result(
                e,
                name,
                ControlStatus::Failed,
                "/healthz did not answer 200 after the attack".into(),
            ),
            None => result(e, name, ControlStatus::Skipped, "health was not checked".into()),
        },
    }
}

/// The check's name.
pub const fn check_name(c: &Check) -> &'static str {
    match c {
        Check::Detection { .. } => "detection",
        Check::Incident { .. } => "incident",
        Check::Containment { .. } => "containment",
        Check::Blocked { .. } => "blocked",
        Check::Status { .. } => "status",
        Check::NoLeak { .. } => "no_leak",
        Check::Healthy => "healthy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phiwall_watch::{ContainedPrincipal, Evidence, Severity};

    fn scenario() -> Scenario {
        Scenario::from_toml(
            r#"
name = "t"
description = "d"
[[steps]]
name = "attack"
count = 4
messages = [{ role = "user", content = "x" }]
[[expect]]
control = "detect"
check = "detection"
kinds = ["prompt_injection"]
principal = "key"
within_ms = 1000
[[expect]]
control = "incident"
check = "incident"
[[expect]]
control = "contain"
check = "containment"
principal = "key"
within_ms = 2000
[[expect]]
control = "blocked"
check = "blocked"
step = "attack"
min_ratio = 0.75
[[expect]]
control = "healthy"
check = "healthy"
required = false
"#,
        )
        .unwrap()
    }

    fn det(kind: DetectionKind, time: i64, key: &str) -> Detection {
        Detection {
            id: "d".into(),
            time,
            kind,
            severity: Severity::High,
            principal: Principal::new(PrincipalKind::Key, key),
            related: vec![],
            patient_refs: vec![],
            evidence: Evidence {
                window_secs: 60,
                observed: 1.0,
                baseline: 0.0,
                threshold: 1.0,
                measure: "m".into(),
            },
            techniques: vec![],
            request_ids: vec![],
        }
    }

    fn steps(blocked: u32, passed: u32) -> Vec<StepOutcome> {
        let mut s = StepOutcome { step: "attack".into(), started_ms: 10_000, ..Default::default() };
        for _ in 0..blocked {
            s.record(Class::Blocked, Some(400));
        }
        for _ in 0..passed {
            s.record(Class::Passed, Some(200));
        }
        vec![s]
    }

    fn who() -> Identity {
        Identity { key_prefix: Some("aaaa".into()), clock_offset_ms: 0, ..Default::default() }
    }

    #[test]
    fn all_controls_pass_with_timings() {
        let sc = scenario();
        let mut obs = Observations {
            capabilities: Some(ViewCapabilities::default()),
            detections: vec![
                det(DetectionKind::PromptInjection, 9_000, "aaaa"),
                det(DetectionKind::PromptInjection, 10_300, "bbbb"),
                det(DetectionKind::PromptInjection, 10_400, "aaaa"),
            ],
            incidents: vec![IncidentSummary {
                id: "inc-1".into(),
                state: "contained".into(),
                severity: Severity::High,
                kinds: vec![DetectionKind::PromptInjection],
                principals: vec![],
                detected_at: 10_450,
                contained_at: Some(10_900),
            }],
            containment: ContainmentSummary {
                is_safe_mode: false,
                contained: vec![ContainedPrincipal {
                    principal: Principal::new(PrincipalKind::Key, "aaaa"),
                    action: "suspend_key".into(),
                    since: 10_900,
                    expires_at: None,
                    incident: None,
                }],
            },
            is_healthy: Some(true),
            ..Default::default()
        };
        obs.probes.insert(2, Some(401));
        let r = evaluate(&sc, &steps(3, 1), &obs, &who());
        assert!(r.iter().all(|c| c.status == ControlStatus::Passed), "{r:#?}");
        assert_eq!(r[0].ttd_ms, Some(400), "the other key's and the stale detection do not count");
        assert_eq!(r[1].ttc_ms, Some(900));
        assert_eq!(r[2].ttc_ms, Some(900));
        assert_eq!(r[3].ratio, Some(0.75));
        assert_eq!(verdict(&r), Verdict::Passed);
    }

    #[test]
    fn late_missing_and_unenforced_fail() {
        let sc = scenario();
        let mut obs = Observations {
            capabilities: Some(ViewCapabilities::default()),
            detections: vec![det(DetectionKind::PromptInjection, 11_500, "aaaa")],
            containment: ContainmentSummary {
                is_safe_mode: false,
                contained: vec![ContainedPrincipal {
                    principal: Principal::new(PrincipalKind::Key, "aaaa"),
                    action: "suspend_key".into(),
                    since: 10_100,
                    expires_at: None,
                    incident: None,
                }],
            },
            is_healthy: Some(false),
            ..Default::default()
        };
        obs.probes.insert(2, Some(200));
        let r = evaluate(&sc, &steps(2, 2), &obs, &who());
        let st: Vec<ControlStatus> = r.iter().map(|c| c.status).collect();
        assert_eq!(
            st,
            vec![
                ControlStatus::Failed, // 1500 ms > 1000 ms
                ControlStatus::Failed, // no incident
                ControlStatus::Failed, // listed but not enforced
                ControlStatus::Failed, // 50% < 75%
                ControlStatus::Failed, // unhealthy (advisory)
            ]
        );
        assert!(r[2].reason.contains("got 200"));
        assert_eq!(verdict(&r), Verdict::Failed);
    }

    #[test]
    fn missing_capabilities_skip_not_pass() {
        let sc = scenario();
        let obs = Observations {
            capabilities: Some(ViewCapabilities {
                has_detections: true,
                has_incidents: false,
                containment: vec![],
            }),
            detections: vec![det(DetectionKind::PromptInjection, 10_100, "aaaa")],
            is_healthy: Some(true),
            ..Default::default()
        };
        let r = evaluate(&sc, &steps(4, 0), &obs, &who());
        assert_eq!(r[0].status, ControlStatus::Passed);
        assert_eq!(r[1].status, ControlStatus::Skipped);
        assert_eq!(r[2].status, ControlStatus::Skipped);
        assert_eq!(verdict(&r), Verdict::Incomplete);
        let none =
            Observations { admin_problem: Some("admin API off".into()), ..Default::default() };
        let r = evaluate(&sc, &steps(4, 0), &none, &who());
        assert_eq!(r[0].status, ControlStatus::Skipped);
        assert_eq!(r[0].reason, "admin API off");
    }

    #[test]
    fn unavailable_feature_skips_its_checks() {
        let sc = scenario();
        let mut s = steps(0, 0);
        s[0].unavailable = Some("caller verification".into());
        s[0].record(Class::Unavailable, Some(404));
        let r = evaluate(&sc, &s, &Observations::default(), &who());
        assert!(r.iter().all(|c| c.status == ControlStatus::Skipped), "{r:#?}");
        assert!(r[0].reason.contains("caller verification"));
    }

    #[test]
    fn no_leak_counts_replies_with_unbrought_identifiers() {
        let sc = Scenario::from_toml(
            "name = \"t\"\ndescription = \"d\"\n[[steps]]\nname = \"attack\"\ncount = 2\nmessages = [{ role = \"user\", content = \"x\" }]\n[[expect]]\ncontrol = \"no leak\"\ncheck = \"no_leak\"\nstep = \"attack\"\n",
        )
        .unwrap();
        let mut s = steps(0, 2);
        let r = evaluate(&sc, &s, &Observations::default(), &who());
        assert_eq!(r[0].status, ControlStatus::Passed);
        s[0].leaked = 1;
        let r = evaluate(&sc, &s, &Observations::default(), &who());
        assert_eq!(r[0].status, ControlStatus::Failed);
        assert!(r[0].reason.starts_with("1 of 2"));
    }

    #[test]
    fn clock_offset_moves_the_start() {
        let sc = scenario();
        let obs = Observations {
            capabilities: Some(ViewCapabilities::default()),
            detections: vec![det(DetectionKind::PromptInjection, 60_200, "aaaa")],
            ..Default::default()
        };
        let w = Identity { clock_offset_ms: 50_000, ..who() };
        let r = evaluate(&sc, &steps(4, 0), &obs, &w);
        assert_eq!(r[0].ttd_ms, Some(200));
    }
}
