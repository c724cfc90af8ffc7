//! External predictions: findings produced by another system (Presidio, an older phiwall, the
//! deid program), scored by the same harness instead of running the scanner.
//!
//! Format, one JSON object per line: `{"id": "<doc id>", "findings": [{"type": "NAME",
//! "start": 0, "end": 5}]}` with code-point offsets and our type names (`score` and
//! `recognizer` optional). Documents without a line have no findings. Errors name the file,
//! line and field, never text.

use crate::error::{json_error, json_kind, safe_label, Error};
use phiwall_scan::{Finding, PhiType};
use serde_json::Value;
use std::collections::HashMap;
use std::str::FromStr;

/// Findings by document id.
pub type Predictions = HashMap<String, Vec<Finding>>;

/// Read predictions from `data` (`name` is used in errors).
pub fn read_predictions(data: &str, name: &str) -> Result<Predictions, Error> {
    let mut out: Predictions = HashMap::new();
    for (i, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{name}:{}", i + 1);
        let v: Value = serde_json::from_str(line).map_err(|e| json_error(name, Some(i + 1), &e))?;
        let field_err = |field: String, expected: &'static str, found: Option<&Value>| {
            Error::Field { at: at.clone(), field, expected, found: json_kind(found) }
        };
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| field_err("id".into(), "a string", v.get("id")))?;
        let list = v
            .get("findings")
            .and_then(Value::as_array)
            .ok_or_else(|| field_err("findings".into(), "an array", v.get("findings")))?;
        let entry = out.entry(id.to_string()).or_default();
        for (k, f) in list.iter().enumerate() {
            let num = |key: &str| {
                f.get(key).and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok()).ok_or_else(
                    || {
                        field_err(
                            format!("findings[{k}].{key}"),
                            "a non-negative integer",
                            f.get(key),
                        )
                    },
                )
            };
            let (start, end) = (num("start")?, num("end")?);
            if end <= start {
                return Err(Error::SpanRange {
                    at: at.clone(),
                    index: k,
                    start: start as u64,
                    end: end as u64,
                    len: 0,
                });
            }
            let label = f.get("type").and_then(Value::as_str).ok_or_else(|| {
                field_err(format!("findings[{k}].type"), "a string", f.get("type"))
            })?;
            let kind = PhiType::from_str(label).map_err(|_| Error::UnknownType {
                at: at.clone(),
                index: k,
                label: safe_label(label),
            })?;
            let score =
                f.get("score").and_then(Value::as_f64).map_or(1.0, |s| s.clamp(0.0, 1.0) as f32);
            entry.push(Finding { kind, start, end, score, recognizer: "external" });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_rejects() {
        let p = read_predictions(
            "{\"id\":\"a\",\"findings\":[{\"type\":\"NAME\",\"start\":0,\"end\":3,\"score\":0.7}]}\n\n{\"id\":\"b\",\"findings\":[]}",
            "p.jsonl",
        )
        .unwrap();
        assert_eq!(p["a"][0].kind, PhiType::Name);
        assert_eq!((p["a"][0].start, p["a"][0].end), (0, 3));
        assert!(p["b"].is_empty());
        let e = read_predictions(
            "{\"id\":\"a\",\"findings\":[{\"type\":\"Jo Ann\",\"start\":0,\"end\":3}]}",
            "p",
        )
        .unwrap_err();
        assert!(!e.to_string().contains("Jo Ann"));
        assert!(read_predictions(
            "{\"id\":\"a\",\"findings\":[{\"type\":\"NAME\",\"start\":3,\"end\":3}]}",
            "p"
        )
        .is_err());
        assert!(read_predictions("{\"id\":1,\"findings\":[]}", "p").is_err());
        assert!(read_predictions("{\"id\":\"a\"}", "p").is_err());
    }
}
