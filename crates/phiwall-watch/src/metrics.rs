//! Prometheus metrics derived from events, rendered in the text exposition format.
//!
//! Names follow `phiwall_<area>_<thing>_total`. Label values come from fixed vocabularies
//! (endpoints, outcomes, reason classes, finding kinds) and configuration (app names), never
//! from request content, so cardinality stays bounded and nothing sensitive is exported.
//! Detections are counted by kind and severity (fixed vocabularies); principals never become
//! labels. The bus and each SIEM sink keep lock-free gauges and counters ([`BusStats`],
//! [`SinkStats`]) that the same exposition renders.

use crate::detection::Detection;
use crate::event::Event;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Histogram bucket upper bounds in seconds: 50 µs to 30 s.
const BUCKETS: [f64; 16] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    5.0, 30.0,
];

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                if let Some(c) = self.counts.get_mut(i) {
                    *c += 1;
                }
            }
        }
        self.sum += secs;
        self.count += 1;
    }
}

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Inner {
    counters: BTreeMap<(&'static str, Labels), u64>,
    histograms: BTreeMap<(&'static str, Labels), Histogram>,
}

/// Bus counters and gauges.
#[derive(Debug, Default)]
pub struct BusStats {
    /// Records waiting in the in-memory queue.
    pub queue_depth: AtomicI64,
    /// Records written to the spill file because the queue was full.
    pub spilled: AtomicU64,
    /// Records replayed from the spill file.
    pub spill_replayed: AtomicU64,
    /// Records dropped because the spill file reached its cap.
    pub spill_dropped: AtomicU64,
    /// Current size of the spill file.
    pub spill_bytes: AtomicU64,
}

/// One SIEM sink's delivery counters and gauges.
#[derive(Debug, Default)]
pub struct SinkStats {
    /// Records delivered (acknowledged by the receiver).
    pub delivered: AtomicU64,
    /// Batches delivered.
    pub batches: AtomicU64,
    /// Attempts retried after a failure.
    pub retries: AtomicU64,
    /// Failed attempts (network errors, 5xx, 429, missing acknowledgements).
    pub failures: AtomicU64,
    /// Records the receiver rejected as malformed (a 4xx other than auth or throttling): dropped
    /// after logging, so one bad record cannot stall the sink.
    pub rejected: AtomicU64,
    /// Records dropped because the disk buffer reached its cap.
    pub cap_dropped: AtomicU64,
    /// Records that could not be encoded.
    pub encode_errors: AtomicU64,
    /// Bytes waiting in the disk buffer.
    pub buffered_bytes: AtomicU64,
    /// Records waiting in the disk buffer.
    pub buffered_records: AtomicU64,
    /// Age of the oldest undelivered record, milliseconds (0 when none).
    pub lag_ms: AtomicU64,
}

/// The registry. One per process; cheap to update from many threads.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    dropped: AtomicU64,
    /// The event bus.
    pub bus: BusStats,
    sinks: Mutex<Vec<(String, String, Arc<SinkStats>)>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

const HELP: &[(&str, &str, &str)] = &[
    ("phiwall_gateway_requests_total", "counter", "Requests by endpoint, outcome and HTTP status."),
    ("phiwall_gateway_decisions_total", "counter", "Denials and failures by reason class."),
    ("phiwall_gateway_findings_total", "counter", "Findings by kind (PHI type, injection, leaks)."),
    ("phiwall_gateway_actions_total", "counter", "Transforms applied (mask, tokenize, ...)."),
    (
        "phiwall_gateway_tokens_total",
        "counter",
        "Tokens by direction (estimated when not reported).",
    ),
    ("phiwall_gateway_request_duration_seconds", "histogram", "Total time in phiwall per request."),
    (
        "phiwall_gateway_upstream_duration_seconds",
        "histogram",
        "Time waiting on the upstream model.",
    ),
    ("phiwall_gateway_overhead_seconds", "histogram", "phiwall's own time: total minus upstream."),
    ("phiwall_detections_total", "counter", "Detections by kind and severity."),
];

/// Bus metrics: (name, type, help, getter).
type BusGetter = fn(&BusStats) -> i64;
const BUS: &[(&str, &str, &str, BusGetter)] = &[
    ("phiwall_bus_queue_depth", "gauge", "Records waiting in the in-memory bus queue.", |b| {
        b.queue_depth.load(Ordering::Relaxed)
    }),
    (
        "phiwall_bus_spilled_total",
        "counter",
        "Records spilled to disk because the queue was full.",
        |b| b.spilled.load(Ordering::Relaxed) as i64,
    ),
    ("phiwall_bus_spill_replayed_total", "counter", "Records replayed from the spill file.", |b| {
        b.spill_replayed.load(Ordering::Relaxed) as i64
    }),
    (
        "phiwall_bus_spill_dropped_total",
        "counter",
        "Records dropped at the spill file's cap.",
        |b| b.spill_dropped.load(Ordering::Relaxed) as i64,
    ),
    ("phiwall_bus_spill_bytes", "gauge", "Size of the spill file.", |b| {
        b.spill_bytes.load(Ordering::Relaxed) as i64
    }),
];

type SinkGetter = fn(&SinkStats) -> f64;
const SINK: &[(&str, &str, &str, SinkGetter)] = &[
    ("phiwall_sink_delivered_total", "counter", "Records delivered and acknowledged.", |s| {
        s.delivered.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_batches_total", "counter", "Batches delivered.", |s| {
        s.batches.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_retries_total", "counter", "Delivery attempts retried.", |s| {
        s.retries.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_failures_total", "counter", "Failed delivery attempts.", |s| {
        s.failures.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_rejected_total", "counter", "Records the receiver rejected (dropped).", |s| {
        s.rejected.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_dropped_total", "counter", "Records dropped at the disk buffer's cap.", |s| {
        s.cap_dropped.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_encode_errors_total", "counter", "Records that could not be encoded.", |s| {
        s.encode_errors.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_buffered_bytes", "gauge", "Bytes waiting in the disk buffer.", |s| {
        s.buffered_bytes.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_buffered_records", "gauge", "Records waiting in the disk buffer.", |s| {
        s.buffered_records.load(Ordering::Relaxed) as f64
    }),
    ("phiwall_sink_lag_seconds", "gauge", "Age of the oldest undelivered record.", |s| {
        s.lag_ms.load(Ordering::Relaxed) as f64 / 1000.0
    }),
];

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Inner)) {
        if let Ok(mut g) = self.inner.lock() {
            f(&mut g);
        }
    }

    /// Count an event dropped because the bus was full.
    pub fn inc_dropped(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    /// Register a SIEM sink by name and kind; the returned stats are rendered with its labels.
    pub fn register_sink(&self, name: &str, kind: &str) -> Arc<SinkStats> {
        let st = Arc::new(SinkStats::default());
        if let Ok(mut g) = self.sinks.lock() {
            g.push((name.to_string(), kind.to_string(), st.clone()));
        }
        st
    }

    /// Count a detection by kind and severity.
    pub fn record_detection(&self, d: &Detection) {
        let sev = serde_json::to_value(d.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        self.with(|m| {
            *m.counters
                .entry((
                    "phiwall_detections_total",
                    vec![("kind", d.kind.as_str().to_string()), ("severity", sev)],
                ))
                .or_insert(0) += 1;
        });
    }

    /// Update every metric an event contributes to.
    pub fn record(&self, e: &Event) {
        let app = e.app.clone().unwrap_or_else(|| "-".to_string());
        self.with(|m| {
            *m.counters
                .entry((
                    "phiwall_gateway_requests_total",
                    vec![
                        ("endpoint", e.endpoint.to_string()),
                        ("outcome", e.outcome.as_str().to_string()),
                        ("status", e.status.to_string()),
                    ],
                ))
                .or_insert(0) += 1;
            if let Some(r) = e.reason {
                *m.counters
                    .entry(("phiwall_gateway_decisions_total", vec![("reason", r.to_string())]))
                    .or_insert(0) += 1;
            }
            for (k, n) in &e.findings {
                *m.counters
                    .entry((
                        "phiwall_gateway_findings_total",
                        vec![("app", app.clone()), ("kind", k.clone())],
                    ))
                    .or_insert(0) += u64::from(*n);
            }
            for (k, n) in &e.actions {
                *m.counters
                    .entry(("phiwall_gateway_actions_total", vec![("action", k.clone())]))
                    .or_insert(0) += u64::from(*n);
            }
            for (dir, n) in [("in", e.tokens_in), ("out", e.tokens_out)] {
                if n > 0 {
                    *m.counters
                        .entry(("phiwall_gateway_tokens_total", vec![("direction", dir.into())]))
                        .or_insert(0) += n;
                }
            }
            let labels = vec![("endpoint", e.endpoint.to_string())];
            let secs = |us: u64| us as f64 / 1e6;
            m.histograms
                .entry(("phiwall_gateway_request_duration_seconds", labels.clone()))
                .or_default()
                .observe(secs(e.duration_us));
            if e.upstream_us > 0 {
                m.histograms
                    .entry(("phiwall_gateway_upstream_duration_seconds", labels.clone()))
                    .or_default()
                    .observe(secs(e.upstream_us));
            }
            m.histograms
                .entry(("phiwall_gateway_overhead_seconds", labels))
                .or_default()
                .observe(secs(e.duration_us.saturating_sub(e.upstream_us)));
        });
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let (counters, histograms) = match self.inner.lock() {
            Ok(g) => (g.counters.clone(), g.histograms.clone()),
            Err(_) => (BTreeMap::new(), BTreeMap::new()),
        };
        for (name, kind, help) in HELP {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for ((n, labels), v) in counters.iter().filter(|((n, _), _)| n == name) {
                let _ = writeln!(out, "{n}{} {v}", fmt_labels(labels, None));
            }
            for ((n, labels), h) in histograms.iter().filter(|((n, _), _)| n == name) {
                for (i, b) in BUCKETS.iter().enumerate() {
                    let c = h.counts.get(i).copied().unwrap_or(0);
                    let _ =
                        writeln!(out, "{n}_bucket{} {c}", fmt_labels(labels, Some(&b.to_string())));
                }
                let _ = writeln!(out, "{n}_bucket{} {}", fmt_labels(labels, Some("+Inf")), h.count);
                let _ = writeln!(out, "{n}_sum{} {}", fmt_labels(labels, None), h.sum);
                let _ = writeln!(out, "{n}_count{} {}", fmt_labels(labels, None), h.count);
            }
        }
        let _ = writeln!(
            out,
            "# HELP phiwall_events_dropped_total Events dropped because the bus was full.\n# TYPE phiwall_events_dropped_total counter\nphiwall_events_dropped_total {}",
            self.dropped.load(Ordering::Relaxed)
        );
        for (name, kind, help, get) in BUS {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                get(&self.bus)
            );
        }
        let sinks = self.sinks.lock().map(|g| g.clone()).unwrap_or_default();
        for (name, kind, help, get) in SINK {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (sink, skind, st) in &sinks {
                let labels = vec![("kind", skind.clone()), ("sink", sink.clone())];
                let _ = writeln!(out, "{name}{} {}", fmt_labels(&labels, None), get(st));
            }
        }
        out
    }
}

