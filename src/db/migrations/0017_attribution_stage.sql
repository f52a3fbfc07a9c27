-- 0017_attribution_stage: 到访 and 成交 on an attribution. protected_until
-- is the end of the protection now in force: the visit period from the
-- first touch, the deal period from a recorded visit (deal_until, planned
-- at the first touch, is gone); a recorded deal
-- keeps the buyer with the consultant for good (stage 'deal').
ALTER TABLE attributions RENAME COLUMN visit_until TO protected_until;
ALTER TABLE attributions ADD COLUMN stage TEXT NOT NULL DEFAULT 'new';
ALTER TABLE attributions ADD COLUMN visited_at BIGINT;
ALTER TABLE attributions ADD COLUMN deal_at BIGINT;
ALTER TABLE attributions DROP COLUMN deal_until;
