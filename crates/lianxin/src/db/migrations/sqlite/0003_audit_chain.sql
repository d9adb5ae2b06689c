-- 0003 audit chain: every audit record carries its place in its chain (one chain per congress,
-- 0 for records of no congress), the digest of the record before it, and its own SM3 digest.
-- Kept in step with ../postgres/0003_audit_chain.sql (tested).

ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN prev_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN digest TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_chain_seq ON audit_log (chain, seq);

CREATE TABLE audit_chains (
    chain INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    last_digest TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY,
    chain INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    digest TEXT NOT NULL,
    mac TEXT NOT NULL,
    at INTEGER NOT NULL
);
