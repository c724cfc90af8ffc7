//! JSON Web Key Sets for JWT verification: read from a file at start, or fetched from the
//! identity provider's `jwks_uri` and kept fresh.
//!
//! Remote sets are refreshed on a timer and, when a token names a key id the set does not
//! hold (the provider rotated its keys), once more on demand, but never more often than the
//! configured minimum gap, so random key ids cannot turn the gateway into a fetch amplifier.
//! A failed fetch keeps the last good set. Fetches are bounded: one at a time, a timeout, no
//! redirects, and a size cap on the body.

use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::DecodingKey;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Largest JWKS body read from the provider.
pub const MAX_JWKS_BYTES: usize = 512 * 1024;
/// Time allowed for one fetch.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// One verification key: key id and algorithm as published, and the key.
pub struct VerifierKey {
    /// `kid`, when published.
    pub kid: Option<String>,
    /// `alg` as jsonwebtoken spells it (`RS256`), when published.
    pub alg: Option<String>,
    /// The key.
    pub key: DecodingKey,
}

impl std::fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierKey").field("kid", &self.kid).field("alg", &self.alg).finish()
    }
}

/// Parse a JWKS document. `strict` (a file the operator wrote) refuses any key that cannot be
/// used; otherwise (a provider's document) keys for encryption or of unsupported types are
/// skipped, since providers publish those too. Either way at least one key must remain.
pub fn parse_jwks(json: &str, strict: bool) -> Result<Vec<VerifierKey>, String> {
    let set: JwkSet = serde_json::from_str(json).map_err(|e| format!("invalid JWKS JSON: {e}"))?;
    let mut keys = Vec::new();
    for (i, jwk) in set.keys.iter().enumerate() {
        match verifier_key(jwk) {
            Ok(k) => keys.push(k),
            Err(e) if strict => return Err(format!("JWKS key {i}: {e}")),
            Err(e) => tracing::debug!(key = i, error = %e, "JWKS key skipped"),
        }
    }
    if keys.is_empty() {
        return Err("the JWKS holds no usable signing keys".into());
    }
    Ok(keys)
}

fn verifier_key(jwk: &Jwk) -> Result<VerifierKey, String> {
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return Err("an encryption key (use: enc)".into());
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    Ok(VerifierKey {
        kid: jwk.common.key_id.clone(),
        alg: jwk.common.key_algorithm.map(|a| format!("{a:?}")),
        key,
    })
}

/// Where the keys come from, with the refresh settings of a remote set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS file, read once at start.
    File(std::path::PathBuf),
    /// The provider's JWKS URL.
    Url {
        /// `https://...` (plain `http://` only to a loopback host).
        url: String,
        /// Timer refresh.
        refresh: Duration,
        /// Minimum time between two fetches (on-demand refreshes included).
        min_gap: Duration,
    },
}

/// The verification keys in use, swapped whole on refresh.
pub struct KeySet {
    keys: RwLock<Arc<Vec<VerifierKey>>>,
    remote: Option<Remote>,
}

struct Remote {
    url: reqwest::Url,
    client: reqwest::Client,
    refresh: Duration,
    min_gap: Duration,
    last_attempt: Mutex<Option<Instant>>,
    /// One fetch at a time; waiters see the result of the fetch they waited for.
    fetching: tokio::sync::Mutex<()>,
    /// Sets installed so far (tells a waiter that the fetch it waited for brought new keys).
    generation: AtomicU64,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &self.current().len())
            .field("remote", &self.remote.as_ref().map(|r| r.url.as_str()))
            .finish()
    }
}

impl KeySet {
    /// Fixed keys (a file, or tests).
    pub fn fixed(keys: Vec<VerifierKey>) -> Self {
        KeySet { keys: RwLock::new(Arc::new(keys)), remote: None }
    }

