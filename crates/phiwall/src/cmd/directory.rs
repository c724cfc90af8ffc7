//! `phiwall directory ...`: build the patient directory (issue 5) from FHIR R4 Patient and
//! RelatedPerson resources, generate synthetic FHIR bundles, and measure identity-matching
//! quality on generated claimed-identity utterances.
//!
//! `import` writes only keyed hashes (see crates/phiwall-identity); the directory key is passed
//! by reference (`env:VAR` or `file:PATH`) and is needed again to load the directory. Errors
//! name files, line or entry numbers and fields, never values.

use crate::output::{self, Exit};
use crate::secret;
use anyhow::Context;
use phiwall_identity::synth::{self, evaluate, evaluate_with, render_text, EvalCounts};
use phiwall_identity::{
    extract_claims, fhir, Directory, DirectoryKey, Factor, FactorGroup, LimiterConfig, ManualClock,
    VerificationPolicy, Verifier,
};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Directory commands.
#[derive(Debug, clap::Subcommand)]
pub enum DirectoryCommand {
    /// Hash FHIR Patient/RelatedPerson resources (Bundle JSON or NDJSON) into a directory file.
    Import(ImportArgs),
    /// Write a synthetic FHIR R4 Bundle of fictional patients and representatives.
    Generate(GenerateArgs),
    /// Measure false-accept and false-reject rates of caller verification on generated callers.
    Eval(EvalArgs),
}

/// Arguments of `phiwall directory import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// FHIR input files: a Bundle, a single resource, or NDJSON bulk export.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// Directory key (at least 32 bytes; 64 hex characters decode to 32): env:VAR or file:PATH.
    #[arg(long, value_name = "REF")]
    pub key: String,
    /// Output file for the hashed directory (written owner-only).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Arguments of `phiwall directory generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Number of patients.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub patients: usize,
    /// Seed: the same seed always gives the same bundle.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Output file (`-` for stdout).
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
}

/// Arguments of `phiwall directory eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Patients in the generated directory.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub patients: usize,
    /// Callers of each kind (true, name + one fact impostor, name + DOB impostor).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub per_kind: usize,
    /// Seed.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Also run assist mode: render each claim as a caller turn, extract with the PHI scanner,
    /// then match (slower).
    #[arg(long)]
    pub text: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Run a directory command.
pub fn run(c: DirectoryCommand) -> anyhow::Result<ExitCode> {
    match c {
        DirectoryCommand::Import(a) => import(a),
        DirectoryCommand::Generate(a) => generate(a),
        DirectoryCommand::Eval(a) => eval(a),
    }
}

