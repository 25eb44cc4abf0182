-- Retention keeps at least the last K successful backups of an instance, however old.
ALTER TABLE "BackupPolicy" ADD COLUMN "keepLast" INTEGER NOT NULL DEFAULT 7;
