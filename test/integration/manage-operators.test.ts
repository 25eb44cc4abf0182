import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import {
  disableOperator,
  endSessions,
  renameKey,
  revokeKey,
  updateOperator,
} from "../../lib/server/operators/manage-operators";
import { findInstances } from "../../lib/server/instances/find-instances";
import { useFreshDatabase } from "../support/fresh-database";
import { refusal } from "../support/refusal";
import { addKey, operatorWithKey } from "../support/operators";

const context = { ip: "10.0.0.7", userAgent: "vitest" };
const inAYear = () => new Date(Date.now() + 365 * 24 * 3600_000);

describe("operator and key changes", () => {
  const database = useFreshDatabase("manage_operators", { migrated: true });
  let db: Db;
  let admin: Awaited<ReturnType<typeof operatorWithKey>>;
  beforeAll(async () => {
    db = createPrismaClient(database.url);
    admin = await operatorWithKey(db, "admin@unit.example", "admin");
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("never revokes the last active key, and revoking ends the sessions opened with the key", async () => {
    const op = await operatorWithKey(db, "one.key@unit.example", "operator");
    const last = await refusal(revokeKey(db, admin, { keyId: op.keyId }, context, null));
    expect(last.code).toBe("conflict");
    expect(last.message).toContain("last active key");
    expect((await db.securityKey.findUniqueOrThrow({ where: { id: op.keyId } })).revokedAt).toBeNull();

    await addKey(db, op.id, undefined, "Spare");
    await revokeKey(db, admin, { keyId: op.keyId }, context, null);
    expect((await db.securityKey.findUniqueOrThrow({ where: { id: op.keyId } })).revokedAt).not.toBeNull();
    const session = await db.operatorSession.findUniqueOrThrow({ where: { id: op.sessionId } });
    expect(session.revokedReason).toBe("key_revoked");
    // Kept, not deleted.
    expect(await db.securityKey.count({ where: { operatorId: op.id } })).toBe(2);
  });

  it("concurrent revocations of an operator's two keys leave one key active", async () => {
    const op = await operatorWithKey(db, "race@unit.example", "operator");
    const spare = await addKey(db, op.id, undefined, "Spare");
    const results = await Promise.allSettled([
      revokeKey(db, admin, { keyId: op.keyId }, context, null),
      revokeKey(db, admin, { keyId: spare.keyId }, context, null),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.securityKey.count({ where: { operatorId: op.id, revokedAt: null } })).toBe(1);
  });

  it("lets a person touch only their own keys from My keys", async () => {
    const op = await operatorWithKey(db, "mine@unit.example", "operator");
    const other = await operatorWithKey(db, "theirs@unit.example", "operator");
    await addKey(db, other.id, undefined, "Spare");
    expect((await refusal(revokeKey(db, op, { keyId: other.keyId }, context, op.id))).code).toBe("not_found");
    expect((await refusal(renameKey(db, op, { keyId: other.keyId, name: "mine now" }, context, op.id))).code).toBe(
      "not_found",
    );
    expect((await refusal(renameKey(db, op, { keyId: op.keyId, name: " " }, context, op.id))).code).toBe("bad_input");
    await renameKey(db, op, { keyId: op.keyId, name: "Blue key" }, context, op.id);
    expect((await db.securityKey.findUniqueOrThrow({ where: { id: op.keyId } })).name).toBe("Blue key");
  });

  it("keeps at least one active admin, and no one disables themselves", async () => {
    const demote = await refusal(
      updateOperator(
        db,
        admin,
        { operatorId: admin.id, displayName: "Admin", role: "operator", unitIds: [], expiresAt: inAYear() },
        context,
      ),
    );
    expect(demote.message).toContain("last active admin");
    expect((await refusal(disableOperator(db, admin, { operatorId: admin.id }, context))).message).toContain(
      "your own account",
    );
  });

  it("validates input and changes nothing on bad input", async () => {
    const op = await operatorWithKey(db, "validate@unit.example", "operator");
    const cases: [Record<string, unknown>, string][] = [
      [{ operatorId: "nope", displayName: "x", role: "operator", unitIds: [], expiresAt: inAYear() }, "operatorId"],
      [{ operatorId: op.id, displayName: "x", role: "root", unitIds: [], expiresAt: inAYear() }, "role"],
      [{ operatorId: op.id, displayName: "x", role: "operator", unitIds: [], expiresAt: "soon" }, "expiresAt"],
      [{ operatorId: op.id, displayName: "x", role: "operator", unitIds: [], expiresAt: new Date(0) }, "future"],
      [{ operatorId: op.id, displayName: "x", role: "correspondant", unitIds: [], expiresAt: inAYear() }, "unit"],
    ];
    for (const [input, mentions] of cases) {
      const error = await refusal(updateOperator(db, admin, input, context));
      expect(error.code).toBe("bad_input");
      expect(error.message).toContain(mentions);
    }
    const unchanged = await db.operator.findUniqueOrThrow({ where: { id: op.id } });
    expect(unchanged.role).toBe("operator");
    expect(unchanged.displayName).toBe("validate");
  });

  it("records a role change, ends sessions on demand and on disabling", async () => {
    const op = await operatorWithKey(db, "changes@unit.example", "operator");
    const unit = await db.unit.create({ data: { code: "UMR0001", name: "Unit one" } });
    await updateOperator(
      db,
      admin,
      { operatorId: op.id, displayName: "Changes", role: "correspondant", unitIds: [unit.id], expiresAt: inAYear() },
      context,
    );
    const event = await db.auditEvent.findFirstOrThrow({ where: { targetId: op.id }, orderBy: { id: "desc" } });
    expect(event.action).toBe("operator.role_change");
    expect(event.params).toMatchObject({ role: { from: "operator", to: "correspondant" } });

    expect(await endSessions(db, admin, { operatorId: op.id }, context)).toBe(1);
    await db.operatorSession.create({
      data: { operatorId: op.id, tokenHash: "another", expiresAt: inAYear() },
    });
    await disableOperator(db, admin, { operatorId: op.id }, context);
    expect(await db.operatorSession.count({ where: { operatorId: op.id, revokedAt: null } })).toBe(0);
  });

  it("scopes a correspondant's instance list to their units in the query", async () => {
    const host = await db.dockerHost.create({ data: { name: "h1", kind: "socket", address: "/run/docker.sock" } });
    const [u1, u2] = await Promise.all([
      db.unit.create({ data: { code: "UMR1111", name: "One" } }),
      db.unit.create({ data: { code: "UMR2222", name: "Two" } }),
    ]);
    for (const [name, unit] of [
      ["elab-one", u1],
      ["elab-two", u2],
    ] as const) {
      await db.instance.create({
        data: {
          name,
          unitId: unit.id,
          webHostId: host.id,
          webContainerName: name,
          databasePlacement: "container",
          imageTag: "5.0.4",
          siteUrl: `https://${name}.unit.example`,
          uploadsKind: "volume",
          uploadsSource: `${name}-uploads`,
        },
      });
    }
    const cle = await operatorWithKey(db, "cle@unit.example", "correspondant");
    await db.unitMembership.create({ data: { operatorId: cle.id, unitId: u1.id } });
    expect((await findInstances(db, { id: cle.id, role: "correspondant" })).map((i) => i.name)).toEqual(["elab-one"]);
    expect((await findInstances(db, { id: admin.id, role: "admin" })).map((i) => i.name).sort()).toEqual([
      "elab-one",
      "elab-two",
    ]);
    const nobody = await operatorWithKey(db, "no.unit@unit.example", "correspondant");
    expect(await findInstances(db, { id: nobody.id, role: "correspondant" })).toEqual([]);
  });
});
