//! Per-app policy checks: least privilege against the declared purpose, PHI redaction, the
//! LLM risks the gateway handles (injection, output, system-prompt leaks, tools, consumption),
//! and the AI asset inventory.

use super::Input;
use crate::check::{CheckResult, EvidenceItem, Status};
use crate::purpose;
use phiwall_gateway::config::{InjectionAction, PhiAction, UpstreamKind};
use phiwall_scan::{InjectionConfig, PhiType, ALL_PHI_TYPES};

/// Types no purpose needs in clear; passing them to a model is a failure, not a warning.
const NEVER_IN_CLEAR: [PhiType; 3] = [PhiType::Ssn, PhiType::CreditCard, PhiType::BiometricId];

fn allowed_types(app: &phiwall_gateway::config::AppPolicy) -> Vec<PhiType> {
    ALL_PHI_TYPES.iter().copied().filter(|t| app.phi_action(*t) == PhiAction::Allow).collect()
}

fn names(types: &[PhiType]) -> String {
    if types.is_empty() {
        return "none".into();
    }
    types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
}

/// Over-broad app profiles: PHI types passed to the model in clear that the declared purpose
/// does not need; apps without a purpose or an owner.
pub fn least_privilege(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new(
        "apps.least_privilege",
        "App profiles pass the model only the PHI their purpose needs",
    );
    let src = input.cfg_src();
    let mut over_broad = 0;
    for (name, app) in &input.config.apps {
        let allowed = allowed_types(app);
        r.push(EvidenceItem::config(
            format!("apps.{name}.phi (types passed in clear)"),
            names(&allowed),
            src,
        ));
        match &app.purpose {
            None => {
                r.push(EvidenceItem::config(format!("apps.{name}.purpose"), "not set", src));
                r.raise(
                    Status::Partial,
                    format!(
                        "declare each app's purpose (apps.NAME.purpose = one of {})",
                        purpose::names()
                    ),
                );
            }
            Some(p) => {
                r.push(EvidenceItem::config(format!("apps.{name}.purpose"), p.clone(), src));
                match purpose::find(p) {
                    None => r.raise(
                        Status::Partial,
                        format!(
                            "use a known purpose ({}) so the PHI it needs can be checked",
                            purpose::names()
                        ),
                    ),
                    Some(known) => {
                        let extra: Vec<PhiType> =
                            allowed.iter().copied().filter(|t| !known.needs.contains(t)).collect();
                        if !extra.is_empty() {
                            over_broad += 1;
                            r.push(EvidenceItem::note(
                                format!(
                                    "app {name}: purpose {} does not need {} in clear",
                                    known.name,
                                    names(&extra)
                                ),
                                src,
                            ));
                            let severe = extra.iter().any(|t| NEVER_IN_CLEAR.contains(t));
                            r.raise(
                                if severe { Status::Fail } else { Status::Partial },
                                format!(
                                    "in apps.{name}.phi set the types the purpose does not need to mask, tokenize or block ({})",
                                    names(&extra)
                                ),
                            );
                        }
                    }
                }
            }
        }
        if app.owner.is_none() {
            r.push(EvidenceItem::config(format!("apps.{name}.owner"), "not set", src));
            r.raise(Status::Partial, "name an owner for every app (apps.NAME.owner)");
        }
    }
    if let Some(u) = input.evidence.usage.get() {
        let unknown: Vec<&str> = u
            .apps
            .keys()
            .filter(|a| !input.config.apps.contains_key(a.as_str()))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            r.push(EvidenceItem::note(
                format!("apps seen in events but no longer configured: {}", unknown.join(", ")),
                input.evidence.usage.from().unwrap_or("events"),
            ));
        }
    }
    r.summary = match r.status {
        Status::Pass => "every app passes only the PHI its declared purpose needs".into(),
        Status::Fail => format!("{over_broad} over-broad app profiles, at least one passing identifiers no purpose needs"),
        _ => format!("{over_broad} over-broad app profiles, or apps without a declared purpose or owner"),
    };
    r
}

