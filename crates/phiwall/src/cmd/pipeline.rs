//! The shared driver for `scan` and `redact`: plain text or JSONL from files or stdin, processed
//! in ordered batches on a thread pool, with per-line error handling and a progress bar.

use crate::input::{self, LineError, Record, Source};
use crate::output::{self, Exit};
use anyhow::Context;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::io::{IsTerminal, Write};

/// What to do with a malformed JSONL line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnError {
    /// Stop at the first bad line (exit code 3).
    Stop,
    /// Write an error record for the line (`{"line": N, "error": "..."}`) and go on.
    Skip,
}

/// Input options shared by `scan` and `redact`.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Files to read; none or `-` reads standard input.
    pub paths: Vec<std::path::PathBuf>,
    /// Each input line is a JSON object `{"id": ..., "text": "..."}`; output is one JSON line per input line.
    #[arg(long)]
    pub jsonl: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping.
    #[arg(long)]
    pub lossy: bool,
    /// What to do with a malformed JSONL line.
    #[arg(long, value_enum, default_value_t = OnError::Stop)]
    pub on_error: OnError,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Totals of a run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    /// Documents processed.
    pub docs: u64,
    /// Findings across all documents.
    pub findings: u64,
    /// Malformed lines written as error records.
    pub skipped: u64,
}

const BATCH: usize = 512;

fn pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(Exit::usage("--threads must be at least 1"));
        }
        b = b.num_threads(n);
    }
    b.build().context("cannot start worker threads")
}

fn progress(src: &Source) -> Option<indicatif::ProgressBar> {
    let len = src.len_hint()?;
    if len < (4 << 20) || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// Run `per_doc` over every JSONL record; each returns the output object (without `id`) and its
/// finding count. Output order equals input order.
pub fn run_jsonl<F>(args: &InputArgs, per_doc: F) -> anyhow::Result<Summary>
where
    F: Fn(&Record) -> (serde_json::Map<String, Value>, u64) + Sync,
{
    let pool = pool(args.threads)?;
    let mut out = output::stdout();
    let mut sum = Summary::default();
    for src in Source::from_args(&args.paths) {
        let name = src.name();
        let mut reader = src.open()?;
        let bar = progress(&src);
        let mut line_no = 0u64;
        loop {
            let lines = input::read_lines(reader.as_mut(), &mut line_no, BATCH, &name)?;
            if lines.is_empty() {
                break;
            }
            let bytes: u64 = lines.iter().map(|(_, l)| l.len() as u64).sum();
            let results: Vec<Result<Option<(Value, u64)>, LineError>> = pool.install(|| {
                lines
                    .par_iter()
                    .map(|(n, raw)| {
                        let rec = input::parse_line(raw, *n, args.lossy)?;
                        Ok(rec.map(|r| {
                            let (mut obj, count) = per_doc(&r);
                            let mut full = serde_json::Map::with_capacity(obj.len() + 1);
                            full.insert("id".into(), r.id.clone());
                            full.append(&mut obj);
                            (Value::Object(full), count)
                        }))
                    })
                    .collect()
            });
            for r in results {
                match r {
                    Ok(Some((v, count))) => {
                        sum.docs += 1;
                        sum.findings += count;
                        serde_json::to_writer(&mut out, &v).context("cannot write output")?;
                        out.write_all(b"\n").context("cannot write output")?;
                    }
                    Ok(None) => {}
                    Err(e) if args.on_error == OnError::Skip => {
                        sum.skipped += 1;
                        let v = json!({"line": e.line, "source": name, "error": e.message});
                        serde_json::to_writer(&mut out, &v).context("cannot write output")?;
                        out.write_all(b"\n").context("cannot write output")?;
                    }
                    Err(e) => {
                        out.flush().context("cannot write output")?;
                        return Err(Exit::input(format!(
                            "{name} line {}: {} (pass --on-error skip to write an error record and go on)",
                            e.line, e.message
                        )));
                    }
                }
            }
            if let Some(b) = &bar {
                b.inc(bytes);
            }
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
    }
    out.flush().context("cannot write output")?;
    if sum.skipped > 0 {
        output::warn(&format!("{} malformed line(s) written as error records", sum.skipped));
    }
    Ok(sum)
}

/// Read every source as one text document each.
pub fn read_docs(args: &InputArgs) -> anyhow::Result<Vec<(String, String)>> {
    Source::from_args(&args.paths)
        .iter()
        .map(|s| Ok((s.name(), input::read_text(s, args.lossy)?)))
        .collect()
}
