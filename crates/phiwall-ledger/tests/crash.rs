//! kill -9 the writer during sustained appends, restart, verify: the chain is intact and every
//! acknowledged (durable) event is present and decrypts.
//!
//! The child is this same test binary running `crash_child_writer` with an environment
//! variable set; without it that test returns at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use phiwall_ledger::store::LedgerReader;
use phiwall_ledger::{
    verify_dir, Appender, FileKeyProvider, FsyncPolicy, LedgerConfig, SystemClock, VerifyOptions,
};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DIR_VAR: &str = "PHIWALL_LEDGER_CRASH_DIR";

fn open(dir: &std::path::Path) -> Appender {
    let provider = Arc::new(FileKeyProvider::open(dir.join("kek")).unwrap());
    let mut cfg = LedgerConfig::new(dir.join("log"));
    cfg.fsync = FsyncPolicy::Always;
    cfg.max_segment_bytes = 256 << 10;
    cfg.checkpoint_every_records = 5_000;
    Appender::open(cfg, provider, Arc::new(SystemClock)).unwrap()
}

#[test]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(DIR_VAR) else { return };
    let dir = std::path::PathBuf::from(dir);
    let a = Arc::new(open(&dir));
    let session = std::process::id();
    // Four producer threads; each acknowledges a batch once it is durable.
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let a = a.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                loop {
                    let mut last = 0;
                    for _ in 0..64 {
                        let ev =
                            format!(r#"{{"kind":"crash","session":{session},"t":{t},"n":{n}}}"#);
                        last = a.append(ev.as_bytes()).unwrap();
                        n += 1;
                    }
                    a.wait_durable(last).unwrap();
                    println!("ack {last}");
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
}

#[test]
fn kill_9_during_sustained_appends_loses_no_acknowledged_event() {
    let d = tempfile::tempdir().unwrap();
    FileKeyProvider::create(d.path().join("kek")).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut max_acked: Option<u64> = None;
    for round in 0..3 {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child_writer", "--nocapture", "--test-threads=1"])
            .env(DIR_VAR, d.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) =
                    line.strip_prefix("ack ").and_then(|s| s.trim().parse::<u64>().ok())
                {
                    if tx.send(n).is_err() {
                        break;
                    }
                }
            }
        });
        // Let it run until it has acknowledged a good number of batches, then kill -9.
        let start = Instant::now();
        let mut acks = 0;
        while acks < 20 + round * 10 && start.elapsed() < Duration::from_secs(60) {
            if let Ok(n) = rx.recv_timeout(Duration::from_millis(100)) {
                max_acked = Some(max_acked.map_or(n, |m: u64| m.max(n)));
                acks += 1;
            }
        }
        assert!(acks > 0, "child acknowledged nothing");
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        while let Ok(n) = rx.try_recv() {
            max_acked = Some(max_acked.map_or(n, |m: u64| m.max(n)));
        }
    }
    let max_acked = max_acked.unwrap();
    // Restart: recovery, then a clean close.
    let a = open(d.path());
    let recovered = a.recovery().records;
    assert!(recovered > max_acked, "acknowledged seq {max_acked} lost: {recovered} records");
    a.append(b"{\"kind\":\"after-crash\"}").unwrap();
    a.close().unwrap();
    let r = verify_dir(&d.path().join("log"), &VerifyOptions::default()).unwrap();
    assert!(r.is_ok(), "{:?}", r.problem);
    assert_eq!(r.records, recovered + 1);
    let provider = FileKeyProvider::open(d.path().join("kek")).unwrap();
    let events = LedgerReader::open(d.path().join("log"))
        .unwrap()
        .events(Some(&provider), |_| true)
        .unwrap();
    assert_eq!(events.len() as u64, recovered + 1);
    // Per producer thread the surviving events are a gap-free prefix 0..k of what it sent.
    let mut next_n: std::collections::HashMap<(u64, u64), u64> = std::collections::HashMap::new();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64);
        let v: serde_json::Value = serde_json::from_slice(e.event.as_ref().unwrap()).unwrap();
        if v["kind"] == "after-crash" {
            continue;
        }
        assert_eq!(v["kind"], "crash");
        let key = (v["session"].as_u64().unwrap(), v["t"].as_u64().unwrap());
        let want = next_n.entry(key).or_insert(0);
        assert_eq!(v["n"].as_u64().unwrap(), *want, "gap in producer {key:?}");
        *want += 1;
    }
    assert!(next_n.len() >= 4, "events from several sessions and threads");
}
