//! `phiwall eval phi`: run the scanner over a labelled data set and score it (precision,
//! recall, F1/F2 per type, redaction coverage, confusions, misses and false positives).
//!
//! Exit codes: 0 ran (and passed any `--fail-under-*` gate); 1 a gate failed; 2 usage error;
//! 3 input error.
//!
//! Text from the data set is printed only with `--show-text`, which is meant for public or
//! synthetic corpora (presidio-research, our generated transcripts, the deid surrogates); by
//! default misses and false positives are listed by document id and offsets.

use crate::output::{self, Exit};
use anyhow::Context;
use phiwall_eval::metrics::{GroupBy, MatchMode};
use phiwall_eval::predictions::read_predictions;
use phiwall_eval::report::{render_sweep, render_text, RunInfo, SweepRow};
use phiwall_eval::{evaluate, read_path, EvalOptions, Format, LabelOptions, SplitFilter};
use phiwall_scan::{Scanner, ScannerConfig, TaggerChoice};
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
    /// Data format: auto (from the first record), deid, presidio or jsonl.
    #[arg(long = "data-format", value_name = "FORMAT", default_value = "auto", value_parser = parse_format)]
    pub data_format: Format,
    /// Which split: dev (tune on it), test (report it) or all.
    #[arg(long, value_name = "SPLIT", default_value = "dev", value_parser = parse_split)]
    pub split: SplitFilter,
    /// Typed matching: overlap (same type, a shared character), exact (same bounds) or token.
    #[arg(long = "match", value_name = "MODE", default_value = "overlap", value_parser = parse_mode)]
    pub match_mode: MatchMode,
    /// Print the text of misses and false positives (public or synthetic data only).
    #[arg(long)]
    pub show_text: bool,
    /// How many misses and false positives to list.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub max_misses: usize,
    /// Add a per-group table: origin (name origin group, our corpus) or template.
    #[arg(long, value_name = "GROUP", value_parser = parse_group)]
    pub by: Option<GroupBy>,
    /// Score a year on its own as DATE (deid DateYear, presidio year-only DATE_TIME).
    #[arg(long)]
    pub count_years: bool,
    /// Score these findings (JSONL `{"id", "findings":[{"type","start","end"}]}`, code points)
    /// instead of running the scanner: compares another system on the same gold.
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,
    /// Run the scanner without the learned name and place tagger (rules only).
    #[arg(long, conflicts_with = "tagger_model")]
    pub no_tagger: bool,
    /// Run the scanner with this tagger model instead of the embedded one (`phiwall train
    /// tagger --out FILE`).
    #[arg(long, value_name = "FILE")]
    pub tagger_model: Option<PathBuf>,
    /// Keep only one fold (a or b) of the chosen split's patients or templates: measure a model
    /// trained with `phiwall train tagger --fold` on the other fold.
    #[arg(long, value_name = "FOLD", value_parser = parse_fold)]
    pub fold: Option<phiwall_eval::Fold>,
    /// Findings scoring below this are dropped by the scanner (not applied to --predictions).
    #[arg(long, value_name = "SCORE", default_value_t = 0.5)]
    pub min_score: f32,
    /// Report format.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: ReportFormat,
    /// Also score at min_score 0.3, 0.4, ..., 0.9 and print a threshold table (tune on dev).
    #[arg(long)]
    pub sweep: bool,
    /// Exit 1 when overall typed recall is below this (a CI gate), in [0, 1].
    #[arg(long, value_name = "R")]
    pub fail_under_recall: Option<f64>,
    /// Exit 1 when the share of gold spans fully hidden is below this, in [0, 1].
    #[arg(long, value_name = "H")]
    pub fail_under_hidden: Option<f64>,
    /// Also save the figures (date, data set, split, per-type and per-group scores; no text)
    /// as JSON in this directory, for `phiwall audit` (use <data-dir>/evals).
    #[arg(long, value_name = "DIR")]
    pub save_to: Option<PathBuf>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}
