//! The post-incident review (NIST SP 800-61r3 "lessons learned", HIPAA breach risk assessment),
//! as Markdown and as a self-contained HTML page.
//!
//! The timeline is read from the ledger, not from the store: it is exactly the incident's
//! records in ledger order, each with its sequence number, so an auditor can prove every line
//! with `phiwall log prove SEQ`. The store supplies only what the ledger deliberately does not
//! hold (note and lessons text), and each such text is checked against the hash the ledger
//! kept. Affected patients are counted by keyed reference, from the detections and from the
//! gateway's own events of the incident's principals in its time range, with the PHI types those
//! events found.

use crate::error::Result;
use crate::incident::{severity_str, Incident};
use crate::record::{kind, text_hash, IncidentRecord};
use phiwall_ledger::store::LedgerReader;
use phiwall_ledger::timefmt::format_micros;
use phiwall_ledger::KeyProvider;
use phiwall_watch::PrincipalKind;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One timeline line: the ledger sequence number and the record.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// Ledger sequence number.
    pub seq: u64,
    /// The record.
    pub record: IncidentRecord,
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct Review {
    /// The incident (store).
    pub incident: Incident,
    /// Its records, from the ledger.
    pub timeline: Vec<TimelineEntry>,
    /// Records still waiting for the ledger (should be 0).
    pub pending: usize,
    /// Ledger records that could not be decrypted in the range (shredded or wrong key).
    pub unreadable: usize,
    /// Distinct affected patients (keyed references): detections plus gateway events.
    pub patients: BTreeSet<String>,
    /// PHI types found in responses to the incident's principals, with counts.
    pub phi_out: BTreeMap<String, u64>,
    /// PHI types found in requests of the incident's principals, with counts.
    pub phi_in: BTreeMap<String, u64>,
    /// Gateway events matched to the incident's principals.
    pub requests: u64,
}

fn matches(inc: &Incident, ev: &serde_json::Value) -> bool {
    let s = |p: &str| ev.pointer(p).and_then(|v| v.as_str());
    let has = |k: PrincipalKind, v: Option<&str>| {
        v.is_some_and(|v| inc.principals.iter().any(|p| p.kind == k && p.id == v))
    };
    has(PrincipalKind::Key, s("/actor/key_prefix"))
        || has(PrincipalKind::User, s("/actor/subject_ref"))
        || has(PrincipalKind::Session, s("/session"))
        || has(PrincipalKind::SourceIp, s("/source_ip"))
        || has(PrincipalKind::Caller, s("/caller_ref"))
        || s("/request_id").is_some_and(|r| inc.request_ids.iter().any(|x| x == r))
}

/// Build the review of `inc` from the ledger in `ledger_dir`.
pub fn build(
    inc: Incident,
    ledger_dir: &Path,
    provider: &dyn KeyProvider,
    pending: usize,
) -> Result<Review> {
    let reader = LedgerReader::open(ledger_dir)?;
    let from_us = u64::try_from(inc.activity_start.saturating_sub(60_000).max(0))
        .unwrap_or(0)
        .saturating_mul(1_000);
    let end_ms = inc.contained_at.unwrap_or(i64::MAX);
    let events = reader.events(Some(provider), |r| r.time_micros >= from_us)?;
    let mut review = Review {
        patients: inc.patient_refs.clone(),
        incident: inc,
        timeline: Vec::new(),
        pending,
        unreadable: 0,
        phi_out: BTreeMap::new(),
        phi_in: BTreeMap::new(),
        requests: 0,
    };
    for e in events {
        let Ok(bytes) = e.event else {
            review.unreadable += 1;
            continue;
        };
        if let Some(rec) = IncidentRecord::parse(&bytes) {
            if rec.incident == review.incident.id {
                review.timeline.push(TimelineEntry { seq: e.seq, record: rec });
            }
            continue;
        }
        let Ok(ev) = serde_json::from_slice::<serde_json::Value>(&bytes) else { continue };
        let t = ev.get("time").and_then(serde_json::Value::as_i64).unwrap_or(0);
        if ev.get("class_uid").and_then(serde_json::Value::as_u64) != Some(6003)
            || t < review.incident.activity_start
            || t > end_ms
            || !matches(&review.incident, &ev)
        {
            continue;
        }
        review.requests += 1;
        if let Some(refs) = ev.get("patient_refs").and_then(|v| v.as_array()) {
            for r in refs.iter().filter_map(|r| r.as_str()) {
                review.patients.insert(r.to_string());
            }
        }
        if let Some(f) = ev.get("findings").and_then(|v| v.as_object()) {
            for (k, n) in f {
                let n = n.as_u64().unwrap_or(0);
                if let Some(t) = k.strip_prefix("output.phi.") {
                    *review.phi_out.entry(t.to_string()).or_default() += n;
                } else if let Some(t) = k.strip_prefix("input.phi.") {
                    *review.phi_in.entry(t.to_string()).or_default() += n;
                }
            }
        }
    }
    Ok(review)
}

