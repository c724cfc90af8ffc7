//! The writer: crash recovery on open, then group commit on a dedicated thread.
//!
//! Callers [`Appender::append`] from any thread: that assigns the next sequence number under a
//! mutex and queues the event, nothing more. The writer thread takes the whole queue at once,
//! encrypts every event with the segment's data key, extends the hash chain and the Merkle
//! frontier, writes the batch with one `write` and, per [`FsyncPolicy`], one `fdatasync`; then
//! it wakes everyone waiting in [`Appender::wait_durable`]. While one batch syncs the next one
//! fills, so the fsync cost is shared by all events that arrived meanwhile (group commit).
//!
//! Invariants:
//! - Sequence numbers are dense from 0; record `seq` is only reported durable once it and every
//!   earlier record were synced (or, with [`FsyncPolicy::Never`], written to the OS).
//! - Each writer session writes a fresh segment with a fresh data key, so a record nonce
//!   derived from the sequence number is never reused under one key, even after recovery
//!   reuses the sequence number of a torn record.
//! - A checkpoint is only signed over records already synced, so a crash cannot leave a
//!   checkpoint that covers records recovery then removes.
//! - After any IO error the writer stops and every later call fails (fail closed).

use crate::checkpoint::{Checkpoint, CHECKPOINT_LEN};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::keys::{sync_dir, DataKey, KeyProvider, KeyRing};
use crate::merkle::{CompactTree, Hash};
use crate::record::{encode_record, Cipher, ParseError, SegmentHeader, BODY_FIXED_LEN};
use crate::store::{
    list_segments, read_checkpoints, segment_path, SegmentFile, CHECKPOINTS_FILE, WRITER_LOCK,
};
use ed25519_dalek::SigningKey;
use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// When the writer calls `fdatasync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// After every batch: an acknowledged event survives power loss. The default.
    Always,
    /// At most every this many milliseconds: waiters wait up to that long.
    EveryMillis(u64),
    /// Never: durable means handed to the OS (survives a process crash, not power loss).
    Never,
}

impl FsyncPolicy {
    /// Parse `always`, `never` or a number of milliseconds like `10ms`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "always" => Some(Self::Always),
            "never" => Some(Self::Never),
            _ => s.strip_suffix("ms").unwrap_or(s).parse().ok().map(Self::EveryMillis),
        }
    }
}

/// Writer configuration.
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    /// The ledger directory.
    pub dir: PathBuf,
    /// When to fsync.
    pub fsync: FsyncPolicy,
    /// Sign a checkpoint after this many new records (0 disables the count trigger).
    pub checkpoint_every_records: u64,
    /// Sign a checkpoint when new records are this old, in microseconds (0 disables).
    pub checkpoint_interval_micros: u64,
    /// Start a new segment (and data key) past this many bytes.
    pub max_segment_bytes: u64,
    /// AEAD for new segments.
    pub cipher: Cipher,
    /// Events queued before `append` blocks (back-pressure).
    pub max_pending: usize,
    /// Re-check every record's hash and chain link when opening, instead of resuming from the
    /// Merkle frontier saved with the latest signed checkpoint. Off by default so a restart
    /// costs the tail, not the whole log; `phiwall log verify` checks everything either way.
    pub is_full_scan_on_open: bool,
    /// With fsync on, how long (microseconds) the writer may linger while the queue is still
    /// growing and smaller than the previous batch, so callers woken by the last fsync can
    /// join the next one. Bounded; 0 disables.
    pub group_commit_linger_micros: u64,
    /// How long (microseconds) a record queued with [`Appender::append_deferred`] may wait for
    /// an awaited record to carry it before the writer wakes for it alone. 0 makes deferred
    /// records wake the writer like any other.
    pub deferred_max_micros: u64,
}

impl LedgerConfig {
    /// Defaults: fsync always, checkpoint every 10,000 records or 60 s, 64 MiB segments,
    /// AES-256-GCM, 65,536 queued events.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            fsync: FsyncPolicy::Always,
            checkpoint_every_records: 10_000,
            checkpoint_interval_micros: 60_000_000,
            max_segment_bytes: 64 << 20,
            cipher: Cipher::Aes256Gcm,
            max_pending: 65_536,
            is_full_scan_on_open: false,
            group_commit_linger_micros: 1_000,
            deferred_max_micros: 5_000,
        }
    }

    fn validate(&self) -> Result<()> {
        if self.max_pending == 0 {
            return Err(Error::Config("max_pending must be at least 1".into()));
        }
        if self.max_segment_bytes < 4096 {
            return Err(Error::Config("max_segment_bytes must be at least 4096".into()));
        }
        Ok(())
    }
}

/// What recovery found and did when the writer opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Records present after recovery.
    pub records: u64,
    /// Segment files found.
    pub segments: usize,
    /// Bytes cut from the tail of the last segment (a torn write).
    pub truncated_bytes: u64,
    /// Segment and offset of the cut.
    pub truncated_at: Option<(u32, u64)>,
    /// A last segment file that was created but whose header never fully reached the disk.
    pub removed_segment: Option<u32>,
    /// Bytes cut from a torn checkpoint at the end of the checkpoints file.
    pub truncated_checkpoint_bytes: u64,
    /// First sequence number recovery read: 0 for a full scan, or the size of the latest
    /// signed checkpoint when its saved Merkle frontier let recovery skip what it covers.
    pub scanned_from_seq: u64,
}

struct Pending {
    time_micros: u64,
    event: Vec<u8>,
}

/// Called once, on the writer thread, when a record is durable (`Ok`) or the writer has failed
/// or closed first (`Err`). Keep it short: an async caller sends on a oneshot channel.
pub type DurableCallback = Box<dyn FnOnce(Result<()>) + Send>;

