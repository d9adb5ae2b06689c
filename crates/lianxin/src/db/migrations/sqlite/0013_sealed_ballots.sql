-- 0013 secret ballots sealed while the vote is open (issue 17): each ballot of a secret vote is
-- encrypted with the vote's SM2 public key before it reaches the database, so the transaction
-- that records "member X voted" holds only ciphertext. The private key is kept outside the
-- database (DATA/keys/ballots/, sealed by the key store) and destroyed at close, when the
-- ballots are opened in memory, counted, and written in the clear to `ballots` in one shuffled
-- batch; the sealed rows are deleted then.
-- Kept column-for-column in step with ../postgres/0013_sealed_ballots.sql (tested).

ALTER TABLE votes ADD COLUMN ballot_public_key TEXT;
-- PostgreSQL: dead row versions of the closed vote's ballot tables that VACUUM could not remove
-- yet (an older snapshot holds them); retried every minute until none remain.
ALTER TABLE votes ADD COLUMN purge_pending INTEGER NOT NULL DEFAULT 0;

-- Wrong check-in codes a member has typed for a meeting: past the limit, staff check them in.
-- An API token's last use (written at most hourly), for the policy's idle limit.
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;

ALTER TABLE meeting_roll ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sealed_ballots (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    ballot_key TEXT NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (vote_id, ballot_key)
) WITHOUT ROWID;
