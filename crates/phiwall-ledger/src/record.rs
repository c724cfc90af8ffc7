//! The on-disk formats of segment headers and records, and their parsers.
//!
//! A segment file is a [`SegmentHeader`] followed by records. A record is
//!
//! ```text
//! u32  len                     bytes that follow (body + 32)
//! body:
//!   u8   version               RECORD_VERSION
//!   u32  segment               index of the segment it was written to (its position)
//!   u64  seq                   0-based position in the whole log
//!   u64  time_micros           caller-supplied time, microseconds since the Unix epoch
//!   [32] prev_hash             leaf hash of record seq-1 (zeros for seq 0): the hash chain
//!   u32  ct_len
//!   [ct_len] ciphertext        AEAD(event), associated data = aad(segment, seq, time, prev_hash)
//! [32] hash                    SHA-256(0x00 || body): the record's Merkle leaf hash
//! ```
//!
//! All integers are little-endian. The parsers take arbitrary bytes and return a typed error:
//! they never panic and never allocate more than the input holds (checked by proptest and the
//! fuzz target `fuzz/fuzz_targets/ledger_record.rs`).

use crate::merkle::{leaf_hash, Hash};

/// Magic bytes opening every segment file.
pub const SEGMENT_MAGIC: &[u8; 8] = b"PWLSEG1\n";
/// Size of the segment header.
pub const SEGMENT_HEADER_LEN: usize = 56;
/// Version byte of the record layout.
pub const RECORD_VERSION: u8 = 1;
/// Fixed part of a body: version, segment, seq, time, prev_hash, ct_len.
pub const BODY_FIXED_LEN: usize = 1 + 4 + 8 + 8 + 32 + 4;
/// Largest ciphertext accepted (events are small JSON documents; this bounds what a corrupt
/// length field can make a reader allocate).
pub const MAX_CIPHERTEXT: usize = 16 << 20;

/// Which AEAD a segment's records use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// AES-256-GCM (the default: FIPS-approved and hardware-accelerated on x86-64 and ARMv8).
    Aes256Gcm,
    /// ChaCha20-Poly1305 (fast without AES hardware).
    ChaCha20Poly1305,
}

impl Cipher {
    /// Byte stored in the segment header.
    pub fn id(self) -> u8 {
        match self {
            Cipher::Aes256Gcm => 1,
            Cipher::ChaCha20Poly1305 => 2,
        }
    }
    /// Inverse of [`Cipher::id`].
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            1 => Some(Cipher::Aes256Gcm),
            2 => Some(Cipher::ChaCha20Poly1305),
            _ => None,
        }
    }
    /// Name used in the key ring and in output.
    pub fn name(self) -> &'static str {
        match self {
            Cipher::Aes256Gcm => "aes-256-gcm",
            Cipher::ChaCha20Poly1305 => "chacha20-poly1305",
        }
    }
    /// Inverse of [`Cipher::name`].
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "aes-256-gcm" => Some(Cipher::Aes256Gcm),
            "chacha20-poly1305" => Some(Cipher::ChaCha20Poly1305),
            _ => None,
        }
    }
}

/// The header at the start of each segment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentHeader {
    /// Segment index (also in the file name).
    pub index: u32,
    /// AEAD of its records.
    pub cipher: Cipher,
    /// Sequence number of its first record.
    pub first_seq: u64,
    /// Leaf hash of the record before its first (zeros at the start of the log).
    pub prev_hash: Hash,
}

/// Why bytes failed to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The input ends inside the structure: a torn write or a truncated file.
    Incomplete {
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// The bytes cannot be this structure.
    Malformed(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Incomplete { needed, available } => {
                write!(f, "incomplete: needs {needed} bytes, {available} present")
            }
            ParseError::Malformed(d) => f.write_str(d),
        }
    }
}

impl SegmentHeader {
    /// Serialize.
    pub fn encode(&self) -> [u8; SEGMENT_HEADER_LEN] {
        let mut b = [0u8; SEGMENT_HEADER_LEN];
        b[..8].copy_from_slice(SEGMENT_MAGIC);
        b[8..12].copy_from_slice(&self.index.to_le_bytes());
        b[12] = self.cipher.id();
        b[16..24].copy_from_slice(&self.first_seq.to_le_bytes());
        b[24..56].copy_from_slice(&self.prev_hash);
        b
    }

