//! Throughput bench runner (filled below).
