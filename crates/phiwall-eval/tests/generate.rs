//! Generator tests: determinism, the committed fixture, gold-span correctness, splits by
//! template, disjoint name pools, and a round trip through our JSONL reader.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use phiwall_eval::corpus::Split;
use phiwall_eval::generate::names::{pool, GROUPS};
use phiwall_eval::generate::{generate, record, write_jsonl, GenOptions, TEMPLATES};
use phiwall_eval::readers::read_jsonl;
use phiwall_scan::PhiType;
use std::collections::{HashMap, HashSet};

fn corpus(count: usize, seed: u64) -> Vec<phiwall_eval::JsonlRecord> {
    generate(GenOptions { count, seed }).unwrap()
}

#[test]
fn same_seed_same_corpus_and_prefix_stable() {
    let a = corpus(60, 7);
    assert_eq!(a, corpus(60, 7));
    assert_ne!(a, corpus(60, 8));
    // Record i does not depend on how many are generated.
    assert_eq!(corpus(10, 7)[..], a[..10]);
    assert_eq!(record(7, 33), a[33]);
}

#[test]
fn committed_fixture_matches_generator() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/transcripts_200.jsonl");
    let committed = std::fs::read_to_string(path).unwrap();
    let mut fresh = Vec::new();
    write_jsonl(&corpus(200, 42), &mut fresh).unwrap();
    assert!(
        committed == String::from_utf8(fresh).unwrap(),
        "the generator changed: regenerate with `phiwall generate transcripts --count 200 --seed 42 --out {path}`"
    );
}

#[test]
fn gold_spans_hold_the_inserted_values() {
    for r in corpus(2000, 3) {
        let chars: Vec<char> = r.text.chars().collect();
        let mut last_end = 0;
        for s in &r.spans {
            assert!(s.start >= last_end, "{}: spans overlap or are unsorted", r.id);
            last_end = s.end;
            let got: String = chars[s.start..s.end].iter().collect();
            assert_eq!(Some(&got), s.text.as_ref(), "{}", r.id);
            // Hard negatives never sit inside gold spans.
            for neg in [" mg", "milligram", "room ", "extension", "dollars", "$", "CPT", "NDC"] {
                assert!(!got.contains(neg), "{}: gold span holds {neg:?}", r.id);
            }
        }
        assert!(!r.spans.is_empty(), "{}: no PHI", r.id);
    }
}

#[test]
fn splits_follow_templates_and_pools_are_disjoint() {
    let recs = corpus(3000, 5);
    let mut split_of: HashMap<String, Split> = HashMap::new();
    for r in &recs {
        let t = r.template.clone().unwrap();
        let s = r.split.unwrap();
        assert_eq!(*split_of.entry(t).or_insert(s), s, "template in both splits");
    }
    assert_eq!(split_of.len(), TEMPLATES.len(), "every template used");
    let origins: HashSet<&str> = recs.iter().filter_map(|r| r.origin.as_deref()).collect();
    assert_eq!(origins.len(), GROUPS.len());

    // Every (non-spelled) NAME word comes from the record's own split pool of its group.
    let pools: HashMap<(&str, Split), HashSet<String>> = GROUPS
        .iter()
        .flat_map(|g| {
            let words = |a: &'static str, b: &'static str| -> HashSet<String> {
                pool(a)
                    .into_iter()
                    .chain(pool(b))
                    .flat_map(|n| n.split(' ').map(str::to_lowercase).collect::<Vec<_>>())
                    .collect()
            };
            [
                ((g.key, Split::Dev), words(g.given_dev, g.surname_dev)),
                ((g.key, Split::Test), words(g.given_test, g.surname_test)),
            ]
        })
        .collect();
    let mut checked = 0;
    for r in &recs {
        let key = (r.origin.as_deref().unwrap(), r.split.unwrap());
        for s in r.spans.iter().filter(|s| s.kind == PhiType::Name) {
            let v = s.text.clone().unwrap();
            let is_spelled = v.split([' ', '-']).all(|p| p.chars().count() == 1);
            if is_spelled {
                continue;
            }
            for w in v.split(' ').map(str::to_lowercase) {
                assert!(pools[&key].contains(&w), "{}: {w} not in its own pool", r.id);
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn round_trips_through_the_reader() {
    let recs = corpus(300, 9);
    let mut buf = Vec::new();
    write_jsonl(&recs, &mut buf).unwrap();
    let ds = read_jsonl(std::str::from_utf8(&buf).unwrap(), "gen.jsonl").unwrap();
    assert!(ds.warnings.is_empty());
    assert_eq!(ds.docs.len(), 300);
    for (d, r) in ds.docs.iter().zip(&recs) {
        assert_eq!(d.spans.len(), r.spans.len());
        assert_eq!(d.split, r.split.unwrap());
        assert_eq!(d.origin, r.origin);
    }
    // Written and spoken forms both present.
    let text: String = recs.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("\n");
    for needle in [" oh ", " dot ", " at ", "nineteen", "@", "/"] {
        assert!(text.contains(needle), "{needle:?} never generated");
    }
}

#[test]
fn every_generated_type_appears_in_both_splits() {
    let recs = corpus(3000, 12);
    let mut seen: HashMap<PhiType, HashSet<Split>> = HashMap::new();
    for r in &recs {
        for s in &r.spans {
            seen.entry(s.kind).or_default().insert(r.split.unwrap());
        }
    }
    for (kind, splits) in &seen {
        assert_eq!(splits.len(), 2, "{kind} only in {splits:?}");
    }
    for kind in [
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
        PhiType::CreditCard,
        PhiType::Employer,
    ] {
        assert!(seen.contains_key(&kind), "{kind} never generated");
    }
}
