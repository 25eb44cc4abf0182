-- The audit chain is keyed (HMAC-SHA256 under a key derived from the master key): each event records the id of
-- the master key its key came from. Events written before carry none (plain SHA-256) and are sealed by the first
-- keyed event the panel writes at start.
ALTER TABLE "AuditEvent" ADD COLUMN "chainKeyId" TEXT;
