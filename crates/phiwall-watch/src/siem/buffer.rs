//! A sink's disk buffer: append-only segment files of checksummed frames, an acknowledgement
//! cursor persisted after every delivered batch, an fsync policy, and a size cap.
//!
//! Layout of the buffer directory: `NNNNNNNNNNNNNNNNNNNN.seg` segment files (ids ascending)
//! and `ack` (`<segment> <offset>`, replaced atomically by rename). Each frame's payload is the
//! append time (u64 milliseconds, little endian, for lag) followed by the encoded record.
//!
//! Invariants: a record is removed only after the receiver acknowledged it (at-least-once across
//! restarts: after a crash, everything after the last persisted cursor is sent again). Records
//! are read in append order. When the unacknowledged bytes would exceed the cap, the new record
//! is refused (the caller counts the drop): old records are never overwritten. A torn tail
//! (crash mid-write) is cut at open.

use crate::frame::{self, Next};
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// When appended records are forced to stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// At every flush (the bus flushes when its queue runs empty) and every cursor update.
    Always,
    /// At a flush when the last fsync is older than this.
    Interval(Duration),
    /// Leave it to the operating system (a power loss can lose the last seconds).
    Never,
}

/// Buffer settings.
#[derive(Debug, Clone)]
pub struct BufferConfig {
    /// Directory (created, mode 0700 on Unix).
    pub dir: PathBuf,
    /// Cap on unacknowledged bytes.
    pub max_bytes: u64,
    /// Segment size before rotation.
    pub segment_bytes: u64,
    /// Fsync policy.
    pub fsync: FsyncPolicy,
}

/// A position: segment id and byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    seg: u64,
    off: u64,
}

/// One record read for delivery.
#[derive(Debug, Clone)]
pub struct Item {
    /// When it was appended (ms since epoch).
    pub appended_ms: u64,
    /// The encoded record.
    pub data: Vec<u8>,
}

/// A batch read from the buffer; acknowledge it with [`DiskBuffer::ack`].
#[derive(Debug)]
pub struct Batch {
    /// The records, in order.
    pub items: Vec<Item>,
    /// Frame bytes the batch occupies.
    pub bytes: u64,
    end: Pos,
}

struct State {
    cfg: BufferConfig,
    segs: VecDeque<u64>,
    wseg: u64,
    out: BufWriter<File>,
    /// Bytes in the write segment, including those still in `out`.
    woff: u64,
    /// Bytes of the write segment known to be flushed to the file.
    flushed: u64,
    ack: Pos,
    read: Pos,
    bytes: u64,
    records: u64,
    last_fsync: Instant,
    is_dirty: bool,
    /// What the (single) waiting reader needs before it is worth waking: `Some(n)` wakes it
    /// once `n` records are pending (`Some(0)`: any append). `None`: nobody waits, so appends
    /// skip the wake-up, which would otherwise cost a futex call per record.
    wake_at: Option<u64>,
}

/// The buffer, shared by the bus thread (append) and the delivery thread (read, ack).
pub struct DiskBuffer {
    st: Mutex<State>,
    cv: Condvar,
}

fn seg_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}.seg"))
}

fn open_seg(dir: &Path, id: u64) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(seg_path(dir, id))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Scan a segment's frames from `from`: (valid end offset, records, is the tail damaged).
fn scan(path: &Path, from: u64) -> std::io::Result<(u64, u64, bool)> {
    let mut f = File::open(path)?;
    let mut buf = Vec::new();
    f.seek(SeekFrom::Start(from))?;
    f.read_to_end(&mut buf)?;
    let mut pos = 0usize;
    let mut n = 0u64;
    loop {
        match frame::next(buf.get(pos..).unwrap_or_default()) {
            Next::Frame(_, used) => {
                pos += used;
                n += 1;
            }
            Next::Incomplete if pos == buf.len() => return Ok((from + pos as u64, n, false)),
            Next::Incomplete | Next::Corrupt => return Ok((from + pos as u64, n, true)),
        }
    }
}

