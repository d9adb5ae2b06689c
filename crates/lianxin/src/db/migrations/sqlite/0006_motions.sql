-- 0006 motions: deputies' and institutions' motions (议案) filed at a session, their signers and
-- history; a motion not put on the agenda may continue as a suggestion (suggestion_id).
-- Kept column-for-column in step with ../postgres/0006_motions.sql (tested).

CREATE TABLE motions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    session_id INTEGER REFERENCES sessions(id),
    proposer TEXT NOT NULL,
    lead_deputy_id INTEGER REFERENCES deputies(id),
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    state TEXT NOT NULL,
    number INTEGER,
    committee_id INTEGER REFERENCES organizations(id),
    report TEXT,
    decision_note TEXT,
    suggestion_id INTEGER REFERENCES suggestions(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (congress_id, session_id, number)
);
CREATE INDEX motions_congress ON motions (congress_id, id);

CREATE TABLE motion_signers (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    motion_id INTEGER NOT NULL REFERENCES motions(id),
    deputy_id INTEGER NOT NULL REFERENCES deputies(id),
    consent TEXT NOT NULL CHECK (consent IN ('invited', 'accepted', 'declined')),
    responded_at INTEGER,
    UNIQUE (motion_id, deputy_id)
);
CREATE INDEX motion_signers_deputy ON motion_signers (deputy_id);

CREATE TABLE motion_events (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    motion_id INTEGER NOT NULL REFERENCES motions(id),
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX motion_events_item ON motion_events (motion_id, id);

-- A unit's request to extend a suggestion's reply deadline (代表法 Art 51: six months at most).
ALTER TABLE suggestions ADD COLUMN extension_months INTEGER;
ALTER TABLE suggestions ADD COLUMN extension_reason TEXT;
-- 重点督办: the leader the chairpersons' meeting named to supervise a key item.
ALTER TABLE suggestions ADD COLUMN supervisor TEXT;

-- The office's templates of the assignment notice and the reply letter (built-in ones until set).
CREATE TABLE document_templates (
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (congress_id, kind)
);

-- 协办意见与会签: each co-unit's opinion to the lead unit (its countersignature of the reply).
CREATE TABLE suggestion_opinions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    unit_id INTEGER NOT NULL REFERENCES organizations(id),
    opinion TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (suggestion_id, unit_id)
);
