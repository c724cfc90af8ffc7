//! The store contract, run against every backend: SQLite and PostgreSQL for keys, in-memory
//! and Redis for limits. PostgreSQL and Redis tests skip with a printed reason when the local
//! servers do not answer, unless PHIWALL_REQUIRE_EXTERNAL=1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use phiwall_store::keys::{self, KeyRejection, VerifyError};
use phiwall_store::pg::{PgBackend, PgContainmentStore, PgKeyStore, PgOptions, PgSessionStore};
use phiwall_store::redis::{FailMode, RedisLimiter, RedisOptions};
use phiwall_store::testing::{self, TempDatabase};
use phiwall_store::{
    AllDecision, Bucket, Decision, InMemoryLimiter, KeyStore, Quota, RateLimiter, SessionRecord,
    SessionStore, SqliteKeyStore, SqliteSessionStore,
};
use phiwall_store::{ContainmentKind, ContainmentStore, SqliteContainmentStore};
use phiwall_store::{Error, IncidentRow, IncidentStore};
use std::sync::Arc;
use std::time::Duration;

// ------------------------------------------------------------------------------------------
// Key store contract
// ------------------------------------------------------------------------------------------

fn key_contract(s: &dyn KeyStore) {
    s.ping().unwrap();
    // create / verify
    let k = keys::create(s, "scheduling", "dev", None, 100).unwrap();
    let rec = keys::verify(s, k.reveal(), 200).unwrap();
    assert_eq!(rec.app, "scheduling");
    // wrong secret
    let mut bad = k.reveal().to_string();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    assert!(matches!(keys::verify(s, &bad, 1), Err(VerifyError::Rejected(KeyRejection::Unknown))));
    // unknown prefix
    let unknown = format!("pw_{}_{}", "0".repeat(12), "0".repeat(64));
    assert!(matches!(
        keys::verify(s, &unknown, 0),
        Err(VerifyError::Rejected(KeyRejection::Unknown))
    ));
    // expiry
    let e = keys::create(s, "a", "n", Some(60), 1000).unwrap();
    assert!(keys::verify(s, e.reveal(), 1059).is_ok());
    assert!(matches!(
        keys::verify(s, e.reveal(), 1060),
        Err(VerifyError::Rejected(KeyRejection::Expired))
    ));
    // revocation, earlier time wins
    let r = keys::create(s, "a", "n", None, 1000).unwrap();
    assert!(s.revoke(&r.record.prefix, 1010).unwrap());
    assert!(s.revoke(&r.record.prefix, 2000).unwrap());
    assert!(keys::verify(s, r.reveal(), 1009).is_ok());
    assert!(matches!(
        keys::verify(s, r.reveal(), 1010),
        Err(VerifyError::Rejected(KeyRejection::Revoked))
    ));
    assert!(!s.revoke("000000000000", 1).unwrap());
    // rotation with grace
    let old = keys::create(s, "a", "rot", None, 0).unwrap();
    let new = keys::rotate(s, &old.record.prefix, 30, 100).unwrap();
    assert!(keys::verify(s, old.reveal(), 129).is_ok());
    assert!(keys::verify(s, old.reveal(), 130).is_err());
    assert!(keys::verify(s, new.reveal(), 130).is_ok());
    assert!(keys::rotate(s, "ffffffffffff", 0, 1).is_err());
    // duplicate prefix refused
    assert!(s.insert(&k.record, &[0u8; 32]).is_err());
    // list: newest first, no secrets
    let list = s.list().unwrap();
    assert_eq!(list.len(), 5);
    assert!(list.windows(2).all(|w| w[0].created_at >= w[1].created_at));
}

#[test]
fn sqlite_key_store_contract() {
    key_contract(&SqliteKeyStore::in_memory().unwrap());
}

fn pg() -> Option<(TempDatabase, PgOptions)> {
    let db = testing::require("postgresql", TempDatabase::create())?;
    let mut o = PgOptions::new(db.url());
    o.reconcile_interval = Duration::from_secs(2);
    Some((db, o))
}

#[test]
fn postgres_key_store_contract() {
    let Some((_db, opts)) = pg() else { return };
    let b = PgBackend::connect(opts).unwrap();
    let s = PgKeyStore::open(b.clone()).unwrap();
    key_contract(&s);
    b.shutdown();
}

