//! Events for phiwall: the one event type every stage emits, detections from the anomaly
//! detectors, a bounded bus that fans records out to sinks on a background thread (spilling to
//! disk instead of blocking when full), SIEM sinks with disk buffers and at-least-once delivery
//! ([`siem`]), a JSONL sink, and Prometheus metrics derived from events.
//!
//! What it does not do: carry request or response text. An [`Event`] has only kinds, counts,
//! ids, timings and outcomes (DESIGN.md "Contracts"), and a [`Detection`] only principals
//! (ids and keyed references) and numbers, so no sink can leak PHI by construction.
//! Anomaly detection ([`anomaly`]) consumes the same events through a sink.

#![forbid(unsafe_code)]

pub mod anomaly;
pub mod bus;
pub mod detection;
pub mod event;
mod frame;
pub mod metrics;
pub mod record;
pub mod secret;
pub mod security_view;
pub mod siem;
pub mod sink;
pub mod spill;
pub mod wire;

pub use bus::{BusConfig, EventBus, Watch, WeakWatch};
pub use detection::{Detection, DetectionKind, Evidence, Principal, PrincipalKind};
pub use event::{Activity, Actor, Event, Outcome, Severity};
pub use metrics::Metrics;
pub use record::Record;
pub use secret::{Secret, SecretRef};
pub use security_view::{
    ContainedPrincipal, ContainmentSummary, IncidentSummary, MemorySecurityView, SecurityView,
    ViewCapabilities,
};
pub use sink::{EventsOnly, JsonlSink, MemorySink, RecordSink, Sink};
pub use spill::SpillConfig;
