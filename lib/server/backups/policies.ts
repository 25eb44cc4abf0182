import type { Actor, RequestContext } from "../../kernel";
import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { backupPaths, dataDir } from "../../env";
import { pathProblem } from "../path-policy";
import { AppError } from "../../errors";
import { requestedBy, withAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { parseInput } from "../validation";
import { AGE_RECIPIENT } from "./identity";
import { msg } from "../../i18n/message";

/**
 * Backup policies: when (cron in a time zone), where (a directory of the
 * panel's machine, typically a mounted file server), how long (days, and at
 * least the last K), to whom besides the panel (extra age recipients: the
 * unit's offline recovery keys), and whether each backup is verified.
 */
export const policySchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, { message: "must not be empty" })
    .max(100, { message: "must be at most 100 characters" }),
  schedule: z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 5 && validCron(v), {
      message: "must be a five-field cron expression, e.g. 30 2 * * * for every night at 02:30",
    }),
  timezone: z
    .string()
    .trim()
    .default("Europe/Paris")
    .refine(validTimeZone, { message: "must be a time zone such as Europe/Paris" }),
  retentionDays: z.coerce
    .number({ message: "must be a number of days" })
    .int({ message: "must be a whole number of days" })
    .min(1, { message: "must be between 1 and 3650 days" })
    .max(3650, { message: "must be between 1 and 3650 days" }),
  keepLast: z.coerce
    .number({ message: "must be a number" })
    .int({ message: "must be a whole number" })
    .min(1, { message: "must be between 1 and 1000" })
    .max(1000, { message: "must be between 1 and 1000" }),
  destinationDir: z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      // The one path policy: not a system directory, not the panel's own data (except its backup directory).
      const problem = pathProblem(v, {
        dataDir: dataDir(),
        allowInside: [backupPaths().defaultDir],
        example: "/srv/backups/elabftw",
      });
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  extraRecipients: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every((r) => AGE_RECIPIENT.test(r)), {
      message: "must be age public keys (age1…), one per line",
    }),
  verifyAfterBackup: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()),
});

const LABELS = {
  name: "Name",
  schedule: "Schedule",
  timezone: "Time zone",
  retentionDays: "Keep for",
  keepLast: "Keep at least",
  destinationDir: "Destination",
  extraRecipients: "Extra recipients",
  verifyAfterBackup: "Verify",
};

function validCron(v: string): boolean {
  try {
    CronExpressionParser.parse(v);
    return true;
  } catch {
    return false;
  }
}

function validTimeZone(v: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

export async function createPolicy(db: Db, actor: Actor, raw: unknown, context: RequestContext): Promise<string> {
  const input = parseInput(policySchema, raw, LABELS, "Correct it; nothing was saved.");
  if (await db.backupPolicy.findUnique({ where: { name: input.name }, select: { id: true } })) {
    throw new AppError("conflict", msg`A policy named “${input.name}” already exists.`, {
      hint: "Choose another name.",
    });
  }
  try {
    await mkdir(input.destinationDir, { recursive: true, mode: 0o700 });
    await access(input.destinationDir, constants.W_OK);
  } catch (error) {
    throw new AppError(
      "bad_input",
      msg`The panel cannot write to ${input.destinationDir}: ${(error as Error).message}.`,
      {
        hint: "Mount the file server there (or create the directory) and give the panel's user write access; nothing was saved.",
      },
    );
  }
  const policy = await withAuditEvent(
    db,
    (tx) => tx.backupPolicy.create({ data: input, select: { id: true } }),
    (created) => ({
      ...requestedBy(actor, context),
      action: "backup_policy.create",
      outcome: "success",
      target: { type: "backup_policy", id: created.id },
      params: {
        name: input.name,
        schedule: input.schedule,
        timezone: input.timezone,
        retentionDays: input.retentionDays,
        keepLast: input.keepLast,
        extraRecipients: input.extraRecipients.length,
      },
    }),
  );
  return policy.id;
}

/** Put an instance under a policy (or none: on-demand backups only, default retention). */
export async function assignPolicy(
  db: Db,
  actor: Actor,
  instanceId: string,
  policyId: string | null,
  context: RequestContext,
): Promise<void> {
  const policy = policyId
    ? await db.backupPolicy.findUnique({ where: { id: policyId }, select: { id: true, name: true } })
    : null;
  if (policyId && !policy) {
    throw new AppError("bad_input", "This backup policy no longer exists.", { hint: "Reload the page." });
  }
  await withAuditEvent(
    db,
    (tx) =>
      tx.instance.update({
        where: { id: instanceId },
        data: { backupPolicyId: policy?.id ?? null },
        select: { name: true, unitId: true },
      }),
    (instance) => ({
      ...requestedBy(actor, context),
      action: "instance.backup_policy",
      outcome: "success",
      target: { type: "instance", id: instanceId },
      instanceId,
      unitId: instance.unitId,
      params: { name: instance.name, policy: policy?.name ?? null },
    }),
  );
}

export async function findPolicies(db: Db) {
  return db.backupPolicy.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      schedule: true,
      timezone: true,
      retentionDays: true,
      keepLast: true,
      destinationDir: true,
      extraRecipients: true,
      verifyAfterBackup: true,
      repositoryId: true,
      offsiteRepositoryId: true,
      enabled: true,
      _count: { select: { instances: true } },
    },
  });
}
