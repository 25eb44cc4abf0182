import { randomBytes } from "node:crypto";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { KeyRing } from "../../crypto";
import {
  createContainer,
  DockerError,
  execCapture,
  imageExists,
  inspectContainer,
  pullImage,
  removeContainer,
  startContainer,
  type DockerClient,
} from "../../docker";
import { backupPaths } from "../../env";
import { DATABASE_CLIENT_IMAGE } from "./database-shell";
import { AppError } from "../../errors";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { defineOperation } from "../operations/define";
import { createOperation, type StepDefinition, type SendJob } from "../operations/journal";
import { z } from "zod";
import { readManifest, VerificationFailure } from "./restore-point";
import { hashFile, openEncryptedFile } from "./encrypted-file";
import { putStreamedFile, tarEntryLister, UnreadableSource, type TarEntry } from "./tar-files";
import { treeDifferences, uploadRowProblem, UploadTree } from "./upload-tree";
import { loadBackupIdentity } from "./identity";
import { joinTexts, msg } from "../../i18n/message";

/**
 * A backup is proven by restoring it. The verification checks the files
 * against the sealed manifest before opening anything, checks every uploaded
 * file's SHA-256, loads the dump into a throw-away database container of the
 * same image (memory-limited, no network port, always removed), and compares
 * tables, row counts and schema with the manifest; every upload row of the
 * dump must have its file.
 */
export const VERIFY_STEPS = [
  { key: "files", title: "Check the files against the sealed manifest" },
  { key: "uploads", title: "Check every uploaded file" },
  { key: "load", title: "Load the dump into a throw-away database" },
  { key: "compare", title: "Compare the database with the manifest" },
  { key: "cleanup", title: "Remove the throw-away database" },
] as const;

/** The params of a verification (version 1); `name` is the instance's, for the operations list. */
export const verifyPlanSchema = z.object({ backupId: z.string().min(1), name: z.string().optional() });
export type VerifyPlan = z.infer<typeof verifyPlanSchema>;

export async function requestVerification(
  db: Db,
  backupId: string,
  requestedById: string | null,
  send?: SendJob,
): Promise<string> {
  const backup = await db.backup.findUnique({
    where: { id: backupId },
    select: { id: true, status: true, instanceId: true, instance: { select: { webHostId: true, name: true } } },
  });
  if (!backup) throw new AppError("not_found", "This backup is not in the inventory.", { hint: "Reload the page." });
  if (backup.status !== "succeeded") {
    throw new AppError("precondition_failed", "Only a complete backup can be verified.", {
      hint: "Run a new backup, then verify it.",
    });
  }
  const operationId = await createOperation(
    db,
    {
      operation: verifyOperation,
      instanceId: backup.instanceId,
      hostId: backup.instance.webHostId,
      requestedById,
      params: { backupId: backup.id, name: backup.instance.name },
      steps: [...VERIFY_STEPS],
    },
    (tx) => tx.backup.update({ where: { id: backup.id }, data: { verificationStatus: "running" } }),
    send,
  );
  return operationId;
}

