//! `phiwall posture`: the encryption posture report (issue #6 item 5). Ledger and key checks
//! come from `phiwall_ledger::posture`; this module adds a text-level scan of a configuration
//! file for plaintext secrets, weak TLS minimums and private-key files others can read, and,
//! when the file is a gateway configuration, listener TLS (mTLS), plaintext upstreams off
//! loopback and the audit ledger settings.
//!
//! Exit codes: 0 no failing check, 1 at least one failing check, 2 usage error. Output never
//! contains a secret value: findings name the file, line and key only.

use crate::cmd::log::{DirArgs, KeyArgs};
use crate::output::{self, Exit, EXIT_CHECK_FAILED};
use phiwall_ledger::posture::{check_ledger, Finding, PostureLimits, Status};
use phiwall_ledger::{Clock, SystemClock};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `phiwall posture`.
#[derive(Debug, clap::Args)]
pub struct PostureArgs {
    #[command(flatten)]
    dir: DirArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// Configuration file to scan for plaintext secrets and weak TLS settings.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Warn when keys are older than this many days.
    #[arg(long, default_value_t = 365)]
    max_key_age_days: u64,
    /// Print JSON for the audit report.
    #[arg(long)]
    json: bool,
}

/// Key names whose inline values are secrets.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "hmac_key",
    "kek",
    "credential",
];

fn finding(check: &'static str, status: Status, message: String) -> Finding {
    Finding { check, status, message }
}

/// Scan configuration text. `base` resolves relative key-file paths.
pub(crate) fn scan_config(text: &str, name: &str, base: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut secrets = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let n = i + 1;
        if line.contains("PRIVATE KEY-----") {
            out.push(finding(
                "config.plaintext_secret",
                Status::Fail,
                format!("{name} line {n}: an inline PEM private key; reference a file instead"),
            ));
            secrets += 1;
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else { continue };
        let key = k.trim().trim_matches('"').to_ascii_lowercase();
        let v = v.split(" #").next().unwrap_or("").trim();
        let value = v.trim_matches(|c| c == '"' || c == '\'');
        let is_ref = value.starts_with("env:") || value.starts_with("file:") || value.is_empty();
        let is_path_key = key.ends_with("_file") || key.ends_with("_path");
        if SECRET_WORDS.iter().any(|w| key.contains(w))
            && !is_ref
            && !is_path_key
            && v.starts_with(['"', '\''])
        {
            out.push(finding(
                "config.plaintext_secret",
                Status::Fail,
                format!("{name} line {n}: `{}` holds an inline secret; use \"env:VAR\" or \"file:PATH\"", k.trim()),
            ));
            secrets += 1;
        }
        if key.contains("tls")
            && key.contains("min")
            && ["1.0", "1.1", "tls1.0", "tls1.1", "tlsv1", "tlsv1.1"]
                .contains(&value.to_ascii_lowercase().as_str())
        {
            out.push(finding(
                "config.tls_min_version",
                Status::Fail,
                format!("{name} line {n}: TLS minimum {value} is below 1.2"),
            ));
        }
        if is_path_key && key.contains("key") && !value.is_empty() {
            let path = base.join(value.trim_start_matches("file:"));
            if let Ok(m) = std::fs::metadata(&path) {
                let mode = m.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    out.push(finding(
                        "config.key_file_permissions",
                        Status::Fail,
                        format!(
                            "{name} line {n}: {} has mode {mode:04o}; run chmod 600",
                            path.display()
                        ),
                    ));
                }
            }
        }
    }
    if secrets == 0 {
        out.push(finding(
            "config.plaintext_secret",
            Status::Pass,
            format!("{name}: no inline secrets"),
        ));
    }
    out
}

