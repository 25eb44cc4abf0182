import {
  connectNetwork,
  createContainer,
  createVolume,
  disconnectNetwork,
  inspectContainer,
  planRecreate,
  removeContainer,
  removeVolume,
  renameContainer,
  startContainer,
  stopContainer,
  updateRestartPolicy,
} from "../../../docker";
import { AppError, errorText } from "../../../errors";
import { parseDbCheck } from "../../instances/elabftw-console";
import { waitForHealth } from "../../instances/observe";
import type { UpgradeEnv, UpgradeStepBody, Recreated } from "./env";
import { englishText, msg } from "../../../i18n/message";
import { releaseTraits, webLayoutOf } from "../../instances/elabftw-releases";
import { applyLayoutMove, layoutsDiffer, planLayoutMove, type LayoutMove } from "../layout-move";
import { dropOwnershipRecord, ownershipVolumeName, recordAndChown, restoreOwnership } from "../ownership";

/** The user a 6.0 container runs as unless the operator chose another: the owner of 5.x data (the image's nginx user). */
export const DEFAULT_RUN_AS = "101:101";

/** The move a plan makes from this container, or null when the target release keeps the container's layout. */
export function layoutMoveFor(
  old: Parameters<typeof planLayoutMove>[0] & Parameters<typeof webLayoutOf>[0],
  toTag: string,
  runAs: string | undefined,
): LayoutMove | null {
  const from = webLayoutOf(old);
  const to = releaseTraits(toTag)?.layout ?? from;
  return layoutsDiffer(from, to) ? planLayoutMove(old, from, to, runAs ?? DEFAULT_RUN_AS) : null;
}

/** What the move changes, in the journal's words (names of variables only: their values may be secrets). */
export function describeLayoutMove(move: LayoutMove): string[] {
  const lines = [
    ...move.ports.map((p) => `Port ${p.host} → container ${p.to} (was ${p.from}).`),
    ...move.mounts.map(
      (m) => `${m.type === "volume" ? "Volume" : "Directory"} ${m.source} at ${m.target}${m.created ? " (new)" : ""}.`,
    ),
  ];
  if (move.to.runsAs === "user") lines.push(`Runs as ${move.runAs}, which is given the data.`);
  if (move.to.readOnlyRoot) lines.push("Read-only root filesystem, /run in memory.");
  if (move.removedEnv.length)
    lines.push(`Environment variables the new release ignores, removed: ${move.removedEnv.join(", ")}.`);
  return lines;
}

/** The container that serves the maintenance page during an upgrade's final dump. */
export const maintenanceName = (name: string) => `${name}-paillasse-maintenance`;

/**
 * The running release with MAINTENANCE_MODE=true, in place of the stopped container (same ports, networks and
 * aliases; never restarted, not a compose service): nginx answers every GET with the maintenance page and any
 * write with 405, so nothing reaches the database while it is dumped.
 */
async function startMaintenance(
  client: Parameters<typeof createContainer>[0],
  recreate: Awaited<ReturnType<typeof planRecreate>>,
  name: string,
): Promise<string> {
  await removeContainer(client, name, { force: true }).catch(() => undefined);
  const body = recreate.body as typeof recreate.body & { Env?: string[]; Labels?: Record<string, string> };
  const labels = Object.fromEntries(
    Object.entries(body.Labels ?? {}).filter(([k]) => !k.startsWith("com.docker.compose.")),
  );
  const id = await createContainer(client, {
    ...body,
    name,
    Image: recreate.image,
    Env: [...(body.Env ?? []).filter((e) => !e.startsWith("MAINTENANCE_MODE=")), "MAINTENANCE_MODE=true"],
    Labels: { ...labels, "net.paillasse.managed": "true", "net.paillasse.helper": "maintenance" },
    HostConfig: { ...body.HostConfig, RestartPolicy: { Name: "no" } },
  });
  await startContainer(client, id);
  return id;
}

