//! A seeded traffic simulator for the anomaly evaluation: a clinic's AI traffic with a daily and
//! weekly rhythm, and attack scenarios to inject into it.
//!
//! The clinic (times are the clinic's local time, written as UTC):
//! - **phone agent** (`pk_phone_01`, one telephony backend address): calls through the day with a
//!   morning peak, a lunch dip, a small Saturday morning, and the after-hours line at night; a call
//!   verifies the caller (about 5% fail once, 1% twice and hang up), then releases the caller's
//!   patient's data over a few turns; daily volume varies ±25% and about one day in 14 is a
//!   surge at 1.8 times the usual calls;
//! - **portal chat** (`pk_portal_01`): logged-in patients (one JWT subject each) in the day and
//!   evening; patients sometimes type an identifier that policy blocks;
//! - **EHR assistant** (`pk_ehr_01`, staff workstations in one /24): 24 clinicians on fixed
//!   weekly schedules with chart preparation at the start of their shift, three doctors on a
//!   night on-call rotation, and the irregular days real rosters have (an odd Saturday shift,
//!   covering for a colleague at twice the usual patients, staying an hour late);
//! - **billing assistant** (`pk_billing_01`): two billing staff on weekday office hours;
//! - noise: an integration with a revoked key retrying every five minutes in office hours, and
//!   rare false-positive injection findings.
//!
//! All identifiers are synthetic: patient and caller references are keyed-looking hex derived
//! from the seed, never names or numbers.

use crate::detection::{DetectionKind, Principal, PrincipalKind};
use crate::event::{Activity, Event, Outcome, Severity};
use serde::Serialize;

/// Monday 2026-01-05 00:00 UTC, ms: day 0 of every simulation.
pub const START_MS: i64 = 1_767_571_200_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// One simulated day, ms.
pub const DAY_MS: i64 = DAY;
const PATIENTS: u64 = 4000;

/// A small deterministic PRNG (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.next_u64() % (hi - lo)
        }
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    /// A Poisson draw with mean `lambda` (Knuth for small means, normal approximation above 30).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            let u1 = self.f64().max(1e-12);
            let u2 = self.f64();
            let n = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            return (lambda + n * lambda.sqrt()).round().max(0.0) as u64;
        }
        let l = (-lambda).exp();
        let (mut k, mut p) = (0u64, 1.0);
        loop {
            p *= self.f64();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
}

fn hex_ref(prefix: &str, seed: u64, salt: u64, i: u64) -> String {
    let mut r = Rng::new(
        seed.wrapping_mul(0x1000_0000_01B3) ^ salt.wrapping_mul(0xA24B_AED4_963E_E407) ^ i,
    );
    format!("{prefix}{:016x}", r.next_u64())
}

/// Synthetic keyed reference of patient `i`.
pub fn patient_ref(seed: u64, i: u64) -> String {
    hex_ref("pt_", seed, 1, i)
}

struct Gen {
    seed: u64,
    rng: Rng,
    seq: u64,
    out: Vec<Event>,
}

/// Common short turns ("yes", "that's right") share a handful of shapes.
const COMMON_SHAPES: [u64; 5] = [
    0x1F3A_5B7C_9D2E_4F60,
    0x2E4B_6C8D_0E1F_3A50,
    0x3D5C_7E9F_1A2B_4C60,
    0x4C6D_8E0F_2A3B_5C70,
    0x5B7E_9F1A_3B4C_6D80,
];

impl Gen {
    fn new(seed: u64, salt: u64) -> Self {
        Gen { seed, rng: Rng::new(seed ^ salt), seq: 0, out: Vec::new() }
    }

    fn event(&mut self, t: i64, app: &str, key: &str, ip: &str) -> Event {
        self.seq += 1;
        let rid = format!("req_{:08x}{:08x}", self.seed as u32, self.seq);
        let mut e = Event::new(Activity::Create, t, rid, "chat.completions");
        e.actor.auth = "api_key";
        e.actor.key_prefix = Some(key.to_owned());
        e.app = Some(app.to_owned());
        e.source_ip = Some(ip.to_owned());
        e.model = Some("clinic-llm".to_owned());
        e.upstream_us = self.rng.range(200_000, 1_500_000);
        e.duration_us = e.upstream_us + self.rng.range(500, 3000);
        e.request_shape = Some(if self.rng.chance(0.2) {
            COMMON_SHAPES[self.rng.range(0, 5) as usize]
        } else {
            self.rng.next_u64()
        });
        e
    }

