//! Gateway configuration: `RawConfig` (serde, unknown fields rejected) -> pure
//! [`RawConfig::validate`] reporting every problem with its key path and a fix -> [`Config`].
//! Only [`crate::server::Gateway::build`] does IO (reading secrets, JWKS, certificates).
//!
//! Secrets are references (`env:VAR`, `file:PATH`) held in [`SecretRef`], which prints as
//! `env:VAR` and never as the value; values are read at build time into [`Secret`], which
//! prints as `[redacted]`.

use phiwall_scan::PhiType;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The embedded example configuration (also shipped as `phiwall.example.toml`).
pub const EXAMPLE_TOML: &str = include_str!("../../../phiwall.example.toml");

/// The model name of the built-in simulated upstream.
pub const SIM_MODEL: &str = "phiwall-sim";

pub use phiwall_watch::secret::{Secret, SecretRef};

// ---------------------------------------------------------------------------------------------
// Raw (serde) layer
// ---------------------------------------------------------------------------------------------

/// The TOML file as written. Every table rejects unknown keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Directory for SQLite state and event files. Default `./phiwall-data`.
    pub data_dir: Option<String>,
    /// Listeners.
    #[serde(default)]
    pub server: RawServer,
    /// Request limits.
    #[serde(default)]
    pub limits: RawLimits,
    /// Authentication settings beyond API keys.
    #[serde(default)]
    pub auth: RawAuth,
    /// Key for pseudonyms and tokens.
    #[serde(default)]
    pub redaction: RawRedaction,
    /// Upstream model servers by name.
    #[serde(default)]
    pub upstreams: BTreeMap<String, RawUpstream>,
    /// Model names clients may ask for, each routed to an upstream.
    #[serde(default)]
    pub models: BTreeMap<String, RawModel>,
    /// App profiles (least privilege per calling application).
    #[serde(default)]
    pub apps: BTreeMap<String, RawApp>,
    /// The audit ledger.
    #[serde(default)]
    pub audit: RawAudit,
    /// SIEM sinks (`[[sinks]]`), see `docs/siem.md`.
    #[serde(default)]
    pub sinks: Vec<phiwall_watch::siem::config::RawSinkConfig>,
    /// Where shared state lives: embedded (default) or cluster (issue 10).
    #[serde(default)]
    pub store: crate::cluster::config::RawStore,
    /// The admin read API (`/phiwall/v1/admin/*`, see `crate::admin`).
    #[serde(default)]
    pub admin: crate::admin::RawAdmin,
    /// Caller verification and disclosure control (issue 5); absent = off.
    pub identity: Option<crate::identity_config::RawIdentity>,
    /// Anomaly engine thresholds and bounds (`docs/anomaly.md`); absent = the defaults.
    #[serde(default)]
    pub anomaly: phiwall_watch::anomaly::AnomalyConfig,
}

/// `[audit]`: the encrypted, hash-chained audit ledger every request is recorded in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    /// Ledger directory. Default `DATA_DIR/ledger`.
    pub dir: Option<String>,
    /// Key-encryption key source by reference: `file:PATH` (mode 0600) or `env:VAR`. Default
    /// (development only): `file:DATA_DIR/ledger.kek`, created with mode 0600 on first start.
    pub key: Option<String>,
    /// `always` (default), `never` or a period like `10ms`.
    pub fsync: Option<String>,
    /// Sign a checkpoint after this many records. Default 10,000; 0 disables.
    pub checkpoint_every_records: Option<u64>,
    /// Sign a checkpoint when records are this many seconds old. Default 60; 0 disables.
    pub checkpoint_interval_secs: Option<u64>,
    /// Answer a request only once its audit record is durable. Default true.
    pub fail_closed: Option<bool>,
    /// Acknowledge answering requests whose audit record may be lost. Default false.
    pub dangerous_audit_fail_open: Option<bool>,
    /// What a fail-closed reply waits for: `intent` (default: the write-ahead record the
    /// gateway appends before calling the upstream) or `outcome` (that and the full record of
    /// the reply).
    pub reply_waits_for: Option<String>,
    /// Also write plain `events.jsonl` (events never carry PHI). Default true.
    pub jsonl_events: Option<bool>,
}

/// `[server]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    /// Address to listen on. Default `127.0.0.1:8686`.
    pub listen: Option<String>,
    /// Prometheus listener; must be loopback. Default `127.0.0.1:9686`; `"off"` disables.
    pub metrics_listen: Option<String>,
    /// Allow plain HTTP on a loopback address (default true). Non-loopback needs TLS.
    pub allow_plain_http_on_loopback: Option<bool>,
    /// TLS (rustls, TLS 1.2+).
    pub tls: Option<RawTls>,
    /// Seconds to finish in-flight requests on shutdown. Default 10.
    pub shutdown_grace_secs: Option<u64>,
    /// Async worker threads. Default: one per CPU core. Set 1 when several replicas share a
    /// small host, so their runtimes do not contend for the same cores (docs/cluster.md).
    pub worker_threads: Option<usize>,
}

/// `[server.tls]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    /// PEM certificate chain path.
    pub cert: String,
    /// PEM private key, by reference (`file:PATH` or `env:VAR` holding PEM).
    pub key: String,
    /// PEM CA bundle path; when set, clients must present a certificate it signed (mTLS).
    pub client_ca: Option<String>,
}

/// `[limits]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// Largest request body in bytes. Default 1 MiB.
    pub max_body_bytes: Option<usize>,
    /// Deepest JSON nesting accepted. Default 32.
    pub max_json_depth: Option<usize>,
    /// Most messages in one chat request. Default 256.
    pub max_messages: Option<usize>,
    /// Seconds allowed to receive a request body (slow clients are cut off). Default 30.
    pub body_timeout_secs: Option<u64>,
    /// Seconds allowed to send request headers. Default 10.
    pub header_timeout_secs: Option<u64>,
    /// Concurrent streaming responses per API key or subject. Default 8.
    pub max_concurrent_streams: Option<usize>,
}