/// PHI is redacted before it reaches the model; never-needed identifiers never pass.
pub fn phi_redaction(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new(
        "phi.redaction",
        "PHI is redacted before the model and checked in responses",
    );
    let src = input.cfg_src();
    for (name, app) in &input.config.apps {
        let allowed = allowed_types(app);
        let severe: Vec<PhiType> =
            allowed.iter().copied().filter(|t| NEVER_IN_CLEAR.contains(t)).collect();
        if !severe.is_empty() {
            r.raise(Status::Fail, format!("block or mask {} in apps.{name}.phi", names(&severe)));
        }
        if allowed.len() == ALL_PHI_TYPES.len() {
            r.push(EvidenceItem::config(
                format!("apps.{name}.phi.default"),
                "allow (no redaction)",
                src,
            ));
            r.raise(
                Status::Fail,
                format!(
                    "apps.{name}: set phi.default = \"mask\" and allow only what the purpose needs"
                ),
            );
        } else {
            r.push(EvidenceItem::count(
                format!("PHI types app {name} replaces or blocks before the model"),
                (ALL_PHI_TYPES.len() - allowed.len()) as u64,
                src,
            ));
        }
        let out_allowed: Vec<PhiType> = ALL_PHI_TYPES
            .iter()
            .copied()
            .filter(|t| {
                app.output_action(*t) == PhiAction::Allow
                    && app.phi_action(*t) != PhiAction::Allow
                    && !matches!(app.phi_action(*t), PhiAction::Tokenize | PhiAction::Pseudonymize)
            })
            .collect();
        if !out_allowed.is_empty() {
            r.push(EvidenceItem::note(
                format!(
                    "app {name}: responses may carry {} that requests may not",
                    names(&out_allowed)
                ),
                src,
            ));
            r.raise(Status::Partial, format!("align apps.{name}.output_phi with apps.{name}.phi"));
        }
    }
    if let Some(u) = input.evidence.usage.get() {
        let usrc = input.evidence.usage.from().unwrap_or("events");
        let phi_in: u64 =
            u.findings.iter().filter(|(k, _)| k.starts_with("input.phi.")).map(|(_, n)| *n).sum();
        let phi_out: u64 =
            u.findings.iter().filter(|(k, _)| k.starts_with("output.phi.")).map(|(_, n)| *n).sum();
        r.push(EvidenceItem::count("PHI findings in requests (events)", phi_in, usrc));
        r.push(EvidenceItem::count("PHI findings in responses (events)", phi_out, usrc));
    }
    r.summary = match r.status {
        Status::Pass => {
            "every app redacts PHI by default and never passes SSNs, card numbers or biometric ids"
                .into()
        }
        Status::Partial => "redaction on; responses may carry types requests may not".into(),
        _ => "an app passes PHI to the model without redaction".into(),
    };
    r
}

/// LLM01: prompt injection is blocked on every app.
pub fn injection(input: &Input<'_>) -> CheckResult {
    let mut r =
        CheckResult::new("llm.injection", "Prompt injection is detected and blocked on every app");
    let src = input.cfg_src();
    let d = InjectionConfig::default();
    for (name, app) in &input.config.apps {
        let inj = &app.injection;
        let action = match inj.action {
            InjectionAction::Block => "block",
            InjectionAction::Flag => "flag",
        };
        r.push(EvidenceItem::config(format!("apps.{name}.injection.action"), action, src));
        if inj.action == InjectionAction::Flag {
            r.raise(Status::Partial, format!("set apps.{name}.injection.action = \"block\""));
        }
        if let Some(t) = inj.threshold {
            r.push(EvidenceItem::config(
                format!("apps.{name}.injection.threshold"),
                t.to_string(),
                src,
            ));
            if t > d.threshold {
                r.raise(Status::Partial, format!("apps.{name}.injection.threshold {t} is above the calibrated {}: remove it unless an evaluation supports it", d.threshold));
            }
        }
        if let Some(t) = inj.document_threshold {
            r.push(EvidenceItem::config(
                format!("apps.{name}.injection.document_threshold"),
                t.to_string(),
                src,
            ));
            if t > d.document_threshold {
                r.raise(
                    Status::Partial,
                    format!(
                        "apps.{name}.injection.document_threshold {t} is above the calibrated {}",
                        d.document_threshold
                    ),
                );
            }
        }
    }
    if let Some(u) = input.evidence.usage.get() {
        let usrc = input.evidence.usage.from().unwrap_or("events");
        let n: u64 =
            u.findings.iter().filter(|(k, _)| k.contains("injection")).map(|(_, n)| *n).sum();
        r.push(EvidenceItem::count("injection findings in events", n, usrc));
    }
    if let Some(e) = crate::bias::newest(input, phiwall_eval::saved::SavedKind::Injection) {
        if let Some(i) = &e.injection {
            r.push(EvidenceItem::figure(
                format!("attack prompt TPR (evaluation {})", e.date),
                i.attack_prompts.rate,
                "evals",
            ));
            r.push(EvidenceItem::figure(
                format!("benign prompt FPR (evaluation {})", e.date),
                i.benign_prompts.rate,
                "evals",
            ));
        }
    }
    r.summary = match r.status {
        Status::Pass => "every app blocks detected injections at the calibrated thresholds".into(),
        _ => "some apps only flag injections or use looser thresholds".into(),
    };
    r
}

