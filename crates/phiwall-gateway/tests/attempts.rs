//! The verification attempt store contract (issue 10), run against the in-memory limiter and
//! the shared Redis store. Each contract gets two handles standing for two replicas: for Redis
//! two independent connections, for memory one limiter behind both. Counts, backoffs and
//! lockouts recorded through one handle must hold through the other. The Redis runs skip with
//! a printed reason when 127.0.0.1:6379 (or PHIWALL_TEST_REDIS_URL) does not answer, unless
//! PHIWALL_REQUIRE_EXTERNAL=1.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use phiwall_gateway::cluster::attempts::SharedAttemptStore;
use phiwall_identity::{
    fhir, AttemptLimiter, AttemptStore, ClaimedFacts, Digest, Directory, DirectoryKey, Gate,
    LimiterConfig, LockoutEvent, ManualClock, Outcome, Scope, SessionState, VerificationPolicy,
    Verifier,
};
use phiwall_store::redis::attempts::RedisAttempts;
use phiwall_store::redis::RedisOptions;
use phiwall_store::testing;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Handle = Box<dyn AttemptStore>;

/// Builds two handles ("replicas") over one fresh store with these limits.
type Pair = dyn Fn(LimiterConfig) -> (Handle, Handle);

/// One in-memory limiter behind two handles.
struct SharedMemory(Arc<Mutex<AttemptLimiter>>);

impl AttemptStore for SharedMemory {
    fn check(&mut self, s: &[(Scope, Digest)], now: u64) -> Result<Gate, phiwall_identity::Error> {
        AttemptStore::check(&mut *self.0.lock().unwrap(), s, now)
    }
    fn record_failure(
        &mut self,
        s: &[(Scope, Digest)],
        now: u64,
    ) -> Result<Vec<LockoutEvent>, phiwall_identity::Error> {
        AttemptStore::record_failure(&mut *self.0.lock().unwrap(), s, now)
    }
    fn record_success(&mut self, s: &[(Scope, Digest)]) -> Result<(), phiwall_identity::Error> {
        AttemptStore::record_success(&mut *self.0.lock().unwrap(), s)
    }
}

fn memory_pair(limits: LimiterConfig) -> (Handle, Handle) {
    let l = Arc::new(Mutex::new(AttemptLimiter::new(limits)));
    (Box::new(SharedMemory(l.clone())), Box::new(SharedMemory(l)))
}

fn redis_options() -> RedisOptions {
    let mut o = RedisOptions::new(testing::redis_url());
    o.key_prefix = format!("phiwall-test:{}:", testing::unique_suffix());
    o.timeout = Duration::from_millis(500);
    o
}

/// Two independent connections (as two replicas would have) over one key prefix.
fn redis_pair(limits: LimiterConfig) -> (Handle, Handle) {
    let o = redis_options();
    let a = Arc::new(RedisAttempts::connect(o.clone()).unwrap());
    let b = Arc::new(RedisAttempts::connect(o).unwrap());
    (
        Box::new(SharedAttemptStore::new(a, limits.clone())),
        Box::new(SharedAttemptStore::new(b, limits)),
    )
}

fn d(b: u8) -> Digest {
    Digest([b; 16])
}

fn check(h: &mut Handle, s: &[(Scope, Digest)], now: u64) -> Gate {
    h.check(s, now).unwrap()
}

fn fail(h: &mut Handle, s: &[(Scope, Digest)], now: u64) -> Vec<LockoutEvent> {
    h.record_failure(s, now).unwrap()
}

const T0: u64 = 1_795_000_000;

