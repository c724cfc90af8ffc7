//! The `[[sinks]]` configuration: [`RawSinkConfig`] (serde, unknown keys rejected) -> pure
//! [`validate`] (every problem with its key path and a fix) -> [`SinkConfig`] -> [`build`] (the
//! only IO: secrets, CA files, the buffer directory, the delivery thread).
//!
//! ```toml
//! [[sinks]]
//! kind = "splunk_hec"
//! endpoint = "https://splunk.example:8088"
//! token = "env:SPLUNK_HEC_TOKEN"
//! ```
//!
//! Secrets are references (`env:VAR`, `file:PATH`), never values; `docs/siem.md` has an example
//! per vendor.

use super::buffer::{BufferConfig, FsyncPolicy};
use super::delivery::{DeliveryConfig, Transport};
use super::encode::{
    cef::CefEncoder, ecs::EcsEncoder, ocsf::OcsfEncoder, sentinel::SentinelEncoder,
    splunk::SplunkEncoder, syslog::Payload, syslog::SyslogEncoder, Encoder,
};
use super::{http, syslog, BufferedSink};
use crate::metrics::Metrics;
use crate::secret::SecretRef;
use crate::sink::{JsonlSink, RecordSink};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One `[[sinks]]` table as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSinkConfig {
    /// Name for metrics, logs and the default buffer directory. Default: the kind.
    pub name: Option<String>,
    /// `webhook`, `splunk_hec`, `sentinel`, `elasticsearch`, `syslog` or `jsonl`.
    pub kind: String,
    /// Webhook URL; HEC or Elasticsearch base URL; Sentinel data collection endpoint; syslog
    /// `host:port`; JSONL file path.
    pub endpoint: Option<String>,
    /// Secret reference: webhook bearer token, HEC token, Elasticsearch API key, Sentinel client
    /// secret.
    pub token: Option<String>,
    /// Payload: `ocsf` (webhook), `json` or `cef` (syslog). Default `ocsf` / `json`.
    pub format: Option<String>,
    /// Syslog over TLS (RFC 5425). Default false.
    pub tls: Option<bool>,
    /// Extra CA certificates (PEM) to trust; required for syslog TLS.
    pub tls_ca_file: Option<String>,
    /// TLS server name for syslog (default: the endpoint's host).
    pub tls_server_name: Option<String>,
    /// Records per batch. Default 500.
    pub batch_size: Option<usize>,
    /// Bytes per batch (approximate). Default 1 MiB (Sentinel: 900 KiB, under its 1 MB cap).
    pub batch_max_bytes: Option<u64>,
    /// Buffer directory. Default `<data_dir>/sinks/<name>`.
    pub buffer_dir: Option<String>,
    /// Cap on undelivered bytes; new records are dropped (and counted) beyond it. Default 1 GiB.
    pub buffer_max_bytes: Option<u64>,
    /// `always`, `interval` (with `fsync_interval_ms`) or `never`. Default `interval`.
    pub fsync: Option<String>,
    /// Interval for `fsync = "interval"`. Default 1000.
    pub fsync_interval_ms: Option<u64>,
    /// Request / connect timeout. Default 10 s.
    pub timeout_secs: Option<u64>,
    /// First retry delay ceiling. Default 200 ms.
    pub backoff_base_ms: Option<u64>,
    /// Wait up to this long for a full batch before sending a partial one. Default 50 ms.
    pub linger_ms: Option<u64>,
    /// Largest retry delay ceiling. Default 60 s.
    pub backoff_max_secs: Option<u64>,
    /// Splunk: index (default: the token's). Elasticsearch: index or data stream (default
    /// `logs-phiwall-default`).
    pub index: Option<String>,
    /// Splunk: sourcetype. Default `phiwall:ocsf`.
    pub sourcetype: Option<String>,
    /// Splunk: source. Default `phiwall`.
    pub source: Option<String>,
    /// Splunk `host` / syslog HOSTNAME. Default: this machine's name.
    pub hostname: Option<String>,
    /// Splunk: use indexer acknowledgement. Default true.
    pub ack: Option<bool>,
    /// Splunk: give up waiting for an ack (and resend) after this long. Default 60 s.
    pub ack_timeout_secs: Option<u64>,
    /// Splunk: ack poll interval. Default 1000 ms.
    pub ack_poll_ms: Option<u64>,
    /// Sentinel: immutable id of the data collection rule (`dcr-...`).
    pub dcr_immutable_id: Option<String>,
    /// Sentinel: stream name. Default `Custom-PhiwallEvents`.
    pub stream: Option<String>,
    /// Sentinel: OAuth2 token endpoint (Entra ID:
    /// `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`).
    pub token_url: Option<String>,
    /// Sentinel: application (client) id.
    pub client_id: Option<String>,
    /// Sentinel: OAuth2 scope. Default `https://monitor.azure.com/.default`.
    pub scope: Option<String>,
    /// Syslog facility name or number. Default `local0`.
    pub facility: Option<String>,
}

