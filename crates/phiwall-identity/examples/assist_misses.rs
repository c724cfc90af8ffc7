#![allow(clippy::unwrap_used, clippy::print_stdout)]
use phiwall_identity::synth::{self, render_text, CallerKind};
use phiwall_identity::*;
use std::sync::Arc;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(1);
    let n: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(500);
    let per: usize = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(200);
    let key = DirectoryKey::new(vec![0x42; 32]).unwrap();
    let pop = synth::population(n, seed);
    let input = synth::to_input(&pop);
    let dir = Arc::new(Directory::build(key, &input));
    let utts = synth::utterances(&pop, per, seed);
    let v = Verifier::new(
        dir.clone(),
        VerificationPolicy::default(),
        LimiterConfig::default(),
        Box::new(ManualClock::new(1_795_900_000)),
    )
    .unwrap();
    let scanner = phiwall_scan::Scanner::new(phiwall_scan::ScannerConfig::default()).unwrap();
    let mut misses = 0;
    for u in utts.iter().filter(|u| u.kind == CallerKind::True) {
        let text = render_text(&u.claims);
        let ex = extract_claims(&scanner, &text);
        if v.match_claims(&ex).is_some() {
            continue;
        }
        if v.match_claims(&u.claims).is_none() {
            continue;
        }
        misses += 1;
        let mut bad = Vec::new();
        macro_rules! f {
            ($name:ident) => {{
                let mut c = u.claims.clone();
                c.$name = ex.$name.clone();
                if v.match_claims(&c).is_none() {
                    bad.push(stringify!($name));
                }
            }};
        }
        f!(name);
        f!(birth_date);
        f!(member_id);
        f!(mrn);
        f!(zip);
        f!(phone);
        println!("{bad:?}\n  TEXT {text}\n  WANT {:?}\n  GOT  {:?}", u.claims, ex);
    }
    println!("extraction-only misses: {misses}");
}
