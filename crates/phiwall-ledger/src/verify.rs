//! Verification: re-derive everything from the bytes and report the first thing that is wrong,
//! named for what it most likely is (modified, missing, reordered, duplicated, truncated, a
//! swapped segment, a bad or forged checkpoint, or a log inconsistent with a checkpoint the
//! auditor kept).
//!
//! Verification needs no secret: it checks stored hashes against the bytes, the hash chain,
//! sequence numbers, segment headers, and every signed checkpoint's signature, size and root
//! against a Merkle tree rebuilt from the records. Events are never decrypted, so a
//! crypto-shredded segment verifies like any other.
//!
//! What it cannot see without a checkpoint kept elsewhere: an attacker with write access who
//! rewrites the whole tail *and* re-signs with a new key. Pinning the public key
//! (`--public-key`) or keeping a checkpoint (`--checkpoint`) closes that gap.

use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::hex;
use crate::keys::KeyRing;
use crate::merkle::{CompactTree, Hash};
use crate::record::{ParseError, SegmentHeader, SEGMENT_HEADER_LEN};
use crate::store::{list_segments, read_checkpoints, SegmentFile};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The first problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// A record's bytes no longer match its stored hash.
    Modified {
        /// Segment file index.
        segment: u32,
        /// Sequence number the record claims.
        seq: u64,
        /// Byte offset in the segment file.
        offset: u64,
    },
    /// A record is consistent in itself but its link to the previous record is wrong: the
    /// previous record (or this link) was rewritten.
    ChainBroken {
        /// Segment file index.
        segment: u32,
        /// Sequence number of the record whose link fails.
        seq: u64,
    },
    /// Bytes that are not a record where a record should be.
    Malformed {
        /// Segment file index.
        segment: u32,
        /// Byte offset.
        offset: u64,
        /// What was expected and found.
        detail: String,
    },
    /// Records are absent: `expected_seq` was due, `found_seq` came instead.
    Missing {
        /// Segment file index.
        segment: u32,
        /// Sequence number expected.
        expected_seq: u64,
        /// Sequence number found (first present after the gap).
        found_seq: u64,
    },
    /// Whole segment files are absent.
    MissingSegment {
        /// Segment index expected.
        expected: u32,
        /// Segment index found.
        found: u32,
    },
    /// Records are out of order: `expected_seq` appears later in the log.
    Reordered {
        /// Segment file index.
        segment: u32,
        /// Sequence number expected here.
        expected_seq: u64,
        /// Sequence number found here.
        found_seq: u64,
    },
    /// A record appears again.
    Duplicated {
        /// Segment file index.
        segment: u32,
        /// The repeated sequence number.
        seq: u64,
    },
    /// The log ends early: cut inside a record, or fewer records than a checkpoint covers.
    Truncated {
        /// Records present (complete and valid).
        records: u64,
        /// What shows the truncation.
        detail: String,
    },
    /// A segment file holds another segment's contents (files swapped or renamed).
    SegmentSwapped {
        /// Index in the file name.
        file_index: u32,
        /// Index the contents claim.
        content_index: u32,
    },
    /// A checkpoint's signature does not verify.
    BadSignature {
        /// Which checkpoint ("checkpoints.log #3" or "kept checkpoint").
        checkpoint: String,
        /// Its tree size.
        tree_size: u64,
    },
    /// A checkpoint carries a valid signature by a key other than the trusted one.
    ForgedCheckpoint {
        /// Which checkpoint.
        checkpoint: String,
        /// Why it is forged.
        detail: String,
    },
    /// A correctly signed checkpoint does not match the records: history was rewritten after
    /// it was signed.
    RewrittenHistory {
        /// Which checkpoint.
        checkpoint: String,
        /// Its tree size.
        tree_size: u64,
    },
}

