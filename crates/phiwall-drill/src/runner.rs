//! Sends a step's requests: paced to `rate_per_sec` from one schedule (no bursts to catch up),
//! at most `concurrency` in flight, exactly `count` requests. Each answer is classified
//! ([`Class`]) from the status and, for answers, the reply (mask markers, a refused
//! verification); bodies are read up to 1 MiB and then dropped, never stored or logged.

use crate::scenario::{Action, KeyChoice, SessionMode, Step};
use crate::scorecard::{Class, StepOutcome};
use crate::target::Target;
use crate::template::Values;
use phiwall_identity::synth::{self, Rng, SynthPerson};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Default model for chat steps.
pub const DEFAULT_MODEL: &str = "phiwall-sim";

/// Session header the gateway reads today.
pub const SESSION_HEADER: &str = "x-session-id";
/// Session header of caller verification (issue 5).
pub const PHIWALL_SESSION_HEADER: &str = "x-phiwall-session";
/// The caller number a telephony platform reports (phiwall's channel fact header).
pub const CALLER_NUMBER_HEADER: &str = "x-phiwall-caller-number";

/// What the runner needs besides the step.
#[derive(Clone)]
pub struct RunContext {
    /// HTTP client.
    pub client: reqwest::Client,
    /// Target.
    pub target: Target,
    /// Further replicas of the same cluster: requests go round robin over `target` and these.
    pub replicas: Vec<Target>,
    /// The data-plane key for `primary` steps.
    pub key: Option<String>,
    /// Overrides every step's model.
    pub model: Option<String>,
    /// Caps every step's rate.
    pub max_rate: Option<f64>,
    /// Seed for synthetic patients and guesses.
    pub seed: u64,
}

impl RunContext {
    /// Where request `i` of a step goes (round robin over the target and its replicas).
    pub fn target_for(&self, i: u32) -> &Target {
        let n = self.replicas.len() + 1;
        match i as usize % n {
            0 => &self.target,
            k => self.replicas.get(k - 1).unwrap_or(&self.target),
        }
    }

    fn all_targets(&self) -> impl Iterator<Item = &Target> {
        std::iter::once(&self.target).chain(self.replicas.iter())
    }
}

impl std::fmt::Debug for RunContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunContext").field("target", &self.target).finish_non_exhaustive()
    }
}

/// `bytes` random bytes as hex (the OS random source; the clock if it fails).
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    if getrandom::getrandom(&mut b).is_err() {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        return format!("{n:0width$x}", width = bytes * 2).chars().take(bytes * 2).collect();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// One prepared request.
struct Prepared {
    /// The synthetic patient's identifiers this request did not itself contain: a reply that
    /// carries one of them released PHI the caller did not bring.
    secrets: Vec<String>,
    url: String,
    auth: Option<String>,
    session: Option<String>,
    caller_number: Option<String>,
    body: Vec<u8>,
}

fn guess_dob(rng: &mut Rng) -> String {
    format!("{:04}-{:02}-{:02}", 1940 + rng.below(66), 1 + rng.below(12), 1 + rng.below(28))
}

fn prepare(
    step: &Step,
    ctx: &RunContext,
    i: u32,
    session: Option<&str>,
    patients: &[SynthPerson],
    rng: &mut Rng,
) -> Prepared {
    let prompt = if step.prompts.is_empty() {
        ""
    } else {
        step.prompts[i as usize % step.prompts.len()].as_str()
    };
    let guess = guess_dob(rng);
    let rand = random_hex(4);
    let v = Values {
        index: i,
        prompt,
        session: session.unwrap_or(""),
        patient: patients.get(i as usize % patients.len().max(1)),
        guess_dob: &guess,
        rand: &rand,
    };
    let model = ctx
        .model
        .clone()
        .or_else(|| match &step.action {
            Action::Chat { model, .. } => model.clone(),
            _ => None,
        })
        .unwrap_or_else(|| DEFAULT_MODEL.to_string());
    let (path, body) = match &step.action {
        Action::Chat { messages, .. } => {
            let msgs: Vec<Value> = messages
                .iter()
                .map(|(role, t)| {
                    let content = t.render(&v, false);
                    if role == "tool" {
                        json!({"role": role, "tool_call_id": "drill", "content": content})
                    } else {
                        json!({"role": role, "content": content})
                    }
                })
                .collect();
            (
                "/v1/chat/completions".to_string(),
                json!({"model": model, "messages": msgs, "max_tokens": 64})
                    .to_string()
                    .into_bytes(),
            )
        }
        Action::Post { path, body } => (
            path.render(&v, false),
            crate::template::render_json(body, &v).to_string().into_bytes(),
        ),
        Action::Oversized { body_bytes } => {
            let pad = usize::try_from(*body_bytes).unwrap_or(usize::MAX).saturating_sub(80);
            (
                "/v1/chat/completions".to_string(),
                json!({"model": model, "messages": [{"role": "user", "content": "a".repeat(pad)}]})
                    .to_string()
                    .into_bytes(),
            )
        }
    };
    let auth = match step.key {
        KeyChoice::Primary => ctx.key.clone(),
        KeyChoice::Invalid => Some(format!("pw_{}_{}", random_hex(6), random_hex(32))),
        KeyChoice::None => None,
    };
    let secrets = v
        .patient
        .map(|p| {
            [
                format!("{} {}", p.given, p.family),
                p.birth.iso(),
                p.mrn.clone(),
                p.phone.clone(),
                p.ssn.clone(),
            ]
            .into_iter()
            .filter(|x| !String::from_utf8_lossy(&body).contains(x.as_str()))
            .collect()
        })
        .unwrap_or_default();
    Prepared {
        secrets,
        url: ctx.target_for(i).url(&path),
        auth,
        session: session.map(str::to_string),
        caller_number: step.caller_number.clone(),
        body,
    }
}

/// Whether a reply shows a phiwall mask such as `[NAME]` or `[SSN]`.
pub fn has_mask(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|s| s.iter().position(|&c| c == b'[')) {
        let start = i + off + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_uppercase() || b[j] == b'_') {
            j += 1;
        }
        if j < b.len() && b[j] == b']' && (3..=20).contains(&(j - start)) {
            return true;
        }
        i = start;
    }
    false
}

