//! Anomaly engine: each rule fires on its behaviour and stays quiet on near-misses; replay is
//! deterministic; arbitrary streams never panic and memory stays bounded; detections carry no
//! PHI (issue 7).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use phiwall_watch::anomaly::eval::{self, EvalOptions};
use phiwall_watch::anomaly::sim::{self, Scenario};
use phiwall_watch::anomaly::{AnomalyConfig, AnomalyEngine};
use phiwall_watch::{Activity, Detection, DetectionKind, Event, Outcome, PrincipalKind};
use proptest::prelude::*;

const T0: i64 = sim::START_MS;
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

fn engine() -> AnomalyEngine {
    AnomalyEngine::new(AnomalyConfig::default()).unwrap()
}

fn ev(t: i64, n: u64) -> Event {
    let mut e = Event::new(Activity::Create, t, format!("req_{n}"), "chat.completions");
    e.actor.auth = "api_key";
    e.actor.key_prefix = Some("pk_test_01".into());
    e.app = Some("ehr-assistant".into());
    e.source_ip = Some("10.0.3.11".into());
    e.tokens_in = 1000;
    e.tokens_out = 200;
    e
}

fn run(eng: &mut AnomalyEngine, events: &[Event]) -> Vec<Detection> {
    events.iter().flat_map(|e| eng.observe(e)).collect()
}

fn kinds(d: &[Detection]) -> Vec<DetectionKind> {
    let mut k: Vec<DetectionKind> = d.iter().map(|d| d.kind).collect();
    k.dedup();
    k
}

/// A user reading `n` distinct patients, one every `gap_ms`, each in its own session.
fn user_reads(n: u64, gap_ms: i64, start: i64) -> Vec<Event> {
    (0..n)
        .map(|i| {
            let mut e = ev(start + i as i64 * gap_ms, i);
            e.actor.subject_ref = Some("sub_user_a".into());
            e.session = Some(format!("s{i}"));
            e.patient_refs = vec![format!("pt_{i:016x}")];
            e
        })
        .collect()
}

#[test]
fn bulk_access_fires_on_many_patients_and_not_on_few() {
    let d = run(&mut engine(), &user_reads(20, 2000, T0));
    let bulk: Vec<_> = d.iter().filter(|d| d.kind == DetectionKind::BulkPatientAccess).collect();
    assert_eq!(bulk.len(), 1, "one detection for one behaviour: {d:?}");
    let b = bulk[0];
    assert_eq!(b.principal.kind, PrincipalKind::User);
    assert_eq!(b.evidence.observed, 10.0);
    assert!(b.time - T0 <= 20_000);
    assert!(b.techniques.iter().any(|t| t == "AML.T0057"));
    assert!(!b.patient_refs.is_empty() && b.patient_refs.len() <= 32);
    assert!(!b.request_ids.is_empty() && b.request_ids.len() <= 16);
    assert!(b.related.iter().any(|p| p.kind == PrincipalKind::Key));
    // Eight patients in a minute, or one a minute for an hour, is not bulk.
    let d = run(&mut engine(), &user_reads(8, 5000, T0));
    assert!(d.is_empty(), "{d:?}");
    let d = run(&mut engine(), &user_reads(20, 70_000, T0));
    assert!(!kinds(&d).contains(&DetectionKind::BulkPatientAccess), "{d:?}");
}

/// A key (no user, a new session per request) reading `n` distinct patients, one every
/// `gap_ms`: a stolen key on its first day, before any baseline.
fn key_reads(n: u64, gap_ms: i64, start: i64) -> Vec<Event> {
    (0..n)
        .map(|i| {
            let mut e = ev(start + i as i64 * gap_ms, i);
            e.session = Some(format!("k{i}"));
            e.patient_refs = vec![format!("pt_{i:016x}")];
            e
        })
        .collect()
}