#[derive(Default)]
struct State {
    /// Callbacks by the sequence number they wait for.
    callbacks: std::collections::BTreeMap<u64, Vec<DurableCallback>>,
    next_seq: u64,
    queue: Vec<Pending>,
    written: u64,
    durable: u64,
    failed: Option<String>,
    /// Threads blocked in [`Appender::wait_durable`].
    blocked_waiters: usize,
    shutdown: bool,
    finished: bool,
    sync_target: u64,
    checkpoint_requests: u64,
    checkpoints_done: u64,
    last_checkpoint: Option<Checkpoint>,
    /// The queue holds a record the writer was woken for (anything but deferred records).
    has_urgent: bool,
    /// When the oldest deferred record of the queue was queued.
    deferred_since: Option<Instant>,
    /// While the writer waits for work: when it wakes by itself (`None` inside the wait means
    /// never). `Some(..)` only during the wait, so a deferred record can tell whether the
    /// writer would see its deadline in time or must be woken.
    writer_wakes_at: Option<Option<Instant>>,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    progress: Condvar,
    space: Condvar,
    clock: Arc<dyn Clock>,
    max_pending: usize,
    deferred_max: Duration,
}

impl Shared {
    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        self.state.lock().map_err(|_| Error::WriterFailed("state lock poisoned".into()))
    }

    /// Make the queue urgent, waking the writer only for the first urgent record of a batch
    /// (later ones find it awake or lingering).
    fn wake_for_queue(&self, st: &mut State) {
        if !st.has_urgent {
            st.has_urgent = true;
            self.work.notify_one();
        }
    }

    /// Whether the writer must take the queue now, and otherwise how long the deferred records
    /// in it may still wait.
    fn queue_due(&self, st: &State) -> (bool, Option<Duration>) {
        if st.has_urgent {
            return (true, None);
        }
        match st.deferred_since {
            Some(t) => {
                let left = self.deferred_max.saturating_sub(t.elapsed());
                (left.is_zero(), Some(left))
            }
            None => (false, None),
        }
    }
}

/// The ledger writer handle; cheap to share behind an `Arc`.
pub struct Appender {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
    recovery: RecoveryReport,
    public_key: ed25519_dalek::VerifyingKey,
    _lock: File,
}

impl std::fmt::Debug for Appender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Appender").field("recovery", &self.recovery).finish_non_exhaustive()
    }
}

