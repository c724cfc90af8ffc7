//! The tamper-evident, encrypted audit ledger (placeholder; filled in by its owner).
