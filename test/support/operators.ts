import { randomBytes } from "node:crypto";
import type { Db } from "../../lib/server/db/client";
import { newCredential, type SoftCredential } from "./soft-authenticator";

/** An operator with one registered software key and an open session, straight in the database. */
export async function operatorWithKey(
  db: Db,
  email: string,
  role: "admin" | "operator" | "correspondant" = "admin",
): Promise<{ id: string; email: string; sessionId: string; keyId: string; credential: SoftCredential }> {
  const userHandle = randomBytes(32);
  const operator = await db.operator.create({
    data: {
      email,
      displayName: email.split("@")[0]!,
      role,
      expiresAt: new Date(Date.now() + 365 * 24 * 3600_000),
      webauthnUserId: new Uint8Array(userHandle),
    },
  });
  const { keyId, credential } = await addKey(db, operator.id, userHandle);
  const session = await db.operatorSession.create({
    data: {
      operatorId: operator.id,
      securityKeyId: keyId,
      tokenHash: randomBytes(32).toString("hex"),
      expiresAt: new Date(Date.now() + 12 * 3600_000),
    },
  });
  return { id: operator.id, email, sessionId: session.id, keyId, credential };
}

export async function addKey(db: Db, operatorId: string, userHandle?: Buffer, name = "Key") {
  const handle =
    userHandle ?? Buffer.from((await db.operator.findUniqueOrThrow({ where: { id: operatorId } })).webauthnUserId);
  const credential = newCredential("ES256", handle);
  const key = await db.securityKey.create({
    data: {
      operatorId,
      name,
      credentialId: new Uint8Array(credential.id),
      publicKey: new Uint8Array(credential.coseKey),
      transports: ["usb"],
      aaguid: "00000000-0000-0000-0000-000000000000",
      attestationFormat: "packed",
      backupEligible: false,
      backedUp: false,
    },
  });
  return { keyId: key.id, credential };
}
