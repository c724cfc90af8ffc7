//! Fuzz the ledger's parsers of untrusted bytes: records, segment headers, whole segment files
//! (then verification over them), binary checkpoints and checkpoint JSON. None may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiwall_ledger::checkpoint::Checkpoint;
use phiwall_ledger::record::{parse_record, SegmentHeader};
use phiwall_ledger::store::SegmentFile;
use phiwall_ledger::verify::{verify_parts, VerifyOptions};
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = parse_record(data) {
        let _ = r.is_intact();
    }
    let _ = SegmentHeader::parse(data);
    let (checkpoints, tail) = Checkpoint::parse_all(data);
    for c in &checkpoints {
        let _ = c.is_self_signed_valid();
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = Checkpoint::from_json_str(s);
    }
    let seg = SegmentFile::parse(0, PathBuf::from("fuzz"), data.to_vec());
    let _ = verify_parts(&[seg], &checkpoints, tail, None, &VerifyOptions::default());
});
