import type { KeyRing } from "../../crypto";
import { englishText, msg } from "../../i18n/message";
import { errorText } from "../../errors";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { loadRepository } from "./repositories";
import { resticReason, runRestic, type ResticResult } from "./restic";

/** How often each repository is read in full (every pack downloaded and checked). */
export const FULL_CHECK_DAYS = 30;

/** The line of `restic check`'s output that says what is wrong (else restic's own reason). */
export function damageLine(result: ResticResult): string {
  const found = result.output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /error|invalid|damaged|does not match|not found/i.test(l));
  return (found[0] ?? englishText(resticReason(result))).slice(0, 300);
}

/**
 * The scheduled full read: each repository whose last full check is older than FULL_CHECK_DAYS (or
 * that never had one) is checked with `restic check --read-data`, one at a time, on its own host
 * for a directory, else on the host of an instance that backs up into it. The verdict is stored on
 * the repository (the policies page and the metrics show it) and audited. A rotating part is read at
 * every verification already; this catches what rots in packs no verification reached lately.
 */
export async function checkRepositoriesInFull(
  db: Db,
  ring: KeyRing,
  now: Date,
  options: { log: (line: string) => void; only?: string[]; timeoutMs?: number },
): Promise<{ checked: number; damaged: string[] }> {
  const due = await db.backupRepository.findMany({
    where: {
      ...(options.only ? { id: { in: options.only } } : {}),
      initializedAt: { not: null },
      OR: [{ fullCheckAt: null }, { fullCheckAt: { lt: new Date(now.getTime() - FULL_CHECK_DAYS * 86_400_000) } }],
    },
    select: { id: true, name: true, hostId: true },
    orderBy: { fullCheckAt: { sort: "asc", nulls: "first" } },
  });
  const damaged: string[] = [];
  let checked = 0;
  for (const row of due) {
    const hostId =
      row.hostId ??
      (
        await db.instance.findFirst({
          where: {
            backupPolicy: { OR: [{ repositoryId: row.id }, { offsiteRepositoryId: row.id }] },
          },
          select: { webHostId: true },
        })
      )?.webHostId;
    if (!hostId) {
      options.log(`Full check of repository ${row.name}: no host reaches it yet (no instance backs up into it).`);
      continue;
    }
    let ok: boolean;
    let error: string | null = null;
    try {
      const repo = await loadRepository(db, ring, row.id);
      const result = await runRestic(await clientFor(db, ring, hostId), repo, {
        args: ["check", "--read-data"],
        timeoutMs: options.timeoutMs ?? 22 * 3_600_000,
      });
      ok = result.exitCode === 0;
      if (!ok) error = englishText(msg`restic check found damage in repository ${row.name}: ${damageLine(result)}.`);
    } catch (e) {
      // Not reached (host down, repository unreachable): not a verdict on the data; tried again at the next run.
      options.log(`Full check of repository ${row.name} could not run: ${englishText(errorText(e))}`);
      continue;
    }
    checked++;
    if (!ok) damaged.push(row.name);
    await db.backupRepository.update({
      where: { id: row.id },
      data: { fullCheckAt: now, fullCheckOk: ok, fullCheckError: error },
    });
    await recordAuditEvent(db, {
      actor: { type: "system", label: "repository check" },
      action: "repository.full_check",
      outcome: ok ? "success" : "failure",
      reason: error?.slice(0, 500) ?? null,
      target: { type: "repository", id: row.id },
      params: { name: row.name },
    });
    options.log(`Full check of repository ${row.name}: ${ok ? "every pack read back and sound" : error}`);
  }
  return { checked, damaged };
}
