//! Score probe files of one sentence per line (docs/probes/session11-inj-*): prints how many
//! benign lines and attack lines the detector flags at 0.5. `PROBE_MODEL=<model.bin>` scores a
//! candidate model without a rebuild, `PROBE_ALL=1` prints every line's score.
//!
//!   cargo run --release -p phiwall-scan --example file_probe -- LABEL BENIGN.txt ATTACKS.txt

#![allow(clippy::print_stderr)]

mod probe;

fn read_lines(path: &str) -> Result<Vec<String>, phiwall_scan::Error> {
    let text = std::fs::read_to_string(path).map_err(|e| phiwall_scan::Error::Config {
        key: "probe file",
        expected: "a readable UTF-8 file",
        found: format!("{path}: {e}"),
    })?;
    Ok(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect())
}

fn main() -> Result<(), phiwall_scan::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [label, benign, attacks] = args.as_slice() else {
        return Err(phiwall_scan::Error::Config {
            key: "arguments",
            expected: "file_probe LABEL BENIGN.txt ATTACKS.txt",
            found: format!("{} arguments", args.len()),
        });
    };
    let d = probe::detector()?;
    let benign = read_lines(benign)?;
    let attacks = read_lines(attacks)?;
    let b: Vec<&str> = benign.iter().map(String::as_str).collect();
    let a: Vec<&str> = attacks.iter().map(String::as_str).collect();
    probe::report(label, &d, &b, &a);
    Ok(())
}
