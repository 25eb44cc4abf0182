import { z } from "zod";
import type { OperationKind } from "../../lib/server/operations/journal";

/**
 * An operation kind for tests of the journal alone: any params, version 1.
 * (The executor never runs these: they are driven with runOperation.)
 */
export const journalOnly = (kind: OperationKind) => ({
  kind,
  version: 1,
  params: z.record(z.string(), z.unknown()),
});
