//! The real `phiwall` binary: `serve` with no configuration (loopback, simulated model, a dev
//! key printed once), graceful shutdown on SIGTERM, `keys` create/list/revoke/rotate against the
//! same data directory, and configuration errors reported with key paths (exit 2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_phiwall");

fn phiwall(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).current_dir(dir).output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_without_config_then_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("PHIWALL_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (addr, key, err_lines) = tokio::task::spawn_blocking(move || {
        let mut addr = None;
        let mut lines = Vec::new();
        let mut r = BufReader::new(stderr);
        let mut line = String::new();
        while r.read_line(&mut line).unwrap() > 0 {
            lines.push(line.clone());
            if let Some(rest) = line.trim().strip_prefix("phiwall gateway listening on http://") {
                addr = Some(rest.trim_end_matches("/v1").to_string());
            }
            if line.contains("phiwall serve --config") {
                break;
            }
            line.clear();
        }
        let mut key = String::new();
        BufReader::new(stdout).read_line(&mut key).unwrap();
        // Keep draining stderr so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in r.lines() {});
        (addr, key.trim().to_string(), lines)
    })
    .await
    .unwrap();
    let addr = addr.unwrap_or_else(|| panic!("no address in {err_lines:?}"));
    assert!(addr.starts_with("127.0.0.1:"));
    assert!(key.starts_with("pw_") && key.len() == 80, "{key}");
    assert!(err_lines.iter().any(|l| l.contains("Point it at a real model")));

    let c = reqwest::Client::new();
    let r = c
        .post(format!("http://{addr}/v1/chat/completions"))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(r#"{"model":"phiwall-sim","messages":[{"role":"user","content":"Can I move my visit to Tuesday afternoon?"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert!(v["choices"][0]["message"]["content"].as_str().unwrap().starts_with("I received 1"));
    let r = c.get(format!("http://{addr}/v1/models")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Keys made by the CLI work against the running gateway; revocation is immediate.
    let out =
        phiwall(dir.path(), &["keys", "create", "--app", "dev", "--name", "ops", "--ttl", "1h"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let new_key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let prefix = new_key.get(3..15).unwrap().to_string();
    let ok = c.get(format!("http://{addr}/v1/models")).bearer_auth(&new_key).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let out = phiwall(dir.path(), &["keys", "list", "--json"]);
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(listed.contains(&prefix) && !listed.contains(&new_key));
    let out = phiwall(dir.path(), &["keys", "rotate", &prefix]);
    assert!(out.status.success());
    let rotated = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let old = c.get(format!("http://{addr}/v1/models")).bearer_auth(&new_key).send().await.unwrap();
    assert_eq!(old.status().as_u16(), 401);
    let fresh =
        c.get(format!("http://{addr}/v1/models")).bearer_auth(&rotated).send().await.unwrap();
    assert_eq!(fresh.status().as_u16(), 200);
    let out = phiwall(dir.path(), &["keys", "revoke", rotated.get(3..15).unwrap()]);
    assert!(out.status.success());
    let gone =
        c.get(format!("http://{addr}/v1/models")).bearer_auth(&rotated).send().await.unwrap();
    assert_eq!(gone.status().as_u16(), 401);
    let out = phiwall(dir.path(), &["keys", "revoke", "ffffffffffff"]);
    assert_eq!(out.status.code(), Some(3));

    // Graceful shutdown on SIGTERM.
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = tokio::task::spawn_blocking(move || {
        for _ in 0..100 {
            if let Some(s) = child.try_wait().unwrap() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        None
    })
    .await
    .unwrap();
    assert!(status.is_some_and(|s| s.success()), "did not stop cleanly: {status:?}");
    let events = std::fs::read_to_string(dir.path().join("phiwall-data/events.jsonl")).unwrap();
    assert!(events.lines().count() >= 6);
    assert!(!events.contains("Tuesday"));
}

#[test]
fn config_errors_name_the_key_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[server]\nlisten = \"0.0.0.0:8443\"\n[apps.a]\nmodels = [\"nope\"]\n")
        .unwrap();
    let out = phiwall(dir.path(), &["serve", "--config", cfg.to_str().unwrap(), "--check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server.listen") && err.contains("apps.a.models[0]"), "{err}");
    assert!(err.contains("fix:"), "{err}");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../phiwall.example.toml");
    let out = phiwall(dir.path(), &["serve", "--config", example, "--check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
