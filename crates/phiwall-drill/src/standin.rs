//! A **stand-in** for the anomaly engine and incident response, for drills and the demo until
//! those are wired into the gateway: an event [`Sink`] with a few fixed window rules that turn
//! gateway events into [`Detection`]s, one incident per principal, and (when given the key
//! store) containment of abused keys by revoking them.
//!
//! It is deliberately simple and says so: fixed thresholds, no baselines, no correlation beyond
//! the principal, revocation as the only containment. What it proves is the plumbing (events
//! in, detections out, the admin API, the drill scorecard), not detection quality. Like every
//! sink it sees only events, which carry no PHI.

use phiwall_store::KeyStore;
use phiwall_watch::{
    ContainedPrincipal, ContainmentSummary, Detection, DetectionKind, Event, Evidence,
    IncidentSummary, MemorySecurityView, Outcome, Principal, PrincipalKind, SecurityView, Severity,
    Sink, ViewCapabilities,
};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Window of the counting rules, ms.
pub const WINDOW_MS: i64 = 60_000;

/// One rule: what it counts and when it fires.
#[derive(Debug, Clone, Copy)]
struct Rule {
    kind: DetectionKind,
    threshold: u32,
    severity: Severity,
    measure: &'static str,
    technique: &'static str,
    contains: bool,
}

const INJECTION: Rule = Rule {
    kind: DetectionKind::PromptInjection,
    threshold: 1,
    severity: Severity::High,
    measure: "injection findings in 60 s",
    technique: "AML.T0051",
    contains: false,
};
const PROBING: Rule = Rule {
    kind: DetectionKind::GuardProbing,
    threshold: 10,
    severity: Severity::High,
    measure: "requests refused by policy or inspection in 60 s",
    technique: "AML.T0051",
    contains: true,
};
const STUFFING: Rule = Rule {
    kind: DetectionKind::CredentialStuffing,
    threshold: 10,
    severity: Severity::High,
    measure: "authentication failures from one source in 60 s",
    technique: "T1110.004",
    contains: true,
};
const PHI_SPIKE: Rule = Rule {
    kind: DetectionKind::PhiReleaseSpike,
    threshold: 40,
    severity: Severity::High,
    measure: "PHI entities in requests of one key in 60 s",
    technique: "T1530",
    contains: true,
};
const BULK: Rule = Rule {
    kind: DetectionKind::BulkPatientAccess,
    threshold: 20,
    severity: Severity::High,
    measure: "distinct patients in 60 s",
    technique: "T1530",
    contains: true,
};
const RATE: Rule = Rule {
    kind: DetectionKind::RequestRateSpike,
    threshold: 20,
    severity: Severity::Medium,
    measure: "rate-limited or oversized requests in 60 s",
    technique: "T1499",
    contains: false,
};
const VERIFY: Rule = Rule {
    kind: DetectionKind::VerificationFailures,
    threshold: 5,
    severity: Severity::High,
    measure: "caller-verification failures in 60 s",
    technique: "T1110.001",
    contains: true,
};
const LOCKOUT: Rule = Rule {
    kind: DetectionKind::VerificationLockout,
    threshold: 1,
    severity: Severity::High,
    measure: "verification lockouts in 60 s",
    technique: "T1110.001",
    contains: false,
};
const SOCIAL: Rule = Rule {
    kind: DetectionKind::GuardProbing,
    threshold: 3,
    severity: Severity::Medium,
    measure: "social-engineering turns flagged in 60 s",
    technique: "T1656",
    contains: false,
};
const DISCLOSURE: Rule = Rule {
    kind: DetectionKind::DisclosurePrevented,
    threshold: 1,
    severity: Severity::High,
    measure: "disclosures prevented in 60 s",
    technique: "T1530",
    contains: false,
};

