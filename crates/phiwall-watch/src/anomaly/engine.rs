//! The anomaly engine: consumes events in time order, keeps bounded per-principal state, and
//! returns detections. Event time is the only clock (an event older than the newest seen is
//! treated as arriving at the newest time, and counted), so the same events always give the same
//! detections.
//!
//! Per event: each principal the event names (key, user, app, session, caller, source IP, and
//! for verification failures the targeted patient) has its windows and baseline updated, the
//! rules whose measure the event changed are checked, and the candidates are merged per kind
//! (the most specific principal leads; the others become related) and passed through the
//! cooldown, so one ongoing behaviour yields one detection plus rare reminders.

use super::baseline::{Expected, Measure, Profile, MEASURES};
use super::config::AnomalyConfig;
use super::window::{item_hash, DistinctWindow, Recent, Window};
use crate::detection::{Detection, DetectionKind, Evidence, Principal, PrincipalKind};
use crate::event::{Event, Outcome, Severity};
use std::collections::{HashMap, VecDeque};

const PRINCIPAL_KINDS: usize = 7;
const SHAPE_RING: usize = 32;
const MAX_PATIENTS_PER_EVENT: usize = 64;

/// The configuration was invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidConfig(pub Vec<super::config::ConfigProblem>);

impl std::fmt::Display for InvalidConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid anomaly configuration:")?;
        for p in &self.0 {
            write!(f, " {}: {};", p.key, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidConfig {}

/// Counters of the engine itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Events observed.
    pub events: u64,
    /// Events whose time was older than the newest seen (processed at the newest time).
    pub late_events: u64,
    /// Principals tracked now.
    pub principals: usize,
    /// Principals with a baseline profile now.
    pub profiles: usize,
    /// Principals evicted to stay within `max_principals`.
    pub evictions: u64,
    /// Detections returned.
    pub detections: u64,
    /// Detections held back by the cooldown.
    pub suppressed: u64,
}

fn kind_index(k: PrincipalKind) -> usize {
    match k {
        PrincipalKind::Session => 0,
        PrincipalKind::Caller => 1,
        PrincipalKind::User => 2,
        PrincipalKind::Key => 3,
        PrincipalKind::SourceIp => 4,
        PrincipalKind::App => 5,
        PrincipalKind::Patient => 6,
    }
}

const KIND_BY_INDEX: [PrincipalKind; PRINCIPAL_KINDS] = [
    PrincipalKind::Session,
    PrincipalKind::Caller,
    PrincipalKind::User,
    PrincipalKind::Key,
    PrincipalKind::SourceIp,
    PrincipalKind::App,
    PrincipalKind::Patient,
];

/// Severity and technique ids of a detection kind (see docs/anomaly.md for the rationale).
pub fn kind_meta(kind: DetectionKind) -> (Severity, &'static [&'static str]) {
    use DetectionKind as K;
    match kind {
        K::BulkPatientAccess => (Severity::High, &["AML.T0057", "T1213", "T1119"]),
        K::SlowExfiltration => (Severity::High, &["AML.T0057", "T1213", "T1030"]),
        K::PhiReleaseSpike => (Severity::High, &["AML.T0057", "T1213"]),
        K::GuardProbing => (Severity::High, &["AML.T0051", "AML.T0054"]),
        K::VerificationFailures => (Severity::Medium, &["T1110", "T1656"]),
        K::CredentialStuffing => (Severity::High, &["T1110.004"]),
        K::RequestRateSpike => (Severity::Medium, &["AML.T0034", "AML.T0029"]),
        K::TokenSpike => (Severity::Medium, &["AML.T0034"]),
        K::NewSource => (Severity::Medium, &["T1078"]),
        K::OffHours => (Severity::Medium, &["T1078"]),
        K::ModelExtraction => (Severity::High, &["AML.T0024.002", "AML.T0040"]),
        K::VerificationLockout => (Severity::Medium, &["T1110", "T1656"]),
        K::DisclosurePrevented => (Severity::High, &["AML.T0057"]),
        K::PromptInjection => (Severity::High, &["AML.T0051"]),
    }
}

