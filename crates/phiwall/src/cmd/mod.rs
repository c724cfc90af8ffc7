//! One module per subcommand.

pub mod audit;
pub mod bench;
pub mod cluster;
pub mod directory;
pub mod eval;
pub mod eval_anomaly;
pub mod eval_injection;
pub mod eval_phi;
pub mod generate;
pub mod incidents;
pub mod keys;
pub mod log;
pub mod log_keys;
pub mod pipeline;
pub mod posture;
pub mod redact;
pub mod scan;
pub mod serve;
pub mod train;
