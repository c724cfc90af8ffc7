//! ArcSight Common Event Format (CEF:0) lines:
//! `CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension`.
//!
//! Escaping (the CEF specification): in header fields `\` becomes `\\` and `|` becomes `\|`;
//! in extension values `\` becomes `\\`, `=` becomes `\=`, and line breaks become `\n` / `\r`
//! (pipes are not escaped there). Header fields cannot hold line breaks, so they are replaced by
//! spaces. Extension keys are fixed names from the CEF dictionary (`rt`, `src`, `suser`,
//! `outcome`, `reason`, `externalId`, `cs1..cs6` with labels, `cn1..cn3`, `cfp1..cfp3`).

use super::{EncodeError, Encoder, PRODUCT, VERSION};
use crate::detection::Detection;
use crate::event::{Event, Severity};
use crate::record::Record;

/// Encodes one CEF line (without a trailing newline) per record.
#[derive(Debug, Clone, Default)]
pub struct CefEncoder;

/// Escape a header field.
pub fn header(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Escape an extension value.
pub fn value(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '=' => out.push_str("\\="),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// CEF severity 0..10.
const fn cef_severity(s: Severity) -> u8 {
    match s {
        Severity::Informational => 1,
        Severity::Low => 3,
        Severity::Medium => 5,
        Severity::High => 8,
        Severity::Critical => 10,
    }
}

struct Line(String);

impl Line {
    fn head(sig: &str, name: &str, sev: Severity) -> Self {
        let mut s = String::with_capacity(512);
        s.push_str("CEF:0|");
        for f in [PRODUCT, PRODUCT, VERSION, sig, name] {
            header(f, &mut s);
            s.push('|');
        }
        s.push_str(&cef_severity(sev).to_string());
        s.push('|');
        Line(s)
    }

    fn kv(&mut self, k: &str, v: &str) {
        if !self.0.ends_with('|') {
            self.0.push(' ');
        }
        self.0.push_str(k);
        self.0.push('=');
        value(v, &mut self.0);
    }

    fn opt(&mut self, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.kv(k, v);
        }
    }

    fn labelled(&mut self, k: &str, label: &str, v: &str) {
        self.kv(&format!("{k}Label"), label);
        self.kv(k, v);
    }
}

fn counts(m: &std::collections::BTreeMap<String, u32>) -> String {
    m.iter().map(|(k, n)| format!("{k}:{n}")).collect::<Vec<_>>().join(",")
}

fn event_line(e: &Event) -> String {
    let sig = format!("api_activity:{}", e.outcome.as_str());
    let name = match e.reason {
        Some(_) => "API request refused or failed",
        None => "API request completed",
    };
    let mut l = Line::head(&sig, name, e.severity);
    l.kv("rt", &e.time.to_string());
    l.kv("externalId", &e.request_id);
    l.kv("outcome", e.outcome.as_str());
    l.opt("reason", e.reason);
    l.opt("src", e.source_ip.as_deref());
    l.opt("suser", e.actor.key_prefix.as_deref().or(e.actor.subject_ref.as_deref()));
    l.kv("request", e.endpoint);
    if let Some(a) = &e.app {
        l.labelled("cs1", "app", a);
    }
    if let Some(m) = &e.model {
        l.labelled("cs2", "model", m);
    }
    if let Some(s) = &e.session {
        l.labelled("cs3", "session", s);
    }
    if !e.findings.is_empty() {
        l.labelled("cs4", "findings", &counts(&e.findings));
    }
    if !e.actions.is_empty() {
        l.labelled("cs5", "actions", &counts(&e.actions));
    }
    if let Some(c) = &e.caller_ref {
        l.labelled("cs6", "callerRef", c);
    }
    l.labelled("cn1", "httpStatus", &e.status.to_string());
    l.labelled("cn2", "durationUs", &e.duration_us.to_string());
    l.labelled("cn3", "overheadUs", &e.duration_us.saturating_sub(e.upstream_us).to_string());
    l.0
}

fn detection_line(d: &Detection) -> String {
    use crate::detection::PrincipalKind;
    let sig = format!("detection:{}", d.kind.as_str());
    let mut l = Line::head(&sig, super::ocsf::title(d), d.severity);
    l.kv("rt", &d.time.to_string());
    l.kv("externalId", &d.id);
    l.kv("cat", d.kind.as_str());
    match d.principal.kind {
        PrincipalKind::SourceIp => l.kv("src", &d.principal.id),
        PrincipalKind::Key | PrincipalKind::User => l.kv("suser", &d.principal.id),
        _ => {}
    }
    l.labelled("cs1", "principalKind", d.principal.kind.as_str());
    l.labelled("cs2", "principalId", &d.principal.id);
    if !d.techniques.is_empty() {
        l.labelled("cs3", "techniques", &d.techniques.join(","));
    }
    l.labelled("cs4", "measure", &d.evidence.measure);
    l.labelled("cn1", "windowSecs", &d.evidence.window_secs.to_string());
    l.labelled("cfp1", "observed", &d.evidence.observed.to_string());
    l.labelled("cfp2", "baseline", &d.evidence.baseline.to_string());
    l.labelled("cfp3", "threshold", &d.evidence.threshold.to_string());
    l.0
}

impl Encoder for CefEncoder {
    fn encode(&self, r: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let s = match r {
            Record::Event(e) => event_line(e),
            Record::Detection(d) => detection_line(d),
        };
        out.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siem::encode::tests::{sample_detection, sample_event};

    #[test]
    fn escaping_rules() {
        let mut s = String::new();
        header("a|b\\c\nd", &mut s);
        assert_eq!(s, "a\\|b\\\\c d");
        s.clear();
        value("x=y|z\\w\r\n", &mut s);
        assert_eq!(s, "x\\=y|z\\\\w\\r\\n");
    }

    #[test]
    fn event_and_detection_lines() {
        let mut out = Vec::new();
        CefEncoder.encode(&Record::Event(sample_event()), &mut out).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(line.starts_with("CEF:0|phiwall|phiwall|"), "{line}");
        assert!(
            line.contains("|api_activity:denied|API request refused or failed|5|rt=1700000000123 ")
        );
        assert!(line.contains(" cs4Label=findings cs4=input.phi.SSN:2"));
        assert!(line.contains(" src=10.0.0.7"));
        let mut out = Vec::new();
        let mut d = sample_detection();
        d.evidence.measure = "a=b".into();
        CefEncoder.encode(&Record::Detection(d), &mut out).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(line.contains("|detection:credential_stuffing|Credential stuffing|8|"));
        assert!(line.contains("cs4=a\\=b"));
    }
}
