-- 0005 suggestions: deputies' suggestions (代表建议) — the item, its co-signers, the units it is
-- assigned to, its history, the units' contacts with the deputy, replies and evaluations.
-- Kept column-for-column in step with ../postgres/0005_suggestions.sql (tested).

CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    lead_deputy_id INTEGER NOT NULL REFERENCES deputies(id),
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    category TEXT NOT NULL,
    town_congress_id INTEGER REFERENCES congresses(id),
    -- 'session' (大会期间) or 'recess' (闭会期间), and the numbering period: 's<session id>' or 'y<year>'.
    period_kind TEXT NOT NULL CHECK (period_kind IN ('session', 'recess')),
    period_key TEXT NOT NULL,
    number INTEGER,
    state TEXT NOT NULL,
    complex INTEGER NOT NULL DEFAULT 0,
    assigned_on TEXT,
    due_on TEXT,
    replied_on TEXT,
    reply_class TEXT,
    -- For class B replies: 'pending' until the unit reports it solved, then 'reported', 'verified'.
    delivery TEXT NOT NULL DEFAULT 'none',
    rating TEXT,
    unsatisfied_count INTEGER NOT NULL DEFAULT 0,
    feedback_due_on TEXT,
    closed_on TEXT,
    key_supervision INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (congress_id, period_key, number)
);
CREATE INDEX suggestions_state ON suggestions (congress_id, state, id);
CREATE INDEX suggestions_congress ON suggestions (congress_id, id);
CREATE INDEX suggestions_lead ON suggestions (lead_deputy_id);

CREATE TABLE suggestion_signers (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    deputy_id INTEGER NOT NULL REFERENCES deputies(id),
    consent TEXT NOT NULL CHECK (consent IN ('invited', 'accepted', 'declined')),
    responded_at INTEGER,
    UNIQUE (suggestion_id, deputy_id)
);
CREATE INDEX suggestion_signers_deputy ON suggestion_signers (deputy_id);

CREATE TABLE suggestion_units (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    unit_id INTEGER NOT NULL REFERENCES organizations(id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    assigned_at INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    returned_at INTEGER,
    return_reason TEXT
);
CREATE INDEX suggestion_units_unit ON suggestion_units (unit_id, active);
CREATE INDEX suggestion_units_item ON suggestion_units (suggestion_id);

CREATE TABLE suggestion_events (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX suggestion_events_item ON suggestion_events (suggestion_id, id);

CREATE TABLE suggestion_contacts (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    unit_id INTEGER NOT NULL REFERENCES organizations(id),
    on_date TEXT NOT NULL,
    form TEXT NOT NULL CHECK (form IN ('visit', 'meeting', 'phone', 'site_inspection')),
    content TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX suggestion_contacts_item ON suggestion_contacts (suggestion_id);

CREATE TABLE suggestion_replies (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    unit_id INTEGER NOT NULL REFERENCES organizations(id),
    class TEXT NOT NULL CHECK (class IN ('A', 'B', 'C', 'D')),
    body TEXT NOT NULL,
    signed_by INTEGER NOT NULL REFERENCES users(id),
    replied_on TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX suggestion_replies_item ON suggestion_replies (suggestion_id);