/// `[auth]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    /// Accept JWT bearer tokens from an OIDC provider.
    pub jwt: Option<RawJwt>,
    /// Map client-certificate identities (mTLS) to app profiles.
    pub mtls: Option<RawMtls>,
}

/// `[auth.mtls]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMtls {
    /// SHA-256 fingerprint of the client's leaf certificate (hex, colons allowed) -> app name.
    /// Requires `server.tls.client_ca`. A bearer credential, when sent, takes precedence.
    pub identities: BTreeMap<String, String>,
}

/// `[auth.jwt]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJwt {
    /// Required `iss`.
    pub issuer: String,
    /// Required `aud` (one of).
    pub audience: Vec<String>,
    /// JWKS JSON file path (exactly one of `jwks_file` and `jwks_url`).
    pub jwks_file: Option<String>,
    /// The provider's JWKS URL (`jwks_uri` of its OpenID configuration): `https://`, or
    /// `http://` to a loopback host. Fetched at start, then refreshed.
    pub jwks_url: Option<String>,
    /// Refresh interval of `jwks_url`, seconds. Default 300.
    pub jwks_refresh_secs: Option<u64>,
    /// Minimum seconds between two fetches of `jwks_url`, also when a token names an unknown
    /// key id (a rotation). Default 30.
    pub jwks_min_refresh_secs: Option<u64>,
    /// Allowed signature algorithms, e.g. `["RS256", "ES256"]`. `none` is always refused.
    pub algorithms: Option<Vec<String>>,
    /// Clock skew allowed on `exp`/`nbf`, seconds. Default 60.
    pub leeway_secs: Option<u64>,
    /// Claim naming the app profile. Default `phiwall_app`.
    pub app_claim: Option<String>,
}

/// `[redaction]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRedaction {
    /// Key for pseudonyms and tokens, by reference. Without it a random per-process key is used.
    pub key: Option<String>,
}

/// `[upstreams.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    /// `openai` (any OpenAI-compatible server; default) or `simulated` (built in).
    pub kind: Option<String>,
    /// Base URL including `/v1`, e.g. `https://api.openai.com/v1`.
    pub base_url: Option<String>,
    /// Bearer key for the upstream, by reference.
    pub api_key: Option<String>,
    /// Whole-request timeout in seconds. Default 120.
    pub timeout_secs: Option<u64>,
    /// Connect timeout in seconds. Default 5.
    pub connect_timeout_secs: Option<u64>,
    /// Retries after connection failures (never after the request was sent). Default 2.
    pub retries: Option<u32>,
    /// Upstream to try when this one cannot be reached.
    pub fallback: Option<String>,
}

/// `[models.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// Upstream name.
    pub upstream: String,
    /// Model name sent upstream (default: the same name).
    pub upstream_model: Option<String>,
}

/// `[apps.NAME]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApp {
    /// Model names this app may use.
    pub models: Vec<String>,
    /// Largest estimated prompt size in tokens. Default 8192.
    pub max_input_tokens: Option<u64>,
    /// Largest completion size; also set on requests that omit it. Default 1024.
    pub max_output_tokens: Option<u64>,
    /// Tool (function) names the app may offer the model; absent means any.
    pub tools: Option<Vec<String>>,
    /// Requests per minute for the whole app. Default 600.
    pub requests_per_minute: Option<u64>,
    /// Tokens per minute for the whole app. Default 1,000,000.
    pub tokens_per_minute: Option<u64>,
    /// Requests per minute per key or subject. Default 120.
    pub key_requests_per_minute: Option<u64>,
    /// Tokens per minute per key or subject. Default 200,000.
    pub key_tokens_per_minute: Option<u64>,
    /// PHI actions on input, by type name plus `default`.
    pub phi: Option<BTreeMap<String, String>>,
    /// PHI actions on output, by type name plus `default` (default: derived from `phi`).
    pub output_phi: Option<BTreeMap<String, String>>,
    /// Prompt-injection settings.
    pub injection: Option<RawInjection>,
    /// Restore tokenized PHI in responses. Default true.
    pub restore_tokens: Option<bool>,
    /// Domains links in responses may point to; others are removed. Default none allowed.
    pub link_domains: Option<Vec<String>>,
    /// Plant a canary in system prompts and refuse responses that repeat it. Default true.
    pub canary: Option<bool>,
    /// Refuse requests when inspection cannot run. Default true.
    pub fail_closed: Option<bool>,
    /// What the app is for (`scheduling`, `billing`, `ehr_assistant`, ...): the audit compares
    /// the PHI types it may pass to the model with what this purpose needs (issue 9).
    pub purpose: Option<String>,
    /// Who answers for the app (a team or person), for the audit and the AI inventory.
    pub owner: Option<String>,
}

/// `[apps.NAME.injection]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInjection {
    /// Score at or above which user/system/assistant text counts as an injection. Default:
    /// the detector's calibrated decision.
    pub threshold: Option<f32>,
    /// Score threshold for tool results and retrieved documents. Default: the detector's
    /// calibrated document decision.
    pub document_threshold: Option<f32>,
    /// `block` (default) or `flag` (count and forward).
    pub action: Option<String>,
    /// Also score system and developer messages. Default false: they are the app's own
    /// instructions (authenticated, least-privilege key), and role statements such as "You are a
    /// helpful assistant" read like role reassignment to any injection detector. PHI rules apply
    /// to them either way.
    pub scan_system: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// Validated layer
// ---------------------------------------------------------------------------------------------

/// What to do with one PHI type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhiAction {
    /// Pass unchanged.
    Allow,
    /// Replace with `[TYPE]`.
    Mask,
    /// Replace with a keyed surrogate.
    Pseudonymize,
    /// Replace with a reversible token, restored in the response when allowed.
    Tokenize,
    /// Refuse the request.
    Block,
}