export function recreateStep({
  operationId,
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
  restoreDatabaseAtStop,
  newContainerOf,
}: UpgradeEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      const client = await webClient();
      const name = (await instance()).webContainerName;
      const recreate = await planRecreate(client, name, newImage);
      const old = await inspectContainer(client, recreate.id);
      const move = layoutMoveFor(old, plan.toTag, plan.runAs);
      const state: Recreated = {
        oldId: recreate.id,
        keptName: keptName(name),
        name,
        restartPolicy: recreate.restartPolicy,
        networks: recreate.networks,
        stoppedAt: new Date().toISOString(),
        ...(move ? { layout: { move, record: ownershipVolumeName(operationId) } } : {}),
      };
      // Journaled before anything changes: a rollback (even after a crash) knows what to put back.
      await ctx.intent({ ...state });
      await stopContainer(client, recreate.id, 30);
      await ctx.log(`Stopped ${name}; downtime starts.`);
      // Where the running release has it (5.5.3+), users get its maintenance page (writes refused) in place of
      // a connection error while the final dump (and a chown) run, instead of nothing at all.
      const from = (await instance()).elabftwVersion ?? plan.fromTag;
      const maintenance = releaseTraits(from)?.maintenanceMode
        ? startMaintenance(client, recreate, maintenanceName(name)).then(
            async (id) => {
              state.maintenance = maintenanceName(name);
              await ctx.log(`Serving eLabFTW's maintenance page (MAINTENANCE_MODE, writes refused) meanwhile.`);
              return id;
            },
            async (error: unknown) => {
              await ctx.log(
                `The maintenance page could not be served (${englishText(errorText(error))}); going on without it.`,
                "warn",
              );
              return null;
            },
          )
        : Promise.resolve(null);
      // Nothing writes to the database any more: one last dump, so that a rollback loses no write made
      // since the backup (during its verification and the pull, researchers kept working). It runs beside the
      // swap: until db:update, which waits for it, the new container writes nothing (its pages say "Almost
      // there!"), unless its own entrypoint migrates (AUTO_DB_UPDATE) or the maintenance page is served
      // meanwhile: then the swap waits for the dump.
      await ctx.intent({ ...state, maintenance: maintenanceName(name) });
      const autoUpdate = old.env.AUTO_DB_UPDATE === "true";
      if (autoUpdate) state.autoDbUpdate = true;
      const dumping = Promise.allSettled([finalDump(ctx), maintenance]).then(([dumped]) => dumped);
      const dumped = async () => {
        const outcome = await dumping;
        if (outcome.status === "rejected") throw outcome.reason;
        state.finalDump = outcome.value;
      };
      if (autoUpdate || releaseTraits(from)?.maintenanceMode) {
        await dumped();
        await ctx.intent({ ...state });
      }
      let newId: string;
      try {
        // The kept container can never come back by itself in place of the new one (after a reboot, say).
        await updateRestartPolicy(client, recreate.id, "no");
        await renameContainer(client, recreate.id, state.keptName);
        for (const n of recreate.networks) await disconnectNetwork(client, n.name, recreate.id);
        await ctx.log(`Kept the old container as ${state.keptName} (restart policy no, no network).`);
        let body = recreate.body;
        if (move && state.layout) {
          for (const m of move.mounts) {
            if (m.type === "volume" && m.created)
              await createVolume(client, m.source, { "net.paillasse.managed": "true", "net.paillasse.role": m.role });
          }
          await ctx.progress(58, "Giving the data to the new user");
          state.layout.chowned = await recordAndChown(client, newImage, move, state.layout.record);
          await ctx.intent({ ...state });
          await ctx.log(
            `Gave ${state.layout.chowned} entries of the data to ${move.runAs}; their owners and modes are kept in volume ${state.layout.record} for a rollback.`,
          );
          for (const line of describeLayoutMove(move)) await ctx.log(line);
          body = applyLayoutMove(body, move);
        }
        if (state.maintenance) {
          await removeContainer(client, state.maintenance, { force: true }).catch(() => undefined);
          await ctx.log("Stopped the maintenance page.");
        }
        newId = await createContainer(client, body);
        await ctx.intent({ ...state, newId });
        await startContainer(client, newId);
        await ctx.log(`Started ${name} on ${newImage}.`);
      } catch (error) {
        // The rollback removes the dump's file: not while it is being written.
        await dumping;
        throw error;
      }
      if (!state.finalDump) {
        await dumped();
        await ctx.intent({ ...state, newId });
      }
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
      if (state.maintenance) {
        await removeContainer(client, state.maintenance, { force: true }).catch((error: { failure?: string }) => {
          if (error?.failure !== "not_found") throw error;
        });
      }
      const fresh = await newContainerOf(client, state.name, state.oldId);
      if (fresh) {
        await removeContainer(client, fresh.id, { force: true });
        await ctx.log(`Removed the new container ${fresh.id.slice(0, 12)}.`);
      }
      if (state.layout) {
        const { move, record } = state.layout;
        const restored = await restoreOwnership(client, newImage, move, record).catch(async (error) => {
          // The new image may be the thing that is gone: the kept old one can run the same tools.
          if ((error as { failure?: string }).failure !== "not_found") throw error;
          return restoreOwnership(client, `${plan.repository}:${plan.fromTag}`, move, record);
        });
        await ctx.log(
          restored === null
            ? "The data's owners had not been changed yet."
            : `Put back the owners and modes of ${restored} entries of the data.`,
        );
        await dropOwnershipRecord(client, record);
        for (const m of move.mounts) {
          if (m.type === "volume" && m.created) {
            await removeVolume(client, m.source).catch(() => undefined);
            await ctx.log(`Removed the volume ${m.source} made for the new layout.`);
          }
        }
      }
      // A new container that migrated as it started (AUTO_DB_UPDATE=true), with no migrate step to undo it
      // (it never became healthy, say): the database goes back as it was at the stop before the old one starts.
      if (state.autoDbUpdate && state.newId && !(await ctx.intentOf<{ migration?: string }>("migrate")).migration) {
        await restoreDatabaseAtStop(ctx);
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
