//! Whole-crate checks on a generated population: the stored directory holds no plaintext value
//! from the FHIR input, and every patient verifies with exact facts (and only as themself).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use phiwall_identity::synth;
use phiwall_identity::{
    ClaimedFacts, Directory, DirectoryKey, LimiterConfig, ManualClock, VerificationPolicy, Verifier,
};
use std::sync::Arc;

fn key() -> DirectoryKey {
    DirectoryKey::new(b"integration-test-directory-key-0123456789".to_vec()).unwrap()
}

#[test]
fn stored_directory_has_no_plaintext_from_the_bundle() {
    let pop = synth::population(300, 99);
    let input = synth::to_input(&pop);
    let dir = Directory::build(key(), &input);
    let stored = String::from_utf8(dir.to_json()).unwrap().to_lowercase();
    let mut checked = 0;
    for p in &pop.patients {
        let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
        for v in [
            p.given.to_lowercase(),
            p.family.to_lowercase(),
            p.birth.iso(),
            p.phone.clone(),
            digits,
            p.mrn.to_lowercase(),
            p.member_id.to_lowercase(),
            p.ssn.clone(),
        ] {
            // Values of three characters or fewer can occur inside hex digests by chance
            // ("bea"); longer ones must never appear.
            if v.chars().count() > 3 {
                checked += 1;
                assert!(
                    !stored.contains(&v),
                    "plaintext value of {} chars found in stored directory",
                    v.len()
                );
            }
        }
    }
    assert!(checked > 1500);
    let back = Directory::from_json(stored.as_bytes(), key()).unwrap();
    assert_eq!(back.patients().len(), 300);
}

#[test]
fn every_patient_verifies_as_themself_with_exact_facts() {
    let pop = synth::population(300, 98);
    let input = synth::to_input(&pop);
    let dir = Arc::new(Directory::build(key(), &input));
    let v = Verifier::new(
        dir.clone(),
        VerificationPolicy::default(),
        LimiterConfig::default(),
        Box::new(ManualClock::new(1_795_900_000)),
    )
    .unwrap();
    for (p, r) in pop.patients.iter().zip(&input.patients) {
        let claims = ClaimedFacts {
            name: Some(format!("{} {}", p.given, p.family)),
            birth_date: Some(p.birth.iso()),
            member_id: Some(p.member_id.clone()),
            ..ClaimedFacts::default()
        };
        assert_eq!(v.match_claims(&claims).map(|x| x.patient), Some(dir.patient_ref(&r.id)));
        let mut wrong = claims.clone();
        wrong.member_id = Some("ZZZ000000000".into());
        assert_eq!(v.match_claims(&wrong), None);
    }
}
