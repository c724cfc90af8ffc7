//! What travels the bus: an [`Event`] or a [`Detection`] (and, later, an incident record, OCSF
//! Incident Finding 2005). Sinks receive [`Record`]s; encoders turn them into vendor formats.
//!
//! Invariant: a record holds only what [`Event`] and [`Detection`] hold (kinds, counts, ids,
//! keyed references), so no encoding of a record can carry request text.

use crate::detection::{Detection, CLASS_DETECTION_FINDING};
use crate::event::{Event, Severity};

/// One item on the bus.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// A request's API Activity event (OCSF 6003).
    Event(Event),
    /// A detection (OCSF Detection Finding 2004).
    Detection(Detection),
}

impl Record {
    /// Milliseconds since the unix epoch.
    pub fn time_ms(&self) -> i64 {
        match self {
            Record::Event(e) => e.time,
            Record::Detection(d) => d.time,
        }
    }

    /// The OCSF class uid.
    pub fn class_uid(&self) -> u32 {
        match self {
            Record::Event(e) => e.class_uid,
            Record::Detection(_) => CLASS_DETECTION_FINDING,
        }
    }

    /// Severity.
    pub fn severity(&self) -> Severity {
        match self {
            Record::Event(e) => e.severity,
            Record::Detection(d) => d.severity,
        }
    }

    /// A stable id: the request id of an event, the detection id of a detection.
    pub fn uid(&self) -> &str {
        match self {
            Record::Event(e) => &e.request_id,
            Record::Detection(d) => &d.id,
        }
    }

    /// A short name of the record's class for syslog MSGID, metrics and logs.
    pub fn class_name(&self) -> &'static str {
        match self {
            Record::Event(_) => "api_activity",
            Record::Detection(_) => "detection_finding",
        }
    }
}

impl From<Event> for Record {
    fn from(e: Event) -> Self {
        Record::Event(e)
    }
}

impl From<Detection> for Record {
    fn from(d: Detection) -> Self {
        Record::Detection(d)
    }
}