impl Appender {
    /// Open (recovering a torn tail) and start the writer thread.
    pub fn open(
        config: LedgerConfig,
        provider: Arc<dyn KeyProvider>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        config.validate()?;
        let dir = config.dir.clone();
        fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
        let lock_path = dir.join(WRITER_LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io("open", &lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::Locked(lock_path)),
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("lock", &lock_path, e)),
        }
        let ring = KeyRing::new(&dir);
        let signing = ring.signing_key(provider.as_ref(), clock.now_micros())?;
        let public_key = signing.verifying_key();
        let (tail, recovery) = recover(&dir, &public_key, config.is_full_scan_on_open)?;
        let mut writer =
            Writer::start(config.clone(), provider, clock.clone(), ring, signing, tail)?;
        let last_checkpoint = writer.last_checkpoint.clone();
        let n = writer.tree.len();
        writer.synced = n;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                next_seq: n,
                written: n,
                durable: n,
                sync_target: n,
                last_checkpoint,
                ..State::default()
            }),
            work: Condvar::new(),
            progress: Condvar::new(),
            space: Condvar::new(),
            clock,
            max_pending: config.max_pending,
            deferred_max: Duration::from_micros(config.deferred_max_micros),
        });
        let s2 = shared.clone();
        let thread = std::thread::Builder::new()
            .name("phiwall-ledger-writer".into())
            .spawn(move || writer.run(&s2))
            .map_err(|e| Error::WriterFailed(format!("spawn writer thread: {e}")))?;
        Ok(Self { shared, thread: Mutex::new(Some(thread)), recovery, public_key, _lock: lock })
    }

    /// What recovery did on open.
    pub fn recovery(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// The checkpoint verifying key.
    pub fn public_key(&self) -> ed25519_dalek::VerifyingKey {
        self.public_key
    }

    /// Queue an event stamped with the clock's time; returns its sequence number.
    pub fn append(&self, event: &[u8]) -> Result<u64> {
        self.append_at(self.shared.clock.now_micros(), event)
    }

    /// Queue an event with a caller-supplied time (microseconds since the epoch).
    pub fn append_at(&self, time_micros: u64, event: &[u8]) -> Result<u64> {
        self.enqueue(time_micros, event, true)
    }

    /// Queue an event nobody waits for (a request's outcome after its awaited intent) without
    /// waking the writer: it rides in the batch of the next awaited record, or is written
    /// `deferred_max_micros` after it was queued, whichever comes first. Under load this saves
    /// the writer one wake-up, a context switch, per such record. Waiting on it later
    /// ([`Self::wait_durable`], [`Self::on_durable`]) wakes the writer as usual.
    pub fn append_deferred(&self, event: &[u8]) -> Result<u64> {
        let urgent = self.shared.deferred_max.is_zero();
        self.enqueue(self.shared.clock.now_micros(), event, urgent)
    }

    fn enqueue(&self, time_micros: u64, event: &[u8], urgent: bool) -> Result<u64> {
        if event.len() > crate::record::MAX_CIPHERTEXT - 16 {
            return Err(Error::Config(format!(
                "event of {} bytes exceeds the record limit",
                event.len()
            )));
        }
        let mut st = self.shared.lock()?;
        loop {
            if let Some(f) = &st.failed {
                return Err(Error::WriterFailed(f.clone()));
            }
            if st.shutdown {
                return Err(Error::WriterFailed("ledger is closed".into()));
            }
            if st.queue.len() < self.shared.max_pending {
                break;
            }
            st = self
                .shared
                .space
                .wait(st)
                .map_err(|_| Error::WriterFailed("lock poisoned".into()))?;
        }
        let seq = st.next_seq;
        st.next_seq += 1;
        st.queue.push(Pending { time_micros, event: event.to_vec() });
        if urgent {
            self.shared.wake_for_queue(&mut st);
        } else if st.deferred_since.is_none() {
            let now = Instant::now();
            st.deferred_since = Some(now);
            // A writer that is busy looks at the deadline when it next waits; one asleep
            // past the deadline (or with no timeout) must be woken to set its timer.
            let due = now + self.shared.deferred_max;
            if st.writer_wakes_at.is_some_and(|at| at.is_none_or(|t| t > due)) {
                self.shared.work.notify_one();
            }
        }
        Ok(seq)
    }

    /// Block until record `seq` (and all before it) is durable under the fsync policy.
    pub fn wait_durable(&self, seq: u64) -> Result<()> {
        let mut st = self.shared.lock()?;
        if seq >= st.next_seq {
            return Err(Error::Config(format!("seq {seq} was never appended")));
        }
        st.blocked_waiters += 1;
        if !st.queue.is_empty() {
            self.shared.wake_for_queue(&mut st);
        }
        let r = loop {
            if st.durable > seq {
                break Ok(());
            }
            if let Some(f) = &st.failed {
                break Err(Error::WriterFailed(f.clone()));
            }
            st = match self.shared.progress.wait(st) {
                Ok(g) => g,
                Err(_) => return Err(Error::WriterFailed("lock poisoned".into())),
            };
        };
        st.blocked_waiters -= 1;
        r
    }

    /// Call `callback` once record `seq` is durable, without blocking a thread: the way an
    /// async gateway waits (the callback completes a oneshot channel). Runs it at once if the
    /// record is already durable or the writer has failed.
    pub fn on_durable(&self, seq: u64, callback: DurableCallback) -> Result<()> {
        let mut st = self.shared.lock()?;
        if seq >= st.next_seq {
            return Err(Error::Config(format!("seq {seq} was never appended")));
        }
        if let Some(f) = st.failed.clone() {
            drop(st);
            callback(Err(Error::WriterFailed(f)));
        } else if st.durable > seq {
            drop(st);
            callback(Ok(()));
        } else {
            st.callbacks.entry(seq).or_default().push(callback);
            if !st.queue.is_empty() {
                self.shared.wake_for_queue(&mut st);
            }
        }
        Ok(())
    }

    /// Append and wait until durable (what a fail-closed gateway does before answering).
    pub fn append_durable(&self, event: &[u8]) -> Result<u64> {
        let seq = self.append(event)?;
        self.wait_durable(seq)?;
        Ok(seq)
    }

    /// Force an fsync of everything appended so far, whatever the policy, and wait for it.
    pub fn sync(&self) -> Result<()> {
        let mut st = self.shared.lock()?;
        let target = st.next_seq;
        st.sync_target = st.sync_target.max(target);
        self.shared.work.notify_one();
        while st.durable < target || st.written < target {
            if let Some(f) = &st.failed {
                return Err(Error::WriterFailed(f.clone()));
            }
            st = self
                .shared
                .progress
                .wait(st)
                .map_err(|_| Error::WriterFailed("lock poisoned".into()))?;
        }
        Ok(())
    }

    /// Sign a checkpoint over everything appended so far and wait for it.
    pub fn checkpoint(&self) -> Result<Checkpoint> {
        self.sync()?;
        let mut st = self.shared.lock()?;
        st.checkpoint_requests += 1;
        let want = st.checkpoint_requests;
        self.shared.work.notify_one();
        while st.checkpoints_done < want {
            if let Some(f) = &st.failed {
                return Err(Error::WriterFailed(f.clone()));
            }
            st = self
                .shared
                .progress
                .wait(st)
                .map_err(|_| Error::WriterFailed("lock poisoned".into()))?;
        }
        st.last_checkpoint
            .clone()
            .ok_or_else(|| Error::WriterFailed("no checkpoint was written".into()))
    }

    /// Number of durable records.
    pub fn durable_len(&self) -> Result<u64> {
        Ok(self.shared.lock()?.durable)
    }

    /// Drain the queue, sync, sign a final checkpoint and stop the writer.
    pub fn close(self) -> Result<()> {
        self.shutdown()
    }

    fn shutdown(&self) -> Result<()> {
        {
            let mut st = self.shared.lock()?;
            st.shutdown = true;
            self.shared.work.notify_one();
        }
        let handle = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(h) = handle {
            h.join().map_err(|_| Error::WriterFailed("writer thread panicked".into()))?;
        }
        let st = self.shared.lock()?;
        match &st.failed {
            Some(f) => Err(Error::WriterFailed(f.clone())),
            None => Ok(()),
        }
    }
}

