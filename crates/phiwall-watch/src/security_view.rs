//! The read side of detection and response, as the gateway's admin API and the drill runner see
//! it: recent [`Detection`]s, incident summaries and the current containment state.
//!
//! [`SecurityView`] is the seam between the gateway (which serves `/phiwall/v1/admin/*`) and
//! whatever produces detections and incidents (the anomaly engine, incident response). The
//! gateway ships [`MemorySecurityView`], which keeps the detections handed to it (bounded) and
//! reports that incidents and containment are not available, so the admin API works before
//! incident response is wired in.
//!
//! Like [`crate::Event`], nothing here carries PHI: principals are key prefixes, session ids,
//! client addresses and keyed references.

use crate::detection::{Detection, DetectionKind, Principal, PrincipalKind};
use crate::event::Severity;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;

/// One incident, as the admin API lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentSummary {
    /// Incident id.
    pub id: String,
    /// Lifecycle state (`detected`, `analyzing`, `contained`, `eradicated`, `recovered`,
    /// `closed`).
    pub state: String,
    /// Highest severity among its detections.
    pub severity: Severity,
    /// Detection kinds that make up the incident.
    pub kinds: Vec<DetectionKind>,
    /// Principals involved.
    pub principals: Vec<Principal>,
    /// When the first detection was made, ms since the unix epoch.
    pub detected_at: i64,
    /// When containment took effect, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contained_at: Option<i64>,
}

/// One contained principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainedPrincipal {
    /// Who is contained.
    pub principal: Principal,
    /// The action, e.g. `suspend_key`, `quarantine_session`, `block_source`.
    pub action: String,
    /// Since when, ms since the unix epoch.
    pub since: i64,
    /// When it lifts by itself, if time-boxed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// The incident that caused it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
}

/// Current containment state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainmentSummary {
    /// Whether the gateway runs in safe mode (releases no PHI at all).
    pub is_safe_mode: bool,
    /// Contained principals.
    pub contained: Vec<ContainedPrincipal>,
}

/// What a view can report. Drills mark a check they cannot make as skipped, not failed, and
/// say why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewCapabilities {
    /// Detections are produced and listed.
    pub has_detections: bool,
    /// Incidents are built and listed.
    pub has_incidents: bool,
    /// Principal kinds this deployment can contain (and enforce in the gateway).
    pub containment: Vec<PrincipalKind>,
}

impl Default for ViewCapabilities {
    /// Everything: what a fully wired deployment reports.
    fn default() -> Self {
        ViewCapabilities {
            has_detections: true,
            has_incidents: true,
            containment: vec![
                PrincipalKind::Key,
                PrincipalKind::App,
                PrincipalKind::User,
                PrincipalKind::Session,
                PrincipalKind::Caller,
                PrincipalKind::SourceIp,
            ],
        }
    }
}

/// The read side of detection and response. Implementations must be cheap to call (the admin
/// API and drills poll it).
pub trait SecurityView: Send + Sync {
    /// Detections made at or after `since_ms` (ms since the unix epoch), oldest first.
    fn detections_since(&self, since_ms: i64) -> Vec<Detection>;
    /// Incidents, most recent first.
    fn incidents(&self) -> Vec<IncidentSummary>;
    /// Current containment.
    fn containment(&self) -> ContainmentSummary;
    /// What this view can report (default: everything).
    fn capabilities(&self) -> ViewCapabilities {
        ViewCapabilities::default()
    }
}

/// The default view: keeps the last `capacity` detections handed to [`MemorySecurityView::record`];
/// no incidents, no containment.
#[derive(Debug)]
pub struct MemorySecurityView {
    capacity: usize,
    detections: Mutex<VecDeque<Detection>>,
}

impl Default for MemorySecurityView {
    fn default() -> Self {
        MemorySecurityView::new(10_000)
    }
}

impl MemorySecurityView {
    /// A view keeping at most `capacity` detections (oldest dropped first).
    pub fn new(capacity: usize) -> Self {
        MemorySecurityView { capacity: capacity.max(1), detections: Mutex::new(VecDeque::new()) }
    }

    /// Keep a detection.
    pub fn record(&self, d: Detection) {
        if let Ok(mut q) = self.detections.lock() {
            if q.len() >= self.capacity {
                q.pop_front();
            }
            q.push_back(d);
        }
    }

    /// How many detections are held.
    pub fn len(&self) -> usize {
        self.detections.lock().map(|q| q.len()).unwrap_or(0)
    }

    /// True when none are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SecurityView for MemorySecurityView {
    fn detections_since(&self, since_ms: i64) -> Vec<Detection> {
        let mut v: Vec<Detection> = self
            .detections
            .lock()
            .map(|q| q.iter().filter(|d| d.time >= since_ms).cloned().collect())
            .unwrap_or_default();
        v.sort_by_key(|d| d.time);
        v
    }

    fn incidents(&self) -> Vec<IncidentSummary> {
        Vec::new()
    }

    fn containment(&self) -> ContainmentSummary {
        ContainmentSummary::default()
    }

    fn capabilities(&self) -> ViewCapabilities {
        ViewCapabilities { has_detections: true, has_incidents: false, containment: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detection::Evidence;

    fn det(time: i64) -> Detection {
        Detection {
            id: format!("d{time}"),
            time,
            kind: DetectionKind::PromptInjection,
            severity: Severity::High,
            principal: Principal::new(PrincipalKind::Key, "abcd1234"),
            related: Vec::new(),
            patient_refs: Vec::new(),
            evidence: Evidence {
                window_secs: 60,
                observed: 1.0,
                baseline: 0.0,
                threshold: 1.0,
                measure: "injection findings in 60 s".into(),
            },
            techniques: Vec::new(),
            request_ids: Vec::new(),
        }
    }

    #[test]
    fn memory_view_is_bounded_and_filters_by_time() {
        let v = MemorySecurityView::new(3);
        for t in [5, 1, 2, 3] {
            v.record(det(t));
        }
        assert_eq!(v.len(), 3);
        let got: Vec<i64> = v.detections_since(2).iter().map(|d| d.time).collect();
        assert_eq!(got, vec![2, 3]);
        assert!(v.incidents().is_empty());
        assert!(!v.capabilities().has_incidents);
    }

    #[test]
    fn summaries_round_trip() {
        let i = IncidentSummary {
            id: "inc-1".into(),
            state: "contained".into(),
            severity: Severity::High,
            kinds: vec![DetectionKind::CredentialStuffing],
            principals: vec![Principal::new(PrincipalKind::SourceIp, "127.0.0.1")],
            detected_at: 10,
            contained_at: Some(20),
        };
        let j = serde_json::to_string(&i).unwrap();
        assert_eq!(serde_json::from_str::<IncidentSummary>(&j).unwrap(), i);
        let c = ContainmentSummary {
            is_safe_mode: false,
            contained: vec![ContainedPrincipal {
                principal: Principal::new(PrincipalKind::Key, "abcd"),
                action: "suspend_key".into(),
                since: 1,
                expires_at: None,
                incident: Some("inc-1".into()),
            }],
        };
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<ContainmentSummary>(&j).unwrap(), c);
    }
}
