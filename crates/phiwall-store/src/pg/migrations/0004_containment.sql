-- Containment shared by every replica (issue 8 actions, issue 10 propagation): what incident
-- response suspended, blocked or tightened holds on every replica, and a single revision
-- counter tells each replica's poll (every 250 ms) that something changed.
CREATE TABLE IF NOT EXISTS containment (
    id             BIGSERIAL PRIMARY KEY,
    kind           TEXT NOT NULL,
    target         TEXT NOT NULL,
    incident       TEXT NOT NULL,
    reason         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT,
    lifted_at      BIGINT,
    lifted_reason  TEXT
);

CREATE INDEX IF NOT EXISTS containment_open ON containment (lifted_at, expires_at);
CREATE INDEX IF NOT EXISTS containment_incident ON containment (incident);

CREATE TABLE IF NOT EXISTS containment_revision (
    id        INT PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);

INSERT INTO containment_revision (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
