-- CNRS compliance score of the last observation (percentage of decided checks
-- that pass), a column so the fleet table can show and sort it.
ALTER TABLE "Instance" ADD COLUMN "complianceScore" INTEGER;
