//! The bounded event bus. [`Watch::emit`] updates metrics and writes one log line in the caller's
//! thread, then hands the event to a bounded queue drained by one background thread that feeds
//! every sink. A full queue drops the event (counted in `phiwall_events_dropped_total`) rather
//! than slowing requests; the ledger (a separate, fail-closed path) is where completeness is
//! guaranteed.

use crate::event::{Event, Outcome, Severity};
use crate::metrics::Metrics;
use crate::sink::Sink;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The sending side of the bus plus the metrics every event updates. Cheap to clone.
#[derive(Clone)]
pub struct Watch {
    tx: Option<SyncSender<Event>>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watch")
    }
}

impl Watch {
    /// A watch with metrics but no sinks (events are counted, then dropped).
    pub fn metrics_only(metrics: Arc<Metrics>) -> Self {
        Watch { tx: None, metrics }
    }

    /// The metrics registry.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Record metrics, log one line (kinds and ids only) and queue the event for the sinks.
    pub fn emit(&self, event: Event) {
        self.metrics.record(&event);
        match (event.outcome, event.severity) {
            (Outcome::Success, _) => tracing::info!(
                request_id = %event.request_id, endpoint = event.endpoint, app = ?event.app,
                status = event.status, duration_us = event.duration_us,
                findings = event.findings.len(), "Request completed"
            ),
            (_, Severity::Critical | Severity::High) => tracing::warn!(
                request_id = %event.request_id, endpoint = event.endpoint, app = ?event.app,
                status = event.status, reason = ?event.reason, "Request refused or failed"
            ),
            _ => tracing::info!(
                request_id = %event.request_id, endpoint = event.endpoint, app = ?event.app,
                status = event.status, reason = ?event.reason, "Request refused or failed"
            ),
        }
        if let Some(tx) = &self.tx {
            match tx.try_send(event) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                    self.metrics.inc_dropped();
                }
            }
        }
    }
}

/// Owns the bus thread. [`EventBus::shutdown`] drains and flushes.
pub struct EventBus {
    watch: Watch,
    thread: JoinHandle<()>,
}

impl EventBus {
    /// Start the bus thread with `capacity` queued events and these sinks.
    pub fn start(
        capacity: usize,
        sinks: Vec<Box<dyn Sink>>,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<Self> {
        let (tx, rx) = sync_channel(capacity.max(1));
        let thread = std::thread::Builder::new()
            .name("phiwall-events".into())
            .spawn(move || drain(rx, sinks))?;
        Ok(EventBus { watch: Watch { tx: Some(tx), metrics }, thread })
    }

    /// A sender for request handlers.
    pub fn watch(&self) -> Watch {
        self.watch.clone()
    }

    /// Stop accepting events once every [`Watch`] clone is gone, then flush and join.
    pub fn shutdown(self) {
        let EventBus { watch, thread } = self;
        drop(watch);
        let _ = thread.join();
    }
}

fn drain(rx: Receiver<Event>, mut sinks: Vec<Box<dyn Sink>>) {
    let mut dirty = false;
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(ev) => {
                for s in sinks.iter_mut() {
                    if let Err(e) = s.write(&ev) {
                        tracing::error!(sink = s.name(), error = %e, "Event sink write failed");
                    }
                }
                dirty = true;
                continue;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                flush_all(&mut sinks);
                return;
            }
        }
        if dirty {
            flush_all(&mut sinks);
            dirty = false;
        }
    }
}

fn flush_all(sinks: &mut [Box<dyn Sink>]) {
    for s in sinks.iter_mut() {
        if let Err(e) = s.flush() {
            tracing::error!(sink = s.name(), error = %e, "Event sink flush failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Activity;
    use crate::sink::MemorySink;

    #[test]
    fn events_reach_sinks_and_metrics() {
        let mem = MemorySink::default();
        let metrics = Arc::new(Metrics::default());
        let bus = EventBus::start(16, vec![Box::new(mem.clone())], metrics.clone()).unwrap();
        let w = bus.watch();
        for i in 0..3 {
            w.emit(Event::new(Activity::Create, i, format!("r{i}"), "chat.completions"));
        }
        drop(w);
        bus.shutdown();
        assert_eq!(mem.events().len(), 3);
        assert!(metrics.render().contains("phiwall_gateway_requests_total{endpoint=\"chat.completions\",outcome=\"success\",status=\"200\"} 3"));
    }

    #[test]
    fn full_queue_drops_and_counts() {
        let metrics = Arc::new(Metrics::default());
        // No receiver thread progress is guaranteed, so use a watch whose receiver is gone.
        let (tx, rx) = sync_channel::<Event>(1);
        drop(rx);
        let w = Watch { tx: Some(tx), metrics: metrics.clone() };
        w.emit(Event::new(Activity::Read, 0, "r".into(), "models"));
        assert!(metrics.render().contains("phiwall_events_dropped_total 1"));
    }
}