#[derive(Debug, Clone)]
struct Extract {
    /// requests, requests with a shape, near-duplicate shapes, prompt tokens, prompt tokens².
    w: Window<5>,
    shapes: VecDeque<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Supp {
    kind: DetectionKind,
    until: i64,
    last_alert: i64,
}

#[derive(Debug, Clone)]
struct PState {
    tick: u64,
    first_ms: i64,
    events: u64,
    /// requests, tokens, requests refused by limits.
    rate: Window<3>,
    /// requests, flagged, injection findings.
    probe: Window<3>,
    /// verification failures, disclosures prevented, cross-patient leaks.
    verify: Option<Box<Window<3>>>,
    phi: Option<Box<Window<1>>>,
    extract: Option<Box<Extract>>,
    bulk: Option<Box<DistinctWindow>>,
    hour_patients: Option<Box<DistinctWindow>>,
    day_patients: Option<Box<DistinctWindow>>,
    /// auth failures, and the distinct keys presented.
    auth: Option<Box<(Window<1>, DistinctWindow)>>,
    /// distinct sessions failing verification for a patient.
    fail_sessions: Option<Box<DistinctWindow>>,
    sources: Option<Box<Recent<String>>>,
    ids: Recent<String>,
    patients: Option<Box<Recent<String>>>,
    profile: Option<Box<Profile>>,
    supp: Vec<Supp>,
}

impl PState {
    fn new(t: i64, cfg: &AnomalyConfig) -> Self {
        PState {
            tick: 0,
            first_ms: t,
            events: 0,
            rate: Window::new(cfg.rate_window_secs),
            probe: Window::new(cfg.probe_window_secs),
            verify: None,
            phi: None,
            extract: None,
            bulk: None,
            hour_patients: None,
            day_patients: None,
            auth: None,
            fail_sessions: None,
            sources: None,
            ids: Recent::new(cfg.max_request_ids),
            patients: None,
            profile: None,
            supp: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Table {
    maps: [HashMap<String, PState>; PRINCIPAL_KINDS],
    tick: u64,
    len: usize,
    profiles: usize,
    evictions: u64,
}

impl Table {
    fn touch(
        &mut self,
        kind: PrincipalKind,
        id: &str,
        t: i64,
        cfg: &AnomalyConfig,
    ) -> Option<&mut PState> {
        self.tick += 1;
        let i = kind_index(kind);
        if !self.maps[i].contains_key(id) {
            if self.len >= cfg.max_principals {
                self.evict(cfg.max_principals);
            }
            self.maps[i].insert(id.to_owned(), PState::new(t, cfg));
            self.len += 1;
        }
        let tick = self.tick;
        let st = self.maps[i].get_mut(id)?;
        st.tick = tick;
        Some(st)
    }

    fn get_mut(&mut self, kind: PrincipalKind, id: &str) -> Option<&mut PState> {
        self.maps[kind_index(kind)].get_mut(id)
    }

    /// Drop the least recently touched principals down to 90% of `cap` (amortised: one sort
    /// per cap/10 new principals). Deterministic: ticks are unique.
    fn evict(&mut self, cap: usize) {
        let keep = cap - cap / 10;
        if self.len <= keep {
            return;
        }
        let mut all: Vec<(u64, usize, String)> = Vec::with_capacity(self.len);
        for (i, m) in self.maps.iter().enumerate() {
            for (id, st) in m {
                all.push((st.tick, i, id.clone()));
            }
        }
        all.sort_unstable_by_key(|x| x.0);
        let drop = self.len - keep;
        for (_, i, id) in all.into_iter().take(drop) {
            if let Some(st) = self.maps[i].remove(&id) {
                self.len -= 1;
                self.evictions += 1;
                if st.profile.is_some() {
                    self.profiles = self.profiles.saturating_sub(1);
                }
            }
        }
    }
}

/// What the rules need from one event.
struct Facts<'a> {
    t: i64,
    is_auth_failure: bool,
    /// Refused by a rate, stream or body-size limit.
    throttled: bool,
    tokens: f64,
    tokens_in: f64,
    flagged: bool,
    /// Injection findings in the request (input or documents).
    injections: f64,
    verify_fail: f64,
    lockout: bool,
    disclosure: f64,
    cross_leak: f64,
    phi_released: f64,
    patients: Vec<&'a str>,
    shape: Option<u64>,
    presented_key: Option<&'a str>,
}

const AUTH_FAILURES: [&str; 6] = [
    "auth.key_unknown",
    "auth.token_invalid",
    "auth.key_revoked",
    "auth.key_malformed",
    "auth.key_expired",
    "auth.missing",
];

const FLAG_FINDINGS: [&str; 6] = [
    "input.injection",
    "access.out_of_scope",
    "identity.social_engineering",
    "output.canary_leak",
    "output.system_prompt_similarity",
    "output.link_blocked",
];

const THROTTLE_REASONS: [&str; 3] = ["limit.rate", "limit.streams", "limit.body_size"];

const FLAG_REASONS: [&str; 4] = [
    "policy.injection",
    "policy.output_blocked",
    "policy.tool_not_allowed",
    "policy.model_not_allowed",
];

impl<'a> Facts<'a> {
    fn of(ev: &'a Event, t: i64) -> Self {
        let find = |k: &str| f64::from(ev.findings.get(k).copied().unwrap_or(0));
        let is_auth_failure =
            ev.outcome == Outcome::Denied && ev.reason.is_some_and(|r| AUTH_FAILURES.contains(&r));
        let flagged = FLAG_FINDINGS.iter().any(|k| ev.findings.get(*k).is_some_and(|&n| n > 0))
            || ev.reason.is_some_and(|r| FLAG_REASONS.contains(&r));
        let phi_released = if ev.outcome == Outcome::Success {
            ev.findings
                .iter()
                .filter(|(k, _)| k.starts_with("output.phi."))
                .map(|(_, &n)| f64::from(n))
                .sum()
        } else {
            0.0
        };
        let mut patients: Vec<&str> = Vec::new();
        for p in ev.patient_refs.iter().take(MAX_PATIENTS_PER_EVENT) {
            if !p.is_empty() && !patients.contains(&p.as_str()) {
                patients.push(p);
            }
        }
        Facts {
            t,
            is_auth_failure,
            throttled: ev.outcome == Outcome::Denied
                && ev.reason.is_some_and(|r| THROTTLE_REASONS.contains(&r)),
            tokens: ev.tokens_in.saturating_add(ev.tokens_out) as f64,
            tokens_in: ev.tokens_in as f64,
            flagged,
            injections: find("input.injection"),
            verify_fail: find("identity.verify_failed") + find("identity.social_engineering"),
            lockout: find("identity.lockout") > 0.0,
            disclosure: find("output.disclosure_prevented"),
            cross_leak: find("output.cross_patient_leak"),
            phi_released,
            patients,
            shape: ev.request_shape,
            presented_key: ev.actor.key_prefix.as_deref(),
        }
    }
}

/// A rule that fired for one principal, before merging and cooldown.
/// Request ids, patient references and the evidence text are only built for the candidates
/// that survive the cooldown.
struct Candidate {
    kind: DetectionKind,
    principal: Principal,
    evidence: Ev,
}

/// Evidence before it becomes [`Evidence`].
#[derive(Debug, Clone, Copy)]
struct Ev {
    window_secs: u64,
    observed: f64,
    baseline: f64,
    threshold: f64,
    measure: &'static str,
}

/// (baseline, threshold) for a count over `window_secs` given an hourly expectation.
fn count_threshold(
    cfg: &AnomalyConfig,
    floor: f64,
    exp: Option<Expected>,
    window_secs: u64,
    od: f64,
) -> (f64, f64) {
    match exp {
        None => (0.0, floor),
        Some(e) => {
            let f = window_secs as f64 / 3600.0;
            let lambda = e.mean.max(0.0) * f;
            let sigma = (od * lambda).sqrt().max(e.sigma * f.sqrt());
            (lambda, floor.max(lambda * cfg.min_ratio).max(lambda + cfg.z * sigma))
        }
    }
}

fn same_subnet(a: &str, b: &std::net::IpAddr) -> bool {
    match (a.parse::<std::net::IpAddr>(), b) {
        (Ok(std::net::IpAddr::V4(x)), std::net::IpAddr::V4(y)) => {
            x.octets()[..3] == y.octets()[..3]
        }
        (Ok(std::net::IpAddr::V6(x)), std::net::IpAddr::V6(y)) => {
            x.segments()[..4] == y.segments()[..4]
        }
        _ => false,
    }
}

fn has_profile_kind(k: PrincipalKind) -> bool {
    matches!(k, PrincipalKind::Key | PrincipalKind::App | PrincipalKind::User)
}

/// The anomaly engine. Build with [`AnomalyEngine::new`], feed with [`AnomalyEngine::observe`].
#[derive(Debug, Clone)]
pub struct AnomalyEngine {
    cfg: AnomalyConfig,
    table: Table,
    last_t: i64,
    seq: u64,
    stats: EngineStats,
}

impl AnomalyEngine {
    /// An engine with `cfg` (validated).
    pub fn new(cfg: AnomalyConfig) -> Result<Self, InvalidConfig> {
        let problems = cfg.validate();
        if !problems.is_empty() {
            return Err(InvalidConfig(problems));
        }
        Ok(AnomalyEngine {
            cfg,
            table: Table::default(),
            last_t: i64::MIN,
            seq: 0,
            stats: EngineStats::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &AnomalyConfig {
        &self.cfg
    }

    /// Counters.
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            principals: self.table.len,
            profiles: self.table.profiles,
            evictions: self.table.evictions,
            ..self.stats
        }
    }

    /// Observe one event; returns the detections it completes (usually none).
    pub fn observe(&mut self, ev: &Event) -> Vec<Detection> {
        self.stats.events += 1;
        let t = if ev.time < self.last_t {
            self.stats.late_events += 1;
            self.last_t
        } else {
            self.last_t = ev.time;
            ev.time
        };
        let f = Facts::of(ev, t);
        let mut names: Vec<(PrincipalKind, &str)> = Vec::with_capacity(6);
        if f.is_auth_failure {
            // The presented key is not an identity yet: only the source is a principal.
            if let Some(ip) = ev.source_ip.as_deref() {
                names.push((PrincipalKind::SourceIp, ip));
            }
        } else {
            let opts = [
                (PrincipalKind::Session, ev.session.as_deref()),
                (PrincipalKind::Caller, ev.caller_ref.as_deref()),
                (PrincipalKind::User, ev.actor.subject_ref.as_deref()),
                (PrincipalKind::Key, ev.actor.key_prefix.as_deref()),
                (PrincipalKind::SourceIp, ev.source_ip.as_deref()),
                (PrincipalKind::App, ev.app.as_deref()),
            ];
            for (k, id) in opts {
                if let Some(id) = id.filter(|s| !s.is_empty()) {
                    names.push((k, id));
                }
            }
        }
        let mut cands = Vec::new();
        for &(kind, id) in &names {
            self.observe_principal(kind, id, ev, &f, &mut cands);
        }
        if !f.is_auth_failure && f.verify_fail > 0.0 {
            let who =
                ev.session.as_deref().or(ev.caller_ref.as_deref()).or(ev.source_ip.as_deref());
            for p in f.patients.clone() {
                self.observe_patient(p, who, ev, &f, &mut cands);
            }
        }
        if cands.is_empty() {
            return Vec::new();
        }
        self.merge(cands, &names, t)
    }

    fn observe_patient(
        &mut self,
        patient: &str,
        who: Option<&str>,
        ev: &Event,
        f: &Facts<'_>,
        cands: &mut Vec<Candidate>,
    ) {
        let cfg = &self.cfg;
        let Some(st) = self.table.touch(PrincipalKind::Patient, patient, f.t, cfg) else {
            return;
        };
        st.events += 1;
        st.ids.push_new(ev.request_id.clone());
        let w = st.fail_sessions.get_or_insert_with(|| {
            Box::new(DistinctWindow::new(cfg.verify_window_secs * 6, cfg.max_distinct))
        });
        w.add(f.t, item_hash(who.unwrap_or(&ev.request_id)));
        let n = w.count(f.t) as f64;
        if n >= cfg.verify_sessions_per_patient {
            cands.push(Candidate {
                kind: DetectionKind::VerificationFailures,
                principal: Principal::new(PrincipalKind::Patient, patient),
                evidence: Ev {
                    window_secs: cfg.verify_window_secs * 6,
                    observed: n,
                    baseline: 0.0,
                    threshold: cfg.verify_sessions_per_patient,
                    measure: "distinct sessions failing verification for one patient",
                },
            });
        }
    }

    #[allow(clippy::too_many_lines)]
    fn observe_principal(
        &mut self,
        kind: PrincipalKind,
        id: &str,
        ev: &Event,
        f: &Facts<'_>,
        cands: &mut Vec<Candidate>,
    ) {
        let cfg = &self.cfg;
        let t = f.t;
        let can_profile = self.table.profiles < cfg.max_profiles;
        let Some(st) = self.table.touch(kind, id, t, cfg) else {
            return;
        };
        st.events += 1;
        st.ids.push_new(ev.request_id.clone());
        let mut fire = |k: DetectionKind, _st: &PState, evidence: Ev| {
            cands.push(Candidate { kind: k, principal: Principal::new(kind, id), evidence });
        };
        let ev_of = |window_secs: u64,
                     observed: f64,
                     baseline: f64,
                     threshold: f64,
                     measure: &'static str| {
            Ev { window_secs, observed, baseline, threshold, measure }
        };

        // Credential stuffing: auth failures from one source.
        if f.is_auth_failure {
            let a = st.auth.get_or_insert_with(|| {
                Box::new((
                    Window::new(cfg.stuffing_window_secs),
                    DistinctWindow::new(cfg.stuffing_window_secs, cfg.max_distinct),
                ))
            });
            a.0.add(t, [1.0]);
            if let Some(k) = f.presented_key {
                a.1.add(t, item_hash(k));
            }
            let fails = a.0.sum(t)[0];
            let keys = a.1.count(t) as f64;
            let hit = (fails >= cfg.stuffing_failures && keys >= cfg.stuffing_distinct_keys)
                || fails >= cfg.stuffing_failures_any;
            if hit {
                let (thr, m) = if fails >= cfg.stuffing_failures_any {
                    (cfg.stuffing_failures_any, "authentication failures from one source")
                } else {
                    (cfg.stuffing_failures, "authentication failures across keys from one source")
                };
                let e = ev_of(cfg.stuffing_window_secs, fails, 0.0, thr, m);
                fire(DetectionKind::CredentialStuffing, st, e);
            }
            return;
        }

        // Update windows.
        let mut new_profile = false;
        st.rate.add(t, [1.0, f.tokens, if f.throttled { 1.0 } else { 0.0 }]);
        st.probe.add(t, [1.0, if f.flagged { 1.0 } else { 0.0 }, f.injections]);
        if st.profile.is_none()
            && can_profile
            && (has_profile_kind(kind)
                || (kind == PrincipalKind::SourceIp && st.events >= cfg.profile_after_events))
        {
            st.profile = Some(Box::new(Profile::new(t, cfg.alpha_week, cfg.alpha_day)));
            new_profile = true;
        }
        let mut new_in_hour = 0.0;
        if !f.patients.is_empty() && kind != PrincipalKind::Patient {
            let recent =
                st.patients.get_or_insert_with(|| Box::new(Recent::new(cfg.max_patient_refs)));
            for p in &f.patients {
                recent.push((*p).to_owned());
            }
            let bulk = st.bulk.get_or_insert_with(|| {
                Box::new(DistinctWindow::new(cfg.bulk_window_secs, cfg.max_distinct))
            });
            for p in &f.patients {
                bulk.add(t, item_hash(p));
            }
            if st.profile.is_some() {
                let hw = st
                    .hour_patients
                    .get_or_insert_with(|| Box::new(DistinctWindow::new(3600, cfg.max_distinct)));
                let dw = st
                    .day_patients
                    .get_or_insert_with(|| Box::new(DistinctWindow::new(86_400, cfg.max_distinct)));
                for p in &f.patients {
                    let h = item_hash(p);
                    if hw.add(t, h) {
                        new_in_hour += 1.0;
                    }
                    dw.add(t, h);
                }
            }
        }
        if f.phi_released > 0.0 {
            st.phi
                .get_or_insert_with(|| Box::new(Window::new(cfg.phi_window_secs)))
                .add(t, [f.phi_released]);
        }
        let verify_touched = f.verify_fail > 0.0 || f.disclosure > 0.0 || f.cross_leak > 0.0;
        if verify_touched {
            st.verify
                .get_or_insert_with(|| Box::new(Window::new(cfg.verify_window_secs)))
                .add(t, [f.verify_fail, f.disclosure, f.cross_leak]);
        }
        let tracks_extraction = matches!(
            kind,
            PrincipalKind::Key
                | PrincipalKind::User
                | PrincipalKind::Session
                | PrincipalKind::SourceIp
        );
        if tracks_extraction {
            let x = st.extract.get_or_insert_with(|| {
                Box::new(Extract {
                    w: Window::new(cfg.extraction_window_secs),
                    shapes: VecDeque::with_capacity(SHAPE_RING),
                })
            });
            let (shaped, near) = match f.shape {
                Some(s) => {
                    let near =
                        x.shapes.iter().any(|&p| (p ^ s).count_ones() <= cfg.extraction_hamming);
                    if x.shapes.len() >= SHAPE_RING {
                        x.shapes.pop_front();
                    }
                    x.shapes.push_back(s);
                    (1.0, if near { 1.0 } else { 0.0 })
                }
                None => (0.0, 0.0),
            };
            x.w.add(t, [1.0, shaped, near, f.tokens_in, f.tokens_in * f.tokens_in]);
        }
        if let Some(p) = st.profile.as_mut() {
            let mut v = [0.0; MEASURES];
            v[Measure::Requests as usize] = 1.0;
            v[Measure::Tokens as usize] = f.tokens;
            v[Measure::Patients as usize] = new_in_hour;
            v[Measure::Phi as usize] = f.phi_released;
            p.add(t, v);
        }
        let mh = cfg.min_history_hours;
        // Aggregates (a key, an app, a source) alarm on volume against a learned baseline: their
        // normal volume is the sum of many people's and no static floor fits them all. Until the
        // baseline is trusted, only a volume well above the floor (`cold_aggregate_factor`)
        // alarms, so a key stolen on its first day is not free to pull charts.
        let aggregate =
            matches!(kind, PrincipalKind::Key | PrincipalKind::App | PrincipalKind::SourceIp);
        let exp = |st: &PState, m: Measure| st.profile.as_ref().and_then(|p| p.expected(m, t, mh));

        // Bulk patient access and slow exfiltration.
        if !f.patients.is_empty() && kind != PrincipalKind::Patient {
            let observed = st.bulk.as_mut().map_or(0, |b| b.count(t)) as f64;
            let floor = match kind {
                PrincipalKind::Session | PrincipalKind::Caller => cfg.bulk_floor_session,
                PrincipalKind::User => cfg.bulk_floor_principal,
                _ => cfg.bulk_floor_aggregate,
            };
            let e = exp(st, Measure::Patients);
            let (base, thr) =
                count_threshold(cfg, floor, e, cfg.bulk_window_secs, cfg.overdispersion);
            let thr =
                if aggregate && e.is_none() { floor * cfg.cold_aggregate_factor } else { thr };
            if observed >= thr {
                let e = ev_of(cfg.bulk_window_secs, observed, base, thr, "distinct patients");
                fire(DetectionKind::BulkPatientAccess, st, e);
            }
            if st.profile.is_some() {
                let hour = st.hour_patients.as_mut().map_or(0, |b| b.count(t)) as f64;
                let e = exp(st, Measure::Patients);
                let (base, thr) =
                    count_threshold(cfg, cfg.slow_floor_hour, e, 3600, cfg.overdispersion);
                let day = st.day_patients.as_mut().map_or(0, |b| b.count(t)) as f64;
                let daily = st.profile.as_ref().and_then(|p| p.daily_patients());
                if hour >= thr && (e.is_some() || !aggregate) {
                    let e = ev_of(3600, hour, base, thr, "distinct patients");
                    fire(DetectionKind::SlowExfiltration, st, e);
                } else if let Some((med, mad)) = daily {
                    let thr = cfg
                        .slow_floor_day
                        .max(med * cfg.slow_day_ratio)
                        .max(med + cfg.z * mad.max(med.sqrt()));
                    if day >= thr {
                        let e = ev_of(86_400, day, med, thr, "distinct patients");
                        fire(DetectionKind::SlowExfiltration, st, e);
                    }
                }
            }
        }

        // PHI entities released.
        if f.phi_released > 0.0 {
            let observed = st.phi.as_ref().map_or(0.0, |w| w.sum(t)[0]);
            let e = exp(st, Measure::Phi);
            let (base, thr) =
                count_threshold(cfg, cfg.phi_floor, e, cfg.phi_window_secs, cfg.phi_overdispersion);
            let thr = if aggregate && e.is_none() {
                cfg.phi_floor * cfg.cold_aggregate_factor
            } else {
                thr
            };
            if observed >= thr {
                let e = ev_of(cfg.phi_window_secs, observed, base, thr, "PHI entities released");
                fire(DetectionKind::PhiReleaseSpike, st, e);
            }
        }

        // Prompt injection: repeated injection attempts. One blocked attempt is the gateway's
        // business; several from one principal are a campaign, and from one key with a new
        // session each they are what poisoned documents (indirect injection) look like.
        if f.injections > 0.0 && kind != PrincipalKind::App {
            let [_, _, inj] = st.probe.sum(t);
            let min = if kind == PrincipalKind::Session {
                cfg.injection_min_session
            } else {
                cfg.injection_min_principal
            };
            if inj >= min {
                let e = ev_of(cfg.probe_window_secs, inj, 0.0, min, "injection attempts");
                fire(DetectionKind::PromptInjection, st, e);
            }
        }

        // Guard probing: blocked or flagged share.
        if f.flagged && kind != PrincipalKind::App {
            let [n, flagged, _] = st.probe.sum(t);
            let (min, ratio) = if kind == PrincipalKind::Session {
                (cfg.probe_min_session, cfg.probe_ratio)
            } else {
                (cfg.probe_min_principal, cfg.probe_ratio / 4.0)
            };
            let share = if n > 0.0 { flagged / n } else { 0.0 };
            if flagged >= min && share >= ratio {
                let e =
                    ev_of(cfg.probe_window_secs, flagged, 0.0, min, "blocked or flagged requests");
                fire(DetectionKind::GuardProbing, st, e);
            }
        }

        // Verification failures, lockouts, disclosures prevented.
        let conversational = matches!(kind, PrincipalKind::Session | PrincipalKind::Caller);
        if verify_touched && conversational {
            let [fails, disc, leak] = st.verify.as_ref().map_or([0.0; 3], |w| w.sum(t));
            if f.verify_fail > 0.0 && fails >= cfg.verify_fail_session {
                let e = ev_of(
                    cfg.verify_window_secs,
                    fails,
                    0.0,
                    cfg.verify_fail_session,
                    "verification failures",
                );
                fire(DetectionKind::VerificationFailures, st, e);
            }
            if (f.disclosure > 0.0 && disc >= cfg.disclosure_min)
                || (f.cross_leak > 0.0 && leak >= 1.0)
            {
                let (obs, thr) = if leak >= 1.0 { (leak, 1.0) } else { (disc, cfg.disclosure_min) };
                let e = ev_of(cfg.verify_window_secs, obs, 0.0, thr, "disclosures prevented");
                fire(DetectionKind::DisclosurePrevented, st, e);
            }
        }
        if f.lockout && conversational {
            let e = ev_of(0, 1.0, 0.0, 1.0, "verification lockout");
            fire(DetectionKind::VerificationLockout, st, e);
        }

        // Requests refused by the configured limits: the limit is the baseline.
        if f.throttled && kind != PrincipalKind::App {
            let [_, _, refused] = st.rate.sum(t);
            if refused >= cfg.throttle_floor {
                let e = ev_of(
                    cfg.rate_window_secs,
                    refused,
                    0.0,
                    cfg.throttle_floor,
                    "requests refused by rate, stream or size limits",
                );
                fire(DetectionKind::RequestRateSpike, st, e);
            }
        }

        // Request and token rate against the learned hour.
        if st.profile.is_some() {
            let [reqs, toks, _] = st.rate.sum(t);
            let (base, thr) = count_threshold(
                cfg,
                cfg.rate_floor,
                exp(st, Measure::Requests),
                cfg.rate_window_secs,
                cfg.overdispersion,
            );
            if exp(st, Measure::Requests).is_some() && reqs >= thr {
                let e = ev_of(cfg.rate_window_secs, reqs, base, thr, "requests");
                fire(DetectionKind::RequestRateSpike, st, e);
            }
            if let Some(e) = exp(st, Measure::Tokens) {
                let f = cfg.rate_window_secs as f64 / 3600.0;
                let base = e.mean.max(0.0) * f;
                let thr = cfg
                    .token_floor
                    .max(base * cfg.min_ratio)
                    .max(base + cfg.z * e.sigma * f.sqrt());
                if toks >= thr {
                    let e = ev_of(cfg.rate_window_secs, toks, base, thr, "tokens");
                    fire(DetectionKind::TokenSpike, st, e);
                }
            }
        }

        // New source for a key or user.
        if matches!(kind, PrincipalKind::Key | PrincipalKind::User) {
            if let Some(ip) = ev.source_ip.as_deref().filter(|s| !s.is_empty()) {
                let mature = st.events > cfg.new_source_min_events
                    && t.saturating_sub(st.first_ms)
                        >= i64::try_from(cfg.new_source_min_age_hours)
                            .unwrap_or(i64::MAX / 4_000_000)
                            .saturating_mul(3_600_000);
                let known = st.sources.as_ref().is_some_and(|s| {
                    s.iter().any(|k| k == ip)
                        || (mature
                            && cfg.new_source_same_subnet_known
                            && ip
                                .parse::<std::net::IpAddr>()
                                .is_ok_and(|a| s.iter().any(|k| same_subnet(k, &a))))
                });
                if mature && !known {
                    let seen = st.sources.as_ref().map_or(0, |s| s.len());
                    let e = ev_of(0, 1.0, seen as f64, 0.0, "source not seen for this principal");
                    fire(DetectionKind::NewSource, st, e);
                }
                let srcs =
                    st.sources.get_or_insert_with(|| Box::new(Recent::new(cfg.new_source_memory)));
                if srcs.iter().next_back().is_none_or(|k| k != ip) {
                    srcs.push(ip.to_owned());
                }
            }
        }

        // Off hours relative to the principal's learned hours.
        if matches!(kind, PrincipalKind::Key | PrincipalKind::User) {
            if let Some((at, mean)) =
                st.profile.as_ref().and_then(|p| p.activity(t, cfg.min_history_hours.max(168)))
            {
                let [reqs, _, _] = st.rate.sum(t);
                if mean >= cfg.off_hours_min_mean
                    && at <= cfg.off_hours_expected_max
                    && reqs >= cfg.off_hours_min_requests
                {
                    let e = ev_of(
                        cfg.rate_window_secs,
                        reqs,
                        at,
                        cfg.off_hours_expected_max,
                        "requests at a learned quiet hour",
                    );
                    fire(DetectionKind::OffHours, st, e);
                }
            }
        }

        // Systematic queries (model extraction).
        if let Some(x) = st.extract.as_ref() {
            let [n, shaped, near, s1, s2] = x.w.sum(t);
            if n >= cfg.extraction_min_requests {
                if shaped >= cfg.extraction_min_requests
                    && near / shaped >= cfg.extraction_near_share
                {
                    let e = ev_of(
                        cfg.extraction_window_secs,
                        near / shaped,
                        0.0,
                        cfg.extraction_near_share,
                        "share of near-identical request shapes",
                    );
                    fire(DetectionKind::ModelExtraction, st, e);
                } else if shaped < n / 2.0 && n >= 2.0 * cfg.extraction_min_requests && s1 > 0.0 {
                    let mean = s1 / n;
                    let cv = (s2 / n - mean * mean).max(0.0).sqrt() / mean;
                    if cv <= cfg.extraction_token_cv {
                        let e = ev_of(
                            cfg.extraction_window_secs,
                            cv,
                            0.0,
                            cfg.extraction_token_cv,
                            "prompt-token coefficient of variation",
                        );
                        fire(DetectionKind::ModelExtraction, st, e);
                    }
                }
            }
        }
        if new_profile {
            self.table.profiles += 1;
        }
    }

    /// Merge candidates per kind, apply the cooldown, and build detections.
    fn merge(
        &mut self,
        mut cands: Vec<Candidate>,
        names: &[(PrincipalKind, &str)],
        t: i64,
    ) -> Vec<Detection> {
        cands.sort_by(|a, b| {
            (a.kind, kind_index(a.principal.kind), &a.principal.id).cmp(&(
                b.kind,
                kind_index(b.principal.kind),
                &b.principal.id,
            ))
        });
        let cooldown =
            i64::try_from(self.cfg.cooldown_secs).unwrap_or(i64::MAX / 2000).saturating_mul(1000);
        let realert =
            i64::try_from(self.cfg.realert_secs).unwrap_or(i64::MAX / 2000).saturating_mul(1000);
        let mut out = Vec::new();
        let mut i = 0;
        while i < cands.len() {
            let kind = cands[i].kind;
            let mut j = i;
            while j < cands.len() && cands[j].kind == kind {
                j += 1;
            }
            let group = &cands[i..j];
            // Suppressed if any principal of the group is cooling down for this kind.
            let mut suppressed = false;
            let mut last_alert = i64::MIN;
            for c in group {
                if let Some(st) = self.table.get_mut(c.principal.kind, &c.principal.id) {
                    if let Some(s) = st.supp.iter().find(|s| s.kind == kind) {
                        if t < s.until {
                            suppressed = true;
                            last_alert = last_alert.max(s.last_alert);
                        }
                    }
                }
            }
            let emit = !suppressed || t.saturating_sub(last_alert) >= realert;
            for c in group {
                if let Some(st) = self.table.get_mut(c.principal.kind, &c.principal.id) {
                    let until = t.saturating_add(cooldown);
                    match st.supp.iter_mut().find(|s| s.kind == kind) {
                        Some(s) => {
                            s.until = until;
                            if emit {
                                s.last_alert = t;
                            }
                        }
                        None => st.supp.push(Supp {
                            kind,
                            until,
                            last_alert: if emit { t } else { last_alert },
                        }),
                    }
                }
            }
            if emit {
                out.push(self.build(group, names, t));
            } else {
                self.stats.suppressed += 1;
            }
            i = j;
        }
        self.stats.detections += out.len() as u64;
        out
    }

    fn build(&mut self, group: &[Candidate], names: &[(PrincipalKind, &str)], t: i64) -> Detection {
        let lead = &group[0];
        let (severity, techniques) = kind_meta(lead.kind);
        let mut related: Vec<Principal> = Vec::new();
        for c in &group[1..] {
            if !related.contains(&c.principal) {
                related.push(c.principal.clone());
            }
        }
        for &(k, id) in names {
            let p = Principal::new(k, id);
            if p != lead.principal && !related.contains(&p) {
                related.push(p);
            }
        }
        self.seq += 1;
        let (max_p, max_r) = (self.cfg.max_patient_refs, self.cfg.max_request_ids);
        let (patient_refs, request_ids) =
            match self.table.get_mut(lead.principal.kind, &lead.principal.id) {
                Some(st) => {
                    let p = if lead.principal.kind == PrincipalKind::Patient {
                        vec![lead.principal.id.clone()]
                    } else {
                        st.patients.as_ref().map(|p| p.newest(max_p)).unwrap_or_default()
                    };
                    (p, st.ids.newest(max_r))
                }
                None => (Vec::new(), Vec::new()),
            };
        let e = lead.evidence;
        Detection {
            id: format!("anom-{t}-{}", self.seq),
            time: t,
            kind: lead.kind,
            severity,
            principal: lead.principal.clone(),
            related,
            patient_refs,
            evidence: Evidence {
                window_secs: e.window_secs,
                observed: e.observed,
                baseline: e.baseline,
                threshold: e.threshold,
                measure: e.measure.to_owned(),
            },
            techniques: techniques.iter().map(|s| (*s).to_owned()).collect(),
            request_ids,
        }
    }
}

/// Principal kinds in merge order, most specific first.
pub fn principal_order() -> [PrincipalKind; PRINCIPAL_KINDS] {
    KIND_BY_INDEX
}
