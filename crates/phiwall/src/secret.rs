//! Secrets by reference (`env:VAR`, `file:PATH`), never inline, and private file writes.

use crate::output::Exit;
use std::io::Write;
use std::path::Path;

/// Resolve a key reference to bytes. A value of exactly 64 hex characters decodes to 32 bytes;
/// anything else is used as raw bytes (trailing newline removed).
pub fn resolve_key(reference: &str) -> anyhow::Result<Vec<u8>> {
    let raw: Vec<u8> = if let Some(var) = reference.strip_prefix("env:") {
        std::env::var_os(var)
            .ok_or_else(|| {
                Exit::usage(format!("environment variable {var} is not set (named by --key)"))
            })?
            .into_encoded_bytes()
    } else if let Some(path) = reference.strip_prefix("file:") {
        std::fs::read(path).map_err(|e| Exit::input(format!("cannot read key file {path}: {e}")))?
    } else {
        return Err(Exit::usage(
            "keys are passed by reference: use env:VAR or file:PATH, never the key itself",
        ));
    };
    let trimmed = raw.strip_suffix(b"\n").unwrap_or(&raw);
    let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
    if trimmed.len() == 64 && trimmed.iter().all(u8::is_ascii_hexdigit) {
        let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        return Ok(trimmed.chunks(2).map(|p| (hex(p[0]) << 4) | hex(p[1])).collect());
    }
    Ok(trimmed.to_vec())
}

/// Write `bytes` to `path` readable by the owner only (0600 on Unix).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_references() {
        std::env::set_var("PHIWALL_TEST_KEY_HEX", "00".repeat(31) + "ff");
        let k = resolve_key("env:PHIWALL_TEST_KEY_HEX").unwrap();
        assert_eq!(k.len(), 32);
        assert_eq!(k[31], 0xff);
        assert!(resolve_key("env:PHIWALL_TEST_KEY_MISSING_X").is_err());
        assert!(resolve_key("hunter2hunter2hunter2").is_err());
    }
}
