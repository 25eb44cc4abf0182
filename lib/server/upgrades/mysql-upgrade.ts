import type { Actor, RequestContext } from "../../kernel";
import { z } from "zod";
import type { KeyRing } from "../../crypto";
import {
  connectNetwork,
  createContainer,
  createVolume,
  disconnectNetwork,
  execCapture,
  inspectContainer,
  inspectImage,
  planRecreate,
  removeContainer,
  removeVolume,
  renameContainer,
  runToCompletion,
  startContainer,
  stopContainer,
  updateRestartPolicy,
  type ContainerDetails,
  type DockerClient,
} from "../../docker";
import { AppError, errorText } from "../../errors";
import { englishText, msg } from "../../i18n/message";
import { appendAuditEvent, recordAuditEvent, requestedBy } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { hostClients } from "../hosts/clients";
import { parseDbCheck } from "../instances/elabftw-console";
import { openInstanceSecrets } from "../instances/instance-secrets";
import { waitForHealth } from "../instances/observe";
import { defineOperation, type ExecuteOptions } from "../operations/define";
import { createOperation, type SendJob, type StepContext, type StepDefinition } from "../operations/journal";
import { pullWithProgress } from "../operations/pull-progress";
import { waitForDatabaseContainer } from "./wait-database";
import { composeLabelsOf, rewriteComposeFiles } from "./compose-sync";
import {
  alterToCachingSha2,
  commandFor84,
  MYSQL_84_TAG,
  mysqlImageOf,
  nativeAccounts,
  parseAccounts,
  rewriteComposeMysql,
  targetImageOf,
  type Account,
} from "./mysql-move";
import { backupStep } from "./steps/backup";

/**
 * Moving an instance's database container from MySQL 8.0 to 8.4 (the reference compose file's MySQL
 * since eLabFTW 5.3.0), as its own journaled operation. Nothing changes before the checks (the server
 * is 8.0, every account that would be locked out on 8.4 is one whose password the panel holds), a
 * verified backup and the pull. Then the accounts are moved to caching_sha2_password on the running 8.0
 * (sysadmin-guide.md; 8.0 has both plugins, so nothing waits for it), and, eLabFTW stopped, the database
 * stops, its data directory is copied as it is, and the container is re-created on 8.4 without the
 * options 8.4 refuses. Until the commit, any failure
 * puts back the 8.0 container on the copied directory (8.4 upgrades the directory in place, for
 * good: 8.0 would refuse it), then starts eLabFTW again.
 */
export const MYSQL_UPGRADE_STEPS = [
  { key: "preflight", title: "Pre-flight checks" },
  { key: "backup", title: "Back up and verify the backup" },
  { key: "pull", title: "Pull the MySQL 8.4 image" },
  { key: "switch", title: "Move the database container to MySQL 8.4" },
  { key: "verify", title: "Verify MySQL 8.4 and eLabFTW" },
  { key: "commit", title: "Commit the move" },
] as const;

export const mysqlUpgradePlanSchema = z.object({
  instanceId: z.string().min(1),
  name: z.string().min(1),
  /** The database container's image before the move (mysql:8.0…). */
  fromImage: z.string().min(1),
  /** The image it moves to (same repository, an 8.4 tag). */
  toImage: z.string().min(1),
});
export type MysqlUpgradePlan = z.infer<typeof mysqlUpgradePlanSchema>;

const DATA_DIR = "/var/lib/mysql";
const context = (ctx: StepContext) => ctx as StepContext<MysqlResults>;

interface Preflight {
  /** Accounts moved to caching_sha2_password before the switch. */
  accounts: { user: string; host: string }[];
  /** Command options taken out (8.4 refuses them). */
  dropped: string[];
  dataBytes: number;
}
interface Switched {
  oldId: string;
  name: string;
  keptName: string;
  restartPolicy: string;
  networks: { name: string; aliases: string[] }[];
  /** The volume holding the data directory as it was at the stop. */
  copy: string;
  copied?: boolean;
  /** The accounts were given caching_sha2_password (8.0 accepts it too: a rollback keeps it). */
  accountsMoved?: boolean;
  webStopped?: boolean;
  stoppedAt?: string;
  newId?: string;
}
interface MysqlResults {
  preflight: Preflight;
  backup: { backupId: string };
  pull: { imageId: string };
  switch: Switched;
  verify: { version: string; servingAt: string };
  commit: unknown;
}

