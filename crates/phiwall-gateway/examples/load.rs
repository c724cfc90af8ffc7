//! Load test: the stub upstream (the simulated model over HTTP) called directly and through
//! phiwall in the same run, open loop at a fixed rate, so the difference is phiwall's overhead.
//!
//! Run with `bench/load.sh` (release build). Everything binds to 127.0.0.1 only; the run is
//! bounded in time and count and stops by itself.
//!
//! The stub upstream, the gateway and the load generator each get their own runtime (as three
//! processes would), and direct and through-phiwall phases alternate in `--rounds` rounds
//! whose latencies are pooled, so drift in the shared machine falls on both alike.
//!
//! Latency is measured from each request's scheduled start (open loop, no coordinated
//! omission). Streaming time to first token is the time until the first SSE event carrying
//! content arrives.

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use futures_util::StreamExt;
use phiwall_gateway::{BuildOptions, Gateway, RawConfig};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

struct Args {
    /// The ledger's fsync policy (`always`, the default config's; `never`; `10ms`).
    fsync: String,
    /// `[audit] reply_waits_for` (`intent`, the default config's; `outcome`).
    reply_waits_for: String,
    rate: u64,
    rounds: u64,
    secs: u64,
    prompt_bytes: usize,
    stream_rate: u64,
}

