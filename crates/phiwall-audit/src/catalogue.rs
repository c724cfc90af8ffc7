//! Control catalogues and how each control maps to phiwall's evidence checks.
//!
//! A control's status is the worst of its checks' (fail > partial > manual > pass). A control
//! phiwall only partly addresses is at best `partial`; one it does not address at all is
//! `manual` and says so, naming what addresses it instead. Requirement texts are short
//! paraphrases written here, not quotations.

use crate::check::{CheckResult, EvidenceItem, Status};
use serde::Serialize;

/// A control framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    /// HIPAA Security Rule, 45 CFR 164.312 technical and 164.308 administrative safeguards.
    Hipaa,
    /// HIPAA Security Rule NPRM (January 2025) items.
    Hipaa2025,
    /// OWASP Top 10 for LLM Applications 2025.
    OwaspLlm,
    /// NIST AI Risk Management Framework 1.0 functions.
    NistAiRmf,
    /// NIST Cybersecurity Framework 2.0 functions.
    Csf2,
}

impl Framework {
    /// Every framework in report order.
    pub const ALL: [Framework; 5] = [
        Framework::Hipaa,
        Framework::Hipaa2025,
        Framework::OwaspLlm,
        Framework::NistAiRmf,
        Framework::Csf2,
    ];

    /// Display name.
    pub const fn name(self) -> &'static str {
        match self {
            Framework::Hipaa => "HIPAA Security Rule (45 CFR 164.312, 164.308)",
            Framework::Hipaa2025 => "HIPAA Security Rule proposed update (2025 NPRM)",
            Framework::OwaspLlm => "OWASP Top 10 for LLM Applications 2025",
            Framework::NistAiRmf => "NIST AI RMF 1.0",
            Framework::Csf2 => "NIST CSF 2.0",
        }
    }

    /// Short display name (charts).
    pub const fn short_name(self) -> &'static str {
        match self {
            Framework::Hipaa => "HIPAA Security Rule",
            Framework::Hipaa2025 => "HIPAA 2025 NPRM",
            Framework::OwaspLlm => "OWASP LLM Top 10 2025",
            Framework::NistAiRmf => "NIST AI RMF",
            Framework::Csf2 => "NIST CSF 2.0",
        }
    }

    /// Short id.
    pub const fn id(self) -> &'static str {
        match self {
            Framework::Hipaa => "hipaa",
            Framework::Hipaa2025 => "hipaa-2025",
            Framework::OwaspLlm => "owasp-llm-2025",
            Framework::NistAiRmf => "nist-ai-rmf",
            Framework::Csf2 => "nist-csf-2",
        }
    }
}

/// How much of a control phiwall addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// phiwall's checks cover it.
    Addressed,
    /// phiwall covers part; the rest is elsewhere (the note says what).
    Partial,
    /// phiwall does not address it (the note says what does).
    NotAddressed,
}

/// A control's definition.
#[derive(Debug, Clone, Copy)]
pub struct ControlDef {
    /// Framework.
    pub framework: Framework,
    /// Id within the framework, e.g. `164.312(b)` or `LLM01`.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// What it asks for, in our words.
    pub requirement: &'static str,
    /// Evidence checks behind it.
    pub checks: &'static [&'static str],
    /// Coverage by phiwall.
    pub coverage: Coverage,
    /// For partial or no coverage: what is outside phiwall.
    pub note: &'static str,
}

use Coverage::{Addressed as A, NotAddressed as N, Partial as P};
use Framework::*;

const fn c(
    framework: Framework,
    id: &'static str,
    title: &'static str,
    requirement: &'static str,
    checks: &'static [&'static str],
    coverage: Coverage,
    note: &'static str,
) -> ControlDef {
    ControlDef { framework, id, title, requirement, checks, coverage, note }
}

