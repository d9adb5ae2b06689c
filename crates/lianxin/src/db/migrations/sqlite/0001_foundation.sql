-- 0001 foundation: congresses, people, accounts, audit, notifications, jobs.
-- Kept column-for-column in step with ../postgres/0001_foundation.sql (tested).
-- Times are Unix milliseconds (UTC); calendar dates are 'YYYY-MM-DD' in Asia/Shanghai.

CREATE TABLE congresses (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES congresses(id),
    level TEXT NOT NULL CHECK (level IN ('district', 'town')),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    region_code TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    number INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    UNIQUE (congress_id, number)
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    term_id INTEGER NOT NULL REFERENCES terms(id),
    number INTEGER NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    UNIQUE (term_id, number)
);

CREATE TABLE constituencies (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    name TEXT NOT NULL,
    town_congress_id INTEGER REFERENCES congresses(id),
    UNIQUE (congress_id, name)
);

CREATE TABLE stations (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL CHECK (kind IN ('liaison_station', 'deputies_home')),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    UNIQUE (congress_id, name)
);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL,
    organ_kind TEXT,
    name TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions(id),
    parent_id INTEGER REFERENCES organizations(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (congress_id, kind, name)
);
CREATE INDEX organizations_congress_kind ON organizations (congress_id, kind, name, id);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    ethnicity TEXT NOT NULL,
    birth_date TEXT,
    id_card_digest TEXT UNIQUE,
    id_card_masked TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE deputies (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    term_id INTEGER NOT NULL REFERENCES terms(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    name_key TEXT NOT NULL,
    constituency_id INTEGER REFERENCES constituencies(id),
    delegation_id INTEGER REFERENCES organizations(id),
    station_id INTEGER REFERENCES stations(id),
    party TEXT NOT NULL,
    composition TEXT NOT NULL,
    occupation TEXT NOT NULL,
    education TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_office', 'suspended', 'terminated')),
    status_date TEXT,
    status_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (congress_id, term_id, person_id)
);
CREATE INDEX deputies_list ON deputies (congress_id, name_key, id);
CREATE INDEX deputies_person ON deputies (person_id);
CREATE INDEX deputies_constituency ON deputies (congress_id, constituency_id);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    post TEXT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    UNIQUE (organization_id, person_id, post)
);
CREATE INDEX memberships_person ON memberships (person_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    person_id INTEGER REFERENCES persons(id),
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    last_login_at INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    role TEXT NOT NULL,
    office TEXT,
    organization_id INTEGER REFERENCES organizations(id),
    granted_at INTEGER NOT NULL,
    UNIQUE (user_id, congress_id, role)
);
CREATE INDEX role_grants_user ON role_grants (user_id);

CREATE TABLE auth_sessions (
    token_digest TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER,
    congress_id INTEGER,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    fields TEXT NOT NULL,
    client_addr TEXT
);
CREATE INDEX audit_log_congress ON audit_log (congress_id, id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER REFERENCES congresses(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_inbox ON notifications (user_id, id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER REFERENCES congresses(id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    delivered_at INTEGER,
    failed_at INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);

CREATE TABLE scheduled_jobs (
    name TEXT PRIMARY KEY,
    last_run_on TEXT,
    last_started_at INTEGER,
    last_finished_at INTEGER
);
