-- 0014 tenant keys, SQLite's counterpart of ../postgres/0014_tenant_keys.sql (issue 18): every
-- tenant table is rebuilt so that congress_id is part of every unique key and of every foreign
-- key between tenant tables. SQLite keeps `id INTEGER PRIMARY KEY` (the rowid, which gives new
-- rows their id) and states the key the rules want as UNIQUE (congress_id, id); composite primary
-- keys lead with congress_id as on PostgreSQL. Generated once from the schema of 0001-0013 and
-- reviewed. Parents are rebuilt before their children, each as: rename to __old, create, copy,
-- drop the old one. Foreign keys cannot be switched off inside the migration's transaction, so
-- they are deferred to its commit: dropping an old parent orphans the old children's rows for a
-- moment, dropping those children settles them again, and the commit checks every copied row
-- against the new keys (an upgrade with data is tested on the demo database).
PRAGMA defer_foreign_keys = ON;

-- History moves with a transferred opinion (the rows a transfer left in the old congress).
UPDATE opinion_events SET congress_id = (SELECT o.congress_id FROM opinions o WHERE o.id = opinion_events.opinion_id)
WHERE congress_id <> (SELECT o.congress_id FROM opinions o WHERE o.id = opinion_events.opinion_id);


-- terms
ALTER TABLE terms RENAME TO terms__old;
CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    number INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    UNIQUE (congress_id, number),
    UNIQUE (congress_id, id)
);
INSERT INTO terms (id, congress_id, number, starts_on, ends_on) SELECT id, congress_id, number, starts_on, ends_on FROM terms__old;
DROP TABLE terms__old;

-- sessions
ALTER TABLE sessions RENAME TO sessions__old;
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    term_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL, motion_deadline TEXT,
    UNIQUE (congress_id, term_id, number),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, term_id) REFERENCES terms (congress_id, id)
);
INSERT INTO sessions (id, congress_id, term_id, number, opens_on, closes_on, motion_deadline) SELECT id, congress_id, term_id, number, opens_on, closes_on, motion_deadline FROM sessions__old;
DROP TABLE sessions__old;

-- organizations
ALTER TABLE organizations RENAME TO organizations__old;
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL,
    organ_kind TEXT,
    name TEXT NOT NULL,
    session_id INTEGER,
    parent_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (congress_id, kind, name),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, parent_id) REFERENCES organizations (congress_id, id),
    FOREIGN KEY (congress_id, session_id) REFERENCES sessions (congress_id, id)
);
INSERT INTO organizations (id, congress_id, kind, organ_kind, name, session_id, parent_id, created_at, updated_at) SELECT id, congress_id, kind, organ_kind, name, session_id, parent_id, created_at, updated_at FROM organizations__old;
DROP TABLE organizations__old;
CREATE INDEX organizations_congress_kind ON organizations (congress_id, kind, name, id);

-- meetings
ALTER TABLE meetings RENAME TO meetings__old;
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL CHECK (kind IN ('congress_sitting', 'preparatory', 'standing_committee', 'chairpersons', 'presidium')),
    organization_id INTEGER,
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('planned', 'open', 'closed')),
    check_in_key TEXT NOT NULL,
    opened_at INTEGER,
    closed_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, organization_id) REFERENCES organizations (congress_id, id)
);
INSERT INTO meetings (id, congress_id, kind, organization_id, title, place, starts_at, state, check_in_key, opened_at, closed_at, created_by, created_at) SELECT id, congress_id, kind, organization_id, title, place, starts_at, state, check_in_key, opened_at, closed_at, created_by, created_at FROM meetings__old;
DROP TABLE meetings__old;
CREATE INDEX meetings_congress ON meetings (congress_id, starts_at);

-- agenda_items
ALTER TABLE agenda_items RENAME TO agenda_items__old;
CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    meeting_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'deliberation', 'decision', 'election', 'appointment', 'selection', 'rating')),
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, meeting_id, position),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, meeting_id) REFERENCES meetings (congress_id, id)
);
INSERT INTO agenda_items (id, congress_id, meeting_id, position, kind, title, created_at) SELECT id, congress_id, meeting_id, position, kind, title, created_at FROM agenda_items__old;
DROP TABLE agenda_items__old;

-- attachments
ALTER TABLE attachments RENAME TO attachments__old;
CREATE TABLE "attachments" (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    owner_kind TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    digest TEXT NOT NULL,
    body_sealed TEXT NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, id)
);
INSERT INTO attachments (id, congress_id, owner_kind, owner_id, purpose, file_name, media_type, size, digest, body_sealed, uploaded_by, created_at) SELECT id, congress_id, owner_kind, owner_id, purpose, file_name, media_type, size, digest, body_sealed, uploaded_by, created_at FROM attachments__old;
DROP TABLE attachments__old;
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, id);

