//! A self-contained benchmark of the three figures issue #6 asks for: sustained append with
//! group commit, verification throughput and inclusion-proof time. Used by `phiwall log bench`
//! (and by whoever builds `phiwall bench ledger`); the criterion benches in `benches/` measure
//! the parts in isolation.

use crate::appender::{Appender, FsyncPolicy, LedgerConfig};
use crate::clock::SystemClock;
use crate::error::{Error, Result};
use crate::keys::StaticKeyProvider;
use crate::merkle::verify_inclusion;
use crate::store::LedgerReader;
use crate::verify::{verify_dir, VerifyOptions};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// Events to append.
    pub events: u64,
    /// Size of each event in bytes (JSON-like filler).
    pub event_bytes: usize,
    /// Producer threads.
    pub producers: usize,
    /// Each producer waits for durability after this many events (1 = every event, as a
    /// fail-closed gateway request would).
    pub wait_every: u64,
    /// fsync policy.
    pub fsync: FsyncPolicy,
    /// Inclusion proofs to generate.
    pub proofs: u64,
    /// Directory to write in (a temporary directory under it is used and removed).
    pub dir: PathBuf,
}

impl Default for BenchConfig {
    fn default() -> Self {
        Self {
            events: 500_000,
            event_bytes: 200,
            producers: 4,
            wait_every: 1024,
            fsync: FsyncPolicy::Always,
            proofs: 10_000,
            dir: std::env::temp_dir(),
        }
    }
}

/// Measured figures.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Events appended.
    pub events: u64,
    /// Event size.
    pub event_bytes: usize,
    /// Producer threads.
    pub producers: usize,
    /// Durability wait interval per producer.
    pub wait_every: u64,
    /// fsync policy, as text.
    pub fsync: String,
    /// Seconds from the first append until every event was durable.
    pub append_seconds: f64,
    /// Events per second, durable.
    pub append_events_per_second: f64,
    /// Bytes written to segment files.
    pub segment_bytes: u64,
    /// Seconds to verify the whole log.
    pub verify_seconds: f64,
    /// Records verified per second.
    pub verify_records_per_second: f64,
    /// Process CPU seconds (user + system, all threads) spent appending.
    pub append_cpu_seconds: f64,
    /// Process CPU seconds spent verifying.
    pub verify_cpu_seconds: f64,
    /// Mean inclusion-proof generation time, microseconds.
    pub proof_mean_micros: f64,
    /// Median inclusion-proof generation time, microseconds.
    pub proof_p50_micros: f64,
    /// 99th percentile inclusion-proof generation time, microseconds.
    pub proof_p99_micros: f64,
    /// Slowest inclusion-proof generation, microseconds.
    pub proof_max_micros: f64,
    /// Proofs generated (each was also verified).
    pub proofs: u64,
}