#[derive(Default)]
struct Inner {
    windows: HashMap<(DetectionKind, Principal), VecDeque<(i64, u32)>>,
    fired: HashMap<(DetectionKind, Principal), i64>,
    patients: HashMap<Principal, VecDeque<(i64, String)>>,
    incidents: BTreeMap<Principal, IncidentSummary>,
    contained: Vec<ContainedPrincipal>,
    next_id: u64,
}

/// The stand-in's state, readable as a [`SecurityView`].
pub struct StandinView {
    detections: MemorySecurityView,
    inner: Mutex<Inner>,
    keys: Option<Arc<dyn KeyStore>>,
}

impl std::fmt::Debug for StandinView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandinView").field("can_contain_keys", &self.keys.is_some()).finish()
    }
}

impl StandinView {
    /// A view; with `keys`, abused keys are contained by revoking them in that store.
    pub fn new(keys: Option<Arc<dyn KeyStore>>) -> Arc<Self> {
        Arc::new(StandinView {
            detections: MemorySecurityView::default(),
            inner: Mutex::new(Inner::default()),
            keys,
        })
    }

    /// A sink feeding this view; give it to the gateway's `BuildOptions::sinks`.
    pub fn sink(self: &Arc<Self>) -> StandinSink {
        StandinSink { view: self.clone() }
    }

