//! The ledger directory and reading it back.
//!
//! ```text
//! DIR/seg-00000000.pwl ...   segment files (header + records), index in the name
//! DIR/checkpoints.log        signed checkpoints, fixed-size binary, append-only
//! DIR/keyring.json           wrapped data keys and the wrapped signing key (mode 0600)
//! DIR/writer.lock            held by the one writer process
//! ```
//!
//! Reading never trusts the files: every segment is parsed into [`SegmentFile`] with the parse
//! problem (if any) kept as data for [`crate::verify`] to judge, instead of failing early.

use crate::checkpoint::{Checkpoint, ParsedCheckpoints};
use crate::error::{Error, Result};
use crate::keys::{DataKey, KeyProvider, KeyRing, KeyRingFile};
use crate::merkle::{Hash, MerkleTree};
use crate::record::{parse_record, ParseError, SegmentHeader, SEGMENT_HEADER_LEN};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Name of the checkpoints file.
pub const CHECKPOINTS_FILE: &str = "checkpoints.log";
/// Name of the writer lock file.
pub const WRITER_LOCK: &str = "writer.lock";

/// Path of segment `index`.
pub fn segment_path(dir: &Path, index: u32) -> PathBuf {
    dir.join(format!("seg-{index:08}.pwl"))
}

