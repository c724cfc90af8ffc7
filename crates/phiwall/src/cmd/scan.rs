//! `phiwall scan`: find PHI and print findings (offsets, types, scores; text only on request).

use super::pipeline::{self, InputArgs};
use crate::output;
use anyhow::Context;
use phiwall_scan::{
    Finding, InjectionConfig, InjectionDetector, PhiType, Scanner, ScannerConfig, TaggerChoice,
};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `phiwall scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Scanner options.
    #[command(flatten)]
    pub scanner: ScannerArgs,
    /// Plain-text mode: also print the matched text (it is PHI: only for your own terminal).
    #[arg(long)]
    pub show_text: bool,
    /// Exit with code 1 when any PHI is found (for pre-commit hooks and CI gates).
    #[arg(long)]
    pub fail_on_phi: bool,
    /// Skip the prompt-injection check (JSONL output then has no "injection" field).
    #[arg(long)]
    pub no_injection: bool,
    /// Injection score at or above which a text is flagged (default: the shipped threshold).
    #[arg(long)]
    pub injection_threshold: Option<f32>,
    /// Scan as retrieved or tool-returned content (indirect injection) with the document threshold.
    #[arg(long)]
    pub document: bool,
    /// Injection model file to use instead of the embedded one (written by
    /// `phiwall train injection`), e.g. to try a retrained model before shipping it.
    #[arg(long, value_name = "FILE")]
    pub injection_model: Option<std::path::PathBuf>,
}

/// Options that build the scanner.
#[derive(Debug, Clone, clap::Args)]
pub struct ScannerArgs {
    /// Only report these types (comma-separated, e.g. NAME,SSN).
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<PhiType>,
    /// Drop findings scoring below this.
    #[arg(long, default_value_t = 0.5)]
    pub min_score: f32,
    /// Do not scan the spoken-form view (speech-to-text numbers, spelled letters).
    #[arg(long)]
    pub no_spoken: bool,
    /// Rules only: do not run the learned name and place tagger.
    #[arg(long)]
    pub no_tagger: bool,
}

impl ScannerArgs {
    /// Build the scanner.
    pub fn build(&self) -> anyhow::Result<Scanner> {
        Scanner::new(ScannerConfig {
            types: self.types.clone(),
            min_score: self.min_score,
            is_spoken_forms_enabled: !self.no_spoken,
            tagger: if self.no_tagger { TaggerChoice::Off } else { TaggerChoice::Embedded },
        })
        .map_err(|e| output::Exit::usage(e.to_string()))
    }
}

/// JSON for findings: `[{"type","start","end","score"}]`.
pub fn findings_json(findings: &[Finding]) -> Value {
    Value::Array(
        findings
            .iter()
            .map(|f| json!({"type": f.kind, "start": f.start, "end": f.end, "score": round3(f.score)}))
            .collect(),
    )
}

/// Build the injection detector from the CLI threshold options.
fn injection_detector(a: &ScanArgs) -> anyhow::Result<InjectionDetector> {
    let mut config = InjectionConfig::default();
    if let Some(t) = a.injection_threshold {
        if a.document {
            config.document_threshold = t;
        } else {
            config.threshold = t;
        }
    }
    match &a.injection_model {
        None => InjectionDetector::new(config).map_err(|e| output::Exit::usage(e.to_string())),
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                output::Exit::input(format!("reading {}: {}", path.display(), e.kind()))
            })?;
            InjectionDetector::with_model_bytes(config, &bytes)
                .map_err(|e| output::Exit::input(format!("{}: {e}", path.display())))
        }
    }
}

/// JSON for an injection verdict: `{"score","flagged","signals"}` (signals never carry text).
pub fn injection_json(r: &phiwall_scan::InjectionResult) -> Value {
    json!({"score": round3(r.score), "flagged": r.flagged, "signals": r.signals})
}

fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

/// Run `phiwall scan`.
pub fn run(a: ScanArgs) -> anyhow::Result<ExitCode> {
    let scanner = a.scanner.build()?;
    let injection = if a.no_injection { None } else { Some(injection_detector(&a)?) };
    let found = if a.input.jsonl {
        let sum = pipeline::run_jsonl(&a.input, |r| {
            let f = scanner.scan(&r.text);
            let mut m = serde_json::Map::new();
            m.insert("phi".into(), findings_json(&f));
            if let Some(d) = &injection {
                let res = if a.document { d.scan_document(&r.text) } else { d.scan(&r.text) };
                m.insert("injection".into(), injection_json(&res));
            }
            (m, f.len() as u64)
        })?;
        sum.findings
    } else {
        let mut out = output::stdout();
        let mut total = 0u64;
        for (name, text) in pipeline::read_docs(&a.input)? {
            if let Some(d) = &injection {
                let res = if a.document { d.scan_document(&text) } else { d.scan(&text) };
                let signals =
                    serde_json::to_string(&res.signals).context("cannot encode signals")?;
                writeln!(
                    out,
                    "{name}\tINJECTION\tscore={:.3}\tflagged={}\tsignals={signals}",
                    res.score, res.flagged
                )
                .context("cannot write output")?;
            }
            let findings = scanner.scan(&text);
            total += findings.len() as u64;
            let chars: Vec<char> = if a.show_text { text.chars().collect() } else { Vec::new() };
            for f in &findings {
                write!(
                    out,
                    "{name}:{}-{}\t{}\t{:.2}\t{}",
                    f.start, f.end, f.kind, f.score, f.recognizer
                )
                .context("cannot write output")?;
                if a.show_text {
                    let s: String = chars[f.start..f.end].iter().collect();
                    write!(out, "\t{s}").context("cannot write output")?;
                }
                writeln!(out).context("cannot write output")?;
            }
        }
        out.flush().context("cannot write output")?;
        total
    };
    Ok(if a.fail_on_phi && found > 0 {
        ExitCode::from(output::EXIT_CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