#[test]
fn a_cold_key_alarms_on_bulk_access_above_the_cold_floor_only() {
    let cfg = AnomalyConfig::default();
    let cold = (cfg.bulk_floor_aggregate * cfg.cold_aggregate_factor) as u64;
    let d = run(&mut engine(), &key_reads(cold + 5, 50, T0));
    let bulk: Vec<_> = d
        .iter()
        .filter(|d| {
            d.kind == DetectionKind::BulkPatientAccess && d.principal.kind == PrincipalKind::Key
        })
        .collect();
    assert_eq!(bulk.len(), 1, "{d:?}");
    assert_eq!(bulk[0].evidence.observed, cold as f64);
    assert_eq!(bulk[0].evidence.threshold, cold as f64);
    // Busy but below the cold floor: many concurrent conversations are not an attack.
    let d = run(&mut engine(), &key_reads(cold - 1, 50, T0));
    assert!(!kinds(&d).contains(&DetectionKind::BulkPatientAccess), "{d:?}");
}

#[test]
fn requests_refused_by_limits_alarm_without_a_baseline() {
    let cfg = AnomalyConfig::default();
    let refused = |t: i64, n: u64| {
        let mut e = ev(t, n);
        e.outcome = Outcome::Denied;
        e.reason = Some("limit.rate");
        e.status = 429;
        e
    };
    let floor = cfg.throttle_floor as u64;
    let flood: Vec<Event> = (0..floor).map(|i| refused(T0 + i as i64 * 100, i)).collect();
    let d = run(&mut engine(), &flood);
    let spikes: Vec<_> = d
        .iter()
        .filter(|d| {
            d.kind == DetectionKind::RequestRateSpike && d.principal.kind == PrincipalKind::Key
        })
        .collect();
    assert_eq!(spikes.len(), 1, "{d:?}");
    assert_eq!(spikes[0].evidence.observed, cfg.throttle_floor);
    // A few refusals (a client that retries politely) and many refusals spread beyond the
    // window are quiet.
    let d = run(&mut engine(), &flood[..(floor as usize - 1)]);
    assert!(!kinds(&d).contains(&DetectionKind::RequestRateSpike), "{d:?}");
    let spread: Vec<Event> = (0..floor)
        .map(|i| refused(T0 + i as i64 * (cfg.rate_window_secs as i64 * 1000 / 10), i))
        .collect();
    let d = run(&mut engine(), &spread);
    assert!(!kinds(&d).contains(&DetectionKind::RequestRateSpike), "{d:?}");
}

#[test]
fn slow_exfiltration_fires_against_the_learned_day() {
    let mut eng = engine();
    let mut all = Vec::new();
    let mut n = 0;
    // Ten days of 2 patients an hour in office hours.
    for day in 0..10 {
        for h in 9..17 {
            for k in 0..2 {
                let mut e = ev(T0 + day * 24 * HOUR + h * HOUR + k * 20 * MIN, n);
                e.actor.subject_ref = Some("sub_user_b".into());
                e.patient_refs = vec![format!("pt_{:016x}", (n * 7919) % 3000)];
                all.push(e);
                n += 1;
            }
        }
    }
    let quiet = run(&mut eng, &all);
    assert!(quiet.is_empty(), "normal days are quiet: {quiet:?}");
    // Day 11: 30 new patients an hour.
    let mut attack = Vec::new();
    for k in 0..120 {
        let mut e = ev(T0 + 10 * 24 * HOUR + 9 * HOUR + k * 2 * MIN, n);
        e.actor.subject_ref = Some("sub_user_b".into());
        e.patient_refs = vec![format!("pt_{:016x}", 100_000 + k)];
        attack.push(e);
        n += 1;
    }
    let d = run(&mut eng, &attack);
    let slow: Vec<_> = d.iter().filter(|d| d.kind == DetectionKind::SlowExfiltration).collect();
    assert!(!slow.is_empty(), "{d:?}");
    assert!(slow[0].evidence.baseline > 0.0, "against a learned baseline");
}

