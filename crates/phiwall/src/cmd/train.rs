//! `phiwall train ...`: fit the models embedded in the binary from labelled public data.

use crate::output;
use anyhow::Context;
use phiwall_eval::injection::{data, train};
use phiwall_eval::tagger;
use std::path::PathBuf;
use std::process::ExitCode;

/// Models that can be trained.
#[derive(Debug, clap::Subcommand)]
pub enum TrainCommand {
    /// The prompt-injection classifier (hashed n-grams, logistic regression, adversarial
    /// augmentation). Reads only the train split; see docs/injection.md.
    Injection(TrainInjectionArgs),
    /// The learned name and place tagger run beside the PHI rules (hashed token features,
    /// logistic regression). Reads only the dev splits; see docs/eval-phi.md "Learned tagger".
    Tagger(TrainTaggerArgs),
}

/// Arguments of `phiwall train tagger`.
#[derive(Debug, clap::Args)]
pub struct TrainTaggerArgs {
    /// The shared data directory (holds `phi/` and `injection/MedQuAD/`).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Where to write the model file.
    #[arg(long, default_value = "crates/phiwall-scan/data/names/tagger.bin")]
    pub out: PathBuf,
    /// Train on one fold of the dev documents only (a or b), to measure on the other with
    /// `phiwall eval phi --fold`. Thresholds are still chosen by the two-fold search.
    #[arg(long, value_parser = parse_fold)]
    pub fold: Option<phiwall_eval::Fold>,
    /// Seed for shuffling and the generated transcripts.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Passes over the training tokens.
    #[arg(long, default_value_t = tagger::TaggerTrainConfig::default().epochs)]
    pub epochs: usize,
    /// AdaGrad base learning rate.
    #[arg(long, default_value_t = tagger::TaggerTrainConfig::default().learning_rate)]
    pub learning_rate: f32,
    /// Generated transcripts drawn (dev templates kept).
    #[arg(long, default_value_t = tagger::TaggerTrainConfig::default().transcripts)]
    pub transcripts: usize,
    /// Loss weight of NAME and PLACE tokens.
    #[arg(long, default_value_t = tagger::TaggerTrainConfig::default().positive_weight)]
    pub positive_weight: f32,
    /// Loss weight of clinical-note (deid) tokens.
    #[arg(long, default_value_t = tagger::TaggerTrainConfig::default().note_weight)]
    pub note_weight: f32,
    /// Write these emission thresholds (NAME,PLACE) instead of the searched ones (experiments).
    #[arg(long, value_delimiter = ',')]
    pub thresholds: Option<Vec<f32>>,
    /// Largest precision loss per type a threshold may cost against the rules alone.
    #[arg(long, default_value_t = tagger::TaggerTrainConfig::default().max_precision_loss)]
    pub max_precision_loss: f64,
}

fn parse_fold(s: &str) -> Result<phiwall_eval::Fold, String> {
    s.parse()
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
    /// Rectified hidden units beside the linear part per bag (round 6); 0 = linear model.
    #[arg(long, default_value_t = train::TrainConfig::default().hidden_units)]
    pub hidden_units: usize,
    /// AdaGrad base learning rate when there is a hidden layer.
    #[arg(long, default_value_t = train::TrainConfig::default().hidden_learning_rate)]
    pub hidden_learning_rate: f32,
    /// Examples per gradient step when there is a hidden layer.
    #[arg(long, default_value_t = train::TrainConfig::default().batch_size)]
    pub batch_size: usize,
    /// Caller turns that spell a word letter by letter, as hard negatives (round 6b).
    #[arg(long, default_value_t = train::TrainConfig::default().n_spelled_benign)]
    pub spelled_benign: usize,
    /// Attacks that spell an instruction letter by letter (round 6b).
    #[arg(long, default_value_t = train::TrainConfig::default().n_spelled_attacks)]
    pub spelled_attacks: usize,
    /// Clinic-shaped attacks: documents addressing the model, callers claiming authority
    /// (session 11).
    #[arg(long, default_value_t = train::TrainConfig::default().n_clinic_attacks)]
    pub clinic_attacks: usize,
    /// Clinic texts sharing those words, as hard negatives (session 11).
    #[arg(long, default_value_t = train::TrainConfig::default().n_clinic_benign)]
    pub clinic_benign: usize,
    /// Clinic-shaped attacks in nine other languages (session 12).
    #[arg(long, default_value_t = train::TrainConfig::default().n_clinic_ml_attacks)]
    pub clinic_ml_attacks: usize,
    /// Their benign look-alikes, as hard negatives (session 12).
    #[arg(long, default_value_t = train::TrainConfig::default().n_clinic_ml_benign)]
    pub clinic_ml_benign: usize,
    /// Patients quoting paperwork and identifier-only replies, as hard negatives (session 13;
    /// off by default, see docs/injection.md).
    #[arg(long, default_value_t = train::TrainConfig::default().n_paperwork_benign)]
    pub paperwork_benign: usize,
    /// Clinic attack tactics: setting changes, other patients, omissions, emergencies,
    /// personas, drills, faxes; English, Spanish, Vietnamese, Chinese (session 15).
    #[arg(long, default_value_t = train::TrainConfig::default().n_tactic_attacks)]
    pub tactic_attacks: usize,
    /// Their benign twins, at --clinic-benign-weight (session 15).
    #[arg(long, default_value_t = train::TrainConfig::default().n_tactic_benign)]
    pub tactic_benign: usize,
    /// Benign clinic texts from the PHI transcript generator, at --clinic-benign-weight
    /// (session 15).
    #[arg(long, default_value_t = train::TrainConfig::default().n_domain_benign)]
    pub domain_benign: usize,
    /// Benign turns with attack-associated words in their everyday sense ("I'm on the computer
    /// right now"), at --clinic-benign-weight (session 16).
    #[arg(long, default_value_t = train::TrainConfig::default().n_everyday_words)]
    pub everyday_words: usize,
    /// Pretexted disclosure of another person's record and covert record edits (session 17).
    #[arg(long, default_value_t = train::TrainConfig::default().n_pretext_attacks)]
    pub pretext_attacks: usize,
    /// Their benign twins, at --clinic-benign-weight (session 17).
    #[arg(long, default_value_t = train::TrainConfig::default().n_pretext_benign)]
    pub pretext_benign: usize,
    /// Loss weight of the tactics' benign twins and the generator's clinic texts (session 15).
    #[arg(long, default_value_t = train::TrainConfig::default().clinic_benign_weight)]
    pub clinic_benign_weight: f32,
}

