-- One engine, one host entry: the engine's own ID, unique.
ALTER TABLE "DockerHost" ADD COLUMN "engineId" TEXT;
CREATE UNIQUE INDEX "DockerHost_engineId_key" ON "DockerHost"("engineId");

-- A container adopted twice (before this check existed): the later entries
-- forget the container ID and keep only its name, so the unique index can be
-- built; the operator removes the extra entry.
UPDATE "Instance" SET "webContainerId" = NULL
WHERE "id" IN (
  SELECT "id" FROM (
    SELECT "id", row_number() OVER (PARTITION BY "webContainerId" ORDER BY "createdAt", "id") AS rn
    FROM "Instance" WHERE "webContainerId" IS NOT NULL
  ) AS ranked WHERE ranked.rn > 1
);
CREATE UNIQUE INDEX "Instance_webContainerId_key" ON "Instance"("webContainerId");
