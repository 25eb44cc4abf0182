-- What the last look at an instance found (containers, health, schema,
-- uploads size), as shown on its page; the columns the dashboard filters on
-- (state, health, schemaVersion, observedAt) stay columns.
ALTER TABLE "Instance" ADD COLUMN "observation" JSONB;