fn contract(pair: &Pair) {
    // Nothing recorded: allowed.
    let (mut a, mut b) = pair(LimiterConfig::default());
    assert_eq!(check(&mut a, &[], T0), Gate::Allowed);
    assert_eq!(check(&mut a, &[(Scope::Session, d(99))], T0), Gate::Allowed);
    assert!(fail(&mut a, &[], T0).is_empty());
    a.record_success(&[]).unwrap();

    // Backoff, then lockout, then release, alternating replicas.
    let s = [(Scope::Session, d(1))];
    let mut t = T0;
    assert!(fail(&mut a, &s, t).is_empty());
    assert_eq!(check(&mut b, &s, t), Gate::Backoff { retry_after_secs: 2 });
    t += 2;
    assert_eq!(check(&mut b, &s, t), Gate::Allowed);
    assert!(fail(&mut b, &s, t).is_empty());
    assert_eq!(check(&mut a, &s, t + 1), Gate::Backoff { retry_after_secs: 3 });
    t += 4;
    let ev = fail(&mut a, &s, t);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].event, "verification_lockout");
    assert_eq!((ev[0].scope, ev[0].failures, ev[0].at), (Scope::Session, 3, t));
    assert_eq!(ev[0].subject, d(1).hex());
    assert_eq!(ev[0].locked_until, t + 900);
    assert_eq!(check(&mut b, &s, t + 899), Gate::Locked { until: t + 900 });
    // A failure recorded while locked (a race between replicas) starts no second lockout.
    assert!(fail(&mut b, &s, t + 10).is_empty());
    assert_eq!(check(&mut a, &s, t + 900), Gate::Allowed);
    // The lockout consumed the failures that caused it: one more does not relock.
    assert!(fail(&mut a, &s, t + 900).is_empty());

    // Backoff grows with the count and is capped.
    let (mut a, mut b) =
        pair(LimiterConfig { session_max: 100, max_backoff_secs: 10, ..LimiterConfig::default() });
    let s = [(Scope::Session, d(2))];
    let mut t = T0;
    for want in [2, 4, 8, 10, 10] {
        fail(if want % 4 == 0 { &mut a } else { &mut b }, &s, t);
        assert_eq!(check(&mut a, &s, t), Gate::Backoff { retry_after_secs: want });
        assert_eq!(check(&mut b, &s, t + want - 1), Gate::Backoff { retry_after_secs: 1 });
        assert_eq!(check(&mut b, &s, t + want), Gate::Allowed);
        t += want;
    }

    // A patient is locked after patient_max failures in total, spread over replicas,
    // sessions and caller numbers; the sessions and numbers stay under their own maximum.
    let (mut a, mut b) = pair(LimiterConfig::default());
    let patient = (Scope::Patient, d(3));
    let mut t = T0;
    for i in 0..5u8 {
        let subjects = [(Scope::Session, d(10 + i)), (Scope::CallerNumber, d(20 + i)), patient];
        let h = if i % 2 == 0 { &mut a } else { &mut b };
        assert_eq!(check(h, &subjects, t), Gate::Allowed, "attempt {i}");
        let ev = fail(h, &subjects, t);
        if i < 4 {
            assert!(ev.is_empty(), "attempt {i} locked early: {ev:?}");
        } else {
            assert_eq!(ev.len(), 1, "{ev:?}");
            assert_eq!((ev[0].scope, ev[0].failures), (Scope::Patient, 5));
            assert_eq!(ev[0].subject, d(3).hex());
            assert_eq!(ev[0].locked_until, t + 900);
        }
        t += 100; // past the patient's backoff
    }
    let until = t - 100 + 900;
    let fresh = [(Scope::Session, d(30)), (Scope::CallerNumber, d(31)), patient];
    assert_eq!(check(&mut a, &fresh, t), Gate::Locked { until });
    assert_eq!(check(&mut b, &fresh, t), Gate::Locked { until });
    // The strictest subject wins; another patient is unaffected.
    assert_eq!(check(&mut b, &[(Scope::Session, d(30)), (Scope::Patient, d(4))], t), Gate::Allowed);

    // Window: failures older than window_secs are forgotten (sliding).
    let (mut a, mut b) =
        pair(LimiterConfig { patient_max: 3, window_secs: 100, ..LimiterConfig::default() });
    let p = [(Scope::Patient, d(5))];
    assert!(fail(&mut a, &p, T0).is_empty());
    assert!(fail(&mut b, &p, T0 + 50).is_empty());
    assert!(fail(&mut a, &p, T0 + 120).is_empty(), "the first failure left the window");
    let ev = fail(&mut b, &p, T0 + 130);
    assert_eq!(ev.len(), 1, "three failures within 100 s lock");
    assert_eq!(ev[0].failures, 3);
    // Spaced further apart than the window, failures never lock.
    let q = [(Scope::Patient, d(6))];
    for i in 0..10 {
        assert!(fail(if i % 2 == 0 { &mut a } else { &mut b }, &q, T0 + i * 101).is_empty());
    }

    // Success clears the session and the caller number, never the patient.
    let (mut a, mut b) = pair(LimiterConfig { patient_max: 2, ..LimiterConfig::default() });
    let p = (Scope::Patient, d(7));
    let first = [(Scope::Session, d(40)), (Scope::CallerNumber, d(41)), p];
    fail(&mut a, &first, T0);
    assert!(matches!(check(&mut b, &first, T0 + 1), Gate::Backoff { .. }));
    b.record_success(&first).unwrap();
    assert_eq!(check(&mut a, &[(Scope::Session, d(40))], T0 + 1), Gate::Allowed);
    assert_eq!(check(&mut a, &[(Scope::CallerNumber, d(41))], T0 + 1), Gate::Allowed);
    assert!(matches!(check(&mut a, &[p], T0 + 1), Gate::Backoff { .. }), "patient kept");
    let ev = fail(&mut b, &[(Scope::Session, d(42)), p], T0 + 100);
    assert_eq!(ev.len(), 1, "the patient's first failure still counts");
    assert_eq!(ev[0].scope, Scope::Patient);
    assert_eq!(
        check(&mut a, &[(Scope::Session, d(43)), p], T0 + 101),
        Gate::Locked { until: T0 + 1000 }
    );
    // Several subjects locked at once: one event each, the latest lock wins the check.
    let (mut a, mut b) =
        pair(LimiterConfig { session_max: 1, caller_max: 1, ..LimiterConfig::default() });
    let both = [(Scope::Session, d(50)), (Scope::CallerNumber, d(51))];
    let ev = fail(&mut a, &both, T0);
    assert_eq!(
        ev.iter().map(|e| e.scope).collect::<Vec<_>>(),
        [Scope::Session, Scope::CallerNumber]
    );
    assert_eq!(check(&mut b, &both, T0 + 1), Gate::Locked { until: T0 + 900 });
}

