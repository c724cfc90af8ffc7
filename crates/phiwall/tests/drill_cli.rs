//! `phiwall drill`: built-ins listed, targets restricted, scenario files validated, and a real
//! run against `phiwall serve` (no admin key: detection checks are skipped and the verdict says
//! so).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn phiwall(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_phiwall"))
        .args(args)
        .env("DRILL_TEST_KEY", "pw_000000000000_x")
        .output()
        .unwrap()
}

#[test]
fn list_shows_every_builtin() {
    let o = phiwall(&["drill", "list"]);
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).unwrap();
    for name in [
        "prompt-injection-campaign",
        "indirect-injection-document",
        "bulk-phi-exfiltration",
        "credential-stuffing-keys",
        "credential-stuffing-verification",
        "social-engineering-caller",
        "resource-exhaustion-flood",
    ] {
        assert!(out.contains(name), "{name} missing from {out}");
    }
    let o = phiwall(&["drill", "show", "credential-stuffing-keys"]);
    assert!(String::from_utf8(o.stdout).unwrap().contains("[[steps]]"));
}

#[test]
fn non_loopback_targets_are_refused_before_any_request() {
    for target in ["http://10.0.0.5:8686", "https://example.com", "http://0.0.0.0:8686"] {
        let o = phiwall(&["drill", "run", "credential-stuffing-keys", "--target", target]);
        assert_eq!(o.status.code(), Some(2), "{target}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains("refusing to attack") && err.contains("--allow-target"), "{err}");
    }
}

#[test]
fn bad_scenario_files_are_usage_errors_with_key_paths() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(
        &f,
        "name = \"x\"\ndescription = \"d\"\n[[steps]]\nname = \"s\"\ncount = 0\nmessages = []\n",
    )
    .unwrap();
    let o = phiwall(&["drill", "run", f.to_str().unwrap(), "--target", "http://127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("steps[0].count") && err.contains("steps[0].messages"), "{err}");
    let o = phiwall(&["drill", "run", "no-such-scenario", "--target", "http://127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn primary_key_steps_need_a_key() {
    let o =
        phiwall(&["drill", "run", "prompt-injection-campaign", "--target", "http://127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8(o.stderr).unwrap().contains("--key env:VAR"));
    let o = phiwall(&[
        "drill",
        "run",
        "prompt-injection-campaign",
        "--target",
        "http://127.0.0.1:9",
        "--key",
        "pw_inline",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8(o.stderr).unwrap().contains("by reference"));
}

#[test]
fn demo_runs_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("demo");
    let o = phiwall(&["demo", "--keep", keep.to_str().unwrap()]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(o.status.success(), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
    for want in [
        "SYNTHETIC",
        "REDACTED",
        "BLOCKED (403, policy.phi_blocked)",
        "PASSED",
        "Incident report",
        "incident INC-000001",
        "quarantine_session",
    ] {
        assert!(out.contains(want), "{want} missing from the demo output:\n{out}");
    }
    // The scorecard landed where the audit reader looks for it.
    let cards: Vec<_> = std::fs::read_dir(keep.join("drills")).unwrap().collect();
    assert_eq!(cards.len(), 1);
    // No synthetic PHI in the event stream (events carry kinds and counts only).
    let events = std::fs::read_to_string(keep.join("events.jsonl")).unwrap();
    let pop = phiwall_identity::synth::population(50, 1).patients;
    assert!(!events.contains(&pop[0].family) && !events.contains(&pop[0].phone));
}