/// What a validated sink is, with its kind-specific settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SinkKind {
    /// OCSF JSON webhook.
    Webhook {
        /// URL.
        url: String,
        /// Bearer token.
        token: Option<SecretRef>,
    },
    /// Splunk HEC.
    SplunkHec {
        /// Base URL.
        base: String,
        /// HEC token.
        token: SecretRef,
        /// Envelope.
        index: Option<String>,
        /// Envelope.
        sourcetype: String,
        /// Envelope.
        source: String,
        /// Indexer acknowledgement.
        is_ack: bool,
        /// Ack timeout.
        ack_timeout: Duration,
        /// Ack poll.
        ack_poll: Duration,
    },
    /// Microsoft Sentinel (Logs Ingestion API).
    Sentinel {
        /// DCE.
        dce: String,
        /// DCR immutable id.
        dcr: String,
        /// Stream.
        stream: String,
        /// Token endpoint.
        token_url: String,
        /// Client id.
        client_id: String,
        /// Client secret.
        secret: SecretRef,
        /// Scope.
        scope: String,
    },
    /// Elasticsearch bulk.
    Elasticsearch {
        /// Base URL.
        base: String,
        /// Index or data stream.
        index: String,
        /// API key.
        api_key: Option<SecretRef>,
    },
    /// Syslog TCP/TLS.
    Syslog {
        /// host:port.
        addr: String,
        /// TLS server name when TLS is on.
        tls_name: Option<String>,
        /// Facility.
        facility: u8,
        /// Payload.
        payload: Payload,
    },
    /// Local JSONL file.
    Jsonl {
        /// File.
        path: PathBuf,
    },
}

/// A validated sink.
#[derive(Debug, Clone)]
pub struct SinkConfig {
    /// Name.
    pub name: String,
    /// Kind and settings.
    pub kind: SinkKind,
    /// Extra CA file.
    pub tls_ca_file: Option<PathBuf>,
    /// Hostname override.
    pub hostname: Option<String>,
    /// Buffer dir (relative to the data dir when not absolute); `None`: `sinks/<name>`.
    pub buffer_dir: Option<PathBuf>,
    /// Buffer cap.
    pub buffer_max_bytes: u64,
    /// Fsync.
    pub fsync: FsyncPolicy,
    /// Batching and retries.
    pub delivery: DeliveryConfig,
    /// Request timeout.
    pub timeout: Duration,
}

/// One problem: key path, what is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkProblem {
    /// E.g. `sinks[0].endpoint`.
    pub path: String,
    /// Expected vs found.
    pub problem: String,
    /// What to do.
    pub fix: String,
}

impl std::fmt::Display for SinkProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} (fix: {})", self.path, self.problem, self.fix)
    }
}

const KINDS: &str = "webhook, splunk_hec, sentinel, elasticsearch, syslog, jsonl";

fn facility(s: &str) -> Option<u8> {
    const NAMES: [&str; 24] = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
        "authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
        "local3", "local4", "local5", "local6", "local7",
    ];
    NAMES
        .iter()
        .position(|n| *n == s)
        .map(|p| p as u8)
        .or_else(|| s.parse::<u8>().ok().filter(|n| *n < 24))
}

