/**
 * Runs one operation in a process of its own, as the panel's worker does, so
 * that a test can kill it with SIGKILL at a chosen moment (crash tests).
 * Input from the environment: DATABASE_URL, PL_KEY_SPEC, PL_OPERATION_ID,
 * PL_OPTIONS (JSON of the executeOperation options).
 */
import { parseKeyRing } from "../../lib/crypto";
import { createPrismaClient } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";

const db = createPrismaClient(process.env.DATABASE_URL!);
const outcome = await executeOperation(
  db,
  parseKeyRing(process.env.PL_KEY_SPEC!),
  process.env.PL_OPERATION_ID!,
  JSON.parse(process.env.PL_OPTIONS ?? "{}"),
);
console.log(`outcome ${outcome}`);
await db.$disconnect();