export function verifySteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: VerifyPlan,
  options: { identityFile?: string; loadTimeoutMs?: number } = {},
): StepDefinition[] {
  const identity = () => loadBackupIdentity(options.identityFile ?? backupPaths().identityFile);
  const container = `paillasse-verify-${operationId.slice(0, 8)}`;
  let clientPromise: Promise<DockerClient> | null = null;
  const dbClient = async () => {
    const { backup } = await readManifest(db, ring, plan.backupId);
    // The throw-away database runs beside the live one, or on the web host for an external server.
    clientPromise ??= clientFor(db, ring, backup.instance.databaseHostId ?? backup.instance.webHostId);
    return clientPromise;
  };
  const mysql = (client: DockerClient, password: string, sql: string) =>
    execCapture(client, container, {
      cmd: ["mysql", "--batch", "--skip-column-names", "-uroot", "-h127.0.0.1", "verify", "-e", sql],
      env: { MYSQL_PWD: password },
    });
  // The throw-away server's root password lives only in this run's memory (never in the journal).
  let rootPassword: string | null = null;
  const loaded = () => {
    if (!rootPassword) {
      throw new AppError("unavailable", "The panel restarted during the verification.", { hint: "Verify again." });
    }
    return { password: rootPassword };
  };

  const steps: Record<(typeof VERIFY_STEPS)[number]["key"], Omit<StepDefinition, "key" | "title">> = {
    files: {
      async run(ctx) {
        const { backup, manifest } = await readManifest(db, ring, plan.backupId);
        for (const entry of [manifest.database, manifest.uploads]) {
          const actual = await hashFile(path.join(backup.location!, entry.file)).catch((error: Error) => {
            throw new VerificationFailure(msg`${entry.file} cannot be read: ${error.message}.`);
          });
          if (actual.bytes !== entry.bytes || actual.sha256 !== entry.sha256) {
            throw new VerificationFailure(
              msg`${entry.file} is not the file that was written (${actual.bytes} bytes, ${entry.bytes} expected; checksum ${actual.sha256 === entry.sha256 ? "equal" : "different"}).`,
            );
          }
        }
        await ctx.log("The manifest's seal opens and both encrypted files match their checksums.");
        await ctx.progress(10);
        return { checked: [manifest.database.file, manifest.uploads.file] };
      },
    },

    uploads: {
      async run(ctx) {
        const { backup, manifest } = await readManifest(db, ring, plan.backupId);
        const archived: TarEntry[] = [];
        const extract = tarEntryLister((entry) => archived.push(entry));
        try {
          const plain = await openEncryptedFile(path.join(backup.location!, manifest.uploads.file), [
            (await identity()).identity,
          ]);
          await pipeline(plain, extract);
        } catch (error) {
          throw new VerificationFailure(msg`The uploads archive does not open: ${(error as Error).message}.`);
        }
        const problems = treeDifferences(manifest.uploads.files, archived, {
          filesOnly: manifest.format === "paillasse-backup/1",
        });
        if (problems.length) {
          throw new VerificationFailure(
            problems.length === 1
              ? msg`One entry of the uploads archive does not match the manifest: ${problems[0]!}.`
              : msg`${problems.length} entries of the uploads archive do not match the manifest: ${joinTexts(problems.slice(0, 3))}.`,
          );
        }
        const s = new UploadTree(archived).summary();
        const links = s.symlinks + s.hardlinks;
        await ctx.log(
          `All ${s.files} uploaded files match their SHA-256${links ? `, and ${links} links their targets` : ""}.`,
        );
        await ctx.progress(35);
        return { files: s.files, links: s.symlinks + s.hardlinks };
      },
    },

    load: {
      async run(ctx) {
        const { backup, manifest } = await readManifest(db, ring, plan.backupId);
        const client = await dbClient();
        const external = backup.instance.databasePlacement === "external" || !backup.instance.databaseContainerName;
        const live = external
          ? { image: DATABASE_CLIENT_IMAGE }
          : await inspectContainer(client, backup.instance.databaseContainerName!);
        if (external && !(await imageExists(client, live.image))) await pullImage(client, live.image);
        const password = randomBytes(18).toString("base64url");
        rootPassword = password;
        await ctx.intent({ create: container, image: live.image });
        await ctx.log(`Starting a throw-away ${live.image} container (${container}), limited to 1 GiB of memory.`);
        try {
          await createContainer(client, {
            name: container,
            Image: live.image,
            Env: [`MYSQL_ROOT_PASSWORD=${password}`, "MYSQL_DATABASE=verify"],
            Labels: {
              "net.paillasse.managed": "true",
              "net.paillasse.role": "verify",
              "net.paillasse.instance": manifest.instance.id,
              "net.paillasse.operation": operationId,
            },
            HostConfig: { Memory: 1024 * 1024 * 1024, RestartPolicy: { Name: "no" }, NetworkMode: "none" },
          });
          await startContainer(client, container);
          const deadline = Date.now() + (options.loadTimeoutMs ?? 180_000);
          for (;;) {
            const ready = await mysql(client, password, "SELECT 1");
            if (ready.exitCode === 0) break;
            const state = await inspectContainer(client, container);
            if (!state.state.running) {
              throw new AppError("unavailable", msg`The throw-away database stopped (exit ${state.state.exitCode}).`, {
                hint: "See the host's Docker logs; the live database was not touched.",
              });
            }
            if (Date.now() > deadline) {
              throw new AppError("unavailable", "The throw-away database did not start in time.", {
                hint: "The database host may be short of memory; the live database was not touched.",
              });
            }
            await new Promise((r) => setTimeout(r, 1_000));
          }
          await ctx.progress(45, "Loading the dump");
          // The decrypted dump goes into the throw-away container as one tar entry of the size the manifest records.
          const plain = await openEncryptedFile(path.join(backup.location!, manifest.database.file), [
            (await identity()).identity,
          ]);
          try {
            await putStreamedFile(
              client,
              container,
              "/tmp",
              { name: "dump.sql", size: manifest.database.plainBytes },
              plain,
            );
          } catch (error) {
            if (!(error instanceof UnreadableSource)) throw error;
            throw new VerificationFailure(msg`The database dump does not open: ${error.message}.`);
          }
          const load = await execCapture(client, container, {
            cmd: ["sh", "-c", "mysql -uroot -h127.0.0.1 --default-character-set=utf8mb4 verify < /tmp/dump.sql"],
            env: { MYSQL_PWD: password },
          });
          if (load.exitCode !== 0) {
            throw new VerificationFailure(
              msg`The dump does not load: ${load.stderr.trim().split("\n").at(-1) ?? `exit ${load.exitCode}`}.`,
            );
          }
        } catch (error) {
          await removeContainer(client, container, { force: true, volumes: true }).catch(() => undefined);
          throw error;
        }
        await ctx.log("The dump loaded without error.");
        await ctx.progress(80);
        return { container, image: live.image };
      },
      async compensate(ctx) {
        await removeContainer(await dbClient(), container, { force: true, volumes: true }).catch((error: unknown) => {
          if (!(error instanceof DockerError && error.failure === "not_found")) throw error;
        });
        await ctx.log(`Removed ${container}.`);
      },
    },

    compare: {
      async run(ctx) {
        const { manifest } = await readManifest(db, ring, plan.backupId);
        const client = await dbClient();
        const { password } = loaded();
        const tablesOut = await mysql(client, password, "SHOW TABLES");
        const tables = tablesOut.stdout.split("\n").filter(Boolean).sort();
        const expectedTables = Object.keys(manifest.database.tables).sort();
        if (JSON.stringify(tables) !== JSON.stringify(expectedTables)) {
          const missing = expectedTables.filter((t) => !tables.includes(t));
          const extra = tables.filter((t) => !expectedTables.includes(t));
          throw new VerificationFailure(
            msg`The tables differ from the manifest (missing: ${missing.join(", ") || "none"}; unexpected: ${extra.join(", ") || "none"}).`,
          );
        }
        const counts: Record<string, number> = {};
        if (tables.length) {
          const query = tables
            .map((t) => `SELECT '${t}', COUNT(*) FROM \`${t.replace(/`/g, "``")}\``)
            .join(" UNION ALL ");
          const out = await mysql(client, password, query);
          for (const line of out.stdout.split("\n").filter(Boolean)) {
            const [table, count] = line.split("\t");
            counts[table!] = Number(count);
          }
        }
        const differing = tables.filter((t) => counts[t] !== manifest.database.tables[t]);
        if (differing.length) {
          throw new VerificationFailure(
            msg`Row counts differ from the manifest in ${differing.length} table(s): ${differing
              .slice(0, 3)
              .map((t) => `${t} ${counts[t]} instead of ${manifest.database.tables[t]}`)
              .join(", ")}.`,
          );
        }
        const schemaOut = await mysql(client, password, "SELECT conf_value FROM config WHERE conf_name = 'schema'");
        const schema = Number(schemaOut.stdout.trim());
        if (manifest.schema !== null && schema !== manifest.schema) {
          throw new VerificationFailure(msg`The schema is ${schema}, the manifest says ${manifest.schema}.`);
        }
        let uploadRows = 0;
        if (tables.includes("uploads")) {
          const rows = await mysql(client, password, "SELECT long_name FROM uploads");
          const names = rows.stdout.split("\n").filter(Boolean);
          uploadRows = names.length;
          // eLabFTW serves /elabftw/uploads/<long_name>: a link counts when it ends at a file of the tree.
          const tree = new UploadTree(manifest.uploads.files);
          const missing = names.map((n) => uploadRowProblem(tree, n)).filter((p): p is string => p !== null);
          if (missing.length) {
            throw new VerificationFailure(
              msg`${missing.length} upload row(s) of the database have no file in the archive, e.g. ${missing.slice(0, 3).join(", ")}.`,
            );
          }
        }
        const rowsTotal = Object.values(counts).reduce((a, b) => a + b, 0);
        await ctx.log(
          `${tables.length} tables and ${rowsTotal} rows as in the manifest, schema ${schema}, every one of the ${uploadRows} upload rows has its file.`,
        );
        await ctx.progress(95);
        return { tables: tables.length, rows: rowsTotal, schema, uploadRows };
      },
    },

    cleanup: {
      async run(ctx) {
        await removeContainer(await dbClient(), container, { force: true, volumes: true });
        await ctx.log(`Removed ${container}.`);
      },
    },
  };
  return VERIFY_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

