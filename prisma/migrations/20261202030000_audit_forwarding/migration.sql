-- Where forwarding of the audit trail to an outside collector (syslog) has got to:
-- the id of the last event the collector took, and the last failure, for retries.
CREATE TABLE "AuditForwarding" (
    "target" TEXT NOT NULL,
    "lastEventId" BIGINT NOT NULL DEFAULT 0,
    "lastSentAt" TIMESTAMP(3),
    "lastErrorAt" TIMESTAMP(3),
    "lastError" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditForwarding_pkey" PRIMARY KEY ("target")
);
