//! Throughput of the whole delivery pipeline minus the network, in wall-clock and CPU time:
//! events built and emitted through `Watch::emit` (metrics included), the bus thread, the OCSF
//! encoder, the sink's disk buffer (fsync never) and its delivery thread acknowledging every
//! batch (a receiver that answers instantly).
//!
//! CPU time (user + system of the whole process, from /proc/self/stat) is reported next to the
//! wall clock because on a shared machine the wall clock measures the other tenants too.
//!
//! Run: `cargo run --release -p phiwall-watch --example pipeline_throughput [events] [capacity]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use phiwall_watch::siem::buffer::{BufferConfig, FsyncPolicy};
use phiwall_watch::siem::delivery::{DeliveryConfig, SendError, Sent, Transport};
use phiwall_watch::siem::encode::ocsf::OcsfEncoder;
use phiwall_watch::siem::BufferedSink;
use phiwall_watch::{Activity, Actor, BusConfig, Event, EventBus, Metrics, RecordSink};
use std::sync::Arc;
use std::time::Instant;

struct Receiver;
impl Transport for Receiver {
    fn send(&mut self, _batch: &[&[u8]]) -> Result<Sent, SendError> {
        Ok(Sent::default())
    }
}

fn event(i: usize) -> Event {
    let mut e = Event::new(
        Activity::Create,
        1_700_000_000_000 + i as i64,
        format!("req-{i:08}"),
        "chat.completions",
    );
    e.actor =
        Actor { auth: "api_key", key_prefix: Some(format!("pw_k{}", i % 50)), subject_ref: None };
    e.app = Some("scheduling".into());
    e.session = Some(format!("s-{}", i % 500));
    e.source_ip = Some("10.0.0.7".into());
    e.model = Some("gpt-4o-mini".into());
    e.count_finding("input.phi.NAME", 1);
    e.count_finding("input.phi.DATE", 2);
    e.count_action("tokenize", 3);
    e.duration_us = 1800;
    e.upstream_us = 1500;
    e.tokens_in = 120;
    e.tokens_out = 80;
    e
}

/// Process CPU seconds (user + system).
fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = s.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    // Queue capacity (default 4096 like the gateway); a small queue makes the bus spill.
    let capacity: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(4096);
    let dir = tempfile::tempdir().unwrap();
    let metrics = Arc::new(Metrics::default());
    let sink = BufferedSink::start(
        "bench",
        "webhook",
        Box::new(OcsfEncoder),
        Box::new(Receiver),
        BufferConfig {
            dir: dir.path().join("buf"),
            max_bytes: 1 << 34,
            segment_bytes: 16 << 20,
            fsync: FsyncPolicy::Never,
        },
        DeliveryConfig::default(),
        &metrics,
    )
    .unwrap();
    let bus = EventBus::start_with(
        BusConfig {
            capacity,
            spill: Some(phiwall_watch::SpillConfig {
                path: dir.path().join("spill"),
                max_bytes: 1 << 34,
            }),
        },
        vec![Box::new(sink) as Box<dyn RecordSink>],
        metrics.clone(),
    )
    .unwrap();
    let (t0, c0) = (Instant::now(), cpu_secs());
    let w = bus.watch();
    for i in 0..n {
        w.emit(event(i));
    }
    drop(w);
    bus.shutdown();
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_secs() - c0);
    let text = metrics.render();
    let get = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .unwrap_or("?")
            .to_string()
    };
    println!(
        "events: {n}  delivered: {}  spilled: {}",
        get("phiwall_sink_delivered_total{"),
        get("phiwall_bus_spilled_total")
    );
    println!("wall: {wall:.3} s = {:.0} events/s", n as f64 / wall);
    println!("cpu:  {cpu:.3} s = {:.0} events per CPU-second", n as f64 / cpu.max(0.01));
}