-- votes
ALTER TABLE votes RENAME TO votes__old;
CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    meeting_id INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
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
, ballot_form TEXT CHECK (ballot_form IN ('choose', 'per_item')), selection_rule TEXT CHECK (selection_rule IN ('over_half_of_members', 'over_half_of_present', 'most_votes')), ballot_public_key TEXT, purge_pending INTEGER NOT NULL DEFAULT 0,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, item_id) REFERENCES agenda_items (congress_id, id),
    FOREIGN KEY (congress_id, meeting_id) REFERENCES meetings (congress_id, id)
);
INSERT INTO votes (id, congress_id, meeting_id, item_id, rule, method, subject, seats, candidates, post, write_in_deputies, state, members, present, opened_at, closed_at, method_note, published, result, passed, digest, signature, seal_version, created_at, ballot_form, selection_rule, ballot_public_key, purge_pending) SELECT id, congress_id, meeting_id, item_id, rule, method, subject, seats, candidates, post, write_in_deputies, state, members, present, opened_at, closed_at, method_note, published, result, passed, digest, signature, seal_version, created_at, ballot_form, selection_rule, ballot_public_key, purge_pending FROM votes__old;
DROP TABLE votes__old;
CREATE INDEX votes_meeting ON votes (meeting_id, id);

-- ballot_trackers
ALTER TABLE ballot_trackers RENAME TO ballot_trackers__old;
CREATE TABLE ballot_trackers (
    vote_id INTEGER NOT NULL,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    tracker TEXT NOT NULL,
    PRIMARY KEY (congress_id, vote_id, tracker),
    FOREIGN KEY (congress_id, vote_id) REFERENCES votes (congress_id, id)
) WITHOUT ROWID;
INSERT INTO ballot_trackers (vote_id, congress_id, tracker) SELECT vote_id, congress_id, tracker FROM ballot_trackers__old;
DROP TABLE ballot_trackers__old;

-- ballots
ALTER TABLE ballots RENAME TO ballots__old;
CREATE TABLE ballots (
    vote_id INTEGER NOT NULL,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    ballot_key TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (congress_id, vote_id, ballot_key),
    FOREIGN KEY (congress_id, vote_id) REFERENCES votes (congress_id, id)
) WITHOUT ROWID;
INSERT INTO ballots (vote_id, congress_id, ballot_key, content) SELECT vote_id, congress_id, ballot_key, content FROM ballots__old;
DROP TABLE ballots__old;

-- congress_settings
ALTER TABLE congress_settings RENAME TO congress_settings__old;
CREATE TABLE congress_settings (
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_text TEXT NOT NULL,
    decided_on TEXT,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    PRIMARY KEY (congress_id, key)
);
INSERT INTO congress_settings (congress_id, key, value, source_kind, source_text, decided_on, updated_at, updated_by) SELECT congress_id, key, value, source_kind, source_text, decided_on, updated_at, updated_by FROM congress_settings__old;
DROP TABLE congress_settings__old;

-- congress_settings_history
ALTER TABLE congress_settings_history RENAME TO congress_settings_history__old;
CREATE TABLE congress_settings_history (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_text TEXT NOT NULL,
    decided_on TEXT,
    changed_at INTEGER NOT NULL,
    changed_by INTEGER REFERENCES users(id),
    UNIQUE (congress_id, id)
);
INSERT INTO congress_settings_history (id, congress_id, key, value, source_kind, source_text, decided_on, changed_at, changed_by) SELECT id, congress_id, key, value, source_kind, source_text, decided_on, changed_at, changed_by FROM congress_settings_history__old;
DROP TABLE congress_settings_history__old;
CREATE INDEX congress_settings_history_key ON congress_settings_history (congress_id, key, id);

-- constituencies
ALTER TABLE constituencies RENAME TO constituencies__old;
CREATE TABLE constituencies (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    name TEXT NOT NULL,
    town_congress_id INTEGER REFERENCES congresses(id),
    UNIQUE (congress_id, name),
    UNIQUE (congress_id, id)
);
INSERT INTO constituencies (id, congress_id, name, town_congress_id) SELECT id, congress_id, name, town_congress_id FROM constituencies__old;
DROP TABLE constituencies__old;

-- deadlines
ALTER TABLE deadlines RENAME TO deadlines__old;
CREATE TABLE deadlines (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    module TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    start_on TEXT NOT NULL,
    amount INTEGER NOT NULL,
    unit TEXT NOT NULL,
    due_on TEXT NOT NULL,
    basis_rule TEXT NOT NULL,
    basis_source TEXT NOT NULL,
    unloaded_years TEXT NOT NULL,
    holder_user_id INTEGER REFERENCES users(id),
    link TEXT NOT NULL,
    closed_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, module, item_id, kind),
    UNIQUE (congress_id, id)
);
INSERT INTO deadlines (id, congress_id, module, item_id, kind, start_on, amount, unit, due_on, basis_rule, basis_source, unloaded_years, holder_user_id, link, closed_at, created_at) SELECT id, congress_id, module, item_id, kind, start_on, amount, unit, due_on, basis_rule, basis_source, unloaded_years, holder_user_id, link, closed_at, created_at FROM deadlines__old;
DROP TABLE deadlines__old;
CREATE INDEX deadlines_open ON deadlines (closed_at, due_on);

-- stations
ALTER TABLE stations RENAME TO stations__old;
CREATE TABLE stations (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL CHECK (kind IN ('liaison_station', 'deputies_home')),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    opening_hours TEXT NOT NULL, contact TEXT NOT NULL DEFAULT '',
    UNIQUE (congress_id, name),
    UNIQUE (congress_id, id)
);
INSERT INTO stations (id, congress_id, kind, name, address, opening_hours, contact) SELECT id, congress_id, kind, name, address, opening_hours, contact FROM stations__old;
DROP TABLE stations__old;

