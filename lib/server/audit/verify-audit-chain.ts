import type { Db } from "../db/client";
import { GENESIS_HASH, hashEvent } from "./audit-chain";

export type ChainVerdict =
  { intact: true; events: number } | { intact: false; events: number; brokenAt: bigint; reason: string };

/** Walk the whole trail in order and name the first event whose content or link does not hold. */
export async function verifyAuditChain(db: Db, batchSize = 1000): Promise<ChainVerdict> {
  let expectedPrev = GENESIS_HASH;
  let cursor: bigint | undefined;
  let events = 0;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      orderBy: { id: "asc" },
      take: batchSize,
      ...(cursor !== undefined ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (batch.length === 0) return { intact: true, events };
    for (const event of batch) {
      events++;
      if (event.prevHash !== expectedPrev) {
        return {
          intact: false,
          events,
          brokenAt: event.id,
          reason: "its link to the previous event does not match (an event before it was removed or altered)",
        };
      }
      const { id: _id, hash, ...content } = event;
      void _id;
      if (hashEvent(content) !== hash) {
        return {
          intact: false,
          events,
          brokenAt: event.id,
          reason: "its content does not match its hash (the event was altered)",
        };
      }
      expectedPrev = hash;
    }
    cursor = batch[batch.length - 1]!.id;
  }
}
