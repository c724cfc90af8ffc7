//! Attack drills for phiwall: scripted attacks against a running gateway, checked against what
//! detection and incident response should do, scored per control.
//!
//! What it does: parse and validate scenario files ([`scenario`]; built-ins in [`builtin`]),
//! refuse any target that is not loopback or explicitly allowed ([`target`]), send each step at
//! a bounded rate and count ([`runner`]), read detections, incidents and containment from the
//! gateway's admin API, and score every expected control with time to detect and time to
//! contain ([`scorecard`], [`drill`]). [`standin`] is a small rule-based stand-in for the
//! anomaly engine and incident response, used by tests and the demo until those are wired.
//!
//! What it does not do: incident logic (that is `phiwall-respond`), or attack anything but a
//! loopback address or a target named with `--allow-target`.

#![forbid(unsafe_code)]

pub mod builtin;
pub mod drill;
pub mod error;
pub mod runner;
pub mod scenario;
pub mod scorecard;
pub mod standin;
pub mod target;
pub mod template;

pub use drill::{run, write_scorecard, DrillOptions};
pub use error::{Error, Problem, ScenarioError};
pub use scenario::Scenario;
pub use scorecard::{ControlResult, ControlStatus, Scorecard, Verdict};
pub use target::Target;
