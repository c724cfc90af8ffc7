//! Readers for the labelled PHI data sets: PhysioNet deid gold JSONL, presidio-research JSON
//! lists, and our own JSONL. Each returns a [`Dataset`] of [`GoldDoc`]s with code-point
//! offsets, both splits included, labels mapped by [`crate::labels`].
//!
//! Every offset is checked against its text; when a source carries the span's own text (deid
//! `text`, presidio `entity_value`, our optional `text`) it is compared with the text at the
//! offsets, and a mismatch turns the span into an excluded one with a warning rather than
//! silently scoring the wrong characters. Errors name the file and line (or record) and the
//! field, never the data.

use crate::corpus::{fnv1a, Dataset, ExcludedSpan, GoldDoc, GoldSpan, ReadWarning, Split};
use crate::error::{json_error, json_kind, safe_label, Error};
use crate::labels::{self, LabelOptions, Mapped, REASON_TEXT_MISMATCH};
use phiwall_scan::PhiType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;
use std::str::FromStr;

/// A data set format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Decide from the file name and first record.
    #[default]
    Auto,
    /// PhysioNet deid gold JSONL.
    Deid,
    /// presidio-research JSON list.
    Presidio,
    /// Our own JSONL.
    Jsonl,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Format::Auto),
            "deid" => Ok(Format::Deid),
            "presidio" => Ok(Format::Presidio),
            "jsonl" => Ok(Format::Jsonl),
            _ => Err("expected auto, deid, presidio or jsonl".to_string()),
        }
    }
}

/// One span of our own JSONL format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonlSpan {
    /// PHI type name.
    #[serde(rename = "type")]
    pub kind: PhiType,
    /// Code-point start.
    pub start: usize,
    /// Code-point end (exclusive).
    pub end: usize,
    /// The text at the offsets (optional; checked when present). Synthetic corpora only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One record of our own JSONL format (what the generator writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonlRecord {
    /// Unique id.
    pub id: String,
    /// The document text.
    pub text: String,
    /// Gold spans.
    pub spans: Vec<JsonlSpan>,
    /// `dev` or `test`; when absent the split is taken from the template's (or id's) hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
    /// Template name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Name origin group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// Read `path` in `format` (detected when `Auto`).
pub fn read_path(path: &Path, format: Format, opts: LabelOptions) -> Result<Dataset, Error> {
    let name = path.display().to_string();
    let data =
        std::fs::read_to_string(path).map_err(|source| Error::Io { path: name.clone(), source })?;
    let format = match format {
        Format::Auto => detect(&name, &data)?,
        f => f,
    };
    let stem = path.file_stem().map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
    match format {
        Format::Deid => read_deid(&data, &name, opts),
        Format::Presidio => read_presidio(&data, &name, &stem, opts),
        Format::Jsonl | Format::Auto => read_jsonl(&data, &name),
    }
}

/// Guess the format: a JSON list is presidio; a JSONL whose first record has `patient_id` is
/// deid; one with `id` and `spans` is ours.
pub fn detect(name: &str, data: &str) -> Result<Format, Error> {
    let Some((_, first)) = data.lines().enumerate().find(|(_, l)| !l.trim().is_empty()) else {
        return Err(Error::UnknownFormat { path: name.to_string(), why: "the file is empty" });
    };
    if first.trim_start().starts_with('[') {
        return Ok(Format::Presidio);
    }
    let v: Value = serde_json::from_str(first).map_err(|e| json_error(name, Some(1), &e))?;
    match v.as_object() {
        Some(o) if o.contains_key("patient_id") && o.contains_key("note_id") => Ok(Format::Deid),
        Some(o) if o.contains_key("id") && o.contains_key("spans") => Ok(Format::Jsonl),
        Some(o) if o.contains_key("full_text") => Ok(Format::Presidio),
        _ => Err(Error::UnknownFormat {
            path: name.to_string(),
            why: "the first record has neither patient_id, id+spans nor full_text",
        }),
    }
}

