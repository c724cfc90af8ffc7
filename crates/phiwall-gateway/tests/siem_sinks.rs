//! `[[sinks]]` in the gateway (issue 7): configuration validation names the key and the fix,
//! and an end-to-end PHI canary: a request full of planted PHI goes through the gateway with a
//! JSONL SIEM sink and a syslog sink configured; no sink output, spill or metric contains it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use phiwall_gateway::config::{ConfigError, RawConfig};
use phiwall_gateway::server::{BuildOptions, Gateway};
use serde_json::json;
use std::io::Read;
use tokio::task::JoinSet;

#[test]
fn sinks_validate_with_key_paths() {
    let dir = tempfile::tempdir().unwrap();
    let mock: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
    let ok = format!(
        "{}\n[[sinks]]\nkind = \"splunk_hec\"\nendpoint = \"https://splunk.example:8088\"\ntoken = \"env:HEC\"\n",
        config_text(dir.path(), mock)
    );
    let cfg = RawConfig::from_toml(&ok).unwrap().validate().unwrap();
    assert_eq!(cfg.sinks.len(), 1);
    let bad = format!(
        "{}\n[[sinks]]\nkind = \"splunk_hec\"\nendpoint = \"https://splunk.example:8088\"\ntoken = \"plain-secret\"\n",
        config_text(dir.path(), mock)
    );
    let err = RawConfig::from_toml(&bad).unwrap().validate().unwrap_err();
    let ConfigError::Invalid(p) = err else { panic!("expected problems") };
    assert!(p.iter().any(|p| p.path == "sinks[0].token" && p.fix.contains("env:")), "{p:?}");
    assert!(!format!("{p:?}").contains("plain-secret"));
    let unknown =
        format!("{}\n[[sinks]]\nkind = \"webhook\"\nurl = \"x\"\n", config_text(dir.path(), mock));
    assert!(matches!(RawConfig::from_toml(&unknown), Err(ConfigError::Parse(_))));
}

const CANARIES: [&str; 4] =
    ["Zebediah Quarrington", "078-05-1120", "555-867-5309", "zq1961@example.com"];

fn grep_dir(dir: &std::path::Path, hits: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            grep_dir(&p, hits);
            continue;
        }
        let mut b = Vec::new();
        std::fs::File::open(&p).unwrap().read_to_end(&mut b).unwrap();
        let s = String::from_utf8_lossy(&b);
        for c in CANARIES {
            if s.contains(c) {
                hits.push(format!("{} contains {c:?}", p.display()));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn siem_sinks_carry_no_phi_end_to_end() {
    let mut tasks = JoinSet::new();
    let (mock, _rec) = start_mock(&mut tasks).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("jwks.json"),
        format!(
            r#"{{"keys":[{{"kty":"oct","kid":"k1","alg":"HS256","k":"{}"}}]}}"#,
            b64url(HS_SECRET)
        ),
    )
    .unwrap();
    // A syslog receiver that is down: records stay in the sink's disk buffer, which is grepped.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let text = format!(
        "{}\n[[sinks]]\nkind = \"jsonl\"\nendpoint = \"siem/records.jsonl\"\n\n[[sinks]]\nkind = \"syslog\"\nendpoint = \"127.0.0.1:{port}\"\nformat = \"cef\"\n",
        config_text(dir.path(), mock)
    );
    let cfg = RawConfig::from_toml(&text).unwrap().validate().unwrap();
    let gw = Gateway::build(cfg, BuildOptions::default()).unwrap();
    let metrics = gw.metrics();
    let key = phiwall_store::keys::create(gw.key_store().as_ref(), "clinic", "t", None, now())
        .unwrap()
        .reveal()
        .to_string();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut server = JoinSet::new();
    server.spawn(async move {
        gw.serve(l, None, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    let client = reqwest::Client::new();
    for content in [
        "Hi, this is Zebediah Quarrington, email zq1961@example.com, call me at 555-867-5309.",
        "My SSN is 078-05-1120, can you check my bill?",
    ] {
        let body =
            json!({"model": "phiwall-sim", "messages": [{"role": "user", "content": content}]});
        let r = client
            .post(format!("http://{addr}/v1/chat/completions"))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert!(
            r.status().as_u16() == 200 || r.status().as_u16() == 400 || r.status().as_u16() == 403
        );
    }
    let _ = tx.send(());
    server.join_next().await.unwrap().unwrap();
    let jsonl = std::fs::read_to_string(dir.path().join("siem/records.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 2, "both requests reached the JSONL SIEM sink");
    assert!(dir.path().join("sinks/syslog").is_dir(), "syslog sink buffered to disk");
    let mut hits = Vec::new();
    grep_dir(&dir.path().join("siem"), &mut hits);
    grep_dir(&dir.path().join("sinks"), &mut hits);
    let text = metrics.render();
    for c in CANARIES {
        if text.contains(c) {
            hits.push(format!("metrics contain {c:?}"));
        }
    }
    assert!(hits.is_empty(), "{hits:?}");
}
