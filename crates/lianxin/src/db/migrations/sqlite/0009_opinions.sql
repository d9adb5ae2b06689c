-- 0009 opinions: citizens' opinions (群众意见) through the portal, deputies' and stations' QR
-- codes and staff entry, each with a tracking code the citizen follows; and their history.
-- Kept column-for-column in step with ../postgres/0009_opinions.sql (tested).

CREATE TABLE opinions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    -- Random, unguessable; stored without the dash it is shown with.
    tracking_code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('question', 'need', 'idea')),
    category TEXT NOT NULL,
    place TEXT NOT NULL,
    deputy_id INTEGER REFERENCES deputies(id),
    station_id INTEGER REFERENCES stations(id),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'deputy_qr', 'station_qr', 'walk_in', 'phone', 'letter')),
    body TEXT NOT NULL,
    -- The citizen's contact, sealed; whether handling units may see it.
    contact_sealed TEXT,
    share_contact INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('received', 'answered', 'reopened')),
    answer TEXT,
    answered_on TEXT,
    -- The citizen's rating of the latest answer; 不满意 with a reason reopens it once.
    rating TEXT CHECK (rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
    rating_reason TEXT,
    rated_round INTEGER,
    reopened INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX opinions_congress ON opinions (congress_id, id);
CREATE INDEX opinions_state ON opinions (congress_id, state, id);

CREATE TABLE opinion_events (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    opinion_id INTEGER NOT NULL REFERENCES opinions(id),
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    -- What the citizen's tracking page shows of the step (plain language), if anything.
    public_note TEXT NOT NULL
);
CREATE INDEX opinion_events_item ON opinion_events (opinion_id, id);
