//! SIEM delivery: per-sink encoders ([`encode`]), a disk buffer per sink ([`buffer`]), a
//! delivery loop per sink on its own thread ([`delivery`]), transports (HTTP for the webhook,
//! Splunk HEC, Sentinel and Elasticsearch; syslog over TCP/TLS), and the `[[sinks]]`
//! configuration ([`config`]).
//!
//! A [`BufferedSink`] is what the bus sees: on the bus thread it encodes each record and appends
//! it to its disk buffer (fast, no network); its delivery thread sends batches and moves the
//! buffer's acknowledgement cursor only when the receiver acknowledged them. See `docs/siem.md`
//! for the delivery semantics.

pub mod buffer;
pub mod config;
pub mod delivery;
pub mod encode;
pub mod http;
pub mod syslog;
pub mod time;

use crate::metrics::{Metrics, SinkStats};
use crate::record::Record;
use crate::sink::RecordSink;
use buffer::{BufferConfig, DiskBuffer};
use delivery::{DeliveryConfig, Handle, Stop, Transport};
use encode::Encoder;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A SIEM sink: encoder + disk buffer + delivery thread.
pub struct BufferedSink {
    name: String,
    encoder: Box<dyn Encoder>,
    buf: Arc<DiskBuffer>,
    stats: Arc<SinkStats>,
    handle: Handle,
    grace: std::time::Duration,
    scratch: Vec<u8>,
}

impl BufferedSink {
    /// Open the buffer and start the delivery thread.
    pub fn start(
        name: &str,
        kind: &str,
        encoder: Box<dyn Encoder>,
        mut transport: Box<dyn Transport>,
        buffer: BufferConfig,
        delivery: DeliveryConfig,
        metrics: &Metrics,
    ) -> std::io::Result<Self> {
        let buf = Arc::new(DiskBuffer::open(buffer)?);
        let stats = metrics.register_sink(name, kind);
        let (records, bytes) = buf.pending();
        stats.buffered_records.store(records, Ordering::Relaxed);
        stats.buffered_bytes.store(bytes, Ordering::Relaxed);
        let stop = Arc::new(Stop::default());
        let thread = {
            let (buf, stats, stop, n) =
                (buf.clone(), stats.clone(), stop.clone(), name.to_string());
            let cfg = delivery.clone();
            std::thread::Builder::new()
                .name(format!("phiwall-sink-{name}"))
                .spawn(move || delivery::run(&n, &buf, transport.as_mut(), &cfg, &stats, &stop))?
        };
        Ok(BufferedSink {
            name: name.to_string(),
            encoder,
            buf,
            stats,
            handle: Handle { stop, thread: Some(thread) },
            grace: delivery.shutdown_grace,
            scratch: Vec::with_capacity(2048),
        })
    }

    /// This sink's counters.
    pub fn stats(&self) -> &Arc<SinkStats> {
        &self.stats
    }

    fn stop(&mut self) {
        self.handle.stop.request(self.grace);
        self.buf.wake();
        if let Some(t) = self.handle.thread.take() {
            let _ = t.join();
        }
    }
}

impl RecordSink for BufferedSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn write_record(&mut self, record: &Record) -> std::io::Result<()> {
        self.scratch.clear();
        if let Err(e) = self.encoder.encode(record, &mut self.scratch) {
            self.stats.encode_errors.fetch_add(1, Ordering::Relaxed);
            return Err(std::io::Error::other(e.to_string()));
        }
        if !self.buf.append(&self.scratch)? {
            self.stats.cap_dropped.fetch_add(1, Ordering::Relaxed);
            return Err(std::io::Error::other(
                "sink buffer is full (buffer_max_bytes); record dropped",
            ));
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.buf.flush()
    }

    fn close(&mut self) {
        if let Err(e) = self.buf.flush() {
            tracing::error!(sink = %self.name, error = %e, "Sink buffer flush failed");
        }
        self.stop();
    }
}

impl Drop for BufferedSink {
    fn drop(&mut self) {
        let _ = self.buf.flush();
        self.stop();
    }
}
