//! `POST /phiwall/v1/sessions/{id}/verify` (issue 5): the agent backend sends the facts the
//! caller stated; phiwall answers only whether the session is now verified.
//!
//! Authenticated and rate-limited like every other endpoint, and only for apps in `caller`
//! identity mode (others get 404). Body: `{"name", "birth_date", "member_id", "mrn", "zip",
//! "phone", "ssn_last4", "representative_name"}`, all optional strings, unknown keys refused.
//! The caller number comes from the `X-Phiwall-Caller-Number` header (spoofable: it only keys
//! the attempt limiter).
//!
//! Responses never say which factor failed: `200 {"verified": true|false, "session": id}`, or
//! `429` with `Retry-After` during backoff or lockout (the same answer for both). The event
//! carries `identity.verified`, `identity.verify_failed` or `identity.lockout`, the session id,
//! the keyed caller reference and, on success or a patient lockout, the keyed patient reference.
//!
//! `DELETE /phiwall/v1/sessions/{id}` ends a session when the call is over, so its verification
//! cannot be reused by a later conversation that happens to reuse the id.
//!
//! One-time codes through a delivery webhook are not implemented (the identity library has no
//! code step); docs/identity.md says so.

use super::{elapsed_us, fill_error, random_hex, read_body, with_request_id, State};
use crate::auth::PeerCertificate;
use crate::error::ApiError;
use crate::identity::VerifyResult;
use crate::identity_config::IdentityMode;
use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use phiwall_identity::ClaimedFacts;
use phiwall_watch::{Activity, Event, Outcome};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Claimed facts are short; anything bigger is not a claim.
const MAX_CLAIMS_BYTES: usize = 16 * 1024;

impl State {
    pub(super) async fn verify_session(self: Arc<Self>, id: String, req: Request) -> Response {
        let started = Instant::now();
        let rid = format!("req_{}", random_hex(12));
        let mut ev =
            Event::new(Activity::Other, self.clock.unix_millis(), rid.clone(), "identity.verify");
        ev.source_ip = req.extensions().get::<super::ClientAddr>().map(|a| a.0.ip().to_string());
        let r = match self.verify_inner(id, req, &mut ev).await {
            Ok(r) => r,
            Err(e) => {
                fill_error(&mut ev, &e);
                e.into_response()
            }
        };
        ev.duration_us = elapsed_us(started);
        let r = self.audited(ev, r).await;
        with_request_id(r, &rid)
    }

    pub(super) async fn end_session(self: Arc<Self>, id: String, req: Request) -> Response {
        let started = Instant::now();
        let rid = format!("req_{}", random_hex(12));
        let mut ev = Event::new(
            Activity::Other,
            self.clock.unix_millis(),
            rid.clone(),
            "identity.session_end",
        );
        ev.source_ip = req.extensions().get::<super::ClientAddr>().map(|a| a.0.ip().to_string());
        let r = match self.end_inner(&id, req, &mut ev).await {
            Ok(r) => r,
            Err(e) => {
                fill_error(&mut ev, &e);
                e.into_response()
            }
        };
        ev.duration_us = elapsed_us(started);
        let r = self.audited(ev, r).await;
        with_request_id(r, &rid)
    }

    async fn end_inner(
        &self,
        id: &str,
        req: Request,
        ev: &mut Event,
    ) -> Result<Response, ApiError> {
        // Only the head is needed; the body (not `Sync`) must not live across the await.
        let (parts, body) = req.into_parts();
        drop(body);
        let (principal, app) = self
            .authenticate(&parts.headers, parts.extensions.get::<PeerCertificate>(), ev)
            .await?;
        let identity = self.identity.as_ref().ok_or(ApiError::NotFound)?;
        if identity.app(&app.name).mode != IdentityMode::Caller {
            return Err(ApiError::NotFound);
        }
        if !crate::session::is_valid_id(id) {
            return Err(ApiError::InvalidRequest("session id (1-64 letters, digits, '-' or '_')"));
        }
        ev.session = Some(id.to_string());
        let ended = identity.end(&principal.app, id)?;
        Ok(axum::Json(serde_json::json!({"session": id, "ended": ended})).into_response())
    }

    async fn verify_inner(
        &self,
        id: String,
        req: Request,
        ev: &mut Event,
    ) -> Result<Response, ApiError> {
        let (parts, body) = req.into_parts();
        let (principal, app) = self
            .authenticate(&parts.headers, parts.extensions.get::<PeerCertificate>(), ev)
            .await?;
        let identity = self.identity.as_ref().ok_or(ApiError::NotFound)?;
        if identity.app(&app.name).mode != IdentityMode::Caller {
            return Err(ApiError::NotFound);
        }
        if !crate::session::is_valid_id(&id) {
            return Err(ApiError::InvalidRequest("session id (1-64 letters, digits, '-' or '_')"));
        }
        ev.session = Some(id.clone());
        let ct =
            parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !ct.trim_start().to_ascii_lowercase().starts_with("application/json") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = match tokio::time::timeout(
            self.cfg.limits.body_timeout,
            read_body(body, MAX_CLAIMS_BYTES),
        )
        .await
        {
            Err(_) => return Err(ApiError::RequestTimeout),
            Ok(r) => r?,
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::InvalidUtf8)?;
        // The serde error would quote the offending key or value: report the field class only.
        let claims: ClaimedFacts = serde_json::from_str(text).map_err(|_| {
            ApiError::InvalidRequest(
                "claimed facts: a JSON object of name, birth_date, member_id, mrn, zip, phone, ssn_last4, representative_name (strings)",
            )
        })?;
        let now = self.clock.unix_secs();
        let mut ctx = identity.load(&principal.app, Some(id.clone()), &parts.headers, now)?;
        ev.caller_ref = ctx.caller_ref.map(|d| d.hex());
        let result = identity.verify(&mut ctx, &claims, ev);
        identity.save(&ctx, now)?;
        match result {
            VerifyResult::Verified | VerifyResult::NotVerified => {
                let verified = result == VerifyResult::Verified;
                if !verified {
                    ev.outcome = Outcome::Denied;
                }
                ev.status = 200;
                Ok(axum::Json(serde_json::json!({"verified": verified, "session": id}))
                    .into_response())
            }
            VerifyResult::Limited { retry_after_secs } => {
                let reason = ev.reason;
                let e = ApiError::RateLimited {
                    scope: "identity.verify",
                    retry_after: Duration::from_secs(retry_after_secs),
                };
                fill_error(ev, &e);
                // Keep the identity reason (backoff vs lockout) for the audit trail only.
                if reason.is_some() {
                    ev.reason = reason;
                }
                Ok(e.into_response())
            }
        }
    }
}
