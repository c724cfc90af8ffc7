//! Criterion benches for the ledger's hot parts: sealing and encoding a record, Merkle
//! appends, inclusion proofs over a million leaves, verification of an on-disk log, and
//! group-commit appends. `phiwall log bench` reports the end-to-end figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use phiwall_ledger::keys::DataKey;
use phiwall_ledger::merkle::{leaf_hash, CompactTree, MerkleTree};
use phiwall_ledger::record::{encode_record, Cipher};
use phiwall_ledger::{
    verify_dir, Appender, FsyncPolicy, LedgerConfig, StaticKeyProvider, SystemClock, VerifyOptions,
};
use std::sync::Arc;

fn event() -> Vec<u8> {
    format!(r#"{{"kind":"request","app":"triage","session":"s1","pad":"{}"}}"#, "x".repeat(140))
        .into_bytes()
}

fn record(c: &mut Criterion) {
    let mut g = c.benchmark_group("record");
    g.throughput(Throughput::Elements(1));
    for cipher in [Cipher::Aes256Gcm, Cipher::ChaCha20Poly1305] {
        let key = DataKey::random(0, cipher).unwrap();
        let ev = event();
        let mut out = Vec::with_capacity(1 << 16);
        let mut seq = 0u64;
        g.bench_function(format!("seal_encode_{}", cipher.name()), |b| {
            b.iter(|| {
                out.clear();
                let ct = key.seal(seq, 1, &[0; 32], &ev).unwrap();
                encode_record(&mut out, 0, seq, 1, &[0; 32], &ct);
                seq += 1;
            })
        });
    }
    g.finish();
}

fn merkle(c: &mut Criterion) {
    let mut g = c.benchmark_group("merkle");
    let leaves: Vec<_> = (0u32..1_000_000).map(|i| leaf_hash(&i.to_le_bytes())).collect();
    let mut tree = MerkleTree::new();
    for l in &leaves {
        tree.push(*l);
    }
    let mut i = 0u64;
    g.bench_function("inclusion_proof_1m", |b| {
        b.iter(|| {
            i = (i + 7919) % 1_000_000;
            tree.inclusion_proof(i, 1_000_000).unwrap()
        })
    });
    g.bench_function("consistency_proof_1m", |b| {
        b.iter(|| tree.consistency_proof(333_333, 1_000_000).unwrap())
    });
    g.throughput(Throughput::Elements(1));
    let mut compact = CompactTree::new();
    g.bench_function("compact_push", |b| b.iter(|| compact.push(leaves[7])));
    g.finish();
}

fn disk(c: &mut Criterion) {
    let mut g = c.benchmark_group("disk");
    g.sample_size(10);
    let dir = tempfile::tempdir().unwrap();
    let provider = Arc::new(StaticKeyProvider::generate().unwrap());
    {
        let a =
            Appender::open(LedgerConfig::new(dir.path()), provider.clone(), Arc::new(SystemClock))
                .unwrap();
        for _ in 0..50_000 {
            a.append(&event()).unwrap();
        }
        a.close().unwrap();
    }
    g.throughput(Throughput::Elements(50_000));
    g.bench_function("verify_50k", |b| {
        b.iter(|| verify_dir(dir.path(), &VerifyOptions::default()).unwrap())
    });
    g.throughput(Throughput::Elements(20_000));
    g.bench_function("append_group_commit_20k_fsync_always", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |d| {
                let mut cfg = LedgerConfig::new(d.path());
                cfg.fsync = FsyncPolicy::Always;
                let a = Appender::open(cfg, provider.clone(), Arc::new(SystemClock)).unwrap();
                let ev = event();
                let mut last = 0;
                for _ in 0..20_000 {
                    last = a.append(&ev).unwrap();
                }
                a.wait_durable(last).unwrap();
                a.close().unwrap();
                d
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, record, merkle, disk);
criterion_main!(benches);
