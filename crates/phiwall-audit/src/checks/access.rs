//! Access checks: unique identification, authentication, stale keys, administrator MFA,
//! automatic logoff and emergency access.

use super::Input;
use crate::check::{CheckResult, EvidenceItem, Status};
use std::collections::BTreeMap;

const DAY_SECS: i64 = 86_400;

fn key_summary(input: &Input<'_>) -> Option<(BTreeMap<String, usize>, String)> {
    let keys = input.evidence.keys.get()?;
    let now = input.now_secs();
    let mut per_app: BTreeMap<String, usize> = BTreeMap::new();
    for k in keys.iter().filter(|k| k.is_active(now)) {
        *per_app.entry(k.app.clone()).or_default() += 1;
    }
    Some((per_app, input.evidence.keys.from().unwrap_or("keys").to_string()))
}

/// HIPAA 164.312(a)(2)(i): every request is attributed to one principal.
pub fn unique_identity(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new("identity.unique", "Every caller is uniquely identified");
    let cfg = input.config;
    let src = input.cfg_src();
    r.push(EvidenceItem::count("app profiles", cfg.apps.len() as u64, src));
    if let Some(j) = &cfg.jwt {
        r.push(EvidenceItem::config("auth.jwt.issuer", j.issuer.clone(), src));
        r.push(EvidenceItem::note(
            "JWT callers are recorded by a hash of their subject (one per user)",
            src,
        ));
    }
    if !cfg.mtls_identities.is_empty() {
        r.push(EvidenceItem::count(
            "client certificates mapped to apps (auth.mtls.identities)",
            cfg.mtls_identities.len() as u64,
            src,
        ));
    }
    match key_summary(input) {
        Some((per_app, ksrc)) => {
            for (app, n) in &per_app {
                r.push(EvidenceItem::count(
                    format!("active API keys of app {app}"),
                    *n as u64,
                    &ksrc,
                ));
            }
            if let Some(keys) = input.evidence.keys.get() {
                let now = input.now_secs();
                let mut labels: BTreeMap<(&str, &str), usize> = BTreeMap::new();
                for k in keys.iter().filter(|k| k.is_active(now)) {
                    *labels.entry((k.app.as_str(), k.name.as_str())).or_default() += 1;
                }
                let shared: Vec<String> = labels
                    .iter()
                    .filter(|(_, n)| **n > 1)
                    .map(|((app, name), n)| format!("{app}/{name:?} x{n}"))
                    .collect();
                if !shared.is_empty() {
                    r.push(EvidenceItem::note(
                        format!("active keys sharing one label: {}", shared.join(", ")),
                        &ksrc,
                    ));
                    r.raise(
                        Status::Partial,
                        "give each calling system or person its own key with a distinct name (`phiwall keys create --name`)",
                    );
                }
            }
        }
        None if cfg.jwt.is_none() && cfg.mtls_identities.is_empty() => {
            let (reason, fix) = input.evidence.keys.missing().unwrap_or_default();
            r.push(EvidenceItem::note(format!("API keys not read: {reason}"), "audit"));
            r.raise(Status::Manual, fix);
        }
        None => {}
    }
    match input.evidence.usage.get() {
        Some(u) => {
            let usrc = input.evidence.usage.from().unwrap_or("events");
            r.push(EvidenceItem::count("events read", u.events, usrc));
            r.push(EvidenceItem::count(
                "requests answered without an authenticated principal",
                u.unauthenticated_success,
                usrc,
            ));
            if u.unauthenticated_success > 0 {
                r.raise(
                    Status::Fail,
                    "find how unauthenticated requests were answered (the events name the endpoint) and require a key, JWT or client certificate for it",
                );
            }
        }
        None => r.push(EvidenceItem::note(
            "events not read: attribution of past requests not checked",
            "audit",
        )),
    }
    r.summary = match r.status {
        Status::Pass => {
            "every request needs an API key, JWT or client certificate and events record which one"
                .into()
        }
        Status::Fail => "requests were answered without an identified principal".into(),
        Status::Partial => "callers are identified, but some keys look shared".into(),
        Status::Manual => "no credential evidence available".into(),
    };
    r
}

