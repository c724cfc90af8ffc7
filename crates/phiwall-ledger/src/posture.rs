//! Encryption posture of a ledger and its keys, for `phiwall posture` and the audit report:
//! is at-rest encryption on for every segment, are key files owner-only, how old are the keys,
//! are data keys wrapped by the current KEK version, are older KEK versions still around.
//!
//! Each check yields a [`Finding`] with a status and a message naming what to do; nothing here
//! reads event content or prints key material.

use crate::keys::{check_key_file_mode, KeyProvider, KeyRing};
use crate::record::SegmentHeader;
use crate::store::list_segments;
use serde::Serialize;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Pass,
    /// Weaker than it should be.
    Warn,
    /// Broken: fix before relying on the ledger.
    Fail,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable check name, e.g. `ledger.encryption_at_rest`.
    pub check: &'static str,
    /// Outcome.
    pub status: Status,
    /// What was found and what to do.
    pub message: String,
}

fn finding(check: &'static str, status: Status, message: impl Into<String>) -> Finding {
    Finding { check, status, message: message.into() }
}

/// Limits the checks apply.
#[derive(Debug, Clone, Copy)]
pub struct PostureLimits {
    /// Warn when the current KEK or the signing key is older than this many days.
    pub max_key_age_days: u64,
}

impl Default for PostureLimits {
    fn default() -> Self {
        Self { max_key_age_days: 365 }
    }
}

