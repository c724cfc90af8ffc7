#!/usr/bin/env bash
# Cluster throughput: the same closed-loop load against 1 embedded replica, 1 cluster replica
# and 3 cluster replicas (round robin), all on this machine. Needs the local PostgreSQL
# (trust auth) and Redis; creates a throw-away database and key prefix and removes them.
# Prints one JSON line per setup and concurrency; docs/cluster.md records a run. A list of
# concurrencies runs each in turn (closed loop: with few requests in flight a replica waits on
# its ledger's fsync with the CPU idle, so capacity is the peak over enough concurrency) and
# ends with each setup's peak.
#   bench/cluster.sh [--secs 10] [--concurrency 32[,96,...]] [--rounds 2] [--fsync always|never|10ms]
#                    [--workers N]   (server.worker_threads of the 3-replica runs' replicas)
#                    [--cpu]         (also print CPU seconds per 1,000 answers by process group)
#                    [--independent] (control: also 1 against 3 embedded replicas sharing nothing,
#                                     alternated like the cluster runs; each has its own data
#                                     directory, key store copy and ledger)
# The cluster runs alternate (1 replica, 3 replicas, 1, 3, ...) against four running replicas
# (c0 receives the 1-replica load, c1-c3 the 3-replica load; idle ones cost next to nothing), so
# drift in the machine's load affects both sides alike.
set -euo pipefail
cd "$(dirname "$0")/.."
# config, start and stop_all
# shellcheck source=bench/replicas.sh
source bench/replicas.sh
SECS=10; CONC=32; ROUNDS=2; FSYNC=always; WORKERS=; CPU=; INDEPENDENT=
while [ $# -gt 0 ]; do
  case "$1" in
    --secs) SECS="$2"; shift 2 ;;
    --concurrency) CONC="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --fsync) FSYNC="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --cpu) CPU=1; shift ;;
    --independent) INDEPENDENT=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
