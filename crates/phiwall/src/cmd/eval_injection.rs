//! `phiwall eval injection`: held-out quality, robustness and latency of the prompt-injection
//! detector (issue 3). Prints ids of misses and false positives; text only with `--show-text`.

use crate::output;
use anyhow::Context;
use phiwall_eval::injection::data;
use phiwall_eval::injection::eval::{self, EvalSplit, Rate};
use phiwall_scan::{InjectionConfig, InjectionDetector};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Which split to report.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SplitArg {
    /// Held-out groups (every published figure).
    Test,
    /// Dev: one third of the train groups, for tuning. Needs `--model` with the dev model
    /// (`phiwall train injection --dev-model`), since the shipped model was fitted on dev.
    Dev,
    /// Training groups (sanity check only).
    Train,
}

/// Arguments of `phiwall eval injection`.
#[derive(Debug, clap::Args)]
pub struct EvalInjectionArgs {
    /// The shared data directory (holds `injection/`).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Split to evaluate.
    #[arg(long, value_enum, default_value_t = SplitArg::Test)]
    pub split: SplitArg,
    /// Prompt threshold (default: the shipped default).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Document threshold (default: the shipped default).
    #[arg(long)]
    pub document_threshold: Option<f32>,
    /// Also print the first 160 characters of each miss and false positive.
    #[arg(long)]
    pub show_text: bool,
    /// Model file to evaluate instead of the embedded one (e.g. the dev model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Seed for the robustness obfuscations.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Also save the figures (date, data set, split, per-family and per-language rates; no
    /// text) as JSON in this directory, for `phiwall audit` (use <data-dir>/evals).
    #[arg(long, value_name = "DIR")]
    pub save_to: Option<PathBuf>,
}

fn pct(r: &Rate) -> String {
    format!("{:>6.3} ({}/{})", r.rate(), r.flagged, r.n)
}