#[test]
fn credential_stuffing_needs_many_keys_or_many_failures() {
    let fail = |t: i64, n: u64, ip: &str, key: &str| {
        let mut e = ev(t, n);
        e.actor.key_prefix = Some(key.into());
        e.app = None;
        e.source_ip = Some(ip.into());
        e.outcome = Outcome::Denied;
        e.reason = Some("auth.key_unknown");
        e.status = 401;
        e
    };
    let stuffing: Vec<Event> =
        (0..10).map(|i| fail(T0 + i * 500, i as u64, "203.0.113.9", &format!("pk_{i}"))).collect();
    let d = run(&mut engine(), &stuffing);
    assert_eq!(kinds(&d), vec![DetectionKind::CredentialStuffing]);
    assert_eq!(d[0].principal.id, "203.0.113.9");
    assert_eq!(d[0].techniques, vec!["T1110.004".to_owned()]);
    // One misconfigured client retrying its revoked key every few seconds.
    let retry: Vec<Event> =
        (0..20).map(|i| fail(T0 + i * 3000, i as u64, "10.0.5.9", "pk_old")).collect();
    assert!(run(&mut engine(), &retry).is_empty());
}

#[test]
fn guard_probing_fires_on_a_probing_session_only() {
    let probe = |flagged_every: i64| -> Vec<Event> {
        (0..20)
            .map(|i| {
                let mut e = ev(T0 + i * 10_000, i as u64);
                e.session = Some("chat-1".into());
                if i % flagged_every == 0 {
                    e.count_finding("input.injection", 1);
                    e.outcome = Outcome::Denied;
                    e.reason = Some("policy.injection");
                }
                e
            })
            .collect()
    };
    let d = run(&mut engine(), &probe(2));
    // Ten injections in a session: repeated injection (from the third) and guard probing.
    let k = kinds(&d);
    assert!(k.contains(&DetectionKind::GuardProbing), "{d:?}");
    assert!(k.contains(&DetectionKind::PromptInjection), "{d:?}");
    for x in &d {
        assert_eq!(x.principal.kind, PrincipalKind::Session, "{x:?}");
        assert!(x.techniques.iter().any(|t| t == "AML.T0051"));
    }
    let inj = d.iter().find(|x| x.kind == DetectionKind::PromptInjection).unwrap();
    assert_eq!(inj.evidence.observed, AnomalyConfig::default().injection_min_session);
    // Two blocks in twenty requests is a user, not a probe.
    assert!(run(&mut engine(), &probe(10)).is_empty());
}

#[test]
fn verification_failures_per_session_and_per_patient() {
    let mut eng = engine();
    let fails: Vec<Event> = (0..4)
        .map(|i| {
            let mut e = ev(T0 + i * 20_000, i as u64);
            e.session = Some("call-1".into());
            e.caller_ref = Some("cr_00aa".into());
            e.patient_refs = vec!["pt_target".into()];
            e.count_finding("identity.verify_failed", 1);
            e
        })
        .collect();
    let d = run(&mut eng, &fails);
    assert_eq!(kinds(&d), vec![DetectionKind::VerificationFailures]);
    assert_eq!(d[0].principal.kind, PrincipalKind::Session);
    // Three different calls each failing once for the same patient.
    let mut eng = engine();
    let spread: Vec<Event> = (0..3)
        .map(|i| {
            let mut e = ev(T0 + i * 5 * MIN, i as u64);
            e.session = Some(format!("call-{i}"));
            e.caller_ref = Some(format!("cr_{i}"));
            e.patient_refs = vec!["pt_target".into()];
            e.count_finding("identity.verify_failed", 1);
            e
        })
        .collect();
    let d = run(&mut eng, &spread);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].principal.kind, PrincipalKind::Patient);
    assert_eq!(d[0].patient_refs, vec!["pt_target".to_owned()]);
    // One failure then success is normal.
    let mut eng = engine();
    let mut e = ev(T0, 1);
    e.session = Some("call-9".into());
    e.count_finding("identity.verify_failed", 1);
    let mut ok = ev(T0 + 20_000, 2);
    ok.session = Some("call-9".into());
    ok.count_finding("identity.verified", 1);
    assert!(run(&mut eng, &[e, ok]).is_empty());
}