    fn patient(&mut self) -> (u64, String) {
        let i = self.rng.range(0, PATIENTS);
        (i, patient_ref(self.seed, i))
    }

    fn maybe_false_positive(&mut self, e: &mut Event, p: f64) {
        if self.rng.chance(p) {
            e.count_finding("input.injection", 1);
            e.outcome = Outcome::Denied;
            e.reason = Some("policy.injection");
            e.status = 403;
            e.raise(Severity::High);
            e.tokens_out = 0;
        }
    }

    fn release_phi(&mut self, e: &mut Event, max: u64) {
        let n = self.rng.range(0, max + 1);
        if n > 0 && e.outcome == Outcome::Success {
            let kinds = ["NAME", "DATE", "MRN", "PHONE"];
            for _ in 0..n {
                let k = kinds[self.rng.range(0, 4) as usize];
                e.count_finding(format!("output.phi.{k}"), 1);
            }
        }
    }
}

/// Calls per hour on the phone line at `hour` of weekday `dow` (0 = Monday).
fn phone_rate(dow: i64, hour: i64) -> f64 {
    const WEEKDAY: [f64; 24] = [
        0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 2.0, 10.0, 34.0, 40.0, 37.0, 33.0, 24.0, 30.0, 34.0, 30.0,
        24.0, 12.0, 5.0, 3.0, 2.0, 1.5, 1.0, 0.8,
    ];
    match dow {
        0 => WEEKDAY[hour as usize] * 1.25,
        1..=4 => WEEKDAY[hour as usize],
        5 if (8..13).contains(&hour) => 9.0,
        _ => WEEKDAY[hour as usize].min(1.5),
    }
}

/// Portal chat sessions per hour.
fn portal_rate(dow: i64, hour: i64) -> f64 {
    const DAYR: [f64; 24] = [
        0.8, 0.4, 0.2, 0.2, 0.2, 0.4, 1.5, 4.0, 7.0, 9.0, 10.0, 10.0, 12.0, 10.0, 9.0, 9.0, 9.0,
        10.0, 12.0, 14.0, 13.0, 10.0, 6.0, 2.0,
    ];
    if dow >= 5 {
        DAYR[hour as usize] * 0.6
    } else {
        DAYR[hour as usize]
    }
}

fn phone_day(g: &mut Gen, day: i64) {
    let dow = day % 7;
    // Day-to-day variation, and now and then a surge (a weather closure, a recall letter).
    let mut busy = 0.8 + 0.5 * g.rng.f64();
    if g.rng.chance(1.0 / 14.0) {
        busy = 1.8;
    }
    for hour in 0..24 {
        let n = g.rng.poisson(phone_rate(dow, hour) * busy);
        for _ in 0..n {
            let start = START_MS + day * DAY + hour * HOUR + g.rng.range(0, HOUR as u64) as i64;
            phone_call(g, start);
        }
    }
}

fn phone_call(g: &mut Gen, start: i64) {
    g.seq += 1;
    let session = format!("call-{:x}-{:x}", g.seed as u32, g.seq);
    let (pi, patient) = g.patient();
    let caller = hex_ref("cr_", g.seed, 2, pi);
    let second = g.rng.chance(0.08).then(|| g.patient().1);
    let fails = if g.rng.chance(0.05) {
        1
    } else if g.rng.chance(0.01) {
        2
    } else {
        0
    };
    let turns = g.rng.range(3, 9);
    let mut t = start;
    let mut verified = false;
    for turn in 0..turns {
        let mut e = g.event(t, "phone-agent", "pk_phone_01", "10.0.1.10");
        e.session = Some(session.clone());
        e.caller_ref = Some(caller.clone());
        e.tokens_in = 700 + turn * 180 + g.rng.range(0, 300);
        e.tokens_out = g.rng.range(25, 160);
        if turn == 1 {
            e.patient_refs = vec![patient.clone()];
            if fails > 0 {
                e.count_finding("identity.verify_failed", 1);
            } else {
                e.count_finding("identity.verified", 1);
                verified = true;
            }
        } else if turn == 2 && fails == 1 {
            e.patient_refs = vec![patient.clone()];
            e.count_finding("identity.verified", 1);
            verified = true;
        } else if turn == 2 && fails == 2 {
            e.patient_refs = vec![patient.clone()];
            e.count_finding("identity.verify_failed", 1);
            g.out.push(e);
            return;
        } else if verified {
            e.patient_refs = vec![patient.clone()];
            if let Some(s) = &second {
                if turn >= 3 {
                    e.patient_refs.push(s.clone());
                }
            }
            g.release_phi(&mut e, 3);
            if g.rng.chance(0.002) {
                e.count_finding("output.disclosure_prevented", 1);
            }
        }
        g.maybe_false_positive(&mut e, 0.002);
        g.out.push(e);
        t += g.rng.range(8_000, 40_000) as i64;
    }
}

