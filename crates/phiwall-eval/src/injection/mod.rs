//! Prompt-injection evaluation and training (issue 3): dataset readers with the source/template
//! split ([`data`]), adversarial augmentation ([`augment`]), the seeded trainer behind
//! `phiwall train injection` ([`train`]) and the held-out evaluation behind
//! `phiwall eval injection` ([`eval`]).
//!
//! Reads files; the detector itself (`phiwall_scan::injection`) stays pure. Errors name files,
//! lines and kinds, never dataset text.

pub mod augment;
pub mod clinic;
pub mod clinic_ml;
pub mod data;
pub mod ehr_requests;
pub mod eval;
pub mod everyday_words;
pub mod multilingual;
pub mod paperwork;
pub mod patients;
pub mod pretexts;
pub mod spelling;
pub mod tactics;
pub mod tasks;
pub mod train;

use std::path::PathBuf;

/// Errors reading datasets or writing a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A file could not be read or written.
    #[error("cannot access {path}: {kind}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        kind: std::io::ErrorKind,
    },
    /// A file is not in the expected format.
    #[error("{path} line {line}: expected {what}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What was expected.
        what: &'static str,
    },
    /// The scan library refused something (bad config or model).
    #[error(transparent)]
    Scan(#[from] phiwall_scan::Error),
    /// Training had nothing to learn from.
    #[error("training set has {attacks} attacks and {benign} benign texts: expected both")]
    EmptyTraining {
        /// Attack examples.
        attacks: usize,
        /// Benign examples.
        benign: usize,
    },
}
