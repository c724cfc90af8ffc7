//! Splunk HTTP Event Collector event format (`/services/collector/event`): one JSON envelope per
//! record, `{"time": <epoch seconds>, "host", "source", "sourcetype", "index"?, "event": <OCSF>}`.
//! A batch is the envelopes concatenated (HEC accepts several objects in one body).

use super::{ocsf, EncodeError, Encoder};
use crate::record::Record;
use serde::Serialize;

/// HEC envelope settings.
#[derive(Debug, Clone)]
pub struct SplunkEncoder {
    /// `host` field.
    pub host: String,
    /// `source` field.
    pub source: String,
    /// `sourcetype` field.
    pub sourcetype: String,
    /// `index`, when not the token's default.
    pub index: Option<String>,
}

#[derive(Serialize)]
struct Head<'a> {
    time: f64,
    host: &'a str,
    source: &'a str,
    sourcetype: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<&'a str>,
}

impl Encoder for SplunkEncoder {
    fn encode(&self, r: &Record, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let head = Head {
            time: r.time_ms() as f64 / 1000.0,
            host: &self.host,
            source: &self.source,
            sourcetype: &self.sourcetype,
            index: self.index.as_deref(),
        };
        serde_json::to_writer(&mut *out, &head)?;
        // Reopen the object and add the event: `{...}` -> `{...,"event":<ocsf>}`.
        out.pop();
        out.extend_from_slice(b",\"event\":");
        ocsf::write(r, out)?;
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siem::encode::tests::sample_event;

    #[test]
    fn hec_envelope() {
        let enc = SplunkEncoder {
            host: "gw1".into(),
            source: "phiwall".into(),
            sourcetype: "phiwall:ocsf".into(),
            index: Some("security".into()),
        };
        let mut out = Vec::new();
        enc.encode(&Record::Event(sample_event()), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["time"], 1_700_000_000.123);
        assert_eq!(v["sourcetype"], "phiwall:ocsf");
        assert_eq!(v["index"], "security");
        assert_eq!(v["event"]["class_uid"], 6003);
    }
}