impl DiskBuffer {
    /// Open or create the buffer in `cfg.dir`, cutting a torn tail.
    pub fn open(cfg: BufferConfig) -> std::io::Result<Self> {
        std::fs::create_dir_all(&cfg.dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&cfg.dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let mut segs: Vec<u64> = std::fs::read_dir(&cfg.dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let n = e.file_name().into_string().ok()?;
                n.strip_suffix(".seg")?.parse::<u64>().ok()
            })
            .collect();
        segs.sort_unstable();
        if segs.is_empty() {
            segs.push(0);
        }
        let first = segs.first().copied().unwrap_or(0);
        let last = segs.last().copied().unwrap_or(0);
        let mut ack = std::fs::read_to_string(cfg.dir.join("ack"))
            .ok()
            .and_then(|t| {
                let mut it = t.split_whitespace();
                Some(Pos { seg: it.next()?.parse().ok()?, off: it.next()?.parse().ok()? })
            })
            .unwrap_or(Pos { seg: first, off: 0 });
        if ack.seg < first {
            ack = Pos { seg: first, off: 0 };
        }
        // Cut a torn tail of the last segment; count what is still unacknowledged.
        let last_path = seg_path(&cfg.dir, last);
        let wf = open_seg(&cfg.dir, last)?;
        let (end, _, torn) = scan(&last_path, 0)?;
        if torn {
            tracing::warn!(dir = %cfg.dir.display(), "Sink buffer had a damaged tail; cut");
            wf.set_len(end)?;
        }
        let (mut bytes, mut records) = (0u64, 0u64);
        for &s in &segs {
            if s < ack.seg {
                continue;
            }
            let from = if s == ack.seg { ack.off } else { 0 };
            let (e, n, _) = scan(&seg_path(&cfg.dir, s), from)?;
            bytes += e.saturating_sub(from);
            records += n;
        }
        if ack.seg > last || (ack.seg == last && ack.off > end) {
            ack = Pos { seg: last, off: end };
        }
        let buf = DiskBuffer {
            st: Mutex::new(State {
                segs: segs.into_iter().collect(),
                wseg: last,
                out: BufWriter::with_capacity(64 << 10, wf),
                woff: end,
                flushed: end,
                ack,
                read: ack,
                bytes,
                records,
                last_fsync: Instant::now(),
                is_dirty: false,
                wake_at: None,
                cfg,
            }),
            cv: Condvar::new(),
        };
        Ok(buf)
    }

