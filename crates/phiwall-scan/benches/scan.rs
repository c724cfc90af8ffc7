//! Criterion benches for `Scanner::scan` (placeholder until the corpus generator lands).
use criterion::{criterion_group, criterion_main, Criterion};
use phiwall_scan::{Scanner, ScannerConfig};

fn bench(c: &mut Criterion) {
    let Ok(scanner) = Scanner::new(ScannerConfig::default()) else { return };
    c.bench_function("scan_short", |b| b.iter(|| scanner.scan("call me at 555 212 9876")));
}
criterion_group!(benches, bench);
criterion_main!(benches);