/// Run the evaluation.
pub fn run(a: EvalInjectionArgs) -> anyhow::Result<ExitCode> {
    data::check_data_dir(&a.data).map_err(|e| {
        output::Exit::input(format!("{e}; pass --data pointing at the shared data directory"))
    })?;
    let corpus = data::load(&a.data).context("reading the injection datasets")?;
    let mut cfg = InjectionConfig::default();
    if let Some(t) = a.threshold {
        cfg.threshold = t;
    }
    if let Some(t) = a.document_threshold {
        cfg.document_threshold = t;
    }
    let split = match a.split {
        SplitArg::Test => EvalSplit::Test,
        SplitArg::Dev => EvalSplit::Dev,
        SplitArg::Train => EvalSplit::Train,
    };
    let det = match &a.model {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                output::Exit::input(format!("reading the model file: {}", e.kind()))
            })?;
            InjectionDetector::with_model_bytes(cfg.clone(), &bytes)
                .map_err(|e| output::Exit::input(e.to_string()))?
        }
        None if split == EvalSplit::Dev => {
            return Err(output::Exit::usage(
                "the embedded model was fitted on dev; pass --model with the file written by \
                 `phiwall train injection --dev-model`",
            ));
        }
        None => {
            InjectionDetector::new(cfg.clone()).map_err(|e| output::Exit::usage(e.to_string()))?
        }
    };
    let r = eval::evaluate_split(&corpus, &det, split, a.seed);
    let mut out = output::stdout();
    let w = &mut out;
    writeln!(
        w,
        "# phiwall eval injection (split {:?}, threshold {}, document threshold {})",
        split, cfg.threshold, cfg.document_threshold
    )?;
    writeln!(w, "\n## attack families: TPR")?;
    for (f, rate) in &r.attack_families {
        writeln!(w, "{f:<44} {}", pct(rate))?;
    }
    writeln!(w, "\n## benign families: FPR")?;
    for (f, rate) in &r.benign_families {
        writeln!(w, "{f:<44} {}", pct(rate))?;
    }
    writeln!(w, "\n## combined")?;
    writeln!(w, "attack prompts TPR                           {}", pct(&r.attack_prompts))?;
    writeln!(
        w,
        "  without context-dependent (CSE logic)      {}",
        pct(&r.attack_prompts_standalone)
    )?;
    writeln!(w, "benign prompts FPR                           {}", pct(&r.benign_prompts))?;
    writeln!(w, "attack documents TPR                         {}", pct(&r.attack_documents))?;
    writeln!(w, "benign documents FPR                         {}", pct(&r.benign_documents))?;
    writeln!(w, "harmful (not injection) flagged, info only   {}", pct(&r.harmful))?;
    writeln!(w, "prompt ROC AUC                               {:.4}", r.prompt_auc)?;
    writeln!(w, "document ROC AUC                             {:.4}", r.document_auc)?;
    writeln!(
        w,
        "prompt TPR at FPR<=0.01                      {:.3} (threshold {:.4})",
        r.tpr_at_fpr_1pct.0, r.tpr_at_fpr_1pct.1
    )?;
    writeln!(
        w,
        "  without context-dependent (CSE logic)      {:.3} (threshold {:.4})",
        r.tpr_at_fpr_1pct_standalone.0, r.tpr_at_fpr_1pct_standalone.1
    )?;
    writeln!(w, "\n## multilingual CyberSecEval: TPR {}", pct(&r.multilingual))?;
    for (l, rate) in &r.multilingual_by_language {
        writeln!(w, "{l:<44} {}", pct(rate))?;
    }
    if !r.benign_by_language.is_empty() {
        writeln!(w, "\n## benign prompts by language (held-out multilingual questions): FPR")?;
        for (l, rate) in &r.benign_by_language {
            writeln!(w, "{l:<44} {}", pct(rate))?;
        }
    }
    writeln!(w, "\n## robustness (same held-out English attack prompts)")?;
    writeln!(w, "{:<20} {:>22} {:>8}", "obfuscation", "detection", "vs plain")?;
    writeln!(w, "{:<20} {:>22} {:>8.3}", "plain", pct(&r.robust_plain), 1.0)?;
    for row in &r.robustness {
        writeln!(w, "{:<20} {:>22} {:>8.3}", row.obfuscation, pct(&row.rate), row.ratio)?;
    }
    let (p50, p99, max, n) = r.latency_us;
    writeln!(w, "\n## latency per 2 KB prompt, one thread, min of 5 runs ({n} prompts): p50 {p50:.1} us, p99 {p99:.1} us, max {max:.1} us")?;
    for (id, us) in &r.slowest {
        writeln!(w, "slow: {id} {us:.1} us")?;
    }
    let texts: HashMap<&str, &str> = if a.show_text {
        corpus.samples.iter().map(|s| (s.id.as_str(), s.text.as_str())).collect()
    } else {
        HashMap::new()
    };
    let show = |id: &str| -> String {
        texts.get(id).map_or(String::new(), |t| {
            let one_line: String =
                t.chars().take(160).map(|c| if c.is_control() { ' ' } else { c }).collect();
            format!("  | {one_line}")
        })
    };
    writeln!(w, "\n## misses ({})", r.misses.len())?;
    for (id, s, sig) in &r.misses {
        writeln!(w, "{id} {s:.3} [{sig}]{}", show(id))?;
    }
    writeln!(w, "\n## false positives ({})", r.false_positives.len())?;
    for (id, s, sig) in &r.false_positives {
        writeln!(w, "{id} {s:.3} [{sig}]{}", show(id))?;
    }
    w.flush()?;
    drop(out);
    if let Some(dir) = &a.save_to {
        let mut settings = std::collections::BTreeMap::new();
        settings.insert("threshold".to_string(), cfg.threshold.to_string());
        settings.insert("document_threshold".to_string(), cfg.document_threshold.to_string());
        settings.insert(
            "model".to_string(),
            a.model.as_ref().map_or("embedded".to_string(), |m| m.display().to_string()),
        );
        settings.insert("seed".to_string(), a.seed.to_string());
        let split_name = match split {
            EvalSplit::Test => "test",
            EvalSplit::Dev => "dev",
            EvalSplit::Train => "train",
        };
        let saved = super::eval::saved(
            phiwall_eval::saved::SavedKind::Injection,
            &a.data.display().to_string(),
            split_name,
            settings,
        );
        let saved = phiwall_eval::saved::SavedEval {
            injection: Some(phiwall_eval::saved::SavedInjection::from_report(&r)),
            ..saved
        };
        super::eval::save(dir, &saved)?;
    }
    Ok(ExitCode::SUCCESS)
}
