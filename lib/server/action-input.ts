import { z } from "zod";
import { AppError } from "../errors";
import { isUuid } from "./ids";

/**
 * The arguments of a server action are whatever a request puts in its body,
 * whatever the page's types say: each action checks them here before using
 * them. A malformed id is the same "not found" as an id that is gone (no
 * row to learn about); a malformed object is a clear "not understood".
 */
const NOT_FOUND = {
  host: () => new AppError("not_found", "This host does not exist.", { hint: "Reload the Hosts page." }),
  operator: () => new AppError("not_found", "This operator does not exist.", { hint: "Reload the Operators page." }),
} as const;

export function idArgument(value: unknown, what: keyof typeof NOT_FOUND): string {
  if (typeof value !== "string" || !isUuid(value)) throw NOT_FOUND[what]();
  return value;
}

/** The action's argument object, checked against its schema (types and bounds), or a bad_input that changes nothing. */
export function objectArgument<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AppError("bad_input", "The request was not understood: some of its values are missing or malformed.", {
    hint: "Reload the page and try again.",
  });
}
