import {
  connectNetwork,
  createContainer,
  disconnectNetwork,
  inspectContainer,
  planRecreate,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
  updateRestartPolicy,
} from "../../../docker";
import { AppError } from "../../../errors";
import { parseDbCheck } from "../../instances/elabftw-console";
import { waitForHealth } from "../../instances/observe";
import type { UpgradeEnv, UpgradeStepBody, Recreated } from "./env";
import { msg } from "../../../i18n/message";

export function recreateStep({
  plan,
  newImage,
  keptName,
  instance,
  webClient,
  healthTimeoutMs,
  console,
  ensureDatabaseRunning,
  finalDump,
  removeFinalDump,
  newContainerOf,
}: UpgradeEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      const client = await webClient();
      const name = (await instance()).webContainerName;
      const recreate = await planRecreate(client, name, newImage);
      const state: Recreated = {
        oldId: recreate.id,
        keptName: keptName(name),
        name,
        restartPolicy: recreate.restartPolicy,
        networks: recreate.networks,
        stoppedAt: new Date().toISOString(),
      };
      // Journaled before anything changes: a rollback (even after a crash) knows what to put back.
      await ctx.intent({ ...state });
      await stopContainer(client, recreate.id, 30);
      await ctx.log(`Stopped ${name}; downtime starts.`);
      // Nothing writes to the database any more: one last dump, so that a rollback loses no write made
      // since the backup (during its verification and the pull, researchers kept working).
      state.finalDump = await finalDump(ctx);
      await ctx.intent({ ...state });
      // The kept container can never come back by itself in place of the new one (after a reboot, say).
      await updateRestartPolicy(client, recreate.id, "no");
      await renameContainer(client, recreate.id, state.keptName);
      for (const n of recreate.networks) await disconnectNetwork(client, n.name, recreate.id);
      await ctx.log(`Kept the old container as ${state.keptName} (restart policy no, no network).`);
      const newId = await createContainer(client, recreate.body);
      await ctx.intent({ ...state, newId });
      await startContainer(client, newId);
      await ctx.log(`Started ${name} on ${newImage}.`);
      await ctx.progress(60, "New container started");
      return { ...state, newId };
    },
    // Idempotent, from the real state: whatever part of the swap was done is undone.
    async compensate(ctx) {
      const state = await ctx.intentOf<Recreated>("recreate");
      if (!state.oldId || !state.name || !state.keptName) {
        await ctx.log("The old container was not touched.");
        return;
      }
      const client = await webClient();
      const fresh = await newContainerOf(client, state.name, state.oldId);
      if (fresh) {
        await removeContainer(client, fresh.id, { force: true });
        await ctx.log(`Removed the new container ${fresh.id.slice(0, 12)}.`);
      }
      const old = await inspectContainer(client, state.oldId).catch(() => null);
      // The dump taken at the stop has served (or a cut one is worthless): it does not stay beside the backup.
      await removeFinalDump(ctx, state);
      if (!old) {
        throw new AppError(
          "internal",
          msg`The kept container ${state.keptName} is gone: the old version cannot be started again.`,
          {
            hint: "Restore the backup taken before the upgrade onto a container of the old version.",
          },
        );
      }
      // The old version needs its database: if it went down meanwhile, it is started again first.
      await ensureDatabaseRunning(ctx);
      if (old.name !== state.name) await renameContainer(client, state.oldId, state.name);
      const connected = new Set(Object.keys(old.networks));
      for (const n of state.networks ?? []) {
        if (!connected.has(n.name)) await connectNetwork(client, n.name, state.oldId, n.aliases);
      }
      await updateRestartPolicy(client, state.oldId, (state.restartPolicy ?? "unless-stopped") as "no");
      if (!old.state.running) await startContainer(client, state.oldId);
      await ctx.log(`Put back ${state.name} on ${plan.repository}:${plan.fromTag}.`);
      const web = await inspectContainer(client, state.oldId);
      await waitForHealth(client, web, {
        timeoutMs: healthTimeoutMs,
        intervalMs: 500,
        hint: "The old version was put back but does not answer: see its logs.",
      });
      const check = parseDbCheck((await console(client, web.id, "db:check")).stdout);
      await ctx.log(
        check?.upToDate
          ? `The old version answers ok, schema ${check.current} in sync.`
          : `The old version answers ok, but db:check says: ${check ? `current ${check.current}, required ${check.required}` : "nothing readable"}.`,
        check?.upToDate ? "info" : "warn",
      );
    },
    compensateOnFailure: true,
  };
}