/// Read PhysioNet deid gold JSONL: `{patient_id, note_id, text, spans:[{start,end,label,text}]}`.
pub fn read_deid(data: &str, name: &str, opts: LabelOptions) -> Result<Dataset, Error> {
    let mut ds = Dataset { format: "deid", ..Dataset::default() };
    for (i, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{name}:{}", i + 1);
        let v: Value = serde_json::from_str(line).map_err(|e| json_error(name, Some(i + 1), &e))?;
        let o = object(&v, &at, "record")?;
        let pid = uint(o, "patient_id", &at)?;
        let nid = uint(o, "note_id", &at)?;
        let text = string(o, "text", &at)?;
        let idx = CharIndex::new(text);
        let mut doc = GoldDoc {
            id: format!("p{pid}-n{nid}"),
            text: text.to_string(),
            spans: Vec::new(),
            excluded: Vec::new(),
            split: Split::from_parity(pid),
            template: None,
            origin: None,
        };
        for (k, s) in array(o, "spans", &at)?.iter().enumerate() {
            let so = object(s, &at, "spans[]")?;
            let (start, end) = span_bounds(so, "start", "end", &at, k, idx.len())?;
            let label = string(so, "label", &at)?;
            let value = idx.slice(text, start, end);
            let claimed = string(so, "text", &at)?;
            let mapped = if claimed == value {
                labels::deid(label, value, opts)
            } else {
                ds.warnings.push(ReadWarning {
                    at: at.clone(),
                    message: format!(
                        "span {k}: its text does not match offsets {start}..{end}; not scored"
                    ),
                });
                Mapped::Excluded(REASON_TEXT_MISMATCH)
            };
            push_span(&mut ds, &mut doc, mapped, label.to_string(), start, end);
        }
        ds.docs.push(doc);
    }
    Ok(ds)
}

/// Read a presidio-research JSON list: `[{full_text, masked, spans:[{entity_type, entity_value,
/// start_position, end_position}], template_id}]`. Offsets are code points (checked:
/// `entity_value` must equal the text at the offsets).
pub fn read_presidio(
    data: &str,
    name: &str,
    stem: &str,
    opts: LabelOptions,
) -> Result<Dataset, Error> {
    let v: Value = serde_json::from_str(data).map_err(|e| json_error(name, None, &e))?;
    let Some(list) = v.as_array() else {
        return Err(Error::Field {
            at: name.to_string(),
            field: "(top level)".to_string(),
            expected: "a JSON list of records",
            found: json_kind(Some(&v)),
        });
    };
    let mut ds = Dataset { format: "presidio", ..Dataset::default() };
    for (i, rec) in list.iter().enumerate() {
        let at = format!("{name} record {i}");
        let o = object(rec, &at, "record")?;
        let text = string(o, "full_text", &at)?;
        let tid = uint(o, "template_id", &at)?;
        let idx = CharIndex::new(text);
        let spans = array(o, "spans", &at)?;
        let slots = o.get("masked").and_then(Value::as_str).map(placeholders).unwrap_or_default();
        let mut parsed = Vec::with_capacity(spans.len());
        for (k, s) in spans.iter().enumerate() {
            let so = object(s, &at, "spans[]")?;
            let (start, end) =
                span_bounds(so, "start_position", "end_position", &at, k, idx.len())?;
            let label = string(so, "entity_type", &at)?;
            let claimed = string(so, "entity_value", &at)?;
            parsed.push((k, start, end, label, claimed));
        }
        // Slots line up with spans in text order when the counts agree.
        let mut order: Vec<usize> = (0..parsed.len()).collect();
        order.sort_by_key(|&j| parsed.get(j).map_or(0, |p| p.1));
        let mut slot_of = vec![None; parsed.len()];
        if slots.len() == parsed.len() {
            for (rank, &j) in order.iter().enumerate() {
                if let (Some(dst), Some(slot)) = (slot_of.get_mut(j), slots.get(rank)) {
                    *dst = Some(*slot);
                }
            }
        }
        let mut doc = GoldDoc {
            id: format!("{stem}#{i}"),
            text: text.to_string(),
            spans: Vec::new(),
            excluded: Vec::new(),
            split: Split::from_parity(tid),
            template: Some(format!("t{tid}")),
            origin: None,
        };
        for (j, (k, start, end, label, claimed)) in parsed.into_iter().enumerate() {
            let value = idx.slice(text, start, end);
            let slot = slot_of.get(j).copied().flatten();
            let mapped = if claimed == value {
                let after = idx.slice(text, end, (end + 8).min(idx.len()));
                labels::presidio_fax(labels::presidio(label, slot, value, opts), after)
            } else {
                ds.warnings.push(ReadWarning {
                    at: at.clone(),
                    message: format!(
                        "span {k}: entity_value does not match code-point offsets {start}..{end}; not scored"
                    ),
                });
                Mapped::Excluded(REASON_TEXT_MISMATCH)
            };
            let key = match (mapped, slot) {
                (Mapped::Excluded(_), Some(s)) if s != label => format!("{label}/{s}"),
                _ => label.to_string(),
            };
            push_span(&mut ds, &mut doc, mapped, key, start, end);
        }
        ds.docs.push(doc);
    }
    Ok(ds)
}

