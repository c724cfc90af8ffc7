//! Placeholder; filled in by its owner.

use std::process::ExitCode;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {}

/// Run.
pub fn run(_a: ScanArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
