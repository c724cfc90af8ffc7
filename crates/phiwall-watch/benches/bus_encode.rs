//! Throughput of the bus and the SIEM encoders (issue 7 target: >= 200,000 events/s).
//!
//! `encode/*`: one record through each encoder. `pipeline/bus_ocsf_encode_only`: events
//! emitted through [`Watch::emit`] into a bus whose one sink OCSF-encodes each record into a
//! reused buffer (the bus and an encoder, nothing else). `pipeline/*_disk_buffer*`: events emitted through
//! [`Watch::emit`] (metrics included) into a bus whose one sink encodes (OCSF or syslog CEF),
//! frames and appends to its disk buffer, with a delivery thread acknowledging every batch
//! (a receiver that answers instantly): everything but the network.
//!
//! Run: `cargo bench -p phiwall-watch --bench bus_encode`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use phiwall_watch::siem::buffer::{BufferConfig, FsyncPolicy};
use phiwall_watch::siem::delivery::{DeliveryConfig, SendError, Sent, Transport};
use phiwall_watch::siem::encode::{
    cef::CefEncoder, ecs::EcsEncoder, ocsf::OcsfEncoder, sentinel::SentinelEncoder,
    splunk::SplunkEncoder, syslog::Payload, syslog::SyslogEncoder, Encoder,
};
use phiwall_watch::siem::BufferedSink;
use phiwall_watch::{Activity, Actor, BusConfig, Event, EventBus, Metrics, Record, RecordSink};
use std::sync::Arc;

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

struct Instant;
impl Transport for Instant {
    fn send(&mut self, _batch: &[&[u8]]) -> Result<Sent, SendError> {
        Ok(Sent::default())
    }
}

/// A sink that encodes every record and keeps only the byte count: the bus plus an encoder.
struct EncodeOnly {
    encoder: OcsfEncoder,
    scratch: Vec<u8>,
    bytes: usize,
}

impl RecordSink for EncodeOnly {
    fn name(&self) -> &str {
        "encode-only"
    }
    fn write_record(&mut self, r: &Record) -> std::io::Result<()> {
        self.scratch.clear();
        self.encoder.encode(r, &mut self.scratch).map_err(std::io::Error::other)?;
        self.bytes += self.scratch.len();
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Emit every event through the bus, then shut it down (drains every sink).
fn emit_all(bus: EventBus, events: &[Event]) {
    let w = bus.watch();
    for e in events {
        w.emit(e.clone());
    }
    drop(w);
    bus.shutdown();
}

fn encoders(c: &mut Criterion) {
    let r = Record::Event(event(7));
    let encs: Vec<(&str, Box<dyn Encoder>)> = vec![
        ("ocsf", Box::new(OcsfEncoder)),
        (
            "splunk_hec",
            Box::new(SplunkEncoder {
                host: "gw1".into(),
                source: "phiwall".into(),
                sourcetype: "phiwall:ocsf".into(),
                index: None,
            }),
        ),
        ("sentinel", Box::new(SentinelEncoder)),
        ("ecs", Box::new(EcsEncoder)),
        ("syslog_cef", Box::new(SyslogEncoder::new(16, Payload::Cef, Some("gw1")))),
        ("cef", Box::new(CefEncoder)),
    ];
    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements(1));
    for (name, enc) in &encs {
        let mut out = Vec::with_capacity(4096);
        g.bench_function(*name, |b| {
            b.iter(|| {
                out.clear();
                enc.encode(&r, &mut out).unwrap();
                out.len()
            })
        });
    }
    g.finish();
}

const N: usize = 20_000;

fn pipeline(c: &mut Criterion) {
    let events: Vec<Event> = (0..N).map(event).collect();
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    let ocsf = (|| Box::new(OcsfEncoder) as Box<dyn Encoder>) as fn() -> Box<dyn Encoder>;
    let cef = (|| Box::new(SyslogEncoder::new(16, Payload::Cef, Some("gw1"))) as Box<dyn Encoder>)
        as fn() -> Box<dyn Encoder>;
    g.bench_function("bus_ocsf_encode_only", |b| {
        b.iter(|| {
            let sink = EncodeOnly { encoder: OcsfEncoder, scratch: Vec::new(), bytes: 0 };
            let bus = EventBus::start_with(
                BusConfig { capacity: 32_768, spill: None },
                vec![Box::new(sink) as Box<dyn RecordSink>],
                Arc::new(Metrics::default()),
            )
            .unwrap();
            emit_all(bus, &events);
        })
    });
    // Queue large enough for the burst (in-memory path) vs small (sustained overload: most
    // records go through the spill file and are replayed).
    for (name, mk, capacity) in [
        ("bus_ocsf_disk_buffer", ocsf, 32_768),
        ("bus_syslog_cef_disk_buffer", cef, 32_768),
        ("bus_ocsf_disk_buffer_spilling", ocsf, 1_024),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || tempfile::tempdir().unwrap(),
                |dir| {
                    let metrics = Arc::new(Metrics::default());
                    let sink = BufferedSink::start(
                        "bench",
                        "bench",
                        mk(),
                        Box::new(Instant),
                        BufferConfig {
                            dir: dir.path().join("buf"),
                            max_bytes: 1 << 30,
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
                                max_bytes: 1 << 30,
                            }),
                        },
                        vec![Box::new(sink) as Box<dyn RecordSink>],
                        metrics,
                    )
                    .unwrap();
                    emit_all(bus, &events);
                    dir
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, encoders, pipeline);
criterion_main!(benches);