/** Where the data directory is: a named volume or a host directory, as a bind for a helper. */
function dataMountOf(c: ContainerDetails): string {
  const m = c.mounts.find((x) => x.destination.replace(/\/+$/, "") === DATA_DIR);
  if (!m?.source || (m.type !== "volume" && m.type !== "bind")) {
    throw new AppError("precondition_failed", msg`${c.name} keeps its data inside the container, not in a volume.`, {
      hint: "A container's own layer is lost when it is re-created: move the data to a volume first. Nothing was changed.",
    });
  }
  return m.source;
}

/** The volume that keeps a move's copy of the 8.0 data directory until it is committed or rolled back. */
export const mysqlCopyVolumeName = (operationId: string) =>
  `paillasse-mysql80-${operationId
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")
    .slice(0, 24)}`;

export function mysqlUpgradeSteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: MysqlUpgradePlan,
  options: ExecuteOptions,
): StepDefinition<MysqlResults>[] {
  const clients = hostClients(db, ring);
  const healthTimeoutMs = options.upgrade?.healthTimeoutMs ?? options.backup?.healthTimeoutMs ?? 180_000;
  const instance = () =>
    db.instance.findUniqueOrThrow({
      where: { id: plan.instanceId },
      select: {
        id: true,
        secretsEnc: true,
        webHostId: true,
        webContainerName: true,
        databasePlacement: true,
        databaseHostId: true,
        databaseContainerName: true,
        databaseName: true,
        databaseUser: true,
      },
    });
  const where = async () => {
    const i = await instance();
    if (i.databasePlacement !== "container" || !i.databaseHostId || !i.databaseContainerName) {
      throw new AppError("precondition_failed", "This instance's database is not a container the panel manages.", {
        hint: "An external MySQL server is moved by its own administrators' procedure. Nothing was changed.",
      });
    }
    return {
      i,
      dbClient: await clients(i.databaseHostId),
      webClient: await clients(i.webHostId),
      name: i.databaseContainerName,
    };
  };
  const keptName = (name: string) => `${name}-paillasse-rollback-mysql80`;
  const copyVolume = mysqlCopyVolumeName(operationId);

  /** SQL as root in the database container (over its socket), the password in the exec's environment. */
  const rootSql = async (client: DockerClient, container: string, root: string, sql: string) => {
    const result = await execCapture(client, container, {
      cmd: ["sh", "-c", 'printf "%s\\n" "$PAILLASSE_SQL" | mysql --batch --skip-column-names -uroot'],
      env: { MYSQL_PWD: root, PAILLASSE_SQL: sql },
    });
    if (result.exitCode !== 0) {
      throw new AppError(
        "unavailable",
        msg`MySQL answered: ${result.stderr.trim().slice(-300) || `exit ${result.exitCode}`}`,
        {
          hint: "See the database container's logs.",
        },
      );
    }
    return result.stdout;
  };
  /** Does this account log in with this password (as a TCP client from the container, or over the socket)? */
  const logsIn = async (
    client: DockerClient,
    container: string,
    a: { user: string; host: string },
    password: string,
  ) => {
    const over = a.host === "localhost" ? [] : ["--protocol=TCP", "-h", "127.0.0.1"];
    const r = await execCapture(client, container, {
      cmd: ["mysql", ...over, "--batch", "-u", a.user, "-e", "SELECT 1"],
      env: { MYSQL_PWD: password },
    });
    return r.exitCode === 0;
  };
  const rootPasswordOf = (c: ContainerDetails) => {
    const root = c.env.MYSQL_ROOT_PASSWORD;
    if (!root) {
      throw new AppError(
        "precondition_failed",
        msg`The root password of ${c.name} is not in its environment (MYSQL_ROOT_PASSWORD).`,
        { hint: "The move needs MySQL's root account. Nothing was changed." },
      );
    }
    return root;
  };
  /** Until the database container runs and is healthy; a container that stopped fails at once, with its last words. */
  const waitForDatabase = (client: DockerClient, container: string) =>
    waitForDatabaseContainer(client, container, {
      timeoutMs: healthTimeoutMs,
      hint: "See the database container's logs.",
      stoppedFails: { hint: "The move is rolled back to MySQL 8.0 on its data as it was." },
    });
  /** The data directory copied into (or back from) the copy volume, by a helper of the 8.0 image. */
  const copyData = async (client: DockerClient, image: string, data: string, direction: "save" | "restore") => {
    const script =
      direction === "save"
        ? "cp -a /data/. /copy/ && echo copied"
        : "find /data -mindepth 1 -maxdepth 1 -exec rm -rf {} + && cp -a /copy/. /data/ && echo copied";
    const result = await runToCompletion(
      client,
      {
        Image: image,
        User: "0:0",
        Entrypoint: ["sh", "-c", script],
        Labels: { "net.paillasse.managed": "true", "net.paillasse.helper": "mysql-data-copy" },
        NetworkDisabled: true,
        HostConfig: {
          Binds: [`${data}:/data`, `${copyVolume}:/copy`],
          NetworkMode: "none",
          RestartPolicy: { Name: "no" },
        },
      },
      { timeoutMs: 60 * 60_000 },
    );
    if (result.exitCode !== 0 || !result.stdout.includes("copied")) {
      throw new AppError(
        "unavailable",
        msg`Copying the data directory failed (exit ${result.exitCode}): ${result.stderr.trim().slice(-300) || "no message"}.`,
        { hint: msg`The copy of the data as it was is kept in volume ${copyVolume}.` },
      );
    }
  };
  const webHealthy = async (webClient: DockerClient, webName: string) => {
    const web = await inspectContainer(webClient, webName);
    await waitForHealth(webClient, web, {
      timeoutMs: healthTimeoutMs,
      intervalMs: 500,
      hint: "eLabFTW does not answer: see its logs.",
    });
    return web;
  };

  const preflight: StepDefinition<MysqlResults> = {
    key: "preflight",
    title: MYSQL_UPGRADE_STEPS[0].title,
    async run(ctx) {
      const { i, dbClient, name } = await where();
      const c = await inspectContainer(dbClient, name);
      const image = mysqlImageOf(c.image);
      if (!image || image.series !== "8.0") {
        throw new AppError("precondition_failed", msg`${name} runs ${c.image}, not MySQL 8.0.`, {
          hint: "This move is for a database container on the official mysql:8.0 image. Nothing was changed.",
        });
      }
      if (!c.state.running) {
        throw new AppError("precondition_failed", msg`The database container ${name} is not running.`, {
          hint: "Start it (and check eLabFTW answers), then move it. Nothing was changed.",
        });
      }
      const root = rootPasswordOf(c);
      const version = (await rootSql(dbClient, name, root, "SELECT VERSION();")).trim();
      if (!/^8\.0\.\d+/.test(version)) {
        throw new AppError(
          "precondition_failed",
          msg`The server answers version ${version.slice(0, 60)}, not MySQL 8.0.`,
          {
            hint: "This move is for MySQL 8.0 servers. Nothing was changed.",
          },
        );
      }
      const natives = nativeAccounts(
        parseAccounts(await rootSql(dbClient, name, root, "SELECT user, host, plugin FROM mysql.user;")),
      );
      const secrets = openInstanceSecrets(ring, i);
      const appUser = c.env.MYSQL_USER || i.databaseUser;
      const passwordOf = (a: Account) =>
        a.user === "root"
          ? root
          : a.user === appUser || a.user === i.databaseUser
            ? (secrets.dbPassword ?? c.env.MYSQL_PASSWORD)
            : undefined;
      const unknown = natives.filter((a) => !passwordOf(a));
      if (unknown.length) {
        throw new AppError(
          "precondition_failed",
          msg`These accounts use mysql_native_password, which MySQL 8.4 no longer loads, and the panel does not know their passwords: ${unknown.map((a) => `${a.user}@${a.host}`).join(", ")}.`,
          {
            hint: "On 8.0, give each one caching_sha2_password (ALTER USER 'name'@'host' IDENTIFIED WITH caching_sha2_password BY 'its password';) or drop it, then move again. Nothing was changed.",
          },
        );
      }
      for (const a of natives) {
        // Only where a login can be tried from the container (its own host patterns): a wrong password would lock eLabFTW out.
        if (!["localhost", "%", "127.0.0.1"].includes(a.host)) continue;
        if (!(await logsIn(dbClient, name, a, passwordOf(a)!))) {
          throw new AppError(
            "precondition_failed",
            msg`The password the panel holds for ${a.user}@${a.host} does not log in to the database.`,
            {
              hint: "Re-read the instance's credentials (on its page), then move again. Nothing was changed.",
            },
          );
        }
      }
      const { dropped } = commandFor84(c.cmd);
      const sizes = await execCapture(dbClient, name, {
        cmd: ["sh", "-c", `du -sk ${DATA_DIR} | cut -f1; df -Pk ${DATA_DIR} | awk 'NR==2 {print $4}'`],
      });
      const [usedK = 0, freeK = 0] = sizes.stdout.trim().split("\n").map(Number);
      // The copy goes to a volume on the same engine; the data directory's filesystem is the best figure at hand.
      if (freeK && usedK * 1.1 > freeK) {
        throw new AppError(
          "precondition_failed",
          msg`The data directory takes ${Math.ceil(usedK / 1024)} MiB and only ${Math.floor(freeK / 1024)} MiB are free for its copy.`,
          { hint: "Free space on the database host, then move again. Nothing was changed." },
        );
      }
      await ctx.log(`${name}: ${c.image}, server ${version}; data directory ${Math.ceil(usedK / 1024)} MiB.`);
      await ctx.log(
        natives.length
          ? `Accounts moved to caching_sha2_password before the switch: ${natives.map((a) => `${a.user}@${a.host}`).join(", ")}.`
          : "No account uses mysql_native_password.",
      );
      if (dropped.length) await ctx.log(`Options MySQL 8.4 refuses, taken out of the command: ${dropped.join(" ")}.`);
      await ctx.log(`Target image ${plan.toImage}; the data directory is copied before the switch, for a rollback.`);
      await ctx.progress(5, "Checks passed");
      return { accounts: natives.map(({ user, host }) => ({ user, host })), dropped, dataBytes: usedK * 1024 };
    },
  };

  const backup = backupStep({ db, ring, operationId, plan, options: { ...options.backup } }) as unknown as Omit<
    StepDefinition<MysqlResults>,
    "key" | "title"
  >;

  const pull: StepDefinition<MysqlResults> = {
    key: "pull",
    title: MYSQL_UPGRADE_STEPS[2].title,
    async run(ctx) {
      const { dbClient } = await where();
      await ctx.intent({ pull: plan.toImage });
      await pullWithProgress(dbClient, plan.toImage, ctx, { from: 40, to: 50, label: `Pulling ${plan.toImage}` });
      const image = await inspectImage(dbClient, plan.toImage);
      await ctx.log(`Pulled ${plan.toImage} (${image.id.slice(7, 19)}).`);
      return { imageId: image.id };
    },
  };

  const switchStep: StepDefinition<MysqlResults> = {
    key: "switch",
    title: MYSQL_UPGRADE_STEPS[3].title,
    async run(rawCtx) {
      const ctx = context(rawCtx);
      const { i, dbClient, webClient, name } = await where();
      const { accounts, dropped } = ctx.result("preflight");
      const recreate = await planRecreate(dbClient, name, plan.toImage);
      const old = await inspectContainer(dbClient, recreate.id);
      const data = dataMountOf(old);
      const root = rootPasswordOf(old);
      const secrets = openInstanceSecrets(ring, i);
      const state: Switched = {
        oldId: recreate.id,
        name,
        keptName: keptName(name),
        restartPolicy: recreate.restartPolicy,
        networks: recreate.networks,
        copy: copyVolume,
      };
      await ctx.intent({ ...state });
      if (accounts.length) {
        // On the running 8.0, which has both plugins: the accounts keep their passwords and will log in on 8.4.
        // Done before the downtime (eLabFTW logs in with caching_sha2_password as well); a rollback keeps it.
        const passwordOf = (a: { user: string }) =>
          a.user === "root" ? root : (secrets.dbPassword ?? old.env.MYSQL_PASSWORD ?? "");
        await rootSql(
          dbClient,
          recreate.id,
          root,
          accounts.map((a) => alterToCachingSha2(a, passwordOf(a))).join("\n"),
        );
        state.accountsMoved = true;
        await ctx.intent({ ...state });
        await ctx.log(
          `Moved ${accounts.map((a) => `${a.user}@${a.host}`).join(", ")} to caching_sha2_password (on 8.0).`,
        );
      }
      const web = await inspectContainer(webClient, i.webContainerName).catch(() => null);
      if (web?.state.running) {
        state.webStopped = true;
        await ctx.intent({ ...state });
        await stopContainer(webClient, web.id, 30);
      }
      state.stoppedAt = new Date().toISOString();
      await ctx.log(`Stopped eLabFTW (${i.webContainerName}); downtime starts.`);
      await stopContainer(dbClient, recreate.id, 60);
      await ctx.progress(55, "Copying the data directory");
      await createVolume(dbClient, copyVolume, {
        "net.paillasse.managed": "true",
        "net.paillasse.role": "mysql-80-data",
      });
      await copyData(dbClient, plan.fromImage, data, "save");
      state.copied = true;
      await ctx.intent({ ...state });
      await ctx.log(`Copied the data directory as it was into volume ${copyVolume}.`);
      await updateRestartPolicy(dbClient, recreate.id, "no");
      await renameContainer(dbClient, recreate.id, state.keptName);
      for (const n of recreate.networks) await disconnectNetwork(dbClient, n.name, recreate.id);
      await ctx.log(`Kept the 8.0 container as ${state.keptName} (restart policy no, no network).`);
      const body = { ...recreate.body } as typeof recreate.body & { Cmd?: string[] };
      if (dropped.length) {
        const next = commandFor84(old.cmd).cmd;
        if (next) body.Cmd = next;
        else delete body.Cmd;
      }
      const newId = await createContainer(dbClient, body);
      state.newId = newId;
      await ctx.intent({ ...state });
      await startContainer(dbClient, newId);
      await ctx.progress(65, "MySQL 8.4 upgrading the data directory");
      await ctx.log(`Started ${name} on ${plan.toImage}; it upgrades the data directory on its first start.`);
      await waitForDatabase(dbClient, newId);
      if (state.webStopped) {
        await startContainer(webClient, i.webContainerName);
        await ctx.log(`Started eLabFTW (${i.webContainerName}) again.`);
      }
      await ctx.progress(75, "MySQL 8.4 running");
      return { ...state } as unknown as Record<string, string>;
    },
    async compensate(rawCtx) {
      const ctx = context(rawCtx);
      const state = await ctx.intentOf<Switched>("switch");
      if (!state.oldId || !state.name) {
        await ctx.log("The database container was not touched.");
        return;
      }
      const { i, dbClient, webClient } = await where();
      const current = await inspectContainer(dbClient, state.name).catch(() => null);
      if (current && current.id !== state.oldId) {
        await removeContainer(dbClient, current.id, { force: true });
        await ctx.log(`Removed the MySQL 8.4 container ${current.id.slice(0, 12)}.`);
      }
      const old = await inspectContainer(dbClient, state.oldId).catch(() => null);
      if (!old) {
        throw new AppError("internal", msg`The kept 8.0 container ${state.keptName ?? ""} is gone.`, {
          hint: msg`The data directory as it was is in volume ${state.copy ?? copyVolume}; re-create the 8.0 container on it, or restore the backup.`,
        });
      }
      if (old.state.running) await stopContainer(dbClient, old.id, 60);
      if (state.copied) {
        // 8.4 may have upgraded the directory in place (8.0 would refuse it): the copy goes back, whole.
        await copyData(dbClient, plan.fromImage, dataMountOf(old), "restore");
        await ctx.log("Put back the data directory as it was before the switch.");
      }
      if (old.name !== state.name) await renameContainer(dbClient, old.id, state.name);
      const connected = new Set(Object.keys(old.networks));
      for (const n of state.networks ?? []) {
        if (!connected.has(n.name)) await connectNetwork(dbClient, n.name, old.id, n.aliases);
      }
      await updateRestartPolicy(dbClient, old.id, (state.restartPolicy ?? "unless-stopped") as "no");
      await startContainer(dbClient, old.id);
      await waitForDatabase(dbClient, old.id);
      await ctx.log(`Put back ${state.name} on ${plan.fromImage}.`);
      if (state.accountsMoved) {
        await ctx.log("The accounts keep caching_sha2_password, which MySQL 8.0 accepts as well (the fix 8.4 needs).");
      }
      await removeVolume(dbClient, state.copy ?? copyVolume).catch(() => undefined);
      const web = await inspectContainer(webClient, i.webContainerName).catch(() => null);
      if (web && state.webStopped && !web.state.running) {
        await startContainer(webClient, web.id);
        await ctx.log(`Started eLabFTW (${i.webContainerName}) again.`);
      }
      if (web && state.webStopped) {
        await webHealthy(webClient, i.webContainerName);
        await ctx.log("eLabFTW answers on MySQL 8.0.");
      }
    },
    compensateOnFailure: true,
  };

  const verify: StepDefinition<MysqlResults> = {
    key: "verify",
    title: MYSQL_UPGRADE_STEPS[4].title,
    async run(rawCtx) {
      const ctx = context(rawCtx);
      const { i, dbClient, webClient, name } = await where();
      const c = await inspectContainer(dbClient, name);
      const root = rootPasswordOf(c);
      const version = (await rootSql(dbClient, name, root, "SELECT VERSION();")).trim();
      if (!/^8\.4\.\d+/.test(version)) {
        throw new AppError("unavailable", msg`The new server answers version ${version.slice(0, 60)}, not 8.4.`, {
          hint: "The move is rolled back.",
        });
      }
      const left = nativeAccounts(
        parseAccounts(await rootSql(dbClient, name, root, "SELECT user, host, plugin FROM mysql.user;")),
      );
      if (left.length) {
        throw new AppError(
          "unavailable",
          msg`Accounts still on mysql_native_password: ${left.map((a) => `${a.user}@${a.host}`).join(", ")}.`,
          { hint: "The move is rolled back." },
        );
      }
      const web = await webHealthy(webClient, i.webContainerName);
      const check = parseDbCheck(
        (await execCapture(webClient, web.id, { cmd: ["bin/console", "db:check"], maxBytes: 1 << 20 })).stdout,
      );
      if (!check?.upToDate) {
        throw new AppError(
          "unavailable",
          msg`eLabFTW's db:check on MySQL 8.4 says: ${check ? `current ${check.current}, required ${check.required}` : "nothing readable"}.`,
          { hint: "The move is rolled back." },
        );
      }
      await ctx.log(
        `MySQL ${version} answers; no account on mysql_native_password; eLabFTW answers, schema ${check.current} in sync.`,
      );
      await ctx.progress(90, "Verified");
      return { version, servingAt: new Date().toISOString() };
    },
  };

  const commit: StepDefinition<MysqlResults> = {
    key: "commit",
    title: MYSQL_UPGRADE_STEPS[5].title,
    async run(rawCtx) {
      const ctx = context(rawCtx);
      const { dbClient } = await where();
      const state = ctx.result("switch");
      const { version, servingAt } = ctx.result("verify");
      const downtimeMs = new Date(servingAt).getTime() - new Date(state.stoppedAt!).getTime();
      await removeContainer(dbClient, state.oldId, { force: true }).catch(() => undefined);
      await ctx.log(`Removed the kept 8.0 container ${state.keptName}.`);
      await removeVolume(dbClient, state.copy).catch(() => undefined);
      await ctx.log(`Removed the copy of the 8.0 data directory (${state.copy}); the verified backup stays.`);
      const current = await inspectContainer(dbClient, state.name);
      const compose = composeLabelsOf(current.labels);
      let composeFile: string | null = null;
      if (compose) {
        const { dropped } = ctx.result("preflight");
        const stamp = new Date()
          .toISOString()
          .replace(/\.\d+Z$/, "Z")
          .replace(/[-:]/g, "");
        try {
          const synced = await rewriteComposeFiles(
            dbClient,
            plan.toImage,
            compose,
            stamp,
            (text) => rewriteComposeMysql(text, compose.service, plan.toImage, dropped),
            dropped.length
              ? msg`Set the image of service ${compose.service} to ${plan.toImage} in that file by hand, and remove ${dropped.join(" ")} from its command.`
              : msg`Set the image of service ${compose.service} to ${plan.toImage} in that file by hand.`,
          );
          if (synced.file !== null) {
            composeFile = synced.file;
            await ctx.log(
              `Compose file ${synced.file} now says ${plan.toImage}; the previous copy is ${synced.backup}.`,
            );
          } else {
            await ctx.log(`Compose file not changed: ${synced.reason}.`, "warn");
          }
        } catch (error) {
          await ctx.log(
            `The compose file could not be updated (${englishText(errorText(error))}): set the image of service ${compose.service} to ${plan.toImage} in it by hand.`,
            "warn",
          );
        }
      }
      await ctx.log(`Moved to MySQL ${version}: downtime ${(downtimeMs / 1000).toFixed(1)} s.`);
      return { downtimeMs, version, composeFile };
    },
  };

  return [
    preflight,
    { key: "backup", title: MYSQL_UPGRADE_STEPS[1].title, ...backup },
    pull,
    switchStep,
    verify,
    commit,
  ];
}

