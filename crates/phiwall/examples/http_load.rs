//! Closed-loop HTTP load against one or more gateway replicas, round robin: `--concurrency`
//! workers each send the next chat request as soon as the previous answer arrived, for
//! `--secs` seconds. Prints one JSON line: requests per second, status counts, latency
//! percentiles. Used by `bench/cluster.sh` (3 replicas vs 1); loopback addresses only.
//!
//!   http_load --key KEY --secs 10 --concurrency 32 127.0.0.1:8001 127.0.0.1:8002 ...

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut key = String::new();
    let (mut secs, mut conc) = (10u64, 32usize);
    let mut addrs = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--key" => key = it.next().unwrap_or_default(),
            "--secs" => secs = it.next().and_then(|v| v.parse().ok()).unwrap_or(10).clamp(1, 300),
            "--concurrency" => {
                conc = it.next().and_then(|v| v.parse().ok()).unwrap_or(32).clamp(1, 1024)
            }
            other => addrs.push(other.to_string()),
        }
    }
    if key.is_empty() || addrs.is_empty() {
        eprintln!("usage: http_load --key KEY [--secs N] [--concurrency N] ADDR...");
        return std::process::ExitCode::from(2);
    }
    for a in &addrs {
        let ok = a.parse::<std::net::SocketAddr>().is_ok_and(|s| s.ip().is_loopback());
        if !ok {
            eprintln!("{a}: only loopback IP:port addresses");
            return std::process::ExitCode::from(2);
        }
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(conc).build().unwrap();
    // Varied prompts: one prompt repeated from one key is flagged as model extraction by the
    // anomaly engine, and incident response contains the key (403s in the status counts).
    const PARTS: [&str; 8] = [
        "Hi, I would like to move my follow-up visit to a weekday afternoon next week.",
        "Is parking validated at the east entrance?",
        "Do I need to fast before the lab work?",
        "What time does the pharmacy close on Fridays?",
        "Could the clinic send the intake forms again?",
        "Which floor is physical therapy on?",
        "How early should I arrive for imaging?",
        "Is telehealth available for follow-up visits?",
    ];
    let body_for = move |i: usize| {
        let h = i.wrapping_mul(2_654_435_761);
        let text = (0..1 + h % 6)
            .map(|k| PARTS[(h / 7 + k * (1 + h % 3)) % PARTS.len()])
            .collect::<Vec<_>>()
            .join(" ");
        serde_json::json!({"model": "phiwall-sim", "messages": [{"role": "user", "content": text}]})
            .to_string()
    };
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let end = t0 + Duration::from_secs(secs);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..conc {
        let (client, addrs, key, next) = (client.clone(), addrs.clone(), key.clone(), next.clone());
        set.spawn(async move {
            let mut lat = Vec::new();
            let mut status: BTreeMap<String, u64> = BTreeMap::new();
            while Instant::now() < end {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let s = Instant::now();
                let r = client
                    .post(format!("http://{}/v1/chat/completions", addrs[i % addrs.len()]))
                    .bearer_auth(&key)
                    .header("content-type", "application/json")
                    .body(body_for(i))
                    .send()
                    .await;
                let code = match r {
                    Ok(r) => {
                        let c = r.status().as_u16().to_string();
                        let _ = r.bytes().await;
                        c
                    }
                    Err(_) => "error".to_string(),
                };
                lat.push(s.elapsed());
                *status.entry(code).or_default() += 1;
            }
            (lat, status)
        });
    }
    let mut lat = Vec::new();
    let mut status: BTreeMap<String, u64> = BTreeMap::new();
    while let Some(r) = set.join_next().await {
        let (l, s) = r.unwrap();
        lat.extend(l);
        for (k, v) in s {
            *status.entry(k).or_default() += v;
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let ok = status.get("200").copied().unwrap_or(0);
    println!(
        "{}",
        serde_json::json!({
            "replicas": addrs.len(), "concurrency": conc, "secs": wall,
            "ok_per_sec": (ok as f64 / wall).round(), "status": status,
            "p50_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99),
        })
    );
    std::process::ExitCode::SUCCESS
}