    fn observe(&self, ev: &Event) {
        let Ok(mut g) = self.inner.lock() else { return };
        let key =
            ev.actor.key_prefix.as_ref().map(|p| Principal::new(PrincipalKind::Key, p.clone()));
        let source =
            ev.source_ip.as_ref().map(|s| Principal::new(PrincipalKind::SourceIp, s.clone()));
        let Some(main) = key.clone().or_else(|| source.clone()) else { return };
        let mut related = Vec::new();
        if let (Some(_), Some(s)) = (&key, &source) {
            related.push(s.clone());
        }
        if let Some(s) = &ev.session {
            related.push(Principal::new(PrincipalKind::Session, s.clone()));
        }
        let t = ev.time;
        let n_injection = ev.findings.get("input.injection").copied().unwrap_or(0);
        if n_injection > 0 {
            self.count(&mut g, INJECTION, &main, &related, t, n_injection, &ev.request_id);
        }
        let refused_by_policy = ev.outcome == Outcome::Denied
            && (n_injection > 0 || ev.reason.is_some_and(|r| r.starts_with("policy.")));
        if refused_by_policy {
            self.count(&mut g, PROBING, &main, &related, t, 1, &ev.request_id);
        }
        // Unknown, malformed or missing credentials: guessing. A revoked or expired key is a
        // known principal still in use, not stuffing.
        let is_guess = ev.reason.is_some_and(|r| {
            matches!(
                r,
                "auth.key_unknown"
                    | "auth.key_malformed"
                    | "auth.missing"
                    | "auth.token_invalid"
                    | "auth.admin"
            )
        });
        if is_guess {
            if let Some(s) = &source {
                self.count(&mut g, STUFFING, s, &[], t, 1, &ev.request_id);
            }
        }
        let phi: u32 =
            ev.findings.iter().filter(|(k, _)| k.starts_with("input.phi.")).map(|(_, n)| *n).sum();
        if phi > 0 && key.is_some() {
            self.count(&mut g, PHI_SPIKE, &main, &related, t, phi, &ev.request_id);
        }
        if !ev.patient_refs.is_empty() {
            let q = g.patients.entry(main.clone()).or_default();
            for r in &ev.patient_refs {
                q.push_back((t, r.clone()));
            }
            while q.front().is_some_and(|(x, _)| *x < t - WINDOW_MS) {
                q.pop_front();
            }
            let distinct: std::collections::BTreeSet<&String> = q.iter().map(|(_, r)| r).collect();
            if distinct.len() as u32 >= BULK.threshold {
                let n = distinct.len() as u32;
                self.fire(&mut g, BULK, &main, &related, t, n, &ev.request_id);
            }
        }
        if matches!(ev.status, 429 | 413) {
            self.count(&mut g, RATE, &main, &related, t, 1, &ev.request_id);
        }
        if ev.endpoint.contains("verif") && ev.outcome == Outcome::Denied {
            let p = source.clone().unwrap_or_else(|| main.clone());
            self.count(&mut g, VERIFY, &p, &related, t, 1, &ev.request_id);
        }
        let social = ev.findings.get("identity.social_engineering").copied().unwrap_or(0);
        if social > 0 {
            let p = ev
                .session
                .as_ref()
                .map(|s| Principal::new(PrincipalKind::Session, s.clone()))
                .unwrap_or_else(|| main.clone());
            self.count(&mut g, SOCIAL, &p, &related, t, social, &ev.request_id);
        }
        let lockouts = ev.findings.get("identity.lockout").copied().unwrap_or(0);
        if lockouts > 0 {
            let p = source.clone().unwrap_or_else(|| main.clone());
            self.count(&mut g, LOCKOUT, &p, &related, t, lockouts, &ev.request_id);
        }
        let disclosed: u32 = ev
            .findings
            .iter()
            .filter(|(k, _)| k.starts_with("output.disclosure"))
            .map(|(_, n)| *n)
            .sum();
        if disclosed > 0 {
            self.count(&mut g, DISCLOSURE, &main, &related, t, disclosed, &ev.request_id);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn count(
        &self,
        g: &mut Inner,
        rule: Rule,
        p: &Principal,
        related: &[Principal],
        t: i64,
        n: u32,
        rid: &str,
    ) {
        let q = g.windows.entry((rule.kind, p.clone())).or_default();
        q.push_back((t, n));
        while q.front().is_some_and(|(x, _)| *x < t - WINDOW_MS) {
            q.pop_front();
        }
        let total: u32 = q.iter().map(|(_, n)| *n).sum();
        if total >= rule.threshold {
            self.fire(g, rule, p, related, t, total, rid);
        }
    }

    /// Emit a detection unless this rule fired for this principal within the window.
    #[allow(clippy::too_many_arguments)]
    fn fire(
        &self,
        g: &mut Inner,
        rule: Rule,
        p: &Principal,
        related: &[Principal],
        t: i64,
        observed: u32,
        rid: &str,
    ) {
        let k = (rule.kind, p.clone());
        if g.fired.get(&k).is_some_and(|last| t - *last < WINDOW_MS) {
            return;
        }
        g.fired.insert(k, t);
        g.next_id += 1;
        let d = Detection {
            id: format!("det-standin-{}", g.next_id),
            time: t,
            kind: rule.kind,
            severity: rule.severity,
            principal: p.clone(),
            related: related.to_vec(),
            patient_refs: Vec::new(),
            evidence: Evidence {
                window_secs: (WINDOW_MS / 1000) as u64,
                observed: f64::from(observed),
                baseline: 0.0,
                threshold: f64::from(rule.threshold),
                measure: rule.measure.to_string(),
            },
            techniques: vec![rule.technique.to_string()],
            request_ids: vec![rid.to_string()],
        };
        self.detections.record(d);
        let inc = g.incidents.entry(p.clone()).or_insert_with(|| IncidentSummary {
            id: format!("inc-standin-{}", g.next_id),
            state: "detected".into(),
            severity: rule.severity,
            kinds: Vec::new(),
            principals: vec![p.clone()],
            detected_at: t,
            contained_at: None,
        });
        if !inc.kinds.contains(&rule.kind) {
            inc.kinds.push(rule.kind);
        }
        inc.severity = inc.severity.max(rule.severity);
        for r in related {
            if !inc.principals.contains(r) {
                inc.principals.push(r.clone());
            }
        }
        let inc_id = inc.id.clone();
        if rule.contains && p.kind == PrincipalKind::Key && inc.contained_at.is_none() {
            if let Some(store) = &self.keys {
                if store.revoke(&p.id, t / 1000).is_ok() {
                    inc.contained_at = Some(t);
                    inc.state = "contained".into();
                    g.contained.push(ContainedPrincipal {
                        principal: p.clone(),
                        action: "revoke_key (stand-in)".into(),
                        since: t,
                        expires_at: None,
                        incident: Some(inc_id),
                    });
                    tracing::warn!(key_prefix = %p.id, "Stand-in containment revoked an API key");
                }
            }
        }
    }
}

impl SecurityView for StandinView {
    fn detections_since(&self, since_ms: i64) -> Vec<Detection> {
        self.detections.detections_since(since_ms)
    }

    fn incidents(&self) -> Vec<IncidentSummary> {
        let mut v: Vec<IncidentSummary> =
            self.inner.lock().map(|g| g.incidents.values().cloned().collect()).unwrap_or_default();
        v.sort_by_key(|i| std::cmp::Reverse(i.detected_at));
        v
    }

    fn containment(&self) -> ContainmentSummary {
        ContainmentSummary {
            is_safe_mode: false,
            contained: self.inner.lock().map(|g| g.contained.clone()).unwrap_or_default(),
        }
    }

    fn capabilities(&self) -> ViewCapabilities {
        ViewCapabilities {
            has_detections: true,
            has_incidents: true,
            containment: if self.keys.is_some() { vec![PrincipalKind::Key] } else { Vec::new() },
        }
    }
}

/// The sink half of the stand-in.
pub struct StandinSink {
    view: Arc<StandinView>,
}

impl Sink for StandinSink {
    fn name(&self) -> &'static str {
        "standin-detector"
    }

    fn write(&mut self, event: &Event) -> std::io::Result<()> {
        self.view.observe(event);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phiwall_watch::Activity;

    fn ev(t: i64, key: Option<&str>, reason: Option<&'static str>) -> Event {
        let mut e = Event::new(Activity::Create, t, format!("r{t}"), "chat.completions");
        e.actor.key_prefix = key.map(str::to_string);
        e.source_ip = Some("127.0.0.1".into());
        if let Some(r) = reason {
            e.outcome = Outcome::Denied;
            e.reason = Some(r);
            e.status = 401;
        }
        e
    }

    #[test]
    fn stuffing_fires_once_per_window_and_opens_one_incident() {
        let v = StandinView::new(None);
        let mut s = v.sink();
        for i in 0..50 {
            s.write(&ev(1_000 + i, None, Some("auth.key_unknown"))).unwrap();
        }
        let d = v.detections_since(0);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kind, DetectionKind::CredentialStuffing);
        assert_eq!(d[0].principal.kind, PrincipalKind::SourceIp);
        assert_eq!(d[0].time, 1_009);
        assert_eq!(v.incidents().len(), 1);
        assert!(v.containment().contained.is_empty());
    }

    #[test]
    fn probing_revokes_the_key() {
        let store: Arc<dyn KeyStore> =
            Arc::new(phiwall_store::SqliteKeyStore::in_memory().unwrap());
        let k = phiwall_store::keys::create(store.as_ref(), "clinic", "t", None, 1).unwrap();
        let prefix = k.record.prefix.clone();
        let v = StandinView::new(Some(store.clone()));
        let mut s = v.sink();
        for i in 0..10 {
            let mut e = ev(5_000 + i, Some(&prefix), None);
            e.outcome = Outcome::Denied;
            e.status = 400;
            e.count_finding("input.injection", 1);
            s.write(&e).unwrap();
        }
        let kinds: Vec<DetectionKind> = v.detections_since(0).iter().map(|d| d.kind).collect();
        assert_eq!(kinds, vec![DetectionKind::PromptInjection, DetectionKind::GuardProbing]);
        let c = v.containment();
        assert_eq!(c.contained.len(), 1);
        assert_eq!(c.contained[0].since, 5_009);
        assert!(phiwall_store::keys::verify(store.as_ref(), k.reveal(), 10).is_err());
        assert_eq!(v.incidents()[0].state, "contained");
    }
}