/// Run a training command.
pub fn run(c: TrainCommand) -> anyhow::Result<ExitCode> {
    match c {
        TrainCommand::Injection(a) => injection(a),
        TrainCommand::Tagger(a) => train_tagger(a),
    }
}

fn train_tagger(a: TrainTaggerArgs) -> anyhow::Result<ExitCode> {
    let cfg = tagger::TaggerTrainConfig {
        seed: a.seed,
        epochs: a.epochs,
        learning_rate: a.learning_rate,
        transcripts: a.transcripts,
        max_precision_loss: a.max_precision_loss,
        positive_weight: a.positive_weight,
        note_weight: a.note_weight,
        ..tagger::TaggerTrainConfig::default()
    };
    let mut sources = tagger::load_sources(&a.data, &cfg).map_err(|e| {
        output::Exit::input(format!("{e}; pass --data pointing at the shared data directory"))
    })?;
    let counts: Vec<String> =
        sources.iter().map(|s| format!("{} {}", s.name, s.docs.len())).collect();
    output::status(&format!("dev documents: {}", counts.join(", ")));
    let (model, report) = tagger::train(&sources, &cfg).context("training the tagger")?;
    let pct = |x: f64| 100.0 * x;
    let ((rn_r, rn_p), (ra_r, ra_p)) = report.rules_only;
    output::line(&format!(
        "held-out dev folds, rules only: NAME R {:.1} P {:.1}; ADDRESS R {:.1} P {:.1}",
        pct(rn_r),
        pct(rn_p),
        pct(ra_r),
        pct(ra_p)
    ));
    for (label, rows) in [("NAME", &report.name_rows), ("ADDRESS", &report.place_rows)] {
        for r in rows.iter() {
            output::line(&format!(
                "  {label} threshold {:.2}: R {:.1} P {:.1}",
                r.threshold,
                pct(r.scores.0),
                pct(r.scores.1)
            ));
        }
    }
    let ((or_r, or_p), (ot_r, ot_p)) = report.overall;
    output::line(&format!(
        "chosen thresholds NAME {:.2} PLACE {:.2}; held-out overall R {:.1} -> {:.1}, P {:.1} -> {:.1}",
        report.thresholds[0],
        report.thresholds[1],
        pct(or_r),
        pct(ot_r),
        pct(or_p),
        pct(ot_p)
    ));
    let thresholds = match a.thresholds.as_deref() {
        Some(&[n, p]) => [n, p],
        None => report.thresholds,
        Some(_) => return Err(output::Exit::usage("--thresholds takes two numbers: NAME,PLACE")),
    };
    let model = match a.fold {
        None => {
            model.with_thresholds(thresholds).map_err(|e| output::Exit::usage(e.to_string()))?
        }
        Some(f) => {
            for s in &mut sources {
                s.docs.retain(|d| phiwall_eval::fold_of(d) == f);
            }
            let docs: Vec<&phiwall_eval::GoldDoc> = sources.iter().flat_map(|s| &s.docs).collect();
            tagger::fit(&docs, &cfg, thresholds).context("fitting the fold model")?.0
        }
    };
    let c = &report.counts;
    output::line(&format!(
        "final fit tokens: none {}, NAME {}, PLACE {}, skipped {}",
        c.by_class[0], c.by_class[1], c.by_class[2], c.skipped
    ));
    std::fs::write(&a.out, model.to_bytes())
        .map_err(|e| output::Exit::input(format!("writing {}: {}", a.out.display(), e.kind())))?;
    output::line(&format!("wrote {}", a.out.display()));
    Ok(ExitCode::SUCCESS)
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
        hidden_units: a.hidden_units,
        hidden_learning_rate: a.hidden_learning_rate,
        batch_size: a.batch_size,
        n_spelled_benign: a.spelled_benign,
        n_spelled_attacks: a.spelled_attacks,
        n_clinic_attacks: a.clinic_attacks,
        n_clinic_benign: a.clinic_benign,
        n_clinic_ml_attacks: a.clinic_ml_attacks,
        n_clinic_ml_benign: a.clinic_ml_benign,
        n_paperwork_benign: a.paperwork_benign,
        n_tactic_attacks: a.tactic_attacks,
        n_tactic_benign: a.tactic_benign,
        n_domain_benign: a.domain_benign,
        n_everyday_words: a.everyday_words,
        n_pretext_attacks: a.pretext_attacks,
        n_pretext_benign: a.pretext_benign,
        clinic_benign_weight: a.clinic_benign_weight,
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
