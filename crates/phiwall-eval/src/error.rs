//! The crate's one error type. Messages name the file, the line or record and the field, and
//! never carry text from the data set: a gold file holds PHI (surrogate or synthetic, but the
//! same code reads real data).

/// Errors from reading data sets or writing corpora.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened, read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The JSON is not well formed (serde's message is dropped: it can quote values).
    #[error("{at}: invalid JSON ({category} error at column {column}): expected one JSON value")]
    Json {
        /// `file:line` of the problem.
        at: String,
        /// `syntax`, `data`, `eof` or `io`.
        category: &'static str,
        /// Column reported by the parser.
        column: usize,
    },
    /// A field is missing or has the wrong JSON type.
    #[error("{at}: field `{field}`: expected {expected}, found {found}")]
    Field {
        /// `file:line` or `file record N`.
        at: String,
        /// The field path, e.g. `spans[3].start`.
        field: String,
        /// What would have been accepted.
        expected: &'static str,
        /// The JSON type found (never the value).
        found: &'static str,
    },
    /// A span does not fit its text.
    #[error("{at}: span {index} is {start}..{end} but the text has {len} characters")]
    SpanRange {
        /// `file:line` or `file record N`.
        at: String,
        /// Position of the span in the record.
        index: usize,
        /// Start offset (code points).
        start: u64,
        /// End offset (code points).
        end: u64,
        /// Text length in code points.
        len: usize,
    },
    /// A span label that our own format does not know.
    #[error("{at}: span {index}: unknown type {label}: expected a PHI type name such as NAME, DATE, PHONE")]
    UnknownType {
        /// `file:line`.
        at: String,
        /// Position of the span in the record.
        index: usize,
        /// The label, shown only when it looks like an identifier (else its length).
        label: String,
    },
    /// The format could not be recognised.
    #[error("{path}: cannot tell the data format: {why}; pass --format deid|presidio|jsonl")]
    UnknownFormat {
        /// The file.
        path: String,
        /// Why detection failed.
        why: &'static str,
    },
    /// A value outside the accepted range (generator and bench settings).
    #[error("invalid {key}: expected {expected}, found {found}")]
    Config {
        /// Setting name.
        key: &'static str,
        /// What would have been accepted.
        expected: &'static str,
        /// What was given.
        found: String,
    },
}

/// Show a label only if it looks like a label (short identifier); otherwise its length, so a
/// malformed file cannot smuggle text into an error message.
pub(crate) fn safe_label(label: &str) -> String {
    let is_ident = !label.is_empty()
        && label.len() <= 40
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if is_ident {
        format!("`{label}`")
    } else {
        format!("<label of {} characters>", label.chars().count())
    }
}

/// The JSON type name of a value, for error messages.
pub(crate) fn json_kind(v: Option<&serde_json::Value>) -> &'static str {
    match v {
        None => "nothing",
        Some(serde_json::Value::Null) => "null",
        Some(serde_json::Value::Bool(_)) => "a boolean",
        Some(serde_json::Value::Number(_)) => "a number",
        Some(serde_json::Value::String(_)) => "a string",
        Some(serde_json::Value::Array(_)) => "an array",
        Some(serde_json::Value::Object(_)) => "an object",
    }
}

/// Convert a serde_json error to [`Error::Json`] without its message.
pub(crate) fn json_error(path: &str, line: Option<usize>, e: &serde_json::Error) -> Error {
    let category = match e.classify() {
        serde_json::error::Category::Io => "io",
        serde_json::error::Category::Syntax => "syntax",
        serde_json::error::Category::Data => "data",
        serde_json::error::Category::Eof => "eof",
    };
    let line = line.unwrap_or(e.line());
    Error::Json { at: format!("{path}:{line}"), category, column: e.column() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_shown_only_when_safe() {
        assert_eq!(safe_label("PERSON"), "`PERSON`");
        assert_eq!(safe_label("John Smith"), "<label of 10 characters>");
        assert_eq!(safe_label(""), "<label of 0 characters>");
    }

    #[test]
    fn json_errors_drop_values() {
        let e = serde_json::from_str::<u32>("\"Maria Lopez\"").unwrap_err();
        let msg = json_error("f.jsonl", Some(3), &e).to_string();
        assert!(msg.starts_with("f.jsonl:3:"), "{msg}");
        assert!(!msg.contains("Maria"), "{msg}");
    }
}
