-- Secrets an operation needs while it runs (a new instance's generated
-- passwords and key), encrypted with the panel master key and cleared when
-- the operation ends. Never returned by default queries (SECRET_FIELDS).
ALTER TABLE "Operation" ADD COLUMN "secretsEnc" TEXT;
