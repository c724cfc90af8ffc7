//! Test harness: a recording mock upstream (axum on port 0, answering like the simulated model)
//! and a real gateway on port 0 in front of it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use phiwall_gateway::inspect::Endpoint;
use phiwall_gateway::{BuildOptions, Gateway, RawConfig};
use phiwall_store::KeyStore;
use phiwall_watch::MemorySink;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::task::JoinSet;

/// What the mock upstream received.
#[derive(Clone, Default)]
pub struct Recorded(pub Arc<Mutex<Vec<(String, Value)>>>);

impl Recorded {
    pub fn bodies(&self) -> Vec<(String, Value)> {
        self.0.lock().unwrap().clone()
    }
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    pub fn all_text(&self) -> String {
        self.bodies().iter().map(|(_, v)| v.to_string()).collect::<Vec<_>>().join("\n")
    }
}

async fn mock_handler(
    rec: Recorded,
    endpoint: Endpoint,
    path: &str,
    body: Bytes,
) -> axum::response::Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    rec.0.lock().unwrap().push((path.to_string(), v.clone()));
    let r = phiwall_gateway::sim::respond(endpoint, &v);
    let ct = if r.is_sse { "text/event-stream" } else { "application/json" };
    // `x_test_delay_ms` (passed through by the gateway as an unknown field) slows each chunk.
    let delay = std::time::Duration::from_millis(
        v.get("x_test_delay_ms").and_then(Value::as_u64).unwrap_or(0),
    );
    let chunks = r.chunks.clone();
    let stream = futures_util::stream::unfold(0usize, move |i| {
        let chunks = chunks.clone();
        async move {
            let c = chunks.get(i)?.clone();
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Some((Ok::<_, std::convert::Infallible>(c), i + 1))
        }
    });
    ([(header::CONTENT_TYPE, ct)], axum::body::Body::from_stream(stream)).into_response()
}

