//! The only place the CLI writes to stdout and stderr, so the lint against stray prints holds
//! everywhere else and output can be redirected or buffered in one place.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, Write};
use std::process::ExitCode;

/// Exit code: the command ran and its check failed.
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Exit code: bad usage or configuration.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: unreadable or malformed input.
pub const EXIT_INPUT: u8 = 3;

/// An error that carries its exit code; anything else exits with [`EXIT_USAGE`].
#[derive(Debug)]
pub struct Exit {
    /// Process exit code.
    pub code: u8,
    /// Message shown to the user (never contains scanned text).
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Exit {
    /// An input error (exit 3).
    pub fn input(message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Exit { code: EXIT_INPUT, message: message.into() })
    }
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Exit { code: EXIT_USAGE, message: message.into() })
    }
}

/// Print `e` with its causes to stderr and pick the exit code.
pub fn report_error(e: &anyhow::Error) -> ExitCode {
    let code = e.chain().find_map(|c| c.downcast_ref::<Exit>()).map_or(EXIT_USAGE, |x| x.code);
    eprintln!("phiwall: error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::from(code)
}

/// A warning line on stderr.
pub fn warn(msg: &str) {
    eprintln!("phiwall: warning: {msg}");
}

/// A status line on stderr (progress, where output went).
pub fn status(msg: &str) {
    eprintln!("{msg}");
}

/// Buffered stdout for bulk output; callers flush by dropping or calling `flush`.
pub fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::with_capacity(1 << 16, io::stdout().lock())
}

/// Print one line to stdout (for short reports).
pub fn line(s: &str) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{s}");
}

impl std::error::Error for Exit {}
