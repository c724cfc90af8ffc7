//! phiwall's gateway: an OpenAI-compatible, zero-trust proxy in front of model servers.
//!
//! What it does: authenticate every request (API keys, JWT), apply per-app limits and policy,
//! inspect every message for PHI and prompt injection before forwarding (forwarding needs the
//! [`inspect::Scanned`] proof), inspect the model's output (streaming included, with a rolling
//! window), restore tokenized PHI where allowed, and emit one event per request, recorded in the
//! encrypted audit ledger before the answer leaves ([`audit`]).
//!
//! What it does not do: detection itself (that is `phiwall-scan`), key storage (that is
//! `phiwall-store`), or event sinks (that is `phiwall-watch`). It never logs bodies.

#![forbid(unsafe_code)]

pub mod admin;
pub mod audit;
pub mod auth;
pub mod cluster;
pub mod config;
pub mod containment;
pub mod error;
pub mod identity;
pub mod identity_config;
pub mod injection;
pub mod inspect;
pub mod jwks;
pub mod output;
pub mod server;
pub mod session;
pub mod sim;
pub mod tls;
pub mod tool_args;
pub mod upstream;

pub use config::{Config, ConfigError, RawConfig};
pub use error::ApiError;
pub use server::{BuildOptions, Clock, Gateway, GatewayError, SystemClock};
