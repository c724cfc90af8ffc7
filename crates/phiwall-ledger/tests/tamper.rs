//! Every kind of tampering issue #6 lists is detected by `verify` and named correctly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use phiwall_ledger::checkpoint::Checkpoint;
use phiwall_ledger::keys::KeyRing;
use phiwall_ledger::merkle::leaf_hash;
use phiwall_ledger::store::{segment_path, CHECKPOINTS_FILE};
use phiwall_ledger::{verify_dir, Problem, VerifyOptions};
use proptest::prelude::*;
use std::path::Path;

fn verify(dir: &Path) -> phiwall_ledger::VerifyReport {
    verify_dir(dir, &VerifyOptions::default()).unwrap()
}

fn kind(dir: &Path) -> Option<&'static str> {
    verify(dir).problem.map(|p| p.kind())
}

#[test]
fn untouched_ledger_verifies() {
    let d = tempfile::tempdir().unwrap();
    let c = build(d.path(), 120, 4096);
    let r = verify(d.path());
    assert!(r.is_ok(), "{:?}", r.problem);
    assert_eq!(r.records, 120);
    assert!(r.segments > 2, "small segments roll: {}", r.segments);
    assert_eq!(r.latest_checkpoint_size, Some(120));
    let kept = VerifyOptions { kept_checkpoint: Some(c), public_key: None };
    assert_eq!(verify_dir(d.path(), &kept).unwrap().kept_checkpoint_consistent, Some(true));
}

#[test]
fn modified_ciphertext_byte_is_named_modified_with_its_seq() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, start, end) = record_spans(d.path())[7].clone();
    edit(&p, |b| b[(start + end) / 2] ^= 0x20);
    let r = verify(d.path());
    assert!(matches!(r.problem, Some(Problem::Modified { seq: 7, .. })), "{:?}", r.problem);
    assert_eq!(r.records, 7);
}

#[test]
fn rewritten_record_with_recomputed_hash_breaks_the_chain() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, start, end) = record_spans(d.path())[7].clone();
    edit(&p, |b| {
        b[end - 40] ^= 1; // a ciphertext byte
        let h = leaf_hash(&b[start + 4..end - 32]);
        b[end - 32..end].copy_from_slice(&h);
    });
    let r = verify(d.path());
    assert!(matches!(r.problem, Some(Problem::ChainBroken { seq: 8, .. })), "{:?}", r.problem);
    assert_eq!(r.problem.unwrap().kind(), "modified");
}

#[test]
fn rewritten_last_record_is_caught_by_the_signed_checkpoint() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, start, end) = record_spans(d.path())[29].clone();
    edit(&p, |b| {
        b[end - 40] ^= 1;
        let h = leaf_hash(&b[start + 4..end - 32]);
        b[end - 32..end].copy_from_slice(&h);
    });
    assert!(matches!(
        verify(d.path()).problem,
        Some(Problem::RewrittenHistory { tree_size: 30, .. })
    ));
}

#[test]
fn deleted_record_is_missing() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, start, end) = record_spans(d.path())[12].clone();
    edit(&p, |b| {
        b.drain(start..end);
    });
    let r = verify(d.path());
    assert!(
        matches!(r.problem, Some(Problem::Missing { expected_seq: 12, found_seq: 13, .. })),
        "{:?}",
        r.problem
    );
}

#[test]
fn swapped_records_are_reordered() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let spans = record_spans(d.path());
    let (p, s1, e1) = spans[4].clone();
    let (_, s2, e2) = spans[5].clone();
    edit(&p, |b| {
        let r1 = b[s1..e1].to_vec();
        let r2 = b[s2..e2].to_vec();
        let mut new = b[..s1].to_vec();
        new.extend_from_slice(&r2);
        new.extend_from_slice(&r1);
        new.extend_from_slice(&b[e2..]);
        *b = new;
    });
    let r = verify(d.path());
    assert!(
        matches!(r.problem, Some(Problem::Reordered { expected_seq: 4, found_seq: 5, .. })),
        "{:?}",
        r.problem
    );
}

#[test]
fn duplicated_record_is_duplicated() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, s, e) = record_spans(d.path())[9].clone();
    edit(&p, |b| {
        let r = b[s..e].to_vec();
        b.splice(e..e, r);
    });
    let r = verify(d.path());
    assert!(matches!(r.problem, Some(Problem::Duplicated { seq: 9, .. })), "{:?}", r.problem);
}

