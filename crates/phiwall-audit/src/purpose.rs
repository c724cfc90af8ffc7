//! Declared app purposes and the PHI types each needs to reach the model in clear.
//!
//! `[apps.NAME] purpose = "..."` names one of these. The audit's least-privilege check compares
//! the types an app's policy passes to the model unchanged (`allow`) with this list: anything
//! more is over-broad. Types that are replaced before the model sees them (`mask`,
//! `pseudonymize`, `tokenize`, `block`) are not counted. SSN and payment card numbers are
//! needed by no purpose here: card payments and SSN checks belong in systems built for them,
//! not in a model's context.

use phiwall_scan::PhiType;

/// One purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purpose {
    /// Name used in configuration.
    pub name: &'static str,
    /// What it covers.
    pub description: &'static str,
    /// PHI types the model needs to see in clear for this purpose.
    pub needs: &'static [PhiType],
}

use PhiType as T;

/// Every known purpose.
pub const PURPOSES: &[Purpose] = &[
    Purpose {
        name: "scheduling",
        description: "booking, moving and confirming appointments",
        needs: &[T::Name, T::Date, T::Phone, T::Email],
    },
    Purpose {
        name: "billing",
        description: "statements, balances, insurance and payment questions",
        needs: &[T::Name, T::Date, T::Address, T::HealthPlanId, T::AccountNumber],
    },
    Purpose {
        name: "triage",
        description: "symptom intake and routing by a nurse line or phone agent",
        needs: &[T::Name, T::Date, T::Age, T::Phone],
    },
    Purpose {
        name: "clinical_documentation",
        description: "drafting notes, letters and summaries for clinicians",
        needs: &[T::Name, T::Date, T::Age, T::Mrn],
    },
    Purpose {
        name: "ehr_assistant",
        description: "an assistant inside the EHR answering staff questions about a chart",
        needs: &[T::Name, T::Date, T::Age, T::Mrn, T::Address, T::Phone, T::Email, T::HealthPlanId],
    },
    Purpose {
        name: "patient_support",
        description: "general questions (hours, directions, preparation), no record access",
        needs: &[],
    },
    Purpose { name: "research", description: "analysis of de-identified text", needs: &[] },
    Purpose { name: "development", description: "testing against the simulated model", needs: &[] },
];

/// Look a purpose up by name (case-insensitive, `-` and spaces read as `_`).
pub fn find(name: &str) -> Option<&'static Purpose> {
    let norm: String = name
        .trim()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() })
        .collect();
    PURPOSES.iter().find(|p| p.name == norm)
}

/// The purpose names, for messages.
pub fn names() -> String {
    PURPOSES.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_loose_name_and_no_purpose_needs_ssn_or_cards() {
        assert_eq!(find("Clinical-Documentation").map(|p| p.name), Some("clinical_documentation"));
        assert!(find("astrology").is_none());
        for p in PURPOSES {
            assert!(!p.needs.contains(&T::Ssn) && !p.needs.contains(&T::CreditCard), "{}", p.name);
        }
    }
}
