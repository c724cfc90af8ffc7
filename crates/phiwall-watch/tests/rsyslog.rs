//! Syslog sinks against a real rsyslog (issue 7 "Done means"): the test starts its own
//! `rsyslogd` with a generated configuration on a free loopback port, writing what it parses to
//! a file, over plain TCP (RFC 6587 octet counting) and over TLS (RFC 5425, a CA and server
//! certificate generated with rcgen, rsyslog's gtls driver). It also runs an outage: rsyslog is
//! down for the first part of the run, then started.
//!
//! Skips with a printed reason when `rsyslogd` (or its TLS module) is missing, unless
//! `PHIWALL_REQUIRE_EXTERNAL=1` (then a missing peer fails the test). `.ci/ext/siem.sh`
//! installs `rsyslog` and `rsyslog-gnutls`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr, clippy::panic)]

mod common;

use common::*;
use phiwall_watch::Metrics;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

fn required() -> bool {
    std::env::var("PHIWALL_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1")
}

fn rsyslogd() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("PHIWALL_RSYSLOGD") {
        return Some(PathBuf::from(p));
    }
    ["/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/local/sbin/rsyslogd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn gtls_available() -> bool {
    ["/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/aarch64-linux-gnu/rsyslog", "/usr/lib/rsyslog"]
        .iter()
        .any(|d| Path::new(d).join("lmnsd_gtls.so").exists())
}

fn skip(reason: &str) -> bool {
    if required() {
        panic!("PHIWALL_REQUIRE_EXTERNAL=1 but {reason}; run .ci/ext/siem.sh");
    }
    eprintln!("skipped: {reason} (install rsyslog and rsyslog-gnutls, or run .ci/ext/siem.sh)");
    true
}

