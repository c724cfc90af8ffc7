//! The `[identity]` configuration section (issue 5): where the patient directory is, the key its
//! hashes were made with, the factor policy, the attempt limiter, staff roles, and per app how
//! sessions are identified and whether the app talks to callers or to staff.
//!
//! Same flow as the rest of the configuration: [`RawIdentity`] (serde, unknown keys rejected),
//! then [`RawIdentity::validate`] (pure, every problem with its key path and a fix), then
//! [`IdentityConfig`]. Only [`crate::identity::Identity::build`] reads files and secrets.
//!
//! Defaults and their rationale: the section is absent = identity off for every app (the gateway
//! behaves as before). An app not listed under `[identity.apps]` is off. Factor policy, limits
//! and staff roles default to the library's defaults (name + birth date + one more factor;
//! 3 failures per session, 5 per caller number or patient per hour, 15-minute lockout).

use crate::config::SecretRef;
use phiwall_identity::{DisclosurePolicy, Factor, FactorGroup, LimiterConfig, VerificationPolicy};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// `[identity]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdentity {
    /// The directory file written by `phiwall directory import` (keyed hashes only).
    pub directory: Option<String>,
    /// The key the directory was built with, by reference (`env:VAR`, `file:PATH`); 64 hex
    /// characters decode to 32 bytes.
    pub key: Option<String>,
    /// Demo only: generate a synthetic directory of this many patients at start (random key)
    /// instead of reading `directory`. Refused unless every upstream is `simulated`.
    pub demo_synthetic_patients: Option<usize>,
    /// Idle seconds after which a session is forgotten. Default 1800.
    pub session_ttl_secs: Option<u64>,
    /// Factor groups; every group needs `min` of its factors. Default: name, birth_date, one of
    /// member_id, mrn, zip, phone, ssn_last4.
    pub factors: Option<Vec<RawFactorGroup>>,
    /// FHIR relationship codes that make a RelatedPerson an authorized representative.
    /// Default: GUARD, the POWATT codes, PRN, MTH, FTH, SPS, HUSB, WIFE, DOMPART.
    pub representatives: Option<Vec<String>>,
    /// Attempt limiter.
    #[serde(default)]
    pub limits: RawIdentityLimits,
    /// Staff (clinical) apps.
    #[serde(default)]
    pub staff: RawStaff,
    /// Per app profile.
    #[serde(default)]
    pub apps: BTreeMap<String, RawIdentityApp>,
}

/// `[[identity.factors]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFactorGroup {
    /// Factor names: name, birth_date, member_id, mrn, zip, phone, ssn_last4.
    pub factors: Vec<String>,
    /// How many must match. Default 1.
    pub min: Option<usize>,
}

/// `[identity.limits]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdentityLimits {
    /// Failures per session before lockout. Default 3.
    pub session_max: Option<u32>,
    /// Failures per caller number before lockout. Default 5.
    pub caller_max: Option<u32>,
    /// Failures per target patient before lockout. Default 5.
    pub patient_max: Option<u32>,
    /// Failures older than this are forgotten. Default 3600.
    pub window_secs: Option<u64>,
    /// First backoff after a failure. Default 2.
    pub base_backoff_secs: Option<u64>,
    /// Backoff cap. Default 60.
    pub max_backoff_secs: Option<u64>,
    /// Lockout duration. Default 900.
    pub lockout_secs: Option<u64>,
}

/// `[identity.staff]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStaff {
    /// Roles that may see PHI at all. Default: clinician, nurse, care_coordinator, pharmacist,
    /// front_desk.
    pub phi_roles: Option<Vec<String>>,
    /// Roles that may invoke break-glass. Default: clinician, nurse.
    pub break_glass_roles: Option<Vec<String>>,
    /// Minimum length of a break-glass reason. Default 10.
    pub min_break_glass_reason_chars: Option<usize>,
}