fn fmt_labels(labels: &Labels, le: Option<&str>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Activity, Outcome};

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        let mut e = Event::new(Activity::Create, 0, "r".into(), "chat.completions");
        e.app = Some("scheduling".into());
        e.outcome = Outcome::Denied;
        e.status = 403;
        e.reason = Some("policy.phi_blocked");
        e.count_finding("input.phi.SSN", 2);
        e.duration_us = 300;
        m.record(&e);
        let text = m.render();
        assert!(text.contains("phiwall_gateway_decisions_total{reason=\"policy.phi_blocked\"} 1"));
        assert!(text.contains(
            "phiwall_gateway_findings_total{app=\"scheduling\",kind=\"input.phi.SSN\"} 2"
        ));
        assert!(text.contains(
            "phiwall_gateway_overhead_seconds_bucket{endpoint=\"chat.completions\",le=\"0.0005\"} 1"
        ));
        assert!(text.contains(
            "phiwall_gateway_overhead_seconds_bucket{endpoint=\"chat.completions\",le=\"0.00025\"} 0"
        ));
        assert!(!text.contains("upstream_duration_seconds_count"));
    }

    #[test]
    fn grafana_dashboard_uses_only_exported_metric_names() {
        let dash = include_str!("../../../deploy/grafana/phiwall.json");
        let m = Metrics::default();
        m.register_sink("s", "webhook");
        let text = m.render();
        let exported: std::collections::BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split(' ').next())
            .collect();
        let mut used = 0;
        for (i, _) in dash.match_indices("phiwall_") {
            let name: String =
                dash[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let base = name.strip_suffix("_bucket").unwrap_or(&name);
            if base == "phiwall_" {
                continue;
            }
            assert!(exported.contains(base), "dashboard uses {base}, not exported");
            used += 1;
        }
        assert!(used > 15);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(fmt_labels(&vec![("a", "x\"y".into())], None), "{a=\"x\\\"y\"}");
    }
}
