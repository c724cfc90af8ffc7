//! Criterion benches for the structured-identifier detectors on 2 KB of clinical text:
//! PHI-dense (every line holds identifiers), mixed (one dense paragraph plus narrative) and
//! plain narrative. Texts are synthetic; no dataset text is embedded.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use phiwall_scan::phi::structured;
use phiwall_scan::Doc;

const DENSE: &str = "Pt is a 67 yo M seen 03/04/2024. MRN: 00123456. Call me at (212) 555-0147 or \
cell 212.555.0199; fax 212-555-0148. Email john.doe@example.com, portal \
https://mychart.example.org/p/1. BP 120/80, HR 72, SpO2 98%, K 4.2, Hgb 13.5. Metformin 500 mg \
BID, insulin 0.5 mL, NDC 0002-3227-30, ICD E11.9, CPT 99213, billed $1,250.00. Room 412, ext. \
4471. Member ID XJH123456789, group number 00451-22, Medicare 1EG4-TE5-MK73. SSN 123-45-6789. \
Card 4111 1111 1111 1111. DEA AB1234563, NPI 1234567893, DL D1234567. VIN 1HGCM82633A004352, \
plate 7ABC123. Pacemaker serial PJN123456H. Logged in from 192.168.10.20 at 10:30. Version \
1.2.3. Follow up in 2 weeks, labs at 8 30 pm. Pager #54321. ";

const NARRATIVE: &str = "Patient tolerated procedure well, no acute distress, plan to continue \
current regimen and reassess. Vitals stable overnight, ambulating with assistance, tolerating \
diet. BP 118/76 HR 70, afebrile. ";

fn two_kb(parts: &[&str]) -> String {
    let mut s = String::new();
    while s.len() < 2048 {
        for p in parts {
            s.push_str(p);
        }
    }
    s.truncate(2048);
    s
}

fn bench(c: &mut Criterion) {
    let detectors = structured::detectors();
    let mixed = {
        let mut s = String::from(DENSE);
        s.push_str(&two_kb(&[NARRATIVE]));
        s.truncate(2048);
        s
    };
    let texts =
        [("dense", two_kb(&[DENSE])), ("mixed", mixed), ("narrative", two_kb(&[NARRATIVE]))];
    let mut g = c.benchmark_group("structured_2kb");
    g.throughput(Throughput::Bytes(2048));
    for (name, text) in &texts {
        g.bench_function(*name, |b| {
            let doc = Doc::new(text);
            let mut out = Vec::with_capacity(64);
            b.iter(|| {
                out.clear();
                for d in &detectors {
                    d.detect(std::hint::black_box(&doc), &mut out);
                }
                out.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