    /// An empty set to be filled from `url` by [`KeySet::refresh`].
    pub fn remote(url: &str, refresh: Duration, min_gap: Duration) -> Result<Self, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
        check_url(&url)?;
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(KeySet {
            keys: RwLock::new(Arc::new(Vec::new())),
            remote: Some(Remote {
                url,
                client,
                refresh,
                min_gap,
                last_attempt: Mutex::new(None),
                fetching: tokio::sync::Mutex::new(()),
                generation: AtomicU64::new(0),
            }),
        })
    }

    /// The keys in use now.
    pub fn current(&self) -> Arc<Vec<VerifierKey>> {
        match self.keys.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// True for a set fetched from a URL.
    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// The timer refresh interval of a remote set.
    pub fn refresh_interval(&self) -> Option<Duration> {
        self.remote.as_ref().map(|r| r.refresh)
    }

    /// How many sets have been installed from the URL so far (0 for a local set). Read it
    /// before verifying a token, then pass it to [`KeySet::refresh_after`].
    pub fn generation(&self) -> u64 {
        self.remote.as_ref().map_or(0, |r| r.generation.load(Ordering::Acquire))
    }

    /// Fetch the remote set again unless a fetch started less than the minimum gap ago (then
    /// wait for that one). Returns `Ok(true)` when a new set was installed while this call ran
    /// (by it, or by the fetch it waited for): then a retry may succeed.
    pub async fn refresh(&self) -> Result<bool, String> {
        self.refresh_after(self.generation()).await
    }

    /// [`KeySet::refresh`], counting any set installed since generation `seen` as new. A
    /// request reads the generation before it verifies: a set the refresh loop installs between
    /// that failed verification and this call then means "retry", where reading the generation
    /// here would miss it and leave the request refused (a race seen in CI under load).
    pub async fn refresh_after(&self, seen: u64) -> Result<bool, String> {
        let Some(r) = &self.remote else { return Ok(false) };
        let _one_at_a_time = r.fetching.lock().await;
        if r.generation.load(Ordering::Acquire) != seen {
            return Ok(true);
        }
        {
            let mut last = r.last_attempt.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| t.elapsed() < r.min_gap) {
                return Ok(false);
            }
            *last = Some(Instant::now());
        }
        let keys = fetch(&r.client, &r.url).await?;
        let n = keys.len();
        match self.keys.write() {
            Ok(mut k) => *k = Arc::new(keys),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(keys),
        }
        r.generation.fetch_add(1, Ordering::AcqRel);
        tracing::info!(keys = n, url = %r.url, "JWKS loaded");
        Ok(true)
    }

    /// Keep a remote set fresh until `cancel`: refresh on the timer, retrying sooner (from the
    /// minimum gap, doubling up to the timer) while fetches fail.
    pub async fn refresh_loop(self: Arc<Self>, cancel: tokio_util::sync::CancellationToken) {
        let Some(r) = &self.remote else { return };
        let mut wait = Duration::ZERO;
        loop {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = cancel.cancelled() => return,
            }
            wait = match self.refresh().await {
                Ok(_) => r.refresh,
                Err(e) => {
                    tracing::warn!(url = %r.url, error = %e, "JWKS fetch failed; keeping the last good keys");
                    if wait >= r.refresh || wait.is_zero() {
                        r.min_gap.max(Duration::from_secs(1))
                    } else {
                        (wait * 2).min(r.refresh)
                    }
                }
            };
        }
    }
}

/// `https`, or `http` to a loopback host only (a test or a sidecar on the same machine).
fn check_url(url: &reqwest::Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = url.host_str().unwrap_or_default();
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = host.eq_ignore_ascii_case("localhost")
                || bare.parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback());
            if loopback {
                Ok(())
            } else {
                Err("plain http is allowed only to a loopback host; use https".into())
            }
        }
        s => Err(format!("unsupported scheme {s:?}; use https")),
    }
}

async fn fetch(client: &reqwest::Client, url: &reqwest::Url) -> Result<Vec<VerifierKey>, String> {
    let mut resp = client.get(url.clone()).send().await.map_err(|e| format!("request: {e}"))?;
    if resp.status() != reqwest::StatusCode::OK {
        return Err(format!("status {}", resp.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| format!("body: {e}"))? {
        if body.len() + chunk.len() > MAX_JWKS_BYTES {
            return Err(format!("body larger than {MAX_JWKS_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    let text = std::str::from_utf8(&body).map_err(|_| "body is not UTF-8".to_string())?;
    parse_jwks(text, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_documents_skip_unusable_keys_files_do_not() {
        let doc = r#"{"keys": [
            {"kty": "oct", "kid": "a", "alg": "HS256", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"},
            {"kty": "oct", "kid": "enc", "use": "enc", "k": "c2VjcmV0"}
        ]}"#;
        let keys = parse_jwks(doc, false).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid.as_deref(), Some("a"));
        assert_eq!(keys[0].alg.as_deref(), Some("HS256"));
        assert!(parse_jwks(doc, true).unwrap_err().contains("key 1"));
        assert!(parse_jwks(r#"{"keys": []}"#, false).is_err());
        assert!(parse_jwks("not json", false).unwrap_err().starts_with("invalid JWKS JSON"));
    }

    #[test]
    fn urls_must_be_https_except_to_loopback() {
        let ok = |u: &str| check_url(&reqwest::Url::parse(u).unwrap());
        assert!(ok("https://idp.example.org/.well-known/jwks.json").is_ok());
        assert!(ok("http://127.0.0.1:8080/jwks").is_ok());
        assert!(ok("http://[::1]:8080/jwks").is_ok());
        assert!(ok("http://localhost/jwks").is_ok());
        assert!(ok("http://idp.example.org/jwks").is_err());
        assert!(ok("http://10.0.0.5/jwks").is_err());
        assert!(ok("ftp://idp.example.org/jwks").is_err());
        assert!(KeySet::remote("not a url", Duration::ZERO, Duration::ZERO).is_err());
    }

    #[tokio::test]
    async fn refreshes_respect_the_minimum_gap() {
        // Nothing listens on port 9 of loopback: every fetch fails fast.
        let set = KeySet::remote(
            "http://127.0.0.1:9/jwks",
            Duration::from_secs(60),
            Duration::from_secs(60),
        )
        .unwrap();
        assert!(set.refresh().await.is_err());
        // Within the gap: no second attempt, and no error either.
        assert_eq!(set.refresh().await, Ok(false));
        assert!(set.current().is_empty());
    }

    #[tokio::test]
    async fn a_set_installed_since_the_caller_looked_means_retry() {
        let set = KeySet::remote(
            "http://127.0.0.1:9/jwks",
            Duration::from_secs(60),
            Duration::from_secs(60),
        )
        .unwrap();
        let seen = set.generation();
        // The refresh loop installs a set (simulated) after the caller's failed verification.
        if let Some(r) = &set.remote {
            r.generation.fetch_add(1, Ordering::AcqRel);
        }
        assert_eq!(set.refresh_after(seen).await, Ok(true), "no fetch needed: retry");
        assert_eq!(set.generation(), seen + 1);
    }
}
