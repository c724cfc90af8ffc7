//! The scenario file format (TOML) and its validation.
//!
//! Flow: [`RawScenario`] (serde, unknown keys rejected) -> pure [`RawScenario::validate`], which
//! reports every problem with its key path -> [`Scenario`]. Parsing never panics: any byte
//! string gives either a scenario or a [`ScenarioError`] (a fuzz-friendly property tested with
//! proptest).
//!
//! Safety limits are part of validation, not of the runner's goodwill: a step sends at most
//! [`MAX_STEP_REQUESTS`] requests at most [`MAX_RATE_PER_SEC`] per second, a scenario at most
//! [`MAX_SCENARIO_REQUESTS`], bodies are at most [`MAX_BODY_BYTES`].

use crate::error::{Problem, ScenarioError};
use crate::template::Template;
use phiwall_watch::{DetectionKind, PrincipalKind};
use serde::Deserialize;

/// Most requests one step may send.
pub const MAX_STEP_REQUESTS: u32 = 2_000;
/// Most requests one scenario may send.
pub const MAX_SCENARIO_REQUESTS: u32 = 5_000;
/// Highest request rate a step may ask for.
pub const MAX_RATE_PER_SEC: f64 = 200.0;
/// Most requests in flight per step.
pub const MAX_CONCURRENCY: u32 = 32;
/// Largest body a step may send (oversized-request checks need a little over the gateway's
/// 1 MiB default).
pub const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;
/// Longest time limit an expectation may set.
pub const MAX_WITHIN_MS: u64 = 120_000;
/// Most synthetic patients a step may cycle through.
pub const MAX_PATIENTS: u32 = 1_000;

/// A scenario file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Short name (`[a-z0-9-]`, used in file names).
    pub name: String,
    /// One paragraph: what the attack is and what phiwall should do.
    pub description: String,
    /// The attack, in order.
    #[serde(default)]
    pub steps: Vec<RawStep>,
    /// What must happen.
    #[serde(default)]
    pub expect: Vec<RawExpect>,
}

/// One `[[steps]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// Step name (unique in the scenario).
    pub name: String,
    /// `chat` (default), `post` (any JSON POST: `path` and `body`) or `oversized` (a chat
    /// request padded to `body_bytes`).
    pub action: Option<String>,
    /// Request path for `post`, a template, e.g. `/phiwall/v1/sessions/{session}/verify`.
    pub path: Option<String>,
    /// JSON body for `post`, written as a TOML table; every string in it is a template.
    pub body: Option<toml::Value>,
    /// Credential: `primary` (the key given to the runner; default), `invalid` (a fresh,
    /// well-formed, unknown key per request) or `none`.
    pub key: Option<String>,
    /// Number of requests.
    pub count: u32,
    /// Requests per second. Default 10.
    pub rate_per_sec: Option<f64>,
    /// Requests in flight at once. Default 1.
    pub concurrency: Option<u32>,
    /// `none` (default), `fixed` (one session for the step) or `per_request`.
    pub session: Option<String>,
    /// Model name for chat requests. Default `phiwall-sim` (the runner can override it).
    pub model: Option<String>,
    /// Chat messages; `content` is a template.
    pub messages: Option<Vec<RawMessage>>,
    /// Texts cycled into `{prompt}`.
    pub prompts: Option<Vec<String>>,
    /// Distinct synthetic patients cycled into `{patient.*}`. Default 1.
    pub patients: Option<u32>,
    /// Body size for `oversized`.
    pub body_bytes: Option<u64>,
    /// Feature the step needs (e.g. `caller verification`); when the target answers 404 the
    /// step stops and its checks are skipped with this name in the reason.
    pub feature: Option<String>,
    /// Caller number sent as `X-Phiwall-Caller-Number` on every request of the step (what a
    /// telephony platform reports for a phone agent's call; use a fictional 555-01xx number).
    pub caller_number: Option<String>,
}

/// One chat message template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMessage {
    /// `system`, `user`, `assistant` or `tool` (a document: tool result, fax, portal message).
    pub role: String,
    /// Content template.
    pub content: String,
}

