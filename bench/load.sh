#!/usr/bin/env bash
# Load test: the stub upstream direct and through phiwall in the same run (loopback only,
# bounded, stops by itself). Prints a markdown table; docs/gateway.md records a run.
#   bench/load.sh [--rate 1000] [--secs 10] [--rounds 5] [--fsync always|never|10ms]
#                     [--reply-waits-for intent|outcome] [--prompt-bytes 1024] [--stream-rate 100]
# The stub, phiwall and the load generator each run on their own tokio runtime; direct and
# through-phiwall phases alternate in rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p phiwall-gateway --example load -- "$@"
