//! `phiwall-ledger`: the tamper-evident, encrypted audit log.
//!
//! What it does:
//! - appends events (opaque bytes, usually JSON without PHI values) to segment files, each event
//!   encrypted with a per-segment data key (AES-256-GCM or ChaCha20-Poly1305) bound to its
//!   position and to the previous record's hash ([`record`], [`keys`]);
//! - chains records by hash and builds a Merkle tree over them with RFC 6962/9162 hashing,
//!   inclusion and consistency proofs ([`merkle`]);
//! - signs checkpoints (Ed25519) every N records or T seconds into a separate file, exportable
//!   for auditors and SIEMs ([`checkpoint`]);
//! - manages keys: KEKs from a 0600 file, an environment variable or a [`keys::KeyProvider`]
//!   (KMS/HSM-ready), rotation with re-wrapping and crypto-shredding ([`keys`]);
//! - commits in groups with a configurable fsync policy and recovers a torn tail after a crash
//!   ([`appender`]);
//! - verifies everything without any secret and names the first problem ([`verify`]).
//!
//! What it does not do: define the event schema (the gateway's event type lives elsewhere),
//! ship events to a SIEM, or keep checkpoints off-host (export them with `phiwall log
//! checkpoint`). It depends on no other phiwall crate.
#![forbid(unsafe_code)]

pub mod appender;
pub mod bench;
pub mod checkpoint;
pub mod clock;
pub mod error;
pub mod hex;
pub mod keys;
pub mod merkle;
pub mod posture;
pub mod prove;
pub mod record;
pub mod store;
pub mod timefmt;
pub mod verify;

pub use appender::{Appender, FsyncPolicy, LedgerConfig, RecoveryReport};
pub use checkpoint::Checkpoint;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, Result};
pub use keys::{EnvKeyProvider, FileKeyProvider, KeyProvider, KeyRing, StaticKeyProvider};
pub use record::Cipher;
pub use store::LedgerReader;
pub use verify::{verify_dir, Problem, VerifyOptions, VerifyReport};