/// Read our own JSONL (see [`JsonlRecord`]).
pub fn read_jsonl(data: &str, name: &str) -> Result<Dataset, Error> {
    let mut ds = Dataset { format: "jsonl", ..Dataset::default() };
    for (i, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{name}:{}", i + 1);
        let v: Value = serde_json::from_str(line).map_err(|e| json_error(name, Some(i + 1), &e))?;
        let o = object(&v, &at, "record")?;
        let id = string(o, "id", &at)?;
        let text = string(o, "text", &at)?;
        let template = opt_string(o, "template", &at)?;
        let origin = opt_string(o, "origin", &at)?;
        let split = match opt_string(o, "split", &at)? {
            Some("dev") => Split::Dev,
            Some("test") => Split::Test,
            Some(_) => {
                return Err(Error::Field {
                    at,
                    field: "split".to_string(),
                    expected: "\"dev\" or \"test\"",
                    found: "another string",
                })
            }
            None => Split::from_parity(fnv1a(template.unwrap_or(id))),
        };
        let idx = CharIndex::new(text);
        let mut doc = GoldDoc {
            id: id.to_string(),
            text: text.to_string(),
            spans: Vec::new(),
            excluded: Vec::new(),
            split,
            template: template.map(str::to_string),
            origin: origin.map(str::to_string),
        };
        for (k, s) in array(o, "spans", &at)?.iter().enumerate() {
            let so = object(s, &at, "spans[]")?;
            let (start, end) = span_bounds(so, "start", "end", &at, k, idx.len())?;
            let label = string(so, "type", &at)?;
            let kind = PhiType::from_str(label).map_err(|_| Error::UnknownType {
                at: at.clone(),
                index: k,
                label: safe_label(label),
            })?;
            let mapped = match opt_string(so, "text", &at)? {
                Some(claimed) if claimed != idx.slice(text, start, end) => {
                    ds.warnings.push(ReadWarning {
                        at: at.clone(),
                        message: format!(
                            "span {k}: its text does not match offsets {start}..{end}; not scored"
                        ),
                    });
                    Mapped::Excluded(REASON_TEXT_MISMATCH)
                }
                _ => Mapped::Scored(kind),
            };
            push_span(&mut ds, &mut doc, mapped, kind.as_str().to_string(), start, end);
        }
        ds.docs.push(doc);
    }
    Ok(ds)
}

fn push_span(
    ds: &mut Dataset,
    doc: &mut GoldDoc,
    mapped: Mapped,
    label: String,
    start: usize,
    end: usize,
) {
    match mapped {
        Mapped::Scored(kind) => doc.spans.push(GoldSpan { kind, start, end, label }),
        Mapped::Excluded(reason) => {
            ds.note_excluded(label.clone(), reason);
            doc.excluded.push(ExcludedSpan { start, end, label, reason });
        }
    }
}

/// `{{slot}}` names of a presidio `masked` text, in order.
fn placeholders(masked: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = masked;
    while let Some(open) = rest.find("{{") {
        let after = rest.get(open + 2..).unwrap_or("");
        let Some(close) = after.find("}}") else { break };
        out.push(after.get(..close).unwrap_or("").trim());
        rest = after.get(close + 2..).unwrap_or("");
    }
    out
}

