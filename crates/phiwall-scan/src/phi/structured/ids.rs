//! Record, plan, account and licence identifiers: MRN, HEALTH_PLAN_ID, ACCOUNT_NUMBER and
//! LICENSE_NUMBER.
//!
//! Most of these have no shape of their own (an MRN is "some digits"), so they are found by the
//! keyed detector from the phrases in [`KEYS`]. A few have a checkable shape and are also found
//! without context by [`IdShapeDetector`]:
//! - Medicare Beneficiary Identifiers (`1EG4-TE5-MK73`, CMS layout; uppercase, or lowercase
//!   after a Medicare word as speech-to-text writes a spelled one),
//! - DEA registration numbers (`AB1234563`, check digit; uppercase),
//! - IBANs (`GB82 WEST 1234 5698 7654 32`, mod-97).
//!
//! NPI (Luhn with the 80840 prefix) and ABA routing numbers (3-7-1 checksum) collide with too many
//! other 9–10 digit numbers, so they are only taken after "NPI" / "routing" words.

use regex::Regex;
use std::sync::LazyLock;

use super::keyed::{k, kc, Key, Rule};
use super::{digit_words, has_word, left_free, right_free};
use crate::detector::floor_boundary;
use crate::detector::{Detector, Doc, Span};
use crate::phi::validators;
use crate::types::PhiType;

/// Phrases introducing MRN, plan, account and licence numbers.
pub(crate) const KEYS: &[Key] = &[
    // Medical record numbers.
    k("mrn", Rule::Mrn),
    k("mr#", Rule::Mrn),
    kc("MR", Rule::Mrn),
    k("medical record", Rule::Mrn),
    k("medical record number", Rule::Mrn),
    k("med rec", Rule::Mrn),
    k("med rec no", Rule::Mrn),
    k("record number", Rule::Mrn),
    k("record #", Rule::Mrn),
    k("chart", Rule::Mrn),
    k("chart number", Rule::Mrn),
    k("chart #", Rule::Mrn),
    k("hospital number", Rule::Mrn),
    k("patient id", Rule::Mrn),
    k("patient number", Rule::Mrn),
    k("pt id", Rule::Mrn),
    k("unit number", Rule::Mrn),
    k("hospital id", Rule::Mrn),
    k("encounter number", Rule::Mrn),
    k("visit number", Rule::Mrn),
    k("accession number", Rule::Mrn),
    // EHR encounter identifiers: Epic's contact serial number, Cerner's financial number
    // ("CSN 4410938821", "FIN 300029918"), and "encounter" with a number after it.
    kc("CSN", Rule::Mrn),
    kc("FIN", Rule::Account),
    k("encounter", Rule::Mrn),
    k("encounter #", Rule::Mrn),
    // Health plan beneficiary numbers.
    k("member id", Rule::PlanId),
    k("member number", Rule::PlanId),
    k("member #", Rule::PlanId),
    k("member", Rule::PlanId),
    k("membership", Rule::PlanId),
    k("subscriber", Rule::PlanId),
    k("subscriber id", Rule::PlanId),
    k("policy", Rule::PlanId),
    k("policy number", Rule::PlanId),
    k("policy #", Rule::PlanId),
    // Bare "group" reads the value only when it looks like an id (five or more characters
    // with three digits): "group 0041-772", not "age group 65-74" or "group 2".
    k("group", Rule::PlanId),
    k("group number", Rule::PlanId),
    k("group #", Rule::PlanId),
    k("group no", Rule::PlanId),
    k("group id", Rule::PlanId),
    k("insurance id", Rule::PlanId),
    k("insurance number", Rule::PlanId),
    k("insurance", Rule::PlanId),
    k("plan id", Rule::PlanId),
    k("health plan", Rule::PlanId),
    k("beneficiary", Rule::PlanId),
    k("beneficiary id", Rule::PlanId),
    k("medicare", Rule::PlanId),
    k("medicare id", Rule::PlanId),
    k("medicare number", Rule::PlanId),
    k("medicaid", Rule::PlanId),
    k("medicaid id", Rule::PlanId),
    k("medicaid number", Rule::PlanId),
    k("MBI", Rule::PlanId),
    k("HICN", Rule::PlanId),
    k("BCBS", Rule::PlanId),
    // Account numbers.
    k("account", Rule::Account),
    k("account number", Rule::Account),
    k("acct", Rule::Account),
    k("acct #", Rule::Account),
    k("bank account", Rule::Account),
    k("billing account", Rule::Account),
    k("checking", Rule::Account),
    k("savings", Rule::Account),
    k("IBAN", Rule::Account),
    k("routing", Rule::Routing),
    k("routing number", Rule::Routing),
    kc("ABA", Rule::Routing),
    k("transit number", Rule::Routing),
    // Licence and certificate numbers.
    k("license", Rule::License),
    k("licence", Rule::License),
    k("license number", Rule::License),
    k("licence number", Rule::License),
    k("lic", Rule::License),
    k("lic #", Rule::License),
    kc("DL", Rule::License),
    k("DL#", Rule::License),
    k("dl number", Rule::License),
    k("dl no", Rule::License),
    k("driver's license number", Rule::License),
    k("drivers license number", Rule::License),
    k("driver license number", Rule::License),
    k("driver's license", Rule::License),
    k("drivers license", Rule::License),
    k("driver license", Rule::License),
    k("driver's licence", Rule::License),
    k("driving licence", Rule::License),
    k("certificate", Rule::License),
    k("certificate number", Rule::License),
    k("cert", Rule::License),
    k("cert #", Rule::License),
    k("state license", Rule::License),
    k("medical license", Rule::License),
    k("nursing license", Rule::License),
    k("DEA", Rule::Dea),
    k("DEA number", Rule::Dea),
    k("DEA #", Rule::Dea),
    k("NPI", Rule::Npi),
    k("NPI number", Rule::Npi),
    k("NPI #", Rule::Npi),
];

