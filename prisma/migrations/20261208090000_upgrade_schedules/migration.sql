-- Scheduled upgrades: one or several instances, one at a time, at a chosen time.
CREATE TYPE "UpgradeScheduleState" AS ENUM ('scheduled', 'running', 'succeeded', 'stopped', 'cancelled');

CREATE TABLE "UpgradeSchedule" (
    "id" TEXT NOT NULL,
    "runAt" TIMESTAMP(3) NOT NULL,
    "state" "UpgradeScheduleState" NOT NULL DEFAULT 'scheduled',
    "items" JSONB NOT NULL,
    "requestedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "mailedAt" TIMESTAMP(3),
    "mailError" TEXT,

    CONSTRAINT "UpgradeSchedule_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "UpgradeSchedule_state_runAt_idx" ON "UpgradeSchedule"("state", "runAt");

ALTER TABLE "UpgradeSchedule" ADD CONSTRAINT "UpgradeSchedule_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "Operator"("id") ON DELETE SET NULL ON UPDATE CASCADE;
