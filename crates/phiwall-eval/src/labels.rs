//! How each data set's labels map onto our [`PhiType`]s.
//!
//! A gold span is either *scored* (it has a PHI type and counts for recall) or *excluded*: the
//! label is not a Safe Harbor identifier (a job title, an organisation, a country) or is
//! ambiguous. Excluded spans are neither required nor forbidden: a prediction that overlaps one
//! is ignored, not counted as a false positive. The tables below are the single source of truth
//! and are printed in docs/eval-phi.md; reports list every excluded label with its count.

use phiwall_scan::PhiType;

/// What a source label becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    /// Scored as this type.
    Scored(PhiType),
    /// Not scored, for this reason.
    Excluded(&'static str),
}

/// Reason used for ages under 90 (Safe Harbor only covers ages over 89).
pub const REASON_AGE_UNDER_90: &str = "age under 90 is not a Safe Harbor identifier";
/// Reason used for a year on its own.
pub const REASON_YEAR_ALONE: &str = "a year alone is not a Safe Harbor identifier";
/// Reason used when the span's own text does not match its offsets.
pub const REASON_TEXT_MISMATCH: &str = "span text does not match the offsets";

/// Options that change the mapping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelOptions {
    /// Score deid `DateYear` and presidio year-only `DATE_TIME` as `DATE` (off by default:
    /// Safe Harbor keeps years, and our scanner deliberately leaves a year alone).
    pub is_year_scored: bool,
}

/// PhysioNet deid labels.
///
/// | deid label | ours |
/// |---|---|
/// | HCPName, PTName, RelativeProxyName, PTNameInitial | NAME |
/// | Date | DATE |
/// | DateYear | excluded (year alone), or DATE with `is_year_scored` |
/// | Location | ADDRESS |
/// | Phone | PHONE |
/// | Age | AGE when >= 90, else excluded |
/// | Other | OTHER_ID |
pub fn deid(label: &str, value: &str, opts: LabelOptions) -> Mapped {
    match label {
        "HCPName" | "PTName" | "RelativeProxyName" | "PTNameInitial" => {
            Mapped::Scored(PhiType::Name)
        }
        "Date" => Mapped::Scored(PhiType::Date),
        "DateYear" if opts.is_year_scored => Mapped::Scored(PhiType::Date),
        "DateYear" => Mapped::Excluded(REASON_YEAR_ALONE),
        "Location" => Mapped::Scored(PhiType::Address),
        "Phone" => Mapped::Scored(PhiType::Phone),
        "Age" => age(value),
        "Other" => Mapped::Scored(PhiType::OtherId),
        _ => Mapped::Excluded("label not in the mapping table"),
    }
}

