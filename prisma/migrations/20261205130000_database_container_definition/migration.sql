-- The database container's last seen definition (its create body, environment included), sealed with the
-- master key: enough to re-create it when it was removed and a restore has to bring the instance back.
ALTER TABLE "Instance" ADD COLUMN "databaseSpecEnc" TEXT;
