//! PHI canary (issue 7): events and detections cannot hold request text by type, so this checks
//! the remaining ways text could leak: every encoder's output, the metrics exposition, and the
//! errors a sink reports when a receiver echoes what it was sent in an error body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use phiwall_watch::siem::delivery::{SendError, Transport};
use phiwall_watch::siem::encode::{
    cef::CefEncoder, ecs::EcsEncoder, ocsf::OcsfEncoder, sentinel::SentinelEncoder,
    splunk::SplunkEncoder, syslog::Payload, syslog::SyslogEncoder, Encoder,
};
use phiwall_watch::siem::http::{client, Webhook};
use phiwall_watch::{Metrics, Record};
use std::sync::Arc;
use std::time::Duration;

/// What a caller said (never put in an event): planted PHI-looking values.
const REQUEST_TEXT: &str =
    "Patient Zebediah Quarrington, DOB 03/14/1961, SSN 078-05-1120, call 555-867-5309, MRN 88231907";
const CANARIES: [&str; 5] = ["Zebediah", "Quarrington", "078-05-1120", "555-867-5309", "88231907"];

/// Build the event the way the gateway does from a scanned request: kinds and counts only.
fn event_for_request() -> phiwall_watch::Event {
    let mut e = event(3, 1);
    // The scanner found a name, a date, an SSN, a phone number and an MRN in REQUEST_TEXT.
    for kind in
        ["input.phi.NAME", "input.phi.DATE", "input.phi.SSN", "input.phi.PHONE", "input.phi.MRN"]
    {
        e.count_finding(kind, 1);
    }
    e.count_action("tokenize", 4);
    e.tokens_in = REQUEST_TEXT.len() as u64 / 4;
    e
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let s = String::from_utf8_lossy(bytes);
    for c in CANARIES {
        assert!(!s.contains(c), "{what} echoes {c:?}");
    }
}

#[test]
fn encoders_and_metrics_carry_no_request_text() {
    let recs = [Record::Event(event_for_request()), Record::Detection(detection("d-1"))];
    let encoders: Vec<(&str, Box<dyn Encoder>)> = vec![
        ("ocsf", Box::new(OcsfEncoder)),
        (
            "splunk",
            Box::new(SplunkEncoder {
                host: "h".into(),
                source: "s".into(),
                sourcetype: "t".into(),
                index: None,
            }),
        ),
        ("sentinel", Box::new(SentinelEncoder)),
        ("ecs", Box::new(EcsEncoder)),
        ("cef", Box::new(CefEncoder)),
        ("syslog-json", Box::new(SyslogEncoder::new(16, Payload::Json, Some("h")))),
        ("syslog-cef", Box::new(SyslogEncoder::new(16, Payload::Cef, Some("h")))),
    ];
    for r in &recs {
        for (name, enc) in &encoders {
            let mut out = Vec::new();
            enc.encode(r, &mut out).unwrap();
            assert_clean(name, &out);
        }
    }
    let m = Metrics::default();
    if let Record::Event(e) = &recs[0] {
        m.record(e);
    }
    if let Record::Detection(d) = &recs[1] {
        m.record_detection(d);
    }
    m.register_sink("soc", "webhook");
    assert_clean("metrics", m.render().as_bytes());
}

#[test]
fn receiver_error_bodies_are_not_echoed_in_sink_errors() {
    // A receiver that answers 400 with what it was sent plus the request text.
    let stub = Stub::start(
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(|s, _| {
            (400, "text/plain", format!("bad: {} {REQUEST_TEXT}", String::from_utf8_lossy(&s.body)))
        }),
    );
    let mut t = Webhook {
        client: client(None, Duration::from_secs(5)).unwrap(),
        endpoint: format!("{}/x", stub.url()),
        token: None,
    };
    let mut body = Vec::new();
    OcsfEncoder.encode(&Record::Event(event_for_request()), &mut body).unwrap();
    let err = t.send(&[&body]).unwrap_err();
    assert!(matches!(err, SendError::Reject(_)));
    assert_clean("sink error", err.to_string().as_bytes());
}
