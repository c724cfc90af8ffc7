//! Caller verification: match claimed facts against the directory under a factor policy, with
//! the attempt limiter in front.
//!
//! Invariants:
//! - A caller is verified only when exactly one patient satisfies every factor group of the
//!   policy (default: name, birth date, and one of member id / MRN / zip / phone / SSN last 4).
//!   Two patients satisfying it (same name, birth date and zip) is ambiguous and fails.
//! - Caller-ID is a channel fact, not a claim: [`Factor`] has no variant for it, so it can never
//!   count. It only keys the limiter.
//! - [`Outcome`] never says which factor failed; a failure looks the same whatever the cause.
//! - Speech tolerance lives in the normalizers: nicknames, spelled letters, date orders and
//!   two-digit years, and on names a phonetic-key match gated edit distance of about one
//!   (surnames always; given names of five letters or more, since short given names like
//!   "Jon"/"Jan" collide).

use crate::directory::{
    Digest, Directory, Field, NameRecord, Owner, PatientRef, PersonRecord, TokenRecord,
};
use crate::error::Error;
use crate::limiter::{
    AttemptLimiter, AttemptStore, Clock, Gate, LimiterConfig, LockoutEvent, Scope,
};
use crate::normalize::{self, canonical_given, date_readings, deletion_neighbourhood, name_tokens};
use crate::phonetic;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One independent identity factor a caller can state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Given and family name.
    Name,
    /// Date of birth.
    BirthDate,
    /// Health plan member id.
    MemberId,
    /// Medical record number.
    Mrn,
    /// Zip code of the address on file.
    Zip,
    /// Phone number on file, as stated by the caller (never the caller-ID).
    Phone,
    /// Last four digits of the SSN.
    SsnLast4,
}

/// At least `min` of `factors` must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorGroup {
    /// Candidate factors.
    pub factors: Vec<Factor>,
    /// How many must match.
    pub min: usize,
}

/// What verification requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationPolicy {
    /// Every group must be satisfied.
    pub groups: Vec<FactorGroup>,
    /// Relationship codes (FHIR v3 RoleCode) that make a RelatedPerson an authorized
    /// representative. Others (e.g. a neighbour listed as emergency contact) are not.
    pub authorized_relationships: Vec<String>,
}

impl Default for VerificationPolicy {
    /// Name + birth date + one of member id, MRN, zip, phone, SSN last 4. Representatives:
    /// guardians, powers of attorney, parents and spouses/partners.
    fn default() -> Self {
        VerificationPolicy {
            groups: vec![
                FactorGroup { factors: vec![Factor::Name], min: 1 },
                FactorGroup { factors: vec![Factor::BirthDate], min: 1 },
                FactorGroup {
                    factors: vec![
                        Factor::MemberId,
                        Factor::Mrn,
                        Factor::Zip,
                        Factor::Phone,
                        Factor::SsnLast4,
                    ],
                    min: 1,
                },
            ],
            authorized_relationships: [
                "GUARD", "POWATT", "DPOWATT", "HPOWATT", "SPOWATT", "PRN", "MTH", "FTH", "SPS",
                "HUSB", "WIFE", "DOMPART",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        }
    }
}

impl VerificationPolicy {
    /// Check the policy: every group non-empty with `1 <= min <= len`, no factor in two groups,
    /// and at least two factors required in total (one factor alone is guessable or public).
    pub fn validate(&self) -> Result<(), Error> {
        let mut seen: Vec<Factor> = Vec::new();
        let mut total = 0;
        if self.groups.is_empty() {
            return Err(Error::Policy {
                key: "verification.groups".into(),
                expected: "at least one group",
            });
        }
        for (i, g) in self.groups.iter().enumerate() {
            if g.min == 0 || g.min > g.factors.len() {
                return Err(Error::Policy {
                    key: format!("verification.groups[{i}].min"),
                    expected: "1 <= min <= number of factors",
                });
            }
            for f in &g.factors {
                if seen.contains(f) {
                    return Err(Error::Policy {
                        key: format!("verification.groups[{i}].factors"),
                        expected: "each factor in one group only (factors must be independent)",
                    });
                }
                seen.push(*f);
            }
            total += g.min;
        }
        if total < 2 {
            return Err(Error::Policy {
                key: "verification.groups".into(),
                expected: "at least two required factors in total",
            });
        }
        Ok(())
    }
}

/// Facts a caller claims, as typed or as extracted from their turns. All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimedFacts {
    /// The patient's name.
    pub name: Option<String>,
    /// The patient's date of birth, in any common order.
    pub birth_date: Option<String>,
    /// Member id.
    pub member_id: Option<String>,
    /// MRN.
    pub mrn: Option<String>,
    /// Zip code (or an address containing it).
    pub zip: Option<String>,
    /// Phone number on file.
    pub phone: Option<String>,
    /// Last four SSN digits.
    pub ssn_last4: Option<String>,
    /// When the caller is a representative: their own name (they must still state the
    /// patient's facts).
    pub representative_name: Option<String>,
}

