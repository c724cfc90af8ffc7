//! Authentication: every `/v1` request carries `Authorization: Bearer <credential>`, either a
//! phiwall API key (`pw_...`, verified against the key store by hash in constant time) or a JWT
//! from the configured OIDC provider (issuer, audience, expiry with leeway, algorithm allow-list
//! checked before any key is chosen; `alg: none` cannot be expressed and is refused).
//!
//! The result is a [`Principal`] naming the app profile; there is no anonymous principal.

use crate::config::JwtConfig;
use crate::error::ApiError;
use crate::jwks::{parse_jwks, KeySet};
use jsonwebtoken::{DecodingKey, Validation};
use phiwall_store::{KeyStore, VerifyError};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Who is calling, after authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// App profile name.
    pub app: String,
    /// `api_key` or `jwt`.
    pub method: &'static str,
    /// Key prefix for API keys.
    pub key_prefix: Option<String>,
    /// Hashed subject for JWTs.
    pub subject_ref: Option<String>,
    /// The verified JWT claims (read by the identity stage for staff roles and care team).
    pub claims: Option<JwtClaims>,
}

/// Verified JWT claims. Kept in memory for the request only; Debug never prints them (claims
/// can hold names or e-mail addresses).
#[derive(Clone)]
pub struct JwtClaims(pub Arc<serde_json::Map<String, serde_json::Value>>);

impl std::fmt::Debug for JwtClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JwtClaims({} claims)", self.0.len())
    }
}

impl PartialEq for JwtClaims {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for JwtClaims {}

impl JwtClaims {
    /// A claim as a list of strings (a JSON array of strings, or one string split on spaces
    /// and commas as some identity providers send roles).
    pub fn strings(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(serde_json::Value::Array(a)) => {
                a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
            }
            Some(serde_json::Value::String(s)) => {
                s.split([' ', ',']).filter(|x| !x.is_empty()).map(str::to_string).collect()
            }
            _ => Vec::new(),
        }
    }
}

impl Principal {
    /// A stable id for per-caller limits: `key:<prefix>` or `sub:<hash>`.
    pub fn limit_id(&self) -> String {
        match (&self.key_prefix, &self.subject_ref) {
            (Some(p), _) => format!("key:{p}"),
            (None, Some(s)) => format!("sub:{s}"),
            (None, None) => format!("app:{}", self.app),
        }
    }
}

/// JWT verifier built from config.
pub struct JwtVerifier {
    cfg: JwtConfig,
    keys: Arc<KeySet>,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier").field("keys", &self.keys).finish()
    }
}

impl JwtVerifier {
    /// Build from a JWKS JSON document (every key must be usable).
    pub fn from_jwks(cfg: JwtConfig, jwks_json: &str) -> Result<Self, String> {
        let keys = parse_jwks(jwks_json, true)?;
        Ok(JwtVerifier { cfg, keys: Arc::new(KeySet::fixed(keys)) })
    }

    /// Build around a key set (a remote one is filled by its refresh loop).
    pub fn with_keys(cfg: JwtConfig, keys: Arc<KeySet>) -> Self {
        JwtVerifier { cfg, keys }
    }

    /// The key set (the server runs a remote set's refresh loop and on-demand refreshes).
    pub fn keys(&self) -> &Arc<KeySet> {
        &self.keys
    }

    /// Verify a token; returns (app, hashed subject).
    pub fn verify(&self, token: &str) -> Result<(String, String), ApiError> {
        self.verify_claims(token).map(|(app, sub, _)| (app, sub))
    }

