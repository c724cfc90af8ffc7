//! `phiwall generate ...`: synthetic corpora. `generate transcripts` writes call transcripts,
//! portal messages, clinical notes and assistant requests with gold PHI spans as JSONL (the
//! format `phiwall eval phi` reads), deterministic for a seed.

use crate::output::{self, Exit};
use anyhow::Context;
use phiwall_eval::generate::{generate, write_jsonl, GenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Corpus generators.
#[derive(Debug, clap::Subcommand)]
pub enum GenerateCommand {
    /// Synthetic healthcare transcripts and messages with gold PHI spans (JSONL).
    Transcripts(TranscriptsArgs),
}

/// Arguments of `phiwall generate transcripts`.
#[derive(Debug, clap::Args)]
pub struct TranscriptsArgs {
    /// Number of records.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub count: usize,
    /// Seed: the same seed always gives the same corpus.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Output file (`-` for stdout).
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
}

/// Run a generator.
pub fn run(c: GenerateCommand) -> anyhow::Result<ExitCode> {
    match c {
        GenerateCommand::Transcripts(a) => transcripts(a),
    }
}

fn transcripts(a: TranscriptsArgs) -> anyhow::Result<ExitCode> {
    let records = generate(GenOptions { count: a.count, seed: a.seed })
        .map_err(|e| Exit::usage(format!("{e}; lower --count")))?;
    if a.out.as_os_str() == "-" {
        let mut out = output::stdout();
        write_jsonl(&records, &mut out).context("writing to stdout")?;
        out.flush().context("writing to stdout")?;
    } else {
        let f = std::fs::File::create(&a.out)
            .map_err(|e| Exit::input(format!("cannot create {}: {e}", a.out.display())))?;
        write_jsonl(&records, std::io::BufWriter::new(f))
            .map_err(|e| Exit::input(format!("cannot write {}: {e}", a.out.display())))?;
        let spans: usize = records.iter().map(|r| r.spans.len()).sum();
        output::status(&format!(
            "wrote {} records with {spans} gold spans to {} (seed {})",
            records.len(),
            a.out.display(),
            a.seed
        ));
    }
    Ok(ExitCode::SUCCESS)
}
