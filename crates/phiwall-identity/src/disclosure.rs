//! Disclosure control on model output: PHI values the scanner found in a response are hashed
//! the same way the directory was and looked up, and each value is allowed, redacted or flagged
//! depending on who the session is.
//!
//! Rules (issue 5):
//! - A value belonging to patient P (or to one of P's related persons) passes to a caller only
//!   when the session is verified for P, as P or as P's representative.
//! - A session verified for P that receives a value belonging only to other patients is a
//!   cross-patient leak: always redacted, severity high.
//! - An unverified caller session gets every directory value redacted.
//! - A value of no known patient is [`Verdict::Unknown`]; the app's policy decides.
//! - Staff principals: a role must be allowed PHI at all; a patient outside the care-team scope
//!   is refused unless break-glass with a reason is in effect, which allows and flags it.
//!
//! A value shared by several patients (a zip, a family phone) passes when the session's patient
//! is among its owners: it is that patient's value too.

use crate::directory::{Digest, Directory, Field, PatientRef};
use crate::normalize::{self, canonical_given, date_readings, name_tokens};
use crate::verify::Verification;
use phiwall_scan::PhiType;
use serde::Serialize;
use std::sync::Arc;

/// A staff user of a clinical app.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Principal {
    /// Stable id (for audit).
    pub id: String,
    /// Roles (from the app's auth, e.g. a JWT claim).
    pub roles: Vec<String>,
    /// Patients in this principal's care-team scope ([`Directory::patient_ref`] of FHIR ids).
    pub care_team: Vec<PatientRef>,
}

/// Who is on the other end of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// A caller (phone, chat, telehealth) with its current verification, if any.
    Caller(Option<Verification>),
    /// A staff principal, with a break-glass reason when one was given for this session.
    Staff {
        /// The principal.
        principal: Principal,
        /// Break-glass reason (HIPAA emergency access); `None` when not invoked.
        break_glass_reason: Option<String>,
    },
}

/// Disclosure policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosurePolicy {
    /// Staff roles allowed to see PHI at all.
    pub phi_roles: Vec<String>,
    /// Staff roles allowed to invoke break-glass.
    pub break_glass_roles: Vec<String>,
    /// Minimum length of a break-glass reason (a reason of a few characters is not a reason).
    pub min_break_glass_reason_chars: usize,
}

impl Default for DisclosurePolicy {
    fn default() -> Self {
        DisclosurePolicy {
            phi_roles: ["clinician", "nurse", "care_coordinator", "pharmacist", "front_desk"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            break_glass_roles: ["clinician", "nurse"].iter().map(|s| s.to_string()).collect(),
            min_break_glass_reason_chars: 10,
        }
    }
}

/// One PHI value found in output (the gateway slices it from the response text).
#[derive(Debug, Clone, Copy)]
pub struct OutputValue<'a> {
    /// Type from the scanner.
    pub kind: PhiType,
    /// The text of the finding.
    pub value: &'a str,
    /// Code-point start in the output.
    pub start: usize,
    /// Code-point end in the output.
    pub end: usize,
}

/// Why a value is redacted or flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The caller session is not verified.
    NotVerified,
    /// The session is verified for another patient.
    CrossPatient,
    /// The staff principal's role may not see PHI.
    RoleNotAllowed,
    /// The patient is outside the principal's care team.
    OutsideCareTeam,
    /// Allowed under break-glass (flag for review).
    BreakGlass,
}

/// Severity for events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Nothing to report.
    None,
    /// Informational (flagged access).
    Low,
    /// Expected prevention (unverified session).
    Medium,
    /// Cross-patient leak or out-of-scope access attempt.
    High,
}

/// What happens to one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict", content = "reason")]
pub enum Verdict {
    /// Pass.
    Allow,
    /// Pass, but flag (break-glass).
    AllowFlagged(Reason),
    /// Redact and emit `disclosure_prevented`.
    Redact(Reason),
    /// Not a directory value: the app's policy decides.
    Unknown,
}