/** Queue the move of an instance's database to MySQL 8.4; refuses what is not a managed MySQL 8.0 container. */
export async function requestDatabaseUpgrade(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  input: { instanceId: string; tag?: unknown },
  context: RequestContext,
  send?: SendJob,
): Promise<string> {
  const tag = typeof input.tag === "string" && input.tag.trim() ? input.tag.trim() : "8.4";
  if (!MYSQL_84_TAG.test(tag)) {
    throw new AppError("bad_input", msg`“${tag.slice(0, 40)}” is not a MySQL 8.4 tag.`, {
      hint: "Give 8.4 or a pinned 8.4 release such as 8.4.3. Nothing was changed.",
    });
  }
  const instance = await db.instance.findUnique({
    where: { id: input.instanceId },
    select: { id: true, name: true, databasePlacement: true, databaseHostId: true, databaseContainerName: true },
  });
  if (!instance)
    throw new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." });
  if (instance.databasePlacement !== "container" || !instance.databaseHostId || !instance.databaseContainerName) {
    throw new AppError("precondition_failed", "This instance's database is not a container the panel manages.", {
      hint: "An external MySQL server is moved by its own administrators' procedure. Nothing was changed.",
    });
  }
  const client = await hostClients(db, ring)(instance.databaseHostId);
  const live = await inspectContainer(client, instance.databaseContainerName);
  const image = mysqlImageOf(live.image);
  if (!image || image.series !== "8.0") {
    throw new AppError("precondition_failed", msg`The database container runs ${live.image}, not MySQL 8.0.`, {
      hint: "This move is for a database container on the official mysql:8.0 image. Nothing was changed.",
    });
  }
  return queueDatabaseUpgrade(
    db,
    actor,
    { instanceId: instance.id, name: instance.name, fromImage: live.image, toImage: targetImageOf(image, tag) },
    context,
    send,
  );
}