#[test]
fn in_memory_attempt_store_contract() {
    contract(&memory_pair);
}

#[test]
fn redis_attempt_store_contract() {
    if testing::require("redis", testing::redis_answers()).is_none() {
        return;
    }
    contract(&redis_pair);
}

// ------------------------------------------------------------------------------------------
// Two verifiers (two replicas) over one shared store
// ------------------------------------------------------------------------------------------

const BUNDLE: &str = r#"{"resourceType":"Bundle","entry":[
  {"resource":{"resourceType":"Patient","id":"p1",
    "identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"MRN-001"}],
    "name":[{"family":"Smith","given":["William"]}],
    "birthDate":"1984-03-04","address":[{"postalCode":"02139"}]}},
  {"resource":{"resourceType":"Patient","id":"p2",
    "name":[{"family":"Hernandez","given":["Jesus"]}],
    "birthDate":"1990-12-25","address":[{"postalCode":"60601"}]}}]}"#;

fn claim(name: &str, dob: &str, zip: &str) -> ClaimedFacts {
    ClaimedFacts {
        name: Some(name.into()),
        birth_date: Some(dob.into()),
        zip: Some(zip.into()),
        ..ClaimedFacts::default()
    }
}

#[test]
fn dob_guessing_across_replicas_meets_one_patient_limit() {
    if testing::require("redis", testing::redis_answers()).is_none() {
        return;
    }
    let key = DirectoryKey::new(vec![7u8; 32]).unwrap();
    let dir = Arc::new(Directory::build(key, &fhir::read(BUNDLE).unwrap()));
    let clock = Arc::new(ManualClock::new(T0));
    let o = redis_options();
    let limits = LimiterConfig::default();
    let mut replicas: Vec<Verifier> = (0..3)
        .map(|_| {
            let store = SharedAttemptStore::new(
                Arc::new(RedisAttempts::connect(o.clone()).unwrap()),
                limits.clone(),
            );
            Verifier::with_store(
                dir.clone(),
                VerificationPolicy::default(),
                Box::new(store),
                Box::new(clock.clone()),
            )
            .unwrap()
        })
        .collect();
    // Round robin over three replicas, a new session and caller number per guess.
    let mut outcomes = Vec::new();
    for i in 0..6u32 {
        let mut s = SessionState {
            id: format!("call-{i}"),
            caller_number: Some(format!("555-010-{i:04}")),
            ..SessionState::default()
        };
        let v = &mut replicas[(i % 3) as usize];
        outcomes.push(
            v.verify(&mut s, &claim("William Smith", &format!("1984-03-{:02}", 10 + i), "02139")),
        );
        clock.advance(100);
    }
    assert!(outcomes[..4].iter().all(|o| *o == Outcome::NotVerified), "{outcomes:?}");
    match &outcomes[4] {
        Outcome::Locked { events, .. } => {
            assert!(events.iter().any(|e| e.scope == Scope::Patient && e.failures == 5))
        }
        o => panic!("the fifth guess over three replicas should lock the patient, got {o:?}"),
    }
    assert!(matches!(outcomes[5], Outcome::Locked { ref events, .. } if events.is_empty()));
    // Even the right answer is refused on every replica while the patient is locked.
    for v in &mut replicas {
        let mut s = SessionState { id: "real".into(), ..SessionState::default() };
        assert!(matches!(
            v.verify(&mut s, &claim("William Smith", "1984-03-04", "02139")),
            Outcome::Locked { .. }
        ));
    }
    // Another patient verifies through any replica.
    let mut s = SessionState { id: "other".into(), ..SessionState::default() };
    assert!(matches!(
        replicas[1].verify(&mut s, &claim("Jesus Hernandez", "1990-12-25", "60601")),
        Outcome::Verified(_)
    ));
}