impl Problem {
    /// Short name of the kind of tampering.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::Modified { .. } | Problem::ChainBroken { .. } | Problem::Malformed { .. } => {
                "modified"
            }
            Problem::Missing { .. } | Problem::MissingSegment { .. } => "missing",
            Problem::Reordered { .. } => "reordered",
            Problem::Duplicated { .. } => "duplicated",
            Problem::Truncated { .. } => "truncated",
            Problem::SegmentSwapped { .. } => "segment swapped",
            Problem::BadSignature { .. } => "bad signature",
            Problem::ForgedCheckpoint { .. } => "forged checkpoint",
            Problem::RewrittenHistory { .. } => "inconsistent with checkpoint",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let k = self.kind();
        match self {
            Problem::Modified { segment, seq, offset } => write!(
                f,
                "{k}: record seq {seq} (segment {segment}, offset {offset}) does not match its hash"
            ),
            Problem::ChainBroken { segment, seq } => write!(
                f,
                "{k}: the record before seq {seq} (segment {segment}) was rewritten: the hash chain breaks at seq {seq}"
            ),
            Problem::Malformed { segment, offset, detail } => {
                write!(f, "{k}: segment {segment} offset {offset} is not a valid record: {detail}")
            }
            Problem::Missing { segment, expected_seq, found_seq } => write!(
                f,
                "{k}: records {expected_seq}..{} are absent (segment {segment} continues at seq {found_seq})",
                found_seq.saturating_sub(1)
            ),
            Problem::MissingSegment { expected, found } => {
                write!(f, "{k}: segment {expected} expected, segment {found} found")
            }
            Problem::Reordered { segment, expected_seq, found_seq } => write!(
                f,
                "{k}: seq {expected_seq} expected in segment {segment}, seq {found_seq} found (seq {expected_seq} appears later)"
            ),
            Problem::Duplicated { segment, seq } => {
                write!(f, "{k}: record seq {seq} appears again in segment {segment}")
            }
            Problem::Truncated { records, detail } => write!(f, "{k}: {detail} ({records} valid records remain)"),
            Problem::SegmentSwapped { file_index, content_index } => write!(
                f,
                "{k}: segment file {file_index} holds the contents of segment {content_index}"
            ),
            Problem::BadSignature { checkpoint, tree_size } => {
                write!(f, "{k}: {checkpoint} (tree size {tree_size}) has an invalid signature")
            }
            Problem::ForgedCheckpoint { checkpoint, detail } => write!(f, "{k}: {checkpoint}: {detail}"),
            Problem::RewrittenHistory { checkpoint, tree_size } => write!(
                f,
                "{k}: the first {tree_size} records do not reproduce the Merkle root signed in {checkpoint}: history was rewritten"
            ),
        }
    }
}

/// Options for [`verify_dir`].
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// A checkpoint the auditor kept from earlier.
    pub kept_checkpoint: Option<Checkpoint>,
    /// The trusted public key (overrides the kept checkpoint's and the key ring's).
    pub public_key: Option<VerifyingKey>,
}

/// The outcome of verification.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Valid records before the first problem (all of them when there is none).
    pub records: u64,
    /// Segment files read.
    pub segments: usize,
    /// Checkpoints read from `checkpoints.log`.
    pub checkpoints: usize,
    /// Size covered by the latest valid checkpoint.
    pub latest_checkpoint_size: Option<u64>,
    /// Merkle root over all valid records, hex.
    pub root: String,
    /// Whether a kept checkpoint was checked and the current log reproduces its root.
    pub kept_checkpoint_consistent: Option<bool>,
    /// The first problem, if any.
    pub problem: Option<Problem>,
    /// Weaknesses that are not tampering (no checkpoint yet, a torn checkpoint write).
    pub warnings: Vec<String>,
}

impl VerifyReport {
    /// Whether the log verified.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Verify the ledger in `dir`.
///
/// Streams: segment headers are read up front (56 bytes each), then one segment at a time is
/// read and parsed on a helper thread while the previous one is checked, so memory holds about
/// two segments however long the log is. Files are read again only to name a problem once one
/// is found.
pub fn verify_dir(dir: &Path, options: &VerifyOptions) -> Result<VerifyReport> {
    let list = list_segments(dir)?;
    let mut headers = Vec::with_capacity(list.len());
    for (_, path) in &list {
        headers.push(read_header(path)?);
    }
    let (checkpoints, ckpt_tail) = read_checkpoints(dir)?;
    let ring_key = KeyRing::new(dir).public_key()?;
    let read_lean = |index: u32, path: &Path| -> Result<SegmentFile> {
        let mut s = SegmentFile::read(index, path.to_path_buf())?;
        s.bytes = Vec::new();
        Ok(s)
    };
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<SegmentFile>>(1);
        let list_ref = &list;
        scope.spawn(move || {
            for (index, path) in list_ref {
                if tx.send(read_lean(*index, path)).is_err() {
                    break;
                }
            }
        });
        let next = Cell::new(0usize);
        let src = Source {
            names: list.iter().map(|(i, _)| *i).collect(),
            headers,
            load: Box::new(move |k| {
                // In-order requests come from the prefetching thread; any other (naming a
                // problem) reads the file again.
                if k == next.get() {
                    next.set(k + 1);
                    return match rx.recv() {
                        Ok(r) => r.map(Cow::Owned),
                        Err(_) => Err(Error::WriterFailed("segment reader stopped".into())),
                    };
                }
                let (index, path) = list_ref
                    .get(k)
                    .ok_or_else(|| Error::Proof(format!("segment position {k} out of range")))?;
                read_lean(*index, path).map(Cow::Owned)
            }),
        };
        let report = run(&src, &checkpoints, ckpt_tail, ring_key, options);
        // Dropping the source drops the receiver, which ends the reader thread.
        drop(src);
        report
    })
}