#[test]
fn postgres_revocation_reaches_another_replica_within_a_second() {
    let Some((_db, opts)) = pg() else { return };
    let a = PgKeyStore::open(PgBackend::connect(opts.clone()).unwrap()).unwrap();
    // Migrations run again under the advisory lock: a no-op.
    let b = PgKeyStore::open(PgBackend::connect(opts).unwrap()).unwrap();
    let k = keys::create(&a, "app", "n", None, 0).unwrap();
    let t0 = std::time::Instant::now();
    while keys::verify(&b, k.reveal(), 1).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(1), "new key not seen by the other replica");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(a.revoke(&k.record.prefix, 1).unwrap());
    let t0 = std::time::Instant::now();
    while keys::verify(&b, k.reveal(), 2).is_ok() {
        assert!(t0.elapsed() < Duration::from_secs(1), "revocation not seen within 1 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = t0.elapsed();
    eprintln!("revocation propagated in {took:?}");
    assert!(b.backend().notifications_received() >= 1);
}

#[test]
fn postgres_unreachable_fails_to_connect_with_a_clean_error() {
    let mut o = PgOptions::new("postgres://postgres@127.0.0.1:1/none");
    o.op_timeout = Duration::from_millis(300);
    let e = PgBackend::connect(o).unwrap_err().to_string();
    assert!(e.contains("postgres") || e.contains("timed out"), "{e}");
    assert!(!e.contains("127.0.0.1:1/none"), "the URL must not leak: {e}");
}

// ------------------------------------------------------------------------------------------
// Session store contract
// ------------------------------------------------------------------------------------------

fn session(app: &str, id: &str, data: &str, expires_at: i64) -> SessionRecord {
    SessionRecord {
        app: app.into(),
        id: id.into(),
        caller_ref: Some("00ff".into()),
        data: data.into(),
        created_at: 10,
        updated_at: 10,
        expires_at,
    }
}

fn session_contract(s: &dyn SessionStore) {
    // Scoped to the app: the same id in another app is another session.
    s.put(&session("phone", "call-1", "{\"a\":1}", 100)).unwrap();
    assert_eq!(s.get("phone", "call-1", 50).unwrap().unwrap().data, "{\"a\":1}");
    assert!(s.get("chat", "call-1", 50).unwrap().is_none());
    s.put(&session("chat", "call-1", "{\"b\":2}", 100)).unwrap();
    assert_eq!(s.get("phone", "call-1", 50).unwrap().unwrap().data, "{\"a\":1}");
    assert!(s.delete("chat", "call-1").unwrap());
    assert!(!s.delete("chat", "call-1").unwrap());
    assert!(s.get("phone", "call-1", 50).unwrap().is_some());
    assert!(s.delete("phone", "call-1").unwrap());

    // Expiry on read, touch never revives, purge removes only the expired.
    s.put(&session("a", "x", "{}", 100)).unwrap();
    s.put(&session("a", "y", "{}", 300)).unwrap();
    assert!(s.get("a", "x", 99).unwrap().is_some());
    assert!(s.touch("a", "x", 50, 120).unwrap());
    assert_eq!(s.get("a", "x", 110).unwrap().unwrap().data, "{}");
    assert!(!s.touch("a", "x", 120, 500).unwrap(), "an expired session is not revived");
    assert!(s.get("a", "x", 120).unwrap().is_none());
    assert_eq!(s.purge_expired(200).unwrap(), 1);
    assert!(s.get("a", "y", 200).unwrap().is_some());

    // An update keeps created_at and moves the expiry.
    let mut r = session("a", "y", "{\"v\":2}", 900);
    r.created_at = 999;
    s.put(&r).unwrap();
    let got = s.get("a", "y", 500).unwrap().unwrap();
    assert_eq!((got.created_at, got.expires_at, got.data.as_str()), (10, 900, "{\"v\":2}"));
    assert_eq!(got.caller_ref.as_deref(), Some("00ff"));
    let mut no_caller = session("a", "z", "{}", 900);
    no_caller.caller_ref = None;
    s.put(&no_caller).unwrap();
    assert_eq!(s.get("a", "z", 1).unwrap().unwrap().caller_ref, None);
}

#[test]
fn sqlite_session_store_contract() {
    session_contract(&SqliteSessionStore::in_memory().unwrap());
}

#[test]
fn postgres_session_store_contract() {
    let Some((_db, opts)) = pg() else { return };
    let b = PgBackend::connect(opts).unwrap();
    session_contract(&PgSessionStore::open(b.clone()));
    b.shutdown();
}

#[test]
fn postgres_sessions_are_shared_between_replicas() {
    let Some((_db, opts)) = pg() else { return };
    let a = PgSessionStore::open(PgBackend::connect(opts.clone()).unwrap());
    let b = PgSessionStore::open(PgBackend::connect(opts).unwrap());
    // A verification recorded through one replica is what the next turn reads on another.
    a.put(&session("phone", "call-9", "{\"verified\":\"ref\"}", 1000)).unwrap();
    assert_eq!(b.get("phone", "call-9", 1).unwrap().unwrap().data, "{\"verified\":\"ref\"}");
    assert!(b.delete("phone", "call-9").unwrap());
    assert!(a.get("phone", "call-9", 1).unwrap().is_none());
}

// ------------------------------------------------------------------------------------------
// Containment store contract
// ------------------------------------------------------------------------------------------

fn containment_contract(s: &dyn ContainmentStore) {
    // Apply is idempotent per (kind, target, incident) and bumps the revision once.
    let r0 = s.revision().unwrap();
    let (a, new_a) =
        s.apply(ContainmentKind::SuspendKey, "abc123", "INC-1", "manual", 10, None).unwrap();
    let (b, new_b) =
        s.apply(ContainmentKind::SuspendKey, "abc123", "INC-1", "manual", 11, None).unwrap();
    assert!(new_a && !new_b);
    assert_eq!(a.id, b.id);
    assert_eq!(s.revision().unwrap(), r0 + 1);
    assert_eq!(s.active(12).unwrap().len(), 1);
    assert!(s.lift(a.id, 13, "manual").unwrap());
    assert!(!s.lift(a.id, 14, "manual").unwrap());
    assert!(s.active(15).unwrap().is_empty());

    // Expiry at the entry's own time, lifting a whole incident.
    s.apply(ContainmentKind::BlockSourceIp, "10.0.0.9", "INC-2", "x", 0, Some(100)).unwrap();
    s.apply(ContainmentKind::SafeMode, "", "INC-2", "x", 0, None).unwrap();
    assert_eq!(s.active(99).unwrap().len(), 2);
    assert_eq!(s.active(100).unwrap().len(), 1);
    let exp = s.expire_due(150).unwrap();
    assert_eq!(exp.len(), 1);
    assert_eq!((exp[0].lifted_at, exp[0].lifted_reason.as_deref()), (Some(100), Some("expired")));
    let lifted = s.lift_incident("INC-2", 200, "recovered").unwrap();
    assert_eq!(lifted.len(), 1);
    assert_eq!(lifted[0].lifted_at, Some(200));
    assert!(s.active(201).unwrap().is_empty());
    assert_eq!(s.for_incident("INC-2").unwrap().len(), 2);
    assert!(!s.lift(lifted[0].id, 300, "manual").unwrap());

    // Targets are ids, never free text; safe mode has none.
    assert!(s.apply(ContainmentKind::SuspendKey, "", "I", "x", 0, None).is_err());
    assert!(s.apply(ContainmentKind::SafeMode, "x", "I", "x", 0, None).is_err());
    assert!(s.apply(ContainmentKind::SuspendKey, "a b", "I", "x", 0, None).is_err());
}

#[test]
fn sqlite_containment_store_contract() {
    containment_contract(&SqliteContainmentStore::in_memory().unwrap());
}

#[test]
fn postgres_containment_store_contract() {
    let Some((_db, opts)) = pg() else { return };
    let b = PgBackend::connect(opts).unwrap();
    containment_contract(&PgContainmentStore::open(b.clone()));
    b.shutdown();
}

#[test]
fn postgres_containment_is_shared_between_replicas() {
    let Some((_db, opts)) = pg() else { return };
    let a = Arc::new(PgContainmentStore::open(PgBackend::connect(opts.clone()).unwrap()));
    let b = Arc::new(PgContainmentStore::open(PgBackend::connect(opts).unwrap()));
    let seen = b.revision().unwrap();
    // The same action applied by two replicas at once is one entry.
    let (ta, tb) = (a.clone(), b.clone());
    let ja = std::thread::spawn(move || {
        ta.apply(
            ContainmentKind::SuspendKey,
            "0123456789ab",
            "INC-9",
            "credential_stuffing",
            5,
            None,
        )
    });
    let jb = std::thread::spawn(move || {
        tb.apply(
            ContainmentKind::SuspendKey,
            "0123456789ab",
            "INC-9",
            "credential_stuffing",
            5,
            None,
        )
    });
    let (ra, rb) = (ja.join().unwrap().unwrap(), jb.join().unwrap().unwrap());
    assert_eq!(ra.0.id, rb.0.id);
    assert!(ra.1 ^ rb.1, "exactly one replica created it");
    // The other replica's poll sees the revision move and the entry in force.
    assert!(b.revision().unwrap() > seen);
    assert_eq!(b.active(6).unwrap().len(), 1);
    assert_eq!(a.lift_incident("INC-9", 7, "recovered").unwrap().len(), 1);
    assert!(b.active(8).unwrap().is_empty());
}

// ------------------------------------------------------------------------------------------
// Incident store contract
// ------------------------------------------------------------------------------------------

fn incident(id: &str, status: &str, opened_at: i64) -> IncidentRow {
    IncidentRow {
        id: id.into(),
        status: status.into(),
        severity: "high".into(),
        opened_at,
        updated_at: opened_at,
        body: format!("{{\"id\":\"{id}\"}}"),
    }
}

fn incident_contract(s: &IncidentStore) {
    // A transaction commits the state and its outbox records together.
    let n = s
        .transaction(|tx| -> Result<u64, Error> {
            let n = tx.next_number()?;
            tx.put(&incident("INC-1", "detected", 100))?;
            tx.touch_key("key:abc", "INC-1", 100)?;
            tx.push_outbox("INC-1", 100, "{\"kind\":\"incident.opened\"}")?;
            Ok(n)
        })
        .unwrap();
    assert_eq!(n, 1);
    // A failed one leaves nothing, not even its number.
    let failed: Result<(), Error> = s.transaction(|tx| {
        tx.next_number()?;
        tx.put(&incident("INC-2", "detected", 200))?;
        tx.push_outbox("INC-2", 200, "{}")?;
        Err(Error::Poisoned)
    });
    assert!(failed.is_err());
    assert!(s.get("INC-2").unwrap().is_none());
    assert_eq!(s.transaction(|tx| tx.next_number()).unwrap(), 2);
    // Upsert keeps opened_at and replaces the rest; reads inside the transaction see it.
    s.transaction(|tx| -> Result<(), Error> {
        let mut r = incident("INC-1", "contained", 999);
        r.updated_at = 150;
        tx.put(&r)?;
        assert_eq!(tx.get("INC-1")?.map(|r| r.status).as_deref(), Some("contained"));
        tx.touch_key("key:abc", "INC-1", 50)?; // older sighting: last_seen stays 100
        tx.put(&incident("INC-3", "closed", 300))?;
        tx.touch_key("key:abc", "INC-3", 300)?;
        tx.put(&incident("INC-4", "detected", 400))?;
        tx.touch_key("ip:10.0.0.1", "INC-4", 400)?;
        Ok(())
    })
    .unwrap();
    let got = s.get("INC-1").unwrap().unwrap();
    assert_eq!((got.status.as_str(), got.opened_at, got.updated_at), ("contained", 100, 150));
    // Correlation: per key its most recent open incident, across keys the most recent.
    let done = ["closed", "recovered"];
    s.transaction(|tx| -> Result<(), Error> {
        let abc = vec!["key:abc".to_string()];
        assert_eq!(tx.find_open(&abc, 0, &done)?.as_deref(), Some("INC-1"));
        assert_eq!(tx.find_open(&abc, 101, &done)?, None, "INC-1 was last seen at 100");
        let both = vec!["key:abc".to_string(), "ip:10.0.0.1".to_string()];
        assert_eq!(tx.find_open(&both, 0, &done)?.as_deref(), Some("INC-4"));
        Ok(())
    })
    .unwrap();
    let ids: Vec<String> = s.list().unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["INC-4", "INC-3", "INC-1"], "newest first");
    // Outbox: pending until marked written, then gone from pending and kept per incident.
    let pending = s.pending_outbox(10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].incident, "INC-1");
    s.mark_written(&[(pending[0].id, 7)]).unwrap();
    assert!(s.pending_outbox(10).unwrap().is_empty());
    assert_eq!(s.outbox_for("INC-1").unwrap()[0].seq, Some(7));
    assert!(s.outbox_for("INC-2").unwrap().is_empty());
}