fn ts(ms: i64) -> String {
    format_micros(u64::try_from(ms.max(0)).unwrap_or(0).saturating_mul(1_000))
}

fn dur(ms: i64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 120_000 {
        format!("{:.1} s", ms as f64 / 1_000.0)
    } else if ms < 7_200_000 {
        format!("{:.1} min", ms as f64 / 60_000.0)
    } else {
        format!("{:.1} h", ms as f64 / 3_600_000.0)
    }
}

/// A one-line description of a record (no PHI: ids, kinds, states, counts).
pub fn describe(r: &IncidentRecord) -> String {
    match r.kind.as_str() {
        kind::OPENED | kind::DETECTION => match &r.detection {
            Some(d) => format!(
                "{}{} by {} {} (severity {}, observed {} vs threshold {} in {} s{})",
                if r.kind == kind::OPENED { "opened: " } else { "" },
                d.kind.as_str(),
                d.principal.kind.as_str(),
                d.principal.id,
                severity_str(d.severity),
                d.observed,
                d.threshold,
                d.window_secs,
                if d.patients > 0 { format!(", {} patients", d.patients) } else { String::new() }
            ),
            None => "detection".into(),
        },
        kind::SEVERITY => format!(
            "severity now {} ({} detections, {} patients)",
            r.severity.map(severity_str).unwrap_or("?"),
            r.detections.unwrap_or(0),
            r.patients.unwrap_or(0)
        ),
        kind::STATUS => format!(
            "{} → {}",
            r.from.map(|s| s.as_str()).unwrap_or("?"),
            r.status.map(|s| s.as_str()).unwrap_or("?")
        ),
        kind::ASSIGNED => format!("assigned to {}", r.owner.as_deref().unwrap_or("?")),
        kind::NOTE => "note added".into(),
        kind::LESSONS => "lessons learned recorded".into(),
        kind::ACTION => match &r.action {
            Some(a) => format!(
                "{} {}{} [{}, {}{}]",
                a.action,
                if a.target.is_empty() { "(all)" } else { &a.target },
                a.detail.as_deref().map(|d| format!(" — {d}")).unwrap_or_default(),
                a.status,
                if a.is_automatic { "auto" } else { "approval" },
                a.expires_at.map(|e| format!(", expires {}", ts(e))).unwrap_or_default()
            ),
            None => "action".into(),
        },
        other => other.to_string(),
    }
}

impl Review {
    /// Whether note and lessons texts in the store match the hashes in the ledger.
    pub fn text_checks(&self) -> Vec<(i64, String, bool)> {
        let hashes: BTreeSet<&str> = self
            .timeline
            .iter()
            .filter(|e| e.record.kind == kind::NOTE)
            .filter_map(|e| e.record.text_sha256.as_deref())
            .collect();
        self.incident
            .notes
            .iter()
            .map(|n| (n.time, n.author.clone(), hashes.contains(text_hash(&n.text).as_str())))
            .collect()
    }

    fn lessons_verified(&self) -> Option<bool> {
        let l = self.incident.lessons.as_ref()?;
        let h = text_hash(&serde_json::to_string(l).ok()?);
        Some(
            self.timeline.iter().any(|e| {
                e.record.kind == kind::LESSONS && e.record.text_sha256.as_deref() == Some(&h)
            }),
        )
    }