fn portal_day(g: &mut Gen, day: i64) {
    let dow = day % 7;
    for hour in 0..24 {
        let n = g.rng.poisson(portal_rate(dow, hour));
        for _ in 0..n {
            let start = START_MS + day * DAY + hour * HOUR + g.rng.range(0, HOUR as u64) as i64;
            g.seq += 1;
            let session = format!("chat-{:x}-{:x}", g.seed as u32, g.seq);
            let (pi, patient) = g.patient();
            let user = hex_ref("sub_", g.seed, 3, pi);
            let turns = g.rng.range(2, 11);
            let mut t = start;
            for turn in 0..turns {
                let mut e = g.event(t, "portal-chat", "pk_portal_01", "10.0.2.20");
                e.actor.auth = "jwt";
                e.actor.key_prefix = None;
                e.actor.subject_ref = Some(user.clone());
                e.session = Some(session.clone());
                e.tokens_in = 500 + turn * 150 + g.rng.range(0, 400);
                e.tokens_out = g.rng.range(40, 300);
                e.patient_refs = vec![patient.clone()];
                if g.rng.chance(0.01) {
                    e.outcome = Outcome::Denied;
                    e.reason = Some("policy.phi_blocked");
                    e.status = 403;
                    e.count_finding("input.phi.SSN", 1);
                    e.tokens_out = 0;
                } else {
                    g.release_phi(&mut e, 2);
                }
                g.maybe_false_positive(&mut e, 0.002);
                g.out.push(e);
                t += g.rng.range(20_000, 90_000) as i64;
            }
        }
    }
}

/// An EHR staff member.
struct Staff {
    user: String,
    ip: String,
    days: [bool; 7],
    start_hour: i64,
    on_call: Option<i64>,
}

fn staff(seed: u64) -> Vec<Staff> {
    let mut r = Rng::new(seed ^ 0xE4);
    (0..24u64)
        .map(|i| {
            let off = r.range(0, 5) as usize;
            let mut days = [true, true, true, true, true, false, false];
            if i % 3 == 0 {
                days[off] = false;
            }
            Staff {
                user: hex_ref("sub_", seed, 4, i),
                ip: format!("10.0.3.{}", 11 + i),
                days,
                start_hour: [7, 8, 8, 9, 10][r.range(0, 5) as usize],
                on_call: (i < 3).then_some(i as i64),
            }
        })
        .collect()
}

fn ehr_lookup(g: &mut Gen, s: &Staff, t: i64, patient: &str, requests: u64) {
    g.seq += 1;
    let session = format!("ehr-{:x}-{:x}", g.seed as u32, g.seq);
    let ip =
        if g.rng.chance(0.1) { format!("10.0.3.{}", g.rng.range(11, 60)) } else { s.ip.clone() };
    let mut t = t;
    for _ in 0..requests {
        let mut e = g.event(t, "ehr-assistant", "pk_ehr_01", &ip);
        e.actor.subject_ref = Some(s.user.clone());
        e.session = Some(session.clone());
        e.tokens_in = g.rng.range(1500, 6000);
        e.tokens_out = g.rng.range(150, 900);
        e.patient_refs = vec![patient.to_owned()];
        if g.rng.chance(0.003) {
            e.count_finding("access.break_glass", 1);
        }
        g.release_phi(&mut e, 8);
        g.maybe_false_positive(&mut e, 0.001);
        g.out.push(e);
        t += g.rng.range(15_000, 120_000) as i64;
    }
}