impl PhiAction {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "allow" => PhiAction::Allow,
            "mask" => PhiAction::Mask,
            "pseudonymize" => PhiAction::Pseudonymize,
            "tokenize" => PhiAction::Tokenize,
            "block" => PhiAction::Block,
            _ => return None,
        })
    }

    /// Stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PhiAction::Allow => "allow",
            PhiAction::Mask => "mask",
            PhiAction::Pseudonymize => "pseudonymize",
            PhiAction::Tokenize => "tokenize",
            PhiAction::Block => "block",
        }
    }
}

/// What to do when an injection is detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectionAction {
    /// Refuse the request.
    Block,
    /// Count it in events and forward.
    Flag,
}

/// Injection settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InjectionPolicy {
    /// Threshold for system, user and assistant text; `None` uses the detector's decision.
    pub threshold: Option<f32>,
    /// Threshold for tool results and documents; `None` uses the detector's decision.
    pub document_threshold: Option<f32>,
    /// Action.
    pub action: InjectionAction,
    /// Score system and developer messages too (default false).
    pub scan_system: bool,
}

/// A validated app profile.
#[derive(Debug, Clone)]
pub struct AppPolicy {
    /// Profile name.
    pub name: String,
    /// Allowed model names.
    pub models: BTreeSet<String>,
    /// Max prompt tokens (estimated).
    pub max_input_tokens: u64,
    /// Max completion tokens.
    pub max_output_tokens: u64,
    /// Allowed tools; `None` = any.
    pub tools: Option<BTreeSet<String>>,
    /// App-wide requests per minute.
    pub requests_per_minute: u64,
    /// App-wide tokens per minute.
    pub tokens_per_minute: u64,
    /// Per-key requests per minute.
    pub key_requests_per_minute: u64,
    /// Per-key tokens per minute.
    pub key_tokens_per_minute: u64,
    /// Input actions by `PhiType as usize`.
    pub phi: [PhiAction; phiwall_scan::ALL_PHI_TYPES.len()],
    /// Output actions by `PhiType as usize`.
    pub output_phi: [PhiAction; phiwall_scan::ALL_PHI_TYPES.len()],
    /// Injection settings.
    pub injection: InjectionPolicy,
    /// Restore tokens in responses.
    pub restore_tokens: bool,
    /// Allowed link domains (lowercase).
    pub link_domains: Vec<String>,
    /// Canary planting and leak checks.
    pub canary: bool,
    /// Refuse when inspection fails.
    pub fail_closed: bool,
    /// Declared purpose (audit only; no effect on requests).
    pub purpose: Option<String>,
    /// Owner (audit only).
    pub owner: Option<String>,
}

impl AppPolicy {
    /// Input action for a type.
    pub fn phi_action(&self, t: PhiType) -> PhiAction {
        self.phi.get(t as usize).copied().unwrap_or(PhiAction::Block)
    }
    /// Output action for a type.
    pub fn output_action(&self, t: PhiType) -> PhiAction {
        self.output_phi.get(t as usize).copied().unwrap_or(PhiAction::Mask)
    }
    /// True when any input or output action needs the redaction key.
    pub fn needs_key(&self) -> bool {
        self.phi
            .iter()
            .chain(self.output_phi.iter())
            .any(|a| matches!(a, PhiAction::Pseudonymize | PhiAction::Tokenize))
    }
}

/// Kind of upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamKind {
    /// An OpenAI-compatible HTTP server.
    OpenAi {
        /// Base URL ending in `/v1` (no trailing slash).
        base_url: String,
        /// Bearer key reference.
        api_key: Option<SecretRef>,
    },
    /// The built-in simulated model.
    Simulated,
}

/// A validated upstream.
#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    /// Name.
    pub name: String,
    /// Kind and address.
    pub kind: UpstreamKind,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Retries on connection failure.
    pub retries: u32,
    /// Fallback upstream name.
    pub fallback: Option<String>,
}

/// A model route.
#[derive(Debug, Clone)]
pub struct ModelRoute {
    /// Upstream name.
    pub upstream: String,
    /// Name sent upstream.
    pub upstream_model: String,
}

/// TLS settings.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    /// Certificate chain path.
    pub cert: PathBuf,
    /// Key reference.
    pub key: SecretRef,
    /// Client CA path for mTLS.
    pub client_ca: Option<PathBuf>,
}

/// JWT settings.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// Issuer.
    pub issuer: String,
    /// Audiences.
    pub audience: Vec<String>,
    /// Where the verification keys come from.
    pub jwks: crate::jwks::JwksSource,
    /// Allowed algorithms.
    pub algorithms: Vec<jsonwebtoken::Algorithm>,
    /// Leeway.
    pub leeway_secs: u64,
    /// App claim name.
    pub app_claim: String,
}

/// Limits.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// Body bytes.
    pub max_body_bytes: usize,
    /// JSON depth.
    pub max_json_depth: usize,
    /// Messages per request.
    pub max_messages: usize,
    /// Body receive timeout.
    pub body_timeout: Duration,
    /// Header receive timeout.
    pub header_timeout: Duration,
    /// Concurrent streams per principal.
    pub max_concurrent_streams: usize,
}

/// Where the ledger's key-encryption keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditKeySource {
    /// A key file that must exist with mode 0600.
    File(PathBuf),
    /// An environment variable.
    Env(String),
    /// The development default: a 0600 file in the data directory, created on first start.
    DevDefault(PathBuf),
}

/// Validated `[audit]`.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// Ledger directory.
    pub dir: PathBuf,
    /// Key source.
    pub key: AuditKeySource,
    /// Fsync policy.
    pub fsync: phiwall_ledger::FsyncPolicy,
    /// Checkpoint record trigger.
    pub checkpoint_every_records: u64,
    /// Checkpoint age trigger, seconds.
    pub checkpoint_interval_secs: u64,
    /// Answer without waiting for (or despite failing) the audit write.
    pub is_fail_open: bool,
    /// What a fail-closed reply waits for.
    pub reply_waits_for: crate::audit::ReplyWaitsFor,
    /// Keep the plain JSONL event file too.
    pub is_jsonl_events: bool,
}