    /// Parse from the start of `buf`.
    pub fn parse(buf: &[u8]) -> Result<Self, ParseError> {
        let Some(b) = buf.get(..SEGMENT_HEADER_LEN) else {
            return Err(ParseError::Incomplete {
                needed: SEGMENT_HEADER_LEN,
                available: buf.len(),
            });
        };
        if &b[..8] != SEGMENT_MAGIC {
            return Err(ParseError::Malformed("segment magic expected, other bytes found".into()));
        }
        let cipher = Cipher::from_id(b[12])
            .ok_or_else(|| ParseError::Malformed(format!("unknown cipher id {}", b[12])))?;
        if b[13..16] != [0, 0, 0] {
            return Err(ParseError::Malformed("reserved header bytes are not zero".into()));
        }
        Ok(SegmentHeader {
            index: u32_at(b, 8),
            cipher,
            first_seq: u64_at(b, 16),
            prev_hash: hash_at(b, 24),
        })
    }
}

/// A record parsed from a buffer, borrowing its ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView<'a> {
    /// Segment the record claims to belong to.
    pub segment: u32,
    /// Sequence number.
    pub seq: u64,
    /// Time in microseconds since the Unix epoch.
    pub time_micros: u64,
    /// Claimed hash of the previous record.
    pub prev_hash: Hash,
    /// The encrypted event.
    pub ciphertext: &'a [u8],
    /// The hash stored after the body.
    pub stored_hash: Hash,
    /// `SHA-256(0x00 || body)` recomputed from the bytes.
    pub computed_hash: Hash,
    /// Total encoded length including the length prefix.
    pub encoded_len: usize,
}

impl RecordView<'_> {
    /// Whether the stored hash matches the bytes.
    pub fn is_intact(&self) -> bool {
        self.stored_hash == self.computed_hash
    }
}

/// The associated data bound into each record's AEAD: its position and the previous hash, so a
/// ciphertext moved to another place in the log no longer decrypts.
pub fn aad(segment: u32, seq: u64, time_micros: u64, prev_hash: &Hash) -> [u8; 60] {
    let mut a = [0u8; 60];
    a[..8].copy_from_slice(b"pwl-rec1");
    a[8..12].copy_from_slice(&segment.to_le_bytes());
    a[12..20].copy_from_slice(&seq.to_le_bytes());
    a[20..28].copy_from_slice(&time_micros.to_le_bytes());
    a[28..60].copy_from_slice(prev_hash);
    a
}

/// Append an encoded record to `out` and return its leaf hash.
pub fn encode_record(
    out: &mut Vec<u8>,
    segment: u32,
    seq: u64,
    time_micros: u64,
    prev_hash: &Hash,
    ciphertext: &[u8],
) -> Hash {
    let body_len = BODY_FIXED_LEN + ciphertext.len();
    let total = body_len + 32;
    out.reserve(4 + total);
    out.extend_from_slice(&(total as u32).to_le_bytes());
    let body_start = out.len();
    out.push(RECORD_VERSION);
    out.extend_from_slice(&segment.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&time_micros.to_le_bytes());
    out.extend_from_slice(prev_hash);
    out.extend_from_slice(&(ciphertext.len() as u32).to_le_bytes());
    out.extend_from_slice(ciphertext);
    let h = leaf_hash(&out[body_start..]);
    out.extend_from_slice(&h);
    h
}