/// Whether a URL's host is loopback (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks that need the gateway's parsed configuration: listener TLS, upstream transport and
/// the audit ledger's settings. A file that is not a valid gateway configuration is reported
/// (with the parser's problem list, which names keys, never values) and not guessed at.
pub(crate) fn gateway_checks(text: &str) -> Vec<Finding> {
    use phiwall_gateway::config::{AuditKeySource, UpstreamKind};
    let cfg = match phiwall_gateway::RawConfig::from_toml(text).and_then(|r| r.validate()) {
        Ok(c) => c,
        Err(e) => {
            return vec![finding(
                "tls.listener",
                Status::Warn,
                format!("not checked: not a valid gateway configuration ({e})"),
            )]
        }
    };
    let mut out = Vec::new();
    let addr = cfg.listen;
    match &cfg.tls {
        Some(t) => out.push(finding(
            "tls.listener",
            Status::Pass,
            format!(
                "{addr}: TLS enabled (rustls, minimum TLS 1.2), mTLS {}",
                if t.client_ca.is_some() { "required (client_ca set)" } else { "off" }
            ),
        )),
        None if addr.ip().is_loopback() => out.push(finding(
            "tls.listener",
            Status::Warn,
            format!("{addr}: plaintext HTTP on loopback only; acceptable behind a local TLS proxy"),
        )),
        None => out.push(finding(
            "tls.listener",
            Status::Fail,
            format!("{addr}: plaintext HTTP off loopback; add [server.tls]"),
        )),
    }
    let mut plain = 0;
    for (name, u) in &cfg.upstreams {
        if let UpstreamKind::OpenAi { base_url, .. } = &u.kind {
            if base_url.starts_with("http://") && !is_loopback_url(base_url) {
                plain += 1;
                out.push(finding(
                    "tls.upstream",
                    Status::Fail,
                    format!(
                        "upstreams.{name}: plaintext http:// to a non-loopback host; use https://"
                    ),
                ));
            }
        }
    }
    if plain == 0 {
        out.push(finding(
            "tls.upstream",
            Status::Pass,
            format!("{} upstream(s): https or loopback only", cfg.upstreams.len()),
        ));
    }
    let a = &cfg.audit;
    out.push(if a.is_fail_open {
        finding(
            "audit.fail_closed",
            Status::Fail,
            "dangerous_audit_fail_open = true: requests are answered when audit records are lost"
                .into(),
        )
    } else {
        finding(
            "audit.fail_closed",
            Status::Pass,
            format!("requests wait for a durable audit record ({})", a.dir.display()),
        )
    });
    out.push(match &a.key {
        AuditKeySource::DevDefault(p) => finding(
            "audit.key_source",
            Status::Warn,
            format!(
                "development default KEK file {} inside the data directory; set [audit] key to a file elsewhere or a KMS",
                p.display()
            ),
        ),
        AuditKeySource::File(p) => finding(
            "audit.key_source",
            Status::Pass,
            format!("KEK file {} (mode checked when the ledger opens)", p.display()),
        ),
        AuditKeySource::Env(v) => {
            finding("audit.key_source", Status::Pass, format!("KEK from environment variable {v}"))
        }
    });
    out
}

