//! End-to-end tests of `phiwall log ...` and `phiwall keys ...` against the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn phiwall(args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phiwall"));
    c.args(args)
        .env_remove("PHIWALL_LEDGER_KEK")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn events(n: usize, start: usize) -> String {
    (start..start + n)
        .map(|i| {
            format!(
                r#"{{"kind":"{}","app":"triage","session":"s{}","patient_ref":"p{}","i":{i}}}"#,
                if i % 2 == 0 { "request" } else { "denial" },
                i % 4,
                i % 3
            ) + "\n"
        })
        .collect()
}

fn setup(dir: &Path) -> (String, String) {
    let data = dir.join("ledger").display().to_string();
    let key = dir.join("keys/ledger.kek").display().to_string();
    let o = phiwall(&["log", "keys", "init", "--data-dir", &data], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = phiwall(&["log", "append", "--data-dir", &data], Some(&events(40, 0)));
    assert!(o.status.success(), "{}", text(&o));
    (data, key)
}

#[test]
fn append_verify_show_search_prove_export() {
    let d = tempfile::tempdir().unwrap();
    let (data, _) = setup(d.path());
    let o = phiwall(&["log", "verify", "--data-dir", &data], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("ok: 40 records"));

    let o = phiwall(&["log", "show", "--data-dir", &data, "--json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 40);
    assert_eq!(lines[7]["event"]["i"], 7);

    let o = phiwall(
        &["log", "search", "--data-dir", &data, "--kind", "denial", "--session", "s1", "--json"],
        None,
    );
    let found: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(found.len(), 10);
    assert!(found.iter().all(|v| v["event"]["kind"] == "denial" && v["event"]["session"] == "s1"));
    let o = phiwall(&["log", "search", "--data-dir", &data], None);
    assert_eq!(o.status.code(), Some(2), "search without a filter is a usage error");

    let o = phiwall(&["log", "prove", "--data-dir", &data, "7", "--consistency-from", "5"], None);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["inclusion"]["verified"], true);
    assert_eq!(v["matches_checkpoint"], true);
    assert_eq!(v["consistency"]["verified"], true);
    let o = phiwall(&["log", "prove", "--data-dir", &data, "99"], None);
    assert_eq!(o.status.code(), Some(2));

    let o = phiwall(&["log", "export", "--data-dir", &data, "--format", "jsonl"], None);
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 40);
    let o = phiwall(&["log", "export", "--data-dir", &data, "--format", "ocsf"], None);
    let ocsf: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ocsf.len(), 40);
    assert_eq!(ocsf[3]["class_uid"], 0);
    assert_eq!(ocsf[3]["metadata"]["sequence"], 3);
    assert_eq!(ocsf[3]["message"], "denial");
    assert_eq!(ocsf[3]["unmapped"]["i"], 3);
}

#[test]
fn tampering_exits_1_and_kept_checkpoint_catches_truncation() {
    let d = tempfile::tempdir().unwrap();
    let (data, _) = setup(d.path());
    let kept = d.path().join("kept.json");
    let o =
        phiwall(&["log", "checkpoint", "--data-dir", &data, "-o", kept.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = phiwall(
        &["log", "verify", "--data-dir", &data, "--checkpoint", kept.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Cut the segment back to its header and drop the checkpoints: only the kept one remains.
    let seg = Path::new(&data).join("seg-00000000.pwl");
    let bytes = std::fs::read(&seg).unwrap();
    std::fs::write(&seg, &bytes[..bytes.len() - 500]).unwrap();
    std::fs::remove_file(Path::new(&data).join("checkpoints.log")).unwrap();
    let o = phiwall(&["log", "verify", "--data-dir", &data], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("truncated"), "{}", text(&o));

    let mut b = bytes.clone();
    b[300] ^= 0x10;
    std::fs::write(&seg, &b).unwrap();
    let o = phiwall(&["log", "verify", "--data-dir", &data, "--json"], None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["problem"]["kind"], "modified");
}

#[test]
fn keys_rotate_retire_status_and_shred() {
    let d = tempfile::tempdir().unwrap();
    let (data, key) = setup(d.path());
    let o = phiwall(&["log", "keys", "rotate", "--data-dir", &data, "--retire"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("KEK version 2 created"));
    let o = phiwall(&["log", "keys", "status", "--data-dir", &data, "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kek_versions"], serde_json::json!([2]));
    assert_eq!(v["key_file_permissions_ok"], true);
    assert!(!String::from_utf8_lossy(&o.stdout)
        .contains(&std::fs::read_to_string(&key).unwrap()[60..90]));
    // Still readable after rotation and retirement.
    let o = phiwall(&["log", "show", "--data-dir", &data, "--json", "--limit", "1"], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"i\":0"), "{}", text(&o));

    // A second session writes segment 1; shred segment 0.
    let o = phiwall(&["log", "append", "--data-dir", &data], Some(&events(5, 40)));
    assert!(o.status.success());
    let o = phiwall(&["log", "keys", "shred", "--data-dir", &data, "--segment", "0"], None);
    assert_eq!(o.status.code(), Some(2), "needs --yes");
    let o =
        phiwall(&["log", "keys", "shred", "--data-dir", &data, "--segment", "0", "--yes"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = phiwall(&["log", "show", "--data-dir", &data, "--json"], None);
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.lines().filter(|l| l.contains("crypto-shredded")).count(), 40);
    assert_eq!(out.lines().filter(|l| l.contains("\"event\"")).count(), 5);
    let o = phiwall(&["log", "verify", "--data-dir", &data], None);
    assert_eq!(o.status.code(), Some(0), "shredded segments still verify: {}", text(&o));
}

#[test]
fn world_readable_key_file_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let (data, key) = setup(d.path());
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = phiwall(&["log", "show", "--data-dir", &data], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("chmod 600"), "{}", text(&o));
    let o = phiwall(&["log", "keys", "status", "--data-dir", &data], None);
    assert!(text(&o).contains("mode 0644"), "{}", text(&o));
}

#[test]
fn posture_reports_pass_and_fails_on_inline_secret() {
    let d = tempfile::tempdir().unwrap();
    let (data, _) = setup(d.path());
    let cfg = d.path().join("phiwall.toml");
    std::fs::write(&cfg, "[upstream]\napi_key = \"env:OPENAI_API_KEY\"\n").unwrap();
    let o = phiwall(
        &["posture", "--data-dir", &data, "--config", cfg.to_str().unwrap(), "--json"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let checks = v["findings"].as_array().unwrap();
    assert!(checks
        .iter()
        .any(|f| f["check"] == "ledger.encryption_at_rest" && f["status"] == "pass"));
    std::fs::write(&cfg, "[upstream]\napi_key = \"sk-canary-0099\"\n").unwrap();
    let o = phiwall(&["posture", "--data-dir", &data, "--config", cfg.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("FAIL config.plaintext_secret"));
    assert!(!text(&o).contains("sk-canary"), "secret values are never printed");
}