#[test]
fn unreachable_redis_fails_start_without_naming_the_url() {
    // Nothing listens on port 1: connecting at start fails cleanly (the gateway does not
    // start), and the error text names neither the host nor the password.
    let mut o = RedisOptions::new("redis://user:hunter2@127.0.0.1:1");
    o.timeout = Duration::from_millis(100);
    let e = RedisAttempts::connect(o).unwrap_err().to_string();
    assert!(!e.contains("hunter2") && !e.contains("127.0.0.1"), "{e}");
}

/// A TCP proxy to Redis that can hold back everything the client sends (Redis then does not
/// answer, as when it hangs or the network stalls; TCP delivers the held bytes later, in
/// order).
struct Proxy {
    port: u16,
    is_blackhole: Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    fn start(upstream: &str) -> Proxy {
        use std::io::{Read, Write};
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let is_blackhole = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let hole = is_blackhole.clone();
        let upstream = upstream.to_string();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(&upstream) else { continue };
                for (mut from, mut to, is_request) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap(), true),
                    (server, client, false),
                ] {
                    let hole = hole.clone();
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 4096];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 {
                                break;
                            }
                            while is_request && hole.load(Ordering::SeqCst) {
                                std::thread::sleep(Duration::from_millis(5));
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                    });
                }
            }
        });
        Proxy { port, is_blackhole }
    }

    fn set_blackhole(&self, on: bool) {
        self.is_blackhole.store(on, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn redis_that_stops_answering_refuses_verification_then_recovers() {
    if testing::require("redis", testing::redis_answers()).is_none() {
        return;
    }
    let url = testing::redis_url();
    let Some(hostport) = url.strip_prefix("redis://").filter(|h| !h.contains(['@', '/'])) else {
        eprintln!("SKIP: proxy test needs a plain redis://host:port URL");
        return;
    };
    let proxy = Proxy::start(hostport);
    let mut o = redis_options();
    o.url = format!("redis://127.0.0.1:{}", proxy.port);
    o.timeout = Duration::from_millis(100);
    let attempts = Arc::new(RedisAttempts::connect(o).unwrap());
    let key = DirectoryKey::new(vec![7u8; 32]).unwrap();
    let dir = Arc::new(Directory::build(key, &fhir::read(BUNDLE).unwrap()));
    let clock = Arc::new(ManualClock::new(T0));
    let mut v = Verifier::with_store(
        dir,
        VerificationPolicy::default(),
        Box::new(SharedAttemptStore::new(attempts.clone(), LimiterConfig::default())),
        Box::new(clock.clone()),
    )
    .unwrap();
    let right = claim("William Smith", "1984-03-04", "02139");
    let wrong = claim("William Smith", "1984-03-05", "02139");
    let mut s = SessionState { id: "s".into(), ..SessionState::default() };
    assert_eq!(v.verify(&mut s, &wrong), Outcome::NotVerified);
    clock.advance(100);

    // Redis stops answering: each attempt is refused within the timeout (100 ms here, plus
    // the hand-off to the IO thread), right answer or not.
    proxy.set_blackhole(true);
    for _ in 0..3 {
        let started = std::time::Instant::now();
        assert_eq!(v.verify(&mut s, &right), Outcome::TryLater { retry_after_secs: 1 });
        assert!(started.elapsed() < Duration::from_millis(400), "{:?}", started.elapsed());
        assert!(s.verification.is_none());
    }
    assert!(attempts.failures() >= 3);

    // Redis answers again: the replies to the abandoned reads are discarded and the earlier
    // failure is still counted.
    proxy.set_blackhole(false);
    std::thread::sleep(Duration::from_millis(200));
    clock.advance(100);
    assert_eq!(v.verify(&mut s, &wrong), Outcome::NotVerified);
    clock.advance(100);
    assert!(
        matches!(v.verify(&mut s, &wrong), Outcome::Locked { ref events, .. } if !events.is_empty()),
        "the session's third failure (one before the outage) locks it"
    );
}