-- deputies
ALTER TABLE deputies RENAME TO deputies__old;
CREATE TABLE deputies (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    term_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    name_key TEXT NOT NULL,
    constituency_id INTEGER,
    delegation_id INTEGER,
    station_id INTEGER,
    party TEXT NOT NULL,
    composition TEXT NOT NULL,
    occupation TEXT NOT NULL,
    education TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_office', 'suspended', 'terminated')),
    status_date TEXT,
    status_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (congress_id, term_id, person_id),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, constituency_id) REFERENCES constituencies (congress_id, id),
    FOREIGN KEY (congress_id, delegation_id) REFERENCES organizations (congress_id, id),
    FOREIGN KEY (congress_id, station_id) REFERENCES stations (congress_id, id),
    FOREIGN KEY (congress_id, term_id) REFERENCES terms (congress_id, id)
);
INSERT INTO deputies (id, congress_id, term_id, person_id, name_key, constituency_id, delegation_id, station_id, party, composition, occupation, education, status, status_date, status_reason, created_at, updated_at) SELECT id, congress_id, term_id, person_id, name_key, constituency_id, delegation_id, station_id, party, composition, occupation, education, status, status_date, status_reason, created_at, updated_at FROM deputies__old;
DROP TABLE deputies__old;
CREATE INDEX deputies_constituency ON deputies (congress_id, constituency_id);
CREATE INDEX deputies_list ON deputies (congress_id, name_key, id);
CREATE INDEX deputies_person ON deputies (person_id);

-- document_templates
ALTER TABLE document_templates RENAME TO document_templates__old;
CREATE TABLE document_templates (
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (congress_id, kind)
);
INSERT INTO document_templates (congress_id, kind, body, updated_by, updated_at) SELECT congress_id, kind, body, updated_by, updated_at FROM document_templates__old;
DROP TABLE document_templates__old;

-- livelihood_cycles
ALTER TABLE livelihood_cycles RENAME TO livelihood_cycles__old;
CREATE TABLE livelihood_cycles (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    -- 票决办法: N projects to select, the contest ratio in percent over N, the ballot form.
    places INTEGER NOT NULL,
    ratio_percent INTEGER NOT NULL,
    ballot_form TEXT NOT NULL CHECK (ballot_form IN ('choose', 'per_item')),
    selection_rule TEXT NOT NULL CHECK (selection_rule IN ('over_half_of_members', 'over_half_of_present', 'most_votes')),
    review_item_id INTEGER,
    review_opinion TEXT,
    reviewed_at INTEGER,
    vote_id INTEGER,
    -- After the vote: 'selected' (N filled), 'runoff' (a tie at the cut-off), 'shortfall'.
    outcome TEXT CHECK (outcome IN ('selected', 'runoff', 'shortfall')),
    outcome_note TEXT,
    rating_item_id INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, year),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, rating_item_id) REFERENCES agenda_items (congress_id, id),
    FOREIGN KEY (congress_id, review_item_id) REFERENCES agenda_items (congress_id, id),
    FOREIGN KEY (congress_id, vote_id) REFERENCES votes (congress_id, id)
);
INSERT INTO livelihood_cycles (id, congress_id, year, title, places, ratio_percent, ballot_form, selection_rule, review_item_id, review_opinion, reviewed_at, vote_id, outcome, outcome_note, rating_item_id, created_by, created_at) SELECT id, congress_id, year, title, places, ratio_percent, ballot_form, selection_rule, review_item_id, review_opinion, reviewed_at, vote_id, outcome, outcome_note, rating_item_id, created_by, created_at FROM livelihood_cycles__old;
DROP TABLE livelihood_cycles__old;

-- livelihood_projects
ALTER TABLE livelihood_projects RENAME TO livelihood_projects__old;
CREATE TABLE livelihood_projects (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    cycle_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    targets TEXT NOT NULL,
    budget_yuan INTEGER NOT NULL,
    lead_unit_id INTEGER NOT NULL,
    timetable TEXT NOT NULL,
    responsible TEXT,
    state TEXT NOT NULL CHECK (state IN ('candidate', 'withdrawn', 'selected', 'not_selected')),
    approvals INTEGER,
    rating_vote_id INTEGER,
    rating TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, cycle_id, title),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, cycle_id) REFERENCES livelihood_cycles (congress_id, id),
    FOREIGN KEY (congress_id, lead_unit_id) REFERENCES organizations (congress_id, id),
    FOREIGN KEY (congress_id, rating_vote_id) REFERENCES votes (congress_id, id)
);
INSERT INTO livelihood_projects (id, congress_id, cycle_id, title, content, targets, budget_yuan, lead_unit_id, timetable, responsible, state, approvals, rating_vote_id, rating, created_by, created_at) SELECT id, congress_id, cycle_id, title, content, targets, budget_yuan, lead_unit_id, timetable, responsible, state, approvals, rating_vote_id, rating, created_by, created_at FROM livelihood_projects__old;
DROP TABLE livelihood_projects__old;