/// Every control.
pub const CONTROLS: &[ControlDef] = &[
    // HIPAA 164.312 technical safeguards.
    c(Hipaa, "164.312(a)(1)", "Access control", "Only authorized persons and software reach ePHI, with the least access they need.", &["identity.unique", "auth.entity", "apps.least_privilege"], A, ""),
    c(Hipaa, "164.312(a)(2)(i)", "Unique user identification", "Each user or system has its own identifier so activity can be traced to it.", &["identity.unique"], A, ""),
    c(Hipaa, "164.312(a)(2)(ii)", "Emergency access procedure", "A way to reach needed ePHI in an emergency, defined in advance.", &["access.emergency"], P, "the emergency procedure itself is an organisational document"),
    c(Hipaa, "164.312(a)(2)(iii)", "Automatic logoff", "Sessions end after inactivity or a set time.", &["session.logoff"], P, "idle logoff of people in the calling apps is those apps' control"),
    c(Hipaa, "164.312(a)(2)(iv)", "Encryption and decryption", "ePHI at rest is encrypted and only decrypted by authorized parties.", &["crypto.at_rest"], A, ""),
    c(Hipaa, "164.312(b)", "Audit controls", "Activity in systems holding ePHI is recorded and can be examined.", &["ledger.verify", "ledger.checkpoints", "audit.settings"], A, ""),
    c(Hipaa, "164.312(c)(1)", "Integrity", "ePHI and its records are protected from improper change, and change can be detected.", &["ledger.verify", "ledger.checkpoints"], P, "phiwall proves its own audit records unaltered; the EHR's data integrity is the EHR's"),
    c(Hipaa, "164.312(d)", "Person or entity authentication", "Whoever seeks access is verified to be who they claim.", &["auth.entity", "admin.mfa"], A, ""),
    c(Hipaa, "164.312(e)(1)", "Transmission security", "ePHI sent over networks is protected against interception and change.", &["crypto.in_transit"], A, ""),
    // HIPAA 164.308 administrative safeguards (the parts phiwall holds evidence for).
    c(Hipaa, "164.308(a)(6)", "Security incident procedures", "Incidents are identified, responded to, mitigated and documented.", &["incidents.procedures", "incidents.overdue", "monitoring.siem"], P, "notification duties and staff roles are organisational"),
    c(Hipaa, "164.308(a)(7)", "Contingency plan: key backup", "Data and the keys needed to read it can be recovered after a failure or disaster.", &["keys.backup", "restore.readiness"], P, "backups of the data directory and KEK are kept outside phiwall"),
    c(Hipaa, "164.308(a)(8)", "Evaluation", "Safeguards are evaluated periodically and after changes.", &["evals.detectors", "drills.recent", "bias.phi", "bias.injection"], A, ""),
    // Proposed 2025 update.
    c(Hipaa2025, "NPRM-MFA", "Multi-factor authentication for all access", "MFA for every user of systems with ePHI, with narrow exceptions.", &["admin.mfa", "auth.entity"], P, "machine callers use keys or certificates; human MFA is enforced at the identity provider or host"),
    c(Hipaa2025, "NPRM-ENC", "Encryption at rest and in transit", "ePHI encrypted at rest and in transit, with narrow exceptions.", &["crypto.at_rest", "crypto.in_transit"], A, ""),
    c(Hipaa2025, "NPRM-INV", "Technology asset inventory", "A written, maintained inventory of technology assets and data flows touching ePHI.", &["inventory.assets"], P, "phiwall inventories the AI models and upstreams it fronts, not the rest of the network"),
    c(Hipaa2025, "NPRM-RESTORE", "Restore within 72 hours", "Critical systems and data can be restored within 72 hours.", &["restore.readiness", "keys.backup"], P, "the restore itself depends on backups kept outside phiwall"),
    // OWASP Top 10 for LLM Applications 2025.
    c(OwaspLlm, "LLM01", "Prompt Injection", "Inputs must not change the model's behaviour against the application's intent, directly or through documents.", &["llm.injection", "evals.detectors"], A, ""),
    c(OwaspLlm, "LLM02", "Sensitive Information Disclosure", "Personal and confidential data must not leak through prompts or outputs.", &["phi.redaction", "apps.least_privilege"], A, ""),
    c(OwaspLlm, "LLM03", "Supply Chain", "Models, providers and components are known, trusted and tracked.", &["inventory.assets", "crypto.in_transit"], P, "phiwall lists models and upstreams (ML-BOM) but does not verify model provenance, licences or weights"),
    c(OwaspLlm, "LLM04", "Data and Model Poisoning", "Training, fine-tuning and embedding data are protected from manipulation.", &[], N, "phiwall trains and fine-tunes none of the models behind it: ask the model supplier for data provenance and model cards; phiwall's own injection model ships inside the binary and is measured by its evaluation"),
    c(OwaspLlm, "LLM05", "Improper Output Handling", "Model output is validated before other systems or people act on it.", &["llm.output", "phi.redaction"], P, "output is scanned for PHI and links; encoding for HTML, SQL or shell is the receiving app's job"),
    c(OwaspLlm, "LLM06", "Excessive Agency", "The model gets only the tools, permissions and autonomy it needs.", &["llm.tools"], P, "phiwall limits which tools a request may offer; what a tool may do, and human approval of actions, belong to the calling app"),
    c(OwaspLlm, "LLM07", "System Prompt Leakage", "System prompts hold no secrets, and leaks are detected.", &["llm.canary"], A, ""),
    c(OwaspLlm, "LLM08", "Vector and Embedding Weaknesses", "Retrieval stores and embeddings are access-controlled and checked for poisoning.", &["llm.injection"], P, "retrieved documents passed in a request are scanned for indirect injection; the vector store's access control and poisoning are not addressed"),
    c(OwaspLlm, "LLM09", "Misinformation", "Wrong or invented output is caught before it is relied on.", &[], N, "phiwall does not judge whether answers are true: use grounding with citations and clinician review of clinical content"),
    c(OwaspLlm, "LLM10", "Unbounded Consumption", "Requests, tokens and cost are bounded per caller.", &["llm.limits"], A, ""),
    // NIST AI RMF functions.
    c(NistAiRmf, "GOVERN", "Govern", "Policies, accountability and roles for AI risk are in place.", &["apps.least_privilege", "inventory.assets", "audit.settings"], P, "risk policies and roles are organisational; phiwall shows per-app purpose, owner and enforced policy"),
    c(NistAiRmf, "MAP", "Map", "The context, purposes and impacts of each AI system are known.", &["inventory.assets", "apps.least_privilege"], P, "impact assessment of each use is organisational"),
    c(NistAiRmf, "MEASURE", "Measure", "AI risks are measured: performance, fairness, security.", &["evals.detectors", "bias.phi", "bias.injection", "ledger.verify"], P, "phiwall measures its own detectors; the models' accuracy is measured by their users"),
    c(NistAiRmf, "MANAGE", "Manage", "Risks are treated, monitored, and incidents responded to.", &["llm.injection", "phi.redaction", "incidents.procedures", "incidents.overdue", "drills.recent", "monitoring.siem"], A, ""),
    // NIST CSF 2.0 functions.
    c(Csf2, "GV", "Govern", "Cybersecurity strategy, roles and policy are established and monitored.", &["apps.least_privilege", "inventory.assets"], P, "strategy and roles are organisational"),
    c(Csf2, "ID", "Identify", "Assets, risks and improvements are understood.", &["inventory.assets", "keys.stale", "evals.detectors"], A, ""),
    c(Csf2, "PR", "Protect", "Safeguards manage risk: identity, access, data security, platform security.", &["identity.unique", "auth.entity", "crypto.at_rest", "crypto.in_transit", "phi.redaction", "llm.injection", "llm.tools", "llm.limits"], A, ""),
    c(Csf2, "DE", "Detect", "Attacks and compromises are found and analysed.", &["ledger.verify", "llm.injection", "llm.canary", "monitoring.siem"], A, ""),
    c(Csf2, "RS", "Respond", "Actions are taken on detected incidents.", &["incidents.procedures", "incidents.overdue"], A, ""),
    c(Csf2, "RC", "Recover", "Assets and operations affected by an incident are restored.", &["restore.readiness", "keys.backup", "drills.recent"], P, "recovery of systems beyond phiwall is organisational"),
];

