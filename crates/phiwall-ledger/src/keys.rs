//! Key management: key-encryption keys (KEKs) behind the [`KeyProvider`] trait, per-segment data
//! keys wrapped by a KEK and kept in the key ring file, the checkpoint signing key, rotation,
//! re-wrapping and crypto-shredding.
//!
//! Invariants:
//! - Plaintext key material lives only in [`zeroize::Zeroizing`] buffers and AEAD instances that
//!   zeroize on drop; `Debug` output of every key-holding type is redacted.
//! - A data key encrypts the records of exactly one segment, written by exactly one writer
//!   session, so the record nonce can be derived from the sequence number without reuse.
//! - The key ring (`keyring.json`) is only rewritten under an exclusive file lock, through a
//!   temporary file, fsync and rename, so a running writer and `phiwall log keys rotate` can work at
//!   the same time (rotation without downtime).
//! - Shredding deletes a segment's wrapped data key; the records' hashes and the Merkle tree do
//!   not depend on it, so verification still passes while the events are gone for good once the
//!   KEK versions that wrapped older copies are retired too (see docs/ledger.md).

use crate::error::{Error, Result};
use crate::hex;
use crate::merkle::Hash;
use crate::record::{aad, Cipher};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use chacha20poly1305::ChaCha20Poly1305;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use zeroize::Zeroizing;

/// Name of the key ring file in the ledger directory.
pub const KEYRING_FILE: &str = "keyring.json";
const KEYRING_LOCK: &str = "keyring.lock";

/// Fill a fixed-size array from the operating system's CSPRNG.
pub fn random_array<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).map_err(|e| Error::Key(format!("os random generator: {e}")))?;
    Ok(b)
}

/// A source of key-encryption keys. Local providers hold the KEK bytes; a cloud KMS or an HSM
/// implements `wrap`/`unwrap_key` remotely and never reveals the KEK.
pub trait KeyProvider: Send + Sync {
    /// Where the keys come from, for messages (never key material).
    fn describe(&self) -> String;
    /// KEK versions available, ascending.
    fn versions(&self) -> Result<Vec<u32>>;
    /// The version new wraps use: the highest available.
    fn current_version(&self) -> Result<u32> {
        self.versions()?
            .last()
            .copied()
            .ok_or_else(|| Error::Key(format!("{} holds no key-encryption key", self.describe())))
    }
    /// Encrypt `plaintext` (a data key) under KEK `version`, binding `aad`.
    fn wrap(&self, version: u32, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>>;
    /// Decrypt what [`KeyProvider::wrap`] produced.
    fn unwrap_key(&self, version: u32, wrapped: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>>;
    /// Create a new KEK version and make it current; returns it.
    fn rotate(&self) -> Result<u32> {
        Err(Error::Unsupported {
            provider: self.describe(),
            op: "rotate",
            hint: "add a new version at the key source, then run `phiwall log keys rewrap`",
        })
    }
    /// Destroy every KEK version below `keep_from`.
    fn retire_below(&self, _keep_from: u32) -> Result<()> {
        Err(Error::Unsupported {
            provider: self.describe(),
            op: "retire",
            hint: "remove old versions at the key source after `phiwall log keys rewrap`",
        })
    }
}

/// KEK versions held in memory, with the text format shared by files and environment
/// variables: entries `VERSION:HEX64` separated by newlines, commas or semicolons; a lone
/// `HEX64` is version 1; `#` starts a comment line.
struct LocalKeks {
    keys: BTreeMap<u32, Zeroizing<[u8; 32]>>,
}

impl LocalKeks {
    fn parse(text: &str, source: &str) -> Result<Self> {
        let mut keys = BTreeMap::new();
        for (n, entry) in text
            .split(['\n', ',', ';'])
            .map(str::trim)
            .enumerate()
            .filter(|(_, e)| !e.is_empty() && !e.starts_with('#'))
        {
            let (version, hex_part) = match entry.split_once(':') {
                Some((v, h)) => {
                    let v = v.trim().trim_start_matches('v');
                    let v: u32 = v.parse().map_err(|_| {
                        Error::Key(format!("{source}: entry {}: version number expected", n + 1))
                    })?;
                    (v, h.trim())
                }
                None => (1, entry),
            };
            let bytes = Zeroizing::new(hex::decode(hex_part).unwrap_or_default());
            let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                Error::Key(format!(
                    "{source}: entry {}: 64 hex characters (32 bytes) expected, {} characters found",
                    n + 1,
                    hex_part.len()
                ))
            })?;
            if version == 0 || keys.insert(version, Zeroizing::new(key)).is_some() {
                return Err(Error::Key(format!(
                    "{source}: entry {}: version must be unique and above 0",
                    n + 1
                )));
            }
        }
        if keys.is_empty() {
            return Err(Error::Key(format!("{source}: no key-encryption key found")));
        }
        Ok(Self { keys })
    }

