//! The PHI types and the public finding shape shared by every crate and JSON output.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A HIPAA Safe Harbor identifier type, plus `CREDIT_CARD` and `EMPLOYER` (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PhiType {
    /// Names of patients, relatives, employers' contacts, providers.
    Name,
    /// Street address, city, county, precinct, zip code.
    Address,
    /// Any element of a date (except year alone) related to an individual.
    Date,
    /// Ages over 89.
    Age,
    /// Telephone numbers.
    Phone,
    /// Fax numbers.
    Fax,
    /// Electronic mail addresses.
    Email,
    /// Social Security numbers.
    Ssn,
    /// Medical record numbers.
    Mrn,
    /// Health plan beneficiary numbers (member id, Medicare MBI).
    HealthPlanId,
    /// Account numbers (bank, billing, routing).
    AccountNumber,
    /// Certificate and licence numbers (driver's licence, DEA, NPI).
    LicenseNumber,
    /// Vehicle identifiers and serial numbers, licence plates.
    VehicleId,
    /// Device identifiers and serial numbers.
    DeviceId,
    /// Web URLs.
    Url,
    /// IP addresses.
    IpAddress,
    /// Biometric identifiers (finger and voice prints).
    BiometricId,
    /// Any other unique identifying number, characteristic or code.
    OtherId,
    /// Payment card numbers (not Safe Harbor, but PCI-sensitive).
    CreditCard,
    /// Employer names (Safe Harbor lists them under names of relatives and employers).
    Employer,
}

/// Every type, in declaration order.
pub const ALL_PHI_TYPES: [PhiType; 20] = [
    PhiType::Name,
    PhiType::Address,
    PhiType::Date,
    PhiType::Age,
    PhiType::Phone,
    PhiType::Fax,
    PhiType::Email,
    PhiType::Ssn,
    PhiType::Mrn,
    PhiType::HealthPlanId,
    PhiType::AccountNumber,
    PhiType::LicenseNumber,
    PhiType::VehicleId,
    PhiType::DeviceId,
    PhiType::Url,
    PhiType::IpAddress,
    PhiType::BiometricId,
    PhiType::OtherId,
    PhiType::CreditCard,
    PhiType::Employer,
];

impl PhiType {
    /// The wire name, e.g. `HEALTH_PLAN_ID`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PhiType::Name => "NAME",
            PhiType::Address => "ADDRESS",
            PhiType::Date => "DATE",
            PhiType::Age => "AGE",
            PhiType::Phone => "PHONE",
            PhiType::Fax => "FAX",
            PhiType::Email => "EMAIL",
            PhiType::Ssn => "SSN",
            PhiType::Mrn => "MRN",
            PhiType::HealthPlanId => "HEALTH_PLAN_ID",
            PhiType::AccountNumber => "ACCOUNT_NUMBER",
            PhiType::LicenseNumber => "LICENSE_NUMBER",
            PhiType::VehicleId => "VEHICLE_ID",
            PhiType::DeviceId => "DEVICE_ID",
            PhiType::Url => "URL",
            PhiType::IpAddress => "IP_ADDRESS",
            PhiType::BiometricId => "BIOMETRIC_ID",
            PhiType::OtherId => "OTHER_ID",
            PhiType::CreditCard => "CREDIT_CARD",
            PhiType::Employer => "EMPLOYER",
        }
    }
}

impl fmt::Display for PhiType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown PHI type name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown PHI type `{0}`: expected one of NAME, ADDRESS, DATE, AGE, PHONE, FAX, EMAIL, SSN, MRN, HEALTH_PLAN_ID, ACCOUNT_NUMBER, LICENSE_NUMBER, VEHICLE_ID, DEVICE_ID, URL, IP_ADDRESS, BIOMETRIC_ID, OTHER_ID, CREDIT_CARD, EMPLOYER")]
pub struct UnknownPhiType(pub String);

impl FromStr for PhiType {
    type Err = UnknownPhiType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL_PHI_TYPES
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPhiType(s.to_string()))
    }
}

/// One detected identifier. Carries positions and a score, never a copy of the text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Finding {
    /// The identifier type.
    #[serde(rename = "type")]
    pub kind: PhiType,
    /// Code-point offset of the first character.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// Which recognizer found it (stable name, for analysts and evaluation).
    pub recognizer: &'static str,
}

impl Finding {
    /// Length in code points.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the finding covers no characters.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in ALL_PHI_TYPES {
            assert_eq!(t.as_str().parse::<PhiType>().unwrap(), t);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert!("PASSPORT".parse::<PhiType>().is_err());
    }
}