/** Store the verdict on the backup, and in the audit trail. */
export async function finishVerification(
  db: Db,
  operationId: string,
  plan: VerifyPlan,
  outcome: "succeeded" | "failed" | "rolled_back",
): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({
    where: { id: operationId },
    select: {
      error: true,
      errorText: true,
      result: true,
      instance: { select: { id: true, unitId: true, name: true } },
    },
  });
  const passed = outcome === "succeeded";
  // The backup may be gone by now (removed by retention or by hand while the verification waited).
  await db.backup.updateMany({
    where: { id: plan.backupId },
    data: {
      verificationStatus: passed ? "passed" : "failed",
      verifiedAt: new Date(),
      verificationDetails: passed
        ? { operationId, ...((op.result ?? {}) as object) }
        : { operationId, reason: (op.errorText ?? op.error ?? "The verification did not finish.") as object },
    },
  });
  await recordAuditEvent(db, {
    actor: { type: "system", label: "verification" },
    action: "backup.verified",
    outcome: passed ? "success" : "failure",
    reason: passed ? null : (op.error ?? outcome).slice(0, 500),
    target: { type: "backup", id: plan.backupId },
    instanceId: op.instance?.id ?? null,
    unitId: op.instance?.unitId ?? null,
    params: { name: op.instance?.name ?? null },
  });
}

export const verifyOperation = defineOperation({
  kind: "verify",
  version: 1,
  params: verifyPlanSchema,
  steps: (run) => verifySteps(run.db, run.ring, run.operationId, run.params, run.options.backup),
  finish: (run, outcome) => finishVerification(run.db, run.operationId, run.params, outcome),
});
