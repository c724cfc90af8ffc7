//! Playbooks: TOML files that map detection kinds and severities to actions, automatic or
//! waiting for approval, plus the notifiers those actions use and the correlation and
//! escalation settings.
//!
//! Flow (vector's): [`RawPlaybook`] (serde, unknown fields rejected) → [`PlaybookSet::load`]
//! validates every file and reports every problem with its key path and a fix → a
//! [`PlaybookSet`] that only holds valid rules. The embedded default set
//! (`playbooks/default.toml`) covers every [`DetectionKind`] (tested).

use crate::incident::{parse_severity, severity_str};
use phiwall_store::ContainmentKind;
use phiwall_watch::{DetectionKind, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The embedded default playbook set.
pub const DEFAULT_PLAYBOOK: &str = include_str!("../playbooks/default.toml");

/// Every problem found in the playbook files, each naming the file, the key and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid playbooks:\n  {}", .problems.join("\n  "))]
pub struct PlaybookError {
    /// One line per problem: `FILE: KEY: what is wrong; how to fix it`.
    pub problems: Vec<String>,
}

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionKind {
    /// Refuse an API key (the detection's key principal).
    SuspendKey,
    /// Refuse every credential of an app.
    SuspendApp,
    /// Refuse a session id.
    QuarantineSession,
    /// Make a session or caller verify again.
    RequireReverification,
    /// Refuse a client address.
    BlockSourceIp,
    /// Refuse a caller (keyed reference).
    BlockCaller,
    /// Mask every PHI type in the app's output, no token restore.
    TightenAppPolicy,
    /// The gateway releases no PHI at all.
    SafeMode,
    /// Send a notification through a named notifier.
    Notify,
    /// Save the ledger range of the incident with inclusion proofs.
    SnapshotEvidence,
}

impl ActionKind {
    /// Every action.
    pub const ALL: [ActionKind; 10] = [
        ActionKind::SuspendKey,
        ActionKind::SuspendApp,
        ActionKind::QuarantineSession,
        ActionKind::RequireReverification,
        ActionKind::BlockSourceIp,
        ActionKind::BlockCaller,
        ActionKind::TightenAppPolicy,
        ActionKind::SafeMode,
        ActionKind::Notify,
        ActionKind::SnapshotEvidence,
    ];

    /// Stable name (the `action` key in playbooks).
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionKind::SuspendKey => "suspend_key",
            ActionKind::SuspendApp => "suspend_app",
            ActionKind::QuarantineSession => "quarantine_session",
            ActionKind::RequireReverification => "require_reverification",
            ActionKind::BlockSourceIp => "block_source_ip",
            ActionKind::BlockCaller => "block_caller",
            ActionKind::TightenAppPolicy => "tighten_app_policy",
            ActionKind::SafeMode => "safe_mode",
            ActionKind::Notify => "notify",
            ActionKind::SnapshotEvidence => "snapshot_evidence",
        }
    }

    /// Parse [`ActionKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the action changes what the gateway serves (and is reversed on recovery).
    pub const fn is_containment(self) -> bool {
        !matches!(self, ActionKind::Notify | ActionKind::SnapshotEvidence)
    }

    /// The containment kinds this action may apply (by principal kind of the target).
    pub const fn containment(self) -> &'static [ContainmentKind] {
        match self {
            ActionKind::SuspendKey => &[ContainmentKind::SuspendKey],
            ActionKind::SuspendApp => &[ContainmentKind::SuspendApp],
            ActionKind::QuarantineSession => &[ContainmentKind::QuarantineSession],
            ActionKind::RequireReverification => {
                &[ContainmentKind::ReverifySession, ContainmentKind::ReverifyCaller]
            }
            ActionKind::BlockSourceIp => &[ContainmentKind::BlockSourceIp],
            ActionKind::BlockCaller => &[ContainmentKind::BlockCaller],
            ActionKind::TightenAppPolicy => &[ContainmentKind::TightenApp],
            ActionKind::SafeMode => &[ContainmentKind::SafeMode],
            ActionKind::Notify | ActionKind::SnapshotEvidence => &[],
        }
    }
}

