//! The admin read API: `GET /phiwall/v1/admin/{detections,incidents,containment,status}`, for
//! operators, `phiwall drill` and the demo to see what detection and response did.
//!
//! Authentication: a dedicated admin secret (`[admin] key = "env:VAR"` or `"file:PATH"`), sent
//! as `Authorization: Bearer <secret>`. It is deliberately not an API key from the key store:
//! data-plane keys are what attackers steal and stuff, so a stolen app key must never read
//! incidents, and the admin secret never works on `/v1`. Without `[admin] key` the routes answer
//! 404 (the API is off; there is no unauthenticated mode). The secret must be at least 32
//! characters; it is compared as a SHA-256 digest in constant time.
//!
//! `[admin] loopback_only` (default true) refuses admin requests whose TCP peer is not a
//! loopback address (403), so the API is reachable only from the host itself or through an
//! operator's tunnel even when the gateway listens on a public address.
//!
//! Every admin request, allowed or refused, is one event (endpoint `admin.*`, reason
//! `auth.admin` on refusal) recorded in the ledger like any other request. The data behind the
//! routes comes from a [`SecurityView`] supplied through
//! [`crate::server::BuildOptions::security_view`] (default: [`MemorySecurityView`]).

use crate::audit::AuditLog;
use crate::config::SecretRef;
use crate::server::{ClientAddr, Clock};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use phiwall_watch::{Activity, Event, MemorySecurityView, Outcome, SecurityView, Severity, Watch};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;
use subtle::ConstantTimeEq;

/// Shortest admin secret accepted.
pub const MIN_ADMIN_SECRET_LEN: usize = 32;

/// Path prefix of the admin API.
pub const ADMIN_PREFIX: &str = "/phiwall/v1/admin";

/// `[admin]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAdmin {
    /// The admin secret, by reference (`env:VAR` or `file:PATH`); at least 32 characters.
    /// Without it the admin API is off (404).
    pub key: Option<String>,
    /// Accept admin requests only from loopback peers. Default true.
    pub loopback_only: Option<bool>,
}

/// Validated `[admin]`.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    /// The secret reference; `None`: the admin API is off.
    pub key: Option<SecretRef>,
    /// Refuse non-loopback peers.
    pub is_loopback_only: bool,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig { key: None, is_loopback_only: true }
    }
}

impl RawAdmin {
    /// Pure validation: `(key path, problem, fix)` for each problem.
    pub fn validate(&self) -> Result<AdminConfig, Vec<(String, String, &'static str)>> {
        let mut problems = Vec::new();
        let key = match self.key.as_deref().map(SecretRef::parse) {
            None => None,
            Some(Ok(r)) => Some(r),
            Some(Err(e)) => {
                problems.push((
                    "admin.key".to_string(),
                    e,
                    "write key = \"env:PHIWALL_ADMIN_KEY\" or key = \"file:/etc/phiwall/admin.key\"",
                ));
                None
            }
        };
        if problems.is_empty() {
            Ok(AdminConfig { key, is_loopback_only: self.loopback_only.unwrap_or(true) })
        } else {
            Err(problems)
        }
    }
}

/// Shared state of the admin routes.
pub struct AdminState {
    digest: Option<[u8; 32]>,
    is_loopback_only: bool,
    view: Arc<dyn SecurityView>,
    watch: Watch,
    audit: Arc<AuditLog>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AdminState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminState")
            .field("is_enabled", &self.digest.is_some())
            .field("is_loopback_only", &self.is_loopback_only)
            .finish()
    }
}

impl AdminState {
    /// Resolve the secret (IO) and assemble the state.
    pub fn build(
        cfg: &AdminConfig,
        view: Option<Arc<dyn SecurityView>>,
        watch: Watch,
        audit: Arc<AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let digest = match &cfg.key {
            None => None,
            Some(r) => {
                let s = r.resolve().map_err(|e| format!("admin.key: {e}"))?;
                if s.expose().chars().count() < MIN_ADMIN_SECRET_LEN {
                    return Err(format!(
                        "admin.key: {r} holds fewer than {MIN_ADMIN_SECRET_LEN} characters (use 32 random bytes, hex: `openssl rand -hex 32`)"
                    ));
                }
                Some(Sha256::digest(s.expose().as_bytes()).into())
            }
        };
        Ok(AdminState {
            digest,
            is_loopback_only: cfg.is_loopback_only,
            view: view.unwrap_or_else(|| Arc::new(MemorySecurityView::default())),
            watch,
            audit,
            clock,
        })
    }

    /// Whether the admin API is on.
    pub fn is_enabled(&self) -> bool {
        self.digest.is_some()
    }

    /// The view behind the routes.
    pub fn view(&self) -> Arc<dyn SecurityView> {
        self.view.clone()
    }
}

#[derive(Debug, Clone, Copy)]
enum Route {
    Detections,
    Incidents,
    Containment,
    Status,
}

impl Route {
    const fn endpoint(self) -> &'static str {
        match self {
            Route::Detections => "admin.detections",
            Route::Incidents => "admin.incidents",
            Route::Containment => "admin.containment",
            Route::Status => "admin.status",
        }
    }
}

/// `since_ms` from the query string: `Ok(None)` when absent, `Err` when malformed.
fn since_ms(req: &Request) -> Result<Option<i64>, ()> {
    let Some(q) = req.uri().query() else { return Ok(None) };
    for pair in q.split('&') {
        if let Some(v) = pair.strip_prefix("since_ms=") {
            return v.parse::<i64>().map(Some).map_err(|_| ());
        }
    }
    Ok(None)
}

/// Why an admin request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Disabled,
    NotLoopback,
    Unauthorized,
}

