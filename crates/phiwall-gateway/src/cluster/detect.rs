//! Cluster-wide anomaly detection (issue 10, item 4): one detector over every replica's events.
//!
//! Each replica relays its events (kinds, counts and ids; never PHI) to the Redis stream of
//! [`phiwall_store::redis::relay`] from a bounded queue, each batch one stream entry and one
//! round trip.
//! The replica holding the detector lease feeds the whole stream into its anomaly engine, so a
//! campaign spread by the load balancer over all replicas is seen as one, and each detection
//! (and the incident and containment it leads to) is raised once. Containment itself is in
//! PostgreSQL, so every replica enforces it.
//!
//! Failure behaviour: a full relay queue or a failed publish drops events from detection (counted
//! and logged; the ledger, the audit trail, still has every event). When the holder stops
//! renewing its lease (crash, partition), another replica takes over after [`LEASE_TTL`] and
//! reads from the moment it took over; windows of the old holder's engine are not carried over.

use phiwall_store::redis::relay::EventStream;
use phiwall_watch::{Record, RecordSink};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long the detector lease lasts without renewal.
pub const LEASE_TTL: Duration = Duration::from_secs(6);
/// How often the holder renews it (and a follower tries to take it).
pub const RENEW_EVERY: Duration = Duration::from_secs(2);
/// Events waiting to be relayed; more are dropped from detection.
const QUEUE: usize = 65_536;
/// Most events per publish round trip.
const BATCH: usize = 1024;
/// How long the publisher gathers events before a round trip.
const GATHER: Duration = Duration::from_millis(5);
/// The stream keeps about this many batches (a new holder reads only newer ones).
pub const STREAM_LEN: usize = 10_000;

/// The bus sink that relays this replica's events to the stream.
pub struct RelaySink {
    tx: mpsc::Sender<Vec<u8>>,
    dropped: Arc<AtomicU64>,
}

impl RecordSink for RelaySink {
    fn name(&self) -> &str {
        "cluster_relay"
    }