/// IBAN in print form, anchored at a word that starts with two letters and two digits.
static IBAN_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?-u)^[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?").ok()
});

/// Words that confirm a Medicare id.
const MBI_CONTEXT: &[&str] = &["medicare", "mbi", "beneficiary", "cms", "part a", "part b"];
/// Words that confirm a DEA number.
const DEA_CONTEXT: &[&str] = &["dea", "prescriber", "registration", "controlled", "schedule"];

/// Finds MBIs, DEA numbers and IBANs by shape and check digit, without context.
#[derive(Debug, Default)]
pub struct IdShapeDetector;

impl IdShapeDetector {
    /// Build the detector (the regex compiles on first use).
    pub fn new() -> Self {
        IdShapeDetector
    }
}

impl Detector for IdShapeDetector {
    fn name(&self) -> &'static str {
        "id_shape"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let text = doc.text;
        let bytes = text.as_bytes();
        // All three shapes are uppercase letters with digits: skip every other word cheaply.
        // Speech-to-text and the spoken view write a spelled MBI in lowercase ("medicare
        // number one e g four ..." -> "1eg4te5mk72"): such a word counts only after a Medicare
        // word, as an MBI.
        for w in digit_words(text).filter(|w| w.has_digit && w.has_upper != w.has_lower) {
            let (start, end) = (w.start, w.end);
            let word = bytes.get(start..end).unwrap_or(&[]);
            let lowercase = w.has_lower;
            let mut buf = [0u8; 16];
            let mut n = 0;
            for &b in word.iter().filter(|b| b.is_ascii_alphanumeric()) {
                if let Some(slot) = buf.get_mut(n) {
                    *slot = b.to_ascii_uppercase();
                }
                n += 1;
            }
            if lowercase && n != 11 {
                continue;
            }
            let c = buf.get(..n.min(16)).unwrap_or(&[]);
            let dashes_ok = |at: &[usize]| {
                word.iter().enumerate().all(|(i, &b)| (b == b'-') == at.contains(&i))
            };
            let before = doc.before(start, 40);
            let found =
                if n == 11 && (dashes_ok(&[]) || dashes_ok(&[4, 8])) && validators::mbi_shape(c) {
                    let ctx = has_word(before, MBI_CONTEXT);
                    if lowercase && !ctx {
                        continue;
                    }
                    Some((end, PhiType::HealthPlanId, if ctx { 0.95 } else { 0.75 }))
                } else if lowercase {
                    None
                } else if n == 9 && dashes_ok(&[]) && validators::dea_valid(c) {
                    let ctx = has_word(before, DEA_CONTEXT);
                    Some((end, PhiType::LicenseNumber, if ctx { 0.95 } else { 0.6 }))
                } else if word.len() >= 4
                    && word.first().is_some_and(u8::is_ascii_uppercase)
                    && word.get(1).is_some_and(u8::is_ascii_uppercase)
                    && word.get(2).is_some_and(u8::is_ascii_digit)
                    && word.get(3).is_some_and(u8::is_ascii_digit)
                {
                    iban_at(text, start).map(|e| (e, PhiType::AccountNumber, 0.9))
                } else {
                    None
                };
            let Some((end, kind, score)) = found else { continue };
            if left_free(bytes, start) && right_free(bytes, end) {
                out.push(Span::new(start, end, kind, score, self.name()));
            }
        }
    }
}