fn parse_split(s: &str) -> Result<SplitFilter, String> {
    s.parse()
}
fn parse_fold(s: &str) -> Result<phiwall_eval::Fold, String> {
    s.parse()
}
fn parse_mode(s: &str) -> Result<MatchMode, String> {
    s.parse()
}
fn parse_group(s: &str) -> Result<GroupBy, String> {
    s.parse()
}

/// The tagger the scanner runs: embedded, off, or a model file.
fn tagger_choice(a: &EvalPhiArgs) -> anyhow::Result<TaggerChoice> {
    if a.no_tagger {
        return Ok(TaggerChoice::Off);
    }
    let Some(path) = &a.tagger_model else { return Ok(TaggerChoice::Embedded) };
    let bytes = std::fs::read(path)
        .map_err(|e| Exit::input(format!("cannot read {}: {}", path.display(), e.kind())))?;
    let model = phiwall_scan::phi::tagger::Model::from_bytes(&bytes)
        .map_err(|e| Exit::input(format!("{}: {e}", path.display())))?;
    Ok(TaggerChoice::Model(std::sync::Arc::new(model)))
}

/// Run the evaluation.
pub fn run(a: EvalPhiArgs) -> anyhow::Result<ExitCode> {
    for (flag, bound) in
        [("--fail-under-recall", a.fail_under_recall), ("--fail-under-hidden", a.fail_under_hidden)]
    {
        if bound.is_some_and(|b| !(0.0..=1.0).contains(&b)) {
            return Err(Exit::usage(format!("{flag} must be between 0 and 1")));
        }
    }
    let tagger = tagger_choice(&a)?;
    let scanner = Scanner::new(ScannerConfig {
        min_score: a.min_score,
        tagger: tagger.clone(),
        ..ScannerConfig::default()
    })
    .map_err(|e| Exit::usage(format!("{e}; pass --min-score between 0 and 1")))?;
    let opts = LabelOptions { is_year_scored: a.count_years };
    let mut ds = read_path(&a.data, a.data_format, opts).map_err(|e| Exit::input(e.to_string()))?;
    let docs_read = ds.docs.len();
    ds.filter(a.split);
    if let Some(f) = a.fold {
        ds.docs.retain(|d| phiwall_eval::fold_of(d) == f);
    }
    if ds.docs.is_empty() {
        return Err(Exit::input(format!(
            "{}: no documents in split {} (of {docs_read} read); try --split all",
            a.data.display(),
            split_name(a.split)
        )));
    }
    let preds: Vec<_> = match &a.predictions {
        None => ds.docs.par_iter().map(|d| scanner.scan(&d.text)).collect(),
        Some(path) => {
            let data = std::fs::read_to_string(path)
                .map_err(|e| Exit::input(format!("cannot read {}: {e}", path.display())))?;
            let mut by_id = read_predictions(&data, &path.display().to_string())
                .map_err(|e| Exit::input(e.to_string()))?;
            let missing = ds.docs.iter().filter(|d| !by_id.contains_key(&d.id)).count();
            if missing == ds.docs.len() {
                return Err(Exit::input(format!(
                    "{}: no document id matches the data set (ids look like `{}`)",
                    path.display(),
                    ds.docs.first().map_or("", |d| d.id.as_str())
                )));
            }
            if missing > 0 {
                output::warn(&format!("{missing} documents have no line in the predictions file: scored as no findings"));
            }
            ds.docs.iter().map(|d| by_id.remove(&d.id).unwrap_or_default()).collect()
        }
    };
    let eval_opts = EvalOptions {
        mode: a.match_mode,
        max_listed: a.max_misses,
        is_text_shown: a.show_text,
        group_by: a.by,
    };
    let report = evaluate(&ds.docs, &preds, &eval_opts);
    let sweep = if a.sweep {
        sweep_rows(&ds.docs, &preds, a.predictions.is_some(), a.match_mode, &tagger)?
    } else {
        Vec::new()
    };
    let info = RunInfo {
        data: a.data.display().to_string(),
        format: ds.format.to_string(),
        split: split_name(a.split).to_string(),
        docs_read,
        excluded_labels: ds.excluded_labels,
        warnings: ds.warnings,
    };
    let mut out = output::stdout();
    match a.format {
        ReportFormat::Text => {
            out.write_all(render_text(&report, &info).as_bytes()).context("writing the report")?;
            if !sweep.is_empty() {
                out.write_all(format!("\n{}", render_sweep(&sweep)).as_bytes())
                    .context("writing the report")?;
            }
        }
        ReportFormat::Json => {
            let v = serde_json::json!({ "run": info, "report": report, "sweep": sweep });
            serde_json::to_writer_pretty(&mut out, &v).context("writing the report")?;
            writeln!(out).context("writing the report")?;
        }
    }
    out.flush().context("writing the report")?;
    drop(out);
    if let Some(dir) = &a.save_to {
        let mut settings = std::collections::BTreeMap::new();
        settings.insert("match".to_string(), a.match_mode.as_str().to_string());
        settings.insert("min_score".to_string(), a.min_score.to_string());
        settings.insert("predictions".to_string(), a.predictions.is_some().to_string());
        let saved = super::eval::saved(
            phiwall_eval::saved::SavedKind::Phi,
            &info.data,
            &info.split,
            settings,
        );
        let saved = phiwall_eval::saved::SavedEval {
            phi: Some(phiwall_eval::saved::SavedPhi::from_report(&report)),
            ..saved
        };
        super::eval::save(dir, &saved)?;
    }
    let gates = [
        ("overall recall", a.fail_under_recall, report.overall.recall),
        ("spans fully hidden", a.fail_under_hidden, report.redaction.span_hidden_recall),
    ];
    let mut is_failed = false;
    for (what, bound, value) in gates {
        let Some(bound) = bound else { continue };
        let value = value.unwrap_or(0.0);
        if value < bound {
            output::warn(&format!("{what} {value:.4} is below the required {bound:.4}"));
            is_failed = true;
        }
    }
    Ok(if is_failed { ExitCode::from(output::EXIT_CHECK_FAILED) } else { ExitCode::SUCCESS })
}

