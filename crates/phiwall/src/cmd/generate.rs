//! Placeholder; filled in by its owner.

use std::process::ExitCode;

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum GenerateCommand {
    /// Placeholder.
    Placeholder,
}

/// Run.
pub fn run(_c: GenerateCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