    fn render(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::from(
            "# phiwall ledger key-encryption keys: VERSION:HEX. Keep this file mode 0600.\n",
        ));
        for (v, k) in &self.keys {
            s.push_str(&format!("{v}:{}\n", hex::encode(k.as_slice())));
        }
        s
    }

    fn generate() -> Result<Self> {
        let mut keys = BTreeMap::new();
        keys.insert(1, Zeroizing::new(random_array::<32>()?));
        Ok(Self { keys })
    }

    fn kek_aad(version: u32, aad: &[u8]) -> Vec<u8> {
        let mut a = b"pwl-kek1".to_vec();
        a.extend_from_slice(&version.to_le_bytes());
        a.extend_from_slice(aad);
        a
    }

    fn wrap(&self, version: u32, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let key = self.keys.get(&version).ok_or(Error::UnknownKekVersion(version))?;
        let cipher = Aes256Gcm::new_from_slice(key.as_slice())
            .map_err(|_| Error::Key("key-encryption key has the wrong length".into()))?;
        let nonce = random_array::<12>()?;
        let a = Self::kek_aad(version, aad);
        let ct = cipher
            .encrypt((&nonce).into(), Payload { msg: plaintext, aad: &a })
            .map_err(|_| Error::Key("wrapping a data key failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    fn unwrap_key(&self, version: u32, wrapped: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let key = self.keys.get(&version).ok_or(Error::UnknownKekVersion(version))?;
        let cipher = Aes256Gcm::new_from_slice(key.as_slice())
            .map_err(|_| Error::Key("key-encryption key has the wrong length".into()))?;
        if wrapped.len() < 12 + 16 {
            return Err(Error::Decrypt { what: "wrapped key (too short)".into() });
        }
        let (nonce, ct) = wrapped.split_at(12);
        let a = Self::kek_aad(version, aad);
        cipher.decrypt(nonce.into(), Payload { msg: ct, aad: &a }).map(Zeroizing::new).map_err(
            |_| Error::Decrypt { what: format!("data key wrapped by KEK version {version}") },
        )
    }

    fn versions(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    fn add_version(&mut self) -> Result<u32> {
        let v = self.keys.keys().last().copied().unwrap_or(0).saturating_add(1);
        self.keys.insert(v, Zeroizing::new(random_array::<32>()?));
        Ok(v)
    }

    fn retain_from(&mut self, keep_from: u32) -> Result<()> {
        if !self.keys.keys().any(|v| *v >= keep_from) {
            return Err(Error::Key("refusing to retire every key-encryption key".into()));
        }
        self.keys.retain(|v, _| *v >= keep_from);
        Ok(())
    }
}

fn poisoned() -> Error {
    Error::Key("key provider lock poisoned by a panicked thread".into())
}

/// KEKs held in memory only: for tests, benchmarks and embedding with keys from elsewhere.
pub struct StaticKeyProvider {
    inner: RwLock<LocalKeks>,
}

impl std::fmt::Debug for StaticKeyProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticKeyProvider([REDACTED])")
    }
}

impl StaticKeyProvider {
    /// A provider with one random KEK (version 1).
    pub fn generate() -> Result<Self> {
        Ok(Self { inner: RwLock::new(LocalKeks::generate()?) })
    }
    /// A provider from the `VERSION:HEX` text format.
    pub fn from_text(text: &str) -> Result<Self> {
        Ok(Self { inner: RwLock::new(LocalKeks::parse(text, "key text")?) })
    }
}