fn args() -> Args {
    let mut a = Args {
        fsync: "always".into(),
        reply_waits_for: "intent".into(),
        rate: 1000,
        rounds: 5,
        secs: 10,
        prompt_bytes: 1024,
        stream_rate: 100,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < v.len() {
        let n = v[i + 1].parse::<u64>().unwrap_or(0);
        match v[i].as_str() {
            "--rate" => a.rate = n.clamp(1, 20_000),
            "--rounds" => a.rounds = n.clamp(1, 20),
            "--fsync" => a.fsync = v[i + 1].clone(),
            "--reply-waits-for" => a.reply_waits_for = v[i + 1].clone(),
            "--secs" => a.secs = n.clamp(1, 120),
            "--prompt-bytes" => a.prompt_bytes = (n as usize).clamp(16, 1 << 20),
            "--stream-rate" => a.stream_rate = n.clamp(1, 5_000),
            _ => {}
        }
        i += 2;
    }
    a
}

fn prompt(bytes: usize) -> String {
    let base = "Hi, I would like to move my follow-up visit for the knee to a weekday afternoon next week if the doctor has time. I take 20 mg atorvastatin at night and my blood pressure was 128/82 at the pharmacy. Please also confirm whether I should fast before the lab work and whether parking is validated. ";
    let mut s = String::with_capacity(bytes + base.len());
    s.push_str("Request #N#. ");
    while s.len() < bytes {
        s.push_str(base);
    }
    s.truncate(bytes);
    s
}

#[derive(Default)]
struct Stats {
    lat_us: Vec<u64>,
    errors: u64,
    /// Error statuses (0: transport error or timeout; 1: a stream without content).
    error_statuses: std::collections::BTreeMap<u16, u64>,
}

impl Stats {
    fn merge(&mut self, other: Stats) {
        self.lat_us.extend(other.lat_us);
        self.errors += other.errors;
        for (k, n) in other.error_statuses {
            *self.error_statuses.entry(k).or_insert(0) += n;
        }
    }
}

fn record(s: &mut Stats, r: Result<Result<u64, u16>, tokio::task::JoinError>) {
    match r {
        Ok(Ok(us)) => s.lat_us.push(us),
        Ok(Err(status)) => {
            s.errors += 1;
            *s.error_statuses.entry(status).or_insert(0) += 1;
        }
        Err(_) => s.errors += 1,
    }
}

/// True when an SSE chunk holds a delta with non-empty content.
fn has_content(chunk: &[u8]) -> bool {
    let pat = b"\"content\":\"";
    chunk
        .windows(pat.len())
        .enumerate()
        .any(|(i, w)| w == pat && chunk.get(i + pat.len()) != Some(&b'"'))
}

fn pct(v: &mut [u64], p: f64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[idx.min(v.len() - 1)]
}

async fn run_phase(
    client: &reqwest::Client,
    url: &str,
    key: Option<&str>,
    body: &str,
    rate: u64,
    secs: u64,
    is_stream: bool,
) -> Stats {
    let total = rate * secs;
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let start = Instant::now() + Duration::from_millis(50);
    let mut set: JoinSet<Result<u64, u16>> = JoinSet::new();
    let mut stats = Stats::default();
    for i in 0..total {
        let at = start + interval * i as u32;
        let c = client.clone();
        let url = url.to_string();
        let key = key.map(str::to_string);
        // Every request differs (its number is in the prompt), so phiwall's scan cache never
        // answers for a repeated prompt and the figures show full scanning.
        let body = Bytes::from(body.replace("#N#", &i.to_string()));
        tokio::time::sleep_until(at.into()).await;
        set.spawn(async move {
            let mut r = c.post(&url).header("content-type", "application/json").body(body);
            if let Some(k) = key {
                r = r.bearer_auth(k);
            }
            let resp = r.send().await.map_err(|_| 0u16)?;
            if !resp.status().is_success() {
                let st = resp.status().as_u16();
                if std::env::var_os("PHIWALL_LOAD_SHOW_ERRORS").is_some() {
                    let b = resp.bytes().await.unwrap_or_default();
                    eprintln!("{st}: {}", String::from_utf8_lossy(&b));
                }
                return Err(st);
            }
            if is_stream {
                let mut s = resp.bytes_stream();
                let mut first = None;
                while let Some(chunk) = s.next().await {
                    let chunk = chunk.map_err(|_| 0u16)?;
                    if first.is_none() && has_content(&chunk) {
                        first = Some(at.elapsed());
                    }
                }
                first.map(|d| d.as_micros() as u64).ok_or(1u16)
            } else {
                let _ = resp.bytes().await.map_err(|_| 0u16)?;
                Ok(at.elapsed().as_micros() as u64)
            }
        });
        // Reap finished tasks as we go so memory stays flat.
        while let Some(r) = set.try_join_next() {
            record(&mut stats, r);
        }
    }
    while let Some(r) = set.join_next().await {
        record(&mut stats, r);
    }
    stats
}

fn report(name: &str, s: &mut Stats) -> (u64, u64) {
    let n = s.lat_us.len();
    let p50 = pct(&mut s.lat_us, 0.50);
    let p90 = pct(&mut s.lat_us, 0.90);
    let p99 = pct(&mut s.lat_us, 0.99);
    let max = s.lat_us.iter().copied().max().unwrap_or(0);
    println!(
        "| {name:<28} | {n:>6} | {:>6} | {:>8.3} | {:>8.3} | {:>8.3} | {:>8.3} |",
        s.errors,
        p50 as f64 / 1000.0,
        p90 as f64 / 1000.0,
        p99 as f64 / 1000.0,
        max as f64 / 1000.0
    );
    (p50, p99)
}

/// A multi-threaded runtime of its own (the stub upstream and the gateway run apart from the
/// load generator, as separate processes would: a scan holding a gateway worker must not
/// delay the generator's clock or its reading of other responses).
fn runtime(name: &str, workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name(name)
        .enable_all()
        .build()
        .unwrap()
}

fn main() {
    let a = args();
    let stub_rt = runtime("stub", 1);
    let gw_rt = runtime("phiwall", 2);
    let rt = runtime("load", 2);
    // Stub upstream.
    let stub = stub_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let stub_addr = stub.local_addr().unwrap();
    let _stub_task = stub_rt.spawn(async move {
        axum::serve(stub, phiwall_gateway::sim::router()).await.unwrap();
    });
    // Gateway.
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        r#"
data_dir = "{}"
[server]
listen = "127.0.0.1:0"
metrics_listen = "off"
[audit]
fsync = "{fsync}"
reply_waits_for = "{waits}"
[upstreams.stub]
base_url = "http://{stub_addr}/v1"
[models.phiwall-sim]
upstream = "stub"
[apps.bench]
models = ["phiwall-sim"]
requests_per_minute = 100000000
tokens_per_minute = 100000000000
key_requests_per_minute = 100000000
key_tokens_per_minute = 100000000000
[apps.bench.phi]
default = "mask"
NAME = "tokenize"
SSN = "block"
"#,
        dir.path().display(),
        fsync = a.fsync,
        waits = a.reply_waits_for
    );
    let cfg = RawConfig::from_toml(&toml).unwrap().validate().unwrap();
    let (gw, l) = gw_rt.block_on(async {
        let gw = Gateway::build(cfg, BuildOptions::default()).unwrap();
        (gw, tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
    });
    let key = phiwall_store::keys::create(gw.key_store().as_ref(), "bench", "load", None, 0)
        .unwrap()
        .reveal()
        .to_string();
    let metrics = gw.metrics();
    let gw_addr = l.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let gw_task = gw_rt.spawn(async move {
        gw.serve(l, None, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });

    rt.block_on(async move {
        let client = reqwest::Client::builder().pool_max_idle_per_host(512).tcp_nodelay(true).build().unwrap();
        let p = prompt(a.prompt_bytes);
        let plain = serde_json::json!({"model": "phiwall-sim", "max_tokens": 64, "messages": [{"role": "user", "content": p}]}).to_string();
        let stream = serde_json::json!({"model": "phiwall-sim", "max_tokens": 64, "stream": true, "messages": [{"role": "user", "content": p}]}).to_string();
        let direct = format!("http://{stub_addr}/v1/chat/completions");
        let through = format!("http://{gw_addr}/v1/chat/completions");

        println!("phiwall load test: {} req/s for {} s in {} rounds, {}-byte prompts, scanning on, ledger fsync {}, replies wait for the {} record; streaming at {} req/s", a.rate, a.secs, a.rounds, a.prompt_bytes, a.fsync, a.reply_waits_for, a.stream_rate);
        // Warm up connections and caches.
        let _ = run_phase(&client, &direct, None, &plain, 200, 1, false).await;
        let _ = run_phase(&client, &through, Some(&key), &plain, 200, 1, false).await;

        println!("| phase                        |     ok | errors | p50 ms   | p90 ms   | p99 ms   | max ms   |");
        println!("|------------------------------|--------|--------|----------|----------|----------|----------|");
        // Direct and through phiwall alternate in rounds, so drift in the machine's speed over
        // the run falls on both alike.
        let (mut d, mut t, mut ds, mut ts) = (Stats::default(), Stats::default(), Stats::default(), Stats::default());
        let round_secs = (a.secs / a.rounds).max(1);
        let stream_secs = (a.secs.min(5) / a.rounds).max(1);
        for _ in 0..a.rounds {
            d.merge(run_phase(&client, &direct, None, &plain, a.rate, round_secs, false).await);
            t.merge(run_phase(&client, &through, Some(&key), &plain, a.rate, round_secs, false).await);
            ds.merge(run_phase(&client, &direct, None, &stream, a.stream_rate, stream_secs, true).await);
            ts.merge(run_phase(&client, &through, Some(&key), &stream, a.stream_rate, stream_secs, true).await);
        }
        let (d50, d99) = report("direct (stub upstream)", &mut d);
        let (t50, t99) = report("through phiwall", &mut t);
        let (ds50, ds99) = report("stream TTFT direct", &mut ds);
        let (ts50, ts99) = report("stream TTFT through phiwall", &mut ts);
        let diff = |a: u64, b: u64| (a as f64 - b as f64) / 1000.0;
        println!();
        println!("added by phiwall (plain):   p50 {:+.3} ms, p99 {:+.3} ms; errors direct {} / through {}", diff(t50, d50), diff(t99, d99), d.errors, t.errors);
        println!("added by phiwall (stream TTFT): p50 {:+.3} ms, p99 {:+.3} ms; errors direct {} / through {}", diff(ts50, ds50), diff(ts99, ds99), ds.errors, ts.errors);
        if !t.error_statuses.is_empty() || !ts.error_statuses.is_empty() {
            println!("error statuses through phiwall (0 = transport error): plain {:?}, stream {:?}", t.error_statuses, ts.error_statuses);
        }
        // phiwall's own time per request (total minus upstream), from its histogram: the
        // smallest bucket bound holding 50% / 99% of requests.
        let m = metrics.render();
        let buckets: Vec<(String, u64)> = m
            .lines()
            .filter(|l| l.starts_with("phiwall_gateway_overhead_seconds_bucket{endpoint=\"chat.completions\""))
            .filter_map(|l| {
                let le = l.split("le=\"").nth(1)?.split('"').next()?.to_string();
                let n = l.rsplit(' ').next()?.parse().ok()?;
                Some((le, n))
            })
            .collect();
        let count = buckets.last().map_or(0, |b| b.1);
        let q = |p: f64| buckets.iter().find(|(_, n)| *n as f64 >= p * count as f64).map_or("?".to_string(), |(le, _)| le.clone());
        println!("phiwall's own time per request (histogram bucket bound): p50 <= {} s, p99 <= {} s over {count} requests", q(0.5), q(0.99));
        for line in m.lines().filter(|l| l.starts_with("phiwall_gateway_overhead_seconds_sum") || l.starts_with("phiwall_gateway_overhead_seconds_count")) {
            println!("{line}");
        }
    });
    let _ = tx.send(());
    let _ = gw_rt.block_on(gw_task);
}