    fn lock(&self) -> std::io::Result<MutexGuard<'_, State>> {
        self.st.lock().map_err(|_| std::io::Error::other("sink buffer lock poisoned"))
    }

    /// Append one encoded record. `Ok(false)` when the cap refuses it (count it as dropped).
    pub fn append(&self, data: &[u8]) -> std::io::Result<bool> {
        let ts = now_ms().to_le_bytes();
        let len = frame::frame_len(ts.len() + data.len());
        let mut st = self.lock()?;
        if st.bytes + len > st.cfg.max_bytes {
            return Ok(false);
        }
        frame::write_frame_parts(&mut st.out, &[&ts, data])?;
        st.woff += len;
        st.bytes += len;
        st.records += 1;
        st.is_dirty = true;
        if st.woff >= st.cfg.segment_bytes {
            st.rotate()?;
        }
        let wake = st.wake_at.is_some_and(|n| st.records >= n);
        drop(st);
        if wake {
            self.cv.notify_all();
        }
        Ok(true)
    }

    /// Flush appended records to the file, and fsync per the policy.
    pub fn flush(&self) -> std::io::Result<()> {
        let mut st = self.lock()?;
        st.flush_out()?;
        let due = match st.cfg.fsync {
            FsyncPolicy::Always => true,
            FsyncPolicy::Interval(d) => st.last_fsync.elapsed() >= d,
            FsyncPolicy::Never => false,
        };
        if due && st.is_dirty {
            st.out.get_ref().sync_data()?;
            st.last_fsync = Instant::now();
            st.is_dirty = false;
        }
        let wake = st.wake_at.is_some();
        drop(st);
        if wake {
            self.cv.notify_all();
        }
        Ok(())
    }

    /// (unacknowledged records, unacknowledged bytes).
    pub fn pending(&self) -> (u64, u64) {
        self.lock().map(|s| (s.records, s.bytes)).unwrap_or((0, 0))
    }

    /// Wait until at least `n` records are pending or `timeout` passed (batching linger).
    pub fn wait_for(&self, n: u64, timeout: Duration) {
        let Ok(mut st) = self.lock() else { return };
        let deadline = Instant::now() + timeout;
        while st.records < n {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            st.wake_at = Some(n);
            match self.cv.wait_timeout(st, deadline - now) {
                Ok((mut g, _)) => {
                    g.wake_at = None;
                    st = g;
                }
                Err(_) => return,
            }
        }
    }

    /// Wake a waiting [`DiskBuffer::read_batch`] (shutdown).
    pub fn wake(&self) {
        self.cv.notify_all();
    }

    /// Read up to `max_records` / about `max_bytes` from the read cursor, waiting up to `wait`
    /// for data. Records must be acknowledged (or the batch re-read after [`DiskBuffer::rewind`])
    /// before the next batch.
    pub fn read_batch(
        &self,
        max_records: usize,
        max_bytes: u64,
        wait: Duration,
    ) -> std::io::Result<Batch> {
        let mut st = self.lock()?;
        let deadline = Instant::now() + wait;
        loop {
            // Step over fully read, non-write segments.
            while st.read.seg < st.wseg && st.read.off >= seg_len(&st, st.read.seg)? {
                let next = st.segs.iter().copied().find(|s| *s > st.read.seg).unwrap_or(st.wseg);
                st.read = Pos { seg: next, off: 0 };
            }
            let avail = if st.read.seg == st.wseg { st.woff } else { seg_len(&st, st.read.seg)? };
            if st.read.off < avail {
                if st.read.seg == st.wseg && st.flushed < st.woff {
                    st.flush_out()?;
                }
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Batch { items: Vec::new(), bytes: 0, end: st.read });
            }
            st.wake_at = Some(0);
            st = self
                .cv
                .wait_timeout(st, deadline - now)
                .map_err(|_| std::io::Error::other("sink buffer lock poisoned"))?
                .0;
            st.wake_at = None;
        }
        let start = st.read;
        let avail = if start.seg == st.wseg { st.flushed } else { seg_len(&st, start.seg)? };
        let path = seg_path(&st.cfg.dir, start.seg);
        drop(st);
        // Bytes before `avail` are flushed and immutable: read them without the lock.
        let want = (avail - start.off).min(max_bytes.max(1));
        let mut data = Vec::with_capacity(want as usize);
        let mut f = File::open(&path)?;
        f.seek(SeekFrom::Start(start.off))?;
        (&mut f).take(want).read_to_end(&mut data)?;
        let mut items = Vec::new();
        let mut pos = 0usize;
        while items.len() < max_records.max(1) {
            match frame::next(data.get(pos..).unwrap_or_default()) {
                Next::Frame(p, used) => {
                    pos += used;
                    let (ts, rec) = p.split_at(8.min(p.len()));
                    let mut tb = [0u8; 8];
                    tb[..ts.len()].copy_from_slice(ts);
                    items.push(Item { appended_ms: u64::from_le_bytes(tb), data: rec.to_vec() });
                }
                Next::Incomplete if !items.is_empty() => break,
                Next::Incomplete if want < avail - start.off => {
                    // One frame larger than max_bytes: read exactly that frame.
                    let mut lb = [0u8; 4];
                    if let Some(h) = data.get(..4) {
                        lb.copy_from_slice(h);
                    }
                    let need = frame::frame_len(u32::from_le_bytes(lb) as usize);
                    if need > max_bytes && need <= avail - start.off {
                        return self.read_batch(1, need, Duration::ZERO);
                    }
                    break;
                }
                Next::Incomplete | Next::Corrupt => {
                    // Damage inside a segment (not a tail: tails are cut at open). Skip the rest
                    // of this segment rather than stall the sink forever.
                    tracing::error!(
                        segment = start.seg,
                        "Sink buffer segment damaged; rest skipped"
                    );
                    let end = Pos { seg: start.seg, off: avail };
                    return Ok(Batch { items, bytes: avail - start.off, end });
                }
            }
        }
        let end = Pos { seg: start.seg, off: start.off + pos as u64 };
        let mut st = self.lock()?;
        st.read = end;
        Ok(Batch { items, bytes: pos as u64, end })
    }

    /// Forget the read position of an unacknowledged batch (it will be read again).
    pub fn rewind(&self) -> std::io::Result<()> {
        let mut st = self.lock()?;
        st.read = st.ack;
        Ok(())
    }

    /// Acknowledge a batch: persist the cursor, delete fully delivered segments.
    pub fn ack(&self, b: &Batch) -> std::io::Result<()> {
        let mut st = self.lock()?;
        let mut end = b.end;
        // A fully delivered segment: move the cursor to the start of the next one.
        while end.seg < st.wseg && end.off >= seg_len(&st, end.seg)? {
            end = Pos {
                seg: st.segs.iter().copied().find(|s| *s > end.seg).unwrap_or(st.wseg),
                off: 0,
            };
        }
        st.ack = end;
        if st.read < end {
            st.read = end;
        }
        st.bytes = st.bytes.saturating_sub(b.bytes);
        st.records = st.records.saturating_sub(b.items.len() as u64);
        let tmp = st.cfg.dir.join("ack.tmp");
        {
            let mut f = File::create(&tmp)?;
            writeln!(f, "{} {}", end.seg, end.off)?;
            if st.cfg.fsync == FsyncPolicy::Always {
                f.sync_data()?;
            }
        }
        std::fs::rename(&tmp, st.cfg.dir.join("ack"))?;
        while let Some(&s) = st.segs.front() {
            if s >= end.seg || s == st.wseg {
                break;
            }
            std::fs::remove_file(seg_path(&st.cfg.dir, s))?;
            st.segs.pop_front();
        }
        Ok(())
    }
}