/// Classify one answer.
pub fn classify(status: u16, body: &[u8], feature: Option<&str>) -> Class {
    match status {
        404 if feature.is_some() => Class::Unavailable,
        200..=299 => {
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let refused = v.get("verified").and_then(Value::as_bool) == Some(false)
                || matches!(
                    v.get("status").and_then(Value::as_str),
                    Some("failed" | "locked" | "denied" | "refused")
                );
            if refused {
                return Class::Blocked;
            }
            let text = v
                .pointer("/choices/0/message/content")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_default();
            if has_mask(&text) {
                Class::Redacted
            } else {
                Class::Passed
            }
        }
        400..=499 => Class::Blocked,
        _ => Class::ServerError,
    }
}

/// Status, reply body (at most 1 MiB), and whether a 2xx reply leaked a patient identifier.
type Answer = (Option<u16>, Vec<u8>, bool);

async fn send(client: &reqwest::Client, p: Prepared) -> Answer {
    let secrets = p.secrets;
    let mut r = client.post(&p.url).header("content-type", "application/json").body(p.body);
    if let Some(a) = &p.auth {
        r = r.bearer_auth(a);
    }
    if let Some(s) = &p.session {
        r = r.header(SESSION_HEADER, s).header(PHIWALL_SESSION_HEADER, s);
    }
    if let Some(n) = &p.caller_number {
        r = r.header(CALLER_NUMBER_HEADER, n);
    }
    match r.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let mut body = Vec::new();
            let mut resp = resp;
            while let Ok(Some(chunk)) = resp.chunk().await {
                if body.len() + chunk.len() > 1024 * 1024 {
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            let is_leak = (200..300).contains(&status) && {
                let text = String::from_utf8_lossy(&body);
                secrets.iter().any(|x| text.contains(x.as_str()))
            };
            (Some(status), body, is_leak)
        }
        Err(_) => (None, Vec::new(), false),
    }
}

