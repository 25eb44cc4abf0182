-- Paillasse: initial data model (hand-written, Prisma's layout and naming).

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'operator', 'correspondant');

-- CreateEnum
CREATE TYPE "ChallengePurpose" AS ENUM ('registration', 'authentication', 'step_up');

-- CreateEnum
CREATE TYPE "HostConnectionKind" AS ENUM ('socket', 'tcp-tls', 'ssh');

-- CreateEnum
CREATE TYPE "Reachability" AS ENUM ('unknown', 'reachable', 'unreachable');

-- CreateEnum
CREATE TYPE "DatabasePlacement" AS ENUM ('container', 'external');

-- CreateEnum
CREATE TYPE "UploadsKind" AS ENUM ('bind', 'volume');

-- CreateEnum
CREATE TYPE "InstanceState" AS ENUM ('unknown', 'running', 'degraded', 'stopped', 'unreachable');

-- CreateEnum
CREATE TYPE "BackupStatus" AS ENUM ('pending', 'running', 'succeeded', 'failed', 'pruned');

-- CreateEnum
CREATE TYPE "BackupTrigger" AS ENUM ('scheduled', 'manual', 'pre_upgrade', 'pre_restore');

-- CreateEnum
CREATE TYPE "VerificationStatus" AS ENUM ('not_verified', 'running', 'passed', 'failed');

-- CreateEnum
CREATE TYPE "OperationKind" AS ENUM ('deploy', 'upgrade', 'backup', 'restore', 'verify');

-- CreateEnum
CREATE TYPE "OperationState" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'rolling_back', 'rolled_back', 'cancelled');

-- CreateEnum
CREATE TYPE "StepState" AS ENUM ('pending', 'running', 'succeeded', 'failed', 'skipped', 'compensated');

-- CreateEnum
CREATE TYPE "LogLevel" AS ENUM ('debug', 'info', 'warn', 'error');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('operator', 'system', 'anonymous');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('success', 'failure', 'denied');