-- livelihood_milestones
ALTER TABLE livelihood_milestones RENAME TO livelihood_milestones__old;
CREATE TABLE livelihood_milestones (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    project_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    weight INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    done_on TEXT,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, project_id) REFERENCES livelihood_projects (congress_id, id)
);
INSERT INTO livelihood_milestones (id, congress_id, project_id, title, weight, due_on, percent, done_on) SELECT id, congress_id, project_id, title, weight, due_on, percent, done_on FROM livelihood_milestones__old;
DROP TABLE livelihood_milestones__old;
CREATE INDEX livelihood_milestones_project ON livelihood_milestones (project_id, due_on);

-- livelihood_phases
ALTER TABLE livelihood_phases RENAME TO livelihood_phases__old;
CREATE TABLE livelihood_phases (
    cycle_id INTEGER NOT NULL,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    phase TEXT NOT NULL CHECK (phase IN ('collection', 'screening', 'review', 'vote', 'implementation', 'evaluation')),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    PRIMARY KEY (congress_id, cycle_id, phase),
    FOREIGN KEY (congress_id, cycle_id) REFERENCES livelihood_cycles (congress_id, id)
);
INSERT INTO livelihood_phases (cycle_id, congress_id, phase, starts_on, ends_on) SELECT cycle_id, congress_id, phase, starts_on, ends_on FROM livelihood_phases__old;
DROP TABLE livelihood_phases__old;

-- livelihood_problems
ALTER TABLE livelihood_problems RENAME TO livelihood_problems__old;
CREATE TABLE livelihood_problems (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    project_id INTEGER NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('visit', 'rating')),
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'answered', 'closed')),
    rectification TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    closed_at INTEGER,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, project_id) REFERENCES livelihood_projects (congress_id, id)
);
INSERT INTO livelihood_problems (id, congress_id, project_id, origin, body, state, rectification, created_by, created_at, closed_at) SELECT id, congress_id, project_id, origin, body, state, rectification, created_by, created_at, closed_at FROM livelihood_problems__old;
DROP TABLE livelihood_problems__old;
CREATE INDEX livelihood_problems_project ON livelihood_problems (project_id, id);

-- suggestions
ALTER TABLE suggestions RENAME TO suggestions__old;
CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    lead_deputy_id INTEGER NOT NULL,
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
    updated_at INTEGER NOT NULL, extension_months INTEGER, extension_reason TEXT, supervisor TEXT, delegation_id INTEGER, merged_into INTEGER, published_at INTEGER,
    UNIQUE (congress_id, period_key, number),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, delegation_id) REFERENCES organizations (congress_id, id),
    FOREIGN KEY (congress_id, lead_deputy_id) REFERENCES deputies (congress_id, id),
    FOREIGN KEY (congress_id, merged_into) REFERENCES suggestions (congress_id, id)
);
INSERT INTO suggestions (id, congress_id, lead_deputy_id, title, content, category, town_congress_id, period_kind, period_key, number, state, complex, assigned_on, due_on, replied_on, reply_class, delivery, rating, unsatisfied_count, feedback_due_on, closed_on, key_supervision, created_at, updated_at, extension_months, extension_reason, supervisor, delegation_id, merged_into, published_at) SELECT id, congress_id, lead_deputy_id, title, content, category, town_congress_id, period_kind, period_key, number, state, complex, assigned_on, due_on, replied_on, reply_class, delivery, rating, unsatisfied_count, feedback_due_on, closed_on, key_supervision, created_at, updated_at, extension_months, extension_reason, supervisor, delegation_id, merged_into, published_at FROM suggestions__old;
DROP TABLE suggestions__old;
CREATE INDEX suggestions_congress ON suggestions (congress_id, id);
CREATE INDEX suggestions_lead ON suggestions (lead_deputy_id, id);
CREATE INDEX suggestions_published ON suggestions (congress_id, published_at);
CREATE INDEX suggestions_state ON suggestions (congress_id, state, id);

-- opinions
ALTER TABLE opinions RENAME TO opinions__old;
CREATE TABLE opinions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    -- Random, unguessable; stored without the dash it is shown with.
    tracking_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('question', 'need', 'idea')),
    category TEXT NOT NULL,
    place TEXT NOT NULL,
    deputy_id INTEGER,
    station_id INTEGER,
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
, holder TEXT NOT NULL DEFAULT 'congress' CHECK (holder IN ('congress', 'unit', 'suggestion', 'elsewhere')), unit_id INTEGER, due_on TEXT, referral TEXT, suggestion_id INTEGER, group_id INTEGER, merged_into INTEGER,
    UNIQUE (congress_id, id),
    UNIQUE (congress_id, tracking_code),
    FOREIGN KEY (congress_id, deputy_id) REFERENCES deputies (congress_id, id),
    FOREIGN KEY (congress_id, station_id) REFERENCES stations (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id),
    FOREIGN KEY (congress_id, unit_id) REFERENCES organizations (congress_id, id)
);
INSERT INTO opinions (id, congress_id, tracking_code, kind, category, place, deputy_id, station_id, channel, body, contact_sealed, share_contact, state, answer, answered_on, rating, rating_reason, rated_round, reopened, created_at, updated_at, holder, unit_id, due_on, referral, suggestion_id, group_id, merged_into) SELECT id, congress_id, tracking_code, kind, category, place, deputy_id, station_id, channel, body, contact_sealed, share_contact, state, answer, answered_on, rating, rating_reason, rated_round, reopened, created_at, updated_at, holder, unit_id, due_on, referral, suggestion_id, group_id, merged_into FROM opinions__old;
DROP TABLE opinions__old;
CREATE INDEX opinions_congress ON opinions (congress_id, id);
CREATE INDEX opinions_group ON opinions (group_id);
CREATE INDEX opinions_state ON opinions (congress_id, state, id);
CREATE INDEX opinions_suggestion ON opinions (suggestion_id);
CREATE INDEX opinions_unit ON opinions (unit_id, id);

