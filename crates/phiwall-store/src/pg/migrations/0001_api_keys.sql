-- API keys (phiwall-store keys.rs): the same columns as the embedded SQLite table.
CREATE TABLE IF NOT EXISTS api_keys (
    prefix      TEXT PRIMARY KEY,
    app         TEXT NOT NULL,
    name        TEXT NOT NULL,
    hash        BYTEA NOT NULL CHECK (length(hash) = 32),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);
