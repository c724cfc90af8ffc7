//! Outage test (issue 7 "Done means"): the receiver is down for the first part of a load run,
//! the sink is restarted while it is down, then the receiver comes up and at times loses its
//! acknowledgements. Every record arrives; duplicates are only whole batches whose
//! acknowledgement was lost (at-least-once); order within each principal is preserved.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use phiwall_watch::Metrics;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const PRINCIPALS: usize = 20;
const PER: usize = 250; // 5,000 records

fn sink_toml(url: &str) -> String {
    format!(
        "kind = \"webhook\"\nname = \"soc\"\nendpoint = \"{url}/ingest\"\nbatch_size = 64\nbackoff_base_ms = 20\nbackoff_max_secs = 1\nfsync = \"always\""
    )
}

#[test]
fn outage_restart_and_lost_acks_lose_nothing_and_keep_order() {
    let dir = tempfile::tempdir().unwrap();
    // Reserve a port, then leave it closed: the receiver is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let order: Vec<(usize, usize)> =
        (0..PER).flat_map(|s| (0..PRINCIPALS).map(move |p| (p, s))).collect();
    let (first, second) = order.split_at(order.len() / 2);

    // Part 1: receiver down; emit half the load; stop the sink (it keeps its buffer).
    let m1 = Arc::new(Metrics::default());
    let sink = sink_from_toml(&sink_toml(&url), dir.path(), &m1);
    let b = bus(vec![sink], m1.clone(), &dir.path().join("spill"));
    let w = b.watch();
    for &(p, s) in first {
        w.emit(event(p, s));
    }
    drop(w);
    wait_until(10, "failed attempts", || {
        m1.render().contains("phiwall_sink_failures_total{kind=\"webhook\",sink=\"soc\"} ")
            && !m1.render().contains("phiwall_sink_failures_total{kind=\"webhook\",sink=\"soc\"} 0")
    });
    b.shutdown();
    let text = m1.render();
    assert!(
        text.contains("phiwall_sink_delivered_total{kind=\"webhook\",sink=\"soc\"} 0"),
        "{text}"
    );

    // Part 2: a new sink on the same buffer (a restart), the rest of the load, receiver still down.
    let m2 = Arc::new(Metrics::default());
    let sink = sink_from_toml(&sink_toml(&url), dir.path(), &m2);
    let b = bus(vec![sink], m2.clone(), &dir.path().join("spill"));
    let w = b.watch();
    for &(p, s) in second {
        w.emit(event(p, s));
    }
    let buffered = |m: &Metrics| {
        let t = m.render();
        t.lines()
            .find(|l| l.starts_with("phiwall_sink_buffered_records{kind=\"webhook\",sink=\"soc\"}"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    wait_until(10, "everything buffered", || buffered(&m2) as usize == order.len());

    // Part 3: the receiver comes up; every 7th request it records the batch but answers 503
    // (a lost acknowledgement), so that batch is sent again.
    let lost = Arc::new(AtomicUsize::new(0));
    let lost2 = lost.clone();
    let stub = Stub::start(
        format!("127.0.0.1:{port}").parse().unwrap(),
        Arc::new(move |_, n| {
            if n % 7 == 3 {
                lost2.fetch_add(1, Ordering::Relaxed);
                (503, "text/plain", String::new())
            } else {
                (200, "text/plain", String::new())
            }
        }),
    );
    let count = || stub.seen().iter().map(|s| ocsf_ids(&s.body).len()).sum::<usize>();
    wait_until(60, "all records", || {
        let ids: BTreeSet<String> = stub.seen().iter().flat_map(|s| ocsf_ids(&s.body)).collect();
        ids.len() == order.len()
    });
    drop(w);
    b.shutdown();

    let reqs = stub.seen();
    let mut received: Vec<String> = Vec::new();
    let mut dup_allowance = 0usize;
    for (i, r) in reqs.iter().enumerate() {
        let ids = ocsf_ids(&r.body);
        if i % 7 == 3 {
            dup_allowance += ids.len();
        }
        received.extend(ids);
    }
    let unique: BTreeSet<&String> = received.iter().collect();
    assert_eq!(unique.len(), order.len(), "every record arrived");
    let dups = received.len() - unique.len();
    assert!(dups <= dup_allowance, "{dups} duplicates, only {dup_allowance} were unacknowledged");
    assert!(lost.load(Ordering::Relaxed) > 0, "the test lost some acknowledgements");
    assert_eq!(count(), received.len());

    // Order per principal: first arrivals are in emission order.
    let mut seen_once = BTreeSet::new();
    let mut per: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for id in &received {
        if !seen_once.insert(id.clone()) {
            continue;
        }
        let (p, s) = id.trim_start_matches('k').split_once('-').unwrap();
        per.entry(p.parse().unwrap()).or_default().push(s.parse().unwrap());
    }
    for (p, seqs) in &per {
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "principal {p} out of order");
        assert_eq!(seqs.len(), PER);
    }
    // And the whole stream, duplicates included, only ever steps back to resend a batch.
    let text = m2.render();
    assert!(
        text.contains("phiwall_sink_buffered_records{kind=\"webhook\",sink=\"soc\"} 0"),
        "{text}"
    );
    assert!(text.contains("phiwall_sink_lag_seconds{kind=\"webhook\",sink=\"soc\"} 0"), "{text}");
}
