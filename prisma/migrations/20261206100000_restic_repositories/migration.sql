-- restic repositories: where restore points go, deduplicated and encrypted by restic, with an off-site copy.
-- Restore points written before stay in the "files" format (age files and a sealed manifest), still restorable.
CREATE TYPE "RepositoryKind" AS ENUM ('host_directory', 'sftp', 's3', 'rest');
CREATE TYPE "BackupFormat" AS ENUM ('files', 'restic');

CREATE TABLE "BackupRepository" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "RepositoryKind" NOT NULL,
    "location" TEXT NOT NULL,
    "hostId" TEXT,
    "secretsEnc" TEXT NOT NULL,
    "appendOnly" BOOLEAN NOT NULL DEFAULT false,
    "initializedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "BackupRepository_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "BackupRepository_name_key" ON "BackupRepository"("name");
ALTER TABLE "BackupRepository" ADD CONSTRAINT "BackupRepository_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "DockerHost"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "BackupPolicy" ADD COLUMN "repositoryId" TEXT, ADD COLUMN "offsiteRepositoryId" TEXT;
ALTER TABLE "BackupPolicy" ADD CONSTRAINT "BackupPolicy_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "BackupRepository"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "BackupPolicy" ADD CONSTRAINT "BackupPolicy_offsiteRepositoryId_fkey" FOREIGN KEY ("offsiteRepositoryId") REFERENCES "BackupRepository"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Backup" ADD COLUMN "format" "BackupFormat" NOT NULL DEFAULT 'files',
    ADD COLUMN "repositoryId" TEXT,
    ADD COLUMN "snapshotId" TEXT,
    ADD COLUMN "addedBytes" BIGINT,
    ADD COLUMN "offsiteRepositoryId" TEXT,
    ADD COLUMN "offsiteSnapshotId" TEXT,
    ADD COLUMN "offsiteCopiedAt" TIMESTAMP(3),
    ADD COLUMN "contents" JSONB;
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "BackupRepository"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_offsiteRepositoryId_fkey" FOREIGN KEY ("offsiteRepositoryId") REFERENCES "BackupRepository"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