/// Validate every `[[sinks]]` table (pure: no IO).
pub fn validate(raw: &[RawSinkConfig]) -> Result<Vec<SinkConfig>, Vec<SinkProblem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, r) in raw.iter().enumerate() {
        let mut push = |key: &str, problem: String, fix: &str| {
            problems.push(SinkProblem {
                path: format!("sinks[{i}].{key}"),
                problem,
                fix: fix.to_string(),
            })
        };
        let name = r.name.clone().unwrap_or_else(|| r.kind.clone());
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            push(
                "name",
                format!("expected letters, digits, - or _, found {name:?}"),
                "name = \"splunk-main\"",
            );
        } else if !names.insert(name.clone()) {
            push(
                "name",
                format!("{name:?} is used by two sinks"),
                "give each [[sinks]] a distinct name",
            );
        }
        let mut secret = |key: &str, v: Option<&String>, required: bool, fix: &str| match v {
            None if required => {
                push(key, "missing".into(), fix);
                None
            }
            None => None,
            Some(s) => match SecretRef::parse(s) {
                Ok(r) => Some(r),
                Err(e) => {
                    push(key, e, fix);
                    None
                }
            },
        };
        let token_fix = "token = \"env:PHIWALL_SINK_TOKEN\" (or \"file:/run/secrets/token\")";
        let url = |push: &mut dyn FnMut(&str, String, &str), ex: &str| -> String {
            match r.endpoint.as_deref() {
                Some(u) if u.starts_with("https://") || u.starts_with("http://") => u.to_string(),
                Some(u) => {
                    push("endpoint", format!("expected an http(s) URL, found {u:?}"), ex);
                    String::new()
                }
                None => {
                    push("endpoint", "missing".into(), ex);
                    String::new()
                }
            }
        };
        let kind = match r.kind.as_str() {
            "webhook" => {
                let token = secret("token", r.token.as_ref(), false, token_fix);
                let u = url(&mut push, "endpoint = \"https://siem.example/ocsf\"");
                Some(SinkKind::Webhook { url: u, token })
            }
            "splunk_hec" => {
                let token =
                    secret("token", r.token.as_ref(), true, "token = \"env:SPLUNK_HEC_TOKEN\"");
                let base = url(&mut push, "endpoint = \"https://splunk.example:8088\" (base URL)");
                token.map(|token| SinkKind::SplunkHec {
                    base,
                    token,
                    index: r.index.clone(),
                    sourcetype: r.sourcetype.clone().unwrap_or_else(|| "phiwall:ocsf".into()),
                    source: r.source.clone().unwrap_or_else(|| "phiwall".into()),
                    is_ack: r.ack.unwrap_or(true),
                    ack_timeout: Duration::from_secs(r.ack_timeout_secs.unwrap_or(60).max(1)),
                    ack_poll: Duration::from_millis(r.ack_poll_ms.unwrap_or(1000).max(10)),
                })
            }
            "sentinel" => {
                let secret_ref = secret(
                    "token",
                    r.token.as_ref(),
                    true,
                    "token = \"env:AZURE_CLIENT_SECRET\" (the app registration's client secret)",
                );
                let dce = url(
                    &mut push,
                    "endpoint = \"https://<dce>.<region>.ingest.monitor.azure.com\"",
                );
                let mut need = |key: &str, v: &Option<String>, fix: &str| -> String {
                    match v {
                        Some(s) if !s.is_empty() => s.clone(),
                        _ => {
                            push(key, "missing".into(), fix);
                            String::new()
                        }
                    }
                };
                let dcr = need(
                    "dcr_immutable_id",
                    &r.dcr_immutable_id,
                    "dcr_immutable_id = \"dcr-0123...\" (the rule's immutableId)",
                );
                let token_url = need(
                    "token_url",
                    &r.token_url,
                    "token_url = \"https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token\"",
                );
                let client_id =
                    need("client_id", &r.client_id, "client_id = \"<application (client) id>\"");
                secret_ref.map(|secret| SinkKind::Sentinel {
                    dce,
                    dcr,
                    stream: r.stream.clone().unwrap_or_else(|| "Custom-PhiwallEvents".into()),
                    token_url,
                    client_id,
                    secret,
                    scope: r
                        .scope
                        .clone()
                        .unwrap_or_else(|| "https://monitor.azure.com/.default".into()),
                })
            }
            "elasticsearch" => {
                let api_key = secret(
                    "token",
                    r.token.as_ref(),
                    false,
                    "token = \"env:ES_API_KEY\" (base64 id:key)",
                );
                let base = url(&mut push, "endpoint = \"https://es.example:9200\"");
                Some(SinkKind::Elasticsearch {
                    base,
                    index: r.index.clone().unwrap_or_else(|| "logs-phiwall-default".into()),
                    api_key,
                })
            }
            "syslog" => {
                let addr = r.endpoint.clone().unwrap_or_default();
                let host =
                    addr.rsplit_once(':').map(|(h, _)| h.trim_matches(['[', ']']).to_string());
                if host.is_none()
                    || addr.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_err())
                {
                    push(
                        "endpoint",
                        format!("expected host:port, found {addr:?}"),
                        "endpoint = \"siem.example:6514\"",
                    );
                }
                let is_tls = r.tls.unwrap_or(false);
                if is_tls && r.tls_ca_file.is_none() {
                    push(
                        "tls_ca_file",
                        "missing (syslog TLS needs the CA that signed the receiver's certificate)"
                            .into(),
                        "tls_ca_file = \"/etc/phiwall/siem-ca.pem\"",
                    );
                }
                let payload = match r.format.as_deref().unwrap_or("json") {
                    "json" | "ocsf" => Payload::Json,
                    "cef" => Payload::Cef,
                    f => {
                        push(
                            "format",
                            format!("expected json or cef, found {f:?}"),
                            "format = \"cef\"",
                        );
                        Payload::Json
                    }
                };
                let fac = match facility(r.facility.as_deref().unwrap_or("local0")) {
                    Some(f) => f,
                    None => {
                        push(
                            "facility",
                            format!("expected a facility name or 0..23, found {:?}", r.facility),
                            "facility = \"local0\" (or \"audit\", \"authpriv\")",
                        );
                        16
                    }
                };
                Some(SinkKind::Syslog {
                    tls_name: is_tls
                        .then(|| r.tls_server_name.clone().or(host).unwrap_or_default()),
                    addr,
                    facility: fac,
                    payload,
                })
            }
            "jsonl" => match r.endpoint.as_deref() {
                Some(p) if !p.is_empty() => Some(SinkKind::Jsonl { path: PathBuf::from(p) }),
                _ => {
                    push(
                        "endpoint",
                        "missing (the JSONL file path)".into(),
                        "endpoint = \"/var/log/phiwall/events.jsonl\"",
                    );
                    None
                }
            },
            k => {
                push(
                    "kind",
                    format!("expected one of {KINDS}, found {k:?}"),
                    "kind = \"splunk_hec\"",
                );
                None
            }
        };
        if let Some(f) = &r.format {
            if !matches!(
                (r.kind.as_str(), f.as_str()),
                ("syslog", _) | ("webhook", "ocsf") | ("jsonl", "json")
            ) {
                push(
                    "format",
                    format!("{f:?} is not a format of kind {:?}", r.kind),
                    "remove format (only syslog chooses: json or cef)",
                );
            }
        }
        let fsync = match r.fsync.as_deref().unwrap_or("interval") {
            "always" => FsyncPolicy::Always,
            "never" => FsyncPolicy::Never,
            "interval" => {
                FsyncPolicy::Interval(Duration::from_millis(r.fsync_interval_ms.unwrap_or(1000)))
            }
            f => {
                push(
                    "fsync",
                    format!("expected always, interval or never, found {f:?}"),
                    "fsync = \"interval\"",
                );
                FsyncPolicy::Never
            }
        };
        let mut positive = |key: &str, v: Option<u64>, default: u64| match v {
            Some(0) => {
                push(
                    key,
                    "expected a positive number, found 0".into(),
                    "remove the key to use the default",
                );
                default
            }
            Some(v) => v,
            None => default,
        };
        let is_sentinel = r.kind == "sentinel";
        let batch_bytes = positive(
            "batch_max_bytes",
            r.batch_max_bytes,
            if is_sentinel { 900 << 10 } else { 1 << 20 },
        );
        let batch_records = positive("batch_size", r.batch_size.map(|v| v as u64), 500) as usize;
        let buffer_max_bytes = positive("buffer_max_bytes", r.buffer_max_bytes, 1 << 30);
        let timeout = Duration::from_secs(positive("timeout_secs", r.timeout_secs, 10));
        let base = Duration::from_millis(positive("backoff_base_ms", r.backoff_base_ms, 200));
        let max = Duration::from_secs(positive("backoff_max_secs", r.backoff_max_secs, 60));
        if is_sentinel && batch_bytes > 1_000_000 {
            push("batch_max_bytes", format!("expected at most 1000000 (the Logs Ingestion API's limit per call), found {batch_bytes}"), "remove batch_max_bytes (default 921600)");
        }
        if let Some(kind) = kind {
            out.push(SinkConfig {
                name,
                kind,
                tls_ca_file: r.tls_ca_file.as_ref().map(PathBuf::from),
                hostname: r.hostname.clone(),
                buffer_dir: r.buffer_dir.as_ref().map(PathBuf::from),
                buffer_max_bytes,
                fsync,
                delivery: DeliveryConfig {
                    batch_records,
                    batch_bytes,
                    backoff_base: base,
                    backoff_max: max.max(base),
                    linger: Duration::from_millis(r.linger_ms.unwrap_or(50)),
                    ..DeliveryConfig::default()
                },
                timeout,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

impl SinkConfig {
    /// The kind's name (metrics label).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            SinkKind::Webhook { .. } => "webhook",
            SinkKind::SplunkHec { .. } => "splunk_hec",
            SinkKind::Sentinel { .. } => "sentinel",
            SinkKind::Elasticsearch { .. } => "elasticsearch",
            SinkKind::Syslog { .. } => "syslog",
            SinkKind::Jsonl { .. } => "jsonl",
        }
    }
}

/// Build a sink: resolve secrets, read CA files, open the buffer and start delivery. Errors
/// name the sink and the key.
pub fn build(
    cfg: &SinkConfig,
    data_dir: &Path,
    metrics: &Metrics,
) -> Result<Box<dyn RecordSink>, String> {
    let n = &cfg.name;
    let client = || {
        http::client(cfg.tls_ca_file.as_deref(), cfg.timeout).map_err(|e| format!("sinks.{n}: {e}"))
    };
    let resolve = |r: &SecretRef| r.resolve().map_err(|e| format!("sinks.{n}.token: {e}"));
    let (encoder, transport): (Box<dyn Encoder>, Box<dyn Transport>) = match &cfg.kind {
        SinkKind::Jsonl { path } => {
            let p = if path.is_absolute() { path.clone() } else { data_dir.join(path) };
            let s = JsonlSink::open(&p)
                .map_err(|e| format!("sinks.{n}.endpoint {}: {e}", p.display()))?;
            return Ok(Box::new(s));
        }
        SinkKind::Webhook { url, token } => (
            Box::new(OcsfEncoder),
            Box::new(http::Webhook {
                client: client()?,
                endpoint: url.clone(),
                token: token.as_ref().map(resolve).transpose()?,
            }),
        ),
        SinkKind::SplunkHec {
            base,
            token,
            index,
            sourcetype,
            source,
            is_ack,
            ack_timeout,
            ack_poll,
        } => (
            Box::new(SplunkEncoder {
                host: cfg
                    .hostname
                    .clone()
                    .unwrap_or_else(|| SyslogEncoder::new(0, Payload::Json, None).hostname),
                source: source.clone(),
                sourcetype: sourcetype.clone(),
                index: index.clone(),
            }),
            Box::new(http::SplunkHec {
                client: client()?,
                base: base.clone(),
                token: resolve(token)?,
                channel: is_ack.then(http::uuid_v4),
                ack_poll: *ack_poll,
                ack_timeout: *ack_timeout,
            }),
        ),
        SinkKind::Sentinel { dce, dcr, stream, token_url, client_id, secret, scope } => (
            Box::new(SentinelEncoder),
            Box::new(http::Sentinel::new(
                client()?,
                dce.clone(),
                dcr.clone(),
                stream.clone(),
                token_url.clone(),
                client_id.clone(),
                resolve(secret)?,
                scope.clone(),
            )),
        ),
        SinkKind::Elasticsearch { base, index, api_key } => (
            Box::new(EcsEncoder),
            Box::new(http::Elasticsearch {
                client: client()?,
                base: base.clone(),
                index: index.clone(),
                api_key: api_key.as_ref().map(resolve).transpose()?,
            }),
        ),
        SinkKind::Syslog { addr, tls_name, facility, payload } => {
            let enc: Box<dyn Encoder> =
                Box::new(SyslogEncoder::new(*facility, *payload, cfg.hostname.as_deref()));
            let t = match (tls_name, &cfg.tls_ca_file) {
                (Some(name), Some(ca)) => {
                    let tls = syslog::tls_config(ca)
                        .map_err(|e| format!("sinks.{n}.tls_ca_file: {e}"))?;
                    syslog::SyslogTcp::tls(addr.clone(), name, tls, cfg.timeout)
                        .map_err(|e| format!("sinks.{n}.tls_server_name: {e}"))?
                }
                (Some(_), None) => return Err(format!("sinks.{n}.tls_ca_file: missing")),
                (None, _) => syslog::SyslogTcp::tcp(addr.clone(), cfg.timeout),
            };
            (enc, Box::new(t))
        }
    };
    let _ = CefEncoder; // CEF is reached through the syslog encoder's payload.
    let dir = match &cfg.buffer_dir {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => data_dir.join(d),
        None => data_dir.join("sinks").join(n),
    };
    let buffer = BufferConfig {
        dir: dir.clone(),
        max_bytes: cfg.buffer_max_bytes,
        segment_bytes: 16 << 20,
        fsync: cfg.fsync,
    };
    let s = BufferedSink::start(
        n,
        cfg.kind_name(),
        encoder,
        transport,
        buffer,
        cfg.delivery.clone(),
        metrics,
    )
    .map_err(|e| format!("sinks.{n}.buffer_dir {}: {e}", dir.display()))?;
    Ok(Box::new(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Vec<RawSinkConfig> {
        #[derive(Deserialize)]
        struct W {
            sinks: Vec<RawSinkConfig>,
        }
        toml::from_str::<W>(t).unwrap().sinks
    }

    #[test]
    fn valid_examples_per_vendor() {
        let raw = parse(
            r#"
            [[sinks]]
            kind = "webhook"
            endpoint = "https://siem.example/ocsf"
            token = "env:HOOK"
            [[sinks]]
            kind = "splunk_hec"
            endpoint = "https://splunk.example:8088"
            token = "env:HEC"
            index = "security"
            [[sinks]]
            kind = "sentinel"
            endpoint = "https://dce.eastus-1.ingest.monitor.azure.com"
            token = "file:/run/secrets/azure"
            dcr_immutable_id = "dcr-00000000000000000000000000000000"
            token_url = "https://login.microsoftonline.com/t/oauth2/v2.0/token"
            client_id = "11111111-2222-3333-4444-555555555555"
            [[sinks]]
            kind = "elasticsearch"
            endpoint = "https://es.example:9200"
            [[sinks]]
            name = "soc"
            kind = "syslog"
            endpoint = "siem.example:6514"
            tls = true
            tls_ca_file = "/etc/ca.pem"
            format = "cef"
            facility = "audit"
            [[sinks]]
            kind = "jsonl"
            endpoint = "siem.jsonl"
            "#,
        );
        let v = validate(&raw).unwrap();
        assert_eq!(v.len(), 6);
        assert!(
            matches!(&v[4].kind, SinkKind::Syslog { tls_name: Some(n), facility: 13, payload: Payload::Cef, .. } if n == "siem.example")
        );
    }

    #[test]
    fn problems_name_key_and_fix() {
        let raw = parse(
            r#"
            [[sinks]]
            kind = "splunk_hec"
            endpoint = "splunk.example:8088"
            token = "abc123"
            [[sinks]]
            kind = "syslog"
            endpoint = "nohost"
            tls = true
            [[sinks]]
            kind = "kafka"
            "#,
        );
        let p = validate(&raw).unwrap_err();
        let text: Vec<String> = p.iter().map(ToString::to_string).collect();
        let has = |s: &str| text.iter().any(|t| t.starts_with(s));
        assert!(has("sinks[0].token: a secret must be a reference"), "{text:?}");
        assert!(has("sinks[0].endpoint: expected an http(s) URL"), "{text:?}");
        assert!(has("sinks[1].endpoint: expected host:port"), "{text:?}");
        assert!(has("sinks[1].tls_ca_file: missing"), "{text:?}");
        assert!(has("sinks[2].kind: expected one of"), "{text:?}");
        assert!(text.iter().all(|t| t.contains("(fix: ")));
        assert!(!text.iter().any(|t| t.contains("abc123")), "secrets never echoed");
    }

    #[test]
    fn unknown_keys_rejected() {
        let r: Result<RawSinkConfig, _> = toml::from_str("kind = \"webhook\"\nendpont = \"x\"");
        assert!(r.is_err());
    }
}
