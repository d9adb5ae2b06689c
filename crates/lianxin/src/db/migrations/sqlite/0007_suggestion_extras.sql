-- 0007: attachments (sealed at rest), every signer's evaluation with its comment, suggestions
-- drafted in a delegation's name, publication of replies, and the presidium's motion deadline.
-- Kept column-for-column in step with ../postgres/0007_suggestion_extras.sql (tested).

-- 附件 — files attached to an item: the deputy's material, the unit's reply material, the
-- evidence of delivery. The body is SM4-GCM sealed (platform::vault); the digest is the SM3 of
-- the clear bytes, so a download can be checked against what was uploaded.
CREATE TABLE attachments (
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
    uploaded_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, id);

-- 评价 — each evaluation of a reply: by the lead deputy, or by every signer when the congress's
-- setting says so; round counts the re-handlings, so one deputy rates each reply once.
CREATE TABLE suggestion_ratings (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    deputy_id INTEGER NOT NULL REFERENCES deputies(id),
    round INTEGER NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
    comment TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (suggestion_id, deputy_id, round)
);

-- 代表团建议 — drafted at a session in the name of a delegation (the drafting deputy leads it).
ALTER TABLE suggestions ADD COLUMN delegation_id INTEGER REFERENCES organizations(id);
-- 并案 — handled together with another item: assigned and answered with it, rated on its own.
ALTER TABLE suggestions ADD COLUMN merged_into INTEGER REFERENCES suggestions(id);
-- 公开 — when the office published the reply on the public portal.
ALTER TABLE suggestions ADD COLUMN published_at INTEGER;
CREATE INDEX suggestions_published ON suggestions (congress_id, published_at);

-- 议案截止时间 — the deadline the session's presidium sets for motions (local time, YYYY-MM-DDTHH:MM).
ALTER TABLE sessions ADD COLUMN motion_deadline TEXT;

-- A deputy's own list starts from their led items' ids: with the id in the index the lookup
-- never touches the table (PostgreSQL, 100,000 items: 20 ms → under 2 ms; BENCHMARKS.md).
DROP INDEX suggestions_lead;
CREATE INDEX suggestions_lead ON suggestions (lead_deputy_id, id);
