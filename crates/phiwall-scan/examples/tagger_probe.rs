//! Print the learned tagger's class probabilities for every word token of each stdin line.
//!
//! `cargo run --release -p phiwall-scan --example tagger_probe [MODEL] < sentences.txt`
//! (MODEL defaults to the embedded model). Use it on sentences written for the purpose or on
//! public data; it prints the text.

use phiwall_scan::phi::names::tokens::Tokens;
use phiwall_scan::phi::tagger::{self, Model, CLASS_NAME, CLASS_PLACE};
use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = match std::env::args().nth(1) {
        Some(path) => Model::from_bytes(&std::fs::read(path)?)?,
        None => tagger::embedded().map(|m| (*m).clone()).ok_or("the embedded model is broken")?,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let t = Tokens::new(&line);
        let probs = model.token_probabilities(&t);
        let cells: Vec<String> = t
            .toks
            .iter()
            .zip(&probs)
            .map(|(tok, p)| {
                let word = line.get(tok.start..tok.end).unwrap_or("?");
                format!("{word}[n{:.2} p{:.2}]", p[CLASS_NAME], p[CLASS_PLACE])
            })
            .collect();
        writeln!(out, "{}", cells.join(" "))?;
    }
    Ok(())
}
