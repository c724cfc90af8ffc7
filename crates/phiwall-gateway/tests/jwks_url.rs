//! JWT keys fetched from the identity provider's JWKS URL: loaded at start, re-fetched when a
//! token names a new key id (rotation), rate limited against random key ids, and a provider
//! that cannot be reached yields 503 for JWTs (API keys keep working) and an unready gateway.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::routing::get;
use common::{b64url, now, Harness};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A stand-in identity provider serving whatever key set it holds, counting fetches.
#[derive(Clone, Default)]
struct Provider {
    jwks: Arc<Mutex<String>>,
    fetches: Arc<AtomicUsize>,
}

impl Provider {
    fn publish(&self, keys: &[(&str, &[u8])]) {
        let keys: Vec<_> = keys
            .iter()
            .map(|(kid, secret)| json!({"kty": "oct", "kid": kid, "alg": "HS256", "k": b64url(secret)}))
            .collect();
        // Providers also publish encryption keys; those are skipped, not fatal.
        let mut all = keys;
        all.push(
            json!({"kty": "oct", "kid": "enc-1", "use": "enc", "k": b64url(b"encryption-key")}),
        );
        *self.jwks.lock().unwrap() = json!({ "keys": all }).to_string();
    }

    async fn start(&self, tasks: &mut tokio::task::JoinSet<()>) -> std::net::SocketAddr {
        let p = self.clone();
        let app = axum::Router::new().route(
            "/jwks",
            get(move || {
                let p = p.clone();
                async move {
                    p.fetches.fetch_add(1, Ordering::SeqCst);
                    let body = p.jwks.lock().unwrap().clone();
                    ([("content-type", "application/json")], body)
                }
            }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tasks.spawn(async move { axum::serve(l, app).await.unwrap() });
        addr
    }
}

fn token(kid: &str, secret: &[u8]) -> String {
    let claims = json!({"iss": "https://idp.test/", "aud": "phiwall", "sub": "nurse-7",
        "exp": now() + 300, "phiwall_app": "clinic"});
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.kid = Some(kid.into());
    jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_secret(secret)).unwrap()
}

fn with_url(url: &str, min_gap_secs: u64) -> impl FnOnce(String) -> String + '_ {
    move |cfg: String| {
        let line = cfg.lines().find(|l| l.starts_with("jwks_file")).unwrap().to_string();
        cfg.replace(
            &line,
            &format!("jwks_url = \"{url}\"\njwks_refresh_secs = 3600\njwks_min_refresh_secs = {min_gap_secs}"),
        )
    }
}

async fn status(h: &Harness, bearer: &str) -> (u16, serde_json::Value) {
    let body = json!({"model": "phiwall-sim", "messages": [{"role": "user", "content": "hi"}]});
    let (s, v, _) = h
        .post_raw(
            "/v1/chat/completions",
            Some(bearer),
            "application/json",
            body.to_string().into_bytes(),
        )
        .await;
    (s, v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_load_rotate_and_refetches_are_rate_limited() {
    let idp = Provider::default();
    idp.publish(&[("2026-a", b"first-signing-secret-0123456789abcdef")]);
    let mut tasks = tokio::task::JoinSet::new();
    let addr = idp.start(&mut tasks).await;
    let url = format!("http://{addr}/jwks");
    let h = Harness::start_with_config(with_url(&url, 2)).await;

    let (s, v) = status(&h, &token("2026-a", b"first-signing-secret-0123456789abcdef")).await;
    assert_eq!(s, 200, "{v}");
    let ready = h.client.get(h.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let fetched = idp.fetches.load(Ordering::SeqCst);
    assert_eq!(fetched, 1, "the first token and the refresh loop share one fetch");

    // The provider rotates; wait out the minimum gap, then the first token with the new key
    // id fetches the set again and passes.
    idp.publish(&[
        ("2026-a", b"first-signing-secret-0123456789abcdef"),
        ("2026-b", b"second-signing-secret-0123456789abcdef"),
    ]);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (s, v) = status(&h, &token("2026-b", b"second-signing-secret-0123456789abcdef")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 2);

    // Random key ids within the gap fetch nothing and are refused as unknown keys.
    for i in 0..20 {
        let (s, v) =
            status(&h, &token(&format!("forged-{i}"), b"attacker-secret-0123456789abcdef")).await;
        assert_eq!(s, 401, "{v}");
        assert_eq!(v["error"]["message"], "invalid bearer token (unknown_key)");
    }
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 2);
    // A known key id with the wrong secret is a bad signature, not a reason to fetch.
    let (s, _) = status(&h, &token("2026-a", b"attacker-secret-0123456789abcdef")).await;
    assert_eq!(s, 401);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_provider_fails_jwts_closed_but_keeps_api_keys() {
    // Nothing listens here.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", l.local_addr().unwrap());
    drop(l);
    let h = Harness::start_with_config(with_url(&url, 1)).await;
    let (s, v) = status(&h, &token("2026-a", b"first-signing-secret-0123456789abcdef")).await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(v["error"]["code"], "jwks_unavailable");
    let key = h.key.clone();
    let (s, _) = status(&h, &key).await;
    assert_eq!(s, 200);
    let ready = h.client.get(h.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let body: serde_json::Value = serde_json::from_slice(&ready.bytes().await.unwrap()).unwrap();
    assert_eq!(body["jwks"], false);
    h.stop().await;
}