fn ehr_day(g: &mut Gen, day: i64, team: &[Staff]) {
    let dow = (day % 7) as usize;
    for s in team {
        // Now and then a Saturday shift, covering for a colleague (twice the patients), or
        // staying late.
        let works = s.days[dow] || (dow == 5 && g.rng.chance(0.03));
        let load = if g.rng.chance(0.05) { 7.0 } else { 3.5 };
        let hours = if g.rng.chance(0.1) { 10 } else { 9 };
        if works {
            let shift0 =
                START_MS + day * DAY + s.start_hour * HOUR + g.rng.range(0, 1_200_000) as i64;
            // Chart preparation: the day's first patients in about 25 minutes.
            let prep = g.rng.range(6, 14);
            for k in 0..prep {
                let p = g.patient().1;
                let t = shift0 + (k as i64) * 110_000 + g.rng.range(0, 60_000) as i64;
                ehr_lookup(g, s, t, &p, 1);
            }
            for h in 0..hours {
                if h == 4 && g.rng.chance(0.7) {
                    continue; // lunch
                }
                let n = g.rng.poisson(load);
                for _ in 0..n {
                    let p = g.patient().1;
                    let t = shift0 + 1_800_000 + h * HOUR + g.rng.range(0, HOUR as u64) as i64;
                    let req = g.rng.range(1, 5);
                    ehr_lookup(g, s, t, &p, req);
                }
            }
        }
        if s.on_call == Some(day % 3) {
            for h in [22i64, 23, 24, 25, 26, 27, 28, 29] {
                let n = g.rng.poisson(0.6);
                for _ in 0..n {
                    let p = g.patient().1;
                    let t = START_MS + day * DAY + h * HOUR + g.rng.range(0, HOUR as u64) as i64;
                    let req = g.rng.range(1, 4);
                    ehr_lookup(g, s, t, &p, req);
                }
            }
        }
    }
}

fn billing_day(g: &mut Gen, day: i64) {
    if day % 7 >= 5 {
        return;
    }
    for u in 0..2u64 {
        let user = hex_ref("sub_", g.seed, 5, u);
        for hour in 9..17 {
            let n = g.rng.poisson(if hour == 12 { 3.0 } else { 9.0 });
            for _ in 0..n {
                let t = START_MS + day * DAY + hour * HOUR + g.rng.range(0, HOUR as u64) as i64;
                let mut e = g.event(t, "billing-assistant", "pk_billing_01", "10.0.4.5");
                e.actor.subject_ref = Some(user.clone());
                g.seq += 1;
                e.session = Some(format!("bill-{:x}-{:x}", g.seed as u32, g.seq));
                e.tokens_in = g.rng.range(800, 2500);
                e.tokens_out = g.rng.range(100, 400);
                e.patient_refs = vec![g.patient().1];
                g.release_phi(&mut e, 4);
                g.out.push(e);
            }
        }
    }
}

fn noise_day(g: &mut Gen, day: i64) {
    if day % 7 >= 5 {
        return;
    }
    // A decommissioned integration still retrying with a revoked key.
    let mut t = START_MS + day * DAY + 9 * HOUR;
    while t < START_MS + day * DAY + 17 * HOUR {
        let mut e = g.event(t, "unknown", "pk_old_03", "10.0.5.9");
        e.app = None;
        e.actor.auth = "none";
        e.outcome = Outcome::Denied;
        e.reason = Some("auth.key_revoked");
        e.status = 401;
        e.request_shape = None;
        g.out.push(e);
        t += 300_000 + g.rng.range(0, 20_000) as i64;
    }
}

/// Normal clinic traffic for `days` days from [`START_MS`], sorted by time.
pub fn normal_traffic(days: u32, seed: u64) -> Vec<Event> {
    let mut g = Gen::new(seed, 0x0123);
    let team = staff(seed);
    for day in 0..i64::from(days) {
        phone_day(&mut g, day);
        portal_day(&mut g, day);
        ehr_day(&mut g, day, &team);
        billing_day(&mut g, day);
        noise_day(&mut g, day);
    }
    let end = START_MS + i64::from(days) * DAY;
    let mut out: Vec<Event> = g.out.into_iter().filter(|e| e.time < end).collect();
    out.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.request_id.cmp(&b.request_id)));
    out
}

