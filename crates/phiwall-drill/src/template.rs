//! Request templates: text with `{placeholder}` fields filled per request. `{{` and `}}` are
//! literal braces. Unknown placeholders are a validation error, never a silent empty string.
//!
//! Patient fields come from `phiwall-identity`'s synthetic population (seeded, never real
//! people: SSNs in the 9xx range, phone numbers in 555-01xx).

use phiwall_identity::synth::SynthPerson;

/// A field a template can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Request index in the step, from 0.
    Index,
    /// The step's prompt for this request (cycled).
    Prompt,
    /// The session id of this request.
    Session,
    /// Synthetic patient: full name.
    PatientName,
    /// Given name.
    PatientGiven,
    /// Family name.
    PatientFamily,
    /// Birth date `YYYY-MM-DD`.
    PatientDob,
    /// MRN.
    PatientMrn,
    /// Phone.
    PatientPhone,
    /// A guessed birth date (wrong with high probability), `YYYY-MM-DD`.
    GuessDob,
    /// 8 random hex digits.
    Rand,
}

impl Field {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "i" => Field::Index,
            "prompt" => Field::Prompt,
            "session" => Field::Session,
            "patient.name" => Field::PatientName,
            "patient.given" => Field::PatientGiven,
            "patient.family" => Field::PatientFamily,
            "patient.dob" => Field::PatientDob,
            "patient.mrn" => Field::PatientMrn,
            "patient.phone" => Field::PatientPhone,
            "guess.dob" => Field::GuessDob,
            "rand" => Field::Rand,
            _ => return None,
        })
    }
}

/// Placeholder names, for error messages and docs.
pub const FIELDS: &str = "i, prompt, session, patient.name, patient.given, patient.family, patient.dob, patient.mrn, patient.phone, guess.dob, rand";

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Field(Field),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

/// Values for one request.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    /// Request index.
    pub index: u32,
    /// Prompt.
    pub prompt: &'a str,
    /// Session id (empty when none).
    pub session: &'a str,
    /// Synthetic patient.
    pub patient: Option<&'a SynthPerson>,
    /// A guessed birth date.
    pub guess_dob: &'a str,
    /// Random hex.
    pub rand: &'a str,
}

impl Template {
    /// Parse; the error names the problem (never echoes more than the placeholder name).
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for d in chars.by_ref() {
                        if d == '}' {
                            closed = true;
                            break;
                        }
                        name.push(d);
                        if name.len() > 32 {
                            break;
                        }
                    }
                    if !closed {
                        return Err("unclosed '{' (write {{ for a literal brace)".into());
                    }
                    let f = Field::parse(&name).ok_or_else(|| {
                        format!("unknown placeholder {{{name}}} (known: {FIELDS})")
                    })?;
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Field(f));
                }
                '}' => return Err("unmatched '}' (write }} for a literal brace)".into()),
                _ => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Template { parts })
    }

    /// Whether `{prompt}` is used.
    pub fn uses_prompt(&self) -> bool {
        self.parts.contains(&Part::Field(Field::Prompt))
    }

    /// Fill in; with `json_escape` every value is escaped for use inside a JSON string.
    pub fn render(&self, v: &Values<'_>, json_escape: bool) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Field(f) => {
                    let val = field_value(*f, v);
                    if json_escape {
                        let q = serde_json::Value::String(val).to_string();
                        out.push_str(q.get(1..q.len().saturating_sub(1)).unwrap_or(""));
                    } else {
                        out.push_str(&val);
                    }
                }
            }
        }
        out
    }
}

/// Call `f` on every string in a JSON value.
pub fn for_each_string(v: &serde_json::Value, f: &mut dyn FnMut(&str)) {
    match v {
        serde_json::Value::String(s) => f(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| for_each_string(x, f)),
        serde_json::Value::Object(o) => o.values().for_each(|x| for_each_string(x, f)),
        _ => {}
    }
}

/// Render every string of a JSON value as a template (strings that do not parse stay as they
/// are; validation has already refused them).
pub fn render_json(v: &serde_json::Value, vals: &Values<'_>) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(match Template::parse(s) {
            Ok(t) => t.render(vals, false),
            Err(_) => s.clone(),
        }),
        Value::Array(a) => Value::Array(a.iter().map(|x| render_json(x, vals)).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), render_json(x, vals))).collect())
        }
        other => other.clone(),
    }
}

fn field_value(f: Field, v: &Values<'_>) -> String {
    let p = v.patient;
    match f {
        Field::Index => v.index.to_string(),
        Field::Prompt => v.prompt.to_string(),
        Field::Session => v.session.to_string(),
        Field::PatientName => p.map(|p| format!("{} {}", p.given, p.family)).unwrap_or_default(),
        Field::PatientGiven => p.map(|p| p.given.clone()).unwrap_or_default(),
        Field::PatientFamily => p.map(|p| p.family.clone()).unwrap_or_default(),
        Field::PatientDob => p.map(|p| p.birth.iso()).unwrap_or_default(),
        Field::PatientMrn => p.map(|p| p.mrn.clone()).unwrap_or_default(),
        Field::PatientPhone => p.map(|p| p.phone.clone()).unwrap_or_default(),
        Field::GuessDob => v.guess_dob.to_string(),
        Field::Rand => v.rand.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals<'a>(prompt: &'a str) -> Values<'a> {
        Values {
            index: 7,
            prompt,
            session: "s1",
            patient: None,
            guess_dob: "1970-01-02",
            rand: "ab",
        }
    }

    #[test]
    fn renders_fields_and_escapes() {
        let t = Template::parse("#{i} {{x}} {prompt} @{session}").unwrap();
        assert_eq!(t.render(&vals("say \"hi\""), false), "#7 {x} say \"hi\" @s1");
        assert_eq!(t.render(&vals("say \"hi\""), true), "#7 {x} say \\\"hi\\\" @s1");
        assert!(t.uses_prompt());
    }

    #[test]
    fn errors_are_specific() {
        assert!(Template::parse("{nope}").unwrap_err().contains("unknown placeholder {nope}"));
        assert!(Template::parse("{open").unwrap_err().contains("unclosed"));
        assert!(Template::parse("close}").unwrap_err().contains("unmatched"));
    }
}
