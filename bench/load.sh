#!/usr/bin/env bash
# Load test: the stub upstream direct and through phiwall in the same run (loopback only,
# bounded, stops by itself). Prints a markdown table; docs/gateway.md records a run.
#   bench/load.sh [--rate 1000] [--secs 10] [--prompt-bytes 1024] [--stream-rate 100]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p phiwall-gateway --example load -- "$@"