/// One action of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSpec {
    /// What.
    pub kind: ActionKind,
    /// Runs on its own (`auto`) or waits for `phiwall incidents contain` (`approval`).
    pub is_automatic: bool,
    /// Containment lifetime, ms (None: until recovery).
    pub ttl_ms: Option<i64>,
    /// Only when the incident is at least this severe.
    pub min_severity: Severity,
    /// Notifier name (notify only).
    pub notifier: Option<String>,
}

/// A rule: detection kinds and a minimum severity, then actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Name (in records and reports).
    pub name: String,
    /// Kinds it matches.
    pub kinds: Vec<DetectionKind>,
    /// Minimum incident severity.
    pub min_severity: Severity,
    /// Actions, in order.
    pub actions: Vec<ActionSpec>,
}

/// How notifications are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notifier {
    /// A structured warning in phiwall's log (always available).
    Log,
    /// POST a JSON summary to a URL.
    Webhook {
        /// https URL (http only on loopback).
        url: String,
        /// Timeout, ms.
        timeout_ms: u64,
    },
    /// POST a pager event (PagerDuty Events v2 shape) to a URL.
    Pager {
        /// Events endpoint.
        url: String,
        /// Environment variable holding the routing key.
        routing_key_env: String,
        /// Timeout, ms.
        timeout_ms: u64,
    },
    /// E-mail over SMTP with TLS (rustls).
    Smtp {
        /// Server host name.
        host: String,
        /// Port (465 implicit TLS, 587 STARTTLS).
        port: u16,
        /// `tls` (implicit) or `starttls`.
        is_implicit_tls: bool,
        /// Sender address.
        from: String,
        /// Recipients.
        to: Vec<String>,
        /// Login user, if any.
        username: Option<String>,
        /// Environment variable holding the password.
        password_env: Option<String>,
        /// Timeout, ms.
        timeout_ms: u64,
    },
}

/// Severity escalation rules applied on top of the max of the detections' severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    /// At least high when this many distinct detection kinds joined.
    pub distinct_kinds_high: usize,
    /// At least high when this many distinct patients are affected.
    pub patients_high: usize,
    /// Critical when this many distinct patients are affected (HIPAA: 500 triggers media and
    /// HHS notice within 60 days).
    pub patients_critical: usize,
    /// One level up when this many detections joined.
    pub detections_raise: u64,
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            distinct_kinds_high: 3,
            patients_high: 10,
            patients_critical: 500,
            detections_raise: 1_000,
        }
    }
}

/// How detections are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correlation {
    /// A detection joins an open incident whose principal, session, source, caller or patient
    /// was seen at most this long before, ms.
    pub window_ms: i64,
    /// Patient references per detection used as correlation keys.
    pub max_patient_keys: usize,
}

impl Default for Correlation {
    fn default() -> Self {
        Correlation { window_ms: 3_600_000, max_patient_keys: 16 }
    }
}

/// A validated set of playbooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookSet {
    /// Rules from every file, in load order.
    pub rules: Vec<Rule>,
    /// Notifiers by name.
    pub notifiers: BTreeMap<String, Notifier>,
    /// Escalation.
    pub escalation: Escalation,
    /// Correlation.
    pub correlation: Correlation,
}

/// The file format.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlaybook {
    /// Correlation settings.
    #[serde(default)]
    pub correlation: Option<RawCorrelation>,
    /// Escalation settings.
    #[serde(default)]
    pub escalation: Option<RawEscalation>,
    /// Named notifiers.
    #[serde(default)]
    pub notifiers: BTreeMap<String, RawNotifier>,
    /// `[[rule]]` tables.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RawRule>,
}

/// `[correlation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    /// Window, e.g. `1h`.
    pub window: Option<String>,
    /// Patient refs per detection used for correlation.
    pub max_patient_keys: Option<usize>,
}

/// `[escalation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalation {
    /// See [`Escalation::distinct_kinds_high`].
    pub distinct_kinds_high: Option<usize>,
    /// See [`Escalation::patients_high`].
    pub patients_high: Option<usize>,
    /// See [`Escalation::patients_critical`].
    pub patients_critical: Option<usize>,
    /// See [`Escalation::detections_raise`].
    pub detections_raise: Option<u64>,
}