    /// The review as Markdown.
    pub fn markdown(&self) -> String {
        let i = &self.incident;
        let mut s = String::new();
        let opt = |v: Option<i64>| v.map(ts).unwrap_or_else(|| "—".into());
        s.push_str(&format!("# Post-incident review: {}\n\n", i.id));
        s.push_str(&format!("{}\n\n", i.title));
        s.push_str("| field | value |\n|---|---|\n");
        for (k, v) in [
            ("status", i.status.as_str().to_string()),
            ("severity", severity_str(i.severity).to_string()),
            ("owner", i.owner.clone().unwrap_or_else(|| "—".into())),
            ("activity started (estimated)", ts(i.activity_start)),
            ("first detection", ts(i.first_seen)),
            ("opened", ts(i.opened_at)),
            ("contained", opt(i.contained_at)),
            ("recovered", opt(i.recovered_at)),
            ("closed", opt(i.closed_at)),
            ("time to detect", dur(i.time_to_detect_ms())),
            (
                "time to contain",
                i.time_to_contain_ms().map(dur).unwrap_or_else(|| "not contained".into()),
            ),
            (
                "detections",
                format!("{} ({} distinct kind/principal pairs)", i.detections, i.signatures.len()),
            ),
            (
                "detection kinds",
                i.kinds().iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
            ),
            ("techniques", i.techniques.iter().cloned().collect::<Vec<_>>().join(", ")),
            (
                "principals",
                i.principals
                    .iter()
                    .map(|p| format!("{}:{}", p.kind.as_str(), p.id))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ] {
            s.push_str(&format!("| {k} | {} |\n", if v.is_empty() { "—".into() } else { v }));
        }
        s.push_str("\n## HIPAA breach assessment\n\n");
        s.push_str(&format!(
            "- Individuals affected (distinct keyed patient references): **{}**{}\n",
            self.patients.len(),
            if i.is_patient_count_lower_bound {
                " (lower bound: more were seen than kept)"
            } else {
                ""
            }
        ));
        if self.patients.len() >= 500 {
            s.push_str("- 500 or more individuals: notify HHS and prominent media within 60 days (45 CFR 164.406, 164.408).\n");
        } else if !self.patients.is_empty() {
            s.push_str("- Fewer than 500 individuals: if notifiable, notify individuals within 60 days and log for the annual HHS report (45 CFR 164.404, 164.408(c)).\n");
        }
        let types = |m: &BTreeMap<String, u64>| {
            if m.is_empty() {
                "none recorded".to_string()
            } else {
                m.iter().map(|(k, n)| format!("{k} ({n})")).collect::<Vec<_>>().join(", ")
            }
        };
        s.push_str(&format!(
            "- PHI types in responses to these principals: {}\n",
            types(&self.phi_out)
        ));
        s.push_str(&format!("- PHI types in their requests: {}\n", types(&self.phi_in)));
        s.push_str(&format!(
            "- Gateway requests of these principals in the incident window: {}\n",
            self.requests
        ));
        s.push_str(&format!(
            "- Notification decision: {}\n",
            match i.lessons.as_ref().and_then(|l| l.is_breach_notifiable) {
                Some(true) => "notifiable breach",
                Some(false) => "not notifiable (low probability of compromise documented)",
                None => "not yet recorded",
            }
        ));
        s.push_str("\n## Timeline (from the audit ledger)\n\n");
        s.push_str(
            "| # | ledger seq | time (UTC) | step | actor | detail |\n|---|---|---|---|---|---|\n",
        );
        for e in &self.timeline {
            let r = &e.record;
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                r.n,
                e.seq,
                ts(r.time),
                r.kind.trim_start_matches("incident."),
                r.actor,
                describe(r).replace('|', "\\|")
            ));
        }
        if self.pending > 0 {
            s.push_str(&format!(
                "\n**{} record(s) are not in the ledger yet** (the gateway or the next CLI command appends them).\n",
                self.pending
            ));
        }
        if self.unreadable > 0 {
            s.push_str(&format!(
                "\n{} ledger record(s) in the window could not be decrypted.\n",
                self.unreadable
            ));
        }
        s.push_str("\n## Actions\n\n| action | target | rule | mode | status | at (UTC) | expires |\n|---|---|---|---|---|---|---|\n");
        for a in &i.actions {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                a.action,
                if a.target.is_empty() { "(all)" } else { &a.target },
                a.rule,
                if a.is_automatic { "auto" } else { "approval" },
                a.status.as_str(),
                ts(a.at),
                a.expires_at.map(ts).unwrap_or_else(|| "—".into())
            ));
        }
        s.push_str("\n## Notes\n\n");
        if i.notes.is_empty() {
            s.push_str("None.\n");
        }
        for ((time, author, ok), n) in self.text_checks().into_iter().zip(&i.notes) {
            s.push_str(&format!(
                "- {} {}{}: {}\n",
                ts(time),
                author,
                if ok { "" } else { " (**text does not match the ledger hash**)" },
                n.text.replace('\n', " ")
            ));
        }
        s.push_str("\n## Lessons learned\n\n");
        match &i.lessons {
            None => s.push_str("Not recorded yet (required to close: `phiwall incidents close ID --summary ...`).\n"),
            Some(l) => {
                if self.lessons_verified() == Some(false) {
                    s.push_str("**The lessons below do not match the hash in the ledger.**\n\n");
                }
                for (k, v) in [
                    ("Summary", &l.summary),
                    ("Root cause", &l.root_cause),
                    ("What went well", &l.went_well),
                    ("What to improve", &l.to_improve),
                ] {
                    s.push_str(&format!("- **{k}:** {}\n", if v.is_empty() { "—" } else { v }));
                }
                for f in &l.follow_ups {
                    s.push_str(&format!("- [ ] {f}\n"));
                }
            }
        }
        s
    }

    /// The review as one self-contained HTML page (inline CSS, no scripts, no external links).
    pub fn html(&self) -> String {
        let md = self.markdown();
        let mut body = String::new();
        let mut in_table = false;
        let mut in_list = false;
        for line in md.lines() {
            let is_row = line.starts_with('|');
            if in_table && !is_row {
                body.push_str("</table>\n");
                in_table = false;
            }
            let is_item = line.starts_with("- ");
            if in_list && !is_item {
                body.push_str("</ul>\n");
                in_list = false;
            }
            if is_row {
                if line.starts_with("|---") {
                    continue;
                }
                let cells: Vec<String> = split_row(line).into_iter().map(|c| inline(&c)).collect();
                let tag = if in_table { "td" } else { "th" };
                if !in_table {
                    body.push_str("<table>\n");
                    in_table = true;
                }
                body.push_str("<tr>");
                for c in cells {
                    body.push_str(&format!("<{tag}>{c}</{tag}>"));
                }
                body.push_str("</tr>\n");
            } else if let Some(h) = line.strip_prefix("# ") {
                body.push_str(&format!("<h1>{}</h1>\n", inline(h)));
            } else if let Some(h) = line.strip_prefix("## ") {
                body.push_str(&format!("<h2>{}</h2>\n", inline(h)));
            } else if let Some(item) = line.strip_prefix("- ") {
                if !in_list {
                    body.push_str("<ul>\n");
                    in_list = true;
                }
                body.push_str(&format!("<li>{}</li>\n", inline(item)));
            } else if !line.is_empty() {
                body.push_str(&format!("<p>{}</p>\n", inline(line)));
            }
        }
        if in_table {
            body.push_str("</table>\n");
        }
        if in_list {
            body.push_str("</ul>\n");
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<title>Post-incident review {}</title><style>\
body{{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}\
table{{border-collapse:collapse;margin:1rem 0;width:100%}}th,td{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}}\
th{{background:#f1f1f1}}h1{{border-bottom:2px solid #333}}h2{{margin-top:2rem}}</style></head>\n<body>\n{}</body></html>\n",
            escape(&self.incident.id),
            body
        )
    }
}

fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'|') {
            cur.push('|');
            chars.next();
        } else if c == '|' {
            cells.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    cells.push(cur.trim().to_string());
    cells
}