/// Segment index from a file name like `seg-00000003.pwl`.
pub fn segment_index_of(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("seg-")?.strip_suffix(".pwl")?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Segment files in `dir`, ordered by the index in their names.
pub fn list_segments(dir: &Path) -> Result<Vec<(u32, PathBuf)>> {
    let mut out = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io("list", dir, e)),
    };
    for entry in rd {
        let entry = entry.map_err(|e| Error::io("list", dir, e))?;
        if let Some(i) = entry.file_name().to_str().and_then(segment_index_of) {
            out.push((i, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// A record located in a segment buffer, with its parsed fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMeta {
    /// Segment the record claims.
    pub segment: u32,
    /// Sequence number.
    pub seq: u64,
    /// Time, microseconds since the epoch.
    pub time_micros: u64,
    /// Claimed previous hash.
    pub prev_hash: Hash,
    /// Stored leaf hash.
    pub stored_hash: Hash,
    /// Recomputed leaf hash.
    pub computed_hash: Hash,
    /// Byte offset of the record in its file.
    pub offset: u64,
    /// Ciphertext range in the segment buffer.
    pub ct: Range<usize>,
}

/// One segment file read and parsed as far as it goes.
#[derive(Debug, Clone)]
pub struct SegmentFile {
    /// Index from the file name.
    pub name_index: u32,
    /// Path.
    pub path: PathBuf,
    /// The file's bytes (empty when read for verification only).
    pub bytes: Vec<u8>,
    /// The header, or why it failed to parse.
    pub header: std::result::Result<SegmentHeader, ParseError>,
    /// Records parsed in order.
    pub records: Vec<RecordMeta>,
    /// Where parsing stopped before the end of the file, and why.
    pub tail_error: Option<(u64, ParseError)>,
}

impl SegmentFile {
    /// Read and parse a segment file.
    pub fn read(name_index: u32, path: PathBuf) -> Result<Self> {
        let bytes = fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
        Ok(Self::parse(name_index, path, bytes))
    }

    /// Parse segment bytes.
    pub fn parse(name_index: u32, path: PathBuf, bytes: Vec<u8>) -> Self {
        let header = SegmentHeader::parse(&bytes);
        let mut records = Vec::new();
        let mut tail_error = None;
        if header.is_ok() {
            let mut off = SEGMENT_HEADER_LEN;
            while off < bytes.len() {
                let Some(rest) = bytes.get(off..) else { break };
                match parse_record(rest) {
                    Ok(r) => {
                        let ct_start = off + r.encoded_len - 32 - r.ciphertext.len();
                        records.push(RecordMeta {
                            segment: r.segment,
                            seq: r.seq,
                            time_micros: r.time_micros,
                            prev_hash: r.prev_hash,
                            stored_hash: r.stored_hash,
                            computed_hash: r.computed_hash,
                            offset: off as u64,
                            ct: ct_start..ct_start + r.ciphertext.len(),
                        });
                        off += r.encoded_len;
                    }
                    Err(e) => {
                        tail_error = Some((off as u64, e));
                        break;
                    }
                }
            }
        }
        Self { name_index, path, bytes, header, records, tail_error }
    }

    /// The ciphertext of a record of this segment.
    pub fn ciphertext(&self, r: &RecordMeta) -> &[u8] {
        self.bytes.get(r.ct.clone()).unwrap_or(&[])
    }
}

/// Read every segment of `dir`, parsing (and hashing) segments on all cores.
pub fn read_segments(dir: &Path) -> Result<Vec<SegmentFile>> {
    read_segments_with(dir, true)
}

/// Like [`read_segments`]; with `keep_bytes` false each file's bytes are dropped right after
/// parsing (verification needs only the parsed fields), so memory holds one segment's bytes
/// per core rather than the whole log.
pub fn read_segments_with(dir: &Path, keep_bytes: bool) -> Result<Vec<SegmentFile>> {
    let list = list_segments(dir)?;
    let read = |index: u32, path: PathBuf| -> Result<SegmentFile> {
        let mut s = SegmentFile::read(index, path)?;
        if !keep_bytes {
            s.bytes = Vec::new();
        }
        Ok(s)
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(list.len());
    if workers <= 1 {
        return list.into_iter().map(|(i, p)| read(i, p)).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<SegmentFile>>>> =
        list.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((index, path)) = list.get(i) else { break };
                let r = read(*index, path.clone());
                if let Some(Ok(mut slot)) = slots.get(i).map(Mutex::lock) {
                    *slot = Some(r);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(Error::WriterFailed("segment reader thread failed".into())))
        })
        .collect()
}

/// Read the checkpoints file (absent means none).
pub fn read_checkpoints(dir: &Path) -> Result<ParsedCheckpoints> {
    let path = dir.join(CHECKPOINTS_FILE);
    match fs::read(&path) {
        Ok(b) => Ok(Checkpoint::parse_all(&b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Vec::new(), None)),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

/// A decrypted (or undecryptable) event with its record fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// Sequence number.
    pub seq: u64,
    /// Time, microseconds since the epoch.
    pub time_micros: u64,
    /// Segment.
    pub segment: u32,
    /// Leaf hash.
    pub hash: Hash,
    /// The event bytes, or why they cannot be read (shredded, no key, decryption failure).
    pub event: std::result::Result<Vec<u8>, String>,
}

/// A read-only view of a ledger for showing, searching, exporting and proving.
#[derive(Debug)]
pub struct LedgerReader {
    dir: PathBuf,
    segments: Vec<SegmentFile>,
}

impl LedgerReader {
    /// Read the ledger in `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        let segments = read_segments(&dir)?;
        Ok(Self { dir, segments })
    }

    /// The segments.
    pub fn segments(&self) -> &[SegmentFile] {
        &self.segments
    }

    /// Number of records.
    pub fn len(&self) -> u64 {
        self.segments.iter().map(|s| s.records.len() as u64).sum()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All records in file order.
    pub fn records(&self) -> impl Iterator<Item = (&SegmentFile, &RecordMeta)> {
        self.segments.iter().flat_map(|s| s.records.iter().map(move |r| (s, r)))
    }

    /// The Merkle tree over the stored leaf hashes in file order.
    pub fn merkle_tree(&self) -> MerkleTree {
        let mut t = MerkleTree::with_capacity(self.len());
        for (_, r) in self.records() {
            t.push(r.stored_hash);
        }
        t
    }

    /// Decrypt records for which `keep` returns true, in order. Without a provider, events are
    /// reported unreadable. Keys are unwrapped once per segment.
    pub fn events(
        &self,
        provider: Option<&dyn KeyProvider>,
        mut keep: impl FnMut(&RecordMeta) -> bool,
    ) -> Result<Vec<EventRecord>> {
        let ring = KeyRing::new(&self.dir);
        let ring_file: KeyRingFile = ring.load()?;
        let mut out = Vec::new();
        for seg in &self.segments {
            let mut key: Option<std::result::Result<DataKey, String>> = None;
            for r in seg.records.iter().filter(|r| keep(r)) {
                let k = key.get_or_insert_with(|| match provider {
                    Some(p) => {
                        ring.data_key(&ring_file, p, seg.name_index).map_err(|e| e.to_string())
                    }
                    None => Err("no key provider given".into()),
                });
                let event = match k {
                    Ok(k) => k
                        .open(r.seq, r.time_micros, &r.prev_hash, seg.ciphertext(r))
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.clone()),
                };
                out.push(EventRecord {
                    seq: r.seq,
                    time_micros: r.time_micros,
                    segment: seg.name_index,
                    hash: r.stored_hash,
                    event,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names() {
        assert_eq!(segment_index_of("seg-00000012.pwl"), Some(12));
        assert_eq!(segment_index_of("seg-12.pwl"), None);
        assert_eq!(segment_index_of("seg-0000001x.pwl"), None);
        assert_eq!(segment_index_of("keyring.json"), None);
        let p = segment_path(Path::new("/d"), 3);
        assert_eq!(p, PathBuf::from("/d/seg-00000003.pwl"));
    }

    #[test]
    fn garbage_segment_parses_with_errors_not_panics() {
        let s = SegmentFile::parse(0, PathBuf::from("x"), b"not a segment".to_vec());
        assert!(s.header.is_err());
        assert!(s.records.is_empty());
        let h = SegmentHeader {
            index: 0,
            cipher: crate::record::Cipher::Aes256Gcm,
            first_seq: 0,
            prev_hash: [0; 32],
        };
        let mut b = h.encode().to_vec();
        b.extend_from_slice(&[1, 2, 3]);
        let s = SegmentFile::parse(0, PathBuf::from("x"), b);
        assert!(s.header.is_ok());
        assert!(matches!(s.tail_error, Some((56, ParseError::Incomplete { .. }))));
    }
}
