//! The writer's life: group commit from many threads, reopen, torn-tail recovery, refusal to
//! append over a truncated log, rotation during writes, crypto-shredding, and the PHI canary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use phiwall_ledger::keys::{KeyProvider, KeyRing};
use phiwall_ledger::store::{list_segments, segment_path, LedgerReader};
use phiwall_ledger::{
    verify_dir, Appender, Error, FsyncPolicy, ManualClock, SystemClock, VerifyOptions,
};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

fn ok(dir: &std::path::Path) -> phiwall_ledger::VerifyReport {
    let r = verify_dir(dir, &VerifyOptions::default()).unwrap();
    assert!(r.is_ok(), "{:?}", r.problem);
    r
}

#[test]
fn group_commit_from_many_threads_is_dense_durable_and_readable() {
    let d = tempfile::tempdir().unwrap();
    let mut cfg = config(d.path(), 64 << 10);
    cfg.fsync = FsyncPolicy::Always;
    let p = provider();
    let a = Arc::new(Appender::open(cfg, p.clone(), Arc::new(SystemClock)).unwrap());
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let a = a.clone();
            std::thread::spawn(move || {
                let mut seqs = Vec::new();
                for i in 0..500 {
                    let seq = a.append(format!("t{t}-{i}").as_bytes()).unwrap();
                    if i % 50 == 49 {
                        a.wait_durable(seq).unwrap();
                    }
                    seqs.push(seq);
                }
                a.wait_durable(*seqs.last().unwrap()).unwrap();
                seqs
            })
        })
        .collect();
    let mut all = BTreeSet::new();
    for t in threads {
        all.extend(t.join().unwrap());
    }
    assert_eq!(all.len(), 3000);
    assert_eq!(all.iter().next_back(), Some(&2999));
    assert_eq!(a.durable_len().unwrap(), 3000);
    Arc::try_unwrap(a).unwrap().close().unwrap();
    let r = ok(d.path());
    assert_eq!(r.records, 3000);
    assert!(r.segments > 1);
    let events = LedgerReader::open(d.path()).unwrap().events(Some(p.as_ref()), |_| true).unwrap();
    let texts: BTreeSet<String> =
        events.into_iter().map(|e| String::from_utf8(e.event.unwrap()).unwrap()).collect();
    assert_eq!(texts.len(), 3000);
    assert!(texts.contains("t5-499"));
}

#[test]
fn reopening_continues_the_chain_in_a_new_segment() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 10, 1 << 20);
    build(d.path(), 10, 1 << 20);
    let r = ok(d.path());
    assert_eq!(r.records, 20);
    assert_eq!(r.segments, 2);
    let seqs: Vec<u64> =
        LedgerReader::open(d.path()).unwrap().records().map(|(_, r)| r.seq).collect();
    assert_eq!(seqs, (0..20).collect::<Vec<_>>());
}

#[test]
fn torn_tail_is_truncated_and_the_chain_continues() {
    let d = tempfile::tempdir().unwrap();
    {
        let a =
            Appender::open(config(d.path(), 1 << 20), provider(), Arc::new(SystemClock)).unwrap();
        for i in 0..10 {
            a.append(&event(i)).unwrap();
        }
        a.sync().unwrap();
        // Simulate a crash: no close, no final checkpoint; then a half-written record.
        std::mem::forget(a);
    }
    let (p, s, e) = record_spans(d.path())[9].clone();
    edit(&p, |b| {
        let rec = b[s..e].to_vec();
        b.extend_from_slice(&rec[..rec.len() / 2]);
    });
    std::fs::remove_file(d.path().join("writer.lock")).ok();
    let r = verify_dir(d.path(), &VerifyOptions::default()).unwrap();
    assert_eq!(r.problem.map(|p| p.kind()), Some("truncated"));
    let a = Appender::open(config(d.path(), 1 << 20), provider(), Arc::new(SystemClock)).unwrap();
    assert_eq!(a.recovery().records, 10);
    assert!(a.recovery().truncated_bytes > 0);
    assert_eq!(a.append(b"after").unwrap(), 10);
    a.close().unwrap();
    assert_eq!(ok(d.path()).records, 11);
}

