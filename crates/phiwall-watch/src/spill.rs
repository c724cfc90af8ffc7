//! The bus's overflow file. When the in-memory queue is full, producers append records here
//! (buffered writes under a mutex: no fsync, so the request path pays a memory copy and at most
//! one `write` per 64 KiB); the bus thread replays them in order once the queue has drained.
//! While the spill holds records, every new record goes to the spill too, so order is kept.
//! Left-over records from a previous run (crash or overload at shutdown) are replayed at start.
//!
//! The file is capped ([`SpillConfig::max_bytes`]); beyond the cap records are dropped and
//! counted, never blocking the request path.

use crate::frame::{self, Next};
use crate::metrics::Metrics;
use crate::record::Record;
use crate::wire;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Where and how much to spill.
#[derive(Debug, Clone)]
pub struct SpillConfig {
    /// The spill file (created with mode 0600).
    pub path: PathBuf,
    /// Cap on the spill file; records beyond it are dropped and counted.
    pub max_bytes: u64,
}

struct Writer {
    out: BufWriter<File>,
    /// Bytes written (including those still in the BufWriter).
    written: u64,
    /// Whether the spill holds records not yet replayed.
    is_active: bool,
}

/// The producer-side handle (shared by every [`crate::Watch`]).
pub(crate) struct SpillWriter {
    w: Mutex<Writer>,
    /// Mirror of `Writer::is_active` for a lock-free check on the fast path.
    pub(crate) is_active: AtomicBool,
    max_bytes: u64,
    metrics: Arc<Metrics>,
}

/// The bus thread's reading side.
pub(crate) struct SpillReader {
    path: PathBuf,
    file: File,
    off: u64,
    shared: Arc<SpillWriter>,
}

/// Bytes read from the spill per replay step.
const CHUNK: u64 = 1 << 20;

fn open_append(path: &Path) -> std::io::Result<File> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut o = OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Open (or create) the spill; records left from a previous run are queued for replay.
pub(crate) fn open(
    cfg: &SpillConfig,
    metrics: Arc<Metrics>,
) -> std::io::Result<(Arc<SpillWriter>, SpillReader)> {
    let f = open_append(&cfg.path)?;
    let len = f.metadata()?.len();
    metrics.bus.spill_bytes.store(len, Ordering::Relaxed);
    let shared = Arc::new(SpillWriter {
        w: Mutex::new(Writer { out: BufWriter::new(f), written: len, is_active: len > 0 }),
        is_active: AtomicBool::new(len > 0),
        max_bytes: cfg.max_bytes,
        metrics,
    });
    let file = File::open(&cfg.path)?;
    Ok((shared.clone(), SpillReader { path: cfg.path.clone(), file, off: 0, shared }))
}

impl SpillWriter {
    /// Append `r`; `try_queue` is called under the lock first when the spill is empty, so a
    /// record goes to the queue only if nothing older is waiting in the spill.
    pub(crate) fn push(&self, r: Record, try_queue: impl FnOnce(Record) -> Option<Record>) {
        let Ok(mut w) = self.w.lock() else {
            self.metrics.inc_dropped();
            return;
        };
        let r = if w.is_active {
            r
        } else {
            match try_queue(r) {
                None => return,
                Some(r) => r,
            }
        };
        let bytes = match wire::to_bytes(&r) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "Event spill encoding failed; record dropped");
                self.metrics.inc_dropped();
                return;
            }
        };
        let need = frame::frame_len(bytes.len());
        if w.written + need > self.max_bytes {
            self.metrics.bus.spill_dropped.fetch_add(1, Ordering::Relaxed);
            self.metrics.inc_dropped();
            return;
        }
        if let Err(e) = frame::write_frame(&mut w.out, &bytes) {
            tracing::error!(error = %e, "Event spill write failed; record dropped");
            self.metrics.inc_dropped();
            return;
        }
        w.written += need;
        if !w.is_active {
            w.is_active = true;
            self.is_active.store(true, Ordering::Release);
        }
        self.metrics.bus.spilled.fetch_add(1, Ordering::Relaxed);
        self.metrics.bus.spill_bytes.store(w.written, Ordering::Relaxed);
    }
}

impl SpillReader {
    /// Whether records are waiting in the spill.
    pub(crate) fn is_active(&self) -> bool {
        self.shared.is_active.load(Ordering::Acquire)
    }

    /// Up to about 1 MiB of spilled records, in order. Empty when the spill is drained (the file
    /// is then truncated and producers go back to the queue).
    pub(crate) fn next_batch(&mut self) -> Vec<Record> {
        let shared = self.shared.clone();
        let end = {
            let Ok(mut w) = shared.w.lock() else { return Vec::new() };
            if !w.is_active {
                return Vec::new();
            }
            if let Err(e) = w.out.flush() {
                tracing::error!(error = %e, "Event spill flush failed");
            }
            if self.off >= w.written {
                self.reset(&mut w);
                return Vec::new();
            }
            w.written
        };
        let avail = end - self.off;
        let mut want = avail.min(CHUNK);
        loop {
            let buf = match self.read_at(want) {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error = %e, path = %self.path.display(), "Event spill read failed; spill discarded");
                    self.off = end;
                    return Vec::new();
                }
            };
            let mut out = Vec::new();
            let mut pos = 0usize;
            loop {
                match frame::next(buf.get(pos..).unwrap_or_default()) {
                    Next::Frame(p, n) => {
                        pos += n;
                        match wire::from_bytes(p) {
                            Ok(r) => out.push(r),
                            Err(e) => {
                                tracing::error!(error = %e, "Spilled record unreadable; skipped");
                                self.shared.metrics.inc_dropped();
                            }
                        }
                    }
                    Next::Incomplete if pos == buf.len() || want < avail => break,
                    Next::Incomplete | Next::Corrupt => {
                        // A torn tail from a crash (or damage): nothing after it can be trusted.
                        tracing::error!(path = %self.path.display(), "Event spill has a damaged tail; rest discarded");
                        self.shared.metrics.inc_dropped();
                        self.off = end;
                        return out;
                    }
                }
            }
            if pos == 0 {
                // One record larger than the chunk: read more.
                want = avail.min(want.saturating_mul(16));
                continue;
            }
            self.off += pos as u64;
            self.shared.metrics.bus.spill_replayed.fetch_add(out.len() as u64, Ordering::Relaxed);
            return out;
        }
    }

    fn read_at(&mut self, want: u64) -> std::io::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(want as usize);
        self.file.seek(SeekFrom::Start(self.off))?;
        (&mut self.file).take(want).read_to_end(&mut buf)?;
        Ok(buf)
    }

    fn reset(&mut self, w: &mut Writer) {
        if let Err(e) = w.out.get_ref().set_len(0) {
            tracing::error!(error = %e, "Event spill truncate failed");
            return;
        }
        w.written = 0;
        self.off = 0;
        w.is_active = false;
        self.shared.is_active.store(false, Ordering::Release);
        self.shared.metrics.bus.spill_bytes.store(0, Ordering::Relaxed);
    }
}
