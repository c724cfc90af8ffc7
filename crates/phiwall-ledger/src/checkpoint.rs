//! Signed checkpoints (signed tree heads): a statement "the log had `tree_size` records, its
//! Merkle root was `root` and its last record hash `chain_head`", signed with Ed25519.
//!
//! The writer appends one to `checkpoints.log` every N records or T seconds; `phiwall log
//! checkpoint` exports the latest as JSON for an auditor or a SIEM to keep elsewhere. Anyone
//! holding an old checkpoint can later prove the log was neither truncated nor rewritten: the
//! current log must contain that many records and reproduce that root.
//!
//! The binary form is fixed-size ([`CHECKPOINT_LEN`] bytes); the parsers of both forms take
//! arbitrary input and never panic.

use crate::hex;
use crate::merkle::Hash;
use crate::record::ParseError;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Magic bytes of a binary checkpoint.
pub const CHECKPOINT_MAGIC: &[u8; 8] = b"PWLCKP1\n";
/// Size of a binary checkpoint.
pub const CHECKPOINT_LEN: usize = 8 + 8 + 32 + 32 + 8 + 32 + 64;
/// Domain separation for the signed message.
const SIGNING_CONTEXT: &[u8] = b"phiwall-ledger checkpoint v1\n";

/// The checkpoints of a file, and where and why parsing stopped early.
pub type ParsedCheckpoints = (Vec<Checkpoint>, Option<(u64, ParseError)>);

/// A signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Number of records covered.
    pub tree_size: u64,
    /// Merkle root over their leaf hashes.
    pub root: Hash,
    /// Leaf hash of the last covered record (zeros when empty).
    pub chain_head: Hash,
    /// When it was signed (microseconds since the Unix epoch).
    pub time_micros: u64,
    /// The Ed25519 public key that signed it.
    pub public_key: [u8; 32],
    /// The signature over [`Checkpoint::signed_message`].
    pub signature: [u8; 64],
}

/// The JSON form, for export and for `--checkpoint FILE`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointJson {
    /// Always "phiwall-ledger-checkpoint-v1".
    pub format: String,
    /// Number of records covered.
    pub tree_size: u64,
    /// Merkle root, hex.
    pub root: String,
    /// Last record hash, hex.
    pub chain_head: String,
    /// Signing time.
    pub time_micros: u64,
    /// Public key, hex.
    pub public_key: String,
    /// Signature, hex.
    pub signature: String,
}

const JSON_FORMAT: &str = "phiwall-ledger-checkpoint-v1";

impl Checkpoint {
    /// Sign a new checkpoint.
    pub fn sign(
        key: &SigningKey,
        tree_size: u64,
        root: Hash,
        chain_head: Hash,
        time_micros: u64,
    ) -> Self {
        let mut c = Checkpoint {
            tree_size,
            root,
            chain_head,
            time_micros,
            public_key: key.verifying_key().to_bytes(),
            signature: [0; 64],
        };
        c.signature = key.sign(&c.signed_message()).to_bytes();
        c
    }

    /// The bytes the signature covers.
    pub fn signed_message(&self) -> Vec<u8> {
        let mut m = SIGNING_CONTEXT.to_vec();
        m.extend_from_slice(&self.tree_size.to_le_bytes());
        m.extend_from_slice(&self.root);
        m.extend_from_slice(&self.chain_head);
        m.extend_from_slice(&self.time_micros.to_le_bytes());
        m.extend_from_slice(&self.public_key);
        m
    }

    /// Whether the signature verifies under `key` (and `key` is the embedded public key).
    pub fn verify_with(&self, key: &VerifyingKey) -> bool {
        key.as_bytes() == &self.public_key
            && key
                .verify_strict(&self.signed_message(), &Signature::from_bytes(&self.signature))
                .is_ok()
    }

    /// Whether the signature verifies under the embedded public key (self-consistency only:
    /// trust comes from pinning that key).
    pub fn is_self_signed_valid(&self) -> bool {
        VerifyingKey::from_bytes(&self.public_key).is_ok_and(|k| self.verify_with(&k))
    }

    /// Binary form.
    pub fn encode(&self) -> [u8; CHECKPOINT_LEN] {
        let mut b = [0u8; CHECKPOINT_LEN];
        b[..8].copy_from_slice(CHECKPOINT_MAGIC);
        b[8..16].copy_from_slice(&self.tree_size.to_le_bytes());
        b[16..48].copy_from_slice(&self.root);
        b[48..80].copy_from_slice(&self.chain_head);
        b[80..88].copy_from_slice(&self.time_micros.to_le_bytes());
        b[88..120].copy_from_slice(&self.public_key);
        b[120..184].copy_from_slice(&self.signature);
        b
    }