/// The header of a segment file, or why it cannot be read as one.
fn read_header(path: &Path) -> Result<std::result::Result<SegmentHeader, ParseError>> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut buf = Vec::with_capacity(SEGMENT_HEADER_LEN);
    f.take(SEGMENT_HEADER_LEN as u64)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io("read", path, e))?;
    Ok(SegmentHeader::parse(&buf))
}

/// Verify already-read parts (the core of [`verify_dir`], separated for tests and fuzzing).
pub fn verify_parts(
    segments: &[SegmentFile],
    checkpoints: &[Checkpoint],
    ckpt_tail: Option<(u64, ParseError)>,
    ring_key: Option<VerifyingKey>,
    options: &VerifyOptions,
) -> VerifyReport {
    let src = Source {
        names: segments.iter().map(|s| s.name_index).collect(),
        headers: segments.iter().map(|s| s.header.clone()).collect(),
        load: Box::new(|k| {
            segments
                .get(k)
                .map(Cow::Borrowed)
                .ok_or_else(|| Error::Proof(format!("segment position {k} out of range")))
        }),
    };
    // In-memory segments cannot fail to load; keep the signature infallible for callers.
    run(&src, checkpoints, ckpt_tail, ring_key, options).unwrap_or_else(|e| VerifyReport {
        records: 0,
        segments: segments.len(),
        checkpoints: checkpoints.len(),
        latest_checkpoint_size: None,
        root: String::new(),
        kept_checkpoint_consistent: None,
        problem: Some(Problem::Malformed { segment: 0, offset: 0, detail: e.to_string() }),
        warnings: Vec::new(),
    })
}

/// Segments for verification: names and headers up front, whole segments on request.
struct Source<'a> {
    names: Vec<u32>,
    headers: Vec<std::result::Result<SegmentHeader, ParseError>>,
    load: Box<dyn Fn(usize) -> Result<Cow<'a, SegmentFile>> + 'a>,
}

impl Source<'_> {
    fn len(&self) -> usize {
        self.names.len()
    }
    fn get(&self, k: usize) -> Result<Cow<'_, SegmentFile>> {
        (self.load)(k)
    }
    fn header(&self, k: usize) -> Option<&SegmentHeader> {
        self.headers.get(k).and_then(|h| h.as_ref().ok())
    }
}

/// Merkle roots and chain heads captured at the tree sizes checkpoints name.
type Marks = BTreeMap<u64, (Hash, Hash)>;

fn run(
    src: &Source<'_>,
    checkpoints: &[Checkpoint],
    ckpt_tail: Option<(u64, ParseError)>,
    ring_key: Option<VerifyingKey>,
    options: &VerifyOptions,
) -> Result<VerifyReport> {
    let mut wanted: BTreeSet<u64> = checkpoints.iter().map(|c| c.tree_size).collect();
    if let Some(c) = &options.kept_checkpoint {
        wanted.insert(c.tree_size);
    }
    let (tree, marks, problem) = check_records(src, &wanted)?;
    let mut report = VerifyReport {
        records: tree.len(),
        segments: src.len(),
        checkpoints: checkpoints.len(),
        latest_checkpoint_size: None,
        root: hex::encode(&tree.root()),
        kept_checkpoint_consistent: None,
        problem,
        warnings: Vec::new(),
    };
    if report.problem.is_some() {
        return Ok(report);
    }
    let mut warnings = Vec::new();
    report.problem = check_checkpoints(
        tree.len(),
        &marks,
        checkpoints,
        ckpt_tail,
        ring_key,
        options,
        &mut report,
        &mut warnings,
    );
    report.warnings = warnings;
    Ok(report)
}

