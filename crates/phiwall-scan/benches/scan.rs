//! Criterion benches for `Scanner::scan` on a 100-byte utterance, a 2 KB note and a 50 KB call
//! transcript, each next to a baseline measured on the same bytes (one plain regex pass for a
//! phone or e-mail shape), so the report reads as a ratio that holds across machines.
//!
//! The texts come from a tiny local generator (this crate cannot depend on phiwall-eval, which
//! depends on it): fixed sentences with written and spoken PHI and hard negatives, numbers varied
//! by a small LCG so the regex engines cannot memoize one input.
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use phiwall_scan::{Scanner, ScannerConfig, TaggerChoice};

/// A tiny deterministic LCG.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

const DIGITS: [&str; 10] =
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

fn spoken_digits(rng: &mut Lcg, n: usize) -> String {
    (0..n).map(|_| DIGITS[rng.next(10) as usize]).collect::<Vec<_>>().join(" ")
}

/// One caller/agent exchange of about 400-500 bytes.
fn turn(rng: &mut Lcg) -> String {
    let names =
        ["maria lopez", "Thanh Nguyen", "DeShawn Booker", "Priya Iyer", "Olga Novak", "wei chen"];
    let name = names[rng.next(names.len() as u64) as usize];
    match rng.next(4) {
        0 => format!(
            "agent: can i get your name and date of birth?\ncaller: yeah it's {name}, spelled N-G-U-Y-E-N, born march {} nineteen {} {}.\nagent: thanks, and a callback number?\ncaller: {}, {}, {}.\n",
            ["third", "ninth", "twenty first"][rng.next(3) as usize],
            ["sixty", "seventy", "eighty"][rng.next(3) as usize],
            DIGITS[rng.next(10) as usize],
            spoken_digits(rng, 3),
            spoken_digits(rng, 3),
            spoken_digits(rng, 4)
        ),
        1 => format!(
            "caller: i need a refill on my metformin {} milligrams twice a day, ninety tablets.\nagent: which pharmacy? and your MRN?\ncaller: the one on {} Maple Street, MRN {}.\n",
            [500, 850, 1000][rng.next(3) as usize],
            100 + rng.next(8900),
            10_000_000 + rng.next(89_999_999)
        ),
        2 => format!(
            "agent: your blood pressure was {} over {}, heart rate {}, a1c {}.{}.\ncaller: ok. my email is {} at gmail dot com and my member id is W{}.\n",
            100 + rng.next(70),
            60 + rng.next(30),
            55 + rng.next(60),
            5 + rng.next(5),
            rng.next(10),
            name.replace(' ', " dot "),
            100_000_000 + rng.next(899_999_999)
        ),
        _ => format!(
            "agent: the copay is ${}.00, check in at room {}, extension {}. visit billed as CPT 99213, ICD-10 E11.9.\ncaller: you can also reach me at ({}) {}-{} or {}@example.org.\n",
            10 + rng.next(90),
            100 + rng.next(800),
            2000 + rng.next(7000),
            200 + rng.next(799),
            200 + rng.next(799),
            1000 + rng.next(8999),
            name.replace(' ', ".").to_lowercase()
        ),
    }
}

/// About `bytes` bytes of transcript (whole turns, at least one).
fn transcript(seed: u64, bytes: usize) -> String {
    let mut rng = Lcg(seed);
    let mut s = String::with_capacity(bytes + 512);
    while s.len() < bytes {
        s.push_str(&turn(&mut rng));
    }
    s
}

/// A 2 KB clinical note in written form.
fn note(seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut s = String::with_capacity(2200);
    while s.len() < 2000 {
        s.push_str(&format!(
            "Pt Maria Lopez, DOB {}/{}/19{}, MRN {}, seen by Dr. Okafor on 7/{}. BP {}/{}, HR {}, T 98.{}. \
             Continue lisinopril 10 mg daily, #30, 3 refills. Labs: K 3.{}, A1c 7.{}%. Daughter at bedside, \
             call 410-{}-{}. Room {}, ext. {}. Dx ICD-10 I10, CPT 99214, copay $25.00. ",
            1 + rng.next(12),
            1 + rng.next(28),
            30 + rng.next(70),
            10_000_000 + rng.next(89_999_999),
            1 + rng.next(28),
            100 + rng.next(70),
            60 + rng.next(30),
            55 + rng.next(60),
            rng.next(10),
            rng.next(10),
            rng.next(10),
            200 + rng.next(799),
            1000 + rng.next(8999),
            100 + rng.next(800),
            2000 + rng.next(7000)
        ));
    }
    s
}

fn bench(c: &mut Criterion) {
    let Ok(scanner) = Scanner::new(ScannerConfig::default()) else { return };
    // The same scanner without the learned name and place tagger, to show its cost.
    let Ok(rules_only) =
        Scanner::new(ScannerConfig { tagger: TaggerChoice::Off, ..ScannerConfig::default() })
    else {
        return;
    };
    let Ok(baseline) = regex::Regex::new(
        r"\b\d{3}[-. ]?\d{3}[-. ]?\d{4}\b|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    ) else {
        return;
    };
    let utterance =
        "caller: it's maria lopez, born march third nineteen eighty four, call me at 555 212 9876";
    let cases: [(&str, String); 3] = [
        ("utterance_100B", utterance.to_string()),
        ("note_2KB", note(7)),
        ("transcript_50KB", transcript(11, 50_000)),
    ];
    let mut group = c.benchmark_group("scan");
    for (name, text) in &cases {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("scanner", name), text, |b, t| {
            b.iter(|| scanner.scan(black_box(t)).len())
        });
        group.bench_with_input(BenchmarkId::new("rules_only", name), text, |b, t| {
            b.iter(|| rules_only.scan(black_box(t)).len())
        });
        group.bench_with_input(BenchmarkId::new("baseline_regex", name), text, |b, t| {
            b.iter(|| baseline.find_iter(black_box(t)).count())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
