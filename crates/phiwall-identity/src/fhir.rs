//! Reader for FHIR R4 `Patient` and `RelatedPerson` resources, from a `Bundle` JSON document, a
//! single resource, or an NDJSON bulk export (one resource per line).
//!
//! It extracts only what matching needs (names, birth date, phones, emails, postal codes, MRN,
//! member and subscriber ids, SSN, and for a `RelatedPerson` the patient reference and
//! relationship codes). Plaintext lives only in these transient structs; [`crate::Directory`]
//! hashes it immediately. Errors carry a line or entry number and the name of the field, never a
//! value. Other resource types inside a bundle or export are counted and skipped; a top-level
//! document that is none of Bundle, Patient or RelatedPerson is an error.

use crate::error::Error;
use serde_json::Value;
use std::collections::HashMap;

/// A human name as FHIR gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HumanName {
    /// Given names (first, middle).
    pub given: Vec<String>,
    /// Family name (may hold several words).
    pub family: String,
}

/// What matching needs about one person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFacts {
    /// Names (official, usual, maiden...).
    pub names: Vec<HumanName>,
    /// Birth date as written (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
    pub birth_date: Option<String>,
    /// Phone numbers (telecom with system `phone` or `sms`, or no system).
    pub phones: Vec<String>,
    /// Email addresses.
    pub emails: Vec<String>,
    /// Postal codes from addresses.
    pub postal_codes: Vec<String>,
    /// Medical record numbers (identifier type `MR`).
    pub mrns: Vec<String>,
    /// Health plan member or subscriber ids (identifier type `MB`, `SN`, `MA`, `MC`).
    pub member_ids: Vec<String>,
    /// Social security numbers (type `SS` or system `http://hl7.org/fhir/sid/us-ssn`).
    pub ssns: Vec<String>,
}

/// A `Patient` resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientResource {
    /// Logical id (`Patient.id`).
    pub id: String,
    /// Extracted facts.
    pub facts: PersonFacts,
    /// Care team: `Practitioner/<id>` references from `generalPractitioner` and from `CareTeam`
    /// resources naming this patient (staff scope in clinical apps).
    pub care_team: Vec<String>,
}

/// A `RelatedPerson` resource: someone related to a patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedPersonResource {
    /// Logical id.
    pub id: String,
    /// Logical id of the patient this person relates to.
    pub patient_id: String,
    /// Relationship codes (v3 RoleCode, e.g. `SPS`, `MTH`, `GUARD`, `POWATT`), upper-cased.
    pub relationships: Vec<String>,
    /// `RelatedPerson.active` (absent means active).
    pub is_active: bool,
    /// Extracted facts.
    pub facts: PersonFacts,
}

/// Everything read from one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FhirInput {
    /// Patients.
    pub patients: Vec<PatientResource>,
    /// Related persons.
    pub related: Vec<RelatedPersonResource>,
    /// `CareTeam` resources: (patient id, `Practitioner/<id>` members), merged into the
    /// patients' care teams by [`crate::Directory::build`].
    pub care_teams: Vec<(String, Vec<String>)>,
    /// Resources of other types that were skipped.
    pub skipped: usize,
}

/// Where in the input a resource sits, for error messages.
#[derive(Debug, Clone, Copy)]
enum At {
    Line(usize),
    Entry(usize),
}

impl At {
    fn line(self) -> usize {
        match self {
            At::Line(l) | At::Entry(l) => l,
        }
    }
}

/// Read a Bundle, a single resource, or NDJSON. Blank NDJSON lines are ignored.
pub fn read(text: &str) -> Result<FhirInput, Error> {
    let trimmed = text.trim_start();
    let mut input = FhirInput::default();
    match serde_json::from_str::<Value>(text) {
        Ok(v) => {
            read_top(&v, &mut input)?;
            return Ok(input);
        }
        Err(e) => {
            // More than one non-blank line means NDJSON; otherwise report the JSON error.
            if trimmed.lines().filter(|l| !l.trim().is_empty()).count() <= 1 {
                return Err(Error::Json { line: e.line(), column: e.column() });
            }
        }
    }
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| Error::Json { line: line_no, column: e.column() })?;
        let rt = resource_type(&v, At::Line(line_no))?;
        read_resource(rt, &v, At::Line(line_no), &HashMap::new(), &mut input)?;
    }
    Ok(input)
}