fn seg_len(st: &State, seg: u64) -> std::io::Result<u64> {
    if seg == st.wseg {
        return Ok(st.woff);
    }
    Ok(std::fs::metadata(seg_path(&st.cfg.dir, seg))?.len())
}

impl State {
    fn flush_out(&mut self) -> std::io::Result<()> {
        self.out.flush()?;
        self.flushed = self.woff;
        Ok(())
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        self.flush_out()?;
        if self.cfg.fsync != FsyncPolicy::Never {
            self.out.get_ref().sync_data()?;
        }
        let next = self.wseg + 1;
        let f = open_seg(&self.cfg.dir, next)?;
        self.out = BufWriter::with_capacity(64 << 10, f);
        self.wseg = next;
        self.woff = 0;
        self.flushed = 0;
        self.segs.push_back(next);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dir: &Path, max: u64, seg: u64) -> BufferConfig {
        BufferConfig {
            dir: dir.to_path_buf(),
            max_bytes: max,
            segment_bytes: seg,
            fsync: FsyncPolicy::Never,
        }
    }

    fn texts(b: &Batch) -> Vec<String> {
        b.items.iter().map(|i| String::from_utf8(i.data.clone()).unwrap()).collect()
    }

    #[test]
    fn append_read_ack_across_segments_and_restart() {
        let dir = tempfile::tempdir().unwrap();
        let b = DiskBuffer::open(cfg(dir.path(), 1 << 20, 100)).unwrap();
        for i in 0..20 {
            assert!(b.append(format!("rec-{i:02}").as_bytes()).unwrap());
        }
        b.flush().unwrap();
        assert_eq!(b.pending().0, 20);
        let mut got = Vec::new();
        let first = b.read_batch(3, 1 << 20, Duration::ZERO).unwrap();
        assert_eq!(texts(&first), ["rec-00", "rec-01", "rec-02"]);
        b.ack(&first).unwrap();
        got.extend(texts(&first));
        // Unacknowledged batch: re-read after a restart.
        let second = b.read_batch(2, 1 << 20, Duration::ZERO).unwrap();
        assert_eq!(texts(&second), ["rec-03", "rec-04"]);
        drop(b);
        let b = DiskBuffer::open(cfg(dir.path(), 1 << 20, 100)).unwrap();
        assert_eq!(b.pending().0, 17);
        loop {
            let batch = b.read_batch(4, 1 << 20, Duration::ZERO).unwrap();
            if batch.items.is_empty() {
                break;
            }
            got.extend(texts(&batch));
            b.ack(&batch).unwrap();
        }
        let want: Vec<String> = (0..20).map(|i| format!("rec-{i:02}")).collect();
        assert_eq!(got, want);
        assert_eq!(b.pending(), (0, 0));
        // Fully delivered segments were removed (only the write segment is left).
        let segs = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".seg"))
            .count();
        assert_eq!(segs, 1);
    }

    #[test]
    fn cap_refuses_new_records_and_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let b = DiskBuffer::open(cfg(dir.path(), 100, 1 << 20)).unwrap();
        let mut ok = 0;
        for _ in 0..10 {
            if b.append(b"0123456789").unwrap() {
                ok += 1;
            }
        }
        assert_eq!(ok, 3); // 26 bytes per frame
        b.flush().unwrap();
        drop(b);
        // Simulate a crash mid-write: half a frame at the end.
        let seg = seg_path(dir.path(), 0);
        let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
        f.write_all(&[20, 0, 0, 0, 1, 2]).unwrap();
        drop(f);
        let b = DiskBuffer::open(cfg(dir.path(), 100, 1 << 20)).unwrap();
        assert_eq!(b.pending().0, 3);
        let batch = b.read_batch(10, 1 << 20, Duration::ZERO).unwrap();
        assert_eq!(batch.items.len(), 3);
    }

    #[test]
    fn read_waits_for_appends() {
        let dir = tempfile::tempdir().unwrap();
        let b = std::sync::Arc::new(DiskBuffer::open(cfg(dir.path(), 1 << 20, 1 << 20)).unwrap());
        let b2 = b.clone();
        let t = std::thread::spawn(move || b2.read_batch(10, 1 << 20, Duration::from_secs(5)));
        std::thread::sleep(Duration::from_millis(50));
        b.append(b"x").unwrap();
        let batch = t.join().unwrap().unwrap();
        assert_eq!(batch.items.len(), 1);
    }
}
