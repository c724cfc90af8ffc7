//! [`RespondView`]: the gateway admin API's [`SecurityView`] over the real pipeline — the
//! detections the anomaly engine produced (kept in a bounded [`MemorySecurityView`] that the
//! detection callback also feeds) and `phiwall-respond`'s incident and containment stores,
//! read through their own SQLite handles (WAL), so the admin API never blocks the responder.
//!
//! Wiring (for `serve`, the demo and tests): give `Arc<RespondView>` to
//! `BuildOptions::security_view`, and in the anomaly sink's detection callback call
//! [`RespondView::record`] before sending the detection to the responder.

use phiwall_respond::Incident;
use phiwall_store::{ContainmentKind, ContainmentStore, IncidentStore, SqliteContainmentStore};
use phiwall_watch::{
    ContainedPrincipal, ContainmentSummary, Detection, IncidentSummary, MemorySecurityView,
    Principal, PrincipalKind, SecurityView,
};
use std::path::Path;
use std::sync::Arc;

/// The admin API's view of anomaly detection and incident response.
pub struct RespondView {
    detections: MemorySecurityView,
    /// Swapped for the shared store in cluster mode (PostgreSQL).
    incidents: std::sync::RwLock<Arc<IncidentStore>>,
    /// Swapped for the gateway's own store once it is built (PostgreSQL in cluster mode).
    containment: std::sync::RwLock<Arc<dyn ContainmentStore>>,
}

impl std::fmt::Debug for RespondView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RespondView")
    }
}

impl RespondView {
    /// Open read handles on the incident and containment stores in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, phiwall_store::Error> {
        Ok(RespondView {
            detections: MemorySecurityView::default(),
            incidents: std::sync::RwLock::new(Arc::new(IncidentStore::open(data_dir)?)),
            containment: std::sync::RwLock::new(Arc::new(SqliteContainmentStore::open(data_dir)?)),
        })
    }

    /// Read containment from `store` from now on: the one the gateway enforces.
    pub fn use_containment(&self, store: Arc<dyn ContainmentStore>) {
        match self.containment.write() {
            Ok(mut c) => *c = store,
            Err(poisoned) => *poisoned.into_inner() = store,
        }
    }

    /// Read incidents from `store` from now on: the one the responder writes.
    pub fn use_incidents(&self, store: Arc<IncidentStore>) {
        match self.incidents.write() {
            Ok(mut c) => *c = store,
            Err(poisoned) => *poisoned.into_inner() = store,
        }
    }

    fn incident_store(&self) -> Arc<IncidentStore> {
        match self.incidents.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn containment_store(&self) -> Arc<dyn ContainmentStore> {
        match self.containment.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Keep a detection for `/phiwall/v1/admin/detections`.
    pub fn record(&self, d: Detection) {
        self.detections.record(d);
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The principal kind a containment acts on (`None` for safe mode).
fn principal_kind(k: ContainmentKind) -> Option<PrincipalKind> {
    Some(match k {
        ContainmentKind::SuspendKey => PrincipalKind::Key,
        ContainmentKind::SuspendApp | ContainmentKind::TightenApp => PrincipalKind::App,
        ContainmentKind::QuarantineSession | ContainmentKind::ReverifySession => {
            PrincipalKind::Session
        }
        ContainmentKind::BlockSourceIp => PrincipalKind::SourceIp,
        ContainmentKind::BlockCaller | ContainmentKind::ReverifyCaller => PrincipalKind::Caller,
        ContainmentKind::SafeMode => return None,
    })
}

fn summary(i: &Incident) -> IncidentSummary {
    let mut kinds = Vec::new();
    for s in &i.signatures {
        if !kinds.contains(&s.kind) {
            kinds.push(s.kind);
        }
    }
    IncidentSummary {
        id: i.id.clone(),
        state: i.status.as_str().to_string(),
        severity: i.severity,
        kinds,
        principals: i.principals.iter().cloned().collect(),
        detected_at: i.first_seen,
        contained_at: i.contained_at,
    }
}

impl SecurityView for RespondView {
    fn detections_since(&self, since_ms: i64) -> Vec<Detection> {
        self.detections.detections_since(since_ms)
    }

    fn incidents(&self) -> Vec<IncidentSummary> {
        let rows = match self.incident_store().list() {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "Admin API could not read incidents");
                return Vec::new();
            }
        };
        let mut v: Vec<IncidentSummary> = rows
            .iter()
            .filter_map(|r| serde_json::from_str::<Incident>(&r.body).ok())
            .map(|i| summary(&i))
            .collect();
        v.sort_by_key(|i| std::cmp::Reverse(i.detected_at));
        v
    }

    fn containment(&self) -> ContainmentSummary {
        let active = match self.containment_store().active(now_ms()) {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "Admin API could not read containment");
                return ContainmentSummary::default();
            }
        };
        let mut out = ContainmentSummary::default();
        for c in active {
            match principal_kind(c.kind) {
                None => out.is_safe_mode = true,
                Some(kind) => out.contained.push(ContainedPrincipal {
                    principal: Principal::new(kind, c.target.clone()),
                    action: c.kind.as_str().to_string(),
                    since: c.created_at,
                    expires_at: c.expires_at,
                    incident: Some(c.incident.clone()),
                }),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn containment_maps_to_principals() {
        let dir = tempfile::tempdir().unwrap();
        let v = RespondView::open(dir.path()).unwrap();
        let now = now_ms();
        v.containment_store()
            .apply(ContainmentKind::SuspendKey, "abc123", "INC-000001", "test", now, None)
            .unwrap();
        v.containment_store()
            .apply(ContainmentKind::SafeMode, "", "INC-000001", "test", now, None)
            .unwrap();
        let c = v.containment();
        assert!(c.is_safe_mode);
        assert_eq!(c.contained.len(), 1);
        assert_eq!(c.contained[0].principal, Principal::new(PrincipalKind::Key, "abc123"));
        assert_eq!(c.contained[0].action, "suspend_key");
        assert!(v.incidents().is_empty());
    }
}
