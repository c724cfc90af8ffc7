//! Prometheus metrics derived from events, rendered in the text exposition format.
//!
//! Names follow `phiwall_<area>_<thing>_total`. Label values come from fixed vocabularies
//! (endpoints, outcomes, reason classes, finding kinds) and configuration (app names), never
//! from request content, so cardinality stays bounded and nothing sensitive is exported.

use crate::event::Event;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

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

/// The registry. One per process; cheap to update from many threads.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    dropped: AtomicU64,
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
    fn label_values_are_escaped() {
        assert_eq!(fmt_labels(&vec![("a", "x\"y".into())], None), "{a=\"x\\\"y\"}");
    }
}