/// Run the benchmark in a temporary ledger with an in-memory key.
pub fn run(config: &BenchConfig) -> Result<BenchReport> {
    if config.producers == 0 || config.events == 0 || config.wait_every == 0 {
        return Err(Error::Config("events, producers and wait_every must be at least 1".into()));
    }
    let tmp = TempDir::new(&config.dir)?;
    let provider = Arc::new(StaticKeyProvider::generate()?);
    let mut cfg = LedgerConfig::new(&tmp.0);
    cfg.fsync = config.fsync;
    let appender = Arc::new(Appender::open(cfg, provider, Arc::new(SystemClock))?);
    let per = config.events / config.producers as u64;
    let extra = config.events % config.producers as u64;
    let filler = "x".repeat(config.event_bytes.saturating_sub(60));
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    let handles: Vec<_> = (0..config.producers)
        .map(|t| {
            let a = appender.clone();
            let filler = filler.clone();
            let n = per + u64::from((t as u64) < extra);
            let wait_every = config.wait_every;
            std::thread::spawn(move || -> Result<()> {
                let mut last = None;
                for i in 0..n {
                    let ev = format!(r#"{{"kind":"bench","t":{t},"i":{i},"pad":"{filler}"}}"#);
                    let seq = a.append(ev.as_bytes())?;
                    last = Some(seq);
                    if (i + 1) % wait_every == 0 {
                        a.wait_durable(seq)?;
                    }
                }
                if let Some(s) = last {
                    a.wait_durable(s)?;
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| Error::WriterFailed("bench producer panicked".into()))??;
    }
    let append_seconds = start.elapsed().as_secs_f64();
    let append_cpu_seconds = cpu_seconds() - cpu0;
    Arc::try_unwrap(appender)
        .map_err(|_| Error::WriterFailed("appender still shared".into()))?
        .close()?;

    let segment_bytes = crate::store::list_segments(&tmp.0)?
        .iter()
        .filter_map(|(_, p)| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();

    let cpu1 = cpu_seconds();
    let t = Instant::now();
    let report = verify_dir(&tmp.0, &VerifyOptions::default())?;
    let verify_seconds = t.elapsed().as_secs_f64();
    let verify_cpu_seconds = cpu_seconds() - cpu1;
    if let Some(p) = report.problem {
        return Err(Error::Integrity(format!("benchmark ledger failed verification: {p}")));
    }

    let tree = LedgerReader::open(&tmp.0)?.merkle_tree();
    let n = tree.len();
    let root = tree.root();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut times = Vec::with_capacity(usize::try_from(config.proofs).unwrap_or(0));
    for _ in 0..config.proofs {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let seq = x % n.max(1);
        let t = Instant::now();
        let proof =
            tree.inclusion_proof(seq, n).ok_or_else(|| Error::Proof("benchmark proof".into()))?;
        times.push(t.elapsed().as_secs_f64() * 1e6);
        let leaf = tree.leaf(seq).copied().unwrap_or([0; 32]);
        if !verify_inclusion(&leaf, seq, n, &proof, &root) {
            return Err(Error::Proof(format!("benchmark proof for seq {seq} did not verify")));
        }
    }
    Ok(BenchReport {
        events: config.events,
        event_bytes: config.event_bytes,
        producers: config.producers,
        wait_every: config.wait_every,
        fsync: format!("{:?}", config.fsync),
        append_seconds,
        append_events_per_second: config.events as f64 / append_seconds,
        segment_bytes,
        verify_seconds,
        verify_records_per_second: report.records as f64 / verify_seconds,
        append_cpu_seconds,
        verify_cpu_seconds,
        proof_mean_micros: times.iter().sum::<f64>() / (times.len().max(1) as f64),
        proof_p50_micros: percentile(&mut times, 0.50),
        proof_p99_micros: percentile(&mut times, 0.99),
        proof_max_micros: percentile(&mut times, 1.0),
        proofs: config.proofs,
    })
}

/// Value at quantile `q` (0..=1) of `v` (sorted in place); 0 when empty.
fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let Some(last) = v.len().checked_sub(1) else { return 0.0 };
    let i = ((last as f64) * q).round() as usize;
    v.get(i.min(last)).copied().unwrap_or(0.0)
}

/// User + system CPU seconds of this process (all threads) from /proc; 0 where unavailable.
/// Reported next to wall time because the benchmark machine is shared.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { return 0.0 };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 are at indexes 11 and 12 after the state field (field 3 is index 0).
    (ticks(11) + ticks(12)) / 100.0
}

/// A directory removed on drop (the library does not depend on `tempfile`).
struct TempDir(PathBuf);

impl TempDir {
    fn new(base: &std::path::Path) -> Result<Self> {
        let suffix = crate::hex::encode(&crate::keys::random_array::<8>()?);
        let p = base.join(format!("phiwall-ledger-bench-{suffix}"));
        std::fs::create_dir_all(&p).map_err(|e| Error::io("create directory", &p, e))?;
        Ok(Self(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_bench_runs_and_reports() {
        let d = tempfile::tempdir().unwrap();
        let cfg = BenchConfig {
            events: 2_000,
            producers: 2,
            wait_every: 100,
            proofs: 50,
            dir: d.path().to_path_buf(),
            ..BenchConfig::default()
        };
        let r = run(&cfg).unwrap();
        assert_eq!(r.events, 2_000);
        assert!(r.append_events_per_second > 0.0);
        assert!(r.verify_records_per_second > 0.0);
        assert!(r.segment_bytes > 2_000 * 200);
        // The temporary ledger is removed.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
        assert!(run(&BenchConfig { producers: 0, ..cfg }).is_err());
    }
}
