//! `phiwall-audit`: evidence-backed compliance and posture audit (issue 9).
//!
//! What it does: evaluate evidence checks ([`checks`]) over the validated gateway
//! configuration and gathered [`evidence::Evidence`] (ledger verification, encryption posture,
//! API keys, traffic seen in the ledger, incidents, drills, saved evaluations), map them to
//! control catalogues ([`catalogue`]: HIPAA 164.312 and 164.308, the proposed 2025 Security Rule
//! items, OWASP Top 10 for LLM Applications 2025, NIST AI RMF and CSF 2.0), run the bias audit
//! ([`bias`]), build the AI inventory ([`inventory`]), and render the result as JSON, Markdown,
//! self-contained HTML, OSCAL assessment results and a CycloneDX 1.6 ML-BOM ([`render`]).
//!
//! What it does not do: IO. Gathering evidence (reading the ledger, the key store, files) is the
//! CLI's job (`phiwall audit`); this crate is pure given the evidence and the audit time, so
//! tests build weak and strong cases directly. Where evidence is missing a control says
//! `manual` with the fix, never `pass`.
#![forbid(unsafe_code)]

pub mod bias;
pub mod catalogue;
pub mod check;
pub mod checks;
mod error;
pub mod evidence;
pub mod inventory;
pub mod purpose;
pub mod render;
pub mod report;
pub mod time;

pub use check::{CheckResult, EvidenceItem, EvidenceKind, Status};
pub use checks::AuditSettings;
pub use error::Error;
pub use evidence::{Evidence, Source};
pub use report::{run, AuditReport};