/// The decision for one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ItemDecision {
    /// Index into the input slice.
    pub index: usize,
    /// Type.
    #[serde(rename = "type")]
    pub kind: PhiType,
    /// Code-point start.
    pub start: usize,
    /// Code-point end.
    pub end: usize,
    /// Verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Severity.
    pub severity: Severity,
    /// How many directory patients own the value (0 for unknown).
    pub owners: usize,
}

/// The decision for a whole output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Per value.
    pub items: Vec<ItemDecision>,
    /// Highest severity.
    pub severity: Severity,
    /// True when any value was a cross-patient leak.
    pub is_cross_patient_leak: bool,
    /// True when any value passed under break-glass.
    pub is_break_glass: bool,
}

impl Decision {
    /// Values to redact.
    pub fn redactions(&self) -> impl Iterator<Item = &ItemDecision> {
        self.items.iter().filter(|i| matches!(i.verdict, Verdict::Redact(_)))
    }
}

/// Checks output PHI against the directory.
#[derive(Debug, Clone)]
pub struct DisclosureGuard {
    directory: Arc<Directory>,
    policy: DisclosurePolicy,
}

impl DisclosureGuard {
    /// A guard over a directory.
    pub fn new(directory: Arc<Directory>, policy: DisclosurePolicy) -> Self {
        DisclosureGuard { directory, policy }
    }