#[test]
fn cut_inside_the_last_record_is_truncated() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, s, _) = record_spans(d.path())[29].clone();
    edit(&p, |b| b.truncate(s + 20));
    let r = verify(d.path());
    assert!(matches!(r.problem, Some(Problem::Truncated { records: 29, .. })), "{:?}", r.problem);
}

#[test]
fn whole_records_cut_from_the_end_are_truncated_per_checkpoint() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let (p, s, _) = record_spans(d.path())[25].clone();
    edit(&p, |b| b.truncate(s));
    let r = verify(d.path());
    assert!(matches!(r.problem, Some(Problem::Truncated { records: 25, .. })), "{:?}", r.problem);
}

#[test]
fn deleted_last_segment_is_truncated_and_middle_segment_missing() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 120, 4096);
    let segs = phiwall_ledger::store::list_segments(d.path()).unwrap();
    assert!(segs.len() >= 4);
    std::fs::remove_file(&segs[segs.len() - 1].1).unwrap();
    // The final segment may be empty (the close checkpoint adds none); remove the last one with records.
    if verify(d.path()).is_ok() {
        std::fs::remove_file(&segs[segs.len() - 2].1).unwrap();
    }
    assert_eq!(kind(d.path()), Some("truncated"));

    let d = tempfile::tempdir().unwrap();
    build(d.path(), 120, 4096);
    std::fs::remove_file(segment_path(d.path(), 1)).unwrap();
    let r = verify(d.path());
    assert!(
        matches!(r.problem, Some(Problem::MissingSegment { expected: 1, found: 2 })),
        "{:?}",
        r.problem
    );
}

#[test]
fn swapped_segment_files_are_named_swapped() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 120, 4096);
    let (a, b, t) = (segment_path(d.path(), 1), segment_path(d.path(), 2), d.path().join("tmp"));
    std::fs::rename(&a, &t).unwrap();
    std::fs::rename(&b, &a).unwrap();
    std::fs::rename(&t, &b).unwrap();
    let r = verify(d.path());
    assert!(
        matches!(r.problem, Some(Problem::SegmentSwapped { file_index: 1, content_index: 2 })),
        "{:?}",
        r.problem
    );
}

#[test]
fn checkpoint_with_a_changed_root_has_a_bad_signature() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    edit(&d.path().join(CHECKPOINTS_FILE), |b| b[20] ^= 1);
    let r = verify(d.path());
    assert!(matches!(r.problem, Some(Problem::BadSignature { .. })), "{:?}", r.problem);
}

#[test]
fn checkpoint_signed_by_another_key_is_forged() {
    let d = tempfile::tempdir().unwrap();
    build(d.path(), 30, 1 << 20);
    let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let forged = Checkpoint::sign(&other, 30, [0; 32], [0; 32], 5);
    edit(&d.path().join(CHECKPOINTS_FILE), |b| b.extend_from_slice(&forged.encode()));
    let r = verify(d.path());
    assert!(matches!(r.problem, Some(Problem::ForgedCheckpoint { .. })), "{:?}", r.problem);
}

#[test]
fn log_rebuilt_under_a_new_key_is_caught_by_the_kept_checkpoint() {
    let d = tempfile::tempdir().unwrap();
    let kept = build(d.path(), 30, 1 << 20);
    // The attacker replaces everything: new key ring, new signing key, new events.
    for e in std::fs::read_dir(d.path()).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    build(d.path(), 30, 1 << 20);
    assert!(verify(d.path()).is_ok(), "without a kept checkpoint a full rebuild looks fine");
    let opts = VerifyOptions { kept_checkpoint: Some(kept), public_key: None };
    let r = verify_dir(d.path(), &opts).unwrap();
    assert!(matches!(r.problem, Some(Problem::ForgedCheckpoint { .. })), "{:?}", r.problem);
}

