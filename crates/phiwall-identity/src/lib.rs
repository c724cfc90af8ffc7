//! Caller verification and PHI disclosure control for phiwall (issue 5).
//!
//! What this crate does: read FHIR R4 `Patient`/`RelatedPerson` resources into a [`Directory`]
//! of keyed hashes (no plaintext), verify a caller's claimed identity against it under a
//! factor policy with an attempt limiter ([`Verifier`]), extract claimed facts from caller turns
//! with the PHI scanner ([`extract_claims`]), flag social-engineering pressure
//! ([`social::assess`]), and decide whether PHI in model output may reach the session
//! ([`DisclosureGuard`]). It also generates synthetic FHIR bundles and claimed-identity
//! utterances for tests, the demo and the matching-quality evaluation ([`synth`]).
//!
//! What it does not do: HTTP, storage, event sinks or one-time codes. The gateway stores the
//! serialized directory and session state, emits the lockout and disclosure events this crate
//! returns, and applies redaction. Time comes from an injected [`Clock`].

#![forbid(unsafe_code)]

pub mod directory;
pub mod disclosure;
mod error;
pub mod extract;
pub mod fhir;
pub mod limiter;
pub mod normalize;
pub mod phonetic;
pub mod social;
pub mod synth;
pub mod verify;

pub use directory::{Digest, Directory, DirectoryKey, Field, Owner, PatientRef};
pub use disclosure::{
    Access, Decision, DisclosureGuard, DisclosurePolicy, ItemDecision, OutputValue, Principal,
    Reason, Severity, Verdict,
};
pub use error::Error;
pub use extract::extract_claims;
pub use limiter::{
    strictest_gate, AttemptLimiter, AttemptStore, Clock, Gate, LimiterConfig, LockoutEvent,
    ManualClock, Scope, SystemClock,
};
pub use verify::{
    caller_ref, ClaimedFacts, Factor, FactorGroup, Outcome, SessionState, Verification,
    VerificationPolicy, Verifier,
};
