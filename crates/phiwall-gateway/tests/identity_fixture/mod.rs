//! Fixture for the identity tests (issue 5): a synthetic FHIR population imported as a keyed
//! directory, a stub model that answers with the PHI of the patients a request names
//! ("record 3 7"), and a gateway on port 0 with `[identity]` configured for a caller app, an
//! assist-mode caller app, a second caller app and a staff app.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{b64url, now, HS_SECRET};
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use phiwall_gateway::{BuildOptions, Gateway, RawConfig};
use phiwall_identity::synth::{self, Population, SynthPerson};
use phiwall_identity::{Directory, DirectoryKey};
use phiwall_watch::MemorySink;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinSet;

pub const DIRECTORY_KEY_HEX: &str =
    "4f1c2a9b7d3e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef";

/// What the stub model says about patient `i`.
pub fn record_text(p: &SynthPerson) -> String {
    format!(
        "Patient name: {} {}. Date of birth: {}. Phone: {}. Medical record number: {}.",
        p.given,
        p.family,
        us_date(p),
        p.phone,
        p.mrn
    )
}

pub fn us_date(p: &SynthPerson) -> String {
    format!("{:02}/{:02}/{}", p.birth.month, p.birth.day, p.birth.year)
}

/// The plaintext values of a patient the tests look for in output, logs and files.
pub fn planted(p: &SynthPerson) -> Vec<String> {
    vec![p.family.clone(), us_date(p), p.birth.iso(), p.phone.clone(), p.mrn.clone()]
}

fn answer(pop: &Population, body: &Value) -> String {
    let last_user = body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string();
    let mut parts = Vec::new();
    if let Some(rest) = last_user.split("record").nth(1) {
        for n in rest.split_whitespace().filter_map(|w| w.parse::<usize>().ok()) {
            if let Some(p) = pop.patients.get(n) {
                parts.push(record_text(p));
            }
        }
    }
    if parts.is_empty() {
        "How can I help you today?".to_string()
    } else {
        format!("Here is what I found. {}", parts.join(" Next, "))
    }
}

async fn stub(pop: Arc<Population>, body: Bytes) -> axum::response::Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = answer(&pop, &v);
    if v["stream"] == true {
        // Small chunks so values straddle SSE events.
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        for piece in chars.chunks(5) {
            let s: String = piece.iter().collect();
            let c = json!({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "stub",
                "choices": [{"index": 0, "delta": {"content": s}, "finish_reason": null}]});
            out.push_str(&format!("data: {c}\n\n"));
        }
        let end = json!({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "stub",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
        out.push_str(&format!("data: {end}\n\ndata: [DONE]\n\n"));
        return ([(header::CONTENT_TYPE, "text/event-stream")], out).into_response();
    }
    axum::Json(json!({"id": "c1", "object": "chat.completion", "created": 0, "model": "stub",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 40, "total_tokens": 50}}))
    .into_response()
}

pub struct IdGateway {
    pub addr: SocketAddr,
    pub pop: Arc<Population>,
    pub phone_key: String,
    pub assist_key: String,
    pub other_key: String,
    pub ehr_key: String,
    pub dir: tempfile::TempDir,
    pub events: MemorySink,
    pub client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    tasks: JoinSet<()>,
}

pub fn config(dir: &std::path::Path, mock: SocketAddr) -> String {
    format!(
        r#"
data_dir = "{dir}"
[server]
listen = "127.0.0.1:0"
metrics_listen = "off"
[auth.jwt]
issuer = "https://idp.test/"
audience = ["phiwall"]
jwks_file = "{dir}/jwks.json"
algorithms = ["HS256"]
leeway_secs = 0
[upstreams.stub]
base_url = "http://{mock}/v1"
retries = 0
[models.stub-model]
upstream = "stub"
[apps.phone]
models = ["stub-model"]
key_requests_per_minute = 1000
[apps.phone.phi]
default = "mask"
NAME = "tokenize"
DATE = "tokenize"
PHONE = "tokenize"
HEALTH_PLAN_ID = "tokenize"
MRN = "tokenize"
[apps.phone.output_phi]
default = "allow"
[apps.assist]
models = ["stub-model"]
key_requests_per_minute = 1000
[apps.assist.phi]
default = "tokenize"
[apps.assist.output_phi]
default = "allow"
[apps.other]
models = ["stub-model"]
[apps.other.output_phi]
default = "allow"
[apps.ehr]
models = ["stub-model"]
[apps.ehr.phi]
default = "tokenize"
[apps.ehr.output_phi]
default = "allow"
[identity]
directory = "{dir}/directory.json"
key = "file:{dir}/directory.key"
session_ttl_secs = 600
[identity.limits]
session_max = 3
caller_max = 8
patient_max = 5
base_backoff_secs = 1
max_backoff_secs = 1
lockout_secs = 900
[identity.apps.phone]
mode = "caller"
session_field = "user"
[identity.apps.assist]
mode = "caller"
assist = true
[identity.apps.other]
mode = "caller"
[identity.apps.ehr]
mode = "staff"
"#,
        dir = dir.display()
    )
}

impl IdGateway {
    pub async fn start() -> IdGateway {
        Self::start_with(|_| None).await
    }

