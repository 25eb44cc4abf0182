import { type KeyRing } from "../../../crypto";
import type { Db } from "../../db/client";
import { hostClients } from "../../hosts/clients";
import { type StepDefinition } from "../../operations/journal";
import { type DeployPlan } from "../deploy-plan";
import type { DeployOptions, DeployResults } from "./support";

/** What the deployment steps share: the run, one Docker client per host, the database's placement. */
export function deployEnv(db: Db, ring: KeyRing, operationId: string, plan: DeployPlan, options: DeployOptions = {}) {
  const client = hostClients(db, ring);
  const web = () => client(plan.webHostId);
  const dbPlan = plan.database;
  const dbClient = () => (dbPlan.placement === "container" ? client(dbPlan.hostId) : web());

  return { db, ring, operationId, plan, options, client, web, dbPlan, dbClient };
}

export type DeployEnv = ReturnType<typeof deployEnv>;

/** One step's run and undo, side by side; its key and title come from DEPLOY_STEPS. */
export type DeployStepBody = Omit<StepDefinition<DeployResults>, "key" | "title">;
