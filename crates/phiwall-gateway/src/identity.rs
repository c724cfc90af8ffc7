//! The session stage and disclosure control (issue 5): who is on the line, for whom the session
//! is verified, and which PHI in the model's output may reach them.
//!
//! - [`Identity::session_stage`] runs after the body is read and before policy and input
//!   inspection (it needs the caller's own words, before any redaction). It resolves the
//!   session (scoped to the app), records the caller number as a keyed reference, runs assist
//!   mode (claims extracted from caller turns, then verified) and the social-engineering check,
//!   and returns the [`Disclosure`] the output guard applies.
//! - [`Identity::verify`] backs `POST /phiwall/v1/sessions/{id}/verify`.
//! - [`Disclosure::decide`] is called by the output guard for each PHI finding in model output.
//!
//! Invariants: the store and the events see keyed references only (directory HMACs of patient
//! ids, caller numbers and claim sets); claimed facts, caller numbers and break-glass reasons
//! live in memory for one request. A session that is not verified gets every directory value
//! redacted; a value of another patient than the verified one is always redacted.
//!
//! Finding kinds counted on the event (the anomaly engine reads these names):
//! `identity.verify_failed`, `identity.verified`, `identity.lockout`,
//! `identity.social_engineering`, `output.disclosure_prevented`, `output.cross_patient_leak`,
//! `access.out_of_scope`, `access.break_glass`.

use crate::auth::Principal;
use crate::config::SecretRef;
use crate::error::ApiError;
use crate::identity_config::{DirectorySource, IdentityApp, IdentityConfig, IdentityMode};
use crate::session;
use axum::http::HeaderMap;
use phiwall_identity::{
    caller_ref, extract::extract_claims_into, social, synth, Access, ClaimedFacts, Digest,
    Directory, DirectoryKey, DisclosureGuard, Factor, Field, OutputValue, Reason, SessionState,
    Verdict, Verification, Verifier,
};
use phiwall_scan::{PhiType, Scanner};
use phiwall_store::{SessionRecord, SessionStore};
use phiwall_watch::{Event, Severity};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// Finding: a verification attempt failed (or was refused while backing off or locked).
pub const VERIFY_FAILED: &str = "identity.verify_failed";
/// Finding: a session was verified.
pub const VERIFIED: &str = "identity.verified";
/// Finding: an attempt started a lockout.
pub const LOCKOUT: &str = "identity.lockout";
/// Finding: social-engineering cues in the caller's latest turn.
pub const SOCIAL_ENGINEERING: &str = "identity.social_engineering";
/// Finding: PHI of a directory patient was withheld from the session.
pub const DISCLOSURE_PREVENTED: &str = "output.disclosure_prevented";
/// Finding: output named another patient than the one the session is verified for.
pub const CROSS_PATIENT_LEAK: &str = "output.cross_patient_leak";
/// Finding: a staff principal's output held PHI outside their role or care team.
pub const OUT_OF_SCOPE: &str = "access.out_of_scope";
/// Finding: PHI passed under break-glass.
pub const BREAK_GLASS: &str = "access.break_glass";

/// The severity each identity finding raises an event to.
pub fn severity_of(kind: &str) -> Option<Severity> {
    Some(match kind {
        VERIFIED => Severity::Informational,
        VERIFY_FAILED => Severity::Low,
        DISCLOSURE_PREVENTED | SOCIAL_ENGINEERING | BREAK_GLASS => Severity::Medium,
        LOCKOUT | CROSS_PATIENT_LEAK | OUT_OF_SCOPE => Severity::High,
        _ => return None,
    })
}

fn count(ev: &mut Event, kind: &'static str, n: u32) {
    ev.count_finding(kind, n);
    if let Some(s) = severity_of(kind) {
        ev.raise(s);
    }
}

fn push_ref(refs: &mut Vec<String>, r: String) {
    if !refs.contains(&r) {
        refs.push(r);
    }
}

/// What the gateway keeps per session, as stored JSON (keyed references only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    /// Current verification (patient reference, representative reference, time).
    #[serde(default)]
    pub verification: Option<Verification>,
    /// Keyed digest of the claim set assist mode last tried, so a conversation resent with
    /// every request does not count the same attempt again.
    #[serde(default)]
    pub last_assist_claims: Option<Digest>,
}

