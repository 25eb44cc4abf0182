import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { needsRotation, reseal, type KeyRing } from "../crypto";
import type { Db } from "./db/client";
import { MANIFEST_SEAL, manifestSealContext } from "./backups/restore-point";
import { secretContext } from "./hosts/host-connection";
import { databaseSpecContext, instanceSecretsContext } from "./instances/instance-secrets";
import { operationSecretsContext } from "./instances/deploy";
import { settingSecretContext } from "./settings/setting-secret";

export interface RotationReport {
  /** The key every secret is sealed with now. */
  keyId: string;
  /** Per place ("DockerHost.tlsClientKeyEnc", "backup manifest seals", …): re-sealed, already current. */
  places: { place: string; resealed: number; current: number }[];
  /** Values that could not be re-sealed (left as they were), with why. */
  /** What could not be re-sealed, and why (printed by the command, in English). */
  notResealed: string[];
  /** Master key ids the audit trail is keyed with: they must stay in the ring for audit:verify. */
  auditKeyIds: string[];
}

/**
 * Re-seal every stored secret under the ring's current key: the sealed
 * columns (each value bound to its row and field, as when it was written)
 * and the manifest seals of the backups on disk. A value is updated only if
 * it is still the one read (a concurrent change wins); one that cannot be
 * opened is reported and left alone. Run it after putting the new key first
 * in PANEL_SECRET_KEY (the old one after it) and restarting the panel; once
 * it reports no problem, the old key seals nothing but the audit chain.
 */
export async function rotateSecrets(db: Db, ring: KeyRing): Promise<RotationReport> {
  const report: RotationReport = { keyId: ring.current.id, places: [], notResealed: [], auditKeyIds: [] };
  const place = (name: string) => {
    const entry = { place: name, resealed: 0, current: 0 };
    report.places.push(entry);
    return entry;
  };

  /** Re-seal one value; the update applies only if the stored value did not change meanwhile. */
  async function one(
    entry: { resealed: number; current: number },
    label: string,
    sealed: string | null,
    context: string,
    write: (from: string, to: string) => Promise<{ count: number }>,
  ) {
    if (!sealed) return;
    if (!needsRotation(ring, sealed)) {
      entry.current++;
      return;
    }
    try {
      const next = reseal(ring, sealed, context);
      if ((await write(sealed, next)).count === 1) entry.resealed++;
      else report.notResealed.push(`${label}: changed while it was re-sealed; run the rotation again.`);
    } catch (error) {
      report.notResealed.push(`${label}: ${(error as Error).message}`);
    }
  }

  const hosts = await db.dockerHost.findMany({
    select: { id: true, name: true, tlsClientKeyEnc: true, sshPrivateKeyEnc: true },
  });
  const tls = place("Docker hosts' TLS client keys");
  const ssh = place("Docker hosts' SSH keys");
  for (const h of hosts) {
    await one(tls, `Host ${h.name} (TLS key)`, h.tlsClientKeyEnc, secretContext(h.id, "tlsClientKey"), (from, to) =>
      db.dockerHost.updateMany({ where: { id: h.id, tlsClientKeyEnc: from }, data: { tlsClientKeyEnc: to } }),
    );
    await one(ssh, `Host ${h.name} (SSH key)`, h.sshPrivateKeyEnc, secretContext(h.id, "sshPrivateKey"), (from, to) =>
      db.dockerHost.updateMany({ where: { id: h.id, sshPrivateKeyEnc: from }, data: { sshPrivateKeyEnc: to } }),
    );
  }

  const instances = await db.instance.findMany({
    select: { id: true, name: true, secretsEnc: true, databaseSpecEnc: true },
  });
  const secrets = place("Instances' secrets");
  const specs = place("Instances' database container specs");
  for (const i of instances) {
    await one(secrets, `Instance ${i.name} (secrets)`, i.secretsEnc, instanceSecretsContext(i.id), (from, to) =>
      db.instance.updateMany({ where: { id: i.id, secretsEnc: from }, data: { secretsEnc: to } }),
    );
    await one(specs, `Instance ${i.name} (database spec)`, i.databaseSpecEnc, databaseSpecContext(i.id), (from, to) =>
      db.instance.updateMany({ where: { id: i.id, databaseSpecEnc: from }, data: { databaseSpecEnc: to } }),
    );
  }

  const operations = await db.operation.findMany({
    where: { secretsEnc: { not: null } },
    select: { id: true, secretsEnc: true },
  });
  const ops = place("Running operations' secrets");
  for (const o of operations) {
    await one(ops, `Operation ${o.id}`, o.secretsEnc, operationSecretsContext(o.id), (from, to) =>
      db.operation.updateMany({ where: { id: o.id, secretsEnc: from }, data: { secretsEnc: to } }),
    );
  }

  const settings = await db.setting.findMany({
    where: { secretEnc: { not: null } },
    select: { key: true, secretEnc: true },
  });
  const set = place("Settings' passwords");
  for (const s of settings) {
    await one(set, `Setting ${s.key}`, s.secretEnc, settingSecretContext(s.key), (from, to) =>
      db.setting.updateMany({ where: { key: s.key, secretEnc: from }, data: { secretEnc: to } }),
    );
  }

  // The manifest seals beside each restore point: rewritten in place (a temporary file, then a rename).
  const backups = await db.backup.findMany({
    where: { status: "succeeded", location: { not: null } },
    select: { id: true, location: true },
  });
  const seals = place("Backup manifest seals");
  for (const b of backups) {
    const file = path.join(b.location!, MANIFEST_SEAL);
    const sealed = await readFile(file, "utf8").then(
      (t) => t.trim(),
      (error: NodeJS.ErrnoException) => {
        report.notResealed.push(
          `Backup ${b.id}: its manifest seal could not be read (${error.code ?? error.message}).`,
        );
        return null;
      },
    );
    await one(seals, `Backup ${b.id}`, sealed, manifestSealContext(b.id), async (_from, to) => {
      await writeFile(`${file}.rotating`, to, { mode: 0o600 });
      await rename(`${file}.rotating`, file);
      return { count: 1 };
    });
  }

  const keyed = await db.auditEvent.findMany({
    where: { chainKeyId: { not: null } },
    distinct: ["chainKeyId"],
    select: { chainKeyId: true },
  });
  report.auditKeyIds = keyed.map((k) => k.chainKeyId!).sort();
  return report;
}
