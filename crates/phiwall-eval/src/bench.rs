//! Throughput and latency measurement for `phiwall bench scan`: run a scan function over a
//! corpus on N threads for a fixed time, record per-document latency, and run a baseline (one
//! plain regex pass over the same bytes) the same way in the same process, so the report is a
//! ratio that survives a noisy shared machine better than absolute figures.

use crate::error::Error;
use serde::Serialize;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// Bench settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchOptions {
    /// Worker threads (each is one core's worth of work on an idle machine).
    pub threads: usize,
    /// Wall-clock seconds per measured function.
    pub seconds: f64,
}

impl BenchOptions {
    /// Check ranges: 1..=256 threads, 0.05..=3600 seconds.
    pub fn validate(self) -> Result<Self, Error> {
        if !(1..=256).contains(&self.threads) {
            return Err(Error::Config {
                key: "threads",
                expected: "1 to 256",
                found: self.threads.to_string(),
            });
        }
        if !(0.05..=3600.0).contains(&self.seconds) {
            return Err(Error::Config {
                key: "seconds",
                expected: "0.05 to 3600",
                found: self.seconds.to_string(),
            });
        }
        Ok(self)
    }
}

/// Figures of one measured function.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Throughput {
    /// Documents processed (all threads).
    pub docs: u64,
    /// Bytes processed.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Threads used.
    pub threads: usize,
    /// Documents per second, all threads.
    pub docs_per_s: f64,
    /// Documents per second per thread.
    pub docs_per_s_per_core: f64,
    /// MB (10^6 bytes) per second per thread.
    pub mb_per_s_per_core: f64,
    /// Median per-document latency, microseconds.
    pub p50_us: f64,
    /// 99th percentile per-document latency, microseconds.
    pub p99_us: f64,
    /// Slowest document, microseconds.
    pub max_us: f64,
    /// Sum of what the function returned (findings or matches), so work is not optimised away.
    pub outputs: u64,
}

/// The bench report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// Documents in the corpus.
    pub corpus_docs: usize,
    /// Bytes in the corpus.
    pub corpus_bytes: usize,
    /// The scanner.
    pub scan: Throughput,
    /// What the baseline is.
    pub baseline_name: &'static str,
    /// The baseline.
    pub baseline: Throughput,
    /// `scan.docs_per_s / baseline.docs_per_s` (below 1: the scanner is slower).
    pub speed_ratio: f64,
    /// Whether this is a debug build (figures then mean little).
    pub is_debug_build: bool,
}

/// The baseline's description.
pub const BASELINE_NAME: &str = "one regex pass (US phone or e-mail shape) over the same documents";

static BASELINE: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(
        r"\b\d{3}[-. ]?\d{3}[-. ]?\d{4}\b|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    )
    .ok()
});

/// The baseline function: count the matches of one ordinary PII regex.
pub fn baseline(text: &str) -> usize {
    BASELINE.as_ref().map_or(0, |r| r.find_iter(text).count())
}