/// One request's view of its session.
#[derive(Debug)]
pub struct SessionCtx {
    /// App profile.
    pub app: String,
    /// Client session id, when given.
    pub id: Option<String>,
    /// Caller number from the channel header (limiter only; never stored or logged).
    caller_number: Option<String>,
    /// Keyed reference of the caller number (this request's, else the stored one).
    pub caller_ref: Option<Digest>,
    /// Stored state.
    pub data: SessionData,
    created_at: i64,
    /// What the store held when loaded (data, caller reference, last update), to skip writes
    /// that would change nothing but the expiry.
    loaded: Option<(SessionData, Option<Digest>, i64)>,
}

/// A session used again within this many seconds of its last write keeps its row as is (the
/// idle TTL moves at most this much less than exactly).
const REFRESH_SECS: i64 = 30;

/// What a request that used a session must write back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// Nothing (used again shortly after the last write).
    None,
    /// Only the expiry: the data is what was read, and a concurrent request may have changed
    /// it since (a failed re-verification must not be undone by a stale copy).
    Touch,
    /// The whole record (new session, or this request changed it).
    Full,
}

impl SessionCtx {
    fn write_needed(&self, now: i64) -> Write {
        match &self.loaded {
            None => Write::Full,
            Some((data, caller, _)) if *data != self.data || *caller != self.caller_ref => {
                Write::Full
            }
            Some((_, _, updated)) if now.saturating_sub(*updated) >= REFRESH_SECS => Write::Touch,
            Some(_) => Write::None,
        }
    }
}

/// Result of a verification attempt, for the HTTP layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyResult {
    /// Verified.
    Verified,
    /// Not verified (no reason).
    NotVerified,
    /// Backoff or lockout: retry after this many seconds.
    Limited {
        /// Seconds.
        retry_after_secs: u64,
    },
}

/// Identity runtime: the directory, the verifier (with its limiter), the disclosure guard and
/// the session store.
pub struct Identity {
    cfg: IdentityConfig,
    directory: Arc<Directory>,
    verifier: Mutex<Verifier>,
    guard: Arc<DisclosureGuard>,
    sessions: Arc<dyn SessionStore>,
    scanner: Arc<Scanner>,
    clock: Arc<dyn crate::server::Clock>,
    /// Saves since start; every [`PURGE_EVERY`] saves, expired sessions are deleted.
    saves: std::sync::atomic::AtomicU64,
}

/// A request value matching more patients than this names none of them (a common name).
const MAX_SUBJECT_OWNERS: usize = 2;

/// Expired sessions are never returned; they are deleted from the file every this many saves.
const PURGE_EVERY: u64 = 256;

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("patients", &self.directory.patients().len()).finish()
    }
}

fn read_key(r: &SecretRef) -> Result<DirectoryKey, String> {
    let s = r.resolve().map_err(|e| format!("identity.key: {e}"))?;
    let t = s.expose().trim();
    let bytes = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        t.as_bytes()
            .chunks(2)
            .map(|p| (hex(p[0]) << 4) | hex(p.get(1).copied().unwrap_or(0)))
            .collect()
    } else {
        t.as_bytes().to_vec()
    };
    DirectoryKey::new(bytes).map_err(|e| format!("identity.key: {e}"))
}

/// Unix seconds from the gateway clock, as the identity library's clock.
struct GatewayClock(Arc<dyn crate::server::Clock>);

impl phiwall_identity::Clock for GatewayClock {
    fn now_secs(&self) -> u64 {
        u64::try_from(self.0.unix_secs()).unwrap_or(0)
    }
}

