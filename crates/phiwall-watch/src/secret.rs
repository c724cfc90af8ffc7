//! Secret references (`env:VAR`, `file:PATH`) and resolved secrets, shared by the gateway's
//! configuration and the SIEM sinks' tokens. A [`SecretRef`] prints as the reference, never the
//! value; a [`Secret`] prints as `[redacted]`. Moved here from the gateway's config so both use
//! one implementation.

use std::path::PathBuf;

/// A reference to a secret: `env:VAR` or `file:PATH`. Displays the reference, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// An environment variable.
    Env(String),
    /// A file (trailing newline removed).
    File(PathBuf),
}

impl SecretRef {
    /// Parse `env:VAR` / `file:PATH`; anything else is refused so secrets never sit inline.
    pub fn parse(s: &str) -> Result<Self, String> {
        if let Some(v) = s.strip_prefix("env:") {
            if v.is_empty() {
                return Err("empty variable name".into());
            }
            Ok(SecretRef::Env(v.to_string()))
        } else if let Some(p) = s.strip_prefix("file:") {
            if p.is_empty() {
                return Err("empty path".into());
            }
            Ok(SecretRef::File(PathBuf::from(p)))
        } else {
            Err("a secret must be a reference `env:VAR` or `file:PATH`, never the value".into())
        }
    }

    /// Read the secret (IO: only called from build).
    pub fn resolve(&self) -> Result<Secret, String> {
        let raw = match self {
            SecretRef::Env(v) => {
                std::env::var(v).map_err(|_| format!("environment variable {v} is not set"))?
            }
            SecretRef::File(p) => std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        };
        let t = raw.trim_end_matches(['\n', '\r']);
        if t.is_empty() {
            return Err(format!("{self} is empty"));
        }
        Ok(Secret(t.to_string()))
    }
}

impl std::fmt::Display for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretRef::Env(v) => write!(f, "env:{v}"),
            SecretRef::File(p) => write!(f, "file:{}", p.display()),
        }
    }
}

/// A resolved secret value. Debug and Display print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value (for generated secrets).
    pub fn new(s: String) -> Self {
        Secret(s)
    }
    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_refs_and_redacts() {
        assert_eq!(SecretRef::parse("env:X").unwrap(), SecretRef::Env("X".into()));
        assert!(SecretRef::parse("hunter2").is_err());
        assert!(SecretRef::parse("env:").is_err());
        assert_eq!(format!("{:?}", Secret::new("s3cret".into())), "[redacted]");
    }
}