    /// Verify a token; returns (app, hashed subject, the verified claims).
    pub fn verify_claims(&self, token: &str) -> Result<(String, String, JwtClaims), ApiError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| ApiError::BadToken("header"))?;
        if !self.cfg.algorithms.contains(&header.alg) {
            return Err(ApiError::BadToken("algorithm"));
        }
        let alg_name = format!("{:?}", header.alg);
        let keys = self.keys.current();
        if keys.is_empty() {
            // A remote set that has never loaded: the provider is unreachable, not the token bad.
            return Err(ApiError::JwksUnavailable);
        }
        let candidates: Vec<&DecodingKey> = keys
            .iter()
            .filter(|k| {
                let kid_ok = match (&header.kid, &k.kid) {
                    (Some(h), Some(k)) => h == k,
                    (Some(_), None) => false,
                    (None, _) => true,
                };
                kid_ok && k.alg.as_ref().is_none_or(|a| *a == alg_name)
            })
            .map(|k| &k.key)
            .collect();
        if candidates.is_empty() {
            return Err(ApiError::BadToken("unknown_key"));
        }
        let mut v = Validation::new(header.alg);
        v.algorithms = vec![header.alg];
        v.leeway = self.cfg.leeway_secs;
        v.set_issuer(&[&self.cfg.issuer]);
        v.set_audience(&self.cfg.audience);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.validate_nbf = true;
        let mut last = ApiError::BadToken("signature");
        for key in candidates {
            match jsonwebtoken::decode::<serde_json::Value>(token, key, &v) {
                Ok(data) => {
                    let claims = data.claims;
                    let app = claims
                        .get(&self.cfg.app_claim)
                        .and_then(|a| a.as_str())
                        .ok_or(ApiError::BadToken("app_claim"))?
                        .to_string();
                    let sub = claims.get("sub").and_then(|s| s.as_str()).unwrap_or_default();
                    let sub = subject_ref(sub);
                    let map = match claims {
                        serde_json::Value::Object(m) => m,
                        _ => serde_json::Map::new(),
                    };
                    return Ok((app, sub, JwtClaims(Arc::new(map))));
                }
                Err(e) => {
                    use jsonwebtoken::errors::ErrorKind as K;
                    last = ApiError::BadToken(match e.kind() {
                        K::ExpiredSignature => "expired",
                        K::ImmatureSignature => "not_yet_valid",
                        K::InvalidAudience => "audience",
                        K::InvalidIssuer => "issuer",
                        K::InvalidAlgorithm => "algorithm",
                        K::MissingRequiredClaim(_) => "missing_claim",
                        K::InvalidSignature => "signature",
                        _ => "invalid",
                    });
                    // Only a bad signature means "try the next key"; other failures are final.
                    if !matches!(e.kind(), K::InvalidSignature) {
                        return Err(last);
                    }
                }
            }
        }
        Err(last)
    }
}

/// First 16 bytes of SHA-256 of the subject, hex: a stable reference that is not the subject.
pub fn subject_ref(sub: &str) -> String {
    let d = Sha256::digest(sub.as_bytes());
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Authenticates bearer credentials.
pub struct Authenticator {
    /// API key store.
    pub keys: Arc<dyn KeyStore>,
    /// JWT verifier, when configured.
    pub jwt: Option<JwtVerifier>,
    /// mTLS identities: certificate fingerprint (lowercase hex SHA-256) -> app.
    pub mtls: std::collections::BTreeMap<String, String>,
}

/// The verified client certificate of a TLS connection, as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerCertificate {
    /// Lowercase hex SHA-256 of the leaf certificate (DER).
    pub fingerprint: String,
}