impl KeyProvider for StaticKeyProvider {
    fn describe(&self) -> String {
        "in-memory keys".into()
    }
    fn versions(&self) -> Result<Vec<u32>> {
        Ok(self.inner.read().map_err(|_| poisoned())?.versions())
    }
    fn wrap(&self, version: u32, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        self.inner.read().map_err(|_| poisoned())?.wrap(version, plaintext, aad)
    }
    fn unwrap_key(&self, version: u32, wrapped: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.inner.read().map_err(|_| poisoned())?.unwrap_key(version, wrapped, aad)
    }
    fn rotate(&self) -> Result<u32> {
        self.inner.write().map_err(|_| poisoned())?.add_version()
    }
    fn retire_below(&self, keep_from: u32) -> Result<()> {
        self.inner.write().map_err(|_| poisoned())?.retain_from(keep_from)
    }
}

/// KEKs in a file readable by its owner only. Opening refuses a file with any group or other
/// permission bit set, so a world-readable key is an error, not a warning.
///
/// The file is re-read when it changes (new inode, size or modification time), so a writer
/// that runs for weeks picks up a rotation done by `phiwall keys rotate` in another process
/// before it wraps the next data key, and never wraps with a version that was retired.
pub struct FileKeyProvider {
    path: PathBuf,
    inner: RwLock<LocalKeks>,
    stamp: std::sync::Mutex<Option<FileStamp>>,
}

/// Identity of a file version: inode, size, modification time.
type FileStamp = (u64, u64, Option<std::time::SystemTime>);

fn file_stamp(path: &Path) -> Result<FileStamp> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::metadata(path).map_err(|e| Error::io("stat", path, e))?;
    Ok((m.ino(), m.len(), m.modified().ok()))
}

impl std::fmt::Debug for FileKeyProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileKeyProvider({}, [REDACTED])", self.path.display())
    }
}

/// Refuse a key file that group or others can access.
pub fn check_key_file_mode(path: &Path) -> Result<()> {
    let meta = fs::metadata(path).map_err(|e| Error::io("stat", path, e))?;
    if !meta.is_file() {
        return Err(Error::Key(format!("{} is not a regular file", path.display())));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(Error::KeyFilePermissions { path: path.to_path_buf(), mode });
    }
    Ok(())
}

/// Write `data` to `path` atomically (temporary file, fsync, rename, fsync of the directory)
/// with permissions `mode`.
pub(crate) fn write_atomic(path: &Path, data: &[u8], mode: u32) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .map_err(|e| Error::io("create", &tmp, e))?;
    // `mode` applies only when the file is created; an old temporary file keeps its bits.
    f.set_permissions(fs::Permissions::from_mode(mode)).map_err(|e| Error::io("chmod", &tmp, e))?;
    f.write_all(data).map_err(|e| Error::io("write", &tmp, e))?;
    f.sync_all().map_err(|e| Error::io("fsync", &tmp, e))?;
    drop(f);
    fs::rename(&tmp, path).map_err(|e| Error::io("rename", path, e))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// fsync a directory so a created or renamed entry survives a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    let d = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    fs::File::open(d).and_then(|f| f.sync_all()).map_err(|e| Error::io("fsync", d, e))
}

impl FileKeyProvider {
    /// Open an existing key file, enforcing its permissions.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        let (keys, stamp) = Self::load(&path)?;
        Ok(Self { path, inner: RwLock::new(keys), stamp: std::sync::Mutex::new(Some(stamp)) })
    }

    fn load(path: &Path) -> Result<(LocalKeks, FileStamp)> {
        check_key_file_mode(path)?;
        let stamp = file_stamp(path)?;
        let text =
            Zeroizing::new(fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?);
        Ok((LocalKeks::parse(&text, &path.display().to_string())?, stamp))
    }

    /// Re-read the file if another process changed it (checking its permissions again).
    fn refresh(&self) -> Result<()> {
        let now = file_stamp(&self.path)?;
        let mut stamp = self.stamp.lock().map_err(|_| poisoned())?;
        if stamp.as_ref() == Some(&now) {
            return Ok(());
        }
        let (keys, new_stamp) = Self::load(&self.path)?;
        *self.inner.write().map_err(|_| poisoned())? = keys;
        *stamp = Some(new_stamp);
        Ok(())
    }

    /// Create a new key file (mode 0600) holding one random KEK; refuses to overwrite.
    pub fn create(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        }
        let keys = LocalKeks::generate()?;
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| Error::io("create", &path, e))?;
        f.write_all(keys.render().as_bytes()).map_err(|e| Error::io("write", &path, e))?;
        f.sync_all().map_err(|e| Error::io("fsync", &path, e))?;
        let stamp = file_stamp(&path)?;
        Ok(Self { path, inner: RwLock::new(keys), stamp: std::sync::Mutex::new(Some(stamp)) })
    }

    /// The key file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn save(&self, keys: &LocalKeks) -> Result<()> {
        write_atomic(&self.path, keys.render().as_bytes(), 0o600)?;
        *self.stamp.lock().map_err(|_| poisoned())? = Some(file_stamp(&self.path)?);
        Ok(())
    }
}