/// `[notifiers.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotifier {
    /// `log`, `webhook`, `pager` or `smtp`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Webhook or pager URL.
    pub url: Option<String>,
    /// Pager routing key variable.
    pub routing_key_env: Option<String>,
    /// SMTP host.
    pub host: Option<String>,
    /// SMTP port.
    pub port: Option<u16>,
    /// `starttls` (default) or `tls`.
    pub tls: Option<String>,
    /// Sender.
    pub from: Option<String>,
    /// Recipients.
    #[serde(default)]
    pub to: Vec<String>,
    /// SMTP user.
    pub username: Option<String>,
    /// SMTP password variable.
    pub password_env: Option<String>,
    /// Timeout, e.g. `5s`.
    pub timeout: Option<String>,
}

/// `[[rule]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Name.
    pub name: String,
    /// Detection kinds (`DetectionKind::as_str`).
    pub kinds: Vec<String>,
    /// Minimum severity (default `informational`).
    pub min_severity: Option<String>,
    /// `[[rule.action]]` tables.
    #[serde(default, rename = "action")]
    pub actions: Vec<RawAction>,
}

/// `[[rule.action]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    /// What (`ActionKind::as_str`).
    #[serde(rename = "do")]
    pub kind: String,
    /// `auto` or `approval` (default: `approval` for containment, `auto` otherwise).
    pub mode: Option<String>,
    /// Containment lifetime, e.g. `4h`.
    pub ttl: Option<String>,
    /// Only at this incident severity or above.
    pub min_severity: Option<String>,
    /// Notifier name (notify).
    pub notifier: Option<String>,
}

/// Parse `30s`, `15m`, `4h`, `7d` (or plain seconds) into milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (s.get(..i)?, s.get(i..)?),
        None => (s, "s"),
    };
    let n: i64 = num.parse().ok()?;
    let mult = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    (n > 0).then(|| n.saturating_mul(mult))
}

const SEVERITIES: &str = "informational, low, medium, high, critical";

fn is_env_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
}

fn url_ok(u: &str) -> bool {
    u.starts_with("https://")
        || u.starts_with("http://127.0.0.1")
        || u.starts_with("http://localhost")
        || u.starts_with("http://[::1]")
}

struct Check<'a> {
    file: &'a str,
    problems: &'a mut Vec<String>,
}

impl Check<'_> {
    fn push(&mut self, key: &str, msg: &str) {
        self.problems.push(format!("{}: {key}: {msg}", self.file));
    }
}

fn severity_of(c: &mut Check<'_>, key: &str, v: Option<&str>) -> Severity {
    match v {
        None => Severity::Informational,
        Some(s) => parse_severity(s).unwrap_or_else(|| {
            c.push(key, &format!("unknown severity `{s}`; use one of {SEVERITIES}"));
            Severity::Informational
        }),
    }
}

fn timeout_of(c: &mut Check<'_>, key: &str, v: Option<&str>) -> u64 {
    match v {
        None => 5_000,
        Some(t) => match parse_duration_ms(t) {
            Some(ms) if ms <= 60_000 => u64::try_from(ms).unwrap_or(5_000),
            _ => {
                c.push(key, "expected a duration up to 60s such as `5s`");
                5_000
            }
        },
    }
}