/// A successful verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The patient the session may hear about.
    pub patient: PatientRef,
    /// Set when the caller is that patient's representative (hashed RelatedPerson id).
    pub representative: Option<Digest>,
    /// When (Unix seconds).
    pub at: u64,
}

/// Per-session state the gateway keeps (in its store, with a TTL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    /// Session id, already scoped to the app by the gateway.
    pub id: String,
    /// Caller number from telephony: spoofable, used only to key the limiter.
    pub caller_number: Option<String>,
    /// The keyed reference of the caller number ([`caller_ref`]), for a gateway that stores
    /// only the reference: used when `caller_number` is absent.
    #[serde(default)]
    pub caller_ref: Option<Digest>,
    /// Current verification.
    pub verification: Option<Verification>,
}

/// Result of a verification attempt. Failures carry no reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Verified.
    Verified(Verification),
    /// Not verified (no reason given, by design).
    NotVerified,
    /// Too soon after a failure, or the attempt store could not answer; nothing was checked.
    TryLater {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Locked out; nothing was checked, or this attempt started the lockout.
    Locked {
        /// Unix seconds.
        until: u64,
        /// Lockouts this attempt started (to emit).
        events: Vec<LockoutEvent>,
    },
}

/// Verifies callers against a directory. Holds the attempt store (in memory by default, shared
/// between replicas in cluster mode), so one per gateway process (behind a mutex).
pub struct Verifier {
    directory: Arc<Directory>,
    policy: VerificationPolicy,
    limiter: Box<dyn AttemptStore>,
    clock: Box<dyn Clock>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("policy", &self.policy).finish_non_exhaustive()
    }
}

/// The keyed reference of a caller number as the limiter counts it (normalized to 10 digits
/// when it is a US number, else its digits): what a gateway may store instead of the number.
pub fn caller_ref(key: &crate::DirectoryKey, number: &str) -> Digest {
    let n = normalize::phone(number).unwrap_or_else(|| normalize::digits(number));
    key.digest(Field::CallerNumber, &n)
}

/// `Retry-After` when the attempt store cannot answer.
const STORE_UNAVAILABLE_RETRY_SECS: u64 = 1;

fn years_since_epoch(secs: u64) -> u32 {
    // Mean Gregorian year; off by at most a day around New Year, which only moves the two-digit
    // year pivot by one for that day.
    1970 + (secs / 31_556_952) as u32
}

impl Verifier {
    /// Build a verifier counting attempts in memory ([`AttemptLimiter`]); fails on an invalid
    /// policy.
    pub fn new(
        directory: Arc<Directory>,
        policy: VerificationPolicy,
        limits: LimiterConfig,
        clock: Box<dyn Clock>,
    ) -> Result<Self, Error> {
        Self::with_store(directory, policy, Box::new(AttemptLimiter::new(limits)), clock)
    }