#[test]
fn torn_segment_header_is_removed() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 5, 1 << 20);
    std::fs::write(segment_path(d.path(), 1), b"PWLSEG1\n\x01").unwrap();
    let a = Appender::open(config(d.path(), 1 << 20), provider(), Arc::new(SystemClock)).unwrap();
    assert_eq!(a.recovery().removed_segment, Some(1));
    a.append(b"x").unwrap();
    a.close().unwrap();
    assert_eq!(ok(d.path()).records, 6);
}

#[test]
fn writer_refuses_a_log_truncated_below_its_checkpoint() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, s, _) = record_spans(d.path())[20].clone();
    edit(&p, |b| b.truncate(s));
    let err =
        Appender::open(config(d.path(), 1 << 20), provider(), Arc::new(SystemClock)).unwrap_err();
    assert!(matches!(err, Error::Integrity(_)), "{err}");
    assert!(err.to_string().contains("records were removed"));
}

#[test]
fn writer_with_full_scan_refuses_tampering_in_the_middle() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, s, e) = record_spans(d.path())[5].clone();
    edit(&p, |b| b[(s + e) / 2] ^= 1);
    let mut cfg = config(d.path(), 1 << 20);
    cfg.is_full_scan_on_open = true;
    let err = Appender::open(cfg, provider(), Arc::new(SystemClock)).unwrap_err();
    assert!(matches!(err, Error::Integrity(_)), "{err}");
    // The default fast open resumes after the signed checkpoint; verify still finds it.
    let a = Appender::open(config(d.path(), 1 << 20), provider(), Arc::new(SystemClock)).unwrap();
    assert_eq!(a.recovery().scanned_from_seq, 30);
    a.close().unwrap();
    let r = verify_dir(d.path(), &VerifyOptions::default()).unwrap();
    assert_eq!(r.problem.map(|p| p.kind()), Some("modified"));
}

#[test]
fn fast_open_resumes_from_the_checkpoint_frontier_across_segments() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 100, 4096); // several segments, checkpoint at 100 with its frontier
    let a = Appender::open(config(d.path(), 4096), provider(), Arc::new(SystemClock)).unwrap();
    assert_eq!(a.recovery().scanned_from_seq, 100);
    assert_eq!(a.recovery().records, 100);
    for i in 0..50 {
        assert_eq!(a.append(&event(i)).unwrap(), 100 + i);
    }
    a.close().unwrap();
    assert_eq!(ok(d.path()).records, 150);
    // A stale or damaged frontier falls back to the full scan, with the same result.
    std::fs::write(d.path().join("frontier.bin"), b"PWLFRN1\ngarbage").unwrap();
    let a = Appender::open(config(d.path(), 4096), provider(), Arc::new(SystemClock)).unwrap();
    assert_eq!(a.recovery().scanned_from_seq, 0);
    assert_eq!(a.recovery().records, 150);
    a.append(b"x").unwrap();
    a.close().unwrap();
    assert_eq!(ok(d.path()).records, 151);
}

#[test]
fn second_writer_is_locked_out() {
    let d = tempfile::tempdir().unwrap();
    let a = Appender::open(config(d.path(), 1 << 20), provider(), Arc::new(SystemClock)).unwrap();
    let err =
        Appender::open(config(d.path(), 1 << 20), provider(), Arc::new(SystemClock)).unwrap_err();
    assert!(matches!(err, Error::Locked(_)));
    a.close().unwrap();
}

#[test]
fn rotation_and_rewrap_while_writing_keep_every_event_readable() {
    let d = tempfile::tempdir().unwrap();
    let p = provider();
    let a =
        Arc::new(Appender::open(config(d.path(), 8192), p.clone(), Arc::new(SystemClock)).unwrap());
    let writer = {
        let a = a.clone();
        std::thread::spawn(move || {
            for i in 0..2000 {
                a.append(&event(i)).unwrap();
            }
        })
    };
    let ring = KeyRing::new(d.path());
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(5));
        p.rotate().unwrap();
        ring.rewrap(p.as_ref(), 1).unwrap();
    }
    writer.join().unwrap();
    a.sync().unwrap();
    Arc::try_unwrap(a).unwrap().close().unwrap();
    ring.rewrap(p.as_ref(), 2).unwrap();
    p.retire_below(4).unwrap();
    assert_eq!(p.versions().unwrap(), vec![4]);
    let f = ring.load().unwrap();
    assert!(f.segments.values().all(|e| e.kek_version == 4));
    assert_eq!(f.signing.as_ref().unwrap().kek_version, 4);
    let events = LedgerReader::open(d.path()).unwrap().events(Some(p.as_ref()), |_| true).unwrap();
    assert_eq!(events.len(), 2000);
    assert!(events.iter().all(|e| e.event.is_ok()));
    ok(d.path());
}

