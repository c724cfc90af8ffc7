//! Evaluation harness for phiwall's detectors: readers for labelled PHI data sets, the metrics,
//! the text and JSON reports, a synthetic call-transcript corpus generator, and the throughput
//! bench runner.
//!
//! What this crate does: read files (deid gold JSONL, presidio-research JSON, our JSONL), map
//! their labels onto [`phiwall_scan::PhiType`], split them into dev and test, score findings, and
//! write generated corpora. What it does not do: detect anything (that is `phiwall-scan`, which
//! stays pure) or print (the CLI prints what this crate returns). Errors and reports never carry
//! document text unless the caller asks for it on public or synthetic data.

pub mod bench;
pub mod corpus;
mod error;
pub mod generate;
pub mod injection;
pub mod labels;
pub mod metrics;
pub mod predictions;
pub mod readers;
pub mod report;
pub mod saved;
pub mod tagger;

pub use corpus::{fold_of, Dataset, Fold, GoldDoc, GoldSpan, Split, SplitFilter};
pub use error::Error;
pub use labels::LabelOptions;
pub use metrics::{evaluate, EvalOptions, GroupBy, MatchMode, Report};
pub use readers::{read_path, Format, JsonlRecord, JsonlSpan};