    fn write_record(&mut self, record: &Record) -> std::io::Result<()> {
        // Detections come from the lease holder's engine; only events are relayed.
        let Record::Event(_) = record else { return Ok(()) };
        let bytes = phiwall_watch::wire::to_bytes(record)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        if self.tx.try_send(bytes).is_err() {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed);
            if n.is_power_of_two() {
                tracing::warn!(dropped = n + 1, "Cluster event relay queue full; events dropped from detection (the ledger keeps them)");
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Start relaying, and competing for the detector lease when `detector` is given (the anomaly
/// engine's sink). Returns the sink to put on the gateway's bus.
pub fn start(
    stream: EventStream,
    detector: Option<Box<dyn RecordSink>>,
    tracker: &TaskTracker,
    cancel: &CancellationToken,
) -> RelaySink {
    let (tx, rx) = mpsc::channel(QUEUE);
    let dropped = Arc::new(AtomicU64::new(0));
    tracker.spawn(publish(stream.clone(), rx, cancel.clone()));
    if let Some(d) = detector {
        tracker.spawn(detect(stream, d, cancel.clone()));
    }
    RelaySink { tx, dropped }
}

async fn publish(stream: EventStream, mut rx: mpsc::Receiver<Vec<u8>>, cancel: CancellationToken) {
    let mut failures = 0u64;
    loop {
        let first = tokio::select! {
            r = rx.recv() => r,
            () = cancel.cancelled() => None,
        };
        let Some(first) = first else {
            // Shutdown: relay what is queued, then stop.
            let mut rest = Vec::new();
            while let Ok(r) = rx.try_recv() {
                rest.push(r);
            }
            // Bounded: a Redis outage must not hold up shutdown.
            let drain = async {
                for chunk in rest.chunks(BATCH) {
                    if stream.publish(chunk).await.is_err() {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(3), drain).await;
            return;
        };
        // Gather for a few milliseconds: under load one round trip (and one stream entry for
        // Redis to store) then carries hundreds of events instead of a handful; detection
        // latency grows by at most this much.
        if !cancel.is_cancelled() {
            tokio::time::sleep(GATHER).await;
        }
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        if let Err(e) = stream.publish(&batch).await {
            failures += 1;
            if failures.is_power_of_two() {
                tracing::warn!(error = %e, failures, lost = batch.len(), "Cluster event relay failed; events dropped from detection (the ledger keeps them)");
            }
        }
    }
}

async fn detect(stream: EventStream, mut detector: Box<dyn RecordSink>, cancel: CancellationToken) {
    let mut leading: Option<(phiwall_store::redis::relay::StreamReader, String)> = None;
    loop {
        if cancel.is_cancelled() {
            break;
        }
        match stream.lead(LEASE_TTL).await {
            Ok(true) => {
                if leading.is_none() {
                    match (stream.last_id().await, stream.reader().await) {
                        (Ok(cursor), Ok(reader)) => {
                            tracing::info!("Cluster detector lease taken: this replica runs anomaly detection for the cluster");
                            leading = Some((reader, cursor));
                        }
                        (Err(e), _) | (_, Err(e)) => {
                            tracing::warn!(error = %e, "Cluster detector: cannot start reading the event stream");
                        }
                    }
                }
            }
            Ok(false) => {
                if leading.take().is_some() {
                    tracing::warn!("Cluster detector lease lost to another replica");
                }
            }
            Err(e) => {
                if leading.take().is_some() {
                    tracing::warn!(error = %e, "Cluster detector lease not confirmed; stopping detection here");
                }
            }
        }
        let Some((reader, cursor)) = leading.as_mut() else {
            tokio::select! {
                () = tokio::time::sleep(RENEW_EVERY) => {}
                () = cancel.cancelled() => break,
            }
            continue;
        };
        // Read until the next renewal is due.
        let until = tokio::time::Instant::now() + RENEW_EVERY;
        while tokio::time::Instant::now() < until && !cancel.is_cancelled() {
            let block = Duration::from_millis(250);
            match reader.read(cursor, block, BATCH).await {
                Ok(entries) => {
                    for (id, batch) in entries {
                        *cursor = id;
                        for bytes in batch.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                            feed(detector.as_mut(), bytes);
                        }
                    }
                    let _ = detector.flush();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Cluster detector: reading the event stream failed");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(500)) => {}
                        () = cancel.cancelled() => {}
                    }
                }
            }
        }
    }
    if leading.is_some() {
        let _ = stream.resign().await;
    }
    detector.close();
}

/// Decode one relayed record and hand it to the detector (bad records are logged and skipped).
fn feed(detector: &mut dyn RecordSink, bytes: &[u8]) {
    match phiwall_watch::wire::from_bytes(bytes) {
        Ok(r) => {
            if let Err(e) = detector.write_record(&r) {
                tracing::warn!(error = %e, "Cluster detector: record not processed");
            }
        }
        Err(e) => tracing::warn!(error = %e, "Cluster detector: unreadable relayed record skipped"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use phiwall_watch::{Activity, Event, EventsOnly, MemorySink};

    #[test]
    fn relayed_records_reach_the_detector_and_garbage_is_skipped() {
        let mem = MemorySink::default();
        let mut detector = EventsOnly(Box::new(mem.clone()));
        let ev = Event::new(Activity::Create, 7, "req_1".into(), "chat.completions");
        let good = phiwall_watch::wire::to_bytes(&Record::Event(ev.clone())).unwrap();
        assert!(!good.contains(&b'\n'), "records are single lines");
        let mut batch = good.clone();
        batch.extend_from_slice(b"\n{not json\n\xff\xfe\n");
        batch.extend_from_slice(&good);
        batch.push(b'\n');
        for line in batch.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            feed(&mut detector, line);
        }
        let got = mem.events();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].request_id, "req_1");
    }
}
