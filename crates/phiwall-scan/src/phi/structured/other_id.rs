//! Any other unique identifying number (Safe Harbor item R): claim, case, reference,
//! confirmation and ticket numbers, "ID number", passport and employee ids.
//!
//! These have no shape and are only taken after one of the phrases in [`KEYS`]; the value must be
//! 4–24 letters and digits with at least three digits, so "case 2" or "ID consult" stay clear.
//! More specific phrases ("member ID", "patient ID", "device ID") belong to other families and
//! win by being longer.

use super::keyed::{k, kc, Key, Rule};

/// Phrases introducing other identifying numbers.
pub(crate) const KEYS: &[Key] = &[
    kc("ID", Rule::Other),
    k("id is", Rule::Other),
    k("id number", Rule::Other),
    k("id #", Rule::Other),
    k("id no", Rule::Other),
    k("identification number", Rule::Other),
    k("identifier", Rule::Other),
    k("case number", Rule::Other),
    k("case #", Rule::Other),
    k("case no", Rule::Other),
    k("case id", Rule::Other),
    k("claim", Rule::Other),
    k("claim number", Rule::Other),
    k("claim #", Rule::Other),
    k("claim id", Rule::Other),
    k("reference number", Rule::Other),
    k("reference #", Rule::Other),
    k("ref", Rule::Other),
    k("ref #", Rule::Other),
    k("ref no", Rule::Other),
    k("confirmation number", Rule::Other),
    k("confirmation #", Rule::Other),
    k("confirmation code", Rule::Other),
    k("ticket number", Rule::Other),
    k("ticket #", Rule::Other),
    k("tracking number", Rule::Other),
    k("order number", Rule::Other),
    k("authorization number", Rule::Other),
    k("prior auth", Rule::Other),
    k("auth #", Rule::Other),
    k("passport", Rule::Other),
    k("passport number", Rule::Other),
    k("employee id", Rule::Other),
    k("employee number", Rule::Other),
    k("badge number", Rule::Other),
    k("student id", Rule::Other),
    k("military id", Rule::Other),
    k("state id", Rule::Other),
    k("tax id", Rule::Other),
    k("voter id", Rule::Other),
    k("user id", Rule::Login),
    k("username", Rule::Login),
    k("user name", Rule::Login),
    k("login id", Rule::Login),
    k("login name", Rule::Login),
    k("screen name", Rule::Login),
    // Pharmacy prescription numbers: the patient's own record at the pharmacy.
    k("rx number", Rule::Other),
    k("rx #", Rule::Other),
    k("rx no", Rule::Other),
    k("prescription number", Rule::Other),
    k("prescription #", Rule::Other),
];

#[cfg(test)]
mod tests {
    use super::super::keyed::KeyedDetector;
    use super::super::testutil::{assert_none, found};
    use crate::types::PhiType;

    fn other(s: &str) -> (PhiType, String) {
        (PhiType::OtherId, s.to_string())
    }

    #[test]
    fn by_context() {
        let d = KeyedDetector::new();
        assert_eq!(found(&d, "(ref # 8336652)."), vec![other("8336652")]);
        assert_eq!(found(&d, "claim number 88-1234-X"), vec![other("88-1234-X")]);
        assert_eq!(found(&d, "case no. 2023-0456"), vec![other("2023-0456")]);
        assert_eq!(found(&d, "ID 4821993"), vec![other("4821993")]);
        assert_eq!(found(&d, "passport number X12345678"), vec![other("X12345678")]);
        assert_eq!(found(&d, "my rx number is 6034412"), vec![other("6034412")]);
        assert_eq!(found(&d, "Prescription # 0412-88731"), vec![other("0412-88731")]);
        assert_eq!(
            found(&d, "Patient portal username jwierzbicki58 was locked"),
            vec![other("jwierzbicki58")]
        );
        assert_eq!(found(&d, "login id: 4471"), vec![other("4471")]);
    }

    #[test]
    fn not_ids() {
        let d = KeyedDetector::new();
        assert_none(&d, "case 2 of 3");
        assert_none(&d, "ID consult called");
        assert_none(&d, "refill 30 tabs");
        assert_none(&d, "in this case 12/05/2023");
        assert_none(&d, "id 4821993 (lowercase id is too ambiguous)");
        assert_none(&d, "ref 50 mg");
        assert_none(&d, "rx number 2 of 3 refills");
        assert_none(&d, "prescription # 10 tabs");
        assert_none(&d, "I forgot my username and password 2 times");
        assert_none(&d, "user id 42 is the test account");
    }
}
