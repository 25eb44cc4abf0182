import { expect, test } from "@playwright/test";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./support/auth";
import { e2eEnv, refusalCounts, sql } from "./support/db";

/** A correspondant CLE sees only their unit's instances and gets 403 on operator pages and actions. */
test.use({ storageState: { cookies: [], origins: [] } });

// The other specs share this database and expect an empty inventory: leave none behind.
test.afterEach(async () => {
  await sql(`DELETE FROM "Instance" WHERE name LIKE 'elab-umr700%'`);
  await sql(`DELETE FROM "Unit" WHERE code LIKE 'UMR700%'`);
  await sql(`DELETE FROM "DockerHost" WHERE name = 'roles-host'`);
});

test("a correspondant sees only their unit, and is refused operator pages and actions", async ({ page, baseURL }) => {
  const [host] = await sql<{ id: string }>(
    `INSERT INTO "DockerHost" (id, name, kind, address, "updatedAt") VALUES (gen_random_uuid(), 'roles-host', 'socket', '/run/roles.sock', now()) RETURNING id`,
  );
  const units: Record<string, string> = {};
  for (const code of ["UMR7001", "UMR7002"]) {
    const [unit] = await sql<{ id: string }>(
      `INSERT INTO "Unit" (id, code, name, "alertEmails", "updatedAt") VALUES (gen_random_uuid(), $1, $1, '{}', now()) RETURNING id`,
      [code],
    );
    units[code] = unit!.id;
    await sql(
      `INSERT INTO "Instance" (id, name, "unitId", "webHostId", "webContainerName", "databasePlacement", "imageTag", "siteUrl", "uploadsKind", "uploadsSource", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $1, 'container', '5.0.4', 'https://' || $1 || '.unit.example', 'volume', $1, now())`,
      [`elab-${code.toLowerCase()}`, unit!.id, host!.id],
    );
  }
  const link = inviteFromCommandLine(e2eEnv(), "cle@unit.example", "correspondant", "Camille CLE");
  await sql(
    `INSERT INTO "UnitMembership" ("operatorId", "unitId") SELECT id, $1 FROM "Operator" WHERE email = 'cle@unit.example'`,
    [units.UMR7001],
  );
  await addVirtualKey(page);
  await enrol(page, link);

  const nav = page.getByRole("navigation", { name: "Main" });
  for (const label of ["Dashboard", "Instances", "Backups", "Operations", "Audit", "My keys"]) {
    await expect(nav.getByRole("link", { name: label })).toBeVisible();
  }
  for (const label of ["Hosts", "Operators", "Settings"]) {
    await expect(nav.getByRole("link", { name: label })).toHaveCount(0);
  }

  await page.goto("/instances");
  await expect(page.getByRole("cell", { name: "elab-umr7001", exact: true })).toBeVisible();
  await expect(page.getByText("elab-umr7002")).toHaveCount(0);

  // Operations of their units only, read-only.
  await page.goto("/operations");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Operations");
  await expect(page.getByText("The operations on your units' instances")).toBeVisible();

  for (const path of ["/hosts", "/operators", "/settings", "/operators/3f0a8c1e-5b7d-4e29-9c3a-1d2e3f4a5b6c"]) {
    const response = await page.goto(path);
    expect(`${path} ${response?.status()}`).toBe(`${path} 403`);
    await expect(page.getByRole("heading", { name: "Your role does not give access to this page" })).toBeVisible();
  }
  await page.screenshot({ path: "test-results/screens/forbidden.png", fullPage: true });

  // Actions too: a key touch for inviting someone is refused before any key is asked for.
  const refused = await page.request.post("/api/webauthn/step-up", {
    headers: { Origin: baseURL! },
    data: { action: "operator.invite", params: { email: "x@unit.example", role: "admin" } },
  });
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ code: "forbidden" });

  // Another unit's instance and operation: the same 404 as for one that does not exist, and an audit event.
  const [other] = await sql<{ id: string }>(`SELECT id FROM "Instance" WHERE name = 'elab-umr7002'`);
  const [operation] = await sql<{ id: string }>(
    `INSERT INTO "Operation" (id, kind, state, "instanceId") VALUES (gen_random_uuid(), 'backup', 'succeeded', $1) RETURNING id`,
    [other!.id],
  );
  for (const path of [`/instances/${other!.id}`, `/operations/${operation!.id}`, `/instances/${crypto.randomUUID()}`]) {
    const response = await page.goto(path);
    expect(`${path} ${response?.status()}`).toBe(`${path} 404`);
  }
  await page.goto(`/instances/${other!.id}`);

  // Every refusal is counted; repeats within a minute are one event with a count (flood-proof).
  expect(await refusalCounts("cle@unit.example", "access.denied")).toEqual({
    "role_correspondant_lacks_hosts.read": 1,
    "role_correspondant_lacks_operators.manage": 3,
    "role_correspondant_lacks_settings.read": 1,
    out_of_scope_instance: 2,
    out_of_scope_operation: 1,
  });
  await sql(`DELETE FROM "Operation" WHERE id = $1`, [operation!.id]);
});