    /// Build a verifier counting attempts in `store` (which carries its own limits); fails on
    /// an invalid policy.
    pub fn with_store(
        directory: Arc<Directory>,
        policy: VerificationPolicy,
        store: Box<dyn AttemptStore>,
        clock: Box<dyn Clock>,
    ) -> Result<Self, Error> {
        policy.validate()?;
        Ok(Verifier { directory, policy, limiter: store, clock })
    }

    /// Swap in a re-imported directory, keeping limiter state.
    pub fn set_directory(&mut self, directory: Arc<Directory>) {
        self.directory = directory;
    }

    /// The directory.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.directory
    }

    fn pivot_yy(&self) -> u32 {
        years_since_epoch(self.clock.now_secs()) % 100
    }

    /// Verify a claim for a session: limiter check, match, record the outcome. On success the
    /// session's verification is set; on failure it is cleared (a failed re-verification must
    /// not leave an older verification standing).
    pub fn verify(&mut self, session: &mut SessionState, claims: &ClaimedFacts) -> Outcome {
        let now = self.clock.now_secs();
        let key = self.directory.key();
        let mut subjects = vec![(Scope::Session, key.digest(Field::Session, &session.id))];
        if let Some(n) = session.caller_number.as_deref() {
            subjects.push((Scope::CallerNumber, caller_ref(key, n)));
        } else if let Some(r) = session.caller_ref {
            subjects.push((Scope::CallerNumber, r));
        }
        let candidates = self.name_candidates(claims.name.as_deref().unwrap_or_default());
        if candidates.is_empty() {
            let mut t = name_tokens(claims.name.as_deref().unwrap_or_default());
            t.sort();
            subjects.push((Scope::Patient, key.digest(Field::UnknownTarget, &t.join(" "))));
        }
        for c in &candidates {
            if let Some(p) = self.directory.patients().get(*c) {
                subjects.push((Scope::Patient, p.reference));
            }
        }
        match self.limiter.check(&subjects, now) {
            Ok(Gate::Allowed) => {}
            Ok(Gate::Backoff { retry_after_secs }) => {
                return Outcome::TryLater { retry_after_secs }
            }
            Ok(Gate::Locked { until }) => return Outcome::Locked { until, events: Vec::new() },
            // Fail closed: an attempt the store cannot count is not made (issue 10). The store
            // logs why; the caller sees a short backoff.
            Err(_) => return Outcome::TryLater { retry_after_secs: STORE_UNAVAILABLE_RETRY_SECS },
        }
        match self.match_claims_among(claims, &candidates, now) {
            Some(v) => {
                // A reset the store could not make leaves the counters standing: stricter, and
                // the caller did prove who they are.
                let _ = self.limiter.record_success(&subjects);
                session.verification = Some(v);
                Outcome::Verified(v)
            }
            None => {
                session.verification = None;
                // A failure the store could not record is still a failure for this attempt;
                // the next attempt's check meets the same unavailable store and is refused.
                let events = self.limiter.record_failure(&subjects, now).unwrap_or_default();
                if events.is_empty() {
                    Outcome::NotVerified
                } else {
                    let until = events.iter().map(|e| e.locked_until).max().unwrap_or(now);
                    Outcome::Locked { until, events }
                }
            }
        }
    }

    /// The directory patients a claim names (by name), for monitoring: failed attempts
    /// against one patient from many sessions are guessing. Internal only: a response never
    /// says whom a claim matched.
    pub fn claimed_patients(&self, claims: &ClaimedFacts) -> Vec<PatientRef> {
        self.name_candidates(claims.name.as_deref().unwrap_or_default())
            .into_iter()
            .filter_map(|c| self.directory.patients().get(c).map(|p| p.reference))
            .collect()
    }

    /// Pure matching with no limiter and no state change (for evaluation and dry runs).
    pub fn match_claims(&self, claims: &ClaimedFacts) -> Option<Verification> {
        let candidates = self.name_candidates(claims.name.as_deref().unwrap_or_default());
        self.match_claims_among(claims, &candidates, self.clock.now_secs())
    }

    /// Patients whose name matches the claimed name (given and family). The index narrows by
    /// family token first; the full name check then keeps the limiter's patient subjects to
    /// patients actually named, not every patient sharing a surname sound.
    fn name_candidates(&self, name: &str) -> Vec<usize> {
        let key = self.directory.key();
        let tokens = name_tokens(name);
        let mut out = Vec::new();
        for t in &tokens {
            let exact = self.directory.owners(Field::Family, &key.digest(Field::Family, t));
            let ph = self.directory.owners(
                Field::FamilyPhonetic,
                &key.digest(Field::FamilyPhonetic, &phonetic::key(t)),
            );
            for o in exact.iter().chain(ph) {
                if let Owner::Patient(i) = o {
                    if !out.contains(i) {
                        out.push(*i);
                    }
                }
            }
        }
        out.retain(|i| {
            self.directory
                .patients()
                .get(*i)
                .is_some_and(|p| p.person.names.iter().any(|n| name_matches(key, n, &tokens)))
        });
        out.sort_unstable();
        out
    }

    fn match_claims_among(
        &self,
        claims: &ClaimedFacts,
        candidates: &[usize],
        now: u64,
    ) -> Option<Verification> {
        let mut found: Option<Verification> = None;
        for &i in candidates {
            let p = self.directory.patients().get(i)?;
            if !self.satisfies(&p.person, claims) {
                continue;
            }
            let representative = match claims.representative_name.as_deref() {
                None => None,
                Some(rep_name) => match self.find_representative(p.reference, rep_name) {
                    Some(r) => Some(r),
                    None => continue,
                },
            };
            if found.is_some() {
                // Two patients satisfy the policy: ambiguous, do not guess.
                return None;
            }
            found = Some(Verification { patient: p.reference, representative, at: now });
        }
        found
    }

    fn find_representative(&self, patient: PatientRef, name: &str) -> Option<Digest> {
        let key = self.directory.key();
        let tokens = name_tokens(name);
        self.directory
            .representatives()
            .iter()
            .filter(|r| r.patient == patient && r.is_active)
            .filter(|r| {
                r.relationships.iter().any(|c| self.policy.authorized_relationships.contains(c))
            })
            .find(|r| r.person.names.iter().any(|n| name_matches(key, n, &tokens)))
            .map(|r| r.reference)
    }

    fn satisfies(&self, person: &PersonRecord, claims: &ClaimedFacts) -> bool {
        let pivot = self.pivot_yy();
        let key = self.directory.key();
        let has = |f: Factor| -> bool {
            match f {
                Factor::Name => {
                    let tokens = name_tokens(claims.name.as_deref().unwrap_or_default());
                    person.names.iter().any(|n| name_matches(key, n, &tokens))
                }
                Factor::BirthDate => match (claims.birth_date.as_deref(), person.birth_date) {
                    (Some(c), Some(stored)) => date_readings(c, pivot)
                        .iter()
                        .any(|d| key.digest(Field::BirthDate, &d.iso()) == stored),
                    _ => false,
                },
                Factor::Phone => claims
                    .phone
                    .as_deref()
                    .and_then(normalize::phone)
                    .is_some_and(|v| person.phones.contains(&key.digest(Field::Phone, &v))),
                Factor::Zip => claims
                    .zip
                    .as_deref()
                    .and_then(normalize::zip5)
                    .is_some_and(|v| person.zips.contains(&key.digest(Field::Zip, &v))),
                Factor::Mrn => claims.mrn.as_deref().map(normalize::identifier).is_some_and(|v| {
                    !v.is_empty() && person.mrns.contains(&key.digest(Field::Mrn, &v))
                }),
                Factor::MemberId => {
                    claims.member_id.as_deref().map(normalize::identifier).is_some_and(|v| {
                        !v.is_empty()
                            && person.member_ids.contains(&key.digest(Field::MemberId, &v))
                    })
                }
                Factor::SsnLast4 => {
                    claims.ssn_last4.as_deref().and_then(normalize::ssn_last4).is_some_and(|v| {
                        person.ssn_last4.contains(&key.digest(Field::SsnLast4, &v))
                    })
                }
            }
        };
        self.policy.groups.iter().all(|g| g.factors.iter().filter(|f| has(**f)).count() >= g.min)
    }
}

