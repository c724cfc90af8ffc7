-- Incidents shared by every replica (issue 8 records, issue 10 cluster mode): the same tables as
-- the embedded incidents.sqlite3, so an incident raised by the replica that holds the detector
-- lease is listed, contained and closed from any replica, and survives the lease moving.
CREATE TABLE IF NOT EXISTS incidents (
    id          TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    severity    TEXT NOT NULL,
    opened_at   BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    body        TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS incident_keys (
    key        TEXT NOT NULL,
    incident   TEXT NOT NULL,
    last_seen  BIGINT NOT NULL,
    PRIMARY KEY (key, incident)
);

CREATE INDEX IF NOT EXISTS incident_keys_recent ON incident_keys (key, last_seen DESC);

-- Audit records waiting for a ledger. Any replica may append them to its own chain: a replica
-- claims a batch for 30 s (claimed_until, unix ms) so two replicas do not append the same record;
-- `replica` names the chain that holds `seq` once written.
CREATE TABLE IF NOT EXISTS incident_outbox (
    id             BIGSERIAL PRIMARY KEY,
    incident       TEXT NOT NULL,
    time           BIGINT NOT NULL,
    body           TEXT NOT NULL,
    seq            BIGINT,
    replica        TEXT,
    claimed_until  BIGINT
);

CREATE INDEX IF NOT EXISTS incident_outbox_pending ON incident_outbox (id) WHERE seq IS NULL;
CREATE INDEX IF NOT EXISTS incident_outbox_incident ON incident_outbox (incident, id);

CREATE TABLE IF NOT EXISTS incident_meta (
    id           INT PRIMARY KEY CHECK (id = 1),
    next_number  BIGINT NOT NULL
);

INSERT INTO incident_meta (id, next_number) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