pub async fn start_mock(tasks: &mut JoinSet<()>) -> (SocketAddr, Recorded) {
    let rec = Recorded::default();
    let r1 = rec.clone();
    let r2 = rec.clone();
    let r3 = rec.clone();
    let app = axum::Router::new()
        .route(
            "/v1/chat/completions",
            post(move |b: Bytes| {
                let r = r1.clone();
                async move { mock_handler(r, Endpoint::Chat, "chat", b).await }
            }),
        )
        .route(
            "/v1/completions",
            post(move |b: Bytes| {
                let r = r2.clone();
                async move { mock_handler(r, Endpoint::Completions, "completions", b).await }
            }),
        )
        .route(
            "/v1/embeddings",
            post(move |b: Bytes| {
                let r = r3.clone();
                async move { mock_handler(r, Endpoint::Embeddings, "embeddings", b).await }
            }),
        )
        .route(
            "/v1/models",
            axum::routing::get(|| async { axum::Json(phiwall_gateway::sim::models()) }),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tasks.spawn(async move {
        axum::serve(l, app).await.unwrap();
    });
    (addr, rec)
}

pub const HS_SECRET: &[u8] = b"integration-test-hmac-secret-0123456789";

pub fn b64url(data: &[u8]) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub struct Harness {
    pub addr: SocketAddr,
    pub rec: Recorded,
    pub key: String,
    pub tight_key: String,
    pub dir: tempfile::TempDir,
    pub events: MemorySink,
    pub store: Arc<dyn KeyStore>,
    pub metrics: Arc<phiwall_watch::Metrics>,
    pub client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    tasks: JoinSet<()>,
}

pub fn config_text(dir: &std::path::Path, mock: SocketAddr) -> String {
    format!(
        r#"
data_dir = "{dir}"
[server]
listen = "127.0.0.1:0"
metrics_listen = "off"
[limits]
max_json_depth = 16
max_concurrent_streams = 2
header_timeout_secs = 1
body_timeout_secs = 2
[auth.jwt]
issuer = "https://idp.test/"
audience = ["phiwall"]
jwks_file = "{dir}/jwks.json"
algorithms = ["HS256"]
leeway_secs = 0
[upstreams.mock]
base_url = "http://{mock}/v1"
retries = 0
[models.phiwall-sim]
upstream = "mock"
[models.other-model]
upstream = "mock"
[apps.clinic]
models = ["phiwall-sim"]
tools = ["book_appointment"]
link_domains = ["example-clinic.org"]
[apps.clinic.phi]
default = "mask"
EMAIL = "mask"
NAME = "tokenize"
SSN = "block"
[apps.tight]
models = ["phiwall-sim"]
key_requests_per_minute = 3
"#,
        dir = dir.display()
    )
}

impl Harness {
    /// A gateway with the deterministic phrase inspector, so tests about other stages do not
    /// depend on the injection model's calibration (which is trained separately).
    pub async fn start() -> Harness {
        Self::start_with(Some(Arc::new(phiwall_gateway::injection::PhraseInspector))).await
    }

    /// A gateway with the given injection inspector (`None`: the default, phiwall-scan's
    /// detector).
    pub async fn start_with(
        injection: Option<Arc<dyn phiwall_gateway::injection::InputInspector>>,
    ) -> Harness {
        Self::start_edited(injection, |c| c).await
    }

    /// A gateway whose configuration text `edit` may change first (the phrase inspector).
    pub async fn start_with_config(edit: impl FnOnce(String) -> String) -> Harness {
        Self::start_edited(Some(Arc::new(phiwall_gateway::injection::PhraseInspector)), edit).await
    }

    async fn start_edited(
        injection: Option<Arc<dyn phiwall_gateway::injection::InputInspector>>,
        edit: impl FnOnce(String) -> String,
    ) -> Harness {
        let mut tasks = JoinSet::new();
        let (mock, rec) = start_mock(&mut tasks).await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("jwks.json"),
            format!(
                r#"{{"keys":[{{"kty":"oct","kid":"k1","alg":"HS256","k":"{}"}}]}}"#,
                b64url(HS_SECRET)
            ),
        )
        .unwrap();
        let text = edit(config_text(dir.path(), mock));
        let cfg = RawConfig::from_toml(&text).unwrap().validate().unwrap();
        let events = MemorySink::default();
        let gw = Gateway::build(
            cfg,
            BuildOptions { sinks: vec![Box::new(events.clone())], injection, ..Default::default() },
        )
        .unwrap();
        let store = gw.key_store();
        let metrics = gw.metrics();
        let key = phiwall_store::keys::create(store.as_ref(), "clinic", "test", None, now())
            .unwrap()
            .reveal()
            .to_string();
        let tight_key = phiwall_store::keys::create(store.as_ref(), "tight", "test", None, now())
            .unwrap()
            .reveal()
            .to_string();
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tasks.spawn(async move {
            gw.serve(l, None, async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Harness {
            addr,
            rec,
            key,
            tight_key,
            dir,
            events,
            store,
            metrics,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            tasks,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn post_raw(
        &self,
        path: &str,
        key: Option<&str>,
        ct: &str,
        body: Vec<u8>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut r = self.client.post(self.url(path)).header("content-type", ct).body(body);
        if let Some(k) = key {
            r = r.bearer_auth(k);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), headers)
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let (s, v, _) = self
            .post_raw(
                path,
                Some(&self.key.clone()),
                "application/json",
                body.to_string().into_bytes(),
            )
            .await;
        (s, v)
    }

    /// Stream a chat request; returns the raw SSE text.
    pub async fn stream(&self, body: &Value) -> (u16, String) {
        let resp = self
            .client
            .post(self.url("/v1/chat/completions"))
            .bearer_auth(&self.key)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let s = resp.status().as_u16();
        (s, resp.text().await.unwrap())
    }

    pub async fn stop(mut self) -> (tempfile::TempDir, MemorySink) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // The gateway task ends after draining; the mock runs until the JoinSet drops.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(
                std::time::Duration::from_millis(200),
                self.tasks.join_next(),
            )
            .await
            {
                Ok(Some(_)) => break,
                Ok(None) => break,
                Err(_) => continue,
            }
        }
        (self.dir, self.events)
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Parse SSE text into JSON chunks (skipping [DONE]).
pub fn sse_chunks(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter_map(|e| e.lines().find_map(|l| l.strip_prefix("data: ")))
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}