/// Escape HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Escape, then render `**bold**` and `` `code` ``.
fn inline(s: &str) -> String {
    let e = escape(s);
    let mut out = String::new();
    let mut is_bold = false;
    let mut rest = e.as_str();
    while let Some(p) = rest.find("**") {
        out.push_str(rest.get(..p).unwrap_or(""));
        out.push_str(if is_bold { "</strong>" } else { "<strong>" });
        is_bold = !is_bold;
        rest = rest.get(p + 2..).unwrap_or("");
    }
    out.push_str(rest);
    if is_bold {
        out.push_str("</strong>");
    }
    let mut res = String::new();
    let mut is_code = false;
    for part in out.split('`') {
        res.push_str(part);
        res.push_str(if is_code { "</code>" } else { "<code>" });
        is_code = !is_code;
    }
    // Remove the tag added after the last part.
    let trim = if is_code { "<code>".len() } else { "</code>".len() };
    res.truncate(res.len().saturating_sub(trim));
    res
}

/// The figures a drill scorecard needs, per incident.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Scorecard {
    /// Incident id.
    pub incident: String,
    /// State.
    pub status: String,
    /// Severity.
    pub severity: String,
    /// Detection kinds.
    pub kinds: Vec<String>,
    /// Detections.
    pub detections: u64,
    /// Time to detect, ms.
    pub time_to_detect_ms: i64,
    /// Time to contain, ms.
    pub time_to_contain_ms: Option<i64>,
    /// Containment actions in force (`action target`).
    pub containment: Vec<String>,
}

impl Scorecard {
    /// From an incident.
    pub fn of(i: &Incident) -> Self {
        Scorecard {
            incident: i.id.clone(),
            status: i.status.as_str().into(),
            severity: severity_str(i.severity).into(),
            kinds: i.kinds().iter().map(|k| k.as_str().to_string()).collect(),
            detections: i.detections,
            time_to_detect_ms: i.time_to_detect_ms(),
            time_to_contain_ms: i.time_to_contain_ms(),
            containment: i
                .actions
                .iter()
                .filter(|a| {
                    a.containment_id.is_some() && a.status == crate::incident::ActionStatus::Applied
                })
                .map(|a| format!("{} {}", a.action, a.target))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_is_escaped_first() {
        assert_eq!(inline("a **b** `c` <x>"), "a <strong>b</strong> <code>c</code> &lt;x&gt;");
        assert_eq!(split_row("| a | b \\| c |"), vec!["a", "b | c"]);
    }
}
