//! Placeholder; filled in by its owner.

use std::process::ExitCode;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct EvalInjectionArgs {}

/// Run.
pub fn run(_a: EvalInjectionArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