/// End of a valid IBAN starting at `start`, if there is one (longest valid prefix of the printed
/// groups, so a following word is not swallowed).
fn iban_at(text: &str, start: usize) -> Option<usize> {
    let re = IBAN_RE.as_ref()?;
    let limit = floor_boundary(text, start.saturating_add(48));
    let m = re.find(text.get(start..limit)?)?;
    let mut buf = [0u8; 40];
    let mut ends = [0usize; 40];
    let mut n = 0;
    for (i, b) in m.as_str().bytes().enumerate() {
        if b.is_ascii_alphanumeric() {
            if let (Some(slot), Some(e)) = (buf.get_mut(n), ends.get_mut(n)) {
                *slot = b;
                *e = start + i + 1;
                n += 1;
            }
        }
    }
    (15..=n.min(34))
        .rev()
        .find(|&len| validators::iban_valid(buf.get(..len).unwrap_or(&[])))
        .and_then(|len| ends.get(len - 1).copied())
}

#[cfg(test)]
mod tests {
    use super::super::keyed::KeyedDetector;
    use super::super::testutil::{assert_none, found};
    use super::*;

    #[test]
    fn regex_compiles() {
        assert!(IBAN_RE.is_some());
    }

    fn keyed(text: &str) -> Vec<(PhiType, String)> {
        found(&KeyedDetector::new(), text)
    }

    fn shape(text: &str) -> Vec<(PhiType, String)> {
        found(&IdShapeDetector::new(), text)
    }

    fn f(kind: PhiType, s: &str) -> (PhiType, String) {
        (kind, s.to_string())
    }

    #[test]
    fn mrn_by_context() {
        assert_eq!(keyed("MRN: 0012345678"), vec![f(PhiType::Mrn, "0012345678")]);
        assert_eq!(keyed("chart # 445-2231"), vec![f(PhiType::Mrn, "445-2231")]);
        assert_eq!(keyed("Patient ID: AB123456"), vec![f(PhiType::Mrn, "AB123456")]);
        assert!(keyed("MR 2+ murmur").is_empty());
        assert!(keyed("| MR 2013 |").is_empty(), "a year is not a record number");
        assert!(keyed("mr 12345").is_empty(), "lowercase mr is Mister");
        assert_eq!(keyed("CSN 4410938821: pull it"), vec![f(PhiType::Mrn, "4410938821")]);
        assert_eq!(keyed("Encounter 55091823 for"), vec![f(PhiType::Mrn, "55091823")]);
        assert_eq!(keyed("FIN 300029918 - meds"), vec![f(PhiType::AccountNumber, "300029918")]);
        assert!(keyed("second encounter 2 weeks later").is_empty());
        assert!(keyed("fin 12345 and csn 12345").is_empty(), "the EHR labels are capitals");
    }

    #[test]
    fn plan_ids_by_context() {
        assert_eq!(
            keyed("Member ID: XJH123456789"),
            vec![f(PhiType::HealthPlanId, "XJH123456789")]
        );
        assert_eq!(keyed("group number 00451-22"), vec![f(PhiType::HealthPlanId, "00451-22")]);
        assert_eq!(keyed("subscriber 998877665"), vec![f(PhiType::HealthPlanId, "998877665")]);
        assert_eq!(
            keyed("Medicare 1EG4-TE5-MK73"),
            vec![f(PhiType::HealthPlanId, "1EG4-TE5-MK73")]
        );
        assert!(keyed("group B strep").is_empty());
        assert!(keyed("member of the family").is_empty());
    }