-- livelihood_proposals
ALTER TABLE livelihood_proposals RENAME TO livelihood_proposals__old;
CREATE TABLE livelihood_proposals (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    cycle_id INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('public', 'deputy', 'station', 'opinion', 'suggestion', 'staff')),
    opinion_id INTEGER,
    suggestion_id INTEGER,
    place TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    group_id INTEGER,
    state TEXT NOT NULL CHECK (state IN ('received', 'adopted', 'rejected')),
    reason TEXT,
    project_id INTEGER,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, cycle_id) REFERENCES livelihood_cycles (congress_id, id),
    FOREIGN KEY (congress_id, group_id) REFERENCES livelihood_proposals (congress_id, id),
    FOREIGN KEY (congress_id, opinion_id) REFERENCES opinions (congress_id, id),
    FOREIGN KEY (congress_id, project_id) REFERENCES livelihood_projects (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id)
);
INSERT INTO livelihood_proposals (id, congress_id, cycle_id, source, opinion_id, suggestion_id, place, category, title, body, group_id, state, reason, project_id, created_by, created_at) SELECT id, congress_id, cycle_id, source, opinion_id, suggestion_id, place, category, title, body, group_id, state, reason, project_id, created_by, created_at FROM livelihood_proposals__old;
DROP TABLE livelihood_proposals__old;
CREATE INDEX livelihood_proposals_cycle ON livelihood_proposals (cycle_id, id);
CREATE UNIQUE INDEX livelihood_proposals_opinion ON livelihood_proposals (congress_id, cycle_id, opinion_id) WHERE opinion_id IS NOT NULL;
CREATE UNIQUE INDEX livelihood_proposals_suggestion ON livelihood_proposals (congress_id, cycle_id, suggestion_id) WHERE suggestion_id IS NOT NULL;

-- livelihood_reports
ALTER TABLE livelihood_reports RENAME TO livelihood_reports__old;
CREATE TABLE livelihood_reports (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    project_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('progress', 'midyear', 'yearend', 'visit')),
    body TEXT NOT NULL,
    progress INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, project_id) REFERENCES livelihood_projects (congress_id, id)
);
INSERT INTO livelihood_reports (id, congress_id, project_id, kind, body, progress, created_by, created_at) SELECT id, congress_id, project_id, kind, body, progress, created_by, created_at FROM livelihood_reports__old;
DROP TABLE livelihood_reports__old;
CREATE INDEX livelihood_reports_project ON livelihood_reports (project_id, id);

-- livelihood_supervisors
ALTER TABLE livelihood_supervisors RENAME TO livelihood_supervisors__old;
CREATE TABLE livelihood_supervisors (
    project_id INTEGER NOT NULL,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    PRIMARY KEY (congress_id, project_id, person_id),
    FOREIGN KEY (congress_id, project_id) REFERENCES livelihood_projects (congress_id, id)
);
INSERT INTO livelihood_supervisors (project_id, congress_id, person_id) SELECT project_id, congress_id, person_id FROM livelihood_supervisors__old;
DROP TABLE livelihood_supervisors__old;

-- meeting_roll
ALTER TABLE meeting_roll RENAME TO meeting_roll__old;
CREATE TABLE meeting_roll (
    meeting_id INTEGER NOT NULL,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    capacity TEXT NOT NULL CHECK (capacity IN ('member', 'attendee')),
    attendance TEXT NOT NULL CHECK (attendance IN ('expected', 'present', 'leave_requested', 'excused')),
    checked_in_at INTEGER,
    checked_in_via TEXT,
    leave_reason TEXT, code_failures INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (congress_id, meeting_id, person_id),
    FOREIGN KEY (congress_id, meeting_id) REFERENCES meetings (congress_id, id)
);
INSERT INTO meeting_roll (meeting_id, congress_id, person_id, user_id, name, capacity, attendance, checked_in_at, checked_in_via, leave_reason, code_failures) SELECT meeting_id, congress_id, person_id, user_id, name, capacity, attendance, checked_in_at, checked_in_via, leave_reason, code_failures FROM meeting_roll__old;
DROP TABLE meeting_roll__old;
CREATE INDEX meeting_roll_user ON meeting_roll (user_id, attendance);

-- memberships
ALTER TABLE memberships RENAME TO memberships__old;
CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    organization_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    post TEXT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    UNIQUE (congress_id, organization_id, person_id, post),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, organization_id) REFERENCES organizations (congress_id, id)
);
INSERT INTO memberships (id, congress_id, organization_id, person_id, post, starts_on, ends_on) SELECT id, congress_id, organization_id, person_id, post, starts_on, ends_on FROM memberships__old;
DROP TABLE memberships__old;
CREATE INDEX memberships_person ON memberships (person_id);