/// HIPAA 164.312(d): person or entity authentication.
pub fn entity_auth(input: &Input<'_>) -> CheckResult {
    let mut r = CheckResult::new("auth.entity", "Every request is authenticated");
    let cfg = input.config;
    let src = input.cfg_src();
    r.push(EvidenceItem::note(
        "API keys are 256-bit random secrets stored as SHA-256 hashes and compared in constant time",
        "phiwall-store",
    ));
    if let Some(j) = &cfg.jwt {
        let algs: Vec<String> = j.algorithms.iter().map(|a| format!("{a:?}")).collect();
        r.push(EvidenceItem::config("auth.jwt.algorithms", algs.join(", "), src));
        r.push(EvidenceItem::config("auth.jwt.audience", j.audience.join(", "), src));
        if algs.iter().any(|a| a == "HS256") {
            r.raise(
                Status::Partial,
                "prefer asymmetric JWT algorithms (RS256, ES256, EdDSA): HS256 shares the signing secret with every verifier",
            );
        }
    }
    match &cfg.tls {
        Some(t) => r.push(EvidenceItem::config(
            "server.tls.client_ca",
            t.client_ca.as_ref().map_or("not set (no client certificates)".to_string(), |p| {
                p.display().to_string()
            }),
            src,
        )),
        None => r.push(EvidenceItem::config("server.tls", "not configured", src)),
    }
    if let Some(u) = input.evidence.usage.get() {
        let usrc = input.evidence.usage.from().unwrap_or("events");
        let auth_denials: u64 =
            u.reasons.iter().filter(|(k, _)| k.starts_with("auth.")).map(|(_, n)| *n).sum();
        r.push(EvidenceItem::count("requests refused for authentication", auth_denials, usrc));
        if u.unauthenticated_success > 0 {
            r.raise(
                Status::Fail,
                "require authentication on every endpoint that answered without it",
            );
        }
    }
    r.summary = match r.status {
        Status::Pass => "keys, JWTs or client certificates are required on every request".into(),
        Status::Partial => {
            "authentication is required; one setting is weaker than it should be".into()
        }
        _ => "requests were answered without authentication".into(),
    };
    r
}

