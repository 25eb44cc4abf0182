import semver from "semver";
import type { KeyRing } from "../../crypto";
import { execCapture, getEngineInfo, inspectContainer } from "../../docker";
import { AppError, errorText } from "../../errors";
import { asMessage, type Message } from "../../i18n/message";
import type { Db } from "../db/client";
import { hostClients } from "../hosts/clients";
import { parseDbCheck } from "../instances/elabftw-console";
import { upgradeDowntimeMs } from "../operations/result-view";
import { composeLabelsOf, readComposeFiles, rewriteComposeImage } from "./compose-sync";
import { rewriteComposeLayout } from "./layout-move";
import { composeDiff, upgradeRisks, type DiffHunk } from "./plan";
import { databaseFacts, hostSpace, surveyUploads } from "./steps/preflight";
import { layoutMoveFor } from "./steps/recreate";
import type { UpgradeOptions } from "./upgrade";

/**
 * What an upgrade will do to this very instance, read before the key touch without changing
 * anything: the risk checks the pre-flight will make (on the live database and container), how many entries of the uploads a move to a user-run layout gives to
 * that user, the compose file as a diff, and the downtime the fleet's last upgrades had. The
 * pre-flight makes the same checks again at the start: this is what the operator reads first.
 */
export interface UpgradePlanPreview {
  risks: { level: "block" | "warn"; text: Message; hint: Message }[];
  chown: { toChown: number; absoluteLinks: number } | null;
  compose: { file: string; hunks: DiffHunk[] } | { file: null; reason: string } | null;
  downtime: { medianMs: number; count: number } | null;
}

export async function previewUpgradePlan(
  db: Db,
  ring: KeyRing,
  input: { instanceId: string; version: string; runAs?: string },
  options: Pick<UpgradeOptions, "minFreeBytes"> = {},
): Promise<UpgradePlanPreview> {
  const instance = await db.instance.findUniqueOrThrow({
    where: { id: input.instanceId },
    select: {
      id: true,
      webHostId: true,
      webContainerName: true,
      imageRepository: true,
      imageTag: true,
      elabftwVersion: true,
    },
  });
  const from = instance.elabftwVersion ?? instance.imageTag;
  const client = await hostClients(db, ring)(instance.webHostId);
  const web = await inspectContainer(client, instance.webContainerName).catch(() => null);
  if (!web) {
    throw new AppError("precondition_failed", "The web container is not on its host any more.", {
      hint: "Look at the instance's page: adopt it again or repair it before upgrading.",
    });
  }
  const check = web.state.running
    ? parseDbCheck((await execCapture(client, web.id, { cmd: ["bin/console", "db:check"], maxBytes: 1 << 20 })).stdout)
    : null;
  // The same facts the pre-flight reads: the database server (a failure to answer is a risk of its own) and the
  // free space in the web host's Docker directory.
  const [server, space] = await Promise.all([
    databaseFacts(db, ring, instance.id).then(
      (facts) => ({ facts, error: null }),
      (error: unknown) => ({ facts: null, error: asMessage(errorText(error)) }),
    ),
    getEngineInfo(client)
      .then((engine) => hostSpace(client, engine.dockerRootDir, web.image, options.minFreeBytes))
      .catch(() => null),
  ]);
  const risks = upgradeRisks({
    from: semver.valid(from) ? from : null,
    to: input.version,
    schema: check?.current ?? null,
    databaseVersion: server.facts?.version ?? null,
    missingPrivileges: server.facts?.missingPrivileges ?? null,
    databaseUnreachable: server.error,
    siteUrl: web.env.SITE_URL?.trim() || null,
    space,
  });
  const move = layoutMoveFor(web, input.version, input.runAs);
  const image = `${instance.imageRepository}:${input.version}`;
  const chown = move && web.state.running ? await surveyUploads(client, web.id, move) : null;

  let compose: UpgradePlanPreview["compose"] = null;
  const labels = composeLabelsOf(web.labels);
  if (labels) {
    const files = await readComposeFiles(client, web.image, labels).catch(() => []);
    compose = { file: null, reason: `no compose file names an image for service ${labels.service}` };
    for (const f of files) {
      if (f.text === null) {
        compose = { file: null, reason: `${f.path} could not be read (${f.error ?? "unknown"})` };
        continue;
      }
      try {
        let after = rewriteComposeImage(f.text, labels.service, image);
        if (after === null) continue;
        if (move) after = rewriteComposeLayout(after, labels.service, move);
        compose = { file: f.path, hunks: composeDiff(f.text, after) };
        break;
      } catch (error) {
        compose = { file: null, reason: `${f.path} could not be read: ${(error as Error).message}` };
      }
    }
  }

  // The downtime the last upgrades in the fleet had (their commit step's own figure).
  const recent = await db.operation.findMany({
    where: { kind: "upgrade", state: "succeeded" },
    orderBy: { finishedAt: "desc" },
    take: 20,
    select: { result: true },
  });
  const downtimes = recent
    .map((o) => upgradeDowntimeMs(o.result))
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  const downtime = downtimes.length
    ? { medianMs: downtimes[Math.floor(downtimes.length / 2)]!, count: downtimes.length }
    : null;
  return { risks, chown, compose, downtime };
}