export async function queueDatabaseUpgrade(
  db: Db,
  actor: Actor,
  plan: MysqlUpgradePlan,
  context: RequestContext,
  send?: SendJob,
): Promise<string> {
  const instance = await db.instance.findUniqueOrThrow({
    where: { id: plan.instanceId },
    select: { id: true, unitId: true, webHostId: true },
  });
  return createOperation(
    db,
    {
      operation: mysqlUpgradeOperation,
      instanceId: instance.id,
      hostId: instance.webHostId,
      requestedById: actor.id,
      params: plan,
      steps: [...MYSQL_UPGRADE_STEPS],
    },
    async (tx, operationId) => {
      await appendAuditEvent(tx, {
        ...requestedBy(actor, context),
        action: "instance.database_upgrade.request",
        outcome: "success",
        target: { type: "operation", id: operationId },
        instanceId: instance.id,
        unitId: instance.unitId,
        params: { name: plan.name, from: plan.fromImage, to: plan.toImage },
      });
    },
    send,
  );
}

export const mysqlUpgradeOperation = defineOperation({
  kind: "database_upgrade",
  version: 1,
  params: mysqlUpgradePlanSchema,
  steps: (run) =>
    mysqlUpgradeSteps(run.db, run.ring, run.operationId, run.params, run.options) as StepDefinition<never>[],
  // Taken over after the panel died: finish only once verified, else back to 8.0.
  onTakeover: (_run, journal) =>
    journal.verify === "succeeded"
      ? { action: "resume" }
      : {
          action: "roll_back",
          reason: "The panel stopped during this step; the move was rolled back when the panel started again.",
        },
  async finish(run, outcome) {
    const op = await run.db.operation.findUniqueOrThrow({
      where: { id: run.operationId },
      select: { error: true, instance: { select: { unitId: true } } },
    });
    await recordAuditEvent(run.db, {
      actor: { type: "system", label: "database upgrade" },
      action:
        outcome === "succeeded"
          ? "instance.database_upgraded"
          : outcome === "rolled_back"
            ? "instance.database_upgrade_rolled_back"
            : "instance.database_upgrade_failed",
      outcome: outcome === "succeeded" ? "success" : "failure",
      reason: op.error?.slice(0, 500) ?? null,
      target: { type: "operation", id: run.operationId },
      instanceId: run.params.instanceId,
      unitId: op.instance?.unitId ?? null,
      params: { name: run.params.name, from: run.params.fromImage, to: run.params.toImage },
    });
  },
});