/// The validated configuration. Construct with [`RawConfig::validate`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Data directory.
    pub data_dir: PathBuf,
    /// Main listener.
    pub listen: SocketAddr,
    /// Metrics listener (loopback) or none.
    pub metrics_listen: Option<SocketAddr>,
    /// TLS, when configured.
    pub tls: Option<TlsConfig>,
    /// Shutdown grace.
    pub shutdown_grace: Duration,
    /// Async worker threads; `None`: one per core.
    pub worker_threads: Option<usize>,
    /// Limits.
    pub limits: LimitsConfig,
    /// JWT, when configured.
    pub jwt: Option<JwtConfig>,
    /// mTLS identities: lowercase hex SHA-256 of the leaf certificate -> app.
    pub mtls_identities: BTreeMap<String, String>,
    /// Redaction key reference.
    pub redaction_key: Option<SecretRef>,
    /// Upstreams by name.
    pub upstreams: BTreeMap<String, UpstreamConfig>,
    /// Model routes by public name.
    pub models: BTreeMap<String, ModelRoute>,
    /// App profiles by name.
    pub apps: BTreeMap<String, AppPolicy>,
    /// The audit ledger.
    pub audit: AuditConfig,
    /// SIEM sinks, validated.
    pub sinks: Vec<phiwall_watch::siem::config::SinkConfig>,
    /// Shared-state backends.
    pub store: crate::cluster::config::StoreConfig,
    /// The admin read API.
    pub admin: crate::admin::AdminConfig,
    /// Caller verification and disclosure control; `None` = off for every app.
    pub identity: Option<crate::identity_config::IdentityConfig>,
    /// Anomaly engine configuration (validated).
    pub anomaly: phiwall_watch::anomaly::AnomalyConfig,
}

/// One configuration problem: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Dotted key path, e.g. `apps.scheduling.phi.SSNN`.
    pub path: String,
    /// What is wrong (expected vs found).
    pub problem: String,
    /// What to do.
    pub fix: String,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} (fix: {})", self.path, self.problem, self.fix)
    }
}

/// Every problem found, or a TOML syntax error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file is not valid TOML or has unknown/mistyped keys.
    #[error("invalid configuration file: {0}")]
    Parse(String),
    /// Validation found problems.
    #[error("{} configuration problem(s):\n  {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Invalid(Vec<ConfigProblem>),
}

