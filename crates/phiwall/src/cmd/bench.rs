//! `phiwall bench scan`: documents per second and MB per second per core, with p50/p99
//! per-document latency, on a corpus file or a generated one, against a baseline measured in the
//! same run (one plain regex pass over the same documents), reported as a ratio.
//!
//! Figures from a debug build are flagged: measure with `cargo build --release`.

use crate::output::{self, Exit};
use anyhow::Context;
use phiwall_eval::bench::{compare, render_text, BenchOptions};
use phiwall_eval::generate::{generate, GenOptions};
use phiwall_eval::{read_path, Format, LabelOptions};
use phiwall_scan::{Scanner, ScannerConfig, TaggerChoice};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Benchmarks.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Scanner throughput and latency against a regex baseline.
    Scan(BenchScanArgs),
    /// Audit ledger: group-commit append, verify and proof throughput (same as `phiwall log bench`).
    Ledger(super::log::BenchArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchFormat {
    /// Aligned lines.
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `phiwall bench scan`.
#[derive(Debug, clap::Args)]
pub struct BenchScanArgs {
    /// Corpus (any format `eval phi` reads); default: generated transcripts.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Format of --data: auto, deid, presidio or jsonl.
    #[arg(long = "data-format", value_name = "FORMAT", default_value = "auto", value_parser = parse_format)]
    pub data_format: Format,
    /// Documents to generate when no --data is given.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub count: usize,
    /// Seed of the generated corpus.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Worker threads.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threads: usize,
    /// Seconds per measurement (the baseline, then the scanner).
    #[arg(long, value_name = "S", default_value_t = 5.0)]
    pub seconds: f64,
    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: BenchFormat,
    /// Measure the rules alone (no learned name and place tagger), to see the tagger's cost.
    #[arg(long)]
    pub no_tagger: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

/// Run a benchmark.
pub fn run(c: BenchCommand) -> anyhow::Result<ExitCode> {
    match c {
        BenchCommand::Scan(a) => scan(a),
        BenchCommand::Ledger(a) => super::log::bench(a),
    }
}

fn scan(a: BenchScanArgs) -> anyhow::Result<ExitCode> {
    let opts = BenchOptions { threads: a.threads, seconds: a.seconds }
        .validate()
        .map_err(|e| Exit::usage(format!("{e}; see --threads and --seconds")))?;
    let texts: Vec<String> = match &a.data {
        Some(path) => read_path(path, a.data_format, LabelOptions::default())
            .map_err(|e| Exit::input(e.to_string()))?
            .docs
            .into_iter()
            .map(|d| d.text)
            .collect(),
        None => generate(GenOptions { count: a.count, seed: a.seed })
            .map_err(|e| Exit::usage(format!("{e}; lower --count")))?
            .into_iter()
            .map(|r| r.text)
            .collect(),
    };
    if texts.is_empty() {
        return Err(Exit::input(
            "the corpus has no documents; pass --data FILE with at least one record",
        ));
    }
    let tagger = if a.no_tagger { TaggerChoice::Off } else { TaggerChoice::Embedded };
    let scanner = Scanner::new(ScannerConfig { tagger, ..ScannerConfig::default() })
        .map_err(|e| Exit::usage(e.to_string()))?;
    if cfg!(debug_assertions) {
        output::warn(
            "debug build: throughput figures are not representative; build with --release",
        );
    }
    let report =
        compare(&texts, |t| scanner.scan(t).len(), opts).map_err(|e| Exit::usage(e.to_string()))?;
    let mut out = output::stdout();
    match a.format {
        BenchFormat::Text => {
            out.write_all(render_text(&report).as_bytes()).context("writing the report")?
        }
        BenchFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report).context("writing the report")?;
            writeln!(out).context("writing the report")?;
        }
    }
    out.flush().context("writing the report")?;
    Ok(ExitCode::SUCCESS)
}