    /// Parse the binary form from the start of `buf`.
    pub fn parse(buf: &[u8]) -> Result<Self, ParseError> {
        let Some(b) = buf.get(..CHECKPOINT_LEN) else {
            return Err(ParseError::Incomplete { needed: CHECKPOINT_LEN, available: buf.len() });
        };
        if &b[..8] != CHECKPOINT_MAGIC {
            return Err(ParseError::Malformed(
                "checkpoint magic expected, other bytes found".into(),
            ));
        }
        let arr = |r: std::ops::Range<usize>| -> Result<Vec<u8>, ParseError> {
            b.get(r).map(<[u8]>::to_vec).ok_or_else(|| ParseError::Malformed("short".into()))
        };
        let fixed = |v: Vec<u8>| -> Result<[u8; 32], ParseError> {
            v.try_into().map_err(|_| ParseError::Malformed("field length".into()))
        };
        let u64_of = |v: Vec<u8>| -> Result<u64, ParseError> {
            let a: [u8; 8] =
                v.try_into().map_err(|_| ParseError::Malformed("field length".into()))?;
            Ok(u64::from_le_bytes(a))
        };
        Ok(Checkpoint {
            tree_size: u64_of(arr(8..16)?)?,
            root: fixed(arr(16..48)?)?,
            chain_head: fixed(arr(48..80)?)?,
            time_micros: u64_of(arr(80..88)?)?,
            public_key: fixed(arr(88..120)?)?,
            signature: arr(120..184)?
                .try_into()
                .map_err(|_| ParseError::Malformed("field length".into()))?,
        })
    }

    /// Parse a whole checkpoints file: the checkpoints, and the problem with any trailing bytes.
    pub fn parse_all(buf: &[u8]) -> ParsedCheckpoints {
        let mut out = Vec::new();
        let mut off = 0usize;
        while off < buf.len() {
            match buf.get(off..).map(Checkpoint::parse) {
                Some(Ok(c)) => {
                    out.push(c);
                    off += CHECKPOINT_LEN;
                }
                Some(Err(e)) => return (out, Some((off as u64, e))),
                None => break,
            }
        }
        (out, None)
    }

    /// JSON form.
    pub fn to_json(&self) -> CheckpointJson {
        CheckpointJson {
            format: JSON_FORMAT.into(),
            tree_size: self.tree_size,
            root: hex::encode(&self.root),
            chain_head: hex::encode(&self.chain_head),
            time_micros: self.time_micros,
            public_key: hex::encode(&self.public_key),
            signature: hex::encode(&self.signature),
        }
    }

    /// Parse the JSON form (as exported by `phiwall log checkpoint`).
    pub fn from_json_str(s: &str) -> Result<Self, ParseError> {
        let j: CheckpointJson = serde_json::from_str(s)
            .map_err(|e| ParseError::Malformed(format!("checkpoint JSON: {e}")))?;
        if j.format != JSON_FORMAT {
            return Err(ParseError::Malformed(format!("format {JSON_FORMAT} expected")));
        }
        let h = |s: &str, what: &str| {
            hex::decode_array::<32>(s)
                .ok_or_else(|| ParseError::Malformed(format!("{what}: 64 hex characters expected")))
        };
        Ok(Checkpoint {
            tree_size: j.tree_size,
            root: h(&j.root, "root")?,
            chain_head: h(&j.chain_head, "chain_head")?,
            time_micros: j.time_micros,
            public_key: h(&j.public_key, "public_key")?,
            signature: hex::decode_array::<64>(&j.signature).ok_or_else(|| {
                ParseError::Malformed("signature: 128 hex characters expected".into())
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(b: u8) -> SigningKey {
        SigningKey::from_bytes(&[b; 32])
    }

    #[test]
    fn sign_encode_parse_verify() {
        let k = key(1);
        let c = Checkpoint::sign(&k, 10, [2; 32], [3; 32], 99);
        assert!(c.verify_with(&k.verifying_key()));
        assert!(c.is_self_signed_valid());
        assert!(!c.verify_with(&key(2).verifying_key()));
        let parsed = Checkpoint::parse(&c.encode()).unwrap();
        assert_eq!(parsed, c);
        let json = serde_json::to_string(&c.to_json()).unwrap();
        assert_eq!(Checkpoint::from_json_str(&json).unwrap(), c);
    }

    #[test]
    fn any_changed_field_breaks_the_signature() {
        let k = key(1);
        let c = Checkpoint::sign(&k, 10, [2; 32], [3; 32], 99);
        let mut f = c.clone();
        f.tree_size = 11;
        assert!(!f.verify_with(&k.verifying_key()));
        let mut f = c.clone();
        f.root[0] ^= 1;
        assert!(!f.is_self_signed_valid());
        let mut f = c.clone();
        f.public_key = key(2).verifying_key().to_bytes();
        assert!(!f.is_self_signed_valid());
    }

    #[test]
    fn parse_all_reports_trailing_garbage() {
        let k = key(1);
        let mut buf = Checkpoint::sign(&k, 1, [0; 32], [0; 32], 1).encode().to_vec();
        buf.extend_from_slice(&Checkpoint::sign(&k, 2, [0; 32], [0; 32], 2).encode());
        buf.extend_from_slice(b"PWLCK");
        let (cs, err) = Checkpoint::parse_all(&buf);
        assert_eq!(cs.len(), 2);
        assert!(matches!(err, Some((368, ParseError::Incomplete { .. }))));
        assert!(Checkpoint::from_json_str("{}").is_err());
        assert!(Checkpoint::from_json_str("not json").is_err());
    }

    proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = Checkpoint::parse(&bytes);
            let _ = Checkpoint::parse_all(&bytes);
            let _ = Checkpoint::from_json_str(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn magic_prefixed_noise_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut b = CHECKPOINT_MAGIC.to_vec();
            b.extend_from_slice(&bytes);
            if let Ok(c) = Checkpoint::parse(&b) {
                let _ = c.is_self_signed_valid();
            }
        }
    }
}