impl RawConfig {
    /// Parse TOML text.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))
    }

    /// The built-in configuration used when `phiwall serve` runs without `--config`: loopback,
    /// the simulated upstream, one `dev` app.
    pub fn builtin_default() -> Self {
        let mut upstreams = BTreeMap::new();
        upstreams.insert(
            "sim".to_string(),
            RawUpstream {
                kind: Some("simulated".into()),
                base_url: None,
                api_key: None,
                timeout_secs: None,
                connect_timeout_secs: None,
                retries: None,
                fallback: None,
            },
        );
        let mut models = BTreeMap::new();
        models.insert(
            SIM_MODEL.to_string(),
            RawModel { upstream: "sim".into(), upstream_model: None },
        );
        let mut phi = BTreeMap::new();
        for (k, v) in [
            ("default", "mask"),
            ("NAME", "tokenize"),
            ("DATE", "tokenize"),
            ("PHONE", "tokenize"),
            ("EMAIL", "tokenize"),
            ("SSN", "block"),
            ("CREDIT_CARD", "block"),
        ] {
            phi.insert(k.to_string(), v.to_string());
        }
        let mut apps = BTreeMap::new();
        apps.insert(
            "dev".to_string(),
            RawApp { models: vec![SIM_MODEL.to_string()], phi: Some(phi), ..RawApp::default() },
        );
        RawConfig { upstreams, models, apps, ..RawConfig::default() }
    }

    /// Check everything; return the typed config or every problem found.
    pub fn validate(&self) -> Result<Config, ConfigError> {
        let mut p: Vec<ConfigProblem> = Vec::new();
        let mut push = |path: String, problem: String, fix: &str| {
            p.push(ConfigProblem { path, problem, fix: fix.to_string() })
        };

        let data_dir = PathBuf::from(self.data_dir.as_deref().unwrap_or("./phiwall-data"));

        let listen = match self.server.listen.as_deref().unwrap_or("127.0.0.1:8686").parse() {
            Ok(a) => a,
            Err(_) => {
                push(
                    "server.listen".into(),
                    format!("expected an IP:port address, found {:?}", self.server.listen),
                    "write it like \"127.0.0.1:8686\" or \"0.0.0.0:8443\"",
                );
                SocketAddr::from(([127, 0, 0, 1], 8686))
            }
        };
        let worker_threads = self.server.worker_threads;
        if worker_threads.is_some_and(|n| !(1..=1024).contains(&n)) {
            push(
                "server.worker_threads".into(),
                "expected 1 to 1024".into(),
                "leave it out for one thread per core",
            );
        }
        let metrics_listen = match self.server.metrics_listen.as_deref() {
            Some("off") => None,
            other => match other.unwrap_or("127.0.0.1:9686").parse::<SocketAddr>() {
                Ok(a) if a.ip().is_loopback() => Some(a),
                Ok(a) => {
                    push(
                        "server.metrics_listen".into(),
                        format!("expected a loopback address, found {a}"),
                        "use 127.0.0.1:PORT (scrape through a local agent) or \"off\"",
                    );
                    None
                }
                Err(_) => {
                    push(
                        "server.metrics_listen".into(),
                        "expected an IP:port address or \"off\"".into(),
                        "write it like \"127.0.0.1:9686\"",
                    );
                    None
                }
            },
        };
        let tls = self.server.tls.as_ref().and_then(|t| match SecretRef::parse(&t.key) {
            Ok(key) => Some(TlsConfig {
                cert: PathBuf::from(&t.cert),
                key,
                client_ca: t.client_ca.as_ref().map(PathBuf::from),
            }),
            Err(e) => {
                push("server.tls.key".into(), e, "write key = \"file:/path/to/key.pem\"");
                None
            }
        });
        let allow_plain = self.server.allow_plain_http_on_loopback.unwrap_or(true);
        if self.server.tls.is_none() && !(listen.ip().is_loopback() && allow_plain) {
            push(
                "server.listen".into(),
                format!("plain HTTP on {listen} is refused: only loopback may run without TLS"),
                "configure [server.tls] cert and key, or listen on 127.0.0.1",
            );
        }

        let l = &self.limits;
        let mut positive = |path: &str, v: Option<u64>, default: u64| -> u64 {
            match v {
                Some(0) => {
                    push(
                        path.into(),
                        "expected a positive number, found 0".into(),
                        "remove the key to use the default, or set a positive value",
                    );
                    default
                }
                Some(v) => v,
                None => default,
            }
        };
        let limits = LimitsConfig {
            max_body_bytes: positive(
                "limits.max_body_bytes",
                l.max_body_bytes.map(|v| v as u64),
                1 << 20,
            ) as usize,
            max_json_depth: positive(
                "limits.max_json_depth",
                l.max_json_depth.map(|v| v as u64),
                32,
            ) as usize,
            max_messages: positive("limits.max_messages", l.max_messages.map(|v| v as u64), 256)
                as usize,
            body_timeout: Duration::from_secs(positive(
                "limits.body_timeout_secs",
                l.body_timeout_secs,
                30,
            )),
            header_timeout: Duration::from_secs(positive(
                "limits.header_timeout_secs",
                l.header_timeout_secs,
                10,
            )),
            max_concurrent_streams: positive(
                "limits.max_concurrent_streams",
                l.max_concurrent_streams.map(|v| v as u64),
                8,
            ) as usize,
        };
        let shutdown_grace = Duration::from_secs(self.server.shutdown_grace_secs.unwrap_or(10));

        let jwt = self.auth.jwt.as_ref().map(|j| {
            let mut algorithms = Vec::new();
            for (i, a) in j.algorithms.clone().unwrap_or_else(|| vec!["RS256".into(), "ES256".into()]).iter().enumerate() {
                match parse_alg(a) {
                    Some(alg) => algorithms.push(alg),
                    None => push(
                        format!("auth.jwt.algorithms[{i}]"),
                        format!("unsupported algorithm {a:?}"),
                        "use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA or HS256 (never none)",
                    ),
                }
            }
            if j.audience.is_empty() {
                push("auth.jwt.audience".into(), "expected at least one audience".into(), "set audience = [\"phiwall\"]");
            }
            if j.issuer.is_empty() {
                push("auth.jwt.issuer".into(), "expected the issuer URL".into(), "set issuer to your identity provider's issuer");
            }
            let jwks = match (&j.jwks_file, &j.jwks_url) {
                (Some(f), None) => crate::jwks::JwksSource::File(PathBuf::from(f)),
                (None, Some(u)) => {
                    let refresh = j.jwks_refresh_secs.unwrap_or(300);
                    if refresh == 0 {
                        push("auth.jwt.jwks_refresh_secs".into(), "expected a positive number".into(), "remove it for the default of 300");
                    }
                    crate::jwks::JwksSource::Url {
                        url: u.clone(),
                        refresh: Duration::from_secs(refresh.max(1)),
                        min_gap: Duration::from_secs(j.jwks_min_refresh_secs.unwrap_or(30)),
                    }
                }
                (f, _) => {
                    push(
                        "auth.jwt".into(),
                        if f.is_some() { "both jwks_file and jwks_url are set".into() } else { "no JWKS source".into() },
                        "set exactly one of jwks_file and jwks_url",
                    );
                    crate::jwks::JwksSource::File(PathBuf::new())
                }
            };
            if j.jwks_url.is_none() && (j.jwks_refresh_secs.is_some() || j.jwks_min_refresh_secs.is_some()) {
                push("auth.jwt.jwks_refresh_secs".into(), "refresh settings need jwks_url".into(), "remove them or set jwks_url");
            }
            JwtConfig {
                issuer: j.issuer.clone(),
                audience: j.audience.clone(),
                jwks,
                algorithms,
                leeway_secs: j.leeway_secs.unwrap_or(60),
                app_claim: j.app_claim.clone().unwrap_or_else(|| "phiwall_app".into()),
            }
        });

        let mut mtls_identities = BTreeMap::new();
        if let Some(m) = &self.auth.mtls {
            if self.server.tls.as_ref().and_then(|t| t.client_ca.as_ref()).is_none()
                && !m.identities.is_empty()
            {
                push(
                    "auth.mtls".into(),
                    "client identities need client certificate verification".into(),
                    "set server.tls.client_ca to the CA bundle that signs client certificates",
                );
            }
            for (fp, app) in &m.identities {
                let hex: String =
                    fp.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase();
                if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    push(
                        format!("auth.mtls.identities.{fp}"),
                        "expected a SHA-256 fingerprint (64 hex digits)".into(),
                        "use `openssl x509 -in client.pem -noout -fingerprint -sha256`",
                    );
                    continue;
                }
                if !self.apps.contains_key(app) {
                    push(
                        format!("auth.mtls.identities.{fp}"),
                        format!("no app named {app:?}"),
                        "name an [apps.NAME] table",
                    );
                }
                mtls_identities.insert(hex, app.clone());
            }
        }

        let redaction_key = self.redaction.key.as_ref().and_then(|k| match SecretRef::parse(k) {
            Ok(r) => Some(r),
            Err(e) => {
                push("redaction.key".into(), e, "write key = \"env:PHIWALL_REDACTION_KEY\"");
                None
            }
        });

        let mut upstreams = BTreeMap::new();
        for (name, u) in &self.upstreams {
            let path = format!("upstreams.{name}");
            let kind = match u.kind.as_deref().unwrap_or("openai") {
                "simulated" => UpstreamKind::Simulated,
                "openai" => {
                    let base_url = match u.base_url.as_deref() {
                        Some(b) if b.starts_with("https://") || b.starts_with("http://") => {
                            b.trim_end_matches('/').to_string()
                        }
                        Some(b) => {
                            push(
                                format!("{path}.base_url"),
                                format!("expected an http(s) URL, found {b:?}"),
                                "write it like \"https://api.openai.com/v1\"",
                            );
                            String::new()
                        }
                        None => {
                            push(
                                format!("{path}.base_url"),
                                "missing".into(),
                                "set base_url = \"https://HOST/v1\" or kind = \"simulated\"",
                            );
                            String::new()
                        }
                    };
                    let api_key = u.api_key.as_ref().and_then(|k| match SecretRef::parse(k) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            push(
                                format!("{path}.api_key"),
                                e,
                                "write api_key = \"env:OPENAI_API_KEY\"",
                            );
                            None
                        }
                    });
                    UpstreamKind::OpenAi { base_url, api_key }
                }
                other => {
                    push(
                        format!("{path}.kind"),
                        format!("expected \"openai\" or \"simulated\", found {other:?}"),
                        "remove kind for an OpenAI-compatible server",
                    );
                    UpstreamKind::Simulated
                }
            };
            if let Some(f) = &u.fallback {
                if !self.upstreams.contains_key(f) || f == name {
                    push(
                        format!("{path}.fallback"),
                        format!("no other upstream named {f:?}"),
                        "name another [upstreams.*] table or remove fallback",
                    );
                }
            }
            upstreams.insert(
                name.clone(),
                UpstreamConfig {
                    name: name.clone(),
                    kind,
                    timeout: Duration::from_secs(u.timeout_secs.unwrap_or(120).max(1)),
                    connect_timeout: Duration::from_secs(
                        u.connect_timeout_secs.unwrap_or(5).max(1),
                    ),
                    retries: u.retries.unwrap_or(2).min(10),
                    fallback: u.fallback.clone(),
                },
            );
        }

        let mut models = BTreeMap::new();
        for (name, m) in &self.models {
            if !self.upstreams.contains_key(&m.upstream) {
                push(
                    format!("models.{name}.upstream"),
                    format!("no upstream named {:?}", m.upstream),
                    "add an [upstreams.NAME] table or fix the name",
                );
            }
            models.insert(
                name.clone(),
                ModelRoute {
                    upstream: m.upstream.clone(),
                    upstream_model: m.upstream_model.clone().unwrap_or_else(|| name.clone()),
                },
            );
        }

        let mut apps = BTreeMap::new();
        if self.apps.is_empty() {
            push(
                "apps".into(),
                "no app profiles: every key and token acts for an app".into(),
                "add an [apps.NAME] table with models = [...]",
            );
        }
        for (name, a) in &self.apps {
            let path = format!("apps.{name}");
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
                push(
                    path.clone(),
                    "app names may hold letters, digits, '-', '_' and '.' only".into(),
                    "rename the table",
                );
            }
            if a.models.is_empty() {
                push(
                    format!("{path}.models"),
                    "expected at least one model".into(),
                    "list the model names this app may use",
                );
            }
            for (i, m) in a.models.iter().enumerate() {
                if !self.models.contains_key(m) {
                    push(
                        format!("{path}.models[{i}]"),
                        format!("no model named {m:?}"),
                        "add a [models.NAME] table or fix the name",
                    );
                }
            }
            let phi =
                parse_phi_map(&format!("{path}.phi"), a.phi.as_ref(), PhiAction::Mask, &mut push);
            let derived = phi.map(|x| match x {
                PhiAction::Allow | PhiAction::Pseudonymize | PhiAction::Tokenize => {
                    PhiAction::Allow
                }
                PhiAction::Mask | PhiAction::Block => PhiAction::Mask,
            });
            let output_phi = match &a.output_phi {
                Some(m) => {
                    let out = parse_phi_map(
                        &format!("{path}.output_phi"),
                        Some(m),
                        PhiAction::Mask,
                        &mut push,
                    );
                    out
                }
                None => derived,
            };
            let inj = a.injection.clone().unwrap_or_default();
            let mut threshold = |k: &str, v: Option<f32>| -> Option<f32> {
                match v {
                    Some(t) if (0.0..=1.0).contains(&t) => Some(t),
                    Some(t) => {
                        push(
                            format!("{path}.injection.{k}"),
                            format!("expected a number in [0, 1], found {t}"),
                            "remove it to use the detector's calibrated decision",
                        );
                        None
                    }
                    None => None,
                }
            };
            let injection = InjectionPolicy {
                scan_system: inj.scan_system.unwrap_or(false),
                threshold: threshold("threshold", inj.threshold),
                document_threshold: threshold("document_threshold", inj.document_threshold),
                action: match inj.action.as_deref().unwrap_or("block") {
                    "block" => InjectionAction::Block,
                    "flag" => InjectionAction::Flag,
                    other => {
                        push(
                            format!("{path}.injection.action"),
                            format!("expected \"block\" or \"flag\", found {other:?}"),
                            "use \"block\"",
                        );
                        InjectionAction::Block
                    }
                },
            };
            let mut rate = |k: &str, v: Option<u64>, d: u64| -> u64 {
                match v {
                    Some(0) => {
                        push(
                            format!("{path}.{k}"),
                            "expected a positive number, found 0".into(),
                            "limits cannot be switched off; set a large value instead",
                        );
                        d
                    }
                    Some(v) => v,
                    None => d,
                }
            };
            let policy = AppPolicy {
                name: name.clone(),
                models: a.models.iter().cloned().collect(),
                max_input_tokens: rate("max_input_tokens", a.max_input_tokens, 8192),
                max_output_tokens: rate("max_output_tokens", a.max_output_tokens, 1024),
                tools: a.tools.as_ref().map(|t| t.iter().cloned().collect()),
                requests_per_minute: rate("requests_per_minute", a.requests_per_minute, 600),
                tokens_per_minute: rate("tokens_per_minute", a.tokens_per_minute, 1_000_000),
                key_requests_per_minute: rate(
                    "key_requests_per_minute",
                    a.key_requests_per_minute,
                    120,
                ),
                key_tokens_per_minute: rate(
                    "key_tokens_per_minute",
                    a.key_tokens_per_minute,
                    200_000,
                ),
                phi,
                output_phi,
                injection,
                restore_tokens: a.restore_tokens.unwrap_or(true),
                link_domains: a
                    .link_domains
                    .clone()
                    .unwrap_or_default()
                    .iter()
                    .map(|d| d.trim_start_matches("*.").to_ascii_lowercase())
                    .collect(),
                canary: a.canary.unwrap_or(true),
                fail_closed: a.fail_closed.unwrap_or(true),
                purpose: a.purpose.clone(),
                owner: a.owner.clone(),
            };
            if policy.max_output_tokens > policy.key_tokens_per_minute {
                push(
                    format!("{path}.max_output_tokens"),
                    "larger than key_tokens_per_minute: every request would be refused".into(),
                    "lower max_output_tokens or raise key_tokens_per_minute",
                );
            }
            apps.insert(name.clone(), policy);
        }

        let audit = self.audit_config(&data_dir, &mut push);
        let sinks = phiwall_watch::siem::config::validate(&self.sinks).unwrap_or_else(|probs| {
            for s in probs {
                push(s.path, s.problem, &s.fix);
            }
            Vec::new()
        });
        let store = crate::cluster::config::validate(&self.store, &mut push);
        let admin = self.admin.validate().unwrap_or_else(|problems| {
            for (path, problem, fix) in problems {
                push(path, problem, fix);
            }
            crate::admin::AdminConfig::default()
        });
        for problem in self.anomaly.validate() {
            push(
                format!("anomaly.{}", problem.key),
                problem.message.to_string(),
                "see docs/anomaly.md for the keys and their defaults",
            );
        }
        let anomaly = self.anomaly.clone();
        let identity = self.identity.as_ref().map(|i| {
            let names = self.apps.keys().cloned().collect();
            let is_simulated_only =
                self.upstreams.values().all(|u| u.kind.as_deref() == Some("simulated"));
            i.validate(&names, is_simulated_only, &mut push)
        });

        if p.is_empty() {
            Ok(Config {
                admin,
                identity,
                anomaly,
                audit,
                sinks,
                store,
                data_dir,
                listen,
                metrics_listen,
                tls,
                shutdown_grace,
                worker_threads,
                limits,
                jwt,
                mtls_identities,
                redaction_key,
                upstreams,
                models,
                apps,
            })
        } else {
            Err(ConfigError::Invalid(p))
        }
    }
}

