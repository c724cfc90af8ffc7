//! IP addresses, v4 and v6, validated by `std::net` parsing.
//!
//! IPv4 needs exactly four dotted decimal octets not glued to more digits or dots, so version
//! numbers ("1.2.3", "v2.10.4.1") and dotted doses are not addresses. Addresses whose octets are
//! all single digits ("1.2.3.4", a likely section or version number) need an IP word nearby.
//! IPv6 candidates are runs of hex digits and colons with at least two colons; they must parse,
//! carry 5+ hex digits, and are never times ("10:30:45" does not parse).

use regex::Regex;
use std::sync::LazyLock;

use super::{context_score, digit_clusters, Cluster};
use crate::detector::{Detector, Doc, Span};
use crate::phi::validators;
use crate::types::PhiType;

static V4_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?-u)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}").ok());

/// Words that make a dotted quad an IP address.
const IP_CONTEXT: &[&str] = &[
    "ip",
    "ipv4",
    "ipv6",
    "ip address",
    "address",
    "host",
    "server",
    "gateway",
    "subnet",
    "router",
    "dns",
    "logged in from",
    "from",
    "client",
    "remote",
];

/// Words that make a dotted quad a version or section number.
const IP_NEGATIVE: &[&str] =
    &["version", "ver", "v", "release", "build", "section", "sec", "chapter", "rule", "step"];

/// Finds IPv4 and IPv6 addresses.
#[derive(Debug, Default)]
pub struct IpDetector;

impl IpDetector {
    /// Look for this family's shapes inside one digit cluster.
    pub(super) fn scan_cluster(&self, doc: &Doc<'_>, c: Cluster, out: &mut Vec<Span>) {
        if c.digits < 4 {
            return;
        }

        let Some(re) = V4_RE.as_ref() else { return };
        let bytes = doc.text.as_bytes();

        let Some(slice) = doc.text.get(c.start..c.end) else { return };
        for m in re.find_iter(slice) {
            let (start, end) = (c.start + m.start(), c.start + m.end());
            let prev = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
            if prev.is_some_and(|p| {
                p.is_ascii_alphanumeric() || matches!(p, b'.' | b'-' | b'_' | b':' | b'/')
            }) {
                continue;
            }
            let next = bytes.get(end).copied();
            let next2 = bytes.get(end + 1).copied();
            if next.is_some_and(|n| n.is_ascii_alphanumeric() || n == b'_')
                || (next == Some(b'.') && next2.is_some_and(|n| n.is_ascii_digit()))
            {
                continue;
            }
            let Some(ip) = validators::ipv4(m.as_str()) else { continue };
            if ip.is_unspecified() || ip.is_broadcast() {
                continue;
            }
            let all_small = ip.octets().iter().all(|&o| o < 10);
            let base = if all_small { 0.4 } else { 0.85 };
            let score = context_score(doc, start, end, 32, IP_CONTEXT, IP_NEGATIVE, base, 0.9);
            // "v1.2.3.4" and "version 10.2.0.1" stay out even with "address" nearby.
            let before = doc.before(start, 12);
            if super::has_word(before, IP_NEGATIVE) {
                continue;
            }
            out.push(Span::new(start, end, PhiType::IpAddress, score, "ip_address"));
        }
    }

    fn detect_v6(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        let bytes = doc.text.as_bytes();
        let is_v6 = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
        let mut next_free = 0;
        for colon in memchr::memchr_iter(b':', bytes) {
            if colon < next_free {
                continue;
            }
            let mut s = colon;
            while s > 0 && bytes.get(s - 1).is_some_and(|&b| is_v6(b)) {
                s -= 1;
            }
            let mut e = colon;
            while bytes.get(e).is_some_and(|&b| is_v6(b)) {
                e += 1;
            }
            next_free = e;
            // Trim sentence dots and a single trailing colon ("addr: fe80::1:").
            while e > s && bytes.get(e - 1) == Some(&b'.') {
                e -= 1;
            }
            if e > s + 1 && bytes.get(e - 1) == Some(&b':') && bytes.get(e - 2) != Some(&b':') {
                e -= 1;
            }
            while s < e && bytes.get(s) == Some(&b'.') {
                s += 1;
            }
            let glued = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
            if glued(s.checked_sub(1).and_then(|i| bytes.get(i))) || glued(bytes.get(e)) {
                continue;
            }
            let Some(cand) = doc.text.get(s..e) else { continue };
            let colons = cand.bytes().filter(|&b| b == b':').count();
            let hex = cand.bytes().filter(u8::is_ascii_hexdigit).count();
            // "abc::def" parses but is a C++ path, not an address: demand a decimal digit.
            if colons < 2 || hex < 5 || !cand.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            let Some(ip) = validators::ipv6(cand) else { continue };
            if ip.is_loopback() || ip.is_unspecified() {
                continue;
            }
            out.push(Span::new(s, e, PhiType::IpAddress, 0.85, "ip_address"));
        }
    }
}

/// IPv6 alone: the structured [`super::NumericDetector`] already covers IPv4 in its shared
/// digit-cluster pass, so the registry runs this one for the colon forms.
#[derive(Debug, Default)]
pub struct Ipv6Detector;

impl Detector for Ipv6Detector {
    fn name(&self) -> &'static str {
        "ip_address"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        IpDetector.detect_v6(doc, out);
    }
}

impl Detector for IpDetector {
    fn name(&self) -> &'static str {
        "ip_address"
    }

    fn detect(&self, doc: &Doc<'_>, out: &mut Vec<Span>) {
        for c in digit_clusters(doc.text) {
            self.scan_cluster(doc, c, out);
        }
        self.detect_v6(doc, out);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{assert_none, found};
    use super::*;

    #[test]
    fn regex_compiles() {
        assert!(V4_RE.is_some());
    }

    fn ips(text: &str) -> Vec<String> {
        found(&IpDetector, text).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn v4() {
        assert_eq!(ips("login from 106.31.73.20."), vec!["106.31.73.20"]);
        assert_eq!(ips("86.121.97.248, 19.253.176.22"), vec!["86.121.97.248", "19.253.176.22"]);
        assert_eq!(ips("IP address 1.2.3.4"), vec!["1.2.3.4"]);
    }

    #[test]
    fn v6() {
        assert_eq!(
            ips("client 2001:db8:85a3::8a2e:370:7334 connected"),
            vec!["2001:db8:85a3::8a2e:370:7334"]
        );
        assert_eq!(ips("addr fe80::1ff:fe23:4567:890a."), vec!["fe80::1ff:fe23:4567:890a"]);
        assert_eq!(ips("mapped ::ffff:192.0.2.128"), vec!["::ffff:192.0.2.128"]);
    }

    #[test]
    fn not_ips() {
        let d = IpDetector;
        for t in [
            "version 1.2.3",
            "v2.10.4.1",
            "version 10.2.0.15",
            "1.2.3.4.5",
            "256.1.1.1",
            "see section 1.2.3.4",
            "1.2.3.4",
            "K 4.2, Hgb 13.5, 0.5 mL",
            "at 10:30:45 and 08:15",
            "ratio 1:2:3",
            "::1",
            "dates 12.05.2023",
            "E11.9",
            "abc::def",
            "abg 80/48/7.45.34.7",
        ] {
            assert_none(&d, t);
        }
    }
}
