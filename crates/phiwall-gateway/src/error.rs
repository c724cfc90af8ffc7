//! Every way a request can end badly, each mapped by one exhaustive match (no `_` arm) to an HTTP
//! status, an OpenAI error `type` and `code`, a reason class for events and metrics, and a log
//! level. 5xx bodies are generic. No variant carries request or response text: only kinds,
//! names from configuration, and numbers.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use phiwall_store::KeyRejection;
use std::time::Duration;

/// A request-ending error.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No `Authorization: Bearer ...` header.
    MissingCredentials,
    /// The API key was refused.
    BadApiKey(KeyRejection),
    /// The JWT was refused (reason class, e.g. `expired`, `audience`, `algorithm`).
    BadToken(&'static str),
    /// The credential is valid but names an app that is not configured.
    UnknownApp,
    /// The model is not in the app's allow-list (or not configured).
    ModelNotAllowed,
    /// A tool is not in the app's allow-list.
    ToolNotAllowed,
    /// Input holds a PHI type the app's policy blocks (type names only).
    PhiBlocked(Vec<&'static str>),
    /// Input looks like a prompt injection.
    InjectionBlocked,
    /// The model's answer broke policy (system-prompt leak, blocked PHI type).
    OutputBlocked(&'static str),
    /// A rate limit was hit.
    RateLimited {
        /// Which limit (`key.requests`, `app.tokens`, ...).
        scope: &'static str,
        /// How long to wait.
        retry_after: Duration,
    },
    /// Too many concurrent streams for this caller.
    TooManyStreams,
    /// Body larger than the limit.
    PayloadTooLarge,
    /// Not `application/json`.
    UnsupportedMediaType,
    /// The body is not UTF-8.
    InvalidUtf8,
    /// The body is not JSON (position only).
    InvalidJson {
        /// Line of the syntax error.
        line: usize,
        /// Column of the syntax error.
        column: usize,
    },
    /// JSON nested deeper than allowed.
    TooDeep,
    /// A required field is missing or has the wrong type (field name only).
    InvalidRequest(&'static str),
    /// More messages than allowed.
    TooManyMessages,
    /// Estimated prompt tokens above the app's maximum.
    InputTooLong,
    /// `max_tokens` above the app's maximum.
    MaxTokensTooHigh,
    /// The body was not received in time.
    RequestTimeout,
    /// No such route.
    NotFound,
    /// Wrong method on a route.
    MethodNotAllowed,
    /// The upstream answered with a client error (status, and its `code` if a plain token).
    UpstreamRejected {
        /// Upstream status.
        status: u16,
        /// The upstream's error code, when it is a short `[a-z0-9_]` token.
        code: Option<String>,
    },
    /// The upstream could not be reached or failed.
    UpstreamUnavailable,
    /// The upstream did not answer in time.
    UpstreamTimeout,
    /// Inspection could not run and the app fails closed.
    InspectionUnavailable,
    /// The state store failed (fail closed).
    StoreUnavailable,
    /// A JWT arrived but the identity provider's keys could not be fetched yet.
    JwksUnavailable,
    /// Incident response contained this key, app, session, source or caller (issue 8).
    Contained(crate::containment::ContainedReason),
    /// A bug.
    Internal,
}

/// Log level for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Expected client mistakes.
    Debug,
    /// Policy denials and limits.
    Info,
    /// Suspected attacks or upstream trouble.
    Warn,
    /// phiwall could not do its job.
    Error,
}

/// Everything the response and the event need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorMeta {
    /// HTTP status.
    pub status: StatusCode,
    /// OpenAI error `type`.
    pub kind: &'static str,
    /// OpenAI error `code`.
    pub code: &'static str,
    /// Reason class for events and metrics.
    pub reason: &'static str,
    /// Log level.
    pub level: Level,
}

const fn meta(
    status: StatusCode,
    kind: &'static str,
    code: &'static str,
    reason: &'static str,
    level: Level,
) -> ErrorMeta {
    ErrorMeta { status, kind, code, reason, level }
}

impl ApiError {
    /// Status, type, code, reason and level, by exhaustive match.
    pub fn meta(&self) -> ErrorMeta {
        use ApiError as E;
        use StatusCode as S;
        const AUTH: &str = "authentication_error";
        const PERM: &str = "permission_error";
        const REQ: &str = "invalid_request_error";
        const RATE: &str = "rate_limit_error";
        const POL: &str = "policy_violation";
        const API: &str = "api_error";
        match self {
            E::MissingCredentials => {
                meta(S::UNAUTHORIZED, AUTH, "missing_api_key", "auth.missing", Level::Info)
            }
            E::BadApiKey(r) => match r {
                KeyRejection::Malformed => meta(
                    S::UNAUTHORIZED,
                    AUTH,
                    "invalid_api_key",
                    "auth.key_malformed",
                    Level::Info,
                ),
                KeyRejection::Unknown => {
                    meta(S::UNAUTHORIZED, AUTH, "invalid_api_key", "auth.key_unknown", Level::Warn)
                }
                KeyRejection::Expired => {
                    meta(S::UNAUTHORIZED, AUTH, "expired_api_key", "auth.key_expired", Level::Info)
                }
                KeyRejection::Revoked => {
                    meta(S::UNAUTHORIZED, AUTH, "revoked_api_key", "auth.key_revoked", Level::Warn)
                }
            },
            E::BadToken(_) => {
                meta(S::UNAUTHORIZED, AUTH, "invalid_token", "auth.token_invalid", Level::Warn)
            }
            E::UnknownApp => {
                meta(S::FORBIDDEN, PERM, "unknown_app", "auth.unknown_app", Level::Warn)
            }
            E::ModelNotAllowed => meta(
                S::FORBIDDEN,
                PERM,
                "model_not_allowed",
                "policy.model_not_allowed",
                Level::Info,
            ),
            E::ToolNotAllowed => {
                meta(S::FORBIDDEN, PERM, "tool_not_allowed", "policy.tool_not_allowed", Level::Info)
            }
            E::PhiBlocked(_) => {
                meta(S::FORBIDDEN, POL, "phi_blocked", "policy.phi_blocked", Level::Info)
            }
            E::InjectionBlocked => meta(
                S::BAD_REQUEST,
                POL,
                "prompt_injection_detected",
                "policy.injection",
                Level::Warn,
            ),
            E::OutputBlocked(_) => {
                meta(S::FORBIDDEN, POL, "output_blocked", "policy.output_blocked", Level::Warn)
            }
            E::RateLimited { .. } => {
                meta(S::TOO_MANY_REQUESTS, RATE, "rate_limit_exceeded", "limit.rate", Level::Info)
            }
            E::TooManyStreams => {
                meta(S::TOO_MANY_REQUESTS, RATE, "too_many_streams", "limit.streams", Level::Info)
            }
            E::PayloadTooLarge => {
                meta(S::PAYLOAD_TOO_LARGE, REQ, "payload_too_large", "limit.body_size", Level::Info)
            }
            E::UnsupportedMediaType => meta(
                S::UNSUPPORTED_MEDIA_TYPE,
                REQ,
                "unsupported_media_type",
                "request.content_type",
                Level::Debug,
            ),
            E::InvalidUtf8 => {
                meta(S::BAD_REQUEST, REQ, "invalid_utf8", "request.invalid_utf8", Level::Debug)
            }
            E::InvalidJson { .. } => {
                meta(S::BAD_REQUEST, REQ, "invalid_json", "request.invalid_json", Level::Debug)
            }
            E::TooDeep => {
                meta(S::BAD_REQUEST, REQ, "json_too_deep", "limit.json_depth", Level::Info)
            }
            E::InvalidRequest(_) => {
                meta(S::BAD_REQUEST, REQ, "invalid_request", "request.invalid", Level::Debug)
            }
            E::TooManyMessages => {
                meta(S::BAD_REQUEST, REQ, "too_many_messages", "limit.messages", Level::Info)
            }
            E::InputTooLong => meta(
                S::BAD_REQUEST,
                REQ,
                "context_length_exceeded",
                "limit.input_tokens",
                Level::Info,
            ),
            E::MaxTokensTooHigh => {
                meta(S::BAD_REQUEST, REQ, "max_tokens_too_high", "limit.output_tokens", Level::Info)
            }
            E::RequestTimeout => {
                meta(S::REQUEST_TIMEOUT, REQ, "request_timeout", "limit.body_timeout", Level::Info)
            }
            E::NotFound => meta(S::NOT_FOUND, REQ, "not_found", "request.not_found", Level::Debug),
            E::MethodNotAllowed => meta(
                S::METHOD_NOT_ALLOWED,
                REQ,
                "method_not_allowed",
                "request.method",
                Level::Debug,
            ),
            E::UpstreamRejected { .. } => {
                meta(S::BAD_REQUEST, REQ, "upstream_rejected", "upstream.rejected", Level::Info)
            }
            E::UpstreamUnavailable => meta(
                S::BAD_GATEWAY,
                API,
                "upstream_unavailable",
                "upstream.unavailable",
                Level::Warn,
            ),
            E::UpstreamTimeout => {
                meta(S::GATEWAY_TIMEOUT, API, "upstream_timeout", "upstream.timeout", Level::Warn)
            }
            E::InspectionUnavailable => meta(
                S::SERVICE_UNAVAILABLE,
                API,
                "inspection_unavailable",
                "internal.inspection",
                Level::Error,
            ),
            E::StoreUnavailable => meta(
                S::SERVICE_UNAVAILABLE,
                API,
                "store_unavailable",
                "internal.store",
                Level::Error,
            ),
            E::JwksUnavailable => meta(
                S::SERVICE_UNAVAILABLE,
                API,
                "jwks_unavailable",
                "auth.jwks_unavailable",
                Level::Error,
            ),
            E::Contained(r) => meta(S::FORBIDDEN, PERM, r.code(), r.reason(), Level::Warn),
            E::Internal => {
                meta(S::INTERNAL_SERVER_ERROR, API, "internal_error", "internal.bug", Level::Error)
            }
        }
    }

    /// The client-facing message. Never holds request text; 5xx messages are generic.
    pub fn message(&self) -> String {
        use ApiError as E;
        match self {
            E::MissingCredentials => {
                "missing credentials: send Authorization: Bearer <phiwall API key or token>".into()
            }
            E::BadApiKey(KeyRejection::Expired) => {
                "the API key has expired: create a new one with `phiwall keys create`".into()
            }
            E::BadApiKey(KeyRejection::Revoked) => "the API key has been revoked".into(),
            E::BadApiKey(KeyRejection::Malformed | KeyRejection::Unknown) => {
                "invalid API key".into()
            }
            E::BadToken(r) => format!("invalid bearer token ({r})"),
            E::UnknownApp => "the credential names an app that is not configured".into(),
            E::ModelNotAllowed => "this app may not use the requested model".into(),
            E::ToolNotAllowed => "this app may not offer one of the requested tools".into(),
            E::PhiBlocked(types) => format!(
                "the request contains PHI this app may not send to the model: {}",
                types.join(", ")
            ),
            E::InjectionBlocked => {
                "the request was refused: it looks like a prompt injection".into()
            }
            E::OutputBlocked(r) => format!("the model's response was withheld by policy ({r})"),
            E::RateLimited { scope, retry_after } => {
                format!("rate limit exceeded ({scope}); retry after {} s", retry_secs(*retry_after))
            }
            E::TooManyStreams => "too many concurrent streams for this credential".into(),
            E::PayloadTooLarge => "request body too large".into(),
            E::UnsupportedMediaType => "expected Content-Type: application/json".into(),
            E::InvalidUtf8 => "request body is not valid UTF-8".into(),
            E::InvalidJson { line, column } => {
                format!("request body is not valid JSON (line {line}, column {column})")
            }
            E::TooDeep => "request JSON is nested too deeply".into(),
            E::InvalidRequest(field) => format!("invalid request: {field}"),
            E::TooManyMessages => "too many messages in one request".into(),
            E::InputTooLong => "the prompt is longer than this app allows".into(),
            E::MaxTokensTooHigh => "max_tokens is larger than this app allows".into(),
            E::RequestTimeout => "request body not received in time".into(),
            E::NotFound => "no such endpoint".into(),
            E::MethodNotAllowed => "method not allowed on this endpoint".into(),
            E::UpstreamRejected { status, .. } => {
                format!("the upstream model refused the request (status {status})")
            }
            E::UpstreamUnavailable => "the upstream model is unavailable".into(),
            E::UpstreamTimeout => "the upstream model did not answer in time".into(),
            E::Contained(r) => r.message().into(),
            E::InspectionUnavailable | E::StoreUnavailable | E::Internal => "internal error".into(),
            E::JwksUnavailable => {
                "the identity provider's signing keys are not available yet; retry shortly".into()
            }
        }
    }

    /// The OpenAI-shaped JSON body.
    pub fn body(&self) -> serde_json::Value {
        let m = self.meta();
        let code = match self {
            ApiError::UpstreamRejected { code: Some(c), .. } => c.clone(),
            _ => m.code.to_string(),
        };
        serde_json::json!({"error": {"message": self.message(), "type": m.kind, "code": code, "param": null}})
    }

    /// The status used for this error (upstream 4xx statuses are kept).
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::UpstreamRejected { status, .. } => StatusCode::from_u16(*status)
                .ok()
                .filter(|s| s.is_client_error())
                .unwrap_or(StatusCode::BAD_REQUEST),
            _ => self.meta().status,
        }
    }
}

