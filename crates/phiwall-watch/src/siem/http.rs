//! HTTP transports (blocking reqwest with rustls, one client per sink thread): the OCSF
//! webhook, Splunk HEC with indexer acknowledgement, Microsoft Sentinel (Logs Ingestion API
//! with an OAuth2 client-credentials token), and the Elasticsearch `_bulk` API.
//!
//! Status handling, shared by all: 2xx delivered; 408, 429 and 5xx retried; 401 and 403 retried
//! too (a token being rotated or a misconfiguration an operator fixes: dropping records would
//! lose them), with a warning; any other 4xx rejects the batch as malformed. Errors name the
//! status and the error kind, never a response body (a receiver may echo what it was sent).

use super::delivery::{SendError, Sent, Transport};
use crate::secret::Secret;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::{Duration, Instant};

/// Build a client: rustls, timeouts, and an extra trusted CA when configured.
pub fn client(ca_file: Option<&Path>, timeout: Duration) -> Result<Client, String> {
    let mut b = Client::builder()
        .use_rustls_tls()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("phiwall/", env!("CARGO_PKG_VERSION")));
    if let Some(p) = ca_file {
        let pem = std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        for c in reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("{}: not a PEM certificate bundle: {e}", p.display()))?
        {
            b = b.add_root_certificate(c);
        }
    }
    b.build().map_err(|e| format!("http client: {e}"))
}

fn classify(status: StatusCode, what: &str) -> Result<(), SendError> {
    if status.is_success() {
        return Ok(());
    }
    let code = status.as_u16();
    match code {
        408 | 429 | 500..=599 => Err(SendError::Retry(format!("{what} answered {code}"))),
        401 | 403 => Err(SendError::Retry(format!(
            "{what} answered {code}: check the sink's token (records are kept and retried)"
        ))),
        _ => Err(SendError::Reject(format!("{what} answered {code}"))),
    }
}

fn send(req: RequestBuilder, what: &str) -> Result<Response, SendError> {
    let resp = req.send().map_err(|e| {
        let kind = if e.is_timeout() {
            "timeout"
        } else if e.is_connect() {
            "connection refused or unreachable"
        } else {
            "request error"
        };
        SendError::Retry(format!("{what}: {kind}"))
    })?;
    classify(resp.status(), what)?;
    Ok(resp)
}

/// Parse a (small) JSON reply; bodies over 1 MiB are refused unread.
fn read_json<T: serde::de::DeserializeOwned>(resp: Response) -> Result<T, ()> {
    if resp.content_length().is_some_and(|n| n > 1 << 20) {
        return Err(());
    }
    let b = resp.bytes().map_err(|_| ())?;
    serde_json::from_slice(&b).map_err(|_| ())
}

fn json_array(batch: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::with_capacity(batch.iter().map(|b| b.len() + 1).sum::<usize>() + 2);
    body.push(b'[');
    for (i, r) in batch.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(r);
    }
    body.push(b']');
    body
}

/// OCSF JSON webhook: `POST endpoint` with a JSON array of OCSF objects and, when configured,
/// `Authorization: Bearer <token>`.
pub struct Webhook {
    /// Client.
    pub client: Client,
    /// Full URL.
    pub endpoint: String,
    /// Bearer token.
    pub token: Option<Secret>,
}

impl Transport for Webhook {
    fn send(&mut self, batch: &[&[u8]]) -> Result<Sent, SendError> {
        let mut req = self
            .client
            .post(&self.endpoint)
            .header("Content-Type", "application/json")
            .body(json_array(batch));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t.expose());
        }
        send(req, "webhook")?;
        Ok(Sent::default())
    }
}

/// Splunk HTTP Event Collector. With `ack` on, each batch carries the sink's
/// `X-Splunk-Request-Channel` and counts as delivered only when `/services/collector/ack`
/// reports its `ackId` indexed; if that does not happen within `ack_timeout`, the batch is sent
/// again (at-least-once).
pub struct SplunkHec {
    /// Client.
    pub client: Client,
    /// Base URL, e.g. `https://splunk.example:8088`.
    pub base: String,
    /// HEC token.
    pub token: Secret,
    /// Channel GUID, when indexer acknowledgement is on.
    pub channel: Option<String>,
    /// Poll interval for acknowledgements.
    pub ack_poll: Duration,
    /// Give up waiting for an acknowledgement after this long.
    pub ack_timeout: Duration,
}

#[derive(Deserialize)]
struct HecReply {
    #[serde(default)]
    code: i64,
    #[serde(rename = "ackId")]
    ack_id: Option<u64>,
}

