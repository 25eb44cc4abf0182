import { execCapture, inspectContainer, measureFreeSpace, getEngineInfo, type DockerClient } from "../../../docker";
import { AppError } from "../../../errors";
import { describeConsoleFailure, parseDbCheck } from "../../instances/elabftw-console";
import { healthFromInside } from "../../instances/observe";
import { listTags } from "../../registry/registry-client";
import { registryConfig } from "../../registry/tag-cache";
import type { UpgradeEnv, UpgradeStepBody } from "./env";
import { releaseNotesUrl } from "../../instances/elabftw-releases";
import { msg } from "../../../i18n/message";
import semver from "semver";
import { MIN_FREE_BYTES, missingPrivileges, previewUpgrade, upgradeRisks } from "../plan";
import type { LayoutMove } from "../layout-move";
import { describeLayoutMove, layoutMoveFor } from "./recreate";
import { englishText } from "../../../i18n/message";
import type { KeyRing } from "../../../crypto";
import type { Db } from "../../db/client";
import { openDatabaseShell, queryThroughShell } from "../../backups/database-shell";
import { openInstanceSecrets, requireDatabasePassword } from "../../instances/instance-secrets";

const GiB = 1024 ** 3;

/**
 * Free space in the web host's Docker directory (images, the kept container) against what an upgrade wants,
 * for the risk checks; null when it cannot be measured. The pre-flight and the plan preview read it alike.
 */
export async function hostSpace(
  client: DockerClient,
  dockerRootDir: string,
  image: string,
  minFreeBytes: number | undefined,
): Promise<{ freeBytes: number; neededBytes: number; where: string } | null> {
  const free = await measureFreeSpace(client, dockerRootDir, image).catch(() => null);
  return free === null ? null : { freeBytes: free, neededBytes: minFreeBytes ?? MIN_FREE_BYTES, where: dockerRootDir };
}

export function preflightStep({
  db,
  ring,
  plan,
  options,
  newImage,
  instance,
  clients,
  webClient,
  console,
}: UpgradeEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      await ctx.log(`Upgrade of ${plan.name} from ${plan.fromTag} to ${plan.toTag}.`);
      const tags = await listTags(options.registry ?? registryConfig(), plan.repository).catch((error: unknown) => {
        throw new AppError(
          "unavailable",
          msg`The registry could not be asked for ${plan.repository}: ${(error as Error).message}`,
          {
            hint: "Check the registry settings and that the panel reaches it, then try again.",
          },
        );
      });
      if (!tags.includes(plan.toTag)) {
        throw new AppError("precondition_failed", msg`${newImage} does not exist in the registry.`, {
          hint: "Pick a version from the list on the instance page (the list is refreshed every hour).",
        });
      }
      const i = await instance();
      const running = i.elabftwVersion ?? plan.fromTag;
      if (semver.valid(running) && semver.valid(plan.toTag)) {
        const preview = previewUpgrade(running, plan.toTag, tags);
        await ctx.log(
          `Releases crossed: ${preview.crossed.map((c) => `${c.version} (${c.notes})`).join(", ")}.${preview.schema.from !== null && preview.schema.to !== null ? ` Schema ${preview.schema.from} → ${preview.schema.to}.` : ""}`,
        );
      } else {
        await ctx.log(`Release notes: ${releaseNotesUrl(plan.toTag)}`);
      }
      const client = await webClient();
      const web = await inspectContainer(client, i.webContainerName);
      if (!web.state.running) {
        throw new AppError("precondition_failed", msg`${i.webContainerName} is not running.`, {
          hint: "Start the instance and make sure it is healthy before upgrading.",
        });
      }
      const health = await healthFromInside(client, web);
      if (health.verdict !== "ok") {
        throw new AppError("precondition_failed", msg`The instance is not healthy: ${health.detail}.`, {
          hint: "Fix the instance first: an upgrade starts from a healthy instance.",
        });
      }
      const check = await console(client, web.id, "db:check");
      const schema = parseDbCheck(check.stdout);
      if (!schema?.upToDate) {
        throw new AppError(
          "precondition_failed",
          schema
            ? msg`The schema is not in sync before the upgrade (current ${schema.current}, required ${schema.required}).`
            : msg`${describeConsoleFailure("bin/console db:check", check)}.`,
          { hint: "Bring the schema in sync with the running version first (bin/console db:update)." },
        );
      }
      if (i.databasePlacement === "container" && i.databaseHostId && i.databaseContainerName) {
        const dbClient = await clients(i.databaseHostId);
        const database = await inspectContainer(dbClient, i.databaseContainerName);
        if (!database.state.running) {
          throw new AppError(
            "precondition_failed",
            msg`The database container ${i.databaseContainerName} is not running.`,
            {
              hint: "Start it, check the instance is healthy, then upgrade.",
            },
          );
        }
      }
      const engine = await getEngineInfo(client);
      const space = await hostSpace(client, engine.dockerRootDir, web.image, options.minFreeBytes);
      const free = space?.freeBytes ?? null;
      if (free === null) {
        await ctx.log(`Free space in ${engine.dockerRootDir} could not be measured; going on.`, "warn");
      }
      const server = await databaseFacts(db, ring, plan.instanceId);
      const serverVersion = server.version;
      const risks = upgradeRisks({
        from: semver.valid(running) ? running : null,
        to: plan.toTag,
        schema: schema.current,
        databaseVersion: serverVersion,
        missingPrivileges: server.missingPrivileges,
        siteUrl: web.env.SITE_URL?.trim() || null,
        space,
      });
      const block = risks.find((r) => r.level === "block");
      if (block) throw new AppError("precondition_failed", block.text, { hint: block.hint });
      for (const risk of risks) await ctx.log(`${englishText(risk.text)} ${englishText(risk.hint)}`, "warn");
      // A move to another container layout (6.0): what it will change, said before anything changes.
      const move = layoutMoveFor(web, plan.toTag, plan.runAs);
      if (move) {
        for (const line of describeLayoutMove(move)) await ctx.log(`Planned: ${line}`);
        const survey = await surveyUploads(client, web.id, move);
        if (survey) {
          await ctx.log(
            `Planned: ${survey.toChown} entries of the uploads are not owned by ${move.runAs} and will be given to it.`,
          );
          if (survey.absoluteLinks > 0) {
            await ctx.log(
              `${survey.absoluteLinks} symbolic link(s) in the uploads point into ${move.from.uploads} by an absolute path: after the move to ${move.to.uploads} they no longer lead anywhere. Make them relative (ln -sfr) before or after the upgrade.`,
              "warn",
            );
          }
        }
      }
      await ctx.log(
        `Healthy, schema ${schema.current} in sync, database server ${serverVersion}${free !== null ? `, ${(free / GiB).toFixed(1)} GiB free` : ""}.`,
      );
      await ctx.progress(5, "Pre-flight checks passed");
      return { schema: schema.current, freeBytes: free };
    },
  };
}