fn check_records(
    src: &Source<'_>,
    wanted: &BTreeSet<u64>,
) -> Result<(CompactTree, Marks, Option<Problem>)> {
    let mut tree = CompactTree::new();
    let mut head: Hash = [0; 32];
    let mut marks = Marks::new();
    if wanted.contains(&0) {
        marks.insert(0, (tree.root(), head));
    }
    let count = src.len();
    for k in 0..count {
        let name_index = src.names.get(k).copied().unwrap_or(u32::MAX);
        let expected_index = u32::try_from(k).unwrap_or(u32::MAX);
        let header = match src.headers.get(k) {
            Some(Ok(h)) => h,
            Some(Err(ParseError::Incomplete { .. })) if k + 1 == count => {
                let p = Problem::Truncated {
                    records: tree.len(),
                    detail: format!("segment {name_index} ends inside its header"),
                };
                return Ok((tree, marks, Some(p)));
            }
            Some(Err(e)) => {
                let p = Problem::Malformed {
                    segment: name_index,
                    offset: 0,
                    detail: format!("segment header: {e}"),
                };
                return Ok((tree, marks, Some(p)));
            }
            None => break,
        };
        if header.index != name_index {
            let other_claims_this =
                (0..count).any(|j| src.header(j).is_some_and(|h| h.index == name_index));
            let already = (0..k).any(|j| src.header(j).is_some_and(|h| h.index == header.index));
            let p = if other_claims_this {
                Problem::SegmentSwapped { file_index: name_index, content_index: header.index }
            } else if already {
                Problem::Duplicated { segment: name_index, seq: header.first_seq }
            } else if header.index > expected_index && header.first_seq > tree.len() {
                Problem::MissingSegment { expected: expected_index, found: header.index }
            } else {
                Problem::SegmentSwapped { file_index: name_index, content_index: header.index }
            };
            return Ok((tree, marks, Some(p)));
        }
        if name_index != expected_index {
            let p = Problem::MissingSegment { expected: expected_index, found: name_index };
            return Ok((tree, marks, Some(p)));
        }
        let expected_seq = tree.len();
        if header.first_seq != expected_seq {
            let p = if header.first_seq > expected_seq {
                if appears_later(src, k, 0, expected_seq)? {
                    Problem::SegmentSwapped { file_index: name_index, content_index: header.index }
                } else {
                    Problem::Missing {
                        segment: name_index,
                        expected_seq,
                        found_seq: header.first_seq,
                    }
                }
            } else {
                Problem::Duplicated { segment: name_index, seq: header.first_seq }
            };
            return Ok((tree, marks, Some(p)));
        }
        if header.prev_hash != head {
            return Ok((
                tree,
                marks,
                Some(Problem::ChainBroken { segment: name_index, seq: expected_seq }),
            ));
        }
        let seg = src.get(k)?;
        for (i, r) in seg.records.iter().enumerate() {
            let expected = tree.len();
            if r.stored_hash != r.computed_hash {
                let p = Problem::Modified { segment: name_index, seq: r.seq, offset: r.offset };
                return Ok((tree, marks, Some(p)));
            }
            if r.seq != expected {
                let p = if r.seq < expected {
                    if hash_of(src, k, i, r.seq)? == Some(r.stored_hash) {
                        Problem::Duplicated { segment: name_index, seq: r.seq }
                    } else {
                        Problem::Reordered {
                            segment: name_index,
                            expected_seq: expected,
                            found_seq: r.seq,
                        }
                    }
                } else if appears_later(src, k, i + 1, expected)? {
                    Problem::Reordered {
                        segment: name_index,
                        expected_seq: expected,
                        found_seq: r.seq,
                    }
                } else {
                    Problem::Missing {
                        segment: name_index,
                        expected_seq: expected,
                        found_seq: r.seq,
                    }
                };
                return Ok((tree, marks, Some(p)));
            }
            if r.segment != name_index {
                let p =
                    Problem::SegmentSwapped { file_index: name_index, content_index: r.segment };
                return Ok((tree, marks, Some(p)));
            }
            if r.prev_hash != head {
                return Ok((
                    tree,
                    marks,
                    Some(Problem::ChainBroken { segment: name_index, seq: r.seq }),
                ));
            }
            tree.push(r.stored_hash);
            head = r.stored_hash;
            if wanted.contains(&tree.len()) {
                marks.insert(tree.len(), (tree.root(), head));
            }
        }
        if let Some((offset, e)) = &seg.tail_error {
            let p = match e {
                ParseError::Incomplete { needed, available } => Problem::Truncated {
                    records: tree.len(),
                    detail: format!(
                        "segment {name_index} ends inside a record at offset {offset} ({available} of {needed} bytes)"
                    ),
                },
                ParseError::Malformed(d) => {
                    Problem::Malformed { segment: name_index, offset: *offset, detail: d.clone() }
                }
            };
            return Ok((tree, marks, Some(p)));
        }
    }
    Ok((tree, marks, None))
}