/// `[identity.apps.NAME]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdentityApp {
    /// `caller` (phone/chat agents: verify callers), `staff` (clinical apps: roles and care
    /// team) or `off`. Default `off`.
    pub mode: Option<String>,
    /// Where else the session id may come from besides the `X-Phiwall-Session` /
    /// `x-session-id` headers: `user` (the OpenAI `user` field), `metadata` (the `metadata`
    /// object, key `metadata_key`) or `none`. Default `none`.
    pub session_field: Option<String>,
    /// Key inside `metadata` holding the session id. Default `phiwall_session`.
    pub metadata_key: Option<String>,
    /// Caller mode: extract claimed facts from the caller's turns and verify automatically.
    /// Default false.
    pub assist: Option<bool>,
    /// Caller mode: social-engineering score at or above which a finding is raised (0-1).
    /// Default 0.5.
    pub social_threshold: Option<f32>,
    /// Staff mode: roles of API-key principals of this app (JWT principals bring their own
    /// roles claim). Default none (no PHI).
    pub key_roles: Option<Vec<String>>,
    /// Staff mode: JWT claim with the principal's roles. Default `roles`.
    pub roles_claim: Option<String>,
    /// Staff mode: JWT claim with the FHIR Patient ids of the principal's care team. Default
    /// `phiwall_care_team`.
    pub care_team_claim: Option<String>,
    /// Staff mode: JWT claim naming the principal's FHIR `Practitioner` (SMART's `fhirUser`,
    /// e.g. `Practitioner/123`); the directory's care teams (`generalPractitioner`, `CareTeam`)
    /// then add that practitioner's patients to the scope. Default `fhirUser`.
    pub practitioner_claim: Option<String>,
}

/// How an app uses identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityMode {
    /// Not used.
    Off,
    /// Callers are verified; PHI reaches a session only for its verified patient.
    Caller,
    /// Staff principals with roles and a care-team scope.
    Staff,
}

/// Where the session id may come from besides the headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionField {
    /// Headers only.
    None,
    /// The OpenAI `user` field.
    User,
    /// `metadata.<key>`.
    Metadata(String),
}

/// A validated per-app identity setting.
#[derive(Debug, Clone)]
pub struct IdentityApp {
    /// Mode.
    pub mode: IdentityMode,
    /// Session id source besides headers.
    pub session_field: SessionField,
    /// Assist mode.
    pub is_assist: bool,
    /// Social-engineering threshold.
    pub social_threshold: f32,
    /// Roles of API-key principals (staff mode).
    pub key_roles: Vec<String>,
    /// JWT roles claim.
    pub roles_claim: String,
    /// JWT care-team claim.
    pub care_team_claim: String,
    /// JWT practitioner claim.
    pub practitioner_claim: String,
}

impl Default for IdentityApp {
    fn default() -> Self {
        IdentityApp {
            mode: IdentityMode::Off,
            session_field: SessionField::None,
            is_assist: false,
            social_threshold: 0.5,
            key_roles: Vec::new(),
            roles_claim: "roles".into(),
            care_team_claim: "phiwall_care_team".into(),
            practitioner_claim: "fhirUser".into(),
        }
    }
}

/// Where the directory comes from.
#[derive(Debug, Clone)]
pub enum DirectorySource {
    /// A file from `phiwall directory import` and the key it was built with.
    File {
        /// Path.
        path: PathBuf,
        /// Key reference.
        key: SecretRef,
    },
    /// Demo: a synthetic directory of this many patients (random key).
    Synthetic(usize),
}

/// The validated `[identity]` section.
#[derive(Debug, Clone)]
pub struct IdentityConfig {
    /// Directory source.
    pub directory: DirectorySource,
    /// Session idle TTL, seconds.
    pub session_ttl_secs: u64,
    /// Factor policy.
    pub policy: VerificationPolicy,
    /// Limiter.
    pub limits: LimiterConfig,
    /// Staff disclosure policy.
    pub disclosure: DisclosurePolicy,
    /// Per app.
    pub apps: BTreeMap<String, IdentityApp>,
}

impl IdentityConfig {
    /// The app's setting (off when not listed).
    pub fn app(&self, name: &str) -> IdentityApp {
        self.apps.get(name).cloned().unwrap_or_default()
    }
}

fn parse_factor(s: &str) -> Option<Factor> {
    Some(match s {
        "name" => Factor::Name,
        "birth_date" | "dob" => Factor::BirthDate,
        "member_id" => Factor::MemberId,
        "mrn" => Factor::Mrn,
        "zip" => Factor::Zip,
        "phone" => Factor::Phone,
        "ssn_last4" => Factor::SsnLast4,
        _ => return None,
    })
}

