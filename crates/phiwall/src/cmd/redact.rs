//! `phiwall redact`: replace PHI with tags, keyed surrogates or reversible tokens.

use super::pipeline::{self, InputArgs};
use super::scan::{findings_json, ScannerArgs};
use crate::output::{self, Exit};
use crate::secret;
use anyhow::Context;
use phiwall_scan::redact::{Action, RedactionKey, Redactor, TokenMap};
use serde_json::Value;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

/// Arguments of `phiwall redact`.
#[derive(Debug, clap::Args)]
pub struct RedactArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub scanner: ScannerArgs,
    /// What to do with each finding.
    #[arg(long, value_enum, default_value_t = ActionArg::Mask)]
    pub action: ActionArg,
    /// Key for pseudonymize and tokenize, by reference: `env:VAR` or `file:PATH`
    /// (at least 16 bytes; a file with 64 hex characters is read as 32 bytes).
    #[arg(long)]
    pub key: Option<String>,
    /// Scope of the date shift (e.g. a keyed patient reference): dates in one scope move together.
    #[arg(long)]
    pub scope: Option<String>,
    /// With `--action tokenize`: write the token map (JSON, holds PHI) to this file, mode 0600.
    #[arg(long)]
    pub token_map: Option<std::path::PathBuf>,
}

/// The CLI form of [`Action`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ActionArg {
    /// `[NAME]`-style tags.
    Mask,
    /// Consistent keyed surrogates; dates shifted per scope.
    Pseudonymize,
    /// Reversible tokens; needs --token-map.
    Tokenize,
}

/// Run `phiwall redact`.
pub fn run(a: RedactArgs) -> anyhow::Result<ExitCode> {
    let scanner = a.scanner.build()?;
    let action = match a.action {
        ActionArg::Mask => Action::Mask,
        ActionArg::Pseudonymize => Action::Pseudonymize,
        ActionArg::Tokenize => Action::Tokenize,
    };
    let key = match (&a.key, action) {
        (Some(r), _) => Some(
            RedactionKey::new(secret::resolve_key(r)?)
                .map_err(|e| Exit::usage(format!("--key: {e}")))?,
        ),
        (None, Action::Mask) => None,
        (None, _) => {
            return Err(Exit::usage(
                "--action pseudonymize and tokenize need --key env:VAR or --key file:PATH",
            ))
        }
    };
    if action == Action::Tokenize && a.token_map.is_none() {
        return Err(Exit::usage("--action tokenize needs --token-map FILE to keep the way back"));
    }
    let redactor = Redactor::uniform(action, key).map_err(|e| Exit::usage(e.to_string()))?;
    let tokens = Mutex::new(TokenMap::default());
    let scope = a.scope.as_deref();
    let apply = |text: &str| -> anyhow::Result<(String, Vec<phiwall_scan::Finding>)> {
        let findings = scanner.scan(text);
        let r = redactor
            .apply(text, &findings, scope)
            .context("internal error: finding out of range")?;
        if !r.tokens.is_empty() {
            if let Ok(mut t) = tokens.lock() {
                t.extend(r.tokens);
            }
        }
        Ok((r.text, findings))
    };
    if a.input.jsonl {
        pipeline::run_jsonl(&a.input, |r| {
            let mut m = serde_json::Map::new();
            match apply(&r.text) {
                Ok((text, f)) => {
                    let n = f.len() as u64;
                    m.insert("text".into(), Value::String(text));
                    m.insert("phi".into(), findings_json(&f));
                    (m, n)
                }
                Err(e) => {
                    m.insert("error".into(), Value::String(e.to_string()));
                    (m, 0)
                }
            }
        })?;
    } else {
        let mut out = output::stdout();
        for (_, text) in pipeline::read_docs(&a.input)? {
            let (red, _) = apply(&text)?;
            out.write_all(red.as_bytes()).context("cannot write output")?;
        }
        out.flush().context("cannot write output")?;
    }
    if let Some(path) = &a.token_map {
        let map = tokens.into_inner().unwrap_or_default();
        let obj: serde_json::Map<String, Value> =
            map.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect();
        secret::write_private(path, &serde_json::to_vec_pretty(&Value::Object(obj))?)
            .with_context(|| format!("cannot write token map {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