#[test]
fn lockout_and_disclosures_are_reported() {
    let mut eng = engine();
    let mut e = ev(T0, 1);
    e.session = Some("call-2".into());
    e.count_finding("identity.lockout", 1);
    assert_eq!(kinds(&eng.observe(&e)), vec![DetectionKind::VerificationLockout]);
    let mut one = ev(T0 + 1000, 2);
    one.session = Some("call-3".into());
    one.count_finding("output.disclosure_prevented", 1);
    assert!(eng.observe(&one).is_empty(), "a single prevented disclosure is the guard working");
    let mut two = one.clone();
    two.time += 1000;
    two.request_id = "req_3".into();
    assert!(eng.observe(&two).is_empty(), "two are still the guard working");
    let mut three = two.clone();
    three.time += 1000;
    three.request_id = "req_3b".into();
    assert_eq!(kinds(&eng.observe(&three)), vec![DetectionKind::DisclosurePrevented]);
    let mut leak = ev(T0 + 3000, 4);
    leak.session = Some("call-4".into());
    leak.count_finding("output.cross_patient_leak", 1);
    assert_eq!(kinds(&eng.observe(&leak)), vec![DetectionKind::DisclosurePrevented]);
}

/// Three weeks of a key used 9-17 on weekdays from one address, 20 requests an hour.
fn office_key() -> (AnomalyEngine, u64) {
    let mut eng = engine();
    let mut n = 0;
    for day in 0..21 {
        if day % 7 >= 5 {
            continue;
        }
        for h in 9..17 {
            for k in 0..20 {
                let mut e = ev(T0 + day * 24 * HOUR + h * HOUR + k * 3 * MIN, n);
                e.actor.key_prefix = Some("pk_office".into());
                e.source_ip = Some("10.0.4.5".into());
                n += 1;
                assert!(eng.observe(&e).is_empty(), "normal office use at day {day} hour {h}");
            }
        }
    }
    (eng, n)
}

#[test]
fn new_source_and_off_hours_for_a_key() {
    let (base, mut n) = office_key();
    // Monday 10:00 from a new network, then Saturday 02:30 from the known address.
    let mut eng = base.clone();
    let mut e = ev(T0 + 21 * 24 * HOUR + 10 * HOUR, n);
    e.actor.key_prefix = Some("pk_office".into());
    e.source_ip = Some("198.51.100.23".into());
    let d = eng.observe(&e);
    assert_eq!(kinds(&d), vec![DetectionKind::NewSource]);
    assert!(d[0].related.iter().any(|p| p.kind == PrincipalKind::SourceIp));
    // A new address in the known /24 is a new workstation, not a new place.
    let mut e2 = e.clone();
    e2.source_ip = Some("10.0.4.77".into());
    e2.time += 1000;
    assert!(base.clone().observe(&e2).is_empty());

    let mut eng = base.clone();
    let mut d = Vec::new();
    for k in 0..8 {
        n += 1;
        let mut e = ev(T0 + 26 * 24 * HOUR + 2 * HOUR + 30 * MIN + k * 20_000, n);
        e.actor.key_prefix = Some("pk_office".into());
        e.source_ip = Some("10.0.4.5".into());
        d.extend(eng.observe(&e));
    }
    assert_eq!(kinds(&d), vec![DetectionKind::OffHours]);
    // The same requests at 11:00 on a weekday are normal.
    let mut eng = base;
    for k in 0..8 {
        n += 1;
        let mut e = ev(T0 + 21 * 24 * HOUR + 11 * HOUR + k * 20_000, n);
        e.actor.key_prefix = Some("pk_office".into());
        e.source_ip = Some("10.0.4.5".into());
        assert!(eng.observe(&e).is_empty());
    }
}

#[test]
fn request_and_token_spikes_against_the_learned_hour() {
    let (base, mut n) = office_key();
    let mut eng = base.clone();
    let mut d = Vec::new();
    // 200 requests in five minutes at 10:00 (usual: 20 an hour), 3000 tokens each.
    for k in 0..200 {
        n += 1;
        let mut e = ev(T0 + 21 * 24 * HOUR + 10 * HOUR + k * 1500, n);
        e.actor.key_prefix = Some("pk_office".into());
        e.source_ip = Some("10.0.4.5".into());
        e.tokens_in = 2500;
        e.tokens_out = 500;
        d.extend(eng.observe(&e));
    }
    let k = kinds(&d);
    assert!(k.contains(&DetectionKind::RequestRateSpike), "{k:?}");
    assert!(k.contains(&DetectionKind::TokenSpike), "{k:?}");
    assert_eq!(d.iter().filter(|d| d.kind == DetectionKind::RequestRateSpike).count(), 1);
    // Twice the usual rate is not a spike.
    let mut eng = base;
    for k in 0..40 {
        n += 1;
        let mut e = ev(T0 + 21 * 24 * HOUR + 10 * HOUR + k * 90_000, n);
        e.actor.key_prefix = Some("pk_office".into());
        e.source_ip = Some("10.0.4.5".into());
        assert!(eng.observe(&e).is_empty());
    }
}

