-- 0004 security: personal data sealed at rest (SM4-GCM, keys outside the database) with keyed
-- digests for exact look-ups; the second factor; the installation's security policy; audit
-- pruning anchors; data-subject requests; SM2 sealing keys' public halves.
-- Kept column-for-column in step with ../postgres/0004_security.sql (tested).

ALTER TABLE persons ADD COLUMN id_card_sealed TEXT;
ALTER TABLE persons ADD COLUMN phone_sealed TEXT;
ALTER TABLE persons ADD COLUMN phone_digest TEXT;
ALTER TABLE persons ADD COLUMN email_sealed TEXT;
ALTER TABLE persons ADD COLUMN email_digest TEXT;
ALTER TABLE persons ADD COLUMN address_sealed TEXT;
CREATE INDEX persons_phone ON persons (phone_digest);
CREATE INDEX persons_email ON persons (email_digest);

ALTER TABLE users ADD COLUMN password_changed_at INTEGER;
ALTER TABLE users ADD COLUMN otp_secret_sealed TEXT;
ALTER TABLE users ADD COLUMN otp_algorithm TEXT;
ALTER TABLE users ADD COLUMN otp_enabled_at INTEGER;
ALTER TABLE users ADD COLUMN otp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled_reason TEXT;
ALTER TABLE users ADD COLUMN unlocked_at INTEGER;

-- 'full', or the step still owed: 'second_factor' (enrolled, code not yet given) or 'enrol'.
ALTER TABLE auth_sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_digest TEXT NOT NULL,
    used_at INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE security_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users(id)
);

ALTER TABLE audit_chains ADD COLUMN pruned_through INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_chains ADD COLUMN pruned_digest TEXT NOT NULL DEFAULT '';

CREATE TABLE privacy_requests (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL CHECK (kind IN ('access', 'copy', 'correction', 'deletion')),
    requester_sealed TEXT NOT NULL,
    subject_digest TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'refused')),
    answer TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    closed_by INTEGER REFERENCES users(id),
    closed_at INTEGER
);
CREATE INDEX privacy_requests_congress ON privacy_requests (congress_id, id);

CREATE TABLE seal_keys (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    version INTEGER NOT NULL,
    public_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, version)
);
