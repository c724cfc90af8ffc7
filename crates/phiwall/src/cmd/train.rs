//! Placeholder; filled in by its owner.

use std::process::ExitCode;

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TrainCommand {
    /// Placeholder.
    Placeholder,
}

/// Run.
pub fn run(_c: TrainCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