/// LLM05: responses are inspected before they reach the caller.
pub fn output(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new(
        "llm.output",
        "Model output is inspected (PHI, links) before the caller sees it",
    );
    let src = input.cfg_src();
    for (name, app) in &input.config.apps {
        r.push(EvidenceItem::config(
            format!("apps.{name}.link_domains"),
            if app.link_domains.is_empty() {
                "none (every link removed)".into()
            } else {
                app.link_domains.join(", ")
            },
            src,
        ));
        let broad: Vec<&String> =
            app.link_domains.iter().filter(|d| !d.contains('.') || d.as_str() == "*").collect();
        if !broad.is_empty() {
            r.raise(
                Status::Partial,
                format!("apps.{name}.link_domains: list exact domains, not {broad:?}"),
            );
        }
    }
    r.push(EvidenceItem::note(
        "phiwall does not encode output for a downstream interpreter (HTML, SQL, shell): the receiving app must",
        "phiwall",
    ));
    r.summary = match r.status {
        Status::Pass => {
            "responses are scanned for PHI and links outside each app's list are removed".into()
        }
        _ => "an app allows links to overly broad domains".into(),
    };
    r
}

/// LLM07: system prompt leaks are caught by a canary.
pub fn canary(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new("llm.canary", "System prompt leaks are detected (canary)");
    let src = input.cfg_src();
    let off: Vec<&str> =
        input.config.apps.values().filter(|a| !a.canary).map(|a| a.name.as_str()).collect();
    r.push(EvidenceItem::count(
        "apps with the canary on",
        (input.config.apps.len() - off.len()) as u64,
        src,
    ));
    if !off.is_empty() {
        r.push(EvidenceItem::note(format!("canary off: {}", off.join(", ")), src));
        r.raise(Status::Fail, "set canary = true on every app");
    }
    if let Some(u) = input.evidence.usage.get() {
        let n: u64 = u.findings.iter().filter(|(k, _)| k.contains("canary")).map(|(_, n)| *n).sum();
        r.push(EvidenceItem::count(
            "canary leaks stopped (events)",
            n,
            input.evidence.usage.from().unwrap_or("events"),
        ));
    }
    r.summary = if off.is_empty() {
        "every app plants a canary in system prompts and refuses responses that repeat it".into()
    } else {
        format!("{} apps without the canary", off.len())
    };
    r
}

/// LLM06: tools are limited per app.
pub fn tools(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new("llm.tools", "Each app may offer the model only listed tools");
    let src = input.cfg_src();
    for (name, app) in &input.config.apps {
        match &app.tools {
            None => {
                r.push(EvidenceItem::config(
                    format!("apps.{name}.tools"),
                    "not set (any tool)",
                    src,
                ));
                r.raise(
                    Status::Fail,
                    format!("list the tools apps.{name} may offer (tools = [] for none)"),
                );
            }
            Some(t) => r.push(EvidenceItem::config(
                format!("apps.{name}.tools"),
                if t.is_empty() {
                    "[] (none)".to_string()
                } else {
                    t.iter().cloned().collect::<Vec<_>>().join(", ")
                },
                src,
            )),
        }
    }
    r.push(EvidenceItem::note(
        "phiwall limits which tools a request may offer; what a tool may do once called is the calling app's control",
        "phiwall",
    ));
    r.summary = match r.status {
        Status::Pass => "every app has a tool allow-list".into(),
        _ => "some apps may offer the model any tool".into(),
    };
    r
}

