//! The result types: a [`Status`], [`EvidenceItem`]s and a [`CheckResult`] per evidence check.
//! Catalogue controls ([`crate::catalogue`]) combine check results; renderers only read these.

use serde::Serialize;

/// Outcome of a check or a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Shown by evidence to hold.
    Pass,
    /// Needs a person: evidence is not available to phiwall or the matter is outside it.
    Manual,
    /// Holds in part; the fix says what is missing.
    Partial,
    /// Evidence shows it does not hold.
    Fail,
}

impl Status {
    /// Stable lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Manual => "manual",
            Status::Partial => "partial",
            Status::Fail => "fail",
        }
    }

    /// Every status, best first.
    pub const ALL: [Status; 4] = [Status::Pass, Status::Partial, Status::Fail, Status::Manual];

    /// Combine: the worst wins, with `manual` below `partial` and `fail` (evidence of a gap
    /// outranks the absence of evidence) but above `pass` (a pass needs every part shown).
    pub fn combine(items: impl IntoIterator<Item = Status>) -> Option<Status> {
        items.into_iter().max()
    }
}

/// What one piece of evidence is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A configuration key and its value (secret references print as the reference).
    Config {
        /// Dotted key path.
        key: String,
        /// Value as text.
        value: String,
    },
    /// A ledger verification result.
    Ledger {
        /// Records verified.
        records: u64,
        /// Merkle root (hex).
        root: String,
        /// Tree size of the newest checkpoint.
        checkpoint_size: Option<u64>,
        /// Time of the newest checkpoint, RFC 3339.
        checkpoint_time: Option<String>,
        /// The problem found, if any.
        problem: Option<String>,
    },
    /// A count.
    Count {
        /// What was counted.
        what: String,
        /// How many.
        n: u64,
    },
    /// A date.
    Date {
        /// What happened then.
        what: String,
        /// RFC 3339 UTC.
        at: String,
        /// Age in days at the time of the audit.
        age_days: Option<i64>,
    },
    /// A measured figure (a rate, a recall).
    Figure {
        /// What was measured.
        what: String,
        /// The value.
        value: f64,
    },
    /// A posture or other named check's finding.
    Finding {
        /// Check name.
        check: String,
        /// Its own status (`pass`, `warn`, `fail`).
        result: String,
        /// Its message.
        message: String,
    },
    /// A statement without a value (what was looked at, why nothing was found).
    Note {
        /// Text.
        text: String,
    },
}

/// One piece of evidence with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceItem {
    /// What it is.
    #[serde(flatten)]
    pub kind: EvidenceKind,
    /// Source (a file, `ledger`, `keys.sqlite3`, a command).
    pub source: String,
}

impl EvidenceItem {
    /// A configuration key.
    pub fn config(key: impl Into<String>, value: impl Into<String>, source: &str) -> Self {
        EvidenceItem {
            kind: EvidenceKind::Config { key: key.into(), value: value.into() },
            source: source.into(),
        }
    }
    /// A count.
    pub fn count(what: impl Into<String>, n: u64, source: &str) -> Self {
        EvidenceItem { kind: EvidenceKind::Count { what: what.into(), n }, source: source.into() }
    }
    /// A figure.
    pub fn figure(what: impl Into<String>, value: f64, source: &str) -> Self {
        EvidenceItem {
            kind: EvidenceKind::Figure { what: what.into(), value },
            source: source.into(),
        }
    }
    /// A note.
    pub fn note(text: impl Into<String>, source: &str) -> Self {
        EvidenceItem { kind: EvidenceKind::Note { text: text.into() }, source: source.into() }
    }
    /// A date given in unix milliseconds, with its age at `now_ms`.
    pub fn date(what: impl Into<String>, at_ms: i64, now_ms: i64, source: &str) -> Self {
        EvidenceItem {
            kind: EvidenceKind::Date {
                what: what.into(),
                at: crate::time::rfc3339_ms(at_ms),
                age_days: Some((now_ms - at_ms).div_euclid(86_400_000)),
            },
            source: source.into(),
        }
    }