#[derive(Deserialize)]
struct AckReply {
    acks: std::collections::BTreeMap<String, bool>,
}

impl SplunkHec {
    fn req(&self, path: &str) -> RequestBuilder {
        let mut r = self
            .client
            .post(format!("{}{path}", self.base.trim_end_matches('/')))
            .header("Authorization", format!("Splunk {}", self.token.expose()));
        if let Some(c) = &self.channel {
            r = r.header("X-Splunk-Request-Channel", c.as_str());
        }
        r
    }

    fn wait_ack(&self, id: u64) -> Result<(), SendError> {
        let start = Instant::now();
        loop {
            let resp = send(
                self.req("/services/collector/ack")
                    .header("Content-Type", "application/json")
                    .body(format!("{{\"acks\":[{id}]}}")),
                "splunk hec ack",
            )?;
            let r: AckReply = read_json(resp)
                .map_err(|_| SendError::Retry("splunk hec ack: unreadable reply".into()))?;
            if r.acks.get(&id.to_string()).copied().unwrap_or(false) {
                return Ok(());
            }
            if start.elapsed() >= self.ack_timeout {
                return Err(SendError::Retry(format!(
                    "splunk hec: ackId {id} not indexed within {:?}; resending",
                    self.ack_timeout
                )));
            }
            std::thread::sleep(self.ack_poll);
        }
    }
}

impl Transport for SplunkHec {
    fn send(&mut self, batch: &[&[u8]]) -> Result<Sent, SendError> {
        let mut body = Vec::with_capacity(batch.iter().map(|b| b.len() + 1).sum());
        for r in batch {
            body.extend_from_slice(r);
            body.push(b'\n');
        }
        let resp = send(
            self.req("/services/collector/event")
                .header("Content-Type", "application/json")
                .body(body),
            "splunk hec",
        )?;
        if self.channel.is_none() {
            return Ok(Sent::default());
        }
        let reply: HecReply =
            read_json(resp).map_err(|_| SendError::Retry("splunk hec: unreadable reply".into()))?;
        match (reply.code, reply.ack_id) {
            (0, Some(id)) => self.wait_ack(id).map(|_| Sent::default()),
            (0, None) => Err(SendError::Reject(
                "splunk hec: no ackId in the reply; enable indexer acknowledgement on the token or set ack = false".into(),
            )),
            (c, _) => Err(SendError::Retry(format!("splunk hec: reply code {c}"))),
        }
    }
}

/// A random version-4 UUID (the HEC channel id).
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    if getrandom::getrandom(&mut b).is_err() {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b = n.to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Microsoft Sentinel via the Azure Monitor Logs Ingestion API:
/// `POST {dce}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01` with a JSON
/// array and a bearer token from an OAuth2 client-credentials grant at `token_url` (scope
/// `https://monitor.azure.com/.default`), cached until five minutes before it expires.
pub struct Sentinel {
    /// Client.
    pub client: Client,
    /// Data collection endpoint, e.g. `https://my-dce.eastus-1.ingest.monitor.azure.com`.
    pub dce: String,
    /// Immutable id of the data collection rule (`dcr-...`).
    pub dcr: String,
    /// Stream name, e.g. `Custom-PhiwallEvents`.
    pub stream: String,
    /// Token endpoint, e.g. `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`.
    pub token_url: String,
    /// Application (client) id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Secret,
    /// OAuth2 scope.
    pub scope: String,
    token: Option<(Secret, Instant)>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// Percent-encode for `application/x-www-form-urlencoded`.
fn form_encode(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                o.push(b as char)
            }
            b' ' => o.push('+'),
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}

impl Sentinel {
    /// A transport; the token is fetched on first use.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        client: Client,
        dce: String,
        dcr: String,
        stream: String,
        token_url: String,
        client_id: String,
        client_secret: Secret,
        scope: String,
    ) -> Self {
        Sentinel {
            client,
            dce,
            dcr,
            stream,
            token_url,
            client_id,
            client_secret,
            scope,
            token: None,
        }
    }

    fn bearer(&mut self) -> Result<Secret, SendError> {
        if let Some((t, until)) = &self.token {
            if Instant::now() < *until {
                return Ok(t.clone());
            }
        }
        let body = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
            form_encode(&self.client_id),
            form_encode(self.client_secret.expose()),
            form_encode(&self.scope)
        );
        let resp = send(
            self.client
                .post(&self.token_url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body),
            "sentinel token endpoint",
        )?;
        let r: TokenReply = read_json(resp)
            .map_err(|_| SendError::Retry("sentinel token endpoint: unreadable reply".into()))?;
        let secs = match r.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(3600),
            Some(serde_json::Value::String(s)) => s.parse().unwrap_or(3600),
            _ => 3600,
        };
        let until = Instant::now() + Duration::from_secs(secs.saturating_sub(300).max(30));
        let t = Secret::new(r.access_token);
        self.token = Some((t.clone(), until));
        Ok(t)
    }
}