/// Run `f` over `texts` on `opts.threads` threads for about `opts.seconds`. Each thread starts
/// at a different document and cycles through the corpus; every thread processes at least one
/// document.
pub fn measure<F>(texts: &[String], f: F, opts: BenchOptions) -> Throughput
where
    F: Fn(&str) -> usize + Sync,
{
    let budget = Duration::from_secs_f64(opts.seconds.max(0.0));
    let n = texts.len();
    let started = Instant::now();
    let per_thread: Vec<(Vec<u32>, u64, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..opts.threads)
            .map(|t| {
                let f = &f;
                s.spawn(move || {
                    let mut lat = Vec::with_capacity(4096);
                    let (mut bytes, mut outputs) = (0u64, 0u64);
                    if n == 0 {
                        return (lat, bytes, outputs);
                    }
                    let mut i = t * n / opts.threads.max(1);
                    loop {
                        let text = texts.get(i % n).map_or("", String::as_str);
                        let t0 = Instant::now();
                        outputs += f(text) as u64;
                        let ns = t0.elapsed().as_nanos();
                        lat.push(u32::try_from(ns).unwrap_or(u32::MAX));
                        bytes += text.len() as u64;
                        i += 1;
                        if started.elapsed() >= budget {
                            break;
                        }
                    }
                    (lat, bytes, outputs)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let mut lat: Vec<u32> = Vec::new();
    let (mut bytes, mut outputs) = (0u64, 0u64);
    for (l, b, o) in per_thread {
        lat.extend(l);
        bytes += b;
        outputs += o;
    }
    lat.sort_unstable();
    let docs = lat.len() as u64;
    let threads = opts.threads.max(1);
    let q = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let idx = ((lat.len() - 1) as f64 * p).round() as usize;
        f64::from(lat.get(idx).copied().unwrap_or(0)) / 1000.0
    };
    Throughput {
        docs,
        bytes,
        seconds,
        threads,
        docs_per_s: docs as f64 / seconds,
        docs_per_s_per_core: docs as f64 / seconds / threads as f64,
        mb_per_s_per_core: bytes as f64 / 1e6 / seconds / threads as f64,
        p50_us: q(0.5),
        p99_us: q(0.99),
        max_us: q(1.0),
        outputs,
    }
}

/// Measure `scan` and the baseline on the same corpus, baseline first (it also warms caches).
pub fn compare<F>(texts: &[String], scan: F, opts: BenchOptions) -> Result<BenchReport, Error>
where
    F: Fn(&str) -> usize + Sync,
{
    let opts = opts.validate()?;
    if texts.is_empty() {
        return Err(Error::Config {
            key: "corpus",
            expected: "at least one document",
            found: "0".to_string(),
        });
    }
    let base = measure(texts, baseline, opts);
    let scanned = measure(texts, scan, opts);
    let speed_ratio =
        if base.docs_per_s > 0.0 { scanned.docs_per_s / base.docs_per_s } else { 0.0 };
    Ok(BenchReport {
        corpus_docs: texts.len(),
        corpus_bytes: texts.iter().map(String::len).sum(),
        scan: scanned,
        baseline_name: BASELINE_NAME,
        baseline: base,
        speed_ratio,
        is_debug_build: cfg!(debug_assertions),
    })
}

/// Render a report as text.
pub fn render_text(r: &BenchReport) -> String {
    let line = |name: &str, t: &Throughput| {
        format!(
            "{name:<9} {:>10.0} docs/s  {:>9.0} docs/s/core  {:>7.2} MB/s/core  p50 {:>8.1} us  p99 {:>8.1} us  max {:>9.1} us  ({} docs in {:.2} s on {} threads)\n",
            t.docs_per_s, t.docs_per_s_per_core, t.mb_per_s_per_core, t.p50_us, t.p99_us, t.max_us, t.docs, t.seconds, t.threads
        )
    };
    let mut o = format!(
        "Corpus: {} documents, {:.2} MB{}\n",
        r.corpus_docs,
        r.corpus_bytes as f64 / 1e6,
        if r.is_debug_build {
            " (DEBUG BUILD: figures are not representative; use a release build)"
        } else {
            ""
        }
    );
    o.push_str(&line("scan", &r.scan));
    o.push_str(&line("baseline", &r.baseline));
    o.push_str(&format!("baseline: {}\n", r.baseline_name));
    let versus = if r.speed_ratio >= 1.0 {
        format!("{:.1}x faster", r.speed_ratio)
    } else if r.speed_ratio > 0.0 {
        format!("{:.1}x slower", 1.0 / r.speed_ratio)
    } else {
        "no baseline figure".to_string()
    };
    o.push_str(&format!(
        "ratio: scan runs at {:.3}x the baseline's docs/s ({versus}); {:.2} findings per document\n",
        r.speed_ratio,
        if r.scan.docs > 0 { r.scan.outputs as f64 / r.scan.docs as f64 } else { 0.0 }
    ));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_and_compares() {
        let texts = vec!["call 555-212-9876 or a@b.org".to_string(), "nothing".to_string()];
        let opts = BenchOptions { threads: 2, seconds: 0.05 };
        let t = measure(&texts, baseline, opts);
        assert!(t.docs >= 2);
        assert!(t.outputs >= 1);
        assert!(t.p50_us <= t.p99_us && t.p99_us <= t.max_us);
        let r = compare(&texts, |s| s.len(), opts).unwrap();
        assert!(r.speed_ratio > 0.0);
        assert!(render_text(&r).contains("ratio:"));
        assert!(compare(&[], |s| s.len(), opts).is_err());
        assert!(BenchOptions { threads: 0, seconds: 1.0 }.validate().is_err());
        assert!(BenchOptions { threads: 1, seconds: 0.0 }.validate().is_err());
        assert_eq!(baseline("x 555.212.9876 y"), 1);
    }
}