#[test]
fn rotate_and_retire_from_another_handle_while_a_writer_rolls_segments() {
    // The writer and the administrator hold separate handles on one key file, as the gateway
    // and `phiwall keys rotate --retire` would in two processes.
    let d = tempfile::tempdir().unwrap();
    let kek = d.path().join("kek");
    let writer_keys = Arc::new(phiwall_ledger::FileKeyProvider::create(&kek).unwrap());
    let dir = d.path().join("log");
    let a = Appender::open(config(&dir, 4096), writer_keys, Arc::new(SystemClock)).unwrap();
    let ring = KeyRing::new(&dir);
    for round in 0..3u64 {
        for i in 0..60 {
            a.append(&event(round * 100 + i)).unwrap();
        }
        a.sync().unwrap();
        let admin = phiwall_ledger::FileKeyProvider::open(&kek).unwrap();
        let v = admin.rotate().unwrap();
        ring.rewrap(&admin, 1).unwrap();
        admin.retire_below(v).unwrap();
    }
    for i in 0..60 {
        a.append(&event(900 + i)).unwrap();
    }
    a.close().unwrap();
    let reader_keys = phiwall_ledger::FileKeyProvider::open(&kek).unwrap();
    assert_eq!(reader_keys.versions().unwrap(), vec![4]);
    let events = LedgerReader::open(&dir).unwrap().events(Some(&reader_keys), |_| true).unwrap();
    assert_eq!(events.len(), 240);
    assert!(events.iter().all(|e| e.event.is_ok()), "a data key was wrapped by a retired KEK");
    ok(&dir);
}

#[test]
fn shredded_segment_is_unreadable_but_still_verifies() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 120, 4096);
    let segs = list_segments(d.path()).unwrap();
    assert!(segs.len() > 2);
    KeyRing::new(d.path()).shred(0, 5).unwrap();
    let p = provider();
    let events = LedgerReader::open(d.path()).unwrap().events(Some(p.as_ref()), |_| true).unwrap();
    let (gone, kept): (Vec<_>, Vec<_>) = events.iter().partition(|e| e.segment == 0);
    assert!(!gone.is_empty());
    assert!(gone.iter().all(|e| e.event.as_ref().is_err_and(|m| m.contains("crypto-shredded"))));
    assert!(kept.iter().all(|e| e.event.is_ok()));
    let r = ok(d.path());
    assert_eq!(r.records, 120);
    // A fresh writer still appends after shredding.
    build(d.path(), 3, 4096);
    assert_eq!(ok(d.path()).records, 123);
}

#[test]
fn wrong_kek_cannot_read_events() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 5, 1 << 20);
    let other = phiwall_ledger::StaticKeyProvider::generate().unwrap();
    let events = LedgerReader::open(d.path()).unwrap().events(Some(&other), |_| true).unwrap();
    assert!(events.iter().all(|e| e.event.is_err()));
    let none = LedgerReader::open(d.path()).unwrap().events(None, |_| true).unwrap();
    assert!(none.iter().all(|e| e.event.is_err()));
}

#[test]
fn no_plaintext_canary_or_key_material_in_any_file() {
    let d = tempfile::tempdir().unwrap();
    let canary = "CANARY-PHI-Jane-Q-Doe-MRN-00770099";
    let a = Appender::open(config(d.path(), 8192), provider(), Arc::new(SystemClock)).unwrap();
    for i in 0..200 {
        a.append(format!(r#"{{"kind":"note","i":{i},"text":"{canary}"}}"#).as_bytes()).unwrap();
    }
    a.close().unwrap();
    let kek_hex = KEY_TEXT.split(':').nth(1).unwrap();
    let mut files = 0;
    for e in std::fs::read_dir(d.path()).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        files += 1;
        for needle in [canary.as_bytes(), b"Jane-Q-Doe", b"\"kind\":\"note\"", kek_hex.as_bytes()] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "plaintext found on disk");
        }
    }
    assert!(files >= 4);
    // The events are there: decryption finds the canary.
    let p = provider();
    let events = LedgerReader::open(d.path()).unwrap().events(Some(p.as_ref()), |_| true).unwrap();
    assert!(events
        .iter()
        .all(|e| String::from_utf8_lossy(e.event.as_ref().unwrap()).contains(canary)));
}

