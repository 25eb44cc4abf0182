-- sftp repositories: the panel's public key (for authorized_keys) and the server's pinned host key.
ALTER TABLE "BackupRepository" ADD COLUMN "sshPublicKey" TEXT;
ALTER TABLE "BackupRepository" ADD COLUMN "sshHostKey" TEXT;
