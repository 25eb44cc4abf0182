import type { KeyRing } from "../../crypto";
import type { Db } from "../db/client";
import { appendAuditEvent } from "./record-audit-event";
import { auditChainKey, GENESIS_HASH, hashEvent } from "./audit-chain";

export type ChainVerdict =
  { intact: true; events: number } | { intact: false; events: number; brokenAt: bigint | null; reason: string };

/**
 * Walk the whole trail in order and name the first event whose content or link does not hold, with the master
 * key ring (the chain is keyed: see audit-chain.ts). Unkeyed events are accepted only before the first keyed one,
 * and a non-empty trail must end with a keyed event.
 */
export async function verifyAuditChain(db: Db, ring: KeyRing, batchSize = 1000): Promise<ChainVerdict> {
  let expectedPrev = GENESIS_HASH;
  let cursor: bigint | undefined;
  let events = 0;
  let keyed = false;
  const keys = new Map<string, Buffer | null>();
  const keyOf = (id: string) => {
    if (!keys.has(id)) keys.set(id, auditChainKey(ring, id)?.key ?? null);
    return keys.get(id)!;
  };
  for (;;) {
    const batch = await db.auditEvent.findMany({
      orderBy: { id: "asc" },
      take: batchSize,
      ...(cursor !== undefined ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (batch.length === 0) break;
    for (const event of batch) {
      events++;
      const broken = (reason: string): ChainVerdict => ({ intact: false, events, brokenAt: event.id, reason });
      if (event.prevHash !== expectedPrev) {
        return broken("its link to the previous event does not match (an event before it was removed or altered)");
      }
      const { id: _id, hash, ...content } = event;
      void _id;
      if (content.chainKeyId === null) {
        if (keyed)
          return broken("it carries a plain hash after keyed events (the trail was rewritten without the key)");
      } else {
        keyed = true;
        const key = keyOf(content.chainKeyId);
        if (!key) {
          return broken(
            `it was sealed with master key "${content.chainKeyId}", which is not in PANEL_SECRET_KEY (keep retired keys after the current one)`,
          );
        }
        if (hashEvent(content, key) !== hash)
          return broken("its content does not match its keyed hash (the event was altered)");
        expectedPrev = hash;
        continue;
      }
      if (hashEvent(content, null) !== hash)
        return broken("its content does not match its hash (the event was altered)");
      expectedPrev = hash;
    }
    cursor = batch[batch.length - 1]!.id;
  }
  if (events > 0 && !keyed) {
    return {
      intact: false,
      events,
      brokenAt: null,
      reason:
        "no event is keyed yet: the trail was written before the chain was keyed, or rewritten without the key (start the panel once: it seals the older events)",
    };
  }
  return { intact: true, events };
}

/**
 * Events written before the chain was keyed are sealed by the first keyed event after them (its HMAC covers its
 * link to the last of them). At start, when the newest event is unkeyed, write that event now.
 */
export async function sealUnkeyedTrail(db: Db): Promise<number> {
  return db.$transaction(async (tx) => {
    const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { chainKeyId: true } });
    if (!last || last.chainKeyId !== null) return 0;
    const unkeyed = await tx.auditEvent.count();
    await appendAuditEvent(tx, {
      actor: { type: "system" },
      action: "audit.chain_keyed",
      outcome: "success",
      params: { sealedEvents: unkeyed },
    });
    return unkeyed;
  });
}
