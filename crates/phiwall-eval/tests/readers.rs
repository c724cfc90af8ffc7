//! Reader tests on small hand-written fixtures (no dataset text): label mapping, exclusions,
//! code-point offsets, splits, text-mismatch warnings and error messages that never echo data.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use phiwall_eval::corpus::Split;
use phiwall_eval::readers::{read_deid, read_jsonl, read_presidio};
use phiwall_eval::{read_path, Error, Format, LabelOptions, SplitFilter};
use phiwall_scan::PhiType;
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn chars(s: &str, a: usize, b: usize) -> String {
    s.chars().skip(a).take(b - a).collect()
}

#[test]
fn deid_labels_splits_and_exclusions() {
    let ds =
        read_path(&fixture("deid_small.jsonl"), Format::Auto, LabelOptions::default()).unwrap();
    assert_eq!(ds.docs.len(), 3);
    let d1 = &ds.docs[0];
    assert_eq!(d1.id, "p1-n1");
    assert_eq!(d1.split, Split::Dev);
    assert_eq!(ds.docs[1].split, Split::Test);
    let kinds: Vec<PhiType> = d1.spans.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        vec![PhiType::Name, PhiType::Date, PhiType::Name, PhiType::Phone, PhiType::Age]
    );
    // DateYear excluded by default; Age 58 excluded; Ann/Anne mismatch excluded with a warning.
    assert_eq!(d1.excluded.len(), 1);
    assert_eq!(ds.docs[1].excluded.len(), 1);
    assert_eq!(ds.docs[2].spans.len(), 1);
    assert_eq!(ds.docs[2].spans[0].kind, PhiType::OtherId);
    assert_eq!(ds.warnings.len(), 1);
    assert!(ds.warnings[0].at.ends_with("deid_small.jsonl:3"), "{:?}", ds.warnings);
    assert!(!ds.warnings[0].message.contains("Ann"));
    assert_eq!(ds.excluded_labels.get("DateYear").map(|e| e.count), Some(1));
    assert_eq!(ds.excluded_labels.get("Age").map(|e| e.count), Some(1));

    let years = LabelOptions { is_year_scored: true };
    let ds = read_path(&fixture("deid_small.jsonl"), Format::Deid, years).unwrap();
    assert_eq!(ds.docs[0].spans.iter().filter(|s| s.kind == PhiType::Date).count(), 2);
}

#[test]
fn presidio_code_points_slots_and_mismatch() {
    let ds =
        read_path(&fixture("presidio_small.json"), Format::Auto, LabelOptions::default()).unwrap();
    assert_eq!(ds.docs.len(), 3);
    let d = &ds.docs[0];
    assert_eq!(d.id, "presidio_small#0");
    assert_eq!(d.split, Split::Dev); // template 3
    assert_eq!(d.template.as_deref(), Some("t3"));
    // Non-ASCII name: offsets are code points.
    let name = d.spans.iter().find(|s| s.kind == PhiType::Name).unwrap();
    assert_eq!(chars(&d.text, name.start, name.end), "José Núñez");
    // City scored, country excluded (slot from `masked`).
    assert_eq!(d.spans.iter().filter(|s| s.kind == PhiType::Address).count(), 1);
    assert_eq!(d.excluded.len(), 1);
    assert!(ds.excluded_labels.contains_key("LOCATION/country"));
    // Record 1: prefix, organisation, title and a year alone all excluded; the name scored.
    let d = &ds.docs[1];
    assert_eq!(d.split, Split::Test);
    assert_eq!(d.spans.len(), 1);
    assert_eq!(d.excluded.len(), 4);
    // Record 2: entity_value mismatch -> excluded with a warning, card scored.
    let d = &ds.docs[2];
    assert_eq!(d.spans.iter().map(|s| s.kind).collect::<Vec<_>>(), vec![PhiType::CreditCard]);
    assert_eq!(ds.warnings.len(), 1);
    assert!(ds.warnings[0].at.contains("record 2"));
}

#[test]
fn our_jsonl_with_and_without_split() {
    let ds =
        read_path(&fixture("ours_small.jsonl"), Format::Auto, LabelOptions::default()).unwrap();
    assert_eq!(ds.docs.len(), 3);
    assert_eq!(ds.docs[0].split, Split::Dev);
    assert_eq!(ds.docs[0].origin.as_deref(), Some("korean"));
    assert_eq!(ds.docs[1].split, Split::Test);
    let b = &ds.docs[1];
    assert_eq!(chars(&b.text, b.spans[0].start, b.spans[0].end), "Zoë Park");
    assert!(ds.warnings.is_empty(), "{:?}", ds.warnings);
    // No split field: decided by the template's hash, stable across runs.
    let again =
        read_path(&fixture("ours_small.jsonl"), Format::Jsonl, LabelOptions::default()).unwrap();
    assert_eq!(ds.docs[2].split, again.docs[2].split);
    let mut filtered = ds.clone();
    filtered.filter(SplitFilter::Test);
    assert!(filtered.docs.iter().all(|d| d.split == Split::Test));
}

#[test]
fn errors_name_place_and_never_the_text() {
    let secret = "Maria Lopez";
    // Span past the end.
    let bad = format!("{{\"id\":\"x\",\"text\":\"{secret}\",\"spans\":[{{\"type\":\"NAME\",\"start\":0,\"end\":99}}]}}\n");
    let e = read_jsonl(&bad, "f.jsonl").unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, Error::SpanRange { .. }));
    assert!(m.contains("f.jsonl:1") && m.contains("0..99") && !m.contains("Maria"), "{m}");
    // Unknown type label that is itself text.
    let bad = format!("\n{{\"id\":\"x\",\"text\":\"hi\",\"spans\":[{{\"type\":\"{secret}\",\"start\":0,\"end\":1}}]}}");
    let m = read_jsonl(&bad, "f.jsonl").unwrap_err().to_string();
    assert!(m.contains("f.jsonl:2") && !m.contains("Maria"), "{m}");
    // Wrong JSON type: the value is not quoted.
    let bad = format!("{{\"patient_id\":\"{secret}\",\"note_id\":1,\"text\":\"a\",\"spans\":[]}}");
    let m = read_deid(&bad, "d.jsonl", LabelOptions::default()).unwrap_err().to_string();
    assert!(m.contains("patient_id") && m.contains("a string") && !m.contains("Maria"), "{m}");
    // Broken JSON.
    let bad = format!("{{\"id\": \"{secret}\"");
    let m = read_jsonl(&bad, "f.jsonl").unwrap_err().to_string();
    assert!(m.contains("f.jsonl:1") && !m.contains("Maria"), "{m}");
    // Reversed span.
    let bad =
        "{\"id\":\"x\",\"text\":\"abc\",\"spans\":[{\"type\":\"NAME\",\"start\":2,\"end\":1}]}";
    assert!(matches!(read_jsonl(bad, "f").unwrap_err(), Error::SpanRange { .. }));
    // Bad split value.
    let bad = "{\"id\":\"x\",\"text\":\"abc\",\"spans\":[],\"split\":\"train\"}";
    assert!(matches!(read_jsonl(bad, "f").unwrap_err(), Error::Field { .. }));
    // Presidio top level must be a list.
    let m = read_presidio("{}", "p.json", "p", LabelOptions::default()).unwrap_err().to_string();
    assert!(m.contains("JSON list"), "{m}");
    // Missing file.
    let e = read_path(Path::new("/nonexistent/x.jsonl"), Format::Auto, LabelOptions::default())
        .unwrap_err();
    assert!(matches!(e, Error::Io { .. }));
}