impl KeyProvider for FileKeyProvider {
    fn describe(&self) -> String {
        format!("key file {}", self.path.display())
    }
    fn versions(&self) -> Result<Vec<u32>> {
        self.refresh()?;
        Ok(self.inner.read().map_err(|_| poisoned())?.versions())
    }
    fn wrap(&self, version: u32, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        self.refresh()?;
        self.inner.read().map_err(|_| poisoned())?.wrap(version, plaintext, aad)
    }
    fn unwrap_key(&self, version: u32, wrapped: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.refresh()?;
        self.inner.read().map_err(|_| poisoned())?.unwrap_key(version, wrapped, aad)
    }
    fn rotate(&self) -> Result<u32> {
        self.refresh()?;
        let mut keys = self.inner.write().map_err(|_| poisoned())?;
        let v = keys.add_version()?;
        self.save(&keys)?;
        Ok(v)
    }
    fn retire_below(&self, keep_from: u32) -> Result<()> {
        self.refresh()?;
        let mut keys = self.inner.write().map_err(|_| poisoned())?;
        keys.retain_from(keep_from)?;
        self.save(&keys)
    }
}

/// KEKs from an environment variable (same text format as the file, commas between entries).
/// Read-only: rotation happens where the variable is set.
pub struct EnvKeyProvider {
    var: String,
    inner: LocalKeks,
}

impl std::fmt::Debug for EnvKeyProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EnvKeyProvider(${}, [REDACTED])", self.var)
    }
}

impl EnvKeyProvider {
    /// Read the variable `var`.
    pub fn from_env(var: &str) -> Result<Self> {
        let text = Zeroizing::new(
            std::env::var(var)
                .map_err(|_| Error::Key(format!("environment variable {var} is not set")))?,
        );
        Ok(Self { var: var.to_string(), inner: LocalKeks::parse(&text, &format!("${var}"))? })
    }
}

impl KeyProvider for EnvKeyProvider {
    fn describe(&self) -> String {
        format!("environment variable {}", self.var)
    }
    fn versions(&self) -> Result<Vec<u32>> {
        Ok(self.inner.versions())
    }
    fn wrap(&self, version: u32, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        self.inner.wrap(version, plaintext, aad)
    }
    fn unwrap_key(&self, version: u32, wrapped: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.inner.unwrap_key(version, wrapped, aad)
    }
}

/// A segment's data key, ready to seal and open records. Zeroized on drop.
pub struct DataKey {
    segment: u32,
    aead: SegmentAead,
}

enum SegmentAead {
    Aes(Box<Aes256Gcm>),
    ChaCha(Box<ChaCha20Poly1305>),
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey(segment {}, [REDACTED])", self.segment)
    }
}

/// The record nonce: the sequence number, unique under a key used by one writer session.
fn nonce(seq: u64) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..8].copy_from_slice(&seq.to_le_bytes());
    n
}

impl DataKey {
    fn new(segment: u32, cipher: Cipher, key: &[u8]) -> Result<Self> {
        let bad = |_| Error::Key("data key has the wrong length".into());
        let aead = match cipher {
            Cipher::Aes256Gcm => {
                SegmentAead::Aes(Box::new(Aes256Gcm::new_from_slice(key).map_err(bad)?))
            }
            Cipher::ChaCha20Poly1305 => {
                SegmentAead::ChaCha(Box::new(ChaCha20Poly1305::new_from_slice(key).map_err(bad)?))
            }
        };
        Ok(Self { segment, aead })
    }