/// An attack to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// An EHR staff credential scripted to pull a new patient every 1.5 s.
    BulkExfiltration,
    /// A staff member reading 20 extra patients an hour through a shift.
    SlowExfiltration,
    /// 15 attempts a second with random keys from one address.
    CredentialStuffing,
    /// A patient account sending injection variants through the portal.
    GuardProbing,
    /// Templated near-identical queries at a steady rate (model extraction).
    ModelExtraction,
    /// The billing key used from an unknown address at 02:30 on a Saturday.
    CompromisedKey,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 6] = [
        Scenario::BulkExfiltration,
        Scenario::SlowExfiltration,
        Scenario::CredentialStuffing,
        Scenario::GuardProbing,
        Scenario::ModelExtraction,
        Scenario::CompromisedKey,
    ];

    /// A stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scenario::BulkExfiltration => "bulk_exfiltration",
            Scenario::SlowExfiltration => "slow_exfiltration",
            Scenario::CredentialStuffing => "credential_stuffing",
            Scenario::GuardProbing => "guard_probing",
            Scenario::ModelExtraction => "model_extraction",
            Scenario::CompromisedKey => "compromised_key",
        }
    }

    /// Detection kinds that count as detecting this scenario.
    pub fn expected(self) -> &'static [DetectionKind] {
        match self {
            Scenario::BulkExfiltration => &[DetectionKind::BulkPatientAccess],
            Scenario::SlowExfiltration => &[DetectionKind::SlowExfiltration],
            Scenario::CredentialStuffing => &[DetectionKind::CredentialStuffing],
            Scenario::GuardProbing => &[DetectionKind::GuardProbing],
            Scenario::ModelExtraction => &[DetectionKind::ModelExtraction],
            Scenario::CompromisedKey => &[DetectionKind::NewSource, DetectionKind::OffHours],
        }
    }

    /// Target time to detect, seconds (issue 7), when there is one.
    pub fn target_secs(self) -> Option<f64> {
        match self {
            Scenario::BulkExfiltration => Some(60.0),
            Scenario::CredentialStuffing => Some(30.0),
            _ => None,
        }
    }
}

/// An injected attack.
#[derive(Debug, Clone)]
pub struct Injection {
    /// Which.
    pub scenario: Scenario,
    /// When the first attack event happens.
    pub start_ms: i64,
    /// The attack's events, sorted.
    pub events: Vec<Event>,
    /// The attacker's principals: a detection naming one of them (as principal or related)
    /// with an expected kind detects the scenario.
    pub attacker: Vec<Principal>,
}

/// The day (from [`START_MS`]) a scenario runs on: the last Wednesday (weekday attacks) or
/// Saturday (the compromised key) of a `days`-day simulation.
pub fn scenario_day(s: Scenario, days: u32) -> i64 {
    let want = if s == Scenario::CompromisedKey { 5 } else { 2 };
    let mut d = i64::from(days) - 1;
    while d > 0 && d % 7 != want {
        d -= 1;
    }
    d
}

