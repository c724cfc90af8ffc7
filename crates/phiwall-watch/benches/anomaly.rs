//! Criterion bench of the anomaly engine's throughput (events/s) on simulated clinic traffic
//! (issue 7). Baseline: cloning each event (what the cheapest in-memory sink does), so the report
//! reads as "the engine costs N event clones".
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use phiwall_watch::anomaly::sim::{self, Scenario};
use phiwall_watch::anomaly::{AnomalyConfig, AnomalyEngine};

fn bench(c: &mut Criterion) {
    let mut events = sim::normal_traffic(7, 11);
    for s in Scenario::ALL {
        events.extend(sim::inject(s, 7, 11).events);
    }
    events.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.request_id.cmp(&b.request_id)));
    let Ok(fresh) = AnomalyEngine::new(AnomalyConfig::default()) else { return };
    // Warm engine: a week of traffic already learned, so the bench measures steady state.
    let mut warm = fresh.clone();
    let later: Vec<_> = events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.time += 7 * sim::DAY_MS;
            e
        })
        .collect();
    for e in &events {
        warm.observe(e);
    }
    let mut g = c.benchmark_group("anomaly");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.sample_size(10);
    g.bench_function("baseline_clone_events", |b| {
        b.iter(|| {
            for e in &events {
                black_box(e.clone());
            }
        })
    });
    g.bench_function("engine_cold_week", |b| {
        b.iter_batched(
            || fresh.clone(),
            |mut eng| {
                for e in &events {
                    black_box(eng.observe(e));
                }
                eng
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("engine_warm_week", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut eng| {
                for e in &later {
                    black_box(eng.observe(e));
                }
                eng
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