impl Refusal {
    fn response(self) -> Response {
        let (status, kind, code, message) = match self {
            Refusal::Disabled => {
                (StatusCode::NOT_FOUND, "invalid_request_error", "not_found", "no such endpoint")
            }
            Refusal::NotLoopback => (
                StatusCode::FORBIDDEN,
                "permission_error",
                "admin_loopback_only",
                "the admin API accepts requests from this host only",
            ),
            Refusal::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "invalid_admin_key",
                "a valid admin credential is required",
            ),
        };
        let body = serde_json::json!({"error": {"message": message, "type": kind, "code": code, "param": null}});
        let mut r = (status, axum::Json(body)).into_response();
        if self == Refusal::Unauthorized {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }

    const fn reason(self) -> &'static str {
        match self {
            Refusal::Disabled => "request.not_found",
            Refusal::NotLoopback => "auth.admin_loopback_only",
            Refusal::Unauthorized => "auth.admin",
        }
    }
}

impl AdminState {
    fn check(&self, req: &Request) -> Result<(), Refusal> {
        let Some(digest) = &self.digest else {
            return Err(Refusal::Disabled);
        };
        if self.is_loopback_only {
            // A request without a peer address (oneshot in tests) is treated as not loopback.
            let is_loopback =
                req.extensions().get::<ClientAddr>().is_some_and(|a| a.0.ip().is_loopback());
            if !is_loopback {
                return Err(Refusal::NotLoopback);
            }
        }
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(Refusal::Unauthorized)?;
        let got: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        if bool::from(got.ct_eq(digest)) {
            Ok(())
        } else {
            Err(Refusal::Unauthorized)
        }
    }

    async fn handle(self: Arc<Self>, route: Route, req: Request) -> Response {
        let started = Instant::now();
        let rid = format!("req_admin_{}", self.clock.mono_nanos());
        let mut ev =
            Event::new(Activity::Read, self.clock.unix_millis(), rid.clone(), route.endpoint());
        ev.source_ip = req.extensions().get::<ClientAddr>().map(|a| a.0.ip().to_string());
        let resp = match self.check(&req) {
            Ok(()) => {
                ev.actor.auth = "admin";
                let body = match route {
                    Route::Detections => {
                        let Ok(since) = since_ms(&req) else {
                            return self.finish(ev, bad_since(), &rid, started).await;
                        };
                        let v = self.view.detections_since(since.unwrap_or(0));
                        ev.count_finding(
                            "admin.detections_listed",
                            u32::try_from(v.len()).unwrap_or(u32::MAX),
                        );
                        serde_json::json!({"object": "list", "data": v})
                    }
                    Route::Incidents => {
                        serde_json::json!({"object": "list", "data": self.view.incidents()})
                    }
                    Route::Containment => serde_json::to_value(self.view.containment())
                        .unwrap_or(serde_json::Value::Null),
                    Route::Status => serde_json::json!({
                        "capabilities": self.view.capabilities(),
                        "now_ms": self.clock.unix_millis(),
                    }),
                };
                axum::Json(body).into_response()
            }
            Err(refusal) => {
                ev.outcome = Outcome::Denied;
                ev.reason = Some(refusal.reason());
                ev.raise(match refusal {
                    Refusal::Disabled => Severity::Low,
                    Refusal::NotLoopback | Refusal::Unauthorized => Severity::High,
                });
                refusal.response()
            }
        };
        self.finish(ev, resp, &rid, started).await
    }

    async fn finish(&self, mut ev: Event, resp: Response, rid: &str, started: Instant) -> Response {
        ev.status = resp.status().as_u16();
        if ev.status >= 400 && ev.outcome == Outcome::Success {
            ev.outcome = Outcome::Denied;
            ev.reason = Some("request.invalid");
        }
        ev.duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let resp = if self.audit.record(&ev).await {
            self.watch.emit(ev);
            resp
        } else {
            ev.status = 503;
            ev.outcome = Outcome::Failure;
            ev.reason = Some("audit.unavailable");
            self.watch.emit(ev);
            crate::audit::unavailable_response()
        };
        let mut resp = resp;
        if let Ok(v) = HeaderValue::from_str(rid) {
            resp.headers_mut().insert("x-request-id", v);
        }
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }
}

fn bad_since() -> Response {
    let body = serde_json::json!({"error": {"message": "since_ms must be an integer (milliseconds since the unix epoch)", "type": "invalid_request_error", "code": "invalid_since_ms", "param": "since_ms"}});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// The admin routes, to merge into the gateway router.
pub fn routes(state: Arc<AdminState>) -> Router {
    let mk = |route: Route| {
        let s = state.clone();
        get(move |req: Request| {
            let s = s.clone();
            async move { s.handle(route, req).await }
        })
    };
    Router::new()
        .route(&format!("{ADMIN_PREFIX}/detections"), mk(Route::Detections))
        .route(&format!("{ADMIN_PREFIX}/incidents"), mk(Route::Incidents))
        .route(&format!("{ADMIN_PREFIX}/containment"), mk(Route::Containment))
        .route(&format!("{ADMIN_PREFIX}/status"), mk(Route::Status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_refuses_inline_secrets() {
        let raw = RawAdmin { key: Some("hunter2-inline-secret".into()), loopback_only: None };
        let errs = raw.validate().unwrap_err();
        assert_eq!(errs[0].0, "admin.key");
        assert!(!errs[0].1.contains("hunter2"));
        let ok =
            RawAdmin { key: Some("env:X".into()), loopback_only: Some(false) }.validate().unwrap();
        assert!(!ok.is_loopback_only);
        assert!(RawAdmin::default().validate().unwrap().is_loopback_only);
    }
}
