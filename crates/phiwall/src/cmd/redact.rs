//! Placeholder; filled in by its owner.

use std::process::ExitCode;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct RedactArgs {}

/// Run.
pub fn run(_a: RedactArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