#[test]
fn sqlite_incident_store_contract() {
    incident_contract(&IncidentStore::in_memory().unwrap());
}

#[test]
fn postgres_incident_store_contract() {
    let Some((_db, opts)) = pg() else { return };
    let b = PgBackend::connect(opts).unwrap();
    let s = IncidentStore::postgres(b.clone(), "r1");
    assert!(s.is_shared());
    incident_contract(&s);
    b.shutdown();
}

#[test]
fn postgres_incidents_are_shared_and_serialized_between_replicas() {
    let Some((_db, opts)) = pg() else { return };
    let a = Arc::new(IncidentStore::postgres(PgBackend::connect(opts.clone()).unwrap(), "r1"));
    let b = Arc::new(IncidentStore::postgres(PgBackend::connect(opts).unwrap(), "r2"));
    // Two replicas correlating the same principal at once: the incident lock serializes them,
    // so the second finds the first's incident instead of opening another.
    let open_or_join = |s: Arc<IncidentStore>| {
        std::thread::spawn(move || {
            s.transaction(|tx| -> Result<String, Error> {
                let keys = vec!["key:0123456789ab".to_string()];
                if let Some(id) = tx.find_open(&keys, 0, &["closed"])? {
                    return Ok(id);
                }
                std::thread::sleep(Duration::from_millis(50)); // widen the race window
                let id = format!("INC-{}", tx.next_number()?);
                tx.put(&incident(&id, "detected", 10))?;
                tx.touch_key(&keys[0], &id, 10)?;
                tx.push_outbox(&id, 10, "{}")?;
                Ok(id)
            })
        })
    };
    let (ja, jb) = (open_or_join(a.clone()), open_or_join(b.clone()));
    let (ia, ib) = (ja.join().unwrap().unwrap(), jb.join().unwrap().unwrap());
    assert_eq!(ia, ib, "one incident for one principal");
    assert_eq!(a.list().unwrap().len(), 1);
    assert_eq!(b.get(&ia).unwrap().map(|r| r.status).as_deref(), Some("detected"));
    // Outbox claims: a record claimed by one replica is not handed to the other.
    let claimed = a.pending_outbox(10).unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(b.pending_outbox(10).unwrap().is_empty(), "claimed by r1");
    a.mark_written(&[(claimed[0].id, 3)]).unwrap();
    assert_eq!(b.outbox_for(&ia).unwrap()[0].seq, Some(3));
}

