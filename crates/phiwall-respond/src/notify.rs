//! Notifications: a structured log line, a generic JSON webhook, a pager event (PagerDuty
//! Events v2 shape), or e-mail over SMTP with TLS (lettre + rustls).
//!
//! Invariant: the message is built from [`Summary`] only, which holds ids, kinds, counts and
//! states; secrets (routing keys, SMTP passwords) come from environment variables named in the
//! playbook and never appear in errors. Network sends run on a scoped thread with a timeout so
//! they work from async and sync callers alike.

use crate::incident::{severity_str, Incident};
use crate::playbook::Notifier;
use serde::Serialize;
use std::time::Duration;

/// What a notification says.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Incident id.
    pub incident: String,
    /// Title.
    pub title: String,
    /// State.
    pub status: String,
    /// Severity.
    pub severity: String,
    /// Detection kinds.
    pub kinds: Vec<String>,
    /// Detections correlated.
    pub detections: u64,
    /// Distinct patients affected (keyed references counted).
    pub patients_affected: usize,
    /// Principals (`kind:id`; key prefixes, sessions, IPs, keyed refs).
    pub principals: Vec<String>,
    /// Opened, unix ms.
    pub opened_at: i64,
    /// What to run next.
    pub next_step: String,
}

impl Summary {
    /// From an incident.
    pub fn of(inc: &Incident) -> Self {
        Summary {
            incident: inc.id.clone(),
            title: inc.title.clone(),
            status: inc.status.as_str().into(),
            severity: severity_str(inc.severity).into(),
            kinds: inc.kinds().iter().map(|k| k.as_str().to_string()).collect(),
            detections: inc.detections,
            patients_affected: inc.patient_refs.len(),
            principals: inc
                .principals
                .iter()
                .take(32)
                .map(|p| format!("{}:{}", p.kind.as_str(), p.id))
                .collect(),
            opened_at: inc.opened_at,
            next_step: format!("phiwall incidents show {}", inc.id),
        }
    }

    fn text(&self) -> String {
        format!(
            "phiwall incident {} ({}, {})\n{}\nkinds: {}\ndetections: {}\npatients affected (keyed references): {}\nprincipals: {}\nnext: {}\n",
            self.incident,
            self.severity,
            self.status,
            self.title,
            self.kinds.join(", "),
            self.detections,
            self.patients_affected,
            self.principals.join(", "),
            self.next_step
        )
    }
}

fn pager_severity(s: &str) -> &'static str {
    match s {
        "critical" => "critical",
        "high" => "error",
        "medium" => "warning",
        _ => "info",
    }
}

fn post(url: &str, body: Vec<u8>, timeout_ms: u64) -> Result<(), String> {
    let url = url.to_string();
    std::thread::scope(|s| {
        s.spawn(move || {
            let client = reqwest::blocking::Client::builder()
                .timeout(Duration::from_millis(timeout_ms))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|_| "http client unavailable".to_string())?;
            let r = client
                .post(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .map_err(|e| {
                    if e.is_timeout() {
                        "timed out".to_string()
                    } else {
                        "connection failed".to_string()
                    }
                })?;
            if r.status().is_success() {
                Ok(())
            } else {
                Err(format!("status {}", r.status().as_u16()))
            }
        })
        .join()
        .unwrap_or_else(|_| Err("sender thread failed".into()))
    })
}

fn smtp(n: &Notifier, s: &Summary) -> Result<(), String> {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{Message, SmtpTransport, Transport};
    let Notifier::Smtp {
        host,
        port,
        is_implicit_tls,
        from,
        to,
        username,
        password_env,
        timeout_ms,
    } = n
    else {
        return Err("not an smtp notifier".into());
    };
    let mut b = Message::builder()
        .from(from.parse().map_err(|_| "bad sender address".to_string())?)
        .subject(format!("[phiwall] {} {}: {}", s.incident, s.severity, s.kinds.join(", ")))
        .header(ContentType::TEXT_PLAIN);
    for t in to {
        b = b.to(t.parse().map_err(|_| "bad recipient address".to_string())?);
    }
    let msg = b.body(s.text()).map_err(|_| "message could not be built".to_string())?;
    let builder = if *is_implicit_tls {
        SmtpTransport::relay(host)
    } else {
        SmtpTransport::starttls_relay(host)
    }
    .map_err(|_| "smtp relay setup failed".to_string())?
    .port(*port)
    .timeout(Some(Duration::from_millis(*timeout_ms)));
    let builder = match (username, password_env) {
        (Some(u), Some(var)) => {
            let pw = std::env::var(var).map_err(|_| format!("environment variable {var} unset"))?;
            builder.credentials(Credentials::new(u.clone(), pw))
        }
        _ => builder,
    };
    let transport = builder.build();
    std::thread::scope(|sc| {
        sc.spawn(move || transport.send(&msg).map(|_| ()).map_err(|_| "smtp send failed".into()))
            .join()
            .unwrap_or_else(|_| Err("sender thread failed".into()))
    })
}

/// Send `summary` through `notifier`. The error is a fixed phrase (no secrets, no PHI).
pub fn send(notifier: &Notifier, summary: &Summary) -> Result<(), String> {
    match notifier {
        Notifier::Log => {
            tracing::warn!(
                incident = %summary.incident, severity = %summary.severity,
                status = %summary.status, kinds = ?summary.kinds,
                detections = summary.detections, patients = summary.patients_affected,
                "Incident notification"
            );
            Ok(())
        }
        Notifier::Webhook { url, timeout_ms } => {
            let body = serde_json::to_vec(&serde_json::json!({
                "source": "phiwall", "type": "incident", "incident": summary,
            }))
            .map_err(|_| "encoding failed".to_string())?;
            post(url, body, *timeout_ms)
        }
        Notifier::Pager { url, routing_key_env, timeout_ms } => {
            let key = std::env::var(routing_key_env)
                .map_err(|_| format!("environment variable {routing_key_env} unset"))?;
            let body = serde_json::to_vec(&serde_json::json!({
                "routing_key": key,
                "event_action": "trigger",
                "dedup_key": summary.incident,
                "payload": {
                    "summary": format!("phiwall {} {}: {}", summary.incident, summary.severity, summary.title),
                    "severity": pager_severity(&summary.severity),
                    "source": "phiwall",
                    "component": "gateway",
                    "custom_details": summary,
                }
            }))
            .map_err(|_| "encoding failed".to_string())?;
            post(url, body, *timeout_ms)
        }
        Notifier::Smtp { .. } => smtp(notifier, summary),
    }
}