/// Run one step. `sessions` receives the session ids used.
pub async fn run_step(step: &Step, ctx: &RunContext, sessions: &mut Vec<String>) -> StepOutcome {
    let mut out =
        StepOutcome { step: step.name.clone(), started_ms: now_ms(), ..Default::default() };
    let started = Instant::now();
    let patients = synth::population(step.patients as usize, ctx.seed).patients;
    let mut rng = Rng::new(ctx.seed ^ 0x9e37_79b9_7f4a_7c15);
    let rate = ctx.max_rate.map_or(step.rate_per_sec, |m| step.rate_per_sec.min(m)).max(0.01);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let fixed = format!("drill-{}", random_hex(6));
    if step.session == SessionMode::Fixed {
        sessions.push(fixed.clone());
    }
    let sem = Arc::new(Semaphore::new(step.concurrency as usize));
    let mut set: JoinSet<Answer> = JoinSet::new();
    let feature = step.feature.clone();
    let record = |out: &mut StepOutcome, r: Answer| -> bool {
        if r.2 {
            out.leaked += 1;
        }
        match r.0 {
            Some(s) => {
                let c = classify(s, &r.1, feature.as_deref());
                out.record(c, Some(s));
                c == Class::Unavailable
            }
            None => {
                out.record(Class::TransportError, None);
                false
            }
        }
    };
    let t0 = tokio::time::Instant::now();
    for i in 0..step.count {
        tokio::time::sleep_until(t0 + interval * i).await;
        let session = match step.session {
            SessionMode::None => None,
            SessionMode::Fixed => Some(fixed.clone()),
            SessionMode::PerRequest => {
                let s = format!("drill-{}-{i}", random_hex(4));
                sessions.push(s.clone());
                Some(s)
            }
        };
        let p = prepare(step, ctx, i, session.as_deref(), &patients, &mut rng);
        if i == 0 && step.feature.is_some() {
            // Probe the feature with the first request before sending the rest.
            let r = send(&ctx.client, p).await;
            if record(&mut out, r) {
                out.unavailable = step.feature.clone();
                break;
            }
            continue;
        }
        let Ok(permit) = sem.clone().acquire_owned().await else { break };
        let client = ctx.client.clone();
        set.spawn(async move {
            let r = send(&client, p).await;
            drop(permit);
            r
        });
        while let Some(done) = set.try_join_next() {
            if let Ok(r) = done {
                record(&mut out, r);
            }
        }
    }
    while let Some(done) = set.join_next().await {
        if let Ok(r) = done {
            record(&mut out, r);
        }
    }
    out.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    out
}

/// One benign chat request as a (possibly contained) principal through the target and every
/// replica; the status, or `None` without an answer. A replica that serves it (2xx) decides the
/// answer: containment must hold on all of them.
pub async fn probe(ctx: &RunContext, session: Option<&str>) -> Option<u16> {
    let model = ctx.model.clone().unwrap_or_else(|| DEFAULT_MODEL.to_string());
    let mut first = None;
    for t in ctx.all_targets() {
        let p = Prepared {
            secrets: Vec::new(),
            url: t.url("/v1/chat/completions"),
            auth: ctx.key.clone(),
            session: session.map(str::to_string),
            caller_number: None,
            body: json!({"model": model, "messages": [{"role": "user", "content": "Can I book a visit next week?"}], "max_tokens": 16})
                .to_string()
                .into_bytes(),
        };
        let s = send(&ctx.client, p).await.0;
        if s.is_some_and(|s| s < 300) {
            return s;
        }
        first = first.or(s);
    }
    first
}

/// `GET /healthz` answered 200 on the target and every replica.
pub async fn healthy(ctx: &RunContext) -> bool {
    for t in ctx.all_targets() {
        let ok = matches!(ctx.client.get(t.url("/healthz")).send().await, Ok(r) if r.status().as_u16() == 200);
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_go_round_robin_over_the_target_and_its_replicas() {
        let t = |u: &str| Target::parse(u, &[]).unwrap();
        let mut ctx = RunContext {
            client: reqwest::Client::new(),
            target: t("http://127.0.0.1:1"),
            replicas: Vec::new(),
            key: None,
            model: None,
            max_rate: None,
            seed: 1,
        };
        assert_eq!(ctx.target_for(5).origin(), "http://127.0.0.1:1");
        ctx.replicas = vec![t("http://127.0.0.1:2"), t("http://127.0.0.1:3")];
        let got: Vec<String> = (0..4).map(|i| ctx.target_for(i).origin()).collect();
        assert_eq!(
            got,
            [
                "http://127.0.0.1:1",
                "http://127.0.0.1:2",
                "http://127.0.0.1:3",
                "http://127.0.0.1:1"
            ]
        );
        assert_eq!(ctx.all_targets().count(), 3);
    }

    #[test]
    fn masks_are_recognised() {
        assert!(has_mask("call [PHONE] today"));
        assert!(has_mask("x [HEALTH_PLAN_ID]"));
        assert!(!has_mask("[a] [AB] [NAME_3F9A0C71D2E4] ["));
        assert!(!has_mask("plain text"));
    }

    #[test]
    fn classification() {
        assert_eq!(classify(401, b"", None), Class::Blocked);
        assert_eq!(classify(404, b"", Some("caller verification")), Class::Unavailable);
        assert_eq!(classify(404, b"", None), Class::Blocked);
        assert_eq!(classify(503, b"", None), Class::ServerError);
        assert_eq!(classify(200, br#"{"verified": false}"#, None), Class::Blocked);
        assert_eq!(
            classify(200, br#"{"choices":[{"message":{"content":"SSN [SSN]"}}]}"#, None),
            Class::Redacted
        );
        assert_eq!(
            classify(200, br#"{"choices":[{"message":{"content":"ok"}}]}"#, None),
            Class::Passed
        );
    }
}