-- motions
ALTER TABLE motions RENAME TO motions__old;
CREATE TABLE motions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    session_id INTEGER,
    proposer TEXT NOT NULL,
    lead_deputy_id INTEGER,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    state TEXT NOT NULL,
    number INTEGER,
    committee_id INTEGER,
    report TEXT,
    decision_note TEXT,
    suggestion_id INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (congress_id, session_id, number),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, committee_id) REFERENCES organizations (congress_id, id),
    FOREIGN KEY (congress_id, lead_deputy_id) REFERENCES deputies (congress_id, id),
    FOREIGN KEY (congress_id, session_id) REFERENCES sessions (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id)
);
INSERT INTO motions (id, congress_id, session_id, proposer, lead_deputy_id, title, content, state, number, committee_id, report, decision_note, suggestion_id, created_by, created_at, updated_at) SELECT id, congress_id, session_id, proposer, lead_deputy_id, title, content, state, number, committee_id, report, decision_note, suggestion_id, created_by, created_at, updated_at FROM motions__old;
DROP TABLE motions__old;
CREATE INDEX motions_congress ON motions (congress_id, id);

-- motion_events
ALTER TABLE motion_events RENAME TO motion_events__old;
CREATE TABLE motion_events (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    motion_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, motion_id) REFERENCES motions (congress_id, id)
);
INSERT INTO motion_events (id, congress_id, motion_id, at, user_id, action, from_state, to_state, note) SELECT id, congress_id, motion_id, at, user_id, action, from_state, to_state, note FROM motion_events__old;
DROP TABLE motion_events__old;
CREATE INDEX motion_events_item ON motion_events (motion_id, id);

-- motion_signers
ALTER TABLE motion_signers RENAME TO motion_signers__old;
CREATE TABLE motion_signers (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    motion_id INTEGER NOT NULL,
    deputy_id INTEGER NOT NULL,
    consent TEXT NOT NULL CHECK (consent IN ('invited', 'accepted', 'declined')),
    responded_at INTEGER,
    UNIQUE (congress_id, motion_id, deputy_id),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, deputy_id) REFERENCES deputies (congress_id, id),
    FOREIGN KEY (congress_id, motion_id) REFERENCES motions (congress_id, id)
);
INSERT INTO motion_signers (id, congress_id, motion_id, deputy_id, consent, responded_at) SELECT id, congress_id, motion_id, deputy_id, consent, responded_at FROM motion_signers__old;
DROP TABLE motion_signers__old;
CREATE INDEX motion_signers_deputy ON motion_signers (deputy_id);

-- named_ballots
ALTER TABLE named_ballots RENAME TO named_ballots__old;
CREATE TABLE named_ballots (
    vote_id INTEGER NOT NULL,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    content TEXT NOT NULL,
    PRIMARY KEY (congress_id, vote_id, person_id),
    FOREIGN KEY (congress_id, vote_id) REFERENCES votes (congress_id, id)
);
INSERT INTO named_ballots (vote_id, congress_id, person_id, content) SELECT vote_id, congress_id, person_id, content FROM named_ballots__old;
DROP TABLE named_ballots__old;

-- opinion_buckets
ALTER TABLE opinion_buckets RENAME TO opinion_buckets__old;
CREATE TABLE opinion_buckets (
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    bucket INTEGER NOT NULL,
    opinion_id INTEGER NOT NULL,
    PRIMARY KEY (congress_id, bucket, opinion_id),
    FOREIGN KEY (congress_id, opinion_id) REFERENCES opinions (congress_id, id)
);
INSERT INTO opinion_buckets (congress_id, bucket, opinion_id) SELECT congress_id, bucket, opinion_id FROM opinion_buckets__old;
DROP TABLE opinion_buckets__old;
CREATE INDEX opinion_buckets_item ON opinion_buckets (opinion_id);

-- opinion_events
ALTER TABLE opinion_events RENAME TO opinion_events__old;
CREATE TABLE opinion_events (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    opinion_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    -- What the citizen's tracking page shows of the step (plain language), if anything.
    public_note TEXT NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, opinion_id) REFERENCES opinions (congress_id, id)
);
INSERT INTO opinion_events (id, congress_id, opinion_id, at, user_id, action, public_note) SELECT id, congress_id, opinion_id, at, user_id, action, public_note FROM opinion_events__old;
DROP TABLE opinion_events__old;
CREATE INDEX opinion_events_item ON opinion_events (opinion_id, id);

-- privacy_requests
ALTER TABLE privacy_requests RENAME TO privacy_requests__old;
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
    closed_at INTEGER,
    UNIQUE (congress_id, id)
);
INSERT INTO privacy_requests (id, congress_id, kind, requester_sealed, subject_digest, received_on, due_on, status, answer, created_by, created_at, closed_by, closed_at) SELECT id, congress_id, kind, requester_sealed, subject_digest, received_on, due_on, status, answer, created_by, created_at, closed_by, closed_at FROM privacy_requests__old;
DROP TABLE privacy_requests__old;
CREATE INDEX privacy_requests_congress ON privacy_requests (congress_id, id);

-- reception_days
ALTER TABLE reception_days RENAME TO reception_days__old;
CREATE TABLE reception_days (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    station_id INTEGER NOT NULL,
    on_date TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    topic TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    cancelled_at INTEGER,
    cancel_reason TEXT,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, station_id) REFERENCES stations (congress_id, id)
);
INSERT INTO reception_days (id, congress_id, station_id, on_date, starts_at, ends_at, topic, created_by, created_at, cancelled_at, cancel_reason) SELECT id, congress_id, station_id, on_date, starts_at, ends_at, topic, created_by, created_at, cancelled_at, cancel_reason FROM reception_days__old;
DROP TABLE reception_days__old;
CREATE INDEX reception_days_congress ON reception_days (congress_id, on_date);
CREATE INDEX reception_days_station ON reception_days (station_id, on_date);

