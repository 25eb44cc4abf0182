import type { Db, Tx } from "../db/client";
import { keyRing } from "../secrets";
import { auditChainKey, GENESIS_HASH, hashEvent, redact, type ChainedContent } from "./audit-chain";

/** Serialises writers so two events never claim the same predecessor. */
const CHAIN_LOCK = 0x706c6175; // "plau"

export interface AuditInput {
  actor:
    | { type: "operator"; operatorId: string; label: string; securityKeyId?: string | null }
    | { type: "system"; label?: string }
    | { type: "anonymous" };
  ip?: string | null;
  userAgent?: string | null;
  action: string;
  target?: { type: string; id: string } | null;
  unitId?: string | null;
  instanceId?: string | null;
  /** Secrets under secret-looking names are removed before anything is stored. */
  params?: Record<string, unknown>;
  outcome: "success" | "failure" | "denied";
  /** Reason code for failures and refusals (kept in the log, never shown to the user). */
  reason?: string | null;
}

/** The actor of an event done by a signed-in operator: who, and with which key. */
export function operatorActor(operator: {
  id: string;
  email: string;
  securityKeyId?: string | null;
}): AuditInput["actor"] {
  return { type: "operator", operatorId: operator.id, label: operator.email, securityKeyId: operator.securityKeyId };
}

/** Who asked and from where, as the audit trail records an operator's request. */
export function requestedBy(
  actor: { id: string; email: string; securityKeyId?: string | null },
  context: { ip: string | null; userAgent: string | null } | null,
): Pick<AuditInput, "actor" | "ip" | "userAgent"> {
  return { actor: operatorActor(actor), ip: context?.ip ?? null, userAgent: context?.userAgent ?? null };
}

/**
 * A change and the audit event that records it, in one transaction: both are
 * written or neither (an event is never missing for a change that happened,
 * nor recorded for one that did not). `event` sees what the change returned.
 */
export async function withAuditEvent<T>(
  db: Db,
  change: (tx: Tx) => Promise<T>,
  event: (result: T) => AuditInput,
): Promise<T> {
  return db.$transaction(async (tx) => {
    const result = await change(tx);
    await appendAuditEvent(tx, event(result));
    return result;
  });
}

/** Append one event to the audit trail, chained to the one before it. Returns its hash. */
export async function recordAuditEvent(db: Db, input: AuditInput): Promise<{ id: bigint; hash: string }> {
  return db.$transaction((tx) => appendAuditEvent(tx, input));
}

/**
 * The same, inside a transaction the caller holds: the event is written (or not) with the change it records.
 * The chain lock is held until that transaction ends.
 */
export async function appendAuditEvent(tx: Tx, input: AuditInput): Promise<{ id: bigint; hash: string }> {
  const chainKey = auditChainKey(keyRing())!;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`;
  const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  const content: ChainedContent = {
    // Millisecond precision: exactly what TIMESTAMP(3) stores, so the hash can be recomputed.
    at: new Date(Math.floor(Date.now())),
    actorType: input.actor.type,
    operatorId: input.actor.type === "operator" ? input.actor.operatorId : null,
    actorLabel:
      input.actor.type === "operator"
        ? input.actor.label
        : input.actor.type === "system"
          ? (input.actor.label ?? "system")
          : null,
    securityKeyId: input.actor.type === "operator" ? (input.actor.securityKeyId ?? null) : null,
    ip: input.ip ?? null,
    userAgent: input.userAgent ? input.userAgent.slice(0, 500) : null,
    action: input.action,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    unitId: input.unitId ?? null,
    instanceId: input.instanceId ?? null,
    params: redact(input.params ?? {}),
    outcome: input.outcome,
    reason: input.reason ?? null,
    prevHash: last?.hash ?? GENESIS_HASH,
    chainKeyId: chainKey.id,
  };
  const hash = hashEvent(content, chainKey.key);
  const created = await tx.auditEvent.create({
    data: {
      ...content,
      actorType: content.actorType as "operator" | "system" | "anonymous",
      outcome: content.outcome as "success" | "failure" | "denied",
      params: content.params as object,
      hash,
    },
    select: { id: true },
  });
  return { id: created.id, hash };
}