#[test]
fn model_extraction_by_shapes_and_by_token_regularity() {
    let shaped = |near: bool| -> Vec<Event> {
        (0..60)
            .map(|i| {
                let mut e = ev(T0 + i * 5000, i as u64);
                e.actor.subject_ref = Some("sub_x".into());
                e.session = Some(format!("s{}", i / 10));
                e.request_shape = Some(if near {
                    0xDEAD_BEEF_0000_0000 ^ (1 << (i % 3))
                } else {
                    (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                });
                e.tokens_in = 400 + (i as u64 * 37) % 900;
                e
            })
            .collect()
    };
    let d = run(&mut engine(), &shaped(true));
    assert_eq!(kinds(&d), vec![DetectionKind::ModelExtraction]);
    assert!(d[0].techniques.iter().any(|t| t == "AML.T0024.002"));
    assert!(run(&mut engine(), &shaped(false)).is_empty());
    // Without shapes: 100 requests of nearly constant prompt size.
    let flat: Vec<Event> = (0..100)
        .map(|i| {
            let mut e = ev(T0 + i * 5000, i as u64);
            e.actor.subject_ref = Some("sub_y".into());
            e.tokens_in = 420 + (i as u64 % 7);
            e
        })
        .collect();
    assert_eq!(kinds(&run(&mut engine(), &flat)), vec![DetectionKind::ModelExtraction]);
}

#[test]
fn cooldown_keeps_one_behaviour_to_one_detection() {
    let d = run(&mut engine(), &user_reads(300, 1000, T0));
    let bulk = d.iter().filter(|d| d.kind == DetectionKind::BulkPatientAccess).count();
    assert_eq!(bulk, 1, "{:?}", kinds(&d));
}

#[test]
fn replay_is_deterministic() {
    // Same events, same detections, detection for detection.
    let mut events = sim::normal_traffic(8, 4);
    events.extend(sim::inject(Scenario::BulkExfiltration, 8, 4).events);
    events.sort_by(|x, y| x.time.cmp(&y.time).then_with(|| x.request_id.cmp(&y.request_id)));
    let x = run(&mut engine(), &events);
    let y = run(&mut engine(), &events);
    assert_eq!(x, y);
    assert!(!x.is_empty());
}

/// The targets on one short run (seed 9 is neither a dev nor a test seed): every
/// scenario detected, bulk exfiltration under 60 s, credential stuffing under 30 s, at most one
/// false alarm per clinic-week.
#[test]
fn evaluation_meets_the_targets() {
    let opts = EvalOptions {
        days: 21,
        warmup_days: 14,
        seed: 9,
        config: AnomalyConfig::default(),
        strip_shapes: false,
    };
    let r = eval::run(&opts).unwrap();
    for s in &r.scenarios {
        assert!(s.detected && s.met_target, "{s:?}");
    }
    assert!(r.false_alarms_per_week <= 1.0, "{:?}", r.false_alarms_by_kind);
}

/// Every string a detection carries is an id or reference taken from the events, a request id,
/// a technique id, or one of the fixed measure names; a canary planted in the fields that may
/// hold configuration text (model) or finding names never comes out.
#[test]
fn detections_carry_no_phi() {
    const CANARY: &str = "Jane Q Canary 078-05-1120";
    let mut events = sim::normal_traffic(8, 5);
    for s in Scenario::ALL {
        events.extend(sim::inject(s, 8, 5).events);
    }
    events.sort_by(|x, y| x.time.cmp(&y.time).then_with(|| x.request_id.cmp(&y.request_id)));
    let mut allowed = std::collections::HashSet::new();
    for e in &mut events {
        e.model = Some(CANARY.into());
        e.count_finding(format!("input.phi.{CANARY}"), 1);
        for s in [
            &e.actor.key_prefix,
            &e.actor.subject_ref,
            &e.app,
            &e.session,
            &e.source_ip,
            &e.caller_ref,
        ]
        .into_iter()
        .flatten()
        {
            allowed.insert(s.clone());
        }
        allowed.extend(e.patient_refs.iter().cloned());
        allowed.insert(e.request_id.clone());
    }
    let d = run(&mut engine(), &events);
    assert!(d.len() >= 5, "{}", d.len());
    for det in &d {
        let json = serde_json::to_string(det).unwrap();
        assert!(!json.contains("Canary") && !json.contains("078-05"), "{json}");
        for p in std::iter::once(&det.principal).chain(&det.related) {
            assert!(allowed.contains(&p.id), "{}", p.id);
        }
        for s in det.patient_refs.iter().chain(&det.request_ids) {
            assert!(allowed.contains(s), "{s}");
        }
        for t in &det.techniques {
            assert!(t.starts_with("AML.T0") || t.starts_with("T1"), "{t}");
        }
        assert!(det
            .evidence
            .measure
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == ' ' || c == '-' || c.is_ascii_uppercase()));
    }
}

