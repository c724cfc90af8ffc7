//! The crate's one error type. Messages name kinds, positions and lengths, never values: the
//! input is patient data.

/// Errors from reading FHIR input, loading a stored directory, policy checks and the attempt
/// store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line or document is not valid JSON.
    #[error("line {line}: invalid JSON at column {column}: expected a FHIR resource")]
    Json {
        /// 1-based line number (for NDJSON the record's line; for a bundle where parsing stopped).
        line: usize,
        /// 1-based column where parsing stopped.
        column: usize,
    },
    /// A resource has a `resourceType` this reader does not accept.
    #[error("line {line}: unexpected resourceType: expected Bundle, Patient or RelatedPerson, found a {found_len}-character value")]
    ResourceType {
        /// 1-based line number.
        line: usize,
        /// Length of the unexpected value (the value itself is not echoed).
        found_len: usize,
    },
    /// A required field is missing or has the wrong JSON type.
    #[error("line {line}: {resource} field `{field}`: expected {expected}")]
    Field {
        /// 1-based line number.
        line: usize,
        /// Resource type.
        resource: &'static str,
        /// Field path.
        field: &'static str,
        /// What was expected.
        expected: &'static str,
    },
    /// The directory key is too short.
    #[error("directory key: expected at least 32 bytes, found {0}")]
    KeyTooShort(usize),
    /// A stored directory was built with another key.
    #[error("stored directory: key fingerprint does not match the configured directory key")]
    KeyMismatch,
    /// A stored directory could not be decoded.
    #[error("stored directory: invalid encoding at line {line} column {column}")]
    Stored {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A stored directory has a format version this build does not read.
    #[error("stored directory: expected format version {expected}, found {found}")]
    Version {
        /// Version this build reads.
        expected: u32,
        /// Version found.
        found: u32,
    },
    /// A policy setting is invalid.
    #[error("{key}: expected {expected}")]
    Policy {
        /// Key path of the setting.
        key: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The attempt store could not answer (a shared store's timeout or connection failure);
    /// the verifier refuses the attempt.
    #[error("attempt store unavailable: {0}")]
    AttemptStore(&'static str),
}