/// Check the ledger in `dir` with the KEKs of `provider` (if any) and the key file `key_file`
/// (if the KEKs come from a file).
pub fn check_ledger(
    dir: &Path,
    provider: Option<&dyn KeyProvider>,
    key_file: Option<&Path>,
    now_micros: u64,
    limits: PostureLimits,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let day = 86_400_000_000u64;
    let max_age = limits.max_key_age_days.saturating_mul(day);

    // At-rest encryption: every segment names a known AEAD and has (or had) a wrapped key.
    let ring = KeyRing::new(dir);
    let ring_file = match ring.load() {
        Ok(r) => Some(r),
        Err(e) => {
            out.push(finding(
                "ledger.keyring",
                Status::Fail,
                format!("cannot read the key ring: {e}"),
            ));
            None
        }
    };
    match list_segments(dir) {
        Ok(segs) if segs.is_empty() => {
            out.push(finding("ledger.encryption_at_rest", Status::Warn, "no ledger segments yet"));
        }
        Ok(segs) => {
            let mut bad = Vec::new();
            for (i, p) in &segs {
                let mut head = [0u8; crate::record::SEGMENT_HEADER_LEN];
                let ok = std::fs::File::open(p).and_then(|mut f| f.read_exact(&mut head)).is_ok()
                    && SegmentHeader::parse(&head).is_ok()
                    && ring_file.as_ref().is_some_and(|r| r.segments.contains_key(i));
                if !ok {
                    bad.push(*i);
                }
            }
            if bad.is_empty() {
                out.push(finding(
                    "ledger.encryption_at_rest",
                    Status::Pass,
                    format!(
                        "{} segments, each encrypted under its own wrapped data key",
                        segs.len()
                    ),
                ));
            } else {
                out.push(finding(
                    "ledger.encryption_at_rest",
                    Status::Fail,
                    format!("segments {bad:?} have an unreadable header or no data-key entry: run `phiwall log verify`"),
                ));
            }
            let open: Vec<u32> = segs
                .iter()
                .filter(|(_, p)| {
                    std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
                })
                .map(|(i, _)| *i)
                .collect();
            if !open.is_empty() {
                out.push(finding(
                    "ledger.file_permissions",
                    Status::Warn,
                    format!("segments {open:?} are accessible to group or others (contents are encrypted; sizes and times are not): chmod 600"),
                ));
            }
        }
        Err(e) => out.push(finding(
            "ledger.encryption_at_rest",
            Status::Fail,
            format!("cannot list segments: {e}"),
        )),
    }
    if let Ok(m) = std::fs::metadata(dir.join(crate::keys::KEYRING_FILE)) {
        if m.permissions().mode() & 0o077 != 0 {
            out.push(finding(
                "ledger.keyring_permissions",
                Status::Fail,
                "keyring.json is accessible to group or others: chmod 600",
            ));
        }
    }

    // The KEK source.
    match key_file {
        Some(f) => match check_key_file_mode(f) {
            Ok(()) => out.push(finding(
                "keys.kek_file_permissions",
                Status::Pass,
                format!("{} is owner-only", f.display()),
            )),
            Err(e) => out.push(finding("keys.kek_file_permissions", Status::Fail, e.to_string())),
        },
        None => out.push(finding(
            "keys.kek_file_permissions",
            Status::Pass,
            "KEKs do not come from a file",
        )),
    }
    if let Some(f) = key_file {
        if let (Ok(kf), Ok(d)) = (std::fs::canonicalize(f), std::fs::canonicalize(dir)) {
            if kf.starts_with(&d) {
                out.push(finding(
                    "keys.kek_location",
                    Status::Warn,
                    "the KEK file is inside the ledger directory: a copy of the directory carries its own key",
                ));
            }
        }
        if let Some(age) = std::fs::metadata(f)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| now_micros.saturating_sub(u64::try_from(d.as_micros()).unwrap_or(u64::MAX)))
        {
            let status = if age > max_age { Status::Warn } else { Status::Pass };
            out.push(finding(
                "keys.kek_age",
                status,
                format!("KEK file last changed {} days ago (limit {}): rotate with `phiwall keys rotate --retire`", age / day, limits.max_key_age_days),
            ));
        }
    }
    let versions = provider.and_then(|p| p.versions().ok()).unwrap_or_default();
    let current = versions.last().copied();
    match provider {
        None => out.push(finding(
            "keys.provider",
            Status::Warn,
            "no KEK available: key checks limited to the key ring",
        )),
        Some(p) if versions.is_empty() => out.push(finding(
            "keys.provider",
            Status::Fail,
            format!("{} holds no usable KEK", p.describe()),
        )),
        Some(p) => out.push(finding(
            "keys.provider",
            Status::Pass,
            format!("{}: KEK versions {versions:?}", p.describe()),
        )),
    }
    if versions.len() > 1 {
        out.push(finding(
            "keys.retired_versions",
            Status::Warn,
            format!("{} older KEK versions still exist: `phiwall keys rotate --retire` destroys them after re-wrapping", versions.len() - 1),
        ));
    }
    if let Some(r) = &ring_file {
        if let Some(cur) = current {
            let stale: Vec<u32> = r
                .segments
                .iter()
                .filter(|(_, e)| e.wrapped.is_some() && e.kek_version != cur)
                .map(|(i, _)| *i)
                .collect();
            if stale.is_empty() {
                out.push(finding(
                    "keys.data_keys_current",
                    Status::Pass,
                    format!("every live data key is wrapped by KEK version {cur}"),
                ));
            } else {
                out.push(finding(
                    "keys.data_keys_current",
                    Status::Warn,
                    format!("{} data keys are wrapped by an older KEK version: run `phiwall keys rewrap`", stale.len()),
                ));
            }
        }
        match &r.signing {
            Some(s) => {
                let age = now_micros.saturating_sub(s.created_micros);
                let status = if age > max_age { Status::Warn } else { Status::Pass };
                out.push(finding(
                    "keys.signing_key_age",
                    status,
                    format!("checkpoint signing key is {} days old", age / day),
                ));
            }
            None => out.push(finding(
                "keys.signing_key_age",
                Status::Warn,
                "no checkpoint signing key yet",
            )),
        }
        let shredded = r.segments.values().filter(|e| e.wrapped.is_none()).count();
        if shredded > 0 {
            out.push(finding(
                "keys.shredded",
                Status::Pass,
                format!("{shredded} segments crypto-shredded"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{FileKeyProvider, StaticKeyProvider};
    use crate::{Appender, LedgerConfig, SystemClock};
    use std::sync::Arc;

    fn status_of(f: &[Finding], check: &str) -> Option<Status> {
        f.iter().find(|x| x.check == check).map(|x| x.status)
    }

    #[test]
    fn healthy_ledger_passes_and_stale_keys_warn() {
        let d = tempfile::tempdir().unwrap();
        let kf = d.path().join("kek");
        let p = Arc::new(FileKeyProvider::create(&kf).unwrap());
        let dir = d.path().join("ledger");
        let a = Appender::open(LedgerConfig::new(&dir), p.clone(), Arc::new(SystemClock)).unwrap();
        a.append(b"x").unwrap();
        a.close().unwrap();
        let now = crate::Clock::now_micros(&SystemClock);
        let f = check_ledger(&dir, Some(p.as_ref()), Some(&kf), now, PostureLimits::default());
        assert_eq!(status_of(&f, "ledger.encryption_at_rest"), Some(Status::Pass));
        assert_eq!(status_of(&f, "keys.kek_file_permissions"), Some(Status::Pass));
        assert_eq!(status_of(&f, "keys.data_keys_current"), Some(Status::Pass));
        assert!(status_of(&f, "ledger.file_permissions").is_none(), "segments are created 0600");
        p.rotate().unwrap();
        let f = check_ledger(&dir, Some(p.as_ref()), Some(&kf), now, PostureLimits::default());
        assert_eq!(status_of(&f, "keys.data_keys_current"), Some(Status::Warn));
        assert_eq!(status_of(&f, "keys.retired_versions"), Some(Status::Warn));
        // A year later the keys are old.
        let later = now + 400 * 86_400_000_000;
        let f = check_ledger(&dir, Some(p.as_ref()), Some(&kf), later, PostureLimits::default());
        assert_eq!(status_of(&f, "keys.signing_key_age"), Some(Status::Warn));
        assert_eq!(status_of(&f, "keys.kek_age"), Some(Status::Warn));
        std::fs::set_permissions(&kf, std::fs::Permissions::from_mode(0o640)).unwrap();
        let f = check_ledger(&dir, None, Some(&kf), now, PostureLimits::default());
        assert_eq!(status_of(&f, "keys.kek_file_permissions"), Some(Status::Fail));
        assert_eq!(status_of(&f, "keys.provider"), Some(Status::Warn));
    }

    #[test]
    fn segment_without_key_entry_fails() {
        let d = tempfile::tempdir().unwrap();
        let p = Arc::new(StaticKeyProvider::generate().unwrap());
        let a =
            Appender::open(LedgerConfig::new(d.path()), p.clone(), Arc::new(SystemClock)).unwrap();
        a.close().unwrap();
        std::fs::write(
            d.path().join("keyring.json"),
            "{\"format\":1,\"signing\":null,\"segments\":{}}",
        )
        .unwrap();
        let f = check_ledger(d.path(), Some(p.as_ref()), None, 0, PostureLimits::default());
        assert_eq!(status_of(&f, "ledger.encryption_at_rest"), Some(Status::Fail));
        let empty = tempfile::tempdir().unwrap();
        let f = check_ledger(empty.path(), None, None, 0, PostureLimits::default());
        assert_eq!(status_of(&f, "ledger.encryption_at_rest"), Some(Status::Warn));
    }
}
