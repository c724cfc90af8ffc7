//! Anomaly detection on AI traffic (issue 7): per-principal sliding windows, baselines learned
//! online, and rules that turn [`crate::Event`]s into [`crate::Detection`]s. See
//! `docs/anomaly.md` for the rules, their technique ids, the evaluation and its figures.
//!
//! Wiring into a gateway is two lines: build an [`AnomalyEngine`] from an [`AnomalyConfig`], wrap
//! it in an [`AnomalySink`] with a callback, and add the sink to the event bus.
//!
//! Invariants: event time is the only clock (deterministic replay); memory is bounded by
//! `max_principals` and per-principal caps; detections carry ids, counts and keyed references
//! only, never PHI values.

pub mod baseline;
pub mod config;
pub mod engine;
pub mod eval;
pub mod shape;
pub mod sim;
pub mod sink;
pub mod window;

pub use config::AnomalyConfig;
pub use engine::{AnomalyEngine, EngineStats, InvalidConfig};
pub use sink::AnomalySink;
