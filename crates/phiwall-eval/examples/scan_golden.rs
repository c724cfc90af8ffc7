//! Golden check for scanner changes that must not change findings: scan a corpus and write every
//! finding (doc, type, start, end, score bits, recognizer) to a file, one per line, so two runs
//! compare with `cmp`.
//!
//! Corpus: `--count` synthetic records of seed `--seed` (generated in memory), then every text in
//! the data files given as further arguments (`.jsonl` lines with `text`, or `.json` lists of
//! objects with `full_text`), read at run time. Each text is scanned as is and lower-cased (the
//! speech-to-text case mode).
//!
//! ```text
//! cargo run --release -p phiwall-eval --example scan_golden -- OUT [--count N] [--seed S] [FILE...]
//! ```
use phiwall_eval::generate::{generate, GenOptions};
use phiwall_scan::{Scanner, ScannerConfig};
use serde_json::Value;
use std::io::Write;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Texts of one data file.
fn texts_of(path: &str) -> Res<Vec<String>> {
    let raw = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    if path.ends_with(".jsonl") {
        for line in raw.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line)?;
            if let Some(t) = v.get("text").and_then(Value::as_str) {
                out.push(t.to_string());
            }
        }
    } else {
        let v: Value = serde_json::from_str(&raw)?;
        for item in v.as_array().map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(t) = item.get("full_text").and_then(Value::as_str) {
                out.push(t.to_string());
            }
        }
    }
    Ok(out)
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out_path) = args.first() else {
        return Err("usage: scan_golden OUT [--count N] [--seed S] [FILE...]".into());
    };
    let (mut count, mut seed, mut files) = (5000usize, 42u64, Vec::new());
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--count" => count = it.next().ok_or("--count needs a value")?.parse()?,
            "--seed" => seed = it.next().ok_or("--seed needs a value")?.parse()?,
            f => files.push(f.to_string()),
        }
    }
    let mut texts: Vec<String> =
        generate(GenOptions { count, seed })?.into_iter().map(|r| r.text).collect();
    for f in &files {
        texts.extend(texts_of(f)?);
    }
    let scanner = Scanner::new(ScannerConfig::default())?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out_path)?);
    let (mut docs, mut findings) = (0usize, 0usize);
    let started = std::time::Instant::now();
    for (i, text) in texts.iter().enumerate() {
        for (variant, t) in [("orig", text.clone()), ("lower", text.to_lowercase())] {
            docs += 1;
            for f in scanner.scan(&t) {
                findings += 1;
                writeln!(
                    w,
                    "{i}\t{variant}\t{}\t{}\t{}\t{:08x}\t{}",
                    f.kind,
                    f.start,
                    f.end,
                    f.score.to_bits(),
                    f.recognizer
                )?;
            }
        }
    }
    w.flush()?;
    writeln!(
        std::io::stderr(),
        "scanned {docs} documents, wrote {findings} findings to {out_path} in {:.2?}",
        started.elapsed()
    )?;
    Ok(())
}
