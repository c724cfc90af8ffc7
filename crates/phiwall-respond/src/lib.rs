//! `phiwall-respond`: incident response after NIST SP 800-61r3 (issue 8).
//!
//! What it does:
//! - builds incidents from [`phiwall_watch::Detection`]s, correlated by principal, session,
//!   source, caller and patient reference within a time window, deduplicated (a burst of
//!   detections from one attacker is one incident), with severity as the max of the detections
//!   raised by escalation rules ([`responder`]);
//! - runs a lifecycle aligned to NIST SP 800-61r3 and CSF 2.0 (detected, analyzing,
//!   contained, eradicated, recovered, closed with lessons learned), with owners and notes,
//!   and writes every step to the audit ledger through a transactional outbox ([`incident`],
//!   [`record`], [`audit`]);
//! - maps detection kinds and severities to actions with TOML playbooks ([`playbook`]):
//!   containment written to the store the gateway enforces (suspend a key or app, quarantine a
//!   session, require re-verification, block a source or caller, tighten an app's PHI policy,
//!   safe mode), notifications ([`notify`]) and evidence snapshots with inclusion proofs
//!   ([`evidence`]); containment is idempotent, time-boxed where configured, and reversed on
//!   recovery;
//! - writes the post-incident review from the ledger as Markdown and HTML ([`report`]);
//! - runs in-process next to the gateway on its own thread ([`runner`]).
//!
//! What it does not do: detect (that is `phiwall-watch` and its detectors), enforce (the
//! gateway reads the containment store), or hold PHI: incidents carry ids, kinds, counts and
//! keyed references; operator free text stays in the store and only its hash is audited.

#![forbid(unsafe_code)]

pub mod audit;
pub mod clock;
mod error;
pub mod evidence;
pub mod incident;
pub mod notify;
pub mod playbook;
pub mod record;
pub mod report;
pub mod responder;
pub mod runner;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, Result};
pub use incident::{ActionStatus, Incident, Lessons, Status};
pub use playbook::PlaybookSet;
pub use responder::{IngestOutcome, Responder};
pub use runner::{DetectionSender, ResponderThread};