fn retry_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status(), axum::Json(self.body())).into_response();
        if let ApiError::RateLimited { retry_after, .. } = &self {
            if let Ok(v) = HeaderValue::from_str(&retry_secs(*retry_after).max(1).to_string()) {
                resp.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        resp.extensions_mut().insert(self);
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_are_generic() {
        for e in [ApiError::Internal, ApiError::InspectionUnavailable, ApiError::StoreUnavailable] {
            assert!(e.status().is_server_error());
            assert_eq!(e.message(), "internal error");
        }
    }

    #[test]
    fn body_has_openai_shape() {
        let b = ApiError::BadApiKey(KeyRejection::Revoked).body();
        assert_eq!(b["error"]["type"], "authentication_error");
        assert_eq!(b["error"]["code"], "revoked_api_key");
        assert!(b["error"]["message"].is_string());
    }

    #[test]
    fn rate_limit_sets_retry_after() {
        let r = ApiError::RateLimited {
            scope: "key.requests",
            retry_after: Duration::from_millis(1500),
        }
        .into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers().get("retry-after").unwrap(), "2");
    }

    #[test]
    fn upstream_status_is_kept_only_for_client_errors() {
        assert_eq!(
            ApiError::UpstreamRejected { status: 404, code: None }.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ApiError::UpstreamRejected { status: 500, code: None }.status(),
            StatusCode::BAD_REQUEST
        );
    }
}
