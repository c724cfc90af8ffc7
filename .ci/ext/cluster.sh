# Cluster mode tests (issue 10): a local PostgreSQL and Redis. Sourced by .ci/run (set -euo
# pipefail). Starts them with the machine's own commands when they are down and fails with a
# clear message when they still do not answer. Exports the URLs the tests read.
PHIWALL_TEST_PG_URL="${PHIWALL_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
PHIWALL_TEST_REDIS_URL="${PHIWALL_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
export PHIWALL_TEST_PG_URL PHIWALL_TEST_REDIS_URL

cluster_pg_ok() { pg_isready -q -h 127.0.0.1 -p 5432 -t 2 2>/dev/null; }
cluster_redis_ok() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! command -v pg_isready >/dev/null || ! command -v redis-cli >/dev/null; then
  apt-get install -y -q postgresql-client redis-tools >/dev/null 2>&1 || true
fi

if ! cluster_pg_ok; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it"
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in 1 2 3 4 5 6 7 8 9 10; do cluster_pg_ok && break; sleep 1; done
fi
if ! cluster_redis_ok; then
  echo "Redis is not answering on 127.0.0.1:6379; starting it"
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  for _ in 1 2 3 4 5; do cluster_redis_ok && break; sleep 1; done
fi

if ! cluster_pg_ok; then
  echo "ERROR: PostgreSQL does not answer on 127.0.0.1:5432 (pg_isready failed)." >&2
  echo "  The cluster tests need it (trust auth, user postgres). Start it with:" >&2
  echo "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
  return 1 2>/dev/null || exit 1
fi
if ! cluster_redis_ok; then
  echo "ERROR: Redis does not answer PING on 127.0.0.1:6379." >&2
  echo "  Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no" >&2
  return 1 2>/dev/null || exit 1
fi
echo "cluster: PostgreSQL and Redis answer ($PHIWALL_TEST_PG_URL, $PHIWALL_TEST_REDIS_URL)"
