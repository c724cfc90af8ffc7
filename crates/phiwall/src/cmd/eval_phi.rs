//! `phiwall eval phi`: run the scanner over a labelled data set and score it (precision,
//! recall, F1/F2 per type, redaction coverage, confusions, misses and false positives).
//!
//! Text from the data set is printed only with `--show-text`, which is meant for public or
//! synthetic corpora (presidio-research, our generated transcripts, the deid surrogates); by
//! default misses and false positives are listed by document id and offsets.

use crate::output::{self, Exit};
use anyhow::Context;
use phiwall_eval::metrics::{GroupBy, MatchMode};
use phiwall_eval::report::{render_text, RunInfo};
use phiwall_eval::{evaluate, read_path, EvalOptions, Format, LabelOptions, SplitFilter};
use phiwall_scan::{Scanner, ScannerConfig};
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned tables.
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `phiwall eval phi`.
#[derive(Debug, clap::Args)]
pub struct EvalPhiArgs {
    /// Labelled data: deid gold JSONL, a presidio-research JSON list, or our JSONL.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Data format (auto: from the first record).
    #[arg(long = "data-format", value_name = "FORMAT", default_value = "auto", value_parser = parse_format)]
    pub data_format: Format,
    /// Which split to evaluate: tune on dev, report test.
    #[arg(long, value_name = "SPLIT", default_value = "dev", value_parser = parse_split)]
    pub split: SplitFilter,
    /// How a prediction must match a gold span for the typed scores.
    #[arg(long = "match", value_name = "MODE", default_value = "overlap", value_parser = parse_mode)]
    pub match_mode: MatchMode,
    /// Print the text of misses and false positives (public or synthetic data only).
    #[arg(long)]
    pub show_text: bool,
    /// How many misses and false positives to list.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub max_misses: usize,
    /// Add a per-group table (origin: name origin group of our corpus; template).
    #[arg(long, value_name = "GROUP", value_parser = parse_group)]
    pub by: Option<GroupBy>,
    /// Score a year on its own as DATE (deid DateYear, presidio year-only DATE_TIME).
    #[arg(long)]
    pub count_years: bool,
    /// Findings scoring below this are dropped by the scanner.
    #[arg(long, value_name = "SCORE", default_value_t = 0.5)]
    pub min_score: f32,
    /// Report format.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: ReportFormat,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}
fn parse_split(s: &str) -> Result<SplitFilter, String> {
    s.parse()
}
fn parse_mode(s: &str) -> Result<MatchMode, String> {
    s.parse()
}
fn parse_group(s: &str) -> Result<GroupBy, String> {
    s.parse()
}

/// Run the evaluation.
pub fn run(a: EvalPhiArgs) -> anyhow::Result<ExitCode> {
    let scanner =
        Scanner::new(ScannerConfig { min_score: a.min_score, ..ScannerConfig::default() })
            .map_err(|e| Exit::usage(format!("{e}; pass --min-score between 0 and 1")))?;
    let opts = LabelOptions { is_year_scored: a.count_years };
    let mut ds = read_path(&a.data, a.data_format, opts).map_err(|e| Exit::input(e.to_string()))?;
    let format_used = match a.data_format {
        Format::Auto => {
            let head = std::fs::read_to_string(&a.data).unwrap_or_default();
            phiwall_eval::readers::detect(&a.data.display().to_string(), &head)
                .map_or(Format::Auto, |f| f)
        }
        f => f,
    };
    let docs_read = ds.docs.len();
    ds.filter(a.split);
    if ds.docs.is_empty() {
        return Err(Exit::input(format!(
            "{}: no documents in split {} (of {docs_read} read); try --split all",
            a.data.display(),
            split_name(a.split)
        )));
    }
    let preds: Vec<_> = ds.docs.par_iter().map(|d| scanner.scan(&d.text)).collect();
    let eval_opts = EvalOptions {
        mode: a.match_mode,
        max_listed: a.max_misses,
        is_text_shown: a.show_text,
        group_by: a.by,
    };
    let report = evaluate(&ds.docs, &preds, &eval_opts);
    let info = RunInfo {
        data: a.data.display().to_string(),
        format: format!("{format_used:?}").to_lowercase(),
        split: split_name(a.split).to_string(),
        docs_read,
        excluded_labels: ds.excluded_labels,
        warnings: ds.warnings,
    };
    let mut out = output::stdout();
    match a.format {
        ReportFormat::Text => {
            out.write_all(render_text(&report, &info).as_bytes()).context("writing the report")?
        }
        ReportFormat::Json => {
            let v = serde_json::json!({ "run": info, "report": report });
            serde_json::to_writer_pretty(&mut out, &v).context("writing the report")?;
            writeln!(out).context("writing the report")?;
        }
    }
    out.flush().context("writing the report")?;
    Ok(ExitCode::SUCCESS)
}

fn split_name(s: SplitFilter) -> &'static str {
    match s {
        SplitFilter::Dev => "dev",
        SplitFilter::Test => "test",
        SplitFilter::All => "all",
    }
}
