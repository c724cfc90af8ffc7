//! End-to-end tests of `phiwall eval phi`, `phiwall generate transcripts` and `phiwall bench
//! scan` through the real binary: parse errors and their exit codes, input errors that name the
//! place without echoing data, and a generate -> eval round trip.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use std::process::{Command, Output};

fn phiwall(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phiwall")).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("x.jsonl");
    std::fs::write(&data, "{\"id\":\"a\",\"text\":\"hi\",\"spans\":[]}\n").unwrap();
    let d = data.to_str().unwrap();
    for args in [
        vec!["eval", "phi", "--data", d, "--split", "train"],
        vec!["eval", "phi", "--data", d, "--match", "fuzzy"],
        vec!["eval", "phi", "--data", d, "--by", "colour"],
        vec!["eval", "phi", "--data", d, "--data-format", "csv"],
        vec!["eval", "phi"],
        vec!["generate", "transcripts", "--count", "-3"],
        vec!["bench", "scan", "--threads", "0", "--count", "5"],
    ] {
        let o = phiwall(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    let o = phiwall(&["eval", "phi", "--data", d, "--min-score", "2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn input_errors_name_the_place_not_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.jsonl");
    std::fs::write(
        &data,
        "{\"id\":\"a\",\"text\":\"ok\",\"spans\":[]}\n{\"id\":\"b\",\"text\":\"Maria Lopez\",\"spans\":[{\"type\":\"NAME\",\"start\":0,\"end\":40}]}\n",
    )
    .unwrap();
    let o = phiwall(&["eval", "phi", "--data", data.to_str().unwrap(), "--split", "all"]);
    assert_eq!(o.status.code(), Some(3));
    let e = stderr(&o);
    assert!(e.contains("bad.jsonl:2") && e.contains("0..40"), "{e}");
    assert!(!e.contains("Maria"), "{e}");
    let o = phiwall(&["eval", "phi", "--data", "/nonexistent/file.jsonl"]);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn generate_then_eval_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tx.jsonl");
    let o = phiwall(&[
        "generate",
        "transcripts",
        "--count",
        "40",
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = phiwall(&["generate", "transcripts", "--count", "40", "--seed", "3"]);
    assert_eq!(std::fs::read(&out).unwrap(), again.stdout, "same seed, same bytes");

    let o = phiwall(&[
        "eval",
        "phi",
        "--data",
        out.to_str().unwrap(),
        "--split",
        "all",
        "--format",
        "json",
        "--by",
        "origin",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["report"]["docs"], 40);
    assert!(v["report"]["overall"]["gold"].as_u64().unwrap() > 40);
    assert!(v["report"]["groups"]["groups"].as_array().unwrap().len() > 1);
    // Text only with --show-text.
    assert!(!String::from_utf8_lossy(&o.stdout).contains("\"text\""));
    let o = phiwall(&[
        "eval",
        "phi",
        "--data",
        out.to_str().unwrap(),
        "--split",
        "test",
        "--show-text",
        "--max-misses",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("split test"));
}

#[test]
fn bench_scan_reports_a_ratio() {
    let o = phiwall(&["bench", "scan", "--count", "20", "--seconds", "0.1", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["corpus_docs"], 20);
    assert!(v["scan"]["docs"].as_u64().unwrap() >= 1);
    assert!(v["speed_ratio"].as_f64().unwrap() > 0.0);
}

#[test]
fn external_predictions_are_scored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gold.jsonl");
    std::fs::write(
        &data,
        "{\"id\":\"a\",\"text\":\"Ann Lee 555 212 9876\",\"spans\":[{\"type\":\"NAME\",\"start\":0,\"end\":7},{\"type\":\"PHONE\",\"start\":8,\"end\":20}],\"split\":\"dev\"}\n",
    )
    .unwrap();
    let preds = dir.path().join("preds.jsonl");
    std::fs::write(&preds, "{\"id\":\"a\",\"findings\":[{\"type\":\"PHONE\",\"start\":8,\"end\":20},{\"type\":\"DATE\",\"start\":0,\"end\":3}]}\n").unwrap();
    let o = phiwall(&[
        "eval",
        "phi",
        "--data",
        data.to_str().unwrap(),
        "--predictions",
        preds.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let overall = &v["report"]["overall"];
    assert_eq!((overall["gold"].as_u64(), overall["found"].as_u64()), (Some(2), Some(1)));
    assert_eq!((overall["predicted"].as_u64(), overall["correct"].as_u64()), (Some(2), Some(1)));

    std::fs::write(&preds, "{\"id\":\"zzz\",\"findings\":[]}\n").unwrap();
    let o = phiwall(&[
        "eval",
        "phi",
        "--data",
        data.to_str().unwrap(),
        "--predictions",
        preds.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn gates_fail_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gold.jsonl");
    std::fs::write(&data, "{\"id\":\"a\",\"text\":\"Ann Lee\",\"spans\":[{\"type\":\"NAME\",\"start\":0,\"end\":7}],\"split\":\"dev\"}\n").unwrap();
    let preds = dir.path().join("preds.jsonl");
    std::fs::write(
        &preds,
        "{\"id\":\"a\",\"findings\":[{\"type\":\"NAME\",\"start\":0,\"end\":3}]}\n",
    )
    .unwrap();
    let (d, p) = (data.to_str().unwrap(), preds.to_str().unwrap());
    // Typed overlap recall 1.0, but the span is only partly hidden.
    let o =
        phiwall(&["eval", "phi", "--data", d, "--predictions", p, "--fail-under-recall", "0.9"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o =
        phiwall(&["eval", "phi", "--data", d, "--predictions", p, "--fail-under-hidden", "0.5"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("spans fully hidden"));
    let o = phiwall(&["eval", "phi", "--data", d, "--fail-under-recall", "1.5"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sweep_filters_external_scores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gold.jsonl");
    std::fs::write(&data, "{\"id\":\"a\",\"text\":\"Ann Lee 555 212 9876\",\"spans\":[{\"type\":\"NAME\",\"start\":0,\"end\":7},{\"type\":\"PHONE\",\"start\":8,\"end\":20}],\"split\":\"dev\"}\n").unwrap();
    let preds = dir.path().join("preds.jsonl");
    std::fs::write(&preds, "{\"id\":\"a\",\"findings\":[{\"type\":\"NAME\",\"start\":0,\"end\":7,\"score\":0.45},{\"type\":\"PHONE\",\"start\":8,\"end\":20,\"score\":0.85}]}\n").unwrap();
    let o = phiwall(&[
        "eval",
        "phi",
        "--data",
        data.to_str().unwrap(),
        "--predictions",
        preds.to_str().unwrap(),
        "--sweep",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["sweep"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    let recall = |i: usize| rows[i]["overall"]["recall"].as_f64().unwrap();
    assert_eq!(recall(0), 1.0); // 0.3: both
    assert_eq!(recall(2), 0.5); // 0.5: phone only
    assert_eq!(recall(6), 0.0); // 0.9: none
}