/// Run `phiwall posture`.
pub fn run(a: PostureArgs) -> anyhow::Result<ExitCode> {
    let now = SystemClock.now_micros();
    let key_file = a.keys.key_file_path(&a.dir.data_dir);
    let provider = a.keys.provider(&a.dir.data_dir).ok();
    let mut findings = check_ledger(
        &a.dir.data_dir,
        provider.as_deref(),
        key_file.as_deref(),
        now,
        PostureLimits { max_key_age_days: a.max_key_age_days },
    );
    match &a.config {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Exit::input(format!("cannot read {}: {e}", p.display())))?;
            let base = p.parent().unwrap_or(Path::new("."));
            findings.extend(scan_config(&text, &p.display().to_string(), base));
            findings.extend(gateway_checks(&text));
        }
        None => {
            findings.push(finding(
                "config.plaintext_secret",
                Status::Warn,
                "no --config given: configuration not scanned".into(),
            ));
            findings.push(finding(
                "tls.listener",
                Status::Warn,
                "not checked: pass the gateway configuration with --config FILE".into(),
            ));
        }
    }
    let failed = findings.iter().any(|f| f.status == Status::Fail);
    if a.json {
        output::line(&serde_json::to_string_pretty(
            &serde_json::json!({ "findings": findings, "failed": failed }),
        )?);
    } else {
        for f in &findings {
            let tag = match f.status {
                Status::Pass => "PASS",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            output::line(&format!("{tag} {:<32} {}", f.check, f.message));
        }
    }
    Ok(if failed { ExitCode::from(EXIT_CHECK_FAILED) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(text: &str) -> Vec<(&'static str, Status)> {
        scan_config(text, "c.toml", Path::new("."))
            .into_iter()
            .map(|f| (f.check, f.status))
            .collect()
    }

    #[test]
    fn inline_secrets_fail_references_pass() {
        let bad =
            scan_config("[upstream]\napi_key = \"sk-live-123456\"\n", "c.toml", Path::new("."));
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].status, Status::Fail);
        assert!(!bad[0].message.contains("sk-live"), "the secret value is never printed");
        assert!(bad[0].message.contains("line 2"));
        assert_eq!(
            statuses("api_key = \"env:OPENAI_KEY\"\npassword = \"file:/run/secrets/pw\"\n"),
            vec![("config.plaintext_secret", Status::Pass)]
        );
        assert_eq!(
            statuses("# password = \"x\"\ntimeout = 5\n"),
            vec![("config.plaintext_secret", Status::Pass)]
        );
        assert!(statuses("-----BEGIN RSA PRIVATE KEY-----\n")
            .contains(&("config.plaintext_secret", Status::Fail)));
    }

    fn gw(extra: &str) -> Vec<(&'static str, Status)> {
        let text = format!(
            "[upstreams.sim]\nkind = \"simulated\"\n[models.m]\nupstream = \"sim\"\n[apps.a]\nmodels = [\"m\"]\n{extra}"
        );
        gateway_checks(&text).into_iter().map(|f| (f.check, f.status)).collect()
    }

    #[test]
    fn gateway_config_listener_upstream_and_audit() {
        let d = gw("");
        assert!(d.contains(&("tls.listener", Status::Warn)), "{d:?}");
        assert!(d.contains(&("tls.upstream", Status::Pass)));
        assert!(d.contains(&("audit.fail_closed", Status::Pass)));
        assert!(d.contains(&("audit.key_source", Status::Warn)));
        let u = gw("[upstreams.x]\nbase_url = \"http://models.example.com/v1\"\n[audit]\nkey = \"env:K\"\ndangerous_audit_fail_open = true\n");
        assert!(u.contains(&("tls.upstream", Status::Fail)), "{u:?}");
        assert!(u.contains(&("audit.fail_closed", Status::Fail)));
        assert!(u.contains(&("audit.key_source", Status::Pass)));
        let l = gw("[upstreams.x]\nbase_url = \"http://127.0.0.1:8000/v1\"\n");
        assert!(l.contains(&("tls.upstream", Status::Pass)), "{l:?}");
        assert_eq!(gateway_checks("nonsense = 1\n")[0].status, Status::Warn);
        assert!(is_loopback_url("http://localhost:1/v1"));
        assert!(is_loopback_url("http://[::1]:1/v1"));
        assert!(!is_loopback_url("http://10.0.0.1/v1"));
    }

    #[test]
    fn weak_tls_minimum_fails() {
        assert!(statuses("tls_min_version = \"1.1\"\n")
            .contains(&("config.tls_min_version", Status::Fail)));
        assert!(!statuses("tls_min_version = \"1.2\"\n")
            .iter()
            .any(|(c, _)| *c == "config.tls_min_version"));
    }

    #[test]
    fn readable_private_key_file_fails() {
        let d = tempfile::tempdir().unwrap();
        let k = d.path().join("server.key");
        std::fs::write(&k, "x").unwrap();
        std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o644)).unwrap();
        let f = scan_config("tls_key_file = \"server.key\"\n", "c.toml", d.path());
        assert!(f
            .iter()
            .any(|f| f.check == "config.key_file_permissions" && f.status == Status::Fail));
        std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).unwrap();
        let f = scan_config("tls_key_file = \"server.key\"\n", "c.toml", d.path());
        assert!(!f.iter().any(|f| f.check == "config.key_file_permissions"));
    }
}