impl Drop for Appender {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Where the existing log ends.
struct Tail {
    tree: CompactTree,
    head: Hash,
    next_segment: u32,
    last_checkpoint: Option<Checkpoint>,
}

/// Remove the callbacks whose records are now durable.
fn take_ready(st: &mut State) -> std::collections::BTreeMap<u64, Vec<DurableCallback>> {
    let rest = st.callbacks.split_off(&st.durable);
    std::mem::replace(&mut st.callbacks, rest)
}

/// Run callbacks (outside the state lock); returns how many ran.
fn fire(
    callbacks: std::collections::BTreeMap<u64, Vec<DurableCallback>>,
    result: impl Fn() -> Result<()>,
) -> usize {
    let mut n = 0;
    for cb in callbacks.into_values().flatten() {
        cb(result());
        n += 1;
    }
    n
}

fn blocked_waiters(shared: &Shared) -> usize {
    shared.lock().map_or(0, |st| st.blocked_waiters)
}

fn integrity(msg: String) -> Error {
    Error::Integrity(msg)
}

/// Scan the log, truncate a torn tail in the last segment, and check the log against the
/// latest checkpoint. Refuses (rather than repairs) anything a crash cannot explain.
fn recover(
    dir: &Path,
    public_key: &ed25519_dalek::VerifyingKey,
    full_scan: bool,
) -> Result<(Tail, RecoveryReport)> {
    let mut report = RecoveryReport::default();
    let (checkpoints, ckpt_tail) = read_checkpoints(dir)?;
    if let Some((off, e)) = ckpt_tail {
        let path = dir.join(CHECKPOINTS_FILE);
        let len = fs::metadata(&path).map_err(|e| Error::io("stat", &path, e))?.len();
        // Only an incomplete final checkpoint is a torn write; other garbage is tampering.
        if !matches!(e, ParseError::Incomplete { .. }) || len - off >= CHECKPOINT_LEN as u64 {
            return Err(integrity(format!("checkpoints file is malformed at offset {off}")));
        }
        truncate(&path, off)?;
        report.truncated_checkpoint_bytes = len - off;
    }
    let latest = checkpoints.last().cloned();
    if let Some(c) = &latest {
        if !c.verify_with(public_key) {
            return Err(integrity(format!(
                "the latest checkpoint (size {}) is not signed by this ledger's key",
                c.tree_size
            )));
        }
    }
    let segs = list_segments(dir)?;
    report.segments = segs.len();
    let mut tree = CompactTree::new();
    let mut head = [0u8; 32];
    let mut next_segment = 0u32;
    // Fast path: start from the Merkle frontier saved with the latest checkpoint, in the
    // segment holding its last record; anything unexpected falls back to the full scan.
    let fast = latest.as_ref().filter(|_| !full_scan).and_then(|c| fast_start(dir, c, &segs));
    if let Some(f) = &fast {
        tree = f.tree.clone();
        head = f.tree_head;
        report.scanned_from_seq = tree.len();
    }
    let mut checkpoint_root_ok = latest.as_ref().is_none_or(|c| c.tree_size != 0);
    let check_ckpt = |tree: &CompactTree, ok: &mut bool| {
        if let Some(c) = &latest {
            if c.tree_size == tree.len() {
                *ok = c.root == tree.root();
            }
        }
    };
    check_ckpt(&tree, &mut checkpoint_root_ok);
    let count = segs.len();
    for (k, (index, path)) in segs.into_iter().enumerate() {
        let is_last = k + 1 == count;
        if index != next_segment {
            return Err(integrity(format!(
                "segment {next_segment} expected, segment {index} found"
            )));
        }
        let skip_records = match &fast {
            Some(f) if k < f.segment_pos => {
                next_segment = index + 1;
                continue;
            }
            Some(f) if k == f.segment_pos => f.skip_records,
            _ => 0,
        };
        let seg = SegmentFile::read(index, path.clone())?;
        let header = match &seg.header {
            Ok(h) => h.clone(),
            Err(ParseError::Incomplete { .. }) if is_last => {
                // Created but the header never fully reached the disk: no record can be in it.
                fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
                sync_dir(dir)?;
                report.removed_segment = Some(index);
                break;
            }
            Err(e) => return Err(integrity(format!("segment {index} header: {e}"))),
        };
        let continues = if skip_records > 0 {
            header.index == index
        } else {
            header.index == index && header.first_seq == tree.len() && header.prev_hash == head
        };
        if !continues {
            return Err(integrity(format!("segment {index} header does not continue the chain")));
        }
        let is_good = |r: &crate::store::RecordMeta, seq: u64, prev: &Hash| {
            r.seq == seq
                && r.segment == index
                && r.prev_hash == *prev
                && r.stored_hash == r.computed_hash
        };
        let mut cut: Option<u64> = None;
        for (i, r) in seg.records.iter().enumerate().skip(skip_records) {
            if is_good(r, tree.len(), &head) {
                tree.push(r.stored_hash);
                head = r.stored_hash;
                check_ckpt(&tree, &mut checkpoint_root_ok);
                continue;
            }
            // A torn final write can leave garbage records at the very end of the last
            // segment, never a bad record followed by good ones.
            let rest_bad =
                seg.records.iter().skip(i + 1).all(|r2| r2.stored_hash != r2.computed_hash);
            if is_last && rest_bad {
                cut = Some(r.offset);
                break;
            }
            return Err(integrity(format!(
                "record seq {} in segment {index} breaks the chain",
                r.seq
            )));
        }
        if cut.is_none() {
            if let Some((off, e)) = &seg.tail_error {
                if !is_last {
                    return Err(integrity(format!(
                        "segment {index} is malformed at offset {off}: {e}"
                    )));
                }
                cut = Some(*off);
            }
        }
        if let Some(off) = cut {
            let len = seg.bytes.len() as u64;
            truncate(&path, off)?;
            report.truncated_bytes = len - off;
            report.truncated_at = Some((index, off));
        }
        next_segment = index + 1;
    }
    if let Some(c) = &latest {
        if c.tree_size > tree.len() {
            return Err(integrity(format!(
                "the log holds {} records but a signed checkpoint covers {}: records were removed",
                tree.len(),
                c.tree_size
            )));
        }
        if !checkpoint_root_ok {
            return Err(integrity(format!(
                "the log's first {} records do not match the latest signed checkpoint",
                c.tree_size
            )));
        }
    }
    report.records = tree.len();
    Ok((Tail { tree, head, next_segment, last_checkpoint: latest }, report))
}

/// Name of the file holding the Merkle frontier of the latest checkpoint.
pub const FRONTIER_FILE: &str = "frontier.bin";
const FRONTIER_MAGIC: &[u8; 8] = b"PWLFRN1\n";

/// Where recovery may start instead of record 0.
struct FastStart {
    tree: CompactTree,
    tree_head: Hash,
    /// Position (in the sorted segment list) of the segment holding record `tree.len()`.
    segment_pos: usize,
    /// Records of that segment already covered by the frontier.
    skip_records: usize,
}

fn encode_frontier(tree: &CompactTree, head: &Hash) -> Vec<u8> {
    let mut b = FRONTIER_MAGIC.to_vec();
    b.extend_from_slice(&tree.len().to_le_bytes());
    b.extend_from_slice(head);
    for h in tree.frontier() {
        b.extend_from_slice(h);
    }
    b
}

fn parse_frontier(b: &[u8]) -> Option<(CompactTree, Hash)> {
    let rest = b.strip_prefix(FRONTIER_MAGIC.as_slice())?;
    let size = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
    let head: Hash = rest.get(8..40)?.try_into().ok()?;
    let hashes = rest.get(40..)?;
    if hashes.len() % 32 != 0 {
        return None;
    }
    let stack = hashes.chunks_exact(32).filter_map(|c| c.try_into().ok()).collect();
    Some((CompactTree::from_frontier(size, stack)?, head))
}

/// Check the saved frontier against the signed checkpoint and find the segment to resume in.
fn fast_start(dir: &Path, c: &Checkpoint, segs: &[(u32, PathBuf)]) -> Option<FastStart> {
    let (tree, head) = parse_frontier(&fs::read(dir.join(FRONTIER_FILE)).ok()?)?;
    if tree.len() != c.tree_size || tree.root() != c.root || head != c.chain_head || tree.is_empty()
    {
        return None;
    }
    // Segment headers are small: read them all and pick the last starting at or before size.
    let mut pos = None;
    for (k, (_, path)) in segs.iter().enumerate() {
        let mut h = [0u8; crate::record::SEGMENT_HEADER_LEN];
        let mut f = File::open(path).ok()?;
        std::io::Read::read_exact(&mut f, &mut h).ok()?;
        let header = SegmentHeader::parse(&h).ok()?;
        if header.first_seq <= tree.len() {
            pos = Some((k, header.first_seq));
        }
    }
    let (segment_pos, first_seq) = pos?;
    let skip = usize::try_from(tree.len() - first_seq).ok()?;
    // The covered part must end with the record the checkpoint names.
    let seg = SegmentFile::read(segs.get(segment_pos)?.0, segs.get(segment_pos)?.1.clone()).ok()?;
    let ok = match skip.checked_sub(1) {
        None => seg.header.as_ref().is_ok_and(|h| h.prev_hash == head),
        Some(i) => seg.records.get(i).is_some_and(|r| {
            r.seq == tree.len() - 1 && r.stored_hash == head && r.stored_hash == r.computed_hash
        }),
    };
    ok.then_some(FastStart { tree, tree_head: head, segment_pos, skip_records: skip })
}

fn truncate(path: &Path, len: u64) -> Result<()> {
    let f = OpenOptions::new().write(true).open(path).map_err(|e| Error::io("open", path, e))?;
    f.set_len(len).map_err(|e| Error::io("truncate", path, e))?;
    f.sync_all().map_err(|e| Error::io("fsync", path, e))
}

struct Writer {
    config: LedgerConfig,
    provider: Arc<dyn KeyProvider>,
    clock: Arc<dyn Clock>,
    ring: KeyRing,
    signing: SigningKey,
    tree: CompactTree,
    head: Hash,
    segment: u32,
    file: File,
    file_path: PathBuf,
    file_len: u64,
    records_in_segment: u64,
    key: DataKey,
    checkpoints: File,
    last_checkpoint: Option<Checkpoint>,
    synced: u64,
    last_sync: Instant,
    buf: Vec<u8>,
    /// Waiters the previous step released (callbacks run; with blocked threads waiting, the
    /// whole batch): the writer lingers only while fewer events have arrived.
    last_crowd: usize,
}

impl Writer {
    fn start(
        config: LedgerConfig,
        provider: Arc<dyn KeyProvider>,
        clock: Arc<dyn Clock>,
        ring: KeyRing,
        signing: SigningKey,
        tail: Tail,
    ) -> Result<Self> {
        let ckpt_path = config.dir.join(CHECKPOINTS_FILE);
        let checkpoints = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&ckpt_path)
            .map_err(|e| Error::io("open", &ckpt_path, e))?;
        let (file, file_path, key) = new_segment(
            &config,
            provider.as_ref(),
            clock.as_ref(),
            &ring,
            tail.next_segment,
            tail.tree.len(),
            &tail.head,
        )?;
        Ok(Self {
            file_len: crate::record::SEGMENT_HEADER_LEN as u64,
            segment: tail.next_segment,
            tree: tail.tree,
            head: tail.head,
            last_checkpoint: tail.last_checkpoint,
            config,
            provider,
            clock,
            ring,
            signing,
            file,
            file_path,
            records_in_segment: 0,
            key,
            checkpoints,
            synced: 0,
            last_sync: Instant::now(),
            buf: Vec::with_capacity(1 << 20),
            last_crowd: 0,
        })
    }