#[test]
fn history_rewritten_with_the_real_key_is_inconsistent_with_the_kept_checkpoint() {
    let d = tempfile::tempdir().unwrap();
    let kept = build(d.path(), 20, 1 << 20);
    // An insider with the KEK keeps the key ring (and signing key) but rebuilds the records.
    let keyring = std::fs::read(d.path().join("keyring.json")).unwrap();
    for e in std::fs::read_dir(d.path()).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    std::fs::write(d.path().join("keyring.json"), keyring).unwrap();
    let clock = std::sync::Arc::new(phiwall_ledger::ManualClock::new(1));
    let a = phiwall_ledger::Appender::open(config(d.path(), 1 << 20), provider(), clock).unwrap();
    for i in 0..25 {
        a.append_at(i, b"{\"kind\":\"innocent\"}").unwrap();
    }
    a.close().unwrap();
    assert!(verify(d.path()).is_ok());
    let opts = VerifyOptions { kept_checkpoint: Some(kept.clone()), public_key: None };
    let r = verify_dir(d.path(), &opts).unwrap();
    assert!(
        matches!(r.problem, Some(Problem::RewrittenHistory { tree_size: 20, .. })),
        "{:?}",
        r.problem
    );
    // Same key in the key ring: the kept checkpoint's key matches.
    assert_eq!(KeyRing::new(d.path()).public_key().unwrap().unwrap().to_bytes(), kept.public_key);
}

#[test]
fn truncation_below_a_kept_checkpoint_is_detected_even_with_checkpoints_removed() {
    let d = tempfile::tempdir().unwrap();
    let kept = build(d.path(), 30, 1 << 20);
    let (p, s, _) = record_spans(d.path())[20].clone();
    edit(&p, |b| b.truncate(s));
    std::fs::remove_file(d.path().join(CHECKPOINTS_FILE)).unwrap();
    let opts = VerifyOptions { kept_checkpoint: Some(kept), public_key: None };
    let r = verify_dir(d.path(), &opts).unwrap();
    assert!(matches!(r.problem, Some(Problem::Truncated { records: 20, .. })), "{:?}", r.problem);
}

#[derive(Debug, Clone)]
enum Op {
    Flip(usize),
    Delete(usize),
    SwapNext(usize),
    Duplicate(usize),
    CutInside(usize),
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random histories and a random tampering: always detected, always named right.
    #[test]
    fn random_tampering_is_detected_and_named(n in 3u64..60, seg in 4u64..10, op in prop_oneof![
        any::<usize>().prop_map(Op::Flip),
        any::<usize>().prop_map(Op::Delete),
        any::<usize>().prop_map(Op::SwapNext),
        any::<usize>().prop_map(Op::Duplicate),
        any::<usize>().prop_map(Op::CutInside),
    ]) {
        let d = tempfile::tempdir().unwrap();
        build(d.path(), n, seg * 1024);
        prop_assert!(verify(d.path()).is_ok());
        let spans = record_spans(d.path());
        prop_assert_eq!(spans.len() as u64, n);
        let expected = match op {
            Op::Flip(i) => {
                let (p, s, e) = spans[i % spans.len()].clone();
                edit(&p, |b| b[s + 4 + (i % (e - s - 4))] ^= 0x01);
                "modified"
            }
            Op::Delete(i) => {
                let k = i % spans.len();
                let (p, s, e) = spans[k].clone();
                edit(&p, |b| { b.drain(s..e); });
                if k + 1 == spans.len() { "truncated" } else { "missing" }
            }
            Op::SwapNext(i) => {
                // Swap two neighbours inside one segment.
                let Some(k) = (0..spans.len() - 1).map(|j| (i + j) % (spans.len() - 1))
                    .find(|&k| spans[k].0 == spans[k + 1].0) else { return Ok(()) };
                let (p, s1, e1) = spans[k].clone();
                let (_, s2, e2) = spans[k + 1].clone();
                edit(&p, |b| {
                    let (r1, r2) = (b[s1..e1].to_vec(), b[s2..e2].to_vec());
                    let mut new = b[..s1].to_vec();
                    new.extend_from_slice(&r2);
                    new.extend_from_slice(&r1);
                    new.extend_from_slice(&b[e2..]);
                    *b = new;
                });
                "reordered"
            }
            Op::Duplicate(i) => {
                let (p, s, e) = spans[i % spans.len()].clone();
                edit(&p, |b| { let r = b[s..e].to_vec(); b.splice(e..e, r); });
                "duplicated"
            }
            Op::CutInside(i) => {
                let (p, s, e) = spans[spans.len() - 1].clone();
                edit(&p, |b| b.truncate(s + 1 + i % (e - s - 1)));
                "truncated"
            }
        };
        let r = verify(d.path());
        prop_assert_eq!(r.problem.as_ref().map(|p| p.kind()), Some(expected), "{:?}", r.problem);
    }
}
