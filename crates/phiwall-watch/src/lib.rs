//! Events for phiwall: the one event type every stage emits, a bounded bus that fans events out
//! to sinks on a background thread, a JSONL sink, and Prometheus metrics derived from events.
//!
//! What it does not do: carry request or response text. An [`Event`] has only kinds, counts,
//! ids, timings and outcomes (DESIGN.md "Contracts"), so no sink can leak PHI by construction.
//! Anomaly detectors and SIEM sinks build on the same bus later.

#![forbid(unsafe_code)]

pub mod anomaly;
pub mod bus;
pub mod detection;
pub mod event;
pub mod metrics;
pub mod sink;

pub use bus::{EventBus, Watch};
pub use detection::{Detection, DetectionKind, Evidence, Principal, PrincipalKind};
pub use event::{Activity, Actor, Event, Outcome, Severity};
pub use metrics::Metrics;
pub use sink::{JsonlSink, MemorySink, Sink};
