"use server";

import { revalidatePath } from "next/cache";
import { authorize, requestContext } from "@/lib/auth/authorize";
import { db } from "@/lib/db";
import { runAction, type ActionResult } from "@/lib/server/actions";
import { adoptInstance, discoverOnHost } from "@/lib/server/instances/discover-instances";
import type { InstanceProposal } from "@/lib/server/instances/discovery";
import { keyRing } from "@/lib/server/secrets";
import { createUnit } from "@/lib/server/units/manage-units";

/** Discovery and adoption: operators and admins. */

export async function discoverAction(hostId: string): Promise<ActionResult<InstanceProposal[]>> {
  return runAction(async () => {
    await authorize("instances.manage", "instance.discover");
    return discoverOnHost(db(), keyRing(), hostId);
  });
}

export async function adoptAction(input: {
  hostId: string;
  containerId: string;
  unitId: string;
  name: string;
}): Promise<ActionResult<{ id: string }>> {
  return runAction(async () => {
    const operator = await authorize("instances.manage", "instance.adopt");
    const id = await adoptInstance(db(), keyRing(), operator, input, await requestContext());
    revalidatePath("/instances");
    revalidatePath("/");
    return { id };
  });
}

export async function createUnitAction(input: {
  code: string;
  name: string;
}): Promise<ActionResult<{ id: string; code: string; name: string }>> {
  return runAction(async () => {
    const operator = await authorize("instances.manage", "unit.create");
    return createUnit(db(), operator, input, await requestContext());
  });
}
