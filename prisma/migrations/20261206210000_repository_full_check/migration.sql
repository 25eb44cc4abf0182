-- The scheduled full read of each repository (`restic check --read-data`) and what it found.
ALTER TABLE "BackupRepository" ADD COLUMN "fullCheckAt" TIMESTAMP(3);
ALTER TABLE "BackupRepository" ADD COLUMN "fullCheckOk" BOOLEAN;
ALTER TABLE "BackupRepository" ADD COLUMN "fullCheckError" TEXT;
