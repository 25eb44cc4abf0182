import { z } from "zod";
import { englishText, isMessage, storedText, type MessageValue, type Wording } from "../../i18n/message";

/**
 * What the operation page reads from an operation's stored result
 * (Operation.result: each step's result by key), parsed rather than cast. A
 * part that does not parse (a result written by another panel version) is
 * shown as absent, never misread.
 */
const resultSchema = z.looseObject({
  register: z.looseObject({ registerUrl: z.string().optional() }).optional().catch(undefined),
  commit: z
    .looseObject({ downtimeMs: z.number(), backupId: z.string(), version: z.string(), schema: z.number() })
    .optional()
    .catch(undefined),
  backup: z.looseObject({ backupId: z.string().optional() }).optional().catch(undefined),
});
export type OperationResultView = z.infer<typeof resultSchema>;

export function readOperationResult(value: unknown): OperationResultView {
  const parsed = resultSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

/** How long a committed upgrade kept the instance down (its commit step's figure), when it says. */
export function upgradeDowntimeMs(result: unknown): number | undefined {
  const parsed = z.looseObject({ commit: z.looseObject({ downtimeMs: z.number() }) }).safeParse(result);
  return parsed.success ? parsed.data.commit.downtimeMs : undefined;
}

/** What a committed MySQL 8.4 move says of itself (its commit step's result), when it does. */
export function mysqlMoveResult(result: unknown): { version: string; downtimeMs: number } | null {
  const parsed = z
    .looseObject({ commit: z.looseObject({ version: z.string(), downtimeMs: z.number() }) })
    .safeParse(result);
  return parsed.success ? parsed.data.commit : null;
}

/** The title a step journaled with its intent (OperationStep.intent.title), if any. */
export function stepTitleOf(intent: unknown): string | undefined {
  const parsed = z.looseObject({ title: z.string() }).safeParse(intent);
  return parsed.success ? parsed.data.title : undefined;
}

/**
 * Why an operation failed, as journaled ("Step title: what happened"): the
 * step's title and what happened as separate texts, so each can be shown in
 * the reader's language. Null for an operation without a stored message.
 */
export function readOperationFailure(errorText: unknown): { stepTitle: string | null; what: Wording } | null {
  const text = storedText(errorText);
  if (!text) return null;
  if (isMessage(text) && text.id === "{0}: {1}" && text.values.length === 2) {
    const [title, what] = text.values as [MessageValue, MessageValue];
    return {
      stepTitle: isMessage(title) || typeof title === "string" ? englishText(title) : null,
      what: asWording(what),
    };
  }
  return { stepTitle: null, what: text };
}

function asWording(value: MessageValue): Wording {
  return isMessage(value) ? value : String(value);
}