/// presidio-research labels. `placeholder` is the template slot (`{{city}}`) the value came
/// from, when the record's `masked` text lines up with its spans; it separates cities from
/// countries and names from honorifics.
///
/// | presidio label (slot) | ours |
/// |---|---|
/// | PERSON | NAME (slot `prefix_*`: excluded, honorific) |
/// | STREET_ADDRESS, ADDRESS, ZIP_CODE | ADDRESS (slot `state_abbr`: excluded, a state) |
/// | LOCATION (slot `city`) | ADDRESS; other slots (country, nationality) excluded |
/// | GPE | excluded: mixes countries and states with cities, and has no slot to tell them apart |
/// | DATE_TIME | DATE; a 4-digit year alone, a weekday name alone or slot `day_of_week` excluded |
/// | AGE | AGE when >= 90, else excluded |
/// | PHONE_NUMBER | PHONE; FAX when the text right after it says "fax" (see [`presidio_fax`]) |
/// | EMAIL_ADDRESS | EMAIL |
/// | US_SSN | SSN |
/// | CREDIT_CARD | CREDIT_CARD |
/// | IBAN_CODE | ACCOUNT_NUMBER (a bank account number) |
/// | US_DRIVER_LICENSE | LICENSE_NUMBER |
/// | IP_ADDRESS | IP_ADDRESS |
/// | DOMAIN_NAME | URL |
/// | TITLE, PREFIX, NRP, ORGANIZATION | excluded (not Safe Harbor identifiers) |
pub fn presidio(label: &str, placeholder: Option<&str>, value: &str, opts: LabelOptions) -> Mapped {
    let slot = placeholder.unwrap_or("");
    match label {
        "PERSON" if slot.starts_with("prefix") => Mapped::Excluded("honorific, not a name"),
        "PERSON" => Mapped::Scored(PhiType::Name),
        "STREET_ADDRESS" | "ADDRESS" | "ZIP_CODE" if slot == "state_abbr" => {
            Mapped::Excluded("a state is not a Safe Harbor identifier")
        }
        "STREET_ADDRESS" | "ADDRESS" | "ZIP_CODE" => Mapped::Scored(PhiType::Address),
        "LOCATION" if slot == "city" => Mapped::Scored(PhiType::Address),
        "LOCATION" => Mapped::Excluded("country or nationality is not a Safe Harbor identifier"),
        "GPE" => Mapped::Excluded("mixes countries and states with cities (no slot to tell)"),
        "DATE_TIME" if slot == "day_of_week" || is_weekday(value) => {
            Mapped::Excluded("a weekday alone")
        }
        "DATE_TIME" if is_year(value) && !opts.is_year_scored => {
            Mapped::Excluded(REASON_YEAR_ALONE)
        }
        "DATE_TIME" => Mapped::Scored(PhiType::Date),
        "AGE" => age(value),
        "PHONE_NUMBER" => Mapped::Scored(PhiType::Phone),
        "EMAIL_ADDRESS" => Mapped::Scored(PhiType::Email),
        "US_SSN" => Mapped::Scored(PhiType::Ssn),
        "CREDIT_CARD" => Mapped::Scored(PhiType::CreditCard),
        "IBAN_CODE" => Mapped::Scored(PhiType::AccountNumber),
        "US_DRIVER_LICENSE" => Mapped::Scored(PhiType::LicenseNumber),
        "IP_ADDRESS" => Mapped::Scored(PhiType::IpAddress),
        "DOMAIN_NAME" => Mapped::Scored(PhiType::Url),
        "TITLE" | "PREFIX" => Mapped::Excluded("job title or honorific"),
        "NRP" => Mapped::Excluded("nationality, religious or political group"),
        "ORGANIZATION" => Mapped::Excluded("organisation (not necessarily an employer)"),
        _ => Mapped::Excluded("label not in the mapping table"),
    }
}

/// presidio-research has no fax label: its PHONE_NUMBER covers fax numbers too, and its
/// signature blocks mark them in the text ("930.167.3943 fax", "...-Fax"). Safe Harbor lists fax
/// numbers as their own identifier and the scanner reports them as FAX, so a PHONE span the text
/// itself calls a fax is scored as FAX. `after` is the text right after the span.
pub fn presidio_fax(mapped: Mapped, after: &str) -> Mapped {
    if mapped != Mapped::Scored(PhiType::Phone) {
        return mapped;
    }
    let rest = after.trim_start_matches([' ', '-', '\t']);
    let head: String = rest.chars().take(4).collect::<String>().to_ascii_lowercase();
    let is_fax = head.starts_with("fax") && !head.chars().nth(3).is_some_and(char::is_alphanumeric);
    if is_fax {
        Mapped::Scored(PhiType::Fax)
    } else {
        mapped
    }
}

/// Ages: scored only when the value is a number of at least 90. A value with no digits
/// ("ninety") is scored, since only a number can show it is under 90.
fn age(value: &str) -> Mapped {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    match digits.parse::<u32>() {
        Ok(n) if n < 90 => Mapped::Excluded(REASON_AGE_UNDER_90),
        _ => Mapped::Scored(PhiType::Age),
    }
}

/// A value that is a weekday name and nothing else ("Tuesday", "friday"): the same thing as the
/// `day_of_week` slot, when the template's slot is named otherwise ("flew there on
/// {{DATE_TIME}} morning").
fn is_weekday(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    matches!(
        v.as_str(),
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday"
    )
}

