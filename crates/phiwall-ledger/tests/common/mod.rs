//! Helpers shared by the integration tests: build a ledger, locate records, tamper with bytes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use phiwall_ledger::store::{list_segments, SegmentFile};
use phiwall_ledger::{
    Appender, Checkpoint, FsyncPolicy, LedgerConfig, ManualClock, StaticKeyProvider,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const KEY_TEXT: &str = "1:0101010101010101010101010101010101010101010101010101010101010101";

pub fn provider() -> Arc<StaticKeyProvider> {
    Arc::new(StaticKeyProvider::from_text(KEY_TEXT).unwrap())
}

pub fn config(dir: &Path, segment_bytes: u64) -> LedgerConfig {
    let mut c = LedgerConfig::new(dir);
    c.fsync = FsyncPolicy::Never;
    c.max_segment_bytes = segment_bytes;
    c.checkpoint_every_records = 10;
    c
}

pub fn event(i: u64) -> Vec<u8> {
    format!(r#"{{"kind":"request","app":"app{}","session":"s{}","i":{i}}}"#, i % 3, i % 5)
        .into_bytes()
}

/// Build a ledger of `n` events (times 1_000_000 + i seconds) and return the last checkpoint.
pub fn build(dir: &Path, n: u64, segment_bytes: u64) -> Checkpoint {
    let clock = Arc::new(ManualClock::new(1_700_000_000_000_000));
    let a = Appender::open(config(dir, segment_bytes), provider(), clock).unwrap();
    for i in 0..n {
        a.append_at(1_700_000_000_000_000 + i * 1_000_000, &event(i)).unwrap();
    }
    let c = a.checkpoint().unwrap();
    a.close().unwrap();
    c
}

/// Every record as (segment path, start offset, end offset), in log order.
pub fn record_spans(dir: &Path) -> Vec<(PathBuf, usize, usize)> {
    let mut out = Vec::new();
    for (i, p) in list_segments(dir).unwrap() {
        let s = SegmentFile::read(i, p.clone()).unwrap();
        for r in &s.records {
            out.push((p.clone(), r.offset as usize, r.ct.end + 32));
        }
    }
    out
}

pub fn edit(path: &Path, f: impl FnOnce(&mut Vec<u8>)) {
    let mut b = std::fs::read(path).unwrap();
    f(&mut b);
    std::fs::write(path, b).unwrap();
}