impl RawConfig {
    fn audit_config(
        &self,
        data_dir: &std::path::Path,
        push: &mut impl FnMut(String, String, &str),
    ) -> AuditConfig {
        let a = &self.audit;
        let key = match a.key.as_deref() {
            None => AuditKeySource::DevDefault(data_dir.join("ledger.kek")),
            Some(k) => match SecretRef::parse(k) {
                Ok(SecretRef::Env(v)) => AuditKeySource::Env(v),
                Ok(SecretRef::File(f)) => AuditKeySource::File(f),
                Err(e) => {
                    push(
                        "audit.key".into(),
                        e,
                        "write key = \"file:/etc/phiwall/ledger.kek\" or \"env:PHIWALL_LEDGER_KEK\"",
                    );
                    AuditKeySource::DevDefault(data_dir.join("ledger.kek"))
                }
            },
        };
        let fsync = match a.fsync.as_deref() {
            None => phiwall_ledger::FsyncPolicy::Always,
            Some(f) => phiwall_ledger::FsyncPolicy::parse(f).unwrap_or_else(|| {
                push(
                    "audit.fsync".into(),
                    format!("expected always, never or a period like 10ms, found {f:?}"),
                    "write fsync = \"always\"",
                );
                phiwall_ledger::FsyncPolicy::Always
            }),
        };
        let is_fail_open = a.dangerous_audit_fail_open.unwrap_or(false);
        if a.fail_closed == Some(false) && !is_fail_open {
            push(
                "audit.fail_closed".into(),
                "false without dangerous_audit_fail_open = true".into(),
                "keep fail_closed = true, or acknowledge the risk with dangerous_audit_fail_open = true",
            );
        }
        if a.fail_closed == Some(true) && is_fail_open {
            push(
                "audit.dangerous_audit_fail_open".into(),
                "true while fail_closed = true: the two contradict".into(),
                "remove one of them",
            );
        }
        let reply_waits_for = match a.reply_waits_for.as_deref() {
            None | Some("intent") => crate::audit::ReplyWaitsFor::Intent,
            Some("outcome") => crate::audit::ReplyWaitsFor::Outcome,
            Some(other) => {
                push(
                    "audit.reply_waits_for".into(),
                    format!("expected intent or outcome, found {other:?}"),
                    "write reply_waits_for = \"intent\"",
                );
                crate::audit::ReplyWaitsFor::Intent
            }
        };
        AuditConfig {
            dir: a.dir.as_ref().map(PathBuf::from).unwrap_or_else(|| data_dir.join("ledger")),
            key,
            fsync,
            checkpoint_every_records: a.checkpoint_every_records.unwrap_or(10_000),
            checkpoint_interval_secs: a.checkpoint_interval_secs.unwrap_or(60),
            is_fail_open,
            reply_waits_for,
            is_jsonl_events: a.jsonl_events.unwrap_or(true),
        }
    }
}

