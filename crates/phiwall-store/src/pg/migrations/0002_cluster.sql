-- Cluster bookkeeping: replicas (heartbeat and configuration fingerprint) and the signed ledger
-- checkpoints every replica publishes, so `phiwall log verify --cluster` can find a missing or
-- rolled-back chain.
CREATE TABLE IF NOT EXISTS replicas (
    replica_id     TEXT PRIMARY KEY,
    config_sha256  TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    last_seen      BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ledger_checkpoints (
    replica_id   TEXT NOT NULL,
    tree_size    BIGINT NOT NULL,
    root         BYTEA NOT NULL,
    chain_head   BYTEA NOT NULL,
    time_micros  BIGINT NOT NULL,
    public_key   BYTEA NOT NULL,
    signature    BYTEA NOT NULL,
    recorded_at  BIGINT NOT NULL,
    PRIMARY KEY (replica_id, tree_size)
);
