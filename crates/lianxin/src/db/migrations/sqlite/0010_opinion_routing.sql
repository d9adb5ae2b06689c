-- 0010 opinion routing: who holds an opinion now (the congress's station, deputy or office; a
-- handling unit; a suggestion it became; or another channel it was referred to, with the
-- reason), its answer deadline, the suggestion it became, and its near-duplicate group.
-- Kept column-for-column in step with ../postgres/0010_opinion_routing.sql (tested).

ALTER TABLE opinions ADD COLUMN holder TEXT NOT NULL DEFAULT 'congress' CHECK (holder IN ('congress', 'unit', 'suggestion', 'elsewhere'));
ALTER TABLE opinions ADD COLUMN unit_id INTEGER REFERENCES organizations(id);
ALTER TABLE opinions ADD COLUMN due_on TEXT;
-- Where the citizen should go instead (litigation, petition letters, …) when referred.
ALTER TABLE opinions ADD COLUMN referral TEXT;
ALTER TABLE opinions ADD COLUMN suggestion_id INTEGER REFERENCES suggestions(id);
-- The near-duplicate group (the id of its first opinion), linked on submission or by staff.
ALTER TABLE opinions ADD COLUMN group_id INTEGER;
-- 合并办理: handled with this opinion; its answer reaches this one's citizen too.
ALTER TABLE opinions ADD COLUMN merged_into INTEGER;
CREATE INDEX opinions_unit ON opinions (unit_id, id);
CREATE INDEX opinions_group ON opinions (group_id);
CREATE INDEX opinions_suggestion ON opinions (suggestion_id);

-- MinHash LSH buckets of each opinion's text: opinions sharing a bucket are candidates, checked
-- by their exact similarity. A bucket's key includes the congress, so it never spans two.
CREATE TABLE opinion_buckets (
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    bucket INTEGER NOT NULL,
    opinion_id INTEGER NOT NULL REFERENCES opinions(id),
    PRIMARY KEY (bucket, opinion_id)
);
CREATE INDEX opinion_buckets_item ON opinion_buckets (opinion_id);

-- Citizens attach photos and documents to their opinions without an account, so an attachment's
-- uploader may be empty. SQLite cannot drop NOT NULL: the table is rebuilt, rows kept as they are.
CREATE TABLE attachments_v2 (
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
    created_at INTEGER NOT NULL
);
INSERT INTO attachments_v2 (id, congress_id, owner_kind, owner_id, purpose, file_name, media_type, size, digest, body_sealed, uploaded_by, created_at)
    SELECT id, congress_id, owner_kind, owner_id, purpose, file_name, media_type, size, digest, body_sealed, uploaded_by, created_at FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_v2 RENAME TO attachments;
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, id);