/// Stale credentials: active keys unused for `stale_key_days`, keys for unknown apps, keys that
/// never expire.
pub fn stale_keys(input: &Input<'_>) -> CheckResult {
    let id = "keys.stale";
    let title = "No stale, orphaned or never-expiring API keys";
    let Some(keys) = input.evidence.keys.get() else {
        let (reason, fix) = input.evidence.keys.missing().unwrap_or_default();
        return CheckResult::manual_missing(id, title, "API keys", &reason, &fix);
    };
    let mut r = CheckResult::new(id, title);
    let s = input.settings;
    let now = input.now_secs();
    let ksrc = input.evidence.keys.from().unwrap_or("keys").to_string();
    let active: Vec<_> = keys.iter().filter(|k| k.is_active(now)).collect();
    r.push(EvidenceItem::count("active API keys", active.len() as u64, &ksrc));
    r.push(EvidenceItem::count(
        "revoked or expired API keys",
        (keys.len() - active.len()) as u64,
        &ksrc,
    ));
    let usage = input.evidence.usage.get();
    let usrc = input.evidence.usage.from().unwrap_or("events").to_string();
    let mut stale = Vec::new();
    let mut no_expiry = Vec::new();
    let mut orphan = Vec::new();
    for k in &active {
        if !input.config.apps.contains_key(&k.app) {
            orphan.push(format!("{} (app {})", k.prefix, k.app));
        }
        match k.expires_at {
            None => no_expiry.push(k.prefix.clone()),
            Some(e) if e - k.created_at > s.max_key_lifetime_days * DAY_SECS => {
                no_expiry.push(k.prefix.clone())
            }
            Some(_) => {}
        }
        if let Some(u) = usage {
            let last = u.keys.get(&k.prefix).map(|x| x.last_ms.div_euclid(1000));
            let idle_since = last.unwrap_or(k.created_at);
            let idle_days = (now - idle_since).div_euclid(DAY_SECS);
            if idle_days >= s.stale_key_days {
                let what = match last {
                    Some(l) => format!(
                        "{} (app {}, {:?}): last used {}",
                        k.prefix,
                        k.app,
                        k.name,
                        crate::time::rfc3339_ms(l * 1000)
                    ),
                    None => format!(
                        "{} (app {}, {:?}): never used since {}",
                        k.prefix,
                        k.app,
                        k.name,
                        crate::time::rfc3339_ms(k.created_at * 1000)
                    ),
                };
                stale.push(what);
            }
        }
    }
    if usage.is_none() {
        r.push(EvidenceItem::note(
            "last use unknown: the event log was not read, so idle keys cannot be found",
            "audit",
        ));
        let (_, fix) = input.evidence.usage.missing().unwrap_or_default();
        r.raise(Status::Manual, fix);
    } else {
        r.push(EvidenceItem::count(
            format!("active keys unused for {} days or more", s.stale_key_days),
            stale.len() as u64,
            &usrc,
        ));
        for w in &stale {
            r.push(EvidenceItem::note(format!("stale: {w}"), &usrc));
        }
    }
    if !stale.is_empty() {
        r.raise(
            Status::Fail,
            "revoke keys nobody uses (`phiwall keys revoke PREFIX`): remove unused apps and limit permissions",
        );
    }
    if !orphan.is_empty() {
        r.push(EvidenceItem::note(
            format!("keys for apps no longer configured: {}", orphan.join(", ")),
            &ksrc,
        ));
        r.raise(Status::Fail, "revoke keys whose app profile was removed");
    }
    if !no_expiry.is_empty() {
        r.push(EvidenceItem::count(
            format!("active keys without an expiry within {} days", s.max_key_lifetime_days),
            no_expiry.len() as u64,
            &ksrc,
        ));
        r.raise(
            Status::Partial,
            format!(
                "replace keys with ones that expire (`phiwall keys create --app APP --ttl {}d`, then `phiwall keys revoke PREFIX`)",
                s.max_key_lifetime_days
            ),
        );
    }
    r.summary = match r.status {
        Status::Pass => {
            "every active key is in use, belongs to a configured app and expires".into()
        }
        Status::Manual => "keys read, but their last use is unknown".into(),
        Status::Partial => format!("{} active keys never expire", no_expiry.len()),
        Status::Fail => format!("{} stale and {} orphaned active keys", stale.len(), orphan.len()),
    };
    r
}

/// Administrators without MFA.
pub fn admin_mfa(input: &Input<'_>) -> CheckResult {
    let id = "admin.mfa";
    let title = "Administrators use multi-factor authentication";
    let Some(admins) = input.evidence.admins.get() else {
        let (reason, fix) = input.evidence.admins.missing().unwrap_or_default();
        let mut r =
            CheckResult::manual_missing(id, title, "administrative principals", &reason, &fix);
        r.push(EvidenceItem::note(
            "phiwall is administered through its CLI on the host (keys, ledger keys, configuration): MFA there is the host's login (SSH with a hardware key, an MFA-enforcing bastion)",
            "phiwall",
        ));
        if let Some(j) = &input.config.jwt {
            r.push(EvidenceItem::config("auth.jwt.issuer", j.issuer.clone(), input.cfg_src()));
            r.push(EvidenceItem::note(
                "JWT callers authenticate at the identity provider: enforce MFA there (phiwall does not check the token's amr claim)",
                input.cfg_src(),
            ));
        }
        return r;
    };
    let mut r = CheckResult::new(id, title);
    let src = input.evidence.admins.from().unwrap_or("admins").to_string();
    let without: Vec<&str> = admins.iter().filter(|a| !a.has_mfa).map(|a| a.id.as_str()).collect();
    r.push(EvidenceItem::count("administrative principals", admins.len() as u64, &src));
    r.push(EvidenceItem::count("administrators without MFA", without.len() as u64, &src));
    if !without.is_empty() {
        r.push(EvidenceItem::note(format!("without MFA: {}", without.join(", ")), &src));
        r.raise(Status::Fail, "enforce a second factor for every administrator");
    }
    r.summary = if without.is_empty() {
        "every administrator has MFA".into()
    } else {
        format!("{} administrators without MFA", without.len())
    };
    r
}