/// One `[[expect]]` entry: a control to score.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// Control name shown in the scorecard.
    pub control: String,
    /// `detection`, `incident`, `containment`, `blocked` (share of a step's requests refused
    /// or redacted), `status` (share answered with one of `statuses`), `no_leak` (no reply
    /// carried a patient identifier the request did not contain) or `healthy`.
    pub check: String,
    /// Detection kinds accepted (any of), for `detection` and `incident`.
    pub kinds: Option<Vec<String>>,
    /// Principal kind the detection or containment must name: `key`, `session`, `source_ip`,
    /// `caller`, `patient`, `app`, `user` or `any` (default).
    pub principal: Option<String>,
    /// Time limit from the start of the attack (or of `step`), ms. Default 10,000.
    pub within_ms: Option<u64>,
    /// Step the check is about (`blocked`, `status`; for timed checks the clock starts at its
    /// first request).
    pub step: Option<String>,
    /// Lowest share for `blocked` and `status`. Default 1.0.
    pub min_ratio: Option<f64>,
    /// Statuses counted by `status`.
    pub statuses: Option<Vec<u16>>,
    /// For `containment`: after containment is listed, send one request as the contained
    /// principal and require a refusal. Default true.
    pub probe: Option<bool>,
    /// A failed required control fails the scenario; an advisory one is reported only.
    /// Default true.
    pub required: Option<bool>,
}

/// What a step sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `POST /v1/chat/completions` with templated messages.
    Chat {
        /// Model name.
        model: Option<String>,
        /// (role, content template).
        messages: Vec<(String, Template)>,
    },
    /// A JSON POST to `path`.
    Post {
        /// Path template.
        path: Template,
        /// Body; every string in it is a (validated) template.
        body: serde_json::Value,
    },
    /// A chat request padded to `body_bytes`.
    Oversized {
        /// Body size.
        body_bytes: u64,
    },
}

/// Which credential a step uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyChoice {
    /// The runner's key.
    Primary,
    /// A fresh unknown key per request.
    Invalid,
    /// No `Authorization` header.
    None,
}

/// Session handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionMode {
    /// No session header.
    None,
    /// One session for the whole step.
    Fixed,
    /// A new session per request.
    PerRequest,
}

/// A validated step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Name.
    pub name: String,
    /// What to send.
    pub action: Action,
    /// Credential.
    pub key: KeyChoice,
    /// Requests.
    pub count: u32,
    /// Requests per second.
    pub rate_per_sec: f64,
    /// In flight.
    pub concurrency: u32,
    /// Sessions.
    pub session: SessionMode,
    /// Prompts for `{prompt}`.
    pub prompts: Vec<String>,
    /// Distinct synthetic patients.
    pub patients: u32,
    /// Feature needed.
    pub feature: Option<String>,
    /// Caller number header value.
    pub caller_number: Option<String>,
}

/// Principal kinds an expectation can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalMatch {
    /// Any principal.
    Any,
    /// This kind.
    Kind(PrincipalKind),
}

/// A validated check.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// A detection of one of `kinds`.
    Detection {
        /// Accepted kinds.
        kinds: Vec<DetectionKind>,
        /// Principal.
        principal: PrincipalMatch,
    },
    /// An incident with one of `kinds` (any kind when empty).
    Incident {
        /// Accepted kinds.
        kinds: Vec<DetectionKind>,
    },
    /// A contained principal.
    Containment {
        /// Principal.
        principal: PrincipalMatch,
        /// Verify enforcement with one more request.
        is_probe: bool,
    },
    /// Share of a step's requests refused or redacted.
    Blocked {
        /// Step.
        step: String,
        /// Lowest share.
        min_ratio: f64,
    },
    /// Share of a step's requests answered with one of `statuses`.
    Status {
        /// Step.
        step: String,
        /// Statuses.
        statuses: Vec<u16>,
        /// Lowest share.
        min_ratio: f64,
    },
    /// No 2xx reply of a step carried an identifier of its synthetic patient that the request
    /// itself did not contain.
    NoLeak {
        /// Step.
        step: String,
    },
    /// The gateway answers `/healthz` after the attack.
    Healthy,
}