fn import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let key = DirectoryKey::new(secret::resolve_key(&a.key)?).map_err(|e| {
        Exit::usage(format!("{e}; generate one with `head -c 32 /dev/urandom | xxd -p -c 64`"))
    })?;
    let mut all = fhir::FhirInput::default();
    for path in &a.inputs {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Exit::input(format!("cannot read {}: {e}", path.display())))?;
        let input =
            fhir::read(&text).map_err(|e| Exit::input(format!("{}: {e}", path.display())))?;
        all.patients.extend(input.patients);
        all.related.extend(input.related);
        all.skipped += input.skipped;
    }
    let dir = Directory::build(key, &all);
    secret::write_private(&a.out, &dir.to_json())
        .map_err(|e| Exit::input(format!("cannot write {}: {e}", a.out.display())))?;
    output::status(&format!(
        "directory: {} patients, {} related persons, {} other resources skipped -> {}",
        dir.patients().len(),
        dir.representatives().len(),
        all.skipped,
        a.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn generate(a: GenerateArgs) -> anyhow::Result<ExitCode> {
    let pop = synth::population(a.patients, a.seed);
    let text = serde_json::to_string_pretty(&pop.bundle).context("encoding the bundle")?;
    if a.out.as_os_str() == "-" {
        output::line(&text);
    } else {
        std::fs::write(&a.out, text + "\n")
            .map_err(|e| Exit::input(format!("cannot write {}: {e}", a.out.display())))?;
        output::status(&format!("wrote {} patients to {}", a.patients, a.out.display()));
    }
    Ok(ExitCode::SUCCESS)
}

fn strict_policy() -> VerificationPolicy {
    VerificationPolicy {
        groups: vec![
            FactorGroup { factors: vec![Factor::Name], min: 1 },
            FactorGroup { factors: vec![Factor::BirthDate], min: 1 },
            FactorGroup {
                factors: vec![Factor::MemberId, Factor::Mrn, Factor::Phone, Factor::SsnLast4],
                min: 1,
            },
        ],
        ..VerificationPolicy::default()
    }
}

fn eval(a: EvalArgs) -> anyhow::Result<ExitCode> {
    // A fixed evaluation key: the figures do not depend on it, and no real data is involved.
    let key = DirectoryKey::new(vec![0x42; 32]).map_err(|e| Exit::usage(e.to_string()))?;
    let pop = synth::population(a.patients, a.seed);
    let input = synth::to_input(&pop);
    let dir = Arc::new(Directory::build(key, &input));
    let utts = synth::utterances(&pop, a.per_kind, a.seed);
    // 2026-11-29: the two-digit-year pivot is the clock's year.
    let clock = || Box::new(ManualClock::new(1_795_900_000));
    let mut rows: Vec<(&str, EvalCounts)> = Vec::new();
    for (label, policy) in
        [("default", VerificationPolicy::default()), ("strict (no zip)", strict_policy())]
    {
        let v = Verifier::new(dir.clone(), policy, LimiterConfig::default(), clock())
            .map_err(|e| Exit::usage(e.to_string()))?;
        rows.push((label, evaluate(&v, &input.patients, &utts)));
    }
    if a.text {
        let scanner = phiwall_scan::Scanner::new(phiwall_scan::ScannerConfig::default())
            .map_err(|e| Exit::usage(e.to_string()))?;
        let v = Verifier::new(
            dir.clone(),
            VerificationPolicy::default(),
            LimiterConfig::default(),
            clock(),
        )
        .map_err(|e| Exit::usage(e.to_string()))?;
        let counts = evaluate_with(&v, &input.patients, &utts, |u| {
            extract_claims(&scanner, &render_text(&u.claims))
        });
        rows.push(("default, assist mode (text)", counts));
    }
    if a.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(label, c)| {
                serde_json::json!({
                    "policy": label, "counts": c,
                    "false_reject_rate": c.false_reject_rate(),
                    "false_accept_rate_name_one_fact": c.far_name_one_fact(),
                    "false_accept_rate_name_dob": c.far_name_dob(),
                })
            })
            .collect();
        output::line(&serde_json::to_string_pretty(&v).context("encoding the report")?);
        return Ok(ExitCode::SUCCESS);
    }
    output::line(&format!(
        "identity matching: {} patients, {} callers of each kind, seed {}",
        a.patients, a.per_kind, a.seed
    ));
    output::line(&format!(
        "{:<28} {:>14} {:>22} {:>18} {:>14}",
        "policy", "FRR true", "FAR name+1 fact", "FAR name+DOB", "misattributed"
    ));
    for (label, c) in &rows {
        output::line(&format!(
            "{:<28} {:>5}/{:<5} {:>5.2}% {:>5}/{:<5} {:>7.3}% {:>4}/{:<5} {:>5.2}% {:>14}",
            label,
            c.true_callers - c.true_accepted,
            c.true_callers,
            100.0 * c.false_reject_rate(),
            c.name_one_fact_accepted,
            c.name_one_fact,
            100.0 * c.far_name_one_fact(),
            c.name_dob_accepted,
            c.name_dob,
            100.0 * c.far_name_dob(),
            c.true_misattributed
        ));
    }
    Ok(ExitCode::SUCCESS)
}
