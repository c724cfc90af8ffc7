//! The crate's one error type. Messages are lowercase, name what was expected and what was
//! found, and never carry event content or key material: only paths, sequence numbers, offsets,
//! lengths and versions.

use std::path::PathBuf;

/// Everything that can go wrong in the ledger.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An IO operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "open", ...).
        op: &'static str,
        /// The file involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A key file is readable or writable by group or others.
    #[error(
        "key file {path} has mode {mode:04o}; it must be readable by its owner only: run `chmod 600 {path}`"
    )]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Key material could not be parsed or was not found.
    #[error("key error: {0}")]
    Key(String),
    /// A key-encryption-key version the provider does not hold.
    #[error("key-encryption key version {0} is not available from the key provider")]
    UnknownKekVersion(u32),
    /// The provider cannot perform this operation (for example rotating an environment key).
    #[error("key provider {provider} does not support {op}: {hint}")]
    Unsupported {
        /// Provider name.
        provider: String,
        /// The operation.
        op: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// Authenticated decryption failed: wrong key or modified ciphertext.
    #[error("decryption failed for {what}: wrong key or modified data")]
    Decrypt {
        /// What was being decrypted (never its content).
        what: String,
    },
    /// The data key of this segment was destroyed (crypto-shredded).
    #[error("segment {0} was crypto-shredded: its events can no longer be decrypted")]
    Shredded(u32),
    /// A segment has no data key in the key ring.
    #[error("segment {0} has no data key in the key ring")]
    NoDataKey(u32),
    /// A structure on disk is malformed.
    #[error("malformed {what} at offset {offset}: {detail}")]
    Malformed {
        /// Which structure.
        what: &'static str,
        /// Byte offset in its file.
        offset: u64,
        /// Expected vs found.
        detail: String,
    },
    /// The key ring file is malformed.
    #[error("key ring {path}: {detail}")]
    KeyRing {
        /// The key ring file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The appender stopped after an error; no more events can be made durable.
    #[error("ledger writer failed: {0}")]
    WriterFailed(String),
    /// A proof was requested for something the log does not hold.
    #[error("cannot prove: {0}")]
    Proof(String),
    /// Bad configuration.
    #[error("invalid ledger configuration: {0}")]
    Config(String),
    /// The ledger on disk fails a check the writer makes before appending; appending would
    /// bury the evidence, so the writer refuses (fail closed).
    #[error("ledger integrity check failed: {0}; run `phiwall log verify` for details")]
    Integrity(String),
    /// Another process holds the writer lock.
    #[error("another writer holds the ledger lock {0}; stop it or use another data directory")]
    Locked(PathBuf),
}

impl Error {
    /// Wrap an IO error with the operation and path.
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { op, path: path.into(), source }
    }
}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;
