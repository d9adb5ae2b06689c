-- 0012 livelihood projects decided by deputies' vote (issue 8): a yearly cycle per congress with
-- its phases, the proposals it collected, the candidate projects screened from them, and each
-- selected project's plan, progress reports, supervision and rectification. The review, the
-- selection vote and the rating are the meetings module's agenda items and votes.
-- Kept column-for-column in step with ../postgres/0012_livelihood.sql (tested).

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
    review_item_id INTEGER REFERENCES agenda_items(id),
    review_opinion TEXT,
    reviewed_at INTEGER,
    vote_id INTEGER REFERENCES votes(id),
    -- After the vote: 'selected' (N filled), 'runoff' (a tie at the cut-off), 'shortfall'.
    outcome TEXT CHECK (outcome IN ('selected', 'runoff', 'shortfall')),
    outcome_note TEXT,
    rating_item_id INTEGER REFERENCES agenda_items(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (congress_id, year)
);

CREATE TABLE livelihood_phases (
    cycle_id INTEGER NOT NULL REFERENCES livelihood_cycles(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    phase TEXT NOT NULL CHECK (phase IN ('collection', 'screening', 'review', 'vote', 'implementation', 'evaluation')),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    PRIMARY KEY (cycle_id, phase)
);

-- A candidate project (候选项目) as the government side screened it; `state` follows it through
-- the vote. The selection and rating votes name it by its title.
CREATE TABLE livelihood_projects (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    cycle_id INTEGER NOT NULL REFERENCES livelihood_cycles(id),
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    targets TEXT NOT NULL,
    budget_yuan INTEGER NOT NULL,
    lead_unit_id INTEGER NOT NULL REFERENCES organizations(id),
    timetable TEXT NOT NULL,
    responsible TEXT,
    state TEXT NOT NULL CHECK (state IN ('candidate', 'withdrawn', 'selected', 'not_selected')),
    approvals INTEGER,
    rating_vote_id INTEGER REFERENCES votes(id),
    rating TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (cycle_id, title)
);

-- 征集 — a proposal from the public call, a deputy, a station, or an opinion (问需) or a
-- suggestion carried over with its link. `group_id` is the proposal it was grouped with.
CREATE TABLE livelihood_proposals (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    cycle_id INTEGER NOT NULL REFERENCES livelihood_cycles(id),
    source TEXT NOT NULL CHECK (source IN ('public', 'deputy', 'station', 'opinion', 'suggestion', 'staff')),
    opinion_id INTEGER REFERENCES opinions(id),
    suggestion_id INTEGER REFERENCES suggestions(id),
    place TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    group_id INTEGER REFERENCES livelihood_proposals(id),
    state TEXT NOT NULL CHECK (state IN ('received', 'adopted', 'rejected')),
    reason TEXT,
    project_id INTEGER REFERENCES livelihood_projects(id),
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX livelihood_proposals_cycle ON livelihood_proposals (cycle_id, id);
-- An opinion or a suggestion is proposed once per cycle, also when two clicks arrive at once.
CREATE UNIQUE INDEX livelihood_proposals_opinion ON livelihood_proposals (cycle_id, opinion_id) WHERE opinion_id IS NOT NULL;
CREATE UNIQUE INDEX livelihood_proposals_suggestion ON livelihood_proposals (cycle_id, suggestion_id) WHERE suggestion_id IS NOT NULL;

CREATE TABLE livelihood_milestones (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    project_id INTEGER NOT NULL REFERENCES livelihood_projects(id),
    title TEXT NOT NULL,
    weight INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    done_on TEXT
);
CREATE INDEX livelihood_milestones_project ON livelihood_milestones (project_id, due_on);

-- 进展报告 by the lead unit ('progress'), and the mid-year and year-end reports to the standing
-- committee; 视察 by the supervision group ('visit'). Evidence files are attachments.
CREATE TABLE livelihood_reports (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    project_id INTEGER NOT NULL REFERENCES livelihood_projects(id),
    kind TEXT NOT NULL CHECK (kind IN ('progress', 'midyear', 'yearend', 'visit')),
    body TEXT NOT NULL,
    progress INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX livelihood_reports_project ON livelihood_reports (project_id, id);

-- 监督组 — the deputies who supervise a project.
CREATE TABLE livelihood_supervisors (
    project_id INTEGER NOT NULL REFERENCES livelihood_projects(id),
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    PRIMARY KEY (project_id, person_id)
);

-- 问题和整改 — a problem a visit found, or the rectification an unsatisfactory rating requires,
-- tracked to closure.
CREATE TABLE livelihood_problems (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    project_id INTEGER NOT NULL REFERENCES livelihood_projects(id),
    origin TEXT NOT NULL CHECK (origin IN ('visit', 'rating')),
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'answered', 'closed')),
    rectification TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    closed_at INTEGER
);
CREATE INDEX livelihood_problems_project ON livelihood_problems (project_id, id);

-- 票决办法: a selection vote's ballot form — choose up to N, or 赞成/反对/弃权 on each (per_item).
ALTER TABLE votes ADD COLUMN ballot_form TEXT CHECK (ballot_form IN ('choose', 'per_item'));
-- 票决办法: the approvals a project needs — more than half of all deputies (the default), of those
-- present, or simply the most.
ALTER TABLE votes ADD COLUMN selection_rule TEXT CHECK (selection_rule IN ('over_half_of_members', 'over_half_of_present', 'most_votes'));