impl PeerCertificate {
    /// Fingerprint a DER certificate.
    pub fn from_der(der: &[u8]) -> Self {
        PeerCertificate {
            fingerprint: Sha256::digest(der).iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator").field("jwt", &self.jwt.is_some()).finish()
    }
}

impl Authenticator {
    /// Authenticate the value of the `Authorization` header (`None` when absent); without one,
    /// a verified client certificate listed in `[auth.mtls]` identifies the app.
    pub fn authenticate(
        &self,
        header: Option<&[u8]>,
        peer: Option<&PeerCertificate>,
        now: i64,
    ) -> Result<Principal, ApiError> {
        let Some(header) = header else {
            if let Some(app) = peer.and_then(|p| self.mtls.get(&p.fingerprint)) {
                return Ok(Principal {
                    app: app.clone(),
                    method: "mtls",
                    key_prefix: None,
                    subject_ref: peer.map(|p| p.fingerprint.chars().take(32).collect()),
                    claims: None,
                });
            }
            return Err(ApiError::MissingCredentials);
        };
        let header = std::str::from_utf8(header).map_err(|_| ApiError::MissingCredentials)?;
        let cred = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or(ApiError::MissingCredentials)?;
        if cred.len() > 8192 {
            return Err(ApiError::BadToken("too_long"));
        }
        if cred.starts_with("pw_") {
            return match phiwall_store::keys::verify(self.keys.as_ref(), cred, now) {
                Ok(rec) => Ok(Principal {
                    app: rec.app,
                    method: "api_key",
                    key_prefix: Some(rec.prefix),
                    subject_ref: None,
                    claims: None,
                }),
                Err(VerifyError::Rejected(r)) => Err(ApiError::BadApiKey(r)),
                Err(VerifyError::Store(_)) => Err(ApiError::StoreUnavailable),
            };
        }
        if cred.bytes().filter(|&b| b == b'.').count() == 2 {
            let Some(jwt) = &self.jwt else {
                return Err(ApiError::BadToken("jwt_not_configured"));
            };
            let (app, sub, claims) = jwt.verify_claims(cred)?;
            return Ok(Principal {
                app,
                method: "jwt",
                key_prefix: None,
                subject_ref: Some(sub),
                claims: Some(claims),
            });
        }
        Err(ApiError::BadApiKey(phiwall_store::KeyRejection::Malformed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    use phiwall_store::SqliteKeyStore;

    const SECRET: &[u8] = b"test-hmac-secret-0123456789abcdef";

    fn jwks() -> String {
        use std::fmt::Write;
        // base64url without padding of SECRET
        let mut b64 = String::new();
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for chunk in SECRET.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                let _ = write!(b64, "{}", alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        format!(r#"{{"keys":[{{"kty":"oct","kid":"k1","alg":"HS256","k":"{b64}"}}]}}"#)
    }

    fn verifier() -> JwtVerifier {
        JwtVerifier::from_jwks(
            JwtConfig {
                issuer: "https://idp.test/".into(),
                audience: vec!["phiwall".into()],
                jwks: crate::jwks::JwksSource::File("unused".into()),
                algorithms: vec![Algorithm::HS256],
                leeway_secs: 0,
                app_claim: "phiwall_app".into(),
            },
            &jwks(),
        )
        .unwrap()
    }

    fn token(aud: &str, exp_offset: i64) -> String {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
                as i64;
        let claims = serde_json::json!({
            "iss": "https://idp.test/", "aud": aud, "sub": "user-1",
            "exp": now + exp_offset, "phiwall_app": "scheduling"
        });
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("k1".into());
        encode(&h, &claims, &EncodingKey::from_secret(SECRET)).unwrap()
    }

    #[test]
    fn valid_token() {
        let (app, sub) = verifier().verify(&token("phiwall", 300)).unwrap();
        assert_eq!(app, "scheduling");
        assert_eq!(sub, subject_ref("user-1"));
        assert_ne!(sub, "user-1");
    }

    #[test]
    fn wrong_audience_expired_and_none() {
        let v = verifier();
        assert_eq!(v.verify(&token("other", 300)), Err(ApiError::BadToken("audience")));
        assert_eq!(v.verify(&token("phiwall", -300)), Err(ApiError::BadToken("expired")));
        // alg: none with the same claims.
        let good = token("phiwall", 300);
        let payload = good.split('.').nth(1).unwrap();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(v.verify(&none).is_err());
        // Tampered signature.
        let mut bad = good.clone();
        bad.pop();
        bad.push(if good.ends_with('A') { 'B' } else { 'A' });
        assert!(v.verify(&bad).is_err());
    }

    #[test]
    fn bearer_parsing() {
        let cert = PeerCertificate::from_der(b"not really DER, only hashed");
        let mut mtls = std::collections::BTreeMap::new();
        mtls.insert(cert.fingerprint.clone(), "clinic".to_string());
        let a =
            Authenticator { keys: Arc::new(SqliteKeyStore::in_memory().unwrap()), jwt: None, mtls };
        let p = a.authenticate(None, Some(&cert), 0).unwrap();
        assert_eq!((p.app.as_str(), p.method), ("clinic", "mtls"));
        let other = PeerCertificate::from_der(b"another");
        assert_eq!(a.authenticate(None, Some(&other), 0), Err(ApiError::MissingCredentials));
        assert_eq!(a.authenticate(None, None, 0), Err(ApiError::MissingCredentials));
        assert_eq!(a.authenticate(Some(b"Basic abc"), None, 0), Err(ApiError::MissingCredentials));
        assert_eq!(a.authenticate(Some(b"Bearer "), None, 0), Err(ApiError::MissingCredentials));
        assert!(matches!(
            a.authenticate(Some(b"Bearer sk-123"), None, 0),
            Err(ApiError::BadApiKey(_))
        ));
        assert_eq!(
            a.authenticate(Some(b"Bearer a.b.c"), None, 0),
            Err(ApiError::BadToken("jwt_not_configured"))
        );
        let k = phiwall_store::keys::create(a.keys.as_ref(), "dev", "t", None, 0).unwrap();
        let h = format!("Bearer {}", k.reveal());
        let p = a.authenticate(Some(h.as_bytes()), None, 1).unwrap();
        assert_eq!(p.app, "dev");
        assert_eq!(p.limit_id(), format!("key:{}", k.record.prefix));
    }
}