    fn checkpoint_size(&self) -> u64 {
        self.last_checkpoint.as_ref().map_or(0, |c| c.tree_size)
    }

    /// How long the thread may sleep before a timed duty (fsync or checkpoint) is due.
    fn sleep_budget(&self) -> Option<Duration> {
        let mut budget: Option<Duration> = None;
        let mut consider = |d: Duration| budget = Some(budget.map_or(d, |b| b.min(d)));
        if let FsyncPolicy::EveryMillis(ms) = self.config.fsync {
            if self.synced < self.tree.len() {
                consider(Duration::from_millis(ms).saturating_sub(self.last_sync.elapsed()));
            }
        }
        if self.config.checkpoint_interval_micros > 0 && self.tree.len() > self.checkpoint_size() {
            let since = self.last_checkpoint.as_ref().map_or(0, |c| c.time_micros);
            let age = self.clock.now_micros().saturating_sub(since);
            let left = self.config.checkpoint_interval_micros.saturating_sub(age);
            // Capped so a test clock moved by hand is noticed within a second.
            consider(Duration::from_micros(left).min(Duration::from_secs(1)));
        }
        budget
    }

    fn run(mut self, shared: &Shared) {
        let mut batch: Vec<Pending> = Vec::new();
        loop {
            let (shutdown, sync_target, ckpt_wanted) = {
                let Ok(mut st) = shared.lock() else { return };
                loop {
                    let (queue_due, deferred_left) = shared.queue_due(&st);
                    if queue_due
                        || st.shutdown
                        || st.sync_target > self.synced
                        || st.checkpoint_requests > st.checkpoints_done
                    {
                        break;
                    }
                    let budget = match (self.sleep_budget(), deferred_left) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    if budget.is_some_and(|d| d.is_zero()) {
                        break;
                    }
                    st.writer_wakes_at = Some(budget.map(|d| Instant::now() + d));
                    let woke = match budget {
                        None => shared.work.wait(st).map(|g| (g, false)).ok(),
                        Some(d) => {
                            shared.work.wait_timeout(st, d).map(|(g, t)| (g, t.timed_out())).ok()
                        }
                    };
                    let Some((g, timed_out)) = woke else { return };
                    st = g;
                    st.writer_wakes_at = None;
                    if timed_out {
                        break;
                    }
                }
                st = self.linger(shared, st);
                std::mem::swap(&mut st.queue, &mut batch);
                st.has_urgent = false;
                st.deferred_since = None;
                (st.shutdown, st.sync_target, st.checkpoint_requests)
            };
            shared.space.notify_all();
            let result = self.step(&mut batch, shutdown, sync_target, ckpt_wanted, shared);
            // Records nobody waits for (queued audit outcomes) do not make a crowd: counting
            // them made every awaited record after an unawaited one linger a step.
            self.last_crowd = match &result {
                Ok(woken) if blocked_waiters(shared) == 0 => *woken,
                _ => batch.len(),
            };
            batch.clear();
            if let Err(e) = result {
                let msg = e.to_string();
                let pending = match shared.lock() {
                    Ok(mut st) => {
                        st.failed = Some(msg.clone());
                        std::mem::take(&mut st.callbacks)
                    }
                    Err(_) => Default::default(),
                };
                shared.progress.notify_all();
                shared.space.notify_all();
                fire(pending, || Err(Error::WriterFailed(msg.clone())));
                return;
            }
            if shutdown {
                let Ok(mut st) = shared.lock() else { return };
                if st.queue.is_empty() {
                    st.finished = true;
                    // Everything appended is durable by now; anything left waits in vain.
                    let left = std::mem::take(&mut st.callbacks);
                    drop(st);
                    shared.progress.notify_all();
                    fire(left, || Err(Error::WriterFailed("ledger is closed".into())));
                    return;
                }
            }
        }
    }

