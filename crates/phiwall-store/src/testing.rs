//! Support for tests against real PostgreSQL and Redis (the store's contract suite, the
//! gateway's cluster tests): where the peers are, whether they answer, and a throw-away
//! database per test run.
//!
//! Tests skip with a printed reason when a peer does not answer, unless
//! `PHIWALL_REQUIRE_EXTERNAL=1`, in which case a missing peer fails the test.

use sqlx::Connection;
use std::time::Duration;

/// Server URL without a database (`PHIWALL_TEST_PG_URL`, default the local trust-auth server).
pub fn pg_server_url() -> String {
    std::env::var("PHIWALL_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// Redis URL (`PHIWALL_TEST_REDIS_URL`, default the local server).
pub fn redis_url() -> String {
    std::env::var("PHIWALL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Whether a missing peer must fail the test.
pub fn is_required() -> bool {
    std::env::var("PHIWALL_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1")
}

/// A random hex suffix for database names and key prefixes.
pub fn unique_suffix() -> String {
    let mut b = [0u8; 6];
    let _ = getrandom::getrandom(&mut b);
    let mut s = format!("{}_", std::process::id());
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

fn on_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    std::thread::spawn(f).join().map_err(|_| "helper thread failed".to_string())?
}

fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    Ok(rt.block_on(f))
}

/// A database created for one test run and dropped with this value.
#[derive(Debug)]
pub struct TempDatabase {
    server: String,
    name: String,
}

impl TempDatabase {
    /// Create `phiwall_test_<pid>_<random>` on the server; `Err` says why it could not.
    pub fn create() -> Result<Self, String> {
        let server = pg_server_url();
        let name = format!("phiwall_test_{}", unique_suffix());
        let (s, n) = (server.clone(), name.clone());
        on_thread(move || {
            block_on(async move {
                let connect = sqlx::PgConnection::connect(&format!("{s}/postgres"));
                let mut c = tokio::time::timeout(Duration::from_secs(3), connect)
                    .await
                    .map_err(|_| "postgres did not answer within 3 s".to_string())?
                    .map_err(|e| format!("postgres: {}", crate::pg::pg_error(&e)))?;
                sqlx::query(&format!("CREATE DATABASE {n}"))
                    .execute(&mut c)
                    .await
                    .map_err(|e| format!("create database: {}", crate::pg::pg_error(&e)))?;
                Ok(())
            })?
        })?;
        Ok(TempDatabase { server, name })
    }

    /// The URL of the database.
    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        let (s, n) = (self.server.clone(), self.name.clone());
        let _ = on_thread(move || {
            block_on(async move {
                if let Ok(mut c) = sqlx::PgConnection::connect(&format!("{s}/postgres")).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                }
            })
        });
    }
}

/// Whether Redis answers PING within a second; `Err` says why not.
pub fn redis_answers() -> Result<(), String> {
    let url = redis_url();
    on_thread(move || {
        block_on(async move {
            let client = ::redis::Client::open(url.as_str()).map_err(|e| e.to_string())?;
            let conn = client.get_multiplexed_async_connection();
            let mut c = tokio::time::timeout(Duration::from_secs(1), conn)
                .await
                .map_err(|_| "redis did not answer within 1 s".to_string())?
                .map_err(|e| format!("redis: {:?}", e.kind()))?;
            ::redis::cmd("PING").query_async::<String>(&mut c).await.map_err(|e| e.to_string())?;
            Ok(())
        })?
    })
}

/// Skip (return `None` after printing why) or fail, when a peer is missing.
pub fn require<T>(what: &str, r: Result<T, String>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) if is_required() => {
            fail_required(what, &e);
            None
        }
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("SKIP: {what} not available ({e}); set PHIWALL_REQUIRE_EXTERNAL=1 to fail instead");
            }
            None
        }
    }
}

#[allow(clippy::panic)]
fn fail_required(what: &str, e: &str) {
    // Only reached from tests with PHIWALL_REQUIRE_EXTERNAL=1: a missing peer is a failure.
    panic!("{what} required (PHIWALL_REQUIRE_EXTERNAL=1) but not available: {e}");
}