-- reception_day_deputies
ALTER TABLE reception_day_deputies RENAME TO reception_day_deputies__old;
CREATE TABLE reception_day_deputies (
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    reception_day_id INTEGER NOT NULL,
    deputy_id INTEGER NOT NULL,
    PRIMARY KEY (congress_id, reception_day_id, deputy_id),
    FOREIGN KEY (congress_id, deputy_id) REFERENCES deputies (congress_id, id),
    FOREIGN KEY (congress_id, reception_day_id) REFERENCES reception_days (congress_id, id)
);
INSERT INTO reception_day_deputies (congress_id, reception_day_id, deputy_id) SELECT congress_id, reception_day_id, deputy_id FROM reception_day_deputies__old;
DROP TABLE reception_day_deputies__old;

-- receptions
ALTER TABLE receptions RENAME TO receptions__old;
CREATE TABLE receptions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    reception_day_id INTEGER NOT NULL,
    deputy_id INTEGER,
    visitor_sealed TEXT,
    matter TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, deputy_id) REFERENCES deputies (congress_id, id),
    FOREIGN KEY (congress_id, reception_day_id) REFERENCES reception_days (congress_id, id)
);
INSERT INTO receptions (id, congress_id, reception_day_id, deputy_id, visitor_sealed, matter, created_by, created_at) SELECT id, congress_id, reception_day_id, deputy_id, visitor_sealed, matter, created_by, created_at FROM receptions__old;
DROP TABLE receptions__old;
CREATE INDEX receptions_day ON receptions (reception_day_id, id);

-- role_grants
ALTER TABLE role_grants RENAME TO role_grants__old;
CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    role TEXT NOT NULL,
    office TEXT,
    organization_id INTEGER,
    granted_at INTEGER NOT NULL,
    UNIQUE (user_id, congress_id, role),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, organization_id) REFERENCES organizations (congress_id, id)
);
INSERT INTO role_grants (id, user_id, congress_id, role, office, organization_id, granted_at) SELECT id, user_id, congress_id, role, office, organization_id, granted_at FROM role_grants__old;
DROP TABLE role_grants__old;
CREATE INDEX role_grants_user ON role_grants (user_id);

-- seal_keys
ALTER TABLE seal_keys RENAME TO seal_keys__old;
CREATE TABLE seal_keys (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    version INTEGER NOT NULL,
    public_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, version),
    UNIQUE (congress_id, id)
);
INSERT INTO seal_keys (id, congress_id, version, public_key, created_at) SELECT id, congress_id, version, public_key, created_at FROM seal_keys__old;
DROP TABLE seal_keys__old;

-- sealed_ballots
ALTER TABLE sealed_ballots RENAME TO sealed_ballots__old;
CREATE TABLE sealed_ballots (
    vote_id INTEGER NOT NULL,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    ballot_key TEXT NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (congress_id, vote_id, ballot_key),
    FOREIGN KEY (congress_id, vote_id) REFERENCES votes (congress_id, id)
) WITHOUT ROWID;
INSERT INTO sealed_ballots (vote_id, congress_id, ballot_key, sealed) SELECT vote_id, congress_id, ballot_key, sealed FROM sealed_ballots__old;
DROP TABLE sealed_ballots__old;

-- search_docs
ALTER TABLE search_docs RENAME TO search_docs__old;
CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tokens TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (congress_id, kind, item_id),
    UNIQUE (congress_id, id)
);
INSERT INTO search_docs (id, congress_id, kind, item_id, title, body, tokens, updated_at) SELECT id, congress_id, kind, item_id, title, body, tokens, updated_at FROM search_docs__old;
DROP TABLE search_docs__old;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
END;
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
    INSERT INTO search_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;

-- suggestion_contacts
ALTER TABLE suggestion_contacts RENAME TO suggestion_contacts__old;
CREATE TABLE suggestion_contacts (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    on_date TEXT NOT NULL,
    form TEXT NOT NULL CHECK (form IN ('visit', 'meeting', 'phone', 'site_inspection')),
    content TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id),
    FOREIGN KEY (congress_id, unit_id) REFERENCES organizations (congress_id, id)
);
INSERT INTO suggestion_contacts (id, congress_id, suggestion_id, unit_id, on_date, form, content, created_by, created_at) SELECT id, congress_id, suggestion_id, unit_id, on_date, form, content, created_by, created_at FROM suggestion_contacts__old;
DROP TABLE suggestion_contacts__old;
CREATE INDEX suggestion_contacts_item ON suggestion_contacts (suggestion_id);

-- suggestion_events
ALTER TABLE suggestion_events RENAME TO suggestion_events__old;
CREATE TABLE suggestion_events (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id)
);
INSERT INTO suggestion_events (id, congress_id, suggestion_id, at, user_id, action, from_state, to_state, note) SELECT id, congress_id, suggestion_id, at, user_id, action, from_state, to_state, note FROM suggestion_events__old;
DROP TABLE suggestion_events__old;
CREATE INDEX suggestion_events_item ON suggestion_events (suggestion_id, id);