    /// A random data key (for tests and benchmarks that do not need a key ring).
    pub fn random(segment: u32, cipher: Cipher) -> Result<Self> {
        let k = Zeroizing::new(random_array::<32>()?);
        Self::new(segment, cipher, k.as_slice())
    }

    /// Encrypt one event for the record at (segment, seq, time, prev_hash).
    pub fn seal(
        &self,
        seq: u64,
        time_micros: u64,
        prev_hash: &Hash,
        event: &[u8],
    ) -> Result<Vec<u8>> {
        let a = aad(self.segment, seq, time_micros, prev_hash);
        let n = nonce(seq);
        let p = Payload { msg: event, aad: &a };
        match &self.aead {
            SegmentAead::Aes(c) => c.encrypt((&n).into(), p),
            SegmentAead::ChaCha(c) => c.encrypt((&n).into(), p),
        }
        .map_err(|_| Error::Key("event encryption failed".into()))
    }

    /// Decrypt one event; fails if the ciphertext or its position was changed.
    pub fn open(&self, seq: u64, time_micros: u64, prev_hash: &Hash, ct: &[u8]) -> Result<Vec<u8>> {
        let a = aad(self.segment, seq, time_micros, prev_hash);
        let n = nonce(seq);
        let p = Payload { msg: ct, aad: &a };
        match &self.aead {
            SegmentAead::Aes(c) => c.decrypt((&n).into(), p),
            SegmentAead::ChaCha(c) => c.decrypt((&n).into(), p),
        }
        .map_err(|_| Error::Decrypt { what: format!("event at seq {seq}") })
    }
}

/// The checkpoint signing key in the key ring, wrapped by a KEK.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WrappedSigningKey {
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// KEK version that wrapped it.
    pub kek_version: u32,
    /// The wrapped private key, hex.
    pub wrapped: String,
    /// When it was created.
    pub created_micros: u64,
}

/// One segment's data key entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SegmentKeyEntry {
    /// AEAD name.
    pub cipher: String,
    /// KEK version that wrapped it.
    pub kek_version: u32,
    /// The wrapped data key, hex; `None` once shredded.
    pub wrapped: Option<String>,
    /// When it was created.
    pub created_micros: u64,
    /// When it was shredded.
    pub shredded_micros: Option<u64>,
    /// When it was last re-wrapped by a rotation.
    #[serde(default)]
    pub rewrapped_micros: Option<u64>,
}

/// The contents of `keyring.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyRingFile {
    /// Format version (1).
    pub format: u32,
    /// The checkpoint signing key.
    pub signing: Option<WrappedSigningKey>,
    /// Data keys by segment index.
    pub segments: BTreeMap<u32, SegmentKeyEntry>,
}

fn dek_aad(segment: u32) -> Vec<u8> {
    let mut a = b"pwl-dek1".to_vec();
    a.extend_from_slice(&segment.to_le_bytes());
    a
}
const SIGNING_AAD: &[u8] = b"pwl-sig1";

/// What a rotation or re-wrap did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RewrapReport {
    /// KEK version everything is now wrapped by.
    pub kek_version: u32,
    /// Data keys re-wrapped.
    pub segments_rewrapped: usize,
    /// Whether the signing key was re-wrapped.
    pub signing_rewrapped: bool,
}

/// Operations on the key ring file of a ledger directory.
#[derive(Debug, Clone)]
pub struct KeyRing {
    dir: PathBuf,
}

impl KeyRing {
    /// The key ring of the ledger in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Path of `keyring.json`.
    pub fn path(&self) -> PathBuf {
        self.dir.join(KEYRING_FILE)
    }

