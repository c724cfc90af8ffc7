//! The `phiwall` binary: a thin layer over the library crates. Every subcommand lives in
//! `cmd/`; all user-facing output goes through `output`.
//!
//! Exit codes (also in docs/cli.md): 0 success; 1 the command ran and its check failed (for
//! example `log verify` found tampering, or `scan --fail-on-phi` found PHI); 2 usage or
//! configuration error; 3 input error (unreadable file, invalid UTF-8, malformed JSONL line when
//! stopping on errors).

mod cmd;

use phiwall::{input, output, secret};

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// phiwall: find and redact PHI, detect prompt attacks, and guard AI traffic in healthcare.
#[derive(Debug, Parser)]
#[command(name = "phiwall", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find PHI in text files or stdin and print the findings.
    Scan(cmd::scan::ScanArgs),
    /// Redact PHI in text files or stdin (mask, pseudonymize or tokenize).
    Redact(cmd::redact::RedactArgs),
    /// Measure detection quality on labelled data.
    #[command(subcommand)]
    Eval(cmd::eval::EvalCommand),
    /// Train the embedded models from labelled data.
    #[command(subcommand)]
    Train(cmd::train::TrainCommand),
    /// Measure throughput and latency.
    #[command(subcommand)]
    Bench(cmd::bench::BenchCommand),
    /// Generate synthetic corpora for tests, evaluation and demos.
    #[command(subcommand)]
    Generate(cmd::generate::GenerateCommand),
    /// Read, verify, prove and export the tamper-evident audit ledger.
    #[command(subcommand)]
    Log(cmd::log::LogCommand),
    /// Run the OpenAI-compatible gateway (loopback and a simulated model without --config).
    Serve(cmd::serve::ServeArgs),
    /// Create, list, revoke and rotate gateway API keys.
    #[command(subcommand)]
    Keys(cmd::keys::KeysCommand),
    /// Incidents: list, show, assign, note, contain, recover, close, report (issue 8).
    Incidents(cmd::incidents::IncidentArgs),
    /// Report the encryption posture: ledger at rest, key files, key ages, config secrets.
    Posture(cmd::posture::PostureArgs),
    /// Audit against HIPAA, OWASP LLM Top 10 2025, NIST AI RMF and CSF 2.0 with evidence.
    Audit(cmd::audit::AuditArgs),
    /// Build the patient directory from FHIR, generate synthetic bundles, measure matching.
    #[command(subcommand)]
    Directory(cmd::directory::DirectoryCommand),
    /// Cluster mode: replicas, their heartbeats and policy fingerprints.
    #[command(subcommand)]
    Cluster(cmd::cluster::ClusterCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(a) => cmd::scan::run(a),
        Command::Redact(a) => cmd::redact::run(a),
        Command::Eval(c) => cmd::eval::run(c),
        Command::Train(c) => cmd::train::run(c),
        Command::Bench(c) => cmd::bench::run(c),
        Command::Generate(c) => cmd::generate::run(c),
        Command::Log(c) => cmd::log::run(c),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Keys(c) => cmd::keys::run(c),
        Command::Posture(a) => cmd::posture::run(a),
        Command::Incidents(a) => cmd::incidents::run(a),
        Command::Directory(c) => cmd::directory::run(c),
        Command::Audit(a) => cmd::audit::run(a),
        Command::Cluster(c) => cmd::cluster::run(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => output::report_error(&e),
    }
}