impl RawIdentity {
    /// Validate. `app_names` are the configured `[apps.*]`; `is_simulated_only` is true when
    /// every upstream is the built-in simulated model (the only place a synthetic demo
    /// directory is allowed).
    pub fn validate(
        &self,
        app_names: &BTreeSet<String>,
        is_simulated_only: bool,
        push: &mut impl FnMut(String, String, &str),
    ) -> IdentityConfig {
        let directory = match (&self.directory, &self.key, self.demo_synthetic_patients) {
            (None, None, Some(n)) => {
                if !is_simulated_only {
                    push(
                        "identity.demo_synthetic_patients".into(),
                        "a synthetic directory is for demos with the simulated model only".into(),
                        "import your FHIR data with `phiwall directory import` and set identity.directory and identity.key",
                    );
                }
                if n == 0 || n > 100_000 {
                    push(
                        "identity.demo_synthetic_patients".into(),
                        format!("expected 1 to 100000, found {n}"),
                        "use a few hundred patients for a demo",
                    );
                }
                DirectorySource::Synthetic(n.clamp(1, 100_000))
            }
            (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
                push(
                    "identity.demo_synthetic_patients".into(),
                    "set either directory and key, or demo_synthetic_patients, not both".into(),
                    "remove demo_synthetic_patients outside demos",
                );
                DirectorySource::Synthetic(1)
            }
            (dir, key, None) => {
                let path = match dir {
                    Some(d) if !d.is_empty() => PathBuf::from(d),
                    _ => {
                        push(
                            "identity.directory".into(),
                            "missing: identity needs the patient directory".into(),
                            "run `phiwall directory import FILE --key env:VAR --out directory.json` and set directory = \"directory.json\"",
                        );
                        PathBuf::new()
                    }
                };
                let key = match key.as_deref().map(SecretRef::parse) {
                    Some(Ok(k)) => k,
                    Some(Err(e)) => {
                        push("identity.key".into(), e, "write key = \"env:PHIWALL_DIRECTORY_KEY\"");
                        SecretRef::Env(String::new())
                    }
                    None => {
                        push(
                            "identity.key".into(),
                            "missing: the key the directory was imported with".into(),
                            "set key = \"env:PHIWALL_DIRECTORY_KEY\" (the --key of `phiwall directory import`)",
                        );
                        SecretRef::Env(String::new())
                    }
                };
                DirectorySource::File { path, key }
            }
        };

        let session_ttl_secs = match self.session_ttl_secs {
            Some(0) => {
                push(
                    "identity.session_ttl_secs".into(),
                    "expected a positive number, found 0".into(),
                    "remove it for the default (1800) or set the idle seconds of a call",
                );
                1800
            }
            Some(v) => v,
            None => 1800,
        };

        let mut policy = VerificationPolicy::default();
        if let Some(groups) = &self.factors {
            let mut out = Vec::new();
            for (i, g) in groups.iter().enumerate() {
                let mut factors = Vec::new();
                for (j, f) in g.factors.iter().enumerate() {
                    match parse_factor(f) {
                        Some(x) => factors.push(x),
                        None => push(
                            format!("identity.factors[{i}].factors[{j}]"),
                            format!("unknown factor {f:?}"),
                            "use name, birth_date, member_id, mrn, zip, phone or ssn_last4 (caller-ID is never a factor)",
                        ),
                    }
                }
                out.push(FactorGroup { factors, min: g.min.unwrap_or(1) });
            }
            policy.groups = out;
        }
        if let Some(r) = &self.representatives {
            policy.authorized_relationships = r.iter().map(|c| c.trim().to_string()).collect();
        }
        if let Err(e) = policy.validate() {
            let (path, problem) = match e {
                phiwall_identity::Error::Policy { key, expected } => (
                    key.replace("verification.groups", "identity.factors"),
                    format!("expected {expected}"),
                ),
                other => ("identity.factors".to_string(), other.to_string()),
            };
            push(
                path,
                problem,
                "require at least two independent factors, each factor in one group, 1 <= min <= factors",
            );
        }
        if !policy.groups.iter().any(|g| g.factors.contains(&Factor::Name)) {
            push(
                "identity.factors".into(),
                "the name factor is missing: candidates are found by name".into(),
                "add a group with factors = [\"name\"]",
            );
        }

        let l = &self.limits;
        let d = LimiterConfig::default();
        let mut pos32 = |k: &str, v: Option<u32>, dv: u32| -> u32 {
            match v {
                Some(0) => {
                    push(
                        format!("identity.limits.{k}"),
                        "expected a positive number, found 0".into(),
                        "limits cannot be switched off; remove the key for the default",
                    );
                    dv
                }
                Some(v) => v,
                None => dv,
            }
        };
        let session_max = pos32("session_max", l.session_max, d.session_max);
        let caller_max = pos32("caller_max", l.caller_max, d.caller_max);
        let patient_max = pos32("patient_max", l.patient_max, d.patient_max);
        let mut pos64 = |k: &str, v: Option<u64>, dv: u64| -> u64 {
            match v {
                Some(0) => {
                    push(
                        format!("identity.limits.{k}"),
                        "expected a positive number, found 0".into(),
                        "remove the key for the default",
                    );
                    dv
                }
                Some(v) => v,
                None => dv,
            }
        };
        let limits = LimiterConfig {
            session_max,
            caller_max,
            patient_max,
            window_secs: pos64("window_secs", l.window_secs, d.window_secs),
            base_backoff_secs: pos64("base_backoff_secs", l.base_backoff_secs, d.base_backoff_secs),
            max_backoff_secs: pos64("max_backoff_secs", l.max_backoff_secs, d.max_backoff_secs),
            lockout_secs: pos64("lockout_secs", l.lockout_secs, d.lockout_secs),
        };
        if limits.max_backoff_secs < limits.base_backoff_secs {
            push(
                "identity.limits.max_backoff_secs".into(),
                "smaller than base_backoff_secs".into(),
                "set max_backoff_secs >= base_backoff_secs",
            );
        }

        let dd = DisclosurePolicy::default();
        let disclosure = DisclosurePolicy {
            phi_roles: self.staff.phi_roles.clone().unwrap_or(dd.phi_roles),
            break_glass_roles: self.staff.break_glass_roles.clone().unwrap_or(dd.break_glass_roles),
            min_break_glass_reason_chars: self
                .staff
                .min_break_glass_reason_chars
                .unwrap_or(dd.min_break_glass_reason_chars),
        };
        if disclosure.min_break_glass_reason_chars < 5 {
            push(
                "identity.staff.min_break_glass_reason_chars".into(),
                format!("expected at least 5, found {}", disclosure.min_break_glass_reason_chars),
                "a break-glass reason must say why; keep the default 10",
            );
        }

        let mut apps = BTreeMap::new();
        for (name, a) in &self.apps {
            let path = format!("identity.apps.{name}");
            if !app_names.contains(name) {
                push(path.clone(), format!("no app named {name:?}"), "name an [apps.NAME] table");
            }
            let mode = match a.mode.as_deref().unwrap_or("off") {
                "off" => IdentityMode::Off,
                "caller" => IdentityMode::Caller,
                "staff" => IdentityMode::Staff,
                other => {
                    push(
                        format!("{path}.mode"),
                        format!("expected \"caller\", \"staff\" or \"off\", found {other:?}"),
                        "use \"caller\" for phone and chat agents, \"staff\" for clinical apps",
                    );
                    IdentityMode::Off
                }
            };
            let mut out = IdentityApp { mode, ..IdentityApp::default() };
            let metadata_key = a.metadata_key.clone().unwrap_or_else(|| "phiwall_session".into());
            out.session_field = match a.session_field.as_deref().unwrap_or("none") {
                "none" => SessionField::None,
                "user" => SessionField::User,
                "metadata" => SessionField::Metadata(metadata_key),
                other => {
                    push(
                        format!("{path}.session_field"),
                        format!("expected \"user\", \"metadata\" or \"none\", found {other:?}"),
                        "the X-Phiwall-Session header is always read; add \"user\" or \"metadata\" only if the agent cannot set headers",
                    );
                    SessionField::None
                }
            };
            out.is_assist = a.assist.unwrap_or(false);
            if out.is_assist && out.mode != IdentityMode::Caller {
                push(
                    format!("{path}.assist"),
                    "assist mode verifies callers: it needs mode = \"caller\"".into(),
                    "set mode = \"caller\" or remove assist",
                );
            }
            match a.social_threshold {
                Some(t) if (0.0..=1.0).contains(&t) => out.social_threshold = t,
                Some(t) => push(
                    format!("{path}.social_threshold"),
                    format!("expected a number in [0, 1], found {t}"),
                    "remove it for the default 0.5",
                ),
                None => {}
            }
            if let Some(r) = &a.key_roles {
                out.key_roles = r.clone();
            }
            if let Some(c) = &a.roles_claim {
                out.roles_claim = c.clone();
            }
            if let Some(c) = &a.care_team_claim {
                out.care_team_claim = c.clone();
            }
            if let Some(c) = &a.practitioner_claim {
                out.practitioner_claim = c.clone();
            }
            if out.mode != IdentityMode::Staff
                && (a.key_roles.is_some()
                    || a.roles_claim.is_some()
                    || a.care_team_claim.is_some()
                    || a.practitioner_claim.is_some())
            {
                push(
                    format!("{path}.mode"),
                    "key_roles and the *_claim settings apply to staff apps only".into(),
                    "set mode = \"staff\" or remove them",
                );
            }
            apps.insert(name.clone(), out);
        }

        IdentityConfig { directory, session_ttl_secs, policy, limits, disclosure, apps }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(toml_text: &str) -> Result<IdentityConfig, Vec<(String, String)>> {
        let raw: RawIdentity =
            toml::from_str(toml_text).map_err(|e| vec![("parse".into(), e.to_string())])?;
        let apps: BTreeSet<String> = ["phone".to_string(), "ehr".to_string()].into();
        let mut problems = Vec::new();
        let cfg =
            raw.validate(&apps, false, &mut |p: String, m: String, _f: &str| problems.push((p, m)));
        if problems.is_empty() {
            Ok(cfg)
        } else {
            Err(problems)
        }
    }

    #[test]
    fn full_section_validates() {
        let c = check(
            r#"
directory = "dir.json"
key = "env:PHIWALL_DIRECTORY_KEY"
session_ttl_secs = 600
[[factors]]
factors = ["name"]
[[factors]]
factors = ["birth_date"]
[[factors]]
factors = ["member_id", "mrn", "phone"]
[limits]
session_max = 2
[apps.phone]
mode = "caller"
assist = true
session_field = "metadata"
[apps.ehr]
mode = "staff"
key_roles = ["nurse"]
"#,
        )
        .unwrap();
        assert_eq!(c.limits.session_max, 2);
        assert_eq!(c.policy.groups.len(), 3);
        assert_eq!(c.app("phone").mode, IdentityMode::Caller);
        assert_eq!(c.app("phone").session_field, SessionField::Metadata("phiwall_session".into()));
        assert_eq!(c.app("ehr").mode, IdentityMode::Staff);
        assert_eq!(c.app("other").mode, IdentityMode::Off);
    }

    #[test]
    fn problems_name_their_key() {
        let e = check(
            r#"
key = "hunter2"
[[factors]]
factors = ["caller_id"]
[limits]
patient_max = 0
[apps.nope]
mode = "sometimes"
[apps.phone]
assist = true
"#,
        )
        .unwrap_err();
        let paths: Vec<&str> = e.iter().map(|(p, _)| p.as_str()).collect();
        for want in [
            "identity.directory",
            "identity.key",
            "identity.factors[0].factors[0]",
            "identity.limits.patient_max",
            "identity.apps.nope",
            "identity.apps.nope.mode",
            "identity.apps.phone.assist",
        ] {
            assert!(paths.contains(&want), "missing {want} in {paths:?}");
        }
    }

    #[test]
    fn one_factor_policy_is_refused() {
        let e = check(
            r#"
directory = "d.json"
key = "env:K"
[[factors]]
factors = ["name"]
"#,
        )
        .unwrap_err();
        assert!(e.iter().any(|(_, m)| m.contains("two required factors")), "{e:?}");
    }

    #[test]
    fn synthetic_directory_only_with_the_simulated_model() {
        let e = check("demo_synthetic_patients = 50").unwrap_err();
        assert_eq!(e[0].0, "identity.demo_synthetic_patients");
    }
}
