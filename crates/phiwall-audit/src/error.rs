//! Errors of rendering reports.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// JSON encoding failed.
    #[error("encoding the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}
