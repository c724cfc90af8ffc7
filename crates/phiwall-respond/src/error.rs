//! The crate's error type. Messages name ids, states and keys, never PHI or note text.

use crate::incident::Status;

/// An incident-response error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The incident or containment store failed.
    #[error("incident store: {0}")]
    Store(#[from] phiwall_store::Error),
    /// The audit ledger failed.
    #[error("audit ledger: {0}")]
    Ledger(#[from] phiwall_ledger::Error),
    /// A stored incident could not be decoded.
    #[error("incident {id} is unreadable: {reason}")]
    Corrupt {
        /// Incident id.
        id: String,
        /// Why.
        reason: String,
    },
    /// No such incident.
    #[error("no incident `{0}`; list them with `phiwall incidents list`")]
    NotFound(String),
    /// The lifecycle does not allow this step.
    #[error("incident {id} is {from}: it cannot move to {to} (allowed next: {allowed})")]
    Transition {
        /// Incident id.
        id: String,
        /// Current state.
        from: Status,
        /// Requested state.
        to: Status,
        /// The states it may move to.
        allowed: String,
    },
    /// An argument was invalid (expected vs found).
    #[error("invalid {what}: expected {expected}, found {found}")]
    Invalid {
        /// Which argument.
        what: &'static str,
        /// What was expected.
        expected: &'static str,
        /// What was found (never PHI: a length or a shape).
        found: String,
    },
    /// A playbook file is invalid.
    #[error("{0}")]
    Playbook(#[from] crate::playbook::PlaybookError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Corrupt { id: String::new(), reason: e.to_string() }
    }
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
