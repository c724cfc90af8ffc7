//! What the multilingual probes share: the detector under test and the printed summary.

use phiwall_scan::{InjectionConfig, InjectionDetector};

/// The embedded model, or the file named by `PROBE_MODEL=<model.bin>` (to score a candidate
/// model without a rebuild).
pub fn detector() -> Result<InjectionDetector, phiwall_scan::Error> {
    match std::env::var("PROBE_MODEL") {
        Ok(p) => {
            let bytes = std::fs::read(&p).map_err(|e| phiwall_scan::Error::Config {
                key: "PROBE_MODEL",
                expected: "a readable model file",
                found: format!("{p}: {e}"),
            })?;
            InjectionDetector::with_model_bytes(InjectionConfig::default(), &bytes)
        }
        Err(_) => InjectionDetector::new(InjectionConfig::default()),
    }
}

/// One summary line per probe (`PROBE_ALL=1` also prints every sentence's score and signals):
/// how many benign sentences and attacks score at or over 0.5 (and benign over 0.35), with
/// means, the highest benign and the lowest attack score.
pub fn report(label: &str, d: &InjectionDetector, benign: &[&str], attacks: &[&str]) {
    let all = std::env::var("PROBE_ALL").is_ok();
    let score = |t: &&str| {
        let r = d.scan(t);
        if all {
            eprintln!("ITEM {:.3} {:?} {t}", r.score, r.signals);
        }
        r.score
    };
    let bs: Vec<f32> = benign.iter().map(score).collect();
    let att: Vec<f32> = attacks.iter().map(score).collect();
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
    let at_least = |v: &[f32], t: f32| v.iter().filter(|&&s| s >= t).count();
    eprintln!(
        "{label} benign flagged {}/{} (>=0.35: {}, mean {:.3}, max {:.3}) | attack flagged {}/{} (mean {:.3}, min {:.3})",
        at_least(&bs, 0.5),
        bs.len(),
        at_least(&bs, 0.35),
        mean(&bs),
        bs.iter().copied().fold(0f32, f32::max),
        at_least(&att, 0.5),
        att.len(),
        mean(&att),
        att.iter().copied().fold(1f32, f32::min),
    );
}
