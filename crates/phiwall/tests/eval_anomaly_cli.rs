//! `phiwall eval anomaly` through the real binary: usage and configuration errors and their exit
//! codes (a full run is covered by the phiwall-watch tests and takes a minute in debug builds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn phiwall(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phiwall")).args(args).output().unwrap()
}

#[test]
fn too_short_runs_and_bad_configs_are_refused() {
    let o = phiwall(&["eval", "anomaly", "--days", "10"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--warmup-days"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("a.json");
    std::fs::write(&bad, "{\"bulk_window_sec\": 60}").unwrap();
    let o = phiwall(&["eval", "anomaly", "--config", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let invalid = dir.path().join("b.json");
    std::fs::write(&invalid, "{\"alpha_week\": 0}").unwrap();
    let o = phiwall(&["eval", "anomaly", "--config", invalid.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("alpha_week"));
}
