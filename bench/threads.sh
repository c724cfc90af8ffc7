#!/usr/bin/env bash
# Context switches and CPU per answer by thread name, for N co-located embedded replicas under
# one closed-loop round-robin load (docs/cluster.md, "Session 20"). No Redis or PostgreSQL:
# the replicas share nothing, so the figures show what co-location itself costs.
#   bench/threads.sh [--replicas 3] [--concurrency 96] [--secs 6]
# Prints the load line (JSON), then per thread name: voluntary and involuntary context switches
# per answer and CPU ticks over the phase. PHIWALL_BIN runs another binary (A/B runs).
set -euo pipefail
cd "$(dirname "$0")/.."
# config, start and stop_all
# shellcheck source=bench/replicas.sh
source bench/replicas.sh
N=3; C=96; SECS=6
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) N="$2"; shift 2 ;;
    --concurrency) C="$2"; shift 2 ;;
    --secs) SECS="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
cargo build --quiet --release -p phiwall --bin phiwall --example http_load
T="${CARGO_TARGET_DIR:-target}/release"
BIN="${PHIWALL_BIN:-$T/phiwall}"; LOAD="$T/examples/http_load"
WORK="$(mktemp -d)"
FSYNC=always
trap 'stop_all; rm -rf "$WORK"' EXIT
IDS=()
for i in $(seq 1 "$N"); do IDS+=("e$i"); config "e$i" embedded; done
KEY=$("$BIN" keys create --config "$WORK/e1.toml" --app bench 2>/dev/null)
# The key store is copied before any replica starts, so one key is valid on all of them.
for id in "${IDS[@]:1}"; do cp -r "$WORK/data-e1" "$WORK/data-$id"; done
ADDRS=()
for id in "${IDS[@]}"; do ADDRS+=("$(start "$id")"); done
sleep 1
# One line per thread: name, voluntary switches, involuntary switches, CPU ticks.
snapshot() {
  local id p t
  for id in "${IDS[@]}"; do
    p=$(cat "$WORK/pid-$id")
    for t in /proc/"$p"/task/*; do
      printf '%s %s %s\n' "$(tr ' ' _ < "$t/comm")" \
        "$(awk '/^voluntary_ctxt/ {v=$2} /^nonvoluntary_ctxt/ {n=$2} END {print v, n}' "$t/status")" \
        "$(awk '{print $14+$15}' "$t/stat")"
    done
  done
}
snapshot > "$WORK/before"
LINE=$("$LOAD" --key "$KEY" --secs "$SECS" --concurrency "$C" "${ADDRS[@]}")
snapshot > "$WORK/after"
echo "$LINE"
python3 - "$WORK/before" "$WORK/after" "$LINE" <<'PY'
import collections, json, sys
def read(path):
    d = collections.defaultdict(lambda: [0, 0, 0])
    for line in open(path):
        name, vol, invol, ticks = line.split()
        for i, v in enumerate((vol, invol, ticks)):
            d[name][i] += int(v)
    return d
b, a = read(sys.argv[1]), read(sys.argv[2])
ok = json.loads(sys.argv[3])["status"].get("200", 0) or 1
rows = {n: [a[n][i] - b[n][i] for i in range(3)] for n in a}
for n, (v, nv, t) in sorted(rows.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
    if v or nv or t:
        print(f"{n:24s} voluntary/ok {v / ok:.2f}  involuntary/ok {nv / ok:.2f}  cpu_ticks {t}")
PY