/// A value that is a four-digit year and nothing else.
fn is_year(value: &str) -> bool {
    let v = value.trim();
    v.len() == 4
        && v.bytes().all(|b| b.is_ascii_digit())
        && (v.starts_with("19") || v.starts_with("20"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: LabelOptions = LabelOptions { is_year_scored: false };

    #[test]
    fn deid_table() {
        assert_eq!(deid("HCPName", "x", O), Mapped::Scored(PhiType::Name));
        assert_eq!(deid("PTNameInitial", "x", O), Mapped::Scored(PhiType::Name));
        assert_eq!(deid("Location", "x", O), Mapped::Scored(PhiType::Address));
        assert_eq!(deid("Other", "x", O), Mapped::Scored(PhiType::OtherId));
        assert_eq!(deid("DateYear", "94", O), Mapped::Excluded(REASON_YEAR_ALONE));
        let y = LabelOptions { is_year_scored: true };
        assert_eq!(deid("DateYear", "94", y), Mapped::Scored(PhiType::Date));
        assert_eq!(deid("Age", "91", O), Mapped::Scored(PhiType::Age));
        assert_eq!(deid("Age", "58", O), Mapped::Excluded(REASON_AGE_UNDER_90));
        assert!(matches!(deid("Unheard", "x", O), Mapped::Excluded(_)));
    }

    #[test]
    fn presidio_slots_refine_labels() {
        assert_eq!(presidio("LOCATION", Some("city"), "x", O), Mapped::Scored(PhiType::Address));
        assert!(matches!(presidio("LOCATION", Some("country"), "x", O), Mapped::Excluded(_)));
        assert!(matches!(presidio("LOCATION", None, "x", O), Mapped::Excluded(_)));
        assert!(matches!(presidio("PERSON", Some("prefix_male"), "Mr.", O), Mapped::Excluded(_)));
        assert_eq!(presidio("PERSON", Some("first_name"), "x", O), Mapped::Scored(PhiType::Name));
        assert!(matches!(presidio("ADDRESS", Some("state_abbr"), "IL", O), Mapped::Excluded(_)));
        assert_eq!(presidio("DATE_TIME", None, "1985", O), Mapped::Excluded(REASON_YEAR_ALONE));
        assert_eq!(presidio("DATE_TIME", None, "3/4/1985", O), Mapped::Scored(PhiType::Date));
        assert_eq!(presidio("IBAN_CODE", None, "x", O), Mapped::Scored(PhiType::AccountNumber));
        assert!(matches!(presidio("ORGANIZATION", None, "x", O), Mapped::Excluded(_)));
        assert!(matches!(presidio("AGE", None, "45", O), Mapped::Excluded(_)));
        assert_eq!(presidio("AGE", None, "95", O), Mapped::Scored(PhiType::Age));
        assert!(matches!(presidio("DATE_TIME", None, "Tuesday", O), Mapped::Excluded(_)));
        assert!(matches!(presidio("DATE_TIME", None, "friday", O), Mapped::Excluded(_)));
        assert_eq!(presidio("DATE_TIME", None, "Friday 3/4", O), Mapped::Scored(PhiType::Date));
    }

    #[test]
    fn presidio_phone_called_a_fax_is_a_fax() {
        let phone = Mapped::Scored(PhiType::Phone);
        assert_eq!(presidio_fax(phone, " fax\n+1"), Mapped::Scored(PhiType::Fax));
        assert_eq!(presidio_fax(phone, "-Fax"), Mapped::Scored(PhiType::Fax));
        assert_eq!(presidio_fax(phone, " office"), phone);
        assert_eq!(presidio_fax(phone, " faxes"), phone);
        assert_eq!(presidio_fax(phone, ""), phone);
        let name = Mapped::Scored(PhiType::Name);
        assert_eq!(presidio_fax(name, " fax"), name);
    }
}