fn arb_event() -> impl Strategy<Value = (i64, u8, u8, u8, u8, u16, u8, Option<u64>)> {
    (
        -5_000i64..400_000_000,
        0u8..40,
        0u8..8,
        0u8..12,
        0u8..200,
        any::<u16>(),
        any::<u8>(),
        proptest::option::of(any::<u64>()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_streams_never_panic_and_stay_bounded(
        stream in proptest::collection::vec(arb_event(), 1..600),
        cap in 16usize..64,
    ) {
        let cfg = AnomalyConfig {
            max_principals: cap,
            max_profiles: 8,
            max_distinct: 16,
            min_history_hours: 1,
            new_source_min_events: 2,
            new_source_min_age_hours: 0,
            ..AnomalyConfig::default()
        };
        let mut eng = AnomalyEngine::new(cfg).unwrap();
        let mut t = 0i64;
        for (i, (dt, who, ip, sess, pat, tok, flags, shape)) in stream.into_iter().enumerate() {
            t = t.saturating_add(dt);
            let mut e = Event::new(Activity::Create, if flags & 1 == 1 { t - 10_000 } else { t }, format!("r{i}"), "chat.completions");
            e.actor.key_prefix = (who % 3 != 0).then(|| format!("pk_{who}"));
            e.actor.subject_ref = (who % 2 == 0).then(|| format!("sub_{who}"));
            e.app = Some(format!("app{}", who % 4));
            e.source_ip = Some(if ip == 7 { "not-an-ip".into() } else { format!("10.0.{ip}.{who}") });
            e.session = (sess > 0).then(|| format!("s{sess}-{i}"));
            e.caller_ref = (sess % 3 == 0).then(|| format!("cr_{sess}"));
            e.patient_refs = (0..(pat % 5)).map(|k| format!("pt_{}", u32::from(pat) * 7 + k as u32 + i as u32)).collect();
            e.tokens_in = u64::from(tok);
            e.tokens_out = if flags & 2 == 2 { u64::MAX } else { 10 };
            e.request_shape = shape;
            if flags & 4 == 4 { e.count_finding("identity.verify_failed", 2); }
            if flags & 8 == 8 { e.count_finding("input.injection", 1); }
            if flags & 16 == 16 { e.count_finding("output.phi.NAME", u32::MAX); }
            if flags & 32 == 32 { e.count_finding("identity.lockout", 1); e.count_finding("output.cross_patient_leak", 1); }
            if flags & 64 == 64 { e.outcome = Outcome::Denied; e.reason = Some("auth.key_unknown"); }
            for d in eng.observe(&e) {
                prop_assert!(d.patient_refs.len() <= 32 && d.request_ids.len() <= 16);
                prop_assert!(d.evidence.observed.is_finite() && d.evidence.threshold.is_finite());
            }
            let s = eng.stats();
            prop_assert!(s.principals <= cap, "{} > {cap}", s.principals);
            prop_assert!(s.profiles <= 8);
        }
    }
}