fn parse_alg(s: &str) -> Option<jsonwebtoken::Algorithm> {
    use jsonwebtoken::Algorithm as A;
    Some(match s {
        "RS256" => A::RS256,
        "RS384" => A::RS384,
        "RS512" => A::RS512,
        "PS256" => A::PS256,
        "PS384" => A::PS384,
        "PS512" => A::PS512,
        "ES256" => A::ES256,
        "ES384" => A::ES384,
        "EdDSA" => A::EdDSA,
        "HS256" => A::HS256,
        _ => return None,
    })
}

fn parse_phi_map(
    path: &str,
    map: Option<&BTreeMap<String, String>>,
    fallback: PhiAction,
    push: &mut impl FnMut(String, String, &str),
) -> [PhiAction; phiwall_scan::ALL_PHI_TYPES.len()] {
    let Some(map) = map else {
        return [fallback; phiwall_scan::ALL_PHI_TYPES.len()];
    };
    let default = match map.get("default") {
        Some(v) => PhiAction::parse(v).unwrap_or_else(|| {
            push(
                format!("{path}.default"),
                format!("unknown action {v:?}"),
                "use allow, mask, pseudonymize, tokenize or block",
            );
            fallback
        }),
        None => fallback,
    };
    let mut out = [default; phiwall_scan::ALL_PHI_TYPES.len()];
    for (k, v) in map {
        if k == "default" {
            continue;
        }
        let Ok(t) = k.parse::<PhiType>() else {
            push(
                format!("{path}.{k}"),
                format!("unknown PHI type {k:?}"),
                "use a type such as NAME, DATE, SSN, EMAIL (see docs/gateway.md)",
            );
            continue;
        };
        match PhiAction::parse(v) {
            Some(a) => {
                if let Some(slot) = out.get_mut(t as usize) {
                    *slot = a;
                }
            }
            None => push(
                format!("{path}.{k}"),
                format!("unknown action {v:?}"),
                "use allow, mask, pseudonymize, tokenize or block",
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_validates() {
        let raw = RawConfig::from_toml(EXAMPLE_TOML).unwrap();
        let cfg = raw.validate().unwrap();
        assert!(!cfg.apps.is_empty());
        let sched = cfg.apps.get("scheduling").unwrap();
        assert_eq!(sched.phi_action(PhiType::Ssn), PhiAction::Block);
    }

    #[test]
    fn builtin_default_validates() {
        let cfg = RawConfig::builtin_default().validate().unwrap();
        assert!(cfg.listen.ip().is_loopback());
        assert!(cfg.models.contains_key(SIM_MODEL));
        assert!(cfg.apps.get("dev").unwrap().needs_key());
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let e = RawConfig::from_toml("[server]\nlisten = \"127.0.0.1:1\"\nlisten_typo = 1\n");
        assert!(matches!(e, Err(ConfigError::Parse(m)) if m.contains("listen_typo")));
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let text = r#"
            [server]
            listen = "0.0.0.0:8443"
            [upstreams.a]
            base_url = "ftp://x"
            api_key = "sk-inline-secret"
            fallback = "nope"
            [models.m]
            upstream = "missing"
            [apps.x]
            models = ["m", "other"]
            phi = { SSNN = "mask", NAME = "explode" }
            injection = { threshold = 2.0 }
            requests_per_minute = 0
        "#;
        let Err(ConfigError::Invalid(problems)) = RawConfig::from_toml(text).unwrap().validate()
        else {
            panic!("expected problems");
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        for want in [
            "server.listen",
            "upstreams.a.base_url",
            "upstreams.a.api_key",
            "upstreams.a.fallback",
            "models.m.upstream",
            "apps.x.models[1]",
            "apps.x.phi.SSNN",
            "apps.x.phi.NAME",
            "apps.x.injection.threshold",
            "apps.x.requests_per_minute",
        ] {
            assert!(paths.contains(&want), "missing {want} in {paths:?}");
        }
        // The inline secret is not echoed back.
        assert!(!problems.iter().any(|p| p.problem.contains("sk-inline-secret")));
    }

    #[test]
    fn secrets_print_redacted() {
        let r = SecretRef::parse("env:PHIWALL_TEST_SECRET_X").unwrap();
        assert_eq!(r.to_string(), "env:PHIWALL_TEST_SECRET_X");
        let s = Secret::new("hunter2".into());
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert!(SecretRef::parse("hunter2").is_err());
        assert!(r.resolve().is_err());
    }

    #[test]
    fn anomaly_section_and_worker_threads() {
        let base = "[upstreams.sim]\nkind = \"simulated\"\n[models.m]\nupstream = \"sim\"\n[apps.a]\nmodels = [\"m\"]\n";
        let c = RawConfig::from_toml(&format!(
            "{base}[server]\nworker_threads = 1\n[anomaly]\nbulk_floor_aggregate = 40.0\nthrottle_floor = 10.0\n"
        ))
        .unwrap()
        .validate()
        .unwrap();
        assert_eq!(c.worker_threads, Some(1));
        assert_eq!(c.anomaly.bulk_floor_aggregate, 40.0);
        assert_eq!(c.anomaly.z, phiwall_watch::anomaly::AnomalyConfig::default().z);
        // A typo is a parse error, an invalid value names its key.
        assert!(RawConfig::from_toml(&format!("{base}[anomaly]\nbulk_flor = 1.0\n")).is_err());
        let bad = RawConfig::from_toml(&format!("{base}[anomaly]\nalpha_week = 0.0\n"))
            .unwrap()
            .validate();
        match bad {
            Err(ConfigError::Invalid(p)) => {
                assert!(p.iter().any(|p| p.path == "anomaly.alpha_week"), "{p:?}")
            }
            other => panic!("expected a problem, got {other:?}"),
        }
        let bad = RawConfig::from_toml(&format!("{base}[server]\nworker_threads = 0\n"))
            .unwrap()
            .validate();
        assert!(bad.is_err());
    }

    #[test]
    fn metrics_listener_must_be_loopback() {
        let raw = RawConfig {
            server: RawServer { metrics_listen: Some("0.0.0.0:9686".into()), ..Default::default() },
            ..RawConfig::builtin_default()
        };
        assert!(raw.validate().is_err());
    }
}