    /// Read the key ring (an absent file is an empty ring).
    pub fn load(&self) -> Result<KeyRingFile> {
        let path = self.path();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::KeyRing { path, detail: format!("invalid JSON: {e}") }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(KeyRingFile { format: 1, ..KeyRingFile::default() })
            }
            Err(e) => Err(Error::io("read", path, e)),
        }
    }

    /// Read, change and atomically rewrite the key ring under an exclusive lock.
    pub fn update<R>(&self, f: impl FnOnce(&mut KeyRingFile) -> Result<R>) -> Result<R> {
        fs::create_dir_all(&self.dir).map_err(|e| Error::io("create directory", &self.dir, e))?;
        let lock_path = self.dir.join(KEYRING_LOCK);
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| Error::io("open", &lock_path, e))?;
        lock.lock().map_err(|e| Error::io("lock", &lock_path, e))?;
        let mut ring = self.load()?;
        let r = f(&mut ring)?;
        let json = serde_json::to_vec_pretty(&ring)
            .map_err(|e| Error::KeyRing { path: self.path(), detail: e.to_string() })?;
        write_atomic(&self.path(), &json, 0o600)?;
        drop(lock);
        Ok(r)
    }

    /// The checkpoint signing key, created (and wrapped) on first use.
    pub fn signing_key(
        &self,
        provider: &dyn KeyProvider,
        now_micros: u64,
    ) -> Result<ed25519_dalek::SigningKey> {
        if let Some(s) = self.load()?.signing {
            return unwrap_signing(provider, &s);
        }
        self.update(|ring| {
            if let Some(s) = &ring.signing {
                return unwrap_signing(provider, s);
            }
            let seed = Zeroizing::new(random_array::<32>()?);
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let version = provider.current_version()?;
            let wrapped = provider.wrap(version, seed.as_slice(), SIGNING_AAD)?;
            ring.signing = Some(WrappedSigningKey {
                public_key: hex::encode(key.verifying_key().as_bytes()),
                kek_version: version,
                wrapped: hex::encode(&wrapped),
                created_micros: now_micros,
            });
            Ok(key)
        })
    }

    /// The checkpoint verifying (public) key, if a signing key exists. Needs no KEK.
    pub fn public_key(&self) -> Result<Option<ed25519_dalek::VerifyingKey>> {
        let Some(s) = self.load()?.signing else { return Ok(None) };
        parse_public_key(&s.public_key).map(Some).ok_or_else(|| Error::KeyRing {
            path: self.path(),
            detail: "invalid signing public key".into(),
        })
    }

    /// Create, wrap and record a fresh data key for `segment` (replacing an entry whose segment
    /// file was never written, as after a crash between the two steps).
    pub fn new_data_key(
        &self,
        provider: &dyn KeyProvider,
        segment: u32,
        cipher: Cipher,
        now_micros: u64,
    ) -> Result<DataKey> {
        let raw = Zeroizing::new(random_array::<32>()?);
        // Wrapped under the lock: a concurrent rotate-and-rewrap either sees this entry or
        // happened before, so no entry stays wrapped by a version about to be retired.
        self.update(|ring| {
            let version = provider.current_version()?;
            let wrapped = provider.wrap(version, raw.as_slice(), &dek_aad(segment))?;
            ring.segments.insert(
                segment,
                SegmentKeyEntry {
                    cipher: cipher.name().into(),
                    kek_version: version,
                    wrapped: Some(hex::encode(&wrapped)),
                    created_micros: now_micros,
                    shredded_micros: None,
                    rewrapped_micros: None,
                },
            );
            Ok(())
        })?;
        DataKey::new(segment, cipher, raw.as_slice())
    }

    /// Unwrap the data key of `segment` from an already loaded ring.
    pub fn data_key(
        &self,
        ring: &KeyRingFile,
        provider: &dyn KeyProvider,
        segment: u32,
    ) -> Result<DataKey> {
        let e = ring.segments.get(&segment).ok_or(Error::NoDataKey(segment))?;
        let Some(w) = &e.wrapped else { return Err(Error::Shredded(segment)) };
        let cipher = Cipher::from_name(&e.cipher).ok_or_else(|| Error::KeyRing {
            path: self.path(),
            detail: format!("segment {segment}: unknown cipher"),
        })?;
        let wrapped = hex::decode(w).ok_or_else(|| Error::KeyRing {
            path: self.path(),
            detail: format!("segment {segment}: wrapped key is not hex"),
        })?;
        let raw = provider.unwrap_key(e.kek_version, &wrapped, &dek_aad(segment))?;
        DataKey::new(segment, cipher, &raw)
    }

    /// Re-wrap every data key and the signing key under the provider's current KEK version,
    /// without touching any segment file.
    pub fn rewrap(&self, provider: &dyn KeyProvider, now_micros: u64) -> Result<RewrapReport> {
        let version = provider.current_version()?;
        self.update(|ring| {
            let mut n = 0;
            for (segment, e) in ring.segments.iter_mut() {
                let Some(w) = &e.wrapped else { continue };
                if e.kek_version == version {
                    continue;
                }
                let wrapped = hex::decode(w).ok_or_else(|| {
                    Error::Key(format!("segment {segment}: wrapped key is not hex"))
                })?;
                let raw = provider.unwrap_key(e.kek_version, &wrapped, &dek_aad(*segment))?;
                e.wrapped = Some(hex::encode(&provider.wrap(version, &raw, &dek_aad(*segment))?));
                e.kek_version = version;
                e.rewrapped_micros = Some(now_micros);
                n += 1;
            }
            let mut signing_rewrapped = false;
            if let Some(s) = ring.signing.as_mut().filter(|s| s.kek_version != version) {
                let wrapped = hex::decode(&s.wrapped)
                    .ok_or_else(|| Error::Key("signing key is not hex".into()))?;
                let raw = provider.unwrap_key(s.kek_version, &wrapped, SIGNING_AAD)?;
                s.wrapped = hex::encode(&provider.wrap(version, &raw, SIGNING_AAD)?);
                s.kek_version = version;
                signing_rewrapped = true;
            }
            Ok(RewrapReport { kek_version: version, segments_rewrapped: n, signing_rewrapped })
        })
    }

    /// Crypto-shred `segment`: destroy its wrapped data key.
    pub fn shred(&self, segment: u32, now_micros: u64) -> Result<()> {
        self.update(|ring| {
            let e = ring.segments.get_mut(&segment).ok_or(Error::NoDataKey(segment))?;
            e.wrapped = None;
            if e.shredded_micros.is_none() {
                e.shredded_micros = Some(now_micros);
            }
            Ok(())
        })
    }
}

