//! SIEM HTTP sinks against local stubs that check each vendor's request shape: path, method,
//! headers, authentication and body format (issue 7).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use phiwall_watch::Metrics;
use std::sync::Arc;

fn secret_file(dir: &std::path::Path, name: &str, value: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("{value}\n")).unwrap();
    format!("file:{}", p.display())
}

fn emit_sample(bus: &phiwall_watch::EventBus) {
    let w = bus.watch();
    for s in 0..3 {
        w.emit(event(1, s));
    }
    w.emit_detection(detection("det-1"));
}

#[test]
fn webhook_posts_ocsf_json_array_with_bearer() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(|_, _| (200, "text/plain", String::new())),
    );
    let metrics = Arc::new(Metrics::default());
    let tok = secret_file(dir.path(), "tok", "hook-token");
    let sink = sink_from_toml(
        &format!("kind = \"webhook\"\nendpoint = \"{}/ocsf\"\ntoken = \"{tok}\"", stub.url()),
        dir.path(),
        &metrics,
    );
    let bus = bus(vec![sink], metrics.clone(), &dir.path().join("spill"));
    emit_sample(&bus);
    wait_until(10, "4 records", || {
        stub.seen().iter().map(|s| ocsf_ids(&s.body).len()).sum::<usize>() == 4
    });
    bus.shutdown();
    let reqs = stub.seen();
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/ocsf");
    assert_eq!(r.headers["authorization"], "Bearer hook-token");
    assert_eq!(r.headers["content-type"], "application/json");
    let all: Vec<serde_json::Value> = reqs
        .iter()
        .flat_map(|s| serde_json::from_slice::<Vec<serde_json::Value>>(&s.body).unwrap())
        .collect();
    assert_eq!(all.iter().filter(|v| v["class_uid"] == 6003).count(), 3);
    let det = all.iter().find(|v| v["class_uid"] == 2004).unwrap();
    assert_eq!(det["finding_info"]["uid"], "det-1");
    assert_eq!(det["type_uid"], 200401);
    let text = metrics.render();
    assert!(
        text.contains("phiwall_sink_delivered_total{kind=\"webhook\",sink=\"webhook\"} 4"),
        "{text}"
    );
    assert!(
        text.contains("phiwall_detections_total{kind=\"bulk_patient_access\",severity=\"high\"} 1")
    );
}

#[test]
fn splunk_hec_with_indexer_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(|s, n| match s.path.as_str() {
            "/services/collector/event" => (
                200,
                "application/json",
                format!("{{\"text\":\"Success\",\"code\":0,\"ackId\":{n}}}"),
            ),
            "/services/collector/ack" => {
                // Not indexed on the first poll of each id, indexed on the next.
                let v: serde_json::Value = serde_json::from_slice(&s.body).unwrap();
                let id = v["acks"][0].as_u64().unwrap();
                let done = n as u64 > id + 1;
                (200, "application/json", format!("{{\"acks\":{{\"{id}\":{done}}}}}"))
            }
            _ => (404, "text/plain", String::new()),
        }),
    );
    let metrics = Arc::new(Metrics::default());
    let tok = secret_file(dir.path(), "hec", "11111111-2222-3333-4444-555555555555");
    let sink = sink_from_toml(
        &format!(
            "kind = \"splunk_hec\"\nendpoint = \"{}\"\ntoken = \"{tok}\"\nindex = \"security\"\nack_poll_ms = 20\nhostname = \"gw1\"",
            stub.url()
        ),
        dir.path(),
        &metrics,
    );
    let bus = bus(vec![sink], metrics.clone(), &dir.path().join("spill"));
    emit_sample(&bus);
    wait_until(10, "4 delivered", || {
        metrics
            .render()
            .contains("phiwall_sink_delivered_total{kind=\"splunk_hec\",sink=\"splunk_hec\"} 4")
    });
    bus.shutdown();
    let reqs = stub.seen();
    let events: Vec<_> = reqs.iter().filter(|r| r.path == "/services/collector/event").collect();
    let acks: Vec<_> = reqs.iter().filter(|r| r.path == "/services/collector/ack").collect();
    assert!(!events.is_empty() && acks.len() >= events.len());
    let channel = &events[0].headers["x-splunk-request-channel"];
    assert_eq!(channel.len(), 36);
    for r in reqs.iter() {
        assert_eq!(r.method, "POST");
        assert_eq!(r.headers["authorization"], "Splunk 11111111-2222-3333-4444-555555555555");
        assert_eq!(&r.headers["x-splunk-request-channel"], channel);
    }
    // Body: concatenated HEC envelopes.
    let mut n = 0;
    for r in &events {
        for v in serde_json::Deserializer::from_slice(&r.body).into_iter::<serde_json::Value>() {
            let v = v.unwrap();
            assert_eq!(v["sourcetype"], "phiwall:ocsf");
            assert_eq!(v["index"], "security");
            assert_eq!(v["host"], "gw1");
            assert!(v["time"].as_f64().unwrap() >= 1.7e9);
            assert!(v["event"]["class_uid"] == 6003 || v["event"]["class_uid"] == 2004);
            n += 1;
        }
    }
    assert_eq!(n, 4);
    let ack: serde_json::Value = serde_json::from_slice(&acks[0].body).unwrap();
    assert!(ack["acks"].is_array());
}