fn resource_type(v: &Value, at: At) -> Result<&str, Error> {
    v.get("resourceType").and_then(Value::as_str).ok_or(Error::Field {
        line: at.line(),
        resource: "resource",
        field: "resourceType",
        expected: "a string",
    })
}

fn read_top(v: &Value, input: &mut FhirInput) -> Result<(), Error> {
    let rt = resource_type(v, At::Line(1))?;
    match rt {
        "Bundle" => {
            let entries = match v.get("entry") {
                None => return Ok(()),
                Some(e) => e.as_array().ok_or(Error::Field {
                    line: 1,
                    resource: "Bundle",
                    field: "entry",
                    expected: "an array",
                })?,
            };
            // fullUrl -> logical id, so `urn:uuid:` references in transaction bundles resolve.
            let mut full_urls: HashMap<&str, &str> = HashMap::new();
            for e in entries {
                if let (Some(u), Some(id)) = (
                    e.get("fullUrl").and_then(Value::as_str),
                    e.get("resource").and_then(|r| r.get("id")).and_then(Value::as_str),
                ) {
                    full_urls.insert(u, id);
                }
            }
            for (i, e) in entries.iter().enumerate() {
                let at = At::Entry(i + 1);
                let r = e.get("resource").ok_or(Error::Field {
                    line: at.line(),
                    resource: "Bundle",
                    field: "entry.resource",
                    expected: "an object",
                })?;
                let rt = resource_type(r, at)?;
                read_resource(rt, r, at, &full_urls, input)?;
            }
            Ok(())
        }
        "Patient" | "RelatedPerson" | "CareTeam" => {
            read_resource(rt, v, At::Line(1), &HashMap::new(), input)
        }
        other => Err(Error::ResourceType { line: 1, found_len: other.chars().count() }),
    }
}

fn read_resource(
    rt: &str,
    v: &Value,
    at: At,
    full_urls: &HashMap<&str, &str>,
    input: &mut FhirInput,
) -> Result<(), Error> {
    match rt {
        "Patient" => {
            let id = id_of(v, at, "Patient")?;
            let care_team = v
                .get("generalPractitioner")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("reference").and_then(Value::as_str))
                .filter_map(practitioner_ref)
                .collect();
            input.patients.push(PatientResource { id, facts: facts(v), care_team });
        }
        "RelatedPerson" => {
            let id = id_of(v, at, "RelatedPerson")?;
            let reference =
                v.get("patient").and_then(|p| p.get("reference")).and_then(Value::as_str).ok_or(
                    Error::Field {
                        line: at.line(),
                        resource: "RelatedPerson",
                        field: "patient.reference",
                        expected: "a string",
                    },
                )?;
            let patient_id = resolve_patient(reference, full_urls).ok_or(Error::Field {
                line: at.line(),
                resource: "RelatedPerson",
                field: "patient.reference",
                expected: "Patient/<id> or a bundle fullUrl",
            })?;
            let mut relationships = Vec::new();
            for rel in v.get("relationship").and_then(Value::as_array).into_iter().flatten() {
                for c in rel.get("coding").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(code) = c.get("code").and_then(Value::as_str) {
                        relationships.push(code.to_ascii_uppercase());
                    }
                }
            }
            let is_active = v.get("active").and_then(Value::as_bool).unwrap_or(true);
            input.related.push(RelatedPersonResource {
                id,
                patient_id,
                relationships,
                is_active,
                facts: facts(v),
            });
        }
        "CareTeam" => {
            // A care team without a resolvable patient subject cannot scope anyone: skip it.
            let subject = v.get("subject").and_then(|p| p.get("reference")).and_then(Value::as_str);
            match subject.and_then(|r| resolve_patient(r, full_urls)) {
                Some(patient_id) => {
                    let members: Vec<String> = v
                        .get("participant")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p.get("member")?.get("reference")?.as_str())
                        .filter_map(practitioner_ref)
                        .collect();
                    input.care_teams.push((patient_id, members));
                }
                None => input.skipped += 1,
            }
        }
        _ => input.skipped += 1,
    }
    Ok(())
}