fn notifier(c: &mut Check<'_>, name: &str, n: &RawNotifier) -> Option<Notifier> {
    let key = format!("notifiers.{name}");
    let timeout_ms = timeout_of(c, &format!("{key}.timeout"), n.timeout.as_deref());
    match n.kind.as_str() {
        "log" => Some(Notifier::Log),
        "webhook" | "pager" => {
            let Some(url) = n.url.clone() else {
                c.push(&format!("{key}.url"), "missing; set the https URL to POST to");
                return None;
            };
            if !url_ok(&url) {
                c.push(
                    &format!("{key}.url"),
                    "must start with https:// (plain http is allowed only to 127.0.0.1 or localhost)",
                );
                return None;
            }
            if n.kind == "webhook" {
                return Some(Notifier::Webhook { url, timeout_ms });
            }
            match n.routing_key_env.as_deref() {
                Some(v) if is_env_name(v) => {
                    Some(Notifier::Pager { url, routing_key_env: v.to_string(), timeout_ms })
                }
                _ => {
                    c.push(
                        &format!("{key}.routing_key_env"),
                        "set the NAME of an environment variable holding the routing key (UPPER_CASE); keys are never written in playbooks",
                    );
                    None
                }
            }
        }
        "smtp" => {
            let host = n.host.clone().filter(|h| !h.is_empty());
            if host.is_none() {
                c.push(&format!("{key}.host"), "missing; set the SMTP server host name");
            }
            let is_implicit_tls = match n.tls.as_deref() {
                None | Some("starttls") => false,
                Some("tls") => true,
                Some(_) => {
                    c.push(
                        &format!("{key}.tls"),
                        "use `starttls` (port 587) or `tls` (port 465); plaintext SMTP is not supported",
                    );
                    false
                }
            };
            let from = n.from.clone().filter(|f| is_email(f));
            if from.is_none() {
                c.push(&format!("{key}.from"), "set a sender address like phiwall@example.org");
            }
            if n.to.is_empty() || !n.to.iter().all(|t| is_email(t)) {
                c.push(&format!("{key}.to"), "set a list of recipient addresses");
            }
            if let Some(p) = &n.password_env {
                if !is_env_name(p) {
                    c.push(
                        &format!("{key}.password_env"),
                        "set the NAME of an environment variable (UPPER_CASE); passwords are never written in playbooks",
                    );
                }
            }
            Some(Notifier::Smtp {
                host: host?,
                port: n.port.unwrap_or(if is_implicit_tls { 465 } else { 587 }),
                is_implicit_tls,
                from: from?,
                to: n.to.clone(),
                username: n.username.clone(),
                password_env: n.password_env.clone(),
                timeout_ms,
            })
        }
        other => {
            c.push(
                &format!("{key}.type"),
                &format!("unknown notifier type `{other}`; use log, webhook, pager or smtp"),
            );
            None
        }
    }
}

fn action(c: &mut Check<'_>, key: &str, a: &RawAction) -> Option<ActionSpec> {
    let Some(kind) = ActionKind::parse(&a.kind) else {
        let all: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
        c.push(
            &format!("{key}.do"),
            &format!("unknown action `{}`; use one of {}", a.kind, all.join(", ")),
        );
        return None;
    };
    let is_automatic = match a.mode.as_deref() {
        None => !kind.is_containment(),
        Some("auto") => true,
        Some("approval") => false,
        Some(m) => {
            c.push(&format!("{key}.mode"), &format!("unknown mode `{m}`; use auto or approval"));
            false
        }
    };
    let ttl_ms = match a.ttl.as_deref() {
        None => None,
        Some(_) if !kind.is_containment() => {
            c.push(&format!("{key}.ttl"), "only containment actions expire; remove ttl");
            None
        }
        Some(t) => {
            let v = parse_duration_ms(t);
            if v.is_none() {
                c.push(&format!("{key}.ttl"), "expected a duration such as `30m`, `4h` or `7d`");
            }
            v
        }
    };
    let notifier = match (kind, &a.notifier) {
        (ActionKind::Notify, None) => {
            c.push(&format!("{key}.notifier"), "notify needs a notifier name from [notifiers]");
            None
        }
        (ActionKind::Notify, Some(n)) => Some(n.clone()),
        (_, Some(_)) => {
            c.push(&format!("{key}.notifier"), "only notify takes a notifier; remove it");
            None
        }
        (_, None) => None,
    };
    let min_severity = severity_of(c, &format!("{key}.min_severity"), a.min_severity.as_deref());
    Some(ActionSpec { kind, is_automatic, ttl_ms, min_severity, notifier })
}

impl PlaybookSet {
    /// Only the embedded default set.
    pub fn default_set() -> Result<Self, PlaybookError> {
        Self::load(&[("default.toml", DEFAULT_PLAYBOOK)])
    }