fn unwrap_signing(
    provider: &dyn KeyProvider,
    s: &WrappedSigningKey,
) -> Result<ed25519_dalek::SigningKey> {
    let wrapped =
        hex::decode(&s.wrapped).ok_or_else(|| Error::Key("signing key is not hex".into()))?;
    let raw = provider.unwrap_key(s.kek_version, &wrapped, SIGNING_AAD)?;
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        raw.as_slice()
            .try_into()
            .map_err(|_| Error::Key("signing key has the wrong length".into()))?,
    );
    Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
}

/// Parse a hex Ed25519 public key.
pub fn parse_public_key(s: &str) -> Option<ed25519_dalek::VerifyingKey> {
    ed25519_dalek::VerifyingKey::from_bytes(&hex::decode_array::<32>(s.trim())?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_with_group_or_other_bits_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kek");
        let p = FileKeyProvider::create(&path).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(p.versions().unwrap(), vec![1]);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = FileKeyProvider::open(&path).unwrap_err();
        assert!(matches!(err, Error::KeyFilePermissions { mode: 0o644, .. }));
        assert!(err.to_string().contains("chmod 600"));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert!(FileKeyProvider::open(&path).is_ok());
        assert!(FileKeyProvider::create(&path).is_err(), "create must not overwrite");
    }

    #[test]
    fn rotation_persists_and_retire_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kek");
        let p = FileKeyProvider::create(&path).unwrap();
        assert_eq!(p.rotate().unwrap(), 2);
        let q = FileKeyProvider::open(&path).unwrap();
        assert_eq!(q.versions().unwrap(), vec![1, 2]);
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        q.retire_below(2).unwrap();
        assert_eq!(FileKeyProvider::open(&path).unwrap().versions().unwrap(), vec![2]);
        assert!(q.retire_below(9).is_err());
    }

    #[test]
    fn a_second_handle_sees_rotation_and_retirement_by_another() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kek");
        let writer = FileKeyProvider::create(&path).unwrap();
        let admin = FileKeyProvider::open(&path).unwrap();
        assert_eq!(admin.rotate().unwrap(), 2);
        assert_eq!(
            writer.current_version().unwrap(),
            2,
            "the long-running handle re-reads the file"
        );
        admin.retire_below(2).unwrap();
        assert_eq!(writer.versions().unwrap(), vec![2]);
        let w = writer.wrap(2, b"k", b"a").unwrap();
        assert_eq!(admin.unwrap_key(2, &w, b"a").unwrap().as_slice(), b"k");
        // Loosened permissions are noticed on the next re-read, and the handle fails closed.
        admin.rotate().unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(&path, std::fs::read(&path).unwrap()).unwrap();
        assert!(matches!(writer.versions(), Err(Error::KeyFilePermissions { .. })));
    }

    #[test]
    fn key_text_parsing() {
        let k = "11".repeat(32);
        let p =
            StaticKeyProvider::from_text(&format!("# c\n1:{k}\nv3:{}", "22".repeat(32))).unwrap();
        assert_eq!(p.versions().unwrap(), vec![1, 3]);
        assert_eq!(p.current_version().unwrap(), 3);
        assert!(StaticKeyProvider::from_text(&k).is_ok());
        assert!(StaticKeyProvider::from_text("1:abcd").is_err());
        assert!(StaticKeyProvider::from_text(&format!("1:{k},1:{k}")).is_err());
        assert!(StaticKeyProvider::from_text("").is_err());
        let err = StaticKeyProvider::from_text("1:zz").unwrap_err().to_string();
        assert!(!err.contains("zz"), "error must not echo key material");
    }

    #[test]
    fn debug_output_is_redacted() {
        let p = StaticKeyProvider::from_text(&"ab".repeat(32)).unwrap();
        assert!(!format!("{p:?}").contains("abab"));
        let d = DataKey::random(1, Cipher::Aes256Gcm).unwrap();
        assert!(format!("{d:?}").contains("REDACTED"));
    }

    #[test]
    fn wrap_unwrap_and_wrong_aad_or_version_fail() {
        let p = StaticKeyProvider::generate().unwrap();
        let w = p.wrap(1, b"0123456789abcdef0123456789abcdef", b"ctx").unwrap();
        assert_eq!(
            p.unwrap_key(1, &w, b"ctx").unwrap().as_slice(),
            b"0123456789abcdef0123456789abcdef"
        );
        assert!(p.unwrap_key(1, &w, b"other").is_err());
        assert!(matches!(p.unwrap_key(2, &w, b"ctx"), Err(Error::UnknownKekVersion(2))));
        assert!(p.unwrap_key(1, &w[..5], b"ctx").is_err());
    }

    #[test]
    fn seal_open_binds_position() {
        for cipher in [Cipher::Aes256Gcm, Cipher::ChaCha20Poly1305] {
            let d = DataKey::random(4, cipher).unwrap();
            let ct = d.seal(7, 100, &[1; 32], b"event").unwrap();
            assert_eq!(d.open(7, 100, &[1; 32], &ct).unwrap(), b"event");
            assert!(d.open(8, 100, &[1; 32], &ct).is_err());
            assert!(d.open(7, 101, &[1; 32], &ct).is_err());
            assert!(d.open(7, 100, &[2; 32], &ct).is_err());
        }
    }

    #[test]
    fn keyring_rotate_rewrap_shred() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::new(dir.path());
        let p = StaticKeyProvider::generate().unwrap();
        let sk = ring.signing_key(&p, 1).unwrap();
        let dk = ring.new_data_key(&p, 0, Cipher::Aes256Gcm, 1).unwrap();
        let ct = dk.seal(0, 1, &[0; 32], b"hello").unwrap();
        assert_eq!(fs::metadata(ring.path()).unwrap().permissions().mode() & 0o777, 0o600);
        p.rotate().unwrap();
        let r = ring.rewrap(&p, 2).unwrap();
        assert_eq!(
            r,
            RewrapReport { kek_version: 2, segments_rewrapped: 1, signing_rewrapped: true }
        );
        p.retire_below(2).unwrap();
        let f = ring.load().unwrap();
        assert_eq!(f.segments[&0].kek_version, 2);
        let dk2 = ring.data_key(&f, &p, 0).unwrap();
        assert_eq!(dk2.open(0, 1, &[0; 32], &ct).unwrap(), b"hello");
        assert_eq!(ring.signing_key(&p, 3).unwrap().to_bytes(), sk.to_bytes());
        ring.shred(0, 5).unwrap();
        let f = ring.load().unwrap();
        assert!(matches!(ring.data_key(&f, &p, 0), Err(Error::Shredded(0))));
        assert!(matches!(ring.data_key(&f, &p, 9), Err(Error::NoDataKey(9))));
        assert_eq!(ring.public_key().unwrap().unwrap(), sk.verifying_key());
    }
}
