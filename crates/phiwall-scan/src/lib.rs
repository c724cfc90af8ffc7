//! Pure detection and redaction for phiwall.
//!
//! What this crate does: find PHI (the HIPAA Safe Harbor identifiers, plus credit cards and
//! employers) in written text and in speech-to-text transcripts, and turn findings into redacted,
//! pseudonymized or tokenized text given key material from the caller.
//!
//! What it does not do: IO, async, clocks, global state or key storage. Everything is built once
//! from a [`ScannerConfig`] and is then immutable and `Send + Sync`, so one [`Scanner`] serves all
//! threads of a process.
//!
//! Offsets in every public [`Finding`] are Unicode code-point offsets into the original text,
//! `start` inclusive and `end` exclusive (DESIGN.md "Contracts"). Detectors work on byte offsets
//! internally; the scanner converts once at the end.

pub mod detector;
mod error;
pub mod injection;
pub mod offsets;
pub mod phi;
pub mod redact;
mod scanner;
mod types;

pub use detector::{Detector, Doc, Span};
pub use error::Error;
pub use injection::{InjectionConfig, InjectionDetector, InjectionResult, Signal};
pub use scanner::{Scanner, ScannerConfig, TaggerChoice};
pub use types::{Finding, PhiType, ALL_PHI_TYPES};