    /// Load and validate `(file name, text)` pairs in order. Later files override
    /// `[correlation]` and `[escalation]`, add notifiers (a name may be defined once) and
    /// append rules.
    pub fn load(files: &[(&str, &str)]) -> Result<Self, PlaybookError> {
        let mut problems = Vec::new();
        let mut set = PlaybookSet {
            rules: Vec::new(),
            notifiers: BTreeMap::new(),
            escalation: Escalation::default(),
            correlation: Correlation::default(),
        };
        let mut notify_refs: Vec<(String, String)> = Vec::new();
        for (file, text) in files {
            let raw: RawPlaybook = match toml::from_str(text) {
                Ok(r) => r,
                Err(e) => {
                    problems
                        .push(format!("{file}: {}", e.to_string().replace('\n', " ").trim_end()));
                    continue;
                }
            };
            let mut c = Check { file, problems: &mut problems };
            if let Some(cor) = &raw.correlation {
                if let Some(w) = &cor.window {
                    match parse_duration_ms(w) {
                        Some(ms) => set.correlation.window_ms = ms,
                        None => c.push("correlation.window", "expected a duration such as `1h`"),
                    }
                }
                if let Some(m) = cor.max_patient_keys {
                    set.correlation.max_patient_keys = m.min(1_024);
                }
            }
            if let Some(e) = &raw.escalation {
                let d = &mut set.escalation;
                d.distinct_kinds_high = e.distinct_kinds_high.unwrap_or(d.distinct_kinds_high);
                d.patients_high = e.patients_high.unwrap_or(d.patients_high);
                d.patients_critical = e.patients_critical.unwrap_or(d.patients_critical);
                d.detections_raise = e.detections_raise.unwrap_or(d.detections_raise);
                if d.patients_critical < d.patients_high {
                    c.push(
                        "escalation.patients_critical",
                        "must be at least escalation.patients_high",
                    );
                }
            }
            for (name, n) in &raw.notifiers {
                if set.notifiers.contains_key(name) {
                    c.push(
                        &format!("notifiers.{name}"),
                        "defined in an earlier file too; give it another name",
                    );
                    continue;
                }
                if let Some(v) = notifier(&mut c, name, n) {
                    set.notifiers.insert(name.clone(), v);
                }
            }
            for (i, r) in raw.rules.iter().enumerate() {
                let key = format!("rule[{i}] ({})", r.name);
                if r.name.is_empty() {
                    c.push(&format!("rule[{i}].name"), "give the rule a name");
                }
                if set.rules.iter().any(|x| x.name == r.name) {
                    c.push(&format!("{key}.name"), "a rule with this name exists; rename it");
                }
                let mut kinds = Vec::new();
                for (j, k) in r.kinds.iter().enumerate() {
                    match DetectionKind::parse(k) {
                        Some(k) => kinds.push(k),
                        None => {
                            let all: Vec<&str> =
                                DetectionKind::ALL.iter().map(|k| k.as_str()).collect();
                            c.push(
                                &format!("{key}.kinds[{j}]"),
                                &format!(
                                    "unknown detection kind `{k}`; use one of {}",
                                    all.join(", ")
                                ),
                            );
                        }
                    }
                }
                if r.kinds.is_empty() {
                    c.push(&format!("{key}.kinds"), "list at least one detection kind");
                }
                if r.actions.is_empty() {
                    c.push(&format!("{key}.action"), "add at least one [[rule.action]]");
                }
                let min_severity =
                    severity_of(&mut c, &format!("{key}.min_severity"), r.min_severity.as_deref());
                let mut actions = Vec::new();
                for (j, a) in r.actions.iter().enumerate() {
                    let akey = format!("{key}.action[{j}]");
                    if let Some(spec) = action(&mut c, &akey, a) {
                        if let Some(n) = &spec.notifier {
                            notify_refs.push((format!("{file}: {akey}.notifier"), n.clone()));
                        }
                        actions.push(spec);
                    }
                }
                set.rules.push(Rule { name: r.name.clone(), kinds, min_severity, actions });
            }
        }
        for (key, n) in notify_refs {
            if !set.notifiers.contains_key(&n) {
                problems.push(format!(
                    "{key}: no notifier `{n}`; define [notifiers.{n}] or use one of: {}",
                    set.notifiers.keys().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if problems.is_empty() {
            Ok(set)
        } else {
            Err(PlaybookError { problems })
        }
    }

    /// The default set (unless `without_default`) plus every `*.toml` in `dir`, by name.
    pub fn load_dir(dir: Option<&Path>, without_default: bool) -> Result<Self, crate::Error> {
        let mut files: Vec<(String, String)> = Vec::new();
        if !without_default {
            files.push(("default.toml".into(), DEFAULT_PLAYBOOK.into()));
        }
        if let Some(dir) = dir {
            let io = |e| crate::Error::Io { path: dir.display().to_string(), source: e };
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p)
                    .map_err(|e| crate::Error::Io { path: p.display().to_string(), source: e })?;
                files.push((p.display().to_string(), text));
            }
        }
        let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        Ok(Self::load(&refs)?)
    }

    /// The actions (with their rule names) for `kind` at incident severity `severity`.
    pub fn actions_for(
        &self,
        kind: DetectionKind,
        severity: Severity,
    ) -> Vec<(&Rule, &ActionSpec)> {
        let mut out = Vec::new();
        for r in &self.rules {
            if !r.kinds.contains(&kind) || severity < r.min_severity {
                continue;
            }
            for a in &r.actions {
                if severity >= a.min_severity {
                    out.push((r, a));
                }
            }
        }
        out
    }

    /// Detection kinds no rule covers.
    pub fn uncovered_kinds(&self) -> Vec<DetectionKind> {
        DetectionKind::ALL
            .into_iter()
            .filter(|k| !self.rules.iter().any(|r| r.kinds.contains(k)))
            .collect()
    }
}

/// A one-line description of an action spec (for `phiwall incidents playbooks`).
pub fn describe(a: &ActionSpec) -> String {
    let mut s = format!(
        "{} ({}{})",
        a.kind.as_str(),
        if a.is_automatic { "auto" } else { "approval" },
        if a.min_severity > Severity::Informational {
            format!(", from {}", severity_str(a.min_severity))
        } else {
            String::new()
        }
    );
    if let Some(t) = a.ttl_ms {
        s.push_str(&format!(", expires after {} min", t / 60_000));
    }
    if let Some(n) = &a.notifier {
        s.push_str(&format!(", via {n}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_set_is_valid_and_covers_every_kind() {
        let set = PlaybookSet::default_set().unwrap();
        assert!(set.uncovered_kinds().is_empty(), "{:?}", set.uncovered_kinds());
        assert!(set.notifiers.contains_key("log"));
        let acts = set.actions_for(DetectionKind::BulkPatientAccess, Severity::High);
        assert!(acts.iter().any(|(_, a)| a.kind == ActionKind::SuspendKey && a.is_automatic));
    }

    #[test]
    fn errors_name_the_key_and_the_fix() {
        let bad = r#"
[notifiers.hook]
type = "webhook"
url = "http://example.org/x"

[[rule]]
name = "r"
kinds = ["bulk_patient_acess"]
min_severity = "severe"
[[rule.action]]
do = "suspend"
[[rule.action]]
do = "notify"
notifier = "nobody"
[[rule.action]]
do = "snapshot_evidence"
ttl = "1h"
"#;
        let e = PlaybookSet::load(&[("x.toml", bad)]).unwrap_err();
        let all = e.problems.join("\n");
        assert!(all.contains("x.toml: notifiers.hook.url: must start with https://"), "{all}");
        assert!(all.contains("rule[0] (r).kinds[0]: unknown detection kind `bulk_patient_acess`"));
        assert!(all.contains("rule[0] (r).min_severity: unknown severity `severe`"));
        assert!(all.contains("rule[0] (r).action[0].do: unknown action `suspend`; use one of"));
        assert!(all.contains("action[1].notifier: no notifier `nobody`"));
        assert!(all.contains("action[2].ttl: only containment actions expire"));
        let e = PlaybookSet::load(&[("y.toml", "[[rule]]\nname = \"a\"\nkinds = []\nbogus = 1\n")])
            .unwrap_err();
        assert!(e.problems[0].starts_with("y.toml: "), "{:?}", e.problems);
        assert!(e.problems[0].contains("bogus"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("30m"), Some(1_800_000));
        assert_eq!(parse_duration_ms("2h"), Some(7_200_000));
        assert_eq!(parse_duration_ms("45"), Some(45_000));
        assert_eq!(parse_duration_ms("0s"), None);
        assert_eq!(parse_duration_ms("4x"), None);
    }

    #[test]
    fn later_files_add_rules_and_notifiers() {
        let extra = r#"
[escalation]
patients_critical = 50
[notifiers.sec]
type = "smtp"
host = "smtp.example.org"
from = "phiwall@example.org"
to = ["sec@example.org"]
password_env = "SMTP_PASSWORD"
[[rule]]
name = "extra"
kinds = ["token_spike"]
[[rule.action]]
do = "notify"
notifier = "sec"
"#;
        let set = PlaybookSet::load(&[("default.toml", DEFAULT_PLAYBOOK), ("extra.toml", extra)])
            .unwrap();
        assert_eq!(set.escalation.patients_critical, 50);
        assert!(matches!(set.notifiers.get("sec"), Some(Notifier::Smtp { port: 587, .. })));
    }
}
