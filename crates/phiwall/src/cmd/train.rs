//! `phiwall train ...`: fit the models embedded in the binary from labelled public data.

use crate::output;
use anyhow::Context;
use phiwall_eval::injection::{data, train};
use std::path::PathBuf;
use std::process::ExitCode;

/// Models that can be trained.
#[derive(Debug, clap::Subcommand)]
pub enum TrainCommand {
    /// The prompt-injection classifier (hashed n-grams, logistic regression, adversarial
    /// augmentation). Reads only the train split; see docs/injection.md.
    Injection(TrainInjectionArgs),
}

/// Arguments of `phiwall train injection`.
#[derive(Debug, clap::Args)]
pub struct TrainInjectionArgs {
    /// The shared data directory (holds `injection/`).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Where to write the model file.
    #[arg(long, default_value = "crates/phiwall-scan/data/injection/model.bin")]
    pub out: PathBuf,
    /// Also write the calibrated dev model (fitted without the dev groups) here, for
    /// `phiwall eval injection --split dev --model`.
    #[arg(long)]
    pub dev_model: Option<PathBuf>,
    /// Seed for augmentation, synthetic attacks and shuffling.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Passes over the training set.
    #[arg(long, default_value_t = 6)]
    pub epochs: usize,
    /// AdaGrad base learning rate.
    #[arg(long, default_value_t = 0.2)]
    pub learning_rate: f32,
    /// L2 penalty.
    #[arg(long, default_value_t = 1e-6)]
    pub l2: f32,
    /// Loss weight of hard benign examples.
    #[arg(long, default_value_t = 6.0)]
    pub hard_negative_weight: f32,
    /// Models averaged into each fitted model (bagging; each bag redraws the augmentation).
    #[arg(long, default_value_t = train::TrainConfig::default().n_bags)]
    pub bags: usize,
    /// Synthetic attacks in 17 languages (round 5).
    #[arg(long, default_value_t = train::TrainConfig::default().n_multilingual_attacks)]
    pub multilingual_attacks: usize,
    /// Benign sentences with trigger words in the same 17 languages (round 5).
    #[arg(long, default_value_t = train::TrainConfig::default().n_multilingual_benign)]
    pub multilingual_benign: usize,
    /// Non-English patient and clinic messages with attack vocabulary (round 5b).
    #[arg(long, default_value_t = train::TrainConfig::default().n_multilingual_patients)]
    pub multilingual_patients: usize,
    /// Loss weight of those patient messages.
    #[arg(long, default_value_t = train::TrainConfig::default().multilingual_patient_weight)]
    pub multilingual_patient_weight: f32,
    /// Largest share of the calibration-only non-English patient sentences flagged after the
    /// bias shift (round 5b; 1.0 = no bound).
    #[arg(long, default_value_t = train::TrainConfig::default().target_multilingual_patient_fpr)]
    pub multilingual_patient_fpr: f64,
}

/// Run a training command.
pub fn run(c: TrainCommand) -> anyhow::Result<ExitCode> {
    match c {
        TrainCommand::Injection(a) => injection(a),
    }
}

fn injection(a: TrainInjectionArgs) -> anyhow::Result<ExitCode> {
    data::check_data_dir(&a.data).map_err(|e| {
        output::Exit::input(format!("{e}; pass --data pointing at the shared data directory"))
    })?;
    let corpus = data::load(&a.data).context("reading the injection datasets")?;
    output::status(&format!("read {} samples", corpus.samples.len()));
    let cfg = train::TrainConfig {
        seed: a.seed,
        epochs: a.epochs,
        learning_rate: a.learning_rate,
        l2: a.l2,
        hard_negative_weight: a.hard_negative_weight,
        n_bags: a.bags,
        n_multilingual_attacks: a.multilingual_attacks,
        n_multilingual_benign: a.multilingual_benign,
        n_multilingual_patients: a.multilingual_patients,
        multilingual_patient_weight: a.multilingual_patient_weight,
        target_multilingual_patient_fpr: a.multilingual_patient_fpr,
        ..train::TrainConfig::default()
    };
    let (model, report) = train::train(&corpus, &cfg).context("training the injection model")?;
    train::write_model(&model, &a.out).context("writing the model file")?;
    output::line(&format!(
        "trained injection model: {} attack and {} benign examples (after augmentation)",
        report.n_attack, report.n_benign
    ));
    output::line(&format!(
        "dev (model only): {} benign / {} attack prompts, AUC {:.4}, TPR@FPR<=0.01 {:.3}; bias shift {:.3} -> TPR {:.3} FPR {:.4} at 0.5",
        report.n_dev_benign, report.n_dev_attack, report.dev_auc, report.dev_tpr_at_1pct, report.bias_shift, report.dev_tpr, report.dev_fpr
    ));
    let fps: Vec<String> =
        report.dev_fp_by_dataset.iter().map(|(d, n, f)| format!("{d} {f}/{n}")).collect();
    output::line(&format!("dev false positives by dataset: {}", fps.join(", ")));
    let (t, tpr, nb, na) = report.dev_document_threshold;
    output::line(&format!(
        "dev documents: {nb} benign / {na} attack; threshold for FPR<=0.02: {t:.3} (TPR {tpr:.3}); compare InjectionConfig::document_threshold"
    ));
    let sigs: Vec<String> =
        report.dev_document_fp_signals.iter().map(|(s, n)| format!("{s} x{n}")).collect();
    output::line(&format!("dev benign documents >= 0.6, signals: {}", sigs.join("; ")));
    output::line(&format!("wrote {}", a.out.display()));
    if let Some(p) = &a.dev_model {
        std::fs::write(p, &report.dev_model)
            .map_err(|e| output::Exit::input(format!("writing the dev model: {}", e.kind())))?;
        output::line(&format!("wrote dev model {}", p.display()));
    }
    Ok(ExitCode::SUCCESS)
}
