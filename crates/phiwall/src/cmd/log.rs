//! Placeholder; filled in by its owner.

use std::process::ExitCode;

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Placeholder.
    Placeholder,
}

/// Run.
pub fn run(_c: LogCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
