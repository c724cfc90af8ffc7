//! Forwarding to upstream model servers by name.
//!
//! [`Upstreams::send`] requires a [`Scanned`] proof, so only inspected bodies leave phiwall.
//! Retries happen only when the connection could not be made (the request was never sent, so
//! repeating a non-idempotent POST is safe), with exponential backoff; after the retries the
//! optional fallback upstream is tried once. Once a request was sent, failures are reported,
//! never retried. HTTP uses reqwest with rustls (no OpenSSL).

use crate::config::{Secret, UpstreamConfig, UpstreamKind};
use crate::error::ApiError;
use crate::inspect::{Endpoint, Scanned};
use crate::sim;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use std::collections::BTreeMap;
use std::time::Duration;

/// An upstream answer: a 2xx status and its body as a stream.
pub struct UpstreamResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// True for server-sent events.
    pub is_sse: bool,
    /// The body.
    pub body: BoxStream<'static, Result<Bytes, ApiError>>,
}

impl std::fmt::Debug for UpstreamResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamResponse").field("status", &self.status).finish()
    }
}

struct Upstream {
    cfg: UpstreamConfig,
    api_key: Option<Secret>,
}

/// Every configured upstream and one shared HTTP client (connection pooling).
pub struct Upstreams {
    map: BTreeMap<String, Upstream>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Upstreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstreams").field("names", &self.map.keys().collect::<Vec<_>>()).finish()
    }
}

/// Largest upstream error body read (to extract its code).
const MAX_ERROR_BODY: usize = 64 * 1024;

impl Upstreams {
    /// Build clients and resolve API keys (IO).
    pub fn build(configs: &BTreeMap<String, UpstreamConfig>) -> Result<Self, String> {
        let connect =
            configs.values().map(|c| c.connect_timeout).min().unwrap_or(Duration::from_secs(5));
        let client = reqwest::Client::builder()
            .connect_timeout(connect)
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(64)
            .tcp_nodelay(true)
            .https_only(false)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let mut map = BTreeMap::new();
        for (name, c) in configs {
            let api_key = match &c.kind {
                UpstreamKind::OpenAi { api_key: Some(r), .. } => {
                    Some(r.resolve().map_err(|e| format!("upstreams.{name}.api_key: {e}"))?)
                }
                _ => None,
            };
            map.insert(name.clone(), Upstream { cfg: c.clone(), api_key });
        }
        Ok(Upstreams { map, client })
    }

    /// Send an inspected body to `upstream` (with retries and fallback).
    pub async fn send(
        &self,
        _proof: &Scanned,
        upstream: &str,
        endpoint: Endpoint,
        body: Bytes,
    ) -> Result<UpstreamResponse, ApiError> {
        let u = self.map.get(upstream).ok_or(ApiError::Internal)?;
        match self.send_one(u, endpoint, body.clone()).await {
            Err(SendError::Connect) => {
                if let Some(fb) = u.cfg.fallback.as_ref().and_then(|f| self.map.get(f)) {
                    tracing::warn!(upstream = %u.cfg.name, fallback = %fb.cfg.name, "Upstream unreachable, using fallback");
                    return match self.send_one(fb, endpoint, body).await {
                        Ok(r) => Ok(r),
                        Err(e) => Err(e.into_api()),
                    };
                }
                Err(ApiError::UpstreamUnavailable)
            }
            Err(e) => Err(e.into_api()),
            Ok(r) => Ok(r),
        }
    }

    async fn send_one(
        &self,
        u: &Upstream,
        endpoint: Endpoint,
        body: Bytes,
    ) -> Result<UpstreamResponse, SendError> {
        let base_url = match &u.cfg.kind {
            UpstreamKind::Simulated => return Ok(simulate(endpoint, &body)),
            UpstreamKind::OpenAi { base_url, .. } => base_url,
        };
        let url = format!("{base_url}{}", endpoint.path());
        let mut attempt = 0u32;
        loop {
            let mut req = self
                .client
                .post(&url)
                .timeout(u.cfg.timeout)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
            if let Some(k) = &u.api_key {
                req = req.bearer_auth(k.expose());
            }
            match req.send().await {
                Ok(resp) => return classify(resp).await,
                Err(e) if e.is_connect() => {
                    if attempt >= u.cfg.retries {
                        tracing::warn!(upstream = %u.cfg.name, attempts = attempt + 1, "Upstream connection failed");
                        return Err(SendError::Connect);
                    }
                    let backoff = Duration::from_millis(50u64.saturating_mul(1 << attempt.min(6)));
                    tokio::time::sleep(backoff).await;
                    attempt += 1;
                }
                Err(e) if e.is_timeout() => return Err(SendError::Timeout),
                Err(_) => return Err(SendError::Failed),
            }
        }
    }

    /// Whether every upstream answers (any HTTP status counts as reachable).
    pub async fn ready(&self) -> bool {
        for u in self.map.values() {
            if let UpstreamKind::OpenAi { base_url, .. } = &u.cfg.kind {
                let r = self
                    .client
                    .get(format!("{base_url}/models"))
                    .timeout(Duration::from_secs(2))
                    .send()
                    .await;
                if r.is_err() {
                    return false;
                }
            }
        }
        true
    }
}

enum SendError {
    Connect,
    Timeout,
    Failed,
    Rejected(ApiError),
}

impl SendError {
    fn into_api(self) -> ApiError {
        match self {
            SendError::Connect | SendError::Failed => ApiError::UpstreamUnavailable,
            SendError::Timeout => ApiError::UpstreamTimeout,
            SendError::Rejected(e) => e,
        }
    }
}

async fn classify(resp: reqwest::Response) -> Result<UpstreamResponse, SendError> {
    let status = resp.status();
    if status.is_success() {
        let is_sse = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let body = resp
            .bytes_stream()
            .map(|r| {
                r.map_err(|e| {
                    if e.is_timeout() {
                        ApiError::UpstreamTimeout
                    } else {
                        ApiError::UpstreamUnavailable
                    }
                })
            })
            .boxed();
        return Ok(UpstreamResponse { status: status.as_u16(), is_sse, body });
    }
    if status.is_client_error() && status.as_u16() != 401 && status.as_u16() != 403 {
        // Read a bounded amount only to pick out the error code; the text is not forwarded.
        let mut buf = Vec::new();
        let mut s = resp.bytes_stream();
        while let Some(Ok(chunk)) = s.next().await {
            buf.extend_from_slice(&chunk);
            if buf.len() > MAX_ERROR_BODY {
                break;
            }
        }
        let code = serde_json::from_slice::<serde_json::Value>(&buf)
            .ok()
            .and_then(|v| v.pointer("/error/code").and_then(|c| c.as_str()).map(str::to_string))
            .filter(|c| {
                c.len() <= 64
                    && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            });
        return Err(SendError::Rejected(ApiError::UpstreamRejected {
            status: status.as_u16(),
            code,
        }));
    }
    if status.as_u16() == 504 || status.as_u16() == 408 {
        return Err(SendError::Timeout);
    }
    // 401/403 from the upstream mean phiwall's own upstream credential is wrong: a server-side
    // problem, not the client's, so it is reported as unavailable.
    Err(SendError::Failed)
}

fn simulate(endpoint: Endpoint, body: &Bytes) -> UpstreamResponse {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let r = sim::respond(endpoint, &v);
    UpstreamResponse {
        status: r.status,
        is_sse: r.is_sse,
        body: stream::iter(r.chunks.into_iter().map(Ok)).boxed(),
    }
}