    /// Start with the verification attempt store `attempts` builds from the configured limits
    /// (`None`: in memory, as `phiwall serve` in embedded mode).
    pub async fn start_with(
        attempts: impl FnOnce(
            &phiwall_identity::LimiterConfig,
        ) -> Option<Box<dyn phiwall_identity::AttemptStore>>,
    ) -> IdGateway {
        let mut tasks = JoinSet::new();
        let pop = Arc::new(synth::population(60, 20261129));
        let p2 = pop.clone();
        let app = axum::Router::new().route(
            "/v1/chat/completions",
            post(move |b: Bytes| {
                let p = p2.clone();
                async move { stub(p, b).await }
            }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mock = l.local_addr().unwrap();
        tasks.spawn(async move {
            axum::serve(l, app).await.unwrap();
        });
        let dir = tempfile::tempdir().unwrap();
        // Import: what `phiwall directory import` does, keyed hashes only.
        let key_bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&DIRECTORY_KEY_HEX[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let d = Directory::build(DirectoryKey::new(key_bytes).unwrap(), &synth::to_input(&pop));
        std::fs::write(dir.path().join("directory.json"), d.to_json()).unwrap();
        std::fs::write(dir.path().join("directory.key"), format!("{DIRECTORY_KEY_HEX}\n")).unwrap();
        std::fs::write(
            dir.path().join("jwks.json"),
            format!(
                r#"{{"keys":[{{"kty":"oct","kid":"k1","alg":"HS256","k":"{}"}}]}}"#,
                b64url(HS_SECRET)
            ),
        )
        .unwrap();
        let cfg = RawConfig::from_toml(&config(dir.path(), mock)).unwrap().validate().unwrap();
        let attempts = attempts(&cfg.identity.as_ref().unwrap().limits);
        let events = MemorySink::default();
        let gw = Gateway::build(
            cfg,
            BuildOptions {
                sinks: vec![Box::new(events.clone())],
                injection: Some(Arc::new(phiwall_gateway::injection::PhraseInspector)),
                attempts,
                ..Default::default()
            },
        )
        .unwrap();
        let store = gw.key_store();
        let mk = |app: &str| {
            phiwall_store::keys::create(store.as_ref(), app, "test", None, now())
                .unwrap()
                .reveal()
                .to_string()
        };
        let (phone_key, assist_key, other_key, ehr_key) =
            (mk("phone"), mk("assist"), mk("other"), mk("ehr"));
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
        IdGateway {
            addr,
            pop,
            phone_key,
            assist_key,
            other_key,
            ehr_key,
            dir,
            events,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            tasks,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Patients with a phone, MRN and family name no other patient shares (so "P's value" is
    /// unambiguous in assertions).
    pub fn distinct_patients(&self) -> Vec<usize> {
        let ps = &self.pop.patients;
        (0..ps.len())
            .filter(|&i| {
                let p = &ps[i];
                ps.iter().enumerate().all(|(j, q)| {
                    j == i
                        || (q.phone != p.phone
                            && q.family != p.family
                            && q.birth != p.birth
                            && q.zip != p.zip)
                })
            })
            .collect()
    }

    /// (patient index, representative given name, family name) of an active RelatedPerson with
    /// an authorized relationship.
    pub fn representative(&self) -> (usize, String) {
        let entries = self.pop.bundle["entry"].as_array().unwrap();
        let distinct = self.distinct_patients();
        for e in entries {
            let r = &e["resource"];
            if r["resourceType"] != "RelatedPerson" {
                continue;
            }
            let code = r["relationship"][0]["coding"][0]["code"].as_str().unwrap_or_default();
            if !["SPS", "MTH", "FTH", "GUARD", "POWATT"].contains(&code) {
                continue;
            }
            let idx: usize = r["patient"]["reference"]
                .as_str()
                .unwrap()
                .trim_start_matches("Patient/pat-")
                .parse()
                .unwrap();
            if !distinct.contains(&idx) {
                continue;
            }
            let name = format!(
                "{} {}",
                r["name"][0]["given"][0].as_str().unwrap(),
                r["name"][0]["family"].as_str().unwrap()
            );
            return (idx, name);
        }
        panic!("no representative in the population");
    }

    /// Facts a true caller would give (name, DOB, member id).
    pub fn facts(&self, i: usize) -> Value {
        let p = &self.pop.patients[i];
        json!({"name": format!("{} {}", p.given, p.family), "birth_date": us_date(p), "member_id": p.member_id})
    }

    pub async fn verify(
        &self,
        key: &str,
        session: &str,
        caller: Option<&str>,
        facts: &Value,
    ) -> (u16, Value) {
        let mut r = self
            .client
            .post(self.url(&format!("/phiwall/v1/sessions/{session}/verify")))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(facts.to_string());
        if let Some(c) = caller {
            r = r.header("x-phiwall-caller-number", c);
        }
        let resp = r.send().await.unwrap();
        let s = resp.status().as_u16();
        (s, serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap_or(Value::Null))
    }

    pub async fn chat(
        &self,
        key: &str,
        session: Option<&str>,
        messages: Value,
        extra: &[(&str, &str)],
    ) -> (u16, String) {
        let mut r = self
            .client
            .post(self.url("/v1/chat/completions"))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(json!({"model": "stub-model", "messages": messages}).to_string());
        if let Some(s) = session {
            r = r.header("x-phiwall-session", s);
        }
        for (k, v) in extra {
            r = r.header(*k, *v);
        }
        let resp = r.send().await.unwrap();
        let s = resp.status().as_u16();
        let v: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap_or(Value::Null);
        (s, v["choices"][0]["message"]["content"].as_str().unwrap_or_default().to_string())
    }

    pub fn jwt(&self, claims: Value) -> String {
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        h.kid = Some("k1".into());
        jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_secret(HS_SECRET))
            .unwrap()
    }

    pub async fn stop(mut self) -> (tempfile::TempDir, MemorySink) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(
                std::time::Duration::from_millis(200),
                self.tasks.join_next(),
            )
            .await
            {
                Ok(_) => break,
                Err(_) => continue,
            }
        }
        (self.dir, self.events)
    }
}