/// Byte positions of every char, for slicing by code points.
struct CharIndex {
    /// Byte offset of each char, plus the text length at the end.
    bytes: Vec<usize>,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharIndex { bytes }
    }

    fn len(&self) -> usize {
        self.bytes.len().saturating_sub(1)
    }

    fn slice<'t>(&self, text: &'t str, start: usize, end: usize) -> &'t str {
        match (self.bytes.get(start), self.bytes.get(end)) {
            (Some(&a), Some(&b)) => text.get(a..b).unwrap_or(""),
            _ => "",
        }
    }
}

fn object<'v>(v: &'v Value, at: &str, field: &str) -> Result<&'v Map<String, Value>, Error> {
    v.as_object().ok_or_else(|| Error::Field {
        at: at.to_string(),
        field: field.to_string(),
        expected: "an object",
        found: json_kind(Some(v)),
    })
}

fn string<'v>(o: &'v Map<String, Value>, field: &str, at: &str) -> Result<&'v str, Error> {
    o.get(field).and_then(Value::as_str).ok_or_else(|| Error::Field {
        at: at.to_string(),
        field: field.to_string(),
        expected: "a string",
        found: json_kind(o.get(field)),
    })
}

fn opt_string<'v>(
    o: &'v Map<String, Value>,
    field: &str,
    at: &str,
) -> Result<Option<&'v str>, Error> {
    match o.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(Error::Field {
            at: at.to_string(),
            field: field.to_string(),
            expected: "a string or null",
            found: json_kind(Some(v)),
        }),
    }
}

fn uint(o: &Map<String, Value>, field: &str, at: &str) -> Result<u64, Error> {
    o.get(field).and_then(Value::as_u64).ok_or_else(|| Error::Field {
        at: at.to_string(),
        field: field.to_string(),
        expected: "a non-negative integer",
        found: json_kind(o.get(field)),
    })
}

fn array<'v>(o: &'v Map<String, Value>, field: &str, at: &str) -> Result<&'v Vec<Value>, Error> {
    o.get(field).and_then(Value::as_array).ok_or_else(|| Error::Field {
        at: at.to_string(),
        field: field.to_string(),
        expected: "an array",
        found: json_kind(o.get(field)),
    })
}

fn span_bounds(
    so: &Map<String, Value>,
    fs: &str,
    fe: &str,
    at: &str,
    index: usize,
    len: usize,
) -> Result<(usize, usize), Error> {
    let field = |f: &str| format!("spans[{index}].{f}");
    let get = |f: &str| {
        so.get(f).and_then(Value::as_u64).ok_or_else(|| Error::Field {
            at: at.to_string(),
            field: field(f),
            expected: "a non-negative integer",
            found: json_kind(so.get(f)),
        })
    };
    let (start, end) = (get(fs)?, get(fe)?);
    let fits = start < end && usize::try_from(end).is_ok_and(|e| e <= len);
    if !fits {
        return Err(Error::SpanRange { at: at.to_string(), index, start, end, len });
    }
    // Both fit in usize: end <= len and start < end.
    Ok((usize::try_from(start).unwrap_or(0), usize::try_from(end).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_in_order() {
        assert_eq!(placeholders("a {{city}} b {{ first_name }} c {{x"), vec!["city", "first_name"]);
        assert!(placeholders("none").is_empty());
    }

    #[test]
    fn char_index_slices_code_points() {
        let t = "José 12";
        let i = CharIndex::new(t);
        assert_eq!(i.len(), 7);
        assert_eq!(i.slice(t, 0, 4), "José");
        assert_eq!(i.slice(t, 5, 7), "12");
        assert_eq!(i.slice(t, 5, 99), "");
    }

    #[test]
    fn detect_formats() {
        assert!(matches!(detect("x", "[{\"full_text\":\"a\"}]"), Ok(Format::Presidio)));
        assert!(matches!(detect("x", "{\"patient_id\":1,\"note_id\":2}\n"), Ok(Format::Deid)));
        assert!(matches!(detect("x", "\n{\"id\":\"a\",\"spans\":[]}\n"), Ok(Format::Jsonl)));
        assert!(matches!(detect("x", "{\"other\":1}"), Err(Error::UnknownFormat { .. })));
        assert!(matches!(detect("x", ""), Err(Error::UnknownFormat { .. })));
    }
}