    /// Group commit: while the queue keeps growing (callers just woken by the previous fsync
    /// are appending again), wait a little so one fsync covers them all. Only while fewer
    /// events have arrived than the previous step released waiters: steady traffic at a
    /// modest rate (one or two waiters) then gets its fsync at once instead of a linger step
    /// later, while a crowd of waiters re-appending after an fsync is still gathered.
    fn linger<'a>(
        &self,
        shared: &'a Shared,
        mut st: MutexGuard<'a, State>,
    ) -> MutexGuard<'a, State> {
        let linger = Duration::from_micros(self.config.group_commit_linger_micros);
        if linger.is_zero()
            || self.config.fsync == FsyncPolicy::Never
            || st.queue.is_empty()
            || st.shutdown
            || st.queue.len() >= shared.max_pending / 2
            || st.queue.len() >= self.last_crowd
        {
            return st;
        }
        let start = Instant::now();
        let step = Duration::from_micros(100).min(linger);
        loop {
            let before = st.queue.len();
            st = match shared.work.wait_timeout(st, step) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
            if st.queue.len() == before
                || st.queue.len() >= self.last_crowd
                || start.elapsed() >= linger
                || st.shutdown
            {
                return st;
            }
        }
    }

    fn step(
        &mut self,
        batch: &mut [Pending],
        shutdown: bool,
        sync_target: u64,
        ckpt_wanted: u64,
        shared: &Shared,
    ) -> Result<usize> {
        if !batch.is_empty() {
            self.write_batch(batch)?;
        }
        let written = self.tree.len();
        let want_sync = match self.config.fsync {
            FsyncPolicy::Always => true,
            FsyncPolicy::EveryMillis(ms) => self.last_sync.elapsed() >= Duration::from_millis(ms),
            FsyncPolicy::Never => false,
        } || sync_target > self.synced
            || shutdown;
        if want_sync && self.synced < written {
            self.sync()?;
        }
        let durable = if self.config.fsync == FsyncPolicy::Never { written } else { self.synced };
        let ready = {
            let mut st = shared.lock()?;
            st.written = written;
            st.durable = durable.max(self.synced);
            take_ready(&mut st)
        };
        shared.progress.notify_all();
        let mut woken = fire(ready, || Ok(()));
        let new_records = written - self.checkpoint_size();
        let due_count = self.config.checkpoint_every_records > 0
            && new_records >= self.config.checkpoint_every_records;
        let due_time = self.config.checkpoint_interval_micros > 0
            && new_records > 0
            && self
                .clock
                .now_micros()
                .saturating_sub(self.last_checkpoint.as_ref().map_or(0, |c| c.time_micros))
                >= self.config.checkpoint_interval_micros;
        let forced = {
            let st = shared.lock()?;
            ckpt_wanted > st.checkpoints_done
        };
        if due_count || due_time || forced || (shutdown && new_records > 0) {
            if new_records > 0 || self.last_checkpoint.is_none() {
                self.write_checkpoint()?;
            }
            let mut st = shared.lock()?;
            st.durable = self.synced.max(st.durable);
            st.last_checkpoint = self.last_checkpoint.clone();
            st.checkpoints_done = st.checkpoints_done.max(ckpt_wanted);
            let ready = take_ready(&mut st);
            drop(st);
            shared.progress.notify_all();
            woken += fire(ready, || Ok(()));
        }
        Ok(woken)
    }

    fn write_batch(&mut self, batch: &mut [Pending]) -> Result<()> {
        self.buf.clear();
        for p in batch.iter_mut() {
            let est = (4 + BODY_FIXED_LEN + p.event.len() + 16 + 32) as u64;
            if self.records_in_segment > 0
                && self.file_len + self.buf.len() as u64 + est > self.config.max_segment_bytes
            {
                self.flush_buf()?;
                self.roll()?;
            }
            let seq = self.tree.len();
            let ct = self.key.seal(seq, p.time_micros, &self.head, &p.event)?;
            // Drop the plaintext copy as soon as it is encrypted.
            zeroize::Zeroize::zeroize(&mut p.event);
            let h = encode_record(&mut self.buf, self.segment, seq, p.time_micros, &self.head, &ct);
            self.tree.push(h);
            self.head = h;
            self.records_in_segment += 1;
        }
        self.flush_buf()
    }

    fn flush_buf(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.file.write_all(&self.buf).map_err(|e| Error::io("write", &self.file_path, e))?;
        self.file_len += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        self.file.sync_data().map_err(|e| Error::io("fsync", &self.file_path, e))?;
        self.synced = self.tree.len();
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Seal the current segment and start the next with a fresh data key.
    fn roll(&mut self) -> Result<()> {
        // Always synced, whatever the policy: later checkpoints sync only the current file, and
        // a checkpoint must never cover records that a power loss could take away.
        self.file.sync_data().map_err(|e| Error::io("fsync", &self.file_path, e))?;
        let next = self
            .segment
            .checked_add(1)
            .ok_or_else(|| Error::Config("segment index overflow".into()))?;
        let (file, path, key) = new_segment(
            &self.config,
            self.provider.as_ref(),
            self.clock.as_ref(),
            &self.ring,
            next,
            self.tree.len(),
            &self.head,
        )?;
        // Records up to here were synced with the old file.
        self.synced = self.tree.len();
        self.file = file;
        self.file_path = path;
        self.segment = next;
        self.file_len = crate::record::SEGMENT_HEADER_LEN as u64;
        self.records_in_segment = 0;
        self.key = key;
        Ok(())
    }

    fn write_checkpoint(&mut self) -> Result<()> {
        if self.synced < self.tree.len() {
            self.sync()?;
        }
        let c = Checkpoint::sign(
            &self.signing,
            self.tree.len(),
            self.tree.root(),
            self.head,
            self.clock.now_micros(),
        );
        let path = self.config.dir.join(CHECKPOINTS_FILE);
        self.checkpoints.write_all(&c.encode()).map_err(|e| Error::io("write", &path, e))?;
        self.checkpoints.sync_data().map_err(|e| Error::io("fsync", &path, e))?;
        // Saved after the checkpoint it matches; a stale or missing frontier only costs a full
        // scan on the next open.
        crate::keys::write_atomic(
            &self.config.dir.join(FRONTIER_FILE),
            &encode_frontier(&self.tree, &self.head),
            0o600,
        )?;
        self.last_checkpoint = Some(c);
        Ok(())
    }
}

