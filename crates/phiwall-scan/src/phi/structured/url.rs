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

/// Top-level domains accepted on bare domains (no scheme, no `www.`). English words and
/// clinical abbreviations are left out ("orders.at", "to.be", "call.us", "Ca", "ch", "de").
const BARE_TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "health", "clinic", "hospital",
    "dev", "io", "uk", "au", "nz", "nl", "se", "dk", "fi", "fr", "br", "mx", "jp", "cn", "kr",
    "ru", "za",
];

/// Anchored at a candidate start found by the dot prefilter in [`UrlDetector::detect`].
static URL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let pattern = format!(
        r#"(?xi-u)^(?:
        (?P<scheme>(?:https?|ftps?|sftp)://(?u:[^\s<>"'`|])+ | www\.[a-z0-9-]+\.(?u:[^\s<>"'`|])+)
        |
        (?P<bare>
            [a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?
            (?:\.[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?)*
            \.(?:{tlds})
        )
        (?P<rest>(?::[0-9]{{2,5}})?(?:/(?u:[^\s<>"'`|])*)?)
        )"#,
        tlds = BARE_TLDS.join("|")
    );
    Regex::new(&pattern).ok()
});

fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// Where a URL containing the dot at `dot` could start, if anywhere: the start of the scheme
/// (`https://host.`), of `www.`, or of a bare host whose top-level label is in [`BARE_TLDS`].
fn candidate_start(bytes: &[u8], dot: usize) -> Option<usize> {
    let mut s = dot;
    while s > 0 && dot - s < 256 && bytes.get(s - 1).is_some_and(|&b| is_host_byte(b)) {
        s -= 1;
    }
    if s >= 3 && bytes.get(s - 3..s) == Some(b"://") {
        let mut k = s - 3;
        while k > 0 && bytes.get(k - 1).is_some_and(u8::is_ascii_alphabetic) {
            k -= 1;
        }
        return (k < s - 3).then_some(k);
    }
    if bytes.get(s..s + 4).is_some_and(|w| w.eq_ignore_ascii_case(b"www.")) {
        return Some(s);
    }
    let mut e = dot + 1;
    while bytes.get(e).is_some_and(u8::is_ascii_alphabetic) {
        e += 1;
    }
    let tld = bytes.get(dot + 1..e)?;
    let tld_known = BARE_TLDS.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(tld));
    let ends_ok =
        !bytes.get(e).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (tld_known && ends_ok && s < dot).then_some(s)
}

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
        let mut next_free = 0;
        // Every URL form this detector knows holds a dot; test each dot cheaply, and run the
        // anchored regex only where a URL can start.
        for dot in memchr::memchr_iter(b'.', bytes) {
            if dot < next_free {
                continue;
            }
            let Some(start) = candidate_start(bytes, dot) else { continue };
            if start < next_free {
                continue;
            }
            let mut run_end = start;
            while bytes.get(run_end).is_some_and(|&b| !b.is_ascii_whitespace())
                && run_end - start < 2048
            {
                run_end += 1;
            }
            let run_end = crate::detector::floor_boundary(text, run_end);
            let Some(caps) = text.get(start..run_end).and_then(|t| re.captures(t)) else {
                continue;
            };
            let Some(m) = caps.get(0) else { continue };
            let prev = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
            if prev.is_some_and(|p| {
                p.is_ascii_alphanumeric() || matches!(p, b'@' | b'.' | b'-' | b'_' | b'/' | b'\\')
            }) {
                continue;
            }
            let mut end = start + trim_end(m.as_str());
            // A second-level ccTLD after a listed TLD ("now.com.hk"): keep it in the span.
            if caps.name("bare").is_some() && end == start + m.len() {
                while bytes.get(end) == Some(&b'.') {
                    let mut e = end + 1;
                    while bytes.get(e).is_some_and(u8::is_ascii_alphabetic) {
                        e += 1;
                    }
                    let glued = bytes
                        .get(e)
                        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                    if e - end < 3 || e - end > 4 || glued {
                        break;
                    }
                    end = e;
                }
            }
            let score = if caps.name("scheme").is_some() {
                if end - start < 8 {
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
                    .get(start + bare.end())
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
                if end > start + bare.end() {
                    0.75
                } else {
                    0.6
                }
            };
            if end > start {
                out.push(Span::new(start, end, PhiType::Url, score, self.name()));
                next_free = end;
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
    fn scheme_hosts_need_no_known_tld() {
        assert_eq!(urls("at https://clinica.pt/x."), vec!["https://clinica.pt/x"]);
        assert_eq!(urls("http://192.168.1.20/admin"), vec!["http://192.168.1.20/admin"]);
        assert_eq!(urls("a http://x.co/1 b www.y.org"), vec!["http://x.co/1", "www.y.org"]);
    }

    #[test]
    fn bare_domains() {
        assert_eq!(
            urls("portal mychart.example.org/patient/123 today"),
            vec!["mychart.example.org/patient/123"]
        );
        assert_eq!(urls("visit janedoe.com"), vec!["janedoe.com"]);
        assert_eq!(urls("site clinic.co.uk"), vec!["clinic.co.uk"]);
        assert_eq!(urls("| now.com.hk |"), vec!["now.com.hk"]);
        assert_eq!(urls("by ZAPIER.COM/CHARGE|EMAIL_FROM"), vec!["ZAPIER.COM/CHARGE"]);
        assert_eq!(urls("at janedoe.com. Then"), vec!["janedoe.com"]);
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
            "per ccu orders.at 0.25mcg",
            "all evening.at 2am",
            "Mg 2.0, phos.ca 8.5",
        ] {
            assert_none(&d, t);
        }
    }
}
