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