fn new_segment(
    config: &LedgerConfig,
    provider: &dyn KeyProvider,
    clock: &dyn Clock,
    ring: &KeyRing,
    index: u32,
    first_seq: u64,
    prev_hash: &Hash,
) -> Result<(File, PathBuf, DataKey)> {
    // The key is recorded before the file exists: a crash in between leaves an unused key entry
    // that the next session replaces, never a segment without its key.
    let key = ring.new_data_key(provider, index, config.cipher, clock.now_micros())?;
    let path = segment_path(&config.dir, index);
    // Owner-only: the contents are encrypted, but sizes and times are still metadata.
    let mut file = OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io("create", &path, e))?;
    let header = SegmentHeader { index, cipher: config.cipher, first_seq, prev_hash: *prev_hash };
    file.write_all(&header.encode()).map_err(|e| Error::io("write", &path, e))?;
    file.sync_all().map_err(|e| Error::io("fsync", &path, e))?;
    sync_dir(&config.dir)?;
    file.seek(SeekFrom::End(0)).map_err(|e| Error::io("seek", &path, e))?;
    Ok((file, path, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::keys::StaticKeyProvider;

    fn open(dir: &Path) -> Appender {
        let mut c = LedgerConfig::new(dir);
        c.fsync = FsyncPolicy::Never;
        Appender::open(
            c,
            Arc::new(StaticKeyProvider::generate().unwrap()),
            Arc::new(ManualClock::new(7)),
        )
        .unwrap()
    }

    fn open_deferring(dir: &Path, deferred_max_micros: u64) -> Appender {
        open_deferring_with(
            dir,
            deferred_max_micros,
            Arc::new(StaticKeyProvider::generate().unwrap()),
        )
    }

    fn open_deferring_with(
        dir: &Path,
        deferred_max_micros: u64,
        provider: Arc<dyn KeyProvider>,
    ) -> Appender {
        let mut c = LedgerConfig::new(dir);
        c.fsync = FsyncPolicy::Never;
        c.deferred_max_micros = deferred_max_micros;
        Appender::open(c, provider, Arc::new(ManualClock::new(7))).unwrap()
    }

    const AN_HOUR_MICROS: u64 = 3_600_000_000;

    #[test]
    fn a_deferred_record_rides_with_the_next_awaited_one() {
        let d = tempfile::tempdir().unwrap();
        let a = open_deferring(d.path(), AN_HOUR_MICROS);
        assert_eq!(a.append_deferred(b"outcome").unwrap(), 0);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(a.durable_len().unwrap(), 0, "the writer was woken for a deferred record");
        let seq = a.append(b"intent").unwrap();
        a.wait_durable(seq).unwrap();
        assert_eq!(a.durable_len().unwrap(), 2);
    }

    #[test]
    fn a_deferred_record_alone_is_written_within_its_bound() {
        let d = tempfile::tempdir().unwrap();
        let a = open_deferring(d.path(), 20_000);
        a.append_deferred(b"outcome").unwrap();
        let start = Instant::now();
        while a.durable_len().unwrap() == 0 {
            assert!(start.elapsed() < Duration::from_secs(10), "never written");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_deferred_record_is_written_within_its_bound_when_the_writer_has_no_timer() {
        // Nothing else would wake the writer: no checkpoint interval, no count trigger.
        let d = tempfile::tempdir().unwrap();
        let mut c = LedgerConfig::new(d.path());
        c.fsync = FsyncPolicy::Never;
        c.deferred_max_micros = 20_000;
        c.checkpoint_interval_micros = 0;
        c.checkpoint_every_records = 0;
        let p: Arc<dyn KeyProvider> = Arc::new(StaticKeyProvider::generate().unwrap());
        let a = Appender::open(c, p, Arc::new(ManualClock::new(7))).unwrap();
        for round in 1..=3 {
            // Let the writer settle into its untimed wait first.
            std::thread::sleep(Duration::from_millis(30));
            a.append_deferred(b"outcome").unwrap();
            let start = Instant::now();
            while a.durable_len().unwrap() < round {
                assert!(start.elapsed() < Duration::from_secs(2), "round {round}: not written");
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }

    #[test]
    fn waiting_on_a_deferred_record_wakes_the_writer() {
        let d = tempfile::tempdir().unwrap();
        let a = Arc::new(open_deferring(d.path(), AN_HOUR_MICROS));
        let seq = a.append_deferred(b"outcome").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let a2 = a.clone();
        std::thread::spawn(move || tx.send(a2.wait_durable(seq).is_ok()));
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(true));
        let seq = a.append_deferred(b"second").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        a.on_durable(
            seq,
            Box::new(move |r| {
                let _ = tx.send(r.is_ok());
            }),
        )
        .unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(true));
    }

    #[test]
    fn close_writes_deferred_records() {
        let d = tempfile::tempdir().unwrap();
        let p: Arc<dyn KeyProvider> = Arc::new(StaticKeyProvider::generate().unwrap());
        let a = open_deferring_with(d.path(), AN_HOUR_MICROS, p.clone());
        a.append_deferred(b"outcome").unwrap();
        a.close().unwrap();
        let a = open_deferring_with(d.path(), AN_HOUR_MICROS, p);
        assert_eq!(a.recovery().records, 1);
    }

    #[test]
    fn appender_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Appender>();
    }

    #[test]
    fn fsync_policy_parsing() {
        assert_eq!(FsyncPolicy::parse("always"), Some(FsyncPolicy::Always));
        assert_eq!(FsyncPolicy::parse("never"), Some(FsyncPolicy::Never));
        assert_eq!(FsyncPolicy::parse("10ms"), Some(FsyncPolicy::EveryMillis(10)));
        assert_eq!(FsyncPolicy::parse("25"), Some(FsyncPolicy::EveryMillis(25)));
        assert_eq!(FsyncPolicy::parse("sometimes"), None);
    }

    #[test]
    fn invalid_config_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let p: Arc<dyn KeyProvider> = Arc::new(StaticKeyProvider::generate().unwrap());
        let mut c = LedgerConfig::new(d.path());
        c.max_pending = 0;
        assert!(matches!(
            Appender::open(c, p.clone(), Arc::new(ManualClock::new(0))),
            Err(Error::Config(_))
        ));
        let mut c = LedgerConfig::new(d.path());
        c.max_segment_bytes = 100;
        assert!(matches!(
            Appender::open(c, p, Arc::new(ManualClock::new(0))),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn seqs_are_dense_and_time_comes_from_the_clock() {
        let d = tempfile::tempdir().unwrap();
        let a = open(d.path());
        assert_eq!(a.append(b"a").unwrap(), 0);
        assert_eq!(a.append_at(99, b"b").unwrap(), 1);
        assert_eq!(a.append_durable(b"c").unwrap(), 2);
        let c = a.checkpoint().unwrap();
        assert_eq!(c.tree_size, 3);
        assert_eq!(c.time_micros, 7);
        a.close().unwrap();
        let r = crate::store::LedgerReader::open(d.path()).unwrap();
        let times: Vec<u64> = r.records().map(|(_, m)| m.time_micros).collect();
        assert_eq!(times, vec![7, 99, 7]);
    }

    #[test]
    fn durable_callbacks_fire_once_per_record_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let mut c = LedgerConfig::new(d.path());
        c.fsync = FsyncPolicy::EveryMillis(5);
        let a = Appender::open(
            c,
            Arc::new(StaticKeyProvider::generate().unwrap()),
            Arc::new(ManualClock::new(7)),
        )
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..500u64 {
            let seq = a.append(format!("e{i}").as_bytes()).unwrap();
            let tx = tx.clone();
            a.on_durable(seq, Box::new(move |r| tx.send((seq, r.is_ok())).unwrap())).unwrap();
        }
        let mut got: Vec<(u64, bool)> =
            (0..500).map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, (0..500).map(|s| (s, true)).collect::<Vec<_>>());
        assert!(rx.try_recv().is_err(), "each callback runs once");
        // Already durable: runs at once.
        let (tx2, rx2) = std::sync::mpsc::channel();
        a.on_durable(3, Box::new(move |r| tx2.send(r.is_ok()).unwrap())).unwrap();
        assert_eq!(rx2.try_recv(), Ok(true));
        assert!(a.on_durable(9_999, Box::new(|_| {})).is_err());
        a.close().unwrap();
    }

    #[test]
    fn oversized_event_is_refused_without_stopping_the_writer() {
        let d = tempfile::tempdir().unwrap();
        let a = open(d.path());
        let big = vec![0u8; crate::record::MAX_CIPHERTEXT];
        assert!(matches!(a.append(&big), Err(Error::Config(_))));
        assert_eq!(a.append(b"ok").unwrap(), 0);
        a.close().unwrap();
    }

    #[test]
    fn checkpoint_on_an_empty_log_is_signed_over_zero_records() {
        let d = tempfile::tempdir().unwrap();
        let a = open(d.path());
        let c = a.checkpoint().unwrap();
        assert_eq!(c.tree_size, 0);
        assert_eq!(c.root, crate::merkle::empty_root());
        assert!(c.verify_with(&a.public_key()));
        a.close().unwrap();
    }
}