/// `Practitioner/<id>` from a reference (relative, absolute URL or with `_history`), else
/// `None` (organizations and other member types do not scope a person).
pub fn practitioner_ref(reference: &str) -> Option<String> {
    let pos = reference.rfind("Practitioner/")?;
    let id = reference.get(pos + "Practitioner/".len()..)?.split('/').next().unwrap_or_default();
    (!id.is_empty()).then(|| format!("Practitioner/{id}"))
}

fn id_of(v: &Value, at: At, resource: &'static str) -> Result<String, Error> {
    match v.get("id").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => Ok(id.to_string()),
        _ => Err(Error::Field {
            line: at.line(),
            resource,
            field: "id",
            expected: "a non-empty string",
        }),
    }
}

fn resolve_patient(reference: &str, full_urls: &HashMap<&str, &str>) -> Option<String> {
    if let Some(id) = full_urls.get(reference) {
        return Some((*id).to_string());
    }
    let pos = reference.rfind("Patient/")?;
    let rest = reference.get(pos + "Patient/".len()..)?;
    let id = rest.split('/').next().unwrap_or_default();
    (!id.is_empty()).then(|| id.to_string())
}

fn strings(v: Option<&Value>) -> impl Iterator<Item = &str> {
    v.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}

fn facts(v: &Value) -> PersonFacts {
    let mut f = PersonFacts::default();
    for n in v.get("name").and_then(Value::as_array).into_iter().flatten() {
        let mut name = HumanName {
            given: strings(n.get("given")).map(str::to_string).collect(),
            family: n.get("family").and_then(Value::as_str).unwrap_or_default().to_string(),
        };
        if name.given.is_empty() && name.family.is_empty() {
            // Only `text`: last word is the family name.
            if let Some(t) = n.get("text").and_then(Value::as_str) {
                let mut words: Vec<&str> = t.split_whitespace().collect();
                if let Some(last) = words.pop() {
                    name.family = last.to_string();
                    name.given = words.into_iter().map(str::to_string).collect();
                }
            }
        }
        if !name.given.is_empty() || !name.family.is_empty() {
            f.names.push(name);
        }
    }
    f.birth_date = v.get("birthDate").and_then(Value::as_str).map(str::to_string);
    for t in v.get("telecom").and_then(Value::as_array).into_iter().flatten() {
        let Some(value) = t.get("value").and_then(Value::as_str) else { continue };
        match t.get("system").and_then(Value::as_str) {
            Some("phone" | "sms") | None => f.phones.push(value.to_string()),
            Some("email") => f.emails.push(value.to_string()),
            _ => {}
        }
    }
    for a in v.get("address").and_then(Value::as_array).into_iter().flatten() {
        if let Some(pc) = a.get("postalCode").and_then(Value::as_str) {
            f.postal_codes.push(pc.to_string());
        }
    }
    for id in v.get("identifier").and_then(Value::as_array).into_iter().flatten() {
        let Some(value) = id.get("value").and_then(Value::as_str) else { continue };
        let system = id.get("system").and_then(Value::as_str).unwrap_or_default();
        let codes: Vec<&str> = id
            .get("type")
            .and_then(|t| t.get("coding"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("code").and_then(Value::as_str))
            .collect();
        if codes.contains(&"SS") || system == "http://hl7.org/fhir/sid/us-ssn" {
            f.ssns.push(value.to_string());
        } else if codes.contains(&"MR") {
            f.mrns.push(value.to_string());
        } else if codes.iter().any(|c| matches!(*c, "MB" | "SN" | "MA" | "MC")) {
            f.member_ids.push(value.to_string());
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PATIENT: &str = r#"{"resourceType":"Patient","id":"p1",
      "identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"MRN-001"},
                    {"type":{"coding":[{"code":"MB"}]},"value":"XYZ123"},
                    {"system":"http://hl7.org/fhir/sid/us-ssn","value":"123-45-6789"}],
      "name":[{"family":"Smith","given":["William","J"]}],
      "telecom":[{"system":"phone","value":"617-555-0123"},{"system":"email","value":"w@example.org"}],
      "birthDate":"1984-03-04","address":[{"postalCode":"02139"}]}"#;

    #[test]
    fn reads_a_patient() {
        let input = read(PATIENT).unwrap();
        let p = &input.patients[0];
        assert_eq!(p.id, "p1");
        assert_eq!(p.facts.names[0].family, "Smith");
        assert_eq!(p.facts.mrns, vec!["MRN-001"]);
        assert_eq!(p.facts.member_ids, vec!["XYZ123"]);
        assert_eq!(p.facts.ssns, vec!["123-45-6789"]);
        assert_eq!(p.facts.phones, vec!["617-555-0123"]);
        assert_eq!(p.facts.emails, vec!["w@example.org"]);
        assert_eq!(p.facts.birth_date.as_deref(), Some("1984-03-04"));
        assert_eq!(p.facts.postal_codes, vec!["02139"]);
    }

    #[test]
    fn reads_bundle_with_urn_references() {
        let b = r#"{"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"urn:uuid:aaa","resource":{"resourceType":"Patient","id":"p9","name":[{"text":"Ana Maria Lopez"}]}},
          {"resource":{"resourceType":"RelatedPerson","id":"r1","patient":{"reference":"urn:uuid:aaa"},
            "relationship":[{"coding":[{"code":"sps"}]}],"name":[{"family":"Lopez","given":["Jorge"]}]}},
          {"resource":{"resourceType":"Observation","id":"o1"}}]}"#;
        let input = read(b).unwrap();
        assert_eq!(input.patients[0].facts.names[0].given, vec!["Ana", "Maria"]);
        assert_eq!(input.related[0].patient_id, "p9");
        assert_eq!(input.related[0].relationships, vec!["SPS"]);
        assert!(input.related[0].is_active);
        assert_eq!(input.skipped, 1);
    }

    #[test]
    fn reads_ndjson_and_reports_line_numbers_without_values() {
        let nd = format!(
            "{}\n\n{}\n",
            PATIENT.replace('\n', " "),
            r#"{"resourceType":"Patient","name":[{"family":"Secretvalue"}]}"#
        );
        let err = read(&nd).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("`id`"), "{err}");
        assert!(!err.contains("Secretvalue"));

        let bad = format!(
            "{}\n{{\"resourceType\": \"Patient\", \"id\": \"Canaryvalue\"",
            PATIENT.replace('\n', " ")
        );
        let err = read(&bad).unwrap_err().to_string();
        assert!(err.contains("line 2") && !err.contains("Canaryvalue"), "{err}");

        let err = read(r#"{"resourceType":"Canaryvalue"}"#).unwrap_err().to_string();
        assert!(err.contains("resourceType") && !err.contains("Canaryvalue"), "{err}");
        assert!(read(r#"{"id":"x"}"#).is_err());
        assert!(read(
            r#"{"resourceType":"RelatedPerson","id":"r","patient":{"reference":"Group/1"}}"#
        )
        .is_err());
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            "[A-Za-z/:0-9 -]{0,12}".prop_map(serde_json::Value::String),
            prop_oneof![
                Just("Patient"),
                Just("RelatedPerson"),
                Just("Bundle"),
                Just("MR"),
                Just("phone")
            ]
            .prop_map(|s| serde_json::Value::String(s.to_string())),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let keys = prop_oneof![
                Just("resourceType"),
                Just("id"),
                Just("entry"),
                Just("resource"),
                Just("name"),
                Just("given"),
                Just("family"),
                Just("telecom"),
                Just("value"),
                Just("system"),
                Just("identifier"),
                Just("type"),
                Just("coding"),
                Just("code"),
                Just("patient"),
                Just("reference"),
                Just("relationship"),
                Just("address"),
                Just("postalCode"),
                Just("birthDate"),
                Just("fullUrl"),
                Just("text"),
                Just("active"),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::vec((keys, inner), 0..6).prop_map(|kv| {
                    serde_json::Value::Object(
                        kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    )
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_json_never_panics(v in arb_json()) {
            let s = v.to_string();
            let _ = read(&s);
            let _ = read(&format!("{s}\n{s}"));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            let _ = read(&s);
        }
    }
}