struct Rsyslog {
    child: Child,
    out: PathBuf,
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Start rsyslogd listening on `port` (TLS when `tls` = (ca, cert, key)).
fn start_rsyslog(bin: &Path, dir: &Path, port: u16, tls: Option<(&Path, &Path, &Path)>) -> Rsyslog {
    let work = dir.join(format!("work-{port}"));
    std::fs::create_dir_all(&work).unwrap();
    let out = dir.join(format!("out-{port}.log"));
    let mut conf = format!("global(workDirectory=\"{}\"", work.display());
    if let Some((ca, cert, key)) = tls {
        conf.push_str(&format!(
            " defaultNetstreamDriver=\"gtls\" defaultNetstreamDriverCAFile=\"{}\" defaultNetstreamDriverCertFile=\"{}\" defaultNetstreamDriverKeyFile=\"{}\"",
            ca.display(), cert.display(), key.display()
        ));
    }
    conf.push_str(")\n");
    match tls {
        Some(_) => conf.push_str("module(load=\"imtcp\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\")\n"),
        None => conf.push_str("module(load=\"imtcp\")\n"),
    }
    conf.push_str(&format!("input(type=\"imtcp\" address=\"127.0.0.1\" port=\"{port}\")\n"));
    conf.push_str("template(name=\"fields\" type=\"string\" string=\"%pri%|%protocol-version%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%msg%\\n\")\n");
    conf.push_str(&format!(
        "action(type=\"omfile\" file=\"{}\" template=\"fields\")\n",
        out.display()
    ));
    let cfile = dir.join(format!("rsyslog-{port}.conf"));
    std::fs::write(&cfile, conf).unwrap();
    let child = Command::new(bin)
        .args(["-n", "-f"])
        .arg(&cfile)
        .arg("-i")
        .arg(dir.join(format!("rsyslog-{port}.pid")))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rsyslogd");
    wait_until(15, "rsyslogd to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    Rsyslog { child, out }
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p).unwrap_or_default().lines().map(str::to_string).collect()
}

fn check_json_lines(ls: &[String], n: usize) {
    let mut ids = Vec::new();
    for l in ls {
        let f: Vec<&str> = l.splitn(8, '|').collect();
        assert_eq!(f.len(), 8, "{l}");
        assert_eq!(f[1], "1", "RFC 5424 version");
        assert_eq!(f[3], "gw-test");
        assert_eq!(f[4], "phiwall");
        assert!(f[6] == "api_activity" || f[6] == "detection_finding", "{l}");
        assert!(f[2].starts_with("2023-11-14T22:13:"), "{l}");
        let v: serde_json::Value = serde_json::from_str(f[7].trim_start()).unwrap();
        if f[6] == "api_activity" {
            assert_eq!(f[0], "134", "local0.info");
            ids.push(v["metadata"]["uid"].as_str().unwrap().to_string());
        }
    }
    let want: Vec<String> = (0..n).map(|s| format!("k1-{s}")).collect();
    assert_eq!(ids, want, "every event, once, in order");
}

#[test]
fn syslog_tcp_json_to_rsyslog() {
    let Some(bin) = rsyslogd() else {
        skip("rsyslogd not found");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let rs = start_rsyslog(&bin, dir.path(), port, None);
    let metrics = Arc::new(Metrics::default());
    let sink = sink_from_toml(
        &format!("kind = \"syslog\"\nendpoint = \"127.0.0.1:{port}\"\nhostname = \"gw-test\""),
        dir.path(),
        &metrics,
    );
    let b = bus(vec![sink], metrics.clone(), &dir.path().join("spill"));
    let w = b.watch();
    for s in 0..500 {
        w.emit(event(1, s));
    }
    w.emit_detection(detection("det-9"));
    drop(w);
    wait_until(20, "rsyslog to write 501 lines", || lines(&rs.out).len() >= 501);
    b.shutdown();
    let ls = lines(&rs.out);
    assert_eq!(ls.len(), 501);
    check_json_lines(&ls, 500);
}

#[test]
fn syslog_tls_cef_to_rsyslog_with_outage() {
    let Some(bin) = rsyslogd() else {
        skip("rsyslogd not found");
        return;
    };
    if !gtls_available() {
        skip("rsyslog's TLS module (lmnsd_gtls.so, package rsyslog-gnutls) not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A CA and a server certificate for 127.0.0.1 / localhost.
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "phiwall test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let srv_key = rcgen::KeyPair::generate().unwrap();
    let srv_params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let srv = srv_params.signed_by(&srv_key, &ca, &ca_key).unwrap();
    let (ca_p, cert_p, key_p) =
        (dir.path().join("ca.pem"), dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&ca_p, ca.pem()).unwrap();
    std::fs::write(&cert_p, srv.pem()).unwrap();
    std::fs::write(&key_p, srv_key.serialize_pem()).unwrap();

    // rsyslog is down for the first part of the run.
    let port = free_port();
    let metrics = Arc::new(Metrics::default());
    let sink = sink_from_toml(
        &format!(
            "kind = \"syslog\"\nendpoint = \"127.0.0.1:{port}\"\ntls = true\ntls_ca_file = \"{}\"\ntls_server_name = \"localhost\"\nformat = \"cef\"\nhostname = \"gw-test\"\nbackoff_base_ms = 20\nbackoff_max_secs = 1",
            ca_p.display()
        ),
        dir.path(),
        &metrics,
    );
    let b = bus(vec![sink], metrics.clone(), &dir.path().join("spill"));
    let w = b.watch();
    for s in 0..300 {
        w.emit(event(1, s));
    }
    wait_until(10, "failed attempts while rsyslog is down", || {
        !metrics.render().contains("phiwall_sink_failures_total{kind=\"syslog\",sink=\"syslog\"} 0")
    });
    let rs = start_rsyslog(&bin, dir.path(), port, Some((&ca_p, &cert_p, &key_p)));
    for s in 300..600 {
        w.emit(event(1, s));
    }
    drop(w);
    wait_until(30, "rsyslog to write 600 lines", || lines(&rs.out).len() >= 600);
    b.shutdown();
    std::thread::sleep(Duration::from_millis(200));
    let ls = lines(&rs.out);
    let mut ids = Vec::new();
    for l in &ls {
        let f: Vec<&str> = l.splitn(8, '|').collect();
        assert_eq!(f[6], "api_activity", "{l}");
        let msg = f[7].trim_start();
        assert!(msg.starts_with("CEF:0|phiwall|phiwall|"), "{l}");
        let ext = msg.split_once("externalId=").unwrap().1;
        ids.push(ext.split(' ').next().unwrap().to_string());
    }
    let want: Vec<String> = (0..600).map(|s| format!("k1-{s}")).collect();
    assert_eq!(ids, want, "every event, once, in order, across the outage");
}
