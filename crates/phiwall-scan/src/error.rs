//! The crate's one error type. Messages never carry the scanned text.

/// Errors from building a scanner or applying a transform.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of range or inconsistent.
    #[error("invalid scanner config at `{key}`: expected {expected}, found {found}")]
    Config {
        /// Key path of the offending value.
        key: &'static str,
        /// What would have been accepted.
        expected: &'static str,
        /// What was given (never text under scan).
        found: String,
    },
    /// A finding does not fit the text it is applied to.
    #[error("finding {index} spans {start}..{end} but the text has {len} characters")]
    SpanOutOfRange {
        /// Position of the finding in the slice passed in.
        index: usize,
        /// Code-point start.
        start: usize,
        /// Code-point end.
        end: usize,
        /// Code-point length of the text.
        len: usize,
    },
    /// Key material is too short to be safe.
    #[error("key too short: expected at least 16 bytes, found {0}")]
    KeyTooShort(usize),
}