    #[test]
    fn accounts_and_routing() {
        assert_eq!(
            keyed("account number 4455667788"),
            vec![f(PhiType::AccountNumber, "4455667788")]
        );
        assert_eq!(keyed("routing 021000021"), vec![f(PhiType::AccountNumber, "021000021")]);
        assert_eq!(
            keyed("IBAN GB82WEST12345698765432"),
            vec![f(PhiType::AccountNumber, "GB82WEST12345698765432")]
        );
        assert!(keyed("account balance $1,250.00").is_empty());
    }

    #[test]
    fn licences() {
        assert_eq!(keyed("DL: D1234567"), vec![f(PhiType::LicenseNumber, "D1234567")]);
        assert_eq!(keyed("my dl number is d1234567"), vec![f(PhiType::LicenseNumber, "d1234567")]);
        assert_eq!(
            keyed("driver's license S530-460-88-115"),
            vec![f(PhiType::LicenseNumber, "S530-460-88-115")]
        );
        // A state code or a credential before the number qualifies it.
        assert_eq!(
            keyed("Pt's DL# OH RX445120 scanned"),
            vec![f(PhiType::LicenseNumber, "RX445120")]
        );
        assert_eq!(
            keyed("my nursing license number is RN 4412087"),
            vec![f(PhiType::LicenseNumber, "4412087")]
        );
        assert_eq!(keyed("license: MD-448120"), vec![f(PhiType::LicenseNumber, "448120")]);
        assert_none(&KeyedDetector::new(), "her license in OH expired");
        assert_none(&KeyedDetector::new(), "driver's license RN and 2 more");
        assert_eq!(keyed("DEA AB1234563"), vec![f(PhiType::LicenseNumber, "AB1234563")]);
        assert_eq!(keyed("NPI 1234567893"), vec![f(PhiType::LicenseNumber, "1234567893")]);
        assert_eq!(keyed("my dea is ab1234563"), vec![f(PhiType::LicenseNumber, "ab1234563")]);
        assert_eq!(keyed("npi number 1234567893"), vec![f(PhiType::LicenseNumber, "1234567893")]);
        assert_eq!(keyed("NPI: 1234567890").len(), 1, "unchecked NPI still a licence id at 0.6");
        assert!(keyed("licensed 12345").is_empty());
        assert!(keyed("NPI 12345").is_empty());
        assert!(keyed("glucose 110 mg/dL 12345678").is_empty());
    }

    #[test]
    fn shapes_without_context() {
        assert_eq!(
            shape("id 1EG4-TE5-MK73 on card"),
            vec![f(PhiType::HealthPlanId, "1EG4-TE5-MK73")]
        );
        assert_eq!(shape("1EG4TE5MK73"), vec![f(PhiType::HealthPlanId, "1EG4TE5MK73")]);
        assert_eq!(shape("prescriber AB1234563"), vec![f(PhiType::LicenseNumber, "AB1234563")]);
        assert_eq!(shape("AB1234563"), vec![f(PhiType::LicenseNumber, "AB1234563")]);
        assert_eq!(
            shape("pay to GB82 WEST 1234 5698 7654 32 now"),
            vec![f(PhiType::AccountNumber, "GB82 WEST 1234 5698 7654 32")]
        );
    }

    #[test]
    fn lowercase_mbi_needs_a_medicare_word() {
        assert_eq!(
            shape("i'm on the medicare plan, number 1eg4te5mk73"),
            vec![f(PhiType::HealthPlanId, "1eg4te5mk73")]
        );
        let d = IdShapeDetector::new();
        // Without one, a lowercase token of that shape is a code or a typo, not evidence.
        assert_none(&d, "ref 1eg4te5mk73 attached");
        // Lowercase DEA and IBAN shapes are never taken.
        assert_none(&d, "dea ab1234563 on file");
        assert_none(&d, "medicare number 1eg4te5mk7");
        // Mixed case is neither form.
        assert_none(&d, "medicare 1eG4tE5mK73");
    }

    #[test]
    fn shapes_rejected() {
        let d = IdShapeDetector::new();
        for t in [
            "1SG4-TE5-MK73",
            "1EG4-TE5-MK7",
            "AB1234564",
            "IB1234563",
            "GB82WEST12345698765433",
            "E11.9 I10 CPT 99213",
            "XAB1234563",
            "500 mg",
        ] {
            assert_none(&d, t);
        }
    }
}
