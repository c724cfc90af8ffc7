//! Writing incident records to the ledger.
//!
//! Every step is first committed to the store's outbox in the same transaction as the state
//! change; [`flush`] then appends pending records to the ledger in order, waits until they are
//! durable and notes their sequence numbers. Whoever holds the ledger writer flushes: the
//! gateway's in-process responder while `phiwall serve` runs (it holds the writer lock), or
//! the CLI when no gateway is running. So no transition can be kept without eventually being
//! audited, and a report lists records still pending.

use crate::error::Result;
use phiwall_store::IncidentStore;

/// Something that appends records durably: the ledger's [`phiwall_ledger::Appender`].
pub trait AuditSink: Send + Sync {
    /// Queue one record at `time_ms`; returns its sequence number.
    fn append(&self, time_ms: i64, bytes: &[u8]) -> Result<u64>;
    /// Block until `seq` and everything before it is durable.
    fn wait_durable(&self, seq: u64) -> Result<()>;
}

impl AuditSink for phiwall_ledger::Appender {
    fn append(&self, time_ms: i64, bytes: &[u8]) -> Result<u64> {
        let micros = u64::try_from(time_ms).unwrap_or(0).saturating_mul(1_000);
        Ok(self.append_at(micros, bytes)?)
    }
    fn wait_durable(&self, seq: u64) -> Result<()> {
        Ok(phiwall_ledger::Appender::wait_durable(self, seq)?)
    }
}

/// Append every pending outbox record to `sink`, durably, in order; returns how many.
pub fn flush(store: &IncidentStore, sink: &dyn AuditSink) -> Result<usize> {
    let mut total = 0;
    loop {
        let pending = store.pending_outbox(1_024)?;
        if pending.is_empty() {
            return Ok(total);
        }
        let mut written = Vec::with_capacity(pending.len());
        let mut last = None;
        for row in &pending {
            let seq = sink.append(row.time, row.body.as_bytes())?;
            written.push((row.id, seq));
            last = Some(seq);
        }
        if let Some(seq) = last {
            sink.wait_durable(seq)?;
        }
        store.mark_written(&written)?;
        total += written.len();
    }
}