/**
 * `SELECT VERSION()` of the instance's database server and what eLabFTW's own user may do on its database
 * (`SHOW GRANTS`), asked as that user (inside its container, or from the web host for an external server).
 * A server that does not answer is refused: the backup and the migration would fail on it later, after the stop.
 */
export async function databaseFacts(
  db: Db,
  ring: KeyRing,
  instanceId: string,
): Promise<{ version: string; missingPrivileges: string[] | null }> {
  const instance = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, omit: { secretsEnc: false } });
  const password = requireDatabasePassword(openInstanceSecrets(ring, instance));
  const shell = await openDatabaseShell(db, ring, instance);
  try {
    const asked = await queryThroughShell(shell, instance.databaseUser, password, "SELECT VERSION()");
    if (asked.exitCode !== 0) {
      throw new AppError(
        "precondition_failed",
        msg`The database server does not answer the panel: ${asked.stderr.trim().split("\n").at(-1) ?? `exit ${asked.exitCode}`}.`,
        {
          hint: shell.external
            ? "Check that the database server answers from the web host, and the stored password; nothing was changed."
            : "Check the database container and the stored password (adopt the instance again if it changed); nothing was changed.",
        },
      );
    }
    const grants = await queryThroughShell(shell, instance.databaseUser, password, "SHOW GRANTS");
    return {
      version: asked.stdout.trim(),
      // Unknown (not a refusal) when the server would not list them.
      missingPrivileges:
        grants.exitCode === 0
          ? missingPrivileges(grants.stdout.split("\n").filter(Boolean), instance.databaseName)
          : null,
    };
  } finally {
    await shell.close();
  }
}

/**
 * Before a layout move, from inside the running container (as root): how many entries of the uploads
 * the chown will change, and how many symbolic links point into the old uploads path by an absolute
 * path (they break when the uploads move). Null when the container cannot answer (the move still
 * records and changes exactly what it finds at the stop).
 */
export async function surveyUploads(
  client: DockerClient,
  web: string,
  move: LayoutMove,
): Promise<{ toChown: number; absoluteLinks: number } | null> {
  const [uid, gid] = move.runAs.split(":");
  const result = await execCapture(client, web, {
    user: "0",
    cmd: [
      "sh",
      "-c",
      'cd "$0" || exit 1; echo "chown $(find . \\( ! -user "$1" -o ! -group "$2" \\) -print0 | tr -dc "\\000" | wc -c)"; ' +
        'echo "links $(find . -type l -exec sh -c \'for l; do case "$(readlink "$l")" in "$0"/*) echo x;; esac; done\' "$0" {} + | wc -l)"',
      move.from.uploads,
      uid!,
      gid!,
    ],
  });
  const chown = /chown (\d+)/.exec(result.stdout);
  const links = /links (\d+)/.exec(result.stdout);
  return result.exitCode === 0 && chown && links
    ? { toChown: Number(chown[1]), absoluteLinks: Number(links[1]) }
    : null;
}