/// A validated expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// Control name.
    pub control: String,
    /// The check.
    pub check: Check,
    /// Time limit, ms.
    pub within_ms: u64,
    /// Step whose first request starts the clock (default: the first step).
    pub step: Option<String>,
    /// Whether failing fails the scenario.
    pub is_required: bool,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Steps.
    pub steps: Vec<Step>,
    /// Expectations.
    pub expect: Vec<Expectation>,
}

impl Scenario {
    /// Parse and validate TOML text.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario =
            toml::from_str(text).map_err(|e| ScenarioError::Parse(e.to_string()))?;
        raw.validate()
    }

    /// Total requests the attack steps send.
    pub fn total_requests(&self) -> u64 {
        self.steps.iter().map(|s| u64::from(s.count)).sum()
    }

    /// Whether any step uses the runner's key.
    pub fn needs_primary_key(&self) -> bool {
        self.steps.iter().any(|s| s.key == KeyChoice::Primary)
    }
}

fn parse_principal(s: Option<&str>) -> Option<PrincipalMatch> {
    Some(match s.unwrap_or("any") {
        "any" => PrincipalMatch::Any,
        "key" => PrincipalMatch::Kind(PrincipalKind::Key),
        "app" => PrincipalMatch::Kind(PrincipalKind::App),
        "user" => PrincipalMatch::Kind(PrincipalKind::User),
        "session" => PrincipalMatch::Kind(PrincipalKind::Session),
        "caller" => PrincipalMatch::Kind(PrincipalKind::Caller),
        "source_ip" => PrincipalMatch::Kind(PrincipalKind::SourceIp),
        "patient" => PrincipalMatch::Kind(PrincipalKind::Patient),
        _ => return None,
    })
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl RawScenario {
    /// Check everything; return the scenario or every problem found.
    pub fn validate(&self) -> Result<Scenario, ScenarioError> {
        let mut p: Vec<Problem> = Vec::new();
        let mut push = |path: String, problem: String| p.push(Problem { path, problem });
        if !is_name(&self.name) {
            push("name".into(), "expected 1 to 64 characters of a-z, 0-9 and '-'".into());
        }
        if self.description.trim().is_empty() {
            push("description".into(), "expected a description of the attack".into());
        }
        if self.steps.is_empty() {
            push("steps".into(), "expected at least one [[steps]] entry".into());
        }
        let mut steps = Vec::new();
        let mut total: u64 = 0;
        for (i, s) in self.steps.iter().enumerate() {
            let path = format!("steps[{i}]");
            if let Some(step) = validate_step(s, &path, &mut push) {
                total += u64::from(step.count);
                if steps.iter().any(|x: &Step| x.name == step.name) {
                    push(format!("{path}.name"), format!("duplicate step name {:?}", step.name));
                }
                steps.push(step);
            }
        }
        if total > u64::from(MAX_SCENARIO_REQUESTS) {
            push(
                "steps".into(),
                format!("expected at most {MAX_SCENARIO_REQUESTS} requests in all, found {total}"),
            );
        }
        let mut expect = Vec::new();
        for (i, e) in self.expect.iter().enumerate() {
            let path = format!("expect[{i}]");
            if let Some(x) = validate_expect(e, &path, &self.steps, &mut push) {
                expect.push(x);
            }
        }
        if p.is_empty() {
            Ok(Scenario {
                name: self.name.clone(),
                description: self.description.trim().to_string(),
                steps,
                expect,
            })
        } else {
            Err(ScenarioError::Invalid(p))
        }
    }
}

fn validate_step(s: &RawStep, path: &str, push: &mut impl FnMut(String, String)) -> Option<Step> {
    let mut probs: Vec<(String, String)> = Vec::new();
    let bad = |probs: &mut Vec<(String, String)>, k: &str, m: String| {
        probs.push((format!("{path}.{k}"), m));
    };
    if !is_name(&s.name) {
        bad(&mut probs, "name", "expected 1 to 64 characters of a-z, 0-9 and '-'".into());
    }
    if s.count == 0 || s.count > MAX_STEP_REQUESTS {
        bad(&mut probs, "count", format!("expected 1 to {MAX_STEP_REQUESTS}, found {}", s.count));
    }
    let rate = s.rate_per_sec.unwrap_or(10.0);
    if !rate.is_finite() || rate <= 0.0 || rate > MAX_RATE_PER_SEC {
        bad(
            &mut probs,
            "rate_per_sec",
            format!("expected more than 0 and at most {MAX_RATE_PER_SEC}, found {rate}"),
        );
    }
    let concurrency = s.concurrency.unwrap_or(1);
    if concurrency == 0 || concurrency > MAX_CONCURRENCY {
        bad(
            &mut probs,
            "concurrency",
            format!("expected 1 to {MAX_CONCURRENCY}, found {concurrency}"),
        );
    }
    let patients = s.patients.unwrap_or(1);
    if patients == 0 || patients > MAX_PATIENTS {
        bad(&mut probs, "patients", format!("expected 1 to {MAX_PATIENTS}, found {patients}"));
    }
    if let Some(n) = &s.caller_number {
        let digits = n.chars().filter(char::is_ascii_digit).count();
        let plausible = n.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !plausible || !(7..=15).contains(&digits) {
            bad(
                &mut probs,
                "caller_number",
                "expected a phone number of 7 to 15 digits (digits, spaces, +-().)".into(),
            );
        }
    }
    let key = match s.key.as_deref().unwrap_or("primary") {
        "primary" => KeyChoice::Primary,
        "invalid" => KeyChoice::Invalid,
        "none" => KeyChoice::None,
        other => {
            bad(&mut probs, "key", format!("expected primary, invalid or none, found {other:?}"));
            KeyChoice::None
        }
    };
    let session = match s.session.as_deref().unwrap_or("none") {
        "none" => SessionMode::None,
        "fixed" => SessionMode::Fixed,
        "per_request" => SessionMode::PerRequest,
        other => {
            bad(
                &mut probs,
                "session",
                format!("expected none, fixed or per_request, found {other:?}"),
            );
            SessionMode::None
        }
    };
    let prompts = s.prompts.clone().unwrap_or_default();
    if prompts.iter().any(|p| p.len() > 64 * 1024) {
        bad(&mut probs, "prompts", "expected prompts of at most 64 KiB each".into());
    }
    let tpl = |probs: &mut Vec<(String, String)>, k: String, text: &str| match Template::parse(text)
    {
        Ok(t) => Some(t),
        Err(e) => {
            probs.push((format!("{path}.{k}"), e));
            None
        }
    };
    let action = match s.action.as_deref().unwrap_or("chat") {
        "chat" => {
            let msgs = s.messages.clone().unwrap_or_default();
            let mut out = Vec::new();
            if msgs.is_empty() {
                bad(&mut probs, "messages", "expected at least one message for a chat step".into());
            }
            for (j, m) in msgs.iter().enumerate() {
                if !matches!(m.role.as_str(), "system" | "user" | "assistant" | "tool") {
                    bad(
                        &mut probs,
                        &format!("messages[{j}].role"),
                        format!("expected system, user, assistant or tool, found {:?}", m.role),
                    );
                }
                if let Some(t) = tpl(&mut probs, format!("messages[{j}].content"), &m.content) {
                    out.push((m.role.clone(), t));
                }
            }
            Some(Action::Chat { model: s.model.clone(), messages: out })
        }
        "post" => {
            let p = s.path.as_deref().unwrap_or("");
            let path_ok = p.starts_with('/') && !p.contains("://") && !p.contains("..");
            if !path_ok {
                bad(
                    &mut probs,
                    "path",
                    "expected an absolute path such as /phiwall/v1/sessions/{session}/verify"
                        .into(),
                );
            }
            let pt = tpl(&mut probs, "path".into(), p);
            let body = match &s.body {
                None => Some(serde_json::Value::Object(Default::default())),
                Some(v) => match serde_json::to_value(v) {
                    Ok(j) => {
                        let mut ok = true;
                        crate::template::for_each_string(&j, &mut |t| {
                            if let Err(e) = Template::parse(t) {
                                ok = false;
                                probs.push((format!("{path}.body"), e));
                            }
                        });
                        ok.then_some(j)
                    }
                    Err(e) => {
                        bad(&mut probs, "body", format!("cannot convert to JSON: {e}"));
                        None
                    }
                },
            };
            match (pt, body) {
                (Some(path), Some(body)) => Some(Action::Post { path, body }),
                _ => None,
            }
        }
        "oversized" => {
            let n = s.body_bytes.unwrap_or(0);
            if n == 0 || n > MAX_BODY_BYTES {
                bad(&mut probs, "body_bytes", format!("expected 1 to {MAX_BODY_BYTES}, found {n}"));
            }
            Some(Action::Oversized { body_bytes: n })
        }
        other => {
            bad(&mut probs, "action", format!("expected chat, post or oversized, found {other:?}"));
            None
        }
    };
    let uses_prompt = match &action {
        Some(Action::Chat { messages, .. }) => messages.iter().any(|(_, t)| t.uses_prompt()),
        Some(Action::Post { path, body }) => {
            let mut uses = path.uses_prompt();
            crate::template::for_each_string(body, &mut |t| {
                uses |= Template::parse(t).is_ok_and(|t| t.uses_prompt());
            });
            uses
        }
        _ => false,
    };
    if uses_prompt && prompts.is_empty() {
        bad(&mut probs, "prompts", "a template uses {prompt} but no prompts are given".into());
    }
    if !probs.is_empty() {
        for (k, m) in probs {
            push(k, m);
        }
        return None;
    }
    Some(Step {
        name: s.name.clone(),
        action: action?,
        key,
        count: s.count,
        rate_per_sec: rate,
        concurrency,
        session,
        prompts,
        patients,
        feature: s.feature.clone(),
        caller_number: s.caller_number.clone(),
    })
}

fn validate_expect(
    e: &RawExpect,
    path: &str,
    steps: &[RawStep],
    push: &mut impl FnMut(String, String),
) -> Option<Expectation> {
    let mut n_bad = 0;
    let mut bad = |k: &str, m: String| {
        n_bad += 1;
        push(format!("{path}.{k}"), m);
    };
    if e.control.trim().is_empty() || e.control.len() > 120 {
        bad("control", "expected a control name of 1 to 120 characters".into());
    }
    let within_ms = e.within_ms.unwrap_or(10_000);
    if within_ms == 0 || within_ms > MAX_WITHIN_MS {
        bad("within_ms", format!("expected 1 to {MAX_WITHIN_MS}, found {within_ms}"));
    }
    if let Some(s) = &e.step {
        if !steps.iter().any(|x| &x.name == s) {
            bad("step", format!("no step named {s:?}"));
        }
    }
    let mut kinds = Vec::new();
    for k in e.kinds.clone().unwrap_or_default() {
        match DetectionKind::parse(&k) {
            Some(d) => kinds.push(d),
            None => {
                bad("kinds", format!("unknown detection kind {k:?} (see DetectionKind::as_str)"))
            }
        }
    }
    let principal = match parse_principal(e.principal.as_deref()) {
        Some(p) => p,
        None => {
            bad("principal", format!("expected key, session, source_ip, caller, patient, app, user or any, found {:?}", e.principal));
            PrincipalMatch::Any
        }
    };
    let min_ratio = e.min_ratio.unwrap_or(1.0);
    if !(0.0..=1.0).contains(&min_ratio) {
        bad("min_ratio", format!("expected 0 to 1, found {min_ratio}"));
    }
    let need_step = |bad: &mut dyn FnMut(&str, String)| match &e.step {
        Some(s) => Some(s.clone()),
        None => {
            bad("step", "this check needs the step it measures".into());
            None
        }
    };
    let check = match e.check.as_str() {
        "detection" => {
            if kinds.is_empty() && e.kinds.is_none() {
                bad("kinds", "expected at least one detection kind".into());
            }
            Some(Check::Detection { kinds, principal })
        }
        "incident" => Some(Check::Incident { kinds }),
        "containment" => Some(Check::Containment { principal, is_probe: e.probe.unwrap_or(true) }),
        "blocked" => need_step(&mut bad).map(|step| Check::Blocked { step, min_ratio }),
        "status" => {
            let statuses = e.statuses.clone().unwrap_or_default();
            if statuses.is_empty() || statuses.iter().any(|s| !(100..=599).contains(s)) {
                bad("statuses", "expected HTTP statuses such as [413, 429]".into());
            }
            need_step(&mut bad).map(|step| Check::Status { step, statuses, min_ratio })
        }
        "no_leak" => need_step(&mut bad).map(|step| Check::NoLeak { step }),
        "healthy" => Some(Check::Healthy),
        other => {
            bad(
                "check",
                format!("expected detection, incident, containment, blocked, status, no_leak or healthy, found {other:?}"),
            );
            None
        }
    };
    if n_bad > 0 {
        return None;
    }
    Some(Expectation {
        control: e.control.trim().to_string(),
        check: check?,
        within_ms,
        step: e.step.clone(),
        is_required: e.required.unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = r#"
name = "t"
description = "d"
[[steps]]
name = "s"
count = 2
prompts = ["hi"]
messages = [{ role = "user", content = "{prompt}" }]
[[expect]]
control = "c"
check = "detection"
kinds = ["prompt_injection"]
principal = "key"
"#;

    #[test]
    fn minimal_scenario_parses() {
        let s = Scenario::from_toml(MIN).unwrap();
        assert_eq!(s.steps[0].rate_per_sec, 10.0);
        assert_eq!(s.steps[0].key, KeyChoice::Primary);
        assert_eq!(s.expect[0].within_ms, 10_000);
        assert!(s.needs_primary_key());
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let text = r#"
name = "Bad Name"
description = ""
[[steps]]
name = "s"
count = 0
rate_per_sec = 1000.0
key = "stolen"
messages = [{ role = "robot", content = "{nope}" }]
[[expect]]
control = "c"
check = "blocked"
kinds = ["made_up"]
"#;
        let ScenarioError::Invalid(p) = Scenario::from_toml(text).unwrap_err() else {
            panic!("expected validation problems")
        };
        let paths: Vec<&str> = p.iter().map(|x| x.path.as_str()).collect();
        for want in [
            "name",
            "description",
            "steps[0].count",
            "steps[0].rate_per_sec",
            "steps[0].key",
            "steps[0].messages[0].role",
            "steps[0].messages[0].content",
            "expect[0].kinds",
            "expect[0].step",
        ] {
            assert!(paths.contains(&want), "missing {want} in {paths:?}");
        }
    }

    #[test]
    fn unknown_keys_and_bad_toml_are_parse_errors() {
        assert!(matches!(Scenario::from_toml("name = 1"), Err(ScenarioError::Parse(_))));
        let extra = MIN.replace("count = 2", "count = 2\nflood = true");
        assert!(matches!(Scenario::from_toml(&extra), Err(ScenarioError::Parse(_))));
    }

    #[test]
    fn limits_are_enforced() {
        let big = MIN.replace("count = 2", "count = 2001");
        assert!(Scenario::from_toml(&big).is_err());
        let many = format!(
            "name = \"t\"\ndescription = \"d\"\n{}",
            (0..3)
                .map(|i| format!("[[steps]]\nname = \"s{i}\"\ncount = 2000\nmessages = [{{ role = \"user\", content = \"x\" }}]\n"))
                .collect::<String>()
        );
        let ScenarioError::Invalid(p) = Scenario::from_toml(&many).unwrap_err() else {
            panic!("expected validation problems")
        };
        assert!(p.iter().any(|x| x.path == "steps" && x.problem.contains("5000")));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
            let _ = Scenario::from_toml(&s);
        }

        #[test]
        fn mutated_scenarios_never_panic(cut in 0usize..400, junk in "[\\[\\]{}=\"a-z0-9 \n.-]{0,20}") {
            let mut t = MIN.to_string();
            let at = cut.min(t.len());
            if t.is_char_boundary(at) {
                t.insert_str(at, &junk);
            }
            let _ = Scenario::from_toml(&t);
        }
    }
}