impl Transport for Sentinel {
    fn send(&mut self, batch: &[&[u8]]) -> Result<Sent, SendError> {
        let token = self.bearer()?;
        let url = format!(
            "{}/dataCollectionRules/{}/streams/{}?api-version=2023-01-01",
            self.dce.trim_end_matches('/'),
            self.dcr,
            self.stream
        );
        let r = send(
            self.client
                .post(url)
                .bearer_auth(token.expose())
                .header("Content-Type", "application/json")
                .body(json_array(batch)),
            "sentinel logs ingestion",
        );
        if let Err(SendError::Retry(m)) = &r {
            if m.contains(" 401") || m.contains(" 403") {
                self.token = None; // fetch a fresh token on the retry
            }
        }
        r.map(|_| Sent::default())
    }
}

/// Elasticsearch `_bulk`: NDJSON of `{"create":{"_index":..,"_id":..}}` and the document. The
/// `_id` is a content hash of the document, so a batch sent again after a lost reply creates no
/// duplicates (a `409` on `create` means "already there" and counts as delivered). Items failing
/// with 429 or 5xx make the batch retry; other item errors are counted as rejected.
pub struct Elasticsearch {
    /// Client.
    pub client: Client,
    /// Base URL, e.g. `https://es.example:9200`.
    pub base: String,
    /// Index or data stream, e.g. `logs-phiwall-default`.
    pub index: String,
    /// API key (`Authorization: ApiKey <key>`), when configured.
    pub api_key: Option<Secret>,
}

#[derive(Deserialize)]
struct BulkReply {
    errors: bool,
    #[serde(default)]
    items: Vec<std::collections::BTreeMap<String, BulkItem>>,
}

#[derive(Deserialize)]
struct BulkItem {
    status: u16,
}

/// The document id: the first 16 bytes of SHA-256 of the document, hex.
pub fn doc_id(doc: &[u8]) -> String {
    Sha256::digest(doc).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl Transport for Elasticsearch {
    fn send(&mut self, batch: &[&[u8]]) -> Result<Sent, SendError> {
        let index = serde_json::to_string(&self.index)
            .map_err(|_| SendError::Reject("elasticsearch: index name".into()))?;
        let mut body = Vec::with_capacity(batch.iter().map(|b| b.len() + 96).sum());
        for doc in batch {
            body.extend_from_slice(b"{\"create\":{\"_index\":");
            body.extend_from_slice(index.as_bytes());
            body.extend_from_slice(b",\"_id\":\"");
            body.extend_from_slice(doc_id(doc).as_bytes());
            body.extend_from_slice(b"\"}}\n");
            body.extend_from_slice(doc);
            body.push(b'\n');
        }
        let mut req = self
            .client
            .post(format!("{}/_bulk", self.base.trim_end_matches('/')))
            .header("Content-Type", "application/x-ndjson")
            .body(body);
        if let Some(k) = &self.api_key {
            req = req.header("Authorization", format!("ApiKey {}", k.expose()));
        }
        let resp = send(req, "elasticsearch bulk")?;
        let reply: BulkReply = read_json(resp)
            .map_err(|_| SendError::Retry("elasticsearch bulk: unreadable reply".into()))?;
        if !reply.errors {
            return Ok(Sent::default());
        }
        let mut rejected = 0;
        for item in reply.items.iter().flat_map(|m| m.values()) {
            match item.status {
                200..=299 | 409 => {}
                429 | 500..=599 => {
                    return Err(SendError::Retry(format!(
                        "elasticsearch bulk: item status {}",
                        item.status
                    )))
                }
                _ => rejected += 1,
            }
        }
        Ok(Sent { rejected })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_classified() {
        assert!(classify(StatusCode::OK, "x").is_ok());
        assert!(matches!(classify(StatusCode::TOO_MANY_REQUESTS, "x"), Err(SendError::Retry(_))));
        assert!(matches!(classify(StatusCode::BAD_GATEWAY, "x"), Err(SendError::Retry(_))));
        assert!(matches!(classify(StatusCode::UNAUTHORIZED, "x"), Err(SendError::Retry(_))));
        assert!(matches!(classify(StatusCode::BAD_REQUEST, "x"), Err(SendError::Reject(_))));
    }

    #[test]
    fn uuid_and_form() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }
}