impl Identity {
    /// Load the directory (IO) and set up the verifier, counting attempts in `attempts` (in
    /// memory under `cfg.limits` when `None`).
    pub fn build(
        cfg: &IdentityConfig,
        scanner: Arc<Scanner>,
        sessions: Arc<dyn SessionStore>,
        attempts: Option<Box<dyn phiwall_identity::AttemptStore>>,
        clock: Arc<dyn crate::server::Clock>,
    ) -> Result<Self, String> {
        let directory = match &cfg.directory {
            DirectorySource::File { path, key } => {
                let key = read_key(key)?;
                let bytes = std::fs::read(path)
                    .map_err(|e| format!("identity.directory {}: {e}", path.display()))?;
                Directory::from_json(&bytes, key).map_err(|e| {
                    format!("identity.directory {}: {e} (is identity.key the --key used by `phiwall directory import`?)", path.display())
                })?
            }
            DirectorySource::Synthetic(n) => {
                let mut k = vec![0u8; 32];
                getrandom::getrandom(&mut k).map_err(|e| format!("random source: {e}"))?;
                let key = DirectoryKey::new(k).map_err(|e| format!("identity: {e}"))?;
                tracing::warn!(
                    patients = *n,
                    "Identity uses a synthetic demo directory (simulated model only)"
                );
                Directory::build(key, &synth::to_input(&synth::population(*n, 1)))
            }
        };
        let directory = Arc::new(directory);
        let attempts = attempts
            .unwrap_or_else(|| Box::new(phiwall_identity::AttemptLimiter::new(cfg.limits.clone())));
        let verifier = Verifier::with_store(
            directory.clone(),
            cfg.policy.clone(),
            attempts,
            Box::new(GatewayClock(clock.clone())),
        )
        .map_err(|e| format!("identity.factors: {e}"))?;
        let guard = Arc::new(DisclosureGuard::new(directory.clone(), cfg.disclosure.clone()));
        Ok(Identity {
            cfg: cfg.clone(),
            directory,
            verifier: Mutex::new(verifier),
            guard,
            sessions,
            scanner,
            clock,
            saves: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The app's identity setting.
    pub fn app(&self, name: &str) -> IdentityApp {
        self.cfg.app(name)
    }

    /// Load (or start) the session `(app, id)`; the caller number header, when given, replaces
    /// the stored reference.
    pub fn load(
        &self,
        app: &str,
        id: Option<String>,
        headers: &HeaderMap,
        now: i64,
    ) -> Result<SessionCtx, ApiError> {
        let caller_number = session::caller_number(headers)?;
        let mut ctx = SessionCtx {
            app: app.to_string(),
            id,
            caller_ref: caller_number.as_deref().map(|n| caller_ref(self.directory.key(), n)),
            caller_number,
            data: SessionData::default(),
            created_at: now,
            loaded: None,
        };
        if let Some(id) = &ctx.id {
            if let Some(rec) =
                self.sessions.get(app, id, now).map_err(|_| ApiError::StoreUnavailable)?
            {
                // Unreadable stored state fails closed to "not verified".
                ctx.data = serde_json::from_str(&rec.data).unwrap_or_default();
                ctx.created_at = rec.created_at;
                let stored_caller = rec.caller_ref.as_deref().and_then(parse_digest);
                if ctx.caller_ref.is_none() {
                    ctx.caller_ref = stored_caller;
                }
                ctx.loaded = Some((ctx.data.clone(), stored_caller, rec.updated_at));
            }
        }
        Ok(ctx)
    }

    /// Save the session with a fresh idle TTL (no-op without a session id).
    pub fn save(&self, ctx: &SessionCtx, now: i64) -> Result<(), ApiError> {
        let Some(id) = &ctx.id else { return Ok(()) };
        let data = serde_json::to_string(&ctx.data).map_err(|_| ApiError::Internal)?;
        let ttl = i64::try_from(self.cfg.session_ttl_secs).unwrap_or(i64::MAX);
        let n = self.saves.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n.is_multiple_of(PURGE_EVERY) {
            if let Err(e) = self.sessions.purge_expired(now) {
                tracing::warn!(error = %e, "Purging expired sessions failed");
            }
        }
        self.sessions
            .put(&SessionRecord {
                app: ctx.app.clone(),
                id: id.clone(),
                caller_ref: ctx.caller_ref.map(|d| d.hex()),
                data,
                created_at: ctx.created_at,
                updated_at: now,
                expires_at: now.saturating_add(ttl),
            })
            .map_err(|_| ApiError::StoreUnavailable)
    }

    fn touch(&self, ctx: &SessionCtx, now: i64) -> Result<(), ApiError> {
        let Some(id) = &ctx.id else { return Ok(()) };
        let ttl = i64::try_from(self.cfg.session_ttl_secs).unwrap_or(i64::MAX);
        self.sessions
            .touch(&ctx.app, id, now, now.saturating_add(ttl))
            .map(|_| ())
            .map_err(|_| ApiError::StoreUnavailable)
    }

    /// End a session (the call is over): its verification cannot be reused. The attempt
    /// limiter's counters stay. Returns whether a live session existed.
    pub fn end(&self, app: &str, id: &str) -> Result<bool, ApiError> {
        self.sessions.delete(app, id).map_err(|_| ApiError::StoreUnavailable)
    }

    /// Attempt a verification for the session and record the outcome on `ev`.
    pub fn verify(
        &self,
        ctx: &mut SessionCtx,
        claims: &ClaimedFacts,
        ev: &mut Event,
    ) -> VerifyResult {
        let now = self.verifier_now();
        let mut state = SessionState {
            // Scoped to the app: the limiter's session counter is per (app, id).
            id: format!("{}/{}", ctx.app, ctx.id.as_deref().unwrap_or_default()),
            caller_number: ctx.caller_number.clone(),
            caller_ref: ctx.caller_ref,
            verification: ctx.data.verification,
        };
        let (outcome, claimed) = match self.verifier.lock() {
            Ok(mut v) => {
                let o = v.verify(&mut state, claims);
                let claimed = match o {
                    phiwall_identity::Outcome::Verified(_) => Vec::new(),
                    _ => v.claimed_patients(claims),
                };
                (o, claimed)
            }
            // A poisoned verifier fails closed: nothing is verified.
            Err(_) => return VerifyResult::Limited { retry_after_secs: 60 },
        };
        // A failed attempt names the patient it was aimed at (keyed reference, on the event
        // only), so guessing one patient's facts across many sessions is visible to the
        // anomaly engine. A name shared by many patients names none.
        if claimed.len() <= MAX_SUBJECT_OWNERS {
            for p in &claimed {
                push_ref(&mut ev.patient_refs, p.hex());
            }
        }
        ctx.data.verification = state.verification;
        match outcome {
            phiwall_identity::Outcome::Verified(v) => {
                count(ev, VERIFIED, 1);
                push_ref(&mut ev.patient_refs, v.patient.hex());
                VerifyResult::Verified
            }
            phiwall_identity::Outcome::NotVerified => {
                count(ev, VERIFY_FAILED, 1);
                VerifyResult::NotVerified
            }
            phiwall_identity::Outcome::TryLater { retry_after_secs } => {
                count(ev, VERIFY_FAILED, 1);
                ev.reason = Some("identity.backoff");
                VerifyResult::Limited { retry_after_secs: retry_after_secs.max(1) }
            }
            phiwall_identity::Outcome::Locked { until, events } => {
                count(ev, VERIFY_FAILED, 1);
                ev.reason = Some("identity.locked");
                ev.raise(Severity::Medium);
                if !events.is_empty() {
                    count(ev, LOCKOUT, u32::try_from(events.len()).unwrap_or(u32::MAX));
                }
                for e in &events {
                    if e.scope == phiwall_identity::Scope::Patient {
                        push_ref(&mut ev.patient_refs, e.subject.clone());
                    }
                }
                VerifyResult::Limited { retry_after_secs: until.saturating_sub(now).max(1) }
            }
        }
    }

    /// Patients a request names (keyed references), from one input PHI value: a full name,
    /// phone, e-mail, record or member number, or SSN that matches the directory. Birth dates
    /// and zip codes are shared by many people and never name a patient on their own; a value
    /// matching more than [`MAX_SUBJECT_OWNERS`] patients is too common to name anyone. What a
    /// key asks about counts as access for the anomaly engine's distinct-patient rules, whether
    /// or not the model answers.
    pub fn input_subjects(&self, kind: PhiType, value: &str) -> Vec<String> {
        if matches!(kind, PhiType::Date | PhiType::Address | PhiType::Age) {
            return Vec::new();
        }
        let owners = self.guard.owners_of(kind, value);
        if owners.len() > MAX_SUBJECT_OWNERS {
            return Vec::new();
        }
        owners.iter().map(|p| p.hex()).collect()
    }

    fn verifier_now(&self) -> u64 {
        u64::try_from(self.clock.unix_secs()).unwrap_or(0)
    }

    /// The session stage of a model call. Returns the disclosure rules for the output, or
    /// `None` when identity is off for the app.
    pub fn session_stage(
        &self,
        principal: &Principal,
        headers: &HeaderMap,
        body: &Value,
        ev: &mut Event,
        now: i64,
    ) -> Result<Option<Disclosure>, ApiError> {
        let app_cfg = self.app(&principal.app);
        match app_cfg.mode {
            IdentityMode::Off => Ok(None),
            IdentityMode::Staff => {
                let p = self.staff_principal(principal, &app_cfg);
                let access = Access::Staff {
                    principal: p,
                    break_glass_reason: session::break_glass_reason(headers),
                };
                Ok(Some(Disclosure::new(self.guard.clone(), access)))
            }
            IdentityMode::Caller => {
                let id = match session::from_headers(headers)? {
                    Some(id) => Some(id),
                    None => session::from_body(body, &app_cfg.session_field)?,
                };
                ev.session = id.clone();
                let mut ctx = self.load(&principal.app, id, headers, now)?;
                ev.caller_ref = ctx.caller_ref.map(|d| d.hex());
                let turns = session::user_turns(body);
                if let Some(last) = turns.last() {
                    if social::assess(last).score >= app_cfg.social_threshold {
                        count(ev, SOCIAL_ENGINEERING, 1);
                    }
                }
                if app_cfg.is_assist && ctx.id.is_some() && ctx.data.verification.is_none() {
                    self.assist(&mut ctx, &turns, ev);
                }
                if let Some(v) = ctx.data.verification {
                    push_ref(&mut ev.patient_refs, v.patient.hex());
                }
                match ctx.write_needed(now) {
                    Write::Full => self.save(&ctx, now)?,
                    Write::Touch => self.touch(&ctx, now)?,
                    Write::None => {}
                }
                Ok(Some(Disclosure::new(self.guard.clone(), Access::Caller(ctx.data.verification))))
            }
        }
    }

    /// Assist mode: extract claims from every caller turn; once they are complete enough for
    /// the policy and differ from the last claims tried, attempt a verification.
    fn assist(&self, ctx: &mut SessionCtx, turns: &[&str], ev: &mut Event) {
        let mut claims = ClaimedFacts::default();
        for t in turns {
            extract_claims_into(&self.scanner, t, &mut claims);
        }
        if !self.is_complete(&claims) {
            return;
        }
        let fingerprint = self.directory.key().digest(
            Field::Session,
            &format!("assist-claims\u{0}{}", serde_json::to_string(&claims).unwrap_or_default()),
        );
        if ctx.data.last_assist_claims == Some(fingerprint) {
            return;
        }
        ctx.data.last_assist_claims = Some(fingerprint);
        let _ = self.verify(ctx, &claims, ev);
    }

    /// Whether the claims name enough factors to satisfy every group (presence only).
    fn is_complete(&self, c: &ClaimedFacts) -> bool {
        let has = |f: &Factor| match f {
            Factor::Name => c.name.is_some(),
            Factor::BirthDate => c.birth_date.is_some(),
            Factor::MemberId => c.member_id.is_some(),
            Factor::Mrn => c.mrn.is_some(),
            Factor::Zip => c.zip.is_some(),
            Factor::Phone => c.phone.is_some(),
            Factor::SsnLast4 => c.ssn_last4.is_some(),
        };
        self.cfg.policy.groups.iter().all(|g| g.factors.iter().filter(|f| has(f)).count() >= g.min)
    }

    fn staff_principal(&self, p: &Principal, app: &IdentityApp) -> phiwall_identity::Principal {
        let (roles, care_team) = match &p.claims {
            Some(c) => {
                let mut team: Vec<_> = c
                    .strings(&app.care_team_claim)
                    .iter()
                    .map(|id| self.directory.patient_ref(id))
                    .collect();
                // The directory's care teams of the practitioner the token names.
                for prac in c.strings(&app.practitioner_claim) {
                    team.extend(self.directory.patients_in_care_of(&prac));
                }
                (c.strings(&app.roles_claim), team)
            }
            None => (app.key_roles.clone(), Vec::new()),
        };
        phiwall_identity::Principal { id: p.limit_id(), roles, care_team }
    }
}

fn parse_digest(s: &str) -> Option<Digest> {
    serde_json::from_value(Value::String(s.to_string())).ok()
}

/// A value's kind is a strong identifier: finding it for another patient is a cross-patient
/// leak. Birth dates and zip codes are shared by many people, so another patient's date or zip
/// in a verified session is withheld but not raised as a leak on its own.
fn is_strong(kind: PhiType) -> bool {
    !matches!(kind, PhiType::Date | PhiType::Address)
}

/// What the output guard does with one PHI finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureAction {
    /// The session may see it: pass it unchanged.
    Pass,
    /// Withhold (redact) it.
    Withhold,
    /// Not a directory value: the app's output policy decides.
    AppPolicy,
}

/// Disclosure rules for one response.
#[derive(Debug)]
pub struct Disclosure {
    guard: Arc<DisclosureGuard>,
    access: Access,
    /// Patient references of values released or withheld (for the event).
    pub patient_refs: BTreeSet<String>,
}

impl Disclosure {
    fn new(guard: Arc<DisclosureGuard>, access: Access) -> Self {
        Disclosure { guard, access, patient_refs: BTreeSet::new() }
    }

    /// Decide one finding; counts identity findings into `findings`.
    pub fn decide(
        &mut self,
        kind: PhiType,
        value: &str,
        findings: &mut BTreeMap<String, u32>,
    ) -> DisclosureAction {
        let len = value.chars().count();
        let d = self.guard.check(&self.access, &[OutputValue { kind, value, start: 0, end: len }]);
        let Some(item) = d.items.first() else { return DisclosureAction::AppPolicy };
        let mut add = |k: &str| *findings.entry(k.to_string()).or_insert(0) += 1;
        let action = match item.verdict {
            Verdict::Allow => DisclosureAction::Pass,
            Verdict::AllowFlagged(_) => {
                add(BREAK_GLASS);
                DisclosureAction::Pass
            }
            Verdict::Redact(reason) => {
                add(DISCLOSURE_PREVENTED);
                match reason {
                    Reason::CrossPatient if is_strong(kind) => add(CROSS_PATIENT_LEAK),
                    Reason::OutsideCareTeam | Reason::RoleNotAllowed => add(OUT_OF_SCOPE),
                    _ => {}
                }
                DisclosureAction::Withhold
            }
            Verdict::Unknown => return DisclosureAction::AppPolicy,
        };
        for p in self.guard.owners_of(kind, value) {
            self.patient_refs.insert(p.hex());
        }
        action
    }
}

/// Raise the event's severity for identity findings merged from the output guard.
pub fn raise_for_findings(ev: &mut Event) {
    let mut top = Severity::Informational;
    for k in ev.findings.keys() {
        if let Some(s) = severity_of(k) {
            top = top.max(s);
        }
    }
    ev.raise(top);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities() {
        assert_eq!(severity_of(CROSS_PATIENT_LEAK), Some(Severity::High));
        assert_eq!(severity_of(LOCKOUT), Some(Severity::High));
        assert_eq!(severity_of(OUT_OF_SCOPE), Some(Severity::High));
        assert_eq!(severity_of(DISCLOSURE_PREVENTED), Some(Severity::Medium));
        assert_eq!(severity_of("output.phi.NAME"), None);
    }

    #[test]
    fn session_data_holds_references_only() {
        let key = DirectoryKey::new(vec![9u8; 32]).unwrap();
        let d = SessionData {
            verification: Some(Verification {
                patient: key.digest(Field::PatientId, "pat-1"),
                representative: None,
                at: 5,
            }),
            last_assist_claims: Some(key.digest(Field::Session, "x")),
        };
        let s = serde_json::to_string(&d).unwrap();
        assert!(!s.contains("pat-1"));
        let back: SessionData = serde_json::from_str(&s).unwrap();
        assert_eq!(back, d);
        assert_eq!(parse_digest(&d.last_assist_claims.unwrap().hex()), d.last_assist_claims);
    }
}