/// A control's evaluated result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    /// Framework.
    pub framework: Framework,
    /// Id within the framework.
    pub id: String,
    /// Title.
    pub title: String,
    /// What it asks.
    pub requirement: String,
    /// Outcome.
    pub status: Status,
    /// One line.
    pub summary: String,
    /// How much phiwall addresses.
    pub coverage: Coverage,
    /// What lies outside phiwall.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Checks behind it, with their statuses.
    pub checks: Vec<ControlCheck>,
    /// Evidence: the checks' evidence, in check order.
    pub evidence: Vec<EvidenceItem>,
    /// What to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A check behind a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlCheck {
    /// Check id.
    pub id: String,
    /// Its status.
    pub status: Status,
}

/// Evaluate every control against the check results.
pub fn evaluate(checks: &[CheckResult]) -> Vec<Control> {
    CONTROLS.iter().map(|d| evaluate_one(d, checks)).collect()
}

fn evaluate_one(d: &ControlDef, checks: &[CheckResult]) -> Control {
    let mine: Vec<&CheckResult> =
        d.checks.iter().filter_map(|id| checks.iter().find(|c| c.id == *id)).collect();
    let mut status = Status::combine(mine.iter().map(|c| c.status)).unwrap_or(Status::Manual);
    if d.coverage == Coverage::Partial && status == Status::Pass {
        status = Status::Partial;
    }
    if d.coverage == Coverage::NotAddressed {
        status = Status::Manual;
    }
    let mut fixes: Vec<String> = Vec::new();
    for c in &mine {
        if c.status != Status::Pass {
            if let Some(f) = &c.fix {
                fixes.push(f.clone());
            }
        }
    }
    if d.coverage != Coverage::Addressed && !d.note.is_empty() && status != Status::Fail {
        fixes.push(format!("outside phiwall: {}", d.note));
    }
    let gaps: Vec<&str> = mine
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Partial))
        .map(|c| c.summary.as_str())
        .collect();
    let unknown: Vec<&str> =
        mine.iter().filter(|c| c.status == Status::Manual).map(|c| c.title).collect();
    let mut parts = Vec::new();
    if !gaps.is_empty() {
        parts.push(gaps.join("; "));
    }
    if !unknown.is_empty() {
        parts.push(format!("needs evidence or a person: {}", unknown.join("; ")));
    }
    let summary = match d.coverage {
        Coverage::NotAddressed => format!("not addressed by phiwall: {}", d.note),
        _ if parts.is_empty() && d.coverage == Coverage::Addressed => {
            format!("{} of {} checks pass", mine.len(), mine.len())
        }
        _ if parts.is_empty() => format!("checks pass; partly outside phiwall: {}", d.note),
        _ => parts.join(". "),
    };
    Control {
        framework: d.framework,
        id: d.id.to_string(),
        title: d.title.to_string(),
        requirement: d.requirement.to_string(),
        status,
        summary,
        coverage: d.coverage,
        note: d.note.to_string(),
        checks: mine
            .iter()
            .map(|c| ControlCheck { id: c.id.to_string(), status: c.status })
            .collect(),
        evidence: mine.iter().flat_map(|c| c.evidence.iter().cloned()).collect(),
        fix: if status == Status::Pass || fixes.is_empty() { None } else { Some(fixes.join("; ")) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_owasp_item_is_present_once_and_named_as_in_2025() {
        let ids: Vec<&str> =
            CONTROLS.iter().filter(|c| c.framework == OwaspLlm).map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "LLM01", "LLM02", "LLM03", "LLM04", "LLM05", "LLM06", "LLM07", "LLM08", "LLM09",
                "LLM10"
            ]
        );
        let t = |id: &str| CONTROLS.iter().find(|c| c.id == id).map(|c| c.title);
        assert_eq!(t("LLM04"), Some("Data and Model Poisoning"));
        assert_eq!(t("LLM08"), Some("Vector and Embedding Weaknesses"));
        assert_eq!(t("LLM10"), Some("Unbounded Consumption"));
    }

    #[test]
    fn not_addressed_is_manual_and_partial_never_passes() {
        let mut pass = CheckResult::new("llm.tools", "t");
        pass.summary = "ok".into();
        let controls = evaluate(&[pass]);
        let llm06 = controls.iter().find(|c| c.id == "LLM06").unwrap();
        assert_eq!(llm06.status, Status::Partial);
        let llm09 = controls.iter().find(|c| c.id == "LLM09").unwrap();
        assert_eq!(llm09.status, Status::Manual);
        assert!(llm09.summary.starts_with("not addressed"));
    }

    #[test]
    fn every_mapped_check_exists() {
        let known = [
            "identity.unique",
            "auth.entity",
            "keys.stale",
            "admin.mfa",
            "session.logoff",
            "access.emergency",
            "ledger.verify",
            "ledger.checkpoints",
            "audit.settings",
            "crypto.at_rest",
            "crypto.in_transit",
            "keys.backup",
            "apps.least_privilege",
            "phi.redaction",
            "llm.injection",
            "llm.output",
            "llm.canary",
            "llm.tools",
            "llm.limits",
            "inventory.assets",
            "incidents.overdue",
            "incidents.procedures",
            "monitoring.siem",
            "drills.recent",
            "evals.detectors",
            "restore.readiness",
            "bias.phi",
            "bias.injection",
        ];
        for c in CONTROLS {
            for id in c.checks {
                assert!(known.contains(id), "{} maps unknown check {id}", c.id);
            }
        }
    }
}