fn token_matches(
    key: &crate::DirectoryKey,
    t: &str,
    r: &TokenRecord,
    exact: Field,
    ph: Field,
    near: Field,
    tolerant: bool,
) -> bool {
    if key.digest(exact, t) == r.exact {
        return true;
    }
    if !tolerant || key.digest(ph, &phonetic::key(t)) != r.phonetic {
        return false;
    }
    deletion_neighbourhood(t).iter().any(|v| r.near.contains(&key.digest(near, v)))
}

/// A claimed name matches a stored name when one claimed token matches a family token and a
/// different claimed token matches a given token (either order, so "Smith, John" works).
pub(crate) fn name_matches(key: &crate::DirectoryKey, n: &NameRecord, tokens: &[String]) -> bool {
    tokens.iter().enumerate().any(|(i, t)| {
        n.family.iter().any(|f| {
            token_matches(key, t, f, Field::Family, Field::FamilyPhonetic, Field::FamilyNear, true)
        }) && tokens.iter().enumerate().any(|(j, u)| {
            let c = canonical_given(u);
            j != i
                && n.given.iter().any(|g| {
                    token_matches(
                        key,
                        c,
                        g,
                        Field::Given,
                        Field::GivenPhonetic,
                        Field::GivenNear,
                        c.chars().count() >= 5,
                    )
                })
        })
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fhir;
    use crate::limiter::ManualClock;
    use crate::DirectoryKey;

    pub(crate) const BUNDLE: &str = r#"{"resourceType":"Bundle","entry":[
      {"resource":{"resourceType":"Patient","id":"p1",
        "identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"MRN-001"},{"type":{"coding":[{"code":"MB"}]},"value":"XYZ123456"}],
        "name":[{"family":"Smith","given":["William","James"]}],
        "telecom":[{"system":"phone","value":"617-555-0123"}],
        "birthDate":"1984-03-04","address":[{"postalCode":"02139"}]}},
      {"resource":{"resourceType":"Patient","id":"p2",
        "identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"MRN-002"}],
        "name":[{"family":"Hernández","given":["Jesús"]}],
        "telecom":[{"system":"phone","value":"312-555-0188"}],
        "birthDate":"1990-12-25","address":[{"postalCode":"60601"}]}},
      {"resource":{"resourceType":"RelatedPerson","id":"r1","patient":{"reference":"Patient/p1"},
        "relationship":[{"coding":[{"code":"SPS"}]}],"name":[{"family":"Smith","given":["Margaret"]}]}},
      {"resource":{"resourceType":"RelatedPerson","id":"r2","patient":{"reference":"Patient/p1"},
        "relationship":[{"coding":[{"code":"NBOR"}]}],"name":[{"family":"Jones","given":["Tom"]}]}}]}"#;

    pub(crate) fn dir() -> Arc<Directory> {
        let key = DirectoryKey::new(vec![3u8; 32]).unwrap();
        Arc::new(Directory::build(key, &fhir::read(BUNDLE).unwrap()))
    }

    fn verifier(clock: Arc<ManualClock>) -> Verifier {
        Verifier::new(
            dir(),
            VerificationPolicy::default(),
            LimiterConfig::default(),
            Box::new(clock),
        )
        .unwrap()
    }

    fn claim(name: &str, dob: &str, zip: Option<&str>) -> ClaimedFacts {
        ClaimedFacts {
            name: Some(name.into()),
            birth_date: Some(dob.into()),
            zip: zip.map(str::to_string),
            ..ClaimedFacts::default()
        }
    }

    const NOW: u64 = 1_795_000_000; // late 2026

    #[test]
    fn true_callers_with_speech_variation_verify() {
        let v = verifier(Arc::new(ManualClock::new(NOW)));
        let p1 = v.directory().patient_ref("p1");
        let p2 = v.directory().patient_ref("p2");
        for c in [
            claim("William Smith", "1984-03-04", Some("02139")),
            claim("bill smith", "03/04/84", Some("02139-4307")),
            claim("Smith, Billy", "March 4th, 1984", Some("zero two one three nine")),
            claim("Will S-M-Y-T-H", "4 March 1984", Some("02139")),
            claim("Liam Smithe", "03041984", Some("02139")),
        ] {
            assert_eq!(v.match_claims(&c).map(|x| x.patient), Some(p1), "{c:?}");
        }
        let c = ClaimedFacts {
            phone: Some("three one two 555 0188".into()),
            ..claim("Chuy Hernandez", "12/25/1990", None)
        };
        assert_eq!(v.match_claims(&c).map(|x| x.patient), Some(p2));
        let c = ClaimedFacts {
            mrn: Some("mrn 002".into()),
            ..claim("jesus hernandes", "25-12-90", None)
        };
        assert_eq!(v.match_claims(&c).map(|x| x.patient), Some(p2));
    }

    #[test]
    fn impostors_and_partial_claims_fail() {
        let v = verifier(Arc::new(ManualClock::new(NOW)));
        for c in [
            claim("William Smith", "1984-03-04", None), // only two factors
            claim("William Smith", "1984-03-05", Some("02139")), // wrong DOB
            claim("William Smith", "1984-03-04", Some("02138")), // wrong zip
            claim("Walter Smith", "1984-03-04", Some("02139")), // wrong given name
            claim("William Jones", "1984-03-04", Some("02139")), // wrong family name
            claim("Smith", "1984-03-04", Some("02139")), // family only
            claim("Jesus Hernandez", "1984-03-04", Some("02139")), // P2's name with P1's facts
            ClaimedFacts { phone: Some("617-555-0123".into()), ..ClaimedFacts::default() },
        ] {
            assert_eq!(v.match_claims(&c), None, "{c:?}");
        }
    }

    #[test]
    fn representatives_need_an_authorized_relationship() {
        let v = verifier(Arc::new(ManualClock::new(NOW)));
        let mut c = claim("William Smith", "1984-03-04", Some("02139"));
        c.representative_name = Some("Peggy Smith".into());
        let got = v.match_claims(&c).unwrap();
        assert_eq!(got.patient, v.directory().patient_ref("p1"));
        assert!(got.representative.is_some());
        c.representative_name = Some("Tom Jones".into()); // neighbour: not authorized
        assert_eq!(v.match_claims(&c), None);
        c.representative_name = Some("Mary Smith".into()); // not on file
        assert_eq!(v.match_claims(&c), None);
    }

    #[test]
    fn dob_guessing_is_locked_out_in_one_session_and_across_sessions() {
        let clock = Arc::new(ManualClock::new(NOW));
        let mut v = verifier(clock.clone());
        let mut s = SessionState {
            id: "s1".into(),
            caller_number: Some("+1 555 000 1111".into()),
            verification: None,
            ..SessionState::default()
        };
        let guess = |d: u32| claim("William Smith", &format!("1984-03-{d:02}"), Some("02139"));
        assert_eq!(v.verify(&mut s, &guess(10)), Outcome::NotVerified);
        assert!(matches!(v.verify(&mut s, &guess(11)), Outcome::TryLater { .. }));
        clock.advance(10);
        assert_eq!(v.verify(&mut s, &guess(11)), Outcome::NotVerified);
        clock.advance(10);
        match v.verify(&mut s, &guess(12)) {
            Outcome::Locked { events, .. } => assert_eq!(events[0].scope, Scope::Session),
            o => panic!("expected lockout, got {o:?}"),
        }
        // Even the right answer is refused while locked, and nothing says why.
        assert!(matches!(v.verify(&mut s, &guess(4)), Outcome::Locked { .. }));

        // Spread over many sessions and numbers: the patient counter catches it.
        let mut v = verifier(clock.clone());
        let mut last = Outcome::NotVerified;
        for i in 0..5u32 {
            let mut s = SessionState {
                id: format!("x{i}"),
                caller_number: Some(format!("555-010-{i:04}")),
                verification: None,
                ..SessionState::default()
            };
            last = v.verify(&mut s, &guess(20 + i));
            clock.advance(100); // past the per-patient backoff
        }
        match last {
            Outcome::Locked { events, .. } => {
                assert!(events.iter().any(|e| e.scope == Scope::Patient))
            }
            o => panic!("expected patient lockout, got {o:?}"),
        }
        let mut fresh = SessionState { id: "fresh".into(), ..SessionState::default() };
        assert!(matches!(v.verify(&mut fresh, &guess(4)), Outcome::Locked { .. }));
        // Another patient is unaffected.
        let ok = claim("Jesus Hernandez", "1990-12-25", Some("60601"));
        assert!(matches!(v.verify(&mut fresh, &ok), Outcome::Verified(_)));
        assert!(fresh.verification.is_some());
    }

    /// A store that cannot answer (a shared store during an outage).
    struct Unavailable;

    impl AttemptStore for Unavailable {
        fn check(&mut self, _: &[(Scope, Digest)], _: u64) -> Result<Gate, Error> {
            Err(Error::AttemptStore("timeout"))
        }
        fn record_failure(
            &mut self,
            _: &[(Scope, Digest)],
            _: u64,
        ) -> Result<Vec<LockoutEvent>, Error> {
            Err(Error::AttemptStore("timeout"))
        }
        fn record_success(&mut self, _: &[(Scope, Digest)]) -> Result<(), Error> {
            Err(Error::AttemptStore("timeout"))
        }
    }

    #[test]
    fn unavailable_attempt_store_fails_closed() {
        // Issue 10: an attempt the store cannot count is refused, even with the right answer.
        let clock = Arc::new(ManualClock::new(NOW));
        let mut v = Verifier::with_store(
            dir(),
            VerificationPolicy::default(),
            Box::new(Unavailable),
            Box::new(clock),
        )
        .unwrap();
        let mut s = SessionState { id: "s".into(), ..SessionState::default() };
        let right = claim("William Smith", "1984-03-04", Some("02139"));
        assert_eq!(v.verify(&mut s, &right), Outcome::TryLater { retry_after_secs: 1 });
        assert!(s.verification.is_none());
    }

    #[test]
    fn caller_id_never_counts_and_success_sets_session() {
        let clock = Arc::new(ManualClock::new(NOW));
        let mut v = verifier(clock);
        // Caller-ID equals the patient's phone, but the claim lacks a third factor.
        let mut s = SessionState {
            id: "s".into(),
            caller_number: Some("617-555-0123".into()),
            verification: None,
            ..SessionState::default()
        };
        assert_eq!(
            v.verify(&mut s, &claim("William Smith", "1984-03-04", None)),
            Outcome::NotVerified
        );
        assert!(s.verification.is_none());
    }

    #[test]
    fn policy_validation() {
        assert!(VerificationPolicy::default().validate().is_ok());
        let one = VerificationPolicy {
            groups: vec![FactorGroup { factors: vec![Factor::BirthDate], min: 1 }],
            ..VerificationPolicy::default()
        };
        assert!(one.validate().is_err());
        let dup = VerificationPolicy {
            groups: vec![
                FactorGroup { factors: vec![Factor::Name], min: 1 },
                FactorGroup { factors: vec![Factor::Name, Factor::Zip], min: 1 },
            ],
            ..VerificationPolicy::default()
        };
        assert!(dup.validate().is_err());
        let bad_min = VerificationPolicy {
            groups: vec![FactorGroup { factors: vec![Factor::Name], min: 2 }],
            ..VerificationPolicy::default()
        };
        assert!(bad_min.validate().is_err());
    }
}
