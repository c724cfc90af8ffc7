//! RFC 5424 syslog messages: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`, with
//! MSG either the OCSF JSON object or a CEF line. PRI is `facility * 8 + severity`; OCSF
//! severities map to syslog's (Critical 2, High 3, Medium 4, Low 5, Informational 6).
//! Header fields are limited to printable US-ASCII and their RFC lengths (HOSTNAME 255,
//! APP-NAME 48, MSGID 32). The octet-counting frame (RFC 6587 / RFC 5425) is the transport's.

use super::{cef::CefEncoder, ocsf, EncodeError, Encoder};
use crate::event::Severity;
use crate::record::Record;
use crate::siem::time::rfc3339_ms;

/// The payload inside each syslog message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// The OCSF JSON object.
    Json,
    /// An ArcSight CEF line.
    Cef,
}

/// RFC 5424 encoder.
#[derive(Debug, Clone)]
pub struct SyslogEncoder {
    /// Facility number (0..23), e.g. 13 (log audit), 16 (local0).
    pub facility: u8,
    /// HOSTNAME field.
    pub hostname: String,
    /// APP-NAME field.
    pub app_name: String,
    /// PROCID field.
    pub procid: String,
    /// MSG format.
    pub payload: Payload,
}

impl SyslogEncoder {
    /// An encoder with this host's name and process id.
    pub fn new(facility: u8, payload: Payload, hostname: Option<&str>) -> Self {
        let host = hostname.map(str::to_string).unwrap_or_else(local_hostname);
        SyslogEncoder {
            facility: facility.min(23),
            hostname: field(&host, 255),
            app_name: "phiwall".into(),
            procid: std::process::id().to_string(),
            payload,
        }
    }
}

fn local_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "-".into())
}

/// A header field: printable US-ASCII without spaces, at most `max` characters, `-` if empty.
pub fn field(s: &str, max: usize) -> String {
    let f: String = s.chars().filter(|c| c.is_ascii_graphic()).take(max).collect();
    if f.is_empty() {
        "-".into()
    } else {
        f
    }
}

/// syslog severity for an OCSF severity.
pub const fn syslog_severity(s: Severity) -> u8 {
    match s {
        Severity::Critical => 2,
        Severity::High => 3,
        Severity::Medium => 4,
        Severity::Low => 5,
        Severity::Informational => 6,
    }
}

impl Encoder for SyslogEncoder {
    fn encode(&self, r: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let pri = u16::from(self.facility) * 8 + u16::from(syslog_severity(r.severity()));
        let head = format!(
            "<{pri}>1 {} {} {} {} {} - ",
            rfc3339_ms(r.time_ms()),
            self.hostname,
            self.app_name,
            self.procid,
            r.class_name()
        );
        out.extend_from_slice(head.as_bytes());
        match self.payload {
            Payload::Json => ocsf::write(r, out),
            Payload::Cef => CefEncoder.encode(r, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siem::encode::tests::sample_event;

    #[test]
    fn rfc5424_header() {
        let mut enc = SyslogEncoder::new(16, Payload::Cef, Some("gw 1\u{e9}"));
        enc.procid = "42".into();
        let mut out = Vec::new();
        enc.encode(&Record::Event(sample_event()), &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        // local0 (16) * 8 + warning (4) = 132
        assert!(
            s.starts_with("<132>1 2023-11-14T22:13:20.123Z gw1 phiwall 42 api_activity - CEF:0|"),
            "{s}"
        );
        assert_eq!(field("", 5), "-");
        assert_eq!(field("abcdefgh", 3), "abc");
    }
}
