import { z } from "zod";
import { AppError } from "../errors";
import { asMessage, msg } from "../i18n/message";

/**
 * Validate what a form or an API sent: the parsed value, or an AppError
 * ("bad_input") whose message names the first wrong field in words
 * ("Unit code must be …") and whose hint says nothing was changed.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  raw: unknown,
  labels: Record<string, string>,
  hint: string,
): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join(".");
  throw new AppError(
    "bad_input",
    msg`${asMessage(labels[field] ?? labels[String(issue.path[0])] ?? (field || "Input"))} ${asMessage(issue.message)}.`,
    {
      hint,
    },
  );
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** A DNS host name (RFC 1123 labels). */
export function isHostName(value: string): boolean {
  return HOST_NAME.test(value);
}

/** A TCP/UDP port from a form field, with the words a person needs when it is wrong. */
export const portNumber = z.coerce
  .number({ message: "The port is a number." })
  .int("The port is a whole number.")
  .min(1, "Ports go from 1 to 65535.")
  .max(65535, "Ports go from 1 to 65535.");

/**
 * Validate a form whose schema speaks in whole sentences ("The port is a
 * number."): the parsed value, or an AppError with the first one and `hint`.
 */
export function parseWholeSentences<T extends z.ZodType>(schema: T, raw: unknown, hint: string): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new AppError("bad_input", parsed.error.issues[0]!.message, { hint });
}

/** Names in the inventory: lower-case letters, digits and dashes. */
export const instanceName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,49}$/, {
    message: "must be 1 to 50 lower-case letters, digits or dashes, starting with a letter or digit",
  });
