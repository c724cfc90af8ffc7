//! Evaluation harness for phiwall's detectors: readers for labelled datasets, metrics, and
//! generators of synthetic corpora. It reads files; `phiwall-scan` stays pure.

pub mod injection;
