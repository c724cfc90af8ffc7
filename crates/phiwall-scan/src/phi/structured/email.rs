//! E-mail addresses, by a practical subset of RFC 5322: `local@domain.tld`.
//!
//! No regex: `memchr` finds each `@`, then the local part is grown left over
//! `[A-Za-z0-9._%+'-]` and the domain right over dot-separated labels `[A-Za-z0-9-]`. The local
//! part must start and end with a letter or digit and hold no `..`; the domain needs at least two
//! labels, none starting or ending with `-`, and an alphabetic top-level label of 2+ letters (or
//! an `xn--` label). Text without `@` costs one memchr pass.

use memchr::memchr_iter;

use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

/// Finds e-mail addresses.
#[derive(Debug, Default)]
pub struct EmailDetector;

/// Longest local part RFC 5321 allows.
const MAX_LOCAL: usize = 64;
/// Longest domain RFC 1035 allows.
const MAX_DOMAIN: usize = 253;

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// Start of the local part ending at `at`, or `None` when it is not a valid local part.
fn local_start(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at;
    while i > 0 && at - i < MAX_LOCAL && bytes.get(i - 1).is_some_and(|&b| is_local_byte(b)) {
        i -= 1;
    }
    // Drop leading punctuation ("'john@x.com", "...and.me@x.com" keeps "and.me").
    while i < at && !bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        i += 1;
    }
    let local = bytes.get(i..at)?;
    let ok = !local.is_empty()
        && local.last().is_some_and(u8::is_ascii_alphanumeric)
        && !local.windows(2).any(|w| w == b"..");
    ok.then_some(i)
}

/// End of the domain starting at `from`, or `None` when it is not a valid domain.
fn domain_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i - from < MAX_DOMAIN && bytes.get(i).is_some_and(|&b| is_domain_byte(b)) {
        i += 1;
    }
    // Drop trailing sentence punctuation ("mail me at a@b.com.").
    while i > from && bytes.get(i - 1).is_some_and(|&b| b == b'.' || b == b'-') {
        i -= 1;
    }
    let domain = bytes.get(from..i)?;
    let mut labels = 0;
    let mut last: &[u8] = &[];
    for label in domain.split(|&b| b == b'.') {
        if label.is_empty()
            || label.len() > 63
            || label.first() == Some(&b'-')
            || label.last() == Some(&b'-')
        {
            return None;
        }
        labels += 1;
        last = label;
    }
    let tld_ok = (last.len() >= 2 && last.iter().all(u8::is_ascii_alphabetic))
        || (last.len() > 4 && last.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"xn--")));
    (labels >= 2 && tld_ok).then_some(i)
}

impl Detector for EmailDetector {
    fn name(&self) -> &'static str {
        "email"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let bytes = doc.text.as_bytes();
        let mut next_free = 0;
        for at in memchr_iter(b'@', bytes) {
            if at < next_free {
                continue;
            }
            let Some(start) = local_start(bytes, at) else { continue };
            let Some(end) = domain_end(bytes, at + 1) else { continue };
            // "a@b.com@c.org" and similar are not one address.
            if bytes.get(end) == Some(&b'@') {
                next_free = end + 1;
                continue;
            }
            out.push(Span::new(start, end, PhiType::Email, 0.95, self.name()));
            next_free = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_none, found, found_spoken};
    use super::*;

    fn emails(text: &str) -> Vec<String> {
        found(&EmailDetector, text).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn finds_addresses() {
        assert_eq!(emails("write to SueDHague@armyspy.com today"), vec!["SueDHague@armyspy.com"]);
        assert_eq!(
            emails("<maria.lopez+ref@mail.example.co.uk>."),
            vec!["maria.lopez+ref@mail.example.co.uk"]
        );
        assert_eq!(
            emails("o'brien@clinic.org, j_doe@x-y.net"),
            vec!["o'brien@clinic.org", "j_doe@x-y.net"]
        );
        assert_eq!(emails("mail: a@b.io."), vec!["a@b.io"]);
        assert_eq!(emails("été a@b.io"), vec!["a@b.io"]);
    }

    #[test]
    fn spoken_view_joined_form() {
        let f = found_spoken(&EmailDetector, "it is maria.lopez@gmail.com thanks");
        assert_eq!(f, vec![(PhiType::Email, "maria.lopez@gmail.com".to_string())]);
    }

    #[test]
    fn rejects_non_addresses() {
        for t in [
            "pt @ home",
            "5mg@bedtime",
            "meet @noon.",
            "a@b",
            "a@b.c",
            "a@-b.com",
            "a@b-.com",
            "a..b@c.com",
            "@handle",
            "x@1.23",
            "a@b..com",
            "500 mg daily",
            "BP 120/80",
        ] {
            assert_none(&EmailDetector, t);
        }
    }
}