-- CreateTable
CREATE TABLE "Operator" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "disabledAt" TIMESTAMP(3),
    "disabledReason" TEXT,
    "webauthnUserId" BYTEA NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'fr',
    "lastLoginAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "createdById" TEXT,

    CONSTRAINT "Operator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SecurityKey" (
    "id" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "credentialId" BYTEA NOT NULL,
    "publicKey" BYTEA NOT NULL,
    "signCount" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT[],
    "aaguid" TEXT NOT NULL,
    "modelName" TEXT,
    "attestationFormat" TEXT NOT NULL,
    "backupEligible" BOOLEAN NOT NULL,
    "backedUp" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,
    "suspendedAt" TIMESTAMP(3),
    "suspendedReason" TEXT,

    CONSTRAINT "SecurityKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnrolmentInvite" (
    "id" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "issuedById" TEXT,
    "issuedVia" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "EnrolmentInvite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OperatorSession" (
    "id" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "securityKeyId" TEXT,
    "tokenHash" TEXT NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastKeyTouchAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedReason" TEXT,

    CONSTRAINT "OperatorSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebAuthnChallenge" (
    "id" TEXT NOT NULL,
    "purpose" "ChallengePurpose" NOT NULL,
    "challenge" TEXT NOT NULL,
    "bindingHash" TEXT NOT NULL,
    "operatorId" TEXT,
    "inviteId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "consumedAt" TIMESTAMP(3),

    CONSTRAINT "WebAuthnChallenge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Unit" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "institution" TEXT,
    "alertEmails" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnitMembership" (
    "operatorId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UnitMembership_pkey" PRIMARY KEY ("operatorId","unitId")
);

-- CreateTable
CREATE TABLE "DockerHost" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "HostConnectionKind" NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER,
    "sshUser" TEXT,
    "sshHostFingerprint" TEXT,
    "tlsCaCert" TEXT,
    "tlsClientCert" TEXT,
    "tlsClientKeyEnc" TEXT,
    "sshPrivateKeyEnc" TEXT,
    "reachability" "Reachability" NOT NULL DEFAULT 'unknown',
    "lastSnapshotAt" TIMESTAMP(3),
    "lastSnapshotError" TEXT,
    "engineVersion" TEXT,
    "apiVersion" TEXT,
    "operatingSystem" TEXT,
    "dockerRootDir" TEXT,
    "freeBytes" BIGINT,
    "snapshot" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DockerHost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Instance" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "webHostId" TEXT NOT NULL,
    "webContainerName" TEXT NOT NULL,
    "webContainerId" TEXT,
    "databasePlacement" "DatabasePlacement" NOT NULL,
    "databaseHostId" TEXT,
    "databaseContainerName" TEXT,
    "databaseAddress" TEXT,
    "databasePort" INTEGER NOT NULL DEFAULT 3306,
    "databaseName" TEXT NOT NULL DEFAULT 'elabftw',
    "databaseUser" TEXT NOT NULL DEFAULT 'elabftw',
    "databaseTls" BOOLEAN NOT NULL DEFAULT false,
    "imageRepository" TEXT NOT NULL DEFAULT 'elabftw/elabimg',
    "imageTag" TEXT NOT NULL,
    "elabftwVersion" TEXT,
    "schemaVersion" INTEGER,
    "siteUrl" TEXT NOT NULL,
    "uploadsKind" "UploadsKind" NOT NULL,
    "uploadsSource" TEXT NOT NULL,
    "composeProject" TEXT,
    "composeService" TEXT,
    "composeWorkingDir" TEXT,
    "composeConfigFiles" TEXT,
    "secretsEnc" TEXT,
    "backupPolicyId" TEXT,
    "activeOperationId" TEXT,
    "state" "InstanceState" NOT NULL DEFAULT 'unknown',
    "health" TEXT,
    "observedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackupPolicy" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "schedule" TEXT NOT NULL DEFAULT '30 2 * * *',
    "timezone" TEXT NOT NULL DEFAULT 'Europe/Paris',
    "retentionDays" INTEGER NOT NULL DEFAULT 60,
    "destinationDir" TEXT NOT NULL,
    "extraRecipients" TEXT[],
    "verifyAfterBackup" BOOLEAN NOT NULL DEFAULT true,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackupPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Backup" (
    "id" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "policyId" TEXT,
    "operationId" TEXT,
    "requestedById" TEXT,
    "trigger" "BackupTrigger" NOT NULL,
    "status" "BackupStatus" NOT NULL DEFAULT 'pending',
    "location" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "databaseBytes" BIGINT,
    "databaseSha256" TEXT,
    "uploadsBytes" BIGINT,
    "uploadsSha256" TEXT,
    "uploadsFileCount" INTEGER,
    "manifestSha256" TEXT,
    "totalBytes" BIGINT,
    "imageTag" TEXT,
    "elabftwVersion" TEXT,
    "schemaVersion" INTEGER,
    "error" TEXT,
    "verificationStatus" "VerificationStatus" NOT NULL DEFAULT 'not_verified',
    "verifiedAt" TIMESTAMP(3),
    "verificationDetails" JSONB,
    "prunedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Backup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" TEXT NOT NULL,
    "kind" "OperationKind" NOT NULL,
    "state" "OperationState" NOT NULL DEFAULT 'queued',
    "instanceId" TEXT,
    "hostId" TEXT,
    "requestedById" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "result" JSONB,
    "currentStep" TEXT,
    "progress" INTEGER,
    "error" TEXT,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OperationStep" (
    "id" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "state" "StepState" NOT NULL DEFAULT 'pending',
    "intent" JSONB,
    "result" JSONB,
    "error" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "OperationStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OperationLog" (
    "id" BIGSERIAL NOT NULL,
    "operationId" TEXT NOT NULL,
    "stepId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" "LogLevel" NOT NULL DEFAULT 'info',
    "message" TEXT NOT NULL,

    CONSTRAINT "OperationLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" "ActorType" NOT NULL,
    "operatorId" TEXT,
    "actorLabel" TEXT,
    "securityKeyId" TEXT,
    "ip" TEXT,
    "userAgent" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "unitId" TEXT,
    "instanceId" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "outcome" "AuditOutcome" NOT NULL,
    "reason" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "secretEnc" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedById" TEXT,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Operator_email_key" ON "Operator"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Operator_webauthnUserId_key" ON "Operator"("webauthnUserId");

-- CreateIndex
CREATE INDEX "Operator_role_idx" ON "Operator"("role");

-- CreateIndex
CREATE UNIQUE INDEX "SecurityKey_credentialId_key" ON "SecurityKey"("credentialId");

-- CreateIndex
CREATE INDEX "SecurityKey_operatorId_idx" ON "SecurityKey"("operatorId");

-- CreateIndex
CREATE UNIQUE INDEX "EnrolmentInvite_tokenHash_key" ON "EnrolmentInvite"("tokenHash");

-- CreateIndex
CREATE INDEX "EnrolmentInvite_operatorId_idx" ON "EnrolmentInvite"("operatorId");

-- CreateIndex
CREATE UNIQUE INDEX "OperatorSession_tokenHash_key" ON "OperatorSession"("tokenHash");

-- CreateIndex
CREATE INDEX "OperatorSession_operatorId_idx" ON "OperatorSession"("operatorId");

-- CreateIndex
CREATE INDEX "OperatorSession_expiresAt_idx" ON "OperatorSession"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebAuthnChallenge_challenge_key" ON "WebAuthnChallenge"("challenge");

-- CreateIndex
CREATE INDEX "WebAuthnChallenge_expiresAt_idx" ON "WebAuthnChallenge"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Unit_code_key" ON "Unit"("code");

-- CreateIndex
CREATE INDEX "UnitMembership_unitId_idx" ON "UnitMembership"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "DockerHost_name_key" ON "DockerHost"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_name_key" ON "Instance"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_activeOperationId_key" ON "Instance"("activeOperationId");

-- CreateIndex
CREATE INDEX "Instance_unitId_idx" ON "Instance"("unitId");

-- CreateIndex
CREATE INDEX "Instance_databaseHostId_idx" ON "Instance"("databaseHostId");

-- CreateIndex
CREATE INDEX "Instance_backupPolicyId_idx" ON "Instance"("backupPolicyId");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_webHostId_webContainerName_key" ON "Instance"("webHostId", "webContainerName");

-- CreateIndex
CREATE UNIQUE INDEX "BackupPolicy_name_key" ON "BackupPolicy"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Backup_operationId_key" ON "Backup"("operationId");

-- CreateIndex
CREATE INDEX "Backup_instanceId_createdAt_idx" ON "Backup"("instanceId", "createdAt");

-- CreateIndex
CREATE INDEX "Backup_status_idx" ON "Backup"("status");

-- CreateIndex
CREATE INDEX "Operation_instanceId_createdAt_idx" ON "Operation"("instanceId", "createdAt");

-- CreateIndex
CREATE INDEX "Operation_state_idx" ON "Operation"("state");

-- CreateIndex
CREATE INDEX "Operation_kind_createdAt_idx" ON "Operation"("kind", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "OperationStep_operationId_position_key" ON "OperationStep"("operationId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "OperationStep_operationId_key_key" ON "OperationStep"("operationId", "key");

-- CreateIndex
CREATE INDEX "OperationLog_operationId_id_idx" ON "OperationLog"("operationId", "id");

-- CreateIndex
CREATE INDEX "OperationLog_stepId_idx" ON "OperationLog"("stepId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_hash_key" ON "AuditEvent"("hash");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_operatorId_at_idx" ON "AuditEvent"("operatorId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_instanceId_at_idx" ON "AuditEvent"("instanceId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_unitId_at_idx" ON "AuditEvent"("unitId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_action_at_idx" ON "AuditEvent"("action", "at");

-- AddForeignKey
ALTER TABLE "Operator" ADD CONSTRAINT "Operator_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Operator"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecurityKey" ADD CONSTRAINT "SecurityKey_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnrolmentInvite" ADD CONSTRAINT "EnrolmentInvite_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnrolmentInvite" ADD CONSTRAINT "EnrolmentInvite_issuedById_fkey" FOREIGN KEY ("issuedById") REFERENCES "Operator"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperatorSession" ADD CONSTRAINT "OperatorSession_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperatorSession" ADD CONSTRAINT "OperatorSession_securityKeyId_fkey" FOREIGN KEY ("securityKeyId") REFERENCES "SecurityKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitMembership" ADD CONSTRAINT "UnitMembership_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitMembership" ADD CONSTRAINT "UnitMembership_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_webHostId_fkey" FOREIGN KEY ("webHostId") REFERENCES "DockerHost"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_databaseHostId_fkey" FOREIGN KEY ("databaseHostId") REFERENCES "DockerHost"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_backupPolicyId_fkey" FOREIGN KEY ("backupPolicyId") REFERENCES "BackupPolicy"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "BackupPolicy"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "Operator"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "DockerHost"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "Operator"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperationStep" ADD CONSTRAINT "OperationStep_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperationLog" ADD CONSTRAINT "OperationLog_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperationLog" ADD CONSTRAINT "OperationLog_stepId_fkey" FOREIGN KEY ("stepId") REFERENCES "OperationStep"("id") ON DELETE SET NULL ON UPDATE CASCADE;