/// Whether a record with `seq` appears at or after record `from_record` of segment position
/// `from_seg` (only asked once a problem is found).
fn appears_later(src: &Source<'_>, from_seg: usize, from_record: usize, seq: u64) -> Result<bool> {
    for k in from_seg..src.len() {
        let skip = if k == from_seg { from_record } else { 0 };
        if src.get(k)?.records.iter().skip(skip).any(|r| r.seq == seq) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The hash of the first record with `seq` before record `before` of segment position `upto`
/// (only asked once a problem is found).
fn hash_of(src: &Source<'_>, upto: usize, before: usize, seq: u64) -> Result<Option<Hash>> {
    for k in 0..=upto {
        let seg = src.get(k)?;
        let limit = if k == upto { before } else { usize::MAX };
        if let Some(r) = seg.records.iter().take(limit).find(|r| r.seq == seq) {
            return Ok(Some(r.stored_hash));
        }
    }
    Ok(None)
}

#[allow(clippy::too_many_arguments)]
fn check_checkpoints(
    n: u64,
    marks: &Marks,
    checkpoints: &[Checkpoint],
    ckpt_tail: Option<(u64, ParseError)>,
    ring_key: Option<VerifyingKey>,
    options: &VerifyOptions,
    report: &mut VerifyReport,
    warnings: &mut Vec<String>,
) -> Option<Problem> {
    let kept = options.kept_checkpoint.as_ref();
    if let Some(c) = kept {
        if !c.is_self_signed_valid() {
            return Some(Problem::BadSignature {
                checkpoint: "kept checkpoint".into(),
                tree_size: c.tree_size,
            });
        }
    }
    // Trust order: a pinned key, then the key of the checkpoint the auditor kept, then the
    // key ring's (which an attacker with write access could have replaced).
    let trusted = options
        .public_key
        .or_else(|| kept.and_then(|c| VerifyingKey::from_bytes(&c.public_key).ok()))
        .or(ring_key);
    if let (Some(t), Some(c)) = (trusted, kept) {
        if !c.verify_with(&t) {
            return Some(Problem::ForgedCheckpoint {
                checkpoint: "kept checkpoint".into(),
                detail: "signed by a key other than the pinned public key".into(),
            });
        }
    }
    if let (Some(t), Some(r)) = (trusted, ring_key) {
        if t != r && (kept.is_some() || options.public_key.is_some()) {
            warnings.push("the key ring's signing public key differs from the trusted key".into());
        }
    }
    if let Some((off, e)) = ckpt_tail {
        match e {
            ParseError::Incomplete { .. } => {
                warnings.push(format!("checkpoints file ends in a torn write at offset {off}"));
            }
            ParseError::Malformed(d) => {
                return Some(Problem::ForgedCheckpoint {
                    checkpoint: format!("checkpoints.log offset {off}"),
                    detail: format!("not a checkpoint: {d}"),
                });
            }
        }
    }
    let matches = |c: &Checkpoint| {
        marks.get(&c.tree_size).is_some_and(|(root, head)| {
            *root == c.root && (c.tree_size == 0 || *head == c.chain_head)
        })
    };
    let mut last_size = 0u64;
    for (i, c) in checkpoints.iter().enumerate() {
        let name = format!("checkpoints.log #{}", i + 1);
        let Some(t) = trusted else {
            warnings.push("no signing public key: checkpoint signatures not checked".into());
            break;
        };
        if !c.verify_with(&t) {
            return Some(if c.is_self_signed_valid() {
                Problem::ForgedCheckpoint {
                    checkpoint: name,
                    detail: "signed by a key other than the trusted one".into(),
                }
            } else {
                Problem::BadSignature { checkpoint: name, tree_size: c.tree_size }
            });
        }
        if c.tree_size > n {
            return Some(Problem::Truncated {
                records: n,
                detail: format!("{name} was signed over {} records", c.tree_size),
            });
        }
        if !matches(c) {
            return Some(Problem::RewrittenHistory { checkpoint: name, tree_size: c.tree_size });
        }
        if c.tree_size < last_size {
            warnings.push(format!("{name} covers fewer records than the one before it"));
        }
        last_size = last_size.max(c.tree_size);
        report.latest_checkpoint_size = Some(last_size);
    }
    if let Some(c) = kept {
        if c.tree_size > n {
            return Some(Problem::Truncated {
                records: n,
                detail: format!("the kept checkpoint was signed over {} records", c.tree_size),
            });
        }
        // The current log's first `tree_size` records reproduce the kept root: the log is an
        // extension of what the auditor saw (recomputed here, so no proof is needed).
        let ok = matches(c);
        report.kept_checkpoint_consistent = Some(ok);
        if !ok {
            return Some(Problem::RewrittenHistory {
                checkpoint: "kept checkpoint".into(),
                tree_size: c.tree_size,
            });
        }
    }
    if checkpoints.is_empty() && n > 0 {
        warnings.push(
            "no signed checkpoint yet: removal of whole records at the end cannot be detected"
                .into(),
        );
    } else if last_size < n {
        warnings.push(format!(
            "{} records after the latest checkpoint are covered by the hash chain only",
            n - last_size
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::DataKey;
    use crate::merkle::MerkleTree;
    use crate::record::{encode_record, Cipher};
    use proptest::prelude::*;
    use std::path::PathBuf;

    /// One in-memory segment of `n` records.
    fn segment(n: u64) -> (Vec<u8>, MerkleTree) {
        let key = DataKey::random(0, Cipher::Aes256Gcm).unwrap();
        let header =
            SegmentHeader { index: 0, cipher: Cipher::Aes256Gcm, first_seq: 0, prev_hash: [0; 32] };
        let mut b = header.encode().to_vec();
        let mut prev = [0u8; 32];
        let mut tree = MerkleTree::new();
        for seq in 0..n {
            let ct = key.seal(seq, seq, &prev, b"{}").unwrap();
            prev = encode_record(&mut b, 0, seq, seq, &prev, &ct);
            tree.push(prev);
        }
        (b, tree)
    }

    fn run(bytes: Vec<u8>, checkpoints: &[Checkpoint], key: Option<VerifyingKey>) -> VerifyReport {
        let seg = SegmentFile::parse(0, PathBuf::from("t"), bytes);
        verify_parts(&[seg], checkpoints, None, key, &VerifyOptions::default())
    }

    #[test]
    fn clean_segment_and_matching_checkpoint_verify() {
        let (b, tree) = segment(9);
        let sk = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let c = Checkpoint::sign(&sk, 9, tree.root(), *tree.leaf(8).unwrap(), 1);
        let r = run(b, &[c], Some(sk.verifying_key()));
        assert!(r.is_ok(), "{:?}", r.problem);
        assert_eq!(r.records, 9);
        assert_eq!(r.latest_checkpoint_size, Some(9));
    }

    #[test]
    fn checkpoint_beyond_the_log_is_truncation_and_wrong_root_is_rewrite() {
        let (b, tree) = segment(9);
        let sk = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let long = Checkpoint::sign(&sk, 12, tree.root(), [0; 32], 1);
        let r = run(b.clone(), &[long], Some(sk.verifying_key()));
        assert_eq!(r.problem.map(|p| p.kind()), Some("truncated"));
        let wrong = Checkpoint::sign(&sk, 5, tree.root(), *tree.leaf(4).unwrap(), 1);
        let r = run(b, &[wrong], Some(sk.verifying_key()));
        assert!(matches!(r.problem, Some(Problem::RewrittenHistory { tree_size: 5, .. })));
    }

    #[test]
    fn problems_display_their_kind_without_content() {
        let p = Problem::Missing { segment: 1, expected_seq: 4, found_seq: 7 };
        assert!(p.to_string().starts_with("missing: records 4..6"));
        let p = Problem::SegmentSwapped { file_index: 1, content_index: 2 };
        assert_eq!(p.kind(), "segment swapped");
    }

    proptest! {
        #[test]
        fn verify_never_panics_on_random_segment_bytes(noise in proptest::collection::vec(any::<u8>(), 0..400),
                                                        at in any::<usize>(), keep_header in any::<bool>()) {
            let (mut b, _) = segment(4);
            if keep_header {
                let i = 56 + at % (b.len() - 56);
                b.splice(i..(i + noise.len()).min(b.len()), noise.iter().copied());
            } else {
                b = noise;
            }
            let r = run(b, &[], None);
            let _ = r.problem.map(|p| p.to_string());
        }
    }
}