fn split_name(s: SplitFilter) -> &'static str {
    match s {
        SplitFilter::Dev => "dev",
        SplitFilter::Test => "test",
        SplitFilter::All => "all",
    }
}

/// Thresholds of `--sweep`.
const SWEEP: [f32; 7] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// Re-score at each threshold: re-scan (overlap resolution depends on which spans pass), or
/// filter external findings by their score.
fn sweep_rows(
    docs: &[phiwall_eval::GoldDoc],
    preds: &[Vec<phiwall_scan::Finding>],
    is_external: bool,
    mode: MatchMode,
    tagger: &TaggerChoice,
) -> anyhow::Result<Vec<SweepRow>> {
    let opts = EvalOptions { mode, max_listed: 0, is_text_shown: false, group_by: None };
    let mut rows = Vec::with_capacity(SWEEP.len());
    for t in SWEEP {
        let at_t: Vec<Vec<phiwall_scan::Finding>> = if is_external {
            preds.iter().map(|p| p.iter().filter(|f| f.score >= t).copied().collect()).collect()
        } else {
            let scanner = Scanner::new(ScannerConfig {
                min_score: t,
                tagger: tagger.clone(),
                ..ScannerConfig::default()
            })
            .map_err(|e| Exit::usage(e.to_string()))?;
            docs.par_iter().map(|d| scanner.scan(&d.text)).collect()
        };
        rows.push(SweepRow::new(t, &evaluate(docs, &at_t, &opts)));
    }
    Ok(rows)
}