    /// Patients owning a value (deduplicated). Representatives' values map to their patient.
    pub fn owners_of(&self, kind: PhiType, value: &str) -> Vec<PatientRef> {
        let key = self.directory.key();
        let mut digests: Vec<(Field, Digest)> = Vec::new();
        match kind {
            PhiType::Name => {
                let t = name_tokens(value);
                if let Some((first, rest)) = t.split_first() {
                    let g = canonical_given(first);
                    for f in rest {
                        digests.push((
                            Field::FullName,
                            key.digest(Field::FullName, &format!("{g} {f}")),
                        ));
                    }
                    if rest.len() > 1 {
                        digests.push((
                            Field::FullName,
                            key.digest(Field::FullName, &format!("{g} {}", rest.join(" "))),
                        ));
                    }
                    // "Smith, John": family first.
                    if let Some(last) = t.last() {
                        if t.len() == 2 {
                            let g2 = canonical_given(last);
                            digests.push((
                                Field::FullName,
                                key.digest(Field::FullName, &format!("{g2} {first}")),
                            ));
                        }
                    }
                }
            }
            PhiType::Date => {
                for d in date_readings(value, 99) {
                    digests.push((Field::BirthDate, key.digest(Field::BirthDate, &d.iso())));
                }
            }
            PhiType::Phone | PhiType::Fax => {
                if let Some(p) = normalize::phone(value) {
                    digests.push((Field::Phone, key.digest(Field::Phone, &p)));
                }
            }
            PhiType::Email => {
                digests.push((Field::Email, key.digest(Field::Email, &value.trim().to_lowercase())))
            }
            PhiType::Address => {
                if let Some(z) = normalize::zip5(value) {
                    digests.push((Field::Zip, key.digest(Field::Zip, &z)));
                }
            }
            PhiType::Mrn | PhiType::HealthPlanId | PhiType::OtherId | PhiType::AccountNumber => {
                let id = normalize::identifier(value);
                if !id.is_empty() {
                    digests.push((Field::Mrn, key.digest(Field::Mrn, &id)));
                    digests.push((Field::MemberId, key.digest(Field::MemberId, &id)));
                }
            }
            // Only a full SSN identifies; a bare four-digit number in output is not matched.
            PhiType::Ssn if normalize::digits(value).len() >= 9 => {
                if let Some(l4) = normalize::ssn_last4(value) {
                    digests.push((Field::SsnLast4, key.digest(Field::SsnLast4, &l4)));
                }
            }
            _ => {}
        }
        let mut out: Vec<PatientRef> = Vec::new();
        for (f, d) in digests {
            for o in self.directory.owners(f, &d) {
                if let Some(p) = self.directory.owner_patient(*o) {
                    if !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
        }
        out
    }

    /// Decide every value. `values` are the scanner's findings on the model output with their
    /// text.
    pub fn check(&self, access: &Access, values: &[OutputValue<'_>]) -> Decision {
        let mut items = Vec::with_capacity(values.len());
        for (index, v) in values.iter().enumerate() {
            let owners = self.owners_of(v.kind, v.value);
            let (verdict, severity) = self.verdict(access, &owners);
            items.push(ItemDecision {
                index,
                kind: v.kind,
                start: v.start,
                end: v.end,
                verdict,
                severity,
                owners: owners.len(),
            });
        }
        let severity = items.iter().map(|i| i.severity).max().unwrap_or(Severity::None);
        let is_cross_patient_leak =
            items.iter().any(|i| i.verdict == Verdict::Redact(Reason::CrossPatient));
        let is_break_glass =
            items.iter().any(|i| matches!(i.verdict, Verdict::AllowFlagged(Reason::BreakGlass)));
        Decision { items, severity, is_cross_patient_leak, is_break_glass }
    }

    fn verdict(&self, access: &Access, owners: &[PatientRef]) -> (Verdict, Severity) {
        if owners.is_empty() {
            return (Verdict::Unknown, Severity::None);
        }
        match access {
            Access::Caller(None) => (Verdict::Redact(Reason::NotVerified), Severity::Medium),
            Access::Caller(Some(v)) => {
                if owners.contains(&v.patient) {
                    (Verdict::Allow, Severity::None)
                } else {
                    (Verdict::Redact(Reason::CrossPatient), Severity::High)
                }
            }
            Access::Staff { principal, break_glass_reason } => {
                let has_role =
                    |allowed: &[String]| principal.roles.iter().any(|r| allowed.contains(r));
                if !has_role(&self.policy.phi_roles) {
                    return (Verdict::Redact(Reason::RoleNotAllowed), Severity::High);
                }
                if owners.iter().any(|p| principal.care_team.contains(p)) {
                    return (Verdict::Allow, Severity::None);
                }
                let reason_ok = break_glass_reason.as_deref().is_some_and(|r| {
                    r.trim().chars().count() >= self.policy.min_break_glass_reason_chars
                });
                if reason_ok && has_role(&self.policy.break_glass_roles) {
                    (Verdict::AllowFlagged(Reason::BreakGlass), Severity::Low)
                } else {
                    (Verdict::Redact(Reason::OutsideCareTeam), Severity::High)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::tests::dir;

    fn val(kind: PhiType, value: &str) -> OutputValue<'_> {
        OutputValue { kind, value, start: 0, end: value.chars().count() }
    }

    fn guard() -> DisclosureGuard {
        DisclosureGuard::new(dir(), DisclosurePolicy::default())
    }

    fn verified(d: &Directory, id: &str, rep: bool) -> Access {
        Access::Caller(Some(Verification {
            patient: d.patient_ref(id),
            representative: rep.then(|| d.key().digest(Field::RelatedId, "r1")),
            at: 0,
        }))
    }

    #[test]
    fn values_map_to_owners() {
        let g = guard();
        let d = dir();
        let p1 = d.patient_ref("p1");
        assert_eq!(g.owners_of(PhiType::Name, "Bill Smith"), vec![p1]);
        assert_eq!(g.owners_of(PhiType::Name, "Smith, William"), vec![p1]);
        assert_eq!(g.owners_of(PhiType::Date, "March 4, 1984"), vec![p1]);
        assert_eq!(g.owners_of(PhiType::Phone, "(617) 555-0123"), vec![p1]);
        assert_eq!(g.owners_of(PhiType::Mrn, "MRN-001"), vec![p1]);
        assert_eq!(g.owners_of(PhiType::HealthPlanId, "xyz 123456"), vec![p1]);
        assert_eq!(g.owners_of(PhiType::Address, "1 Main St, Cambridge MA 02139"), vec![p1]);
        // The spouse's name belongs to p1's record for disclosure purposes.
        assert_eq!(g.owners_of(PhiType::Name, "Margaret Smith"), vec![p1]);
        assert!(g.owners_of(PhiType::Name, "John Doe").is_empty());
        assert!(g.owners_of(PhiType::Date, "1999-01-01").is_empty());
        assert!(g.owners_of(PhiType::Url, "https://x").is_empty());
    }

    #[test]
    fn caller_rules() {
        let g = guard();
        let d = dir();
        let out = [
            val(PhiType::Name, "William Smith"),
            val(PhiType::Date, "1984-03-04"),
            val(PhiType::Name, "Jesus Hernandez"),
            val(PhiType::Phone, "555-867-5309"),
        ];

        let unverified = g.check(&Access::Caller(None), &out);
        assert_eq!(unverified.items[0].verdict, Verdict::Redact(Reason::NotVerified));
        assert_eq!(unverified.items[2].verdict, Verdict::Redact(Reason::NotVerified));
        assert_eq!(unverified.items[3].verdict, Verdict::Unknown);
        assert!(!unverified.is_cross_patient_leak);

        let as_p1 = g.check(&verified(&d, "p1", false), &out);
        assert_eq!(as_p1.items[0].verdict, Verdict::Allow);
        assert_eq!(as_p1.items[1].verdict, Verdict::Allow);
        assert_eq!(as_p1.items[2].verdict, Verdict::Redact(Reason::CrossPatient));
        assert_eq!(as_p1.items[2].severity, Severity::High);
        assert!(as_p1.is_cross_patient_leak);
        assert_eq!(as_p1.severity, Severity::High);
        assert_eq!(as_p1.redactions().count(), 1);

        let rep = g.check(&verified(&d, "p1", true), &out[..2]);
        assert!(rep.items.iter().all(|i| i.verdict == Verdict::Allow));
    }

    #[test]
    fn staff_rules() {
        let g = guard();
        let d = dir();
        let out = [val(PhiType::Name, "William Smith"), val(PhiType::Mrn, "MRN-002")];
        let nurse = Principal {
            id: "n1".into(),
            roles: vec!["nurse".into()],
            care_team: vec![d.patient_ref("p1")],
        };
        let plain =
            g.check(&Access::Staff { principal: nurse.clone(), break_glass_reason: None }, &out);
        assert_eq!(plain.items[0].verdict, Verdict::Allow);
        assert_eq!(plain.items[1].verdict, Verdict::Redact(Reason::OutsideCareTeam));
        let glass = g.check(
            &Access::Staff {
                principal: nurse.clone(),
                break_glass_reason: Some("unconscious patient in ED bay 4".into()),
            },
            &out,
        );
        assert_eq!(glass.items[1].verdict, Verdict::AllowFlagged(Reason::BreakGlass));
        assert!(glass.is_break_glass);
        let weak = g.check(
            &Access::Staff { principal: nurse, break_glass_reason: Some("need".into()) },
            &out,
        );
        assert_eq!(weak.items[1].verdict, Verdict::Redact(Reason::OutsideCareTeam));
        let billing = Principal {
            id: "b".into(),
            roles: vec!["billing".into()],
            care_team: vec![d.patient_ref("p1")],
        };
        let b = g.check(
            &Access::Staff {
                principal: billing,
                break_glass_reason: Some("long enough reason".into()),
            },
            &out,
        );
        assert!(b.items.iter().all(|i| i.verdict == Verdict::Redact(Reason::RoleNotAllowed)));
    }
}
