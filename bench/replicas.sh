# Shared by bench/cluster.sh and bench/threads.sh (sourced): write a replica's config, start
# it, stop them all. The caller sets WORK (scratch directory), BIN (phiwall binary) and FSYNC
# (audit fsync policy); cluster configs read PHIWALL_BENCH_PG and PHIWALL_BENCH_REDIS.

config() { # id backend [worker_threads]
  local store="" workers=""
  if [ -n "${3:-}" ]; then workers="worker_threads = $3"; fi
  if [ "$2" = cluster ]; then
    store="[store]
backend = \"cluster\"
postgres_url = \"env:PHIWALL_BENCH_PG\"
redis_url = \"env:PHIWALL_BENCH_REDIS\"
replica_id = \"$1\"
redis_key_prefix = \"phiwall-bench-$$:\""
  fi
  cat > "$WORK/$1.toml" <<TOML
data_dir = "$WORK/data-$1"
[server]
listen = "127.0.0.1:0"
metrics_listen = "off"
$workers
[upstreams.sim]
kind = "simulated"
[models.phiwall-sim]
upstream = "sim"
[apps.bench]
models = ["phiwall-sim"]
key_requests_per_minute = 10000000
requests_per_minute = 10000000
tokens_per_minute = 1000000000000
key_tokens_per_minute = 1000000000000
[audit]
dir = "$WORK/ledger-$(if [ "$2" = cluster ]; then echo cluster; else echo "$1"; fi)"
fsync = "$FSYNC"
jsonl_events = false
$store
TOML
}

start() { # id -> prints address. Runs in a command substitution (a subshell), so the pid
  # goes to a file the parent reads: a PIDS+=() here would be lost and the replica left running.
  PHIWALL_LOG=warn "$BIN" serve --config "$WORK/$1.toml" 2> "$WORK/$1.err" > /dev/null &
  echo $! >> "$WORK/pids"
  echo $! > "$WORK/pid-$1"
  for _ in $(seq 1 300); do
    if grep -q "listening on http://" "$WORK/$1.err"; then
      grep -o "listening on http://[^/]*" "$WORK/$1.err" | sed 's|listening on http://||'
      return 0
    fi
    sleep 0.1
  done
  echo "replica $1 did not start:" >&2; cat "$WORK/$1.err" >&2; return 1
}

stop_all() {
  if [ -f "$WORK/pids" ]; then
    while read -r p; do kill "$p" 2>/dev/null || true; done < "$WORK/pids"
    while read -r p; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done < "$WORK/pids"
    rm -f "$WORK/pids" "$WORK"/pid-*
  fi
}