/// LLM10: requests, tokens, sizes and streams are bounded.
pub fn limits(input: &Input<'_>) -> CheckResult {
    let mut r =
        CheckResult::new("llm.limits", "Consumption is bounded (rates, tokens, sizes, streams)");
    let src = input.cfg_src();
    let l = &input.config.limits;
    r.push(EvidenceItem::config("limits.max_body_bytes", l.max_body_bytes.to_string(), src));
    r.push(EvidenceItem::config(
        "limits.max_concurrent_streams",
        l.max_concurrent_streams.to_string(),
        src,
    ));
    for (name, a) in &input.config.apps {
        r.push(EvidenceItem::config(
            format!("apps.{name} limits"),
            format!(
                "{} req/min, {} tokens/min app-wide; {} req/min, {} tokens/min per key; {} output tokens",
                a.requests_per_minute, a.tokens_per_minute, a.key_requests_per_minute, a.key_tokens_per_minute, a.max_output_tokens
            ),
            src,
        ));
    }
    if let Some(u) = input.evidence.usage.get() {
        let n: u64 =
            u.reasons.iter().filter(|(k, _)| k.starts_with("limit")).map(|(_, n)| *n).sum();
        r.push(EvidenceItem::count(
            "requests refused by limits (events)",
            n,
            input.evidence.usage.from().unwrap_or("events"),
        ));
    }
    r.summary = "every app has request, token and size limits (they cannot be switched off)".into();
    r
}

/// Asset inventory: models and upstreams configured and actually used, with owners.
pub fn inventory(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new(
        "inventory.assets",
        "AI asset inventory: models, upstreams, apps and owners",
    );
    let cfg = input.config;
    let src = input.cfg_src();
    r.push(EvidenceItem::count("models configured", cfg.models.len() as u64, src));
    r.push(EvidenceItem::count("upstreams configured", cfg.upstreams.len() as u64, src));
    for (name, u) in &cfg.upstreams {
        let where_ = match &u.kind {
            UpstreamKind::OpenAi { base_url, .. } => base_url.clone(),
            UpstreamKind::Simulated => "built-in simulated model".into(),
        };
        r.push(EvidenceItem::config(format!("upstreams.{name}"), where_, src));
    }
    let no_owner: Vec<&str> =
        cfg.apps.values().filter(|a| a.owner.is_none()).map(|a| a.name.as_str()).collect();
    if !no_owner.is_empty() {
        r.raise(Status::Partial, "name an owner for every app (apps.NAME.owner) so the inventory says who answers for it");
    }
    match input.evidence.usage.get() {
        Some(u) => {
            let usrc = input.evidence.usage.from().unwrap_or("events");
            for (m, seen) in &u.models {
                r.push(EvidenceItem::date(
                    format!("model {m} last used ({} requests)", seen.count),
                    seen.last_ms,
                    input.evidence.now_ms,
                    usrc,
                ));
            }
            let unknown: Vec<&str> = u
                .models
                .keys()
                .filter(|m| !cfg.models.contains_key(m.as_str()))
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                r.push(EvidenceItem::note(
                    format!(
                        "models requested that are not configured (refused): {}",
                        unknown.join(", ")
                    ),
                    usrc,
                ));
            }
            let unused: Vec<&str> = cfg
                .models
                .keys()
                .filter(|m| !u.models.contains_key(m.as_str()))
                .map(String::as_str)
                .collect();
            if !unused.is_empty() {
                r.push(EvidenceItem::note(
                    format!(
                        "models configured but never used: {} (remove what is not needed)",
                        unused.join(", ")
                    ),
                    usrc,
                ));
            }
        }
        None => {
            let (_, fix) = input.evidence.usage.missing().unwrap_or_default();
            r.push(EvidenceItem::note("actual model use unknown (events not read)", "audit"));
            r.raise(Status::Manual, fix);
        }
    }
    r.push(EvidenceItem::note(
        "the CycloneDX ML-BOM: `phiwall audit --format cyclonedx`",
        "phiwall",
    ));
    r.summary = match r.status {
        Status::Pass => "every model, upstream and app is listed with its owner and use".into(),
        Status::Partial => format!("{} apps without an owner", no_owner.len()),
        _ => "inventory from configuration only".into(),
    };
    r
}