// ------------------------------------------------------------------------------------------
// Limiter contract (async path, the one the gateway uses)
// ------------------------------------------------------------------------------------------

async fn limiter_contract(l: Arc<dyn RateLimiter>, ns: &str) {
    let k = |s: &str| format!("{ns}{s}");
    // burst then refuse, with a retry-after near one interval
    let q = Quota { per_minute: 60, burst: 3 };
    for _ in 0..3 {
        assert_eq!(l.check_async(&k("burst"), q, 1, 0).await, Decision::Allow);
    }
    match l.check_async(&k("burst"), q, 1, 0).await {
        Decision::Deny { retry_after } => {
            assert!(
                retry_after <= Duration::from_secs(1) && retry_after > Duration::from_millis(900)
            )
        }
        Decision::Allow => panic!("fourth request within the burst must be refused"),
    }
    assert_eq!(l.check_async(&k("other"), q, 1, 0).await, Decision::Allow);
    // cost larger than the burst never fits
    let q = Quota::per_minute(100);
    assert!(matches!(l.check_async(&k("big"), q, 101, 0).await, Decision::Deny { .. }));
    assert_eq!(l.check_async(&k("big"), q, 100, 0).await, Decision::Allow);
    assert!(matches!(l.check_async(&k("big"), q, 1, 0).await, Decision::Deny { .. }));
    // refunds give units back
    let q = Quota::per_minute(10);
    assert_eq!(l.check_async(&k("refund"), q, 10, 0).await, Decision::Allow);
    assert!(matches!(l.check_async(&k("refund"), q, 5, 0).await, Decision::Deny { .. }));
    l.refund(&k("refund"), q, 5, 0);
    let t0 = std::time::Instant::now();
    loop {
        // The shared limiter applies refunds in the background.
        if l.check_async(&k("refund"), q, 5, 0).await == Decision::Allow {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(1), "refund not applied");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // a combined check reserves in every bucket or in none
    let (qa, qb) = (Quota { per_minute: 60, burst: 2 }, Quota { per_minute: 60, burst: 1 });
    let (ka, kb) = (k("all-a"), k("all-b"));
    let both = [Bucket { key: &ka, quota: qa }, Bucket { key: &kb, quota: qb }];
    assert_eq!(l.check_all_async(&both, 1, 0).await, AllDecision::Allow);
    match l.check_all_async(&both, 1, 0).await {
        AllDecision::Deny { bucket, retry_after } => {
            assert_eq!(bucket, 1, "the second bucket is the full one");
            assert!(retry_after > Duration::from_millis(900));
        }
        AllDecision::Allow => panic!("the second bucket is full"),
    }
    // The refused check left the first bucket as it was: one unit of its burst of two is left.
    assert_eq!(l.check_async(&ka, qa, 1, 0).await, Decision::Allow);
    assert!(matches!(l.check_async(&ka, qa, 1, 0).await, Decision::Deny { .. }));
    assert_eq!(l.check_all_async(&[], 1, 0).await, AllDecision::Allow);
    // concurrent reservations do not overspend
    let q = Quota::per_minute(1000);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let l = l.clone();
        let key = k("conc");
        set.spawn(async move {
            let mut n = 0u64;
            for _ in 0..50 {
                if l.check_async(&key, q, 7, 0).await == Decision::Allow {
                    n += 7;
                }
            }
            n
        });
    }
    let mut used = 0;
    while let Some(r) = set.join_next().await {
        used += r.unwrap();
    }
    // The quota refills at 1000/min while the test runs (Redis' clock moves): allow a few.
    assert!(used <= 1000 + 7 * 3 && used > 1000 - 7, "used {used}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_limiter_contract() {
    limiter_contract(Arc::new(InMemoryLimiter::default()), "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_limiter_contract() {
    if testing::require("redis", testing::redis_answers()).is_none() {
        return;
    }
    let mut o = RedisOptions::new(testing::redis_url());
    o.key_prefix = format!("phiwall-test:{}:", testing::unique_suffix());
    o.timeout = Duration::from_millis(500);
    let l = RedisLimiter::connect(o.clone()).await.unwrap();
    l.ping().await.unwrap();
    limiter_contract(Arc::new(l), "").await;
    // The script survives SCRIPT FLUSH (EVALSHA falls back to loading it).
    let client = redis::Client::open(o.url.as_str()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("SCRIPT").arg("FLUSH").query_async::<()>(&mut c).await.unwrap();
    let l = RedisLimiter::connect(o).await.unwrap();
    redis::cmd("SCRIPT").arg("FLUSH").query_async::<()>(&mut c).await.unwrap();
    assert_eq!(l.check_async("after-flush", Quota::per_minute(5), 1, 0).await, Decision::Allow);
    assert_eq!(l.failures(), 0);
    // A check that cannot get an answer (here: a synchronous caller, which may not wait on the
    // network) gets the configured failure decision: closed refuses, open allows.
    assert!(matches!(l.check("k", Quota::per_minute(5), 1, 0), Decision::Deny { .. }));
    assert_eq!(l.failures(), 1);
    let mut open = RedisOptions::new(testing::redis_url());
    open.key_prefix = format!("phiwall-test:{}:", testing::unique_suffix());
    open.fail_mode = FailMode::Open;
    let l = RedisLimiter::connect(open).await.unwrap();
    assert_eq!(l.check("k", Quota::per_minute(5), 1, 0), Decision::Allow);
}

#[tokio::test]
async fn redis_down_fails_closed_by_default_and_open_when_configured() {
    // Nothing listens on port 1: connecting fails cleanly.
    let mut o = RedisOptions::new("redis://127.0.0.1:1");
    o.timeout = Duration::from_millis(100);
    assert!(RedisLimiter::connect(o.clone()).await.is_err());
    assert_eq!(FailMode::default(), FailMode::Closed);
}

#[test]
fn postgres_stale_cache_fails_closed() {
    let Some((_db, mut opts)) = pg() else { return };
    // Reconciles far apart, staleness bound short: the cache goes stale between reconciles,
    // which is what a replica cut off from PostgreSQL sees.
    opts.reconcile_interval = Duration::from_secs(60);
    opts.max_stale = Duration::from_millis(800);
    let s = PgKeyStore::open(PgBackend::connect(opts).unwrap()).unwrap();
    let k = keys::create(&s, "app", "n", None, 0).unwrap();
    assert!(keys::verify(&s, k.reveal(), 1).is_ok());
    std::thread::sleep(Duration::from_millis(1200));
    assert!(s.ping().is_err());
    assert!(matches!(keys::verify(&s, k.reveal(), 1), Err(VerifyError::Store(_))));
}

// ------------------------------------------------------------------------------------------
// Verification attempt counters (Redis; the full contract against both stores runs in
// phiwall-gateway's tests/attempts.rs, where the identity types are)
// ------------------------------------------------------------------------------------------

#[test]
fn redis_attempt_counters_expire_and_survive_script_flush() {
    use phiwall_store::redis::attempts::{AttemptLimits, FailedSubject, RedisAttempts};
    if testing::require("redis", testing::redis_answers()).is_none() {
        return;
    }
    let mut o = RedisOptions::new(testing::redis_url());
    o.key_prefix = format!("phiwall-test:{}:", testing::unique_suffix());
    o.timeout = Duration::from_millis(500);
    let a = RedisAttempts::connect(o.clone()).unwrap();
    let limits = AttemptLimits {
        window_secs: 60,
        base_backoff_secs: 2,
        max_backoff_secs: 60,
        lockout_secs: 300,
    };
    let client = redis::Client::open(o.url.as_str()).unwrap();
    let mut c = client.get_connection().unwrap();
    let ttl = |c: &mut redis::Connection, k: &str| -> i64 {
        redis::cmd("TTL").arg(format!("{}va:{k}", o.key_prefix)).query(c).unwrap()
    };
    // A failure is remembered for the window (newest failure + window), no longer.
    let now = 1_795_000_000;
    let s = [FailedSubject { key: "patient:ab", max: 2 }];
    assert!(a.record_failure(&s, limits, now).unwrap().is_empty());
    let t = ttl(&mut c, "patient:ab");
    assert!((55..=61).contains(&t), "ttl {t}");
    // A lockout outlives the window: the key lives until it ends.
    redis::cmd("SCRIPT").arg("FLUSH").query::<()>(&mut c).unwrap();
    let ev = a.record_failure(&s, limits, now + 1).unwrap();
    assert_eq!(ev.len(), 1, "the script is reloaded after SCRIPT FLUSH (NOSCRIPT)");
    assert_eq!((ev[0].index, ev[0].failures, ev[0].locked_until), (0, 2, now + 301));
    let t = ttl(&mut c, "patient:ab");
    assert!((295..=301).contains(&t), "ttl {t}");
    let times = a.times(&["patient:ab", "session:cd"]).unwrap();
    assert_eq!(times[0].locked_until, now + 301);
    assert_eq!(times[1].locked_until, 0);
    // Every key this store wrote has an expiry and sits under the prefix.
    let keys: Vec<String> =
        redis::cmd("KEYS").arg(format!("{}*", o.key_prefix)).query(&mut c).unwrap();
    assert_eq!(keys, [format!("{}va:patient:ab", o.key_prefix)]);
    a.clear(&["patient:ab"]).unwrap();
    assert_eq!(a.times(&["patient:ab"]).unwrap()[0].locked_until, 0);
    assert_eq!(a.failures(), 0);
}
