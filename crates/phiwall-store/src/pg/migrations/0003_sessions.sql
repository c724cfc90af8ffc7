-- Conversation sessions shared by every replica (caller verification survives a load balancer
-- sending the next turn elsewhere). Same columns and invariants as the embedded store: keyed
-- references only, addressed by (app, id), expiry checked on read.
CREATE TABLE IF NOT EXISTS sessions (
    app         TEXT NOT NULL,
    id          TEXT NOT NULL,
    caller_ref  TEXT,
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (app, id)
);

CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
