-- 0011 meetings and votes (issue 7): meetings with their roll and agenda, votes per agenda item,
-- and ballots kept so that nothing links a member to a ballot.
-- Kept column-for-column in step with ../postgres/0011_meetings.sql (tested).

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL CHECK (kind IN ('congress_sitting', 'preparatory', 'standing_committee', 'chairpersons', 'presidium')),
    organization_id INTEGER REFERENCES organizations(id),
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('planned', 'open', 'closed')),
    check_in_key TEXT NOT NULL,
    opened_at INTEGER,
    closed_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX meetings_congress ON meetings (congress_id, starts_at);

-- Who is expected: the body's members when the meeting was called (capacity 'member') and those
-- attending without a vote (列席, capacity 'attendee').
CREATE TABLE meeting_roll (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    capacity TEXT NOT NULL CHECK (capacity IN ('member', 'attendee')),
    attendance TEXT NOT NULL CHECK (attendance IN ('expected', 'present', 'leave_requested', 'excused')),
    checked_in_at INTEGER,
    checked_in_via TEXT,
    leave_reason TEXT,
    PRIMARY KEY (meeting_id, person_id)
);
CREATE INDEX meeting_roll_user ON meeting_roll (user_id, attendance);

CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'deliberation', 'decision', 'election', 'appointment', 'selection', 'rating')),
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (meeting_id, position)
);

-- One vote on an agenda item. `members` and `present` are snapshotted when it opens; `published`
-- is the recount input (docs/tally.md) with the ballots shuffled, `result` its output.
CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    item_id INTEGER NOT NULL REFERENCES agenda_items(id),
    rule TEXT NOT NULL CHECK (rule IN ('decision', 'election', 'selection', 'rating')),
    method TEXT NOT NULL CHECK (method IN ('secret', 'named', 'hands', 'paper')),
    subject TEXT NOT NULL,
    seats INTEGER,
    candidates TEXT,
    post TEXT,
    -- 另选他人 limited to deputies of the congress (常委会组成人员: 组织法 Art 47 "在代表中选举").
    write_in_deputies INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('ready', 'open', 'closed')),
    members INTEGER,
    present INTEGER,
    opened_at INTEGER,
    closed_at INTEGER,
    method_note TEXT,
    published TEXT,
    result TEXT,
    passed INTEGER,
    digest TEXT,
    signature TEXT,
    seal_version INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX votes_meeting ON votes (meeting_id, id);

-- The fact that a member voted — nothing about how.
CREATE TABLE vote_participation (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    PRIMARY KEY (vote_id, person_id)
);

-- Secret ballots: a random key, the content, nothing else — no row id, no time, no voter. Stored
-- in key order (WITHOUT ROWID), so that storage follows no voting order.
CREATE TABLE ballots (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    ballot_key TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (vote_id, ballot_key)
) WITHOUT ROWID;

-- The voters' random trackers, kept apart from the contents they could otherwise identify.
CREATE TABLE ballot_trackers (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    tracker TEXT NOT NULL,
    PRIMARY KEY (vote_id, tracker)
) WITHOUT ROWID;

-- A named vote (记名表决) publishes who voted how.
CREATE TABLE named_ballots (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    content TEXT NOT NULL,
    PRIMARY KEY (vote_id, person_id)
);

-- A sealed result is final: a correction (the tellers' recount, say) is a new record with its
-- reason, counted and sealed like the result it corrects, which stays as it was.
CREATE TABLE vote_corrections (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    reason TEXT NOT NULL,
    published TEXT NOT NULL,
    result TEXT NOT NULL,
    passed INTEGER,
    digest TEXT NOT NULL,
    signature TEXT NOT NULL,
    seal_version INTEGER NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX vote_corrections_vote ON vote_corrections (vote_id, id);