/// HIPAA 164.312(a)(2)(iii): automatic logoff, as phiwall can enforce it: credentials expire,
/// tokens are short-lived, idle connections are cut.
pub fn auto_logoff(input: &Input<'_>) -> CheckResult {
    let id = "session.logoff";
    let title = "Credentials and connections end automatically";
    let cfg = input.config;
    let src = input.cfg_src();
    let mut r = CheckResult::new(id, title);
    r.push(EvidenceItem::config(
        "limits.header_timeout_secs",
        cfg.limits.header_timeout.as_secs().to_string(),
        src,
    ));
    r.push(EvidenceItem::config(
        "limits.body_timeout_secs",
        cfg.limits.body_timeout.as_secs().to_string(),
        src,
    ));
    if let Some(j) = &cfg.jwt {
        r.push(EvidenceItem::config("auth.jwt.leeway_secs", j.leeway_secs.to_string(), src));
        if j.leeway_secs > 300 {
            r.raise(
                Status::Partial,
                "keep auth.jwt.leeway_secs at 300 or less so expired tokens stop working promptly",
            );
        }
    }
    if let Some(ident) = input.evidence.identity.get() {
        if let Some(k) = ident.keys.iter().find(|k| k.contains("ttl")) {
            r.push(EvidenceItem::note(
                format!("caller-verification sessions expire ([identity] {k})"),
                src,
            ));
        }
    }
    match input.evidence.keys.get() {
        Some(keys) => {
            let now = input.now_secs();
            let never: usize =
                keys.iter().filter(|k| k.is_active(now) && k.expires_at.is_none()).count();
            r.push(EvidenceItem::count(
                "active API keys that never expire",
                never as u64,
                input.evidence.keys.from().unwrap_or("keys"),
            ));
            if never > 0 {
                r.raise(Status::Partial, "give every API key an expiry (`phiwall keys create --app APP --ttl 90d`, then revoke the old key)");
            }
        }
        None => {
            let (_, fix) = input.evidence.keys.missing().unwrap_or_default();
            r.raise(Status::Manual, fix);
        }
    }
    r.push(EvidenceItem::note(
        "idle logoff of the people using the calling apps (EHR, agent consoles) is the apps' own control",
        "phiwall",
    ));
    r.summary = match r.status {
        Status::Pass => {
            "keys expire, tokens are checked for expiry and idle connections are cut".into()
        }
        Status::Partial => "some credentials do not expire".into(),
        _ => "key expiry could not be checked".into(),
    };
    r
}

/// HIPAA 164.312(a)(2)(ii): emergency access procedure.
pub fn emergency_access(input: &Input<'_>) -> CheckResult {
    let id = "access.emergency";
    let title = "Emergency (break-glass) access is defined and audited";
    match input.evidence.identity.get() {
        Some(i) if i.has_break_glass => {
            let mut r = CheckResult::new(id, title);
            r.push(EvidenceItem::note(
                "break-glass access is configured in [identity]: access outside scope needs a reason and is flagged in the ledger",
                input.cfg_src(),
            ));
            for k in i.keys.iter().filter(|k| k.contains("break_glass")) {
                r.push(EvidenceItem::note(format!("[identity] {k}"), input.cfg_src()));
            }
            if let Some(u) = input.evidence.usage.get() {
                let n: u64 = u
                    .findings
                    .iter()
                    .filter(|(k, _)| k.contains("break_glass"))
                    .map(|(_, n)| *n)
                    .sum();
                r.push(EvidenceItem::count(
                    "break-glass disclosures recorded (review each)",
                    n,
                    input.evidence.usage.from().unwrap_or("events"),
                ));
            }
            r.summary = "break-glass access is configured and every use is recorded".into();
            r
        }
        _ => {
            let mut r = CheckResult::manual_missing(
                id,
                title,
                "an emergency access path",
                "no break-glass setting in the configuration",
                "document the emergency procedure (who may create a short-lived key: `phiwall keys create --app APP --ttl 4h`, who reviews its ledger records) or configure break-glass access in [identity]",
            );
            r.push(EvidenceItem::note(
                "any emergency key used would still be recorded in the ledger like every other request",
                "phiwall",
            ));
            r
        }
    }
}