/// Build scenario `s` for a `days`-day simulation with `seed`.
pub fn inject(s: Scenario, days: u32, seed: u64) -> Injection {
    let mut g = Gen::new(seed, 0xA77A ^ (s as u64));
    let day0 = START_MS + scenario_day(s, days) * DAY;
    let team = staff(seed);
    let mut attacker = Vec::new();
    let start_ms;
    match s {
        Scenario::BulkExfiltration => {
            let st = &team[10];
            start_ms = day0 + 14 * HOUR + 7 * 60_000;
            attacker.push(Principal::new(PrincipalKind::User, &st.user));
            for k in 0..400i64 {
                let t = start_ms + k * 1500;
                g.seq += 1;
                let mut e = g.event(t, "ehr-assistant", "pk_ehr_01", &st.ip);
                e.actor.subject_ref = Some(st.user.clone());
                e.session = Some(format!("ehr-x-{k}"));
                e.tokens_in = 1800;
                e.tokens_out = g.rng.range(300, 700);
                e.patient_refs = vec![patient_ref(seed, (k as u64 * 7 + 13) % PATIENTS)];
                g.release_phi(&mut e, 6);
                g.out.push(e);
            }
        }
        Scenario::SlowExfiltration => {
            let st = &team[5];
            start_ms = day0 + (st.start_hour + 1) * HOUR;
            attacker.push(Principal::new(PrincipalKind::User, &st.user));
            for k in 0..140i64 {
                let t = start_ms + k * 180_000 + g.rng.range(0, 30_000) as i64;
                let p = patient_ref(seed, (k as u64 * 29 + 101) % PATIENTS);
                ehr_lookup(&mut g, st, t, &p, 1);
            }
        }
        Scenario::CredentialStuffing => {
            start_ms = day0 + 11 * HOUR + 23 * 60_000;
            let ip = "203.0.113.50";
            attacker.push(Principal::new(PrincipalKind::SourceIp, ip));
            for k in 0..(15 * 300) {
                let t = start_ms + k * 1000 / 15;
                let mut e = g.event(t, "unknown", "x", ip);
                e.app = None;
                e.actor.auth = "none";
                e.actor.key_prefix = Some(format!("pk_{:08x}", g.rng.next_u64() as u32));
                e.outcome = Outcome::Denied;
                e.reason = Some("auth.key_unknown");
                e.status = 401;
                e.request_shape = None;
                g.out.push(e);
            }
        }
        Scenario::GuardProbing => {
            start_ms = day0 + 20 * HOUR + 11 * 60_000;
            let user = hex_ref("sub_", seed, 3, 77);
            let session = "chat-probe-1".to_owned();
            attacker.push(Principal::new(PrincipalKind::User, &user));
            attacker.push(Principal::new(PrincipalKind::Session, &session));
            for k in 0..30i64 {
                let t = start_ms + k * 14_000 + g.rng.range(0, 6000) as i64;
                let mut e = g.event(t, "portal-chat", "pk_portal_01", "10.0.2.20");
                e.actor.auth = "jwt";
                e.actor.key_prefix = None;
                e.actor.subject_ref = Some(user.clone());
                e.session = Some(session.clone());
                e.tokens_in = g.rng.range(300, 1500);
                if g.rng.chance(0.7) {
                    e.count_finding("input.injection", 1);
                    e.outcome = Outcome::Denied;
                    e.reason = Some("policy.injection");
                    e.status = 403;
                } else {
                    e.tokens_out = g.rng.range(50, 200);
                }
                g.out.push(e);
            }
        }
        Scenario::ModelExtraction => {
            start_ms = day0 + 15 * HOUR + 2 * 60_000;
            let user = hex_ref("sub_", seed, 3, 1234);
            attacker.push(Principal::new(PrincipalKind::User, &user));
            let template = g.rng.next_u64();
            for k in 0..900i64 {
                let t = start_ms + k * 4000;
                let mut e = g.event(t, "portal-chat", "pk_portal_01", "10.0.2.20");
                e.actor.auth = "jwt";
                e.actor.key_prefix = None;
                e.actor.subject_ref = Some(user.clone());
                e.session = Some(format!("chat-x-{}", k / 10));
                let flips = g.rng.range(0, 3);
                let mut shape = template;
                for _ in 0..flips {
                    shape ^= 1 << g.rng.range(0, 64);
                }
                e.request_shape = Some(shape);
                e.tokens_in = 420 + g.rng.range(0, 25);
                e.tokens_out = g.rng.range(180, 220);
                g.out.push(e);
            }
        }
        Scenario::CompromisedKey => {
            start_ms = day0 + 2 * HOUR + 31 * 60_000;
            let ip = "198.51.100.23";
            attacker.push(Principal::new(PrincipalKind::Key, "pk_billing_01"));
            attacker.push(Principal::new(PrincipalKind::SourceIp, ip));
            for k in 0..30i64 {
                let t = start_ms + k * 30_000 + g.rng.range(0, 10_000) as i64;
                let mut e = g.event(t, "billing-assistant", "pk_billing_01", ip);
                e.session = Some(format!("bill-x-{k}"));
                e.tokens_in = g.rng.range(800, 2500);
                e.tokens_out = g.rng.range(100, 400);
                e.patient_refs = vec![g.patient().1];
                g.release_phi(&mut e, 4);
                g.out.push(e);
            }
        }
    }
    let mut events = g.out;
    events.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.request_id.cmp(&b.request_id)));
    for e in &mut events {
        e.request_id = format!("atk_{}", e.request_id);
    }
    Injection { scenario: s, start_ms, events, attacker }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_is_seeded_sorted_and_rhythmic() {
        let a = normal_traffic(7, 1);
        let b = normal_traffic(7, 1);
        assert_eq!(a, b);
        assert!(a.windows(2).all(|w| w[0].time <= w[1].time));
        let per_day: Vec<usize> =
            (0..7).map(|d| a.iter().filter(|e| (e.time - START_MS) / DAY == d).count()).collect();
        assert!(per_day[2] > 3000 && per_day[2] < 9000, "{per_day:?}");
        assert!(per_day[6] * 3 < per_day[2], "weekend lull: {per_day:?}");
        let night = a.iter().filter(|e| (e.time - START_MS).rem_euclid(DAY) < 5 * HOUR).count();
        assert!(night > 0, "on-call and after-hours traffic at night");
    }

    #[test]
    fn scenarios_fall_on_their_day() {
        for s in Scenario::ALL {
            let inj = inject(s, 35, 3);
            assert!(!inj.events.is_empty());
            assert!(inj.events[0].time >= inj.start_ms);
            assert!(!inj.attacker.is_empty());
        }
        assert_eq!(scenario_day(Scenario::BulkExfiltration, 35), 30);
        assert_eq!(scenario_day(Scenario::CompromisedKey, 35), 33);
    }
}
