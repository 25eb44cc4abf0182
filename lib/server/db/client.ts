import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";
import { env } from "../../env";
import { AppError } from "../../errors";

/**
 * Columns that hold key material or token hashes. They are documented with
 * `@secret` in prisma/schema.prisma; test/secret-columns.test.ts checks that
 * this list and the schema agree and that default results never carry them.
 */
export const SECRET_FIELDS = {
  enrolmentInvite: { tokenHash: true },
  operatorSession: { tokenHash: true },
  webAuthnChallenge: { bindingHash: true },
  dockerHost: { tlsClientKeyEnc: true, sshPrivateKeyEnc: true },
  instance: { secretsEnc: true, databaseSpecEnc: true },
  operation: { secretsEnc: true },
  setting: { secretEnc: true },
  backupRepository: { secretsEnc: true },
} as const;

export function createPrismaClient(connectionString = env().DATABASE_URL) {
  if (!connectionString) {
    throw new AppError("config", "DATABASE_URL is not set.", {
      hint: "Start the panel with `npm start`, which runs an embedded PostgreSQL when DATABASE_URL is unset.",
    });
  }
  const adapter = new PrismaPg({ connectionString, max: 10, connectionTimeoutMillis: 10_000 });
  return new PrismaClient({ adapter, omit: SECRET_FIELDS });
}

export type Db = ReturnType<typeof createPrismaClient>;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
