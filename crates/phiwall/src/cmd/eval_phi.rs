//! Placeholder; filled in by its owner.

use std::process::ExitCode;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct EvalPhiArgs {}

/// Run.
pub fn run(_a: EvalPhiArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