#[test]
fn timed_checkpoint_fires_from_the_injected_clock() {
    let d = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(1_000_000));
    let mut cfg = config(d.path(), 1 << 20);
    cfg.checkpoint_every_records = 0;
    cfg.checkpoint_interval_micros = 10_000_000;
    let a = Appender::open(cfg, provider(), clock.clone()).unwrap();
    a.append(b"x").unwrap();
    a.sync().unwrap();
    let ckpts = || phiwall_ledger::store::read_checkpoints(d.path()).unwrap().0.len();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(ckpts(), 0, "not due yet");
    clock.advance(11_000_000);
    let mut waited = 0;
    while ckpts() == 0 && waited < 40 {
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    }
    assert_eq!(ckpts(), 1);
    a.close().unwrap();
}

#[test]
fn every_millis_policy_makes_waiters_durable() {
    let d = tempfile::tempdir().unwrap();
    let mut cfg = config(d.path(), 1 << 20);
    cfg.fsync = FsyncPolicy::EveryMillis(20);
    let a = Appender::open(cfg, provider(), Arc::new(SystemClock)).unwrap();
    let seq = a.append(b"x").unwrap();
    let t = std::time::Instant::now();
    a.wait_durable(seq).unwrap();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(a.wait_durable(99).is_err(), "unknown seq is an error, not a hang");
    a.close().unwrap();
}

mod histories {
    use super::*;
    use phiwall_ledger::prove::InclusionProof;
    use phiwall_ledger::{Cipher, LedgerConfig};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// Random histories: several writer sessions with random event sizes, ciphers, segment
        /// sizes and checkpoint intervals always verify, read back exactly what was written,
        /// and every record has an inclusion proof against the latest signed checkpoint.
        #[test]
        fn random_histories_verify_and_read_back(
            sessions in proptest::collection::vec(
                (proptest::collection::vec(0usize..600, 0..40), any::<bool>(), 4u64..16, 0u64..12),
                1..5),
        ) {
            let d = tempfile::tempdir().unwrap();
            let p = provider();
            let mut written: Vec<Vec<u8>> = Vec::new();
            for (sizes, chacha, seg_kib, every) in &sessions {
                let mut cfg = LedgerConfig::new(d.path());
                cfg.fsync = FsyncPolicy::Never;
                cfg.max_segment_bytes = seg_kib * 1024;
                cfg.checkpoint_every_records = *every;
                cfg.cipher = if *chacha { Cipher::ChaCha20Poly1305 } else { Cipher::Aes256Gcm };
                let a = Appender::open(cfg, p.clone(), Arc::new(SystemClock)).unwrap();
                for s in sizes {
                    let ev: Vec<u8> = (0..*s).map(|i| (i * 31 + written.len()) as u8).collect();
                    let seq = a.append(&ev).unwrap();
                    prop_assert_eq!(seq, written.len() as u64);
                    written.push(ev);
                }
                a.close().unwrap();
            }
            let r = verify_dir(d.path(), &VerifyOptions::default()).unwrap();
            prop_assert!(r.is_ok(), "{:?}", r.problem);
            prop_assert_eq!(r.records, written.len() as u64);
            let reader = LedgerReader::open(d.path()).unwrap();
            let events = reader.events(Some(p.as_ref()), |_| true).unwrap();
            let got: Vec<Vec<u8>> = events.into_iter().map(|e| e.event.unwrap()).collect();
            prop_assert_eq!(&got, &written);
            let (ckpts, _) = phiwall_ledger::store::read_checkpoints(d.path()).unwrap();
            if let Some(c) = ckpts.last() {
                let tree = reader.merkle_tree();
                for seq in (0..c.tree_size).step_by(7) {
                    let proof = InclusionProof::build(&tree, seq, c.tree_size).unwrap();
                    prop_assert!(proof.verify_against(c));
                }
            }
        }
    }
}