/// Parse one record from the start of `buf`.
pub fn parse_record(buf: &[u8]) -> Result<RecordView<'_>, ParseError> {
    let Some(len_bytes) = buf.get(..4) else {
        return Err(ParseError::Incomplete { needed: 4, available: buf.len() });
    };
    let total = u32_at(len_bytes, 0) as usize;
    if !(BODY_FIXED_LEN + 32..=BODY_FIXED_LEN + 32 + MAX_CIPHERTEXT).contains(&total) {
        return Err(ParseError::Malformed(format!(
            "record length between {} and {} expected, {total} found",
            BODY_FIXED_LEN + 32,
            BODY_FIXED_LEN + 32 + MAX_CIPHERTEXT
        )));
    }
    let Some(rec) = buf.get(4..4 + total) else {
        return Err(ParseError::Incomplete { needed: 4 + total, available: buf.len() });
    };
    let body = &rec[..total - 32];
    if body[0] != RECORD_VERSION {
        return Err(ParseError::Malformed(format!(
            "record version {RECORD_VERSION} expected, {} found",
            body[0]
        )));
    }
    let ct_len = u32_at(body, 53) as usize;
    if BODY_FIXED_LEN + ct_len != body.len() {
        return Err(ParseError::Malformed(format!(
            "ciphertext length {} expected from the record length, {ct_len} found",
            body.len() - BODY_FIXED_LEN
        )));
    }
    Ok(RecordView {
        segment: u32_at(body, 1),
        seq: u64_at(body, 5),
        time_micros: u64_at(body, 13),
        prev_hash: hash_at(body, 21),
        ciphertext: &body[BODY_FIXED_LEN..],
        stored_hash: hash_at(rec, total - 32),
        computed_hash: leaf_hash(body),
        encoded_len: 4 + total,
    })
}

// The helpers below are only called with offsets the callers have bounds-checked; they still
// fall back to zeros rather than panic if that ever stops being true.
fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_le_bytes)
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes)
}
fn hash_at(b: &[u8], at: usize) -> Hash {
    b.get(at..at + 32).and_then(|s| s.try_into().ok()).unwrap_or([0; 32])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn record_round_trip() {
        let mut out = Vec::new();
        let h = encode_record(&mut out, 3, 42, 1_700_000_000_000_000, &[7; 32], b"cipher");
        let r = parse_record(&out).unwrap();
        assert_eq!((r.segment, r.seq, r.time_micros), (3, 42, 1_700_000_000_000_000));
        assert_eq!(r.prev_hash, [7; 32]);
        assert_eq!(r.ciphertext, b"cipher");
        assert_eq!(r.stored_hash, h);
        assert!(r.is_intact());
        assert_eq!(r.encoded_len, out.len());
    }

    #[test]
    fn modified_byte_breaks_the_hash_and_short_input_is_incomplete() {
        let mut out = Vec::new();
        encode_record(&mut out, 0, 1, 2, &[0; 32], b"abcdef");
        let mut bad = out.clone();
        let n = bad.len();
        bad[n - 35] ^= 1;
        assert!(!parse_record(&bad).unwrap().is_intact());
        assert!(matches!(parse_record(&out[..n - 1]), Err(ParseError::Incomplete { .. })));
        assert!(matches!(parse_record(&out[..2]), Err(ParseError::Incomplete { .. })));
        let mut wrong_version = out.clone();
        wrong_version[4] = 9;
        assert!(matches!(parse_record(&wrong_version), Err(ParseError::Malformed(_))));
        let huge = [0xffu8; 8];
        assert!(matches!(parse_record(&huge), Err(ParseError::Malformed(_))));
    }

    #[test]
    fn header_round_trip_and_rejects() {
        let h = SegmentHeader {
            index: 9,
            cipher: Cipher::ChaCha20Poly1305,
            first_seq: 100,
            prev_hash: [5; 32],
        };
        assert_eq!(SegmentHeader::parse(&h.encode()).unwrap(), h);
        let mut b = h.encode();
        b[0] = b'X';
        assert!(matches!(SegmentHeader::parse(&b), Err(ParseError::Malformed(_))));
        let mut b = h.encode();
        b[12] = 77;
        assert!(matches!(SegmentHeader::parse(&b), Err(ParseError::Malformed(_))));
        assert!(matches!(SegmentHeader::parse(&b[..10]), Err(ParseError::Incomplete { .. })));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_record(&bytes);
            let _ = SegmentHeader::parse(&bytes);
        }

        #[test]
        fn parsers_never_panic_on_valid_prefix_then_noise(
            ct in proptest::collection::vec(any::<u8>(), 0..64),
            noise in proptest::collection::vec(any::<u8>(), 0..64),
            cut in any::<usize>(),
            flip in any::<usize>(),
        ) {
            let mut out = Vec::new();
            encode_record(&mut out, 1, 2, 3, &[4; 32], &ct);
            let i = flip % out.len();
            out[i] ^= 0x5a;
            out.extend_from_slice(&noise);
            let cut = cut % (out.len() + 1);
            let _ = parse_record(&out[..cut]);
        }
    }
}