-- suggestion_opinions
ALTER TABLE suggestion_opinions RENAME TO suggestion_opinions__old;
CREATE TABLE suggestion_opinions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    opinion TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, suggestion_id, unit_id),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id),
    FOREIGN KEY (congress_id, unit_id) REFERENCES organizations (congress_id, id)
);
INSERT INTO suggestion_opinions (id, congress_id, suggestion_id, unit_id, opinion, created_by, created_at) SELECT id, congress_id, suggestion_id, unit_id, opinion, created_by, created_at FROM suggestion_opinions__old;
DROP TABLE suggestion_opinions__old;

-- suggestion_ratings
ALTER TABLE suggestion_ratings RENAME TO suggestion_ratings__old;
CREATE TABLE suggestion_ratings (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL,
    deputy_id INTEGER NOT NULL,
    round INTEGER NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
    comment TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, suggestion_id, deputy_id, round),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, deputy_id) REFERENCES deputies (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id)
);
INSERT INTO suggestion_ratings (id, congress_id, suggestion_id, deputy_id, round, rating, comment, created_at) SELECT id, congress_id, suggestion_id, deputy_id, round, rating, comment, created_at FROM suggestion_ratings__old;
DROP TABLE suggestion_ratings__old;

-- suggestion_replies
ALTER TABLE suggestion_replies RENAME TO suggestion_replies__old;
CREATE TABLE suggestion_replies (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    class TEXT NOT NULL CHECK (class IN ('A', 'B', 'C', 'D')),
    body TEXT NOT NULL,
    signed_by INTEGER NOT NULL REFERENCES users(id),
    replied_on TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id),
    FOREIGN KEY (congress_id, unit_id) REFERENCES organizations (congress_id, id)
);
INSERT INTO suggestion_replies (id, congress_id, suggestion_id, unit_id, class, body, signed_by, replied_on, created_at) SELECT id, congress_id, suggestion_id, unit_id, class, body, signed_by, replied_on, created_at FROM suggestion_replies__old;
DROP TABLE suggestion_replies__old;
CREATE INDEX suggestion_replies_item ON suggestion_replies (suggestion_id);

-- suggestion_signers
ALTER TABLE suggestion_signers RENAME TO suggestion_signers__old;
CREATE TABLE suggestion_signers (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL,
    deputy_id INTEGER NOT NULL,
    consent TEXT NOT NULL CHECK (consent IN ('invited', 'accepted', 'declined')),
    responded_at INTEGER,
    UNIQUE (congress_id, suggestion_id, deputy_id),
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, deputy_id) REFERENCES deputies (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id)
);
INSERT INTO suggestion_signers (id, congress_id, suggestion_id, deputy_id, consent, responded_at) SELECT id, congress_id, suggestion_id, deputy_id, consent, responded_at FROM suggestion_signers__old;
DROP TABLE suggestion_signers__old;
CREATE INDEX suggestion_signers_deputy ON suggestion_signers (deputy_id);

-- suggestion_units
ALTER TABLE suggestion_units RENAME TO suggestion_units__old;
CREATE TABLE suggestion_units (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    assigned_at INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    returned_at INTEGER,
    return_reason TEXT,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, suggestion_id) REFERENCES suggestions (congress_id, id),
    FOREIGN KEY (congress_id, unit_id) REFERENCES organizations (congress_id, id)
);
INSERT INTO suggestion_units (id, congress_id, suggestion_id, unit_id, role, assigned_at, active, returned_at, return_reason) SELECT id, congress_id, suggestion_id, unit_id, role, assigned_at, active, returned_at, return_reason FROM suggestion_units__old;
DROP TABLE suggestion_units__old;
CREATE INDEX suggestion_units_item ON suggestion_units (suggestion_id);
CREATE INDEX suggestion_units_unit ON suggestion_units (unit_id, active);

-- vote_corrections
ALTER TABLE vote_corrections RENAME TO vote_corrections__old;
CREATE TABLE vote_corrections (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    vote_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    published TEXT NOT NULL,
    result TEXT NOT NULL,
    passed INTEGER,
    digest TEXT NOT NULL,
    signature TEXT NOT NULL,
    seal_version INTEGER NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, id),
    FOREIGN KEY (congress_id, vote_id) REFERENCES votes (congress_id, id)
);
INSERT INTO vote_corrections (id, congress_id, vote_id, reason, published, result, passed, digest, signature, seal_version, created_by, created_at) SELECT id, congress_id, vote_id, reason, published, result, passed, digest, signature, seal_version, created_by, created_at FROM vote_corrections__old;
DROP TABLE vote_corrections__old;
CREATE INDEX vote_corrections_vote ON vote_corrections (vote_id, id);

-- vote_participation
ALTER TABLE vote_participation RENAME TO vote_participation__old;
CREATE TABLE vote_participation (
    vote_id INTEGER NOT NULL,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    PRIMARY KEY (congress_id, vote_id, person_id),
    FOREIGN KEY (congress_id, vote_id) REFERENCES votes (congress_id, id)
);
INSERT INTO vote_participation (vote_id, congress_id, person_id) SELECT vote_id, congress_id, person_id FROM vote_participation__old;
DROP TABLE vote_participation__old;