#[test]
fn sentinel_logs_ingestion_with_client_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(|s, _| match s.path.as_str() {
            "/tenant-1/oauth2/v2.0/token" => (
                200,
                "application/json",
                r#"{"token_type":"Bearer","expires_in":3599,"access_token":"at-1"}"#.into(),
            ),
            p if p.starts_with("/dataCollectionRules/") => {
                if s.headers.get("authorization").map(String::as_str) == Some("Bearer at-1") {
                    (204, "text/plain", String::new())
                } else {
                    (401, "text/plain", String::new())
                }
            }
            _ => (404, "text/plain", String::new()),
        }),
    );
    let metrics = Arc::new(Metrics::default());
    let secret = secret_file(dir.path(), "cs", "s3cr&t=");
    let sink = sink_from_toml(
        &format!(
            "kind = \"sentinel\"\nendpoint = \"{u}\"\ntoken = \"{secret}\"\ndcr_immutable_id = \"dcr-0123abcd\"\ntoken_url = \"{u}/tenant-1/oauth2/v2.0/token\"\nclient_id = \"app-1\"",
            u = stub.url()
        ),
        dir.path(),
        &metrics,
    );
    let bus = bus(vec![sink], metrics.clone(), &dir.path().join("spill"));
    emit_sample(&bus);
    wait_until(10, "4 delivered", || {
        metrics
            .render()
            .contains("phiwall_sink_delivered_total{kind=\"sentinel\",sink=\"sentinel\"} 4")
    });
    bus.shutdown();
    let reqs = stub.seen();
    let tok: Vec<_> = reqs.iter().filter(|r| r.path.ends_with("/token")).collect();
    assert_eq!(tok.len(), 1, "token cached");
    assert_eq!(tok[0].headers["content-type"], "application/x-www-form-urlencoded");
    let form = String::from_utf8(tok[0].body.clone()).unwrap();
    assert!(form.contains("grant_type=client_credentials"));
    assert!(form.contains("client_id=app-1"));
    assert!(form.contains("client_secret=s3cr%26t%3D"));
    assert!(form.contains("scope=https%3A%2F%2Fmonitor.azure.com%2F.default"));
    let ing: Vec<_> = reqs.iter().filter(|r| r.path.starts_with("/dataCollectionRules")).collect();
    assert_eq!(ing[0].path, "/dataCollectionRules/dcr-0123abcd/streams/Custom-PhiwallEvents");
    assert_eq!(ing[0].query.as_deref(), Some("api-version=2023-01-01"));
    assert_eq!(ing[0].headers["content-type"], "application/json");
    let rows: Vec<serde_json::Value> = ing
        .iter()
        .flat_map(|r| serde_json::from_slice::<Vec<serde_json::Value>>(&r.body).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["TimeGenerated"].as_str().unwrap().ends_with('Z')));
    assert!(rows.iter().any(|r| r["DetectionKind"] == "bulk_patient_access"));
}

