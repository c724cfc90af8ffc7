//! The in-process responder: a bounded queue of detections drained by one thread that
//! ingests them in batches, plus a periodic tick (expiry, outbox flush).
//!
//! Latency: a detection is picked up at once (the thread blocks on the queue), so containment
//! is applied within one batch's time of the detection (measured in the end-to-end test).
//! A full queue drops detections and counts them: detections are repeated by nature (the
//! detector fires again while the behaviour lasts), and blocking the detector would slow the
//! gateway.

use crate::responder::Responder;
use phiwall_watch::Detection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Most detections ingested in one batch.
pub const MAX_BATCH: usize = 16_384;
/// How often expiry and the outbox are checked.
pub const TICK: Duration = Duration::from_millis(250);

/// The sending side; cheap to clone, never blocks.
#[derive(Clone)]
pub struct DetectionSender {
    tx: SyncSender<Detection>,
    dropped: Arc<AtomicU64>,
}

impl std::fmt::Debug for DetectionSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DetectionSender")
    }
}

impl DetectionSender {
    /// Queue a detection; false (and counted) when the queue is full or the thread stopped.
    pub fn send(&self, d: Detection) -> bool {
        match self.tx.try_send(d) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// Detections dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Owns the responder thread.
pub struct ResponderThread {
    sender: DetectionSender,
    thread: JoinHandle<()>,
}

impl std::fmt::Debug for ResponderThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponderThread")
    }
}

impl ResponderThread {
    /// Start the thread with a queue of `capacity` detections.
    pub fn start(responder: Responder, capacity: usize) -> std::io::Result<Self> {
        let (tx, rx) = sync_channel(capacity.max(1));
        let thread = std::thread::Builder::new()
            .name("phiwall-respond".into())
            .spawn(move || drain(&responder, rx))?;
        Ok(ResponderThread { sender: DetectionSender { tx, dropped: Arc::default() }, thread })
    }

    /// A sender for detectors.
    pub fn sender(&self) -> DetectionSender {
        self.sender.clone()
    }

    /// Stop once every sender is dropped; ingests what was queued first.
    pub fn shutdown(self) {
        let ResponderThread { sender, thread } = self;
        drop(sender);
        let _ = thread.join();
    }
}

fn drain(r: &Responder, rx: Receiver<Detection>) {
    let mut next_tick = Instant::now();
    loop {
        let first = match rx.recv_timeout(TICK) {
            Ok(d) => Some(d),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                if let Err(e) = r.tick() {
                    tracing::error!(error = %e, "Incident response tick failed");
                }
                return;
            }
        };
        if let Some(d) = first {
            let mut batch = vec![d];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(d) => batch.push(d),
                    Err(_) => break,
                }
            }
            match r.ingest(&batch) {
                Ok(o) if !o.opened.is_empty() || o.contained > 0 => tracing::warn!(
                    detections = o.accepted, opened = ?o.opened, contained = o.contained,
                    "Incident response acted"
                ),
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, detections = batch.len(), "Incident response failed")
                }
            }
        }
        if Instant::now() >= next_tick {
            next_tick = Instant::now() + TICK;
            if let Err(e) = r.tick() {
                tracing::error!(error = %e, "Incident response tick failed");
            }
        }
    }
}