PG="${PHIWALL_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
REDIS="${PHIWALL_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
cargo build --quiet --release -p phiwall --bin phiwall --example http_load
T="${CARGO_TARGET_DIR:-target}/release"
BIN="$T/phiwall"; LOAD="$T/examples/http_load"
WORK="$(mktemp -d)"
DB="phiwall_bench_$$"
cleanup() {
  stop_all
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -u "$REDIS" --scan --pattern "phiwall-bench-$$:*" 2>/dev/null | xargs -r redis-cli -u "$REDIS" del >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
psql -q "$PG/postgres" -c "CREATE DATABASE $DB" >/dev/null
export PHIWALL_BENCH_PG="$PG/$DB" PHIWALL_BENCH_REDIS="$REDIS"

# CPU ticks of each process group (replicas by id, redis, postgres) and of the whole machine
# (busy and idle), so a phase's CPU cost per answer can be split by where it was spent.
ticks() {
  local out="" id pid
  for id in e1 e2 e3 e4 c0 c1 c2 c3; do
    pid=$(cat "$WORK/pid-$id" 2>/dev/null || true)
    if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; then
      out="$out $id=$(awk '{print $14+$15}' "/proc/$pid/stat")"
      out="$out cs_$id=$(cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}')"
    fi
  done
  out="$out redis=$(sum_ticks redis-server) postgres=$(sum_ticks postgres)"
  out="$out $(awk '/^cpu /{print "busy=" $2+$3+$4+$7+$8 " idle=" $5+$6}' /proc/stat)"
  echo "$out"
}
sum_ticks() { # comm -> summed utime+stime of its processes
  local t=0 p
  for p in $(pgrep -x "$1"); do
    t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
# load SETUP ADDR... : one closed-loop phase per concurrency; with --cpu, a second line with CPU seconds per 1,000
# answers by group (loadgen = busy CPU not attributed to a replica, redis or postgres).
load() {
  local setup="$1" before after line c; shift
  for c in ${CONC//,/ }; do
    before=$(ticks)
    line=$("$LOAD" --key "$KEY" --secs "$SECS" --concurrency "$c" "$@")
    after=$(ticks)
    echo "$line"
    if [ -n "$CPU" ]; then
      python3 - "$before" "$after" "$line" "$(getconf CLK_TCK)" <<'PY'
import json, sys
b = dict(kv.split("=") for kv in sys.argv[1].split())
a = dict(kv.split("=") for kv in sys.argv[2].split())
res = json.loads(sys.argv[3]); hz = int(sys.argv[4])
ok = sum(v for k, v in res["status"].items() if k == "200") or 1
d = {k: (int(a[k]) - int(b.get(k, a[k]))) / hz for k in a if not k.startswith("cs_")}
cs = sum(int(a[k]) - int(b.get(k, a[k])) for k in a if k.startswith("cs_"))
reps = sum(v for k, v in d.items() if k[0] in "ec")
rest = d["busy"] - reps - d["redis"] - d["postgres"]
per = lambda s: round(s * 1000 / ok, 4)
print(json.dumps({"cpu_s_per_1000_ok": {"replicas": per(reps), "redis": per(d["redis"]),
      "postgres": per(d["postgres"]), "other_incl_loadgen": per(rest), "total_busy": per(d["busy"])},
      "idle_share": round(d["idle"] / (d["idle"] + d["busy"]), 3),
      "replica_context_switches_per_ok": round(cs / ok, 2),
      "replica_cpu_s": {k: round(v, 2) for k, v in d.items() if k[0] in "ec"}}))
PY
    fi
    echo "$setup $(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ok_per_sec"])')" >> "$WORK/peaks"
  done
}

if [ -z "$INDEPENDENT" ]; then
  # 1 embedded replica
  config e1 embedded
  KEY=$("$BIN" keys create --config "$WORK/e1.toml" --app bench 2>/dev/null)
  A=$(start e1)
  echo "embedded, 1 replica:"; load embedded "$A"
  stop_all
else
  # Control: embedded replicas share nothing (no Redis, no PostgreSQL, no common file), so
  # whatever three of them lose against one is the cost of co-locating three processes on this
  # machine, not of the cluster design. e1 takes the 1-replica load, e2-e4 the 3-replica load;
  # the key store is copied before any starts, so one key is valid on all four.
  for id in e1 e2 e3 e4; do config "$id" embedded; done
  KEY=$("$BIN" keys create --config "$WORK/e1.toml" --app bench 2>/dev/null)
  for id in e2 e3 e4; do cp -r "$WORK/data-e1" "$WORK/data-$id"; done
  E1=$(start e1); E2=$(start e2); E3=$(start e3); E4=$(start e4)
  sleep 1
  for round in $(seq 1 "$ROUNDS"); do
    echo "embedded, 1 replica (round $round):"; load embedded-1 "$E1"
    echo "embedded, 3 independent replicas (round $round):"; load embedded-3 "$E2" "$E3" "$E4"
  done
  stop_all
fi

# cluster: 1 replica (default threads), then 3 (worker_threads from --workers)
config c0 cluster
for id in c1 c2 c3; do config "$id" cluster "$WORKERS"; done
KEY=$(PHIWALL_LOG=warn "$BIN" keys create --config "$WORK/c0.toml" --app bench 2>/dev/null)
A0=$(start c0); A1=$(start c1); A2=$(start c2); A3=$(start c3)
sleep 1
for round in $(seq 1 "$ROUNDS"); do
  echo "cluster, 1 replica (round $round):"; load cluster-1 "$A0"
  echo "cluster, 3 replicas${WORKERS:+, $WORKERS worker thread(s) each} (round $round):"; load cluster-3 "$A1" "$A2" "$A3"
done
stop_all
echo "peak ok/s per setup (over concurrencies ${CONC} and rounds):"
sort -k1,1 -k2,2nr "$WORK/peaks" | awk '!seen[$1]++ {print "  " $1 ": " $2}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