#[test]
fn elasticsearch_bulk_ndjson_ecs_and_conflicts_count_as_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(|s, _| {
            if s.path != "/_bulk" {
                return (404, "text/plain", String::new());
            }
            let lines = s.body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
            // First item "already exists" (a resend), the rest created.
            let mut items = vec![r#"{"create":{"status":409}}"#.to_string()];
            items.extend((1..lines / 2).map(|_| r#"{"create":{"status":201}}"#.to_string()));
            (
                200,
                "application/json",
                format!("{{\"took\":1,\"errors\":true,\"items\":[{}]}}", items.join(",")),
            )
        }),
    );
    let metrics = Arc::new(Metrics::default());
    let key = secret_file(dir.path(), "es", "aWQ6a2V5");
    let sink = sink_from_toml(
        &format!("kind = \"elasticsearch\"\nendpoint = \"{}\"\ntoken = \"{key}\"", stub.url()),
        dir.path(),
        &metrics,
    );
    let bus = bus(vec![sink], metrics.clone(), &dir.path().join("spill"));
    emit_sample(&bus);
    wait_until(10, "4 delivered", || {
        metrics.render().contains(
            "phiwall_sink_delivered_total{kind=\"elasticsearch\",sink=\"elasticsearch\"} 4",
        )
    });
    bus.shutdown();
    let reqs = stub.seen();
    let r = &reqs[0];
    assert_eq!(r.headers["content-type"], "application/x-ndjson");
    assert_eq!(r.headers["authorization"], "ApiKey aWQ6a2V5");
    let mut docs = 0;
    for r in &reqs {
        assert!(r.body.ends_with(b"\n"), "bulk body ends with a newline");
        let lines: Vec<&[u8]> = r.body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
        for pair in lines.chunks(2) {
            let action: serde_json::Value = serde_json::from_slice(pair[0]).unwrap();
            assert_eq!(action["create"]["_index"], "logs-phiwall-default");
            assert_eq!(action["create"]["_id"].as_str().unwrap().len(), 32);
            let doc: serde_json::Value = serde_json::from_slice(pair[1]).unwrap();
            assert!(doc["@timestamp"].as_str().unwrap().ends_with('Z'));
            assert_eq!(doc["ecs"]["version"], "8.11.0");
            assert!(doc["event"]["kind"] == "event" || doc["event"]["kind"] == "alert");
            docs += 1;
        }
    }
    assert_eq!(docs, 4);
}

#[test]
fn malformed_rejections_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(|_, n| {
            if n == 0 {
                (400, "text/plain", "bad".into())
            } else {
                (200, "text/plain", String::new())
            }
        }),
    );
    let metrics = Arc::new(Metrics::default());
    let sink = sink_from_toml(
        &format!("kind = \"webhook\"\nendpoint = \"{}/x\"\nbatch_size = 1", stub.url()),
        dir.path(),
        &metrics,
    );
    let bus = bus(vec![sink], metrics.clone(), &dir.path().join("spill"));
    let w = bus.watch();
    w.emit(event(1, 0));
    w.emit(event(1, 1));
    drop(w);
    wait_until(10, "delivery", || {
        metrics
            .render()
            .contains("phiwall_sink_delivered_total{kind=\"webhook\",sink=\"webhook\"} 1")
    });
    bus.shutdown();
    assert!(metrics
        .render()
        .contains("phiwall_sink_rejected_total{kind=\"webhook\",sink=\"webhook\"} 1"));
}
