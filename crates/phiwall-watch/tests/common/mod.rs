//! Shared helpers for the SIEM sink tests: sample records, an in-test HTTP stub server
//! (axum on its own thread), and waiting.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use phiwall_watch::siem::config::{self, RawSinkConfig};
use phiwall_watch::{
    Activity, Actor, BusConfig, Detection, DetectionKind, Event, EventBus, Evidence, Metrics,
    Principal, PrincipalKind, RecordSink, Severity,
};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An event for principal (key prefix) `p` with sequence number `seq`.
pub fn event(p: usize, seq: usize) -> Event {
    let mut e = Event::new(
        Activity::Create,
        1_700_000_000_000 + seq as i64,
        format!("k{p}-{seq}"),
        "chat.completions",
    );
    e.actor = Actor { auth: "api_key", key_prefix: Some(format!("pw_k{p}")), subject_ref: None };
    e.app = Some("scheduling".into());
    e.source_ip = Some("10.0.0.7".into());
    e.count_finding("input.phi.NAME", 1);
    e.duration_us = 900;
    e
}

/// A detection.
pub fn detection(id: &str) -> Detection {
    Detection {
        id: id.into(),
        time: 1_700_000_000_500,
        kind: DetectionKind::BulkPatientAccess,
        severity: Severity::High,
        principal: Principal::new(PrincipalKind::Key, "pw_k1"),
        related: vec![],
        patient_refs: vec!["a1b2".into()],
        evidence: Evidence {
            window_secs: 60,
            observed: 120.0,
            baseline: 4.0,
            threshold: 30.0,
            measure: "distinct patients in 60 s".into(),
        },
        techniques: vec!["T1530".into()],
        request_ids: vec!["k1-1".into()],
    }
}

/// Wait until `f` holds or panic after `secs`.
pub fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

/// Build one sink from TOML (one `[[sinks]]` table body) through validate + build.
pub fn sink_from_toml(toml_body: &str, data_dir: &Path, metrics: &Metrics) -> Box<dyn RecordSink> {
    let raw: RawSinkConfig = toml::from_str(toml_body).expect("sink toml");
    let v = config::validate(&[raw]).unwrap_or_else(|p| panic!("invalid: {p:?}"));
    config::build(&v[0], data_dir, metrics).expect("build sink")
}

/// Start a bus with these sinks.
pub fn bus(sinks: Vec<Box<dyn RecordSink>>, metrics: Arc<Metrics>, spill: &Path) -> EventBus {
    EventBus::start_with(
        BusConfig {
            capacity: 1024,
            spill: Some(phiwall_watch::SpillConfig {
                path: spill.to_path_buf(),
                max_bytes: 64 << 20,
            }),
        },
        sinks,
        metrics,
    )
    .unwrap()
}

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// Decides the answer to each request: (status, content type, body).
pub type Handler = Arc<dyn Fn(&Seen, usize) -> (u16, &'static str, String) + Send + Sync>;

#[derive(Clone)]
struct StubState {
    seen: Arc<Mutex<Vec<Seen>>>,
    handler: Handler,
}

/// A stub HTTP server on its own thread.
pub struct Stub {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Stub {
    /// Serve on `addr` (port 0 for any).
    pub fn start(addr: SocketAddr, handler: Handler) -> Stub {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = StubState { seen: seen.clone(), handler };
        let listener = std::net::TcpListener::bind(addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let l = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = Router::new().fallback(record).with_state(state);
                axum::serve(l, app)
                    .with_graceful_shutdown(async move {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        Stub { addr, seen, stop: Some(tx), thread: Some(thread) }
    }

    /// Requests received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn record(State(st): State<StubState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body: Bytes = axum::body::to_bytes(body, 64 << 20).await.unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: body.to_vec(),
    };
    let n = {
        let mut g = st.seen.lock().unwrap();
        g.push(seen.clone());
        g.len() - 1
    };
    let (status, ctype, body) = (st.handler)(&seen, n);
    (StatusCode::from_u16(status).unwrap(), [("content-type", ctype)], body).into_response()
}

/// Request ids (`k{p}-{seq}`) in a JSON array body of OCSF objects, in order.
pub fn ocsf_ids(body: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["metadata"]["uid"].as_str().map(str::to_string))
        .collect()
}
