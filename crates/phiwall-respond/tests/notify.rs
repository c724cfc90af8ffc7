//! Notifications against a local HTTP receiver (webhook and pager shapes), and failure paths
//! that must report a fixed phrase, not panic or leak secrets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use phiwall_respond::notify::{send, Summary};
use phiwall_respond::playbook::Notifier;
use std::io::{Read, Write};
use std::net::TcpListener;

fn summary() -> Summary {
    Summary {
        incident: "INC-000007".into(),
        title: "bulk_patient_access by key 0123456789ab".into(),
        status: "contained".into(),
        severity: "high".into(),
        kinds: vec!["bulk_patient_access".into()],
        detections: 12,
        patients_affected: 40,
        principals: vec!["key:0123456789ab".into()],
        opened_at: 1,
        next_step: "phiwall incidents show INC-000007".into(),
    }
}

/// Accept one request, answer 202, return what was received.
fn receiver() -> (String, std::thread::JoinHandle<String>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/hook", l.local_addr().unwrap().port());
    let h = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).unwrap_or(0);
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(p) = text.find("\r\n\r\n") {
                let len = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if buf.len() >= p + 4 + len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        s.write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .unwrap();
        String::from_utf8_lossy(&buf).to_string()
    });
    (url, h)
}

#[test]
fn webhook_posts_the_summary() {
    let (url, h) = receiver();
    send(&Notifier::Webhook { url, timeout_ms: 5_000 }, &summary()).unwrap();
    let got = h.join().unwrap();
    assert!(got.starts_with("POST /hook"));
    assert!(
        got.contains("\"incident\":\"INC-000007\"") && got.contains("\"patients_affected\":40")
    );
}

#[test]
fn pager_event_shape_and_routing_key_from_env() {
    let (url, h) = receiver();
    std::env::set_var("PHIWALL_TEST_PAGER_KEY", "rk-123");
    let n = Notifier::Pager {
        url,
        routing_key_env: "PHIWALL_TEST_PAGER_KEY".into(),
        timeout_ms: 5_000,
    };
    send(&n, &summary()).unwrap();
    let got = h.join().unwrap();
    assert!(got.contains("\"routing_key\":\"rk-123\""));
    assert!(
        got.contains("\"event_action\":\"trigger\"")
            && got.contains("\"dedup_key\":\"INC-000007\"")
    );
    assert!(got.contains("\"severity\":\"error\""));
}

#[test]
fn failures_are_fixed_phrases() {
    // Nothing listens on this port (bound then dropped).
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = send(
        &Notifier::Webhook { url: format!("http://127.0.0.1:{port}/x"), timeout_ms: 2_000 },
        &summary(),
    )
    .unwrap_err();
    assert_eq!(e, "connection failed");
    let smtp = Notifier::Smtp {
        host: "127.0.0.1".into(),
        port,
        is_implicit_tls: false,
        from: "phiwall@example.org".into(),
        to: vec!["sec@example.org".into()],
        username: Some("u".into()),
        password_env: Some("PHIWALL_TEST_UNSET_PASSWORD_VAR".into()),
        timeout_ms: 2_000,
    };
    let e = send(&smtp, &summary()).unwrap_err();
    assert!(e.contains("PHIWALL_TEST_UNSET_PASSWORD_VAR unset"), "{e}");
    let smtp = Notifier::Smtp {
        host: "127.0.0.1".into(),
        port,
        is_implicit_tls: false,
        from: "phiwall@example.org".into(),
        to: vec!["sec@example.org".into()],
        username: None,
        password_env: None,
        timeout_ms: 2_000,
    };
    assert_eq!(send(&smtp, &summary()).unwrap_err(), "smtp send failed");
}
