import { Transform } from "node:stream";
import { randomBytes } from "node:crypto";
import {
  createContainer,
  DockerError,
  execCapture,
  imageExists,
  inspectContainer,
  pullImage,
  removeContainer,
  startContainer,
} from "../../../docker";
import { DATABASE_CLIENT_IMAGE } from "../database-shell";
import { AppError } from "../../../errors";
import { VerificationFailure } from "../restore-point";
import { putStreamedFile, UnreadableSource } from "../tar-files";
import { DumpStatsCollector } from "../dump-stats";
import { msg } from "../../../i18n/message";
import type { VerifyEnv, VerifyStepBody } from "./env";

/** The dump loads into a throw-away database server. */
export function loadStep({
  operationId,
  options,
  container,
  dbClient,
  mysql,
  remember,
  rememberTables,
  backupRow,
  source,
  db,
  plan,
}: VerifyEnv): VerifyStepBody {
  return {
    async run(ctx) {
      const backup = await backupRow();
      const dump = await source();
      const client = await dbClient();
      const external = backup.instance.databasePlacement === "external" || !backup.instance.databaseContainerName;
      const live = external
        ? { image: DATABASE_CLIENT_IMAGE }
        : await inspectContainer(client, backup.instance.databaseContainerName!);
      if (external && !(await imageExists(client, live.image))) await pullImage(client, live.image);
      const password = randomBytes(18).toString("base64url");
      remember(password);
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
            "net.paillasse.instance": dump.instance.id,
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
        // The dump goes into the throw-away container as one tar entry of the size the restore point records.
        const plain = await dump.open();
        // A dump written beside the database was not read by the panel when it was taken: its rows
        // are counted now, on its way into the throw-away database, and recorded with the restore point.
        const counter = dump.tables ? null : new DumpStatsCollector();
        const content = counter ? plain.pipe(countingPassThrough(counter)) : plain;
        try {
          await putStreamedFile(client, container, "/tmp", { name: "dump.sql", size: dump.size }, content);
        } catch (error) {
          if (!(error instanceof UnreadableSource)) throw error;
          throw new VerificationFailure(msg`The database dump does not open: ${error.message}.`);
        }
        if (counter) {
          if (!counter.stats.completed) {
            throw new VerificationFailure("The dump does not end with “-- Dump completed”: it is incomplete.");
          }
          rememberTables(counter.stats.tables);
          const row = await db.backup.findUnique({ where: { id: plan.backupId }, select: { contents: true } });
          await db.backup.update({
            where: { id: plan.backupId },
            data: { contents: { ...((row?.contents ?? {}) as object), tables: counter.stats.tables } },
          });
          const rows = Object.values(counter.stats.tables).reduce((a, b) => a + b, 0);
          await ctx.log(`The dump holds ${Object.keys(counter.stats.tables).length} tables and ${rows} rows.`);
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
  };
}

/** Passes the dump on unchanged while the collector reads it. */
function countingPassThrough(counter: DumpStatsCollector): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.write(chunk);
      done(null, chunk);
    },
    flush(done) {
      counter.end(() => done());
    },
  });
}
