//! Web addresses: `https://…`, `ftp://…`, `www.…`, and bare domains with a well-known top-level
//! domain (`mychart.example.org/patient/123`).
//!
//! Bare domains use a short TLD list on purpose: common file extensions ("report.pdf"),
//! abbreviations ("e.g.", "i.e.", "pt.") and clinical shorthand are not TLDs there, and
//! ccTLDs that are also common words or abbreviations ("in", "is", "it", "me", "no", "pt", "md")
//! are left out. Trailing sentence punctuation and an unbalanced `)` are trimmed from the span.
//! A domain right after `@` is the e-mail detector's.

use regex::Regex;
use std::sync::LazyLock;

use crate::detector::{Detector, Doc, Span};
use crate::types::PhiType;

static URL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?xi-u)
        (?P<scheme>(?:https?|ftps?|sftp)://(?u:[^\s<>"'`])+ | www\.[a-z0-9-]+\.(?u:[^\s<>"'`])+)
        |
        (?P<bare>
            [a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?
            (?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*
            \.(?:com|net|org|edu|gov|mil|int|info|biz|health|care|clinic|hospital|app|dev|io
                |us|uk|ca|au|nz|de|fr|nl|ch|se|dk|fi|be|at|es|br|mx|jp|cn|kr|ru|ie|za)
        )
        (?P<rest>(?::[0-9]{2,5})?(?:/(?u:[^\s<>"'`])*)?)
        "#,
    )
    .ok()
});

/// Finds URLs.
#[derive(Debug, Default)]
pub struct UrlDetector;

impl UrlDetector {
    /// Build the detector (the regex compiles on first use).
    pub fn new() -> Self {
        UrlDetector
    }
}

/// Trim trailing punctuation that ends the sentence rather than the URL.
fn trim_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut end = b.len();
    while let Some(&last) = end.checked_sub(1).and_then(|i| b.get(i)) {
        let unbalanced_close = |open: u8, close: u8| {
            last == close && {
                let part = b.get(..end).unwrap_or(&[]);
                part.iter().filter(|&&c| c == open).count()
                    < part.iter().filter(|&&c| c == close).count()
            }
        };
        if matches!(last, b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'"')
            || unbalanced_close(b'(', b')')
            || unbalanced_close(b'[', b']')
        {
            end -= 1;
        } else {
            break;
        }
    }
    end
}

impl Detector for UrlDetector {
    fn name(&self) -> &'static str {
        "url"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let Some(re) = URL_RE.as_ref() else { return };
        let text = doc.text;
        let bytes = text.as_bytes();
        // Every URL form holds a dot.
        if memchr::memchr(b'.', bytes).is_none() {
            return;
        }
        for caps in re.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            let start = m.start();
            let prev = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
            if prev.is_some_and(|p| {
                p.is_ascii_alphanumeric() || matches!(p, b'@' | b'.' | b'-' | b'_' | b'/' | b'\\')
            }) {
                continue;
            }
            let end = start + trim_end(m.as_str());
            let score = if caps.name("scheme").is_some() {
                if end - start < 10 {
                    continue;
                }
                if m.as_str().get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) {
                    0.85
                } else {
                    0.9
                }
            } else {
                let Some(bare) = caps.name("bare") else { continue };
                // The domain must not run on into more name characters ("site.company", "x.com_y").
                if bytes
                    .get(bare.end())
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'@')
                {
                    continue;
                }
                // A label of letters is needed: "1.com" or "3.uk" is not a site name.
                let name = bare.as_str().as_bytes();
                let label_end = name.iter().rposition(|&b| b == b'.').unwrap_or(0);
                let labels = name.get(..label_end).unwrap_or(&[]);
                if !labels.iter().any(u8::is_ascii_alphabetic) || name.len() < 5 {
                    continue;
                }
                if end > bare.end() {
                    0.75
                } else {
                    0.6
                }
            };
            if end > start {
                out.push(Span::new(start, end, PhiType::Url, score, self.name()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_none, found};
    use super::*;

    #[test]
    fn regex_compiles() {
        assert!(URL_RE.is_some());
    }

    fn urls(text: &str) -> Vec<String> {
        found(&UrlDetector::new(), text).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn with_scheme_or_www() {
        assert_eq!(
            urls("see http://www.ScrapbookInsider.com.pt/."),
            vec!["http://www.ScrapbookInsider.com.pt/"]
        );
        assert_eq!(urls("(https://OrthoTraffic.ch/a?b=1)"), vec!["https://OrthoTraffic.ch/a?b=1"]);
        assert_eq!(urls("go to www.example.org, then"), vec!["www.example.org"]);
        assert_eq!(urls("ftp://files.host.net/x.pdf"), vec!["ftp://files.host.net/x.pdf"]);
        assert_eq!(
            urls("https://en.wikipedia.org/wiki/Foo_(bar)."),
            vec!["https://en.wikipedia.org/wiki/Foo_(bar)"]
        );
    }

    #[test]
    fn bare_domains() {
        assert_eq!(
            urls("portal mychart.example.org/patient/123 today"),
            vec!["mychart.example.org/patient/123"]
        );
        assert_eq!(urls("visit janedoe.com"), vec!["janedoe.com"]);
        assert_eq!(urls("site clinic.co.uk"), vec!["clinic.co.uk"]);
    }

    #[test]
    fn not_urls() {
        let d = UrlDetector::new();
        for t in [
            "see report.pdf and notes.docx",
            "e.g. this, i.e. that",
            "pt. is stable",
            "Dr.Smith saw pt",
            "version 1.2.3",
            "K 4.2 Hgb 13.5",
            "E11.9",
            "john@example.com",
            "http://",
            "1.com",
            "file image.jpg",
            "St.Louis",
        ] {
            assert_none(&d, t);
        }
    }
}
