//! Redaction transforms over findings: `mask`, `pseudonymize`, `tokenize` (and `restore`).
//!
//! Invariants (property-tested): text outside findings is copied unchanged; no character of a
//! finding's span survives in place of it (mask and tokenize) and pseudonyms never equal the
//! original value.