    /// One line of text for Markdown and HTML.
    pub fn text(&self) -> String {
        match &self.kind {
            EvidenceKind::Config { key, value } => format!("config `{key}` = {value}"),
            EvidenceKind::Ledger { records, root, checkpoint_size, checkpoint_time, problem } => {
                let cp = match (checkpoint_size, checkpoint_time) {
                    (Some(s), Some(t)) => {
                        format!("newest checkpoint covers {s} records, signed {t}")
                    }
                    (Some(s), None) => format!("newest checkpoint covers {s} records"),
                    _ => "no signed checkpoint".into(),
                };
                let short: String = root.chars().take(16).collect();
                match problem {
                    None => format!("ledger verified: {records} records, root {short}…, {cp}"),
                    Some(p) => {
                        format!("ledger verification FAILED: {p} ({records} valid records; {cp})")
                    }
                }
            }
            EvidenceKind::Count { what, n } => format!("{what}: {n}"),
            EvidenceKind::Date { what, at, age_days } => match age_days {
                Some(d) => format!("{what}: {at} ({d} days ago)"),
                None => format!("{what}: {at}"),
            },
            EvidenceKind::Figure { what, value } => format!("{what}: {value:.4}"),
            EvidenceKind::Finding { check, result, message } => {
                format!("{check} [{result}]: {message}")
            }
            EvidenceKind::Note { text } => text.clone(),
        }
    }
}

/// The result of one evidence check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// Stable id, e.g. `keys.stale`.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Outcome.
    pub status: Status,
    /// One-sentence summary of what was found.
    pub summary: String,
    /// Evidence.
    pub evidence: Vec<EvidenceItem>,
    /// What to do when not passing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl CheckResult {
    /// A new result.
    pub fn new(id: &'static str, title: &'static str) -> Self {
        CheckResult {
            id,
            title,
            status: Status::Pass,
            summary: String::new(),
            evidence: Vec::new(),
            fix: None,
        }
    }

    /// Lower the status to at least `s` and append a fix line.
    pub fn raise(&mut self, s: Status, fix: impl Into<String>) {
        self.status = self.status.max(s);
        let fix = fix.into();
        if fix.is_empty() {
            return;
        }
        match &mut self.fix {
            Some(f) if !f.contains(&fix) => {
                f.push_str("; ");
                f.push_str(&fix);
            }
            Some(_) => {}
            None => self.fix = Some(fix),
        }
    }

    /// Add evidence.
    pub fn push(&mut self, e: EvidenceItem) {
        self.evidence.push(e);
    }

    /// A result that needs a person because a source is missing.
    pub fn manual_missing(
        id: &'static str,
        title: &'static str,
        what: &str,
        reason: &str,
        fix: &str,
    ) -> Self {
        let mut r = CheckResult::new(id, title);
        r.status = Status::Manual;
        r.summary = format!("no evidence available: {what} ({reason})");
        r.evidence.push(EvidenceItem::note(format!("{what}: {reason}"), "audit"));
        r.fix = Some(fix.to_string());
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combine_puts_gaps_above_missing_evidence_above_pass() {
        assert_eq!(Status::combine([Status::Pass, Status::Manual]), Some(Status::Manual));
        assert_eq!(Status::combine([Status::Manual, Status::Partial]), Some(Status::Partial));
        assert_eq!(Status::combine([Status::Fail, Status::Partial]), Some(Status::Fail));
        assert_eq!(Status::combine([]), None);
    }

    #[test]
    fn raise_never_lowers_and_joins_fixes() {
        let mut r = CheckResult::new("x", "X");
        r.raise(Status::Fail, "a");
        r.raise(Status::Partial, "b");
        r.raise(Status::Partial, "b");
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.fix.as_deref(), Some("a; b"));
    }
}
